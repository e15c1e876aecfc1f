/* SPDX-License-Identifier: MIT */
/*
 * The dma-debug catalogue and the device side (core/dma.h).
 *
 * Every entry point follows the same order: resolve the device (NULL is a
 * null-device finding), validate arguments, look the object up, take its
 * lock, compare the call against the stored object ("ref entry" checks:
 * size, type, direction, nents, attributes, CPU address), build the
 * findings as snapshots, change the state (ownership lines, live flag,
 * history), unlock, emit the findings. Streaming maps give every cache
 * line of the buffer to the device; sync_for_cpu and unmap give lines back;
 * sync_for_device gives them to the device again. Device accesses are
 * checked against mask, liveness, direction and line ownership.
 * Locking: see core/lock.h; nothing here holds two object locks.
 */
#include <errno.h>
#include <string.h>
#include "core/arena.h"
#include "core/bounce.h"
#include "core/cache.h"
#include "core/device.h"
#include "core/dma.h"
#include "core/heap.h"
#include "core/iova.h"
#include "core/machine.h"
#include "core/pool.h"
#include "core/report.h"
#include "core/runtime.h"
#include "core/stack.h"
#include "core/track.h"
#include "platform/platform.h"
#include "reports/render.h"

#define MAX_FINDINGS 6
#define UNMAP_VALID_ATTRS                                                         \
	(DMA_ATTR_NO_KERNEL_MAPPING | DMA_ATTR_FORCE_CONTIGUOUS | DMA_ATTR_MMIO | \
	 DMA_ATTR_REQUIRE_COHERENT | DMA_ATTR_PRIVILEGED | DMA_ATTR_CC_SHARED)
#define APAGE 4096ULL
/* No single streaming map is larger than this (kmalloc's world is far smaller). */
#define MAP_MAX (1ULL << 30)

struct flist {
	int n;
	struct finding f[MAX_FINDINGS];
};

static struct finding *flist_add(struct flist *l, enum dmasan_bug kind, const struct dmdev *dd,
				 uint32_t stack)
{
	struct finding *f;

	if (l->n >= MAX_FINDINGS)
		return NULL;
	f = &l->f[l->n++];
	fnd_init(f, kind, dd, stack);
	return f;
}

static void flist_emit(struct flist *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		report_emit(&l->f[i]);
	l->n = 0;
}

static int ctx_frames(void)
{
	return (int)rt_options()->map_context_size;
}

static int valid_dir(int dir)
{
	return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE;
}

static int is_streaming(int type)
{
	return type == OBJ_SINGLE || type == OBJ_PAGE || type == OBJ_SG || type == OBJ_RESOURCE;
}

static int type_class(int type)
{
	return type == OBJ_PAGE ? OBJ_SINGLE : type;
}

static void fact_addr(struct finding *f, uint64_t dma, uint64_t size)
{
	f->has_dma = 1;
	f->dma_addr = dma;
	f->size = size;
	fnd_fact(f, "device address=0x%016llx", (unsigned long long)dma);
	fnd_fact(f, "size=%llu bytes", (unsigned long long)size);
}

struct dmdev *core_dev(struct device *dev, const char *api)
{
	struct dmdev *dd;
	struct finding f;

	if (!dev) {
		fnd_init(&f, BUG_NULL_DEVICE, NULL, 0);
		fnd_message(&f, "%s called with a NULL device", api);
		report_emit(&f);
		return NULL;
	}
	dd = dev_lookup(dev);
	if (!dd)
		rt_disable(
			"out of memory registering a device (or 65536 devices registered at once)");
	return dd;
}

static void report_bad_dir(struct dmdev *dd, int dir, const char *api, uint32_t stack)
{
	struct finding f;

	fnd_init(&f, BUG_MAP_INVALID_DIRECTION, dd, stack);
	fnd_message(&f, "%s called with an invalid DMA direction", api);
	fnd_fact(&f, "direction=%d (%s)", dir, dir_name(dir));
	f.dir = dir;
	report_emit(&f);
}

static uint64_t limit_of(const struct dmdev *dd, uint64_t mask)
{
	uint64_t bus = dd->removed ? 0 : dd->dev->bus_dma_limit;

	if (bus && bus < mask)
		mask = bus;
	if (dd->dma_bits && dd->dma_bits < 64 && mask > (1ULL << dd->dma_bits) - 1)
		mask = (1ULL << dd->dma_bits) - 1;
	return mask;
}

/* Map-time checks on the CPU range shared by single, page and sg maps. */
static int check_map_memory(struct dmdev *dd, uintptr_t cpu, size_t size, int dir, uint32_t stack,
			    const char *api)
{
	struct finding f;

	if (!cpu || cpu + size < cpu || size > MAP_MAX || !plat_is_mapped(cpu, size ? size : 1)) {
		fnd_init(&f, BUG_MAP_INVALID_MEMORY, dd, stack);
		if (size > MAP_MAX)
			fnd_message(&f,
				    "%s maps more than 1 GiB at once; no real buffer is that large",
				    api);
		else
			fnd_message(&f, "%s maps memory from an invalid area", api);
		fnd_fact(&f, "addr=0x%lx", (unsigned long)cpu);
		fnd_fact(&f, "len=%zu", size);
		f.cpu_addr = cpu;
		f.size = size;
		report_emit(&f);
		return -EINVAL;
	}
	if (size == 0) {
		fnd_init(&f, BUG_MAP_ZERO_LENGTH, dd, stack);
		fnd_message(&f, "%s maps zero bytes", api);
		fnd_fact(&f, "addr=0x%lx", (unsigned long)cpu);
		f.cpu_addr = cpu;
		report_emit(&f);
	}
	if (plat_on_stack(cpu, size ? size : 1)) {
		fnd_init(&f, BUG_MAP_STACK_MEMORY, dd, stack);
		fnd_message(&f, "device driver maps memory from stack");
		fnd_fact(&f, "addr=0x%lx", (unsigned long)cpu);
		fnd_fact(&f, "len=%zu", size);
		f.cpu_addr = cpu;
		f.size = size;
		report_emit(&f);
	} else if (plat_is_readonly(cpu, size ? size : 1)) {
		int writable = dir != DMA_TO_DEVICE;

		fnd_init(&f, BUG_MAP_READONLY_MEMORY, dd, stack);
		if (writable)
			fnd_message(
				&f,
				"device driver maps program text or read-only data for the device to write; the map fails");
		else
			fnd_message(
				&f,
				"device driver maps memory from program text or read-only data");
		fnd_fact(&f, "addr=0x%lx", (unsigned long)cpu);
		fnd_fact(&f, "len=%zu", size);
		fnd_fact(&f, "mapped with %s", dir_name(dir));
		f.cpu_addr = cpu;
		f.size = size;
		f.dir = dir;
		report_emit(&f);
		/* Nothing may ever be written into read-only memory, by DMA or by a sync. */
		if (writable)
			return -EACCES;
	}
	return 0;
}

static int report_unreachable(struct dmdev *dd, uint64_t dma, size_t size, uint64_t limit,
			      uint32_t stack, const char *api)
{
	struct finding f;

	fnd_init(&f, BUG_MASK_UNREACHABLE, dd, stack);
	fnd_message(
		&f,
		"%s: the device cannot address the buffer and it cannot be bounced; the map fails",
		api);
	fact_addr(&f, dma, size);
	fnd_fact(&f, "dma mask=0x%llx", (unsigned long long)limit);
	report_emit(&f);
	return -EIO;
}

static int overlap_filter(const struct dmobj *o, const struct dmobj *self)
{
	if (o->dir == DMA_TO_DEVICE || (!is_streaming(o->type) && o->type != OBJ_NONCOHERENT))
		return 0;
	if ((o->attrs & DMA_ATTR_DEBUGGING_IGNORE_CACHELINES) &&
	    (self->attrs & DMA_ATTR_DEBUGGING_IGNORE_CACHELINES))
		return 0;
	return !(o->dd->coherent && self->dd->coherent);
}

/* unaligned-buffer: a streaming buffer of a non-coherent device not on whole cache lines. */
static void check_alignment(struct dmobj *o)
{
	long level = rt_options()->check_alignment;
	unsigned int line = track_line_size();
	struct finding f;

	if (!level || o->dd->coherent || o->type == OBJ_RESOURCE || !o->cpu ||
	    (level == 1 && o->dir == DMA_TO_DEVICE))
		return;
	if (((o->cpu | (o->cpu + o->size)) & (line - 1)) == 0)
		return;
	fnd_init(&f, BUG_UNALIGNED_BUFFER, o->dd, o->map_stack);
	fnd_message(
		&f,
		"%s buffer of a non-coherent device does not start and end on %u-byte cache lines: the device's writes and the CPU's neighbouring data share lines",
		dir_name(o->dir), line);
	fact_addr(&f, o->dma, o->size);
	fnd_fact(&f, "cpu address=0x%lx", (unsigned long)o->cpu);
	fnd_fact(&f, "starts %lu bytes into a line", (unsigned long)(o->cpu % line));
	fnd_fact(&f, "ends %lu bytes into a line", (unsigned long)((o->cpu + o->size) % line));
	f.cpu_addr = o->cpu;
	f.dir = o->dir;
	report_emit(&f);
}

