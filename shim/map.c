/* SPDX-License-Identifier: MIT */
/* Streaming map and unmap entry points: single, page, sg, sgtable, resource. */
#include "core/reenter.h"
#include "shim/shim.h"

EXPORT dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr, size_t size,
				       enum dma_data_direction dir, unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return reenter_untracked_map(ptr, size);
	}
	return core_map(dev, ptr, size, (int)dir, attrs, OBJ_SINGLE, "dma_map_single");
}

EXPORT void dma_unmap_single_attrs(struct device *dev, dma_addr_t addr, size_t size,
				   enum dma_data_direction dir, unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_unmap(dev, addr, size, (int)dir, attrs, OBJ_SINGLE,
				    "dma_unmap_single", CALLER);
		return;
	}
	core_unmap(dev, addr, size, (int)dir, attrs, OBJ_SINGLE, "dma_unmap_single", CALLER);
}

EXPORT dma_addr_t dma_map_page_attrs(struct device *dev, struct page *page, size_t offset,
				     size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return reenter_untracked_map(page ? (char *)page_address(page) + offset : NULL,
					     size);
	}
	char *p = page ? (char *)page_address(page) + offset : NULL;

	return core_map(dev, p, size, (int)dir, attrs, OBJ_PAGE, "dma_map_page");
}

EXPORT void dma_unmap_page_attrs(struct device *dev, dma_addr_t addr, size_t size,
				 enum dma_data_direction dir, unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_unmap(dev, addr, size, (int)dir, attrs, OBJ_PAGE, "dma_unmap_page",
				    CALLER);
		return;
	}
	core_unmap(dev, addr, size, (int)dir, attrs, OBJ_PAGE, "dma_unmap_page", CALLER);
}

EXPORT unsigned int dma_map_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
				     enum dma_data_direction dir, unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return 0; /* from a signal handler: a failed map */
	}
	return (unsigned int)core_map_sg(dev, sg, nents, (int)dir, attrs, "dma_map_sg");
}

EXPORT void dma_unmap_sg_attrs(struct device *dev, struct scatterlist *sg, int nents,
			       enum dma_data_direction dir, unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	core_unmap_sg(dev, sg, nents, (int)dir, attrs, "dma_unmap_sg", CALLER);
}

EXPORT int dma_map_sgtable(struct device *dev, struct sg_table *sgt, enum dma_data_direction dir,
			   unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return -EIO;
	}
	int n;

	if (!sgt)
		return -EINVAL;
	n = core_map_sg(dev, sgt->sgl, (int)sgt->orig_nents, (int)dir, attrs, "dma_map_sgtable");
	if (n <= 0)
		return !dev || !valid_dma_direction(dir) || !sgt->orig_nents ? -EINVAL : -EIO;
	sgt->nents = (unsigned int)n;
	return 0;
}

EXPORT void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt, enum dma_data_direction dir,
			      unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	if (!sgt)
		return;
	core_unmap_sg(dev, sgt->sgl, (int)sgt->orig_nents, (int)dir, attrs, "dma_unmap_sgtable",
		      CALLER);
}

EXPORT dma_addr_t dma_map_resource(struct device *dev, phys_addr_t phys_addr, size_t size,
				   enum dma_data_direction dir, unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return phys_addr;
	}
	return core_map_resource(dev, phys_addr, size, (int)dir, attrs);
}

EXPORT void dma_unmap_resource(struct device *dev, dma_addr_t addr, size_t size,
			       enum dma_data_direction dir, unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	core_unmap(dev, addr, size, (int)dir, attrs, OBJ_RESOURCE, "dma_unmap_resource", CALLER);
}

EXPORT int dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return dma_addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
	}
	return core_mapping_error(dev, dma_addr);
}

EXPORT dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size,
				 enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return reenter_untracked_map(ptr, size);
	}
	return core_map(dev, ptr, size, (int)dir, 0, OBJ_SINGLE, "dma_map_single");
}

EXPORT void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_unmap(dev, addr, size, (int)dir, 0, OBJ_SINGLE, "dma_unmap_single",
				    CALLER);
		return;
	}
	core_unmap(dev, addr, size, (int)dir, 0, OBJ_SINGLE, "dma_unmap_single", CALLER);
}

EXPORT dma_addr_t dma_map_page(struct device *dev, struct page *page, size_t offset, size_t size,
			       enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return reenter_untracked_map(page ? (char *)page_address(page) + offset : NULL,
					     size);
	}
	return core_map(dev, page ? (char *)page_address(page) + offset : NULL, size, (int)dir, 0,
			OBJ_PAGE, "dma_map_page");
}

EXPORT void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size,
			   enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_unmap(dev, addr, size, (int)dir, 0, OBJ_PAGE, "dma_unmap_page",
				    CALLER);
		return;
	}
	core_unmap(dev, addr, size, (int)dir, 0, OBJ_PAGE, "dma_unmap_page", CALLER);
}

EXPORT int dma_map_sg(struct device *dev, struct scatterlist *sg, int nents,
		      enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return 0;
	}
	return core_map_sg(dev, sg, nents, (int)dir, 0, "dma_map_sg");
}

EXPORT void dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
			 enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	core_unmap_sg(dev, sg, nents, (int)dir, 0, "dma_unmap_sg", CALLER);
}
