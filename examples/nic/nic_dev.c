/* SPDX-License-Identifier: MIT */
/*
 * Model of the example NIC in loopback. It keeps its own ring indices, as
 * hardware does, and sees host memory only through dmasan_dev_read() and
 * dmasan_dev_write() at bus addresses: the ring bases it was programmed
 * with and the buffer addresses found in descriptors. Under the shim those
 * accesses are translated and checked, so the model never dereferences a
 * bus address. A refused access halts a ring (like a bus error) or
 * completes the descriptor with NIC_DESC_ERR. No locking: the model runs
 * synchronously on the thread that rings the doorbell.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <dmasan/dmasan.h>

#include "nic_dev.h"

struct nic_hw {
	struct device *dev;
	dma_addr_t tx_ring;
	dma_addr_t rx_ring;
	unsigned int entries;
	unsigned int tx_idx; /* next TX descriptor the device looks at */
	unsigned int rx_idx; /* next RX descriptor the device fills */
	bool running;
	struct nic_hw_stats stats;
	unsigned char frame[NIC_MAX_FRAME]; /* the wire */
};

/* The part of a descriptor the device writes back: len, then flags. */
struct nic_writeback {
	__le32 len;
	__le32 flags;
};

struct nic_hw *nic_hw_create(struct device *dev)
{
	struct nic_hw *hw = calloc(1, sizeof(*hw));

	if (hw)
		hw->dev = dev;
	return hw;
}

void nic_hw_destroy(struct nic_hw *hw)
{
	free(hw);
}

void nic_hw_setup_rings(struct nic_hw *hw, dma_addr_t tx_ring, dma_addr_t rx_ring,
			unsigned int entries)
{
	hw->tx_ring = tx_ring;
	hw->rx_ring = rx_ring;
	hw->entries = entries;
	hw->tx_idx = 0;
	hw->rx_idx = 0;
	hw->running = entries != 0;
}

void nic_hw_reset(struct nic_hw *hw)
{
	hw->running = false;
	hw->tx_ring = 0;
	hw->rx_ring = 0;
	hw->entries = 0;
}

static dma_addr_t desc_addr(dma_addr_t ring, unsigned int idx)
{
	return ring + (dma_addr_t)idx * sizeof(struct nic_desc);
}

/* Fetch a descriptor; a refused read halts the engine. */
static int fetch_desc(struct nic_hw *hw, dma_addr_t ring, unsigned int idx, struct nic_desc *d)
{
	if (dmasan_dev_read(hw->dev, desc_addr(ring, idx), d, sizeof(*d)) != 0) {
		hw->stats.bus_errors++;
		hw->running = false;
		return -1;
	}
	return 0;
}

/* Write back length and flags of a descriptor (one burst). */
static void complete_desc(struct nic_hw *hw, dma_addr_t ring, unsigned int idx, u32 len, u32 flags)
{
	struct nic_writeback wb = { .len = len, .flags = flags };

	if (dmasan_dev_write(hw->dev, desc_addr(ring, idx) + offsetof(struct nic_desc, len), &wb,
			     sizeof(wb)) != 0) {
		hw->stats.bus_errors++;
		hw->running = false;
	}
}

/* Move one frame from TX descriptor @tx to RX descriptor @rx. */
static void loop_frame(struct nic_hw *hw, const struct nic_desc *tx, const struct nic_desc *rx)
{
	u32 len = tx->len;

	if (len == 0 || len > NIC_MAX_FRAME ||
	    dmasan_dev_read(hw->dev, tx->addr, hw->frame, len) != 0) {
		/* Nothing to send: fail the TX descriptor, keep the RX one. */
		if (len != 0 && len <= NIC_MAX_FRAME)
			hw->stats.bus_errors++;
		complete_desc(hw, hw->tx_ring, hw->tx_idx, 0, NIC_DESC_DONE | NIC_DESC_ERR);
		return;
	}
	hw->stats.tx_frames++;
	if (len > rx->len || dmasan_dev_write(hw->dev, rx->addr, hw->frame, len) != 0) {
		if (len <= rx->len)
			hw->stats.bus_errors++;
		complete_desc(hw, hw->rx_ring, hw->rx_idx, 0, NIC_DESC_DONE | NIC_DESC_ERR);
	} else {
		hw->stats.rx_frames++;
		complete_desc(hw, hw->rx_ring, hw->rx_idx, len, NIC_DESC_DONE);
	}
	hw->rx_idx = (hw->rx_idx + 1) % hw->entries;
	complete_desc(hw, hw->tx_ring, hw->tx_idx, len, NIC_DESC_DONE);
}

void nic_hw_doorbell(struct nic_hw *hw)
{
	struct nic_desc tx, rx;

	while (hw->running) {
		if (fetch_desc(hw, hw->tx_ring, hw->tx_idx, &tx) != 0 || !(tx.flags & NIC_DESC_OWN))
			break;
		if (fetch_desc(hw, hw->rx_ring, hw->rx_idx, &rx) != 0)
			break;
		if (!(rx.flags & NIC_DESC_OWN)) {
			hw->stats.stalls++;
			break;
		}
		loop_frame(hw, &tx, &rx);
		hw->tx_idx = (hw->tx_idx + 1) % hw->entries;
	}
}

void nic_hw_get_stats(const struct nic_hw *hw, struct nic_hw_stats *st)
{
	*st = hw->stats;
}
