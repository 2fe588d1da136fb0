// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.3 over TCP transport (transport.h), with OpenSSL 3.0.
 *
 * One SSL_CTX per configuration serves both directions: we dial with it and
 * accept with it, and a node presents the same certificate either way. Its
 * settings, and why:
 *
 *  - TLS 1.3 only, AES-GCM suites only, X25519 and P-256 key exchange only.
 *    Every handshake is a fresh (EC)DHE, so every session's exporter, and
 *    so every data-plane key, is forward secret. Both suites have a kTLS
 *    implementation in the kernel.
 *  - No resumption in any form: no tickets (none issued, none kept), no
 *    session cache on either side, no early data. A resumed session would
 *    export from an old secret; the key schedule's promise that a new
 *    session means new keys depends on there being none. Should OpenSSL
 *    ever report a resumed session anyway, the connection fails.
 *  - Mutual authentication always, ALPN "tlstun/1" always: the server
 *    refuses a ClientHello without it, the client refuses a server that
 *    did not select it. Something else on the control port, or a future
 *    incompatible version, fails in the handshake and not in the session
 *    parser.
 *  - OpenSSL does not judge the peer's certificate. The pin and tofu
 *    policies take self-signed certificates that OpenSSL's chain building
 *    would refuse, so the whole X509_verify_cert() step is replaced (by
 *    SSL_CTX_set_cert_verify_callback()) with tlstund_trust_verify() over
 *    the DER chain exactly as the peer sent it. That call sits between the
 *    peer's Certificate and its CertificateVerify: a rejection aborts the
 *    handshake with an alert, and acceptance still needs the signature
 *    that proves the peer holds the key. TOFU pins are therefore recorded
 *    only after the handshake completed.
 *  - SSL_OP_ENABLE_KTLS: OpenSSL 3.0 hands the transmit direction of TLS
 *    1.3 to the kernel when the "tls" module is there, and falls back to
 *    doing the records itself when not. ktls_tx()/ktls_rx() report which.
 *
 * The SSL_CTX is the refcounted "ctx" of the interface. Its trust policy is
 * a private copy, hung off the SSL_CTX and freed with it, so a connection
 * made before a SIGHUP reload keeps the policy it was made with for as long
 * as its SSL holds the SSL_CTX.
 *
 * Concurrency: none. The daemon calls everything here from its one poll
 * loop thread, and the OpenSSL callbacks run inside those calls. Every
 * socket is non-blocking and no call here waits.
 *
 * Secrets: the traffic secrets live inside the SSL and are wiped by
 * SSL_free(). Nothing here logs, and no error text holds key material:
 * error strings name the peer, the step and OpenSSL's reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "tls.h"

#define TLS_GROUPS	"X25519:P-256"
#define TLS_SUITES	"TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"
#define LISTEN_BACKLOG	64
/* "[" INET6_ADDRSTRLEN "%" scope "]:" port */
#define ADDR_STRLEN	(INET6_ADDRSTRLEN + 20)

/* TLSTUND_ALPN in ALPN wire format: one length byte, then the name. */
static const unsigned char alpn_wire[] = "\x08" TLSTUND_ALPN;
#define ALPN_LEN	(sizeof(TLSTUND_ALPN) - 1)
_Static_assert(ALPN_LEN == 8, "alpn_wire's length byte is wrong");

enum conn_state {
	CONN_CONNECTING,	/* TCP connect under way */
	CONN_HANDSHAKE,		/* TLS handshake under way */
	CONN_ESTABLISHED,	/* handshake done, peer verified */
	CONN_FAILED,		/* fatal error; error() says which */
};

/* What an SSL_CTX of ours carries besides OpenSSL's own state. */
struct tls_ctx_data {
	struct tlstund_trust_policy policy;	/* points at the fields below */
	char *tofu_dir;
	char *peer_name;
};

struct tlstund_listener {
	int fd;
	SSL_CTX *ctx;			/* a reference of its own */
	char name[ADDR_STRLEN];
};

struct tlstund_conn {
	int fd;
	SSL *ssl;			/* holds a reference to its SSL_CTX */
	enum conn_state state;
	bool we_dialed;
	/* The handshake completed and every check after it passed. */
	bool established;
	/* A fatal TLS error was seen: OpenSSL forbids SSL_shutdown() then,
	 * and after a failed check a close_notify would suggest an orderly
	 * session where there was none.
	 */
	bool no_shutdown;
	int fail_ret;			/* what progress() returns once failed */
	short hs_events;		/* poll events the handshake waits for */
	short read_events;		/* ... a blocked read() waits for */
	short write_events;		/* ... a blocked write() waits for */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char peer_name[ADDR_STRLEN];
	/* Set by the verify callback. */
	bool verified;
	bool rejected;
	struct tlstund_trust_result result;
	/* The accepted peer's chain as DER, leaf first, kept so a reload
	 * can judge the running session under a new trust policy.
	 */
	struct tlstund_peer_chain chain;
	/* Set by the ClientHello and ALPN callbacks when they refuse. */
	const char *hello_problem;
	bool ktls_tx;
	bool ktls_rx;
	char err[TLSTUND_TLS_ERR_LEN];
};

