// SPDX-License-Identifier: GPL-2.0
/*
 * The QUIC transport (transport.h), with ngtcp2 1.x and GnuTLS 3.7.
 *
 * The same promises as the TLS transport (tls.c), kept the GnuTLS way:
 *
 *  - QUIC v1 and TLS 1.3 only, AES-GCM suites, X25519 and P-256 key
 *    exchange: every handshake is a fresh (EC)DHE.
 *  - No resumption in any form: GNUTLS_NO_TICKETS on both sides (the
 *    server issues none, the client keeps none), no early data (the
 *    sessions are made without GNUTLS_ENABLE_EARLY_DATA). A session that
 *    says it was resumed anyway fails at handshake completion.
 *  - Mutual authentication always: the server requires a certificate
 *    (GNUTLS_CERT_REQUIRE). GnuTLS does not judge certificates: its verify
 *    function, run when the peer's Certificate arrived and before the
 *    handshake can complete, hands the DER chain as sent to
 *    tlstund_trust_verify(), the very verdict tls.c uses; anything but OK
 *    fails the handshake with an alert. TOFU pins are recorded only once
 *    the handshake completed, that is once the peer proved it holds the
 *    key.
 *  - ALPN "tlstun/1" always: GnuTLS refuses a client that does not offer
 *    it (GNUTLS_ALPN_MANDATORY), and, since ngtcp2 does not enforce ALPN,
 *    handshake_completed() here checks the selected protocol again on
 *    both sides and fails the connection without it.
 *
 * The exporter is RFC 9001's, which is TLS 1.3's (RFC 8446 7.5): the same
 * key schedule (keysched.c) runs on it unchanged.
 *
 * The session layer's byte stream is the first client-initiated
 * bidirectional stream (id 0): the dialer opens it when the handshake
 * completes and speaks first (session.c), so the listener learns it from
 * the first STREAM frame. Any other stream is refused. Bytes written are
 * kept until acknowledged (ngtcp2 may retransmit them); bytes received
 * are buffered in a window the size of the buffer, which grows back as
 * read() consumes them, so the peer can never overrun it.
 *
 * Concurrency: none. The daemon calls everything from its one poll loop
 * thread, and the ngtcp2 and GnuTLS callbacks run inside those calls.
 * Every socket is non-blocking and no call waits.
 *
 * Secrets: traffic secrets live in GnuTLS and ngtcp2 and are wiped when
 * they are freed; our private key passes through a PEM buffer that is
 * wiped (OPENSSL_cleanse) before it is freed. Error texts name the peer,
 * the step and the library's reason, never key material.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "quic.h"

#define QUIC_PRIORITY	"NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:" \
			"+AES-128-GCM:+AES-256-GCM:-GROUP-ALL:" \
			"+GROUP-X25519:+GROUP-SECP256R1:" \
			"%DISABLE_TLS13_COMPAT_MODE"
#define QUIC_IDLE_DEFAULT_MS	60000
#define QUIC_HANDSHAKE_TIMEOUT	(30 * NGTCP2_SECONDS)
#define ALPN_LEN		(sizeof(TLSTUND_ALPN) - 1)

#ifdef TLSTUN_HOST_TEST
/* Misbehaviour the unit test's client may ask for: offer no ALPN ("")
 * or another,
 * keep session tickets, send no certificate.
 */
const char *tlstund_quic_test_alpn;
bool tlstund_quic_test_keep_tickets;
bool tlstund_quic_test_no_cert;
#endif

uint64_t quic_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NGTCP2_SECONDS + (uint64_t)ts.tv_nsec;
}

/*
 * Contexts
 */

static void ctx_free_policy(struct quic_ctx *ctx)
{
	X509_STORE_free(ctx->policy.ca_store);
	free(ctx->tofu_dir);
	free(ctx->peer_name);
}

void quic_ctx_put(struct quic_ctx *ctx)
{
	if (!ctx || --ctx->refs > 0)
		return;
	if (ctx->cred)
		gnutls_certificate_free_credentials(ctx->cred);
	ctx_free_policy(ctx);
	OPENSSL_cleanse(ctx, sizeof(*ctx));
	free(ctx);
}

