/* SPDX-License-Identifier: MIT */
/*
 * Streaming mappings and syncs for libdmasan_direct.so. Bus addresses are
 * the CPU addresses themselves (dma = (uintptr_t)ptr), so a map computes an
 * address, an unmap forgets nothing and a sync has nothing to copy: the
 * device model reads and writes the very bytes the CPU sees. No state, no
 * locking; the only failures are the ones Linux reports for bad input
 * (NULL device, empty or short scatterlists).
 */
#include <limits.h>
#include <stdint.h>
#include <linux/dma-mapping.h>

#include "internal.h"

/* The CPU address an sg entry describes, without dereferencing anything. */
static dma_addr_t sg_bus_addr(const struct scatterlist *sg)
{
	return (dma_addr_t)((sg->page_link & ~SG_PAGE_LINK_MASK) + sg->offset);
}

/**
 * dma_map_single_attrs - map @size bytes at @ptr for @dev.
 * @return the bus address (the identity), or DMA_MAPPING_ERROR for a NULL
 * device.
 */
dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr, size_t size,
				enum dma_data_direction dir, unsigned long attrs)
{
	(void)size;
	(void)dir;
	(void)attrs;
	if (!direct_dev_ready(dev))
		return DMA_MAPPING_ERROR;
	return (dma_addr_t)(uintptr_t)ptr;
}

/** dma_unmap_single_attrs - end a mapping from dma_map_single_attrs(). */
void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	(void)dev;
	(void)addr;
	(void)size;
	(void)dir;
	(void)attrs;
}

/**
 * dma_map_page_attrs - map @size bytes at @offset into @page.
 * @return page_address(@page) + @offset, or DMA_MAPPING_ERROR for a NULL
 * device.
 */
dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page, size_t offset, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	(void)size;
	(void)dir;
	(void)attrs;
	if (!direct_dev_ready(dev))
		return DMA_MAPPING_ERROR;
	return (dma_addr_t)((uintptr_t)page + offset);
}

/** dma_unmap_page_attrs - end a mapping from dma_map_page_attrs(). */
void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr, size_t size,
			  enum dma_data_direction dir, unsigned long attrs)
{
	(void)dev;
	(void)addr;
	(void)size;
	(void)dir;
	(void)attrs;
}

/**
 * dma_map_sg_attrs - map the first @nents entries of @sg (chains followed):
 * each entry's dma_address becomes its CPU address and dma_length its
 * length; entries are never merged.
 * @return @nents, or 0 for a NULL device or list, @nents <= 0, or a list
 * shorter than @nents.
 */
unsigned int dma_map_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			      enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *s = sg;
	int i;

	(void)dir;
	(void)attrs;
	if (!direct_dev_ready(dev) || !sg || nents <= 0)
		return 0;
	for (i = 0; i < nents; i++) {
		if (!s)
			return 0;
		s->dma_address = sg_bus_addr(s);
		s->dma_length = s->length;
		s = sg_next(s);
	}
	return (unsigned int)nents;
}

/** dma_unmap_sg_attrs - end a mapping from dma_map_sg_attrs(). */
void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	(void)dev;
	(void)sg;
	(void)nents;
	(void)dir;
	(void)attrs;
}

/**
 * dma_map_sgtable - map the orig_nents entries of @sgt and set sgt->nents.
 * @return 0; -EIO for a NULL device; -EINVAL for a NULL table or list, no
 * entries, more than INT_MAX entries, or a list shorter than orig_nents.
 */
int dma_map_sgtable(struct device *dev, struct sg_table *sgt, enum dma_data_direction dir,
		    unsigned long attrs)
{
	unsigned int n;

	if (!direct_dev_ready(dev))
		return -EIO;
	if (!sgt || !sgt->sgl || sgt->orig_nents == 0 || sgt->orig_nents > INT_MAX)
		return -EINVAL;
	n = dma_map_sg_attrs(dev, sgt->sgl, (int)sgt->orig_nents, dir, attrs);
	if (n == 0)
		return -EINVAL;
	sgt->nents = n;
	return 0;
}

/** dma_unmap_sgtable - end a mapping from dma_map_sgtable(). */
void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt, enum dma_data_direction dir,
		       unsigned long attrs)
{
	(void)dev;
	(void)sgt;
	(void)dir;
	(void)attrs;
}

