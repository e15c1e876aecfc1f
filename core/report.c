/* SPDX-License-Identifier: MIT */
/*
 * The finding pipeline (core/report.h). Output goes to the log chosen by
 * log_path: stderr, stdout, or "<prefix>.<pid>" opened on first use (and
 * re-opened in a forked child, whose pid differs). Each record is
 * rendered into one buffer and written with one write(), so a crash
 * right after a report loses nothing.
 *
 * A finding made in a program signal handler (core/sigctx.h) is reported
 * with async-signal-safe means only: frames from the symbolizer's cache
 * or as module+offset from the maps snapshot, never libdw, dladdr, libc
 * malloc or stdio (the handler may have interrupted malloc or a dl lock).
 * Everything else it uses is the shim's own: the private heap and the
 * report mutex, which the interrupted code cannot hold, since a handler
 * that interrupts the shim itself has its calls deferred (core/reenter.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core/device.h"
#include "core/report.h"
#include "core/reenter.h"
#include "core/runtime.h"
#include "core/sigctx.h"
#include "core/stack.h"
#include "core/track.h"
#include "platform/platform.h"
#include "reports/render.h"
#include "reports/suppress.h"
#include "reports/symbolize.h"

#define RECORD_MAX (64 * 1024)

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static char record[RECORD_MAX];
static int log_fd = -1;
static int log_pid;

static atomic_ulong total_count, printed_count, suppressed_count;
static atomic_ulong kind_count[BUG_COUNT];

static void (*user_cb)(const struct dmasan_report *r, void *arg);
static void *user_arg;

static __thread int in_report;

/*
 * Warnings are reported once per (kind, call site = top three frames): a
 * driver that maps one unaligned buffer a million times gets one warning.
 * An open-addressed set of keys; when it is full, warnings print again.
 */
#define WARN_SEEN 4096
static atomic_ullong warn_seen[WARN_SEEN];
static atomic_ulong warn_repeats;

static int warning_seen_before(const struct finding *f)
{
	const uintptr_t *pcs;
	uint64_t key;
	unsigned int i, h;
	int n;

	if (bug_table[f->kind].severity != SEV_WARNING)
		return 0;
	n = stack_depot_get(f->stack, &pcs);
	if (n < 1)
		return 0;
	/* The call site: the top three frames (a helper called from two places is two sites). */
	key = (uint64_t)f->kind + 1;
	for (i = 0; i < 3 && i < (unsigned int)n; i++)
		key = (key ^ (uint64_t)pcs[i]) * 0x9e3779b97f4a7c15ULL;
	if (!key)
		key = 1;
	h = (unsigned int)(key >> 52);
	for (i = 0; i < WARN_SEEN; i++) {
		atomic_ullong *slot = &warn_seen[(h + i) % WARN_SEEN];
		unsigned long long cur = atomic_load(slot);

		if (cur == key)
			return 1;
		if (cur == 0 && atomic_compare_exchange_strong(slot, &cur, key))
			return 0;
		if (cur == key)
			return 1;
	}
	return 0;
}

static const char *const type_names[OBJ_TYPE_COUNT] = {
	[OBJ_SINGLE] = "single",       [OBJ_PAGE] = "page",
	[OBJ_SG] = "scatter-gather",   [OBJ_RESOURCE] = "resource",
	[OBJ_COHERENT] = "coherent",   [OBJ_NONCOHERENT] = "noncoherent",
	[OBJ_POOL_PAGE] = "pool page",
};

const char *obj_type_name(int type)
{
	return type >= 0 && type < OBJ_TYPE_COUNT ? type_names[type] : "unknown";
}

void fnd_init(struct finding *f, enum dmasan_bug kind, const struct dmdev *dd, uint32_t stack)
{
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->dev = dd ? dd->dev : NULL;
	if (dd)
		snprintf(f->device, sizeof(f->device), "%s", dd->name);
	f->dir = -1;
	f->obj_dir = -1;
	f->stack = stack ? stack : stack_capture((int)rt_options()->map_context_size);
	snprintf(f->message, sizeof(f->message), "%s", bug_table[kind].description);
}

