/* SPDX-License-Identifier: MIT */
/*
 * The private heap (core/heap.h) over a renamed static jemalloc: the
 * dmasanje_* names are this library's own copy, hidden from the program,
 * memcheck and ASan (reference/feasibility.md section 3, variant b').
 * heap_allocated() reads jemalloc's own statistics on demand, so the hot
 * path pays nothing for accounting. heap_fail_after() injects
 * out-of-memory for tests. Locking: jemalloc's own; the countdown is atomic.
 *
 * Small blocks (heap_small_alloc/free: tracking objects, snapshots and
 * shadows, freed and allocated once per map/unmap) go through a per-thread
 * cache first: one free list per 64-byte size class up to SMALL_MAX, at
 * most SMALL_DEPTH blocks each, in initial-exec TLS, so a steady map/unmap
 * loop never reaches jemalloc (whose Debian PIC build pays for
 * __tls_get_addr and statistics on every call). A block freed by another
 * thread joins that thread's cache. A thread's cache goes back to
 * jemalloc when the thread exits. No locks: only the owning thread
 * touches its lists, and the shim never runs re-entered on one thread.
 */
#include <pthread.h>
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

#define SMALL_SHIFT 6
#define SMALL_MAX 4096u
#define SMALL_CLASSES (SMALL_MAX >> SMALL_SHIFT)
#define SMALL_DEPTH 32

struct small_block {
	struct small_block *next;
};

static __thread struct {
	struct small_block *head[SMALL_CLASSES];
	uint8_t count[SMALL_CLASSES];
	uint8_t registered; /* 1: the exit destructor is set; 2: could not be */
} tc;

static pthread_key_t tc_key;
static pthread_once_t tc_once = PTHREAD_ONCE_INIT;
static int tc_key_ok;

static void tc_flush(void *unused)
{
	unsigned int c;

	(void)unused;
	for (c = 0; c < SMALL_CLASSES; c++) {
		while (tc.head[c]) {
			struct small_block *b = tc.head[c];

			tc.head[c] = b->next;
			dmasanje_dallocx(b, 0);
		}
		tc.count[c] = 0;
	}
	tc.registered = 2; /* the thread is exiting: no more caching */
}

static void tc_key_init(void)
{
	tc_key_ok = pthread_key_create(&tc_key, tc_flush) == 0;
}

static unsigned int small_class(size_t size)
{
	return (unsigned int)((size + (1u << SMALL_SHIFT) - 1) >> SMALL_SHIFT) - 1;
}

void *heap_small_alloc(size_t size)
{
	unsigned int c;
	struct small_block *b;

	if (size == 0 || size > SMALL_MAX)
		return heap_aligned(64, size);
	c = small_class(size);
	b = tc.head[c];
	if (!b)
		return heap_aligned(64, (size_t)(c + 1) << SMALL_SHIFT);
	if (should_fail())
		return NULL;
	tc.head[c] = b->next;
	tc.count[c]--;
	return b;
}

void heap_small_free(void *p, size_t size)
{
	unsigned int c;
	struct small_block *b = p;

	if (!p)
		return;
	if (size == 0 || size > SMALL_MAX) {
		dmasanje_dallocx(p, 0);
		return;
	}
	c = small_class(size);
	if (!tc.registered) {
		pthread_once(&tc_once, tc_key_init);
		tc.registered = tc_key_ok && pthread_setspecific(tc_key, &tc) == 0 ? 1 : 2;
	}
	if (tc.registered != 1 || tc.count[c] >= SMALL_DEPTH) {
		dmasanje_dallocx(p, 0);
		return;
	}
	b->next = tc.head[c];
	tc.head[c] = b;
	tc.count[c]++;
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
