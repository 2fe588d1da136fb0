// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund's event loop: one tunnel, one peer.
 *
 * Concurrency model. One thread and one poll(2) loop own everything: the
 * listening socket, every connection (dialing, handshaking, in session),
 * the kernel's event socket and a signalfd. Nothing blocks: connects,
 * handshakes and writes are non-blocking, netlink requests are answered by
 * the kernel at once, and timers are deadlines the loop turns into its poll
 * timeout. So no state is shared between threads and no locks exist.
 *
 * Sessions and SAs. At most one session is "active": the one whose SAs
 * carry the tunnel. A new session (after a reconnect, a periodic fresh
 * handshake, a reload or a daemon restart) installs its own SAs; once its
 * first generation completes, the SAs of every earlier session (the
 * "orphans", including those a previous daemon left in the kernel) are
 * removed after the grace period. Until then they keep carrying traffic,
 * which is how reconnects and reloads lose nothing. An orphan that is never
 * replaced ends at its hard lifetime. Keys never repeat across any of this:
 * every session derives its keys from its own fresh handshake.
 */

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <systemd/sd-daemon.h>

#include "tlstund.h"

/*
 * Connection slots. Anyone who can reach the listener can open a TCP
 * connection and let it sit in its handshake for HANDSHAKE_TIMEOUT_MS, so
 * such unauthenticated connections get a pool of their own, MAX_UNAUTH,
 * with at most MAX_UNAUTH_PER_HOST from one address; a new one past either
 * bound closes the oldest of its kind, so that the peer's own connection
 * always gets in after the connections that came before it. Our dial and
 * the sessions (the live one, and the one it replaces while it says
 * goodbye) have slots beyond that pool that accepted connections never
 * take. Refusals are logged at most once per REFUSAL_LOG_MS.
 */
#define MAX_UNAUTH		8
#define MAX_UNAUTH_PER_HOST	2
#define MAX_SLOTS		(MAX_UNAUTH + 4)
#define REFUSAL_LOG_MS		5000
#define HANDSHAKE_TIMEOUT_MS	10000
#define CLOSE_LINGER_MS		1000	/* to flush a CLOSE before hanging up */

struct slot {
	uint64_t id;
	struct tlstund_conn *conn;
	void *tctx;			/* transport context it was made with */
	bool dialed;
	bool established;		/* handshake done, session started */
	uint64_t deadline;		/* handshake, or linger after CLOSE */
	struct tlstund_session session;
};

struct daemon {
	struct tlstund_config cfg;
	struct tlstund_identity identity;
	X509_STORE *ca;
	uint8_t ca_digest[32];		/* of ca's certificates (ca_digest) */
	struct tlstund_trust_policy trust;
	const struct tlstund_transport_ops *t;
	void *tctx;
	struct tlstund_kernel *k;
	int ifindex;
	struct tlstund_listener *listener;
	int sigfd;

	struct slot *slots[MAX_SLOTS];
	uint64_t next_id;
	uint64_t refusal_log_at;	/* when the next may be logged */
	unsigned int refusals_unlogged;
	uint64_t active;		/* slot id of the active session */
	uint64_t next_dial;		/* 0: not scheduled */
	unsigned int attempts;
	bool orphans_need_trust;	/* delete orphans if the peer fails */

	/* The SAs this daemon knows of, n_sas in use of cap_sas (sarecs.h);
	 * owner 0: an orphan, left by an ended session or a previous daemon.
	 */
	struct tlstund_sa_rec *sas;
	size_t n_sas, cap_sas;

