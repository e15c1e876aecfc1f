/* SPDX-License-Identifier: MIT */
/*
 * IOVA spaces (core/iova.h). Free ranges of 1..64 pages sit in exact-size
 * stacks; larger ones in one list searched first fit (a larger range is
 * handed out whole, so nothing is ever split). The top-down cursor only
 * moves down; a space is exhausted when it reaches page 1 and no freed
 * range fits.
 */
#include <string.h>
#include "core/heap.h"
#include "core/iova.h"
#include "core/lock.h"

#define IOVA_SHIFT 12
#define IOVA_BINS 64

struct range {
	uint64_t pfn, pages;
};

struct stack {
	struct range *r;
	uint32_t n, cap;
};

struct iova_space {
	struct spin lock;
	uint64_t cursor;		 /* first page above the free top-down area */
	struct stack bin[IOVA_BINS + 1]; /* bin[k]: ranges of k pages; bin[0]: larger */
};

struct iova_space *iova_create(uint64_t limit)
{
	struct iova_space *s = heap_calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (limit > (1ULL << 48) - 1)
		limit = (1ULL << 48) - 1;
	s->cursor = (limit + 1) >> IOVA_SHIFT;
	return s;
}

static int push(struct stack *st, uint64_t pfn, uint64_t pages)
{
	if (st->n == st->cap) {
		uint32_t ncap = st->cap ? st->cap * 2 : 16;
		struct range *nr = heap_alloc(ncap * sizeof(*nr));

		if (!nr)
			return -1;
		if (st->r)
			memcpy(nr, st->r, st->n * sizeof(*nr));
		heap_free(st->r);
		st->r = nr;
		st->cap = ncap;
	}
	st->r[st->n].pfn = pfn;
	st->r[st->n].pages = pages;
	st->n++;
	return 0;
}

uint64_t iova_alloc(struct iova_space *s, uint64_t pages, uint64_t limit, uint64_t align)
{
	uint64_t top = (limit + 1) >> IOVA_SHIFT, pfn = 0;
	struct stack *st;
	uint32_t i;

	if (!pages)
		return 0;
	spin_lock(&s->lock);
	st = pages <= IOVA_BINS ? &s->bin[pages] : &s->bin[0];
	for (i = st->n; i-- > 0;) {
		struct range *r = &st->r[i];

		if (r->pages >= pages && r->pfn + r->pages <= top && !(r->pfn & (align - 1))) {
			pfn = r->pfn;
			*r = st->r[--st->n];
			break;
		}
	}
	if (!pfn) {
		uint64_t cur = s->cursor < top ? s->cursor : top;

		if (cur > pages && ((cur - pages) & ~(align - 1))) {
			pfn = (cur - pages) & ~(align - 1);
			if (s->cursor > pfn)
				s->cursor = pfn;
		}
	}
	spin_unlock(&s->lock);
	return pfn << IOVA_SHIFT;
}

void iova_free(struct iova_space *s, uint64_t addr, uint64_t pages)
{
	struct stack *st = pages <= IOVA_BINS ? &s->bin[pages] : &s->bin[0];

	if (!addr || !pages)
		return;
	spin_lock(&s->lock);
	push(st, addr >> IOVA_SHIFT, pages);
	spin_unlock(&s->lock);
}
