/* SPDX-License-Identifier: MIT */
/*
 * The JSON-lines sink: one finding, or the end-of-run summary, as one
 * JSON object on one line ending in '\n' (schemas RENDER_SCHEMA and
 * RENDER_SUMMARY_SCHEMA; "schema" then "id" come first, which
 * tests/e2e/expect_ids.sh relies on). Strings are escaped strictly (RFC
 * 8259): quotes, backslashes and every control byte are escaped, valid
 * UTF-8 passes through and each byte of invalid UTF-8 becomes \u00XX.
 * 64-bit addresses are "0x..." strings; absent values are null. A
 * finding made in a signal handler has "unsymbolized":"signal-handler":
 * its frames are module+offset (function, file, line null) unless they
 * were symbolized earlier in the run.
 *
 * When a record does not fit, it is rendered again with less: without
 * history, then without related stacks, then with fewer frames, then
 * with empty message and facts, and gets "truncated":true; if even that
 * does not fit the output is empty. Output is always valid and
 * NUL-terminated. No locking: the caller serialises (see render.h).
 */
#include <stdio.h>
#include <string.h>
#include "core/stack.h"
#include "reports/render_common.h"

#define ULL(x) ((unsigned long long)(x))

/* How much of a finding to render. */
struct jlevel {
	int history;   /* include the history events */
	int related;   /* include the related stacks */
	int nframes;   /* frames of the main stack */
	int strings;   /* include message and facts */
	int truncated; /* something was left out */
};

/* Length of a valid UTF-8 sequence at @p, 0 when it is not one. */
static int utf8_seq(const unsigned char *p)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* beyond U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* @s (at most @max bytes) as a JSON string, or null when @s is NULL. */
static void put_str_n(struct rbuf *b, const char *s, size_t max)
{
	const unsigned char *p, *end;
	char esc[8];
	int n;

	if (!s) {
		rb_puts(b, "null");
		return;
	}
	p = (const unsigned char *)s;
	end = p + strnlen(s, max);
	rb_putc(b, '"');
	while (p < end && !b->full) {
		unsigned char c = *p;

		if (c == '"' || c == '\\') {
			rb_putc(b, '\\');
			rb_putc(b, (char)c);
		} else if (c == '\n') {
			rb_puts(b, "\\n");
		} else if (c == '\t') {
			rb_puts(b, "\\t");
		} else if (c == '\r') {
			rb_puts(b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			rb_puts(b, esc);
		} else if (c < 0x80) {
			rb_putc(b, (char)c);
		} else {
			n = utf8_seq(p);
			if (n == 0 || p + n > end) {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				rb_puts(b, esc);
			} else {
				for (; n > 1; n--)
					rb_putc(b, (char)*p++);
				rb_putc(b, (char)*p);
			}
		}
		p++;
	}
	rb_putc(b, '"');
}

static void put_str(struct rbuf *b, const char *s)
{
	put_str_n(b, s, (size_t)-1);
}

/* ,"key": */
static void put_key(struct rbuf *b, const char *key)
{
	rb_printf(b, ",\"%s\":", key);
}

static void put_addr(struct rbuf *b, unsigned long long a)
{
	rb_printf(b, "\"0x%016llx\"", a);
}

static void put_dir(struct rbuf *b, int dir)
{
	if (dir < 0)
		rb_puts(b, "null");
	else
		put_str(b, dir_name(dir));
}

static void put_frame(struct rbuf *b, const struct render_opts *r, uintptr_t pc)
{
	struct sym_frame sf;

	rc_frame(r, pc, &sf);
	rb_puts(b, "{\"pc\":");
	put_addr(b, ULL(pc));
	put_key(b, "function");
	put_str(b, sf.function);
	put_key(b, "file");
	put_str(b, sf.file);
	put_key(b, "line");
	if (sf.file && sf.line > 0)
		rb_printf(b, "%d", sf.line);
	else
		rb_puts(b, "null");
	put_key(b, "module");
	put_str(b, sf.module);
	put_key(b, "module_offset");
	if (sf.module)
		rb_printf(b, "\"0x%llx\"", ULL(sf.module_offset));
	else
		rb_puts(b, "null");
	rb_putc(b, '}');
}

/* [frame, ...] of stack @id, at most @max frames. */
static void put_stack(struct rbuf *b, const struct render_opts *r, uint32_t id, int max)
{
	const uintptr_t *pcs;
	int i, n = rc_frames(r, id, &pcs);

	if (n > max)
		n = max;
	rb_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			rb_putc(b, ',');
		put_frame(b, r, pcs[i]);
	}
	rb_putc(b, ']');
}

