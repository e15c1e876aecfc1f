/* SPDX-License-Identifier: MIT */
/*
 * nvme_test: the example NVMe driver's test. It plays the bus (registers
 * "nvme0") and the block layer: probes the driver on the controller model,
 * writes N commands of deterministic data (1 to 5 blocks each, buffers
 * starting at various cache-line-aligned offsets inside their first page,
 * so every PRP layout occurs: PRP1 only, PRP1 + PRP2, PRP lists), reads
 * every range back and verifies it byte for byte against a shadow of the
 * disk, and checks the identify pages before and after the I/O. Exit
 * status: 0 when everything was written, read and verified, 1 otherwise,
 * 2 for bad arguments. --bug=NAME injects one DMA API bug into the driver;
 * with the direct library the data of a bug's victim may really be wrong,
 * and those commands alone are excused. Single thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dmasan/dmasan.h>
#include <linux/device.h>
#include <linux/mm.h>

#include "nvme_dev.h"
#include "nvme_drv.h"

#define DEFAULT_COMMANDS 16ul
#define MAX_COMMANDS 100000ul
#define MAX_CMD_BLOCKS 5u /* blocks per command: 1 to 5 */
#define SLOT_BYTES ((MAX_CMD_BLOCKS + 1) * PAGE_SIZE)
#define STALL_LIMIT 1000u /* polls without progress before giving up */
#define MAX_MISMATCH_REPORTS 5ul

/* Where the data of a command starts inside its first page (cache-line multiples). */
static const size_t head_offsets[] = { 0, 576, 2048, 3520 };

/* What the test knows about one disk block. */
enum block_state {
	BLK_ZERO,    /* never written: reads as zeros */
	BLK_KNOWN,   /* holds the shadow's data */
	BLK_UNKNOWN, /* a bug's victim wrote it (direct library only): not checked */
};

struct geom {
	u64 slba;
	unsigned int nblocks;
	size_t head;
};

struct test;

struct slot {
	struct nvme_request rq;
	unsigned char *mem; /* SLOT_BYTES, page aligned */
	unsigned long cmd;
	bool busy;
	struct test *t;
};

struct test {
	unsigned long n;
	unsigned int depth;
	unsigned int bugs;
	bool lenient;		/* direct library and a data-corrupting bug */
	unsigned int excusable; /* enum nvme_bug bits whose victims are excused */
	u64 capacity;
	struct geom *geom;
	unsigned char *shadow; /* capacity blocks */
	unsigned char *state;  /* enum block_state per block */
	struct slot *slots;
	unsigned char *expect; /* one block */

	unsigned long writes, reads, verified, identify;
	unsigned long excused_writes, excused_reads;
	unsigned long failures; /* commands not submitted or failed */
	unsigned long mismatches;
};

/* Block @lba as written by command @cmd: a header naming both, then a pattern. */
static void fill_block(unsigned char *p, unsigned long cmd, u64 lba)
{
	size_t j;

	memcpy(p, "NVMT", 4);
	for (j = 0; j < 4; j++) {
		p[4 + j] = (unsigned char)(cmd >> (24 - 8 * j));
		p[8 + j] = (unsigned char)(lba >> (24 - 8 * j));
	}
	for (j = 12; j < NVME_LBA_SIZE; j++)
		p[j] = (unsigned char)(cmd * 131u + lba * 29u + j * 7u + (j >> 8));
}

/* Lay out the N commands: sizes 1..5 blocks, rotating head offsets, consecutive LBAs. */
static void plan(struct test *t, unsigned int max_blocks)
{
	u64 cursor = 0;
	unsigned long i;

	for (i = 0; i < t->n; i++) {
		struct geom *g = &t->geom[i];

		g->nblocks = 1 + (unsigned int)(i % MAX_CMD_BLOCKS);
		if (g->nblocks > max_blocks)
			g->nblocks = max_blocks;
		if (g->nblocks > t->capacity)
			g->nblocks = (unsigned int)t->capacity;
		g->head = head_offsets[(i / 2) % (sizeof(head_offsets) / sizeof(head_offsets[0]))];
		if (cursor + g->nblocks > t->capacity)
			cursor = 0;
		g->slba = cursor;
		cursor += g->nblocks;
	}
}

