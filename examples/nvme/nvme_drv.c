/* SPDX-License-Identifier: MIT */
/*
 * The example NVMe driver, written as a kernel driver would be. The admin
 * and I/O queue pairs live in coherent memory (dma_alloc_coherent); the
 * device posts completions with a phase tag that flips on every pass.
 * Request data is a streaming mapping of an sg_table built from the pages
 * of the caller's buffer (dma_map_sgtable), mapped DMA_TO_DEVICE after the
 * CPU wrote it (WRITE) or DMA_FROM_DEVICE (READ, given back to the CPU by
 * the unmap at completion). PRPs come from the sg DMA addresses: PRP1 is
 * the first segment, PRP2 the second page or the bus address of a PRP
 * list, one 4 KiB block of the "prp" dma_pool, freed at completion. The
 * identify buffer is mapped once at probe and reused: sync_for_device
 * before each identify, sync_for_cpu after. Invariant: every DMA buffer
 * starts and ends on a cache-line boundary and shares no line with other
 * data. The bug switches each break one thing on one command. Locking:
 * none; the caller serialises all calls on a struct nvme_priv.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/errno.h>
#include <linux/scatterlist.h>

#include "nvme_drv.h"

#define NVME_CACHE_LINE 64u
#define NVME_PAGE NVME_CTRL_PAGE_SIZE
#define NVME_PAGE_OFF ((dma_addr_t)NVME_PAGE - 1)
#define NVME_PRPS_PER_LIST ((int)(NVME_PAGE / sizeof(__le64)))
#define NVME_ADMIN_POLLS 1000u	/* controller runs before an admin command times out */
#define NVME_REMOVE_POLLS 1000u /* polls remove waits for requests in flight */
/* partial-sync: the identify command it hits (0 is the first after probe's map). */
#define NVME_PARTIAL_SYNC_VICTIM 1ul

const struct nvme_bug_info nvme_bugs[] = {
	{ "sg-nents-mismatch", "unmap-nents-mismatch",
	  "one WRITE's sg table has an unused extra entry; its unmap passes orig_nents",
	  NVME_BUG_SG_NENTS_MISMATCH, false },
	{ "partial-sync", "missing-sync-for-device",
	  "before one identify only the first half of the identify buffer is synced for the device",
	  NVME_BUG_PARTIAL_SYNC, false },
	{ "prp-free-in-flight", "use-after-free",
	  "one WRITE's PRP list is freed right after the doorbell, before the device reads it",
	  NVME_BUG_PRP_FREE_IN_FLIGHT, true },
};

const size_t nvme_nr_bugs = sizeof(nvme_bugs) / sizeof(nvme_bugs[0]);

/* One submission/completion queue pair. */
struct nvme_queue {
	unsigned int qid;
	unsigned int depth;
	struct nvme_sqe *sqes; /* coherent */
	dma_addr_t sq_dma;
	struct nvme_cqe *cqes; /* coherent */
	dma_addr_t cq_dma;
	unsigned int sq_tail; /* next entry the driver fills */
	unsigned int sq_head; /* from the last completion */
	unsigned int cq_head; /* next entry the driver looks at */
	u16 cq_phase;	      /* phase tag of valid entries in this pass */
	bool live;	      /* created on the controller */
};

/* Per-request driver state, indexed by command id. */
struct nvme_iod {
	struct nvme_request *rq;
	struct sg_table sgt;
	enum dma_data_direction dir;
	__le64 *prp_list; /* pool block, or NULL */
	dma_addr_t prp_dma;
	bool busy;
	bool nents_victim; /* sg-nents-mismatch: mapped with dma_map_sg */
};

struct nvme_priv {
	struct device *dev;
	struct nvme_hw *hw;
	unsigned int bugs;
	bool enabled; /* CC.EN written */
	bool dead;    /* the controller stopped answering; it was disabled */

	struct nvme_queue adminq;
	struct nvme_queue ioq;
	struct dma_pool *prp_pool;
	void *id_buf; /* NVME_IDENTIFY_SIZE, page aligned */
	dma_addr_t id_dma;
	bool id_mapped;

