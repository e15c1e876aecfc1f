/* SPDX-License-Identifier: MIT */
/*
 * desc_dump: print what dmasan reads from a devicetree blob, the same
 * platform description dtb= would install: the model, the DRAM banks, the
 * reserved regions with their kind and flags, and the devices with their
 * coherency, IOMMU, memory region and dma-ranges. With no argument it
 * prints the built-in default platform.
 * Usage: desc_dump [board.dtb]. Exit 0, or 1 with one line on stderr
 * naming the file and the problem; 2 for a usage error.
 * Single-threaded; everything printed comes from platform/desc.h, whose
 * names and paths are printable ASCII after a successful parse.
 */
#include <stdio.h>
#include <string.h>
#include "platform/desc.h"

static const char *kind_name(enum desc_region_kind k)
{
	switch (k) {
	case REGION_DMA_POOL:
		return "dma-pool";
	case REGION_CMA:
		return "cma";
	case REGION_RESTRICTED:
		return "restricted";
	case REGION_OTHER:
		return "other";
	}
	return "?";
}

/* Sizes as "4 MiB" when a whole number of MiB, else in bytes. */
static void print_size(uint64_t size)
{
	if (size >= (1u << 20) && !(size % (1u << 20)))
		printf("%llu MiB", (unsigned long long)(size >> 20));
	else
		printf("%llu bytes", (unsigned long long)size);
}

static void dump(const struct plat_desc *d)
{
	printf("model: %s\n", d->model[0] ? d->model : "(none)");
	for (int i = 0; i < d->nbanks; i++) {
		const struct desc_bank *b = &d->banks[i];

		printf("bank %d: 0x%llx-0x%llx (", i, (unsigned long long)b->base,
		       (unsigned long long)(b->base + b->size - 1));
		print_size(b->size);
		printf(")\n");
	}
	for (int i = 0; i < d->nregions; i++) {
		const struct desc_region *r = &d->regions[i];

		printf("region %d: %s 0x%llx-0x%llx (", i, r->name, (unsigned long long)r->base,
		       (unsigned long long)(r->base + r->size - 1));
		print_size(r->size);
		printf(") kind=%s", kind_name(r->kind));
		if (r->no_map)
			printf(" no-map");
		if (r->reusable)
			printf(" reusable");
		if (r->dma_default)
			printf(" linux,dma-default");
		if (r->cma_default)
			printf(" linux,cma-default");
		if (r->phandle)
			printf(" phandle=%u", r->phandle);
		printf("\n");
	}
	for (int i = 0; i < d->ndevices; i++) {
		const struct desc_device *dev = &d->devices[i];

		printf("device %s: %s, %s", dev->path, dev->coherent ? "coherent" : "non-coherent",
		       dev->iommu ? "iommu" : "no-iommu");
		if (dev->region >= 0)
			printf(", region=%s", d->regions[dev->region].name);
		if (!dev->nranges)
			printf(", dma-ranges=identity");
		for (int k = 0; k < dev->nranges; k++) {
			const struct desc_range *r = &dev->ranges[k];

			printf("%sbus 0x%llx-0x%llx -> cpu 0x%llx",
			       k ? "; " : ", dma-ranges=", (unsigned long long)r->bus,
			       (unsigned long long)(r->bus + r->size - 1),
			       (unsigned long long)r->cpu);
		}
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	static struct plat_desc d;
	char err[256];

	if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
		fprintf(stderr, "usage: desc_dump [board.dtb]\n");
		return 2;
	}
	if (argc == 1) {
		desc_default(&d);
	} else if (desc_load(argv[1], &d, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dump(&d);
	return 0;
}
