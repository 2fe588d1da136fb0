// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tlshd/keysched.c: the primitives against their published
 * vectors, the PSP SA-key derivation against the PSP vectors and against
 * OpenSSL's own SP 800-108 implementation (KBKDF), the master keys against
 * an HMAC-only HKDF written from RFC 5869, and the SPI allocator's rules.
 *
 * Vector sources:
 * - AES-CMAC-128: RFC 4493 section 4, examples 1-4.
 * - AES-CMAC-256: NIST SP 800-38B (2005) appendix D.3, examples 9-12
 *   (key 603deb10...).
 * - HKDF-SHA256: RFC 5869 appendix A.1-A.3.
 * - PSP: master keys and SPIs of google/psp cfg/encrypt_*.cfg, e.g.
 *   cfg/encrypt_transport_crypt_off_128.cfg (commit
 *   90a4a942f2f81b8a209ff37b26163aa405736cef); input-block layout of
 *   google/psp src/psp_encrypt.c derive_psp_key_128() (commit
 *   8ec5a3dfb18e87938601e4c992ea91c2da47603a). Expected keys: the
 *   "Examples of key derivation" of doc/PSP_Arch_Spec.pdf as quoted by
 *   apoxy-dev/softpsp psp/kdf_test.go (commit
 *   681420eb14690efe456fa9aa606fefeddc9047fc), and the outputs of
 *   google/psp@8ac5fc19be57fbff18f44bb0b1d8e91c34b7260a recorded in
 *   apoxy-dev/softpsp interop/testdata/vectors.json (commit
 *   def64a7a0c8cbd5e6dcc032b16230b772adac480).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "keysched.h"

/* Decodes exactly len bytes of hex; a short or bad string fails the test. */
static void unhex(const char *s, uint8_t *out, size_t len)
{
	size_t i;

	assert_int_equal(strlen(s), 2 * len);
	for (i = 0; i < len; i++) {
		unsigned int v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = v;
	}
}

static void assert_hex_equal(const uint8_t *got, const char *want, size_t len)
{
	uint8_t buf[128];

	assert_true(len <= sizeof(buf));
	unhex(want, buf, len);
	assert_memory_equal(got, buf, len);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/* RFC 4493 section 4 / SP 800-38B D.1 and D.3 share their messages. */
static const char cmac_msg[] =
	"6bc1bee22e409f96e93d7e117393172a"
	"ae2d8a571e03ac9c9eb76fac45af8e51"
	"30c81c46a35ce411e5fbc1191a0a52ef"
	"f69f2445df4f9b17ad2b417be66c3710";

struct cmac_vec {
	size_t msglen;
	const char *tag;
};

static void check_cmac(const char *keyhex, size_t keylen,
		       const struct cmac_vec *v, size_t n)
{
	uint8_t key[32], msg[64], tag[TLSTUND_CMAC_LEN];
	size_t i;

	unhex(keyhex, key, keylen);
	unhex(cmac_msg, msg, sizeof(msg));
	for (i = 0; i < n; i++) {
		assert_int_equal(tlstund_keysched_cmac(key, keylen, msg,
						       v[i].msglen, tag), 0);
		assert_hex_equal(tag, v[i].tag, sizeof(tag));
	}
}

static void test_cmac_rfc4493(void **state)
{
	static const struct cmac_vec v[] = {
		{ 0, "bb1d6929e95937287fa37d129b756746" },
		{ 16, "070a16b46b4d4144f79bdd9dd04a287c" },
		{ 40, "dfa66747de9ae63030ca32611497c827" },
		{ 64, "51f0bebf7e3b9d92fc49741779363cfe" },
	};

	(void)state;
	check_cmac("2b7e151628aed2a6abf7158809cf4f3c", 16, v, 4);
}

static void test_cmac_aes256_sp800_38b(void **state)
{
	static const struct cmac_vec v[] = {
		{ 0, "028962f61b7bf89efc6b551f4667d983" },
		{ 16, "28a7023f452e8f82bd4bf28d8c37c35c" },
		{ 40, "aaf3d8f1de5640c232f5b169b9c911e6" },
		{ 64, "e1992190549f6ed5696a2c056c315410" },
	};

	(void)state;
	check_cmac("603deb1015ca71be2b73aef0857d7781"
		   "1f352c073b6108d72d9810a30914dff4", 32, v, 4);
}

static void test_cmac_rejects_bad_args(void **state)
{
	uint8_t key[32] = { 1 }, msg[16] = { 2 }, tag[TLSTUND_CMAC_LEN];

	(void)state;
	/* AES-192 is a valid CMAC but nothing here needs it. */
	memset(tag, 0xaa, sizeof(tag));
	assert_int_equal(tlstund_keysched_cmac(key, 24, msg, 16, tag), -EINVAL);
	assert_true(all_zero(tag, sizeof(tag)));
	assert_int_equal(tlstund_keysched_cmac(key, 0, msg, 16, tag), -EINVAL);
	assert_int_equal(tlstund_keysched_cmac(NULL, 16, msg, 16, tag),
			 -EINVAL);
	assert_int_equal(tlstund_keysched_cmac(key, 16, NULL, 1, tag), -EINVAL);
	assert_int_equal(tlstund_keysched_cmac(key, 16, msg, 16, NULL),
			 -EINVAL);
	/* An empty message may be given as NULL. */
	assert_int_equal(tlstund_keysched_cmac(key, 16, NULL, 0, tag), 0);
}

static void fill_range(uint8_t *p, size_t len, uint8_t first)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = first + i;
}

