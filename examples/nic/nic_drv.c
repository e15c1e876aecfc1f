/* SPDX-License-Identifier: MIT */
/*
 * The example NIC driver, written as a kernel driver would be. Rings live
 * in coherent memory (dma_alloc_coherent); frame buffers are streaming
 * mappings. TX copies each frame into its slot's own 64-byte-aligned
 * 2 KiB buffer, maps it DMA_TO_DEVICE after writing it and unmaps it when
 * the device is done. RX buffers stay mapped DMA_FROM_DEVICE from probe to
 * remove and are recycled with sync_for_cpu / sync_for_device. Invariant
 * (bug switches aside): every buffer starts and ends on a cache-line
 * boundary and shares no line with anything else, so non-coherent devices
 * are safe. The bug switches each break one thing on one frame or one
 * buffer. Locking: none; the caller serialises all calls on a struct
 * nic_priv.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-mapping.h>
#include <linux/errno.h>

#include "nic_drv.h"

#define NIC_BUF_SIZE NIC_MAX_FRAME
#define NIC_CACHE_LINE 64u
#define NIC_RING_BYTES (NIC_RING_ENTRIES * sizeof(struct nic_desc))
/* sync-unmapped: how far off the bogus address is. */
#define NIC_BOGUS_OFFSET (1ULL << 32) /* beyond anything a 32-bit device maps */
/* dma-addr-64bit: the address bit the buggy descriptor write sets. */
#define NIC_BAD_ADDR_BIT (1ULL << 32)
/*
 * rx-shared-cacheline: the shortened RX buffer, so that the ring counter
 * placed right after it falls into the buffer's last cache line.
 */
#define NIC_SHARED_BUF_SIZE (NIC_BUF_SIZE - NIC_CACHE_LINE / 2)

const struct nic_bug_info nic_bugs[] = {
	{ "double-unmap", "double-unmap", "the TX completion path unmaps one buffer twice", NULL,
	  NIC_BUG_DOUBLE_UNMAP },
	{ "unmap-wrong-size", "unmap-size-mismatch", "one TX unmap passes half the mapped size",
	  NULL, NIC_BUG_UNMAP_WRONG_SIZE },
	{ "unmap-wrong-dir", "unmap-dir-mismatch",
	  "one TX unmap passes DMA_FROM_DEVICE for a DMA_TO_DEVICE mapping", NULL,
	  NIC_BUG_UNMAP_WRONG_DIR },
	{ "unchecked-map-error", "map-error-unchecked",
	  "one TX map is never checked with dma_mapping_error()", NULL,
	  NIC_BUG_UNCHECKED_MAP_ERROR },
	{ "leak-mapping", "leak-mapping",
	  "one TX buffer is never unmapped (reported when the device is removed)", NULL,
	  NIC_BUG_LEAK_MAPPING },
	{ "sync-unmapped", "sync-not-mapped",
	  "one RX sync_for_cpu uses an address 4 GiB past the buffer's", NULL,
	  NIC_BUG_SYNC_UNMAPPED },
	{ "map-stack", "map-stack-memory", "one TX frame is mapped from a buffer on the stack",
	  NULL, NIC_BUG_MAP_STACK },
	{ "rx-no-sync-for-cpu", "missing-sync-for-cpu",
	  "one RX frame is read without sync_for_cpu (stale data), then recycled", NULL,
	  NIC_BUG_RX_NO_SYNC_FOR_CPU },
	{ "rx-no-sync-for-device", "missing-sync-for-device",
	  "one RX buffer is given back without sync_for_device; the device's next write is flagged",
	  NULL, NIC_BUG_RX_NO_SYNC_FOR_DEVICE },
	{ "tx-write-after-map", "missing-sync-for-device",
	  "one TX frame is copied into its buffer after the map: the device reads old bytes", NULL,
	  NIC_BUG_TX_WRITE_AFTER_MAP },
	{ "unmap-before-complete", "use-after-unmap",
	  "one TX buffer is unmapped before the device fetched it (a bus error)", NULL,
	  NIC_BUG_UNMAP_BEFORE_COMPLETE },
	{ "dma-addr-64bit", "mask-violation",
	  "one TX descriptor gets its address with bit 32 set (a bus error); shim only", NULL,
	  NIC_BUG_DMA_ADDR_64BIT },
	{ "rx-shared-cacheline", "cacheline-sharing",
	  "RX buffer 0 ends in a cache line with a ring counter the driver updates",
	  "placement=low", NIC_BUG_RX_SHARED_CACHELINE },
	{ "rx-wrong-direction", "dir-violation",
	  "RX buffer 0 is first mapped DMA_TO_DEVICE; the device's write is refused", NULL,
	  NIC_BUG_RX_WRONG_DIRECTION },
};

