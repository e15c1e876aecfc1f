/* SPDX-License-Identifier: MIT */
/*
 * <linux/mm.h>: pages for user-space driver tests. A struct page is opaque;
 * here a page pointer is the page-aligned address of the page itself, so
 * virt_to_page() and page_address() are exact inverses and a page pointer
 * can be stored in a scatterlist's page_link (its low bits stay free).
 * alloc_pages() returns page-aligned zeroed host memory.
 */
#ifndef DMASAN_LINUX_MM_H
#define DMASAN_LINUX_MM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/gfp.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

/** Opaque: never dereferenced; its address is the page's address. */
struct page;

static inline struct page *virt_to_page(const void *addr)
{
	return (struct page *)((uintptr_t)addr & PAGE_MASK);
}

static inline void *page_address(const struct page *page)
{
	return (void *)(uintptr_t)page;
}

static inline unsigned long offset_in_page(const void *addr)
{
	return (unsigned long)((uintptr_t)addr & ~PAGE_MASK);
}

static inline struct page *nth_page(struct page *page, unsigned long n)
{
	return (struct page *)((uintptr_t)page + n * PAGE_SIZE);
}

static inline unsigned int get_order(unsigned long size)
{
	unsigned int order = 0;

	size = (size - 1) >> PAGE_SHIFT;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

/**
 * alloc_pages - allocate 2^order zeroed, page-aligned pages of host memory.
 * @gfp: allocation flags (ignored but for the caller's documentation)
 * @order: log2 of the number of pages
 * @return the first page, or NULL when out of memory.
 */
static inline struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	size_t len = PAGE_SIZE << order;
	void *p;

	(void)gfp;
	p = aligned_alloc(PAGE_SIZE, len);
	if (!p)
		return NULL;
	memset(p, 0, len);
	return virt_to_page(p);
}

static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/** __free_pages - free pages from alloc_pages(); NULL is ignored. */
static inline void __free_pages(struct page *page, unsigned int order)
{
	(void)order;
	free(page_address(page));
}

static inline void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

#ifdef __cplusplus
}
#endif

#endif /* DMASAN_LINUX_MM_H */