static unsigned char *slot_data(const struct slot *s, const struct geom *g)
{
	return s->mem + g->head;
}

static void on_write_done(struct test *t, struct slot *s)
{
	const struct geom *g = &t->geom[s->cmd];
	const unsigned char *data = slot_data(s, g);
	unsigned int b;

	if (s->rq.status == 0) {
		t->writes++;
		memcpy(t->shadow + g->slba * NVME_LBA_SIZE, data,
		       (size_t)g->nblocks * NVME_LBA_SIZE);
		memset(t->state + g->slba, BLK_KNOWN, g->nblocks);
		return;
	}
	if (t->lenient && (s->rq.bugs_injected & t->excusable)) {
		t->excused_writes++;
		for (b = 0; b < g->nblocks; b++)
			t->state[g->slba + b] = BLK_UNKNOWN;
		return;
	}
	t->failures++;
	fprintf(stderr, "nvme_test: write %lu failed (%d, status 0x%03x)\n", s->cmd, s->rq.status,
		s->rq.nvme_status);
}

static void on_read_done(struct test *t, struct slot *s)
{
	const struct geom *g = &t->geom[s->cmd];
	const unsigned char *data = slot_data(s, g);
	bool bad = false, unknown = false;
	unsigned int b;

	if (s->rq.status != 0) {
		t->failures++;
		fprintf(stderr, "nvme_test: read %lu failed (%d, status 0x%03x)\n", s->cmd,
			s->rq.status, s->rq.nvme_status);
		return;
	}
	t->reads++;
	for (b = 0; b < g->nblocks; b++) {
		u64 lba = g->slba + b;
		const unsigned char *got = data + (size_t)b * NVME_LBA_SIZE;
		const unsigned char *want = t->expect;

		if (t->state[lba] == BLK_UNKNOWN) {
			unknown = true;
			continue;
		}
		if (t->state[lba] == BLK_KNOWN)
			want = t->shadow + lba * NVME_LBA_SIZE;
		else
			memset(t->expect, 0, NVME_LBA_SIZE);
		if (memcmp(got, want, NVME_LBA_SIZE) != 0) {
			if (t->mismatches++ < MAX_MISMATCH_REPORTS)
				fprintf(stderr, "nvme_test: read %lu: block %llu differs\n", s->cmd,
					(unsigned long long)lba);
			bad = true;
		}
	}
	if (bad)
		return;
	if (unknown)
		t->excused_reads++;
	else
		t->verified++;
}

static void on_done(struct nvme_request *rq)
{
	struct slot *s = rq->arg;
	struct test *t = s->t;

	s->busy = false;
	if (rq->op == NVME_OP_WRITE)
		on_write_done(t, s);
	else
		on_read_done(t, s);
}

static struct slot *free_slot(struct test *t)
{
	unsigned int i;

	for (i = 0; i < t->depth; i++)
		if (!t->slots[i].busy)
			return &t->slots[i];
	return NULL;
}

/* Poll until nothing is in flight; false when the device stopped making progress. */
static bool drain(struct nvme_priv *priv)
{
	unsigned int idle = 0;

	while (nvme_inflight(priv) != 0) {
		if (nvme_poll(priv) != 0)
			idle = 0;
		else if (++idle > STALL_LIMIT)
			return false;
	}
	return true;
}

/* Command @i of the plan as a request of @op in slot @s (WRITE data filled in). */
static void prepare(struct test *t, struct slot *s, unsigned long i, enum nvme_op op)
{
	const struct geom *g = &t->geom[i];
	unsigned char *data = slot_data(s, g);
	unsigned int b;

	memset(&s->rq, 0, sizeof(s->rq));
	s->rq.op = op;
	s->rq.slba = g->slba;
	s->rq.nblocks = g->nblocks;
	s->rq.buf = data;
	s->rq.done = on_done;
	s->rq.arg = s;
	s->cmd = i;
	if (op == NVME_OP_WRITE) {
		for (b = 0; b < g->nblocks; b++)
			fill_block(data + (size_t)b * NVME_LBA_SIZE, i, g->slba + b);
	} else {
		/* Stale data from an earlier command must not pass for a read. */
		memset(data, 0xee, (size_t)g->nblocks * NVME_LBA_SIZE);
	}
}

