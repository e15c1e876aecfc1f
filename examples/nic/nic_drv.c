/* SPDX-License-Identifier: MIT */
/*
 * The example NIC driver, written as a kernel driver would be. Rings live
 * in coherent memory (dma_alloc_coherent); frame buffers are streaming
 * mappings. TX copies each frame into its slot's own 64-byte-aligned
 * 2 KiB buffer, maps it DMA_TO_DEVICE after writing it and unmaps it when
 * the device is done. RX buffers stay mapped DMA_FROM_DEVICE from probe to
 * remove and are recycled with sync_for_cpu / sync_for_device. Invariant:
 * every buffer starts and ends on a cache-line boundary and shares no
 * line with anything else, so non-coherent devices are safe. The bug
 * switches each break one thing on one frame. Locking: none; the caller
 * serialises all calls on a struct nic_priv.
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

const struct nic_bug_info nic_bugs[] = {
	{ "double-unmap", "double-unmap", "the TX completion path unmaps one buffer twice",
	  NIC_BUG_DOUBLE_UNMAP },
	{ "unmap-wrong-size", "unmap-size-mismatch", "one TX unmap passes half the mapped size",
	  NIC_BUG_UNMAP_WRONG_SIZE },
	{ "unmap-wrong-dir", "unmap-dir-mismatch",
	  "one TX unmap passes DMA_FROM_DEVICE for a DMA_TO_DEVICE mapping",
	  NIC_BUG_UNMAP_WRONG_DIR },
	{ "unchecked-map-error", "map-error-unchecked",
	  "one TX map is never checked with dma_mapping_error()", NIC_BUG_UNCHECKED_MAP_ERROR },
	{ "leak-mapping", "leak-mapping",
	  "one TX buffer is never unmapped (reported when the device is removed)",
	  NIC_BUG_LEAK_MAPPING },
	{ "sync-unmapped", "sync-not-mapped",
	  "one RX sync_for_cpu uses an address 1 MiB past the buffer's", NIC_BUG_SYNC_UNMAPPED },
	{ "map-stack", "map-stack-memory", "one TX frame is mapped from a buffer on the stack",
	  NIC_BUG_MAP_STACK },
};

const size_t nic_nr_bugs = sizeof(nic_bugs) / sizeof(nic_bugs[0]);

struct nic_tx_slot {
	void *buf;	/* this slot's 2 KiB frame buffer */
	dma_addr_t dma; /* mapping of the frame in flight */
	size_t map_len; /* bytes mapped */
	bool busy;	/* mapped and handed to the device */
	bool victim;	/* carries the frame a bug is injected on */
};

struct nic_rx_slot {
	void *buf;	/* 2 KiB receive buffer, mapped at probe */
	dma_addr_t dma; /* DMA_MAPPING_ERROR while not mapped */
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
	d->len = NIC_BUF_SIZE;
	nic_wmb();
	d->flags = NIC_DESC_OWN;
}

/* Unmap a finished TX frame; this is where most bugs are injected. */
static void nic_tx_unmap(struct nic_priv *priv, struct nic_tx_slot *slot)
{
	enum dma_data_direction dir = DMA_TO_DEVICE;
	size_t size = slot->map_len;

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

/* Receive finished RX descriptors and hand their buffers back. */
static unsigned int nic_rx_clean(struct nic_priv *priv)
{
	unsigned int done = 0;

	while (done < NIC_RING_ENTRIES) {
		unsigned int i = priv->rx_next % NIC_RING_ENTRIES;
		struct nic_desc *d = &priv->rx_ring[i];
		struct nic_rx_slot *slot = &priv->rx[i];
		u32 flags = d->flags;
		u32 len;
		bool good;

		if (!(flags & NIC_DESC_DONE))
			break;
		nic_rmb();
		len = d->len;
		good = !(flags & NIC_DESC_ERR) && len != 0 && len <= NIC_BUF_SIZE;
		if (good) {
			size_t sync_len = cache_align(len);

			if (priv->rx_count == 0 && has_bug(priv, NIC_BUG_SYNC_UNMAPPED))
				/* BUG sync-unmapped: a miscomputed header peek. */
				dma_sync_single_for_cpu(priv->dev, slot->dma + NIC_BOGUS_OFFSET,
							sync_len, DMA_FROM_DEVICE);
			dma_sync_single_for_cpu(priv->dev, slot->dma, sync_len, DMA_FROM_DEVICE);
			memcpy(priv->rx_copy, slot->buf, len);
			dma_sync_single_for_device(priv->dev, slot->dma, sync_len, DMA_FROM_DEVICE);
			priv->stats.rx_packets++;
		} else {
			priv->stats.rx_errors++;
		}
		nic_rx_give(priv, i);
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
	d->addr = dma;
	d->len = (u32)len;
	nic_wmb();
	d->flags = NIC_DESC_OWN;
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
		dma_unmap_single(priv->dev, dma, map_len, DMA_TO_DEVICE);
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
	size_t map_len;
	dma_addr_t dma;

	if (len == 0 || len > NIC_BUF_SIZE)
		return -EINVAL;
	if (priv->tx_head - priv->tx_tail >= NIC_RING_ENTRIES)
		return -EBUSY;
	if (victim && has_bug(priv, NIC_BUG_MAP_STACK))
		return nic_xmit_from_stack(priv, i, frame, len);

	/* Write the frame first: the CPU owns the buffer until it is mapped. */
	memcpy(slot->buf, frame, len);
	map_len = cache_align(len);
	dma = dma_map_single(priv->dev, slot->buf, map_len, DMA_TO_DEVICE);
	/* BUG unchecked-map-error: the victim's map is used unchecked. */
	if (!(victim && has_bug(priv, NIC_BUG_UNCHECKED_MAP_ERROR)) &&
	    dma_mapping_error(priv->dev, dma)) {
		priv->stats.map_errors++;
		return -ENOMEM;
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

		if (t->busy)
			dma_unmap_single(priv->dev, t->dma, t->map_len, DMA_TO_DEVICE);
		free(t->buf);
		if (r->buf && r->dma != DMA_MAPPING_ERROR)
			dma_unmap_single(priv->dev, r->dma, NIC_BUF_SIZE, DMA_FROM_DEVICE);
		free(r->buf);
	}
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
	for (i = 0; i < NIC_RING_ENTRIES; i++)
		priv->rx[i].dma = DMA_MAPPING_ERROR;

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
		priv->rx[i].buf = nic_alloc_buf();
		if (!priv->tx[i].buf || !priv->rx[i].buf) {
			fprintf(stderr, "%s: cannot allocate buffers\n", dev_name(dev));
			goto fail;
		}
		priv->rx[i].dma =
			dma_map_single(dev, priv->rx[i].buf, NIC_BUF_SIZE, DMA_FROM_DEVICE);
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
