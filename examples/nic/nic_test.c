/* SPDX-License-Identifier: MIT */
/*
 * nic_test: the example NIC's test. It plays the bus (registers "nic0"),
 * probes the driver on the device model, sends N frames with distinct
 * deterministic contents, lets the device loop them back into RX, and
 * verifies every received frame byte for byte (each frame carries its
 * sequence number; each is accepted once). --bug=NAME injects one classic
 * DMA API bug into the driver; some make a frame arrive corrupted or not
 * at all under the shim, as on hardware, and the driver counts the frames
 * it injected such a bug on. Exit status: 0 when every frame was sent and
 * every frame that failed (lost or corrupted) is accounted for by those
 * bug frames, 1 otherwise, 2 for bad arguments. Single thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dmasan/dmasan.h>
#include <linux/device.h>

#include "nic_dev.h"
#include "nic_drv.h"

#define DEFAULT_PACKETS 64ul
#define MAX_PACKETS 1000000ul
#define MIN_FRAME 60u
#define MAX_FRAME 1514u
#define SEQ_OFFSET 14u /* after the MAC addresses and EtherType */
#define HDR_LEN 18u
#define STALL_LIMIT 100u /* polls without progress before giving up */
#define MAX_PRINTED 16u	 /* failed frames listed one by one */

struct rx_check {
	unsigned long expected; /* frames sent */
	unsigned long received;
	unsigned long verified;
	unsigned long corrupted;	/* received but failed verification */
	unsigned char *seen;		/* one flag per sequence number */
	unsigned char frame[MAX_FRAME]; /* the expected frame */
};

static size_t frame_len(unsigned long seq)
{
	return MIN_FRAME + (size_t)((seq * 389u) % (MAX_FRAME - MIN_FRAME + 1));
}

/* Frame @seq: Ethernet header, big-endian sequence number, payload. */
static void make_frame(unsigned long seq, unsigned char *buf)
{
	static const unsigned char macs[12] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	};
	size_t len = frame_len(seq), i;

	memcpy(buf, macs, sizeof(macs));
	buf[12] = 0x88; /* EtherType 0x88b5: IEEE local experimental */
	buf[13] = 0xb5;
	for (i = 0; i < 4; i++)
		buf[SEQ_OFFSET + i] = (unsigned char)(seq >> (24 - 8 * i));
	for (i = HDR_LEN; i < len; i++)
		buf[i] = (unsigned char)(seq * 131u + i * 7u + (i >> 8));
}

/* A received frame that failed verification: count it and say why. */
static void corrupted(struct rx_check *c, size_t len, unsigned long seq, const char *why)
{
	if (++c->corrupted <= MAX_PRINTED)
		fprintf(stderr, "nic_test: corrupted frame: %zu bytes, sequence field %lu: %s\n",
			len, seq, why);
}

static void on_rx(void *arg, const void *data, size_t len)
{
	struct rx_check *c = arg;
	const unsigned char *p = data;
	unsigned long seq = 0;
	size_t i;

	c->received++;
	if (len < HDR_LEN) {
		corrupted(c, len, 0, "shorter than a header");
		return;
	}
	for (i = 0; i < 4; i++)
		seq = seq << 8 | p[SEQ_OFFSET + i];
	if (seq >= c->expected) {
		corrupted(c, len, seq, "no such frame was sent");
		return;
	}
	if (c->seen[seq]) {
		corrupted(c, len, seq, "that frame was received already");
		return;
	}
	if (len != frame_len(seq)) {
		corrupted(c, len, seq, "wrong length");
		return;
	}
	make_frame(seq, c->frame);
	if (memcmp(c->frame, p, len) != 0) {
		corrupted(c, len, seq, "wrong contents");
		return;
	}
	c->seen[seq] = 1;
	c->verified++;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: nic_test [--packets N] [--bug=NAME]... | --list-bugs | --help\n");
	fprintf(f,
		"Sends N frames (default %lu) through the example NIC driver in loopback and verifies them.\n",
		DEFAULT_PACKETS);
	fprintf(f, "  --packets N   number of frames, 1 to %lu\n", MAX_PACKETS);
	fprintf(f, "  --bug=NAME    inject a bug into the driver (repeatable; see --list-bugs)\n");
	fprintf(f,
		"  --list-bugs   list the bug switches and the finding id dmasan reports for each\n");
	fprintf(f,
		"Exit status: 0 all frames verified, or every failure explained by an injected bug;\n"
		"1 otherwise; 2 bad arguments.\n");
}

