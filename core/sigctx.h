/* SPDX-License-Identifier: MIT */
/*
 * Signal-handler context. libdmasan interposes sigaction() and signal()
 * (and __sysv_signal(), shim/signal.c) and installs the program's handlers behind one
 * trampoline, which keeps per thread the stack pointer of every handler
 * running on it. The report pipeline asks sigctx_in_handler() and, inside
 * a handler, stays async-signal-safe: no libc malloc, no stdio, no
 * symbolizer (core/report.c). The program sees its own handlers: oldact,
 * SA_SIGINFO, SA_RESETHAND, SA_NODEFER, the mask, SIG_IGN and SIG_DFL are
 * its own. Handlers installed past the interposition (raw syscalls,
 * libc-internal callers such as sigset()) are not seen.
 * Locking: none; the table is atomic, the handler records are per thread.
 */
#ifndef DMASAN_CORE_SIGCTX_H
#define DMASAN_CORE_SIGCTX_H

#include <signal.h>
#include <stdint.h>

/**
 * sigctx_in_handler - 1 when the calling thread runs inside a program
 * signal handler installed through sigctx_sigaction(), judged at stack
 * address @sp (0: the caller's frame; best the program's call into the
 * API, reenter_entry_sp()). A handler left with siglongjmp() stops
 * counting once @sp is above the handler's frame (until then the answer
 * stays 1, which only costs symbolized frames). Async-signal-safe.
 */
int sigctx_in_handler(uintptr_t sp);

/**
 * sigctx_sigaction - sigaction() with the program's handler behind the
 * trampoline. The next sigaction() in the lookup order installs it (a
 * sanitizer runtime preloaded after libdmasan, or libc). Returns and sets
 * errno as sigaction() does. Async-signal-safe.
 */
int sigctx_sigaction(int sig, const struct sigaction *act, struct sigaction *oldact);

/** sigctx_signal - signal() (BSD semantics, as glibc's) through sigctx_sigaction(). */
sighandler_t sigctx_signal(int sig, sighandler_t handler);

/**
 * sigctx_sysv_signal - glibc's __sysv_signal() (what signal() is under
 * strict ISO C: SA_RESETHAND | SA_NODEFER, no SA_RESTART).
 */
sighandler_t sigctx_sysv_signal(int sig, sighandler_t handler);

#endif /* DMASAN_CORE_SIGCTX_H */
