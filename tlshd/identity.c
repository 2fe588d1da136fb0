// SPDX-License-Identifier: GPL-2.0
/*
 * Local identity of a tlstun node: P-256 key and certificate loading,
 * node id and pin formats, key, certificate and CSR generation.
 *
 * Key files: PEM (PKCS#8 or SEC1), unencrypted; the file mode is the
 * protection, as with ssh and WireGuard keys. A key file that group or
 * others can read or write is refused, not warned about: the daemon runs
 * unattended and a warning in a journal nobody reads protects nothing.
 * New keys are written with O_CREAT | O_EXCL and mode 0600, so generating
 * never replaces an existing identity.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "identity.h"

/* A PEM key is well under 1 KiB, a certificate file with a few
 * intermediates a few KiB; anything far larger is not what we asked for.
 */
#define KEY_FILE_MAX	(64 * 1024)
#define CERT_FILE_MAX	(1024 * 1024)
#define SELFSIGN_DAYS_MAX	(200U * 366U)

static const char hexdigits[] = "0123456789abcdef";

/**
 * tlstund_identity_err() - fill an error buffer
 * @err: buffer, may be NULL
 * @errlen: its size
 * @with_ssl: append the reason of the newest OpenSSL error
 * @fmt: printf format of the message
 *
 * Empties the OpenSSL error queue either way, so a stale entry never
 * shows up under a later, unrelated message.
 */
void tlstund_identity_err(char *err, size_t errlen, bool with_ssl,
			  const char *fmt, ...)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = NULL;
	va_list ap;
	int n;

	if (with_ssl && e)
		reason = ERR_reason_error_string(e);
	if (err && errlen) {
		va_start(ap, fmt);
		n = vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < errlen && with_ssl)
			snprintf(err + n, errlen - n, ": %s",
				 reason ? reason : "unknown OpenSSL error");
	}
	ERR_clear_error();
}

