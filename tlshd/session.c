// SPDX-License-Identifier: GPL-2.0
/*
 * The control session state machine (Documentation/control-protocol.rst,
 * "Session sequence" and "Generations and rekeying").
 *
 * Keys: the root secret is the transport's exporter over a context that
 * binds the agreed protocol version and the VNI. Each side announces only
 * its own receive SPI; both derive every SA key locally (keysched.c), and
 * keys exist in this process only between derivation and the netlink
 * request that installs them, then are wiped.
 *
 * SAs outlive the session that installed them: when a session ends the
 * daemon leaves its SAs in place, so traffic keeps flowing until the next
 * session's first generation replaces them (make before break), and the
 * daemon then removes the leftovers. Within a session, the previous rx SA
 * stays for a grace period after the peer acknowledged the new one.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "session.h"

static void queue(struct tlstund_session *s, const struct tlstund_msg *msg);

static const char *role_name(enum tlstund_role r)
{
	return r == TLSTUND_ROLE_LOWER ? "lower" : "upper";
}

static void set_closed(struct tlstund_session *s, uint16_t reason,
		       bool by_peer, const char *text)
{
	s->state = TLSTUND_SESSION_CLOSED;
	s->close_reason = reason;
	s->close_by_peer = by_peer;
	snprintf(s->close_text, sizeof(s->close_text), "%s", text ? text : "");
	tlstund_keysched_wipe(&s->ks);
}

/**
 * tlstund_session_close() - send CLOSE and end the session
 * @s: the session
 * @reason: enum tlstund_close_reason
 * @text: a short printable reason for the peer's log, or NULL
 *
 * Idempotent: a closed session sends nothing more.
 */
void tlstund_session_close(struct tlstund_session *s, uint16_t reason,
			   const char *text)
{
	struct tlstund_msg msg = { .type = TLSTUND_MSG_CLOSE };
	size_t n = 0;

	if (s->state == TLSTUND_SESSION_CLOSED)
		return;
	msg.close.reason = reason;
	/* CLOSE text must be printable ASCII, at most TEXT_MAX bytes. */
	for (; text && text[n] && n < TLSTUND_PROTO_TEXT_MAX; n++)
		msg.close.text[n] = (text[n] >= 0x20 && text[n] < 0x7f) ?
				      text[n] : '?';
	msg.close.text_len = n;
	queue(s, &msg);
	log_info("session with %s: closing: %s%s%s", s->peer,
		 tlstund_proto_reason_name(reason), n ? ": " : "",
		 n ? msg.close.text : "");
	set_closed(s, reason, false, msg.close.text);
}

static void queue(struct tlstund_session *s, const struct tlstund_msg *msg)
{
	int n;

	if (s->state == TLSTUND_SESSION_CLOSED)
		return;
	n = tlstund_proto_encode(msg, s->out + s->out_len,
				 sizeof(s->out) - s->out_len);
	if (n < 0) {
		/* The peer stopped reading for long enough to fill 8 KiB
		 * of control frames; nothing good can come of waiting.
		 */
		log_err("session with %s: cannot queue %s: %s", s->peer,
			tlstund_proto_type_name(msg->type),
			n == -ENOSPC ? "send buffer full" : "encoding failed");
		set_closed(s, TLSTUND_CLOSE_INTERNAL, false,
			   "send buffer full");
		return;
	}
	s->out_len += n;
}

/**
 * tlstund_session_consume() - drop @n sent bytes from the output buffer
 * @s: the session
 * @n: bytes the transport took
 */
void tlstund_session_consume(struct tlstund_session *s, size_t n)
{
	if (n >= s->out_len) {
		s->out_len = 0;
		return;
	}
	memmove(s->out, s->out + n, s->out_len - n);
	s->out_len -= n;
}

static void local_hello(const struct tlstund_session *s,
			struct tlstund_msg_hello *h)
{
	unsigned int i, j;

	memset(h, 0, sizeof(*h));
	h->versions[0] = TLSTUND_PROTO_VERSION;
	h->n_versions = 1;
	/* The wire wants a strictly ascending list. */
	for (i = 0; i < s->cfg->n_suites; i++) {
		uint16_t v = s->cfg->suites[i];

		for (j = h->n_suites; j > 0 && h->suites[j - 1] > v; j--)
			h->suites[j] = h->suites[j - 1];
		h->suites[j] = v;
		h->n_suites++;
	}
	h->vni = s->cfg->vni;
	h->rekey_interval = s->cfg->rekey_interval;
}