static void put_object(struct rbuf *b, const struct finding *f)
{
	if (!f->has_object) {
		rb_puts(b, "null");
		return;
	}
	rb_puts(b, "{\"type\":");
	put_str(b, f->obj_type);
	put_key(b, "dma_addr");
	put_addr(b, ULL(f->obj_dma));
	put_key(b, "cpu_addr");
	if (f->obj_cpu)
		put_addr(b, ULL(f->obj_cpu));
	else
		rb_puts(b, "null");
	rb_printf(b, ",\"size\":%llu", ULL(f->obj_size));
	put_key(b, "direction");
	put_dir(b, f->obj_dir);
	rb_printf(b, ",\"live\":%s}", f->obj_live ? "true" : "false");
}

static void put_related(struct rbuf *b, const struct finding *f, const struct render_opts *r)
{
	int i, n = f->nrelated;

	if (n > FINDING_MAX_RELATED)
		n = FINDING_MAX_RELATED;
	rb_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			rb_putc(b, ',');
		rb_puts(b, "{\"label\":");
		put_str(b, f->related[i].label);
		rb_printf(b, ",\"tid\":%u,\"stack\":", (unsigned)f->related[i].tid);
		put_stack(b, r, f->related[i].stack, STACK_MAX_FRAMES);
		rb_putc(b, '}');
	}
	rb_putc(b, ']');
}

static void put_history(struct rbuf *b, const struct finding *f, const struct render_opts *r)
{
	const struct finding_event *ev;
	const uintptr_t *pcs;
	int i, n = f->nhistory;

	if (n > FINDING_MAX_HISTORY)
		n = FINDING_MAX_HISTORY;
	rb_putc(b, '[');
	for (i = 0; i < n; i++) {
		ev = &f->history[i];
		if (i)
			rb_putc(b, ',');
		rb_printf(b, "{\"seq\":%llu,\"event\":", ULL(ev->seq));
		put_str(b, ev->what);
		put_key(b, "direction");
		put_dir(b, ev->dir);
		rb_printf(b,
			  ",\"offset\":%llu,\"size\":%llu,\"tid\":%u,\"frame\":", ULL(ev->offset),
			  ULL(ev->size), (unsigned)ev->tid);
		if (stack_depot_get(ev->stack, &pcs) > 0)
			put_frame(b, r, pcs[0]);
		else
			rb_puts(b, "null");
		rb_putc(b, '}');
	}
	rb_putc(b, ']');
}

static void put_finding(struct rbuf *b, const struct finding *f, const struct render_opts *r,
			const struct jlevel *lv, const char *sig)
{
	rb_printf(b, "{\"schema\":\"%s\",\"id\":", RENDER_SCHEMA);
	put_str(b, rc_bug_id(f));
	put_key(b, "severity");
	put_str(b, rc_severity(f));
	rb_printf(b, ",\"pid\":%d,\"tid\":%u,\"seq\":%llu", f->pid, (unsigned)f->tid, ULL(f->seq));
	put_key(b, "device");
	put_str_n(b, f->device[0] ? f->device : NULL, sizeof(f->device));
	put_key(b, "dma_addr");
	if (f->has_dma)
		put_addr(b, ULL(f->dma_addr));
	else
		rb_puts(b, "null");
	put_key(b, "cpu_addr");
	if (f->cpu_addr)
		put_addr(b, ULL(f->cpu_addr));
	else
		rb_puts(b, "null");
	rb_printf(b, ",\"size\":%llu", ULL(f->size));
	put_key(b, "direction");
	put_dir(b, f->dir);
	put_key(b, "message");
	put_str_n(b, lv->strings ? rc_message(f) : "", sizeof(f->message));
	put_key(b, "facts");
	put_str_n(b, lv->strings ? f->facts : "", sizeof(f->facts));
	put_key(b, "object");
	put_object(b, f);
	put_key(b, "stack");
	put_stack(b, r, f->stack, lv->nframes);
	put_key(b, "related");
	if (lv->related)
		put_related(b, f, r);
	else
		rb_puts(b, "[]");
	put_key(b, "history");
	if (lv->history)
		put_history(b, f, r);
	else
		rb_puts(b, "[]");
	if (r->in_signal)
		rb_puts(b, ",\"unsymbolized\":\"signal-handler\"");
	rb_printf(b, ",\"signature\":\"%s\"", sig);
	if (lv->truncated)
		rb_puts(b, ",\"truncated\":true");
	rb_puts(b, "}\n");
}

static int try_finding(struct rbuf *b, const struct finding *f, const struct render_opts *r,
		       const struct jlevel *lv, const char *sig)
{
	rb_init(b, b->buf, b->cap);
	put_finding(b, f, r, lv, sig);
	return !b->full;
}

/**
 * render_json_finding - @f as one JSON object and '\n' into @buf (@cap
 * bytes), dropping history, related stacks, frames, then message and
 * facts until it fits. @return the length (< @cap); 0 and an empty
 * string when not even the smallest form fits.
 */
