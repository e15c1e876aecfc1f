/* SPDX-License-Identifier: MIT */
/*
 * The shim's private heap. All of dmasan's own memory comes from here: a
 * renamed static copy of jemalloc (symbols dmasanje_*), invisible to the
 * program's malloc, to memcheck and to ASan, so a heap the program
 * corrupts cannot take the checker down. Functions return NULL on
 * failure; callers degrade (tracking disables itself), never abort.
 * heap_fail_after() is the test seam that injects out-of-memory.
 * Context: any thread; not async-signal-safe.
 */
#ifndef DMASAN_CORE_HEAP_H
#define DMASAN_CORE_HEAP_H

#include <stddef.h>
#include <stdint.h>

void *heap_alloc(size_t size);
void *heap_calloc(size_t n, size_t size);
void *heap_aligned(size_t align, size_t size);
void heap_free(void *p);

/** heap_allocated - bytes currently allocated from the private heap. */
/**
 * heap_small_alloc - a 64-byte aligned block of @size bytes, from the
 * calling thread's cache when it has one. Free it with heap_small_free()
 * and the same @size, from any thread.
 */
void *heap_small_alloc(size_t size);

/** heap_small_free - give back a block of heap_small_alloc(@size). */
void heap_small_free(void *p, size_t size);

uint64_t heap_allocated(void);

/**
 * heap_fail_after - make every allocation after the next @n fail; a
 * negative @n turns injection off. For tests.
 */
void heap_fail_after(long n);

#endif /* DMASAN_CORE_HEAP_H */
