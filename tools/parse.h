/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure argument parsing for the tlstun tool: numbers, SPIs, keys, addresses
 * and the keyword tables shared by input and output. Nothing here talks to
 * the kernel or prints, so selftests/unit/test_tool.c compiles this file
 * as it is.
 */
#ifndef TLSTUN_TOOL_PARSE_H
#define TLSTUN_TOOL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* Why an argument was refused; the caller quotes the argument itself. */
struct parse_err {
	char msg[128];
};

/* A keyword and the uapi value it stands for. */
struct keyword {
	const char *name;
	unsigned int value;
};

struct tlstun_addr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* Longest key any suite takes, in bytes. */
#define PARSE_KEY_MAX	32
/* A key file holds hex and whitespace; anything longer is not a key. */
#define PARSE_KEY_FILE_MAX	4096

extern const struct keyword suite_keywords[];
extern const struct keyword dir_keywords[];
extern const struct keyword df_keywords[];
extern const struct keyword expire_keywords[];

int keyword_lookup(const struct keyword *table, const char *s,
		   unsigned int *value);
const char *keyword_name(const struct keyword *table, unsigned int value);
int keyword_list(const struct keyword *table, char *buf, size_t len);

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
	      struct parse_err *e);
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out,
	      struct parse_err *e);
int parse_u16(const char *s, uint16_t min, uint16_t max, uint16_t *out,
	      struct parse_err *e);
int parse_u8(const char *s, uint8_t min, uint8_t max, uint8_t *out,
	     struct parse_err *e);
int parse_spi(const char *s, uint32_t *spi, struct parse_err *e);
int parse_keyword(const struct keyword *table, const char *what,
		  const char *s, unsigned int *value, struct parse_err *e);
int parse_addr(const char *s, struct tlstun_addr *addr, struct parse_err *e);
int parse_ifname(const char *s, struct parse_err *e);
int parse_peer(const char *s, struct parse_err *e);

size_t suite_key_len(unsigned int suite);
int parse_key_hex(const char *hex, size_t hexlen, uint8_t *key,
		  size_t keylen, struct parse_err *e);
int parse_key(const char *arg, unsigned int suite, uint8_t *key,
	      bool *loose_mode, struct parse_err *e);

#endif /* TLSTUN_TOOL_PARSE_H */
