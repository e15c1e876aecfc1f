/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the sinks (reports/render_text.c, render_json.c,
 * render_common.c). Findings are built by hand, with stacks made of real
 * return addresses inside functions of this file, so frames symbolize to
 * names, this file and lines. Text is checked line by line; JSON goes
 * through a strict RFC 8259 validator written here, including hostile
 * strings, and every buffer size from 1 byte up must give well-formed,
 * NUL-terminated output. Also the dedupe signature and the summaries.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/finding.h"
#include "core/options.h"
#include "core/stack.h"
#include "helpers/cunit_helpers.h"
#include "reports/render.h"
#include "reports/symbolize.h"

/* Not inlined, cloned or specialised, so that symbols match the source. */
#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noipa))
#endif
#define RULE "================================================================="
#define BIG 65536
#define MAX_LINES 256
#define FINDING_PREFIX "{\"schema\":\"dmasan.finding/1\",\"id\":\"double-unmap\","

static volatile int sink;

/* Real PCs, their lines and stacks, set up by the suite init. */
static uintptr_t pc_tx, pc_rx, pc_poll, pc_irq;
static int line_tx, line_rx, line_poll, line_irq;
static uint32_t bug_stack, map_stack, unmap_stack;
static struct sym_frame sym_tx, sym_rx, sym_poll;
static char big[BIG], big2[BIG];

static NOINLINE uintptr_t return_address(void)
{
	sink++;
	return (uintptr_t)__builtin_return_address(0);
}

static NOINLINE uintptr_t nic_tx_clean(int *line)
{
	uintptr_t pc;

	pc = return_address();
	*line = __LINE__;
	sink += 2;
	return pc;
}

static NOINLINE uintptr_t nic_rx_refill(int *line)
{
	uintptr_t pc;

	pc = return_address();
	*line = __LINE__;
	sink += 3;
	return pc;
}

static NOINLINE uintptr_t nic_poll(int *line)
{
	uintptr_t pc;

	pc = return_address();
	*line = __LINE__;
	sink += 4;
	return pc;
}

/* Never symbolized before the signal-handler tests, which need that. */
static NOINLINE uintptr_t nic_irq(int *line)
{
	uintptr_t pc;

	pc = return_address();
	*line = __LINE__;
	sink += 5;
	return pc;
}

static int suite_init(void)
{
	uintptr_t s[2];

	pc_tx = nic_tx_clean(&line_tx);
	pc_rx = nic_rx_refill(&line_rx);
	pc_poll = nic_poll(&line_poll);
	pc_irq = nic_irq(&line_irq);
	s[0] = pc_tx;
	s[1] = pc_poll;
	bug_stack = stack_depot_put(s, 2);
	s[0] = pc_rx;
	map_stack = stack_depot_put(s, 2);
	unmap_stack = stack_depot_put(&pc_poll, 1);
	sym_resolve(pc_tx, 1, &sym_tx);
	sym_resolve(pc_rx, 1, &sym_rx);
	sym_resolve(pc_poll, 1, &sym_poll);
	if (!bug_stack || !map_stack || !unmap_stack)
		return 1;
	if (!sym_tx.file || !sym_rx.file || !sym_poll.file || !sym_tx.module)
		return 1;
	return 0;
}

static const struct render_opts opts_full = { 1, "", 64, 0 };

static void make_finding(struct finding *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = BUG_DOUBLE_UNMAP;
	f->seq = 7;
	f->pid = 4242;
	f->tid = 77;
	strcpy(f->device, "nic0");
	f->has_dma = 1;
	f->dma_addr = 0x80010040u;
	f->cpu_addr = (uintptr_t)0x7f0000001040u;
	f->size = 64;
	f->dir = 2;
	strcpy(f->message, "device driver unmaps DMA memory twice");
	strcpy(f->facts, "[device address=0x0000000080010040] [size=64 bytes]");
	f->has_object = 1;
	f->obj_type = "single";
	f->obj_dma = 0x80010000u;
	f->obj_cpu = (uintptr_t)0x7f0000001000u;
	f->obj_size = 2048;
	f->obj_dir = 2;
	f->obj_live = 0;
	f->stack = bug_stack;
	f->nrelated = 2;
	f->related[0] = (struct finding_stack){ "mapped at", map_stack, 5 };
	f->related[1] = (struct finding_stack){ "unmapped at", unmap_stack, 6 };
	f->nhistory = 2;
	f->history[0] = (struct finding_event){ 12, "map", 2, 0, 2048, map_stack, 5 };
	f->history[1] = (struct finding_event){ 13, "unmap", 2, 0, 2048, unmap_stack, 6 };
}

/* Split @text into lines (without '\n'); @return the count. */
static int split(const char *text, char lines[][1024], int max)
{
	int n = 0;

	while (*text && n < max) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		if (len > 1023)
			len = 1023;
		memcpy(lines[n], text, len);
		lines[n][len] = '\0';
		n++;
		if (!nl)
			break;
		text = nl + 1;
	}
	return n;
}

static char lines[MAX_LINES][1024];

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int find_line(int n, const char *want)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(lines[i], want) == 0)
			return i;
	return -1;
}

static void frame_line(char *out, size_t cap, int i, uintptr_t pc, const struct sym_frame *s)
{
	snprintf(out, cap, "    #%d 0x%016lx in %s %s:%d", i, (unsigned long)pc, s->function,
		 s->file, s->line);
}

/* ---- text ---- */

static void test_symbols_of_test_pcs(void)
{
	const char *base = strrchr(sym_tx.file, '/');

	CU_ASSERT_STRING_EQUAL(sym_tx.function, "nic_tx_clean");
	CU_ASSERT_STRING_EQUAL(sym_poll.function, "nic_poll");
	CU_ASSERT_STRING_EQUAL(base ? base + 1 : sym_tx.file, "render_ut.c");
	CU_ASSERT(sym_tx.line >= line_tx - 1 && sym_tx.line <= line_tx + 1);
}