const size_t nic_nr_bugs = sizeof(nic_bugs) / sizeof(nic_bugs[0]);

struct nic_tx_slot {
	void *buf;	/* this slot's 2 KiB frame buffer */
	dma_addr_t dma; /* mapping of the frame in flight */
	size_t map_len; /* bytes mapped */
	bool busy;	/* mapped and handed to the device */
	bool victim;	/* carries the frame a bug is injected on */
	bool unmapped;	/* unmap-before-complete: already unmapped */
};

struct nic_rx_slot {
	void *buf;		     /* receive buffer, mapped at probe */
	size_t size;		     /* its size: NIC_BUF_SIZE but for rx-shared-cacheline */
	dma_addr_t dma;		     /* DMA_MAPPING_ERROR while not mapped */
	enum dma_data_direction dir; /* DMA_FROM_DEVICE but for rx-wrong-direction */
};

/*
 * rx-shared-cacheline: RX buffer 0 and the ring's refill counter in one
 * allocation. The buffer does not end on a cache line, so the counter
 * shares the buffer's last line: the CPU writes that line while the
 * device owns it, and on a non-coherent machine one side's data is lost.
 */
struct nic_rx_shared {
	unsigned char buf[NIC_SHARED_BUF_SIZE];
	unsigned long refills;
};

struct nic_priv {
	struct device *dev;
	struct nic_hw *hw;
	unsigned int bugs;
	struct nic_rx_handler rx_handler;

	struct nic_desc *tx_ring;
	dma_addr_t tx_ring_dma;
	struct nic_desc *rx_ring;
	dma_addr_t rx_ring_dma;

	struct nic_tx_slot tx[NIC_RING_ENTRIES];
	struct nic_rx_slot rx[NIC_RING_ENTRIES];
	unsigned int tx_head;	/* next slot to fill (free-running) */
	unsigned int tx_tail;	/* next slot to reclaim (free-running) */
	unsigned int rx_next;	/* next RX descriptor to look at */
	unsigned long tx_count; /* frames queued so far */
	unsigned long rx_count; /* RX descriptors processed so far */

	void *spare_buf;		     /* leak-mapping: replaces the leaked buffer */
	struct nic_rx_shared *rx_shared;     /* rx-shared-cacheline: RX buffer 0 */
	unsigned long rx_refills_store;	     /* the refill counter, normally */
	unsigned long *rx_refills;	     /* RX buffers handed to the device */
	unsigned char rx_copy[NIC_BUF_SIZE]; /* frame copied out of RX */
	struct nic_stats stats;
};

/*
 * leak-mapping: the buffer whose mapping is leaked. It is deliberately
 * never freed: the device could still DMA into it, so freeing it would be
 * a second bug.
 */
static void *volatile nic_leaked_buf;

/* Descriptor writes must be visible before OWN is (the kernel's dma_wmb). */
static inline void nic_wmb(void)
{
	atomic_thread_fence(memory_order_release);
}

/* Descriptor fields must be read after DONE is (the kernel's dma_rmb). */
static inline void nic_rmb(void)
{
	atomic_thread_fence(memory_order_acquire);
}

static inline size_t cache_align(size_t n)
{
	return (n + NIC_CACHE_LINE - 1) & ~(size_t)(NIC_CACHE_LINE - 1);
}

static inline bool has_bug(const struct nic_priv *priv, unsigned int bug)
{
	return (priv->bugs & bug) != 0;
}

/* A zeroed buffer that owns its cache lines. */
static void *nic_alloc_buf(void)
{
	void *buf = aligned_alloc(NIC_CACHE_LINE, NIC_BUF_SIZE);

	if (buf)
		memset(buf, 0, NIC_BUF_SIZE);
	return buf;
}

