/* SPDX-License-Identifier: MIT */
/*
 * Suppressions: parse "id:pattern" files into a fixed-size set, match a
 * finding's id and stack against the rules, count and list the rules used.
 * Parsing is all-or-nothing: a first pass checks every line (and that the
 * rules fit), a second pass appends them, so on error the set is left
 * untouched byte for byte and no large copy is needed. Suppression files
 * are untrusted input: lines are bounded, control characters rejected,
 * and glob matching is the greedy last-star backtrack, O(name x pattern)
 * at worst, never exponential.
 * Locking: the set is built before use and read-only afterwards except
 * for the hit counters, which are updated and read with atomics.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/finding.h"
#include "core/heap.h"
#include "platform/platform.h"
#include "core/text.h"
#include "reports/suppress.h"

#define SUPP_LINE_MAX 1000
#define SUPP_FILE_MAX (1u << 20)
#define SUPP_SHOW_MAX 48

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Copy @n bytes of @s into @dst for a message: escaped, cut after SUPP_SHOW_MAX. */
static void shown(char *dst, size_t cap, const char *s, size_t n)
{
	if (!cap)
		return;
	dst[0] = '\0';
	text_append_shown(dst, cap, s, n, SUPP_SHOW_MAX);
}

static void set_err(char *err, size_t errlen, const char *origin, unsigned long lineno,
		    const char *problem)
{
	if (err && errlen)
		snprintf(err, errlen, "%s:%lu: %s", origin, lineno, problem);
}

/*
 * Check one line (@n bytes, without its newline) and, when @rule is
 * non-NULL, store it there. @return 1 for a rule, 0 for a blank or
 * comment line, -EINVAL with @problem filled (capacity @pcap).
 */
static int one_line(const char *line, size_t n, struct supp_rule *rule, char *problem, size_t pcap)
{
	const char *colon, *id, *pat;
	size_t idlen, patlen, i;
	char show[SUPP_SHOW_MAX * 4 + 8];

	if (n > SUPP_LINE_MAX) {
		snprintf(problem, pcap, "line longer than %d characters", SUPP_LINE_MAX);
		return -EINVAL;
	}
	while (n && is_space(line[0])) {
		line++;
		n--;
	}
	while (n && is_space(line[n - 1]))
		n--;
	if (n == 0 || line[0] == '#')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			snprintf(problem, pcap, "control character 0x%02x in line", c);
			return -EINVAL;
		}
	}
	colon = memchr(line, ':', n);
	if (!colon) {
		shown(show, sizeof(show), line, n);
		snprintf(problem, pcap, "expected 'id:pattern', got '%s'", show);
		return -EINVAL;
	}
	id = line;
	idlen = (size_t)(colon - line);
	while (idlen && is_space(id[idlen - 1]))
		idlen--;
	pat = colon + 1;
	patlen = (size_t)(line + n - pat);
	while (patlen && is_space(pat[0])) {
		pat++;
		patlen--;
	}
	if (idlen == 0) {
		snprintf(problem, pcap, "empty finding id before ':'");
		return -EINVAL;
	}
	if (patlen == 0) {
		snprintf(problem, pcap, "empty pattern after ':'");
		return -EINVAL;
	}
	if (!(idlen == 1 && id[0] == '*')) {
		char idbuf[sizeof(rule->id)];

		if (idlen < sizeof(idbuf)) {
			memcpy(idbuf, id, idlen);
			idbuf[idlen] = '\0';
		}
		if (idlen >= sizeof(idbuf) || bug_from_id(idbuf) < 0) {
			shown(show, sizeof(show), id, idlen);
			snprintf(problem, pcap, "unknown finding id '%s'", show);
			return -EINVAL;
		}
	}
	if (patlen > SUPP_PATTERN_MAX - 1) {
		snprintf(problem, pcap, "pattern longer than %d characters", SUPP_PATTERN_MAX - 1);
		return -EINVAL;
	}
	if (rule) {
		memset(rule, 0, sizeof(*rule));
		memcpy(rule->id, id, idlen);
		memcpy(rule->pattern, pat, patlen);
	}
	return 1;
}