static void send_hello(struct tlstund_session *s)
{
	struct tlstund_msg msg = { .type = TLSTUND_MSG_HELLO };

	local_hello(s, &msg.hello);
	queue(s, &msg);
}

/* The SA parameters every install shares: limits from [limits], with the
 * defaults that make the kernel ask for a rekey before a key wears out and
 * bound how long a session's leftovers can live.
 */
static void sa_params(const struct tlstund_session *s,
		      struct tlstund_sa_params *p, uint8_t dir, uint32_t spi,
		      const uint8_t *key)
{
	const struct tlstund_config *c = s->cfg;
	uint64_t hard = c->hard_packets ?: TLSTUN_SA_DEFAULT_HARD_PACKETS;

	memset(p, 0, sizeof(*p));
	p->dir = dir;
	p->spi = spi;
	p->suite = s->params.suite;
	p->key = key;
	p->keylen = tlstund_keysched_suite_keylen(s->params.suite);
	p->peer = s->peer;
	p->replay_window = c->replay_window;
	p->hard_packets = c->hard_packets;
	p->soft_packets = c->soft_packets;
	if (dir == TLSTUN_SA_DIR_TX && !p->soft_packets)
		p->soft_packets = hard / 4 * 3;
	p->soft_bytes = c->soft_bytes;
	p->hard_bytes = c->hard_bytes;
	p->soft_seconds = c->soft_seconds;
	p->hard_seconds = c->hard_seconds ?:
			  2 * (uint64_t)c->handshake_interval;
}

static int install(struct tlstund_session *s, uint8_t dir, uint32_t spi)
{
	uint8_t key[TLSTUND_SA_KEY_MAX];
	char fp[TLSTUND_FP_STRLEN], err[256] = "";
	struct tlstund_sa_params p;
	size_t keylen = tlstund_keysched_suite_keylen(s->params.suite);
	int ret;

	ret = tlstund_keysched_sa_key(&s->ks, spi, s->params.suite, key,
				      keylen);
	if (ret) {
		OPENSSL_cleanse(key, sizeof(key));
		log_err("session with %s: deriving the key of SPI 0x%08x failed: %s",
			s->peer, spi, strerror(-ret));
		return ret;
	}
	tlstund_keysched_fingerprint(key, keylen, fp);
	sa_params(s, &p, dir, spi, key);
	ret = s->env->add_sa(s->env->arg, s, &p, err, sizeof(err));
	OPENSSL_cleanse(key, sizeof(key));
	if (ret == 0)
		log_debug("session with %s: installed %s SA spi 0x%08x key %s",
			  s->peer, dir == TLSTUN_SA_DIR_RX ? "rx" : "tx", spi,
			  fp);
	else if (ret != -EEXIST)
		log_err("session with %s: %s", s->peer, err);
	return ret;
}

/*
 * Randomness for the SPI allocator: an off-path attacker who cannot guess
 * a live SPI cannot aim forgeries at it to fill its receive ring. Reads of
 * four bytes from getrandom() do not fail once the pool is ready.
 */
static int random_u32(uint32_t *v)
{
	return getrandom(v, sizeof(*v), 0) == sizeof(*v) ? 0 : -EIO;
}

static void start_generation(struct tlstund_session *s, uint32_t gen,
			     uint64_t now)
{
	struct tlstund_msg msg = { .type = TLSTUND_MSG_SA_OFFER };
	uint32_t spi = 0, rnd;
	int i, ret = -EEXIST;

	s->pending = gen;
	s->p_acked = false;
	s->p_tx_done = false;
	s->gen_at = now + TLSTUND_PROTO_OFFER_TIMEOUT_MS;
	/* At most two rx SAs per session: a new generation ends the grace
	 * of the one before the current.
	 */
	if (s->rx_old) {
		s->env->del_sa(s->env->arg, s, TLSTUN_SA_DIR_RX, s->rx_old);
		s->rx_old = 0;
	}
	/* -EEXIST: the SPI is live on the device (another session's, or one
	 * this session's peer left); take the next one.
	 */
	for (i = 0; i < TLSTUND_SESSION_SPI_TRIES && ret == -EEXIST; i++) {
		ret = random_u32(&rnd);
		if (!ret)
			ret = tlstund_spi_alloc_next(&s->alloc, rnd, &spi);
		if (ret)
			break;
		ret = install(s, TLSTUN_SA_DIR_RX, spi);
	}
	if (ret) {
		tlstund_session_close(s, ret == -ENOSPC || ret == -EEXIST ?
				      TLSTUND_CLOSE_INTERNAL :
				      TLSTUND_CLOSE_INSTALL,
				      ret == -EEXIST ? "no free rx SPI" :
				      "rx SA install failed");
		return;
	}
	s->p_rx_spi = spi;
	msg.sa_offer.generation = gen;
	msg.sa_offer.spi = spi;
	msg.sa_offer.suite = s->params.suite;
	queue(s, &msg);
}

