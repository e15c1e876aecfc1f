#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the stress test under the shim and check its logs (ctest e2e.stress
# and, in the TSan build, the sanitize-check stage).
#   stress.sh SHIM STRESS [STRESS ARGS...]
# SHIM is libdmasan.so; a shim built with ASan or TSan gets its sanitizer
# runtime first in LD_PRELOAD, as the runtimes require. Extra options for
# the shim come from DMASAN_OPTIONS in the environment (appended).
set -u
shim=$1
prog=$2
shift 2
dir=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-stress.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
preload=$shim
rt=$(ldd "$shim" 2>/dev/null | awk '/lib(asan|tsan)\.so/ { print $3; exit }')
[ -n "$rt" ] && preload="$rt:$shim"
# Under TSan a thread that used the API crashes when it exits (libunwind's
# trace cache; reported): keep the workers alive so races still get reported.
case $rt in
*libtsan*)
	set -- "$@" --park-workers
	[ -n "${STRESS_TSAN_OPTIONS:-}" ] && export TSAN_OPTIONS="${TSAN_OPTIONS:-} $STRESS_TSAN_OPTIONS"
	;;
esac
opts="format=json:log_path=$dir/log:exitcode=0${DMASAN_OPTIONS:+:$DMASAN_OPTIONS}"
DMASAN_OPTIONS=$opts LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}" "$prog" --run "$dir" "$@"
rc=$?
if [ $rc -ne 0 ]; then
	echo "stress: the run failed with status $rc"
	for f in "$dir"/log.*; do
		[ -f "$f" ] && { echo "--- $f (head)"; head -c 600 "$f"; echo; }
	done
	exit 1
fi
LD_PRELOAD="" "$prog" --check "$dir" || exit 1
exit 0
