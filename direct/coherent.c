/* SPDX-License-Identifier: MIT */
/*
 * Coherent and non-coherent allocations for libdmasan_direct.so, and the
 * per-device regions of dma_declare_coherent_memory(). Ordinary memory is
 * zeroed host memory, page-aligned and naturally aligned to its power-of-
 * two page count (up to 2 MiB, like the page allocator), with identity bus
 * addresses. A device with a declared region allocates only from it: a
 * first-fit bitmap of naturally aligned power-of-two page blocks, with no
 * fallback when it is full (as Linux); bus addresses there are the
 * region's device address plus the offset. Locking: region_lock guards the
 * region list and every bitmap; nr_regions lets the common case (no
 * region anywhere) skip the lock.
 */
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-mapping.h>

#include "internal.h"

/* Natural alignment of ordinary allocations stops at 2^9 pages (2 MiB). */
#define MAX_ALIGN_ORDER 9
#define BITS_PER_WORD (sizeof(unsigned long) * CHAR_BIT)

/* One declared region. All fields but the bitmaps are set before the
 * region is published and never change; bitmap and order need region_lock. */
struct coh_region {
	struct coh_region *next;
	const struct device *dev;
	unsigned char *base;   /* host memory, PAGE_ALIGN(size) bytes */
	dma_addr_t dev_base;   /* bus address of base */
	size_t size;	       /* bytes the device sees */
	size_t npages;	       /* whole pages, the allocatable part */
	unsigned long *bitmap; /* one bit per page, set = allocated */
	unsigned char *order;  /* order of the block starting at each page */
};

static pthread_mutex_t region_lock = PTHREAD_MUTEX_INITIALIZER;
static struct coh_region *regions; /* guarded by region_lock */
static unsigned int nr_regions;	   /* atomic; hint for the fast path */

static bool have_regions(void)
{
	return __atomic_load_n(&nr_regions, __ATOMIC_ACQUIRE) != 0;
}

/* Call with region_lock held. */
static struct coh_region *region_of_dev(const struct device *dev)
{
	struct coh_region *r;

	for (r = regions; r; r = r->next)
		if (r->dev == dev)
			return r;
	return NULL;
}

/* Call with region_lock held. */
static struct coh_region *region_of_cpu(const void *cpu_addr)
{
	uintptr_t p = (uintptr_t)cpu_addr;
	struct coh_region *r;

	for (r = regions; r; r = r->next)
		if (p >= (uintptr_t)r->base && p - (uintptr_t)r->base < r->size)
			return r;
	return NULL;
}

static bool page_used(const struct coh_region *r, size_t pg)
{
	return (r->bitmap[pg / BITS_PER_WORD] >> (pg % BITS_PER_WORD)) & 1;
}

static void pages_mark(struct coh_region *r, size_t pg, size_t n, bool used)
{
	size_t i;

	for (i = pg; i < pg + n; i++) {
		unsigned long bit = 1UL << (i % BITS_PER_WORD);

		if (used)
			r->bitmap[i / BITS_PER_WORD] |= bit;
		else
			r->bitmap[i / BITS_PER_WORD] &= ~bit;
	}
}

/* First fit of 2^order pages aligned to 2^order. Call with region_lock. */
static void *region_alloc(struct coh_region *r, size_t size, dma_addr_t *dma_handle)
{
	unsigned int order = get_order(size);
	size_t n, pg, i;

	if (order >= sizeof(size_t) * CHAR_BIT - PAGE_SHIFT)
		return NULL;
	n = (size_t)1 << order;
	for (pg = 0; n <= r->npages && pg <= r->npages - n; pg += n) {
		for (i = 0; i < n && !page_used(r, pg + i); i++)
			;
		if (i < n)
			continue;
		pages_mark(r, pg, n, true);
		r->order[pg] = (unsigned char)order;
		memset(r->base + pg * PAGE_SIZE, 0, n * PAGE_SIZE);
		if (dma_handle)
			*dma_handle = r->dev_base + pg * PAGE_SIZE;
		return r->base + pg * PAGE_SIZE;
	}
	return NULL;
}

/* Zeroed, naturally aligned host memory; @size is a non-zero page multiple. */
static void *host_alloc(size_t size)
{
	unsigned int order = get_order(size);
	void *p = NULL;

	if (order > MAX_ALIGN_ORDER)
		order = MAX_ALIGN_ORDER;
	if (posix_memalign(&p, PAGE_SIZE << order, size) != 0)
		return NULL;
	memset(p, 0, size);
	return p;
}

