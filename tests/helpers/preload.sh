# SPDX-License-Identifier: MIT
# Sourced by the test scripts that run a program under the shim:
#   . "$(dirname "$0")/../helpers/preload.sh"
# sanitizer_rt SHIM: the ASan or TSan runtime a sanitizer-built shim needs
#   (empty for a plain build).
# shim_preload SHIM: the LD_PRELOAD value for SHIM. An ASan runtime must be
#   the first object loaded; a TSan runtime must come after the shim, since
#   TSan runs asynchronous signal handlers late, at a point of its choosing,
#   so the shim's sigaction() must hand TSan the handler it wrapped
#   (core/sigctx.c), not wrap TSan's own.
sanitizer_rt() {
	ldd "$1" 2>/dev/null | awk '/lib(asan|tsan)\.so/ { print $3; exit }'
}

shim_preload() {
	_rt=$(sanitizer_rt "$1")
	case $_rt in
	*libasan*) echo "$_rt:$1" ;;
	*libtsan*) echo "$1:$_rt" ;;
	*) echo "$1" ;;
	esac
}