static void check_overlap(struct dmobj *o)
{
	struct dmobj *other;
	struct finding f;
	unsigned int line = track_line_size();
	uint64_t first;

	if (o->dir == DMA_TO_DEVICE)
		return;
	other = (o->attrs & DMA_ATTR_SKIP_CPU_SYNC) ? NULL : track_find_overlap(o, overlap_filter);
	/*
	 * Not once it has ended (a concurrent dmasan_device_del() or unmap): its
	 * retirement, which unlinks it, may have come and gone already. Under
	 * the lock, so that an end after this sees the link.
	 */
	spin_lock(&o->lock);
	if (atomic_load(&o->live) && track_cpu_register(o))
		rt_disable("out of memory in the shim's private heap");
	spin_unlock(&o->lock);
	if (!other)
		return;
	first = (o->cpu > other->cpu ? o->cpu : other->cpu) / line * line;
	fnd_init(&f, BUG_CACHELINE_OVERLAP, o->dd, o->map_stack);
	fnd_message(
		&f,
		"device-writable mapping shares a cache line with another live mapping; overlapping mappings aren't supported on a non-coherent machine");
	fact_addr(&f, o->dma, o->size);
	fnd_fact(&f, "cacheline=0x%llx", (unsigned long long)first);
	fnd_fact(&f, "mapped with %s", dir_name(o->dir));
	f.cpu_addr = o->cpu;
	f.dir = o->dir;
	fnd_object(&f, other, 0);
	f.related[0].label = "other mapping made at";
	track_put(other);
	report_emit(&f);
}

/* Turn what the cache model found into findings on @o (caller holds o->lock). */
static void add_notes(struct flist *l, struct dmobj *o, const struct cache_notes *n, int dir,
		      uint32_t stack, const char *api)
{
	int i;

	for (i = 0; i < n->n; i++) {
		const struct cache_note *c = &n->note[i];
		struct finding *f = flist_add(l, (enum dmasan_bug)c->kind, o->dd, stack);

		if (!f)
			return;
		switch (c->kind) {
		case BUG_CPU_WRITE_DEVICE_OWNED:
			fnd_message(
				f, "the CPU wrote a buffer while the device owned it (found at %s)",
				api);
			break;
		case BUG_CACHELINE_SHARING:
			fnd_message(
				f,
				"the CPU wrote bytes %s the buffer in a cache line the device owned (found at %s); on a non-coherent machine either the CPU's write or the device's data is lost",
				c->edge < 0 ? "just before" : "just after", api);
			break;
		case BUG_MISSING_SYNC_FOR_CPU:
			fnd_message(
				f,
				"device-written data was handed back to the device without dma_sync_*_for_cpu (%s): the CPU never looked at it",
				api);
			break;
		case BUG_MISSING_SYNC_FOR_DEVICE:
			if (c->edge == 2)
				fnd_message(
					f,
					"the device reads bytes the CPU changed after the last dma_sync_*_for_device: it sees stale data");
			else
				fnd_message(
					f,
					"the device %s bytes the CPU owns: dma_sync_*_for_device is missing",
					api[11] == 'w' ? "writes" : "reads");
			break;
		default:
			break;
		}
		f->has_dma = 1;
		f->dma_addr = o->dma + (c->edge < 0 ? 0 : c->off);
		f->size = c->len;
		f->cpu_addr = o->cpu + (c->edge < 0 ? 0 : (uintptr_t)c->off);
		f->dir = dir;
		if (c->edge < 0)
			fnd_fact(f, "shared line: %llu bytes before the buffer",
				 (unsigned long long)c->len);
		else if (c->edge == 1)
			fnd_fact(f, "shared line: %llu bytes after the buffer",
				 (unsigned long long)c->len);
		else
			fnd_fact(f, "bytes [%llu,%llu) of the buffer", (unsigned long long)c->off,
				 (unsigned long long)(c->off + c->len));
		fnd_fact(f, "device address=0x%016llx", (unsigned long long)o->dma);
		fnd_fact(f, "mapped with %s", dir_name(o->dir));
		fnd_object(f, o, 1);
	}
}

/* Give an ended object's swiotlb slots back (caller holds o->lock). */
static void bounce_release(struct dmobj *o)
{
	if (o->nslots) {
		bounce_free(o->bpool, o->slot, o->nslots);
		atomic_fetch_sub(&o->dd->bounce_slots, o->nslots);
		o->nslots = 0;
	}
	o->bounce = NULL;
}

/* How the device reaches a buffer: directly at @dma, or through a bounce slot. */
struct route {
	uint64_t dma;
	uint8_t *bounce;
	struct bounce_pool *pool;
	uint32_t slot, nslots;
};

static unsigned int min_align_mask(const struct dmdev *dd)
{
	return dd->removed || !dd->dev->dma_parms ? 0 : dd->dev->dma_parms->min_align_mask;
}

/* Streaming mappings live now, over all devices (for the bounce-exhausted hint). */
static uint64_t outstanding_maps(void)
{
	uint64_t n = 0;
	struct dmdev *d;

	for (d = dev_first(); d; d = d->next_all)
		n += atomic_load(&d->live_maps);
	return n;
}

static void report_bounce_full(struct dmdev *dd, size_t size, int err, uint32_t stack,
			       const char *api)
{
	struct bounce_stats st;
	struct finding f;

	bounce_get_stats(dd->rpool ? dd->rpool : bounce_default(), &st);
	fnd_init(&f, BUG_BOUNCE_EXHAUSTED, dd, stack);
	if (err == -E2BIG)
		fnd_message(
			&f,
			"%s: the buffer must bounce but is larger than the largest swiotlb bounce (%zu KiB); the map fails",
			api, BOUNCE_MAX_MAPPING >> 10);
	else if (outstanding_maps())
		fnd_message(
			&f,
			"%s: swiotlb buffer is full, the map fails; %llu mappings are outstanding - a leak of DMA mappings is the usual cause",
			api, (unsigned long long)outstanding_maps());
	else
		fnd_message(&f, "%s: swiotlb buffer is full, the map fails", api);
	f.size = size;
	fnd_fact(&f, "request size=%zu bytes", size);
	fnd_fact(&f, "slots used=%llu of %llu", (unsigned long long)st.slots_used,
		 (unsigned long long)st.slots_total);
	fnd_fact(&f, "slot size=%u bytes", BOUNCE_SLOT_SIZE);
	report_emit(&f);
}

static uint64_t iova_pages(uint64_t addr, uint64_t size)
{
	return ((addr & (APAGE - 1)) + (size ? size : 1) + APAGE - 1) / APAGE;
}

/*
 * An IOVA for [cpu, cpu+size) below @limit, keeping the page offset, its
 * first page a multiple of @align pages; 0 when exhausted.
 */
static uint64_t iommu_map(struct dmdev *dd, uintptr_t cpu, uint64_t size, uint64_t limit,
			  uint64_t align)
{
	struct iova_space *sp;
	uint64_t base;

	spin_lock(&dd->lock);
	if (!dd->iova)
		dd->iova = iova_create(limit);
	sp = dd->iova;
	spin_unlock(&dd->lock);
	if (!sp)
		return 0;
	base = iova_alloc(sp, iova_pages(cpu, size), limit, align);
	return base ? base | (cpu & (APAGE - 1)) : 0;
}

/* Give an ended object's IOVA back (its device is behind an IOMMU). */
static void iommu_unmap(struct dmobj *o)
{
	if (o->space && o->dd->iova && o->dma)
		iova_free(o->dd->iova, o->dma & ~(APAGE - 1), iova_pages(o->dma, o->size));
}

/* An ended streaming map that reached its buffer in place through an alias range lets go of it. */
static void unplace(struct dmobj *o)
{
	uint64_t phys, bus;

	if (o->space || !o->cpu || !is_streaming(o->type))
		return;
	phys = place_alias(o->cpu, o->size);
	if (phys && machine_to_bus(o->dd, phys, &bus) == 0 && bus == o->dma)
		place_put(o->cpu, o->size, phys);
}

/*
 * Decide how the device reaches [cpu, cpu+size) (bounce=, the mask, the
 * IOMMU) and report why when it cannot. @return 0, or -EIO/-ENOSPC after
 * a finding.
 */
static int route_map(struct dmdev *dd, uintptr_t cpu, size_t size, uint32_t stack, const char *api,
		     struct route *r)
{
	/* bounce= is validated to one of auto|force|off: the first letter tells. */
	char mode = rt_options()->bounce[0];
	uint64_t phys = place_host(cpu, size), limit = limit_of(dd, dev_mask(dd)), bus;
	uint64_t placed = phys; /* a hold on an alias range, when the buffer needs one */
	size_t span = size ? size : 1;
	int err;

