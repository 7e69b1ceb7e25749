#!/usr/bin/env bash
# Record what a pipelint binary says about every fixture, real export and generated export,
# so that two builds (before and after a refactor) can be compared with
# scripts/compare_outputs.py.
#
# Usage: scripts/snapshot_outputs.sh BINARY OUTDIR
#   e.g. scripts/snapshot_outputs.sh /tmp/pipelint-before /tmp/out-before
#        scripts/snapshot_outputs.sh target/release/pipelint /tmp/out-after
#        python3 scripts/compare_outputs.py /tmp/out-before /tmp/out-after
#
# Each case writes NAME.json (the -f json report), NAME.table (the plain table), and
# NAME.exit (exit code and stderr). Generated inputs are written once to $GEN_DIR
# (default /tmp/pipelint-snapshot-gen), the same path for both runs so reports name it alike.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1")
out=$(realpath -m "$2")
mkdir -p "$out"
gen=${GEN_DIR:-/tmp/pipelint-snapshot-gen}
mkdir -p "$gen"
shared=../shared
as_of=2026-11-20

[ -f "$gen/opps_20k.csv" ] || python3 "$shared/bench/gen_opps.py" --rows 20000 --seed 42 --as-of $as_of > "$gen/opps_20k.csv"
if [ ! -f "$gen/export_20k.csv" ]; then
  cargo build --release --quiet --example gen_export
  ./target/release/examples/gen_export 20000 42 > "$gen/export_20k.csv"
fi

# THREADS=N runs every audit with --threads N (reports must not depend on it).
threads=()
[ -n "${THREADS:-}" ] && threads=(--threads "$THREADS")

# case NAME ARGS...: one audit in both formats.
case_() {
  local name=$1; shift
  case " $* " in *" --threads "*) ;; *) set -- "$@" "${threads[@]}" ;; esac
  set +e
  "$bin" audit "$@" --as-of $as_of -f json > "$out/$name.json" 2> "$out/$name.exit"
  echo "exit $?" >> "$out/$name.exit"
  "$bin" audit "$@" --as-of $as_of --color never > "$out/$name.table" 2>/dev/null
  set -e
}

case_ demo fixtures/salesforce_q4_pipeline.csv
# Each code's fixture (fixtures/checks/<CODE>/: export.csv, rules.toml, previous.csv for
# the change checks), and the clean and risk fixtures beside the shared rules.
for d in fixtures/checks/*/; do
  d=${d%/}
  code=$(basename "$d")
  args=("$d/export.csv")
  [ -e "$d/rules.toml" ] && args+=(-r "$d/rules.toml")
  [ -e "$d/previous.csv" ] && args+=(--previous "$d/previous.csv")
  case_ "code_$code" "${args[@]}"
done
case_ checks_clean fixtures/checks/clean.csv -r fixtures/checks/rules.toml
for f in fixtures/hygiene/*.csv; do
  case_ "hygiene_$(basename "$f" .csv)" "$f" -r fixtures/hygiene/rules.toml
done
case_ custom_renewals fixtures/custom/renewals.csv -r fixtures/custom/renewals.toml
for f in fixtures/real/*.csv fixtures/real/*.txt; do
  case_ "real_$(basename "$f")" "$f"
done
case_ real_us_rules fixtures/real/us_spreadsheet_values.csv -r fixtures/real/us_spreadsheet_values.toml
for f in "$shared"/realworld/*.csv; do
  b=$(basename "$f" .csv)
  case_ "realworld_$b" "$f"
  "$bin" init --from "$f" > "$out/init_$b.toml" 2>&1 || true
  if [ -s "$out/init_$b.toml" ]; then
    cp "$out/init_$b.toml" "$gen/init_$b.toml"
    case_ "realworld_drafted_$b" "$f" -r "$gen/init_$b.toml"
  fi
done
case_ gen_opps "$gen/opps_20k.csv"
case_ gen_opps_t1 "$gen/opps_20k.csv" --threads 1
case_ gen_export "$gen/export_20k.csv"
case_ two_files fixtures/salesforce_q4_pipeline.csv "$gen/export_20k.csv"
case_ select_req fixtures/salesforce_q4_pipeline.csv --select REQ,HYG00
case_ ignore_hyg fixtures/salesforce_q4_pipeline.csv --ignore HYG,DUP002
case_ gate_flags fixtures/salesforce_q4_pipeline.csv --fail-on warning --min-completeness 95 --max-high-risk 1

# Week over week and the history: three weeks of the generated export (each the one before
# edited, seeded), the first two stored, the third compared with them.
for w in 2 3; do
  [ -f "$gen/opps_20k_w$w.csv" ] || python3 bench/edit_snapshot.py "$gen/opps_20k$([ $w = 3 ] && echo _w2).csv" "$gen/opps_20k_w$w.csv" --seed $w --share 0.1 > /dev/null
done
case_ previous "$gen/opps_20k_w3.csv" --previous "$gen/opps_20k_w2.csv"
store="$gen/history.sqlite"
rm -f "$store" "$store-wal" "$store-shm"
"$bin" history add "$gen/opps_20k.csv" --as-of 2026-11-06 --db "$store" -q "${threads[@]}" > "$out/history_add.txt" 2>&1 || true
"$bin" history add "$gen/opps_20k_w2.csv" --as-of 2026-11-13 --db "$store" -q "${threads[@]}" >> "$out/history_add.txt" 2>&1 || true
case_ history "$gen/opps_20k_w3.csv" --history "$store"

# The other commands.
set +e
"$bin" rules list > "$out/rules_list.txt" 2>&1
for code in $("$bin" rules list | awk 'NR>1 {print $1}'); do
  "$bin" explain "$code" > "$out/explain_$code.txt" 2>&1
done
for p in salesforce hubspot pipedrive generic; do
  "$bin" init --preset $p > "$out/init_preset_$p.toml" 2>&1
done
for f in fixtures/real/*.csv "$shared"/realworld/*.csv fixtures/salesforce_q4_pipeline.csv; do
  "$bin" profile "$f" -f json > "$out/profile_$(basename "$f").json" 2>&1
done
for r in fixtures/checks/rules.toml fixtures/hygiene/rules.toml fixtures/custom/renewals.toml; do
  "$bin" rules check "$r" > "$out/rules_check_$(basename "$(dirname "$r")").txt" 2>&1
done
set -e
echo "wrote $(ls "$out" | wc -l) files to $out"
