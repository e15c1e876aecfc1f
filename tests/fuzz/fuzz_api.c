/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness that decodes its input into a sequence of public DMA
 * API and harness API calls and runs them against the real shim (the
 * entry points of shim/ over core/, reports/ and platform/, all built
 * into this binary with ASan and UBSan). Each input byte string is a
 * program: an opcode byte, then the operands it reads (reads past the end
 * give zeros), until the input is used up or MAX_OPS calls were made.
 *
 * The world: 4 devices that a test registers (devs[0..3]), one it never
 * registers (devs[4], registered by the shim on first use) and NULL;
 * host buffers in a 1 GiB reserved arena (so that maps up to the shim's
 * size limit stay inside memory the harness owns), a stack buffer and a
 * read-only buffer; tables of the mappings, coherent buffers, pools and
 * pool blocks this input made. Operands choose well-formed calls, slightly
 * wrong ones (wrong size, direction, type, nents, attributes, pool, CPU
 * address) and garbage (unknown handles, DMA_MAPPING_ERROR, wild sizes up
 * to 2^41, invalid directions, sg lists with bad nents, stale and invented
 * pool pointers, device accesses at random bus addresses).
 *
 * Invariants, checked after every call: no crash and no sanitizer report
 * (the device may touch only host bytes the harness mapped for it: the
 * arena and the stack buffer are ASan-poisoned elsewhere while an input
 * runs); tracking never disables itself (rt_tracking() stays 1: misuse is
 * a finding, not an out-of-memory condition); dmasan_error_count() never
 * decreases and grows by exactly the number of findings the report
 * callback saw; every finding has a catalogue id, a message and a rising
 * seq; return values are within what Linux returns; coherent and pool
 * memory is zeroed when asked, aligned and never handed out twice while
 * live; device writes read back through the device; every line of the
 * JSON log is one complete JSON object.
 *
 * At the end of an input everything still held is released correctly, so
 * inputs are independent (the shim never frees device and pool records by
 * design; LeakSanitizer cannot see them: they live in its private heap).
 * A shim bug reported but not fixed yet is steered around by a guard marked
 * "Known bug N" that DMASAN_FUZZ_KNOWN_BUGS=1 turns off, with its input in
 * tests/fuzz/known/api/ (see tests/README.md); there is none at present:
 * the bugs found so far are fixed and their inputs are in tests/fuzz/regress/api/.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sanitizer/asan_interface.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <dmasan/dmasan.h>
#include "core/finding.h"
#include "core/runtime.h"
#include "fuzz_common.h"
#include "json_check.h"

#define MAX_OPS 64
#define NDEV 5 /* devs[0..3] registered by ops, devs[4] never; index NDEV = NULL */
#define NMAP 24
#define NCOH 12
#define NPOOL 4
#define NBLK 24
#define SG_MAX 8

#define HOT (1UL << 20)			    /* maps start in the first 1 MiB */
#define POISON_SPAN (HOT + (256UL << 10))   /* poisoned part of the arena */
#define RESERVE ((1UL << 30) + (4UL << 20)) /* maps of up to 1 GiB stay inside */
#define STACK_BUF 4096
#define RO_BUF 8192
#define XFER_MAX (64UL << 10)
#define MAP_CAP (4ULL << 20)	 /* largest map the shim accepts that the harness makes */
#define NATURAL_MAX (2ULL << 20) /* the shim aligns coherent memory to its order up to this */
#define DECLARE_MAX (16UL << 20) /* declared regions zeroed per call: keep inputs fast */

enum mkind { MK_SINGLE, MK_PAGE, MK_SG, MK_SGTABLE, MK_RESOURCE };
enum ckind { CK_COHERENT, CK_ATTRS, CK_NONCOHERENT, CK_PAGES };

struct mrec {
	int used, live, dev, kind, dir, nents, mapped;
	unsigned long attrs;
	dma_addr_t dma;
	size_t size;
	void *cpu;
	struct scatterlist sg[2][SG_MAX + 4]; /* zeroed entries after the list */
	struct sg_table sgt;
};

struct crec {
	int used, live, dev, kind, dir;
	unsigned long attrs;
	void *cpu;
	dma_addr_t dma;
	size_t size;
};

struct prec {
	int used, destroyed, dev;
	struct dma_pool *pool;
	size_t size, align, boundary;
};

struct brec {
	int used, live, pool;
	void *vaddr;
	dma_addr_t dma;
};

static struct device devs[NDEV];
static struct device_dma_parameters parms[NDEV];
static char dev_names[NDEV][96];
static int declared[NDEV];
static int had_region[NDEV + 1]; /* a region was declared during this input (NULL: never) */

static struct mrec maps[NMAP];
static struct crec cohs[NCOH];
static struct prec pools[NPOOL];
static struct brec blks[NBLK];

static uint8_t *arena;
static uint8_t *guard_page; /* PROT_NONE: no memory there */
static const uint8_t ro_buf[RO_BUF] __attribute__((aligned(4096))) = { 1, 2, 3, 4 };
static uint8_t xfer[XFER_MAX], xfer2[XFER_MAX];
static uint8_t *stack_buf;	    /* the running input's stack buffer */
static unsigned int line_size = 64; /* the simulated cache line (dma_get_cache_alignment()) */

static int json_log; /* the log is JSON lines (not format=text from DMASAN_FUZZ_OPTIONS) */
static int trace;    /* DMASAN_FUZZ_TRACE=1: print each operation and finding */
static char log_file[256];
static off_t log_seen;
static unsigned long inputs;

/* What the report callback saw. */
static struct {
	unsigned long n, suppressed, last_seq;
	int nested; /* call the harness API from the callback */
	int in_cb;
} cb;

static void on_report(const struct dmasan_report *r, void *arg)
{
	int i, known_dev = r->dev == NULL;

	(void)arg;
	FUZZ_CHECK(r->version == DMASAN_REPORT_VERSION, "report version %u", r->version);
	FUZZ_CHECK(r->id != NULL, "report without an id");
	FUZZ_CHECK(bug_from_id(r->id) >= 0, "report id '%s' is not in the catalogue", r->id);
	FUZZ_CHECK(r->message && strlen(r->message) < 1024, "report without a message");
	FUZZ_CHECK(r->severity == DMASAN_SEV_ERROR || r->severity == DMASAN_SEV_WARNING,
		   "severity %d", (int)r->severity);
	FUZZ_CHECK(!r->device || strlen(r->device) < 64, "device name too long");
	for (i = 0; i < NDEV; i++)
		known_dev |= r->dev == &devs[i];
	FUZZ_CHECK(known_dev, "report names a device the program never used: %p",
		   (const void *)r->dev);
	if (trace)
		fprintf(stderr, "    finding %s: %s\n", r->id, r->message);
	if (r->suppressed) {
		cb.suppressed++;
	} else {
		FUZZ_CHECK(r->seq > cb.last_seq, "seq %lu after %lu", r->seq, cb.last_seq);
		cb.last_seq = r->seq;
		cb.n++;
	}
	if (cb.nested && !cb.in_cb) {
		uint8_t b[16];

		/* The callback may use the harness API (dmasan.h); findings it causes are dropped. */
		cb.in_cb = 1;
		(void)dmasan_error_count();
		(void)dmasan_dev_read(&devs[0], 0xdead0000ULL, b, sizeof(b));
		cb.in_cb = 0;
	}
}

