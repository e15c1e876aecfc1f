/* SPDX-License-Identifier: MIT */
/*
 * <linux/device.h>: the parts of struct device the DMA API uses. Embed a
 * struct device in the driver's device structure (or allocate one),
 * zero-initialise it, and register it with dmasan_device_add() as a bus
 * would at probe; an unregistered device is registered on first use.
 */
#ifndef DMASAN_LINUX_DEVICE_H
#define DMASAN_LINUX_DEVICE_H

#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Per-device DMA segment constraints (Linux's struct of the same name). */
struct device_dma_parameters {
	unsigned int max_segment_size;
	unsigned int min_align_mask;
	unsigned long segment_boundary_mask;
};

struct device {
	const char *init_name; /**< name reported by dev_name() */
	u64 *dma_mask; /**< streaming mask; points at coherent_dma_mask after registration, as on a platform bus */
	u64 coherent_dma_mask;			 /**< mask for coherent allocations */
	u64 bus_dma_limit;			 /**< upstream bus limit, 0 for none */
	struct device_dma_parameters *dma_parms; /**< segment limits, NULL for defaults */
	bool dma_coherent;			 /**< the device snoops CPU caches */
	void *driver_data;			 /**< free for the driver (dev_get_drvdata) */
	void *dmasan_priv;			 /**< owned by the implementation; do not touch */
};

/** dev_name - the device's name, or "(null)" for a NULL device. */
static inline const char *dev_name(const struct device *dev)
{
	if (!dev)
		return "(null)";
	return dev->init_name ? dev->init_name : "(unnamed)";
}

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

#ifdef __cplusplus
}
#endif

#endif /* DMASAN_LINUX_DEVICE_H */
