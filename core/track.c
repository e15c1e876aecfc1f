/* SPDX-License-Identifier: MIT */
/*
 * The object index, quarantine and physical placement described in
 * core/track.h. Invariants: an object is in the index from track_insert()
 * until quarantine eviction; its refs count the index (1) plus every
 * lookup in flight; it is freed when refs drops to 0, which can only
 * happen after eviction. Buckets are locked one at a time, never nested.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/device.h"
#include "core/heap.h"
#include "core/track.h"
#include "platform/platform.h"

#define PAGE_SHIFT_BUS 12
#define NBUCKETS (1u << 16)

struct bucket {
	struct spin lock;
	struct pref *head;
};

static struct bucket *buckets;	    /* live objects */
static struct bucket *dead_buckets; /* quarantined (ended) objects */
static struct bucket *cpu_buckets;  /* device-writable objects by CPU page */
unsigned int track_line = 64;
unsigned int track_line_shift = 6;
#define line_size track_line
static unsigned int quarantine_len;
static _Atomic(struct dmobj *) *quarantine;
#define QSHARDS 16
/* One cursor per quarantine shard, each on its own cache line. */
static struct {
	atomic_ulong v;
	char pad[64 - sizeof(atomic_ulong)];
} quarantine_pos[QSHARDS];
static atomic_ulong event_seq;

static inline uint64_t mkkey(unsigned int space, uint64_t page)
{
	return ((uint64_t)space << 48) | (page & ((1ULL << 48) - 1));
}

static inline unsigned int hash_key(uint64_t key)
{
	return (unsigned int)((key * 0x9e3779b97f4a7c15ULL) >> 48);
}

static inline struct bucket *bucket_of(uint64_t key)
{
	return &buckets[hash_key(key)];
}

static inline struct bucket *dead_bucket_of(uint64_t key)
{
	return &dead_buckets[hash_key(key)];
}

/* Push @p on @b's chain; caller holds b->lock. */
static void link_pref(struct bucket *b, struct pref *p)
{
	p->next = b->head;
	if (p->next)
		p->next->pprev = &p->next;
	p->pprev = &b->head;
	b->head = p;
}

/* Take @p off its chain; caller holds its bucket's lock. */
static void unlink_pref(struct pref *p)
{
	*p->pprev = p->next;
	if (p->next)
		p->next->pprev = p->pprev;
	p->next = NULL;
	p->pprev = NULL;
}

int track_init(unsigned int line, unsigned int quarantine_size)
{
	buckets = heap_calloc(NBUCKETS, sizeof(*buckets));
	dead_buckets = heap_calloc(NBUCKETS, sizeof(*dead_buckets));
	cpu_buckets = heap_calloc(NBUCKETS, sizeof(*cpu_buckets));
	if (!buckets || !dead_buckets || !cpu_buckets)
		return -ENOMEM;
	line_size = line;
	track_line_shift = (unsigned int)__builtin_ctz(line ? line : 64);
	quarantine_len = quarantine_size;
	if (quarantine_len) {
		quarantine = heap_calloc(quarantine_len, sizeof(*quarantine));
		if (!quarantine)
			quarantine_len = 0;
	}
	return 0;
}

/*
 * Sequence numbers come in per-thread blocks of 256, so the hot path does
 * not bounce one counter between cores: unique, increasing per thread,
 * roughly ordered across threads.
 */
#define SEQ_BLOCK 256
static __thread uint64_t seq_next, seq_end;

uint64_t track_next_seq(void)
{
	if (seq_next == seq_end) {
		seq_next =
			atomic_fetch_add_explicit(&event_seq, SEQ_BLOCK, memory_order_relaxed) + 1;
		seq_end = seq_next + SEQ_BLOCK;
	}
	return seq_next++;
}

uint64_t track_seq_horizon(void)
{
	return atomic_load_explicit(&event_seq, memory_order_relaxed) + 1;
}

void track_seq_after_fork(void)
{
	seq_next = seq_end = 0;
}

struct dmobj *track_new(struct dmdev *dd, enum obj_type type, uint64_t dma, uintptr_t cpu,
			uint64_t size, int dir)
{
	uint64_t nlines = 0;
	struct dmobj *o;

	if (cpu && size)
		nlines = ((cpu + size - 1) >> track_line_shift) - (cpu >> track_line_shift) + 1;
	if (nlines > UINT32_MAX)
		return NULL;
	o = heap_small_alloc(sizeof(*o) + nlines);
	if (!o)
		return NULL;
	memset(o, 0, sizeof(*o));
	memset(o->lines, 0, nlines);
	o->dd = dd;
	o->type = (uint8_t)type;
	o->dma = dma;
	o->cpu = cpu;
	o->size = size;
	o->dir = (int8_t)dir;
	o->nlines = (uint32_t)nlines;
	atomic_init(&o->live, 1);
	atomic_init(&o->refs, 1);
	return o;
}

