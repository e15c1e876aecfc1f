/* SPDX-License-Identifier: MIT */
/*
 * The cache model (core/cache.h). Line i of an object covers CPU
 * addresses [base + i*L, base + (i+1)*L) with base = cpu rounded down to
 * the line size L; the snapshot and the shadow are indexed the same way.
 * The buffer's own bytes in line i are [max(cpu, line start),
 * min(cpu + size, line end)); the others are "edge" bytes that belong to
 * the program's neighbouring data.
 */
#include <string.h>
#include "core/cache.h"
#include "core/finding.h"
#include "core/heap.h"
#include "core/track.h"

static unsigned int evict_per_mille;
static uint64_t evict_seed = 0x9e3779b97f4a7c15ULL;

void cache_set_eviction(unsigned int per_mille, uint64_t seed)
{
	evict_per_mille = per_mille > 1000 ? 1000 : per_mille;
	if (seed)
		evict_seed = seed;
}

static inline unsigned int L(void)
{
	return track_line; /* read-only after init */
}

static inline uintptr_t base_of(const struct dmobj *o)
{
	return o->cpu & ~(uintptr_t)(L() - 1);
}

static inline uint8_t *cpu_line(const struct dmobj *o, uint32_t i)
{
	return (uint8_t *)(base_of(o) + (uintptr_t)i * L());
}

/* The buffer's own bytes of line @i, as offsets into the line. */
static void own_bytes(const struct dmobj *o, uint32_t i, unsigned int *lo, unsigned int *hi)
{
	uintptr_t start = base_of(o) + (uintptr_t)i * L(), end = start + L();
	uintptr_t a = o->cpu > start ? o->cpu : start;
	uintptr_t b = o->cpu + o->size < end ? o->cpu + o->size : end;

	*lo = (unsigned int)(a - start);
	*hi = (unsigned int)(b - start);
}

/* Lines covering [off, off+len) of the object, clipped to the object. */
static inline __attribute__((always_inline)) int line_range(const struct dmobj *o, uint64_t off,
							    uint64_t len, uint32_t *a, uint32_t *b)
{
	uintptr_t first, last;

	if (!o->nlines || !len || off >= o->size)
		return 0;
	if (len > o->size - off)
		len = o->size - off;
	first = o->cpu + (uintptr_t)off;
	last = first + (uintptr_t)len - 1;
	*a = (uint32_t)((first >> track_line_shift) - (o->cpu >> track_line_shift));
	*b = (uint32_t)((last >> track_line_shift) - (o->cpu >> track_line_shift));
	return 1;
}

static void note(struct cache_notes *n, int kind, uint64_t off, uint64_t len, int edge)
{
	int i;

	/* Extend a note of the same kind that this range continues. */
	for (i = 0; i < n->n; i++) {
		struct cache_note *c = &n->note[i];

		if (c->kind == kind && c->edge == edge && c->off + c->len == off) {
			c->len += len;
			return;
		}
	}
	if (n->n < CACHE_MAX_NOTES) {
		n->note[n->n].kind = kind;
		n->note[n->n].off = off;
		n->note[n->n].len = len;
		n->note[n->n].edge = edge;
		n->n++;
	}
}

/* Offset of line @i's byte @b relative to the object's first byte (may be "negative"). */
static int64_t rel(const struct dmobj *o, uint32_t i, unsigned int b)
{
	return (int64_t)(base_of(o) + (uintptr_t)i * L() + b) - (int64_t)o->cpu;
}

/*
 * A DMA_TO_DEVICE bounce needs no snapshot: the device cannot write its
 * slot, so the slot holds the buffer's own bytes as of the last handoff.
 */
static int bounce_baseline(const struct dmobj *o)
{
	return !o->snap && o->mode == CACHE_BOUNCE && o->bounce && o->dir == 1 /* DMA_TO_DEVICE */;
}

static int has_baseline(const struct dmobj *o)
{
	return o->snap || bounce_baseline(o);
}

