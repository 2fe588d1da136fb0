// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund key schedule: exporter context, HKDF master keys, the PSP SA-key
 * derivation, key fingerprints and the SPI allocator. The layouts and the
 * reasons behind them are in Documentation/key-schedule.rst.
 *
 * The primitives (AES-CMAC, HKDF, SHA-256) come from OpenSSL 3; only the
 * SP 800-108 framing is built here, byte for byte as google/psp's
 * src/psp_encrypt.c builds it, so the PSP test vectors apply unchanged.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "keysched.h"

#define SHA256_LEN	32
#define HKDF_MAX_OUT	(255 * SHA256_LEN)

/* SP 800-108 input block: [i]32 || "Pv0"/"Pv1" || 0x00 || SPI || [L]32 */
#define KDF_BLOCK_LEN	16

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static bool role_valid(enum tlstund_role role)
{
	return role == TLSTUND_ROLE_LOWER || role == TLSTUND_ROLE_UPPER;
}

int tlstund_keysched_exporter_context(uint8_t out[TLSTUND_EXPORTER_CONTEXT_LEN],
				      uint32_t version, uint32_t vni)
{
	if (!out || !version || vni > 0xffffff)
		return -EINVAL;
	put_be32(out, version);
	put_be32(out + 4, vni);
	return 0;
}

size_t tlstund_keysched_suite_keylen(enum tlstun_suite suite)
{
	return TLSTUN_SUITE_KEY_LEN(suite);
}

int tlstund_keysched_cmac(const uint8_t *key, size_t keylen,
			  const uint8_t *msg, size_t msglen,
			  uint8_t out[TLSTUND_CMAC_LEN])
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	const char *cipher;
	size_t outlen = 0;
	int ret = -EIO;

	if (!out)
		return -EINVAL;
	if (!key || (keylen != 16 && keylen != 32) || (!msg && msglen)) {
		OPENSSL_cleanse(out, TLSTUND_CMAC_LEN);
		return -EINVAL;
	}
	if (!msg)
		msg = (const uint8_t *)"";

	/* The cipher follows the key: PSP master keys are AES-256. */
	cipher = keylen == 16 ? "AES-128-CBC" : "AES-256-CBC";
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
						     (char *)cipher, 0);
	params[1] = OSSL_PARAM_construct_end();

	mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	if (!mac)
		goto out_wipe;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx) {
		ret = -ENOMEM;
		goto out_mac;
	}
	if (EVP_MAC_init(ctx, key, keylen, params) != 1 ||
	    EVP_MAC_update(ctx, msg, msglen) != 1 ||
	    EVP_MAC_final(ctx, out, &outlen, TLSTUND_CMAC_LEN) != 1 ||
	    outlen != TLSTUND_CMAC_LEN)
		goto out_ctx;
	ret = 0;

out_ctx:
	/* OpenSSL cleanses the subkeys and the AES key schedule. */
	EVP_MAC_CTX_free(ctx);
out_mac:
	EVP_MAC_free(mac);
out_wipe:
	if (ret)
		OPENSSL_cleanse(out, TLSTUND_CMAC_LEN);
	return ret;
}

int tlstund_keysched_hkdf(const uint8_t *salt, size_t saltlen,
			  const uint8_t *ikm, size_t ikmlen,
			  const uint8_t *info, size_t infolen,
			  uint8_t *out, size_t outlen)
{
	OSSL_PARAM params[5], *p = params;
	EVP_KDF_CTX *ctx = NULL;
	EVP_KDF *kdf;
	int ret = -EIO;

	if (!out || !outlen || outlen > HKDF_MAX_OUT)
		return -EINVAL;
	if (!ikm || !ikmlen || (!salt && saltlen) || (!info && infolen)) {
		OPENSSL_cleanse(out, outlen);
		return -EINVAL;
	}

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)ikm, ikmlen);
	/* An absent salt is RFC 5869's default: HashLen zero bytes. */
	if (saltlen)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
							 (void *)salt, saltlen);
	if (infolen)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
							 (void *)info, infolen);
	*p = OSSL_PARAM_construct_end();

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (!kdf)
		goto out_wipe;
	ctx = EVP_KDF_CTX_new(kdf);
	if (!ctx) {
		ret = -ENOMEM;
		goto out_kdf;
	}
	if (EVP_KDF_derive(ctx, out, outlen, params) != 1)
		goto out_ctx;
	ret = 0;

out_ctx:
	/* OpenSSL cleanses its PRK and its copy of the IKM. */
	EVP_KDF_CTX_free(ctx);
out_kdf:
	EVP_KDF_free(kdf);
out_wipe:
	if (ret)
		OPENSSL_cleanse(out, outlen);
	return ret;
}

int tlstund_keysched_init(struct tlstund_keysched *ks,
			  const uint8_t root[TLSTUND_ROOT_LEN])
{
	static const char *const info[2] = {
		TLSTUND_MASTER_INFO_0, TLSTUND_MASTER_INFO_1,
	};
	int i, ret;

	if (!ks)
		return -EINVAL;
	tlstund_keysched_wipe(ks);
	if (!root)
		return -EINVAL;

	/*
	 * The root is already a uniformly random PRF output, so the salt adds
	 * nothing and is left empty; the info strings keep the two masters
	 * independent of each other and of any other use of the root.
	 */
	for (i = 0; i < 2; i++) {
		ret = tlstund_keysched_hkdf(NULL, 0, root, TLSTUND_ROOT_LEN,
					    (const uint8_t *)info[i],
					    strlen(info[i]), ks->master[i],
					    TLSTUND_MASTER_KEY_LEN);
		if (ret) {
			tlstund_keysched_wipe(ks);
			return ret;
		}
	}
	ks->ready = true;
	return 0;
}

