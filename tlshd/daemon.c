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

#define MAX_SLOTS		8	/* connections at once, all states */
#define HANDSHAKE_TIMEOUT_MS	10000
#define CLOSE_LINGER_MS		1000	/* to flush a CLOSE before hanging up */
#define MAX_SA_RECS		TLSTUN_MAX_SAS

struct slot {
	uint64_t id;
	struct tlstund_conn *conn;
	void *tctx;			/* transport context it was made with */
	bool dialed;
	bool established;		/* handshake done, session started */
	uint64_t deadline;		/* handshake, or linger after CLOSE */
	struct tlstund_session session;
};

/* An SA this daemon knows of. owner 0: an orphan, left by an ended
 * session or a previous daemon.
 */
struct sa_rec {
	uint8_t dir;
	uint32_t spi;
	uint64_t owner;
	uint64_t delete_at;		/* 0: not scheduled */
};

struct daemon {
	struct tlstund_config cfg;
	struct tlstund_identity identity;
	X509_STORE *ca;
	struct tlstund_trust_policy trust;
	const struct tlstund_transport_ops *t;
	void *tctx;
	struct tlstund_kernel *k;
	int ifindex;
	struct tlstund_listener *listener;
	int sigfd;

	struct slot *slots[MAX_SLOTS];
	uint64_t next_id;
	uint64_t active;		/* slot id of the active session */
	uint64_t next_dial;		/* 0: not scheduled */
	unsigned int attempts;
	bool orphans_need_trust;	/* delete orphans if the peer fails */

	struct sa_rec sas[MAX_SA_RECS];
	size_t n_sas;

	uint64_t watchdog_ms;
	uint64_t next_watchdog;
	bool stopping;
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

static struct sa_rec *sa_find(struct daemon *d, uint8_t dir, uint32_t spi)
{
	size_t i;

	for (i = 0; i < d->n_sas; i++)
		if (d->sas[i].dir == dir && d->sas[i].spi == spi)
			return &d->sas[i];
	return NULL;
}

static void sa_forget(struct daemon *d, struct sa_rec *r)
{
	*r = d->sas[--d->n_sas];
}

static void sa_remember(struct daemon *d, uint8_t dir, uint32_t spi,
			uint64_t owner)
{
	struct sa_rec *r = sa_find(d, dir, spi);

	if (!r) {
		if (d->n_sas == MAX_SA_RECS)
			return;	/* the kernel refuses more anyway */
		r = &d->sas[d->n_sas++];
	}
	r->dir = dir;
	r->spi = spi;
	r->owner = owner;
	r->delete_at = 0;
}

static void sa_delete(struct daemon *d, struct sa_rec *r)
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
	sa_remember(d, p->dir, p->spi, sl ? sl->id : 0);
	return 0;
}

static void env_del_sa(void *arg, struct tlstund_session *s, uint8_t dir,
		       uint32_t spi)
{
	struct daemon *d = arg;
	struct sa_rec *r = sa_find(d, dir, spi);

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

static struct slot *slot_new(struct daemon *d, struct tlstund_conn *c,
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
			log_warn("too many connections at once; refusing one");
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
	struct sa_rec *r;

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
		else if (!have_session(d) && d->cfg.endpoint.len)
			schedule_dial(d, now, true);
		break;
	}
	if (sl)
		flush(d, sl);
}

/* Setup, reload, teardown -------------------------------------------------- */

/* Load everything a configuration names into @d's identity, trust and
 * transport context; on failure @d is unchanged.
 */
