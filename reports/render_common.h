/* SPDX-License-Identifier: MIT */
/*
 * Pieces the text and JSON renderers share: a bounded output buffer that
 * can fall back to its last complete unit, frame resolution with the
 * render options applied (symbolize, strip_path_prefix), and small
 * naming helpers. Internal to reports/. No locking: a buffer belongs to
 * the caller; frame resolution locks inside the symbolizer.
 */
#ifndef DMASAN_REPORTS_RENDER_COMMON_H
#define DMASAN_REPORTS_RENDER_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include "reports/render.h"
#include "reports/symbolize.h"

/**
 * A bounded output buffer. @len never reaches @cap, so there is always
 * room for the NUL. The first write that does not fit sets @full, cuts
 * the text back to @mark (the end of the last committed unit) and makes
 * every later write a no-op.
 */
struct rbuf {
	char *buf;
	size_t cap;
	size_t len;
	size_t mark;
	int full;
};

/** rb_init - an empty buffer over @buf of @cap bytes (@cap >= 1). */
void rb_init(struct rbuf *b, char *buf, size_t cap);

/** rb_printf - append formatted text, or set full. */
void rb_printf(struct rbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** rb_puts - append @s verbatim. */
void rb_puts(struct rbuf *b, const char *s);

/** rb_putc - append one byte. */
void rb_putc(struct rbuf *b, char c);

/** rb_commit - what was written so far survives a later overflow. */
void rb_commit(struct rbuf *b);

/** rb_finish - NUL-terminate. @return the length. */
size_t rb_finish(struct rbuf *b);

/** rc_opts - @r, or default options (in @def) when @r is NULL. */
const struct render_opts *rc_opts(const struct render_opts *r, struct render_opts *def);

/**
 * rc_frame - resolve @pc into @f as @r asks: without symbolize only
 * module and offset; with in_signal through sym_resolve_safe();
 * strip_path_prefix applied to file and module.
 */
void rc_frame(const struct render_opts *r, uintptr_t pc, struct sym_frame *f);

/** rc_strip - @path without everything up to and including @prefix and the slashes after it. */
const char *rc_strip(const char *prefix, const char *path);

/** rc_basename - the part of @path after its last '/'. */
const char *rc_basename(const char *path);

/** rc_message - the finding's message, or its kind's description. */
const char *rc_message(const struct finding *f);

/** rc_bug_id - the kebab-case id of @f's kind, "unknown" when invalid. */
const char *rc_bug_id(const struct finding *f);

/** rc_severity - "error" or "warning" for @f's kind. */
const char *rc_severity(const struct finding *f);

/** rc_frames - the frames of stack @id, at most @r->max_frames. */
int rc_frames(const struct render_opts *r, uint32_t id, const uintptr_t **pcs);

#endif /* DMASAN_REPORTS_RENDER_COMMON_H */
