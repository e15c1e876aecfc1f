/* SPDX-License-Identifier: MIT */
/*
 * The scenarios of dmasan-bench, each run in its own child process with
 * either libdmasan_direct.so alone or libdmasan.so preloaded over it. They
 * use the public DMA API and <dmasan/dmasan.h> only, the way a driver test
 * does: every map is checked with dma_mapping_error(), every buffer is
 * cache-line aligned, everything is unmapped and freed before the device
 * is deleted. A child prints "key value" lines (medians, in ns unless the
 * key says otherwise) and exits 0; an unexpected API result, a shim that
 * did not load when it should have, or any dmasan finding is a scenario
 * error (exit 1; a finding also makes the shim exit with its exitcode).
 * Single thread, except the threads scenario: each worker owns its device
 * and buffer, and the workers share no memory the bench writes.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dmasan/dmasan.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/gfp.h>

#include "bench.h"

#define FRAME 1500u	/* an Ethernet frame: 24 cache lines, the last one partial */
#define FRAME_BUF 2048u /* what kmalloc(1500) hands out */
/*
 * What a device-writable mapping of a frame covers on a non-coherent
 * device: the frame's 24 whole lines (a partial line is an
 * unaligned-buffer finding). Syncs and device accesses still move FRAME.
 */
#define FRAME_MAP 1536u
#define BIG (64u * 1024) /* the bounce scenario's buffer */
#define SMALL 64u	 /* one cache line: the scaling and memory scenarios */
#define POOL_BLOCK 64u
#define COHERENT_SIZE 4096u
#define FEW_LIVE 1000ul
#define MANY_LIVE 1000000ul
#define MANY_LIVE_QUICK 20000ul
#define CG_WARMUP 1000ul
#define MAX_THREADS 2

/* First failure of the running scenario; loops stop at it. */
static const char *fail_what;

/* memcpy through a pointer the compiler cannot see through. */
static void *(*volatile copy_fn)(void *, const void *, size_t) = memcpy;

static void fail(const char *what)
{
	if (!fail_what)
		fail_what = what;
}

static void *buf_alloc(size_t align, size_t size)
{
	void *p = aligned_alloc(align, size);

	if (p)
		memset(p, 0x5a, size);
	return p;
}

/* Register @dev with 64-bit masks; @coherent says whether it snoops. */
static int dev_setup(struct device *dev, const char *name, int coherent)
{
	struct dmasan_device_info info = { .coherent = coherent ? DMASAN_YES : DMASAN_NO };

	memset(dev, 0, sizeof(*dev));
	if (dmasan_device_add(dev, name, &info) != 0) {
		fail("dmasan_device_add failed");
		return -1;
	}
	if (dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)) != 0) {
		fail("dma_set_mask_and_coherent(64 bits) failed");
		return -1;
	}
	return 0;
}

/* ---- the timed bodies ---- */

struct op_ctx {
	struct device *dev;
	unsigned char *buf;
	const unsigned char *src;
	unsigned char *dst;
	size_t len;	/* bytes each operation moves */
	size_t map_len; /* bytes of the mapping, where the loop makes one */
	enum dma_data_direction dir;
	dma_addr_t addr; /* a mapping held across the loop, where there is one */
	struct dma_pool *pool;
	unsigned long sum;
};

static void loop_memcpy(void *arg, unsigned long n)
{
	struct op_ctx *c = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		copy_fn(c->dst, c->src, c->len);
		__asm__ volatile("" ::: "memory");
	}
}

/* map + dma_mapping_error + unmap, the pair every driver does. */
static void loop_map_unmap(void *arg, unsigned long n)
{
	struct op_ctx *c = arg;
	unsigned long i;

	for (i = 0; i < n && !fail_what; i++) {
		dma_addr_t a = dma_map_single(c->dev, c->buf, c->len, c->dir);

		if (dma_mapping_error(c->dev, a)) {
			fail("dma_map_single failed");
			return;
		}
		dma_unmap_single(c->dev, a, c->len, c->dir);
	}
}

