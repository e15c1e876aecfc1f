/* SPDX-License-Identifier: MIT */
/*
 * Model of the example NVMe controller. It keeps its own queue state, as
 * hardware does, and sees host memory only through dmasan_dev_read() and
 * dmasan_dev_write() at bus addresses: the queue bases it was programmed
 * with and the PRP entries found in commands (PRP1, PRP2 and PRP lists,
 * checked the way the NVMe specification asks: only PRP1 may carry a page
 * offset). Under the shim those accesses are translated and checked, so
 * the model never dereferences a bus address. A refused data access or a
 * malformed PRP completes the command with an error status and changes
 * nothing on the disk (writes land only when the whole transfer worked);
 * a refused queue access is a controller fatal error that stops the
 * engine. Bus address 0 is never memory on the simulated machine (DRAM
 * starts at 2 GiB), so a PRP of 0 is refused without an access. No
 * locking: the model runs on the thread that calls nvme_hw_process().
 */
#include <stdlib.h>
#include <string.h>
#include <dmasan/dmasan.h>

#include "nvme_dev.h"

#define PAGE_OFF_MASK ((u64)NVME_CTRL_PAGE_SIZE - 1)
#define MAX_XFER ((size_t)NVME_CTRL_PAGE_SIZE << NVME_MDTS)
/* Pages one transfer can touch: MDTS pages, plus one for PRP1's offset. */
#define MAX_PRPS ((1u << NVME_MDTS) + 1u)
#define PRPS_PER_PAGE (NVME_CTRL_PAGE_SIZE / sizeof(__le64))

struct hw_sq {
	dma_addr_t base;
	unsigned int entries;
	unsigned int head; /* next entry the device fetches */
	unsigned int tail; /* from the doorbell */
	unsigned int cqid;
	bool valid;
};

struct hw_cq {
	dma_addr_t base;
	unsigned int entries;
	unsigned int tail; /* next entry the device posts */
	unsigned int head; /* from the doorbell */
	u16 phase;	   /* phase tag of the current pass */
	bool valid;
};

struct nvme_hw {
	struct device *dev;
	bool enabled;
	bool fatal; /* CSTS.CFS: stopped until disabled */
	dma_addr_t asq, acq;
	unsigned int asq_entries, acq_entries;
	struct hw_sq sq[2]; /* admin, I/O */
	struct hw_cq cq[2];
	struct nvme_hw_stats stats;
	bool written[NVME_DISK_BLOCKS];
	unsigned char disk[NVME_DISK_BLOCKS * NVME_LBA_SIZE];
	union {
		unsigned char bytes[MAX_XFER];
		struct nvme_id_ctrl ctrl;
		struct nvme_id_ns ns;
	} xfer; /* staging buffer of one transfer */
};

struct nvme_hw *nvme_hw_create(struct device *dev)
{
	struct nvme_hw *hw = calloc(1, sizeof(*hw));

	if (hw)
		hw->dev = dev;
	return hw;
}

void nvme_hw_destroy(struct nvme_hw *hw)
{
	free(hw);
}

void nvme_hw_set_admin_queues(struct nvme_hw *hw, dma_addr_t asq, unsigned int sq_entries,
			      dma_addr_t acq, unsigned int cq_entries)
{
	hw->asq = asq;
	hw->asq_entries = sq_entries;
	hw->acq = acq;
	hw->acq_entries = cq_entries;
}

static bool queue_ok(dma_addr_t base, unsigned int entries)
{
	return base != 0 && (base & PAGE_OFF_MASK) == 0 && entries >= 2 &&
	       entries <= NVME_MAX_QUEUE_ENTRIES;
}

