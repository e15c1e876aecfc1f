/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/options.c: defaults from the table, the
 * DMASAN_OPTIONS syntax (separators, quotes, every type's accepted and
 * rejected forms, overflow), all-or-nothing parsing with exactly one
 * diagnostic line per error, unknown names and strict mode, validation
 * of ranges and choices, help and value formatting, and a fuzz loop.
 * Each test starts from fresh defaults; no state is shared between tests.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "helpers/cunit_helpers.h"
#include "core/options.h"

#define SRC "DMASAN_OPTIONS"

/* What the diag callback saw. */
struct diag_log {
	int n;
	int multiline; /* a line contained '\n' */
	size_t longest;
	char first[2048];
	char last[2048];
};

static void diag_cb(void *arg, const char *line)
{
	struct diag_log *l = arg;

	if (l->n == 0)
		snprintf(l->first, sizeof(l->first), "%s", line);
	snprintf(l->last, sizeof(l->last), "%s", line);
	if (strchr(line, '\n'))
		l->multiline = 1;
	if (strlen(line) > l->longest)
		l->longest = strlen(line);
	l->n++;
}

static struct dmasan_options opt;
static struct diag_log dl;

static void reset(void)
{
	options_set_defaults(&opt);
	memset(&dl, 0, sizeof(dl));
}

static int parse(const char *s)
{
	memset(&dl, 0, sizeof(dl));
	return options_parse(&opt, SRC, s, diag_cb, &dl);
}

/* Parse @s; assert it fails with one line containing @needle and no change. */
static void expect_reject(const char *s, const char *needle)
{
	struct dmasan_options before = opt;
	int rc = parse(s);

	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_EQUAL(dl.n, 1);
	CU_ASSERT_EQUAL(dl.multiline, 0);
	CU_ASSERT_EQUAL(memcmp(&before, &opt, sizeof(opt)), 0);
	CU_ASSERT_EQUAL(strncmp(dl.first, "dmasan: " SRC ": ", strlen("dmasan: " SRC ": ")), 0);
	if (needle && !strstr(dl.first, needle)) {
		fprintf(stderr, "\n  input '%s': line '%s' lacks '%s'\n", s, dl.first, needle);
		CU_FAIL("diag line lacks the expected text");
	}
}

static void expect_accept(const char *s)
{
	int rc = parse(s);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	if (rc || dl.n)
		fprintf(stderr, "\n  input '%s' rejected: %s\n", s, dl.first);
}

/* ---- defaults and accessors ------------------------------------------ */

