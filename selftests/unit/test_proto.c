// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the control protocol codec (tlshd/proto.c) and the
 * session decisions (tlshd/negotiate.c).
 *
 * Malformed frames are built two ways: by hand, TLV by TLV, so the wire
 * format is checked independently of the encoder; and by taking a valid
 * encoding apart and changing one thing, so every field of every message
 * is exercised.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "negotiate.h"
#include "proto.h"

#define E(x) (-TLSTUND_PROTO_E_##x)
#define NSAMPLES 9

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64: deterministic, so a failure reproduces. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state >> 32;
}

/* One valid message of each type, plus CLOSE with text and a HELLO with
 * both lists full.
 */
static void samples(struct tlstund_msg *m)
{
	unsigned int i;

	memset(m, 0, NSAMPLES * sizeof(*m));
	m[0].type = TLSTUND_MSG_HELLO;
	m[0].hello.versions[0] = 1;
	m[0].hello.n_versions = 1;
	m[0].hello.suites[0] = TLSTUN_SUITE_AES_GCM_128;
	m[0].hello.suites[1] = TLSTUN_SUITE_AES_GCM_256;
	m[0].hello.n_suites = 2;
	m[0].hello.vni = 0x123456;
	m[0].hello.rekey_interval = TLSTUND_PROTO_REKEY_DEFAULT_S;

	m[1].type = TLSTUND_MSG_HELLO;
	for (i = 0; i < TLSTUND_PROTO_LIST_MAX; i++) {
		m[1].hello.versions[i] = 1 + 3 * i;
		m[1].hello.suites[i] = 1 + 0x1000 * i;
	}
	m[1].hello.n_versions = TLSTUND_PROTO_LIST_MAX;
	m[1].hello.n_suites = TLSTUND_PROTO_LIST_MAX;
	m[1].hello.vni = TLSTUND_PROTO_VNI_MAX;
	m[1].hello.rekey_interval = TLSTUND_PROTO_REKEY_MAX_S;

	m[2].type = TLSTUND_MSG_SA_OFFER;
	m[2].sa_offer.generation = 7;
	m[2].sa_offer.spi = 0xc0000007;
	m[2].sa_offer.suite = TLSTUN_SUITE_AES_GCM_256;

	m[3].type = TLSTUND_MSG_ACK;
	m[3].ack.generation = 7;
	m[3].ack.spi = 0x80000003;

	m[4].type = TLSTUND_MSG_REKEY;
	m[4].rekey.generation = 8;

	m[5].type = TLSTUND_MSG_PING;
	m[5].ping.cookie = 0x0102030405060708ULL;

	m[6].type = TLSTUND_MSG_PONG;
	m[6].ping.cookie = 0xfffefdfcfbfaf9f8ULL;

	m[7].type = TLSTUND_MSG_CLOSE;
	m[7].close.reason = TLSTUND_CLOSE_NORMAL;

	m[8].type = TLSTUND_MSG_CLOSE;
	m[8].close.reason = TLSTUND_CLOSE_INSTALL;
	snprintf(m[8].close.text, sizeof(m[8].close.text), "%s",
		 "ADD_SA rx 0x40000002: -EEXIST ~");
	m[8].close.text_len = strlen(m[8].close.text);
}

static int enc(const struct tlstund_msg *m, uint8_t *buf)
{
	int n = tlstund_proto_encode(m, buf, TLSTUND_PROTO_MAX_FRAME);

	assert_true(n >= TLSTUND_PROTO_HDR_LEN);
	return n;
}

static int dec(const uint8_t *buf, size_t len)
{
	struct tlstund_msg m;

	return tlstund_proto_decode(buf, len, &m);
}

/* Hand-built frames. */
static size_t put_tlv(uint8_t *p, uint16_t type, uint16_t len,
		      const void *val)
{
	p[0] = type >> 8;
	p[1] = type;
	p[2] = len >> 8;
	p[3] = len;
	if (len)
		memcpy(p + 4, val, len);
	return 4 + len;
}

static size_t put_u16(uint8_t *p, uint16_t type, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v };

	return put_tlv(p, type, 2, b);
}

static size_t put_u32(uint8_t *p, uint16_t type, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	return put_tlv(p, type, 4, b);
}

static size_t put_u64(uint8_t *p, uint16_t type, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = v >> (56 - 8 * i);
	return put_tlv(p, type, 8, b);
}

static size_t put_list(uint8_t *p, uint16_t type, const uint16_t *v,
		       size_t n)
{
	uint8_t b[64];
	size_t i;

	for (i = 0; i < n; i++) {
		b[2 * i] = v[i] >> 8;
		b[2 * i + 1] = v[i];
	}
	return put_tlv(p, type, 2 * n, b);
}

/* Write the 4-byte header in front of a body already at buf + 4. */
static size_t frame(uint8_t *buf, uint8_t type, uint8_t flags, size_t body)
{
	buf[0] = type;
	buf[1] = flags;
	buf[2] = body >> 8;
	buf[3] = body;
	return 4 + body;
}

static size_t raw_hello(uint8_t *buf, const uint16_t *v, size_t nv,
			const uint16_t *s, size_t ns, uint32_t vni,
			uint32_t interval)
{
	uint8_t *p = buf + 4;

	p += put_list(p, TLSTUND_TLV_VERSIONS, v, nv);
	p += put_list(p, TLSTUND_TLV_SUITES, s, ns);
	p += put_u32(p, TLSTUND_TLV_VNI, vni);
	p += put_u32(p, TLSTUND_TLV_REKEY_INTERVAL, interval);
	return frame(buf, TLSTUND_MSG_HELLO, 0, p - buf - 4);
}

/* The TLVs of an encoded frame, for taking it apart. */
struct tlv_view {
	uint16_t type;
	uint16_t len;
	const uint8_t *val;
};

static size_t split(const uint8_t *buf, size_t n, struct tlv_view *t)
{
	size_t pos = 4, k = 0;

	while (pos < n) {
		t[k].type = buf[pos] << 8 | buf[pos + 1];
		t[k].len = buf[pos + 2] << 8 | buf[pos + 3];
		t[k].val = buf + pos + 4;
		pos += 4 + t[k].len;
		k++;
	}
	assert_int_equal(pos, n);
	return k;
}