static int policy_copy(struct quic_ctx *ctx,
		       const struct tlstund_trust_policy *pol)
{
	ctx->policy = *pol;
	ctx->policy.ca_store = NULL;
	ctx->policy.tofu_dir = NULL;
	ctx->policy.peer_name = NULL;
	if (pol->ca_store) {
		if (!X509_STORE_up_ref(pol->ca_store))
			return -ENOMEM;
		ctx->policy.ca_store = pol->ca_store;
	}
	if (pol->tofu_dir) {
		ctx->tofu_dir = strdup(pol->tofu_dir);
		if (!ctx->tofu_dir)
			return -ENOMEM;
		ctx->policy.tofu_dir = ctx->tofu_dir;
	}
	if (pol->peer_name) {
		ctx->peer_name = strdup(pol->peer_name);
		if (!ctx->peer_name)
			return -ENOMEM;
		ctx->policy.peer_name = ctx->peer_name;
	}
	return 0;
}

/* Our key and chain into GnuTLS, through PEM in memory: GnuTLS cannot take
 * OpenSSL's objects. The key's PEM is wiped before it is freed.
 */
static int load_identity(gnutls_certificate_credentials_t cred,
			 const struct tlstund_identity *id, char *err,
			 size_t errlen)
{
	BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
	gnutls_datum_t cert = { 0 }, key = { 0 };
	char *p;
	long n;
	int i, ret = -EINVAL;

	if (!cb || !kb)
		goto out;
	if (!PEM_write_bio_X509(cb, id->cert))
		goto out;
	for (i = 0; id->chain && i < sk_X509_num(id->chain); i++)
		if (!PEM_write_bio_X509(cb, sk_X509_value(id->chain, i)))
			goto out;
	if (!PEM_write_bio_PrivateKey(kb, id->key, NULL, NULL, 0, NULL,
				      NULL)) {
		tlstund_identity_err(err, errlen, true,
				     "QUIC context: our private key cannot be handed to GnuTLS (a key only a provider holds, such as a TPM's, works over TCP only)");
		goto out;
	}
	n = BIO_get_mem_data(cb, &p);
	cert.data = (unsigned char *)p;
	cert.size = n;
	n = BIO_get_mem_data(kb, &p);
	key.data = (unsigned char *)p;
	key.size = n;
	ret = gnutls_certificate_set_x509_key_mem2(cred, &cert, &key,
						   GNUTLS_X509_FMT_PEM, NULL,
						   0);
	if (ret < 0) {
		tlstund_identity_err(err, errlen, false,
				     "QUIC context: GnuTLS refuses our key and certificate: %s",
				     gnutls_strerror(ret));
		ret = -EINVAL;
		goto out;
	}
	ret = 0;
out:
	if (ret && !err[0])
		tlstund_identity_err(err, errlen, true,
				     "QUIC context: cannot encode our key and certificate");
	if (kb) {
		n = BIO_get_mem_data(kb, &p);
		if (n > 0)
			OPENSSL_cleanse(p, n);
	}
	BIO_free(cb);
	BIO_free(kb);
	return ret;
}

static int verify_peer(gnutls_session_t session);

