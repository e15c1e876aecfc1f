/* SPDX-License-Identifier: MIT */
/*
 * Unit suite for the swiotlb slot allocator (core/bounce.c): Linux's
 * geometry (2 KiB slots, 128-slot segments, 256 KiB largest bounce, page
 * alignment for page-sized maps, min_align_mask), exhaustion, statistics.
 */
#include <stdlib.h>
#include <string.h>
#include "helpers/cunit_helpers.h"
#include "core/bounce.h"
#include "core/track.h"

#define P bounce_default()
#define SEG_BYTES ((uint64_t)BOUNCE_SLOT_SIZE * BOUNCE_SEGMENT)

static int init(void)
{
	/* Four segments: 1 MiB. */
	return bounce_init(DRAM_DMA32_END - 4 * BOUNCE_MAX_MAPPING, 4 * BOUNCE_MAX_MAPPING);
}

static void test_pool_sits_below_4g(void)
{
	CU_ASSERT_EQUAL(bounce_size(P), 4 * BOUNCE_MAX_MAPPING);
	CU_ASSERT_EQUAL(bounce_base(P) + bounce_size(P), DRAM_DMA32_END);
}

static void test_runs_never_cross_a_segment_and_pages_align(void)
{
	uint32_t slot[40], n[40];
	uint64_t bus;
	int i, err, ok = 1;

	for (i = 0; i < 40; i++) {
		size_t size = 4096 + 3000 * (size_t)i;
		uint8_t *m = bounce_alloc(P, 0x1000 + (uintptr_t)i * 64, size, 0, &bus, &slot[i],
					  &n[i], &err);

		if (!m) {
			n[i] = 0;
			continue;
		}
		ok &= (bus - bounce_base(P)) / SEG_BYTES ==
		      (bus + size - 1 - bounce_base(P)) / SEG_BYTES;
		ok &= (bus & 4095) == 0;
		ok &= n[i] == (size + BOUNCE_SLOT_SIZE - 1) / BOUNCE_SLOT_SIZE;
	}
	CU_ASSERT_TRUE(ok);
	for (i = 0; i < 40; i++)
		bounce_free(P, slot[i], n[i]);
}

static void test_min_align_mask_keeps_low_bits(void)
{
	uint32_t slot, n;
	uint64_t bus;
	int err;
	uint8_t *m = bounce_alloc(P, 0x12345678, 100, 0xfff, &bus, &slot, &n, &err);

	DMASAN_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(bus & 0xfff, 0x678);
	bounce_free(P, slot, n);
	m = bounce_alloc(P, 0x12345678, 100, 0x7ff, &bus, &slot, &n, &err);
	DMASAN_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(bus & 0x7ff, 0x678 & 0x7ff);
	bounce_free(P, slot, n);
}

static void test_too_large_and_exhaustion(void)
{
	struct bounce_stats st;
	uint32_t slot[8], n[8], s, k;
	uint64_t bus;
	int i, err;

	CU_ASSERT_PTR_NULL(bounce_alloc(P, 0, BOUNCE_MAX_MAPPING + 1, 0, &bus, &s, &k, &err));
	CU_ASSERT_EQUAL(err, -E2BIG);
	for (i = 0; i < 4; i++)
		CU_ASSERT_PTR_NOT_NULL(
			bounce_alloc(P, 0, BOUNCE_MAX_MAPPING, 0, &bus, &slot[i], &n[i], &err));
	bounce_get_stats(P, &st);
	CU_ASSERT_EQUAL(st.slots_used, st.slots_total);
	CU_ASSERT_PTR_NULL(bounce_alloc(P, 0, 64, 0, &bus, &s, &k, &err));
	CU_ASSERT_EQUAL(err, -ENOSPC);
	for (i = 0; i < 4; i++)
		bounce_free(P, slot[i], n[i]);
	bounce_get_stats(P, &st);
	CU_ASSERT_EQUAL(st.slots_used, 0);
	CU_ASSERT_EQUAL(st.high_water, st.slots_total);
	CU_ASSERT(st.failed >= 1);
}

static CU_TestInfo tests[] = {
	{ "pool_sits_below_4g", test_pool_sits_below_4g },
	{ "runs_never_cross_a_segment_and_pages_align",
	  test_runs_never_cross_a_segment_and_pages_align },
	{ "min_align_mask_keeps_low_bits", test_min_align_mask_keeps_low_bits },
	{ "too_large_and_exhaustion", test_too_large_and_exhaustion },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "bounce/geometry", init, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
