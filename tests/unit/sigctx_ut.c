/* SPDX-License-Identifier: MIT */
/*
 * Unit suite for core/sigctx.c (signal-handler context behind the
 * sigaction() interposer) and the pieces of signal-safe reporting below
 * it: platform/os.c plat_module_of() and reports/symbolize.c
 * sym_resolve_safe(). Handlers are installed with sigctx_sigaction()
 * directly (the unit binaries do not interpose sigaction()).
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "helpers/cunit_helpers.h"
#include "core/sigctx.h"
#include "platform/platform.h"
#include "reports/symbolize.h"

static volatile sig_atomic_t seen_inside, seen_depth, max_depth, runs;
static sigjmp_buf jump;

static void install(int sig, void (*h)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = flags;
	DMASAN_ASSERT_FATAL(sigctx_sigaction(sig, &sa, NULL) == 0);
}

static void restore(int sig)
{
	DMASAN_ASSERT_FATAL(sigctx_signal(sig, SIG_DFL) != SIG_ERR);
}

static void probe(int sig)
{
	(void)sig;
	seen_inside = sigctx_in_handler(0);
	runs++;
}

static void test_inside_and_outside(void)
{
	CU_ASSERT_EQUAL(sigctx_in_handler(0), 0);
	install(SIGUSR1, probe, 0);
	seen_inside = 0;
	raise(SIGUSR1);
	CU_ASSERT_EQUAL(seen_inside, 1);
	CU_ASSERT_EQUAL(sigctx_in_handler(0), 0);
	restore(SIGUSR1);
}

static void nest(int sig)
{
	seen_depth++;
	if (seen_depth > max_depth)
		max_depth = seen_depth;
	if (seen_depth < 4)
		raise(sig);
	if (!sigctx_in_handler(0))
		seen_inside = 0;
	seen_depth--;
}

static void test_nested_handlers(void)
{
	install(SIGUSR1, nest, SA_NODEFER);
	seen_inside = 1;
	max_depth = 0;
	raise(SIGUSR1);
	CU_ASSERT_EQUAL(max_depth, 4);
	CU_ASSERT_EQUAL(seen_inside, 1);
	CU_ASSERT_EQUAL(sigctx_in_handler(0), 0);
	restore(SIGUSR1);
}

static void leave(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

/* A handler left with siglongjmp() no longer counts once the stack is back above it. */
static void test_siglongjmp_out(void)
{
	int i;

	install(SIGUSR1, leave, 0);
	for (i = 0; i < 100; i++) {
		if (!sigsetjmp(jump, 1))
			raise(SIGUSR1);
		CU_ASSERT_EQUAL(sigctx_in_handler(0), 0);
	}
	/* 100 abandoned records later, a handler still counts, and only while it runs. */
	install(SIGUSR2, probe, 0);
	seen_inside = 0;
	raise(SIGUSR2);
	CU_ASSERT_EQUAL(seen_inside, 1);
	CU_ASSERT_EQUAL(sigctx_in_handler(0), 0);
	restore(SIGUSR1);
	restore(SIGUSR2);
}

static void inner_on_altstack(int sig)
{
	(void)sig;
	seen_depth = sigctx_in_handler(0);
}

static void outer_raises_alt(int sig)
{
	(void)sig;
	raise(SIGUSR2); /* its handler runs on the alternate stack */
	/* Back on the thread's stack: the inner record must not have pruned ours. */
	seen_inside = sigctx_in_handler(0);
}

static void *alt_thread(void *arg)
{
	stack_t ss;

	memset(&ss, 0, sizeof(ss));
	ss.ss_size = 64 * 1024;
	ss.ss_sp = arg;
	if (sigaltstack(&ss, NULL))
		return NULL;
	raise(SIGUSR1);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	return NULL;
}

/*
 * A handler on the alternate stack nested in one on the thread's stack.
 * The thread's stack lies below the alternate one here, so comparing
 * stack pointers across the two would take the outer record for stale.
 */
static void test_alternate_stack(void)
{
	size_t stack = 256 * 1024, alt = 64 * 1024;
	char *block =
		mmap(NULL, stack + alt, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_attr_t attr;
	pthread_t t;

	DMASAN_ASSERT_FATAL(block != MAP_FAILED);
	install(SIGUSR2, inner_on_altstack, SA_ONSTACK);
	install(SIGUSR1, outer_raises_alt, 0);
	seen_depth = 0;
	seen_inside = 0;
	pthread_attr_init(&attr);
	DMASAN_ASSERT_FATAL(pthread_attr_setstack(&attr, block, stack) == 0);
	DMASAN_ASSERT_FATAL(pthread_create(&t, &attr, alt_thread, block + stack) == 0);
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	CU_ASSERT_EQUAL(seen_depth, 1);
	CU_ASSERT_EQUAL(seen_inside, 1);
	CU_ASSERT_EQUAL(sigctx_in_handler(0), 0);
	restore(SIGUSR1);
	restore(SIGUSR2);
	munmap(block, stack + alt);
}

static void info_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si && si->si_signo == sig)
		runs++;
}

