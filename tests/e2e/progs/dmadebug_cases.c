/* SPDX-License-Identifier: MIT */
/*
 * Small driver-style programs, one per dma-debug check, written against
 * the public headers only (as a user's test would be). `dmadebug_cases
 * NAME` runs one case; tests/e2e/dmadebug.cmake runs each under the shim
 * and checks the exact finding ids, and runs the ok-* cases expecting
 * none. Every case also runs to completion with the direct library.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/scatterlist.h>
#include <dmasan/dmasan.h>

static struct device dev;
static struct device_dma_parameters parms;

static void *buf(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);

	memset(p, 0x5a, n);
	return p;
}

static dma_addr_t map(void *p, size_t n, enum dma_data_direction dir)
{
	dma_addr_t a = dma_map_single(&dev, p, n, dir);

	if (dma_mapping_error(&dev, a)) {
		fprintf(stderr, "map failed\n");
		exit(3);
	}
	return a;
}

static int ok_single(void)
{
	char *p = buf(2048);
	dma_addr_t a = map(p, 2048, DMA_TO_DEVICE);
	char out[64];

	if ((uintptr_t)a == (uintptr_t)p && dmasan_active())
		return 1;
	dmasan_dev_read(&dev, a, out, sizeof(out));
	dma_unmap_single(&dev, a, 2048, DMA_TO_DEVICE);
	free(p);
	return 0;
}

static int ok_rx(void)
{
	char *p = buf(2048);
	dma_addr_t a = map(p, 2048, DMA_FROM_DEVICE);
	char pkt[100];
	int i, rc = 0;

	for (i = 0; i < 3; i++) {
		memset(pkt, 'a' + i, sizeof(pkt));
		if (dmasan_dev_write(&dev, a, pkt, sizeof(pkt)))
			rc = 1;
		dma_sync_single_for_cpu(&dev, a, 2048, DMA_FROM_DEVICE);
		if (p[0] != 'a' + i || p[99] != 'a' + i)
			rc = 1;
		dma_sync_single_for_device(&dev, a, 2048, DMA_FROM_DEVICE);
	}
	dma_unmap_single(&dev, a, 2048, DMA_FROM_DEVICE);
	free(p);
	return rc;
}

static int ok_page_and_range(void)
{
	struct page *pg = alloc_page(GFP_KERNEL);
	dma_addr_t a = dma_map_page(&dev, pg, 128, 1024, DMA_BIDIRECTIONAL);

	if (dma_mapping_error(&dev, a))
		return 1;
	dma_sync_single_range_for_cpu(&dev, a, 64, 128, DMA_FROM_DEVICE);
	dma_sync_single_range_for_device(&dev, a, 64, 128, DMA_TO_DEVICE);
	dma_unmap_page(&dev, a, 1024, DMA_BIDIRECTIONAL);
	__free_page(pg);
	return 0;
}

static int ok_sg(void)
{
	struct sg_table t;
	struct scatterlist *s;
	void *b[3];
	int i, n;

	if (sg_alloc_table(&t, 3, GFP_KERNEL))
		return 1;
	for_each_sg(t.sgl, s, 3, i) {
		b[i] = buf(4096);
		sg_set_buf(s, b[i], 4096);
	}
	if (dma_map_sgtable(&dev, &t, DMA_TO_DEVICE, 0))
		return 1;
	dma_sync_sgtable_for_cpu(&dev, &t, DMA_TO_DEVICE);
	dma_sync_sgtable_for_device(&dev, &t, DMA_TO_DEVICE);
	dma_unmap_sgtable(&dev, &t, DMA_TO_DEVICE, 0);
	n = dma_map_sg(&dev, t.sgl, 3, DMA_FROM_DEVICE);
	if (n != 3)
		return 1;
	dma_unmap_sg(&dev, t.sgl, 3, DMA_FROM_DEVICE);
	sg_free_table(&t);
	for (i = 0; i < 3; i++)
		free(b[i]);
	return 0;
}

static int ok_coherent(void)
{
	dma_addr_t h;
	u32 *ring = dma_alloc_coherent(&dev, 4096, &h, GFP_KERNEL);
	u32 v = 0x1234;

	if (!ring || ring[7] != 0)
		return 1;
	if (dmasan_dev_write(&dev, h + 28, &v, 4) || ring[7] != 0x1234)
		return 1;
	dma_free_coherent(&dev, 4096, ring, h);
	return 0;
}

static int ok_pool(void)
{
	struct dma_pool *pool = dma_pool_create("ok", &dev, 64, 64, 4096);
	dma_addr_t h[10];
	void *v[10];
	int i;

	if (!pool)
		return 1;
	for (i = 0; i < 10; i++)
		if (!(v[i] = dma_pool_zalloc(pool, GFP_KERNEL, &h[i])))
			return 1;
	for (i = 0; i < 10; i++)
		dma_pool_free(pool, v[i], h[i]);
	dma_pool_destroy(pool);
	return 0;
}

static int ok_noncoherent(void)
{
	dma_addr_t h;
	void *p = dma_alloc_noncoherent(&dev, 8192, &h, DMA_BIDIRECTIONAL, GFP_KERNEL);
	char x = 1;

	if (!p)
		return 1;
	dma_sync_single_for_device(&dev, h, 8192, DMA_BIDIRECTIONAL);
	dmasan_dev_write(&dev, h, &x, 1);
	dma_sync_single_for_cpu(&dev, h, 8192, DMA_BIDIRECTIONAL);
	dma_free_noncoherent(&dev, 8192, p, h, DMA_BIDIRECTIONAL);
	return 0;
}

static int ok_masks(void)
{
	struct device d2;

	memset(&d2, 0, sizeof(d2));
	dmasan_device_add(&d2, "d2", NULL);
	if (dma_get_mask(&d2) != DMA_BIT_MASK(32))
		return 1;
	if (dma_set_mask_and_coherent(&d2, DMA_BIT_MASK(64)))
		return 1;
	if (dmasan_active() && dma_set_mask(&d2, DMA_BIT_MASK(16)) != -EIO)
		return 1;
	dmasan_device_del(&d2);
	return 0;
}

static int ok_resource(void)
{
	dma_addr_t a = dma_map_resource(&dev, 0x90000000, 4096, DMA_BIDIRECTIONAL, 0);

	if (dma_mapping_error(&dev, a))
		return 1;
	dma_unmap_resource(&dev, a, 4096, DMA_BIDIRECTIONAL, 0);
	return 0;
}

/* ---- buggy cases ---- */

