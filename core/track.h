/* SPDX-License-Identifier: MIT */
/*
 * Tracking of every DMA object: streaming mappings (single/page, sg
 * segments, resources), coherent and non-coherent allocations and
 * dma_pool backing pages. Each is a struct dmobj, indexed by bus address.
 *
 * Index: a hash of 64K buckets keyed by (address space, bus page). An
 * object is linked into the bucket of every 4 KiB bus page it touches, so
 * unmap (exact address) and sync or device access (containing address)
 * both cost one bucket walk, whatever the number of live objects. Bucket
 * chains are short because bus pages are dense and objects rarely span
 * more than two pages; the first two page links live inside the object.
 *
 * Lifetime: an object starts live, holding one reference for the index.
 * Unmap or free marks it dead (under its own lock) and moves it from the
 * live index to the dead index, an identical table consulted only when
 * the live one has no match (double unmaps, use-after-unmap), and onto
 * the quarantine, a fixed ring of recently ended objects. Keeping the
 * dead apart keeps live chains short when a driver maps the same buffer
 * over and over. Eviction from the ring unlinks the object from the dead
 * index and drops the index reference. Links are doubly linked, so every
 * unlink is O(1). Lookups take a reference under the bucket lock and
 * return it; callers lock the object, re-check `live`, act, unlock, put.
 * The sync and device-access paths instead lock a live object while its
 * bucket is held and take no reference (track_lock_containing): every
 * end of an object takes its lock first, so a held lock keeps it alive.
 *
 * Placement: host memory gets simulated physical addresses per 2 MiB
 * chunk, fixed for the life of the process (a page keeps its physical
 * address like real RAM). Chunks are placed in the DMA32 zone (2-4 GiB)
 * or above 4 GiB according to placement=; a buffer crossing two chunks
 * that did not land adjacent gets a contiguous alias range, shared by the
 * mappings of the same pages and reclaimed when the last of them ends.
 *
 * Locking: bucket spinlocks (rank 3), object spinlocks (rank 4); the
 * placement table is lock-free (CAS on insert), the alias table has a
 * leaf spinlock; counters are atomics.
 */
#ifndef DMASAN_CORE_TRACK_H
#define DMASAN_CORE_TRACK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "core/lock.h"

struct dmdev;

enum obj_type {
	OBJ_SINGLE = 0,	 /* dma_map_single */
	OBJ_PAGE,	 /* dma_map_page (interchangeable with single) */
	OBJ_SG,		 /* one mapped segment of dma_map_sg */
	OBJ_RESOURCE,	 /* dma_map_resource: MMIO, no CPU memory */
	OBJ_COHERENT,	 /* dma_alloc_coherent / dma_alloc_attrs */
	OBJ_NONCOHERENT, /* dma_alloc_noncoherent / dma_alloc_pages */
	OBJ_POOL_PAGE,	 /* backing page of a dma_pool */
	OBJ_TYPE_COUNT
};

enum map_err_state { MAPERR_NA = 0, MAPERR_NOT_CHECKED, MAPERR_CHECKED };

/* Per-cache-line state bits. */
#define LINE_DEVICE 0x01 /* the device owns the line */

#define OBJ_HISTORY 4

/* One history event; the caller's PC only (a full stack per sync would
 * cost more than the sync itself). 24 bytes: see obj_event_pc(). */
struct obj_event {
	uint32_t seq; /* low bits of the global event sequence */
	uint32_t offset;
	uint32_t size;
	uint32_t tid;
	uint64_t pc_what; /* return address into the caller << 8, dir (4 bits) << 4, kind (4 bits) */
};

/* The caller's PC of @e, or 0; user-space code lies below 2^56 on every
 * 64-bit Linux ABI, even with 5-level page tables (a PC above it, e.g. one
 * still carrying a pointer signature, is recorded as unknown). */
static inline uintptr_t obj_event_pc(const struct obj_event *e)
{
	return (uintptr_t)(e->pc_what >> 8);
}

static inline int obj_event_what(const struct obj_event *e)
{
	return (int)(e->pc_what & 0xf);
}

/* -1 (none) to 3: four bits, sign-extended. */
static inline int obj_event_dir(const struct obj_event *e)
{
	int d = (int)((e->pc_what >> 4) & 0xf);

	return d >= 8 ? d - 16 : d;
}

enum obj_event_kind {
	EV_MAP = 1,
	EV_SYNC_CPU,
	EV_SYNC_DEV,
	EV_DEV_READ,
	EV_DEV_WRITE,
	EV_UNMAP,
	EV_ALLOC,
	EV_FREE
};

struct pref {
	struct pref *next;
	struct pref **pprev; /* the pointer that points at this link */
	uint64_t key;	     /* (space << 48) | bus page number */
	struct dmobj *obj;
};

