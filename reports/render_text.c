/* SPDX-License-Identifier: MIT */
/*
 * The text sink: a finding in AddressSanitizer's layout (rule line,
 * "==PID==ERROR: dmasan: <id> ..." headline, numbered frames, a paragraph
 * locating the address in its mapping, the related stacks, the object's
 * recent history and a "SUMMARY: dmasan: <id> file:line in func" line;
 * one made in a signal handler says below its stack that its frames are
 * unsymbolized), and the end-of-run summary. Every line ends in '\n';
 * control bytes in names become '?' so a record never gains lines. When
 * the buffer is too small, whole lines are dropped from the end of the
 * body, but the SUMMARY line is kept whenever it fits by itself.
 * No locking: the caller serialises (see render.h).
 */
#include <stdio.h>
#include <string.h>
#include "core/stack.h"
#include "reports/render_common.h"

#define RULE "================================================================="
#define SIGNAL_NOTE                                                                               \
	"Note: made in a signal handler, where symbolizing is not async-signal-safe: frames are " \
	"unsymbolized (module+offset) unless symbolized earlier in the run"
#define ULL(x) ((unsigned long long)(x))

/* Append @s with control bytes replaced, so it cannot break a line. */
static void put_clean(struct rbuf *b, const char *s)
{
	char chunk[128];
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		chunk[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		if (n == sizeof(chunk) - 1) {
			chunk[n] = '\0';
			rb_puts(b, chunk);
			n = 0;
		}
	}
	chunk[n] = '\0';
	rb_puts(b, chunk);
}

static void end_line(struct rbuf *b)
{
	rb_putc(b, '\n');
	rb_commit(b);
}

/* " in FUNC FILE:LINE", " in FUNC (MODULE+0xOFF)" or " (MODULE+0xOFF)". */
static void put_frame_where(struct rbuf *b, const struct sym_frame *sf)
{
	if (sf->function) {
		rb_puts(b, " in ");
		put_clean(b, sf->function);
		if (sf->file) {
			rb_putc(b, ' ');
			put_clean(b, sf->file);
			rb_printf(b, ":%d", sf->line);
			return;
		}
	}
	if (sf->module) {
		rb_puts(b, " (");
		put_clean(b, sf->module);
		rb_printf(b, "+0x%llx)", ULL(sf->module_offset));
	} else if (!sf->function) {
		rb_puts(b, " (<unknown module>)");
	}
}

static void put_stack(struct rbuf *b, const struct render_opts *r, uint32_t id)
{
	const uintptr_t *pcs;
	struct sym_frame sf;
	int i, n = rc_frames(r, id, &pcs);

	if (n == 0) {
		rb_puts(b, "    <not recorded>");
		end_line(b);
		return;
	}
	for (i = 0; i < n; i++) {
		rc_frame(r, pcs[i], &sf);
		rb_printf(b, "    #%d 0x%016llx", i, ULL(pcs[i]));
		put_frame_where(b, &sf);
		end_line(b);
	}
}

static int is_streaming(const char *type)
{
	static const char *const streaming[] = { "single", "page", "scatter-gather", "resource" };
	size_t i;

	for (i = 0; i < sizeof(streaming) / sizeof(streaming[0]); i++)
		if (strcmp(type, streaming[i]) == 0)
			return 1;
	return 0;
}

/* "an" when @n is read with a vowel sound first: 8, 11, 18, 80-89, 8xx, 11xxx ... */
static const char *article(uint64_t n)
{
	while (n >= 1000)
		n /= 1000;
	if (n == 8 || n == 11 || n == 18 || (n >= 80 && n <= 89) || (n >= 800 && n <= 899))
		return "an";
	return "a";
}

/*
 * "0x... is located K bytes inside a N-byte DIR TYPE mapping [lo,hi) of
 * device D[, already unmapped]". The address is the DMA address when the
 * finding has one, else the CPU address.
 */