	u64 capacity;		 /* namespace blocks */
	unsigned int max_blocks; /* per request */
	u16 admin_cid;
	unsigned long identify_count; /* identify commands issued */
	bool nents_bug_done;
	bool prp_bug_done;
	unsigned int inflight;
	struct nvme_iod iod[NVME_IO_DEPTH];
	struct nvme_stats stats;
};

/* Entry writes must be visible before the doorbell is (the kernel's wmb). */
static inline void nvme_wmb(void)
{
	atomic_thread_fence(memory_order_release);
}

/* Completion fields must be read after the phase tag is (dma_rmb). */
static inline void nvme_rmb(void)
{
	atomic_thread_fence(memory_order_acquire);
}

static inline bool has_bug(const struct nvme_priv *priv, unsigned int bug)
{
	return (priv->bugs & bug) != 0;
}

static bool nvme_sq_full(const struct nvme_queue *q)
{
	return (q->sq_tail + 1) % q->depth == q->sq_head;
}

/* Copy @cmd into the next SQ slot and ring the tail doorbell. */
static void nvme_sq_post(struct nvme_priv *priv, struct nvme_queue *q, const struct nvme_sqe *cmd)
{
	memcpy(&q->sqes[q->sq_tail], cmd, sizeof(*cmd));
	q->sq_tail = (q->sq_tail + 1) % q->depth;
	nvme_wmb();
	nvme_hw_ring_sq(priv->hw, q->qid, q->sq_tail);
}

/*
 * The completion at the CQ head if the device has posted it: consumes it
 * (the caller rings the head doorbell) and returns true.
 */
static bool nvme_cq_pop(struct nvme_queue *q, u16 *cid, u16 *status)
{
	const struct nvme_cqe *e = &q->cqes[q->cq_head];
	u16 st = e->status;

	if ((st & NVME_CQE_PHASE) != q->cq_phase)
		return false;
	nvme_rmb();
	*cid = e->cid;
	*status = NVME_CQE_STATUS(st);
	q->sq_head = e->sq_head % q->depth;
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->cq_phase ^= 1;
	}
	return true;
}

static int nvme_alloc_queue(struct nvme_priv *priv, struct nvme_queue *q, unsigned int qid,
			    unsigned int depth)
{
	q->qid = qid;
	q->depth = depth;
	q->cq_phase = 1;
	q->sqes = dma_alloc_coherent(priv->dev, depth * sizeof(struct nvme_sqe), &q->sq_dma,
				     GFP_KERNEL);
	q->cqes = dma_alloc_coherent(priv->dev, depth * sizeof(struct nvme_cqe), &q->cq_dma,
				     GFP_KERNEL);
	return q->sqes && q->cqes ? 0 : -ENOMEM;
}

static void nvme_free_queue(struct nvme_priv *priv, struct nvme_queue *q)
{
	if (q->cqes)
		dma_free_coherent(priv->dev, q->depth * sizeof(struct nvme_cqe), q->cqes,
				  q->cq_dma);
	if (q->sqes)
		dma_free_coherent(priv->dev, q->depth * sizeof(struct nvme_sqe), q->sqes,
				  q->sq_dma);
	q->cqes = NULL;
	q->sqes = NULL;
}

/* Unmap a request's data; this is where sg-nents-mismatch strikes. */
static void nvme_unmap_data(struct nvme_priv *priv, struct nvme_iod *iod)
{
	if (iod->nents_victim)
		/* BUG sg-nents-mismatch: orig_nents counts the unused entry. */
		dma_unmap_sg(priv->dev, iod->sgt.sgl, (int)iod->sgt.orig_nents, iod->dir);
	else
		dma_unmap_sgtable(priv->dev, &iod->sgt, iod->dir, 0);
	sg_free_table(&iod->sgt);
	iod->nents_victim = false;
}

