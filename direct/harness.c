/* SPDX-License-Identifier: MIT */
/*
 * The harness API of libdmasan_direct.so: device-side accesses are plain
 * copies at the identity address (or inside the device's declared
 * coherent region), and there are never findings, so the counters are
 * zero and the report callback is stored but never called. Locking: the
 * callback pair is written under cb_lock; nothing else has state.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <dmasan/dmasan.h>
#include <linux/errno.h>

#include "internal.h"

static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*report_cb)(const struct dmasan_report *r, void *arg);
static void *report_arg;

/**
 * dmasan_dev_read - the device reads @len bytes at bus address @addr.
 * @return 0; -EFAULT for a NULL device or buffer, or an access that runs
 * past the end of the device's declared coherent region (@buf is then
 * zeroed).
 */
int dmasan_dev_read(struct device *dev, dma_addr_t addr, void *buf, size_t len)
{
	void *src;

	if (!direct_dev_ready(dev) || !buf)
		return -EFAULT;
	if (len == 0)
		return 0;
	src = direct_dma_to_cpu(dev, addr, len);
	if (!src) {
		memset(buf, 0, len);
		return -EFAULT;
	}
	memcpy(buf, src, len);
	return 0;
}

/**
 * dmasan_dev_write - the device writes @len bytes at bus address @addr.
 * @return as dmasan_dev_read().
 */
int dmasan_dev_write(struct device *dev, dma_addr_t addr, const void *buf, size_t len)
{
	void *dst;

	if (!direct_dev_ready(dev) || !buf)
		return -EFAULT;
	if (len == 0)
		return 0;
	dst = direct_dma_to_cpu(dev, addr, len);
	if (!dst)
		return -EFAULT;
	memcpy(dst, buf, len);
	return 0;
}

/**
 * dmasan_error_count - findings so far.
 * @return 0: the direct library never reports.
 */
unsigned long dmasan_error_count(void)
{
	return 0;
}

/**
 * dmasan_set_report_callback - store @cb and @arg; the direct library has
 * no findings, so @cb is never called.
 */
void dmasan_set_report_callback(void (*cb)(const struct dmasan_report *r, void *arg), void *arg)
{
	pthread_mutex_lock(&cb_lock);
	report_cb = cb;
	report_arg = arg;
	pthread_mutex_unlock(&cb_lock);
}

/**
 * dmasan_check_leaks - report live objects.
 * @return 0: nothing is tracked.
 */
int dmasan_check_leaks(void)
{
	return 0;
}

/**
 * dmasan_active - whether the checking shim is in charge.
 * @return 0 for the direct library.
 */
int dmasan_active(void)
{
	return 0;
}

/**
 * dmasan_on_report - debugger hook called for every finding; never called
 * here, kept out of line so that `break dmasan_on_report` always resolves.
 */
__attribute__((noinline)) void dmasan_on_report(const struct dmasan_report *r)
{
	(void)r;
	__asm__ __volatile__("" ::: "memory");
}

/*
 * A weak reference from this library makes the linker export a program's
 * dmasan_default_options() in its dynamic symbol table, where the
 * preloaded shim looks for it. Nothing here calls it.
 */
__attribute__((weak)) const char *dmasan_default_options(void);
__attribute__((used)) static const char *(*const keep_default_options)(void) =
	dmasan_default_options;