static void test_text_layout(void)
{
	struct finding f;
	char want[1024];
	size_t len;
	int n, i;

	make_finding(&f);
	len = render_text_finding(&f, &opts_full, big, sizeof(big));
	CU_ASSERT_EQUAL(len, strlen(big));
	DMASAN_ASSERT_FATAL(len > 0 && big[len - 1] == '\n');
	n = split(big, lines, MAX_LINES);
	DMASAN_ASSERT_FATAL(n > 12);
	CU_ASSERT_STRING_EQUAL(lines[0], RULE);
	CU_ASSERT_STRING_EQUAL(lines[1],
			       "==4242==ERROR: dmasan: double-unmap on device nic0 (thread T77)");
	CU_ASSERT_STRING_EQUAL(
		lines[2],
		"device driver unmaps DMA memory twice [device address=0x0000000080010040] [size=64 bytes]");
	frame_line(want, sizeof(want), 0, pc_tx, &sym_tx);
	CU_ASSERT_STRING_EQUAL(lines[3], want);
	frame_line(want, sizeof(want), 1, pc_poll, &sym_poll);
	CU_ASSERT_STRING_EQUAL(lines[4], want);
	CU_ASSERT_STRING_EQUAL(lines[5], "");
	CU_ASSERT_STRING_EQUAL(
		lines[6],
		"0x0000000080010040 is located 64 bytes inside a 2048-byte DMA_FROM_DEVICE single mapping [0x0000000080010000,0x0000000080010800) of device nic0, already unmapped");
	CU_ASSERT_STRING_EQUAL(lines[7], "");
	CU_ASSERT_STRING_EQUAL(lines[8], "mapped at (thread T5):");
	frame_line(want, sizeof(want), 0, pc_rx, &sym_rx);
	CU_ASSERT_STRING_EQUAL(lines[9], want);
	CU_ASSERT_STRING_EQUAL(lines[11], "");
	CU_ASSERT_STRING_EQUAL(lines[12], "unmapped at (thread T6):");
	frame_line(want, sizeof(want), 0, pc_poll, &sym_poll);
	CU_ASSERT_STRING_EQUAL(lines[13], want);
	i = find_line(n, "History (oldest first):");
	DMASAN_ASSERT_FATAL(i > 0 && i + 2 < n);
	CU_ASSERT_STRING_EQUAL(lines[i - 1], "");
	snprintf(want, sizeof(want),
		 "  seq 12  T5  map DMA_FROM_DEVICE [0,2048)  nic_rx_refill render_ut.c:%d",
		 sym_rx.line);
	CU_ASSERT_STRING_EQUAL(lines[i + 1], want);
	snprintf(want, sizeof(want),
		 "  seq 13  T6  unmap DMA_FROM_DEVICE [0,2048)  nic_poll render_ut.c:%d",
		 sym_poll.line);
	CU_ASSERT_STRING_EQUAL(lines[i + 2], want);
	CU_ASSERT_STRING_EQUAL(lines[n - 2], "");
	snprintf(want, sizeof(want), "SUMMARY: dmasan: double-unmap %s:%d in nic_tx_clean",
		 sym_tx.file, sym_tx.line);
	CU_ASSERT_STRING_EQUAL(lines[n - 1], want);
}

static void located(struct finding *f, char *out, size_t cap)
{
	int n;

	render_text_finding(f, &opts_full, big, sizeof(big));
	n = split(big, lines, MAX_LINES);
	snprintf(out, cap, "%s", n > 6 ? lines[6] : "");
}