/* Rebuild with TLV @skip left out and TLV @resize given @delta bytes. */
static size_t rebuild(uint8_t *out, const uint8_t *buf, size_t n, int skip,
		      int resize, int delta)
{
	struct tlv_view t[16];
	uint8_t val[128];
	size_t k = split(buf, n, t), i, len;
	uint8_t *p = out + 4;

	for (i = 0; i < k; i++) {
		if ((int)i == skip)
			continue;
		len = t[i].len;
		memset(val, 0, sizeof(val));
		memcpy(val, t[i].val, len);
		if ((int)i == resize)
			len += delta;
		p += put_tlv(p, t[i].type, len, val);
	}
	return frame(out, buf[0], 0, p - out - 4);
}

/* Overwrite the value of TLV @type in an encoded frame. */
static void patch(uint8_t *buf, size_t n, uint16_t type, const void *val)
{
	struct tlv_view t[16];
	size_t k = split(buf, n, t), i;

	for (i = 0; i < k; i++) {
		if (t[i].type == type) {
			memcpy((uint8_t *)t[i].val, val, t[i].len);
			return;
		}
	}
	fail_msg("TLV %u not in frame", type);
}

static void test_roundtrip(void **state)
{
	struct tlstund_msg m[NSAMPLES], d;
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME], again[TLSTUND_PROTO_MAX_FRAME];
	int i, n;

	(void)state;
	samples(m);
	for (i = 0; i < NSAMPLES; i++) {
		n = enc(&m[i], buf);
		assert_int_equal(tlstund_proto_decode(buf, n, &d), 0);
		assert_memory_equal(&d, &m[i], sizeof(d));
		assert_int_equal(enc(&d, again), n);
		assert_memory_equal(again, buf, n);
	}
}

/* Pins the byte layout the protocol document shows. */
static void test_known_answer(void **state)
{
	static const uint8_t offer[] = {
		0x02, 0x00, 0x00, 0x16,
		0x00, 0x05, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x06, 0x00, 0x04, 0x40, 0x00, 0x00, 0x01,
		0x00, 0x07, 0x00, 0x02, 0x00, 0x02,
	};
	static const uint8_t hello[] = {
		0x01, 0x00, 0x00, 0x1e,
		0x00, 0x01, 0x00, 0x02, 0x00, 0x01,
		0x00, 0x02, 0x00, 0x04, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x2a,
		0x00, 0x04, 0x00, 0x04, 0x00, 0x00, 0x02, 0x58,
	};
	static const uint8_t close[] = {
		0x07, 0x00, 0x00, 0x0b,
		0x00, 0x09, 0x00, 0x02, 0x00, 0x01,
		0x00, 0x0a, 0x00, 0x01, 'x',
	};
	struct tlstund_msg m = { .type = TLSTUND_MSG_SA_OFFER };
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME];

	(void)state;
	m.sa_offer.generation = 1;
	m.sa_offer.spi = 0x40000001;
	m.sa_offer.suite = TLSTUN_SUITE_AES_GCM_256;
	assert_int_equal(enc(&m, buf), sizeof(offer));
	assert_memory_equal(buf, offer, sizeof(offer));

	memset(&m, 0, sizeof(m));
	m.type = TLSTUND_MSG_HELLO;
	m.hello.versions[0] = 1;
	m.hello.n_versions = 1;
	m.hello.suites[0] = 1;
	m.hello.suites[1] = 2;
	m.hello.n_suites = 2;
	m.hello.vni = 42;
	m.hello.rekey_interval = 600;
	assert_int_equal(enc(&m, buf), sizeof(hello));
	assert_memory_equal(buf, hello, sizeof(hello));

	assert_int_equal(tlstund_proto_decode(close, sizeof(close), &m), 0);
	assert_int_equal(m.type, TLSTUND_MSG_CLOSE);
	assert_int_equal(m.close.reason, TLSTUND_CLOSE_NORMAL);
	assert_int_equal(m.close.text_len, 1);
	assert_string_equal(m.close.text, "x");
}

static void test_truncated_every_length(void **state)
{
	struct tlstund_msg m[NSAMPLES];
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME];
	int i, n, k;

	(void)state;
	samples(m);
	for (i = 0; i < NSAMPLES; i++) {
		n = enc(&m[i], buf);
		for (k = 0; k < n; k++)
			assert_int_equal(dec(buf, k), E(TRUNCATED));
	}
}

static void test_trailing(void **state)
{
	struct tlstund_msg m[NSAMPLES];
	uint8_t buf[2 * TLSTUND_PROTO_MAX_FRAME];
	int i, n;

	(void)state;
	samples(m);
	for (i = 0; i < NSAMPLES; i++) {
		n = enc(&m[i], buf);
		buf[n] = 0;
		assert_int_equal(dec(buf, n + 1), E(TRAILING));
		/* Two frames are not one. */
		memcpy(buf + n, buf, n);
		assert_int_equal(dec(buf, 2 * n), E(TRAILING));
	}
}

/* A frame of exactly MAX_FRAME bytes is fine, one more byte is not. */
static void test_size_limit(void **state)
{
	static const uint16_t v[] = { 1 }, s[] = { 1 };
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME + 8], pad[TLSTUND_PROTO_MAX_FRAME];
	struct tlstund_msg m;
	size_t n, room;

	(void)state;
	memset(pad, 0xa5, sizeof(pad));
	n = raw_hello(buf, v, 1, s, 1, 1, 600);
	room = TLSTUND_PROTO_MAX_FRAME - n - 4;
	n += put_tlv(buf + n, 0xffff, room, pad);
	frame(buf, TLSTUND_MSG_HELLO, 0, n - 4);
	assert_int_equal(n, TLSTUND_PROTO_MAX_FRAME);
	assert_int_equal(tlstund_proto_decode(buf, n, &m), 0);
	assert_int_equal(m.skipped, 1);

	n = raw_hello(buf, v, 1, s, 1, 1, 600);
	n += put_tlv(buf + n, 0xffff, room + 1, pad);
	frame(buf, TLSTUND_MSG_HELLO, 0, n - 4);
	assert_int_equal(dec(buf, n), E(TOO_BIG));
	/* The header alone is enough to know. */
	assert_int_equal(dec(buf, 4), E(TOO_BIG));
	buf[2] = buf[3] = 0xff;
	assert_int_equal(dec(buf, 4), E(TOO_BIG));
}

