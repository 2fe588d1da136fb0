// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the pure receive-path code of the module.
 *
 * Geneve: arbitrary bytes go to tlstun_geneve_parse(). Whatever it
 * accepts, tlstun_geneve_build() must rebuild byte for byte (the reserved
 * bits aside, which the parser ignores); whatever it rejects must be
 * something build could not have produced. Together: parse accepts
 * exactly the headers build writes.
 *
 * Replay: the same bytes drive a replay window, checked step by step
 * against a list of accepted counters.
 */
#include <stdio.h>
#include <stdlib.h>

#include "geneve.h"
#include "replay.h"

#define MAX_SEEN	1024

/* bits of the header the parser ignores: Rsvd, Reserved, the R bits */
static const u8 reserved_mask[TLSTUN_GENEVE_HLEN] = {
	[1] = 0x3f, [7] = 0xff, [11] = 0xe0,
};

static void die(const char *what)
{
	fprintf(stderr, "fuzz_geneve: %s\n", what);
	abort();
}

static bool same_but_reserved(const u8 *a, const u8 *b)
{
	size_t i;

	for (i = 0; i < TLSTUN_GENEVE_HLEN; i++)
		if ((a[i] ^ b[i]) & ~reserved_mask[i])
			return false;
	return true;
}

static void check_geneve(const u8 *data, size_t size)
{
	struct tlstun_geneve_info info;
	u8 hdr[TLSTUN_GENEVE_HLEN];
	int ret;

	ret = tlstun_geneve_parse(data, size, &info);
	if (ret > 0 || ret < __TLSTUN_GENEVE_E_LAST)
		die("parse returned an unknown value");
	if (!strcmp(tlstun_geneve_strerror(ret), "unknown error"))
		die("parse result has no description");

	if (!ret) {
		if (size < TLSTUN_GENEVE_HLEN)
			die("accepted a short buffer");
		if (info.nonce != data + TLSTUN_GENEVE_NONCE_OFF)
			die("nonce not at offset 12");
		if (!info.spi || info.vni > TLSTUN_GENEVE_VNI_MAX)
			die("accepted SPI 0 or a VNI over 24 bits");
		tlstun_geneve_build(hdr, info.vni, info.spi, info.counter);
		if (!same_but_reserved(hdr, data))
			die("rebuilt header differs from the accepted one");
		return;
	}

	if (size < TLSTUN_GENEVE_HLEN) {
		if (ret != TLSTUN_GENEVE_E_TOO_SHORT)
			die("short buffer not reported as too short");
		return;
	}
	/* rebuild from the raw fields: a rejected header is never ours */
	tlstun_geneve_build(hdr, get_unaligned_be32(&data[4]) >> 8,
			    get_unaligned_be32(&data[12]),
			    get_unaligned_be64(&data[16]));
	if (same_but_reserved(hdr, data) && ret != TLSTUN_GENEVE_E_SPI_ZERO)
		die("rejected a header build could have written");
}

struct model {
	u64 seen[MAX_SEEN];
	unsigned int nseen;
	bool any;
	u64 max;
	u32 window;
};

static bool model_check(struct model *m, u64 c)
{
	unsigned int i;

	if (c == U64_MAX)
		return false;
	if (m->any && c <= m->max) {
		if (m->max - c >= m->window)
			return false;
		for (i = 0; i < m->nseen; i++)
			if (m->seen[i] == c)
				return false;
	}
	m->seen[m->nseen++] = c;
	if (!m->any || c > m->max)
		m->max = c;
	m->any = true;
	return true;
}

static u64 take(const u8 **p, const u8 *end, size_t n)
{
	u64 v = 0;

	while (n-- && *p < end)
		v = v << 8 | *(*p)++;
	return v;
}

static void check_replay(const u8 *data, size_t size)
{
	static struct tlstun_replay r;
	static struct model m;
	const u8 *p = data, *end = data + size;
	u64 c;
	bool want;
	u8 op;

	if (size < 2)
		return;
	m.window = TLSTUN_REPLAY_WINDOW_MIN + take(&p, end, 2) %
		   (TLSTUN_REPLAY_WINDOW_MAX - TLSTUN_REPLAY_WINDOW_MIN + 1);
	m.nseen = 0;
	m.any = false;
	m.max = 0;
	tlstun_replay_init(&r, m.window);
	if (r.window != m.window)
		die("window not kept");

	while (p < end && m.nseen < MAX_SEEN) {
		op = take(&p, end, 1);
		switch (op >> 6) {
		case 0:		/* behind the top, in and around the window */
			c = m.max - take(&p, end, 2) % (2 * m.window);
			break;
		case 1:		/* the next few */
			c = m.max + 1 + (op & 0x3f);
			break;
		case 2:		/* across blocks and the whole ring */
			c = m.max + take(&p, end, 2);
			break;
		default:	/* anything, U64_MAX included */
			c = take(&p, end, 8);
			break;
		}
		want = model_check(&m, c);
		if (tlstun_replay_check_and_update(&r, c) != want)
			die("replay window disagrees with the model");
		if (want && tlstun_replay_check_and_update(&r, c))
			die("counter accepted twice");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_geneve(data, size);
	check_replay(data, size);
	return 0;
}
