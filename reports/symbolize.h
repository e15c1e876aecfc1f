/* SPDX-License-Identifier: MIT */
/*
 * Symbolization of captured PCs to function, file:line and module, used
 * only when a report is rendered. libdw (dwfl over /proc/self/maps) gives
 * file:line; dladdr is the fallback for function and module. Results are
 * cached per PC for the life of the process; their strings never move or
 * die. Return addresses are looked up at pc-1 so the line is the call's.
 * Locking: one internal mutex; call with no tracking lock held.
 */
#ifndef DMASAN_REPORTS_SYMBOLIZE_H
#define DMASAN_REPORTS_SYMBOLIZE_H

#include <stdint.h>

struct sym_frame {
	uintptr_t pc;
	const char *function;	 /* demangled-as-is symbol, or NULL */
	const char *file;	 /* source path, or NULL */
	int line;		 /* 0 when unknown */
	const char *module;	 /* path of the object, or NULL */
	uintptr_t module_offset; /* pc - module load base */
};

/**
 * sym_resolve - fill @out for @pc. Never fails: unknown parts are NULL/0.
 * When @use_debuginfo is 0 only dladdr is used (symbolize=0 gives
 * module+offset only: pass @use_debuginfo 0 and ignore function).
 */
void sym_resolve(uintptr_t pc, int use_debuginfo, struct sym_frame *out);

/**
 * sym_resolve_safe - fill @out for @pc without the symbolizer, for reports
 * made in signal handlers: the cached answer when one exists and the
 * cache is free this instant, else module and offset only, from the
 * platform's maps snapshot (platform/platform.h plat_module_of). No libc
 * malloc, no stdio, no lock waited for but the snapshot's. Async-signal-safe.
 */
void sym_resolve_safe(uintptr_t pc, int use_debuginfo, struct sym_frame *out);

/** sym_reset - forget the cache and the module list (after dlopen, fork). */
void sym_reset(void);

#endif /* DMASAN_REPORTS_SYMBOLIZE_H */