/* The baseline of the buffer's own byte at CPU address @at. */
static uint8_t base_byte(const struct dmobj *o, uintptr_t at)
{
	return o->snap ? o->snap[at - base_of(o)] : o->bounce[at - o->cpu];
}

/* 1 when the buffer's own bytes in [lo, hi) equal their baseline. */
static int own_range_unchanged(const struct dmobj *o, uintptr_t lo, uintptr_t hi)
{
	if (lo >= hi)
		return 1;
	if (o->snap)
		return !memcmp((void *)lo, o->snap + (lo - base_of(o)), hi - lo);
	return !memcmp((void *)lo, o->bounce + (lo - o->cpu), hi - lo);
}

/*
 * Compare the CPU's line @i with its snapshot: report bytes of the buffer
 * that changed as @own_kind, edge bytes as cacheline-sharing.
 */
static void check_cpu_writes(struct dmobj *o, uint32_t i, int own_kind, struct cache_notes *n)
{
	const uint8_t *c = cpu_line(o, i), *s;
	unsigned int lo, hi, b, first = 0, last = 0;
	int own = 0, before = 0, after = 0;

	if (bounce_baseline(o)) {
		uintptr_t start = (uintptr_t)c;

		own_bytes(o, i, &lo, &hi);
		if (own_range_unchanged(o, start + lo, start + hi))
			return;
		for (b = lo; b < hi && c[b] == base_byte(o, start + b); b++)
			;
		for (last = hi - 1; last > b && c[last] == base_byte(o, start + last); last--)
			;
		if (!(o->lines[i] & LINE_REPORTED))
			note(n, own_kind, (uint64_t)rel(o, i, b), last - b + 1, 0);
		return;
	}
	s = o->snap + (size_t)i * L();
	if (!memcmp(c, s, L()))
		return;
	own_bytes(o, i, &lo, &hi);
	for (b = 0; b < L(); b++) {
		if (c[b] == s[b])
			continue;
		if (b < lo) {
			before = 1;
		} else if (b >= hi) {
			after = 1;
		} else {
			if (!own)
				first = b;
			own = 1;
			last = b;
		}
	}
	if (own && !(o->lines[i] & LINE_REPORTED))
		note(n, own_kind, (uint64_t)rel(o, i, first), last - first + 1, 0);
	/* Shared edge lines are a hazard only where the buffer's own lines are maintained. */
	if (o->mode != CACHE_NONCOHERENT)
		return;
	if (before)
		note(n, BUG_CACHELINE_SHARING, 0, lo, -1);
	if (after)
		note(n, BUG_CACHELINE_SHARING, o->size, L() - hi, 1);
}

static uint64_t rnd(struct dmobj *o)
{
	uint64_t x = o->rng ? o->rng : (evict_seed ^ (o->seq * 0x2545f4914f6cdd1dULL)) | 1;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	o->rng = x;
	return x;
}

/*
 * Eviction: dirty device-owned lines written back at random (NONCOHERENT
 * only). The CPU's write that made the line dirty is reported first, since
 * the write-back erases the evidence.
 */
static void evict_some(struct dmobj *o, struct cache_notes *n);

/* Out of line, and only when evict= asks for it: the common path pays one test. */
static inline void maybe_evict(struct dmobj *o, struct cache_notes *n)
{
	if (evict_per_mille)
		evict_some(o, n);
}

__attribute__((noinline)) static void evict_some(struct dmobj *o, struct cache_notes *n)
{
	uint32_t i;

	if (o->mode != CACHE_NONCOHERENT || !o->snap)
		return;
	for (i = 0; i < o->nlines; i++) {
		uint8_t *c = cpu_line(o, i), *s = o->snap + (size_t)i * L();

		if (!(o->lines[i] & LINE_DEVICE) || !memcmp(c, s, L()))
			continue;
		if (rnd(o) % 1000 < evict_per_mille) {
			check_cpu_writes(o, i, BUG_CPU_WRITE_DEVICE_OWNED, n);
			o->lines[i] |= LINE_REPORTED;
			memcpy(o->shadow + (size_t)i * L(), c, L());
			memcpy(s, c, L());
		}
	}
}