static void check_complete(struct tlstund_session *s, uint64_t now)
{
	uint32_t gen = s->pending;

	if (!gen || !s->p_acked || !s->p_tx_done)
		return;
	if (s->rx_cur) {
		s->rx_old = s->rx_cur;
		s->rx_old_at = now + (uint64_t)s->cfg->rekey_grace * 1000;
	}
	s->rx_cur = s->p_rx_spi;
	s->current = gen;
	s->pending = 0;
	s->gen_at = 0;
	s->rekey_at = now + (uint64_t)s->params.rekey_interval * 1000;
	if (gen == 1)
		s->up_at = now;
	log_info("session with %s: generation %" PRIu32 " %s: rx SPI 0x%08x, tx SPI 0x%08x",
		 s->peer, gen, gen == 1 ? "up" : "rekeyed", s->rx_cur,
		 s->tx_cur);
	s->env->generation(s->env->arg, s, gen);
}

/* The peer's HELLO: agree, derive the key schedule, start generation 1. */
static int on_hello(struct tlstund_session *s, const struct tlstund_msg *m,
		    uint64_t now)
{
	uint8_t ctx[TLSTUND_EXPORTER_CONTEXT_LEN], root[TLSTUND_ROOT_LEN];
	struct tlstund_msg_hello mine;
	int ret;

	local_hello(s, &mine);
	ret = tlstund_negotiate_hello(&mine, &m->hello, &s->params);
	if (ret) {
		/* ret is the close reason itself */
		tlstund_session_close(s, ret, "HELLO not acceptable");
		return -EPROTO;
	}
	if (!s->dialer)
		send_hello(s);
	s->hello_at = 0;
	s->state = TLSTUND_SESSION_RUN;

	ret = tlstund_keysched_exporter_context(ctx, s->params.version,
						s->params.vni);
	if (!ret)
		ret = s->env->export(s->env->arg, s, ctx, sizeof(ctx), root,
				     sizeof(root));
	if (!ret)
		ret = tlstund_keysched_init(&s->ks, root);
	OPENSSL_cleanse(root, sizeof(root));
	if (ret) {
		log_err("session with %s: deriving the key schedule failed: %s",
			s->peer, strerror(-ret));
		tlstund_session_close(s, TLSTUND_CLOSE_INTERNAL,
				      "key schedule failed");
		return -EIO;
	}
	log_info("session with %s: agreed version %u, suite %s, VNI %" PRIu32 ", rekey every %" PRIu32 " s; role %s",
		 s->peer, s->params.version,
		 s->params.suite == TLSTUN_SUITE_AES_GCM_256 ? "aes-gcm-256" :
							       "aes-gcm-128",
		 s->params.vni, s->params.rekey_interval, role_name(s->role));
	start_generation(s, 1, now);
	return s->state == TLSTUND_SESSION_CLOSED ? -EIO : 0;
}

static int on_offer(struct tlstund_session *s, const struct tlstund_msg *m,
		    uint64_t now)
{
	const struct tlstund_msg_sa_offer *o = &m->sa_offer;
	struct tlstund_msg ack = { .type = TLSTUND_MSG_ACK };
	int ret;

	if (!s->pending || o->generation != s->pending || s->p_tx_done) {
		tlstund_session_close(s, TLSTUND_CLOSE_PROTOCOL,
				      "SA_OFFER for no pending generation");
		return -EPROTO;
	}
	if (tlstund_negotiate_offer(&s->params, o)) {
		tlstund_session_close(s, TLSTUND_CLOSE_SUITE,
				      "SA_OFFER with another suite");
		return -EPROTO;
	}
	/* Its role bit, non-zero, and above every SPI it offered before in
	 * this session: a repeated SPI would reinstall a key whose counter
	 * restarts.
	 */
	if (tlstund_spi_peer_accept(&s->peer_spis, o->spi)) {
		tlstund_session_close(s, TLSTUND_CLOSE_PROTOCOL,
				      "SA_OFFER with an unacceptable SPI");
		return -EPROTO;
	}
	ret = install(s, TLSTUN_SA_DIR_TX, o->spi);
	if (ret) {
		tlstund_session_close(s, TLSTUND_CLOSE_INSTALL,
				      "tx SA install failed");
		return -EIO;
	}
	s->tx_cur = o->spi;
	s->p_tx_done = true;
	ack.ack.generation = o->generation;
	ack.ack.spi = o->spi;
	queue(s, &ack);
	check_complete(s, now);
	return 0;
}