static int load_credentials(struct daemon *d, const struct tlstund_config *cfg,
			    char *err, size_t errlen)
{
	struct tlstund_identity id = { 0 };
	struct tlstund_trust_policy trust = { 0 };
	struct tlstund_transport_cfg tcfg;
	X509_STORE *ca = NULL;
	void *tctx;

	if (tlstund_identity_load(&id, cfg->key_path, cfg->cert_path, err,
				  errlen))
		return -EINVAL;
	if (cfg->trust == TLSTUND_TRUST_CA) {
		ca = tlstund_trust_load_ca(cfg->ca_path, err, errlen);
		if (!ca) {
			tlstund_identity_free(&id);
			return -EINVAL;
		}
	}
	/* The policy points into the daemon's own config copy. */
	trust.kind = cfg->trust;
	trust.ca_store = ca;
	memcpy(trust.node_id, cfg->node_id, sizeof(trust.node_id));
	memcpy(trust.pin, cfg->pin, sizeof(trust.pin));
	trust.tofu_dir = d->cfg.tofu_dir;
	trust.peer_name = d->cfg.peer_name;
	memcpy(trust.local_spki, id.spki_sha256, sizeof(trust.local_spki));

	/* The context keeps pointers to identity and trust: install them in
	 * @d first, then build it against @d's copies.
	 */
	tlstund_identity_free(&d->identity);
	d->identity = id;
	if (d->ca)
		X509_STORE_free(d->ca);
	d->ca = ca;
	d->trust = trust;
	tcfg.identity = &d->identity;
	tcfg.trust = &d->trust;
	tctx = d->t->ctx_new(&tcfg, err, errlen);
	if (!tctx)
		return -EINVAL;
	/* Accepted peers face the new credentials and policy too. */
	if (d->listener && d->t->listener_set_ctx(d->listener, tctx)) {
		d->t->ctx_free(tctx);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (d->tctx)
		d->t->ctx_free(d->tctx);
	d->tctx = tctx;
	return 0;
}

static bool trust_changed(const struct tlstund_config *a,
			  const struct tlstund_config *b)
{
	return a->trust != b->trust || strcmp(a->ca_path, b->ca_path) ||
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

static void reload(struct daemon *d, uint64_t now)
{
	uint8_t old_id[32], new_id[32];
	struct tlstund_config cfg;
	struct slot *sl = slot_by_id(d, d->active);
	char err[512];
	bool retrust, renegotiate;
	int i;

	log_info("reloading %s", d->cfg.path);
	if (tlstund_config_load(d->cfg.path, &cfg, err, sizeof(err))) {
		log_err("reload failed, keeping the running configuration: %s",
			err);
		return;
	}
	if (strcmp(cfg.ifname, d->cfg.ifname) ||
	    memcmp(&cfg.listen, &d->cfg.listen, sizeof(cfg.listen))) {
		log_err("reload failed: the interface name and the listen address need a restart");
		return;
	}
	retrust = trust_changed(&cfg, &d->cfg) ||
		  cfg.trust == TLSTUND_TRUST_CA;	/* the CA file may differ */
	renegotiate = cfg.vni != d->cfg.vni || cfg.port != d->cfg.port ||
		      memcmp(cfg.suites, d->cfg.suites, sizeof(cfg.suites)) ||
		      strcmp(cfg.key_path, d->cfg.key_path) ||
		      strcmp(cfg.cert_path, d->cfg.cert_path);

	/* Sessions hold pointers into d->cfg; everything they read from it
	 * beyond the negotiated parameters (timers, limits) may change.
	 */
	identity_digest(&d->identity, old_id);
	d->cfg = cfg;
	if (load_credentials(d, &d->cfg, err, sizeof(err))) {
		log_err("reload: %s; new connections keep failing until this is fixed",
			err);
		return;
	}
	identity_digest(&d->identity, new_id);
	if (renegotiate) {
		bool created;

		if (tlstund_kernel_ensure_device(d->k, &d->cfg, &d->ifindex,
						 &created, err, sizeof(err)))
			log_err("%s", err);
	}
	/* Fail closed at once: a peer the new policy rejects loses every SA
	 * now, not at its next handshake.
	 */
	if (sl && retrust && sl->established) {
		struct tlstund_trust_result res;

		if (d->t->reverify(sl->conn, &d->trust, &res) ||
		    res.verdict != TLSTUND_TRUST_OK) {
			log_warn("session with %s: the peer is no longer trusted: %s%s%s",
				 sl->session.peer,
				 tlstund_trust_reason_str(res.verdict),
				 res.detail[0] ? ": " : "", res.detail);
			slot_close(d, sl, TLSTUND_CLOSE_POLICY,
				   "no longer trusted", now);
			while (d->n_sas)
				sa_delete(d, &d->sas[0]);
			notify_status(d, "peer no longer trusted; tunnel down");
			schedule_dial(d, now, true);
			sl = NULL;
		}
	}
	/* A new handshake proves the new credentials and policy, and brings
	 * new keys; the running SAs carry traffic meanwhile. If the peer
	 * fails the new policy then, its old SAs go at once.
	 */
	if (sl && (retrust || renegotiate || memcmp(old_id, new_id, 32))) {
		d->orphans_need_trust = retrust;
		slot_close(d, sl, TLSTUND_CLOSE_POLICY,
			   "configuration reloaded", now);
		schedule_dial(d, now, true);
	}
	for (i = 0; i < MAX_SLOTS; i++)
		if (d->slots[i] && !d->slots[i]->established)
			slot_free(d, d->slots[i], now);
	log_info("reloaded");
}

static int setup(struct daemon *d, char *err, size_t errlen)
{
	struct tlstund_sa_info *list;
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
	ret = load_credentials(d, &d->cfg, err, errlen);
	if (ret)
		return ret;
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
	list = calloc(MAX_SA_RECS, sizeof(*list));
	if (!list)
		return -ENOMEM;
	ret = tlstund_kernel_list_sas(d->k, d->ifindex, list, MAX_SA_RECS, &n,
				      err, errlen);
	for (i = 0; !ret && i < n; i++)
		sa_remember(d, list[i].dir, list[i].spi, 0);
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
		} else {
			log_info("stopping on signal %u", si.ssi_signo);
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
	/* A stopped daemon takes its tunnel down: keys nobody will renew
	 * do not stay in the kernel.
	 */
	while (d->n_sas)
		sa_delete(d, &d->sas[0]);
	if (d->listener)
		d->t->listener_close(d->listener);
	if (d->tctx)
		d->t->ctx_free(d->tctx);
	tlstund_kernel_close(d->k);
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