/* Give RX descriptor @i (buffer already mapped) to the device. */
static void nic_rx_give(struct nic_priv *priv, unsigned int i)
{
	struct nic_desc *d = &priv->rx_ring[i];

	d->addr = priv->rx[i].dma;
	d->len = (u32)priv->rx[i].size;
	nic_wmb();
	d->flags = NIC_DESC_OWN;
	/* BUG rx-shared-cacheline when the counter lives in rx_shared. */
	(*priv->rx_refills)++;
}

/* Unmap a finished TX frame; this is where most bugs are injected. */
static void nic_tx_unmap(struct nic_priv *priv, struct nic_tx_slot *slot)
{
	enum dma_data_direction dir = DMA_TO_DEVICE;
	size_t size = slot->map_len;

	if (slot->unmapped) {
		/* unmap-before-complete: the bug unmapped it at submission. */
		slot->unmapped = false;
		slot->victim = false;
		return;
	}
	if (slot->victim && has_bug(priv, NIC_BUG_LEAK_MAPPING) && priv->spare_buf) {
		/* BUG leak-mapping: forget the mapping, park its buffer. */
		nic_leaked_buf = slot->buf;
		slot->buf = priv->spare_buf;
		priv->spare_buf = NULL;
		slot->victim = false;
		return;
	}
	if (slot->victim && has_bug(priv, NIC_BUG_UNMAP_WRONG_SIZE))
		size /= 2; /* BUG unmap-wrong-size */
	if (slot->victim && has_bug(priv, NIC_BUG_UNMAP_WRONG_DIR))
		dir = DMA_FROM_DEVICE; /* BUG unmap-wrong-dir */
	dma_unmap_single(priv->dev, slot->dma, size, dir);
	if (slot->victim && has_bug(priv, NIC_BUG_DOUBLE_UNMAP))
		dma_unmap_single(priv->dev, slot->dma, slot->map_len,
				 DMA_TO_DEVICE); /* BUG double-unmap */
	slot->victim = false;
}

/* Reclaim TX descriptors the device has finished. */
static unsigned int nic_tx_clean(struct nic_priv *priv)
{
	unsigned int done = 0;

	while (priv->tx_tail != priv->tx_head) {
		unsigned int i = priv->tx_tail % NIC_RING_ENTRIES;
		struct nic_desc *d = &priv->tx_ring[i];
		struct nic_tx_slot *slot = &priv->tx[i];
		u32 flags = d->flags;

		if (!(flags & NIC_DESC_DONE))
			break;
		nic_rmb();
		if (flags & NIC_DESC_ERR)
			priv->stats.tx_errors++;
		else
			priv->stats.tx_packets++;
		nic_tx_unmap(priv, slot);
		slot->busy = false;
		d->flags = 0;
		d->addr = 0;
		d->len = 0;
		priv->tx_tail++;
		done++;
	}
	return done;
}

/*
 * Take a received frame out of RX slot @slot and recycle the buffer:
 * sync_for_cpu, copy, sync_for_device. @first: the first RX descriptor,
 * the one the RX bugs hit.
 */
static void nic_rx_frame(struct nic_priv *priv, struct nic_rx_slot *slot, u32 len, bool first)
{
	size_t sync_len = cache_align(len);

	if (first && has_bug(priv, NIC_BUG_SYNC_UNMAPPED))
		/* BUG sync-unmapped: a miscomputed header peek. */
		dma_sync_single_for_cpu(priv->dev, slot->dma + NIC_BOGUS_OFFSET, sync_len,
					DMA_FROM_DEVICE);
	if (first && has_bug(priv, NIC_BUG_RX_NO_SYNC_FOR_CPU))
		/* BUG rx-no-sync-for-cpu: the CPU may read stale bytes. */
		priv->stats.bug_frames++;
	else
		dma_sync_single_for_cpu(priv->dev, slot->dma, sync_len, DMA_FROM_DEVICE);
	memcpy(priv->rx_copy, slot->buf, len);
	/* BUG rx-no-sync-for-device: the buffer goes back still CPU-owned. */
	if (!(first && has_bug(priv, NIC_BUG_RX_NO_SYNC_FOR_DEVICE)))
		dma_sync_single_for_device(priv->dev, slot->dma, sync_len, DMA_FROM_DEVICE);
}

