/* SPDX-License-Identifier: MIT */
/*
 * The dmasan command: `dmasan [options] [--] program [args...]` runs a
 * program with the checking shim (libdmasan.so) preloaded, the way
 * valgrind runs one under a tool. It parses its options, resolves the
 * program through PATH, finds the shim next to itself or installed, puts
 * the ASan runtime first in LD_PRELOAD when the program needs it, appends
 * the command line's runtime options to DMASAN_OPTIONS, and then execs
 * the program in place (no fork), so the exit status, signals, stdin and
 * the pid are the program's. Every error is one line on stderr and exit
 * status 2 (126/127 when the program cannot be run, as in the shell).
 * Uses libc only; single-threaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cli.h"

#ifndef DMASAN_VERSION_STRING
#error "DMASAN_VERSION_STRING must be defined by the build"
#endif
#ifndef DMASAN_INSTALL_LIBDIR
#error "DMASAN_INSTALL_LIBDIR must be defined by the build"
#endif
#ifndef DMASAN_INSTALL_RELLIBDIR
#define DMASAN_INSTALL_RELLIBDIR "lib"
#endif

#define EXIT_USAGE 2	  /* bad command line or environment */
#define EXIT_NOEXEC 126	  /* the program exists but cannot be run */
#define EXIT_NOTFOUND 127 /* the program does not exist */

#define SHIM_NAME "libdmasan.so"
#define ASAN_PREFIX "libasan.so"

/* What the command line asked for. */
struct cli {
	struct cli_buf opts; /* name=value pairs for DMASAN_OPTIONS, ':'-separated */
	int verbosity;	     /* dmasan's own: 0 after -q, 1 default, 2 after -v */
};

static const char *const usage_text[] = {
	"usage: dmasan [options] [--] program [args...]",
	"",
	"Run PROGRAM with the dmasan DMA-API checker (libdmasan.so) preloaded. dmasan execs",
	"the program, so its exit status, signals and stdin pass through unchanged.",
	"",
	"options:",
	"  -o, --option NAME=VALUE  pass a runtime option to the checker (repeatable, later wins)",
	"  --log-dir DIR            write reports to DIR/dmasan.<pid> (DIR is created if missing)",
	"  --suppressions FILE      do not report findings matching FILE's id:pattern lines",
	"  --format text|json       report format (json: one object per line)",
	"  -q, --quiet              verbosity=0: only findings, no warnings from dmasan",
	"  -v, --verbose            verbosity=1: show the effective options and what is preloaded",
	"  --valgrind [ARGS --]     run under Valgrind memcheck (not available in this version)",
	"  -h, --help               print this help and exit",
	"  -V, --version            print the version and exit",
	"  --                       end of dmasan's options; the next word is the program",
	"",
	"Runtime options come from DMASAN_OPTIONS (sanitizer syntax: name=value pairs separated",
	"by ':'), then from the command line, which wins. To list every runtime option with its",
	"value and meaning, run: dmasan -o help=1 -- PROGRAM",
	"DMASAN_LIBRARY=PATH overrides where libdmasan.so is found.",
	"",
	"examples:",
	"  dmasan ./nic_test",
	"  dmasan --log-dir logs --format json -- ./nic_test --iterations 100",
	"  DMASAN_OPTIONS=halt_on_error=1 dmasan -o exitcode=1 -o bounce=force ./nvme_test",
};

/* Format "dmasan: <message>\n" and write it with one write(). */
static void vsay(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void vsay(const char *fmt, va_list ap)
{
	static const char dots[] = "...\n";
	char line[4096];
	size_t off = strlen("dmasan: ");
	int n;

	memcpy(line, "dmasan: ", off);
	n = vsnprintf(line + off, sizeof(line) - off - 1, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(line) - off - 1) {
		off = sizeof(line) - sizeof(dots);
		memcpy(line + off, dots, sizeof(dots) - 1);
		off += sizeof(dots) - 1;
	} else {
		off += (size_t)n;
		line[off++] = '\n';
	}
	while (write(STDERR_FILENO, line, off) < 0 && errno == EINTR)
		;
}

/* One line on stderr. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

/* One error line, then exit with @status. */
static void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(status);
}

