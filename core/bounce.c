/* SPDX-License-Identifier: MIT */
/*
 * swiotlb slots (core/bounce.h). Each segment has a 128-bit bitmap and a
 * spinlock; a run is searched inside one segment only.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include "core/bounce.h"
#include "core/heap.h"
#include "core/lock.h"
#include "core/track.h"
#include "platform/platform.h"

struct segment {
	struct spin lock;
	uint64_t used[BOUNCE_SEGMENT / 64];
};

struct bounce_pool {
	uint64_t base;
	size_t size;
	uint32_t nsegments;
	struct segment *segments;
	uint8_t *memory;
	pthread_mutex_t memory_lock;
	atomic_ullong used_slots, high_water, nmaps, nfailed;
};

static struct bounce_pool *default_pool;

struct bounce_pool *bounce_pool_create(uint64_t base, size_t size)
{
	uint32_t n = (uint32_t)(size / BOUNCE_MAX_MAPPING);
	struct bounce_pool *p = heap_calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (n == 0)
		n = 1;
	p->nsegments = n;
	p->size = (size_t)n * BOUNCE_MAX_MAPPING;
	p->base = base;
	pthread_mutex_init(&p->memory_lock, NULL);
	p->segments = heap_calloc(n, sizeof(*p->segments));
	if (!p->segments) {
		heap_free(p);
		return NULL;
	}
	return p;
}

int bounce_init(uint64_t base, size_t size)
{
	default_pool = bounce_pool_create(base, size);
	return default_pool ? 0 : -ENOMEM;
}

struct bounce_pool *bounce_default(void)
{
	return default_pool;
}

uint64_t bounce_base(const struct bounce_pool *p)
{
	return p->base;
}

size_t bounce_size(const struct bounce_pool *p)
{
	return p->size;
}

/*
 * Host memory behind the slots, mapped on first use. Slot 0 sits half a
 * page into the mapping: a page-aligned mapping then bounces through a
 * host address 2 KiB off a page, so the copies between a page-aligned
 * driver buffer and its slot do not 4K-alias (loads stalled behind
 * stores to the same page offset run the copy at a third of its speed).
 * Bus addresses are unaffected; the mapping is never unmapped.
 */
#define HOST_SKEW 2048u

static uint8_t *pool_memory(struct bounce_pool *p)
{
	uint8_t *m = __atomic_load_n(&p->memory, __ATOMIC_ACQUIRE);

	if (m)
		return m;
	pthread_mutex_lock(&p->memory_lock);
	if (!p->memory) {
		uint8_t *raw = plat_map_anon(p->size + 4096);

		__atomic_store_n(&p->memory, raw ? raw + HOST_SKEW : NULL, __ATOMIC_RELEASE);
	}
	m = p->memory;
	pthread_mutex_unlock(&p->memory_lock);
	return m;
}

static int slot_used(const struct segment *s, uint32_t i)
{
	return (int)((s->used[i / 64] >> (i % 64)) & 1);
}

static void mark(struct segment *s, uint32_t i, uint32_t n, int v)
{
	for (; n; n--, i++) {
		if (v)
			s->used[i / 64] |= 1ULL << (i % 64);
		else
			s->used[i / 64] &= ~(1ULL << (i % 64));
	}
}

/* First free run of @n slots in @s whose index satisfies the alignment rules. */
static long find_run(const struct bounce_pool *p, const struct segment *s, uint32_t seg, uint32_t n,
		     uint32_t stride, uint64_t want_bits, uint64_t hi_mask)
{
	uint32_t i, j;

	for (i = 0; i + n <= BOUNCE_SEGMENT; i += stride) {
		uint64_t phys = p->base + ((uint64_t)seg * BOUNCE_SEGMENT + i) * BOUNCE_SLOT_SIZE;

		if ((phys & hi_mask) != want_bits)
			continue;
		for (j = 0; j < n && !slot_used(s, i + j); j++)
			;
		if (j == n)
			return (long)i;
	}
	return -1;
}

