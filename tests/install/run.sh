#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install a built dmasan into a scratch prefix and use it as an outside
# project would: compile consumer.c through pkg-config and through
# find_package(dmasan), run it against libdmasan_direct.so, and run it
# under the installed dmasan command. Nothing may refer to the build tree.
#   run.sh BUILD_DIR
# Environment: CMAKE (cmake), CC (cc), CFLAGS (flags the project was built
# with, e.g. sanitizers), PKG_CONFIG (pkg-config), KEEP=1 keeps the prefix.
set -u

build=${1:?usage: run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
build=$(cd "$build" && pwd) || exit 2
cmake=${CMAKE:-cmake}
cc=${CC:-cc}
cflags=${CFLAGS:-}
pkgconfig=${PKG_CONFIG:-pkg-config}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dmasan-install.XXXXXX") || exit 2
# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then echo "install-test: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
prefix=$tmp/prefix
step=""

say() { echo "install-test: $*"; }
begin() { step=$*; say "step: $step"; }
die() {
	say "FAIL: $step: $*"
	exit 1
}
# run LOGNAME CMD... : run quietly, show the log when it fails.
run() {
	local log=$tmp/$1.log
	shift
	if ! "$@" >"$log" 2>&1; then
		sed 's/^/    /' "$log" | tail -n 60
		die "command failed: $*"
	fi
}
# no_build_paths TEXT WHAT: TEXT must not mention the build or source tree.
no_build_paths() {
	case $1 in
	*"$build"* | *"$srcroot"*) die "$2 refers to the build or source tree: $1" ;;
	esac
}

begin "cmake --install $build --prefix <tmp>"
run install "$cmake" --install "$build" --prefix "$prefix"
[ -x "$prefix/bin/dmasan" ] || die "bin/dmasan was not installed"
# Our <linux/types.h> and <linux/errno.h> must not land next to the
# system's UAPI headers (glibc's <errno.h> includes <linux/errno.h>).
[ ! -e "$prefix/include/linux" ] || die "headers installed as <prefix>/include/linux would shadow the kernel's UAPI headers"

