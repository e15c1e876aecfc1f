/* SPDX-License-Identifier: MIT */
/*
 * dmasan-bench: measures libdmasan.so against libdmasan_direct.so and
 * checks the performance targets of SPEC section 13. The parent re-executes this
 * program once per scenario and library (child.c does the work; the shim
 * is LD_PRELOADed for the shim runs, found at <dir>/../lib/libdmasan.so or
 * given with --shim), runs the example nic_test both ways, optionally
 * counts instructions under callgrind, then prints a table of medians and
 * ratios, one PASS/MISS line per target and, with --json, the same as
 * JSON. A MISS never fails the run; a scenario that cannot run (a child
 * that exits non-zero, a missing program) makes the exit status 1.
 * Single-threaded; children run one at a time so they own both CPUs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define DEFAULT_REPS 5
#define DEFAULT_MIN_MS 50.0
#define QUICK_REPS 3
#define QUICK_MIN_MS 1.0
#define DEFAULT_DEPTH 16
#define DEFAULT_CG_PAIRS 20000ul
#define NIC_PACKETS 20000ul
#define NIC_PACKETS_QUICK 200ul
#define NIC_REPS 3
#define WARMUP_MS 1000.0
#define QUICK_WARMUP_MS 20.0
#define DEFAULT_RUNS 3 /* child processes per scenario and library */
#define MAX_RUNS 9
#define MAX_KV 32
#define OUT_MAX 65536
#define MAX_ROWS 32
#define MAX_TARGETS 16
#define SCALE_LIMIT 1.5
#define THREADS_LIMIT 1.7
#define CG_LIMIT 3000.0
#define MEMCPY_LIMIT 3.0
#define BOUNCE_LIMIT 50.0
#define META_BASE 128.0	  /* bytes per mapping ... */
#define META_PER_LINE 1.0 /* ... plus this per cache line: a 64-byte buffer is one line */
#define NIC_LIMIT 3.0
/* Above this % of CPU used by others, the header warns that numbers are skewed. */
#define OTHER_LIMIT 10.0
/* Options every child gets first: no per-device statistics at exit. */
#define BENCH_OPTIONS "print_summary=0"

extern char **environ;

/* Where the children write; bit flags of run(). */
#define OUT_PIPE 1 /* stdout into the buffer */
#define ERR_PIPE 2 /* stderr into the buffer */
#define OUT_NULL 4 /* stdout to /dev/null */
#define ERR_NULL 8 /* stderr to /dev/null */

enum mode { DIRECT, SHIM, NR_MODES };
static const char *const mode_name[NR_MODES] = { "direct", "shim" };

/* The "key value" lines one child printed. */
struct result {
	int ok; /* exited 0 and ran with the expected library */
	int n;
	char key[MAX_KV][32];
	double val[MAX_KV];
};

struct row {
	const char *id;
	char what[112];
	const char *unit;
	double v[NR_MODES]; /* NAN when not measured */
	char note[160];
};

enum verdict { V_PASS, V_MISS, V_NA };
static const char *const verdict_name[] = { "PASS", "MISS", "n/a" };

struct target {
	const char *id;
	const char *what;
	double value;
	const char *unit;
	const char *op; /* "<=" or ">=" */
	double limit;
	enum verdict verdict;
	char note[160];
};

static struct {
	struct bench_cfg cfg;
	const char *json;
	const char *only; /* --only: comma-separated group names, or NULL for all */
	char self[PATH_MAX];
	char shim[PATH_MAX];
	char nic[PATH_MAX];
	const char *user_opts; /* DMASAN_OPTIONS the bench was started with */
	int callgrind;
	int runs; /* child processes per scenario and library; medians over them */
	int errors;
	struct row rows[MAX_ROWS];
	int nrows;
	struct target targets[MAX_TARGETS];
	int ntargets;
	char error_list[8][160];
	int nerror_list;
	double other[2]; /* % CPU others used just before and during the scenarios */
} B;

__attribute__((format(printf, 1, 2))) static void scenario_error(const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "dmasan-bench: error: %s\n", msg);
	if (B.nerror_list < 8)
		snprintf(B.error_list[B.nerror_list++], sizeof(B.error_list[0]), "%s", msg);
	B.errors++;
}

/* ---- child processes ---- */

/*
 * The environment of a child: ours without LD_PRELOAD and DMASAN_OPTIONS,
 * plus LD_PRELOAD=@preload when given and DMASAN_OPTIONS = the bench's
 * defaults (BENCH_OPTIONS), then the user's options, then @extra; a later
 * setting of the same name wins. Freed by env_free().
 */
static char **env_make(const char *preload, const char *extra)
{
	size_t n = 0, i, j = 0;
	char **env, *s;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 &&
		    strncmp(environ[i], "DMASAN_OPTIONS=", 15) != 0)
			env[j++] = strdup(environ[i]);
	if (preload && asprintf(&s, "LD_PRELOAD=%s", preload) >= 0)
		env[j++] = s;
	if (asprintf(&s, "DMASAN_OPTIONS=%s%s%s%s%s", BENCH_OPTIONS, B.user_opts ? ":" : "",
		     B.user_opts ? B.user_opts : "", extra ? ":" : "", extra ? extra : "") >= 0)
		env[j++] = s;
	return env;
}