static void test_defaults_match_table(void)
{
	char buf[OPTIONS_STR_MAX];
	int i;

	reset();
	CU_ASSERT(options_count() > 0);
	for (i = 0; i < options_count(); i++) {
		const char *name = options_name(i);

		DMASAN_ASSERT_FATAL(name != NULL);
		CU_ASSERT_PTR_NOT_NULL(options_help(i));
		CU_ASSERT_PTR_NOT_NULL(options_type(i));
		DMASAN_ASSERT_FATAL(options_default(i) != NULL);
		CU_ASSERT_EQUAL(options_format_value(&opt, name, buf, sizeof(buf)), 0);
		CU_ASSERT_STRING_EQUAL(buf, options_default(i));
	}
	CU_ASSERT_EQUAL(opt.exitcode, 23);
	CU_ASSERT_STRING_EQUAL(opt.log_path, "stderr");
	CU_ASSERT_EQUAL(opt.swiotlb_size, (size_t)64 << 20);
	CU_ASSERT_EQUAL(opt.print_suppressions, 1);
	CU_ASSERT_EQUAL(options_validate(&opt, diag_cb, &dl), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
}

static void test_accessors_out_of_range_null(void)
{
	CU_ASSERT_PTR_NULL(options_name(-1));
	CU_ASSERT_PTR_NULL(options_name(options_count()));
	CU_ASSERT_PTR_NULL(options_help(options_count()));
	CU_ASSERT_PTR_NULL(options_type(-1));
	CU_ASSERT_PTR_NULL(options_default(options_count()));
}

static void test_types_named(void)
{
	int i, seen[4] = { 0 };

	for (i = 0; i < options_count(); i++) {
		const char *t = options_type(i);

		if (strcmp(t, "bool") == 0)
			seen[0]++;
		else if (strcmp(t, "int") == 0)
			seen[1]++;
		else if (strcmp(t, "size") == 0)
			seen[2]++;
		else if (strcmp(t, "string") == 0)
			seen[3]++;
		else
			CU_FAIL("unknown type name");
	}
	CU_ASSERT(seen[0] && seen[1] && seen[2] && seen[3]);
	for (i = 0; i < options_count(); i++)
		if (strcmp(options_name(i), "exitcode") == 0)
			CU_ASSERT_STRING_EQUAL(options_type(i), "int");
}

/* ---- syntax ------------------------------------------------------------ */

static void test_parse_null_and_empty_apply_nothing(void)
{
	struct dmasan_options before;

	reset();
	before = opt;
	CU_ASSERT_EQUAL(options_parse(&opt, SRC, NULL, diag_cb, &dl), 0);
	CU_ASSERT_EQUAL(parse(""), 0);
	CU_ASSERT_EQUAL(parse(" :,\t\n"), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	CU_ASSERT_EQUAL(memcmp(&before, &opt, sizeof(opt)), 0);
	/* A NULL diag callback is allowed. */
	CU_ASSERT_EQUAL(options_parse(&opt, SRC, "bogus", NULL, NULL), -EINVAL);
}

static void test_parse_each_separator(void)
{
	static const char *const seps[] = { ":", ",", " ", "\t", "\n", "\r", ":,: \t\n" };
	size_t i;
	char s[128];

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		reset();
		snprintf(s, sizeof(s), "%sexitcode=7%sverbosity=2%s", seps[i], seps[i], seps[i]);
		expect_accept(s);
		CU_ASSERT_EQUAL(opt.exitcode, 7);
		CU_ASSERT_EQUAL(opt.verbosity, 2);
	}
}

static void test_parse_quotes_keep_separators(void)
{
	reset();
	expect_accept("log_path='/tmp/a:b,c d':exitcode=3");
	CU_ASSERT_STRING_EQUAL(opt.log_path, "/tmp/a:b,c d");
	CU_ASSERT_EQUAL(opt.exitcode, 3);
	expect_accept("strip_path_prefix=\"/src/it's here/\" verbosity=1");
	CU_ASSERT_STRING_EQUAL(opt.strip_path_prefix, "/src/it's here/");
	CU_ASSERT_EQUAL(opt.verbosity, 1);
	expect_accept("suppressions=''");
	CU_ASSERT_STRING_EQUAL(opt.suppressions, "");
	expect_accept("exitcode=\"42\"");
	CU_ASSERT_EQUAL(opt.exitcode, 42);
	expect_accept("driver_filter=\"a\nb\"");
	CU_ASSERT_STRING_EQUAL(opt.driver_filter, "a\nb");
}

static void test_parse_quote_errors(void)
{
	reset();
	expect_reject("log_path='/tmp/x", "unterminated quote");
	expect_reject("log_path=\"abc':exitcode=1", "unterminated quote");
	expect_reject("log_path='a'b", "separator after the closing quote");
}

static void test_parse_malformed_pairs(void)
{
	reset();
	expect_reject("exitcode", "malformed option 'exitcode': expected '='");
	expect_reject("exitcode=1:verbosity", "'verbosity'");
	expect_reject("exitcode =1", "'exitcode'");
	expect_reject("=5", "empty option name");
	expect_reject("exitcode=1,=", "empty option name");
}

static void test_parse_error_line_shape(void)
{
	reset();
	expect_reject("exitcode=abc", NULL);
	CU_ASSERT_STRING_EQUAL(dl.first, "dmasan: DMASAN_OPTIONS: malformed option 'exitcode=abc': "
					 "expected an integer (decimal or 0x hex)");
	/* NULL source gets a generic name. */
	memset(&dl, 0, sizeof(dl));
	CU_ASSERT_EQUAL(options_parse(&opt, NULL, "exitcode=x", diag_cb, &dl), -EINVAL);
	CU_ASSERT_EQUAL(dl.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(dl.first, "dmasan: options: "));
}

static void test_parse_long_offending_text_truncated(void)
{
	char s[4096];

	reset();
	memcpy(s, "exitcode=", 9);
	memset(s + 9, '7', sizeof(s) - 10);
	s[sizeof(s) - 2] = 'x';
	s[sizeof(s) - 1] = '\0';
	expect_reject(s, "...");
	CU_ASSERT(dl.longest < 300);
	/* Control characters are escaped, so the line stays one line. */
	expect_reject("exitcode='1\n\x1b[2J'", "\\x0a\\x1b");
}

static void test_parse_later_pairs_win(void)
{
	reset();
	expect_accept("exitcode=1:exitcode=2,exitcode=3");
	CU_ASSERT_EQUAL(opt.exitcode, 3);
	expect_accept("log_path=a log_path=bb");
	CU_ASSERT_STRING_EQUAL(opt.log_path, "bb");
}

/* ---- types ------------------------------------------------------------- */

static void test_bool_forms(void)
{
	static const struct {
		const char *v;
		int want;
	} ok[] = {
		{ "1", 1 },  { "0", 0 },    { "true", 1 },  { "false", 0 }, { "yes", 1 },
		{ "no", 0 }, { "TRUE", 1 }, { "False", 0 }, { "YeS", 1 },   { "NO", 0 },
	};
	static const char *const bad[] = { "2", "", "on", "off", "truex", "-1", "y", "01", "t" };
	char s[64];
	size_t i;

	reset();
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		opt.halt_on_error = !ok[i].want;
		snprintf(s, sizeof(s), "halt_on_error=%s", ok[i].v);
		expect_accept(s);
		CU_ASSERT_EQUAL(opt.halt_on_error, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(s, sizeof(s), "halt_on_error=%s", bad[i]);
		expect_reject(s, "expected 0, 1, true, false, yes or no");
	}
}

static void test_int_forms(void)
{
	static const struct {
		const char *v;
		long want;
	} ok[] = {
		{ "42", 42 },
		{ "-5", -5 },
		{ "+7", 7 },
		{ "0", 0 },
		{ "007", 7 },
		{ "0x1F", 31 },
		{ "0XfF", 255 },
		{ "-0x10", -16 },
		{ "9223372036854775807", LONG_MAX },
		{ "-9223372036854775808", LONG_MIN },
		{ "0x7fffffffffffffff", LONG_MAX },
	};
	static const char *const bad[] = { "abc", "",	 "12x", "0x", "-",    "+",
					   "1.5", "0xg", "--1", "1k", "0b101" };
	static const char *const big[] = { "9223372036854775808", "-9223372036854775809",
					   "0x8000000000000000", "99999999999999999999999999",
					   "0xffffffffffffffffff" };
	char s[128];
	size_t i;

	reset();
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(s, sizeof(s), "seed=%s", ok[i].v);
		expect_accept(s);
		CU_ASSERT_EQUAL(opt.seed, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(s, sizeof(s), "seed=%s", bad[i]);
		expect_reject(s, "expected an integer");
	}
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		snprintf(s, sizeof(s), "seed=%s", big[i]);
		expect_reject(s, "out of range");
	}
}

