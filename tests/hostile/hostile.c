/* SPDX-License-Identifier: MIT */
/*
 * hostile.c: bad input at every entry point of the DMA API and of the
 * harness API, written from SPEC.md (sections 3, 4, 8, 14) and the public
 * headers. Under the shim it must run to completion with findings and no
 * crash (SPEC 14: "misuse is a finding, never a crash"):
 *  - NULL devices, devices never added, removed, re-added, freed and reused;
 *    hostile device names (quotes, control bytes, invalid UTF-8, 1000 bytes);
 *  - garbage handles: random values, DMA_MAPPING_ERROR, handles of other
 *    devices, handles already unmapped, addresses inside a mapping;
 *  - NULL pointers, sizes 0, SIZE_MAX, sizes that wrap the address space;
 *  - invalid directions (DMA_NONE, 7, -1, INT_MIN, INT_MAX);
 *  - sg lists with nents 0, negative, INT_MAX, beyond the list, page-less,
 *    empty and oversized entries, chains to nothing and back to themselves;
 *  - double unmap / free / pool free / pool destroy, free after destroy;
 *  - syncs of partial, overlapping and out-of-range regions;
 *  - dma_pool_create geometry, weird masks and segment limits, declared
 *    coherent regions;
 *  - device reads and writes at wild addresses and lengths;
 *  - all of it from several threads at once on their own devices and on a
 *    shared one that another thread keeps removing and adding again.
 *
 * What it asserts itself (exit status 1 and a "FAIL" line otherwise):
 *  - every finding the report callback sees has a catalogue id (SPEC 8), a
 *    message, a report version, a unique seq; the seqs seen are exactly
 *    1..dmasan_error_count() and there is at least one;
 *  - correct "witness" transfers made between hostile calls on the thread's
 *    own device move the right bytes and make no finding on that thread;
 *  - return values are Linux's where the API defines them; a refused device
 *    read leaves zeros; guard bytes around every host buffer stay intact
 *    (the shim writes only what was mapped); a refused device write changes
 *    no memory.
 *
 *   hostile [--threads N] [--rounds N] [--seed S] [--count FILE]
 *   hostile --known-bug NAME   one known shim bug (not fixed yet): status 1
 *       while it is there, 0 once fixed (see run_known())
 *   hostile --check COUNTFILE LOG...   (without the shim) every log line is
 *       one complete JSON object, every finding id is in the catalogue, no
 *       seq twice, the summary is last and its total matches the findings;
 *       at least the COUNTFILE's number of findings were logged.
 * Exit status: 0 completed and every check held; 1 a check failed; 2 usage;
 * 3 the watchdog saw no progress for 30 s (a hang; HOSTILE_ABORT_ON_HANG=1 aborts
 * instead, for a core file).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <dmasan/dmasan.h>
#include "fuzz/json_check.h"

#define MAX_THREADS 16
#define MAX_SEQ (1u << 22)
#define GUARD 256 /* canary bytes on each side of a host buffer */
#define CANARY 0xc5
#define SCRATCH (1u << 20) /* per-thread buffer for device reads */
#define RING 256

/* SPEC section 8, plus map-invalid-memory (the catalogue in core/bugs.def). */
static const char *const known_ids[] = {
	"unmap-not-mapped",
	"unmap-invalid-handle",
	"double-unmap",
	"unmap-size-mismatch",
	"unmap-type-mismatch",
	"unmap-dir-mismatch",
	"unmap-nents-mismatch",
	"unmap-attrs-mismatch",
	"free-cpu-addr-mismatch",
	"map-error-unchecked",
	"sync-not-mapped",
	"sync-out-of-range",
	"sync-dir-mismatch",
	"sync-nents-mismatch",
	"map-stack-memory",
	"map-readonly-memory",
	"map-zero-length",
	"map-invalid-direction",
	"null-device",
	"cacheline-overlap",
	"unaligned-buffer",
	"sg-segment-too-long",
	"sg-boundary-crossing",
	"mask-unreachable",
	"mask-violation",
	"bounce-exhausted",
	"use-after-unmap",
	"use-after-free",
	"device-access-unmapped",
	"iommu-fault",
	"dir-violation",
	"missing-sync-for-device",
	"missing-sync-for-cpu",
	"cpu-write-device-owned",
	"cpu-access-device-owned",
	"cacheline-sharing",
	"coherent-double-free",
	"pool-double-free",
	"pool-free-invalid",
	"pool-corruption",
	"pool-destroy-busy",
	"leak-mapping",
	"leak-coherent",
	"leak-pool-block",
	"leak-pool",
	"map-invalid-memory",
};

static int known_id(const char *id, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(known_ids) / sizeof(known_ids[0]); i++)
		if (strlen(known_ids[i]) == n && !memcmp(known_ids[i], id, n))
			return 1;
	return 0;
}

/* ---- failures, progress ---- */

static atomic_int failures;
static atomic_ulong progress;

__attribute__((format(printf, 2, 3))) static void failf(int line, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	if (atomic_fetch_add(&failures, 1) >= 50)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "hostile: FAIL (line %d): %s\n", line, msg);
}

#define CHECK(cond, ...)                              \
	do {                                          \
		if (!(cond))                          \
			failf(__LINE__, __VA_ARGS__); \
	} while (0)

/* ---- the report callback ---- */

static atomic_ulong cb_count, cb_unknown, cb_malformed, cb_dup;
static atomic_uchar seq_seen[MAX_SEQ];
static atomic_ulong seq_max;
static char first_unknown[64];
static atomic_int first_unknown_set;
static int cb_cookie;
static _Thread_local unsigned long tl_findings;
static _Thread_local int tl_in_cb, tl_witness;
static _Thread_local char tl_what[160]; /* the first finding during a witness */
/*
 * Set while working on the shared device: another thread may remove it
 * between a map and its unmap, which then leaks the mapping (as on Linux);
 * host memory a leaked mapping covers must never be freed and reused.
 */
static _Thread_local int tl_keep_memory;

static void on_report(const struct dmasan_report *r, void *arg)
{
	unsigned long seq, m;

	atomic_fetch_add(&cb_count, 1);
	tl_findings++;
	if (tl_witness && !tl_what[0] && r)
		snprintf(tl_what, sizeof(tl_what), "%s: %s (device %s)", r->id ? r->id : "?",
			 r->message ? r->message : "?", r->device ? r->device : "?");
	if (arg != &cb_cookie || !r || r->version != DMASAN_REPORT_VERSION || !r->id ||
	    !r->message || !r->message[0] ||
	    (r->severity != DMASAN_SEV_ERROR && r->severity != DMASAN_SEV_WARNING)) {
		atomic_fetch_add(&cb_malformed, 1);
		return;
	}
	if (!known_id(r->id, strlen(r->id))) {
		atomic_fetch_add(&cb_unknown, 1);
		if (!atomic_exchange(&first_unknown_set, 1))
			snprintf(first_unknown, sizeof(first_unknown), "%s", r->id);
	}
	seq = r->seq;
	if (seq == 0) {
		atomic_fetch_add(&cb_malformed, 1);
	} else if (seq < MAX_SEQ) {
		if (atomic_exchange(&seq_seen[seq], 1))
			atomic_fetch_add(&cb_dup, 1);
		m = atomic_load(&seq_max);
		while (seq > m && !atomic_compare_exchange_weak(&seq_max, &m, seq))
			;
	}
	/* The callback may use the harness API (dmasan.h): do, now and then. */
	if (!tl_in_cb && !tl_witness && tl_findings % 16 == 0) {
		char b[8];

		tl_in_cb = 1;
		(void)dmasan_error_count();
		(void)dmasan_dev_read(NULL, 0x1000, b, sizeof(b));
		tl_in_cb = 0;
	}
}

/* ---- helpers ---- */

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static int under_asan(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return 1;
#else
	return 0;
#endif
#else
	return 0;
#endif
}

/* A host buffer with canaries around it, cache-line aligned. */
struct gbuf {
	unsigned char *base, *p;
	size_t size;
};

/*
 * Memory that removed devices' leaked mappings may still cover: freed only at
 * the very end, when nothing maps any more (and LeakSanitizer stays quiet).
 */
static void **kept;
static size_t nkept, capkept;
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;

static void keep(void *p)
{
	pthread_mutex_lock(&kept_lock);
	if (nkept == capkept) {
		size_t cap = capkept ? 2 * capkept : 256;
		void **n = realloc(kept, cap * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&kept_lock);
			return; /* leaked, then */
		}
		kept = n;
		capkept = cap;
	}
	kept[nkept++] = p;
	pthread_mutex_unlock(&kept_lock);
}

static void free_kept(void)
{
	size_t i;

	for (i = 0; i < nkept; i++)
		free(kept[i]);
	free(kept);
	kept = NULL;
	nkept = capkept = 0;
}

static int gbuf_new(struct gbuf *g, size_t size)
{
	size_t all = (size + 63) / 64 * 64 + 2 * GUARD;

	g->base = aligned_alloc(64, all);
	if (!g->base)
		return -1;
	memset(g->base, CANARY, all);
	g->p = g->base + GUARD;
	g->size = size;
	memset(g->p, 0, size);
	return 0;
}

static int gbuf_guards_ok(const struct gbuf *g)
{
	size_t i, all = (g->size + 63) / 64 * 64 + 2 * GUARD;

	for (i = 0; i < GUARD; i++)
		if (g->base[i] != CANARY)
			return 0;
	for (i = GUARD + g->size; i < all; i++)
		if (g->base[i] != CANARY)
			return 0;
	return 1;
}

static void gbuf_free(struct gbuf *g, int line)
{
	if (!gbuf_guards_ok(g))
		failf(line, "bytes around a host buffer of %zu bytes were written", g->size);
	if (tl_keep_memory) {
		keep(g->base);
		return;
	}
	free(g->base);
	g->base = g->p = NULL;
}

static void fill(void *p, size_t n, unsigned seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(seed + i * 7 + (i >> 8));
}

static int filled(const void *p, size_t n, unsigned seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)(seed + i * 7 + (i >> 8)))
			return 0;
	return 1;
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static int dev_rc_ok(int rc)
{
	return rc == 0 || rc == -EFAULT || rc == -EACCES || rc == -ERANGE;
}

/* Recently made handles, for use against devices that do not own them. */
struct seen {
	struct device *dev;
	dma_addr_t h;
};
static struct seen ring[RING];
static atomic_uint ring_pos;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;

static void publish(struct device *dev, dma_addr_t h)
{
	unsigned int i = atomic_fetch_add(&ring_pos, 1) % RING;

	pthread_mutex_lock(&ring_lock);
	ring[i].dev = dev;
	ring[i].h = h;
	pthread_mutex_unlock(&ring_lock);
}

/* A handle some other device made (or 0x1000 when there is none yet). */
static dma_addr_t foreign(struct device *dev, uint64_t *rng)
{
	unsigned int i, start = (unsigned int)rnd(rng);
	dma_addr_t h = 0x1000;

	pthread_mutex_lock(&ring_lock);
	for (i = 0; i < RING; i++) {
		struct seen *s = &ring[(start + i) % RING];

		if (s->dev && s->dev != dev) {
			h = s->h;
			break;
		}
	}
	pthread_mutex_unlock(&ring_lock);
	return h;
}

static dma_addr_t garbage(struct device *dev, uint64_t *rng)
{
	switch (rnd(rng) % 8) {
	case 0:
		return 0;
	case 1:
		return DMA_MAPPING_ERROR;
	case 2:
		return DMA_MAPPING_ERROR - 1 - rnd(rng) % 4096;
	case 3:
		return rnd(rng) & 0xffffffffULL;
	case 4:
	case 5:
		return foreign(dev, rng);
	default:
		return rnd(rng);
	}
}

static const int bad_dirs[] = { DMA_NONE, 7, -1, INT_MIN, INT_MAX, 4 };

static enum dma_data_direction bad_dir(uint64_t *rng)
{
	return (enum dma_data_direction)bad_dirs[rnd(rng) % (sizeof(bad_dirs) / sizeof(int))];
}

static const size_t bad_sizes[] = {
	0, SIZE_MAX, SIZE_MAX - 63, (size_t)1 << 40, (size_t)1 << 63, (size_t)INT_MAX + 1, 1
};

/* ---- per-thread context ---- */

struct tdev {
	struct device dev;
	struct device_dma_parameters parms;
	char name[32];
	struct dma_pool *pool;
};

struct ctx {
	int id;
	uint64_t rng;
	struct tdev *own;
	struct device *shared;
	unsigned char *scratch; /* SCRATCH bytes */
	int concurrent;
};

/* ---- the witness: correct use whose bytes and silence are checked ---- */

