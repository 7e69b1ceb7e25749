#!/usr/bin/env bash
# `pipelint sql`'s findings and --summary queries on DuckDB against `pipelint audit` of the same gen_opps export
# (1M rows by default), in the same run, and whether the query finds what the audit does;
# then the findings query on Spark (PySpark in local mode, informational) when pyspark is
# installed (SPARK=0 skips it). Needs the duckdb Python package (pip install duckdb).
#
# Usage: bench/sql.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${RUNS:-3}
cargo build --release --quiet --bin pipelint
mkdir -p bench/out
csv=bench/out/opps_${rows}.csv
[ -f "$csv" ] || python3 ../shared/bench/gen_opps.py --rows "$rows" --seed 42 > "$csv"
./target/release/pipelint sql --preset auto --like "$csv" --dialect duckdb --as-of 2026-11-20 --line-column pl_order > bench/out/findings.sql
./target/release/pipelint sql --summary --preset auto --like "$csv" --dialect duckdb --as-of 2026-11-20 --line-column pl_order > bench/out/summary.sql
./target/release/pipelint audit "$csv" --as-of 2026-11-20 -f json -o bench/out/audit.json -q || true
a=()
for _ in $(seq "$runs"); do
  /usr/bin/time -f '%e' -o bench/out/.time ./target/release/pipelint audit "$csv" --as-of 2026-11-20 -o /dev/null || true
  a+=("$(tail -n 1 bench/out/.time)")
done
printf 'rows %d: pipelint audit %s s (median of %d)\n' "$rows" "$(printf '%s\n' "${a[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" "$runs"
python3 bench/sql_duckdb.py "$csv" bench/out/findings.sql bench/out/audit.json "$runs" bench/out/summary.sql
if [ "${SPARK:-1}" = 1 ] && python3 -c "import pyspark" 2>/dev/null; then
  ./target/release/pipelint sql --preset auto --like "$csv" --dialect spark --as-of 2026-11-20 --line-column pl_order > bench/out/findings_spark.sql
  python3 bench/sql_spark.py "$csv" bench/out/findings_spark.sql bench/out/audit.json "$runs" 2> bench/out/spark.log
fi