static void check_log(void)
{
	static char buf[1 << 16];
	static size_t have;
	ssize_t got;
	int fd;

	if (!json_log)
		return;
	fd = open(log_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		char *nl, *line;

		got = pread(fd, buf + have, sizeof(buf) - have, log_seen);
		if (got <= 0)
			break;
		log_seen += got;
		have += (size_t)got;
		line = buf;
		while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
			const char *why = NULL;
			size_t at = 0;

			FUZZ_CHECK(json_check_line(line, (size_t)(nl - line), &why, &at) == 0,
				   "bad JSON log line (%s at byte %zu): %.*s", why, at,
				   (int)(nl - line), line);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		FUZZ_CHECK(have < sizeof(buf), "a JSON log line longer than 64 KiB");
	}
	close(fd);
	/* Keep the log small: the shim appends (O_APPEND), so truncation is safe. */
	if (log_seen > (8 << 20) && have == 0) {
		if (truncate(log_file, 0) == 0)
			log_seen = 0;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *extra = getenv("DMASAN_FUZZ_OPTIONS");
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char opts[1024];

	(void)argc;
	(void)argv;
	trace = getenv("DMASAN_FUZZ_TRACE") && getenv("DMASAN_FUZZ_TRACE")[0] == '1';
	json_log = !(extra && strstr(extra, "format=text"));
	/* log_path is a prefix: the shim writes <prefix>.<pid>. */
	snprintf(opts, sizeof(opts),
		 "log_path=%s/dmasan-fuzz-api:format=json:leak_check_at_exit=0:print_summary=0:"
		 "exitcode=0:quarantine_size=256:map_context_size=8%s%s",
		 dir, extra ? ":" : "", extra ? extra : "");
	snprintf(log_file, sizeof(log_file), "%s/dmasan-fuzz-api.%d", dir, (int)getpid());
	setenv("DMASAN_OPTIONS", opts, 1);
	arena = mmap(NULL, RESERVE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		perror("fuzz_api: mmap");
		exit(1);
	}
	guard_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FUZZ_CHECK(guard_page != MAP_FAILED, "mmap of the guard page");
	dmasan_set_report_callback(on_report, NULL);
	FUZZ_CHECK(dmasan_active() == 1, "not running the checking shim");
	line_size = (unsigned int)dma_get_cache_alignment(); /* initialises the shim */
	FUZZ_CHECK(rt_tracking() == 1, "tracking is off after initialisation");
	return 0;
}

static __attribute__((destructor)) void remove_log(void)
{
	if (log_file[0])
		unlink(log_file);
}

/* ---- operand decoding ---- */

static struct device *pick_dev(struct fuzz_in *in, int *idx)
{
	int d = fin_u8(in) % (NDEV + 2);

	if (d == NDEV + 1)
		d = 0;
	if (idx)
		*idx = d;
	return d == NDEV ? NULL : &devs[d];
}

static int pick_dir(struct fuzz_in *in)
{
	static const int odd[] = { DMA_NONE, 4, -1, 0x7fffffff, (int)0x80000000, 255 };
	uint8_t b = fin_u8(in);

	if (b < 240)
		return b % 3; /* BIDIRECTIONAL, TO_DEVICE, FROM_DEVICE */
	return odd[b % (sizeof(odd) / sizeof(odd[0]))];
}

static unsigned long pick_attrs(struct fuzz_in *in)
{
	uint8_t b = fin_u8(in);

	if (b < 200)
		return 0;
	if (b < 250)
		return 1UL << (b % 14);
	return fin_u32(in);
}

static uint64_t pick_size(struct fuzz_in *in)
{
	static const uint64_t odd[] = {
		0,
		1,
		63,
		64,
		65,
		4095,
		4096,
		4097,
		65536,
		65537,
		(1ULL << 30) - 1,
		1ULL << 30,
		(1ULL << 30) + 1,
		1ULL << 32,
		1ULL << 40,
		(1ULL << 40) + 1,
		SIZE_MAX,
		SIZE_MAX / 2,
		UINT32_MAX,
	};
	uint8_t c = fin_u8(in);

	switch (c & 7) {
	case 0:
	case 1:
	case 2:
	case 3:
		return fin_u8(in);
	case 4:
	case 5:
		return fin_u16(in);
	case 6:
		return fin_u32(in) % (4UL << 20);
	default:
		if (c & 0x80)
			return odd[fin_u8(in) % (sizeof(odd) / sizeof(odd[0]))];
		return fin_u64(in) & ((1ULL << 41) - 1);
	}
}

static uint64_t pick_mask(struct fuzz_in *in)
{
	uint8_t b = fin_u8(in) % 68;

	if (b <= 64)
		return DMA_BIT_MASK(b);
	if (b == 65)
		return fin_u64(in);
	return 0;
}

/*
 * A host buffer: *@ptr and the bytes after it that the harness owns
 * (*@extent). The arena's extent covers any size the shim accepts.
 */
static void pick_buf(struct fuzz_in *in, void **ptr, uint64_t *extent)
{
	uint8_t c = fin_u8(in);
	uint32_t off = fin_u32(in);

	switch (c % 16) {
	case 12:
		off %= STACK_BUF + 1;
		*ptr = stack_buf + off;
		*extent = STACK_BUF - off;
		return;
	case 13:
		off %= RO_BUF + 1;
		*ptr = (void *)(ro_buf + off);
		*extent = RO_BUF - off;
		return;
	case 14:
		c = (uint8_t)(off % NCOH);
		if (cohs[c].used && cohs[c].cpu && cohs[c].live) {
			off = (off >> 8) % (uint32_t)(cohs[c].size + 1);
			*ptr = (uint8_t *)cohs[c].cpu + off;
			*extent = cohs[c].size - off;
			return;
		}
		break;
	case 15:
		/* NULL, or memory that is not mapped at all (a PROT_NONE page). */
		*ptr = (off & 1) ? guard_page + (off >> 1) % 4096 : NULL;
		*extent = 0;
		return;
	default:
		break;
	}
	off %= HOT;
	if (c & 0x40)
		off &= ~63u;
	*ptr = arena + off;
	*extent = RESERVE - off;
}

/*
 * A size for a map of @extent bytes: wild sizes only where the harness owns
 * the memory. Sizes the shim accepts (up to 1 GiB) are kept below MAP_CAP:
 * its cache model keeps two copies of every mapped byte, so a few large
 * maps would exhaust the fuzzer's memory limit. Larger ones (rejected by
 * the shim without touching memory) go through unchanged: up to the
 * extent the harness owns, or wild (2^40 and more).
 */
static uint64_t fit_size(uint64_t size, uint64_t extent)
{
	if (size >= (1ULL << 40))
		return size; /* beyond any memory: the shim must refuse it untouched */
	if (size > extent)
		size = extent ? size % (extent + 1) : 0;
	if (size > MAP_CAP && size <= (1ULL << 30))
		size = MAP_CAP - (size & 0xfff);
	return size;
}

/*
 * The shim may now touch [p, p+len) of a buffer the harness owns, and the
 * rest of the cache lines it covers: partial lines at a buffer's edges
 * share fate with their neighbours (the cache model snapshots and
 * invalidates whole lines), but nothing beyond them.
 */
static void allow(const void *p, uint64_t len)
{
	uintptr_t a = (uintptr_t)p, lo, hi;

	if (!len)
		return;
	if (len > UINTPTR_MAX - a - line_size)
		len = UINTPTR_MAX - a - line_size;
	len += a % line_size;
	len = (len + line_size - 1) / line_size * line_size;
	a -= a % line_size;
	if (a >= (uintptr_t)arena && a < (uintptr_t)arena + POISON_SPAN) {
		lo = a;
		hi = (uintptr_t)arena + POISON_SPAN;
	} else if (stack_buf && a >= (uintptr_t)stack_buf && a < (uintptr_t)stack_buf + STACK_BUF) {
		lo = a;
		hi = (uintptr_t)stack_buf + STACK_BUF;
	} else {
		return;
	}
	if (len < hi - lo)
		hi = lo + len;
	ASAN_UNPOISON_MEMORY_REGION((void *)lo, hi - lo);
}

static int slot_free(int n, int (*used)(int))
{
	int i;

	for (i = 0; i < n; i++)
		if (!used(i))
			return i;
	return -1;
}

static int map_used(int i)
{
	return maps[i].used;
}

static int coh_used(int i)
{
	return cohs[i].used;
}

static int pool_used(int i)
{
	return pools[i].used;
}

static int blk_used(int i)
{
	return blks[i].used;
}

/* ---- invariants ---- */

static void check_returned_memory(const void *p, size_t size, int zeroed, size_t align,
				  const char *what)
{
	const uint8_t *b = p;
	size_t i, n = size < 4096 ? size : 4096;

	FUZZ_CHECK(((uintptr_t)p & (align - 1)) == 0, "%s at %p not aligned to %zu", what, p,
		   align);
	if (!zeroed)
		return;
	for (i = 0; i < n; i++)
		FUZZ_CHECK(b[i] == 0, "%s not zeroed at byte %zu", what, i);
	if (size > n)
		FUZZ_CHECK(b[size - 1] == 0, "%s not zeroed at its last byte", what);
}

static int overlaps(const void *a, size_t an, const void *b, size_t bn)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return an && bn && x < y + bn && y < x + an;
}