static void witness(struct ctx *c)
{
	struct device *dev = &c->own->dev;
	unsigned long before = tl_findings;
	unsigned seed = (unsigned)rnd(&c->rng);
	struct gbuf tx, rx, sgb;
	struct scatterlist sg[3];
	dma_addr_t h, ch, ph;
	unsigned char *cb, *pb;
	char tmp[512];
	int i, rc;

	tl_witness = 1;
	tl_what[0] = 0;
	if (gbuf_new(&tx, 512) || gbuf_new(&rx, 1024) || gbuf_new(&sgb, 3 * 256)) {
		failf(__LINE__, "out of memory");
		tl_witness = 0;
		return;
	}
	/* TX: the device reads what the CPU wrote before the map. */
	fill(tx.p, 512, seed);
	h = dma_map_single(dev, tx.p, 512, DMA_TO_DEVICE);
	CHECK(!dma_mapping_error(dev, h), "witness TX map failed on %s", c->own->name);
	if (!dma_mapping_error(dev, h)) {
		publish(dev, h);
		rc = dmasan_dev_read(dev, h, tmp, 512);
		CHECK(rc == 0 && filled(tmp, 512, seed), "witness TX read: rc %d, bytes %s", rc,
		      filled(tmp, 512, seed) ? "ok" : "wrong");
		dma_unmap_single(dev, h, 512, DMA_TO_DEVICE);
	}
	/* RX: what the device writes reaches the CPU at sync_for_cpu. */
	h = dma_map_single(dev, rx.p, 1024, DMA_FROM_DEVICE);
	CHECK(!dma_mapping_error(dev, h), "witness RX map failed");
	if (!dma_mapping_error(dev, h)) {
		publish(dev, h);
		fill(tmp, 512, seed + 1);
		rc = dmasan_dev_write(dev, h + 512, tmp, 512);
		CHECK(rc == 0, "witness RX write: rc %d", rc);
		dma_sync_single_for_cpu(dev, h, 1024, DMA_FROM_DEVICE);
		CHECK(filled(rx.p + 512, 512, seed + 1), "witness RX bytes wrong after sync");
		dma_sync_single_for_device(dev, h, 1024, DMA_FROM_DEVICE);
		rc = dmasan_dev_write(dev, h, tmp, 512);
		CHECK(rc == 0, "witness RX write 2: rc %d", rc);
		dma_unmap_single(dev, h, 1024, DMA_FROM_DEVICE);
		CHECK(filled(rx.p, 512, seed + 1) && filled(rx.p + 512, 512, seed + 1),
		      "witness RX bytes wrong after unmap");
	}
	/* sg, bidirectional. */
	sg_init_table(sg, 3);
	for (i = 0; i < 3; i++) {
		fill(sgb.p + i * 256, 256, seed + 10 + (unsigned)i);
		sg_set_buf(&sg[i], sgb.p + i * 256, 256);
	}
	rc = dma_map_sg(dev, sg, 3, DMA_BIDIRECTIONAL);
	CHECK(rc >= 1, "witness sg map gave %d", rc);
	if (rc >= 1) {
		struct scatterlist *s;
		int n = rc;

		for_each_sg(sg, s, n, i) {
			rc = dmasan_dev_read(dev, sg_dma_address(s), tmp, sg_dma_len(s));
			CHECK(rc == 0, "witness sg read rc %d", rc);
			fill(tmp, sg_dma_len(s), seed + 20 + (unsigned)i);
			rc = dmasan_dev_write(dev, sg_dma_address(s), tmp, sg_dma_len(s));
			CHECK(rc == 0, "witness sg write rc %d", rc);
		}
		dma_sync_sg_for_cpu(dev, sg, 3, DMA_BIDIRECTIONAL);
		if (n == 3)
			for (i = 0; i < 3; i++)
				CHECK(filled(sgb.p + i * 256, 256, seed + 20 + (unsigned)i),
				      "witness sg bytes wrong (entry %d)", i);
		dma_unmap_sg(dev, sg, 3, DMA_BIDIRECTIONAL);
	}
	/* Coherent: both sides see each other's writes at once. */
	cb = dma_alloc_coherent(dev, 4096, &ch, GFP_KERNEL);
	CHECK(cb != NULL, "witness coherent alloc failed");
	if (cb) {
		CHECK(all_zero(cb, 4096), "coherent memory not zeroed");
		fill(tmp, 256, seed + 2);
		rc = dmasan_dev_write(dev, ch + 1024, tmp, 256);
		CHECK(rc == 0 && filled(cb + 1024, 256, seed + 2), "witness coherent write rc %d",
		      rc);
		fill(cb, 256, seed + 3);
		rc = dmasan_dev_read(dev, ch, tmp, 256);
		CHECK(rc == 0 && filled(tmp, 256, seed + 3), "witness coherent read rc %d", rc);
		publish(dev, ch);
		dma_free_coherent(dev, 4096, cb, ch);
	}
	/* dma_pool. */
	pb = c->own->pool ? dma_pool_zalloc(c->own->pool, GFP_KERNEL, &ph) : NULL;
	CHECK(pb != NULL, "witness pool alloc failed");
	if (pb) {
		CHECK(all_zero(pb, 4096), "zalloc block not zeroed");
		fill(tmp, 64, seed + 4);
		rc = dmasan_dev_write(dev, ph, tmp, 64);
		CHECK(rc == 0 && filled(pb, 64, seed + 4), "witness pool write rc %d", rc);
		dma_pool_free(c->own->pool, pb, ph);
	}
	gbuf_free(&tx, __LINE__);
	gbuf_free(&rx, __LINE__);
	gbuf_free(&sgb, __LINE__);
	CHECK(tl_findings == before, "witness on %s made %lu findings (false positives), first %s",
	      c->own->name, tl_findings - before, tl_what);
	/* And tracking is still on: one misuse, exactly one finding. */
	before = tl_findings;
	dma_unmap_single(dev, DMA_MAPPING_ERROR, 64, DMA_TO_DEVICE);
	CHECK(tl_findings == before + 1, "an unmap of DMA_MAPPING_ERROR made %lu findings",
	      tl_findings - before);
	tl_witness = 0;
	atomic_fetch_add(&progress, 1);
}

/* ---- hostile operations; each leaves no live mapping of memory it frees ---- */

/* Every entry point with a NULL device. */
static void h_null_device(struct ctx *c)
{
	struct scatterlist sg[2];
	struct sg_table t;
	dma_addr_t h = 0x2000;
	unsigned char *buf = c->scratch;
	void *p;
	int rc;

	(void)dma_map_single(NULL, buf, 64, DMA_TO_DEVICE);
	(void)dma_map_single_attrs(NULL, buf, 64, DMA_TO_DEVICE, 0);
	(void)dma_map_page(NULL, virt_to_page(buf), 0, 64, DMA_FROM_DEVICE);
	(void)dma_map_page_attrs(NULL, virt_to_page(buf), 0, 64, DMA_FROM_DEVICE, 0);
	(void)dma_map_resource(NULL, 0x40000000, 64, DMA_TO_DEVICE, 0);
	dma_unmap_single(NULL, h, 64, DMA_TO_DEVICE);
	dma_unmap_single_attrs(NULL, h, 64, DMA_TO_DEVICE, 0);
	dma_unmap_page(NULL, h, 64, DMA_TO_DEVICE);
	dma_unmap_page_attrs(NULL, h, 64, DMA_TO_DEVICE, 0);
	dma_unmap_resource(NULL, h, 64, DMA_TO_DEVICE, 0);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, 64);
	sg_set_buf(&sg[1], buf + 128, 64);
	CHECK(dma_map_sg(NULL, sg, 2, DMA_TO_DEVICE) == 0, "map_sg(NULL dev) mapped");
	CHECK(dma_map_sg_attrs(NULL, sg, 2, DMA_TO_DEVICE, 0) == 0, "map_sg_attrs(NULL) mapped");
	dma_unmap_sg(NULL, sg, 2, DMA_TO_DEVICE);
	dma_unmap_sg_attrs(NULL, sg, 2, DMA_TO_DEVICE, 0);
	t.sgl = sg;
	t.nents = t.orig_nents = 2;
	rc = dma_map_sgtable(NULL, &t, DMA_TO_DEVICE, 0);
	CHECK(rc < 0, "map_sgtable(NULL dev) gave %d", rc);
	dma_unmap_sgtable(NULL, &t, DMA_TO_DEVICE, 0);
	dma_sync_single_for_cpu(NULL, h, 64, DMA_FROM_DEVICE);
	dma_sync_single_for_device(NULL, h, 64, DMA_FROM_DEVICE);
	dma_sync_single_range_for_cpu(NULL, h, 8, 8, DMA_FROM_DEVICE);
	dma_sync_single_range_for_device(NULL, h, 8, 8, DMA_FROM_DEVICE);
	dma_sync_sg_for_cpu(NULL, sg, 2, DMA_FROM_DEVICE);
	dma_sync_sg_for_device(NULL, sg, 2, DMA_FROM_DEVICE);
	dma_sync_sgtable_for_cpu(NULL, &t, DMA_FROM_DEVICE);
	dma_sync_sgtable_for_device(NULL, &t, DMA_FROM_DEVICE);
	CHECK(dma_mapping_error(NULL, DMA_MAPPING_ERROR) != 0, "mapping_error(NULL, ERROR) == 0");
	(void)dma_mapping_error(NULL, h);
	p = dma_alloc_coherent(NULL, 4096, &h, GFP_KERNEL);
	if (p)
		dma_free_coherent(NULL, 4096, p, h);
	dma_free_coherent(NULL, 4096, buf, 0x3000);
	p = dma_alloc_attrs(NULL, 64, &h, GFP_KERNEL, 0);
	if (p)
		dma_free_attrs(NULL, 64, p, h, 0);
	p = dma_alloc_noncoherent(NULL, 64, &h, DMA_BIDIRECTIONAL, GFP_KERNEL);
	if (p)
		dma_free_noncoherent(NULL, 64, p, h, DMA_BIDIRECTIONAL);
	p = dma_alloc_pages(NULL, 4096, &h, DMA_BIDIRECTIONAL, GFP_KERNEL);
	if (p)
		dma_free_pages(NULL, 4096, p, h, DMA_BIDIRECTIONAL);
	memset(&t, 0, sizeof(t));
	rc = dma_get_sgtable(NULL, &t, buf, 0x3000, 4096);
	CHECK(rc != 0 || t.sgl, "get_sgtable(NULL dev) gave 0 and no table");
	if (rc == 0)
		sg_free_table(&t);
	rc = dma_declare_coherent_memory(NULL, 0x90000000, 0x90000000, 1 << 20);
	CHECK(rc != 0, "declare_coherent_memory(NULL dev) succeeded");
	dma_release_coherent_memory(NULL);
	CHECK(dma_pool_create("null", NULL, 64, 8, 0) == NULL, "pool_create(NULL dev) gave a pool");
	rc = dma_set_mask(NULL, DMA_BIT_MASK(32));
	CHECK(rc == 0 || rc == -EIO, "set_mask(NULL) gave %d", rc);
	rc = dma_set_coherent_mask(NULL, DMA_BIT_MASK(32));
	CHECK(rc == 0 || rc == -EIO, "set_coherent_mask(NULL) gave %d", rc);
	rc = dma_set_mask_and_coherent(NULL, DMA_BIT_MASK(64));
	CHECK(rc == 0 || rc == -EIO, "set_mask_and_coherent(NULL) gave %d", rc);
	(void)dma_get_mask(NULL);
	(void)dma_supported(NULL, DMA_BIT_MASK(32));
	(void)dma_set_max_seg_size(NULL, 4096);
	(void)dma_get_max_seg_size(NULL);
	(void)dma_set_seg_boundary(NULL, 0xfff);
	(void)dma_get_seg_boundary(NULL);
	dma_set_min_align_mask(NULL, 0xfff);
	(void)dma_max_mapping_size(NULL);
	(void)dma_opt_mapping_size(NULL);
	(void)dma_need_sync(NULL, h);
	rc = dmasan_dev_read(NULL, h, buf, 64);
	CHECK(rc != 0 && dev_rc_ok(rc), "dev_read(NULL dev) gave %d", rc);
	rc = dmasan_dev_write(NULL, h, buf, 64);
	CHECK(rc != 0 && dev_rc_ok(rc), "dev_write(NULL dev) gave %d", rc);
	CHECK(dmasan_device_add(NULL, "x", NULL) == -EINVAL, "device_add(NULL) != -EINVAL");
	dmasan_device_del(NULL);
}