static void test_hkdf_rfc5869(void **state)
{
	uint8_t ikm[80], salt[80], info[80], okm[82];

	(void)state;
	/* A.1: basic test case with SHA-256. */
	memset(ikm, 0x0b, 22);
	fill_range(salt, 13, 0x00);
	fill_range(info, 10, 0xf0);
	assert_int_equal(tlstund_keysched_hkdf(salt, 13, ikm, 22, info, 10,
					       okm, 42), 0);
	assert_hex_equal(okm, "3cb25f25faacd57a90434f64d0362f2a"
			      "2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
			      "34007208d5b887185865", 42);

	/* A.2: longer inputs and outputs. */
	fill_range(ikm, 80, 0x00);
	fill_range(salt, 80, 0x60);
	fill_range(info, 80, 0xb0);
	assert_int_equal(tlstund_keysched_hkdf(salt, 80, ikm, 80, info, 80,
					       okm, 82), 0);
	assert_hex_equal(okm, "b11e398dc80327a1c8e7f78c596a4934"
			      "4f012eda2d4efad8a050cc4c19afa97c"
			      "59045a99cac7827271cb41c65e590e09"
			      "da3275600c2f09b8367793a9aca3db71"
			      "cc30c58179ec3e87c14c01d5c1f3434f"
			      "1d87", 82);

	/* A.3: zero-length salt and info, the form the master keys use. */
	memset(ikm, 0x0b, 22);
	assert_int_equal(tlstund_keysched_hkdf(NULL, 0, ikm, 22, NULL, 0,
					       okm, 42), 0);
	assert_hex_equal(okm, "8da4e775a563c18f715f802a063c5a31"
			      "b8a11f5c5ee1879ec3454e5f3c738d2d"
			      "9d201395faa4b61a96c8", 42);
}

static void test_hkdf_rejects_bad_args(void **state)
{
	uint8_t ikm[32] = { 1 }, okm[64];

	(void)state;
	memset(okm, 0xaa, sizeof(okm));
	assert_int_equal(tlstund_keysched_hkdf(NULL, 0, ikm, 0, NULL, 0,
					       okm, 32), -EINVAL);
	assert_true(all_zero(okm, 32));
	assert_int_equal(tlstund_keysched_hkdf(NULL, 0, NULL, 32, NULL, 0,
					       okm, 32), -EINVAL);
	assert_int_equal(tlstund_keysched_hkdf(NULL, 1, ikm, 32, NULL, 0,
					       okm, 32), -EINVAL);
	assert_int_equal(tlstund_keysched_hkdf(NULL, 0, ikm, 32, NULL, 1,
					       okm, 32), -EINVAL);
	assert_int_equal(tlstund_keysched_hkdf(NULL, 0, ikm, 32, NULL, 0,
					       okm, 0), -EINVAL);
	assert_int_equal(tlstund_keysched_hkdf(NULL, 0, ikm, 32, NULL, 0,
					       NULL, 32), -EINVAL);
	/* RFC 5869: L <= 255 * HashLen. */
	assert_int_equal(tlstund_keysched_hkdf(NULL, 0, ikm, 32, NULL, 0,
					       okm, 255 * 32 + 1), -EINVAL);
}

/* PSP master keys of google/psp cfg/encrypt_*.cfg. */
static const char psp_mk0[] =
	"34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca";
static const char psp_mk1[] =
	"563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739";

static void psp_keysched(struct tlstund_keysched *ks)
{
	unhex(psp_mk0, ks->master[0], TLSTUND_MASTER_KEY_LEN);
	unhex(psp_mk1, ks->master[1], TLSTUND_MASTER_KEY_LEN);
	ks->ready = true;
}

struct sa_vec {
	uint32_t spi;
	enum tlstun_suite suite;
	const char *key;
};

static void check_sa_vecs(const struct tlstund_keysched *ks,
			  const struct sa_vec *v, size_t n)
{
	uint8_t key[TLSTUND_SA_KEY_MAX];
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = tlstund_keysched_suite_keylen(v[i].suite);
		assert_int_equal(tlstund_keysched_sa_key(ks, v[i].spi,
							 v[i].suite, key, len),
				 0);
		assert_hex_equal(key, v[i].key, len);
	}
}

static void test_psp_spec_examples(void **state)
{
	static const struct sa_vec v[] = {
		{ 0x12345678, TLSTUN_SUITE_AES_GCM_128,
		  "96c22dc799198090b74b70ae468e4e30" },
		{ 0x9a345678, TLSTUN_SUITE_AES_GCM_128,
		  "3946da2554eae46ad1ef77a64372edc4" },
		{ 0x12345678, TLSTUN_SUITE_AES_GCM_256,
		  "2b7d72074e42ca334487f2990e3f8c40"
		  "37e436f38283449b76463e9b7fb2e3de" },
	};
	struct tlstund_keysched ks;

	(void)state;
	psp_keysched(&ks);
	check_sa_vecs(&ks, v, 3);
	tlstund_keysched_wipe(&ks);
}