/*
 * The function callgrind's --toggle-collect counts: the same pairs as
 * loop_map_unmap(), under a name of its own.
 */
__attribute__((noinline)) void dmasan_bench_cg_pairs(void *ctx, unsigned long n)
{
	loop_map_unmap(ctx, n);
	__asm__ volatile("" ::: "memory");
}

/*
 * The sum of @len bytes at @p, eight at a time in two 32-bit lanes (each
 * gains at most 4 * 255 per word, so no lane overflows below 4 MiB).
 * Cheap enough not to hide the DMA calls around it.
 */
static unsigned long byte_sum(const unsigned char *p, size_t len)
{
	const uint64_t m = 0x000000ff000000ffULL;
	uint64_t acc = 0, w;
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		acc += (w & m) + ((w >> 8) & m) + ((w >> 16) & m) + ((w >> 24) & m);
	}
	for (; i < len; i++)
		sum += p[i];
	return sum + (unsigned long)(acc & 0xffffffffu) + (unsigned long)(acc >> 32);
}

/* One NIC receive: the device writes a frame, the driver reads it. */
static void loop_rx(void *arg, unsigned long n)
{
	struct op_ctx *c = arg;
	unsigned long i, sum = 0;

	for (i = 0; i < n && !fail_what; i++) {
		dma_addr_t a = dma_map_single(c->dev, c->buf, c->map_len, DMA_FROM_DEVICE);

		if (dma_mapping_error(c->dev, a)) {
			fail("dma_map_single failed");
			return;
		}
		if (dmasan_dev_write(c->dev, a, c->src, c->len) != 0)
			fail("dmasan_dev_write failed");
		dma_sync_single_for_cpu(c->dev, a, c->len, DMA_FROM_DEVICE);
		sum += byte_sum(c->buf, c->len);
		dma_sync_single_for_device(c->dev, a, c->len, DMA_FROM_DEVICE);
		dma_unmap_single(c->dev, a, c->map_len, DMA_FROM_DEVICE);
	}
	c->sum += sum;
}

static void loop_sync_pair(void *arg, unsigned long n)
{
	struct op_ctx *c = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		dma_sync_single_for_cpu(c->dev, c->addr, c->len, c->dir);
		dma_sync_single_for_device(c->dev, c->addr, c->len, c->dir);
	}
}

static void loop_dev_write(void *arg, unsigned long n)
{
	struct op_ctx *c = arg;
	unsigned long i;

	for (i = 0; i < n && !fail_what; i++)
		if (dmasan_dev_write(c->dev, c->addr, c->src, c->len) != 0)
			fail("dmasan_dev_write failed");
}

/* TX with a forced bounce: map, the device reads it all, unmap. */
static void loop_bounce(void *arg, unsigned long n)
{
	struct op_ctx *c = arg;
	unsigned long i;

	for (i = 0; i < n && !fail_what; i++) {
		dma_addr_t a = dma_map_single(c->dev, c->buf, c->len, DMA_TO_DEVICE);

		if (dma_mapping_error(c->dev, a)) {
			fail("dma_map_single failed");
			return;
		}
		if (dmasan_dev_read(c->dev, a, c->dst, c->len) != 0)
			fail("dmasan_dev_read failed");
		dma_unmap_single(c->dev, a, c->len, DMA_TO_DEVICE);
	}
}

static void loop_pool(void *arg, unsigned long n)
{
	struct op_ctx *c = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		dma_addr_t h;
		void *p = dma_pool_alloc(c->pool, GFP_KERNEL, &h);

		if (!p) {
			fail("dma_pool_alloc failed");
			return;
		}
		dma_pool_free(c->pool, p, h);
	}
}

static void loop_coherent(void *arg, unsigned long n)
{
	struct op_ctx *c = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		dma_addr_t h;
		void *p = dma_alloc_coherent(c->dev, c->len, &h, GFP_KERNEL);

		if (!p) {
			fail("dma_alloc_coherent failed");
			return;
		}
		dma_free_coherent(c->dev, c->len, p, h);
	}
}

/* ---- scenarios ---- */

