// SPDX-License-Identifier: GPL-2.0
/*
 * QUIC connections (quic.h): their packets, timers, control stream and
 * failures. Everything here runs inside a call from the daemon's poll loop
 * and never blocks; see quic.c for the TLS side and the promises kept.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <openssl/crypto.h>

#include "quic.h"

/*
 * Addresses and errors
 */

/* The peer as the daemon sees it: a v4-mapped address as plain IPv4. */
void quic_peer_store(struct tlstund_conn *c)
{
	c->peer_len = tlstund_transport_addr_unmap(
		(struct sockaddr *)&c->remote, c->remote_len, &c->peer);
	tlstund_transport_addr_format((struct sockaddr *)&c->peer,
				      c->peer_name, sizeof(c->peer_name));
}

#define conn_err(c, ...) \
	tlstund_transport_conn_err((c)->err, sizeof((c)->err), \
				   (c)->peer_name, __VA_ARGS__)

static int conn_fail(struct tlstund_conn *c, int ret)
{
	if (!c->failed) {
		c->failed = true;
		c->fail_ret = ret;
	}
	return c->fail_ret;
}

/* "certificate rejected: <reason> (<detail>)" from the trust verdict. */
static int fail_trust(struct tlstund_conn *c)
{
	const struct tlstund_trust_result *r = &c->result;

	conn_err(c, "certificate rejected: %s%s%s%s",
		 tlstund_trust_reason_str(r->verdict), r->detail[0] ? " (" : "",
		 r->detail, r->detail[0] ? ")" : "");
	return conn_fail(c, -EACCES);
}

/*
 * Connections
 */

static struct tlstund_conn *conn_alloc(struct quic_ctx *ctx, int fd,
				       bool dialed)
{
	struct tlstund_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->ctx = ctx;
	ctx->refs++;
	c->we_dialed = dialed;
	c->stream_id = -1;
	if (gnutls_rnd(GNUTLS_RND_RANDOM, c->reset_secret,
		       sizeof(c->reset_secret)) < 0)
		abort();
	return c;
}

static void conn_addrs(struct tlstund_conn *c, const struct sockaddr *local,
		       socklen_t local_len, const struct sockaddr *remote,
		       socklen_t remote_len)
{
	memcpy(&c->local, local, local_len);
	c->local_len = local_len;
	memcpy(&c->remote, remote, remote_len);
	c->remote_len = remote_len;
	quic_peer_store(c);
}

static void conn_path(struct tlstund_conn *c, ngtcp2_path *path)
{
	path->local.addr = (ngtcp2_sockaddr *)&c->local;
	path->local.addrlen = c->local_len;
	path->remote.addr = (ngtcp2_sockaddr *)&c->remote;
	path->remote.addrlen = c->remote_len;
	path->user_data = NULL;
}

static int send_packet(struct tlstund_conn *c, const ngtcp2_path *path,
		       const uint8_t *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = path->remote.addr,
		.msg_namelen = path->remote.addrlen,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	do {
		n = sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n >= 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
		c->send_blocked = true;
		return -EAGAIN;
	}
	/* An ICMP error or a route that came and went: QUIC retransmits. */
	return 0;
}

static const char *alert_name(uint8_t alert)
{
	const char *s = gnutls_alert_get_name(alert);

	return s ? s : "unknown alert";
}

/* Sends what we have to say on a failed connection, once. */
static void send_close(struct tlstund_conn *c, const ngtcp2_ccerr *ccerr)
{
	uint8_t buf[QUIC_MAX_UDP];
	ngtcp2_path_storage ps;
	ngtcp2_pkt_info pi;
	ngtcp2_ssize n;

	if (!c->q || ngtcp2_conn_in_closing_period(c->q) ||
	    ngtcp2_conn_in_draining_period(c->q))
		return;
	ngtcp2_path_storage_zero(&ps);
	n = ngtcp2_conn_write_connection_close(c->q, &ps.path, &pi, buf,
					       sizeof(buf), ccerr,
					       quic_now_ns());
	if (n > 0)
		send_packet(c, &ps.path, buf, n);
}

