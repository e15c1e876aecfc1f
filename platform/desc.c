/* SPDX-License-Identifier: MIT */
/*
 * The platform description reader (platform/desc.h): the built-in default
 * SoC, and a flattened devicetree read through libfdt into a plain
 * struct plat_desc.
 *
 * The blob is untrusted. The header is checked here first so the common
 * mistakes get precise messages (too short, bad magic, truncated,
 * unsupported version); then fdt_check_full() validates the whole
 * structure, after which libfdt's accessors stay inside the blob. Every
 * property is length-checked before a cell is read, every address + size
 * is overflow-checked, every table is bounded by its DESC_MAX_* limit,
 * nesting is bounded by MAX_DEPTH and node names must be printable, so a
 * path or name shown in a message can never add a line or an escape.
 *
 * One walk with fdt_next_node() keeps a stack of the node's ancestors:
 * the #address-cells/#size-cells each one gives its children, the
 * inherited dma-coherent state, the nearest ancestor with dma-ranges
 * (parsed once, at that ancestor) and whether the node is disabled or
 * under /reserved-memory. memory-region phandles are resolved in a
 * second pass, once every reserved region is known.
 *
 * Invariants after a successful parse: banks and regions have non-zero
 * sizes and do not wrap or overlap among themselves; every device's region
 * is -1 or a valid index; every range has a non-zero size and neither side
 * wraps. Locking: none; the functions are pure over their arguments.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/heap.h"
#include "platform/desc.h"
#include "platform/platform.h"

#define MAX_DEPTH 32	     /* deepest node accepted; the root is depth 0 */
#define MAX_FILE (16u << 20) /* desc_load's file size limit */
#define HDR_SIZE 40u	     /* a version 17 header */
#define DEFAULT_ACELLS 2     /* devicetree spec defaults */
#define DEFAULT_SCELLS 1
#define DEFAULT_MODEL "dmasan default arm64-like SoC"

/* What one node on the current path gives its descendants. */
struct level {
	int off;		 /* node offset in the blob */
	size_t pathlen;		 /* length of its path in ctx.path */
	uint32_t acells, scells; /* #address-cells / #size-cells for its children */
	int coherent;		 /* dma-coherent state inherited by its children */
	int disabled;		 /* it or an ancestor has status other than okay */
	int resmem;		 /* 1: it is /reserved-memory; 2: it is below it */
	int ranges_depth;	 /* depth of the nearest node with dma-ranges, or -1 */
	int nranges;		 /* parsed dma-ranges when this node has them */
	struct desc_range ranges[DESC_MAX_RANGES];
};

struct ctx {
	const void *fdt;
	struct plat_desc *d;
	char *err;
	size_t errlen;
	char path[DESC_NAME_MAX]; /* path of the node being visited */
	struct level lv[MAX_DEPTH + 1];
	int region_off[DESC_MAX_REGIONS]; /* node offset of each region */
	int device_off[DESC_MAX_DEVICES]; /* node offset of each device */
};

__attribute__((format(printf, 2, 3))) static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void desc_default(struct plat_desc *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->model, sizeof(d->model), "%s", DEFAULT_MODEL);
	d->nbanks = 1;
	d->banks[0].base = 0x80000000ull;
	d->banks[0].size = 0x400000000ull - 0x80000000ull;
}

/* Big-endian cells; @p holds at least @n of them. */
static uint64_t read_cells(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++, p += 4)
		v = (v << 32) |
		    ((uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3]);
	return v;
}

static int has_prop(const void *fdt, int off, const char *name)
{
	return fdt_getprop(fdt, off, name, NULL) != NULL;
}

/* 1 when the string-list property @name of the node contains @str. */
static int prop_has_string(const void *fdt, int off, const char *name, const char *str)
{
	int len;
	const char *p = fdt_getprop(fdt, off, name, &len);

	return p && len > 0 && fdt_stringlist_contains(p, len, str);
}

/* A node is disabled by a "status" other than "okay" (or the old "ok"). */
static int is_disabled(const void *fdt, int off)
{
	if (!has_prop(fdt, off, "status"))
		return 0;
	return !prop_has_string(fdt, off, "status", "okay") &&
	       !prop_has_string(fdt, off, "status", "ok");
}

