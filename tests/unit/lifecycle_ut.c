/* SPDX-License-Identifier: MIT */
/*
 * Unit suites for object lifetimes that outlive a call (issue 6): device
 * removal and re-registration (core_device_del, dev_register), late frees
 * after removal (core_free, pool_free, pool_destroy), declared coherent
 * regions released (core_release_coherent), placement aliases for
 * buffers straddling 2 MiB chunks placed apart (core/track.c), and the
 * lookup of the sync and device-access paths that locks a live object
 * without taking a reference (track_lock_containing). Observed through
 * the structured findings the report callback receives.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "helpers/cunit_helpers.h"
#include "helpers/findings.h"
#include "core/bounce.h"
#include "core/device.h"
#include "core/dma.h"
#include "core/heap.h"
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

static void *abuf(size_t n)
{
	return aligned_alloc(64, (n + 63) & ~(size_t)63);
}

struct live_count {
	const struct device *dev;
	int n;
};

static int count_live(struct dmobj *o, void *arg)
{
	struct live_count *c = arg;

	c->n += o->dd->dev == c->dev;
	return 0;
}

/* Live tracked objects of every registration @dev ever had. */
static int live_of(const struct device *dev)
{
	struct live_count c = { dev, 0 };

	track_for_each_live(count_live, &c);
	return c.n;
}

static uint64_t bounce_used(void)
{
	struct bounce_stats st;

	bounce_get_stats(bounce_default(), &st);
	return st.slots_used;
}

/* ---- device removal and re-registration ---- */

static struct device d_readd;