static void test_bad_type_and_flags(void **state)
{
	static const int bad[] = { 0, TLSTUND_MSG_MAX + 1, 0x80, 0xff };
	struct tlstund_msg m[NSAMPLES];
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME];
	size_t i;
	int n, bit;

	(void)state;
	samples(m);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		n = enc(&m[5], buf);
		buf[0] = bad[i];
		assert_int_equal(dec(buf, n), E(BAD_TYPE));
		/* The type is judged before the length. */
		assert_int_equal(dec(buf, 4), E(BAD_TYPE));
	}
	for (i = 0; i < NSAMPLES; i++) {
		for (bit = 0; bit < 8; bit++) {
			n = enc(&m[i], buf);
			buf[1] = 1 << bit;
			assert_int_equal(dec(buf, n), E(BAD_FLAGS));
		}
	}
	/* A valid body under the wrong type: PING's COOKIE in a REKEY. */
	n = enc(&m[5], buf);
	buf[0] = TLSTUND_MSG_REKEY;
	assert_int_equal(dec(buf, n), E(UNEXPECTED_TLV));
}

/* Bodies built TLV by TLV; a value is the low @len bytes of @val. */
static const struct {
	const char *what;
	uint8_t type;
	int n;
	struct {
		uint16_t type;
		uint16_t len;
		uint64_t val;
	} tlv[4];
	int err;
	int skipped;
} bodies[] = {
	{ "duplicate", TLSTUND_MSG_SA_OFFER, 4,
	  { { TLSTUND_TLV_GENERATION, 4, 1 }, { TLSTUND_TLV_GENERATION, 4, 1 },
	    { TLSTUND_TLV_SPI, 4, 0x40000001 }, { TLSTUND_TLV_SUITE, 2, 1 } },
	  E(DUP_TLV), 0 },
	{ "out of order", TLSTUND_MSG_SA_OFFER, 3,
	  { { TLSTUND_TLV_SPI, 4, 0x40000001 }, { TLSTUND_TLV_GENERATION, 4, 1 },
	    { TLSTUND_TLV_SUITE, 2, 1 } },
	  E(TLV_ORDER), 0 },
	{ "known TLV, wrong message", TLSTUND_MSG_PING, 2,
	  { { TLSTUND_TLV_COOKIE, 8, 0 }, { TLSTUND_TLV_REASON, 2, 1 } },
	  E(UNEXPECTED_TLV), 0 },
	{ "unknown mandatory", TLSTUND_MSG_PING, 2,
	  { { TLSTUND_TLV_COOKIE, 8, 0 }, { TLSTUND_TLV_MAX + 1, 0, 0 } },
	  E(UNKNOWN_TLV), 0 },
	{ "unknown mandatory, highest", TLSTUND_MSG_PONG, 1,
	  { { 0x7fff, 2, 0 } }, E(UNKNOWN_TLV), 0 },
	{ "reserved type 0", TLSTUND_MSG_PING, 2,
	  { { 0, 0, 0 }, { TLSTUND_TLV_COOKIE, 8, 0 } }, E(UNKNOWN_TLV), 0 },
	{ "unknown optional, skipped", TLSTUND_MSG_PING, 3,
	  { { TLSTUND_TLV_COOKIE, 8, 0 }, { 0x8001, 3, 0 }, { 0x8002, 0, 0 } },
	  0, 2 },
	{ "unknown optional, twice", TLSTUND_MSG_PING, 3,
	  { { TLSTUND_TLV_COOKIE, 8, 0 }, { 0x8001, 0, 0 }, { 0x8001, 0, 0 } },
	  E(DUP_TLV), 0 },
	{ "unknown optional, out of order", TLSTUND_MSG_PING, 2,
	  { { 0x8001, 0, 0 }, { TLSTUND_TLV_COOKIE, 8, 0 } }, E(TLV_ORDER), 0 },
	{ "empty body", TLSTUND_MSG_ACK, 0, { { 0 } }, E(MISSING_TLV), 0 },
};

static void test_tlv_structure(void **state)
{
	uint8_t buf[64], *p;
	struct tlstund_msg m;
	size_t i, j, b;
	int err;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
		p = buf + 4;
		for (j = 0; j < (size_t)bodies[i].n; j++) {
			uint8_t v[8];

			for (b = 0; b < bodies[i].tlv[j].len; b++)
				v[b] = bodies[i].tlv[j].val >>
				       8 * (bodies[i].tlv[j].len - 1 - b);
			p += put_tlv(p, bodies[i].tlv[j].type,
				     bodies[i].tlv[j].len, v);
		}
		frame(buf, bodies[i].type, 0, p - buf - 4);
		err = tlstund_proto_decode(buf, p - buf, &m);
		if (err != bodies[i].err)
			fail_msg("%s: got \"%s\"", bodies[i].what,
				 tlstund_proto_strerror(err));
		if (!err)
			assert_int_equal(m.skipped, bodies[i].skipped);
	}

	/* TLV header cut short, and value running past the body. */
	p = buf + 4;
	p += put_u64(p, TLSTUND_TLV_COOKIE, 0);
	assert_int_equal(dec(buf, frame(buf, TLSTUND_MSG_PING, 0, 15)),
			 E(TLV_TRUNCATED));
	assert_int_equal(dec(buf, frame(buf, TLSTUND_MSG_PING, 0, 3)),
			 E(TLV_TRUNCATED));
	p += put_tlv(p, 0x8001, 0, NULL);
	buf[4 + 12 + 3] = 1;
	assert_int_equal(dec(buf, frame(buf, TLSTUND_MSG_PING, 0, 16)),
			 E(TLV_TRUNCATED));
}

