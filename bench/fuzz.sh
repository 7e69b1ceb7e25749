#!/usr/bin/env bash
# Mutation fuzzing of the release binary, by hand, for as long as you like (CI runs the
# bounded property tests instead: tests/properties.rs and the modules' proptests).
#
# Usage: bench/fuzz.sh [SECONDS] [SEED]    e.g. bench/fuzz.sh 600 7
#   OUT=/tmp/pipelint-fuzz   where failing mutants are kept (OUT/failures/NNNNNN.csv + .txt)
#   MEM_MIB=4096             address-space limit of each run (ulimit -v)
#   TIMEOUT=30               seconds a run may take
#   CORPUS="fixtures ../shared/realworld"   the exports mutated
# Exits 1 when any mutant failed: an exit code other than 0/1/2, a panic, a timeout, or a
# peak RSS over 3x the input plus 200 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
seed=${2:-1}
cargo build --release --quiet
# shellcheck disable=SC2086
exec python3 bench/fuzz.py --bin target/release/pipelint --seconds "$seconds" --seed "$seed" \
  --out "${OUT:-/tmp/pipelint-fuzz}" --mem-mib "${MEM_MIB:-4096}" --timeout "${TIMEOUT:-30}" \
  ${CORPUS:-fixtures ../shared/realworld}
