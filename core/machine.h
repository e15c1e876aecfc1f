/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine as a whole: the platform description (built in,
 * or dtb=), the memory it gives placement (banks minus reserved regions),
 * where swiotlb sits, the global coherent pool (linux,dma-default) and
 * default CMA area (linux,cma-default), and what a device bound to a
 * devicetree node inherits: coherence, IOMMU, dma-ranges, its own
 * coherent pool (shared-dma-pool, no-map), contiguous pool (reusable) or
 * restricted bounce pool (restricted-dma-pool).
 * Locking: set up once under rt_init()'s once-guard; read-only after, but
 * for device binding, which runs under the device registry lock.
 */
#ifndef DMASAN_CORE_MACHINE_H
#define DMASAN_CORE_MACHINE_H

#include <stdint.h>
#include "platform/desc.h"

struct dmdev;
struct decl_region;

/** machine_init - load the platform (dtb= may be ""), configure memory and swiotlb. */
void machine_init(const char *dtb, uint64_t swiotlb_size);

/** machine_desc - the platform in force. */
const struct plat_desc *machine_desc(void);

/** machine_global_pool / machine_global_cma - the shared pools, or NULL. */
struct decl_region *machine_global_pool(void);
struct decl_region *machine_global_cma(void);

/**
 * machine_bind - bind @dd to devicetree node @path: coherence and IOMMU
 * (unless @coherent_set / @iommu_set say the test chose), dma-ranges and
 * the node's reserved region. @return 0, or -ENOENT when the platform
 * has no such node.
 */
int machine_bind(struct dmdev *dd, const char *path, int coherent_set, int iommu_set);

/**
 * machine_to_bus - the bus address at which @dd reaches simulated physical
 * address @phys (identity without dma-ranges). @return 0 and *@bus, or
 * -ERANGE when no dma-range covers it.
 */
int machine_to_bus(const struct dmdev *dd, uint64_t phys, uint64_t *bus);

/** machine_lowest_bus - the lowest bus address of RAM for @dd (for dma_set_mask). */
uint64_t machine_lowest_bus(const struct dmdev *dd);

#endif /* DMASAN_CORE_MACHINE_H */
