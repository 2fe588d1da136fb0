// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund's connections: the slots that hold them (the unauthenticated
 * pool and its bounds), dialing with backoff, accepting, driving a
 * handshake into a session, and the timers of each.
 */

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "daemon.h"

const char *tlstund_addr_str(const struct sockaddr *sa, socklen_t len,
			     char *buf, size_t buflen)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (!sa || getnameinfo(sa, len, host, sizeof(host), serv,
			       sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, buflen, "?");
		return buf;
	}
	snprintf(buf, buflen, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 host, serv);
	return buf;
}

struct slot *tlstund_slot_of(struct daemon *d, struct tlstund_session *s)
{
	int i;

	for (i = 0; i < MAX_SLOTS; i++)
		if (d->slots[i] && &d->slots[i]->session == s)
			return d->slots[i];
	return NULL;
}

/* Connections ----------------------------------------------------------- */

static struct slot *slot_alloc(struct daemon *d, struct tlstund_conn *c,
			       bool dialed, uint64_t now)
{
	struct slot *sl;
	int i;

	for (i = 0; i < MAX_SLOTS && d->slots[i]; i++)
		;
	if (i == MAX_SLOTS)
		return NULL;
	sl = calloc(1, sizeof(*sl));
	if (!sl)
		return NULL;
	sl->id = ++d->next_id;
	sl->conn = c;
	sl->dialed = dialed;
	sl->deadline = now + HANDSHAKE_TIMEOUT_MS;
	d->slots[i] = sl;
	return sl;
}

static bool unauthenticated(const struct slot *sl)
{
	return !sl->established && !sl->dialed;
}

/* Whether two peer addresses are the same host (the ports aside). */
static bool same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	if (!a || !b || a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			       &((const struct sockaddr_in *)b)->sin_addr,
			       sizeof(struct in_addr));
	if (a->sa_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	return false;
}

/* Log a refused or closed connection, at most once per REFUSAL_LOG_MS,
 * with the count of those not logged since.
 */
static void log_refusal(struct daemon *d, uint64_t now, const char *what,
			const char *addr)
{
	if (now < d->refusal_log_at) {
		d->refusals_unlogged++;
		return;
	}
	if (d->refusals_unlogged)
		log_warn("%s %s (%u more such connections since the last message)",
			 what, addr, d->refusals_unlogged);
	else
		log_warn("%s %s", what, addr);
	d->refusals_unlogged = 0;
	d->refusal_log_at = now + REFUSAL_LOG_MS;
}

/* Make room in the unauthenticated pool for one more connection from
 * @from: close the oldest from that address when it has its share, else
 * the oldest of all when the pool is full.
 */
static void unauth_make_room(struct daemon *d, const struct sockaddr *from,
			     const char *addr, uint64_t now)
{
	struct slot *oldest = NULL, *oldest_host = NULL;
	unsigned int n = 0, n_host = 0;
	socklen_t len;
	int i;

	for (i = 0; i < MAX_SLOTS; i++) {
		struct slot *sl = d->slots[i];

		if (!sl || !unauthenticated(sl))
			continue;
		n++;
		if (!oldest || sl->id < oldest->id)
			oldest = sl;
		if (same_host(d->t->peer_addr(sl->conn, &len), from)) {
			n_host++;
			if (!oldest_host || sl->id < oldest_host->id)
				oldest_host = sl;
		}
	}
	if (n_host >= MAX_UNAUTH_PER_HOST) {
		log_refusal(d, now, "too many unauthenticated connections from",
			    addr);
		tlstund_slot_free(d, oldest_host, now);
	} else if (n >= MAX_UNAUTH) {
		log_refusal(d, now, "too many unauthenticated connections; closing the oldest for one from",
			    addr);
		tlstund_slot_free(d, oldest, now);
	}
}

/* A slot for @c, which we dialed or accepted; NULL when there is none. */
static struct slot *slot_new(struct daemon *d, struct tlstund_conn *c,
			     bool dialed, uint64_t now)
{
	const struct sockaddr *from;
	socklen_t len;
	char addr[80];

	if (dialed)
		return slot_alloc(d, c, true, now);
	from = d->t->peer_addr(c, &len);
	tlstund_addr_str(from, len, addr, sizeof(addr));
	unauth_make_room(d, from, addr, now);
	return slot_alloc(d, c, false, now);
}

struct slot *tlstund_slot_by_id(struct daemon *d, uint64_t id)
{
	int i;

	for (i = 0; id && i < MAX_SLOTS; i++)
		if (d->slots[i] && d->slots[i]->id == id)
			return d->slots[i];
	return NULL;
}