/* One warning line, unless -q. */
static void warn(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->verbosity < 1)
		return;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn)) out_of_memory(void)
{
	die(EXIT_USAGE, "out of memory");
}

static void add(struct cli_buf *b, const char *s)
{
	if (cli_buf_add(b, s))
		out_of_memory();
}

static void addn(struct cli_buf *b, const char *s, size_t n)
{
	if (cli_buf_addn(b, s, n))
		out_of_memory();
}

static void usage(void)
{
	size_t i;

	for (i = 0; i < sizeof(usage_text) / sizeof(usage_text[0]); i++)
		printf("%s\n", usage_text[i]);
}

/*
 * Append name=value to the command line's options, quoting the value when
 * the shim's parser would otherwise split it. @what names the argument in
 * error messages.
 */
static void add_pair(struct cli *c, const char *name, size_t name_len, const char *value,
		     const char *what)
{
	int has_dq = strchr(value, '"') != NULL;
	int has_sq = strchr(value, '\'') != NULL;
	char quote = 0;

	if (has_dq && has_sq)
		die(EXIT_USAGE, "cannot pass '%s': the value contains both ' and \" quotes", what);
	if (strpbrk(value, ":, \t\n\r\v\f\"'"))
		quote = has_dq ? '\'' : '"';
	if (c->opts.len)
		add(&c->opts, ":");
	addn(&c->opts, name, name_len);
	add(&c->opts, "=");
	if (quote)
		addn(&c->opts, &quote, 1);
	add(&c->opts, value);
	if (quote)
		addn(&c->opts, &quote, 1);
}

/* -o NAME=VALUE: NAME must match [a-z0-9_]+. */
static void add_option(struct cli *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char *p;

	if (!eq || eq == arg)
		die(EXIT_USAGE, "malformed option '-o %s': expected NAME=VALUE", arg);
	for (p = arg; p < eq; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			die(EXIT_USAGE, "malformed option '-o %s': expected NAME=VALUE", arg);
	}
	add_pair(c, arg, (size_t)(eq - arg), eq + 1, arg);
}

/* --log-dir DIR: create DIR when missing, then log_path=<abs DIR>/dmasan. */
static void set_log_dir(struct cli *c, const char *dir)
{
	char *abs, *prefix;
	int err;

	if (*dir == '\0')
		die(EXIT_USAGE, "--log-dir needs a directory name");
	err = cli_mkdir_p(dir, 0755);
	if (err == -ENOTDIR)
		die(EXIT_USAGE, "--log-dir '%s' is not a directory", dir);
	if (err)
		die(EXIT_USAGE, "cannot create log directory '%s': %s", dir, strerror(-err));
	if (access(dir, W_OK | X_OK) != 0)
		die(EXIT_USAGE, "cannot write to log directory '%s': %s", dir, strerror(errno));
	abs = realpath(dir, NULL);
	if (!abs)
		die(EXIT_USAGE, "cannot resolve log directory '%s': %s", dir, strerror(errno));
	prefix = cli_join(abs, "dmasan");
	free(abs);
	if (!prefix)
		out_of_memory();
	add_pair(c, "log_path", strlen("log_path"), prefix, dir);
	free(prefix);
}

/* --suppressions FILE: must be a readable file; suppressions=<abs FILE>. */
static void set_suppressions(struct cli *c, const char *file)
{
	struct stat st;
	char *abs;

	if (access(file, R_OK) != 0)
		die(EXIT_USAGE, "cannot read suppressions file '%s': %s", file, strerror(errno));
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
		die(EXIT_USAGE, "suppressions file '%s' is not a regular file", file);
	abs = cli_abs_file(file);
	if (!abs)
		die(EXIT_USAGE, "cannot resolve suppressions file '%s': %s", file, strerror(errno));
	add_pair(c, "suppressions", strlen("suppressions"), abs, file);
	free(abs);
}

