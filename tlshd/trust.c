// SPDX-License-Identifier: GPL-2.0
/*
 * Peer trust policy. tlstund_trust_verify() takes the DER chain a peer
 * presented, leaf first, and a policy, and says whether the peer is who the
 * configuration expects. It knows nothing of the transport: the TCP+TLS and
 * QUIC code hand it the chain, from OpenSSL's verify callback or after the
 * handshake, and act on the verdict. Proof that the peer holds the leaf's
 * key is the handshake's part (TLS 1.3 CertificateVerify), which is why a
 * TOFU pin is recorded only once the handshake has completed.
 *
 * Every policy first parses the whole chain: at least one and at most
 * TLSTUND_TRUST_MAX_CHAIN certificates, each exactly one DER certificate
 * with no trailing bytes and extensions OpenSSL can decode. Then:
 *
 * Every policy then refuses a leaf whose SubjectPublicKeyInfo hashes to
 * our own (policy.local_spki): a connection of ours reflected back to us,
 * or a peer holding our key. It is refused before anything else, so TOFU
 * never records our own key as a peer's.
 *
 * ca    1. The chain verifies, at the time passed in and with
 *          X509_V_FLAG_X509_STRICT, to a self-signed root in the configured
 *          bundle; certificates after the leaf are untrusted intermediates.
 *          It is verified for the TLS role the peer played on the
 *          connection (X509_PURPOSE_SSL_CLIENT when it dialed us,
 *          X509_PURPOSE_SSL_SERVER when we dialed it, both when the
 *          caller names no role), so the extendedKeyUsage of every issuer
 *          must allow that role.
 *       2. The leaf is not a CA (basicConstraints CA:TRUE): a CA key that
 *          can also act as a node could mint other nodes.
 *       3. The leaf key is ECDSA P-256.
 *       4. keyUsage, if present, includes digitalSignature. extendedKey-
 *          Usage, if present, lists both serverAuth and clientAuth: a node
 *          dials and listens with the same certificate, so it is the TLS
 *          client on some connections and the server on others.
 *          anyExtendedKeyUsage alone does not do: a CA issuing for tlstun
 *          says so. keyCertSign on a non-CA leaf, which strict mode
 *          rejects during step 1, is reported as a key usage failure too.
 *       5. The leaf's subjectAltName holds exactly one URI in the
 *          "urn:tlstun:" namespace (any case), and it reads
 *          "urn:tlstun:node:0x" and 32 lower-case hex digits (see
 *          tlstund_cert_node_id()); other URIs and names are ignored.
 *       6. That node id equals the configured one.
 *       Steps 2 and 4 run before step 1, so a leaf failing both is
 *       reported for its own usage rather than for its chain.
 *
 * pin   The leaf key is ECDSA P-256 and the SHA-256 of its DER Subject-
 *       PublicKeyInfo equals the configured pin. Nothing else is looked
 *       at: not the issuer, not the dates, not the extensions. The pin is
 *       the whole trust, as a WireGuard public key is; the certificate is
 *       only the envelope TLS needs for the key. Expiry would make a
 *       static configuration stop working on a date nobody chose, and
 *       replacing a key means changing the pin anyway.
 *
 * tofu  As pin, against the pin recorded for this peer name. With no
 *       record the peer is accepted and flagged tofu_first_contact: the
 *       caller records the pin with tlstund_trust_tofu_record() after the
 *       handshake has completed, never before, so that a peer which sent a
 *       stolen certificate but cannot sign with its key records nothing.
 *       A store that cannot be read, or holds anything but one well-formed
 *       pin, rejects the peer.
 *
 * The TOFU store is a directory with one file per peer, "<peer>.pin",
 * holding "sha256:<64 hex>\n", mode 0600. A record is created by writing a
 * temporary file in the same directory, syncing it, renaming it into place
 * without replacing anything, and syncing the directory; it is never
 * rewritten, so changing a peer's key means deleting its file. A store
 * directory or record that is not owned by our effective uid, or that
 * group or others can write, is refused: whoever can write there chooses
 * whom we trust.
 *
 * An accepted peer's identity, for logs and for tagging its SAs, is
 * "node:0x<32 hex>" under ca and "pin:sha256:<first 16 hex of the pin>"
 * under pin and tofu, where a node URI in a self-issued certificate would
 * be only the peer's own claim.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "trust.h"

#define TOFU_SUFFIX	".pin"
/* The pin and a newline, in place of the NUL. */
#define TOFU_RECORD_LEN	(TLSTUND_PIN_STRLEN)

