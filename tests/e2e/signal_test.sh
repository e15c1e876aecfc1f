#!/bin/sh
# SPDX-License-Identifier: MIT
# Findings made in signal handlers, end to end (tests/e2e/signal.cmake).
#   signal_test.sh SHIM PROGRAM CASE
# PROGRAM is tests/e2e/progs/signal_report.c. CASE heap: PROGRAM heap under
# the shim (format=json), then its own check of the log without the shim
# (SIGNAL_TEST_FINDINGS findings, default 2000); symbolized: PROGRAM
# symbolized under the shim, in text and in JSON, its three records checked
# here; api: PROGRAM api under the shim. The preload order is
# tests/helpers/preload.sh's.
set -u
shim=$1
prog=$2
case=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-signal.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/../helpers/preload.sh"
preload=$(shim_preload "$shim")
status=0

fail() {
	echo "signal_test: FAIL: $*"
	status=1
}

# under OPTIONS PROGRAM ARGS...: run under the shim.
under() {
	opts=$1
	shift
	DMASAN_OPTIONS="$opts" LD_PRELOAD="$preload" "$@"
}

# record FILE N: the Nth record of a text log (each starts with the rule line).
record() {
	awk -v n="$2" '/^==========================================/ { k++ } k == n' "$1"
}

# has TEXT PATTERN: grep -E, quietly.
has() {
	printf '%s\n' "$1" | grep -Eq "$2"
}

case $case in
heap)
	n=${SIGNAL_TEST_FINDINGS:-2000}
	under "format=json:log_path=$dir/log:exitcode=0" "$prog" heap "$dir" "$n" ||
		fail "the run under the shim failed (status $?)"
	LD_PRELOAD="" "$prog" check-heap "$dir" "$n" || fail "the log check failed"
	;;
symbolized)
	under "format=text:log_path=$dir/text:exitcode=0" "$prog" symbolized ||
		fail "the text run failed (status $?)"
	log=$(ls "$dir"/text.* 2>/dev/null | head -n 1)
	if [ -z "$log" ]; then
		fail "no text log"
	else
		note='^Note: made in a signal handler, where symbolizing is not async-signal-safe'
		r1=$(record "$log" 1)
		r2=$(record "$log" 2)
		r3=$(record "$log" 3)
		has "$r1" '^    #0 0x[0-9a-f]+ in normal_site [^ ]*signal_report\.c:[0-9]+$' &&
			! has "$r1" "$note" || fail "the main thread's finding is not symbolized"
		has "$r2" "$note" &&
			has "$r2" '^    #0 0x[0-9a-f]+ \(/[^ ]*signal_report\+0x[0-9a-f]+\)$' &&
			! has "$r2" 'handler_site' ||
			fail "the handler's finding is not unsymbolized module+offset with the note"
		has "$r3" '^    #0 0x[0-9a-f]+ in after_jump_site [^ ]*signal_report\.c:[0-9]+$' &&
			! has "$r3" "$note" ||
			fail "the finding after a handler left with siglongjmp() is not symbolized"
		[ -n "$r1" ] && [ -n "$r2" ] && [ -n "$r3" ] || { fail "three records expected"; cat "$log"; }
	fi
	under "format=json:log_path=$dir/json:exitcode=0" "$prog" symbolized ||
		fail "the JSON run failed (status $?)"
	log=$(ls "$dir"/json.* 2>/dev/null | head -n 1)
	if [ -z "$log" ]; then
		fail "no JSON log"
	else
		r1=$(sed -n 1p "$log")
		r2=$(sed -n 2p "$log")
		r3=$(sed -n 3p "$log")
		has "$r1" '"stack":\[\{"pc":"0x[0-9a-f]+","function":"normal_site","file":"[^"]*signal_report\.c","line":[0-9]+,' &&
			! has "$r1" '"unsymbolized"' || fail "JSON: the main thread's finding is not symbolized"
		has "$r2" '"stack":\[\{"pc":"0x[0-9a-f]+","function":null,"file":null,"line":null,"module":"/[^"]*signal_report","module_offset":"0x[0-9a-f]+"\}' &&
			has "$r2" ',"unsymbolized":"signal-handler",' && ! has "$r2" 'handler_site' ||
			fail "JSON: the handler's finding is not unsymbolized with \"unsymbolized\":\"signal-handler\""
		has "$r3" '"function":"after_jump_site"' && ! has "$r3" '"unsymbolized"' ||
			fail "JSON: the finding after siglongjmp() is not symbolized"
	fi
	;;
api)
	under "exitcode=0" "$prog" api || fail "sigaction()/signal() semantics under the shim (status $?)"
	;;
*)
	echo "signal_test: unknown case '$case'" >&2
	exit 2
	;;
esac
[ $status -eq 0 ] && echo "signal_test: $case: ok"
exit $status