static int bug_unmap_not_mapped(void)
{
	dma_unmap_single(&dev, 0x12345000, 64, DMA_TO_DEVICE);
	return 0;
}

static int bug_unmap_invalid_handle(void)
{
	dma_unmap_single(&dev, DMA_MAPPING_ERROR, 64, DMA_TO_DEVICE);
	return 0;
}

static int bug_double_unmap(void)
{
	void *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_TO_DEVICE);

	dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	return 0;
}

static int bug_unmap_size(void)
{
	void *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_TO_DEVICE);

	dma_unmap_single(&dev, a, 128, DMA_TO_DEVICE);
	return 0;
}

static int bug_unmap_type(void)
{
	struct scatterlist sg;
	void *p = buf(512);

	sg_init_one(&sg, p, 512);
	if (dma_map_sg(&dev, &sg, 1, DMA_TO_DEVICE) != 1)
		return 1;
	dma_unmap_page(&dev, sg_dma_address(&sg), 512, DMA_TO_DEVICE);
	return 0;
}

static int bug_unmap_dir(void)
{
	void *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_TO_DEVICE);

	dma_unmap_single(&dev, a, 256, DMA_FROM_DEVICE);
	return 0;
}

static int bug_unmap_nents(void)
{
	struct scatterlist sg[3];
	void *b = buf(3 * 4096);
	int i;

	sg_init_table(sg, 3);
	for (i = 0; i < 3; i++)
		sg_set_buf(&sg[i], (char *)b + i * 4096, 4096);
	if (dma_map_sg(&dev, sg, 2, DMA_TO_DEVICE) != 2)
		return 1;
	dma_unmap_sg(&dev, sg, 3, DMA_TO_DEVICE);
	return 0;
}

static int bug_unmap_attrs(void)
{
	void *p = buf(256);
	dma_addr_t a = dma_map_single_attrs(&dev, p, 256, DMA_TO_DEVICE, DMA_ATTR_PRIVILEGED);

	if (dma_mapping_error(&dev, a))
		return 1;
	dma_unmap_single_attrs(&dev, a, 256, DMA_TO_DEVICE, 0);
	return 0;
}

static int bug_free_cpu_addr(void)
{
	dma_addr_t h;
	char *p = dma_alloc_coherent(&dev, 8192, &h, GFP_KERNEL);

	dma_free_coherent(&dev, 8192, p + 4096, h);
	return 0;
}

static int bug_map_error_unchecked(void)
{
	void *p = buf(256);
	dma_addr_t a = dma_map_single(&dev, p, 256, DMA_TO_DEVICE);

	dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	return 0;
}

static int bug_sync_not_mapped(void)
{
	dma_sync_single_for_cpu(&dev, 0x12345000, 64, DMA_FROM_DEVICE);
	return 0;
}

static int bug_sync_out_of_range(void)
{
	void *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_FROM_DEVICE);

	dma_sync_single_for_cpu(&dev, a + 128, 256, DMA_FROM_DEVICE);
	dma_unmap_single(&dev, a, 256, DMA_FROM_DEVICE);
	return 0;
}

static int bug_sync_dir(void)
{
	void *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_TO_DEVICE);

	dma_sync_single_for_cpu(&dev, a, 256, DMA_FROM_DEVICE);
	dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	return 0;
}

static int bug_sync_nents(void)
{
	struct scatterlist sg[2];
	void *b = buf(2 * 4096);

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], b, 4096);
	sg_set_buf(&sg[1], (char *)b + 4096, 4096);
	if (dma_map_sg(&dev, sg, 2, DMA_FROM_DEVICE) != 2)
		return 1;
	dma_sync_sg_for_cpu(&dev, sg, 1, DMA_FROM_DEVICE);
	dma_unmap_sg(&dev, sg, 2, DMA_FROM_DEVICE);
	return 0;
}

