/* SPDX-License-Identifier: MIT */
/*
 * The example NVMe driver: probe/remove, identify, and READ/WRITE requests
 * submitted asynchronously on one I/O queue and completed by polling, plus
 * switches that each inject one DMA API bug. The driver is written as
 * kernel code is, against <linux/dma-mapping.h> and <linux/dmapool.h>
 * only; the device is the model of nvme_dev.h. Not thread-safe: one
 * thread owns a struct nvme_priv, as one CPU owns a polled queue.
 */
#ifndef NVME_DRV_H
#define NVME_DRV_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/device.h>
#include <linux/types.h>

#include "nvme_dev.h"

/* Queue sizes, in entries. */
#define NVME_ADMIN_DEPTH 8u
#define NVME_IO_DEPTH 16u
/* Requests in flight at most: one SQ slot always stays empty. */
#define NVME_MAX_INFLIGHT (NVME_IO_DEPTH - 1u)

/*
 * Injectable bugs, one bit each. Every bug hits one command only and the
 * rest of the driver stays correct, so the shim must report exactly the
 * finding id listed in nvme_bugs[]. With the direct library the bugs run
 * to completion; nvme_bugs[].corrupts says whether the victim's data can
 * really come out wrong (the request names the bugs that hit it in
 * bugs_injected).
 */
enum nvme_bug {
	NVME_BUG_SG_NENTS_MISMATCH = 1u << 0,  /* unmap-nents-mismatch */
	NVME_BUG_PARTIAL_SYNC = 1u << 1,       /* missing-sync-for-device */
	NVME_BUG_PRP_FREE_IN_FLIGHT = 1u << 2, /* use-after-free */
};

/* Name, expected finding and description of one bug switch. */
struct nvme_bug_info {
	const char *name;    /* the --bug=NAME switch */
	const char *finding; /* the id the shim reports */
	const char *what;    /* one line */
	unsigned int bit;    /* enum nvme_bug */
	bool corrupts;	     /* the victim's data may be wrong even without checks */
};

/** Every bug switch, in enum order. */
extern const struct nvme_bug_info nvme_bugs[];
/** Number of entries in nvme_bugs[]. */
extern const size_t nvme_nr_bugs;

/* Driver counters. */
struct nvme_stats {
	unsigned long reads;	  /* READ requests completed successfully */
	unsigned long writes;	  /* WRITE requests completed successfully */
	unsigned long io_errors;  /* requests completed with an error status */
	unsigned long identifies; /* identify commands that succeeded */
	unsigned long admin_errors;
	unsigned long map_errors; /* dma_map_* or dma_pool_alloc failures */
	unsigned long prp_lists;  /* requests that needed a PRP list */
	unsigned long timeouts;
};

enum nvme_op {
	NVME_OP_READ,
	NVME_OP_WRITE,
};

/*
 * One block request, owned by the caller (the "block layer") until its
 * done() callback runs. The buffer must start on a 64-byte boundary and
 * share no cache line with anything else while the request is in flight;
 * WRITE data must be in it before nvme_submit().
 */
struct nvme_request {
	enum nvme_op op;
	u64 slba;			       /* first block */
	unsigned int nblocks;		       /* blocks of NVME_LBA_SIZE bytes */
	void *buf;			       /* nblocks * NVME_LBA_SIZE bytes */
	void (*done)(struct nvme_request *rq); /* completion; must not call nvme_submit() */
	void *arg;			       /* free for the caller */
	/* Set by the driver. */
	int status;		    /* 0, -EIO (error status from the device) or -ENODEV */
	u16 nvme_status;	    /* the completion's status field */
	unsigned int bugs_injected; /* enum nvme_bug switches that acted on this request */
};

struct nvme_priv;

/**
 * nvme_probe - bind the driver to @dev, whose hardware is @hw: set a
 * 64-bit DMA mask, allocate the queues, the PRP list pool and the identify
 * buffer, enable the controller, identify it and its namespace, and create
 * the I/O queue pair.
 * @bugs: OR of enum nvme_bug to inject, 0 for a correct driver
 * @return the driver state, or NULL on failure (message on stderr).
 */
struct nvme_priv *nvme_probe(struct device *dev, struct nvme_hw *hw, unsigned int bugs);

/** nvme_capacity - the namespace size in blocks, from identify. */
u64 nvme_capacity(const struct nvme_priv *priv);

/** nvme_max_blocks - the largest request in blocks, from identify (MDTS). */
unsigned int nvme_max_blocks(const struct nvme_priv *priv);

/**
 * nvme_identify - run one identify command and copy the page out.
 * @cns: NVME_CNS_CONTROLLER or NVME_CNS_NAMESPACE
 * @out: NVME_IDENTIFY_SIZE bytes
 * @return 0; -EIO for an error status; -ETIMEDOUT when the controller did
 * not answer (it is then disabled); -ENODEV after that.
 */
int nvme_identify(struct nvme_priv *priv, unsigned int cns, void *out);

/**
 * nvme_submit - map @rq's buffer, build its PRPs and post it on the I/O
 * queue. Completion is reported by nvme_poll() through rq->done.
 * @return 0; -EINVAL for a bad request (size, alignment, range); -EBUSY
 * when the queue is full (call nvme_poll() and retry); -ENOMEM when a
 * mapping or a PRP list could not be had; -ENODEV when the controller is
 * gone.
 */
int nvme_submit(struct nvme_priv *priv, struct nvme_request *rq);

/**
 * nvme_poll - let the controller run, then complete every finished I/O
 * request: unmap its buffer, free its PRP list and call rq->done.
 * @return the number of requests completed.
 */
unsigned int nvme_poll(struct nvme_priv *priv);

/** nvme_inflight - the number of requests submitted and not yet completed. */
unsigned int nvme_inflight(const struct nvme_priv *priv);

/** nvme_get_stats - copy the driver's counters into @st. */
void nvme_get_stats(const struct nvme_priv *priv, struct nvme_stats *st);

/**
 * nvme_remove - wait for requests in flight (completing any the controller
 * never finishes with -ENODEV), delete the I/O queues, disable the
 * controller, unmap and free everything; NULL is a no-op.
 */
void nvme_remove(struct nvme_priv *priv);

#endif /* NVME_DRV_H */