void track_discard(struct dmobj *o)
{
	size_t span = (size_t)o->nlines * track_line;

	if (o->snap != o->shadow)
		heap_small_free(o->snap, span);
	heap_small_free(o->shadow, span);
	if (o->cpul != &o->cpu1)
		heap_free(o->cpul);
	heap_free(o->more);
	heap_small_free(o, sizeof(*o) + o->nlines);
}

void track_get(struct dmobj *o)
{
	atomic_fetch_add_explicit(&o->refs, 1, memory_order_relaxed);
}

void track_put(struct dmobj *o)
{
	if (atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) == 1)
		track_discard(o);
}

static inline struct pref *link_of(struct dmobj *o, uint32_t i)
{
	return i < 2 ? &o->link[i] : &o->more[i - 2];
}

static uint64_t first_page(const struct dmobj *o)
{
	return o->dma >> PAGE_SHIFT_BUS;
}

int track_insert(struct dmobj *o)
{
	uint64_t span = o->size ? o->size : 1;
	uint64_t pages = ((o->dma + span - 1) >> PAGE_SHIFT_BUS) - first_page(o) + 1;
	uint32_t i;

	if (pages > (1u << 20))
		return -ENOMEM;
	if (pages > 2) {
		o->more = heap_calloc(pages - 2, sizeof(*o->more));
		if (!o->more)
			return -ENOMEM;
	}
	o->npages = (uint32_t)pages;
	for (i = 0; i < o->npages; i++) {
		struct pref *p = link_of(o, i);
		struct bucket *b;

		p->obj = o;
		p->key = mkkey(o->space, first_page(o) + i);
		b = bucket_of(p->key);
		spin_lock(&b->lock);
		if (i == 0 &&
		    atomic_load_explicit(&o->maperr, memory_order_relaxed) == MAPERR_NOT_CHECKED) {
			struct pref *q;

			/* For dma_mapping_error(): is this map the oldest live one at its address? */
			for (q = b->head; q && !o->dup_dma; q = q->next)
				o->dup_dma =
					q->key == p->key && q->obj->dd == o->dd &&
					q->obj->dma == o->dma &&
					atomic_load_explicit(&q->obj->live, memory_order_acquire);
		}
		link_pref(b, p);
		spin_unlock(&b->lock);
	}
	return 0;
}

/* Move every link of @o from table @from to table @to (NULL: drop them). */
static void move_obj(struct dmobj *o, struct bucket *from, struct bucket *to)
{
	uint32_t i;

	for (i = 0; i < o->npages; i++) {
		struct pref *p = link_of(o, i);
		struct bucket *b = &from[hash_key(p->key)];

		spin_lock(&b->lock);
		if (p->pprev)
			unlink_pref(p);
		spin_unlock(&b->lock);
		if (!to)
			continue;
		b = &to[hash_key(p->key)];
		spin_lock(&b->lock);
		link_pref(b, p);
		spin_unlock(&b->lock);
	}
}

static void unlink_obj(struct dmobj *o)
{
	move_obj(o, dead_buckets, NULL);
}

/* Reset every lock of @table (64K buckets) and of the objects linked in it. */
static void unlock_table(struct bucket *table)
{
	unsigned int i;

	if (!table)
		return;
	for (i = 0; i < NBUCKETS; i++) {
		struct pref *p;

		atomic_store(&table[i].lock.v, 0);
		for (p = table[i].head; p; p = p->next)
			atomic_store(&p->obj->lock.v, 0);
	}
}

static void alias_after_fork(void);

void track_after_fork(void)
{
	unlock_table(buckets);
	unlock_table(dead_buckets);
	unlock_table(cpu_buckets);
	alias_after_fork();
}

int track_cpu_register(struct dmobj *o)
{
	uint64_t first, pages;
	uint32_t i;

	if (!o->cpu || !o->size || o->cpul)
		return 0;
	first = o->cpu >> PAGE_SHIFT_BUS;
	pages = ((o->cpu + o->size - 1) >> PAGE_SHIFT_BUS) - first + 1;
	o->cpul = pages == 1 ? &o->cpu1 : heap_calloc(pages, sizeof(*o->cpul));
	if (!o->cpul)
		return -ENOMEM;
	o->ncpul = (uint32_t)pages;
	for (i = 0; i < o->ncpul; i++) {
		struct pref *p = &o->cpul[i];
		struct bucket *b;

		p->obj = o;
		p->key = mkkey(0, first + i);
		b = &cpu_buckets[hash_key(p->key)];
		spin_lock(&b->lock);
		link_pref(b, p);
		spin_unlock(&b->lock);
	}
	return 0;
}

