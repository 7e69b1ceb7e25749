#!/usr/bin/env bash
# pipelint benchmark: audit time against a raw csv-crate record count of the same file, in
# the same run, plus peak memory. See bench/README.md.
#
# Usage: bench/run.sh [ROWS...]        (default: 1000000 2000000)
#        RUNS=5 bench/run.sh 1000000   (runs per measurement, median reported; default 3)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
  echo "bench/run.sh needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2
  exit 2
fi
runs=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 2000000)

cargo build --release --quiet --bin pipelint --example gen_export --example csv_count
mkdir -p bench/out

# median of a list of numbers
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure CMD...: prints "wall_seconds max_rss_kb" of one run
measure() {
  /usr/bin/time -f '%e %M' -o bench/out/.time "$@" >/dev/null 2>bench/out/.stderr || true
  tail -n 1 bench/out/.time
}

printf '%-10s %8s %10s %10s %7s %12s %10s %12s\n' rows MB count_s audit_s ratio rows/s MB/s peak_RSS_MB
for rows in "${sizes[@]}"; do
  file=bench/out/export_${rows}.csv
  if [ ! -f "$file" ]; then
    ./target/release/examples/gen_export "$rows" 42 > "$file"
  fi
  bytes=$(stat -c %s "$file")
  cat "$file" > /dev/null   # warm the page cache for both contenders alike
  count_t=(); audit_t=(); audit_m=()
  for _ in $(seq "$runs"); do
    read -r t _ < <(measure ./target/release/examples/csv_count "$file")
    count_t+=("$t")
    read -r t m < <(measure ./target/release/pipelint audit "$file" --as-of 2026-11-20)
    audit_t+=("$t"); audit_m+=("$m")
  done
  c=$(median "${count_t[@]}"); a=$(median "${audit_t[@]}"); m=$(median "${audit_m[@]}")
  awk -v rows="$rows" -v bytes="$bytes" -v c="$c" -v a="$a" -v m="$m" 'BEGIN {
    printf "%-10d %8.0f %10.2f %10.2f %6.2fx %12.0f %10.0f %12.0f\n",
      rows, bytes/1e6, c, a, a/c, rows/a, bytes/1e6/a, m/1024 }'
done
echo "(median of $runs runs each; machine: $(nproc) cores, $(uname -m))"