bool nvme_hw_enable(struct nvme_hw *hw)
{
	nvme_hw_disable(hw);
	if (!queue_ok(hw->asq, hw->asq_entries) || !queue_ok(hw->acq, hw->acq_entries))
		return false;
	hw->sq[NVME_ADMIN_QID] = (struct hw_sq){
		.base = hw->asq,
		.entries = hw->asq_entries,
		.cqid = NVME_ADMIN_QID,
		.valid = true,
	};
	hw->cq[NVME_ADMIN_QID] = (struct hw_cq){
		.base = hw->acq,
		.entries = hw->acq_entries,
		.phase = 1,
		.valid = true,
	};
	hw->enabled = true;
	return true;
}

void nvme_hw_disable(struct nvme_hw *hw)
{
	memset(hw->sq, 0, sizeof(hw->sq));
	memset(hw->cq, 0, sizeof(hw->cq));
	hw->enabled = false;
	hw->fatal = false;
}

void nvme_hw_ring_sq(struct nvme_hw *hw, unsigned int qid, unsigned int tail)
{
	/* A doorbell to a queue that does not exist, or out of range, is ignored. */
	if (qid < 2 && hw->sq[qid].valid && tail < hw->sq[qid].entries)
		hw->sq[qid].tail = tail;
}

void nvme_hw_ring_cq(struct nvme_hw *hw, unsigned int qid, unsigned int head)
{
	if (qid < 2 && hw->cq[qid].valid && head < hw->cq[qid].entries)
		hw->cq[qid].head = head;
}

void nvme_hw_get_stats(const struct nvme_hw *hw, struct nvme_hw_stats *st)
{
	*st = hw->stats;
}

/* A queue memory access was refused: the controller stops (CSTS.CFS). */
static void go_fatal(struct nvme_hw *hw)
{
	hw->stats.bus_errors++;
	hw->stats.fatal++;
	hw->fatal = true;
}

/* Copy a string into a space-padded identify field. */
static void put_str(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	memset(dst, ' ', size);
	memcpy(dst, s, n < size ? n : size);
}

/*
 * Collect the data pointer of @c for @len bytes into @prps (one entry per
 * page touched; the first may be offset). @return NVME_ST_SUCCESS or the
 * status to complete the command with.
 */
static u16 gather_prps(struct nvme_hw *hw, const struct nvme_sqe *c, size_t len, u64 *prps,
		       unsigned int *nprps)
{
	u64 prp1 = c->prp1, prp2 = c->prp2;
	size_t first = NVME_CTRL_PAGE_SIZE - (size_t)(prp1 & PAGE_OFF_MASK);
	unsigned int n = 1, want;

	if (prp1 == 0)
		return NVME_ST_DATA_XFER_ERROR;
	if (prp1 & 3)
		return NVME_ST_INVALID_PRP_OFFSET;
	prps[0] = prp1;
	if (len <= first) {
		*nprps = 1;
		return NVME_ST_SUCCESS;
	}
	want = 1 + (unsigned int)((len - first + NVME_CTRL_PAGE_SIZE - 1) / NVME_CTRL_PAGE_SIZE);
	if (want > MAX_PRPS)
		return NVME_ST_INVALID_FIELD;
	if (want == 2) {
		/* PRP2 is the second page itself. */
		if (prp2 == 0)
			return NVME_ST_DATA_XFER_ERROR;
		if (prp2 & PAGE_OFF_MASK)
			return NVME_ST_INVALID_PRP_OFFSET;
		prps[n++] = prp2;
	} else {
		/* PRP2 points at a PRP list; its last slot on a page chains to the next. */
		u64 list = prp2;
		unsigned int pages = 0;

		if (list & 7)
			return NVME_ST_INVALID_PRP_OFFSET;
		while (n < want) {
			unsigned int room =
				(unsigned int)(PRPS_PER_PAGE - (list & PAGE_OFF_MASK) / 8);
			unsigned int left = want - n, take = left <= room ? left : room - 1, i;
			__le64 ent[MAX_PRPS];

			if (list == 0)
				return NVME_ST_DATA_XFER_ERROR;
			if (++pages > MAX_PRPS)
				return NVME_ST_INVALID_FIELD; /* a chain that loops */
			/* Read the used slots, and the chain pointer, in one burst. */
			if (dmasan_dev_read(hw->dev, list, ent,
					    (take + (take < left)) * sizeof(ent[0])) != 0) {
				hw->stats.bus_errors++;
				return NVME_ST_DATA_XFER_ERROR;
			}
			for (i = 0; i < take; i++) {
				if (ent[i] == 0)
					return NVME_ST_DATA_XFER_ERROR;
				if (ent[i] & PAGE_OFF_MASK)
					return NVME_ST_INVALID_PRP_OFFSET;
				prps[n++] = ent[i];
			}
			if (n < want)
				list = ent[take];
			if (n < want && (list & 7))
				return NVME_ST_INVALID_PRP_OFFSET;
		}
	}
	*nprps = n;
	return NVME_ST_SUCCESS;
}

