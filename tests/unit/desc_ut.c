/* SPDX-License-Identifier: MIT */
/*
 * Unit suite for platform/desc.c, the platform description reader. Blobs
 * are built in the test with libfdt's sequential-write API into one static
 * buffer, so each test starts from a tree it states in full. Suites: the
 * default platform; a full SoC (banks, region kinds and flags, phandles,
 * inherited coherency, iommus, dma-ranges both ways); malformed blobs,
 * each rejected with -EINVAL and one line naming the node and problem
 * (every prefix of a valid blob, bit flips, bad header fields, bad
 * lengths, dangling phandles, absurd cells, overflow, limits); and
 * desc_load's file handling.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "helpers/cunit_helpers.h"
#include "platform/desc.h"

static char fdt[1 << 16] __attribute__((aligned(8)));
static int sw_err;
static struct plat_desc d;
static char err[256];

/* ---- building blobs ---- */

static void sw(int r)
{
	if (r < 0 && !sw_err)
		sw_err = r;
}

static void t_begin(void)
{
	sw_err = 0;
	sw(fdt_create(fdt, sizeof(fdt)));
	sw(fdt_finish_reservemap(fdt));
	sw(fdt_begin_node(fdt, ""));
}

static size_t t_end(void)
{
	sw(fdt_end_node(fdt));
	sw(fdt_finish(fdt));
	if (sw_err)
		printf("\nlibfdt sequential write: %s\n", fdt_strerror(sw_err));
	DMASAN_ASSERT_FATAL(sw_err == 0);
	return fdt_totalsize(fdt);
}

static void node(const char *name)
{
	sw(fdt_begin_node(fdt, name));
}

static void end(void)
{
	sw(fdt_end_node(fdt));
}

static void u32p(const char *name, uint32_t v)
{
	sw(fdt_property_u32(fdt, name, v));
}

static void flag(const char *name)
{
	sw(fdt_property(fdt, name, NULL, 0));
}

static void strp(const char *name, const char *s)
{
	sw(fdt_property_string(fdt, name, s));
}

/* A property of @n big-endian cells. */
static void cellsp(const char *name, int n, ...)
{
	fdt32_t v[64];
	va_list ap;

	DMASAN_ASSERT_FATAL(n >= 0 && n <= 64);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	va_end(ap);
	sw(fdt_property(fdt, name, v, n * 4));
}

