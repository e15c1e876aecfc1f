/* SPDX-License-Identifier: MIT */
/*
 * Measurement helpers for dmasan-bench children. A measurement first
 * calibrates (doubling-and-scaling the iteration count until one run lasts
 * cfg->min_rep_ns; those runs are the warm-up), then repeats the run
 * cfg->reps times with that count and keeps the median time per iteration.
 * Every timed run happens cfg->depth frames below its caller, so that the
 * shim's 16-frame stack capture walks a full stack as it would in a real
 * driver test. No state; safe from any thread.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* One timed run, carried through bench_at_depth(). */
struct timed_run {
	bench_loop fn;
	void *ctx;
	unsigned long n;
	double ns;
};

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * The empty asm after the recursive call keeps it out of tail position, so
 * every level stays a real frame.
 */
__attribute__((noinline)) void bench_at_depth(int depth, void (*fn)(void *), void *arg)
{
	if (depth <= 0)
		fn(arg);
	else
		bench_at_depth(depth - 1, fn, arg);
	__asm__ volatile("" ::: "memory");
}

static void timed(void *arg)
{
	struct timed_run *r = arg;
	double t0 = bench_now_ns();

	r->fn(r->ctx, r->n);
	r->ns = bench_now_ns() - t0;
}

double bench_run_ns(const struct bench_cfg *cfg, bench_loop fn, void *ctx, unsigned long n)
{
	struct timed_run r = { .fn = fn, .ctx = ctx, .n = n, .ns = 0 };

	bench_at_depth(cfg->depth, timed, &r);
	return r.ns;
}

unsigned long bench_next_n(unsigned long n, double t, double min_ns)
{
	/* Aim 25% past the minimum; grow at least 2x, at most 100x. */
	double f = t > 0 ? min_ns * 1.25 / t : 100.0;

	if (f < 2.0)
		f = 2.0;
	if (f > 100.0)
		f = 100.0;
	return (unsigned long)((double)n * f);
}

unsigned long bench_calibrate(const struct bench_cfg *cfg, bench_loop fn, void *ctx)
{
	unsigned long n = 1;

	for (;;) {
		double t = bench_run_ns(cfg, fn, ctx, n);

		if (t >= cfg->min_rep_ns)
			return n;
		n = bench_next_n(n, t, cfg->min_rep_ns);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
	if (n <= 0)
		return NAN;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double bench_median_op(const struct bench_cfg *cfg, bench_loop fn, void *ctx)
{
	double t[64];
	unsigned long n = bench_calibrate(cfg, fn, ctx);
	int i, reps = cfg->reps < 64 ? cfg->reps : 64;

	for (i = 0; i < reps; i++)
		t[i] = bench_run_ns(cfg, fn, ctx, n) / (double)n;
	return bench_median(t, reps);
}

void bench_median_group(const struct bench_cfg *cfg, int n, const bench_loop *fns,
			void *const *ctxs, double *out)
{
	double t[BENCH_GROUP_MAX][64];
	unsigned long count[BENCH_GROUP_MAX];
	int i, j, reps = cfg->reps < 64 ? cfg->reps : 64;

	if (n > BENCH_GROUP_MAX)
		n = BENCH_GROUP_MAX;
	for (j = 0; j < n; j++)
		count[j] = bench_calibrate(cfg, fns[j], ctxs[j]);
	for (i = 0; i < reps; i++)
		for (j = 0; j < n; j++)
			t[j][i] = bench_run_ns(cfg, fns[j], ctxs[j], count[j]) / (double)count[j];
	for (j = 0; j < n; j++)
		out[j] = bench_median(t[j], reps);
}

long bench_rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, resident;
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%ld %ld", &size, &resident) == 2;
	fclose(f);
	return ok ? resident * sysconf(_SC_PAGESIZE) : -1;
}

void bench_emit(const char *key, double value)
{
	printf("%s %.17g\n", key, value);
	fflush(stdout);
}