int tlstund_keysched_sa_key(const struct tlstund_keysched *ks, uint32_t spi,
			    enum tlstun_suite suite, uint8_t *key,
			    size_t keylen)
{
	uint8_t block[KDF_BLOCK_LEN];
	size_t want = tlstund_keysched_suite_keylen(suite);
	const uint8_t *master;
	uint32_t i;
	int ret = 0;

	if (!key || !keylen)
		return -EINVAL;
	if (!ks || !spi || !want || keylen != want) {
		ret = -EINVAL;
		goto out_wipe;
	}
	if (!ks->ready) {
		ret = -ENOKEY;
		goto out_wipe;
	}

	master = ks->master[spi >> TLSTUND_SPI_MASTER_BIT];

	/*
	 * The label is PSP's version codepoint in ASCII: "Pv0" for
	 * AES-GCM-128, "Pv1" for AES-GCM-256. With L also differing, the
	 * 128-bit key of an SPI is unrelated to its 256-bit key.
	 */
	block[4] = 'P';
	block[5] = 'v';
	block[6] = want == 16 ? '0' : '1';
	block[7] = 0x00;
	put_be32(block + 8, spi);
	put_be32(block + 12, want * 8);

	for (i = 0; i < want / TLSTUND_CMAC_LEN; i++) {
		put_be32(block, i + 1);
		ret = tlstund_keysched_cmac(master, TLSTUND_MASTER_KEY_LEN,
					    block, sizeof(block),
					    key + i * TLSTUND_CMAC_LEN);
		if (ret)
			break;
	}
	OPENSSL_cleanse(block, sizeof(block));

out_wipe:
	if (ret)
		OPENSSL_cleanse(key, keylen);
	return ret;
}

void tlstund_keysched_wipe(struct tlstund_keysched *ks)
{
	if (!ks)
		return;
	OPENSSL_cleanse(ks->master, sizeof(ks->master));
	ks->ready = false;
}

int tlstund_keysched_fingerprint(const uint8_t *key, size_t keylen,
				 char out[TLSTUND_FP_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	static const char domain[] = TLSTUND_FP_DOMAIN;
	uint8_t digest[SHA256_LEN];
	unsigned int dlen = 0;
	EVP_MD_CTX *ctx;
	int i, ret = -EIO;

	if (!out)
		return -EINVAL;
	out[0] = '\0';
	if (!key || !keylen)
		return -EINVAL;

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, domain, sizeof(domain) - 1) != 1 ||
	    EVP_DigestUpdate(ctx, key, keylen) != 1 ||
	    EVP_DigestFinal_ex(ctx, digest, &dlen) != 1 ||
	    dlen != SHA256_LEN)
		goto out_ctx;

	for (i = 0; i < TLSTUND_FP_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[2 * TLSTUND_FP_LEN] = '\0';
	ret = 0;

out_ctx:
	/* The digest state has absorbed the key. */
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(digest, sizeof(digest));
	return ret;
}

int tlstund_spi_alloc_init(struct tlstund_spi_alloc *a, enum tlstund_role role,
			   uint32_t rnd)
{
	if (!a || !role_valid(role))
		return -EINVAL;
	a->next = 1 + rnd % TLSTUND_SPI_START_SPAN;
	a->count = 0;
	a->role = role;
	return 0;
}

int tlstund_spi_alloc_next(struct tlstund_spi_alloc *a, uint32_t rnd,
			   uint32_t *spi)
{
	uint32_t counter, step;

	if (!a || !spi || !role_valid(a->role) || !a->next ||
	    a->next > TLSTUND_SPI_COUNTER_MAX + 1)
		return -EINVAL;
	/* Stays exhausted: a wrap would repeat an SPI, and so a key. */
	if (a->next > TLSTUND_SPI_COUNTER_MAX)
		return -ENOSPC;

	counter = a->next;
	step = 1 + rnd % TLSTUND_SPI_STEP_SPAN;
	/* No overflow: counter < 2^30 and step <= 2^14. */
	a->next = counter + step > TLSTUND_SPI_COUNTER_MAX ?
		  TLSTUND_SPI_COUNTER_MAX + 1 : counter + step;
	*spi = (a->count++ & 1) << TLSTUND_SPI_MASTER_BIT |
	       (uint32_t)a->role << TLSTUND_SPI_ROLE_BIT | counter;
	return 0;
}

bool tlstund_spi_valid_for_peer(uint32_t spi, enum tlstund_role peer_role)
{
	return role_valid(peer_role) && (spi & TLSTUND_SPI_COUNTER_MASK) &&
	       ((spi >> TLSTUND_SPI_ROLE_BIT) & 1) == (uint32_t)peer_role;
}

int tlstund_spi_peer_init(struct tlstund_spi_peer *p,
			  enum tlstund_role peer_role)
{
	if (!p || !role_valid(peer_role))
		return -EINVAL;
	p->last = 0;
	p->role = peer_role;
	return 0;
}

int tlstund_spi_peer_accept(struct tlstund_spi_peer *p, uint32_t spi)
{
	uint32_t counter = spi & TLSTUND_SPI_COUNTER_MASK;

	if (!p || !tlstund_spi_valid_for_peer(spi, p->role))
		return -EINVAL;
	if (counter <= p->last)
		return -EALREADY;
	p->last = counter;
	return 0;
}