/* Memory just handed out must not overlap anything live the harness holds. */
static void check_fresh(const void *p, size_t size, int self_coh, int self_blk)
{
	int i;

	for (i = 0; i < NCOH; i++)
		if (i != self_coh && cohs[i].used && cohs[i].live && cohs[i].cpu)
			FUZZ_CHECK(!overlaps(p, size, cohs[i].cpu, cohs[i].size),
				   "new memory %p+%zu overlaps live coherent buffer %d (%p+%zu)", p,
				   size, i, cohs[i].cpu, cohs[i].size);
	for (i = 0; i < NBLK; i++) {
		if (i == self_blk || !blks[i].used || !blks[i].live)
			continue;
		FUZZ_CHECK(!overlaps(p, size, blks[i].vaddr, pools[blks[i].pool].size),
			   "new memory %p+%zu overlaps live pool block %d (%p)", p, size, i,
			   blks[i].vaddr);
	}
}

/* ---- operations ---- */

static void op_dev_add(struct fuzz_in *in)
{
	struct dmasan_device_info info;
	int d = fin_u8(in) % 4, rc, use_info;

	memset(&info, 0, sizeof(info));
	fin_str(in, dev_names[d], sizeof(dev_names[d]) - 1);
	use_info = fin_u8(in);
	info.coherent = (enum dmasan_tristate)(use_info % 3);
	info.iommu = (enum dmasan_tristate)((use_info >> 2) % 3);
	info.dma_bits = fin_u8(in) % 72;
	rc = dmasan_device_add(&devs[d], dev_names[d][0] ? dev_names[d] : NULL,
			       (use_info & 0x80) ? NULL : &info);
	FUZZ_CHECK(rc == 0 || rc == -EEXIST || rc == -ENOMEM, "dmasan_device_add returned %d", rc);
	FUZZ_CHECK(devs[d].dma_mask == &devs[d].coherent_dma_mask || rc,
		   "a registered device has no dma_mask");
}

static void op_dev_del(struct fuzz_in *in)
{
	int d;

	pick_dev(in, &d);
	dmasan_device_del(d == NDEV ? NULL : &devs[d]);
	if (d < NDEV)
		declared[d] = 0; /* the region, if any, went with the device */
}

static void op_set_mask(struct fuzz_in *in)
{
	struct device *dev = pick_dev(in, NULL);
	uint8_t which = fin_u8(in);
	uint64_t mask = pick_mask(in);
	int rc;

	if (dev && which == 255) {
		dev->dma_mask = NULL; /* a device a bus never set up */
		return;
	}
	switch (which % 3) {
	case 0:
		rc = dma_set_mask(dev, mask);
		break;
	case 1:
		rc = dma_set_coherent_mask(dev, mask);
		break;
	default:
		rc = dma_set_mask_and_coherent(dev, mask);
		break;
	}
	FUZZ_CHECK(rc == 0 || rc == -EIO, "dma_set_mask returned %d", rc);
	(void)dma_get_mask(dev);
	(void)dma_supported(dev, mask);
}

static void op_set_parms(struct fuzz_in *in)
{
	int d;
	struct device *dev = pick_dev(in, &d);
	uint8_t c = fin_u8(in);

	if (!dev)
		return;
	/* DMA_BIT_MASK() evaluates its argument twice: decode into variables first. */
	if (c & 1) {
		dev->dma_parms = NULL;
	} else {
		unsigned int bits;

		dev->dma_parms = &parms[d];
		parms[d].max_segment_size = (c & 2) ? fin_u32(in) : 1u << (fin_u8(in) % 32);
		bits = fin_u8(in) % 65;
		parms[d].segment_boundary_mask = (c & 4) ? (unsigned long)fin_u64(in) :
							   (unsigned long)DMA_BIT_MASK(bits);
		parms[d].min_align_mask = fin_u16(in);
	}
	if (c & 8) {
		unsigned int bits = fin_u8(in) % 65;

		dev->bus_dma_limit = (c & 16) ? fin_u64(in) : DMA_BIT_MASK(bits);
	}
	(void)dma_get_max_seg_size(dev);
	(void)dma_get_seg_boundary(dev);
}