	memset(r, 0, sizeof(*r));
	if (phys && machine_to_bus(dd, phys, &bus) == 0)
		phys = bus; /* what the device would use to reach it in place */
	else
		phys = 0; /* outside every dma-range: only a bounce reaches it */
	if (dd->iommu && mode != 'f' && !dd->rpool) {
		/* The IOMMU reaches any page: the IOVA only has to fit the mask. */
		r->dma = phys ? iommu_map(dd, cpu, span, limit, 1) : 0;
		place_put(cpu, size, placed); /* the IOMMU maps the pages, not the alias */
		if (r->dma)
			return 0;
		report_unreachable(dd, phys, size, limit, stack, api);
		return -EIO;
	}
	if (phys && mode != 'f' && !dd->rpool && phys + span - 1 <= limit) {
		r->dma = phys; /* keeps the hold until the mapping ends (unplace()) */
		return 0;
	}
	place_put(cpu, size, placed); /* it bounces or fails */
	if (mode == 'o' && !dd->rpool) {
		report_unreachable(dd, phys, size, limit, stack, api);
		return -EIO;
	}
	r->pool = dd->rpool ? dd->rpool : bounce_default();
	r->bounce = bounce_alloc(r->pool, cpu, span, min_align_mask(dd), &bus, &r->slot, &r->nslots,
				 &err);
	if (!r->bounce) {
		report_bounce_full(dd, size, err, stack, api);
		return -ENOSPC;
	}
	/* The default pool sits in physical memory; a restricted pool is set up in bus terms. */
	if (!dd->rpool && machine_to_bus(dd, bus, &bus) != 0) {
		bounce_free(r->pool, r->slot, r->nslots);
		report_unreachable(dd, 0, size, limit, stack, api);
		return -EIO;
	}
	if (bus + span - 1 > limit) {
		bounce_free(r->pool, r->slot, r->nslots);
		report_unreachable(dd, bus, size, limit, stack, api);
		return -EIO;
	}
	r->dma = bus;
	{
		uint64_t held = atomic_fetch_add(&dd->bounce_slots, r->nslots) + r->nslots;
		unsigned long long hw = atomic_load(&dd->bounce_high_water);

		while (held > hw &&
		       !atomic_compare_exchange_weak(&dd->bounce_high_water, &hw, held))
			;
	}
	return 0;
}

/* Undo route_map() for a map that failed later. */
static void route_undo(struct dmdev *dd, struct route *r)
{
	if (r->nslots) {
		bounce_free(r->pool, r->slot, r->nslots);
		atomic_fetch_sub(&dd->bounce_slots, r->nslots);
	}
}

static enum cache_mode mode_for(const struct dmdev *dd)
{
	return dd->coherent ? CACHE_COHERENT : CACHE_NONCOHERENT;
}

/* Add a transition's bounce traffic to @dd's statistics; most transitions have none. */
static void count_bounced(struct dmdev *dd, const struct cache_notes *n)
{
	if (n->bounced)
		atomic_fetch_add(&dd->bytes_bounced, n->bounced);
	if (n->bounced_in)
		atomic_fetch_add(&dd->bytes_bounced_in, n->bounced_in);
}

/*
 * Create, fill, set up the cache model of and index an object. Everything
 * is set before the index publishes it: a concurrent dmasan_device_del()
 * may end it at once (and give back its slots and memory).
 * @lines_to_device: streaming maps hand every line to the device at once.
 * @route: how a streaming map reaches the device (its swiotlb slots), or NULL.
 * @owner: the declared region an allocation came from, or NULL.
 */
static struct dmobj *make_obj(struct dmdev *dd, int type, uint64_t dma, uintptr_t cpu,
			      uint64_t size, int dir, unsigned long attrs, uint32_t stack,
			      int lines_to_device, const struct route *route, void *owner)
{
	struct dmobj *o = track_new(dd, (enum obj_type)type, dma, cpu, size, dir);
	void *bounce = route ? route->bounce : NULL;

	if (!o) {
		rt_disable("out of memory in the shim's private heap");
		return NULL;
	}
	o->attrs = attrs;
	o->owner = owner;
	if (route) {
		o->slot = route->slot;
		o->nslots = route->nslots;
		o->bpool = route->pool;
	}
	o->space = (uint8_t)dd->space;
	o->map_stack = stack;
	o->map_tid = plat_tid();
	o->seq = track_next_seq();
	atomic_init(&o->maperr, (type == OBJ_SINGLE || type == OBJ_PAGE || type == OBJ_RESOURCE) ?
					MAPERR_NOT_CHECKED :
					MAPERR_NA);
	if ((is_streaming(type) && type != OBJ_RESOURCE) || type == OBJ_NONCOHERENT) {
		struct cache_notes n;

		n.n = 0;
		n.bounced = 0;
		n.bounced_in = 0;
		cache_setup(o, bounce ? CACHE_BOUNCE : mode_for(dd), bounce, lines_to_device, &n);
		count_bounced(dd, &n);
	}
	track_record(o, is_streaming(type) ? EV_MAP : EV_ALLOC, dir, 0, size, 0, o->map_tid);
	if (track_insert(o) != 0) {
		track_discard(o);
		rt_disable("out of memory in the shim's private heap");
		return NULL;
	}
	return o;
}

/*
 * The calling thread's last streaming map, referenced, so that the
 * dma_mapping_error() a driver calls right after it finds the object
 * without a device and index lookup. Only touched at depth 0 of the shim
 * (nested calls take untracked paths), so no lock.
 */
static __thread struct dmobj *last_map;

static void remember_map(struct dmobj *o)
{
	struct dmobj *old = last_map;

	track_get(o);
	last_map = o;
	if (old)
		track_put(old);
}

uint64_t core_map(struct device *dev, void *ptr, size_t size, int dir, unsigned long attrs,
		  int type, const char *api)
{
	uintptr_t cpu = (uintptr_t)ptr;
	struct dmdev *dd;
	struct dmobj *o;
	struct route r;
	uint32_t stack;

	if (!rt_init())
		return ptr ? place_host(cpu, size) : CORE_MAPPING_ERROR;
	dd = core_dev(dev, api);
	if (!dd)
		return CORE_MAPPING_ERROR;
	stack = stack_capture(ctx_frames());
	if (!valid_dir(dir)) {
		report_bad_dir(dd, dir, api, stack);
		return CORE_MAPPING_ERROR;
	}
	if (check_map_memory(dd, cpu, size, dir, stack, api))
		return CORE_MAPPING_ERROR;
	if (route_map(dd, cpu, size, stack, api, &r))
		return CORE_MAPPING_ERROR;
	o = make_obj(dd, type, r.dma, cpu, size, dir, attrs, stack, 1, &r, NULL);
	if (!o) {
		/* Out of memory, tracking is now off: hand out the untracked address
		 * that untracked device accesses translate (no bounce, no checks). */
		route_undo(dd, &r);
		return place_host(cpu, size) ? place_host(cpu, size) : CORE_MAPPING_ERROR;
	}
	atomic_fetch_add(&dd->maps, 1);
	atomic_fetch_add(&dd->live_maps, 1);
	check_alignment(o);
	check_overlap(o);
	remember_map(o);
	return r.dma;
}

uint64_t core_map_resource(struct device *dev, uint64_t phys, size_t size, int dir,
			   unsigned long attrs)
{
	const char *api = "dma_map_resource";
	struct dmdev *dd;
	uint32_t stack;
	uint64_t limit;

	if (!rt_init())
		return phys;
	dd = core_dev(dev, api);
	if (!dd)
		return CORE_MAPPING_ERROR;
	stack = stack_capture(ctx_frames());
	if (!valid_dir(dir)) {
		report_bad_dir(dd, dir, api, stack);
		return CORE_MAPPING_ERROR;
	}
	if (size == 0) {
		struct finding f;

		fnd_init(&f, BUG_MAP_ZERO_LENGTH, dd, stack);
		fnd_message(&f, "%s maps zero bytes", api);
		report_emit(&f);
	}
	if (size > MAP_MAX) {
		struct finding f;

		fnd_init(&f, BUG_MAP_INVALID_MEMORY, dd, stack);
		fnd_message(&f, "%s maps more than 1 GiB at once; the map fails", api);
		fnd_fact(&f, "phys=0x%llx", (unsigned long long)phys);
		fnd_fact(&f, "len=%zu", size);
		report_emit(&f);
		return CORE_MAPPING_ERROR;
	}
	limit = limit_of(dd, dev_mask(dd));
	if (phys + (size ? size : 1) - 1 > limit || phys + size < phys) {
		report_unreachable(dd, phys, size, limit, stack, api);
		return CORE_MAPPING_ERROR;
	}
	if (make_obj(dd, OBJ_RESOURCE, phys, 0, size, dir, attrs, stack, 1, NULL, NULL)) {
		atomic_fetch_add(&dd->maps, 1);
		atomic_fetch_add(&dd->live_maps, 1);
	}
	return phys;
}

