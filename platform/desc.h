/* SPDX-License-Identifier: MIT */
/*
 * The platform description: the simulated machine's memory, reserved
 * regions and devices. A built-in default describes an arm64-like SoC;
 * dtb= replaces it with a flattened devicetree read through libfdt. The
 * blob is untrusted: it is checked whole (fdt_check_full) and every
 * property is bounds-checked before use; a bad blob is one clear error
 * naming the problem, and the caller keeps the platform it had.
 * The description is plain data, filled once, read-only afterwards.
 */
#ifndef DMASAN_PLATFORM_DESC_H
#define DMASAN_PLATFORM_DESC_H

#include <stddef.h>
#include <stdint.h>

#define DESC_MAX_BANKS 16
#define DESC_MAX_REGIONS 32
#define DESC_MAX_DEVICES 64
#define DESC_MAX_RANGES 8
#define DESC_NAME_MAX 128

enum desc_region_kind {
	REGION_DMA_POOL = 0, /* shared-dma-pool with no-map: a device's coherent pool */
	REGION_CMA,	     /* shared-dma-pool with reusable: a contiguous (CMA) pool */
	REGION_RESTRICTED,   /* restricted-dma-pool: forced bouncing through it */
	REGION_OTHER,	     /* any other reserved-memory child: memory nobody may use */
};

struct desc_bank {
	uint64_t base, size;
};

struct desc_region {
	char name[DESC_NAME_MAX]; /* node name, e.g. "pool@90000000" */
	uint32_t phandle;	  /* 0 when the node has none */
	uint64_t base, size;
	enum desc_region_kind kind;
	int no_map;	 /* "no-map" present */
	int reusable;	 /* "reusable" present */
	int dma_default; /* "linux,dma-default": the global coherent pool */
	int cma_default; /* "linux,cma-default": the default CMA area */
};

/* One dma-ranges entry: bus addresses [bus, bus+size) reach CPU physical [cpu, cpu+size). */
struct desc_range {
	uint64_t bus, cpu, size;
};

struct desc_device {
	char path[DESC_NAME_MAX]; /* full node path, e.g. "/soc/ethernet@10000000" */
	int coherent;		  /* "dma-coherent" on the node (or inherited from its bus) */
	int iommu;		  /* the node has an "iommus" property */
	int region;		  /* index in regions[] of its first memory-region, or -1 */
	int nranges;		  /* 0: no dma-ranges on the way up, bus == cpu */
	struct desc_range ranges[DESC_MAX_RANGES];
};

struct plat_desc {
	char model[DESC_NAME_MAX]; /* root "model", or "dmasan default arm64-like SoC" */
	int nbanks;
	struct desc_bank banks[DESC_MAX_BANKS];
	int nregions;
	struct desc_region regions[DESC_MAX_REGIONS];
	int ndevices;
	struct desc_device devices[DESC_MAX_DEVICES];
};

/**
 * desc_default - the built-in platform: one DRAM bank from 2 GiB to 16 GiB,
 * no reserved regions, no devices.
 */
void desc_default(struct plat_desc *d);

/**
 * desc_parse - read the flattened devicetree @blob (@len bytes) into @d.
 * Memory: every /memory* node's "reg" (device_type "memory"). Reserved
 * regions: the children of /reserved-memory with "reg". Devices: every
 * node with a "compatible" that is neither the root, a bus ("simple-bus"),
 * nor under /reserved-memory; dma-ranges are resolved from the nearest
 * ancestor bus that has them, with #address-cells/#size-cells honoured;
 * memory-region phandles are resolved to region indices.
 * @return 0, or -EINVAL with one line in @err (e.g. "bad magic",
 * "truncated: header says 4096 bytes, file has 100", "reg of /memory@80000000
 * has 12 bytes, expected a multiple of 16", "memory-region of /soc/eth points
 * at phandle 7, which no reserved region has", "too many devices (max 64)").
 * @d is unspecified after an error.
 */
int desc_parse(const void *blob, size_t len, struct plat_desc *d, char *err, size_t errlen);

/**
 * desc_load - read @path (a regular file of at most 16 MiB) and
 * desc_parse() it; errors name the file: "board.dtb: bad magic".
 * @return 0, -ENOENT/-EACCES/-EFBIG/-EINVAL with one line in @err.
 */
int desc_load(const char *path, struct plat_desc *d, char *err, size_t errlen);

/** desc_find_device - the device whose path is @path, or NULL. */
const struct desc_device *desc_find_device(const struct plat_desc *d, const char *path);

/**
 * desc_bus_to_cpu / desc_cpu_to_bus - translate through @dev's dma-ranges
 * (identity when it has none). @return 0 and set *@out, or -ERANGE when
 * the address is in no range.
 */
int desc_bus_to_cpu(const struct desc_device *dev, uint64_t bus, uint64_t *out);
int desc_cpu_to_bus(const struct desc_device *dev, uint64_t cpu, uint64_t *out);

#endif /* DMASAN_PLATFORM_DESC_H */
