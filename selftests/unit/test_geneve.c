// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for kmod/geneve.c: the exact bytes of a built header, build
 * and parse as inverses, and one rejection per malformed field. Every
 * parse reads from a heap copy of exactly the stated length, so ASan
 * reports any read past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "geneve.h"

/* tlstun_geneve_build(hdr, 0x123456, 0x89abcdef, 0x0102030405060708) */
static const u8 expected_hdr[TLSTUN_GENEVE_HLEN] = {
	0x04,			/* Ver 0, Opt Len 4 words */
	0x40,			/* O 0, C 1, Rsvd 0 */
	0x65, 0x58,		/* Transparent Ethernet Bridging */
	0x12, 0x34, 0x56,	/* VNI */
	0x00,			/* Reserved */
	0xff, 0xf7,		/* option class */
	0x81,			/* option type: critical | 1 */
	0x03,			/* R 0, Length 3 words */
	0x89, 0xab, 0xcd, 0xef,	/* SPI */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* counter */
};

static int parse_copy(const u8 *src, size_t len,
		      struct tlstun_geneve_info *info)
{
	u8 *buf = malloc(len ? len : 1);
	int ret;

	assert_non_null(buf);
	memcpy(buf, src, len);
	ret = tlstun_geneve_parse(buf, len, info);
	/* info->nonce points into buf: callers compare offsets, not bytes. */
	if (!ret)
		info->nonce = src + (info->nonce - buf);
	free(buf);
	return ret;
}

static void test_build_layout(void **state)
{
	u8 hdr[TLSTUN_GENEVE_HLEN];

	(void)state;
	memset(hdr, 0xa5, sizeof(hdr));
	tlstun_geneve_build(hdr, 0x123456, 0x89abcdef, 0x0102030405060708ULL);
	assert_memory_equal(hdr, expected_hdr, sizeof(hdr));
	assert_ptr_equal(tlstun_geneve_nonce(hdr), hdr + 12);
	assert_memory_equal(tlstun_geneve_nonce(hdr), expected_hdr + 12,
			    TLSTUN_GENEVE_NONCE_LEN);
}

static void test_build_masks_vni(void **state)
{
	u8 hdr[TLSTUN_GENEVE_HLEN];

	(void)state;
	tlstun_geneve_build(hdr, 0xff123456, 0x89abcdef,
			    0x0102030405060708ULL);
	assert_memory_equal(hdr, expected_hdr, sizeof(hdr));
}

static void test_round_trip(void **state)
{
	static const struct {
		u32 vni, spi;
		u64 counter;
	} cases[] = {
		{ 0, 1, 0 },
		{ 1, 0x80000000, 1 },
		{ 0xffffff, 0xffffffff, 0xfffffffffffffffeULL },
		{ 0x000100, 0x00010000, 0x0000000100000000ULL },
		{ 0xabcdef, 0x12345678, 0xffffffffffffffffULL },
		{ 0x800000, 0x00000001, 0x8000000000000000ULL },
	};
	struct tlstun_geneve_info info;
	u8 pkt[TLSTUN_GENEVE_HLEN + 64];
	size_t i, extra;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(pkt, 0xee, sizeof(pkt));
		tlstun_geneve_build(pkt, cases[i].vni, cases[i].spi,
				    cases[i].counter);
		/* trailing payload must not matter */
		for (extra = 0; extra <= 64; extra += 16) {
			memset(&info, 0, sizeof(info));
			assert_int_equal(parse_copy(pkt, TLSTUN_GENEVE_HLEN +
						    extra, &info), 0);
			assert_int_equal(info.vni, cases[i].vni);
			assert_int_equal(info.spi, cases[i].spi);
			assert_int_equal(info.counter, cases[i].counter);
			assert_ptr_equal(info.nonce, pkt + 12);
		}
	}
}

struct malformed {
	const char *what;
	unsigned int off;	/* byte to overwrite */
	u8 val;
	int err;
};

