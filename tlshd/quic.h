/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to quic.c, quic_listen.c and their unit test: the rest of the
 * daemon reaches the QUIC transport only through tlstund_quic_ops
 * (transport.h).
 *
 * A connection is an ngtcp2_conn with a GnuTLS session and a UDP socket of
 * its own, connected to the peer. The dialer's is an ordinary connected
 * socket. A listener's connection gets a socket bound (SO_REUSEPORT) to
 * the very address and port the client's Initial was sent to and then
 * connected to the client: the kernel delivers the client's datagrams to
 * the most specific socket, so each connection has a descriptor the
 * daemon's poll loop can wait on, and the listener socket only sees new
 * clients, stray datagrams and a client's datagrams after its address
 * changed. Those the listener hands to the connection whose connection ID
 * they carry (quic_listen.c).
 */
#ifndef TLSTUND_QUIC_H
#define TLSTUND_QUIC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "transport.h"

/* Longest error() text of a connection, NUL included. */
#define TLSTUND_QUIC_ERR_LEN	512
/* "[" INET6_ADDRSTRLEN "%" scope "]:" port */
#define QUIC_ADDR_STRLEN	(INET6_ADDRSTRLEN + 20)
#define QUIC_SCID_LEN		16
#define QUIC_SECRET_LEN		32
/* The control stream's buffers each way; also its flow-control window. */
#define QUIC_STREAM_BUF		65536
/* Largest UDP payload we send or take. */
#define QUIC_MAX_UDP		1452
#define QUIC_RX_BUF		65536

/* What a context of ours carries: GnuTLS credentials and the trust policy,
 * refcounted so that connections made before a reload keep theirs.
 */
struct quic_ctx {
	int refs;
	gnutls_certificate_credentials_t cred;
	struct tlstund_trust_policy policy;	/* points at the copies below */
	char *tofu_dir;
	char *peer_name;
	uint32_t idle_timeout_ms;
};

struct tlstund_listener {
	int fd;
	struct quic_ctx *ctx;
	int family;
	uint16_t port;			/* bound, network order */
	/* Keys Retry tokens and stateless reset tokens; random per process. */
	uint8_t token_secret[QUIC_SECRET_LEN];
	uint8_t reset_secret[QUIC_SECRET_LEN];
	struct tlstund_conn *conns;	/* accepted, still open */
	uint64_t dropped;		/* datagrams no one could take */
	char name[QUIC_ADDR_STRLEN];
};

struct tlstund_conn {
	int fd;
	struct quic_ctx *ctx;		/* a reference of its own */
	ngtcp2_conn *q;
	gnutls_session_t tls;
	ngtcp2_crypto_conn_ref ref;
	struct tlstund_listener *l;	/* accepted from, while both live */
	struct tlstund_conn *l_next;
	ngtcp2_cid retry_scid;		/* what the client sends to at first */

	bool we_dialed;
	bool established;		/* handshake done, every check passed */
	bool failed;
	bool eof;			/* peer closed the stream or the conn */
	bool send_blocked;		/* the socket said EAGAIN */
	bool pending;			/* the listener fed it: serve it now */
	bool path_changed;		/* peer moved; not yet reported */
	int fail_ret;

	/* Socket-level addresses (v4-mapped on a dual-stack socket). */
	struct sockaddr_storage local, remote;
	socklen_t local_len, remote_len;
	/* The peer as the daemon sees it: plain IPv4 for a mapped one. */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char peer_name[QUIC_ADDR_STRLEN];

	int64_t stream_id;		/* -1 until the control stream exists */
	uint8_t in[QUIC_STREAM_BUF];	/* received, not yet read() */
	size_t in_off, in_len;
	size_t in_consumed;		/* read() since the window last grew */
	uint8_t out[QUIC_STREAM_BUF];	/* written, not yet acknowledged */
	size_t out_len;			/* bytes in out[] */
	size_t out_sent;		/* of them, handed to ngtcp2 */
	uint64_t out_base;		/* stream offset of out[0] */

	/* Set by the verify callback. */
	bool verified;
	bool rejected;
	struct tlstund_trust_result result;
	/* The accepted peer's chain, leaf first, for reverify(). */
	struct tlstund_peer_chain chain;
	/* Why a check of ours in a callback failed the handshake. */
	const char *problem;
	uint8_t problem_alert;		/* the TLS alert the peer gets */
	uint8_t reset_secret[QUIC_SECRET_LEN];
	char err[TLSTUND_QUIC_ERR_LEN];
};

/* quic.c */
extern const ngtcp2_callbacks quic_client_callbacks;
extern const ngtcp2_callbacks quic_server_callbacks;
int quic_session_new(struct tlstund_conn *c, bool server, char *err,
		     size_t errlen);
void quic_settings_init(ngtcp2_settings *s, ngtcp2_transport_params *p,
			const struct quic_ctx *ctx);

/* quic_conn.c */
void quic_peer_store(struct tlstund_conn *c);
struct tlstund_conn *quic_dial(void *ctx, const struct sockaddr *addr,
			       socklen_t addrlen, char *err, size_t errlen);
int quic_progress(struct tlstund_conn *c);
ssize_t quic_read(struct tlstund_conn *c, void *buf, size_t len);
ssize_t quic_write(struct tlstund_conn *c, const void *buf, size_t len);
int quic_export(struct tlstund_conn *c, const char *label,
		const uint8_t *context, size_t ctxlen, uint8_t *out,
		size_t outlen);
void quic_close(struct tlstund_conn *c);

uint64_t quic_now_ns(void);
void quic_ctx_put(struct quic_ctx *ctx);
struct tlstund_conn *quic_conn_new_server(struct tlstund_listener *l,
					  int fd, const ngtcp2_pkt_hd *hd,
					  const ngtcp2_cid *odcid,
					  const struct sockaddr *local,
					  socklen_t local_len,
					  const struct sockaddr *remote,
					  socklen_t remote_len,
					  char *err, size_t errlen);
void quic_conn_feed(struct tlstund_conn *c, const struct sockaddr *local,
		    socklen_t local_len, const struct sockaddr *remote,
		    socklen_t remote_len, const uint8_t *pkt, size_t len);
bool quic_conn_has_cid(struct tlstund_conn *c, const uint8_t *dcid,
		       size_t dcidlen);
void quic_conn_unlink(struct tlstund_conn *c);


/* quic_listen.c */
struct tlstund_listener *quic_listen(void *ctx, const struct sockaddr *addr,
				     socklen_t addrlen, char *err,
				     size_t errlen);
int quic_listener_fd(struct tlstund_listener *l);
struct tlstund_conn *quic_accept(struct tlstund_listener *l, char *err,
				 size_t errlen);
void quic_listener_close(struct tlstund_listener *l);
int quic_listener_set_ctx(struct tlstund_listener *l, void *ctx);
uint64_t quic_listener_dropped(struct tlstund_listener *l);

#endif /* TLSTUND_QUIC_H */