static const char *const reasons[__TLSTUND_TRUST_VERDICT_MAX] = {
	[TLSTUND_TRUST_OK]		= "accepted",
	[TLSTUND_TRUST_BAD_POLICY]	= "no usable trust policy for this peer",
	[TLSTUND_TRUST_EMPTY_CHAIN]	= "peer sent no certificate",
	[TLSTUND_TRUST_CHAIN_TOO_LONG]	= "peer sent too many certificates",
	[TLSTUND_TRUST_BAD_DER]		= "peer certificate does not parse",
	[TLSTUND_TRUST_EXPIRED]		= "certificate has expired",
	[TLSTUND_TRUST_NOT_YET_VALID]	= "certificate is not yet valid",
	[TLSTUND_TRUST_UNTRUSTED_CHAIN]	= "certificate chain does not verify to a trusted CA",
	[TLSTUND_TRUST_LEAF_IS_CA]	= "peer certificate is a CA certificate",
	[TLSTUND_TRUST_BAD_KEY_TYPE]	= "peer key is not ECDSA P-256",
	[TLSTUND_TRUST_BAD_KEY_USAGE]	= "certificate key usage does not allow mutual TLS",
	[TLSTUND_TRUST_NO_NODE_URI]	= "certificate names no tlstun node",
	[TLSTUND_TRUST_MALFORMED_NODE_URI] = "certificate node URI is malformed",
	[TLSTUND_TRUST_AMBIGUOUS_NODE_URI] = "certificate names more than one tlstun node",
	[TLSTUND_TRUST_WRONG_NODE_ID]	= "certificate names a different node",
	[TLSTUND_TRUST_PIN_MISMATCH]	= "peer key does not match the configured pin",
	[TLSTUND_TRUST_TOFU_MISMATCH]	= "peer key differs from the key recorded at first contact",
	[TLSTUND_TRUST_TOFU_STORE_ERROR] = "TOFU store cannot be used",
	[TLSTUND_TRUST_INTERNAL_ERROR]	= "internal error while checking the peer",
	[TLSTUND_TRUST_REFLECTED]	= "peer presents our own key",
	[TLSTUND_TRUST_REVOKED]		= "certificate is revoked",
	[TLSTUND_TRUST_CRL_MISSING]	= "no CRL covers the certificate chain",
	[TLSTUND_TRUST_CRL_EXPIRED]	= "the CRL is out of date",
	[TLSTUND_TRUST_CRL_INVALID]	= "the CRL cannot be used",
};

/**
 * tlstund_trust_reason_str() - log phrase for a verdict
 * @verdict: verdict
 *
 * Return: a static string, also for values out of range.
 */
const char *tlstund_trust_reason_str(enum tlstund_trust_verdict verdict)
{
	if ((unsigned int)verdict >= __TLSTUND_TRUST_VERDICT_MAX ||
	    !reasons[verdict])
		return "unknown verdict";
	return reasons[verdict];
}

static int verdict(struct tlstund_trust_result *res,
		   enum tlstund_trust_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the verdict and its detail; returns what tlstund_trust_verify()
 * returns for it.
 */
static int verdict(struct tlstund_trust_result *res,
		   enum tlstund_trust_verdict v, const char *fmt, ...)
{
	va_list ap;

	res->verdict = v;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
		va_end(ap);
	}
	ERR_clear_error();
	return v == TLSTUND_TRUST_OK ? 0 : -EACCES;
}

/* OpenSSL's reason for the newest queued error, for a detail string. */
static const char *ssl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r ? r : "unknown reason";
}

static void free_chain(STACK_OF(X509) *chain)
{
	sk_X509_pop_free(chain, X509_free);
}

static int parse_chain(const uint8_t *const *der, const size_t *der_len,
		       size_t n, STACK_OF(X509) **chainp,
		       struct tlstund_trust_result *res)
{
	STACK_OF(X509) *chain;
	const unsigned char *p;
	size_t i;
	X509 *x;