static void list_bugs(void)
{
	size_t i;

	printf("%-22s %-24s %s\n", "switch", "finding", "bug");
	for (i = 0; i < nic_nr_bugs; i++) {
		const struct nic_bug_info *b = &nic_bugs[i];

		printf("%-22s %-24s %s", b->name, b->finding, b->what);
		if (b->options)
			printf(" [needs DMASAN_OPTIONS=%s]", b->options);
		printf("\n");
	}
}

static int parse_bug(const char *name, unsigned int *bugs)
{
	size_t i;

	for (i = 0; i < nic_nr_bugs; i++) {
		if (strcmp(name, nic_bugs[i].name) == 0) {
			*bugs |= nic_bugs[i].bit;
			return 0;
		}
	}
	fprintf(stderr, "nic_test: unknown bug '%s' (see --list-bugs)\n", name);
	return -1;
}

static int parse_packets(const char *s, unsigned long *n)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v == 0 || v > MAX_PACKETS) {
		fprintf(stderr, "nic_test: --packets wants a number from 1 to %lu, not '%s'\n",
			MAX_PACKETS, s);
		return -1;
	}
	*n = v;
	return 0;
}

/* Parse the command line; returns -1 to exit 0 (help), 2 on error. */
static int parse_args(int argc, char **argv, unsigned long *n, unsigned int *bugs)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return -1;
		} else if (strcmp(a, "--list-bugs") == 0) {
			list_bugs();
			return -1;
		} else if (strncmp(a, "--bug=", 6) == 0) {
			if (parse_bug(a + 6, bugs))
				return 2;
		} else if (strcmp(a, "--bug") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "nic_test: --bug needs a NAME (see --list-bugs)\n");
				return 2;
			}
			if (parse_bug(argv[++i], bugs))
				return 2;
		} else if (strncmp(a, "--packets=", 10) == 0) {
			if (parse_packets(a + 10, n))
				return 2;
		} else if (strcmp(a, "--packets") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "nic_test: --packets needs a number\n");
				return 2;
			}
			if (parse_packets(argv[++i], n))
				return 2;
		} else {
			fprintf(stderr, "nic_test: unknown argument '%s' (try --help)\n", a);
			return 2;
		}
	}
	return 0;
}

/* Send frames 0..n-1; returns how many the driver accepted. */
static unsigned long send_all(struct nic_priv *priv, unsigned long n)
{
	unsigned char frame[MAX_FRAME];
	unsigned long seq, sent = 0;

	for (seq = 0; seq < n; seq++) {
		unsigned int stalls = 0;
		int rc;

		make_frame(seq, frame);
		for (;;) {
			rc = nic_xmit(priv, frame, frame_len(seq));
			if (rc != -EBUSY)
				break;
			if (nic_poll(priv) == 0 && ++stalls > STALL_LIMIT)
				break;
		}
		if (rc == -EBUSY) {
			fprintf(stderr, "nic_test: TX ring stuck after %lu frames, giving up\n",
				sent);
			break;
		}
		if (rc == 0)
			sent++;
		else
			fprintf(stderr, "nic_test: frame %lu not sent (%d)\n", seq, rc);
	}
	return sent;
}

/* Poll until every sent frame came back or nothing moves any more. */
static void drain(struct nic_priv *priv, const struct rx_check *c)
{
	unsigned int idle = 0;

	while (idle < STALL_LIMIT) {
		if (nic_poll(priv) != 0)
			idle = 0;
		else if (c->received >= c->expected)
			break;
		else
			idle++;
	}
}

