/* SPDX-License-Identifier: MIT */
/*
 * <linux/slab.h>: kmalloc and friends for user-space driver tests. As on
 * arm64, every allocation is aligned to ARCH_DMA_MINALIGN and rounded up
 * to it, so a kmalloc()ed buffer never shares a cache line with other
 * data and can be mapped for DMA on a non-coherent device (plain malloc()
 * gives no such guarantee). GFP flags are accepted; __GFP_ZERO zeroes.
 */
#ifndef DMASAN_LINUX_SLAB_H
#define DMASAN_LINUX_SLAB_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/gfp.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARCH_DMA_MINALIGN
#define ARCH_DMA_MINALIGN 64
#endif
#define ARCH_KMALLOC_MINALIGN ARCH_DMA_MINALIGN

/** kmalloc - @size bytes aligned to ARCH_DMA_MINALIGN; NULL for 0 or on failure. */
static inline void *kmalloc(size_t size, gfp_t flags)
{
	size_t rounded = (size + ARCH_DMA_MINALIGN - 1) & ~(size_t)(ARCH_DMA_MINALIGN - 1);
	void *p;

	if (size == 0 || rounded < size)
		return NULL;
	p = aligned_alloc(ARCH_DMA_MINALIGN, rounded);
	if (p && (flags & __GFP_ZERO))
		memset(p, 0, rounded);
	return p;
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kmalloc(n * size, flags);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

/** kfree - free what kmalloc() returned; NULL is ignored. */
static inline void kfree(const void *p)
{
	free((void *)(uintptr_t)p);
}

#ifdef __cplusplus
}
#endif

#endif /* DMASAN_LINUX_SLAB_H */