static int bug_map_stack(void)
{
	char stackbuf[128] __attribute__((aligned(64)));
	dma_addr_t a;

	memset(stackbuf, 0, sizeof(stackbuf));
	a = map(stackbuf, sizeof(stackbuf), DMA_TO_DEVICE);
	dma_unmap_single(&dev, a, sizeof(stackbuf), DMA_TO_DEVICE);
	return 0;
}

static const char greeting[4096] __attribute__((aligned(4096))) = "hello, device";

static int bug_map_readonly(void)
{
	dma_addr_t a = map((void *)greeting, sizeof(greeting), DMA_TO_DEVICE);

	dma_unmap_single(&dev, a, sizeof(greeting), DMA_TO_DEVICE);
	return 0;
}

/* The device can never write read-only memory: the map fails, nothing crashes. */
static int bug_map_readonly_from_device(void)
{
	dma_addr_t a = dma_map_single(&dev, (void *)greeting, 64, DMA_FROM_DEVICE);

	if (!dma_mapping_error(&dev, a)) {
		dma_sync_single_for_cpu(&dev, a, 64, DMA_FROM_DEVICE);
		dma_unmap_single(&dev, a, 64, DMA_FROM_DEVICE);
		return dmasan_active();
	}
	return 0;
}

/* An sg entry whose page was never set: no memory behind it. */
static int bug_sg_without_page(void)
{
	struct scatterlist sg[2];
	char *b = buf(4096);

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], b, 512);
	sg[1].offset = 64;
	sg[1].length = 512; /* page_link left 0 */
	return dma_map_sg(&dev, sg, 2, DMA_TO_DEVICE) != 0 && dmasan_active();
}

static int bug_map_zero(void)
{
	void *p = buf(64);
	dma_addr_t a = dma_map_single(&dev, p, 0, DMA_TO_DEVICE);

	if (!dma_mapping_error(&dev, a))
		dma_unmap_single(&dev, a, 0, DMA_TO_DEVICE);
	return 0;
}

static int bug_map_bad_dir(void)
{
	void *p = buf(64);
	dma_addr_t a = dma_map_single(&dev, p, 64, DMA_NONE);

	if (!dma_mapping_error(&dev, a))
		dma_unmap_single(&dev, a, 64, DMA_NONE);
	return 0;
}

static int bug_null_device(void)
{
	void *p = buf(64);
	dma_addr_t a = dma_map_single(NULL, p, 64, DMA_TO_DEVICE);

	if (!dma_mapping_error(NULL, a))
		dma_unmap_single(NULL, a, 64, DMA_TO_DEVICE);
	return 0;
}

static int bug_cacheline_overlap(void)
{
	char *p = buf(128);
	dma_addr_t a = map(p, 32, DMA_FROM_DEVICE);
	dma_addr_t b = map(p + 32, 32, DMA_FROM_DEVICE);

	dma_unmap_single(&dev, b, 32, DMA_FROM_DEVICE);
	dma_unmap_single(&dev, a, 32, DMA_FROM_DEVICE);
	return 0;
}

static int bug_sg_too_long(void)
{
	struct scatterlist sg;
	void *b = buf(8192);

	parms.max_segment_size = 4096;
	dev.dma_parms = &parms;
	sg_init_one(&sg, b, 8192);
	if (dma_map_sg(&dev, &sg, 1, DMA_TO_DEVICE) != 1)
		return 1;
	dma_unmap_sg(&dev, &sg, 1, DMA_TO_DEVICE);
	return 0;
}

static int bug_sg_boundary(void)
{
	struct scatterlist sg;
	char *b = buf(8192);

	parms.max_segment_size = 65536;
	parms.segment_boundary_mask = 0xfff;
	dev.dma_parms = &parms;
	/* A 64-bit device maps in place; a bounce slot would start on a page. */
	dma_set_mask_and_coherent(&dev, DMA_BIT_MASK(64));
	sg_init_one(&sg, b + 2048, 4096);
	if (dma_map_sg(&dev, &sg, 1, DMA_TO_DEVICE) != 1)
		return 1;
	dma_unmap_sg(&dev, &sg, 1, DMA_TO_DEVICE);
	return 0;
}

static int bug_leak_mapping(void)
{
	map(buf(256), 256, DMA_TO_DEVICE);
	return 0;
}

static int bug_leak_coherent(void)
{
	dma_addr_t h;

	return dma_alloc_coherent(&dev, 4096, &h, GFP_KERNEL) ? 0 : 1;
}

static int bug_leak_at_device_del(void)
{
	map(buf(256), 256, DMA_FROM_DEVICE);
	dmasan_device_del(&dev);
	return 0;
}

static int bug_leak_pool(void)
{
	struct dma_pool *pool = dma_pool_create("leaky", &dev, 32, 8, 0);
	dma_addr_t h;

	return pool && dma_pool_alloc(pool, GFP_KERNEL, &h) ? 0 : 1;
}