static void *quic_ctx_new(const struct tlstund_transport_cfg *cfg, char *err,
			  size_t errlen)
{
	const struct tlstund_identity *id = cfg ? cfg->identity : NULL;
	struct quic_ctx *ctx;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!id || !id->key || !id->cert) {
		tlstund_identity_err(err, errlen, false,
				     "QUIC context: no local key and certificate");
		return NULL;
	}
	if (!tlstund_key_is_p256(id->key)) {
		tlstund_identity_err(err, errlen, false,
				     "QUIC context: our key is not ECDSA P-256");
		return NULL;
	}
	if (!tlstund_transport_policy_usable(cfg->trust, "QUIC context", err,
					     errlen))
		return NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		tlstund_identity_err(err, errlen, false,
				     "QUIC context: out of memory");
		return NULL;
	}
	ctx->refs = 1;
	ctx->idle_timeout_ms = cfg->idle_timeout_ms ? cfg->idle_timeout_ms :
						      QUIC_IDLE_DEFAULT_MS;
	if (policy_copy(ctx, cfg->trust)) {
		tlstund_identity_err(err, errlen, false,
				     "QUIC context: cannot copy the trust policy");
		goto fail;
	}
	ret = gnutls_certificate_allocate_credentials(&ctx->cred);
	if (ret < 0) {
		ctx->cred = NULL;
		tlstund_identity_err(err, errlen, false,
				     "QUIC context: %s", gnutls_strerror(ret));
		goto fail;
	}
	if (load_identity(ctx->cred, id, err, errlen))
		goto fail;
	gnutls_certificate_set_verify_function(ctx->cred, verify_peer);
	return ctx;

fail:
	quic_ctx_put(ctx);
	return NULL;
}

static void quic_ctx_free(void *ctx)
{
	quic_ctx_put(ctx);
}

/*
 * GnuTLS callbacks
 */

static struct tlstund_conn *session_conn(gnutls_session_t session)
{
	ngtcp2_crypto_conn_ref *ref = gnutls_session_get_ptr(session);

	return ref ? ref->user_data : NULL;
}

/* The role the peer plays on @c: the purpose its chain must have. */
static void policy_for_conn(const struct tlstund_conn *c,
			    const struct tlstund_trust_policy *pol,
			    struct tlstund_trust_policy *out)
{
	*out = *pol;
	out->peer_role = c->we_dialed ? TLSTUND_TRUST_PEER_SERVER :
					TLSTUND_TRUST_PEER_CLIENT;
}

/*
 * Replaces GnuTLS's own certificate checks for every peer chain: the trust
 * policy decides. A non-zero return fails the handshake with an alert.
 */
