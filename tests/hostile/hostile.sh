#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the hostile-input test under the shim (ctest e2e.hostile*).
#   hostile.sh json|text|known SHIM HOSTILE [HOSTILE ARGS...]
# json: format=json, a log file, exitcode=0; the run must exit 0 (normal
#       completion, every check of the program held), then the log is
#       checked without the shim (hostile --check).
# text: the default text report on stderr and the default exitcode; the
#       status must be exactly 23 (completed with findings) and stdout must
#       carry the completion line.
# known: hostile --known-bug NAME under the shim, its output and status
#       passed through (ctest matches the bug's message).
# A shim built with ASan or TSan gets its runtime in LD_PRELOAD, in the
# order tests/helpers/preload.sh gives.
# Extra shim options come from DMASAN_OPTIONS in the environment (appended).
set -u
mode=$1
shim=$2
prog=$3
shift 3
dir=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-hostile.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/../helpers/preload.sh"
preload=$(shim_preload "$shim")
case $mode in
json) opts="format=json:log_path=$dir/log:exitcode=0" ; want=0 ;;
text) opts="" ; want=23 ;;
known)
	DMASAN_OPTIONS="log_path=$dir/log:exitcode=0${DMASAN_OPTIONS:+:$DMASAN_OPTIONS}" \
		LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}" "$prog" --known-bug "$@" 2>&1
	exit $?
	;;
*) echo "hostile.sh: mode json, text or known" >&2; exit 2 ;;
esac
opts="$opts${DMASAN_OPTIONS:+:$DMASAN_OPTIONS}"
start=$(date +%s)
DMASAN_OPTIONS=$opts LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}" \
	"$prog" --count "$dir/count" "$@" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
echo "hostile ($mode): exit status $rc after $(($(date +%s) - start)) s"
cat "$dir/stdout"
fail=0
if [ $rc -ne $want ]; then
	echo "FAIL: exit status $rc, expected $want"
	[ $rc -gt 128 ] && echo "FAIL: killed by signal $((rc - 128))"
	fail=1
fi
if ! grep -q '^hostile: completed: ' "$dir/stdout"; then
	echo "FAIL: the program did not reach its end"
	fail=1
fi
if [ "$mode" = json ] && [ $fail -eq 0 ]; then
	LD_PRELOAD="" "$prog" --check "$dir/count" "$dir"/log.* || fail=1
fi
if [ "$mode" = text ] && [ $fail -eq 0 ]; then
	n=$(grep -c '^==[0-9]*==ERROR: dmasan: ' "$dir/stderr")
	echo "hostile (text): $n reports on stderr"
	[ "$n" -gt 0 ] || { echo "FAIL: no report on stderr"; fail=1; }
fi
if [ $fail -ne 0 ]; then
	echo "--- stderr (program lines and the last 40 lines):"
	grep '^hostile' "$dir/stderr" | head -60
	tail -n 40 "$dir/stderr"
	exit 1
fi
exit 0
