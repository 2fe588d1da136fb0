// SPDX-License-Identifier: GPL-2.0
/*
 * What both transports (tls.c, quic*.c) need and do the same way:
 * addresses, error texts, whether a trust policy can judge anyone at all,
 * and the accepted peer's chain kept for judging it again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "transport.h"

bool tlstund_transport_addr_valid(const struct sockaddr *sa, socklen_t len)
{
	if (!sa || len > sizeof(struct sockaddr_storage))
		return false;
	if (sa->sa_family == AF_INET)
		return len >= sizeof(struct sockaddr_in);
	if (sa->sa_family == AF_INET6)
		return len >= sizeof(struct sockaddr_in6);
	return false;
}

/* "a.b.c.d:port", "[v6]:port" or "[v6%scope]:port". */
void tlstund_transport_addr_format(const struct sockaddr *sa, char *out,
				   size_t len)
{
	const struct sockaddr_in6 *in6 = (const void *)sa;
	const struct sockaddr_in *in = (const void *)sa;
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET &&
	    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host)))
		snprintf(out, len, "%s:%u", host, ntohs(in->sin_port));
	else if (sa->sa_family == AF_INET6 && in6->sin6_scope_id &&
		 inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host)))
		snprintf(out, len, "[%s%%%u]:%u", host, in6->sin6_scope_id,
			 ntohs(in6->sin6_port));
	else if (sa->sa_family == AF_INET6 &&
		 inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host)))
		snprintf(out, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	else
		snprintf(out, len, "(address family %u)", sa->sa_family);
}

/*
 * @sa into @out as the daemon should see it: an IPv4 peer on a dual-stack
 * "[::]" socket arrives as ::ffff:a.b.c.d and is stored as the IPv4
 * address it is, since the data plane learns its remote from here and
 * speaks plain IPv4 to it. Returns the length of @out.
 */
socklen_t tlstund_transport_addr_unmap(const struct sockaddr *sa,
				       socklen_t len,
				       struct sockaddr_storage *out)
{
	const struct sockaddr_in6 *in6 = (const void *)sa;
	struct sockaddr_in *in = (void *)out;

	if (sa->sa_family == AF_INET6 && len >= sizeof(*in6) &&
	    IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		memset(in, 0, sizeof(*in));
		in->sin_family = AF_INET;
		in->sin_port = in6->sin6_port;
		memcpy(&in->sin_addr, &in6->sin6_addr.s6_addr[12], 4);
		return sizeof(*in);
	}
	if (len > sizeof(*out))
		len = sizeof(*out);
	memcpy(out, sa, len);
	return len;
}

/* Whether @pol can judge a peer; @err says why not, after "@who: ". */
bool tlstund_transport_policy_usable(const struct tlstund_trust_policy *pol,
				     const char *who, char *err,
				     size_t errlen)
{
	const char *why = NULL;

	if (!pol)
		why = "no trust policy";
	else if (pol->kind == TLSTUND_TRUST_CA && !pol->ca_store)
		why = "trust policy \"ca\" without CA certificates";
	else if (pol->kind == TLSTUND_TRUST_TOFU &&
		 (!pol->tofu_dir ||
		  !tlstund_trust_peer_name_valid(pol->peer_name)))
		why = "trust policy \"tofu\" without a store directory and a valid peer name";
	else if (pol->kind != TLSTUND_TRUST_CA &&
		 pol->kind != TLSTUND_TRUST_PIN &&
		 pol->kind != TLSTUND_TRUST_TOFU)
		why = "trust policy not set";
	if (why)
		tlstund_identity_err(err, errlen, false, "%s: %s", who, why);
	return !why;
}

/* "peer <address>: <message>" into @buf. */
void tlstund_transport_conn_err(char *buf, size_t len, const char *peer,
				const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(buf, len, "peer %s: ", peer);
	if (n < 0 || (size_t)n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

void tlstund_peer_chain_free(struct tlstund_peer_chain *ch)
{
	size_t k;

	for (k = 0; ch->der && k < ch->n; k++)
		free(ch->der[k]);
	free(ch->der);
	free(ch->len);
	memset(ch, 0, sizeof(*ch));
}

/* A copy of the @n certificates of @der, leaf first, in @ch. */
int tlstund_peer_chain_keep(struct tlstund_peer_chain *ch,
			    const uint8_t *const *der, const size_t *len,
			    size_t n)
{
	size_t k;

	tlstund_peer_chain_free(ch);
	ch->der = calloc(n, sizeof(*ch->der));
	ch->len = calloc(n, sizeof(*ch->len));
	if (!ch->der || !ch->len)
		goto fail;
	ch->n = n;
	for (k = 0; k < n; k++) {
		ch->der[k] = malloc(len[k]);
		if (!ch->der[k])
			goto fail;
		memcpy(ch->der[k], der[k], len[k]);
		ch->len[k] = len[k];
	}
	return 0;

fail:
	tlstund_peer_chain_free(ch);
	return -ENOMEM;
}

/*
 * The kept chain judged again under @conf, for the peer's @role, at the
 * current time (after a reload); fills @res like tlstund_trust_verify().
 */
int tlstund_peer_chain_reverify(const struct tlstund_peer_chain *ch,
				const struct tlstund_trust_policy *conf,
				enum tlstund_trust_peer_role role,
				struct tlstund_trust_result *res)
{
	struct tlstund_trust_policy pol = *conf;

	memset(res, 0, sizeof(*res));
	if (!ch->der) {
		res->verdict = TLSTUND_TRUST_INTERNAL_ERROR;
		return -ENOTCONN;
	}
	pol.peer_role = role;
	return tlstund_trust_verify(&pol, (const uint8_t *const *)ch->der,
				    ch->len, ch->n, time(NULL), res);
}