void fnd_message(struct finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

void fnd_fact(struct finding *f, const char *fmt, ...)
{
	size_t len = strlen(f->facts);
	va_list ap;

	if (len + 4 >= sizeof(f->facts))
		return;
	if (len)
		f->facts[len++] = ' ';
	f->facts[len++] = '[';
	va_start(ap, fmt);
	vsnprintf(f->facts + len, sizeof(f->facts) - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(f->facts);
	if (len + 1 < sizeof(f->facts)) {
		f->facts[len] = ']';
		f->facts[len + 1] = '\0';
	}
}

void fnd_related(struct finding *f, const char *label, uint32_t stack, uint32_t tid)
{
	if (f->nrelated >= FINDING_MAX_RELATED)
		return;
	f->related[f->nrelated].label = label;
	f->related[f->nrelated].stack = stack;
	f->related[f->nrelated].tid = tid;
	f->nrelated++;
}

static const char *const event_names[] = {
	[EV_MAP] = "map",
	[EV_SYNC_CPU] = "sync_for_cpu",
	[EV_SYNC_DEV] = "sync_for_device",
	[EV_DEV_READ] = "dev_read",
	[EV_DEV_WRITE] = "dev_write",
	[EV_UNMAP] = "unmap",
	[EV_ALLOC] = "alloc",
	[EV_FREE] = "free",
};

static int is_streaming(int type)
{
	return type == OBJ_SINGLE || type == OBJ_PAGE || type == OBJ_SG || type == OBJ_RESOURCE;
}

void fnd_object(struct finding *f, struct dmobj *o, int locked)
{
	int i, live;

	if (!locked)
		spin_lock(&o->lock);
	live = atomic_load(&o->live);
	f->has_object = 1;
	f->obj_type = obj_type_name(o->type);
	f->obj_dma = o->dma;
	f->obj_cpu = o->cpu;
	f->obj_size = o->size;
	f->obj_dir = is_streaming(o->type) || o->type == OBJ_NONCOHERENT ? o->dir : -1;
	f->obj_live = live;
	fnd_related(f, is_streaming(o->type) ? "mapped at" : "allocated at", o->map_stack,
		    o->map_tid);
	if (!live)
		fnd_related(f, is_streaming(o->type) ? "unmapped at" : "freed at", o->end_stack,
			    o->end_tid);
	for (i = 0; i < o->hist_n && f->nhistory < FINDING_MAX_HISTORY; i++) {
		int slot = (o->hist_pos - o->hist_n + i + OBJ_HISTORY) % OBJ_HISTORY;
		const struct obj_event *e = &o->hist[slot];
		struct finding_event *fe = &f->history[f->nhistory++];

		int what = obj_event_what(e);
		uintptr_t pc = obj_event_pc(e);

		fe->seq = e->seq;
		fe->what = (size_t)what < sizeof(event_names) / sizeof(event_names[0]) &&
					   event_names[what] ?
				   event_names[what] :
				   "event";
		fe->dir = obj_event_dir(e);
		fe->offset = e->offset;
		fe->size = e->size;
		fe->tid = e->tid;
		fe->stack = pc ? stack_depot_put(&pc, 1) : 0;
	}
	if (!locked)
		spin_unlock(&o->lock);
}

static int log_open_locked(void)
{
	const struct dmasan_options *o = rt_options();
	int pid = plat_pid();

	if (log_fd >= 0 && log_pid == pid)
		return log_fd;
	if (log_fd > 2)
		close(log_fd);
	log_pid = pid;
	if (!strcmp(o->log_path, "stderr") || !o->log_path[0]) {
		log_fd = 2;
	} else if (!strcmp(o->log_path, "stdout")) {
		log_fd = 1;
	} else {
		log_fd = plat_open_log(o->log_path, pid);
		if (log_fd < 0) {
			rt_diag("cannot open log file %s.%d (%s); reporting to stderr", o->log_path,
				pid, strerror(-log_fd));
			log_fd = 2;
		}
	}
	return log_fd;
}

void report_write(const char *buf, size_t len)
{
	pthread_mutex_lock(&report_lock);
	plat_write_all(log_open_locked(), buf, len);
	pthread_mutex_unlock(&report_lock);
}

static int is_suppressed(const struct finding *f, int in_signal)
{
	struct supp_set *s = rt_suppressions();
	struct sym_frame frames[STACK_MAX_FRAMES];
	const uintptr_t *pcs;
	int n, i;

	if (!s || !s->n)
		return 0;
	n = stack_depot_get(f->stack, &pcs);
	for (i = 0; i < n; i++) {
		/* In a signal handler, patterns naming functions match cached frames only. */
		if (in_signal)
			sym_resolve_safe(pcs[i], 1, &frames[i]);
		else
			sym_resolve(pcs[i], 1, &frames[i]);
	}
	return supp_match(s, bug_table[f->kind].id, frames, n) >= 0;
}

static int passes_filter(const struct finding *f)
{
	const char *flt = rt_options()->driver_filter;

	return !flt[0] || !strncmp(f->device, flt, strlen(flt));
}

static void to_public(const struct finding *f, int suppressed, struct dmasan_report *r)
{
	memset(r, 0, sizeof(*r));
	r->version = DMASAN_REPORT_VERSION;
	r->id = bug_table[f->kind].id;
	r->severity = bug_table[f->kind].severity == SEV_WARNING ? DMASAN_SEV_WARNING :
								   DMASAN_SEV_ERROR;
	r->message = f->message;
	r->dev = f->dev;
	r->device = f->device[0] ? f->device : NULL;
	r->dma_addr = f->has_dma ? f->dma_addr : 0;
	r->cpu_addr = (const void *)f->cpu_addr;
	r->size = (size_t)f->size;
	r->direction = f->dir;
	r->mapped_direction = f->has_object ? f->obj_dir : -1;
	r->mapped_size = f->has_object ? (size_t)f->obj_size : 0;
	r->seq = (unsigned long)f->seq;
	r->suppressed = suppressed;
}

__attribute__((noinline, visibility("default"))) void
dmasan_on_report(const struct dmasan_report *r)
{
	/* A place for `break dmasan_on_report`; keep the call visible. */
	__asm__ volatile("" : : "r"(r) : "memory");
}

void report_emit(struct finding *f)
{
	const struct dmasan_options *o = rt_options();
	struct dmasan_report pub;
	int suppressed, print = 0, in_signal, saved_errno;
	void (*cb)(const struct dmasan_report *, void *);
	void *cb_arg;

	if (in_report)
		return;
	if (warning_seen_before(f)) {
		atomic_fetch_add(&warn_repeats, 1);
		return;
	}
	in_report = 1;
	saved_errno = errno; /* the program's, perhaps in the middle of a handler */
	in_signal = sigctx_in_handler(reenter_entry_sp());
	f->pid = plat_pid();
	f->tid = plat_tid();
	suppressed = is_suppressed(f, in_signal);
	if (suppressed) {
		atomic_fetch_add(&suppressed_count, 1);
	} else {
		f->seq = atomic_fetch_add(&total_count, 1) + 1;
		atomic_fetch_add(&kind_count[f->kind], 1);
		if (passes_filter(f) &&
		    (o->max_reports <= 0 ||
		     atomic_load(&printed_count) < (unsigned long)o->max_reports)) {
			atomic_fetch_add(&printed_count, 1);
			print = 1;
		}
	}
	if (print) {
		struct render_opts ro;
		size_t len;

		render_opts_from(o, &ro);
		ro.in_signal = in_signal;
		pthread_mutex_lock(&report_lock);
		if (!strcmp(o->format, "json"))
			len = render_json_finding(f, &ro, record, sizeof(record));
		else
			len = render_text_finding(f, &ro, record, sizeof(record));
		plat_write_all(log_open_locked(), record, len);
		pthread_mutex_unlock(&report_lock);
	}
	to_public(f, suppressed, &pub);
	pthread_mutex_lock(&report_lock);
	cb = user_cb;
	cb_arg = user_arg;
	pthread_mutex_unlock(&report_lock);
	if (cb)
		cb(&pub, cb_arg);
	dmasan_on_report(&pub);
	in_report = 0;
	errno = saved_errno;
	if (!suppressed && o->halt_on_error) {
		static const char halting[] =
			"dmasan: halting after the first error (halt_on_error=1)\n";

		if (!strcmp(o->format, "text"))
			report_write(halting, sizeof(halting) - 1);
		if (!in_signal) /* stdio's locks may be held by what the handler interrupted */
			fflush(NULL);
		if (o->abort_on_error)
			plat_abort();
		plat_exit(o->exitcode ? (int)o->exitcode : 1);
	}
}

unsigned long report_count(void)
{
	return atomic_load(&total_count);
}

uint64_t report_counts(uint64_t *counts, uint64_t *printed)
{
	int i;

	for (i = 0; i < BUG_COUNT; i++)
		counts[i] = atomic_load(&kind_count[i]);
	if (printed)
		*printed = atomic_load(&printed_count);
	return atomic_load(&suppressed_count);
}

void report_set_callback(void (*cb)(const struct dmasan_report *r, void *arg), void *arg)
{
	pthread_mutex_lock(&report_lock);
	user_cb = cb;
	user_arg = arg;
	pthread_mutex_unlock(&report_lock);
}

void report_after_fork(void)
{
	int i;

	pthread_mutex_init(&report_lock, NULL);
	atomic_store(&total_count, 0);
	atomic_store(&printed_count, 0);
	atomic_store(&suppressed_count, 0);
	for (i = 0; i < BUG_COUNT; i++)
		atomic_store(&kind_count[i], 0);
	in_report = 0;
}
