// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for the tlstun tool (tools/). Three layers:
 *
 *  - parse.c: numbers, SPIs, keywords, addresses, names, keys and key
 *    files, every refusal and its reason;
 *  - print.c: text separators, shell quoting, JSON escaping and nesting,
 *    written to a memory stream;
 *  - the whole tool, run in-process (tool.mk renames its main() to
 *    tlstun_main()) with stdout and stderr captured: help, every argument
 *    error and its exit status, the missing-module message, and that a key
 *    given on the command line is wiped from argv.
 *
 * Nothing here needs the tlstun module; the VM tests cover the kernel side.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/tlstun.h>

#include "parse.h"
#include "print.h"
#include "tlstun.h"

/* tool.mk builds every tool source with -Dmain=tlstun_main; not this one. */
#undef main
int tlstun_main(int argc, char **argv);

#define KEY128 "00112233445566778899aabbccddeeff"
#define KEY256 KEY128 "ffeeddccbbaa99887766554433221100"

/* parse.c */

static void test_u64(void **state)
{
	struct parse_err e;
	uint64_t v;

	(void)state;
	assert_int_equal(parse_u64("0", 0, 10, &v, &e), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("010", 0, 100, &v, &e), 0);
	assert_int_equal(v, 10);	/* decimal, not octal */
	assert_int_equal(parse_u64("0x1F", 0, 100, &v, &e), 0);
	assert_int_equal(v, 31);
	assert_int_equal(parse_u64("18446744073709551615", 0, UINT64_MAX,
				   &v, &e), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("0xffffffffffffffff", 0, UINT64_MAX, &v,
				   &e), 0);
	assert_true(v == UINT64_MAX);

	static const char *const garbage[] = {
		"", "0x", "x1", "1a", " 1", "1 ", "-1", "+1", "0x0x5", "1.5",
		"0x-1", "１",
	};
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		v = 1234;
		assert_int_equal(parse_u64(garbage[i], 0, UINT64_MAX, &v, &e),
				 -1);
		assert_string_equal(e.msg, "not a number");
		assert_int_equal(v, 1234);
	}
	assert_int_equal(parse_u64("18446744073709551616", 0, UINT64_MAX,
				   &v, &e), -1);
	assert_string_equal(e.msg,
			    "must be between 0 and 18446744073709551615");
	assert_int_equal(parse_u64("0x10000000000000000", 0, UINT64_MAX, &v,
				   &e), -1);
	assert_int_equal(parse_u64("11", 1, 10, &v, &e), -1);
	assert_string_equal(e.msg, "must be between 1 and 10");
	assert_int_equal(parse_u64("0", 1, 10, &v, &e), -1);
}

static void test_narrow(void **state)
{
	struct parse_err e;
	uint32_t u32;
	uint16_t u16;
	uint8_t u8;

	(void)state;
	assert_int_equal(parse_u32("16777215", 0, 0xffffff, &u32, &e), 0);
	assert_int_equal(u32, 0xffffff);
	assert_int_equal(parse_u32("16777216", 0, 0xffffff, &u32, &e), -1);
	assert_int_equal(parse_u16("65535", 1, 65535, &u16, &e), 0);
	assert_int_equal(u16, 65535);
	assert_int_equal(parse_u16("65536", 1, 65535, &u16, &e), -1);
	assert_int_equal(parse_u16("0", 1, 65535, &u16, &e), -1);
	assert_int_equal(parse_u8("0xff", 0, 255, &u8, &e), 0);
	assert_int_equal(u8, 255);
	assert_int_equal(parse_u8("256", 0, 255, &u8, &e), -1);
	assert_string_equal(e.msg, "must be between 0 and 255");
}

static void test_spi(void **state)
{
	struct parse_err e;
	uint32_t spi = 0;

	(void)state;
	assert_int_equal(parse_spi("1", &spi, &e), 0);
	assert_int_equal(spi, 1);
	assert_int_equal(parse_spi("0x80000000", &spi, &e), 0);
	assert_int_equal(spi, 0x80000000u);
	assert_int_equal(parse_spi("4294967295", &spi, &e), 0);
	assert_int_equal(spi, 0xffffffffu);
	assert_int_equal(parse_spi("0", &spi, &e), -1);
	assert_string_equal(e.msg, "SPI 0 is reserved");
	assert_int_equal(parse_spi("0x0", &spi, &e), -1);
	assert_int_equal(parse_spi("4294967296", &spi, &e), -1);
	assert_non_null(strstr(e.msg, "not an SPI"));
	assert_int_equal(parse_spi("spi", &spi, &e), -1);
	assert_int_equal(spi, 0xffffffffu);
}