/*
 * rx-wrong-direction: RX slot @slot was mapped with the wrong direction.
 * Unmap it as it was mapped (the CPU owns the buffer then), copy out the
 * frame if the device delivered one, and map it again the right way.
 * @return false when the new map failed and the slot must stay empty.
 */
static bool nic_rx_remap(struct nic_priv *priv, struct nic_rx_slot *slot, u32 len)
{
	dma_unmap_single(priv->dev, slot->dma, slot->size, slot->dir);
	if (len)
		memcpy(priv->rx_copy, slot->buf, len);
	priv->stats.bug_frames++;
	slot->dir = DMA_FROM_DEVICE;
	slot->dma = dma_map_single(priv->dev, slot->buf, slot->size, slot->dir);
	if (dma_mapping_error(priv->dev, slot->dma)) {
		slot->dma = DMA_MAPPING_ERROR;
		priv->stats.map_errors++;
		return false;
	}
	return true;
}

/* Receive finished RX descriptors and hand their buffers back. */
static unsigned int nic_rx_clean(struct nic_priv *priv)
{
	unsigned int done = 0;

	while (done < NIC_RING_ENTRIES) {
		unsigned int i = priv->rx_next % NIC_RING_ENTRIES;
		struct nic_desc *d = &priv->rx_ring[i];
		struct nic_rx_slot *slot = &priv->rx[i];
		u32 flags = d->flags;
		bool good, refill = true;
		u32 len;

		if (!(flags & NIC_DESC_DONE))
			break;
		nic_rmb();
		len = d->len;
		good = !(flags & NIC_DESC_ERR) && len != 0 && len <= slot->size;
		if (slot->dir != DMA_FROM_DEVICE)
			refill = nic_rx_remap(priv, slot, good ? len : 0);
		else if (good)
			nic_rx_frame(priv, slot, len, priv->rx_count == 0);
		if (good)
			priv->stats.rx_packets++;
		else
			priv->stats.rx_errors++;
		if (refill) {
			nic_rx_give(priv, i);
		} else {
			/* No buffer: the device stalls here, as hardware would. */
			d->flags = 0;
		}
		priv->rx_next++;
		priv->rx_count++;
		done++;
		if (good && priv->rx_handler.fn)
			priv->rx_handler.fn(priv->rx_handler.arg, priv->rx_copy, len);
	}
	return done;
}

unsigned int nic_poll(struct nic_priv *priv)
{
	unsigned int rx_done = nic_rx_clean(priv);

	/* Refilled RX buffers may unblock frames the device holds back. */
	if (rx_done)
		nic_hw_doorbell(priv->hw);
	return rx_done + nic_tx_clean(priv);
}

/* Fill TX descriptor @i and hand it to the device. */
static void nic_tx_post(struct nic_priv *priv, unsigned int i, dma_addr_t dma, size_t len,
			size_t map_len, bool victim)
{
	struct nic_desc *d = &priv->tx_ring[i];
	struct nic_tx_slot *slot = &priv->tx[i];

	slot->dma = dma;
	slot->map_len = map_len;
	slot->busy = true;
	slot->victim = victim;
	slot->unmapped = false;
	d->addr = dma;
	if (victim && has_bug(priv, NIC_BUG_DMA_ADDR_64BIT)) {
		/* BUG dma-addr-64bit: a stray high bit; the slot keeps the real address. */
		d->addr = dma | NIC_BAD_ADDR_BIT;
		priv->stats.bug_frames++;
	}
	d->len = (u32)len;
	nic_wmb();
	d->flags = NIC_DESC_OWN;
	if (victim && has_bug(priv, NIC_BUG_UNMAP_BEFORE_COMPLETE)) {
		/* BUG unmap-before-complete: the device has not fetched it yet. */
		dma_unmap_single(priv->dev, dma, map_len, DMA_TO_DEVICE);
		slot->unmapped = true;
		priv->stats.bug_frames++;
	}
	priv->tx_head++;
	priv->tx_count++;
	nic_hw_doorbell(priv->hw);
}