static void test_size_forms(void)
{
	static const struct {
		const char *v;
		size_t want;
	} ok[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "4k", 4096 },
		{ "4K", 4096 },
		{ "4KB", 4096 },
		{ "4KiB", 4096 },
		{ "4kib", 4096 },
		{ "2m", 2u << 20 },
		{ "2MB", 2u << 20 },
		{ "3MiB", 3u << 20 },
		{ "1G", (size_t)1 << 30 },
		{ "1gb", (size_t)1 << 30 },
		{ "5GiB", (size_t)5 << 30 },
		{ "18446744073709551615", SIZE_MAX },
		{ "18014398509481983K", (SIZE_MAX >> 10) << 10 },
	};
	static const char *const bad[] = { "-1", "+1",	"0x10", "",    "4T", "4kbx",
					   "k",	 "4 k", "1.5M", "4kk", "4B", "4ib" };
	static const char *const big[] = { "18446744073709551616", "18014398509481984K",
					   "17592186044416M", "17179869184G",
					   "999999999999999999999999" };
	char s[128];
	size_t i;

	reset();
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(s, sizeof(s), "swiotlb_size='%s'", ok[i].v);
		expect_accept(s);
		CU_ASSERT_EQUAL(opt.swiotlb_size, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(s, sizeof(s), "swiotlb_size='%s'", bad[i]);
		expect_reject(s, "expected a size");
	}
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		snprintf(s, sizeof(s), "swiotlb_size=%s", big[i]);
		expect_reject(s, "size out of range");
	}
}