static void test_keywords(void **state)
{
	struct parse_err e;
	unsigned int v;
	char buf[64];

	(void)state;
	assert_int_equal(parse_keyword(suite_keywords, "suite", "aes-gcm-128",
				       &v, &e), 0);
	assert_int_equal(v, TLSTUN_SUITE_AES_GCM_128);
	assert_int_equal(parse_keyword(suite_keywords, "suite", "aes-gcm-256",
				       &v, &e), 0);
	assert_int_equal(v, TLSTUN_SUITE_AES_GCM_256);
	/* Exact matches only: no prefixes, no case folding. */
	assert_int_equal(parse_keyword(suite_keywords, "suite", "aes-gcm",
				       &v, &e), -1);
	assert_string_equal(e.msg,
			    "unknown suite (expected aes-gcm-128 or aes-gcm-256)");
	assert_int_equal(parse_keyword(dir_keywords, "direction", "RX", &v,
				       &e), -1);
	assert_int_equal(parse_keyword(dir_keywords, "direction", "tx", &v,
				       &e), 0);
	assert_int_equal(v, TLSTUN_SA_DIR_TX);
	assert_int_equal(parse_keyword(df_keywords, "df mode", "inherit", &v,
				       &e), 0);
	assert_int_equal(v, TLSTUN_DF_INHERIT);
	assert_int_equal(parse_keyword(df_keywords, "df mode", "s", &v, &e),
			 -1);
	assert_string_equal(e.msg,
			    "unknown df mode (expected unset, set or inherit)");

	assert_string_equal(keyword_name(dir_keywords, TLSTUN_SA_DIR_RX), "rx");
	assert_string_equal(keyword_name(expire_keywords,
					 TLSTUN_EXPIRE_COUNTER), "counter");
	assert_null(keyword_name(suite_keywords, TLSTUN_SUITE_UNSPEC));
	assert_null(keyword_name(df_keywords, __TLSTUN_DF_MAX));
	assert_int_equal(keyword_list(dir_keywords, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "rx or tx");
	assert_int_equal(keyword_list(df_keywords, buf, 8), -1);

	/* Every uapi value has a name: output never falls back to numbers. */
	for (v = 1; v <= TLSTUN_SUITE_MAX; v++)
		assert_non_null(keyword_name(suite_keywords, v));
	for (v = 0; v <= TLSTUN_SA_DIR_MAX; v++)
		assert_non_null(keyword_name(dir_keywords, v));
	for (v = 0; v <= TLSTUN_DF_MAX; v++)
		assert_non_null(keyword_name(df_keywords, v));
	for (v = 1; v <= TLSTUN_EXPIRE_MAX; v++)
		assert_non_null(keyword_name(expire_keywords, v));
}

static void test_addr(void **state)
{
	struct tlstun_addr a;
	struct parse_err e;

	(void)state;
	assert_int_equal(parse_addr("192.0.2.1", &a, &e), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.v4.s_addr, htonl(0xc0000201));
	assert_int_equal(parse_addr("2001:db8::1", &a, &e), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.v6.s6_addr[0], 0x20);
	assert_int_equal(a.v6.s6_addr[15], 1);
	assert_int_equal(parse_addr("::ffff:192.0.2.1", &a, &e), 0);
	assert_int_equal(a.family, AF_INET6);
	static const char *const bad[] = {
		"", "192.0.2", "192.0.2.256", "192.0.2.1/24", "host",
		"2001:db8::1%eth0", "[::1]", " 192.0.2.1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_addr(bad[i], &a, &e), -1);
		assert_string_equal(e.msg, "not an IPv4 or IPv6 address");
	}
}

static void test_ifname(void **state)
{
	struct parse_err e;

	(void)state;
	assert_int_equal(parse_ifname("tt0", &e), 0);
	assert_int_equal(parse_ifname("123456789012345", &e), 0);
	assert_int_equal(parse_ifname("1234567890123456", &e), -1);
	assert_string_equal(e.msg, "interface name longer than 15 bytes");
	assert_int_equal(parse_ifname("", &e), -1);
	assert_int_equal(parse_ifname(".", &e), -1);
	assert_int_equal(parse_ifname("..", &e), -1);
	assert_int_equal(parse_ifname("...", &e), 0);
	assert_int_equal(parse_ifname("a/b", &e), -1);
	assert_string_equal(e.msg, "interface name contains '/'");
	assert_int_equal(parse_ifname("a:b", &e), -1);
	assert_int_equal(parse_ifname("a b", &e), -1);
	assert_int_equal(parse_ifname("a\tb", &e), -1);
}

static void test_peer(void **state)
{
	char label[TLSTUN_PEER_MAX + 1];
	struct parse_err e;

	(void)state;
	assert_int_equal(parse_peer("host-b.example", &e), 0);
	assert_int_equal(parse_peer("CN=host b, O=\"x\"", &e), 0);
	assert_int_equal(parse_peer("ünïcode", &e), 0);
	memset(label, 'a', TLSTUN_PEER_MAX - 1);
	label[TLSTUN_PEER_MAX - 1] = '\0';
	assert_int_equal(parse_peer(label, &e), 0);
	label[TLSTUN_PEER_MAX - 1] = 'a';
	label[TLSTUN_PEER_MAX] = '\0';
	assert_int_equal(parse_peer(label, &e), -1);
	assert_string_equal(e.msg, "peer label longer than 127 bytes");
	assert_int_equal(parse_peer("", &e), -1);
	assert_int_equal(parse_peer("a\nb", &e), -1);
	assert_int_equal(parse_peer("a\x7f", &e), -1);
	assert_string_equal(e.msg, "peer label contains a control character");
}

static void test_key_hex(void **state)
{
	uint8_t key[PARSE_KEY_MAX];
	struct parse_err e;
	bool loose;

	(void)state;
	assert_int_equal(suite_key_len(TLSTUN_SUITE_AES_GCM_128), 16);
	assert_int_equal(suite_key_len(TLSTUN_SUITE_AES_GCM_256), 32);
	assert_int_equal(suite_key_len(TLSTUN_SUITE_UNSPEC), 0);
	assert_int_equal(suite_key_len(__TLSTUN_SUITE_MAX), 0);

	assert_int_equal(parse_key(KEY128, TLSTUN_SUITE_AES_GCM_128, key,
				   &loose, &e), 0);
	assert_false(loose);
	assert_int_equal(key[0], 0x00);
	assert_int_equal(key[1], 0x11);
	assert_int_equal(key[15], 0xff);
	assert_int_equal(parse_key("FFEEDDCCBBAA99887766554433221100",
				   TLSTUN_SUITE_AES_GCM_128, key, &loose, &e),
			 0);
	assert_int_equal(key[0], 0xff);
	assert_int_equal(key[15], 0x00);
	assert_int_equal(parse_key(KEY256, TLSTUN_SUITE_AES_GCM_256, key,
				   &loose, &e), 0);
	assert_int_equal(key[16], 0xff);
	assert_int_equal(key[31], 0x00);

	/* A key of the other suite's length is refused, both ways. */
	assert_int_equal(parse_key(KEY256, TLSTUN_SUITE_AES_GCM_128, key,
				   &loose, &e), -1);
	assert_string_equal(e.msg,
			    "the key must be 32 hex digits (16 bytes), not 64");
	assert_int_equal(parse_key(KEY128, TLSTUN_SUITE_AES_GCM_256, key,
				   &loose, &e), -1);
	assert_string_equal(e.msg,
			    "the key must be 64 hex digits (32 bytes), not 32");
	assert_int_equal(parse_key(KEY128 "0", TLSTUN_SUITE_AES_GCM_128, key,
				   &loose, &e), -1);
	assert_int_equal(parse_key("", TLSTUN_SUITE_AES_GCM_128, key, &loose,
				   &e), -1);
	assert_int_equal(parse_key("0x112233445566778899aabbccddeeff",
				   TLSTUN_SUITE_AES_GCM_128, key, &loose, &e),
			 -1);
	assert_string_equal(e.msg, "the key is not a hex string");
	assert_int_equal(parse_key(KEY128, TLSTUN_SUITE_UNSPEC, key, &loose,
				   &e), -1);
	/* The reason never repeats the key. */
	assert_int_equal(parse_key("00112233445566778899aabbccddeeZZ",
				   TLSTUN_SUITE_AES_GCM_128, key, &loose, &e),
			 -1);
	assert_null(strstr(e.msg, "0011"));
}

static char key_dir[] = "/tmp/test_tool.XXXXXX";

static const char *key_file(const char *name, const void *data, size_t len,
			    mode_t mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", key_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static int make_key_dir(void **state)
{
	(void)state;
	return mkdtemp(key_dir) ? 0 : -1;
}

static int remove_key_dir(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", key_dir);
	return system(cmd);
}

static int parse_file(const char *path, unsigned int suite, uint8_t *key,
		      bool *loose, struct parse_err *e)
{
	char arg[300];

	snprintf(arg, sizeof(arg), "@%s", path);
	return parse_key(arg, suite, key, loose, e);
}

static void test_key_file(void **state)
{
	static const char padded[] = "\n  " KEY128 " \t\n\n";
	uint8_t key[PARSE_KEY_MAX];
	char big[PARSE_KEY_FILE_MAX + 2];
	struct parse_err e;
	const char *path;
	bool loose = true;

	(void)state;
	path = key_file("k128", padded, strlen(padded), 0600);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), 0);
	assert_false(loose);
	assert_int_equal(key[1], 0x11);
	assert_int_equal(key[15], 0xff);

	/* Readable by others: accepted, and the caller is told to warn. */
	path = key_file("k128", KEY128, 32, 0644);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), 0);
	assert_true(loose);
	path = key_file("k128", KEY128, 32, 0640);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), 0);
	assert_true(loose);

	path = key_file("k256", KEY256 "\n", 65, 0400);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_256, key,
				    &loose, &e), 0);
	assert_false(loose);
	assert_int_equal(key[31], 0x00);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), -1);
	assert_string_equal(e.msg,
			    "the key must be 32 hex digits (16 bytes), not 64");

	path = key_file("empty", " \n", 2, 0600);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), -1);
	assert_string_equal(e.msg, "the key file is empty");

	/* Whitespace inside the key is not trimmed. */
	path = key_file("split", "0011223344556677 8899aabbccddeeff", 33,
			0600);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), -1);
	assert_string_equal(e.msg, "the key is not a hex string");

	/* Raw bytes are not hex. */
	path = key_file("raw", "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b"
			"\x0c\x0d\x0e\x0f\x10", 16, 0600);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), -1);

	memset(big, ' ', sizeof(big));
	memcpy(big, KEY128, 32);
	path = key_file("big", big, sizeof(big), 0600);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), -1);
	assert_string_equal(e.msg, "the key file is larger than 4096 bytes");
	/* Exactly the limit is fine. */
	path = key_file("big", big, PARSE_KEY_FILE_MAX, 0600);
	assert_int_equal(parse_file(path, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), 0);

	assert_int_equal(parse_key("@/nonexistent/key", TLSTUN_SUITE_AES_GCM_128,
				   key, &loose, &e), -1);
	assert_string_equal(e.msg,
			    "cannot open the key file: No such file or directory");
	assert_int_equal(parse_file(key_dir, TLSTUN_SUITE_AES_GCM_128, key,
				    &loose, &e), -1);
	assert_non_null(strstr(e.msg, "cannot read the key file"));
}