static int hexval(char c, bool lower_only)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (!lower_only && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex_decode(const char *s, uint8_t *out, size_t n, bool lower_only)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = hexval(s[2 * i], lower_only);
		int lo = hexval(s[2 * i + 1], lower_only);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

static void hex_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/**
 * tlstund_node_id_parse() - parse "0x" and 32 hex digits (either case)
 * @s: NUL-terminated text
 * @id: the 128-bit node id, written only on success
 *
 * Return: 0, or -EINVAL for anything else (no leading or trailing junk).
 */
int tlstund_node_id_parse(const char *s, uint8_t id[TLSTUND_NODE_ID_LEN])
{
	uint8_t tmp[TLSTUND_NODE_ID_LEN];

	if (!s || strlen(s) != TLSTUND_NODE_ID_STRLEN - 1 ||
	    s[0] != '0' || s[1] != 'x' ||
	    hex_decode(s + 2, tmp, sizeof(tmp), false))
		return -EINVAL;
	memcpy(id, tmp, sizeof(tmp));
	return 0;
}

/**
 * tlstund_node_id_format() - print a node id as "0x" and 32 lower-case hex
 * @id: node id
 * @out: TLSTUND_NODE_ID_STRLEN bytes
 */
void tlstund_node_id_format(const uint8_t id[TLSTUND_NODE_ID_LEN],
			    char out[TLSTUND_NODE_ID_STRLEN])
{
	out[0] = '0';
	out[1] = 'x';
	hex_encode(id, TLSTUND_NODE_ID_LEN, out + 2);
}

/**
 * tlstund_node_uri_parse() - parse a node URI taken from a certificate
 * @s: URI bytes, not necessarily NUL-terminated (an ASN.1 IA5String)
 * @len: their number
 * @id: the node id, written only on success
 *
 * Only the one spelling tlstund itself issues is accepted: lower-case
 * "urn:tlstun:node:0x" and lower-case hex. URN rules would allow other
 * spellings of the same name, but a CA's name constraints and an
 * operator's grep both match exact strings, and one identity must not
 * have two names that a filter can tell apart.
 *
 * Return: 0, or -EINVAL.
 */
int tlstund_node_uri_parse(const char *s, size_t len,
			   uint8_t id[TLSTUND_NODE_ID_LEN])
{
	static const char prefix[] = TLSTUND_NODE_URI_PREFIX "0x";
	uint8_t tmp[TLSTUND_NODE_ID_LEN];

	if (!s || len != TLSTUND_NODE_URI_STRLEN - 1 ||
	    memcmp(s, prefix, sizeof(prefix) - 1) ||
	    hex_decode(s + sizeof(prefix) - 1, tmp, sizeof(tmp), true))
		return -EINVAL;
	memcpy(id, tmp, sizeof(tmp));
	return 0;
}

/**
 * tlstund_node_uri_format() - print "urn:tlstun:node:0x<32 hex>"
 * @id: node id
 * @out: TLSTUND_NODE_URI_STRLEN bytes
 */
void tlstund_node_uri_format(const uint8_t id[TLSTUND_NODE_ID_LEN],
			     char out[TLSTUND_NODE_URI_STRLEN])
{
	size_t n = sizeof(TLSTUND_NODE_URI_PREFIX) - 1;

	memcpy(out, TLSTUND_NODE_URI_PREFIX, n);
	tlstund_node_id_format(id, out + n);
}

/**
 * tlstund_cert_node_id() - the node id a certificate's SAN names
 * @cert: certificate
 * @id: the node id, written only on success
 *
 * Every subjectAltName URI whose scheme and namespace are "urn:tlstun:"
 * in any case is a claim to a tlstun identity; there must be exactly one
 * and it must parse (tlstund_node_uri_parse()). URIs of other schemes
 * (SPIFFE ids, https) and other name types are ignored: they name the
 * same key for other systems and cannot be mistaken for ours.
 *
 * Return: 0; -ENOENT with no tlstun URI; -ENOTUNIQ with more than one (or
 * more than one subjectAltName extension); -EINVAL when the one URI is
 * malformed; -EBADMSG when the extension does not decode.
 */
int tlstund_cert_node_id(X509 *cert, uint8_t id[TLSTUND_NODE_ID_LEN])
{
	static const char ns[] = "urn:tlstun:";
	uint8_t tmp[TLSTUND_NODE_ID_LEN];
	GENERAL_NAMES *names;
	int crit, i, found = 0, ret = -ENOENT;

	names = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
	if (!names) {
		ERR_clear_error();
		if (crit == -1)
			return -ENOENT;
		return crit == -2 ? -ENOTUNIQ : -EBADMSG;
	}
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		const char *s;
		size_t len;

		if (gn->type != GEN_URI)
			continue;
		s = (const char *)ASN1_STRING_get0_data(gn->d.ia5);
		len = ASN1_STRING_length(gn->d.ia5);
		if (len < sizeof(ns) - 1 || strncasecmp(s, ns, sizeof(ns) - 1))
			continue;
		if (++found > 1)
			break;
		ret = tlstund_node_uri_parse(s, len, tmp);
	}
	GENERAL_NAMES_free(names);
	if (found > 1)
		return -ENOTUNIQ;
	if (!ret)
		memcpy(id, tmp, sizeof(tmp));
	return ret;
}

/**
 * tlstund_pin_parse() - parse a SPKI pin
 * @s: "sha256:" (optional) then 64 hex digits (either case) or the
 *     44-character padded base64 of the 32 bytes
 * @pin: the digest, written only on success
 *
 * Base64 must be canonical (re-encoding gives the same text), so one pin
 * has one base64 spelling.
 *
 * Return: 0, or -EINVAL.
 */