/*
 * Move @len bytes between the staging buffer and the host pages of @c's
 * PRPs, one access per page. @to_host: the device writes host memory.
 */
static u16 transfer(struct nvme_hw *hw, const struct nvme_sqe *c, size_t len, bool to_host)
{
	u64 prps[MAX_PRPS];
	unsigned int nprps = 0, i;
	size_t done = 0;
	u16 st;

	st = gather_prps(hw, c, len, prps, &nprps);
	if (st != NVME_ST_SUCCESS) {
		if (st != NVME_ST_DATA_XFER_ERROR)
			hw->stats.prp_errors++;
		return st;
	}
	for (i = 0; i < nprps && done < len; i++) {
		size_t room = NVME_CTRL_PAGE_SIZE - (size_t)(prps[i] & PAGE_OFF_MASK);
		size_t chunk = len - done < room ? len - done : room;
		int rc;

		if (to_host)
			rc = dmasan_dev_write(hw->dev, prps[i], hw->xfer.bytes + done, chunk);
		else
			rc = dmasan_dev_read(hw->dev, prps[i], hw->xfer.bytes + done, chunk);
		if (rc != 0) {
			hw->stats.bus_errors++;
			return NVME_ST_DATA_XFER_ERROR;
		}
		done += chunk;
	}
	return NVME_ST_SUCCESS;
}

static u16 do_identify(struct nvme_hw *hw, const struct nvme_sqe *c)
{
	unsigned int cns = c->cdw10 & 0xffu;
	u16 st;

	memset(hw->xfer.bytes, 0, NVME_IDENTIFY_SIZE);
	if (cns == NVME_CNS_CONTROLLER) {
		struct nvme_id_ctrl *id = &hw->xfer.ctrl;

		id->vid = NVME_MODEL_VID;
		id->ssvid = NVME_MODEL_SSVID;
		put_str(id->sn, sizeof(id->sn), NVME_MODEL_SN);
		put_str(id->mn, sizeof(id->mn), NVME_MODEL_MN);
		put_str(id->fr, sizeof(id->fr), NVME_MODEL_FR);
		id->mdts = NVME_MDTS;
		id->cntlid = NVME_MODEL_CNTLID;
		id->ver = NVME_MODEL_VER;
		id->sqes = 0x66; /* 64-byte entries */
		id->cqes = 0x44; /* 16-byte entries */
		id->nn = 1;
	} else if (cns == NVME_CNS_NAMESPACE) {
		struct nvme_id_ns *id = &hw->xfer.ns;
		unsigned int b;

		if (c->nsid != NVME_NSID)
			return NVME_ST_INVALID_NS;
		id->nsze = NVME_DISK_BLOCKS;
		id->ncap = NVME_DISK_BLOCKS;
		for (b = 0; b < NVME_DISK_BLOCKS; b++)
			id->nuse += hw->written[b];
		id->nlbaf = 0;
		id->flbas = 0;
		id->lbaf[0] = NVME_LBA_SHIFT << 16;
	} else {
		return NVME_ST_INVALID_FIELD;
	}
	st = transfer(hw, c, NVME_IDENTIFY_SIZE, /*to_host=*/true);
	if (st == NVME_ST_SUCCESS)
		hw->stats.identifies++;
	return st;
}

