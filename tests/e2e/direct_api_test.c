/* SPDX-License-Identifier: MIT */
/*
 * CUnit tests of libdmasan_direct.so through its public API, as a driver
 * test sees it: identity bus addresses, Linux's return conventions (maps,
 * sg lists, masks, allocations), declared coherent regions (one per device,
 * no fallback, translated device accesses), dma_pool's create-time rules,
 * boundaries and zeroing, and the trivial harness. Each test gets a fresh,
 * registered device from the per-test setup; the teardown releases any
 * declared region. Runs single-threaded except the pool thread test.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dmasan/dmasan.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>

#include "helpers/cunit_helpers.h"

#define REGION_BUS 0x40000000ull
#define REGION_PAGES 16u

static struct device tdev;
static struct device_dma_parameters tparms;

static int setup_device(void)
{
	memset(&tdev, 0, sizeof(tdev));
	memset(&tparms, 0, sizeof(tparms));
	return dmasan_device_add(&tdev, "direct0", NULL);
}

static void test_setup(void)
{
	if (setup_device() != 0)
		abort();
}

static void test_teardown(void)
{
	dma_release_coherent_memory(&tdev);
	dmasan_device_del(&tdev);
}

static dma_addr_t bus(const void *p)
{
	return (dma_addr_t)(uintptr_t)p;
}

static bool is_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

/* --- mapping ----------------------------------------------------------- */

