/* SPDX-License-Identifier: MIT */
/*
 * Concurrency, fork and signal stress test of the shim (ctest e2e.stress,
 * run by tests/stress/stress.sh under LD_PRELOAD; the TSan build runs it
 * too). Linked against libdmasan_direct.so like any driver test.
 *
 * stress --run DIR [--threads N] [--ops N] [--forks N] [--signals N] [--signals-busy N]
 *              [--signal-interval US] [--park-workers]
 *   N threads (default 8) each run a bounded number of operations (default
 *   20000) on their own device and on one shared device: streaming maps
 *   of every direction with device accesses and syncs, sg lists, coherent
 *   buffers and dma_pool blocks (a pool shared by all threads and one per
 *   thread), and every data transfer is checked byte for byte. Every 64th
 *   operation is deliberate misuse (a double unmap, an unmap or a sync of
 *   an unknown handle), so findings are reported from many threads at once.
 *   Meanwhile the main thread forks children with mappings live: half of
 *   them map, check and unmap a buffer, make one finding of their own and
 *   exit 0; the others exec /bin/true. After the workers, SIGALRM handlers
 *   unmap an unknown handle (--signals N, default 8) while the main thread
 *   waits in sigsuspend(); with --signals-busy N (default 0) an interval
 *   timer's handlers do the same N times while the main thread is busy in
 *   the API itself, making a finding of its own every 256th round (the
 *   report must be written safely from any point, and none may be lost),
 *   one every --signal-interval US microseconds (default 100; under TSan,
 *   which makes a report cost more than that, calls deferred from handlers
 *   would otherwise arrive faster than the API can run them).
 *   --park-workers keeps the worker threads alive until the process exits
 *   instead of joining them (the TSan run needed it while libunwind's
 *   trace-cache destructor crashed exiting threads after TSan's teardown;
 *   kept to tell such a crash apart from a race).
 *   The report callback counts the findings and accepts only the ids of
 *   the deliberate misuse: any other id is a false positive of the shim
 *   under concurrency. A watchdog thread fails the run when no operation
 *   completes for WATCHDOG_IDLE seconds (a deadlock) or the run exceeds
 *   WATCHDOG_TOTAL seconds. The facts the log check needs are written to
 *   DIR/expect.
 * stress --check DIR
 *   Without the shim: every line of every DIR/log.<pid> must be one
 *   complete JSON object of that pid; the parent's log has exactly the
 *   findings its callback counted and one summary, last; every forked
 *   child that used the API has a log of its own with its finding and
 *   summary; children that exec'd /bin/true wrote nothing.
 * Exit status: 0 when every check passed; 1 a check failed (the reason is
 * printed); 2 usage; 3 the watchdog fired.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <dmasan/dmasan.h>
#include "fuzz/json_check.h"

#define MAX_THREADS 64
#define MAX_FORKS 64
#define NBUF 4
#define BUF_SIZE 4096
#define WATCHDOG_IDLE 20
#define WATCHDOG_TOTAL 600
#define MISUSE_EVERY 64
#define BAD_HANDLE(t) (0x1000ULL * (uint64_t)((t) + 1)) /* below simulated DRAM: never mapped */

struct worker {
	int id;
	pthread_t th;
	struct device *own;
	struct dma_pool *pool;
	uint8_t *buf[NBUF];
	unsigned long misuse;
	uint64_t rng;
	int failed;
};

static struct device shared_dev, own_dev[MAX_THREADS];
static struct dma_pool *shared_pool;
static struct worker workers[MAX_THREADS];
static int nthreads = 8, nforks = 16, nsignals = 8, nbusy, park, interval_us = 100;
static sem_t finished; /* a parked worker is done */
static long nops = 20000;
static const char *logdir;

static atomic_ulong progress;	     /* operations completed, all threads */
static atomic_ulong findings;	     /* non-suppressed findings the callback saw */
static atomic_ulong unexpected;	     /* findings with an id no misuse makes */
static atomic_int failed;	     /* a check failed */
static atomic_int done;		     /* the run finished: the watchdog may stop */
static volatile sig_atomic_t alarms; /* SIGALRM handlers run */
static char bad_id[64];
static atomic_flag bad_id_set = ATOMIC_FLAG_INIT;

