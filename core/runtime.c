/* SPDX-License-Identifier: MIT */
/*
 * Lazy initialisation, the disable switch, diagnostics and the end of
 * the process (core/runtime.h). Option sources, later winning: the
 * table's defaults, the program's weak dmasan_default_options(), then
 * DMASAN_OPTIONS. A malformed source is reported in one line and ignored
 * as a whole; the others still apply.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/bounce.h"
#include "core/arena.h"
#include "core/cache.h"
#include "core/pool.h"
#include "core/reenter.h"
#include "core/device.h"
#include "core/machine.h"
#include "core/heap.h"
#include "core/report.h"
#include "core/runtime.h"
#include "core/stack.h"
#include "core/track.h"
#include "platform/platform.h"
#include "reports/render.h"
#include "reports/symbolize.h"

/* The program may define this to give default options. */
__attribute__((weak)) const char *dmasan_default_options(void);

static struct dmasan_options opts;
static int opts_ready;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static atomic_int initialised;
static atomic_int tracking;
static atomic_int disabled_said;
static struct supp_set supps;
static uint64_t fork_seq;

const struct dmasan_options *rt_options(void)
{
	if (!opts_ready) {
		/* Only reached before rt_init() (e.g. unit tests): defaults. */
		options_set_defaults(&opts);
		opts_ready = 1;
	}
	return &opts;
}

void rt_diag(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "dmasan: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	plat_write_all(2, line, (size_t)n);
}

static void diag_line(void *arg, const char *line)
{
	(void)arg;
	/* Lines from the options module already start with "dmasan: ". */
	if (!strncmp(line, "dmasan: ", 8))
		rt_diag("%s", line + 8);
	else
		rt_diag("%s", line);
}