static const struct malformed malformed[] = {
	{ "version 1",		0,  0x44, TLSTUN_GENEVE_E_VERSION },
	{ "version 2",		0,  0x84, TLSTUN_GENEVE_E_VERSION },
	{ "version 3",		0,  0xc4, TLSTUN_GENEVE_E_VERSION },
	{ "no options",		0,  0x00, TLSTUN_GENEVE_E_OPT_LEN },
	{ "opt len 3",		0,  0x03, TLSTUN_GENEVE_E_OPT_LEN },
	{ "opt len 5",		0,  0x05, TLSTUN_GENEVE_E_OPT_LEN },
	{ "opt len 63",		0,  0x3f, TLSTUN_GENEVE_E_OPT_LEN },
	{ "control bit",	1,  0xc0, TLSTUN_GENEVE_E_CONTROL },
	{ "control, no C",	1,  0x80, TLSTUN_GENEVE_E_CONTROL },
	{ "C bit clear",	1,  0x00, TLSTUN_GENEVE_E_NOT_CRITICAL },
	{ "C clear, rsvd set",	1,  0x3f, TLSTUN_GENEVE_E_NOT_CRITICAL },
	{ "protocol IPv4",	2,  0x08, TLSTUN_GENEVE_E_PROTOCOL },
	{ "protocol low byte",	3,  0x59, TLSTUN_GENEVE_E_PROTOCOL },
	{ "class 0x00f7",	8,  0x00, TLSTUN_GENEVE_E_OPT_CLASS },
	{ "class 0xfff6",	9,  0xf6, TLSTUN_GENEVE_E_OPT_CLASS },
	{ "class 0xffff",	9,  0xff, TLSTUN_GENEVE_E_OPT_CLASS },
	{ "type 0x01",		10, 0x01, TLSTUN_GENEVE_E_OPT_TYPE },
	{ "type 0x80",		10, 0x80, TLSTUN_GENEVE_E_OPT_TYPE },
	{ "type 0x82",		10, 0x82, TLSTUN_GENEVE_E_OPT_TYPE },
	{ "type 0xff",		10, 0xff, TLSTUN_GENEVE_E_OPT_TYPE },
	{ "option length 0",	11, 0x00, TLSTUN_GENEVE_E_OPT_DATA_LEN },
	{ "option length 2",	11, 0x02, TLSTUN_GENEVE_E_OPT_DATA_LEN },
	{ "option length 4",	11, 0x04, TLSTUN_GENEVE_E_OPT_DATA_LEN },
	{ "option length 31",	11, 0x1f, TLSTUN_GENEVE_E_OPT_DATA_LEN },
	{ "option length 2, R",	11, 0xe2, TLSTUN_GENEVE_E_OPT_DATA_LEN },
};

static void test_malformed(void **state)
{
	struct tlstun_geneve_info info, before;
	u8 hdr[TLSTUN_GENEVE_HLEN];
	size_t i;
	int ret;

	(void)state;
	memset(&before, 0x5a, sizeof(before));
	for (i = 0; i < ARRAY_SIZE(malformed); i++) {
		memcpy(hdr, expected_hdr, sizeof(hdr));
		hdr[malformed[i].off] = malformed[i].val;
		info = before;
		ret = parse_copy(hdr, sizeof(hdr), &info);
		if (ret != malformed[i].err)
			fail_msg("%s: got %d (%s), want %d (%s)",
				 malformed[i].what, ret,
				 tlstun_geneve_strerror(ret), malformed[i].err,
				 tlstun_geneve_strerror(malformed[i].err));
		assert_memory_equal(&info, &before, sizeof(info));
	}
}