/* Unmaps, syncs, frees and device accesses with handles nobody owns here. */
static void h_garbage_handles(struct ctx *c, struct device *dev)
{
	unsigned char tmp[256];
	int i, rc;

	for (i = 0; i < 6; i++) {
		dma_addr_t g = garbage(dev, &c->rng);
		size_t sz = 1 + rnd(&c->rng) % 4096;

		switch (rnd(&c->rng) % 12) {
		case 0:
			dma_unmap_single(dev, g, sz, DMA_TO_DEVICE);
			break;
		case 1:
			dma_unmap_page(dev, g, sz, DMA_FROM_DEVICE);
			break;
		case 2:
			dma_unmap_resource(dev, g, sz, DMA_BIDIRECTIONAL, 0);
			break;
		case 3:
			dma_sync_single_for_cpu(dev, g, sz, DMA_FROM_DEVICE);
			break;
		case 4:
			dma_sync_single_range_for_device(dev, g, rnd(&c->rng), sz,
							 DMA_BIDIRECTIONAL);
			break;
		case 5:
			/* A CPU address nobody allocated: must not be dereferenced. */
			dma_free_coherent(dev, sz, (void *)(uintptr_t)(rnd(&c->rng) | 1), g);
			break;
		case 6:
			dma_free_noncoherent(dev, sz, c->scratch, g, DMA_TO_DEVICE);
			break;
		case 7:
			dma_free_pages(dev, 4096, virt_to_page(c->scratch), g, DMA_BIDIRECTIONAL);
			break;
		case 8:
			rc = dmasan_dev_read(dev, g, tmp, sizeof(tmp));
			CHECK(dev_rc_ok(rc), "dev_read gave %d", rc);
			break;
		case 9:
			fill(tmp, sizeof(tmp), 9);
			rc = dmasan_dev_write(dev, g, tmp, sizeof(tmp));
			CHECK(dev_rc_ok(rc), "dev_write gave %d", rc);
			break;
		case 10:
			(void)dma_need_sync(dev, g);
			rc = dma_mapping_error(dev, g);
			CHECK((g == DMA_MAPPING_ERROR) == (rc != 0),
			      "dma_mapping_error(0x%llx) gave %d", (unsigned long long)g, rc);
			break;
		default: {
			struct scatterlist sg[2];

			sg_init_table(sg, 2);
			sg_set_buf(&sg[0], c->scratch, 64);
			sg_set_buf(&sg[1], c->scratch + 4096, 64);
			sg[0].dma_address = g;
			sg[0].dma_length = (unsigned int)sz;
			sg[1].dma_address = garbage(dev, &c->rng);
			sg[1].dma_length = 64;
			if (rnd(&c->rng) & 1)
				dma_unmap_sg(dev, sg, 2, DMA_FROM_DEVICE);
			else
				dma_sync_sg_for_device(dev, sg, 2, DMA_FROM_DEVICE);
			break;
		}
		}
	}
}

/* Maps of sizes, pointers and directions that are no mapping at all. */
static void h_bad_maps(struct ctx *c, struct device *dev)
{
	static const char rodata[4096] __attribute__((aligned(64))) = "read-only";
	struct gbuf g;
	unsigned char stack_buf[256] __attribute__((aligned(64)));
	void *none;
	dma_addr_t h;
	size_t i;

	if (gbuf_new(&g, 4096))
		return;
	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		size_t sz = bad_sizes[i];

		h = dma_map_single(dev, g.p, sz, DMA_TO_DEVICE);
		if (!dma_mapping_error(dev, h)) {
			CHECK(sz <= 4096, "a map of %zu bytes of a 4096-byte buffer succeeded", sz);
			dma_unmap_single(dev, h, sz, DMA_TO_DEVICE);
		}
		h = dma_map_page(dev, virt_to_page(g.p), offset_in_page(g.p), sz, DMA_FROM_DEVICE);
		if (!dma_mapping_error(dev, h)) {
			CHECK(sz <= 4096, "a page map of %zu bytes succeeded", sz);
			dma_unmap_page(dev, h, sz, DMA_FROM_DEVICE);
		}
	}
	/* NULL, wild and wrapping pointers; a NULL page; offsets that wrap. */
	h = dma_map_single(dev, NULL, 64, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, h))
		dma_unmap_single(dev, h, 64, DMA_TO_DEVICE);
	h = dma_map_single(dev, (void *)(UINTPTR_MAX - 15), 64, DMA_FROM_DEVICE);
	CHECK(dma_mapping_error(dev, h), "a map wrapping the address space succeeded");
	if (!dma_mapping_error(dev, h))
		dma_unmap_single(dev, h, 64, DMA_FROM_DEVICE);
	h = dma_map_page(dev, NULL, 0, 64, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, h))
		dma_unmap_page(dev, h, 64, DMA_TO_DEVICE);
	/* (An invented page: from g's page, the wrapped offset lands in memory that exists.) */
	h = dma_map_page(dev, (struct page *)0x1000, SIZE_MAX - 100, 64, DMA_TO_DEVICE);
	CHECK(dma_mapping_error(dev, h), "a page map whose offset wraps succeeded");
	if (!dma_mapping_error(dev, h))
		dma_unmap_page(dev, h, 64, DMA_TO_DEVICE);
	h = dma_map_page(dev, virt_to_page(g.p), (size_t)1 << 46, 4096, DMA_BIDIRECTIONAL);
	if (!dma_mapping_error(dev, h))
		dma_unmap_page(dev, h, 4096, DMA_BIDIRECTIONAL);
	/*
	 * Memory that is not there: a PROT_NONE page. (Memory that was there
	 * once is known_stale_unmapped()'s case. Under ASan, whose allocator maps
	 * and unmaps with its own system calls, not through the interposed
	 * munmap(), even this fresh mmap() may land where the shim saw readable
	 * memory before.)
	 */
	none = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (none != MAP_FAILED && !under_asan()) {
		h = dma_map_single(dev, none, 8192, DMA_TO_DEVICE);
		CHECK(dma_mapping_error(dev, h), "a map of a PROT_NONE page succeeded");
		if (!dma_mapping_error(dev, h))
			dma_unmap_single(dev, h, 8192, DMA_TO_DEVICE);
	}
	if (none != MAP_FAILED)
		munmap(none, 8192);
	/* Read-only memory mapped for the device to write, then written. */
	h = dma_map_single(dev, (void *)rodata, 256, DMA_FROM_DEVICE);
	if (!dma_mapping_error(dev, h)) {
		unsigned char junk[256];

		memset(junk, 0x5a, sizeof(junk));
		(void)dmasan_dev_write(dev, h, junk, sizeof(junk));
		dma_sync_single_for_cpu(dev, h, 256, DMA_FROM_DEVICE);
		dma_unmap_single(dev, h, 256, DMA_FROM_DEVICE);
	}
	h = dma_map_single(dev, (void *)rodata, 256, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, h)) {
		dma_sync_single_for_cpu(dev, h, 256, DMA_TO_DEVICE);
		dma_sync_single_for_device(dev, h, 256, DMA_TO_DEVICE);
		dma_unmap_single(dev, h, 256, DMA_TO_DEVICE);
	}
	/* The stack. */
	memset(stack_buf, 1, sizeof(stack_buf));
	h = dma_map_single(dev, stack_buf, sizeof(stack_buf), DMA_BIDIRECTIONAL);
	if (!dma_mapping_error(dev, h))
		dma_unmap_single(dev, h, sizeof(stack_buf), DMA_BIDIRECTIONAL);
	/* Resources: MMIO addresses, any size. */
	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		static const phys_addr_t phys[] = { 0, 0xfee00000, ~0ULL - 1, 1ULL << 52 };
		phys_addr_t ph = phys[rnd(&c->rng) % 4];

		h = dma_map_resource(dev, ph, bad_sizes[i], DMA_BIDIRECTIONAL, 0);
		if (!dma_mapping_error(dev, h)) {
			publish(dev, h);
			dma_unmap_resource(dev, h, bad_sizes[i], DMA_BIDIRECTIONAL, 0);
		}
	}
	CHECK(gbuf_guards_ok(&g), "bad maps wrote around their buffer");
	gbuf_free(&g, __LINE__);
}

/* Invalid directions everywhere a direction goes. */
static void h_bad_dirs(struct ctx *c, struct device *dev)
{
	struct scatterlist sg[2];
	struct gbuf g;
	dma_addr_t h, h2;
	void *p;
	int i;

	if (gbuf_new(&g, 4096))
		return;
	for (i = 0; i < 3; i++) {
		enum dma_data_direction d = bad_dir(&c->rng);

		h = dma_map_single(dev, g.p, 256, d);
		if (!dma_mapping_error(dev, h))
			dma_unmap_single(dev, h, 256, d);
		h = dma_map_page_attrs(dev, virt_to_page(g.p), 1024, 256, d, ~0UL);
		if (!dma_mapping_error(dev, h))
			dma_unmap_page_attrs(dev, h, 256, d, ~0UL);
		sg_init_table(sg, 2);
		sg_set_buf(&sg[0], g.p + 2048, 256);
		sg_set_buf(&sg[1], g.p + 3072, 256);
		if (dma_map_sg(dev, sg, 2, d))
			dma_unmap_sg(dev, sg, 2, d);
		h = dma_map_resource(dev, 0xfee00000, 64, d, 0);
		if (!dma_mapping_error(dev, h))
			dma_unmap_resource(dev, h, 64, d, 0);
		p = dma_alloc_noncoherent(dev, 256, &h2, d, GFP_KERNEL);
		if (p)
			dma_free_noncoherent(dev, 256, p, h2, d);
		p = dma_alloc_pages(dev, 4096, &h2, d, GFP_KERNEL);
		if (p)
			dma_free_pages(dev, 4096, p, h2, d);
	}
	/* A good mapping met with bad directions, then ended right. */
	h = dma_map_single(dev, g.p, 512, DMA_FROM_DEVICE);
	if (!dma_mapping_error(dev, h)) {
		dma_sync_single_for_cpu(dev, h, 512, bad_dir(&c->rng));
		dma_sync_single_for_device(dev, h, 512, bad_dir(&c->rng));
		dma_sync_single_range_for_cpu(dev, h, 64, 64, bad_dir(&c->rng));
		dma_unmap_single(dev, h, 512, bad_dir(&c->rng));
		dma_unmap_single(dev, h, 512, DMA_FROM_DEVICE);
	}
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], g.p + 2048, 256);
	sg_set_buf(&sg[1], g.p + 3072, 256);
	if (dma_map_sg(dev, sg, 2, DMA_TO_DEVICE)) {
		dma_sync_sg_for_cpu(dev, sg, 2, bad_dir(&c->rng));
		dma_sync_sg_for_device(dev, sg, 2, bad_dir(&c->rng));
		dma_unmap_sg(dev, sg, 2, bad_dir(&c->rng));
		dma_unmap_sg(dev, sg, 2, DMA_TO_DEVICE);
	}
	gbuf_free(&g, __LINE__);
}

/* Lists longer than 64 entries (mapped, then failing at entry 150), entries overlapping. */
static void h_sg_long(struct ctx *c, struct device *dev)
{
	struct sg_table t;
	struct gbuf g;
	int i, n;

	if (gbuf_new(&g, 200 * 64))
		return;
	if (sg_alloc_table(&t, 200, GFP_KERNEL)) {
		gbuf_free(&g, __LINE__);
		return;
	}
	for (i = 0; i < 200; i++)
		sg_set_buf(&t.sgl[i], g.p + 64 * i, 64);
	n = dma_map_sg(dev, t.sgl, 200, DMA_FROM_DEVICE);
	if (n) {
		(void)dmasan_dev_write(dev, sg_dma_address(&t.sgl[199]), c->scratch, 64);
		dma_sync_sg_for_cpu(dev, t.sgl, 200, DMA_FROM_DEVICE);
		dma_unmap_sg(dev, t.sgl, 199, DMA_FROM_DEVICE);
		dma_unmap_sg(dev, t.sgl, 200, DMA_FROM_DEVICE);
	}
	t.sgl[150].page_link &= SG_PAGE_LINK_MASK;
	n = dma_map_sg(dev, t.sgl, 200, DMA_TO_DEVICE);
	CHECK(n == 0, "a list with a page-less entry 150 mapped %d entries", n);
	if (n)
		dma_unmap_sg(dev, t.sgl, 200, DMA_TO_DEVICE);
	/* Every entry the same bytes, for the device to write. */
	for (i = 0; i < 8; i++)
		sg_set_buf(&t.sgl[i], g.p, 64);
	sg_mark_end(&t.sgl[7]);
	n = dma_map_sg(dev, t.sgl, 8, DMA_FROM_DEVICE);
	if (n)
		dma_unmap_sg(dev, t.sgl, 8, DMA_FROM_DEVICE);
	sg_free_table(&t);
	gbuf_free(&g, __LINE__);
}

