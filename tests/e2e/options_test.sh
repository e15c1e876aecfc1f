#!/bin/sh
# SPDX-License-Identifier: MIT
# Runtime options and report policy, end to end, as a user sets them:
#   options_test.sh SHIM CASES DEFAULT_OPTS
# SHIM is libdmasan.so, CASES the dmadebug_cases program, DEFAULT_OPTS the
# program that defines dmasan_default_options(). Prints one line per check.
set -u
shim=$1; cases=$2; dflt=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-opts.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
pass=0; fail=0

ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -f "$work/err" ] && head -c 3000 "$work/err"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# run OPTIONS PROGRAM ARGS...: stdout to $work/out, stderr to $work/err, status in $rc
run() {
	o=$1; shift
	DMASAN_OPTIONS=$o LD_PRELOAD=$shim "$@" >"$work/out" 2>"$work/err"
	rc=$?
}

run "" "$cases" double-unmap
check "a finding sets exit status 23 by default" '[ $rc -eq 23 ]'
check "text report has the ASan-style headline" 'grep -q "^==[0-9]*==ERROR: dmasan: double-unmap on device testdev0" "$work/err"'
check "text report ends in a SUMMARY line naming file:line and function" 'grep -Eq "^SUMMARY: dmasan: double-unmap .*dmadebug_cases.c:[0-9]+ in bug_double_unmap$" "$work/err"'
check "text report names where the mapping was made" 'grep -q "^mapped at (thread T" "$work/err" && grep -q "^unmapped at (thread T" "$work/err"'
check "summary lists the id and the device" 'grep -q "==  double-unmap: 1" "$work/err" && grep -q "==device testdev0:" "$work/err"'

run "exitcode=0" "$cases" double-unmap
check "exitcode=0 keeps the program's status" '[ $rc -eq 0 ] && grep -q "ERROR: dmasan: double-unmap" "$work/err"'
run "exitcode=42" "$cases" double-unmap
check "exitcode=42 is used" '[ $rc -eq 42 ]'
run "" "$cases" ok-rx
check "a correct program keeps status 0 and prints no ERROR" '[ $rc -eq 0 ] && ! grep -q "ERROR" "$work/err"'

run "log_path=$work/log" "$cases" double-unmap
check "log_path writes <prefix>.<pid> and not stderr" '[ $rc -eq 23 ] && ls "$work"/log.* >/dev/null 2>&1 && grep -q "ERROR: dmasan: double-unmap" "$work"/log.* && ! grep -q "ERROR: dmasan" "$work/err"'
rm -f "$work"/log.*
run "log_path=stdout" "$cases" print-and-double-unmap
check "log_path=stdout reports on stdout after the program's own output" 'grep -q "ERROR: dmasan: double-unmap" "$work/out" && grep -q "program output" "$work/out"'

run "format=json" "$cases" double-unmap
check "format=json writes one finding object and one summary object" '[ $(grep -c "\"schema\":\"dmasan.finding/1\"" "$work/err") -eq 1 ] && [ $(grep -c "\"schema\":\"dmasan.summary/1\"" "$work/err") -eq 1 ]'

run "halt_on_error=1" "$cases" two-unknown-unmaps
check "halt_on_error=1 stops after the first finding with exitcode" '[ $rc -eq 23 ] && [ $(grep -c "ERROR: dmasan" "$work/err") -eq 1 ]'
run "halt_on_error=1:abort_on_error=1" "$cases" two-unknown-unmaps
check "abort_on_error=1 aborts (SIGABRT)" '[ $rc -eq 134 ]'
run "max_reports=1" "$cases" two-unknown-unmaps
check "max_reports=1 prints one but counts both" '[ $(grep -c "ERROR: dmasan" "$work/err") -eq 1 ] && grep -q "2 findings" "$work/err"'
run "driver_filter=otherdrv" "$cases" double-unmap
check "driver_filter hides other devices' findings but still fails" '[ $rc -eq 23 ] && ! grep -q "ERROR: dmasan" "$work/err"'
run "driver_filter=testdev" "$cases" double-unmap
check "driver_filter matching the device prints" 'grep -q "ERROR: dmasan: double-unmap" "$work/err"'
run "print_summary=0" "$cases" double-unmap
check "print_summary=0 drops the summary" '! grep -q "==device testdev0" "$work/err"'
run "symbolize=0" "$cases" double-unmap
check "symbolize=0 prints module+offset frames" 'grep -Eq "#0 0x[0-9a-f]+ \(.*dmadebug_cases\+0x[0-9a-f]+\)" "$work/err" && ! grep -q "in bug_double_unmap" "$work/err"'

printf '# our own test double-unmaps on purpose\ndouble-unmap:bug_double_unmap\n' >"$work/supp"
run "suppressions=$work/supp" "$cases" double-unmap
check "a matching suppression silences the finding and keeps status 0" '[ $rc -eq 0 ] && ! grep -q "ERROR: dmasan" "$work/err"'
check "used suppressions are listed with counts" 'grep -q "Suppressions used:" "$work/err" && grep -Eq "^ +1 +double-unmap:bug_double_unmap" "$work/err"'
printf 'double-unmap:some_other_function\n' >"$work/supp2"
run "suppressions=$work/supp2" "$cases" double-unmap
check "a non-matching suppression does not hide the finding" '[ $rc -eq 23 ]'
printf 'no-such-id:x\n' >"$work/supp3"
run "suppressions=$work/supp3" "$cases" double-unmap
check "a bad suppression file is one clear line and the run goes on" 'grep -q "supp3:1:" "$work/err" && [ $rc -eq 23 ]'
run "suppressions=$work/missing" "$cases" ok-rx
check "a missing suppression file is reported" 'grep -q "missing" "$work/err" && [ $rc -eq 0 ]'

run "exitcode=abc" "$cases" double-unmap
check "a malformed value is one clear line and defaults stay" '[ $(grep -c "malformed option" "$work/err") -eq 1 ] && [ $rc -eq 23 ]'
run "no_such_option=1" "$cases" ok-rx
check "an unknown option warns and the run goes on" 'grep -q "unknown option .no_such_option." "$work/err" && [ $rc -eq 0 ]'
run "help=1" /bin/true
check "help=1 lists options even in a program that never calls the API" 'grep -q "exitcode=23" "$work/err" && grep -q "log_path=" "$work/err"'
run "" /bin/true
check "a process that never calls the API writes nothing" '[ ! -s "$work/err" ] && [ $rc -eq 0 ]'
run "verbosity=1" "$cases" ok-rx
check "verbosity=1 prints start-up facts" 'grep -q "dmasan: initialised" "$work/err"'

run "" "$cases" ok-bounce-copies
check "the summary shows swiotlb slots, use, high-water and bounce maps" 'grep -Eq "==swiotlb: 32768 slots of 2048 bytes, 0 in use, high-water 1, 1 bounce maps, 0 failed" "$work/err"'
check "the summary shows bytes bounced per direction" 'grep -Eq "bounced [0-9]+ bytes to the device and [0-9]+ to the CPU" "$work/err"'
run "format=json" "$cases" ok-bounce-copies
check "the JSON summary carries the swiotlb statistics" 'grep -q "\"swiotlb\":{\"slots\":32768,\"slot_size\":2048,\"used\":0,\"high_water\":1,\"maps\":1,\"failed\":0}" "$work/err"'

run "" "$dflt"
check "dmasan_default_options() of the program applies" '[ $rc -eq 31 ] && ! grep -q "==device" "$work/err"'
run "exitcode=32" "$dflt"
check "DMASAN_OPTIONS wins over dmasan_default_options()" '[ $rc -eq 32 ]'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