static void put_located(struct rbuf *b, const struct finding *f)
{
	const char *type = f->obj_type ? f->obj_type : "DMA";
	int streaming = is_streaming(type);
	uint64_t addr, base;

	if (f->has_dma) {
		addr = f->dma_addr;
		base = f->obj_dma;
	} else if (f->cpu_addr) {
		addr = f->cpu_addr;
		base = f->obj_cpu;
	} else {
		base = f->obj_dma ? f->obj_dma : f->obj_cpu;
		addr = base;
	}
	rb_printf(b, "0x%016llx is located ", ULL(addr));
	if (addr < base)
		rb_printf(b, "%llu bytes before", ULL(base - addr));
	else if (addr - base >= f->obj_size)
		rb_printf(b, "%llu bytes after the end of", ULL(addr - base - f->obj_size));
	else
		rb_printf(b, "%llu bytes inside", ULL(addr - base));
	rb_printf(b, " %s %llu-byte ", article(f->obj_size), ULL(f->obj_size));
	if (f->obj_dir >= 0)
		rb_printf(b, "%s ", dir_name(f->obj_dir));
	put_clean(b, type);
	rb_puts(b, streaming ? " mapping" : " allocation");
	rb_printf(b, " [0x%016llx,0x%016llx)", ULL(base), ULL(base + f->obj_size));
	if (f->device[0]) {
		rb_puts(b, " of device ");
		put_clean(b, f->device);
	}
	if (!f->obj_live)
		rb_puts(b, streaming ? ", already unmapped" : ", already freed");
	end_line(b);
}

static void put_history(struct rbuf *b, const struct finding *f, const struct render_opts *r)
{
	const struct finding_event *ev;
	const uintptr_t *pcs;
	struct sym_frame sf;
	int i, nh = f->nhistory;

	if (nh > FINDING_MAX_HISTORY)
		nh = FINDING_MAX_HISTORY;
	rb_puts(b, "History (oldest first):");
	end_line(b);
	for (i = 0; i < nh; i++) {
		ev = &f->history[i];
		rb_printf(b, "  seq %llu  T%u  ", ULL(ev->seq), (unsigned)ev->tid);
		put_clean(b, ev->what ? ev->what : "?");
		if (ev->dir >= 0)
			rb_printf(b, " %s", dir_name(ev->dir));
		rb_printf(b, " [%llu,%llu)", ULL(ev->offset), ULL(ev->offset + ev->size));
		if (stack_depot_get(ev->stack, &pcs) > 0) {
			rc_frame(r, pcs[0], &sf);
			rb_puts(b, " ");
			if (sf.function) {
				rb_putc(b, ' ');
				put_clean(b, sf.function);
			}
			if (sf.function && sf.file) {
				rb_putc(b, ' ');
				put_clean(b, rc_basename(sf.file));
				rb_printf(b, ":%d", sf.line);
			} else if (sf.module) {
				rb_puts(b, " (");
				put_clean(b, rc_basename(sf.module));
				rb_printf(b, "+0x%llx)", ULL(sf.module_offset));
			}
		}
		end_line(b);
	}
}

/* "\nSUMMARY: dmasan: <id> FILE:LINE in FUNC\n": a blank line, then the line. */
static void put_summary_line(struct rbuf *b, const struct finding *f, const struct render_opts *r)
{
	const uintptr_t *pcs;
	struct sym_frame sf;

	rb_printf(b, "\nSUMMARY: dmasan: %s", rc_bug_id(f));
	if (stack_depot_get(f->stack, &pcs) > 0) {
		rc_frame(r, pcs[0], &sf);
		if (sf.file && sf.function) {
			rb_putc(b, ' ');
			put_clean(b, sf.file);
			rb_printf(b, ":%d in ", sf.line);
			put_clean(b, sf.function);
		} else {
			if (sf.module) {
				rb_puts(b, " (");
				put_clean(b, sf.module);
				rb_printf(b, "+0x%llx)", ULL(sf.module_offset));
			}
			if (sf.function) {
				rb_puts(b, " in ");
				put_clean(b, sf.function);
			}
		}
	}
	end_line(b);
}

static void put_body(struct rbuf *b, const struct finding *f, const struct render_opts *r)
{
	int i, nrel = f->nrelated;

	rb_puts(b, RULE);
	end_line(b);
	rb_printf(b, "==%d==ERROR: dmasan: %s", f->pid, rc_bug_id(f));
	if (f->device[0]) {
		rb_puts(b, " on device ");
		put_clean(b, f->device);
	}
	rb_printf(b, " (thread T%u)", (unsigned)f->tid);
	end_line(b);
	put_clean(b, rc_message(f));
	if (f->facts[0]) {
		rb_putc(b, ' ');
		put_clean(b, f->facts);
	}
	end_line(b);
	put_stack(b, r, f->stack);
	if (r->in_signal) {
		rb_puts(b, SIGNAL_NOTE);
		end_line(b);
	}
	if (f->has_object) {
		end_line(b);
		put_located(b, f);
	}
	if (nrel > FINDING_MAX_RELATED)
		nrel = FINDING_MAX_RELATED;
	for (i = 0; i < nrel; i++) {
		end_line(b);
		put_clean(b, f->related[i].label ? f->related[i].label : "related");
		rb_printf(b, " (thread T%u):", (unsigned)f->related[i].tid);
		end_line(b);
		put_stack(b, r, f->related[i].stack);
	}
	if (f->nhistory > 0) {
		end_line(b);
		put_history(b, f, r);
	}
}

