#!/usr/bin/env bash
# The step behind the pipelint GitHub Action (action.yml): install pipelint, check the
# inputs, audit the exports, write the step outputs, exit with pipelint's exit code.
#
# Inputs come only from the environment (INPUT_EXPORTS, INPUT_RULES, INPUT_AS_OF,
# INPUT_FAIL_ON, INPUT_MIN_COMPLETENESS, INPUT_SARIF, INPUT_SUMMARY, INPUT_VERSION,
# INPUT_WHEEL), never from text pasted into a shell, and are used only as quoted words.
#
# Also read: RUNNER_TEMP (where the venv and the reports go; a temporary directory when
# unset), GITHUB_OUTPUT (the step outputs; skipped when unset), GITHUB_STEP_SUMMARY
# (pipelint appends the Markdown report to it itself; unset for the audit when summary is
# "false"), GITHUB_PATH (the venv's bin is added, so later steps find pipelint),
# PIPELINT_ACTION_SKIP_INSTALL=1 (use the pipelint already on PATH).
#
# Exit codes: pipelint's (0 passed, 1 the gate failed, 2 could not audit); 2 also for a bad
# input or a failed install. The outputs are written before exiting, whatever the code.
set -euo pipefail

log() { printf 'pipelint-action: %s\n' "$*" >&2; }

# Workflow command values: %, CR and LF escaped, so a message cannot end a command early
# or start another.
escape_data() {
	local s=$1
	s=${s//'%'/'%25'}
	s=${s//$'\r'/'%0D'}
	s=${s//$'\n'/'%0A'}
	printf '%s' "$s"
}

# An error annotation, on stdout where the runner reads workflow commands.
annotate_error() {
	printf '::error title=pipelint action::%s\n' "$(escape_data "$*")"
}

# One step output: key=value, or the delimited form when the value spans lines.
set_output() {
	local key=$1 value=$2
	[[ -n ${GITHUB_OUTPUT:-} ]] || return 0
	if [[ $value == *$'\n'* || $value == *$'\r'* ]]; then
		local delim
		delim="pipelint_$RANDOM$RANDOM$RANDOM"
		printf '%s<<%s\n%s\n%s\n' "$key" "$delim" "$value" "$delim" >>"$GITHUB_OUTPUT"
	else
		printf '%s=%s\n' "$key" "$value" >>"$GITHUB_OUTPUT"
	fi
}

OUT_WRITTEN=0
EXIT_CODE=2
REPORT_JSON=""
SARIF_FILE=""

# Every output, once: the figures from the JSON report when there is one, empty otherwise.
write_outputs() {
	[[ $OUT_WRITTEN == 0 ]] || return 0
	OUT_WRITTEN=1
	local deals="" findings="" completeness="" high_risk="" gate="failed" figures
	if [[ -n $REPORT_JSON && -s $REPORT_JSON ]] && figures=$(
		python3 - "$REPORT_JSON" <<'PY'
import json, sys

with open(sys.argv[1], encoding="utf-8") as f:
    s = json.load(f)["summary"]

def text(v):
    return "" if v is None else str(v)

counts = s.get("findings") or {}
print(text(s.get("records")))
print(sum(v for v in counts.values() if isinstance(v, int)))
print(text(s.get("completeness")))
print(text((s.get("risk") or {}).get("high")))
print("passed" if (s.get("gate") or {}).get("passed") else "failed")
PY
	); then
		{ read -r deals; read -r findings; read -r completeness; read -r high_risk; read -r gate; } <<<"$figures"
	fi
	# The exit code has the last word: a gate the report says passed cannot have exited 1.
	[[ $EXIT_CODE == 0 ]] || gate="failed"
	set_output exit-code "$EXIT_CODE"
	set_output deals "$deals"
	set_output findings "$findings"
	set_output completeness "$completeness"
	set_output high-risk "$high_risk"
	set_output gate "$gate"
	set_output sarif-file "$SARIF_FILE"
	set_output report-json "$REPORT_JSON"
}

# Stop before the audit: an annotation, the outputs, exit 2.
die() {
	annotate_error "$*"
	log "error: $*"
	EXIT_CODE=2
	write_outputs
	exit 2
}

# A crash of this script (set -e) still leaves the outputs behind.
trap 'write_outputs' EXIT

lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }

# --- inputs ---------------------------------------------------------------------------

exports_input=${INPUT_EXPORTS:-}
rules=${INPUT_RULES:-}
as_of=${INPUT_AS_OF:-}
fail_on=$(lower "${INPUT_FAIL_ON:-error}")
min_completeness=${INPUT_MIN_COMPLETENESS:-}
sarif=$(lower "${INPUT_SARIF:-true}")
summary=$(lower "${INPUT_SUMMARY:-true}")
version=${INPUT_VERSION:-latest}
wheel=${INPUT_WHEEL:-}

command -v python3 >/dev/null 2>&1 ||
	die "python3 is not on PATH: give the action a python-version, or use a runner with Python 3"

case $fail_on in
'') fail_on=error ;;
error | warning | never) ;;
*) die "fail-on must be error, warning or never, not '$fail_on'" ;;
esac