size_t render_json_finding(const struct finding *f, const struct render_opts *r, char *buf,
			   size_t cap)
{
	struct jlevel lv = { 1, 1, 0, 1, 0 };
	struct render_opts def;
	const uintptr_t *pcs;
	char sig[17];
	struct rbuf b;

	if (!buf || cap == 0)
		return 0;
	rb_init(&b, buf, cap);
	if (!f)
		return 0;
	r = rc_opts(r, &def);
	render_signature(f, r, sig);
	lv.nframes = rc_frames(r, f->stack, &pcs);
	if (try_finding(&b, f, r, &lv, sig))
		return rb_finish(&b);
	lv.truncated = 1;
	lv.history = 0;
	if (f->nhistory > 0 && try_finding(&b, f, r, &lv, sig))
		return rb_finish(&b);
	lv.related = 0;
	if (f->nrelated > 0 && try_finding(&b, f, r, &lv, sig))
		return rb_finish(&b);
	while (lv.nframes > 0) {
		lv.nframes--;
		if (try_finding(&b, f, r, &lv, sig))
			return rb_finish(&b);
	}
	lv.strings = 0;
	if (try_finding(&b, f, r, &lv, sig))
		return rb_finish(&b);
	rb_init(&b, buf, cap);
	return 0;
}

static void put_summary(struct rbuf *b, const struct summary *s, int ndev, int counts,
			int truncated)
{
	const struct summary_device *d;
	int i, first = 1;

	rb_printf(b, "{\"schema\":\"%s\",\"pid\":%d", RENDER_SUMMARY_SCHEMA, s->pid);
	rb_printf(b, ",\"total\":%llu,\"printed\":%llu,\"suppressed\":%llu,\"counts\":{",
		  ULL(s->total), ULL(s->printed), ULL(s->suppressed));
	for (i = 0; counts && i < BUG_COUNT; i++) {
		if (!s->counts[i])
			continue;
		if (!first)
			rb_putc(b, ',');
		first = 0;
		put_str(b, bug_table[i].id);
		rb_printf(b, ":%llu", ULL(s->counts[i]));
	}
	rb_puts(b, "},\"devices\":[");
	for (i = 0; i < ndev; i++) {
		d = &s->devices[i];
		if (i)
			rb_putc(b, ',');
		rb_puts(b, "{\"name\":");
		put_str_n(b, d->name, sizeof(d->name));
		rb_printf(b, ",\"maps\":%llu,\"unmaps\":%llu,\"syncs\":%llu,\"allocs\":%llu",
			  ULL(d->maps), ULL(d->unmaps), ULL(d->syncs), ULL(d->allocs));
		rb_printf(b, ",\"frees\":%llu,\"dev_reads\":%llu,\"dev_writes\":%llu",
			  ULL(d->frees), ULL(d->dev_reads), ULL(d->dev_writes));
		rb_printf(b, ",\"bytes_bounced\":%llu,\"bytes_bounced_in\":%llu",
			  ULL(d->bytes_bounced), ULL(d->bytes_bounced_in));
		rb_printf(b, ",\"swiotlb_high_water\":%llu", ULL(d->swiotlb_high_water));
		rb_printf(b, ",\"live_mappings\":%llu,\"live_coherent\":%llu",
			  ULL(d->live_mappings), ULL(d->live_coherent));
		rb_printf(b, ",\"live_pool_blocks\":%llu}", ULL(d->live_pool_blocks));
	}
	rb_putc(b, ']');
	rb_printf(b, ",\"swiotlb\":{\"slots\":%llu,\"slot_size\":%llu,\"used\":%llu",
		  ULL(s->swiotlb_slots), ULL(s->swiotlb_slot_size), ULL(s->swiotlb_used));
	rb_printf(b, ",\"high_water\":%llu,\"maps\":%llu,\"failed\":%llu}",
		  ULL(s->swiotlb_high_water), ULL(s->swiotlb_maps), ULL(s->swiotlb_failed));
	if (truncated)
		rb_puts(b, ",\"truncated\":true");
	rb_puts(b, "}\n");
}

/**
 * render_json_summary - the summary record (counts of the ids seen,
 * per-device statistics) as one JSON object and '\n'. Devices, then the
 * counts, are dropped from the end when it does not fit. @return the
 * length (< @cap); 0 when not even the smallest form fits.
 */
size_t render_json_summary(const struct summary *s, char *buf, size_t cap)
{
	struct rbuf b;
	int ndev0, ndev, counts = 1;

	if (!buf || cap == 0)
		return 0;
	rb_init(&b, buf, cap);
	if (!s)
		return 0;
	ndev0 = s->devices && s->ndevices > 0 ? s->ndevices : 0;
	ndev = ndev0;
	for (;;) {
		rb_init(&b, buf, cap);
		put_summary(&b, s, ndev, counts, ndev < ndev0 || !counts);
		if (!b.full)
			return rb_finish(&b);
		if (ndev > 0)
			ndev--;
		else if (counts)
			counts = 0;
		else
			break;
	}
	rb_init(&b, buf, cap);
	return 0;
}
