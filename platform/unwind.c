/* SPDX-License-Identifier: MIT */
/*
 * Stack walking for the stack depot: plat_backtrace_fp() follows the
 * frame-pointer chain (the default, a few instructions per frame, checked
 * against the thread's stack bounds); plat_backtrace() over libunwind's
 * unw_backtrace() fast path (about 100 ns for 16 frames, no syscalls;
 * the unw_step loop costs two sigprocmask calls per frame and is used
 * only under TSan, see below), and plat_pc_in_self(), which tells the
 * depot which leading frames belong to libdmasan itself. The text
 * ranges of the object that holds this file are found once (dladdr +
 * dl_iterate_phdr) under a pthread_once and are read-only afterwards.
 * When that object is the main executable (unit tests link everything
 * statically) no frame is "self", so tests see their own frames.
 */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "platform/platform.h"

/*
 * libunwind checks doubtful frame addresses with a write() to a pipe,
 * which memcheck reports as a write of uninitialised bytes; such errors
 * are libunwind's, not the program's, so the walk runs with Valgrind's
 * error reporting off. Outside Valgrind the requests cost a few
 * instructions.
 */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define WALK_QUIET_BEGIN() VALGRIND_DISABLE_ERROR_REPORTING
#define WALK_QUIET_END() VALGRIND_ENABLE_ERROR_REPORTING
#endif
#endif
#ifndef WALK_QUIET_BEGIN
#define WALK_QUIET_BEGIN() \
	do {               \
	} while (0)
#define WALK_QUIET_END() \
	do {             \
	} while (0)
#endif

/* How deep into unw_backtrace()'s answer our caller's frame may sit. */
#define SELF_SCAN 4
#define SELF_MAX_RANGES 8
/* Frames one plat_backtrace() call walks at most. */
#define WALK_MAX 128

struct text_range {
	uintptr_t start, end; /* [start, end) */
};

/* Written once under self_once; read-only afterwards. */
static pthread_once_t self_once = PTHREAD_ONCE_INIT;
static _Atomic int self_ready;
static struct text_range self_ranges[SELF_MAX_RANGES];
static int self_nranges;

struct self_search {
	uintptr_t anchor; /* an address inside our own text */
	int index;	  /* dl_iterate_phdr position of the object */
	int found;
};

static int in_ranges(const struct dl_phdr_info *info, uintptr_t addr)
{
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = (uintptr_t)info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && addr >= lo && addr - lo < ph->p_memsz)
			return 1;
	}
	return 0;
}

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
	struct self_search *s = data;
	int i;

	(void)size;
	if (!in_ranges(info, s->anchor)) {
		s->index++;
		return 0;
	}
	s->found = 1;
	/* The main executable is always reported first. */
	if (s->index == 0)
		return 1;
	for (i = 0; i < info->dlpi_phnum && self_nranges < SELF_MAX_RANGES; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		self_ranges[self_nranges].start = (uintptr_t)info->dlpi_addr + ph->p_vaddr;
		self_ranges[self_nranges].end = self_ranges[self_nranges].start + ph->p_memsz;
		self_nranges++;
	}
	return 1;
}

static void self_init(void)
{
	struct self_search s = { 0, 0, 0 };
	Dl_info info;
	void *anchor = (void *)(uintptr_t)&plat_pc_in_self;

	/* dladdr tells whether the anchor is in a known object at all. */
	if (!dladdr(anchor, &info) || !info.dli_fbase)
		return;
	s.anchor = (uintptr_t)anchor;
	dl_iterate_phdr(find_self, &s);
}

/**
 * plat_pc_in_self - 1 when @pc is in the executable text of the object
 * that holds dmasan; always 0 when that object is the main program.
 * Context: any thread; the first call may take the loader's lock.
 */
int plat_pc_in_self(uintptr_t pc)
{
	return plat_skip_self(&pc, 1);
}

/* The self ranges, found on first use; afterwards one acquire load. */
static inline void self_ensure(void)
{
	if (!atomic_load_explicit(&self_ready, memory_order_acquire)) {
		pthread_once(&self_once, self_init);
		atomic_store_explicit(&self_ready, 1, memory_order_release);
	}
}

/* Caller has called self_ensure(). */
static inline int in_self(uintptr_t pc)
{
	int i;

	for (i = 0; i < self_nranges; i++)
		if (pc - self_ranges[i].start < self_ranges[i].end - self_ranges[i].start)
			return 1;
	return 0;
}

