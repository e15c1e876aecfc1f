/* SPDX-License-Identifier: MIT */
/*
 * The next munmap(), mprotect() and mremap() in the symbol lookup order
 * (libc's, or a sanitizer runtime's loaded after libdmasan), found with
 * dlsym(RTLD_NEXT) on first use; raw system calls when there is none.
 * Locking: none; the pointers are atomic and every lookup finds the same.
 */
#include <dlfcn.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "platform/platform.h"

typedef int (*munmap_fn)(void *, size_t);
typedef int (*mprotect_fn)(void *, size_t, int);
typedef void *(*mremap_fn)(void *, size_t, size_t, int, ...);

static _Atomic(munmap_fn) next_munmap;
static _Atomic(mprotect_fn) next_mprotect;
static _Atomic(mremap_fn) next_mremap;

static void *next_of(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

int plat_next_munmap(void *addr, size_t len)
{
	munmap_fn f = atomic_load_explicit(&next_munmap, memory_order_acquire);

	if (!f) {
		f = (munmap_fn)next_of("munmap");
		if (!f)
			return (int)syscall(SYS_munmap, addr, len);
		atomic_store_explicit(&next_munmap, f, memory_order_release);
	}
	return f(addr, len);
}

int plat_next_mprotect(void *addr, size_t len, int prot)
{
	mprotect_fn f = atomic_load_explicit(&next_mprotect, memory_order_acquire);

	if (!f) {
		f = (mprotect_fn)next_of("mprotect");
		if (!f)
			return (int)syscall(SYS_mprotect, addr, len, prot);
		atomic_store_explicit(&next_mprotect, f, memory_order_release);
	}
	return f(addr, len, prot);
}

void *plat_next_mremap(void *old, size_t old_len, size_t new_len, int flags, void *want)
{
	mremap_fn f = atomic_load_explicit(&next_mremap, memory_order_acquire);

	if (!f) {
		f = (mremap_fn)next_of("mremap");
		if (!f)
			return (void *)syscall(SYS_mremap, old, old_len, new_len, flags, want);
		atomic_store_explicit(&next_mremap, f, memory_order_release);
	}
	return f(old, old_len, new_len, flags, want);
}