static void op_map(struct fuzz_in *in, int kind)
{
	int i = slot_free(NMAP, map_used), d, dir = pick_dir(in), rc;
	struct device *dev = pick_dev(in, &d);
	unsigned long attrs = pick_attrs(in);
	struct mrec *m;
	uint64_t extent, size;
	void *p;

	if (i < 0)
		return;
	m = &maps[i];
	memset(m, 0, sizeof(*m));
	pick_buf(in, &p, &extent);
	size = fit_size(pick_size(in), extent);
	m->used = 1;
	m->dev = d;
	m->kind = kind;
	m->dir = dir;
	m->attrs = attrs;
	m->cpu = p;
	m->size = size;
	if (kind != MK_RESOURCE)
		allow(p, size);
	if (kind == MK_SINGLE) {
		m->dma = dma_map_single_attrs(dev, p, size, (enum dma_data_direction)dir, attrs);
	} else if (kind == MK_PAGE) {
		size_t off = p ? offset_in_page(p) : 0;

		m->dma = dma_map_page_attrs(dev, p ? virt_to_page(p) : NULL, off, size,
					    (enum dma_data_direction)dir, attrs);
	} else {
		uint64_t phys = (fin_u8(in) & 1) ? fin_u64(in) : 0xfe000000ULL + (fin_u16(in) << 4);

		m->cpu = NULL;
		m->dma = dma_map_resource(dev, phys, size, (enum dma_data_direction)dir, attrs);
	}
	rc = dma_mapping_error(dev, m->dma);
	FUZZ_CHECK(rc == 0 || rc == -ENOMEM, "dma_mapping_error returned %d", rc);
	FUZZ_CHECK((rc != 0) == (m->dma == DMA_MAPPING_ERROR), "dma_mapping_error disagrees");
	m->live = !rc;
	if (!m->live)
		m->used = 0;
}

/*
 * Build an sg list over harness buffers: @nreal entries, optionally
 * chained after the first @split. @return 1 when the list was left without
 * its end mark (then a zeroed entry follows it, as the caller's nents must
 * not reach past the array: that would be the harness's overrun).
 */
static int build_sg(struct fuzz_in *in, struct mrec *m, int nreal)
{
	uint8_t shape = fin_u8(in);
	int i, split = (shape & 1) && nreal > 1 ? 1 + shape % (unsigned)(nreal - 1) : 0;

	if (split) {
		sg_init_table(m->sg[0], (unsigned)split + 1);
		sg_init_table(m->sg[1], (unsigned)(nreal - split));
		sg_chain(m->sg[0], (unsigned)split + 1, m->sg[1]);
	} else {
		sg_init_table(m->sg[0], (unsigned)nreal);
	}
	if (shape & 2)
		sg_unmark_end(split ? &m->sg[1][nreal - split - 1] : &m->sg[0][nreal - 1]);
	for (i = 0; i < nreal; i++) {
		struct scatterlist *s = i < split ? &m->sg[0][i] :
					split	  ? &m->sg[1][i - split] :
						    &m->sg[0][i];
		uint64_t extent, len;
		void *p;

		pick_buf(in, &p, &extent);
		len = fit_size(pick_size(in), extent);
		if (len > UINT32_MAX || len > extent)
			len = extent < UINT32_MAX ? extent : UINT32_MAX;
		if (p) {
			sg_set_buf(s, p, (unsigned int)len);
			allow(p, len);
		} else {
			s->offset = (unsigned int)(len & 0xff);
			s->length = (unsigned int)len;
		}
	}
	return (shape & 2) != 0;
}

static void op_map_sg(struct fuzz_in *in, int table)
{
	int i = slot_free(NMAP, map_used), d, dir = pick_dir(in), nreal, nents, rc;
	struct device *dev = pick_dev(in, &d);
	unsigned long attrs = pick_attrs(in);
	uint8_t c;
	struct mrec *m;

	if (i < 0)
		return;
	m = &maps[i];
	memset(m, 0, sizeof(*m));
	nreal = 1 + fin_u8(in) % SG_MAX;
	c = fin_u8(in);
	if (c < 200)
		nents = nreal;
	else if (c < 230)
		nents = nreal + (int)(c % 5) - 2;
	else if (c < 250)
		nents = (int)fin_u32(in);
	else
		nents = c == 250 ? 0x7fffffff : -1;
	if (build_sg(in, m, nreal) && nents > nreal)
		nents = nreal;
	m->used = 1;
	m->dev = d;
	m->kind = table ? MK_SGTABLE : MK_SG;
	m->dir = dir;
	m->attrs = attrs;
	m->nents = nents;
	if (table) {
		m->sgt.sgl = m->sg[0];
		m->sgt.orig_nents = (unsigned int)nents;
		rc = dma_map_sgtable(dev, &m->sgt, (enum dma_data_direction)dir, attrs);
		FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EIO || rc == -ENOMEM,
			   "dma_map_sgtable returned %d", rc);
		m->mapped = rc == 0 ? (int)m->sgt.nents : 0;
		FUZZ_CHECK(rc || (m->sgt.nents >= 1 && m->sgt.nents <= (unsigned)nents),
			   "dma_map_sgtable mapped %u of %d", m->sgt.nents, nents);
	} else {
		m->mapped = (int)dma_map_sg_attrs(dev, m->sg[0], nents,
						  (enum dma_data_direction)dir, attrs);
		FUZZ_CHECK(m->mapped == 0 || (nents > 0 && m->mapped <= nents),
			   "dma_map_sg returned %d for %d entries", m->mapped, nents);
	}
	m->live = m->mapped > 0;
	if (m->live) {
		m->dma = sg_dma_address(m->sg[0]);
		m->size = sg_dma_len(m->sg[0]);
	} else {
		m->used = 0;
	}
}

static struct mrec *pick_map(struct fuzz_in *in)
{
	int i = fin_u8(in) % NMAP;

	return maps[i].used ? &maps[i] : NULL;
}

static struct device *dev_of(int d)
{
	return d == NDEV ? NULL : &devs[d];
}

static void unmap_as(struct device *dev, struct mrec *m, int kind, dma_addr_t dma, size_t size,
		     int dir, unsigned long attrs, int nents)
{
	enum dma_data_direction dd = (enum dma_data_direction)dir;

	switch (kind) {
	case MK_SINGLE:
		dma_unmap_single_attrs(dev, dma, size, dd, attrs);
		break;
	case MK_PAGE:
		dma_unmap_page_attrs(dev, dma, size, dd, attrs);
		break;
	case MK_SG:
		dma_unmap_sg_attrs(dev, m->sg[0], nents, dd, attrs);
		break;
	case MK_SGTABLE:
		m->sgt.orig_nents = (unsigned int)nents;
		dma_unmap_sgtable(dev, &m->sgt, dd, attrs);
		break;
	default:
		dma_unmap_resource(dev, dma, size, dd, attrs);
		break;
	}
}

