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

static size_t pool_size = 64u << 20;
static uint32_t nsegments;
static struct segment *segments;
static uint8_t *memory;
static pthread_mutex_t memory_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint next_segment;
static atomic_ullong used_slots, high_water, nmaps, nfailed;

int bounce_init(size_t size)
{
	uint32_t n = (uint32_t)(size / BOUNCE_MAX_MAPPING);

	if (n == 0)
		n = 1;
	nsegments = n;
	pool_size = (size_t)n * BOUNCE_MAX_MAPPING;
	segments = heap_calloc(n, sizeof(*segments));
	return segments ? 0 : -ENOMEM;
}

uint64_t bounce_base(void)
{
	return DRAM_DMA32_END - pool_size;
}

size_t bounce_size(void)
{
	return pool_size;
}

static uint8_t *pool_memory(void)
{
	uint8_t *m = __atomic_load_n(&memory, __ATOMIC_ACQUIRE);

	if (m)
		return m;
	pthread_mutex_lock(&memory_lock);
	if (!memory)
		__atomic_store_n(&memory, plat_map_anon(pool_size), __ATOMIC_RELEASE);
	m = memory;
	pthread_mutex_unlock(&memory_lock);
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
static long find_run(const struct segment *s, uint32_t seg, uint32_t n, uint32_t stride,
		     uint64_t want_bits, uint64_t hi_mask)
{
	uint32_t i, j;

	for (i = 0; i + n <= BOUNCE_SEGMENT; i += stride) {
		uint64_t phys =
			bounce_base() + ((uint64_t)seg * BOUNCE_SEGMENT + i) * BOUNCE_SLOT_SIZE;

		if ((phys & hi_mask) != want_bits)
			continue;
		for (j = 0; j < n && !slot_used(s, i + j); j++)
			;
		if (j == n)
			return (long)i;
	}
	return -1;
}

uint8_t *bounce_alloc(uintptr_t cpu, size_t size, unsigned int min_align_mask, uint64_t *bus,
		      uint32_t *slot, uint32_t *nslots, int *err)
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
	mem = pool_memory();
	if (!mem || !segments) {
		*err = -ENOMEM;
		return NULL;
	}
	n = (uint32_t)((offset + size + BOUNCE_SLOT_SIZE - 1) >> BOUNCE_SLOT_SHIFT);
	stride = size >= 4096 ? 2 : 1;
	if (hi_mask)
		stride = 1;
	start = atomic_fetch_add_explicit(&next_segment, 1, memory_order_relaxed);
	for (k = 0; k < nsegments; k++) {
		uint32_t seg = (start + k) % nsegments;
		struct segment *s = &segments[seg];
		long at;

		spin_lock(&s->lock);
		at = find_run(s, seg, n, stride, want, hi_mask);
		if (at >= 0)
			mark(s, (uint32_t)at, n, 1);
		spin_unlock(&s->lock);
		if (at >= 0) {
			uint64_t idx = (uint64_t)seg * BOUNCE_SEGMENT + (uint64_t)at;
			uint64_t used = atomic_fetch_add(&used_slots, n) + n;
			uint64_t hw = atomic_load(&high_water);

			while (used > hw && !atomic_compare_exchange_weak(&high_water, &hw, used))
				;
			atomic_fetch_add(&nmaps, 1);
			*slot = (uint32_t)idx;
			*nslots = n;
			*bus = bounce_base() + idx * BOUNCE_SLOT_SIZE + offset;
			*err = 0;
			return mem + idx * BOUNCE_SLOT_SIZE + offset;
		}
	}
	atomic_fetch_add(&nfailed, 1);
	*err = -ENOSPC;
	return NULL;
}

void bounce_free(uint32_t slot, uint32_t nslots)
{
	struct segment *s;

	if (!nslots || !segments || slot / BOUNCE_SEGMENT >= nsegments)
		return;
	s = &segments[slot / BOUNCE_SEGMENT];
	spin_lock(&s->lock);
	mark(s, slot % BOUNCE_SEGMENT, nslots, 0);
	spin_unlock(&s->lock);
	atomic_fetch_sub(&used_slots, nslots);
}

void bounce_get_stats(struct bounce_stats *st)
{
	st->slots_total = (uint64_t)nsegments * BOUNCE_SEGMENT;
	st->slots_used = atomic_load(&used_slots);
	st->high_water = atomic_load(&high_water);
	st->maps = atomic_load(&nmaps);
	st->failed = atomic_load(&nfailed);
}