	if (!n || !der || !der_len)
		return verdict(res, TLSTUND_TRUST_EMPTY_CHAIN, NULL);
	if (n > TLSTUND_TRUST_MAX_CHAIN)
		return verdict(res, TLSTUND_TRUST_CHAIN_TOO_LONG,
			       "%zu certificates, at most %d", n,
			       TLSTUND_TRUST_MAX_CHAIN);
	chain = sk_X509_new_null();
	if (!chain)
		return verdict(res, TLSTUND_TRUST_INTERNAL_ERROR,
			       "out of memory");
	for (i = 0; i < n; i++) {
		if (!der[i] || !der_len[i] || der_len[i] > LONG_MAX) {
			free_chain(chain);
			return verdict(res, TLSTUND_TRUST_BAD_DER,
				       "certificate %zu is empty", i);
		}
		p = der[i];
		x = d2i_X509(NULL, &p, der_len[i]);
		if (!x) {
			free_chain(chain);
			return verdict(res, TLSTUND_TRUST_BAD_DER,
				       "certificate %zu: %s", i, ssl_reason());
		}
		if (!sk_X509_push(chain, x)) {
			X509_free(x);
			free_chain(chain);
			return verdict(res, TLSTUND_TRUST_INTERNAL_ERROR,
				       "out of memory");
		}
		if (p != der[i] + der_len[i]) {
			free_chain(chain);
			return verdict(res, TLSTUND_TRUST_BAD_DER,
				       "certificate %zu: %zu bytes after the certificate",
				       i, (size_t)(der[i] + der_len[i] - p));
		}
		/* Also caches the extensions every later check reads. */
		if (X509_get_extension_flags(x) & EXFLAG_INVALID) {
			free_chain(chain);
			return verdict(res, TLSTUND_TRUST_BAD_DER,
				       "certificate %zu: invalid or duplicate extensions",
				       i);
		}
	}
	*chainp = chain;
	return 0;
}

static enum tlstund_trust_verdict verify_error(int err, int depth)
{
	switch (err) {
	case X509_V_ERR_CERT_REVOKED:
		return TLSTUND_TRUST_REVOKED;
	case X509_V_ERR_UNABLE_TO_GET_CRL:
		return TLSTUND_TRUST_CRL_MISSING;
	case X509_V_ERR_CRL_HAS_EXPIRED:
		return TLSTUND_TRUST_CRL_EXPIRED;
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
	case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
	case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
	case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
	case X509_V_ERR_DIFFERENT_CRL_SCOPE:
	case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
		return TLSTUND_TRUST_CRL_INVALID;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return TLSTUND_TRUST_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLSTUND_TRUST_NOT_YET_VALID;
	case X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA:
	case X509_V_ERR_INVALID_PURPOSE:
		/* Strict mode sees a leaf claiming keyCertSign first, and the
		 * purpose check a leaf's extendedKeyUsage before step 4: the
		 * leaf's own usage. An issuer's is the chain's fault.
		 */
		return depth ? TLSTUND_TRUST_UNTRUSTED_CHAIN :
			       TLSTUND_TRUST_BAD_KEY_USAGE;
	case X509_V_ERR_OUT_OF_MEM:
		return TLSTUND_TRUST_INTERNAL_ERROR;
	default:
		return TLSTUND_TRUST_UNTRUSTED_CHAIN;
	}
}

static int verify_chain_for(const struct tlstund_trust_policy *pol,
			    STACK_OF(X509) *chain, time_t now, int purpose,
			    struct tlstund_trust_result *res)
{
	struct tlstund_crl_cb cb = { .res = res,
				     .warn = pol->crl_expired_warn };
	STACK_OF(X509) *untrusted = NULL;
	X509_VERIFY_PARAM *param;
	X509_STORE_CTX *ctx;
	int ret, err, depth;