static void cpu_unregister(struct dmobj *o)
{
	uint32_t i;

	for (i = 0; i < o->ncpul; i++) {
		struct pref *p = &o->cpul[i];
		struct bucket *b = &cpu_buckets[hash_key(p->key)];

		spin_lock(&b->lock);
		if (p->pprev)
			unlink_pref(p);
		spin_unlock(&b->lock);
	}
	if (o->cpul != &o->cpu1)
		heap_free(o->cpul);
	o->cpul = NULL;
	o->ncpul = 0;
}

void track_retire(struct dmobj *o)
{
	struct dmobj *old;
	unsigned long pos;

	if (o->cpul)
		cpu_unregister(o);
	if (!quarantine_len) {
		move_obj(o, buckets, NULL);
		track_put(o);
		return;
	}
	move_obj(o, buckets, dead_buckets);
	{
		/* Threads use their own shard of the ring, so they rarely share a cursor. */
		unsigned int shards = quarantine_len >= 64 * QSHARDS ? QSHARDS : 1;
		unsigned int shard =
			shards > 1 ? (unsigned int)((plat_tid() * 2654435761u) >> 8) % shards : 0;
		unsigned int per = quarantine_len / shards;

		pos = atomic_fetch_add_explicit(&quarantine_pos[shard].v, 1, memory_order_relaxed);
		old = atomic_exchange_explicit(&quarantine[shard * per + pos % per], o,
					       memory_order_acq_rel);
	}
	if (old) {
		unlink_obj(old);
		track_put(old);
	}
}

static int type_class(int type)
{
	return type == OBJ_PAGE ? OBJ_SINGLE : type;
}

/* The newest dead object of @dd matching @dma exactly (@exact) or containing it. */
static struct dmobj *find_dead(struct dmdev *dd, uint64_t dma, int exact)
{
	uint64_t key = mkkey(dd->space, dma >> PAGE_SHIFT_BUS);
	struct bucket *b = dead_bucket_of(key);
	struct dmobj *found = NULL;
	struct pref *p;

	spin_lock(&b->lock);
	for (p = b->head; p; p = p->next) {
		struct dmobj *o = p->obj;
		uint64_t span = o->size ? o->size : 1;

		if (p->key != key || o->dd != dd)
			continue;
		if (exact ? o->dma != dma : (dma < o->dma || dma - o->dma >= span))
			continue;
		if (!found || o->seq > found->seq)
			found = o;
	}
	if (found)
		track_get(found);
	spin_unlock(&b->lock);
	return found;
}

void track_check_map_error(struct dmdev *dd, uint64_t dma)
{
	uint64_t key = mkkey(dd->space, dma >> PAGE_SHIFT_BUS);
	struct bucket *b = bucket_of(key);
	struct dmobj *first;
	struct pref *p;

	if (!buckets)
		return;
	spin_lock(&b->lock);
	do {
		unsigned char want = MAPERR_NOT_CHECKED;

		first = NULL;
		for (p = b->head; p; p = p->next) {
			struct dmobj *o = p->obj;

			if (p->key != key || o->dd != dd || o->dma != dma ||
			    atomic_load_explicit(&o->maperr, memory_order_relaxed) !=
				    MAPERR_NOT_CHECKED ||
			    !atomic_load_explicit(&o->live, memory_order_acquire))
				continue;
			/* Chains run newest first: the last match was inserted first
			 * (the order dup_dma was decided in). */
			first = o;
		}
		/* Another thread's check may have taken it meanwhile: then the next one. */
		if (first && atomic_compare_exchange_strong_explicit(
				     &first->maperr, &want, MAPERR_CHECKED, memory_order_relaxed,
				     memory_order_relaxed))
			break;
	} while (first);
	spin_unlock(&b->lock);
}

struct dmobj *track_find_exact(struct dmdev *dd, uint64_t dma, uint64_t size, int type, int dir)
{
	uint64_t key = mkkey(dd->space, dma >> PAGE_SHIFT_BUS);
	struct bucket *b = bucket_of(key);
	struct dmobj *best = NULL, *dead = NULL;
	int best_score = -1;
	struct pref *p;

	if (!buckets)
		return NULL;