/* Measure @n bodies on @ctx, repetitions interleaved; emit them as @keys. */
static void measure(const struct bench_cfg *cfg, int n, const bench_loop *fns, void *ctx,
		    const char *const *keys)
{
	void *ctxs[BENCH_GROUP_MAX];
	double t[BENCH_GROUP_MAX];
	int j;

	for (j = 0; j < n && j < BENCH_GROUP_MAX; j++)
		ctxs[j] = ctx;
	bench_median_group(cfg, n, fns, ctxs, t);
	for (j = 0; j < n && j < BENCH_GROUP_MAX; j++)
		bench_emit(keys[j], t[j]);
}

/* The map+unmap pair's context (scenarios pair and cg): a 1500-byte frame, a coherent device. */
static int pair_open(struct op_ctx *c)
{
	static struct device dev;

	*c = (struct op_ctx){ .dev = &dev, .len = FRAME, .dir = DMA_TO_DEVICE };
	c->buf = buf_alloc(64, FRAME_BUF);
	if (!c->buf) {
		fail("out of memory");
		return -1;
	}
	return dev_setup(&dev, "bench-coh", 1) ? -1 : 0;
}

static void pair_close(struct op_ctx *c)
{
	dmasan_device_del(c->dev);
	free(c->buf);
}

/* 1: map+unmap of 1500 bytes on a coherent device. */
static void sc_pair(const struct bench_cfg *cfg)
{
	struct op_ctx c;

	if (pair_open(&c))
		return;
	bench_emit("pair", bench_median_op(cfg, loop_map_unmap, &c));
	pair_close(&c);
}

/* 2: an RX cycle on a non-coherent device, and memcpy of the same frame. */
static void sc_rx(const struct bench_cfg *cfg)
{
	static struct device dev;
	static const bench_loop fns[] = { loop_rx, loop_memcpy };
	static const char *const keys[] = { "rx", "memcpy_1500" };
	struct op_ctx c = { .dev = &dev, .len = FRAME, .map_len = FRAME_MAP };

	c.buf = buf_alloc(64, FRAME_BUF);
	c.dst = buf_alloc(64, FRAME_BUF);
	c.src = buf_alloc(64, FRAME_BUF);
	if (!c.buf || !c.dst || !c.src) {
		fail("out of memory");
		return;
	}
	if (dev_setup(&dev, "bench-nc", 0))
		return;
	measure(cfg, 2, fns, &c, keys);
	dmasan_device_del(&dev);
	free(c.buf);
	free(c.dst);
	free((void *)c.src);
}

/* 3: a sync pair and a device write on a mapped 1500-byte buffer. */
static void sc_sync(const struct bench_cfg *cfg)
{
	static struct device dev;
	static const bench_loop fns[] = { loop_dev_write, loop_sync_pair, loop_memcpy };
	static const char *const keys[] = { "dev_write", "sync_pair", "memcpy_1500" };
	struct op_ctx c = {
		.dev = &dev, .len = FRAME, .map_len = FRAME_MAP, .dir = DMA_FROM_DEVICE
	};

	c.buf = buf_alloc(64, FRAME_BUF);
	c.dst = buf_alloc(64, FRAME_BUF);
	c.src = buf_alloc(64, FRAME_BUF);
	if (!c.buf || !c.dst || !c.src) {
		fail("out of memory");
		return;
	}
	if (dev_setup(&dev, "bench-nc", 0))
		return;
	c.addr = dma_map_single(&dev, c.buf, c.map_len, c.dir);
	if (dma_mapping_error(&dev, c.addr)) {
		fail("dma_map_single failed");
		return;
	}
	/*
	 * The device owns the lines after the map and after every sync pair,
	 * so device writes are legal between the pairs.
	 */
	measure(cfg, 3, fns, &c, keys);
	dma_unmap_single(&dev, c.addr, c.map_len, c.dir);
	dmasan_device_del(&dev);
	free(c.buf);
	free(c.dst);
	free((void *)c.src);
}

