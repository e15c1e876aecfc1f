/* SPDX-License-Identifier: MIT */
/*
 * Findings made in signal handlers (tests/e2e/signal.cmake, run by
 * tests/e2e/signal_test.sh under LD_PRELOAD). Linked against
 * libdmasan_direct.so like any driver test.
 *
 * signal_report heap DIR N
 *   SIGALRM every 200 us (sigaction, SA_SIGINFO) while the main thread
 *   loops in the program's own malloc, calloc, realloc and free, in stdio
 *   (fprintf to /dev/null) and in dl_iterate_phdr(), never in the DMA API;
 *   each handler makes one finding (an unmap of an unknown handle) from
 *   one of 16 call sites, until N handlers ran. A report path that is not
 *   async-signal-safe deadlocks or corrupts the heap here (libdw and
 *   dladdr allocate and lock); under TSan any libc malloc in a handler is
 *   a "signal-unsafe call". The callback and dmasan_error_count() must
 *   both be N at the end. The shim logs to DIR (format=json).
 * signal_report check-heap DIR N
 *   Without the shim: DIR holds one log, every line one JSON object; N
 *   findings, all unmap-not-mapped, seq 1..N each exactly once, each
 *   marked "unsymbolized":"signal-handler" with an unsymbolized first
 *   frame ("function":null and a module); the summary last, total N.
 * signal_report symbolized
 *   Three findings in order: one made by the main thread (normal_site),
 *   one made in a SIGUSR1 handler (handler_site), and one made by the main
 *   thread after another handler left with siglongjmp() (after_jump_site).
 *   signal_test.sh checks that the first and the third are symbolized and
 *   that only the second says its frames are unsymbolized.
 * signal_report api
 *   sigaction(), signal() and the SysV signal() through the shim behave as
 *   libc's: oldact is the program's handler with its own flags, SIG_IGN
 *   and SIG_DFL pass through, SA_RESETHAND resets, SA_NODEFER nests,
 *   signal() returns the previous handler.
 * Exit status: 0 passed, 1 a check failed (printed), 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <link.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/dma-mapping.h>
#include <dmasan/dmasan.h>
#include "fuzz/json_check.h"

#define BAD_HANDLE 0x7ff00000ul
#define NSITES 16
/* The first frame of a finding's stack, up to its 16 hex digits, and what must follow them. */
#define STACK0 "\"stack\":[{\"pc\":\"0x"
#define UNSYMBOLIZED "\",\"function\":null,\"file\":null,\"line\":null,\"module\":\"/"

static struct device dev;
static atomic_ulong reported;
static volatile sig_atomic_t handled, target;
static int failures;

static void fail(const char *what)
{
	fprintf(stderr, "signal_report: FAIL: %s\n", what);
	failures++;
}

static void on_report(const struct dmasan_report *r, void *arg)
{
	(void)arg;
	if (!r->suppressed)
		atomic_fetch_add(&reported, 1);
}

/* Sixteen call sites: each a frame of its own (no tail call). */
#define SITE(i)                                                                     \
	static __attribute__((noinline)) void site##i(void)                         \
	{                                                                           \
		dma_unmap_single(&dev, BAD_HANDLE + 4096 * (i), 64, DMA_TO_DEVICE); \
		__asm__ volatile("" ::: "memory");                                  \
	}
SITE(0)
SITE(1)
SITE(2)
SITE(3)
SITE(4)
SITE(5)
SITE(6)
SITE(7)
SITE(8)
SITE(9)
SITE(10)
SITE(11)
SITE(12)
SITE(13)
SITE(14)
SITE(15)
static void (*const sites[NSITES])(void) = { site0,  site1,  site2,  site3, site4,  site5,
					     site6,  site7,  site8,  site9, site10, site11,
					     site12, site13, site14, site15 };

static void on_alarm(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	(void)sig;
	(void)si;
	(void)uc;
	if (handled < target) {
		sites[handled % NSITES]();
		handled++;
	}
	errno = saved;
}

static int count_objects(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)info;
	(void)size;
	++*(unsigned long *)data;
	return 0;
}

static int setup(void)
{
	dmasan_set_report_callback(on_report, NULL);
	if (dmasan_device_add(&dev, "sig0", NULL)) {
		fail("dmasan_device_add failed");
		return -1;
	}
	return 0;
}