/* Edge SPIs around the selector bit, both suites. */
static void test_psp_reference_vectors(void **state)
{
	static const struct sa_vec v[] = {
		{ 0x00000001, TLSTUN_SUITE_AES_GCM_128,
		  "1b49f224aa7a6c96f69aa652c933ffcf" },
		{ 0x7fffffff, TLSTUN_SUITE_AES_GCM_128,
		  "f7902f75a403e14ecb691bfabbb8d608" },
		{ 0x80000001, TLSTUN_SUITE_AES_GCM_128,
		  "9b951f8cf419b5c7f1af39c16631daca" },
		{ 0xffffffff, TLSTUN_SUITE_AES_GCM_128,
		  "4bf4390e84e9fd46a2c30754340af517" },
		{ 0x00000001, TLSTUN_SUITE_AES_GCM_256,
		  "780677d32b55274e6bbea4e5c0734bd4"
		  "c5cabd369d6c3042123247f575acddb6" },
		{ 0x7fffffff, TLSTUN_SUITE_AES_GCM_256,
		  "df7a1f14a1651110277f3b736ec5b949"
		  "bb0908cd5a1a41af26b5115e83d5823c" },
		{ 0x80000001, TLSTUN_SUITE_AES_GCM_256,
		  "49cfe84a4ca6f615374f1f9a69d504a5"
		  "5fe626bcbbd9dd0e0e729450b4656db7" },
		{ 0x9a345678, TLSTUN_SUITE_AES_GCM_256,
		  "fa00f609df6020289a1c93d6027081a6"
		  "37ad45b24a5576b36e6f49dd43114d80" },
		{ 0xffffffff, TLSTUN_SUITE_AES_GCM_256,
		  "2e501b41cfe91c69235cb8580dc74098"
		  "1ad7a02a37077e230de8ddfe7555140c" },
	};
	struct tlstund_keysched ks;

	(void)state;
	psp_keysched(&ks);
	check_sa_vecs(&ks, v, sizeof(v) / sizeof(v[0]));
	tlstund_keysched_wipe(&ks);
}

/*
 * OpenSSL's KBKDF is a separate SP 800-108 implementation whose counter
 * mode with the default r = 32, separator and [L]32 is exactly PSP's
 * block, so it is an oracle for any master key and SPI.
 */
static void kbkdf(const uint8_t *master, uint32_t spi, bool aes256,
		  uint8_t *out, size_t outlen)
{
	uint8_t label[3] = { 'P', 'v', aes256 ? '1' : '0' };
	uint8_t ctxt[4] = { spi >> 24, spi >> 16, spi >> 8, spi };
	OSSL_PARAM p[7];
	EVP_KDF_CTX *ctx;
	EVP_KDF *kdf;

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE,
						(char *)"COUNTER", 0);
	p[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC,
						(char *)"CMAC", 0);
	p[2] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_CIPHER,
						(char *)"AES-256-CBC", 0);
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)master, 32);
	p[4] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						 label, sizeof(label));
	p[5] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						 ctxt, sizeof(ctxt));
	p[6] = OSSL_PARAM_construct_end();

	kdf = EVP_KDF_fetch(NULL, "KBKDF", NULL);
	assert_non_null(kdf);
	ctx = EVP_KDF_CTX_new(kdf);
	assert_non_null(ctx);
	assert_int_equal(EVP_KDF_derive(ctx, out, outlen, p), 1);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

static void test_sa_key_matches_kbkdf(void **state)
{
	uint8_t key[32], want[32];
	struct tlstund_keysched ks;
	uint32_t spi = 0x2545f491;
	int i;

	(void)state;
	psp_keysched(&ks);
	for (i = 0; i < 256; i++) {
		/* xorshift32 walks SPIs of both selectors and roles. */
		spi ^= spi << 13;
		spi ^= spi >> 17;
		spi ^= spi << 5;

		assert_int_equal(tlstund_keysched_sa_key(&ks, spi,
				 TLSTUN_SUITE_AES_GCM_128, key, 16), 0);
		kbkdf(ks.master[spi >> 31], spi, false, want, 16);
		assert_memory_equal(key, want, 16);

		assert_int_equal(tlstund_keysched_sa_key(&ks, spi,
				 TLSTUN_SUITE_AES_GCM_256, key, 32), 0);
		kbkdf(ks.master[spi >> 31], spi, true, want, 32);
		assert_memory_equal(key, want, 32);
	}
	tlstund_keysched_wipe(&ks);
}