static int verify_peer(gnutls_session_t session)
{
	struct tlstund_conn *c = session_conn(session);
	const uint8_t *der[TLSTUND_TRUST_MAX_CHAIN + 1];
	size_t len[TLSTUND_TRUST_MAX_CHAIN + 1];
	const gnutls_datum_t *certs;
	struct tlstund_trust_policy pol;
	unsigned int n = 0, k;

	if (!c)
		return GNUTLS_E_CERTIFICATE_ERROR;
	c->verified = false;
	memset(&c->result, 0, sizeof(c->result));
	certs = gnutls_certificate_get_peers(session, &n);
	if (!certs)
		n = 0;
	/* One more than the limit, so that trust.c names it too long. */
	if (n > TLSTUND_TRUST_MAX_CHAIN + 1)
		n = TLSTUND_TRUST_MAX_CHAIN + 1;
	for (k = 0; k < n; k++) {
		der[k] = certs[k].data;
		len[k] = certs[k].size;
	}
	policy_for_conn(c, &c->ctx->policy, &pol);
	if (tlstund_trust_verify(&pol, der, len, n, time(NULL), &c->result) ||
	    c->result.verdict != TLSTUND_TRUST_OK) {
		if (c->result.verdict == TLSTUND_TRUST_OK)
			c->result.verdict = TLSTUND_TRUST_INTERNAL_ERROR;
		c->rejected = true;
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	if (tlstund_peer_chain_keep(&c->chain, der, len, n)) {
		c->result.verdict = TLSTUND_TRUST_INTERNAL_ERROR;
		snprintf(c->result.detail, sizeof(c->result.detail),
			 "out of memory keeping the peer's certificates");
		c->rejected = true;
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	c->verified = true;
	return 0;
}

static ngtcp2_conn *ref_get_conn(ngtcp2_crypto_conn_ref *ref)
{
	struct tlstund_conn *c = ref->user_data;

	return c->q;
}

int quic_session_new(struct tlstund_conn *c, bool server, char *err,
		       size_t errlen)
{
	gnutls_datum_t alpn = {
		.data = (unsigned char *)TLSTUND_ALPN, .size = ALPN_LEN };
	unsigned int flags = (server ? GNUTLS_SERVER : GNUTLS_CLIENT) |
			     GNUTLS_NO_TICKETS | GNUTLS_NO_END_OF_EARLY_DATA;
	const char *step = "gnutls_init";
	gnutls_certificate_credentials_t cred = c->ctx->cred;
	int ret;

#ifdef TLSTUN_HOST_TEST
	if (!server && tlstund_quic_test_keep_tickets)
		flags &= ~GNUTLS_NO_TICKETS;
	if (!server && tlstund_quic_test_no_cert) {
		static gnutls_certificate_credentials_t none;

		if (!none && gnutls_certificate_allocate_credentials(&none))
			abort();
		gnutls_certificate_set_verify_function(none, verify_peer);
		cred = none;
	}
#endif
	ret = gnutls_init(&c->tls, flags);
	if (ret < 0) {
		c->tls = NULL;
		goto fail;
	}
	step = "set the priorities " QUIC_PRIORITY;
	ret = gnutls_priority_set_direct(c->tls, QUIC_PRIORITY, NULL);
	if (ret < 0)
		goto fail;
	step = "set up QUIC";
	ret = server ? ngtcp2_crypto_gnutls_configure_server_session(c->tls) :
		       ngtcp2_crypto_gnutls_configure_client_session(c->tls);
	if (ret) {
		ret = GNUTLS_E_INTERNAL_ERROR;
		goto fail;
	}
	c->ref.get_conn = ref_get_conn;
	c->ref.user_data = c;
	gnutls_session_set_ptr(c->tls, &c->ref);
	step = "set our credentials";
	ret = gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, cred);
	if (ret < 0)
		goto fail;
	step = "set ALPN " TLSTUND_ALPN;
#ifdef TLSTUN_HOST_TEST
	if (!server && tlstund_quic_test_alpn && !*tlstund_quic_test_alpn)
		goto no_alpn;
	if (!server && tlstund_quic_test_alpn) {
		alpn.data = (unsigned char *)tlstund_quic_test_alpn;
		alpn.size = strlen(tlstund_quic_test_alpn);
	}
#endif
	/* The server does not make GnuTLS refuse other ALPN in the hello
	 * (GNUTLS_ALPN_MANDATORY): handshake_completed_cb() refuses it, after
	 * the client's certificate was judged, so that a stranger learns
	 * nothing from which check failed first and the log names both.
	 */
	ret = gnutls_alpn_set_protocols(c->tls, &alpn, 1,
					server ? 0 : GNUTLS_ALPN_MANDATORY);
	if (ret < 0)
		goto fail;
#ifdef TLSTUN_HOST_TEST
no_alpn:
#endif
	if (server)
		gnutls_certificate_server_set_request(c->tls,
						      GNUTLS_CERT_REQUIRE);
	return 0;

fail:
	tlstund_identity_err(err, errlen, false,
			     "peer %s: cannot %s: %s", c->peer_name, step,
			     gnutls_strerror(ret));
	return -EINVAL;
}

/*
 * ngtcp2 callbacks
 */

static void rand_cb(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *rctx)
{
	(void)rctx;
	if (gnutls_rnd(GNUTLS_RND_RANDOM, dest, len) < 0)
		abort();	/* no randomness: nothing here is safe */
}

static int get_new_cid_cb(ngtcp2_conn *q, ngtcp2_cid *cid, uint8_t *token,
			  size_t cidlen, void *user)
{
	struct tlstund_conn *c = user;

	(void)q;
	if (gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, cidlen) < 0)
		return NGTCP2_ERR_CALLBACK_FAILURE;
	cid->datalen = cidlen;
	if (ngtcp2_crypto_generate_stateless_reset_token(token,
			c->reset_secret, sizeof(c->reset_secret), cid))
		return NGTCP2_ERR_CALLBACK_FAILURE;
	return 0;
}