/* print.c, into a memory stream */

static char *out_buf;
static size_t out_len;
static FILE *out_f;

static void out_begin(bool json, bool pretty)
{
	out_f = open_memstream(&out_buf, &out_len);
	assert_non_null(out_f);
	print_init(out_f, json, pretty);
}

/* The output so far; freed by the next out_begin() or out_end(). */
static const char *out_end(void)
{
	fclose(out_f);
	return out_buf;
}

static void out_free(void)
{
	free(out_buf);
	out_buf = NULL;
}

static void sample_record(void)
{
	static const struct counter counters[] = {
		{ 1, "rx:", "packets", "rx_packets" },
		{ 2, "rx:", "bytes", "rx_bytes" },
		{ 3, "tx:", "packets", "tx_packets" },
		{ 4, "tx:", "bytes", "tx_bytes" },
		{ 0, NULL, NULL, NULL }
	};
	const uint64_t values[5] = { 0, 1, 2, 3, UINT64_MAX };
	const bool present[5] = { false, true, true, false, true };

	print_record_begin();
	print_string(PRINT_ANY, "ifname", "%s", "tt0");
	print_uint(PRINT_ANY, "spi", "spi 0x%08x", 0x1234);
	print_keyword("dir", "dir", dir_keywords, TLSTUN_SA_DIR_TX);
	print_keyword("suite", "suite", suite_keywords, 99);
	print_hidden("key");
	print_string(PRINT_ANY, "peer", "peer %s", "it's \"me\"");
	print_u64(PRINT_JSON, "zero", "zero %llu", 0);
	print_string(PRINT_FP, NULL, "tx-spi %s", "none");
	print_indent();
	print_u64(PRINT_ANY, "age_seconds", "age %llus", 5);
	print_counters("stats", counters, values, present);
	print_record_end();
}