static int bug_coherent_double_free(void)
{
	dma_addr_t h;
	void *p = dma_alloc_coherent(&dev, 4096, &h, GFP_KERNEL);

	dma_free_coherent(&dev, 4096, p, h);
	dma_free_coherent(&dev, 4096, p, h);
	return 0;
}

static int bug_coherent_size(void)
{
	dma_addr_t h;
	void *p = dma_alloc_coherent(&dev, 4096, &h, GFP_KERNEL);

	dma_free_coherent(&dev, 2048, p, h);
	return 0;
}

static int bug_pool_double_free(void)
{
	struct dma_pool *pool = dma_pool_create("df", &dev, 64, 8, 0);
	dma_addr_t h;
	void *v = dma_pool_alloc(pool, GFP_KERNEL, &h);

	dma_pool_free(pool, v, h);
	dma_pool_free(pool, v, h);
	dma_pool_destroy(pool);
	return 0;
}

static int bug_pool_free_invalid(void)
{
	struct dma_pool *pool = dma_pool_create("inv", &dev, 64, 8, 0);
	dma_addr_t h;
	char *v = dma_pool_alloc(pool, GFP_KERNEL, &h);

	dma_pool_free(pool, v + 8, h + 8);
	dma_pool_free(pool, v, h);
	dma_pool_destroy(pool);
	return 0;
}

static int bug_pool_destroy_busy(void)
{
	struct dma_pool *pool = dma_pool_create("busy", &dev, 64, 8, 0);
	dma_addr_t h;

	dma_pool_alloc(pool, GFP_KERNEL, &h);
	dma_pool_destroy(pool);
	return 0;
}

static int bug_pool_corruption(void)
{
	struct dma_pool *pool = dma_pool_create("waf", &dev, 64, 8, 0);
	dma_addr_t h, h2;
	char *v = dma_pool_alloc(pool, GFP_KERNEL, &h), *v2;

	dma_pool_free(pool, v, h);
	v[40] = 1; /* write after free */
	v2 = dma_pool_alloc(pool, GFP_KERNEL, &h2);
	dma_pool_free(pool, v2, h2);
	dma_pool_destroy(pool);
	return 0;
}

static int bug_mask_unreachable(void)
{
	void *p = buf(256);
	dma_addr_t a = dma_map_single(&dev, p, 256, DMA_TO_DEVICE);

	if (!dma_mapping_error(&dev, a))
		dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	return 0;
}

static int bug_mask_violation(void)
{
	struct device d32;
	struct dmasan_device_info info = { .dma_bits = 32 };

	memset(&d32, 0, sizeof(d32));
	dmasan_device_add(&d32, "narrow0", &info);
	dma_set_mask(&d32, DMA_BIT_MASK(64));
	dmasan_device_del(&d32);
	return 0;
}

static int bug_use_after_unmap(void)
{
	void *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_TO_DEVICE);
	char out[16];

	dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	return dmasan_dev_read(&dev, a, out, sizeof(out)) == 0 && dmasan_active();
}

static int bug_use_after_free(void)
{
	dma_addr_t h;
	void *p = dma_alloc_coherent(&dev, 4096, &h, GFP_KERNEL);
	char out[16];

	dma_free_coherent(&dev, 4096, p, h);
	return dmasan_dev_read(&dev, h, out, sizeof(out)) == 0 && dmasan_active();
}

static int bug_device_access_unmapped(void)
{
	char out[16];

	(void)dmasan_dev_read(&dev, 0x9abc0000, out, sizeof(out));
	return 0;
}

static int bug_dir_violation(void)
{
	void *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_TO_DEVICE);
	char in[16] = { 0 };
	int rc = dmasan_dev_write(&dev, a, in, sizeof(in));

	dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	return dmasan_active() ? rc != -EACCES : 0;
}

static int bug_missing_sync_for_device(void)
{
	char *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_FROM_DEVICE);
	char pkt[16] = { 1 };

	dmasan_dev_write(&dev, a, pkt, sizeof(pkt));
	dma_sync_single_for_cpu(&dev, a, 256, DMA_FROM_DEVICE);
	/* forgot dma_sync_single_for_device before the next receive */
	dmasan_dev_write(&dev, a, pkt, sizeof(pkt));
	dma_unmap_single(&dev, a, 256, DMA_FROM_DEVICE);
	return 0;
}

static int bug_huge_and_null_maps(void)
{
	char *p = buf(64);
	struct scatterlist sg[2];

	if (!dma_mapping_error(&dev, dma_map_single(&dev, p, (size_t)1 << 40, DMA_TO_DEVICE)))
		return 1;
	if (!dma_mapping_error(&dev, dma_map_single(&dev, NULL, 64, DMA_TO_DEVICE)))
		return 1;
	/* nents larger than the list: the list ends first. */
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], p, 32);
	sg_set_buf(&sg[1], p + 32, 32);
	if (dma_map_sg(&dev, sg, 5, DMA_TO_DEVICE) != 0)
		return 1;
	return 0;
}