void tlstund_dial_schedule(struct daemon *d, uint64_t now, bool at_once)
{
	uint32_t rnd = 0;

	if (!d->cfg.endpoint.len || d->stopping)
		return;
	if (at_once) {
		d->next_dial = now;
		return;
	}
	RAND_bytes((unsigned char *)&rnd, sizeof(rnd));
	d->next_dial = now + tlstund_negotiate_backoff_ms(d->attempts,
			d->cfg.reconnect_min * 1000, d->cfg.reconnect_max * 1000,
			rnd);
	d->attempts++;
}

bool tlstund_have_session(struct daemon *d)
{
	int i;

	for (i = 0; i < MAX_SLOTS; i++)
		if (d->slots[i] && (d->slots[i]->established ||
				    d->slots[i]->dialed))
			return true;
	return false;
}

/* Free a slot. Its SAs, if any, become orphans: they keep carrying traffic
 * until a new session replaces them.
 */
void tlstund_slot_free(struct daemon *d, struct slot *sl, uint64_t now)
{
	bool was_active = sl->id == d->active;
	bool was_up = sl->established && sl->session.up_at;
	size_t i;
	int j;

	for (i = 0; i < d->n_sas; i++)
		if (d->sas[i].owner == sl->id)
			d->sas[i].owner = 0;
	if (sl->conn)
		d->t->close(sl->conn);
	if (sl->tctx)
		d->t->ctx_free(sl->tctx);
	if (sl->established)
		tlstund_session_wipe(&sl->session);
	for (j = 0; j < MAX_SLOTS; j++)
		if (d->slots[j] == sl)
			d->slots[j] = NULL;
	if (was_active) {
		d->active = 0;
		tlstund_notify_status("no session; tunnel runs on its last SAs");
		if (was_up && now - sl->session.up_at >= TLSTUND_BACKOFF_RESET_MS)
			d->attempts = 0;
	}
	free(sl);
	if (!tlstund_have_session(d) && !d->next_dial)
		tlstund_dial_schedule(d, now, false);
}

void tlstund_slot_close(struct daemon *d, struct slot *sl, uint16_t reason,
			const char *text, uint64_t now)
{
	if (!sl->established) {
		tlstund_slot_free(d, sl, now);
		return;
	}
	tlstund_session_close(&sl->session, reason, text);
	sl->deadline = now + CLOSE_LINGER_MS;
}

static void start_session(struct daemon *d, struct slot *sl, uint64_t now)
{
	const struct tlstund_trust_result *peer = d->t->peer(sl->conn);
	char label[TLSTUN_PEER_MAX], addr[80];
	const struct sockaddr *pa;
	struct slot *old;
	socklen_t plen;

	pa = d->t->peer_addr(sl->conn, &plen);
	tlstund_addr_str(pa, plen, addr, sizeof(addr));
	snprintf(label, sizeof(label), "%s %s", d->cfg.peer_name,
		 peer->identity);
	if (d->cfg.transport == TLSTUND_TRANSPORT_QUIC)
		log_info("%s %s: handshake complete, peer %s, over QUIC",
			 sl->dialed ? "dialed" : "accepted", addr,
			 peer->identity);
	else
		log_info("%s %s: handshake complete, peer %s%s%s",
			 sl->dialed ? "dialed" : "accepted", addr,
			 peer->identity,
			 d->t->ktls_tx(sl->conn) ? ", kTLS tx on" :
						   ", kTLS tx off",
			 d->t->ktls_rx(sl->conn) ? ", kTLS rx on" : "");
	if (peer->crl_expired_accepted)
		log_warn("%s %s: a CRL of the peer's chain is out of date; accepted because crl-expired = warn",
			 sl->dialed ? "dialed" : "accepted", addr);
	sl->established = true;
	sl->established_at = now;
	d->handshakes++;
	sl->deadline = 0;
	tlstund_session_start(&sl->session, &d->cfg, &d->env, sl->dialed,
			      d->identity.spki_sha256, peer->spki_sha256,
			      label, now);
	if (sl->session.state == TLSTUND_SESSION_CLOSED)
		return;

	/* Two sessions for one tunnel: keep exactly the one both ends keep. */
	old = tlstund_slot_by_id(d, d->active);
	if (old && old != sl) {
		if (tlstund_negotiate_keep_new(d->identity.spki_sha256,
					       peer->spki_sha256, old->dialed,
					       sl->dialed) > 0) {
			tlstund_slot_close(d, old, TLSTUND_CLOSE_DUPLICATE,
					   "superseded", now);
		} else {
			tlstund_session_close(&sl->session,
					      TLSTUND_CLOSE_DUPLICATE,
					      "an older session is kept");
			sl->deadline = now + CLOSE_LINGER_MS;
			/* If the peer restarted, this finds out fast. */
			tlstund_session_ping(&old->session, now);
			return;
		}
	}
	d->active = sl->id;
	d->next_dial = 0;

	/* Learn the data-plane remote from the peer when nothing said it. */
	if (!d->cfg.remote.len && !d->cfg.endpoint.len && pa) {
		char err[256];

		if (tlstund_kernel_set_remote(d->k, d->ifindex, pa, err,
					      sizeof(err)))
			log_warn("%s", err);
	}
}

