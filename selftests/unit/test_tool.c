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
 *    given on the command line is wiped from argv;
 *  - the identity commands (genkey, pubkey, nodeid, cert, csr): file modes
 *    and refusals, pins against the openssl CLI's, and certificates and
 *    requests checked by the daemon's own trust policy (tlshd/trust.c).
 *
 * Nothing here needs the tlstun module; the VM tests cover the kernel side.
 * tool_keys.sh runs the built binary from a shell, as the man page does.
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

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "certs/testcerts.h"
#include "identity.h"
#include "parse.h"
#include "print.h"
#include "tlstun.h"
#include "trust.h"

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
	/* ip xfrm's "0x" form is the same key; its digits still count. */
	assert_int_equal(parse_key("0x" KEY128, TLSTUN_SUITE_AES_GCM_128, key,
				   &loose, &e), 0);
	assert_int_equal(key[0], 0x00);
	assert_int_equal(key[1], 0x11);
	assert_int_equal(key[15], 0xff);
	assert_int_equal(parse_key("0X" KEY128, TLSTUN_SUITE_AES_GCM_128, key,
				   &loose, &e), 0);
	assert_int_equal(parse_key("0x112233445566778899aabbccddeeff",
				   TLSTUN_SUITE_AES_GCM_128, key, &loose, &e),
			 -1);
	assert_string_equal(e.msg,
			    "the key must be 32 hex digits (16 bytes), not 30");
	assert_int_equal(parse_key("0x0x" KEY128, TLSTUN_SUITE_AES_GCM_128,
				   key, &loose, &e), -1);
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

/*
 * OpenMetrics text: one family per counter with its samples together,
 * label values escaped, only the counters present, "# EOF" last.
 */