/* Scatterlists with bad nents and bad entries. */
static void h_sg(struct ctx *c, struct device *dev)
{
	struct scatterlist sg[6], chain[3];
	struct sg_table t;
	struct gbuf g;
	int n, i;
	static const int bad_nents[] = { 0, -1, INT_MIN, -4096 };

	(void)c;
	if (gbuf_new(&g, 6 * 512))
		return;
	sg_init_table(sg, 4);
	for (i = 0; i < 4; i++)
		sg_set_buf(&sg[i], g.p + i * 512, 512);
	for (i = 0; i < 4; i++)
		CHECK(dma_map_sg(dev, sg, bad_nents[i], DMA_TO_DEVICE) == 0,
		      "map_sg with nents %d mapped", bad_nents[i]);
	CHECK(dma_map_sg(dev, NULL, 3, DMA_TO_DEVICE) == 0, "map_sg(NULL list) mapped");
	/* More entries asked for than the list has (it ends after 4). */
	n = dma_map_sg(dev, sg, 5, DMA_TO_DEVICE);
	if (n)
		dma_unmap_sg(dev, sg, 5, DMA_TO_DEVICE);
	n = dma_map_sg(dev, sg, 1000, DMA_FROM_DEVICE);
	if (n)
		dma_unmap_sg(dev, sg, 1000, DMA_FROM_DEVICE);
	/* A page-less entry in the middle; an empty one; an oversized one. */
	sg_init_table(sg, 4);
	for (i = 0; i < 4; i++)
		sg_set_buf(&sg[i], g.p + i * 512, 512);
	sg[1].page_link &= SG_PAGE_LINK_MASK;
	n = dma_map_sg(dev, sg, 4, DMA_TO_DEVICE);
	if (n)
		dma_unmap_sg(dev, sg, 4, DMA_TO_DEVICE);
	sg_set_buf(&sg[1], g.p + 512, 0);
	n = dma_map_sg(dev, sg, 4, DMA_TO_DEVICE);
	if (n)
		dma_unmap_sg(dev, sg, 4, DMA_TO_DEVICE);
	sg_set_buf(&sg[1], g.p + 512, UINT_MAX);
	n = dma_map_sg(dev, sg, 4, DMA_TO_DEVICE);
	CHECK(n == 0, "an sg entry of 4 GiB over a 3 KiB buffer mapped");
	if (n)
		dma_unmap_sg(dev, sg, 4, DMA_TO_DEVICE);
	sg_set_buf(&sg[1], g.p + 512, 512);
	sg[2].offset = UINT_MAX - 100;
	n = dma_map_sg(dev, sg, 4, DMA_TO_DEVICE);
	if (n)
		dma_unmap_sg(dev, sg, 4, DMA_TO_DEVICE);
	/* A chain to nothing. */
	sg_init_table(chain, 3);
	sg_set_buf(&chain[0], g.p, 256);
	sg_set_buf(&chain[1], g.p + 1024, 256);
	chain[2].page_link = SG_CHAIN;
	n = dma_map_sg(dev, chain, 3, DMA_TO_DEVICE);
	if (n)
		dma_unmap_sg(dev, chain, 3, DMA_TO_DEVICE);
	/* A good list, unmapped and synced with the wrong counts, twice. */
	sg_init_table(sg, 4);
	for (i = 0; i < 4; i++)
		sg_set_buf(&sg[i], g.p + i * 512, 512);
	n = dma_map_sg(dev, sg, 4, DMA_BIDIRECTIONAL);
	if (n) {
		publish(dev, sg_dma_address(&sg[0]));
		dma_sync_sg_for_cpu(dev, sg, 0, DMA_BIDIRECTIONAL);
		dma_sync_sg_for_cpu(dev, sg, -1, DMA_BIDIRECTIONAL);
		dma_sync_sg_for_device(dev, sg, 9, DMA_BIDIRECTIONAL);
		dma_sync_sg_for_device(dev, sg, 2, DMA_BIDIRECTIONAL);
		dma_sync_sg_for_cpu(dev, sg, INT_MAX, DMA_BIDIRECTIONAL);
		dma_unmap_sg(dev, sg, 3, DMA_BIDIRECTIONAL);
		dma_unmap_sg(dev, sg, 4, DMA_BIDIRECTIONAL);
		dma_unmap_sg(dev, sg, 4, DMA_BIDIRECTIONAL);
		dma_unmap_sg(dev, sg, -7, DMA_BIDIRECTIONAL);
		dma_unmap_sg(dev, NULL, 4, DMA_BIDIRECTIONAL);
		dma_sync_sg_for_cpu(dev, sg, 4, DMA_BIDIRECTIONAL);
	}
	/* A list that was never mapped. */
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], g.p, 64);
	sg_set_buf(&sg[1], g.p + 512, 64);
	dma_unmap_sg(dev, sg, 2, DMA_TO_DEVICE);
	dma_sync_sg_for_cpu(dev, sg, 2, DMA_TO_DEVICE);
	/* sg tables: NULL, no list, no entries, a count that is negative as int. */
	CHECK(dma_map_sgtable(dev, NULL, DMA_TO_DEVICE, 0) < 0, "map_sgtable(NULL) succeeded");
	dma_unmap_sgtable(dev, NULL, DMA_TO_DEVICE, 0);
	dma_sync_sgtable_for_cpu(dev, NULL, DMA_TO_DEVICE);
	dma_sync_sgtable_for_device(dev, NULL, DMA_TO_DEVICE);
	memset(&t, 0, sizeof(t));
	t.orig_nents = 3;
	CHECK(dma_map_sgtable(dev, &t, DMA_TO_DEVICE, 0) < 0, "map_sgtable(no list) succeeded");
	dma_unmap_sgtable(dev, &t, DMA_TO_DEVICE, 0);
	t.sgl = sg;
	t.orig_nents = 0;
	CHECK(dma_map_sgtable(dev, &t, DMA_TO_DEVICE, 0) < 0, "map_sgtable(0 entries) succeeded");
	t.orig_nents = UINT_MAX;
	CHECK(dma_map_sgtable(dev, &t, DMA_TO_DEVICE, 0) < 0,
	      "map_sgtable(UINT_MAX entries) succeeded");
	dma_sync_sgtable_for_cpu(dev, &t, DMA_TO_DEVICE);
	if (sg_alloc_table(&t, 3, GFP_KERNEL) == 0) {
		for (i = 0; i < 3; i++)
			sg_set_buf(&t.sgl[i], g.p + 1024 * (size_t)i, 300);
		if (dma_map_sgtable(dev, &t, DMA_TO_DEVICE, 0) == 0) {
			dma_sync_sgtable_for_device(dev, &t, DMA_FROM_DEVICE);
			dma_unmap_sgtable(dev, &t, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
			dma_unmap_sgtable(dev, &t, DMA_TO_DEVICE, 0);
			dma_sync_sgtable_for_cpu(dev, &t, DMA_TO_DEVICE);
		}
		sg_free_table(&t);
		sg_free_table(&t);
	}
	CHECK(gbuf_guards_ok(&g), "sg maps wrote around their buffer");
	gbuf_free(&g, __LINE__);
	h_sg_long(c, dev);
}

/*
 * Syncs of partial, overlapping and out-of-range regions of a FROM_DEVICE
 * mapping; what the device wrote must reach the CPU intact, and nothing
 * beyond the mapping may change.
 */
static void h_syncs(struct ctx *c, struct device *dev, int strict)
{
	struct gbuf g;
	dma_addr_t h;
	unsigned seed = (unsigned)rnd(&c->rng);
	unsigned char *w = c->scratch;
	int rc;

	if (gbuf_new(&g, 4096))
		return;
	memset(g.p, 0x11, 4096);
	h = dma_map_single(dev, g.p, 4096, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, h)) {
		CHECK(!strict, "sync test map failed");
		gbuf_free(&g, __LINE__);
		return;
	}
	fill(w, 4096, seed);
	rc = dmasan_dev_write(dev, h, w, 4096);
	CHECK(!strict || rc == 0, "sync test device write: rc %d", rc);
	dma_sync_single_for_cpu(dev, h + 100, 100, DMA_FROM_DEVICE);
	dma_sync_single_for_cpu(dev, h + 150, 200, DMA_FROM_DEVICE);
	dma_sync_single_for_cpu(dev, h, 0, DMA_FROM_DEVICE);
	dma_sync_single_for_cpu(dev, h + 4000, 200, DMA_FROM_DEVICE);
	dma_sync_single_for_cpu(dev, h + 4095, SIZE_MAX, DMA_FROM_DEVICE);
	dma_sync_single_for_cpu(dev, h - 1, 2, DMA_FROM_DEVICE);
	dma_sync_single_for_cpu(dev, h + 4096, 1, DMA_FROM_DEVICE);
	dma_sync_single_range_for_cpu(dev, h, ULONG_MAX - 10, 64, DMA_FROM_DEVICE);
	dma_sync_single_range_for_cpu(dev, h, 4000, 4000, DMA_FROM_DEVICE);
	dma_sync_single_range_for_cpu(dev, h, 64, SIZE_MAX, DMA_FROM_DEVICE);
	dma_sync_single_for_device(dev, h + 4096, 64, DMA_FROM_DEVICE);
	dma_sync_single_for_device(dev, h + 4000, 4096, DMA_FROM_DEVICE);
	dma_sync_single_for_cpu(dev, h, 4096, DMA_FROM_DEVICE);
	CHECK(!strict || filled(g.p, 4096, seed),
	      "device data did not survive partial and out-of-range syncs");
	dma_unmap_single(dev, h, 4096, DMA_FROM_DEVICE);
	CHECK(!strict || filled(g.p, 4096, seed), "device data wrong after unmap");
	CHECK(gbuf_guards_ok(&g), "syncs wrote around their mapping");
	/* The same region synced after the unmap, and with sizes that wrap. */
	dma_sync_single_for_cpu(dev, h, 4096, DMA_FROM_DEVICE);
	dma_sync_single_for_device(dev, h + 64, SIZE_MAX - 32, DMA_FROM_DEVICE);
	/* Wrong directions on a TO_DEVICE mapping (no data expectations). */
	h = dma_map_single(dev, g.p, 2048, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, h)) {
		dma_sync_single_for_device(dev, h, 2048, DMA_FROM_DEVICE);
		dma_sync_single_for_device(dev, h, 2048, DMA_BIDIRECTIONAL);
		dma_sync_single_for_cpu(dev, h + 1000, 2000, DMA_BIDIRECTIONAL);
		dma_sync_single_range_for_device(dev, h, 2040, 64, DMA_TO_DEVICE);
		dma_unmap_single(dev, h, 2048, DMA_TO_DEVICE);
	}
	CHECK(gbuf_guards_ok(&g), "syncs wrote around their mapping");
	gbuf_free(&g, __LINE__);
}

/* Unmaps that are wrong in every way, then double unmaps. */
static void h_bad_unmaps(struct ctx *c, struct device *dev, struct device *other)
{
	struct gbuf g;
	dma_addr_t h;

	if (gbuf_new(&g, 4096))
		return;
	h = dma_map_single(dev, g.p, 1024, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, h)) {
		publish(dev, h);
		dma_unmap_single(other, h, 1024, DMA_TO_DEVICE);  /* not its mapping */
		dma_unmap_single(dev, h + 64, 64, DMA_TO_DEVICE); /* inside it */
		dma_unmap_single(dev, h, 1024, DMA_TO_DEVICE);
		dma_unmap_single(dev, h, 1024, DMA_TO_DEVICE);
		dma_unmap_page(dev, h, 1024, DMA_TO_DEVICE);
		dma_sync_single_for_cpu(dev, h, 1024, DMA_TO_DEVICE);
	}
	switch (rnd(&c->rng) % 4) {
	case 0:
		h = dma_map_single(dev, g.p, 2048, DMA_BIDIRECTIONAL);
		if (!dma_mapping_error(dev, h))
			dma_unmap_single(dev, h, 64, DMA_BIDIRECTIONAL);
		break;
	case 1:
		h = dma_map_single(dev, g.p, 2048, DMA_BIDIRECTIONAL);
		if (!dma_mapping_error(dev, h))
			dma_unmap_single(dev, h, SIZE_MAX, DMA_TO_DEVICE);
		break;
	case 2:
		h = dma_map_page(dev, virt_to_page(g.p), offset_in_page(g.p), 2048,
				 DMA_FROM_DEVICE);
		if (!dma_mapping_error(dev, h))
			dma_unmap_resource(dev, h, 2048, DMA_FROM_DEVICE, 0);
		break;
	default:
		h = dma_map_single_attrs(dev, g.p, 2048, DMA_TO_DEVICE, DMA_ATTR_MMIO);
		if (!dma_mapping_error(dev, h))
			dma_unmap_single_attrs(dev, h, 2048, DMA_TO_DEVICE, ~0UL);
		break;
	}
	/* Whatever the shim did with those, end the mapping for good. */
	if (!dma_mapping_error(dev, h))
		dma_unmap_single(dev, h, 2048, DMA_TO_DEVICE);
	/* Unmap without ever checking the map (map-error-unchecked). */
	h = dma_map_single(dev, g.p, 64, DMA_TO_DEVICE);
	dma_unmap_single(dev, h, 64, DMA_TO_DEVICE);
	gbuf_free(&g, __LINE__);
}