static void op_unmap(struct fuzz_in *in)
{
	struct mrec *m = pick_map(in);
	uint8_t how = fin_u8(in);
	int kind, dir, nents, d;
	size_t size;
	unsigned long attrs;

	if (!m)
		return;
	kind = m->kind;
	dir = m->dir;
	size = m->size;
	attrs = m->attrs;
	nents = m->nents;
	switch (how % 8) {
	case 1:
		size = (how & 0x80) ? pick_size(in) : size + (size_t)(int8_t)fin_u8(in);
		break;
	case 2:
		dir = pick_dir(in);
		break;
	case 3:
		if (kind == MK_SG || kind == MK_SGTABLE)
			break;
		kind = fin_u8(in) % 5;
		if (kind == MK_SG || kind == MK_SGTABLE)
			kind = MK_RESOURCE;
		break;
	case 4:
		attrs = pick_attrs(in);
		break;
	case 5:
		nents = nents + (int)(fin_u8(in) % 5) - 2;
		break;
	default:
		break;
	}
	d = (how & 0x40) ? fin_u8(in) % (NDEV + 1) : m->dev;
	unmap_as(dev_of(d), m, kind, m->dma, size, dir, attrs, nents);
	/*
	 * Kept in the table (not live) so that a later unmap is a double unmap,
	 * unless the call cannot have ended it all (another device, or fewer sg
	 * entries): then it stays live and is released at the end of the input.
	 */
	if (dev_of(d) == dev_of(m->dev) &&
	    ((m->kind != MK_SG && m->kind != MK_SGTABLE) || nents >= m->mapped))
		m->live = 0;
}

static dma_addr_t pick_handle(struct fuzz_in *in)
{
	uint8_t c = fin_u8(in);
	int i = fin_u8(in);

	switch (c % 8) {
	case 0:
		return DMA_MAPPING_ERROR;
	case 1:
		return fin_u64(in);
	case 2:
	case 3:
		if (maps[i % NMAP].used)
			return maps[i % NMAP].dma + (dma_addr_t)(int16_t)fin_u16(in);
		break;
	case 4:
		if (cohs[i % NCOH].used)
			return cohs[i % NCOH].dma + (c & 0x80 ? (dma_addr_t)fin_u8(in) : 0);
		break;
	case 5:
		if (blks[i % NBLK].used)
			return blks[i % NBLK].dma + (c & 0x80 ? (dma_addr_t)fin_u8(in) : 0);
		break;
	case 6:
		return 0x80000000ULL + ((dma_addr_t)fin_u32(in) << 4);
	default:
		break;
	}
	return fin_u32(in);
}

/*
 * A free of @h on @dev ends whatever allocation is live there, whatever the
 * call's other arguments (the shim frees by handle, as Linux does): the
 * harness no longer holds it.
 */
static void freed_handle(struct device *dev, dma_addr_t h)
{
	int i;

	for (i = 0; i < NCOH; i++)
		if (cohs[i].used && cohs[i].live && cohs[i].dma == h && dev_of(cohs[i].dev) == dev)
			cohs[i].live = 0;
}

static void op_unmap_garbage(struct fuzz_in *in)
{
	struct device *dev = pick_dev(in, NULL);
	uint8_t how = fin_u8(in);
	dma_addr_t h = pick_handle(in);
	size_t size = pick_size(in);
	int dir = pick_dir(in), i;
	static struct scatterlist sg[4];

	switch (how % 6) {
	case 0:
		dma_unmap_single(dev, h, size, (enum dma_data_direction)dir);
		break;
	case 1:
		dma_unmap_page(dev, h, size, (enum dma_data_direction)dir);
		break;
	case 2:
		dma_unmap_resource(dev, h, size, (enum dma_data_direction)dir, 0);
		break;
	case 3:
		sg_init_table(sg, 4);
		for (i = 0; i < 4; i++) {
			sg[i].dma_address = i ? pick_handle(in) : h;
			sg[i].dma_length = (unsigned int)pick_size(in);
		}
		dma_unmap_sg(dev, sg, 1 + (int)(how >> 4) % 4, (enum dma_data_direction)dir);
		break;
	case 4: {
		void *cpu = (how & 0x80) ? (void *)(uintptr_t)fin_u64(in) : arena + fin_u16(in);

		if (!cpu)
			cpu = arena;
		dma_free_coherent(dev, size, cpu, h);
		freed_handle(dev, h);
		break;
	}
	default:
		dma_free_noncoherent(dev, size, arena + 64 * fin_u8(in), h,
				     (enum dma_data_direction)dir);
		freed_handle(dev, h);
		break;
	}
}

static void sync_as(struct device *dev, struct mrec *m, dma_addr_t dma, size_t size,
		    unsigned long off, int dir, int how)
{
	enum dma_data_direction dd = (enum dma_data_direction)dir;

	switch (how % 8) {
	case 0:
		dma_sync_single_for_cpu(dev, dma, size, dd);
		break;
	case 1:
		dma_sync_single_for_device(dev, dma, size, dd);
		break;
	case 2:
		dma_sync_single_range_for_cpu(dev, dma, off, size, dd);
		break;
	case 3:
		dma_sync_single_range_for_device(dev, dma, off, size, dd);
		break;
	case 4:
		if (m && (m->kind == MK_SG || m->kind == MK_SGTABLE))
			dma_sync_sg_for_cpu(dev, m->sg[0], m->nents + (int)(how >> 6) - 1, dd);
		break;
	case 5:
		if (m && (m->kind == MK_SG || m->kind == MK_SGTABLE))
			dma_sync_sg_for_device(dev, m->sg[0], m->nents + (int)(how >> 6) - 1, dd);
		break;
	case 6:
		if (m && m->kind == MK_SGTABLE)
			dma_sync_sgtable_for_cpu(dev, &m->sgt, dd);
		break;
	default:
		if (m && m->kind == MK_SGTABLE)
			dma_sync_sgtable_for_device(dev, &m->sgt, dd);
		break;
	}
}

static void op_sync(struct fuzz_in *in)
{
	struct mrec *m = pick_map(in);
	uint8_t how = fin_u8(in), var = fin_u8(in);
	struct device *dev;
	dma_addr_t dma;
	size_t size;
	unsigned long off = 0;
	int dir;

	if (m && !(var & 0x80)) {
		dev = dev_of(m->dev);
		dma = m->dma;
		size = m->size;
		dir = m->dir;
		if (var & 1)
			dir = pick_dir(in);
		if (var & 2)
			size = pick_size(in);
		if (var & 4) {
			off = fin_u16(in) % (m->size + 2);
			if (size >= off)
				size -= off;
		}
		if (var & 8)
			dev = pick_dev(in, NULL);
	} else {
		dev = pick_dev(in, NULL);
		dma = pick_handle(in);
		size = pick_size(in);
		dir = pick_dir(in);
		off = (var & 4) ? (unsigned long)fin_u64(in) : 0;
		m = NULL;
	}
	sync_as(dev, m, dma, size, off, dir, how);
}

static void op_mapping_error(struct fuzz_in *in)
{
	struct device *dev = pick_dev(in, NULL);
	dma_addr_t h = pick_handle(in);
	int rc = dma_mapping_error(dev, h);

	FUZZ_CHECK(rc == 0 || rc == -ENOMEM, "dma_mapping_error returned %d", rc);
	FUZZ_CHECK((h == DMA_MAPPING_ERROR) == (rc != 0), "dma_mapping_error(0x%llx) = %d",
		   (unsigned long long)h, rc);
}