struct dmobj {
	struct dmdev *dd; /* owning device (never freed) */
	uint64_t dma;	  /* first bus address */
	uintptr_t cpu;	  /* CPU address of the first byte; 0 for resources */
	uint64_t size;
	uint64_t attrs;
	uint64_t seq;	       /* event sequence of the map/alloc */
	uint8_t type;	       /* enum obj_type */
	int8_t dir;	       /* enum dma_data_direction of the map */
	atomic_uchar maperr;   /* enum map_err_state; set once checked, with no lock */
	atomic_uchar live;     /* written under lock, read anywhere */
	uint8_t leak_reported; /* reported as a leak already (guarded by lock) */
	uint8_t hist_n;	       /* events recorded so far (saturates) */
	uint8_t hist_pos;      /* next slot in hist[] */
	uint8_t space;	       /* index address space (0 = shared physical) */
	uint32_t nents;	       /* sg: nents passed to dma_map_sg */
	uint32_t mapped_ents;  /* sg: count it returned */
	uint32_t map_stack, end_stack;
	uint32_t map_tid, end_tid;
	atomic_int refs;
	struct spin lock;      /* guards lines, hist, live, end_* */
	void *owner;	       /* pool for OBJ_POOL_PAGE */
	void *ppage;	       /* OBJ_POOL_PAGE: the pool's page record (core/pool.c) */
	uint8_t *snap;	       /* CPU bytes of the whole lines at the last handoff, or NULL */
	uint8_t *shadow;       /* NONCOHERENT: the device's view of the whole lines */
	uint8_t *bounce;       /* BOUNCE: the swiotlb slot holding byte 0 */
	uint32_t slot, nslots; /* BOUNCE: first swiotlb slot and count */
	void *bpool;	       /* BOUNCE: the swiotlb pool of the slots */
	uint64_t rng;	       /* eviction random state */
	uint32_t nlines;       /* cache lines covered by [cpu, cpu+size) */
	uint32_t npages;       /* bus pages linked in the index */
	struct pref link[2];   /* first two page links */
	struct pref *more;     /* links for pages beyond the first two */
	struct pref *cpul;     /* links in the CPU-page index (device-writable maps) */
	struct pref cpu1;      /* cpul when the buffer lies in one CPU page */
	uint32_t ncpul;
	uint8_t mode;	 /* enum cache_mode (core/cache.h) */
	uint8_t dup_dma; /* another live object had the same first bus address at insertion */
	struct obj_event hist[OBJ_HISTORY];
	uint8_t lines[]; /* per cache-line state (LINE_*) */
};

/* A mapping of up to 8 lines (512 B) fits a 384-byte block of the small-block cache. */
_Static_assert(sizeof(struct dmobj) + 8 <= 384, "struct dmobj outgrew its size class");

/** track_init - set up the index; @line_size is the cache-line size. @return 0 or -ENOMEM. */
int track_init(unsigned int line_size, unsigned int quarantine);

/** track_line - the simulated cache-line size (set once by track_init; a power of two). */
extern unsigned int track_line;

/** track_line_shift - log2(track_line): line arithmetic by shifts, not divisions. */
extern unsigned int track_line_shift;

/** track_line_size - the simulated cache-line size. */
static inline unsigned int track_line_size(void)
{
	return track_line;
}

/**
 * track_new - allocate an object for [cpu, cpu+size) at bus address @dma
 * (not yet indexed). @return NULL when the private heap is exhausted.
 */
struct dmobj *track_new(struct dmdev *dd, enum obj_type type, uint64_t dma, uintptr_t cpu,
			uint64_t size, int dir);

/** track_insert - link a new object into the index. @return 0 or -ENOMEM. */
int track_insert(struct dmobj *o);

/** track_discard - free an object that was never inserted. */
void track_discard(struct dmobj *o);

/**
 * track_find_exact - the object of @dd whose first bus address is @dma,
 * live ones preferred; among several live ones the best fit for @size,
 * @type and @dir (dma-debug's rule). @return a referenced object or NULL.
 */
struct dmobj *track_find_exact(struct dmdev *dd, uint64_t dma, uint64_t size, int type, int dir);

/**
 * track_find_containing - a live object of @dd containing bus address
 * @dma (the newest when several); if none, a dead one containing it
 * (*@is_dead set). @return a referenced object or NULL.
 */
struct dmobj *track_find_containing(struct dmdev *dd, uint64_t dma, int *is_dead);

/**
 * track_lock_containing - track_find_containing(), returning the object
 * with its lock held. A live object is locked while its bucket is still
 * held, so it cannot end (ending takes the object lock) nor be freed
 * (the index keeps its reference until it has ended) until the caller
 * unlocks it: no reference is taken, which saves two atomic
 * read-modify-writes on the sync and device-access paths. *@ref tells
 * whether the caller holds a reference anyway (a dead object, or a
 * contended lock) and must track_put() after unlocking.
 */
struct dmobj *track_lock_containing(struct dmdev *dd, uint64_t dma, int *is_dead, int *ref);

