/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the stack depot (core/stack.c) and stack walking
 * (platform/unwind.c): capture through nested calls, equal stacks giving
 * equal ids, round trips through stack_depot_get, concurrent puts from
 * two threads, unknown ids, clamping and out-of-memory. The test program
 * links everything statically, so plat_pc_in_self() is 0 for every PC
 * and frame #0 of a capture is inside stack_capture() itself.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include "core/heap.h"
#include "core/stack.h"
#include "helpers/cunit_helpers.h"
#include "platform/platform.h"

/* Not inlined, cloned or specialised, so that symbols match the source. */
#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noipa))
#endif

static volatile int sink;

/* Whether @pc is one of the @n frames of @id. */
static int stack_has(uint32_t id, uintptr_t pc)
{
	const uintptr_t *pcs;
	int i, n = stack_depot_get(id, &pcs);

	for (i = 0; i < n; i++)
		if (pcs[i] == pc)
			return 1;
	return 0;
}

static NOINLINE uint32_t capture_leaf(uintptr_t *ra)
{
	uint32_t id = stack_capture(16);

	*ra = (uintptr_t)__builtin_return_address(0);
	sink += 1;
	return id;
}

static NOINLINE uint32_t capture_mid(uintptr_t *ra_leaf, uintptr_t *ra_mid)
{
	uint32_t id = capture_leaf(ra_leaf);

	*ra_mid = (uintptr_t)__builtin_return_address(0);
	sink += 2;
	return id;
}

static NOINLINE uint32_t site_a(void)
{
	uint32_t id = stack_capture(16);

	sink += 3;
	return id;
}

static NOINLINE uint32_t site_b(void)
{
	uint32_t id = stack_capture(16);

	sink += 4;
	return id;
}

static NOINLINE uint32_t capture_n(int max)
{
	uint32_t id = stack_capture(max);

	sink += 5;
	return id;
}

static void test_capture_nested_gives_frames_of_callers(void)
{
	uintptr_t ra_leaf = 0, ra_mid = 0;
	const uintptr_t *pcs = NULL;
	uint32_t id = capture_mid(&ra_leaf, &ra_mid);
	int n;

	CU_ASSERT(id > 0);
	n = stack_depot_get(id, &pcs);
	CU_ASSERT(n >= 3);
	CU_ASSERT(n <= 16);
	CU_ASSERT_PTR_NOT_NULL(pcs);
	CU_ASSERT(stack_has(id, ra_leaf));
	CU_ASSERT(stack_has(id, ra_mid));
}

static void test_capture_same_site_same_id(void)
{
	volatile int rounds = 2; /* keeps the loop from being unrolled */
	uint32_t ids[2];
	int i;

	for (i = 0; i < rounds; i++)
		ids[i] = site_a();
	CU_ASSERT(ids[0] > 0);
	CU_ASSERT_EQUAL(ids[0], ids[1]);
}

static void test_capture_different_sites_different_ids(void)
{
	uint32_t a = site_a(), b = site_b();

	CU_ASSERT(a > 0);
	CU_ASSERT(b > 0);
	CU_ASSERT_NOT_EQUAL(a, b);
}

static void test_capture_clamps_frame_count(void)
{
	const uintptr_t *pcs;
	uint32_t one = capture_n(0), many = capture_n(1000);

	CU_ASSERT(one > 0);
	CU_ASSERT_EQUAL(stack_depot_get(one, &pcs), 1);
	CU_ASSERT(many > 0);
	CU_ASSERT(stack_depot_get(many, &pcs) <= STACK_MAX_FRAMES);
}

static void test_pc_in_self_false_in_static_program(void)
{
	CU_ASSERT_EQUAL(plat_pc_in_self((uintptr_t)&test_pc_in_self_false_in_static_program), 0);
	CU_ASSERT_EQUAL(plat_pc_in_self((uintptr_t)&stack_capture), 0);
	CU_ASSERT_EQUAL(plat_pc_in_self(0), 0);
}

static void test_backtrace_starts_at_caller(void)
{
	uintptr_t pcs[8];
	int n = plat_backtrace(pcs, 8);

	CU_ASSERT(n >= 1);
	CU_ASSERT(n <= 8);
	CU_ASSERT_EQUAL(plat_backtrace(pcs, 0), 0);
	CU_ASSERT_EQUAL(plat_backtrace(NULL, 8), 0);
}

static NOINLINE int walk_both(uintptr_t *fp, int *nfp, uintptr_t *uw, int *nuw)
{
	*nfp = plat_backtrace_fp(fp, 8, 0);
	*nuw = plat_backtrace(uw, 8);
	sink += 6;
	return 0;
}