/* Read a one-cell property such as #address-cells; @def when absent. */
static int read_u32_prop(struct ctx *c, int off, const char *name, uint32_t def, uint32_t *out)
{
	int len;
	const uint8_t *p = fdt_getprop(c->fdt, off, name, &len);

	*out = def;
	if (!p)
		return 0;
	if (len != 4)
		return fail(c, "%s of %s has %d bytes, expected 4", name, c->path, len);
	*out = (uint32_t)read_cells(p, 1);
	return 0;
}

/* The path of the ancestor (or self) at @depth, for messages. */
static const char *path_at(struct ctx *c, int depth, char *buf, size_t size)
{
	if (!c->lv[depth].pathlen)
		return "/";
	snprintf(buf, size, "%.*s", (int)c->lv[depth].pathlen, c->path);
	return buf;
}

/* The cells node @depth gives its children, checked for the reader at path @user. */
static int cells_of(struct ctx *c, int depth, uint32_t *ac, uint32_t *sc, const char *user)
{
	const struct level *l = &c->lv[depth];
	char buf[DESC_NAME_MAX];

	if (l->acells < 1 || l->acells > 2)
		return fail(c, "#address-cells of %s is %u, expected 1 or 2 (needed by %s)",
			    path_at(c, depth, buf, sizeof(buf)), l->acells, user);
	if (l->scells > 2)
		return fail(c, "#size-cells of %s is %u, expected 0, 1 or 2 (needed by %s)",
			    path_at(c, depth, buf, sizeof(buf)), l->scells, user);
	*ac = l->acells;
	*sc = l->scells;
	return 0;
}

/* Check that @len bytes of property @name are a non-zero multiple of @entry. */
static int check_entries(struct ctx *c, const char *name, int len, uint32_t entry)
{
	if (len <= 0)
		return fail(c, "%s of %s is empty", name, c->path);
	if ((uint32_t)len % entry)
		return fail(c, "%s of %s has %d bytes, expected a multiple of %u", name, c->path,
			    len, entry);
	return 0;
}

static int check_span(struct ctx *c, const char *name, uint64_t base, uint64_t size)
{
	if (size > UINT64_MAX - base)
		return fail(c, "%s of %s: base 0x%llx + size 0x%llx overflows 64 bits", name,
			    c->path, (unsigned long long)base, (unsigned long long)size);
	return 0;
}

/*
 * One "reg" entry at @p (@ac address cells, @sc size cells) into *@base and
 * *@size: a @what ("bank", "region") of size 0 or one that wraps 64 bits
 * is refused.
 */
static int reg_entry(struct ctx *c, const uint8_t *p, uint32_t ac, uint32_t sc, const char *what,
		     uint64_t *base, uint64_t *size)
{
	*base = read_cells(p, ac);
	*size = read_cells(p + 4 * ac, sc);
	if (!*size)
		return fail(c, "reg of %s: %s at 0x%llx has size 0", c->path, what,
			    (unsigned long long)*base);
	return check_span(c, "reg", *base, *size);
}

/* /memory nodes: every "reg" entry, in the root's cells, is one bank. */
static int add_memory(struct ctx *c, int off)
{
	struct plat_desc *d = c->d;
	uint32_t ac, sc, entry;
	const uint8_t *p;
	int len, err;

	p = fdt_getprop(c->fdt, off, "reg", &len);
	if (!p)
		return fail(c, "%s has device_type \"memory\" but no reg", c->path);
	err = cells_of(c, 0, &ac, &sc, c->path);
	if (err)
		return err;
	entry = 4 * (ac + sc);
	err = check_entries(c, "reg", len, entry);
	if (err)
		return err;
	for (int i = 0; i < len / (int)entry; i++, p += entry) {
		uint64_t base, size;

		err = reg_entry(c, p, ac, sc, "bank", &base, &size);
		if (err)
			return err;
		if (d->nbanks == DESC_MAX_BANKS)
			return fail(c, "too many memory banks (max %d) at %s", DESC_MAX_BANKS,
				    c->path);
		for (int j = 0; j < d->nbanks; j++) {
			const struct desc_bank *b = &d->banks[j];

			if (base < b->base + b->size && b->base < base + size)
				return fail(
					c,
					"reg of %s: bank 0x%llx+0x%llx overlaps bank 0x%llx+0x%llx",
					c->path, (unsigned long long)base, (unsigned long long)size,
					(unsigned long long)b->base, (unsigned long long)b->size);
		}
		d->banks[d->nbanks].base = base;
		d->banks[d->nbanks].size = size;
		d->nbanks++;
	}
	return 0;
}