int core_mapping_error(struct device *dev, uint64_t addr)
{
	struct dmdev *dd;
	struct dmobj *o = last_map;
	unsigned char want = MAPERR_NOT_CHECKED;

	if (addr == CORE_MAPPING_ERROR)
		return -ENOMEM;
	/*
	 * The common case, the map this thread just made (last_map's reference
	 * holds it): when it was the only live object at its address, it is
	 * the first unchecked one there, if unchecked.
	 */
	if (o && o->dma == addr && o->dd->dev == dev && !o->dup_dma && atomic_load(&o->live) &&
	    atomic_compare_exchange_strong(&o->maperr, &want, MAPERR_CHECKED))
		return 0;
	rt_init();
	dd = dev ? dev_find(dev) : NULL;
	if (dd)
		track_check_map_error(dd, addr);
	return 0;
}

/* What a call tries to end: an unmap or a free, with its arguments. */
struct end_ref {
	uint64_t addr;
	uint64_t size;
	int type;
	int dir; /* -1: not part of the call (coherent free) */
	unsigned long attrs;
	uintptr_t cpu; /* for frees; 0 otherwise */
	int nents;     /* for sg; -1 otherwise */
	const char *api;
	uint32_t stack; /* the call's stack for findings; 0: captured when one is made */
	uint32_t end;	/* what the object keeps as "unmapped at" / "freed at" */
};

/* The site that ends an object: the caller's PC alone unless end_context_size asks for more. */
static uint32_t end_site(uintptr_t caller)
{
	long n = rt_options()->end_context_size;

	if (caller && n <= 1)
		return stack_depot_put(&caller, 1);
	return stack_capture((int)(n > 1 ? n : 1));
}

static const char *verb(const struct end_ref *r)
{
	return is_streaming(r->type) ? "unmapped" : "freed";
}

/*
 * Objects dmasan_device_del() ended while the driver still held them (they
 * were reported as leaks then). Their memory stays allocated, as a leak's
 * does on Linux, until the driver frees it late: each stays on its removed
 * device's list, referenced, so that the late unmap or free through the
 * same struct device is recognised, accepted quietly (Linux's dma-debug
 * keeps its entries across an unbind and says nothing more) and gives the
 * memory back.
 */
struct orphan {
	struct orphan *next;
	struct dmobj *o;
};

static atomic_long orphans_held; /* over all devices: a miss costs nothing while 0 */

/*
 * The orphan @r ends on @dd's struct device: the same bus address, and a
 * streaming map for an unmap, a pool page for a pool's teardown, an
 * allocation for a free. @return it, referenced and off its list, or NULL.
 */
static struct dmobj *orphan_take(const struct dmdev *dd, const struct end_ref *r)
{
	struct dmdev *d;

	if (!atomic_load_explicit(&orphans_held, memory_order_relaxed))
		return NULL;
	for (d = dev_first(); d; d = d->next_all) {
		struct orphan **pp, *hit = NULL;
		struct dmobj *o;

		if (!d->removed || d->dev != dd->dev)
			continue;
		spin_lock(&d->lock);
		for (pp = &d->orphans; *pp; pp = &(*pp)->next) {
			o = (*pp)->o;
			if (o->dma == r->addr && is_streaming(o->type) == is_streaming(r->type) &&
			    (o->type == OBJ_POOL_PAGE) == (r->type == OBJ_POOL_PAGE)) {
				hit = *pp;
				*pp = hit->next;
				break;
			}
		}
		spin_unlock(&d->lock);
		if (hit) {
			o = hit->o;
			heap_free(hit);
			atomic_fetch_sub(&orphans_held, 1);
			return o;
		}
	}
	return NULL;
}

/* A hint for a failed unmap or free on a struct device that was removed before. */
static const char *removed_note(const struct dmdev *dd)
{
	struct dmdev *d;

	for (d = dev_first(); d; d = d->next_all)
		if (d->removed && d != dd && d->dev == dd->dev)
			return "; its device was removed (dmasan_device_del) before, which reported what it still held as leaks and accepted one late unmap or free of each";
	return "";
}

/*
 * Check @r against the stored objects and end the matching one. Emits the
 * findings. @return the ended object (referenced, dead) or NULL.
 */
static struct dmobj *end_object(struct dmdev *dd, const struct end_ref *r)
{
	struct flist l;
	struct finding *f;
	struct dmobj *o, *orph;
	int lookup_type = r->type;

	l.n = 0;
	o = track_find_exact(dd, r->addr, r->size, lookup_type, r->dir);
	if ((!o || !atomic_load(&o->live)) && (orph = orphan_take(dd, r)) != NULL) {
		if (o)
			track_put(o);
		return orph; /* ended by dmasan_device_del(), a leak reported then */
	}
	if (!o && !rt_tracking())
		return NULL; /* made while tracking was off: nothing to check */
	if (!o) {
		f = flist_add(&l, BUG_UNMAP_NOT_MAPPED, dd, r->stack);
		fnd_message(f, "device driver tries to free DMA memory it has not allocated (%s)%s",
			    r->api, removed_note(dd));
		fact_addr(f, r->addr, r->size);
		f->dir = r->dir;
		f->cpu_addr = r->cpu;
		flist_emit(&l);
		return NULL;
	}
	if (o->type == OBJ_POOL_PAGE && r->type != OBJ_POOL_PAGE) {
		/* Freeing a dma_pool's page behind its back: report, keep it (the pool owns it). */
		f = flist_add(&l, BUG_UNMAP_TYPE_MISMATCH, dd, r->stack);
		fnd_message(
			f,
			"device driver frees memory of a dma_pool with %s; blocks must go back with dma_pool_free",
			r->api);
		fact_addr(f, r->addr, r->size);
		fnd_object(f, o, 0);
		track_put(o);
		flist_emit(&l);
		return NULL;
	}
	spin_lock(&o->lock);
	if (!atomic_load(&o->live)) {
		int coherent = !is_streaming(o->type);

		f = flist_add(&l, coherent ? BUG_COHERENT_DOUBLE_FREE : BUG_DOUBLE_UNMAP, dd,
			      r->stack);
		fnd_message(f,
			    coherent ?
				    "device driver frees DMA memory it has already freed (%s)" :
				    "device driver unmaps DMA memory it has already unmapped (%s)",
			    r->api);
		fact_addr(f, r->addr, r->size);
		f->dir = r->dir;
		fnd_object(f, o, 1);
		spin_unlock(&o->lock);
		track_put(o);
		flist_emit(&l);
		return NULL;
	}
	if (o->size != r->size) {
		f = flist_add(&l, BUG_UNMAP_SIZE_MISMATCH, dd, r->stack);
		fnd_message(f, "device driver frees DMA memory with different size (%s)", r->api);
		f->has_dma = 1;
		f->dma_addr = r->addr;
		f->size = r->size;
		fnd_fact(f, "device address=0x%016llx", (unsigned long long)r->addr);
		fnd_fact(f, "map size=%llu bytes", (unsigned long long)o->size);
		fnd_fact(f, "%s size=%llu bytes", is_streaming(r->type) ? "unmap" : "free",
			 (unsigned long long)r->size);
		fnd_object(f, o, 1);
	}
	if (type_class(o->type) != type_class(r->type)) {
		f = flist_add(&l, BUG_UNMAP_TYPE_MISMATCH, dd, r->stack);
		fnd_message(f, "device driver frees DMA memory with wrong function (%s)", r->api);
		fact_addr(f, r->addr, r->size);
		fnd_fact(f, "mapped as %s", obj_type_name(o->type));
		fnd_fact(f, "%s as %s", verb(r), obj_type_name(r->type));
		fnd_object(f, o, 1);
	}
	if (r->cpu && o->cpu != r->cpu && !is_streaming(o->type)) {
		f = flist_add(&l, BUG_FREE_CPU_ADDR_MISMATCH, dd, r->stack);
		fnd_message(f, "device driver frees DMA memory with different CPU address (%s)",
			    r->api);
		fact_addr(f, r->addr, r->size);
		fnd_fact(f, "cpu alloc address=0x%lx", (unsigned long)o->cpu);
		fnd_fact(f, "cpu free address=0x%lx", (unsigned long)r->cpu);
		f->cpu_addr = r->cpu;
		fnd_object(f, o, 1);
	}
	if (r->nents >= 0 && o->type == OBJ_SG && (uint32_t)r->nents != o->nents) {
		f = flist_add(&l, BUG_UNMAP_NENTS_MISMATCH, dd, r->stack);
		fnd_message(f, "device driver frees DMA sg list with different entry count (%s)",
			    r->api);
		fact_addr(f, r->addr, r->size);
		fnd_fact(f, "map count=%u", o->nents);
		fnd_fact(f, "unmap count=%d", r->nents);
		fnd_object(f, o, 1);
	}
	if (r->dir >= 0 && valid_dir(r->dir) && o->dir != r->dir &&
	    (is_streaming(o->type) || o->type == OBJ_NONCOHERENT)) {
		f = flist_add(&l, BUG_UNMAP_DIR_MISMATCH, dd, r->stack);
		fnd_message(f, "device driver frees DMA memory with different direction (%s)",
			    r->api);
		fact_addr(f, r->addr, r->size);
		fnd_fact(f, "mapped with %s", dir_name(o->dir));
		fnd_fact(f, "%s with %s", verb(r), dir_name(r->dir));
		f->dir = r->dir;
		fnd_object(f, o, 1);
	}
	if ((o->attrs ^ r->attrs) & UNMAP_VALID_ATTRS) {
		f = flist_add(&l, BUG_UNMAP_ATTRS_MISMATCH, dd, r->stack);
		fnd_message(f, "device driver frees DMA memory with different attributes (%s)",
			    r->api);
		fact_addr(f, r->addr, r->size);
		fnd_fact(f, "mapped with 0x%llx", (unsigned long long)o->attrs);
		fnd_fact(f, "%s with 0x%lx", verb(r), r->attrs);
		fnd_object(f, o, 1);
	}
	if (atomic_load_explicit(&o->maperr, memory_order_relaxed) == MAPERR_NOT_CHECKED) {
		f = flist_add(&l, BUG_MAP_ERROR_UNCHECKED, dd, o->map_stack);
		fnd_message(f, "device driver failed to check map error");
		fact_addr(f, o->dma, o->size);
		fnd_fact(f, "mapped as %s", obj_type_name(o->type));
		f->dir = o->dir;
		fnd_object(f, o, 1);
		f->related[0].label = "unmapped at";
		f->related[0].stack = r->end;
		f->related[0].tid = plat_tid();
	}
	atomic_store(&o->live, 0);
	o->end_stack = r->end;
	o->end_tid = plat_tid();
	track_record(o, is_streaming(o->type) ? EV_UNMAP : EV_FREE, r->dir, 0, r->size, 0,
		     o->end_tid);
	if (o->nlines && (o->type == OBJ_NONCOHERENT || is_streaming(o->type))) {
		/* The unmap gives everything back to the CPU in the mapping's direction. */
		struct cache_notes n;

		n.n = 0;
		n.bounced = 0;
		n.bounced_in = 0;
		cache_to_cpu(o, 0, o->size, o->dir, 1, &n);
		add_notes(&l, o, &n, o->dir, r->stack, r->api);
		count_bounced(o->dd, &n);
		bounce_release(o);
		cache_release(o);
	}
	if (o->type != OBJ_RESOURCE && !o->owner)
		iommu_unmap(o);
	unplace(o);
	spin_unlock(&o->lock);
	if (is_streaming(o->type)) {
		atomic_fetch_add(&o->dd->unmaps, 1);
		atomic_fetch_sub(&o->dd->live_maps, 1);
	} else if (o->type != OBJ_POOL_PAGE) {
		atomic_fetch_add(&o->dd->frees, 1);
		atomic_fetch_sub(&o->dd->live_coherent, 1);
	}
	track_retire(o);
	flist_emit(&l);
	return o;
}