/*
 * Address handling
 */

/* Whether @ctx and @sa can be dialed or listened on; errno and @err say
 * why not.
 */
static bool addr_usable(void *ctx, const struct sockaddr *sa, socklen_t len,
			const char *what, char *err, size_t errlen)
{
	if (ctx && tlstund_transport_addr_valid(sa, len))
		return true;
	tlstund_identity_err(err, errlen, false,
			     "%s: %s", what, ctx ? "not an IPv4 or IPv6 address" :
			     "no TLS context");
	errno = EINVAL;
	return false;
}

static void addr_store(struct tlstund_conn *c, const struct sockaddr *sa,
		       socklen_t len)
{
	c->peer_len = tlstund_transport_addr_unmap(sa, len, &c->peer);
	tlstund_transport_addr_format((struct sockaddr *)&c->peer,
				      c->peer_name, sizeof(c->peer_name));
}

/*
 * Errors
 */

#define conn_err(c, ...) \
	tlstund_transport_conn_err((c)->err, sizeof((c)->err), \
				   (c)->peer_name, __VA_ARGS__)

/*
 * Drains OpenSSL's error queue into @out as "reason (data); reason ...",
 * so no stale entry is blamed for a later failure. Returns the oldest
 * error code, 0 when the queue was empty.
 */
static unsigned long drain_errors(char *out, size_t len)
{
	unsigned long e, first = 0, prev = 0;
	const char *data, *reason;
	char code[128];
	size_t used = 0;
	int flags, n;

	out[0] = '\0';
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags))) {
		if (!first)
			first = e;
		if (e == prev || used + 1 >= len)
			continue;
		prev = e;
		reason = ERR_reason_error_string(e);
		if (!reason) {
			ERR_error_string_n(e, code, sizeof(code));
			reason = code;
		}
		if (!(flags & ERR_TXT_STRING) || !data)
			data = "";
		n = snprintf(out + used, len - used, "%s%s%s%s%s",
			     used ? "; " : "", reason, *data ? " (" : "", data,
			     *data ? ")" : "");
		if (n < 0)
			break;
		used += (size_t)n < len - used ? (size_t)n : len - used - 1;
	}
	return first;
}

/* The errno a failure with OpenSSL error @e is reported as. */
static int error_errno(unsigned long e)
{
	int reason = ERR_GET_REASON(e);

	if (!e)
		return -EPROTO;
	if (ERR_SYSTEM_ERROR(e))
		return reason ? -reason : -EIO;
	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return -EPROTO;
	if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return -ECONNRESET;
	if (reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
		return -EACCES;
	/* A fatal alert from the peer: it ended the connection. */
	if (reason > SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256)
		return -ECONNABORTED;
	return -EPROTO;
}

/* Plain words for the OpenSSL reasons an operator meets most. */
static const struct {
	int reason;
	const char *hint;
} hints[] = {
	{ SSL_R_UNSUPPORTED_PROTOCOL, "peer does not speak TLS 1.3" },
	{ SSL_R_VERSION_TOO_LOW, "peer does not speak TLS 1.3" },
	{ SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, "peer does not speak TLS 1.3" },
	{ SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, "peer sent no certificate" },
	{ SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL,
	  "peer refused ALPN \"" TLSTUND_ALPN "\"" },
	{ SSL_R_NO_SHARED_CIPHER, "no cipher suite in common" },
	{ SSL_R_NO_SUITABLE_KEY_SHARE, "no key exchange group in common" },
	{ SSL_R_NO_SHARED_GROUPS, "no key exchange group in common" },
	{ SSL_R_UNEXPECTED_EOF_WHILE_READING,
	  "peer closed the connection without close_notify" },
	{ SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, "peer rejected our certificate" },
	{ SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED,
	  "peer rejected our certificate" },
	{ SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN,
	  "peer rejected our certificate" },
	{ SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE,
	  "peer rejected our certificate" },
	{ SSL_R_TLSV1_ALERT_UNKNOWN_CA, "peer rejected our certificate" },
	{ SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED,
	  "peer rejected our certificate" },
};

static const char *error_hint(unsigned long e)
{
	size_t i;

	if (!e || ERR_SYSTEM_ERROR(e) || ERR_GET_LIB(e) != ERR_LIB_SSL)
		return NULL;
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].reason == ERR_GET_REASON(e))
			return hints[i].hint;
	return NULL;
}

/* Marks @c failed with @ret; the message is already in c->err. */
static int conn_fail(struct tlstund_conn *c, int ret)
{
	c->state = CONN_FAILED;
	c->fail_ret = ret;
	c->no_shutdown = true;
	return ret;
}

/* "certificate rejected: <reason> (<detail>)" from the trust verdict. */
static int fail_trust(struct tlstund_conn *c)
{
	const struct tlstund_trust_result *r = &c->result;

	ERR_clear_error();
	conn_err(c, "certificate rejected: %s%s%s%s",
		 tlstund_trust_reason_str(r->verdict), r->detail[0] ? " (" : "",
		 r->detail, r->detail[0] ? ")" : "");
	return conn_fail(c, -EACCES);
}