static void op_alloc(struct fuzz_in *in)
{
	int i = slot_free(NCOH, coh_used), d, kind = fin_u8(in) % 4, dir = pick_dir(in);
	struct device *dev = pick_dev(in, &d);
	size_t size = pick_size(in);
	unsigned long attrs = pick_attrs(in);
	gfp_t gfp = (fin_u8(in) & 1) ? GFP_KERNEL : GFP_ATOMIC | __GFP_NOWARN;
	struct crec *c;
	struct page *pg;
	void *p = NULL;

	if (i < 0)
		return;
	c = &cohs[i];
	memset(c, 0, sizeof(*c));
	switch (kind) {
	case CK_COHERENT:
		p = dma_alloc_coherent(dev, size, &c->dma, gfp);
		break;
	case CK_ATTRS:
		p = dma_alloc_attrs(dev, size, &c->dma, gfp, attrs);
		break;
	case CK_NONCOHERENT:
		p = dma_alloc_noncoherent(dev, size, &c->dma, (enum dma_data_direction)dir, gfp);
		break;
	default:
		pg = dma_alloc_pages(dev, size, &c->dma, (enum dma_data_direction)dir, gfp);
		p = pg ? page_address(pg) : NULL;
		break;
	}
	if (!p)
		return;
	FUZZ_CHECK(size > 0, "a zero-byte allocation succeeded");
	/*
	 * Linux aligns coherent memory to the smallest page order that holds
	 * it, so a buffer of up to 64 KiB never crosses a 64 KiB boundary (the
	 * shim does so up to NATURAL_MAX; a declared region only relative to
	 * the device address it was declared at).
	 * An IOMMU's IOVAs are size-aligned as well, as Linux's iommu-dma makes them.
	 */
	if ((kind == CK_COHERENT || kind == CK_ATTRS) && d < NDEV && !had_region[d]) {
		uint64_t nat = PAGE_SIZE << get_order(size);

		nat = nat < NATURAL_MAX ? nat : NATURAL_MAX;
		FUZZ_CHECK((c->dma & (nat - 1)) == 0,
			   "coherent buffer of %zu bytes at 0x%llx is not aligned to %llu", size,
			   (unsigned long long)c->dma, (unsigned long long)nat);
	}
	check_returned_memory(p, size, 1, 4096, "coherent buffer");
	check_fresh(p, size, -1, -1);
	c->used = c->live = 1;
	c->dev = d;
	c->kind = kind;
	c->dir = dir;
	c->attrs = attrs;
	c->cpu = p;
	c->size = size;
}

static void op_free(struct fuzz_in *in)
{
	int i = fin_u8(in) % NCOH, kind, dir;
	uint8_t how = fin_u8(in);
	struct crec *c = &cohs[i];
	struct device *dev;
	size_t size;
	void *cpu;
	dma_addr_t dma;

	if (!c->used)
		return;
	dev = dev_of(c->dev);
	kind = c->kind;
	dir = c->dir;
	size = c->size;
	cpu = c->cpu;
	dma = c->dma;
	switch (how % 8) {
	case 1:
		size = (how & 0x80) ? pick_size(in) : size + (size_t)(int8_t)fin_u8(in);
		break;
	case 2:
		cpu = (uint8_t *)cpu + 64 * (1 + fin_u8(in) % 8);
		break;
	case 3:
		dma = pick_handle(in);
		break;
	case 4:
		kind = fin_u8(in) % 4;
		break;
	case 5:
		dir = pick_dir(in);
		break;
	case 6:
		dev = pick_dev(in, NULL);
		break;
	default:
		break;
	}
	switch (kind) {
	case CK_COHERENT:
		dma_free_coherent(dev, size, cpu, dma);
		break;
	case CK_ATTRS:
		dma_free_attrs(dev, size, cpu, dma, c->attrs);
		break;
	case CK_NONCOHERENT:
		dma_free_noncoherent(dev, size, cpu, dma, (enum dma_data_direction)dir);
		break;
	default:
		dma_free_pages(dev, size, virt_to_page(cpu), dma, (enum dma_data_direction)dir);
		break;
	}
	c->live = 0;
	freed_handle(dev, dma);
}

static void op_declare(struct fuzz_in *in)
{
	int d, rc;
	struct device *dev = pick_dev(in, &d);
	uint8_t c = fin_u8(in);
	uint64_t phys = fin_u64(in), devaddr;
	size_t size;

	if (c & 1)
		devaddr = fin_u64(in);
	else
		devaddr = 0x40000000ULL + ((uint64_t)fin_u16(in) << 16);
	size = (c & 2) ? pick_size(in) : (size_t)(1 + fin_u8(in) % 16) << 12;
	/*
	 * Released regions go back to the shim (with their last buffer), device
	 * removal releases them too, so declarations need no ration; only their
	 * size is capped, since the shim zeroes every region it carves.
	 */
	if (size > DECLARE_MAX)
		return;
	rc = dma_declare_coherent_memory(dev, phys, devaddr, size);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EBUSY || rc == -ENOMEM,
		   "dma_declare_coherent_memory returned %d", rc);
	if (rc == 0 && d < NDEV)
		declared[d] = had_region[d] = 1;
}

static void op_release(struct fuzz_in *in)
{
	int d;

	dma_release_coherent_memory(pick_dev(in, &d));
	if (d < NDEV)
		declared[d] = 0;
}

static void op_pool_create(struct fuzz_in *in)
{
	int i = slot_free(NPOOL, pool_used), d;
	struct device *dev = pick_dev(in, &d);
	char name[40];
	size_t size = pick_size(in), align, boundary;
	uint8_t a = fin_u8(in), b = fin_u8(in);
	struct prec *p;

	fin_str(in, name, sizeof(name) - 1);
	/* 2^0..2^12 mostly; 2^14..2^63; or a (rarely a power of two) */
	align = a < 200 ? (size_t)1 << (a % 13) : (a < 250 ? (size_t)1 << (14 + a - 200) : a);
	boundary = b < 128 ? 0 : (b < 250 ? (size_t)1 << (b % 64) : b);
	if (i < 0)
		return;
	p = &pools[i];
	memset(p, 0, sizeof(*p));
	p->pool = dma_pool_create(name, dev, size, align, boundary);
	if (trace)
		fprintf(stderr, "    pool %d: %p size %zu align %zu boundary %zu\n", i,
			(void *)p->pool, size, align, boundary);
	if (!p->pool)
		return;
	p->used = 1;
	p->dev = d;
	p->size = size < 16 ? 16 : size;
	p->align = align ? align : 1;
	p->boundary = boundary;
}

static struct dma_pool *pool_ptr(struct fuzz_in *in, int *idx)
{
	static uint64_t fake[8];
	uint8_t c = fin_u8(in);

