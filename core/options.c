/* SPDX-License-Identifier: MIT */
/*
 * Runtime options: one descriptor table, expanded from core/options.def,
 * drives the defaults, the DMASAN_OPTIONS parser, options_validate(), the
 * help=1 listing and the value formatter. Each descriptor holds the
 * option's name, type, offset in struct dmasan_options, default as text
 * and help; defaults are applied by parsing the default text, so the text
 * the README shows is the value the code uses.
 * The parser allocates nothing (it may run before the program's heap is
 * usable) and is all-or-nothing: it works on a copy of the options and
 * commits only when the whole string is valid. Every message is one line;
 * text taken from the input is escaped and truncated before it is shown.
 * No global state and no locking: the caller owns the struct it passes.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "core/options.h"
#include "core/text.h"

enum opt_type { OPT_BOOL, OPT_INT, OPT_SIZE, OPT_STR };

struct opt_desc {
	const char *name;
	enum opt_type type;
	size_t offset;	 /* into struct dmasan_options */
	const char *def; /* default, as text */
	const char *help;
};

/* STR defaults are already string literals; the others are stringified. */
#define OPT_TEXT_BOOL(d) #d
#define OPT_TEXT_INT(d) #d
#define OPT_TEXT_SIZE(d) #d
#define OPT_TEXT_STR(d) d

