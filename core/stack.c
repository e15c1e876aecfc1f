/* SPDX-License-Identifier: MIT */
/*
 * The stack depot: every distinct stack (a list of PCs) is stored once, in
 * an immutable entry {next, hash, id, n, pcs[n]}, and named by a 1-based
 * id. A hash table of DEPOT_BUCKETS chains maps PCs to entries and a
 * two-level table maps ids back to entries. Entries and id pages are
 * never freed or changed after they are published, so ids stay valid for
 * the life of the process and readers need no lock.
 *
 * Locking: lookups (the hot path, once per DMA map) are lock-free: an
 * acquire load of a bucket head, then a walk of immutable entries. An
 * insert takes the shard lock of its bucket (bucket % DEPOT_SHARDS),
 * looks again, fills the entry, publishes its id slot and then the bucket
 * head with release stores. Entries are bump-allocated from 64 KiB chunks
 * of the private heap under chunk_lock (ranked below the shard locks).
 * Id pages are allocated lazily and published with a CAS; the loser frees
 * its page. Nothing here makes a syscall once the memory is there.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "core/heap.h"
#include "core/stack.h"
#include "platform/platform.h"

#define DEPOT_BUCKETS_LOG 16
#define DEPOT_BUCKETS (1u << DEPOT_BUCKETS_LOG)
#define DEPOT_SHARDS 64
#define DEPOT_CHUNK (64u * 1024u)
#define ID_PAGE_LOG 12
#define ID_PAGE_SLOTS (1u << ID_PAGE_LOG)
#define ID_PAGES 1024u
#define ID_LIMIT (ID_PAGES * ID_PAGE_SLOTS) /* ids are 1 .. ID_LIMIT-1 */
/*
 * Extra frames walked so that libdmasan's own frames can be dropped: no
 * exported entry point is more than this deep above stack_capture().
 */
#define SELF_FRAMES 6

struct depot_entry {
	const struct depot_entry *next; /* older entry in the same bucket */
	uint64_t hash;
	uint32_t id;
	uint32_t n;
	uintptr_t pcs[];
};

struct id_page {
	_Atomic(const struct depot_entry *) slot[ID_PAGE_SLOTS];
};

static _Atomic(const struct depot_entry *) buckets[DEPOT_BUCKETS];
static _Atomic(struct id_page *) id_pages[ID_PAGES];
static _Atomic uint32_t last_id;
static _Atomic uint64_t depot_bytes;

#define LOCK1 PTHREAD_MUTEX_INITIALIZER
#define LOCK4 LOCK1, LOCK1, LOCK1, LOCK1
#define LOCK16 LOCK4, LOCK4, LOCK4, LOCK4
static pthread_mutex_t shard_lock[DEPOT_SHARDS] = { LOCK16, LOCK16, LOCK16, LOCK16 };

/* The current chunk; guarded by chunk_lock. */
static pthread_mutex_t chunk_lock = PTHREAD_MUTEX_INITIALIZER;
static char *chunk_cur;
static size_t chunk_left;

