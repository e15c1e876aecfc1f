/* SPDX-License-Identifier: MIT */
/*
 * Re-entry from signal handlers (core/reenter.h): a per-thread depth and
 * a per-thread queue of deferred ending calls. The queue is filled only
 * from a handler running on top of an API call of the same thread and is
 * drained by that call's exit, so no two contexts touch it at once except
 * a handler interrupting the drain itself, which then queues behind it.
 */
#include <stdatomic.h>
#include <string.h>
#include "core/dma.h"
#include "core/reenter.h"
#include "core/track.h"

#define DEFER_MAX 256

enum defer_kind { D_UNMAP = 1, D_SYNC, D_FREE };

struct deferred {
	int kind;
	struct device *dev;
	uint64_t addr, size;
	void *cpu;
	int dir, type, to_cpu;
	unsigned long attrs;
	const char *api;
	uintptr_t caller;
};

static __thread int depth;
static __thread uintptr_t entry_sp;
static __thread struct deferred queue[DEFER_MAX];
static __thread volatile int qhead, qtail;
static atomic_ulong dropped;

int reenter_enter(void)
{
	if (!depth)
		entry_sp = (uintptr_t)__builtin_frame_address(0);
	return depth++;
}

uintptr_t reenter_entry_sp(void)
{
	return depth ? entry_sp : 0;
}

/* Out of line: the common return path of reenter_leave() saves no registers. */
__attribute__((noinline, cold)) static void run_queue(void)
{
	/* Inside the API for the whole drain: a handler arriving meanwhile only
	 * queues behind (it never drains in turn), so each entry runs once. */
	depth++;
	while (qhead != qtail) {
		struct deferred d = queue[qhead % DEFER_MAX];

		qhead++;
		switch (d.kind) {
		case D_UNMAP:
			core_unmap(d.dev, d.addr, d.size, d.dir, d.attrs, d.type, d.api, d.caller);
			break;
		case D_SYNC:
			core_sync(d.dev, d.addr, d.size, d.dir, d.to_cpu, d.api, d.caller);
			break;
		case D_FREE:
			core_free(d.dev, d.size, d.cpu, d.addr, d.attrs, d.type, d.dir, d.api,
				  d.caller);
			break;
		default:
			break;
		}
	}
	depth--;
}

void reenter_leave(int *before)
{
	depth = *before;
	if (depth == 0 && qhead != qtail)
		run_queue();
}

/* Queue @d behind the calls already waiting, or count it dropped. */
static void push(const struct deferred *d)
{
	if (qtail - qhead >= DEFER_MAX) {
		atomic_fetch_add(&dropped, 1);
		return;
	}
	queue[qtail % DEFER_MAX] = *d;
	qtail++;
}

void reenter_defer_unmap(struct device *dev, uint64_t addr, size_t size, int dir,
			 unsigned long attrs, int type, const char *api, uintptr_t caller)
{
	push(&(struct deferred){ .kind = D_UNMAP,
				 .dev = dev,
				 .addr = addr,
				 .size = size,
				 .dir = dir,
				 .attrs = attrs,
				 .type = type,
				 .api = api,
				 .caller = caller });
}

void reenter_defer_sync(struct device *dev, uint64_t addr, size_t size, int dir, int to_cpu,
			const char *api, uintptr_t caller)
{
	push(&(struct deferred){ .kind = D_SYNC,
				 .dev = dev,
				 .addr = addr,
				 .size = size,
				 .dir = dir,
				 .to_cpu = to_cpu,
				 .api = api,
				 .caller = caller });
}

void reenter_defer_free(struct device *dev, size_t size, void *cpu, uint64_t handle,
			unsigned long attrs, int type, int dir, const char *api, uintptr_t caller)
{
	push(&(struct deferred){ .kind = D_FREE,
				 .dev = dev,
				 .addr = handle,
				 .size = size,
				 .cpu = cpu,
				 .dir = dir,
				 .attrs = attrs,
				 .type = type,
				 .api = api,
				 .caller = caller });
}

unsigned long reenter_dropped(void)
{
	return atomic_load(&dropped);
}

uint64_t reenter_untracked_map(void *cpu, size_t size)
{
	uint64_t a = cpu ? place_host((uintptr_t)cpu, size) : 0;

	return a ? a : CORE_MAPPING_ERROR;
}
