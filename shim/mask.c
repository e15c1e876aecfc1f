/* SPDX-License-Identifier: MIT */
/* Masks, segment limits and queries. */
#include <stdint.h>
#include "core/device.h"
#include "core/runtime.h"
#include "shim/shim.h"

EXPORT int dma_set_mask(struct device *dev, u64 mask)
{
	return core_set_mask(dev, mask, 0);
}

EXPORT int dma_set_coherent_mask(struct device *dev, u64 mask)
{
	return core_set_mask(dev, mask, 1);
}

EXPORT int dma_set_mask_and_coherent(struct device *dev, u64 mask)
{
	int rc = core_set_mask(dev, mask, 0);

	if (rc == 0)
		core_set_mask(dev, mask, 1);
	return rc;
}

EXPORT u64 dma_get_mask(struct device *dev)
{
	if (dev && dev->dma_mask && *dev->dma_mask)
		return *dev->dma_mask;
	return DMA_BIT_MASK(32);
}

EXPORT int dma_supported(struct device *dev, u64 mask)
{
	rt_init();
	return core_supported(dev, mask);
}

EXPORT int dma_set_max_seg_size(struct device *dev, unsigned int size)
{
	if (!dev || !dev->dma_parms)
		return -EIO;
	dev->dma_parms->max_segment_size = size;
	return 0;
}

EXPORT unsigned int dma_get_max_seg_size(struct device *dev)
{
	if (dev && dev->dma_parms && dev->dma_parms->max_segment_size)
		return dev->dma_parms->max_segment_size;
	return 65536;
}

EXPORT int dma_set_seg_boundary(struct device *dev, unsigned long mask)
{
	if (!dev || !dev->dma_parms)
		return -EIO;
	dev->dma_parms->segment_boundary_mask = mask;
	return 0;
}

EXPORT unsigned long dma_get_seg_boundary(struct device *dev)
{
	if (dev && dev->dma_parms && dev->dma_parms->segment_boundary_mask)
		return dev->dma_parms->segment_boundary_mask;
	return ~0UL;
}

EXPORT void dma_set_min_align_mask(struct device *dev, unsigned int min_align_mask)
{
	if (dev && dev->dma_parms)
		dev->dma_parms->min_align_mask = min_align_mask;
}

EXPORT size_t dma_max_mapping_size(struct device *dev)
{
	(void)dev;
	return SIZE_MAX;
}

EXPORT size_t dma_opt_mapping_size(struct device *dev)
{
	(void)dev;
	return SIZE_MAX;
}

EXPORT int dma_get_cache_alignment(void)
{
	rt_init();
	return (int)rt_options()->cache_line;
}

EXPORT bool dma_need_sync(struct device *dev, dma_addr_t dma_addr)
{
	(void)dma_addr;
	/* Under checking every sync matters, as with CONFIG_DMA_API_DEBUG. */
	(void)dev;
	return true;
}