/* The peer closed the connection: 0 for an orderly application close. */
static int peer_closed(struct tlstund_conn *c)
{
	const ngtcp2_ccerr *e = ngtcp2_conn_get_ccerr(c->q);

	c->eof = true;
	if (e->type == NGTCP2_CCERR_TYPE_APPLICATION && !e->error_code)
		return 0;
	if (e->type == NGTCP2_CCERR_TYPE_TRANSPORT &&
	    (e->error_code & ~0xffULL) == NGTCP2_CRYPTO_ERROR) {
		conn_err(c, "QUIC handshake failed: the peer sent TLS alert %s",
			 alert_name(e->error_code & 0xff));
		return conn_fail(c, c->established ? -ECONNRESET : -EPROTO);
	}
	conn_err(c, "QUIC connection closed by the peer: %s error 0x%llx",
		 e->type == NGTCP2_CCERR_TYPE_APPLICATION ? "application" :
		 "transport", (unsigned long long)e->error_code);
	return conn_fail(c, -ECONNRESET);
}

/* An error from ngtcp2 on @c: say why, tell the peer, fail. */
static int quic_failure(struct tlstund_conn *c, int rv)
{
	ngtcp2_ccerr ccerr;
	uint8_t alert;

	if (c->failed)
		return c->fail_ret;
	ngtcp2_ccerr_default(&ccerr);
	switch (rv) {
	case NGTCP2_ERR_DRAINING:
		return peer_closed(c);
	case NGTCP2_ERR_IDLE_CLOSE:
		conn_err(c, "QUIC connection timed out (no packet from the peer for %u ms)",
			 c->ctx->idle_timeout_ms);
		return conn_fail(c, -ETIMEDOUT);
	case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
		conn_err(c, "QUIC handshake timed out");
		return conn_fail(c, -ETIMEDOUT);
	case NGTCP2_ERR_DROP_CONN:
		conn_err(c, "QUIC connection dropped");
		return conn_fail(c, -ECONNRESET);
	case NGTCP2_ERR_CRYPTO:
		alert = ngtcp2_conn_get_tls_alert(c->q);
		ngtcp2_ccerr_set_tls_alert(&ccerr, alert, NULL, 0);
		send_close(c, &ccerr);
		/* GnuTLS refused a client without a certificate itself
		 * (GNUTLS_CERT_REQUIRE): the same verdict as over TCP.
		 */
		if (!c->rejected && !c->we_dialed && !c->verified &&
		    alert == GNUTLS_A_CERTIFICATE_REQUIRED) {
			memset(&c->result, 0, sizeof(c->result));
			c->result.verdict = TLSTUND_TRUST_EMPTY_CHAIN;
			c->rejected = true;
		}
		if (c->rejected)
			return fail_trust(c);
		conn_err(c, "QUIC handshake failed: TLS alert %s",
			 alert_name(alert));
		return conn_fail(c, -EPROTO);
	case NGTCP2_ERR_CALLBACK_FAILURE:
		if (c->rejected) {
			ngtcp2_ccerr_set_tls_alert(&ccerr,
						   GNUTLS_A_BAD_CERTIFICATE,
						   NULL, 0);
			send_close(c, &ccerr);
			return fail_trust(c);
		}
		if (c->problem) {
			ngtcp2_ccerr_set_tls_alert(&ccerr, c->problem_alert,
						   NULL, 0);
			send_close(c, &ccerr);
			conn_err(c, "QUIC handshake failed: %s", c->problem);
			return conn_fail(c, -EPROTO);
		}
		break;
	default:
		break;
	}
	ngtcp2_ccerr_set_liberr(&ccerr, rv, NULL, 0);
	send_close(c, &ccerr);
	conn_err(c, "QUIC connection failed: %s", ngtcp2_strerror(rv));
	return conn_fail(c, -EPROTO);
}

/* Sends everything ngtcp2 has: stream data, acks, retransmissions. */
static int conn_flush(struct tlstund_conn *c)
{
	uint8_t buf[QUIC_MAX_UDP];
	ngtcp2_path_storage ps;
	ngtcp2_pkt_info pi;
	uint64_t ts = quic_now_ns();

	c->send_blocked = false;
	ngtcp2_path_storage_zero(&ps);
	for (;;) {
		ngtcp2_vec v = { .base = c->out + c->out_sent,
				 .len = c->out_len - c->out_sent };
		int64_t sid = c->established && v.len ? c->stream_id : -1;
		ngtcp2_ssize datalen = -1, n;

		n = ngtcp2_conn_writev_stream(c->q, &ps.path, &pi, buf,
					      sizeof(buf), &datalen,
					      NGTCP2_WRITE_STREAM_FLAG_NONE,
					      sid, sid >= 0 ? &v : NULL,
					      sid >= 0 ? 1 : 0, ts);
		if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED ||
		    n == NGTCP2_ERR_STREAM_SHUT_WR) {
			/* Flow control: send what else there is. */
			n = ngtcp2_conn_writev_stream(c->q, &ps.path, &pi,
						      buf, sizeof(buf), NULL,
						      NGTCP2_WRITE_STREAM_FLAG_NONE,
						      -1, NULL, 0, ts);
			datalen = -1;
		}
		if (n < 0)
			return quic_failure(c, (int)n);
		if (datalen > 0)
			c->out_sent += datalen;
		if (!n)
			break;
		if (send_packet(c, &ps.path, buf, n))
			break;
	}
	ngtcp2_conn_update_pkt_tx_time(c->q, ts);
	return 0;
}