int tlstund_pin_parse(const char *s, uint8_t pin[TLSTUND_PIN_LEN])
{
	static const size_t plen = sizeof(TLSTUND_PIN_PREFIX) - 1;
	unsigned char tmp[TLSTUND_PIN_LEN + 3];
	char b64[45];
	size_t len;

	if (!s)
		return -EINVAL;
	if (!strncmp(s, TLSTUND_PIN_PREFIX, plen))
		s += plen;
	len = strlen(s);
	if (len == 2 * TLSTUND_PIN_LEN) {
		if (hex_decode(s, tmp, TLSTUND_PIN_LEN, false))
			return -EINVAL;
	} else if (len == sizeof(b64) - 1) {
		/* 44 characters decode to 33 bytes, the last from padding. */
		if (EVP_DecodeBlock(tmp, (const unsigned char *)s, len) !=
		    TLSTUND_PIN_LEN + 1)
			return -EINVAL;
		EVP_EncodeBlock((unsigned char *)b64, tmp, TLSTUND_PIN_LEN);
		if (strcmp(b64, s))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	memcpy(pin, tmp, TLSTUND_PIN_LEN);
	return 0;
}

/**
 * tlstund_pin_format() - print a pin as "sha256:" and 64 lower-case hex
 * @pin: digest
 * @out: TLSTUND_PIN_STRLEN bytes
 */
void tlstund_pin_format(const uint8_t pin[TLSTUND_PIN_LEN],
			char out[TLSTUND_PIN_STRLEN])
{
	size_t n = sizeof(TLSTUND_PIN_PREFIX) - 1;

	memcpy(out, TLSTUND_PIN_PREFIX, n);
	hex_encode(pin, TLSTUND_PIN_LEN, out + n);
}

static int spki_digest(unsigned char *der, int len,
		       uint8_t pin[TLSTUND_PIN_LEN])
{
	int ok;

	if (len <= 0) {
		ERR_clear_error();
		return -EINVAL;
	}
	ok = EVP_Digest(der, len, pin, NULL, EVP_sha256(), NULL);
	OPENSSL_free(der);
	if (!ok) {
		ERR_clear_error();
		return -ENOMEM;
	}
	return 0;
}

/**
 * tlstund_spki_sha256_cert() - SHA-256 of a certificate's DER SPKI
 * @cert: certificate
 * @pin: output
 *
 * Return: 0, or a negative errno.
 */
int tlstund_spki_sha256_cert(X509 *cert, uint8_t pin[TLSTUND_PIN_LEN])
{
	unsigned char *der = NULL;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);

	return spki_digest(der, len, pin);
}

/**
 * tlstund_spki_sha256_key() - SHA-256 of a key's DER SPKI
 * @key: private or public key
 * @pin: output
 *
 * For a P-256 key this equals the pin of any certificate tlstund makes
 * for the key: both encode the named curve and the uncompressed point.
 *
 * Return: 0, or a negative errno.
 */
int tlstund_spki_sha256_key(EVP_PKEY *key, uint8_t pin[TLSTUND_PIN_LEN])
{
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(key, &der);

	return spki_digest(der, len, pin);
}

/**
 * tlstund_key_is_p256() - whether a key is an EC key on NIST P-256
 * @key: key, may be NULL
 *
 * Return: true for P-256 with a named curve.
 */
bool tlstund_key_is_p256(EVP_PKEY *key)
{
	char group[64];
	size_t len;
	int nid;

	if (!key || !EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_group_name(key, group, sizeof(group), &len)) {
		ERR_clear_error();
		return false;
	}
	nid = OBJ_sn2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	return nid == NID_X9_62_prime256v1;
}

static void describe_key(EVP_PKEY *key, char *buf, size_t len)
{
	char group[64];
	size_t glen;

	if (EVP_PKEY_is_a(key, "EC") &&
	    EVP_PKEY_get_group_name(key, group, sizeof(group), &glen))
		snprintf(buf, len, "an EC %s key", group);
	else
		snprintf(buf, len, "a %d-bit %s key", EVP_PKEY_get_bits(key),
			 EVP_PKEY_get0_type_name(key) ?: "unknown");
	ERR_clear_error();
}

/*
 * Reads a whole file of at most @max bytes into a NUL-terminated buffer of
 * *@lenp + 1 bytes. @secret: the file is a private key: refuse it if group
 * or others have any access, and wipe the buffer on every path out.
 */
