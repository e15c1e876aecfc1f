/* SPDX-License-Identifier: MIT */
/*
 * The program's sigaction(), signal() and __sysv_signal(), interposed
 * (exported under libc's own symbol versions: shim/CMakeLists.txt): its
 * handlers run behind core/sigctx.c's trampoline, so that a finding made
 * inside one is reported with async-signal-safe means only (SPEC section
 * 14). Not SHIM_ENTER: these are no DMA API calls, and handlers may make
 * them.
 */
#include <signal.h>
#include "core/sigctx.h"
#include "platform/platform.h"
#include "shim/shim.h"

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	return sigctx_sigaction(sig, act, oldact);
}

EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
	return sigctx_signal(sig, handler);
}

/* What signal() compiles to under strict ISO C (-std=c11 without _GNU_SOURCE etc.). */
EXPORT sighandler_t __sysv_signal(int sig, sighandler_t handler);

EXPORT sighandler_t __sysv_signal(int sig, sighandler_t handler)
{
	return sigctx_sysv_signal(sig, handler);
}

/* Look the next sigaction() up now: a handler must never have to. */
__attribute__((constructor)) static void signal_load(void)
{
	plat_sigaction_init();
}