static int feed(struct tlstund_conn *c, const ngtcp2_path *path,
		const uint8_t *pkt, size_t len)
{
	ngtcp2_pkt_info pi = { 0 };
	int rv;

	rv = ngtcp2_conn_read_pkt(c->q, path, &pi, pkt, len, quic_now_ns());
	return rv ? quic_failure(c, rv) : 0;
}

/* Datagrams the listener received for @c (its first, or after the peer's
 * address changed); served when the daemon next asks (deadline()).
 */
void quic_conn_feed(struct tlstund_conn *c, const struct sockaddr *local,
		    socklen_t local_len, const struct sockaddr *remote,
		    socklen_t remote_len, const uint8_t *pkt, size_t len)
{
	ngtcp2_path path = {
		.local = { (ngtcp2_sockaddr *)local, local_len },
		.remote = { (ngtcp2_sockaddr *)remote, remote_len },
	};

	if (c->failed)
		return;
	if (!feed(c, &path, pkt, len))
		conn_flush(c);
	c->pending = true;
}

/* Everything the socket holds, then the timers, then what is to send. */
static int conn_drive(struct tlstund_conn *c)
{
	static uint8_t buf[QUIC_RX_BUF];
	struct sockaddr_storage from;
	ngtcp2_path path;
	ssize_t n;
	int i, rv;

	c->pending = false;
	if (c->failed)
		return c->fail_ret;
	for (i = 0; i < 64; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};

		n = recvmsg(c->fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN, or an ICMP error QUIC recovers from. */
			break;
		}
		conn_path(c, &path);
		path.remote.addr = (ngtcp2_sockaddr *)&from;
		path.remote.addrlen = msg.msg_namelen;
		rv = feed(c, &path, buf, n);
		if (rv)
			return rv;
	}
	if (ngtcp2_conn_get_expiry(c->q) <= quic_now_ns()) {
		rv = ngtcp2_conn_handle_expiry(c->q, quic_now_ns());
		if (rv)
			return quic_failure(c, rv);
	}
	return conn_flush(c);
}