/*
 * A failed SSL_* call on @c: @what failed with SSL_get_error() @ssl_err,
 * @sys_errno being errno right after the call. Fills error() and returns
 * the -errno to report; the caller decides whether @c is finished.
 */
static int ssl_failure(struct tlstund_conn *c, const char *what, int ssl_err,
		       int sys_errno)
{
	char why[TLSTUND_TLS_ERR_LEN / 2];
	unsigned long e = drain_errors(why, sizeof(why));
	const char *hint = error_hint(e);

	if (ssl_err == SSL_ERROR_SYSCALL && !e) {
		if (sys_errno) {
			conn_err(c, "%s failed: %s", what,
				 strerror(sys_errno));
			return -sys_errno;
		}
		conn_err(c, "%s failed: connection closed by the peer", what);
		return -ECONNRESET;
	}
	if (!why[0])
		snprintf(why, sizeof(why), "SSL error %d", ssl_err);
	if (hint)
		conn_err(c, "%s failed: %s (%s)", what, hint, why);
	else
		conn_err(c, "%s failed: %s", what, why);
	return error_errno(e);
}

/*
 * The SSL_CTX's private data
 */

static int ctx_data_index = -1;

static void ctx_data_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad,
			  int idx, long argl, void *argp)
{
	struct tls_ctx_data *d = ptr;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (!d)
		return;
	X509_STORE_free(d->policy.ca_store);
	OPENSSL_free(d->tofu_dir);
	OPENSSL_free(d->peer_name);
	OPENSSL_clear_free(d, sizeof(*d));
}

static struct tls_ctx_data *ctx_data(SSL_CTX *ctx)
{
	return SSL_CTX_get_ex_data(ctx, ctx_data_index);
}

/* A private copy of @pol, so that the caller may free its own on reload. */
static struct tls_ctx_data *policy_copy(const struct tlstund_trust_policy *pol)
{
	struct tls_ctx_data *d = OPENSSL_zalloc(sizeof(*d));

	if (!d)
		return NULL;
	d->policy = *pol;
	d->policy.ca_store = NULL;
	d->policy.tofu_dir = NULL;
	d->policy.peer_name = NULL;
	if (pol->ca_store) {
		if (!X509_STORE_up_ref(pol->ca_store))
			goto fail;
		d->policy.ca_store = pol->ca_store;
	}
	if (pol->tofu_dir) {
		d->tofu_dir = OPENSSL_strdup(pol->tofu_dir);
		if (!d->tofu_dir)
			goto fail;
		d->policy.tofu_dir = d->tofu_dir;
	}
	if (pol->peer_name) {
		d->peer_name = OPENSSL_strdup(pol->peer_name);
		if (!d->peer_name)
			goto fail;
		d->policy.peer_name = d->peer_name;
	}
	return d;

fail:
	ctx_data_free(NULL, d, NULL, 0, 0, NULL);
	return NULL;
}

/*
 * OpenSSL callbacks
 */

static int verdict_x509_error(enum tlstund_trust_verdict v)
{
	/* Picked for the alert OpenSSL derives from them (RFC 8446 6.2). */
	switch (v) {
	case TLSTUND_TRUST_EXPIRED:
		return X509_V_ERR_CERT_HAS_EXPIRED;	/* certificate_expired */
	case TLSTUND_TRUST_REVOKED:
		return X509_V_ERR_CERT_REVOKED;		/* certificate_revoked */
	case TLSTUND_TRUST_UNTRUSTED_CHAIN:
		return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY; /* unknown_ca */
	case TLSTUND_TRUST_BAD_POLICY:
	case TLSTUND_TRUST_TOFU_STORE_ERROR:
	case TLSTUND_TRUST_INTERNAL_ERROR:
		/* Our side's fault, not the certificate's. */
		return X509_V_ERR_UNSPECIFIED;
	default:
		return X509_V_ERR_CERT_REJECTED;	/* bad_certificate */
	}
}

/* @pol for the TLS role the peer plays on @c: the chain's purpose. */
static void policy_for_conn(const struct tlstund_conn *c,
			    const struct tlstund_trust_policy *pol,
			    struct tlstund_trust_policy *out)
{
	*out = *pol;
	out->peer_role = SSL_is_server(c->ssl) ? TLSTUND_TRUST_PEER_CLIENT :
						 TLSTUND_TRUST_PEER_SERVER;
}