	ctx = X509_STORE_CTX_new();
	untrusted = sk_X509_dup(chain);
	if (!ctx || !untrusted) {
		ret = verdict(res, TLSTUND_TRUST_INTERNAL_ERROR,
			      "out of memory");
		goto out;
	}
	/* The stack shares the chain's certificates; it only drops the leaf. */
	sk_X509_shift(untrusted);
	if (!X509_STORE_CTX_init(ctx, pol->ca_store, sk_X509_value(chain, 0),
				 untrusted)) {
		ret = verdict(res, TLSTUND_TRUST_INTERNAL_ERROR,
			      "X509_STORE_CTX_init: %s", ssl_reason());
		goto out;
	}
	/* The purpose makes OpenSSL check the extendedKeyUsage of every
	 * certificate in the chain, issuers included: a CA limited to
	 * serverAuth vouches for no client.
	 */
	if (!X509_STORE_CTX_set_purpose(ctx, purpose)) {
		ret = verdict(res, TLSTUND_TRUST_INTERNAL_ERROR,
			      "X509_STORE_CTX_set_purpose: %s", ssl_reason());
		goto out;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, now);
	X509_VERIFY_PARAM_set_depth(param, TLSTUND_TRUST_MAX_CHAIN);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT |
				    (pol->crl_check ? X509_V_FLAG_CRL_CHECK |
				     X509_V_FLAG_CRL_CHECK_ALL : 0));
	if (pol->crl_check) {
		X509_STORE_CTX_set_app_data(ctx, &cb);
		X509_STORE_CTX_set_verify_cb(ctx, tlstund_crl_verify_cb);
	}
	if (X509_verify_cert(ctx) == 1) {
		ret = 0;
		goto out;
	}
	err = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	if (err == X509_V_OK)
		ret = verdict(res, TLSTUND_TRUST_INTERNAL_ERROR,
			      "X509_verify_cert: %s", ssl_reason());
	else if (err == X509_V_ERR_CERT_REVOKED && cb.revoked[0])
		ret = verdict(res, TLSTUND_TRUST_REVOKED, "%s", cb.revoked);
	else
		ret = verdict(res, verify_error(err, depth),
			      "%s at depth %d",
			      X509_verify_cert_error_string(err), depth);
out:
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	return ret;
}

/* Step 1 of the ca policy, for the role the peer played. */
static int verify_chain(const struct tlstund_trust_policy *pol,
			STACK_OF(X509) *chain, time_t now,
			struct tlstund_trust_result *res)
{
	int ret;

	switch (pol->peer_role) {
	case TLSTUND_TRUST_PEER_CLIENT:
		return verify_chain_for(pol, chain, now,
					X509_PURPOSE_SSL_CLIENT, res);
	case TLSTUND_TRUST_PEER_SERVER:
		return verify_chain_for(pol, chain, now,
					X509_PURPOSE_SSL_SERVER, res);
	case TLSTUND_TRUST_PEER_BOTH:
		ret = verify_chain_for(pol, chain, now,
				       X509_PURPOSE_SSL_CLIENT, res);
		return ret ? ret : verify_chain_for(pol, chain, now,
						    X509_PURPOSE_SSL_SERVER,
						    res);
	default:
		return verdict(res, TLSTUND_TRUST_BAD_POLICY,
			       "unknown peer role %d", pol->peer_role);
	}
}

/* Steps 2 and 4 of the ca policy, checked before step 1; 3 runs for
 * every policy.
 */
static int check_leaf_usage(X509 *leaf, struct tlstund_trust_result *res)
{
	const uint32_t both = XKU_SSL_SERVER | XKU_SSL_CLIENT;
	uint32_t flags = X509_get_extension_flags(leaf);

	if (flags & EXFLAG_CA)
		return verdict(res, TLSTUND_TRUST_LEAF_IS_CA,
			       "basicConstraints CA:TRUE");
	if ((flags & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE))
		return verdict(res, TLSTUND_TRUST_BAD_KEY_USAGE,
			       "keyUsage lacks digitalSignature");
	if ((flags & EXFLAG_XKUSAGE) &&
	    (X509_get_extended_key_usage(leaf) & both) != both)
		return verdict(res, TLSTUND_TRUST_BAD_KEY_USAGE,
			       "extendedKeyUsage must list serverAuth and clientAuth");
	return 0;
}

static int check_node(const struct tlstund_trust_policy *pol, X509 *leaf,
		      struct tlstund_trust_result *res)
{
	char want[TLSTUND_NODE_ID_STRLEN], got[TLSTUND_NODE_ID_STRLEN];
	uint8_t id[TLSTUND_NODE_ID_LEN];