static char *read_file(const char *what, const char *path, size_t max,
		       bool secret, size_t *lenp, char *err, size_t errlen)
{
	size_t len = 0, cap;
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		tlstund_identity_err(err, errlen, false,
				     "cannot open %s %s: %s", what, path,
				     strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		tlstund_identity_err(err, errlen, false,
				     "cannot stat %s %s: %s", what, path,
				     strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		tlstund_identity_err(err, errlen, false,
				     "%s %s is not a regular file", what, path);
		goto out_close;
	}
	if (secret && (st.st_mode & 077)) {
		tlstund_identity_err(err, errlen, false,
				     "%s %s is accessible by group or others (mode %04o); run chmod 600 on it",
				     what, path,
				     (unsigned int)(st.st_mode & 07777));
		goto out_close;
	}
	if ((size_t)st.st_size > max) {
		tlstund_identity_err(err, errlen, false,
				     "%s %s is too large (%lld bytes)", what,
				     path, (long long)st.st_size);
		goto out_close;
	}
	/* Room for one byte past the size tells a file that grew. */
	cap = st.st_size + 1;
	buf = OPENSSL_malloc(cap);
	if (!buf) {
		tlstund_identity_err(err, errlen, false, "out of memory");
		goto out_close;
	}
	while (len < cap) {
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tlstund_identity_err(err, errlen, false,
					     "cannot read %s %s: %s", what,
					     path, strerror(errno));
			goto out_free;
		}
		if (!n)
			break;
		len += n;
	}
	if (len == cap) {
		tlstund_identity_err(err, errlen, false,
				     "%s %s changed while being read", what,
				     path);
		goto out_free;
	}
	buf[len] = '\0';
	*lenp = len;
	close(fd);
	return buf;

out_free:
	if (secret)
		OPENSSL_clear_free(buf, cap);
	else
		OPENSSL_free(buf);
	buf = NULL;
out_close:
	close(fd);
	return NULL;
}

/* Encrypted keys fail to load instead of prompting on a terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)u = true;
	return -1;
}

/**
 * tlstund_identity_load_key() - load a private key from a PEM file
 * @path: file, mode 0600 or stricter
 * @err: error buffer
 * @errlen: its size
 *
 * Return: the P-256 key, or NULL with @err saying why (cannot open,
 * accessible by others, not PEM, encrypted, not P-256).
 */
EVP_PKEY *tlstund_identity_load_key(const char *path, char *err,
				    size_t errlen)
{
	EVP_PKEY *key = NULL;
	bool asked = false;
	char desc[96];
	size_t len;
	char *buf;
	BIO *bio;

	buf = read_file("private key", path, KEY_FILE_MAX, true, &len, err,
			errlen);
	if (!buf)
		return NULL;
	bio = BIO_new_mem_buf(buf, len);
	if (bio) {
		key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, &asked);
		BIO_free(bio);
	}
	OPENSSL_clear_free(buf, len + 1);
	if (!key) {
		if (asked)
			tlstund_identity_err(err, errlen, false,
					     "private key %s is encrypted; tlstun keys are stored unencrypted, protected by the file mode",
					     path);
		else
			tlstund_identity_err(err, errlen, true,
					     "cannot parse private key %s",
					     path);
		return NULL;
	}
	if (!tlstund_key_is_p256(key)) {
		describe_key(key, desc, sizeof(desc));
		tlstund_identity_err(err, errlen, false,
				     "private key %s is %s; tlstun needs ECDSA P-256",
				     path, desc);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

/*
 * Reads the leaf and any intermediates from a PEM file into @id. Running
 * out of certificates shows as PEM_R_NO_START_LINE; any other error means
 * a damaged block.
 */
static int load_certs(struct tlstund_identity *id, const char *path,
		      char *err, size_t errlen)
{
	unsigned long e;
	size_t len;
	char *buf;
	BIO *bio;
	X509 *x;
	int ret = -EINVAL;

	buf = read_file("certificate", path, CERT_FILE_MAX, false, &len, err,
			errlen);
	if (!buf)
		return -EINVAL;
	bio = BIO_new_mem_buf(buf, len);
	id->chain = sk_X509_new_null();
	if (!bio || !id->chain) {
		tlstund_identity_err(err, errlen, false, "out of memory");
		goto out;
	}
	id->cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!id->cert) {
		tlstund_identity_err(err, errlen, true,
				     "cannot parse certificate %s", path);
		goto out;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (!sk_X509_push(id->chain, x)) {
			X509_free(x);
			tlstund_identity_err(err, errlen, false,
					     "out of memory");
			goto out;
		}
	}
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
	    ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
		tlstund_identity_err(err, errlen, true,
				     "cannot parse certificate %d of %s",
				     sk_X509_num(id->chain) + 2, path);
		goto out;
	}
	ERR_clear_error();
	ret = 0;
