/* SPDX-License-Identifier: MIT */
/*
 * dma_pool (core/pool.h). Block geometry is computed once per pool
 * (offsets within an allocation unit, skipping boundary crossings) and is
 * the same for every page. A LIFO free stack of (page, block) pairs makes
 * alloc and free O(1); free finds the page by a walk over the pool's pages.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "core/device.h"
#include "core/dma.h"
#include "core/heap.h"
#include "core/pool.h"
#include "core/report.h"
#include "core/runtime.h"
#include "core/stack.h"
#include "core/track.h"
#include "platform/platform.h"

#define POISON_FREED 0xa7
#define POISON_ALLOCATED 0xa9
#define POOL_PAGE 4096UL

struct pblock {
	uint8_t busy;
	uint32_t alloc_stack, free_stack;
	uint32_t alloc_tid, free_tid;
};

struct ppage {
	struct dmpool *pool;
	struct ppage *next;
	uintptr_t cpu;
	uint64_t dma;
	struct pblock *blocks;
};

struct pfree {
	struct ppage *page;
	uint32_t idx;
};

struct dmpool {
	char name[32];
	struct device *dev;
	struct dmdev *dd;
	size_t size, align, boundary, unit;
	size_t *offsets; /* block offsets inside a unit */
	size_t nper;	 /* blocks per unit */
	pthread_mutex_t lock;
	struct ppage *pages;
	struct pfree *freestack;
	size_t nfree, capfree;
	size_t nr_active;
	size_t npages; /* pages ever added */
	uint32_t create_stack, create_tid;
	uint64_t seq;
	int destroyed;
	int leak_reported;
	struct dmpool *next_all;
};

static pthread_mutex_t pools_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dmpool *all_pools;

static int is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

static int known_pool(const struct dmpool *p)
{
	struct dmpool *q;

	pthread_mutex_lock(&pools_lock);
	for (q = all_pools; q && q != p; q = q->next_all)
		;
	pthread_mutex_unlock(&pools_lock);
	return q != NULL;
}

static void bad_pool(const struct dmpool *pool, const char *api)
{
	struct finding f;

	fnd_init(&f, BUG_POOL_FREE_INVALID, NULL, 0);
	fnd_message(&f, "%s called with a pool that dma_pool_create never returned", api);
	fnd_fact(&f, "pool=%p", (const void *)pool);
	report_emit(&f);
}

struct dmpool *pool_create(const char *name, struct device *dev, size_t size, size_t align,
			   size_t boundary)
{
	struct dmpool *p;
	size_t off, n = 0;

	if (!rt_init())
		return NULL;
	if (!dev) {
		core_dev(NULL, "dma_pool_create");
		return NULL;
	}
	if (align == 0)
		align = 1;
	if (!is_pow2(align) || size == 0 || size > INT_MAX || align > INT_MAX)
		return NULL;
	if (boundary && (!is_pow2(boundary) || boundary < size))
		return NULL;
	if (size < 16)
		size = 16;
	size = (size + align - 1) & ~(align - 1);
	p = heap_calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->dd = core_dev(dev, "dma_pool_create");
	if (!p->dd) {
		heap_free(p);
		return NULL;
	}
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "(null)");
	p->dev = dev;
	p->size = size;
	p->align = align;
	p->unit = size > POOL_PAGE ? size : POOL_PAGE;
	p->boundary = boundary && boundary < p->unit ? boundary : p->unit;
	p->offsets = heap_calloc(p->unit / size + 1, sizeof(size_t));
	if (!p->offsets) {
		heap_free(p);
		return NULL;
	}
	for (off = 0; off + size <= p->unit;) {
		if (off / p->boundary != (off + size - 1) / p->boundary) {
			off = (off / p->boundary + 1) * p->boundary;
			continue;
		}
		p->offsets[n++] = off;
		off += size;
	}
	p->nper = n;
	if (!n) {
		heap_free(p->offsets);
		heap_free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->create_stack = stack_capture((int)rt_options()->map_context_size);
	p->create_tid = plat_tid();
	p->seq = track_next_seq();
	pthread_mutex_lock(&pools_lock);
	p->next_all = all_pools;
	all_pools = p;
	pthread_mutex_unlock(&pools_lock);
	return p;
}