static void test_spi_zero(void **state)
{
	struct tlstun_geneve_info info;
	u8 hdr[TLSTUN_GENEVE_HLEN];

	(void)state;
	tlstun_geneve_build(hdr, 1, 0, 5);
	assert_int_equal(parse_copy(hdr, sizeof(hdr), &info),
			 TLSTUN_GENEVE_E_SPI_ZERO);
	/* one bit anywhere in the SPI makes it valid again */
	hdr[15] = 1;
	assert_int_equal(parse_copy(hdr, sizeof(hdr), &info), 0);
	assert_int_equal(info.spi, 1);
	hdr[15] = 0;
	hdr[12] = 0x80;
	assert_int_equal(parse_copy(hdr, sizeof(hdr), &info), 0);
	assert_int_equal(info.spi, 0x80000000);
}

/*
 * A Geneve packet with our option followed by another one is not ours
 * (Opt Len differs); one whose only option has our size but another class
 * is not ours either.
 */
static void test_other_layouts(void **state)
{
	struct tlstun_geneve_info info;
	u8 pkt[TLSTUN_GENEVE_HLEN + 8];

	(void)state;
	memcpy(pkt, expected_hdr, TLSTUN_GENEVE_HLEN);
	pkt[0] = 6;
	pkt[24] = 0x01;	/* class 0x0102, type 0x03, length 1, data */
	pkt[25] = 0x02;
	pkt[26] = 0x03;
	pkt[27] = 0x01;
	memset(&pkt[28], 0, 4);
	assert_int_equal(parse_copy(pkt, sizeof(pkt), &info),
			 TLSTUN_GENEVE_E_OPT_LEN);

	memcpy(pkt, expected_hdr, TLSTUN_GENEVE_HLEN);
	pkt[8] = 0x01;	/* Linux's OVN class 0x0102 */
	pkt[9] = 0x02;
	assert_int_equal(parse_copy(pkt, TLSTUN_GENEVE_HLEN, &info),
			 TLSTUN_GENEVE_E_OPT_CLASS);
}

/* Reserved bits are ignored (RFC 8926); the AEAD authenticates them. */
static void test_reserved_ignored(void **state)
{
	struct tlstun_geneve_info info;
	u8 hdr[TLSTUN_GENEVE_HLEN];

	(void)state;
	memcpy(hdr, expected_hdr, sizeof(hdr));
	hdr[1] |= 0x3f;
	hdr[7] = 0xff;
	hdr[11] |= 0xe0;
	assert_int_equal(parse_copy(hdr, sizeof(hdr), &info), 0);
	assert_int_equal(info.vni, 0x123456);
	assert_int_equal(info.spi, 0x89abcdef);
	assert_int_equal(info.counter, 0x0102030405060708ULL);
}

static void test_truncated(void **state)
{
	struct tlstun_geneve_info info, before;
	size_t len;

	(void)state;
	memset(&before, 0x5a, sizeof(before));
	for (len = 0; len < TLSTUN_GENEVE_HLEN; len++) {
		info = before;
		assert_int_equal(parse_copy(expected_hdr, len, &info),
				 TLSTUN_GENEVE_E_TOO_SHORT);
		assert_memory_equal(&info, &before, sizeof(info));
	}
	assert_int_equal(parse_copy(expected_hdr, len, &info), 0);
}

static void test_strerror(void **state)
{
	const char *seen[-__TLSTUN_GENEVE_E_LAST + 1];
	int err, j;

	(void)state;
	assert_string_equal(tlstun_geneve_strerror(0), "ok");
	assert_string_equal(tlstun_geneve_strerror(1), "unknown error");
	assert_string_equal(tlstun_geneve_strerror(__TLSTUN_GENEVE_E_LAST - 1),
			    "unknown error");
	for (err = -1; err >= __TLSTUN_GENEVE_E_LAST; err--) {
		seen[-err] = tlstun_geneve_strerror(err);
		assert_non_null(seen[-err]);
		assert_string_not_equal(seen[-err], "unknown error");
		for (j = -1; j > err; j--)
			assert_string_not_equal(seen[-err], seen[-j]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_layout),
		cmocka_unit_test(test_build_masks_vni),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_spi_zero),
		cmocka_unit_test(test_other_layouts),
		cmocka_unit_test(test_reserved_ignored),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_strerror),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("geneve", tests, NULL, NULL);
}