/* List the frames that were sent but never verified; returns how many. */
static unsigned long list_failed(const struct rx_check *c)
{
	unsigned long seq, failed = 0;

	for (seq = 0; seq < c->expected; seq++) {
		if (c->seen[seq])
			continue;
		if (++failed <= MAX_PRINTED)
			fprintf(stderr, "nic_test: frame %lu was not verified\n", seq);
	}
	if (failed > MAX_PRINTED)
		fprintf(stderr, "nic_test: ... %lu frames not verified in all\n", failed);
	return failed;
}

int main(int argc, char **argv)
{
	struct rx_check check = { .expected = 0 };
	struct nic_rx_handler rx = { .fn = on_rx, .arg = &check };
	unsigned long n = DEFAULT_PACKETS, sent, failed = 0;
	unsigned int bugs = 0;
	struct device dev = { .init_name = NULL };
	struct nic_hw_stats hs;
	struct nic_stats ds;
	struct nic_hw *hw;
	struct nic_priv *priv;
	bool ok;
	int rc;

	rc = parse_args(argc, argv, &n, &bugs);
	if (rc)
		return rc < 0 ? 0 : rc;
	if ((bugs & NIC_BUG_DMA_ADDR_64BIT) && !dmasan_active()) {
		/*
		 * The direct library has no bus that could refuse the bad
		 * address: the model would DMA to a wild host pointer.
		 */
		fprintf(stderr, "nic_test: dma-addr-64bit needs the shim; not injected\n");
		bugs &= ~(unsigned int)NIC_BUG_DMA_ADDR_64BIT;
	}

	check.seen = calloc(n, 1);
	if (!check.seen) {
		fprintf(stderr, "nic_test: out of memory\n");
		return 1;
	}
	check.expected = n;
	rc = dmasan_device_add(&dev, "nic0", NULL);
	if (rc) {
		fprintf(stderr, "nic_test: dmasan_device_add failed (%d)\n", rc);
		free(check.seen);
		return 1;
	}
	hw = nic_hw_create(&dev);
	priv = hw ? nic_probe(&dev, hw, bugs, &rx) : NULL;
	if (!priv) {
		fprintf(stderr, "nic_test: probe failed\n");
		nic_hw_destroy(hw);
		dmasan_device_del(&dev);
		free(check.seen);
		return 1;
	}

	sent = send_all(priv, n);
	drain(priv, &check);

	nic_hw_get_stats(hw, &hs);
	nic_get_stats(priv, &ds);
	if (check.verified != n) {
		failed = list_failed(&check);
		fprintf(stderr,
			"nic_test: driver: %lu tx, %lu tx errors, %lu rx, %lu rx errors, %lu map errors\n",
			ds.tx_packets, ds.tx_errors, ds.rx_packets, ds.rx_errors, ds.map_errors);
		fprintf(stderr, "nic_test: device: %lu tx, %lu rx, %lu bus errors, %lu stalls\n",
			hs.tx_frames, hs.rx_frames, hs.bus_errors, hs.stalls);
	}
	nic_remove(priv);
	nic_hw_destroy(hw);
	dmasan_device_del(&dev);

	/*
	 * A frame an injected bug hit may be lost or corrupted; any failure
	 * beyond those frames is a real one.
	 */
	ok = sent == n && failed <= ds.bug_frames && check.corrupted <= ds.bug_frames;
	if (failed || check.corrupted)
		fprintf(stderr,
			"nic_test: %lu frames not verified, %lu never arrived, %lu arrived corrupted;"
			" injected bugs hit %lu frames: %s\n",
			failed, sent > check.received ? sent - check.received : 0, check.corrupted,
			ds.bug_frames, ok ? "all failures explained" : "NOT explained");
	printf("nic_test: %lu packets sent, %lu received, %lu verified, %lu corrupted\n", sent,
	       check.received, check.verified, check.corrupted);
	free(check.seen);
	return ok ? 0 : 1;
}