static void report_invalid_handle(struct dmdev *dd, const struct end_ref *r)
{
	struct finding f;

	fnd_init(&f, BUG_UNMAP_INVALID_HANDLE, dd, r->stack);
	fnd_message(&f, "device driver tries to free an invalid DMA memory address (%s)", r->api);
	fact_addr(&f, r->addr, r->size);
	report_emit(&f);
}

void core_unmap(struct device *dev, uint64_t addr, size_t size, int dir, unsigned long attrs,
		int type, const char *api, uintptr_t caller)
{
	struct end_ref r = { addr, size, type, dir, attrs, 0, -1, api, 0, 0 };
	struct dmdev *dd;
	struct dmobj *o;

	/* Tracking may be off (out of memory): objects tracked before still work. */
	rt_init();
	dd = core_dev(dev, api);
	if (!dd)
		return;
	r.end = end_site(caller);
	if (addr == CORE_MAPPING_ERROR) {
		report_invalid_handle(dd, &r);
		return;
	}
	if (!valid_dir(dir)) {
		report_bad_dir(dd, dir, api, r.stack);
		r.dir = -1;
	}
	o = end_object(dd, &r);
	if (o)
		track_put(o);
}

int core_map_sg(struct device *dev, struct scatterlist *sg, int nents, int dir, unsigned long attrs,
		const char *api)
{
	struct dmobj *made[64], **objs = made;
	struct scatterlist *s;
	struct dmdev *dd;
	uint32_t stack;
	unsigned int max_seg;
	unsigned long boundary;
	int i, done = 0, ok = 1;

	if (!rt_init()) {
		for (i = 0, s = sg; s && i < nents; i++, s = sg_next(s)) {
			s->dma_address = place_host((uintptr_t)sg_virt(s), s->length);
			s->dma_length = s->length;
		}
		return nents > 0 ? nents : 0;
	}
	dd = core_dev(dev, api);
	if (!dd)
		return 0;
	stack = stack_capture(ctx_frames());
	if (!valid_dir(dir)) {
		report_bad_dir(dd, dir, api, stack);
		return 0;
	}
	if (!sg || nents <= 0) {
		struct finding f;

		fnd_init(&f, BUG_MAP_ZERO_LENGTH, dd, stack);
		fnd_message(&f, "%s maps an empty scatterlist", api);
		fnd_fact(&f, "nents=%d", nents);
		report_emit(&f);
		return 0;
	}
	if (nents > 64) {
		objs = heap_calloc((size_t)nents, sizeof(*objs));
		if (!objs) {
			rt_disable("out of memory in the shim's private heap");
			return 0;
		}
	}
	max_seg = dd->removed || !dd->dev->dma_parms ? 65536 : dd->dev->dma_parms->max_segment_size;
	boundary = dd->removed || !dd->dev->dma_parms ||
				   !dd->dev->dma_parms->segment_boundary_mask ?
			   ~0UL :
			   dd->dev->dma_parms->segment_boundary_mask;
	for (i = 0, s = sg; i < nents; i++, s = sg_next(s)) {
		uintptr_t cpu;
		uint64_t dma;
		struct finding f;
		struct route r;

		if (!s) {
			fnd_init(&f, BUG_MAP_INVALID_MEMORY, dd, stack);
			fnd_message(&f, "%s: the scatterlist ends before nents entries", api);
			fnd_fact(&f, "nents=%d", nents);
			fnd_fact(&f, "entries=%d", i);
			report_emit(&f);
			ok = 0;
			break;
		}
		cpu = (uintptr_t)sg_virt(s);
		if (check_map_memory(dd, cpu, s->length, dir, stack, api)) {
			ok = 0;
			break;
		}
		if (max_seg && s->length > max_seg) {
			fnd_init(&f, BUG_SG_SEGMENT_TOO_LONG, dd, stack);
			fnd_message(&f, "mapping sg segment longer than device claims to support");
			fnd_fact(&f, "len=%u", s->length);
			fnd_fact(&f, "max=%u", max_seg);
			fnd_fact(&f, "entry=%d", i);
			f.size = s->length;
			report_emit(&f);
		}
		if (route_map(dd, cpu, s->length, stack, api, &r)) {
			ok = 0;
			break;
		}
		dma = r.dma;
		if (s->length && ((dma ^ (dma + s->length - 1)) & ~(uint64_t)boundary)) {
			fnd_init(&f, BUG_SG_BOUNDARY_CROSSING, dd, stack);
			fnd_message(&f, "mapping sg segment across boundary");
			fnd_fact(&f, "start=0x%016llx", (unsigned long long)dma);
			fnd_fact(&f, "end=0x%016llx", (unsigned long long)(dma + s->length - 1));
			fnd_fact(&f, "boundary=0x%016lx", boundary);
			f.has_dma = 1;
			f.dma_addr = dma;
			f.size = s->length;
			report_emit(&f);
		}
		s->dma_address = dma;
		s->dma_length = s->length;
		objs[i] = make_obj(dd, OBJ_SG, dma, cpu, s->length, dir, attrs, stack, 1, &r, NULL);
		if (objs[i]) {
			track_get(objs[i]); /* a concurrent dmasan_device_del() may end it */
			spin_lock(&objs[i]->lock);
			objs[i]->nents = (uint32_t)nents;
			objs[i]->mapped_ents = (uint32_t)nents;
			spin_unlock(&objs[i]->lock);
		} else {
			route_undo(dd, &r);
			s->dma_address = place_host(cpu, s->length);
		}
		done = i + 1;
	}
	for (i = 0; i < done; i++) {
		if (!objs[i])
			continue;
		if (ok) {
			atomic_fetch_add(&dd->maps, 1);
			atomic_fetch_add(&dd->live_maps, 1);
			check_alignment(objs[i]);
			check_overlap(objs[i]);
		} else {
			spin_lock(&objs[i]->lock);
			if (!atomic_load(&objs[i]->live)) {
				/* Ended (and retired) meanwhile by dmasan_device_del(). */
				spin_unlock(&objs[i]->lock);
				track_put(objs[i]);
				continue;
			}
			atomic_store(&objs[i]->live, 0);
			bounce_release(objs[i]);
			cache_release(objs[i]);
			iommu_unmap(objs[i]);
			unplace(objs[i]);
			spin_unlock(&objs[i]->lock);
			track_retire(objs[i]);
		}
		track_put(objs[i]);
	}
	if (objs != made)
		heap_free(objs);
	return ok ? nents : 0;
}