/* Issue every command of the plan as @op, keeping up to t->depth in flight. */
static bool run_phase(struct test *t, struct nvme_priv *priv, enum nvme_op op)
{
	const char *what = op == NVME_OP_WRITE ? "write" : "read";
	unsigned int idle = 0;
	unsigned long i = 0;

	while (i < t->n) {
		struct slot *s = free_slot(t);

		if (s) {
			int rc;

			prepare(t, s, i, op);
			rc = nvme_submit(priv, &s->rq);
			if (rc == 0) {
				s->busy = true;
				i++;
				continue;
			}
			if (rc != -EBUSY) {
				t->failures++;
				fprintf(stderr, "nvme_test: %s %lu not submitted (%d)\n", what, i,
					rc);
				i++;
				continue;
			}
		}
		/* Every slot is in flight, or the queue is full: let the device work. */
		if (nvme_poll(priv) != 0)
			idle = 0;
		else if (++idle > STALL_LIMIT)
			break;
	}
	if (i < t->n || !drain(priv)) {
		fprintf(stderr, "nvme_test: the device stopped answering after %lu %ss\n", i, what);
		t->failures++;
		return false;
	}
	return true;
}

static void put_str(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	memset(dst, ' ', size);
	memcpy(dst, s, n < size ? n : size);
}

static unsigned long count_blocks(const struct test *t, enum block_state st)
{
	unsigned long n = 0;
	u64 b;

	for (b = 0; b < t->capacity; b++)
		n += t->state[b] == st;
	return n;
}

/* Run identify @cns and compare the whole page with what the datasheet promises. */
static bool check_identify(struct test *t, struct nvme_priv *priv, unsigned int cns)
{
	union nvme_id_page *got, *want;
	bool ok = false;
	int rc;

	got = calloc(1, sizeof(*got));
	want = calloc(1, sizeof(*want));
	if (!got || !want) {
		fprintf(stderr, "nvme_test: out of memory\n");
		goto out;
	}
	rc = nvme_identify(priv, cns, got);
	if (rc) {
		fprintf(stderr, "nvme_test: identify cns %u failed (%d)\n", cns, rc);
		goto out;
	}
	if (cns == NVME_CNS_CONTROLLER) {
		want->ctrl.vid = NVME_MODEL_VID;
		want->ctrl.ssvid = NVME_MODEL_SSVID;
		put_str(want->ctrl.sn, sizeof(want->ctrl.sn), NVME_MODEL_SN);
		put_str(want->ctrl.mn, sizeof(want->ctrl.mn), NVME_MODEL_MN);
		put_str(want->ctrl.fr, sizeof(want->ctrl.fr), NVME_MODEL_FR);
		want->ctrl.mdts = NVME_MDTS;
		want->ctrl.cntlid = NVME_MODEL_CNTLID;
		want->ctrl.ver = NVME_MODEL_VER;
		want->ctrl.sqes = 0x66;
		want->ctrl.cqes = 0x44;
		want->ctrl.nn = 1;
	} else {
		unsigned long known = count_blocks(t, BLK_KNOWN);
		unsigned long unknown = count_blocks(t, BLK_UNKNOWN);

		want->ns.nsze = NVME_DISK_BLOCKS;
		want->ns.ncap = NVME_DISK_BLOCKS;
		/* Blocks only a bug's victim wrote may or may not count. */
		want->ns.nuse = known;
		if (got->ns.nuse >= known && got->ns.nuse <= known + unknown)
			want->ns.nuse = got->ns.nuse;
		want->ns.lbaf[0] = NVME_LBA_SHIFT << 16;
	}
	if (memcmp(got, want, sizeof(*got)) != 0) {
		fprintf(stderr, "nvme_test: identify cns %u returned unexpected data\n", cns);
		goto out;
	}
	t->identify++;
	ok = true;
out:
	free(got);
	free(want);
	return ok;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nvme_test [--commands N] [--depth D] [--bug=NAME]... | --list-bugs | --help\n");
	fprintf(f,
		"Writes N commands (default %lu) through the example NVMe driver, reads them back and verifies them.\n",
		DEFAULT_COMMANDS);
	fprintf(f, "  --commands N  number of write commands (and of reads), 1 to %lu\n",
		MAX_COMMANDS);
	fprintf(f, "  --depth D     requests kept in flight, 1 (default) to %u\n",
		NVME_MAX_INFLIGHT);
	fprintf(f, "  --bug=NAME    inject a bug into the driver (repeatable; see --list-bugs)\n");
	fprintf(f,
		"  --list-bugs   list the bug switches and the finding id dmasan reports for each\n");
	fprintf(f, "Exit status: 0 all data verified, 1 otherwise, 2 bad arguments.\n");
}