/* Finish a request: unmap, free its PRP list, report it to its owner. */
static void nvme_end_request(struct nvme_priv *priv, struct nvme_iod *iod, int err, u16 status)
{
	struct nvme_request *rq = iod->rq;

	nvme_unmap_data(priv, iod);
	if (iod->prp_list)
		dma_pool_free(priv->prp_pool, iod->prp_list, iod->prp_dma);
	iod->prp_list = NULL;
	iod->rq = NULL;
	iod->busy = false;
	priv->inflight--;

	rq->nvme_status = status;
	rq->status = err ? err : status ? -EIO : 0;
	if (rq->status)
		priv->stats.io_errors++;
	else if (rq->op == NVME_OP_WRITE)
		priv->stats.writes++;
	else
		priv->stats.reads++;
	if (rq->done)
		rq->done(rq);
}

/* The controller stopped answering: disable it and fail what is in flight. */
static void nvme_kill(struct nvme_priv *priv)
{
	unsigned int i;

	if (priv->enabled)
		nvme_hw_disable(priv->hw);
	priv->enabled = false;
	priv->dead = true;
	priv->ioq.live = false;
	for (i = 0; i < NVME_IO_DEPTH; i++)
		if (priv->iod[i].busy)
			nvme_end_request(priv, &priv->iod[i], -ENODEV, 0);
}

/* Run one admin command to completion. @return 0, -EIO, -ETIMEDOUT or -ENODEV. */
static int nvme_admin_exec(struct nvme_priv *priv, struct nvme_sqe *cmd)
{
	struct nvme_queue *q = &priv->adminq;
	unsigned int polls;

	if (priv->dead || !priv->enabled)
		return -ENODEV;
	if (nvme_sq_full(q))
		return -EBUSY; /* cannot happen: one admin command at a time */
	cmd->cid = priv->admin_cid++;
	nvme_sq_post(priv, q, cmd);
	for (polls = 0; polls < NVME_ADMIN_POLLS; polls++) {
		u16 cid, status;

		nvme_hw_process(priv->hw);
		while (nvme_cq_pop(q, &cid, &status)) {
			nvme_hw_ring_cq(priv->hw, q->qid, q->cq_head);
			if (cid != cmd->cid)
				continue; /* a stale completion: ignore it */
			if (status) {
				priv->stats.admin_errors++;
				return -EIO;
			}
			return 0;
		}
	}
	fprintf(stderr, "%s: admin command 0x%02x timed out; disabling the controller\n",
		dev_name(priv->dev), cmd->opcode);
	priv->stats.timeouts++;
	nvme_kill(priv);
	return -ETIMEDOUT;
}

/* PRP2 for a buffer of at most two pages: the second page, or 0. */
static dma_addr_t nvme_prp2_single(dma_addr_t dma, size_t len)
{
	dma_addr_t second = (dma & ~NVME_PAGE_OFF) + NVME_PAGE;

	return dma + len > second ? second : 0;
}

int nvme_identify(struct nvme_priv *priv, unsigned int cns, void *out)
{
	struct nvme_sqe cmd;
	int rc;

	if (priv->dead || !priv->enabled)
		return -ENODEV;
	/* The buffer goes to the device whole: it may write every byte. */
	if (has_bug(priv, NVME_BUG_PARTIAL_SYNC) &&
	    priv->identify_count == NVME_PARTIAL_SYNC_VICTIM)
		/* BUG partial-sync: only the first half is handed over. */
		dma_sync_single_range_for_device(priv->dev, priv->id_dma, 0, NVME_IDENTIFY_SIZE / 2,
						 DMA_FROM_DEVICE);
	else
		dma_sync_single_for_device(priv->dev, priv->id_dma, NVME_IDENTIFY_SIZE,
					   DMA_FROM_DEVICE);
	priv->identify_count++;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_IDENTIFY;
	cmd.nsid = cns == NVME_CNS_NAMESPACE ? NVME_NSID : 0;
	cmd.prp1 = priv->id_dma;
	cmd.prp2 = nvme_prp2_single(priv->id_dma, NVME_IDENTIFY_SIZE);
	cmd.cdw10 = cns;
	rc = nvme_admin_exec(priv, &cmd);

	/* Done, failed or disabled: the device no longer writes the buffer. */
	dma_sync_single_for_cpu(priv->dev, priv->id_dma, NVME_IDENTIFY_SIZE, DMA_FROM_DEVICE);
	if (rc == 0) {
		memcpy(out, priv->id_buf, NVME_IDENTIFY_SIZE);
		priv->stats.identifies++;
	}
	return rc;
}

