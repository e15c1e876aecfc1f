/* SPDX-License-Identifier: MIT */
/*
 * The example NIC driver: probe/remove, transmit and a polling receive
 * path, plus switches that each inject one classic DMA API bug. The
 * driver is written as kernel code is, against <linux/dma-mapping.h> only;
 * the device is the model of nic_dev.h. Not thread-safe: one thread owns
 * a struct nic_priv, as a NAPI context would.
 */
#ifndef NIC_DRV_H
#define NIC_DRV_H

#include <stddef.h>
#include <linux/device.h>

#include "nic_dev.h"

/* Descriptors per ring. */
#define NIC_RING_ENTRIES 16u

/*
 * Injectable bugs, one bit each. Every bug hits one frame or one buffer
 * only (the first frame transmitted, the first one received, or RX buffer
 * 0) and is harmless with the direct library; the rest of the driver stays
 * correct, so the shim must report exactly the finding ids listed in
 * nic_bugs[]. Bugs that make a frame arrive corrupted or not at all under
 * the shim count that frame in nic_stats.bug_frames.
 */
enum nic_bug {
	NIC_BUG_DOUBLE_UNMAP = 1u << 0,		  /* double-unmap */
	NIC_BUG_UNMAP_WRONG_SIZE = 1u << 1,	  /* unmap-size-mismatch */
	NIC_BUG_UNMAP_WRONG_DIR = 1u << 2,	  /* unmap-dir-mismatch */
	NIC_BUG_UNCHECKED_MAP_ERROR = 1u << 3,	  /* map-error-unchecked */
	NIC_BUG_LEAK_MAPPING = 1u << 4,		  /* leak-mapping */
	NIC_BUG_SYNC_UNMAPPED = 1u << 5,	  /* sync-not-mapped */
	NIC_BUG_MAP_STACK = 1u << 6,		  /* map-stack-memory */
	NIC_BUG_RX_NO_SYNC_FOR_CPU = 1u << 7,	  /* missing-sync-for-cpu */
	NIC_BUG_RX_NO_SYNC_FOR_DEVICE = 1u << 8,  /* missing-sync-for-device */
	NIC_BUG_TX_WRITE_AFTER_MAP = 1u << 9,	  /* missing-sync-for-device */
	NIC_BUG_UNMAP_BEFORE_COMPLETE = 1u << 10, /* use-after-unmap */
	NIC_BUG_DMA_ADDR_64BIT = 1u << 11,	  /* mask-violation */
	NIC_BUG_RX_SHARED_CACHELINE = 1u << 12,	  /* cacheline-sharing */
	NIC_BUG_RX_WRONG_DIRECTION = 1u << 13,	  /* dir-violation */
};

/* Name, expected finding and description of one bug switch. */
struct nic_bug_info {
	const char *name;    /* the --bug=NAME switch */
	const char *finding; /* the id the shim reports */
	const char *what;    /* one line */
	const char *options; /* DMASAN_OPTIONS the finding needs, or NULL */
	unsigned int bit;    /* enum nic_bug */
};

/** Every bug switch, in enum order. */
extern const struct nic_bug_info nic_bugs[];
/** Number of entries in nic_bugs[]. */
extern const size_t nic_nr_bugs;

/* Driver counters. */
struct nic_stats {
	unsigned long tx_packets;
	unsigned long tx_errors;
	unsigned long rx_packets;
	unsigned long rx_errors;
	unsigned long map_errors;
	/* frames an injected bug may have corrupted or dropped (see enum nic_bug) */
	unsigned long bug_frames;
};

/* Receive handler: called once per good frame with a copy of it. */
struct nic_rx_handler {
	void (*fn)(void *arg, const void *frame, size_t len);
	void *arg;
};

struct nic_priv;

/**
 * nic_probe - bind the driver to @dev, whose hardware is @hw: set the DMA
 * masks, allocate the rings and buffers, map the RX buffers and start the
 * device.
 * @bugs: OR of enum nic_bug to inject, 0 for a correct driver
 * @rx: where received frames go
 * @return the driver state, or NULL on failure (message on stderr).
 */
struct nic_priv *nic_probe(struct device *dev, struct nic_hw *hw, unsigned int bugs,
			   const struct nic_rx_handler *rx);

/**
 * nic_xmit - queue one frame for transmission and ring the doorbell.
 * @return 0; -EINVAL for an empty or oversized frame; -EBUSY when the TX
 * ring is full (call nic_poll() and retry); -ENOMEM when the map failed.
 */
int nic_xmit(struct nic_priv *priv, const void *frame, size_t len);

/**
 * nic_poll - receive completed RX frames (recycling their buffers), ring
 * the doorbell when buffers were refilled, and reclaim finished TX frames.
 * @return the number of descriptors processed, 0 when there was no work.
 */
unsigned int nic_poll(struct nic_priv *priv);

/** nic_get_stats - copy the driver's counters into @st. */
void nic_get_stats(const struct nic_priv *priv, struct nic_stats *st);

/**
 * nic_remove - stop the device, unmap and free everything; NULL is a no-op.
 */
void nic_remove(struct nic_priv *priv);

#endif /* NIC_DRV_H */
