/* SPDX-License-Identifier: MIT */
/*
 * An out-of-tree driver test, built against an installed dmasan the way a
 * user's project would be (pkg-config or find_package) and written only
 * against the public headers. It does everything right: registers a
 * device, uses a coherent buffer, a streaming mapping the device writes
 * into, and a dma_pool block, then releases all of it. Linked with
 * libdmasan_direct.so it must print OK; run under the dmasan command it
 * must print OK with no findings. The last line names the module that
 * provides the DMA API, so the caller can check which library ran.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmasan/dmasan.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>

#define BUF_SIZE 2048

static int failures;

static void fail(const char *what)
{
	fprintf(stderr, "consumer: FAIL: %s\n", what);
	failures++;
}

static void use_coherent(struct device *dev)
{
	static const char msg[] = "coherent completion";
	dma_addr_t handle;
	char *cpu = dma_alloc_coherent(dev, 4096, &handle, GFP_KERNEL);

	if (!cpu) {
		fail("dma_alloc_coherent returned NULL");
		return;
	}
	if (dmasan_dev_write(dev, handle, msg, sizeof(msg)) != 0)
		fail("device write to coherent memory");
	else if (memcmp(cpu, msg, sizeof(msg)) != 0)
		fail("CPU does not see the device's coherent write");
	dma_free_coherent(dev, 4096, cpu, handle);
}

static void use_streaming(struct device *dev)
{
	static const char packet[] = "received packet";
	char *buf = aligned_alloc(64, BUF_SIZE);
	dma_addr_t handle;

	if (!buf) {
		fail("out of memory");
		return;
	}
	memset(buf, 0, BUF_SIZE);
	handle = dma_map_single(dev, buf, BUF_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, handle)) {
		fail("dma_map_single failed");
		free(buf);
		return;
	}
	if (dmasan_dev_write(dev, handle, packet, sizeof(packet)) != 0)
		fail("device write to a DMA_FROM_DEVICE mapping");
	dma_unmap_single(dev, handle, BUF_SIZE, DMA_FROM_DEVICE);
	if (memcmp(buf, packet, sizeof(packet)) != 0)
		fail("CPU does not see the packet after unmap");
	free(buf);
}

static void use_pool(struct device *dev)
{
	static const char desc[] = "descriptor";
	struct dma_pool *pool = dma_pool_create("consumer-desc", dev, 64, 64, 0);
	dma_addr_t handle;
	char *blk;

	if (!pool) {
		fail("dma_pool_create returned NULL");
		return;
	}
	blk = dma_pool_zalloc(pool, GFP_KERNEL, &handle);
	if (!blk) {
		fail("dma_pool_zalloc returned NULL");
	} else {
		if (dmasan_dev_write(dev, handle, desc, sizeof(desc)) != 0)
			fail("device write to a pool block");
		else if (memcmp(blk, desc, sizeof(desc)) != 0)
			fail("CPU does not see the device's pool write");
		dma_pool_free(pool, blk, handle);
	}
	dma_pool_destroy(pool);
}

int main(void)
{
	struct device dev = { .init_name = "consumer0" };
	Dl_info where;

	if (dmasan_device_add(&dev, NULL, NULL) != 0) {
		fprintf(stderr, "consumer: FAIL: dmasan_device_add\n");
		return 1;
	}
	if (dma_set_mask_and_coherent(&dev, DMA_BIT_MASK(64)) != 0)
		fail("dma_set_mask_and_coherent(64 bits)");
	use_coherent(&dev);
	use_streaming(&dev);
	use_pool(&dev);
	if (dmasan_check_leaks() != 0)
		fail("dmasan_check_leaks found live objects");
	dmasan_device_del(&dev);
	if (dmasan_error_count() != 0)
		fail("findings were reported");
	if (failures)
		return 1;
	printf("OK active=%d\n", dmasan_active());
	if (dladdr((void *)dma_map_single_attrs, &where) && where.dli_fname)
		printf("dma api from: %s\n", where.dli_fname);
	return 0;
}
