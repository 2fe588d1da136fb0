// SPDX-License-Identifier: GPL-2.0
/*
 * The QUIC listener: one UDP socket that takes new clients' Initials.
 *
 * What arrives there, and what is done with it, statelessly until the
 * client has proven its address:
 *
 *  - A long-header packet of a version other than QUIC v1: a Version
 *    Negotiation packet naming v1.
 *  - A datagram carrying a connection ID of a connection we accepted
 *    (its stray packets from before its own socket existed, or all of
 *    them once the client's address changed, RFC 9000 9): handed to it.
 *  - An Initial without a token: a Retry carrying a token that binds the
 *    client's address and connection IDs (RFC 9000 8.1.2). Nothing is
 *    kept, so a flood of spoofed Initials costs one small reply each and
 *    never reaches the handshake or the daemon's connection slots.
 *  - An Initial with a valid Retry token: a new connection (returned by
 *    accept(), which the daemon then bounds with its slot policy). Its
 *    socket is bound to the address and port the Initial was sent to and
 *    connected to the client, so the kernel delivers the rest to it.
 *  - Anything else (a bad or expired token, a short packet of no
 *    connection, a runt): dropped, and counted.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <openssl/crypto.h>

#include "quic.h"

/* How long a Retry token is good for. */
#define RETRY_TOKEN_TIMEOUT	(10 * NGTCP2_SECONDS)
/* Datagrams one accept() call looks at before it lets the loop run. */
#define ACCEPT_BUDGET		64

/* The options both the listener's socket and its connections' take. */
static int socket_shared(int family, const char **step)
{
	int fd, one = 1, zero = 0;

	*step = "socket";
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (fd < 0)
		return -1;
	*step = "SO_REUSEADDR";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	*step = "SO_REUSEPORT";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		goto fail;
	/* "[::]:port" takes IPv4 peers too, whatever bindv6only says. */
	*step = "IPV6_V6ONLY";
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		goto fail;
	return fd;

fail:
	close(fd);
	return -1;
}

struct tlstund_listener *quic_listen(void *vctx, const struct sockaddr *addr,
				     socklen_t addrlen, char *err,
				     size_t errlen)
{
	struct quic_ctx *ctx = vctx;
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	struct tlstund_listener *l;
	char name[QUIC_ADDR_STRLEN];
	const char *step;
	int fd = -1, e, one = 1;

	if (!ctx || !addr || (addr->sa_family != AF_INET &&
			      addr->sa_family != AF_INET6) ||
	    addrlen < (addr->sa_family == AF_INET ?
		       sizeof(struct sockaddr_in) :
		       sizeof(struct sockaddr_in6))) {
		tlstund_identity_err(err, errlen, false, "listen: %s",
				     ctx ? "not an IPv4 or IPv6 address" :
				     "no QUIC context");
		errno = EINVAL;
		return NULL;
	}
	tlstund_transport_addr_format(addr, name, sizeof(name));
	l = calloc(1, sizeof(*l));
	if (!l) {
		tlstund_identity_err(err, errlen, false,
				     "listen on %s: out of memory", name);
		errno = ENOMEM;
		return NULL;
	}
	fd = socket_shared(addr->sa_family, &step);
	if (fd < 0)
		goto fail;
	/* The address each Initial was sent to: its connection's socket is
	 * bound there, so that replies leave from where the client expects.
	 */
	step = "IP_PKTINFO";
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)))
		goto fail;
	step = "IPV6_RECVPKTINFO";
	if (addr->sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)))
		goto fail;
	step = "bind";
	if (bind(fd, addr, addrlen))
		goto fail;
	if (!getsockname(fd, (struct sockaddr *)&bound, &blen))
		tlstund_transport_addr_format((struct sockaddr *)&bound, name,
					      sizeof(name));
	l->port = bound.ss_family == AF_INET ?
		  ((struct sockaddr_in *)&bound)->sin_port :
		  ((struct sockaddr_in6 *)&bound)->sin6_port;
	if (gnutls_rnd(GNUTLS_RND_RANDOM, l->token_secret,
		       sizeof(l->token_secret)) < 0 ||
	    gnutls_rnd(GNUTLS_RND_RANDOM, l->reset_secret,
		       sizeof(l->reset_secret)) < 0)
		abort();
	l->fd = fd;
	l->family = addr->sa_family;
	l->ctx = ctx;
	ctx->refs++;
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