static void test_str_length_limit(void)
{
	char s[OPTIONS_STR_MAX + 64];
	size_t pre = strlen("log_path=");

	reset();
	memcpy(s, "log_path=", pre);
	memset(s + pre, 'a', OPTIONS_STR_MAX - 1);
	s[pre + OPTIONS_STR_MAX - 1] = '\0';
	expect_accept(s);
	CU_ASSERT_EQUAL(strlen(opt.log_path), OPTIONS_STR_MAX - 1);
	reset();
	memset(s + pre, 'b', OPTIONS_STR_MAX);
	s[pre + OPTIONS_STR_MAX] = '\0';
	expect_reject(s, "value too long");
	CU_ASSERT_STRING_EQUAL(opt.log_path, "stderr");
	expect_accept("log_path=");
	CU_ASSERT_STRING_EQUAL(opt.log_path, "");
}

/* ---- all-or-nothing, unknown names, strict ---------------------------- */

static void test_error_leaves_struct_unchanged(void)
{
	static const char *const bad[] = {
		"exitcode=5:log_path=x:verbosity=abc",
		"exitcode=5 halt_on_error=maybe",
		"log_path=new:cache_line",
		"format=json:seed=0x",
		"suppressions=/x:dtb='unterminated",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset();
		expect_reject(bad[i], NULL);
		CU_ASSERT_EQUAL(opt.exitcode, 23);
		CU_ASSERT_STRING_EQUAL(opt.log_path, "stderr");
	}
}

static void test_unknown_warns_and_continues(void)
{
	reset();
	CU_ASSERT_EQUAL(parse("foo=1:exitcode=5:bar='x y'"), 0);
	CU_ASSERT_EQUAL(dl.n, 2);
	CU_ASSERT_STRING_EQUAL(dl.first, "dmasan: DMASAN_OPTIONS: unknown option 'foo' ignored "
					 "(help=1 lists the options)");
	CU_ASSERT_PTR_NOT_NULL(strstr(dl.last, "'bar'"));
	CU_ASSERT_EQUAL(opt.exitcode, 5);
}

static void test_unknown_then_error_gives_one_line(void)
{
	reset();
	expect_reject("foo=1:exitcode=zz", "'exitcode=zz'");
	CU_ASSERT_PTR_NULL(strstr(dl.first, "foo"));
}

static void test_strict_preset_rejects_unknown(void)
{
	struct dmasan_options before;

	reset();
	opt.strict_options = 1;
	before = opt;
	CU_ASSERT_EQUAL(parse("exitcode=5:foo=1"), -EINVAL);
	CU_ASSERT_EQUAL(dl.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(dl.first, "unknown option 'foo'"));
	CU_ASSERT_PTR_NULL(strstr(dl.first, "ignored"));
	CU_ASSERT_EQUAL(memcmp(&before, &opt, sizeof(opt)), 0);
}

static void test_strict_set_earlier_in_string(void)
{
	reset();
	expect_reject("strict_options=1:foo=1", "unknown option 'foo'");
	CU_ASSERT_EQUAL(opt.strict_options, 0);
	/* Set after the unknown name: that one only warns. */
	CU_ASSERT_EQUAL(parse("foo=1:strict_options=1"), 0);
	CU_ASSERT_EQUAL(dl.n, 1);
	CU_ASSERT_EQUAL(opt.strict_options, 1);
	/* Turned off again before the unknown name. */
	CU_ASSERT_EQUAL(parse("strict_options=0 foo=1"), 0);
	CU_ASSERT_EQUAL(dl.n, 1);
}

/* ---- validate ----------------------------------------------------------- */

struct bad_case {
	const char *set; /* option string that parses */
	const char *name;
	const char *range; /* text the line must contain */
};