/* 4: map TO_DEVICE + device read + unmap of 64 KiB (run with bounce=force). */
static void sc_bounce(const struct bench_cfg *cfg)
{
	static struct device dev;
	static const bench_loop fns[] = { loop_bounce, loop_memcpy };
	static const char *const keys[] = { "bounce", "memcpy_64k" };
	struct op_ctx c = { .dev = &dev, .len = BIG };
	unsigned char *dst_mem;

	/*
	 * The destination sits 2 KiB off a page boundary: copies between
	 * two page-aligned buffers suffer 4K aliasing on x86 and would make
	 * the memcpy reference look slower than this machine is.
	 */
	c.buf = buf_alloc(4096, BIG);
	dst_mem = buf_alloc(4096, BIG + 4096);
	c.src = c.buf;
	if (!c.buf || !dst_mem) {
		fail("out of memory");
		return;
	}
	c.dst = dst_mem + 2048;
	if (dev_setup(&dev, "bench-coh", 1))
		return;
	measure(cfg, 2, fns, &c, keys);
	dmasan_device_del(&dev);
	free(c.buf);
	free(dst_mem);
}

/* 5: dma_pool alloc+free of 64-byte blocks; coherent alloc+free of 4 KiB. */
static void sc_pool(const struct bench_cfg *cfg)
{
	static struct device dev;
	static const bench_loop fns[] = { loop_pool, loop_coherent };
	static const char *const keys[] = { "pool", "coherent" };
	struct op_ctx c = { .dev = &dev, .len = COHERENT_SIZE };

	if (dev_setup(&dev, "bench-nc", 0))
		return;
	c.pool = dma_pool_create("bench", &dev, POOL_BLOCK, POOL_BLOCK, 0);
	if (!c.pool) {
		fail("dma_pool_create failed");
		return;
	}
	measure(cfg, 2, fns, &c, keys);
	dma_pool_destroy(c.pool);
	dmasan_device_del(&dev);
}

/* Map slots [from, to) of @big, 64 bytes each. */
static int map_range(struct device *dev, unsigned char *big, dma_addr_t *addrs, unsigned long from,
		     unsigned long to)
{
	unsigned long i;

	for (i = from; i < to; i++) {
		addrs[i] = dma_map_single(dev, big + i * SMALL, SMALL, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dev, addrs[i])) {
			fail("dma_map_single failed while filling the live set");
			return -1;
		}
	}
	return 0;
}

/*
 * 6 and 8: map+unmap cost with 1,000 and with 1,000,000 live 64-byte
 * mappings on a non-coherent device, and the resident memory those
 * mappings add. A warm-up of map+unmap pairs first fills the shim's
 * quarantine and stack depot, so neither grows between the two RSS
 * readings; the bench's own buffers are touched before the first one.
 * The 1,000-live cost is measured before the fill and again after the
 * drain back to 1,000, and averaged, so that a drift of the machine
 * during the long fill does not pass for a scaling effect.
 */