static struct device tdev[2];

/* One worker: map, device write, sync, check, recycle, unmap, many times. */
static void *worker(void *arg)
{
	struct device *d = arg;
	char *p = buf(1536);
	long i, bad = 0;

	for (i = 0; i < 20000; i++) {
		dma_addr_t a = dma_map_single(d, p, 1536, DMA_FROM_DEVICE);
		char v = (char)i;

		if (dma_mapping_error(d, a)) {
			bad++;
			continue;
		}
		dmasan_dev_write(d, a + 100, &v, 1);
		dma_sync_single_for_cpu(d, a, 1536, DMA_FROM_DEVICE);
		bad += p[100] != v;
		dma_sync_single_for_device(d, a, 1536, DMA_FROM_DEVICE);
		dma_unmap_single(d, a, 1536, DMA_FROM_DEVICE);
	}
	free(p);
	return (void *)bad;
}

static int ok_threads(void)
{
	pthread_t t[4];
	void *ret;
	long bad = 0;
	int i;

	dmasan_device_add(&tdev[0], "thr0", NULL);
	dmasan_device_add(&tdev[1], "thr1", NULL);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, &tdev[i % 2]);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &ret);
		bad += (long)ret;
	}
	dmasan_device_del(&tdev[0]);
	dmasan_device_del(&tdev[1]);
	return bad != 0;
}

/* A child forked with a mapping live neither inherits it as its own leak nor
 * disturbs the parent's state. */
static int ok_fork(void)
{
	char *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_TO_DEVICE);
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char *q = buf(256);
		dma_addr_t b = map(q, 256, DMA_TO_DEVICE);

		dma_unmap_single(&dev, b, 256, DMA_TO_DEVICE);
		exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return 1;
	dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	return 0;
}

/* The child's own bug is reported with the child's pid and status. */
static int fork_child_bug(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		dma_unmap_single(&dev, 0x12345000, 64, DMA_TO_DEVICE);
		exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return !WIFEXITED(status) || WEXITSTATUS(status) != (dmasan_active() ? 23 : 0);
}

/* ---- the cache model ---- */

/* Non-coherent: without sync_for_cpu the CPU still sees its old bytes. */
static int ok_skip_sync_reads_old(void)
{
	char *p = buf(256);
	dma_addr_t a;
	int stale;

	memset(p, 'O', 256);
	a = map(p, 256, DMA_FROM_DEVICE);
	dmasan_dev_write(&dev, a, "NNNN", 4);
	stale = p[0] == 'O'; /* the driver forgot dma_sync_single_for_cpu */
	dma_unmap_single(&dev, a, 256, DMA_FROM_DEVICE);
	/* Under the shim the read was stale; the unmap then gave the bytes back. */
	return dmasan_active() ? !(stale && p[0] == 'N') : 0;
}

static int ok_sync_reads_new(void)
{
	char *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_FROM_DEVICE);
	int ok;

	dmasan_dev_write(&dev, a, "NNNN", 4);
	dma_sync_single_for_cpu(&dev, a, 256, DMA_FROM_DEVICE);
	ok = p[0] == 'N' && p[3] == 'N';
	dma_unmap_single(&dev, a, 256, DMA_FROM_DEVICE);
	return !ok;
}

static int bug_missing_sync_for_cpu(void)
{
	char *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_FROM_DEVICE);

	dmasan_dev_write(&dev, a, "pkt1", 4);
	/* recycled without dma_sync_single_for_cpu: the driver never saw pkt1 */
	dma_sync_single_for_device(&dev, a, 256, DMA_FROM_DEVICE);
	dma_unmap_single(&dev, a, 256, DMA_FROM_DEVICE);
	return 0;
}

static int bug_cpu_write_device_owned(void)
{
	char *p = buf(256);
	dma_addr_t a = map(p, 256, DMA_TO_DEVICE);

	p[10] = 'x'; /* written after the buffer was given to the device */
	dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	return 0;
}

static int bug_tx_stale_read(void)
{
	char *p = buf(256), out[16];
	dma_addr_t a = map(p, 256, DMA_TO_DEVICE);

	memcpy(p, "late", 4); /* after the map: the device reads the old bytes */
	dmasan_dev_read(&dev, a, out, sizeof(out));
	dma_unmap_single(&dev, a, 256, DMA_TO_DEVICE);
	return dmasan_active() ? memcmp(out, "late", 4) == 0 : 0;
}

static int bug_cacheline_sharing(void)
{
	char *line = buf(128);
	dma_addr_t a;

	/* In place (64-bit): a bounced map never maintains the buffer's own lines. */
	dma_set_mask_and_coherent(&dev, DMA_BIT_MASK(64));
	a = map(line + 16, 32, DMA_FROM_DEVICE);

	line[2] = 1; /* driver state next to the RX buffer, same cache line */
	dma_sync_single_for_cpu(&dev, a, 32, DMA_FROM_DEVICE);
	dma_unmap_single(&dev, a, 32, DMA_FROM_DEVICE);
	return 0;
}