out:
	BIO_free(bio);
	OPENSSL_free(buf);
	return ret;
}

/**
 * tlstund_identity_load() - load and cross-check the local key and cert
 * @id: filled on success, left empty on failure
 * @key_path: private key PEM (tlstund_identity_load_key())
 * @cert_path: certificate PEM, the leaf first, then any intermediates
 * @err: error buffer
 * @errlen: its size
 *
 * The certificate must hold the key's public half, be P-256 and, if it
 * names a node, name exactly one in the one accepted spelling: peers with
 * a "ca" policy would refuse anything else, and failing here tells the
 * operator which file to fix instead of leaving them with a peer's log.
 *
 * Return: 0, or -EINVAL with @err saying why.
 */
int tlstund_identity_load(struct tlstund_identity *id, const char *key_path,
			  const char *cert_path, char *err, size_t errlen)
{
	char desc[96];
	int ret;

	memset(id, 0, sizeof(*id));
	id->key = tlstund_identity_load_key(key_path, err, errlen);
	if (!id->key)
		return -EINVAL;
	if (load_certs(id, cert_path, err, errlen))
		goto fail;
	if (!tlstund_key_is_p256(X509_get0_pubkey(id->cert))) {
		if (X509_get0_pubkey(id->cert))
			describe_key(X509_get0_pubkey(id->cert), desc,
				     sizeof(desc));
		else
			snprintf(desc, sizeof(desc), "an unreadable key");
		tlstund_identity_err(err, errlen, false,
				     "certificate %s holds %s; tlstun needs ECDSA P-256",
				     cert_path, desc);
		goto fail;
	}
	if (X509_check_private_key(id->cert, id->key) != 1) {
		tlstund_identity_err(err, errlen, false,
				     "certificate %s does not match private key %s",
				     cert_path, key_path);
		goto fail;
	}
	if (tlstund_spki_sha256_cert(id->cert, id->spki_sha256)) {
		tlstund_identity_err(err, errlen, false,
				     "cannot encode the public key of %s",
				     cert_path);
		goto fail;
	}
	ret = tlstund_cert_node_id(id->cert, id->node_id);
	id->has_node_id = !ret;
	if (ret && ret != -ENOENT) {
		tlstund_identity_err(err, errlen, false,
				     "certificate %s: %s node URI (want exactly one %s0x<32 lower-case hex>)",
				     cert_path,
				     ret == -ENOTUNIQ ? "more than one" :
				     "malformed", TLSTUND_NODE_URI_PREFIX);
		goto fail;
	}
	return 0;

fail:
	tlstund_identity_free(id);
	return -EINVAL;
}

/**
 * tlstund_identity_free() - release what tlstund_identity_load() loaded
 * @id: identity; safe on a zeroed or already freed one
 */
void tlstund_identity_free(struct tlstund_identity *id)
{
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	sk_X509_pop_free(id->chain, X509_free);
	memset(id, 0, sizeof(*id));
}

/**
 * tlstund_identity_genkey() - generate a new P-256 key
 * @err: error buffer
 * @errlen: its size
 *
 * Return: the key, or NULL.
 */
EVP_PKEY *tlstund_identity_genkey(char *err, size_t errlen)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");

	if (!key)
		tlstund_identity_err(err, errlen, true,
				     "cannot generate a P-256 key");
	return key;
}

/**
 * tlstund_write_all() - write a whole buffer, across short writes and EINTR
 * @fd: where to
 * @buf: what
 * @len: its length
 *
 * Return: 0, -errno, or -EIO when the file takes no more bytes.
 */
int tlstund_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