static void env_free(char **env)
{
	size_t i;

	for (i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/*
 * run - run @argv (searched in PATH when it has no slash) with @env; what
 * @flags says goes to @out (NUL-terminated, truncated at OUT_MAX).
 * @wall_ns, when not NULL, gets the time from fork to exit.
 * @return the exit status, 128 + signal, or -1 when it could not start.
 */
static int run(char *const argv[], char *const env[], int flags, char *out, double *wall_ns)
{
	int fds[2] = { -1, -1 }, status, devnull = -1;
	size_t len = 0;
	double t0;
	pid_t pid;

	if ((flags & (OUT_PIPE | ERR_PIPE)) && pipe(fds) != 0)
		return -1;
	if (flags & (OUT_NULL | ERR_NULL))
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	t0 = bench_now_ns();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (flags & OUT_PIPE)
			dup2(fds[1], 1);
		if (flags & ERR_PIPE)
			dup2(fds[1], 2);
		if ((flags & OUT_NULL) && devnull >= 0)
			dup2(devnull, 1);
		if ((flags & ERR_NULL) && devnull >= 0)
			dup2(devnull, 2);
		if (fds[0] >= 0) {
			close(fds[0]);
			close(fds[1]);
		}
		execvpe(argv[0], argv, env);
		fprintf(stderr, "dmasan-bench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (devnull >= 0)
		close(devnull);
	if (fds[0] >= 0) {
		close(fds[1]);
		for (;;) {
			char sink[4096];
			ssize_t r;

			if (len < OUT_MAX - 1)
				r = read(fds[0], out + len, OUT_MAX - 1 - len);
			else
				r = read(fds[0], sink, sizeof(sink));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (len < OUT_MAX - 1)
				len += (size_t)r;
		}
		close(fds[0]);
	}
	if (out)
		out[len] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (wall_ns)
		*wall_ns = bench_now_ns() - t0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static void parse_result(const char *out, struct result *r)
{
	const char *p = out;

	r->n = 0;
	while (*p && r->n < MAX_KV) {
		char key[32];
		double v;
		int used = 0;

		if (sscanf(p, "%31s %lf%n", key, &v, &used) == 2) {
			snprintf(r->key[r->n], sizeof(r->key[0]), "%s", key);
			r->val[r->n++] = v;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
}

static double get(const struct result *r, const char *key)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->key[i], key) == 0)
			return r->val[i];
	return NAN;
}

/* Re-run ourselves as scenario @name under @mode; @extra adds options. */
static void run_once(const char *name, enum mode mode, const char *extra, struct result *r)
{
	char reps[16], min_ns[32], depth[16], cg[32];
	char *argv[] = { B.self, "--child",    (char *)name, "--reps",
			 reps,	 "--min-ns",   min_ns,	     "--depth",
			 depth,	 "--cg-pairs", cg,	     B.cfg.quick ? "--quick" : NULL,
			 NULL };
	char **env = env_make(mode == SHIM ? B.shim : NULL, extra);
	static char out[OUT_MAX];
	int status;

	memset(r, 0, sizeof(*r));
	snprintf(reps, sizeof(reps), "%d", B.cfg.reps);
	snprintf(min_ns, sizeof(min_ns), "%.0f", B.cfg.min_rep_ns);
	snprintf(depth, sizeof(depth), "%d", B.cfg.depth);
	snprintf(cg, sizeof(cg), "%lu", B.cfg.n_cg);
	fprintf(stderr, "dmasan-bench: running %s (%s)\n", name, mode_name[mode]);
	status = env ? run(argv, env, OUT_PIPE, out, NULL) : -1;
	env_free(env);
	if (status != 0) {
		scenario_error("scenario %s (%s): child exited with status %d", name,
			       mode_name[mode], status);
		return;
	}
	parse_result(out, r);
	if (get(r, "active") != (mode == SHIM ? 1.0 : 0.0)) {
		scenario_error("scenario %s (%s): dmasan_active() is %g: LD_PRELOAD=%s did %s",
			       name, mode_name[mode], get(r, "active"), B.shim,
			       mode == SHIM ? "not take effect" : "leak into a direct run");
		return;
	}
	r->ok = 1;
}

/*
 * Run scenario @name B.runs times with each library, alternating direct
 * and shim so that a slow phase of the machine hits both, and keep for
 * every key the median over the runs. r[m].ok only when every run of
 * that library succeeded.
 */
static void run_scenario(const char *name, const char *extra, struct result r[NR_MODES])
{
	static struct result each[NR_MODES][MAX_RUNS];
	double v[MAX_RUNS];
	int m, i, k, ok[NR_MODES] = { 1, 1 };

	for (i = 0; i < B.runs; i++)
		for (m = 0; m < NR_MODES; m++) {
			run_once(name, m, extra, &each[m][i]);
			ok[m] &= each[m][i].ok;
		}
	for (m = 0; m < NR_MODES; m++) {
		memset(&r[m], 0, sizeof(r[m]));
		if (!ok[m])
			continue;
		r[m] = each[m][0];
		for (k = 0; k < r[m].n; k++) {
			for (i = 0; i < B.runs; i++)
				v[i] = get(&each[m][i], r[m].key[k]);
			r[m].val[k] = bench_median(v, B.runs);
		}
	}
}

/* ---- rows and targets ---- */

static struct row *row_add(const char *id, const char *unit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct row *row_add(const char *id, const char *unit, const char *fmt, ...)
{
	struct row *w = &B.rows[B.nrows < MAX_ROWS - 1 ? B.nrows++ : B.nrows];
	va_list ap;

	memset(w, 0, sizeof(*w));
	w->id = id;
	w->unit = unit;
	w->v[DIRECT] = w->v[SHIM] = NAN;
	va_start(ap, fmt);
	vsnprintf(w->what, sizeof(w->what), fmt, ap);
	va_end(ap);
	return w;
}

/* Fill @w from key @key of the two runs; a failed run leaves NAN. */
static void row_set(struct row *w, const struct result r[NR_MODES], const char *key)
{
	int m;

	for (m = 0; m < NR_MODES; m++)
		w->v[m] = r[m].ok ? get(&r[m], key) : NAN;
	if (!r[DIRECT].ok || !r[SHIM].ok)
		snprintf(w->note, sizeof(w->note), "ERROR: a run failed (see above)");
}

static struct target *target_add(const char *id, const char *what, const char *unit, const char *op,
				 double limit, double value)
{
	struct target *t = &B.targets[B.ntargets < MAX_TARGETS - 1 ? B.ntargets++ : B.ntargets];

	memset(t, 0, sizeof(*t));
	t->id = id;
	t->what = what;
	t->unit = unit;
	t->op = op;
	t->limit = limit;
	t->value = value;
	if (isnan(value))
		t->verdict = V_NA;
	else if (op[0] == '<')
		t->verdict = value <= limit ? V_PASS : V_MISS;
	else
		t->verdict = value >= limit ? V_PASS : V_MISS;
	return t;
}

/* ---- the scenarios, parent side ---- */

static void do_pair(void)
{
	struct result r[NR_MODES];

	run_scenario("pair", NULL, r);
	row_set(row_add("map_unmap", "ns/pair", "map+unmap 1500 B, coherent device, 64-bit mask"),
		r, "pair");
}

static void do_rx(void)
{
	struct result r[NR_MODES];
	struct row *w;

	run_scenario("rx", NULL, r);
	w = row_add("rx_cycle", "ns/cycle",
		    "RX: map 1536 B, dev_write 1500 B, sync_for_cpu, read, sync_for_device, unmap");
	row_set(w, r, "rx");
	if (r[SHIM].ok)
		snprintf(w->note, sizeof(w->note),
			 "non-coherent; shim = %.1fx memcpy 1500 B (%.1f ns)",
			 get(&r[SHIM], "rx") / get(&r[SHIM], "memcpy_1500"),
			 get(&r[SHIM], "memcpy_1500"));
}

static void do_sync(void)
{
	struct result r[NR_MODES];
	struct row *w;
	double mc;

	run_scenario("sync", NULL, r);
	row_set(row_add("memcpy_1500", "ns", "memcpy 1500 B (reference)"), r, "memcpy_1500");
	w = row_add(
		"sync_pair", "ns/pair",
		"sync_for_cpu + sync_for_device of 1500 B, 1536 B FROM_DEVICE map, non-coherent");
	row_set(w, r, "sync_pair");
	mc = r[SHIM].ok ? get(&r[SHIM], "memcpy_1500") : NAN;
	if (r[SHIM].ok)
		snprintf(w->note, sizeof(w->note), "shim = %.1fx memcpy 1500 B", w->v[SHIM] / mc);
	target_add("sync", "sync pair on 1500 B vs memcpy 1500 B", "x", "<=", MEMCPY_LIMIT,
		   w->v[SHIM] / mc);
	w = row_add("dev_write", "ns/op", "dmasan_dev_write 1500 B into a FROM_DEVICE mapping");
	row_set(w, r, "dev_write");
	if (r[SHIM].ok)
		snprintf(w->note, sizeof(w->note), "shim = %.1fx memcpy 1500 B", w->v[SHIM] / mc);
	target_add("dev_access", "dmasan_dev_write 1500 B vs memcpy 1500 B", "x",
		   "<=", MEMCPY_LIMIT, w->v[SHIM] / mc);
}

/*
 * Whether the shim says bounce= is "not yet effective" in its help=1 list:
 * 1 yes, 0 no, -1 unknown.
 */
static int bounce_not_effective(void)
{
	char *argv[] = { B.self, "--child", "probe", NULL };
	char **env = env_make(B.shim, "help=1:log_path=stderr");
	static char out[OUT_MAX];
	const char *line, *end, *eff;
	int status;

	status = env ? run(argv, env, OUT_PIPE | ERR_PIPE, out, NULL) : -1;
	env_free(env);
	if (status != 0)
		return -1;
	line = strstr(out, "\n  bounce=");
	if (!line)
		return -1;
	line++;
	end = strchr(line, '\n');
	eff = strstr(line, "not yet effective");
	return eff && (!end || eff < end) ? 1 : 0;
}

static void do_bounce(void)
{
	struct result r[NR_MODES];
	struct row *w;
	struct target *t;
	double extra, mc, pct;
	int not_eff = bounce_not_effective();

	run_scenario("bounce", "bounce=force", r);
	w = row_add("bounce_64k", "ns/cycle",
		    "map TO_DEVICE + dmasan_dev_read 64 KiB + unmap, coherent, bounce=force%s",
		    not_eff == 1 ? " [NOT YET EFFECTIVE]" : "");
	row_set(w, r, "bounce");
	mc = r[SHIM].ok ? get(&r[SHIM], "memcpy_64k") : NAN;
	/* The shim's extra time per cycle is what the bounce copy may cost. */
	extra = w->v[SHIM] - w->v[DIRECT];
	pct = extra > 0 ? 100.0 * mc / extra : INFINITY;
	if (r[SHIM].ok)
		snprintf(w->note, sizeof(w->note),
			 "shim extra %.0f ns/cycle = %.1f GB/s for 64 KiB = %.0f%% of memcpy%s",
			 extra, 65536.0 / extra, pct,
			 not_eff == 1 ? "; no copy happens yet, so this is tracking cost only" :
					"");
	w = row_add("memcpy_64k", "ns", "memcpy 64 KiB (reference)");
	row_set(w, r, "memcpy_64k");
	if (r[SHIM].ok)
		snprintf(w->note, sizeof(w->note), "%.1f GB/s", 65536.0 / mc);
	t = target_add("bounce", "bounce copy bandwidth vs memcpy, 64 KiB", "%", ">=", BOUNCE_LIMIT,
		       pct);
	if (not_eff != 0) {
		t->verdict = V_NA;
		snprintf(t->note, sizeof(t->note), "%s",
			 not_eff == 1 ? "bounce=force not yet effective: nothing is copied" :
					"could not tell whether bounce=force is effective");
	}
}

static void do_pool(void)
{
	struct result r[NR_MODES];

	run_scenario("pool", NULL, r);
	row_set(row_add("pool_64", "ns/pair", "dma_pool_alloc + dma_pool_free, 64 B blocks"), r,
		"pool");
	row_set(row_add("coherent_4k", "ns/pair", "dma_alloc_coherent + dma_free_coherent, 4 KiB"),
		r, "coherent");
}

static void do_scale(void)
{
	struct result r[NR_MODES];
	struct row *w;
	struct target *t;
	double few, many, meta;

	run_scenario("scale", NULL, r);
	few = r[SHIM].ok ? get(&r[SHIM], "live_few") : 1000;
	many = r[SHIM].ok ? get(&r[SHIM], "live_many") : 1000000;
	row_set(row_add("scale_few", "ns/pair",
			"map+unmap 64 B with %.0f live mappings, non-coherent, BIDIRECTIONAL", few),
		r, "pair_few");
	w = row_add("scale_many", "ns/pair", "map+unmap 64 B with %.0f live mappings", many);
	row_set(w, r, "pair_many");
	if (r[SHIM].ok)
		snprintf(w->note, sizeof(w->note), "shim %.2fx, direct %.2fx the cost at %.0f",
			 get(&r[SHIM], "pair_many") / get(&r[SHIM], "pair_few"),
			 get(&r[DIRECT], "pair_many") / get(&r[DIRECT], "pair_few"), few);
	t = target_add("scaling", "map+unmap cost, many vs 1,000 live mappings", "x",
		       "<=", SCALE_LIMIT, w->v[SHIM] / get(&r[SHIM], "pair_few"));
	snprintf(t->note, sizeof(t->note), "%.0f vs %.0f live", many, few);
	row_set(row_add("scale_fill", "ns/map", "map while filling %.0f to %.0f live (one pass)",
			few, many),
		r, "fill");
	row_set(row_add("scale_drain", "ns/unmap", "unmap of all %.0f live (one pass)", many), r,
		"drain");
	w = row_add("memory", "B/mapping", "RSS growth per live 64 B mapping (%.0f held)", many);
	row_set(w, r, "bytes_per_mapping");
	meta = w->v[SHIM] - w->v[DIRECT];
	if (r[SHIM].ok)
		snprintf(
			w->note, sizeof(w->note),
			"shim metadata = shim - direct = %.1f B; target %.0f B + %.0f B/line = %.0f B",
			meta, META_BASE, META_PER_LINE, META_BASE + META_PER_LINE);
	t = target_add("memory", "metadata per live 64 B mapping (1 cache line)", "B",
		       "<=", META_BASE + META_PER_LINE, meta);
	snprintf(t->note, sizeof(t->note), "RSS delta, shim minus direct, %.0f live", many);
}

static void do_threads(void)
{
	struct result r[NR_MODES];
	struct row *w;
	struct target *t;
	double q[NR_MODES];
	int m;

	run_scenario("threads", NULL, r);
	for (m = 0; m < NR_MODES; m++)
		q[m] = r[m].ok ? get(&r[m], "scaling") : NAN;
	row_set(row_add("threads_1", "Mops/s",
			"map 1536 B + sync_for_cpu 1500 B + unmap, non-coherent, 1 thread"),
		r, "mops_1");
	w = row_add("threads_2", "Mops/s", "the same, 2 threads, each its own device and buffer");
	row_set(w, r, "mops_2");
	if (r[SHIM].ok && r[DIRECT].ok)
		snprintf(w->note, sizeof(w->note), "2 threads / 1 thread: direct %.2fx, shim %.2fx",
			 q[DIRECT], q[SHIM]);
	t = target_add("threads", "throughput, 2 threads vs 1", "x", ">=", THREADS_LIMIT, q[SHIM]);
	snprintf(t->note, sizeof(t->note), "direct library: %.2fx on this machine", q[DIRECT]);
}

static void do_nic(void)
{
	unsigned long packets = B.cfg.quick ? NIC_PACKETS_QUICK : NIC_PACKETS;
	int reps = B.cfg.quick ? 1 : NIC_REPS, i, m, status;
	char count[32];
	char *argv[] = { B.nic, "--packets", count, NULL };
	double t[NR_MODES][NIC_REPS], med[NR_MODES] = { NAN, NAN };
	struct row *w;
	struct target *t9;

	snprintf(count, sizeof(count), "%lu", packets);
	w = row_add("nic_test", "ms", "examples nic_test --packets %lu, wall time, median of %d",
		    packets, reps);
	if (access(B.nic, X_OK) != 0) {
		scenario_error("nic_test not found at %s (use --nic PATH)", B.nic);
		snprintf(w->note, sizeof(w->note), "ERROR: nic_test not found");
	} else {
		char **env[NR_MODES] = { env_make(NULL, NULL), env_make(B.shim, NULL) };
		int ok[NR_MODES] = { 1, 1 };

		/* Alternate the libraries, so that a slow phase of the machine hits both. */
		fprintf(stderr, "dmasan-bench: running nic_test (direct and shim, %d times)\n",
			reps);
		for (i = 0; i < reps; i++) {
			for (m = 0; m < NR_MODES; m++) {
				if (!ok[m])
					continue;
				status = env[m] ? run(argv, env[m], OUT_NULL | ERR_NULL, NULL,
						      &t[m][i]) :
						  -1;
				if (status != 0) {
					scenario_error("nic_test (%s) exited with status %d",
						       mode_name[m], status);
					ok[m] = 0;
				}
				t[m][i] /= 1e6;
			}
		}
		for (m = 0; m < NR_MODES; m++) {
			env_free(env[m]);
			if (ok[m])
				med[m] = bench_median(t[m], reps);
		}
		w->v[DIRECT] = med[DIRECT];
		w->v[SHIM] = med[SHIM];
	}
	target_add("nic_test", "nic_test wall time, shim vs direct", "x", "<=", NIC_LIMIT,
		   med[SHIM] / med[DIRECT]);
	w = row_add("nic_valgrind", "-", "nic_test under dmasan --valgrind vs plain memcheck");
	snprintf(w->note, sizeof(w->note), "n/a (no --valgrind yet)");
	t9 = target_add("nic_valgrind", "dmasan --valgrind vs plain memcheck", "x", "<=", 1.5, NAN);
	snprintf(t9->note, sizeof(t9->note), "n/a (no --valgrind yet)");
}

/* Instructions callgrind counted inside dmasan_bench_cg_pairs(), or NAN. */
static double callgrind_ir(enum mode mode)
{
	char file[64], outarg[96], pairs[32], depth[16];
	char *argv[] = {
		"valgrind", "--tool=callgrind", outarg, "--toggle-collect=dmasan_bench_cg_pairs",
		B.self,	    "--child",		"cg",	"--cg-pairs",
		pairs,	    "--depth",		depth,	NULL
	};
	char **env = env_make(mode == SHIM ? B.shim : NULL, NULL);
	static char out[OUT_MAX];
	char line[256];
	double ir = NAN;
	FILE *f;
	int status;

	snprintf(file, sizeof(file), "/tmp/dmasan-bench-cg.%d.%s", (int)getpid(), mode_name[mode]);
	snprintf(outarg, sizeof(outarg), "--callgrind-out-file=%s", file);
	snprintf(pairs, sizeof(pairs), "%lu", B.cfg.n_cg);
	snprintf(depth, sizeof(depth), "%d", B.cfg.depth);
	fprintf(stderr, "dmasan-bench: running callgrind (%s, %lu pairs)\n", mode_name[mode],
		B.cfg.n_cg);
	status = env ? run(argv, env, OUT_PIPE | ERR_NULL, out, NULL) : -1;
	env_free(env);
	if (status != 0) {
		scenario_error("callgrind (%s): valgrind exited with status %d", mode_name[mode],
			       status);
		unlink(file);
		return NAN;
	}
	f = fopen(file, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "summary:", 8) == 0)
			ir = strtod(line + 8, NULL);
	if (f)
		fclose(f);
	unlink(file);
	if (isnan(ir))
		scenario_error("callgrind (%s): no summary line in %s", mode_name[mode], file);
	return ir / (double)B.cfg.n_cg;
}

static void do_callgrind(void)
{
	struct row *w = row_add("callgrind", "Ir/pair",
				"instructions per map+unmap 1500 B pair, coherent (callgrind)");
	struct target *t;

	if (B.callgrind) {
		w->v[DIRECT] = callgrind_ir(DIRECT);
		w->v[SHIM] = callgrind_ir(SHIM);
		snprintf(w->note, sizeof(w->note),
			 "shim extra %.0f instructions per pair (%lu pairs)",
			 w->v[SHIM] - w->v[DIRECT], B.cfg.n_cg);
	} else {
		snprintf(w->note, sizeof(w->note), "n/a (run with --callgrind)");
	}
	t = target_add("callgrind", "extra instructions per map+unmap pair, 16-frame stack", "Ir",
		       "<=", CG_LIMIT, w->v[SHIM] - w->v[DIRECT]);
	if (!B.callgrind)
		snprintf(t->note, sizeof(t->note), "n/a (run with --callgrind)");
}

/*
 * Keep a CPU busy for @ms: a virtual CPU that was idle for a while runs
 * the first scenario up to 2x slower (seen on this VM), so the first
 * measurement would not be comparable with the later ones.
 */
static void warm_up(double ms)
{
	double end = bench_now_ns() + ms * 1e6;
	volatile unsigned long spin = 0;

	while (bench_now_ns() < end)
		spin++;
}

/* The scenario groups in the order they run; --only picks some by name. */
static const struct {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "pair", do_pair },	   { "rx", do_rx },	{ "sync", do_sync },
	{ "bounce", do_bounce },   { "pool", do_pool }, { "scale", do_scale },
	{ "threads", do_threads }, { "nic", do_nic },	{ "callgrind", do_callgrind },
};

/* Whether group @name is in the comma-separated --only list (all without one). */
static int selected(const char *name)
{
	const char *p = B.only;
	size_t n = strlen(name);

	if (!p)
		return 1;
	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* ---- output ---- */

static void fmt_num(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (isinf(v))
		snprintf(buf, n, "inf");
	else if (fabs(v) >= 1000)
		snprintf(buf, n, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.2f", v);
}

/* CPU time, in seconds, of the whole machine (busy, from /proc/stat) and of us and our children. */
struct cpu_sample {
	double t;    /* wall clock, seconds */
	double busy; /* all CPUs, seconds not idle (steal included) */
	double ours; /* this process and its waited-for children */
};

static void cpu_sample(struct cpu_sample *c)
{
	unsigned long long v[8] = { 0 };
	double tick = (double)sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");
	struct rusage self, kids;

	c->t = bench_now_ns() / 1e9;
	c->busy = NAN;
	if (f) {
		/* cpu user nice system idle iowait irq softirq steal */
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5], &v[6], &v[7]) == 8)
			c->busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick;
		fclose(f);
	}
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	c->ours = (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
			   kids.ru_stime.tv_sec) +
		  (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
			   kids.ru_stime.tv_usec) /
			  1e6;
}

/*
 * Percent of the machine's CPU time that other processes (or the
 * hypervisor, as steal) took between @a and @b, or NAN.
 */
static double other_load(const struct cpu_sample *a, const struct cpu_sample *b, long ncpu)
{
	double span = (b->t - a->t) * (double)(ncpu > 0 ? ncpu : 1);
	double other = (b->busy - a->busy) - (b->ours - a->ours);

	if (isnan(other) || span <= 0)
		return NAN;
	other = 100.0 * other / span; /* whole ticks: a short window can over- or undershoot */
	return other < 0 ? 0 : other > 100 ? 100 : other;
}

static void machine(char *cpu, size_t n, char *kernel, size_t kn, long *ncpu)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	struct utsname u;

	snprintf(cpu, n, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && c) {
			c += strspn(c + 1, " \t") + 1;
			c[strcspn(c, "\n")] = '\0';
			snprintf(cpu, n, "%s", c);
			break;
		}
	}
	if (f)
		fclose(f);
	snprintf(kernel, kn, "%s", uname(&u) == 0 ? u.release : "unknown");
	*ncpu = sysconf(_SC_NPROCESSORS_ONLN);
}