/* A 2+2-cell reg of one entry. */
static void reg64(uint64_t base, uint64_t size)
{
	cellsp("reg", 4, (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
	       (uint32_t)size);
}

/* Root with 2/2 cells and one 4 GiB bank at 2 GiB. */
static void std_root(void)
{
	t_begin();
	strp("model", "unit SoC");
	u32p("#address-cells", 2);
	u32p("#size-cells", 2);
	node("memory@80000000");
	strp("device_type", "memory");
	reg64(0x80000000, 0x100000000);
	end();
}

/* A reserved-memory container with 2/2 cells; close it with end(). */
static void resmem_begin(void)
{
	node("reserved-memory");
	u32p("#address-cells", 2);
	u32p("#size-cells", 2);
	flag("ranges");
}

/*
 * The full SoC: two banks (one node with two entries), five regions (each
 * kind, every flag), a coherent bus, an IOMMU, a disabled device and two
 * dma-ranges buses.
 */
static size_t build_soc(void)
{
	t_begin();
	strp("model", "dmasan example SoC");
	u32p("#address-cells", 2);
	u32p("#size-cells", 2);
	node("memory@80000000");
	strp("device_type", "memory");
	cellsp("reg", 8, 0x0, 0x80000000, 0x1, 0x0, 0x8, 0x0, 0x0, 0x40000000);
	end();

	resmem_begin();
	node("pool@90000000");
	strp("compatible", "shared-dma-pool");
	reg64(0x90000000, 0x400000);
	flag("no-map");
	u32p("phandle", 1);
	end();
	node("cma@a0000000");
	strp("compatible", "shared-dma-pool");
	reg64(0xa0000000, 0x2000000);
	flag("reusable");
	flag("linux,cma-default");
	u32p("phandle", 2);
	end();
	node("coherent@98000000");
	strp("compatible", "shared-dma-pool");
	reg64(0x98000000, 0x800000);
	flag("no-map");
	flag("linux,dma-default");
	end();
	node("restricted@c0000000");
	strp("compatible", "restricted-dma-pool");
	reg64(0xc0000000, 0x400000);
	u32p("phandle", 3);
	end();
	node("firmware@88000000");
	reg64(0x88000000, 0x100000);
	flag("no-map");
	u32p("linux,phandle", 4);
	end();
	node("dynamic"); /* no reg: placed by the kernel, not simulated */
	strp("compatible", "shared-dma-pool");
	cellsp("size", 2, 0x0, 0x100000);
	flag("reusable");
	end();
	end();

	node("soc");
	strp("compatible", "simple-bus");
	u32p("#address-cells", 1);
	u32p("#size-cells", 1);
	flag("ranges");
	node("ethernet@10000000");
	strp("compatible", "dmasan,nic");
	cellsp("reg", 2, 0x10000000, 0x1000);
	cellsp("memory-region", 2, 1, 2);
	end();
	node("dma-controller@10010000");
	strp("compatible", "dmasan,dmac");
	flag("dma-coherent");
	end();
	node("iommu@10020000");
	strp("compatible", "arm,smmu-v3");
	u32p("#iommu-cells", 1);
	u32p("phandle", 9);
	end();
	node("gpu@10030000");
	strp("compatible", "dmasan,gpu");
	cellsp("iommus", 2, 9, 0x10);
	cellsp("memory-region", 1, 3);
	end();
	node("off@10040000");
	strp("compatible", "dmasan,off");
	strp("status", "disabled");
	end();
	node("cbus");
	strp("compatible", "simple-bus");
	flag("dma-coherent");
	u32p("#address-cells", 1);
	u32p("#size-cells", 1);
	node("sata@0");
	strp("compatible", "dmasan,sata");
	node("port@0");
	strp("compatible", "dmasan,sata-port");
	end();
	end();
	node("legacy@100");
	strp("compatible", "dmasan,legacy");
	flag("dma-noncoherent");
	end();
	end();
	node("pcie-bus");
	strp("compatible", "simple-bus");
	u32p("#address-cells", 2);
	u32p("#size-cells", 2);
	/* bus 0 -> cpu 2 GiB for 2 GiB; bus 16 GiB -> cpu 1 GiB for 256 MiB */
	cellsp("dma-ranges", 10, 0x0, 0x0, 0x80000000, 0x0, 0x80000000, 0x4, 0x0, 0x40000000, 0x0,
	       0x10000000);
	node("nvme@0");
	strp("compatible", "dmasan,nvme");
	end();
	end();
	end();

	node("wide-bus");
	strp("compatible", "simple-bus");
	u32p("#address-cells", 1);
	u32p("#size-cells", 1);
	/* one-cell bus address, two-cell parent address (the root's) */
	cellsp("dma-ranges", 4, 0x10000000, 0x1, 0x0, 0x10000000);
	node("wide@0");
	strp("compatible", "dmasan,wide");
	end();
	end();
	return t_end();
}

/* ---- parsing ---- */

static int parse(size_t len)
{
	memset(err, 0, sizeof(err));
	return desc_parse(fdt, len, &d, err, sizeof(err));
}

static void expect_ok(size_t len)
{
	int r = parse(len);

	if (r)
		printf("\nunexpected error %d: %s\n", r, err);
	CU_ASSERT_EQUAL(r, 0);
}

/* -EINVAL with one non-empty line containing @needle. */
static void expect_err_in(const char *needle)
{
	CU_ASSERT_TRUE(err[0] != '\0');
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	if (!strstr(err, needle))
		printf("\nexpected \"%s\" in \"%s\"\n", needle, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
}

static void expect_err(size_t len, const char *needle)
{
	int r = parse(len);

	CU_ASSERT_EQUAL(r, -EINVAL);
	expect_err_in(needle);
}

/* ---- default ---- */

static void test_default_is_arm64_like_soc(void)
{
	memset(&d, 0xa5, sizeof(d));
	desc_default(&d);
	CU_ASSERT_STRING_EQUAL(d.model, "dmasan default arm64-like SoC");
	CU_ASSERT_EQUAL(d.nbanks, 1);
	CU_ASSERT_EQUAL(d.banks[0].base, 0x80000000ull);
	CU_ASSERT_EQUAL(d.banks[0].base + d.banks[0].size, 0x400000000ull);
	CU_ASSERT_EQUAL(d.nregions, 0);
	CU_ASSERT_EQUAL(d.ndevices, 0);
	CU_ASSERT_PTR_NULL(desc_find_device(&d, "/soc/ethernet@10000000"));
}

static void test_translate_without_device_is_identity(void)
{
	uint64_t out = 0;

	CU_ASSERT_EQUAL(desc_bus_to_cpu(NULL, 0x1234, &out), 0);
	CU_ASSERT_EQUAL(out, 0x1234);
	CU_ASSERT_EQUAL(desc_cpu_to_bus(NULL, 0x5678, &out), 0);
	CU_ASSERT_EQUAL(out, 0x5678);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(NULL, 0, NULL), -EINVAL);
	CU_ASSERT_PTR_NULL(desc_find_device(NULL, "/x"));
}

/* ---- the full SoC ---- */

static void test_soc_model_and_banks(void)
{
	expect_ok(build_soc());
	CU_ASSERT_STRING_EQUAL(d.model, "dmasan example SoC");
	CU_ASSERT_EQUAL(d.nbanks, 2);
	CU_ASSERT_EQUAL(d.banks[0].base, 0x80000000ull);
	CU_ASSERT_EQUAL(d.banks[0].size, 0x100000000ull);
	CU_ASSERT_EQUAL(d.banks[1].base, 0x800000000ull);
	CU_ASSERT_EQUAL(d.banks[1].size, 0x40000000ull);
}

static const struct desc_region *region_named(const char *name)
{
	for (int i = 0; i < d.nregions; i++)
		if (!strcmp(d.regions[i].name, name))
			return &d.regions[i];
	return NULL;
}

static void test_soc_region_kinds_and_flags(void)
{
	const struct desc_region *r;

	expect_ok(build_soc());
	CU_ASSERT_EQUAL(d.nregions, 5); /* "dynamic" has no reg */
	r = region_named("pool@90000000");
	DMASAN_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->kind, REGION_DMA_POOL);
	CU_ASSERT_EQUAL(r->base, 0x90000000ull);
	CU_ASSERT_EQUAL(r->size, 0x400000ull);
	CU_ASSERT_EQUAL(r->phandle, 1);
	CU_ASSERT_TRUE(r->no_map);
	CU_ASSERT_FALSE(r->reusable || r->dma_default || r->cma_default);
	r = region_named("cma@a0000000");
	DMASAN_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->kind, REGION_CMA);
	CU_ASSERT_TRUE(r->reusable && r->cma_default);
	CU_ASSERT_FALSE(r->no_map || r->dma_default);
	r = region_named("coherent@98000000");
	DMASAN_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->kind, REGION_DMA_POOL);
	CU_ASSERT_TRUE(r->no_map && r->dma_default);
	CU_ASSERT_EQUAL(r->phandle, 0);
	r = region_named("restricted@c0000000");
	DMASAN_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->kind, REGION_RESTRICTED);
	CU_ASSERT_FALSE(r->no_map || r->reusable);
	r = region_named("firmware@88000000");
	DMASAN_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->kind, REGION_OTHER);
	CU_ASSERT_EQUAL(r->phandle, 4); /* the old linux,phandle spelling */
	CU_ASSERT_PTR_NULL(region_named("dynamic"));
}

static const struct desc_device *dev(const char *path)
{
	const struct desc_device *p = desc_find_device(&d, path);

	if (!p)
		printf("\nno device %s\n", path);
	DMASAN_ASSERT_FATAL(p != NULL);
	return p;
}

