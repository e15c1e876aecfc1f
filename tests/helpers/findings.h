/* SPDX-License-Identifier: MIT */
/*
 * The findings a unit suite's report callback received: findings_setup()
 * starts the shim with a JSON log in a fresh directory and installs
 * capture(); reset() before a step, count() a finding id after it. The
 * first MAXSEEN findings are kept.
 */
#ifndef DMASAN_TESTS_FINDINGS_H
#define DMASAN_TESTS_FINDINGS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dmasan/dmasan.h>
#include "core/report.h"
#include "core/runtime.h"

#define MAXSEEN 64

static struct {
	int n;
	char id[MAXSEEN][48];
	char device[MAXSEEN][32];
	struct dmasan_report r[MAXSEEN];
} seen;

static inline void capture(const struct dmasan_report *r, void *arg)
{
	(void)arg;
	if (seen.n >= MAXSEEN)
		return;
	snprintf(seen.id[seen.n], sizeof(seen.id[0]), "%s", r->id);
	snprintf(seen.device[seen.n], sizeof(seen.device[0]), "%s", r->device ? r->device : "");
	seen.r[seen.n] = *r;
	seen.n++;
}

static inline void reset(void)
{
	memset(&seen, 0, sizeof(seen));
}

static inline int count(const char *id)
{
	int i, c = 0;

	for (i = 0; i < seen.n; i++)
		c += !strcmp(seen.id[i], id);
	return c;
}

/*
 * findings_setup - DMASAN_OPTIONS with a JSON log under @logdir (a
 * mkdtemp() template, filled in) and @quarantine, then rt_init() and
 * capture() as the report callback. @return 0, or 1 on failure.
 */
static inline int findings_setup(char *logdir, unsigned int quarantine)
{
	char opts[256];

	if (!mkdtemp(logdir))
		return 1;
	snprintf(opts, sizeof(opts),
		 "log_path=%s/log:format=json:quarantine_size=%u:leak_check_at_exit=0", logdir,
		 quarantine);
	setenv("DMASAN_OPTIONS", opts, 1);
	if (!rt_init())
		return 1;
	report_set_callback(capture, NULL);
	return 0;
}

/* findings_cleanup - remove findings_setup()'s log directory. @return 0, or 1 on failure. */
static inline int findings_cleanup(const char *logdir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", logdir);
	return system(cmd) == 0 ? 0 : 1;
}

#endif /* DMASAN_TESTS_FINDINGS_H */