void cache_setup(struct dmobj *o, enum cache_mode mode, void *bounce, int to_device,
		 struct cache_notes *n)
{
	size_t span = (size_t)o->nlines * L();

	o->mode = (uint8_t)mode;
	o->bounce = bounce;
	if (mode == CACHE_BOUNCE && bounce && o->cpu) {
		memcpy(bounce, (void *)o->cpu, o->size);
		n->bounced += o->size;
	}
	if (o->nlines)
		memset(o->lines, to_device ? LINE_DEVICE : 0, o->nlines);
	if (!span || !o->cpu)
		return;
	if (mode == CACHE_BOUNCE && o->dir == 1 /* DMA_TO_DEVICE */)
		return; /* the slot is the baseline */
	o->snap = heap_small_alloc(span);
	if (!o->snap) {
		/* No memory for the model: the device sees the CPU's bytes. */
		if (mode == CACHE_NONCOHERENT)
			o->mode = CACHE_COHERENT;
		return;
	}
	memcpy(o->snap, (void *)base_of(o), span);
	/*
	 * Until the device writes, its view is exactly the CPU's bytes at the
	 * last handoff: the shadow shares the snapshot's buffer (for good when
	 * the device never writes, DMA_TO_DEVICE) and gets its own at the
	 * first device write (shadow_own). A ring of mapped receive buffers
	 * waiting for traffic costs one copy each, not two.
	 */
	if (mode == CACHE_NONCOHERENT)
		o->shadow = o->snap;
}

/*
 * Give the shadow, which shares the snapshot's buffer, one of its own
 * before the device writes [at, at+len) of it (offsets into the lines'
 * span): the snapshot's bytes
 * around that range are copied, the range itself is about to be written.
 * While shared, a write to either is a write to both: every writer of the
 * shadow stores the same bytes into the snapshot, and every write to the
 * snapshot also belongs in the shadow (the CPU's lines at a handoff, which
 * memory holds too once cleaned). Out of memory, the object goes on as a
 * coherent one (content checks kept, no simulated cache).
 */
static void shadow_own(struct dmobj *o, size_t at, size_t len)
{
	size_t span = (size_t)o->nlines * L();
	uint8_t *own = heap_small_alloc(span);

	if (!own) {
		o->shadow = NULL;
		o->mode = CACHE_COHERENT;
		return;
	}
	memcpy(own, o->snap, at);
	memcpy(own + at + len, o->snap + at + len, span - at - len);
	o->shadow = own;
}

void cache_release(struct dmobj *o)
{
	size_t span = (size_t)o->nlines * L();

	if (o->snap != o->shadow)
		heap_small_free(o->snap, span);
	heap_small_free(o->shadow, span);
	o->snap = o->shadow = NULL;
	o->bounce = NULL;
}

/* 1 when the CPU's lines a..b still equal their snapshot (the common case). */
static int lines_unchanged(const struct dmobj *o, uint32_t a, uint32_t b)
{
	uintptr_t lo = (uintptr_t)cpu_line(o, a), hi = (uintptr_t)cpu_line(o, b) + L();

	if (bounce_baseline(o)) {
		/* Own bytes only: the slot has none of the edge bytes. */
		if (lo < o->cpu)
			lo = o->cpu;
		if (hi > o->cpu + o->size)
			hi = o->cpu + o->size;
		return own_range_unchanged(o, lo, hi);
	}
	return !o->snap || !memcmp((void *)lo, o->snap + (size_t)a * L(), hi - lo);
}

#define BYTES8(x) (0x0101010101010101ULL * (uint8_t)(x))

/* 1 when no line of a..b carries one of @bits (eight lines per step). */
static int lines_without(const struct dmobj *o, uint32_t a, uint32_t b, uint8_t bits)
{
	uint64_t w, m = BYTES8(bits);
	uint32_t i = a;

	for (; i + 8 <= b + 1; i += 8) {
		memcpy(&w, o->lines + i, 8);
		if (w & m)
			return 0;
	}
	for (; i <= b; i++)
		if (o->lines[i] & bits)
			return 0;
	return 1;
}