static void test_readd_after_del_starts_clean(void)
{
	char *p = abuf(256);
	uint64_t slots = bounce_used(), a, b, h;
	void *c;

	DMASAN_ASSERT_FATAL(p != NULL);
	DMASAN_ASSERT_FATAL(dev_register(&d_readd, "life-readd", NULL) == 0);
	/* 32-bit mask, buffer placed above 4 GiB: the map bounces. */
	a = core_map(&d_readd, p, 256, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t");
	CU_ASSERT_NOT_EQUAL(a, CORE_MAPPING_ERROR);
	core_mapping_error(&d_readd, a);
	c = core_alloc(&d_readd, 4096, &h, 0, OBJ_COHERENT, DMA_BIDIRECTIONAL, "t");
	DMASAN_ASSERT_FATAL(c != NULL);
	CU_ASSERT(bounce_used() > slots);
	reset();
	CU_ASSERT_EQUAL(core_device_del(&d_readd), 2);
	CU_ASSERT_EQUAL(count("leak-mapping"), 1);
	CU_ASSERT_EQUAL(count("leak-coherent"), 1);
	CU_ASSERT_EQUAL(seen.n, 2);
	/* Removal ended them: nothing live, the swiotlb slots are back. */
	CU_ASSERT_EQUAL(live_of(&d_readd), 0);
	CU_ASSERT_EQUAL(bounce_used(), slots);

	/* A new struct device at the same address, registered again. */
	memset(&d_readd, 0, sizeof(d_readd));
	CU_ASSERT_EQUAL(dev_register(&d_readd, "life-readd", NULL), 0);
	reset();
	b = core_map(&d_readd, p, 256, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t");
	CU_ASSERT_NOT_EQUAL(b, CORE_MAPPING_ERROR);
	core_mapping_error(&d_readd, b);
	CU_ASSERT_EQUAL(count("cacheline-overlap"), 0);
	CU_ASSERT_EQUAL(live_of(&d_readd), 1);
	CU_ASSERT_EQUAL(core_check_leaks(), 1); /* only the new mapping */
	core_unmap(&d_readd, b, 256, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
	reset();
	/* Late calls for what removal ended: already reported as leaks, quiet now. */
	core_unmap(&d_readd, a, 256, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
	core_free(&d_readd, 4096, c, h, 0, OBJ_COHERENT, -1, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 0);
	/* ...once: a second free is reported. */
	core_free(&d_readd, 4096, c, h, 0, OBJ_COHERENT, -1, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT_EQUAL(core_check_leaks(), 0);
	CU_ASSERT_EQUAL(core_device_del(&d_readd), 0);
	free(p);
}

/* Removed and added again many times, leaking each time: bounded, no false findings. */
static void test_del_add_cycles_leaking_a_mapping(void)
{
	static struct device d;
	char *p = abuf(128);
	uint64_t slots = bounce_used();
	int i, leaks = 0;

	DMASAN_ASSERT_FATAL(p != NULL);
	reset();
	for (i = 0; i < 200; i++) {
		uint64_t a;

		CU_ASSERT_EQUAL(dev_register(&d, "life-cycle", NULL), 0);
		a = core_map(&d, p, 128, DMA_BIDIRECTIONAL, 0, OBJ_SINGLE, "t");
		core_mapping_error(&d, a);
		leaks += core_device_del(&d);
	}
	CU_ASSERT_EQUAL(leaks, 200);
	CU_ASSERT_EQUAL(count("leak-mapping"), MAXSEEN);
	CU_ASSERT_EQUAL(count("cacheline-overlap"), 0);
	CU_ASSERT_EQUAL(live_of(&d), 0);
	CU_ASSERT_EQUAL(bounce_used(), slots);
	free(p);
}

/* ---- late frees after removal ---- */

static struct device d_pool;

static void test_pool_and_coherent_freed_after_del(void)
{
	struct dmpool *pool, *other;
	uint64_t h1, h2, hc, h3;
	void *v1, *v2, *v3, *c;

	DMASAN_ASSERT_FATAL(dev_register(&d_pool, "life-pool", NULL) == 0);
	pool = pool_create("lp", &d_pool, 64, 64, 0);
	other = pool_create("lp2", &d_pool, 128, 64, 0);
	DMASAN_ASSERT_FATAL(pool != NULL && other != NULL);
	v1 = pool_alloc(pool, 0, &h1);
	v2 = pool_alloc(pool, 0, &h2);
	v3 = pool_alloc(other, 0, &h3);
	DMASAN_ASSERT_FATAL(v1 && v2 && v3);
	pool_free(pool, v2, h2);
	pool_free(other, v3, h3);
	c = core_alloc(&d_pool, 8192, &hc, 0, OBJ_COHERENT, DMA_BIDIRECTIONAL, "t");
	DMASAN_ASSERT_FATAL(c != NULL);
	reset();
	core_device_del(&d_pool);
	CU_ASSERT_EQUAL(count("leak-pool-block"), 1);
	CU_ASSERT_EQUAL(count("leak-pool"), 2);
	CU_ASSERT_EQUAL(count("leak-coherent"), 1);
	CU_ASSERT_EQUAL(seen.n, 4);
	CU_ASSERT_EQUAL(live_of(&d_pool), 0);

	/* The driver tears down after the removal: reported at removal, quiet now. */
	reset();
	CU_ASSERT_PTR_NULL(pool_alloc(other, 0, &h3)); /* its device is gone */
	pool_free(pool, v1, h1);
	pool_destroy(pool);
	pool_destroy(other);
	CU_ASSERT_EQUAL(seen.n, 0);
	CU_ASSERT_PTR_NULL(dev_find(&d_pool)); /* not registered again behind the test's back */
	core_free(&d_pool, 8192, c, hc, 0, OBJ_COHERENT, -1, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 0);
	/* A second free is still a finding, saying the device was removed. */
	core_free(&d_pool, 8192, c, hc, 0, OBJ_COHERENT, -1, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT_EQUAL(count("unmap-not-mapped") + count("coherent-double-free"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(seen.r[0].message, "removed"));
	dev_unregister(&d_pool);
}

/* A pool destroyed with live blocks is a finding, removal or not (Linux says so too). */
static void test_busy_pool_destroyed_after_del(void)
{
	static struct device d;
	struct dmpool *pool;
	uint64_t h;
	void *v;

	DMASAN_ASSERT_FATAL(dev_register(&d, "life-busy", NULL) == 0);
	pool = pool_create("busy", &d, 32, 32, 0);
	DMASAN_ASSERT_FATAL(pool != NULL);
	v = pool_alloc(pool, 0, &h);
	DMASAN_ASSERT_FATAL(v != NULL);
	reset();
	core_device_del(&d);
	CU_ASSERT_EQUAL(count("leak-pool-block"), 1);
	CU_ASSERT_EQUAL(count("leak-pool"), 1);
	reset();
	pool_destroy(pool);
	CU_ASSERT_EQUAL(count("pool-destroy-busy"), 1);
	CU_ASSERT_EQUAL(seen.n, 1);
	reset();
	pool_free(pool, v, h);
	CU_ASSERT_EQUAL(seen.n, 0);
}

/* A pool destroyed busy keeps its pages until the last late free, then gives them back. */
static void test_busy_pool_pages_back_with_last_free(void)
{
	static struct device d;
	struct dmpool *pool;
	uint64_t h1, h2;
	void *v1, *v2;

	DMASAN_ASSERT_FATAL(dev_register(&d, "life-busy-back", NULL) == 0);
	pool = pool_create("busy-back", &d, 64, 64, 0);
	DMASAN_ASSERT_FATAL(pool != NULL);
	v1 = pool_alloc(pool, 0, &h1);
	v2 = pool_alloc(pool, 0, &h2);
	DMASAN_ASSERT_FATAL(v1 != NULL && v2 != NULL);
	reset();
	pool_destroy(pool);
	CU_ASSERT_EQUAL(count("pool-destroy-busy"), 1);
	CU_ASSERT_EQUAL(live_of(&d), 1); /* the page: the device may still use it */
	reset();
	pool_free(pool, v1, h1);
	CU_ASSERT_EQUAL(live_of(&d), 1);
	pool_free(pool, v2, h2);
	CU_ASSERT_EQUAL(seen.n, 0);
	CU_ASSERT_EQUAL(live_of(&d), 0);
	/* Another free is still a finding. */
	pool_free(pool, v2, h2);
	CU_ASSERT_EQUAL(seen.n, 1);
	dev_unregister(&d);
}

/*
 * A leak scan writes its findings with the pool unlocked, while the
 * program may free blocks and destroy the pool (whose pages then go):
 * it reports the busy blocks it saw, and never reads a freed page (the
 * hostile test crashed on it, 1 run in 8).
 */
static struct {
	struct dmpool *pool;
	void *v[3];
	uint64_t h[3];
	int done;
} churn;

static void free_all_on_first_leak(const struct dmasan_report *r, void *arg)
{
	int i;

	capture(r, arg);
	if (churn.done || strcmp(r->id, "leak-pool-block"))
		return;
	churn.done = 1;
	for (i = 0; i < 3; i++)
		pool_free(churn.pool, churn.v[i], churn.h[i]);
	pool_destroy(churn.pool);
}

static void test_leak_scan_survives_frees_meanwhile(void)
{
	static struct device d;
	int i, n;

	DMASAN_ASSERT_FATAL(dev_register(&d, "life-leak-churn", NULL) == 0);
	memset(&churn, 0, sizeof(churn));
	churn.pool = pool_create("churn", &d, 2048, 64, 0); /* two blocks a page */
	DMASAN_ASSERT_FATAL(churn.pool != NULL);
	for (i = 0; i < 3; i++) {
		churn.v[i] = pool_alloc(churn.pool, 0, &churn.h[i]);
		DMASAN_ASSERT_FATAL(churn.v[i] != NULL);
	}
	reset();
	report_set_callback(free_all_on_first_leak, NULL);
	n = core_check_leaks();
	report_set_callback(capture, NULL);
	CU_ASSERT_EQUAL(churn.done, 1);
	CU_ASSERT_EQUAL(count("leak-pool-block"), 3);
	CU_ASSERT_EQUAL(count("leak-pool"), 1);
	CU_ASSERT_EQUAL(n, seen.n);
	CU_ASSERT_EQUAL(live_of(&d), 0); /* the pages went back */
	dev_unregister(&d);
}

/* Out of memory in the scan itself: the first 16 blocks still get their findings. */
static void test_leak_scan_out_of_memory_lists_some(void)
{
	static struct device d;
	struct dmpool *pool;
	uint64_t h[20];
	void *v[20];
	int i, n;

	DMASAN_ASSERT_FATAL(dev_register(&d, "life-leak-oom", NULL) == 0);
	pool = pool_create("oom", &d, 64, 64, 0);
	DMASAN_ASSERT_FATAL(pool != NULL);
	for (i = 0; i < 20; i++) {
		v[i] = pool_alloc(pool, 0, &h[i]);
		DMASAN_ASSERT_FATAL(v[i] != NULL);
	}
	reset();
	heap_fail_after(0);
	n = core_check_leaks();
	heap_fail_after(-1);
	CU_ASSERT_EQUAL(count("leak-pool-block"), 16);
	CU_ASSERT_EQUAL(count("leak-pool"), 1);
	CU_ASSERT_EQUAL(n, 17);
	for (i = 0; i < 20; i++)
		pool_free(pool, v[i], h[i]);
	pool_destroy(pool);
	dev_unregister(&d);
}

/* ---- declared coherent regions ---- */

static struct device d_decl;

/*
 * Not static, not inlined, no tail call, and core_alloc() called through a
 * volatile pointer so that link-time optimisation cannot inline it here:
 * the leak finding's stack must name this function.
 */
void *lifecycle_alloc_from_region(struct device *dev, uint64_t *h);
__attribute__((noinline)) void *lifecycle_alloc_from_region(struct device *dev, uint64_t *h)
{
	void *(*volatile alloc)(struct device *, size_t, uint64_t *, unsigned long, int, int,
				const char *) = core_alloc;
	void *p = alloc(dev, 4096, h, 0, OBJ_COHERENT, DMA_BIDIRECTIONAL, "t");

	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

static int log_has(const char *a, const char *b)
{
	char path[300], line[16384];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/log.%d", logdir, (int)getpid());
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		found |= strstr(line, a) && strstr(line, b);
	fclose(f);
	return found;
}

static void test_release_gives_region_back(void)
{
	uint64_t h;
	void *a;
	int i, ok = 0;

	DMASAN_ASSERT_FATAL(dev_register(&d_decl, "life-decl", NULL) == 0);
	reset();
	/* 40 x 16 MiB: more than the whole coherent arena unless each is given back. */
	for (i = 0; i < 40; i++) {
		if (core_declare_coherent(&d_decl, 0xc0000000ULL, 16UL << 20) != 0)
			break;
		a = core_alloc(&d_decl, 4096, &h, 0, OBJ_COHERENT, DMA_BIDIRECTIONAL, "t");
		ok += a != NULL && h == 0xc0000000ULL;
		core_free(&d_decl, 4096, a, h, 0, OBJ_COHERENT, -1, "t", 0);
		core_release_coherent(&d_decl);
	}
	CU_ASSERT_EQUAL(i, 40);
	CU_ASSERT_EQUAL(ok, 40);
	CU_ASSERT_EQUAL(seen.n, 0);
}

static void test_release_with_live_buffer(void)
{
	uint64_t ha, hb;
	void *a, *b;

	DMASAN_ASSERT_FATAL(dev_find(&d_decl) != NULL);
	CU_ASSERT_EQUAL(core_declare_coherent(&d_decl, 0xd0000000ULL, 16 * 4096), 0);
	a = lifecycle_alloc_from_region(&d_decl, &ha);
	DMASAN_ASSERT_FATAL(a != NULL);
	CU_ASSERT_EQUAL(ha, 0xd0000000ULL);
	reset();
	core_release_coherent(&d_decl);
	CU_ASSERT_EQUAL(count("leak-coherent"), 1);
	CU_ASSERT_EQUAL(seen.n, 1);
	CU_ASSERT_EQUAL(seen.r[0].dma_addr, ha);
	CU_ASSERT(log_has("\"leak-coherent\"", "lifecycle_alloc_from_region"));
	/* Released: no more allocations from it, a new declaration succeeds. */
	b = core_alloc(&d_decl, 4096, &hb, 0, OBJ_COHERENT, DMA_BIDIRECTIONAL, "t");
	DMASAN_ASSERT_FATAL(b != NULL);
	CU_ASSERT(hb < 0xd0000000ULL || hb >= 0xd0000000ULL + 16 * 4096);
	/* The buffer stays usable until freed; freeing it is quiet. */
	memset(a, 0x5a, 4096);
	reset();
	core_free(&d_decl, 4096, a, ha, 0, OBJ_COHERENT, -1, "t", 0);
	core_free(&d_decl, 4096, b, hb, 0, OBJ_COHERENT, -1, "t", 0);
	CU_ASSERT_EQUAL(seen.n, 0);
	CU_ASSERT_EQUAL(core_declare_coherent(&d_decl, 0xd0000000ULL, 16 * 4096), 0);
	CU_ASSERT_EQUAL(core_declare_coherent(&d_decl, 0xd0000000ULL, 16 * 4096), -EBUSY);
	/* Exit and leak checks do not report it again. */
	CU_ASSERT_EQUAL(core_check_leaks(), 0);
	core_release_coherent(&d_decl);
	core_release_coherent(&d_decl); /* nothing declared: nothing happens */
	CU_ASSERT_EQUAL(seen.n, 0);
}

/* Removal takes the declared region with it. */
static void test_del_releases_declared_region(void)
{
	static struct device d;
	uint64_t h;
	void *a;
	int i, ok = 0;

	reset();
	for (i = 0; i < 40; i++) {
		CU_ASSERT_EQUAL(dev_register(&d, "life-decl-del", NULL), 0);
		ok += core_declare_coherent(&d, 0xc0000000ULL, 16UL << 20) == 0;
		a = core_alloc(&d, 4096, &h, 0, OBJ_COHERENT, DMA_BIDIRECTIONAL, "t");
		CU_ASSERT_EQUAL(h, 0xc0000000ULL);
		if (i % 2)
			core_free(&d, 4096, a, h, 0, OBJ_COHERENT, -1, "t", 0);
		core_device_del(&d);
		/* The leaked buffer's memory is held until the driver frees it (late). */
		if (!(i % 2))
			core_free(&d, 4096, a, h, 0, OBJ_COHERENT, -1, "t", 0);
		dev_unregister(&d);
	}
	CU_ASSERT_EQUAL(ok, 40);
	CU_ASSERT_EQUAL(count("leak-coherent"), 20);
	CU_ASSERT_EQUAL(seen.n, 20);
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

/* ---- lookups that lock instead of referencing ---- */

static int refs_of(struct dmobj *o)
{
	return atomic_load(&o->refs);
}

struct holder {
	struct spin *lock;
	pthread_barrier_t held;
};

/* Hold @h->lock for 100 ms, so the lookup meets it contended. */
static void *hold_lock(void *arg)
{
	struct holder *h = arg;

	spin_lock(h->lock);
	pthread_barrier_wait(&h->held);
	usleep(100000);
	spin_unlock(h->lock);
	return NULL;
}

static void test_lock_containing_live_dead_contended(void)
{
	static struct device d;
	char *p = abuf(512);
	struct dmdev *dd;
	struct dmobj *o, *again;
	struct holder h;
	pthread_t th;
	int dead = -1, ref = -1, refs;
	uint64_t a;

	DMASAN_ASSERT_FATAL(p != NULL);
	DMASAN_ASSERT_FATAL(dev_register(&d, "life-lookup", NULL) == 0);
	dd = dev_find(&d);
	DMASAN_ASSERT_FATAL(dd != NULL);
	reset();
	a = core_map(&d, p, 512, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t");
	DMASAN_ASSERT_FATAL(a != CORE_MAPPING_ERROR);
	core_mapping_error(&d, a);

	/* Live: returned locked, no reference taken. */
	o = track_lock_containing(dd, a + 100, &dead, &ref);
	DMASAN_ASSERT_FATAL(o != NULL);
	refs = refs_of(o);
	CU_ASSERT_EQUAL(dead, 0);
	CU_ASSERT_EQUAL(ref, 0);
	CU_ASSERT_FALSE(spin_trylock(&o->lock)); /* held by the lookup */
	spin_unlock(&o->lock);
	CU_ASSERT_TRUE(spin_trylock(&o->lock));
	spin_unlock(&o->lock);
	/* Outside the object: nothing. */
	CU_ASSERT_PTR_NULL(track_lock_containing(dd, a + 4096, &dead, &ref));

	/* Contended: waits for the holder, and holds a reference meanwhile. */
	h.lock = &o->lock;
	pthread_barrier_init(&h.held, NULL, 2);
	DMASAN_ASSERT_FATAL(pthread_create(&th, NULL, hold_lock, &h) == 0);
	pthread_barrier_wait(&h.held);
	again = track_lock_containing(dd, a, &dead, &ref);
	CU_ASSERT_PTR_EQUAL(again, o);
	CU_ASSERT_EQUAL(dead, 0);
	CU_ASSERT_EQUAL(ref, 1);
	CU_ASSERT_EQUAL(refs_of(o), refs + 1);
	spin_unlock(&o->lock);
	track_put(o);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&h.held);
	CU_ASSERT_EQUAL(refs_of(o), refs);

	/* Dead (unmapped, in the quarantine): locked and referenced, marked dead. */
	core_unmap(&d, a, 512, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
	o = track_lock_containing(dd, a + 10, &dead, &ref);
	DMASAN_ASSERT_FATAL(o != NULL);
	CU_ASSERT_EQUAL(dead, 1);
	CU_ASSERT_EQUAL(ref, 1);
	CU_ASSERT_FALSE(atomic_load(&o->live));
	spin_unlock(&o->lock);
	track_put(o);

	/* Through the API: a device write after the unmap is still use-after-unmap. */
	CU_ASSERT_NOT_EQUAL(core_dev_access(&d, a, p, 64, 1), 0);
	CU_ASSERT_EQUAL(count("use-after-unmap"), 1);
	CU_ASSERT_EQUAL(seen.n, 1);
	core_device_del(&d);
	dev_unregister(&d);
	free(p);
}

/*
 * One thread maps and unmaps a buffer over and over while another writes
 * into it as the device and syncs it: the lock-without-reference lookup
 * races every end of the object. Only the findings of that misuse may
 * come out (and the run must not crash or hang).
 */
static struct {
	struct device *d;
	uint8_t *p;
	uint64_t a;
	atomic_int stop;
	atomic_ulong expected, other, refused, rounds;
	char first_other[48];
} rc;

static void race_count(const struct dmasan_report *r, void *arg)
{
	static const char *const ok[] = { "use-after-unmap", "device-access-unmapped",
					  "sync-not-mapped", "missing-sync-for-cpu",
					  "missing-sync-for-device" };
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!strcmp(r->id, ok[i])) {
			atomic_fetch_add(&rc.expected, 1);
			return;
		}
	}
	if (atomic_fetch_add(&rc.other, 1) == 0)
		snprintf(rc.first_other, sizeof(rc.first_other), "%s", r->id);
}

static void *race_device(void *arg)
{
	uint8_t w[64];
	unsigned long n = 0;

	(void)arg;
	memset(w, 0x5a, sizeof(w));
	while (!atomic_load(&rc.stop)) {
		if (core_dev_access(rc.d, rc.a + 64 * (n % 8), w, sizeof(w), 1))
			atomic_fetch_add(&rc.refused, 1);
		core_sync(rc.d, rc.a, 512, DMA_FROM_DEVICE, 1, "t", 0);
		core_sync(rc.d, rc.a, 512, DMA_FROM_DEVICE, 0, "t", 0);
		atomic_store(&rc.rounds, ++n);
	}
	return NULL;
}

static void test_lookups_race_unmaps(void)
{
	static struct device d;
	pthread_t th;
	uint64_t a;
	int i;

	DMASAN_ASSERT_FATAL(dev_register(&d, "life-race-lookup", NULL) == 0);
	CU_ASSERT_EQUAL(core_set_mask(&d, ~0ULL, 0), 0);
	rc.d = &d;
	rc.p = abuf(512);
	DMASAN_ASSERT_FATAL(rc.p != NULL);
	rc.a = core_map(&d, rc.p, 512, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t");
	DMASAN_ASSERT_FATAL(rc.a != CORE_MAPPING_ERROR);
	core_mapping_error(&d, rc.a);
	report_set_callback(race_count, NULL);
	DMASAN_ASSERT_FATAL(pthread_create(&th, NULL, race_device, NULL) == 0);
	/* Until the device side has made 20,000 rounds (the first report is slow). */
	for (i = 0; i < 2000000 && atomic_load(&rc.rounds) < 20000; i++) {
		volatile int spin;

		core_unmap(&d, rc.a, 512, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
		for (spin = 0; spin < 300; spin++) /* let the device meet it unmapped */
			;
		if (i % 64 == 0) {
			/* ...for a whole round now and then, however the threads are scheduled. */
			unsigned long r0 = atomic_load(&rc.rounds);
			long waits = 0;

			while (atomic_load(&rc.rounds) < r0 + 2 && waits++ < 1000000)
				sched_yield();
		}
		a = core_map(&d, rc.p, 512, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t");
		core_mapping_error(&d, a);
		CU_ASSERT_EQUAL(a, rc.a); /* placement keeps the bus address */
		for (spin = 0; spin < 300; spin++)
			;
	}
	atomic_store(&rc.stop, 1);
	pthread_join(th, NULL);
	core_unmap(&d, rc.a, 512, DMA_FROM_DEVICE, 0, OBJ_SINGLE, "t", 0);
	report_set_callback(capture, NULL);
	/* The race happened: device writes refused, findings made. */
	CU_ASSERT(atomic_load(&rc.refused) > 0);
	CU_ASSERT(atomic_load(&rc.expected) >= atomic_load(&rc.refused));
	CU_ASSERT_EQUAL(atomic_load(&rc.other), 0);
	if (atomic_load(&rc.other))
		fprintf(stderr, "unexpected finding: %s\n", rc.first_other);
	CU_ASSERT_EQUAL(live_of(&d), 0);
	core_device_del(&d);
	dev_unregister(&d);
	free(rc.p);
}

static CU_TestInfo lookup_tests[] = {
	{ "lock_containing_live_dead_contended", test_lock_containing_live_dead_contended },
	{ "lookups_race_unmaps", test_lookups_race_unmaps },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo removal_tests[] = {
	{ "readd_after_del_starts_clean", test_readd_after_del_starts_clean },
	{ "del_add_cycles_leaking_a_mapping", test_del_add_cycles_leaking_a_mapping },
	{ "pool_and_coherent_freed_after_del", test_pool_and_coherent_freed_after_del },
	{ "busy_pool_destroyed_after_del", test_busy_pool_destroyed_after_del },
	{ "busy_pool_pages_back_with_last_free", test_busy_pool_pages_back_with_last_free },
	{ "leak_scan_survives_frees_meanwhile", test_leak_scan_survives_frees_meanwhile },
	{ "leak_scan_out_of_memory_lists_some", test_leak_scan_out_of_memory_lists_some },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo region_tests[] = {
	{ "release_gives_region_back", test_release_gives_region_back },
	{ "release_with_live_buffer", test_release_with_live_buffer },
	{ "del_releases_declared_region", test_del_releases_declared_region },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo placement_tests[] = {
	{ "straddling_aliases_are_reclaimed", test_straddling_aliases_are_reclaimed },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "lifecycle/removal", suite_init, NULL, NULL, NULL, removal_tests },
	{ "lifecycle/regions", NULL, NULL, NULL, NULL, region_tests },
	{ "lifecycle/lookup", NULL, NULL, NULL, NULL, lookup_tests },
	{ "lifecycle/placement", NULL, suite_clean, NULL, NULL, placement_tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
