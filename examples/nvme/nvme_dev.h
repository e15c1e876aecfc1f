/* SPDX-License-Identifier: MIT */
/*
 * The hardware of the example NVMe controller: the "datasheet" the driver
 * is written against (64-byte submission entries, 16-byte completion
 * entries with a phase tag, PRP data pointers, identify pages, status
 * codes; values follow the NVMe base specification where it has one) and
 * the register interface of a model of the device. The model has one
 * namespace of NVME_DISK_BLOCKS blocks of 4 KiB held in memory, an admin
 * queue pair and one I/O queue pair. Doorbell writes only latch the new
 * queue index; the controller works when nvme_hw_process() lets it run,
 * which stands in for the time that passes while the driver waits. It
 * touches host memory only through dmasan_dev_read() and
 * dmasan_dev_write() at the bus addresses it was given. Not thread-safe:
 * one thread drives the model.
 */
#ifndef NVME_DEV_H
#define NVME_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/device.h>
#include <linux/types.h>

/* Geometry. */
#define NVME_CTRL_PAGE_SIZE 4096u /* CC.MPS: the page size PRPs are made of */
#define NVME_LBA_SHIFT 12u
#define NVME_LBA_SIZE (1u << NVME_LBA_SHIFT)
#define NVME_DISK_BLOCKS 64u	   /* namespace 1 capacity, in blocks */
#define NVME_MDTS 3u		   /* max transfer: 2^MDTS controller pages (32 KiB) */
#define NVME_MAX_QUEUE_ENTRIES 64u /* CAP.MQES + 1 */
#define NVME_IDENTIFY_SIZE 4096u
#define NVME_NSID 1u /* the only namespace */

/* Identity the model reports (identify controller). */
#define NVME_MODEL_VID 0xd5a5u
#define NVME_MODEL_SSVID 0xd5a5u
#define NVME_MODEL_SN "DMASAN-NVME-0001"
#define NVME_MODEL_MN "dmasan example NVMe controller"
#define NVME_MODEL_FR "1.0"
#define NVME_MODEL_CNTLID 1u
#define NVME_MODEL_VER 0x00010400u /* NVMe 1.4 */

/* Queue identifiers. */
#define NVME_ADMIN_QID 0u
#define NVME_IO_QID 1u

/* Admin command opcodes. */
#define NVME_ADMIN_DELETE_SQ 0x00u
#define NVME_ADMIN_CREATE_SQ 0x01u
#define NVME_ADMIN_DELETE_CQ 0x04u
#define NVME_ADMIN_CREATE_CQ 0x05u
#define NVME_ADMIN_IDENTIFY 0x06u

/* I/O command opcodes. */
#define NVME_IO_WRITE 0x01u
#define NVME_IO_READ 0x02u

/* Identify CNS values (cdw10 bits 7:0). */
#define NVME_CNS_NAMESPACE 0x00u
#define NVME_CNS_CONTROLLER 0x01u

/* Create queue flags (cdw11). */
#define NVME_QUEUE_CONTIG 0x1u /* physically contiguous: PRP1 is the base */

/*
 * Completion status: the 15-bit status field (SCT << 8 | SC) as it sits
 * in bits 15:1 of struct nvme_cqe.status; bit 0 is the phase tag.
 */
#define NVME_ST_SUCCESS 0x000u
#define NVME_ST_INVALID_OPCODE 0x001u
#define NVME_ST_INVALID_FIELD 0x002u
#define NVME_ST_DATA_XFER_ERROR 0x004u /* a DMA access was refused */
#define NVME_ST_INVALID_NS 0x00bu
#define NVME_ST_INVALID_PRP_OFFSET 0x013u
#define NVME_ST_LBA_RANGE 0x080u
#define NVME_ST_CQ_INVALID 0x100u
#define NVME_ST_INVALID_QID 0x101u
#define NVME_ST_INVALID_QSIZE 0x102u
#define NVME_ST_INVALID_QDELETION 0x10cu
#define NVME_CQE_PHASE 0x1u
#define NVME_CQE_STATUS(s) ((u16)((s) >> 1))

/*
 * Submission queue entry, little-endian as the device reads it (the hosts
 * this example runs on are little-endian, so no byte swapping is needed).
 * Read/write: cdw10/cdw11 = starting LBA, cdw12 bits 15:0 = blocks - 1.
 * Identify: cdw10 = CNS. Create CQ: cdw10 = (entries - 1) << 16 | qid,
 * cdw11 = NVME_QUEUE_CONTIG. Create SQ: the same, plus cqid << 16 in
 * cdw11. Delete SQ/CQ: cdw10 = qid.
 */
struct nvme_sqe {
	u8 opcode;
	u8 flags; /* PSDT, bits 7:6: 0 = PRPs (the only kind supported) */
	__le16 cid;
	__le32 nsid;
	__le32 cdw2;
	__le32 cdw3;
	__le64 mptr;
	__le64 prp1; /* data: first, possibly offset, page */
	__le64 prp2; /* data: second page, or the PRP list; 0 when unused */
	__le32 cdw10;
	__le32 cdw11;
	__le32 cdw12;
	__le32 cdw13;
	__le32 cdw14;
	__le32 cdw15;
};