/**
 * track_cpu_register - enter @o in the CPU-page index that cacheline
 * overlap checks search (device-writable mappings only, as dma-debug's
 * cacheline tree). Undone by track_retire(). @return 0 or -ENOMEM.
 */
int track_cpu_register(struct dmobj *o);

/**
 * track_check_map_error - dma_mapping_error() of @dma on @dd: mark the
 * oldest live unchecked streaming object whose first bus address is @dma
 * checked, as Linux's dma-debug marks the first unchecked entry (two maps
 * of one buffer share an address). Does nothing when none is unchecked.
 */
void track_check_map_error(struct dmdev *dd, uint64_t dma);

/**
 * track_find_overlap - a live object in the CPU-page index, other than
 * @self, whose CPU cache lines intersect @self's and that matches @filter
 * (return 1 to accept). @return a referenced object or NULL.
 */
struct dmobj *track_find_overlap(struct dmobj *self,
				 int (*filter)(const struct dmobj *o, const struct dmobj *self));

/** track_get / track_put - take or drop a reference. */
void track_get(struct dmobj *o);
void track_put(struct dmobj *o);

/**
 * track_retire - push @o, already marked dead by the caller under o->lock,
 * on the quarantine; the oldest quarantined object is unlinked and its
 * index reference dropped. The caller keeps its own reference.
 */
void track_retire(struct dmobj *o);

/**
 * track_for_each_live - call @fn for every live object once (sorted by
 * map sequence), with a reference held and no lock. Stops when @fn
 * returns non-zero. @return the number of objects visited.
 */
long track_for_each_live(int (*fn)(struct dmobj *o, void *arg), void *arg);

/** track_record - append an event to @o's history (caller holds o->lock). */
void track_record(struct dmobj *o, enum obj_event_kind what, int dir, uint64_t offset,
		  uint64_t size, uintptr_t pc, uint32_t tid);

/** track_next_seq - the next event sequence number (from 1; unique, increasing per thread). */
uint64_t track_next_seq(void);

/** track_seq_horizon - a number above every sequence number handed out so far. */
uint64_t track_seq_horizon(void);

/**
 * track_after_fork - in a forked child (single-threaded): every bucket and
 * object lock back to unlocked; other threads of the parent may have held
 * some at the fork and will never release them here.
 */
void track_after_fork(void);

/** track_seq_after_fork - in a forked child: start a fresh block. */
void track_seq_after_fork(void);

/* Simulated physical placement. */
enum zone { ZONE_DMA32 = 0, ZONE_NORMAL = 1 };

#define DRAM_BASE 0x80000000ULL	      /* 2 GiB */
#define DRAM_DMA32_END 0x100000000ULL /* 4 GiB */
#define DRAM_END 0x400000000ULL	      /* 16 GiB */

/** place_set_policy - @high: place host chunks above 4 GiB first. */
void place_set_policy(int high);

/**
 * place_configure - simulated RAM from @nbanks {base, size} banks, minus
 * @nholes {base, size} holes (reserved regions). Without a call, one bank
 * [DRAM_BASE, DRAM_END) is used. Call before any placement.
 */
void place_configure(const uint64_t (*banks)[2], int nbanks, const uint64_t (*holes)[2],
		     int nholes);

/**
 * place_to_host - the host address placed at simulated physical @phys
 * (chunk placements only, not alias ranges), or 0. Used when tracking is
 * off and a device access cannot be looked up.
 */
uintptr_t place_to_host(uint64_t phys);

/** place_dram_base - the lowest simulated RAM address. */
uint64_t place_dram_base(void);

/**
 * place_carve_dma32_top - take @size bytes off the top of the highest
 * DMA32 range that has room (for swiotlb). @return their base, or 0.
 */
uint64_t place_carve_dma32_top(uint64_t size);

/**
 * place_host - the simulated physical address of host range
 * [cpu, cpu+size), contiguous over the whole range. @return the address,
 * or 0 when simulated memory is exhausted. A range crossing chunks placed
 * apart gets an alias range, shared by every caller for the same pages,
 * and the call takes a hold on it: give it back with place_put().
 */
uint64_t place_host(uintptr_t cpu, uint64_t size);

/**
 * place_put - drop the hold place_host(@cpu, @size) took when it returned
 * @phys; the last hold gives the alias range back for reuse. Nothing
 * happens for a range that needed no alias (or when @phys is not its).
 */
void place_put(uintptr_t cpu, uint64_t size, uint64_t phys);

/**
 * place_alias - the alias address of [cpu, cpu+size) while someone holds
 * it (no hold taken), or 0 when the range has none.
 */
uint64_t place_alias(uintptr_t cpu, uint64_t size);

/**
 * place_reserve - permanently place the 2 MiB-aligned host range [cpu,
 * cpu+size) in @zone (the coherent arena). @return 0, -EEXIST when some
 * chunk was placed before, -ENOMEM when the zone is full.
 */
int place_reserve(uintptr_t cpu, uint64_t size, enum zone zone);

#endif /* DMASAN_CORE_TRACK_H */
