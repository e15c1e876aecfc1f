#!/bin/sh
# SPDX-License-Identifier: MIT
# Check that each shared library exports exactly the names of a version
# script: the words ending in ';' between `global:` and `local:` (or the
# end of the node), comments removed. Exported means listed by
# `nm -D --defined-only` with type T, W, i, D, B or V; symbol versions
# (@DMASAN_0.1) and the version nodes' own names are ignored.
#   exports.sh MAP LIBRARY[=EXTRA_MAP]...
# EXTRA_MAP: a second version script of that library only (libdmasan.so's
# generated interpose.map), whose names it must export too.
# Prints the missing and the extra names of each library; exit 1 if any.
set -u
LC_ALL=C
export LC_ALL
[ $# -ge 2 ] || { echo "usage: exports.sh MAP LIBRARY[=EXTRA_MAP]..." >&2; exit 2; }
map=$1
shift
nm=${NM:-nm}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-exports.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

[ -r "$map" ] || { echo "exports: FAIL: cannot read $map"; exit 1; }

# parse MAP: strip /* */ comments (which may span lines), then walk the
# tokens: "NAME {" opens a version node, "global:" starts collecting,
# "local:" or "}" stops. Output "N name" for node names and "G name" for globals.
parse() {
	awk '
{
	line = $0; out = ""
	while (line != "") {
		if (incomment) {
			i = index(line, "*/")
			if (i == 0) line = ""; else { line = substr(line, i + 2); incomment = 0 }
		} else {
			i = index(line, "/*")
			if (i == 0) { out = out line; line = "" }
			else { out = out substr(line, 1, i - 1) " "; line = substr(line, i + 2); incomment = 1 }
		}
	}
	gsub(/[{};:]/, " & ", out)
	n = split(out, tok, /[ \t]+/)
	for (k = 1; k <= n; k++) {
		t = tok[k]
		if (t == "") continue
		if (t == "{") { if (prev != "") print "N " prev; collect = 0 }
		else if (t == "}") collect = 0
		else if (t == ":") { if (prev == "global") collect = 1; else if (prev == "local") collect = 0 }
		else if (t == ";") { if (collect && prev != "" && prev != "}") print "G " prev }
		prev = (t == ";" || t == ":") ? "" : t
	}
}' "$1"
}
parse "$map" >"$tmp/parsed"

sed -n 's/^G //p' "$tmp/parsed" | sort -u >"$tmp/want"
sed -n 's/^N //p' "$tmp/parsed" | sort -u >"$tmp/nodes"
if [ ! -s "$tmp/want" ]; then
	echo "exports: FAIL: no global names found in $map"
	exit 1
fi
if grep -q '[*?[]' "$tmp/want"; then
	echo "exports: FAIL: $map uses wildcards under global:, which this check cannot compare: $(grep '[*?[]' "$tmp/want" | tr '\n' ' ')"
	exit 1
fi

status=0
for arg in "$@"; do
	lib=${arg%%=*}
	name=${lib##*/}
	cp "$tmp/want" "$tmp/want.lib"
	cp "$tmp/nodes" "$tmp/nodes.lib"
	mapname=${map##*/}
	case $arg in
	*=*)
		extra=${arg#*=}
		if ! [ -r "$extra" ]; then
			echo "exports: FAIL: cannot read $extra"
			status=1
			continue
		fi
		parse "$extra" >"$tmp/parsed.extra"
		sed -n 's/^G //p' "$tmp/parsed.extra" | sort -u - "$tmp/want" >"$tmp/want.lib"
		sed -n 's/^N //p' "$tmp/parsed.extra" | sort -u - "$tmp/nodes" >"$tmp/nodes.lib"
		mapname="$mapname and ${extra##*/}"
		;;
	esac
	if ! "$nm" -D --defined-only "$lib" >"$tmp/nm" 2>"$tmp/nm.err"; then
		echo "exports: FAIL: $nm -D --defined-only $lib: $(cat "$tmp/nm.err")"
		status=1
		continue
	fi
	awk 'NF >= 3 && $(NF - 1) ~ /^[TWiDBV]$/ { print $NF }' "$tmp/nm" |
		sed 's/@.*//' | sort -u | comm -23 - "$tmp/nodes.lib" >"$tmp/got"
	comm -23 "$tmp/want.lib" "$tmp/got" >"$tmp/missing"
	comm -13 "$tmp/want.lib" "$tmp/got" >"$tmp/extra"
	if [ -s "$tmp/missing" ] || [ -s "$tmp/extra" ]; then
		status=1
		echo "exports: FAIL: $name does not export exactly the names of $mapname"
		[ -s "$tmp/missing" ] && echo "  missing ($(wc -l <"$tmp/missing")): $(tr '\n' ' ' <"$tmp/missing")"
		[ -s "$tmp/extra" ] && echo "  extra ($(wc -l <"$tmp/extra")): $(tr '\n' ' ' <"$tmp/extra")"
	else
		echo "exports: ok: $name exports the $(wc -l <"$tmp/want.lib") names of $mapname"
	fi
done
exit $status