/*
 * If argv[*i] is the long option @name, alone (value in the next word) or
 * as @name=VALUE, return its value and advance *@i past it; NULL when
 * argv[*i] is some other word.
 */
static const char *long_arg(const char *name, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	size_t len = strlen(name);

	if (strncmp(a, name, len) != 0)
		return NULL;
	if (a[len] == '=')
		return a + len + 1;
	if (a[len] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		die(EXIT_USAGE, "option '%s' needs an argument (see 'dmasan --help')", name);
	return argv[++*i];
}

/* Parse dmasan's options; @return the index of the program in @argv. */
static int parse_args(struct cli *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v;

		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage();
			exit(fflush(stdout) == 0 ? 0 : EXIT_USAGE);
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("dmasan %s\n", DMASAN_VERSION_STRING);
			exit(fflush(stdout) == 0 ? 0 : EXIT_USAGE);
		}
		if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			c->verbosity = 0;
			add_pair(c, "verbosity", strlen("verbosity"), "0", a);
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			c->verbosity = 2;
			add_pair(c, "verbosity", strlen("verbosity"), "1", a);
		} else if (strcmp(a, "-o") == 0) {
			if (i + 1 >= argc)
				die(EXIT_USAGE,
				    "option '-o' needs an argument (see 'dmasan --help')");
			add_option(c, argv[++i]);
		} else if (a[1] == 'o') {
			add_option(c, a + 2);
		} else if ((v = long_arg("--option", argc, argv, &i))) {
			add_option(c, v);
		} else if ((v = long_arg("--log-dir", argc, argv, &i))) {
			set_log_dir(c, v);
		} else if ((v = long_arg("--suppressions", argc, argv, &i))) {
			set_suppressions(c, v);
		} else if ((v = long_arg("--format", argc, argv, &i))) {
			if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
				die(EXIT_USAGE, "unknown format '%s': expected text or json", v);
			add_pair(c, "format", strlen("format"), v, a);
		} else if (strcmp(a, "--valgrind") == 0 || strncmp(a, "--valgrind=", 11) == 0) {
			die(EXIT_USAGE, "--valgrind is not available yet in this version");
		} else {
			die(EXIT_USAGE, "unknown option '%s' (see 'dmasan --help')", a);
		}
	}
	return argc;
}

/* Our own executable's canonical path (the kernel's), or NULL. */
static char *self_exe(void)
{
	size_t size = 256;

	for (;;) {
		char *buf = malloc(size);
		ssize_t n;

		if (!buf)
			out_of_memory();
		n = readlink("/proc/self/exe", buf, size);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		if (size >= 65536)
			return NULL;
		size *= 2;
	}
}

/* DMASAN_LIBRARY, or the first libdmasan.so next to us or installed. */
static char *find_shim(void)
{
	const char *env = getenv("DMASAN_LIBRARY");
	struct cli_buf looked = { 0 };
	char *cand[4] = { NULL };
	char *exe, *slash, *found = NULL;
	const char *base;
	size_t n = 0, i, j;

	if (env && *env) {
		struct stat st;

		if (stat(env, &st) != 0)
			die(EXIT_USAGE, "DMASAN_LIBRARY='%s': %s", env, strerror(errno));
		if (!S_ISREG(st.st_mode))
			die(EXIT_USAGE, "DMASAN_LIBRARY='%s' is not a regular file", env);
		found = cli_abs_file(env);
		if (!found)
			die(EXIT_USAGE, "cannot resolve DMASAN_LIBRARY='%s': %s", env,
			    strerror(errno));
		return found;
	}

	exe = self_exe();
	slash = exe ? strrchr(exe, '/') : NULL;
	if (slash) {
		*slash = '\0'; /* <prefix>/bin */
		slash = strrchr(exe, '/');
	}
	if (slash) {
		*slash = '\0'; /* <prefix> */
		base = strrchr(DMASAN_INSTALL_LIBDIR, '/');
		base = base ? base + 1 : DMASAN_INSTALL_LIBDIR;
		cand[n++] = cli_join(*exe ? exe : "/", "lib/" SHIM_NAME);
		if (DMASAN_INSTALL_RELLIBDIR[0] != '/')
			cand[n++] =
				cli_join(*exe ? exe : "/", DMASAN_INSTALL_RELLIBDIR "/" SHIM_NAME);
		if (*base) {
			char *d = cli_join(*exe ? exe : "/", base);

			cand[n++] = d ? cli_join(d, SHIM_NAME) : NULL;
			free(d);
		}
	}
	free(exe);
	cand[n++] = cli_join(DMASAN_INSTALL_LIBDIR, SHIM_NAME);

	for (i = 0; i < n; i++) {
		if (!cand[i])
			out_of_memory();
		for (j = 0; j < i; j++)
			if (strcmp(cand[i], cand[j]) == 0)
				break;
		if (j < i)
			continue;
		if (!found && cli_is_regular(cand[i]))
			found = cli_abs_file(cand[i]);
		if (looked.len)
			add(&looked, ", ");
		add(&looked, cand[i]);
	}
	for (i = 0; i < n; i++)
		free(cand[i]);
	if (!found)
		die(EXIT_USAGE, "cannot find " SHIM_NAME " (looked in %s); set DMASAN_LIBRARY",
		    looked.s);
	cli_buf_free(&looked);
	return found;
}

