#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the stress test under the shim and check its logs (ctest e2e.stress
# and, in the TSan build, the sanitize-check stage).
#   stress.sh SHIM STRESS [STRESS ARGS...]
# SHIM is libdmasan.so; a shim built with ASan gets its runtime first in
# LD_PRELOAD, as ASan requires; one built with TSan gets it right after the
# shim: TSan runs asynchronous signal handlers later, at a point of its
# choosing, so the shim's sigaction() must hand TSan the handler wrapped
# (core/sigctx.c), not wrap TSan's own. Extra options for the shim come
# from DMASAN_OPTIONS in the environment (appended).
set -u
shim=$1
prog=$2
shift 2
dir=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-stress.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
preload=$shim
rt=$(ldd "$shim" 2>/dev/null | awk '/lib(asan|tsan)\.so/ { print $3; exit }')
tsan_opts=
case $rt in
*libasan*) preload="$rt:$shim" ;;
*libtsan*)
	preload="$shim:$rt"
	[ -n "${STRESS_TSAN_OPTIONS:-}" ] && export TSAN_OPTIONS="${TSAN_OPTIONS:-} $STRESS_TSAN_OPTIONS"
	# Options of the shim for the TSan run only (e.g. fast_unwind=0).
	tsan_opts=${STRESS_TSAN_DMASAN_OPTIONS:-}
	# Arguments for the TSan run only (split into words on purpose).
	# shellcheck disable=SC2086
	[ -n "${STRESS_TSAN_ARGS:-}" ] && set -- "$@" $STRESS_TSAN_ARGS
	;;
esac
opts="format=json:log_path=$dir/log:exitcode=0${tsan_opts:+:$tsan_opts}${DMASAN_OPTIONS:+:$DMASAN_OPTIONS}"
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