static void help_line(void *arg, const char *line)
{
	char buf[1024];
	int n;

	(void)arg;
	n = snprintf(buf, sizeof(buf), "%s\n", line);
	if (n > 0)
		plat_write_all(2, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void rt_disable(const char *why)
{
	atomic_store(&tracking, 0);
	if (!atomic_exchange(&disabled_said, 1))
		rt_diag("%s - tracking disabled; the program continues unchecked", why);
}

int rt_tracking(void)
{
	return atomic_load_explicit(&tracking, memory_order_relaxed);
}

struct supp_set *rt_suppressions(void)
{
	return &supps;
}

uint64_t rt_fork_seq(void)
{
	return fork_seq;
}

static void fork_prepare(void)
{
}

static void fork_parent(void)
{
}

static void fork_child(void)
{
	/* Every object made before the fork has a lower sequence number. */
	fork_seq = track_seq_horizon();
	track_seq_after_fork();
	/* The child has one thread: locks other threads held at the fork stay
	 * held forever unless reset here. */
	track_after_fork();
	bounce_after_fork(bounce_default());
	arena_after_fork();
	pool_after_fork();
	stack_after_fork();
	report_after_fork();
	dev_reset_after_fork();
}

static void load_options(void)
{
	struct dmasan_options o;
	const char *src;

	options_set_defaults(&o);
	if (dmasan_default_options) {
		src = dmasan_default_options();
		if (src)
			options_parse(&o, "dmasan_default_options()", src, diag_line, NULL);
	}
	src = plat_getenv("DMASAN_OPTIONS");
	if (src)
		options_parse(&o, "DMASAN_OPTIONS", src, diag_line, NULL);
	options_validate(&o, diag_line, NULL);
	opts = o;
	opts_ready = 1;
}

static void do_init(void)
{
	char err[512];
	int rc;

	load_options();
	if (opts.help) {
		rt_diag("options (set them in DMASAN_OPTIONS as name=value pairs separated by ':'):");
		options_print_help(&opts, help_line, NULL);
	}
	/* Default: host buffers above 4 GiB, so a 32-bit device must bounce. */
	place_set_policy(!strcmp(opts.placement, "high") ||
			 (!strcmp(opts.placement, "auto") && strcmp(opts.bounce, "off") != 0));
	machine_init(opts.dtb, opts.swiotlb_size);
	cache_set_eviction((unsigned int)opts.evict, (uint64_t)opts.seed);
	stack_set_fast(opts.fast_unwind);
	if (opts.suppressions[0]) {
		rc = supp_load(&supps, opts.suppressions, err, sizeof(err));
		if (rc)
			rt_diag("%s; continuing without suppressions", err);
	}
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	if (opts.fail_allocs_after >= 0)
		heap_fail_after(opts.fail_allocs_after);
	if (track_init((unsigned int)opts.cache_line, (unsigned int)opts.quarantine_size) != 0) {
		atomic_store(&initialised, 1);
		rt_disable("out of memory while setting up tracking");
		return;
	}
	if (opts.verbosity >= 1) {
		rt_diag("initialised in pid %d: platform \"%s\", cache line %ld bytes, placement %s, format %s, log_path %s",
			plat_pid(), machine_desc()->model, opts.cache_line, opts.placement,
			opts.format, opts.log_path);
		if (!opts.help) {
			rt_diag("effective options:");
			options_print_help(&opts, help_line, NULL);
		}
	}
	atomic_store(&tracking, 1);
	atomic_store(&initialised, 1);
}

int rt_init(void)
{
	if (!atomic_load_explicit(&initialised, memory_order_acquire))
		pthread_once(&init_once, do_init);
	return rt_tracking();
}

/* ---- end of process ---- */

int core_report_leaks(int at_exit);

static void print_summary(void)
{
	struct summary s;
	struct summary_device *devs = NULL;
	uint64_t printed;
	struct dmdev *d;
	char *buf;
	size_t len;
	int n = 0, i;

	memset(&s, 0, sizeof(s));
	for (d = dev_first(); d; d = d->next_all)
		n++;
	if (n) {
		devs = heap_calloc((size_t)n, sizeof(*devs));
		if (!devs)
			n = 0;
	}
	i = 0;
	for (d = dev_first(); d && i < n; d = d->next_all) {
		struct summary_device *sd = &devs[n - 1 - i++];

		snprintf(sd->name, sizeof(sd->name), "%s", d->name);
		sd->maps = atomic_load(&d->maps);
		sd->unmaps = atomic_load(&d->unmaps);
		sd->syncs = atomic_load(&d->syncs);
		sd->allocs = atomic_load(&d->allocs);
		sd->frees = atomic_load(&d->frees);
		sd->dev_reads = atomic_load(&d->dev_reads);
		sd->dev_writes = atomic_load(&d->dev_writes);
		sd->live_mappings = atomic_load(&d->live_maps);
		sd->live_coherent = atomic_load(&d->live_coherent);
		sd->live_pool_blocks = atomic_load(&d->live_pool_blocks);
		sd->bytes_bounced = atomic_load(&d->bytes_bounced);
		sd->bytes_bounced_in = atomic_load(&d->bytes_bounced_in);
		sd->swiotlb_high_water = atomic_load(&d->bounce_high_water);
	}
	s.pid = plat_pid();
	s.suppressed = report_counts(s.counts, &printed);
	s.printed = printed;
	for (i = 0; i < BUG_COUNT; i++)
		s.total += s.counts[i];
	s.ndevices = n;
	s.devices = devs;
	{
		struct bounce_stats bs;

		bounce_get_stats(bounce_default(), &bs);
		s.swiotlb_slots = bs.slots_total;
		s.swiotlb_used = bs.slots_used;
		s.swiotlb_high_water = bs.high_water;
		s.swiotlb_maps = bs.maps;
		s.swiotlb_failed = bs.failed;
		s.swiotlb_slot_size = BOUNCE_SLOT_SIZE;
	}
	buf = heap_alloc(64 * 1024);
	if (buf) {
		if (!strcmp(opts.format, "json"))
			len = render_json_summary(&s, buf, 64 * 1024);
		else
			len = render_text_summary(&s, buf, 64 * 1024);
		report_write(buf, len);
		heap_free(buf);
	}
	heap_free(devs);
}

void rt_fini(void)
{
	char buf[16384];
	size_t len;

	if (!atomic_load(&initialised))
		return;
	if (rt_tracking() && opts.leak_check_at_exit)
		core_report_leaks(1);
	if (reenter_dropped())
		rt_diag("%lu calls made from signal handlers inside the API were not checked (their queue was full)",
			reenter_dropped());
	if (opts.print_summary)
		print_summary();
	if (opts.print_suppressions && !strcmp(opts.format, "text")) {
		len = supp_format_used(&supps, buf, sizeof(buf));
		if (len)
			report_write(buf, len);
	}
	if (report_count() && opts.exitcode) {
		fflush(NULL);
		plat_exit((int)opts.exitcode);
	}
}