/* The peer's chain as it sent it, leaf first, through the trust policy. */
static int judge_chain(struct tlstund_conn *c, X509_STORE_CTX *xs,
		       const struct tlstund_trust_policy *conf)
{
	struct tlstund_trust_policy pol;
	STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(xs);
	X509 *leaf = X509_STORE_CTX_get0_cert(xs);
	int n = sent ? sk_X509_num(sent) : 0, first = 0, dlen;
	unsigned char **der = NULL;
	size_t *len = NULL, total, k;
	int ret = -EACCES;

	memset(&c->result, 0, sizeof(c->result));
	if (!leaf) {
		/* FAIL_IF_NO_PEER_CERT should make this unreachable. */
		c->result.verdict = TLSTUND_TRUST_EMPTY_CHAIN;
		return -EACCES;
	}
	/* OpenSSL passes the whole received chain as "untrusted", leaf
	 * included; the leaf must not be counted twice.
	 */
	if (n > 0 && !X509_cmp(sk_X509_value(sent, 0), leaf))
		first = 1;
	total = 1 + (size_t)(n - first);
	der = OPENSSL_zalloc(total * sizeof(*der));
	len = OPENSSL_zalloc(total * sizeof(*len));
	if (!der || !len)
		goto internal;
	for (k = 0; k < total; k++) {
		X509 *x = k ? sk_X509_value(sent, first + (int)k - 1) : leaf;

		dlen = i2d_X509(x, &der[k]);
		if (dlen <= 0)
			goto internal;
		len[k] = dlen;
	}
	policy_for_conn(c, conf, &pol);
	ret = tlstund_trust_verify(&pol, (const uint8_t *const *)der, len,
				   total, time(NULL), &c->result);
	if (!ret && c->result.verdict == TLSTUND_TRUST_OK &&
	    tlstund_peer_chain_keep(&c->chain, (const uint8_t *const *)der,
				    len, total)) {
		c->result.verdict = TLSTUND_TRUST_INTERNAL_ERROR;
		snprintf(c->result.detail, sizeof(c->result.detail),
			 "out of memory keeping the peer's certificates");
	}
	goto out;

internal:
	c->result.verdict = TLSTUND_TRUST_INTERNAL_ERROR;
	snprintf(c->result.detail, sizeof(c->result.detail),
		 "cannot encode the peer's certificates");
out:
	for (k = 0; der && k < total; k++)
		OPENSSL_free(der[k]);
	OPENSSL_free(der);
	OPENSSL_free(len);
	return ret;
}

/*
 * Replaces X509_verify_cert() for every peer certificate chain: the trust
 * policy, not OpenSSL's chain building, decides. Returning 0 fails the
 * handshake with the alert OpenSSL maps the store error to.
 */
static int verify_peer(X509_STORE_CTX *xs, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
				SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_ctx_data *d = arg;
	struct tlstund_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;

	if (!c || !d) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_UNSPECIFIED);
		return 0;
	}
	c->verified = false;
	if (judge_chain(c, xs, &d->policy) ||
	    c->result.verdict != TLSTUND_TRUST_OK) {
		if (c->result.verdict == TLSTUND_TRUST_OK)
			c->result.verdict = TLSTUND_TRUST_INTERNAL_ERROR;
		c->rejected = true;
		X509_STORE_CTX_set_error(xs,
					 verdict_x509_error(c->result.verdict));
		return 0;
	}
	c->verified = true;
	X509_STORE_CTX_set_error(xs, X509_V_OK);
	return 1;
}

/*
 * Server: the ALPN callback only runs when the client sent the extension,
 * so a ClientHello without it is refused here.
 */
static int check_client_hello(SSL *ssl, int *alert, void *arg)
{
	struct tlstund_conn *c = SSL_get_app_data(ssl);
	const unsigned char *ext;
	size_t len;

	(void)arg;
	if (SSL_client_hello_get0_ext(ssl,
			TLSEXT_TYPE_application_layer_protocol_negotiation,
			&ext, &len))
		return SSL_CLIENT_HELLO_SUCCESS;
	if (c)
		c->hello_problem = "client offered no ALPN protocol; \""
				   TLSTUND_ALPN "\" is required";
	*alert = SSL_AD_NO_APPLICATION_PROTOCOL;
	return SSL_CLIENT_HELLO_ERROR;
}

