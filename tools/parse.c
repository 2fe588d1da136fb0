// SPDX-License-Identifier: GPL-2.0
/*
 * Argument parsing for the tlstun tool. Every function returns 0 or -1 and,
 * on -1, says why in @e without repeating the argument: the caller quotes
 * it, except for keys, which are never echoed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/tlstun.h>

#include "parse.h"

const struct keyword suite_keywords[] = {
	{ "aes-gcm-128", TLSTUN_SUITE_AES_GCM_128 },
	{ "aes-gcm-256", TLSTUN_SUITE_AES_GCM_256 },
	{ NULL, 0 }
};

const struct keyword dir_keywords[] = {
	{ "rx", TLSTUN_SA_DIR_RX },
	{ "tx", TLSTUN_SA_DIR_TX },
	{ NULL, 0 }
};

const struct keyword df_keywords[] = {
	{ "unset", TLSTUN_DF_UNSET },
	{ "set", TLSTUN_DF_SET },
	{ "inherit", TLSTUN_DF_INHERIT },
	{ NULL, 0 }
};

const struct keyword expire_keywords[] = {
	{ "packets", TLSTUN_EXPIRE_PACKETS },
	{ "bytes", TLSTUN_EXPIRE_BYTES },
	{ "seconds", TLSTUN_EXPIRE_SECONDS },
	{ "counter", TLSTUN_EXPIRE_COUNTER },
	{ NULL, 0 }
};

static int fail(struct parse_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parse_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int keyword_lookup(const struct keyword *table, const char *s,
		   unsigned int *value)
{
	for (; table->name; table++) {
		if (!strcmp(table->name, s)) {
			*value = table->value;
			return 0;
		}
	}
	return -1;
}

const char *keyword_name(const struct keyword *table, unsigned int value)
{
	for (; table->name; table++)
		if (table->value == value)
			return table->name;
	return NULL;
}

/* "a, b or c", for error messages; -1 if @buf is too small. */
int keyword_list(const struct keyword *table, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (const struct keyword *k = table; k->name; k++) {
		const char *sep = k == table ? "" :
				  (k + 1)->name ? ", " : " or ";

		n = snprintf(buf + used, len - used, "%s%s", sep, k->name);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += n;
	}
	return 0;
}

/*
 * Decimal, or hex after "0x". strtoull alone would also take a sign,
 * leading blanks and octal, and wrap "-1" to the maximum.
 */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	      struct parse_err *e)
{
	unsigned long long v;
	const char *digits = s;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits = s + 2;
		base = 16;
	}
	if (!*digits)
		return fail(e, "not a number");
	for (const char *c = digits; *c; c++)
		if (!(base == 16 ? isxdigit((unsigned char)*c) :
				   isdigit((unsigned char)*c)))
			return fail(e, "not a number");
	errno = 0;
	v = strtoull(digits, NULL, base);
	if (errno == ERANGE || v < min || v > max)
		return fail(e, "must be between %llu and %llu",
			    (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

/* parse_u32(), parse_u16(), parse_u8(): parse_u64() into narrower types. */
#define DEFINE_PARSE_UINT(bits)						\
int parse_u##bits(const char *s, uint##bits##_t min,			\
		  uint##bits##_t max, uint##bits##_t *out,		\
		  struct parse_err *e)					\
{									\
	uint64_t v;							\
									\
	if (parse_u64(s, min, max, &v, e))				\
		return -1;						\
	*out = (uint##bits##_t)v;					\
	return 0;							\
}

DEFINE_PARSE_UINT(32)
DEFINE_PARSE_UINT(16)
DEFINE_PARSE_UINT(8)

/* SPI 0 means "no SA" on the wire, so it cannot name one. */
int parse_spi(const char *s, uint32_t *spi, struct parse_err *e)
{
	uint64_t v;

	if (parse_u64(s, 0, UINT32_MAX, &v, e))
		return fail(e, "not an SPI (1..0xffffffff, decimal or 0x hex)");
	if (!v)
		return fail(e, "SPI 0 is reserved");
	*spi = v;
	return 0;
}

int parse_keyword(const struct keyword *table, const char *what,
		  const char *s, unsigned int *value, struct parse_err *e)
{
	char list[96];

	if (!keyword_lookup(table, s, value))
		return 0;
	if (keyword_list(table, list, sizeof(list)))
		return fail(e, "unknown %s", what);
	return fail(e, "unknown %s (expected %s)", what, list);
}

int parse_addr(const char *s, struct tlstun_addr *addr, struct parse_err *e)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, s, &addr->v4) == 1) {
		addr->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &addr->v6) == 1) {
		addr->family = AF_INET6;
		return 0;
	}
	return fail(e, "not an IPv4 or IPv6 address");
}

