/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the dmasan command (tools/dmasan.c, cli_elf.c,
 * cli_path.c). The command uses libc only and never links the shim: it
 * finds libdmasan.so, reads the program's ELF dynamic section to see
 * whether it needs the ASan runtime, builds LD_PRELOAD and DMASAN_OPTIONS
 * and execs the program. Functions that can fail return 0 or -errno;
 * strings they hand out are malloc'd and owned by the caller.
 * Single-threaded, no locking.
 */
#ifndef DMASAN_TOOLS_CLI_H
#define DMASAN_TOOLS_CLI_H

#include <stddef.h>
#include <sys/types.h>

/** A growable NUL-terminated string; zero-initialise before use. */
struct cli_buf {
	char *s;
	size_t len;
	size_t cap;
};

/**
 * cli_buf_addn - append @n bytes of @s to @b (which stays NUL-terminated).
 * @b: the buffer
 * @s: bytes to append (need not be NUL-terminated)
 * @n: how many
 * @return 0, or -ENOMEM (@b is then unchanged).
 */
int cli_buf_addn(struct cli_buf *b, const char *s, size_t n);

/**
 * cli_buf_add - append the string @s to @b.
 * @b: the buffer
 * @s: a NUL-terminated string
 * @return 0, or -ENOMEM.
 */
int cli_buf_add(struct cli_buf *b, const char *s);

/**
 * cli_buf_free - release @b's storage and zero it.
 * @b: the buffer
 */
void cli_buf_free(struct cli_buf *b);

/** What the ELF reader learns about one file. */
struct cli_elf_info {
	int elf_class;	      /* ELFCLASS32 or ELFCLASS64 */
	unsigned int machine; /* e_machine */
	char *needed;	      /* first DT_NEEDED starting with the prefix, or NULL */
	char *rpath;	      /* DT_RPATH string, or NULL */
	char *runpath;	      /* DT_RUNPATH string, or NULL */
};

/**
 * cli_elf_read - read the ELF header, program headers and dynamic section
 * of @path (32- or 64-bit, little-endian). Every offset and size read from
 * the file is bounds-checked; nothing is executed.
 * @path: the file
 * @prefix: report the first DT_NEEDED entry starting with this, or NULL
 * @info: filled on success; free with cli_elf_info_free()
 * @return 0 (a statically linked file has no NEEDED entries and is not an
 * error), -ENOEXEC when the file is not a supported ELF file or its
 * dynamic section is malformed, -ENOMEM, or the -errno of open/read.
 */
int cli_elf_read(const char *path, const char *prefix, struct cli_elf_info *info);

/**
 * cli_elf_info_free - release the strings of @info.
 * @info: filled by cli_elf_read()
 */
void cli_elf_info_free(struct cli_elf_info *info);

/**
 * cli_abs_file - an absolute name for @path: its directory made canonical
 * with realpath(), its last component kept as given (so a symlink such as
 * libdmasan.so stays libdmasan.so).
 * @path: an existing file, relative or absolute
 * @return a malloc'd path, or NULL with errno set.
 */
char *cli_abs_file(const char *path);

/**
 * cli_join - "@dir/@name", without doubling a trailing '/' of @dir.
 * @dir: a directory
 * @name: a file name
 * @return a malloc'd string, or NULL when out of memory.
 */
char *cli_join(const char *dir, const char *name);

/**
 * cli_is_regular - whether @path names a regular file (following symlinks).
 * @path: the file
 * @return 1 or 0.
 */
int cli_is_regular(const char *path);

/**
 * cli_resolve_program - find @name as execvp() would: taken as is when it
 * contains '/', else searched in $PATH (default "/bin:/usr/bin").
 * @name: the program as given on the command line
 * @out: set to the malloc'd path to execute
 * @return 0, -ENOENT when not found, -EACCES when found but not
 * executable, -EISDIR for a directory, -ENOMEM.
 */
int cli_resolve_program(const char *name, char **out);

/**
 * cli_preloadable - whether LD_PRELOAD can carry @path: glibc splits the
 * list at ':' and ' ', so a path containing either (or other white space,
 * to be safe) cannot be preloaded.
 * @path: a library path
 * @return 1 or 0.
 */
int cli_preloadable(const char *path);

/**
 * cli_mkdir_p - create @path and its missing parents with @mode.
 * @path: the directory
 * @mode: permissions for the directories created (umask applies)
 * @return 0 when @path is now a directory, -ENOTDIR when it or a parent
 * exists but is not one, or the -errno of mkdir().
 */
int cli_mkdir_p(const char *path, mode_t mode);

/**
 * cli_find_soname - locate the shared library @soname matching the class
 * and machine of @prog, searching the program's DT_RPATH (when it has no
 * DT_RUNPATH), LD_LIBRARY_PATH, its DT_RUNPATH ($ORIGIN expanded), then
 * the usual system directories, like the dynamic loader (without its
 * cache).
 * @soname: e.g. "libasan.so.8"
 * @prog: the program's ELF facts (class, machine, rpath, runpath)
 * @prog_path: the program's path, for $ORIGIN
 * @return a malloc'd absolute path, or NULL when not found.
 */
char *cli_find_soname(const char *soname, const struct cli_elf_info *prog, const char *prog_path);

#endif
