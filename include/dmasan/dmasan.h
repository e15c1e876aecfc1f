/* SPDX-License-Identifier: MIT */
/*
 * <dmasan/dmasan.h>: the harness API. A driver test uses it to play the
 * bus (register and unbind devices) and the hardware (device-side DMA
 * reads and writes), and to observe findings. Both libraries export it:
 * in libdmasan_direct.so addresses are identities, device accesses are
 * plain copies and there are never findings; in libdmasan.so every call
 * is translated and checked.
 * Context: any thread.
 */
#ifndef DMASAN_DMASAN_H
#define DMASAN_DMASAN_H

#include <stddef.h>
#include <linux/device.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DMASAN_VERSION_MAJOR 0
#define DMASAN_VERSION_MINOR 1
#define DMASAN_VERSION_PATCH 0

/* ABI: append-only; never reorder or delete. */
enum dmasan_tristate {
	DMASAN_DEFAULT = 0, /**< take the platform's / options' default */
	DMASAN_NO = 1,
	DMASAN_YES = 2,
};

/** What the hardware is; zero-initialised means platform defaults. */
struct dmasan_device_info {
	enum dmasan_tristate coherent; /**< snoops CPU caches */
	enum dmasan_tristate iommu;    /**< sits behind an IOMMU */
	unsigned int dma_bits; /**< address bits the hardware drives; 0 = as its mask says */
	const char *of_node;   /**< devicetree node path in the loaded platform, or NULL */
};

/** Severity of a finding. ABI: append-only. */
enum dmasan_severity {
	DMASAN_SEV_ERROR = 0,
	DMASAN_SEV_WARNING = 1,
};

#define DMASAN_REPORT_VERSION 1

/**
 * The structured form of one finding, valid only during the callback.
 * Fields that do not apply are 0 / NULL; direction is -1 when none.
 */
struct dmasan_report {
	unsigned int version; /**< DMASAN_REPORT_VERSION */
	const char *id;	      /**< stable kebab-case id, e.g. "double-unmap" */
	enum dmasan_severity severity;
	const char *message;	  /**< one-line headline text */
	const struct device *dev; /**< the device, or NULL */
	const char *device;	  /**< the device's name, or NULL */
	dma_addr_t dma_addr;	  /**< bus address involved */
	const void *cpu_addr;	  /**< CPU address involved */
	size_t size;		  /**< size of the access or call */
	int direction;		  /**< direction of the call, or -1 */
	int mapped_direction;	  /**< direction of the mapping, or -1 */
	size_t mapped_size;	  /**< size of the mapping, 0 if none */
	unsigned long seq;	  /**< 1 for the first finding of the process */
	int suppressed;		  /**< 1 when a suppression matched (callback still runs) */
};

/**
 * dmasan_device_add - register @dev as a bus does at probe.
 * @dev: the device (must not be NULL)
 * @name: name used in reports; NULL keeps dev->init_name
 * @info: hardware properties, or NULL for platform defaults
 * Sets dev->dma_mask = &dev->coherent_dma_mask and 32-bit default masks.
 * @return 0, -EINVAL for a NULL @dev, -EEXIST if it was already added
 *         (the shim; the direct library does not check),
 *         -ENOENT if @info names an of_node the platform lacks.
 */
int dmasan_device_add(struct device *dev, const char *name, const struct dmasan_device_info *info);

/**
 * dmasan_device_del - unbind @dev: everything it still holds (mappings,
 * coherent buffers, pool blocks) is reported as a leak with the stack that
 * made it. The device may be registered again afterwards.
 */
void dmasan_device_del(struct device *dev);

/**
 * dmasan_dev_read - the device reads @len bytes at bus address @addr.
 * @return 0, or -EFAULT (nothing mapped there), -EACCES (direction not
 *         permitted) or -ERANGE (beyond the device's mask). A finding is
 *         reported for each error; @buf is filled with what the device saw
 *         where possible, zeros elsewhere.
 */
int dmasan_dev_read(struct device *dev, dma_addr_t addr, void *buf, size_t len);

/**
 * dmasan_dev_write - the device writes @len bytes at bus address @addr.
 * @return as dmasan_dev_read(); a refused write changes no memory.
 */
int dmasan_dev_write(struct device *dev, dma_addr_t addr, const void *buf, size_t len);

/** dmasan_error_count - findings reported so far in this process. */
unsigned long dmasan_error_count(void);

/**
 * dmasan_set_report_callback - call @cb once per finding (suppressed ones
 * included, marked) with its structured form. NULL removes it.
 * Context: @cb runs on the thread that caused the finding, with no dmasan
 * lock held; it may call the harness API but must not block for long.
 */
void dmasan_set_report_callback(void (*cb)(const struct dmasan_report *r, void *arg), void *arg);

/**
 * dmasan_check_leaks - report every mapping, coherent buffer and pool
 * block live now, as leaks. @return how many there were.
 */
int dmasan_check_leaks(void);

/** dmasan_active - 1 under the checking shim, 0 with the direct library. */
int dmasan_active(void);

/**
 * dmasan_on_report - called for every finding; does nothing. Exists so
 * that `break dmasan_on_report` stops a debugger at each finding.
 */
void dmasan_on_report(const struct dmasan_report *r);

#ifdef __cplusplus
}
#endif

#endif /* DMASAN_DMASAN_H */
