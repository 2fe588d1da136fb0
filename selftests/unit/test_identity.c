// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the local identity helpers (tlshd/identity.c): printable
 * forms, SPKI pins against the openssl CLI's, key and certificate loading
 * errors, and genkey / self-signed certificate / CSR round trips checked
 * through the trust policy (tlshd/trust.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "identity.h"
#include "trust.h"
#include "certs/testcerts.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const uint8_t node_a[TLSTUND_NODE_ID_LEN] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

static void test_node_id(void **state)
{
	static const char *const bad[] = {
		"", "0x", "00112233445566778899aabbccddeeff",
		"0X00112233445566778899aabbccddeeff",
		"0x00112233445566778899aabbccddeef",
		"0x00112233445566778899aabbccddeeff0",
		"0x00112233445566778899aabbccddeefg",
		" 0x00112233445566778899aabbccddeeff",
		"0x00112233445566778899aabbccddeeff\n",
		"0x-0112233445566778899aabbccddeeff",
	};
	uint8_t id[TLSTUND_NODE_ID_LEN], keep[TLSTUND_NODE_ID_LEN];
	char out[TLSTUND_NODE_ID_STRLEN];
	size_t i;

	(void)state;
	assert_int_equal(tlstund_node_id_parse(TC_NODE_A, id), 0);
	assert_memory_equal(id, node_a, sizeof(id));
	tlstund_node_id_format(id, out);
	assert_string_equal(out, TC_NODE_A);
	/* Either case in, lower case out. */
	assert_int_equal(tlstund_node_id_parse(
		"0x00112233445566778899AABBCCDDeeFF", id), 0);
	assert_memory_equal(id, node_a, sizeof(id));
	tlstund_node_id_format(id, out);
	assert_string_equal(out, TC_NODE_A);

	memset(keep, 0x5a, sizeof(keep));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memcpy(id, keep, sizeof(id));
		if (tlstund_node_id_parse(bad[i], id) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_memory_equal(id, keep, sizeof(id));
	}
	assert_int_equal(tlstund_node_id_parse(NULL, id), -EINVAL);
}

static void test_node_uri(void **state)
{
	static const char good[] =
		"urn:tlstun:node:0x00112233445566778899aabbccddeeff";
	static const char *const bad[] = {
		"urn:tlstun:node:0x00112233445566778899AABBCCDDEEFF",
		"URN:TLSTUN:NODE:0x00112233445566778899aabbccddeeff",
		"urn:tlstun:node:0X00112233445566778899aabbccddeeff",
		"urn:tlstun:node:00112233445566778899aabbccddeeff",
		"urn:tlstun:host:0x00112233445566778899aabbccddeeff",
		"urn:tlstun:node:0x00112233445566778899aabbccddeef",
		"urn:tlstun:node:0x00112233445566778899aabbccddeeff/",
	};
	uint8_t id[TLSTUND_NODE_ID_LEN];
	char out[TLSTUND_NODE_URI_STRLEN];
	size_t i;

	(void)state;
	assert_int_equal(tlstund_node_uri_parse(good, strlen(good), id), 0);
	assert_memory_equal(id, node_a, sizeof(id));
	tlstund_node_uri_format(id, out);
	assert_string_equal(out, good);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (tlstund_node_uri_parse(bad[i], strlen(bad[i]), id) !=
		    -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	/* The length is the IA5String's: a NUL inside is not an end. */
	assert_int_equal(tlstund_node_uri_parse(good, sizeof(good), id),
			 -EINVAL);
	assert_int_equal(tlstund_node_uri_parse(good, strlen(good) - 1, id),
			 -EINVAL);
}

static void test_pin(void **state)
{
	/* sha256("") and its base64, from RFC 6234-style well-known values */
	static const char hex[] =
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	static const char b64[] =
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
	static const char *const bad[] = {
		"", "sha256:",
		"sha1:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
		"sha256:x3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		" sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		/* Same bytes, but unused low bits set: not canonical. */
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=",
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF==",
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSu!U=",
	};
	uint8_t pin[TLSTUND_PIN_LEN], want[TLSTUND_PIN_LEN];
	char out[TLSTUND_PIN_STRLEN];
	size_t i;

	(void)state;
	assert_int_equal(EVP_Digest("", 0, want, NULL, EVP_sha256(), NULL), 1);
	assert_int_equal(tlstund_pin_parse(hex, pin), 0);
	assert_memory_equal(pin, want, sizeof(pin));
	tlstund_pin_format(pin, out);
	assert_string_equal(out, hex);
	memset(pin, 0, sizeof(pin));
	assert_int_equal(tlstund_pin_parse(b64, pin), 0);
	assert_memory_equal(pin, want, sizeof(pin));
	memset(pin, 0, sizeof(pin));
	assert_int_equal(tlstund_pin_parse(hex + 7, pin), 0);
	assert_memory_equal(pin, want, sizeof(pin));

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (tlstund_pin_parse(bad[i], pin) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(tlstund_pin_parse(NULL, pin), -EINVAL);
}

/* Reads certs/<name><suffix> directly, with no checks of our own. */
static void *read_pem(const char *name, const char *suffix, d2i_of_void *d2i,
		      const char *type)
{
	char path[128];
	void *obj;
	BIO *bio;

	snprintf(path, sizeof(path), TC_DIR "%s%s", name, suffix);
	bio = BIO_new_file(path, "r");
	obj = PEM_ASN1_read_bio(d2i, type, bio, NULL, NULL, NULL);
	if (!obj)
		fail_msg("cannot read %s", path);
	BIO_free(bio);
	return obj;
}

static X509 *read_cert(const char *name)
{
	return read_pem(name, ".pem", (d2i_of_void *)d2i_X509,
			PEM_STRING_X509);
}

static EVP_PKEY *read_key(const char *name)
{
	return read_pem(name, ".key.pem", (d2i_of_void *)d2i_AutoPrivateKey,
			PEM_STRING_PKCS8INF);
}

/* Pins computed here equal those the openssl CLI wrote. */
static void test_spki_vectors(void **state)
{
	static const char *const names[] = {
		"leaf_a", "leaf_b", "self_a", "root", "leaf_rsa", "leaf_p384",
	};
	uint8_t want[TLSTUND_PIN_LEN], got[TLSTUND_PIN_LEN];
	EVP_PKEY *key;
	size_t i;
	X509 *x;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		tc_pin(names[i], want);
		x = read_cert(names[i]);
		assert_int_equal(tlstund_spki_sha256_cert(x, got), 0);
		assert_memory_equal(got, want, sizeof(got));
		X509_free(x);
		key = read_key(names[i]);
		memset(got, 0, sizeof(got));
		assert_int_equal(tlstund_spki_sha256_key(key, got), 0);
		assert_memory_equal(got, want, sizeof(got));
		EVP_PKEY_free(key);
	}
}

static void test_key_is_p256(void **state)
{
	static const struct {
		const char *name;
		bool p256;
	} keys[] = {
		{ "leaf_a", true }, { "root", true },
		{ "leaf_rsa", false }, { "leaf_p384", false },
	};
	EVP_PKEY *key;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		key = read_key(keys[i].name);
		assert_int_equal(tlstund_key_is_p256(key), keys[i].p256);
		EVP_PKEY_free(key);
	}
	assert_false(tlstund_key_is_p256(NULL));
}

static int tmp_setup(void **state)
{
	*state = tc_tmpdir();
	return 0;
}

static int tmp_teardown(void **state)
{
	tc_rmtree(*state);
	return 0;
}

/* Copies a committed file into @dir under @name with @mode. */
static char *copy(const char *dir, const char *from, const char *name,
		  mode_t mode)
{
	size_t len;
	uint8_t *buf = tc_read(from, &len);
	char *path = tc_write(dir, name, buf, len, mode);

	free(buf);
	return path;
}

static void expect_key_error(const char *path, const char *what)
{
	char err[TLSTUND_ERR_LEN] = "";
	EVP_PKEY *key = tlstund_identity_load_key(path, err, sizeof(err));

	if (key || !strstr(err, what) || !strstr(err, path))
		fail_msg("%s: got \"%s\", want \"%s\"", path, err, what);
}

static void test_load_key(void **state)
{
	const char *dir = *state;
	uint8_t want[TLSTUND_PIN_LEN], got[TLSTUND_PIN_LEN];
	char err[TLSTUND_ERR_LEN], *path, *big;
	EVP_PKEY *key;
	BIO *bio;
	BUF_MEM *mem;

	path = copy(dir, "leaf_a.key.pem", "a.pem", 0600);
	key = tlstund_identity_load_key(path, err, sizeof(err));
	assert_non_null(key);
	tc_pin("leaf_a", want);
	assert_int_equal(tlstund_spki_sha256_key(key, got), 0);
	assert_memory_equal(got, want, sizeof(got));
	EVP_PKEY_free(key);
	/* Stricter than 0600 is fine. */
	assert_int_equal(chmod(path, 0400), 0);
	key = tlstund_identity_load_key(path, err, sizeof(err));
	assert_non_null(key);
	EVP_PKEY_free(key);
	/* Any access for group or others is refused. */
	assert_int_equal(chmod(path, 0644), 0);
	expect_key_error(path, "chmod 600");
	assert_int_equal(chmod(path, 0640), 0);
	expect_key_error(path, "mode 0640");
	assert_int_equal(chmod(path, 0602), 0);
	expect_key_error(path, "accessible by group or others");
	free(path);

	path = copy(dir, "leaf_rsa.key.pem", "rsa.pem", 0600);
	expect_key_error(path, "a 2048-bit RSA key; tlstun needs ECDSA P-256");
	free(path);
	path = copy(dir, "leaf_p384.key.pem", "p384.pem", 0600);
	expect_key_error(path, "secp384r1");
	free(path);
	path = copy(dir, "leaf_a.pem", "cert.pem", 0600);
	expect_key_error(path, "cannot parse private key");
	free(path);
	path = tc_write(dir, "empty.pem", "", 0, 0600);
	expect_key_error(path, "cannot parse private key");
	free(path);

	/* Encrypted: refused without asking for a passphrase. */
	key = read_key("leaf_a");
	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PKCS8PrivateKey(bio, key,
						       EVP_aes_256_cbc(),
						       "secret", 6, NULL,
						       NULL), 1);
	BIO_get_mem_ptr(bio, &mem);
	path = tc_write(dir, "enc.pem", mem->data, mem->length, 0600);
	expect_key_error(path, "is encrypted");
	free(path);
	BIO_free(bio);
	EVP_PKEY_free(key);

	big = calloc(1, 70000);
	assert_non_null(big);
	memset(big, 'A', 69999);
	path = tc_write(dir, "big.pem", big, 70000, 0600);
	expect_key_error(path, "too large");
	free(path);
	free(big);

	expect_key_error(dir, "not a regular file");
	assert_true(asprintf(&path, "%s/missing.pem", dir) > 0);
	expect_key_error(path, "No such file");
	free(path);
}

