/* SPDX-License-Identifier: MIT */
/* Names of DMA directions as reports print them. Pure, no locking. */
#include "reports/render.h"

const char *dir_name(int dir)
{
	switch (dir) {
	case 0:
		return "DMA_BIDIRECTIONAL";
	case 1:
		return "DMA_TO_DEVICE";
	case 2:
		return "DMA_FROM_DEVICE";
	case 3:
		return "DMA_NONE";
	default:
		return "invalid direction";
	}
}