/* Async-signal-safe message to stderr (used by the callback and the handlers too). */
static void say(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(2, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	say("stress: FAIL: ");
	say(line);
	atomic_store(&failed, 1);
}

static void on_report(const struct dmasan_report *r, void *arg)
{
	(void)arg;
	if (r->suppressed)
		return;
	atomic_fetch_add(&findings, 1);
	if (r->id && (!strcmp(r->id, "double-unmap") || !strcmp(r->id, "unmap-not-mapped") ||
		      !strcmp(r->id, "sync-not-mapped")))
		return;
	atomic_fetch_add(&unexpected, 1);
	if (!atomic_flag_test_and_set(&bad_id_set)) {
		size_t n = r->id ? strlen(r->id) : 0;

		if (n >= sizeof(bad_id))
			n = sizeof(bad_id) - 1;
		memcpy(bad_id, r->id ? r->id : "", n);
		say("stress: unexpected finding ");
		say(r->id ? r->id : "(null id)");
		say(": ");
		say(r->message ? r->message : "");
		say("\n");
	}
}

static uint64_t next(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static void pattern(uint8_t *p, size_t n, uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)((seed >> (8 * (i % 8))) + i);
}

static int check(struct worker *w, const uint8_t *got, const uint8_t *want, size_t n,
		 const char *what)
{
	if (!memcmp(got, want, n))
		return 0;
	fail("thread %d: %s: data differs from what was transferred", w->id, what);
	w->failed = 1;
	return -1;
}

static dma_addr_t map_checked(struct worker *w, struct device *dev, void *p, size_t n,
			      enum dma_data_direction dir)
{
	dma_addr_t a = dma_map_single(dev, p, n, dir);

	if (dma_mapping_error(dev, a)) {
		fail("thread %d: dma_map_single of %zu bytes failed", w->id, n);
		w->failed = 1;
	}
	return a;
}

static void op_from_device(struct worker *w, struct device *dev, uint8_t *buf, uint64_t seed)
{
	uint8_t want[BUF_SIZE / 2];
	dma_addr_t a;

	pattern(want, sizeof(want), seed);
	a = map_checked(w, dev, buf, sizeof(want), DMA_FROM_DEVICE);
	if (w->failed)
		return;
	if (dmasan_dev_write(dev, a, want, sizeof(want)))
		fail("thread %d: device write failed", w->id);
	dma_sync_single_for_cpu(dev, a, sizeof(want), DMA_FROM_DEVICE);
	check(w, buf, want, sizeof(want), "FROM_DEVICE after sync_for_cpu");
	dma_sync_single_for_device(dev, a, sizeof(want), DMA_FROM_DEVICE);
	want[0] ^= 0xff;
	if (dmasan_dev_write(dev, a, want, 64))
		fail("thread %d: second device write failed", w->id);
	dma_unmap_single(dev, a, sizeof(want), DMA_FROM_DEVICE);
	check(w, buf, want, sizeof(want), "FROM_DEVICE after unmap");
}

static void op_to_device(struct worker *w, struct device *dev, uint8_t *buf, uint64_t seed)
{
	uint8_t got[BUF_SIZE / 2];
	dma_addr_t a;

	pattern(buf, sizeof(got), seed);
	a = map_checked(w, dev, buf, sizeof(got), DMA_TO_DEVICE);
	if (w->failed)
		return;
	if (dmasan_dev_read(dev, a, got, sizeof(got)))
		fail("thread %d: device read failed", w->id);
	check(w, got, buf, sizeof(got), "TO_DEVICE device read");
	dma_unmap_single(dev, a, sizeof(got), DMA_TO_DEVICE);
}

static void op_bidirectional(struct worker *w, struct device *dev, uint8_t *buf, uint64_t seed)
{
	uint8_t tmp[BUF_SIZE], want[BUF_SIZE];
	dma_addr_t a;

	pattern(buf, BUF_SIZE, seed);
	a = map_checked(w, dev, buf, BUF_SIZE, DMA_BIDIRECTIONAL);
	if (w->failed)
		return;
	if (dmasan_dev_read(dev, a, tmp, BUF_SIZE) == 0)
		check(w, tmp, buf, BUF_SIZE, "BIDIRECTIONAL device read");
	pattern(want, BUF_SIZE, ~seed);
	if (dmasan_dev_write(dev, a + 256, want, 1024))
		fail("thread %d: bidirectional device write failed", w->id);
	dma_sync_single_for_cpu(dev, a, BUF_SIZE, DMA_BIDIRECTIONAL);
	check(w, buf + 256, want, 1024, "BIDIRECTIONAL after sync_for_cpu");
	buf[0] ^= 0x5a;
	memcpy(want, buf, 64);
	dma_sync_single_for_device(dev, a, BUF_SIZE, DMA_BIDIRECTIONAL);
	if (dmasan_dev_read(dev, a, tmp, 64) == 0)
		check(w, tmp, want, 64, "BIDIRECTIONAL CPU write seen by the device");
	dma_unmap_single(dev, a, BUF_SIZE, DMA_BIDIRECTIONAL);
}

static void op_sg(struct worker *w, struct device *dev, uint8_t *buf, uint64_t seed)
{
	struct scatterlist sg[4], *s;
	uint8_t want[BUF_SIZE / 4];
	int i, n;

	sg_init_table(sg, 4);
	for (i = 0; i < 4; i++)
		sg_set_buf(&sg[i], buf + i * (BUF_SIZE / 4), BUF_SIZE / 4);
	n = dma_map_sg(dev, sg, 4, DMA_FROM_DEVICE);
	if (n <= 0) {
		fail("thread %d: dma_map_sg failed", w->id);
		w->failed = 1;
		return;
	}
	for_each_sg(sg, s, n, i) {
		pattern(want, sizeof(want), seed + (uint64_t)i);
		if (dmasan_dev_write(dev, sg_dma_address(s), want, sg_dma_len(s)))
			fail("thread %d: sg device write failed", w->id);
	}
	dma_sync_sg_for_cpu(dev, sg, 4, DMA_FROM_DEVICE);
	for (i = 0; i < 4; i++) {
		pattern(want, sizeof(want), seed + (uint64_t)i);
		check(w, buf + i * (BUF_SIZE / 4), want, sizeof(want), "sg entry");
	}
	dma_unmap_sg(dev, sg, 4, DMA_FROM_DEVICE);
}

static void op_coherent(struct worker *w, struct device *dev, uint64_t seed)
{
	uint8_t want[256], got[256];
	dma_addr_t h;
	uint8_t *p = dma_alloc_coherent(dev, 8192, &h, GFP_KERNEL);

	if (!p) {
		fail("thread %d: dma_alloc_coherent failed", w->id);
		return;
	}
	pattern(want, sizeof(want), seed);
	if (dmasan_dev_write(dev, h + 4096, want, sizeof(want)))
		fail("thread %d: coherent device write failed", w->id);
	check(w, p + 4096, want, sizeof(want), "coherent buffer after device write");
	memset(p, 0x3c, sizeof(got));
	if (dmasan_dev_read(dev, h, got, sizeof(got)) == 0)
		check(w, got, p, sizeof(got), "coherent buffer CPU write seen by the device");
	dma_free_coherent(dev, 8192, p, h);
}

static void op_pool(struct worker *w, struct dma_pool *pool, struct device *dev, uint64_t seed)
{
	uint8_t want[64], got[64];
	dma_addr_t h;
	uint8_t *b = dma_pool_zalloc(pool, GFP_KERNEL, &h);

	if (!b) {
		fail("thread %d: dma_pool_zalloc failed", w->id);
		return;
	}
	pattern(want, sizeof(want), seed);
	if (dmasan_dev_write(dev, h, want, sizeof(want)))
		fail("thread %d: pool block device write failed", w->id);
	check(w, b, want, sizeof(want), "pool block after device write");
	b[1] ^= 0xff;
	if (dmasan_dev_read(dev, h, got, sizeof(got)) == 0)
		check(w, got, b, sizeof(got), "pool block CPU write seen by the device");
	dma_pool_free(pool, b, h);
}

static void op_misuse(struct worker *w, struct device *dev, uint8_t *buf)
{
	dma_addr_t a;

	switch (w->misuse % 3) {
	case 0:
		a = map_checked(w, dev, buf, 256, DMA_TO_DEVICE);
		dma_unmap_single(dev, a, 256, DMA_TO_DEVICE);
		dma_unmap_single(dev, a, 256, DMA_TO_DEVICE); /* double-unmap */
		break;
	case 1:
		dma_unmap_single(dev, BAD_HANDLE(w->id), 64, DMA_TO_DEVICE); /* unmap-not-mapped */
		break;
	default:
		dma_sync_single_for_cpu(dev, BAD_HANDLE(w->id), 64, DMA_FROM_DEVICE);
		break;
	}
	w->misuse++;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	long i;

	for (i = 0; i < nops && !w->failed && !atomic_load(&failed); i++) {
		uint64_t r = next(w);
		struct device *dev = (r & 0x100) ? &shared_dev : w->own;
		uint8_t *buf = w->buf[(r >> 12) % NBUF];

		if (i % MISUSE_EVERY == MISUSE_EVERY - 1) {
			op_misuse(w, dev, buf);
		} else {
			switch (r % 7) {
			case 0:
			case 1:
				op_from_device(w, dev, buf, r);
				break;
			case 2:
				op_to_device(w, dev, buf, r);
				break;
			case 3:
				op_bidirectional(w, dev, buf, r);
				break;
			case 4:
				op_sg(w, dev, buf, r);
				break;
			case 5:
				op_coherent(w, dev, r);
				break;
			default:
				op_pool(w, (r & 0x200) ? shared_pool : w->pool,
					(r & 0x200) ? &shared_dev : w->own, r);
				break;
			}
		}
		atomic_fetch_add_explicit(&progress, 1, memory_order_relaxed);
	}
	if (park) {
		sem_post(&finished);
		for (;;)
			pause(); /* SIGALRM is blocked here: only the process exit ends this */
	}
	return NULL;
}

static void *watchdog(void *arg)
{
	unsigned long last = 0, now;
	int idle = 0, total = 0;

	(void)arg;
	while (!atomic_load(&done)) {
		sleep(1);
		now = atomic_load(&progress);
		idle = now == last ? idle + 1 : 0;
		last = now;
		if (idle >= WATCHDOG_IDLE || ++total >= WATCHDOG_TOTAL) {
			char line[160];

			snprintf(line, sizeof(line),
				 "stress: FAIL: watchdog: %s after %d s (%lu operations done): "
				 "deadlock?\n",
				 idle >= WATCHDOG_IDLE ? "no progress" : "still running", total,
				 now);
			say(line);
			_exit(3);
		}
	}
	return NULL;
}

/* ---- fork ---- */

static void child_after_fork(int use_api)
{
	static uint8_t buf[1024] __attribute__((aligned(64)));
	uint8_t want[1024];
	dma_addr_t a;
	unsigned long before;
	int ok = 1;

	signal(SIGALRM, SIG_DFL);
	alarm(10); /* a child stuck on a lock another thread held at fork dies here */
	if (!use_api) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(4);
	}
	before = dmasan_error_count();
	pattern(want, sizeof(want), (uint64_t)getpid());
	a = dma_map_single(&shared_dev, buf, sizeof(buf), DMA_FROM_DEVICE);
	if (dma_mapping_error(&shared_dev, a))
		_exit(5);
	if (dmasan_dev_write(&shared_dev, a, want, sizeof(want)))
		ok = 0;
	dma_unmap_single(&shared_dev, a, sizeof(buf), DMA_FROM_DEVICE);
	ok &= !memcmp(buf, want, sizeof(want));
	dma_unmap_single(&shared_dev, a, sizeof(buf), DMA_FROM_DEVICE); /* its own finding */
	if (dmasan_error_count() != before + 1) {
		say("stress: child: its double unmap was not counted once\n");
		ok = 0;
	}
	exit(ok ? 0 : 6); /* exit(): the shim's destructor writes the child's summary */
}