static bool alpn_agreed(struct tlstund_conn *c)
{
	gnutls_datum_t p = { 0 };

	return !gnutls_alpn_get_selected_protocol(c->tls, &p) &&
	       p.size == ALPN_LEN && !memcmp(p.data, TLSTUND_ALPN, ALPN_LEN);
}

/* Everything checked before the connection may carry the session. */
static int handshake_completed_cb(ngtcp2_conn *q, void *user)
{
	struct tlstund_conn *c = user;
	int64_t sid;

	if (gnutls_protocol_get_version(c->tls) != GNUTLS_TLS1_3) {
		c->problem = "negotiated a TLS version other than 1.3";
		c->problem_alert = GNUTLS_A_PROTOCOL_VERSION;
		return NGTCP2_ERR_CALLBACK_FAILURE;
	}
	if (gnutls_session_is_resumed(c->tls)) {
		c->problem = "the session was resumed; every session must be a full handshake";
		c->problem_alert = GNUTLS_A_HANDSHAKE_FAILURE;
		return NGTCP2_ERR_CALLBACK_FAILURE;
	}
	if (!alpn_agreed(c)
#ifdef TLSTUN_HOST_TEST
	    && !(c->we_dialed && tlstund_quic_test_alpn)
#endif
	    ) {
		c->problem = c->we_dialed ?
			"server did not select ALPN \"" TLSTUND_ALPN "\"" :
			"client did not offer ALPN \"" TLSTUND_ALPN "\"";
		c->problem_alert = GNUTLS_A_NO_APPLICATION_PROTOCOL;
		return NGTCP2_ERR_CALLBACK_FAILURE;
	}
	if (!c->verified || c->result.verdict != TLSTUND_TRUST_OK) {
		c->problem = "completed without a verified peer certificate";
		c->problem_alert = GNUTLS_A_BAD_CERTIFICATE;
		return NGTCP2_ERR_CALLBACK_FAILURE;
	}
	/* The peer has now signed with the key: its pin may be kept. */
	if (c->result.tofu_first_contact &&
	    tlstund_trust_tofu_record(&c->ctx->policy, &c->result)) {
		c->rejected = true;
		return NGTCP2_ERR_CALLBACK_FAILURE;
	}
	if (c->we_dialed) {
		if (ngtcp2_conn_open_bidi_stream(q, &sid, NULL)) {
			c->problem = "cannot open the control stream";
			c->problem_alert = GNUTLS_A_INTERNAL_ERROR;
			return NGTCP2_ERR_CALLBACK_FAILURE;
		}
		c->stream_id = sid;
	}
	c->established = true;
	return 0;
}

/* Only the first client-initiated bidirectional stream carries anything. */
static int stream_open_cb(ngtcp2_conn *q, int64_t sid, void *user)
{
	struct tlstund_conn *c = user;

	if (c->we_dialed || c->stream_id >= 0 || sid != 0) {
		ngtcp2_conn_shutdown_stream(q, 0, sid, 0);
		return 0;
	}
	c->stream_id = sid;
	return 0;
}

static int recv_stream_data_cb(ngtcp2_conn *q, uint32_t flags, int64_t sid,
			       uint64_t offset, const uint8_t *data,
			       size_t len, void *user, void *suser)
{
	struct tlstund_conn *c = user;

	(void)q;
	(void)offset;
	(void)suser;
	if (sid != c->stream_id)
		return 0;
	/* The window never exceeds the room left: ngtcp2 enforced it. */
	if (len > sizeof(c->in) - c->in_off - c->in_len) {
		memmove(c->in, c->in + c->in_off, c->in_len);
		c->in_off = 0;
		if (len > sizeof(c->in) - c->in_len)
			return NGTCP2_ERR_CALLBACK_FAILURE;
	}
	memcpy(c->in + c->in_off + c->in_len, data, len);
	c->in_len += len;
	if (flags & NGTCP2_STREAM_DATA_FLAG_FIN)
		c->eof = true;
	return 0;
}

