#!/usr/bin/env bash
# Every report format at scale: for each, bench/run.sh on the gen_opps file with the format
# written to a file (`--report FORMAT=PATH`, the table discarded with -q), so each line is the
# audit plus that report against a csv-crate count of the same file in the same run.
#
# Usage: bench/formats.sh [ROWS]            (default 1000000; RUNS as for run.sh)
#        FORMATS="json csv" bench/formats.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
formats=${FORMATS:-table json jsonl csv deals markdown html junit sarif github owners}
for f in $formats; do
  case "$f" in
    table) args="-o bench/out/report.table" ;;
    owners) rm -rf bench/out/owners; args="-q --report owners=bench/out/owners" ;;
    *) args="-q --report $f=bench/out/report.$f" ;;
  esac
  echo "== $f"
  KINDS=opps ARGS="$args" bench/run.sh "$rows" | sed -n '2p'
  [ "$f" = owners ] || ls -l "bench/out/report.$f" | awk '{printf "   report size: %.1f MB\n", $5/1e6}'
done