/* 1 when every line of a..b carries all of @bits (eight lines per step). */
static int lines_all(const struct dmobj *o, uint32_t a, uint32_t b, uint8_t bits)
{
	uint64_t w, m = BYTES8(bits);
	uint32_t i = a;

	for (; i + 8 <= b + 1; i += 8) {
		memcpy(&w, o->lines + i, 8);
		if ((w & m) != m)
			return 0;
	}
	for (; i <= b; i++)
		if ((o->lines[i] & bits) != bits)
			return 0;
	return 1;
}

/* Set @bits on lines a..b (eight lines per step). */
static void lines_set(struct dmobj *o, uint32_t a, uint32_t b, uint8_t bits)
{
	uint64_t w, m = BYTES8(bits);
	uint32_t i = a;

	for (; i + 8 <= b + 1; i += 8) {
		memcpy(&w, o->lines + i, 8);
		w |= m;
		memcpy(o->lines + i, &w, 8);
	}
	for (; i <= b; i++)
		o->lines[i] |= bits;
}

void cache_to_device(struct dmobj *o, uint64_t off, uint64_t len, int dir, struct cache_notes *n)
{
	uint32_t a, b, i;

	if (!line_range(o, off, len, &a, &b))
		return;
	if (lines_without(o, a, b, LINE_DEV_WROTE) && lines_unchanged(o, a, b)) {
		/* Nothing dirty, nothing unread: only ownership moves. */
		memset(o->lines + a, LINE_DEVICE, b - a + 1);
		goto bounce;
	}
	for (i = a; i <= b; i++) {
		uint8_t *c = cpu_line(o, i), keep = 0;

		if ((o->lines[i] & (LINE_DEVICE | LINE_DEV_WROTE)) ==
		    (LINE_DEVICE | LINE_DEV_WROTE)) {
			unsigned int lo, hi;

			own_bytes(o, i, &lo, &hi);
			note(n, BUG_MISSING_SYNC_FOR_CPU, (uint64_t)rel(o, i, lo), hi - lo, 0);
		}
		if (bounce_baseline(o) && (o->lines[i] & LINE_DEVICE))
			check_cpu_writes(o, i, BUG_CPU_WRITE_DEVICE_OWNED, n);
		if (o->snap) {
			if (o->lines[i] & LINE_DEVICE)
				check_cpu_writes(o, i, BUG_CPU_WRITE_DEVICE_OWNED, n);
			/* Clean: dirty lines are written back, over what the device wrote. */
			if (o->mode == CACHE_NONCOHERENT &&
			    memcmp(c, o->snap + (size_t)i * L(), L()))
				memcpy(o->shadow + (size_t)i * L(), c, L());
			else if (o->mode == CACHE_NONCOHERENT)
				/* Memory keeps the device's bytes until the CPU invalidates. */
				keep = o->lines[i] & LINE_DEV_WROTE;
			memcpy(o->snap + (size_t)i * L(), c, L());
		}
		o->lines[i] = (uint8_t)(LINE_DEVICE | keep);
	}
bounce:
	if (o->mode == CACHE_BOUNCE && o->bounce &&
	    (dir == 0 /* DMA_BIDIRECTIONAL */ || dir == 1 /* DMA_TO_DEVICE */)) {
		if (len > o->size - off)
			len = o->size - off;
		memcpy(o->bounce + off, (void *)(o->cpu + off), len);
		n->bounced += len;
	}
	maybe_evict(o, n);
}

/*
 * After the invalidate of lines a..b, which copied the buffer's own bytes
 * of all of them from the shadow: can the snapshot give way to the
 * shadow? Yes when a..b are all the lines and the buffer has no edge
 * bytes (the neighbours' bytes in its first and last line, which the CPU
 * may have changed since the shadow last took them): the shadow then
 * equals the CPU's lines, which the snapshot is to hold.
 */