static int acked_cb(ngtcp2_conn *q, int64_t sid, uint64_t offset,
		    uint64_t len, void *user, void *suser)
{
	struct tlstund_conn *c = user;

	(void)q;
	(void)suser;
	if (sid != c->stream_id)
		return 0;
	/* ngtcp2 reports a stream's acknowledged bytes in order, without
	 * overlap: they are the front of out[], which then goes.
	 */
	if (offset != c->out_base || len > c->out_sent)
		return NGTCP2_ERR_CALLBACK_FAILURE;
	memmove(c->out, c->out + len, c->out_len - len);
	c->out_len -= len;
	c->out_sent -= len;
	c->out_base += len;
	return 0;
}

static int stream_close_cb(ngtcp2_conn *q, uint32_t flags, int64_t sid,
			   uint64_t app_error, void *user, void *suser)
{
	struct tlstund_conn *c = user;

	(void)q;
	(void)flags;
	(void)app_error;
	(void)suser;
	if (sid == c->stream_id)
		c->eof = true;
	return 0;
}

static int path_validation_cb(ngtcp2_conn *q, uint32_t flags,
			      const ngtcp2_path *path,
			      const ngtcp2_path *old_path,
			      ngtcp2_path_validation_result res, void *user)
{
	struct tlstund_conn *c = user;

	(void)q;
	(void)flags;
	(void)old_path;
	if (res != NGTCP2_PATH_VALIDATION_RESULT_SUCCESS || c->we_dialed ||
	    path->remote.addrlen > sizeof(c->remote))
		return 0;
	if (path->remote.addrlen == c->remote_len &&
	    !memcmp(path->remote.addr, &c->remote, c->remote_len))
		return 0;
	/* The peer proved it is at the new address: follow it. Datagrams
	 * from there now come to this socket and not the listener's.
	 */
	memcpy(&c->remote, path->remote.addr, path->remote.addrlen);
	c->remote_len = path->remote.addrlen;
	connect(c->fd, (struct sockaddr *)&c->remote, c->remote_len);
	quic_peer_store(c);
	c->path_changed = true;
	return 0;
}

/* What both ends hand ngtcp2; each table adds its side's first step. */
#define QUIC_CALLBACKS_BOTH						\
	.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb,		\
	.handshake_completed = handshake_completed_cb,			\
	.encrypt = ngtcp2_crypto_encrypt_cb,				\
	.decrypt = ngtcp2_crypto_decrypt_cb,				\
	.hp_mask = ngtcp2_crypto_hp_mask_cb,				\
	.recv_stream_data = recv_stream_data_cb,			\
	.acked_stream_data_offset = acked_cb,				\
	.stream_open = stream_open_cb,					\
	.stream_close = stream_close_cb,				\
	.rand = rand_cb,						\
	.get_new_connection_id = get_new_cid_cb,			\
	.update_key = ngtcp2_crypto_update_key_cb,			\
	.path_validation = path_validation_cb,				\
	.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb, \
	.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb, \
	.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb, \
	.version_negotiation = ngtcp2_crypto_version_negotiation_cb

const ngtcp2_callbacks quic_client_callbacks = {
	QUIC_CALLBACKS_BOTH,
	.client_initial = ngtcp2_crypto_client_initial_cb,
	.recv_retry = ngtcp2_crypto_recv_retry_cb,
};

const ngtcp2_callbacks quic_server_callbacks = {
	QUIC_CALLBACKS_BOTH,
	.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb,
};

void quic_settings_init(ngtcp2_settings *s, ngtcp2_transport_params *p,
			  const struct quic_ctx *ctx)
{
	ngtcp2_settings_default(s);
	s->initial_ts = quic_now_ns();
	s->max_tx_udp_payload_size = QUIC_MAX_UDP;
	s->handshake_timeout = QUIC_HANDSHAKE_TIMEOUT;
	ngtcp2_transport_params_default(p);
	p->initial_max_stream_data_bidi_local = QUIC_STREAM_BUF;
	p->initial_max_stream_data_bidi_remote = QUIC_STREAM_BUF;
	p->initial_max_data = QUIC_STREAM_BUF;
	p->initial_max_streams_bidi = 0;
	p->initial_max_streams_uni = 0;
	p->max_idle_timeout = (uint64_t)ctx->idle_timeout_ms *
			      NGTCP2_MILLISECONDS;
}

