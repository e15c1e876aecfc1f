/* SPDX-License-Identifier: MIT */
/*
 * Unit suite for the memory of a tracked mapping (core/cache.c,
 * core/track.c): the shadow of a mapping on a non-coherent device shares
 * the snapshot's buffer until the device first writes it, then gets its
 * own; a DMA_TO_DEVICE mapping shares for good; out of memory at that
 * first write, the mapping goes on as a coherent one; a sync for the CPU
 * of the whole of a line-aligned buffer shares them again. The packed history
 * events keep every field a report shows. Observed through the tracked
 * object and the findings the report callback receives.
 */
#include <stdlib.h>
#include <string.h>
#include "helpers/cunit_helpers.h"
#include "helpers/findings.h"
#include "core/device.h"
#include "core/dma.h"
#include "core/heap.h"
#include "core/report.h"
#include "core/stack.h"
#include "core/track.h"

static char logdir[] = "/tmp/dmasan-cache-ut.XXXXXX";
static struct device d;
static struct dmdev *dd;

static int suite_init(void)
{
	if (findings_setup(logdir, 64))
		return 1;
	if (dev_register(&d, "cache-nc", NULL))
		return 1;
	dd = dev_find(&d);
	/* Reached in place: no bounce, so the non-coherent model is what runs. */
	return !dd || dd->coherent || core_set_mask(&d, ~0ULL, 0);
}

static int suite_clean(void)
{
	core_device_del(&d);
	dev_unregister(&d);
	return findings_cleanup(logdir);
}

static uint8_t *buf_of(size_t n, int fill)
{
	uint8_t *p = aligned_alloc(64, n);

	if (p)
		memset(p, fill, n);
	return p;
}

static uint64_t map(void *p, size_t n, int dir)
{
	uint64_t a = core_map(&d, p, n, dir, 0, OBJ_SINGLE, "t");

	DMASAN_ASSERT_FATAL(a != CORE_MAPPING_ERROR);
	core_mapping_error(&d, a);
	return a;
}

static void unmap(uint64_t a, size_t n, int dir)
{
	core_unmap(&d, a, n, dir, 0, OBJ_SINGLE, "t", 0);
}

/* sync_for_cpu / sync_for_device of [a, a+n) with @dir. */
static void to_cpu(uint64_t a, size_t n, int dir)
{
	core_sync(&d, a, n, dir, 1, "t", 0);
}

static void to_dev(uint64_t a, size_t n, int dir)
{
	core_sync(&d, a, n, dir, 0, "t", 0);
}

/* The object mapped at @a (the caller puts it). */
static struct dmobj *obj_at(uint64_t a, size_t n, int dir)
{
	struct dmobj *o = track_find_exact(dd, a, n, OBJ_SINGLE, dir);

	DMASAN_ASSERT_FATAL(o != NULL);
	return o;
}

