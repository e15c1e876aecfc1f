/* SPDX-License-Identifier: MIT */
/*
 * The cache model: what the device sees versus what the CPU sees for one
 * tracked object, moved only at the points where Linux moves it.
 *
 * Three modes. COHERENT: the device accesses the CPU's buffer directly.
 * NONCOHERENT: the device sees a private shadow ("RAM") covering the whole
 * cache lines of the buffer; a handoff to the device (map,
 * sync_for_device) writes back the lines the CPU dirtied (clean), a
 * takeback for DMA_FROM_DEVICE/BIDIRECTIONAL (sync_for_cpu, unmap) copies
 * the shadow over the CPU's bytes (invalidate). BOUNCE: the device sees a
 * swiotlb slot; the map copies the buffer in for every direction,
 * sync_for_device copies in for TO_DEVICE/BIDIRECTIONAL, sync_for_cpu
 * and unmap copy out for FROM_DEVICE/BIDIRECTIONAL, as swiotlb does.
 *
 * In every mode a snapshot holds the CPU's bytes as of the last handoff
 * (for NONCOHERENT: the clean state of each line), so at each ownership
 * change the model can tell which bytes the CPU wrote while the device
 * owned them (cpu-write-device-owned, or cacheline-sharing when only the
 * bytes next to the buffer in a shared edge line changed), which lines
 * the device wrote that the CPU handed back without looking
 * (missing-sync-for-cpu), and which bytes a device read finds stale
 * (missing-sync-for-device). Edge bytes outside the buffer are never
 * overwritten by an invalidate (they may be the program's heap); the
 * corruption real hardware would cause is reported instead.
 *
 * Optional eviction (evict= per mille, seed=) writes dirty CPU lines back
 * to the shadow at random at each event, as a real cache might.
 * Locking: every function runs under the object's lock.
 */
#ifndef DMASAN_CORE_CACHE_H
#define DMASAN_CORE_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct dmobj;

enum cache_mode { CACHE_COHERENT = 0, CACHE_NONCOHERENT, CACHE_BOUNCE };

/* Per-line state bits, beside LINE_DEVICE of core/track.h. */
#define LINE_DEV_WROTE 0x02 /* the device wrote the line since the CPU last took it back */
#define LINE_REPORTED 0x04  /* a CPU write to the line was reported already */

#define CACHE_MAX_NOTES 4

/** What one transition found: kind is an enum dmasan_bug value. */
struct cache_note {
	int kind;
	uint64_t off,
		len; /* byte range, relative to the object's first byte (may be negative-edge: see edge) */
	int edge; /* cacheline-sharing: bytes before (-1) or after (+1) the buffer;
			      * missing-sync-for-device: 2 when the device read stale bytes */
};

struct cache_notes {
	int n;
	struct cache_note note[CACHE_MAX_NOTES];
	uint64_t bounced;    /* bytes copied from the buffer into its bounce slot */
	uint64_t bounced_in; /* bytes copied back from the bounce slot */
};

/**
 * cache_setup - give @o its mode; @bounce is the slot memory for
 * CACHE_BOUNCE. Allocates the snapshot (and the shadow for NONCOHERENT)
 * from the private heap; when that fails the object keeps working with
 * content checks off. @to_device: the lines start device-owned (maps) or
 * CPU-owned (non-coherent allocations). Copies in as a map does.
 */
void cache_setup(struct dmobj *o, enum cache_mode mode, void *bounce, int to_device,
		 struct cache_notes *n);

/** cache_release - free what cache_setup() allocated. */
void cache_release(struct dmobj *o);

/** cache_to_device - sync_for_device of [off, off+len) with @dir. */
void cache_to_device(struct dmobj *o, uint64_t off, uint64_t len, int dir, struct cache_notes *n);

/** cache_to_cpu - sync_for_cpu (or the unmap, @unmap=1) of [off, off+len) with @dir. */
void cache_to_cpu(struct dmobj *o, uint64_t off, uint64_t len, int dir, int unmap,
		  struct cache_notes *n);

/** cache_dev_read / cache_dev_write - a device access of [off, off+len). */
void cache_dev_read(struct dmobj *o, uint64_t off, void *buf, size_t len, struct cache_notes *n);
void cache_dev_write(struct dmobj *o, uint64_t off, const void *buf, size_t len,
		     struct cache_notes *n);

/** cache_set_eviction - per-mille probability and seed (0: a fixed default). */
void cache_set_eviction(unsigned int per_mille, uint64_t seed);

#endif /* DMASAN_CORE_CACHE_H */