static int quic_fd(struct tlstund_conn *c)
{
	return c->fd;
}

static short quic_events(struct tlstund_conn *c)
{
	if (c->failed)
		return 0;
	return POLLIN | (c->send_blocked ? POLLOUT : 0);
}

static uint64_t quic_deadline(struct tlstund_conn *c)
{
	uint64_t t;

	if (c->failed || !c->q)
		return 0;
	if (c->pending || c->in_len || (c->eof && c->established))
		return 1;	/* at once */
	t = ngtcp2_conn_get_expiry(c->q);
	if (t == UINT64_MAX)
		return 0;
	/* ngtcp2's clock is CLOCK_MONOTONIC in ns, the daemon's in ms;
	 * round up so the timer has expired when the daemon looks.
	 */
	return t / NGTCP2_MILLISECONDS + 1;
}

static bool quic_take_path_change(struct tlstund_conn *c)
{
	bool changed = c->path_changed;

	c->path_changed = false;
	return changed;
}

static const struct tlstund_trust_result *quic_peer(struct tlstund_conn *c)
{
	return c->established || c->rejected ? &c->result : NULL;
}

static int quic_reverify(struct tlstund_conn *c,
			 const struct tlstund_trust_policy *conf,
			 struct tlstund_trust_result *res)
{
	if (!c->established) {
		memset(res, 0, sizeof(*res));
		res->verdict = TLSTUND_TRUST_INTERNAL_ERROR;
		return -ENOTCONN;
	}
	return tlstund_peer_chain_reverify(&c->chain, conf,
			c->we_dialed ? TLSTUND_TRUST_PEER_SERVER :
				       TLSTUND_TRUST_PEER_CLIENT, res);
}

static bool quic_we_dialed(struct tlstund_conn *c)
{
	return c->we_dialed;
}

static const struct sockaddr *quic_peer_addr(struct tlstund_conn *c,
					     socklen_t *len)
{
	if (len)
		*len = c->peer_len;
	return (const struct sockaddr *)&c->peer;
}

static bool quic_no_ktls(struct tlstund_conn *c)
{
	(void)c;
	return false;
}

static const char *quic_error(struct tlstund_conn *c)
{
	return c->err;
}

#ifdef TLSTUN_HOST_TEST
/* Whether the peer sent us a session ticket (the unit test). */
bool tlstund_quic_conn_got_ticket(struct tlstund_conn *c)
{
	return gnutls_session_get_flags(c->tls) & GNUTLS_SFLAGS_SESSION_TICKET;
}
#endif

const struct tlstund_transport_ops tlstund_quic_ops = {
	.name		= "quic",
	.ctx_new	= quic_ctx_new,
	.ctx_free	= quic_ctx_free,
	.listen		= quic_listen,
	.listener_fd	= quic_listener_fd,
	.accept		= quic_accept,
	.listener_close	= quic_listener_close,
	.listener_set_ctx = quic_listener_set_ctx,
	.reverify	= quic_reverify,
	.dial		= quic_dial,
	.fd		= quic_fd,
	.events		= quic_events,
	.progress	= quic_progress,
	.read		= quic_read,
	.write		= quic_write,
	.export		= quic_export,
	.peer		= quic_peer,
	.we_dialed	= quic_we_dialed,
	.peer_addr	= quic_peer_addr,
	.ktls_tx	= quic_no_ktls,
	.ktls_rx	= quic_no_ktls,
	.error		= quic_error,
	.close		= quic_close,
	.deadline	= quic_deadline,
	.take_path_change = quic_take_path_change,
	.listener_dropped = quic_listener_dropped,
};