/* Free coherent memory from either source; NULL is ignored. */
static void coh_free(void *cpu_addr)
{
	struct coh_region *r = NULL;

	if (!cpu_addr)
		return;
	if (have_regions()) {
		pthread_mutex_lock(&region_lock);
		r = region_of_cpu(cpu_addr);
		if (r) {
			size_t pg = (size_t)((unsigned char *)cpu_addr - r->base) / PAGE_SIZE;

			pages_mark(r, pg, (size_t)1 << r->order[pg], false);
		}
		pthread_mutex_unlock(&region_lock);
	}
	if (!r)
		free(cpu_addr);
}

/*
 * Rounded size of a request, or 0 when it is empty or larger than any
 * object can be (PTRDIFF_MAX, which also covers rounding overflow).
 */
static size_t alloc_size(size_t size)
{
	if (size == 0 || size > (size_t)PTRDIFF_MAX - (PAGE_SIZE - 1))
		return 0;
	return PAGE_ALIGN(size);
}

dma_addr_t direct_cpu_to_dma(const struct device *dev, const void *cpu_addr)
{
	dma_addr_t dma = (dma_addr_t)(uintptr_t)cpu_addr;
	struct coh_region *r;

	if (!have_regions())
		return dma;
	pthread_mutex_lock(&region_lock);
	r = region_of_dev(dev);
	if (r && (uintptr_t)cpu_addr >= (uintptr_t)r->base &&
	    (uintptr_t)cpu_addr - (uintptr_t)r->base < r->size)
		dma = r->dev_base + ((uintptr_t)cpu_addr - (uintptr_t)r->base);
	pthread_mutex_unlock(&region_lock);
	return dma;
}

void *direct_dma_to_cpu(const struct device *dev, dma_addr_t addr, size_t len)
{
	void *cpu = (void *)(uintptr_t)addr;
	struct coh_region *r;

	if (!have_regions())
		return cpu;
	pthread_mutex_lock(&region_lock);
	r = region_of_dev(dev);
	if (r && addr >= r->dev_base && addr - r->dev_base < r->size) {
		size_t off = (size_t)(addr - r->dev_base);

		cpu = len <= r->size - off ? r->base + off : NULL;
	}
	pthread_mutex_unlock(&region_lock);
	return cpu;
}

/**
 * dma_alloc_attrs - allocate @size bytes of zeroed memory shared with @dev,
 * from its declared region when it has one (no fallback), else from the
 * host.
 * @dma_handle: set to the bus address on success
 * @return the CPU address, or NULL for a NULL device, size 0, a size that
 * overflows page rounding, a full region or no memory.
 */
void *dma_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t flag,
		      unsigned long attrs)
{
	size_t len = alloc_size(size);
	void *p;

	(void)flag;
	(void)attrs;
	if (!direct_dev_ready(dev) || len == 0)
		return NULL;
	if (have_regions()) {
		struct coh_region *r;

		pthread_mutex_lock(&region_lock);
		r = region_of_dev(dev);
		p = r ? region_alloc(r, len, dma_handle) : NULL;
		pthread_mutex_unlock(&region_lock);
		if (r)
			return p;
	}
	p = host_alloc(len);
	if (p && dma_handle)
		*dma_handle = (dma_addr_t)(uintptr_t)p;
	return p;
}

/** dma_free_attrs - free memory from dma_alloc_attrs(); NULL is a no-op. */
void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_handle,
		    unsigned long attrs)
{
	(void)dev;
	(void)size;
	(void)dma_handle;
	(void)attrs;
	coh_free(cpu_addr);
}

/**
 * dma_alloc_coherent - dma_alloc_attrs() with no attributes.
 * @return the CPU address, or NULL.
 */
void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp)
{
	return dma_alloc_attrs(dev, size, dma_handle, gfp, 0);
}

/** dma_free_coherent - free memory from dma_alloc_coherent(). */
void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_handle)
{
	dma_free_attrs(dev, size, cpu_addr, dma_handle, 0);
}

/**
 * dma_alloc_noncoherent - allocate zeroed memory the driver keeps in sync
 * with dma_sync_single_*(); never from a declared region, as in Linux.
 * @return the CPU address, or NULL (as dma_alloc_attrs()).
 */
void *dma_alloc_noncoherent(struct device *dev, size_t size, dma_addr_t *dma_handle,
			    enum dma_data_direction dir, gfp_t gfp)
{
	size_t len = alloc_size(size);
	void *p;

	(void)dir;
	(void)gfp;
	if (!direct_dev_ready(dev) || len == 0)
		return NULL;
	p = host_alloc(len);
	if (p && dma_handle)
		*dma_handle = (dma_addr_t)(uintptr_t)p;
	return p;
}

