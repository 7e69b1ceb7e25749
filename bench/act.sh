#!/usr/bin/env bash
# `act --dry-run` at scale (issue 26: under 2x the audit), against `audit --history` of the
# same week with the same rules and store, and a csv-crate count, alternating, medians of
# RUNS runs (default 5), with peak memory.
#
# The series is bench/history.sh's: SERIES-row gen_opps weekly snapshots (seed 11, each the
# one before edited by bench/edit_snapshot.py); weeks 1-11 are stored, week 12 is audited.
# The team file gives 200 of the export's owners a manager (the first 20), an email and a
# Slack id; bench/act_rules.toml routes stale deals, the high band and HYG010 to them.
#
# Usage: bench/act.sh [SERIES]    (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
series=${1:-100000}
runs=${RUNS:-5}
cargo build --release --quiet --bin pipelint --example csv_count
mkdir -p bench/out
week() { echo "bench/out/series_${series}_w$1.csv"; }
[ -f "$(week 1)" ] || python3 ../shared/bench/gen_opps.py --rows "$series" --seed 11 > "$(week 1)"
for w in $(seq 2 12); do
  [ -f "$(week "$w")" ] || python3 bench/edit_snapshot.py "$(week $((w - 1)))" "$(week "$w")" --seed "$w" --share 0.1 >/dev/null
done
day() { date -d "2026-09-04 + $((7 * ($1 - 1))) days" +%F; }
last=$(week 12)

python3 - "$last" bench/out/act_team.csv <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8", errors="replace") as f:
    owners = sorted({r["Opportunity Owner"] for r in csv.DictReader(f) if r["Opportunity Owner"].strip()})[:200]
managers = owners[:20]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["owner", "manager", "email", "slack"])
    for i, o in enumerate(owners):
        w.writerow([o, "" if i < 20 else managers[i % 20], f"user{i}@example.com", f"U{i:06d}"])
PY

store=bench/out/act.sqlite
rm -f "$store"*
for w in $(seq 1 11); do
  ./target/release/pipelint history add "$(week "$w")" --as-of "$(day "$w")" --db "$store" -q
done
rules=bench/act_rules.toml
export SMTP_URL=smtp://127.0.0.1:1 SLACK_WEBHOOK_URL=http://127.0.0.1:1/slack

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
  /usr/bin/time -f '%e %M' -o bench/out/.time "$@" >/dev/null 2>bench/out/.stderr || true
  tail -n 1 bench/out/.time
}
c=(); a=(); am=(); d=(); dm=(); r=()
for _ in $(seq "$runs"); do
  read -r t _ < <(measure ./target/release/examples/csv_count "$last"); c+=("$t")
  read -r ta m < <(measure ./target/release/pipelint audit "$last" -r "$rules" --as-of "$(day 12)" --history "$store" -o /dev/null); a+=("$ta"); am+=("$m")
  read -r td m < <(measure ./target/release/pipelint act "$last" -r "$rules" --as-of "$(day 12)" --history "$store" --dry-run); d+=("$td"); dm+=("$m")
  r+=("$(awk -v a="$ta" -v d="$td" 'BEGIN { printf "%.3f", d / a }')")
done
messages=$(./target/release/pipelint act "$last" -r "$rules" --as-of "$(day 12)" --history "$store" --dry-run -f json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["messages"]))')
awk -v c="$(median "${c[@]}")" -v a="$(median "${a[@]}")" -v am="$(median "${am[@]}")" \
    -v d="$(median "${d[@]}")" -v dm="$(median "${dm[@]}")" -v r="$(median "${r[@]}")" \
    -v rows="$series" -v n="$messages" 'BEGIN {
  printf "week 12 of %d rows, 200-owner team, %d messages: csv count %.2f s; audit --history %.2f s, %.0f MB; act --dry-run %.2f s (median ratio %.2fx the audit), %.0f MB\n",
    rows, n, c, a, am / 1024, d, r, dm / 1024 }'