/* The same layout through a bounce buffer is harmless: nothing to report. */
static int ok_cacheline_sharing_bounced(void)
{
	char *line = buf(128);
	dma_addr_t a = map(line + 16, 32, DMA_FROM_DEVICE);

	line[2] = 1;
	dma_sync_single_for_cpu(&dev, a, 32, DMA_FROM_DEVICE);
	dma_unmap_single(&dev, a, 32, DMA_FROM_DEVICE);
	return 0;
}

/* A malloc()ed RX buffer (16-byte aligned) mapped over and over: one warning. */
static int unaligned_rx_loop(void)
{
	char *p = malloc(1500);
	int i;

	for (i = 0; i < 100; i++) {
		dma_addr_t a = map(p + 8, 1500 - 8, DMA_FROM_DEVICE);

		dma_unmap_single(&dev, a, 1500 - 8, DMA_FROM_DEVICE);
	}
	free(p);
	return 0;
}

/* An unaligned TX buffer is harmless unless check_alignment=2. */
static int unaligned_tx(void)
{
	char *p = malloc(100);
	dma_addr_t a;

	memset(p, 1, 100);
	a = map(p + 4, 90, DMA_TO_DEVICE);
	dma_unmap_single(&dev, a, 90, DMA_TO_DEVICE);
	free(p);
	return 0;
}

/* The shim runs out of memory part-way: tracking stops, DMA keeps working. */
static int ok_out_of_memory(void)
{
	static char *bufs[64];
	static dma_addr_t a[64];
	int i, round, bad = 0;

	for (i = 0; i < 64; i++)
		bufs[i] = buf(2048);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 64; i++) {
			a[i] = dma_map_single(&dev, bufs[i], 2048, DMA_FROM_DEVICE);
			if (dma_mapping_error(&dev, a[i]))
				return 1;
		}
		for (i = 0; i < 64; i++) {
			char v = (char)(round * 64 + i);

			if (dmasan_dev_write(&dev, a[i] + 7, &v, 1))
				bad++;
			dma_sync_single_for_cpu(&dev, a[i], 2048, DMA_FROM_DEVICE);
			bad += bufs[i][7] != v;
			dma_unmap_single(&dev, a[i], 2048, DMA_FROM_DEVICE);
		}
	}
	if (bad)
		fprintf(stderr, "ok_out_of_memory: %d bad transfers\n", bad);
	return bad != 0;
}

static struct device cdev;

static int coherent_dev(void)
{
	struct dmasan_device_info info = { .coherent = DMASAN_YES };
	int rc = dmasan_device_add(&cdev, "coh0", &info);

	/* 64-bit: maps in place (a bounced map is copied at syncs, coherent or not). */
	return rc ? rc : dma_set_mask_and_coherent(&cdev, DMA_BIT_MASK(64));
}

/* A coherent device sees the CPU's bytes at once and needs no copies... */
static int ok_coherent_device(void)
{
	char *p = buf(256), out[4];
	dma_addr_t a;
	int ok;

	coherent_dev();
	a = dma_map_single(&cdev, p, 256, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(&cdev, a))
		return 1;
	dmasan_dev_write(&cdev, a, "coh!", 4);
	ok = !memcmp(p, "coh!", 4); /* visible at once on a coherent device */
	dmasan_dev_read(&cdev, a + 4, out, 4);
	dma_sync_single_for_cpu(&cdev, a, 256, DMA_BIDIRECTIONAL);
	dma_unmap_single(&cdev, a, 256, DMA_BIDIRECTIONAL);
	return !ok;
}

/* ... but a race with DMA is still a bug on any machine. */
static int bug_coherent_cpu_write(void)
{
	char *p = buf(256);
	dma_addr_t a;

	coherent_dev();
	a = dma_map_single(&cdev, p, 256, DMA_FROM_DEVICE);
	if (dma_mapping_error(&cdev, a))
		return 1;
	p[0] = 'c';
	dma_unmap_single(&cdev, a, 256, DMA_FROM_DEVICE);
	return 0;
}

/* evict=1000: the CPU's dirty line is written back over the device's data. */
static int evict_dirty_line(void)
{
	char *p = buf(64);
	dma_addr_t a = map(p, 64, DMA_FROM_DEVICE);
	char c;

	dmasan_dev_write(&dev, a, "D", 1);
	p[0] = 'C'; /* bug: the CPU writes while the device owns the line */
	c = 'd';
	dmasan_dev_write(&dev, a + 32, &c, 1); /* any later event may evict */
	dma_sync_single_for_cpu(&dev, a, 64, DMA_FROM_DEVICE);
	printf("after sync the CPU sees '%c'\n", p[0]);
	dma_unmap_single(&dev, a, 64, DMA_FROM_DEVICE);
	return 0;
}

/* ---- swiotlb ---- */