/* The kind of a reserved region from its compatible and flags. */
static int region_kind(struct ctx *c, int off, struct desc_region *r)
{
	r->no_map = has_prop(c->fdt, off, "no-map");
	r->reusable = has_prop(c->fdt, off, "reusable");
	r->dma_default = has_prop(c->fdt, off, "linux,dma-default");
	r->cma_default = has_prop(c->fdt, off, "linux,cma-default");
	if (prop_has_string(c->fdt, off, "compatible", "shared-dma-pool")) {
		if (r->no_map && r->reusable)
			return fail(c, "%s has both no-map and reusable", c->path);
		r->kind = r->reusable ? REGION_CMA : REGION_DMA_POOL;
	} else if (prop_has_string(c->fdt, off, "compatible", "restricted-dma-pool")) {
		if (r->no_map || r->reusable || r->dma_default || r->cma_default)
			return fail(
				c,
				"%s is a restricted-dma-pool, which must not have no-map, reusable, linux,dma-default or linux,cma-default",
				c->path);
		r->kind = REGION_RESTRICTED;
	} else {
		r->kind = REGION_OTHER;
	}
	if (r->dma_default && r->kind != REGION_DMA_POOL)
		return fail(c, "%s has linux,dma-default but is not a non-reusable shared-dma-pool",
			    c->path);
	if (r->cma_default && r->kind != REGION_CMA)
		return fail(c, "%s has linux,cma-default but is not a reusable shared-dma-pool",
			    c->path);
	return 0;
}

/*
 * A /reserved-memory child with "reg" (one without is placed dynamically
 * by the kernel and is not simulated). Pools take exactly one reg entry;
 * an other region with several becomes several regions of the same name.
 */
static int add_region(struct ctx *c, int off, const char *name, int depth)
{
	struct plat_desc *d = c->d;
	struct desc_region proto;
	uint32_t ac, sc, entry;
	const uint8_t *p;
	int len, err, n;

	p = fdt_getprop(c->fdt, off, "reg", &len);
	if (!p)
		return 0;
	memset(&proto, 0, sizeof(proto));
	snprintf(proto.name, sizeof(proto.name), "%s", name);
	proto.phandle = fdt_get_phandle(c->fdt, off);
	err = region_kind(c, off, &proto);
	if (err)
		return err;
	err = cells_of(c, depth - 1, &ac, &sc, c->path);
	if (err)
		return err;
	entry = 4 * (ac + sc);
	err = check_entries(c, "reg", len, entry);
	if (err)
		return err;
	n = len / (int)entry;
	if (n > 1 && proto.kind != REGION_OTHER)
		return fail(c, "reg of %s has %d entries, a DMA pool takes exactly one", c->path,
			    n);
	for (int i = 0; i < n; i++, p += entry) {
		struct desc_region *r;
		uint64_t base, size;

		err = reg_entry(c, p, ac, sc, "region", &base, &size);
		if (err)
			return err;
		if (d->nregions == DESC_MAX_REGIONS)
			return fail(c, "too many reserved regions (max %d) at %s", DESC_MAX_REGIONS,
				    c->path);
		for (int j = 0; j < d->nregions; j++) {
			const struct desc_region *o = &d->regions[j];

			if (base < o->base + o->size && o->base < base + size)
				return fail(c, "reg of %s: region 0x%llx+0x%llx overlaps %s",
					    c->path, (unsigned long long)base,
					    (unsigned long long)size, o->name);
		}
		r = &d->regions[d->nregions];
		*r = proto;
		r->base = base;
		r->size = size;
		c->region_off[d->nregions++] = off;
	}
	return 0;
}