	switch (tlstund_cert_node_id(leaf, id)) {
	case 0:
		break;
	case -ENOENT:
		return verdict(res, TLSTUND_TRUST_NO_NODE_URI,
			       "no subjectAltName URI " TLSTUND_NODE_URI_PREFIX
			       "0x<32 hex>");
	case -ENOTUNIQ:
		return verdict(res, TLSTUND_TRUST_AMBIGUOUS_NODE_URI, NULL);
	case -EINVAL:
		return verdict(res, TLSTUND_TRUST_MALFORMED_NODE_URI,
			       "want " TLSTUND_NODE_URI_PREFIX
			       "0x<32 lower-case hex>");
	default:
		return verdict(res, TLSTUND_TRUST_BAD_DER,
			       "subjectAltName does not decode");
	}
	if (memcmp(id, pol->node_id, sizeof(id))) {
		tlstund_node_id_format(id, got);
		tlstund_node_id_format(pol->node_id, want);
		return verdict(res, TLSTUND_TRUST_WRONG_NODE_ID,
			       "certificate names %s, expected %s", got, want);
	}
	memcpy(res->node_id, id, sizeof(id));
	res->has_node_id = true;
	return 0;
}

/**
 * tlstund_trust_peer_name_valid() - whether a peer name can key the store
 * @name: peer name from the configuration
 *
 * 1 to TLSTUND_TRUST_PEER_NAME_MAX - 1 characters of [A-Za-z0-9_.-], not
 * starting with a dot: a plain file name that cannot climb out of the
 * store or collide with the store's hidden temporary files.
 *
 * Return: true if usable.
 */
bool tlstund_trust_peer_name_valid(const char *name)
{
	size_t i;

	if (!name || !name[0] || name[0] == '.')
		return false;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i >= TLSTUND_TRUST_PEER_NAME_MAX - 1)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* Ours alone to write: owned by our effective uid, not writable by group
 * or others. Mode bits alone do not do: the owner of a 0700 directory can
 * write records into it, and chmod it back.
 */
static bool private_to_us(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & 022);
}

/* Opens the store directory, refusing one others may write to: whoever
 * can write there can replace a record.
 */
static int open_store(const char *dir)
{
	struct stat st;
	int dfd, err;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fstat(dfd, &st)) {
		err = -errno;
		close(dfd);
		return err;
	}
	if (!private_to_us(&st)) {
		close(dfd);
		return -EPERM;
	}
	return dfd;
}

