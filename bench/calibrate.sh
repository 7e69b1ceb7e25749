#!/usr/bin/env bash
# `pipelint history calibrate` against a stated truth: bench/gen_history.py writes WEEKS
# weekly snapshots of DEALS rows whose losses follow a logistic model of pipelint's graded
# risk signals (stated in that file and in bench/README.md); each is stored with `history
# add` into a fresh store; `history calibrate -f json` (median wall time of RUNS runs,
# default 3, and peak memory) fits the weights on the earlier 70% of the closed deals and
# reports the AUC and Brier score of the default and the calibrated weights on the rest;
# bench/calib_truth.py gives the generating model's own AUC on the same test deals, the
# AUC to compare the fitted weights with.
#
# Usage: bench/calibrate.sh [WEEKS] [DEALS]     (defaults 26 and 20000; seed SEED, default 7)
#        RUNS=5 bench/calibrate.sh
#        BUILD=0 bench/calibrate.sh              (use target/release/pipelint as it is)
#        PIPELINT=/path/to/pipelint bench/calibrate.sh   (another binary; no build)
# Outputs in bench/out/calib/ (bench/out/calib_WEEKS_DEALS_SEED/ for other sizes or seeds):
# the weeks and truth.csv (generated once), history.sqlite, calibration.json.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
  echo "bench/calibrate.sh needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2
  exit 2
fi
weeks=${1:-26}
deals=${2:-20000}
seed=${SEED:-7}
runs=${RUNS:-3}
rules=bench/calibrate_rules.toml
pl=${PIPELINT:-./target/release/pipelint}
[ "${BUILD:-1}" = 0 ] || [ -n "${PIPELINT:-}" ] || cargo build --release --quiet --bin pipelint
mkdir -p bench/out
dir=bench/out/calib
[ "$weeks/$deals/$seed" = 26/20000/7 ] || dir=bench/out/calib_${weeks}_${deals}_${seed}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# measure CMD...: one run, its stdout to $dir/.out; sets t (wall seconds) and m (peak RSS, KB).
# A failing command stops the benchmark with its error.
measure() {
  /usr/bin/time -f '%e %M' -o "$dir/.time" "$@" >"$dir/.out" 2>"$dir/.stderr" || {
    echo "bench/calibrate.sh: failed: $*" >&2; cat "$dir/.stderr" >&2; exit 1; }
  read -r t m < <(tail -n 1 "$dir/.time")
}

# 1. The series, once (it is deterministic for its seed).
if [ ! -f "$dir/truth.csv" ]; then
  start=$(date +%s.%N)
  python3 bench/gen_history.py --weeks "$weeks" --deals "$deals" --seed "$seed" --out "$dir"
  echo "generated in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
fi
files=("$dir"/week*_*.csv)
[ ${#files[@]} -eq "$weeks" ] || { echo "expected $weeks weeks in $dir, found ${#files[@]}" >&2; exit 1; }

# 2. The history: every week into a fresh store, in order.
db=$dir/history.sqlite
rm -f "$db" "$db-wal" "$db-shm"
add_s=0; add_m=0
for f in "${files[@]}"; do
  day=$(basename "$f" .csv); day=${day#*_}
  measure "$pl" history add "$f" -r "$rules" --as-of "$day" --db "$db" -q
  add_s=$(awk -v a="$add_s" -v t="$t" 'BEGIN { print a + t }')
  [ "$m" -le "$add_m" ] || add_m=$m
done
echo "history add of $weeks weeks: $add_s s in all, peak RSS $((add_m / 1024)) MB"

# 3. The calibration, RUNS times.
ts=(); ms=()
for _ in $(seq "$runs"); do
  measure "$pl" history calibrate --db "$db" -f json
  ts+=("$t"); ms+=("$m")
done
cp "$dir/.out" "$dir/calibration.json"
python3 bench/calib_truth.py "$dir/truth.csv" --json > "$dir/truth_auc.json"

python3 - "$dir/calibration.json" "$dir/truth_auc.json" "$(median "${ts[@]}")" "$(median "${ms[@]}")" \
    "$add_s" "$add_m" "$weeks" "$deals" "$seed" "$runs" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2]))
cal_s, cal_kb, add_s, add_kb = (float(x) for x in sys.argv[3:7])
weeks, deals, seed, runs = sys.argv[7:11]
if c.get("schema") not in (None, "pipelint.calibration/1"):
    print(f"note: unexpected schema {c.get('schema')!r}")
f4 = lambda x: "n/a" if x is None else f"{x:.4f}"
def agree(ours, truth):
    return "" if ours == truth else f"  (calib_truth.py: {truth})"
print(f"series: {weeks} weekly snapshots of {deals} rows, seed {seed}")
print(f"closed deals          {c['closed_deals']}{agree(c['closed_deals'], t['closed_deals'])}")
for side in ("train", "test"):
    s = c[side]
    print(f"{side:5} deals / lost    {s['deals']} / {s['lost']} ({100 * s['lost'] / max(s['deals'], 1):.1f}% lost)"
          f"{agree((s['deals'], s['lost']), (t[side]['deals'], t[side]['lost']))}")
print(f"AUC default           {f4(c['default']['auc'])}")
print(f"AUC calibrated        {f4(c['calibrated']['auc'])}")
print(f"AUC generating model  {f4(t['auc_test'])}   (the true p_lost on the same test deals)")
print(f"Brier default         {f4(c['default']['brier'])}")
print(f"Brier calibrated      {f4(c['calibrated']['brier'])}")
print("calibrated weights    " + ", ".join(f"{k} {v}" for k, v in c["weights"].items()))
print(f"calibrated bands      high {c['bands']['high']}, medium {c['bands']['medium']}")
print(f"history add, {weeks} weeks  {add_s:.2f} s in all, peak RSS {add_kb / 1024:.0f} MB")
print(f"history calibrate     {cal_s:.2f} s (median of {runs}), peak RSS {cal_kb / 1024:.0f} MB")
EOF
echo "(calibration JSON: $dir/calibration.json; machine: $(nproc) cores, $(uname -m))"
