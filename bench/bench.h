/* SPDX-License-Identifier: MIT */
/*
 * dmasan-bench internals shared by its files. The program runs in two
 * roles: the parent (main.c) re-executes itself once per scenario and
 * library, with and without LD_PRELOAD of libdmasan.so, collects each
 * child's "key value" lines from a pipe and prints the table, the SPEC section 13
 * verdicts and the JSON file; a child (child.c) runs one scenario through
 * the public DMA API only and prints its medians. timing.c holds the
 * clock, the calibrated median-of-repetitions loop and /proc readers.
 * Single-threaded except the threads scenario, whose workers share nothing.
 */
#ifndef DMASAN_BENCH_H
#define DMASAN_BENCH_H

#include <stddef.h>

/* How a child measures; the parent passes these on its command line. */
struct bench_cfg {
	int reps;	    /* repetitions per measurement; the median is kept */
	double min_rep_ns;  /* each repetition runs at least this long */
	int quick;	    /* tiny counts for the smoke test */
	int depth;	    /* extra call frames under every timed loop */
	unsigned long n_cg; /* pairs in the callgrind child */
};

/* A timed body: run the operation @n times on @ctx. */
typedef void (*bench_loop)(void *ctx, unsigned long n);

/* bench_now_ns - CLOCK_MONOTONIC in nanoseconds. */
double bench_now_ns(void);

/*
 * bench_at_depth - call @fn(@arg) @depth frames below the caller, so that
 * a stack capture inside the timed code walks a full-size stack.
 */
void bench_at_depth(int depth, void (*fn)(void *), void *arg);

/*
 * bench_next_n - the iteration count to try after @n iterations took @t ns
 * and a run must last @min_ns: 25% past the target, 2x to 100x more.
 */
unsigned long bench_next_n(unsigned long n, double t, double min_ns);

/*
 * bench_calibrate - the iteration count for which one run of @fn lasts at
 * least cfg->min_rep_ns (at least 1). The runs double as warm-up.
 */
unsigned long bench_calibrate(const struct bench_cfg *cfg, bench_loop fn, void *ctx);

/* bench_run_ns - nanoseconds one run of @fn over @n iterations takes. */
double bench_run_ns(const struct bench_cfg *cfg, bench_loop fn, void *ctx, unsigned long n);

/*
 * bench_median_op - calibrate, then the median over cfg->reps runs of the
 * time per iteration, in nanoseconds.
 */
double bench_median_op(const struct bench_cfg *cfg, bench_loop fn, void *ctx);

#define BENCH_GROUP_MAX 4

/*
 * bench_median_group - bench_median_op() for @n (at most BENCH_GROUP_MAX)
 * bodies at once, their repetitions interleaved, so that a slow phase of
 * the machine hits all of them alike and their ratios stay meaningful.
 * @out[j] gets the median time per iteration of @fns[j] on @ctxs[j].
 */
void bench_median_group(const struct bench_cfg *cfg, int n, const bench_loop *fns,
			void *const *ctxs, double *out);

/* bench_median - median of @n values (sorts @v in place); NAN for n == 0. */
double bench_median(double *v, int n);

/* bench_rss_bytes - resident set size from /proc/self/statm, or -1. */
long bench_rss_bytes(void);

/* bench_emit - print one "key value" result line for the parent. */
void bench_emit(const char *key, double value);

/*
 * bench_child - run scenario @name as a child.
 * @return 0, or 1 after printing why on stderr (scenario error).
 */
int bench_child(const char *name, const struct bench_cfg *cfg);

/* The function callgrind's --toggle-collect names; see child.c. */
void dmasan_bench_cg_pairs(void *ctx, unsigned long n);

#endif /* DMASAN_BENCH_H */
