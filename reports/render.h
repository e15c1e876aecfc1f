/* SPDX-License-Identifier: MIT */
/*
 * Sinks: render a finding or the summary as text (ASan's layout) or as
 * one JSON object on one line. Renderers write into a caller's buffer and
 * never allocate beyond the symbolizer's cache (with in_signal, nothing
 * beyond the private heap: async-signal-safe); output that would not fit
 * is cut at a line (text) or by dropping history then related stacks
 * (JSON) so every record stays well-formed and ends with '\n'.
 * Locking: none; the caller (report_emit) serialises.
 */
#ifndef DMASAN_REPORTS_RENDER_H
#define DMASAN_REPORTS_RENDER_H

#include <stddef.h>
#include "core/finding.h"
#include "core/options.h"

#define RENDER_SCHEMA "dmasan.finding/1"
#define RENDER_SUMMARY_SCHEMA "dmasan.summary/1"

/** Which frames to print and how (from the options). */
struct render_opts {
	int symbolize;		       /* resolve to function file:line */
	const char *strip_path_prefix; /* "" for none */
	int max_frames;		       /* per stack */
	/*
	 * The finding was made in a signal handler: frames come from
	 * sym_resolve_safe() (module+offset unless already symbolized), the
	 * record says so, and the signature uses module+offset only.
	 */
	int in_signal;
};

/** render_opts_from - the render options that @o implies. */
void render_opts_from(const struct dmasan_options *o, struct render_opts *r);

/**
 * render_text_finding / render_json_finding - render @f into @buf.
 * @return bytes written (excluding the NUL it always adds), < @cap.
 */
size_t render_text_finding(const struct finding *f, const struct render_opts *r, char *buf,
			   size_t cap);
size_t render_json_finding(const struct finding *f, const struct render_opts *r, char *buf,
			   size_t cap);

/**
 * render_signature - the dedupe signature of @f: 16 hex digits hashing the
 * id and the top 3 frames outside libdmasan and libc (function names when
 * known, else module+offset; always module+offset with @r->in_signal),
 * ignoring addresses. @buf needs 17 bytes.
 */
void render_signature(const struct finding *f, const struct render_opts *r, char *buf);

size_t render_text_summary(const struct summary *s, char *buf, size_t cap);
size_t render_json_summary(const struct summary *s, char *buf, size_t cap);

/** dir_name - "DMA_TO_DEVICE" ... or "DMA_NONE"/"invalid" for others. */
const char *dir_name(int dir);

#endif /* DMASAN_REPORTS_RENDER_H */