begin "find the installed pkg-config files"
pcfile=$(find "$prefix" -name dmasan-direct.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pcfile" ] || die "dmasan-direct.pc was not installed"
export PKG_CONFIG_PATH=${pcfile%/*}
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
"$pkgconfig" --exists dmasan-direct dmasan || die "pkg-config cannot read dmasan-direct.pc / dmasan.pc in $PKG_CONFIG_PATH"
flags=$("$pkgconfig" --cflags --libs dmasan-direct) || die "pkg-config --cflags --libs dmasan-direct"
libdir=$("$pkgconfig" --variable=libdir dmasan-direct) || die "pkg-config --variable=libdir dmasan-direct"
say "dmasan-direct: $flags"
no_build_paths "$flags" "pkg-config output"
case $libdir in "$prefix"/*) ;; *) die "libdir $libdir is not inside the install prefix $prefix" ;; esac

begin "pkg-config --variable=preload dmasan"
preload=$("$pkgconfig" --variable=preload dmasan) || die "pkg-config --variable=preload dmasan"
[ -n "$preload" ] || die "dmasan.pc has no preload variable"
[ -f "$preload" ] || die "preload names $preload, which does not exist"
case $preload in "$prefix"/*) ;; *) die "preload $preload is not inside the install prefix" ;; esac

begin "cc consumer.c \$(pkg-config --cflags --libs dmasan-direct)"
# shellcheck disable=SC2086 # flags are words
run cc-pc "$cc" $cflags -o "$tmp/consumer-pc" "$here/consumer.c" $flags
run ldd-pc env LD_LIBRARY_PATH="$libdir" ldd "$tmp/consumer-pc"
grep -qF "=> $libdir/libdmasan_direct.so" "$tmp/ldd-pc.log" ||
	die "the consumer does not resolve libdmasan_direct.so from $libdir: $(grep dmasan "$tmp/ldd-pc.log")"

begin "run the pkg-config consumer with libdmasan_direct.so"
run direct-pc env LD_LIBRARY_PATH="$libdir" "$tmp/consumer-pc"
grep -q '^OK active=0$' "$tmp/direct-pc.log" || die "expected 'OK active=0', got: $(cat "$tmp/direct-pc.log")"

begin "find_package(dmasan) with -DCMAKE_PREFIX_PATH=<tmp>"
run cmake-configure "$cmake" -S "$here" -B "$tmp/cmake-build" \
	-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$cflags" -DCMAKE_BUILD_TYPE=RelWithDebInfo
grep -qF "dmasan package: $prefix/" "$tmp/cmake-configure.log" ||
	die "find_package(dmasan) did not use the installed package: $(grep 'dmasan package' "$tmp/cmake-configure.log")"
run cmake-build "$cmake" --build "$tmp/cmake-build"
run direct-cmake "$tmp/cmake-build/consumer"
grep -q '^OK active=0$' "$tmp/direct-cmake.log" || die "expected 'OK active=0', got: $(cat "$tmp/direct-cmake.log")"
grep -qF "dma api from: $libdir/libdmasan_direct.so" "$tmp/direct-cmake.log" ||
	die "the CMake consumer did not run the installed library: $(grep 'dma api' "$tmp/direct-cmake.log")"

begin "run the consumer under the installed $prefix/bin/dmasan"
out=$tmp/shim.out
err=$tmp/shim.err
env -u LD_PRELOAD -u DMASAN_OPTIONS LD_LIBRARY_PATH="$libdir" \
	"$prefix/bin/dmasan" -- "$tmp/consumer-pc" >"$out" 2>"$err"
rc=$?
if [ $rc -ne 0 ] || grep -q 'ERROR: dmasan' "$err" || ! grep -q '^OK active=1$' "$out"; then
	echo "    --- stdout:"; sed 's/^/    /' "$out" | head -n 20
	echo "    --- stderr:"; sed 's/^/    /' "$err" | head -n 60
	[ $rc -eq 0 ] || die "exit status $rc, expected 0"
	grep -q 'ERROR: dmasan' "$err" && die "dmasan reported findings for a correct program"
	die "the program did not run under the shim (expected 'OK active=1')"
fi
where=$(sed -n 's/^dma api from: //p' "$out")
case $where in
"$prefix"/*) ;;
*) die "the DMA API came from '$where', not from the installed shim" ;;
esac

begin "dma-debug cases built with pkg-config get exactly their finding ids under the installed shim"
src=$(cd "$(dirname "$0")/.." && pwd)/e2e
# shellcheck disable=SC2086
run cc-cases $cc $cflags -g -O1 -o "$tmp/cases" "$src/progs/dmadebug_cases.c" $flags -Wl,-rpath,"$libdir"
for c in ok-rx:none ok-sg:none ok-pool:none double-unmap:double-unmap=1 \
	unmap-size-mismatch:unmap-size-mismatch=1 map-error-unchecked:map-error-unchecked=1 \
	sync-dir-mismatch:sync-dir-mismatch=1 cacheline-overlap:cacheline-overlap=1,unaligned-buffer=2 \
	leak-mapping:leak-mapping=1 pool-double-free:pool-double-free=1 \
	use-after-unmap:use-after-unmap=1; do
	env -u LD_PRELOAD -u DMASAN_OPTIONS sh "$src/expect_ids.sh" "$preload" "${c#*:}" \
		-- "$tmp/cases" "${c%%:*}" >"$tmp/case.log" 2>&1 ||
		{ cat "$tmp/case.log"; die "case ${c%%:*}"; }
	say "  ${c%%:*}: $(cat "$tmp/case.log")"
done

say "PASS: installed package works through pkg-config, find_package and bin/dmasan"
exit 0
