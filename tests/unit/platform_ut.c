/* SPDX-License-Identifier: MIT */
/*
 * Unit suite for platform/os.c and platform/heap.c: the facts the map-time
 * checks rely on (stack and read-only memory), safe log files, bounded
 * file reads, and the private heap's accounting and failure injection.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "helpers/cunit_helpers.h"
#include "core/heap.h"
#include "platform/platform.h"

static char dir[] = "/tmp/dmasan-plat.XXXXXX";
static const char rodata[64] = "constant";
static char rwdata[64];

static int init(void)
{
	return mkdtemp(dir) ? 0 : 1;
}

static int clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}

static void test_stack_detection(void)
{
	char local[32];
	char *heap = malloc(32);

	memset(local, 0, sizeof(local));
	CU_ASSERT_TRUE(plat_on_stack((uintptr_t)local, sizeof(local)));
	CU_ASSERT_FALSE(plat_on_stack((uintptr_t)heap, 32));
	CU_ASSERT_FALSE(plat_on_stack((uintptr_t)rwdata, sizeof(rwdata)));
	free(heap);
}

static void test_readonly_detection(void)
{
	char *heap = malloc(64);

	CU_ASSERT_TRUE(plat_is_readonly((uintptr_t)rodata, sizeof(rodata)));
	CU_ASSERT_TRUE(plat_is_readonly((uintptr_t)&test_readonly_detection, 16));
	CU_ASSERT_FALSE(plat_is_readonly((uintptr_t)rwdata, sizeof(rwdata)));
	CU_ASSERT_FALSE(plat_is_readonly((uintptr_t)heap, 64));
	free(heap);
}

/* malloc arenas reserve address space with no access and open it later. */
static void test_reserved_then_opened_memory_is_not_readonly(void)
{
	char *r = mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro;

	DMASAN_ASSERT_FATAL(r != MAP_FAILED);
	CU_ASSERT_FALSE(plat_is_readonly((uintptr_t)r, 4096));
	CU_ASSERT_EQUAL(mprotect(r, 65536, PROT_READ | PROT_WRITE), 0);
	CU_ASSERT_FALSE(plat_is_readonly((uintptr_t)r + 4096, 4096));
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_TRUE(plat_is_readonly((uintptr_t)ro, 64));
	munmap(ro, 4096);
	munmap(r, 1 << 20);
}

static void test_log_open_appends_and_refuses_links(void)
{
	char prefix[128], path[160], link[160];
	int fd;

	snprintf(prefix, sizeof(prefix), "%s/log", dir);
	fd = plat_open_log(prefix, 42);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_EQUAL(plat_write_all(fd, "one\n", 4), 0);
	close(fd);
	fd = plat_open_log(prefix, 42);
	CU_ASSERT_EQUAL(plat_write_all(fd, "two\n", 4), 0);
	close(fd);
	snprintf(path, sizeof(path), "%s.42", prefix);
	{
		struct stat st;

		CU_ASSERT_EQUAL(stat(path, &st), 0);
		CU_ASSERT_EQUAL(st.st_size, 8); /* appended, not truncated */
	}
	snprintf(link, sizeof(link), "%s/evil", dir);
	snprintf(path, sizeof(path), "%s/evil.7", dir);
	CU_ASSERT_EQUAL(symlink("/etc/passwd", path), 0);
	CU_ASSERT_EQUAL(plat_open_log(link, 7), -ELOOP);
}