void core_unmap_sg(struct device *dev, struct scatterlist *sg, int nents, int dir,
		   unsigned long attrs, const char *api, uintptr_t caller)
{
	struct end_ref r = { 0, 0, OBJ_SG, dir, attrs, 0, nents, api, 0, 0 };
	struct scatterlist *s;
	struct dmdev *dd;
	int i, mapped = nents;

	/* Tracking may be off (out of memory): objects tracked before still work. */
	rt_init();
	dd = core_dev(dev, api);
	if (!dd)
		return;
	r.end = end_site(caller);
	if (!valid_dir(dir)) {
		report_bad_dir(dd, dir, api, r.stack);
		r.dir = -1;
	}
	for (i = 0, s = sg; s && i < nents && i < mapped; i++, s = sg_next(s)) {
		struct dmobj *o;

		r.addr = s->dma_address;
		r.size = s->dma_length;
		if (r.addr == CORE_MAPPING_ERROR) {
			report_invalid_handle(dd, &r);
			continue;
		}
		o = end_object(dd, &r);
		if (!o)
			continue;
		if (i == 0 && o->mapped_ents && o->mapped_ents < (uint32_t)mapped)
			mapped = (int)o->mapped_ents;
		/* Report an nents mismatch once per call, on the first entry. */
		r.nents = -1;
		track_put(o);
	}
}

/* One sync of [addr, addr+size); @nelems >= 0 for sg syncs (checked on the first entry). */
static void sync_one(struct dmdev *dd, uint64_t addr, uint64_t size, int dir, int to_cpu,
		     int nelems, const char *api, uintptr_t caller)
{
	struct flist l;
	struct finding *f;
	struct dmobj *o;
	int dead = 0, ref;
	uint64_t end;

	l.n = 0;
	o = track_lock_containing(dd, addr, &dead, &ref);
	if (!o && !rt_tracking())
		return; /* made while tracking was off: nothing to check */
	if (!o || dead) {
		f = flist_add(&l, BUG_SYNC_NOT_MAPPED, dd, 0);
		fnd_message(f, "device driver tries to sync DMA memory it has not allocated (%s)",
			    api);
		fact_addr(f, addr, size);
		f->dir = dir;
		if (o) {
			fnd_object(f, o, 1);
			spin_unlock(&o->lock);
			if (ref)
				track_put(o);
		}
		flist_emit(&l);
		return;
	}
	/* Counted before the cache work: a locked add right after its copies would wait for them. */
	atomic_fetch_add(&dd->syncs, 1);
	end = o->dma + o->size;
	if (size > end - addr) {
		f = flist_add(&l, BUG_SYNC_OUT_OF_RANGE, dd, 0);
		fnd_message(f, "device driver syncs DMA memory outside allocated range (%s)", api);
		fact_addr(f, addr, size);
		fnd_fact(f, "allocation size=%llu bytes", (unsigned long long)o->size);
		fnd_fact(f, "sync offset+size=%llu", (unsigned long long)(addr - o->dma + size));
		f->dir = dir;
		fnd_object(f, o, 1);
		size = end - addr;
	}
	if (o->dir != DMA_BIDIRECTIONAL && dir != o->dir) {
		f = flist_add(&l, BUG_SYNC_DIR_MISMATCH, dd, 0);
		fnd_message(f, "device driver syncs DMA memory with different direction (%s)", api);
		fact_addr(f, addr, size);
		fnd_fact(f, "mapped with %s", dir_name(o->dir));
		fnd_fact(f, "synced with %s", dir_name(dir));
		f->dir = dir;
		fnd_object(f, o, 1);
	}
	if (nelems >= 0 && o->type == OBJ_SG && (uint32_t)nelems != o->nents) {
		f = flist_add(&l, BUG_SYNC_NENTS_MISMATCH, dd, 0);
		fnd_message(f, "device driver syncs DMA sg list with different entry count (%s)",
			    api);
		fact_addr(f, addr, size);
		fnd_fact(f, "map count=%u", o->nents);
		fnd_fact(f, "sync count=%d", nelems);
		fnd_object(f, o, 1);
	}
	if (o->nlines && (o->type == OBJ_NONCOHERENT || is_streaming(o->type))) {
		struct cache_notes n;

		n.n = 0;
		n.bounced = 0;
		n.bounced_in = 0;
		if (to_cpu)
			cache_to_cpu(o, addr - o->dma, size, dir, 0, &n);
		else
			cache_to_device(o, addr - o->dma, size, dir, &n);
		add_notes(&l, o, &n, dir, 0, api);
		count_bounced(dd, &n);
	}
	track_record(o, to_cpu ? EV_SYNC_CPU : EV_SYNC_DEV, dir, addr - o->dma, size, caller,
		     plat_tid());
	spin_unlock(&o->lock);
	if (ref)
		track_put(o);
	flist_emit(&l);
}

void core_sync(struct device *dev, uint64_t addr, size_t size, int dir, int to_cpu, const char *api,
	       uintptr_t caller)
{
	struct dmdev *dd;

	/* Tracking may be off (out of memory): objects tracked before still work. */
	rt_init();
	dd = core_dev(dev, api);
	if (!dd)
		return;
	if (!valid_dir(dir)) {
		report_bad_dir(dd, dir, api, 0);
		return;
	}
	sync_one(dd, addr, size, dir, to_cpu, -1, api, caller);
}

void core_sync_sg(struct device *dev, struct scatterlist *sg, int nelems, int dir, int to_cpu,
		  const char *api, uintptr_t caller)
{
	struct scatterlist *s;
	struct dmdev *dd;
	int i, limit = nelems;

	/* Tracking may be off (out of memory): objects tracked before still work. */
	rt_init();
	dd = core_dev(dev, api);
	if (!dd)
		return;
	if (!valid_dir(dir)) {
		report_bad_dir(dd, dir, api, 0);
		return;
	}
	for (i = 0, s = sg; s && i < limit; i++, s = sg_next(s)) {
		if (i == 0) {
			struct dmobj *o = track_find_containing(dd, s->dma_address, NULL);

			if (o) {
				if (o->type == OBJ_SG && o->mapped_ents &&
				    o->mapped_ents < (uint32_t)limit)
					limit = (int)o->mapped_ents;
				track_put(o);
			}
		}
		sync_one(dd, s->dma_address, s->dma_length, dir, to_cpu, i == 0 ? nelems : -1, api,
			 caller);
	}
}

/* ---- coherent and non-coherent allocations ---- */

void *core_alloc(struct device *dev, size_t size, uint64_t *handle, unsigned long attrs, int type,
		 int dir, const char *api)
{
	struct dmdev *dd;
	struct dmobj *o;
	struct decl_region *region;
	uint32_t stack;
	uint64_t dma = 0;
	void *cpu;

	if (size == 0 || size > (1ULL << 40))
		return NULL;
	if (!rt_init()) {
		cpu = arena_alloc(size);
		if (cpu && handle)
			*handle = place_host((uintptr_t)cpu, size);
		return cpu;
	}
	dd = core_dev(dev, api);
	if (!dd)
		return NULL;
	stack = stack_capture(ctx_frames());
	if (type == OBJ_NONCOHERENT && !valid_dir(dir)) {
		report_bad_dir(dd, dir, api, stack);
		return NULL;
	}
	spin_lock(&dd->lock);
	region = dd->decl;
	spin_unlock(&dd->lock);
	/* Linux's order: the device's own pool (no fallback), the global pool
	 * for non-coherent devices (no fallback), CMA, then zone memory. */
	if (!region && !dd->coherent && type != OBJ_NONCOHERENT && machine_global_pool())
		region = machine_global_pool();
	cpu = NULL;
	if (region && type != OBJ_NONCOHERENT) {
		cpu = region_alloc(region, size, &dma);
		if (!cpu)
			return NULL;
		if (region == machine_global_pool() && machine_to_bus(dd, dma, &dma) != 0) {
			region_free(region, cpu, size);
			return NULL;
		}
	} else {
		uint64_t limit = limit_of(dd, dev_coherent_mask(dd));
		struct decl_region *cma = dd->cma ? dd->cma : machine_global_cma();

		region = NULL;
		if (cma && type != OBJ_NONCOHERENT) {
			cpu = region_alloc(cma, size, &dma);
			if (cpu && cma == machine_global_cma() &&
			    machine_to_bus(dd, dma, &dma) != 0) {
				region_free(cma, cpu, size);
				cpu = NULL;
			}
			if (cpu && dma + size - 1 > limit) {
				region_free(cma, cpu, size);
				cpu = NULL;
			}
			if (cpu)
				region = cma;
		}
		if (!cpu) {
			cpu = arena_alloc(size);
			if (!cpu)
				return NULL;
			dma = place_host((uintptr_t)cpu, size);
			if (dma && machine_to_bus(dd, dma, &dma) != 0)
				dma = 0;
			if (dd->iommu && dma) {
				uint64_t pages = (size + APAGE - 1) / APAGE, align = 1;

				/* Coherent buffers are naturally aligned, in IOVA space too. */
				while (align < pages && align < 512)
					align <<= 1;
				dma = iommu_map(dd, (uintptr_t)cpu, size, limit, align);
			}
			if (!dma || dma + size - 1 > limit) {
				arena_free(cpu, size);
				return NULL;
			}
		}
	}
	o = make_obj(dd, type, dma, (uintptr_t)cpu, size,
		     type == OBJ_NONCOHERENT ? dir : DMA_BIDIRECTIONAL, attrs, stack, 0, NULL,
		     region);
	if (o) {
		if (type != OBJ_POOL_PAGE) {
			atomic_fetch_add(&dd->allocs, 1);
			atomic_fetch_add(&dd->live_coherent, 1);
		}
	}
	if (handle)
		*handle = dma;
	return cpu;
}