/* Server: "tlstun/1" or nothing. */
static int select_alpn(SSL *ssl, const unsigned char **out,
		       unsigned char *outlen, const unsigned char *in,
		       unsigned int inlen, void *arg)
{
	struct tlstund_conn *c = SSL_get_app_data(ssl);
	unsigned int off = 0;

	(void)arg;
	while (off < inlen) {
		unsigned int n = in[off++];

		if (!n || n > inlen - off)
			break;	/* malformed list: refuse below */
		if (n == ALPN_LEN && !memcmp(in + off, TLSTUND_ALPN, n)) {
			*out = alpn_wire + 1;
			*outlen = ALPN_LEN;
			return SSL_TLSEXT_ERR_OK;
		}
		off += n;
	}
	if (c)
		c->hello_problem = "client did not offer ALPN \""
				   TLSTUND_ALPN "\"";
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/*
 * Contexts
 */

static void *tls_ctx_new(const struct tlstund_transport_cfg *cfg, char *err,
			 size_t errlen)
{
	const uint64_t opts = SSL_OP_NO_TICKET | SSL_OP_ENABLE_KTLS |
			  SSL_OP_CIPHER_SERVER_PREFERENCE |
			  SSL_OP_NO_RENEGOTIATION;
	const long mode = SSL_MODE_ENABLE_PARTIAL_WRITE |
			  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			  SSL_MODE_NO_AUTO_CHAIN;
	const struct tlstund_identity *id = cfg ? cfg->identity : NULL;
	struct tls_ctx_data *d;
	const char *what;
	SSL_CTX *ctx;

	ERR_clear_error();
	if (!id || !id->key || !id->cert) {
		tlstund_identity_err(err, errlen, false,
				     "TLS context: no local key and certificate");
		return NULL;
	}
	if (!tlstund_key_is_p256(id->key)) {
		tlstund_identity_err(err, errlen, false,
				     "TLS context: our key is not ECDSA P-256");
		return NULL;
	}
	if (!tlstund_transport_policy_usable(cfg->trust, "TLS context", err,
					     errlen))
		return NULL;
	if (ctx_data_index < 0) {
		ctx_data_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
							  ctx_data_free);
		if (ctx_data_index < 0) {
			tlstund_identity_err(err, errlen, true,
					     "TLS context: no ex_data index");
			return NULL;
		}
	}
	ctx = SSL_CTX_new(TLS_method());
	if (!ctx) {
		tlstund_identity_err(err, errlen, true,
				     "TLS context: SSL_CTX_new");
		return NULL;
	}
	d = policy_copy(cfg->trust);
	if (!d) {
		what = "copy the trust policy";
		goto fail;
	}
	if (!SSL_CTX_set_ex_data(ctx, ctx_data_index, d)) {
		ctx_data_free(NULL, d, NULL, 0, 0, NULL);
		what = "attach the trust policy";
		goto fail;
	}

	what = "restrict the protocol to TLS 1.3";
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION))
		goto fail;
	what = "set the cipher suites " TLS_SUITES;
	if (!SSL_CTX_set_ciphersuites(ctx, TLS_SUITES))
		goto fail;
	what = "set the groups " TLS_GROUPS;
	if (!SSL_CTX_set1_groups_list(ctx, TLS_GROUPS))
		goto fail;
	SSL_CTX_set_options(ctx, opts);
	SSL_CTX_set_mode(ctx, mode);

	what = "turn off session tickets and early data";
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (!SSL_CTX_set_num_tickets(ctx, 0) ||
	    !SSL_CTX_set_max_early_data(ctx, 0) ||
	    !SSL_CTX_set_recv_max_early_data(ctx, 0))
		goto fail;

	what = "load our certificate";
	if (SSL_CTX_use_certificate(ctx, id->cert) != 1)
		goto fail;
	what = "load our private key";
	if (SSL_CTX_use_PrivateKey(ctx, id->key) != 1)
		goto fail;
	what = "load our intermediate certificates";
	if (id->chain && sk_X509_num(id->chain) > 0 &&
	    SSL_CTX_set1_chain(ctx, id->chain) != 1)
		goto fail;
	what = "match our certificate to our private key";
	if (SSL_CTX_check_private_key(ctx) != 1)
		goto fail;

	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, verify_peer, d);

	what = "set ALPN " TLSTUND_ALPN;
	/* Returns 0 on success, unlike its neighbours. */
	if (SSL_CTX_set_alpn_protos(ctx, alpn_wire, sizeof(alpn_wire) - 1))
		goto fail;
	SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
	SSL_CTX_set_client_hello_cb(ctx, check_client_hello, NULL);
	return ctx;

fail:
	tlstund_identity_err(err, errlen, true, "TLS context: cannot %s",
			     what);
	SSL_CTX_free(ctx);
	return NULL;
}

static void tls_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

/*
 * Connections
 */

static struct tlstund_conn *conn_new(SSL_CTX *ctx, int fd,
				     const struct sockaddr *peer,
				     socklen_t peer_len, bool dialed,
				     char *err, size_t errlen)
{
	struct tlstund_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c) {
		tlstund_identity_err(err, errlen, false, "out of memory");
		return NULL;
	}
	c->fd = fd;
	c->we_dialed = dialed;
	addr_store(c, peer, peer_len);
	/* Control messages are small and each waits for an answer. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ERR_clear_error();
	c->ssl = SSL_new(ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, fd) ||
	    !SSL_set_app_data(c->ssl, c)) {
		tlstund_identity_err(err, errlen, true,
				     "peer %s: cannot set up TLS",
				     c->peer_name);
		SSL_free(c->ssl);
		free(c);
		return NULL;
	}
	if (dialed)
		SSL_set_connect_state(c->ssl);
	else
		SSL_set_accept_state(c->ssl);
	c->state = CONN_HANDSHAKE;
	c->hs_events = dialed ? POLLOUT : POLLIN;
	return c;
}

static struct tlstund_conn *tls_dial(void *ctx, const struct sockaddr *addr,
				     socklen_t addrlen, char *err,
				     size_t errlen)
{
	char name[ADDR_STRLEN];
	struct tlstund_conn *c;
	int fd, e;

	if (!addr_usable(ctx, addr, addrlen, "dial", err, errlen))
		return NULL;
	tlstund_transport_addr_format(addr, name, sizeof(name));
	fd = socket(addr->sa_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		e = errno;
		tlstund_identity_err(err, errlen, false,
				     "peer %s: socket: %s", name, strerror(e));
		errno = e;
		return NULL;
	}
	c = conn_new(ctx, fd, addr, addrlen, true, err, errlen);
	if (!c) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	if (connect(fd, addr, addrlen) && errno != EINPROGRESS) {
		e = errno;
		tlstund_identity_err(err, errlen, false,
				     "peer %s: connect: %s", name,
				     strerror(e));
		c->no_shutdown = true;
		tlstund_tls_ops.close(c);
		errno = e;
		return NULL;
	}
	/* Even a connect that completed at once is finished by progress(),
	 * which then starts the handshake.
	 */
	c->state = CONN_CONNECTING;
	return c;
}