/*
 * Parse the dma-ranges of the node at @depth into its level: entries are
 * (child-bus address in its #address-cells, parent address in its
 * parent's #address-cells, size in its #size-cells). Empty: identity.
 */
static int parse_dma_ranges(struct ctx *c, int depth, const uint8_t *p, int len)
{
	struct level *l = &c->lv[depth];
	uint32_t ac, sc, pac, psc, entry;
	int n, err;

	l->nranges = 0;
	if (len == 0)
		return 0;
	err = cells_of(c, depth, &ac, &sc, c->path);
	if (!err)
		err = cells_of(c, depth ? depth - 1 : 0, &pac, &psc, c->path);
	if (err)
		return err;
	entry = 4 * (ac + pac + sc);
	err = check_entries(c, "dma-ranges", len, entry);
	if (err)
		return err;
	n = len / (int)entry;
	if (n > DESC_MAX_RANGES)
		return fail(c, "dma-ranges of %s has %d entries (max %d)", c->path, n,
			    DESC_MAX_RANGES);
	for (int i = 0; i < n; i++, p += entry) {
		struct desc_range *r = &l->ranges[i];

		r->bus = read_cells(p, ac);
		r->cpu = read_cells(p + 4 * ac, pac);
		r->size = read_cells(p + 4 * (ac + pac), sc);
		if (!r->size)
			return fail(c, "dma-ranges of %s: entry %d has size 0", c->path, i);
		if (r->size > UINT64_MAX - r->bus || r->size > UINT64_MAX - r->cpu)
			return fail(
				c,
				"dma-ranges of %s: entry %d (bus 0x%llx, cpu 0x%llx, size 0x%llx) overflows 64 bits",
				c->path, i, (unsigned long long)r->bus, (unsigned long long)r->cpu,
				(unsigned long long)r->size);
	}
	l->nranges = n;
	return 0;
}

static int add_device(struct ctx *c, int off, int depth)
{
	struct plat_desc *d = c->d;
	const struct level *parent = &c->lv[depth - 1];
	struct desc_device *dev;
	int len;

	if (d->ndevices == DESC_MAX_DEVICES)
		return fail(c, "too many devices (max %d) at %s", DESC_MAX_DEVICES, c->path);
	dev = &d->devices[d->ndevices];
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->path, sizeof(dev->path), "%s", c->path);
	dev->coherent = c->lv[depth].coherent;
	dev->iommu = has_prop(c->fdt, off, "iommus");
	dev->region = -1;
	if (fdt_getprop(c->fdt, off, "memory-region", &len)) {
		if (len <= 0 || len % 4)
			return fail(
				c,
				"memory-region of %s has %d bytes, expected a non-zero multiple of 4",
				c->path, len);
	}
	if (parent->ranges_depth >= 0) {
		const struct level *h = &c->lv[parent->ranges_depth];

		dev->nranges = h->nranges;
		memcpy(dev->ranges, h->ranges, sizeof(dev->ranges));
	}
	c->device_off[d->ndevices++] = off;
	return 0;
}

/* Node names become paths in messages: printable, no '/', not empty. */
static int check_name(struct ctx *c, const char *parent, const char *name, int len)
{
	if (len <= 0)
		return fail(c, "a node under %s has an empty name", parent);
	for (int i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch <= 0x20 || ch >= 0x7f || ch == '/')
			return fail(
				c,
				"a node name under %s has byte 0x%02x, not allowed in a node name",
				parent, ch);
	}
	return 0;
}