/*
 * The peer of an authenticated QUIC connection answered from a new address
 * and proved it (path validation, RFC 9000 9): the data plane follows it
 * when its remote came from the peer in the first place.
 */
void tlstund_slot_peer_moved(struct daemon *d, struct slot *sl)
{
	const struct sockaddr *pa;
	char addr[80], err[256];
	socklen_t plen;

	pa = d->t->peer_addr(sl->conn, &plen);
	tlstund_addr_str(pa, plen, addr, sizeof(addr));
	if (!sl->established || sl->id != d->active) {
		log_info("connection %" PRIu64 ": peer moved to %s", sl->id,
			 addr);
		return;
	}
	if (d->cfg.remote.len) {
		log_info("session with %s: peer moved to %s; the data plane keeps the configured remote",
			 sl->session.peer, addr);
		return;
	}
	if (tlstund_kernel_set_remote(d->k, d->ifindex, pa, err,
				      sizeof(err))) {
		log_warn("session with %s: peer moved to %s, but %s",
			 sl->session.peer, addr, err);
		return;
	}
	log_info("session with %s: peer moved to %s; the data plane follows",
		 sl->session.peer, addr);
}

static void handshake_failed(struct daemon *d, struct slot *sl, uint64_t now)
{
	const struct tlstund_trust_result *peer = d->t->peer(sl->conn);

	log_warn("%s", d->t->error(sl->conn));
	/* After a reload changed who is trusted, a peer that now fails
	 * verification must not keep its old SAs either: fail closed.
	 */
	if (d->orphans_need_trust && peer &&
	    peer->verdict != TLSTUND_TRUST_OK)
		tlstund_sas_delete_orphans(d, "the peer is no longer trusted");
	tlstund_slot_free(d, sl, now);
}

void tlstund_dial(struct daemon *d, uint64_t now)
{
	struct tlstund_conn *c;
	struct slot *sl;
	char err[256], addr[80];

	d->next_dial = 0;
	tlstund_addr_str((const struct sockaddr *)&d->cfg.endpoint.ss,
			 d->cfg.endpoint.len, addr, sizeof(addr));
	c = d->t->dial(d->tctx, (const struct sockaddr *)&d->cfg.endpoint.ss,
		       d->cfg.endpoint.len, err, sizeof(err));
	if (!c) {
		log_warn("dialing %s: %s", addr, err);
		tlstund_dial_schedule(d, now, false);
		return;
	}
	sl = slot_new(d, c, true, now);
	if (!sl) {
		d->t->close(c);
		tlstund_dial_schedule(d, now, false);
		return;
	}
	log_debug("dialing %s", addr);
}

/* What the listener dropped since the last message, at most every
 * REFUSAL_LOG_MS.
 */
static void log_listener_drops(struct daemon *d, uint64_t now)
{
	uint64_t n;

	if (!d->t->listener_dropped || now < d->drop_log_at)
		return;
	n = d->t->listener_dropped(d->listener);
	if (n == d->drops_logged)
		return;
	log_warn("listener: dropped %" PRIu64 " datagrams that were no packet of ours (malformed, a bad or expired Retry token, or for no connection)",
		 n - d->drops_logged);
	d->drops_logged = n;
	d->drop_log_at = now + REFUSAL_LOG_MS;
}

void tlstund_accept_all(struct daemon *d, uint64_t now)
{
	struct tlstund_conn *c;
	char err[256];

	for (;;) {
		c = d->t->accept(d->listener, err, sizeof(err));
		if (!c) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept: %s", err);
			log_listener_drops(d, now);
			return;
		}
		/* Bounded: a flood of handshakes cannot starve the session. */
		if (!slot_new(d, c, false, now)) {
			const struct sockaddr *pa;
			socklen_t plen;
			char addr[80];

			pa = d->t->peer_addr(c, &plen);
			tlstund_addr_str(pa, plen, addr, sizeof(addr));
			log_refusal(d, now, "too many connections at once; refusing one from",
				    addr);
			d->t->close(c);
		}
	}
}