static void sc_scale(const struct bench_cfg *cfg)
{
	static struct device dev;
	unsigned long many = cfg->quick ? MANY_LIVE_QUICK : MANY_LIVE, i;
	size_t big_size = ((many + 1) * SMALL + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
	struct op_ctx c = { .dev = &dev, .len = SMALL, .dir = DMA_BIDIRECTIONAL };
	dma_addr_t *addrs = calloc(many, sizeof(*addrs));
	unsigned char *big = buf_alloc(2u << 20, big_size);
	long rss0, rss1;
	double t0, t1, few0, drain;

	if (!addrs || !big) {
		fail("out of memory");
		return;
	}
	memset(addrs, 0xff, many * sizeof(*addrs)); /* resident before the first reading */
	c.buf = big + many * SMALL;		    /* the timed buffer, past the live set */
	if (dev_setup(&dev, "bench-nc", 0))
		return;
	loop_map_unmap(&c, 5000);
	rss0 = bench_rss_bytes();
	if (map_range(&dev, big, addrs, 0, FEW_LIVE))
		return;
	few0 = bench_median_op(cfg, loop_map_unmap, &c);
	t0 = bench_now_ns();
	if (map_range(&dev, big, addrs, FEW_LIVE, many))
		return;
	t1 = bench_now_ns();
	rss1 = bench_rss_bytes();
	bench_emit("fill", (t1 - t0) / (double)(many - FEW_LIVE));
	bench_emit("pair_many", bench_median_op(cfg, loop_map_unmap, &c));
	bench_emit("live_many", (double)many);
	bench_emit("live_few", (double)FEW_LIVE);
	if (rss0 < 0 || rss1 < 0) {
		fail("cannot read /proc/self/statm");
		return;
	}
	bench_emit("rss_delta", (double)(rss1 - rss0));
	bench_emit("bytes_per_mapping", (double)(rss1 - rss0) / (double)many);
	t0 = bench_now_ns();
	for (i = FEW_LIVE; i < many; i++)
		dma_unmap_single(&dev, addrs[i], SMALL, DMA_BIDIRECTIONAL);
	drain = bench_now_ns() - t0;
	bench_emit("pair_few", (few0 + bench_median_op(cfg, loop_map_unmap, &c)) / 2.0);
	t0 = bench_now_ns();
	for (i = 0; i < FEW_LIVE; i++)
		dma_unmap_single(&dev, addrs[i], SMALL, DMA_BIDIRECTIONAL);
	drain += bench_now_ns() - t0;
	bench_emit("drain", drain / (double)many);
	dmasan_device_del(&dev);
	free(big);
	free(addrs);
}

/* One worker of the threads scenario, alone on its cache lines. */
struct worker {
	_Alignas(64) struct device dev;
	pthread_t tid;
	pthread_barrier_t *start;
	const atomic_int *stop;
	const struct bench_cfg *cfg;
	unsigned char *buf;
	unsigned long ops;
	double t0, t1; /* this worker's start and end */
	const char *fail_what;
};

static void worker_loop(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
		dma_addr_t a = dma_map_single(&w->dev, w->buf, FRAME_MAP, DMA_FROM_DEVICE);

		if (dma_mapping_error(&w->dev, a)) {
			w->fail_what = "dma_map_single failed in a worker";
			return;
		}
		dma_sync_single_for_cpu(&w->dev, a, FRAME, DMA_FROM_DEVICE);
		dma_unmap_single(&w->dev, a, FRAME_MAP, DMA_FROM_DEVICE);
		w->ops++;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(w->start);
	w->t0 = bench_now_ns();
	bench_at_depth(w->cfg->depth, worker_loop, w);
	w->t1 = bench_now_ns();
	return NULL;
}

/*
 * Throughput, in operations per microsecond, of @k workers running
 * together for about @ns: all operations done, over the time from the
 * first start to the last end. A fixed duration rather than a fixed count
 * per worker, so that an unfair lock does not leave one worker running
 * alone at the end and count as poor scaling.
 */
static double run_workers(struct worker *w, int k, double ns)
{
	pthread_barrier_t start;
	atomic_int stop = 0;
	struct timespec ts = { .tv_sec = (time_t)(ns / 1e9), .tv_nsec = (long)fmod(ns, 1e9) };
	double t0 = 0, t1 = 0;
	unsigned long ops = 0;
	int i, started = 0;

	if (pthread_barrier_init(&start, NULL, (unsigned int)k + 1) != 0) {
		fail("pthread_barrier_init failed");
		return 0;
	}
	for (i = 0; i < k; i++) {
		w[i].start = &start;
		w[i].stop = &stop;
		w[i].ops = 0;
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0)
			break;
		started++;
	}
	if (started < k) {
		/* Nobody can pass the barrier now; exit from here. */
		fprintf(stderr, "dmasan-bench: pthread_create failed\n");
		exit(1);
	}
	pthread_barrier_wait(&start);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	atomic_store_explicit(&stop, 1, memory_order_relaxed);
	for (i = 0; i < k; i++)
		pthread_join(w[i].tid, NULL);
	pthread_barrier_destroy(&start);
	for (i = 0; i < k; i++) {
		if (w[i].fail_what)
			fail(w[i].fail_what);
		if (i == 0 || w[i].t0 < t0)
			t0 = w[i].t0;
		if (i == 0 || w[i].t1 > t1)
			t1 = w[i].t1;
		ops += w[i].ops;
	}
	return t1 > t0 ? (double)ops / (t1 - t0) * 1e3 : 0;
}