/* Whether the file name part of @entry starts with @prefix. */
static int base_has_prefix(const char *entry, size_t len, const char *prefix)
{
	const char *b = entry;
	size_t i, plen = strlen(prefix);

	for (i = 0; i < len; i++)
		if (entry[i] == '/')
			b = entry + i + 1;
	len -= (size_t)(b - entry);
	return len >= plen && strncmp(b, prefix, plen) == 0;
}

/*
 * The new LD_PRELOAD: @asan (when not NULL), @shim, then the entries of
 * @old (split at ':' and ' ' as glibc does), minus other copies of the
 * shim and, when @asan is set, of the ASan runtime: either would be loaded
 * twice.
 */
static char *build_preload(const char *asan, const char *shim, const char *old)
{
	struct cli_buf b = { 0 };
	const char *p = old;

	if (asan) {
		add(&b, asan);
		add(&b, ":");
	}
	add(&b, shim);
	while (p && *p) {
		size_t len = strcspn(p, ": ");

		if (len && !base_has_prefix(p, len, SHIM_NAME) &&
		    !(asan && base_has_prefix(p, len, ASAN_PREFIX))) {
			add(&b, ":");
			addn(&b, p, len);
		}
		p += len;
		if (*p)
			p++;
	}
	return b.s;
}

/* "@old:@add", or @add alone when @old is unset or empty. */
static char *append_env(const char *old, const char *more)
{
	struct cli_buf b = { 0 };

	if (old && *old) {
		add(&b, old);
		add(&b, ":");
	}
	add(&b, more);
	return b.s;
}

/* setenv(), echoed on stderr after -v. */
static void set_env(const struct cli *c, const char *name, const char *value)
{
	if (setenv(name, value, 1) != 0)
		die(EXIT_USAGE, "cannot set %s: %s", name, strerror(errno));
	if (c->verbosity >= 2)
		say("%s=%s", name, value);
}

/* Resolve the program as execvp() would; exit 126/127 as the shell does. */
static char *resolve_program(const char *name)
{
	char *path;
	int err = cli_resolve_program(name, &path);

	if (err == -ENOMEM)
		out_of_memory();
	if (err == -ENOENT)
		die(EXIT_NOTFOUND, "cannot run '%s': %s", name, strerror(ENOENT));
	if (err)
		die(EXIT_NOEXEC, "cannot run '%s': %s", name, strerror(-err));
	return path;
}

/*
 * Whether the ELF file @path was linked against the ASan runtime: 1 with
 * *@soname set to its NEEDED entry and *@runtime to the library found for
 * it (NULL when none was found), else 0. Unreadable or non-ELF files
 * (scripts) do not need it.
 */