static int lookup_at(int dfd, const char *file, uint8_t pin[TLSTUND_PIN_LEN])
{
	char buf[TOFU_RECORD_LEN + 1], canon[TLSTUND_PIN_STRLEN];
	struct stat st;
	ssize_t n;
	int fd, ret;

	fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	ret = -EPERM;
	if (!private_to_us(&st))
		goto out;
	ret = -EBADMSG;
	if (!S_ISREG(st.st_mode))
		goto out;
	do {
		n = read(fd, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	/* Exactly one pin as tlstund_pin_format() prints it, and a newline. */
	if (n != TOFU_RECORD_LEN || buf[n - 1] != '\n')
		goto out;
	buf[n - 1] = '\0';
	if (tlstund_pin_parse(buf, pin))
		goto out;
	tlstund_pin_format(pin, canon);
	if (strcmp(buf, canon))
		goto out;
	ret = 0;
out:
	close(fd);
	return ret;
}

/**
 * tlstund_trust_tofu_lookup() - read the pin recorded for a peer
 * @dir: store directory
 * @peer: peer name (tlstund_trust_peer_name_valid())
 * @pin: the recorded pin, on success
 *
 * Return: 0; -ENOENT when no pin is recorded; -EINVAL for a bad peer name;
 * -EPERM when the directory or record is writable by group or others;
 * -EBADMSG for a corrupt record; another negative errno when the store
 * cannot be read.
 */
int tlstund_trust_tofu_lookup(const char *dir, const char *peer,
			      uint8_t pin[TLSTUND_PIN_LEN])
{
	char file[TLSTUND_TRUST_PEER_NAME_MAX + sizeof(TOFU_SUFFIX)];
	int dfd, ret;

	if (!dir || !tlstund_trust_peer_name_valid(peer))
		return -EINVAL;
	snprintf(file, sizeof(file), "%s" TOFU_SUFFIX, peer);
	dfd = open_store(dir);
	if (dfd < 0)
		return dfd == -ENOENT ? -ENOTDIR : dfd;
	ret = lookup_at(dfd, file, pin);
	close(dfd);
	return ret;
}

/*
 * Moves the finished temporary record into place unless a record is
 * already there. RENAME_NOREPLACE where the filesystem has it, otherwise
 * link(), which never replaces either.
 */
static int install_record(int dfd, const char *tmp, const char *file)
{
	if (!renameat2(dfd, tmp, dfd, file, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (linkat(dfd, tmp, dfd, file, 0))
		return -errno;
	unlinkat(dfd, tmp, 0);
	return 0;
}

/**
 * tlstund_trust_tofu_record() - record a first-contact peer's pin
 * @pol: the peer's tofu policy
 * @res: the result of tlstund_trust_verify() with tofu_first_contact set
 *
 * Call only after the handshake has completed. When another record
 * appeared since the lookup (a second connection raced this one) the
 * two pins are compared instead.
 *
 * Return: 0 when the pin is recorded (or was already, the same); -EACCES
 * otherwise, with @res->verdict TLSTUND_TRUST_TOFU_MISMATCH,
 * TLSTUND_TRUST_TOFU_STORE_ERROR or TLSTUND_TRUST_BAD_POLICY and
 * @res->detail saying why, and the identity cleared.
 */
int tlstund_trust_tofu_record(const struct tlstund_trust_policy *pol,
			      struct tlstund_trust_result *res)
{
	char file[TLSTUND_TRUST_PEER_NAME_MAX + sizeof(TOFU_SUFFIX)];
	char rec[TOFU_RECORD_LEN + 1];
	uint8_t old[TLSTUND_PIN_LEN];
	char *tmp = NULL;
	int dfd, fd, ret;

	res->tofu_first_contact = false;
	if (!pol || pol->kind != TLSTUND_TRUST_TOFU || !pol->tofu_dir ||
	    !tlstund_trust_peer_name_valid(pol->peer_name) ||
	    res->verdict != TLSTUND_TRUST_OK || !res->has_spki) {
		ret = verdict(res, TLSTUND_TRUST_BAD_POLICY,
			      "nothing to record");
		goto out_clear;
	}
	snprintf(file, sizeof(file), "%s" TOFU_SUFFIX, pol->peer_name);
	dfd = open_store(pol->tofu_dir);
	if (dfd < 0) {
		ret = verdict(res, TLSTUND_TRUST_TOFU_STORE_ERROR, "%s: %s",
			      pol->tofu_dir, strerror(-dfd));
		goto out_clear;
	}
	if (asprintf(&tmp, "%s/.%s.XXXXXX", pol->tofu_dir,
		     pol->peer_name) < 0) {
		tmp = NULL;
		ret = verdict(res, TLSTUND_TRUST_INTERNAL_ERROR,
			      "out of memory");
		goto out_close;
	}
	/* mkostemp() creates the file with mode 0600. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = verdict(res, TLSTUND_TRUST_TOFU_STORE_ERROR,
			      "cannot create a file in %s: %s", pol->tofu_dir,
			      strerror(errno));
		goto out_close;
	}
	tlstund_pin_format(res->spki_sha256, rec);
	strcat(rec, "\n");
	ret = tlstund_write_all(fd, rec, TOFU_RECORD_LEN);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret)
		ret = install_record(dfd, strrchr(tmp, '/') + 1, file);
	if (ret) {
		unlink(tmp);
		if (ret == -EEXIST)
			goto raced;
		ret = verdict(res, TLSTUND_TRUST_TOFU_STORE_ERROR,
			      "cannot record %s/%s: %s", pol->tofu_dir, file,
			      strerror(-ret));
		goto out_close;
	}
	if (fsync(dfd)) {
		ret = verdict(res, TLSTUND_TRUST_TOFU_STORE_ERROR,
			      "cannot sync %s: %s", pol->tofu_dir,
			      strerror(errno));
		goto out_close;
	}
	ret = 0;
	goto out_close;

raced:
	ret = lookup_at(dfd, file, old);
	if (ret)
		ret = verdict(res, TLSTUND_TRUST_TOFU_STORE_ERROR, "%s/%s: %s",
			      pol->tofu_dir, file, strerror(-ret));
	else if (CRYPTO_memcmp(old, res->spki_sha256, sizeof(old)))
		ret = verdict(res, TLSTUND_TRUST_TOFU_MISMATCH,
			      "%s/%s was recorded meanwhile", pol->tofu_dir,
			      file);
out_close:
	free(tmp);
	close(dfd);
out_clear:
	if (ret)
		res->identity[0] = '\0';
	return ret;
}

static int check_tofu(const struct tlstund_trust_policy *pol,
		      struct tlstund_trust_result *res)
{
	uint8_t pin[TLSTUND_PIN_LEN];
	int ret;

	ret = tlstund_trust_tofu_lookup(pol->tofu_dir, pol->peer_name, pin);
	if (ret == -ENOENT) {
		res->tofu_first_contact = true;
		return 0;
	}
	if (ret == -EINVAL)
		return verdict(res, TLSTUND_TRUST_BAD_POLICY,
			       "TOFU needs a store directory and a peer name of [A-Za-z0-9_.-]");
	if (ret == -ENOTDIR)
		return verdict(res, TLSTUND_TRUST_TOFU_STORE_ERROR,
			       "store directory %s is missing or not a directory",
			       pol->tofu_dir);
	if (ret)
		return verdict(res, TLSTUND_TRUST_TOFU_STORE_ERROR,
			       "%s/%s" TOFU_SUFFIX ": %s", pol->tofu_dir,
			       pol->peer_name,
			       ret == -EBADMSG ? "corrupt record" :
			       ret == -EPERM ?
			       "owned by another user or writable by group or others" :
			       strerror(-ret));
	if (CRYPTO_memcmp(pin, res->spki_sha256, sizeof(pin)))
		return verdict(res, TLSTUND_TRUST_TOFU_MISMATCH,
			       "recorded in %s/%s" TOFU_SUFFIX, pol->tofu_dir,
			       pol->peer_name);
	return 0;
}

static int check_policy(const struct tlstund_trust_policy *pol,
			STACK_OF(X509) *chain, time_t now,
			struct tlstund_trust_result *res)
{
	X509 *leaf = sk_X509_value(chain, 0);
	int ret;

	/* The leaf's own usage first: the purpose check of step 1 would
	 * also refuse a CA or a wrong usage, but name the chain.
	 */
	if (pol->kind == TLSTUND_TRUST_CA) {
		ret = check_leaf_usage(leaf, res);
		if (!ret)
			ret = verify_chain(pol, chain, now, res);
		if (ret)
			return ret;
	}
	if (!tlstund_key_is_p256(X509_get0_pubkey(leaf)))
		return verdict(res, TLSTUND_TRUST_BAD_KEY_TYPE, NULL);

	switch (pol->kind) {
	case TLSTUND_TRUST_CA:
		return check_node(pol, leaf, res);
	case TLSTUND_TRUST_PIN:
		if (CRYPTO_memcmp(pol->pin, res->spki_sha256,
				  sizeof(pol->pin))) {
			char got[TLSTUND_PIN_STRLEN];

			/* What it showed, as ssh shows the fingerprint it
			 * got: the operator can compare it with the peer's
			 * "tlstun pubkey" without guessing.
			 */
			tlstund_pin_format(res->spki_sha256, got);
			return verdict(res, TLSTUND_TRUST_PIN_MISMATCH,
				       "the peer presented %s", got);
		}
		return 0;
	case TLSTUND_TRUST_TOFU:
		return check_tofu(pol, res);
	default:
		return verdict(res, TLSTUND_TRUST_BAD_POLICY, NULL);
	}
}

/**
 * tlstund_trust_verify() - decide whether a peer's chain is acceptable
 * @pol: the peer's policy
 * @der: the DER certificates the peer sent, leaf first
 * @der_len: their lengths
 * @n_certs: their number
 * @now: the time to check validity at ("ca" only); the daemon passes
 *       time(NULL), tests a fixed time
 * @res: the verdict and what was learnt about the peer; always filled
 *
 * Fails closed: anything unexpected, down to an OpenSSL allocation
 * failure, is a rejection with its own verdict.
 *
 * Return: 0 when the peer is accepted, -EACCES when not.
 */
int tlstund_trust_verify(const struct tlstund_trust_policy *pol,
			 const uint8_t *const *der, const size_t *der_len,
			 size_t n_certs, time_t now,
			 struct tlstund_trust_result *res)
{
	char pin[TLSTUND_PIN_STRLEN], id[TLSTUND_NODE_ID_STRLEN];
	STACK_OF(X509) *chain = NULL;
	int ret;

	memset(res, 0, sizeof(*res));
	ERR_clear_error();
	if (!pol || (pol->kind == TLSTUND_TRUST_CA && !pol->ca_store) ||
	    (pol->kind != TLSTUND_TRUST_CA && pol->kind != TLSTUND_TRUST_PIN &&
	     pol->kind != TLSTUND_TRUST_TOFU))
		return verdict(res, TLSTUND_TRUST_BAD_POLICY, NULL);
	ret = parse_chain(der, der_len, n_certs, &chain, res);
	if (ret)
		return ret;
	if (tlstund_spki_sha256_cert(sk_X509_value(chain, 0),
				     res->spki_sha256)) {
		ret = verdict(res, TLSTUND_TRUST_BAD_DER,
			      "public key does not encode");
		goto out;
	}
	res->has_spki = true;
	/* Before any policy, and so before TOFU can record it: a connection
	 * of ours reflected back, or a peer holding our key, must not become
	 * a trusted peer (under pin a configuration error would do it).
	 */
	if (!CRYPTO_memcmp(res->spki_sha256, pol->local_spki,
			   sizeof(pol->local_spki))) {
		ret = verdict(res, TLSTUND_TRUST_REFLECTED, NULL);
		goto out;
	}
	ret = check_policy(pol, chain, now, res);
	if (ret)
		goto out;

	if (res->has_node_id) {
		tlstund_node_id_format(res->node_id, id);
		snprintf(res->identity, sizeof(res->identity), "node:%s", id);
	} else {
		tlstund_pin_format(res->spki_sha256, pin);
		snprintf(res->identity, sizeof(res->identity), "pin:%.*s",
			 (int)(sizeof(TLSTUND_PIN_PREFIX) - 1 + 16), pin);
	}
	ret = verdict(res, TLSTUND_TRUST_OK, NULL);
out:
	free_chain(chain);
	return ret;
}

/**
 * tlstund_trust_load_ca() - load a PEM bundle of trust anchors
 * @path: PEM file of one or more CA certificates
 * @err: error buffer
 * @errlen: its size
 *
 * Return: a store holding at least one certificate, or NULL with @err
 * set. A bundle with no certificate is an error, not a store that trusts
 * nobody: that is a configuration mistake worth stopping for.
 */
X509_STORE *tlstund_trust_load_ca(const char *path, char *err, size_t errlen)
{
	STACK_OF(X509_INFO) *infos = NULL;
	X509_STORE *store;
	int i, n = 0;
	BIO *bio;

	store = X509_STORE_new();
	if (!store) {
		tlstund_identity_err(err, errlen, true, "out of memory");
		return NULL;
	}
	bio = BIO_new_file(path, "r");
	if (!bio) {
		tlstund_identity_err(err, errlen, false,
				     "cannot open CA bundle %s: %s", path,
				     strerror(errno));
		goto fail;
	}
	infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!infos) {
		tlstund_identity_err(err, errlen, true,
				     "cannot parse CA bundle %s", path);
		goto fail;
	}
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *info = sk_X509_INFO_value(infos, i);

		if (!info->x509)
			continue;
		if (!X509_STORE_add_cert(store, info->x509)) {
			tlstund_identity_err(err, errlen, true,
					     "cannot add certificate %d of %s",
					     n + 1, path);
			goto fail;
		}
		n++;
	}
	if (!n) {
		tlstund_identity_err(err, errlen, false,
				     "CA bundle %s holds no certificate", path);
		goto fail;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	return store;

fail:
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	X509_STORE_free(store);
	return NULL;
}
