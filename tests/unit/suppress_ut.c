/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for reports/suppress.c: parsing good files, every error class
 * with its line number and the all-or-nothing rule, loading from disk,
 * the glob semantics (anchors, stars, substring, a pathological pattern),
 * matching by function, file and module names, the '*' id, hit counting
 * (also from several threads) and the "Suppressions used:" table.
 * Each test builds its own set; the sets are static (about 80 KiB each).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "helpers/cunit_helpers.h"
#include "reports/suppress.h"

static struct supp_set set, snap;
static char err[512];

static int parse_str(const char *text)
{
	err[0] = '\0';
	return supp_parse(&set, text, strlen(text), "test.supp", err, sizeof(err));
}

/* ---- parsing ------------------------------------------------------------ */

static void test_parse_good_file(void)
{
	static const char text[] = "# dmasan suppressions\n"
				   "\n"
				   "unmap-size-mismatch:legacy_nic_*\r\n"
				   "   double-unmap : ^drv_teardown$   \n"
				   "\t# indented comment\n"
				   "*:libvendor.so\n"
				   "sync-dir-mismatch:ns::Class::method\n"
				   "   \t  \n"
				   "map-stack-memory:last line without newline";

	memset(&set, 0, sizeof(set));
	CU_ASSERT_EQUAL(parse_str(text), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	DMASAN_ASSERT_FATAL(set.n == 5);
	CU_ASSERT_STRING_EQUAL(set.rules[0].id, "unmap-size-mismatch");
	CU_ASSERT_STRING_EQUAL(set.rules[0].pattern, "legacy_nic_*");
	CU_ASSERT_STRING_EQUAL(set.rules[1].id, "double-unmap");
	CU_ASSERT_STRING_EQUAL(set.rules[1].pattern, "^drv_teardown$");
	CU_ASSERT_STRING_EQUAL(set.rules[2].id, "*");
	CU_ASSERT_STRING_EQUAL(set.rules[2].pattern, "libvendor.so");
	CU_ASSERT_STRING_EQUAL(set.rules[3].pattern, "ns::Class::method");
	CU_ASSERT_STRING_EQUAL(set.rules[4].pattern, "last line without newline");
	CU_ASSERT_EQUAL(set.rules[0].hits, 0);
}

static void test_parse_appends_and_empty_text(void)
{
	memset(&set, 0, sizeof(set));
	CU_ASSERT_EQUAL(parse_str("double-unmap:a\n"), 0);
	CU_ASSERT_EQUAL(parse_str("double-unmap:b\n"), 0);
	CU_ASSERT_EQUAL(set.n, 2);
	CU_ASSERT_STRING_EQUAL(set.rules[1].pattern, "b");
	CU_ASSERT_EQUAL(parse_str(""), 0);
	CU_ASSERT_EQUAL(supp_parse(&set, NULL, 0, NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(set.n, 2);
	/* Text need not be NUL-terminated: only @len bytes count. */
	CU_ASSERT_EQUAL(supp_parse(&set, "double-unmap:cXXXX", 14, "t", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(set.n, 3);
	CU_ASSERT_STRING_EQUAL(set.rules[2].pattern, "c");
}

struct err_case {
	const char *text;
	const char *want; /* expected start of the error line */
};

static void check_error(const char *text, size_t len, const char *want)
{
	int rc;

	memcpy(&snap, &set, sizeof(set));
	err[0] = '\0';
	rc = supp_parse(&set, text, len, "test.supp", err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&snap, &set, sizeof(set)), 0);
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	if (strncmp(err, want, strlen(want)) != 0) {
		fprintf(stderr, "\n  got '%s', want '%s...'\n", err, want);
		CU_FAIL("wrong error line");
	}
}

static void test_parse_error_classes(void)
{
	static const struct err_case cases[] = {
		{ "# c\nno-such-id:foo\n", "test.supp:2: unknown finding id 'no-such-id'" },
		{ "double-unmap:a\n\nnocolon\n", "test.supp:3: expected 'id:pattern'" },
		{ ":pattern\n", "test.supp:1: empty finding id" },
		{ "   : x\n", "test.supp:1: empty finding id" },
		{ "double-unmap:a\ndouble-unmap:\n", "test.supp:2: empty pattern" },
		{ "double-unmap:   \r\n", "test.supp:1: empty pattern" },
		{ "double-unmap:a\x1b[2J\n", "test.supp:1: control character 0x1b" },
		{ "Double-Unmap:a\n", "test.supp:1: unknown finding id" },
		{ "double-unmap-and-some-more-to-make-it-very-long-indeed:x\n",
		  "test.supp:1: unknown finding id "
		  "'double-unmap-and-some-more-to-make-it-very-long-...'" },
	};
	size_t i;

	memset(&set, 0, sizeof(set));
	CU_ASSERT_EQUAL(parse_str("double-unmap:keep\nnull-device:me\n"), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_error(cases[i].text, strlen(cases[i].text), cases[i].want);
	/* A NUL byte inside the text. */
	check_error("double-unmap:a\ndouble\0unmap:b\n", 30, "test.supp:2: NUL byte in line");
	CU_ASSERT_EQUAL(set.n, 2);
}

static void test_parse_line_length_limit(void)
{
	static char text[1200];
	size_t pre = strlen("double-unmap:");

	memset(&set, 0, sizeof(set));
	/* Exactly 1000 characters is fine, as a comment. */
	memset(text, 'a', 1000);
	text[0] = '#';
	text[1000] = '\n';
	text[1001] = '\0';
	CU_ASSERT_EQUAL(parse_str(text), 0);
	/* 1001 characters is not, even as a comment. */
	memcpy(text, "double-unmap:ok\n#", 17);
	memset(text + 17, 'b', 1000);
	text[17 + 1000] = '\0';
	check_error(text, strlen(text), "test.supp:2: line longer than 1000 characters");
	/* A pattern longer than the rule can hold. */
	memcpy(text, "double-unmap:", pre);
	memset(text + pre, 'c', SUPP_PATTERN_MAX);
	text[pre + SUPP_PATTERN_MAX] = '\0';
	check_error(text, strlen(text), "test.supp:1: pattern longer than 255 characters");
	text[pre + SUPP_PATTERN_MAX - 1] = '\0';
	CU_ASSERT_EQUAL(parse_str(text), 0);
	CU_ASSERT_EQUAL(strlen(set.rules[0].pattern), SUPP_PATTERN_MAX - 1);
}

static void test_parse_too_many_rules(void)
{
	static char text[SUPP_MAX * 20 + 64];
	size_t len = 0;
	int i;

	memset(&set, 0, sizeof(set));
	for (i = 0; i < SUPP_MAX + 1; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "double-unmap:f%d\n", i);
	check_error(text, len, "test.supp:257: too many suppressions (at most 256)");
	CU_ASSERT_EQUAL(set.n, 0);
	/* Exactly SUPP_MAX fit... */
	text[len - strlen("double-unmap:f256\n")] = '\0';
	CU_ASSERT_EQUAL(parse_str(text), 0);
	CU_ASSERT_EQUAL(set.n, SUPP_MAX);
	/* ...and one more, in a second file, does not. */
	check_error("# more\ndouble-unmap:x\n", 22, "test.supp:2: too many suppressions");
	CU_ASSERT_EQUAL(set.n, SUPP_MAX);
}

static void test_parse_null_origin_and_err(void)
{
	memset(&set, 0, sizeof(set));
	CU_ASSERT_EQUAL(supp_parse(&set, "x\n", 2, NULL, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(strncmp(err, "suppressions:1: ", 16), 0);
	CU_ASSERT_EQUAL(supp_parse(&set, "x\n", 2, "f", NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(supp_parse(&set, "x\n", 2, "f", err, 8), -EINVAL);
	CU_ASSERT_EQUAL(strlen(err), 7);
	CU_ASSERT_EQUAL(set.n, 0);
}

/* ---- loading ------------------------------------------------------------ */

static void test_load_missing_file(void)
{
	memset(&set, 0, sizeof(set));
	CU_ASSERT_EQUAL(supp_load(&set, "/nonexistent/dmasan.supp", err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/dmasan.supp"));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	CU_ASSERT_EQUAL(supp_load(&set, "", err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(set.n, 0);
}

static void test_load_file(void)
{
	char path[] = "/tmp/dmasan-supp-XXXXXX";
	static const char good[] = "# test\ndouble-unmap:fn_a\n*:libx.so\n";
	static const char bad[] = "double-unmap:fn_a\nbogus-id:x\n";
	int fd = mkstemp(path);

	DMASAN_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, good, sizeof(good) - 1), (ssize_t)(sizeof(good) - 1));
	close(fd);
	memset(&set, 0, sizeof(set));
	CU_ASSERT_EQUAL(supp_load(&set, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(set.n, 2);

	fd = open(path, O_WRONLY | O_TRUNC);
	DMASAN_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, bad, sizeof(bad) - 1), (ssize_t)(sizeof(bad) - 1));
	close(fd);
	CU_ASSERT_EQUAL(supp_load(&set, path, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":2: unknown finding id 'bogus-id'"));
	CU_ASSERT_EQUAL(set.n, 2);
	unlink(path);
}

/* ---- glob --------------------------------------------------------------- */

static void test_glob_table(void)
{
	static const struct {
		const char *pat, *name;
		int want;
	} t[] = {
		/* substring without anchors */
		{ "foo", "foo", 1 },
		{ "foo", "xfooy", 1 },
		{ "foo", "fo", 0 },
		{ "foo", "", 0 },
		{ "", "", 1 },
		{ "", "anything", 1 },
		/* anchors */
		{ "^foo", "foobar", 1 },
		{ "^foo", "xfoo", 0 },
		{ "foo$", "barfoo", 1 },
		{ "foo$", "foox", 0 },
		{ "^foo$", "foo", 1 },
		{ "^foo$", "foo2", 0 },
		{ "^foo$", "afoo", 0 },
		{ "^", "x", 1 },
		{ "$", "x", 1 },
		{ "^$", "", 1 },
		{ "^$", "x", 0 },
		/* '^' and '$' elsewhere are literal */
		{ "a^b", "xa^by", 1 },
		{ "a^b", "ab", 0 },
		{ "a$b", "a$b", 1 },
		{ "^^a", "^a", 1 },
		{ "^^a", "a", 0 },
		{ "a$$", "xa$", 1 },
		{ "a$$", "xa", 0 },
		/* stars */
		{ "*", "", 1 },
		{ "^*$", "abc", 1 },
		{ "^a*c$", "abbbc", 1 },
		{ "^a*c$", "ac", 1 },
		{ "^a*c$", "abcd", 0 },
		{ "a*c", "xxabyyczz", 1 },
		{ "^a*b*c$", "aXbYc", 1 },
		{ "^a*b*c$", "aXcYb", 0 },
		{ "^*.c$", "drv.c", 1 },
		{ "^*.c$", "drv.cc", 0 },
		{ "**", "x", 1 },
		{ "^a**b$", "ab", 1 },
		{ "^*a*$", "bbb", 0 },
		{ "^*ab$", "aab", 1 },
		{ "^*aab$", "aaab", 1 },
		{ "^*aab$", "abab", 0 },
		{ "legacy_nic_*", "legacy_nic_rx", 1 },
		{ "nic_*_free", "my_nic_rx_free", 1 },
		{ "^nic_*_free$", "nic_rx_freed", 0 },
		/* case-sensitive */
		{ "Foo", "foo", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = supp_glob(t[i].pat, t[i].name);

		if (got != t[i].want) {
			fprintf(stderr, "\n  glob('%s', '%s') = %d, want %d\n", t[i].pat, t[i].name,
				got, t[i].want);
			CU_FAIL("glob mismatch");
		}
	}
	CU_ASSERT_EQUAL(supp_glob(NULL, "x"), 0);
	CU_ASSERT_EQUAL(supp_glob("x", NULL), 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_glob_pathological_is_fast(void)
{
	static char name[20001];
	double t0;
	int i;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	t0 = now_s();
	for (i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(supp_glob("*a*a*a*a*a*a*a*a*a*a*b", name), 0);
		CU_ASSERT_EQUAL(supp_glob("^*a*a*a*a*a*a*a*a*a*a*b$", name), 0);
		CU_ASSERT_EQUAL(supp_glob("^a*a*a*a*a*a*a*a*a*a*a$", name), 1);
	}
	/*
	 * Linear-ish work is a few milliseconds here; exponential
	 * backtracking would not finish. The bound is deliberately loose.
	 */
	CU_ASSERT(now_s() - t0 < 5.0);
}

/* ---- matching ----------------------------------------------------------- */

static const struct sym_frame frames[] = {
	{ 0x1000, NULL, NULL, 0, NULL, 0 },
	{ 0x2000, "nic_rx_refill", "/src/drivers/nic/rx.c", 42, "/usr/lib/libnicdrv.so.1", 0x200 },
	{ 0x3000, "main", "/src/app/main.c", 7, "/usr/bin/app", 0x300 },
};

static void load_rules(const char *text)
{
	memset(&set, 0, sizeof(set));
	DMASAN_ASSERT_FATAL(parse_str(text) == 0);
}

static void test_match_by_function(void)
{
	load_rules("double-unmap:nic_rx_*\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 0);
	CU_ASSERT_EQUAL(supp_match(&set, "unmap-size-mismatch", frames, 3), -1);
	load_rules("double-unmap:^refill\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), -1);
	load_rules("double-unmap:^main$\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 0);
}

static void test_match_by_file(void)
{
	load_rules("double-unmap:^rx.c$\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 0);
	load_rules("double-unmap:^/src/drivers/*\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 0);
	load_rules("double-unmap:drivers/nic/\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 0);
	load_rules("double-unmap:^drivers\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), -1);
}

static void test_match_by_module(void)
{
	load_rules("double-unmap:^libnicdrv.so*\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 0);
	load_rules("double-unmap:^/usr/bin/app$\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 0);
	load_rules("double-unmap:^app$\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 0);
	load_rules("double-unmap:libother.so\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), -1);
}

static void test_match_star_id_and_order(void)
{
	load_rules("unmap-size-mismatch:main\n*:nic_rx\ndouble-unmap:main\n");
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 1);
	CU_ASSERT_EQUAL(supp_match(&set, "unmap-size-mismatch", frames, 3), 0);
	CU_ASSERT_EQUAL(supp_match(&set, "anything-at-all", frames, 3), 1);
	/* Only frames 0..nframes-1 are looked at. */
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 1), -1);
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 0), -1);
	CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", NULL, 0), -1);
	CU_ASSERT_EQUAL(supp_match(NULL, "double-unmap", frames, 3), -1);
	CU_ASSERT_EQUAL(supp_match(&set, NULL, frames, 3), -1);
}

static void test_match_counts_hits(void)
{
	int i;

	load_rules("double-unmap:nic_rx\nnull-device:main\n*:never_matches_anything\n");
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(supp_match(&set, "double-unmap", frames, 3), 0);
	CU_ASSERT_EQUAL(supp_match(&set, "null-device", frames, 3), 1);
	CU_ASSERT_EQUAL(supp_match(&set, "sync-not-mapped", frames, 3), -1);
	CU_ASSERT_EQUAL(set.rules[0].hits, 5);
	CU_ASSERT_EQUAL(set.rules[1].hits, 1);
	CU_ASSERT_EQUAL(set.rules[2].hits, 0);
}

#define NTHREADS 4
#define PER_THREAD 20000

static void *hammer(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < PER_THREAD; i++)
		(void)supp_match(&set, "double-unmap", frames, 3);
	return NULL;
}

static void test_match_counts_hits_concurrently(void)
{
	pthread_t th[NTHREADS];
	int i;

	load_rules("double-unmap:main\n");
	for (i = 0; i < NTHREADS; i++)
		DMASAN_ASSERT_FATAL(pthread_create(&th[i], NULL, hammer, NULL) == 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(set.rules[0].hits, (unsigned long)NTHREADS * PER_THREAD);
}

/* ---- format_used -------------------------------------------------------- */

static void test_format_used_lists_only_used(void)
{
	char buf[1024];
	size_t n;
	int i;

	load_rules("double-unmap:nic_rx\nnull-device:never\n*:^main$\n");
	memset(buf, 'X', sizeof(buf));
	CU_ASSERT_EQUAL(supp_format_used(&set, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	for (i = 0; i < 3; i++)
		(void)supp_match(&set, "double-unmap", frames, 3);
	(void)supp_match(&set, "sync-not-mapped", frames, 3);
	n = supp_format_used(&set, buf, sizeof(buf));
	CU_ASSERT_EQUAL(n, strlen(buf));
	CU_ASSERT_STRING_EQUAL(buf, "Suppressions used:\n"
				    "  count id:pattern\n"
				    "      3 double-unmap:nic_rx\n"
				    "      1 *:^main$\n");
	CU_ASSERT_PTR_NULL(strstr(buf, "never"));
}

static void test_format_used_truncates_whole_lines(void)
{
	char buf[128];
	size_t n;

	load_rules("double-unmap:nic_rx\n*:^main$\n");
	(void)supp_match(&set, "double-unmap", frames, 3);
	(void)supp_match(&set, "null-device", frames, 3);
	n = supp_format_used(&set, buf, 70);
	CU_ASSERT_EQUAL(n, strlen(buf));
	CU_ASSERT_STRING_EQUAL(buf, "Suppressions used:\n"
				    "  count id:pattern\n"
				    "      1 double-unmap:nic_rx\n");
	CU_ASSERT_EQUAL(supp_format_used(&set, buf, 10), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(supp_format_used(&set, buf, 0), 0);
	CU_ASSERT_EQUAL(supp_format_used(NULL, buf, sizeof(buf)), 0);
}

static CU_TestInfo tests_parse[] = {
	{ "test_parse_good_file", test_parse_good_file },
	{ "test_parse_appends_and_empty_text", test_parse_appends_and_empty_text },
	{ "test_parse_error_classes", test_parse_error_classes },
	{ "test_parse_line_length_limit", test_parse_line_length_limit },
	{ "test_parse_too_many_rules", test_parse_too_many_rules },
	{ "test_parse_null_origin_and_err", test_parse_null_origin_and_err },
	{ "test_load_missing_file", test_load_missing_file },
	{ "test_load_file", test_load_file },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_glob[] = {
	{ "test_glob_table", test_glob_table },
	{ "test_glob_pathological_is_fast", test_glob_pathological_is_fast },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_match[] = {
	{ "test_match_by_function", test_match_by_function },
	{ "test_match_by_file", test_match_by_file },
	{ "test_match_by_module", test_match_by_module },
	{ "test_match_star_id_and_order", test_match_star_id_and_order },
	{ "test_match_counts_hits", test_match_counts_hits },
	{ "test_match_counts_hits_concurrently", test_match_counts_hits_concurrently },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_used[] = {
	{ "test_format_used_lists_only_used", test_format_used_lists_only_used },
	{ "test_format_used_truncates_whole_lines", test_format_used_truncates_whole_lines },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "suppress/parse", NULL, NULL, NULL, NULL, tests_parse },
	{ "suppress/glob", NULL, NULL, NULL, NULL, tests_glob },
	{ "suppress/match", NULL, NULL, NULL, NULL, tests_match },
	{ "suppress/used", NULL, NULL, NULL, NULL, tests_used },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
