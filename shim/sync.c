/* SPDX-License-Identifier: MIT */
/* Ownership-transfer entry points: the dma_sync_* family. */
#include "core/reenter.h"
#include "shim/shim.h"

EXPORT void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
				    enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_sync(dev, addr, size, (int)dir, 1, "dma_sync_single_for_cpu", CALLER);
		return;
	}
	core_sync(dev, addr, size, (int)dir, 1, "dma_sync_single_for_cpu", CALLER);
}

EXPORT void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				       enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_sync(dev, addr, size, (int)dir, 0, "dma_sync_single_for_device",
				   CALLER);
		return;
	}
	core_sync(dev, addr, size, (int)dir, 0, "dma_sync_single_for_device", CALLER);
}

EXPORT void dma_sync_single_range_for_cpu(struct device *dev, dma_addr_t addr, unsigned long offset,
					  size_t size, enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_sync(dev, addr + offset, size, (int)dir, 1,
				   "dma_sync_single_range_for_cpu", CALLER);
		return;
	}
	core_sync(dev, addr + offset, size, (int)dir, 1, "dma_sync_single_range_for_cpu", CALLER);
}

EXPORT void dma_sync_single_range_for_device(struct device *dev, dma_addr_t addr,
					     unsigned long offset, size_t size,
					     enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_sync(dev, addr + offset, size, (int)dir, 0,
				   "dma_sync_single_range_for_device", CALLER);
		return;
	}
	core_sync(dev, addr + offset, size, (int)dir, 0, "dma_sync_single_range_for_device",
		  CALLER);
}

EXPORT void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nelems,
				enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	core_sync_sg(dev, sg, nelems, (int)dir, 1, "dma_sync_sg_for_cpu", CALLER);
}

EXPORT void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nelems,
				   enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	core_sync_sg(dev, sg, nelems, (int)dir, 0, "dma_sync_sg_for_device", CALLER);
}

EXPORT void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt,
				     enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	if (sgt)
		core_sync_sg(dev, sgt->sgl, (int)sgt->orig_nents, (int)dir, 1,
			     "dma_sync_sgtable_for_cpu", CALLER);
}

EXPORT void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
					enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	if (sgt)
		core_sync_sg(dev, sgt->sgl, (int)sgt->orig_nents, (int)dir, 0,
			     "dma_sync_sgtable_for_device", CALLER);
}