static NOINLINE int walk_mid(uintptr_t *fp, int *nfp, uintptr_t *uw, int *nuw)
{
	int r = walk_both(fp, nfp, uw, nuw);

	sink += 7;
	return r;
}

/*
 * The frame-pointer walk and libunwind agree on the frames of code built
 * with frame pointers (this file and its callers up to the test runner).
 */
static void test_fp_walk_matches_libunwind(void)
{
	uintptr_t fp[8], uw[8];
	int nfp = 0, nuw = 0;

	walk_mid(fp, &nfp, uw, &nuw);
	DMASAN_ASSERT_FATAL(nfp >= 3 && nuw >= 3);
	/* plat_backtrace's PC in walk_both differs (two calls): compare the callers. */
	CU_ASSERT_EQUAL(fp[1], uw[1]);
	CU_ASSERT_EQUAL(fp[2], uw[2]);
	CU_ASSERT_EQUAL(plat_backtrace_fp(fp, 0, 0), 0);
	CU_ASSERT_EQUAL(plat_backtrace_fp(NULL, 8, 0), 0);
	CU_ASSERT_EQUAL(plat_backtrace_fp(fp, 1, 0), 1);
}

/* fast_unwind=0 (libunwind) and =1 (frame pointers) capture the same leading frames. */
static void test_capture_fast_and_exact_agree(void)
{
	uintptr_t ra_leaf, ra_mid;
	const uintptr_t *a, *b;
	uint32_t fast, exact;
	int na, nb;

	fast = capture_mid(&ra_leaf, &ra_mid);
	CU_ASSERT(stack_has(fast, ra_leaf));
	CU_ASSERT(stack_has(fast, ra_mid));
	stack_set_fast(0);
	exact = capture_mid(&ra_leaf, &ra_mid);
	stack_set_fast(1);
	na = stack_depot_get(fast, &a);
	nb = stack_depot_get(exact, &b);
	DMASAN_ASSERT_FATAL(na >= 3 && nb >= 3);
	/* Frame 0 is inside stack_capture (a static program has no "self"). */
	CU_ASSERT_EQUAL(a[1], b[1]);
	CU_ASSERT_EQUAL(a[2], b[2]);
}

static void test_put_get_round_trip(void)
{
	const uintptr_t in[3] = { 0x7f0000001000u, 0x7f0000002000u, 0x7f0000003000u };
	const uintptr_t *out = NULL;
	uint32_t id = stack_depot_put(in, 3);

	CU_ASSERT(id > 0);
	CU_ASSERT_EQUAL(stack_depot_get(id, &out), 3);
	DMASAN_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL(memcmp(in, out, sizeof(in)), 0);
	CU_ASSERT_EQUAL(stack_depot_put(in, 3), id);
	/* A prefix is a different stack. */
	CU_ASSERT_NOT_EQUAL(stack_depot_put(in, 2), id);
	CU_ASSERT(stack_depot_bytes() > 0);
}

static void test_put_empty_gives_zero(void)
{
	const uintptr_t in[1] = { 0x1234 };

	CU_ASSERT_EQUAL(stack_depot_put(in, 0), 0);
	CU_ASSERT_EQUAL(stack_depot_put(in, -1), 0);
	CU_ASSERT_EQUAL(stack_depot_put(NULL, 1), 0);
}

static void test_put_clamps_to_max_frames(void)
{
	uintptr_t in[STACK_MAX_FRAMES + 10];
	const uintptr_t *out;
	uint32_t id;
	int i;

	for (i = 0; i < STACK_MAX_FRAMES + 10; i++)
		in[i] = 0x5000000 + (uintptr_t)i * 8;
	id = stack_depot_put(in, STACK_MAX_FRAMES + 10);
	CU_ASSERT(id > 0);
	CU_ASSERT_EQUAL(stack_depot_get(id, &out), STACK_MAX_FRAMES);
}

static void test_get_unknown_ids_give_zero(void)
{
	const uintptr_t *out = (const uintptr_t *)&out;
	const uintptr_t in[1] = { 0x600000 };
	uint32_t id = stack_depot_put(in, 1);

	CU_ASSERT_EQUAL(stack_depot_get(0, &out), 0);
	CU_ASSERT_PTR_NULL(out);
	out = (const uintptr_t *)&out;
	CU_ASSERT_EQUAL(stack_depot_get(UINT32_MAX, &out), 0);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(stack_depot_get(4000000, &out), 0);
	/* The next id is not assigned yet, though its page exists. */
	CU_ASSERT_EQUAL(stack_depot_get(id + 1, &out), 0);
	CU_ASSERT_EQUAL(stack_depot_get(id, NULL), 1);
}