static int resharable(const struct dmobj *o, uint32_t a, uint32_t b)
{
	return a == 0 && b + 1 == o->nlines && o->shadow != o->snap &&
	       !((o->cpu | (o->cpu + o->size)) & (L() - 1));
}

void cache_to_cpu(struct dmobj *o, uint64_t off, uint64_t len, int dir, int unmap,
		  struct cache_notes *n)
{
	/* Copy back only what the device could have written (never into a TO_DEVICE buffer,
	 * which may even be read-only memory), whatever direction the sync names. */
	int copy_out = (dir == 0 /* DMA_BIDIRECTIONAL */ || dir == 2 /* DMA_FROM_DEVICE */) &&
		       o->dir != 1 /* DMA_TO_DEVICE */;
	/*
	 * Without the invalidate (a sync that copies nothing back), the CPU's
	 * cache stays as it is: a line the CPU wrote stays dirty (its
	 * snapshot is kept, so the next clean writes it back) and the
	 * device's bytes stay in memory (LINE_DEV_WROTE is kept, so the next
	 * invalidate brings them in), as on hardware.
	 */
	int cache_kept = o->mode == CACHE_NONCOHERENT && !copy_out;
	uint32_t a, b, i;

	(void)unmap;
	maybe_evict(o, n);
	if (!line_range(o, off, len, &a, &b))
		return;
	if (len > o->size - off)
		len = o->size - off;
	if (lines_unchanged(o, a, b)) {
		/*
		 * The CPU wrote nothing while the device owned the lines. Lines the
		 * device did not write either need no invalidate: a line without
		 * LINE_DEV_WROTE has the same own bytes in the shadow as in the
		 * snapshot (every writer of the shadow but the device refreshes both),
		 * so the CPU already holds what memory holds.
		 */
		if (o->mode == CACHE_NONCOHERENT && o->snap && copy_out &&
		    !lines_without(o, a, b, LINE_DEV_WROTE)) {
			/* Invalidate: the buffer's own bytes come from memory, in one go. */
			uintptr_t first = base_of(o) + (uintptr_t)a * L();
			uintptr_t lo = o->cpu > first ? o->cpu : first;
			uintptr_t hi = first + (uintptr_t)(b - a + 1) * L();

			if (hi > o->cpu + o->size)
				hi = o->cpu + o->size;
			memcpy((void *)lo, o->shadow + (lo - base_of(o)), hi - lo);
			if (resharable(o, a, b)) {
				/* CPU, snapshot and shadow now hold the same lines: share again. */
				heap_small_free(o->snap, (size_t)o->nlines * L());
				o->snap = o->shadow;
			} else {
				memcpy(o->snap + (size_t)a * L(), (void *)first,
				       (size_t)(b - a + 1) * L());
			}
		}
		if (cache_kept)
			for (i = a; i <= b; i++)
				o->lines[i] &= LINE_DEV_WROTE;
		else
			memset(o->lines + a, 0, b - a + 1);
		goto bounce;
	}
	for (i = a; i <= b; i++) {
		unsigned int lo, hi;

		if (has_baseline(o) && (o->lines[i] & LINE_DEVICE))
			check_cpu_writes(o, i, BUG_CPU_WRITE_DEVICE_OWNED, n);
		if (o->mode == CACHE_NONCOHERENT && o->snap && copy_out) {
			/* Invalidate: the buffer's bytes of the line come from memory. */
			own_bytes(o, i, &lo, &hi);
			memcpy(cpu_line(o, i) + lo, o->shadow + (size_t)i * L() + lo, hi - lo);
		}
		if (o->snap && !cache_kept)
			memcpy(o->snap + (size_t)i * L(), cpu_line(o, i), L());
		o->lines[i] = cache_kept ? o->lines[i] & LINE_DEV_WROTE : 0;
	}
bounce:
	if (o->mode == CACHE_BOUNCE && o->bounce && copy_out) {
		memcpy((void *)(o->cpu + off), o->bounce + off, len);
		n->bounced_in += len;
		if (o->snap)
			for (i = a; i <= b; i++)
				memcpy(o->snap + (size_t)i * L(), cpu_line(o, i), L());
	}
}

