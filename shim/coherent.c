/* SPDX-License-Identifier: MIT */
/* Coherent and non-coherent allocation entry points. */
#include "core/reenter.h"
#include "shim/shim.h"

EXPORT void *dma_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t flag,
			     unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return NULL; /* no allocation from a signal handler */
	}
	(void)flag; /* the implementation picks the zone, as Linux does */
	return core_alloc(dev, size, dma_handle, attrs, OBJ_COHERENT, DMA_BIDIRECTIONAL,
			  "dma_alloc_attrs");
}

EXPORT void dma_free_attrs(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_handle,
			   unsigned long attrs)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_free(dev, size, cpu_addr, dma_handle, attrs, OBJ_COHERENT, -1,
				   "dma_free_attrs", CALLER);
		return;
	}
	core_free(dev, size, cpu_addr, dma_handle, attrs, OBJ_COHERENT, -1, "dma_free_attrs",
		  CALLER);
}

EXPORT void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return NULL;
	}
	return core_alloc(dev, size, dma_handle, (gfp & __GFP_NOWARN) ? DMA_ATTR_NO_WARN : 0,
			  OBJ_COHERENT, DMA_BIDIRECTIONAL, "dma_alloc_coherent");
}

EXPORT void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr,
			      dma_addr_t dma_handle)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_free(dev, size, cpu_addr, dma_handle, 0, OBJ_COHERENT, -1,
				   "dma_free_coherent", CALLER);
		return;
	}
	core_free(dev, size, cpu_addr, dma_handle, 0, OBJ_COHERENT, -1, "dma_free_coherent",
		  CALLER);
}

EXPORT void *dma_alloc_noncoherent(struct device *dev, size_t size, dma_addr_t *dma_handle,
				   enum dma_data_direction dir, gfp_t gfp)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return NULL;
	}
	(void)gfp;
	return core_alloc(dev, size, dma_handle, 0, OBJ_NONCOHERENT, (int)dir,
			  "dma_alloc_noncoherent");
}

EXPORT void dma_free_noncoherent(struct device *dev, size_t size, void *vaddr,
				 dma_addr_t dma_handle, enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_free(dev, size, vaddr, dma_handle, 0, OBJ_NONCOHERENT, (int)dir,
				   "dma_free_noncoherent", CALLER);
		return;
	}
	core_free(dev, size, vaddr, dma_handle, 0, OBJ_NONCOHERENT, (int)dir,
		  "dma_free_noncoherent", CALLER);
}

EXPORT struct page *dma_alloc_pages(struct device *dev, size_t size, dma_addr_t *dma_handle,
				    enum dma_data_direction dir, gfp_t gfp)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return NULL;
	}
	void *p;

	(void)gfp;
	p = core_alloc(dev, size, dma_handle, 0, OBJ_NONCOHERENT, (int)dir, "dma_alloc_pages");
	return p ? virt_to_page(p) : NULL;
}

EXPORT void dma_free_pages(struct device *dev, size_t size, struct page *page,
			   dma_addr_t dma_handle, enum dma_data_direction dir)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		reenter_defer_free(dev, size, page ? page_address(page) : NULL, dma_handle, 0,
				   OBJ_NONCOHERENT, (int)dir, "dma_free_pages", CALLER);
		return;
	}
	core_free(dev, size, page ? page_address(page) : NULL, dma_handle, 0, OBJ_NONCOHERENT,
		  (int)dir, "dma_free_pages", CALLER);
}

EXPORT int dma_get_sgtable_attrs(struct device *dev, struct sg_table *sgt, void *cpu_addr,
				 dma_addr_t dma_addr, size_t size, unsigned long attrs)
{
	int err;

	(void)dev;
	(void)dma_addr;
	(void)attrs;
	if (!sgt || !cpu_addr)
		return -EINVAL;
	err = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (err)
		return err;
	sg_set_page(sgt->sgl, virt_to_page(cpu_addr), (unsigned int)PAGE_ALIGN(size), 0);
	return 0;
}

EXPORT int dma_declare_coherent_memory(struct device *dev, phys_addr_t phys_addr,
				       dma_addr_t device_addr, size_t size)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return -EBUSY;
	}
	(void)phys_addr; /* the region's memory is simulated */
	return core_declare_coherent(dev, device_addr, size);
}

EXPORT void dma_release_coherent_memory(struct device *dev)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	core_release_coherent(dev);
}
