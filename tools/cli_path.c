/* SPDX-License-Identifier: MIT */
/*
 * File-system helpers of the dmasan command: a growable string, absolute
 * paths, the execvp()-like PATH search, mkdir -p, and the search for a
 * shared library by soname in the directories the dynamic loader uses
 * (checking that a candidate's ELF class and machine match the program, so
 * a 64-bit libasan is never preloaded into a 32-bit program). No result
 * depends on fixed-size buffers: every path is built with malloc.
 * Single-threaded, no locking.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cli.h"

int cli_buf_addn(struct cli_buf *b, const char *s, size_t n)
{
	if (n > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	if (!b->s || b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1) {
			if (cap > SIZE_MAX / 2) {
				cap = b->len + n + 1;
				break;
			}
			cap *= 2;
		}
		p = realloc(b->s, cap);
		if (!p)
			return -ENOMEM;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int cli_buf_add(struct cli_buf *b, const char *s)
{
	return cli_buf_addn(b, s, strlen(s));
}

void cli_buf_free(struct cli_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

char *cli_join(const char *dir, const char *name)
{
	struct cli_buf b = { 0 };
	size_t dlen = strlen(dir);

	if (cli_buf_addn(&b, dir, dlen) ||
	    ((dlen == 0 || dir[dlen - 1] != '/') && cli_buf_add(&b, "/")) ||
	    cli_buf_add(&b, name)) {
		cli_buf_free(&b);
		return NULL;
	}
	return b.s;
}

char *cli_abs_file(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir, *real, *out;

	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		/* No file name to keep: canonicalise the whole path. */
		return realpath(path, NULL);
	}
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return NULL;
	real = realpath(dir, NULL);
	free(dir);
	if (!real)
		return NULL;
	out = cli_join(real, base);
	free(real);
	if (!out)
		errno = ENOMEM;
	return out;
}

int cli_is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether @path can be executed: 0, or -errno as execve() would say. */
static int check_exec(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0)
		return -EACCES;
	return 0;
}

int cli_resolve_program(const char *name, char **out)
{
	const char *path, *p;
	int seen_eacces = 0;
	int err;

	*out = NULL;
	if (*name == '\0')
		return -ENOENT;
	if (strchr(name, '/')) {
		err = check_exec(name);
		if (err)
			return err;
		*out = strdup(name);
		return *out ? 0 : -ENOMEM;
	}
	path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";
	for (p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *dir = len ? strndup(p, len) : strdup(".");
		char *cand;

		if (!dir)
			return -ENOMEM;
		cand = cli_join(dir, name);
		free(dir);
		if (!cand)
			return -ENOMEM;
		err = check_exec(cand);
		if (err == 0) {
			*out = cand;
			return 0;
		}
		free(cand);
		if (err == -EACCES || err == -EISDIR)
			seen_eacces = 1;
		if (!end)
			break;
		p = end;
	}
	return seen_eacces ? -EACCES : -ENOENT;
}

