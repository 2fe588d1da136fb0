// SPDX-License-Identifier: GPL-2.0
/*
 * The worked examples of Documentation/wire-format.rst are the reference
 * the VM tests compare the module's packets with, so they must be right:
 * read them from the document itself, rebuild the header with
 * kmod/geneve.c and redo the AES-GCM seal and open with OpenSSL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "geneve.h"

/* Tests run from selftests/unit (see its Makefile). */
#define WIRE_DOC	"../../Documentation/wire-format.rst"
#define MAX_EXAMPLES	8
#define MAX_FRAME	256

enum field {
	F_KEY, F_VNI, F_SPI, F_COUNTER, F_PLAINTEXT, F_AAD, F_NONCE,
	F_CIPHERTEXT, F_TAG, F_UDP_PAYLOAD, F_MAX
};

static const struct {
	const char *name;
	size_t len;		/* 0: variable */
} fields[F_MAX] = {
	[F_KEY]		= { "key", 0 },
	[F_VNI]		= { "vni", 3 },
	[F_SPI]		= { "spi", 4 },
	[F_COUNTER]	= { "counter", 8 },
	[F_PLAINTEXT]	= { "plaintext", 0 },
	[F_AAD]		= { "aad", TLSTUN_GENEVE_HLEN },
	[F_NONCE]	= { "nonce", TLSTUN_GENEVE_NONCE_LEN },
	[F_CIPHERTEXT]	= { "ciphertext", 0 },
	[F_TAG]		= { "tag", TLSTUN_TAG_LEN },
	[F_UDP_PAYLOAD]	= { "udp_payload", 0 },
};

struct example {
	char name[32];
	u8 *val[F_MAX];
	size_t len[F_MAX];
};

struct doc {
	char *text;
	struct example ex[MAX_EXAMPLES];
	unsigned int nex;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lower-case hex, even length, nothing else; NULL if not. */
static u8 *unhex(const char *s, size_t *len)
{
	size_t n = strlen(s), i;
	u8 *out;

	if (!n || n % 2)
		return NULL;
	out = malloc(n / 2);
	if (!out)
		return NULL;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = hi << 4 | lo;
	}
	*len = n / 2;
	return out;
}

static void free_doc(struct doc *d)
{
	unsigned int i, f;

	for (i = 0; i < d->nex; i++)
		for (f = 0; f < F_MAX; f++)
			free(d->ex[i].val[f]);
	free(d->text);
	free(d);
}

/*
 * An example is the run of indented "name: hex" lines that starts with
 * "example: <name>" and ends at the next unindented line. Inside one, an
 * unknown name, a repeated name or a value that is not hex is an error,
 * so the document cannot drift from this parser silently.
 */
static int parse_line(struct doc *d, struct example **cur, char *line,
		      unsigned int lineno)
{
	char *name, *val, *end;
	unsigned int f;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] && !isspace((unsigned char)line[0])) {
		*cur = NULL;
		return 0;
	}
	for (name = line; isspace((unsigned char)*name); name++)
		;
	val = strstr(name, ": ");
	if (!val)
		return 0;
	*val = '\0';
	val += 2;
	for (end = val + strlen(val); end > val && isspace((unsigned char)end[-1]);)
		*--end = '\0';

	if (!strcmp(name, "example")) {
		if (d->nex == MAX_EXAMPLES || strlen(val) >= sizeof((*cur)->name)) {
			fprintf(stderr, "%s:%u: too many or too long examples\n",
				WIRE_DOC, lineno);
			return -1;
		}
		*cur = &d->ex[d->nex++];
		snprintf((*cur)->name, sizeof((*cur)->name), "%s", val);
		return 0;
	}
	if (!*cur)
		return 0;
	for (f = 0; f < F_MAX; f++)
		if (!strcmp(name, fields[f].name))
			break;
	if (f == F_MAX || (*cur)->val[f]) {
		fprintf(stderr, "%s:%u: unknown or repeated field \"%s\"\n",
			WIRE_DOC, lineno, name);
		return -1;
	}
	(*cur)->val[f] = unhex(val, &(*cur)->len[f]);
	if (!(*cur)->val[f]) {
		fprintf(stderr, "%s:%u: \"%s\" is not lower-case hex\n",
			WIRE_DOC, lineno, val);
		return -1;
	}
	return 0;
}

