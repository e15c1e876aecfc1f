/* SPDX-License-Identifier: MIT */
/*
 * Linux implementation of platform/platform.h: environment, ids, safe
 * file output, thread-stack and read-only-memory queries, anonymous
 * memory. The read-only query keeps a snapshot of /proc/self/maps (its
 * non-writable ranges) and re-reads it only when an address falls in no
 * known range, so repeated maps of heap buffers cost a binary search.
 * The snapshot also names each range's file, for plat_module_of() (the
 * module+offset frames of reports made in signal handlers).
 * Locking: the maps snapshot is guarded by one mutex; thread stack bounds
 * are cached per thread; everything else is stateless.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "core/heap.h"
#include "platform/platform.h"

const char *plat_getenv(const char *name)
{
	return secure_getenv(name);
}

/*
 * Ids without a syscall per call: the pid and a fork generation are
 * refreshed by a pthread_atfork child handler; each thread caches its tid
 * with the generation it was read in, and re-reads it after a fork.
 */
static atomic_int cur_pid;
static atomic_uint fork_gen;
static pthread_once_t ids_once = PTHREAD_ONCE_INIT;
static __thread uint32_t cached_tid;
static __thread unsigned int cached_gen;

static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;

static void ids_after_fork(void)
{
	pthread_mutex_init(&maps_lock, NULL);
	atomic_store(&cur_pid, (int)getpid());
	atomic_fetch_add(&fork_gen, 1);
}

static void ids_init(void)
{
	atomic_store(&cur_pid, (int)getpid());
	pthread_atfork(NULL, NULL, ids_after_fork);
}

int plat_pid(void)
{
	pthread_once(&ids_once, ids_init);
	return atomic_load_explicit(&cur_pid, memory_order_relaxed);
}

__attribute__((noinline, cold)) static uint32_t learn_tid(unsigned int gen)
{
	pthread_once(&ids_once, ids_init);
	cached_tid = (uint32_t)syscall(SYS_gettid);
	cached_gen = gen;
	return cached_tid;
}

uint32_t plat_tid(void)
{
	unsigned int gen = atomic_load_explicit(&fork_gen, memory_order_relaxed);

	if (!cached_tid || cached_gen != gen)
		return learn_tid(gen);
	return cached_tid;
}

int plat_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int plat_open_log(const char *prefix, int pid)
{
	char path[4096 + 32];
	struct stat st;
	int fd, n;

	n = snprintf(path, sizeof(path), "%s.%d", prefix, pid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int plat_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		err = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out_close;
	}
	if ((uint64_t)st.st_size > max) {
		err = -EFBIG;
		goto out_close;
	}
	buf = heap_alloc(max + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, max + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			heap_free(buf);
			goto out_close;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			heap_free(buf);
			err = -EFBIG;
			goto out_close;
		}
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
out_close:
	close(fd);
	return err;
}

/* Thread stack bounds, cached per thread (the main thread's may grow:
 * its recorded low end is the rlimit-bounded one pthread reports). */
static __thread uintptr_t stack_lo, stack_hi;
static __thread int stack_known;

static void learn_stack(void)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	stack_known = -1;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
		stack_lo = (uintptr_t)addr;
		stack_hi = stack_lo + size;
		stack_known = 1;
	}
	pthread_attr_destroy(&attr);
}

/* Set by core/sigctx.c: the thread runs a program signal handler now. */
static int (*async_probe)(void);

void plat_set_async_probe(int (*probe)(void))
{
	async_probe = probe;
}

int plat_async_now(void)
{
	return async_probe && async_probe();
}

/* Learning the bounds calls pthread_getattr_np(), which allocates: never in a handler. */
static int may_learn(void)
{
	return !plat_async_now();
}

static int mapping_around(uintptr_t here, uintptr_t *lo, uintptr_t *hi);

int plat_stack_bounds(uintptr_t here, uintptr_t *lo, uintptr_t *hi)
{
	if (!stack_known && may_learn())
		learn_stack();
	if (stack_known != 1 || here < stack_lo || here >= stack_hi)
		/* In a handler: the mapping around @here (a signal stack too), signal-safely. */
		return may_learn() ? -1 : mapping_around(here, lo, hi);
	*lo = stack_lo;
	*hi = stack_hi;
	return 0;
}

