/* SPDX-License-Identifier: MIT */
/*
 * The private heap (core/heap.h) over a renamed static jemalloc: the
 * dmasanje_* names are this library's own copy, hidden from the program,
 * memcheck and ASan (reference/feasibility.md section 3, variant b').
 * heap_allocated() reads jemalloc's own statistics on demand, so the hot
 * path pays nothing for accounting. heap_fail_after() injects
 * out-of-memory for tests. Locking: jemalloc's own; the countdown is atomic.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include "core/heap.h"

void *dmasanje_mallocx(size_t size, int flags);
void dmasanje_dallocx(void *ptr, int flags);
int dmasanje_mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

/* MALLOCX_ALIGN(a) is ffs(a)-1 in the low bits; MALLOCX_ZERO is 0x40. */
#define JE_ZERO 0x40
#define JE_ALIGN(a) ((int)__builtin_ctzl(a))

static _Atomic long fail_countdown = -1;

static int should_fail(void)
{
	long n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);

	if (n < 0)
		return 0;
	if (n == 0)
		return 1;
	atomic_fetch_sub_explicit(&fail_countdown, 1, memory_order_relaxed);
	return 0;
}

static void *alloc_flags(size_t size, int flags)
{
	void *p;

	if (size == 0)
		size = 1;
	if (should_fail())
		return NULL;
	p = dmasanje_mallocx(size, flags);
	return p;
}

void *heap_alloc(size_t size)
{
	return alloc_flags(size, 0);
}

void *heap_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return alloc_flags(n * size, JE_ZERO);
}

void *heap_aligned(size_t align, size_t size)
{
	if (align == 0 || (align & (align - 1)))
		return NULL;
	return alloc_flags(size, JE_ALIGN(align));
}

void heap_free(void *p)
{
	if (!p)
		return;
	dmasanje_dallocx(p, 0);
}

uint64_t heap_allocated(void)
{
	uint64_t epoch = 1;
	size_t allocated = 0, len = sizeof(allocated), elen = sizeof(epoch);

	/* jemalloc's statistics, refreshed on demand: no cost on the hot path. */
	dmasanje_mallctl("epoch", &epoch, &elen, &epoch, sizeof(epoch));
	if (dmasanje_mallctl("stats.allocated", &allocated, &len, NULL, 0) != 0)
		return 0;
	return allocated;
}

void heap_fail_after(long n)
{
	atomic_store(&fail_countdown, n);
}