static int setup(void **state)
{
	struct doc *d = calloc(1, sizeof(*d));
	struct example *cur = NULL;
	unsigned int lineno = 0;
	size_t cap = 0, used = 0;
	char *line = NULL;
	ssize_t n;
	FILE *fp;

	if (!d)
		return -1;
	fp = fopen(WIRE_DOC, "r");
	if (!fp) {
		perror(WIRE_DOC);
		free(d);
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		char *t = realloc(d->text, used + n + 1);

		if (!t)
			goto err;
		d->text = t;
		memcpy(d->text + used, line, n + 1);
		used += n;
		if (parse_line(d, &cur, line, ++lineno))
			goto err;
	}
	free(line);
	fclose(fp);
	*state = d;
	return 0;
err:
	free(line);
	fclose(fp);
	free_doc(d);
	return -1;
}

static int teardown(void **state)
{
	if (*state)
		free_doc(*state);
	return 0;
}

static const struct example *find(const struct doc *d, const char *name)
{
	unsigned int i;

	for (i = 0; i < d->nex; i++)
		if (!strcmp(d->ex[i].name, name))
			return &d->ex[i];
	fail_msg("example \"%s\" is missing from %s", name, WIRE_DOC);
	return NULL;
}

static const EVP_CIPHER *cipher_for(size_t keylen)
{
	return keylen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
}

static void seal(const struct example *e, u8 *ct, u8 *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, fin;

	assert_non_null(ctx);
	assert_int_equal(EVP_EncryptInit_ex(ctx, cipher_for(e->len[F_KEY]),
					    NULL, e->val[F_KEY],
					    e->val[F_NONCE]), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &n, e->val[F_AAD],
					   e->len[F_AAD]), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, ct, &n, e->val[F_PLAINTEXT],
					   e->len[F_PLAINTEXT]), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, ct + n, &fin), 1);
	assert_int_equal(n + fin, e->len[F_PLAINTEXT]);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
					     TLSTUN_TAG_LEN, tag), 1);
	EVP_CIPHER_CTX_free(ctx);
}

/* true if the tag verifies; pt gets the plaintext */
static bool open_ok(const struct example *e, const u8 *aad, const u8 *ct,
		    const u8 *tag, u8 *pt)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	u8 t[TLSTUN_TAG_LEN];
	int n, fin, ok;

	assert_non_null(ctx);
	memcpy(t, tag, sizeof(t));
	assert_int_equal(EVP_DecryptInit_ex(ctx, cipher_for(e->len[F_KEY]),
					    NULL, e->val[F_KEY],
					    e->val[F_NONCE]), 1);
	assert_int_equal(EVP_DecryptUpdate(ctx, NULL, &n, aad,
					   TLSTUN_GENEVE_HLEN), 1);
	assert_int_equal(EVP_DecryptUpdate(ctx, pt, &n, ct,
					   e->len[F_CIPHERTEXT]), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
					     TLSTUN_TAG_LEN, t), 1);
	ok = EVP_DecryptFinal_ex(ctx, pt + n, &fin);
	EVP_CIPHER_CTX_free(ctx);
	return ok == 1;
}

static u64 be(const u8 *p, size_t len)
{
	u64 v = 0;

	while (len--)
		v = v << 8 | *p++;
	return v;
}