static void test_text_located_paragraph(void)
{
	struct finding f;
	char got[1024];

	make_finding(&f);
	f.dma_addr = 0x80010810u;
	located(&f, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(
		got,
		"0x0000000080010810 is located 16 bytes after the end of a 2048-byte DMA_FROM_DEVICE single mapping [0x0000000080010000,0x0000000080010800) of device nic0, already unmapped");
	f.dma_addr = 0x8000fff0u;
	f.obj_live = 1;
	located(&f, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(
		got,
		"0x000000008000fff0 is located 16 bytes before a 2048-byte DMA_FROM_DEVICE single mapping [0x0000000080010000,0x0000000080010800) of device nic0");

	make_finding(&f);
	f.has_dma = 0;
	f.obj_type = "coherent";
	f.obj_dir = -1;
	f.obj_size = 8;
	f.cpu_addr = f.obj_cpu + 4;
	located(&f, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(
		got,
		"0x00007f0000001004 is located 4 bytes inside an 8-byte coherent allocation [0x00007f0000001000,0x00007f0000001008) of device nic0, already freed");
	f.device[0] = '\0';
	f.obj_type = "pool block";
	f.obj_size = 4096;
	f.obj_live = 1;
	located(&f, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(
		got,
		"0x00007f0000001004 is located 4 bytes inside a 4096-byte pool block allocation [0x00007f0000001000,0x00007f0000002000)");
}

static void test_text_without_device_or_stacks(void)
{
	struct finding f;
	int n;

	make_finding(&f);
	f.device[0] = '\0';
	f.stack = 0;
	f.has_object = 0;
	f.nrelated = 1;
	f.related[0].stack = 0;
	f.nhistory = 0;
	render_text_finding(&f, &opts_full, big, sizeof(big));
	n = split(big, lines, MAX_LINES);
	DMASAN_ASSERT_FATAL(n == 9);
	CU_ASSERT_STRING_EQUAL(lines[1], "==4242==ERROR: dmasan: double-unmap (thread T77)");
	CU_ASSERT_STRING_EQUAL(lines[3], "    <not recorded>");
	CU_ASSERT_STRING_EQUAL(lines[4], "");
	CU_ASSERT_STRING_EQUAL(lines[5], "mapped at (thread T5):");
	CU_ASSERT_STRING_EQUAL(lines[6], "    <not recorded>");
	CU_ASSERT_STRING_EQUAL(lines[7], "");
	CU_ASSERT_STRING_EQUAL(lines[8], "SUMMARY: dmasan: double-unmap");
}

static void test_text_empty_message_uses_description(void)
{
	struct finding f;

	make_finding(&f);
	f.message[0] = '\0';
	f.facts[0] = '\0';
	render_text_finding(&f, &opts_full, big, sizeof(big));
	split(big, lines, MAX_LINES);
	CU_ASSERT_STRING_EQUAL(lines[2], bug_table[BUG_DOUBLE_UNMAP].description);
}

static void test_text_unsymbolized_frames(void)
{
	const struct render_opts r = { 0, "", 64, 0 };
	struct finding f;
	char want[1024];
	int n;

	make_finding(&f);
	render_text_finding(&f, &r, big, sizeof(big));
	n = split(big, lines, MAX_LINES);
	DMASAN_ASSERT_FATAL(n > 4);
	snprintf(want, sizeof(want), "    #0 0x%016lx (%s+0x", (unsigned long)pc_tx, sym_tx.module);
	CU_ASSERT_EQUAL(strncmp(lines[3], want, strlen(want)), 0);
	CU_ASSERT_PTR_NULL(strstr(big, " in nic_tx_clean"));
	snprintf(want, sizeof(want), "SUMMARY: dmasan: double-unmap (%s+0x", sym_tx.module);
	CU_ASSERT_EQUAL(strncmp(lines[n - 1], want, strlen(want)), 0);
}

/* Made in a signal handler: cached frames keep their names, others are module+offset, and it says so. */
static void test_text_signal_handler(void)
{
	const struct render_opts r = { 1, "", 64, 1 };
	uintptr_t s[2] = { pc_irq, pc_poll };
	struct finding f;
	char want[1024];
	int n, note;

	make_finding(&f);
	f.stack = stack_depot_put(s, 2);
	DMASAN_ASSERT_FATAL(f.stack != 0);
	render_text_finding(&f, &r, big, sizeof(big));
	n = split(big, lines, MAX_LINES);
	DMASAN_ASSERT_FATAL(n > 6);
	snprintf(want, sizeof(want), "    #0 0x%016lx (%s+0x", (unsigned long)pc_irq,
		 sym_tx.module);
	CU_ASSERT_EQUAL(strncmp(lines[3], want, strlen(want)), 0);
	CU_ASSERT_PTR_NULL(strstr(big, "nic_irq"));
	frame_line(want, sizeof(want), 1, pc_poll, &sym_poll);
	CU_ASSERT_STRING_EQUAL(lines[4], want);
	note = find_line(n, "Note: made in a signal handler, where symbolizing is not "
			    "async-signal-safe: frames are unsymbolized (module+offset) unless "
			    "symbolized earlier in the run");
	CU_ASSERT_EQUAL(note, 5);
	snprintf(want, sizeof(want), "SUMMARY: dmasan: double-unmap (%s+0x", sym_tx.module);
	CU_ASSERT_EQUAL(strncmp(lines[n - 1], want, strlen(want)), 0);
	/* Not in a handler: no note (and nic_irq stays unsymbolized for the tests below). */
	make_finding(&f);
	render_text_finding(&f, &opts_full, big, sizeof(big));
	CU_ASSERT_PTR_NULL(strstr(big, "Note: made in a signal handler"));
}

static void test_text_strip_prefix_and_max_frames(void)
{
	char prefix[1024], want[1024];
	struct render_opts r = { 1, prefix, 1, 0 };
	struct finding f;
	int n;

	snprintf(prefix, sizeof(prefix), "%s", sym_tx.file);
	*strrchr(prefix, '/') = '\0';
	make_finding(&f);
	render_text_finding(&f, &r, big, sizeof(big));
	n = split(big, lines, MAX_LINES);
	DMASAN_ASSERT_FATAL(n > 5);
	snprintf(want, sizeof(want), "    #0 0x%016lx in nic_tx_clean render_ut.c:%d",
		 (unsigned long)pc_tx, sym_tx.line);
	CU_ASSERT_STRING_EQUAL(lines[3], want);
	CU_ASSERT_STRING_EQUAL(lines[4], "");
	CU_ASSERT_PTR_NULL(strstr(big, "    #1 "));
	snprintf(want, sizeof(want), "SUMMARY: dmasan: double-unmap render_ut.c:%d in nic_tx_clean",
		 sym_tx.line);
	CU_ASSERT_STRING_EQUAL(lines[n - 1], want);
}

static void test_text_control_bytes_do_not_break_lines(void)
{
	struct finding f;
	int n, m;

	make_finding(&f);
	render_text_finding(&f, &opts_full, big, sizeof(big));
	m = split(big, lines, MAX_LINES);
	strcpy(f.message, "bad\nmessage\r\x01");
	strcpy(f.device, "nic\n0");
	render_text_finding(&f, &opts_full, big, sizeof(big));
	n = split(big, lines, MAX_LINES);
	CU_ASSERT_EQUAL(n, m);
	CU_ASSERT_STRING_EQUAL(lines[1],
			       "==4242==ERROR: dmasan: double-unmap on device nic?0 (thread T77)");
	CU_ASSERT_EQUAL(strncmp(lines[2], "bad?message?? [device", 21), 0);
}

/* Every line of @part is a line of @whole. */
static int lines_subset(const char *part, const char *whole)
{
	const char *p = part;

	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *w = whole;
		size_t len;
		int found = 0;

		if (!nl)
			return 0;
		len = (size_t)(nl - p) + 1;
		while (*w && !found) {
			const char *wn = strchr(w, '\n');

			if (!wn)
				break;
			if ((size_t)(wn - w) + 1 == len && memcmp(w, p, len) == 0)
				found = 1;
			w = wn + 1;
		}
		if (!found)
			return 0;
		p = nl + 1;
	}
	return 1;
}

static void test_text_small_buffers_stay_whole_lines(void)
{
	struct finding f;
	size_t full, cap, len, sumlen;
	const char *sum;
	int bad = 0, nosum = 0;

	make_finding(&f);
	full = render_text_finding(&f, &opts_full, big2, sizeof(big2));
	sum = strstr(big2, "SUMMARY: ");
	DMASAN_ASSERT_FATAL(sum != NULL);
	sumlen = strlen(sum);
	CU_ASSERT_EQUAL(render_text_finding(&f, &opts_full, big, 0), 0);
	for (cap = 1; cap <= full + 2; cap++) {
		memset(big, 'x', cap);
		len = render_text_finding(&f, &opts_full, big, cap);
		if (len >= cap || big[len] != '\0' || strlen(big) != len)
			bad++;
		else if (len && (big[len - 1] != '\n' || !lines_subset(big, big2)))
			bad++;
		else if (cap > sumlen + 1 && (len < sumlen || strcmp(big + len - sumlen, sum) != 0))
			nosum++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(nosum, 0);
	CU_ASSERT_EQUAL(render_text_finding(&f, &opts_full, big, full + 1), full);
	CU_ASSERT_STRING_EQUAL(big, big2);
}

/* ---- a strict JSON validator ---- */

struct jp {
	const char *p, *end;
};

static void jws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int jutf8(struct jp *j)
{
	const unsigned char *p = (const unsigned char *)j->p;
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	int n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (j->end - j->p < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	if (c == 0xed)
		hi = 0x9f;
	if (c == 0xf0)
		lo = 0x90;
	if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	j->p += n;
	return 1;
}

static int jstring(struct jp *j)
{
	int i;

	if (j->p >= j->end || *j->p != '"')
		return 0;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"') {
			j->p++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				return 0;
			if (*j->p == 'u') {
				for (i = 1; i <= 4; i++)
					if (j->p + i >= j->end || !isxdigit((unsigned char)j->p[i]))
						return 0;
				j->p += 5;
			} else if (strchr("\"\\/bfnrt", *j->p) && *j->p) {
				j->p++;
			} else {
				return 0;
			}
		} else if (c >= 0x80) {
			if (!jutf8(j))
				return 0;
		} else {
			j->p++;
		}
	}
	return 0;
}

static int jdigits(struct jp *j)
{
	const char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static int jnumber(struct jp *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!jdigits(j))
		return 0;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!jdigits(j))
			return 0;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!jdigits(j))
			return 0;
	}
	return 1;
}