	spin_lock(&b->lock);
	for (p = b->head; p; p = p->next) {
		struct dmobj *o = p->obj;
		int score;

		if (p->key != key || o->dd != dd || o->dma != dma)
			continue;
		if (!atomic_load_explicit(&o->live, memory_order_acquire)) {
			if (!dead || o->seq > dead->seq)
				dead = o;
			continue;
		}
		score = (o->size == size) + (type_class(o->type) == type_class(type)) +
			(o->dir == dir);
		if (score > best_score || (score == best_score && o->seq > best->seq)) {
			best = o;
			best_score = score;
		}
	}
	if (!best)
		best = dead;
	if (best)
		track_get(best);
	spin_unlock(&b->lock);
	return best ? best : find_dead(dd, dma, 1);
}

/*
 * The newest live object of @dd in bucket @b (held) containing @dma into
 * *@live, and the newest dead one into *@dead (NULL: live ones only).
 */
static inline void scan_containing(struct bucket *b, uint64_t key, const struct dmdev *dd,
				   uint64_t dma, struct dmobj **live, struct dmobj **dead)
{
	struct pref *p;

	for (p = b->head; p; p = p->next) {
		struct dmobj *o = p->obj;
		uint64_t span = o->size ? o->size : 1;

		if (p->key != key || o->dd != dd || dma < o->dma || dma - o->dma >= span)
			continue;
		if (atomic_load_explicit(&o->live, memory_order_acquire)) {
			if (!*live || o->seq > (*live)->seq)
				*live = o;
		} else if (dead && (!*dead || o->seq > (*dead)->seq)) {
			*dead = o;
		}
	}
}

struct dmobj *track_find_containing(struct dmdev *dd, uint64_t dma, int *is_dead)
{
	uint64_t key = mkkey(dd->space, dma >> PAGE_SHIFT_BUS);
	struct bucket *b = bucket_of(key);
	struct dmobj *live = NULL, *dead = NULL;

	if (!buckets)
		return NULL;

	spin_lock(&b->lock);
	scan_containing(b, key, dd, dma, &live, &dead);
	if (live)
		dead = NULL;
	if (live || dead)
		track_get(live ? live : dead);
	spin_unlock(&b->lock);
	if (!live && !dead)
		dead = find_dead(dd, dma, 0);
	if (is_dead)
		*is_dead = !live && dead;
	return live ? live : dead;
}

struct dmobj *track_lock_containing(struct dmdev *dd, uint64_t dma, int *is_dead, int *ref)
{
	uint64_t key = mkkey(dd->space, dma >> PAGE_SHIFT_BUS);
	struct bucket *b = bucket_of(key);
	struct dmobj *live = NULL;

	*ref = 0;
	if (!buckets)
		return NULL;
	spin_lock(&b->lock);
	scan_containing(b, key, dd, dma, &live, NULL);
	/*
	 * Bucket then object is the lock order (ranks 3, 4), but spinning on
	 * an object lock with the bucket held would stall every lookup in the
	 * bucket behind one slow holder: try once. With the object lock held,
	 * `live` cannot change, and a live object keeps the index's reference.
	 */
	if (live && spin_trylock(&live->lock)) {
		if (atomic_load_explicit(&live->live, memory_order_relaxed)) {
			spin_unlock(&b->lock);
			if (is_dead)
				*is_dead = 0;
			return live;
		}
		spin_unlock(&live->lock);
	}
	spin_unlock(&b->lock);
	/* Contended or ended meanwhile: the referenced path. */
	live = track_find_containing(dd, dma, is_dead);
	if (live) {
		*ref = 1;
		spin_lock(&live->lock);
		if (is_dead && !atomic_load_explicit(&live->live, memory_order_relaxed))
			*is_dead = 1; /* ended between the lookup and the lock */
	}
	return live;
}

struct dmobj *track_find_overlap(struct dmobj *self,
				 int (*filter)(const struct dmobj *o, const struct dmobj *self))
{
	uint64_t lo, hi, page, last;

	if (!self->cpu || !self->size)
		return NULL;
	lo = self->cpu >> track_line_shift;
	hi = (self->cpu + self->size - 1) >> track_line_shift;
	last = (self->cpu + self->size - 1) >> PAGE_SHIFT_BUS;
	for (page = self->cpu >> PAGE_SHIFT_BUS; page <= last; page++) {
		uint64_t key = mkkey(0, page);
		struct bucket *b = &cpu_buckets[hash_key(key)];
		struct dmobj *hit = NULL;
		struct pref *p;

		spin_lock(&b->lock);
		for (p = b->head; p; p = p->next) {
			struct dmobj *o = p->obj;

			if (p->key != key || o == self ||
			    !atomic_load_explicit(&o->live, memory_order_acquire))
				continue;
			if ((o->cpu + o->size - 1) >> track_line_shift < lo ||
			    o->cpu >> track_line_shift > hi)
				continue;
			if (filter && !filter(o, self))
				continue;
			hit = o;
			track_get(o);
			break;
		}
		spin_unlock(&b->lock);
		if (hit)
			return hit;
	}
	return NULL;
}

