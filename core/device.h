/* SPDX-License-Identifier: MIT */
/*
 * The device registry: one struct dmdev per registered struct device,
 * found by the device's address (the struct device's own dmasan_priv
 * field is never trusted: a test may hand us uninitialised memory).
 * Registration happens at dmasan_device_add() or on first API use.
 * A dmdev is never freed: removed devices stay on the all-devices list
 * so the exit summary can show their statistics, and in-flight tracked
 * objects can keep pointing at them.
 * Locking: lookups are lock-free (atomic slots, tombstones on removal);
 * add/remove take the registry mutex (rank 1). Statistics are atomics.
 */
#ifndef DMASAN_CORE_DEVICE_H
#define DMASAN_CORE_DEVICE_H

#include <stdatomic.h>
#include <stdint.h>
#include <linux/device.h>
#include <dmasan/dmasan.h>
#include "core/lock.h"

struct decl_region;
struct orphan;
struct iova_space;
struct bounce_pool;
struct desc_device;

struct dmdev {
	struct device *dev;
	char name[64];
	int coherent;		      /* snoops CPU caches */
	int iommu;		      /* behind an IOMMU (not yet simulated) */
	unsigned int space;	      /* index address space: 0 shared physical, else its IOMMU's */
	struct iova_space *iova;      /* IOVA allocator when behind an IOMMU (guarded by lock) */
	const struct desc_device *of; /* its devicetree node, or NULL */
	struct bounce_pool *rpool;    /* restricted-dma-pool: every map bounces through it */
	struct decl_region *cma;      /* reusable (CMA) pool: tried first, with fallback */
	unsigned int dma_bits;	      /* address bits the hardware drives; 0 = mask's */
	int explicit_add;	      /* registered by dmasan_device_add() */
	int removed;
	struct spin lock;	  /* guards decl and orphans */
	struct decl_region *decl; /* dma_declare_coherent_memory region */
	struct orphan *orphans; /* objects removal ended that the driver never freed (core/dma.c) */
	atomic_ullong maps, unmaps, syncs, allocs, frees, dev_reads, dev_writes;
	atomic_ullong bytes_bounced;	/* copied into swiotlb slots (to the device) */
	atomic_ullong bytes_bounced_in; /* copied back out of them (to the CPU) */
	atomic_ullong bounce_slots, bounce_high_water; /* swiotlb slots held now / at most */
	atomic_ullong live_maps, live_coherent, live_pool_blocks;
	struct dmdev *next_all; /* all devices ever, newest first */
};

/**
 * dev_lookup - the registered dmdev of @dev, registering it with
 * defaults on first use. @return NULL for a NULL @dev or out of memory.
 */
struct dmdev *dev_lookup(struct device *dev);

/** dev_find - the registered dmdev of @dev, or NULL; never registers. */
struct dmdev *dev_find(const struct device *dev);

/**
 * dev_register - dmasan_device_add(): register or re-describe @dev.
 * @return 0, -EINVAL, -EEXIST (added twice) or -ENOMEM.
 */
int dev_register(struct device *dev, const char *name, const struct dmasan_device_info *info);

/**
 * dev_unregister - take @dev out of the registry (its dmdev stays on the
 * all-devices list, marked removed). @return the dmdev, or NULL if @dev
 * was not registered.
 */
struct dmdev *dev_unregister(struct device *dev);

/** dev_first - head of the all-devices list (newest first). */
struct dmdev *dev_first(void);

/** dev_mask - the device's streaming mask (32-bit default when unset). */
uint64_t dev_mask(const struct dmdev *dd);

/** dev_coherent_mask - the device's coherent mask (32-bit default when 0). */
uint64_t dev_coherent_mask(const struct dmdev *dd);

/** dev_reset_after_fork - re-initialise the registry lock in a child. */
void dev_reset_after_fork(void);

#endif /* DMASAN_CORE_DEVICE_H */