static int jlit(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

static int jvalue(struct jp *j, int depth);

static int jcontainer(struct jp *j, int depth, char close)
{
	int first = 1;

	j->p++;
	for (;;) {
		jws(j);
		if (j->p < j->end && *j->p == close && first) {
			j->p++;
			return 1;
		}
		if (close == '}') {
			if (!jstring(j))
				return 0;
			jws(j);
			if (j->p >= j->end || *j->p != ':')
				return 0;
			j->p++;
		}
		if (!jvalue(j, depth + 1))
			return 0;
		jws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			first = 0;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 1;
		}
		return 0;
	}
}

static int jvalue(struct jp *j, int depth)
{
	if (depth > 64)
		return 0;
	jws(j);
	if (j->p >= j->end)
		return 0;
	switch (*j->p) {
	case '{':
		return jcontainer(j, depth, '}');
	case '[':
		return jcontainer(j, depth, ']');
	case '"':
		return jstring(j);
	case 't':
		return jlit(j, "true");
	case 'f':
		return jlit(j, "false");
	case 'n':
		return jlit(j, "null");
	default:
		return jnumber(j);
	}
}

/* One JSON value on one line, ending in exactly one '\n'. */
static int json_line_valid(const char *s, size_t len)
{
	struct jp j = { s, s + len };

	if (len < 2 || s[len - 1] != '\n' || memchr(s, '\n', len - 1))
		return 0;
	j.end = s + len - 1;
	if (!jvalue(&j, 0))
		return 0;
	jws(&j);
	return j.p == j.end;
}

/* Raw text of top-level @key's value into @out. @return 1 when found. */
static int json_get(const char *s, const char *key, char *out, size_t cap)
{
	struct jp j = { s, s + strlen(s) };
	const char *k, *v;
	size_t klen = strlen(key);

	jws(&j);
	if (*j.p != '{')
		return 0;
	j.p++;
	for (;;) {
		jws(&j);
		k = j.p;
		if (!jstring(&j))
			return 0;
		jws(&j);
		if (*j.p != ':')
			return 0;
		j.p++;
		jws(&j);
		v = j.p;
		if (!jvalue(&j, 0))
			return 0;
		if ((size_t)(j.p - k) >= klen + 2 && (size_t)(v - k) >= klen + 2 &&
		    k[klen + 1] == '"' && memcmp(k + 1, key, klen) == 0) {
			snprintf(out, cap, "%.*s", (int)(j.p - v), v);
			return 1;
		}
		jws(&j);
		if (*j.p != ',')
			return 0;
		j.p++;
	}
}

/* Decode the JSON string literal @raw (with quotes) into UTF-8 @out. */
static int json_decode(const char *raw, char *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	if (*raw++ != '"')
		return 0;
	while (*raw && *raw != '"' && n + 4 < cap) {
		if (*raw != '\\') {
			out[n++] = *raw++;
			continue;
		}
		raw++;
		switch (*raw) {
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'u':
			if (sscanf(raw + 1, "%4x", &v) != 1)
				return 0;
			if (v < 0x80) {
				out[n++] = (char)v;
			} else if (v < 0x800) {
				out[n++] = (char)(0xc0 | (v >> 6));
				out[n++] = (char)(0x80 | (v & 0x3f));
			} else {
				return 0;
			}
			raw += 4;
			break;
		default:
			out[n++] = *raw;
			break;
		}
		raw++;
	}
	out[n] = '\0';
	return *raw == '"';
}