/* Coherent, non-coherent and page allocations, freed wrong. */
static void h_coherent(struct ctx *c, struct device *dev, struct device *other)
{
	struct sg_table t;
	dma_addr_t h, h2;
	void *p, *q;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		if (bad_sizes[i] == (size_t)INT_MAX + 1)
			continue; /* 2 GiB might exist */
		p = dma_alloc_coherent(dev, bad_sizes[i], &h, GFP_KERNEL);
		if (p) {
			CHECK(bad_sizes[i] <= 1, "a coherent buffer of %zu bytes", bad_sizes[i]);
			dma_free_coherent(dev, bad_sizes[i], p, h);
		}
	}
	p = dma_alloc_coherent(dev, 4096, NULL, GFP_KERNEL); /* no handle pointer */
	(void)p;					     /* unreachable: leaked */
	p = dma_alloc_attrs(dev, 4096, &h, ~0u, ~0UL);
	if (p)
		dma_free_attrs(dev, 4096, p, h, ~0UL);
	p = dma_alloc_coherent(dev, 8192, &h, GFP_KERNEL | __GFP_ZERO);
	if (p) {
		publish(dev, h);
		dma_free_coherent(dev, 8192, (char *)p + 64, h);   /* wrong CPU address */
		dma_free_coherent(dev, 8192, p, h + 64);	   /* wrong handle */
		dma_free_coherent(other, 8192, p, h);		   /* wrong device */
		dma_unmap_single(dev, h, 8192, DMA_BIDIRECTIONAL); /* wrong kind */
		dma_free_noncoherent(dev, 8192, p, h, DMA_BIDIRECTIONAL);
		dma_free_coherent(dev, 8192, p, h);
		dma_free_coherent(dev, 8192, p, h); /* double */
		(void)dmasan_dev_read(dev, h, c->scratch, 64);
		dma_sync_single_for_cpu(dev, h, 64, DMA_FROM_DEVICE);
	}
	p = dma_alloc_coherent(dev, 4096, &h, GFP_KERNEL);
	if (p) {
		dma_sync_single_for_device(dev, h, 4096, DMA_TO_DEVICE);
		memset(&t, 0, sizeof(t));
		rc = dma_get_sgtable(dev, &t, p, h, 4096);
		if (rc == 0)
			sg_free_table(&t);
		rc = dma_get_sgtable(dev, &t, p, h, SIZE_MAX);
		if (rc == 0)
			sg_free_table(&t);
		rc = dma_get_sgtable(dev, &t, (char *)p + 4096 * 3, h ^ 0x55550000, 0);
		if (rc == 0)
			sg_free_table(&t);
		rc = dma_get_sgtable(dev, NULL, p, h, 4096);
		(void)rc;
		dma_free_coherent(dev, 1, p, h); /* wrong size */
	}
	p = dma_alloc_noncoherent(dev, 512, &h, DMA_TO_DEVICE, GFP_KERNEL);
	if (p) {
		dma_free_noncoherent(dev, 512, p, h, DMA_FROM_DEVICE);
		dma_free_noncoherent(dev, 512, p, h, DMA_TO_DEVICE);
	}
	q = dma_alloc_pages(dev, 8192, &h2, DMA_BIDIRECTIONAL, GFP_KERNEL);
	if (q) {
		dma_free_pages(dev, 8192, NULL, h2, DMA_BIDIRECTIONAL);
		dma_free_pages(dev, 8192, q, h2, DMA_BIDIRECTIONAL);
		dma_free_pages(dev, 8192, q, h2, DMA_BIDIRECTIONAL);
	}
	q = dma_alloc_pages(dev, SIZE_MAX, &h2, DMA_BIDIRECTIONAL, GFP_KERNEL);
	CHECK(q == NULL, "dma_alloc_pages(SIZE_MAX) gave pages");
	dma_free_coherent(dev, 64, NULL, 0);
	dma_free_pages(dev, 0, NULL, DMA_MAPPING_ERROR, DMA_NONE);
}

/* Declared coherent regions: zero, huge, wrapping, twice, released twice. */
static void h_declare(struct ctx *c, struct device *dev, int strict)
{
	static const struct {
		phys_addr_t phys;
		dma_addr_t bus;
		size_t size;
	} r[] = {
		{ 0x90000000, 0x90000000, 0 },
		{ 0x90000000, 0x90000000, SIZE_MAX },
		{ ~0ULL - 4095, ~0ULL - 4095, 8192 },
		{ 0x90000000, ~0ULL - 4095, 1 << 20 },
		{ 0, 0, 1 << 20 },
	};
	dma_addr_t h;
	void *p;
	size_t i;
	int rc;

	(void)c;
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		rc = dma_declare_coherent_memory(dev, r[i].phys, r[i].bus, r[i].size);
		if (rc == 0) {
			p = dma_alloc_coherent(dev, 4096, &h, GFP_KERNEL);
			if (p)
				dma_free_coherent(dev, 4096, p, h);
			dma_release_coherent_memory(dev);
		}
	}
	rc = dma_declare_coherent_memory(dev, 0xa0000000, 0xa0000000, 64 << 10);
	if (rc == 0) {
		rc = dma_declare_coherent_memory(dev, 0xb0000000, 0xb0000000, 4096);
		CHECK(!strict || rc == -EBUSY, "a second declared region was not -EBUSY");
		p = dma_alloc_coherent(dev, 128 << 10, &h, GFP_KERNEL); /* more than it has */
		if (p)
			dma_free_coherent(dev, 128 << 10, p, h);
		p = dma_alloc_coherent(dev, 4096, &h, GFP_KERNEL);
		dma_release_coherent_memory(dev); /* with a live allocation */
		dma_release_coherent_memory(dev);
		if (p) {
			(void)dmasan_dev_write(dev, h, c->scratch, 64);
			dma_free_coherent(dev, 4096, p, h);
		}
	}
	dma_release_coherent_memory(dev);
}

/* dma_pool: absurd geometry, stale and invented pools, double and foreign frees. */
static void h_pool(struct ctx *c, struct device *dev)
{
	static const struct {
		size_t size, align, boundary;
		int valid;
	} geo[] = {
		{ 0, 8, 0, 0 },
		{ SIZE_MAX, 8, 0, 0 },
		{ 64, 3, 0, 0 },
		{ 64, 0, 0, 1 },
		{ 64, (size_t)1 << 63, 0, 0 },
		{ 64, SIZE_MAX, 0, 0 },
		{ 64, 8, 3, 0 },
		{ 64, 8, 32, 0 },
		{ 64, 8, 1, 0 },
		{ 64, 8, (size_t)1 << 63, 1 },
		{ 100, 64, 128, 1 },
		{ 4096, 4096, 4096, 1 },
		{ 5000, 8, 8192, 1 },
		{ (size_t)INT_MAX + 2, 8, 0, 0 },
	};
	struct dma_pool *a, *b, *p;
	unsigned char fake[256] __attribute__((aligned(64)));
	dma_addr_t ha, hb, h;
	void *va, *vb, *v;
	size_t i;

	for (i = 0; i < sizeof(geo) / sizeof(geo[0]); i++) {
		p = dma_pool_create("geo", dev, geo[i].size, geo[i].align, geo[i].boundary);
		CHECK(!p || geo[i].valid, "dma_pool_create(%zu, %zu, %zu) gave a pool", geo[i].size,
		      geo[i].align, geo[i].boundary);
		if (p) {
			v = dma_pool_alloc(p, GFP_KERNEL, &h);
			if (v) {
				size_t bnd = geo[i].boundary ? geo[i].boundary : SIZE_MAX;

				CHECK(bnd == SIZE_MAX ||
					      (uintptr_t)h / bnd ==
						      ((uintptr_t)h + geo[i].size - 1) / bnd,
				      "a pool block crosses its boundary");
				dma_pool_free(p, v, h);
			}
			dma_pool_destroy(p);
		}
	}
	a = dma_pool_create("hostile \"a\"\n\t\\\x01\xff", dev, 64, 64, 0);
	b = dma_pool_create(NULL, dev, 128, 8, 4096);
	if (!a || !b) {
		CHECK(0, "valid pools were refused");
		dma_pool_destroy(a);
		dma_pool_destroy(b);
		return;
	}
	va = dma_pool_alloc(a, GFP_KERNEL, &ha);
	vb = dma_pool_alloc(b, GFP_KERNEL, &hb);
	v = dma_pool_alloc(a, GFP_KERNEL, NULL); /* no handle pointer */
	if (va && vb) {
		fill(va, 64, 77);
		dma_pool_free(a, vb, hb);		  /* foreign block */
		dma_pool_free(b, va, ha);		  /* the other way */
		dma_pool_free(a, (char *)va + 8, ha + 8); /* inside a block */
		dma_pool_free(a, va, hb);		  /* wrong handle */
		dma_pool_free(a, NULL, 0);
		dma_pool_free(a, c->scratch, 0x1234);
		dma_pool_free(NULL, va, ha);
		memset(fake, 0, sizeof(fake));
		dma_pool_free((struct dma_pool *)fake, va, ha); /* invented pool */
		(void)dma_pool_alloc((struct dma_pool *)fake, GFP_KERNEL, &h);
		(void)dma_pool_alloc(NULL, GFP_KERNEL, &h);
		(void)dma_pool_zalloc(NULL, GFP_KERNEL, NULL);
		/* None of that may have freed a or b's block. */
		CHECK(filled(va, 64, 77), "a live pool block changed under wrong frees");
		dma_pool_free(b, vb, hb);
		dma_pool_free(b, vb, hb);			 /* double */
		(void)dmasan_dev_write(dev, hb, c->scratch, 16); /* after free */
		memset(vb, 0x42, 8);				 /* write after free */
		v = dma_pool_alloc(b, GFP_KERNEL, &h);		 /* may get it back */
		if (v)
			dma_pool_free(b, v, h);
	}
	dma_pool_destroy(a); /* busy: va (and the handle-less block) still live */
	dma_pool_destroy(a);
	if (va)
		dma_pool_free(a, va, ha); /* after destroy */
	(void)dma_pool_alloc(a, GFP_KERNEL, &h);
	dma_pool_destroy(b);
	dma_pool_destroy(NULL);
	(void)v;
}

/* Masks, segment limits and their effect on later maps; restored after. */
static void h_masks(struct ctx *c, struct device *dev, int strict)
{
	static const u64 masks[] = { 0,
				     1,
				     0xfff,
				     DMA_BIT_MASK(12),
				     DMA_BIT_MASK(24),
				     DMA_BIT_MASK(31),
				     DMA_BIT_MASK(64),
				     0x8000000000000000ULL,
				     0xffff0000ffff0000ULL,
				     ~0xfffULL };
	struct device_dma_parameters parms, *oldp = dev->dma_parms;
	u64 *oldm = dev->dma_mask, before, after;
	struct gbuf g;
	dma_addr_t h;
	size_t i;
	int rc, a;

	if (gbuf_new(&g, 8192))
		return;
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		before = dma_get_mask(dev);
		rc = dma_set_mask(dev, masks[i]);
		after = dma_get_mask(dev);
		CHECK(rc == 0 || rc == -EIO, "dma_set_mask(0x%llx) gave %d",
		      (unsigned long long)masks[i], rc);
		CHECK(!strict || rc != 0 || after == masks[i],
		      "dma_set_mask(0x%llx) gave 0 but dma_get_mask() is 0x%llx",
		      (unsigned long long)masks[i], (unsigned long long)after);
		CHECK(!strict || rc == 0 || after == before,
		      "a refused dma_set_mask(0x%llx) changed the mask to 0x%llx",
		      (unsigned long long)masks[i], (unsigned long long)after);
		a = dma_supported(dev, masks[i]);
		CHECK(!strict || (a != 0) == (rc == 0),
		      "dma_supported(0x%llx) = %d but dma_set_mask gave %d",
		      (unsigned long long)masks[i], a, rc);
		rc = dma_set_coherent_mask(dev, masks[rnd(&c->rng) % 10]);
		CHECK(rc == 0 || rc == -EIO, "dma_set_coherent_mask gave %d", rc);
		rc = dma_set_mask_and_coherent(dev, masks[rnd(&c->rng) % 10]);
		CHECK(rc == 0 || rc == -EIO, "dma_set_mask_and_coherent gave %d", rc);
		h = dma_map_single(dev, g.p, 4096, DMA_TO_DEVICE);
		if (!dma_mapping_error(dev, h)) {
			(void)dmasan_dev_read(dev, h, c->scratch, 4096);
			dma_unmap_single(dev, h, 4096, DMA_TO_DEVICE);
		}
		(void)dma_max_mapping_size(dev);
		(void)dma_opt_mapping_size(dev);
		(void)dma_need_sync(dev, h);
	}
	/* Segment limits without and with dma_parms. */
	dev->dma_parms = NULL;
	(void)dma_set_max_seg_size(dev, 4096);
	(void)dma_set_seg_boundary(dev, 0xfff);
	(void)dma_get_max_seg_size(dev);
	(void)dma_get_seg_boundary(dev);
	memset(&parms, 0, sizeof(parms));
	dev->dma_parms = &parms;
	(void)dma_set_max_seg_size(dev, 0);
	(void)dma_set_seg_boundary(dev, 0);
	dma_set_min_align_mask(dev, ~0u);
	h = dma_map_single(dev, g.p + 64, 1000, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, h))
		dma_unmap_single(dev, h, 1000, DMA_TO_DEVICE);
	(void)dma_set_max_seg_size(dev, 1);
	(void)dma_set_seg_boundary(dev, 1);
	dma_set_min_align_mask(dev, 0x3fff);
	{
		struct scatterlist sg[2];

		sg_init_table(sg, 2);
		sg_set_buf(&sg[0], g.p, 4096);
		sg_set_buf(&sg[1], g.p + 4096, 4096);
		if (dma_map_sg(dev, sg, 2, DMA_TO_DEVICE))
			dma_unmap_sg(dev, sg, 2, DMA_TO_DEVICE);
	}
	(void)dma_set_max_seg_size(dev, UINT_MAX);
	(void)dma_set_seg_boundary(dev, ULONG_MAX);
	dma_set_min_align_mask(dev, 0);
	/* No streaming mask pointer at all, and an absurd bus limit. */
	dev->dma_mask = NULL;
	rc = dma_set_mask(dev, DMA_BIT_MASK(32));
	CHECK(rc == 0 || rc == -EIO, "dma_set_mask without dma_mask gave %d", rc);
	(void)dma_get_mask(dev);
	h = dma_map_single(dev, g.p, 64, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, h))
		dma_unmap_single(dev, h, 64, DMA_TO_DEVICE);
	dev->bus_dma_limit = 0xfff;
	h = dma_map_single(dev, g.p, 64, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, h))
		dma_unmap_single(dev, h, 64, DMA_TO_DEVICE);
	(void)dma_set_mask(dev, DMA_BIT_MASK(64));
	dev->bus_dma_limit = 0;
	dev->dma_mask = oldm ? oldm : &dev->coherent_dma_mask;
	dev->dma_parms = oldp;
	rc = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	CHECK(!strict || rc == 0, "restoring the 32-bit mask gave %d", rc);
	a = dma_get_cache_alignment();
	CHECK(a > 0 && !(a & (a - 1)), "dma_get_cache_alignment() = %d", a);
	CHECK(gbuf_guards_ok(&g), "mask games wrote around their buffer");
	gbuf_free(&g, __LINE__);
}

