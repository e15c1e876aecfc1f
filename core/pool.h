/* SPDX-License-Identifier: MIT */
/*
 * dma_pool with Linux's rules and dma-debug's missing checks: blocks are
 * carved from coherent pages (tracked objects of type "pool page") so
 * that they never cross the pool's boundary; metadata lives out of band,
 * so a device or a CPU writing a freed block cannot corrupt the
 * allocator. Free blocks are poisoned (0xa7) and checked on reuse
 * (pool-corruption); double frees, foreign frees and busy destroys are
 * findings; every block remembers its allocation and free stacks.
 * Pools are never freed (a destroyed pool is marked so), which makes a
 * stale or garbage pool pointer detectable instead of fatal.
 * Locking: the pool list mutex (rank 1), then one mutex per pool (rank 2).
 */
#ifndef DMASAN_CORE_POOL_H
#define DMASAN_CORE_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/device.h>

struct dmpool;

struct dmpool *pool_create(const char *name, struct device *dev, size_t size, size_t align,
			   size_t boundary);
void pool_destroy(struct dmpool *pool);
void *pool_alloc(struct dmpool *pool, int zero, uint64_t *handle);
void pool_free(struct dmpool *pool, void *vaddr, uint64_t dma);

/** pool_after_fork - in a forked child: every pool lock back to unlocked. */
void pool_after_fork(void);

/** What a device access found in a pool page. */
struct pool_access {
	int state;	    /* 1 live block, 0 freed block, -1 no block there */
	const char *pool;   /* the pool's name */
	uint64_t block_off; /* offset of the block in the page */
	uint32_t alloc_stack, alloc_tid, free_stack, free_tid;
};

/**
 * pool_check_access - classify a device access of [off, off+len) of pool
 * page @ppage. Reads block states without the pool lock (they are single
 * bytes written under it; a racing free is a race the program has anyway).
 */
void pool_check_access(const void *ppage, uint64_t off, uint64_t len, struct pool_access *a);

#endif /* DMASAN_CORE_POOL_H */
