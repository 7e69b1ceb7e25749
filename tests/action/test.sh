#!/usr/bin/env bash
# The GitHub Action's step (scripts/action/run.sh) run as a runner runs it: inputs in
# INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP and GITHUB_WORKSPACE
# set, the workspace as the working directory, annotations read from stdout.
#
#   bash tests/action/test.sh                         # the built binary, no install
#   PIPELINT_WHEEL=dist/pipelint-….whl bash tests/action/test.sh   # and pip installing the wheel
#
# PIPELINT_BIN: the pipelint put on PATH (default target/release/pipelint; build it first).
# Prints every failed assertion; exits 1 when any failed.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
script="$repo/scripts/action/run.sh"
fixture="$repo/fixtures/salesforce_q4_pipeline.csv"
as_of=2026-11-20

bin=${PIPELINT_BIN:-$repo/target/release/pipelint}
[[ $bin == /* ]] || bin="$PWD/$bin"
if [[ ! -x $bin ]]; then
	echo "test.sh: no pipelint at $bin: run cargo build --release, or set PIPELINT_BIN" >&2
	exit 2
fi
wheel=${PIPELINT_WHEEL:-}
if [[ -n $wheel ]]; then
	[[ $wheel == /* ]] || wheel="$PWD/$wheel"
	if [[ ! -f $wheel ]]; then
		echo "test.sh: PIPELINT_WHEEL=$wheel is not a file" >&2
		exit 2
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/workspace/fixtures"
ln -s "$bin" "$tmp/bin/pipelint"
ws="$tmp/workspace"
cp "$fixture" "$ws/fixtures/"
# No input may leak in from the environment this test runs in.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^INPUT_' || true)
unset GITHUB_OUTPUT GITHUB_STEP_SUMMARY GITHUB_PATH PIPELINT_ACTION_SKIP_INSTALL

failures=0
case_name=""
fail() {
	echo "FAIL [$case_name]: $*"
	failures=$((failures + 1))
}

# run_case NAME [VAR=VALUE]...: run the step in a fresh runner environment of its own; the
# case's files are $dir/{stdout,stderr,output,summary}, its exit code $rc.
run_case() {
	case_name=$1
	shift
	dir="$tmp/case-$case_name"
	mkdir -p "$dir/runner-temp"
	: >"$dir/output"
	: >"$dir/summary"
	: >"$dir/path"
	(
		cd "$ws" || exit 99
		env PATH="$tmp/bin:$PATH" \
			GITHUB_ACTIONS=true CI=true \
			GITHUB_WORKSPACE="$ws" \
			RUNNER_TEMP="$dir/runner-temp" \
			GITHUB_OUTPUT="$dir/output" \
			GITHUB_STEP_SUMMARY="$dir/summary" \
			GITHUB_PATH="$dir/path" \
			"$@" bash "$script" >"$dir/stdout" 2>"$dir/stderr"
	)
	rc=$?
}

# The value of step output KEY of the last case (key=value or the key<<DELIM form).
output() {
	python3 - "$dir/output" "$1" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
values, i = {}, 0
while i < len(lines):
    line = lines[i]
    if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
        key, delim = line.split("<<", 1)
        j = lines.index(delim, i + 1)
        values[key] = "\n".join(lines[i + 1 : j])
        i = j + 1
        continue
    if "=" in line:
        key, value = line.split("=", 1)
        values[key] = value
    i += 1
if sys.argv[2] not in values:
    sys.exit(f"no output {sys.argv[2]}")
print(values[sys.argv[2]])
PY
}

# A summary figure from the case's JSON report (its report-json output).
from_json() {
	python3 - "$(output report-json)" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
s = d["summary"]
print({
    "deals": lambda: s["records"],
    "findings": lambda: sum(s["findings"].values()),
    "completeness": lambda: s["completeness"],
    "high-risk": lambda: s["risk"]["high"],
    "inputs": lambda: len(d["inputs"]),
}[sys.argv[2]]())
PY
}

expect_rc() {
	[[ $rc == "$1" ]] || fail "exit code $rc, expected $1; stderr: $(tail -n 3 "$dir/stderr")"
}

expect_output() {
	local got
	got=$(output "$1" 2>&1)
	[[ $got == "$2" ]] || fail "output $1 is '$got', expected '$2'"
}

# Every output the action declares is written, whatever the exit code.
expect_all_outputs() {
	local key
	for key in exit-code deals findings completeness high-risk gate sarif-file report-json; do
		output "$key" >/dev/null 2>&1 || fail "output $key not written"
	done
}

expect_figures_from_json() {
	local key want
	[[ -s $(output report-json) ]] || {
		fail "report-json '$(output report-json)' is not a file"
		return
	}
	for key in deals findings completeness high-risk; do
		want=$(from_json "$key")
		[[ -n $want ]] || fail "the JSON report has no $key"
		expect_output "$key" "$want"
	done
}

expect_sarif() {
	local sarif
	sarif=$(output sarif-file)
	[[ -n $sarif && -s $sarif ]] || {
		fail "sarif-file '$sarif' is not a file"
		return
	}
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d.get("version") != "2.1.0")' "$sarif" ||
		fail "$sarif is not SARIF 2.1.0 JSON"
}

expect_annotations() {
	grep -Eq '^::(error|warning) ' "$dir/stdout" || fail "no ::error or ::warning annotation on stdout"
}

expect_error_annotation() {
	grep -q "^::error[^:]*::.*$1" "$dir/stdout" ||
		fail "no ::error:: line mentioning '$1' on stdout: $(head -c 300 "$dir/stdout")"
}

# The Markdown report's heading, as many times as expected in the job summary.
expect_summary_reports() {
	local n
	n=$(grep -c '^## pipelint audit' "$dir/summary")
	[[ $n == "$1" ]] || fail "the job summary holds $n Markdown reports, expected $1"
}

skip=(PIPELINT_ACTION_SKIP_INSTALL=1)
base=(INPUT_EXPORTS=fixtures/salesforce_q4_pipeline.csv "INPUT_AS_OF=$as_of")

# (a) A passing run: fail-on never.
run_case pass "${skip[@]}" "${base[@]}" INPUT_FAIL_ON=never
expect_rc 0
expect_all_outputs
expect_output exit-code 0
expect_output gate passed
expect_figures_from_json
expect_sarif
expect_summary_reports 1
expect_annotations
[[ ! -s $dir/path ]] || fail "GITHUB_PATH written without an install: $(cat "$dir/path")"
pass_deals=$(output deals)
[[ $pass_deals =~ ^[1-9][0-9]*$ ]] || fail "deals '$pass_deals' is not a positive count"

# (b) The fixture has errors: fail-on error (the default) fails the gate, outputs written.
run_case gate-fails "${skip[@]}" "${base[@]}"
expect_rc 1
expect_all_outputs
expect_output exit-code 1
expect_output gate failed
expect_output deals "$pass_deals"
expect_figures_from_json
expect_sarif
expect_summary_reports 1
grep -q '^::error ' "$dir/stdout" || fail "no ::error annotation for the fixture's errors"

# min-completeness above the fixture's completeness fails the gate even with fail-on never.
run_case min-completeness "${skip[@]}" "${base[@]}" INPUT_FAIL_ON=never INPUT_MIN_COMPLETENESS=99.5
expect_rc 1
expect_output gate failed

# (c) Bad inputs stop before the audit: exit 2, an ::error:: annotation, outputs written.
run_case bad-fail-on "${skip[@]}" "${base[@]}" INPUT_FAIL_ON=sometimes
expect_rc 2
expect_error_annotation "fail-on must be error, warning or never, not 'sometimes'"
expect_output exit-code 2
expect_output gate failed
expect_all_outputs
expect_summary_reports 0

run_case no-match "${skip[@]}" "INPUT_EXPORTS=fixtures/salesforce_q4_pipeline.csv nothing/*.csv" INPUT_AS_OF=$as_of
expect_rc 2
expect_error_annotation "no file matches 'nothing/\*.csv'"
expect_output exit-code 2

run_case bad-date "${skip[@]}" "${base[@]/INPUT_AS_OF=$as_of/INPUT_AS_OF=2026-02-30}"
expect_rc 2
expect_error_annotation "as-of must be a date"

run_case completeness-range "${skip[@]}" "${base[@]}" INPUT_MIN_COMPLETENESS=101
expect_rc 2
expect_error_annotation "min-completeness must be a number from 0 to 100"

run_case unclosed-quote "${skip[@]}" 'INPUT_EXPORTS="fixtures/salesforce_q4_pipeline.csv' INPUT_AS_OF=$as_of
expect_rc 2
expect_error_annotation "close the quote"

# pipelint's own refusal (exit 2) becomes an annotation too.
run_case bad-rules "${skip[@]}" "${base[@]}" INPUT_RULES=fixtures/salesforce_q4_pipeline.csv
expect_rc 2
expect_error_annotation "pipelint could not audit (exit 2)"
expect_output exit-code 2
expect_output report-json ""

# (d) summary false: the job summary stays empty; the rest is as before.
run_case no-summary "${skip[@]}" "${base[@]}" INPUT_FAIL_ON=never INPUT_SUMMARY=false
expect_rc 0
[[ ! -s $dir/summary ]] || fail "the job summary is not empty: $(head -c 200 "$dir/summary")"
expect_annotations

# sarif false: no SARIF report, an empty sarif-file output.
run_case no-sarif "${skip[@]}" "${base[@]}" INPUT_FAIL_ON=never INPUT_SARIF=false
expect_rc 0
expect_output sarif-file ""
find "$dir/runner-temp" -name '*.sarif' | grep -q . && fail "a SARIF report was written with sarif: false"

# (e) Names that a shell would run: spaces, $(...), `...`, ; and a leading dash. Quoted,
# globbed and named in the input text itself, nothing is run and the files are audited (the
# last one named twice, audited once).
odd="$ws/odd dir"
mkdir -p "$odd"
cp "$fixture" "$odd/q4 pipeline \$(touch pwned-dollar).csv"
cp "$fixture" "$odd/q4 \`touch pwned-backtick\`; touch pwned-semicolon.csv"
cp "$fixture" "$ws/-o pwned-dash.csv"
# shellcheck disable=SC2016 # the $( and ` are the point: literal text
exports='"odd dir/q4 pipeline $(touch pwned-dollar).csv"
odd?dir/*backtick*.csv
-o*.csv
./-o\ pwned-dash.csv'
run_case injection "${skip[@]}" "INPUT_EXPORTS=$exports" INPUT_AS_OF=$as_of INPUT_FAIL_ON=never
expect_rc 0
expect_output exit-code 0
inputs=$(from_json inputs 2>/dev/null)
[[ $inputs == 3 ]] || fail "the JSON report has '$inputs' inputs, expected 3"
expect_figures_from_json
# shellcheck disable=SC2016
grep -q 'file=odd dir/q4 pipeline $(touch pwned-dollar).csv' "$dir/stdout" ||
	fail "no annotation names the file with \$( in its name"
run_case injection-input "${skip[@]}" "INPUT_EXPORTS=\$(touch /tmp/pwned-$$) \`touch /tmp/pwned-$$\`" \
	"INPUT_RULES=\$(touch /tmp/pwned-$$)" INPUT_AS_OF=$as_of
expect_rc 2
run_case injection-rules "${skip[@]}" "${base[@]}" "INPUT_RULES=x; touch /tmp/pwned-$$"
expect_rc 2
expect_error_annotation "rules: no file 'x; touch /tmp/pwned-$$'"
run_case injection-version "${skip[@]}" "${base[@]}" "INPUT_VERSION=1; touch /tmp/pwned-$$"
expect_rc 2
expect_error_annotation "version must be latest or a pipelint version"
case_name=nothing-run
pwned=$(find "$tmp" -name "pwned*" ! -path "$odd/*" ! -name "-o pwned-dash.csv")
[[ ! -e /tmp/pwned-$$ ]] || pwned+=" /tmp/pwned-$$"
[[ -z $pwned ]] || fail "a command in a name was run: $pwned"
rm -f "/tmp/pwned-$$"

# The wheel, when given: installed with pip into a venv under RUNNER_TEMP, no skip, no
# pipelint on PATH but the venv's.
if [[ -n $wheel ]]; then
	rm -f "$tmp/bin/pipelint"
	run_case wheel "${base[@]}" "INPUT_WHEEL=$wheel" INPUT_FAIL_ON=never
	expect_rc 0
	expect_output exit-code 0
	expect_output gate passed
	expect_output deals "$pass_deals"
	expect_sarif
	expect_summary_reports 1
	expect_annotations
	venv_pipelint=$(find "$dir/runner-temp/pipelint-action-venv" -path '*/bin/pipelint' -o -path '*/Scripts/pipelint.exe' | head -n 1)
	[[ -n $venv_pipelint ]] || fail "no pipelint installed in the venv under RUNNER_TEMP"
	grep -q "using $dir/runner-temp/pipelint-action-venv" "$dir/stderr" ||
		fail "the run did not use the venv's pipelint: $(grep using "$dir/stderr")"
	grep -qx "$dir/runner-temp/pipelint-action-venv/\(bin\|Scripts\)" "$dir/path" ||
		fail "GITHUB_PATH does not hold the venv's bin: $(cat "$dir/path")"
	ln -s "$bin" "$tmp/bin/pipelint"
fi

if ((failures > 0)); then
	echo "tests/action/test.sh: $failures assertion(s) failed"
	exit 1
fi
echo "tests/action/test.sh: all passed${wheel:+ (with the wheel $wheel)}"