static u16 do_create_cq(struct nvme_hw *hw, const struct nvme_sqe *c)
{
	unsigned int qid = c->cdw10 & 0xffffu, entries = (c->cdw10 >> 16) + 1;
	struct hw_cq *cq;

	if (qid != NVME_IO_QID || hw->cq[qid].valid)
		return NVME_ST_INVALID_QID;
	if (entries < 2 || entries > NVME_MAX_QUEUE_ENTRIES)
		return NVME_ST_INVALID_QSIZE;
	if (!(c->cdw11 & NVME_QUEUE_CONTIG) || c->prp1 == 0 || (c->prp1 & PAGE_OFF_MASK))
		return NVME_ST_INVALID_FIELD;
	cq = &hw->cq[qid];
	*cq = (struct hw_cq){ .base = c->prp1, .entries = entries, .phase = 1, .valid = true };
	return NVME_ST_SUCCESS;
}

static u16 do_create_sq(struct nvme_hw *hw, const struct nvme_sqe *c)
{
	unsigned int qid = c->cdw10 & 0xffffu, entries = (c->cdw10 >> 16) + 1;
	unsigned int cqid = c->cdw11 >> 16;

	if (qid != NVME_IO_QID || hw->sq[qid].valid)
		return NVME_ST_INVALID_QID;
	if (cqid != NVME_IO_QID || !hw->cq[cqid].valid)
		return NVME_ST_CQ_INVALID;
	if (entries < 2 || entries > NVME_MAX_QUEUE_ENTRIES)
		return NVME_ST_INVALID_QSIZE;
	if (!(c->cdw11 & NVME_QUEUE_CONTIG) || c->prp1 == 0 || (c->prp1 & PAGE_OFF_MASK))
		return NVME_ST_INVALID_FIELD;
	hw->sq[qid] =
		(struct hw_sq){ .base = c->prp1, .entries = entries, .cqid = cqid, .valid = true };
	return NVME_ST_SUCCESS;
}

static u16 do_delete(struct nvme_hw *hw, const struct nvme_sqe *c, bool is_sq)
{
	unsigned int qid = c->cdw10 & 0xffffu;

	if (qid != NVME_IO_QID)
		return NVME_ST_INVALID_QID;
	if (is_sq) {
		if (!hw->sq[qid].valid)
			return NVME_ST_INVALID_QID;
		/* Commands still posted on it are dropped, as an abort would. */
		memset(&hw->sq[qid], 0, sizeof(hw->sq[qid]));
	} else {
		if (!hw->cq[qid].valid)
			return NVME_ST_INVALID_QID;
		if (hw->sq[qid].valid && hw->sq[qid].cqid == qid)
			return NVME_ST_INVALID_QDELETION;
		memset(&hw->cq[qid], 0, sizeof(hw->cq[qid]));
	}
	return NVME_ST_SUCCESS;
}

static u16 do_rw(struct nvme_hw *hw, const struct nvme_sqe *c, bool is_write)
{
	u64 slba = (u64)c->cdw11 << 32 | c->cdw10;
	unsigned int nlb = (c->cdw12 & 0xffffu) + 1, b;
	size_t len = (size_t)nlb * NVME_LBA_SIZE;
	unsigned char *at;
	u16 st;

	if (c->nsid != NVME_NSID)
		return NVME_ST_INVALID_NS;
	if (slba >= NVME_DISK_BLOCKS || nlb > NVME_DISK_BLOCKS - slba)
		return NVME_ST_LBA_RANGE;
	if (len > MAX_XFER)
		return NVME_ST_INVALID_FIELD;
	at = hw->disk + slba * NVME_LBA_SIZE;
	if (!is_write) {
		memcpy(hw->xfer.bytes, at, len);
		st = transfer(hw, c, len, /*to_host=*/true);
		if (st == NVME_ST_SUCCESS)
			hw->stats.reads++;
		return st;
	}
	st = transfer(hw, c, len, /*to_host=*/false);
	if (st != NVME_ST_SUCCESS)
		return st;
	memcpy(at, hw->xfer.bytes, len);
	for (b = 0; b < nlb; b++)
		hw->written[slba + b] = true;
	hw->stats.writes++;
	return NVME_ST_SUCCESS;
}

