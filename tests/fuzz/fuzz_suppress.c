/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for suppression files (reports/suppress.c): the
 * parser of untrusted "id:pattern" text, the matcher and the glob.
 * Input: a 16-bit little-endian length L, L bytes of suppression text,
 * then NUL-separated strings: the finding id, then (function, file,
 * module) triples of a stack (an empty string stands for NULL).
 * The text is parsed twice into the same set (appending), so full sets and
 * "too many rules" are reached too.
 * Invariants: supp_parse returns 0 or -EINVAL; on error the set is
 * byte-identical and the message is one non-empty line naming the origin;
 * on success every rule's id is a catalogue id or "*" and its pattern is a
 * non-empty NUL-terminated string; supp_glob agrees with a reference
 * matcher (dynamic programming over the same '*', '^', '$' rules) on every
 * pattern and frame name; supp_match returns the first rule that matches
 * some frame by that reference, or -1 when none does, and counts exactly
 * that hit; supp_format_used writes whole NUL-terminated lines within
 * its capacity.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "core/finding.h"
#include "reports/suppress.h"
#include "reports/symbolize.h"
#include "fuzz_common.h"

#define MAX_FRAMES 8
#define MAX_NAME 300

static struct supp_set set, before;

/*
 * Reference glob: the pattern as written ('^' first and '$' last are
 * anchors, everything else literal but '*'), matched by dynamic programming
 * against the whole name with implicit '*' on each unanchored side.
 */
static int ref_glob(const char *pattern, const char *name)
{
	static unsigned char row[2][MAX_NAME + 2];
	size_t plen = strlen(pattern), nlen = strlen(name), i, j;
	int lead = 1, trail = 1, cur = 0;
	const char *p = pattern;

	if (plen && p[0] == '^') {
		lead = 0;
		p++;
		plen--;
	}
	if (plen && p[plen - 1] == '$') {
		trail = 0;
		plen--;
	}
	if (nlen > MAX_NAME)
		nlen = MAX_NAME;
	/* row[cur][j]: the pattern prefix so far matches name[0..j). */
	for (j = 0; j <= nlen; j++)
		row[cur][j] = lead || j == 0;
	for (i = 0; i < plen; i++) {
		unsigned char *prev = row[cur], *next = row[cur ^ 1];

		if (p[i] == '*') {
			next[0] = prev[0];
			for (j = 1; j <= nlen; j++)
				next[j] = prev[j] || next[j - 1];
		} else {
			next[0] = 0;
			for (j = 1; j <= nlen; j++)
				next[j] = prev[j - 1] && name[j - 1] == p[i];
		}
		cur ^= 1;
	}
	if (!trail)
		return row[cur][nlen];
	for (j = 0; j <= nlen; j++)
		if (row[cur][j])
			return 1;
	return 0;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int ref_frame(const char *pat, const struct sym_frame *f)
{
	if (f->function && ref_glob(pat, f->function))
		return 1;
	if (f->file && (ref_glob(pat, f->file) || ref_glob(pat, base(f->file))))
		return 1;
	if (f->module && (ref_glob(pat, f->module) || ref_glob(pat, base(f->module))))
		return 1;
	return 0;
}

static int ref_match(const struct supp_set *s, const char *id, const struct sym_frame *fr, int n)
{
	int i, f;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->rules[i].id, "*") && strcmp(s->rules[i].id, id))
			continue;
		for (f = 0; f < n; f++)
			if (ref_frame(s->rules[i].pattern, &fr[f]))
				return i;
	}
	return -1;
}

static void check_set(const struct supp_set *s)
{
	int i;

	FUZZ_CHECK(s->n >= 0 && s->n <= SUPP_MAX, "n=%d", s->n);
	for (i = 0; i < s->n; i++) {
		const struct supp_rule *r = &s->rules[i];

		FUZZ_CHECK(memchr(r->id, '\0', sizeof(r->id)), "rule %d id unterminated", i);
		FUZZ_CHECK(memchr(r->pattern, '\0', sizeof(r->pattern)),
			   "rule %d pattern unterminated", i);
		FUZZ_CHECK(r->pattern[0] != '\0', "rule %d has an empty pattern", i);
		FUZZ_CHECK(!strcmp(r->id, "*") || bug_from_id(r->id) >= 0,
			   "rule %d has unknown id '%s'", i, r->id);
	}
}