/**
 * tlstund_identity_write_key() - write a private key as PKCS#8 PEM
 * @key: key
 * @fd: where to (a new file, or stdout for "tlstun genkey")
 * @err: error buffer
 * @errlen: its size
 *
 * Return: 0, or -EIO with @err set.
 */
int tlstund_identity_write_key(EVP_PKEY *key, int fd, char *err,
			       size_t errlen)
{
	char *pem;
	long len;
	BIO *bio;
	int ret = -EIO;

	bio = BIO_new(BIO_s_mem());
	if (!bio || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL,
					      NULL)) {
		tlstund_identity_err(err, errlen, true,
				     "cannot encode the private key");
		goto out;
	}
	len = BIO_get_mem_data(bio, &pem);
	ret = tlstund_write_all(fd, pem, len);
	if (ret) {
		tlstund_identity_err(err, errlen, false,
				     "cannot write the private key: %s",
				     strerror(-ret));
		ret = -EIO;
	}
	OPENSSL_cleanse(pem, len);
out:
	BIO_free(bio);
	return ret;
}

/**
 * tlstund_identity_save_key() - write a private key to a new file
 * @key: key
 * @path: created with mode 0600; an existing file is never replaced
 * @err: error buffer
 * @errlen: its size
 *
 * A partial file left by a failed write is removed.
 *
 * Return: 0, or a negative errno with @err set.
 */
int tlstund_identity_save_key(EVP_PKEY *key, const char *path, char *err,
			      size_t errlen)
{
	int fd, ret;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		ret = -errno;
		tlstund_identity_err(err, errlen, false,
				     "cannot create private key %s: %s%s", path,
				     strerror(errno),
				     errno == EEXIST ?
				     " (refusing to overwrite a key)" : "");
		return ret;
	}
	ret = tlstund_identity_write_key(key, fd, err, errlen);
	if (!ret && fsync(fd)) {
		ret = -errno;
		tlstund_identity_err(err, errlen, false,
				     "cannot sync private key %s: %s", path,
				     strerror(errno));
	}
	if (close(fd) && !ret) {
		ret = -errno;
		tlstund_identity_err(err, errlen, false,
				     "cannot write private key %s: %s", path,
				     strerror(errno));
	}
	if (ret)
		unlink(path);
	return ret;
}

/*
 * The extensions of every tlstun leaf: what trust.c demands of a peer,
 * so a certificate made here, or issued from a CSR made here by a CA that
 * copies extensions, passes the "ca" policy.
 */
static int push_ext(X509V3_CTX *ctx, int nid, const char *value,
		    STACK_OF(X509_EXTENSION) **exts)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
	int ok = ext && X509v3_add_ext(exts, ext, -1);

	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

/*
 * The extensions of every tlstun leaf: what trust.c demands of a peer,
 * so a certificate made here, or issued from a CSR made here by a CA that
 * copies extensions, passes the "ca" policy.
 */
static int add_leaf_exts(X509V3_CTX *ctx,
			 const uint8_t node_id[TLSTUND_NODE_ID_LEN],
			 STACK_OF(X509_EXTENSION) **exts)
{
	char uri[4 + TLSTUND_NODE_URI_STRLEN] = "URI:";

	if (push_ext(ctx, NID_basic_constraints, "critical,CA:FALSE", exts) ||
	    push_ext(ctx, NID_key_usage, "critical,digitalSignature", exts) ||
	    push_ext(ctx, NID_ext_key_usage, "serverAuth,clientAuth", exts))
		return -ENOMEM;
	if (!node_id)
		return 0;
	tlstund_node_uri_format(node_id, uri + 4);
	return push_ext(ctx, NID_subject_alt_name, uri, exts);
}

