/* SPDX-License-Identifier: MIT */
/*
 * Suppressions: a file of "id:pattern" lines ('#' comments and blank lines
 * ignored; id is a finding id or '*'). A finding is suppressed when its id
 * matches and the pattern matches the function, file or module name of
 * any frame of its stack. Patterns: '*' matches any run of characters;
 * '^' anchors at the start and '$' at the end; without anchors the
 * pattern may match anywhere in the name (ASan's rule). Used
 * suppressions are counted (atomically) and listed at exit.
 * Locking: the set is built once before use and read-only after, but for
 * the hit counters.
 */
#ifndef DMASAN_REPORTS_SUPPRESS_H
#define DMASAN_REPORTS_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>
#include "reports/symbolize.h"

#define SUPP_MAX 256
#define SUPP_PATTERN_MAX 256

struct supp_rule {
	char id[48]; /* finding id or "*" */
	char pattern[SUPP_PATTERN_MAX];
	unsigned long hits; /* atomically incremented */
};

struct supp_set {
	int n;
	struct supp_rule rules[SUPP_MAX];
};

/**
 * supp_parse - add the rules in @text (@len bytes, need not end in NUL) to
 * @s. @origin names the file in messages. @return 0, or -EINVAL with one
 * line "<origin>:<line>: <problem>" in @err (unknown id, missing ':',
 * empty pattern, line too long, too many rules); @s is then unchanged.
 */
int supp_parse(struct supp_set *s, const char *text, size_t len, const char *origin, char *err,
	       size_t errlen);

/**
 * supp_load - read @path (at most 1 MiB, O_NOFOLLOW is not used: a
 * suppression file may be a link) and supp_parse() it. @return 0,
 * -ENOENT/-EACCES/-EFBIG/-EINVAL with one line in @err.
 */
int supp_load(struct supp_set *s, const char *path, char *err, size_t errlen);

/**
 * supp_match - @return the index of the first rule that suppresses a
 * finding with @id over @frames (counting the hit), or -1.
 */
int supp_match(struct supp_set *s, const char *id, const struct sym_frame *frames, int nframes);

/** supp_glob - 1 when @pattern (with * ^ $) matches @name. */
int supp_glob(const char *pattern, const char *name);

/**
 * supp_format_used - "Suppressions used:" table of the rules with hits
 * (count, id, pattern), into @buf. @return bytes written; 0 if none used.
 */
size_t supp_format_used(const struct supp_set *s, char *buf, size_t cap);

#endif /* DMASAN_REPORTS_SUPPRESS_H */