/**
 * dma_map_resource - map an MMIO range of another device for peer DMA.
 * @return @phys_addr unchanged, or DMA_MAPPING_ERROR for a NULL device.
 */
dma_addr_t dma_map_resource(struct device *dev, phys_addr_t phys_addr, size_t size,
			    enum dma_data_direction dir, unsigned long attrs)
{
	(void)size;
	(void)dir;
	(void)attrs;
	if (!direct_dev_ready(dev))
		return DMA_MAPPING_ERROR;
	return phys_addr;
}

/** dma_unmap_resource - end a mapping from dma_map_resource(). */
void dma_unmap_resource(struct device *dev, dma_addr_t addr, size_t size,
			enum dma_data_direction dir, unsigned long attrs)
{
	(void)dev;
	(void)addr;
	(void)size;
	(void)dir;
	(void)attrs;
}

/**
 * dma_mapping_error - whether a map failed.
 * @return -ENOMEM when @dma_addr is DMA_MAPPING_ERROR, else 0.
 */
int dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	(void)dev;
	return dma_addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
}

/** dma_map_single - dma_map_single_attrs() with no attributes. */
dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size, enum dma_data_direction dir)
{
	return dma_map_single_attrs(dev, ptr, size, dir, 0);
}

/** dma_unmap_single - dma_unmap_single_attrs() with no attributes. */
void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	dma_unmap_single_attrs(dev, addr, size, dir, 0);
}

/** dma_map_page - dma_map_page_attrs() with no attributes. */
dma_addr_t dma_map_page(struct device *dev, struct page *page, size_t offset, size_t size,
			enum dma_data_direction dir)
{
	return dma_map_page_attrs(dev, page, offset, size, dir, 0);
}

/** dma_unmap_page - dma_unmap_page_attrs() with no attributes. */
void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	dma_unmap_page_attrs(dev, addr, size, dir, 0);
}

/**
 * dma_map_sg - dma_map_sg_attrs() with no attributes.
 * @return the mapped count, or 0 on failure.
 */
int dma_map_sg(struct device *dev, struct scatterlist *sg, int nents, enum dma_data_direction dir)
{
	return (int)dma_map_sg_attrs(dev, sg, nents, dir, 0);
}

/** dma_unmap_sg - dma_unmap_sg_attrs() with no attributes. */
void dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
		  enum dma_data_direction dir)
{
	dma_unmap_sg_attrs(dev, sg, nents, dir, 0);
}

/** dma_sync_single_for_cpu - give a mapping to the CPU: nothing to do. */
void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	(void)dev;
	(void)addr;
	(void)size;
	(void)dir;
}

/** dma_sync_single_for_device - give a mapping to the device: nothing to do. */
void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	(void)dev;
	(void)addr;
	(void)size;
	(void)dir;
}

/** dma_sync_single_range_for_cpu - partial dma_sync_single_for_cpu(). */
void dma_sync_single_range_for_cpu(struct device *dev, dma_addr_t addr, unsigned long offset,
				   size_t size, enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr + offset, size, dir);
}

/** dma_sync_single_range_for_device - partial dma_sync_single_for_device(). */
void dma_sync_single_range_for_device(struct device *dev, dma_addr_t addr, unsigned long offset,
				      size_t size, enum dma_data_direction dir)
{
	dma_sync_single_for_device(dev, addr + offset, size, dir);
}

/** dma_sync_sg_for_cpu - give an sg mapping to the CPU: nothing to do. */
void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nelems,
			 enum dma_data_direction dir)
{
	(void)dev;
	(void)sg;
	(void)nelems;
	(void)dir;
}

/** dma_sync_sg_for_device - give an sg mapping to the device: nothing to do. */
void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nelems,
			    enum dma_data_direction dir)
{
	(void)dev;
	(void)sg;
	(void)nelems;
	(void)dir;
}

/** dma_sync_sgtable_for_cpu - dma_sync_sg_for_cpu() on a table's entries. */
void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt, enum dma_data_direction dir)
{
	if (sgt)
		dma_sync_sg_for_cpu(dev, sgt->sgl, (int)sgt->orig_nents, dir);
}

/** dma_sync_sgtable_for_device - dma_sync_sg_for_device() on a table. */
void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
				 enum dma_data_direction dir)
{
	if (sgt)
		dma_sync_sg_for_device(dev, sgt->sgl, (int)sgt->orig_nents, dir);
}