static void list_bugs(void)
{
	size_t i;

	printf("%-20s %-24s %s\n", "switch", "finding", "bug");
	for (i = 0; i < nvme_nr_bugs; i++)
		printf("%-20s %-24s %s\n", nvme_bugs[i].name, nvme_bugs[i].finding,
		       nvme_bugs[i].what);
}

static int parse_bug(const char *name, unsigned int *bugs)
{
	size_t i;

	for (i = 0; i < nvme_nr_bugs; i++) {
		if (strcmp(name, nvme_bugs[i].name) == 0) {
			*bugs |= nvme_bugs[i].bit;
			return 0;
		}
	}
	fprintf(stderr, "nvme_test: unknown bug '%s' (see --list-bugs)\n", name);
	return -1;
}

static int parse_num(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v == 0 || v > max) {
		fprintf(stderr, "nvme_test: %s wants a number from 1 to %lu, not '%s'\n", opt, max,
			s);
		return -1;
	}
	*out = v;
	return 0;
}

/* --name VALUE or --name=VALUE; returns 1 when @a is not this option. */
static int num_opt(int argc, char **argv, int *i, const char *name, unsigned long max,
		   unsigned long *out)
{
	const char *a = argv[*i];
	size_t len = strlen(name);

	if (strncmp(a, name, len) != 0)
		return 1;
	if (a[len] == '=')
		return parse_num(name, a + len + 1, max, out) ? 2 : 0;
	if (a[len] != '\0')
		return 1;
	if (*i + 1 >= argc) {
		fprintf(stderr, "nvme_test: %s needs a number\n", name);
		return 2;
	}
	return parse_num(name, argv[++*i], max, out) ? 2 : 0;
}

/* Parse the command line; returns -1 to exit 0 (help), 2 on error. */
static int parse_args(int argc, char **argv, struct test *t)
{
	unsigned long depth = t->depth;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return -1;
		} else if (strcmp(a, "--list-bugs") == 0) {
			list_bugs();
			return -1;
		} else if (strncmp(a, "--bug=", 6) == 0) {
			if (parse_bug(a + 6, &t->bugs))
				return 2;
		} else if (strcmp(a, "--bug") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr,
					"nvme_test: --bug needs a NAME (see --list-bugs)\n");
				return 2;
			}
			if (parse_bug(argv[++i], &t->bugs))
				return 2;
		} else if ((rc = num_opt(argc, argv, &i, "--commands", MAX_COMMANDS, &t->n)) != 1) {
			if (rc)
				return 2;
		} else if ((rc = num_opt(argc, argv, &i, "--depth", NVME_MAX_INFLIGHT, &depth)) !=
			   1) {
			if (rc)
				return 2;
		} else {
			fprintf(stderr, "nvme_test: unknown argument '%s' (try --help)\n", a);
			return 2;
		}
	}
	t->depth = (unsigned int)depth;
	return 0;
}

static int setup(struct test *t)
{
	unsigned int i;

	t->geom = calloc(t->n, sizeof(*t->geom));
	t->shadow = calloc(t->capacity, NVME_LBA_SIZE);
	t->state = calloc(t->capacity, 1);
	t->slots = calloc(t->depth, sizeof(*t->slots));
	t->expect = malloc(NVME_LBA_SIZE);
	if (!t->geom || !t->shadow || !t->state || !t->slots || !t->expect)
		return -ENOMEM;
	for (i = 0; i < t->depth; i++) {
		/* Whole pages: no other data shares a cache line with a buffer. */
		t->slots[i].t = t;
		t->slots[i].mem = aligned_alloc(PAGE_SIZE, SLOT_BYTES);
		if (!t->slots[i].mem)
			return -ENOMEM;
	}
	return 0;
}