#define MT_STACKS 3000
#define MT_PUTS 100000

struct mt_arg {
	int salt;
	uint32_t ids[MT_STACKS];
	int bad;
};

static int mt_stack(int k, uintptr_t *pcs)
{
	int j, n = 1 + k % 24;

	for (j = 0; j < n; j++)
		pcs[j] = 0x10000000u + (uintptr_t)k * 256 + (uintptr_t)j * 8;
	return n;
}

static void *mt_worker(void *p)
{
	struct mt_arg *a = p;
	uintptr_t pcs[STACK_MAX_FRAMES];
	int i, k, n;
	uint32_t id;

	for (i = 0; i < MT_PUTS; i++) {
		k = (int)(((unsigned)i * 7919u + (unsigned)a->salt * 31u) % MT_STACKS);
		n = mt_stack(k, pcs);
		id = stack_depot_put(pcs, n);
		if (id == 0 || (a->ids[k] && a->ids[k] != id))
			a->bad++;
		a->ids[k] = id;
	}
	return NULL;
}

static void test_two_threads_stay_consistent(void)
{
	static struct mt_arg a[2];
	uintptr_t pcs[STACK_MAX_FRAMES];
	const uintptr_t *out;
	pthread_t t[2];
	int i, k, n, bad = 0;

	memset(a, 0, sizeof(a));
	a[1].salt = 1;
	for (i = 0; i < 2; i++)
		DMASAN_ASSERT_FATAL(pthread_create(&t[i], NULL, mt_worker, &a[i]) == 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CU_ASSERT_EQUAL(a[0].bad, 0);
	CU_ASSERT_EQUAL(a[1].bad, 0);
	for (k = 0; k < MT_STACKS; k++) {
		if (!a[0].ids[k] || a[0].ids[k] != a[1].ids[k]) {
			bad++;
			continue;
		}
		n = mt_stack(k, pcs);
		if (stack_depot_get(a[0].ids[k], &out) != n ||
		    memcmp(out, pcs, (size_t)n * sizeof(*pcs)) != 0)
			bad++;
		if (k && a[0].ids[k] == a[0].ids[k - 1])
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_heap_failure_gives_zero_then_recovers(void)
{
	uintptr_t pcs[STACK_MAX_FRAMES];
	uint32_t id = 1;
	int i, j;

	heap_fail_after(0);
	for (i = 0; i < 1000 && id; i++) {
		for (j = 0; j < STACK_MAX_FRAMES; j++)
			pcs[j] = 0x20000000u + (uintptr_t)i * 4096 + (uintptr_t)j * 8;
		id = stack_depot_put(pcs, STACK_MAX_FRAMES);
	}
	heap_fail_after(-1);
	CU_ASSERT_EQUAL(id, 0);
	CU_ASSERT(stack_depot_put(pcs, STACK_MAX_FRAMES) > 0);
}

static CU_TestInfo capture_tests[] = {
	{ "nested calls give the callers' frames", test_capture_nested_gives_frames_of_callers },
	{ "same call site twice gives the same id", test_capture_same_site_same_id },
	{ "different call sites give different ids", test_capture_different_sites_different_ids },
	{ "frame count is clamped to 1..64", test_capture_clamps_frame_count },
	{ "no PC is self in a static program", test_pc_in_self_false_in_static_program },
	{ "plat_backtrace starts at its caller", test_backtrace_starts_at_caller },
	{ "frame-pointer walk matches libunwind", test_fp_walk_matches_libunwind },
	{ "fast and exact capture agree", test_capture_fast_and_exact_agree },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo depot_tests[] = {
	{ "put then get returns the PCs", test_put_get_round_trip },
	{ "empty or NULL stacks give 0", test_put_empty_gives_zero },
	{ "long stacks are clamped", test_put_clamps_to_max_frames },
	{ "id 0 and unknown ids give 0", test_get_unknown_ids_give_zero },
	{ "2 threads x 100k puts stay consistent", test_two_threads_stay_consistent },
	{ "heap failure gives 0, then recovers", test_heap_failure_gives_zero_then_recovers },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "stack/capture", NULL, NULL, NULL, NULL, capture_tests },
	{ "stack/depot", NULL, NULL, NULL, NULL, depot_tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
