#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the stress test under the shim and check its logs (ctest e2e.stress
# and, in the TSan build, the sanitize-check stage).
#   stress.sh SHIM STRESS [STRESS ARGS...]
# SHIM is libdmasan.so; a sanitizer-built shim gets its runtime in
# LD_PRELOAD in the order tests/helpers/preload.sh gives (ASan first, TSan
# after the shim). Extra options for the shim come from DMASAN_OPTIONS in
# the environment (appended).
set -u
shim=$1
prog=$2
shift 2
dir=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-stress.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/../helpers/preload.sh"
preload=$(shim_preload "$shim")
tsan_opts=
case $(sanitizer_rt "$shim") in
*libtsan*)
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
