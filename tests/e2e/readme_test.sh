#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's option table must say what help=1 says (name, default, type,
# meaning), and its finding table must list exactly the ids of
# core/bugs.def with their severity and description.
#   readme_test.sh README SHIM BUGS_DEF
set -u
readme=$1; shim=$2; bugs=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-readme.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0

# help=1: "  name=value  (type) meaning"; help itself shows its current value 1.
DMASAN_OPTIONS=help=1 LD_PRELOAD=$shim /bin/true 2>&1 |
	sed -n 's/^  \([a-z_0-9]*\)=\(.*\)  (\([a-z]*\)) \(.*\)$/\1|\2|\3|\4/p' |
	sed 's/^help|1|/help|0|/' | sort >"$tmp/code"
# README rows: | `name` | `default` or (empty) | type | meaning |
sed -n 's/^| `\([a-z_0-9]*\)` | \(.*\) | \([a-z]*\) | \(.*\) |$/\1|\2|\3|\4/p' "$readme" |
	grep -v '^[a-z0-9-]*-' | sed 's/|(empty)|/||/; s/|`\([^`|]*\)`|/|\1|/; s/\\|/|/g' |
	sort >"$tmp/doc"
if [ ! -s "$tmp/code" ]; then
	echo "FAIL: help=1 printed no options"; fail=1
elif ! diff -u "$tmp/code" "$tmp/doc" >"$tmp/diff"; then
	echo "FAIL: README option table differs from help=1 (- code, + README):"; cat "$tmp/diff"; fail=1
else
	echo "ok: README option table matches help=1 ($(wc -l <"$tmp/code") options)"
fi

sed -n 's/^DMASAN_BUG([A-Z_]*, "\([a-z-]*\)", \([A-Z]*\), "\(.*\)")$/\1|\2|\3/p' "$bugs" |
	tr 'A-Z' 'a-z' | sort >"$tmp/ids"
sed -n 's/^| `\([a-z][a-z-]*-[a-z-]*\)` | \([a-z]*\) | \(.*\) |$/\1|\2|\3/p' "$readme" |
	sed 's/\\|/|/g' | tr 'A-Z' 'a-z' | sort >"$tmp/docids"
if [ ! -s "$tmp/ids" ]; then
	echo "FAIL: no ids parsed from $bugs"; fail=1
elif ! diff -u "$tmp/ids" "$tmp/docids" >"$tmp/diff"; then
	echo "FAIL: README finding table differs from core/bugs.def (- code, + README):"; cat "$tmp/diff"; fail=1
else
	echo "ok: README finding table matches core/bugs.def ($(wc -l <"$tmp/ids") ids)"
fi
exit $fail