static int nvme_create_io_queues(struct nvme_priv *priv)
{
	struct nvme_queue *q = &priv->ioq;
	struct nvme_sqe cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_CREATE_CQ;
	cmd.prp1 = q->cq_dma;
	cmd.cdw10 = (q->depth - 1) << 16 | q->qid;
	cmd.cdw11 = NVME_QUEUE_CONTIG;
	rc = nvme_admin_exec(priv, &cmd);
	if (rc)
		return rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_CREATE_SQ;
	cmd.prp1 = q->sq_dma;
	cmd.cdw10 = (q->depth - 1) << 16 | q->qid;
	cmd.cdw11 = q->qid << 16 | NVME_QUEUE_CONTIG;
	rc = nvme_admin_exec(priv, &cmd);
	if (rc) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = NVME_ADMIN_DELETE_CQ;
		cmd.cdw10 = q->qid;
		nvme_admin_exec(priv, &cmd);
		return rc;
	}
	q->live = true;
	return 0;
}

static void nvme_delete_io_queues(struct nvme_priv *priv)
{
	struct nvme_queue *q = &priv->ioq;
	struct nvme_sqe cmd;

	if (!q->live)
		return;
	q->live = false;
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_DELETE_SQ;
	cmd.cdw10 = q->qid;
	if (nvme_admin_exec(priv, &cmd) == 0) {
		cmd.opcode = NVME_ADMIN_DELETE_CQ;
		nvme_admin_exec(priv, &cmd);
	}
}

/* Read what the driver needs from the identify pages. */
static int nvme_identify_all(struct nvme_priv *priv)
{
	union nvme_id_page *id;
	u64 max_bytes;
	unsigned int lbads;
	int rc;

	id = malloc(sizeof(*id));
	if (!id)
		return -ENOMEM;
	rc = nvme_identify(priv, NVME_CNS_CONTROLLER, id);
	if (rc)
		goto out;
	if (id->ctrl.nn < NVME_NSID) {
		fprintf(stderr, "%s: controller has no namespace %u\n", dev_name(priv->dev),
			NVME_NSID);
		rc = -ENODEV;
		goto out;
	}
	/* MDTS 0 means no limit; one PRP list page bounds it here anyway. */
	max_bytes = (u64)NVME_PRPS_PER_LIST * NVME_PAGE;
	if (id->ctrl.mdts && id->ctrl.mdts < 20 && ((u64)NVME_PAGE << id->ctrl.mdts) < max_bytes)
		max_bytes = (u64)NVME_PAGE << id->ctrl.mdts;
	priv->max_blocks = (unsigned int)(max_bytes / NVME_LBA_SIZE);

	rc = nvme_identify(priv, NVME_CNS_NAMESPACE, id);
	if (rc)
		goto out;
	lbads = (id->ns.lbaf[id->ns.flbas & 0xf] >> 16) & 0xff;
	if (lbads != NVME_LBA_SHIFT || id->ns.nsze == 0) {
		fprintf(stderr, "%s: unsupported namespace format (%u-byte blocks, %llu blocks)\n",
			dev_name(priv->dev), lbads < 32 ? 1u << lbads : 0,
			(unsigned long long)id->ns.nsze);
		rc = -ENODEV;
		goto out;
	}
	priv->capacity = id->ns.nsze;
out:
	free(id);
	return rc;
}