static void test_soc_devices_found_buses_and_disabled_skipped(void)
{
	expect_ok(build_soc());
	CU_ASSERT_EQUAL(d.ndevices, 9);
	dev("/soc/ethernet@10000000");
	dev("/soc/cbus/sata@0/port@0");
	dev("/wide-bus/wide@0");
	CU_ASSERT_PTR_NULL(desc_find_device(&d, "/soc"));
	CU_ASSERT_PTR_NULL(desc_find_device(&d, "/soc/pcie-bus"));
	CU_ASSERT_PTR_NULL(desc_find_device(&d, "/soc/off@10040000"));
	CU_ASSERT_PTR_NULL(desc_find_device(&d, "/reserved-memory/pool@90000000"));
	CU_ASSERT_PTR_NULL(desc_find_device(&d, "/"));
	CU_ASSERT_PTR_NULL(desc_find_device(&d, "/soc/ethernet"));
}

static void test_soc_memory_region_resolves_first_phandle(void)
{
	const struct desc_device *p;

	expect_ok(build_soc());
	p = dev("/soc/ethernet@10000000");
	DMASAN_ASSERT_FATAL(p->region >= 0 && p->region < d.nregions);
	CU_ASSERT_STRING_EQUAL(d.regions[p->region].name, "pool@90000000");
	p = dev("/soc/gpu@10030000");
	DMASAN_ASSERT_FATAL(p->region >= 0 && p->region < d.nregions);
	CU_ASSERT_EQUAL(d.regions[p->region].kind, REGION_RESTRICTED);
	CU_ASSERT_EQUAL(dev("/soc/dma-controller@10010000")->region, -1);
}

static void test_soc_coherent_own_and_inherited(void)
{
	expect_ok(build_soc());
	CU_ASSERT_FALSE(dev("/soc/ethernet@10000000")->coherent);
	CU_ASSERT_TRUE(dev("/soc/dma-controller@10010000")->coherent);
	CU_ASSERT_TRUE(dev("/soc/cbus/sata@0")->coherent);
	CU_ASSERT_TRUE(dev("/soc/cbus/sata@0/port@0")->coherent);
	CU_ASSERT_FALSE(dev("/soc/cbus/legacy@100")->coherent);
	CU_ASSERT_FALSE(dev("/soc/pcie-bus/nvme@0")->coherent);
}

static void test_soc_iommus(void)
{
	expect_ok(build_soc());
	CU_ASSERT_TRUE(dev("/soc/gpu@10030000")->iommu);
	CU_ASSERT_FALSE(dev("/soc/ethernet@10000000")->iommu);
	CU_ASSERT_FALSE(dev("/soc/iommu@10020000")->iommu);
}

static void test_soc_dma_ranges_translate_both_ways(void)
{
	const struct desc_device *p;
	uint64_t out = 0;

	expect_ok(build_soc());
	p = dev("/soc/pcie-bus/nvme@0");
	CU_ASSERT_EQUAL(p->nranges, 2);
	CU_ASSERT_EQUAL(p->ranges[0].bus, 0);
	CU_ASSERT_EQUAL(p->ranges[0].cpu, 0x80000000ull);
	CU_ASSERT_EQUAL(p->ranges[0].size, 0x80000000ull);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(p, 0x1000, &out), 0);
	CU_ASSERT_EQUAL(out, 0x80001000ull);
	CU_ASSERT_EQUAL(desc_cpu_to_bus(p, 0x80001000ull, &out), 0);
	CU_ASSERT_EQUAL(out, 0x1000);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(p, 0x7fffffff, &out), 0);
	CU_ASSERT_EQUAL(out, 0xffffffffull);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(p, 0x400000010ull, &out), 0);
	CU_ASSERT_EQUAL(out, 0x40000010ull);
	CU_ASSERT_EQUAL(desc_cpu_to_bus(p, 0x4fffffffull, &out), 0);
	CU_ASSERT_EQUAL(out, 0x40fffffffull);
	/* outside every range */
	out = 42;
	CU_ASSERT_EQUAL(desc_bus_to_cpu(p, 0x80000000ull, &out), -ERANGE);
	CU_ASSERT_EQUAL(desc_cpu_to_bus(p, 0x7fffffffull, &out), -ERANGE);
	CU_ASSERT_EQUAL(desc_cpu_to_bus(p, 0x50000000ull, &out), -ERANGE);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(p, 0x410000000ull, &out), -ERANGE);
	CU_ASSERT_EQUAL(desc_cpu_to_bus(p, 0x100000000ull, &out), -ERANGE);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(p, UINT64_MAX, &out), -ERANGE);
	CU_ASSERT_EQUAL(out, 42);
	/* mixed cells: one-cell bus address, two-cell CPU address */
	p = dev("/wide-bus/wide@0");
	CU_ASSERT_EQUAL(p->nranges, 1);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(p, 0x10000004, &out), 0);
	CU_ASSERT_EQUAL(out, 0x100000004ull);
	/* no dma-ranges anywhere above: identity */
	p = dev("/soc/ethernet@10000000");
	CU_ASSERT_EQUAL(p->nranges, 0);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(p, 0x123456789ull, &out), 0);
	CU_ASSERT_EQUAL(out, 0x123456789ull);
}

static void test_nearest_dma_ranges_wins_and_empty_is_identity(void)
{
	uint64_t out = 0;
	size_t len;

	std_root();
	node("outer");
	strp("compatible", "simple-bus");
	cellsp("dma-ranges", 5, 0x0, 0x0, 0x0, 0x80000000, 0x1000);
	node("inner");
	strp("compatible", "simple-bus");
	flag("dma-ranges");
	node("dev@0");
	strp("compatible", "x,dev");
	end();
	end();
	node("dev@1");
	strp("compatible", "x,dev");
	end();
	end();
	len = t_end();
	expect_ok(len);
	CU_ASSERT_EQUAL(dev("/outer/inner/dev@0")->nranges, 0);
	CU_ASSERT_EQUAL(dev("/outer/dev@1")->nranges, 1);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(dev("/outer/dev@1"), 0x10, &out), 0);
	CU_ASSERT_EQUAL(out, 0x80000010ull);
	CU_ASSERT_EQUAL(desc_bus_to_cpu(dev("/outer/dev@1"), 0x1000, &out), -ERANGE);
}