/* One pass over the text; stores rules from s->n on when @commit. */
static int scan(struct supp_set *s, const char *text, size_t len, const char *origin, char *err,
		size_t errlen, int commit)
{
	char problem[SUPP_SHOW_MAX * 4 + 64];
	unsigned long lineno = 0;
	size_t pos = 0;
	int n = s->n;

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		int rc;

		lineno++;
		pos += ll + (nl ? 1 : 0);
		if (memchr(line, '\0', ll)) {
			set_err(err, errlen, origin, lineno, "NUL byte in line");
			return -EINVAL;
		}
		rc = one_line(line, ll, NULL, problem, sizeof(problem));
		if (rc < 0) {
			set_err(err, errlen, origin, lineno, problem);
			return rc;
		}
		if (rc == 0)
			continue;
		if (n >= SUPP_MAX) {
			snprintf(problem, sizeof(problem), "too many suppressions (at most %d)",
				 SUPP_MAX);
			set_err(err, errlen, origin, lineno, problem);
			return -EINVAL;
		}
		if (commit)
			(void)one_line(line, ll, &s->rules[n], problem, sizeof(problem));
		n++;
	}
	if (commit)
		s->n = n;
	return 0;
}

/**
 * supp_parse - add the rules in @text to @s, all or nothing.
 * @s: the set; unchanged on error.
 * @text: file contents, @len bytes, need not end in NUL.
 * @origin: file name for messages (NULL: "suppressions").
 * @err: receives one line "<origin>:<line>: <problem>" on error (@errlen bytes).
 * @return 0, or -EINVAL.
 * Context: before the set is shared; allocates nothing.
 */
int supp_parse(struct supp_set *s, const char *text, size_t len, const char *origin, char *err,
	       size_t errlen)
{
	int rc;

	if (!origin)
		origin = "suppressions";
	if (err && errlen)
		err[0] = '\0';
	if (!s || (!text && len)) {
		set_err(err, errlen, origin, 0, "no suppression text");
		return -EINVAL;
	}
	if (s->n < 0 || s->n > SUPP_MAX) {
		set_err(err, errlen, origin, 0, "corrupt suppression set");
		return -EINVAL;
	}
	rc = scan(s, text, len, origin, err, errlen, 0);
	if (rc)
		return rc;
	return scan(s, text, len, origin, err, errlen, 1);
}

static const char *read_problem(int rc)
{
	switch (rc) {
	case -ENOENT:
		return "no such file";
	case -EACCES:
		return "permission denied";
	case -EFBIG:
		return "file larger than 1 MiB";
	case -EINVAL:
		return "not a regular file";
	case -ENOMEM:
		return "out of memory";
	default:
		return NULL;
	}
}

/**
 * supp_load - read the suppression file @path (at most 1 MiB) and
 * supp_parse() it into @s.
 * @err: receives one line on error (@errlen bytes).
 * @return 0, -ENOENT/-EACCES/-EFBIG/-EINVAL, or another -errno from reading.
 * Context: before the set is shared; allocates from the private heap.
 */
int supp_load(struct supp_set *s, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!path || !*path) {
		if (err && errlen)
			snprintf(err, errlen, "suppressions: no file name given");
		return -EINVAL;
	}
	rc = plat_read_file(path, SUPP_FILE_MAX, &buf, &len);
	if (rc) {
		const char *what = read_problem(rc);
		char show[SUPP_SHOW_MAX * 4 + 8];

		shown(show, sizeof(show), path, strlen(path));
		if (err && errlen && what)
			snprintf(err, errlen, "%s: cannot read suppressions: %s", show, what);
		else if (err && errlen)
			snprintf(err, errlen, "%s: cannot read suppressions: error %d", show, -rc);
		return rc;
	}
	rc = supp_parse(s, buf, len, path, err, errlen);
	heap_free(buf);
	return rc;
}

/*
 * Match @p (@plen bytes, '*' wildcards only) against all of @s. With
 * @lead/@trail the pattern behaves as if it began/ended with '*'.
 * Greedy with backtracking to the last star only: each star resumes one
 * character later, so the cost is at most O(strlen(s) * plen).
 */
