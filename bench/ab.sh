#!/usr/bin/env bash
# Two builds of pipelint on the same command, run alternately (so both see the same load on
# this shared machine), with the page cache written back before each run: medians of RUNS
# rounds (default 7), ranges and peak memory. With BASE set, each round also times the
# AFTER binary on those arguments (e.g. the plain audit) and the ratios are to its median.
# `{db}` in the arguments stands for a history store made fresh for each run.
#
# Usage: bench/ab.sh BEFORE AFTER -- ARGS...
#   e.g. git worktree add /tmp/before HEAD~3 && (cd /tmp/before && cargo build --release)
#        BASE="audit bench/out/opps_1000000.csv --as-of 2026-11-20 -o /dev/null" \
#          bench/ab.sh /tmp/before/target/release/pipelint target/release/pipelint -- \
#          history add bench/out/opps_1000000.csv --as-of 2026-11-20 --db {db} -q
set -euo pipefail
[ $# -ge 4 ] && [ "$3" = "--" ] || { sed -n '2,12p' "$0" >&2; exit 2; }
before=$1 after=$2
shift 3
runs=${RUNS:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# run LABEL BINARY ARGS...: one timed run, appended to $out/LABEL.
run() {
  local label=$1 bin=$2
  shift 2
  local db="$out/$label.sqlite"
  rm -f "$db" "$db-wal" "$db-shm"
  local args=("${@//\{db\}/$db}")
  sync
  sleep 1
  local rc=0
  /usr/bin/time -f '%e %M' -a -o "$out/$label" "$bin" "${args[@]}" > /dev/null 2> "$out/.stderr" || rc=$?
  # 1 is a gate that failed (a finding at --fail-on): timed like a pass. 2 is an error.
  if [ "$rc" -ge 2 ]; then
    echo "$label: $bin exited $rc:" >&2
    cat "$out/.stderr" >&2
    exit 1
  fi
}

for _ in $(seq "$runs"); do
  run before "$before" "$@"
  run after "$after" "$@"
  if [ -n "${BASE:-}" ]; then
    read -r -a base <<< "$BASE"
    run base "$after" "${base[@]}"
  fi
done

# summary LABEL: "median s (min–max), peak MB", and the median alone in $median.
summary() {
  grep -v '^Command' "$out/$1" | sort -g | awk -v label="$1" '
    { t[NR] = $1; if ($2 > m) m = $2 }
    END { printf "%-7s %.2f s median (%.2f-%.2f), %.0f MB peak\n", label, t[int((NR + 1) / 2)], t[1], t[NR], m / 1024 }'
}
median() { grep -v '^Command' "$out/$1" | sort -g | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }

echo "$runs alternating rounds: $*"
summary before
summary after
if [ -n "${BASE:-}" ]; then
  summary base
  awk -v b="$(median before)" -v a="$(median after)" -v base="$(median base)" 'BEGIN {
    printf "ratio to base: before %.2fx, after %.2fx\n", b / base, a / base }'
fi