/* A 32-bit device's map of high memory bounces: data only moves at the copies. */
static int ok_bounce_copies(void)
{
	char *p = buf(512), out[8];
	dma_addr_t a;
	int ok = 1;

	memcpy(p, "first", 6);
	a = map(p, 512, DMA_BIDIRECTIONAL);
	dmasan_dev_read(&dev, a, out, 6);
	ok &= !memcmp(out, "first", 6); /* copied in at map */
	dmasan_dev_write(&dev, a + 100, "dev", 4);
	if (dmasan_active())
		ok &= memcmp(p + 100, "dev", 4) != 0; /* not yet back */
	dma_sync_single_for_cpu(&dev, a, 512, DMA_BIDIRECTIONAL);
	ok &= !memcmp(p + 100, "dev", 4); /* copied out at sync_for_cpu */
	memcpy(p, "again", 6);
	dma_sync_single_for_device(&dev, a, 512, DMA_BIDIRECTIONAL);
	dmasan_dev_read(&dev, a, out, 6);
	ok &= !memcmp(out, "again", 6); /* copied in at sync_for_device */
	dma_unmap_single(&dev, a, 512, DMA_BIDIRECTIONAL);
	/* Direct mapping (identity) has no bounce: only check under the shim. */
	return dmasan_active() ? !(ok && a < 0x100000000ULL) : 0;
}

/* bounce=force on a 64-bit device: a missing sync_for_cpu reads stale data. */
static int ok_forced_bounce_stale(void)
{
	char *p = buf(256);
	dma_addr_t a;
	int stale;

	dma_set_mask_and_coherent(&dev, DMA_BIT_MASK(64));
	memset(p, 'O', 256);
	a = map(p, 256, DMA_FROM_DEVICE);
	dmasan_dev_write(&dev, a, "N", 1);
	stale = p[0] == 'O';
	dma_sync_single_for_cpu(&dev, a, 256, DMA_FROM_DEVICE);
	dma_unmap_single(&dev, a, 256, DMA_FROM_DEVICE);
	return dmasan_active() ? !(stale && p[0] == 'N') : 0;
}

/* swiotlb_size=256K: 128 slots; leaked maps fill it and a map fails. */
static int bug_bounce_exhausted(void)
{
	static char *bufs[200];
	static dma_addr_t a[200];
	int i, n = 0, failed = 0;

	for (i = 0; i < 200 && !failed; i++) {
		bufs[i] = buf(2048);
		a[i] = dma_map_single(&dev, bufs[i], 2048, DMA_TO_DEVICE);
		if (dma_mapping_error(&dev, a[i]))
			failed = 1;
		else
			n++;
	}
	for (i = 0; i < n; i++)
		dma_unmap_single(&dev, a[i], 2048, DMA_TO_DEVICE);
	return dmasan_active() ? !(failed && n == 128) : 0;
}

/* ---- IOMMU ---- */

static struct device idev;

static int iommu_dev(u64 mask)
{
	struct dmasan_device_info info = { .iommu = DMASAN_YES };
	int rc = dmasan_device_add(&idev, "iommu0", &info);

	return rc ? rc : dma_set_mask_and_coherent(&idev, mask);
}

/* IOVAs come from the device's own space, top-down below its mask; no bouncing. */
static int ok_iommu(void)
{
	char *p = buf(8192), out[4];
	dma_addr_t a, b, h;
	void *c;
	int ok = 1;

	if (iommu_dev(DMA_BIT_MASK(32)))
		return 1;
	a = dma_map_single(&idev, p, 4096, DMA_TO_DEVICE);
	b = dma_map_single(&idev, p + 4096, 4096, DMA_FROM_DEVICE);
	c = dma_alloc_coherent(&idev, 4096, &h, GFP_KERNEL);
	if (dma_mapping_error(&idev, a) || dma_mapping_error(&idev, b) || !c)
		return 1;
	if (dmasan_active()) {
		ok &= a <= DMA_BIT_MASK(32) && b < a && a > 0xf0000000ULL;
		ok &= (a & 4095) == ((uintptr_t)p & 4095);
	}
	memcpy(out, "iova", 4);
	dmasan_dev_write(&idev, b, out, 4);
	dma_unmap_single(&idev, b, 4096, DMA_FROM_DEVICE);
	ok &= !memcmp(p + 4096, "iova", 4);
	dma_unmap_single(&idev, a, 4096, DMA_TO_DEVICE);
	dma_free_coherent(&idev, 4096, c, h);
	dmasan_device_del(&idev);
	return !ok;
}

static int bug_iommu_fault(void)
{
	char out[8];

	if (iommu_dev(DMA_BIT_MASK(32)))
		return 1;
	return dmasan_dev_read(&idev, 0x1000, out, sizeof(out)) != -EFAULT && dmasan_active();
}

static int bug_two_unknown_unmaps(void)
{
	dma_unmap_single(&dev, 0x12345000, 64, DMA_TO_DEVICE);
	dma_unmap_single(&dev, 0x12346000, 64, DMA_TO_DEVICE);
	return 0;
}

static int print_and_double_unmap(void)
{
	printf("program output\n");
	return bug_double_unmap();
}

struct tcase {
	const char *name;
	int (*fn)(void);
};

