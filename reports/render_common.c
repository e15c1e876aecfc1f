/* SPDX-License-Identifier: MIT */
/*
 * Shared renderer pieces (reports/render_common.h), the render options
 * and the dedupe signature. The signature hashes (FNV-1a 64) the finding
 * id and the top three frames outside libdmasan, libc and the dynamic
 * loader, by function name when known, else by module basename and
 * offset; addresses never enter it, so the same bug on another run or
 * another buffer gets the same signature. No locking (see render.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core/stack.h"
#include "reports/render_common.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define SIGNATURE_FRAMES 3

void rb_init(struct rbuf *b, char *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->mark = 0;
	b->full = 0;
	if (cap)
		buf[0] = '\0';
}

static void overflow(struct rbuf *b)
{
	b->full = 1;
	b->len = b->mark;
	if (b->cap)
		b->buf[b->len] = '\0';
}

void rb_printf(struct rbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (b->full)
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		overflow(b);
		return;
	}
	b->len += (size_t)n;
}

void rb_puts(struct rbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->full)
		return;
	if (n >= b->cap - b->len) {
		overflow(b);
		return;
	}
	memcpy(b->buf + b->len, s, n + 1);
	b->len += n;
}

void rb_putc(struct rbuf *b, char c)
{
	if (b->full)
		return;
	if (b->len + 1 >= b->cap) {
		overflow(b);
		return;
	}
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
}

void rb_commit(struct rbuf *b)
{
	if (!b->full)
		b->mark = b->len;
}

size_t rb_finish(struct rbuf *b)
{
	if (b->cap)
		b->buf[b->len] = '\0';
	return b->len;
}

const struct render_opts *rc_opts(const struct render_opts *r, struct render_opts *def)
{
	if (r)
		return r;
	def->symbolize = 1;
	def->strip_path_prefix = "";
	def->max_frames = STACK_MAX_FRAMES;
	def->in_signal = 0;
	return def;
}

const char *rc_strip(const char *prefix, const char *path)
{
	const char *p;

	if (!path || !prefix || !*prefix)
		return path;
	p = strstr(path, prefix);
	if (!p)
		return path;
	p += strlen(prefix);
	while (*p == '/')
		p++;
	if (p[0] == '.' && p[1] == '/')
		p += 2;
	return *p ? p : path;
}

const char *rc_basename(const char *path)
{
	const char *slash;

	if (!path)
		return NULL;
	slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

void rc_frame(const struct render_opts *r, uintptr_t pc, struct sym_frame *f)
{
	if (r->in_signal)
		sym_resolve_safe(pc, r->symbolize, f);
	else
		sym_resolve(pc, r->symbolize, f);
	if (!r->symbolize) {
		f->function = NULL;
		f->file = NULL;
		f->line = 0;
	}
	f->file = rc_strip(r->strip_path_prefix, f->file);
	f->module = rc_strip(r->strip_path_prefix, f->module);
}

const char *rc_bug_id(const struct finding *f)
{
	if ((unsigned)f->kind >= BUG_COUNT)
		return "unknown";
	return bug_table[f->kind].id;
}

const char *rc_severity(const struct finding *f)
{
	if ((unsigned)f->kind >= BUG_COUNT)
		return "error";
	return bug_severity_name(bug_table[f->kind].severity);
}

const char *rc_message(const struct finding *f)
{
	if (f->message[0])
		return f->message;
	if ((unsigned)f->kind >= BUG_COUNT)
		return "unknown finding";
	return bug_table[f->kind].description;
}

int rc_frames(const struct render_opts *r, uint32_t id, const uintptr_t **pcs)
{
	int n = stack_depot_get(id, pcs);

	if (r->max_frames > 0 && n > r->max_frames)
		n = r->max_frames;
	return n;
}

/**
 * render_opts_from - symbolize, strip_path_prefix and map_context_size
 * (as max_frames, clamped to 1..STACK_MAX_FRAMES) of @o. The prefix
 * points into @o, which must outlive @r.
 */
void render_opts_from(const struct dmasan_options *o, struct render_opts *r)
{
	long frames = o->map_context_size;

	if (frames < 1)
		frames = 1;
	if (frames > STACK_MAX_FRAMES)
		frames = STACK_MAX_FRAMES;
	r->symbolize = !!o->symbolize;
	r->strip_path_prefix = o->strip_path_prefix;
	r->max_frames = (int)frames;
	r->in_signal = 0;
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= FNV_PRIME;
	}
	/* A separator, so "ab"+"c" and "a"+"bc" differ. */
	h ^= 0xff;
	h *= FNV_PRIME;
	return h;
}

static int runtime_module(const char *base)
{
	static const char *const skip[] = { "libdmasan", "libc.so", "libc-", "ld-linux" };
	size_t i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strncmp(base, skip[i], strlen(skip[i])) == 0)
			return 1;
	return 0;
}

/**
 * render_signature - 16 lowercase hex digits of FNV-1a 64 over the id and
 * the top SIGNATURE_FRAMES frames outside the runtime (see the file
 * comment) into @buf (17 bytes).
 */
void render_signature(const struct finding *f, const struct render_opts *r, char *buf)
{
	struct render_opts def;
	struct sym_frame sf;
	const uintptr_t *pcs;
	const char *base;
	char off[32];
	uint64_t h = FNV_OFFSET;
	int i, n, used = 0;

	r = rc_opts(r, &def);
	h = fnv(h, rc_bug_id(f));
	n = stack_depot_get(f->stack, &pcs);
	for (i = 0; i < n && used < SIGNATURE_FRAMES; i++) {
		rc_frame(r, pcs[i], &sf);
		base = rc_basename(sf.module);
		if (base && runtime_module(base))
			continue;
		/* In a signal handler only cached frames have names: offsets, for a stable signature. */
		if (sf.function && !r->in_signal) {
			h = fnv(h, sf.function);
		} else if (base) {
			snprintf(off, sizeof(off), "+0x%" PRIxPTR, sf.module_offset);
			h = fnv(fnv(h, base), off);
		} else {
			h = fnv(h, "?");
		}
		used++;
	}
	snprintf(buf, 17, "%016" PRIx64, h);
}
