/* SPDX-License-Identifier: MIT */
/*
 * swiotlb: pools of bounce slots in simulated physical memory, backed by
 * host memory reserved on first use. The default pool (swiotlb_size=, 64
 * MiB) sits at the top of memory below 4 GiB; a devicetree
 * restricted-dma-pool is a device's own pool. Linux's geometry: 2 KiB slots in
 * segments of 128, so one bounce is at most 256 KiB and never crosses a
 * segment; a mapping of a page or more starts on a page; a device's
 * min_align_mask keeps those low bits of the original address in the
 * bounce address. The copies themselves are the cache model's BOUNCE
 * mode (core/cache.c).
 * Locking: one spinlock per segment; allocation starts at a segment chosen
 * by the thread, so threads rarely meet; statistics are atomics.
 */
#ifndef DMASAN_CORE_BOUNCE_H
#define DMASAN_CORE_BOUNCE_H

#include <stddef.h>
#include <stdint.h>

#define BOUNCE_SLOT_SHIFT 11
#define BOUNCE_SLOT_SIZE (1u << BOUNCE_SLOT_SHIFT)
#define BOUNCE_SEGMENT 128u
#define BOUNCE_MAX_MAPPING ((size_t)BOUNCE_SLOT_SIZE * BOUNCE_SEGMENT)

struct bounce_stats {
	uint64_t slots_total, slots_used, high_water;
	uint64_t maps, failed;
};

struct bounce_pool;

/**
 * bounce_init - set up the default pool of @size bytes (rounded down to
 * whole segments, at least one) at simulated physical @base. @return 0 or
 * -ENOMEM.
 */
int bounce_init(uint64_t base, size_t size);

/**
 * bounce_pool_create - another pool (a devicetree restricted-dma-pool)
 * at @base of @size bytes. NULL without memory.
 */
struct bounce_pool *bounce_pool_create(uint64_t base, size_t size);

/** bounce_default - the default pool (NULL before bounce_init()). */
struct bounce_pool *bounce_default(void);

/** bounce_base / bounce_size - a pool's simulated physical range. */
uint64_t bounce_base(const struct bounce_pool *p);
size_t bounce_size(const struct bounce_pool *p);

/**
 * bounce_alloc - slots of pool @p for @size bytes of the buffer at CPU address @cpu,
 * honouring @min_align_mask. @return the host memory of the bounce copy
 * of byte 0, with *@bus its simulated physical address and *@slot and *@nslots
 * the slots; NULL when @size is 0 or above BOUNCE_MAX_MAPPING (-E2BIG in
 * *@err), or when no run of free slots fits (-ENOSPC), or when the pool's
 * memory cannot be reserved (-ENOMEM).
 */
uint8_t *bounce_alloc(struct bounce_pool *p, uintptr_t cpu, size_t size,
		      unsigned int min_align_mask, uint64_t *bus, uint32_t *slot, uint32_t *nslots,
		      int *err);

/** bounce_free - give back what bounce_alloc() returned from @p. */
void bounce_free(struct bounce_pool *p, uint32_t slot, uint32_t nslots);

/** bounce_after_fork - in a forked child: @p's locks back to unlocked. */
void bounce_after_fork(struct bounce_pool *p);

/** bounce_get_stats - a snapshot of @p's counters (zeros for NULL). */
void bounce_get_stats(const struct bounce_pool *p, struct bounce_stats *s);

#endif /* DMASAN_CORE_BOUNCE_H */