static void test_sa_key_rejects_bad_args(void **state)
{
	struct tlstund_keysched ks;
	uint8_t key[32];

	(void)state;
	psp_keysched(&ks);

	memset(key, 0xaa, sizeof(key));
	assert_int_equal(tlstund_keysched_sa_key(&ks, 0,
			 TLSTUN_SUITE_AES_GCM_128, key, 16), -EINVAL);
	assert_true(all_zero(key, 16));

	assert_int_equal(tlstund_keysched_sa_key(&ks, 1, TLSTUN_SUITE_UNSPEC,
						 key, 16), -EINVAL);
	assert_int_equal(tlstund_keysched_sa_key(&ks, 1,
			 (enum tlstun_suite)(TLSTUN_SUITE_MAX + 1), key, 16),
			 -EINVAL);
	/* The buffer length must match the suite, not merely fit it. */
	assert_int_equal(tlstund_keysched_sa_key(&ks, 1,
			 TLSTUN_SUITE_AES_GCM_128, key, 32), -EINVAL);
	assert_int_equal(tlstund_keysched_sa_key(&ks, 1,
			 TLSTUN_SUITE_AES_GCM_256, key, 16), -EINVAL);
	assert_int_equal(tlstund_keysched_sa_key(NULL, 1,
			 TLSTUN_SUITE_AES_GCM_128, key, 16), -EINVAL);
	assert_int_equal(tlstund_keysched_sa_key(&ks, 1,
			 TLSTUN_SUITE_AES_GCM_128, NULL, 16), -EINVAL);

	/* A wiped schedule derives nothing, and says so. */
	tlstund_keysched_wipe(&ks);
	assert_false(ks.ready);
	assert_true(all_zero(ks.master[0], sizeof(ks.master)));
	memset(key, 0xaa, sizeof(key));
	assert_int_equal(tlstund_keysched_sa_key(&ks, 1,
			 TLSTUN_SUITE_AES_GCM_256, key, 32), -ENOKEY);
	assert_true(all_zero(key, 32));
	tlstund_keysched_wipe(NULL);
}

static void test_suite_keylen(void **state)
{
	const enum tlstun_suite s128 = TLSTUN_SUITE_AES_GCM_128;
	const enum tlstun_suite s256 = TLSTUN_SUITE_AES_GCM_256;

	(void)state;
	assert_int_equal(tlstund_keysched_suite_keylen(s128), 16);
	assert_int_equal(tlstund_keysched_suite_keylen(s256), 32);
	assert_int_equal(tlstund_keysched_suite_keylen(TLSTUN_SUITE_UNSPEC), 0);
	assert_int_equal(tlstund_keysched_suite_keylen(__TLSTUN_SUITE_MAX), 0);
}

static void test_sa_key_suites_unrelated(void **state)
{
	struct tlstund_keysched ks;
	uint8_t k128[16], k256[32];

	(void)state;
	psp_keysched(&ks);
	assert_int_equal(tlstund_keysched_sa_key(&ks, 0x12345678,
			 TLSTUN_SUITE_AES_GCM_128, k128, 16), 0);
	assert_int_equal(tlstund_keysched_sa_key(&ks, 0x12345678,
			 TLSTUN_SUITE_AES_GCM_256, k256, 32), 0);
	assert_memory_not_equal(k128, k256, 16);
	assert_memory_not_equal(k128, k256 + 16, 16);
	tlstund_keysched_wipe(&ks);
}

/* Bit 31 picks the master key, and nothing else does. */
static void test_sa_key_master_selector(void **state)
{
	static const uint32_t spis[] = { 0x00000001, 0x40000002, 0x3fffffff,
					 0x80000001, 0xc0000002, 0xffffffff };
	struct tlstund_keysched a, b;
	uint8_t ka[32], kb[32];
	size_t i;

	(void)state;
	psp_keysched(&a);
	psp_keysched(&b);
	b.master[0][0] ^= 1;
	for (i = 0; i < sizeof(spis) / sizeof(spis[0]); i++) {
		assert_int_equal(tlstund_keysched_sa_key(&a, spis[i],
				 TLSTUN_SUITE_AES_GCM_256, ka, 32), 0);
		assert_int_equal(tlstund_keysched_sa_key(&b, spis[i],
				 TLSTUN_SUITE_AES_GCM_256, kb, 32), 0);
		if (spis[i] >> 31)
			assert_memory_equal(ka, kb, 32);
		else
			assert_memory_not_equal(ka, kb, 32);
	}
	tlstund_keysched_wipe(&a);
	tlstund_keysched_wipe(&b);
}

