/* SPDX-License-Identifier: MIT */
/* The harness API of <dmasan/dmasan.h> and the library's constructor/destructor. */
#include "core/device.h"
#include "core/report.h"
#include "core/runtime.h"
#include "platform/platform.h"
#include "core/reenter.h"
#include "shim/shim.h"

EXPORT int dmasan_device_add(struct device *dev, const char *name,
			     const struct dmasan_device_info *info)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return -EBUSY;
	}
	rt_init();
	return dev_register(dev, name, info);
}

EXPORT void dmasan_device_del(struct device *dev)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	core_device_del(dev);
}

EXPORT int dmasan_dev_read(struct device *dev, dma_addr_t addr, void *buf, size_t len)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return core_dev_access_untracked(addr, buf, len, 0);
	}
	return core_dev_access(dev, addr, buf, len, 0);
}

EXPORT int dmasan_dev_write(struct device *dev, dma_addr_t addr, const void *buf, size_t len)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return core_dev_access_untracked(addr, (void *)buf, len, 1);
	}
	return core_dev_access(dev, addr, (void *)buf, len, 1);
}

EXPORT unsigned long dmasan_error_count(void)
{
	return report_count();
}

EXPORT void dmasan_set_report_callback(void (*cb)(const struct dmasan_report *r, void *arg),
				       void *arg)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return;
	}
	report_set_callback(cb, arg);
}

EXPORT int dmasan_check_leaks(void)
{
	SHIM_ENTER();

	if (SHIM_NESTED()) {
		return 0;
	}
	return core_check_leaks();
}

EXPORT int dmasan_active(void)
{
	return 1;
}

static void quiet(void *arg, const char *line)
{
	(void)arg;
	(void)line;
}

/*
 * Nothing is written by a process that never calls the API, with one
 * exception: help=1 asks for the option list, so it is printed at load.
 */
__attribute__((constructor)) static void dmasan_load(void)
{
	struct dmasan_options o;
	const char *env = plat_getenv("DMASAN_OPTIONS");

	if (!env)
		return;
	options_set_defaults(&o);
	if (options_parse(&o, "DMASAN_OPTIONS", env, quiet, NULL) == 0 && o.help)
		rt_init();
}

/*
 * Runs after the program's own destructors and atexit handlers (a
 * preloaded library is finalised last), so what is still mapped now was
 * really leaked. Inside the API meanwhile: a signal handler that calls it
 * while the leak reports and the summary are written (holding the report
 * lock) has its calls deferred like any other.
 */
__attribute__((destructor)) static void dmasan_fini(void)
{
	SHIM_ENTER();

	rt_fini();
}
