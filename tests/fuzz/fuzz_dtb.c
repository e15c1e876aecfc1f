/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the devicetree loader (platform/desc.c): the
 * input is the blob given to desc_parse(), untrusted as a dtb= file is.
 * Invariants: desc_parse returns 0 or -EINVAL; on error the message is
 * one non-empty NUL-terminated line; on success every count is within its
 * array, every name is NUL-terminated, region indices are in range or -1,
 * regions and banks do not wrap the address space, desc_find_device finds
 * every device by its path, and address translation through each
 * device's dma-ranges returns 0 or -ERANGE and round-trips.
 * The blob is copied into a buffer of exactly its size, so that any read
 * past its end is an ASan report.
 * Known bug (tests/fuzz/known/dtb/): Debian 12's libfdt 1.6.1 loops forever
 * in fdt_check_full() on a property whose length is "negative" (>= 2^31;
 * fixed upstream in dtc 1.7.0, "libfdt: prevent integer overflow in
 * fdt_next_tag"), and desc_parse() calls it before checking the lengths.
 * Such blobs are skipped unless DMASAN_FUZZ_KNOWN_BUGS=1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "platform/desc.h"
#include "fuzz_common.h"

static int known_bugs;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *k = getenv("DMASAN_FUZZ_KNOWN_BUGS");

	(void)argc;
	(void)argv;
	known_bugs = k && k[0] == '1';
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 1 when the structure block has an FDT_PROP whose length is >= 2^31 (libfdt 1.6.1 hangs). */
static int has_huge_prop(const uint8_t *b, size_t n)
{
	size_t off, end;

	if (n < 40 || be32(b) != 0xd00dfeed)
		return 0;
	off = be32(b + 8);
	end = n;
	while (off + 4 <= end) {
		uint32_t tag = be32(b + off);

		off += 4;
		if (tag == 1) { /* FDT_BEGIN_NODE: NUL-terminated name, padded */
			while (off < end && b[off])
				off++;
			off = (off + 4) & ~(size_t)3;
		} else if (tag == 3) { /* FDT_PROP: len, nameoff, value */
			uint32_t len;

			if (off + 8 > end)
				return 0;
			len = be32(b + off);
			if (len >= 0x80000000u)
				return 1;
			off += 8 + (((size_t)len + 3) & ~(size_t)3);
		} else if (tag != 2 && tag != 4) { /* not END_NODE or NOP: END or garbage */
			return 0;
		}
	}
	return 0;
}

static void check_name(const char *s, size_t cap, const char *what)
{
	FUZZ_CHECK(memchr(s, '\0', cap) != NULL, "%s unterminated", what);
}

static void check_xlate(const struct desc_device *dev, uint64_t bus)
{
	uint64_t cpu = 0, back = 0;
	int rc;

	rc = desc_bus_to_cpu(dev, bus, &cpu);
	FUZZ_CHECK(rc == 0 || rc == -ERANGE, "desc_bus_to_cpu returned %d", rc);
	if (rc)
		return;
	rc = desc_cpu_to_bus(dev, cpu, &back);
	FUZZ_CHECK(rc == 0 || rc == -ERANGE, "desc_cpu_to_bus returned %d", rc);
	/* Overlapping ranges may map back elsewhere; a reverse miss may not happen. */
	FUZZ_CHECK(rc == 0, "%s: bus 0x%llx -> cpu 0x%llx has no way back", dev->path,
		   (unsigned long long)bus, (unsigned long long)cpu);
}

static void check_desc(const struct plat_desc *d)
{
	int i, r;

	check_name(d->model, sizeof(d->model), "model");
	FUZZ_CHECK(d->nbanks >= 0 && d->nbanks <= DESC_MAX_BANKS, "nbanks=%d", d->nbanks);
	FUZZ_CHECK(d->nregions >= 0 && d->nregions <= DESC_MAX_REGIONS, "nregions=%d", d->nregions);
	FUZZ_CHECK(d->ndevices >= 0 && d->ndevices <= DESC_MAX_DEVICES, "ndevices=%d", d->ndevices);
	for (i = 0; i < d->nbanks; i++)
		FUZZ_CHECK(d->banks[i].base + d->banks[i].size >= d->banks[i].base, "bank %d wraps",
			   i);
	for (i = 0; i < d->nregions; i++) {
		const struct desc_region *g = &d->regions[i];

		check_name(g->name, sizeof(g->name), "region name");
		FUZZ_CHECK(g->base + g->size >= g->base, "region %s wraps", g->name);
		FUZZ_CHECK(g->kind >= REGION_DMA_POOL && g->kind <= REGION_OTHER, "region kind %d",
			   (int)g->kind);
	}
	for (i = 0; i < d->ndevices; i++) {
		const struct desc_device *dev = &d->devices[i];
		const struct desc_device *found;

		check_name(dev->path, sizeof(dev->path), "device path");
		FUZZ_CHECK(dev->region >= -1 && dev->region < d->nregions, "%s: region %d",
			   dev->path, dev->region);
		FUZZ_CHECK(dev->nranges >= 0 && dev->nranges <= DESC_MAX_RANGES, "%s: nranges %d",
			   dev->path, dev->nranges);
		found = desc_find_device(d, dev->path);
		FUZZ_CHECK(found != NULL, "desc_find_device(%s) failed", dev->path);
		FUZZ_CHECK(!strcmp(found->path, dev->path), "desc_find_device(%s) gave %s",
			   dev->path, found->path);
		check_xlate(dev, 0);
		check_xlate(dev, 0x80000000ULL);
		check_xlate(dev, UINT64_MAX);
		for (r = 0; r < dev->nranges; r++) {
			const struct desc_range *g = &dev->ranges[r];

			check_xlate(dev, g->bus);
			if (g->size)
				check_xlate(dev, g->bus + g->size - 1);
		}
	}
	FUZZ_CHECK(desc_find_device(d, "/no/such/node@0") == NULL, "found a missing node");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plat_desc d;
	char err[256];
	void *blob;
	int rc;

	if (!known_bugs && has_huge_prop(data, size))
		return 0;
	blob = malloc(size ? size : 1);
	if (!blob)
		return 0;
	memcpy(blob, data, size);
	memset(&d, 0xa5, sizeof(d));
	memset(err, 'x', sizeof(err));
	rc = desc_parse(blob, size, &d, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "desc_parse returned %d", rc);
	if (rc) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL, "error unterminated");
		FUZZ_CHECK(err[0] != '\0', "error without a message");
		FUZZ_CHECK(strchr(err, '\n') == NULL, "error spans lines: %s", err);
	} else {
		check_desc(&d);
	}
	free(blob);
	desc_default(&d);
	check_desc(&d);
	return 0;
}
