/* SPDX-License-Identifier: MIT */
/*
 * The program's munmap(), mprotect() and mremap(), interposed (exported
 * under libc's own symbol versions: shim/CMakeLists.txt). Each calls the
 * next definition and, when it succeeded, tells platform/os.c that its
 * snapshot of the address space is stale, so that a later map of memory
 * the program has unmapped or made read-only is refused with a finding
 * instead of copied into (which would crash the program inside the shim).
 * glibc's own internal unmaps (free() of a large block) do not come
 * through here. Not SHIM_ENTER: these are no DMA API calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <sys/mman.h>
#include "platform/platform.h"
#include "shim/shim.h"

EXPORT int munmap(void *addr, size_t len)
{
	int rc = plat_next_munmap(addr, len);

	if (rc == 0)
		plat_maps_changed();
	return rc;
}

EXPORT int mprotect(void *addr, size_t len, int prot)
{
	int rc = plat_next_mprotect(addr, len, prot);

	if (rc == 0)
		plat_maps_changed();
	return rc;
}

EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	void *want = NULL, *p;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		want = va_arg(ap, void *);
		va_end(ap);
	}
	p = plat_next_mremap(old, old_len, new_len, flags, want);
	if (p != MAP_FAILED)
		plat_maps_changed();
	return p;
}