/*
 * BUG map-stack: send the frame from a stack buffer. The buffer owns its
 * cache lines and the function waits for the device to finish with it, so
 * the mapping itself is the only thing wrong.
 */
static int nic_xmit_from_stack(struct nic_priv *priv, unsigned int i, const void *frame, size_t len)
{
	_Alignas(64) unsigned char buf[NIC_BUF_SIZE];
	size_t map_len = cache_align(len);
	unsigned int tries;
	dma_addr_t dma;

	memcpy(buf, frame, len);
	memset(buf + len, 0, map_len - len);
	dma = dma_map_single(priv->dev, buf, map_len, DMA_TO_DEVICE);
	if (dma_mapping_error(priv->dev, dma)) {
		priv->stats.map_errors++;
		return -ENOMEM;
	}
	nic_tx_post(priv, i, dma, len, map_len, true);
	for (tries = 0; priv->tx[i].busy && tries < 1000; tries++)
		nic_poll(priv);
	if (priv->tx[i].busy) {
		/* TX timeout: the device is stuck; take the frame back. */
		nic_hw_reset(priv->hw);
		if (!priv->tx[i].unmapped)
			dma_unmap_single(priv->dev, dma, map_len, DMA_TO_DEVICE);
		priv->tx[i].unmapped = false;
		priv->tx[i].busy = false;
		priv->stats.tx_errors++;
	}
	return 0;
}

int nic_xmit(struct nic_priv *priv, const void *frame, size_t len)
{
	unsigned int i = priv->tx_head % NIC_RING_ENTRIES;
	struct nic_tx_slot *slot = &priv->tx[i];
	bool victim = priv->tx_count == 0;
	bool late_copy = victim && has_bug(priv, NIC_BUG_TX_WRITE_AFTER_MAP);
	size_t map_len;
	dma_addr_t dma;

	if (len == 0 || len > NIC_BUF_SIZE)
		return -EINVAL;
	if (priv->tx_head - priv->tx_tail >= NIC_RING_ENTRIES)
		return -EBUSY;
	if (victim && has_bug(priv, NIC_BUG_MAP_STACK))
		return nic_xmit_from_stack(priv, i, frame, len);

	/* Write the frame first: the CPU owns the buffer until it is mapped. */
	if (!late_copy)
		memcpy(slot->buf, frame, len);
	map_len = cache_align(len);
	dma = dma_map_single(priv->dev, slot->buf, map_len, DMA_TO_DEVICE);
	/* BUG unchecked-map-error: the victim's map is used unchecked. */
	if (!(victim && has_bug(priv, NIC_BUG_UNCHECKED_MAP_ERROR)) &&
	    dma_mapping_error(priv->dev, dma)) {
		priv->stats.map_errors++;
		return -ENOMEM;
	}
	if (late_copy) {
		/* BUG tx-write-after-map: the device may see the old bytes. */
		memcpy(slot->buf, frame, len);
		priv->stats.bug_frames++;
	}
	nic_tx_post(priv, i, dma, len, map_len, victim);
	return 0;
}

void nic_get_stats(const struct nic_priv *priv, struct nic_stats *st)
{
	*st = priv->stats;
}

/* Undo nic_probe() as far as it got. */
static void nic_teardown(struct nic_priv *priv)
{
	unsigned int i;

	if (priv->hw)
		nic_hw_reset(priv->hw);
	for (i = 0; i < NIC_RING_ENTRIES; i++) {
		struct nic_tx_slot *t = &priv->tx[i];
		struct nic_rx_slot *r = &priv->rx[i];

		if (t->busy && !t->unmapped)
			dma_unmap_single(priv->dev, t->dma, t->map_len, DMA_TO_DEVICE);
		free(t->buf);
		if (r->buf && r->dma != DMA_MAPPING_ERROR)
			dma_unmap_single(priv->dev, r->dma, r->size, r->dir);
		if (!priv->rx_shared || r->buf != priv->rx_shared->buf)
			free(r->buf);
	}
	free(priv->rx_shared);
	free(priv->spare_buf);
	if (priv->rx_ring)
		dma_free_coherent(priv->dev, NIC_RING_BYTES, priv->rx_ring, priv->rx_ring_dma);
	if (priv->tx_ring)
		dma_free_coherent(priv->dev, NIC_RING_BYTES, priv->tx_ring, priv->tx_ring_dma);
	free(priv);
}