static void test_print_text(void **state)
{
	(void)state;
	out_begin(false, false);
	sample_record();
	sample_record();
	assert_string_equal(out_end(),
		"tt0 spi 0x00001234 dir tx suite 99 key (hidden) peer 'it'\\''s \"me\"' tx-spi none\n"
		"    age 5s\n"
		"    rx: packets 1 bytes 2\n"
		"    tx: bytes 18446744073709551615\n"
		"tt0 spi 0x00001234 dir tx suite 99 key (hidden) peer 'it'\\''s \"me\"' tx-spi none\n"
		"    age 5s\n"
		"    rx: packets 1 bytes 2\n"
		"    tx: bytes 18446744073709551615\n");
	out_free();

	/* Lists add nothing to text; an unused indent leaves no blanks. */
	out_begin(false, false);
	print_list_begin();
	print_record_begin();
	print_string(PRINT_ANY, "a", "a %s", "");
	print_string(PRINT_ANY, "b", "b %s", "x\ty");
	print_string(PRINT_ANY, "c", "c %s", "ü-ok");
	print_indent();
	print_record_end();
	print_list_end();
	assert_string_equal(out_end(), "a '' b 'x?y' c ü-ok\n");
	out_free();
}

static void test_print_json(void **state)
{
	(void)state;
	out_begin(true, false);
	print_list_begin();
	sample_record();
	sample_record();
	print_list_end();
	assert_string_equal(out_end(),
		"[{\"ifname\":\"tt0\",\"spi\":4660,\"dir\":\"tx\",\"suite\":99,"
		"\"key\":\"(hidden)\",\"peer\":\"it's \\\"me\\\"\",\"zero\":0,"
		"\"age_seconds\":5,\"stats\":{\"rx_packets\":1,\"rx_bytes\":2,"
		"\"tx_bytes\":18446744073709551615}},"
		"{\"ifname\":\"tt0\",\"spi\":4660,\"dir\":\"tx\",\"suite\":99,"
		"\"key\":\"(hidden)\",\"peer\":\"it's \\\"me\\\"\",\"zero\":0,"
		"\"age_seconds\":5,\"stats\":{\"rx_packets\":1,\"rx_bytes\":2,"
		"\"tx_bytes\":18446744073709551615}}]\n");
	out_free();

	/* An empty list is still a list. */
	out_begin(true, false);
	print_list_begin();
	print_list_end();
	assert_string_equal(out_end(), "[]\n");
	out_free();

	/* Records outside a list (the monitor) are one object per line. */
	out_begin(true, false);
	for (int i = 0; i < 2; i++) {
		print_record_begin();
		print_string(PRINT_ANY, "s", "%s",
			     "q\"b\\c\x01\x7f\xc3\xa9\xff\xc3(\xe2\x82");
		open_json_object("empty");
		close_json_object();
		print_record_end();
	}
	assert_string_equal(out_end(),
		"{\"s\":\"q\\\"b\\\\c\\u0001\\u007f\xc3\xa9\\ufffd\\ufffd(\\ufffd\\ufffd\",\"empty\":{}}\n"
		"{\"s\":\"q\\\"b\\\\c\\u0001\\u007f\xc3\xa9\\ufffd\\ufffd(\\ufffd\\ufffd\",\"empty\":{}}\n");
	out_free();
}

