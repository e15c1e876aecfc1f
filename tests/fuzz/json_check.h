/* SPDX-License-Identifier: MIT */
/*
 * A strict, allocation-free JSON validator for the tests that read the
 * shim's JSON-lines logs (the API-sequence fuzzer, the stress test): one
 * line must be exactly one JSON object (RFC 8259), strings must be valid
 * UTF-8 with no raw control characters, nesting at most JSON_MAX_DEPTH.
 * It checks the syntax only; it builds nothing. Header-only, no state.
 */
#ifndef DMASAN_TESTS_JSON_CHECK_H
#define DMASAN_TESTS_JSON_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define JSON_MAX_DEPTH 32

struct json_cur {
	const unsigned char *p, *end;
	const char *why;
};

static inline void json_ws(struct json_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline int json_fail(struct json_cur *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return -1;
}

static inline int json_hex(unsigned char h)
{
	return (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
}

/* One UTF-8 sequence starting at c->p (a byte >= 0x80). */
static inline int json_utf8(struct json_cur *c)
{
	const unsigned char *p = c->p;
	unsigned char b = *p, lo = 0x80, hi = 0xbf;
	int n, i;

	if (b >= 0xc2 && b <= 0xdf)
		n = 1;
	else if (b >= 0xe0 && b <= 0xef)
		n = 2;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 3;
	else
		return json_fail(c, "invalid UTF-8 lead byte");
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (c->end - p <= n)
		return json_fail(c, "truncated UTF-8 sequence");
	for (i = 1; i <= n; i++) {
		unsigned char x = p[i];

		if (x < (i == 1 ? lo : 0x80) || x > (i == 1 ? hi : 0xbf))
			return json_fail(c, "invalid UTF-8 continuation byte");
	}
	c->p += n + 1;
	return 0;
}

static inline int json_string(struct json_cur *c)
{
	c->p++; /* the opening quote */
	while (c->p < c->end) {
		unsigned char ch = *c->p;

		if (ch == '"') {
			c->p++;
			return 0;
		}
		if (ch < 0x20)
			return json_fail(c, "raw control character in a string");
		if (ch == '\\') {
			if (c->end - c->p < 2)
				return json_fail(c, "truncated escape");
			ch = c->p[1];
			if (ch == 'u') {
				int i;

				if (c->end - c->p < 6)
					return json_fail(c, "truncated \\u escape");
				for (i = 2; i < 6; i++)
					if (!json_hex(c->p[i]))
						return json_fail(c, "bad \\u escape");
				c->p += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", ch) || ch == '\0')
				return json_fail(c, "bad escape");
			c->p += 2;
			continue;
		}
		if (ch >= 0x80) {
			if (json_utf8(c))
				return -1;
			continue;
		}
		c->p++;
	}
	return json_fail(c, "unterminated string");
}

static inline int json_number(struct json_cur *c)
{
	const unsigned char *s = c->p;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p >= c->end)
		return json_fail(c, "truncated number");
	if (*c->p == '0') {
		c->p++;
	} else if (*c->p >= '1' && *c->p <= '9') {
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	} else {
		return json_fail(c, "bad number");
	}
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return json_fail(c, "bad fraction");
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return json_fail(c, "bad exponent");
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	return c->p > s ? 0 : json_fail(c, "empty number");
}

static inline int json_lit(struct json_cur *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return json_fail(c, "unexpected character");
	c->p += n;
	return 0;
}

static inline int json_value(struct json_cur *c, int depth);

static inline int json_container(struct json_cur *c, int depth, int is_object)
{
	char close = is_object ? '}' : ']';

	if (depth >= JSON_MAX_DEPTH)
		return json_fail(c, "nested too deeply");
	c->p++;
	json_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return 0;
	}
	for (;;) {
		json_ws(c);
		if (is_object) {
			if (c->p >= c->end || *c->p != '"')
				return json_fail(c, "expected a member name");
			if (json_string(c))
				return -1;
			json_ws(c);
			if (c->p >= c->end || *c->p != ':')
				return json_fail(c, "expected ':'");
			c->p++;
		}
		if (json_value(c, depth + 1))
			return -1;
		json_ws(c);
		if (c->p >= c->end)
			return json_fail(c, "unterminated object or array");
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == close) {
			c->p++;
			return 0;
		}
		return json_fail(c, "expected ',' or a closing bracket");
	}
}

static inline int json_value(struct json_cur *c, int depth)
{
	json_ws(c);
	if (c->p >= c->end)
		return json_fail(c, "missing value");
	switch (*c->p) {
	case '{':
		return json_container(c, depth, 1);
	case '[':
		return json_container(c, depth, 0);
	case '"':
		return json_string(c);
	case 't':
		return json_lit(c, "true");
	case 'f':
		return json_lit(c, "false");
	case 'n':
		return json_lit(c, "null");
	default:
		return json_number(c);
	}
}

/**
 * json_check_line - @return 0 when @s (@n bytes, no newline) is exactly
 * one JSON object, else -1 with *@why set to a static explanation and
 * *@at to the byte offset of the problem.
 */
static inline int json_check_line(const char *s, size_t n, const char **why, size_t *at)
{
	struct json_cur c = { (const unsigned char *)s, (const unsigned char *)s + n, NULL };

	json_ws(&c);
	if (c.p >= c.end || *c.p != '{') {
		c.why = "a line that is not an object";
	} else if (json_value(&c, 0) == 0) {
		json_ws(&c);
		if (c.p == c.end)
			return 0;
		c.why = "text after the object";
	}
	if (why)
		*why = c.why;
	if (at)
		*at = (size_t)(c.p - (const unsigned char *)s);
	return -1;
}

#endif /* DMASAN_TESTS_JSON_CHECK_H */