int cli_mkdir_p(const char *path, mode_t mode)
{
	struct stat st;
	char *copy, *p;
	int err = 0;

	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	for (p = copy + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (stat(copy, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				err = -ENOTDIR;
				break;
			}
		} else if (errno != ENOENT) {
			err = -errno;
			break;
		} else if (mkdir(copy, mode) != 0 && errno != EEXIST) {
			err = -errno;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
		while (p[1] == '/')
			p++;
	}
	free(copy);
	if (err)
		return err;
	if (stat(path, &st) != 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int cli_preloadable(const char *path)
{
	return !strpbrk(path, ": \t\n");
}

/*
 * Try @dir/@soname: 1 and *@out set when it is a regular file of the same
 * ELF class and machine as @prog. @dir may be relative (made absolute).
 */
static int try_dir(const char *dir, const char *soname, const struct cli_elf_info *prog, char **out)
{
	struct cli_elf_info lib;
	char *cand, *abs;
	int match;

	cand = cli_join(*dir ? dir : ".", soname);
	if (!cand)
		return 0;
	if (!cli_is_regular(cand) || cli_elf_read(cand, NULL, &lib) != 0) {
		free(cand);
		return 0;
	}
	match = lib.elf_class == prog->elf_class && lib.machine == prog->machine;
	cli_elf_info_free(&lib);
	abs = match ? cli_abs_file(cand) : NULL;
	free(cand);
	if (!abs || !cli_preloadable(abs)) {
		free(abs);
		return 0;
	}
	*out = abs;
	return 1;
}

/*
 * Expand $ORIGIN / ${ORIGIN} in the directory @d (of length @len) with
 * @origin. Other dynamic string tokens ($LIB, $PLATFORM) are not
 * expanded: such entries are skipped (NULL).
 */
static char *expand_origin(const char *d, size_t len, const char *origin)
{
	struct cli_buf b = { 0 };
	size_t i = 0;

	while (i < len) {
		size_t tok = 0;

		if (d[i] != '$') {
			if (cli_buf_addn(&b, d + i, 1))
				goto fail;
			i++;
			continue;
		}
		if (len - i >= 7 && strncmp(d + i, "$ORIGIN", 7) == 0)
			tok = 7;
		else if (len - i >= 9 && strncmp(d + i, "${ORIGIN}", 9) == 0)
			tok = 9;
		if (!tok || !origin || cli_buf_add(&b, origin))
			goto fail;
		i += tok;
	}
	if (!b.s && cli_buf_add(&b, ""))
		goto fail;
	return b.s;
fail:
	cli_buf_free(&b);
	return NULL;
}

/* Search the ':'-separated @list; see try_dir(). */
static int try_list(const char *list, const char *soname, const struct cli_elf_info *prog,
		    const char *origin, char **out)
{
	const char *p = list;

	while (p) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *dir = expand_origin(p, len, origin);
		int found = dir && try_dir(dir, soname, prog, out);

		free(dir);
		if (found)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* The directory holding @prog_path, canonical, or NULL. */
static char *origin_of(const char *prog_path)
{
	char *abs = cli_abs_file(prog_path);
	char *slash;

	if (!abs)
		return NULL;
	slash = strrchr(abs, '/');
	if (slash == abs)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return abs;
}

char *cli_find_soname(const char *soname, const struct cli_elf_info *prog, const char *prog_path)
{
	static const char *const system_dirs[] = {
		"/lib/x86_64-linux-gnu",
		"/usr/lib/x86_64-linux-gnu",
		"/usr/lib/gcc/x86_64-linux-gnu/*",
		"/lib64",
		"/usr/lib64",
		"/usr/local/lib",
		"/lib/i386-linux-gnu",
		"/usr/lib/i386-linux-gnu",
		"/usr/lib/gcc/i686-linux-gnu/*",
		"/lib32",
		"/usr/lib32",
		"/lib",
		"/usr/lib",
	};
	const char *llp = getenv("LD_LIBRARY_PATH");
	char *origin = origin_of(prog_path);
	char *out = NULL;
	size_t i;

	if (strchr(soname, '/'))
		goto done;
	if (prog->rpath && !prog->runpath && try_list(prog->rpath, soname, prog, origin, &out))
		goto done;
	if (llp && *llp && try_list(llp, soname, prog, NULL, &out))
		goto done;
	if (prog->runpath && try_list(prog->runpath, soname, prog, origin, &out))
		goto done;
	for (i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		glob_t g;
		size_t j;

		if (!strchr(system_dirs[i], '*')) {
			if (try_dir(system_dirs[i], soname, prog, &out))
				goto done;
			continue;
		}
		if (glob(system_dirs[i], GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g) != 0)
			continue;
		for (j = 0; j < g.gl_pathc && !out; j++)
			try_dir(g.gl_pathv[j], soname, prog, &out);
		globfree(&g);
		if (out)
			goto done;
	}
done:
	free(origin);
	return out;
}