static void hmac_sha256(const uint8_t *key, size_t keylen,
			const uint8_t *a, size_t alen,
			const uint8_t *b, size_t blen, uint8_t out[32])
{
	OSSL_PARAM p[2];
	EVP_MAC_CTX *ctx;
	EVP_MAC *mac;
	size_t outlen;

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						(char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	assert_non_null(mac);
	ctx = EVP_MAC_CTX_new(mac);
	assert_non_null(ctx);
	assert_int_equal(EVP_MAC_init(ctx, key, keylen, p), 1);
	assert_int_equal(EVP_MAC_update(ctx, a, alen), 1);
	assert_int_equal(EVP_MAC_update(ctx, b, blen), 1);
	assert_int_equal(EVP_MAC_final(ctx, out, &outlen, 32), 1);
	assert_int_equal(outlen, 32);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
}

/*
 * The masters as Documentation/key-schedule.rst states them, computed with
 * HMAC alone: PRK = HMAC(32 zero bytes, root); master = HMAC(PRK, info ||
 * 0x01), one expand block being exactly 32 bytes.
 */
static void documented_master(const uint8_t root[32], const char *info,
			      uint8_t out[32])
{
	static const uint8_t zeros[32], one = 0x01;
	uint8_t prk[32];

	hmac_sha256(zeros, sizeof(zeros), root, 32, NULL, 0, prk);
	hmac_sha256(prk, sizeof(prk), (const uint8_t *)info, strlen(info),
		    &one, 1, out);
}

static void test_init_matches_documented_hkdf(void **state)
{
	uint8_t root[TLSTUND_ROOT_LEN], want[32];
	struct tlstund_keysched ks;
	int r;

	(void)state;
	for (r = 0; r < 4; r++) {
		memset(root, 0x5a + r, sizeof(root));
		root[r] = r;
		assert_int_equal(tlstund_keysched_init(&ks, root), 0);
		assert_true(ks.ready);
		documented_master(root, "tlstun v1 master 0", want);
		assert_memory_equal(ks.master[0], want, 32);
		documented_master(root, "tlstun v1 master 1", want);
		assert_memory_equal(ks.master[1], want, 32);
		assert_memory_not_equal(ks.master[0], ks.master[1], 32);
		tlstund_keysched_wipe(&ks);
	}
}

static void test_init_deterministic(void **state)
{
	uint8_t root[TLSTUND_ROOT_LEN], k1[32], k2[32];
	struct tlstund_keysched a, b;

	(void)state;
	fill_range(root, sizeof(root), 0x40);
	assert_int_equal(tlstund_keysched_init(&a, root), 0);
	assert_int_equal(tlstund_keysched_init(&b, root), 0);
	assert_memory_equal(a.master, b.master, sizeof(a.master));
	assert_int_equal(tlstund_keysched_sa_key(&a, 0x40000007,
			 TLSTUN_SUITE_AES_GCM_256, k1, 32), 0);
	assert_int_equal(tlstund_keysched_sa_key(&b, 0x40000007,
			 TLSTUN_SUITE_AES_GCM_256, k2, 32), 0);
	assert_memory_equal(k1, k2, 32);

	/* One root bit changes both masters. */
	root[31] ^= 0x80;
	assert_int_equal(tlstund_keysched_init(&b, root), 0);
	assert_memory_not_equal(a.master[0], b.master[0], 32);
	assert_memory_not_equal(a.master[1], b.master[1], 32);

	assert_int_equal(tlstund_keysched_init(&b, NULL), -EINVAL);
	assert_false(b.ready);
	assert_true(all_zero(b.master[0], sizeof(b.master)));
	assert_int_equal(tlstund_keysched_init(NULL, root), -EINVAL);
	tlstund_keysched_wipe(&a);
}

static void test_exporter_context(void **state)
{
	uint8_t ctx[TLSTUND_EXPORTER_CONTEXT_LEN];

	(void)state;
	assert_int_equal(TLSTUND_EXPORTER_LABEL_LEN, 18);
	assert_memory_equal(TLSTUND_EXPORTER_LABEL, "EXPORTER-tlstun-v1", 18);

	assert_int_equal(tlstund_keysched_exporter_context(ctx, 1, 0x123456),
			 0);
	assert_hex_equal(ctx, "0000000100123456", sizeof(ctx));
	assert_int_equal(tlstund_keysched_exporter_context(ctx, 0x01020304,
							   0xffffff), 0);
	assert_hex_equal(ctx, "0102030400ffffff", sizeof(ctx));
	assert_int_equal(tlstund_keysched_exporter_context(ctx, 1, 0), 0);
	assert_hex_equal(ctx, "0000000100000000", sizeof(ctx));

	assert_int_equal(tlstund_keysched_exporter_context(ctx, 1, 0x1000000),
			 -EINVAL);
	assert_int_equal(tlstund_keysched_exporter_context(ctx, 0, 1), -EINVAL);
	assert_int_equal(tlstund_keysched_exporter_context(NULL, 1, 1),
			 -EINVAL);
}

static void test_spi_alloc_layout(void **state)
{
	static const uint32_t lower[] = { 0x00000001, 0x80000002, 0x00000003,
					  0x80000004 };
	static const uint32_t upper[] = { 0x40000001, 0xc0000002, 0x40000003,
					  0xc0000004 };
	struct tlstund_spi_alloc lo, up;
	uint32_t spi;
	int i;

	(void)state;
	assert_int_equal(tlstund_spi_alloc_init(&lo, TLSTUND_ROLE_LOWER, 0), 0);
	assert_int_equal(tlstund_spi_alloc_init(&up, TLSTUND_ROLE_UPPER, 0), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(tlstund_spi_alloc_next(&lo, 0, &spi), 0);
		assert_int_equal(spi, lower[i]);
		assert_int_equal(tlstund_spi_alloc_next(&up, 0, &spi), 0);
		assert_int_equal(spi, upper[i]);
	}
}

static void test_spi_alloc_long_run(void **state)
{
	const uint32_t n = 1U << 20;
	struct tlstund_spi_alloc a;
	enum tlstund_role role;
	uint32_t i, spi, prev;

	(void)state;
	for (role = TLSTUND_ROLE_LOWER; role <= TLSTUND_ROLE_UPPER; role++) {
		assert_int_equal(tlstund_spi_alloc_init(&a, role, 0), 0);
		prev = 0;
		for (i = 0; i < n; i++) {
			assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), 0);
			assert_int_not_equal(spi, 0);
			assert_int_equal((spi >> 30) & 1, role);
			assert_int_equal(spi >> 31, i & 1);
			/* Strictly increasing counters: no SPI repeats. */
			assert_true((spi & TLSTUND_SPI_COUNTER_MASK) > prev);
			prev = spi & TLSTUND_SPI_COUNTER_MASK;
			assert_true(tlstund_spi_valid_for_peer(spi, role));
			assert_false(tlstund_spi_valid_for_peer(spi, !role));
		}
	}
}