	uint64_t watchdog_ms;
	uint64_t next_watchdog;
	bool stopping;
	bool stop_removes_sas;		/* SIGINT: the tunnel goes down too */
	struct tlstund_session_env env;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *addr_str(const struct sockaddr *sa, socklen_t len,
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

/* SA bookkeeping ------------------------------------------------------ */

static struct tlstund_sa_rec *sa_find(struct daemon *d, uint8_t dir,
				       uint32_t spi)
{
	return tlstund_sa_recs_find(d->sas, d->n_sas, dir, spi);
}

static void sa_forget(struct daemon *d, struct tlstund_sa_rec *r)
{
	*r = d->sas[--d->n_sas];
}

/* Room for the record of an SA about to be installed, made before it is:
 * an SA the daemon has no record of would never be removed. A new tx SA
 * takes the record of the tx SA it retires (env_add_sa).
 * Return: 0, -ENOSPC at TLSTUND_SA_RECS_MAX, or -ENOMEM.
 */
static int sa_reserve(struct daemon *d, uint8_t dir, uint32_t spi)
{
	size_t i;

	if (sa_find(d, dir, spi))
		return 0;
	for (i = 0; dir == TLSTUN_SA_DIR_TX && i < d->n_sas; i++)
		if (d->sas[i].dir == TLSTUN_SA_DIR_TX)
			return 0;
	return tlstund_sa_recs_reserve(&d->sas, &d->cap_sas, d->n_sas);
}

static int sa_remember(struct daemon *d, uint8_t dir, uint32_t spi,
		       uint64_t owner)
{
	struct tlstund_sa_rec *r = sa_find(d, dir, spi);
	int ret;

	if (!r) {
		ret = tlstund_sa_recs_reserve(&d->sas, &d->cap_sas, d->n_sas);
		if (ret)
			return ret;
		r = &d->sas[d->n_sas++];
	}
	r->dir = dir;
	r->spi = spi;
	r->owner = owner;
	r->delete_at = 0;
	return 0;
}

static void sa_delete(struct daemon *d, struct tlstund_sa_rec *r)
{
	char err[256];
	int ret;

	ret = tlstund_kernel_del_sa(d->k, d->ifindex, r->dir, r->spi, err,
				    sizeof(err));
	if (ret && ret != -ENOENT)
		log_warn("%s", err);
	else
		log_debug("removed %s SA spi 0x%08x",
			  r->dir == TLSTUN_SA_DIR_RX ? "rx" : "tx", r->spi);
	sa_forget(d, r);
}

static void orphans_delete_now(struct daemon *d, const char *why)
{
	size_t i = 0;

	if (d->n_sas)
		log_warn("removing every SA not backed by a session: %s", why);
	while (i < d->n_sas) {
		if (d->sas[i].owner == 0)
			sa_delete(d, &d->sas[i]);
		else
			i++;
	}
}

/* Session environment -------------------------------------------------- */

static struct slot *slot_of(struct daemon *d, struct tlstund_session *s)
{
	int i;

	for (i = 0; i < MAX_SLOTS; i++)
		if (d->slots[i] && &d->slots[i]->session == s)
			return d->slots[i];
	return NULL;
}

static int env_export(void *arg, struct tlstund_session *s,
		      const uint8_t *context, size_t ctxlen, uint8_t *out,
		      size_t outlen)
{
	struct daemon *d = arg;
	struct slot *sl = slot_of(d, s);

	if (!sl)
		return -ENOENT;
	return d->t->export(sl->conn, TLSTUND_EXPORTER_LABEL, context, ctxlen,
			    out, outlen);
}

static int env_add_sa(void *arg, struct tlstund_session *s,
		      const struct tlstund_sa_params *p, char *err,
		      size_t errlen)
{
	struct daemon *d = arg;
	struct slot *sl = slot_of(d, s);
	size_t i;
	int ret;

	ret = sa_reserve(d, p->dir, p->spi);
	if (ret) {
		snprintf(err, errlen, "%s SA spi 0x%08x not installed: %s",
			 p->dir == TLSTUN_SA_DIR_RX ? "rx" : "tx", p->spi,
			 ret == -ENOSPC ?
			 "tlstund keeps track of no more SAs on a device than the kernel's limit" :
			 "out of memory");
		return ret;
	}
	ret = tlstund_kernel_add_sa(d->k, d->ifindex, p, err, errlen);
	if (ret)
		return ret;
	/* A new tx SA retires the device's previous one in the kernel. */
	if (p->dir == TLSTUN_SA_DIR_TX) {
		for (i = 0; i < d->n_sas;) {
			if (d->sas[i].dir == TLSTUN_SA_DIR_TX)
				sa_forget(d, &d->sas[i]);
			else
				i++;
		}
	}
	/* Cannot fail: sa_reserve() made room. */
	return sa_remember(d, p->dir, p->spi, sl ? sl->id : 0);
}

static void env_del_sa(void *arg, struct tlstund_session *s, uint8_t dir,
		       uint32_t spi)
{
	struct daemon *d = arg;
	struct tlstund_sa_rec *r = sa_find(d, dir, spi);

	(void)s;
	if (r)
		sa_delete(d, r);
}

static void notify_status(struct daemon *d, const char *status)
{
	(void)d;
	sd_notifyf(0, "STATUS=%s", status);
}

static void env_generation(void *arg, struct tlstund_session *s, uint32_t gen)
{
	struct daemon *d = arg;
	struct slot *sl = slot_of(d, s);
	uint64_t now = now_ms();
	char status[256];
	size_t i;

	if (!sl || gen != 1)
		return;
	log_info("tunnel up with %s (rx SPI 0x%08x, tx SPI 0x%08x)", s->peer,
		 s->rx_cur, s->tx_cur);
	snprintf(status, sizeof(status), "tunnel up with %s", s->peer);
	notify_status(d, status);
	d->orphans_need_trust = false;
	/* Everything the new session does not own goes after the grace, by
	 * which time the peer sends under the new SAs.
	 */
	for (i = 0; i < d->n_sas; i++) {
		if (d->sas[i].owner != sl->id) {
			d->sas[i].owner = 0;
			d->sas[i].delete_at = now +
				(uint64_t)d->cfg.rekey_grace * 1000;
		}
	}
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

static void slot_free(struct daemon *d, struct slot *sl, uint64_t now);

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
		slot_free(d, oldest_host, now);
	} else if (n >= MAX_UNAUTH) {
		log_refusal(d, now, "too many unauthenticated connections; closing the oldest for one from",
			    addr);
		slot_free(d, oldest, now);
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
	addr_str(from, len, addr, sizeof(addr));
	unauth_make_room(d, from, addr, now);
	return slot_alloc(d, c, false, now);
}

static struct slot *slot_by_id(struct daemon *d, uint64_t id)
{
	int i;

	for (i = 0; id && i < MAX_SLOTS; i++)
		if (d->slots[i] && d->slots[i]->id == id)
			return d->slots[i];
	return NULL;
}

static void schedule_dial(struct daemon *d, uint64_t now, bool at_once)
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

static bool have_session(struct daemon *d)
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
static void slot_free(struct daemon *d, struct slot *sl, uint64_t now)
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
		notify_status(d, "no session; tunnel runs on its last SAs");
		if (was_up && now - sl->session.up_at >= TLSTUND_BACKOFF_RESET_MS)
			d->attempts = 0;
	}
	free(sl);
	if (!have_session(d) && !d->next_dial)
		schedule_dial(d, now, false);
}

