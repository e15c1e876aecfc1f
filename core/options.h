/* SPDX-License-Identifier: MIT */
/*
 * Runtime options, from core/options.def. Sources in order of precedence
 * (later wins): the table's defaults, the program's weak
 * dmasan_default_options(), then DMASAN_OPTIONS. Syntax is the
 * sanitizers': name=value pairs separated by ':', ',' or white space;
 * values may be quoted with '' or "". Parsing allocates nothing. After
 * init the options are read-only (the global is written once, under the
 * init lock, before any tracking starts).
 */
#ifndef DMASAN_CORE_OPTIONS_H
#define DMASAN_CORE_OPTIONS_H

#include <stddef.h>

#define OPTIONS_STR_MAX 256

#define OPT_CTYPE_BOOL int
#define OPT_CTYPE_INT long
#define OPT_CTYPE_SIZE size_t

struct dmasan_options {
#define DMASAN_OPTION_FIELD_BOOL(name) int name;
#define DMASAN_OPTION_FIELD_INT(name) long name;
#define DMASAN_OPTION_FIELD_SIZE(name) size_t name;
#define DMASAN_OPTION_FIELD_STR(name) char name[OPTIONS_STR_MAX];
#define DMASAN_OPTION(type, name, def, help) DMASAN_OPTION_FIELD_##type(name)
#include "core/options.def"
#undef DMASAN_OPTION
#undef DMASAN_OPTION_FIELD_BOOL
#undef DMASAN_OPTION_FIELD_INT
#undef DMASAN_OPTION_FIELD_SIZE
#undef DMASAN_OPTION_FIELD_STR
};

/** Receives one diagnostic line (no trailing newline). */
typedef void (*options_diag_fn)(void *arg, const char *line);

/** options_set_defaults - fill @o with the table's defaults. */
void options_set_defaults(struct dmasan_options *o);

/**
 * options_parse - apply the name=value pairs of @str (may be NULL or empty)
 * to @o. @source names the origin in messages ("DMASAN_OPTIONS").
 * Unknown names are reported through @diag as a warning (an error, and
 * nothing applied, when o->strict_options is set).
 * @return 0, or -EINVAL on malformed input: then @diag got exactly one
 * line naming the source, the offending text and what was expected, and
 * @o is unchanged (all-or-nothing).
 */
int options_parse(struct dmasan_options *o, const char *source, const char *str,
		  options_diag_fn diag, void *arg);

/**
 * options_validate - check ranges and choices (format, bounce, placement,
 * backend, cache_line, map_context_size ...). @return 0, or -EINVAL after
 * one @diag line per bad value (each bad value is then reset to its
 * default).
 */
int options_validate(struct dmasan_options *o, options_diag_fn diag, void *arg);

/**
 * options_print_help - one line per option: name, current value, help,
 * through @out (lines without trailing newline).
 */
void options_print_help(const struct dmasan_options *o, options_diag_fn out, void *arg);

/** options_format_value - write option @name's value of @o into @buf. @return 0, -ENOENT (no such option) or -ENOSPC (@cap too small). */
int options_format_value(const struct dmasan_options *o, const char *name, char *buf, size_t cap);

/** Number of options in the table, and the name/help of entry @i. */
int options_count(void);
const char *options_name(int i);
const char *options_help(int i);
const char *options_type(int i);    /* "bool", "int", "size", "string" */
const char *options_default(int i); /* the default as text */

#endif /* DMASAN_CORE_OPTIONS_H */
