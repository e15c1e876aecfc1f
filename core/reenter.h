/* SPDX-License-Identifier: MIT */
/*
 * Re-entry from signal handlers. Every exported entry point marks the
 * thread as inside the API for the duration of the call (SHIM_ENTER, a
 * cleanup-scoped counter). A call made while the same thread is already
 * inside (a signal handler interrupted it, perhaps holding a shim lock)
 * must not take any lock: calls that end something (unmap, sync, free)
 * are queued in a small per-thread queue and run, in order, when the
 * interrupted call returns, so their findings still arrive intact; calls
 * that must answer at once take lock-free untracked paths.
 * Locking: none; everything here is per thread.
 */
#ifndef DMASAN_CORE_REENTER_H
#define DMASAN_CORE_REENTER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/dma-mapping.h>

/** reenter_enter - mark the thread inside the API. @return the depth before. */
int reenter_enter(void);

/**
 * reenter_entry_sp - inside the API, a stack address just below the
 * outermost API frame of this thread (the program's call into it); 0
 * outside. core/sigctx.h judges from there whether a handler still runs.
 */
uintptr_t reenter_entry_sp(void);

/** reenter_leave - cleanup of reenter_enter(); at depth 0 run the queue. */
void reenter_leave(int *depth);

#define SHIM_ENTER() \
	int shim_depth_ __attribute__((cleanup(reenter_leave), unused)) = reenter_enter()
#define SHIM_NESTED() (shim_depth_ > 0)

/* Queue an ending call made from a signal handler (dropped, counted, when the queue is full). */
void reenter_defer_unmap(struct device *dev, uint64_t addr, size_t size, int dir,
			 unsigned long attrs, int type, const char *api, uintptr_t caller);
void reenter_defer_sync(struct device *dev, uint64_t addr, size_t size, int dir, int to_cpu,
			const char *api, uintptr_t caller);
void reenter_defer_free(struct device *dev, size_t size, void *cpu, uint64_t handle,
			unsigned long attrs, int type, int dir, const char *api, uintptr_t caller);

/** reenter_dropped - calls from signal handlers dropped because the queue was full. */
unsigned long reenter_dropped(void);

/** reenter_untracked_map - the untracked bus address of [cpu, cpu+size) (lock-free). */
uint64_t reenter_untracked_map(void *cpu, size_t size);

#endif /* DMASAN_CORE_REENTER_H */
