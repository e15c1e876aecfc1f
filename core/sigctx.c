/* SPDX-License-Identifier: MIT */
/*
 * Signal-handler context (core/sigctx.h). sigctx_sigaction() records the
 * program's handler per signal and installs trampoline() in its place,
 * with the program's mask and flags plus SA_SIGINFO (so the trampoline
 * always gets the siginfo and context it passes on; a handler without
 * SA_SIGINFO ignores the extra arguments, as the kernel's own calls on
 * x86-64 and arm64 do). oldact gets the program's handler and its own
 * SA_SIGINFO back. SIG_IGN and SIG_DFL pass straight through, and so do
 * SA_RESETHAND (the kernel resets the disposition, the table is not
 * consulted again) and SA_NODEFER (handlers then nest, each one counted).
 *
 * Per thread, frames[] holds the stack pointer at entry of each
 * trampoline still running, innermost last. A handler that leaves with
 * siglongjmp() never pops its record, so a record is stale when the
 * current stack pointer is above it on the same stack: the handler's
 * frame is gone. Records made on the alternate signal stack are compared
 * only with stack pointers on that stack (a thread's alternate stack can
 * lie anywhere). Records are pruned at each trampoline entry and skipped
 * by sigctx_in_handler(); a record that cannot be proved stale counts.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include "core/reenter.h"
#include "core/sigctx.h"
#include "platform/platform.h"

#define SIGCTX_NSIG 65 /* signals 1..64 */
#define NEST_MAX 16

typedef void (*action_fn)(int, siginfo_t *, void *);

/* The program's handler of each signal the trampoline stands in for, and whether it asked for SA_SIGINFO. */
static _Atomic uintptr_t prog_handler[SIGCTX_NSIG];
static atomic_int prog_siginfo[SIGCTX_NSIG];

struct hframe {
	uintptr_t sp;
	int alt; /* made on the alternate signal stack */
};

static __thread struct hframe frames[NEST_MAX];
static __thread volatile int nframes;
static __thread uintptr_t alt_lo, alt_hi; /* the alternate stack the kernel last reported */

static int on_alt(uintptr_t sp)
{
	return alt_hi && sp >= alt_lo && sp < alt_hi;
}

/* The number of records below which none is provably stale at stack pointer @sp. */
static int live_records(uintptr_t sp)
{
	int n = nframes, alt = on_alt(sp);

	if (n > NEST_MAX)
		n = NEST_MAX;
	while (n > 0 && frames[n - 1].alt == alt && frames[n - 1].sp < sp)
		n--;
	return n;
}

static void trampoline(int sig, siginfo_t *si, void *ctx)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	const ucontext_t *uc = ctx;
	action_fn h;
	int n;

	if (uc && !(uc->uc_stack.ss_flags & SS_DISABLE) && uc->uc_stack.ss_size) {
		alt_lo = (uintptr_t)uc->uc_stack.ss_sp;
		alt_hi = alt_lo + uc->uc_stack.ss_size;
	}
	n = live_records(sp);
	if (n < NEST_MAX) {
		struct hframe me = { sp, on_alt(sp) };

		frames[n] = me;
		atomic_signal_fence(memory_order_seq_cst);
		nframes = n + 1;
		atomic_signal_fence(memory_order_seq_cst);
		/* A handler that arrived before nframes moved may have used the slot. */
		frames[n] = me;
	}
	h = (action_fn)atomic_load_explicit(&prog_handler[sig], memory_order_acquire);
	if (h)
		h(sig, si, ctx);
	nframes = n;
}

int sigctx_in_handler(uintptr_t sp)
{
	if (!nframes)
		return 0;
	return live_records(sp ? sp : (uintptr_t)__builtin_frame_address(0)) > 0;
}

/* For the platform: judged at the program's call into the API when inside it. */
static int in_handler_probe(void)
{
	return sigctx_in_handler(reenter_entry_sp());
}

static int wraps(uintptr_t h)
{
	return h != (uintptr_t)SIG_DFL && h != (uintptr_t)SIG_IGN && h != (uintptr_t)SIG_ERR &&
	       h != (uintptr_t)trampoline;
}

int sigctx_sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	struct sigaction mine, old;
	uintptr_t prev_h, h;
	int prev_info, wrap = 0, rc;

	if (sig < 1 || sig >= SIGCTX_NSIG)
		return plat_sigaction_next(sig, act, oldact);
	plat_set_async_probe(in_handler_probe);
	prev_h = atomic_load(&prog_handler[sig]);
	prev_info = atomic_load(&prog_siginfo[sig]);
	if (act) {
		h = (uintptr_t)act->sa_handler;
		if (wraps(h)) {
			mine = *act;
			mine.sa_sigaction = trampoline;
			mine.sa_flags |= SA_SIGINFO;
			/* Before the trampoline can run with it. */
			atomic_store(&prog_siginfo[sig], !!(act->sa_flags & SA_SIGINFO));
			atomic_store_explicit(&prog_handler[sig], h, memory_order_release);
			act = &mine;
			wrap = 1;
		}
	}
	rc = plat_sigaction_next(sig, act, oldact ? &old : NULL);
	if (rc != 0) {
		if (wrap) {
			int e = errno;

			atomic_store(&prog_handler[sig], prev_h);
			atomic_store(&prog_siginfo[sig], prev_info);
			errno = e;
		}
		return rc;
	}
	if (oldact) {
		*oldact = old;
		if ((uintptr_t)old.sa_handler == (uintptr_t)trampoline) {
			oldact->sa_handler = (sighandler_t)prev_h;
			if (!prev_info)
				oldact->sa_flags &= ~SA_SIGINFO;
		}
	}
	return 0;
}

static sighandler_t install(int sig, sighandler_t handler, int bsd)
{
	struct sigaction act, old;

	if (handler == SIG_ERR || sig < 1 || sig >= SIGCTX_NSIG) {
		errno = EINVAL;
		return SIG_ERR;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	sigemptyset(&act.sa_mask);
	if (bsd) {
		/* glibc's signal(): the signal blocked in its handler, system calls restarted. */
		sigaddset(&act.sa_mask, sig);
		act.sa_flags = SA_RESTART;
	} else {
		/* glibc's __sysv_signal(): one-shot, not blocked, system calls interrupted. */
		act.sa_flags = SA_RESETHAND | SA_NODEFER;
	}
	if (sigctx_sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

sighandler_t sigctx_signal(int sig, sighandler_t handler)
{
	return install(sig, handler, 1);
}

sighandler_t sigctx_sysv_signal(int sig, sighandler_t handler)
{
	return install(sig, handler, 0);
}