/* Completion queue entry; the device writes all 16 bytes at once. */
struct nvme_cqe {
	__le32 result; /* command specific */
	__le32 rsvd;
	__le16 sq_head; /* submission queue head after this command */
	__le16 sq_id;
	__le16 cid;
	__le16 status; /* bit 0 phase tag, bits 15:1 status field */
};

/* Identify controller page (the fields this model fills; the rest is 0). */
struct nvme_id_ctrl {
	__le16 vid;
	__le16 ssvid;
	char sn[20]; /* ASCII, space padded */
	char mn[40];
	char fr[8];
	u8 rab;
	u8 ieee[3];
	u8 cmic;
	u8 mdts; /* log2 of the max transfer in controller pages */
	__le16 cntlid;
	__le32 ver;
	u8 rsvd84[428];
	u8 sqes; /* required (3:0) and max (7:4) log2 of the SQ entry size */
	u8 cqes;
	__le16 maxcmd;
	__le32 nn; /* number of namespaces */
	u8 rsvd520[3576];
};

/* Identify namespace page. */
struct nvme_id_ns {
	__le64 nsze; /* size in blocks */
	__le64 ncap; /* capacity in blocks */
	__le64 nuse; /* blocks written so far */
	u8 nsfeat;
	u8 nlbaf; /* number of LBA formats - 1 */
	u8 flbas; /* bits 3:0: the LBA format in use */
	u8 rsvd27[101];
	__le32 lbaf[16]; /* bits 23:16: log2 of the block size */
	u8 rsvd192[3904];
};

/* Either identify page. */
union nvme_id_page {
	struct nvme_id_ctrl ctrl;
	struct nvme_id_ns ns;
};

_Static_assert(sizeof(struct nvme_sqe) == 64, "submission entries are 64 bytes");
_Static_assert(sizeof(struct nvme_cqe) == 16, "completion entries are 16 bytes");
_Static_assert(sizeof(struct nvme_id_ctrl) == NVME_IDENTIFY_SIZE, "identify page size");
_Static_assert(sizeof(struct nvme_id_ns) == NVME_IDENTIFY_SIZE, "identify page size");
_Static_assert(sizeof(union nvme_id_page) == NVME_IDENTIFY_SIZE, "identify page size");

/* Device-side counters, for the test's diagnostics. */
struct nvme_hw_stats {
	unsigned long commands;	  /* entries fetched and completed */
	unsigned long reads;	  /* successful READ commands */
	unsigned long writes;	  /* successful WRITE commands */
	unsigned long identifies; /* successful IDENTIFY commands */
	unsigned long errors;	  /* completions with a non-zero status */
	unsigned long bus_errors; /* dmasan_dev_read/write refused */
	unsigned long prp_errors; /* malformed PRP entries */
	unsigned long fatal;	  /* controller fatal errors (queue memory refused) */
};

struct nvme_hw;

/**
 * nvme_hw_create - power on a controller model that does DMA as @dev,
 * with an empty (zeroed) namespace.
 * @return the model, or NULL when out of memory.
 */
struct nvme_hw *nvme_hw_create(struct device *dev);

/** nvme_hw_destroy - power off and free @hw; NULL is a no-op. */
void nvme_hw_destroy(struct nvme_hw *hw);

/**
 * nvme_hw_set_admin_queues - register writes AQA, ASQ, ACQ: bus addresses
 * and entry counts of the admin queues. Takes effect at nvme_hw_enable().
 */
void nvme_hw_set_admin_queues(struct nvme_hw *hw, dma_addr_t asq, unsigned int sq_entries,
			      dma_addr_t acq, unsigned int cq_entries);

/**
 * nvme_hw_enable - register write CC.EN = 1, then read CSTS.
 * @return true when the controller is ready (CSTS.RDY), false when the
 * admin queues are missing, misaligned or of a bad size.
 */
bool nvme_hw_enable(struct nvme_hw *hw);

/**
 * nvme_hw_disable - register write CC.EN = 0: the controller stops and
 * forgets every queue; it touches no host memory afterwards. The
 * namespace keeps its data.
 */
void nvme_hw_disable(struct nvme_hw *hw);

/** nvme_hw_ring_sq - submission queue @qid tail doorbell: entries up to @tail are posted. */
void nvme_hw_ring_sq(struct nvme_hw *hw, unsigned int qid, unsigned int tail);

/** nvme_hw_ring_cq - completion queue @qid head doorbell: entries before @head are consumed. */
void nvme_hw_ring_cq(struct nvme_hw *hw, unsigned int qid, unsigned int head);

/**
 * nvme_hw_process - let the controller run: fetch and execute every posted
 * command (admin and I/O queues round robin) while its completion queue
 * has room, posting one completion per command.
 * @return the number of commands completed.
 */
unsigned int nvme_hw_process(struct nvme_hw *hw);

/** nvme_hw_get_stats - copy the device's counters into @st. */
void nvme_hw_get_stats(const struct nvme_hw *hw, struct nvme_hw_stats *st);

#endif /* NVME_DEV_H */