/* Undo nvme_probe() as far as it got. */
static void nvme_teardown(struct nvme_priv *priv)
{
	unsigned int i;

	nvme_delete_io_queues(priv);
	if (priv->enabled)
		nvme_hw_disable(priv->hw);
	priv->enabled = false;
	/* The controller is off: nothing in flight can still be touched. */
	for (i = 0; i < NVME_IO_DEPTH; i++)
		if (priv->iod[i].busy)
			nvme_end_request(priv, &priv->iod[i], -ENODEV, 0);
	if (priv->id_mapped)
		dma_unmap_single(priv->dev, priv->id_dma, NVME_IDENTIFY_SIZE, DMA_FROM_DEVICE);
	free(priv->id_buf);
	dma_pool_destroy(priv->prp_pool);
	nvme_free_queue(priv, &priv->ioq);
	nvme_free_queue(priv, &priv->adminq);
	free(priv);
}

struct nvme_priv *nvme_probe(struct device *dev, struct nvme_hw *hw, unsigned int bugs)
{
	struct nvme_priv *priv;
	int rc;

	priv = calloc(1, sizeof(*priv));
	if (!priv) {
		fprintf(stderr, "%s: out of memory\n", dev_name(dev));
		return NULL;
	}
	priv->dev = dev;
	priv->hw = hw;
	priv->bugs = bugs;

	rc = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (rc) {
		fprintf(stderr, "%s: no suitable DMA available (%d)\n", dev_name(dev), rc);
		goto fail;
	}
	if (nvme_alloc_queue(priv, &priv->adminq, NVME_ADMIN_QID, NVME_ADMIN_DEPTH) ||
	    nvme_alloc_queue(priv, &priv->ioq, NVME_IO_QID, NVME_IO_DEPTH)) {
		fprintf(stderr, "%s: cannot allocate queues\n", dev_name(dev));
		goto fail;
	}
	priv->prp_pool = dma_pool_create("prp", dev, NVME_PAGE, NVME_PAGE, 0);
	if (!priv->prp_pool) {
		fprintf(stderr, "%s: cannot create the PRP list pool\n", dev_name(dev));
		goto fail;
	}
	/* Page aligned, as kmalloc(4096) is: PRP1 alone describes it. */
	priv->id_buf = aligned_alloc(PAGE_SIZE, NVME_IDENTIFY_SIZE);
	if (!priv->id_buf) {
		fprintf(stderr, "%s: out of memory\n", dev_name(dev));
		goto fail;
	}
	memset(priv->id_buf, 0, NVME_IDENTIFY_SIZE);
	priv->id_dma = dma_map_single(dev, priv->id_buf, NVME_IDENTIFY_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, priv->id_dma)) {
		fprintf(stderr, "%s: cannot map the identify buffer\n", dev_name(dev));
		goto fail;
	}
	priv->id_mapped = true;

	nvme_hw_set_admin_queues(hw, priv->adminq.sq_dma, priv->adminq.depth, priv->adminq.cq_dma,
				 priv->adminq.depth);
	if (!nvme_hw_enable(hw)) {
		fprintf(stderr, "%s: controller did not become ready\n", dev_name(dev));
		goto fail;
	}
	priv->enabled = true;
	rc = nvme_identify_all(priv);
	if (rc) {
		fprintf(stderr, "%s: identify failed (%d)\n", dev_name(dev), rc);
		goto fail;
	}
	rc = nvme_create_io_queues(priv);
	if (rc) {
		fprintf(stderr, "%s: cannot create the I/O queues (%d)\n", dev_name(dev), rc);
		goto fail;
	}
	return priv;

fail:
	nvme_teardown(priv);
	return NULL;
}

u64 nvme_capacity(const struct nvme_priv *priv)
{
	return priv->capacity;
}

unsigned int nvme_max_blocks(const struct nvme_priv *priv)
{
	return priv->max_blocks;
}

/*
 * The PRP entries after PRP1 for the DMA segments of @sgt: the start of
 * every page after the first. Stores up to @max of them in @out and
 * returns how many there are, or -EINVAL when the segments break the PRP
 * rules (only the first may start inside a page, all but the last must
 * end on a page boundary).
 */