/* The memory of an ended allocation goes back where it came from; drops the caller's reference. */
static void give_back(struct dmobj *o)
{
	/* Release memory only for what really was an allocation. */
	if (o->type == OBJ_COHERENT || o->type == OBJ_NONCOHERENT || o->type == OBJ_POOL_PAGE) {
		if (o->owner)
			region_free(o->owner, (void *)o->cpu, o->size);
		else
			arena_free((void *)o->cpu, o->size);
	}
	track_put(o);
}

void core_free(struct device *dev, size_t size, void *cpu, uint64_t handle, unsigned long attrs,
	       int type, int dir, const char *api, uintptr_t caller)
{
	struct end_ref r = { handle, size, type, dir, attrs, (uintptr_t)cpu, -1, api, 0, 0 };
	struct dmdev *dd;
	struct dmobj *o;

	if (!cpu)
		return;
	rt_init();
	dd = core_dev(dev, api);
	if (!dd) {
		if (!rt_tracking())
			arena_free(cpu, size);
		return;
	}
	r.end = end_site(caller);
	if (type == OBJ_NONCOHERENT && !valid_dir(dir)) {
		report_bad_dir(dd, dir, api, r.stack);
		r.dir = -1;
	}
	if (handle == CORE_MAPPING_ERROR) {
		report_invalid_handle(dd, &r);
		return;
	}
	o = end_object(dd, &r);
	if (!o) {
		if (!rt_tracking() && arena_contains(cpu, size))
			arena_free(cpu, size);
		return;
	}
	give_back(o);
}

void core_free_removed_page(struct dmdev *dd, uint64_t dma)
{
	struct end_ref r = { dma, 0, OBJ_POOL_PAGE, -1, 0, 0, -1, "dma_pool_destroy", 0, 0 };
	struct dmobj *o = orphan_take(dd, &r);

	if (o)
		give_back(o);
}

int core_declare_coherent(struct device *dev, uint64_t dev_addr, size_t size)
{
	struct decl_region *r;
	struct dmdev *dd;
	int err = 0;

	rt_init();
	dd = core_dev(dev, "dma_declare_coherent_memory");
	if (!dd)
		return -EINVAL;
	if (size < APAGE || dev_addr + size < dev_addr || size > (1ULL << 32))
		return -EINVAL;
	spin_lock(&dd->lock);
	if (dd->decl)
		err = -EBUSY;
	spin_unlock(&dd->lock);
	if (err)
		return err;
	r = region_create(dev_addr, size);
	if (!r)
		return -ENOMEM;
	spin_lock(&dd->lock);
	if (dd->decl)
		err = -EBUSY;
	else
		dd->decl = r;
	spin_unlock(&dd->lock);
	if (err)
		region_destroy(r);
	return err;
}

static void release_leaks(struct dmdev *dd, const struct decl_region *r);

void core_release_coherent(struct device *dev)
{
	struct decl_region *r;
	struct dmdev *dd;

	rt_init();
	dd = core_dev(dev, "dma_release_coherent_memory");
	if (!dd)
		return;
	spin_lock(&dd->lock);
	r = dd->decl;
	dd->decl = NULL;
	spin_unlock(&dd->lock);
	if (!r)
		return;
	/*
	 * Linux unmaps the region at once, leaving what is still allocated
	 * from it dangling: those are leaks, reported with their allocation
	 * stacks. Here their memory stays valid until they are freed (quietly),
	 * and the region's memory goes back to the arena with the last of them.
	 */
	release_leaks(dd, r);
	region_release(r);
}

/* ---- masks ---- */

int core_supported(struct device *dev, uint64_t mask)
{
	/* Some simulated RAM must be reachable: the lowest bus address of RAM plus 2 MiB. */
	return mask >= machine_lowest_bus(dev ? dev_find(dev) : NULL) + (2ULL << 20) - 1;
}

int core_set_mask(struct device *dev, uint64_t mask, int coherent)
{
	const char *api = coherent ? "dma_set_coherent_mask" : "dma_set_mask";
	struct dmdev *dd;

	rt_init();
	dd = core_dev(dev, api);
	if (!dd)
		return -EIO;
	if (!coherent && !dev->dma_mask)
		return -EIO;
	if (!core_supported(dev, mask))
		return -EIO;
	if (dd->dma_bits && dd->dma_bits < 64 && mask > (1ULL << dd->dma_bits) - 1) {
		struct finding f;

		fnd_init(&f, BUG_MASK_VIOLATION, dd, 0);
		fnd_message(&f, "%s sets a mask wider than the hardware drives", api);
		fnd_fact(&f, "mask=0x%llx", (unsigned long long)mask);
		fnd_fact(&f, "hardware address bits=%u", dd->dma_bits);
		report_emit(&f);
	}
	if (coherent)
		dev->coherent_dma_mask = mask;
	else
		*dev->dma_mask = mask;
	return 0;
}

void core_tag_pool_page(struct device *dev, uint64_t dma, void *ppage)
{
	struct dmdev *dd = dev_find(dev);
	struct dmobj *o = dd ? track_find_exact(dd, dma, 0, OBJ_POOL_PAGE, -1) : NULL;

	if (!o)
		return;
	spin_lock(&o->lock);
	if (o->type == OBJ_POOL_PAGE)
		o->ppage = ppage;
	spin_unlock(&o->lock);
	track_put(o);
}

/* ---- the device side ---- */

/* 1 when @addr lies in a live object that was tracked before tracking stopped. */
static int tracked_before_disable(struct device *dev, uint64_t addr)
{
	struct dmdev *dd = dev_find(dev);
	struct dmobj *o;
	int dead = 0;

	if (!dd)
		return 0;
	o = track_find_containing(dd, addr, &dead);
	if (!o)
		return 0;
	track_put(o);
	return !dead;
}

/* Tracking is off (out of memory): do the DMA, unchecked, through the placement map. */
int core_dev_access_untracked(uint64_t addr, void *buf, size_t len, int is_write)
{
	uintptr_t host = place_to_host(addr);

	if (!host || place_to_host(addr + len - 1) != host + len - 1)
		return -EFAULT;
	if (is_write)
		memcpy((void *)host, buf, len);
	else
		memcpy(buf, (void *)host, len);
	return 0;
}

