/* SPDX-License-Identifier: MIT */
/*
 * Private interface between the files of libdmasan_direct.so, the plain
 * implementation of the DMA API: identity bus addresses, no checks. The
 * only shared state is device registration (device.c) and the table of
 * declared coherent regions (coherent.c); both are safe to call from any
 * thread. Never installed; nothing outside direct/ includes it.
 */
#ifndef DMASAN_DIRECT_INTERNAL_H
#define DMASAN_DIRECT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/device.h>
#include <linux/types.h>

/**
 * direct_dev_register_slow - register @dev with default masks.
 * @dev: a non-NULL device whose dma_mask was seen NULL
 * @return true. Locking: takes the registration lock.
 */
bool direct_dev_register_slow(struct device *dev);

/**
 * direct_dev_ready - make sure @dev is registered, registering it with the
 * defaults on first use, as a bus would have at probe.
 * @dev: the device, possibly NULL
 * @return false for a NULL @dev, true otherwise. Locking: lock-free once
 * the device is registered.
 */
static inline bool direct_dev_ready(struct device *dev)
{
	if (!dev)
		return false;
	if (__atomic_load_n(&dev->dma_mask, __ATOMIC_ACQUIRE))
		return true;
	return direct_dev_register_slow(dev);
}

/**
 * direct_cpu_to_dma - the bus address of coherent memory at @cpu_addr as
 * @dev sees it: inside @dev's declared region, the region's device address
 * plus the offset; anywhere else, the identity.
 * @return the bus address. Locking: takes the region lock when any
 * region is declared.
 */
dma_addr_t direct_cpu_to_dma(const struct device *dev, const void *cpu_addr);

/**
 * direct_dma_to_cpu - the host address behind bus address @addr of @dev for
 * an access of @len bytes (the inverse of direct_cpu_to_dma()).
 * @return the host address, or NULL when the access starts inside @dev's
 * declared region but runs past its end. Locking: as direct_cpu_to_dma().
 */
void *direct_dma_to_cpu(const struct device *dev, dma_addr_t addr, size_t len);

#endif /* DMASAN_DIRECT_INTERNAL_H */