static uint64_t hash_pcs(const uintptr_t *pcs, int n)
{
	uint64_t h = 0x243f6a8885a308d3ull ^ (unsigned)n;
	int i;

	for (i = 0; i < n; i++) {
		h ^= (uint64_t)pcs[i];
		h *= 0x9e3779b97f4a7c15ull;
		h ^= h >> 31;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static uint32_t find(const struct depot_entry *e, uint64_t h, const uintptr_t *pcs, int n)
{
	for (; e; e = e->next)
		if (e->hash == h && e->n == (uint32_t)n &&
		    memcmp(e->pcs, pcs, (size_t)n * sizeof(*pcs)) == 0)
			return e->id;
	return 0;
}

static struct depot_entry *entry_alloc(size_t size)
{
	struct depot_entry *e = NULL;

	size = (size + sizeof(uintptr_t) - 1) & ~(sizeof(uintptr_t) - 1);
	pthread_mutex_lock(&chunk_lock);
	if (chunk_left < size) {
		char *c = heap_alloc(DEPOT_CHUNK);

		if (c) {
			chunk_cur = c;
			chunk_left = DEPOT_CHUNK;
			atomic_fetch_add_explicit(&depot_bytes, DEPOT_CHUNK, memory_order_relaxed);
		}
	}
	if (chunk_left >= size) {
		e = (struct depot_entry *)(void *)chunk_cur;
		chunk_cur += size;
		chunk_left -= size;
	}
	pthread_mutex_unlock(&chunk_lock);
	return e;
}

/* The id page for @id, allocated and published on first use. */
static struct id_page *id_page_get(uint32_t id)
{
	_Atomic(struct id_page *) *top = &id_pages[id >> ID_PAGE_LOG];
	struct id_page *p = atomic_load_explicit(top, memory_order_acquire);
	struct id_page *expected = NULL;

	if (p)
		return p;
	p = heap_calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (atomic_compare_exchange_strong_explicit(top, &expected, p, memory_order_acq_rel,
						    memory_order_acquire)) {
		atomic_fetch_add_explicit(&depot_bytes, sizeof(*p), memory_order_relaxed);
		return p;
	}
	heap_free(p);
	return expected;
}

static uint32_t insert(_Atomic(const struct depot_entry *) *bucket, uint64_t h,
		       const uintptr_t *pcs, int n)
{
	struct depot_entry *e;
	struct id_page *page;
	uint32_t id;

	id = find(atomic_load_explicit(bucket, memory_order_acquire), h, pcs, n);
	if (id)
		return id;
	if (atomic_load_explicit(&last_id, memory_order_relaxed) >= ID_LIMIT - 1)
		return 0;
	e = entry_alloc(sizeof(*e) + (size_t)n * sizeof(*pcs));
	if (!e)
		return 0;
	id = atomic_fetch_add_explicit(&last_id, 1, memory_order_relaxed) + 1;
	if (id >= ID_LIMIT)
		return 0;
	page = id_page_get(id);
	if (!page)
		return 0;
	e->hash = h;
	e->id = id;
	e->n = (uint32_t)n;
	memcpy(e->pcs, pcs, (size_t)n * sizeof(*pcs));
	e->next = atomic_load_explicit(bucket, memory_order_relaxed);
	atomic_store_explicit(&page->slot[id & (ID_PAGE_SLOTS - 1)], e, memory_order_release);
	atomic_store_explicit(bucket, e, memory_order_release);
	return id;
}

/**
 * stack_depot_put - store @n PCs once. @return their id (> 0), the same
 * id for the same PCs, or 0 on failure or when @n is 0.
 * Context: any thread; lock-free when the stack is already stored.
 */
uint32_t stack_depot_put(const uintptr_t *pcs, int n)
{
	uint64_t h;
	uint32_t b, id;
	pthread_mutex_t *lock;

	if (!pcs || n <= 0)
		return 0;
	if (n > STACK_MAX_FRAMES)
		n = STACK_MAX_FRAMES;
	h = hash_pcs(pcs, n);
	b = (uint32_t)(h & (DEPOT_BUCKETS - 1));
	id = find(atomic_load_explicit(&buckets[b], memory_order_acquire), h, pcs, n);
	if (id)
		return id;
	lock = &shard_lock[b % DEPOT_SHARDS];
	pthread_mutex_lock(lock);
	id = insert(&buckets[b], h, pcs, n);
	pthread_mutex_unlock(lock);
	return id;
}

/**
 * stack_depot_get - the frames of stack @id. @return their number and set
 * *@pcs to them (valid forever); 0 and NULL for id 0 or an unknown id.
 * Context: any thread, lock-free.
 */
int stack_depot_get(uint32_t id, const uintptr_t **pcs)
{
	const struct depot_entry *e = NULL;
	struct id_page *page;

	if (id && id < ID_LIMIT) {
		page = atomic_load_explicit(&id_pages[id >> ID_PAGE_LOG], memory_order_acquire);
		if (page)
			e = atomic_load_explicit(&page->slot[id & (ID_PAGE_SLOTS - 1)],
						 memory_order_acquire);
	}
	if (pcs)
		*pcs = e ? e->pcs : NULL;
	return e ? (int)e->n : 0;
}

/**
 * stack_depot_bytes - bytes the depot took from the private heap (chunks
 * and id pages; the static bucket array is not counted).
 */
void stack_after_fork(void)
{
	int i;

	for (i = 0; i < DEPOT_SHARDS; i++)
		pthread_mutex_init(&shard_lock[i], NULL);
	pthread_mutex_init(&chunk_lock, NULL);
}

uint64_t stack_depot_bytes(void)
{
	return atomic_load_explicit(&depot_bytes, memory_order_relaxed);
}

static int fast_walk = 1;

/*
 * The last stack each thread stored: a driver maps from the same few
 * call sites over and over, and comparing PCs is cheaper than hashing.
 * Only this thread reads or writes it.
 */
static __thread struct {
	uint32_t id;
	int n;
	uintptr_t pcs[STACK_MAX_FRAMES];
} last;

void stack_set_fast(int fast)
{
	fast_walk = fast;
}

/**
 * stack_capture - capture the calling thread's stack, drop its leading
 * libdmasan frames, keep at most @max_frames (clamped to 1..64) and store
 * it. @return the depot id, or 0 when nothing could be captured or stored.
 */
uint32_t stack_capture(int max_frames)
{
	uintptr_t pcs[STACK_MAX_FRAMES + 16];
	const uintptr_t *p;
	int n = -1, skip = 0;
	uint32_t id;

	if (max_frames < 1)
		max_frames = 1;
	if (max_frames > STACK_MAX_FRAMES)
		max_frames = STACK_MAX_FRAMES;
	if (fast_walk)
		n = plat_backtrace_fp(pcs, max_frames, 1);
	if (n < 0) {
		n = plat_backtrace(pcs, max_frames + SELF_FRAMES);
		skip = plat_skip_self(pcs, n);
		n -= skip;
	}
	if (n > max_frames)
		n = max_frames;
	p = pcs + skip;
	if (n > 0 && n == last.n && last.id && !memcmp(p, last.pcs, (size_t)n * sizeof(*p)))
		return last.id;
	id = stack_depot_put(p, n);
	if (id) {
		last.id = 0; /* a handler interrupting the copy must not match a torn entry */
		memcpy(last.pcs, p, (size_t)n * sizeof(*p));
		last.n = n;
		last.id = id;
	}
	return id;
}
