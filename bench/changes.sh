#!/usr/bin/env bash
# The week-over-week audit at scale: `audit NEW --previous OLD` on two snapshots of the
# gen_opps file (NEW made by bench/edit_snapshot.py: 10% of open deals pushed, cut, raised,
# won, lost or removed, 2.5% new), against the plain audit of NEW and a csv-crate count of
# NEW, timed back to back in the same run; medians of RUNS runs, with peak memory.
#
# Usage: bench/changes.sh [ROWS]    (default 1000000; RUNS=5 for five runs, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${RUNS:-3}
cargo build --release --quiet --bin pipelint --example csv_count
mkdir -p bench/out
old=bench/out/opps_${rows}.csv
new=bench/out/opps_${rows}_next.csv
[ -f "$old" ] || python3 ../shared/bench/gen_opps.py --rows "$rows" --seed 42 > "$old"
[ -f "$new" ] || python3 bench/edit_snapshot.py "$old" "$new" --seed 7 --share 0.1 --log bench/out/edit_${rows}.json
cat "$old" "$new" > /dev/null

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
  /usr/bin/time -f '%e %M' -o bench/out/.time "$@" >/dev/null 2>bench/out/.stderr || true
  tail -n 1 bench/out/.time
}
c=(); a=(); am=(); p=(); pm=()
for _ in $(seq "$runs"); do
  read -r t _ < <(measure ./target/release/examples/csv_count "$new"); c+=("$t")
  read -r t m < <(measure ./target/release/pipelint audit "$new" --as-of 2026-11-20 -o /dev/null); a+=("$t"); am+=("$m")
  read -r t m < <(measure ./target/release/pipelint audit "$new" --previous "$old" --as-of 2026-11-20 -o /dev/null); p+=("$t"); pm+=("$m")
done
awk -v c="$(median "${c[@]}")" -v a="$(median "${a[@]}")" -v am="$(median "${am[@]}")" \
    -v p="$(median "${p[@]}")" -v pm="$(median "${pm[@]}")" -v rows="$rows" 'BEGIN {
  printf "rows %d: csv count %.2f s; audit %.2f s (%.2fx count), %.0f MB; audit --previous %.2f s (%.2fx the audit, %.2fx count), %.0f MB (%.2fx)\n",
    rows, c, a, a / c, am / 1024, p, p / a, p / c, pm / 1024, pm / am }'
echo "(median of $runs runs; the edits: $(cat bench/out/edit_${rows}.json | tr -d '\n '))"
