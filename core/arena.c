/* SPDX-License-Identifier: MIT */
/*
 * Coherent arena and declared regions (core/arena.h). The arena's bitmap
 * and the regions' bitmaps are guarded by their mutexes; memory is
 * zeroed when handed out.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include "core/arena.h"
#include "core/heap.h"
#include "core/track.h"
#include "platform/platform.h"

#define APAGE 4096UL
#define ARENA_SIZE (256UL << 20)
#define ARENA_PAGES (ARENA_SIZE / APAGE)
#define ALIGN_2M (2UL << 20)

static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t arena_base;
static int arena_failed;
static uint64_t arena_bits[ARENA_PAGES / 64];
static size_t arena_hint;

static int bit_get(const uint64_t *b, size_t i)
{
	return (int)((b[i / 64] >> (i % 64)) & 1);
}

static void bits_set(uint64_t *b, size_t i, size_t n, int v)
{
	for (; n; n--, i++) {
		if (v)
			b[i / 64] |= 1ULL << (i % 64);
		else
			b[i / 64] &= ~(1ULL << (i % 64));
	}
}

/* First fit of @n free pages in @b (@total pages), starting at multiples of @align. */
static long find_free(const uint64_t *b, size_t total, size_t n, size_t align, size_t start)
{
	size_t tries, i, j;

	if (n == 0 || n > total)
		return -1;
	start -= start % align;
	for (tries = 0, i = start; tries < total; tries += align, i += align) {
		if (i + n > total) {
			i = 0;
			if (start == 0)
				break;
			start = 0;
		}
		for (j = 0; j < n && !bit_get(b, i + j); j++)
			;
		if (j == n)
			return (long)i;
	}
	return -1;
}

static int arena_setup_locked(void)
{
	uintptr_t raw, base;

	if (arena_base)
		return 0;
	if (arena_failed)
		return -ENOMEM;
	raw = (uintptr_t)plat_map_anon(ARENA_SIZE + ALIGN_2M);
	if (!raw) {
		arena_failed = 1;
		return -ENOMEM;
	}
	base = (raw + ALIGN_2M - 1) & ~(ALIGN_2M - 1);
	if (place_reserve(base, ARENA_SIZE, ZONE_DMA32) != 0) {
		arena_failed = 1;
		return -ENOMEM;
	}
	arena_base = base;
	return 0;
}

void *arena_alloc(size_t len)
{
	size_t n = (len + APAGE - 1) / APAGE;
	void *p = NULL;
	long at;

	if (len == 0 || len > ARENA_SIZE)
		return NULL;
	pthread_mutex_lock(&arena_lock);
	if (arena_setup_locked() == 0) {
		/* Naturally aligned to the allocation's power-of-two order (up to
		 * 2 MiB), as Linux's page allocator gives: callers rely on it. */
		size_t align = 1;

		while (align < n && align < 512)
			align <<= 1;
		at = find_free(arena_bits, ARENA_PAGES, n, align, arena_hint);
		if (at >= 0) {
			bits_set(arena_bits, (size_t)at, n, 1);
			arena_hint = ((size_t)at + n) % ARENA_PAGES;
			p = (void *)(arena_base + (size_t)at * APAGE);
		}
	}
	pthread_mutex_unlock(&arena_lock);
	if (p)
		memset(p, 0, n * APAGE);
	return p;
}

void arena_free(void *p, size_t len)
{
	size_t n = (len + APAGE - 1) / APAGE;

	if (!arena_contains(p, len))
		return;
	pthread_mutex_lock(&arena_lock);
	bits_set(arena_bits, ((uintptr_t)p - arena_base) / APAGE, n, 0);
	pthread_mutex_unlock(&arena_lock);
}

void arena_after_fork(void)
{
	pthread_mutex_init(&arena_lock, NULL);
}

int arena_contains(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	return arena_base && a >= arena_base && len <= ARENA_SIZE &&
	       a - arena_base <= ARENA_SIZE - len;
}