struct forked {
	pid_t pid;
	int use_api;
};

static void run_forks(struct forked *kids)
{
	int f;

	for (f = 0; f < nforks; f++) {
		pid_t pid;
		int status;

		/* Fork while the workers are in the middle of their work. */
		while (atomic_load(&progress) < (unsigned long)(f + 1) * (unsigned long)nops *
							(unsigned long)nthreads /
							(2UL * nforks + 2) &&
		       !atomic_load(&failed))
			usleep(1000);
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			fail("fork: %s", strerror(errno));
			return;
		}
		if (pid == 0)
			child_after_fork(f % 2 == 0);
		kids[f].pid = pid;
		kids[f].use_api = f % 2 == 0;
		if (waitpid(pid, &status, 0) != pid) {
			fail("waitpid: %s", strerror(errno));
			continue;
		}
		if (WIFSIGNALED(status))
			fail("forked child %d (%s) died of signal %d%s", (int)pid,
			     kids[f].use_api ? "using the API" : "exec of /bin/true",
			     WTERMSIG(status),
			     WTERMSIG(status) == SIGALRM ? " (a deadlock after fork)" : "");
		else if (WEXITSTATUS(status) != 0)
			fail("forked child %d (%s) exited with status %d", (int)pid,
			     kids[f].use_api ? "using the API" : "exec of /bin/true",
			     WEXITSTATUS(status));
	}
}