static int needs_asan(const char *path, char **soname, char **runtime)
{
	struct cli_elf_info info;
	int err;

	err = cli_elf_read(path, ASAN_PREFIX, &info);
	if (err == -ENOMEM)
		out_of_memory();
	if (err)
		return 0;
	if (!info.needed) {
		cli_elf_info_free(&info);
		return 0;
	}
	*runtime = cli_find_soname(info.needed, &info, path);
	*soname = info.needed;
	info.needed = NULL;
	cli_elf_info_free(&info);
	return 1;
}

/*
 * Set LD_PRELOAD for @prog at @path: the shim, preceded by the ASan
 * runtime when the program (or a shim built with ASan) was linked against
 * it, because the ASan runtime aborts when it is not first in the initial
 * library list. When that runtime cannot be found, ASan is told not to
 * check the order instead.
 */
static void set_preload(const struct cli *c, const char *prog, const char *path, const char *shim)
{
	char *soname = NULL, *asan = NULL;
	char *preload;
	const char *who = prog;

	if (!needs_asan(path, &soname, &asan) && needs_asan(shim, &soname, &asan))
		who = shim;
	if (soname && !asan) {
		char *opts = append_env(getenv("ASAN_OPTIONS"), "verify_asan_link_order=0");

		warn(c,
		     "warning: '%s' needs %s, which was not found; setting ASAN_OPTIONS=verify_asan_link_order=0",
		     who, soname);
		set_env(c, "ASAN_OPTIONS", opts);
		free(opts);
	}
	preload = build_preload(asan, shim, getenv("LD_PRELOAD"));
	set_env(c, "LD_PRELOAD", preload);
	free(preload);
	free(asan);
	free(soname);
}

/* Whether @path starts with the ELF magic (a binary for another machine). */
static int is_elf(const char *path)
{
	char magic[4] = { 0 };
	FILE *f = fopen(path, "rb");
	int yes;

	if (!f)
		return 0;
	yes = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
	      memcmp(magic, "\177ELF", sizeof(magic)) == 0;
	fclose(f);
	return yes;
}

/*
 * exec @path with @args. A file the kernel cannot run that is not ELF (a
 * script without #!) runs under /bin/sh, as execvp() does.
 */
static void __attribute__((noreturn)) run(const char *name, const char *path, char **args)
{
	int err;

	execv(path, args);
	err = errno;
	if (err == ENOEXEC && !is_elf(path)) {
		size_t n = 0, i;
		char **sh;

		while (args[n])
			n++;
		sh = calloc(n + 2, sizeof(*sh));
		if (!sh)
			out_of_memory();
		sh[0] = (char *)"/bin/sh";
		sh[1] = (char *)path;
		for (i = 1; i < n; i++)
			sh[i + 1] = args[i];
		execv("/bin/sh", sh);
		free(sh);
		err = ENOEXEC;
	}
	die(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC, "cannot run '%s': %s", name,
	    strerror(err));
}

/**
 * main - the dmasan command.
 * @argc: argument count
 * @argv: dmasan [options] [--] program [args...]
 * @return never returns on success (the program replaces dmasan); 2 on a
 * usage error, 126/127 when the program cannot be run.
 */
int main(int argc, char **argv)
{
	struct cli c = { .verbosity = 1 };
	char *path, *shim;
	int prog;

	if (argc > 1 && strcmp(argv[1], "report") == 0) {
		fputs("dmasan report: not available yet in this version\n", stderr);
		return EXIT_USAGE;
	}
	prog = parse_args(&c, argc, argv);
	if (prog >= argc)
		die(EXIT_USAGE, "no program given (see 'dmasan --help')");

	path = resolve_program(argv[prog]);
	shim = find_shim();
	if (!cli_preloadable(shim))
		die(EXIT_USAGE,
		    "cannot preload '%s': LD_PRELOAD cannot hold a path with ':' or white space",
		    shim);
	set_preload(&c, argv[prog], path, shim);
	if (c.opts.len) {
		char *opts = append_env(getenv("DMASAN_OPTIONS"), c.opts.s);

		set_env(&c, "DMASAN_OPTIONS", opts);
		free(opts);
	}
	cli_buf_free(&c.opts);
	free(shim);
	run(argv[prog], path, argv + prog);
}
