/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the symbolizer (reports/symbolize.c): a return address
 * in this file resolves to its function, this file and the call's line;
 * libc code resolves to a libc module; garbage PCs give NULLs; answers
 * are cached with stable strings, survive sym_reset(), cover a library
 * loaded after the first lookup, and two threads may resolve at once.
 * Built -g (RelWithDebInfo), so libdw finds this program's line table.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "helpers/cunit_helpers.h"
#include "reports/symbolize.h"

/* Not inlined, cloned or specialised, so that symbols match the source. */
#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noipa))
#endif

static _Atomic int sink; /* defeats tail calls; touched by threads */

static NOINLINE uintptr_t return_address(void)
{
	sink++;
	return (uintptr_t)__builtin_return_address(0);
}

/* A return address inside this function; *@line is the call's line. */
static NOINLINE uintptr_t symbolize_probe_site(int *line)
{
	uintptr_t pc;

	pc = return_address();
	*line = __LINE__;
	sink++;
	return pc;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n, m;

	if (!s)
		return 0;
	n = strlen(s);
	m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void test_own_function_resolves_to_name_file_line(void)
{
	struct sym_frame f;
	int line = 0;
	uintptr_t pc = symbolize_probe_site(&line);

	sym_resolve(pc, 1, &f);
	CU_ASSERT_EQUAL(f.pc, pc);
	DMASAN_ASSERT_FATAL(f.function != NULL);
	CU_ASSERT_STRING_EQUAL(f.function, "symbolize_probe_site");
	CU_ASSERT(ends_with(f.file, "/symbolize_ut.c") || ends_with(f.file, "symbolize_ut.c"));
	CU_ASSERT(f.line >= line - 1 && f.line <= line + 1);
	DMASAN_ASSERT_FATAL(f.module != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.module, "symbolize_ut"));
	CU_ASSERT(f.module_offset > 0 && f.module_offset < pc);
}

static void test_without_debuginfo_no_file(void)
{
	struct sym_frame f;
	int line = 0;
	uintptr_t pc = symbolize_probe_site(&line);

	sym_resolve(pc, 0, &f);
	CU_ASSERT_PTR_NULL(f.file);
	CU_ASSERT_EQUAL(f.line, 0);
	DMASAN_ASSERT_FATAL(f.module != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.module, "symbolize_ut"));
	CU_ASSERT(f.module_offset > 0);
}

static void test_libc_function_resolves_to_libc(void)
{
	struct sym_frame f;
	uintptr_t pc = (uintptr_t)(void *)&getpid;

	sym_resolve(pc + 1, 1, &f);
	DMASAN_ASSERT_FATAL(f.module != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.module, "libc"));
	DMASAN_ASSERT_FATAL(f.function != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.function, "getpid"));
	sym_resolve(pc + 1, 0, &f);
	DMASAN_ASSERT_FATAL(f.module != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.module, "libc"));
}

static void test_garbage_pcs_give_nulls(void)
{
	static const uintptr_t bad[] = {
		0, 1, 0x10, 0xfff, 0xdeadbeef000u, UINTPTR_MAX, UINTPTR_MAX - 4096
	};
	struct sym_frame f;
	size_t i;
	int dbg;

	for (dbg = 0; dbg < 2; dbg++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memset(&f, 0x5a, sizeof(f));
			sym_resolve(bad[i], dbg, &f);
			CU_ASSERT_EQUAL(f.pc, bad[i]);
			CU_ASSERT_PTR_NULL(f.function);
			CU_ASSERT_PTR_NULL(f.file);
			CU_ASSERT_PTR_NULL(f.module);
			CU_ASSERT_EQUAL(f.line, 0);
		}
	}
	sym_resolve(0x1234, 1, NULL);
}

static void test_cached_answers_are_stable(void)
{
	struct sym_frame a, b;
	int line;
	uintptr_t pc = symbolize_probe_site(&line);

	sym_resolve(pc, 1, &a);
	sym_resolve(pc, 1, &b);
	CU_ASSERT_PTR_EQUAL(a.function, b.function);
	CU_ASSERT_PTR_EQUAL(a.file, b.file);
	CU_ASSERT_PTR_EQUAL(a.module, b.module);
	CU_ASSERT_EQUAL(a.line, b.line);
	sym_reset();
	sym_resolve(pc, 1, &b);
	/* The strings handed out before the reset are still readable. */
	DMASAN_ASSERT_FATAL(a.function && b.function && a.file && b.file);
	CU_ASSERT_STRING_EQUAL(a.function, b.function);
	CU_ASSERT_STRING_EQUAL(a.file, b.file);
	CU_ASSERT_EQUAL(a.line, b.line);
}

static void test_library_loaded_later_resolves(void)
{
	static const char *const libs[] = { "libresolv.so.2", "libutil.so.1", "libanl.so.1" };
	static const char *const syms[] = { "ns_name_uncompress", "openpty", "getaddrinfo_a" };
	struct sym_frame f;
	void *h = NULL, *fn = NULL;
	size_t i;
	int line;

	/* Make sure the session exists before the library is loaded. */
	sym_resolve(symbolize_probe_site(&line), 1, &f);
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]) && !fn; i++) {
		h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
		if (h)
			fn = dlsym(h, syms[i]);
	}
	if (!fn) {
		CU_PASS("no library to load");
		return;
	}
	sym_resolve((uintptr_t)fn + 1, 1, &f);
	DMASAN_ASSERT_FATAL(f.module != NULL);
	CU_ASSERT_PTR_NULL(strstr(f.module, "symbolize_ut"));
	CU_ASSERT_PTR_NOT_NULL(f.function);
	CU_ASSERT(f.module_offset > 0);
}

#define MT_ROUNDS 2000

static void *mt_worker(void *arg)
{
	struct sym_frame f;
	int i, line, *bad = arg;
	uintptr_t pc = symbolize_probe_site(&line);

	for (i = 0; i < MT_ROUNDS; i++) {
		sym_resolve(pc + (uintptr_t)(i % 64), 1, &f);
		if (!f.module)
			(*bad)++;
		if (i % 500 == 0)
			sym_reset();
	}
	return NULL;
}

static void test_two_threads_do_not_deadlock(void)
{
	pthread_t t[2];
	int bad[2] = { 0, 0 }, i;

	for (i = 0; i < 2; i++)
		DMASAN_ASSERT_FATAL(pthread_create(&t[i], NULL, mt_worker, &bad[i]) == 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CU_ASSERT_EQUAL(bad[0], 0);
	CU_ASSERT_EQUAL(bad[1], 0);
}

static CU_TestInfo resolve_tests[] = {
	{ "own function gives name, file and line", test_own_function_resolves_to_name_file_line },
	{ "without debuginfo: module, no file", test_without_debuginfo_no_file },
	{ "libc code resolves to a libc module", test_libc_function_resolves_to_libc },
	{ "garbage PCs give NULLs", test_garbage_pcs_give_nulls },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo cache_tests[] = {
	{ "cached answers are stable across reset", test_cached_answers_are_stable },
	{ "a library loaded later resolves", test_library_loaded_later_resolves },
	{ "two threads do not deadlock", test_two_threads_do_not_deadlock },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "symbolize/resolve", NULL, NULL, NULL, NULL, resolve_tests },
	{ "symbolize/cache", NULL, NULL, NULL, NULL, cache_tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
