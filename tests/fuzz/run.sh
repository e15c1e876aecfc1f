#!/bin/sh
# SPDX-License-Identifier: MIT
# Fuzz each harness for a while (make fuzz; .ci/run):
#   tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]
# BUILD_DIR is a tree configured with -DDMASAN_FUZZ=ON and built (target
# dmasan_fuzzers); HARNESS defaults to every fuzz_* program in it. Each
# harness runs for SECONDS with its seeds (tests/fuzz/corpus/<name>/, the
# regression inputs tests/fuzz/regress/<name>/ and generated seeds) and a
# working corpus kept in BUILD_DIR/fuzz/corpus/<name>/ (it grows from run
# to run). Crashing inputs land in BUILD_DIR/fuzz/artifacts/<name>/.
# FUZZ_ARGS adds libFuzzer flags (e.g. FUZZ_ARGS=-jobs=2). Prints one line
# per harness (executions, coverage, features, corpus, result); the exit
# status is non-zero when any harness found a crash, hang or leak.
set -u
build=$1
seconds=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
bin=$build/bin
out=$build/fuzz
mkdir -p "$out"

if [ $# -eq 0 ]; then
	for f in "$bin"/fuzz_*; do
		[ -x "$f" ] && set -- "$@" "${f##*/fuzz_}"
	done
fi
if [ $# -eq 0 ]; then
	echo "fuzz: no harnesses in $bin (configure with -DDMASAN_FUZZ=ON and build dmasan_fuzzers)" >&2
	exit 1
fi

status=0
for h in "$@"; do
	exe=$bin/fuzz_$h
	if [ ! -x "$exe" ]; then
		echo "fuzz: $h: $exe not built" >&2
		status=1
		continue
	fi
	mkdir -p "$out/corpus/$h" "$out/artifacts/$h"
	log=$out/$h.log
	set -- "$out/corpus/$h"
	for d in "$src/corpus/$h" "$src/regress/$h" "$build/tests/fuzz/seeds/$h"; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	start=$(date +%s)
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
	"$exe" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$h/" ${FUZZ_ARGS:-} "$@" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
	if [ $rc -eq 0 ]; then
		result=ok
	else
		why=$(grep -E '^SUMMARY|invariant broken|ERROR: libFuzzer' "$log" | head -n 1)
		result="FAILED (status $rc): $why"
		status=1
	fi
	printf 'fuzz: %-9s %4ss %9s execs  cov %-5s ft %-6s corpus %-10s %s\n' "$h" "$took" \
		"${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
	if [ $rc -ne 0 ]; then
		echo "fuzz: $h: log $log; inputs in $out/artifacts/$h/:"
		ls "$out/artifacts/$h/"
		grep -E -A 12 'invariant broken|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)' \
			"$log" | head -n 40
		grep -E -A 12 'runtime error' "$log" | head -n 20
	fi
done
exit $status