static void parse_checked(const char *text, size_t len)
{
	char err[256];
	int rc;

	before = set;
	memset(err, 'x', sizeof(err));
	rc = supp_parse(&set, text, len, "fuzz.supp", err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "supp_parse returned %d", rc);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "error message unterminated");
	if (rc) {
		FUZZ_CHECK(memcmp(&before, &set, sizeof(set)) == 0,
			   "a rejected file changed the set");
		FUZZ_CHECK(!strncmp(err, "fuzz.supp:", 10), "message without origin: %s", err);
		FUZZ_CHECK(!strchr(err, '\n'), "message spans lines: %s", err);
	} else {
		FUZZ_CHECK(err[0] == '\0', "success with a message: %s", err);
		FUZZ_CHECK(set.n >= before.n, "the set shrank");
	}
	check_set(&set);
}

/* Next NUL-terminated string of @in (cut at MAX_NAME), or NULL at the end. */
static const char *next_str(const uint8_t **p, const uint8_t *end, char *buf)
{
	size_t i = 0;

	if (*p >= end)
		return NULL;
	while (*p < end && **p) {
		if (i < MAX_NAME)
			buf[i++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	buf[i] = '\0';
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char names[1 + 3 * MAX_FRAMES][MAX_NAME + 1];
	struct sym_frame fr[MAX_FRAMES];
	const uint8_t *p, *end = data + size;
	const char *id;
	char used[1024];
	size_t len, ulen;
	int nfr = 0, i, got, want;
	unsigned long hits_before;

	if (size < 2)
		return 0;
	len = (size_t)data[0] | (size_t)data[1] << 8;
	if (len > size - 2)
		len = size - 2;
	memset(&set, 0, sizeof(set));
	parse_checked((const char *)data + 2, len);
	parse_checked((const char *)data + 2, len);

	p = data + 2 + len;
	id = next_str(&p, end, names[0]);
	if (!id)
		id = "double-unmap";
	memset(fr, 0, sizeof(fr));
	while (nfr < MAX_FRAMES) {
		const char *s[3];

		for (i = 0; i < 3; i++) {
			s[i] = next_str(&p, end, names[1 + 3 * nfr + i]);
			if (s[i] && !s[i][0])
				s[i] = NULL;
		}
		if (p >= end && !s[0] && !s[1] && !s[2])
			break;
		fr[nfr].function = s[0];
		fr[nfr].file = s[1];
		fr[nfr].module = s[2];
		nfr++;
	}

	for (i = 0; i < set.n; i++) {
		int f;

		for (f = 0; f < nfr; f++) {
			const char *nm[3] = { fr[f].function, fr[f].file, fr[f].module };
			int k;

			for (k = 0; k < 3; k++) {
				if (!nm[k])
					continue;
				FUZZ_CHECK(supp_glob(set.rules[i].pattern, nm[k]) ==
						   ref_glob(set.rules[i].pattern, nm[k]),
					   "supp_glob('%s', '%s') disagrees with the reference",
					   set.rules[i].pattern, nm[k]);
			}
		}
	}
	FUZZ_CHECK(supp_glob(NULL, "x") == 0 && supp_glob("x", NULL) == 0, "NULL glob matched");

	want = ref_match(&set, id, fr, nfr);
	hits_before = want >= 0 ? set.rules[want].hits : 0;
	got = supp_match(&set, id, fr, nfr);
	FUZZ_CHECK(got == want, "supp_match gave rule %d, the reference rule %d", got, want);
	if (got >= 0)
		FUZZ_CHECK(set.rules[got].hits == hits_before + 1, "the hit was not counted");

	ulen = supp_format_used(&set, used, sizeof(used));
	FUZZ_CHECK(ulen < sizeof(used) && strlen(used) == ulen, "format_used length %zu", ulen);
	FUZZ_CHECK((got >= 0) == (ulen > 0), "format_used %zu bytes after match %d", ulen, got);
	FUZZ_CHECK(ulen == 0 || used[ulen - 1] == '\n', "format_used cut a line");
	ulen = supp_format_used(&set, used, 1 + (size & 63));
	FUZZ_CHECK(ulen <= (size & 63) && strlen(used) == ulen, "small format_used %zu", ulen);
	return 0;
}
