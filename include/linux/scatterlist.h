/* SPDX-License-Identifier: MIT */
/*
 * <linux/scatterlist.h>: scatter-gather lists with Linux's layout and
 * helpers. page_link holds a page pointer (see <linux/mm.h>) in its high
 * bits and the SG_CHAIN/SG_END markers in its low two bits, as in Linux.
 * sg_alloc_table() allocates one flat array (no chaining), which drivers
 * cannot tell apart through the API.
 */
#ifndef DMASAN_LINUX_SCATTERLIST_H
#define DMASAN_LINUX_SCATTERLIST_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scatterlist {
	unsigned long page_link;
	unsigned int offset;
	unsigned int length;
	dma_addr_t dma_address;
	unsigned int dma_length;
	unsigned int dma_flags;
};

struct sg_table {
	struct scatterlist *sgl; /**< the list */
	unsigned int nents;	 /**< number of mapped (DMA) entries */
	unsigned int orig_nents; /**< number of CPU entries */
};

#define SG_CHAIN 0x01UL
#define SG_END 0x02UL
#define SG_PAGE_LINK_MASK (SG_CHAIN | SG_END)

#define sg_is_chain(sg) (((sg)->page_link & SG_CHAIN) != 0)
#define sg_is_last(sg) (((sg)->page_link & SG_END) != 0)
#define sg_chain_ptr(sg) ((struct scatterlist *)((sg)->page_link & ~SG_PAGE_LINK_MASK))
#define sg_dma_address(sg) ((sg)->dma_address)
#define sg_dma_len(sg) ((sg)->dma_length)

static inline struct page *sg_page(struct scatterlist *sg)
{
	return (struct page *)(sg->page_link & ~SG_PAGE_LINK_MASK);
}

static inline void sg_assign_page(struct scatterlist *sg, struct page *page)
{
	unsigned long flags = sg->page_link & SG_PAGE_LINK_MASK;

	sg->page_link = flags | (unsigned long)page;
}

static inline void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len,
			       unsigned int offset)
{
	sg_assign_page(sg, page);
	sg->offset = offset;
	sg->length = len;
}

static inline void sg_set_buf(struct scatterlist *sg, const void *buf, unsigned int buflen)
{
	sg_set_page(sg, virt_to_page(buf), buflen, offset_in_page(buf));
}

static inline void *sg_virt(struct scatterlist *sg)
{
	return (void *)((uintptr_t)page_address(sg_page(sg)) + sg->offset);
}

static inline void sg_mark_end(struct scatterlist *sg)
{
	sg->page_link |= SG_END;
	sg->page_link &= ~SG_CHAIN;
}

static inline void sg_unmark_end(struct scatterlist *sg)
{
	sg->page_link &= ~SG_END;
}

/** sg_next - the entry after @sg, following chains; NULL after the last. */
static inline struct scatterlist *sg_next(struct scatterlist *sg)
{
	if (sg_is_last(sg))
		return NULL;
	sg++;
	if (sg_is_chain(sg))
		sg = sg_chain_ptr(sg);
	return sg;
}

/** sg_chain - make entry @prv_nents-1 of @prv a link to @sgl. */
static inline void sg_chain(struct scatterlist *prv, unsigned int prv_nents,
			    struct scatterlist *sgl)
{
	prv[prv_nents - 1].offset = 0;
	prv[prv_nents - 1].length = 0;
	prv[prv_nents - 1].page_link = ((unsigned long)sgl | SG_CHAIN) & ~SG_END;
}

static inline void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	memset(sgl, 0, sizeof(*sgl) * nents);
	if (nents)
		sg_mark_end(&sgl[nents - 1]);
}

static inline void sg_init_one(struct scatterlist *sg, const void *buf, unsigned int buflen)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, buflen);
}

/** sg_nents - number of entries in the list, chains followed. */
static inline int sg_nents(struct scatterlist *sg)
{
	int nents;

	for (nents = 0; sg; sg = sg_next(sg))
		nents++;
	return nents;
}

#define for_each_sg(sglist, sg, nr, __i) \
	for ((__i) = 0, (sg) = (sglist); (__i) < (nr); (__i)++, (sg) = sg_next(sg))

#define for_each_sgtable_sg(sgt, sg, i) for_each_sg((sgt)->sgl, sg, (sgt)->orig_nents, i)

#define for_each_sgtable_dma_sg(sgt, sg, i) for_each_sg((sgt)->sgl, sg, (sgt)->nents, i)

/**
 * sg_alloc_table - allocate and initialise a list of @nents entries.
 * @return 0, -EINVAL for zero entries, or -ENOMEM.
 */
static inline int sg_alloc_table(struct sg_table *table, unsigned int nents, gfp_t gfp)
{
	(void)gfp;
	memset(table, 0, sizeof(*table));
	if (nents == 0)
		return -EINVAL;
	table->sgl = (struct scatterlist *)calloc(nents, sizeof(*table->sgl));
	if (!table->sgl)
		return -ENOMEM;
	sg_init_table(table->sgl, nents);
	table->orig_nents = table->nents = nents;
	return 0;
}

/** sg_free_table - free a list from sg_alloc_table(); safe to call twice. */
static inline void sg_free_table(struct sg_table *table)
{
	free(table->sgl);
	table->sgl = NULL;
	table->nents = table->orig_nents = 0;
}

#ifdef __cplusplus
}
#endif

#endif /* DMASAN_LINUX_SCATTERLIST_H */
