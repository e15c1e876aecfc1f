/* SPDX-License-Identifier: MIT */
/*
 * The private heap (core/heap.h) over a renamed static jemalloc: the
 * dmasanje_* names are this library's own copy, hidden from the program,
 * memcheck and ASan (reference/feasibility.md section 3, variant b').
 * A byte counter kept here (not jemalloc's stats, which cost a mallctl)
 * feeds the metadata statistics. heap_fail_after() injects out-of-memory
 * for tests. Locking: jemalloc's own; the counters are atomics.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include "core/heap.h"

void *dmasanje_mallocx(size_t size, int flags);
void dmasanje_dallocx(void *ptr, int flags);
size_t dmasanje_sallocx(const void *ptr, int flags);

/* MALLOCX_ALIGN(a) is ffs(a)-1 in the low bits; MALLOCX_ZERO is 0x40. */
#define JE_ZERO 0x40
#define JE_ALIGN(a) ((int)__builtin_ctzl(a))

static _Atomic uint64_t allocated;
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
	if (p)
		atomic_fetch_add_explicit(&allocated, dmasanje_sallocx(p, 0), memory_order_relaxed);
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
	atomic_fetch_sub_explicit(&allocated, dmasanje_sallocx(p, 0), memory_order_relaxed);
	dmasanje_dallocx(p, 0);
}

char *heap_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = heap_alloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

uint64_t heap_allocated(void)
{
	return atomic_load_explicit(&allocated, memory_order_relaxed);
}

void heap_fail_after(long n)
{
	atomic_store(&fail_countdown, n);
}