/*
 * Device reads and writes at wild addresses and lengths; a refused read
 * leaves zeros, a refused write changes nothing, nothing outside a mapping
 * is ever touched.
 */
static void h_dev_access(struct ctx *c, struct device *dev, int strict)
{
	static const size_t lens[] = { 0, 1, 63, 4096, 4097, 65536, SCRATCH };
	unsigned char *s = c->scratch;
	struct gbuf g;
	dma_addr_t h, wild[6];
	size_t i, j;
	int rc;

	if (gbuf_new(&g, 4096))
		return;
	memset(g.p, 0x33, 4096);
	h = dma_map_single(dev, g.p, 4096, DMA_FROM_DEVICE);
	wild[0] = 0;
	wild[1] = ~0ULL;
	wild[2] = ~0ULL - 7;
	wild[3] = rnd(&c->rng);
	wild[4] = foreign(dev, &c->rng);
	wild[5] = dma_mapping_error(dev, h) ? 0x1000 : h + 4000;
	/* A foreign or random handle that lands in h would be a legal access. */
	for (i = 3; i < 5; i++)
		if (!dma_mapping_error(dev, h) && wild[i] - h < 4096)
			wild[i] = 0x1000;
	for (i = 0; i < 6; i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			if (i == 5 && lens[j] <= 96)
				continue; /* fits in the mapping: a legal write */
			memset(s, 0x55, lens[j]);
			rc = dmasan_dev_read(dev, wild[i], s, lens[j]);
			CHECK(dev_rc_ok(rc), "dev_read gave %d", rc);
			CHECK(!rc || all_zero(s, lens[j]), "a refused read left stale bytes");
			rc = dmasan_dev_write(dev, wild[i], s, lens[j]);
			CHECK(dev_rc_ok(rc), "dev_write gave %d", rc);
		}
		rc = dmasan_dev_write(dev, wild[i], s, SIZE_MAX);
		CHECK(rc != 0 && dev_rc_ok(rc), "a write of SIZE_MAX bytes gave %d", rc);
		rc = dmasan_dev_write(dev, wild[i], s, (size_t)1 << 40);
		CHECK(rc != 0 && dev_rc_ok(rc), "a write of 1 TiB gave %d", rc);
	}
	rc = dmasan_dev_read(dev, 0x1000, NULL, 64);
	CHECK(dev_rc_ok(rc), "dev_read(NULL buf) gave %d", rc);
	rc = dmasan_dev_write(dev, 0x1000, NULL, 64);
	CHECK(dev_rc_ok(rc), "dev_write(NULL buf) gave %d", rc);
	if (!dma_mapping_error(dev, h)) {
		rc = dmasan_dev_read(dev, h, NULL, 64); /* a live mapping, no buffer */
		CHECK(dev_rc_ok(rc), "dev_read(NULL buf) gave %d", rc);
		rc = dmasan_dev_write(dev, h, NULL, 0);
		CHECK(dev_rc_ok(rc), "dev_write(NULL buf, 0) gave %d", rc);
		memset(s, 0x55, 64);
		rc = dmasan_dev_read(dev, h, s, 64); /* FROM_DEVICE: direction */
		CHECK(dev_rc_ok(rc), "dev_read gave %d", rc);
		dma_sync_single_for_cpu(dev, h, 4096, DMA_FROM_DEVICE);
		for (j = 0; j < 4096; j++)
			if (g.p[j] != 0x33)
				break;
		CHECK(!strict || j == 4096, "refused device writes changed byte %zu", j);
		dma_unmap_single(dev, h, 4096, DMA_FROM_DEVICE);
		rc = dmasan_dev_write(dev, h, s, 64); /* after unmap */
		CHECK(dev_rc_ok(rc) && (!strict || rc != 0), "a write after unmap gave %d", rc);
		memset(s, 0x55, 64);
		rc = dmasan_dev_read(dev, h + 64, s, 64);
		CHECK(dev_rc_ok(rc) && (!strict || (rc != 0 && all_zero(s, 64))),
		      "a read after unmap gave %d", rc);
	}
	CHECK(gbuf_guards_ok(&g), "device accesses wrote around their mapping");
	gbuf_free(&g, __LINE__);
}

/* Device registration: twice, unknown nodes, hostile names and info, reuse. */
static void h_devices(struct ctx *c)
{
	static const struct dmasan_device_info infos[] = {
		{ DMASAN_YES, DMASAN_YES, 1, NULL },
		{ (enum dmasan_tristate)7, (enum dmasan_tristate) - 1, 200, NULL },
		{ DMASAN_NO, DMASAN_YES, 64, NULL },
		{ DMASAN_DEFAULT, DMASAN_DEFAULT, 0, "/no/such/node" },
		{ DMASAN_DEFAULT, DMASAN_DEFAULT, 0, "" },
		{ DMASAN_DEFAULT, DMASAN_DEFAULT, 0, "\xff\xfe\"\\\n" },
	};
	static char longname[1200];
	struct device *d;
	struct device never;
	size_t i;
	int rc;

	if (!longname[0]) {
		memset(longname, 'n', sizeof(longname) - 1);
		longname[5] = '"';
		longname[6] = '\\';
		longname[7] = '\n';
		longname[8] = '\x7f';
		longname[9] = '\x1b';
		longname[10] = (char)0xc3; /* truncated UTF-8 sequence */
	}
	for (i = 0; i < sizeof(infos) / sizeof(infos[0]); i++) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return;
		rc = dmasan_device_add(d, i & 1 ? longname : "hostile\"dev\\\t\x01\xff", &infos[i]);
		CHECK(rc == 0 || (infos[i].of_node && rc == -ENOENT),
		      "device_add gave %d (info %zu)", rc, i);
		if (i == 3)
			CHECK(rc == -ENOENT, "device_add with of_node \"%s\" gave %d",
			      infos[i].of_node, rc);
		rc = dmasan_device_add(d, "again", NULL);
		CHECK(infos[i].of_node || rc == -EEXIST, "a second device_add gave %d", rc);
		h_garbage_handles(c, d);
		if (i == 0)
			h_dev_access(c, d, 0);
		{
			struct gbuf g;
			dma_addr_t h;

			if (gbuf_new(&g, 1024) == 0) {
				h = dma_map_single(d, g.p, 1024, DMA_TO_DEVICE);
				if (!dma_mapping_error(d, h))
					publish(d, h); /* leaked: reported at device_del */
				dmasan_device_del(d);
				dmasan_device_del(d);
				/* Used after removal: registered again on first use. */
				if (!dma_mapping_error(d, h)) {
					dma_unmap_single(d, h, 1024, DMA_TO_DEVICE);
					(void)dmasan_dev_read(d, h, c->scratch, 64);
				}
				h = dma_map_single(d, g.p, 1024, DMA_TO_DEVICE);
				if (!dma_mapping_error(d, h))
					dma_unmap_single(d, h, 1024, DMA_TO_DEVICE);
				dmasan_device_del(d);
				/*
				 * g is still mapped by the removed device's leaked mapping:
				 * never free memory a mapping covers.
				 */
				if (!gbuf_guards_ok(&g))
					failf(__LINE__, "device removal wrote around a buffer");
				keep(g.base);
			}
		}
		/* The struct device freed and its memory reused for another device. */
		free(d);
		d = calloc(1, sizeof(*d));
		if (!d)
			return;
		rc = dmasan_device_add(d, NULL, NULL);
		CHECK(rc == 0, "device_add of a reused struct device gave %d", rc);
		h_garbage_handles(c, d);
		dmasan_device_del(d);
		free(d);
	}
	/* Never added: registered on first use; removed without being added. */
	memset(&never, 0, sizeof(never));
	h_garbage_handles(c, &never);
	(void)dma_set_mask(&never, DMA_BIT_MASK(40));
	dmasan_device_del(&never);
	dmasan_device_del(&never);
	memset(&never, 0, sizeof(never));
	dmasan_device_del(&never);
	(void)dmasan_check_leaks();
}

/*
 * A device removed while it holds one object of every kind (reported as
 * leaks), then used late: frees, unmaps, syncs, device accesses, its pool.
 * Its host memory stays allocated (the removed mappings covered it).
 */
static void h_removed(struct ctx *c)
{
	struct device *d = calloc(1, sizeof(*d));
	struct scatterlist sg[2];
	struct dma_pool *pool;
	dma_addr_t hs, hc, hp, hn;
	void *cp, *pb, *np;
	struct gbuf g;
	int n;

	if (!d || gbuf_new(&g, 4096)) {
		free(d);
		return;
	}
	CHECK(dmasan_device_add(d, "removed", NULL) == 0, "device_add(removed) failed");
	hs = dma_map_single(d, g.p, 1024, DMA_FROM_DEVICE);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], g.p + 2048, 512);
	sg_set_buf(&sg[1], g.p + 3072, 512);
	n = dma_map_sg(d, sg, 2, DMA_BIDIRECTIONAL);
	cp = dma_alloc_coherent(d, 4096, &hc, GFP_KERNEL);
	np = dma_alloc_noncoherent(d, 256, &hn, DMA_TO_DEVICE, GFP_KERNEL);
	pool = dma_pool_create("removed", d, 128, 8, 0);
	pb = pool ? dma_pool_alloc(pool, GFP_KERNEL, &hp) : NULL;
	dmasan_device_del(d);
	/* Late: as after an unbind that forgot everything. */
	if (!dma_mapping_error(d, hs)) {
		(void)dmasan_dev_write(d, hs, c->scratch, 64);
		dma_sync_single_for_cpu(d, hs, 1024, DMA_FROM_DEVICE);
		dma_unmap_single(d, hs, 1024, DMA_FROM_DEVICE);
		dma_unmap_single(d, hs, 1024, DMA_FROM_DEVICE);
	}
	if (n) {
		dma_sync_sg_for_device(d, sg, 2, DMA_BIDIRECTIONAL);
		dma_unmap_sg(d, sg, 2, DMA_BIDIRECTIONAL);
	}
	if (cp) {
		(void)dmasan_dev_read(d, hc, c->scratch, 64);
		dma_free_coherent(d, 4096, cp, hc);
		dma_free_coherent(d, 4096, cp, hc);
	}
	if (np)
		dma_free_noncoherent(d, 256, np, hn, DMA_TO_DEVICE);
	if (pool) {
		dma_addr_t h;
		void *v = dma_pool_alloc(pool, GFP_KERNEL, &h);

		CHECK(v == NULL, "the pool of a removed device handed out a block");
		if (v)
			dma_pool_free(pool, v, h);
		if (pb)
			dma_pool_free(pool, pb, hp);
		dma_pool_destroy(pool);
		dma_pool_destroy(pool);
	}
	CHECK(gbuf_guards_ok(&g), "a removed device's objects wrote around their buffer");
	keep(g.base);
	dmasan_device_del(d);
	free(d); /* the struct device: gone for good */
}

/*
 * Quick maps of the shared device while it is removed (two shim bugs raced
 * there): sg maps that fail at their second entry, and device-writable maps.
 * They use the tail of the scratch buffer, which outlives every mapping.
 */
static void h_removal_race(struct ctx *c, struct device *dev)
{
	unsigned char *tail = c->scratch + SCRATCH + 4096;
	struct scatterlist sg[2];
	dma_addr_t h;
	int i;

	for (i = 0; i < 4; i++) {
		sg_init_table(sg, 2);
		sg_set_buf(&sg[0], tail, 256);
		sg[1].length = 256; /* no page */
		CHECK(dma_map_sg(dev, sg, 2, DMA_TO_DEVICE) == 0, "a page-less entry mapped");
		h = dma_map_single(dev, tail + 1024 + 64 * i, 64, DMA_FROM_DEVICE);
		if (!dma_mapping_error(dev, h))
			dma_unmap_single(dev, h, 64, DMA_FROM_DEVICE);
	}
}

