/* SPDX-License-Identifier: MIT */
/*
 * The coherent arena: host memory for coherent and non-coherent
 * allocations and dma_pool pages, reserved once (256 MiB of address
 * space, committed lazily by the kernel) and placed as a whole in the
 * DMA32 zone of simulated physical memory, so every allocation is
 * reachable with a 32-bit coherent mask. Page-granular first-fit bitmap.
 * Also the per-device regions of dma_declare_coherent_memory(), carved
 * from the arena and allocated from with Linux's rules (power-of-two page
 * counts, naturally aligned, no fallback).
 * Locking: one arena mutex (rank 5); regions have their own mutex.
 */
#ifndef DMASAN_CORE_ARENA_H
#define DMASAN_CORE_ARENA_H

#include <stddef.h>
#include <stdint.h>

/** arena_alloc - @len bytes (rounded to pages), page-aligned, zeroed. NULL when full. */
void *arena_alloc(size_t len);

/** arena_free - return memory from arena_alloc(); @len as allocated. */
void arena_free(void *p, size_t len);

/** arena_after_fork - in a forked child: the arena lock back to unlocked. */
void arena_after_fork(void);

/** arena_contains - 1 when [p, p+len) lies inside the arena. */
int arena_contains(const void *p, size_t len);

struct decl_region;

/** region_create - a declared region of @size bytes at bus address @dev_addr. NULL on failure. */
struct decl_region *region_create(uint64_t dev_addr, size_t size);

/** region_destroy - release the memory of a region nobody has used yet. */
void region_destroy(struct decl_region *r);

/**
 * region_release - dma_release_coherent_memory(): @r (NULL: nothing) hands
 * out nothing more; its memory goes back to the arena at once when nothing
 * is allocated from it, else when the last allocation is freed. The
 * struct itself is never freed (an allocation may be racing the release).
 */
void region_release(struct decl_region *r);

/**
 * region_alloc - allocate @size bytes from @r (2^order pages, naturally
 * aligned, zeroed). @return the CPU address with *@dma set, or NULL.
 */
void *region_alloc(struct decl_region *r, size_t size, uint64_t *dma);

/** region_free - free @cpu of @size bytes; @return 0 or -EINVAL when not inside. */
int region_free(struct decl_region *r, void *cpu, size_t size);

/** region_translate - CPU address of bus address @dma in @r, or 0. */
uintptr_t region_translate(const struct decl_region *r, uint64_t dma, size_t len);

#endif /* DMASAN_CORE_ARENA_H */