static int nvme_prp_pages(const struct sg_table *sgt, __le64 *out, int max)
{
	struct scatterlist *sg;
	unsigned int i;
	int n = 0;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t start = sg_dma_address(sg), end = start + sg_dma_len(sg), p;

		if (i > 0 && (start & NVME_PAGE_OFF))
			return -EINVAL;
		if (i + 1 < sgt->nents && (end & NVME_PAGE_OFF))
			return -EINVAL;
		p = i == 0 ? (start & ~NVME_PAGE_OFF) + NVME_PAGE : start;
		for (; p < end; p += NVME_PAGE) {
			if (n < max)
				out[n] = p;
			n++;
		}
	}
	return n;
}

/* Fill PRP1/PRP2 of @cmd from the mapped data of @iod, with a PRP list if needed. */
static int nvme_setup_prps(struct nvme_priv *priv, struct nvme_iod *iod, struct nvme_sqe *cmd)
{
	__le64 second;
	int n;

	n = nvme_prp_pages(&iod->sgt, &second, 1);
	if (n < 0 || n > NVME_PRPS_PER_LIST)
		return -EINVAL;
	cmd->prp1 = sg_dma_address(iod->sgt.sgl);
	if (n <= 1) {
		cmd->prp2 = n == 1 ? second : 0;
		return 0;
	}
	iod->prp_list = dma_pool_alloc(priv->prp_pool, GFP_ATOMIC, &iod->prp_dma);
	if (!iod->prp_list) {
		priv->stats.map_errors++;
		return -ENOMEM;
	}
	nvme_prp_pages(&iod->sgt, iod->prp_list, n);
	cmd->prp2 = iod->prp_dma;
	priv->stats.prp_lists++;
	return 0;
}

/* Build the sg_table of @rq's buffer, one entry per page, and map it. */
static int nvme_map_data(struct nvme_priv *priv, struct nvme_iod *iod, struct nvme_request *rq)
{
	size_t len = (size_t)rq->nblocks * NVME_LBA_SIZE, left = len;
	unsigned int npages =
		(unsigned int)((offset_in_page(rq->buf) + len + PAGE_SIZE - 1) / PAGE_SIZE);
	bool victim = has_bug(priv, NVME_BUG_SG_NENTS_MISMATCH) && !priv->nents_bug_done &&
		      rq->op == NVME_OP_WRITE;
	unsigned char *p = rq->buf;
	struct scatterlist *sg;
	unsigned int i;
	int rc;

	/*
	 * BUG sg-nents-mismatch: the table is sized for the worst case (an
	 * unaligned buffer spans one page more), so it ends in an unused entry.
	 */
	rc = sg_alloc_table(&iod->sgt, npages + (victim ? 1 : 0), GFP_ATOMIC);
	if (rc)
		return rc;
	for (i = 0, sg = iod->sgt.sgl; i < npages; i++, sg = sg_next(sg)) {
		size_t room = PAGE_SIZE - offset_in_page(p);
		size_t chunk = left < room ? left : room;

		sg_set_page(sg, virt_to_page(p), (unsigned int)chunk,
			    (unsigned int)offset_in_page(p));
		p += chunk;
		left -= chunk;
	}
	iod->dir = rq->op == NVME_OP_WRITE ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	if (victim) {
		/* Only the real entries are mapped ... */
		int n = dma_map_sg(priv->dev, iod->sgt.sgl, (int)npages, iod->dir);

		rc = n > 0 ? 0 : -EIO;
		if (n > 0) {
			iod->sgt.nents = (unsigned int)n;
			iod->nents_victim = true;
			priv->nents_bug_done = true;
			rq->bugs_injected |= NVME_BUG_SG_NENTS_MISMATCH;
		}
	} else {
		rc = dma_map_sgtable(priv->dev, &iod->sgt, iod->dir, 0);
	}
	if (rc) {
		priv->stats.map_errors++;
		sg_free_table(&iod->sgt);
		return -ENOMEM;
	}
	return 0;
}

