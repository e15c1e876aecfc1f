/* SPDX-License-Identifier: MIT */
/*
 * Text helpers shared by the parsers of untrusted input (options,
 * suppression files): showing a piece of the input in a one-line message
 * without letting it add lines or terminal escapes. Pure, no locking.
 */
#ifndef DMASAN_CORE_TEXT_H
#define DMASAN_CORE_TEXT_H

#include <stddef.h>

/**
 * text_append_shown - append @n bytes of @s to the NUL-terminated @dst
 * (capacity @cap), printable ASCII as is and every other byte (and '\')
 * as \xNN; after @max input bytes the rest is replaced by "...". Never
 * overflows @dst; cuts silently when it is full.
 */
void text_append_shown(char *dst, size_t cap, const char *s, size_t n, size_t max);

#endif /* DMASAN_CORE_TEXT_H */
