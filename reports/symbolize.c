/* SPDX-License-Identifier: MIT */
/*
 * PC to function, file:line and module, for reports only. One libdw
 * session (dwfl over /proc/<pid>/maps) is opened on first use; when it
 * cannot be, dladdr alone gives function (dynamic symbols only) and
 * module. A PC in an object the session does not know (dlopen'ed after
 * the report) makes it re-read the maps once per change of the loader's
 * object list. Return addresses are looked up at pc-1.
 *
 * Every answer is cached per (pc, use_debuginfo) for the life of the
 * process; strings are interned in the private heap and never freed, so
 * callers may keep the pointers. sym_reset() drops the cache entries and
 * the dwfl session but never the strings.
 *
 * Locking: sym_lock guards everything here, including every libdw call
 * (libdw is not thread-safe). A fork handler holds it across fork() so a
 * child never inherits it locked. Call with no tracking lock held.
 */
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "core/heap.h"
#include "platform/platform.h"
#include "reports/symbolize.h"

#define CACHE_BUCKETS 4096u
#define INTERN_BUCKETS 1024u

struct cache_node {
	struct cache_node *next;
	int debuginfo;
	struct sym_frame frame;
};

struct intern_node {
	struct intern_node *next;
	uint64_t hash;
	char str[];
};

static pthread_mutex_t sym_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t sym_once = PTHREAD_ONCE_INIT;

/* All below guarded by sym_lock. */
static struct cache_node **cache;     /* CACHE_BUCKETS chains, lazily */
static struct intern_node **interned; /* INTERN_BUCKETS chains, lazily */
static Dwfl *dwfl;
static int dwfl_failed;				/* do not try again until reset */
static unsigned long long seen_adds, seen_subs; /* loader state at report */
static const char *main_path;			/* interned, or NULL */

static char *debuginfo_path;
static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

static void fork_prepare(void)
{
	pthread_mutex_lock(&sym_lock);
}

static void fork_release(void)
{
	pthread_mutex_unlock(&sym_lock);
}

