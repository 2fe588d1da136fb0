/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The committed test certificates (certs/README) as the trust and identity
 * suites use them. Paths are relative to selftests/unit, where "make run"
 * starts every suite. Include after <cmocka.h>.
 */
#ifndef TLSTUN_TESTCERTS_H
#define TLSTUN_TESTCERTS_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "identity.h"

#define TC_DIR		"certs/"
/* The verification time every window in gen.sh is placed around. */
/* 2026-06-01T00:00:00Z */
#define TC_TIME		((time_t)1780272000)
#define TC_NODE_A	"0x00112233445566778899aabbccddeeff"
#define TC_NODE_B	"0xffeeddccbbaa99887766554433221100"

/* Reads a file whole; fails the test if it cannot. */
static inline uint8_t *tc_read_path(const char *path, size_t *len)
{
	uint8_t *buf;
	long size;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	buf = malloc(size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, size, f), size);
	fclose(f);
	*len = size;
	return buf;
}

/* Reads certs/<name> whole. */
static inline uint8_t *tc_read(const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), TC_DIR "%s", name);
	return tc_read_path(path, len);
}

/* The pin gen.sh computed with the openssl CLI for certs/<cert>.pin. */
static inline void tc_pin(const char *cert, uint8_t pin[TLSTUND_PIN_LEN])
{
	char name[128], text[TLSTUND_PIN_STRLEN + 1];
	uint8_t *buf;
	size_t len;

	snprintf(name, sizeof(name), "%s.pin", cert);
	buf = tc_read(name, &len);
	assert_int_equal(len, TLSTUND_PIN_STRLEN);
	assert_int_equal(buf[len - 1], '\n');
	memcpy(text, buf, len - 1);
	text[len - 1] = '\0';
	free(buf);
	assert_int_equal(tlstund_pin_parse(text, pin), 0);
}

static inline void tc_node(const char *text, uint8_t id[TLSTUND_NODE_ID_LEN])
{
	assert_int_equal(tlstund_node_id_parse(text, id), 0);
}

/* A fresh private directory for one test. */
static inline char *tc_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	assert_true(asprintf(&dir, "%s/tlstun-test.XXXXXX",
			     base ? base : "/tmp") > 0);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static inline int tc_rm(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static inline void tc_rmtree(char *dir)
{
	chmod(dir, 0700);
	nftw(dir, tc_rm, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static inline char *tc_put(const char *dir, const char *name,
			   const void *data, size_t len, const char *how)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, how);
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Writes @len bytes to @dir/@name with @mode; returns the path. */
static inline char *tc_write(const char *dir, const char *name,
			     const void *data, size_t len, mode_t mode)
{
	char *path = tc_put(dir, name, data, len, "wb");

	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static inline void tc_append(const char *dir, const char *name,
			     const void *data, size_t len)
{
	free(tc_put(dir, name, data, len, "ab"));
}

/* A chain of committed certificates as DER, leaf first, as a peer sends
 * it: at most nine, one more than a peer may send (trust.h).
 */
struct tc_chain {
	const uint8_t *der[9];
	size_t len[9];
	size_t n;
};

/* certs/<name>.der for each of the NULL-terminated @names. */
static inline void tc_chain_load(struct tc_chain *c, const char *const *names)
{
	char file[128];

	memset(c, 0, sizeof(*c));
	for (; *names; names++) {
		assert_true(c->n < sizeof(c->der) / sizeof(c->der[0]));
		snprintf(file, sizeof(file), "%s.der", *names);
		c->der[c->n] = tc_read(file, &c->len[c->n]);
		c->n++;
	}
}

static inline void tc_chain_free(struct tc_chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free((void *)c->der[i]);
}

#endif /* TLSTUN_TESTCERTS_H */