void tlstund_slot_flush(struct daemon *d, struct slot *sl)
{
	struct tlstund_session *s = &sl->session;
	ssize_t n;

	while (s->out_len) {
		n = d->t->write(sl->conn, s->out, s->out_len);
		if (n <= 0)
			return;
		tlstund_session_consume(s, n);
	}
}

/* Drive one slot after poll said its descriptor is ready (or a timer). */
void tlstund_slot_service(struct daemon *d, struct slot *sl, uint64_t now)
{
	uint8_t buf[4096];
	ssize_t n;
	int ret;

	if (!sl->established) {
		ret = d->t->progress(sl->conn);
		if (ret == -EAGAIN)
			return;
		if (ret) {
			handshake_failed(d, sl, now);
			return;
		}
		start_session(d, sl, now);
	}

	for (;;) {
		if (sl->session.state == TLSTUND_SESSION_CLOSED)
			break;
		n = d->t->read(sl->conn, buf, sizeof(buf));
		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			if (n < 0)
				log_info("session with %s: %s",
					 sl->session.peer,
					 d->t->error(sl->conn));
			tlstund_session_eof(&sl->session, now);
			tlstund_slot_flush(d, sl);
			tlstund_slot_free(d, sl, now);
			return;
		}
		tlstund_session_input(&sl->session, buf, n, now);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	tlstund_slot_flush(d, sl);
	if (sl->session.state == TLSTUND_SESSION_CLOSED) {
		if (!sl->session.out_len || sl->session.close_by_peer) {
			tlstund_slot_free(d, sl, now);
			return;
		}
		if (!sl->deadline)
			sl->deadline = now + CLOSE_LINGER_MS;
	}
}

void tlstund_slot_tick(struct daemon *d, struct slot *sl, uint64_t now)
{
	struct tlstund_session *s = &sl->session;
	uint64_t age;

	if (sl->deadline && now >= sl->deadline) {
		if (!sl->established)
			log_warn("connection %" PRIu64 ": handshake timed out",
				 sl->id);
		tlstund_slot_free(d, sl, now);
		return;
	}
	if (!sl->established)
		return;
	tlstund_session_tick(s, now);
	if (s->state == TLSTUND_SESSION_CLOSED) {
		tlstund_slot_flush(d, sl);
		if (!s->out_len)
			tlstund_slot_free(d, sl, now);
		else if (!sl->deadline)
			sl->deadline = now + CLOSE_LINGER_MS;
		return;
	}
	/* A fresh handshake (fresh ECDHE) at least every handshake-interval:
	 * the side that dialed redials, the other only enforces it late.
	 */
	age = s->up_at ? now - s->up_at : 0;
	if (s->state == TLSTUND_SESSION_RUN && s->up_at &&
	    age >= (uint64_t)d->cfg.handshake_interval * 1000 *
		   (sl->dialed ? 4 : 5) / 4) {
		tlstund_slot_close(d, sl, TLSTUND_CLOSE_NORMAL, "new handshake due",
				   now);
		if (sl->dialed)
			tlstund_dial_schedule(d, now, true);
	}
	tlstund_slot_flush(d, sl);
}

/* The transport's own deadline for @sl (QUIC's timers), 0 for none. */
static uint64_t transport_deadline(const struct daemon *d,
				   const struct slot *sl)
{
	return d->t->deadline ? d->t->deadline(sl->conn) : 0;
}

/* Whether the transport asked for @sl to be served by @now. */
bool tlstund_slot_transport_due(const struct daemon *d, const struct slot *sl,
				uint64_t now)
{
	uint64_t t = transport_deadline(d, sl);

	return t && now >= t;
}

uint64_t tlstund_slot_deadline(struct slot *sl, const struct daemon *d)
{
	uint64_t t = sl->deadline, s;

	s = transport_deadline(d, sl);
	if (s && (!t || s < t))
		t = s;
	if (!sl->established)
		return t;
	s = tlstund_session_deadline(&sl->session);
	if (s && (!t || s < t))
		t = s;
	if (sl->session.up_at) {
		s = sl->session.up_at + (uint64_t)d->cfg.handshake_interval *
			1000 * (sl->dialed ? 4 : 5) / 4;
		if (!t || s < t)
			t = s;
	}
	return t;
}