/**
 * render_text_finding - @f as an ASan-style text record into @buf (@cap
 * bytes). @return the length written, always < @cap; the text is
 * NUL-terminated and ends in '\n' unless @cap is too small for any line.
 */
size_t render_text_finding(const struct finding *f, const struct render_opts *r, char *buf,
			   size_t cap)
{
	struct render_opts def;
	char sum[1024];
	struct rbuf b, s;

	if (!buf || cap == 0)
		return 0;
	buf[0] = '\0';
	if (!f)
		return 0;
	r = rc_opts(r, &def);
	/* The SUMMARY line first, so that the body leaves room for it. */
	rb_init(&s, sum, sizeof(sum));
	put_summary_line(&s, f, r);
	rb_finish(&s);
	rb_init(&b, buf, cap > s.len ? cap - s.len : cap);
	put_body(&b, f, r);
	b.cap = cap;
	b.full = 0;
	rb_puts(&b, sum);
	return rb_finish(&b);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void put_device(struct rbuf *b, int pid, const struct summary_device *d)
{
	rb_printf(b, "==%d==device ", pid);
	put_clean(b, d->name[0] ? d->name : "(unnamed)");
	rb_printf(b, ": %llu maps, %llu unmaps, %llu syncs, %llu allocs, %llu frees", ULL(d->maps),
		  ULL(d->unmaps), ULL(d->syncs), ULL(d->allocs), ULL(d->frees));
	rb_printf(b, ", %llu device reads, %llu device writes", ULL(d->dev_reads),
		  ULL(d->dev_writes));
	rb_printf(b, "; live now: %llu mappings, %llu coherent, %llu pool blocks",
		  ULL(d->live_mappings), ULL(d->live_coherent), ULL(d->live_pool_blocks));
	if (d->bytes_bounced || d->bytes_bounced_in || d->swiotlb_high_water)
		rb_printf(
			b,
			"; bounced %llu bytes to the device and %llu to the CPU, swiotlb high-water %llu slots",
			ULL(d->bytes_bounced), ULL(d->bytes_bounced_in),
			ULL(d->swiotlb_high_water));
	end_line(b);
}

/**
 * render_text_summary - the end-of-run summary: totals by severity, one
 * line per finding id seen, one line per device. @return the length
 * written (< @cap); whole lines are dropped when @cap is too small.
 */
size_t render_text_summary(const struct summary *s, char *buf, size_t cap)
{
	uint64_t errors = 0, warnings = 0;
	struct rbuf b;
	int i;

	if (!buf || cap == 0)
		return 0;
	rb_init(&b, buf, cap);
	if (!s)
		return 0;
	for (i = 0; i < BUG_COUNT; i++) {
		if (bug_table[i].severity == SEV_WARNING)
			warnings += s->counts[i];
		else
			errors += s->counts[i];
	}
	if (s->total == 0)
		rb_printf(&b, "==%d==dmasan: no findings", s->pid);
	else
		rb_printf(&b, "==%d==dmasan: %llu %s (%llu %s, %llu %s)", s->pid, ULL(s->total),
			  plural(s->total, "finding", "findings"), ULL(errors),
			  plural(errors, "error", "errors"), ULL(warnings),
			  plural(warnings, "warning", "warnings"));
	if (s->suppressed)
		rb_printf(&b, ", %llu suppressed", ULL(s->suppressed));
	if (s->printed < s->total)
		rb_printf(&b, ", %llu not printed", ULL(s->total - s->printed));
	end_line(&b);
	for (i = 0; i < BUG_COUNT; i++)
		if (s->counts[i]) {
			rb_printf(&b, "==%d==  %s: %llu", s->pid, bug_table[i].id,
				  ULL(s->counts[i]));
			end_line(&b);
		}
	for (i = 0; s->devices && i < s->ndevices; i++)
		put_device(&b, s->pid, &s->devices[i]);
	if (s->swiotlb_maps || s->swiotlb_failed) {
		rb_printf(
			&b,
			"==%d==swiotlb: %llu slots of %llu bytes, %llu in use, high-water %llu, %llu bounce maps, %llu failed",
			s->pid, ULL(s->swiotlb_slots), ULL(s->swiotlb_slot_size),
			ULL(s->swiotlb_used), ULL(s->swiotlb_high_water), ULL(s->swiotlb_maps),
			ULL(s->swiotlb_failed));
		end_line(&b);
	}
	return rb_finish(&b);
}