/*
 * Take each TLV of each sample in turn: leave it out, and (except TEXT,
 * whose length varies) make it one byte longer and one byte shorter.
 */
static void test_each_tlv(void **state)
{
	struct tlstund_msg m[NSAMPLES];
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME], out[TLSTUND_PROTO_MAX_FRAME];
	struct tlv_view t[16];
	size_t k, j, o;
	int i, n;

	(void)state;
	samples(m);
	for (i = 0; i < NSAMPLES; i++) {
		n = enc(&m[i], buf);
		k = split(buf, n, t);
		for (j = 0; j < k; j++) {
			o = rebuild(out, buf, n, j, -1, 0);
			if (t[j].type == TLSTUND_TLV_TEXT) {
				assert_int_equal(dec(out, o), 0);
				continue;
			}
			assert_int_equal(dec(out, o), E(MISSING_TLV));
			o = rebuild(out, buf, n, -1, j, 1);
			assert_int_equal(dec(out, o), E(TLV_LEN));
			o = rebuild(out, buf, n, -1, j, -1);
			assert_int_equal(dec(out, o), E(TLV_LEN));
		}
	}
}

/* One value made invalid in a valid encoding of sample @sample. */
static const struct {
	int sample;
	uint16_t tlv;
	uint8_t val[4];
	int err;
} bad_values[] = {
	{ 2, TLSTUND_TLV_SPI, { 0, 0, 0, 0 }, E(ZERO_SPI) },
	{ 3, TLSTUND_TLV_SPI, { 0, 0, 0, 0 }, E(ZERO_SPI) },
	{ 2, TLSTUND_TLV_SUITE, { 0, 0 }, E(BAD_SUITE) },
	{ 2, TLSTUND_TLV_SUITE, { 0, TLSTUN_SUITE_MAX + 1 }, E(BAD_SUITE) },
	{ 2, TLSTUND_TLV_SUITE, { 0xff, 0xff }, E(BAD_SUITE) },
	{ 2, TLSTUND_TLV_SUITE, { 0, TLSTUN_SUITE_AES_GCM_128 }, 0 },
	{ 2, TLSTUND_TLV_GENERATION, { 0, 0, 0, 0 }, E(BAD_GENERATION) },
	{ 3, TLSTUND_TLV_GENERATION, { 0, 0, 0, 0 }, E(BAD_GENERATION) },
	{ 4, TLSTUND_TLV_GENERATION, { 0, 0, 0, 0 }, E(BAD_GENERATION) },
	{ 4, TLSTUND_TLV_GENERATION, { 0, 0, 0, 1 }, E(BAD_GENERATION) },
	{ 4, TLSTUND_TLV_GENERATION, { 0, 0, 0, 2 }, 0 },
	{ 7, TLSTUND_TLV_REASON, { 0, 0 }, E(BAD_REASON) },
	{ 7, TLSTUND_TLV_REASON, { 0, TLSTUND_CLOSE_MAX + 1 }, E(BAD_REASON) },
	{ 7, TLSTUND_TLV_REASON, { 1, TLSTUND_CLOSE_NORMAL }, E(BAD_REASON) },
	{ 7, TLSTUND_TLV_REASON, { 0, TLSTUND_CLOSE_MAX }, 0 },
};

static void test_values(void **state)
{
	struct tlstund_msg m[NSAMPLES];
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME];
	size_t i;
	int n;

	(void)state;
	samples(m);
	for (i = 0; i < sizeof(bad_values) / sizeof(*bad_values); i++) {
		n = enc(&m[bad_values[i].sample], buf);
		patch(buf, n, bad_values[i].tlv, bad_values[i].val);
		assert_int_equal(dec(buf, n), bad_values[i].err);
	}
}

static const uint16_t one[] = { 1 }, two[] = { 1, 2 };
static const uint16_t nine[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const uint16_t unsorted[] = { 2, 1 }, dup[] = { 1, 1 };
static const uint16_t zero[] = { 0, 1 }, future[] = { 1, 0x4242 };

static const struct {
	const uint16_t *v;
	size_t nv;
	const uint16_t *s;
	size_t ns;
	uint32_t vni;
	uint32_t interval;
	int err;
} hellos[] = {
	{ one, 1, two, 2, 1, 600, 0 },
	/* Versions and suites this side does not know are not errors in a
	 * HELLO: negotiation just does not pick them.
	 */
	{ future, 2, future, 2, 1, 600, 0 },
	{ nine, 9, two, 2, 1, 600, E(LIST_LEN) },
	{ one, 1, nine, 9, 1, 600, E(LIST_LEN) },
	{ one, 0, two, 2, 1, 600, E(LIST_LEN) },
	{ one, 1, two, 0, 1, 600, E(LIST_LEN) },
	{ unsorted, 2, two, 2, 1, 600, E(LIST_ORDER) },
	{ one, 1, dup, 2, 1, 600, E(LIST_ORDER) },
	{ zero, 2, two, 2, 1, 600, E(BAD_VERSION) },
	{ one, 1, zero, 2, 1, 600, E(BAD_SUITE) },
	{ one, 1, two, 2, TLSTUND_PROTO_VNI_MAX + 1, 600, E(BAD_VNI) },
	{ one, 1, two, 2, TLSTUND_PROTO_VNI_MAX, 600, 0 },
	{ one, 1, two, 2, 0, 600, 0 },
	{ one, 1, two, 2, 1, TLSTUND_PROTO_REKEY_MIN_S - 1, E(BAD_INTERVAL) },
	{ one, 1, two, 2, 1, TLSTUND_PROTO_REKEY_MIN_S, 0 },
	{ one, 1, two, 2, 1, TLSTUND_PROTO_REKEY_MAX_S, 0 },
	{ one, 1, two, 2, 1, TLSTUND_PROTO_REKEY_MAX_S + 1, E(BAD_INTERVAL) },
};

static void test_hello_values(void **state)
{
	uint8_t buf[256];
	struct tlstund_msg m;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(hellos) / sizeof(*hellos); i++) {
		n = raw_hello(buf, hellos[i].v, hellos[i].nv, hellos[i].s,
			      hellos[i].ns, hellos[i].vni, hellos[i].interval);
		assert_int_equal(tlstund_proto_decode(buf, n, &m),
				 hellos[i].err);
		if (hellos[i].err)
			continue;
		assert_int_equal(m.hello.n_versions, hellos[i].nv);
		assert_memory_equal(m.hello.versions, hellos[i].v,
				    2 * hellos[i].nv);
		assert_int_equal(m.hello.n_suites, hellos[i].ns);
		assert_memory_equal(m.hello.suites, hellos[i].s,
				    2 * hellos[i].ns);
		assert_int_equal(m.hello.vni, hellos[i].vni);
		assert_int_equal(m.hello.rekey_interval, hellos[i].interval);
	}
	/* Odd list length. */
	n = raw_hello(buf, two, 2, two, 2, 1, 600);
	buf[4 + 3] = 3;
	assert_int_equal(dec(buf, n), E(TLV_LEN));
}