	*idx = c % NPOOL;
	if (c >= 250)
		return c == 250 ? NULL : (struct dma_pool *)(void *)fake;
	return pools[*idx].used ? pools[*idx].pool : NULL;
}

static void op_pool_alloc(struct fuzz_in *in)
{
	int i = slot_free(NBLK, blk_used), pi, zero = fin_u8(in) % 3;
	struct dma_pool *pool = pool_ptr(in, &pi);
	struct prec *p = &pools[pi];
	dma_addr_t dma = 0;
	void *v;

	if (i < 0)
		return;
	if (zero == 0)
		v = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	else if (zero == 1)
		v = dma_pool_alloc(pool, GFP_KERNEL | __GFP_ZERO, &dma);
	else
		v = dma_pool_zalloc(pool, GFP_ATOMIC, &dma);
	if (!v)
		return;
	FUZZ_CHECK(p->used && pool == p->pool && !p->destroyed,
		   "a block from a pool that does not exist or was destroyed");
	/*
	 * Blocks keep their alignment and never cross the boundary, also when
	 * larger than a page (pool pages are naturally aligned, up to
	 * NATURAL_MAX; in a declared region only relative to its base).
	 */
	check_returned_memory(
		v, p->size, zero != 0,
		had_region[p->dev] ? 1 : (p->align < NATURAL_MAX ? p->align : NATURAL_MAX),
		"pool block");
	if (p->boundary && !had_region[p->dev] && p->boundary <= NATURAL_MAX)
		FUZZ_CHECK(((dma ^ (dma + p->size - 1)) & ~(uint64_t)(p->boundary - 1)) == 0,
			   "pool block 0x%llx+%zu crosses the %zu-byte boundary",
			   (unsigned long long)dma, p->size, p->boundary);
	if (trace)
		fprintf(stderr, "    block %d of pool %d: %p 0x%llx\n", i, pi, v,
			(unsigned long long)dma);
	check_fresh(v, p->size, -1, -1);
	blks[i].used = blks[i].live = 1;
	blks[i].pool = pi;
	blks[i].vaddr = v;
	blks[i].dma = dma;
}

static void op_pool_free(struct fuzz_in *in)
{
	int i = fin_u8(in) % NBLK, pi;
	uint8_t how = fin_u8(in);
	struct brec *b = &blks[i];
	struct dma_pool *pool;
	void *v;
	dma_addr_t dma;

	if (!b->used)
		return;
	pool = pools[b->pool].pool;
	v = b->vaddr;
	dma = b->dma;
	switch (how % 6) {
	case 1:
		pool = pool_ptr(in, &pi);
		break;
	case 2:
		dma = pick_handle(in);
		break;
	case 3:
		v = (uint8_t *)v + (int8_t)fin_u8(in);
		break;
	default:
		break;
	}
	if (trace)
		fprintf(stderr, "    free block %d (pool %d) as %p 0x%llx to %p\n", i, b->pool, v,
			(unsigned long long)dma, (void *)pool);
	dma_pool_free(pool, v, dma);
	/*
	 * Whatever block of that pool is live at that address is free now: a
	 * second free of a block whose memory was handed out again frees the
	 * new owner (the shim can no more tell them apart than Linux can).
	 */
	for (i = 0; i < NBLK; i++)
		if (blks[i].used && blks[i].live && pools[blks[i].pool].pool == pool &&
		    blks[i].vaddr == v && blks[i].dma == dma)
			blks[i].live = 0;
}

static void op_pool_destroy(struct fuzz_in *in)
{
	int pi, i;
	struct dma_pool *pool = pool_ptr(in, &pi);

	dma_pool_destroy(pool);
	if (pool && pools[pi].used && pool == pools[pi].pool && !pools[pi].destroyed) {
		int busy = 0;

		for (i = 0; i < NBLK; i++)
			busy |= blks[i].used && blks[i].live && blks[i].pool == pi;
		pools[pi].destroyed = 1;
		if (!busy) /* the pages went back to the shim: the blocks are gone */
			for (i = 0; i < NBLK; i++)
				if (blks[i].used && blks[i].pool == pi)
					blks[i].used = 0;
	}
}

static dma_addr_t pick_bus(struct fuzz_in *in, size_t *room)
{
	uint8_t c = fin_u8(in);
	int i = fin_u8(in);
	uint32_t off = fin_u16(in);

	*room = 0;
	switch (c % 8) {
	case 0:
	case 1:
	case 2:
		if (maps[i % NMAP].used) {
			struct mrec *m = &maps[i % NMAP];

			off %= (uint32_t)(m->size < 65536 ? m->size + 1 : 65536);
			*room = m->size - off;
			return m->dma + off;
		}
		break;
	case 3:
		if (cohs[i % NCOH].used) {
			off %= (uint32_t)(cohs[i % NCOH].size < 65536 ? cohs[i % NCOH].size + 1 :
									65536);
			*room = cohs[i % NCOH].size - off;
			return cohs[i % NCOH].dma + off;
		}
		break;
	case 4:
		if (blks[i % NBLK].used)
			return blks[i % NBLK].dma + off % 64;
		break;
	case 5:
		return fin_u64(in);
	case 6:
		if (maps[i % NMAP].used)
			return maps[i % NMAP].dma - (off % 128);
		break;
	default:
		break;
	}
	return 0x80000000ULL + ((dma_addr_t)off << 6);
}

static size_t pick_len(struct fuzz_in *in, size_t room)
{
	uint8_t c = fin_u8(in);

	if (c < 64 && room)
		return room < XFER_MAX ? room : XFER_MAX;
	if (c < 250)
		return fin_u16(in) % 4097;
	return c == 250 ? XFER_MAX : (size_t)fin_u32(in) % (XFER_MAX + 1);
}

static int in_resource(dma_addr_t addr, size_t len)
{
	int i;

	for (i = 0; i < NMAP; i++)
		if (maps[i].used && maps[i].kind == MK_RESOURCE &&
		    addr < maps[i].dma + maps[i].size + 1 && maps[i].dma < addr + len)
			return 1;
	return 0;
}

static void op_dev_access(struct fuzz_in *in, int is_write)
{
	struct device *dev = pick_dev(in, NULL);
	size_t room, len;
	dma_addr_t addr = pick_bus(in, &room);
	uint8_t fill = fin_u8(in);
	int rc, rc2;

	len = pick_len(in, room);
	if (is_write) {
		memset(xfer, fill, len);
		rc = dmasan_dev_write(dev, addr, xfer, len);
	} else {
		rc = dmasan_dev_read(dev, addr, xfer, len);
	}
	FUZZ_CHECK(rc == 0 || rc == -EFAULT || rc == -EACCES || rc == -ERANGE,
		   "dmasan_dev_%s returned %d", is_write ? "write" : "read", rc);
	/* A resource is MMIO the shim does not model: it need not read back. */
	if (!is_write || rc || !len || !(fill & 1) || in_resource(addr, len))
		return;
	/* What the device wrote, the device reads back (when it may read there). */
	rc2 = dmasan_dev_read(dev, addr, xfer2, len);
	if (rc2 == 0)
		FUZZ_CHECK(memcmp(xfer, xfer2, len) == 0,
			   "device read of 0x%llx+%zu differs from what the device wrote",
			   (unsigned long long)addr, len);
}

