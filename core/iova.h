/* SPDX-License-Identifier: MIT */
/*
 * IOVA allocation for devices behind a simulated IOMMU: each such device
 * has its own bus address space, handed out in 4 KiB pages top-down from
 * just below its DMA mask (as Linux's IOVA allocator does), with freed
 * ranges reused by size (exact bins up to 64 pages, first fit above).
 * Page 0 is never handed out. A bus address keeps the page offset of the
 * CPU address it maps.
 * Locking: one spinlock per space.
 */
#ifndef DMASAN_CORE_IOVA_H
#define DMASAN_CORE_IOVA_H

#include <stdint.h>

struct iova_space;

/** iova_create - a space whose top is @limit (a DMA mask). NULL without memory. */
struct iova_space *iova_create(uint64_t limit);

/**
 * iova_alloc - @pages pages below @limit (the caller's mask; the space
 * never grows above its creation limit), the first page a multiple of
 * @align pages (a power of two; 1 for none). @return the first page's bus
 * address, or 0 when the space is exhausted.
 */
uint64_t iova_alloc(struct iova_space *s, uint64_t pages, uint64_t limit, uint64_t align);

/** iova_free - give back @pages pages at bus address @addr (page-aligned). */
void iova_free(struct iova_space *s, uint64_t addr, uint64_t pages);

#endif /* DMASAN_CORE_IOVA_H */