/*
 * Two threads making the same double operation at the same moment: one of
 * them must win quietly and the other get exactly one finding (a device
 * removed twice at once reports its leak once).
 */
struct race {
	int kind;
	struct device *dev;
	dma_addr_t h;
	void *p;
	struct dma_pool *pool;
	pthread_barrier_t *bar;
	unsigned long findings;
};

static void *racer(void *arg)
{
	struct race *r = arg;
	unsigned long before;
	unsigned char b[64];

	tl_witness = 1; /* no nested calls from the callback: count exactly */
	before = tl_findings;
	pthread_barrier_wait(r->bar);
	switch (r->kind) {
	case 0:
		dma_unmap_single(r->dev, r->h, 512, DMA_FROM_DEVICE);
		break;
	case 1:
		dma_free_coherent(r->dev, 4096, r->p, r->h);
		break;
	case 2:
		dma_pool_free(r->pool, r->p, r->h);
		break;
	case 3:
		dmasan_device_del(r->dev);
		break;
	default: /* an unmap racing a sync and a device write: no count */
		dma_sync_single_for_cpu(r->dev, r->h, 512, DMA_FROM_DEVICE);
		memset(b, 1, sizeof(b));
		(void)dmasan_dev_write(r->dev, r->h + 64, b, sizeof(b));
		dma_unmap_single(r->dev, r->h, 512, DMA_FROM_DEVICE);
		break;
	}
	r->findings = tl_findings - before;
	return NULL;
}

static void h_races(struct ctx *c, struct device *dev, int strict)
{
	struct race r[2];
	pthread_barrier_t bar;
	pthread_t th[2];
	struct device *priv = NULL;
	struct gbuf g;
	int kind, i, keep_g = 0;

	if (gbuf_new(&g, 512))
		return;
	for (kind = 0; kind < 5; kind++) {
		struct dma_pool *pool = NULL;
		dma_addr_t h = DMA_MAPPING_ERROR;
		struct device *d = dev;
		void *p = NULL;

		switch (kind) {
		case 0:
		case 4:
			h = dma_map_single(dev, g.p, 512, DMA_FROM_DEVICE);
			if (dma_mapping_error(dev, h))
				continue;
			break;
		case 1:
			p = dma_alloc_coherent(dev, 4096, &h, GFP_KERNEL);
			if (!p)
				continue;
			break;
		case 2:
			pool = dma_pool_create("race", dev, 32, 32, 0);
			p = pool ? dma_pool_alloc(pool, GFP_KERNEL, &h) : NULL;
			if (!p) {
				dma_pool_destroy(pool);
				continue;
			}
			break;
		default:
			priv = calloc(1, sizeof(*priv));
			if (!priv || dmasan_device_add(priv, "race", NULL)) {
				free(priv);
				priv = NULL;
				continue;
			}
			d = priv;
			h = dma_map_single(d, g.p, 512, DMA_TO_DEVICE); /* the one leak */
			if (dma_mapping_error(d, h))
				failf(__LINE__, "race map failed");
			break;
		}
		pthread_barrier_init(&bar, NULL, 2);
		for (i = 0; i < 2; i++) {
			r[i].kind = kind;
			r[i].dev = d;
			r[i].h = h;
			r[i].p = p;
			r[i].pool = pool;
			r[i].bar = &bar;
			r[i].findings = 0;
			pthread_create(&th[i], NULL, racer, &r[i]);
		}
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&bar);
		/* (A concurrent dmasan_check_leaks() may have reported race 3's leak.) */
		CHECK(!strict || kind == 4 || r[0].findings + r[1].findings == 1 ||
			      (kind == 3 && c->concurrent && r[0].findings + r[1].findings == 0),
		      "race %d: the two threads made %lu and %lu findings (expected 1 in all)",
		      kind, r[0].findings, r[1].findings);
		if (pool)
			dma_pool_destroy(pool);
		if (priv) {
			free(priv);
			priv = NULL;
			keep_g = 1; /* g stays covered by the removed device's leaked mapping */
		}
	}
	if (keep_g) {
		CHECK(gbuf_guards_ok(&g), "races wrote around their buffer");
		keep(g.base);
	} else
		gbuf_free(&g, __LINE__);
}

/* A cyclic sg chain with a bounded count: each entry mapped again. */
static void h_sg_cycle(struct ctx *c, struct device *dev)
{
	static unsigned char mem[2 * 512] __attribute__((aligned(64)));
	static struct scatterlist ring3[3];
	int n;

	(void)c;
	sg_init_table(ring3, 3);
	sg_set_buf(&ring3[0], mem, 512);
	sg_set_buf(&ring3[1], mem + 512, 512);
	ring3[2].page_link = (unsigned long)ring3 | SG_CHAIN;
	/* mem is never freed: mappings of it may outlive this call. */
	n = dma_map_sg(dev, ring3, 8, DMA_TO_DEVICE);
	if (n)
		dma_unmap_sg(dev, ring3, 8, DMA_TO_DEVICE);
}

/* ---- single-threaded pass, concurrent pass ---- */

enum {
	OP_GARBAGE,
	OP_BAD_MAPS,
	OP_BAD_DIRS,
	OP_SG,
	OP_SYNCS,
	OP_UNMAPS,
	OP_COHERENT,
	OP_POOL,
	OP_ACCESS,
	OP_NULL,
	OP_MASKS,
	OP_DECLARE,
	OP_REMOVED,
	OP_RACES,
	NOPS
};

/* Hostile operation @k on @d (@o: another device); @strict: @d is this thread's own. */
static void run_op(unsigned int k, struct ctx *c, struct device *d, struct device *o, int strict)
{
	switch (k) {
	case OP_GARBAGE:
		h_garbage_handles(c, d);
		break;
	case OP_BAD_MAPS:
		h_bad_maps(c, d);
		break;
	case OP_BAD_DIRS:
		h_bad_dirs(c, d);
		break;
	case OP_SG:
		h_sg(c, d);
		break;
	case OP_SYNCS:
		h_syncs(c, d, strict);
		break;
	case OP_UNMAPS:
		h_bad_unmaps(c, d, o);
		break;
	case OP_COHERENT:
		h_coherent(c, d, o);
		break;
	case OP_POOL:
		h_pool(c, d);
		break;
	case OP_ACCESS:
		h_dev_access(c, d, strict);
		break;
	case OP_NULL:
		h_null_device(c);
		break;
	case OP_MASKS:
		h_masks(c, d, strict);
		break;
	case OP_DECLARE:
		h_declare(c, d, strict);
		break;
	case OP_REMOVED:
		h_removed(c);
		break;
	default:
		h_races(c, d, strict);
		break;
	}
}

static struct tdev tdevs[MAX_THREADS + 1];
static struct device shared_dev;
static atomic_int stop;
static int opt_threads = 6, opt_rounds = 150;
static uint64_t opt_seed = 0x9e3779b97f4a7c15ULL;

static int tdev_init(struct tdev *t, int i)
{
	struct dmasan_device_info info;
	int rc;

	memset(t, 0, sizeof(*t));
	memset(&info, 0, sizeof(info));
	info.coherent = i % 3 == 1 ? DMASAN_YES : DMASAN_NO;
	info.iommu = i % 3 == 2 ? DMASAN_YES : DMASAN_NO;
	snprintf(t->name, sizeof(t->name), "hostile%d", i);
	rc = dmasan_device_add(&t->dev, t->name, &info);
	if (rc) {
		failf(__LINE__, "device_add(%s) gave %d", t->name, rc);
		return -1;
	}
	t->dev.dma_parms = &t->parms;
	t->parms.max_segment_size = 65536;
	t->parms.segment_boundary_mask = ~0UL;
	/*
	 * One block per page: hostile device writes at stale handles may land in
	 * this pool's pages, and one that ran from block to block would reach a
	 * freed block unreported (a known shim bug, see h_known_bugs()).
	 */
	t->pool = dma_pool_create("witness", &t->dev, 4096, 4096, 0);
	CHECK(t->pool != NULL, "witness pool refused");
	return 0;
}

static void *worker(void *arg)
{
	struct ctx *c = arg;
	int r;

	for (r = 0; r < opt_rounds; r++) {
		unsigned int k = (unsigned int)(rnd(&c->rng) % NOPS);
		int on_shared = (rnd(&c->rng) % 3) == 0;
		struct device *d = on_shared ? c->shared : &c->own->dev;
		struct device *o = on_shared ? &c->own->dev : c->shared;

		/* masks of the shared device are the remover's to play with */
		if (on_shared && k == OP_MASKS)
			k = 0;
		tl_keep_memory = on_shared;
		run_op(k, c, d, o, !on_shared);
		tl_keep_memory = 0;
		h_removal_race(c, c->shared);
		if (r % 3 == 2)
			witness(c);
		atomic_fetch_add(&progress, 1);
	}
	witness(c);
	return NULL;
}

/* Removes and adds the shared device again while the workers use it. */
static void *remover(void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg | 1;
	struct gbuf g;
	int n = 0;

	if (gbuf_new(&g, 1024))
		return NULL;
	while (!atomic_load(&stop)) {
		struct dmasan_device_info info;
		dma_addr_t h;
		int rc;

		memset(&info, 0, sizeof(info));
		info.coherent = (enum dmasan_tristate)(rnd(&rng) % 3);
		info.iommu = (enum dmasan_tristate)(rnd(&rng) % 3);
		info.dma_bits = (unsigned int)(rnd(&rng) % 4 == 0 ? 20 + rnd(&rng) % 45 : 0);
		dmasan_device_del(&shared_dev);
		rc = dmasan_device_add(&shared_dev, "shared", &info);
		CHECK(rc == 0 || rc == -EEXIST, "re-adding the shared device gave %d", rc);
		(void)dma_set_mask(&shared_dev,
				   rnd(&rng) & 1 ? DMA_BIT_MASK(64) : DMA_BIT_MASK(32));
		/* A mapping of its own, left live across the next removal. */
		if (n++ % 4 == 0) {
			h = dma_map_single(&shared_dev, g.p, 1024, DMA_TO_DEVICE);
			if (!dma_mapping_error(&shared_dev, h))
				publish(&shared_dev, h);
		}
		if (n % 16 == 0)
			(void)dmasan_check_leaks();
		if (n % 8 == 0)
			dmasan_set_report_callback(on_report, &cb_cookie);
		usleep(200 + (unsigned int)(rnd(&rng) % 800)); /* (not progress: the workers') */
	}
	keep(g.base); /* removed devices' leaked mappings still cover it */
	return NULL;
}

static atomic_int done;

static void *watchdog(void *arg)
{
	unsigned long last = 0, now;
	int idle = 0;

	(void)arg;
	while (!atomic_load(&done)) {
		usleep(100000);
		now = atomic_load(&progress);
		idle = now == last ? idle + 1 : 0;
		last = now;
		if (idle >= 300) {
			fprintf(stderr, "hostile: no progress for 30 s: a hang\n");
			if (getenv("HOSTILE_ABORT_ON_HANG"))
				abort(); /* for a core file */
			_exit(3);
		}
	}
	return NULL;
}