/* 7: map+sync+unmap throughput of 1 and of 2 threads, each on its own device. */
static void sc_threads(const struct bench_cfg *cfg)
{
	static struct worker w[MAX_THREADS];
	double m1[64], m2[64], q[64];
	int i, reps = cfg->reps < 64 ? cfg->reps : 64;

	for (i = 0; i < MAX_THREADS; i++) {
		w[i].cfg = cfg;
		/* A page each: buffers of one page share the shim's index bucket. */
		w[i].buf = buf_alloc(4096, 4096);
		if (!w[i].buf) {
			fail("out of memory");
			return;
		}
		if (dev_setup(&w[i].dev, i ? "bench-t1" : "bench-t0", 0))
			return;
	}
	run_workers(w, MAX_THREADS, cfg->min_rep_ns); /* warm-up */
	for (i = 0; i < reps && !fail_what; i++) {
		m1[i] = run_workers(w, 1, cfg->min_rep_ns);
		m2[i] = run_workers(w, 2, cfg->min_rep_ns);
		q[i] = m1[i] > 0 ? m2[i] / m1[i] : 0;
	}
	if (fail_what)
		return;
	bench_emit("mops_1", bench_median(m1, reps));
	bench_emit("mops_2", bench_median(m2, reps));
	bench_emit("scaling", bench_median(q, reps)); /* of the per-repetition ratios */
	for (i = 0; i < MAX_THREADS; i++) {
		dmasan_device_del(&w[i].dev);
		free(w[i].buf);
	}
}

/* Callgrind: warm up, then cfg->n_cg pairs inside dmasan_bench_cg_pairs(). */
static void cg_call(void *arg)
{
	struct op_ctx *c = arg;

	dmasan_bench_cg_pairs(c, c->sum);
}

static void sc_cg(const struct bench_cfg *cfg)
{
	struct op_ctx c;

	if (pair_open(&c))
		return;
	loop_map_unmap(&c, CG_WARMUP);
	c.sum = cfg->n_cg;
	bench_at_depth(cfg->depth, cg_call, &c);
	bench_emit("pairs", (double)cfg->n_cg);
	pair_close(&c);
}

/* The parent reads the shim's help=1 output of this run. */
static void sc_probe(const struct bench_cfg *cfg)
{
	static struct device dev;

	(void)cfg;
	if (dev_setup(&dev, "bench-probe", 1))
		return;
	dmasan_device_del(&dev);
}

static const struct {
	const char *name;
	void (*run)(const struct bench_cfg *cfg);
} scenarios[] = {
	{ "pair", sc_pair },	   { "rx", sc_rx },	{ "sync", sc_sync },
	{ "bounce", sc_bounce },   { "pool", sc_pool }, { "scale", sc_scale },
	{ "threads", sc_threads }, { "cg", sc_cg },	{ "probe", sc_probe },
};

int bench_child(const char *name, const struct bench_cfg *cfg)
{
	size_t i;
	unsigned long findings;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (strcmp(scenarios[i].name, name) == 0)
			break;
	if (i == sizeof(scenarios) / sizeof(scenarios[0])) {
		fprintf(stderr, "dmasan-bench: unknown scenario '%s'\n", name);
		return 1;
	}
	bench_emit("active", (double)dmasan_active());
	scenarios[i].run(cfg);
	if (fail_what) {
		fprintf(stderr, "dmasan-bench: scenario %s: %s\n", name, fail_what);
		return 1;
	}
	findings = dmasan_error_count();
	if (findings) {
		fprintf(stderr, "dmasan-bench: scenario %s: %lu dmasan findings (a bench bug?)\n",
			name, findings);
		return 1;
	}
	return 0;
}
