/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The transport interface: how the session layer gets an authenticated,
 * reliable, ordered byte stream to the peer and the TLS exporter of it,
 * without knowing whether TLS 1.3 over TCP (tls.c) or QUIC ran underneath.
 *
 * Everything is non-blocking and driven by the daemon's single poll loop:
 * the loop polls tlstund_conn_fd() for tlstund_conn_events() and calls
 * tlstund_conn_progress() / read / write when it is ready. No call blocks.
 *
 * Peer authentication happens inside the handshake: the transport passes
 * the peer's DER chain to tlstund_trust_verify() and fails the handshake
 * (with a TLS alert) on any verdict but OK. A connection whose handshake
 * completed is therefore always one with a verified peer.
 */
#ifndef TLSTUND_TRANSPORT_H
#define TLSTUND_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "identity.h"
#include "trust.h"

#define TLSTUND_ALPN		"tlstun/1"

struct tlstund_conn;
struct tlstund_listener;

/* Everything a transport needs to run handshakes; rebuilt on SIGHUP, while
 * connections made with the old one keep it until they close.
 */
struct tlstund_transport_cfg {
	const struct tlstund_identity *identity;	/* our key and chain */
	const struct tlstund_trust_policy *trust;	/* how to judge the peer */
	/* QUIC: idle timeout offered to the peer (0: the default, 60 s). */
	uint32_t idle_timeout_ms;
};

struct tlstund_transport_ops {
	const char *name;		/* "tls" or "quic" */

	/* A credentials context for new connections (SSL_CTX for TLS). */
	void *(*ctx_new)(const struct tlstund_transport_cfg *cfg, char *err,
			 size_t errlen);
	void (*ctx_free)(void *ctx);	/* refcounted: live conns keep it */

	/* Listen on @addr. */
	struct tlstund_listener *(*listen)(void *ctx,
					   const struct sockaddr *addr,
					   socklen_t addrlen, char *err,
					   size_t errlen);
	int (*listener_fd)(struct tlstund_listener *l);
	/* A connection whose handshake is under way, or NULL with errno
	 * EAGAIN when nothing is pending, or NULL with another errno.
	 */
	struct tlstund_conn *(*accept)(struct tlstund_listener *l, char *err,
				       size_t errlen);
	void (*listener_close)(struct tlstund_listener *l);
	/* Accept with @ctx from now on (after a reload). */
	int (*listener_set_ctx)(struct tlstund_listener *l, void *ctx);

	/* Start connecting to @addr; the handshake follows by itself. */
	struct tlstund_conn *(*dial)(void *ctx, const struct sockaddr *addr,
				     socklen_t addrlen, char *err,
				     size_t errlen);

	int (*fd)(struct tlstund_conn *c);
	short (*events)(struct tlstund_conn *c);	/* POLLIN | POLLOUT */
	/* Drive connect + handshake: 0 when established, -EAGAIN to be
	 * called again when fd() is ready, another -errno on failure (the
	 * reason, peer verdict included, is in error()).
	 */
	int (*progress)(struct tlstund_conn *c);
	/* After progress() returned 0. >0 bytes, 0 at orderly EOF, -EAGAIN,
	 * or -errno. write() may take fewer bytes than given.
	 */
	ssize_t (*read)(struct tlstund_conn *c, void *buf, size_t len);
	ssize_t (*write)(struct tlstund_conn *c, const void *buf, size_t len);
	/* RFC 8446 7.5 / RFC 9001 exporter (never the early exporter). */
	int (*export)(struct tlstund_conn *c, const char *label,
		      const uint8_t *context, size_t ctxlen, uint8_t *out,
		      size_t outlen);
	/* The verified peer once progress() returned 0; after it failed,
	 * the verdict on a peer the trust policy rejected; else NULL.
	 */
	const struct tlstund_trust_result *(*peer)(struct tlstund_conn *c);
	/* Judge an established peer's chain again, under @pol and the
	 * current time (after a reload); returns 0 and fills @res like
	 * tlstund_trust_verify(). Never records a TOFU pin.
	 */
	int (*reverify)(struct tlstund_conn *c,
			const struct tlstund_trust_policy *pol,
			struct tlstund_trust_result *res);
	bool (*we_dialed)(struct tlstund_conn *c);
	/* Peer's address, for logs and for learning the data-plane remote. */
	const struct sockaddr *(*peer_addr)(struct tlstund_conn *c,
					    socklen_t *len);
	/* kTLS: whether the kernel does this connection's record layer. */
	bool (*ktls_tx)(struct tlstund_conn *c);
	bool (*ktls_rx)(struct tlstund_conn *c);
	const char *(*error)(struct tlstund_conn *c);
	/* Best-effort close_notify, then free. */
	void (*close)(struct tlstund_conn *c);

	/* Optional (QUIC). When, in now_ms() time (CLOCK_MONOTONIC), the
	 * connection must be served (progress() or read()) even if fd()
	 * stays quiet: a retransmission or idle timer, or datagrams the
	 * listener handed it. 0: only when fd() is ready.
	 */
	uint64_t (*deadline)(struct tlstund_conn *c);
	/* Optional (QUIC). True once after the authenticated peer's address
	 * changed (connection migration); peer_addr() gives the new one.
	 */
	bool (*take_path_change)(struct tlstund_conn *c);
	/* Optional (QUIC). Datagrams the listener dropped so far because
	 * they were no packet of ours: malformed, a bad or expired Retry
	 * token, or for no connection.
	 */
	uint64_t (*listener_dropped)(struct tlstund_listener *l);
};

/* The DER chain of an accepted peer, leaf first, as it sent it. */
struct tlstund_peer_chain {
	uint8_t **der;
	size_t *len;
	size_t n;
};

/* transport.c: what both transports share */
bool tlstund_transport_addr_valid(const struct sockaddr *sa, socklen_t len);
void tlstund_transport_addr_format(const struct sockaddr *sa, char *out,
				   size_t len);
socklen_t tlstund_transport_addr_unmap(const struct sockaddr *sa,
				       socklen_t len,
				       struct sockaddr_storage *out);
bool tlstund_transport_policy_usable(const struct tlstund_trust_policy *pol,
				     const char *who, char *err,
				     size_t errlen);

void tlstund_transport_conn_err(char *buf, size_t len, const char *peer,
				const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tlstund_peer_chain_keep(struct tlstund_peer_chain *ch,
			    const uint8_t *const *der, const size_t *len,
			    size_t n);
void tlstund_peer_chain_free(struct tlstund_peer_chain *ch);
int tlstund_peer_chain_reverify(const struct tlstund_peer_chain *ch,
				const struct tlstund_trust_policy *conf,
				enum tlstund_trust_peer_role role,
				struct tlstund_trust_result *res);

extern const struct tlstund_transport_ops tlstund_tls_ops;	/* tls.c */
extern const struct tlstund_transport_ops tlstund_quic_ops;	/* quic.c */

#endif /* TLSTUND_TRANSPORT_H */