static int dev_access(struct device *dev, uint64_t addr, void *buf, size_t len, int is_write)
{
	const char *api = is_write ? "dmasan_dev_write" : "dmasan_dev_read";
	struct flist l;
	struct finding *f;
	struct dmdev *dd;
	struct dmobj *o;
	uint64_t limit, end;
	int dead = 0, err = 0, ref;

	l.n = 0;
	if (!buf)
		return -EFAULT;
	if (!len)
		return 0;
	if (!rt_init() && !tracked_before_disable(dev, addr))
		return core_dev_access_untracked(addr, buf, len, is_write);
	dd = core_dev(dev, api);
	if (!dd)
		return -EFAULT;
	limit = limit_of(dd, dev_mask(dd));
	if (addr + len - 1 < addr || addr + len - 1 > limit) {
		f = flist_add(&l, BUG_MASK_VIOLATION, dd, 0);
		fnd_message(f, "the device %s beyond its DMA mask", is_write ? "writes" : "reads");
		fact_addr(f, addr, len);
		fnd_fact(f, "dma mask=0x%llx", (unsigned long long)limit);
		flist_emit(&l);
		return -ERANGE;
	}
	o = track_lock_containing(dd, addr, &dead, &ref);
	if (!o && dd->iommu) {
		f = flist_add(&l, BUG_IOMMU_FAULT, dd, 0);
		fnd_message(f,
			    "IOMMU fault: the device %s an IOVA its IOMMU has no translation for",
			    is_write ? "writes" : "reads");
		fact_addr(f, addr, len);
		flist_emit(&l);
		return -EFAULT;
	}
	if (!o) {
		f = flist_add(&l, BUG_DEVICE_ACCESS_UNMAPPED, dd, 0);
		fnd_message(f, "the device %s a bus address that is not mapped for it",
			    is_write ? "writes" : "reads");
		fact_addr(f, addr, len);
		flist_emit(&l);
		return -EFAULT;
	}
	if (dead || !atomic_load(&o->live)) {
		int streaming = is_streaming(o->type);

		f = flist_add(&l, streaming ? BUG_USE_AFTER_UNMAP : BUG_USE_AFTER_FREE, dd, 0);
		fnd_message(f,
			    streaming ? "the device %s a buffer after it was unmapped" :
					"the device %s memory after it was freed",
			    is_write ? "writes" : "reads");
		fact_addr(f, addr, len);
		fnd_object(f, o, 1);
		err = -EFAULT;
		goto out;
	}
	end = o->dma + o->size;
	if (addr >= end || len > end - addr) {
		f = flist_add(&l, BUG_DEVICE_ACCESS_UNMAPPED, dd, 0);
		fnd_message(f, "the device %s past the end of a mapping",
			    is_write ? "writes" : "reads");
		fact_addr(f, addr, len);
		fnd_fact(f, "overrun=%llu bytes",
			 (unsigned long long)(addr >= end ? len : len - (end - addr)));
		fnd_object(f, o, 1);
		err = -EFAULT;
		goto out;
	}
	if (o->type == OBJ_POOL_PAGE && o->ppage) {
		struct pool_access pa;

		pool_check_access(o->ppage, addr - o->dma, len, &pa);
		if (pa.state == 0) {
			f = flist_add(&l, BUG_USE_AFTER_FREE, dd, 0);
			fnd_message(f, "the device %s a block of dma_pool %s after it was freed",
				    is_write ? "writes" : "reads", pa.pool);
			fact_addr(f, addr, len);
			fnd_fact(f, "block at offset %llu of its page",
				 (unsigned long long)pa.block_off);
			fnd_related(f, "freed at", pa.free_stack, pa.free_tid);
			fnd_related(f, "allocated at", pa.alloc_stack, pa.alloc_tid);
			err = -EFAULT;
			goto out;
		}
	}
	if ((is_streaming(o->type) || o->type == OBJ_NONCOHERENT) &&
	    ((is_write && o->dir == DMA_TO_DEVICE) || (!is_write && o->dir == DMA_FROM_DEVICE))) {
		f = flist_add(&l, BUG_DIR_VIOLATION, dd, 0);
		fnd_message(f, "the device %s a %s mapping", is_write ? "writes" : "reads",
			    dir_name(o->dir));
		fact_addr(f, addr, len);
		fnd_fact(f, "mapped with %s", dir_name(o->dir));
		fnd_object(f, o, 1);
		err = -EACCES;
		goto out;
	}
	/* Counted before the copy: a locked add right after it would wait for its stores. */
	atomic_fetch_add(is_write ? &dd->dev_writes : &dd->dev_reads, 1);
	if (o->nlines && (is_streaming(o->type) || o->type == OBJ_NONCOHERENT)) {
		struct cache_notes n;

		n.n = 0;
		n.bounced = 0;
		n.bounced_in = 0;
		if (is_write)
			cache_dev_write(o, addr - o->dma, buf, len, &n);
		else
			cache_dev_read(o, addr - o->dma, buf, len, &n);
		if (n.n)
			add_notes(&l, o, &n, -1, 0, api);
	} else if (o->cpu) {
		void *mem = (void *)(o->cpu + (uintptr_t)(addr - o->dma));

		if (is_write)
			memcpy(mem, buf, len);
		else
			memcpy(buf, mem, len);
	}
	track_record(o, is_write ? EV_DEV_WRITE : EV_DEV_READ, -1, addr - o->dma, len, 0,
		     plat_tid());
out:
	spin_unlock(&o->lock);
	if (ref)
		track_put(o);
	flist_emit(&l);
	return err;
}

int core_dev_access(struct device *dev, uint64_t addr, void *buf, size_t len, int is_write)
{
	int err = dev_access(dev, addr, buf, len, is_write);

	/* A refused read leaves zeros, never the caller's stale bytes. */
	if (err && !is_write && buf)
		memset(buf, 0, len);
	return err;
}

/* ---- leaks ---- */

struct leak_scan {
	struct dmdev *only;
	int at_exit;
	int count;
	const struct decl_region *region; /* its release: only what was allocated from it */
};

int pool_report_leaks(struct dmdev *only, int at_exit);

static int leak_one(struct dmobj *o, void *arg)
{
	struct leak_scan *s = arg;
	struct finding f;
	int streaming = is_streaming(o->type);

	if ((o->type == OBJ_POOL_PAGE && !s->region) || (s->only && o->dd != s->only) ||
	    (s->region && o->owner != s->region))
		return 0;
	if (s->at_exit && o->seq <= rt_fork_seq())
		return 0;
	spin_lock(&o->lock);
	if (o->leak_reported || !atomic_load(&o->live)) {
		spin_unlock(&o->lock);
		return 0;
	}
	o->leak_reported = 1;
	fnd_init(&f, streaming ? BUG_LEAK_MAPPING : BUG_LEAK_COHERENT, o->dd, o->map_stack);
	if (s->region)
		fnd_message(
			&f,
			"DMA %s from the device's declared coherent memory still live when dma_release_coherent_memory released it; Linux unmaps the region at once, leaving it dangling",
			o->type == OBJ_POOL_PAGE ? "pool page" : "allocation");
	else if (s->only)
		fnd_message(&f, "device driver has pending DMA %s while released from device",
			    streaming ? "mappings" : "allocations");
	else
		fnd_message(&f, "DMA %s still live at %s", streaming ? "mapping" : "allocation",
			    s->at_exit ? "exit" : "leak check");
	fact_addr(&f, o->dma, o->size);
	if (streaming)
		fnd_fact(&f, "mapped with %s", dir_name(o->dir));
	fnd_fact(&f, "mapped as %s", obj_type_name(o->type));
	f.cpu_addr = o->cpu;
	f.dir = o->dir;
	fnd_object(&f, o, 1);
	/* The leak's own stack is where it was made; drop the duplicate. */
	f.stack = o->map_stack;
	f.nrelated = 0;
	spin_unlock(&o->lock);
	report_emit(&f);
	s->count++;
	return 0;
}

static int scan_leaks(struct dmdev *only, int at_exit)
{
	struct leak_scan s = { only, at_exit, 0, NULL };

	track_for_each_live(leak_one, &s);
	return s.count + pool_report_leaks(only, at_exit);
}

static void release_leaks(struct dmdev *dd, const struct decl_region *r)
{
	struct leak_scan s = { dd, 0, 0, r };

	track_for_each_live(leak_one, &s);
}

struct removal {
	struct dmdev *dd;
	uint32_t stack;
};

/* Removal ends @o of the removed device (reported as a leak just now or before). */
static int end_removed(struct dmobj *o, void *arg)
{
	struct removal *rm = arg;
	struct orphan *orph;
	int streaming = is_streaming(o->type);

	if (o->dd != rm->dd)
		return 0;
	orph = heap_alloc(sizeof(*orph)); /* without it, a late free is unmap-not-mapped */
	spin_lock(&o->lock);
	if (!atomic_load(&o->live)) {
		spin_unlock(&o->lock);
		heap_free(orph);
		return 0;
	}
	atomic_store(&o->live, 0);
	o->end_stack = rm->stack;
	o->end_tid = plat_tid();
	track_record(o, streaming ? EV_UNMAP : EV_FREE, -1, 0, o->size, 0, o->end_tid);
	/* The device is gone: what it saw goes (slots, shadow); nothing is copied back. */
	bounce_release(o);
	cache_release(o);
	unplace(o);
	spin_unlock(&o->lock);
	if (streaming)
		atomic_fetch_sub(&o->dd->live_maps, 1);
	else if (o->type != OBJ_POOL_PAGE)
		atomic_fetch_sub(&o->dd->live_coherent, 1);
	if (orph) {
		track_get(o);
		orph->o = o;
		spin_lock(&rm->dd->lock);
		orph->next = rm->dd->orphans;
		rm->dd->orphans = orph;
		spin_unlock(&rm->dd->lock);
		atomic_fetch_add(&orphans_held, 1);
	}
	track_retire(o);
	return 0;
}

int core_device_del(struct device *dev)
{
	struct decl_region *decl, *cma;
	struct removal rm;
	struct dmdev *dd;
	int n;

	if (!rt_init() || !dev)
		return 0;
	dd = dev_find(dev);
	if (!dd)
		return 0;
	n = scan_leaks(dd, 0);
	dev_unregister(dev);
	/* A device registered again at @dev starts clean. */
	rm.dd = dd;
	rm.stack = stack_capture(ctx_frames());
	track_for_each_live(end_removed, &rm);
	/* Its own coherent pools go with it (their memory once the late frees are in). */
	spin_lock(&dd->lock);
	decl = dd->decl;
	dd->decl = NULL;
	cma = dd->cma;
	dd->cma = NULL;
	spin_unlock(&dd->lock);
	region_release(decl);
	region_release(cma);
	return n;
}

int core_check_leaks(void)
{
	if (!rt_init())
		return 0;
	return scan_leaks(NULL, 0);
}

int core_report_leaks(int at_exit)
{
	return scan_leaks(NULL, at_exit);
}