for flag in sarif summary; do
	case ${!flag} in
	true | false) ;;
	'') printf -v "$flag" '%s' true ;;
	*) die "$flag must be true or false, not '${!flag}'" ;;
	esac
done

if [[ -n $as_of ]]; then
	if ! [[ $as_of =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] ||
		! python3 -c 'import datetime, sys; datetime.date.fromisoformat(sys.argv[1])' "$as_of" 2>/dev/null; then
		die "as-of must be a date written YYYY-MM-DD (years 0001 to 9999), not '$as_of'"
	fi
fi

if [[ -n $min_completeness ]]; then
	if ! [[ $min_completeness =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
		! python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 100 else 1)' "$min_completeness"; then
		die "min-completeness must be a number from 0 to 100, not '$min_completeness'"
	fi
fi

if [[ -n $rules && ! -f $rules ]]; then
	die "rules: no file '$rules' (paths are relative to $PWD)"
fi

# A version is a PEP 440 version or specifier text: no spaces, no option for pip.
if [[ $version != latest && ! $version =~ ^[0-9A-Za-z][0-9A-Za-z.!+*_-]*$ ]]; then
	die "version must be latest or a pipelint version such as 0.1.0, not '$version'"
fi

if [[ -n $wheel && ! -f $wheel ]]; then
	die "wheel: no file '$wheel'"
fi

# The exports: words as a shell splits them (spaces and newlines separate them; "quotes" and
# backslashes keep a name with spaces whole), each word a path, or a glob (* ? [..], ** for
# any depth) expanded here. Nothing else is interpreted: no $, no `...`, no ~. A word that
# names no file is an error naming it. The list comes back NUL-separated.
[[ -n ${exports_input//[[:space:]]/} ]] || die "exports is empty: name one or more CSV exports (paths or globs)"
workdir=${RUNNER_TEMP:-}
if [[ -z $workdir || ! -d $workdir ]]; then
	workdir=$(mktemp -d)
fi
list=$(mktemp "$workdir/pipelint-exports.XXXXXX")
if ! problem=$(
	python3 - "$exports_input" "$list" <<'PY' 2>&1
import glob, os, shlex, sys

text, out = sys.argv[1], sys.argv[2]
try:
    words = shlex.split(text, comments=False, posix=True)
except ValueError as e:
    sys.exit(f"exports: cannot split {text!r} into paths ({e}): close the quote")
found = []
for word in words:
    if os.path.isfile(word):
        found.append(word)
        continue
    if glob.has_magic(word):
        matches = sorted(p for p in glob.glob(word, recursive=True) if os.path.isfile(p))
        if matches:
            found.extend(matches)
            continue
        sys.exit(f"exports: no file matches '{word}' (relative to {os.getcwd()})")
    if os.path.isdir(word):
        sys.exit(f"exports: '{word}' is a directory: name the files, or a glob such as {os.path.join(word, '*.csv')}")
    sys.exit(f"exports: no file '{word}' (relative to {os.getcwd()})")
# A file named twice (a path and a glob that matches it) is audited once, not as a duplicate.
seen = set()
with open(out, "wb") as f:
    for p in found:
        if os.path.realpath(p) not in seen:
            seen.add(os.path.realpath(p))
            f.write(os.fsencode(p) + b"\0")
PY
); then
	rm -f "$list"
	die "${problem:-exports could not be read}"
fi
exports=()
while IFS= read -r -d '' path; do
	exports+=("$path")
done <"$list"
rm -f "$list"

# --- pipelint -------------------------------------------------------------------------

if [[ ${PIPELINT_ACTION_SKIP_INSTALL:-} == 1 ]]; then
	pipelint=$(command -v pipelint) || die "PIPELINT_ACTION_SKIP_INSTALL=1 but no pipelint on PATH"
else
	venv="$workdir/pipelint-action-venv"
	if [[ -n $wheel ]]; then
		spec=$wheel
		# A name starting with - would be read as an option.
		[[ $spec != -* ]] || spec="./$spec"
	elif [[ $version == latest ]]; then
		spec=pipelint
	else
		spec="pipelint==$version"
	fi
	log "installing $spec into $venv"
	if [[ ! -d $venv ]]; then
		python3 -m venv "$venv" || die "could not create a Python virtual environment in $venv"
	fi
	bin="$venv/bin"
	[[ -d $bin ]] || bin="$venv/Scripts" # Windows
	"$bin/python" -m pip install --disable-pip-version-check --no-input --quiet --upgrade "$spec" >&2 ||
		die "pip could not install $spec"
	pipelint="$bin/pipelint"
	[[ -x $pipelint || -x $pipelint.exe ]] || die "$spec installed no pipelint program in $bin"
	# The job's later steps can run pipelint too (an HTML report, the owner lists, ...).
	[[ -z ${GITHUB_PATH:-} ]] || printf '%s\n' "$bin" >>"$GITHUB_PATH"
fi
log "using $pipelint ($("$pipelint" --version 2>/dev/null || echo 'version unknown'))"

# --- the audit ------------------------------------------------------------------------

out=$(mktemp -d "$workdir/pipelint-reports.XXXXXX")
REPORT_JSON="$out/pipelint.json"
args=(audit -f github --report "json=$REPORT_JSON")
if [[ $sarif == true ]]; then
	args+=(--report "sarif=$out/pipelint.sarif")
fi
[[ -z $rules ]] || args+=(-r "$rules")
[[ -z $as_of ]] || args+=(--as-of "$as_of")
args+=(--fail-on "$fail_on")
[[ -z $min_completeness ]] || args+=(--min-completeness "$min_completeness")
# -- : an export named like an option is still an export.
args+=(-- "${exports[@]}")

errors="$out/stderr.txt"
EXIT_CODE=0
# The annotations go to stdout (the runner reads workflow commands there); pipelint appends
# the Markdown report to GITHUB_STEP_SUMMARY itself, so it is never appended here.
if [[ $summary == true ]]; then
	"$pipelint" "${args[@]}" 2>"$errors" || EXIT_CODE=$?
else
	(
		unset GITHUB_STEP_SUMMARY
		exec "$pipelint" "${args[@]}"
	) 2>"$errors" || EXIT_CODE=$?
fi
cat "$errors" >&2

if [[ $sarif == true && -s "$out/pipelint.sarif" ]]; then
	SARIF_FILE="$out/pipelint.sarif"
fi
[[ -s $REPORT_JSON ]] || REPORT_JSON=""

case $EXIT_CODE in
0) log "the gate passed" ;;
1) log "the gate failed (fail-on $fail_on${min_completeness:+, min-completeness $min_completeness})" ;;
*)
	# pipelint says why on stderr only: bring its error lines to the run's annotations.
	why=$(grep '^error' "$errors" | head -n 5 || true)
	annotate_error "pipelint could not audit (exit $EXIT_CODE)${why:+: $why}"
	;;
esac

write_outputs
exit "$EXIT_CODE"