static void test_print_pretty(void **state)
{
	(void)state;
	/* -p alone means JSON. */
	out_begin(false, true);
	assert_true(print_is_json());
	print_list_begin();
	print_record_begin();
	print_uint(PRINT_ANY, "a", "a %u", 1);
	open_json_object("o");
	print_uint(PRINT_ANY, "b", "b %u", 2);
	close_json_object();
	open_json_array("l");
	close_json_array();
	print_record_end();
	print_list_end();
	assert_string_equal(out_end(),
		"[\n"
		"  {\n"
		"    \"a\": 1,\n"
		"    \"o\": {\n"
		"      \"b\": 2\n"
		"    },\n"
		"    \"l\": []\n"
		"  }\n"
		"]\n");
	out_free();
}

/* The whole tool, in-process */

struct run {
	int rc;
	char out[16384];
	char err[4096];
};

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run "tlstun @args..." with writable copies of the arguments, as exec. */
static void run_argv(struct run *r, char **args)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int save_out = dup(1), save_err = dup(2), argc = 0;
	char *argv[32];

	assert_non_null(out);
	assert_non_null(err);
	argv[argc++] = "tlstun";
	for (; *args; args++) {
		assert_true(argc < 31);
		argv[argc++] = *args;
	}
	argv[argc] = NULL;

	memset(&opts, 0, sizeof(opts));
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(out), 1);
	dup2(fileno(err), 2);
	r->rc = tlstun_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(save_out, 1);
	dup2(save_err, 2);
	close(save_out);
	close(save_err);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
}

static void run(struct run *r, const char *args, ...)
{
	char *copies[32], **argv = copies;
	const char *a;
	va_list ap;
	int n = 0;

	va_start(ap, args);
	for (a = args; a; a = va_arg(ap, const char *)) {
		assert_true(n < 31);
		copies[n++] = strdup(a);
	}
	va_end(ap);
	copies[n] = NULL;
	run_argv(r, argv);
	for (int i = 0; i < n; i++)
		free(copies[i]);
}

