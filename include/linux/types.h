/* SPDX-License-Identifier: MIT */
/*
 * <linux/types.h> for user-space driver tests: the kernel-internal
 * integer types (u8 ... s64), dma_addr_t/phys_addr_t (always 64-bit, as
 * with CONFIG_ARCH_DMA_ADDR_T_64BIT) and gfp_t. The system's UAPI header
 * of the same name (__u8, __le32, ...) is included first, so system
 * headers that include <linux/types.h> keep working when this directory
 * is on the include path.
 */
#ifndef DMASAN_LINUX_TYPES_H
#define DMASAN_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#if defined(__has_include_next)
#if __has_include_next(<linux/types.h>)
#include_next <linux/types.h>
#define DMASAN_HAVE_UAPI_TYPES 1
#endif
#endif
#ifndef DMASAN_HAVE_UAPI_TYPES
typedef int8_t __s8;
typedef uint8_t __u8;
typedef int16_t __s16;
typedef uint16_t __u16;
typedef int32_t __s32;
typedef uint32_t __u32;
typedef int64_t __s64;
typedef uint64_t __u64;
typedef uint16_t __le16;
typedef uint16_t __be16;
typedef uint32_t __le32;
typedef uint32_t __be32;
typedef uint64_t __le64;
typedef uint64_t __be64;
#endif

/** A bus address as the device sees it. */
typedef u64 dma_addr_t;
/** A (simulated) CPU physical address. */
typedef u64 phys_addr_t;
/** Allocation flags, as in the kernel. */
typedef unsigned int gfp_t;

#endif /* DMASAN_LINUX_TYPES_H */
