/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the DMASAN_OPTIONS parser (core/options.c), which
 * reads untrusted text from the environment before the program runs.
 * Input: one mode byte, then the option string (NUL-terminated by the
 * harness; an embedded NUL ends it early, as getenv would).
 *   mode 0  parse over the defaults, then validate
 *   mode 1  the same with strict_options=1 set beforehand
 *   mode 2  parse over a struct that a previous clean parse of the same
 *           text produced (sources are applied one after the other)
 *   mode 3  no parsing: the rest of the input is the raw struct, validated
 * Invariants: options_parse returns 0 or -EINVAL; on -EINVAL exactly one
 * diagnostic line was given and the struct is byte-identical to before;
 * every diagnostic is one line starting "dmasan: "; every STR field is
 * NUL-terminated after parse and after validate; validate returns 0 exactly
 * when it said nothing, and a second validate is silent and returns 0;
 * every validated value formats and parses back to itself; help=1 prints
 * one line per option.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "core/options.h"
#include "fuzz_common.h"

#define MAX_TEXT 4096

struct diag {
	int n;
};

static void on_diag(void *arg, const char *line)
{
	struct diag *d = arg;

	FUZZ_CHECK(line != NULL, "NULL diagnostic line");
	FUZZ_CHECK(strchr(line, '\n') == NULL, "diagnostic spans lines: %s", line);
	FUZZ_CHECK(strncmp(line, "dmasan: ", 8) == 0, "diagnostic without prefix: %s", line);
	FUZZ_CHECK(strlen(line) < 2048, "diagnostic of %zu bytes", strlen(line));
	d->n++;
}

static void on_help(void *arg, const char *line)
{
	struct diag *d = arg;

	FUZZ_CHECK(strchr(line, '\n') == NULL, "help line spans lines: %s", line);
	d->n++;
}

static void check_strings(const struct dmasan_options *o, const char *when)
{
	char val[OPTIONS_STR_MAX + 32];
	int i;

	for (i = 0; i < options_count(); i++) {
		const char *name = options_name(i);

		FUZZ_CHECK(name != NULL, "option %d has no name", i);
		if (strcmp(options_type(i), "string") != 0)
			continue;
		/* format_value copies at most OPTIONS_STR_MAX - 1 bytes: compare lengths. */
		FUZZ_CHECK(options_format_value(o, name, val, sizeof(val)) == 0,
			   "%s: cannot format %s", when, name);
		FUZZ_CHECK(strlen(val) < OPTIONS_STR_MAX, "%s: %s too long", when, name);
	}
}

/* Every STR field NUL-terminated: checked through the struct layout, not format_value. */
static void check_terminated(const struct dmasan_options *o, const char *when)
{
#define DMASAN_OPTION_CHECK_BOOL(name)
#define DMASAN_OPTION_CHECK_INT(name)
#define DMASAN_OPTION_CHECK_SIZE(name)
#define DMASAN_OPTION_CHECK_STR(name)                                                           \
	FUZZ_CHECK(memchr(o->name, '\0', sizeof(o->name)) != NULL, "%s: %s unterminated", when, \
		   #name);
#define DMASAN_OPTION(type, name, def, help) DMASAN_OPTION_CHECK_##type(name)
#include "core/options.def"
#undef DMASAN_OPTION
#undef DMASAN_OPTION_CHECK_BOOL
#undef DMASAN_OPTION_CHECK_INT
#undef DMASAN_OPTION_CHECK_SIZE
#undef DMASAN_OPTION_CHECK_STR
	check_strings(o, when);
}

/* Quote @v for a name=value pair; @return 0, or -1 when it cannot be quoted. */
static int quote(const char *v, char *out, size_t cap)
{
	char q;

	if (!strchr(v, '\''))
		q = '\'';
	else if (!strchr(v, '"'))
		q = '"';
	else
		return -1;
	if ((size_t)snprintf(out, cap, "%c%s%c", q, v, q) >= cap)
		return -1;
	return 0;
}

static void check_round_trip(const struct dmasan_options *o)
{
	char val[OPTIONS_STR_MAX + 32], q[OPTIONS_STR_MAX + 40], pair[OPTIONS_STR_MAX + 128];
	char back[OPTIONS_STR_MAX + 32];
	struct dmasan_options r;
	struct diag d;
	int i, rc;

	for (i = 0; i < options_count(); i++) {
		const char *name = options_name(i);

		FUZZ_CHECK(options_format_value(o, name, val, sizeof(val)) == 0, "format %s", name);
		if (quote(val, q, sizeof(q)))
			continue;
		snprintf(pair, sizeof(pair), "%s=%s", name, q);
		options_set_defaults(&r);
		memset(&d, 0, sizeof(d));
		rc = options_parse(&r, "roundtrip", pair, on_diag, &d);
		FUZZ_CHECK(rc == 0, "formatted value does not parse back: %s", pair);
		FUZZ_CHECK(d.n == 0, "round trip of %s warned", pair);
		FUZZ_CHECK(options_format_value(&r, name, back, sizeof(back)) == 0, "format %s",
			   name);
		FUZZ_CHECK(strcmp(val, back) == 0, "%s: '%s' came back as '%s'", name, val, back);
	}
}

static void validate(struct dmasan_options *o)
{
	struct diag d = { 0 };
	int rc;

	rc = options_validate(o, on_diag, &d);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "options_validate returned %d", rc);
	FUZZ_CHECK((rc == 0) == (d.n == 0), "validate returned %d after %d lines", rc, d.n);
	check_terminated(o, "after validate");
	memset(&d, 0, sizeof(d));
	rc = options_validate(o, on_diag, &d);
	FUZZ_CHECK(rc == 0 && d.n == 0, "second validate returned %d after %d lines", rc, d.n);
	check_round_trip(o);
	memset(&d, 0, sizeof(d));
	options_print_help(o, on_help, &d);
	FUZZ_CHECK(d.n == options_count(), "help printed %d lines for %d options", d.n,
		   options_count());
}

static int parse_checked(struct dmasan_options *o, const char *text)
{
	struct dmasan_options before = *o;
	struct diag d = { 0 };
	int rc;

	rc = options_parse(o, "DMASAN_OPTIONS", text, on_diag, &d);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "options_parse returned %d", rc);
	if (rc) {
		FUZZ_CHECK(d.n == 1, "a rejected string gave %d diagnostic lines", d.n);
		FUZZ_CHECK(memcmp(&before, o, sizeof(*o)) == 0,
			   "a rejected string changed the options");
	}
	check_terminated(o, "after parse");
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_TEXT + 1];
	struct dmasan_options o;
	size_t n;
	int mode;

	if (size == 0)
		return 0;
	mode = data[0] & 3;
	data++;
	size--;
	options_set_defaults(&o);
	if (mode == 3) {
		memcpy(&o, data, size < sizeof(o) ? size : sizeof(o));
		validate(&o);
		return 0;
	}
	n = size < MAX_TEXT ? size : MAX_TEXT;
	memcpy(text, data, n);
	text[n] = '\0';
	if (mode == 1)
		o.strict_options = 1;
	if (mode == 2 && parse_checked(&o, text) != 0)
		return 0;
	parse_checked(&o, text);
	validate(&o);
	return 0;
}