static void test_map_single_returns_identity(void)
{
	static char buf[256];
	dma_addr_t a;

	a = dma_map_single(&tdev, buf, sizeof(buf), DMA_TO_DEVICE);
	CU_ASSERT_EQUAL(a, bus(buf));
	CU_ASSERT_EQUAL(dma_mapping_error(&tdev, a), 0);
	dma_unmap_single(&tdev, a, sizeof(buf), DMA_TO_DEVICE);
	a = dma_map_single_attrs(&tdev, buf + 8, 16, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	CU_ASSERT_EQUAL(a, bus(buf + 8));
	dma_unmap_single_attrs(&tdev, a, 16, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
}

static void test_map_page_returns_page_address_plus_offset(void)
{
	struct page *pg = alloc_page(GFP_KERNEL);
	dma_addr_t a;

	DMASAN_ASSERT_FATAL(pg != NULL);
	a = dma_map_page(&tdev, pg, 100, 200, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(a, bus(page_address(pg)) + 100);
	dma_unmap_page(&tdev, a, 200, DMA_BIDIRECTIONAL);
	a = dma_map_page_attrs(&tdev, pg, 0, PAGE_SIZE, DMA_TO_DEVICE, 0);
	CU_ASSERT_EQUAL(a, bus(page_address(pg)));
	dma_unmap_page_attrs(&tdev, a, PAGE_SIZE, DMA_TO_DEVICE, 0);
	__free_page(pg);
}

static void test_map_resource_returns_phys(void)
{
	dma_addr_t a = dma_map_resource(&tdev, 0xfe001000ull, 64, DMA_BIDIRECTIONAL, 0);

	CU_ASSERT_EQUAL(a, 0xfe001000ull);
	dma_unmap_resource(&tdev, a, 64, DMA_BIDIRECTIONAL, 0);
}

static void test_map_null_device_fails(void)
{
	static char buf[64];
	struct scatterlist sg;
	struct sg_table sgt = { .sgl = &sg, .nents = 0, .orig_nents = 1 };
	dma_addr_t a;

	sg_init_one(&sg, buf, sizeof(buf));
	a = dma_map_single(NULL, buf, sizeof(buf), DMA_TO_DEVICE);
	CU_ASSERT_EQUAL(a, DMA_MAPPING_ERROR);
	CU_ASSERT_EQUAL(dma_mapping_error(NULL, a), -ENOMEM);
	CU_ASSERT_EQUAL(dma_map_page(NULL, virt_to_page(buf), 0, 64, DMA_TO_DEVICE),
			DMA_MAPPING_ERROR);
	CU_ASSERT_EQUAL(dma_map_resource(NULL, 0x1000, 64, DMA_TO_DEVICE, 0), DMA_MAPPING_ERROR);
	CU_ASSERT_EQUAL(dma_map_sg(NULL, &sg, 1, DMA_TO_DEVICE), 0);
	CU_ASSERT_EQUAL(dma_map_sgtable(NULL, &sgt, DMA_TO_DEVICE, 0), -EIO);
	/* Unmaps and syncs with a NULL device must not crash. */
	dma_unmap_single(NULL, a, 64, DMA_TO_DEVICE);
	dma_unmap_sg(NULL, &sg, 1, DMA_TO_DEVICE);
	dma_sync_single_for_cpu(NULL, a, 64, DMA_TO_DEVICE);
	dma_sync_sgtable_for_device(NULL, &sgt, DMA_TO_DEVICE);
}

static void test_mapping_error_values(void)
{
	CU_ASSERT_EQUAL(dma_mapping_error(&tdev, DMA_MAPPING_ERROR), -ENOMEM);
	CU_ASSERT_EQUAL(dma_mapping_error(&tdev, 0), 0);
	CU_ASSERT_EQUAL(dma_mapping_error(&tdev, 0x1000), 0);
}

static void test_map_sg_sets_dma_fields(void)
{
	static char a[100], b[3000], c[10];
	struct scatterlist sg[3];
	int n;

	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], a, sizeof(a));
	sg_set_buf(&sg[1], b, sizeof(b));
	sg_set_buf(&sg[2], c, sizeof(c));
	n = dma_map_sg(&tdev, sg, 3, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(sg_dma_address(&sg[0]), bus(a));
	CU_ASSERT_EQUAL(sg_dma_address(&sg[1]), bus(b));
	CU_ASSERT_EQUAL(sg_dma_address(&sg[2]), bus(c));
	CU_ASSERT_EQUAL(sg_dma_len(&sg[0]), sizeof(a));
	CU_ASSERT_EQUAL(sg_dma_len(&sg[1]), sizeof(b));
	CU_ASSERT_EQUAL(sg_dma_len(&sg[2]), sizeof(c));
	dma_sync_sg_for_cpu(&tdev, sg, 3, DMA_FROM_DEVICE);
	dma_sync_sg_for_device(&tdev, sg, 3, DMA_FROM_DEVICE);
	dma_unmap_sg(&tdev, sg, 3, DMA_FROM_DEVICE);
}

static void test_map_sg_follows_chain(void)
{
	static char bufs[3][64];
	struct scatterlist first[2], second[2];
	unsigned int n;

	sg_init_table(first, 2);
	sg_init_table(second, 2);
	sg_set_buf(&first[0], bufs[0], 64);
	sg_chain(first, 2, second);
	sg_set_buf(&second[0], bufs[1], 64);
	sg_set_buf(&second[1], bufs[2], 32);
	n = dma_map_sg_attrs(&tdev, first, 3, DMA_TO_DEVICE, 0);
	CU_ASSERT_EQUAL(n, 3u);
	CU_ASSERT_EQUAL(sg_dma_address(&first[0]), bus(bufs[0]));
	CU_ASSERT_EQUAL(sg_dma_address(&second[0]), bus(bufs[1]));
	CU_ASSERT_EQUAL(sg_dma_address(&second[1]), bus(bufs[2]));
	CU_ASSERT_EQUAL(sg_dma_len(&second[1]), 32u);
	dma_unmap_sg_attrs(&tdev, first, 3, DMA_TO_DEVICE, 0);
}

static void test_map_sg_bad_input_returns_zero(void)
{
	static char buf[64];
	struct scatterlist sg[2];

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, 32);
	sg_set_buf(&sg[1], buf + 32, 32);
	CU_ASSERT_EQUAL(dma_map_sg(&tdev, sg, 0, DMA_TO_DEVICE), 0);
	CU_ASSERT_EQUAL(dma_map_sg(&tdev, sg, -1, DMA_TO_DEVICE), 0);
	CU_ASSERT_EQUAL(dma_map_sg(&tdev, NULL, 1, DMA_TO_DEVICE), 0);
	CU_ASSERT_EQUAL(dma_map_sg(&tdev, sg, 3, DMA_TO_DEVICE), 0);
	CU_ASSERT_EQUAL(dma_map_sg(&tdev, sg, 2, DMA_TO_DEVICE), 2);
}

static void test_map_sgtable_sets_nents(void)
{
	static char bufs[4][128];
	struct scatterlist *s;
	struct sg_table sgt;
	unsigned int i;

	DMASAN_ASSERT_FATAL(sg_alloc_table(&sgt, 4, GFP_KERNEL) == 0);
	for_each_sgtable_sg(&sgt, s, i)
		sg_set_buf(s, bufs[i], 128);
	sgt.nents = 0;
	CU_ASSERT_EQUAL(dma_map_sgtable(&tdev, &sgt, DMA_BIDIRECTIONAL, 0), 0);
	CU_ASSERT_EQUAL(sgt.nents, 4u);
	for_each_sgtable_dma_sg(&sgt, s, i)
		CU_ASSERT_EQUAL(sg_dma_address(s), bus(bufs[i]));
	dma_sync_sgtable_for_cpu(&tdev, &sgt, DMA_BIDIRECTIONAL);
	dma_sync_sgtable_for_device(&tdev, &sgt, DMA_BIDIRECTIONAL);
	dma_unmap_sgtable(&tdev, &sgt, DMA_BIDIRECTIONAL, 0);

	CU_ASSERT_EQUAL(dma_map_sgtable(&tdev, NULL, DMA_TO_DEVICE, 0), -EINVAL);
	sgt.orig_nents = 0;
	CU_ASSERT_EQUAL(dma_map_sgtable(&tdev, &sgt, DMA_TO_DEVICE, 0), -EINVAL);
	sgt.orig_nents = 5; /* longer than the list */
	CU_ASSERT_EQUAL(dma_map_sgtable(&tdev, &sgt, DMA_TO_DEVICE, 0), -EINVAL);
	sgt.orig_nents = 4;
	sg_free_table(&sgt);
}

static void test_syncs_change_nothing(void)
{
	unsigned char buf[128];
	dma_addr_t a;

	memset(buf, 0x5a, sizeof(buf));
	a = dma_map_single(&tdev, buf, sizeof(buf), DMA_BIDIRECTIONAL);
	dma_sync_single_for_cpu(&tdev, a, sizeof(buf), DMA_BIDIRECTIONAL);
	dma_sync_single_for_device(&tdev, a, sizeof(buf), DMA_BIDIRECTIONAL);
	dma_sync_single_range_for_cpu(&tdev, a, 64, 64, DMA_BIDIRECTIONAL);
	dma_sync_single_range_for_device(&tdev, a, 64, 64, DMA_BIDIRECTIONAL);
	dma_unmap_single(&tdev, a, sizeof(buf), DMA_BIDIRECTIONAL);
	buf[0] ^= 0x5a;
	CU_ASSERT_TRUE(buf[0] == 0 && buf[127] == 0x5a);
}

static void test_unregistered_device_registered_on_first_use(void)
{
	static char buf[64];
	struct device d;

	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(dma_map_single(&d, buf, 64, DMA_TO_DEVICE), bus(buf));
	CU_ASSERT_PTR_EQUAL(d.dma_mask, &d.coherent_dma_mask);
	CU_ASSERT_EQUAL(d.coherent_dma_mask, DMA_BIT_MASK(32));
	CU_ASSERT_EQUAL(dma_get_mask(&d), DMA_BIT_MASK(32));
}

static CU_TestInfo mapping_tests[] = {
	{ "map_single_returns_identity", test_map_single_returns_identity },
	{ "map_page_returns_page_address_plus_offset",
	  test_map_page_returns_page_address_plus_offset },
	{ "map_resource_returns_phys", test_map_resource_returns_phys },
	{ "map_null_device_fails", test_map_null_device_fails },
	{ "mapping_error_values", test_mapping_error_values },
	{ "map_sg_sets_dma_fields", test_map_sg_sets_dma_fields },
	{ "map_sg_follows_chain", test_map_sg_follows_chain },
	{ "map_sg_bad_input_returns_zero", test_map_sg_bad_input_returns_zero },
	{ "map_sgtable_sets_nents", test_map_sgtable_sets_nents },
	{ "syncs_change_nothing", test_syncs_change_nothing },
	{ "unregistered_device_registered_on_first_use",
	  test_unregistered_device_registered_on_first_use },
	CU_TEST_INFO_NULL,
};

/* --- masks and limits -------------------------------------------------- */

static void test_device_add_sets_defaults(void)
{
	struct device d;

	memset(&d, 0, sizeof(d));
	d.init_name = "keep";
	CU_ASSERT_EQUAL(dmasan_device_add(NULL, "x", NULL), -EINVAL);
	CU_ASSERT_EQUAL(dmasan_device_add(&d, NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(dev_name(&d), "keep");
	CU_ASSERT_PTR_EQUAL(d.dma_mask, &d.coherent_dma_mask);
	CU_ASSERT_EQUAL(d.coherent_dma_mask, DMA_BIT_MASK(32));
	CU_ASSERT_STRING_EQUAL(dev_name(&tdev), "direct0");
}

static void test_set_mask_rejects_null_and_narrow_masks(void)
{
	CU_ASSERT_EQUAL(dma_set_mask(NULL, DMA_BIT_MASK(32)), -EIO);
	CU_ASSERT_EQUAL(dma_set_coherent_mask(NULL, DMA_BIT_MASK(32)), -EIO);
	CU_ASSERT_EQUAL(dma_set_mask_and_coherent(NULL, DMA_BIT_MASK(32)), -EIO);
	CU_ASSERT_EQUAL(dma_set_mask(&tdev, DMA_BIT_MASK(23)), -EIO);
	CU_ASSERT_EQUAL(dma_set_coherent_mask(&tdev, DMA_BIT_MASK(20)), -EIO);
	CU_ASSERT_EQUAL(dma_set_mask_and_coherent(&tdev, 0), -EIO);
	CU_ASSERT_EQUAL(dma_get_mask(&tdev), DMA_BIT_MASK(32));
}

static void test_set_mask_stores_mask(void)
{
	CU_ASSERT_EQUAL(dma_set_mask(&tdev, DMA_BIT_MASK(24)), 0);
	CU_ASSERT_EQUAL(dma_get_mask(&tdev), DMA_BIT_MASK(24));
	CU_ASSERT_EQUAL(dma_set_mask_and_coherent(&tdev, DMA_BIT_MASK(64)), 0);
	CU_ASSERT_EQUAL(dma_get_mask(&tdev), DMA_BIT_MASK(64));
	CU_ASSERT_EQUAL(tdev.coherent_dma_mask, DMA_BIT_MASK(64));
	CU_ASSERT_EQUAL(dma_set_coherent_mask(&tdev, DMA_BIT_MASK(40)), 0);
	CU_ASSERT_EQUAL(tdev.coherent_dma_mask, DMA_BIT_MASK(40));
	CU_ASSERT_EQUAL(dma_get_mask(NULL), DMA_BIT_MASK(32));
}

static void test_dma_supported(void)
{
	CU_ASSERT_EQUAL(dma_supported(&tdev, DMA_BIT_MASK(24)), 1);
	CU_ASSERT_EQUAL(dma_supported(&tdev, DMA_BIT_MASK(64)), 1);
	CU_ASSERT_EQUAL(dma_supported(&tdev, DMA_BIT_MASK(16)), 0);
	CU_ASSERT_EQUAL(dma_supported(NULL, DMA_BIT_MASK(64)), 0);
}

static void test_segment_limits_need_dma_parms(void)
{
	CU_ASSERT_EQUAL(dma_get_max_seg_size(&tdev), 65536u);
	CU_ASSERT_EQUAL(dma_get_seg_boundary(&tdev), ULONG_MAX);
	CU_ASSERT_EQUAL(dma_set_max_seg_size(&tdev, 4096), -EIO);
	CU_ASSERT_EQUAL(dma_set_seg_boundary(&tdev, 0xffff), -EIO);
	CU_ASSERT_EQUAL(dma_set_max_seg_size(NULL, 4096), -EIO);
	CU_ASSERT_EQUAL(dma_get_max_seg_size(NULL), 65536u);
	CU_ASSERT_EQUAL(dma_get_seg_boundary(NULL), ULONG_MAX);
	dma_set_min_align_mask(&tdev, 0xfff);
	dma_set_min_align_mask(NULL, 0xfff);

	tdev.dma_parms = &tparms;
	CU_ASSERT_EQUAL(dma_get_max_seg_size(&tdev), 65536u);
	CU_ASSERT_EQUAL(dma_set_max_seg_size(&tdev, 4096), 0);
	CU_ASSERT_EQUAL(dma_get_max_seg_size(&tdev), 4096u);
	CU_ASSERT_EQUAL(dma_set_seg_boundary(&tdev, 0xffff), 0);
	CU_ASSERT_EQUAL(dma_get_seg_boundary(&tdev), 0xfffful);
	dma_set_min_align_mask(&tdev, 0xfff);
	CU_ASSERT_EQUAL(tparms.min_align_mask, 0xfffu);
	tdev.dma_parms = NULL;
}

static void test_fixed_limits(void)
{
	CU_ASSERT_EQUAL(dma_max_mapping_size(&tdev), SIZE_MAX);
	CU_ASSERT_EQUAL(dma_opt_mapping_size(&tdev), SIZE_MAX);
	CU_ASSERT_EQUAL(dma_get_cache_alignment(), 64);
	CU_ASSERT_FALSE(dma_need_sync(&tdev, 0x1000));
	CU_ASSERT_FALSE(dma_need_sync(NULL, 0x1000));
}

static CU_TestInfo mask_tests[] = {
	{ "device_add_sets_defaults", test_device_add_sets_defaults },
	{ "set_mask_rejects_null_and_narrow_masks", test_set_mask_rejects_null_and_narrow_masks },
	{ "set_mask_stores_mask", test_set_mask_stores_mask },
	{ "dma_supported", test_dma_supported },
	{ "segment_limits_need_dma_parms", test_segment_limits_need_dma_parms },
	{ "fixed_limits", test_fixed_limits },
	CU_TEST_INFO_NULL,
};

/* --- coherent ---------------------------------------------------------- */

static void test_alloc_coherent_zeroed_page_aligned(void)
{
	static const size_t sizes[] = { 1, 100, 4096, 4097, 3 * 4096, 65536 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		dma_addr_t h = 0;
		unsigned char *p = dma_alloc_coherent(&tdev, sizes[i], &h, GFP_KERNEL);

		DMASAN_ASSERT_FATAL(p != NULL);
		CU_ASSERT_EQUAL((uintptr_t)p % PAGE_SIZE, 0u);
		CU_ASSERT_EQUAL(h, bus(p));
		CU_ASSERT_TRUE(is_zero(p, PAGE_ALIGN(sizes[i])));
		memset(p, 0xee, PAGE_ALIGN(sizes[i]));
		dma_free_coherent(&tdev, sizes[i], p, h);
	}
}

static void test_alloc_coherent_naturally_aligned(void)
{
	dma_addr_t h;
	void *p = dma_alloc_attrs(&tdev, 3 * PAGE_SIZE, &h, GFP_KERNEL, 0);

	DMASAN_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL((uintptr_t)p % (4 * PAGE_SIZE), 0u);
	dma_free_attrs(&tdev, 3 * PAGE_SIZE, p, h, 0);
}

static void test_alloc_coherent_failures_return_null(void)
{
	dma_addr_t h = 0x1234;

	CU_ASSERT_PTR_NULL(dma_alloc_coherent(&tdev, 0, &h, GFP_KERNEL));
	CU_ASSERT_PTR_NULL(dma_alloc_coherent(&tdev, SIZE_MAX, &h, GFP_KERNEL));
	CU_ASSERT_PTR_NULL(dma_alloc_coherent(&tdev, SIZE_MAX - 100, &h, GFP_KERNEL));
	CU_ASSERT_PTR_NULL(dma_alloc_coherent(&tdev, SIZE_MAX / 2, &h, GFP_KERNEL));
	CU_ASSERT_PTR_NULL(dma_alloc_coherent(NULL, 4096, &h, GFP_KERNEL));
	CU_ASSERT_PTR_NULL(dma_alloc_noncoherent(&tdev, 0, &h, DMA_TO_DEVICE, GFP_KERNEL));
	CU_ASSERT_PTR_NULL(dma_alloc_pages(&tdev, SIZE_MAX, &h, DMA_TO_DEVICE, GFP_KERNEL));
	CU_ASSERT_EQUAL(h, 0x1234u);
	dma_free_coherent(&tdev, 4096, NULL, 0);
	dma_free_noncoherent(&tdev, 4096, NULL, 0, DMA_TO_DEVICE);
	dma_free_pages(&tdev, 4096, NULL, 0, DMA_TO_DEVICE);
}

static void test_alloc_noncoherent_and_pages(void)
{
	dma_addr_t h;
	unsigned char *p;
	struct page *pg;

	p = dma_alloc_noncoherent(&tdev, 5000, &h, DMA_BIDIRECTIONAL, GFP_KERNEL);
	DMASAN_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(h, bus(p));
	CU_ASSERT_EQUAL((uintptr_t)p % PAGE_SIZE, 0u);
	CU_ASSERT_TRUE(is_zero(p, 8192));
	dma_free_noncoherent(&tdev, 5000, p, h, DMA_BIDIRECTIONAL);

	pg = dma_alloc_pages(&tdev, 3 * PAGE_SIZE, &h, DMA_FROM_DEVICE, GFP_KERNEL);
	DMASAN_ASSERT_FATAL(pg != NULL);
	CU_ASSERT_EQUAL(h, bus(page_address(pg)));
	CU_ASSERT_PTR_EQUAL(virt_to_page(page_address(pg)), pg);
	CU_ASSERT_TRUE(is_zero(page_address(pg), 3 * PAGE_SIZE));
	dma_free_pages(&tdev, 3 * PAGE_SIZE, pg, h, DMA_FROM_DEVICE);
}

static void test_get_sgtable_one_entry(void)
{
	struct sg_table sgt;
	dma_addr_t h;
	void *p = dma_alloc_coherent(&tdev, 100, &h, GFP_KERNEL);

	DMASAN_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(dma_get_sgtable(&tdev, &sgt, p, h, 100), 0);
	CU_ASSERT_EQUAL(sgt.orig_nents, 1u);
	CU_ASSERT_PTR_EQUAL(sg_page(sgt.sgl), virt_to_page(p));
	CU_ASSERT_EQUAL(sgt.sgl->offset, 0u);
	CU_ASSERT_EQUAL(sgt.sgl->length, PAGE_SIZE);
	CU_ASSERT_TRUE(sg_is_last(sgt.sgl));
	sg_free_table(&sgt);
	CU_ASSERT_NOT_EQUAL(dma_get_sgtable_attrs(&tdev, NULL, p, h, 100, 0), 0);
	dma_free_coherent(&tdev, 100, p, h);
}

static CU_TestInfo coherent_tests[] = {
	{ "alloc_coherent_zeroed_page_aligned", test_alloc_coherent_zeroed_page_aligned },
	{ "alloc_coherent_naturally_aligned", test_alloc_coherent_naturally_aligned },
	{ "alloc_coherent_failures_return_null", test_alloc_coherent_failures_return_null },
	{ "alloc_noncoherent_and_pages", test_alloc_noncoherent_and_pages },
	{ "get_sgtable_one_entry", test_get_sgtable_one_entry },
	CU_TEST_INFO_NULL,
};

/* --- declared coherent regions ----------------------------------------- */

static void declare_region(void)
{
	DMASAN_ASSERT_FATAL(dma_declare_coherent_memory(&tdev, 0x80000000ull, REGION_BUS,
							REGION_PAGES * PAGE_SIZE) == 0);
}

static void test_declare_rejects_bad_input(void)
{
	CU_ASSERT_EQUAL(dma_declare_coherent_memory(&tdev, 0, REGION_BUS, 0), -EINVAL);
	CU_ASSERT_EQUAL(dma_declare_coherent_memory(NULL, 0, REGION_BUS, 4096), -EINVAL);
	declare_region();
	CU_ASSERT_EQUAL(dma_declare_coherent_memory(&tdev, 0, REGION_BUS, 4096), -EBUSY);
	dma_release_coherent_memory(&tdev);
	CU_ASSERT_EQUAL(dma_declare_coherent_memory(&tdev, 0, REGION_BUS, 4096), 0);
}

static void test_region_alloc_bus_addresses(void)
{
	unsigned char *p;
	dma_addr_t h = 0;

	declare_region();
	p = dma_alloc_coherent(&tdev, 100, &h, GFP_KERNEL);
	DMASAN_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(h, REGION_BUS);
	CU_ASSERT_NOT_EQUAL(h, bus(p));
	CU_ASSERT_TRUE(is_zero(p, PAGE_SIZE));
	memset(p, 0x77, PAGE_SIZE);
	dma_free_coherent(&tdev, 100, p, h);
	p = dma_alloc_coherent(&tdev, 100, &h, GFP_KERNEL);
	DMASAN_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(h, REGION_BUS);
	CU_ASSERT_TRUE(is_zero(p, PAGE_SIZE));
	dma_free_coherent(&tdev, 100, p, h);
}

static void test_region_power_of_two_first_fit(void)
{
	dma_addr_t h1, h2, h3, h4;
	void *p1, *p2, *p3, *p4;

	declare_region();
	p1 = dma_alloc_coherent(&tdev, PAGE_SIZE, &h1, GFP_KERNEL);
	p2 = dma_alloc_coherent(&tdev, 2 * PAGE_SIZE, &h2, GFP_KERNEL);
	p3 = dma_alloc_coherent(&tdev, PAGE_SIZE, &h3, GFP_KERNEL);
	/* 5 pages take an aligned 8-page block: pages 8..15. */
	p4 = dma_alloc_coherent(&tdev, 5 * PAGE_SIZE, &h4, GFP_KERNEL);
	DMASAN_ASSERT_FATAL(p1 && p2 && p3 && p4);
	CU_ASSERT_EQUAL(h1, REGION_BUS);
	CU_ASSERT_EQUAL(h2, REGION_BUS + 2 * PAGE_SIZE);
	CU_ASSERT_EQUAL(h3, REGION_BUS + PAGE_SIZE);
	CU_ASSERT_EQUAL(h4, REGION_BUS + 8 * PAGE_SIZE);
	/* Pages 4..7 are left; an 8-page request does not fit. */
	CU_ASSERT_PTR_NULL(dma_alloc_coherent(&tdev, 8 * PAGE_SIZE, &h1, GFP_KERNEL));
	dma_free_coherent(&tdev, PAGE_SIZE, p1, h1);
	dma_free_coherent(&tdev, 2 * PAGE_SIZE, p2, h2);
	dma_free_coherent(&tdev, PAGE_SIZE, p3, h3);
	dma_free_coherent(&tdev, 5 * PAGE_SIZE, p4, h4);
}

static void test_region_full_has_no_fallback(void)
{
	void *p[REGION_PAGES];
	dma_addr_t h[REGION_PAGES], extra;
	unsigned int i;

	declare_region();
	for (i = 0; i < REGION_PAGES; i++) {
		p[i] = dma_alloc_coherent(&tdev, PAGE_SIZE, &h[i], GFP_KERNEL);
		DMASAN_ASSERT_FATAL(p[i] != NULL);
		CU_ASSERT_EQUAL(h[i], REGION_BUS + i * PAGE_SIZE);
	}
	CU_ASSERT_PTR_NULL(dma_alloc_coherent(&tdev, PAGE_SIZE, &extra, GFP_KERNEL));
	dma_free_coherent(&tdev, PAGE_SIZE, p[5], h[5]);
	p[5] = dma_alloc_coherent(&tdev, PAGE_SIZE, &h[5], GFP_KERNEL);
	DMASAN_ASSERT_FATAL(p[5] != NULL);
	CU_ASSERT_EQUAL(h[5], REGION_BUS + 5 * PAGE_SIZE);
	for (i = 0; i < REGION_PAGES; i++)
		dma_free_coherent(&tdev, PAGE_SIZE, p[i], h[i]);
}

static void test_region_device_access_translated(void)
{
	unsigned char *p, out[64], in[64];
	dma_addr_t h;

	declare_region();
	p = dma_alloc_coherent(&tdev, 2 * PAGE_SIZE, &h, GFP_KERNEL);
	DMASAN_ASSERT_FATAL(p != NULL);
	memset(in, 0x3c, sizeof(in));
	CU_ASSERT_EQUAL(dmasan_dev_write(&tdev, h + 100, in, sizeof(in)), 0);
	CU_ASSERT_EQUAL(memcmp(p + 100, in, sizeof(in)), 0);
	memset(p + 4000, 0xc3, sizeof(out));
	CU_ASSERT_EQUAL(dmasan_dev_read(&tdev, h + 4000, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(memcmp(p + 4000, out, sizeof(out)), 0);
	/* An access running past the end of the region is refused. */
	CU_ASSERT_EQUAL(dmasan_dev_read(&tdev, REGION_BUS + REGION_PAGES * PAGE_SIZE - 8, out,
					sizeof(out)),
			-EFAULT);
	dma_free_coherent(&tdev, 2 * PAGE_SIZE, p, h);
}

static void test_region_release_restores_identity(void)
{
	dma_addr_t h;
	void *p;

	declare_region();
	dma_release_coherent_memory(&tdev);
	p = dma_alloc_coherent(&tdev, PAGE_SIZE, &h, GFP_KERNEL);
	DMASAN_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(h, bus(p));
	dma_free_coherent(&tdev, PAGE_SIZE, p, h);
	dma_release_coherent_memory(&tdev);
	dma_release_coherent_memory(NULL);
}

static void test_region_noncoherent_not_from_region(void)
{
	dma_addr_t h;
	void *p;

	declare_region();
	p = dma_alloc_noncoherent(&tdev, PAGE_SIZE, &h, DMA_TO_DEVICE, GFP_KERNEL);
	DMASAN_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(h, bus(p));
	dma_free_noncoherent(&tdev, PAGE_SIZE, p, h, DMA_TO_DEVICE);
}

static void test_region_pool_blocks_translated(void)
{
	struct dma_pool *pool;
	unsigned char *b, out[32];
	dma_addr_t h;

	declare_region();
	pool = dma_pool_create("region", &tdev, 32, 32, 0);
	DMASAN_ASSERT_FATAL(pool != NULL);
	b = dma_pool_alloc(pool, GFP_KERNEL, &h);
	DMASAN_ASSERT_FATAL(b != NULL);
	CU_ASSERT_TRUE(h >= REGION_BUS && h < REGION_BUS + REGION_PAGES * PAGE_SIZE);
	memset(b, 0x42, 32);
	CU_ASSERT_EQUAL(dmasan_dev_read(&tdev, h, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(memcmp(out, b, sizeof(out)), 0);
	dma_pool_free(pool, b, h);
	dma_pool_destroy(pool);
}

static CU_TestInfo region_tests[] = {
	{ "declare_rejects_bad_input", test_declare_rejects_bad_input },
	{ "region_alloc_bus_addresses", test_region_alloc_bus_addresses },
	{ "region_power_of_two_first_fit", test_region_power_of_two_first_fit },
	{ "region_full_has_no_fallback", test_region_full_has_no_fallback },
	{ "region_device_access_translated", test_region_device_access_translated },
	{ "region_release_restores_identity", test_region_release_restores_identity },
	{ "region_noncoherent_not_from_region", test_region_noncoherent_not_from_region },
	{ "region_pool_blocks_translated", test_region_pool_blocks_translated },
	CU_TEST_INFO_NULL,
};

/* --- dma_pool ---------------------------------------------------------- */

static void test_pool_create_rejects_bad_parameters(void)
{
	CU_ASSERT_PTR_NULL(dma_pool_create("p", NULL, 64, 8, 0));
	CU_ASSERT_PTR_NULL(dma_pool_create("p", &tdev, 64, 3, 0));
	CU_ASSERT_PTR_NULL(dma_pool_create("p", &tdev, 64, 24, 0));
	CU_ASSERT_PTR_NULL(dma_pool_create("p", &tdev, 0, 8, 0));
	CU_ASSERT_PTR_NULL(dma_pool_create("p", &tdev, (size_t)INT_MAX + 1, 8, 0));
	CU_ASSERT_PTR_NULL(dma_pool_create("p", &tdev, 64, 8, 96));
	CU_ASSERT_PTR_NULL(dma_pool_create("p", &tdev, 64, 8, 32));
	/* 4 bytes are raised to 16, which an 8-byte boundary cannot hold. */
	CU_ASSERT_PTR_NULL(dma_pool_create("p", &tdev, 4, 0, 8));
	/* 40 bytes aligned to 64 are 64, above a 32-byte boundary. */
	CU_ASSERT_PTR_NULL(dma_pool_create("p", &tdev, 40, 64, 32));
}

static void test_pool_create_accepts_edge_parameters(void)
{
	struct dma_pool *p;

	p = dma_pool_create("align0", &tdev, 1, 0, 0);
	CU_ASSERT_PTR_NOT_NULL(p);
	dma_pool_destroy(p);
	p = dma_pool_create(NULL, &tdev, 64, 64, 64);
	CU_ASSERT_PTR_NOT_NULL(p);
	dma_pool_destroy(p);
	p = dma_pool_create("big", &tdev, INT_MAX, 1, 0);
	CU_ASSERT_PTR_NOT_NULL(p);
	dma_pool_destroy(p);
	p = dma_pool_create("huge-boundary", &tdev, 64, 8, (size_t)1 << 40);
	CU_ASSERT_PTR_NOT_NULL(p);
	dma_pool_destroy(p);
	dma_pool_destroy(NULL);
}

static void test_pool_blocks_identity_aligned_distinct(void)
{
	enum { N = 100 };
	struct dma_pool *pool = dma_pool_create("blk", &tdev, 48, 16, 0);
	unsigned char *b[N];
	dma_addr_t h[N];
	unsigned int i, j;

	DMASAN_ASSERT_FATAL(pool != NULL);
	for (i = 0; i < N; i++) {
		b[i] = dma_pool_alloc(pool, GFP_KERNEL, &h[i]);
		DMASAN_ASSERT_FATAL(b[i] != NULL);
		CU_ASSERT_EQUAL(h[i], bus(b[i]));
		CU_ASSERT_EQUAL((uintptr_t)b[i] % 16, 0u);
		memset(b[i], (int)i, 48);
	}
	for (i = 0; i < N; i++)
		for (j = 0; j < 48; j++)
			if (b[i][j] != (unsigned char)i)
				CU_FAIL("blocks overlap");
	for (i = 0; i < N; i++)
		dma_pool_free(pool, b[i], h[i]);
	dma_pool_destroy(pool);
}

static void check_boundary(size_t size, size_t align, size_t boundary, size_t real_size)
{
	enum { N = 600 };
	struct dma_pool *pool = dma_pool_create("bnd", &tdev, size, align, boundary);
	unsigned char *b[N];
	dma_addr_t h[N];
	unsigned int i;
	size_t j;

	DMASAN_ASSERT_FATAL(pool != NULL);
	for (i = 0; i < N; i++) {
		b[i] = dma_pool_alloc(pool, GFP_KERNEL, &h[i]);
		DMASAN_ASSERT_FATAL(b[i] != NULL);
		CU_ASSERT_EQUAL(h[i] / boundary, (h[i] + real_size - 1) / boundary);
		CU_ASSERT_EQUAL(h[i] % align, 0u);
		memset(b[i], (int)(i & 0xff), real_size);
	}
	for (i = 0; i < N; i++)
		for (j = 0; j < real_size; j++)
			if (b[i][j] != (unsigned char)(i & 0xff))
				CU_FAIL("blocks overlap");
	for (i = 0; i < N; i++)
		dma_pool_free(pool, b[i], h[i]);
	dma_pool_destroy(pool);
}

static void test_pool_blocks_never_cross_boundary(void)
{
	check_boundary(100, 4, 256, 100);
	check_boundary(100, 8, 512, 104);
	check_boundary(24, 1, 64, 24);
	check_boundary(3000, 64, 4096, 3008);
	check_boundary(5000, 8, 8192, 5000);
}

static void test_pool_zalloc_zeroes(void)
{
	struct dma_pool *pool = dma_pool_create("z", &tdev, 200, 8, 0);
	unsigned char *b, *c;
	dma_addr_t h;

	DMASAN_ASSERT_FATAL(pool != NULL);
	b = dma_pool_alloc(pool, GFP_KERNEL, &h);
	DMASAN_ASSERT_FATAL(b != NULL);
	memset(b, 0xab, 200);
	dma_pool_free(pool, b, h);
	c = dma_pool_zalloc(pool, GFP_KERNEL, &h);
	CU_ASSERT_PTR_EQUAL(c, b); /* LIFO reuse */
	DMASAN_ASSERT_FATAL(c != NULL);
	CU_ASSERT_TRUE(is_zero(c, 200));
	memset(c, 0xcd, 200);
	dma_pool_free(pool, c, h);
	c = dma_pool_alloc(pool, GFP_ATOMIC | __GFP_ZERO, &h);
	DMASAN_ASSERT_FATAL(c != NULL);
	CU_ASSERT_TRUE(is_zero(c, 200));
	dma_pool_free(pool, c, h);
	dma_pool_free(pool, NULL, 0);
	dma_pool_free(NULL, c, h);
	CU_ASSERT_PTR_NULL(dma_pool_alloc(NULL, GFP_KERNEL, &h));
	dma_pool_destroy(pool);
}

static void test_pool_destroy_with_live_blocks(void)
{
	struct dma_pool *pool = dma_pool_create("live", &tdev, 64, 0, 0);
	dma_addr_t h;
	unsigned int i;

	DMASAN_ASSERT_FATAL(pool != NULL);
	for (i = 0; i < 200; i++)
		CU_ASSERT_PTR_NOT_NULL(dma_pool_alloc(pool, GFP_KERNEL, &h));
	dma_pool_destroy(pool);
}

struct pool_thread_arg {
	struct dma_pool *pool;
	unsigned char tag;
	int failures;
};

static void *pool_thread(void *p)
{
	struct pool_thread_arg *a = p;
	unsigned char *b[16];
	dma_addr_t h[16];
	unsigned int round, i, j;

	for (round = 0; round < 2000; round++) {
		for (i = 0; i < 16; i++) {
			b[i] = dma_pool_alloc(a->pool, GFP_KERNEL, &h[i]);
			if (!b[i]) {
				a->failures++;
				return NULL;
			}
			memset(b[i], a->tag, 64);
		}
		for (i = 0; i < 16; i++) {
			for (j = 0; j < 64; j++)
				if (b[i][j] != a->tag)
					a->failures++;
			dma_pool_free(a->pool, b[i], h[i]);
		}
	}
	return NULL;
}

static void test_pool_threads_share_a_pool(void)
{
	struct dma_pool *pool = dma_pool_create("mt", &tdev, 64, 64, 0);
	struct pool_thread_arg a[2] = {
		{ .pool = pool, .tag = 0x11, .failures = 0 },
		{ .pool = pool, .tag = 0x22, .failures = 0 },
	};
	pthread_t t[2];
	int i;

	DMASAN_ASSERT_FATAL(pool != NULL);
	for (i = 0; i < 2; i++)
		DMASAN_ASSERT_FATAL(pthread_create(&t[i], NULL, pool_thread, &a[i]) == 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CU_ASSERT_EQUAL(a[0].failures, 0);
	CU_ASSERT_EQUAL(a[1].failures, 0);
	dma_pool_destroy(pool);
}

static CU_TestInfo pool_tests[] = {
	{ "pool_create_rejects_bad_parameters", test_pool_create_rejects_bad_parameters },
	{ "pool_create_accepts_edge_parameters", test_pool_create_accepts_edge_parameters },
	{ "pool_blocks_identity_aligned_distinct", test_pool_blocks_identity_aligned_distinct },
	{ "pool_blocks_never_cross_boundary", test_pool_blocks_never_cross_boundary },
	{ "pool_zalloc_zeroes", test_pool_zalloc_zeroes },
	{ "pool_destroy_with_live_blocks", test_pool_destroy_with_live_blocks },
	{ "pool_threads_share_a_pool", test_pool_threads_share_a_pool },
	CU_TEST_INFO_NULL,
};

/* --- harness ----------------------------------------------------------- */

static int callback_calls;

static void count_report(const struct dmasan_report *r, void *arg)
{
	(void)r;
	(void)arg;
	callback_calls++;
}

static void test_harness_trivial_values(void)
{
	static char buf[64];
	dma_addr_t a;

	dmasan_set_report_callback(count_report, NULL);
	a = dma_map_single(&tdev, buf, sizeof(buf), DMA_TO_DEVICE);
	dma_unmap_single(&tdev, a, sizeof(buf), DMA_TO_DEVICE);
	dma_unmap_single(&tdev, a, sizeof(buf), DMA_TO_DEVICE);
	CU_ASSERT_EQUAL(dmasan_active(), 0);
	CU_ASSERT_EQUAL(dmasan_error_count(), 0ul);
	CU_ASSERT_EQUAL(dmasan_check_leaks(), 0);
	CU_ASSERT_EQUAL(callback_calls, 0);
	dmasan_set_report_callback(NULL, NULL);
	dmasan_on_report(NULL);
	dmasan_device_del(NULL);
}

static void test_dev_read_write_copy(void)
{
	unsigned char mem[256], in[100], out[100];
	unsigned int i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 3);
	memset(mem, 0, sizeof(mem));
	CU_ASSERT_EQUAL(dmasan_dev_write(&tdev, bus(mem + 10), in, sizeof(in)), 0);
	CU_ASSERT_EQUAL(memcmp(mem + 10, in, sizeof(in)), 0);
	CU_ASSERT_EQUAL(mem[9], 0);
	CU_ASSERT_EQUAL(mem[110], 0);
	CU_ASSERT_EQUAL(dmasan_dev_read(&tdev, bus(mem + 10), out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(memcmp(out, in, sizeof(in)), 0);
	CU_ASSERT_EQUAL(dmasan_dev_read(&tdev, bus(mem), out, 0), 0);
}

static void test_dev_access_null_arguments_efault(void)
{
	unsigned char mem[16] = { 0 };

	CU_ASSERT_EQUAL(dmasan_dev_read(&tdev, bus(mem), NULL, 16), -EFAULT);
	CU_ASSERT_EQUAL(dmasan_dev_write(&tdev, bus(mem), NULL, 16), -EFAULT);
	CU_ASSERT_EQUAL(dmasan_dev_read(NULL, bus(mem), mem, 16), -EFAULT);
	CU_ASSERT_EQUAL(dmasan_dev_write(NULL, bus(mem), mem, 16), -EFAULT);
}

static CU_TestInfo harness_tests[] = {
	{ "harness_trivial_values", test_harness_trivial_values },
	{ "dev_read_write_copy", test_dev_read_write_copy },
	{ "dev_access_null_arguments_efault", test_dev_access_null_arguments_efault },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "direct/mapping", NULL, NULL, test_setup, test_teardown, mapping_tests },
	{ "direct/masks", NULL, NULL, test_setup, test_teardown, mask_tests },
	{ "direct/coherent", NULL, NULL, test_setup, test_teardown, coherent_tests },
	{ "direct/declared-region", NULL, NULL, test_setup, test_teardown, region_tests },
	{ "direct/pool", NULL, NULL, test_setup, test_teardown, pool_tests },
	{ "direct/harness", NULL, NULL, test_setup, test_teardown, harness_tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