/* Loads key @key and certificate file @cert (both committed) from @dir. */
static int load(const char *dir, const char *key, const char *cert,
		struct tlstund_identity *id, char *err)
{
	char keyfile[128], *kp, *cp;
	int ret;

	snprintf(keyfile, sizeof(keyfile), "%s.key.pem", key);
	kp = copy(dir, keyfile, "id.key", 0600);
	assert_true(asprintf(&cp, "%s/%s", dir, cert) > 0);
	ret = tlstund_identity_load(id, kp, cp, err, TLSTUND_ERR_LEN);
	unlink(kp);
	free(kp);
	free(cp);
	return ret;
}

static void expect_load_error(const char *dir, const char *key,
			      const char *cert, const char *what)
{
	struct tlstund_identity id;
	char err[TLSTUND_ERR_LEN] = "";

	memset(&id, 0x5a, sizeof(id));
	if (load(dir, key, cert, &id, err) != -EINVAL || !strstr(err, what))
		fail_msg("%s + %s: got \"%s\", want \"%s\"", key, cert, err,
			 what);
	assert_null(id.key);
	assert_null(id.cert);
	assert_null(id.chain);
}

static void test_load_identity(void **state)
{
	static const char garbage_block[] =
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	const char *dir = *state;
	struct tlstund_identity id;
	uint8_t want[TLSTUND_PIN_LEN];
	char err[TLSTUND_ERR_LEN];
	uint8_t *a, *inter;
	size_t alen, ilen;

	free(copy(dir, "leaf_a.pem", "leaf_a.pem", 0644));
	assert_int_equal(load(dir, "leaf_a", "leaf_a.pem", &id, err), 0);
	assert_true(id.has_node_id);
	assert_memory_equal(id.node_id, node_a, sizeof(node_a));
	tc_pin("leaf_a", want);
	assert_memory_equal(id.spki_sha256, want, sizeof(want));
	assert_int_equal(sk_X509_num(id.chain), 0);
	tlstund_identity_free(&id);
	assert_null(id.key);
	tlstund_identity_free(&id);

	/* A full chain file: leaf, then the intermediate. */
	a = tc_read("leaf_a.pem", &alen);
	inter = tc_read("inter.pem", &ilen);
	free(tc_write(dir, "full.pem", a, alen, 0644));
	tc_append(dir, "full.pem", inter, ilen);
	assert_int_equal(load(dir, "leaf_a", "full.pem", &id, err), 0);
	assert_int_equal(sk_X509_num(id.chain), 1);
	tlstund_identity_free(&id);

	/* A damaged second block is an error, not a shorter chain. */
	free(tc_write(dir, "damaged.pem", a, alen, 0644));
	tc_append(dir, "damaged.pem", garbage_block, strlen(garbage_block));
	expect_load_error(dir, "leaf_a", "damaged.pem",
			  "cannot parse certificate 2 of");
	free(a);
	free(inter);

	free(copy(dir, "leaf_no_san.pem", "no_san.pem", 0644));
	assert_int_equal(load(dir, "leaf_no_san", "no_san.pem", &id, err), 0);
	assert_false(id.has_node_id);
	tlstund_identity_free(&id);

	free(copy(dir, "leaf_b.pem", "leaf_b.pem", 0644));
	expect_load_error(dir, "leaf_a", "leaf_b.pem", "does not match");
	free(copy(dir, "leaf_rsa.pem", "rsa.pem", 0644));
	expect_load_error(dir, "leaf_a", "rsa.pem",
			  "holds a 2048-bit RSA key; tlstun needs ECDSA P-256");
	free(copy(dir, "leaf_two_uri.pem", "two.pem", 0644));
	expect_load_error(dir, "leaf_two_uri", "two.pem", "more than one");
	free(copy(dir, "leaf_uri_upper.pem", "upper.pem", 0644));
	expect_load_error(dir, "leaf_uri_upper", "upper.pem", "malformed");
	free(copy(dir, "leaf_a.der", "der.pem", 0644));
	expect_load_error(dir, "leaf_a", "der.pem", "cannot parse certificate");
	expect_load_error(dir, "leaf_a", "missing.pem",
			  "cannot open certificate");
	/* The key is checked before the certificate is read. */
	free(copy(dir, "leaf_rsa.key.pem", "rsa.key", 0600));
	expect_load_error(dir, "leaf_rsa", "rsa.pem",
			  "tlstun needs ECDSA P-256");
}