static u16 execute(struct nvme_hw *hw, unsigned int qid, const struct nvme_sqe *c)
{
	if (c->flags & 0xc0u)
		return NVME_ST_INVALID_FIELD; /* SGLs are not supported */
	if (qid == NVME_ADMIN_QID) {
		switch (c->opcode) {
		case NVME_ADMIN_IDENTIFY:
			return do_identify(hw, c);
		case NVME_ADMIN_CREATE_CQ:
			return do_create_cq(hw, c);
		case NVME_ADMIN_CREATE_SQ:
			return do_create_sq(hw, c);
		case NVME_ADMIN_DELETE_SQ:
			return do_delete(hw, c, /*is_sq=*/true);
		case NVME_ADMIN_DELETE_CQ:
			return do_delete(hw, c, /*is_sq=*/false);
		default:
			return NVME_ST_INVALID_OPCODE;
		}
	}
	switch (c->opcode) {
	case NVME_IO_READ:
		return do_rw(hw, c, /*is_write=*/false);
	case NVME_IO_WRITE:
		return do_rw(hw, c, /*is_write=*/true);
	default:
		return NVME_ST_INVALID_OPCODE;
	}
}

/* Post the completion of command @cid from queue @qid; false on a fatal error. */
static bool post(struct nvme_hw *hw, unsigned int qid, u16 cid, u16 status)
{
	struct hw_sq *sq = &hw->sq[qid];
	struct hw_cq *cq = &hw->cq[sq->cqid];
	dma_addr_t at = cq->base + (dma_addr_t)cq->tail * sizeof(struct nvme_cqe);
	struct nvme_cqe e = {
		.sq_head = (u16)sq->head,
		.sq_id = (u16)qid,
		.cid = cid,
		.status = (u16)(status << 1 | cq->phase),
	};

	if (dmasan_dev_write(hw->dev, at, &e, sizeof(e)) != 0) {
		go_fatal(hw);
		return false;
	}
	if (++cq->tail == cq->entries) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
	hw->stats.commands++;
	if (status != NVME_ST_SUCCESS)
		hw->stats.errors++;
	return true;
}

/* Fetch, execute and complete one command of queue @qid; false when it has none to run. */
static bool step(struct nvme_hw *hw, unsigned int qid)
{
	struct hw_sq *sq = &hw->sq[qid];
	struct hw_cq *cq;
	struct nvme_sqe c;
	u16 status;

	if (!sq->valid || sq->head == sq->tail)
		return false;
	cq = &hw->cq[sq->cqid];
	if (!cq->valid || (cq->tail + 1) % cq->entries == cq->head)
		return false; /* no room for the completion: wait for the host */
	if (dmasan_dev_read(hw->dev, sq->base + (dma_addr_t)sq->head * sizeof(c), &c, sizeof(c))) {
		go_fatal(hw);
		return false;
	}
	sq->head = (sq->head + 1) % sq->entries;
	status = execute(hw, qid, &c);
	return post(hw, qid, c.cid, status);
}

unsigned int nvme_hw_process(struct nvme_hw *hw)
{
	unsigned int done = 0;
	bool progress = true;

	while (hw->enabled && !hw->fatal && progress) {
		unsigned int qid;

		progress = false;
		for (qid = 0; qid < 2 && !hw->fatal; qid++) {
			if (step(hw, qid)) {
				done++;
				progress = true;
			}
		}
	}
	return done;
}