int plat_on_stack(uintptr_t addr, size_t len)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);

	if ((!stack_known || here < stack_lo || here >= stack_hi) && may_learn())
		learn_stack();
	if (stack_known != 1)
		return 0;
	return addr < stack_hi && addr + len > stack_lo;
}

/*
 * Snapshot of /proc/self/maps: sorted ranges and whether each is read-only
 * (readable, not writable: text, .rodata, RELRO). Address space reserved
 * with no access at all (malloc arenas grow inside such reservations) is
 * not read-only. A snapshot can be stale, so a positive answer is always
 * confirmed against a fresh one; a negative one may miss a late mprotect.
 */
struct vma {
	uintptr_t lo, hi;
	int readonly;
	int readable;
	uintptr_t off;	  /* file offset of lo */
	const char *path; /* interned file path, or NULL (anonymous, [heap], ...) */
};

static struct vma *maps;
static size_t nmaps;

/*
 * File paths of the snapshots, interned for the life of the process (a
 * process maps few distinct files) so that plat_module_of() can hand them
 * out without copying. Guarded by maps_lock.
 */
#define PATH_BUCKETS 256u

struct path_node {
	struct path_node *next;
	size_t len;
	char str[];
};

static struct path_node **paths;

static const char *intern_path(const char *s, size_t len)
{
	struct path_node *n;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	if (!paths) {
		paths = heap_calloc(PATH_BUCKETS, sizeof(*paths));
		if (!paths)
			return NULL;
	}
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	for (n = paths[h % PATH_BUCKETS]; n; n = n->next)
		if (n->len == len && !memcmp(n->str, s, len))
			return n->str;
	n = heap_alloc(sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	n->len = len;
	memcpy(n->str, s, len);
	n->str[len] = '\0';
	n->next = paths[h % PATH_BUCKETS];
	paths[h % PATH_BUCKETS] = n;
	return n->str;
}

/* Skip the field at *@s and the blanks after it. */
static void skip_field(const char **s)
{
	while (**s && **s != ' ' && **s != '\n')
		(*s)++;
	while (**s == ' ')
		(*s)++;
}

static uintptr_t parse_hex(const char **s)
{
	uintptr_t v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uintptr_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uintptr_t)(c - 'a' + 10);
		else
			return v;
	}
}

static void reload_maps(void)
{
	char *text, *line;
	size_t len, cap = 0, n = 0;
	struct vma *v = NULL;

	/* /proc files report size 0; read up to 8 MiB. */
	if (plat_read_file("/proc/self/maps", 8u << 20, &text, &len) != 0)
		return;
	for (line = text; *line;) {
		const char *s = line;
		char *nl = strchr(line, '\n');
		struct vma e;

		e.lo = parse_hex(&s);
		if (*s == '-')
			s++;
		e.hi = parse_hex(&s);
		if (*s == ' ')
			s++;
		e.readonly = s[0] == 'r' && s[1] == '-';
		e.readable = s[0] == 'r';
		/* "perms offset dev inode   path" */
		skip_field(&s);
		e.off = parse_hex(&s);
		skip_field(&s);
		skip_field(&s);
		skip_field(&s);
		e.path = *s == '/' ? intern_path(s, (size_t)((nl ? nl : s + strlen(s)) - s)) : NULL;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct vma *nv = heap_alloc(ncap * sizeof(*nv));

			if (!nv)
				break;
			if (v)
				memcpy(nv, v, n * sizeof(*nv));
			heap_free(v);
			v = nv;
			cap = ncap;
		}
		v[n++] = e;
		if (!nl)
			break;
		line = nl + 1;
	}
	heap_free(text);
	if (!v)
		return;
	heap_free(maps);
	maps = v;
	nmaps = n;
}