static void test_oldact_is_the_programs(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = info_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CU_ASSERT_EQUAL(sigctx_sigaction(SIGUSR1, &sa, NULL), 0);
	CU_ASSERT_EQUAL(sigctx_sigaction(SIGUSR1, NULL, &old), 0);
	CU_ASSERT(old.sa_sigaction == info_handler);
	CU_ASSERT((old.sa_flags & (SA_SIGINFO | SA_RESTART)) == (SA_SIGINFO | SA_RESTART));
	CU_ASSERT(sigismember(&old.sa_mask, SIGUSR2));
	runs = 0;
	raise(SIGUSR1);
	CU_ASSERT_EQUAL(runs, 1);
	/* A plain handler gets SA_SIGINFO back cleared, whatever the trampoline needs. */
	CU_ASSERT(sigctx_signal(SIGUSR1, probe) != SIG_ERR);
	CU_ASSERT_EQUAL(sigctx_sigaction(SIGUSR1, NULL, &old), 0);
	CU_ASSERT(old.sa_handler == probe);
	CU_ASSERT_EQUAL(old.sa_flags & SA_SIGINFO, 0);
	CU_ASSERT(sigctx_signal(SIGUSR1, SIG_IGN) == probe);
	CU_ASSERT(sigctx_signal(SIGUSR1, SIG_DFL) == SIG_IGN);
	/* A failed install leaves the previous handler in place. */
	CU_ASSERT(sigctx_signal(SIGUSR1, probe) == SIG_DFL);
	sa.sa_sigaction = info_handler;
	CU_ASSERT_EQUAL(sigctx_sigaction(SIGKILL, &sa, NULL), -1);
	CU_ASSERT_EQUAL(sigctx_sigaction(SIGUSR1, NULL, &old), 0);
	CU_ASSERT(old.sa_handler == probe);
	restore(SIGUSR1);
}

static void test_module_of(void)
{
	const char *path;
	uintptr_t base;
	Dl_info info;
	char self[PATH_MAX];
	void *fn = dlsym(RTLD_DEFAULT, "gnu_get_libc_version"); /* libc's, not a sanitizer's */
	void *heap = malloc(64);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	DMASAN_ASSERT_FATAL(n > 0 && fn);
	self[n] = '\0';
	/* This program: the file's load base, as dladdr says. */
	CU_ASSERT_EQUAL(plat_module_of((uintptr_t)test_module_of, &path, &base), 0);
	CU_ASSERT_STRING_EQUAL(path, self);
	CU_ASSERT(dladdr((void *)test_module_of, &info) && (uintptr_t)info.dli_fbase == base);
	/* libc. */
	CU_ASSERT_EQUAL(plat_module_of((uintptr_t)fn, &path, &base), 0);
	CU_ASSERT(strstr(path, "/libc") != NULL);
	CU_ASSERT(dladdr(fn, &info) && (uintptr_t)info.dli_fbase == base);
	/* Anonymous memory is no module. */
	CU_ASSERT_EQUAL(plat_module_of((uintptr_t)heap, &path, &base), -1);
	free(heap);
}

static void test_resolve_safe(void)
{
	struct sym_frame f, g;
	uintptr_t pc = (uintptr_t)test_resolve_safe + 16;

	/* Not symbolized yet: module and offset only. */
	sym_resolve_safe(pc, 1, &f);
	CU_ASSERT(f.pc == pc && f.function == NULL && f.file == NULL && f.line == 0);
	CU_ASSERT(f.module != NULL && f.module_offset != 0);
	/* Once symbolized, the cached answer. */
	sym_resolve(pc, 1, &g);
	CU_ASSERT_PTR_NOT_NULL(g.function);
	sym_resolve_safe(pc, 1, &f);
	CU_ASSERT(f.function == g.function && f.module_offset == g.module_offset);
	sym_resolve_safe(1000, 1, &f);
	CU_ASSERT(f.module == NULL && f.function == NULL);
}

static CU_TestInfo tests[] = {
	{ "inside_and_outside", test_inside_and_outside },
	{ "nested_handlers", test_nested_handlers },
	{ "siglongjmp_out", test_siglongjmp_out },
	{ "alternate_stack", test_alternate_stack },
	{ "oldact_is_the_programs", test_oldact_is_the_programs },
	{ "module_of", test_module_of },
	{ "resolve_safe", test_resolve_safe },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "sigctx", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