static void test_close_text(void **state)
{
	static const char *const bad[] = { "a\nb", "\x7f", "\x80", "\t" };
	char text[TLSTUND_PROTO_TEXT_MAX + 2];
	uint8_t buf[256], *p;
	size_t i;

	(void)state;
	memset(text, 'a', sizeof(text));
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		p = buf + 4;
		p += put_u16(p, TLSTUND_TLV_REASON, 1);
		p += put_tlv(p, TLSTUND_TLV_TEXT, strlen(bad[i]), bad[i]);
		assert_int_equal(dec(buf, frame(buf, TLSTUND_MSG_CLOSE, 0,
						  p - buf - 4)), E(BAD_TEXT));
	}
	p = buf + 4;
	p += put_u16(p, TLSTUND_TLV_REASON, 1);
	p += put_tlv(p, TLSTUND_TLV_TEXT, TLSTUND_PROTO_TEXT_MAX, text);
	assert_int_equal(dec(buf, frame(buf, TLSTUND_MSG_CLOSE, 0,
					  p - buf - 4)), 0);
	p = buf + 4;
	p += put_u16(p, TLSTUND_TLV_REASON, 1);
	p += put_tlv(p, TLSTUND_TLV_TEXT, TLSTUND_PROTO_TEXT_MAX + 1, text);
	assert_int_equal(dec(buf, frame(buf, TLSTUND_MSG_CLOSE, 0,
					  p - buf - 4)), E(TLV_LEN));
	p = buf + 4;
	p += put_u16(p, TLSTUND_TLV_REASON, 1);
	p += put_tlv(p, TLSTUND_TLV_TEXT, 0, NULL);
	assert_int_equal(dec(buf, frame(buf, TLSTUND_MSG_CLOSE, 0,
					  p - buf - 4)), E(TLV_LEN));
}

static void test_encode_errors(void **state)
{
	struct tlstund_msg m[NSAMPLES], bad;
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME], full[TLSTUND_PROTO_MAX_FRAME];
	int i, n, k;

	(void)state;
	samples(m);
	for (i = 0; i < NSAMPLES; i++) {
		n = enc(&m[i], full);
		for (k = 0; k < n; k++) {
			memset(buf, 0xee, sizeof(buf));
			assert_int_equal(tlstund_proto_encode(&m[i], buf, k),
					 -ENOSPC);
			assert_int_equal(buf[0], 0xee);
		}
		assert_int_equal(tlstund_proto_encode(&m[i], buf, n), n);
	}

	/* The encoder refuses exactly what the checker refuses. */
	bad = m[2];
	bad.sa_offer.spi = 0;
	assert_int_equal(tlstund_proto_check(&bad), E(ZERO_SPI));
	assert_int_equal(tlstund_proto_encode(&bad, buf, sizeof(buf)),
			 -EINVAL);
	bad = m[0];
	bad.hello.n_versions = TLSTUND_PROTO_LIST_MAX + 1;
	assert_int_equal(tlstund_proto_check(&bad), E(LIST_LEN));
	assert_int_equal(tlstund_proto_encode(&bad, buf, sizeof(buf)),
			 -EINVAL);
	bad = m[8];
	bad.close.text_len = TLSTUND_PROTO_TEXT_MAX + 1;
	assert_int_equal(tlstund_proto_check(&bad), E(TLV_LEN));
	bad.close.text_len = 1;
	bad.close.text[0] = '\033';
	assert_int_equal(tlstund_proto_check(&bad), E(BAD_TEXT));
	assert_int_equal(tlstund_proto_encode(&bad, buf, sizeof(buf)),
			 -EINVAL);
	bad.type = 0;
	assert_int_equal(tlstund_proto_check(&bad), E(BAD_TYPE));
	bad.type = TLSTUND_MSG_MAX + 1;
	assert_int_equal(tlstund_proto_encode(&bad, buf, sizeof(buf)),
			 -EINVAL);
}