/* Enter node @off at @depth: its path, its level, and what it is. */
static int visit(struct ctx *c, int off, int depth)
{
	struct level *l, *up;
	const char *name;
	const uint8_t *dr;
	int len, err, drlen;

	if (depth > MAX_DEPTH) {
		char pbuf[DESC_NAME_MAX];

		return fail(c, "the children of %s nest deeper than %d levels",
			    path_at(c, MAX_DEPTH, pbuf, sizeof(pbuf)), MAX_DEPTH);
	}
	l = &c->lv[depth];
	up = depth ? &c->lv[depth - 1] : NULL;
	name = fdt_get_name(c->fdt, off, &len);
	if (!name)
		return fail(c, "corrupt devicetree: %s", fdt_strerror(len));
	if (depth == 0) {
		snprintf(c->path, sizeof(c->path), "/");
		l->pathlen = 0;
	} else {
		char pbuf[DESC_NAME_MAX];
		const char *parent = path_at(c, depth - 1, pbuf, sizeof(pbuf));

		err = check_name(c, parent, name, len);
		if (err)
			return err;
		if (up->pathlen + 1 + (size_t)len > DESC_NAME_MAX - 1)
			return fail(c, "the path of a node under %s is longer than %d bytes",
				    parent, DESC_NAME_MAX - 1);
		c->path[up->pathlen] = '\0';
		snprintf(c->path + up->pathlen, sizeof(c->path) - up->pathlen, "/%.*s", len, name);
		l->pathlen = up->pathlen + 1 + (size_t)len;
	}
	l->off = off;
	err = read_u32_prop(c, off, "#address-cells", DEFAULT_ACELLS, &l->acells);
	if (!err)
		err = read_u32_prop(c, off, "#size-cells", DEFAULT_SCELLS, &l->scells);
	if (err)
		return err;
	l->disabled = (up && up->disabled) || is_disabled(c->fdt, off);
	l->coherent = up ? up->coherent : 0;
	if (has_prop(c->fdt, off, "dma-coherent"))
		l->coherent = 1;
	else if (has_prop(c->fdt, off, "dma-noncoherent"))
		l->coherent = 0;
	if (depth == 1 && !strcmp(name, "reserved-memory"))
		l->resmem = 1;
	else
		l->resmem = up && up->resmem ? 2 : 0;
	l->ranges_depth = up ? up->ranges_depth : -1;
	dr = fdt_getprop(c->fdt, off, "dma-ranges", &drlen);
	if (dr) {
		err = parse_dma_ranges(c, depth, dr, drlen);
		if (err)
			return err;
		l->ranges_depth = depth;
	}

	if (depth == 0) {
		const char *model = fdt_getprop(c->fdt, off, "model", &len);

		if (model) {
			if (len <= 0 || !memchr(model, '\0', (size_t)len))
				return fail(c, "model of / is not a NUL-terminated string");
			for (int i = 0; i < DESC_NAME_MAX - 1 && model[i]; i++) {
				unsigned char ch = (unsigned char)model[i];

				c->d->model[i] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
			}
		}
		return 0;
	}
	if (l->disabled)
		return 0;
	if (depth == 1 && prop_has_string(c->fdt, off, "device_type", "memory"))
		return add_memory(c, off);
	if (l->resmem == 2 && depth == 2)
		return add_region(c, off, name, depth);
	if (!l->resmem && has_prop(c->fdt, off, "compatible") &&
	    !prop_has_string(c->fdt, off, "compatible", "simple-bus"))
		return add_device(c, off, depth);
	return 0;
}

/* Resolve every memory-region phandle of device @i; the first sets its region. */
static int resolve_regions(struct ctx *c, int i)
{
	struct desc_device *dev = &c->d->devices[i];
	const uint8_t *p;
	int len;

	p = fdt_getprop(c->fdt, c->device_off[i], "memory-region", &len);
	if (!p)
		return 0;
	for (int k = 0; k < len / 4; k++) {
		uint32_t ph = (uint32_t)read_cells(p + 4 * k, 1);
		char other[DESC_NAME_MAX], dup[DESC_NAME_MAX];
		int off, off2, r;

		if (ph == 0 || ph == UINT32_MAX)
			return fail(c, "memory-region of %s has the invalid phandle 0x%x",
				    dev->path, ph);
		off = fdt_node_offset_by_phandle(c->fdt, ph);
		if (off < 0)
			return fail(
				c,
				"memory-region of %s points at phandle %u, which no reserved region has",
				dev->path, ph);
		if (fdt_get_path(c->fdt, off, other, sizeof(other)) != 0)
			snprintf(other, sizeof(other), "?");
		/* A phandle must name one node: look for a second holder. */
		for (off2 = fdt_next_node(c->fdt, off, NULL); off2 >= 0;
		     off2 = fdt_next_node(c->fdt, off2, NULL)) {
			if (fdt_get_phandle(c->fdt, off2) != ph)
				continue;
			if (fdt_get_path(c->fdt, off2, dup, sizeof(dup)) != 0)
				snprintf(dup, sizeof(dup), "?");
			return fail(c, "phandle %u of memory-region of %s is on both %s and %s", ph,
				    dev->path, other, dup);
		}
		for (r = 0; r < c->d->nregions; r++)
			if (c->region_off[r] == off)
				break;
		if (r == c->d->nregions)
			return fail(
				c,
				"memory-region of %s points at phandle %u (%s), which is not a reserved region with reg",
				dev->path, ph, other);
		if (k == 0)
			dev->region = r;
	}
	return 0;
}