int nvme_submit(struct nvme_priv *priv, struct nvme_request *rq)
{
	struct nvme_queue *q = &priv->ioq;
	struct nvme_iod *iod = NULL;
	struct nvme_sqe cmd;
	unsigned int tag;
	int rc;

	if (priv->dead || !q->live)
		return -ENODEV;
	if (!rq || !rq->buf || (rq->op != NVME_OP_READ && rq->op != NVME_OP_WRITE) ||
	    rq->nblocks == 0 || rq->nblocks > priv->max_blocks || rq->slba >= priv->capacity ||
	    rq->nblocks > priv->capacity - rq->slba || (uintptr_t)rq->buf % NVME_CACHE_LINE != 0)
		return -EINVAL;
	if (nvme_sq_full(q) || priv->inflight >= NVME_MAX_INFLIGHT)
		return -EBUSY;
	for (tag = 0; tag < NVME_IO_DEPTH; tag++) {
		if (!priv->iod[tag].busy) {
			iod = &priv->iod[tag];
			break;
		}
	}
	if (!iod)
		return -EBUSY;

	rq->status = 0;
	rq->nvme_status = 0;
	rq->bugs_injected = 0;
	/* WRITE: the caller filled the buffer, so the CPU is done with it. */
	rc = nvme_map_data(priv, iod, rq);
	if (rc)
		return rc;
	memset(&cmd, 0, sizeof(cmd));
	rc = nvme_setup_prps(priv, iod, &cmd);
	if (rc) {
		nvme_unmap_data(priv, iod);
		return rc;
	}
	cmd.opcode = rq->op == NVME_OP_WRITE ? NVME_IO_WRITE : NVME_IO_READ;
	cmd.cid = (u16)tag;
	cmd.nsid = NVME_NSID;
	cmd.cdw10 = (u32)rq->slba;
	cmd.cdw11 = (u32)(rq->slba >> 32);
	cmd.cdw12 = rq->nblocks - 1;

	iod->rq = rq;
	iod->busy = true;
	priv->inflight++;
	nvme_sq_post(priv, q, &cmd);

	if (iod->prp_list && rq->op == NVME_OP_WRITE && !priv->prp_bug_done &&
	    has_bug(priv, NVME_BUG_PRP_FREE_IN_FLIGHT)) {
		/* BUG prp-free-in-flight: the device has not read the list yet. */
		dma_pool_free(priv->prp_pool, iod->prp_list, iod->prp_dma);
		iod->prp_list = NULL;
		priv->prp_bug_done = true;
		rq->bugs_injected |= NVME_BUG_PRP_FREE_IN_FLIGHT;
	}
	return 0;
}

unsigned int nvme_poll(struct nvme_priv *priv)
{
	struct nvme_queue *q = &priv->ioq;
	unsigned int done = 0;
	bool consumed = false;
	u16 cid, status;

	if (priv->dead || !q->live)
		return 0;
	nvme_hw_process(priv->hw);
	while (nvme_cq_pop(q, &cid, &status)) {
		consumed = true;
		if (cid >= NVME_IO_DEPTH || !priv->iod[cid].busy)
			continue; /* not ours: a buggy device; ignore it */
		nvme_end_request(priv, &priv->iod[cid], 0, status);
		done++;
	}
	if (consumed)
		nvme_hw_ring_cq(priv->hw, q->qid, q->cq_head);
	return done;
}

unsigned int nvme_inflight(const struct nvme_priv *priv)
{
	return priv->inflight;
}

void nvme_get_stats(const struct nvme_priv *priv, struct nvme_stats *st)
{
	*st = priv->stats;
}

void nvme_remove(struct nvme_priv *priv)
{
	unsigned int polls;

	if (!priv)
		return;
	for (polls = 0; priv->inflight && !priv->dead && polls < NVME_REMOVE_POLLS; polls++)
		nvme_poll(priv);
	nvme_teardown(priv);
}