/**
 * plat_backtrace_fp - up to @max return addresses by the frame-pointer
 * chain, innermost first, starting with the caller of this function.
 * Every frame record [fp, fp+16) must lie inside the thread's stack,
 * above the previous one; the walk ends at the first that does not (a
 * zero fp ends every chain: _start and thread starts clear it). Code built without frame pointers may leave a stale fp
 * behind, which hides frames but is still a valid record; libdmasan and
 * the programs built through its pkg-config or CMake package have them.
 * With @skip_self, leading frames in libdmasan's own text are dropped
 * and do not count against @max.
 * @return the count, or -1 when the stack bounds are unknown.
 * Context: any thread, no syscalls after the first call of a thread.
 */
__attribute__((noinline)) int plat_backtrace_fp(uintptr_t *pcs, int max, int skip_self)
{
	const uintptr_t *fp = __builtin_frame_address(0), *next;
	uintptr_t lo, hi, pc, *out, *end;

	if (!pcs || max <= 0)
		return 0;
	if (plat_stack_bounds((uintptr_t)fp, &lo, &hi))
		return -1;
	if (skip_self)
		self_ensure();
	/* A record is followed only when the next one lies above it and inside the stack. */
	hi -= 2 * sizeof(uintptr_t);
	while (skip_self && in_self(fp[1])) {
		next = (const uintptr_t *)fp[0];
		if (next <= fp || (uintptr_t)next > hi)
			return 0;
		fp = next;
	}
	out = pcs;
	end = pcs + max;
	for (;;) {
		pc = fp[1];
		if (!pc)
			break;
		*out++ = pc;
		next = (const uintptr_t *)fp[0];
		if (out == end || next <= fp || (uintptr_t)next > hi)
			break;
		fp = next;
	}
	return (int)(out - pcs);
}

/**
 * plat_skip_self - the number of leading entries of @pcs[0..@n) that are
 * in libdmasan's own text.
 */
int plat_skip_self(const uintptr_t *pcs, int n)
{
	int k = 0;

	self_ensure();
	while (k < n && in_self(pcs[k]))
		k++;
	return k;
}

/*
 * Under ThreadSanitizer, unw_backtrace() is not used: its per-thread trace
 * cache has a thread-exit destructor that frees through a libunwind mutex
 * after TSan has torn the thread down (libunwind re-arms its destructor to
 * run last), which crashes every thread that ever took this path. The
 * unw_step() loop keeps no per-thread state; it is slower (libunwind masks
 * signals around each step), which only the TSan build pays.
 */
#if defined(__SANITIZE_THREAD__)
#define WALK_BY_STEPS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WALK_BY_STEPS 1
#endif
#endif

#ifdef WALK_BY_STEPS
/* unw_backtrace()'s answer by unw_step(): this function's own PC first. */
static __attribute__((noinline)) int walk_by_steps(void **raw, int max)
{
	unw_context_t uc;
	unw_cursor_t c;
	unw_word_t ip;
	int n = 0;

	if (unw_getcontext(&uc) != 0 || unw_init_local(&c, &uc) != 0)
		return 0;
	do {
		if (unw_get_reg(&c, UNW_REG_IP, &ip) != 0 || !ip)
			break;
		raw[n++] = (void *)ip;
	} while (n < max && unw_step(&c) > 0);
	return n;
}
#define WALK(raw, max) walk_by_steps(raw, max)
#else
#define WALK(raw, max) unw_backtrace(raw, max)
#endif

/**
 * plat_backtrace - up to @max return addresses of the calling thread into
 * @pcs, innermost first, starting with the caller of this function.
 * @return the count (0 on failure). Context: any thread, no syscalls.
 */
__attribute__((noinline)) int plat_backtrace(uintptr_t *pcs, int max)
{
	uintptr_t ret = (uintptr_t)__builtin_return_address(0);
	void *raw[WALK_MAX];
	int n, i, skip = 0;

	if (!pcs || max <= 0)
		return 0;
	if (max > WALK_MAX - SELF_SCAN)
		max = WALK_MAX - SELF_SCAN;
	/*
	 * libunwind takes the loader's lock (dl_iterate_phdr): not in a signal
	 * handler, which may have interrupted its holder. The frame-pointer
	 * walk instead, without its first PC (this function's own).
	 */
	if (plat_async_now()) {
		uintptr_t fp[WALK_MAX];

		n = plat_backtrace_fp(fp, max + 1, 0);
		for (i = 1; i < n; i++)
			pcs[i - 1] = fp[i];
		return n > 1 ? n - 1 : 0;
	}
	WALK_QUIET_BEGIN();
	n = WALK(raw, max + SELF_SCAN);
	WALK_QUIET_END();
	if (n <= 0)
		return 0;
	/*
	 * Start at our caller: drop whatever unw_backtrace reports for
	 * itself and for this function, found by our own return address.
	 */
	for (i = 0; i < n && i < SELF_SCAN; i++) {
		if ((uintptr_t)raw[i] == ret) {
			skip = i;
			break;
		}
	}
	n -= skip;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		pcs[i] = (uintptr_t)raw[i + skip];
	return n;
}
