#!/bin/sh
# SPDX-License-Identifier: MIT
# Run a program under the shim with JSON logs and compare the set of
# finding ids it reported with what is expected.
#   expect_ids.sh SHIM EXPECTED [--status N] -- PROGRAM [ARGS...]
# SHIM is the path of libdmasan.so. EXPECTED is "none" or a comma-separated
# list of ids, each optionally followed by =COUNT (exact count); every id
# listed must be reported, and no other id may be. --status N also checks
# the program's exit status (default: 23 when ids are expected, 0 for none).
# Extra DMASAN_OPTIONS in the environment are appended.
set -u
shim=$1; expected=$2; shift 2
status=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case $1 in
	--status) status=$2; shift 2 ;;
	*) echo "expect_ids: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ "${1:-}" = "--" ] && shift
[ -z "$status" ] && { [ "$expected" = none ] && status=0 || status=23; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-e2e.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
opts="format=json:log_path=$dir/log${DMASAN_OPTIONS:+:$DMASAN_OPTIONS}"
# A sanitizer-built shim needs its runtime preloaded too (tests/helpers/preload.sh).
. "$(dirname "$0")/../helpers/preload.sh"
preload=$(shim_preload "$shim")
DMASAN_OPTIONS=$opts LD_PRELOAD="$preload${LD_PRELOAD:+:$LD_PRELOAD}" "$@" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
cat "$dir"/log.* 2>/dev/null >"$dir/all"
got=$(grep '"schema":"dmasan.finding/' "$dir/all" | sed -n 's/.*"schema":"dmasan.finding\/[0-9]*","id":"\([^"]*\)".*/\1/p' | sort | uniq -c | awk '{print $2"="$1}' | sort)
fail=0
if [ "$rc" != "$status" ]; then
	echo "FAIL: exit status $rc, expected $status"; fail=1
fi
if ! grep -q '"schema":"dmasan.summary/' "$dir/all" && [ "$expected" != none ]; then
	echo "FAIL: no summary record in the log"; fail=1
fi
want=""
if [ "$expected" != none ]; then
	for e in $(echo "$expected" | tr ',' ' '); do
		id=${e%%=*}
		want="$want $id"
		n=$(echo "$got" | sed -n "s/^$id=//p")
		if [ -z "$n" ]; then
			echo "FAIL: expected finding $id was not reported"; fail=1
		elif [ "$e" != "$id" ] && [ "$n" != "${e#*=}" ]; then
			echo "FAIL: $id reported $n times, expected ${e#*=}"; fail=1
		fi
	done
fi
for g in $got; do
	id=${g%%=*}
	case " $want " in
	*" $id "*) ;;
	*) echo "FAIL: unexpected finding $g"; fail=1 ;;
	esac
done
if [ $fail -ne 0 ]; then
	echo "--- command: $*"; echo "--- findings: $got"
	echo "--- stderr:"; head -c 4000 "$dir/stderr"
	echo "--- log:"; head -c 6000 "$dir/all"
	exit 1
fi
echo "ok: ${expected} (exit $rc)"
exit 0