/* -EAGAIN while the TCP connect is under way, 0 once connected. */
static int finish_connect(struct tlstund_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int e = 0, n;

	do {
		n = poll(&p, 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		e = errno;
		conn_err(c, "connect: poll: %s", strerror(e));
		return conn_fail(c, -e);
	}
	if (!n)
		return -EAGAIN;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len))
		e = errno;
	if (e) {
		conn_err(c, "connect: %s", strerror(e));
		return conn_fail(c, -e);
	}
	c->state = CONN_HANDSHAKE;
	return 0;
}

static bool alpn_agreed(struct tlstund_conn *c)
{
	const unsigned char *p = NULL;
	unsigned int len = 0;

	SSL_get0_alpn_selected(c->ssl, &p, &len);
	return p && len == ALPN_LEN && !memcmp(p, TLSTUND_ALPN, ALPN_LEN);
}

/* The handshake completed; check what OpenSSL should already have made
 * sure of, then make the connection usable.
 */
static int handshake_done(struct tlstund_conn *c)
{
	struct tls_ctx_data *d = ctx_data(SSL_get_SSL_CTX(c->ssl));

	if (SSL_version(c->ssl) != TLS1_3_VERSION) {
		conn_err(c, "TLS handshake failed: negotiated %s, not TLSv1.3",
			 SSL_get_version(c->ssl));
		return conn_fail(c, -EPROTO);
	}
	if (SSL_session_reused(c->ssl)) {
		conn_err(c, "TLS handshake failed: the session was resumed; every session must be a full handshake");
		return conn_fail(c, -EPROTO);
	}
	if (!alpn_agreed(c)) {
		conn_err(c, "TLS handshake failed: %s did not select ALPN \"%s\"",
			 c->we_dialed ? "server" : "client", TLSTUND_ALPN);
		return conn_fail(c, -EPROTO);
	}
	if (!c->verified || c->result.verdict != TLSTUND_TRUST_OK ||
	    !SSL_get0_peer_certificate(c->ssl)) {
		conn_err(c, "TLS handshake failed: completed without a verified peer certificate");
		return conn_fail(c, -EACCES);
	}
	/* The peer has now signed with the key: its pin may be kept. */
	if (c->result.tofu_first_contact &&
	    (!d || tlstund_trust_tofu_record(&d->policy, &c->result)))
		return fail_trust(c);

	c->ktls_tx = BIO_get_ktls_send(SSL_get_wbio(c->ssl));
	c->ktls_rx = BIO_get_ktls_recv(SSL_get_rbio(c->ssl));
	c->state = CONN_ESTABLISHED;
	c->established = true;
	c->err[0] = '\0';
	ERR_clear_error();
	return 0;
}

static int handshake(struct tlstund_conn *c)
{
	int r, ssl_err, sys_errno, ret;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	sys_errno = errno;
	if (r == 1)
		return handshake_done(c);
	ssl_err = SSL_get_error(c->ssl, r);
	switch (ssl_err) {
	case SSL_ERROR_WANT_READ:
		c->hs_events = POLLIN;
		return -EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		c->hs_events = POLLOUT;
		return -EAGAIN;
	}
	if (c->rejected)
		return fail_trust(c);
	if (c->hello_problem) {
		ERR_clear_error();
		conn_err(c, "TLS handshake failed: %s", c->hello_problem);
		return conn_fail(c, -EPROTO);
	}
	ret = ssl_failure(c, "TLS handshake", ssl_err, sys_errno);
	return conn_fail(c, ret);
}

static int tls_progress(struct tlstund_conn *c)
{
	int ret;

	switch (c->state) {
	case CONN_ESTABLISHED:
		return 0;
	case CONN_FAILED:
		return c->fail_ret;
	case CONN_CONNECTING:
		ret = finish_connect(c);
		if (ret)
			return ret;
		/* fall through */
	case CONN_HANDSHAKE:
		break;
	}
	return handshake(c);
}

static int tls_fd(struct tlstund_conn *c)
{
	return c->fd;
}

static short tls_events(struct tlstund_conn *c)
{
	switch (c->state) {
	case CONN_CONNECTING:
		return POLLOUT;
	case CONN_HANDSHAKE:
		return c->hs_events;
	case CONN_ESTABLISHED:
		/* Always readable interest: the peer may close or alert. */
		return POLLIN | c->read_events | c->write_events;
	default:
		return 0;
	}
}