static void test_default_cells_are_two_and_one(void)
{
	t_begin();
	node("memory@80000000");
	strp("device_type", "memory");
	cellsp("reg", 3, 0x1, 0x0, 0x40000000);
	end();
	expect_ok(t_end());
	CU_ASSERT_EQUAL(d.nbanks, 1);
	CU_ASSERT_EQUAL(d.banks[0].base, 0x100000000ull);
	CU_ASSERT_EQUAL(d.banks[0].size, 0x40000000ull);
	CU_ASSERT_STRING_EQUAL(d.model, "");
}

static void test_one_cell_root(void)
{
	t_begin();
	u32p("#address-cells", 1);
	u32p("#size-cells", 1);
	node("memory@80000000");
	strp("device_type", "memory");
	cellsp("reg", 4, 0x80000000, 0x10000000, 0xc0000000, 0x10000000);
	end();
	expect_ok(t_end());
	CU_ASSERT_EQUAL(d.nbanks, 2);
	CU_ASSERT_EQUAL(d.banks[1].base, 0xc0000000ull);
}

static void test_unaligned_blob_parses(void)
{
	size_t len = build_soc();
	char *buf = malloc(len + 1);

	DMASAN_ASSERT_FATAL(buf != NULL);
	memcpy(buf + 1, fdt, len);
	CU_ASSERT_EQUAL(desc_parse(buf + 1, len, &d, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(d.ndevices, 9);
	free(buf);
}

/* ---- malformed input ---- */

/* The invariants a successful parse promises, checked after fuzzed input. */
static void check_invariants(void)
{
	CU_ASSERT_TRUE(d.nbanks >= 1 && d.nbanks <= DESC_MAX_BANKS);
	CU_ASSERT_TRUE(d.nregions >= 0 && d.nregions <= DESC_MAX_REGIONS);
	CU_ASSERT_TRUE(d.ndevices >= 0 && d.ndevices <= DESC_MAX_DEVICES);
	CU_ASSERT_PTR_NOT_NULL(memchr(d.model, '\0', sizeof(d.model)));
	for (int i = 0; i < d.nbanks && i < DESC_MAX_BANKS; i++)
		CU_ASSERT_TRUE(d.banks[i].size && d.banks[i].base <= UINT64_MAX - d.banks[i].size);
	for (int i = 0; i < d.nregions && i < DESC_MAX_REGIONS; i++) {
		CU_ASSERT_TRUE(d.regions[i].size);
		CU_ASSERT_PTR_NOT_NULL(memchr(d.regions[i].name, '\0', DESC_NAME_MAX));
	}
	for (int i = 0; i < d.ndevices && i < DESC_MAX_DEVICES; i++) {
		const struct desc_device *p = &d.devices[i];

		CU_ASSERT_TRUE(p->region >= -1 && p->region < d.nregions);
		CU_ASSERT_TRUE(p->nranges >= 0 && p->nranges <= DESC_MAX_RANGES);
		CU_ASSERT_PTR_NOT_NULL(memchr(p->path, '\0', DESC_NAME_MAX));
		for (int k = 0; k < p->nranges && k < DESC_MAX_RANGES; k++)
			CU_ASSERT_TRUE(p->ranges[k].size);
	}
}

/* Each prefix in a buffer of exactly that size, so a read past it is a heap overflow. */
static void test_every_prefix_rejected(void)
{
	size_t len = build_soc();
	int fails = 0;

	for (size_t n = 0; n <= len; n++) {
		char *buf = malloc(n ? n : 1);
		int r;

		DMASAN_ASSERT_FATAL(buf != NULL);
		memcpy(buf, fdt, n);
		memset(err, 0, sizeof(err));
		r = desc_parse(buf, n, &d, err, sizeof(err));
		free(buf);
		if (n == len) {
			CU_ASSERT_EQUAL(r, 0);
			continue;
		}
		if (r != -EINVAL || !err[0] || strchr(err, '\n')) {
			if (!fails++)
				printf("\nprefix %zu: %d \"%s\"\n", n, r, err);
		}
	}
	CU_ASSERT_EQUAL(fails, 0);
	/* the messages for the interesting lengths */
	expect_err(0, "too short");
	expect_err(39, "too short");
	expect_err(100, "truncated: header says");
}

static void test_bit_flips_never_crash(void)
{
	static const uint8_t masks[] = { 0x01, 0x04, 0x20, 0x80, 0xff };
	static const uint32_t words[] = { 0, 1, 5, 0x7fffffff, 0x80000000, 0xffffffff };
	size_t len = build_soc();
	char *orig = malloc(len), *buf = malloc(len);
	int bad = 0, ok = 0;

	DMASAN_ASSERT_FATAL(orig && buf);
	memcpy(orig, fdt, len);
	for (size_t i = 0; i < len; i++) {
		for (size_t m = 0; m < sizeof(masks) + sizeof(words) / sizeof(words[0]); m++) {
			int r;

			memcpy(buf, orig, len);
			if (m < sizeof(masks)) {
				buf[i] ^= (char)masks[m];
			} else {
				fdt32_t w = cpu_to_fdt32(words[m - sizeof(masks)]);

				if (i % 4 || i + 4 > len)
					continue;
				memcpy(buf + i, &w, 4);
			}
			memset(err, 0, sizeof(err));
			r = desc_parse(buf, len, &d, err, sizeof(err));
			if (r == 0) {
				ok++;
				check_invariants();
			} else if (r != -EINVAL || !err[0] || strchr(err, '\n')) {
				if (!bad++)
					printf("\nflip at %zu: %d \"%s\"\n", i, r, err);
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(ok > 0);
	free(orig);
	free(buf);
}

static void test_bad_magic(void)
{
	size_t len = build_soc();

	fdt[0] ^= 0x40;
	expect_err(len, "bad magic");
	expect_err(4, "bad magic");
}

static void test_totalsize_beyond_buffer(void)
{
	size_t len = build_soc();

	fdt_set_totalsize(fdt, (uint32_t)len + 1);
	expect_err(len, "truncated: header says");
	fdt_set_totalsize(fdt, 0xffffffffu);
	expect_err(len, "truncated: header says 4294967295 bytes");
}

static void test_unsupported_version(void)
{
	size_t len = build_soc();

	fdt_set_version(fdt, 15);
	expect_err(len, "unsupported devicetree version 15");
	fdt_set_version(fdt, 17);
	fdt_set_last_comp_version(fdt, 18);
	expect_err(len, "unsupported devicetree version");
}

static void test_corrupt_structure(void)
{
	size_t len = build_soc();

	fdt_set_off_dt_strings(fdt, (uint32_t)len - 4);
	expect_err(len, "corrupt devicetree");
}

static void test_bad_reg_length(void)
{
	t_begin();
	u32p("#address-cells", 2);
	u32p("#size-cells", 2);
	node("memory@80000000");
	strp("device_type", "memory");
	cellsp("reg", 3, 0x0, 0x80000000, 0x10000000);
	end();
	expect_err(t_end(), "reg of /memory@80000000 has 12 bytes, expected a multiple of 16");
}

static void test_bad_region_reg_length(void)
{
	std_root();
	resmem_begin();
	node("pool@90000000");
	strp("compatible", "shared-dma-pool");
	cellsp("reg", 5, 0x0, 0x90000000, 0x0, 0x1000, 0x0);
	end();
	end();
	expect_err(t_end(), "reg of /reserved-memory/pool@90000000 has 20 bytes");
}

static void test_memory_without_reg_and_no_memory(void)
{
	t_begin();
	node("memory");
	strp("device_type", "memory");
	end();
	expect_err(t_end(), "/memory has device_type \"memory\" but no reg");
	t_begin();
	node("soc");
	end();
	expect_err(t_end(), "no memory");
}

static void test_zero_size_bank(void)
{
	t_begin();
	node("memory@80000000");
	strp("device_type", "memory");
	cellsp("reg", 3, 0x0, 0x80000000, 0x0);
	end();
	expect_err(t_end(), "reg of /memory@80000000: bank at 0x80000000 has size 0");
}

static void test_overlapping_banks(void)
{
	t_begin();
	node("memory@80000000");
	strp("device_type", "memory");
	cellsp("reg", 6, 0x0, 0x80000000, 0x10000000, 0x0, 0x8fffffff, 0x1000);
	end();
	expect_err(t_end(), "overlaps bank 0x80000000");
}

static void test_bank_overflow(void)
{
	t_begin();
	u32p("#size-cells", 2);
	node("memory@ffffffff00000000");
	strp("device_type", "memory");
	cellsp("reg", 4, 0xffffffff, 0x0, 0x1, 0x0);
	end();
	expect_err(t_end(), "overflows 64 bits");
}

static void test_region_overflow(void)
{
	std_root();
	resmem_begin();
	node("pool@ffffffffffff0000");
	strp("compatible", "shared-dma-pool");
	flag("no-map");
	reg64(0xffffffffffff0000ull, 0x10000);
	end();
	end();
	expect_err(
		t_end(),
		"reg of /reserved-memory/pool@ffffffffffff0000: base 0xffffffffffff0000 + size 0x10000 overflows 64 bits");
}

static void test_zero_size_region_and_overlap(void)
{
	std_root();
	resmem_begin();
	node("a@90000000");
	reg64(0x90000000, 0);
	end();
	end();
	expect_err(t_end(), "reg of /reserved-memory/a@90000000: region at 0x90000000 has size 0");
	std_root();
	resmem_begin();
	node("a@90000000");
	reg64(0x90000000, 0x2000);
	end();
	node("b@90001000");
	reg64(0x90001000, 0x1000);
	end();
	end();
	expect_err(
		t_end(),
		"reg of /reserved-memory/b@90001000: region 0x90001000+0x1000 overlaps a@90000000");
}

static void test_other_region_with_several_entries(void)
{
	std_root();
	resmem_begin();
	node("fw");
	cellsp("reg", 8, 0x0, 0x88000000, 0x0, 0x1000, 0x0, 0x89000000, 0x0, 0x2000);
	end();
	node("pool");
	strp("compatible", "shared-dma-pool");
	cellsp("reg", 8, 0x0, 0x90000000, 0x0, 0x1000, 0x0, 0x91000000, 0x0, 0x2000);
	end();
	end();
	expect_err(t_end(),
		   "reg of /reserved-memory/pool has 2 entries, a DMA pool takes exactly one");
	std_root();
	resmem_begin();
	node("fw");
	cellsp("reg", 8, 0x0, 0x88000000, 0x0, 0x1000, 0x0, 0x89000000, 0x0, 0x2000);
	end();
	end();
	expect_ok(t_end());
	CU_ASSERT_EQUAL(d.nregions, 2);
	CU_ASSERT_EQUAL(d.regions[1].base, 0x89000000ull);
	CU_ASSERT_STRING_EQUAL(d.regions[1].name, "fw");
}

static void test_memory_region_pointing_nowhere(void)
{
	std_root();
	node("eth");
	strp("compatible", "x,eth");
	cellsp("memory-region", 1, 7);
	end();
	expect_err(t_end(),
		   "memory-region of /eth points at phandle 7, which no reserved region has");
}

static void test_memory_region_bad_values(void)
{
	std_root();
	node("eth");
	strp("compatible", "x,eth");
	cellsp("memory-region", 1, 0);
	end();
	expect_err(t_end(), "memory-region of /eth has the invalid phandle 0x0");
	std_root();
	node("eth");
	strp("compatible", "x,eth");
	sw(fdt_property(fdt, "memory-region", "\0\0\0\1\0", 5));
	end();
	expect_err(t_end(), "memory-region of /eth has 5 bytes");
}

static void test_memory_region_self_reference(void)
{
	std_root();
	node("eth");
	strp("compatible", "x,eth");
	u32p("phandle", 5);
	cellsp("memory-region", 1, 5);
	end();
	expect_err(
		t_end(),
		"memory-region of /eth points at phandle 5 (/eth), which is not a reserved region");
}

static void test_memory_region_loop(void)
{
	std_root();
	node("a");
	strp("compatible", "x,a");
	u32p("phandle", 5);
	cellsp("memory-region", 1, 6);
	end();
	node("b");
	strp("compatible", "x,b");
	u32p("phandle", 6);
	cellsp("memory-region", 1, 5);
	end();
	expect_err(t_end(),
		   "memory-region of /a points at phandle 6 (/b), which is not a reserved region");
}

static void test_memory_region_second_entry_checked(void)
{
	std_root();
	resmem_begin();
	node("pool");
	strp("compatible", "shared-dma-pool");
	reg64(0x90000000, 0x1000);
	u32p("phandle", 1);
	end();
	end();
	node("eth");
	strp("compatible", "x,eth");
	cellsp("memory-region", 2, 1, 2);
	end();
	expect_err(t_end(), "points at phandle 2");
}

static void test_duplicate_phandle(void)
{
	std_root();
	resmem_begin();
	node("pool");
	strp("compatible", "shared-dma-pool");
	reg64(0x90000000, 0x1000);
	u32p("phandle", 1);
	end();
	end();
	node("eth");
	strp("compatible", "x,eth");
	u32p("phandle", 1);
	cellsp("memory-region", 1, 1);
	end();
	expect_err(t_end(),
		   "phandle 1 of memory-region of /eth is on both /reserved-memory/pool and /eth");
}

static void test_region_without_reg_referenced(void)
{
	std_root();
	resmem_begin();
	node("linux,cma");
	strp("compatible", "shared-dma-pool");
	flag("reusable");
	cellsp("size", 2, 0x0, 0x1000000);
	u32p("phandle", 1);
	end();
	end();
	node("eth");
	strp("compatible", "x,eth");
	cellsp("memory-region", 1, 1);
	end();
	expect_err(t_end(),
		   "(/reserved-memory/linux,cma), which is not a reserved region with reg");
}

static void test_absurd_address_cells(void)
{
	t_begin();
	u32p("#address-cells", 5);
	node("memory@0");
	strp("device_type", "memory");
	cellsp("reg", 6, 0, 0, 0, 0, 0x80000000, 0x1000);
	end();
	expect_err(t_end(), "#address-cells of / is 5, expected 1 or 2 (needed by /memory@0)");
	std_root();
	node("reserved-memory");
	u32p("#address-cells", 2);
	u32p("#size-cells", 3);
	node("pool");
	reg64(0x90000000, 0x1000);
	end();
	end();
	expect_err(
		t_end(),
		"#size-cells of /reserved-memory is 3, expected 0, 1 or 2 (needed by /reserved-memory/pool)");
	std_root();
	node("bus");
	strp("compatible", "simple-bus");
	u32p("#address-cells", 0);
	cellsp("dma-ranges", 3, 0x0, 0x0, 0x1000);
	end();
	expect_err(t_end(), "#address-cells of /bus is 0, expected 1 or 2 (needed by /bus)");
}

static void test_cells_property_bad_length(void)
{
	std_root();
	node("bus");
	cellsp("#address-cells", 2, 0, 1);
	end();
	expect_err(t_end(), "#address-cells of /bus has 8 bytes, expected 4");
}

static void test_unused_absurd_cells_accepted(void)
{
	std_root();
	node("pci");
	strp("compatible", "pci-host-ecam-generic");
	u32p("#address-cells", 3);
	end();
	expect_ok(t_end());
	CU_ASSERT_PTR_NOT_NULL(desc_find_device(&d, "/pci"));
}

static void test_dma_ranges_errors(void)
{
	std_root();
	node("bus");
	strp("compatible", "simple-bus");
	cellsp("dma-ranges", 4, 0x0, 0x0, 0x80000000, 0x0);
	end();
	expect_err(t_end(), "dma-ranges of /bus has 16 bytes, expected a multiple of 20");
	std_root();
	node("bus");
	strp("compatible", "simple-bus");
	cellsp("dma-ranges", 5, 0x0, 0x0, 0x0, 0x80000000, 0x0);
	end();
	expect_err(t_end(), "dma-ranges of /bus: entry 0 has size 0");
	std_root();
	node("bus");
	strp("compatible", "simple-bus");
	u32p("#size-cells", 2);
	cellsp("dma-ranges", 6, 0xffffffff, 0xffff0000, 0x0, 0x0, 0x0, 0x10000);
	end();
	expect_err(
		t_end(),
		"dma-ranges of /bus: entry 0 (bus 0xffffffffffff0000, cpu 0x0, size 0x10000) overflows 64 bits");
}

static void test_too_many_ranges(void)
{
	fdt32_t v[9 * 5];

	for (int i = 0; i < 9; i++) {
		v[i * 5 + 0] = cpu_to_fdt32(0);
		v[i * 5 + 1] = cpu_to_fdt32((uint32_t)i << 20);
		v[i * 5 + 2] = cpu_to_fdt32(0);
		v[i * 5 + 3] = cpu_to_fdt32((uint32_t)i << 20);
		v[i * 5 + 4] = cpu_to_fdt32(0x1000);
	}
	std_root();
	node("bus");
	strp("compatible", "simple-bus");
	sw(fdt_property(fdt, "dma-ranges", v, sizeof(v)));
	end();
	expect_err(t_end(), "dma-ranges of /bus has 9 entries (max 8)");
	std_root();
	node("bus");
	strp("compatible", "simple-bus");
	sw(fdt_property(fdt, "dma-ranges", v, 8 * 5 * 4));
	node("dev");
	strp("compatible", "x,dev");
	end();
	end();
	expect_ok(t_end());
	CU_ASSERT_EQUAL(dev("/bus/dev")->nranges, 8);
}

static void test_too_many_banks(void)
{
	fdt32_t v[17 * 4];

	for (int i = 0; i < 17; i++) {
		v[i * 4 + 0] = cpu_to_fdt32((uint32_t)i + 1);
		v[i * 4 + 1] = cpu_to_fdt32(0);
		v[i * 4 + 2] = cpu_to_fdt32(0);
		v[i * 4 + 3] = cpu_to_fdt32(0x10000000);
	}
	t_begin();
	u32p("#size-cells", 2);
	node("memory");
	strp("device_type", "memory");
	sw(fdt_property(fdt, "reg", v, sizeof(v)));
	end();
	expect_err(t_end(), "too many memory banks (max 16) at /memory");
}

static void test_too_many_regions(void)
{
	char name[32];

	std_root();
	resmem_begin();
	for (int i = 0; i <= DESC_MAX_REGIONS; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		node(name);
		reg64(0x90000000ull + (uint64_t)i * 0x1000, 0x1000);
		end();
	}
	end();
	expect_err(t_end(), "too many reserved regions (max 32) at /reserved-memory/r32");
}

static void test_too_many_devices(void)
{
	char name[32];

	std_root();
	for (int i = 0; i <= DESC_MAX_DEVICES; i++) {
		snprintf(name, sizeof(name), "dev%d", i);
		node(name);
		strp("compatible", "x,dev");
		end();
	}
	expect_err(t_end(), "too many devices (max 64) at /dev64");
}

static void test_deep_nesting(void)
{
	std_root();
	for (int i = 0; i < 40; i++)
		node("n");
	for (int i = 0; i < 40; i++)
		end();
	expect_err(t_end(), "nest deeper than 32 levels");
	std_root();
	for (int i = 0; i < 32; i++)
		node("n");
	strp("compatible", "x,deep");
	for (int i = 0; i < 32; i++)
		end();
	expect_ok(t_end());
	CU_ASSERT_EQUAL(d.ndevices, 1);
}

static void test_path_too_long(void)
{
	static const char part[] = "abcdefghijklmnopqrstuvwxyz012345";

	std_root();
	for (int i = 0; i < 4; i++)
		node(part);
	strp("compatible", "x,long");
	for (int i = 0; i < 4; i++)
		end();
	expect_err(t_end(), "is longer than 127 bytes");
}

static void test_bad_node_name(void)
{
	std_root();
	node("soc");
	node("evil\n@0");
	end();
	end();
	expect_err(t_end(), "a node name under /soc has byte 0x0a");
	std_root();
	node("a");
	node("");
	end();
	end();
	expect_err(t_end(), "a node under /a has an empty name");
}

static void test_model_not_a_string(void)
{
	t_begin();
	sw(fdt_property(fdt, "model", "abc", 3));
	node("memory");
	strp("device_type", "memory");
	cellsp("reg", 3, 0x0, 0x80000000, 0x1000);
	end();
	expect_err(t_end(), "model of / is not a NUL-terminated string");
}

static void region_flags(const char *compat, const char *f1, const char *f2)
{
	std_root();
	resmem_begin();
	node("pool@90000000");
	strp("compatible", compat);
	reg64(0x90000000, 0x1000);
	if (f1)
		flag(f1);
	if (f2)
		flag(f2);
	end();
	end();
}

static void test_both_no_map_and_reusable(void)
{
	region_flags("shared-dma-pool", "no-map", "reusable");
	expect_err(t_end(), "/reserved-memory/pool@90000000 has both no-map and reusable");
}

static void test_restricted_pool_with_flags(void)
{
	region_flags("restricted-dma-pool", "no-map", NULL);
	expect_err(t_end(), "/reserved-memory/pool@90000000 is a restricted-dma-pool");
	region_flags("restricted-dma-pool", "reusable", NULL);
	expect_err(t_end(), "restricted-dma-pool, which must not have");
	region_flags("restricted-dma-pool", "linux,dma-default", NULL);
	expect_err(t_end(), "restricted-dma-pool, which must not have");
}

static void test_default_flags_need_the_right_kind(void)
{
	region_flags("shared-dma-pool", "reusable", "linux,dma-default");
	expect_err(t_end(), "has linux,dma-default but is not a non-reusable shared-dma-pool");
	region_flags("shared-dma-pool", "no-map", "linux,cma-default");
	expect_err(t_end(), "has linux,cma-default but is not a reusable shared-dma-pool");
	region_flags("shared-dma-pool", NULL, NULL);
	expect_ok(t_end());
	CU_ASSERT_EQUAL(d.regions[0].kind, REGION_DMA_POOL);
	CU_ASSERT_FALSE(d.regions[0].no_map);
}

static void test_two_global_pools(void)
{
	std_root();
	resmem_begin();
	node("a");
	strp("compatible", "shared-dma-pool");
	reg64(0x90000000, 0x1000);
	flag("no-map");
	flag("linux,dma-default");
	end();
	node("b");
	strp("compatible", "shared-dma-pool");
	reg64(0x91000000, 0x1000);
	flag("no-map");
	flag("linux,dma-default");
	end();
	end();
	expect_err(t_end(),
		   "linux,dma-default is on both /reserved-memory/a and /reserved-memory/b");
}

static void test_disabled_memory_and_region_ignored(void)
{
	std_root();
	node("memory@1000000000");
	strp("device_type", "memory");
	strp("status", "disabled");
	reg64(0x1000000000ull, 0x1000);
	end();
	resmem_begin();
	node("pool");
	strp("compatible", "shared-dma-pool");
	strp("status", "fail");
	reg64(0x90000000, 0x1000);
	end();
	end();
	node("bus");
	strp("compatible", "simple-bus");
	strp("status", "disabled");
	node("dev");
	strp("compatible", "x,dev");
	strp("status", "okay");
	end();
	end();
	expect_ok(t_end());
	CU_ASSERT_EQUAL(d.nbanks, 1);
	CU_ASSERT_EQUAL(d.nregions, 0);
	CU_ASSERT_EQUAL(d.ndevices, 0);
}

static void test_null_and_small_error_buffer(void)
{
	char small[8];
	size_t len = build_soc();

	CU_ASSERT_EQUAL(desc_parse(NULL, 0, &d, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(desc_parse(fdt, len, NULL, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(desc_parse(fdt, 10, &d, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(desc_parse(fdt, 10, &d, small, sizeof(small)), -EINVAL);
	CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
}

/* ---- desc_load ---- */

static char dir[] = "/tmp/dmasan-desc.XXXXXX";

static int load_init(void)
{
	return mkdtemp(dir) ? 0 : 1;
}

static int load_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}

static void write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	DMASAN_ASSERT_FATAL(f != NULL);
	DMASAN_ASSERT_FATAL(fwrite(p, 1, len, f) == len);
	DMASAN_ASSERT_FATAL(fclose(f) == 0);
}

static void test_load_good_file(void)
{
	char path[256];
	size_t len = build_soc();

	snprintf(path, sizeof(path), "%s/board.dtb", dir);
	write_file(path, fdt, len);
	CU_ASSERT_EQUAL(desc_load(path, &d, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(d.model, "dmasan example SoC");
	CU_ASSERT_EQUAL(d.ndevices, 9);
}

static void test_load_errors_name_the_file(void)
{
	char path[256], want[300];
	size_t len = build_soc();

	snprintf(path, sizeof(path), "%s/missing.dtb", dir);
	CU_ASSERT_EQUAL(desc_load(path, &d, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	CU_ASSERT_STRING_EQUAL(err, want);

	snprintf(path, sizeof(path), "%s/bad.dtb", dir);
	fdt[0] = 'X';
	write_file(path, fdt, len);
	CU_ASSERT_EQUAL(desc_load(path, &d, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: bad magic", path);
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));

	CU_ASSERT_EQUAL(desc_load(dir, &d, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	CU_ASSERT_STRING_EQUAL(err, want);
}

static void test_load_too_big(void)
{
	char path[256], want[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/huge.dtb", dir);
	f = fopen(path, "wb");
	DMASAN_ASSERT_FATAL(f != NULL);
	DMASAN_ASSERT_FATAL(ftruncate(fileno(f), (16 << 20) + 1) == 0);
	fclose(f);
	CU_ASSERT_EQUAL(desc_load(path, &d, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: larger than 16 MiB", path);
	CU_ASSERT_STRING_EQUAL(err, want);
}

static CU_TestInfo default_tests[] = {
	{ "default platform", test_default_is_arm64_like_soc },
	{ "translation without a device is identity", test_translate_without_device_is_identity },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo soc_tests[] = {
	{ "model and banks", test_soc_model_and_banks },
	{ "region kinds and flags", test_soc_region_kinds_and_flags },
	{ "devices found, buses and disabled skipped",
	  test_soc_devices_found_buses_and_disabled_skipped },
	{ "memory-region resolves the first phandle",
	  test_soc_memory_region_resolves_first_phandle },
	{ "coherent own and inherited", test_soc_coherent_own_and_inherited },
	{ "iommus", test_soc_iommus },
	{ "dma-ranges translate both ways", test_soc_dma_ranges_translate_both_ways },
	{ "nearest dma-ranges wins, empty is identity",
	  test_nearest_dma_ranges_wins_and_empty_is_identity },
	{ "default cells are 2 and 1", test_default_cells_are_two_and_one },
	{ "one-cell root", test_one_cell_root },
	{ "other region with several entries", test_other_region_with_several_entries },
	{ "disabled memory, region and bus ignored", test_disabled_memory_and_region_ignored },
	{ "unused 3-cell bus accepted", test_unused_absurd_cells_accepted },
	{ "unaligned blob parses", test_unaligned_blob_parses },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo malformed_tests[] = {
	{ "every prefix rejected", test_every_prefix_rejected },
	{ "bit flips never crash", test_bit_flips_never_crash },
	{ "bad magic", test_bad_magic },
	{ "totalsize beyond the buffer", test_totalsize_beyond_buffer },
	{ "unsupported version", test_unsupported_version },
	{ "corrupt structure", test_corrupt_structure },
	{ "bad reg length", test_bad_reg_length },
	{ "bad region reg length", test_bad_region_reg_length },
	{ "memory without reg, no memory", test_memory_without_reg_and_no_memory },
	{ "zero-size bank", test_zero_size_bank },
	{ "overlapping banks", test_overlapping_banks },
	{ "bank overflow", test_bank_overflow },
	{ "region overflow", test_region_overflow },
	{ "zero-size and overlapping regions", test_zero_size_region_and_overlap },
	{ "memory-region pointing nowhere", test_memory_region_pointing_nowhere },
	{ "memory-region bad values", test_memory_region_bad_values },
	{ "memory-region self-reference", test_memory_region_self_reference },
	{ "memory-region loop", test_memory_region_loop },
	{ "memory-region second entry checked", test_memory_region_second_entry_checked },
	{ "duplicate phandle", test_duplicate_phandle },
	{ "region without reg referenced", test_region_without_reg_referenced },
	{ "absurd cells", test_absurd_address_cells },
	{ "cells property bad length", test_cells_property_bad_length },
	{ "dma-ranges errors", test_dma_ranges_errors },
	{ "too many ranges", test_too_many_ranges },
	{ "too many banks", test_too_many_banks },
	{ "too many regions", test_too_many_regions },
	{ "too many devices", test_too_many_devices },
	{ "deep nesting", test_deep_nesting },
	{ "path too long", test_path_too_long },
	{ "bad node name", test_bad_node_name },
	{ "model not a string", test_model_not_a_string },
	{ "both no-map and reusable", test_both_no_map_and_reusable },
	{ "restricted pool with flags", test_restricted_pool_with_flags },
	{ "default flags need the right kind", test_default_flags_need_the_right_kind },
	{ "two global pools", test_two_global_pools },
	{ "NULL and small error buffer", test_null_and_small_error_buffer },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo load_tests[] = {
	{ "good file", test_load_good_file },
	{ "errors name the file", test_load_errors_name_the_file },
	{ "too big", test_load_too_big },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "desc/default", NULL, NULL, NULL, NULL, default_tests },
	{ "desc/soc", NULL, NULL, NULL, NULL, soc_tests },
	{ "desc/malformed", NULL, NULL, NULL, NULL, malformed_tests },
	{ "desc/load", load_init, load_clean, NULL, NULL, load_tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