static void cleanup(struct test *t)
{
	unsigned int i;

	for (i = 0; t->slots && i < t->depth; i++)
		free(t->slots[i].mem);
	free(t->slots);
	free(t->geom);
	free(t->shadow);
	free(t->state);
	free(t->expect);
}

static void print_diagnostics(struct nvme_priv *priv, struct nvme_hw *hw)
{
	struct nvme_hw_stats hs;
	struct nvme_stats ds;

	nvme_hw_get_stats(hw, &hs);
	nvme_get_stats(priv, &ds);
	fprintf(stderr,
		"nvme_test: driver: %lu writes, %lu reads, %lu I/O errors, %lu identify, %lu admin errors, %lu map errors, %lu PRP lists, %lu timeouts\n",
		ds.writes, ds.reads, ds.io_errors, ds.identifies, ds.admin_errors, ds.map_errors,
		ds.prp_lists, ds.timeouts);
	fprintf(stderr,
		"nvme_test: device: %lu commands, %lu writes, %lu reads, %lu identify, %lu errors, %lu bus errors, %lu PRP errors, %lu fatal\n",
		hs.commands, hs.writes, hs.reads, hs.identifies, hs.errors, hs.bus_errors,
		hs.prp_errors, hs.fatal);
}

int main(int argc, char **argv)
{
	struct test t = { .n = DEFAULT_COMMANDS, .depth = 1 };
	struct device dev = { .init_name = NULL };
	struct nvme_priv *priv;
	struct nvme_hw *hw;
	size_t i;
	bool ok;
	int rc;

	rc = parse_args(argc, argv, &t);
	if (rc)
		return rc < 0 ? 0 : rc;
	for (i = 0; i < nvme_nr_bugs; i++)
		if (nvme_bugs[i].corrupts)
			t.excusable |= nvme_bugs[i].bit;
	t.lenient = !dmasan_active() && (t.bugs & t.excusable) != 0;

	rc = dmasan_device_add(&dev, "nvme0", NULL);
	if (rc) {
		fprintf(stderr, "nvme_test: dmasan_device_add failed (%d)\n", rc);
		return 1;
	}
	hw = nvme_hw_create(&dev);
	priv = hw ? nvme_probe(&dev, hw, t.bugs) : NULL;
	if (!priv) {
		fprintf(stderr, "nvme_test: probe failed\n");
		nvme_hw_destroy(hw);
		dmasan_device_del(&dev);
		return 1;
	}
	t.capacity = nvme_capacity(priv);
	if (setup(&t)) {
		fprintf(stderr, "nvme_test: out of memory\n");
		nvme_remove(priv);
		nvme_hw_destroy(hw);
		dmasan_device_del(&dev);
		cleanup(&t);
		return 1;
	}
	plan(&t, nvme_max_blocks(priv));

	check_identify(&t, priv, NVME_CNS_CONTROLLER);
	check_identify(&t, priv, NVME_CNS_NAMESPACE);
	if (run_phase(&t, priv, NVME_OP_WRITE))
		run_phase(&t, priv, NVME_OP_READ);
	check_identify(&t, priv, NVME_CNS_CONTROLLER);
	check_identify(&t, priv, NVME_CNS_NAMESPACE);

	ok = t.failures == 0 && t.writes + t.excused_writes == t.n && t.reads == t.n &&
	     t.verified + t.excused_reads == t.n && t.identify == 4;
	if (!ok)
		print_diagnostics(priv, hw);
	nvme_remove(priv);
	nvme_hw_destroy(hw);
	dmasan_device_del(&dev);

	printf("nvme_test: %lu writes, %lu reads, %lu verified, %lu identify\n", t.writes, t.reads,
	       t.verified, t.identify);
	if (t.excused_writes || t.excused_reads)
		printf("nvme_test: %lu writes, %lu reads excused: the injected bug corrupts their data\n",
		       t.excused_writes, t.excused_reads);
	cleanup(&t);
	return ok ? 0 : 1;
}