static void test_spi_alloc_exhaustion(void **state)
{
	struct tlstund_spi_alloc a;
	uint32_t spi = 0;

	(void)state;
	assert_int_equal(tlstund_spi_alloc_init(&a, TLSTUND_ROLE_UPPER, 0), 0);
	/* Skip ahead: 2^30 real allocations would only cost time. */
	a.next = TLSTUND_SPI_COUNTER_MAX - 1;
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), 0);
	assert_int_equal(spi & TLSTUND_SPI_COUNTER_MASK,
			 TLSTUND_SPI_COUNTER_MAX - 1);
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), 0);
	assert_int_equal(spi, 0xc0000000 | TLSTUND_SPI_COUNTER_MAX);

	spi = 0x12345678;
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), -ENOSPC);
	assert_int_equal(spi, 0x12345678);
	/* Exhaustion is sticky: no wrap back to counter 1. */
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), -ENOSPC);
	assert_int_equal(spi, 0x12345678);
}

/* The random start and gaps: in range, increasing, and a step past the
 * top exhausts the allocator instead of wrapping.
 */
static void test_spi_alloc_random(void **state)
{
	struct tlstund_spi_alloc a;
	uint32_t spi, prev;

	(void)state;
	assert_int_equal(tlstund_spi_alloc_init(&a, TLSTUND_ROLE_LOWER,
						UINT32_MAX), 0);
	assert_int_equal(tlstund_spi_alloc_next(&a, UINT32_MAX, &spi), 0);
	/* 1 + (2^32 - 1) % 2^29 */
	assert_int_equal(spi, TLSTUND_SPI_START_SPAN);
	prev = spi;
	assert_int_equal(tlstund_spi_alloc_next(&a, 5, &spi), 0);
	assert_int_equal(spi, 0x80000000 | (prev + TLSTUND_SPI_STEP_SPAN));
	prev = spi & TLSTUND_SPI_COUNTER_MASK;
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), 0);
	assert_int_equal(spi, prev + 6);

	a.next = TLSTUND_SPI_COUNTER_MAX - 3;
	assert_int_equal(tlstund_spi_alloc_next(&a, 1000, &spi), 0);
	assert_int_equal(spi & TLSTUND_SPI_COUNTER_MASK,
			 TLSTUND_SPI_COUNTER_MAX - 3);
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), -ENOSPC);
}

static void test_spi_alloc_rejects_bad_args(void **state)
{
	struct tlstund_spi_alloc a;
	uint32_t spi;

	(void)state;
	assert_int_equal(tlstund_spi_alloc_init(NULL, TLSTUND_ROLE_LOWER, 0),
			 -EINVAL);
	assert_int_equal(tlstund_spi_alloc_init(&a, (enum tlstund_role)2, 0),
			 -EINVAL);
	assert_int_equal(tlstund_spi_alloc_init(&a, TLSTUND_ROLE_LOWER, 0), 0);
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, NULL), -EINVAL);
	assert_int_equal(tlstund_spi_alloc_next(NULL, 0, &spi), -EINVAL);

	/* A zeroed or scribbled allocator must not hand out counter 0. */
	memset(&a, 0, sizeof(a));
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), -EINVAL);
	a.next = TLSTUND_SPI_COUNTER_MAX + 2;
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), -EINVAL);
	a.next = 1;
	a.role = (enum tlstund_role)7;
	assert_int_equal(tlstund_spi_alloc_next(&a, 0, &spi), -EINVAL);
}

static void test_spi_valid_for_peer(void **state)
{
	const enum tlstund_role lo = TLSTUND_ROLE_LOWER;
	const enum tlstund_role up = TLSTUND_ROLE_UPPER;

	(void)state;
	assert_false(tlstund_spi_valid_for_peer(0, lo));
	assert_false(tlstund_spi_valid_for_peer(0, up));
	/* Non-zero, but the counter field is zero. */
	assert_false(tlstund_spi_valid_for_peer(0x80000000, lo));
	assert_false(tlstund_spi_valid_for_peer(0x40000000, up));
	assert_false(tlstund_spi_valid_for_peer(0xc0000000, up));

	assert_true(tlstund_spi_valid_for_peer(0x00000001, lo));
	assert_true(tlstund_spi_valid_for_peer(0xbfffffff, lo));
	assert_false(tlstund_spi_valid_for_peer(0x40000001, lo));
	assert_true(tlstund_spi_valid_for_peer(0x40000001, up));
	assert_true(tlstund_spi_valid_for_peer(0xffffffff, up));
	assert_false(tlstund_spi_valid_for_peer(0x80000001, up));
	assert_false(tlstund_spi_valid_for_peer(1, (enum tlstund_role)2));
}