static X509_NAME *node_name(const uint8_t node_id[TLSTUND_NODE_ID_LEN])
{
	char cn[16 + TLSTUND_NODE_ID_STRLEN] = "tlstun node";
	X509_NAME *name = X509_NAME_new();

	if (node_id) {
		strcat(cn, " ");
		tlstund_node_id_format(node_id, cn + strlen(cn));
	}
	if (name && !X509_NAME_add_entry_by_NID(name, NID_commonName,
						MBSTRING_ASC,
						(unsigned char *)cn, -1, -1,
						0)) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

/* A positive 127-bit random serial, as RFC 5280 asks of CAs. */
static int set_random_serial(X509 *x)
{
	unsigned char b[16];
	ASN1_INTEGER *serial;
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	b[0] = (b[0] & 0x7f) | 0x40;
	bn = BN_bin2bn(b, sizeof(b), NULL);
	serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	ok = serial && X509_set_serialNumber(x, serial);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	return ok ? 0 : -ENOMEM;
}

/**
 * tlstund_identity_selfsign() - make a self-signed certificate for a key
 * @key: P-256 private key
 * @node_id: node id for the SAN URI, or NULL for none (pin-only use)
 * @not_before: start of validity; the caller passes time(NULL)
 * @days: length of validity, 1 to about 200 years; peers with a "pin" or
 *        "tofu" policy ignore dates, so a long one costs nothing
 * @err: error buffer
 * @errlen: its size
 *
 * Return: the certificate, or NULL with @err set.
 */
X509 *tlstund_identity_selfsign(EVP_PKEY *key,
				const uint8_t node_id[TLSTUND_NODE_ID_LEN],
				time_t not_before, unsigned int days,
				char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_NAME *name = NULL;
	X509V3_CTX ctx;
	X509 *x;
	int i;

	if (!tlstund_key_is_p256(key)) {
		tlstund_identity_err(err, errlen, false,
				     "tlstun certificates need an ECDSA P-256 key");
		return NULL;
	}
	if (!days || days > SELFSIGN_DAYS_MAX) {
		tlstund_identity_err(err, errlen, false,
				     "validity of %u days is out of range 1-%u",
				     days, SELFSIGN_DAYS_MAX);
		return NULL;
	}
	x = X509_new();
	name = node_name(node_id);
	if (!x || !name || !X509_set_version(x, X509_VERSION_3) ||
	    set_random_serial(x) || !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, name) ||
	    !X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &not_before) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, &not_before) ||
	    !X509_set_pubkey(x, key))
		goto fail;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (add_leaf_exts(&ctx, node_id, &exts) ||
	    push_ext(&ctx, NID_subject_key_identifier, "hash", &exts))
		goto fail;
	for (i = 0; i < sk_X509_EXTENSION_num(exts); i++)
		if (!X509_add_ext(x, sk_X509_EXTENSION_value(exts, i), -1))
			goto fail;
	if (!X509_sign(x, key, EVP_sha256()))
		goto fail;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	return x;

fail:
	tlstund_identity_err(err, errlen, true,
			     "cannot make a self-signed certificate");
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_free(x);
	return NULL;
}

/**
 * tlstund_identity_csr() - make a certificate request for a CA
 * @key: P-256 private key
 * @node_id: node id the CA is asked to certify
 * @err: error buffer
 * @errlen: its size
 *
 * The request carries the extensions the "ca" policy checks (see
 * add_leaf_exts()); a CA may copy them or set its own.
 *
 * Return: the signed request, or NULL with @err set.
 */
X509_REQ *tlstund_identity_csr(EVP_PKEY *key,
			       const uint8_t node_id[TLSTUND_NODE_ID_LEN],
			       char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_NAME *name = NULL;
	X509V3_CTX ctx;
	X509_REQ *req;

	if (!node_id || !tlstund_key_is_p256(key)) {
		tlstund_identity_err(err, errlen, false,
				     "a tlstun CSR needs a node id and an ECDSA P-256 key");
		return NULL;
	}
	req = X509_REQ_new();
	name = node_name(node_id);
	if (!req || !name || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, key))
		goto fail;
	X509V3_set_ctx(&ctx, NULL, NULL, req, NULL, 0);
	if (add_leaf_exts(&ctx, node_id, &exts) ||
	    !X509_REQ_add_extensions(req, exts) ||
	    !X509_REQ_sign(req, key, EVP_sha256()))
		goto fail;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	return req;

fail:
	tlstund_identity_err(err, errlen, true, "cannot make a CSR");
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return NULL;
}