static void test_genkey(void **state)
{
	const char *dir = *state;
	char err[TLSTUND_ERR_LEN], *path, *missing;
	uint8_t p1[TLSTUND_PIN_LEN], p2[TLSTUND_PIN_LEN];
	EVP_PKEY *key, *other, *loaded;
	uint8_t *before, *after;
	size_t blen, alen;
	struct stat st;

	key = tlstund_identity_genkey(err, sizeof(err));
	other = tlstund_identity_genkey(err, sizeof(err));
	assert_non_null(key);
	assert_non_null(other);
	assert_true(tlstund_key_is_p256(key));
	assert_int_equal(tlstund_spki_sha256_key(key, p1), 0);
	assert_int_equal(tlstund_spki_sha256_key(other, p2), 0);
	assert_memory_not_equal(p1, p2, sizeof(p1));

	assert_true(asprintf(&path, "%s/node.key", dir) > 0);
	assert_int_equal(tlstund_identity_save_key(key, path, err,
						   sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	before = tc_read_path(path, &blen);
	assert_true(blen > 28);
	assert_memory_equal(before, "-----BEGIN PRIVATE KEY-----\n", 28);

	/* Never replaces an existing key. */
	assert_int_equal(tlstund_identity_save_key(other, path, err,
						   sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "refusing to overwrite"));
	after = tc_read_path(path, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	OPENSSL_cleanse(before, blen);
	OPENSSL_cleanse(after, alen);
	free(before);
	free(after);

	loaded = tlstund_identity_load_key(path, err, sizeof(err));
	assert_non_null(loaded);
	assert_int_equal(EVP_PKEY_eq(loaded, key), 1);
	EVP_PKEY_free(loaded);

	assert_true(asprintf(&missing, "%s/no/such/dir.key", dir) > 0);
	assert_int_equal(tlstund_identity_save_key(key, missing, err,
						   sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, missing));
	assert_int_equal(tlstund_identity_write_key(key, -1, err,
						    sizeof(err)), -EIO);
	assert_non_null(strstr(err, "cannot write the private key"));

	free(missing);
	free(path);
	EVP_PKEY_free(other);
	EVP_PKEY_free(key);
}

static int verify_one(const struct tlstund_trust_policy *pol, X509 *x,
		      struct tlstund_trust_result *res)
{
	unsigned char *der = NULL;
	const uint8_t *ders[1];
	size_t len[1];
	int n, ret;

	n = i2d_X509(x, &der);
	assert_true(n > 0);
	ders[0] = der;
	len[0] = n;
	ret = tlstund_trust_verify(pol, ders, len, 1, TC_TIME, res);
	OPENSSL_free(der);
	return ret;
}

static void expect_verdict(const struct tlstund_trust_policy *pol, X509 *x,
			   enum tlstund_trust_verdict v)
{
	struct tlstund_trust_result res;

	verify_one(pol, x, &res);
	if (res.verdict != v)
		fail_msg("verdict \"%s\" (%s), want \"%s\"",
			 tlstund_trust_reason_str(res.verdict), res.detail,
			 tlstund_trust_reason_str(v));
}

/* genkey + cert: what "tlstun genkey" and "tlstun cert" produce passes. */
static void test_selfsign(void **state)
{
	struct tlstund_trust_policy pin = { .kind = TLSTUND_TRUST_PIN };
	struct tlstund_trust_policy ca = { .kind = TLSTUND_TRUST_CA };
	struct tlstund_trust_result res;
	char err[TLSTUND_ERR_LEN], want[TLSTUND_TRUST_IDENTITY_MAX];
	char pinstr[TLSTUND_PIN_STRLEN];
	uint8_t id[TLSTUND_NODE_ID_LEN], spki[TLSTUND_PIN_LEN];
	ASN1_TIME *start;
	EVP_PKEY *key;
	X509 *x, *y;
	int days, secs;

	(void)state;
	key = tlstund_identity_genkey(err, sizeof(err));
	assert_non_null(key);
	x = tlstund_identity_selfsign(key, node_a, TC_TIME, 3650, err,
				      sizeof(err));
	assert_non_null(x);
	assert_int_equal(X509_check_private_key(x, key), 1);
	assert_int_equal(X509_verify(x, key), 1);
	assert_int_equal(tlstund_cert_node_id(x, id), 0);
	assert_memory_equal(id, node_a, sizeof(id));
	start = ASN1_TIME_set(NULL, TC_TIME);
	assert_int_equal(ASN1_TIME_diff(&days, &secs, start,
					X509_get0_notBefore(x)), 1);
	assert_int_equal(days, 0);
	assert_int_equal(secs, 0);
	assert_int_equal(ASN1_TIME_diff(&days, &secs, start,
					X509_get0_notAfter(x)), 1);
	assert_int_equal(days, 3650);
	assert_int_equal(secs, 0);
	ASN1_TIME_free(start);

	/* pin: the key's pin, as "tlstun pubkey" prints it, accepts. */
	assert_int_equal(tlstund_spki_sha256_key(key, pin.pin), 0);
	assert_int_equal(verify_one(&pin, x, &res), 0);
	assert_int_equal(tlstund_spki_sha256_cert(x, spki), 0);
	assert_memory_equal(res.spki_sha256, spki, sizeof(spki));
	tlstund_pin_format(spki, pinstr);
	snprintf(want, sizeof(want), "pin:%.23s", pinstr);
	assert_string_equal(res.identity, want);
	pin.pin[0] ^= 1;
	expect_verdict(&pin, x, TLSTUND_TRUST_PIN_MISMATCH);

	/* ca: trusted directly, its extensions pass every leaf check. */
	ca.ca_store = X509_STORE_new();
	assert_non_null(ca.ca_store);
	assert_int_equal(X509_STORE_add_cert(ca.ca_store, x), 1);
	memcpy(ca.node_id, node_a, sizeof(node_a));
	assert_int_equal(verify_one(&ca, x, &res), 0);
	assert_string_equal(res.identity, "node:" TC_NODE_A);
	ca.node_id[15] ^= 1;
	expect_verdict(&ca, x, TLSTUND_TRUST_WRONG_NODE_ID);

	/* No node id: a pin-only certificate. */
	y = tlstund_identity_selfsign(key, NULL, TC_TIME, 1, err, sizeof(err));
	assert_non_null(y);
	assert_int_equal(tlstund_cert_node_id(y, id), -ENOENT);
	pin.pin[0] ^= 1;
	expect_verdict(&pin, y, TLSTUND_TRUST_OK);
	assert_int_equal(X509_STORE_add_cert(ca.ca_store, y), 1);
	expect_verdict(&ca, y, TLSTUND_TRUST_NO_NODE_URI);
	/* Fresh random serials. */
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(x),
					      X509_get0_serialNumber(y)), 0);
	X509_free(y);

	X509_STORE_free(ca.ca_store);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void test_selfsign_errors(void **state)
{
	char err[TLSTUND_ERR_LEN];
	EVP_PKEY *key, *rsa;

	(void)state;
	key = tlstund_identity_genkey(err, sizeof(err));
	assert_non_null(key);
	assert_null(tlstund_identity_selfsign(key, node_a, TC_TIME, 0, err,
					      sizeof(err)));
	assert_non_null(strstr(err, "out of range"));
	assert_null(tlstund_identity_selfsign(key, node_a, TC_TIME, 1000000,
					      err, sizeof(err)));
	assert_non_null(strstr(err, "out of range"));
	rsa = read_key("leaf_rsa");
	assert_null(tlstund_identity_selfsign(rsa, node_a, TC_TIME, 1, err,
					      sizeof(err)));
	assert_non_null(strstr(err, "P-256"));
	assert_null(tlstund_identity_csr(rsa, node_a, err, sizeof(err)));
	assert_non_null(strstr(err, "P-256"));
	assert_null(tlstund_identity_csr(key, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "node id"));
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(key);
}

/* What a CA that copies the request's extensions makes of a CSR. */
static X509 *issue(X509_REQ *req)
{
	STACK_OF(X509_EXTENSION) *exts;
	X509 *ca = read_cert("root"), *x = X509_new();
	EVP_PKEY *cakey = read_key("root");
	time_t t = TC_TIME;
	X509_EXTENSION *akid;
	X509V3_CTX ctx;
	int i;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 4242), 1);
	assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(ca)), 1);
	assert_int_equal(X509_set_subject_name(x, X509_REQ_get_subject_name(req)),
			 1);
	assert_int_equal(X509_set_pubkey(x, X509_REQ_get0_pubkey(req)), 1);
	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), -1, 0, &t));
	assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 1, 0, &t));
	exts = X509_REQ_get_extensions(req);
	assert_non_null(exts);
	for (i = 0; i < sk_X509_EXTENSION_num(exts); i++)
		assert_true(X509_add_ext(x, sk_X509_EXTENSION_value(exts, i), -1));
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	akid = X509V3_EXT_nconf_nid(NULL, &ctx, NID_authority_key_identifier,
				    "keyid:always");
	assert_non_null(akid);
	assert_int_equal(X509_add_ext(x, akid, -1), 1);
	X509_EXTENSION_free(akid);
	assert_true(X509_sign(x, cakey, EVP_sha256()) > 0);
	EVP_PKEY_free(cakey);
	X509_free(ca);
	return x;
}

