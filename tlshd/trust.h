/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Peer trust policy: one function over the DER certificate chain a peer
 * presented, independent of the transport (TCP+TLS or QUIC) and of when
 * the transport calls it. See trust.c for the rules of each policy.
 */
#ifndef TLSTUND_TRUST_H
#define TLSTUND_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509_vfy.h>

#include "identity.h"

/* Longest chain a peer may present, leaf included. */
#define TLSTUND_TRUST_MAX_CHAIN		8
/* Longest peer name usable as a TOFU store key. */
#define TLSTUND_TRUST_PEER_NAME_MAX	64
/* Printable identity, NUL included; below TLSTUN_PEER_MAX (128). */
#define TLSTUND_TRUST_IDENTITY_MAX	64
#define TLSTUND_TRUST_DETAIL_MAX	128

enum tlstund_trust_kind {
	TLSTUND_TRUST_UNSET,	/* never valid: rejects every peer */
	TLSTUND_TRUST_CA,
	TLSTUND_TRUST_PIN,
	TLSTUND_TRUST_TOFU,
};

enum tlstund_trust_verdict {
	TLSTUND_TRUST_OK,
	TLSTUND_TRUST_BAD_POLICY,
	TLSTUND_TRUST_EMPTY_CHAIN,
	TLSTUND_TRUST_CHAIN_TOO_LONG,
	TLSTUND_TRUST_BAD_DER,
	TLSTUND_TRUST_EXPIRED,
	TLSTUND_TRUST_NOT_YET_VALID,
	TLSTUND_TRUST_UNTRUSTED_CHAIN,
	TLSTUND_TRUST_LEAF_IS_CA,
	TLSTUND_TRUST_BAD_KEY_TYPE,
	TLSTUND_TRUST_BAD_KEY_USAGE,
	TLSTUND_TRUST_NO_NODE_URI,
	TLSTUND_TRUST_MALFORMED_NODE_URI,
	TLSTUND_TRUST_AMBIGUOUS_NODE_URI,
	TLSTUND_TRUST_WRONG_NODE_ID,
	TLSTUND_TRUST_PIN_MISMATCH,
	TLSTUND_TRUST_TOFU_MISMATCH,
	TLSTUND_TRUST_TOFU_STORE_ERROR,
	TLSTUND_TRUST_INTERNAL_ERROR,
	TLSTUND_TRUST_REFLECTED,
	TLSTUND_TRUST_REVOKED,		/* a CRL revokes one of the chain */
	TLSTUND_TRUST_CRL_MISSING,	/* no CRL from an issuer of the chain */
	TLSTUND_TRUST_CRL_EXPIRED,	/* its issuer's CRL is out of date */
	TLSTUND_TRUST_CRL_INVALID,	/* not yet valid, bad signature... */
	__TLSTUND_TRUST_VERDICT_MAX,
};

/* Which TLS role the peer played on the connection being judged: the
 * purpose the ca policy verifies its chain for. A node dials and listens
 * with one certificate; BOTH, the default, requires the chain to be fit
 * for either role (for callers that judge a certificate off any
 * connection).
 */
enum tlstund_trust_peer_role {
	TLSTUND_TRUST_PEER_BOTH,
	TLSTUND_TRUST_PEER_CLIENT,	/* it dialed us */
	TLSTUND_TRUST_PEER_SERVER,	/* we dialed it */
};

struct tlstund_trust_policy {
	enum tlstund_trust_kind kind;
	/* ca: trust anchors, owned by the caller (tlstund_trust_load_ca) */
	X509_STORE *ca_store;
	/* ca: the node id the peer's certificate must name */
	uint8_t node_id[TLSTUND_NODE_ID_LEN];
	/* pin: SHA-256 of the peer leaf's DER SubjectPublicKeyInfo */
	uint8_t pin[TLSTUND_PIN_LEN];
	/* tofu: store directory and this peer's key in it */
	const char *tofu_dir;
	const char *peer_name;
	/* every policy: SHA-256 of our own SPKI; a peer presenting it is
	 * refused (a reflected connection, or a stolen key)
	 */
	uint8_t local_spki[TLSTUND_PIN_LEN];
	/* ca: the role the peer played on this connection */
	enum tlstund_trust_peer_role peer_role;
	/* ca: ca_store holds CRLs (tlstund_trust_load_crl()), and every
	 * certificate of the chain must be covered by a current one
	 */
	bool crl_check;
	/* ca, with crl_check: an expired CRL accepts, and says so in the
	 * result, instead of rejecting (crl-expired = warn)
	 */
	bool crl_expired_warn;
};

struct tlstund_trust_result {
	enum tlstund_trust_verdict verdict;
	/* Set whenever the leaf parsed, accepted or not: logs show it. */
	bool has_spki;
	uint8_t spki_sha256[TLSTUND_PIN_LEN];
	/* ca only: the node id the CA vouched for. */
	bool has_node_id;
	uint8_t node_id[TLSTUND_NODE_ID_LEN];
	/* tofu only: no pin was recorded; call tlstund_trust_tofu_record()
	 * once the handshake has completed.
	 */
	bool tofu_first_contact;
	/* Accepted with crl_expired_warn although a CRL had expired. */
	bool crl_expired_accepted;
	/* Accepted peers only: "node:0x<32 hex>" or "pin:sha256:<16 hex>". */
	char identity[TLSTUND_TRUST_IDENTITY_MAX];
	/* Why, in more words (an OpenSSL verify error, a store path). */
	char detail[TLSTUND_TRUST_DETAIL_MAX];
};

int tlstund_trust_verify(const struct tlstund_trust_policy *pol,
			 const uint8_t *const *der, const size_t *der_len,
			 size_t n_certs, time_t now,
			 struct tlstund_trust_result *res);
const char *tlstund_trust_reason_str(enum tlstund_trust_verdict verdict);

X509_STORE *tlstund_trust_load_ca(const char *path, char *err, size_t errlen);
/* crl.c */
int tlstund_trust_load_crl(X509_STORE *store, const char *path, char *err,
			   size_t errlen);
/* What the chain check's verify callback (app data) works with. */
struct tlstund_crl_cb {
	struct tlstund_trust_result *res;
	bool warn;				/* crl-expired = warn */
	char revoked[TLSTUND_TRUST_DETAIL_MAX];	/* what was revoked */
};
int tlstund_crl_verify_cb(int ok, X509_STORE_CTX *ctx);

bool tlstund_trust_peer_name_valid(const char *name);
int tlstund_trust_tofu_lookup(const char *dir, const char *peer,
			      uint8_t pin[TLSTUND_PIN_LEN]);
int tlstund_trust_tofu_record(const struct tlstund_trust_policy *pol,
			      struct tlstund_trust_result *res);

#endif /* TLSTUND_TRUST_H */
