/* SPDX-License-Identifier: MIT */
/*
 * <linux/gfp.h>: allocation flags with the values of Linux 6.1. The
 * implementations honour __GFP_ZERO and ignore zone flags on coherent
 * allocations (the implementation picks the zone, as Linux does).
 */
#ifndef DMASAN_LINUX_GFP_H
#define DMASAN_LINUX_GFP_H

#include <linux/types.h>

#define __GFP_DMA ((gfp_t)0x01u)
#define __GFP_HIGHMEM ((gfp_t)0x02u)
#define __GFP_DMA32 ((gfp_t)0x04u)
#define __GFP_MOVABLE ((gfp_t)0x08u)
#define __GFP_RECLAIMABLE ((gfp_t)0x10u)
#define __GFP_HIGH ((gfp_t)0x20u)
#define __GFP_IO ((gfp_t)0x40u)
#define __GFP_FS ((gfp_t)0x80u)
#define __GFP_ZERO ((gfp_t)0x100u)
#define __GFP_ATOMIC ((gfp_t)0x200u)
#define __GFP_DIRECT_RECLAIM ((gfp_t)0x400u)
#define __GFP_KSWAPD_RECLAIM ((gfp_t)0x800u)
#define __GFP_WRITE ((gfp_t)0x1000u)
#define __GFP_NOWARN ((gfp_t)0x2000u)
#define __GFP_RETRY_MAYFAIL ((gfp_t)0x4000u)
#define __GFP_NOFAIL ((gfp_t)0x8000u)
#define __GFP_NORETRY ((gfp_t)0x10000u)
#define __GFP_COMP ((gfp_t)0x40000u)
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

#define GFP_ATOMIC (__GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO (__GFP_RECLAIM)
#define GFP_NOFS (__GFP_RECLAIM | __GFP_IO)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32

#endif /* DMASAN_LINUX_GFP_H */
