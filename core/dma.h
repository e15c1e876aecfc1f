/* SPDX-License-Identifier: MIT */
/*
 * The checking implementation of the DMA API, called by the thin entry
 * points in shim/. Each function validates its arguments and reports
 * misuse against the stored state before changing it (check, then act),
 * records the new state only when the operation succeeds, and returns
 * what Linux returns. Findings are emitted with no tracking lock held.
 * @api names the entry point in messages.
 */
#ifndef DMASAN_CORE_DMA_H
#define DMASAN_CORE_DMA_H

#include <stddef.h>
#include <stdint.h>
#include <linux/dma-mapping.h>
#include <dmasan/dmasan.h>

#define CORE_MAPPING_ERROR (~(uint64_t)0)

struct dmdev;

uint64_t core_map(struct device *dev, void *cpu, size_t size, int dir, unsigned long attrs,
		  int type, const char *api);
void core_unmap(struct device *dev, uint64_t addr, size_t size, int dir, unsigned long attrs,
		int type, const char *api, uintptr_t caller);
int core_map_sg(struct device *dev, struct scatterlist *sg, int nents, int dir, unsigned long attrs,
		const char *api);
void core_unmap_sg(struct device *dev, struct scatterlist *sg, int nents, int dir,
		   unsigned long attrs, const char *api, uintptr_t caller);
uint64_t core_map_resource(struct device *dev, uint64_t phys, size_t size, int dir,
			   unsigned long attrs);
int core_mapping_error(struct device *dev, uint64_t addr);
void core_sync(struct device *dev, uint64_t addr, size_t size, int dir, int to_cpu, const char *api,
	       uintptr_t caller);
void core_sync_sg(struct device *dev, struct scatterlist *sg, int nelems, int dir, int to_cpu,
		  const char *api, uintptr_t caller);

/** core_alloc - coherent (@type OBJ_COHERENT) or non-coherent allocation. */
void *core_alloc(struct device *dev, size_t size, uint64_t *handle, unsigned long attrs, int type,
		 int dir, const char *api);
void core_free(struct device *dev, size_t size, void *cpu, uint64_t handle, unsigned long attrs,
	       int type, int dir, const char *api, uintptr_t caller);
int core_declare_coherent(struct device *dev, uint64_t dev_addr, size_t size);
void core_release_coherent(struct device *dev);

int core_set_mask(struct device *dev, uint64_t mask, int coherent);
int core_supported(struct device *dev, uint64_t mask);

int core_dev_access(struct device *dev, uint64_t addr, void *buf, size_t len, int is_write);

/**
 * core_device_del / core_check_leaks / core_report_leaks - leak reports;
 * @return count. core_device_del() then ends everything the device still
 * held: a re-registered device starts clean, a late unmap or free of what
 * it held is accepted quietly once, and the memory stays allocated until then.
 */
int core_device_del(struct device *dev);
int core_check_leaks(void);
int core_report_leaks(int at_exit);

/** core_tag_pool_page - remember that the coherent allocation at @dma is dma_pool page @ppage. */
void core_tag_pool_page(struct device *dev, uint64_t dma, void *ppage);

/**
 * core_free_removed_page - dma_pool_destroy() of a pool whose device @dd
 * was removed: give back its page at @dma, which the removal ended.
 */
void core_free_removed_page(struct dmdev *dd, uint64_t dma);

/**
 * core_dev_access_untracked - a device access done through the placement
 * map alone, with no lock and no check (tracking off, or a signal handler
 * re-entering the API). @return 0 or -EFAULT.
 */
int core_dev_access_untracked(uint64_t addr, void *buf, size_t len, int is_write);

/** core_dev - the registered dmdev of @dev, reporting null-device for NULL. */
struct dmdev *core_dev(struct device *dev, const char *api);

#endif /* DMASAN_CORE_DMA_H */
