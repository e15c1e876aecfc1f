/* SPDX-License-Identifier: MIT */
/*
 * dma_pool for libdmasan_direct.so, with Linux's create-time rules. Block
 * size is at least 16 bytes and a multiple of the alignment; backing
 * "pages" of max(size, PAGE_SIZE) bytes come from dma_alloc_coherent() of
 * the pool's device and are carved so that no block crosses the boundary.
 * Free blocks form one LIFO list whose next pointer lives in the first
 * bytes of the free block itself, so alloc and free are O(1). Pages are
 * returned only by dma_pool_destroy(). Locking: one mutex per pool guards
 * the free list and the page list; page allocation runs unlocked.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>

#include "internal.h"

#define MIN_BLOCK_SIZE 16
#define POOL_NAME_LEN 32

/* One backing allocation; the list is guarded by the pool lock. */
struct pool_page {
	struct pool_page *next;
	void *vaddr;
	dma_addr_t dma;
};

struct dma_pool {
	char name[POOL_NAME_LEN];
	struct device *dev;
	size_t size;	   /* block size */
	size_t allocation; /* bytes per backing page */
	size_t boundary;   /* no block crosses a multiple of this */
	pthread_mutex_t lock;
	unsigned char *free_head; /* guarded by lock */
	struct pool_page *pages;  /* guarded by lock */
};

/* The in-band next pointer; blocks may be unaligned for a pointer. */
static unsigned char *block_next(const unsigned char *blk)
{
	unsigned char *next;

	memcpy(&next, blk, sizeof(next));
	return next;
}

static void block_set_next(unsigned char *blk, unsigned char *next)
{
	memcpy(blk, &next, sizeof(next));
}

static bool is_power_of_2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/**
 * dma_pool_create - a pool of @size-byte blocks for @dev.
 * @name: name of the pool (copied, truncated to 31 bytes)
 * @align: block alignment, a power of two, or 0 for 1
 * @boundary: power of two no block may cross, or 0 for none
 * @return the pool, or NULL for a NULL device, a bad @align, a @size of 0
 * or above INT_MAX, a @boundary that is not a power of two or is below the
 * block size, or no memory.
 */
struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size, size_t align,
				 size_t boundary)
{
	struct dma_pool *pool;
	size_t allocation;

	if (!direct_dev_ready(dev))
		return NULL;
	if (align == 0)
		align = 1;
	else if (!is_power_of_2(align))
		return NULL;
	if (size == 0 || size > INT_MAX)
		return NULL;
	if (size < MIN_BLOCK_SIZE)
		size = MIN_BLOCK_SIZE;
	if (size > SIZE_MAX - (align - 1))
		return NULL;
	size = (size + align - 1) & ~(align - 1);
	allocation = size > PAGE_SIZE ? size : PAGE_SIZE;
	if (boundary == 0)
		boundary = allocation;
	else if (!is_power_of_2(boundary) || boundary < size)
		return NULL;
	if (boundary > allocation)
		boundary = allocation;

	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return NULL;
	if (pthread_mutex_init(&pool->lock, NULL) != 0) {
		free(pool);
		return NULL;
	}
	snprintf(pool->name, sizeof(pool->name), "%s", name ? name : "");
	pool->dev = dev;
	pool->size = size;
	pool->allocation = allocation;
	pool->boundary = boundary;
	return pool;
}

/**
 * dma_pool_destroy - free @pool and every page it holds, including any
 * block still allocated. NULL is a no-op.
 */
void dma_pool_destroy(struct dma_pool *pool)
{
	struct pool_page *pg, *next;

	if (!pool)
		return;
	for (pg = pool->pages; pg; pg = next) {
		next = pg->next;
		dma_free_coherent(pool->dev, pool->allocation, pg->vaddr, pg->dma);
		free(pg);
	}
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

/*
 * Carve a fresh page into blocks, in address order, and put them at the
 * head of the free list so that they are handed out lowest first. A block
 * that would cross the boundary starts at the boundary instead. Call with
 * the pool lock held.
 */
static void pool_carve(struct dma_pool *pool, struct pool_page *pg)
{
	unsigned char *base = pg->vaddr, *first = NULL, *last = NULL;
	size_t off = 0, next_boundary = pool->boundary;

	while (off + pool->size <= pool->allocation) {
		if (off + pool->size > next_boundary) {
			off = next_boundary;
			next_boundary += pool->boundary;
			continue;
		}
		if (last)
			block_set_next(last, base + off);
		else
			first = base + off;
		last = base + off;
		off += pool->size;
	}
	if (!last)
		return;
	block_set_next(last, pool->free_head);
	pool->free_head = first;
}

/* Allocate one backing page (unlocked); NULL when out of memory. */
static struct pool_page *pool_new_page(struct dma_pool *pool, gfp_t mem_flags)
{
	struct pool_page *pg = malloc(sizeof(*pg));

	if (!pg)
		return NULL;
	pg->vaddr =
		dma_alloc_coherent(pool->dev, pool->allocation, &pg->dma, mem_flags & ~__GFP_ZERO);
	if (!pg->vaddr) {
		free(pg);
		return NULL;
	}
	return pg;
}

/**
 * dma_pool_alloc - take a block from @pool, growing it by a page if needed.
 * @mem_flags: __GFP_ZERO zeroes the block; other flags are ignored
 * @handle: set to the block's bus address on success
 * @return the block's CPU address, or NULL for a NULL pool or no memory.
 */
void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle)
{
	unsigned char *blk;

	if (!pool)
		return NULL;
	pthread_mutex_lock(&pool->lock);
	if (!pool->free_head) {
		struct pool_page *pg;

		pthread_mutex_unlock(&pool->lock);
		pg = pool_new_page(pool, mem_flags);
		if (!pg)
			return NULL;
		pthread_mutex_lock(&pool->lock);
		pg->next = pool->pages;
		pool->pages = pg;
		pool_carve(pool, pg);
	}
	blk = pool->free_head;
	if (blk)
		pool->free_head = block_next(blk);
	pthread_mutex_unlock(&pool->lock);
	if (!blk)
		return NULL;
	if (mem_flags & __GFP_ZERO)
		memset(blk, 0, pool->size);
	if (handle)
		*handle = direct_cpu_to_dma(pool->dev, blk);
	return blk;
}

/**
 * dma_pool_zalloc - dma_pool_alloc() of a zeroed block.
 * @return the block's CPU address, or NULL.
 */
void *dma_pool_zalloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle)
{
	return dma_pool_alloc(pool, mem_flags | __GFP_ZERO, handle);
}

/**
 * dma_pool_free - give a block back to @pool; @addr is not needed here.
 * A NULL pool or block is a no-op.
 */
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t addr)
{
	(void)addr;
	if (!pool || !vaddr)
		return;
	pthread_mutex_lock(&pool->lock);
	block_set_next(vaddr, pool->free_head);
	pool->free_head = vaddr;
	pthread_mutex_unlock(&pool->lock);
}
