/* SPDX-License-Identifier: MIT */
/*
 * Stack capture and the de-duplicating stack depot. stack_capture() walks
 * the current thread's stack (the frame-pointer chain, or libunwind's
 * unw_backtrace when fast_unwind=0 or the chain cannot be walked),
 * drops the leading frames that belong to libdmasan itself so frame #0 is
 * the caller of the DMA API, and stores the PCs once in an append-only
 * depot; equal stacks get equal ids. Ids are never freed, so a finding can
 * keep an id for the life of the process. Lookups are lock-free; inserts
 * take one of several shard locks. Depot memory comes from the private heap.
 */
#ifndef DMASAN_CORE_STACK_H
#define DMASAN_CORE_STACK_H

#include <stdint.h>

#define STACK_MAX_FRAMES 64

/**
 * stack_capture - capture up to @max_frames (clamped to 1..STACK_MAX_FRAMES)
 * frames of the calling thread, starting at the first frame outside
 * libdmasan. @return a depot id (> 0), or 0 when capture or storage failed.
 * Context: any thread, async-signal-safe apart from first-time allocation.
 */
uint32_t stack_capture(int max_frames);

/**
 * stack_depot_put - store @n PCs. @return their id (> 0), or 0 on failure
 * or when @n is 0.
 */
uint32_t stack_depot_put(const uintptr_t *pcs, int n);

/**
 * stack_depot_get - @return the number of frames of stack @id and set
 * *@pcs to them; 0 (and *@pcs = NULL) for id 0 or an unknown id.
 */
int stack_depot_get(uint32_t id, const uintptr_t **pcs);

/**
 * stack_set_fast - @fast: capture by the frame-pointer chain (the
 * default), else by libunwind. Call once at initialisation.
 */
void stack_set_fast(int fast);

/** stack_after_fork - in a forked child: the depot's locks back to unlocked. */
void stack_after_fork(void);

/** stack_depot_bytes - memory the depot uses, for statistics. */
uint64_t stack_depot_bytes(void);

#endif /* DMASAN_CORE_STACK_H */