static void expect_key(const char *json, const char *key, const char *want)
{
	char got[4096];

	if (!json_get(json, key, got, sizeof(got))) {
		CU_FAIL("key missing");
		fprintf(stderr, "missing key %s\n", key);
		return;
	}
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "key %s: got %s want %s\n", key, got, want);
}

/* ---- JSON ---- */

static void test_validator_self_check(void)
{
	static const char *const good[] = { "{}\n", "[1,-2.5e+3,true,false,null,\"a\\u00ff\"]\n",
					    "{\"a\":{\"b\":[]}}\n", "\"\xc3\xa9\"\n" };
	static const char *const bad[] = {
		"{\n",	       "{}",   "{}\n\n",    "[1,]\n",	  "\"a\x01\"\n",       "\"\xff\"\n",
		"{\"a\" 1}\n", "01\n", "\"\\x\"\n", "[1]\n[2]\n", "\"\xed\xa0\x80\"\n"
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT(json_line_valid(good[i], strlen(good[i])));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT(!json_line_valid(bad[i], strlen(bad[i])));
}

static void test_json_fields(void)
{
	struct finding f;
	char want[256], sig[17], raw[4096];
	size_t len;

	make_finding(&f);
	len = render_json_finding(&f, &opts_full, big, sizeof(big));
	CU_ASSERT_EQUAL(len, strlen(big));
	CU_ASSERT(json_line_valid(big, len));
	CU_ASSERT(starts_with(big, FINDING_PREFIX));
	expect_key(big, "severity", "\"error\"");
	expect_key(big, "pid", "4242");
	expect_key(big, "tid", "77");
	expect_key(big, "seq", "7");
	expect_key(big, "device", "\"nic0\"");
	expect_key(big, "dma_addr", "\"0x0000000080010040\"");
	expect_key(big, "cpu_addr", "\"0x00007f0000001040\"");
	expect_key(big, "size", "64");
	expect_key(big, "direction", "\"DMA_FROM_DEVICE\"");
	expect_key(big, "message", "\"device driver unmaps DMA memory twice\"");
	expect_key(big, "facts", "\"[device address=0x0000000080010040] [size=64 bytes]\"");
	expect_key(big, "object",
		   "{\"type\":\"single\",\"dma_addr\":\"0x0000000080010000\","
		   "\"cpu_addr\":\"0x00007f0000001000\",\"size\":2048,"
		   "\"direction\":\"DMA_FROM_DEVICE\",\"live\":false}");
	render_signature(&f, &opts_full, sig);
	snprintf(want, sizeof(want), "\"%s\"", sig);
	expect_key(big, "signature", want);
	DMASAN_ASSERT_FATAL(json_get(big, "stack", raw, sizeof(raw)));
	CU_ASSERT_EQUAL(raw[0], '[');
	snprintf(want, sizeof(want), "{\"pc\":\"0x%016lx\",\"function\":\"nic_tx_clean\",",
		 (unsigned long)pc_tx);
	CU_ASSERT_EQUAL(strncmp(raw + 1, want, strlen(want)), 0);
	snprintf(want, sizeof(want), "\"line\":%d,", sym_tx.line);
	CU_ASSERT_PTR_NOT_NULL(strstr(raw, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(raw, "\"function\":\"nic_poll\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(raw, "render_ut.c\""));
	DMASAN_ASSERT_FATAL(json_get(big, "related", raw, sizeof(raw)));
	CU_ASSERT(starts_with(raw, "[{\"label\":\"mapped at\",\"tid\":5,\"stack\":[{"));
	CU_ASSERT_PTR_NOT_NULL(strstr(raw, "{\"label\":\"unmapped at\",\"tid\":6,\"stack\":["));
	DMASAN_ASSERT_FATAL(json_get(big, "history", raw, sizeof(raw)));
	CU_ASSERT(starts_with(raw,
			      "[{\"seq\":12,\"event\":\"map\",\"direction\":\"DMA_FROM_DEVICE\","));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(raw, "\"offset\":0,\"size\":2048,\"tid\":5,\"frame\":{\"pc\":"));
	CU_ASSERT_PTR_NOT_NULL(strstr(raw, "\"event\":\"unmap\""));
	CU_ASSERT_PTR_NULL(strstr(big, "\"truncated\""));
}

static void test_json_absent_values_are_null(void)
{
	struct finding f;
	size_t len;

	make_finding(&f);
	f.kind = BUG_UNALIGNED_BUFFER;
	f.device[0] = '\0';
	f.has_dma = 0;
	f.cpu_addr = 0;
	f.dir = -1;
	f.has_object = 0;
	f.stack = 0;
	f.nrelated = 1;
	f.related[0].stack = 0;
	f.nhistory = 1;
	f.history[0].stack = 0;
	f.history[0].dir = -1;
	len = render_json_finding(&f, &opts_full, big, sizeof(big));
	CU_ASSERT(json_line_valid(big, len));
	expect_key(big, "id", "\"unaligned-buffer\"");
	expect_key(big, "severity", "\"warning\"");
	expect_key(big, "device", "null");
	expect_key(big, "dma_addr", "null");
	expect_key(big, "cpu_addr", "null");
	expect_key(big, "direction", "null");
	expect_key(big, "object", "null");
	expect_key(big, "stack", "[]");
	expect_key(big, "related", "[{\"label\":\"mapped at\",\"tid\":5,\"stack\":[]}]");
	expect_key(big, "history",
		   "[{\"seq\":12,\"event\":\"map\",\"direction\":null,\"offset\":0,"
		   "\"size\":2048,\"tid\":5,\"frame\":null}]");
}

static void test_json_unsymbolized_frames(void)
{
	const struct render_opts r = { 0, "", 64, 0 };
	struct finding f;
	char raw[4096];
	size_t len;

	make_finding(&f);
	len = render_json_finding(&f, &r, big, sizeof(big));
	CU_ASSERT(json_line_valid(big, len));
	DMASAN_ASSERT_FATAL(json_get(big, "stack", raw, sizeof(raw)));
	CU_ASSERT_PTR_NOT_NULL(strstr(raw, "\"function\":null,\"file\":null,"
					   "\"line\":null,\"module\":\""));
}

static void test_json_signal_handler(void)
{
	const struct render_opts r = { 1, "", 64, 1 };
	uintptr_t s[2] = { pc_irq, pc_poll };
	struct finding f;
	char raw[4096], want[256];
	size_t len;

	make_finding(&f);
	f.stack = stack_depot_put(s, 2);
	DMASAN_ASSERT_FATAL(f.stack != 0);
	len = render_json_finding(&f, &r, big, sizeof(big));
	CU_ASSERT(json_line_valid(big, len));
	expect_key(big, "unsymbolized", "\"signal-handler\"");
	DMASAN_ASSERT_FATAL(json_get(big, "stack", raw, sizeof(raw)));
	snprintf(want, sizeof(want),
		 "[{\"pc\":\"0x%016lx\",\"function\":null,\"file\":null,\"line\":null,"
		 "\"module\":\"%s\",\"module_offset\":\"0x",
		 (unsigned long)pc_irq, sym_tx.module);
	CU_ASSERT_EQUAL(strncmp(raw, want, strlen(want)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(raw, "\"function\":\"nic_poll\""));
	make_finding(&f);
	len = render_json_finding(&f, &opts_full, big, sizeof(big));
	CU_ASSERT(json_line_valid(big, len));
	CU_ASSERT_PTR_NULL(strstr(big, "\"unsymbolized\""));
}

static void test_json_hostile_strings(void)
{
	static const char msg[] =
		"say \"hi\" \\ back\nnext\ttab\r\x01\x1f\x7f \xff \xc3\xa9 \xe2\x82";
	static const char msg_decoded[] =
		"say \"hi\" \\ back\nnext\ttab\r\x01\x1f\x7f \xc3\xbf \xc3\xa9 \xc3\xa2\xc2\x82";
	struct finding f;
	char raw[4096], dec[4096];
	size_t len;

	make_finding(&f);
	strcpy(f.message, msg);
	strcpy(f.facts, "[a=\"\\\"] \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80");
	strcpy(f.device, "nic\"0\\\n");
	f.related[0].label = "label \"quoted\"";
	len = render_json_finding(&f, &opts_full, big, sizeof(big));
	CU_ASSERT(json_line_valid(big, len));
	DMASAN_ASSERT_FATAL(json_get(big, "message", raw, sizeof(raw)));
	CU_ASSERT_PTR_NOT_NULL(strstr(raw, "\\\"hi\\\" \\\\ back\\nnext\\ttab\\r"
					   "\\u0001\\u001f\\u007f \\u00ff \xc3\xa9 "
					   "\\u00e2\\u0082\""));
	CU_ASSERT(json_decode(raw, dec, sizeof(dec)));
	CU_ASSERT_STRING_EQUAL(dec, msg_decoded);
	DMASAN_ASSERT_FATAL(json_get(big, "facts", raw, sizeof(raw)));
	CU_ASSERT_STRING_EQUAL(raw, "\"[a=\\\"\\\\\\\"] \\u00c0\\u00af \\u00ed\\u00a0\\u0080 "
				    "\\u00f4\\u0090\\u0080\\u0080\"");
	expect_key(big, "device", "\"nic\\\"0\\\\\\n\"");
	CU_ASSERT_PTR_NOT_NULL(strstr(big, "\"label\":\"label \\\"quoted\\\"\""));
}

static void test_json_small_buffers_stay_valid(void)
{
	struct finding f;
	size_t full, cap, len;
	int bad = 0, trunc = 0, nohist = 0, norel = 0, fewer = 0;
	char raw[4096];

	make_finding(&f);
	full = render_json_finding(&f, &opts_full, big2, sizeof(big2));
	CU_ASSERT(json_line_valid(big2, full));
	CU_ASSERT_EQUAL(render_json_finding(&f, &opts_full, big, 0), 0);
	for (cap = 1; cap <= full + 2; cap++) {
		memset(big, 'x', cap);
		len = render_json_finding(&f, &opts_full, big, cap);
		if (len >= cap || big[len] != '\0' || strlen(big) != len) {
			bad++;
			continue;
		}
		if (len == 0)
			continue;
		if (!json_line_valid(big, len) || !starts_with(big, FINDING_PREFIX)) {
			bad++;
			continue;
		}
		if (cap > full)
			continue;
		trunc += strstr(big, ",\"truncated\":true}\n") != NULL;
		if (json_get(big, "history", raw, sizeof(raw)) && strcmp(raw, "[]") == 0)
			nohist++;
		if (json_get(big, "related", raw, sizeof(raw)) && strcmp(raw, "[]") == 0)
			norel++;
		if (json_get(big, "stack", raw, sizeof(raw)) && !strstr(raw, "nic_poll"))
			fewer++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Every size short of the full record gives a marked, smaller form. */
	CU_ASSERT(trunc > 0);
	CU_ASSERT(nohist > 0 && norel > 0 && fewer > 0);
	CU_ASSERT_EQUAL(render_json_finding(&f, &opts_full, big, full + 1), full);
	CU_ASSERT_STRING_EQUAL(big, big2);
	len = render_json_finding(&f, &opts_full, big, full);
	CU_ASSERT(len > 0 && len < full);
	CU_ASSERT(json_get(big, "history", raw, sizeof(raw)) && strcmp(raw, "[]") == 0);
	CU_ASSERT(json_get(big, "related", raw, sizeof(raw)) && strncmp(raw, "[{", 2) == 0);
}

/* ---- signature ---- */

static int is_sig(const char *s)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	return s[16] == '\0';
}

static void test_signature_ignores_addresses(void)
{
	struct finding a, b;
	char sa[17], sb[17];

	make_finding(&a);
	make_finding(&b);
	b.dma_addr += 0x1000;
	b.cpu_addr += 0x1000;
	b.obj_dma += 0x1000;
	b.obj_cpu += 0x1000;
	b.seq = 99;
	b.tid = 3;
	b.pid = 1;
	b.size = 128;
	render_signature(&a, &opts_full, sa);
	render_signature(&b, &opts_full, sb);
	CU_ASSERT(is_sig(sa));
	CU_ASSERT_STRING_EQUAL(sa, sb);
}

static void test_signature_differs_by_id_and_stack(void)
{
	struct finding a, b;
	char sa[17], sb[17];

	make_finding(&a);
	make_finding(&b);
	b.kind = BUG_UNMAP_SIZE_MISMATCH;
	render_signature(&a, &opts_full, sa);
	render_signature(&b, &opts_full, sb);
	CU_ASSERT(is_sig(sb));
	CU_ASSERT_STRING_NOT_EQUAL(sa, sb);
	b.kind = a.kind;
	b.stack = map_stack;
	render_signature(&b, &opts_full, sb);
	CU_ASSERT_STRING_NOT_EQUAL(sa, sb);
}

/* In a handler only cached frames have names: the signature uses offsets, whatever the cache holds. */
static void test_signature_in_signal_handler(void)
{
	const struct render_opts r = { 1, "", 64, 1 };
	uintptr_t s[2] = { pc_irq, pc_poll };
	struct finding f;
	char before[17], after[17], normal[17];
	struct sym_frame sf;

	make_finding(&f);
	f.stack = stack_depot_put(s, 2);
	DMASAN_ASSERT_FATAL(f.stack != 0);
	render_signature(&f, &r, before);
	sym_resolve(pc_irq, 1, &sf); /* now cached */
	CU_ASSERT_STRING_EQUAL(sf.function, "nic_irq");
	render_signature(&f, &r, after);
	CU_ASSERT(is_sig(before));
	CU_ASSERT_STRING_EQUAL(before, after);
	render_signature(&f, &opts_full, normal);
	CU_ASSERT_STRING_NOT_EQUAL(before, normal);
}

static void test_signature_skips_libc_frames(void)
{
	struct finding a, b;
	char sa[17], sb[17];
	uintptr_t s[3];

	s[0] = (uintptr_t)(void *)&getpid + 1;
	s[1] = pc_tx;
	s[2] = pc_poll;
	make_finding(&a);
	make_finding(&b);
	b.stack = stack_depot_put(s, 3);
	DMASAN_ASSERT_FATAL(b.stack != 0);
	render_signature(&a, &opts_full, sa);
	render_signature(&b, &opts_full, sb);
	CU_ASSERT_STRING_EQUAL(sa, sb);
}

/* ---- summary ---- */

static struct summary_device devs[2];

static void make_summary(struct summary *s)
{
	memset(s, 0, sizeof(*s));
	memset(devs, 0, sizeof(devs));
	s->pid = 4242;
	s->total = 3;
	s->printed = 3;
	s->suppressed = 1;
	s->counts[BUG_DOUBLE_UNMAP] = 1;
	s->counts[BUG_UNALIGNED_BUFFER] = 2;
	strcpy(devs[0].name, "nic0");
	devs[0].maps = 120;
	devs[0].unmaps = 119;
	devs[0].syncs = 240;
	devs[0].allocs = 2;
	devs[0].frees = 2;
	devs[0].dev_reads = 120;
	devs[0].dev_writes = 60;
	devs[0].live_mappings = 1;
	strcpy(devs[1].name, "nvme\"1");
	devs[1].bytes_bounced = 4096;
	devs[1].swiotlb_high_water = 3;
	s->ndevices = 2;
	s->devices = devs;
}

static void test_summary_text(void)
{
	struct summary s;
	size_t len;

	make_summary(&s);
	len = render_text_summary(&s, big, sizeof(big));
	CU_ASSERT_EQUAL(len, strlen(big));
	CU_ASSERT_STRING_EQUAL(
		big,
		"==4242==dmasan: 3 findings (1 error, 2 warnings), 1 suppressed\n"
		"==4242==  double-unmap: 1\n"
		"==4242==  unaligned-buffer: 2\n"
		"==4242==device nic0: 120 maps, 119 unmaps, 240 syncs, 2 allocs, 2 frees, 120 device reads, 60 device writes; live now: 1 mappings, 0 coherent, 0 pool blocks\n"
		"==4242==device nvme\"1: 0 maps, 0 unmaps, 0 syncs, 0 allocs, 0 frees, 0 device reads, 0 device writes; live now: 0 mappings, 0 coherent, 0 pool blocks; bounced 4096 bytes to the device and 0 to the CPU, swiotlb high-water 3 slots\n");
	memset(&s, 0, sizeof(s));
	s.pid = 7;
	render_text_summary(&s, big, sizeof(big));
	CU_ASSERT_STRING_EQUAL(big, "==7==dmasan: no findings\n");
	s.suppressed = 2;
	render_text_summary(&s, big, sizeof(big));
	CU_ASSERT_STRING_EQUAL(big, "==7==dmasan: no findings, 2 suppressed\n");
	make_summary(&s);
	len = render_text_summary(&s, big, 100);
	CU_ASSERT(len < 100);
	CU_ASSERT_STRING_EQUAL(big,
			       "==4242==dmasan: 3 findings (1 error, 2 warnings), 1 suppressed\n"
			       "==4242==  double-unmap: 1\n");
}

static void test_summary_json(void)
{
	struct summary s;
	size_t len, full, cap;
	char raw[4096];
	int bad = 0;

	make_summary(&s);
	full = render_json_summary(&s, big2, sizeof(big2));
	CU_ASSERT(json_line_valid(big2, full));
	CU_ASSERT(starts_with(big2, "{\"schema\":\"dmasan.summary/1\",\"pid\":4242,"));
	expect_key(big2, "total", "3");
	expect_key(big2, "printed", "3");
	expect_key(big2, "suppressed", "1");
	expect_key(big2, "counts", "{\"double-unmap\":1,\"unaligned-buffer\":2}");
	DMASAN_ASSERT_FATAL(json_get(big2, "devices", raw, sizeof(raw)));
	CU_ASSERT_STRING_EQUAL(
		raw,
		"[{\"name\":\"nic0\",\"maps\":120,\"unmaps\":119,\"syncs\":240,\"allocs\":2,"
		"\"frees\":2,\"dev_reads\":120,\"dev_writes\":60,\"bytes_bounced\":0,\"bytes_bounced_in\":0,"
		"\"swiotlb_high_water\":0,\"live_mappings\":1,\"live_coherent\":0,"
		"\"live_pool_blocks\":0},"
		"{\"name\":\"nvme\\\"1\",\"maps\":0,\"unmaps\":0,\"syncs\":0,\"allocs\":0,"
		"\"frees\":0,\"dev_reads\":0,\"dev_writes\":0,\"bytes_bounced\":4096,\"bytes_bounced_in\":0,"
		"\"swiotlb_high_water\":3,\"live_mappings\":0,\"live_coherent\":0,"
		"\"live_pool_blocks\":0}]");
	for (cap = 1; cap <= full + 1; cap++) {
		len = render_json_summary(&s, big, cap);
		if (len >= cap || big[len] != '\0' || (len && !json_line_valid(big, len)))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	memset(&s, 0, sizeof(s));
	len = render_json_summary(&s, big, sizeof(big));
	CU_ASSERT(json_line_valid(big, len));
	expect_key(big, "counts", "{}");
	expect_key(big, "devices", "[]");
}

static void test_opts_from_options(void)
{
	struct dmasan_options o;
	struct render_opts r;

	memset(&o, 0, sizeof(o));
	o.symbolize = 1;
	strcpy(o.strip_path_prefix, "/src/");
	o.map_context_size = 5;
	render_opts_from(&o, &r);
	CU_ASSERT_EQUAL(r.symbolize, 1);
	CU_ASSERT_STRING_EQUAL(r.strip_path_prefix, "/src/");
	CU_ASSERT_EQUAL(r.max_frames, 5);
	o.symbolize = 0;
	o.map_context_size = 1000;
	render_opts_from(&o, &r);
	CU_ASSERT_EQUAL(r.symbolize, 0);
	CU_ASSERT_EQUAL(r.max_frames, 64);
	o.map_context_size = 0;
	render_opts_from(&o, &r);
	CU_ASSERT_EQUAL(r.max_frames, 1);
}

static void test_null_inputs(void)
{
	char b[16] = "zz";

	CU_ASSERT_EQUAL(render_text_finding(NULL, &opts_full, b, sizeof(b)), 0);
	CU_ASSERT_EQUAL(b[0], '\0');
	CU_ASSERT_EQUAL(render_json_finding(NULL, NULL, b, sizeof(b)), 0);
	CU_ASSERT_EQUAL(render_text_summary(NULL, b, sizeof(b)), 0);
	CU_ASSERT_EQUAL(render_json_summary(NULL, b, sizeof(b)), 0);
	CU_ASSERT_EQUAL(b[0], '\0');
}

static CU_TestInfo text_tests[] = {
	{ "test PCs symbolize", test_symbols_of_test_pcs },
	{ "layout: rule, headline, frames, located, related, history, SUMMARY", test_text_layout },
	{ "located paragraph: inside, after, before, allocation", test_text_located_paragraph },
	{ "no device, no stacks", test_text_without_device_or_stacks },
	{ "empty message uses the description", test_text_empty_message_uses_description },
	{ "symbolize=0 gives module+offset", test_text_unsymbolized_frames },
	{ "made in a signal handler", test_text_signal_handler },
	{ "strip_path_prefix and max_frames", test_text_strip_prefix_and_max_frames },
	{ "control bytes do not break lines", test_text_control_bytes_do_not_break_lines },
	{ "small buffers keep whole lines and SUMMARY", test_text_small_buffers_stay_whole_lines },
	{ "NULL inputs", test_null_inputs },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo json_tests[] = {
	{ "validator accepts and rejects", test_validator_self_check },
	{ "fields of a finding", test_json_fields },
	{ "absent values are null", test_json_absent_values_are_null },
	{ "symbolize=0 frames", test_json_unsymbolized_frames },
	{ "made in a signal handler", test_json_signal_handler },
	{ "hostile strings are escaped", test_json_hostile_strings },
	{ "small buffers stay valid", test_json_small_buffers_stay_valid },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo signature_tests[] = {
	{ "addresses do not change it", test_signature_ignores_addresses },
	{ "ids and stacks change it", test_signature_differs_by_id_and_stack },
	{ "libc frames are skipped", test_signature_skips_libc_frames },
	{ "made in a signal handler: offsets only", test_signature_in_signal_handler },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo summary_tests[] = {
	{ "text summary", test_summary_text },
	{ "JSON summary", test_summary_json },
	{ "render options from the options", test_opts_from_options },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "render/text", suite_init, NULL, NULL, NULL, text_tests },
	{ "render/json", suite_init, NULL, NULL, NULL, json_tests },
	{ "render/signature", suite_init, NULL, NULL, NULL, signature_tests },
	{ "render/summary", suite_init, NULL, NULL, NULL, summary_tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