static void test_stats_openmetrics(void **state)
{
	struct tlstun_stats_dev dev = { .name = "tt0", .sa_count = 2,
					.has_sa_count = true };
	struct tlstun_stats_sa sa = { .dev = "tt0", .dir = TLSTUN_SA_DIR_RX,
				      .spi = 0xa01,
				      .peer = "b \"x\"\\\n" };
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *f;

	(void)state;
	dev.v[TLSTUN_STATS_RX_PACKETS] = 5;
	dev.p[TLSTUN_STATS_RX_PACKETS] = true;
	dev.v[TLSTUN_STATS_PORT_UNKNOWN_SPI] = 18446744073709551615ULL;
	dev.p[TLSTUN_STATS_PORT_UNKNOWN_SPI] = true;
	sa.v[TLSTUN_SA_STATS_PACKETS] = 7;
	sa.p[TLSTUN_SA_STATS_PACKETS] = true;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	tlstun_stats_write(f, &dev, 1, &sa, 1);
	fclose(f);
	assert_non_null(strstr(buf,
		"# TYPE tlstun_device_rx_packets counter\n"
		"# HELP tlstun_device_rx_packets rx: packets\n"
		"tlstun_device_rx_packets_total{dev=\"tt0\"} 5\n"
		"# TYPE tlstun_device_rx_bytes counter\n"));
	assert_non_null(strstr(buf,
		"tlstun_device_port_unknown_spi_total{dev=\"tt0\"} 18446744073709551615\n"));
	assert_non_null(strstr(buf, "tlstun_device_sas{dev=\"tt0\"} 2\n"));
	assert_non_null(strstr(buf,
		"tlstun_sa_packets_total{dev=\"tt0\",dir=\"rx\",spi=\"0x00000a01\",peer=\"b \\\"x\\\"\\\\\\n\"} 7\n"));
	/* Absent counters print no sample. */
	assert_null(strstr(buf, "tlstun_device_rx_bytes_total"));
	assert_null(strstr(buf, "tlstun_sa_bytes_total"));
	p = buf + len - strlen("# EOF\n");
	assert_string_equal(p, "# EOF\n");
	free(buf);
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
		"\"peer\":\"it's \\\"me\\\"\",\"zero\":0,"
		"\"age_seconds\":5,\"stats\":{\"rx_packets\":1,\"rx_bytes\":2,"
		"\"tx_bytes\":18446744073709551615}},"
		"{\"ifname\":\"tt0\",\"spi\":4660,\"dir\":\"tx\",\"suite\":99,"
		"\"peer\":\"it's \\\"me\\\"\",\"zero\":0,"
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

/* For the next run only: its stdin, and the mode of its stdout file. */
static int run_stdin = -1;
static mode_t run_stdout_mode;

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
	int save_out = dup(1), save_err = dup(2), save_in = -1, argc = 0;
	char *argv[32];

	assert_non_null(out);
	assert_non_null(err);
	if (run_stdout_mode)
		assert_int_equal(fchmod(fileno(out), run_stdout_mode), 0);
	if (run_stdin >= 0) {
		save_in = dup(0);
		assert_true(dup2(run_stdin, 0) == 0);
	}
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
	if (save_in >= 0) {
		dup2(save_in, 0);
		close(save_in);
		close(run_stdin);
	}
	run_stdin = -1;
	run_stdout_mode = 0;
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

static void test_cli_help_identity(void **state)
{
	static const char *const lines[] = {
		"       tlstun genkey [ OUTFILE ]\n",
		"       tlstun pubkey [ INFILE ]\n",
		"       tlstun nodeid\n",
		"       tlstun cert KEYFILE [ node NODE_ID ] [ days DAYS ] [ out OUTFILE ]\n",
		"       tlstun csr KEYFILE node NODE_ID [ out OUTFILE ]\n",
		("       OBJECT := { link | sa | peer | fdb | show | monitor | stats | genkey |\n"
		 "                   pubkey | nodeid | cert | csr }\n"),
		"       tlstun stats [ dev NAME ]\n",
		"       KEYFILE := PEM private key file, mode 0600 or stricter\n",
		"       NODE_ID := 0x and 32 hex digits, as \"tlstun nodeid\" prints\n",
		"       DAYS := 1..73200, validity of the certificate (default 3650)\n",
	};
	struct run r;

	(void)state;
	run(&r, "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strstr(r.out, lines[i]))
			fail_msg("\"tlstun help\" lacks \"%s\"", lines[i]);

	/* Each object's help is its own lines and definitions only. */
	run(&r, "genkey", "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out,
		"Usage: tlstun genkey [ OUTFILE ]\n"
		"       tlstun genkey help\n"
		"Where: OUTFILE := a new file (never overwritten), or - for standard\n"
		"                  output (the default)\n");
	run(&r, "pubkey", "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out,
		"Usage: tlstun pubkey [ INFILE ]\n"
		"       tlstun pubkey help\n"
		"Where: INFILE := PEM private key or certificate file, or - for standard\n"
		"                 input (the default)\n");
	run(&r, "nodeid", "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out,
		"Usage: tlstun nodeid\n"
		"       tlstun nodeid help\n");
	run(&r, "cert", "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_true(!strncmp(r.out, "Usage: tlstun cert KEYFILE", 26));
	assert_non_null(strstr(r.out, "\nWhere: KEYFILE := "));
	assert_non_null(strstr(r.out, "\n       DAYS := "));
	assert_non_null(strstr(r.out, "\n       OUTFILE := "));
	assert_null(strstr(r.out, "INFILE"));
	run(&r, "csr", "help", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_true(!strncmp(r.out, "Usage: tlstun csr KEYFILE node NODE_ID", 38));
	assert_null(strstr(r.out, "DAYS"));
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
	{ "link", "add", "tt0", "remote", "192.0.2.300", NULL, "Error: \"remote\" value \"192.0.2.300\" is wrong: not an IPv4 or IPv6 address\n" },
	{ "link", "add", "tt0", "remote", "192.0.2.1", "remote", "192.0.2.2", NULL, "Error: duplicate \"remote\": \"192.0.2.2\" is the second value\n" },
	{ "link", "add", "tt0", "remote", "192.0.2.1", "local", "2001:db8::1", NULL, "Error: \"local\" and \"remote\" must be of the same address family\n" },
	{ "link", "add", "tt0", "port", "0", NULL, "Error: \"port\" value \"0\" is wrong: must be between 1 and 65535\n" },
	{ "link", "add", "tt0", "port", "65536", NULL, "Error: \"port\" value \"65536\" is wrong: must be between 1 and 65535\n" },
	{ "link", "add", "tt0", "vni", "16777216", NULL, "Error: \"vni\" value \"16777216\" is wrong: must be between 0 and 16777215\n" },
	{ "link", "add", "tt0", "ttl", "256", NULL, "Error: \"ttl\" value \"256\" is wrong: must be between 0 and 255\n" },
	{ "link", "add", "tt0", "tos", "-1", NULL, "Error: \"tos\" value \"-1\" is wrong: not a number\n" },
	{ "link", "add", "tt0", "df", "yes", NULL, "Error: \"df\" value \"yes\" is wrong: unknown df mode (expected unset, set or inherit)\n" },
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
	{ "sa", "add", "dev", "tt0", "dir", "in", NULL, "Error: \"dir\" value \"in\" is wrong: unknown direction (expected rx or tx)\n" },
	{ "sa", "add", "dev", "tt0", "spi", "0", NULL, "Error: \"spi\" value \"0\" is wrong: SPI 0 is reserved\n" },
	{ "sa", "add", "dev", "tt0", "spi", "0x100000000", NULL, "Error: \"spi\" value \"0x100000000\" is wrong: not an SPI (1..0xffffffff, decimal or 0x hex)\n" },
	{ "sa", "add", "suite", "chacha20", NULL, "Error: \"suite\" value \"chacha20\" is wrong: unknown suite (expected aes-gcm-128 or aes-gcm-256)\n" },
	{ "sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", "suite", "aes-gcm-256", "key", KEY128, NULL, "Error: \"key\" value is wrong: the key must be 64 hex digits (32 bytes), not 32\n" },
	{ "sa", "add", "dev", "tt0", "dir", "rx", "spi", "1", "suite", "aes-gcm-128", "key", "@/nonexistent", NULL, "Error: \"key\" value \"@/nonexistent\" is wrong: cannot open the key file: No such file or directory\n" },
	{ "sa", "add", "key", KEY128, "key", KEY256, NULL, "Error: duplicate \"key\": \"(hidden)\" is the second value\n" },
	{ "sa", "add", "dev", "tt0", "dir", "tx", "spi", "1", "suite", "aes-gcm-128", "key", KEY128, "replay-window", "64", NULL, "Error: \"replay-window\" applies to rx SAs only\n" },
	{ "sa", "add", "replay-window", "63", NULL, "Error: \"replay-window\" value \"63\" is wrong: must be between 64 and 4096\n" },
	{ "sa", "add", "replay-window", "4097", NULL, "Error: \"replay-window\" value \"4097\" is wrong: must be between 64 and 4096\n" },
	{ "sa", "add", "peer", "", NULL, "Error: \"peer\" value \"\" is wrong: empty peer label\n" },
	{ "sa", "add", "hard-bytes", "1", "hard-bytes", "2", NULL, "Error: duplicate \"hard-bytes\": \"2\" is the second value\n" },
	{ "sa", "add", "soft-seconds", "1s", NULL, "Error: \"soft-seconds\" value \"1s\" is wrong: not a number\n" },
	{ "sa", "add", "soft-minutes", "1", NULL, "Error: unknown argument \"soft-minutes\"; try \"tlstun sa help\"\n" },
	{ "sa", "add", "hard-packets", NULL, "Error: argument \"hard-packets\" needs a value\n" },
	{ "sa", "del", "dev", "tt0", "dir", "rx", NULL, "Error: argument \"spi\" is required by \"sa del\"\n" },
	{ "sa", "del", "dev", "tt0", "dir", "rx", "spi", "1", "suite", "aes-gcm-128", NULL, "Error: unknown argument \"suite\"; try \"tlstun sa help\"\n" },
	{ "sa", "show", "dir", "rx", "spi", "1", NULL, "Error: argument \"dev\" is required by \"sa show dir DIR spi SPI\"\n" },
	{ "sa", "show", "dev", "tt0", "spi", "1", NULL, "Error: \"dir\" and \"spi\" name one SA together; give both or neither\n" },
	{ "sa", "flush", NULL, "Error: argument \"dev\" is required by \"sa flush\"\n" },
	{ "sa", "flush", "dev", "tt0", "dir", "rx", NULL, "Error: unknown argument \"dir\"; try \"tlstun sa help\"\n" },
	{ "sa", "show", "dev", "tt0", "peer-id", "2", NULL, "Error: \"peer-id\" names a peer's SA together with \"dir\" and \"spi\"\n" },
	{ "sa", "add", "peer-id", "x", NULL, "Error: \"peer-id\" value \"x\" is wrong: not a number\n" },
	{ "peer", NULL, "Error: \"tlstun peer\" needs a command; try \"tlstun peer help\"\n" },
	{ "peer", "add", NULL, "Error: argument \"dev\" is required by \"peer add\"\n" },
	{ "peer", "add", "dev", "tt0", NULL, "Error: argument \"id\" is required by \"peer add\"\n" },
	{ "peer", "add", "dev", "tt0", "id", "2", NULL, "Error: argument \"remote\" is required by \"peer add\"\n" },
	{ "peer", "add", "dev", "tt0", "id", "2", "remote", "10.0.0.256", NULL, "Error: \"remote\" value \"10.0.0.256\" is wrong: not an IPv4 or IPv6 address\n" },
	{ "peer", "add", "dev", "tt0", "id", "2", "id", "3", NULL, "Error: duplicate \"id\": \"3\" is the second value\n" },
	{ "peer", "add", "dev", "tt0", "id", "2", "label", "", NULL, "Error: \"label\" value \"\" is wrong: empty peer label\n" },
	{ "peer", "del", "dev", "tt0", "remote", "10.0.0.1", NULL, "Error: unknown argument \"remote\"; try \"tlstun peer help\"\n" },
	{ "peer", "show", "id", "2", NULL, "Error: argument \"dev\" is required by \"peer show id ID\"\n" },
	{ "fdb", "add", "dev", "tt0", "mac", "02:00:00:00:00:01", NULL, "Error: argument \"peer-id\" is required by \"fdb add\"\n" },
	{ "fdb", "add", "dev", "tt0", "peer-id", "1", NULL, "Error: argument \"mac\" is required by \"fdb add\"\n" },
	{ "fdb", "add", "mac", "01:00:5e:00:00:01", NULL, "Error: \"mac\" value \"01:00:5e:00:00:01\" is wrong: a multicast address is never an FDB entry\n" },
	{ "fdb", "add", "mac", "02:00:00:00:00", NULL, "Error: \"mac\" value \"02:00:00:00:00\" is wrong: not a MAC address (xx:xx:xx:xx:xx:xx)\n" },
	{ "fdb", "add", "mac", "02:00:00:00:00:001", NULL, "Error: \"mac\" value \"02:00:00:00:00:001\" is wrong: not a MAC address (xx:xx:xx:xx:xx:xx)\n" },
	{ "fdb", "set", "dev", "tt0", "ageing", "0", NULL, "Error: \"ageing\" value \"0\" is wrong: must be between 1 and 1000000\n" },
	{ "fdb", "set", "dev", "tt0", NULL, "Error: argument \"ageing\" is required by \"fdb set\"\n" },
	{ "fdb", "show", "mac", "02:00:00:00:00:01", NULL, "Error: unknown argument \"mac\"; try \"tlstun fdb help\"\n" },
	{ "show", "tt0", NULL, "Error: unknown argument \"tt0\"; try \"tlstun show help\"\n" },
	{ "show", "dev", NULL, "Error: argument \"dev\" needs a value\n" },
	{ "show", "dev", "a/b", NULL, "Error: \"dev\" value \"a/b\" is wrong: interface name contains '/'\n" },
	{ "monitor", "count", "0", NULL, "Error: \"count\" value \"0\" is wrong: must be between 1 and 4294967295\n" },
	{ "monitor", "dev", NULL, "Error: argument \"dev\" needs a value\n" },
	{ "monitor", "all", NULL, "Error: unknown argument \"all\"; try \"tlstun monitor help\"\n" },
	/* Identity commands: "k" is never opened, the arguments fail first. */
	{ "genkey", "a.key", "b.key", NULL, "Error: unknown argument \"b.key\"; try \"tlstun genkey help\"\n" },
	{ "pubkey", "a.key", "-", NULL, "Error: unknown argument \"-\"; try \"tlstun pubkey help\"\n" },
	{ "nodeid", "1", NULL, "Error: unknown argument \"1\"; try \"tlstun nodeid help\"\n" },
	{ "cert", NULL, "Error: argument \"KEYFILE\" is required by \"cert\"\n" },
	{ "cert", "k", "node", NULL, "Error: argument \"node\" needs a value\n" },
	{ "cert", "k", "node", "0x1", NULL, "Error: \"node\" value \"0x1\" is wrong: not a node id (0x and 32 hex digits)\n" },
	{ "cert", "k", "node", "00112233445566778899aabbccddeeff", NULL, "Error: \"node\" value \"00112233445566778899aabbccddeeff\" is wrong: not a node id (0x and 32 hex digits)\n" },
	{ "cert", "k", "node", "0x00112233445566778899aabbccddeefg", NULL, "Error: \"node\" value \"0x00112233445566778899aabbccddeefg\" is wrong: not a node id (0x and 32 hex digits)\n" },
	{ "cert", "k", "node", TC_NODE_A, "node", TC_NODE_B, NULL, "Error: duplicate \"node\": \"" TC_NODE_B "\" is the second value\n" },
	{ "cert", "k", "days", NULL, "Error: argument \"days\" needs a value\n" },
	{ "cert", "k", "days", "0", NULL, "Error: \"days\" value \"0\" is wrong: must be between 1 and 73200\n" },
	{ "cert", "k", "days", "73201", NULL, "Error: \"days\" value \"73201\" is wrong: must be between 1 and 73200\n" },
	{ "cert", "k", "days", "1y", NULL, "Error: \"days\" value \"1y\" is wrong: not a number\n" },
	{ "cert", "k", "days", "1", "days", "2", NULL, "Error: duplicate \"days\": \"2\" is the second value\n" },
	{ "cert", "k", "out", NULL, "Error: argument \"out\" needs a value\n" },
	{ "cert", "k", "out", "", NULL, "Error: \"out\" value \"\" is wrong: empty file name\n" },
	{ "cert", "k", "out", "a", "out", "b", NULL, "Error: duplicate \"out\": \"b\" is the second value\n" },
	{ "cert", "k", "cn", "host-a", NULL, "Error: unknown argument \"cn\"; try \"tlstun cert help\"\n" },
	{ "cert", "k", TC_NODE_A, NULL, "Error: unknown argument \"" TC_NODE_A "\"; try \"tlstun cert help\"\n" },
	{ "csr", NULL, "Error: argument \"KEYFILE\" is required by \"csr\"\n" },
	{ "csr", "k", NULL, "Error: argument \"node\" is required by \"csr\"\n" },
	{ "csr", "k", "out", "k.csr", NULL, "Error: argument \"node\" is required by \"csr\"\n" },
	{ "csr", "k", "node", "0xZZ112233445566778899aabbccddeeff", NULL, "Error: \"node\" value \"0xZZ112233445566778899aabbccddeeff\" is wrong: not a node id (0x and 32 hex digits)\n" },
	{ "csr", "k", "node", TC_NODE_A, "days", "1", NULL, "Error: unknown argument \"days\"; try \"tlstun csr help\"\n" },
	{ "csr", "k", "node", TC_NODE_A, "out", "", NULL, "Error: \"out\" value \"\" is wrong: empty file name\n" },
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
	/* JSON: nothing on stdout when the command fails, not "[]". */
	run(&r, "-j", "sa", "show", "dev", "tt0", NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_string_equal(r.err, msg);
	assert_string_equal(r.out, "");
	run(&r, "-j", "link", "show", NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_string_equal(r.out, "");
	/* stats prints nothing unless it has everything; it is text only. */
	run(&r, "stats", NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_string_equal(r.err, msg);
	assert_string_equal(r.out, "");
	run(&r, "-j", "stats", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_string_equal(r.out, "");
	run(&r, "stats", "dev", "tt0", "x", NULL);
	assert_int_equal(r.rc, EXIT_USAGE);
	/* Every device's SAs, and "dev NAME" as ip takes it. */
	run(&r, "sa", "show", NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_string_equal(r.err, msg);
	run(&r, "link", "show", "dev", "tt0", NULL);
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

/* The identity commands, on files in key_dir */

#define TMP_PATH(buf, name) snprintf(buf, sizeof(buf), "%s/%s", key_dir, name)

/* The next run's stdin: a pipe holding @data, or a file. */
static void stdin_pipe(const char *data)
{
	size_t len = strlen(data);
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], data, len), (ssize_t)len);
	close(p[1]);
	run_stdin = p[0];
}

static void stdin_file(const char *path)
{
	run_stdin = open(path, O_RDONLY);
	assert_true(run_stdin >= 0);
}

/* A whole file, NUL-terminated; the caller frees it. */
static char *read_path(const char *path)
{
	struct stat st;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = calloc(1, st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, st.st_size), st.st_size);
	close(fd);
	return buf;
}

static mode_t file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Run a shell command that must succeed; @buf gets its stdout. */
static void shell(char *buf, size_t len, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	size_t n;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	if (pclose(p))
		fail_msg("\"%s\" failed: %s", cmd, buf);
}

/* The openssl CLI's pin of a key, as the man page computes it. */
static void openssl_pin(char out[TLSTUND_PIN_STRLEN + 1], const char *key)
{
	char hex[256];

	shell(hex, sizeof(hex),
	      "openssl pkey -in '%s' -pubout -outform der | sha256sum", key);
	assert_int_equal(strlen(hex), 64 + 4);
	snprintf(out, TLSTUND_PIN_STRLEN + 1, "sha256:%.64s\n", hex);
}

/* "tlstun genkey PATH", which must succeed. */
static void tool_genkey(const char *path)
{
	struct run r;

	run(&r, "genkey", path, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.err, "");
}

/* A "0x<32 hex>\n" line of "tlstun nodeid", without its newline. */
static void tool_nodeid(char id[TLSTUND_NODE_ID_STRLEN])
{
	struct run r;

	run(&r, "nodeid", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_int_equal(strlen(r.out), TLSTUND_NODE_ID_STRLEN);
	assert_int_equal(r.out[TLSTUND_NODE_ID_STRLEN - 1], '\n');
	memcpy(id, r.out, TLSTUND_NODE_ID_STRLEN - 1);
	id[TLSTUND_NODE_ID_STRLEN - 1] = '\0';
}

static X509 *cert_of(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	assert_non_null(x);
	return x;
}

static EVP_PKEY *load_key(const char *path)
{
	char err[TLSTUND_ERR_LEN];
	EVP_PKEY *key = tlstund_identity_load_key(path, err, sizeof(err));

	if (!key)
		fail_msg("%s", err);
	return key;
}

static enum tlstund_trust_verdict
verify_cert(const struct tlstund_trust_policy *pol, X509 *x,
	    struct tlstund_trust_result *res)
{
	unsigned char *der = NULL;
	const uint8_t *ders[1];
	size_t lens[1];
	int n;

	n = i2d_X509(x, &der);
	assert_true(n > 0);
	ders[0] = der;
	lens[0] = n;
	tlstund_trust_verify(pol, ders, lens, 1, time(NULL), res);
	OPENSSL_free(der);
	return res->verdict;
}

static void expect_error(struct run *r, int rc, const char *fmt, ...)
{
	char want[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (r->rc != rc || strcmp(r->err, want) || r->out[0])
		fail_msg("exit %d, stderr \"%s\", stdout \"%s\"; want exit %d, stderr \"%s\"",
			 r->rc, r->err, r->out, rc, want);
}

static void test_cli_genkey(void **state)
{
	char path[256], missing[256], first[1024];
	EVP_PKEY *key;
	char *before, *after;
	struct run r;
	mode_t old;

	(void)state;
	TMP_PATH(path, "gen.key");
	/* 0600 whatever the umask. */
	old = umask(0);
	run(&r, "genkey", path, NULL);
	umask(old);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	assert_int_equal(file_mode(path), 0600);
	before = read_path(path);
	assert_true(!strncmp(before, "-----BEGIN PRIVATE KEY-----\n", 28));
	key = load_key(path);
	EVP_PKEY_free(key);

	/* Never replaces a file: the key stays as it was. */
	run(&r, "genkey", path, NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: cannot create private key %s: File exists (refusing to overwrite a key)\n",
		     path);
	after = read_path(path);
	assert_string_equal(after, before);
	OPENSSL_cleanse(before, strlen(before));
	OPENSSL_cleanse(after, strlen(after));
	free(before);
	free(after);

	TMP_PATH(missing, "no/such/dir.key");
	run(&r, "genkey", missing, NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: cannot create private key %s: No such file or directory\n",
		     missing);

	/* To stdout when asked, a new key each time. */
	run(&r, "genkey", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.err, "");
	assert_true(!strncmp(r.out, "-----BEGIN PRIVATE KEY-----\n", 28));
	assert_non_null(strstr(r.out, "\n-----END PRIVATE KEY-----\n"));
	strcpy(first, r.out);
	run(&r, "genkey", "-", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_true(!strncmp(r.out, "-----BEGIN PRIVATE KEY-----\n", 28));
	assert_string_not_equal(r.out, first);

	/* Into a file that others can read: the key, and a warning. */
	run_stdout_mode = 0644;
	run(&r, "genkey", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_true(!strncmp(r.out, "-----BEGIN PRIVATE KEY-----\n", 28));
	assert_string_equal(r.err,
		"Warning: standard output is a file that group or others can access (mode 0644); tlstund refuses such a key file: chmod 600 it, and set umask 077 before the next one\n");
	OPENSSL_cleanse(first, sizeof(first));
}

static void test_cli_pubkey(void **state)
{
	char key[256], cert[256], both[256], chain[256], enc[256], path[256];
	char pin[TLSTUND_PIN_STRLEN + 1], json[128], buf[256];
	static const char *const committed[] = { "leaf_a", "self_a", "root" };
	char *keytext, *certtext, *text;
	struct run r;

	(void)state;
	TMP_PATH(key, "pub.key");
	TMP_PATH(cert, "pub.pem");
	tool_genkey(key);
	openssl_pin(pin, key);

	/* The key's pin is the openssl CLI's. */
	run(&r, "pubkey", key, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, pin);

	/* Its certificate's pin is the same, however it comes in. */
	run(&r, "cert", key, "out", cert, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	run(&r, "pubkey", cert, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out, pin);
	stdin_file(cert);
	run(&r, "pubkey", NULL);
	assert_string_equal(r.out, pin);
	keytext = read_path(key);
	stdin_pipe(keytext);
	run(&r, "pubkey", "-", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out, pin);

	snprintf(json, sizeof(json), "{\"pin\":\"%.*s\"}\n",
		 (int)TLSTUND_PIN_STRLEN - 1, pin);
	run(&r, "-j", "pubkey", key, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out, json);

	/* The committed certificates' pins, which the CLI computed. */
	for (size_t i = 0; i < sizeof(committed) / sizeof(committed[0]); i++) {
		snprintf(path, sizeof(path), TC_DIR "%s.pin", committed[i]);
		text = read_path(path);
		snprintf(path, sizeof(path), TC_DIR "%s.pem", committed[i]);
		run(&r, "pubkey", path, NULL);
		assert_int_equal(r.rc, EXIT_OK);
		assert_string_equal(r.out, text);
		free(text);
	}
	/* Of a chain, the leaf. */
	TMP_PATH(chain, "chain.pem");
	shell(buf, sizeof(buf), "cat " TC_DIR "leaf_a.pem " TC_DIR
	      "inter.pem > '%s'", chain);
	run(&r, "pubkey", chain, NULL);
	text = read_path(TC_DIR "leaf_a.pin");
	assert_string_equal(r.out, text);
	free(text);

	/* A file that holds a key is a key file, under the daemon's rules. */
	certtext = read_path(cert);
	TMP_PATH(both, "both.pem");
	shell(buf, sizeof(buf), "cat '%s' '%s' > '%s' && chmod 600 '%s'",
	      cert, key, both, both);
	run(&r, "pubkey", both, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out, pin);
	assert_int_equal(chmod(both, 0640), 0);
	run(&r, "pubkey", both, NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: private key %s is accessible by group or others (mode 0640); run chmod 600 on it\n",
		     both);
	/* A piped key has no mode to check. */
	stdin_pipe(keytext);
	run(&r, "pubkey", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out, pin);

	/* What is not a P-256 key or certificate, or not readable. */
	run(&r, "pubkey", "/nonexistent", NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: cannot open /nonexistent: No such file or directory\n");
	run(&r, "pubkey", key_dir, NULL);
	expect_error(&r, EXIT_FAIL, "Error: cannot read %s: Is a directory\n",
		     key_dir);
	stdin_pipe("");
	run(&r, "pubkey", NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: standard input holds neither a PEM private key nor a PEM certificate\n");
	run(&r, "pubkey", TC_DIR "leaf_a.der", NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: " TC_DIR "leaf_a.der holds neither a PEM private key nor a PEM certificate\n");
	run(&r, "pubkey", TC_DIR "leaf_rsa.pem", NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: the certificate in " TC_DIR "leaf_rsa.pem does not hold an ECDSA P-256 key, which tlstun needs\n");
	text = read_path(TC_DIR "leaf_rsa.key.pem");
	TMP_PATH(path, "rsa.key");
	key_file("rsa.key", text, strlen(text), 0600);
	run(&r, "pubkey", path, NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: private key %s is a 2048-bit RSA key; tlstun needs ECDSA P-256\n",
		     path);
	free(text);
	stdin_file(TC_DIR "leaf_p384.key.pem");
	run(&r, "pubkey", NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: the private key in standard input is not an ECDSA P-256 key, which tlstun needs\n");
	stdin_pipe("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
	run(&r, "pubkey", NULL);
	assert_int_equal(r.rc, EXIT_FAIL);
	assert_true(!strncmp(r.err, "Error: cannot parse the private key in standard input: ", 55));

	/* Encrypted keys are refused, never prompted for. */
	TMP_PATH(enc, "enc.key");
	shell(buf, sizeof(buf),
	      "openssl pkey -in '%s' -aes256 -passout pass:x -out '%s' && chmod 600 '%s'",
	      key, enc, enc);
	run(&r, "pubkey", enc, NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: private key %s is encrypted; tlstun keys are stored unencrypted, protected by the file mode\n",
		     enc);
	stdin_file(enc);
	run(&r, "pubkey", NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: the private key in standard input is encrypted; tlstun keys are stored unencrypted, protected by the file mode\n");

	/* Up to 1 MiB is read; more is refused. */
	TMP_PATH(path, "big.pem");
	shell(buf, sizeof(buf),
	      "{ cat '%s'; head -c %d /dev/zero | tr '\\0' ' '; } > '%s'",
	      cert, 1048576 - (int)strlen(certtext), path);
	run(&r, "pubkey", path, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out, pin);
	shell(buf, sizeof(buf), "echo >> '%s'", path);
	run(&r, "pubkey", path, NULL);
	expect_error(&r, EXIT_FAIL, "Error: %s is larger than 1048576 bytes\n",
		     path);

	OPENSSL_cleanse(keytext, strlen(keytext));
	free(keytext);
	free(certtext);
}

static void test_cli_nodeid(void **state)
{
	char a[TLSTUND_NODE_ID_STRLEN], b[TLSTUND_NODE_ID_STRLEN];
	char again[TLSTUND_NODE_ID_STRLEN], json[64];
	uint8_t id[TLSTUND_NODE_ID_LEN];
	struct run r;

	(void)state;
	tool_nodeid(a);
	tool_nodeid(b);
	/* "0x" and lower-case hex: what it parses to formats back the same. */
	assert_true(!strncmp(a, "0x", 2));
	assert_int_equal(strspn(a + 2, "0123456789abcdef"), 32);
	assert_int_equal(tlstund_node_id_parse(a, id), 0);
	tlstund_node_id_format(id, again);
	assert_string_equal(again, a);
	/* 128 random bits: two are never the same. */
	assert_string_not_equal(a, b);

	run(&r, "-j", "nodeid", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.err, "");
	assert_int_equal(strlen(r.out), strlen("{\"node_id\":\"\"}\n") + 34);
	memcpy(a, r.out + 12, 34);
	a[34] = '\0';
	assert_int_equal(tlstund_node_id_parse(a, id), 0);
	snprintf(json, sizeof(json), "{\"node_id\":\"%s\"}\n", a);
	assert_string_equal(r.out, json);
}

static void test_cli_cert(void **state)
{
	struct tlstund_trust_policy ca = { .kind = TLSTUND_TRUST_CA };
	struct tlstund_trust_policy pin = { .kind = TLSTUND_TRUST_PIN };
	char key[256], loose[256], pem[256], buf[1024], pinstr[128];
	char id[TLSTUND_NODE_ID_STRLEN], want[64];
	uint8_t nid[TLSTUND_NODE_ID_LEN], got[TLSTUND_NODE_ID_LEN];
	struct tlstund_trust_result res;
	char err[TLSTUND_ERR_LEN];
	struct tlstund_identity ident;
	struct tm nb_tm;
	time_t nb, now;
	int days, secs;
	EVP_PKEY *k;
	X509 *x, *y;
	struct run r;
	char *text, *again;
	mode_t old;

	(void)state;
	TMP_PATH(key, "cert.key");
	tool_genkey(key);
	tool_nodeid(id);
	assert_int_equal(tlstund_node_id_parse(id, nid), 0);

	now = time(NULL);
	run(&r, "cert", key, "node", id, "days", "30", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.err, "");
	assert_true(!strncmp(r.out, "-----BEGIN CERTIFICATE-----\n", 28));
	x = cert_of(r.out);
	k = load_key(key);
	assert_int_equal(X509_check_private_key(x, k), 1);
	assert_int_equal(X509_verify(x, k), 1);
	EVP_PKEY_free(k);
	assert_int_equal(tlstund_cert_node_id(x, got), 0);
	assert_memory_equal(got, nid, sizeof(nid));
	/* 30 days, from an hour ago. */
	assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
					X509_get0_notAfter(x)), 1);
	assert_int_equal(days, 30);
	assert_int_equal(secs, 0);
	assert_int_equal(ASN1_TIME_to_tm(X509_get0_notBefore(x), &nb_tm), 1);
	nb = timegm(&nb_tm);
	assert_true(nb >= now - 3600 && nb <= time(NULL) - 3600);

	/* The daemon's ca policy, with the certificate as its own anchor. */
	ca.ca_store = X509_STORE_new();
	assert_non_null(ca.ca_store);
	assert_int_equal(X509_STORE_add_cert(ca.ca_store, x), 1);
	memcpy(ca.node_id, nid, sizeof(nid));
	if (verify_cert(&ca, x, &res) != TLSTUND_TRUST_OK)
		fail_msg("ca: %s (%s)", tlstund_trust_reason_str(res.verdict),
			 res.detail);
	snprintf(want, sizeof(want), "node:%s", id);
	assert_string_equal(res.identity, want);
	ca.node_id[0] ^= 1;
	assert_int_equal(verify_cert(&ca, x, &res),
			 TLSTUND_TRUST_WRONG_NODE_ID);
	ca.node_id[0] ^= 1;

	/* The pin policy, with the pin pubkey prints. */
	run(&r, "pubkey", key, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	snprintf(pinstr, sizeof(pinstr), "%.*s", (int)TLSTUND_PIN_STRLEN - 1,
		 r.out);
	assert_int_equal(tlstund_pin_parse(pinstr, pin.pin), 0);
	assert_int_equal(verify_cert(&pin, x, &res), TLSTUND_TRUST_OK);

	/* Without a node: a pin-only certificate. */
	run(&r, "cert", key, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	y = cert_of(r.out);
	assert_int_equal(tlstund_cert_node_id(y, got), -ENOENT);
	assert_int_equal(verify_cert(&pin, y, &res), TLSTUND_TRUST_OK);
	assert_int_equal(X509_STORE_add_cert(ca.ca_store, y), 1);
	assert_int_equal(verify_cert(&ca, y, &res),
			 TLSTUND_TRUST_NO_NODE_URI);
	X509_free(y);
	X509_free(x);
	X509_STORE_free(ca.ca_store);

	/* The tool's longest validity is identity.c's. */
	run(&r, "cert", key, "days", "73200", NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.err, "");

	/* To a new file, which the daemon loads with the key. */
	TMP_PATH(pem, "cert.pem");
	old = umask(022);
	run(&r, "cert", key, "node", id, "out", pem, NULL);
	umask(old);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	assert_int_equal(file_mode(pem), 0644);
	if (tlstund_identity_load(&ident, key, pem, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(ident.has_node_id);
	assert_memory_equal(ident.node_id, nid, sizeof(nid));
	tlstund_identity_free(&ident);
	shell(buf, sizeof(buf),
	      "openssl x509 -in '%s' -noout -ext subjectAltName,basicConstraints,keyUsage,extendedKeyUsage",
	      pem);
	snprintf(want, sizeof(want), "URI:urn:tlstun:node:%s\n", id);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "CA:FALSE"));
	assert_non_null(strstr(buf, "Digital Signature"));
	assert_non_null(strstr(buf, "TLS Web Server Authentication, TLS Web Client Authentication"));
	text = read_path(pem);
	run(&r, "cert", key, "out", pem, NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: cannot create certificate %s: File exists (refusing to overwrite it)\n",
		     pem);
	again = read_path(pem);
	assert_string_equal(again, text);
	free(again);
	free(text);

	/* The key file rules are the daemon's; nothing is written. */
	text = read_path(key);
	TMP_PATH(loose, "loose.key");
	key_file("loose.key", text, strlen(text), 0644);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	TMP_PATH(pem, "loose.pem");
	run(&r, "cert", loose, "out", pem, NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: private key %s is accessible by group or others (mode 0644); run chmod 600 on it\n",
		     loose);
	assert_int_equal(access(pem, F_OK), -1);
	run(&r, "cert", "/nonexistent.key", NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: cannot open private key /nonexistent.key: No such file or directory\n");
}

static void test_cli_csr(void **state)
{
	struct tlstund_trust_policy ca = { .kind = TLSTUND_TRUST_CA };
	struct tlstund_trust_result res;
	char key[256], csr[256], issued[256], buf[4096], pinbuf[128];
	uint8_t node_a[TLSTUND_NODE_ID_LEN];
	char err[TLSTUND_ERR_LEN];
	X509_REQ *req;
	EVP_PKEY *k;
	struct run r;
	char *pem;
	BIO *bio;
	X509 *x;

	(void)state;
	TMP_PATH(key, "csr.key");
	TMP_PATH(csr, "a.csr");
	TMP_PATH(issued, "a.pem");
	tool_genkey(key);
	assert_int_equal(tlstund_node_id_parse(TC_NODE_A, node_a), 0);

	run(&r, "csr", key, "node", TC_NODE_A, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.err, "");
	assert_true(!strncmp(r.out, "-----BEGIN CERTIFICATE REQUEST-----\n", 36));
	bio = BIO_new_mem_buf(r.out, -1);
	req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_non_null(req);
	k = load_key(key);
	assert_int_equal(X509_REQ_verify(req, k), 1);
	EVP_PKEY_free(k);
	X509_REQ_free(req);

	/* The node URI is there, in lower case whatever the argument's. */
	run(&r, "csr", key, "node", "0x00112233445566778899AABBCCDDEEFF",
	    "out", csr, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	assert_string_equal(r.out, "");
	shell(buf, sizeof(buf), "openssl req -in '%s' -noout -text -verify 2>&1",
	      csr);
	assert_non_null(strstr(buf, "URI:urn:tlstun:node:" TC_NODE_A "\n"));
	assert_non_null(strstr(buf, "verify OK"));
	run(&r, "csr", key, "node", TC_NODE_A, "out", csr, NULL);
	expect_error(&r, EXIT_FAIL,
		     "Error: cannot create certificate request %s: File exists (refusing to overwrite it)\n",
		     csr);

	/*
	 * A CA made and used as the man page shows issues a certificate
	 * that the daemon loads and its ca policy accepts for node A.
	 */
	shell(buf, sizeof(buf),
	      "cd '%s' && "
	      "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>&1 && "
	      "openssl req -x509 -new -key ca.key -subj '/CN=tlstun site CA' "
	      "-addext keyUsage=critical,keyCertSign,cRLSign -days 3650 -out ca.pem 2>&1 && "
	      "openssl x509 -req -in a.csr -CA ca.pem -CAkey ca.key -days 365 -copy_extensions copy -out a.pem 2>&1",
	      key_dir);
	TMP_PATH(buf, "ca.pem");
	ca.ca_store = tlstund_trust_load_ca(buf, err, sizeof(err));
	if (!ca.ca_store)
		fail_msg("%s", err);
	memcpy(ca.node_id, node_a, sizeof(node_a));
	pem = read_path(issued);
	x = cert_of(pem);
	free(pem);
	if (verify_cert(&ca, x, &res) != TLSTUND_TRUST_OK)
		fail_msg("ca: %s (%s)", tlstund_trust_reason_str(res.verdict),
			 res.detail);
	assert_true(res.has_node_id);
	assert_memory_equal(res.node_id, node_a, sizeof(node_a));
	X509_free(x);
	X509_STORE_free(ca.ca_store);

	/* And its pin is the key's. */
	run(&r, "pubkey", key, NULL);
	assert_int_equal(r.rc, EXIT_OK);
	strcpy(pinbuf, r.out);
	run(&r, "pubkey", issued, NULL);
	assert_string_equal(r.out, pinbuf);
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
		cmocka_unit_test(test_stats_openmetrics),
		cmocka_unit_test(test_print_pretty),
		cmocka_unit_test(test_cli_help),
		cmocka_unit_test(test_cli_help_identity),
		cmocka_unit_test(test_cli_usage_errors),
		cmocka_unit_test(test_cli_no_module),
		cmocka_unit_test(test_cli_key_wiped_on_error),
		cmocka_unit_test(test_cli_key_file_warning),
		cmocka_unit_test(test_cli_genkey),
		cmocka_unit_test(test_cli_pubkey),
		cmocka_unit_test(test_cli_nodeid),
		cmocka_unit_test(test_cli_cert),
		cmocka_unit_test(test_cli_csr),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("tool", tests, make_key_dir,
					   remove_key_dir);
}
