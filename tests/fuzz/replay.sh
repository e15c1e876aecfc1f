#!/bin/sh
# SPDX-License-Identifier: MIT
# Replay every input of the given directories once through a libFuzzer
# harness (ctest tests fuzz.<name>): replay.sh HARNESS DIR...
# Missing or empty directories are skipped; the status is the harness's.
set -u
harness=$1
shift
# Input names are ours (no white space), so word splitting is what we want.
# shellcheck disable=SC2046
set -- $(for d in "$@"; do
	[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' ! -name 'README*' | sort
done)
if [ $# -eq 0 ]; then
	echo "replay: no inputs"
	exit 0
fi
echo "replay: $# inputs through ${harness##*/}"
exec "$harness" -runs=1 -timeout=30 "$@"
