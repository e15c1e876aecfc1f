/* SPDX-License-Identifier: MIT */
/*
 * The hardware of the example NIC: its descriptor format (the "datasheet"
 * the driver is written against) and a model of the device. The device
 * has a TX ring and an RX ring of 16-byte descriptors in host memory and
 * wires TX back into RX (loopback): a doorbell makes it transmit every
 * frame the driver handed over, each into the next RX buffer the driver
 * gave it. It touches host memory only through dmasan_dev_read() and
 * dmasan_dev_write(), at the bus addresses it was given. Single-threaded:
 * the model runs synchronously inside the "register writes" below.
 */
#ifndef NIC_DEV_H
#define NIC_DEV_H

#include <stddef.h>
#include <linux/device.h>
#include <linux/types.h>

/* Descriptor flags. */
#define NIC_DESC_OWN 0x1u  /* driver -> device: the descriptor is the device's */
#define NIC_DESC_DONE 0x2u /* device -> driver: finished, OWN cleared */
#define NIC_DESC_ERR 0x4u  /* with DONE: bus error, nothing transferred */

/* Largest frame the hardware moves, and its RX buffer size. */
#define NIC_MAX_FRAME 2048u

/*
 * One ring entry, little-endian as the device reads it (the hosts this
 * example runs on are little-endian, so no byte swapping is needed).
 * TX: addr/len describe the frame. RX: the driver sets addr and len (the
 * buffer size); the device writes back len (bytes received) and flags.
 */
struct nic_desc {
	__le64 addr;
	__le32 len;
	__le32 flags;
};

/* Device-side counters, for the test's diagnostics. */
struct nic_hw_stats {
	unsigned long tx_frames;  /* frames fetched and looped back */
	unsigned long rx_frames;  /* frames written into RX buffers */
	unsigned long bus_errors; /* dmasan_dev_read/write refused */
	unsigned long stalls;	  /* doorbells that found no free RX buffer */
};

struct nic_hw;

/**
 * nic_hw_create - power on a NIC model that does DMA as @dev.
 * @return the model, or NULL when out of memory.
 */
struct nic_hw *nic_hw_create(struct device *dev);

/** nic_hw_destroy - power off and free @hw; NULL is a no-op. */
void nic_hw_destroy(struct nic_hw *hw);

/**
 * nic_hw_setup_rings - register write: ring base bus addresses and their
 * common number of entries; starts the engine at entry 0 of both rings.
 */
void nic_hw_setup_rings(struct nic_hw *hw, dma_addr_t tx_ring, dma_addr_t rx_ring,
			unsigned int entries);

/** nic_hw_reset - register write: stop the engine and forget the rings. */
void nic_hw_reset(struct nic_hw *hw);

/**
 * nic_hw_doorbell - register write: process TX descriptors the driver owns
 * over to the device, looping each frame into the next RX buffer; stops at
 * the first TX descriptor not owned by the device, or when no RX buffer is
 * free (the driver rings again after refilling RX).
 */
void nic_hw_doorbell(struct nic_hw *hw);

/** nic_hw_get_stats - copy the device's counters into @st. */
void nic_hw_get_stats(const struct nic_hw *hw, struct nic_hw_stats *st);

#endif /* NIC_DEV_H */
