/* SPDX-License-Identifier: MIT */
/*
 * Devices, masks and limits for libdmasan_direct.so. Registration points
 * dev->dma_mask at dev->coherent_dma_mask, as a platform bus does; a device
 * whose dma_mask is NULL is unregistered and gets the defaults (32-bit
 * masks) on first use. Invariant: dma_mask is published last, with release
 * order, so a thread that sees it non-NULL also sees the default mask.
 * Locking: one registration lock for the slow path; the masks themselves
 * are plain fields the driver owns, as in Linux.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <dmasan/dmasan.h>
#include <linux/dma-mapping.h>

#include "internal.h"

/* Linux's defaults when a device has no struct device_dma_parameters. */
#define DEFAULT_MAX_SEG_SIZE 65536u
#define DEFAULT_SEG_BOUNDARY ULONG_MAX
#define CACHE_LINE_BYTES 64

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

bool direct_dev_register_slow(struct device *dev)
{
	pthread_mutex_lock(&reg_lock);
	if (!__atomic_load_n(&dev->dma_mask, __ATOMIC_ACQUIRE)) {
		/* Keep a coherent mask the driver stored by hand. */
		if (!dev->coherent_dma_mask)
			dev->coherent_dma_mask = DMA_BIT_MASK(32);
		__atomic_store_n(&dev->dma_mask, &dev->coherent_dma_mask, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&reg_lock);
	return true;
}

/**
 * dmasan_device_add - register @dev as a bus does at probe.
 * @dev: the device
 * @name: name for reports, or NULL to keep dev->init_name
 * @info: hardware properties, or NULL; only the coherence is recorded here
 * @return 0, or -EINVAL for a NULL @dev. Registering twice is allowed and
 * resets the masks to their 32-bit defaults.
 */
int dmasan_device_add(struct device *dev, const char *name, const struct dmasan_device_info *info)
{
	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&reg_lock);
	if (name)
		dev->init_name = name;
	if (info && info->coherent == DMASAN_YES)
		dev->dma_coherent = true;
	else if (info && info->coherent == DMASAN_NO)
		dev->dma_coherent = false;
	dev->coherent_dma_mask = DMA_BIT_MASK(32);
	__atomic_store_n(&dev->dma_mask, &dev->coherent_dma_mask, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&reg_lock);
	return 0;
}

/**
 * dmasan_device_del - unbind @dev; the direct library tracks nothing, so
 * there is nothing to report or release.
 * @dev: the device, may be NULL
 */
void dmasan_device_del(struct device *dev)
{
	(void)dev;
}

/**
 * dma_supported - whether @dev can do DMA with @mask.
 * @return 1 when @mask covers at least 24 bits (ISA DMA), 0 otherwise or
 * for a NULL device.
 */
int dma_supported(struct device *dev, u64 mask)
{
	if (!direct_dev_ready(dev))
		return 0;
	return mask >= DMA_BIT_MASK(24);
}

/**
 * dma_set_mask - set the streaming DMA mask.
 * @return 0, or -EIO for a NULL device or a mask below 24 bits.
 */
int dma_set_mask(struct device *dev, u64 mask)
{
	if (!direct_dev_ready(dev) || !dma_supported(dev, mask))
		return -EIO;
	*dev->dma_mask = mask;
	return 0;
}

/**
 * dma_set_coherent_mask - set the mask for coherent allocations.
 * @return 0, or -EIO for a NULL device or a mask below 24 bits.
 */
int dma_set_coherent_mask(struct device *dev, u64 mask)
{
	if (!direct_dev_ready(dev) || !dma_supported(dev, mask))
		return -EIO;
	dev->coherent_dma_mask = mask;
	return 0;
}

/**
 * dma_set_mask_and_coherent - set both masks, streaming first, as Linux.
 * @return 0, or -EIO when either could not be set.
 */
int dma_set_mask_and_coherent(struct device *dev, u64 mask)
{
	int rc = dma_set_mask(dev, mask);

	if (rc == 0)
		rc = dma_set_coherent_mask(dev, mask);
	return rc;
}

/**
 * dma_get_mask - the streaming mask.
 * @return *dev->dma_mask, or a 32-bit mask when unset or for NULL.
 */
u64 dma_get_mask(struct device *dev)
{
	if (direct_dev_ready(dev) && *dev->dma_mask)
		return *dev->dma_mask;
	return DMA_BIT_MASK(32);
}

/**
 * dma_set_max_seg_size - set the longest segment the device accepts.
 * @return 0, or -EIO when the device has no dma_parms (or is NULL).
 */
int dma_set_max_seg_size(struct device *dev, unsigned int size)
{
	if (!direct_dev_ready(dev) || !dev->dma_parms)
		return -EIO;
	dev->dma_parms->max_segment_size = size;
	return 0;
}

/**
 * dma_get_max_seg_size - the longest segment the device accepts.
 * @return the dma_parms value, or 64 KiB when unset.
 */
unsigned int dma_get_max_seg_size(struct device *dev)
{
	if (direct_dev_ready(dev) && dev->dma_parms && dev->dma_parms->max_segment_size)
		return dev->dma_parms->max_segment_size;
	return DEFAULT_MAX_SEG_SIZE;
}

/**
 * dma_set_seg_boundary - set the boundary mask no segment may cross.
 * @return 0, or -EIO when the device has no dma_parms (or is NULL).
 */
int dma_set_seg_boundary(struct device *dev, unsigned long mask)
{
	if (!direct_dev_ready(dev) || !dev->dma_parms)
		return -EIO;
	dev->dma_parms->segment_boundary_mask = mask;
	return 0;
}

/**
 * dma_get_seg_boundary - the boundary mask no segment may cross.
 * @return the dma_parms value, or ULONG_MAX (no boundary) when unset.
 */
unsigned long dma_get_seg_boundary(struct device *dev)
{
	if (direct_dev_ready(dev) && dev->dma_parms && dev->dma_parms->segment_boundary_mask)
		return dev->dma_parms->segment_boundary_mask;
	return DEFAULT_SEG_BOUNDARY;
}

/**
 * dma_set_min_align_mask - set the address bits a bounce must preserve;
 * ignored when the device has no dma_parms.
 */
void dma_set_min_align_mask(struct device *dev, unsigned int min_align_mask)
{
	if (direct_dev_ready(dev) && dev->dma_parms)
		dev->dma_parms->min_align_mask = min_align_mask;
}

/**
 * dma_max_mapping_size - the largest single mapping.
 * @return SIZE_MAX: nothing bounces here.
 */
size_t dma_max_mapping_size(struct device *dev)
{
	(void)direct_dev_ready(dev);
	return SIZE_MAX;
}

/**
 * dma_opt_mapping_size - the largest mapping that stays fast.
 * @return SIZE_MAX.
 */
size_t dma_opt_mapping_size(struct device *dev)
{
	(void)direct_dev_ready(dev);
	return SIZE_MAX;
}

/**
 * dma_get_cache_alignment - alignment that keeps buffers off shared lines.
 * @return 64, the simulated cache-line size.
 */
int dma_get_cache_alignment(void)
{
	return CACHE_LINE_BYTES;
}

/**
 * dma_need_sync - whether syncs on @dma_addr do anything.
 * @return false: the direct library never bounces or maintains caches.
 */
bool dma_need_sync(struct device *dev, dma_addr_t dma_addr)
{
	(void)direct_dev_ready(dev);
	(void)dma_addr;
	return false;
}
