#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end checks of the dmasan command, run as a user runs it.
#   cli_test.sh DMASAN SHIM ASAN_PROBE FAKE_PROBE FAKE_ASAN_DIR VERSION [GROUP...]
# DMASAN is the built command, SHIM the built libdmasan.so (any of its
# versioned names), ASAN_PROBE tests/e2e/asan_probe.c built with
# -fsanitize=address, FAKE_PROBE the same source linked against a stand-in
# libasan.so.99 that lives in FAKE_ASAN_DIR, VERSION the project version.
# GROUPs: cli (options, errors, statuses, environment), quiet (a program
# that never calls the DMA API prints nothing under the shim), asan (the
# ASan runtime goes first in LD_PRELOAD); default: all three.
# Prints one line per check ("ok", "FAIL" with the output, or "skip") and
# exits 1 when any check failed.
# Single-quoted $ expressions below are meant for the shell they are passed to.
# shellcheck disable=SC2016
set -u
if [ $# -lt 6 ]; then
	echo "usage: cli_test.sh DMASAN SHIM ASAN_PROBE FAKE_PROBE FAKE_DIR VERSION [GROUP...]" >&2
	exit 2
fi
# absolute PATH: PATH made absolute (several checks run from elsewhere).
absolute() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd -P)" "$1" ;;
	esac
}
dmasan=$(absolute "$1") shim=$(absolute "$2") probe=$(absolute "$3")
fake_probe=$(absolute "$4") fake_dir=$(absolute "$5") version=$6
shift 6
groups=${*:-cli quiet asan}

# A clean environment: nothing of the caller's may change the results.
unset DMASAN_LIBRARY DMASAN_OPTIONS LD_PRELOAD ASAN_OPTIONS LD_LIBRARY_PATH

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-cli.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
tmp=$(cd "$tmp" && pwd -P) || exit 2

# The library dmasan must find next to itself (build tree: bin/../lib).
shim_dir=$(cd "$(dirname "$shim")" && pwd -P) || exit 2
lib=$shim_dir/libdmasan.so
# A shim built with ASan needs the ASan runtime before it in LD_PRELOAD.
shim_asan=0
grep -q 'libasan\.so' "$shim" && shim_asan=1

pass=0 fail=0 skip=0

# run CMD...: stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

# result STATUS DESCRIPTION: record a check; STATUS 0 is a pass.
result() {
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok   $2"
	else
		fail=$((fail + 1))
		echo "FAIL $2 (exit status $rc)"
		sed 's/^/     stdout| /' "$tmp/out"
		sed 's/^/     stderr| /' "$tmp/err"
	fi
}

skipped() {
	skip=$((skip + 1))
	echo "skip $1"
}

# lines FILE: number of lines in FILE.
lines() {
	wc -l <"$1" | tr -d ' '
}

# one_error RC: the status is RC, stdout is empty, stderr is exactly one
# line starting with "dmasan".
one_error() {
	[ "$rc" = "$1" ] && [ ! -s "$tmp/out" ] && [ "$(lines "$tmp/err")" = 1 ] &&
		grep -q '^dmasan' "$tmp/err"
}

# value NAME: the value of NAME in an `env` listing in $tmp/out.
value() {
	sed -n "s/^$1=//p" "$tmp/out"
}

# preload_rest: LD_PRELOAD from $tmp/out without a leading ASan runtime
# that a shim built with ASan brings.
preload_rest() {
	if [ "$shim_asan" = 1 ]; then
		value LD_PRELOAD | sed 's|^[^:]*/libasan\.so[^:]*:||'
	else
		value LD_PRELOAD
	fi
}