static void test_csr(void **state)
{
	struct tlstund_trust_policy ca = { .kind = TLSTUND_TRUST_CA };
	struct tlstund_trust_result res;
	char err[TLSTUND_ERR_LEN];
	EVP_PKEY *key;
	X509_REQ *req;
	X509 *x;

	(void)state;
	key = tlstund_identity_genkey(err, sizeof(err));
	assert_non_null(key);
	req = tlstund_identity_csr(key, node_a, err, sizeof(err));
	assert_non_null(req);
	assert_int_equal(X509_REQ_verify(req, key), 1);

	x = issue(req);
	ca.ca_store = tlstund_trust_load_ca(TC_DIR "root.pem", err,
					    sizeof(err));
	assert_non_null(ca.ca_store);
	memcpy(ca.node_id, node_a, sizeof(node_a));
	if (verify_one(&ca, x, &res))
		fail_msg("\"%s\" (%s)", tlstund_trust_reason_str(res.verdict),
			 res.detail);
	assert_true(res.has_node_id);
	assert_memory_equal(res.node_id, node_a, sizeof(node_a));

	X509_STORE_free(ca.ca_store);
	X509_free(x);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_id),
		cmocka_unit_test(test_node_uri),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_spki_vectors),
		cmocka_unit_test(test_key_is_p256),
		cmocka_unit_test_setup_teardown(test_load_key, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_identity, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_genkey, tmp_setup,
						tmp_teardown),
		cmocka_unit_test(test_selfsign),
		cmocka_unit_test(test_selfsign_errors),
		cmocka_unit_test(test_csr),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("identity", tests, NULL, NULL);
}