static void test_names(void **state)
{
	const char *seen[TLSTUND_PROTO_E_MAX + 1];
	int i, j;

	(void)state;
	for (i = 1; i <= TLSTUND_PROTO_E_MAX; i++) {
		seen[i] = tlstund_proto_strerror(-i);
		assert_non_null(seen[i]);
		assert_string_equal(seen[i], tlstund_proto_strerror(i));
		assert_string_not_equal(seen[i], "unknown protocol error");
		for (j = 1; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
	assert_string_equal(tlstund_proto_strerror(-TLSTUND_PROTO_E_MAX - 1),
			    "unknown protocol error");
	assert_string_equal(tlstund_proto_strerror(-1000000),
			    "unknown protocol error");
	for (i = 1; i <= TLSTUND_MSG_MAX; i++)
		assert_string_not_equal(tlstund_proto_type_name(i), "unknown");
	assert_string_equal(tlstund_proto_type_name(0), "unknown");
	assert_string_equal(tlstund_proto_type_name(TLSTUND_MSG_MAX + 1),
			    "unknown");
	for (i = 1; i <= TLSTUND_CLOSE_MAX; i++)
		assert_string_not_equal(tlstund_proto_reason_name(i),
					"unknown");
	assert_string_equal(tlstund_proto_reason_name(0), "unknown");
	assert_string_equal(tlstund_proto_reason_name(TLSTUND_CLOSE_MAX + 1),
			    "unknown");
}

/* Feed all samples as one stream, cut by @chunk(); every sample must come
 * out, in order, and end of stream must be clean exactly at frame
 * boundaries.
 */
static void stream_samples(size_t (*chunk)(void))
{
	struct tlstund_msg m[NSAMPLES], got;
	uint8_t stream[NSAMPLES * TLSTUND_PROTO_MAX_FRAME];
	size_t bound[NSAMPLES + 1], len = 0, pos = 0, end, used;
	struct tlstund_proto_reader r;
	int i, ret, k = 0;
	bool at_bound;

	samples(m);
	bound[0] = 0;
	for (i = 0; i < NSAMPLES; i++) {
		len += enc(&m[i], stream + len);
		bound[i + 1] = len;
	}

	tlstund_proto_reader_init(&r);
	while (pos < len) {
		end = pos + chunk();
		if (end > len)
			end = len;
		while (pos < end) {
			ret = tlstund_proto_reader_push(&r, stream + pos,
							end - pos, &used,
							&got);
			assert_true(ret == 0 || ret == 1);
			assert_true(used <= end - pos);
			pos += used;
			if (ret == 0) {
				assert_int_equal(pos, end);
				continue;
			}
			assert_true(k < NSAMPLES);
			assert_int_equal(pos, bound[k + 1]);
			assert_memory_equal(&got, &m[k], sizeof(got));
			k++;
		}
		at_bound = false;
		for (i = 0; i <= NSAMPLES; i++)
			at_bound |= pos == bound[i];
		assert_int_equal(tlstund_proto_reader_eof(&r),
				 at_bound ? 0 : E(TRUNCATED));
	}
	assert_int_equal(k, NSAMPLES);
	assert_int_equal(tlstund_proto_reader_eof(&r), 0);
}

static size_t one_byte(void)
{
	return 1;
}

static size_t random_chunk(void)
{
	/* Mostly small, sometimes several frames at once. */
	return rng() % 4 ? 1 + rng() % 17 : 1 + rng() % 300;
}

static size_t everything(void)
{
	return SIZE_MAX / 2;
}

static void test_reader_chunks(void **state)
{
	int seed;

	(void)state;
	stream_samples(one_byte);
	stream_samples(everything);
	for (seed = 1; seed <= 200; seed++) {
		rng_state = 0x9e3779b97f4a7c15ULL * seed;
		stream_samples(random_chunk);
	}
}

static void test_reader_too_big(void **state)
{
	static const uint8_t hdr[] = { TLSTUND_MSG_HELLO, 0, 0x03, 0xfd,
				       0, 1, 0, 2, 0, 1 };
	struct tlstund_proto_reader r;
	struct tlstund_msg m;
	size_t used;
	int i;

	(void)state;
	/* The fourth header byte is where it fails; no body byte is taken. */
	tlstund_proto_reader_init(&r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(tlstund_proto_reader_push(&r, hdr + i, 1,
							   &used, &m), 0);
		assert_int_equal(used, 1);
	}
	assert_int_equal(tlstund_proto_reader_push(&r, hdr + 3, 7, &used, &m),
			 E(TOO_BIG));
	assert_int_equal(used, 1);
	/* Sticky. */
	assert_int_equal(tlstund_proto_reader_push(&r, hdr + 4, 6, &used, &m),
			 E(TOO_BIG));
	assert_int_equal(used, 0);
	assert_int_equal(tlstund_proto_reader_eof(&r), E(TOO_BIG));

	tlstund_proto_reader_init(&r);
	assert_int_equal(tlstund_proto_reader_push(&r, hdr, sizeof(hdr),
						   &used, &m), E(TOO_BIG));
	assert_int_equal(used, 4);
}

static void test_reader_errors(void **state)
{
	struct tlstund_msg m[NSAMPLES], got;
	uint8_t stream[4 * TLSTUND_PROTO_MAX_FRAME];
	struct tlstund_proto_reader r;
	size_t len, first, used;
	int n;

	(void)state;
	samples(m);
	/* A good frame, a frame with bad flags, a good frame. */
	first = enc(&m[2], stream);
	n = enc(&m[3], stream + first);
	stream[first + 1] = 0x80;
	len = first + n;
	len += enc(&m[4], stream + len);

	tlstund_proto_reader_init(&r);
	assert_int_equal(tlstund_proto_reader_push(&r, stream, len, &used,
						   &got), 1);
	assert_int_equal(used, first);
	assert_memory_equal(&got, &m[2], sizeof(got));
	assert_int_equal(tlstund_proto_reader_push(&r, stream + used,
						   len - used, &used, &got),
			 E(BAD_FLAGS));
	assert_int_equal(used, 4);

	/* A body error shows once the whole frame is in. */
	len = enc(&m[2], stream);
	stream[len - 1] = 0;	/* suite 0 */
	tlstund_proto_reader_init(&r);
	assert_int_equal(tlstund_proto_reader_push(&r, stream, len - 1, &used,
						   &got), 0);
	assert_int_equal(tlstund_proto_reader_push(&r, stream + len - 1, 1,
						   &used, &got),
			 E(BAD_SUITE));
	assert_int_equal(tlstund_proto_reader_eof(&r), E(BAD_SUITE));

	/* An empty body is decoded right after the header. */
	stream[0] = TLSTUND_MSG_PING;
	stream[1] = stream[2] = stream[3] = 0;
	tlstund_proto_reader_init(&r);
	assert_int_equal(tlstund_proto_reader_push(&r, stream, 4, &used,
						   &got), E(MISSING_TLV));

	/* End of stream inside a header and inside a body. */
	len = enc(&m[5], stream);
	tlstund_proto_reader_init(&r);
	assert_int_equal(tlstund_proto_reader_eof(&r), 0);
	assert_int_equal(tlstund_proto_reader_push(&r, stream, 2, &used,
						   &got), 0);
	assert_int_equal(tlstund_proto_reader_eof(&r), E(TRUNCATED));
	assert_int_equal(tlstund_proto_reader_push(&r, stream + 2, 5, &used,
						   &got), 0);
	assert_int_equal(tlstund_proto_reader_eof(&r), E(TRUNCATED));
	assert_int_equal(tlstund_proto_reader_push(&r, stream + 7, len - 7,
						   &used, &got), 1);
	assert_int_equal(tlstund_proto_reader_eof(&r), 0);
	/* Nothing to push is not an error. */
	assert_int_equal(tlstund_proto_reader_push(&r, stream, 0, &used,
						   &got), 0);
	assert_int_equal(used, 0);
}

/* Negotiation. */

static void random_hash(uint8_t *h)
{
	size_t i;

	for (i = 0; i < TLSTUND_SPKI_HASH_LEN; i++)
		h[i] = rng();
}

static void test_role(void **state)
{
	uint8_t a[TLSTUND_SPKI_HASH_LEN], b[TLSTUND_SPKI_HASH_LEN];
	int i, ra, rb;

	(void)state;
	rng_state = 42;
	for (i = 0; i < 1000; i++) {
		random_hash(a);
		memcpy(b, a, sizeof(b));
		/* Differences anywhere, first byte to last. */
		b[i % TLSTUND_SPKI_HASH_LEN] ^= 1 + rng() % 255;
		ra = tlstund_negotiate_role(a, b);
		rb = tlstund_negotiate_role(b, a);
		assert_true(ra == TLSTUND_ROLE_LOWER ||
			    ra == TLSTUND_ROLE_UPPER);
		assert_int_not_equal(ra, rb);
		assert_int_equal(ra == TLSTUND_ROLE_UPPER,
				 memcmp(a, b, sizeof(a)) > 0);
	}
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	b[TLSTUND_SPKI_HASH_LEN - 1] = 1;
	assert_int_equal(tlstund_negotiate_role(a, b), TLSTUND_ROLE_LOWER);
	assert_int_equal(tlstund_negotiate_role(b, a), TLSTUND_ROLE_UPPER);
	assert_int_equal(tlstund_negotiate_role(a, a), -EINVAL);
	assert_int_equal(tlstund_negotiate_keep_new(a, a, false, true),
			 -EINVAL);
}

/*
 * Two sessions between A and B, each dialed by one of them. Each side
 * may have seen them authenticate in either order; whatever the orders,
 * both sides must keep the same session, and exactly one. Only when the
 * same side dialed both do the orders agree (it abandoned the first
 * before dialing the second); then the later one must win.
 */
static void test_election(void **state)
{
	uint8_t a[TLSTUND_SPKI_HASH_LEN], b[TLSTUND_SPKI_HASH_LEN];
	bool dial_a[2];	/* session s was dialed by A */
	int i, d, oa, ob, ka, kb, keep_a, keep_b, lower_a;

	(void)state;
	rng_state = 7;
	for (i = 0; i < 200; i++) {
		random_hash(a);
		random_hash(b);
		lower_a = memcmp(a, b, sizeof(a)) < 0;
		for (d = 0; d < 4; d++) {
			dial_a[0] = d & 1;
			dial_a[1] = d & 2;
			/* oa/ob: index of the session A/B saw first. */
			for (oa = 0; oa < 2; oa++) {
				for (ob = 0; ob < 2; ob++) {
					if (dial_a[0] == dial_a[1] && oa != ob)
						continue;
					ka = tlstund_negotiate_keep_new(a, b,
						dial_a[oa], dial_a[!oa]);
					kb = tlstund_negotiate_keep_new(b, a,
						!dial_a[ob], !dial_a[!ob]);
					assert_true(ka == 0 || ka == 1);
					assert_true(kb == 0 || kb == 1);
					keep_a = ka ? !oa : oa;
					keep_b = kb ? !ob : ob;
					assert_int_equal(keep_a, keep_b);
					if (dial_a[0] == dial_a[1])
						assert_int_equal(keep_a, !oa);
					else
						assert_int_equal(
							dial_a[keep_a],
							lower_a);
				}
			}
		}
	}
}

static struct tlstund_msg_hello mk_hello(const uint16_t *v, int nv,
				      const uint16_t *s, int ns, uint32_t vni,
				      uint32_t interval)
{
	struct tlstund_msg_hello h = { .n_versions = nv, .n_suites = ns,
				       .vni = vni,
				       .rekey_interval = interval };

	memcpy(h.versions, v, nv * sizeof(*v));
	memcpy(h.suites, s, ns * sizeof(*s));
	return h;
}

/* Negotiate both ways round; the answers must match. */
static int nego(const struct tlstund_msg_hello *x,
		const struct tlstund_msg_hello *y,
		struct tlstund_session_params *p)
{
	struct tlstund_session_params q;
	int r1 = tlstund_negotiate_hello(x, y, p);
	int r2 = tlstund_negotiate_hello(y, x, &q);

	assert_int_equal(r1, r2);
	if (!r1)
		assert_memory_equal(p, &q, sizeof(q));
	return r1;
}

static void test_negotiate_hello(void **state)
{
	static const uint16_t v123[] = { 1, 2, 3 }, v234[] = { 2, 3, 4 };
	static const uint16_t v1[] = { 1 }, v5[] = { 5 };
	static const uint16_t s12[] = { 1, 2 }, s1[] = { 1 }, s2[] = { 2 };
	static const uint16_t s17[] = { 1, 7 }, s7[] = { 7 };
	struct tlstund_msg_hello x, y;
	struct tlstund_session_params p;

	(void)state;
	x = mk_hello(v123, 3, s12, 2, 9, 600);
	y = mk_hello(v234, 3, s12, 2, 9, 120);
	assert_int_equal(nego(&x, &y, &p), 0);
	assert_int_equal(p.version, 3);
	assert_int_equal(p.suite, TLSTUN_SUITE_AES_GCM_256);
	assert_int_equal(p.vni, 9);
	assert_int_equal(p.rekey_interval, 120);

	y = mk_hello(v1, 1, s17, 2, 9, 900);
	assert_int_equal(nego(&x, &y, &p), 0);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.suite, TLSTUN_SUITE_AES_GCM_128);
	assert_int_equal(p.rekey_interval, 600);

	y = mk_hello(v5, 1, s12, 2, 9, 600);
	assert_int_equal(nego(&x, &y, &p), TLSTUND_CLOSE_VERSION);
	x = mk_hello(v1, 1, s1, 1, 9, 600);
	y = mk_hello(v1, 1, s2, 1, 9, 600);
	assert_int_equal(nego(&x, &y, &p), TLSTUND_CLOSE_SUITE);
	/* A common suite unknown to this version does not count. */
	x = mk_hello(v1, 1, s7, 1, 9, 600);
	y = mk_hello(v1, 1, s7, 1, 9, 600);
	assert_int_equal(nego(&x, &y, &p), TLSTUND_CLOSE_SUITE);
	x = mk_hello(v1, 1, s12, 2, 9, 600);
	y = mk_hello(v1, 1, s12, 2, 10, 600);
	assert_int_equal(nego(&x, &y, &p), TLSTUND_CLOSE_VNI);
}

static void test_negotiate_offer(void **state)
{
	struct tlstund_session_params p = {
		.version = 1, .suite = TLSTUN_SUITE_AES_GCM_256,
		.vni = 1, .rekey_interval = 600,
	};
	struct tlstund_msg_sa_offer o = {
		.generation = 1, .spi = 0x40000001,
		.suite = TLSTUN_SUITE_AES_GCM_256,
	};

	(void)state;
	assert_int_equal(tlstund_negotiate_offer(&p, &o), 0);
	o.suite = TLSTUN_SUITE_AES_GCM_128;
	assert_int_equal(tlstund_negotiate_offer(&p, &o), TLSTUND_CLOSE_SUITE);
	p.suite = TLSTUN_SUITE_AES_GCM_128;
	assert_int_equal(tlstund_negotiate_offer(&p, &o), 0);
}

static void test_negotiate_rekey(void **state)
{
	(void)state;
	/* Idle after generation 1: only 2 may be asked for. */
	assert_int_equal(tlstund_negotiate_rekey(1, 0, 2), TLSTUND_REKEY_START);
	assert_int_equal(tlstund_negotiate_rekey(1, 0, 3),
			 TLSTUND_REKEY_REJECT);
	assert_int_equal(tlstund_negotiate_rekey(1, 0, 1),
			 TLSTUND_REKEY_REJECT);
	/* Both asked for 2 at once: the peer's request merges into ours. */
	assert_int_equal(tlstund_negotiate_rekey(1, 2, 2), TLSTUND_REKEY_MERGE);
	assert_int_equal(tlstund_negotiate_rekey(1, 2, 3),
			 TLSTUND_REKEY_REJECT);
	/* Before generation 1 is up, nobody may ask. */
	assert_int_equal(tlstund_negotiate_rekey(0, 1, 2),
			 TLSTUND_REKEY_REJECT);
	/* The generation counter does not wrap. */
	assert_int_equal(tlstund_negotiate_rekey(UINT32_MAX, 0, 0),
			 TLSTUND_REKEY_REJECT);
	assert_int_equal(tlstund_negotiate_rekey(UINT32_MAX - 1, 0,
						 UINT32_MAX),
			 TLSTUND_REKEY_START);
}

#define BACKOFF(a, r) tlstund_negotiate_backoff_ms(a, TLSTUND_BACKOFF_BASE_MS, \
						   TLSTUND_BACKOFF_CAP_MS, r)