static void test_read_file_bounded(void)
{
	char path[128], *buf = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data", dir);
	f = fopen(path, "w");
	DMASAN_ASSERT_FATAL(f != NULL);
	fputs("0123456789", f);
	fclose(f);
	CU_ASSERT_EQUAL(plat_read_file(path, 100, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, 10);
	CU_ASSERT_STRING_EQUAL(buf, "0123456789");
	heap_free(buf);
	CU_ASSERT_EQUAL(plat_read_file(path, 5, &buf, &len), -EFBIG);
	CU_ASSERT_EQUAL(plat_read_file("/nonexistent/x", 5, &buf, &len), -ENOENT);
	CU_ASSERT_EQUAL(plat_read_file(dir, 5, &buf, &len), -EINVAL);
}

static void test_heap_accounting_and_failure_injection(void)
{
	uint64_t before = heap_allocated();
	void *p = heap_alloc(1 << 20), *q; /* large: no thread cache in between */

	DMASAN_ASSERT_FATAL(p != NULL);
	CU_ASSERT(heap_allocated() >= before + (1 << 20));
	heap_free(p);
	CU_ASSERT(heap_allocated() < before + (1 << 20));
	heap_fail_after(1);
	p = heap_alloc(10);
	q = heap_alloc(10);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_PTR_NULL(q);
	heap_fail_after(-1);
	q = heap_alloc(10);
	CU_ASSERT_PTR_NOT_NULL(q);
	heap_free(p);
	heap_free(q);
	CU_ASSERT_PTR_NULL(heap_calloc(SIZE_MAX / 2, 4));
	p = heap_aligned(4096, 10);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_EQUAL((uintptr_t)p & 4095, 0);
	heap_free(p);
	CU_ASSERT_PTR_NULL(heap_aligned(3, 10));
}

/* Small blocks: aligned, reused by the same thread, OOM injection still applies. */
static void test_small_cache_reuses_blocks(void)
{
	void *p = heap_small_alloc(200), *q, *big;

	DMASAN_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL((uintptr_t)p & 63, 0);
	memset(p, 0xa5, 200);
	heap_small_free(p, 200);
	q = heap_small_alloc(250); /* same 64-byte class as 200 */
	CU_ASSERT_PTR_EQUAL(q, p);
	heap_small_free(q, 250);
	heap_fail_after(0);
	CU_ASSERT_PTR_NULL(heap_small_alloc(200)); /* even with a cached block */
	heap_fail_after(-1);
	big = heap_small_alloc(1 << 16); /* beyond the cache: straight to jemalloc */
	DMASAN_ASSERT_FATAL(big != NULL);
	CU_ASSERT_EQUAL((uintptr_t)big & 63, 0);
	heap_small_free(big, 1 << 16);
	heap_small_free(NULL, 64);
}

static void *small_churn(void *arg)
{
	void *blocks[40];
	int i, round;

	(void)arg;
	for (round = 0; round < 100; round++) {
		for (i = 0; i < 40; i++)
			blocks[i] = heap_small_alloc(448);
		for (i = 0; i < 40; i++)
			heap_small_free(blocks[i], 448);
	}
	return NULL;
}

/* A thread's cached blocks go back to the heap when it exits. */
static void test_small_cache_flushed_at_thread_exit(void)
{
	uint64_t before, after;
	pthread_t t;
	int i;

	DMASAN_ASSERT_FATAL(pthread_create(&t, NULL, small_churn, NULL) == 0);
	pthread_join(t, NULL);
	before = heap_allocated();
	for (i = 0; i < 20; i++) {
		DMASAN_ASSERT_FATAL(pthread_create(&t, NULL, small_churn, NULL) == 0);
		pthread_join(t, NULL);
	}
	after = heap_allocated();
	/* 20 threads x 32 cached 448-byte blocks would be 286,720 bytes. */
	CU_ASSERT(after < before + 64 * 1024);
}

static CU_TestInfo tests[] = {
	{ "stack_detection", test_stack_detection },
	{ "readonly_detection", test_readonly_detection },
	{ "reserved_then_opened_memory_is_not_readonly",
	  test_reserved_then_opened_memory_is_not_readonly },
	{ "log_open_appends_and_refuses_links", test_log_open_appends_and_refuses_links },
	{ "read_file_bounded", test_read_file_bounded },
	{ "heap_accounting_and_failure_injection", test_heap_accounting_and_failure_injection },
	{ "small_cache_reuses_blocks", test_small_cache_reuses_blocks },
	{ "small_cache_flushed_at_thread_exit", test_small_cache_flushed_at_thread_exit },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "platform", init, clean, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

DMASAN_CU_MAIN(suites)