static void print_table(const char *cpu, const char *kernel, long ncpu)
{
	char d[32], s[32], q[32];
	int i;

	printf("\ndmasan-bench: %ld CPUs (%s), kernel %s; medians over %d run%s of the median of %d "
	       "repetitions of >= %.0f ms%s\n",
	       ncpu, cpu, kernel, B.runs, B.runs == 1 ? "" : "s", B.cfg.reps,
	       B.cfg.min_rep_ns / 1e6,
	       B.cfg.quick ? " (--quick: tiny counts, numbers are not meaningful)" : "");
	printf("shim: %s\n", B.shim);
	printf("other processes used %.0f%% of the CPUs just before the run and %.0f%% during it%s\n\n",
	       B.other[0], B.other[1],
	       B.other[0] > OTHER_LIMIT || B.other[1] > OTHER_LIMIT ?
		       ": the machine was not quiet, numbers are skewed" :
		       "");
	printf("%-13s %-9s %11s %11s %11s  %s\n", "id", "unit", "direct", "shim", "shim/direct",
	       "scenario");
	for (i = 0; i < B.nrows; i++) {
		const struct row *w = &B.rows[i];

		fmt_num(d, sizeof(d), w->v[DIRECT]);
		fmt_num(s, sizeof(s), w->v[SHIM]);
		fmt_num(q, sizeof(q), w->v[SHIM] / w->v[DIRECT]);
		if (strcmp(w->id, "memory") == 0) /* a ratio of two deltas means nothing */
			snprintf(q, sizeof(q), "-");
		else if (strcmp(q, "-") != 0)
			strcat(q, "x");
		printf("%-13s %-9s %11s %11s %11s  %s\n", w->id, w->unit, d, s, q, w->what);
		if (w->note[0])
			printf("%-13s %-9s %35s  %s\n", "", "", "", w->note);
	}
	printf("\nSPEC section 13 targets (shim):\n");
	for (i = 0; i < B.ntargets; i++) {
		const struct target *t = &B.targets[i];
		char lim[32];

		fmt_num(s, sizeof(s), t->value);
		fmt_num(lim, sizeof(lim), t->limit);
		printf("  %-4s  %-13s %9s %-3s (%s %s %s)  %s%s%s\n", verdict_name[t->verdict],
		       t->id, s, t->unit, "target", t->op, lim, t->what, t->note[0] ? "; " : "",
		       t->note);
	}
	if (B.errors)
		printf("\n%d scenario error(s); see the messages above\n", B.errors);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

static int write_json(const char *path, const char *cpu, const char *kernel, long ncpu, int argc,
		      char **argv)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f) {
		fprintf(stderr, "dmasan-bench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f,
		"{\n  \"schema\": \"dmasan.bench/1\",\n  \"machine\": {\"nproc\": %ld, \"cpu\": ",
		ncpu);
	json_str(f, cpu);
	fprintf(f, ", \"kernel\": ");
	json_str(f, kernel);
	fprintf(f, ", \"other_cpu_pct_before\": ");
	json_num(f, B.other[0]);
	fprintf(f, ", \"other_cpu_pct_during\": ");
	json_num(f, B.other[1]);
	fprintf(f, "},\n  \"command\": [");
	for (i = 0; i < argc; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, argv[i]);
	}
	fprintf(f,
		"],\n  \"quick\": %s,\n  \"runs\": %d,\n  \"repetitions\": %d,\n  \"min_rep_ms\": "
		"%g,\n",
		B.cfg.quick ? "true" : "false", B.runs, B.cfg.reps, B.cfg.min_rep_ns / 1e6);
	fprintf(f, "  \"shim\": ");
	json_str(f, B.shim);
	fprintf(f, ",\n  \"rows\": [\n");
	for (i = 0; i < B.nrows; i++) {
		const struct row *w = &B.rows[i];

		fprintf(f, "    {\"id\": ");
		json_str(f, w->id);
		fprintf(f, ", \"unit\": ");
		json_str(f, w->unit);
		fprintf(f, ", \"direct\": ");
		json_num(f, w->v[DIRECT]);
		fprintf(f, ", \"shim\": ");
		json_num(f, w->v[SHIM]);
		fprintf(f, ", \"ratio\": ");
		json_num(f, strcmp(w->id, "memory") ? w->v[SHIM] / w->v[DIRECT] : NAN);
		fprintf(f, ", \"what\": ");
		json_str(f, w->what);
		fprintf(f, ", \"note\": ");
		json_str(f, w->note);
		fprintf(f, "}%s\n", i + 1 < B.nrows ? "," : "");
	}
	fprintf(f, "  ],\n  \"targets\": [\n");
	for (i = 0; i < B.ntargets; i++) {
		const struct target *t = &B.targets[i];

		fprintf(f, "    {\"id\": ");
		json_str(f, t->id);
		fprintf(f, ", \"verdict\": ");
		json_str(f, verdict_name[t->verdict]);
		fprintf(f, ", \"value\": ");
		json_num(f, t->value);
		fprintf(f, ", \"op\": ");
		json_str(f, t->op);
		fprintf(f, ", \"limit\": ");
		json_num(f, t->limit);
		fprintf(f, ", \"unit\": ");
		json_str(f, t->unit);
		fprintf(f, ", \"what\": ");
		json_str(f, t->what);
		fprintf(f, ", \"note\": ");
		json_str(f, t->note);
		fprintf(f, "}%s\n", i + 1 < B.ntargets ? "," : "");
	}
	fprintf(f, "  ],\n  \"errors\": [");
	for (i = 0; i < B.nerror_list; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, B.error_list[i]);
	}
	fprintf(f, "]\n}\n");
	if (fclose(f) != 0) {
		fprintf(stderr, "dmasan-bench: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dmasan-bench [--quick] [--json FILE] [--callgrind[=PAIRS]] [--shim PATH]\n"
		"                    [--nic PATH] [--only LIST] [--runs N] [--reps N] [--min-ms MS]\n"
		"                    [--depth N]\n");
	fprintf(f,
		"Measures libdmasan.so (LD_PRELOADed) against libdmasan_direct.so and checks the\n"
		"performance targets of SPEC section 13. Exit status: 0 when every scenario ran\n"
		"(a MISS is not a failure), 1 on a scenario error, 2 on bad arguments.\n");
	fprintf(f,
		"  --quick            tiny counts, every scenario, a few seconds (smoke test)\n");
	fprintf(f, "  --json FILE        also write the results as JSON\n");
	fprintf(f,
		"  --callgrind[=N]    count instructions per map+unmap pair under callgrind (N "
		"pairs, default %lu)\n",
		DEFAULT_CG_PAIRS);
	fprintf(f,
		"  --shim PATH        libdmasan.so to preload (default <dir>/../lib/libdmasan.so)\n");
	fprintf(f, "  --nic PATH         the example nic_test (default <dir>/nic_test)\n");
	fprintf(f,
		"  --only LIST        run only these groups: pair,rx,sync,bounce,pool,scale,threads,\n"
		"                     nic,callgrind (the table then lacks the other rows)\n");
	fprintf(f,
		"  --runs N           child processes per scenario and library (default %d, max %d)\n",
		DEFAULT_RUNS, MAX_RUNS);
	fprintf(f, "  --reps N           repetitions per measurement (default %d)\n", DEFAULT_REPS);
	fprintf(f, "  --min-ms MS        minimum length of one repetition (default %.0f)\n",
		DEFAULT_MIN_MS);
	fprintf(f, "  --depth N          extra call frames under each timed loop (default %d)\n",
		DEFAULT_DEPTH);
}

