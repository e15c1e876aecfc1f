/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine (core/machine.h). Reserved regions are holes in
 * the RAM that placement hands out; pools built from them get host
 * memory from the coherent arena and bus addresses from the regions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/arena.h"
#include "core/bounce.h"
#include "core/device.h"
#include "core/machine.h"
#include "core/runtime.h"
#include "core/track.h"

static struct plat_desc platform;
static struct decl_region *global_pool, *global_cma;

const struct plat_desc *machine_desc(void)
{
	return &platform;
}

struct decl_region *machine_global_pool(void)
{
	return global_pool;
}

struct decl_region *machine_global_cma(void)
{
	return global_cma;
}

void machine_init(const char *dtb, uint64_t swiotlb_size)
{
	static struct plat_desc loaded;
	static uint64_t banks[DESC_MAX_BANKS][2], holes[DESC_MAX_REGIONS][2];
	char err[512];
	uint64_t base;
	int i;

	desc_default(&platform);
	if (dtb && dtb[0]) {
		if (desc_load(dtb, &loaded, err, sizeof(err)) != 0)
			rt_diag("%s; using the built-in platform", err);
		else
			platform = loaded;
	}
	for (i = 0; i < platform.nbanks; i++) {
		banks[i][0] = platform.banks[i].base;
		banks[i][1] = platform.banks[i].size;
	}
	for (i = 0; i < platform.nregions; i++) {
		holes[i][0] = platform.regions[i].base;
		holes[i][1] = platform.regions[i].size;
	}
	place_configure((const uint64_t(*)[2])banks, platform.nbanks, (const uint64_t(*)[2])holes,
			platform.nregions);
	base = place_carve_dma32_top(swiotlb_size);
	if (!base || bounce_init(base, swiotlb_size) != 0)
		rt_diag("no room for a %llu-byte swiotlb below 4 GiB; maps that need bouncing will fail",
			(unsigned long long)swiotlb_size);
	for (i = 0; i < platform.nregions; i++) {
		const struct desc_region *r = &platform.regions[i];

		if (r->dma_default && !global_pool)
			global_pool = region_create(r->base, r->size);
		if (r->cma_default && !global_cma)
			global_cma = region_create(r->base, r->size);
	}
}

int machine_to_bus(const struct dmdev *dd, uint64_t phys, uint64_t *bus)
{
	if (!dd->of || !dd->of->nranges) {
		*bus = phys;
		return 0;
	}
	return desc_cpu_to_bus(dd->of, phys, bus);
}

uint64_t machine_lowest_bus(const struct dmdev *dd)
{
	uint64_t bus, dram = place_dram_base();
	int i;

	if (!dd || !dd->of || !dd->of->nranges)
		return dram;
	bus = ~0ULL;
	for (i = 0; i < dd->of->nranges; i++)
		if (dd->of->ranges[i].bus < bus)
			bus = dd->of->ranges[i].bus;
	return bus;
}

int machine_bind(struct dmdev *dd, const char *path, int coherent_set, int iommu_set)
{
	const struct desc_device *of = desc_find_device(&platform, path);
	const struct desc_region *r;
	uint64_t bus, limit = 0;
	int i;

	if (!of)
		return -ENOENT;
	dd->of = of;
	if (!coherent_set)
		dd->coherent = of->coherent;
	if (!iommu_set)
		dd->iommu = of->iommu;
	for (i = 0; i < of->nranges; i++) {
		uint64_t end = of->ranges[i].bus + of->ranges[i].size - 1;

		if (end > limit)
			limit = end;
	}
	if (limit && !dd->removed)
		dd->dev->bus_dma_limit = limit;
	if (of->region < 0)
		return 0;
	r = &platform.regions[of->region];
	if (machine_to_bus(dd, r->base, &bus) != 0)
		bus = r->base;
	if (r->base + r->size - 1 > 0xffffffffULL)
		rt_diag("%s: reserved memory %s [0x%llx-0x%llx] is beyond the device's DMA address range (mask 0xffffffff)",
			dd->name, r->name, (unsigned long long)r->base,
			(unsigned long long)(r->base + r->size - 1));
	switch (r->kind) {
	case REGION_DMA_POOL:
		if (!dd->decl)
			dd->decl = region_create(bus, r->size);
		break;
	case REGION_CMA:
		if (!dd->cma)
			dd->cma = region_create(bus, r->size);
		break;
	case REGION_RESTRICTED:
		if (!dd->rpool)
			dd->rpool = bounce_pool_create(bus, r->size);
		break;
	case REGION_OTHER:
		break;
	}
	return 0;
}