static int on_ack(struct tlstund_session *s, const struct tlstund_msg *m,
		  uint64_t now)
{
	if (!s->pending || m->ack.generation != s->pending || s->p_acked ||
	    m->ack.spi != s->p_rx_spi || !s->p_rx_spi) {
		tlstund_session_close(s, TLSTUND_CLOSE_PROTOCOL,
				      "ACK for nothing we offered");
		return -EPROTO;
	}
	s->p_acked = true;
	check_complete(s, now);
	return 0;
}

static int on_rekey(struct tlstund_session *s, const struct tlstund_msg *m,
		    uint64_t now)
{
	switch (tlstund_negotiate_rekey(s->current, s->pending,
					m->rekey.generation)) {
	case TLSTUND_REKEY_START:
		log_info("session with %s: peer asked for generation %" PRIu32,
			 s->peer, m->rekey.generation);
		start_generation(s, m->rekey.generation, now);
		return s->state == TLSTUND_SESSION_CLOSED ? -EIO : 0;
	case TLSTUND_REKEY_MERGE:
		return 0;
	default:
		tlstund_session_close(s, TLSTUND_CLOSE_PROTOCOL,
				      "REKEY for an unexpected generation");
		return -EPROTO;
	}
}

static int handle(struct tlstund_session *s, const struct tlstund_msg *m,
		  uint64_t now)
{
	struct tlstund_msg pong = { .type = TLSTUND_MSG_PONG };

	s->last_rx = now;
	if (m->type == TLSTUND_MSG_CLOSE) {
		log_info("session with %s: peer closed: %s%s%s", s->peer,
			 tlstund_proto_reason_name(m->close.reason),
			 m->close.text_len ? ": " : "",
			 m->close.text_len ? m->close.text : "");
		set_closed(s, m->close.reason, true, m->close.text);
		return -ECONNRESET;
	}
	if (s->state == TLSTUND_SESSION_HELLO) {
		if (m->type != TLSTUND_MSG_HELLO)
			goto unexpected;
		return on_hello(s, m, now);
	}
	switch (m->type) {
	case TLSTUND_MSG_SA_OFFER:
		return on_offer(s, m, now);
	case TLSTUND_MSG_ACK:
		return on_ack(s, m, now);
	case TLSTUND_MSG_REKEY:
		if (!s->current)
			goto unexpected;
		return on_rekey(s, m, now);
	case TLSTUND_MSG_PING:
		pong.ping.cookie = m->ping.cookie;
		queue(s, &pong);
		return 0;
	case TLSTUND_MSG_PONG:
		if (!s->ping_out || m->ping.cookie != s->ping_cookie)
			goto unexpected;
		s->ping_out = false;
		return 0;
	}
unexpected:
	log_warn("session with %s: unexpected %s", s->peer,
		 tlstund_proto_type_name(m->type));
	tlstund_session_close(s, TLSTUND_CLOSE_PROTOCOL, "unexpected frame");
	return -EPROTO;
}

/*
 * The master keys stay for the whole session: keep their pages out of core
 * dumps (MADV_DONTDUMP, for when dumps are forced despite PR_SET_DUMPABLE)
 * and out of swap (mlock). Best effort: mlock may exceed RLIMIT_MEMLOCK,
 * and the daemon is no less correct for it. The pages are never unlocked,
 * since mlock does not nest and a page may hold another session's keys;
 * the daemon reuses the same few session slots.
 */
