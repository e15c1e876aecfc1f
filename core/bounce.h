/* SPDX-License-Identifier: MIT */
/*
 * swiotlb: a pool of bounce slots below 4 GiB of simulated physical memory
 * (swiotlb_size=, 64 MiB by default, at the top of the DMA32 zone), backed
 * by host memory reserved on first use. Linux's geometry: 2 KiB slots in
 * segments of 128, so one bounce is at most 256 KiB and never crosses a
 * segment; a mapping of a page or more starts on a page; a device's
 * min_align_mask keeps those low bits of the original address in the
 * bounce address. The copies themselves are the cache model's BOUNCE
 * mode (core/cache.c).
 * Locking: one spinlock per segment; allocation starts at a rotating
 * segment so threads rarely meet; statistics are atomics.
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

/**
 * bounce_init - size the pool (rounded down to whole segments, at least
 * one). Its simulated physical base is DRAM_DMA32_END - size. @return 0.
 */
int bounce_init(size_t size);

/** bounce_base / bounce_size - the pool's simulated physical range. */
uint64_t bounce_base(void);
size_t bounce_size(void);

/**
 * bounce_alloc - slots for @size bytes of the buffer at CPU address @cpu,
 * honouring @min_align_mask. @return the host memory of the bounce copy
 * of byte 0, with *@bus its simulated physical address and *@slot and *@nslots
 * the slots; NULL when @size is 0 or above BOUNCE_MAX_MAPPING (-E2BIG in
 * *@err), or when no run of free slots fits (-ENOSPC), or when the pool's
 * memory cannot be reserved (-ENOMEM).
 */
uint8_t *bounce_alloc(uintptr_t cpu, size_t size, unsigned int min_align_mask, uint64_t *bus,
		      uint32_t *slot, uint32_t *nslots, int *err);

/** bounce_free - give back what bounce_alloc() returned. */
void bounce_free(uint32_t slot, uint32_t nslots);

/** bounce_get_stats - a snapshot of the counters. */
void bounce_get_stats(struct bounce_stats *s);

#endif /* DMASAN_CORE_BOUNCE_H */
