#!/usr/bin/env bash
# Peak memory of audit, profile and init --from on hostile inputs (README, "Bounded
# resources"): the 1M-row gen_opps file as the baseline, a 1 GiB cell, 1M rows of garbage
# cells, a 300 MiB header. Needs GNU time at /usr/bin/time, python3 and ~1.8 GB in $DIR.
#
# Usage: bench/bounds.sh [BINARY]   (default target/release/pipelint, built first)
#   DIR=/tmp/pipelint-bounds   where the inputs are written (deleted at the end unless KEEP=1)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/pipelint
fi
dir=${DIR:-/tmp/pipelint-bounds}
mkdir -p "$dir"
[ -f "$dir/opps.csv" ] || python3 ../shared/bench/gen_opps.py --rows 1000000 --seed 42 > "$dir/opps.csv"
for kind in cell garbage header; do
  [ -f "$dir/$kind.csv" ] || python3 bench/gen_hostile.py $kind "$dir/opps.csv" > "$dir/$kind.csv"
done
peak() {
  /usr/bin/time -f '%M %e' "$@" > /dev/null 2> "$dir/time.txt" || true
  tail -1 "$dir/time.txt" | awk '{printf "%6.0f MB  %5.2f s", $1 / 1024, $2}'
}
for kind in opps cell garbage header; do
  f="$dir/$kind.csv"
  echo "$kind ($(stat -L -c %s "$f") bytes)"
  echo "  audit                      $(peak "$bin" audit "$f" --as-of 2026-11-20)"
  [ $kind = garbage ] && echo "  audit --preset salesforce  $(peak "$bin" audit "$f" --as-of 2026-11-20 --preset salesforce)"
  echo "  profile                    $(peak "$bin" profile "$f")"
  echo "  init --from                $(peak "$bin" init --from "$f")"
done
[ "${KEEP:-0}" = 1 ] || rm -f "$dir"/{opps,cell,garbage,header}.csv