static int run_heap(long n)
{
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	struct sigaction sa;
	void *blk[64] = { NULL };
	unsigned long r = 0x9e3779b97f4a7c15ul, loops = 0, objects = 0;
	FILE *null;
	int i;

	if (setup())
		return 1;
	null = fopen("/dev/null", "w");
	if (!null) {
		fail("cannot open /dev/null");
		return 1;
	}
	target = (sig_atomic_t)n;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_alarm;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL)) {
		fail("sigaction failed");
		return 1;
	}
	setitimer(ITIMER_REAL, &it, NULL);
	while (handled < target) {
		size_t k, size;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		k = r % 64;
		size = 1 + (r >> 16) % 8192;
		switch ((r >> 40) % 4) {
		case 0:
			free(blk[k]);
			blk[k] = malloc(size);
			break;
		case 1: {
			void *p = realloc(blk[k], size);

			if (p)
				blk[k] = p;
			break;
		}
		case 2:
			free(blk[k]);
			blk[k] = calloc(1, size);
			break;
		default:
			free(blk[k]);
			blk[k] = NULL;
			size = 0;
			break;
		}
		if (blk[k] && size)
			memset(blk[k], (int)loops, size < 64 ? size : 64);
		if (loops % 16 == 0)
			fprintf(null, "%lu\n", loops);
		if (loops % 4 == 0)
			dl_iterate_phdr(count_objects, &objects);
		loops++;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	for (i = 0; i < 64; i++)
		free(blk[i]);
	fclose(null);
	if (atomic_load(&reported) != (unsigned long)n)
		fail("the callback did not see every finding exactly once");
	if (dmasan_error_count() != (unsigned long)n)
		fail("dmasan_error_count() is not the number of findings made");
	printf("signal_report: %ld findings in handlers over %lu rounds of malloc/free: %s\n", n,
	       loops, failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}

/* The one log.<pid> in @dir, opened. */
static FILE *open_log(const char *dir)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);
	FILE *f = NULL;
	int n = 0;

	if (!d)
		return NULL;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "log.", 4)) {
			n++;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		}
	closedir(d);
	if (n == 1)
		f = fopen(path, "r");
	else
		fail("expected exactly one log file");
	return f;
}

static int check_heap(const char *dir, long n)
{
	static char line[256 * 1024];
	unsigned char *seen = calloc((size_t)n + 1, 1);
	long findings = 0, lineno = 0, i;
	int summary_last = 0;
	char key[64];
	FILE *f = open_log(dir);

	if (!f || !seen)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line), at = 0;
		const char *why = NULL, *p;
		unsigned long seq;

		lineno++;
		if (!len || line[len - 1] != '\n' || json_check_line(line, len - 1, &why, &at)) {
			fprintf(stderr, "line %ld: %s at %zu\n", lineno, why ? why : "no newline",
				at);
			fail("a log line that is not one complete JSON object");
			continue;
		}
		summary_last = strstr(line, "\"schema\":\"dmasan.summary/") != NULL;
		if (summary_last) {
			snprintf(key, sizeof(key), "\"total\":%ld,", n);
			if (!strstr(line, key))
				fail("the summary does not count every finding");
			continue;
		}
		findings++;
		if (!strstr(line, "\"id\":\"unmap-not-mapped\""))
			fail("a finding of another id");
		if (!strstr(line, ",\"unsymbolized\":\"signal-handler\","))
			fail("a finding made in a handler that does not say so");
		p = strstr(line, STACK0);
		if (!p || strncmp(p + strlen(STACK0) + 16, UNSYMBOLIZED, strlen(UNSYMBOLIZED)))
			fail("a first frame that is not unsymbolized module+offset");
		p = strstr(line, "\"seq\":");
		if (!p || sscanf(p + 6, "%lu", &seq) != 1 || !seq || seq > (unsigned long)n ||
		    seen[seq]++)
			fail("a missing, out-of-range or repeated seq");
	}
	fclose(f);
	if (!summary_last)
		fail("the summary is not the last record");
	if (findings != n)
		fail("the log does not hold every finding exactly once");
	for (i = 1; i <= n && findings == n; i++)
		if (!seen[i])
			fail("a seq is missing");
	free(seen);
	printf("signal_report: checked %ld log lines, %ld findings: %s\n", lineno, findings,
	       failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}

static sigjmp_buf jump;

