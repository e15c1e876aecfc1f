/* SPDX-License-Identifier: MIT */
/* Text helpers (core/text.h). Pure functions, no locking. */
#include <stdio.h>
#include <string.h>
#include "core/text.h"

void text_append_shown(char *dst, size_t cap, const char *s, size_t n, size_t max)
{
	size_t len, i, shown = n > max ? max : n;

	if (!cap)
		return;
	len = strnlen(dst, cap - 1);
	for (i = 0; i < shown && len + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			dst[len++] = (char)c;
		} else {
			snprintf(dst + len, cap - len, "\\x%02x", c);
			len += 4;
		}
	}
	dst[len] = '\0';
	if (n > i && len + 3 < cap) {
		memcpy(dst + len, "...", 4);
		len += 3;
	}
}