struct decl_region {
	pthread_mutex_t lock;
	uint64_t dev_addr;
	uintptr_t cpu;
	size_t pages;
	uint64_t *bits;
	size_t used;  /* pages allocated */
	int released; /* region_release(): no more allocations, memory back once empty */
};

struct decl_region *region_create(uint64_t dev_addr, size_t size)
{
	struct decl_region *r;
	size_t pages = size / APAGE;

	if (!pages)
		return NULL;
	r = heap_calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->bits = heap_calloc((pages + 63) / 64, sizeof(uint64_t));
	r->cpu = (uintptr_t)arena_alloc(pages * APAGE);
	if (!r->bits || !r->cpu) {
		arena_free((void *)r->cpu, pages * APAGE);
		heap_free(r->bits);
		heap_free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->dev_addr = dev_addr;
	r->pages = pages;
	return r;
}

void region_destroy(struct decl_region *r)
{
	if (!r)
		return;
	arena_free((void *)r->cpu, r->pages * APAGE);
	heap_free(r->bits);
	heap_free(r);
}

void *region_alloc(struct decl_region *r, size_t size, uint64_t *dma)
{
	size_t n = 1, need = (size + APAGE - 1) / APAGE;
	void *p = NULL;
	long at;

	while (n < need)
		n <<= 1;
	pthread_mutex_lock(&r->lock);
	at = r->released ? -1 : find_free(r->bits, r->pages, n, n, 0);
	if (at >= 0) {
		bits_set(r->bits, (size_t)at, n, 1);
		r->used += n;
		p = (void *)(r->cpu + (size_t)at * APAGE);
		*dma = r->dev_addr + (uint64_t)at * APAGE;
	}
	pthread_mutex_unlock(&r->lock);
	if (p)
		memset(p, 0, n * APAGE);
	return p;
}

/* A released region's memory once it is empty (caller holds r->lock); the caller frees it. */
static uintptr_t take_if_done(struct decl_region *r, uint64_t **bits)
{
	uintptr_t cpu = r->cpu;

	if (!r->released || r->used || !cpu)
		return 0;
	*bits = r->bits;
	r->bits = NULL;
	r->cpu = 0;
	return cpu;
}

int region_free(struct decl_region *r, void *cpu, size_t size)
{
	uintptr_t a = (uintptr_t)cpu, gone;
	size_t n = 1, need = (size + APAGE - 1) / APAGE, first, i;
	uint64_t *bits = NULL;
	size_t pages = r->pages;

	while (n < need)
		n <<= 1;
	pthread_mutex_lock(&r->lock);
	if (a < r->cpu || a >= r->cpu + pages * APAGE) {
		pthread_mutex_unlock(&r->lock);
		return -EINVAL;
	}
	first = (a - r->cpu) / APAGE;
	if (first + n > pages)
		n = pages - first;
	for (i = first; i < first + n; i++)
		r->used -= (size_t)bit_get(r->bits, i);
	bits_set(r->bits, first, n, 0);
	gone = take_if_done(r, &bits);
	pthread_mutex_unlock(&r->lock);
	if (gone) {
		arena_free((void *)gone, pages * APAGE);
		heap_free(bits);
	}
	return 0;
}

void region_release(struct decl_region *r)
{
	uintptr_t gone;
	uint64_t *bits = NULL;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->released = 1;
	gone = take_if_done(r, &bits);
	pthread_mutex_unlock(&r->lock);
	if (gone) {
		arena_free((void *)gone, r->pages * APAGE);
		heap_free(bits);
	}
}

uintptr_t region_translate(const struct decl_region *r, uint64_t dma, size_t len)
{
	uint64_t span = (uint64_t)r->pages * APAGE;

	if (!r->cpu || dma < r->dev_addr || dma - r->dev_addr >= span ||
	    len > span - (dma - r->dev_addr))
		return 0;
	return r->cpu + (uintptr_t)(dma - r->dev_addr);
}