static void once_init(void)
{
	pthread_atfork(fork_prepare, fork_release, fork_release);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* A copy of @s in the private heap that lives forever, or NULL. */
static const char *intern(const char *s)
{
	struct intern_node *n;
	uint64_t h;
	size_t len;

	if (!s || !*s)
		return NULL;
	if (!interned) {
		interned = heap_calloc(INTERN_BUCKETS, sizeof(*interned));
		if (!interned)
			return NULL;
	}
	h = hash_str(s);
	for (n = interned[h % INTERN_BUCKETS]; n; n = n->next)
		if (n->hash == h && strcmp(n->str, s) == 0)
			return n->str;
	len = strlen(s) + 1;
	n = heap_alloc(sizeof(*n) + len);
	if (!n)
		return NULL;
	n->hash = h;
	memcpy(n->str, s, len);
	n->next = interned[h % INTERN_BUCKETS];
	interned[h % INTERN_BUCKETS] = n;
	return n->str;
}

/* Intern a symbol name without its version ("memcpy@@GLIBC_2.14"). */
static const char *intern_symbol(const char *name)
{
	char buf[512];
	const char *at;
	size_t n;

	if (!name)
		return NULL;
	at = strchr(name, '@');
	n = at ? (size_t)(at - name) : 0;
	if (!at || n == 0 || n >= sizeof(buf))
		return intern(name);
	memcpy(buf, name, n);
	buf[n] = '\0';
	return intern(buf);
}

static int count_objects(struct dl_phdr_info *info, size_t size, void *data)
{
	unsigned long long *v = data;

	(void)size;
	v[0] = info->dlpi_adds;
	v[1] = info->dlpi_subs;
	return 1;
}

/* Read /proc/<pid>/maps into the session; 0 or -1. */
static int report_modules(void)
{
	unsigned long long v[2] = { 0, 0 };
	int rc;

	dl_iterate_phdr(count_objects, v);
	dwfl_report_begin(dwfl);
	rc = dwfl_linux_proc_report(dwfl, getpid());
	if (dwfl_report_end(dwfl, NULL, NULL) != 0 || rc != 0)
		return -1;
	seen_adds = v[0];
	seen_subs = v[1];
	return 0;
}

/* Open the dwfl session once; 0 when usable. */
static int dwfl_ready(void)
{
	if (dwfl)
		return 0;
	if (dwfl_failed)
		return -1;
	dwfl = dwfl_begin(&dwfl_callbacks);
	if (dwfl && report_modules() == 0)
		return 0;
	if (dwfl)
		dwfl_end(dwfl);
	dwfl = NULL;
	dwfl_failed = 1;
	return -1;
}

/* Whether the loader's object list changed since the last report. */
static int objects_changed(void)
{
	unsigned long long v[2] = { 0, 0 };

	dl_iterate_phdr(count_objects, v);
	return v[0] != seen_adds || v[1] != seen_subs;
}

/*
 * The source line of @addr found by walking the module's compile units:
 * libdw before 0.190 finds the unit of an address only through
 * .debug_aranges, which clang does not emit by default, so code built by
 * clang had no file:line. Linear in the units, once per PC (cached).
 */
static const char *src_by_units(Dwfl_Module *mod, Dwarf_Addr addr, int *lineno)
{
	Dwarf_Addr bias = 0;
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	Dwarf_Line *l;
	uint8_t type;

	if (!dw)
		return NULL;
	while (dwarf_get_units(dw, cu, &cu, NULL, &type, &cudie, NULL) == 0) {
		if ((type != DW_UT_compile && type != DW_UT_skeleton) ||
		    dwarf_haspc(&cudie, addr - bias) <= 0)
			continue;
		l = dwarf_getsrc_die(&cudie, addr - bias);
		if (!l || dwarf_lineno(l, lineno) != 0)
			return NULL;
		return dwarf_linesrc(l, NULL, NULL);
	}
	return NULL;
}

static void resolve_dwfl(uintptr_t addr, struct sym_frame *f)
{
	Dwfl_Module *mod;
	Dwfl_Line *line;
	Dwarf_Addr start = 0, end = 0;
	const char *name, *src;
	int lineno = 0;

	if (dwfl_ready() != 0)
		return;
	mod = dwfl_addrmodule(dwfl, addr);
	if (!mod && objects_changed()) {
		/* Loaded after our report (dlopen): look again, once. */
		if (report_modules() != 0) {
			dwfl_end(dwfl);
			dwfl = NULL;
			dwfl_failed = 1;
			return;
		}
		mod = dwfl_addrmodule(dwfl, addr);
	}
	if (!mod)
		return;
	name = dwfl_module_info(mod, NULL, &start, &end, NULL, NULL, NULL, NULL);
	/* dwfl_addrmodule answers some addresses no module covers. */
	if (addr < start || addr >= end)
		return;
	if (name && name[0] == '/') {
		f->module = intern(name);
		f->module_offset = f->pc - (uintptr_t)start;
	}
	f->function = intern_symbol(dwfl_module_addrname(mod, addr));
	line = dwfl_module_getsrc(mod, addr);
	if (line)
		src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	else
		src = src_by_units(mod, addr, &lineno);
	if (src && lineno > 0) {
		f->file = intern(src);
		f->line = lineno;
	}
}

/* The main program's path: dladdr only knows argv[0]. */
static const char *main_program(void)
{
	char path[4096];
	ssize_t n;

	if (main_path)
		return main_path;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	main_path = intern(path);
	return main_path;
}

static void resolve(uintptr_t pc, int use_debuginfo, struct sym_frame *f)
{
	uintptr_t addr = pc - 1; /* the call, not the return address */
	struct link_map *lm = NULL;
	const char *name;
	Dl_info info;
	int in_object;

	memset(&info, 0, sizeof(info));
	in_object = dladdr1((void *)addr, &info, (void **)&lm, RTLD_DL_LINKMAP) != 0 &&
		    info.dli_fbase;
	/*
	 * Only code of objects the loader knows: dwfl also reports other
	 * file mappings (data files, sanitizer shadow) as modules.
	 */
	if (!in_object)
		return;
	if (use_debuginfo)
		resolve_dwfl(addr, f);
	name = info.dli_fname;
	if (lm && lm->l_name && !lm->l_name[0])
		name = main_program();
	/* dladdr's base is the ELF header: the base addr2line users expect. */
	if (name && name[0]) {
		if (!f->module)
			f->module = intern(name);
		f->module_offset = pc - (uintptr_t)info.dli_fbase;
	}
	if (!f->function && info.dli_sname)
		f->function = intern_symbol(info.dli_sname);
}

static struct cache_node *cache_find(uintptr_t pc, int debuginfo)
{
	struct cache_node *n;

	if (!cache)
		return NULL;
	for (n = cache[(pc >> 2) % CACHE_BUCKETS]; n; n = n->next)
		if (n->frame.pc == pc && n->debuginfo == debuginfo)
			return n;
	return NULL;
}

static void cache_add(const struct sym_frame *f, int debuginfo)
{
	struct cache_node *n;
	size_t b = (f->pc >> 2) % CACHE_BUCKETS;

	if (!cache) {
		cache = heap_calloc(CACHE_BUCKETS, sizeof(*cache));
		if (!cache)
			return;
	}
	n = heap_alloc(sizeof(*n));
	if (!n)
		return;
	n->frame = *f;
	n->debuginfo = debuginfo;
	n->next = cache[b];
	cache[b] = n;
}

/**
 * sym_resolve - fill @out for @pc (function, file:line with
 * @use_debuginfo, module and offset). Unknown parts are NULL/0; the
 * strings stay valid for the life of the process.
 * Locking: takes sym_lock; never call with a tracking lock held.
 */
void sym_resolve(uintptr_t pc, int use_debuginfo, struct sym_frame *out)
{
	struct cache_node *n;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	out->pc = pc;
	use_debuginfo = !!use_debuginfo;
	if (pc < 4096)
		return;
	pthread_once(&sym_once, once_init);
	pthread_mutex_lock(&sym_lock);
	n = cache_find(pc, use_debuginfo);
	if (n) {
		*out = n->frame;
	} else {
		resolve(pc, use_debuginfo, out);
		cache_add(out, use_debuginfo);
	}
	pthread_mutex_unlock(&sym_lock);
}

/**
 * sym_resolve_safe - the cached answer for @pc if sym_lock is free now,
 * else module and offset from the platform's maps snapshot. The interned
 * strings live for the life of the process, and so do the snapshot's.
 */
void sym_resolve_safe(uintptr_t pc, int use_debuginfo, struct sym_frame *out)
{
	struct cache_node *n = NULL;
	const char *path;
	uintptr_t base;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	out->pc = pc;
	if (pc < 4096)
		return;
	/* Never waited for: its holder may be what the handler interrupted. */
	if (pthread_mutex_trylock(&sym_lock) == 0) {
		n = cache_find(pc, !!use_debuginfo);
		if (n)
			*out = n->frame;
		pthread_mutex_unlock(&sym_lock);
	}
	if (n)
		return;
	if (plat_module_of(pc - 1, &path, &base) == 0) {
		out->module = path;
		out->module_offset = pc - base;
	}
}

/**
 * sym_reset - forget cached answers and the module list (after dlopen or
 * dlclose, or in a fork child); strings handed out earlier stay valid.
 */
void sym_reset(void)
{
	struct cache_node *n, *next;
	size_t b;

	pthread_once(&sym_once, once_init);
	pthread_mutex_lock(&sym_lock);
	if (dwfl)
		dwfl_end(dwfl);
	dwfl = NULL;
	dwfl_failed = 0;
	main_path = NULL;
	/* Nodes hold copies of interned pointers only: they may go. */
	for (b = 0; cache && b < CACHE_BUCKETS; b++) {
		for (n = cache[b]; n; n = next) {
			next = n->next;
			heap_free(n);
		}
		cache[b] = NULL;
	}
	pthread_mutex_unlock(&sym_lock);
}