/*
 * The result of an SSL_read_ex()/SSL_write_ex() that returned @r with @n
 * bytes, @sys_errno being errno right after it. A retry's poll events go
 * to *@want; POLLIN is asked for anyway once established.
 */
static ssize_t io_result(struct tlstund_conn *c, const char *what, int r,
			 size_t n, int sys_errno, short *want)
{
	int ssl_err, ret;

	*want = 0;
	if (r == 1)
		return n;
	ssl_err = SSL_get_error(c->ssl, r);
	switch (ssl_err) {
	case SSL_ERROR_ZERO_RETURN:
		/* close_notify: the peer ended the session in order. */
		return 0;
	case SSL_ERROR_WANT_READ:
		return -EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		*want = POLLOUT;
		return -EAGAIN;
	}
	ret = ssl_failure(c, what, ssl_err, sys_errno);
	return conn_fail(c, ret);
}

static ssize_t tls_read(struct tlstund_conn *c, void *buf, size_t len)
{
	size_t n = 0;
	int r;

	if (c->state != CONN_ESTABLISHED)
		return c->state == CONN_FAILED ? c->fail_ret : -ENOTCONN;
	if (!buf || !len)
		return -EINVAL;
	ERR_clear_error();
	r = SSL_read_ex(c->ssl, buf, len, &n);
	return io_result(c, "TLS read", r, n, errno, &c->read_events);
}

static ssize_t tls_write(struct tlstund_conn *c, const void *buf, size_t len)
{
	size_t n = 0;
	ssize_t ret;
	int r;

	if (c->state != CONN_ESTABLISHED)
		return c->state == CONN_FAILED ? c->fail_ret : -ENOTCONN;
	if (!len)
		return 0;
	if (!buf)
		return -EINVAL;
	ERR_clear_error();
	r = SSL_write_ex(c->ssl, buf, len, &n);
	ret = io_result(c, "TLS write", r, n, errno, &c->write_events);
	if (!ret) {
		conn_err(c, "TLS write failed: the session is closed");
		return -EPIPE;
	}
	return ret;
}

static int tls_export(struct tlstund_conn *c, const char *label,
		      const uint8_t *context, size_t ctxlen, uint8_t *out,
		      size_t outlen)
{
	static const uint8_t empty[1];

	if (!out || !outlen)
		return -EINVAL;
	if (!c || !label || (!context && ctxlen)) {
		OPENSSL_cleanse(out, outlen);
		return -EINVAL;
	}
	/* Only a finished, verified handshake has an exporter to offer;
	 * before it there would be only the early exporter, never used.
	 */
	if (c->state != CONN_ESTABLISHED || !SSL_is_init_finished(c->ssl)) {
		OPENSSL_cleanse(out, outlen);
		return -ENOTCONN;
	}
	ERR_clear_error();
	if (SSL_export_keying_material(c->ssl, out, outlen, label,
				       strlen(label), context ? context : empty,
				       ctxlen, 1) != 1) {
		OPENSSL_cleanse(out, outlen);
		ssl_failure(c, "TLS exporter", SSL_ERROR_SSL, 0);
		return -EIO;
	}
	return 0;
}

static const struct tlstund_trust_result *tls_peer(struct tlstund_conn *c)
{
	return c->established || c->rejected ? &c->result : NULL;
}

static bool tls_we_dialed(struct tlstund_conn *c)
{
	return c->we_dialed;
}

static const struct sockaddr *tls_peer_addr(struct tlstund_conn *c,
					    socklen_t *len)
{
	if (len)
		*len = c->peer_len;
	return (const struct sockaddr *)&c->peer;
}

static bool tls_ktls_tx(struct tlstund_conn *c)
{
	return c->ktls_tx;
}

static bool tls_ktls_rx(struct tlstund_conn *c)
{
	return c->ktls_rx;
}

static const char *tls_error(struct tlstund_conn *c)
{
	return c->err;
}

/* Judge the established peer again, under @conf, at the current time. */
static int tls_reverify(struct tlstund_conn *c,
			const struct tlstund_trust_policy *conf,
			struct tlstund_trust_result *res)
{
	if (!c->established) {
		memset(res, 0, sizeof(*res));
		res->verdict = TLSTUND_TRUST_INTERNAL_ERROR;
		return -ENOTCONN;
	}
	return tlstund_peer_chain_reverify(&c->chain, conf,
			SSL_is_server(c->ssl) ? TLSTUND_TRUST_PEER_CLIENT :
						TLSTUND_TRUST_PEER_SERVER,
			res);
}