static void slot_close(struct daemon *d, struct slot *sl, uint16_t reason,
		       const char *text, uint64_t now)
{
	if (!sl->established) {
		slot_free(d, sl, now);
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
	addr_str(pa, plen, addr, sizeof(addr));
	snprintf(label, sizeof(label), "%s %s", d->cfg.peer_name,
		 peer->identity);
	log_info("%s %s: handshake complete, peer %s%s%s", sl->dialed ?
		 "dialed" : "accepted", addr, peer->identity,
		 d->t->ktls_tx(sl->conn) ? ", kTLS tx on" : ", kTLS tx off",
		 d->t->ktls_rx(sl->conn) ? ", kTLS rx on" : "");
	sl->established = true;
	sl->deadline = 0;
	tlstund_session_start(&sl->session, &d->cfg, &d->env, sl->dialed,
			      d->identity.spki_sha256, peer->spki_sha256,
			      label, now);
	if (sl->session.state == TLSTUND_SESSION_CLOSED)
		return;

	/* Two sessions for one tunnel: keep exactly the one both ends keep. */
	old = slot_by_id(d, d->active);
	if (old && old != sl) {
		if (tlstund_negotiate_keep_new(d->identity.spki_sha256,
					       peer->spki_sha256, old->dialed,
					       sl->dialed) > 0) {
			slot_close(d, old, TLSTUND_CLOSE_DUPLICATE,
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

static void handshake_failed(struct daemon *d, struct slot *sl, uint64_t now)
{
	const struct tlstund_trust_result *peer = d->t->peer(sl->conn);

	log_warn("%s", d->t->error(sl->conn));
	/* After a reload changed who is trusted, a peer that now fails
	 * verification must not keep its old SAs either: fail closed.
	 */
	if (d->orphans_need_trust && peer &&
	    peer->verdict != TLSTUND_TRUST_OK)
		orphans_delete_now(d, "the peer is no longer trusted");
	slot_free(d, sl, now);
}

static void dial(struct daemon *d, uint64_t now)
{
	struct tlstund_conn *c;
	struct slot *sl;
	char err[256], addr[80];

	d->next_dial = 0;
	addr_str((const struct sockaddr *)&d->cfg.endpoint.ss,
		 d->cfg.endpoint.len, addr, sizeof(addr));
	c = d->t->dial(d->tctx, (const struct sockaddr *)&d->cfg.endpoint.ss,
		       d->cfg.endpoint.len, err, sizeof(err));
	if (!c) {
		log_warn("dialing %s: %s", addr, err);
		schedule_dial(d, now, false);
		return;
	}
	sl = slot_new(d, c, true, now);
	if (!sl) {
		d->t->close(c);
		schedule_dial(d, now, false);
		return;
	}
	log_debug("dialing %s", addr);
}

static void accept_all(struct daemon *d, uint64_t now)
{
	struct tlstund_conn *c;
	char err[256];

	for (;;) {
		c = d->t->accept(d->listener, err, sizeof(err));
		if (!c) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept: %s", err);
			return;
		}
		/* Bounded: a flood of handshakes cannot starve the session. */
		if (!slot_new(d, c, false, now)) {
			const struct sockaddr *pa;
			socklen_t plen;
			char addr[80];

			pa = d->t->peer_addr(c, &plen);
			addr_str(pa, plen, addr, sizeof(addr));
			log_refusal(d, now, "too many connections at once; refusing one from",
				    addr);
			d->t->close(c);
		}
	}
}

static void flush(struct daemon *d, struct slot *sl)
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
static void service(struct daemon *d, struct slot *sl, uint64_t now)
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
			flush(d, sl);
			slot_free(d, sl, now);
			return;
		}
		tlstund_session_input(&sl->session, buf, n, now);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	flush(d, sl);
	if (sl->session.state == TLSTUND_SESSION_CLOSED) {
		if (!sl->session.out_len || sl->session.close_by_peer) {
			slot_free(d, sl, now);
			return;
		}
		if (!sl->deadline)
			sl->deadline = now + CLOSE_LINGER_MS;
	}
}

static void tick_slot(struct daemon *d, struct slot *sl, uint64_t now)
{
	struct tlstund_session *s = &sl->session;
	uint64_t age;

	if (sl->deadline && now >= sl->deadline) {
		if (!sl->established)
			log_warn("connection %" PRIu64 ": handshake timed out",
				 sl->id);
		slot_free(d, sl, now);
		return;
	}
	if (!sl->established)
		return;
	tlstund_session_tick(s, now);
	if (s->state == TLSTUND_SESSION_CLOSED) {
		flush(d, sl);
		if (!s->out_len)
			slot_free(d, sl, now);
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
		slot_close(d, sl, TLSTUND_CLOSE_NORMAL, "new handshake due",
			   now);
		if (sl->dialed)
			schedule_dial(d, now, true);
	}
	flush(d, sl);
}

static uint64_t slot_deadline(struct slot *sl, const struct daemon *d)
{
	uint64_t t = sl->deadline, s;

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

/* Kernel events --------------------------------------------------------- */

static void on_kernel_event(void *arg, const struct tlstund_kernel_event *ev)
{
	struct daemon *d = arg;
	struct slot *sl = slot_by_id(d, d->active);
	uint64_t now = now_ms();
	struct tlstund_sa_rec *r;

	if (ev->ifindex != d->ifindex)
		return;
	switch (ev->type) {
	case TLSTUND_EV_SOFT_EXPIRE:
		log_info("%s SA spi 0x%08x reached a soft limit",
			 ev->dir == TLSTUN_SA_DIR_RX ? "rx" : "tx", ev->spi);
		if (sl && sl->established)
			tlstund_session_rekey(&sl->session, now, "soft limit");
		break;
	case TLSTUND_EV_HARD_EXPIRE:
		log_warn("%s SA spi 0x%08x reached a hard limit and is gone",
			 ev->dir == TLSTUN_SA_DIR_RX ? "rx" : "tx", ev->spi);
		r = sa_find(d, ev->dir, ev->spi);
		if (r)
			sa_forget(d, r);
		if (sl && sl->established)
			tlstund_session_rekey(&sl->session, now, "hard limit");
		break;
	case TLSTUND_EV_ACQUIRE:
		log_debug("kernel has traffic but no usable tx SA");
		if (sl && sl->established)
			tlstund_session_rekey(&sl->session, now, "acquire");
		else if (!have_session(d) && !d->next_dial)
			schedule_dial(d, now, false);
		/* Else a dial is under way or due at the time the reconnect
		 * backoff set: the kernel asks once a second for as long as
		 * traffic comes, and that must not turn the backoff into a
		 * dial a second.
		 */
		break;
	}
	if (sl)
		flush(d, sl);
}

/* Setup, reload, teardown -------------------------------------------------- */

/* What a configuration's files make: our identity, the trust anchors and
 * the transport context for new connections. A reload loads all of it
 * before it changes anything (creds_load) and then swaps it in whole
 * (creds_install): a file that parses but names a bad key, certificate or
 * CA bundle leaves the running configuration exactly as it was, so that
 * the next reload compares against what is really in force.
 */
struct creds {
	struct tlstund_identity identity;
	X509_STORE *ca;
	uint8_t ca_digest[32];		/* ca_digest(); zeros without a CA */
	void *tctx;
};

/* The policy @cfg describes, over @ca, for a node holding @id; its
 * strings point into @cfg.
 */
static void trust_policy_of(const struct tlstund_config *cfg, X509_STORE *ca,
			    const struct tlstund_identity *id,
			    struct tlstund_trust_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->kind = cfg->trust;
	pol->ca_store = ca;
	memcpy(pol->node_id, cfg->node_id, sizeof(pol->node_id));
	memcpy(pol->pin, cfg->pin, sizeof(pol->pin));
	pol->tofu_dir = cfg->tofu_dir;
	pol->peer_name = cfg->peer_name;
	/* A peer showing our own key is a reflected connection. */
	memcpy(pol->local_spki, id->spki_sha256, sizeof(pol->local_spki));
}

static int cmp_sha256(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* SHA-256 over the sorted SHA-256s of the certificates in @ca: what the
 * bundle trusts, whatever the order of the file, so that a reload can
 * tell a changed bundle from the same one read again.
 */
static int ca_digest(X509_STORE *ca, uint8_t out[32])
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(ca);
	int i, n = 0, total = sk_X509_OBJECT_num(objs);
	uint8_t (*certs)[32];
	unsigned int len;
	int ret = -EINVAL;

	certs = calloc(total > 0 ? total : 1, sizeof(*certs));
	if (!certs)
		return -ENOMEM;
	for (i = 0; i < total; i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (!x)
			continue;	/* a CRL: none are loaded */
		if (!X509_digest(x, EVP_sha256(), certs[n], &len))
			goto out;
		n++;
	}
	qsort(certs, n, sizeof(*certs), cmp_sha256);
	if (EVP_Digest(certs, (size_t)n * sizeof(*certs), out, NULL,
		       EVP_sha256(), NULL))
		ret = 0;
out:
	free(certs);
	return ret;
}

static void creds_free(const struct daemon *d, struct creds *cr)
{
	if (cr->tctx)
		d->t->ctx_free(cr->tctx);
	tlstund_identity_free(&cr->identity);
	if (cr->ca)
		X509_STORE_free(cr->ca);
	memset(cr, 0, sizeof(*cr));
}

/* Load everything @cfg names into @cr; on failure @cr is empty and @err
 * says why. Nothing of the running daemon changes.
 */
static int creds_load(const struct daemon *d, const struct tlstund_config *cfg,
		      struct creds *cr, char *err, size_t errlen)
{
	struct tlstund_trust_policy trust;
	struct tlstund_transport_cfg tcfg;

	memset(cr, 0, sizeof(*cr));
	if (tlstund_identity_load(&cr->identity, cfg->key_path,
				  cfg->cert_path, err, errlen))
		return -EINVAL;
	if (cfg->trust == TLSTUND_TRUST_CA) {
		cr->ca = tlstund_trust_load_ca(cfg->ca_path, err, errlen);
		if (!cr->ca)
			goto fail;
		if (ca_digest(cr->ca, cr->ca_digest)) {
			tlstund_identity_err(err, errlen, true,
					     "cannot digest CA bundle %s",
					     cfg->ca_path);
			goto fail;
		}
	}
	/* The context keeps its own copies of the policy and references to
	 * the key and certificates (tls.c): @cfg and @cr's identity may go.
	 */
	trust_policy_of(cfg, cr->ca, &cr->identity, &trust);
	tcfg.identity = &cr->identity;
	tcfg.trust = &trust;
	cr->tctx = d->t->ctx_new(&tcfg, err, errlen);
	if (!cr->tctx)
		goto fail;
	return 0;

fail:
	creds_free(d, cr);
	return -EINVAL;
}

/* Make @cr the running credentials (d->cfg is already the configuration
 * it came from) and free the ones it replaces. Live connections keep the
 * context they were made with.
 */
static void creds_install(struct daemon *d, struct creds *cr)
{
	struct creds old = {
		.identity = d->identity,
		.ca = d->ca,
		.tctx = d->tctx,
	};

	d->identity = cr->identity;
	d->ca = cr->ca;
	memcpy(d->ca_digest, cr->ca_digest, sizeof(d->ca_digest));
	d->tctx = cr->tctx;
	trust_policy_of(&d->cfg, d->ca, &d->identity, &d->trust);
	memset(cr, 0, sizeof(*cr));
	creds_free(d, &old);
}

/* Whether the policy changed, apart from the CA bundle's contents, which
 * the caller compares by digest (the same path may hold a new bundle, and
 * another path the same one).
 */
static bool trust_changed(const struct tlstund_config *a,
			  const struct tlstund_config *b)
{
	return a->trust != b->trust ||
	       memcmp(a->node_id, b->node_id, sizeof(a->node_id)) ||
	       memcmp(a->pin, b->pin, sizeof(a->pin)) ||
	       strcmp(a->tofu_dir, b->tofu_dir) ||
	       strcmp(a->peer_name, b->peer_name);
}

/* SHA-256 over the DER of the certificate and its chain: what the peer
 * is shown. A renewed certificate at the same path changes it.
 */
static void identity_digest(const struct tlstund_identity *id,
			    uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int i, n, last = id->chain ? sk_X509_num(id->chain) : 0;

	memset(out, 0, 32);
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto out;
	for (i = -1; i < last; i++) {
		X509 *x = i < 0 ? id->cert : sk_X509_value(id->chain, i);
		unsigned char *der = NULL;

		n = x ? i2d_X509(x, &der) : 0;
		if (n > 0)
			EVP_DigestUpdate(md, der, n);
		OPENSSL_free(der);
	}
	EVP_DigestFinal_ex(md, out, NULL);
out:
	EVP_MD_CTX_free(md);
}

static void reload_refused(const char *why)
{
	log_err("reload failed, keeping the running configuration: %s", why);
}

/* Fail closed at once after the policy changed: every live session whose
 * peer the new policy rejects ends now, and with it every SA (one tunnel,
 * one peer), not at the next handshake.
 */
static void reverify_sessions(struct daemon *d, uint64_t now)
{
	struct tlstund_trust_result res;
	bool revoked = false;
	int i;

	for (i = 0; i < MAX_SLOTS; i++) {
		struct slot *sl = d->slots[i];

		if (!sl || !sl->established ||
		    sl->session.state == TLSTUND_SESSION_CLOSED)
			continue;
		memset(&res, 0, sizeof(res));
		if (!d->t->reverify(sl->conn, &d->trust, &res) &&
		    res.verdict == TLSTUND_TRUST_OK)
			continue;
		log_warn("session with %s: the peer is no longer trusted: %s%s%s",
			 sl->session.peer, tlstund_trust_reason_str(res.verdict),
			 res.detail[0] ? ": " : "", res.detail);
		slot_close(d, sl, TLSTUND_CLOSE_POLICY, "no longer trusted",
			   now);
		revoked = true;
	}
	if (!revoked)
		return;
	while (d->n_sas)
		sa_delete(d, &d->sas[0]);
	notify_status(d, "peer no longer trusted; tunnel down");
	schedule_dial(d, now, true);
}

/* SIGHUP: all or nothing. Everything that can fail (the file, the key,
 * the certificates, the CA bundle, the transport context, the device's
 * parameters) is done before the running configuration changes; then it
 * is swapped whole and the live sessions are judged against it.
 */
static void reload(struct daemon *d, uint64_t now)
{
	uint8_t old_id[32], new_id[32];
	struct tlstund_config cfg;
	struct slot *sl;
	struct creds cr;
	char err[512];
	bool retrust, renegotiate, changed;
	int i;

	log_info("reloading %s", d->cfg.path);
	if (tlstund_config_load(d->cfg.path, &cfg, err, sizeof(err))) {
		reload_refused(err);
		return;
	}
	if (strcmp(cfg.ifname, d->cfg.ifname) ||
	    memcmp(&cfg.listen, &d->cfg.listen, sizeof(cfg.listen))) {
		reload_refused("the interface name and the listen address need a restart");
		return;
	}
	if (creds_load(d, &cfg, &cr, err, sizeof(err))) {
		reload_refused(err);
		return;
	}
	renegotiate = cfg.vni != d->cfg.vni || cfg.port != d->cfg.port ||
		      memcmp(cfg.suites, d->cfg.suites, sizeof(cfg.suites)) ||
		      strcmp(cfg.key_path, d->cfg.key_path) ||
		      strcmp(cfg.cert_path, d->cfg.cert_path);
	/* Accepted peers face the new credentials and policy from now on. */
	if (d->listener && d->t->listener_set_ctx(d->listener, cr.tctx)) {
		creds_free(d, &cr);
		reload_refused("out of memory");
		return;
	}
	if (renegotiate) {
		int ifindex;
		bool created;

		if (tlstund_kernel_ensure_device(d->k, &cfg, &ifindex,
						 &created, err, sizeof(err))) {
			if (d->listener &&
			    d->t->listener_set_ctx(d->listener, d->tctx))
				log_err("the listener keeps the new credentials: out of memory");
			creds_free(d, &cr);
			reload_refused(err);
			return;
		}
		d->ifindex = ifindex;
	}

	retrust = trust_changed(&cfg, &d->cfg) ||
		  memcmp(cr.ca_digest, d->ca_digest, sizeof(cr.ca_digest));
	identity_digest(&d->identity, old_id);
	identity_digest(&cr.identity, new_id);
	changed = retrust || renegotiate || memcmp(old_id, new_id, 32);

	/* Sessions hold pointers into d->cfg; everything they read from it
	 * beyond the negotiated parameters (timers, limits) may change.
	 */
	d->cfg = cfg;
	creds_install(d, &cr);
	if (retrust)
		reverify_sessions(d, now);

	/* A new handshake proves the new credentials and policy, and brings
	 * new keys; the running SAs carry traffic meanwhile. If the peer
	 * fails the new policy then, its old SAs go at once.
	 */
	sl = slot_by_id(d, d->active);
	if (changed && sl && sl->established &&
	    sl->session.state != TLSTUND_SESSION_CLOSED) {
		d->orphans_need_trust = retrust;
		slot_close(d, sl, TLSTUND_CLOSE_POLICY,
			   "configuration reloaded", now);
		schedule_dial(d, now, true);
	}
	/* Handshakes under way run with the old credentials and policy: they
	 * start over when those changed, and go on when nothing did, so that
	 * a storm of SIGHUPs cannot keep the tunnel from coming up.
	 */
	for (i = 0; changed && i < MAX_SLOTS; i++)
		if (d->slots[i] && !d->slots[i]->established)
			slot_free(d, d->slots[i], now);
	log_info("reloaded");
}

static int setup(struct daemon *d, char *err, size_t errlen)
{
	struct tlstund_sa_info *list;
	struct creds cr;
	bool created;
	size_t i, n = 0;
	int ret;

	d->t = &tlstund_tls_ops;
	d->env = (struct tlstund_session_env){
		.arg = d,
		.export = env_export,
		.add_sa = env_add_sa,
		.del_sa = env_del_sa,
		.generation = env_generation,
	};
	ret = creds_load(d, &d->cfg, &cr, err, errlen);
	if (ret)
		return ret;
	creds_install(d, &cr);
	ret = tlstund_kernel_open(&d->k, err, errlen);
	if (ret)
		return ret;
	ret = tlstund_kernel_ensure_device(d->k, &d->cfg, &d->ifindex,
					   &created, err, errlen);
	if (ret)
		return ret;
	if (created)
		log_info("created device %s", d->cfg.ifname);

	/* SAs already on the device come from a previous daemon: they carry
	 * traffic until this one's first session replaces them.
	 */
	list = calloc(TLSTUND_SA_RECS_MAX, sizeof(*list));
	if (!list)
		return -ENOMEM;
	ret = tlstund_kernel_list_sas(d->k, d->ifindex, list,
				      TLSTUND_SA_RECS_MAX, &n, err, errlen);
	for (i = 0; !ret && i < n; i++) {
		if (sa_remember(d, list[i].dir, list[i].spi, 0)) {
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
		}
	}
	free(list);
	if (ret)
		return ret;
	if (n)
		log_info("%zu SAs from before are kept until a new session is up",
			 n);

	if (d->cfg.listen.len) {
		d->listener = d->t->listen(d->tctx,
					   (const struct sockaddr *)&d->cfg.listen.ss,
					   d->cfg.listen.len, err, errlen);
		if (!d->listener)
			return -EADDRINUSE;
	}
	return 0;
}

static int signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void on_signal(struct daemon *d, uint64_t now)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		struct slot *sl = slot_by_id(d, d->active);

		if (si.ssi_signo == SIGHUP) {
			sd_notify(0, "RELOADING=1");
			reload(d, now);
			sd_notify(0, "READY=1");
		} else if (si.ssi_signo == SIGUSR1) {
			/* New SAs now, within the running session. */
			if (sl && sl->established) {
				tlstund_session_rekey(&sl->session, now,
						      "SIGUSR1");
				flush(d, sl);
			} else {
				log_info("SIGUSR1: no session to rekey");
			}
		} else if (si.ssi_signo == SIGUSR2) {
			/* A fresh TLS handshake now; the running SAs carry
			 * traffic until the new session replaces them.
			 */
			if (sl) {
				slot_close(d, sl, TLSTUND_CLOSE_NORMAL,
					   "new handshake requested", now);
				schedule_dial(d, now, true);
			} else {
				log_info("SIGUSR2: no session; dialing if possible");
				schedule_dial(d, now, true);
			}
		} else if (si.ssi_signo == SIGINT) {
			log_info("stopping on SIGINT: removing the SAs");
			d->stopping = true;
			d->stop_removes_sas = true;
		} else {
			log_info("stopping on SIGTERM: the SAs stay until a new daemon replaces them or they expire");
			d->stopping = true;
		}
	}
}

static void teardown(struct daemon *d)
{
	uint64_t now = now_ms();
	int i;

	sd_notify(0, "STOPPING=1");
	for (i = 0; i < MAX_SLOTS; i++) {
		struct slot *sl = d->slots[i];

		if (!sl)
			continue;
		if (sl->established) {
			tlstund_session_close(&sl->session,
					      TLSTUND_CLOSE_NORMAL,
					      "shutting down");
			flush(d, sl);
		}
		slot_free(d, sl, now);
	}
	/* SIGTERM, which systemd sends to stop and to restart, leaves the
	 * SAs in the kernel: they carry the tunnel until the next daemon's
	 * first session replaces them (setup adopts them as orphans), and
	 * end at their hard lifetime (hard-seconds, by default twice
	 * handshake-interval) when no daemon comes. The next daemon never
	 * sees their keys, which die with this process: it derives its own
	 * from a fresh handshake. SIGINT takes the tunnel down instead.
	 */
	while (d->stop_removes_sas && d->n_sas)
		sa_delete(d, &d->sas[0]);
	if (d->listener)
		d->t->listener_close(d->listener);
	if (d->tctx)
		d->t->ctx_free(d->tctx);
	tlstund_kernel_close(d->k);
	free(d->sas);
	tlstund_identity_free(&d->identity);
	if (d->ca)
		X509_STORE_free(d->ca);
	if (d->sigfd >= 0)
		close(d->sigfd);
}

/**
 * tlstund_daemon_run() - run one tunnel until SIGTERM or SIGINT
 * @cfg: the loaded configuration
 *
 * Return: the process exit status.
 */
int tlstund_daemon_run(const struct tlstund_config *cfg)
{
	struct pollfd pfd[MAX_SLOTS + 3];
	struct slot *owner[MAX_SLOTS + 3];
	struct daemon *d;
	char err[512];
	uint64_t usec;
	int ret, i, status = 0;

	d = calloc(1, sizeof(*d));
	if (!d)
		return 1;
	d->cfg = *cfg;
	d->sigfd = signals_open();
	if (d->sigfd < 0) {
		log_err("signalfd: %s", strerror(-d->sigfd));
		free(d);
		return 1;
	}
	ret = setup(d, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		teardown(d);
		free(d);
		return 1;
	}
	if (sd_watchdog_enabled(0, &usec) > 0)
		d->watchdog_ms = usec / 2000;
	schedule_dial(d, now_ms(), true);
	sd_notify(0, "READY=1\nSTATUS=waiting for the peer");
	log_info("running: device %s (ifindex %d), VNI %" PRIu32 ", %s%s",
		 d->cfg.ifname, d->ifindex, d->cfg.vni,
		 d->cfg.listen.len ? "listening" : "not listening",
		 d->cfg.endpoint.len ? ", dialing the peer" : "");

	while (!d->stopping) {
		uint64_t now = now_ms(), next = 0, t;
		int n = 0, timeout;

		if (d->next_dial && now >= d->next_dial && !have_session(d))
			dial(d, now);
		for (i = 0; i < MAX_SLOTS; i++)
			if (d->slots[i])
				tick_slot(d, d->slots[i], now);
		for (size_t j = 0; j < d->n_sas;) {
			if (d->sas[j].delete_at && now >= d->sas[j].delete_at)
				sa_delete(d, &d->sas[j]);
			else
				j++;
		}
		if (d->watchdog_ms && now >= d->next_watchdog) {
			sd_notify(0, "WATCHDOG=1");
			d->next_watchdog = now + d->watchdog_ms;
		}

		pfd[n] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
		owner[n++] = NULL;
		pfd[n] = (struct pollfd){ .fd = tlstund_kernel_event_fd(d->k),
					  .events = POLLIN };
		owner[n++] = NULL;
		if (d->listener) {
			pfd[n] = (struct pollfd){
				.fd = d->t->listener_fd(d->listener),
				.events = POLLIN };
			owner[n++] = NULL;
		}
		for (i = 0; i < MAX_SLOTS; i++) {
			struct slot *sl = d->slots[i];

			if (!sl)
				continue;
			pfd[n] = (struct pollfd){ .fd = d->t->fd(sl->conn),
						  .events = d->t->events(sl->conn) };
			if (sl->established && sl->session.out_len)
				pfd[n].events |= POLLOUT;
			owner[n++] = sl;
			t = slot_deadline(sl, d);
			if (t && (!next || t < next))
				next = t;
		}
		if (d->next_dial && !have_session(d) &&
		    (!next || d->next_dial < next))
			next = d->next_dial;
		for (size_t j = 0; j < d->n_sas; j++)
			if (d->sas[j].delete_at &&
			    (!next || d->sas[j].delete_at < next))
				next = d->sas[j].delete_at;
		if (d->watchdog_ms && (!next || d->next_watchdog < next))
			next = d->next_watchdog;

		timeout = !next ? -1 : next <= now ? 0 :
			  (int)((next - now) > 60000 ? 60000 : next - now);
		ret = poll(pfd, n, timeout);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			break;
		}
		now = now_ms();
		if (pfd[0].revents)
			on_signal(d, now);
		if (pfd[1].revents) {
			ret = tlstund_kernel_read_events(d->k, on_kernel_event,
							 d);
			if (ret == -ENOBUFS)
				log_warn("kernel events were lost; limits are rechecked at the next rekey");
			/* Ids that name nothing now: exit non-zero so that
			 * the service manager restarts us (tlstund(8)).
			 */
			if (ret == -ENODEV) {
				log_err("%s; exiting so that a restart sets the tunnel up again",
					tlstund_kernel_gone(d->k));
				status = 1;
				break;
			}
		}
		if (d->listener && pfd[2].revents)
			accept_all(d, now);
		for (i = 0; i < n; i++) {
			struct slot *sl = owner[i];
			int k;

			if (!sl || !pfd[i].revents)
				continue;
			/* Still there? An earlier one may have freed it. */
			for (k = 0; k < MAX_SLOTS && d->slots[k] != sl; k++)
				;
			if (k < MAX_SLOTS)
				service(d, sl, now);
		}
	}
	teardown(d);
	free(d);
	return status;
}