static int run(const char *count_file)
{
	struct ctx ctxs[MAX_THREADS];
	pthread_t th[MAX_THREADS], rm, wd;
	unsigned long n, count, i;
	int t, bad = 0;

	dmasan_set_report_callback(on_report, &cb_cookie);
	if (!dmasan_active())
		fprintf(stderr, "hostile: not under the shim (the direct library is loaded)\n");
	pthread_create(&wd, NULL, watchdog, NULL);
	for (t = 0; t <= opt_threads; t++)
		if (tdev_init(&tdevs[t], t))
			return 1;
	for (t = 0; t < MAX_THREADS; t++) {
		ctxs[t].id = t;
		ctxs[t].rng = opt_seed ^ ((uint64_t)(t + 1) * 0x2545f4914f6cdd1dULL);
		ctxs[t].own = &tdevs[t];
		ctxs[t].shared = &shared_dev;
		ctxs[t].concurrent = 0;
		ctxs[t].scratch = NULL;
	}
	for (t = 0; t < opt_threads; t++) {
		ctxs[t].scratch = aligned_alloc(4096, SCRATCH + 8192);
		if (!ctxs[t].scratch)
			return 1;
		memset(ctxs[t].scratch, 0, SCRATCH + 8192);
	}
	if (dmasan_device_add(&shared_dev, "shared", NULL))
		failf(__LINE__, "device_add(shared) failed");

	/* 1. Every hostile operation once, alone, each followed by a witness. */
	{
		struct ctx *c = &ctxs[0];
		struct device *me = &c->own->dev;
		unsigned int k;

		witness(c);
		h_devices(c);
		witness(c);
		h_sg_cycle(c, &tdevs[opt_threads].dev);
		for (k = 0; k < NOPS; k++) {
			run_op(k, c, me, &shared_dev, 1);
			witness(c);
		}
		for (k = 0; k < NOPS; k++)
			if (k != OP_MASKS)
				run_op(k, c, &shared_dev, me, 0);
		witness(c);
	}
	if (dmasan_error_count() == 0)
		failf(__LINE__, "no findings after the single-threaded pass");

	/* 2. All at once, with the shared device coming and going. */
	for (t = 0; t < opt_threads; t++)
		ctxs[t].concurrent = 1;
	pthread_create(&rm, NULL, remover, (void *)(uintptr_t)opt_seed);
	for (t = 0; t < opt_threads; t++)
		pthread_create(&th[t], NULL, worker, &ctxs[t]);
	for (t = 0; t < opt_threads; t++)
		pthread_join(th[t], NULL);
	atomic_store(&stop, 1);
	pthread_join(rm, NULL);

	/* 3. After the storm: every device still works. */
	for (t = 0; t < opt_threads; t++)
		witness(&ctxs[t]);
	(void)dmasan_check_leaks();
	for (t = 0; t <= opt_threads; t++) {
		dma_pool_destroy(tdevs[t].pool);
		dmasan_device_del(&tdevs[t].dev);
	}
	atomic_store(&done, 1);
	pthread_join(wd, NULL);
	free_kept();

	count = dmasan_error_count();
	n = atomic_load(&cb_count);
	CHECK(count > 0, "no findings at all");
	CHECK(n == count, "the callback saw %lu findings, dmasan_error_count() says %lu", n, count);
	CHECK(atomic_load(&cb_unknown) == 0,
	      "%lu findings with ids not in the catalogue (first: %s)", atomic_load(&cb_unknown),
	      first_unknown);
	CHECK(atomic_load(&cb_malformed) == 0, "%lu malformed reports", atomic_load(&cb_malformed));
	CHECK(atomic_load(&cb_dup) == 0, "%lu seq numbers seen twice", atomic_load(&cb_dup));
	if (count < MAX_SEQ) {
		for (i = 1; i <= count; i++)
			if (!atomic_load(&seq_seen[i]))
				bad++;
		CHECK(bad == 0, "%d of the seqs 1..%lu never reached the callback", bad, count);
		CHECK(atomic_load(&seq_max) == count, "highest seq %lu, count %lu",
		      atomic_load(&seq_max), count);
	}
	for (t = 0; t < opt_threads; t++)
		free(ctxs[t].scratch);
	if (count_file) {
		FILE *f = fopen(count_file, "w");

		if (!f || fprintf(f, "%lu\n", count) < 0 || fclose(f))
			failf(__LINE__, "cannot write %s", count_file);
	}
	printf("hostile: completed: %lu findings, %d threads x %d rounds, %d check(s) failed\n",
	       count, opt_threads, opt_rounds, atomic_load(&failures));
	fflush(stdout);
	return atomic_load(&failures) ? 1 : 0;
}

/*
 * ---- known shim bugs, not fixed yet ----
 * Each returns 1 while the bug is there, 0 once it is fixed; the ctest tests
 * e2e.hostile.known.<name> expect the failure (WILL_FAIL): when one starts
 * "failing", move its case into the main run. The main run steers around them.
 */

/* A device write that runs from a live dma_pool block into a freed one. */
static int known_pool_span(void)
{
	static struct device dev;
	struct dma_pool *pool;
	dma_addr_t h0, h1, h;
	unsigned char data[128];
	unsigned long n;
	void *b0, *b1, *b;
	int rc, bad = 0;

	if (dmasan_device_add(&dev, "known", NULL))
		return 2;
	pool = dma_pool_create("span", &dev, 64, 64, 0);
	b0 = pool ? dma_pool_alloc(pool, GFP_KERNEL, &h0) : NULL;
	b1 = pool ? dma_pool_alloc(pool, GFP_KERNEL, &h1) : NULL;
	if (!b0 || !b1 || (h1 != h0 + 64 && h0 != h1 + 64))
		return 2;
	if (h1 < h0) {
		b = b0, b0 = b1, b1 = b;
		h = h0, h0 = h1, h1 = h;
	}
	/* Across two live blocks: a driver may do that, no finding. */
	n = dmasan_error_count();
	memset(data, 0x3c, sizeof(data));
	rc = dmasan_dev_write(&dev, h0, data, sizeof(data));
	if (rc != 0 || dmasan_error_count() != n) {
		fprintf(stderr,
			"hostile: pool-span: a device write across two live pool blocks gave %d "
			"and %lu findings (expected 0 and none)\n",
			rc, dmasan_error_count() - n);
		bad = 1;
	}
	dma_pool_free(pool, b1, h1);
	n = dmasan_error_count();
	memset(data, 0x5a, sizeof(data));
	rc = dmasan_dev_write(&dev, h0, data, sizeof(data)); /* half of it lands in b1 */
	if (rc != -EFAULT || dmasan_error_count() != n + 1) {
		fprintf(stderr,
			"hostile: known bug pool-span: a device write from a live into a "
			"freed pool block gave %d and %lu findings (expected -EFAULT, 1 "
			"use-after-free)\n",
			rc, dmasan_error_count() - n);
		bad = 1;
	}
	b = dma_pool_alloc(pool, GFP_KERNEL, &h);
	if (b)
		dma_pool_free(pool, b, h);
	dma_pool_free(pool, b0, h0);
	dma_pool_destroy(pool);
	dmasan_device_del(&dev);
	return bad;
}

/* More than 4096 devices registered at once: tracking must stay on. */
/*
 * More devices at once than the registry once held (4,096): the 4,097th
 * disabled tracking for the whole process. Run as e2e.hostile.devices
 * (exit 0 expected).
 */
static int known_many_devices(void)
{
	enum { N = 5000 };
	struct device *devs = calloc(N, sizeof(*devs));
	struct gbuf g;
	unsigned long n;
	dma_addr_t h;
	int i, bad = 0;

	if (!devs || gbuf_new(&g, 256))
		return 2;
	for (i = 0; i < N; i++)
		(void)dmasan_device_add(&devs[i], NULL, NULL);
	h = dma_map_single(&devs[N - 1], g.p, 256, DMA_TO_DEVICE);
	if (!dma_mapping_error(&devs[N - 1], h))
		dma_unmap_single(&devs[N - 1], h, 256, DMA_TO_DEVICE);
	n = dmasan_error_count();
	dma_unmap_single(&devs[N - 1], h, 256, DMA_TO_DEVICE);
	if (dmasan_error_count() != n + 1) {
		fprintf(stderr,
			"hostile: known bug many-devices: with %d devices registered, a "
			"double unmap made %lu findings (expected 1)\n",
			N, dmasan_error_count() - n);
		bad = 1;
	}
	for (i = 0; i < N; i++)
		dmasan_device_del(&devs[i]);
	free(devs);
	gbuf_free(&g, __LINE__);
	return bad;
}

/*
 * A map of memory unmapped after an earlier map of it, and a map for the
 * device to write of memory made read-only since an earlier one: both must
 * be refused. The shim once answered from its stale view (the per-thread
 * writable range and the /proc/self/maps snapshot of platform/os.c) and
 * copied from the hole or into the read-only page; its interposed
 * munmap/mprotect now mark that view stale. In a child, in case it crashes.
 * Run as e2e.hostile.remap (exit 0 expected).
 */
static int known_stale_unmapped(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return 2;
	if (pid == 0) {
		static struct device dev;
		char *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		dma_addr_t h;

		if (p == MAP_FAILED || dmasan_device_add(&dev, "known", NULL))
			_exit(2);
		h = dma_map_single(&dev, p + 4096, 256, DMA_TO_DEVICE);
		if (!dma_mapping_error(&dev, h))
			dma_unmap_single(&dev, h, 256, DMA_TO_DEVICE);
		h = dma_map_single(&dev, p + 8192, 256, DMA_FROM_DEVICE);
		if (!dma_mapping_error(&dev, h))
			dma_unmap_single(&dev, h, 256, DMA_FROM_DEVICE);
		if (mprotect(p + 8192, 4096, PROT_READ))
			_exit(2);
		h = dma_map_single(&dev, p + 8192, 256, DMA_FROM_DEVICE); /* read-only now */
		if (!dma_mapping_error(&dev, h)) {
			dma_unmap_single(&dev, h, 256, DMA_FROM_DEVICE);
			_exit(1);
		}
		munmap(p, 1 << 16);
		h = dma_map_single(&dev, p + 4096, 256, DMA_TO_DEVICE); /* a hole now */
		_exit(dma_mapping_error(&dev, h) ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 2;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(stderr,
		"hostile: known bug stale-unmapped: a map of memory unmapped or made read-only "
		"since an earlier map of it %s\n",
		WIFSIGNALED(status) ? "crashed the shim" : "was accepted");
	return 1;
}

static int run_known(const char *name)
{
	if (!dmasan_active()) {
		fprintf(stderr, "hostile: --known-bug needs the shim\n");
		return 2;
	}
	if (!strcmp(name, "pool-span"))
		return known_pool_span();
	if (!strcmp(name, "many-devices"))
		return known_many_devices();
	if (!strcmp(name, "stale-unmapped"))
		return known_stale_unmapped();
	fprintf(stderr, "hostile: no known bug %s\n", name);
	return 2;
}

/* ---- log check (run without the shim) ---- */

static long field_num(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static int check_logs(const char *count_file, int nlogs, char **logs)
{
	static unsigned char seen[MAX_SEQ];
	unsigned long want = 0, findings = 0;
	char *line = NULL;
	size_t cap = 0;
	int i, bad = 0, files = 0;
	FILE *f;

	f = fopen(count_file, "r");
	if (!f || fscanf(f, "%lu", &want) != 1) {
		fprintf(stderr, "hostile: no count in %s (the run did not complete)\n", count_file);
		return 1;
	}
	fclose(f);
	for (i = 0; i < nlogs; i++) {
		long total = -1, seq;
		unsigned long lineno = 0, here = 0;
		int last_summary = 0;
		ssize_t n;

		f = fopen(logs[i], "r");
		if (!f)
			continue;
		files++;
		while ((n = getline(&line, &cap, f)) > 0) {
			const char *why = NULL, *id;
			size_t at = 0;

			lineno++;
			if (line[n - 1] != '\n') {
				fprintf(stderr, "%s:%lu: a line without its newline\n", logs[i],
					lineno);
				bad++;
			} else {
				line[--n] = 0;
			}
			if (json_check_line(line, (size_t)n, &why, &at)) {
				fprintf(stderr, "%s:%lu: not one JSON object: %s at byte %zu\n",
					logs[i], lineno, why, at);
				bad++;
				continue;
			}
			last_summary = 0;
			if (strstr(line, "{\"schema\":\"dmasan.summary/") == line) {
				total = field_num(line, "\"total\":");
				last_summary = 1;
				continue;
			}
			if (strstr(line, "{\"schema\":\"dmasan.finding/") != line) {
				fprintf(stderr, "%s:%lu: an unknown record\n", logs[i], lineno);
				bad++;
				continue;
			}
			here++;
			id = strstr(line, "\"id\":\"");
			if (!id || !strchr(id + 6, '"') ||
			    !known_id(id + 6, (size_t)(strchr(id + 6, '"') - (id + 6)))) {
				fprintf(stderr, "%s:%lu: a finding id not in the catalogue\n",
					logs[i], lineno);
				bad++;
			}
			seq = field_num(line, "\"seq\":");
			if (seq <= 0) {
				fprintf(stderr, "%s:%lu: no seq\n", logs[i], lineno);
				bad++;
			} else if (seq < (long)MAX_SEQ && seen[seq]++) {
				fprintf(stderr, "%s:%lu: seq %ld twice\n", logs[i], lineno, seq);
				bad++;
			}
		}
		fclose(f);
		if (!last_summary) {
			fprintf(stderr, "%s: the summary is not the last record\n", logs[i]);
			bad++;
		} else if (total != (long)here) {
			fprintf(stderr, "%s: summary total %ld, %lu findings logged\n", logs[i],
				total, here);
			bad++;
		}
		findings += here;
	}
	free(line);
	if (files != 1) {
		fprintf(stderr, "hostile: %d log files, expected one\n", files);
		bad++;
	}
	if (findings < want || want == 0) {
		fprintf(stderr, "hostile: %lu findings logged, the program saw %lu\n", findings,
			want);
		bad++;
	}
	if (bad)
		return 1;
	printf("hostile: logs ok: %lu findings (%lu during the run)\n", findings, want);
	return 0;
}

int main(int argc, char **argv)
{
	const char *count_file = NULL;
	int i;

	if (argc >= 3 && !strcmp(argv[1], "--check"))
		return check_logs(argv[2], argc - 3, argv + 3);
	if (argc == 3 && !strcmp(argv[1], "--known-bug"))
		return run_known(argv[2]);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			opt_threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			opt_rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			opt_seed = strtoull(argv[++i], NULL, 0) | 1;
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count_file = argv[++i];
		else {
			fprintf(stderr,
				"usage: hostile [--threads N] [--rounds N] [--seed S] "
				"[--count FILE] | --known-bug NAME | --check COUNTFILE LOG...\n");
			return 2;
		}
	}
	if (opt_threads < 1 || opt_threads > MAX_THREADS || opt_rounds < 0) {
		fprintf(stderr, "hostile: --threads 1..%d, --rounds >= 0\n", MAX_THREADS);
		return 2;
	}
	return run(count_file);
}