static void test_shadow_shared_until_the_device_writes(void)
{
	uint8_t *p = buf_of(512, 0x11), dev[512], want[64];
	struct dmobj *o;
	uint64_t a;

	DMASAN_ASSERT_FATAL(p != NULL);
	reset();
	a = map(p, 512, DMA_BIDIRECTIONAL);
	o = obj_at(a, 512, DMA_BIDIRECTIONAL);
	CU_ASSERT_PTR_NOT_NULL(o->snap);
	CU_ASSERT_PTR_EQUAL(o->shadow, o->snap);
	/* A device read sees the CPU's bytes of the map, sharing or not. */
	CU_ASSERT_EQUAL(core_dev_access(&d, a, dev, sizeof(dev), 0), 0);
	CU_ASSERT_EQUAL(dev[0], 0x11);
	CU_ASSERT_EQUAL(dev[511], 0x11);
	CU_ASSERT_PTR_EQUAL(o->shadow, o->snap);

	/* The first device write gives the shadow its own buffer... */
	memset(want, 0x22, sizeof(want));
	CU_ASSERT_EQUAL(core_dev_access(&d, a + 128, want, sizeof(want), 1), 0);
	CU_ASSERT_PTR_NOT_NULL(o->shadow);
	CU_ASSERT_PTR_NOT_EQUAL(o->shadow, o->snap);
	/* ...the snapshot keeps the CPU's bytes, the CPU's memory is untouched... */
	CU_ASSERT_EQUAL(o->snap[128], 0x11);
	CU_ASSERT_EQUAL(p[128], 0x11);
	/* ...and the device reads back what it wrote, and the map's bytes around it. */
	CU_ASSERT_EQUAL(core_dev_access(&d, a, dev, sizeof(dev), 0), 0);
	CU_ASSERT_EQUAL(dev[127], 0x11);
	CU_ASSERT_EQUAL(dev[128], 0x22);
	CU_ASSERT_EQUAL(dev[191], 0x22);
	CU_ASSERT_EQUAL(dev[192], 0x11);
	/* sync_for_cpu brings the device's bytes to the CPU. */
	to_cpu(a, 512, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(p[127], 0x11);
	CU_ASSERT_EQUAL(p[128], 0x22);
	CU_ASSERT_EQUAL(p[192], 0x11);
	track_put(o);
	unmap(a, 512, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(seen.n, 0);
	free(p);
}

static void test_cpu_write_while_shared_is_still_caught(void)
{
	uint8_t *p = buf_of(256, 0x33);
	uint64_t a;

	DMASAN_ASSERT_FATAL(p != NULL);
	reset();
	a = map(p, 256, DMA_FROM_DEVICE);
	p[10] = 0x44; /* the device owns the line */
	to_cpu(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(count("cpu-write-device-owned"), 1);
	/* The invalidate dropped the CPU's write: memory had the map's byte. */
	CU_ASSERT_EQUAL(p[10], 0x33);
	unmap(a, 256, DMA_FROM_DEVICE);
	free(p);
}

static void test_to_device_shares_for_good(void)
{
	uint8_t *p = buf_of(256, 0x55), dev[256];
	struct dmobj *o;
	uint64_t a;

	DMASAN_ASSERT_FATAL(p != NULL);
	reset();
	a = map(p, 256, DMA_TO_DEVICE);
	o = obj_at(a, 256, DMA_TO_DEVICE);
	CU_ASSERT_PTR_EQUAL(o->shadow, o->snap);
	CU_ASSERT_EQUAL(core_dev_access(&d, a, dev, sizeof(dev), 0), 0);
	CU_ASSERT_EQUAL(dev[255], 0x55);
	CU_ASSERT_EQUAL(core_dev_access(&d, a, dev, 16, 1), -EACCES);
	CU_ASSERT_EQUAL(count("dir-violation"), 1);
	CU_ASSERT_PTR_EQUAL(o->shadow, o->snap);
	track_put(o);
	unmap(a, 256, DMA_TO_DEVICE);
	CU_ASSERT_EQUAL(seen.n, 1);
	free(p);
}

static void test_no_memory_at_first_write_goes_coherent(void)
{
	uint8_t *p = buf_of(256, 0x66), want[32];
	struct dmobj *o;
	uint64_t a;

	DMASAN_ASSERT_FATAL(p != NULL);
	reset();
	a = map(p, 256, DMA_FROM_DEVICE);
	o = obj_at(a, 256, DMA_FROM_DEVICE);
	memset(want, 0x77, sizeof(want));
	heap_fail_after(0);
	CU_ASSERT_EQUAL(core_dev_access(&d, a + 64, want, sizeof(want), 1), 0);
	heap_fail_after(-1);
	/* No shadow to write: the device wrote the CPU's memory, as on a coherent device. */
	CU_ASSERT_PTR_NULL(o->shadow);
	CU_ASSERT_EQUAL(p[64], 0x77);
	CU_ASSERT_EQUAL(p[95], 0x77);
	CU_ASSERT_EQUAL(p[96], 0x66);
	track_put(o);
	to_cpu(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(p[64], 0x77);
	unmap(a, 256, DMA_FROM_DEVICE);
	/* Nothing the driver did wrong, so nothing reported. */
	CU_ASSERT_EQUAL(seen.n, 0);
	free(p);
}

static void test_shared_again_after_a_full_invalidate(void)
{
	uint8_t *p = buf_of(512, 0x10), dev[512], w[64];
	struct dmobj *o;
	uint64_t a;

	DMASAN_ASSERT_FATAL(p != NULL);
	reset();
	a = map(p, 512, DMA_BIDIRECTIONAL);
	o = obj_at(a, 512, DMA_BIDIRECTIONAL);
	memset(w, 0x20, sizeof(w));
	CU_ASSERT_EQUAL(core_dev_access(&d, a + 128, w, sizeof(w), 1), 0);
	CU_ASSERT_PTR_NOT_EQUAL(o->shadow, o->snap);
	/* A partial sync leaves them apart... */
	to_cpu(a, 256, DMA_BIDIRECTIONAL);
	CU_ASSERT_PTR_NOT_EQUAL(o->shadow, o->snap);
	CU_ASSERT_EQUAL(p[128], 0x20);
	to_dev(a, 256, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(core_dev_access(&d, a + 128, w, sizeof(w), 1), 0);
	/* ...a sync of the whole buffer makes CPU, snapshot and shadow equal. */
	to_cpu(a, 512, DMA_BIDIRECTIONAL);
	CU_ASSERT_PTR_EQUAL(o->shadow, o->snap);
	CU_ASSERT_EQUAL(p[127], 0x10);
	CU_ASSERT_EQUAL(p[128], 0x20);
	CU_ASSERT_EQUAL(p[192], 0x10);
	/* The CPU's turn: it writes, hands over, and the device sees it. */
	p[300] = 0x30;
	to_dev(a, 512, DMA_BIDIRECTIONAL);
	memset(w, 0x40, sizeof(w));
	CU_ASSERT_EQUAL(core_dev_access(&d, a, w, sizeof(w), 1), 0);
	CU_ASSERT_PTR_NOT_EQUAL(o->shadow, o->snap);
	CU_ASSERT_EQUAL(p[0], 0x10); /* not before the sync */
	CU_ASSERT_EQUAL(core_dev_access(&d, a, dev, sizeof(dev), 0), 0);
	CU_ASSERT_EQUAL(dev[0], 0x40);
	CU_ASSERT_EQUAL(dev[64], 0x10);
	CU_ASSERT_EQUAL(dev[128], 0x20);
	CU_ASSERT_EQUAL(dev[300], 0x30);
	to_cpu(a, 512, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(p[0], 0x40);
	CU_ASSERT_EQUAL(p[300], 0x30);
	track_put(o);
	unmap(a, 512, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(seen.n, 0);
	free(p);
}

static void test_edges_stay_apart_skipped_sync_does_not(void)
{
	uint8_t *raw = buf_of(640, 0x50), w[32];
	struct dmobj *o;
	uint64_t a;

	DMASAN_ASSERT_FATAL(raw != NULL);
	/* Edge bytes (the buffer starts 16 bytes into a line): never shared again. */
	reset();
	a = map(raw + 16, 256, DMA_FROM_DEVICE);
	o = obj_at(a, 256, DMA_FROM_DEVICE);
	memset(w, 0x60, sizeof(w));
	CU_ASSERT_EQUAL(core_dev_access(&d, a, w, sizeof(w), 1), 0);
	to_cpu(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_PTR_NOT_EQUAL(o->shadow, o->snap);
	CU_ASSERT_EQUAL(raw[16], 0x60);
	CU_ASSERT_EQUAL(raw[15], 0x50);
	track_put(o);
	unmap(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(count("unaligned-buffer"), 1);
	CU_ASSERT_EQUAL(seen.n, 1);

	/*
	 * A device write handed back to the device without the CPU's turn,
	 * another device write, then the CPU's turn: both writes reach the
	 * CPU, the buffers are shared again, and the device still reads them.
	 */
	reset();
	a = map(raw + 128, 256, DMA_FROM_DEVICE);
	o = obj_at(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(core_dev_access(&d, a + 64, w, sizeof(w), 1), 0);
	to_dev(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(count("missing-sync-for-cpu"), 1);
	memset(w, 0x70, sizeof(w));
	CU_ASSERT_EQUAL(core_dev_access(&d, a + 192, w, sizeof(w), 1), 0);
	to_cpu(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_PTR_EQUAL(o->shadow, o->snap);
	CU_ASSERT_EQUAL(raw[128 + 64], 0x60);
	CU_ASSERT_EQUAL(raw[128 + 192], 0x70);
	CU_ASSERT_EQUAL(raw[128 + 100], 0x50);
	to_dev(a, 256, DMA_FROM_DEVICE);
	track_put(o);
	unmap(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(raw[128 + 64], 0x60);
	/* That one finding, and no CPU write where the CPU wrote nothing. */
	CU_ASSERT_EQUAL(seen.n, 1);
	free(raw);
}

/*
 * A sync for the CPU that copies nothing back (DMA_TO_DEVICE on a
 * bidirectional map) leaves a line the CPU wrote dirty: it reaches the
 * device at the next sync for the device, shared buffers or not.
 */
static void test_dirty_line_reaches_the_device_either_way(void)
{
	int own;

	for (own = 0; own < 2; own++) {
		uint8_t *p = buf_of(256, 0x11), w[16], dev[256];
		struct dmobj *o;
		uint64_t a;

		DMASAN_ASSERT_FATAL(p != NULL);
		reset();
		a = map(p, 256, DMA_BIDIRECTIONAL);
		o = obj_at(a, 256, DMA_BIDIRECTIONAL);
		if (own) {
			memset(w, 0x22, sizeof(w));
			CU_ASSERT_EQUAL(core_dev_access(&d, a + 200, w, sizeof(w), 1), 0);
		}
		CU_ASSERT_EQUAL(o->shadow != o->snap, own);
		p[0] = 0x99; /* while the device owns the line */
		to_cpu(a, 256, DMA_TO_DEVICE);
		CU_ASSERT_EQUAL(count("cpu-write-device-owned"), 1);
		CU_ASSERT_EQUAL(p[0], 0x99); /* nothing copied back */
		to_dev(a, 256, DMA_BIDIRECTIONAL);
		CU_ASSERT_EQUAL(core_dev_access(&d, a, dev, sizeof(dev), 0), 0);
		CU_ASSERT_EQUAL(dev[0], 0x99);
		CU_ASSERT_EQUAL(dev[1], 0x11);
		CU_ASSERT_EQUAL(dev[200], own ? 0x22 : 0x11);
		track_put(o);
		unmap(a, 256, DMA_BIDIRECTIONAL);
		free(p);
	}
}

/*
 * The device's bytes stay in memory until the CPU invalidates: a sync
 * that copies nothing back, or a sync for the device that skipped the
 * CPU's turn, does not lose them for the next sync for the CPU.
 */
static void test_device_bytes_wait_for_an_invalidate(void)
{
	uint8_t *p = buf_of(256, 0x11), w[16];
	uint64_t a;

	DMASAN_ASSERT_FATAL(p != NULL);
	reset();
	a = map(p, 256, DMA_BIDIRECTIONAL);
	memset(w, 0x22, sizeof(w));
	CU_ASSERT_EQUAL(core_dev_access(&d, a, w, sizeof(w), 1), 0);
	to_cpu(a, 256, DMA_TO_DEVICE);
	CU_ASSERT_EQUAL(p[0], 0x11); /* no invalidate: the CPU's cache is stale */
	to_cpu(a, 256, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(p[0], 0x22);
	CU_ASSERT_EQUAL(p[16], 0x11);
	unmap(a, 256, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(seen.n, 0);

	memset(p, 0x50, 256);
	a = map(p, 256, DMA_FROM_DEVICE);
	memset(w, 0x60, sizeof(w));
	CU_ASSERT_EQUAL(core_dev_access(&d, a + 64, w, sizeof(w), 1), 0);
	to_dev(a, 256, DMA_FROM_DEVICE); /* the CPU's turn skipped */
	CU_ASSERT_EQUAL(count("missing-sync-for-cpu"), 1);
	to_cpu(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(p[64], 0x60);
	CU_ASSERT_EQUAL(p[63], 0x50);
	unmap(a, 256, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(seen.n, 1);
	free(p);
}

static void test_history_events_keep_their_fields(void)
{
	uint8_t *p = buf_of(8192, 0), w[32];
	const uintptr_t *pcs;
	uintptr_t caller = (uintptr_t)&test_history_events_keep_their_fields + 5;
	struct finding f;
	struct dmobj *o;
	uint64_t a;

	DMASAN_ASSERT_FATAL(p != NULL);
	reset();
	a = map(p, 8192, DMA_BIDIRECTIONAL);
	memset(w, 1, sizeof(w));
	CU_ASSERT_EQUAL(core_dev_access(&d, a + 5000, w, sizeof(w), 1), 0);
	core_sync(&d, a + 4096, 2048, DMA_FROM_DEVICE, 1, "t", caller);
	o = obj_at(a, 8192, DMA_BIDIRECTIONAL);
	fnd_init(&f, BUG_LEAK_MAPPING, dd, 0);
	fnd_object(&f, o, 0);
	track_put(o);
	DMASAN_ASSERT_FATAL(f.nhistory == 3);
	CU_ASSERT_STRING_EQUAL(f.history[0].what, "map");
	CU_ASSERT_EQUAL(f.history[0].dir, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(f.history[0].size, 8192);
	CU_ASSERT_STRING_EQUAL(f.history[1].what, "dev_write");
	CU_ASSERT_EQUAL(f.history[1].dir, -1);
	CU_ASSERT_EQUAL(f.history[1].offset, 5000);
	CU_ASSERT_EQUAL(f.history[1].size, 32);
	CU_ASSERT_EQUAL(f.history[1].stack, 0);
	CU_ASSERT_STRING_EQUAL(f.history[2].what, "sync_for_cpu");
	CU_ASSERT_EQUAL(f.history[2].dir, DMA_FROM_DEVICE);
	CU_ASSERT_EQUAL(f.history[2].offset, 4096);
	CU_ASSERT_EQUAL(f.history[2].size, 2048);
	CU_ASSERT_EQUAL(f.history[2].tid, f.history[1].tid);
	CU_ASSERT_TRUE(f.history[1].seq < f.history[2].seq);
	/* The caller's PC survives the packing. */
	DMASAN_ASSERT_FATAL(stack_depot_get(f.history[2].stack, &pcs) == 1);
	CU_ASSERT_EQUAL(pcs[0], caller);
	unmap(a, 8192, DMA_BIDIRECTIONAL);
	CU_ASSERT_EQUAL(seen.n, 0);
	free(p);
}

static CU_TestInfo shadow_tests[] = {
	{ "shadow_shared_until_the_device_writes", test_shadow_shared_until_the_device_writes },
	{ "cpu_write_while_shared_is_still_caught", test_cpu_write_while_shared_is_still_caught },
	{ "to_device_shares_for_good", test_to_device_shares_for_good },
	{ "no_memory_at_first_write_goes_coherent", test_no_memory_at_first_write_goes_coherent },
	{ "shared_again_after_a_full_invalidate", test_shared_again_after_a_full_invalidate },
	{ "edges_stay_apart_skipped_sync_does_not", test_edges_stay_apart_skipped_sync_does_not },
	{ "dirty_line_reaches_the_device_either_way",
	  test_dirty_line_reaches_the_device_either_way },
	{ "device_bytes_wait_for_an_invalidate", test_device_bytes_wait_for_an_invalidate },
	{ "history_events_keep_their_fields", test_history_events_keep_their_fields },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "cache/shadow", suite_init, suite_clean, NULL, NULL, shadow_tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
