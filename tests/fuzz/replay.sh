#!/bin/sh
# SPDX-License-Identifier: MIT
# Replay every input of the given directories once through a libFuzzer
# harness (ctest tests fuzz.<name>): replay.sh HARNESS DIR...
# Missing or empty directories are skipped; the status is the harness's.
set -u
harness=$1
shift
set -- $(for d in "$@"; do
	[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' ! -name 'README*' | sort
done)
if [ $# -eq 0 ]; then
	echo "replay: no inputs"
	exit 0
fi
echo "replay: $# inputs through ${harness##*/}"
exec "$harness" -runs=1 "$@"