static void protect_keys(struct tlstund_session *s)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)&s->ks & ~(page - 1);
	uintptr_t end = ((uintptr_t)(&s->ks + 1) + page - 1) & ~(page - 1);

	if (madvise((void *)start, end - start, MADV_DONTDUMP))
		log_debug("session with %s: madvise(MADV_DONTDUMP): %s",
			  s->peer, strerror(errno));
	if (mlock((void *)start, end - start))
		log_debug("session with %s: mlock: %s", s->peer,
			  strerror(errno));
}

/**
 * tlstund_session_start() - begin the protocol on an authenticated transport
 * @s: the session to initialise
 * @cfg: configuration (borrowed for the session's lifetime)
 * @env: environment (borrowed)
 * @dialer: whether we dialed; the dialer sends HELLO first
 * @local_spki: SHA-256 of our SubjectPublicKeyInfo
 * @peer_spki: SHA-256 of the peer's
 * @peer: the peer's verified identity, tagged on every SA
 * @now: milliseconds, monotonic
 *
 * Return: 0, or -EINVAL when both ends have the same key (the roles, and
 * so the SPI spaces, would collide), -EIO when getrandom() fails; the
 * session is then closed.
 */
int tlstund_session_start(struct tlstund_session *s,
			  const struct tlstund_config *cfg,
			  const struct tlstund_session_env *env, bool dialer,
			  const uint8_t local_spki[32],
			  const uint8_t peer_spki[32], const char *peer,
			  uint64_t now)
{
	uint32_t rnd;
	int role;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->env = env;
	s->dialer = dialer;
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	protect_keys(s);
	tlstund_proto_reader_init(&s->reader);
	s->last_rx = now;
	s->hello_at = now + TLSTUND_PROTO_HELLO_TIMEOUT_MS;
	s->state = TLSTUND_SESSION_HELLO;

	role = tlstund_negotiate_role(local_spki, peer_spki);
	if (role < 0) {
		tlstund_session_close(s, TLSTUND_CLOSE_POLICY,
				      "both ends use the same key");
		return -EINVAL;
	}
	s->role = role;
	if (random_u32(&rnd)) {
		tlstund_session_close(s, TLSTUND_CLOSE_INTERNAL,
				      "no randomness for SPIs");
		return -EIO;
	}
	tlstund_spi_alloc_init(&s->alloc, s->role, rnd);
	tlstund_spi_peer_init(&s->peer_spis, s->role == TLSTUND_ROLE_LOWER ?
			      TLSTUND_ROLE_UPPER : TLSTUND_ROLE_LOWER);
	if (dialer)
		send_hello(s);
	return 0;
}

/**
 * tlstund_session_input() - feed bytes received from the transport
 * @s: the session
 * @data: the bytes
 * @len: how many
 * @now: milliseconds
 *
 * Return: 0, or a negative errno once the session is closed (by a CLOSE,
 * a protocol error or a failed install); output may still be queued.
 */
int tlstund_session_input(struct tlstund_session *s, const uint8_t *data,
			  size_t len, uint64_t now)
{
	struct tlstund_msg msg;
	size_t used;
	int ret;

	while (len && s->state != TLSTUND_SESSION_CLOSED) {
		ret = tlstund_proto_reader_push(&s->reader, data, len, &used,
						&msg);
		data += used;
		len -= used;
		if (ret < 0) {
			log_warn("session with %s: malformed frame: %s",
				 s->peer, tlstund_proto_strerror(ret));
			tlstund_session_close(s, TLSTUND_CLOSE_PROTOCOL,
					      tlstund_proto_strerror(ret));
			return -EPROTO;
		}
		if (ret == 1) {
			ret = handle(s, &msg, now);
			if (ret)
				return ret;
		}
	}
	return s->state == TLSTUND_SESSION_CLOSED ? -EIO : 0;
}

/**
 * tlstund_session_eof() - the transport ended without a CLOSE
 * @s: the session
 * @now: milliseconds
 *
 * Return: -ECONNRESET; the session is closed.
 */
int tlstund_session_eof(struct tlstund_session *s, uint64_t now)
{
	(void)now;
	if (s->state != TLSTUND_SESSION_CLOSED) {
		log_info("session with %s: connection ended without CLOSE",
			 s->peer);
		set_closed(s, TLSTUND_CLOSE_TIMEOUT, true, "connection lost");
	}
	return -ECONNRESET;
}

/**
 * tlstund_session_ping() - probe the peer now (one PING outstanding at most)
 * @s: the session
 * @now: milliseconds
 *
 * Only once the peer's HELLO has arrived: a side still waiting for HELLO
 * takes any other frame as a protocol error, and until then the HELLO
 * timeout, not the keepalive, watches the peer.
 */