/* At most one global coherent pool and one default CMA area. */
static int check_defaults(struct ctx *c)
{
	const struct plat_desc *d = c->d;
	int dma = -1, cma = -1;

	for (int i = 0; i < d->nregions; i++) {
		const struct desc_region *r = &d->regions[i];

		if (r->dma_default) {
			if (dma >= 0)
				return fail(
					c,
					"linux,dma-default is on both /reserved-memory/%s and /reserved-memory/%s",
					d->regions[dma].name, r->name);
			dma = i;
		}
		if (r->cma_default) {
			if (cma >= 0)
				return fail(
					c,
					"linux,cma-default is on both /reserved-memory/%s and /reserved-memory/%s",
					d->regions[cma].name, r->name);
			cma = i;
		}
	}
	return 0;
}

/* The header, checked field by field for precise messages. */
static int check_header(struct ctx *c, const void *blob, size_t len)
{
	uint32_t total, version, lastcomp;

	if (len >= 4 && fdt_magic(blob) != FDT_MAGIC)
		return fail(c, "bad magic 0x%08x (a devicetree blob starts with 0x%08x)",
			    fdt_magic(blob), FDT_MAGIC);
	if (len < HDR_SIZE)
		return fail(c, "truncated: %zu bytes is too short for a devicetree header (%u)",
			    len, HDR_SIZE);
	total = fdt_totalsize(blob);
	if (total > len)
		return fail(c, "truncated: header says %u bytes, file has %zu", total, len);
	version = fdt_version(blob);
	lastcomp = fdt_last_comp_version(blob);
	if (version < 16 || lastcomp > 17)
		return fail(
			c,
			"unsupported devicetree version %u (last compatible %u); versions 16 and 17 are read",
			version, lastcomp);
	return 0;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Walk the structure block's tokens and refuse a property longer than the
 * block before libfdt sees it: libfdt 1.6.1 (Debian 12) loops forever in
 * fdt_check_full() on a length of 2^31 or more.
 */
static int check_struct_lengths(struct ctx *c, const void *blob)
{
	const uint8_t *b = blob;
	uint32_t off = fdt_off_dt_struct(blob), size = fdt_size_dt_struct(blob);
	uint32_t total = fdt_totalsize(blob), pos = 0;

	if (off > total || size > total - off)
		return fail(
			c,
			"corrupt devicetree: structure block [%u, +%u) beyond the blob (%u bytes)",
			off, size, total);
	while (pos + 4 <= size) {
		uint32_t tag = be32_at(b + off + pos);

		pos += 4;
		if (tag == FDT_BEGIN_NODE) {
			while (pos < size && b[off + pos])
				pos++;
			pos = (pos + 4) & ~3u;
		} else if (tag == FDT_PROP) {
			uint32_t plen;

			if (pos + 8 > size)
				break;
			plen = be32_at(b + off + pos);
			if (plen > size - pos - 8)
				return fail(
					c,
					"corrupt devicetree: a property of %u bytes in a %u-byte structure block",
					plen, size);
			pos = (pos + 8 + plen + 3) & ~3u;
		} else if (tag == FDT_END) {
			break;
		}
	}
	return 0;
}

static int parse(struct ctx *c, const void *blob, size_t len)
{
	int off, depth = -1, err;

	err = check_header(c, blob, len);
	if (err)
		return err;
	err = check_struct_lengths(c, blob);
	if (err)
		return err;
	err = fdt_check_full(blob, len);
	if (err)
		return fail(c, "corrupt devicetree: %s", fdt_strerror(err));
	c->fdt = blob;
	for (off = fdt_next_node(blob, -1, &depth); off >= 0 && depth >= 0;
	     off = fdt_next_node(blob, off, &depth)) {
		err = visit(c, off, depth);
		if (err)
			return err;
	}
	if (off < 0 && off != -FDT_ERR_NOTFOUND)
		return fail(c, "corrupt devicetree: %s", fdt_strerror(off));
	if (!c->d->nbanks)
		return fail(c, "no memory: no node with device_type \"memory\" and a reg");
	for (int i = 0; i < c->d->ndevices; i++) {
		err = resolve_regions(c, i);
		if (err)
			return err;
	}
	return check_defaults(c);
}

int desc_parse(const void *blob, size_t len, struct plat_desc *d, char *err, size_t errlen)
{
	struct ctx *c;
	void *copy = NULL;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!d || (!blob && len))
		return -EINVAL;
	/* The walk's state is too large for a small thread stack. */
	c = heap_calloc(1, sizeof(*c));
	if (!c) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory reading the devicetree");
		return -ENOMEM;
	}
	c->d = d;
	c->err = err;
	c->errlen = errlen;
	memset(d, 0, sizeof(*d));
	if (!blob)
		blob = "";
	/* libfdt wants the blob 8-byte aligned. */
	if ((uintptr_t)blob % 8 && len >= HDR_SIZE) {
		copy = heap_aligned(8, len);
		if (!copy) {
			heap_free(c);
			if (err && errlen)
				snprintf(err, errlen, "out of memory reading the devicetree");
			return -ENOMEM;
		}
		memcpy(copy, blob, len);
		blob = copy;
	}
	ret = parse(c, blob, len);
	heap_free(copy);
	heap_free(c);
	return ret;
}

