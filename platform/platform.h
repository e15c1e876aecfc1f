/* SPDX-License-Identifier: MIT */
/*
 * The platform contract: every OS call dmasan makes goes through here, so
 * core/ stays pure. Ints are 0 or -errno unless stated. Functions that
 * may run in a signal handler say so.
 */
#ifndef DMASAN_PLATFORM_H
#define DMASAN_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/** plat_getenv - secure_getenv(): NULL in set-uid programs. */
const char *plat_getenv(const char *name);

/** plat_pid / plat_tid - process and kernel thread id (cached per thread). */
int plat_pid(void);
uint32_t plat_tid(void);

/** plat_write_all - write all of @buf to @fd with one write() when possible. Signal-safe. */
int plat_write_all(int fd, const void *buf, size_t len);

/**
 * plat_open_log - open "<prefix>.<pid>" for appending: O_NOFOLLOW |
 * O_CLOEXEC, created 0644 if absent, refused when it exists but is not a
 * regular file owned by us. @return fd or -errno.
 */
int plat_open_log(const char *prefix, int pid);

/**
 * plat_read_file - read at most @max bytes of @path into a private-heap
 * buffer (NUL-terminated). @return 0 with *@out and *@len set, -EFBIG when
 * larger than @max, or -errno.
 */
int plat_read_file(const char *path, size_t max, char **out, size_t *len);

/**
 * plat_backtrace - raw PCs of the calling thread, innermost first (by
 * libunwind; in a signal handler by the frame-pointer chain, see
 * plat_set_async_probe). @return count.
 */
int plat_backtrace(uintptr_t *pcs, int max);

/**
 * plat_backtrace_fp - like plat_backtrace, by following the frame-pointer
 * chain (a few instructions per frame). Stops at the first frame pointer
 * outside the thread's stack. @skip_self: drop the leading frames that lie
 * in libdmasan's own text (they do not count against @max). @return the
 * count, or -1 when the walk cannot start (stack bounds unknown, e.g. on
 * a signal stack): use plat_backtrace then.
 */
int plat_backtrace_fp(uintptr_t *pcs, int max, int skip_self);

/** plat_pc_in_self - 1 when @pc lies in libdmasan's own text. */
int plat_pc_in_self(uintptr_t pc);

/** plat_skip_self - how many leading PCs of @pcs[0..@n) lie in libdmasan's own text. */
int plat_skip_self(const uintptr_t *pcs, int n);

/**
 * plat_maps_changed - the program unmapped or re-protected memory: the
 * snapshot behind plat_is_mapped() and plat_is_readonly() is stale.
 * Context: any thread, async-signal-safe (one atomic increment).
 */
void plat_maps_changed(void);

/* The next munmap(), mprotect() and mremap() after libdmasan's interposers (platform/memmap.c). */
int plat_next_munmap(void *addr, size_t len);
int plat_next_mprotect(void *addr, size_t len, int prot);
void *plat_next_mremap(void *old, size_t old_len, size_t new_len, int flags, void *want);

/**
 * plat_on_stack - 1 when [addr, addr+len) overlaps the calling thread's
 * stack (0 when its bounds are unknown, see plat_stack_bounds).
 */
int plat_on_stack(uintptr_t addr, size_t len);

/**
 * plat_stack_bounds - the calling thread's stack [*@lo, *@hi), learnt once
 * per thread. @return 0 when @here lies inside them, -1 otherwise (a
 * signal stack, or bounds unknown). While the async probe says the thread
 * runs a signal handler nothing is learnt (pthread_getattr_np() allocates)
 * and, outside the known bounds, the answer is the writable mapping around
 * @here from the maps snapshot (signal-safe; on a signal stack too).
 */
int plat_stack_bounds(uintptr_t here, uintptr_t *lo, uintptr_t *hi);

/**
 * plat_is_readonly - 1 when [addr, addr+len) overlaps a mapping that is
 * not writable (program text, .rodata), 0 when writable or unknown.
 */
int plat_is_readonly(uintptr_t addr, size_t len);

/**
 * plat_is_mapped - 1 when every byte of [addr, addr+len) lies in memory
 * the process can read, 0 when some byte is not mapped (or mapped with no
 * access). Answers from the same cached snapshot as plat_is_readonly().
 */
int plat_is_mapped(uintptr_t addr, size_t len);

/**
 * plat_module_of - the file mapped at @addr, from the same snapshot
 * (re-read when @addr is not in it): *@path, interned in the private heap
 * for the life of the process, and *@base, where the file's offset 0 is
 * mapped (an ELF object's load base, as dladdr's dli_fbase). @return 0, or
 * -1 when @addr lies in no file mapping. Signal-safe: no libc malloc, no
 * stdio, only the snapshot's lock, which the shim never holds while the
 * program runs.
 */
int plat_module_of(uintptr_t addr, const char **path, uintptr_t *base);

/**
 * plat_set_async_probe - @probe() answers whether the calling thread runs
 * a program signal handler now (core/sigctx.c). While it does, the
 * platform stays async-signal-safe: no stack bounds are learnt (see
 * plat_stack_bounds, plat_on_stack) and plat_backtrace() does not use
 * libunwind (dl_iterate_phdr() takes the loader's lock).
 */
void plat_set_async_probe(int (*probe)(void));

/** plat_async_now - 1 when the async probe says the thread runs a signal handler. */
int plat_async_now(void);

struct sigaction;

/** plat_sigaction_init - find the next sigaction() now (from a constructor). */
void plat_sigaction_init(void);

/**
 * plat_sigaction_next - the next sigaction() after libdmasan's own in the
 * lookup order (a sanitizer's interceptor, or libc's): returns and sets
 * errno as sigaction() does. Signal-safe once plat_sigaction_init() ran.
 */
int plat_sigaction_next(int sig, const struct sigaction *act, struct sigaction *oldact);

/** plat_map_anon / plat_unmap - anonymous read-write memory. NULL on failure. */
void *plat_map_anon(size_t len);
void plat_unmap(void *p, size_t len);

/** plat_exit / plat_abort - end the process now (used when halting). */
void plat_exit(int status) __attribute__((noreturn));
void plat_abort(void) __attribute__((noreturn));

#endif /* DMASAN_PLATFORM_H */
