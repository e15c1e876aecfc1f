/* SPDX-License-Identifier: MIT */
/* <linux/dma-direction.h>: the direction of a DMA transfer, Linux's values. */
#ifndef DMASAN_LINUX_DMA_DIRECTION_H
#define DMASAN_LINUX_DMA_DIRECTION_H

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

/** valid_dma_direction - true for the three directions a mapping may have. */
static inline int valid_dma_direction(enum dma_data_direction dir)
{
	return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE;
}

#endif /* DMASAN_LINUX_DMA_DIRECTION_H */
