#!/usr/bin/env bash
# The history at scale, against the plain audit and a csv-crate count of the same file in
# the same run (medians of RUNS runs, default 3, with peak memory):
#  1. `history add` of one ROWS-row gen_opps export into a fresh store (target: 3x the audit);
#  2. `audit --history` of week 12 over 11 stored SERIES-row weekly snapshots (each the one
#     before edited by bench/edit_snapshot.py), against the plain audit of week 12
#     (target: 2x); and the store's size per stored deal.
#
# Usage: bench/history.sh [ROWS] [SERIES]    (defaults 1000000 and 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
series=${2:-100000}
runs=${RUNS:-3}
cargo build --release --quiet --bin pipelint --example csv_count
mkdir -p bench/out
big=bench/out/opps_${rows}.csv
[ -f "$big" ] || python3 ../shared/bench/gen_opps.py --rows "$rows" --seed 42 > "$big"
week() { echo "bench/out/series_${series}_w$1.csv"; }
[ -f "$(week 1)" ] || python3 ../shared/bench/gen_opps.py --rows "$series" --seed 11 > "$(week 1)"
for w in $(seq 2 12); do
  [ -f "$(week "$w")" ] || python3 bench/edit_snapshot.py "$(week $((w - 1)))" "$(week "$w")" --seed "$w" --share 0.1 >/dev/null
done
day() { date -d "2026-09-04 + $((7 * ($1 - 1))) days" +%F; }

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
  /usr/bin/time -f '%e %M' -o bench/out/.time "$@" >/dev/null 2>bench/out/.stderr || true
  tail -n 1 bench/out/.time
}

c=(); a=(); am=(); h=(); hm=()
for _ in $(seq "$runs"); do
  rm -f bench/out/add.sqlite*
  read -r t _ < <(measure ./target/release/examples/csv_count "$big"); c+=("$t")
  read -r t m < <(measure ./target/release/pipelint audit "$big" --as-of 2026-11-20 -o /dev/null); a+=("$t"); am+=("$m")
  read -r t m < <(measure ./target/release/pipelint history add "$big" --as-of 2026-11-20 --db bench/out/add.sqlite -q); h+=("$t"); hm+=("$m")
done
size=$(stat -c %s bench/out/add.sqlite)
awk -v c="$(median "${c[@]}")" -v a="$(median "${a[@]}")" -v am="$(median "${am[@]}")" \
    -v h="$(median "${h[@]}")" -v hm="$(median "${hm[@]}")" -v rows="$rows" -v size="$size" 'BEGIN {
  printf "rows %d: csv count %.2f s; audit %.2f s (%.2fx count), %.0f MB; history add %.2f s (%.2fx the audit), %.0f MB; store %.0f MB, %.0f bytes per deal\n",
    rows, c, a, a / c, am / 1024, h, h / a, hm / 1024, size / 1048576, size / rows }'

rm -f bench/out/series.sqlite*
for w in $(seq 1 11); do
  ./target/release/pipelint history add "$(week "$w")" --as-of "$(day "$w")" --db bench/out/series.sqlite -q
done
last=$(week 12)
c=(); a=(); am=(); h=(); hm=()
for _ in $(seq "$runs"); do
  read -r t _ < <(measure ./target/release/examples/csv_count "$last"); c+=("$t")
  read -r t m < <(measure ./target/release/pipelint audit "$last" --as-of "$(day 12)" -o /dev/null); a+=("$t"); am+=("$m")
  read -r t m < <(measure ./target/release/pipelint audit "$last" --as-of "$(day 12)" --history bench/out/series.sqlite -o /dev/null); h+=("$t"); hm+=("$m")
done
size=$(stat -c %s bench/out/series.sqlite)
awk -v c="$(median "${c[@]}")" -v a="$(median "${a[@]}")" -v am="$(median "${am[@]}")" \
    -v h="$(median "${h[@]}")" -v hm="$(median "${hm[@]}")" -v rows="$series" -v size="$size" 'BEGIN {
  printf "week 12 of %d rows over 11 stored snapshots: csv count %.2f s; audit %.2f s, %.0f MB; audit --history %.2f s (%.2fx the audit), %.0f MB; store %.0f MB, %.0f bytes per stored deal\n",
    rows, c, a, am / 1024, h, h / a, hm / 1024, size / 1048576, size / (11 * rows) }'
echo "(median of $runs runs)"