/* ---- signals ---- */

static void on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	/* A finding made in a signal handler: the report must arrive intact. */
	dma_unmap_single(&shared_dev, BAD_HANDLE(MAX_THREADS), 64, DMA_TO_DEVICE);
	alarms++;
	errno = saved;
}

static void run_signals(void)
{
	struct sigaction sa;
	sigset_t block, old, wait;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	wait = old;
	sigdelset(&wait, SIGALRM);
	for (i = 0; i < nsignals; i++) {
		struct itimerval it = { { 0, 0 }, { 0, 2000 } };
		int before = alarms;

		setitimer(ITIMER_REAL, &it, NULL);
		while (alarms == before)
			sigsuspend(&wait);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	signal(SIGALRM, SIG_DFL);
}

/*
 * SIGALRM every 100 us while this thread maps, syncs and unmaps, and now and
 * then unmaps twice. @return the findings this thread made itself.
 */
static unsigned long run_busy_signals(void)
{
	static uint8_t buf[BUF_SIZE] __attribute__((aligned(64)));
	struct itimerval it = { { interval_us / 1000000, interval_us % 1000000 },
				{ interval_us / 1000000, interval_us % 1000000 } };
	struct sigaction sa;
	int base = alarms;
	unsigned long loops = 0, own = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	while (alarms - base < nbusy && !atomic_load(&failed)) {
		dma_addr_t a = dma_map_single(&shared_dev, buf, sizeof(buf), DMA_BIDIRECTIONAL);

		if (dma_mapping_error(&shared_dev, a)) {
			fail("busy signals: dma_map_single failed");
			break;
		}
		dma_sync_single_for_cpu(&shared_dev, a, sizeof(buf), DMA_BIDIRECTIONAL);
		dma_sync_single_for_device(&shared_dev, a, sizeof(buf), DMA_BIDIRECTIONAL);
		dma_unmap_single(&shared_dev, a, sizeof(buf), DMA_BIDIRECTIONAL);
		/* Findings of its own too: handlers then arrive while a report is written. */
		if (++loops % 256 == 0) {
			dma_unmap_single(&shared_dev, a, sizeof(buf), DMA_BIDIRECTIONAL);
			own++;
		}
		atomic_fetch_add_explicit(&progress, 1, memory_order_relaxed);
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	nbusy = alarms - base; /* a last one may have arrived after the count was reached */
	return own;
}

/* ---- the run ---- */

static int run(void)
{
	static struct forked kids[MAX_FORKS];
	pthread_t wd;
	sigset_t block, old;
	unsigned long expected = 0;
	FILE *f;
	char path[4096];
	int t, k;

	sem_init(&finished, 0, 0);
	dmasan_set_report_callback(on_report, NULL);
	if (dmasan_device_add(&shared_dev, "shared", NULL)) {
		fail("dmasan_device_add(shared) failed");
		return 1;
	}
	shared_pool = dma_pool_create("shared", &shared_dev, 64, 64, 0);
	if (!shared_pool) {
		fail("dma_pool_create failed");
		return 1;
	}
	/* Only the main thread takes SIGALRM: it is for its handlers (run_signals()). */
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	pthread_create(&wd, NULL, watchdog, NULL);
	for (t = 0; t < nthreads; t++) {
		static char names[MAX_THREADS][16];
		struct worker *w = &workers[t];
		char *name = names[t];
		int b;

		snprintf(name, sizeof(names[t]), "own%d", t);
		w->id = t;
		w->own = &own_dev[t];
		w->rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(t + 1);
		if (dmasan_device_add(w->own, name, NULL))
			fail("dmasan_device_add(%s) failed", name);
		w->pool = dma_pool_create(name, w->own, 64, 64, 4096);
		if (!w->pool)
			fail("dma_pool_create(%s) failed", name);
		for (b = 0; b < NBUF; b++)
			w->buf[b] = aligned_alloc(4096, BUF_SIZE);
		if (pthread_create(&w->th, NULL, work, w)) {
			fail("pthread_create: %s", strerror(errno));
			return 1;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	run_forks(kids);
	for (t = 0; t < nthreads; t++) {
		if (park)
			while (sem_wait(&finished) && errno == EINTR)
				;
		else
			pthread_join(workers[t].th, NULL);
	}
	for (t = 0; t < nthreads; t++)
		expected += workers[t].misuse;
	run_signals();
	expected += (unsigned long)nsignals;
	if (nbusy) {
		expected += run_busy_signals();
		expected += (unsigned long)nbusy;
	}
	for (t = 0; t < nthreads; t++) {
		int b;

		dma_pool_destroy(workers[t].pool);
		dmasan_device_del(workers[t].own);
		for (b = 0; b < NBUF; b++)
			free(workers[t].buf[b]);
	}
	dma_pool_destroy(shared_pool);
	atomic_store(&done, 1);
	pthread_join(wd, NULL);
	if (atomic_load(&unexpected))
		fail("%lu findings with ids no deliberate misuse makes (first: %s)",
		     atomic_load(&unexpected), bad_id);
	if (atomic_load(&findings) != expected)
		fail("the callback saw %lu findings, the test made %lu", atomic_load(&findings),
		     expected);
	if (dmasan_error_count() != expected)
		fail("dmasan_error_count() is %lu, the test made %lu findings",
		     dmasan_error_count(), expected);
	if (alarms != nsignals + nbusy)
		fail("%d of %d signal handlers ran", (int)alarms, nsignals + nbusy);
	snprintf(path, sizeof(path), "%s/expect", logdir);
	f = fopen(path, "w");
	if (!f) {
		fail("%s: %s", path, strerror(errno));
		return 1;
	}
	fprintf(f, "parent %d %lu\n", (int)getpid(), expected);
	for (k = 0; k < nforks; k++)
		fprintf(f, "%s %d\n", kids[k].use_api ? "child" : "exec", (int)kids[k].pid);
	fclose(f);
	printf("stress: %d threads x %ld operations, %d forks, %d+%d signals: %lu findings, %s\n",
	       nthreads, nops, nforks, nsignals, nbusy, expected,
	       atomic_load(&failed) ? "FAILED" : "ok");
	return atomic_load(&failed) ? 1 : 0;
}

/* ---- the log check ---- */

/* Check DIR/log.<pid>: @return the number of findings, or -1 (missing or bad). */
static long check_log(int pid, int *summaries)
{
	char path[4096], key[32];
	static char line[1 << 17];
	FILE *f;
	long n = 0, lineno = 0;
	int last_was_summary = 0;

	*summaries = 0;
	snprintf(path, sizeof(path), "%s/log.%d", logdir, pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	snprintf(key, sizeof(key), "\"pid\":%d", pid);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line), at = 0;
		const char *why = NULL;

		lineno++;
		if (len == 0 || line[len - 1] != '\n') {
			fail("%s:%ld: incomplete line (no newline; a torn or interleaved record)",
			     path, lineno);
			break;
		}
		if (json_check_line(line, len - 1, &why, &at)) {
			fail("%s:%ld: not one JSON object (%s at byte %zu): %.200s", path, lineno,
			     why, at, line);
			continue;
		}
		if (!strstr(line, key))
			fail("%s:%ld: a record without %s", path, lineno, key);
		last_was_summary = strstr(line, "\"schema\":\"dmasan.summary/") != NULL;
		if (last_was_summary)
			(*summaries)++;
		else if (strstr(line, "\"schema\":\"dmasan.finding/"))
			n++;
		else
			fail("%s:%ld: a record of unknown schema", path, lineno);
	}
	fclose(f);
	if (*summaries && !last_was_summary)
		fail("%s: the summary is not the last record", path);
	return n;
}

static int check_logs(void)
{
	char path[4096], kind[16];
	FILE *f;
	int pid, summaries, nproc = 0;
	unsigned long want;
	long got;

	snprintf(path, sizeof(path), "%s/expect", logdir);
	f = fopen(path, "r");
	if (!f || fscanf(f, "parent %d %lu\n", &pid, &want) != 2) {
		fail("%s: missing or unreadable (did the run finish?)", path);
		return 1;
	}
	got = check_log(pid, &summaries);
	if (got < 0)
		fail("the parent (pid %d) wrote no log", pid);
	else if ((unsigned long)got != want || summaries != 1)
		fail("the parent's log has %ld findings and %d summaries; expected %lu and 1", got,
		     summaries, want);
	nproc++;
	while (fscanf(f, "%15s %d\n", kind, &pid) == 2) {
		got = check_log(pid, &summaries);
		nproc++;
		if (!strcmp(kind, "exec")) {
			if (got >= 0)
				fail("pid %d (exec of /bin/true, never used the API) wrote a log",
				     pid);
		} else if (got != 1 || summaries != 1) {
			fail("forked child %d: %ld findings and %d summaries in its log; expected 1 "
			     "and 1",
			     pid, got, summaries);
		}
	}
	fclose(f);
	printf("stress: checked the logs of %d processes: %s\n", nproc,
	       atomic_load(&failed) ? "FAILED" : "ok");
	return atomic_load(&failed) ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: stress --run DIR [--threads N] [--ops N] [--forks N] "
			"[--signals N] [--signals-busy N] [--signal-interval US] [--park-workers]\n"
			"       stress --check DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i, mode = 0;

	/* Options take a value (i += 2) except --park-workers. */
	for (i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v && strcmp(a, "--park-workers"))
			usage();
		if (!strcmp(a, "--run") || !strcmp(a, "--check")) {
			mode = a[2] == 'r' ? 1 : 2;
			logdir = v;
		} else if (!strcmp(a, "--threads")) {
			nthreads = atoi(v);
		} else if (!strcmp(a, "--ops")) {
			nops = atol(v);
		} else if (!strcmp(a, "--forks")) {
			nforks = atoi(v);
		} else if (!strcmp(a, "--signals")) {
			nsignals = atoi(v);
		} else if (!strcmp(a, "--signals-busy")) {
			nbusy = atoi(v);
		} else if (!strcmp(a, "--signal-interval")) {
			interval_us = atoi(v);
		} else if (!strcmp(a, "--park-workers")) {
			park = 1;
			i--; /* takes no value */
		} else {
			usage();
		}
	}
	if (!mode || nthreads < 1 || nthreads > MAX_THREADS || nops < 1 || nforks < 0 ||
	    nforks > MAX_FORKS || nsignals < 0 || nbusy < 0 || interval_us < 1)
		usage();
	if (mode == 2)
		return check_logs();
	if (!dmasan_active()) {
		fprintf(stderr, "stress: the checking shim is not loaded (LD_PRELOAD)\n");
		return 1;
	}
	return run();
}
