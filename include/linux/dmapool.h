/* SPDX-License-Identifier: MIT */
/*
 * <linux/dmapool.h>: pools of small coherent DMA blocks, with Linux's
 * create-time rules (NULL device, zero or huge size, non-power-of-two
 * align or boundary, boundary below size: NULL) and Linux's semantics:
 * blocks never cross the boundary, dma_pool_destroy(NULL) is a no-op.
 */
#ifndef DMASAN_LINUX_DMAPOOL_H
#define DMASAN_LINUX_DMAPOOL_H

#include <stddef.h>
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dma_pool;

struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size, size_t align,
				 size_t boundary);
void dma_pool_destroy(struct dma_pool *pool);
void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle);
void *dma_pool_zalloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle);
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t addr);

#ifdef __cplusplus
}
#endif

#endif /* DMASAN_LINUX_DMAPOOL_H */
