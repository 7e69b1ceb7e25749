#!/usr/bin/env bash
# The wheel as a user gets it: build it with maturin, install it with plain pip into a
# fresh venv, and run it with no Rust toolchain on PATH: `pipelint --version`, then the
# README's audit, whose output and exit code must equal `cargo run --release`'s.
#
# Usage: scripts/wheel_test.sh [WHEEL]   (default: build one into target/wheels/)
# Prints the wheel's path on the last line (for tests/action/test.sh's PIPELINT_WHEEL).
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "wheel_test: $*" >&2; exit 1; }

wheel=${1:-}
if [ -z "$wheel" ]; then
  command -v maturin >/dev/null 2>&1 || fail "maturin is not installed (python3 -m pip install maturin)"
  rm -f target/wheels/pipelint-*.whl
  maturin build --release --quiet --out target/wheels >&2
  wheel=$(ls target/wheels/pipelint-*.whl | head -n 1)
fi
[ -f "$wheel" ] || fail "no wheel at $wheel"

venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel" >&2

# No cargo, no rustc, no ~/.cargo/bin: only the venv and the system's directories.
clean_path="$venv/bin:/usr/local/bin:/usr/bin:/bin"
if PATH="$clean_path" command -v cargo >/dev/null 2>&1; then
  clean_path="$venv/bin:/usr/bin:/bin"
fi
PATH="$clean_path" command -v cargo >/dev/null 2>&1 && fail "cargo is still on the clean PATH"
installed=$(PATH="$clean_path" command -v pipelint) || fail "pip put no pipelint on PATH"
[ "$installed" = "$venv/bin/pipelint" ] || fail "pipelint resolves to $installed, not the venv's"

version=$(PATH="$clean_path" pipelint --version)
expected="pipelint $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
[ "$version" = "$expected" ] || fail "--version says '$version', expected '$expected'"

# The README's first command, as the wheel runs it and as cargo runs it.
args=(audit fixtures/salesforce_q4_pipeline.csv --as-of 2026-11-20)
set +e
PATH="$clean_path" pipelint "${args[@]}" > "$venv/wheel.out" 2> "$venv/wheel.err"
wheel_rc=$?
cargo run --quiet --release -- "${args[@]}" > "$venv/cargo.out" 2> "$venv/cargo.err"
cargo_rc=$?
set -e
[ "$wheel_rc" = "$cargo_rc" ] || fail "exit code $wheel_rc from the wheel, $cargo_rc from cargo run"
cmp -s "$venv/wheel.out" "$venv/cargo.out" || {
  diff "$venv/cargo.out" "$venv/wheel.out" | head -20 >&2
  fail "the wheel's output differs from cargo run --release's"
}
cmp -s "$venv/wheel.err" "$venv/cargo.err" || fail "the wheel's stderr differs from cargo run --release's"
echo "wheel_test: $(basename "$wheel"): pipelint --version and the README audit (exit $wheel_rc, $(wc -l < "$venv/wheel.out") lines) equal cargo run --release's" >&2
echo "$wheel"