int desc_load(const char *path, struct plat_desc *d, char *err, size_t errlen)
{
	char msg[256];
	char *buf;
	size_t len;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!path || !d)
		return -EINVAL;
	ret = plat_read_file(path, MAX_FILE, &buf, &len);
	if (ret) {
		if (ret == -EFBIG)
			snprintf(msg, sizeof(msg), "larger than %u MiB", MAX_FILE >> 20);
		else if (ret == -EINVAL)
			snprintf(msg, sizeof(msg), "not a regular file");
		else
			snprintf(msg, sizeof(msg), "%s", strerror(-ret));
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, msg);
		return ret;
	}
	ret = desc_parse(buf, len, d, msg, sizeof(msg));
	heap_free(buf);
	if (ret && err && errlen)
		snprintf(err, errlen, "%s: %s", path, msg);
	return ret;
}

const struct desc_device *desc_find_device(const struct plat_desc *d, const char *path)
{
	if (!d || !path)
		return NULL;
	for (int i = 0; i < d->ndevices && i < DESC_MAX_DEVICES; i++)
		if (!strcmp(d->devices[i].path, path))
			return &d->devices[i];
	return NULL;
}

/* Translate @addr through @dev's dma-ranges, bus to CPU or (@to_bus) CPU to bus. */
static int translate(const struct desc_device *dev, uint64_t addr, int to_bus, uint64_t *out)
{
	if (!out)
		return -EINVAL;
	if (!dev || dev->nranges <= 0) {
		*out = addr;
		return 0;
	}
	for (int i = 0; i < dev->nranges && i < DESC_MAX_RANGES; i++) {
		const struct desc_range *r = &dev->ranges[i];
		uint64_t from = to_bus ? r->cpu : r->bus, to = to_bus ? r->bus : r->cpu;

		if (addr >= from && addr - from < r->size) {
			*out = to + (addr - from);
			return 0;
		}
	}
	return -ERANGE;
}

int desc_bus_to_cpu(const struct desc_device *dev, uint64_t bus, uint64_t *out)
{
	return translate(dev, bus, 0, out);
}

int desc_cpu_to_bus(const struct desc_device *dev, uint64_t cpu, uint64_t *out)
{
	return translate(dev, cpu, 1, out);
}
