/* SPDX-License-Identifier: MIT */
/*
 * Device registry (see core/device.h): an open-addressed table of 65536
 * atomic slots keyed by struct device address, with tombstones so that
 * lock-free lookups stay correct while a device is removed. The table is
 * static (512 KiB of zero pages, touched only where devices hash), and
 * holds that many devices at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "core/device.h"
#include "core/heap.h"
#include "core/machine.h"
#include "core/runtime.h"

#define NSLOTS_LOG 16
#define NSLOTS (1u << NSLOTS_LOG)
#define TOMBSTONE ((struct dmdev *)1)
#define MASK32 0xffffffffULL

static _Atomic(struct dmdev *) slots[NSLOTS];
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(struct dmdev *) all_devices;
static atomic_uint dev_counter;
static atomic_uint space_counter;

static unsigned int slot_of(const struct device *dev)
{
	uint64_t h = (uint64_t)(uintptr_t)dev * 0x9e3779b97f4a7c15ULL;

	return (unsigned int)(h >> (64 - NSLOTS_LOG));
}

struct dmdev *dev_find(const struct device *dev)
{
	unsigned int i, s;

	if (!dev)
		return NULL;
	s = slot_of(dev);
	for (i = 0; i < NSLOTS; i++) {
		struct dmdev *d =
			atomic_load_explicit(&slots[(s + i) % NSLOTS], memory_order_acquire);

		if (!d)
			return NULL;
		if (d != TOMBSTONE && d->dev == dev)
			return d;
	}
	return NULL;
}

static int resolve(enum dmasan_tristate t, int dflt)
{
	return t == DMASAN_YES ? 1 : t == DMASAN_NO ? 0 : dflt;
}

static void describe(struct dmdev *d, struct device *dev, const char *name,
		     const struct dmasan_device_info *info)
{
	const struct dmasan_options *o = rt_options();

	if (name)
		dev->init_name = name;
	if (dev->init_name)
		snprintf(d->name, sizeof(d->name), "%s", dev->init_name);
	else if (!d->name[0])
		snprintf(d->name, sizeof(d->name), "device%u", atomic_fetch_add(&dev_counter, 1));
	d->coherent =
		resolve(info ? info->coherent : DMASAN_DEFAULT, dev->dma_coherent || o->coherent);
	d->iommu = resolve(info ? info->iommu : DMASAN_DEFAULT, o->iommu != 0);
	d->dma_bits = info ? info->dma_bits : 0;
	if (d->iommu && !d->space)
		d->space = atomic_fetch_add(&space_counter, 1) % 255 + 1;
	if (!d->iommu)
		d->space = 0;
	if (d->dma_bits > 64)
		d->dma_bits = 64;
	dev->dma_coherent = d->coherent;
}

/* Insert a new dmdev for @dev; caller holds reg_lock. */
static struct dmdev *insert_locked(struct device *dev)
{
	unsigned int i, s = slot_of(dev);
	struct dmdev *d;

	for (i = 0; i < NSLOTS; i++) {
		_Atomic(struct dmdev *) *slot = &slots[(s + i) % NSLOTS];
		struct dmdev *cur = atomic_load(slot);

		if (cur && cur != TOMBSTONE)
			continue;
		d = heap_calloc(1, sizeof(*d));
		if (!d)
			return NULL;
		d->dev = dev;
		d->next_all = atomic_load(&all_devices);
		atomic_store(&all_devices, d);
		atomic_store_explicit(slot, d, memory_order_release);
		return d;
	}
	return NULL;
}

static void default_masks(struct device *dev)
{
	if (!dev->dma_mask)
		dev->dma_mask = &dev->coherent_dma_mask;
	if (!dev->coherent_dma_mask)
		dev->coherent_dma_mask = MASK32;
}

struct dmdev *dev_lookup(struct device *dev)
{
	struct dmdev *d = dev_find(dev);

	if (d || !dev)
		return d;
	pthread_mutex_lock(&reg_lock);
	d = dev_find(dev);
	if (!d) {
		d = insert_locked(dev);
		if (d) {
			describe(d, dev, NULL, NULL);
			default_masks(dev);
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return d;
}

int dev_register(struct device *dev, const char *name, const struct dmasan_device_info *info)
{
	struct dmdev *d;
	int err = 0;

	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&reg_lock);
	d = dev_find(dev);
	if (d && d->explicit_add) {
		err = -EEXIST;
		goto out;
	}
	if (!d)
		d = insert_locked(dev);
	if (!d) {
		/* Out of memory: the device works untracked, as the direct library's would. */
		dev->dma_mask = &dev->coherent_dma_mask;
		dev->coherent_dma_mask = MASK32;
		rt_disable(
			"out of memory registering a device (or 65536 devices registered at once)");
		goto out;
	}
	d->explicit_add = 1;
	dev->dma_mask = &dev->coherent_dma_mask;
	dev->coherent_dma_mask = MASK32;
	describe(d, dev, name, info);
	if (info && info->of_node) {
		err = machine_bind(d, info->of_node, info->coherent != DMASAN_DEFAULT,
				   info->iommu != DMASAN_DEFAULT);
		if (err) {
			/* Unknown node: the device stays registered with defaults. */
			d->explicit_add = 0;
			goto out;
		}
		dev->dma_coherent = d->coherent;
		if (d->iommu && !d->space)
			d->space = atomic_fetch_add(&space_counter, 1) % 255 + 1;
	}
out:
	pthread_mutex_unlock(&reg_lock);
	return err;
}

struct dmdev *dev_unregister(struct device *dev)
{
	unsigned int i, s;
	struct dmdev *found = NULL;

	if (!dev)
		return NULL;
	pthread_mutex_lock(&reg_lock);
	s = slot_of(dev);
	for (i = 0; i < NSLOTS; i++) {
		_Atomic(struct dmdev *) *slot = &slots[(s + i) % NSLOTS];
		struct dmdev *d = atomic_load(slot);

		if (!d)
			break;
		if (d != TOMBSTONE && d->dev == dev) {
			d->removed = 1;
			atomic_store_explicit(slot, TOMBSTONE, memory_order_release);
			found = d;
			break;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return found;
}

struct dmdev *dev_first(void)
{
	return atomic_load(&all_devices);
}

uint64_t dev_mask(const struct dmdev *dd)
{
	const struct device *dev = dd->dev;

	if (!dd->removed && dev->dma_mask && *dev->dma_mask)
		return *dev->dma_mask;
	return MASK32;
}

uint64_t dev_coherent_mask(const struct dmdev *dd)
{
	if (!dd->removed && dd->dev->coherent_dma_mask)
		return dd->dev->coherent_dma_mask;
	return MASK32;
}

void dev_reset_after_fork(void)
{
	struct dmdev *d;

	for (d = atomic_load(&all_devices); d; d = d->next_all)
		atomic_store(&d->lock.v, 0);
	pthread_mutex_init(&reg_lock, NULL);
}