static void test_cli_help(void **state)
{
	struct run r;

	(void)state;
	run(&r, "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.err, "");
	assert_true(!strncmp(r.out,
		"Usage: tlstun [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       tlstun link add NAME [ LINK_OPTS ]\n", 80));
	assert_non_null(strstr(r.out, "\nWhere: OPTIONS := { -j[son] | -p[retty] | -s[tatistics] | -V[ersion] | -h[elp] }\n"));
	assert_non_null(strstr(r.out, "       tlstun sa add dev NAME dir DIR spi SPI suite SUITE key KEY [ SA_OPTS ]\n"));
	assert_non_null(strstr(r.out, "       tlstun monitor [ dev NAME ] [ count COUNT ]\n"));
	assert_non_null(strstr(r.out, "       PORT := 1..65535, UDP port (default 6081)\n"));
	assert_non_null(strstr(r.out, "       WINDOW := 64..4096, rx only (default 2048)\n"));
	/* Each definition appears once, though several objects use it. */
	assert_non_null(strstr(r.out, "NAME :="));
	assert_null(strstr(strstr(r.out, "NAME :=") + 1, "NAME :="));

	run(&r, "-h", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_true(!strncmp(r.out, "Usage: tlstun [ OPTIONS ]", 25));
	run(&r, "--help", NULL);
	assert_int_equal(r.rc, EXIT_OK);

	/* No object: usage on stderr, and a usage error. */
	run(&r, NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_string_equal(r.out, "");
	assert_true(!strncmp(r.err, "Usage: tlstun [ OPTIONS ]", 25));

	run(&r, "link", "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_true(!strncmp(r.out, "Usage: tlstun link add NAME [ LINK_OPTS ]\n", 42));
	assert_non_null(strstr(r.out, "\nWhere: NAME := "));
	assert_null(strstr(r.out, "tlstun sa"));
	assert_null(strstr(r.out, "SUITE"));

	run(&r, "sa", "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_true(!strncmp(r.out, "Usage: tlstun sa add dev NAME", 29));
	assert_non_null(strstr(r.out, "       SUITE := { aes-gcm-128 | aes-gcm-256 }\n"));
	assert_null(strstr(r.out, "LINK_OPTS"));

	run(&r, "monitor", "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_true(!strncmp(r.out, "Usage: tlstun monitor [ dev NAME ] [ count COUNT ]\n", 51));

	run(&r, "-V", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_true(!strncmp(r.out, "tlstun ", 7));
	assert_non_null(strstr(r.out, "version 1)\n"));
}

/* Each case: arguments, then the exact stderr line; all are usage errors. */
static const char *const usage_errors[][18] = {
	{ "-x", "link", NULL, "Error: unknown option \"-x\"; try \"tlstun help\"\n" },
	{ "-jx", "link", NULL, "Error: unknown option \"-jx\"; try \"tlstun help\"\n" },
	{ "frob", NULL, "Error: unknown object \"frob\"; try \"tlstun help\"\n" },
	{ "li", "show", NULL, "Error: unknown object \"li\"; try \"tlstun help\"\n" },
	{ "link", "frob", NULL, "Error: unknown command \"frob\"; try \"tlstun link help\"\n" },
	{ "link", "sh", NULL, "Error: unknown command \"sh\"; try \"tlstun link help\"\n" },
	{ "link", "add", NULL, "Error: argument \"NAME\" is required by \"link add\"\n" },
	{ "link", "add", "1234567890123456", NULL, "Error: argument \"1234567890123456\" is wrong: interface name longer than 15 bytes\n" },
	{ "link", "add", "tt0", "remote", NULL, "Error: argument \"remote\" needs a value\n" },
	{ "link", "add", "tt0", "remote", "192.0.2.300", NULL, "Error: argument \"192.0.2.300\" is wrong: not an IPv4 or IPv6 address\n" },
	{ "link", "add", "tt0", "remote", "192.0.2.1", "remote", "192.0.2.2", NULL, "Error: duplicate \"remote\": \"192.0.2.2\" is the second value\n" },
	{ "link", "add", "tt0", "remote", "192.0.2.1", "local", "2001:db8::1", NULL, "Error: \"local\" and \"remote\" must be of the same address family\n" },
	{ "link", "add", "tt0", "port", "0", NULL, "Error: argument \"0\" is wrong: must be between 1 and 65535\n" },
	{ "link", "add", "tt0", "port", "65536", NULL, "Error: argument \"65536\" is wrong: must be between 1 and 65535\n" },
	{ "link", "add", "tt0", "vni", "16777216", NULL, "Error: argument \"16777216\" is wrong: must be between 0 and 16777215\n" },
	{ "link", "add", "tt0", "ttl", "256", NULL, "Error: argument \"256\" is wrong: must be between 0 and 255\n" },
	{ "link", "add", "tt0", "tos", "-1", NULL, "Error: argument \"-1\" is wrong: not a number\n" },
	{ "link", "add", "tt0", "df", "yes", NULL, "Error: argument \"yes\" is wrong: unknown df mode (expected unset, set or inherit)\n" },
	{ "link", "add", "tt0", "dstport", "1", NULL, "Error: unknown argument \"dstport\"; try \"tlstun link help\"\n" },
	{ "link", "set", "tt0", NULL, "Error: \"link set\" needs something to change; try \"tlstun link help\"\n" },
	{ "link", "set", NULL, "Error: argument \"NAME\" is required by \"link set\"\n" },
	{ "link", "del", NULL, "Error: argument \"NAME\" is required by \"link del\"\n" },
	{ "link", "del", "tt0", "tt1", NULL, "Error: unknown argument \"tt1\"; try \"tlstun link help\"\n" },
	{ "link", "show", "tt0", "x", NULL, "Error: unknown argument \"x\"; try \"tlstun link help\"\n" },
	{ "link", "show", "a b", NULL, "Error: argument \"a b\" is wrong: interface name contains ' '\n" },
	{ "sa", NULL, "Error: \"tlstun sa\" needs a command; try \"tlstun sa help\"\n" },
	{ "sa", "list", NULL, "Error: unknown command \"list\"; try \"tlstun sa help\"\n" },
	{ "sa", "add", NULL, "Error: argument \"dev\" is required by \"sa add\"\n" },
	{ "sa", "add", "dev", "tt0", NULL, "Error: argument \"dir\" is required by \"sa add\"\n" },
	{ "sa", "add", "dev", "tt0", "dir", "rx", NULL, "Error: argument \"spi\" is required by \"sa add\"\n" },
	{ "sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", NULL, "Error: argument \"suite\" is required by \"sa add\"\n" },
	{ "sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", "suite", "aes-gcm-128", NULL, "Error: argument \"key\" is required by \"sa add\"\n" },
	{ "sa", "add", "dev", "tt0", "dir", "in", NULL, "Error: argument \"in\" is wrong: unknown direction (expected rx or tx)\n" },
	{ "sa", "add", "dev", "tt0", "spi", "0", NULL, "Error: argument \"0\" is wrong: SPI 0 is reserved\n" },
	{ "sa", "add", "dev", "tt0", "spi", "0x100000000", NULL, "Error: argument \"0x100000000\" is wrong: not an SPI (1..0xffffffff, decimal or 0x hex)\n" },
	{ "sa", "add", "suite", "chacha20", NULL, "Error: argument \"chacha20\" is wrong: unknown suite (expected aes-gcm-128 or aes-gcm-256)\n" },
	{ "sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", "suite", "aes-gcm-256", "key", KEY128, NULL, "Error: argument \"key\" is wrong: the key must be 64 hex digits (32 bytes), not 32\n" },
	{ "sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", "suite", "aes-gcm-128", "key", "@/nonexistent", NULL, "Error: argument \"@/nonexistent\" is wrong: cannot open the key file: No such file or directory\n" },
	{ "sa", "add", "key", KEY128, "key", KEY256, NULL, "Error: duplicate \"key\": \"(hidden)\" is the second value\n" },
	{ "sa", "add", "dev", "tt0", "dir", "tx", "spi", "1", "suite", "aes-gcm-128", "key", KEY128, "replay-window", "64", NULL, "Error: \"replay-window\" applies to rx SAs only\n" },
	{ "sa", "add", "replay-window", "63", NULL, "Error: argument \"63\" is wrong: must be between 64 and 4096\n" },
	{ "sa", "add", "replay-window", "4097", NULL, "Error: argument \"4097\" is wrong: must be between 64 and 4096\n" },
	{ "sa", "add", "peer", "", NULL, "Error: argument \"\" is wrong: empty peer label\n" },
	{ "sa", "add", "hard-bytes", "1", "hard-bytes", "2", NULL, "Error: duplicate \"hard-bytes\": \"2\" is the second value\n" },
	{ "sa", "add", "soft-seconds", "1s", NULL, "Error: argument \"1s\" is wrong: not a number\n" },
	{ "sa", "add", "soft-minutes", "1", NULL, "Error: unknown argument \"soft-minutes\"; try \"tlstun sa help\"\n" },
	{ "sa", "add", "hard-packets", NULL, "Error: argument \"hard-packets\" needs a value\n" },
	{ "sa", "del", "dev", "tt0", "dir", "rx", NULL, "Error: argument \"spi\" is required by \"sa del\"\n" },
	{ "sa", "del", "dev", "tt0", "dir", "rx", "spi", "1", "suite", "aes-gcm-128", NULL, "Error: unknown argument \"suite\"; try \"tlstun sa help\"\n" },
	{ "sa", "show", NULL, "Error: argument \"dev\" is required by \"sa show\"\n" },
	{ "sa", "show", "dev", "tt0", "spi", "1", NULL, "Error: \"dir\" and \"spi\" name one SA together; give both or neither\n" },
	{ "sa", "flush", NULL, "Error: argument \"dev\" is required by \"sa flush\"\n" },
	{ "sa", "flush", "dev", "tt0", "dir", "rx", NULL, "Error: unknown argument \"dir\"; try \"tlstun sa help\"\n" },
	{ "monitor", "count", "0", NULL, "Error: argument \"0\" is wrong: must be between 1 and 4294967295\n" },
	{ "monitor", "dev", NULL, "Error: argument \"dev\" needs a value\n" },
	{ "monitor", "all", NULL, "Error: unknown argument \"all\"; try \"tlstun monitor help\"\n" },
};

static void test_cli_usage_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(usage_errors) / sizeof(usage_errors[0]);
	     i++) {
		const char *const *c = usage_errors[i];
		char *args[18];
		struct run r;
		int n;

		for (n = 0; c[n]; n++)
			args[n] = strdup(c[n]);
		args[n] = NULL;
		run_argv(&r, args);
		if (r.rc != EXIT_USAGE || strcmp(r.err, c[n + 1]) || r.out[0])
			fail_msg("case %zu (%s %s ...): exit %d, stderr \"%s\", stdout \"%s\"",
				 i, c[0], c[1] ? c[1] : "", r.rc, r.err,
				 r.out);
		for (n = 0; args[n]; n++)
			free(args[n]);
	}
}

static bool module_loaded(void)
{
	return !access("/sys/module/tlstun", F_OK);
}

static void test_cli_no_module(void **state)
{
	static const char msg[] =
		"tlstun: the tlstun kernel module is not loaded (generic netlink family \"tlstun\" not found)\n";
	char arg[] = KEY128;
	char *args[] = {
		"sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", "suite",
		"aes-gcm-128", "key", arg, NULL
	};
	struct run r;

	(void)state;
	if (module_loaded())
		skip();
	run(&r, "link", "show", NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_string_equal(r.err, msg);
	assert_string_equal(r.out, "");
	run(&r, "-j", "sa", "show", "dev", "tt0", NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_string_equal(r.err, msg);
	run(&r, "sa", "flush", "dev", "tt0", NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_string_equal(r.err, msg);
	run(&r, "monitor", NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_string_equal(r.err, msg);

	/* The request was never sent, yet the key is gone from argv. */
	run_argv(&r, args);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_string_equal(r.err, msg);
	for (size_t i = 0; i < sizeof(arg) - 1; i++)
		assert_int_equal(arg[i], 0);
}

/* A key refused for its length is wiped too, and never echoed. */
static void test_cli_key_wiped_on_error(void **state)
{
	char arg[] = KEY128 "00";
	char *args[] = {
		"sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", "suite",
		"aes-gcm-128", "key", arg, NULL
	};
	struct run r;

	(void)state;
	run_argv(&r, args);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_null(strstr(r.err, "0011"));
	for (size_t i = 0; i < sizeof(arg) - 1; i++)
		assert_int_equal(arg[i], 0);
}

/* A world-readable key file is used, with a warning, as wg does. */
static void test_cli_key_file_warning(void **state)
{
	const char *path = key_file("loose", KEY128 "\n", 33, 0644);
	char keyarg[300];
	struct run r;

	(void)state;
	if (module_loaded())
		skip();
	snprintf(keyarg, sizeof(keyarg), "@%s", path);
	run(&r, "sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", "suite",
	    "aes-gcm-128", "key", keyarg, NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_true(!strncmp(r.err, "Warning: key file \"", 19));
	assert_non_null(strstr(r.err,
			       "\" is accessible by group or others\ntlstun: the tlstun kernel module is not loaded"));

	path = key_file("tight", KEY128 "\n", 33, 0600);
	snprintf(keyarg, sizeof(keyarg), "@%s", path);
	run(&r, "sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", "suite",
	    "aes-gcm-128", "key", keyarg, NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_null(strstr(r.err, "Warning"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_narrow),
		cmocka_unit_test(test_spi),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_peer),
		cmocka_unit_test(test_key_hex),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_print_text),
		cmocka_unit_test(test_print_json),
		cmocka_unit_test(test_print_pretty),
		cmocka_unit_test(test_cli_help),
		cmocka_unit_test(test_cli_usage_errors),
		cmocka_unit_test(test_cli_no_module),
		cmocka_unit_test(test_cli_key_wiped_on_error),
		cmocka_unit_test(test_cli_key_file_warning),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("tool", tests, make_key_dir,
					   remove_key_dir);
}