void track_record(struct dmobj *o, enum obj_event_kind what, int dir, uint64_t offset,
		  uint64_t size, uintptr_t pc, uint32_t tid)
{
	struct obj_event *e = &o->hist[o->hist_pos];

	e->seq = (uint32_t)track_next_seq();
	e->offset = offset > UINT32_MAX ? UINT32_MAX : (uint32_t)offset;
	e->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	e->tid = tid;
	e->pc_what = ((uint64_t)pc >> 56 ? 0 : (uint64_t)pc << 8) |
		     (uint64_t)((unsigned int)dir & 0xf) << 4 | ((unsigned int)what & 0xf);
	o->hist_pos = (uint8_t)((o->hist_pos + 1) % OBJ_HISTORY);
	if (o->hist_n < OBJ_HISTORY)
		o->hist_n++;
}

static int by_seq(const void *a, const void *b)
{
	const struct dmobj *x = *(struct dmobj *const *)a;
	const struct dmobj *y = *(struct dmobj *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

long track_for_each_live(int (*fn)(struct dmobj *o, void *arg), void *arg)
{
	struct dmobj **all = NULL;
	size_t n = 0, cap = 0, i;
	unsigned int bi;

	if (!buckets)
		return 0;
	for (bi = 0; bi < NBUCKETS; bi++) {
		struct bucket *b = &buckets[bi];
		struct pref *p;

		spin_lock(&b->lock);
		for (p = b->head; p; p = p->next) {
			struct dmobj *o = p->obj;

			if (p != &o->link[0] ||
			    !atomic_load_explicit(&o->live, memory_order_acquire))
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct dmobj **na = heap_alloc(ncap * sizeof(*na));

				if (!na)
					break;
				if (all)
					memcpy(na, all, n * sizeof(*na));
				heap_free(all);
				all = na;
				cap = ncap;
			}
			track_get(o);
			all[n++] = o;
		}
		spin_unlock(&b->lock);
	}
	if (n)
		qsort(all, n, sizeof(*all), by_seq);
	for (i = 0; i < n; i++) {
		int stop = fn(all[i], arg);

		track_put(all[i]);
		if (stop) {
			for (i++; i < n; i++)
				track_put(all[i]);
			break;
		}
	}
	heap_free(all);
	return (long)n;
}

/* ---- simulated physical placement ---- */

#define CHUNK_SHIFT 21
#define CHUNK_SIZE (1ULL << CHUNK_SHIFT)
#define CHUNK_SLOTS (1u << 16)
#define PHYS_NONE 1ULL /* placed, but no simulated memory was left */

struct chunk_slot {
	atomic_ullong key;  /* host chunk number + 1; 0 = empty */
	atomic_ullong phys; /* simulated base; 0 = being placed */
};

static struct chunk_slot chunks[CHUNK_SLOTS];
static int place_high;

/* Reverse placement, for device accesses once tracking is off: simulated
 * chunk (below 64 GiB) -> host chunk + 1. */
#define REV_SLOTS (1u << 15)
static atomic_ullong rev[REV_SLOTS];

static void rev_set(uint64_t phys, uint64_t host_chunk)
{
	uint64_t i = phys >> CHUNK_SHIFT;

	if (i < REV_SLOTS)
		atomic_store_explicit(&rev[i], host_chunk + 1, memory_order_release);
}

uintptr_t place_to_host(uint64_t phys)
{
	uint64_t i = phys >> CHUNK_SHIFT, h;

	if (i >= REV_SLOTS)
		return 0;
	h = atomic_load_explicit(&rev[i], memory_order_acquire);
	return h ? (uintptr_t)(((h - 1) << CHUNK_SHIFT) | (phys & (CHUNK_SIZE - 1))) : 0;
}

/*
 * Simulated RAM, split into the DMA32 zone (below 4 GiB) and the normal
 * zone, each a list of ranges with holes (reserved regions, swiotlb) cut
 * out. Each range is handed out by an atomic bump cursor.
 */
#define ZONE_RANGES 64

struct zrange {
	uint64_t lo, hi;
	atomic_ullong next;
};

struct zone_map {
	int n;
	struct zrange r[ZONE_RANGES];
};

static struct zone_map zones[2];
static int zones_ready;
static uint64_t dram_base = DRAM_BASE;

static void zone_add(struct zone_map *z, uint64_t lo, uint64_t hi)
{
	if (lo >= hi || z->n >= ZONE_RANGES)
		return;
	z->r[z->n].lo = lo;
	z->r[z->n].hi = hi;
	atomic_init(&z->r[z->n].next, lo);
	z->n++;
}

/* Cut [lo, hi) out of every range of @z. */
static void zone_cut(struct zone_map *z, uint64_t lo, uint64_t hi)
{
	int i, n = z->n;

	for (i = 0; i < n; i++) {
		struct zrange *r = &z->r[i];
		uint64_t a = r->lo, b = r->hi;

		if (hi <= a || lo >= b)
			continue;
		if (lo > a && hi < b) {
			r->hi = lo;
			zone_add(z, hi, b);
		} else if (lo <= a && hi >= b) {
			r->hi = r->lo;
		} else if (lo <= a) {
			r->lo = hi;
		} else {
			r->hi = lo;
		}
		atomic_store(&r->next, r->lo);
	}
}

void place_configure(const uint64_t (*banks)[2], int nbanks, const uint64_t (*holes)[2], int nholes)
{
	int i;

	memset(zones, 0, sizeof(zones));
	dram_base = ~0ULL;
	for (i = 0; i < nbanks; i++) {
		uint64_t lo = banks[i][0], hi = banks[i][0] + banks[i][1];

		if (lo < dram_base)
			dram_base = lo;
		if (lo < DRAM_DMA32_END)
			zone_add(&zones[ZONE_DMA32], lo, hi < DRAM_DMA32_END ? hi : DRAM_DMA32_END);
		if (hi > DRAM_DMA32_END)
			zone_add(&zones[ZONE_NORMAL], lo > DRAM_DMA32_END ? lo : DRAM_DMA32_END,
				 hi);
	}
	/* Page 0..2 MiB stays unused, so that 0 is never a valid placement. */
	zone_cut(&zones[ZONE_DMA32], 0, CHUNK_SIZE);
	for (i = 0; i < nholes; i++) {
		zone_cut(&zones[ZONE_DMA32], holes[i][0], holes[i][0] + holes[i][1]);
		zone_cut(&zones[ZONE_NORMAL], holes[i][0], holes[i][0] + holes[i][1]);
	}
	if (dram_base == ~0ULL)
		dram_base = DRAM_BASE;
	zones_ready = 1;
}

static void zones_default(void)
{
	static const uint64_t bank[1][2] = { { DRAM_BASE, DRAM_END - DRAM_BASE } };

	if (!zones_ready)
		place_configure(bank, 1, NULL, 0);
}

uint64_t place_dram_base(void)
{
	zones_default();
	return dram_base;
}

uint64_t place_carve_dma32_top(uint64_t size)
{
	struct zone_map *z = &zones[ZONE_DMA32];
	int i, best = -1;

	zones_default();
	for (i = 0; i < z->n; i++)
		if (z->r[i].hi - z->r[i].lo >= size && (best < 0 || z->r[i].hi > z->r[best].hi))
			best = i;
	if (best < 0)
		return 0;
	z->r[best].hi -= size;
	return z->r[best].hi;
}

void place_set_policy(int high)
{
	place_high = high;
}

static uint64_t zone_take(enum zone zi, uint64_t len)
{
	struct zone_map *z = &zones[zi];
	int i;

	zones_default();
	for (i = 0; i < z->n; i++) {
		struct zrange *r = &z->r[i];
		unsigned long long cur = atomic_load_explicit(&r->next, memory_order_relaxed);

		while (cur + len <= r->hi && cur + len > cur) {
			if (atomic_compare_exchange_weak(&r->next, &cur, cur + len))
				return cur;
		}
	}
	return 0;
}

static uint64_t zone_take_any(uint64_t len)
{
	uint64_t at;

	at = zone_take(place_high ? ZONE_NORMAL : ZONE_DMA32, len);
	if (!at)
		at = zone_take(place_high ? ZONE_DMA32 : ZONE_NORMAL, len);
	return at;
}

/*
 * The simulated base of host chunk @c. An unplaced chunk is placed at
 * @want when non-zero, else by the placement policy; *@created says so.
 */
static uint64_t chunk_phys(uint64_t c, uint64_t want, int *created)
{
	uint64_t key = c + 1, h = (c * 0x9e3779b97f4a7c15ULL) >> 48;
	uint32_t i;

	*created = 0;
	for (i = 0; i < CHUNK_SLOTS; i++) {
		struct chunk_slot *s = &chunks[(h + i) & (CHUNK_SLOTS - 1)];
		unsigned long long k = atomic_load_explicit(&s->key, memory_order_acquire);
		uint64_t phys;

		if (k == 0) {
			unsigned long long zero = 0;

			if (!atomic_compare_exchange_strong(&s->key, &zero, key)) {
				k = zero;
			} else {
				phys = want ? want : zone_take_any(CHUNK_SIZE);
				if (phys)
					rev_set(phys, c);
				atomic_store_explicit(&s->phys, phys ? phys : PHYS_NONE,
						      memory_order_release);
				*created = 1;
				return phys;
			}
		}
		if (k != key)
			continue;
		while ((phys = atomic_load_explicit(&s->phys, memory_order_acquire)) == 0)
			sched_yield();
		return phys == PHYS_NONE ? 0 : phys;
	}
	return 0;
}

/*
 * Alias ranges. A buffer crossing chunks that were not placed adjacently
 * is reached through a private contiguous range of simulated memory, one
 * per run of host pages: every mapping of the same pages shares it (they
 * keep one address while mapped). place_host() takes a hold on it,
 * place_put() drops one; the last drop gives the range back. Ranges given
 * back are reused (the oldest that fits, merged with free neighbours)
 * before the zones' cursors move on, so simulated memory used for aliases
 * stays bounded by the aliases live at once.
 * Fixed tables, no heap: place_host() also serves untracked maps made in
 * signal handlers. A handler that interrupted its own thread in here, or
 * a full table, gets a fresh range that is never given back.
 */
#define ALIAS_MAX 4096	/* aliases held at once */
#define ALIAS_HASH 1024 /* chains, by first host page */
#define ALIAS_GAPS 1024 /* free ranges remembered */
#define APAGE_SHIFT 12

struct alias {
	uint64_t page, npages; /* host pages covered */
	uint64_t base;	       /* simulated address of the first */
	uint64_t holds;
	int next; /* next in its chain or in the spare list: index + 1, 0 ends */
};

struct alias_gap {
	uint64_t base, len;
};

static struct spin alias_lock; /* leaf: nothing is taken under it */
static __thread int alias_inside;
static struct alias aliases[ALIAS_MAX];
static int alias_head[ALIAS_HASH]; /* index + 1 */
static int alias_spare, alias_recs;
static struct alias_gap alias_gaps[ALIAS_GAPS]; /* oldest first */
static int alias_ngaps;

static void alias_after_fork(void)
{
	atomic_store(&alias_lock.v, 0);
}

static unsigned int alias_hash(uint64_t page, uint64_t npages)
{
	return (unsigned int)(((page ^ (npages << 40)) * 0x9e3779b97f4a7c15ULL) >> 54);
}

static int same_zone(uint64_t a, uint64_t b)
{
	return (a >= DRAM_DMA32_END) == (b >= DRAM_DMA32_END);
}

/* The oldest free range of @zi that fits @len; caller holds alias_lock. */
static uint64_t gap_take(enum zone zi, uint64_t len)
{
	int i;

	for (i = 0; i < alias_ngaps; i++) {
		struct alias_gap *g = &alias_gaps[i];
		uint64_t at = g->base;

		if (g->len < len || (at >= DRAM_DMA32_END) != (zi == ZONE_NORMAL))
			continue;
		g->base += len;
		g->len -= len;
		if (!g->len) {
			memmove(g, g + 1, (size_t)(alias_ngaps - i - 1) * sizeof(*g));
			alias_ngaps--;
		}
		return at;
	}
	return 0;
}

/* Give [base, base+len) back, merged with free neighbours; caller holds alias_lock. */
static void gap_put(uint64_t base, uint64_t len)
{
	int i = 0;

	while (i < alias_ngaps) {
		struct alias_gap *g = &alias_gaps[i];

		if (same_zone(g->base, base) &&
		    (g->base + g->len == base || base + len == g->base)) {
			base = g->base < base ? g->base : base;
			len += g->len;
			memmove(g, g + 1, (size_t)(alias_ngaps - i - 1) * sizeof(*g));
			alias_ngaps--;
			continue;
		}
		i++;
	}
	if (alias_ngaps < ALIAS_GAPS)
		alias_gaps[alias_ngaps++] = (struct alias_gap){ base, len };
	/* else lost for good, as every alias range was before they were reclaimed */
}

/* Simulated memory for an alias, zones in placement order; caller holds alias_lock. */
static uint64_t alias_take(uint64_t len)
{
	enum zone first = place_high ? ZONE_NORMAL : ZONE_DMA32;
	enum zone second = place_high ? ZONE_DMA32 : ZONE_NORMAL;
	uint64_t at = gap_take(first, len);

	if (!at)
		at = zone_take(first, len);
	if (!at)
		at = gap_take(second, len);
	if (!at)
		at = zone_take(second, len);
	return at;
}

/* The alias of host pages [@page, @page+@npages) and a hold on it; 0 when memory is exhausted. */
static uint64_t alias_hold(uint64_t page, uint64_t npages)
{
	unsigned int h = alias_hash(page, npages);
	uint64_t base = 0;
	int i;

	if (alias_inside)
		return zone_take_any(npages << APAGE_SHIFT);
	alias_inside = 1;
	spin_lock(&alias_lock);
	for (i = alias_head[h]; i; i = aliases[i - 1].next) {
		struct alias *a = &aliases[i - 1];

		if (a->page == page && a->npages == npages) {
			a->holds++;
			base = a->base;
			break;
		}
	}
	if (!base) {
		i = alias_spare ? alias_spare : alias_recs < ALIAS_MAX ? ++alias_recs : 0;
		if (i && i == alias_spare)
			alias_spare = aliases[i - 1].next;
		base = i ? alias_take(npages << APAGE_SHIFT) : 0;
		if (base) {
			aliases[i - 1] = (struct alias){ page, npages, base, 1, alias_head[h] };
			alias_head[h] = i;
		} else if (i) {
			aliases[i - 1].next = alias_spare;
			alias_spare = i;
		}
	}
	spin_unlock(&alias_lock);
	alias_inside = 0;
	return base ? base : zone_take_any(npages << APAGE_SHIFT);
}

static int crosses_chunks(uintptr_t cpu, uint64_t size)
{
	return (cpu >> CHUNK_SHIFT) != ((cpu + (size ? size : 1) - 1) >> CHUNK_SHIFT);
}

uint64_t place_alias(uintptr_t cpu, uint64_t size)
{
	uint64_t page = cpu >> APAGE_SHIFT, base = 0;
	uint64_t npages = ((cpu & 4095) + (size ? size : 1) + 4095) >> APAGE_SHIFT;
	int i;

	if (!crosses_chunks(cpu, size) || alias_inside)
		return 0;
	alias_inside = 1;
	spin_lock(&alias_lock);
	for (i = alias_head[alias_hash(page, npages)]; i; i = aliases[i - 1].next)
		if (aliases[i - 1].page == page && aliases[i - 1].npages == npages)
			base = aliases[i - 1].base;
	spin_unlock(&alias_lock);
	alias_inside = 0;
	return base ? base + (cpu & 4095) : 0;
}

void place_put(uintptr_t cpu, uint64_t size, uint64_t phys)
{
	uint64_t page = cpu >> APAGE_SHIFT;
	uint64_t npages = ((cpu & 4095) + (size ? size : 1) + 4095) >> APAGE_SHIFT;
	int *link;

	if (!phys || !crosses_chunks(cpu, size) || alias_inside)
		return;
	alias_inside = 1;
	spin_lock(&alias_lock);
	for (link = &alias_head[alias_hash(page, npages)]; *link; link = &aliases[*link - 1].next) {
		struct alias *a = &aliases[*link - 1];
		int i = *link;

		if (a->page != page || a->npages != npages || a->base + (cpu & 4095) != phys)
			continue;
		if (--a->holds == 0) {
			*link = a->next;
			gap_put(a->base, npages << APAGE_SHIFT);
			a->next = alias_spare;
			alias_spare = i;
		}
		break;
	}
	spin_unlock(&alias_lock);
	alias_inside = 0;
}

uint64_t place_host(uintptr_t cpu, uint64_t size)
{
	uint64_t c0 = cpu >> CHUNK_SHIFT, c1, c, p0, off;
	int created;

	if (!size)
		size = 1;
	c1 = (cpu + size - 1) >> CHUNK_SHIFT;
	p0 = chunk_phys(c0, 0, &created);
	if (!p0)
		return 0;
	for (c = c0 + 1; c <= c1; c++) {
		if (chunk_phys(c, 0, &created) != p0 + (c - c0) * CHUNK_SIZE)
			break;
	}
	if (c > c1)
		return p0 + (cpu & (CHUNK_SIZE - 1));
	/* Not contiguous: an alias range keeps the page offset. */
	off = cpu & 4095;
	p0 = alias_hold(cpu >> APAGE_SHIFT, (off + size + 4095) >> APAGE_SHIFT);
	return p0 ? p0 + off : 0;
}

int place_reserve(uintptr_t cpu, uint64_t size, enum zone zone)
{
	uint64_t c0 = cpu >> CHUNK_SHIFT, c1 = (cpu + size - 1) >> CHUNK_SHIFT;
	uint64_t base = zone_take(zone, (c1 - c0 + 1) * CHUNK_SIZE), c;
	int created;

	if (!base)
		return -ENOMEM;
	for (c = c0; c <= c1; c++) {
		chunk_phys(c, base + (c - c0) * CHUNK_SIZE, &created);
		if (!created)
			return -EEXIST;
	}
	return 0;
}
