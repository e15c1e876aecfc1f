/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the libFuzzer harnesses: an invariant check that
 * names the broken invariant and aborts (libFuzzer then saves the input
 * as crash-<sha1>), and a bounded byte reader that decodes an input into
 * values without ever failing (reads past the end give zeros), so that
 * every input is a valid program for the API-sequence harness.
 * No global state; each harness owns its own.
 */
#ifndef DMASAN_TESTS_FUZZ_COMMON_H
#define DMASAN_TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                             \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz invariant broken at %s:%d: %s: ", __FILE__, \
				__LINE__, #cond);                                         \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
			abort();                                                          \
		}                                                                         \
	} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t n, pos;
};

static inline void fin_init(struct fuzz_in *in, const uint8_t *p, size_t n)
{
	in->p = p;
	in->n = n;
	in->pos = 0;
}

static inline int fin_more(const struct fuzz_in *in)
{
	return in->pos < in->n;
}

static inline uint8_t fin_u8(struct fuzz_in *in)
{
	return in->pos < in->n ? in->p[in->pos++] : 0;
}

static inline uint16_t fin_u16(struct fuzz_in *in)
{
	uint16_t v = fin_u8(in);

	return (uint16_t)(v | (uint16_t)fin_u8(in) << 8);
}

static inline uint32_t fin_u32(struct fuzz_in *in)
{
	uint32_t v = fin_u16(in);

	return v | (uint32_t)fin_u16(in) << 16;
}

static inline uint64_t fin_u64(struct fuzz_in *in)
{
	uint64_t v = fin_u32(in);

	return v | (uint64_t)fin_u32(in) << 32;
}

/* Up to @max bytes into @buf (NUL-terminated, capacity @max + 1); length prefix of one byte. */
static inline size_t fin_str(struct fuzz_in *in, char *buf, size_t max)
{
	size_t len = fin_u8(in), i;

	if (len > max)
		len = max;
	for (i = 0; i < len && fin_more(in); i++)
		buf[i] = (char)fin_u8(in);
	buf[i] = '\0';
	return i;
}

#endif /* DMASAN_TESTS_FUZZ_COMMON_H */
