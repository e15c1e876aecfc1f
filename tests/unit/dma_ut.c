/* SPDX-License-Identifier: MIT */
/*
 * Unit suites for the checking core (core/dma.c, track.c, device.c,
 * pool.c, report.c), driven through core_* directly and observed through
 * the structured findings the report callback receives, never the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "helpers/cunit_helpers.h"
#include "helpers/findings.h"
#include "core/device.h"
#include "core/dma.h"
#include "core/pool.h"
#include "core/report.h"
#include "core/runtime.h"
#include "core/track.h"

static struct device dev;
static char logdir[] = "/tmp/dmasan-ut.XXXXXX";

static int suite_init(void)
{
	if (findings_setup(logdir, 8))
		return 1;
	return dev_register(&dev, "ut0", NULL) ? 1 : 0;
}

static int suite_clean(void)
{
	return findings_cleanup(logdir);
}

static void *abuf(size_t n)
{
	return aligned_alloc(64, (n + 63) & ~(size_t)63);
}

/* ---- streaming map / unmap ---- */

static void test_map_unmap_roundtrip_reports_nothing(void)
{
	char *p = abuf(2048);
	uint64_t a;

	reset();
	a = core_map(&dev, p, 2048, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
	CU_ASSERT_NOT_EQUAL(a, CORE_MAPPING_ERROR);
	CU_ASSERT_NOT_EQUAL(a, (uint64_t)(uintptr_t)p);
	CU_ASSERT(a + 2047 <= 0xffffffffULL);
	CU_ASSERT_EQUAL(core_mapping_error(&dev, a), 0);
	core_unmap(&dev, a, 2048, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 0);
	free(p);
}

static void test_double_unmap_reports_structured_fields(void)
{
	char *p = abuf(256);
	uint64_t a = core_map(&dev, p, 256, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t");
	unsigned long before = report_count();

	core_mapping_error(&dev, a);
	core_unmap(&dev, a, 256, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
	reset();
	core_unmap(&dev, a, 256, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
	DMASAN_ASSERT_FATAL(seen.n == 1);
	CU_ASSERT_STRING_EQUAL(seen.id[0], "double-unmap");
	CU_ASSERT_STRING_EQUAL(seen.device[0], "ut0");
	CU_ASSERT_EQUAL(seen.r[0].dma_addr, a);
	CU_ASSERT_EQUAL(seen.r[0].size, 256);
	CU_ASSERT_EQUAL(seen.r[0].direction, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(seen.r[0].mapped_direction, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(seen.r[0].version, DMASAN_REPORT_VERSION);
	CU_ASSERT_EQUAL(report_count(), before + 1);
	free(p);
}

static void test_unmap_mismatches_each_reported_once(void)
{
	char *p = abuf(256);
	uint64_t a = core_map(&dev, p, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");

	core_mapping_error(&dev, a);
	reset();
	core_unmap(&dev, a, 128, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
	CU_ASSERT_EQUAL(count("unmap-size-mismatch"), 1);
	CU_ASSERT_EQUAL(count("unmap-dir-mismatch"), 1);
	CU_ASSERT_EQUAL(seen.n, 2);
	CU_ASSERT_EQUAL(seen.r[0].mapped_size, 256);
	free(p);
}

static void test_unchecked_map_error_reported_at_unmap(void)
{
	char *p = abuf(64);
	uint64_t a = core_map(&dev, p, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");

	reset();
	core_unmap(&dev, a, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	CU_ASSERT_EQUAL(count("map-error-unchecked"), 1);
	CU_ASSERT_EQUAL(seen.n, 1);
	free(p);
}

/*
 * Two live maps of one buffer share a bus address: each dma_mapping_error()
 * marks the first unchecked one, as Linux's dma-debug does, so checking
 * twice covers both, in either order of unmapping.
 */
static void test_map_error_checks_mark_first_unchecked(void)
{
	static struct device d2; /* its own, reached in place: no bounce slots apart */
	char *p = abuf(256);
	uint64_t a, b, c;
	int order;

	DMASAN_ASSERT_FATAL(dev_register(&d2, "ut-maperr", NULL) == 0);
	CU_ASSERT_EQUAL(core_set_mask(&d2, ~0ULL, 0), 0);
	for (order = 0; order < 2; order++) {
		reset();
		a = core_map(&d2, p, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
		b = core_map(&d2, p, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
		CU_ASSERT_EQUAL(a, b);
		core_mapping_error(&d2, a);
		core_mapping_error(&d2, b);
		core_unmap(&d2, order ? b : a, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
		core_unmap(&d2, order ? a : b, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
		CU_ASSERT_EQUAL(count("map-error-unchecked"), 0);
		CU_ASSERT_EQUAL(seen.n, 0);
	}
	/* Three maps, two checks: exactly one is reported, at its unmap. */
	reset();
	a = core_map(&d2, p, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
	b = core_map(&d2, p, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
	core_mapping_error(&d2, a);
	c = core_map(&d2, p, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
	core_mapping_error(&d2, c);
	core_unmap(&d2, a, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	core_unmap(&d2, b, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	core_unmap(&d2, c, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	CU_ASSERT_EQUAL(count("map-error-unchecked"), 1);
	CU_ASSERT_EQUAL(seen.n, 1);
	dev_unregister(&d2);
	free(p);
}

static void test_quarantine_eviction_forgets_old_unmaps(void)
{
	static struct device d64;
	char *p = abuf(64 * 20);
	uint64_t first, a;
	int i;

	/* A 64-bit device maps in place: every buffer has its own bus address
	 * (bounce slots are reused, so bounced addresses would repeat). */
	dev_register(&d64, "ut64", NULL);
	core_set_mask(&d64, ~0ULL, 0);
	first = core_map(&d64, p, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
	core_mapping_error(&d64, first);
	core_unmap(&d64, first, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	for (i = 1; i < 20; i++) {
		a = core_map(&d64, p + 64 * i, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
		core_mapping_error(&d64, a);
		core_unmap(&d64, a, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	}
	reset();
	/* quarantine_size=8: the first unmap is long forgotten. */
	core_unmap(&d64, first, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	CU_ASSERT_EQUAL(count("unmap-not-mapped"), 1);
	CU_ASSERT_EQUAL(count("double-unmap"), 0);
	dev_unregister(&d64);
	free(p);
}

static void test_null_device_and_bad_direction(void)
{
	char *p = abuf(64);

	reset();
	CU_ASSERT_EQUAL(core_map(NULL, p, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t"),
			CORE_MAPPING_ERROR);
	CU_ASSERT_EQUAL(core_map(&dev, p, 64, DMA_NONE, 0, OBJ_SINGLE, "t"), CORE_MAPPING_ERROR);
	CU_ASSERT_EQUAL(count("null-device"), 1);
	CU_ASSERT_EQUAL(count("map-invalid-direction"), 1);
	CU_ASSERT_EQUAL(seen.r[1].direction, DMA_NONE);
	free(p);
}

/* ---- sync and ownership ---- */

static void test_sync_inside_mapping_is_silent_and_outside_is_not(void)
{
	char *p = abuf(1024);
	uint64_t a = core_map(&dev, p, 1024, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t");

	core_mapping_error(&dev, a);
	reset();
	core_sync(&dev, a + 512, 256, DMA_FROM_DEVICE, 1, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 0);
	core_sync(&dev, a + 900, 256, DMA_FROM_DEVICE, 1, "t", 0);
	CU_ASSERT_EQUAL(count("sync-out-of-range"), 1);
	core_sync(&dev, a, 64, DMA_TO_DEVICE, 0, "t", 0);
	CU_ASSERT_EQUAL(count("sync-dir-mismatch"), 1);
	core_unmap(&dev, a, 1024, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
	core_sync(&dev, a, 64, DMA_FROM_DEVICE, 1, "t", 0);
	CU_ASSERT_EQUAL(count("sync-not-mapped"), 1);
	free(p);
}

static void test_bidirectional_mapping_may_sync_any_direction(void)
{
	char *p = abuf(256);
	uint64_t a = core_map(&dev, p, 256, DMA_BIDIRECTIONAL, 0, OBJ_SINGLE, "t");

	core_mapping_error(&dev, a);
	reset();
	core_sync(&dev, a, 256, DMA_TO_DEVICE, 0, "t", 0);
	core_sync(&dev, a, 256, DMA_FROM_DEVICE, 1, "t", 0);
	core_unmap(&dev, a, 256, DMA_BIDIRECTIONAL, 0, OBJ_SINGLE, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 0);
	free(p);
}

static void test_partial_sync_moves_only_covered_lines(void)
{
	char *p = abuf(256), pkt[16];
	uint64_t a = core_map(&dev, p, 256, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t");

	memset(pkt, 7, sizeof(pkt));
	core_mapping_error(&dev, a);
	reset();
	core_sync(&dev, a, 64, DMA_FROM_DEVICE, 1, "t", 0);
	CU_ASSERT_EQUAL(core_dev_access(&dev, a + 128, pkt, 16, 1), 0);
	CU_ASSERT_EQUAL(seen.n, 0);
	/* Non-coherent: the CPU sees the device's bytes only after sync_for_cpu. */
	CU_ASSERT_NOT_EQUAL(p[128], 7);
	core_dev_access(&dev, a + 8, pkt, 16, 1);
	CU_ASSERT_EQUAL(count("missing-sync-for-device"), 1);
	core_sync(&dev, a, 64, DMA_FROM_DEVICE, 0, "t", 0);
	reset();
	core_dev_access(&dev, a + 8, pkt, 16, 1);
	CU_ASSERT_EQUAL(seen.n, 0);
	core_sync(&dev, a, 256, DMA_FROM_DEVICE, 1, "t", 0);
	CU_ASSERT_EQUAL(p[128], 7);
	CU_ASSERT_EQUAL(p[8], 7);
	core_unmap(&dev, a, 256, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
	free(p);
}

static void test_device_access_errors_return_errnos(void)
{
	char *p = abuf(128), b[32] = { 0 };
	uint64_t a = core_map(&dev, p, 128, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");

	core_mapping_error(&dev, a);
	reset();
	CU_ASSERT_EQUAL(core_dev_access(&dev, a, b, 32, 1), -EACCES);
	CU_ASSERT_EQUAL(count("dir-violation"), 1);
	CU_ASSERT_EQUAL(core_dev_access(&dev, a + 120, b, 32, 0), -EFAULT);
	CU_ASSERT_EQUAL(count("device-access-unmapped"), 1);
	CU_ASSERT_EQUAL(core_dev_access(&dev, 0x1ffffffffULL, b, 32, 0), -ERANGE);
	CU_ASSERT_EQUAL(count("mask-violation"), 1);
	core_unmap(&dev, a, 128, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	CU_ASSERT_EQUAL(core_dev_access(&dev, a, b, 32, 0), -EFAULT);
	CU_ASSERT_EQUAL(count("use-after-unmap"), 1);
	free(p);
}

/* ---- devices and placement ---- */

static void test_registry_defaults_and_double_add(void)
{
	struct device d;

	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(dev_register(&d, "regtest", NULL), 0);
	CU_ASSERT_PTR_EQUAL(d.dma_mask, &d.coherent_dma_mask);
	CU_ASSERT_EQUAL(d.coherent_dma_mask, 0xffffffffULL);
	CU_ASSERT_EQUAL(dev_register(&d, "regtest", NULL), -EEXIST);
	CU_ASSERT_PTR_NOT_NULL(dev_find(&d));
	CU_ASSERT_PTR_NOT_NULL(dev_unregister(&d));
	CU_ASSERT_PTR_NULL(dev_find(&d));
	CU_ASSERT_EQUAL(dev_register(&d, "regtest", NULL), 0);
	dev_unregister(&d);
	CU_ASSERT_EQUAL(dev_register(NULL, "x", NULL), -EINVAL);
}

static void test_unregistered_device_is_registered_on_first_use(void)
{
	struct device d;
	char *p = abuf(64);
	uint64_t a;

	memset(&d, 0, sizeof(d));
	a = core_map(&d, p, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
	CU_ASSERT_NOT_EQUAL(a, CORE_MAPPING_ERROR);
	CU_ASSERT_PTR_NOT_NULL(dev_find(&d));
	CU_ASSERT_PTR_NOT_NULL(d.dma_mask);
	core_mapping_error(&d, a);
	core_unmap(&d, a, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	dev_unregister(&d);
	free(p);
}

static void test_placement_is_stable_and_keeps_page_offset(void)
{
	char *p = abuf(8192);
	uint64_t a = place_host((uintptr_t)p, 100);
	uint64_t b = place_host((uintptr_t)p + 200, 100);

	CU_ASSERT_EQUAL(b - a, 200);
	CU_ASSERT_EQUAL(place_host((uintptr_t)p, 100), a);
	CU_ASSERT_EQUAL(a & 4095, (uintptr_t)p & 4095);
	/* Default placement: above 4 GiB, so that 32-bit devices bounce. */
	CU_ASSERT(a >= DRAM_DMA32_END && a < DRAM_END);
	free(p);
}

static void test_set_mask_rejects_unreachable_masks(void)
{
	CU_ASSERT_EQUAL(core_set_mask(&dev, 0xffffff, 0), -EIO);
	CU_ASSERT_EQUAL(core_set_mask(&dev, ~0ULL, 0), 0);
	CU_ASSERT_EQUAL(*dev.dma_mask, ~0ULL);
	CU_ASSERT_EQUAL(core_set_mask(&dev, 0xffffffffULL, 0), 0);
}

/* ---- coherent memory and pools ---- */

static void test_coherent_alloc_zeroed_and_checked_free(void)
{
	uint64_t h;
	unsigned char *c = core_alloc(&dev, 5000, &h, 0, OBJ_COHERENT, DMA_BIDIRECTIONAL, "t");
	size_t i;
	int zero = 1;

	DMASAN_ASSERT_FATAL(c != NULL);
	for (i = 0; i < 5000; i++)
		zero &= c[i] == 0;
	CU_ASSERT(zero);
	CU_ASSERT_EQUAL((uintptr_t)c & 4095, 0);
	CU_ASSERT(h + 4999 <= 0xffffffffULL);
	reset();
	core_free(&dev, 5000, c, h, 0, OBJ_COHERENT, -1, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 0);
	core_free(&dev, 5000, c, h, 0, OBJ_COHERENT, -1, "t", 0);
	CU_ASSERT_EQUAL(count("coherent-double-free"), 1);
}

static void test_declared_region_has_no_fallback(void)
{
	struct device d;
	uint64_t h1, h2;
	void *a, *b;

	memset(&d, 0, sizeof(d));
	dev_register(&d, "declared", NULL);
	CU_ASSERT_EQUAL(core_declare_coherent(&d, 0xc0000000ULL, 4 * 4096), 0);
	CU_ASSERT_EQUAL(core_declare_coherent(&d, 0xc0000000ULL, 4 * 4096), -EBUSY);
	a = core_alloc(&d, 3 * 4096, &h1, 0, OBJ_COHERENT, DMA_BIDIRECTIONAL, "t");
	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT_EQUAL(h1, 0xc0000000ULL);
	/* 3 pages take 4 (power of two): the region is full, no fallback. */
	b = core_alloc(&d, 4096, &h2, 0, OBJ_COHERENT, DMA_BIDIRECTIONAL, "t");
	CU_ASSERT_PTR_NULL(b);
	core_free(&d, 3 * 4096, a, h1, 0, OBJ_COHERENT, -1, "t", 0);
	dev_unregister(&d);
}

static void test_pool_blocks_never_cross_boundary(void)
{
	struct dmpool *pool = pool_create("bnd", &dev, 96, 32, 1024);
	uint64_t h[100];
	void *v[100];
	int i, crossed = 0;

	DMASAN_ASSERT_FATAL(pool != NULL);
	for (i = 0; i < 100; i++) {
		v[i] = pool_alloc(pool, 0, &h[i]);
		DMASAN_ASSERT_FATAL(v[i] != NULL);
		crossed |= (h[i] / 1024) != ((h[i] + 95) / 1024);
		crossed |= (h[i] % 32) != 0;
	}
	CU_ASSERT_FALSE(crossed);
	reset();
	for (i = 0; i < 100; i++)
		pool_free(pool, v[i], h[i]);
	pool_destroy(pool);
	CU_ASSERT_EQUAL(seen.n, 0);
}

/* Every block of several pages freed at once must fit the free stack. */
static void test_pool_free_all_of_many_pages(void)
{
	struct dmpool *pool = pool_create("many", &dev, 64, 64, 0);
	uint64_t h[300];
	void *v[300];
	int i, round;

	DMASAN_ASSERT_FATAL(pool != NULL);
	reset();
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 300; i++) {
			v[i] = pool_alloc(pool, 1, &h[i]);
			DMASAN_ASSERT_FATAL(v[i] != NULL);
		}
		for (i = 0; i < 300; i++)
			pool_free(pool, v[i], h[i]);
	}
	pool_destroy(pool);
	CU_ASSERT_EQUAL(seen.n, 0);
}

static void test_pool_create_validation(void)
{
	CU_ASSERT_PTR_NULL(pool_create("x", &dev, 0, 8, 0));
	CU_ASSERT_PTR_NULL(pool_create("x", &dev, 64, 3, 0));
	CU_ASSERT_PTR_NULL(pool_create("x", &dev, 64, 8, 32));
	CU_ASSERT_PTR_NULL(pool_create("x", &dev, 64, 8, 100));
}

static void test_leak_check_counts_and_reports_once(void)
{
	char *p = abuf(64);
	uint64_t a = core_map(&dev, p, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");

	core_mapping_error(&dev, a);
	reset();
	CU_ASSERT_EQUAL(core_check_leaks(), 1);
	CU_ASSERT_EQUAL(count("leak-mapping"), 1);
	CU_ASSERT_EQUAL(core_check_leaks(), 0);
	core_unmap(&dev, a, 64, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	free(p);
}

static CU_TestInfo streaming_tests[] = {
	{ "map_unmap_roundtrip_reports_nothing", test_map_unmap_roundtrip_reports_nothing },
	{ "double_unmap_reports_structured_fields", test_double_unmap_reports_structured_fields },
	{ "unmap_mismatches_each_reported_once", test_unmap_mismatches_each_reported_once },
	{ "unchecked_map_error_reported_at_unmap", test_unchecked_map_error_reported_at_unmap },
	{ "map_error_checks_mark_first_unchecked", test_map_error_checks_mark_first_unchecked },
	{ "quarantine_eviction_forgets_old_unmaps", test_quarantine_eviction_forgets_old_unmaps },
	{ "null_device_and_bad_direction", test_null_device_and_bad_direction },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo ownership_tests[] = {
	{ "sync_inside_mapping_is_silent_and_outside_is_not",
	  test_sync_inside_mapping_is_silent_and_outside_is_not },
	{ "bidirectional_mapping_may_sync_any_direction",
	  test_bidirectional_mapping_may_sync_any_direction },
	{ "partial_sync_moves_only_covered_lines", test_partial_sync_moves_only_covered_lines },
	{ "device_access_errors_return_errnos", test_device_access_errors_return_errnos },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo machine_tests[] = {
	{ "registry_defaults_and_double_add", test_registry_defaults_and_double_add },
	{ "unregistered_device_is_registered_on_first_use",
	  test_unregistered_device_is_registered_on_first_use },
	{ "placement_is_stable_and_keeps_page_offset",
	  test_placement_is_stable_and_keeps_page_offset },
	{ "set_mask_rejects_unreachable_masks", test_set_mask_rejects_unreachable_masks },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo memory_tests[] = {
	{ "coherent_alloc_zeroed_and_checked_free", test_coherent_alloc_zeroed_and_checked_free },
	{ "declared_region_has_no_fallback", test_declared_region_has_no_fallback },
	{ "pool_blocks_never_cross_boundary", test_pool_blocks_never_cross_boundary },
	{ "pool_free_all_of_many_pages", test_pool_free_all_of_many_pages },
	{ "pool_create_validation", test_pool_create_validation },
	{ "leak_check_counts_and_reports_once", test_leak_check_counts_and_reports_once },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "dma/streaming", suite_init, NULL, NULL, NULL, streaming_tests },
	{ "dma/ownership", NULL, NULL, NULL, NULL, ownership_tests },
	{ "dma/machine", NULL, NULL, NULL, NULL, machine_tests },
	{ "dma/memory", NULL, suite_clean, NULL, NULL, memory_tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
