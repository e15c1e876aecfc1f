/* SPDX-License-Identifier: MIT */
/*
 * The next sigaction() in the symbol lookup order (platform/platform.h):
 * libc's, or the interceptor of a sanitizer runtime loaded after
 * libdmasan, which must see the handlers the program installs. Found with
 * dlsym(RTLD_NEXT) once, from the library's constructor (shim/signal.c),
 * so that no signal handler ever has to look it up.
 * Locking: none; the pointer is atomic and every lookup finds the same.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include "platform/platform.h"

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

/* glibc's own entry point: the fallback when there is no next (never seen in practice). */
extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *oldact);

static _Atomic(sigaction_fn) next_sigaction;

static sigaction_fn resolve(void)
{
	sigaction_fn f = atomic_load_explicit(&next_sigaction, memory_order_acquire);

	if (!f) {
		f = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
		if (!f)
			f = __sigaction;
		atomic_store_explicit(&next_sigaction, f, memory_order_release);
	}
	return f;
}

void plat_sigaction_init(void)
{
	resolve();
}

int plat_sigaction_next(int sig, const struct sigaction *act, struct sigaction *oldact)
{
	return resolve()(sig, act, oldact);
}
