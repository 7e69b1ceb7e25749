#!/usr/bin/env bash
# pipelint benchmark: audit time against a raw csv-crate ByteRecord count of the same file,
# in the same run, plus peak memory. See bench/README.md.
#
# Usage: bench/run.sh [ROWS...]              (default: 1000000)
#        RUNS=5 bench/run.sh 1000000 2000000 (runs per measurement, median reported; default 3)
#        ARGS="-f json -o /tmp/a.json" bench/run.sh   (extra audit arguments)
#        KINDS=opps bench/run.sh                       (one generator's files only)
#        bench/formats.sh                              (every report format, via this script)
#
# Each size is measured on both generators' files:
#   opps   ../shared/bench/gen_opps.py --rows N --seed 42 (the project's reference export)
#   export bench/gen_export.rs N 42                    (this project's own generator)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
  echo "bench/run.sh needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2
  exit 2
fi
runs=${RUNS:-3}
args=${ARGS:-}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000)

cargo build --release --quiet --bin pipelint --example gen_export --example csv_count
mkdir -p bench/out

# median of a list of numbers
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure CMD...: prints "wall_seconds max_rss_kb" of one run
measure() {
  /usr/bin/time -f '%e %M' -o bench/out/.time "$@" >/dev/null 2>bench/out/.stderr || true
  tail -n 1 bench/out/.time
}

# generate KIND ROWS FILE
generate() {
  case "$1" in
    opps) python3 ../shared/bench/gen_opps.py --rows "$2" --seed 42 > "$3" ;;
    export) ./target/release/examples/gen_export "$2" 42 > "$3" ;;
  esac
}

printf '%-7s %-10s %7s %9s %9s %7s %11s %12s\n' file rows MB count_s audit_s ratio rows/s peak_RSS_MB
for rows in "${sizes[@]}"; do
  for kind in ${KINDS:-opps export}; do
    file=bench/out/${kind}_${rows}.csv
    [ -f "$file" ] || generate "$kind" "$rows" "$file"
    bytes=$(stat -c %s "$file")
    cat "$file" > /dev/null   # warm the page cache for both contenders alike
    count_t=(); audit_t=(); audit_m=(); ratios=()
    for _ in $(seq "$runs"); do
      # The two contenders alternate, so a slower minute of a shared machine hits both.
      read -r t _ < <(measure ./target/release/examples/csv_count "$file")
      count_t+=("$t")
      # shellcheck disable=SC2086
      read -r t m < <(measure ./target/release/pipelint audit "$file" --as-of 2026-11-20 $args)
      audit_t+=("$t"); audit_m+=("$m")
      ratios+=("$(awk -v a="$t" -v c="${count_t[-1]}" 'BEGIN { printf "%.4f", a / c }')")
    done
    c=$(median "${count_t[@]}"); a=$(median "${audit_t[@]}"); m=$(median "${audit_m[@]}")
    r=$(median "${ratios[@]}")
    awk -v kind="$kind" -v rows="$rows" -v bytes="$bytes" -v c="$c" -v a="$a" -v m="$m" -v r="$r" 'BEGIN {
      printf "%-7s %-10d %7.0f %9.2f %9.2f %6.2fx %11.0f %12.0f\n",
        kind, rows, bytes/1e6, c, a, r, rows/a, m/1024 }'
  done
done
echo "(median of $runs runs each; ratio: the median of each run's audit/count, the two timed back to back; audit arguments: --as-of 2026-11-20 ${args:-(table)}; machine: $(nproc) cores, $(uname -m))"