struct tlstund_conn *quic_dial(void *vctx, const struct sockaddr *addr,
				      socklen_t addrlen, char *err,
				      size_t errlen)
{
	struct quic_ctx *ctx = vctx;
	ngtcp2_transport_params params;
	struct tlstund_conn *c = NULL;
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	ngtcp2_settings settings;
	ngtcp2_cid dcid, scid;
	char name[QUIC_ADDR_STRLEN];
	ngtcp2_path path;
	int fd, e, rv;

	if (!ctx || !tlstund_transport_addr_valid(addr, addrlen)) {
		tlstund_identity_err(err, errlen, false, "dial: %s",
				     ctx ? "not an IPv4 or IPv6 address" :
				     "no QUIC context");
		errno = EINVAL;
		return NULL;
	}
	tlstund_transport_addr_format(addr, name, sizeof(name));
	fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (fd < 0 || connect(fd, addr, addrlen) ||
	    getsockname(fd, (struct sockaddr *)&local, &llen)) {
		e = errno;
		tlstund_identity_err(err, errlen, false, "peer %s: %s: %s",
				     name, fd < 0 ? "socket" : "connect",
				     strerror(e));
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	c = conn_alloc(ctx, fd, true);
	if (!c) {
		close(fd);
		tlstund_identity_err(err, errlen, false, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	conn_addrs(c, (struct sockaddr *)&local, llen, addr, addrlen);
	if (quic_session_new(c, false, err, errlen))
		goto fail;
	dcid.datalen = NGTCP2_MIN_INITIAL_DCIDLEN + 2;
	scid.datalen = QUIC_SCID_LEN;
	if (gnutls_rnd(GNUTLS_RND_RANDOM, dcid.data, dcid.datalen) < 0 ||
	    gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen) < 0)
		abort();
	quic_settings_init(&settings, &params, ctx);
	conn_path(c, &path);
	rv = ngtcp2_conn_client_new(&c->q, &dcid, &scid, &path,
				    NGTCP2_PROTO_VER_V1, &quic_client_callbacks,
				    &settings, &params, NULL, c);
	if (rv) {
		c->q = NULL;
		tlstund_identity_err(err, errlen, false,
				     "peer %s: cannot set up QUIC: %s", name,
				     ngtcp2_strerror(rv));
		goto fail;
	}
	ngtcp2_conn_set_tls_native_handle(c->q, c->tls);
	/* The Initial goes out now; failures show in progress(). */
	conn_flush(c);
	return c;

fail:
	tlstund_quic_ops.close(c);
	errno = EINVAL;
	return NULL;
}

/* A listener's connection, from the client's validated Initial. */
struct tlstund_conn *quic_conn_new_server(struct tlstund_listener *l,
					  int fd, const ngtcp2_pkt_hd *hd,
					  const ngtcp2_cid *odcid,
					  const struct sockaddr *local,
					  socklen_t local_len,
					  const struct sockaddr *remote,
					  socklen_t remote_len,
					  char *err, size_t errlen)
{
	ngtcp2_transport_params params;
	ngtcp2_settings settings;
	struct tlstund_conn *c;
	ngtcp2_cid scid;
	ngtcp2_path path;
	int rv;

	c = conn_alloc(l->ctx, fd, false);
	if (!c) {
		tlstund_identity_err(err, errlen, false, "out of memory");
		return NULL;
	}
	conn_addrs(c, local, local_len, remote, remote_len);
	if (quic_session_new(c, true, err, errlen))
		goto fail;
	scid.datalen = QUIC_SCID_LEN;
	if (gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen) < 0)
		abort();
	quic_settings_init(&settings, &params, l->ctx);
	settings.token = hd->token;
	settings.tokenlen = hd->tokenlen;
	settings.token_type = NGTCP2_TOKEN_TYPE_RETRY;
	params.initial_max_streams_bidi = 1;
	params.original_dcid = *odcid;
	params.original_dcid_present = 1;
	params.retry_scid = hd->dcid;
	params.retry_scid_present = 1;
	c->retry_scid = hd->dcid;
	if (ngtcp2_crypto_generate_stateless_reset_token(
			params.stateless_reset_token, l->reset_secret,
			sizeof(l->reset_secret), &scid))
		goto fail;
	params.stateless_reset_token_present = 1;
	conn_path(c, &path);
	rv = ngtcp2_conn_server_new(&c->q, &hd->scid, &scid, &path,
				    hd->version, &quic_server_callbacks, &settings,
				    &params, NULL, c);
	if (rv) {
		c->q = NULL;
		tlstund_identity_err(err, errlen, false,
				     "peer %s: cannot set up QUIC: %s",
				     c->peer_name, ngtcp2_strerror(rv));
		goto fail;
	}
	ngtcp2_conn_set_tls_native_handle(c->q, c->tls);
	c->l = l;
	c->l_next = l->conns;
	l->conns = c;
	return c;

fail:
	c->fd = -1;	/* the caller closes it */
	tlstund_quic_ops.close(c);
	return NULL;
}

bool quic_conn_has_cid(struct tlstund_conn *c, const uint8_t *dcid,
		       size_t dcidlen)
{
	ngtcp2_cid *cids;
	bool found = false;
	size_t n, k;

	if (!c->q)
		return false;
	if (c->retry_scid.datalen == dcidlen &&
	    !memcmp(c->retry_scid.data, dcid, dcidlen))
		return true;
	/* ngtcp2 writes every one: as many as the peer's
	 * active_connection_id_limit lets it issue, not a number of ours.
	 */
	n = ngtcp2_conn_get_scid(c->q, NULL);
	cids = n ? calloc(n, sizeof(*cids)) : NULL;
	if (!cids)
		return false;
	n = ngtcp2_conn_get_scid(c->q, cids);
	for (k = 0; k < n && !found; k++)
		found = cids[k].datalen == dcidlen &&
			!memcmp(cids[k].data, dcid, dcidlen);
	free(cids);
	return found;
}

void quic_conn_unlink(struct tlstund_conn *c)
{
	struct tlstund_conn **p;

	if (!c->l)
		return;
	for (p = &c->l->conns; *p; p = &(*p)->l_next)
		if (*p == c) {
			*p = c->l_next;
			break;
		}
	c->l = NULL;
	c->l_next = NULL;
}

int quic_progress(struct tlstund_conn *c)
{
	int rv;

	if (c->failed)
		return c->fail_ret;
	rv = conn_drive(c);
	if (rv)
		return rv;
	if (c->established) {
		c->err[0] = '\0';
		return 0;
	}
	if (c->eof) {
		conn_err(c, "QUIC handshake failed: connection closed by the peer");
		return conn_fail(c, -ECONNRESET);
	}
	return -EAGAIN;
}

ssize_t quic_read(struct tlstund_conn *c, void *buf, size_t len)
{
	size_t n;
	int rv;

	if (!c->established)
		return c->failed ? c->fail_ret : -ENOTCONN;
	if (!buf || !len)
		return -EINVAL;
	if (!c->in_len && !c->eof) {
		rv = conn_drive(c);
		if (rv)
			return rv;
	}
	if (!c->in_len) {
		if (c->failed)
			return c->fail_ret;
		return c->eof ? 0 : -EAGAIN;
	}
	n = len < c->in_len ? len : c->in_len;
	memcpy(buf, c->in + c->in_off, n);
	OPENSSL_cleanse(c->in + c->in_off, n);
	c->in_off += n;
	c->in_len -= n;
	if (!c->in_len)
		c->in_off = 0;
	/* Give the window back in one go once a quarter is free. */
	c->in_consumed += n;
	if (c->in_consumed >= QUIC_STREAM_BUF / 4 && !c->eof) {
		ngtcp2_conn_extend_max_stream_offset(c->q, c->stream_id,
						     c->in_consumed);
		ngtcp2_conn_extend_max_offset(c->q, c->in_consumed);
		c->in_consumed = 0;
		conn_flush(c);
	}
	return n;
}

ssize_t quic_write(struct tlstund_conn *c, const void *buf,
			  size_t len)
{
	size_t room;
	int rv;

	if (!c->established)
		return c->failed ? c->fail_ret : -ENOTCONN;
	if (!len)
		return 0;
	if (!buf)
		return -EINVAL;
	if (c->eof) {
		conn_err(c, "QUIC write failed: the session is closed");
		return -EPIPE;
	}
	/* Before the dialer's first bytes the listener has no stream yet:
	 * what it writes waits in out[] (conn_flush() sends nothing).
	 */
	room = sizeof(c->out) - c->out_len;
	if (!room)
		return -EAGAIN;
	if (len > room)
		len = room;
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	if (c->stream_id >= 0) {
		rv = conn_flush(c);
		if (rv)
			return rv;
	}
	return len;
}

int quic_export(struct tlstund_conn *c, const char *label,
		       const uint8_t *context, size_t ctxlen, uint8_t *out,
		       size_t outlen)
{
	if (!out || !outlen)
		return -EINVAL;
	if (!c || !label || (!context && ctxlen)) {
		OPENSSL_cleanse(out, outlen);
		return -EINVAL;
	}
	if (!c->established) {
		OPENSSL_cleanse(out, outlen);
		return -ENOTCONN;
	}
	if (gnutls_prf_rfc5705(c->tls, strlen(label), label, ctxlen,
			       (const char *)context, outlen,
			       (char *)out) < 0) {
		OPENSSL_cleanse(out, outlen);
		conn_err(c, "QUIC exporter failed");
		return -EIO;
	}
	return 0;
}

/* An orderly close (application error 0 once established), then free. */
void quic_close(struct tlstund_conn *c)
{
	ngtcp2_ccerr ccerr;

	if (!c)
		return;
	quic_conn_unlink(c);
	if (c->q && !c->failed) {
		/* What is written but unsent goes first. A handshake the
		 * daemon gave up on ends with a transport-level close
		 * (NO_ERROR), which ngtcp2 sends at the handshake's
		 * encryption level, so the peer need not time out.
		 */
		ngtcp2_ccerr_default(&ccerr);
		if (c->established) {
			conn_flush(c);
			ngtcp2_ccerr_set_application_error(&ccerr, 0, NULL, 0);
		}
		send_close(c, &ccerr);
	}
	if (c->q)
		ngtcp2_conn_del(c->q);
	if (c->tls)
		gnutls_deinit(c->tls);
	tlstund_peer_chain_free(&c->chain);
	if (c->fd >= 0)
		close(c->fd);
	quic_ctx_put(c->ctx);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