static __attribute__((noinline)) void normal_site(void)
{
	dma_unmap_single(&dev, BAD_HANDLE + 100 * 4096, 64, DMA_TO_DEVICE);
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void handler_site(void)
{
	dma_unmap_single(&dev, BAD_HANDLE + 101 * 4096, 64, DMA_TO_DEVICE);
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void after_jump_site(void)
{
	dma_unmap_single(&dev, BAD_HANDLE + 102 * 4096, 64, DMA_TO_DEVICE);
	__asm__ volatile("" ::: "memory");
}

static void on_usr1(int sig)
{
	(void)sig;
	handler_site();
}

static void on_usr2(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

static int run_symbolized(void)
{
	if (setup())
		return 1;
	normal_site();
	if (signal(SIGUSR1, on_usr1) == SIG_ERR || raise(SIGUSR1)) {
		fail("SIGUSR1");
		return 1;
	}
	if (signal(SIGUSR2, on_usr2) == SIG_ERR) {
		fail("SIGUSR2");
		return 1;
	}
	if (!sigsetjmp(jump, 1))
		raise(SIGUSR2);
	after_jump_site();
	if (dmasan_error_count() != 3)
		fail("three findings expected");
	return failures ? 1 : 0;
}

static volatile sig_atomic_t depth, max_depth, calls;

static void plain(int sig)
{
	(void)sig;
	calls++;
}

static void info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si && si->si_signo == sig)
		calls++;
}

static void nesting(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (depth < 3)
		raise(sig);
	depth--;
}

static void sysv(int sig)
{
	(void)sig;
	calls++;
}

static int run_api(void)
{
	struct sigaction sa, old;

	/* oldact: the program's own handler and flags, not the shim's. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plain;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGUSR1, NULL, &old))
		fail("sigaction(SIGUSR1)");
	if (old.sa_handler != plain || (old.sa_flags & SA_SIGINFO) ||
	    !(old.sa_flags & SA_RESTART) || !sigismember(&old.sa_mask, SIGUSR2))
		fail("oldact is not the program's plain handler, flags and mask");
	calls = 0;
	raise(SIGUSR1);
	if (calls != 1)
		fail("the plain handler did not run once");
	sa.sa_sigaction = info;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGUSR1, &sa, &old) || old.sa_handler != plain)
		fail("replacing the handler: oldact");
	if (sigaction(SIGUSR1, NULL, &old) || old.sa_sigaction != info ||
	    !(old.sa_flags & SA_SIGINFO))
		fail("oldact is not the program's SA_SIGINFO handler");
	calls = 0;
	raise(SIGUSR1);
	if (calls != 1)
		fail("the SA_SIGINFO handler did not get its siginfo");
	/* SIG_IGN and SIG_DFL pass through. */
	if ((uintptr_t)signal(SIGUSR1, SIG_IGN) != (uintptr_t)info)
		fail("signal() did not return the previous handler");
	raise(SIGUSR1); /* ignored */
	if (sigaction(SIGUSR1, NULL, &old) || old.sa_handler != SIG_IGN)
		fail("SIG_IGN did not pass through");
	if (signal(SIGUSR1, SIG_DFL) != SIG_IGN)
		fail("signal() did not return SIG_IGN");
	/* SA_RESETHAND: one delivery, then SIG_DFL. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plain;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	calls = 0;
	if (sigaction(SIGUSR1, &sa, NULL))
		fail("sigaction(SA_RESETHAND)");
	raise(SIGUSR1);
	if (calls != 1 || sigaction(SIGUSR1, NULL, &old) || old.sa_handler != SIG_DFL)
		fail("SA_RESETHAND did not reset the handler to SIG_DFL");
	/* SA_NODEFER: the handler nests. */
	sa.sa_handler = nesting;
	sa.sa_flags = SA_NODEFER;
	if (sigaction(SIGUSR2, &sa, NULL))
		fail("sigaction(SA_NODEFER)");
	raise(SIGUSR2);
	if (max_depth != 3 || depth != 0)
		fail("SA_NODEFER handlers did not nest three deep");
	/* The SysV signal() of strict ISO C: one-shot. */
	{
		extern sighandler_t __sysv_signal(int, sighandler_t);

		calls = 0;
		if (__sysv_signal(SIGUSR1, sysv) == SIG_ERR)
			fail("__sysv_signal");
		raise(SIGUSR1);
		if (calls != 1 || signal(SIGUSR1, SIG_DFL) != SIG_DFL)
			fail("the SysV handler is not one-shot");
	}
	if (signal(0, plain) != SIG_ERR || errno != EINVAL)
		fail("signal(0) is not EINVAL");
	if (sigaction(SIGKILL, &sa, NULL) != -1 || errno != EINVAL)
		fail("sigaction(SIGKILL) is not EINVAL");
	printf("signal_report: sigaction()/signal() semantics: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "heap"))
		return run_heap(atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "check-heap"))
		return check_heap(argv[2], atol(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "symbolized"))
		return run_symbolized();
	if (argc == 2 && !strcmp(argv[1], "api"))
		return run_api();
	fprintf(stderr, "usage: signal_report heap DIR N | check-heap DIR N | symbolized | api\n");
	return 2;
}
