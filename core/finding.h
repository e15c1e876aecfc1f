/* SPDX-License-Identifier: MIT */
/*
 * One finding, as core builds it and the sinks render it. core fills a
 * struct finding while it holds its tracking locks (a snapshot: plain
 * values and stack-depot ids, no pointers into live tracking state), drops
 * the locks, and hands it to report_emit(), which applies the policy
 * (filters, suppressions, limits) and renders it through reports/.
 * Also the end-of-run summary record. No locking: both records are owned
 * by the thread that fills them.
 */
#ifndef DMASAN_CORE_FINDING_H
#define DMASAN_CORE_FINDING_H

#include <stddef.h>
#include <stdint.h>

enum dmasan_bug {
#define DMASAN_BUG(e, id, sev, desc) BUG_##e,
#include "core/bugs.def"
#undef DMASAN_BUG
	BUG_COUNT
};

enum bug_severity { SEV_ERROR = 0, SEV_WARNING = 1 };

struct bug_info {
	const char *id; /* stable kebab-case id */
	enum bug_severity severity;
	const char *description; /* one line */
};

/** bug_table - one entry per enum dmasan_bug, from core/bugs.def. */
extern const struct bug_info bug_table[BUG_COUNT];

/** bug_from_id - the enum value of kebab-case @id, or -1 if unknown. */
int bug_from_id(const char *id);

/** bug_severity_name - "error" or "warning". */
const char *bug_severity_name(enum bug_severity sev);

#define FINDING_MAX_RELATED 4
#define FINDING_MAX_HISTORY 16

/** A named related stack: "mapped at", "unmapped at", "allocated at", ... */
struct finding_stack {
	const char *label; /* static string */
	uint32_t stack;	   /* stack-depot id; 0 = not recorded */
	uint32_t tid;	   /* thread that made the event */
};

/** One event in a mapping's recent history (oldest first in the array). */
struct finding_event {
	uint64_t seq; /* global event sequence number */
	const char *
		what; /* static: "map", "sync_for_cpu", "sync_for_device", "dev_read", "dev_write", "unmap", "alloc", "free" */
	int dir;      /* direction of the call, -1 none */
	uint64_t offset; /* offset of the touched range inside the object */
	uint64_t size;	 /* size of the touched range */
	uint32_t stack;	 /* stack-depot id, 0 none */
	uint32_t tid;
};

struct finding {
	enum dmasan_bug kind;
	uint64_t seq; /* 1 for the first finding of the process */
	int pid;
	uint32_t tid;
	const void *dev;    /* struct device *, opaque here */
	char device[64];    /* device name; "" when no device */
	int has_dma;	    /* dma_addr is meaningful */
	uint64_t dma_addr;  /* bus address of the call or access */
	uintptr_t cpu_addr; /* CPU address of the call or access, 0 none */
	uint64_t size;	    /* size of the call or access */
	int dir;	    /* direction of the call, -1 none */
	char message[256]; /* sentence, no newline: "device driver frees DMA memory with different size" */
	char facts[768]; /* kernel-style bracketed facts, no newline: "[device address=0x...] [map size=...]" */

	/* The object involved (mapping, allocation, pool, pool block). */
	int has_object;
	const char *
		obj_type; /* static: "single", "page", "scatter-gather", "coherent", "noncoherent", "resource", "pool", "pool block" */
	uint64_t obj_dma; /* its first bus address */
	uintptr_t obj_cpu; /* its first CPU address */
	uint64_t obj_size;
	int obj_dir;  /* its direction, -1 none */
	int obj_live; /* still mapped/allocated */

	uint32_t stack; /* where it happened (stack-depot id) */
	int nrelated;
	struct finding_stack related[FINDING_MAX_RELATED];
	int nhistory;
	struct finding_event history[FINDING_MAX_HISTORY];
};

/** Per-device statistics for the summary. */
struct summary_device {
	char name[64];
	uint64_t maps, unmaps, syncs, allocs, frees;
	uint64_t dev_reads, dev_writes;
	uint64_t bytes_bounced;	     /* copied into swiotlb slots (to the device) */
	uint64_t bytes_bounced_in;   /* copied back out of them (to the CPU) */
	uint64_t swiotlb_high_water; /* slots */
	uint64_t live_mappings, live_coherent, live_pool_blocks;
};

struct summary {
	int pid;
	uint64_t total;	  /* findings, suppressed excluded */
	uint64_t printed; /* findings printed (max_reports, driver_filter) */
	uint64_t suppressed;
	uint64_t counts[BUG_COUNT];
	int ndevices;
	const struct summary_device *devices;
	/* The default swiotlb pool. */
	uint64_t swiotlb_slots, swiotlb_used, swiotlb_high_water, swiotlb_maps, swiotlb_failed;
	uint64_t swiotlb_slot_size;
};

#endif /* DMASAN_CORE_FINDING_H */
