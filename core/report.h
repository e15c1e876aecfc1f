/* SPDX-License-Identifier: MIT */
/*
 * The finding pipeline: fill a struct finding (no tracking lock may be
 * held when it is emitted), then report_emit() applies the policy and
 * renders it: suppressions, driver_filter, max_reports, the sink (text or
 * JSON through one write() per record), the program's callback,
 * dmasan_on_report(), and halt_on_error. Counting: every non-suppressed
 * finding counts toward dmasan_error_count() and the exit status, even
 * when not printed.
 * Locking: one report mutex (rank 6) serialises rendering and output; the
 * callback runs after it is released; a per-thread guard drops findings
 * raised while a report is being made on the same thread. A finding made
 * in a program signal handler is reported async-signal-safely (report.c).
 */
#ifndef DMASAN_CORE_REPORT_H
#define DMASAN_CORE_REPORT_H

#include <stdarg.h>
#include <stdint.h>
#include <dmasan/dmasan.h>
#include "core/finding.h"

struct dmdev;
struct dmobj;

/**
 * fnd_init - start finding @kind on @dd (may be NULL) with the current
 * stack @stack (a depot id, or 0 to capture one now).
 */
void fnd_init(struct finding *f, enum dmasan_bug kind, const struct dmdev *dd, uint32_t stack);

/** fnd_message - set the sentence (printf format). */
void fnd_message(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** fnd_fact - append one bracketed fact "[...]" (printf format of its inside). */
void fnd_fact(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * fnd_object - describe @o (caller holds a reference; takes o->lock
 * briefly unless @locked): object fields, its map/alloc and end stacks as
 * related stacks, and its event history.
 */
void fnd_object(struct finding *f, struct dmobj *o, int locked);

/** fnd_related - add a named related stack. */
void fnd_related(struct finding *f, const char *label, uint32_t stack, uint32_t tid);

/** report_emit - apply the policy to @f and output it. */
void report_emit(struct finding *f);

/** report_count - findings counted so far (suppressed ones excluded). */
unsigned long report_count(void);

/** report_counts - per-kind counts into @counts[BUG_COUNT]; @return suppressed count. */
uint64_t report_counts(uint64_t *counts, uint64_t *printed);

/** report_write - write @len bytes of @buf to the log as one record. */
void report_write(const char *buf, size_t len);

/** report_set_callback - the program's per-finding callback. */
void report_set_callback(void (*cb)(const struct dmasan_report *r, void *arg), void *arg);

/** report_after_fork - reset counters and locks in a forked child. */
void report_after_fork(void);

/** obj_type_name - "single", "page", "scatter-gather", "coherent", ... */
const char *obj_type_name(int type);

#endif /* DMASAN_CORE_REPORT_H */
