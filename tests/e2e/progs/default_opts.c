/* SPDX-License-Identifier: MIT */
/*
 * A program that sets its own dmasan defaults through the weak hook, then
 * unmaps twice: the exit status shows which option source won.
 */
#include <stdlib.h>
#include <linux/dma-mapping.h>
#include <dmasan/dmasan.h>

const char *dmasan_default_options(void);

const char *dmasan_default_options(void)
{
	return "exitcode=31:print_summary=0";
}

int main(void)
{
	static struct device dev;
	void *p = aligned_alloc(64, 64);
	dma_addr_t a;

	dmasan_device_add(&dev, "dflt0", NULL);
	a = dma_map_single(&dev, p, 64, DMA_TO_DEVICE);
	if (dma_mapping_error(&dev, a))
		return 1;
	dma_unmap_single(&dev, a, 64, DMA_TO_DEVICE);
	dma_unmap_single(&dev, a, 64, DMA_TO_DEVICE);
	free(p);
	return 0;
}