int quic_listener_fd(struct tlstund_listener *l)
{
	return l->fd;
}

/* The local address of a datagram from its IP_PKTINFO / IPV6_PKTINFO. */
static void local_of(struct tlstund_listener *l, struct msghdr *msg,
		     struct sockaddr_storage *local, socklen_t *len)
{
	struct sockaddr_in6 *in6 = (void *)local;
	struct sockaddr_in *in = (void *)local;
	struct cmsghdr *cm;

	memset(local, 0, sizeof(*local));
	local->ss_family = l->family;
	*len = l->family == AF_INET ? sizeof(*in) : sizeof(*in6);
	if (l->family == AF_INET)
		in->sin_port = l->port;
	else
		in6->sin6_port = l->port;
	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (l->family == AF_INET && cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			in->sin_addr = pi.ipi_addr;
		} else if (l->family == AF_INET6 &&
			   cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			in6->sin6_addr = pi.ipi6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				in6->sin6_scope_id = pi.ipi6_ifindex;
		}
	}
}

static void reply(struct tlstund_listener *l, const struct sockaddr *to,
		  socklen_t tolen, const uint8_t *buf, ngtcp2_ssize n)
{
	if (n > 0)
		sendto(l->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL, to, tolen);
}

static void send_version_negotiation(struct tlstund_listener *l,
				     const ngtcp2_version_cid *vc,
				     const struct sockaddr *to, socklen_t tolen)
{
	const uint32_t versions[] = { NGTCP2_PROTO_VER_V1 };
	uint8_t buf[QUIC_MAX_UDP], r;

	gnutls_rnd(GNUTLS_RND_NONCE, &r, 1);
	reply(l, to, tolen, buf,
	      ngtcp2_pkt_write_version_negotiation(buf, sizeof(buf), r,
			vc->scid, vc->scidlen, vc->dcid, vc->dcidlen,
			versions, 1));
}

static void send_retry(struct tlstund_listener *l, const ngtcp2_pkt_hd *hd,
		       const struct sockaddr *to, socklen_t tolen)
{
	uint8_t token[NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN], buf[QUIC_MAX_UDP];
	ngtcp2_ssize tlen;
	ngtcp2_cid scid;

	scid.datalen = QUIC_SCID_LEN;
	if (gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen) < 0)
		abort();
	tlen = ngtcp2_crypto_generate_retry_token(token, l->token_secret,
			sizeof(l->token_secret), hd->version,
			(const ngtcp2_sockaddr *)to, tolen, &scid, &hd->dcid,
			quic_now_ns());
	if (tlen < 0)
		return;
	reply(l, to, tolen, buf,
	      ngtcp2_crypto_write_retry(buf, sizeof(buf), hd->version,
					&hd->scid, &scid, &hd->dcid, token,
					tlen));
}

/* A socket for a new connection: bound where the Initial arrived, and
 * connected to the client.
 */