void tlstund_session_ping(struct tlstund_session *s, uint64_t now)
{
	struct tlstund_msg msg = { .type = TLSTUND_MSG_PING };

	(void)now;
	if (s->ping_out || s->state != TLSTUND_SESSION_RUN)
		return;
	if (RAND_bytes((unsigned char *)&s->ping_cookie,
		       sizeof(s->ping_cookie)) != 1)
		s->ping_cookie++;
	msg.ping.cookie = s->ping_cookie;
	s->ping_out = true;
	queue(s, &msg);
}

/**
 * tlstund_session_rekey() - ask for a new generation now
 * @s: the session
 * @now: milliseconds
 * @why: for the log
 *
 * Does nothing unless the tunnel is up and no generation is pending: a
 * pending one already brings new keys.
 *
 * Return: 0, or a negative errno if the session closed.
 */
int tlstund_session_rekey(struct tlstund_session *s, uint64_t now,
			  const char *why)
{
	struct tlstund_msg msg = { .type = TLSTUND_MSG_REKEY };

	if (!tlstund_session_up(s) || s->pending)
		return 0;
	if (s->current == UINT32_MAX) {
		tlstund_session_close(s, TLSTUND_CLOSE_INTERNAL,
				      "generations exhausted");
		return -ENOSPC;
	}
	log_info("session with %s: asking for generation %" PRIu32 " (%s)",
		 s->peer, s->current + 1, why);
	msg.rekey.generation = s->current + 1;
	queue(s, &msg);
	start_generation(s, s->current + 1, now);
	return s->state == TLSTUND_SESSION_CLOSED ? -EIO : 0;
}

/**
 * tlstund_session_tick() - run the session's timers
 * @s: the session
 * @now: milliseconds
 *
 * Return: 0, or a negative errno once the session is closed.
 */
int tlstund_session_tick(struct tlstund_session *s, uint64_t now)
{
	uint64_t idle = now - s->last_rx;

	if (s->state == TLSTUND_SESSION_CLOSED)
		return -EIO;
	if (s->hello_at && now >= s->hello_at) {
		tlstund_session_close(s, TLSTUND_CLOSE_TIMEOUT, "no HELLO");
		return -ETIMEDOUT;
	}
	if (s->gen_at && now >= s->gen_at) {
		tlstund_session_close(s, TLSTUND_CLOSE_TIMEOUT,
				      "generation not completed in time");
		return -ETIMEDOUT;
	}
	if (idle >= (uint64_t)s->cfg->dead_after * 1000) {
		tlstund_session_close(s, TLSTUND_CLOSE_TIMEOUT,
				      "peer silent");
		return -ETIMEDOUT;
	}
	if (idle >= (uint64_t)s->cfg->keepalive * 1000)
		tlstund_session_ping(s, now);
	if (s->rx_old && now >= s->rx_old_at) {
		s->env->del_sa(s->env->arg, s, TLSTUN_SA_DIR_RX, s->rx_old);
		s->rx_old = 0;
	}
	if (s->rekey_at && now >= s->rekey_at && !s->pending)
		return tlstund_session_rekey(s, now, "rekey interval");
	return 0;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/**
 * tlstund_session_deadline() - when tlstund_session_tick() is next due
 * @s: the session
 *
 * Return: milliseconds, or 0 when closed.
 */
uint64_t tlstund_session_deadline(const struct tlstund_session *s)
{
	uint64_t d = 0;

	if (s->state == TLSTUND_SESSION_CLOSED)
		return 0;
	d = earliest(d, s->hello_at);
	d = earliest(d, s->gen_at);
	d = earliest(d, s->rx_old ? s->rx_old_at : 0);
	d = earliest(d, s->pending ? 0 : s->rekey_at);
	d = earliest(d, s->last_rx + (uint64_t)s->cfg->dead_after * 1000);
	if (!s->ping_out && s->state == TLSTUND_SESSION_RUN)
		d = earliest(d, s->last_rx + (uint64_t)s->cfg->keepalive * 1000);
	return d;
}

/**
 * tlstund_session_wipe() - forget every secret of a session
 * @s: the session
 */
void tlstund_session_wipe(struct tlstund_session *s)
{
	tlstund_keysched_wipe(&s->ks);
	OPENSSL_cleanse(s, sizeof(*s));
}
