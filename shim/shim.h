/* SPDX-License-Identifier: MIT */
/*
 * Shared by the exported entry points: every one of them is a thin
 * wrapper that forwards to core/ (which initialises lazily, validates,
 * checks and returns what Linux returns). EXPORT marks the public ABI;
 * everything else in the library is hidden and the version script
 * shim/dmasan.map is the final word on what is exported.
 */
#ifndef DMASAN_SHIM_H
#define DMASAN_SHIM_H

#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <dmasan/dmasan.h>
#include "core/dma.h"
#include "core/track.h"

#define EXPORT __attribute__((visibility("default")))
#define CALLER ((uintptr_t)__builtin_return_address(0))

#endif /* DMASAN_SHIM_H */