group_cli() {
	run "$dmasan" --help
	[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && grep -q DMASAN_OPTIONS "$tmp/out" &&
		grep -q 'dmasan -o help=1 -- PROGRAM' "$tmp/out" &&
		(for o in "-o," --option --log-dir --suppressions --format "-q," --quiet "-v," \
			--verbose --valgrind "-h," --help "-V," --version; do
			grep -q -- "^  $o " "$tmp/out" || grep -q -- "^  [^ ]* $o " "$tmp/out" ||
				exit 1
		done)
	result $? "--help exits 0, lists every option and mentions DMASAN_OPTIONS and help=1"

	run "$dmasan" -h
	[ "$rc" = 0 ] && grep -q '^usage: dmasan' "$tmp/out"
	result $? "-h prints the usage"

	run "$dmasan" --version
	[ "$rc" = 0 ] && [ "$(cat "$tmp/out")" = "dmasan $version" ] && [ ! -s "$tmp/err" ]
	result $? "--version prints 'dmasan $version'"

	run "$dmasan" -V
	[ "$rc" = 0 ] && [ "$(cat "$tmp/out")" = "dmasan $version" ]
	result $? "-V prints the version"

	run "$dmasan" --foo env
	one_error 2 && grep -q "unknown option '--foo'" "$tmp/err"
	result $? "an unknown option exits 2 with one line naming it"

	run "$dmasan"
	one_error 2 && grep -q 'no program given' "$tmp/err"
	result $? "no program exits 2 with one line"

	run "$dmasan" -o verbosity=1 --
	one_error 2 && grep -q 'no program given' "$tmp/err"
	result $? "options and '--' without a program exit 2"

	run "$dmasan" -- dmasan-no-such-program-xyz
	one_error 127 && grep -q "cannot run 'dmasan-no-such-program-xyz': No such file" "$tmp/err"
	result $? "a program missing from PATH exits 127"

	run "$dmasan" "$tmp/nope"
	one_error 127
	result $? "a missing program path exits 127"

	printf 'echo not run\n' >"$tmp/noexec"
	chmod 644 "$tmp/noexec"
	run "$dmasan" "$tmp/noexec"
	one_error 126 && grep -q "cannot run '$tmp/noexec'" "$tmp/err"
	result $? "a non-executable file exits 126"

	run "$dmasan" "$tmp"
	one_error 126
	result $? "a directory exits 126"

	for bad in novalue '=1' 'Bad=1' 'a-b=1' 'a b=1'; do
		run "$dmasan" -o "$bad" -- env
		one_error 2 && grep -q "malformed option '-o $bad': expected NAME=VALUE" "$tmp/err"
		result $? "-o '$bad' is malformed: exit 2, one line"
	done

	run "$dmasan" --option=novalue env
	one_error 2 && grep -q 'expected NAME=VALUE' "$tmp/err"
	result $? "--option=novalue is malformed"

	run "$dmasan" -o
	one_error 2
	result $? "-o without an argument exits 2"

	run "$dmasan" --log-dir
	one_error 2
	result $? "--log-dir without an argument exits 2"

	run env DMASAN_OPTIONS=pre=1 "$dmasan" -o verbosity=1 -o log_path=/x -- /usr/bin/env
	[ "$rc" = 0 ] && [ "$(preload_rest)" = "$lib" ] &&
		[ "$(value DMASAN_OPTIONS)" = "pre=1:verbosity=1:log_path=/x" ]
	result $? "LD_PRELOAD starts with $lib; -o pairs follow DMASAN_OPTIONS in order"

	run "$dmasan" -o verbosity=1 --option log_path=/x --option=format=json -- /usr/bin/env
	[ "$rc" = 0 ] && [ "$(value DMASAN_OPTIONS)" = "verbosity=1:log_path=/x:format=json" ]
	result $? "-o, --option NAME=VALUE and --option=NAME=VALUE without DMASAN_OPTIONS"

	# Entries that do not exist: the loader skips them (with a message), so
	# an ASan-built dmasan still has its runtime first.
	run env LD_PRELOAD="$tmp/no/liba.so $tmp/no/libb.so" "$dmasan" -- /usr/bin/env
	[ "$rc" = 0 ] && [ "$(preload_rest)" = "$lib:$tmp/no/liba.so:$tmp/no/libb.so" ]
	result $? "existing LD_PRELOAD entries follow the shim"

	run "$dmasan" -o log_path=/tmp/a:b -o x=1 -- /usr/bin/env
	[ "$rc" = 0 ] && [ "$(value DMASAN_OPTIONS)" = 'log_path="/tmp/a:b":x=1' ]
	result $? "a value with a colon is double-quoted"

	run "$dmasan" -o "driver_filter=it's a nic" -o 'strip_path_prefix=a"b' -- /usr/bin/env
	want="driver_filter=\"it's a nic\":strip_path_prefix='a\"b'"
	[ "$rc" = 0 ] && [ "$(value DMASAN_OPTIONS)" = "$want" ]
	result $? "values with a space or quotes are quoted with the other quote"

	run "$dmasan" -o "x=a'b\"c" -- /usr/bin/env
	one_error 2
	result $? "a value with both quote characters is an error"

	run "$dmasan" --log-dir "$tmp/logs/a/b" -- /usr/bin/env
	[ "$rc" = 0 ] && [ -d "$tmp/logs/a/b" ] &&
		[ "$(value DMASAN_OPTIONS)" = "log_path=$tmp/logs/a/b/dmasan" ]
	result $? "--log-dir creates the directory and its parents and sets log_path"

	mkdir -p "$tmp/cwd"
	run sh -c 'cd "$1" && shift && exec "$@"' sh "$tmp/cwd" "$dmasan" --log-dir=rel/d \
		-- /usr/bin/env
	[ "$rc" = 0 ] && [ -d "$tmp/cwd/rel/d" ] &&
		[ "$(value DMASAN_OPTIONS)" = "log_path=$tmp/cwd/rel/d/dmasan" ]
	result $? "--log-dir=DIR with a relative DIR gives an absolute log_path"

	: >"$tmp/file"
	run "$dmasan" --log-dir "$tmp/file/sub" -- /usr/bin/env
	one_error 2
	result $? "--log-dir under a regular file exits 2"

	run "$dmasan" --suppressions "$tmp/missing.supp" -- /usr/bin/env
	one_error 2 && grep -q "missing.supp" "$tmp/err"
	result $? "--suppressions of a missing file exits 2"

	printf 'leak-mapping:main\n' >"$tmp/cwd/my.supp"
	run sh -c 'cd "$1" && shift && exec "$@"' sh "$tmp/cwd" "$dmasan" --suppressions my.supp \
		-- /usr/bin/env
	[ "$rc" = 0 ] && [ "$(value DMASAN_OPTIONS)" = "suppressions=$tmp/cwd/my.supp" ]
	result $? "--suppressions sets suppressions= to the absolute path"

	run "$dmasan" --format json -q -v -- /usr/bin/env
	[ "$rc" = 0 ] && [ "$(value DMASAN_OPTIONS)" = "format=json:verbosity=0:verbosity=1" ] &&
		grep -q "^dmasan: LD_PRELOAD=" "$tmp/err"
	result $? "--format, -q and -v append format=, verbosity=0 and verbosity=1"

	run "$dmasan" --format xml -- /usr/bin/env
	one_error 2
	result $? "--format xml exits 2"

	run "$dmasan" --valgrind -- /usr/bin/env
	one_error 2 && grep -q 'dmasan: --valgrind is not available yet in this version' "$tmp/err"
	result $? "--valgrind is not available yet: exit 2"

	run "$dmasan" report nightly.json
	one_error 2 && grep -q '^dmasan report: not available yet in this version' "$tmp/err"
	result $? "'dmasan report' is not available yet: exit 2"

	run "$dmasan" -- sh -c 'exit 7'
	[ "$rc" = 7 ]
	result $? "the program's exit status passes through (7)"

	run "$dmasan" -- sh -c 'kill -TERM $$'
	[ "$rc" = 143 ]
	result $? "death by a signal passes through (SIGTERM: 143)"

	run sh -c 'echo hello | "$1" -- cat' sh "$dmasan"
	[ "$rc" = 0 ] && [ "$(cat "$tmp/out")" = hello ]
	result $? "stdin passes through"

	run "$dmasan" sh -c 'echo "$$:$0:$1"' zero --help
	[ "$rc" = 0 ] && [ "$(cut -d: -f2- "$tmp/out")" = "zero:--help" ]
	result $? "words after the program are the program's, not dmasan's"

	mkdir -p "$tmp/path"
	printf '#!/bin/sh\necho found "$0"\n' >"$tmp/path/my-prog"
	chmod 755 "$tmp/path/my-prog"
	run env PATH="$tmp/path:$PATH" "$dmasan" my-prog
	[ "$rc" = 0 ] && [ "$(cat "$tmp/out")" = "found $tmp/path/my-prog" ]
	result $? "the program is looked up in PATH"

	printf 'echo no shebang "$1"\n' >"$tmp/path/plain"
	chmod 755 "$tmp/path/plain"
	run "$dmasan" "$tmp/path/plain" arg
	[ "$rc" = 0 ] && [ "$(cat "$tmp/out")" = "no shebang arg" ]
	result $? "a script without #! runs under /bin/sh, as with execvp"

	run env DMASAN_LIBRARY="$tmp/missing/libdmasan.so" "$dmasan" -- /usr/bin/env
	one_error 2 && grep -q 'DMASAN_LIBRARY' "$tmp/err"
	result $? "DMASAN_LIBRARY naming a missing file exits 2"

	ln -s "$shim" "$tmp/libdmasan.so"
	run sh -c 'cd "$1" && shift && exec "$@"' sh "$tmp" env DMASAN_LIBRARY=libdmasan.so \
		"$dmasan" -- /usr/bin/env
	[ "$rc" = 0 ] && [ "$(preload_rest)" = "$tmp/libdmasan.so" ]
	result $? "a relative DMASAN_LIBRARY is made absolute"

	mkdir -p "$tmp/prefix/bin" "$tmp/prefix/lib"
	cp "$dmasan" "$tmp/prefix/bin/dmasan"
	ln -s "$shim" "$tmp/prefix/lib/libdmasan.so"
	run "$tmp/prefix/bin/dmasan" -- /usr/bin/env
	[ "$rc" = 0 ] && [ "$(preload_rest)" = "$tmp/prefix/lib/libdmasan.so" ]
	result $? "the shim is found in <prefix>/lib next to <prefix>/bin/dmasan"

	mkdir -p "$tmp/lone/bin"
	cp "$dmasan" "$tmp/lone/bin/dmasan"
	run "$tmp/lone/bin/dmasan" -- /usr/bin/env
	if [ "$rc" = 0 ]; then
		skipped "no shim next to the command: an installed libdmasan.so was used"
	else
		one_error 2 &&
			grep -q "cannot find libdmasan.so (looked in $tmp/lone/lib/libdmasan.so" \
				"$tmp/err" && grep -q 'set DMASAN_LIBRARY$' "$tmp/err"
		result $? "no shim anywhere exits 2 and says where it looked"
	fi
}

group_quiet() {
	run "$dmasan" -- /usr/bin/env
	[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && grep -q "^LD_PRELOAD=" "$tmp/out"
	result $? "env under the shim writes nothing to stderr"

	run "$dmasan" --format json -- sh -c 'true'
	[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && [ ! -s "$tmp/out" ]
	result $? "a shell under the shim (format=json) writes nothing"

	run "$dmasan" --log-dir "$tmp/quiet-logs" -- /usr/bin/env
	[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && [ -z "$(ls -A "$tmp/quiet-logs")" ]
	result $? "a process that never calls the DMA API creates no log file"
}

group_asan() {
	# gcc links the ASan runtime dynamically, clang statically: only the
	# former cares about the preload order.
	run env LD_PRELOAD="$lib" "$probe"
	if [ "$rc" = 0 ] && ! grep -q 'does not come first' "$tmp/err"; then
		skipped "the probe's ASan runtime is static (clang?): no preload order to check"
		run "$dmasan" -- "$probe"
		[ "$rc" = 0 ] && grep -q "^LD_PRELOAD=$lib$" "$tmp/out"
		result $? "an ASan program with a static runtime runs under dmasan"
	else
		[ "$rc" != 0 ] && grep -q 'does not come first' "$tmp/err"
		result $? "control: preloading only the shim into an ASan program aborts"

		run "$dmasan" -- "$probe"
		first=$(value LD_PRELOAD | cut -d: -f1)
		second=$(value LD_PRELOAD | cut -d: -f2)
		[ "$rc" = 0 ] && ! grep -q 'does not come first' "$tmp/err" &&
			case $first in /*/libasan.so*) [ -f "$first" ] ;; *) false ;; esac &&
			[ "$second" = "$lib" ]
		result $? "an ASan program runs: LD_PRELOAD is <abs>/libasan.so*:$lib"

		run env LD_PRELOAD="$tmp/other/libdmasan.so" "$dmasan" -- "$probe"
		[ "$rc" = 0 ] && [ "$(value LD_PRELOAD | tr ':' '\n' | grep -c libdmasan)" = 1 ] &&
			value LD_PRELOAD | grep -q '^/[^:]*/libasan\.so[^:]*:'"$lib\$"
		result $? "another libdmasan.so already in LD_PRELOAD is dropped"
	fi

	run env LD_LIBRARY_PATH="$fake_dir" "$dmasan" -- "$fake_probe"
	fake=$(cd "$fake_dir" && pwd -P)/libasan.so.99
	[ "$rc" = 0 ] && [ "$(value LD_PRELOAD)" = "$fake:$lib" ]
	result $? "the ASan runtime is found through LD_LIBRARY_PATH"

	run env ASAN_OPTIONS=detect_leaks=0 "$dmasan" -v -- "$fake_probe"
	warning="warning: '$fake_probe' needs libasan.so.99, which was not found"
	[ "$(grep -c "$warning" "$tmp/err")" = 1 ] &&
		grep -q '^dmasan: ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0$' "$tmp/err"
	result $? "an ASan runtime not found: one warning, verify_asan_link_order=0 appended"

	run "$dmasan" -q -- "$fake_probe"
	! grep -q 'warning' "$tmp/err"
	result $? "-q silences that warning"
}

for g in $groups; do
	case $g in
	cli) group_cli ;;
	quiet) group_quiet ;;
	asan) group_asan ;;
	*) echo "cli_test.sh: unknown group '$g'" >&2; exit 2 ;;
	esac
done
echo "cli_test: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