struct nic_priv *nic_probe(struct device *dev, struct nic_hw *hw, unsigned int bugs,
			   const struct nic_rx_handler *rx)
{
	struct nic_priv *priv;
	unsigned int i;
	int rc;

	priv = calloc(1, sizeof(*priv));
	if (!priv) {
		fprintf(stderr, "%s: out of memory\n", dev_name(dev));
		return NULL;
	}
	priv->dev = dev;
	priv->hw = hw;
	priv->bugs = bugs;
	if (rx)
		priv->rx_handler = *rx;
	priv->rx_refills = &priv->rx_refills_store;
	for (i = 0; i < NIC_RING_ENTRIES; i++) {
		priv->rx[i].dma = DMA_MAPPING_ERROR;
		priv->rx[i].size = NIC_BUF_SIZE;
		priv->rx[i].dir = DMA_FROM_DEVICE;
	}
	if (has_bug(priv, NIC_BUG_RX_SHARED_CACHELINE)) {
		/* BUG rx-shared-cacheline: buffer 0 and the counter share a line. */
		priv->rx_shared =
			aligned_alloc(NIC_CACHE_LINE, cache_align(sizeof(*priv->rx_shared)));
		if (!priv->rx_shared) {
			fprintf(stderr, "%s: out of memory\n", dev_name(dev));
			goto fail;
		}
		memset(priv->rx_shared, 0, sizeof(*priv->rx_shared));
		priv->rx_refills = &priv->rx_shared->refills;
		priv->rx[0].buf = priv->rx_shared->buf;
		priv->rx[0].size = sizeof(priv->rx_shared->buf);
	}
	if (has_bug(priv, NIC_BUG_RX_WRONG_DIRECTION))
		priv->rx[0].dir = DMA_TO_DEVICE; /* BUG rx-wrong-direction */

	rc = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (rc) {
		fprintf(stderr, "%s: no suitable DMA available (%d)\n", dev_name(dev), rc);
		goto fail;
	}
	priv->tx_ring = dma_alloc_coherent(dev, NIC_RING_BYTES, &priv->tx_ring_dma, GFP_KERNEL);
	priv->rx_ring = dma_alloc_coherent(dev, NIC_RING_BYTES, &priv->rx_ring_dma, GFP_KERNEL);
	if (!priv->tx_ring || !priv->rx_ring) {
		fprintf(stderr, "%s: cannot allocate descriptor rings\n", dev_name(dev));
		goto fail;
	}
	for (i = 0; i < NIC_RING_ENTRIES; i++) {
		priv->tx[i].buf = nic_alloc_buf();
		if (!priv->rx[i].buf)
			priv->rx[i].buf = nic_alloc_buf();
		if (!priv->tx[i].buf || !priv->rx[i].buf) {
			fprintf(stderr, "%s: cannot allocate buffers\n", dev_name(dev));
			goto fail;
		}
		priv->rx[i].dma =
			dma_map_single(dev, priv->rx[i].buf, priv->rx[i].size, priv->rx[i].dir);
		if (dma_mapping_error(dev, priv->rx[i].dma)) {
			priv->rx[i].dma = DMA_MAPPING_ERROR;
			fprintf(stderr, "%s: cannot map RX buffer %u\n", dev_name(dev), i);
			goto fail;
		}
		nic_rx_give(priv, i);
	}
	if (has_bug(priv, NIC_BUG_LEAK_MAPPING)) {
		priv->spare_buf = nic_alloc_buf();
		if (!priv->spare_buf) {
			fprintf(stderr, "%s: cannot allocate buffers\n", dev_name(dev));
			goto fail;
		}
	}
	nic_hw_setup_rings(hw, priv->tx_ring_dma, priv->rx_ring_dma, NIC_RING_ENTRIES);
	return priv;

fail:
	nic_teardown(priv);
	return NULL;
}

void nic_remove(struct nic_priv *priv)
{
	if (!priv)
		return;
	/* Reclaim finished frames the usual way, then free everything. */
	nic_tx_clean(priv);
	nic_teardown(priv);
}