static void op_cpu_write(struct fuzz_in *in)
{
	uint8_t c = fin_u8(in), v = fin_u8(in);
	int i = fin_u8(in);
	uint32_t off = fin_u16(in);

	if ((c & 1) && cohs[i % NCOH].used) {
		struct crec *k = &cohs[i % NCOH];

		/* Coherent memory stays the shim's arena after a free: a stale write is safe. */
		((uint8_t *)k->cpu)[off % k->size] = v;
	} else if (blks[i % NBLK].used && !pools[blks[i % NBLK].pool].destroyed) {
		struct brec *b = &blks[i % NBLK];

		/* Writing a freed block is what pool-corruption detects. */
		((uint8_t *)b->vaddr)[off % pools[b->pool].size] = v;
	}
}

static void op_misc(struct fuzz_in *in)
{
	uint8_t c = fin_u8(in);
	struct device *dev = pick_dev(in, NULL);

	if (trace)
		fprintf(stderr, "    misc %d\n", c % 6);
	switch (c % 6) {
	case 0:
		(void)dmasan_check_leaks();
		break;
	case 1:
		cb.nested = !cb.nested;
		break;
	case 2:
		FUZZ_CHECK(dma_get_cache_alignment() >= 16, "cache alignment");
		break;
	case 3:
		(void)dma_need_sync(dev, pick_handle(in));
		(void)dma_max_mapping_size(dev);
		(void)dma_opt_mapping_size(dev);
		break;
	case 4:
		dma_set_min_align_mask(dev, fin_u16(in));
		(void)dma_set_max_seg_size(dev, fin_u32(in));
		(void)dma_set_seg_boundary(dev, (unsigned long)fin_u64(in));
		break;
	default: {
		struct sg_table sgt;
		int k = fin_u8(in) % NCOH;

		if (cohs[k].used && cohs[k].live &&
		    dma_get_sgtable_attrs(dev, &sgt, cohs[k].cpu, cohs[k].dma, cohs[k].size, 0) ==
			    0)
			sg_free_table(&sgt);
		break;
	}
	}
}

/* ---- the run ---- */

static void release_all(void)
{
	int i;

	cb.nested = 0;
	for (i = 0; i < NMAP; i++) {
		struct mrec *m = &maps[i];

		if (m->used && m->live)
			unmap_as(dev_of(m->dev), m, m->kind, m->dma, m->size, m->dir, m->attrs,
				 m->nents);
		memset(m, 0, sizeof(*m));
	}
	for (i = 0; i < NBLK; i++) {
		struct brec *b = &blks[i];

		if (b->used && b->live)
			dma_pool_free(pools[b->pool].pool, b->vaddr, b->dma);
		memset(b, 0, sizeof(*b));
	}
	for (i = 0; i < NPOOL; i++) {
		if (pools[i].used && !pools[i].destroyed)
			dma_pool_destroy(pools[i].pool);
		memset(&pools[i], 0, sizeof(pools[i]));
	}
	for (i = 0; i < NCOH; i++) {
		struct crec *c = &cohs[i];

		if (c->used && c->live) {
			if (c->kind == CK_NONCOHERENT || c->kind == CK_PAGES)
				dma_free_noncoherent(dev_of(c->dev), c->size, c->cpu, c->dma,
						     (enum dma_data_direction)c->dir);
			else
				dma_free_attrs(dev_of(c->dev), c->size, c->cpu, c->dma, c->attrs);
		}
		memset(c, 0, sizeof(*c));
	}
	for (i = 0; i < NDEV; i++) {
		if (declared[i])
			dma_release_coherent_memory(&devs[i]);
		declared[i] = had_region[i] = 0;
	}
}

static void run(struct fuzz_in *in)
{
	uint8_t sbuf[STACK_BUF] __attribute__((aligned(256))); /* whole cache lines */
	unsigned long count = dmasan_error_count(), now, seen;
	int ops = 0;

	memset(sbuf, 0, sizeof(sbuf));
	stack_buf = sbuf;
	ASAN_POISON_MEMORY_REGION(sbuf, sizeof(sbuf));
	ASAN_POISON_MEMORY_REGION(arena, POISON_SPAN);
	while (fin_more(in) && ops++ < MAX_OPS) {
		uint8_t opc = fin_u8(in);

		seen = cb.n;
		if (trace)
			fprintf(stderr, "op %d: %u%s\n", ops, opc % 26,
				opc & 0x80 ? " (bit 7)" : "");
		switch (opc % 26) {
		case 0:
			op_dev_add(in);
			break;
		case 1:
			op_dev_del(in);
			break;
		case 2:
			op_set_mask(in);
			break;
		case 3:
			op_set_parms(in);
			break;
		case 4:
		case 5:
			op_map(in, MK_SINGLE);
			break;
		case 6:
			op_map(in, MK_PAGE);
			break;
		case 7:
			op_map_sg(in, 0);
			break;
		case 8:
			op_map_sg(in, 1);
			break;
		case 9:
			op_map(in, MK_RESOURCE);
			break;
		case 10:
		case 11:
			op_unmap(in);
			break;
		case 12:
			op_unmap_garbage(in);
			break;
		case 13:
		case 14:
			op_sync(in);
			break;
		case 15:
			op_mapping_error(in);
			break;
		case 16:
			op_alloc(in);
			break;
		case 17:
			op_free(in);
			break;
		case 18:
			if (opc & 0x80)
				op_release(in);
			else
				op_declare(in);
			break;
		case 19:
			op_pool_create(in);
			break;
		case 20:
			op_pool_alloc(in);
			break;
		case 21:
			if (opc & 0x80)
				op_pool_destroy(in);
			else
				op_pool_free(in);
			break;
		case 22:
			op_dev_access(in, 0);
			break;
		case 23:
			op_dev_access(in, 1);
			break;
		case 24:
			op_cpu_write(in);
			break;
		default:
			op_misc(in);
			break;
		}
		FUZZ_CHECK(rt_tracking() == 1, "tracking disabled itself after op %u (#%d)",
			   opc % 26, ops);
		now = dmasan_error_count();
		FUZZ_CHECK(now >= count, "dmasan_error_count went from %lu to %lu", count, now);
		FUZZ_CHECK(now - count == cb.n - seen,
			   "op %u: %lu findings counted, %lu reached the callback", opc % 26,
			   now - count, cb.n - seen);
		count = now;
	}
	release_all();
	FUZZ_CHECK(rt_tracking() == 1, "tracking disabled itself while releasing");
	ASAN_UNPOISON_MEMORY_REGION(arena, POISON_SPAN);
	ASAN_UNPOISON_MEMORY_REGION(sbuf, sizeof(sbuf));
	stack_buf = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;

	fin_init(&in, data, size);
	run(&in);
	if (++inputs % 16 == 0 || size > 512)
		check_log();
	return 0;
}