static void test_validate_catches_and_resets(void)
{
	static const struct bad_case cases[] = {
		{ "format=xml", "format", "one of text|json" },
		{ "bounce=maybe", "bounce", "one of auto|force|off" },
		{ "placement=mid", "placement", "one of auto|low|high" },
		{ "backend=foo", "backend", "one of auto|valgrind|asan|trap|none" },
		{ "backend=", "backend", "one of auto" },
		{ "format=TEXT", "format", "text|json" },
		{ "cache_line=48", "cache_line", "power of two in [16, 256]" },
		{ "cache_line=8", "cache_line", "[16, 256]" },
		{ "cache_line=512", "cache_line", "[16, 256]" },
		{ "cache_line=0", "cache_line", "[16, 256]" },
		{ "map_context_size=0", "map_context_size", "[1, 64]" },
		{ "map_context_size=65", "map_context_size", "[1, 64]" },
		{ "exitcode=-1", "exitcode", "[0, 255]" },
		{ "exitcode=256", "exitcode", "[0, 255]" },
		{ "max_reports=-1", "max_reports", ">= 0" },
		{ "quarantine_size=-1", "quarantine_size", "[0, 1048576]" },
		{ "quarantine_size=1048577", "quarantine_size", "[0, 1048576]" },
		{ "verbosity=4", "verbosity", "[0, 3]" },
		{ "verbosity=-1", "verbosity", "[0, 3]" },
		{ "evict=1001", "evict", "[0, 1000]" },
		{ "evict=-1", "evict", "[0, 1000]" },
	};
	struct dmasan_options defaults;
	size_t i;

	options_set_defaults(&defaults);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name_eq[64];

		reset();
		expect_accept(cases[i].set);
		memset(&dl, 0, sizeof(dl));
		CU_ASSERT_EQUAL(options_validate(&opt, diag_cb, &dl), -EINVAL);
		CU_ASSERT_EQUAL(dl.n, 1);
		snprintf(name_eq, sizeof(name_eq), "%s=", cases[i].name);
		if (!strstr(dl.first, name_eq) || !strstr(dl.first, cases[i].range)) {
			fprintf(stderr, "\n  case '%s': line '%s'\n", cases[i].set, dl.first);
			CU_FAIL("validate line lacks name or range");
		}
		CU_ASSERT_PTR_NOT_NULL(strstr(dl.first, "using the default"));
		/* Reset to the default: the whole struct equals the defaults again. */
		CU_ASSERT_EQUAL(memcmp(&defaults, &opt, sizeof(opt)), 0);
		memset(&dl, 0, sizeof(dl));
		CU_ASSERT_EQUAL(options_validate(&opt, diag_cb, &dl), 0);
		CU_ASSERT_EQUAL(dl.n, 0);
	}
}