static void check_example(const struct doc *d, const char *name,
			  size_t keylen)
{
	const struct example *e = find(d, name);
	struct tlstun_geneve_info info;
	u8 hdr[TLSTUN_GENEVE_HLEN], aad[TLSTUN_GENEVE_HLEN];
	u8 ct[MAX_FRAME], pt[MAX_FRAME], tag[TLSTUN_TAG_LEN];
	u8 wire[TLSTUN_GENEVE_HLEN + MAX_FRAME + TLSTUN_TAG_LEN];
	size_t f, len;

	for (f = 0; f < F_MAX; f++) {
		if (!e->val[f])
			fail_msg("%s: field \"%s\" missing", name,
				 fields[f].name);
		if (fields[f].len && e->len[f] != fields[f].len)
			fail_msg("%s: %s is %zu bytes, want %zu", name,
				 fields[f].name, e->len[f], fields[f].len);
	}
	assert_int_equal(e->len[F_KEY], keylen);
	len = e->len[F_PLAINTEXT];
	assert_true(len >= 14 && len <= MAX_FRAME);
	assert_int_equal(e->len[F_CIPHERTEXT], len);
	assert_int_equal(e->len[F_UDP_PAYLOAD],
			 TLSTUN_GENEVE_HLEN + len + TLSTUN_TAG_LEN);

	/* the header is what geneve.c builds and parses back */
	tlstun_geneve_build(hdr, be(e->val[F_VNI], 3), be(e->val[F_SPI], 4),
			    be(e->val[F_COUNTER], 8));
	assert_memory_equal(hdr, e->val[F_AAD], TLSTUN_GENEVE_HLEN);
	assert_int_equal(tlstun_geneve_parse(e->val[F_AAD], TLSTUN_GENEVE_HLEN,
					     &info), 0);
	assert_int_equal(info.vni, be(e->val[F_VNI], 3));
	assert_int_equal(info.spi, be(e->val[F_SPI], 4));
	assert_int_equal(info.counter, be(e->val[F_COUNTER], 8));
	assert_memory_equal(info.nonce, e->val[F_NONCE],
			    TLSTUN_GENEVE_NONCE_LEN);

	/* nonce = SPI || counter */
	assert_memory_equal(e->val[F_NONCE], e->val[F_SPI], 4);
	assert_memory_equal(e->val[F_NONCE] + 4, e->val[F_COUNTER], 8);

	seal(e, ct, tag);
	assert_memory_equal(ct, e->val[F_CIPHERTEXT], len);
	assert_memory_equal(tag, e->val[F_TAG], TLSTUN_TAG_LEN);

	memcpy(wire, e->val[F_AAD], TLSTUN_GENEVE_HLEN);
	memcpy(wire + TLSTUN_GENEVE_HLEN, ct, len);
	memcpy(wire + TLSTUN_GENEVE_HLEN + len, tag, TLSTUN_TAG_LEN);
	assert_memory_equal(wire, e->val[F_UDP_PAYLOAD],
			    e->len[F_UDP_PAYLOAD]);

	assert_true(open_ok(e, e->val[F_AAD], ct, tag, pt));
	assert_memory_equal(pt, e->val[F_PLAINTEXT], len);

	ct[len / 2] ^= 0x01;
	assert_false(open_ok(e, e->val[F_AAD], ct, tag, pt));
	ct[len / 2] ^= 0x01;
	tag[TLSTUN_TAG_LEN - 1] ^= 0x80;
	assert_false(open_ok(e, e->val[F_AAD], ct, tag, pt));
	tag[TLSTUN_TAG_LEN - 1] ^= 0x80;
	/* a reserved bit the parser ignores is still authenticated */
	memcpy(aad, e->val[F_AAD], sizeof(aad));
	aad[7] ^= 0x01;
	assert_int_equal(tlstun_geneve_parse(aad, sizeof(aad), &info), 0);
	assert_false(open_ok(e, aad, ct, tag, pt));
	aad[7] ^= 0x01;
	aad[4] ^= 0x01;		/* the VNI */
	assert_false(open_ok(e, aad, ct, tag, pt));
}

static void test_aes_gcm_128(void **state)
{
	check_example(*state, "aes-gcm-128", 16);
}

static void test_aes_gcm_256(void **state)
{
	check_example(*state, "aes-gcm-256", 32);
}

/* The MTU numbers in the text follow from the uapi constants. */
static void test_overhead(void **state)
{
	const struct doc *d = *state;
	const int eth = 14, udp = 8;
	char want[64];

	snprintf(want, sizeof(want), "1500 - %d = %d",
		 20 + udp + TLSTUN_OVERHEAD + eth,
		 1500 - (20 + udp + TLSTUN_OVERHEAD + eth));
	if (!strstr(d->text, want))
		fail_msg("\"%s\" not in %s", want, WIRE_DOC);
	snprintf(want, sizeof(want), "1500 - %d = %d",
		 40 + udp + TLSTUN_OVERHEAD + eth,
		 1500 - (40 + udp + TLSTUN_OVERHEAD + eth));
	if (!strstr(d->text, want))
		fail_msg("\"%s\" not in %s", want, WIRE_DOC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aes_gcm_128),
		cmocka_unit_test(test_aes_gcm_256),
		cmocka_unit_test(test_overhead),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("wire_vector", tests, setup,
					   teardown);
}