static int grow_locked(struct dmpool *p)
{
	struct ppage *pg;
	size_t i, need;
	uint64_t dma;
	void *cpu;

	/* Room for every block of every page: all of them may be freed at once. */
	need = (p->npages + 1) * p->nper;
	if (need > p->capfree) {
		size_t ncap = need * 2;
		struct pfree *ns = heap_alloc(ncap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		if (p->freestack)
			memcpy(ns, p->freestack, p->nfree * sizeof(*ns));
		heap_free(p->freestack);
		p->freestack = ns;
		p->capfree = ncap;
	}
	pg = heap_calloc(1, sizeof(*pg));
	if (!pg)
		return -ENOMEM;
	pg->blocks = heap_calloc(p->nper, sizeof(*pg->blocks));
	cpu = pg->blocks ? core_alloc(p->dev, p->unit, &dma, 0, OBJ_POOL_PAGE, DMA_BIDIRECTIONAL,
				      "dma_pool_alloc") :
			   NULL;
	if (!cpu) {
		heap_free(pg->blocks);
		heap_free(pg);
		return -ENOMEM;
	}
	memset(cpu, POISON_FREED, p->unit);
	pg->cpu = (uintptr_t)cpu;
	pg->dma = dma;
	pg->pool = p;
	core_tag_pool_page(p->dev, dma, pg);
	pg->next = p->pages;
	p->pages = pg;
	p->npages++;
	/* Push in reverse so the lowest block is handed out first. */
	for (i = p->nper; i-- > 0;) {
		p->freestack[p->nfree].page = pg;
		p->freestack[p->nfree].idx = (uint32_t)i;
		p->nfree++;
	}
	return 0;
}

void *pool_alloc(struct dmpool *p, int zero, uint64_t *handle)
{
	struct finding f;
	struct pblock *b;
	struct pfree fr;
	uint8_t *mem;
	size_t i, bad = SIZE_MAX;
	uint32_t stack;

	if (!rt_init() || !p)
		return NULL;
	if (!known_pool(p)) {
		bad_pool(p, "dma_pool_alloc");
		return NULL;
	}
	stack = stack_capture((int)rt_options()->map_context_size);
	pthread_mutex_lock(&p->lock);
	/* A removed device's pool (reported as a leak then) hands nothing out, as a destroyed one. */
	if (p->destroyed || p->dd->removed || (!p->nfree && grow_locked(p) != 0)) {
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	fr = p->freestack[--p->nfree];
	b = &fr.page->blocks[fr.idx];
	mem = (uint8_t *)(fr.page->cpu + p->offsets[fr.idx]);
	for (i = 0; i < p->size; i++) {
		if (mem[i] != POISON_FREED) {
			bad = i;
			break;
		}
	}
	if (bad != SIZE_MAX) {
		fnd_init(&f, BUG_POOL_CORRUPTION, p->dd, stack);
		fnd_message(&f, "free dma_pool block of pool %s was written after it was freed",
			    p->name);
		f.has_dma = 1;
		f.dma_addr = fr.page->dma + p->offsets[fr.idx];
		f.cpu_addr = (uintptr_t)mem;
		f.size = p->size;
		fnd_fact(&f, "block=0x%lx", (unsigned long)(uintptr_t)mem);
		fnd_fact(&f, "first changed byte at offset %zu", bad);
		fnd_fact(&f, "value=0x%02x", mem[bad]);
		fnd_related(&f, "freed at", b->free_stack, b->free_tid);
		fnd_related(&f, "allocated at", b->alloc_stack, b->alloc_tid);
	}
	memset(mem, zero ? 0 : POISON_ALLOCATED, p->size);
	__atomic_store_n(&b->busy, 1, __ATOMIC_RELEASE);
	b->alloc_stack = stack;
	b->alloc_tid = plat_tid();
	p->nr_active++;
	atomic_fetch_add(&p->dd->live_pool_blocks, 1);
	*handle = fr.page->dma + p->offsets[fr.idx];
	pthread_mutex_unlock(&p->lock);
	if (bad != SIZE_MAX)
		report_emit(&f);
	return mem;
}

/*
 * Give the destroyed pool @p's pages @pg (taken off it) back, and its geometry
 * and free stack: the record stays, so that stale pool pointers are recognised.
 */
static void give_back(struct dmpool *p, struct ppage *pg, const char *api)
{
	struct ppage *next;

	for (; pg; pg = next) {
		next = pg->next;
		/* After dmasan_device_del() the pages were ended with the device: just give them back. */
		if (p->dd->removed)
			core_free_removed_page(p->dd, pg->dma);
		else
			core_free(p->dev, p->unit, (void *)pg->cpu, pg->dma, 0, OBJ_POOL_PAGE,
				  DMA_BIDIRECTIONAL, api, 0);
		heap_free(pg->blocks);
		heap_free(pg);
	}
	pthread_mutex_lock(&p->lock);
	heap_free(p->offsets);
	heap_free(p->freestack);
	p->offsets = NULL;
	p->freestack = NULL;
	p->capfree = 0;
	pthread_mutex_unlock(&p->lock);
}

void pool_free(struct dmpool *p, void *vaddr, uint64_t dma)
{
	uintptr_t a = (uintptr_t)vaddr;
	struct finding f;
	struct ppage *pg;
	struct pblock *b = NULL;
	size_t i, idx = 0;
	int kind = -1;
	uint32_t stack;

	if (!rt_init() || !p)
		return;
	if (!known_pool(p)) {
		bad_pool(p, "dma_pool_free");
		return;
	}
	stack = stack_capture((int)rt_options()->map_context_size);
	pthread_mutex_lock(&p->lock);
	for (pg = p->pages; pg; pg = pg->next)
		if (a >= pg->cpu && a < pg->cpu + p->unit)
			break;
	if (pg) {
		for (i = 0; i < p->nper; i++)
			if (pg->cpu + p->offsets[i] == a)
				break;
		idx = i;
	}
	if (!pg || idx == p->nper || pg->dma + p->offsets[idx] != dma) {
		kind = BUG_POOL_FREE_INVALID;
	} else {
		b = &pg->blocks[idx];
		if (!b->busy)
			kind = BUG_POOL_DOUBLE_FREE;
	}
	if (kind >= 0) {
		fnd_init(&f, (enum dmasan_bug)kind, p->dd, stack);
		if (kind == BUG_POOL_DOUBLE_FREE) {
			fnd_message(&f, "dma_pool block of pool %s freed twice", p->name);
			fnd_related(&f, "freed at", b->free_stack, b->free_tid);
			fnd_related(&f, "allocated at", b->alloc_stack, b->alloc_tid);
		} else if (pg && idx < p->nper) {
			fnd_message(
				&f,
				"dma_pool_free of pool %s with a DMA address that does not belong to the block",
				p->name);
		} else {
			fnd_message(&f, "dma_pool_free of an address that is no block of pool %s",
				    p->name);
		}
		f.has_dma = 1;
		f.dma_addr = dma;
		f.cpu_addr = a;
		f.size = p->size;
		fnd_fact(&f, "pool=%s", p->name);
		fnd_fact(&f, "vaddr=0x%lx", (unsigned long)a);
		fnd_fact(&f, "dma=0x%016llx", (unsigned long long)dma);
		pthread_mutex_unlock(&p->lock);
		report_emit(&f);
		return;
	}
	b->free_stack = stack;
	__atomic_store_n(&b->busy, 0, __ATOMIC_RELEASE);
	b->free_tid = plat_tid();
	memset(vaddr, POISON_FREED, p->size);
	p->freestack[p->nfree].page = pg;
	p->freestack[p->nfree].idx = (uint32_t)idx;
	p->nfree++;
	p->nr_active--;
	atomic_fetch_sub(&p->dd->live_pool_blocks, 1);
	/* The last late free of a pool destroyed busy: its pages go back now. */
	pg = NULL;
	if (p->destroyed && !p->nr_active) {
		pg = p->pages;
		p->pages = NULL;
		p->nfree = 0;
	}
	pthread_mutex_unlock(&p->lock);
	if (pg)
		give_back(p, pg, "dma_pool_free");
}

/* Up to 4 live blocks' allocation stacks as related stacks of @f. */
static void add_live_blocks(struct finding *f, struct dmpool *p)
{
	struct ppage *pg;
	size_t i;

	for (pg = p->pages; pg; pg = pg->next)
		for (i = 0; i < p->nper; i++)
			if (pg->blocks[i].busy)
				fnd_related(f, "live block allocated at", pg->blocks[i].alloc_stack,
					    pg->blocks[i].alloc_tid);
}

void pool_destroy(struct dmpool *p)
{
	struct ppage *pg;
	struct finding f;
	int busy = 0;

	if (!p || !rt_init())
		return;
	if (!known_pool(p)) {
		bad_pool(p, "dma_pool_destroy");
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (p->destroyed) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	p->destroyed = 1;
	if (p->nr_active) {
		/* As Linux: report, and keep the pages: the device may still use them. */
		busy = 1;
		p->leak_reported = 1;
		fnd_init(&f, BUG_POOL_DESTROY_BUSY, p->dd, 0);
		fnd_message(&f, "dma_pool_destroy %s busy: %zu blocks still allocated", p->name,
			    p->nr_active);
		fnd_fact(&f, "pool=%s", p->name);
		fnd_fact(&f, "busy blocks=%zu", p->nr_active);
		fnd_fact(&f, "block size=%zu", p->size);
		add_live_blocks(&f, p);
		pthread_mutex_unlock(&p->lock);
		report_emit(&f);
		return;
	}
	pg = p->pages;
	p->pages = NULL;
	p->nfree = 0;
	pthread_mutex_unlock(&p->lock);
	give_back(p, pg, "dma_pool_destroy");
	(void)busy;
}

void pool_after_fork(void)
{
	struct dmpool *p;

	pthread_mutex_init(&pools_lock, NULL);
	for (p = all_pools; p; p = p->next_all)
		pthread_mutex_init(&p->lock, NULL);
}

void pool_check_access(const void *ppage, uint64_t off, uint64_t len, struct pool_access *a)
{
	const struct ppage *pg = ppage;
	const struct dmpool *p = pg->pool;
	size_t i;

	memset(a, 0, sizeof(*a));
	a->pool = p->name;
	a->state = -1;
	/*
	 * Every block the access [off, off+len) touches: the first free one
	 * makes it a use after free (an access may start in a live block and
	 * run on into a freed neighbour); else the first live one is reported.
	 */
	for (i = 0; i < p->nper; i++) {
		const struct pblock *b = &pg->blocks[i];
		uint64_t lo = p->offsets[i];
		int busy;

		if (off >= lo + p->size || (lo >= off && lo - off >= len))
			continue; /* no overlap */
		busy = __atomic_load_n(&b->busy, __ATOMIC_ACQUIRE) ? 1 : 0;
		if (a->state == 1 && busy)
			continue;
		a->block_off = lo;
		a->state = busy;
		a->alloc_stack = b->alloc_stack;
		a->alloc_tid = b->alloc_tid;
		a->free_stack = b->free_stack;
		a->free_tid = b->free_tid;
		if (!busy)
			return;
	}
}

int pool_report_leaks(struct dmdev *only, int at_exit);

int pool_report_leaks(struct dmdev *only, int at_exit)
{
	struct dmpool *p;
	int count = 0;

	pthread_mutex_lock(&pools_lock);
	p = all_pools;
	pthread_mutex_unlock(&pools_lock);
	for (; p; p = p->next_all) {
		struct leaked_block {
			uint64_t dma;
			uintptr_t cpu;
			uint32_t stack;
		} few[16], *leaks;
		struct finding f;
		struct ppage *pg;
		size_t i, nbusy, nleaks, cap, live;

		if (only && p->dd != only)
			continue;
		if (at_exit && p->seq <= rt_fork_seq())
			continue;
		pthread_mutex_lock(&p->lock);
		if (p->destroyed || p->leak_reported) {
			pthread_mutex_unlock(&p->lock);
			continue;
		}
		p->leak_reported = 1;
		/*
		 * Take the busy blocks down under the lock and report them after:
		 * another thread may free blocks, and with the last one their page,
		 * while a finding is written.
		 */
		nbusy = 0;
		for (pg = p->pages; pg; pg = pg->next)
			for (i = 0; i < p->nper; i++)
				nbusy += pg->blocks[i].busy != 0;
		/* Out of memory, the first few blocks still get their findings. */
		leaks = nbusy > 16 ? heap_calloc(nbusy, sizeof(*leaks)) : NULL;
		cap = leaks ? nbusy : 16;
		if (!leaks)
			leaks = few;
		nleaks = 0;
		for (pg = p->pages; pg; pg = pg->next) {
			for (i = 0; i < p->nper && nleaks < cap; i++) {
				if (!pg->blocks[i].busy)
					continue;
				leaks[nleaks].dma = pg->dma + p->offsets[i];
				leaks[nleaks].cpu = pg->cpu + p->offsets[i];
				leaks[nleaks].stack = pg->blocks[i].alloc_stack;
				nleaks++;
			}
		}
		live = p->nr_active;
		pthread_mutex_unlock(&p->lock);
		for (i = 0; i < nleaks; i++) {
			fnd_init(&f, BUG_LEAK_POOL_BLOCK, p->dd, leaks[i].stack);
			fnd_message(&f, "dma_pool block of pool %s still allocated at %s", p->name,
				    only    ? "device removal" :
				    at_exit ? "exit" :
					      "leak check");
			f.has_dma = 1;
			f.dma_addr = leaks[i].dma;
			f.cpu_addr = leaks[i].cpu;
			f.size = p->size;
			fnd_fact(&f, "pool=%s", p->name);
			fnd_fact(&f, "device address=0x%016llx", (unsigned long long)f.dma_addr);
			fnd_fact(&f, "size=%zu bytes", p->size);
			f.stack = leaks[i].stack;
			report_emit(&f);
			count++;
		}
		if (leaks != few)
			heap_free(leaks);
		fnd_init(&f, BUG_LEAK_POOL, p->dd, p->create_stack);
		fnd_message(&f, "dma_pool %s was never destroyed before %s", p->name,
			    only    ? "device removal" :
			    at_exit ? "exit" :
				      "leak check");
		fnd_fact(&f, "pool=%s", p->name);
		fnd_fact(&f, "block size=%zu", p->size);
		fnd_fact(&f, "live blocks=%zu", live);
		if (nleaks < nbusy)
			fnd_fact(&f, "blocks not listed (out of memory)=%zu", nbusy - nleaks);
		f.stack = p->create_stack;
		report_emit(&f);
		count++;
	}
	return count;
}
