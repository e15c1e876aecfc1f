/* SPDX-License-Identifier: MIT */
/*
 * Unit suites for object lifetimes that outlive a call (issue 6):
 * placement aliases for buffers straddling 2 MiB chunks placed apart
 * (core/track.c). Observed through the structured findings the report
 * callback receives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "helpers/cunit_helpers.h"
#include "helpers/findings.h"
#include "core/device.h"
#include "core/dma.h"
#include "core/pool.h"
#include "core/report.h"
#include "core/runtime.h"
#include "core/track.h"

#define CHUNK (2UL << 20)

static char logdir[] = "/tmp/dmasan-life-ut.XXXXXX";

static int suite_init(void)
{
	return findings_setup(logdir, 64);
}

static int suite_clean(void)
{
	return findings_cleanup(logdir);
}

/* ---- placement aliases ---- */

/*
 * Host chunks placed in reverse order: chunk k lands 2 MiB above chunk
 * k+1, so every buffer crossing from k to k+1 needs an alias range.
 */
static void test_straddling_aliases_are_reclaimed(void)
{
	static struct device d;
	const int nchunks = 16;
	uint8_t *raw, *base;
	uint64_t lo = ~0ULL, hi = 0, first, again;
	int k, i, pairs = 0;
	uint8_t pattern[512], back[512];

	raw = mmap(NULL, (nchunks + 1) * CHUNK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	DMASAN_ASSERT_FATAL(raw != MAP_FAILED);
	base = (uint8_t *)(((uintptr_t)raw + CHUNK - 1) & ~(CHUNK - 1));
	for (k = nchunks - 1; k >= 0; k--)
		(void)place_host((uintptr_t)base + k * CHUNK, 1);
	for (k = 0; k + 1 < nchunks; k++)
		pairs += place_host((uintptr_t)base + (k + 1) * CHUNK - 64, 64) + 64 !=
			 place_host((uintptr_t)base + (k + 1) * CHUNK, 64);
	CU_ASSERT(pairs > 0);
	DMASAN_ASSERT_FATAL(dev_register(&d, "life-alias", NULL) == 0);
	CU_ASSERT_EQUAL(core_set_mask(&d, ~0ULL, 0), 0); /* reached in place, no bounce */
	reset();
	for (i = 0; i < 3000; i++) {
		size_t lead = 64 * (1 + (i * 7) % 100), size = lead + 64 * (1 + i % 100);
		uint8_t *p;
		uint64_t a;

		k = i % (nchunks - 1);
		p = base + (k + 1) * CHUNK - lead; /* crosses from chunk k to k+1 */
		a = core_map(&d, p, size, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t");
		CU_ASSERT_NOT_EQUAL(a, CORE_MAPPING_ERROR);
		core_mapping_error(&d, a);
		lo = a < lo ? a : lo;
		hi = a + size > hi ? a + size : hi;
		if (i % 100 == 0) {
			memset(pattern, i & 0xff, sizeof(pattern));
			CU_ASSERT_EQUAL(core_dev_access(&d, a, pattern, size < 512 ? size : 512, 1),
					0);
		}
		core_unmap(&d, a, size, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
		if (i % 100 == 0) {
			memcpy(back, p, size < 512 ? size : 512);
			CU_ASSERT_EQUAL(memcmp(back, pattern, size < 512 ? size : 512), 0);
		}
	}
	CU_ASSERT_EQUAL(seen.n, 0);
	/* 3000 aliases of up to 4 pages each, but never more than one at a time. */
	CU_ASSERT(hi - lo <= (1UL << 20));
	/* Two live maps of the same straddling buffer share its alias. */
	first = core_map(&d, base + CHUNK - 128, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
	core_mapping_error(&d, first);
	again = core_map(&d, base + CHUNK - 128, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t");
	core_mapping_error(&d, again);
	CU_ASSERT_EQUAL(first, again);
	core_unmap(&d, again, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	CU_ASSERT_EQUAL(core_dev_access(&d, first, back, 256, 0), 0);
	core_unmap(&d, first, 256, DMA_TO_DEVICE, 0, OBJ_SINGLE, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 0);
	core_device_del(&d);
	dev_unregister(&d);
	munmap(raw, (nchunks + 1) * CHUNK);
}

static CU_TestInfo placement_tests[] = {
	{ "straddling_aliases_are_reclaimed", test_straddling_aliases_are_reclaimed },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "lifecycle/placement", suite_init, suite_clean, NULL, NULL, placement_tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
