/* SPDX-License-Identifier: MIT */
/* dma_pool entry points. */
#include "core/pool.h"
#include "core/reenter.h"
#include "shim/shim.h"

EXPORT struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size,
					size_t align, size_t boundary)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return NULL;
	}
	return (struct dma_pool *)pool_create(name, dev, size, align, boundary);
}

EXPORT void dma_pool_destroy(struct dma_pool *pool)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	pool_destroy((struct dmpool *)pool);
}

EXPORT void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return NULL;
	}
	dma_addr_t dummy;

	return pool_alloc((struct dmpool *)pool, (mem_flags & __GFP_ZERO) != 0,
			  handle ? handle : &dummy);
}

EXPORT void *dma_pool_zalloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return NULL;
	}
	dma_addr_t dummy;

	(void)mem_flags;
	return pool_alloc((struct dmpool *)pool, 1, handle ? handle : &dummy);
}

EXPORT void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t addr)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	pool_free((struct dmpool *)pool, vaddr, addr);
}