static int star_match(const char *p, size_t plen, int lead, int trail, const char *s)
{
	size_t pi = 0, star_p = 0;
	const char *star_s = NULL;

	if (lead)
		star_s = s;
	for (;;) {
		if (pi == plen && (trail || *s == '\0'))
			return 1;
		if (pi < plen && p[pi] == '*') {
			star_p = ++pi;
			star_s = s;
			continue;
		}
		if (*s && pi < plen && p[pi] == *s) {
			pi++;
			s++;
			continue;
		}
		if (!star_s || !*star_s)
			return 0;
		/* Let the last star swallow one more character and retry. */
		pi = star_p;
		s = ++star_s;
	}
}

/**
 * supp_glob - match @name against @pattern: '*' is any run of characters,
 * a leading '^' anchors at the start, a trailing '$' at the end; without
 * an anchor the pattern may match anywhere. '^' and '$' elsewhere are
 * literal.
 * @return 1 on a match, 0 otherwise (or when either is NULL).
 */
int supp_glob(const char *pattern, const char *name)
{
	size_t plen;
	int lead = 1, trail = 1;

	if (!pattern || !name)
		return 0;
	plen = strlen(pattern);
	if (plen && pattern[0] == '^') {
		lead = 0;
		pattern++;
		plen--;
	}
	if (plen && pattern[plen - 1] == '$') {
		trail = 0;
		plen--;
	}
	return star_match(pattern, plen, lead, trail, name);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* 1 when @pat matches @path or, if different, its basename. */
static int match_path(const char *pat, const char *path)
{
	const char *b;

	if (!path)
		return 0;
	if (supp_glob(pat, path))
		return 1;
	b = base_name(path);
	return b != path && supp_glob(pat, b);
}

/**
 * supp_match - find the first rule suppressing a finding.
 * @s: the set (NULL: nothing suppressed).
 * @id: the finding's id.
 * @frames: its symbolized stack, @nframes entries.
 * @return the rule's index (its hit counter incremented atomically), or -1.
 * Context: any thread, concurrently with other supp_match() calls.
 */
int supp_match(struct supp_set *s, const char *id, const struct sym_frame *frames, int nframes)
{
	int i, f;

	if (!s || !id || (!frames && nframes > 0))
		return -1;
	for (i = 0; i < s->n && i < SUPP_MAX; i++) {
		struct supp_rule *r = &s->rules[i];

		if (strcmp(r->id, "*") != 0 && strcmp(r->id, id) != 0)
			continue;
		for (f = 0; f < nframes; f++) {
			const struct sym_frame *fr = &frames[f];

			if ((fr->function && supp_glob(r->pattern, fr->function)) ||
			    match_path(r->pattern, fr->file) ||
			    match_path(r->pattern, fr->module)) {
				__atomic_fetch_add(&r->hits, 1, __ATOMIC_RELAXED);
				return i;
			}
		}
	}
	return -1;
}

/**
 * supp_format_used - write the "Suppressions used:" table into @buf: the
 * header, a column line "  count id:pattern", then one line per rule with
 * hits. Whole lines only; the text is NUL-terminated when @cap > 0.
 * @return bytes written (without the NUL); 0 when no rule was used.
 * Context: any thread; counts are read atomically.
 */
size_t supp_format_used(const struct supp_set *s, char *buf, size_t cap)
{
	static const char head[] = "Suppressions used:\n  count id:pattern\n";
	size_t len = 0;
	int i, used = 0;

	if (cap)
		buf[0] = '\0';
	if (!s || !buf || cap == 0)
		return 0;
	for (i = 0; i < s->n && i < SUPP_MAX; i++)
		if (__atomic_load_n(&s->rules[i].hits, __ATOMIC_RELAXED))
			used = 1;
	if (!used || sizeof(head) > cap)
		return 0;
	memcpy(buf, head, sizeof(head));
	len = sizeof(head) - 1;
	for (i = 0; i < s->n && i < SUPP_MAX; i++) {
		const struct supp_rule *r = &s->rules[i];
		unsigned long hits = __atomic_load_n(&r->hits, __ATOMIC_RELAXED);
		int n;

		if (!hits)
			continue;
		n = snprintf(buf + len, cap - len, "%7lu %.*s:%.*s\n", hits, (int)sizeof(r->id) - 1,
			     r->id, SUPP_PATTERN_MAX - 1, r->pattern);
		if (n < 0 || (size_t)n >= cap - len) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)n;
	}
	return len;
}