static void test_validate_accepts_edges(void)
{
	reset();
	expect_accept("cache_line=16 map_context_size=1 exitcode=0 verbosity=3 evict=1000 "
		      "quarantine_size=1048576 max_reports=9223372036854775807 format=json "
		      "bounce=force placement=high backend=none");
	CU_ASSERT_EQUAL(options_validate(&opt, diag_cb, &dl), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	expect_accept("cache_line=256 map_context_size=64 exitcode=255 evict=0 quarantine_size=0");
	CU_ASSERT_EQUAL(options_validate(&opt, diag_cb, &dl), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	CU_ASSERT_EQUAL(opt.cache_line, 256);
}

static void test_validate_one_line_per_bad_value(void)
{
	reset();
	expect_accept("format=xml:cache_line=3:verbosity=9");
	CU_ASSERT_EQUAL(options_validate(&opt, diag_cb, &dl), -EINVAL);
	CU_ASSERT_EQUAL(dl.n, 3);
	CU_ASSERT_STRING_EQUAL(opt.format, "text");
	CU_ASSERT_EQUAL(opt.cache_line, 64);
	CU_ASSERT_EQUAL(opt.verbosity, 0);
	CU_ASSERT_EQUAL(dl.multiline, 0);
}

static void test_validate_bool_and_unterminated_string(void)
{
	reset();
	opt.symbolize = 7;
	memset(opt.log_path, 'x', sizeof(opt.log_path));
	CU_ASSERT_EQUAL(options_validate(&opt, diag_cb, &dl), -EINVAL);
	CU_ASSERT_EQUAL(dl.n, 2);
	CU_ASSERT_EQUAL(opt.symbolize, 1);
	CU_ASSERT_STRING_EQUAL(opt.log_path, "stderr");
	CU_ASSERT(dl.longest < 400);
}

/* ---- help and formatting ---------------------------------------------- */

struct help_log {
	int n;
	int count[64];
	char exitcode_line[1024];
};

static void help_cb(void *arg, const char *line)
{
	struct help_log *h = arg;
	int i;

	h->n++;
	CU_ASSERT_PTR_NULL(strchr(line, '\n'));
	for (i = 0; i < options_count() && i < 64; i++) {
		size_t len = strlen(options_name(i));

		if (strncmp(line, "  ", 2) == 0 && strncmp(line + 2, options_name(i), len) == 0 &&
		    line[2 + len] == '=')
			h->count[i]++;
	}
	if (strncmp(line, "  exitcode=", 11) == 0)
		snprintf(h->exitcode_line, sizeof(h->exitcode_line), "%s", line);
}

static void test_help_lists_every_option_once(void)
{
	struct help_log h;
	int i;

	memset(&h, 0, sizeof(h));
	reset();
	DMASAN_ASSERT_FATAL(options_count() <= 64);
	options_print_help(&opt, help_cb, &h);
	CU_ASSERT_EQUAL(h.n, options_count());
	for (i = 0; i < options_count(); i++)
		CU_ASSERT_EQUAL(h.count[i], 1);
	CU_ASSERT_STRING_EQUAL(h.exitcode_line,
			       "  exitcode=23  (int) exit status when any finding was reported; "
			       "0 keeps the program's status");
}

static void test_help_shows_current_values(void)
{
	struct help_log h;

	memset(&h, 0, sizeof(h));
	reset();
	expect_accept("exitcode=9");
	options_print_help(&opt, help_cb, &h);
	CU_ASSERT_EQUAL(strncmp(h.exitcode_line, "  exitcode=9  (int) ", 20), 0);
	options_print_help(&opt, NULL, NULL);
}

static void test_format_value(void)
{
	char buf[OPTIONS_STR_MAX];

	reset();
	expect_accept("halt_on_error=yes swiotlb_size=2M log_path='a b' seed=-3");
	CU_ASSERT_EQUAL(options_format_value(&opt, "halt_on_error", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "1");
	CU_ASSERT_EQUAL(options_format_value(&opt, "swiotlb_size", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "2097152");
	CU_ASSERT_EQUAL(options_format_value(&opt, "log_path", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "a b");
	CU_ASSERT_EQUAL(options_format_value(&opt, "seed", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "-3");
	CU_ASSERT_EQUAL(options_format_value(&opt, "nope", buf, sizeof(buf)), -ENOENT);
	CU_ASSERT_EQUAL(options_format_value(&opt, NULL, buf, sizeof(buf)), -ENOENT);
	CU_ASSERT_EQUAL(options_format_value(&opt, "log", buf, sizeof(buf)), -ENOENT);
	CU_ASSERT_EQUAL(options_format_value(&opt, "swiotlb_size", buf, 4), -ENOSPC);
	CU_ASSERT_EQUAL(strlen(buf), 3);
}

/* ---- fuzz --------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static int strings_terminated(const struct dmasan_options *o)
{
	int ok = 1;

#define CHK_BOOL(n)
#define CHK_INT(n)
#define CHK_SIZE(n)
#define CHK_STR(n) ok &= memchr(o->n, '\0', sizeof(o->n)) != NULL;
#define DMASAN_OPTION(type, name, def, help) CHK_##type(name)
#include "core/options.def"
#undef DMASAN_OPTION
#undef CHK_BOOL
#undef CHK_INT
#undef CHK_SIZE
#undef CHK_STR
	return ok;
}

static void test_fuzz_random_strings(void)
{
	static const char *const atoms[] = {
		"exitcode",
		"log_path",
		"halt_on_error",
		"swiotlb_size",
		"strict_options",
		"format",
		"cache_line",
		"seed",
		"foo",
		"=",
		"=",
		":",
		",",
		" ",
		"\t",
		"\n",
		"'",
		"\"",
		"0x",
		"-",
		"+",
		"1",
		"9999999999999999999999",
		"K",
		"MiB",
		"yes",
		"json",
		"a:b",
		"\x01",
		"\xff",
		"help",
		"=''",
		"=\"\"",
		"0",
		"true",
	};
	char s[700];
	struct dmasan_options before;
	int i, bad_lines = 0, changed_on_error = 0, unterminated = 0, bad_rc = 0;

	reset();
	for (i = 0; i < 100000; i++) {
		size_t len = 0, want = rnd() % 600;
		int rc;

		while (len < want) {
			if (rnd() % 4 == 0) {
				s[len++] = (char)(rnd() % 255 + 1);
			} else {
				const char *a = atoms[rnd() % (sizeof(atoms) / sizeof(atoms[0]))];
				size_t n = strlen(a);

				if (len + n >= sizeof(s) - 1)
					break;
				memcpy(s + len, a, n);
				len += n;
			}
		}
		/* Sometimes a long run of one byte, to hit the length limits. */
		if (rnd() % 50 == 0 && len + 300 < sizeof(s)) {
			memset(s + len, 'z', 300);
			len += 300;
		}
		s[len] = '\0';
		/* Truncation at a random point. */
		if (len && rnd() % 3 == 0)
			s[rnd() % len] = '\0';
		if (rnd() % 100 == 0)
			options_set_defaults(&opt);
		before = opt;
		rc = parse(s);
		if (rc != 0 && rc != -EINVAL)
			bad_rc++;
		if (rc == -EINVAL && dl.n != 1)
			bad_lines++;
		if (rc == -EINVAL && memcmp(&before, &opt, sizeof(opt)) != 0)
			changed_on_error++;
		if (dl.multiline)
			bad_lines++;
		if (!strings_terminated(&opt))
			unterminated++;
		if (rnd() % 8 == 0) {
			memset(&dl, 0, sizeof(dl));
			(void)options_validate(&opt, diag_cb, &dl);
			if (!strings_terminated(&opt))
				unterminated++;
		}
	}
	CU_ASSERT_EQUAL(bad_rc, 0);
	CU_ASSERT_EQUAL(bad_lines, 0);
	CU_ASSERT_EQUAL(changed_on_error, 0);
	CU_ASSERT_EQUAL(unterminated, 0);
}

static CU_TestInfo tests_table[] = {
	{ "test_defaults_match_table", test_defaults_match_table },
	{ "test_accessors_out_of_range_null", test_accessors_out_of_range_null },
	{ "test_types_named", test_types_named },
	{ "test_help_lists_every_option_once", test_help_lists_every_option_once },
	{ "test_help_shows_current_values", test_help_shows_current_values },
	{ "test_format_value", test_format_value },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_syntax[] = {
	{ "test_parse_null_and_empty_apply_nothing", test_parse_null_and_empty_apply_nothing },
	{ "test_parse_each_separator", test_parse_each_separator },
	{ "test_parse_quotes_keep_separators", test_parse_quotes_keep_separators },
	{ "test_parse_quote_errors", test_parse_quote_errors },
	{ "test_parse_malformed_pairs", test_parse_malformed_pairs },
	{ "test_parse_error_line_shape", test_parse_error_line_shape },
	{ "test_parse_long_offending_text_truncated", test_parse_long_offending_text_truncated },
	{ "test_parse_later_pairs_win", test_parse_later_pairs_win },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_types[] = {
	{ "test_bool_forms", test_bool_forms },
	{ "test_int_forms", test_int_forms },
	{ "test_size_forms", test_size_forms },
	{ "test_str_length_limit", test_str_length_limit },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_policy[] = {
	{ "test_error_leaves_struct_unchanged", test_error_leaves_struct_unchanged },
	{ "test_unknown_warns_and_continues", test_unknown_warns_and_continues },
	{ "test_unknown_then_error_gives_one_line", test_unknown_then_error_gives_one_line },
	{ "test_strict_preset_rejects_unknown", test_strict_preset_rejects_unknown },
	{ "test_strict_set_earlier_in_string", test_strict_set_earlier_in_string },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_validate[] = {
	{ "test_validate_catches_and_resets", test_validate_catches_and_resets },
	{ "test_validate_accepts_edges", test_validate_accepts_edges },
	{ "test_validate_one_line_per_bad_value", test_validate_one_line_per_bad_value },
	{ "test_validate_bool_and_unterminated_string",
	  test_validate_bool_and_unterminated_string },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_fuzz[] = {
	{ "test_fuzz_random_strings", test_fuzz_random_strings },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "options/table", NULL, NULL, NULL, NULL, tests_table },
	{ "options/syntax", NULL, NULL, NULL, NULL, tests_syntax },
	{ "options/types", NULL, NULL, NULL, NULL, tests_types },
	{ "options/unknown-and-strict", NULL, NULL, NULL, NULL, tests_policy },
	{ "options/validate", NULL, NULL, NULL, NULL, tests_validate },
	{ "options/fuzz", NULL, NULL, NULL, NULL, tests_fuzz },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