static const struct tcase cases[] = {
	{ "ok-single", ok_single },
	{ "ok-rx", ok_rx },
	{ "ok-page-and-range", ok_page_and_range },
	{ "ok-sg", ok_sg },
	{ "ok-coherent", ok_coherent },
	{ "ok-pool", ok_pool },
	{ "ok-noncoherent", ok_noncoherent },
	{ "ok-masks", ok_masks },
	{ "ok-resource", ok_resource },
	{ "unmap-not-mapped", bug_unmap_not_mapped },
	{ "unmap-invalid-handle", bug_unmap_invalid_handle },
	{ "double-unmap", bug_double_unmap },
	{ "unmap-size-mismatch", bug_unmap_size },
	{ "unmap-type-mismatch", bug_unmap_type },
	{ "unmap-dir-mismatch", bug_unmap_dir },
	{ "unmap-nents-mismatch", bug_unmap_nents },
	{ "unmap-attrs-mismatch", bug_unmap_attrs },
	{ "free-cpu-addr-mismatch", bug_free_cpu_addr },
	{ "map-error-unchecked", bug_map_error_unchecked },
	{ "sync-not-mapped", bug_sync_not_mapped },
	{ "sync-out-of-range", bug_sync_out_of_range },
	{ "sync-dir-mismatch", bug_sync_dir },
	{ "sync-nents-mismatch", bug_sync_nents },
	{ "map-stack-memory", bug_map_stack },
	{ "map-readonly-memory", bug_map_readonly },
	{ "map-zero-length", bug_map_zero },
	{ "map-readonly-from-device", bug_map_readonly_from_device },
	{ "sg-without-page", bug_sg_without_page },
	{ "map-invalid-direction", bug_map_bad_dir },
	{ "null-device", bug_null_device },
	{ "cacheline-overlap", bug_cacheline_overlap },
	{ "sg-segment-too-long", bug_sg_too_long },
	{ "sg-boundary-crossing", bug_sg_boundary },
	{ "leak-mapping", bug_leak_mapping },
	{ "leak-coherent", bug_leak_coherent },
	{ "leak-at-device-del", bug_leak_at_device_del },
	{ "leak-pool", bug_leak_pool },
	{ "coherent-double-free", bug_coherent_double_free },
	{ "coherent-size-mismatch", bug_coherent_size },
	{ "pool-double-free", bug_pool_double_free },
	{ "pool-free-invalid", bug_pool_free_invalid },
	{ "pool-destroy-busy", bug_pool_destroy_busy },
	{ "pool-corruption", bug_pool_corruption },
	{ "mask-unreachable", bug_mask_unreachable },
	{ "mask-violation", bug_mask_violation },
	{ "use-after-unmap", bug_use_after_unmap },
	{ "use-after-free", bug_use_after_free },
	{ "device-access-unmapped", bug_device_access_unmapped },
	{ "dir-violation", bug_dir_violation },
	{ "missing-sync-for-device", bug_missing_sync_for_device },
	{ "two-unknown-unmaps", bug_two_unknown_unmaps },
	{ "ok-iommu", ok_iommu },
	{ "iommu-fault", bug_iommu_fault },
	{ "ok-bounce-copies", ok_bounce_copies },
	{ "ok-forced-bounce-stale", ok_forced_bounce_stale },
	{ "bounce-exhausted", bug_bounce_exhausted },
	{ "ok-skip-sync-reads-old", ok_skip_sync_reads_old },
	{ "ok-sync-reads-new", ok_sync_reads_new },
	{ "missing-sync-for-cpu", bug_missing_sync_for_cpu },
	{ "cpu-write-device-owned", bug_cpu_write_device_owned },
	{ "tx-stale-read", bug_tx_stale_read },
	{ "cacheline-sharing", bug_cacheline_sharing },
	{ "cacheline-sharing-bounced", ok_cacheline_sharing_bounced },
	{ "unaligned-rx-loop", unaligned_rx_loop },
	{ "ok-out-of-memory", ok_out_of_memory },
	{ "unaligned-rx-loop-off", unaligned_rx_loop },
	{ "unaligned-tx", unaligned_tx },
	{ "unaligned-tx-strict", unaligned_tx },
	{ "ok-coherent-device", ok_coherent_device },
	{ "coherent-cpu-write", bug_coherent_cpu_write },
	{ "evict-dirty-line", evict_dirty_line },
	{ "evict-dirty-line-evicted", evict_dirty_line },
	{ "ok-threads", ok_threads },
	{ "ok-fork", ok_fork },
	{ "fork-child-bug", fork_child_bug },
	{ "map-invalid-memory", bug_huge_and_null_maps },
	{ "print-and-double-unmap", print_and_double_unmap },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: dmadebug_cases CASE\n");
		return 2;
	}
	if (dmasan_device_add(&dev, "testdev0", NULL)) {
		fprintf(stderr, "dmasan_device_add failed\n");
		return 2;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!strcmp(cases[i].name, argv[1])) {
			int rc = cases[i].fn();

			if (rc)
				fprintf(stderr, "case %s: unexpected result\n", argv[1]);
			return rc;
		}
	}
	fprintf(stderr, "dmadebug_cases: unknown case '%s'\n", argv[1]);
	return 2;
}