uint8_t *bounce_alloc(struct bounce_pool *p, uintptr_t cpu, size_t size,
		      unsigned int min_align_mask, uint64_t *bus, uint32_t *slot, uint32_t *nslots,
		      int *err)
{
	uint64_t lo_mask = min_align_mask & (BOUNCE_SLOT_SIZE - 1);
	uint64_t hi_mask = min_align_mask & ~(uint64_t)(BOUNCE_SLOT_SIZE - 1);
	uint64_t offset = cpu & lo_mask, want = cpu & hi_mask;
	uint32_t n, stride, k, start;
	uint8_t *mem;

	if (!size || size > BOUNCE_MAX_MAPPING || offset + size > BOUNCE_MAX_MAPPING) {
		*err = -E2BIG;
		return NULL;
	}
	mem = p ? pool_memory(p) : NULL;
	if (!mem) {
		*err = -ENOMEM;
		return NULL;
	}
	n = (uint32_t)((offset + size + BOUNCE_SLOT_SIZE - 1) >> BOUNCE_SLOT_SHIFT);
	stride = size >= 4096 ? 2 : 1;
	if (hi_mask)
		stride = 1;
	/* Each thread starts at its own segment (as Linux spreads areas by CPU):
	 * threads rarely meet, and a thread reuses memory that is already hot. */
	start = (uint32_t)((plat_tid() * 2654435761u) >> 8);
	for (k = 0; k < p->nsegments; k++) {
		uint32_t seg = (start + k) % p->nsegments;
		struct segment *s = &p->segments[seg];
		long at;

		spin_lock(&s->lock);
		at = find_run(p, s, seg, n, stride, want, hi_mask);
		if (at >= 0)
			mark(s, (uint32_t)at, n, 1);
		spin_unlock(&s->lock);
		if (at >= 0) {
			uint64_t idx = (uint64_t)seg * BOUNCE_SEGMENT + (uint64_t)at;
			uint64_t used = atomic_fetch_add(&p->used_slots, n) + n;
			unsigned long long hw = atomic_load(&p->high_water);

			while (used > hw &&
			       !atomic_compare_exchange_weak(&p->high_water, &hw, used))
				;
			atomic_fetch_add(&p->nmaps, 1);
			*slot = (uint32_t)idx;
			*nslots = n;
			*bus = p->base + idx * BOUNCE_SLOT_SIZE + offset;
			*err = 0;
			return mem + idx * BOUNCE_SLOT_SIZE + offset;
		}
	}
	atomic_fetch_add(&p->nfailed, 1);
	*err = -ENOSPC;
	return NULL;
}

void bounce_free(struct bounce_pool *p, uint32_t slot, uint32_t nslots)
{
	struct segment *s;

	if (!p || !nslots || slot / BOUNCE_SEGMENT >= p->nsegments)
		return;
	s = &p->segments[slot / BOUNCE_SEGMENT];
	spin_lock(&s->lock);
	mark(s, slot % BOUNCE_SEGMENT, nslots, 0);
	spin_unlock(&s->lock);
	atomic_fetch_sub(&p->used_slots, nslots);
}

void bounce_after_fork(struct bounce_pool *p)
{
	uint32_t i;

	if (!p)
		return;
	for (i = 0; i < p->nsegments; i++)
		atomic_store(&p->segments[i].lock.v, 0);
	pthread_mutex_init(&p->memory_lock, NULL);
}

void bounce_get_stats(const struct bounce_pool *p, struct bounce_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!p)
		return;
	st->slots_total = (uint64_t)p->nsegments * BOUNCE_SEGMENT;
	st->slots_used = atomic_load(&p->used_slots);
	st->high_water = atomic_load(&p->high_water);
	st->maps = atomic_load(&p->nmaps);
	st->failed = atomic_load(&p->nfailed);
}