/* The kernel's dev_valid_name(), so the error comes before any request. */
int parse_ifname(const char *s, struct parse_err *e)
{
	size_t len = strlen(s);

	if (!len)
		return fail(e, "empty interface name");
	if (len >= IFNAMSIZ)
		return fail(e, "interface name longer than %d bytes",
			    IFNAMSIZ - 1);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return fail(e, "not a valid interface name");
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return fail(e, "interface name contains '%c'",
				    *s == '/' || *s == ':' ? *s : ' ');
	return 0;
}

/* Control characters would let a label forge lines in "sa show" output. */
int parse_peer(const char *s, struct parse_err *e)
{
	size_t len = strlen(s);

	if (!len)
		return fail(e, "empty peer label");
	if (len >= TLSTUN_PEER_MAX)
		return fail(e, "peer label longer than %d bytes",
			    TLSTUN_PEER_MAX - 1);
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return fail(e, "peer label contains a control character");
	return 0;
}

size_t suite_key_len(unsigned int suite)
{
	return TLSTUN_SUITE_KEY_LEN(suite);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 2 * @keylen hex digits; a key of another length is a mistake. */
int parse_key_hex(const char *hex, size_t hexlen, uint8_t *key,
		  size_t keylen, struct parse_err *e)
{
	size_t i;

	/* "0x" first, as ip xfrm writes keys: never a hex digit. */
	if (hexlen >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		hexlen -= 2;
	}
	for (i = 0; i < hexlen; i++)
		if (hexval(hex[i]) < 0)
			return fail(e, "the key is not a hex string");
	if (hexlen != 2 * keylen)
		return fail(e, "the key must be %zu hex digits (%zu bytes), not %zu",
			    2 * keylen, keylen, hexlen);
	for (i = 0; i < keylen; i++)
		key[i] = hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]);
	return 0;
}

/* The file's hex, with surrounding whitespace trimmed, as for "key HEX". */
static int parse_key_file(const char *path, uint8_t *key, size_t keylen,
			  bool *loose_mode, struct parse_err *e)
{
	char buf[PARSE_KEY_FILE_MAX + 1];
	size_t len = 0, start = 0;
	struct stat st;
	ssize_t n;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(e, "cannot open the key file: %s", strerror(errno));
	if (fstat(fd, &st)) {
		fail(e, "cannot stat the key file: %s", strerror(errno));
		goto out_close;
	}
	*loose_mode = S_ISREG(st.st_mode) && (st.st_mode & 0077);
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(e, "cannot read the key file: %s",
			     strerror(errno));
			goto out_wipe;
		}
		if (!n)
			break;
		len += n;
	}
	if (len > PARSE_KEY_FILE_MAX) {
		fail(e, "the key file is larger than %d bytes",
		     PARSE_KEY_FILE_MAX);
		goto out_wipe;
	}
	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	while (start < len && isspace((unsigned char)buf[start]))
		start++;
	if (start == len) {
		fail(e, "the key file is empty");
		goto out_wipe;
	}
	ret = parse_key_hex(buf + start, len - start, key, keylen, e);
out_wipe:
	explicit_bzero(buf, sizeof(buf));
out_close:
	close(fd);
	return ret;
}

/*
 * @arg is HEX or @FILE; @key gets suite_key_len(@suite) bytes. On failure
 * @key may hold part of a key: the caller wipes it either way.
 */
int parse_key(const char *arg, unsigned int suite, uint8_t *key,
	      bool *loose_mode, struct parse_err *e)
{
	size_t keylen = suite_key_len(suite);

	*loose_mode = false;
	if (!keylen)
		return fail(e, "unknown suite %u", suite);
	if (arg[0] == '@')
		return parse_key_file(arg + 1, key, keylen, loose_mode, e);
	return parse_key_hex(arg, strlen(arg), key, keylen, e);
}