/* The device's view of byte @off of the object. */
static uint8_t *dev_mem(struct dmobj *o, uint64_t off)
{
	if (o->mode == CACHE_NONCOHERENT && o->shadow)
		return o->shadow + (o->cpu - base_of(o)) + off;
	if (o->mode == CACHE_BOUNCE && o->bounce)
		return o->bounce + off;
	return (uint8_t *)(o->cpu + off);
}

/* dev_checks()' findings, line by line (out of line: the common path never needs it). */
__attribute__((noinline)) static void dev_checks_slow(struct dmobj *o, uint64_t off, size_t len,
						      uint32_t a, uint32_t b, int is_read,
						      struct cache_notes *n)
{
	uint32_t i;

	for (i = a; i <= b; i++) {
		unsigned int lo, hi, x;
		uintptr_t start = base_of(o) + (uintptr_t)i * L();

		own_bytes(o, i, &lo, &hi);
		/* Clip to the access. */
		if (start + lo < o->cpu + off)
			lo = (unsigned int)(o->cpu + off - start);
		if (start + hi > o->cpu + off + len)
			hi = (unsigned int)(o->cpu + off + len - start);
		if (!(o->lines[i] & LINE_DEVICE)) {
			note(n, BUG_MISSING_SYNC_FOR_DEVICE, (uint64_t)rel(o, i, lo), hi - lo, 0);
			continue;
		}
		if (!is_read || !has_baseline(o) || (o->lines[i] & LINE_REPORTED))
			continue;
		/* The CPU changed bytes after the last clean: the device reads stale data. */
		for (x = lo; x < hi; x++)
			if (cpu_line(o, i)[x] != base_byte(o, start + x))
				break;
		if (x < hi) {
			/* edge 2 marks "stale" rather than "CPU-owned" */
			note(n, BUG_MISSING_SYNC_FOR_DEVICE, (uint64_t)rel(o, i, x), hi - x, 2);
			o->lines[i] |= LINE_REPORTED;
		}
	}
}

/* Ownership and staleness checks shared by device reads and writes, on lines a..b. */
static inline __attribute__((always_inline)) void dev_checks(struct dmobj *o, uint64_t off,
							     size_t len, uint32_t a, uint32_t b,
							     int is_read, struct cache_notes *n)
{
	/* Fast path: every line device-owned and, for a read, no byte the CPU changed. */
	if (lines_all(o, a, b, LINE_DEVICE)) {
		uintptr_t at = o->cpu + (uintptr_t)off;

		if (!is_read || !has_baseline(o) || own_range_unchanged(o, at, at + len))
			return;
	}
	dev_checks_slow(o, off, len, a, b, is_read, n);
}

void cache_dev_read(struct dmobj *o, uint64_t off, void *buf, size_t len, struct cache_notes *n)
{
	uint32_t a, b;

	if (line_range(o, off, len, &a, &b))
		dev_checks(o, off, len, a, b, 1, n);
	memcpy(buf, dev_mem(o, off), len);
	maybe_evict(o, n);
}

void cache_dev_write(struct dmobj *o, uint64_t off, const void *buf, size_t len,
		     struct cache_notes *n)
{
	uint32_t a, b;
	int lines = line_range(o, off, len, &a, &b);

	if (lines)
		dev_checks(o, off, len, a, b, 0, n);
	if (o->mode == CACHE_NONCOHERENT && o->shadow == o->snap)
		/* On failure, dev_mem() is the CPU's memory. */
		shadow_own(o, (size_t)(o->cpu - base_of(o) + off), len);
	memcpy(dev_mem(o, off), buf, len);
	if (o->mode == CACHE_COHERENT && o->snap) {
		/* The CPU's bytes changed by DMA, not by the CPU. */
		uintptr_t s = o->cpu + (uintptr_t)off - base_of(o);

		memcpy(o->snap + s, buf, len);
	}
	if (lines)
		lines_set(o, a, b, LINE_DEV_WROTE);
	maybe_evict(o, n);
}