static void test_spi_peer_accept(void **state)
{
	struct tlstund_spi_peer p;

	(void)state;
	assert_int_equal(tlstund_spi_peer_init(NULL, TLSTUND_ROLE_UPPER),
			 -EINVAL);
	assert_int_equal(tlstund_spi_peer_init(&p, (enum tlstund_role)2),
			 -EINVAL);
	assert_int_equal(tlstund_spi_peer_init(&p, TLSTUND_ROLE_UPPER), 0);

	assert_int_equal(tlstund_spi_peer_accept(&p, 0x40000001), 0);
	/* The same SPI again, or the same counter under the other master. */
	assert_int_equal(tlstund_spi_peer_accept(&p, 0x40000001), -EALREADY);
	assert_int_equal(tlstund_spi_peer_accept(&p, 0xc0000001), -EALREADY);
	/* Gaps are fine: an offer may have been abandoned. */
	assert_int_equal(tlstund_spi_peer_accept(&p, 0xc0000004), 0);
	assert_int_equal(tlstund_spi_peer_accept(&p, 0x40000003), -EALREADY);
	assert_int_equal(tlstund_spi_peer_accept(&p, 0x00000005), -EINVAL);
	assert_int_equal(tlstund_spi_peer_accept(&p, 0), -EINVAL);
	assert_int_equal(tlstund_spi_peer_accept(&p, 0x40000005), 0);
	assert_int_equal(tlstund_spi_peer_accept(NULL, 0x40000006), -EINVAL);
}

/*
 * Two peers with the same root: each direction's key is the receiver's
 * SPI's key, both ends agree on it, and within a session no key repeats,
 * in particular tx != rx.
 */
static void test_directions_keys_differ(void **state)
{
	enum { GENS = 32 };
	static uint8_t seen[2 * GENS][32];
	struct tlstund_keysched ka, kb;
	struct tlstund_spi_alloc aa, ab;
	struct tlstund_spi_peer pa, pb;
	uint8_t root[TLSTUND_ROOT_LEN];
	uint8_t a_rx[32], a_tx[32], b_rx[32], b_tx[32];
	uint32_t spi_a, spi_b;
	int g, i;

	(void)state;
	fill_range(root, sizeof(root), 0x90);
	assert_int_equal(tlstund_keysched_init(&ka, root), 0);
	assert_int_equal(tlstund_keysched_init(&kb, root), 0);
	assert_int_equal(tlstund_spi_alloc_init(&aa, TLSTUND_ROLE_LOWER, 0), 0);
	assert_int_equal(tlstund_spi_alloc_init(&ab, TLSTUND_ROLE_UPPER, 0), 0);
	assert_int_equal(tlstund_spi_peer_init(&pa, TLSTUND_ROLE_UPPER), 0);
	assert_int_equal(tlstund_spi_peer_init(&pb, TLSTUND_ROLE_LOWER), 0);

	for (g = 0; g < GENS; g++) {
		/* Each peer allocates its receive SPI and offers it. */
		assert_int_equal(tlstund_spi_alloc_next(&aa, 0, &spi_a), 0);
		assert_int_equal(tlstund_spi_alloc_next(&ab, 0, &spi_b), 0);
		assert_int_not_equal(spi_a, spi_b);
		assert_int_equal(tlstund_spi_peer_accept(&pa, spi_b), 0);
		assert_int_equal(tlstund_spi_peer_accept(&pb, spi_a), 0);

		assert_int_equal(tlstund_keysched_sa_key(&ka, spi_a,
				 TLSTUN_SUITE_AES_GCM_256, a_rx, 32), 0);
		assert_int_equal(tlstund_keysched_sa_key(&ka, spi_b,
				 TLSTUN_SUITE_AES_GCM_256, a_tx, 32), 0);
		assert_int_equal(tlstund_keysched_sa_key(&kb, spi_b,
				 TLSTUN_SUITE_AES_GCM_256, b_rx, 32), 0);
		assert_int_equal(tlstund_keysched_sa_key(&kb, spi_a,
				 TLSTUN_SUITE_AES_GCM_256, b_tx, 32), 0);

		assert_memory_equal(a_tx, b_rx, 32);
		assert_memory_equal(b_tx, a_rx, 32);
		assert_memory_not_equal(a_rx, a_tx, 32);

		for (i = 0; i < 2 * g; i++) {
			assert_memory_not_equal(seen[i], a_rx, 32);
			assert_memory_not_equal(seen[i], a_tx, 32);
		}
		memcpy(seen[2 * g], a_rx, 32);
		memcpy(seen[2 * g + 1], a_tx, 32);
	}
	tlstund_keysched_wipe(&ka);
	tlstund_keysched_wipe(&kb);
}

static void test_fingerprint(void **state)
{
	static const char domain[] = "tlstun v1 key fingerprint";
	uint8_t key[32], buf[sizeof(domain) - 1 + 32], digest[32];
	char fp[TLSTUND_FP_STRLEN], again[TLSTUND_FP_STRLEN], want[17];
	unsigned int dlen;
	int i;

	(void)state;
	fill_range(key, sizeof(key), 0x11);

	/* The documented construction, hashed in one piece. */
	memcpy(buf, domain, sizeof(domain) - 1);
	memcpy(buf + sizeof(domain) - 1, key, 32);
	assert_int_equal(EVP_Digest(buf, sizeof(buf), digest, &dlen,
				    EVP_sha256(), NULL), 1);
	for (i = 0; i < 8; i++)
		snprintf(want + 2 * i, 3, "%02x", digest[i]);

	assert_int_equal(tlstund_keysched_fingerprint(key, 32, fp), 0);
	assert_string_equal(fp, want);
	assert_int_equal(strlen(fp), 16);
	assert_int_equal(strspn(fp, "0123456789abcdef"), 16);

	assert_int_equal(tlstund_keysched_fingerprint(key, 32, again), 0);
	assert_string_equal(fp, again);

	/* Key length is part of the input: a 16-byte prefix differs. */
	assert_int_equal(tlstund_keysched_fingerprint(key, 16, again), 0);
	assert_string_not_equal(fp, again);
	key[31] ^= 1;
	assert_int_equal(tlstund_keysched_fingerprint(key, 32, again), 0);
	assert_string_not_equal(fp, again);

	assert_int_equal(tlstund_keysched_fingerprint(NULL, 32, fp), -EINVAL);
	assert_string_equal(fp, "");
	assert_int_equal(tlstund_keysched_fingerprint(key, 0, fp), -EINVAL);
	assert_int_equal(tlstund_keysched_fingerprint(key, 32, NULL), -EINVAL);
}

