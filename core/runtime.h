/* SPDX-License-Identifier: MIT */
/*
 * Process-wide runtime state: lazy initialisation on the first API call
 * (options, tracking tables, suppressions, fork handlers), the global
 * "tracking disabled" switch (out of memory in the shim), diagnostics,
 * and the end-of-process work (leaks, summary, exit status).
 * Nothing is written by a process that never calls the API.
 * Locking: initialisation runs once under pthread_once; afterwards the
 * options are read-only and the flags are atomics.
 */
#ifndef DMASAN_CORE_RUNTIME_H
#define DMASAN_CORE_RUNTIME_H

#include <stdint.h>
#include "core/options.h"
#include "reports/suppress.h"

/** rt_init - initialise once; cheap after the first call. @return 1 when tracking is on. */
int rt_init(void);

/** rt_options - the effective options (defaults before initialisation). */
const struct dmasan_options *rt_options(void);

/** rt_tracking - 1 while tracking is enabled (initialised, not disabled). */
int rt_tracking(void);

/** rt_disable - turn tracking off for good, saying @why once on stderr. */
void rt_disable(const char *why);

/** rt_diag - one "dmasan: ..." line on stderr (printf format, no newline). */
void rt_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** rt_suppressions - the loaded suppression rules (possibly empty). */
struct supp_set *rt_suppressions(void);

/** rt_fork_seq - event sequence at the last fork (0 in the original process). */
uint64_t rt_fork_seq(void);

/**
 * rt_fini - end of process: leak check, summary, "suppressions used",
 * then replace the exit status with exitcode when findings were
 * reported. Does nothing when the API was never used.
 */
void rt_fini(void);

#endif /* DMASAN_CORE_RUNTIME_H */
