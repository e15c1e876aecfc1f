/* SPDX-License-Identifier: MIT */
/*
 * A driver test on the example SoC (soc.dts): three devices bound to their
 * devicetree nodes, as a bus would at probe, checking what the platform
 * gives each of them under the checker:
 *  - nic0 (/soc/ethernet@10000000) has its own 4 MiB coherent pool
 *    (shared-dma-pool, no-map): its coherent buffers come from it, and
 *    when it is full there is no fallback;
 *  - dmac0 (/soc/dma-controller@10010000) is dma-coherent;
 *  - nvme0 (/soc/pcie-bus/nvme@0) sits behind dma-ranges that put CPU
 *    2 GiB at bus 0: its bus addresses are offset, host memory above
 *    4 GiB is out of its reach and bounces, and its coherent buffers come
 *    from the global pool (linux,dma-default).
 * The platform comes from dmasan_default_options() (dtb=<the built blob>);
 * DMASAN_OPTIONS may name another. With the direct library the same code
 * runs with identity addresses and nothing platform-specific is checked.
 * Bug switches: --bug=pool-double-free, --bug=pool-wrong-size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-mapping.h>
#include <dmasan/dmasan.h>

#ifndef SOC_DTB
#define SOC_DTB "soc.dtb"
#endif

const char *dmasan_default_options(void);

const char *dmasan_default_options(void)
{
	return "dtb=" SOC_DTB;
}

static int failures;

#define EXPECT(cond, what)                                               \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "soc_test: FAILED: %s\n", what); \
			failures++;                                      \
		}                                                        \
	} while (0)

static int add(struct device *dev, const char *name, const char *node)
{
	struct dmasan_device_info info = { .of_node = node };
	int rc = dmasan_device_add(dev, name, &info);

	if (rc) {
		fprintf(stderr, "soc_test: cannot bind %s to %s (%d)\n", name, node, rc);
		/* Under the checker the platform must have the node. */
		if (dmasan_active())
			failures++;
	}
	return rc;
}

static void nic_pool(int bug_double_free, int bug_wrong_size)
{
	static struct device nic;
	void *bufs[8];
	dma_addr_t h[8];
	int i, n = 0;

	if (add(&nic, "nic0", "/soc/ethernet@10000000"))
		return;
	for (i = 0; i < 8; i++) {
		bufs[i] = dma_alloc_coherent(&nic, 1 << 20, &h[i], GFP_KERNEL);
		if (!bufs[i])
			break;
		n++;
		if (dmasan_active())
			EXPECT(h[i] >= 0x90000000ULL && h[i] + (1 << 20) <= 0x90400000ULL,
			       "nic0's coherent buffers come from its own pool");
	}
	if (dmasan_active())
		EXPECT(n == 4, "nic0's 4 MiB pool holds four 1 MiB buffers and does not fall back");
	for (i = 0; i < n; i++) {
		size_t size = (bug_wrong_size && i == 0) ? (1 << 19) : (1 << 20);

		dma_free_coherent(&nic, size, bufs[i], h[i]);
	}
	if (bug_double_free && n)
		dma_free_coherent(&nic, 1 << 20, bufs[0], h[0]);
	dmasan_device_del(&nic);
}

static void dmac_coherent(void)
{
	static struct device dmac;

	if (add(&dmac, "dmac0", "/soc/dma-controller@10010000"))
		return;
	if (dmasan_active())
		EXPECT(dmac.dma_coherent, "dmac0 is dma-coherent");
	dmasan_device_del(&dmac);
}

static void nvme_ranges(void)
{
	static struct device nvme;
	char *buf = aligned_alloc(64, 4096), got[8];
	dma_addr_t a, h;
	void *ring;

	if (add(&nvme, "nvme0", "/soc/pcie-bus/nvme@0"))
		return;
	EXPECT(dma_set_mask_and_coherent(&nvme, DMA_BIT_MASK(64)) == 0, "64-bit mask accepted");
	memcpy(buf, "bounce", 7);
	a = dma_map_single(&nvme, buf, 4096, DMA_TO_DEVICE);
	EXPECT(!dma_mapping_error(&nvme, a), "nvme0 can map host memory");
	if (dmasan_active())
		EXPECT(a < 0x80000000ULL, "nvme0's bus addresses are CPU addresses minus 2 GiB");
	dmasan_dev_read(&nvme, a, got, 7);
	EXPECT(!memcmp(got, "bounce", 7), "the device reads the buffer through the bounce copy");
	dma_unmap_single(&nvme, a, 4096, DMA_TO_DEVICE);
	ring = dma_alloc_coherent(&nvme, 4096, &h, GFP_KERNEL);
	EXPECT(ring != NULL, "nvme0 gets coherent memory");
	if (dmasan_active())
		EXPECT(h >= 0x18000000ULL && h < 0x18800000ULL,
		       "nvme0's coherent memory comes from the global pool, at its bus address");
	dma_free_coherent(&nvme, 4096, ring, h);
	dmasan_device_del(&nvme);
	free(buf);
}

int main(int argc, char **argv)
{
	int i, dfree = 0, wsize = 0;
	static struct device ghost;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bug=pool-double-free")) {
			dfree = 1;
		} else if (!strcmp(argv[i], "--bug=pool-wrong-size")) {
			wsize = 1;
		} else if (!strcmp(argv[i], "--list-bugs")) {
			puts("pool-double-free  a coherent buffer of nic0's device pool freed twice (coherent-double-free)");
			puts("pool-wrong-size   a coherent buffer of nic0's device pool freed with the wrong size (unmap-size-mismatch)");
			return 0;
		} else {
			fprintf(stderr, "soc_test: unknown argument '%s' (try --list-bugs)\n",
				argv[i]);
			return 2;
		}
	}
	if (dmasan_active()) {
		struct dmasan_device_info info = { .of_node = "/soc/no-such-device" };

		EXPECT(dmasan_device_add(&ghost, "ghost", &info) == -ENOENT,
		       "a node the platform lacks is -ENOENT");
	}
	nic_pool(dfree, wsize);
	dmac_coherent();
	nvme_ranges();
	printf("soc_test: %s\n", failures ? "FAILED" : "platform checks passed");
	return failures ? 1 : 0;
}