static void tls_close(struct tlstund_conn *c)
{
	if (!c)
		return;
	tlstund_peer_chain_free(&c->chain);
	if (c->ssl) {
		/* One non-blocking try at close_notify; the peer learns of
		 * the end from the FIN if it does not get through.
		 */
		if (c->established && !c->no_shutdown) {
			ERR_clear_error();
			SSL_shutdown(c->ssl);
		}
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	ERR_clear_error();
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

/**
 * tlstund_tls_conn_ssl() - the SSL of a TLS connection
 * @c: connection from tlstund_tls_ops
 *
 * For the unit test, which checks the transport's answers against
 * OpenSSL's own; the daemon never needs it.
 *
 * Return: the SSL, owned by @c.
 */
SSL *tlstund_tls_conn_ssl(struct tlstund_conn *c)
{
	return c->ssl;
}

/*
 * Listeners
 */

static struct tlstund_listener *tls_listen(void *ctx,
					   const struct sockaddr *addr,
					   socklen_t addrlen, char *err,
					   size_t errlen)
{
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	struct tlstund_listener *l;
	char name[ADDR_STRLEN];
	int fd, e, one = 1, zero = 0;
	const char *step;

	if (!addr_usable(ctx, addr, addrlen, "listen", err, errlen))
		return NULL;
	tlstund_transport_addr_format(addr, name, sizeof(name));
	l = calloc(1, sizeof(*l));
	if (!l) {
		tlstund_identity_err(err, errlen, false,
				     "listen on %s: out of memory", name);
		errno = ENOMEM;
		return NULL;
	}
	step = "socket";
	fd = socket(addr->sa_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		goto fail;
	step = "SO_REUSEADDR";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	/* "[::]:port" takes IPv4 peers too, whatever net.ipv6.bindv6only
	 * says.
	 */
	step = "IPV6_V6ONLY";
	if (addr->sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		goto fail;
	step = "bind";
	if (bind(fd, addr, addrlen))
		goto fail;
	step = "listen";
	if (listen(fd, LISTEN_BACKLOG))
		goto fail;
	/* Name the port actually bound, which differs when asked for 0. */
	if (!getsockname(fd, (struct sockaddr *)&bound, &blen))
		tlstund_transport_addr_format((struct sockaddr *)&bound, name,
					      sizeof(name));
	if (!SSL_CTX_up_ref(ctx)) {
		step = "SSL_CTX_up_ref";
		errno = ENOMEM;
		goto fail;
	}
	l->fd = fd;
	l->ctx = ctx;
	snprintf(l->name, sizeof(l->name), "%s", name);
	return l;

fail:
	e = errno;
	tlstund_identity_err(err, errlen, false, "listen on %s: %s: %s", name,
			     step, strerror(e));
	if (fd >= 0)
		close(fd);
	free(l);
	errno = e;
	return NULL;
}

static int tls_listener_fd(struct tlstund_listener *l)
{
	return l->fd;
}

static struct tlstund_conn *tls_accept(struct tlstund_listener *l,
				       char *err, size_t errlen)
{
	struct sockaddr_storage peer;
	struct tlstund_conn *c;
	socklen_t len;
	int fd, e;

	for (;;) {
		len = sizeof(peer);
		fd = accept4(l->fd, (struct sockaddr *)&peer, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		e = errno;
		switch (e) {
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
			if (err && errlen)
				err[0] = '\0';
			errno = EAGAIN;
			return NULL;
		/* A connection that died in the queue, or accept(2)'s list
		 * of network errors to treat like EAGAIN: try the next one.
		 */
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
		case ENETDOWN:
		case ENOPROTOOPT:
		case EHOSTDOWN:
		case ENONET:
		case EHOSTUNREACH:
		case ENETUNREACH:
			continue;
		default:
			tlstund_identity_err(err, errlen, false,
					     "accept on %s: %s", l->name,
					     strerror(e));
			errno = e;
			return NULL;
		}
	}
	c = conn_new(l->ctx, fd, (struct sockaddr *)&peer, len, false, err,
		     errlen);
	if (!c) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

static int tls_listener_set_ctx(struct tlstund_listener *l, void *ctx)
{
	if (!SSL_CTX_up_ref(ctx))
		return -ENOMEM;
	SSL_CTX_free(l->ctx);
	l->ctx = ctx;
	return 0;
}

static void tls_listener_close(struct tlstund_listener *l)
{
	if (!l)
		return;
	close(l->fd);
	SSL_CTX_free(l->ctx);
	free(l);
}

const struct tlstund_transport_ops tlstund_tls_ops = {
	.name		= "tls",
	.ctx_new	= tls_ctx_new,
	.ctx_free	= tls_ctx_free,
	.listen		= tls_listen,
	.listener_fd	= tls_listener_fd,
	.accept		= tls_accept,
	.listener_close	= tls_listener_close,
	.listener_set_ctx = tls_listener_set_ctx,
	.reverify	= tls_reverify,
	.dial		= tls_dial,
	.fd		= tls_fd,
	.events		= tls_events,
	.progress	= tls_progress,
	.read		= tls_read,
	.write		= tls_write,
	.export		= tls_export,
	.peer		= tls_peer,
	.we_dialed	= tls_we_dialed,
	.peer_addr	= tls_peer_addr,
	.ktls_tx	= tls_ktls_tx,
	.ktls_rx	= tls_ktls_rx,
	.error		= tls_error,
	.close		= tls_close,
};