/** dma_free_noncoherent - free memory from dma_alloc_noncoherent(). */
void dma_free_noncoherent(struct device *dev, size_t size, void *vaddr, dma_addr_t dma_handle,
			  enum dma_data_direction dir)
{
	(void)dev;
	(void)size;
	(void)dma_handle;
	(void)dir;
	coh_free(vaddr);
}

/**
 * dma_alloc_pages - dma_alloc_noncoherent() returning the first page.
 * @return the page, or NULL.
 */
struct page *dma_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
			     enum dma_data_direction dir, gfp_t gfp)
{
	void *p = dma_alloc_noncoherent(dev, size, dma_handle, dir, gfp);

	return p ? virt_to_page(p) : NULL;
}

/** dma_free_pages - free pages from dma_alloc_pages(); NULL is a no-op. */
void dma_free_pages(struct device *dev, size_t size, struct page *page, dma_addr_t dma_handle,
		    enum dma_data_direction dir)
{
	dma_free_noncoherent(dev, size, page_address(page), dma_handle, dir);
}

/**
 * dma_get_sgtable_attrs - describe a coherent buffer as a one-entry table
 * of PAGE_ALIGN(@size) bytes starting at @cpu_addr's page.
 * @return 0; -ENOMEM when the table cannot be allocated; -EINVAL for a NULL
 * device or table, or a size too large for one entry.
 */
int dma_get_sgtable_attrs(struct device *dev, struct sg_table *sgt, void *cpu_addr,
			  dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	size_t len = alloc_size(size);
	int rc;

	(void)dma_addr;
	(void)attrs;
	if (!direct_dev_ready(dev) || !sgt || len > UINT_MAX)
		return -EINVAL;
	rc = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (rc)
		return rc == -EINVAL ? -EINVAL : -ENOMEM;
	sg_set_page(sgt->sgl, virt_to_page(cpu_addr), (unsigned int)len, 0);
	return 0;
}

/**
 * dma_declare_coherent_memory - give @dev a private region of @size bytes
 * that all its coherent allocations come from. In user space the region
 * is fresh host memory; @phys_addr is ignored and bus addresses start at
 * @device_addr.
 * @return 0; -EINVAL for a NULL device, size 0 or a region that would wrap
 * the bus address space; -EBUSY when @dev already has a region; -ENOMEM.
 */
int dma_declare_coherent_memory(struct device *dev, phys_addr_t phys_addr, dma_addr_t device_addr,
				size_t size)
{
	size_t len = alloc_size(size);
	size_t npages = size >> PAGE_SHIFT;
	size_t words = npages / BITS_PER_WORD + 1;
	struct coh_region *r;
	void *mem = NULL;
	int rc = -ENOMEM;

	(void)phys_addr;
	if (!direct_dev_ready(dev) || len == 0 || device_addr + (size - 1) < device_addr)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->dev = dev;
	r->dev_base = device_addr;
	r->size = size;
	r->npages = npages;
	r->bitmap = calloc(words, sizeof(*r->bitmap));
	r->order = calloc(npages + 1, 1);
	if (!r->bitmap || !r->order || posix_memalign(&mem, PAGE_SIZE, len) != 0)
		goto fail;
	memset(mem, 0, len);
	r->base = mem;

	pthread_mutex_lock(&region_lock);
	if (region_of_dev(dev)) {
		rc = -EBUSY;
	} else {
		r->next = regions;
		regions = r;
		__atomic_add_fetch(&nr_regions, 1, __ATOMIC_RELEASE);
		rc = 0;
	}
	pthread_mutex_unlock(&region_lock);
	if (rc == 0)
		return 0;
fail:
	free(r->base);
	free(r->order);
	free(r->bitmap);
	free(r);
	return rc;
}

/**
 * dma_release_coherent_memory - undo dma_declare_coherent_memory(); the
 * region's memory is freed, so nothing allocated from it may be used or
 * freed afterwards. A device without a region is ignored.
 */
void dma_release_coherent_memory(struct device *dev)
{
	struct coh_region **pp, *r = NULL;

	if (!dev)
		return;
	pthread_mutex_lock(&region_lock);
	for (pp = &regions; *pp; pp = &(*pp)->next) {
		if ((*pp)->dev == dev) {
			r = *pp;
			*pp = r->next;
			__atomic_sub_fetch(&nr_regions, 1, __ATOMIC_RELEASE);
			break;
		}
	}
	pthread_mutex_unlock(&region_lock);
	if (!r)
		return;
	free(r->base);
	free(r->order);
	free(r->bitmap);
	free(r);
}