static void test_backoff(void **state)
{
	uint32_t d, hi, prev_hi = 0;
	unsigned int a;
	int i;

	(void)state;
	rng_state = 99;
	for (a = 0; a < 40; a++) {
		hi = TLSTUND_BACKOFF_BASE_MS << (a < 6 ? a : 6);
		if (hi > TLSTUND_BACKOFF_CAP_MS)
			hi = TLSTUND_BACKOFF_CAP_MS;
		assert_true(hi >= prev_hi);
		prev_hi = hi;
		assert_int_equal(BACKOFF(a, 0), hi / 2);
		assert_int_equal(BACKOFF(a, hi - hi / 2),
				 hi);
		assert_int_equal(BACKOFF(a, UINT32_MAX),
				 hi / 2 + UINT32_MAX % (hi - hi / 2 + 1));
		for (i = 0; i < 100; i++) {
			d = BACKOFF(a, rng());
			assert_true(d >= hi / 2 && d <= hi);
		}
	}
	assert_int_equal(BACKOFF(0, 0), 500);
	assert_int_equal(BACKOFF(UINT32_MAX, 0),
			 TLSTUND_BACKOFF_CAP_MS / 2);
	/* Other bounds, as reconnect-min and reconnect-max set them. */
	assert_int_equal(tlstund_negotiate_backoff_ms(0, 250, 8000, 0), 125);
	assert_int_equal(tlstund_negotiate_backoff_ms(3, 250, 8000, 1000),
			 2000);
	assert_int_equal(tlstund_negotiate_backoff_ms(9, 250, 8000, 0), 4000);
	/* A day-long base cannot overflow the shift. */
	assert_int_equal(tlstund_negotiate_backoff_ms(31, 86400000,
						      86400000, 0), 43200000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_bad_type_and_flags),
		cmocka_unit_test(test_tlv_structure),
		cmocka_unit_test(test_each_tlv),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_hello_values),
		cmocka_unit_test(test_close_text),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_reader_chunks),
		cmocka_unit_test(test_reader_too_big),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_role),
		cmocka_unit_test(test_election),
		cmocka_unit_test(test_negotiate_hello),
		cmocka_unit_test(test_negotiate_offer),
		cmocka_unit_test(test_negotiate_rekey),
		cmocka_unit_test(test_backoff),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