/* -1 not known, else the index of the range containing @a. */
static long find_vma(uintptr_t a)
{
	size_t lo = 0, hi = nmaps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (a < maps[mid].lo)
			hi = mid;
		else if (a >= maps[mid].hi)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

/* 1 when a read-only range of the snapshot overlaps [addr, end]. */
static int overlaps_readonly(uintptr_t addr, uintptr_t end)
{
	long i = find_vma(addr);

	for (; i >= 0 && (size_t)i < nmaps && maps[i].lo <= end; i++)
		if (maps[i].readonly)
			return 1;
	return 0;
}

/*
 * The last writable range this thread asked about: most maps hit it again.
 * Valid while the maps epoch is the one it was found in: the interposed
 * munmap/mprotect/mremap (shim/memmap.c) move the epoch on, and then the
 * snapshot too is read again before it vouches for any range.
 */
static __thread uintptr_t rw_lo, rw_hi;
static __thread unsigned int rw_epoch;
static atomic_uint maps_epoch;
static unsigned int snap_epoch; /* guarded by maps_lock */

void plat_maps_changed(void)
{
	atomic_fetch_add_explicit(&maps_epoch, 1, memory_order_release);
}

/* Caller holds maps_lock: read the maps again if the program changed them since. */
static unsigned int snapshot_current(void)
{
	unsigned int e = atomic_load_explicit(&maps_epoch, memory_order_acquire);

	if (e != snap_epoch) {
		reload_maps();
		snap_epoch = e;
	}
	return e;
}

/* 1 when the snapshot has readable ranges covering [addr, end] without gaps. */
static int covered(uintptr_t addr, uintptr_t end)
{
	long i = find_vma(addr);

	for (; i >= 0 && (size_t)i < nmaps; i++) {
		if (!maps[i].readable || maps[i].lo > addr)
			return 0;
		if (end < maps[i].hi)
			return 1;
		addr = maps[i].hi;
	}
	return 0;
}

int plat_is_mapped(uintptr_t addr, size_t len)
{
	uintptr_t end = len ? addr + len - 1 : addr;
	int ok;

	if (end < addr)
		return 0;
	if (addr >= rw_lo && end < rw_hi &&
	    rw_epoch == atomic_load_explicit(&maps_epoch, memory_order_acquire))
		return 1;
	pthread_mutex_lock(&maps_lock);
	snapshot_current();
	ok = covered(addr, end);
	if (!ok) {
		/* The snapshot may predate the mapping: look again before saying no. */
		reload_maps();
		ok = covered(addr, end);
	}
	pthread_mutex_unlock(&maps_lock);
	return ok;
}

/* Caller holds maps_lock: the range holding @a in a current snapshot, read again once if none. */
static long find_vma_fresh(uintptr_t a)
{
	long i;

	snapshot_current();
	i = find_vma(a);
	if (i < 0) {
		reload_maps();
		i = find_vma(a);
	}
	return i;
}

/* The writable mapping holding @here, from the snapshot: 0, or -1 when none. */
static int mapping_around(uintptr_t here, uintptr_t *lo, uintptr_t *hi)
{
	long i;
	int rc = -1;

	pthread_mutex_lock(&maps_lock);
	i = find_vma_fresh(here);
	if (i >= 0 && maps[i].readable && !maps[i].readonly) {
		*lo = maps[i].lo;
		*hi = maps[i].hi;
		rc = 0;
	}
	pthread_mutex_unlock(&maps_lock);
	return rc;
}

int plat_module_of(uintptr_t addr, const char **path, uintptr_t *base)
{
	long i, j;
	int rc = -1;

	pthread_mutex_lock(&maps_lock);
	i = find_vma_fresh(addr);
	if (i >= 0 && maps[i].path) {
		/* The load base: the lowest mapping of the same file, at offset 0. */
		*base = maps[i].lo - maps[i].off;
		for (j = i; j >= 0 && maps[j].path == maps[i].path; j--)
			if (maps[j].off == 0) {
				*base = maps[j].lo;
				break;
			}
		*path = maps[i].path;
		rc = 0;
	}
	pthread_mutex_unlock(&maps_lock);
	return rc;
}

int plat_is_readonly(uintptr_t addr, size_t len)
{
	uintptr_t end = len ? addr + len - 1 : addr;
	unsigned int epoch;
	long i;
	int ro;

	if (addr >= rw_lo && end < rw_hi &&
	    rw_epoch == atomic_load_explicit(&maps_epoch, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&maps_lock);
	epoch = snapshot_current();
	if (find_vma(addr) < 0 || find_vma(end) < 0)
		reload_maps();
	ro = overlaps_readonly(addr, end);
	if (ro) {
		reload_maps();
		ro = overlaps_readonly(addr, end);
	}
	i = find_vma(addr);
	if (!ro && i >= 0 && !maps[i].readonly && end < maps[i].hi) {
		rw_lo = maps[i].lo;
		rw_hi = maps[i].hi;
		rw_epoch = epoch;
	}
	pthread_mutex_unlock(&maps_lock);
	return ro;
}

void *plat_map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void plat_unmap(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

void plat_exit(int status)
{
	_exit(status);
}

void plat_abort(void)
{
	abort();
}