/* Next argument value of option @opt, from "--opt=V" or "--opt V". */
static const char *optval(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int resolve(char *dst, const char *path, const char *what)
{
	if (!realpath(path, dst)) {
		fprintf(stderr, "dmasan-bench: %s %s: %s\n", what, path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *child = NULL, *shim = NULL, *nic = NULL, *v;
	char dir[PATH_MAX], path[PATH_MAX], cpu[128], kernel[128];
	int i, reps = 0, has_min = 0;
	struct cpu_sample c0, c1, c2;
	long ncpu;
	ssize_t n;

	B.cfg.depth = DEFAULT_DEPTH;
	B.cfg.n_cg = DEFAULT_CG_PAIRS;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			B.cfg.quick = 1;
		} else if (strcmp(argv[i], "--callgrind") == 0) {
			B.callgrind = 1;
		} else if (strncmp(argv[i], "--callgrind=", 12) == 0) {
			B.callgrind = 1;
			B.cfg.n_cg = strtoul(argv[i] + 12, NULL, 10);
		} else if ((v = optval(argc, argv, &i, "--json"))) {
			B.json = v;
		} else if ((v = optval(argc, argv, &i, "--shim"))) {
			shim = v;
		} else if ((v = optval(argc, argv, &i, "--nic"))) {
			nic = v;
		} else if ((v = optval(argc, argv, &i, "--reps"))) {
			reps = atoi(v);
		} else if ((v = optval(argc, argv, &i, "--only"))) {
			B.only = v;
		} else if ((v = optval(argc, argv, &i, "--runs"))) {
			B.runs = atoi(v);
		} else if ((v = optval(argc, argv, &i, "--min-ms"))) {
			B.cfg.min_rep_ns = strtod(v, NULL) * 1e6;
			has_min = 1;
		} else if ((v = optval(argc, argv, &i, "--min-ns"))) { /* children */
			B.cfg.min_rep_ns = strtod(v, NULL);
			has_min = 1;
		} else if ((v = optval(argc, argv, &i, "--depth"))) {
			B.cfg.depth = atoi(v);
		} else if ((v = optval(argc, argv, &i, "--cg-pairs"))) {
			B.cfg.n_cg = strtoul(v, NULL, 10);
		} else if ((v = optval(argc, argv, &i, "--child"))) {
			child = v;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "dmasan-bench: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	B.cfg.reps = reps > 0 ? reps : B.cfg.quick ? QUICK_REPS : DEFAULT_REPS;
	if (B.runs <= 0)
		B.runs = B.cfg.quick ? 1 : DEFAULT_RUNS;
	if (B.runs > MAX_RUNS)
		B.runs = MAX_RUNS;
	if (!has_min || B.cfg.min_rep_ns <= 0)
		B.cfg.min_rep_ns = (B.cfg.quick ? QUICK_MIN_MS : DEFAULT_MIN_MS) * 1e6;
	if (B.cfg.depth < 0 || B.cfg.n_cg == 0) {
		usage(stderr);
		return 2;
	}
	if (child)
		return bench_child(child, &B.cfg);

	n = readlink("/proc/self/exe", B.self, sizeof(B.self) - 1);
	if (n <= 0) {
		fprintf(stderr, "dmasan-bench: cannot find myself: %s\n", strerror(errno));
		return 1;
	}
	B.self[n] = '\0';
	snprintf(dir, sizeof(dir), "%s", B.self);
	*strrchr(dir, '/') = '\0';
	if (snprintf(path, sizeof(path), "%s/../lib/libdmasan.so", dir) >= (int)sizeof(path))
		path[0] = '\0';
	if (resolve(B.shim, shim ? shim : path, "shim") != 0)
		return 1;
	if (snprintf(path, sizeof(path), "%s/nic_test", dir) >= (int)sizeof(path))
		path[0] = '\0';
	if (!realpath(nic ? nic : path, B.nic) &&
	    snprintf(B.nic, sizeof(B.nic), "%s", nic ? nic : path) >= (int)sizeof(B.nic))
		B.nic[0] = '\0';
	B.user_opts = getenv("DMASAN_OPTIONS");
	if (B.user_opts && !*B.user_opts)
		B.user_opts = NULL;
	cpu_sample(&c0);
	usleep(200000);
	cpu_sample(&c1);
	B.other[0] = other_load(&c0, &c1, sysconf(_SC_NPROCESSORS_ONLN));
	warm_up(B.cfg.quick ? QUICK_WARMUP_MS : WARMUP_MS);

	for (i = 0; i < (int)(sizeof(groups) / sizeof(groups[0])); i++)
		if (selected(groups[i].name))
			groups[i].run();
	cpu_sample(&c2);
	B.other[1] = other_load(&c1, &c2, sysconf(_SC_NPROCESSORS_ONLN));

	machine(cpu, sizeof(cpu), kernel, sizeof(kernel), &ncpu);
	print_table(cpu, kernel, ncpu);
	if (B.json && write_json(B.json, cpu, kernel, ncpu, argc, argv) != 0)
		B.errors++;
	return B.errors ? 1 : 0;
}