/*
 * The worked example of Documentation/key-schedule.rst. Its values were
 * computed with the openssl(1) command line ("openssl kdf ... HKDF" and
 * "... KBKDF", sha256sum), not with keysched.c.
 */
static void test_worked_example(void **state)
{
	static const struct {
		uint32_t spi;
		const char *k128, *k256, *fp256;
	} ex[] = {
		{ 0x00000001, "0bdf81537c0678934f0ff580980929f9",
		  "b66caef35391891b01102c75d02bb765"
		  "21a607e0ef5943abd1a158eeae2f0063", "77560ca3d765f472" },
		{ 0x40000001, "f4f18c798511f708a212f8b7607205a7",
		  "ee0354671a196745b2fb8e08e3c767a2"
		  "4f74078adef301db70446ad91b39c2dd", "1f05d93eca44544c" },
		{ 0x80000002, "8c960d1fc8d31a8056b61d68144757cc",
		  "d48426f8360309d709d09ff78e5bec7d"
		  "a7f44f6680db455573a739614a569019", "556b9f186ff447a7" },
		{ 0xc0000002, "f53492d25f77ea8cc6049a3780d1c13b",
		  "433ad030cd5f9373c4da3ad8061b6c5e"
		  "090f0ff4759b8aae230ea7b88f16d41d", "00afdd1535d4167f" },
	};
	struct tlstund_spi_alloc lo, up;
	struct tlstund_keysched ks;
	uint8_t root[TLSTUND_ROOT_LEN], key[32];
	char fp[TLSTUND_FP_STRLEN];
	uint32_t spi;
	size_t i;

	(void)state;
	fill_range(root, sizeof(root), 0x00);
	assert_int_equal(tlstund_keysched_init(&ks, root), 0);
	assert_hex_equal(ks.master[0], "5b9422690d24325bb34c12ed39622fb9"
				       "ef50836c6b7f8d59af0412d6f72876b0", 32);
	assert_hex_equal(ks.master[1], "aea4fbbd4324977e71eef768ea59ea09"
				       "0bbf0b5085074f74444c2aab56183f2e", 32);

	assert_int_equal(tlstund_spi_alloc_init(&lo, TLSTUND_ROLE_LOWER, 0), 0);
	assert_int_equal(tlstund_spi_alloc_init(&up, TLSTUND_ROLE_UPPER, 0), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(tlstund_spi_alloc_next(i & 1 ? &up : &lo, 0,
							&spi), 0);
		assert_int_equal(spi, ex[i].spi);
		assert_int_equal(tlstund_keysched_sa_key(&ks, spi,
				 TLSTUN_SUITE_AES_GCM_128, key, 16), 0);
		assert_hex_equal(key, ex[i].k128, 16);
		assert_int_equal(tlstund_keysched_sa_key(&ks, spi,
				 TLSTUN_SUITE_AES_GCM_256, key, 32), 0);
		assert_hex_equal(key, ex[i].k256, 32);
		assert_int_equal(tlstund_keysched_fingerprint(key, 32, fp), 0);
		assert_string_equal(fp, ex[i].fp256);
	}
	tlstund_keysched_wipe(&ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmac_rfc4493),
		cmocka_unit_test(test_cmac_aes256_sp800_38b),
		cmocka_unit_test(test_cmac_rejects_bad_args),
		cmocka_unit_test(test_hkdf_rfc5869),
		cmocka_unit_test(test_hkdf_rejects_bad_args),
		cmocka_unit_test(test_psp_spec_examples),
		cmocka_unit_test(test_psp_reference_vectors),
		cmocka_unit_test(test_sa_key_matches_kbkdf),
		cmocka_unit_test(test_sa_key_rejects_bad_args),
		cmocka_unit_test(test_suite_keylen),
		cmocka_unit_test(test_sa_key_suites_unrelated),
		cmocka_unit_test(test_sa_key_master_selector),
		cmocka_unit_test(test_init_matches_documented_hkdf),
		cmocka_unit_test(test_init_deterministic),
		cmocka_unit_test(test_exporter_context),
		cmocka_unit_test(test_spi_alloc_layout),
		cmocka_unit_test(test_spi_alloc_long_run),
		cmocka_unit_test(test_spi_alloc_exhaustion),
		cmocka_unit_test(test_spi_alloc_random),
		cmocka_unit_test(test_spi_alloc_rejects_bad_args),
		cmocka_unit_test(test_spi_valid_for_peer),
		cmocka_unit_test(test_spi_peer_accept),
		cmocka_unit_test(test_directions_keys_differ),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_worked_example),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("keysched", tests, NULL, NULL);
}