static int conn_socket(struct tlstund_listener *l,
		       const struct sockaddr *local, socklen_t local_len,
		       const struct sockaddr *remote, socklen_t remote_len,
		       char *err, size_t errlen)
{
	const char *step;
	int fd, e;

	fd = socket_shared(l->family, &step);
	if (fd < 0)
		goto fail;
	step = "bind";
	if (bind(fd, local, local_len))
		goto fail;
	step = "connect";
	if (connect(fd, remote, remote_len))
		goto fail;
	return fd;

fail:
	e = errno;
	tlstund_identity_err(err, errlen, false,
			     "accept on %s: connection socket: %s: %s",
			     l->name, step, strerror(e));
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

static struct tlstund_conn *conn_of(struct tlstund_listener *l,
				    const uint8_t *dcid, size_t dcidlen)
{
	struct tlstund_conn *c;

	for (c = l->conns; c; c = c->l_next)
		if (quic_conn_has_cid(c, dcid, dcidlen))
			return c;
	return NULL;
}

/* One datagram: a new connection, or NULL when it was dealt with here. */
static struct tlstund_conn *take_datagram(struct tlstund_listener *l,
					  const uint8_t *pkt, size_t len,
					  const struct sockaddr *from,
					  socklen_t fromlen,
					  const struct sockaddr *local,
					  socklen_t local_len, char *err,
					  size_t errlen)
{
	ngtcp2_version_cid vc;
	struct tlstund_conn *c;
	ngtcp2_pkt_hd hd;
	ngtcp2_cid odcid;
	int rv, fd;

	rv = ngtcp2_pkt_decode_version_cid(&vc, pkt, len, QUIC_SCID_LEN);
	if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
		send_version_negotiation(l, &vc, from, fromlen);
		return NULL;
	}
	if (rv) {
		l->dropped++;
		return NULL;
	}
	c = conn_of(l, vc.dcid, vc.dcidlen);
	if (c) {
		quic_conn_feed(c, local, local_len, from, fromlen, pkt, len);
		return NULL;
	}
	if (ngtcp2_accept(&hd, pkt, len)) {
		l->dropped++;
		return NULL;
	}
	if (!hd.tokenlen) {
		send_retry(l, &hd, from, fromlen);
		return NULL;
	}
	if (hd.token[0] != NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY ||
	    ngtcp2_crypto_verify_retry_token(&odcid, hd.token, hd.tokenlen,
			l->token_secret, sizeof(l->token_secret), hd.version,
			(const ngtcp2_sockaddr *)from, fromlen, &hd.dcid,
			RETRY_TOKEN_TIMEOUT, quic_now_ns())) {
		/* Forged, expired or for another address: RFC 9000 8.1.3
		 * allows a fresh Retry, but a client that keeps failing
		 * gets nothing.
		 */
		l->dropped++;
		return NULL;
	}
	fd = conn_socket(l, local, local_len, from, fromlen, err, errlen);
	if (fd < 0)
		return NULL;
	c = quic_conn_new_server(l, fd, &hd, &odcid, local, local_len, from,
				 fromlen, err, errlen);
	if (!c) {
		close(fd);
		return NULL;
	}
	quic_conn_feed(c, local, local_len, from, fromlen, pkt, len);
	return c;
}

struct tlstund_conn *quic_accept(struct tlstund_listener *l, char *err,
				 size_t errlen)
{
	static uint8_t buf[QUIC_RX_BUF];
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			  CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cbuf;
	struct sockaddr_storage from, local;
	struct tlstund_conn *c;
	socklen_t local_len;
	ssize_t n;
	int i;

	if (err && errlen)
		err[0] = '\0';
	for (i = 0; i < ACCEPT_BUDGET; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.b,
			.msg_controllen = sizeof(cbuf.b),
		};

		n = recvmsg(l->fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				continue;	/* an ICMP error: next */
			break;
		}
		local_of(l, &msg, &local, &local_len);
		c = take_datagram(l, buf, n, (struct sockaddr *)&from,
				  msg.msg_namelen, (struct sockaddr *)&local,
				  local_len, err, errlen);
		OPENSSL_cleanse(buf, n);
		if (c)
			return c;
		if (err && errlen && err[0]) {
			errno = EIO;
			return NULL;
		}
	}
	errno = EAGAIN;
	return NULL;
}

uint64_t quic_listener_dropped(struct tlstund_listener *l)
{
	return l->dropped;
}

int quic_listener_set_ctx(struct tlstund_listener *l, void *vctx)
{
	struct quic_ctx *ctx = vctx;

	ctx->refs++;
	quic_ctx_put(l->ctx);
	l->ctx = ctx;
	return 0;
}

void quic_listener_close(struct tlstund_listener *l)
{
	struct tlstund_conn *c, *next;

	if (!l)
		return;
	/* Its connections live on, with their own sockets. */
	for (c = l->conns; c; c = next) {
		next = c->l_next;
		c->l = NULL;
		c->l_next = NULL;
	}
	close(l->fd);
	quic_ctx_put(l->ctx);
	OPENSSL_cleanse(l, sizeof(*l));
	free(l);
}