static const struct opt_desc opt_table[] = {
#define DMASAN_OPTION(type, name, def, help) \
	{ #name, OPT_##type, offsetof(struct dmasan_options, name), OPT_TEXT_##type(def), help },
#include "core/options.def"
#undef DMASAN_OPTION
};

#undef OPT_TEXT_BOOL
#undef OPT_TEXT_INT
#undef OPT_TEXT_SIZE
#undef OPT_TEXT_STR

#define OPT_N ((int)(sizeof(opt_table) / sizeof(opt_table[0])))

/* Input text shown in a message: at most this many bytes, then "...". */
#define SHOW_MAX 64
/* One message line; SHOW_MAX bytes may grow 4x when escaped. */
#define MSG_MAX 1024

/*
 * Ranges checked by options_validate() for INT options. RANGE() names the
 * field through offsetof and fails to compile unless the field is a long,
 * so a renamed or retyped option breaks the build instead of the check.
 */
struct opt_range {
	size_t offset;
	long min, max;
	int pow2; /* value must also be a power of two */
};

#define IS_LONG_FIELD(f) _Generic(((struct dmasan_options *)0)->f, long : 1, default : -1)
#define RANGE(f, lo, hi, p2)                                                                   \
	{                                                                                      \
		offsetof(struct dmasan_options, f) + 0 * sizeof(char[IS_LONG_FIELD(f)]), (lo), \
			(hi), (p2)                                                             \
	}

static const struct opt_range opt_ranges[] = {
	RANGE(cache_line, 16, 256, 1),	    RANGE(map_context_size, 1, 64, 0),
	RANGE(end_context_size, 1, 64, 0),  RANGE(exitcode, 0, 255, 0),
	RANGE(max_reports, 0, LONG_MAX, 0), RANGE(quarantine_size, 0, 1048576, 0),
	RANGE(verbosity, 0, 3, 0),	    RANGE(evict, 0, 1000, 0),
	RANGE(check_alignment, 0, 2, 0),    RANGE(fail_allocs_after, -1, LONG_MAX, 0),
};

#undef RANGE
#undef IS_LONG_FIELD

static int is_sep(char c)
{
	return c == ':' || c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive compare of @s (@n bytes) with the NUL-terminated @lit. */
static int eq_nocase(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || lower(s[i]) != lit[i])
			return 0;
	return lit[n] == '\0';
}

/* Append @s (@n bytes) to @dst for a message: escaped, cut after SHOW_MAX. */
static void put_shown(char *dst, size_t cap, const char *s, size_t n)
{
	text_append_shown(dst, cap, s, n, SHOW_MAX);
}

static void put_str(char *dst, size_t cap, const char *s)
{
	size_t len = strlen(dst);

	if (len < cap)
		snprintf(dst + len, cap - len, "%s", s);
}

static void emit(options_diag_fn diag, void *arg, const char *line)
{
	if (diag)
		diag(arg, line);
}

/*
 * One diagnostic: "dmasan: <source>: <what> '<shown text>'<rest>".
 */
static void diag_text(options_diag_fn diag, void *arg, const char *source, const char *what,
		      const char *text, size_t n, const char *rest)
{
	char line[MSG_MAX];

	if (!diag)
		return;
	snprintf(line, sizeof(line), "dmasan: %s: %s '", source, what);
	put_shown(line, sizeof(line), text, n);
	put_str(line, sizeof(line), "'");
	put_str(line, sizeof(line), rest);
	emit(diag, arg, line);
}

static const struct opt_desc *find_opt(const char *name, size_t n)
{
	int i;

	for (i = 0; i < OPT_N; i++)
		if (strncmp(opt_table[i].name, name, n) == 0 && opt_table[i].name[n] == '\0')
			return &opt_table[i];
	return NULL;
}

static void *field(struct dmasan_options *o, const struct opt_desc *d)
{
	return (char *)o + d->offset;
}

static const void *cfield(const struct dmasan_options *o, const struct opt_desc *d)
{
	return (const char *)o + d->offset;
}

/* Unsigned decimal or (when @hex_ok) 0x hex digits; 0 or -EINVAL/-ERANGE. */
static int parse_mag(const char *s, size_t n, int hex_ok, unsigned long *out, size_t *used)
{
	unsigned long v = 0;
	unsigned int base = 10;
	size_t i = 0, start;

	if (hex_ok && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	start = i;
	for (; i < n; i++) {
		char c = s[i];
		unsigned int dig;

		if (c >= '0' && c <= '9')
			dig = (unsigned int)(c - '0');
		else if (base == 16 && lower(c) >= 'a' && lower(c) <= 'f')
			dig = (unsigned int)(lower(c) - 'a' + 10);
		else
			break;
		if (v > (ULONG_MAX - dig) / base)
			return -ERANGE;
		v = v * base + dig;
	}
	if (i == start)
		return -EINVAL;
	*out = v;
	*used = i;
	return 0;
}

static int parse_bool(const char *s, size_t n, int *out)
{
	if (eq_nocase(s, n, "1") || eq_nocase(s, n, "true") || eq_nocase(s, n, "yes"))
		*out = 1;
	else if (eq_nocase(s, n, "0") || eq_nocase(s, n, "false") || eq_nocase(s, n, "no"))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

static int parse_long(const char *s, size_t n, long *out)
{
	unsigned long mag;
	size_t used;
	int neg = 0, rc;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	rc = parse_mag(s, n, 1, &mag, &used);
	if (rc)
		return rc;
	if (used != n)
		return -EINVAL;
	if (neg) {
		if (mag > (unsigned long)LONG_MAX + 1)
			return -ERANGE;
		*out = mag == (unsigned long)LONG_MAX + 1 ? LONG_MIN : -(long)mag;
	} else {
		if (mag > (unsigned long)LONG_MAX)
			return -ERANGE;
		*out = (long)mag;
	}
	return 0;
}

static int parse_size(const char *s, size_t n, size_t *out)
{
	static const char *const suffix[] = {
		"k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib",
	};
	unsigned long mag;
	unsigned int shift = 0;
	size_t used, i;
	int rc;

	rc = parse_mag(s, n, 0, &mag, &used);
	if (rc)
		return rc;
	if (used != n) {
		for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
			if (eq_nocase(s + used, n - used, suffix[i]))
				break;
		if (i == sizeof(suffix) / sizeof(suffix[0]))
			return -EINVAL;
		shift = 10 * (unsigned int)(i / 3 + 1);
	}
#if SIZE_MAX < ULONG_MAX
	if (mag > SIZE_MAX)
		return -ERANGE;
#endif
	if (shift && mag > (SIZE_MAX >> shift))
		return -ERANGE;
	*out = (size_t)mag << shift;
	return 0;
}

/*
 * Store value @v (@n bytes, quotes already removed) into @d's field of
 * @o. @return 0, or -EINVAL with *@why set to what was expected.
 */
static int set_value(struct dmasan_options *o, const struct opt_desc *d, const char *v, size_t n,
		     const char **why)
{
	int rc = 0;

	switch (d->type) {
	case OPT_BOOL: {
		int b;

		rc = parse_bool(v, n, &b);
		if (rc == 0)
			*(int *)field(o, d) = b;
		else
			*why = "expected 0, 1, true, false, yes or no";
		break;
	}
	case OPT_INT: {
		long l;

		rc = parse_long(v, n, &l);
		if (rc == 0)
			*(long *)field(o, d) = l;
		else if (rc == -ERANGE)
			*why = "integer out of range";
		else
			*why = "expected an integer (decimal or 0x hex)";
		break;
	}
	case OPT_SIZE: {
		size_t z;

		rc = parse_size(v, n, &z);
		if (rc == 0)
			*(size_t *)field(o, d) = z;
		else if (rc == -ERANGE)
			*why = "size out of range";
		else
			*why = "expected a size in bytes (decimal, optional K, M or G suffix)";
		break;
	}
	case OPT_STR:
		if (n > OPTIONS_STR_MAX - 1) {
			rc = -EINVAL;
			*why = "value too long (at most 255 bytes)";
			break;
		}
		memcpy(field(o, d), v, n);
		((char *)field(o, d))[n] = '\0';
		break;
	}
	return rc ? -EINVAL : 0;
}

/*
 * One pass over @str applying the pairs to @o. Errors get their one line
 * through @diag (always); warnings for unknown names only when @warn.
 * @return 0 or -EINVAL.
 */
static int parse_pass(struct dmasan_options *o, const char *source, const char *str,
		      options_diag_fn diag, void *arg, int warn)
{
	const char *p = str;

	for (;;) {
		const char *pair, *name, *val;
		const struct opt_desc *d;
		const char *why = NULL;
		size_t nlen, vlen;

		while (*p && is_sep(*p))
			p++;
		if (!*p)
			return 0;
		pair = name = p;
		while (*p && *p != '=' && !is_sep(*p))
			p++;
		nlen = (size_t)(p - name);
		if (*p != '=') {
			diag_text(diag, arg, source, "malformed option", pair, nlen,
				  ": expected '=' after the option name");
			return -EINVAL;
		}
		p++;
		if (*p == '\'' || *p == '"') {
			char q = *p++;

			val = p;
			while (*p && *p != q)
				p++;
			if (!*p) {
				diag_text(diag, arg, source, "malformed option", pair,
					  (size_t)(p - pair), ": unterminated quote");
				return -EINVAL;
			}
			vlen = (size_t)(p - val);
			p++;
			if (*p && !is_sep(*p)) {
				while (*p && !is_sep(*p))
					p++;
				diag_text(diag, arg, source, "malformed option", pair,
					  (size_t)(p - pair),
					  ": expected a separator after the closing quote");
				return -EINVAL;
			}
		} else {
			val = p;
			while (*p && !is_sep(*p))
				p++;
			vlen = (size_t)(p - val);
		}
		if (nlen == 0) {
			diag_text(diag, arg, source, "malformed option", pair, (size_t)(p - pair),
				  ": empty option name");
			return -EINVAL;
		}
		d = find_opt(name, nlen);
		if (!d) {
			if (o->strict_options) {
				diag_text(diag, arg, source, "unknown option", name, nlen,
					  " (strict_options=1 makes this an error)");
				return -EINVAL;
			}
			if (warn)
				diag_text(diag, arg, source, "unknown option", name, nlen,
					  " ignored (help=1 lists the options)");
			continue;
		}
		if (set_value(o, d, val, vlen, &why)) {
			char rest[160];

			snprintf(rest, sizeof(rest), ": %s", why);
			diag_text(diag, arg, source, "malformed option", pair, (size_t)(p - pair),
				  rest);
			return -EINVAL;
		}
	}
}

/**
 * options_set_defaults - fill @o with the table's defaults.
 * @o: options to overwrite entirely.
 */
void options_set_defaults(struct dmasan_options *o)
{
	const char *why;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < OPT_N; i++)
		(void)set_value(o, &opt_table[i], opt_table[i].def, strlen(opt_table[i].def), &why);
}

/**
 * options_parse - apply the name=value pairs of @str to @o, all or nothing.
 * @o: options to update; unchanged unless the whole string is valid.
 * @source: origin named in messages (NULL: "options").
 * @str: the pairs; NULL or empty applies nothing.
 * @diag: receives the lines (may be NULL); @arg is passed through.
 * @return 0, or -EINVAL after exactly one error line through @diag.
 * Context: allocates nothing; any thread; no locking (caller owns @o).
 */
int options_parse(struct dmasan_options *o, const char *source, const char *str,
		  options_diag_fn diag, void *arg)
{
	struct dmasan_options tmp;
	int rc;

	if (!str || !*str)
		return 0;
	if (!source)
		source = "options";
	/*
	 * First pass without warnings: an error must be the only line. A
	 * clean string is parsed again to emit the warnings in order.
	 */
	tmp = *o;
	rc = parse_pass(&tmp, source, str, diag, arg, 0);
	if (rc)
		return rc;
	tmp = *o;
	(void)parse_pass(&tmp, source, str, diag, arg, 1);
	*o = tmp;
	return 0;
}

/*
 * For STR options whose help starts "one of a|b|c:", the choices "a|b|c"
 * (@len bytes) into *@list. @return 1 when there are choices.
 */
static int choices(const struct opt_desc *d, const char **list, size_t *len)
{
	static const char prefix[] = "one of ";
	const char *end;

	if (d->type != OPT_STR || strncmp(d->help, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	*list = d->help + sizeof(prefix) - 1;
	end = strchr(*list, ':');
	if (!end || end == *list)
		return 0;
	*len = (size_t)(end - *list);
	return 1;
}

static int in_choices(const char *list, size_t len, const char *v)
{
	size_t vlen = strlen(v);
	const char *p = list, *end = list + len;

	while (p < end) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		size_t n = bar ? (size_t)(bar - p) : (size_t)(end - p);

		if (n == vlen && memcmp(p, v, n) == 0)
			return 1;
		p += n + 1;
	}
	return 0;
}

static const struct opt_range *find_range(size_t offset)
{
	size_t r;

	for (r = 0; r < sizeof(opt_ranges) / sizeof(opt_ranges[0]); r++)
		if (opt_ranges[r].offset == offset)
			return &opt_ranges[r];
	return NULL;
}

/* Reset @d in @o to its default; "; using the default 'x'" into @line. */
static void reset_one(struct dmasan_options *o, const struct opt_desc *d, char *line, size_t cap)
{
	const char *why;

	(void)set_value(o, d, d->def, strlen(d->def), &why);
	put_str(line, cap, "; using the default '");
	put_shown(line, cap, d->def, strlen(d->def));
	put_str(line, cap, "'");
}

/* Start "dmasan: invalid option name='value': " into @line. */
static void bad_start(char *line, size_t cap, const struct dmasan_options *o,
		      const struct opt_desc *d)
{
	char val[OPTIONS_STR_MAX + 32];

	snprintf(line, cap, "dmasan: invalid option %s='", d->name);
	(void)options_format_value(o, d->name, val, sizeof(val));
	put_shown(line, cap, val, strlen(val));
	put_str(line, cap, "': ");
}

/**
 * options_validate - check choices and ranges, resetting bad values.
 * @o: options to check; each bad value is reset to its default.
 * @diag: receives one line per bad value (may be NULL); @arg passed through.
 * @return 0, or -EINVAL when any value was bad.
 * Context: allocates nothing; no locking (caller owns @o).
 */
int options_validate(struct dmasan_options *o, options_diag_fn diag, void *arg)
{
	char line[MSG_MAX];
	int i, rc = 0;

	for (i = 0; i < OPT_N; i++) {
		const struct opt_desc *d = &opt_table[i];
		const struct opt_range *g;
		const char *list;
		size_t len;
		char what[96];
		long v;
		int b;

		switch (d->type) {
		case OPT_STR:
			if (!memchr(field(o, d), '\0', OPTIONS_STR_MAX)) {
				((char *)field(o, d))[OPTIONS_STR_MAX - 1] = '\0';
				bad_start(line, sizeof(line), o, d);
				put_str(line, sizeof(line), "not NUL-terminated");
			} else if (choices(d, &list, &len) && !in_choices(list, len, field(o, d))) {
				bad_start(line, sizeof(line), o, d);
				put_str(line, sizeof(line), "expected one of ");
				put_shown(line, sizeof(line), list, len);
			} else {
				continue;
			}
			break;
		case OPT_BOOL:
			b = *(int *)field(o, d);
			if (b == 0 || b == 1)
				continue;
			bad_start(line, sizeof(line), o, d);
			put_str(line, sizeof(line), "expected 0 or 1");
			break;
		case OPT_INT:
			g = find_range(d->offset);
			v = *(long *)field(o, d);
			if (!g || (v >= g->min && v <= g->max && (!g->pow2 || (v & (v - 1)) == 0)))
				continue;
			if (g->max == LONG_MAX)
				snprintf(what, sizeof(what), "expected %s>= %ld",
					 g->pow2 ? "a power of two " : "", g->min);
			else
				snprintf(what, sizeof(what), "expected %sin [%ld, %ld]",
					 g->pow2 ? "a power of two " : "", g->min, g->max);
			bad_start(line, sizeof(line), o, d);
			put_str(line, sizeof(line), what);
			break;
		case OPT_SIZE:
			continue;
		}
		reset_one(o, d, line, sizeof(line));
		emit(diag, arg, line);
		rc = -EINVAL;
	}
	return rc;
}

static const char *type_name(enum opt_type t)
{
	switch (t) {
	case OPT_BOOL:
		return "bool";
	case OPT_INT:
		return "int";
	case OPT_SIZE:
		return "size";
	case OPT_STR:
		return "string";
	}
	return "?";
}

/**
 * options_print_help - one line per option, in table order:
 * "  name=value  (type) help". String values are escaped so each stays
 * one line.
 * @o: options whose current values are shown.
 * @out: receives each line (no trailing newline); @arg passed through.
 */
void options_print_help(const struct dmasan_options *o, options_diag_fn out, void *arg)
{
	char val[OPTIONS_STR_MAX + 32];
	char line[MSG_MAX + OPTIONS_STR_MAX * 4];
	int i;

	if (!out)
		return;
	for (i = 0; i < OPT_N; i++) {
		const struct opt_desc *d = &opt_table[i];
		size_t len;

		(void)options_format_value(o, d->name, val, sizeof(val));
		snprintf(line, sizeof(line), "  %s=", d->name);
		/* Escape without the SHOW_MAX cut: the full value is wanted. */
		len = strlen(line);
		for (const char *s = val; *s && len + 5 < sizeof(line); s++) {
			unsigned char c = (unsigned char)*s;

			if (c >= 0x20 && c < 0x7f && c != '\\') {
				line[len++] = (char)c;
			} else {
				snprintf(line + len, sizeof(line) - len, "\\x%02x", c);
				len += 4;
			}
		}
		line[len] = '\0';
		snprintf(line + len, sizeof(line) - len, "  (%s) %s", type_name(d->type), d->help);
		out(arg, line);
	}
}

/**
 * options_format_value - write option @name's value of @o into @buf as
 * text: STR raw, BOOL 0/1, INT decimal, SIZE in bytes.
 * @cap: size of @buf; the text is NUL-terminated when @cap > 0.
 * @return 0, -ENOENT for an unknown name, -ENOSPC when truncated.
 */
int options_format_value(const struct dmasan_options *o, const char *name, char *buf, size_t cap)
{
	const struct opt_desc *d = name ? find_opt(name, strlen(name)) : NULL;
	const void *f;
	int n = 0;

	if (!d) {
		if (cap)
			buf[0] = '\0';
		return -ENOENT;
	}
	if (!cap)
		return -ENOSPC;
	f = cfield(o, d);
	switch (d->type) {
	case OPT_BOOL:
		n = snprintf(buf, cap, "%d", *(const int *)f ? 1 : 0);
		break;
	case OPT_INT:
		n = snprintf(buf, cap, "%ld", *(const long *)f);
		break;
	case OPT_SIZE:
		n = snprintf(buf, cap, "%zu", *(const size_t *)f);
		break;
	case OPT_STR:
		n = snprintf(buf, cap, "%.*s", OPTIONS_STR_MAX - 1, (const char *)f);
		break;
	}
	return (n < 0 || (size_t)n >= cap) ? -ENOSPC : 0;
}

/**
 * options_count - @return the number of options in the table.
 */
int options_count(void)
{
	return OPT_N;
}

/**
 * options_name - @return the name of entry @i, or NULL when out of range.
 */
const char *options_name(int i)
{
	return (i >= 0 && i < OPT_N) ? opt_table[i].name : NULL;
}

/**
 * options_help - @return the help text of entry @i, or NULL when out of range.
 */
const char *options_help(int i)
{
	return (i >= 0 && i < OPT_N) ? opt_table[i].help : NULL;
}

/**
 * options_type - @return "bool", "int", "size" or "string" for entry @i,
 * or NULL when out of range.
 */
const char *options_type(int i)
{
	return (i >= 0 && i < OPT_N) ? type_name(opt_table[i].type) : NULL;
}

/**
 * options_default - @return entry @i's default as text, or NULL when out
 * of range.
 */
const char *options_default(int i)
{
	return (i >= 0 && i < OPT_N) ? opt_table[i].def : NULL;
}
