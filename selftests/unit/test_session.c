// SPDX-License-Identifier: GPL-2.0
/*
 * The control session state machine, two instances talking to each other
 * in memory. Each side's environment records the SAs it is asked to
 * install in a table standing in for its kernel, keys included, so the
 * tests can check what matters end to end: the two sides agree on every
 * key, rx and tx never share one, and no (SPI, key) pair is ever installed
 * twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "session.h"

#define MAX_SAS 64

struct fake_sa {
	uint8_t dir;
	uint32_t spi;
	uint8_t key[32];
	size_t keylen;
	bool live;
};

struct side {
	struct tlstund_session s;
	struct tlstund_config cfg;
	struct tlstund_session_env env;
	struct fake_sa sas[MAX_SAS];
	int n_sas;
	uint32_t last_gen;
	int eexist_left;	/* refuse this many rx installs with -EEXIST */
	uint32_t refused[8];	/* the rx SPIs so refused */
	int n_refused;
	int fail_tx;		/* refuse tx installs with this errno */
	uint8_t root[32];
	struct side *peer;
};

static int env_export(void *arg, struct tlstund_session *s,
		      const uint8_t *ctx, size_t ctxlen, uint8_t *out,
		      size_t outlen)
{
	struct side *d = arg;
	size_t i;

	(void)s;
	/* Both ends of one connection export the same bytes; the context
	 * (version, VNI) is mixed in as a real exporter would.
	 */
	for (i = 0; i < outlen; i++)
		out[i] = d->root[i % 32] ^ (i < ctxlen ? ctx[i] : 0);
	return 0;
}

static int env_add(void *arg, struct tlstund_session *s,
		   const struct tlstund_sa_params *p, char *err, size_t len)
{
	struct side *d = arg;
	struct fake_sa *sa;
	int i;

	(void)s;
	if (p->dir == TLSTUN_SA_DIR_RX && d->eexist_left > 0) {
		d->eexist_left--;
		assert_true(d->n_refused < 8);
		d->refused[d->n_refused++] = p->spi;
		snprintf(err, len, "SPI in use");
		return -EEXIST;
	}
	if (p->dir == TLSTUN_SA_DIR_TX && d->fail_tx) {
		snprintf(err, len, "refused");
		return -d->fail_tx;
	}
	/* The kernel's guards, restated: live rx SPIs are unique, tx and rx
	 * keys differ.
	 */
	for (i = 0; i < d->n_sas; i++) {
		if (!d->sas[i].live)
			continue;
		if (p->dir == TLSTUN_SA_DIR_RX && d->sas[i].dir == p->dir &&
		    d->sas[i].spi == p->spi)
			return -EEXIST;
		if (d->sas[i].dir != p->dir && d->sas[i].keylen == p->keylen &&
		    !memcmp(d->sas[i].key, p->key, p->keylen))
			return -EINVAL;
	}
	if (p->dir == TLSTUN_SA_DIR_TX)
		for (i = 0; i < d->n_sas; i++)
			if (d->sas[i].dir == TLSTUN_SA_DIR_TX)
				d->sas[i].live = false;
	assert_true(d->n_sas < MAX_SAS);
	sa = &d->sas[d->n_sas++];
	sa->dir = p->dir;
	sa->spi = p->spi;
	sa->keylen = p->keylen;
	memcpy(sa->key, p->key, p->keylen);
	sa->live = true;
	return 0;
}

static void env_del(void *arg, struct tlstund_session *s, uint8_t dir,
		    uint32_t spi)
{
	struct side *d = arg;
	int i;

	(void)s;
	for (i = 0; i < d->n_sas; i++)
		if (d->sas[i].live && d->sas[i].dir == dir &&
		    d->sas[i].spi == spi)
			d->sas[i].live = false;
}

static void env_gen(void *arg, struct tlstund_session *s, uint32_t gen)
{
	struct side *d = arg;

	(void)s;
	d->last_gen = gen;
}

static void cfg_init(struct tlstund_config *c, uint32_t vni)
{
	memset(c, 0, sizeof(*c));
	c->vni = vni;
	c->suites[0] = TLSTUN_SUITE_AES_GCM_256;
	c->suites[1] = TLSTUN_SUITE_AES_GCM_128;
	c->n_suites = 2;
	c->rekey_interval = 600;
	c->handshake_interval = 3600;
	c->rekey_grace = 5;
	c->keepalive = 15;
	c->dead_after = 45;
}

static void side_init(struct side *d, struct side *peer, uint32_t vni)
{
	memset(d, 0, sizeof(*d));
	cfg_init(&d->cfg, vni);
	d->env.arg = d;
	d->env.export = env_export;
	d->env.add_sa = env_add;
	d->env.del_sa = env_del;
	d->env.generation = env_gen;
	d->peer = peer;
	memset(d->root, 0x5a, sizeof(d->root));
}

static const uint8_t spki_a[32] = { 1 };
static const uint8_t spki_b[32] = { 2 };

/* Move queued bytes between the two sides until both are quiet. */
static void pump(struct side *a, struct side *b, uint64_t now)
{
	uint8_t buf[TLSTUND_SESSION_OUTBUF];
	bool moved = true;

	while (moved) {
		struct side *from, *to;
		int i;

		moved = false;
		for (i = 0; i < 2; i++) {
			from = i ? b : a;
			to = i ? a : b;
			if (!from->s.out_len)
				continue;
			size_t n = from->s.out_len;

			memcpy(buf, from->s.out, n);
			tlstund_session_consume(&from->s, n);
			if (to->s.state != TLSTUND_SESSION_CLOSED)
				tlstund_session_input(&to->s, buf, n, now);
			moved = true;
		}
	}
}

static void start_pair(struct side *a, struct side *b, uint64_t now)
{
	assert_int_equal(tlstund_session_start(&a->s, &a->cfg, &a->env, true,
					       spki_a, spki_b, "node:b", now),
			 0);
	assert_int_equal(tlstund_session_start(&b->s, &b->cfg, &b->env, false,
					       spki_b, spki_a, "node:a", now),
			 0);
	pump(a, b, now);
}

static struct fake_sa *live_sa(struct side *d, uint8_t dir, uint32_t spi)
{
	int i;

	for (i = 0; i < d->n_sas; i++)
		if (d->sas[i].live && d->sas[i].dir == dir &&
		    (!spi || d->sas[i].spi == spi))
			return &d->sas[i];
	return NULL;
}

/* Each side's tx SA is the other's current rx SA, with the same key. */
static void assert_paired(struct side *a, struct side *b)
{
	struct fake_sa *atx = live_sa(a, TLSTUN_SA_DIR_TX, 0);
	struct fake_sa *btx = live_sa(b, TLSTUN_SA_DIR_TX, 0);
	struct fake_sa *brx, *arx;

	assert_non_null(atx);
	assert_non_null(btx);
	brx = live_sa(b, TLSTUN_SA_DIR_RX, atx->spi);
	arx = live_sa(a, TLSTUN_SA_DIR_RX, btx->spi);
	assert_non_null(brx);
	assert_non_null(arx);
	assert_int_equal(atx->spi, b->s.rx_cur);
	assert_int_equal(btx->spi, a->s.rx_cur);
	assert_memory_equal(atx->key, brx->key, atx->keylen);
	assert_memory_equal(btx->key, arx->key, btx->keylen);
	assert_memory_not_equal(atx->key, arx->key, atx->keylen);
}

/* No (SPI, key) pair was ever installed twice, on either side. */
static void assert_no_reuse(struct side *d)
{
	int i, j;

	for (i = 0; i < d->n_sas; i++)
		for (j = i + 1; j < d->n_sas; j++)
			assert_false(d->sas[i].spi == d->sas[j].spi &&
				     !memcmp(d->sas[i].key, d->sas[j].key,
					     d->sas[i].keylen));
}

static void test_up(void **state)
{
	struct side a, b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	start_pair(&a, &b, 1000);
	assert_true(tlstund_session_up(&a.s));
	assert_true(tlstund_session_up(&b.s));
	assert_int_equal(a.last_gen, 1);
	assert_int_equal(b.last_gen, 1);
	assert_int_equal(a.s.params.suite, TLSTUN_SUITE_AES_GCM_256);
	assert_paired(&a, &b);
	/* Roles differ, and each rx SPI carries its owner's role bit. */
	assert_int_not_equal(a.s.role, b.s.role);
	assert_int_equal(a.s.rx_cur >> 30 & 1, a.s.role);
	assert_int_equal(b.s.rx_cur >> 30 & 1, b.s.role);
	assert_int_equal(live_sa(&a, TLSTUN_SA_DIR_TX, 0)->keylen, 32);
}

static void test_rekey_grace(void **state)
{
	struct side a, b;
	uint32_t old_a, old_b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	start_pair(&a, &b, 1000);
	old_a = a.s.rx_cur;
	old_b = b.s.rx_cur;
	assert_int_equal(tlstund_session_rekey(&a.s, 2000, "test"), 0);
	pump(&a, &b, 2000);
	assert_int_equal(a.last_gen, 2);
	assert_int_equal(b.last_gen, 2);
	assert_paired(&a, &b);
	assert_int_not_equal(a.s.rx_cur, old_a);
	/* Old rx SAs stay for the grace period, then go. */
	assert_non_null(live_sa(&a, TLSTUN_SA_DIR_RX, old_a));
	assert_non_null(live_sa(&b, TLSTUN_SA_DIR_RX, old_b));
	tlstund_session_tick(&a.s, 2000 + 4999);
	assert_non_null(live_sa(&a, TLSTUN_SA_DIR_RX, old_a));
	tlstund_session_tick(&a.s, 2000 + 5000);
	tlstund_session_tick(&b.s, 2000 + 5000);
	assert_null(live_sa(&a, TLSTUN_SA_DIR_RX, old_a));
	assert_null(live_sa(&b, TLSTUN_SA_DIR_RX, old_b));
	assert_no_reuse(&a);
	assert_no_reuse(&b);
}

static void test_rekey_timer_and_many(void **state)
{
	struct side a, b;
	uint64_t now = 1000;
	int i;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	a.cfg.rekey_interval = 60;
	start_pair(&a, &b, now);
	assert_int_equal(a.s.params.rekey_interval, 60);
	for (i = 0; i < 20 * 6; i++) {
		now += 10 * 1000;
		/* PINGs and PONGs keep both alive between rekeys. */
		tlstund_session_tick(&a.s, now);
		tlstund_session_tick(&b.s, now);
		pump(&a, &b, now);
	}
	assert_true(a.last_gen >= 20);
	assert_int_equal(a.last_gen, b.last_gen);
	assert_paired(&a, &b);
	assert_no_reuse(&a);
	assert_no_reuse(&b);
}

static void test_simultaneous_rekey(void **state)
{
	struct side a, b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	start_pair(&a, &b, 1000);
	/* Both ask before either hears the other. */
	assert_int_equal(tlstund_session_rekey(&a.s, 2000, "test"), 0);
	assert_int_equal(tlstund_session_rekey(&b.s, 2000, "test"), 0);
	pump(&a, &b, 2000);
	assert_int_equal(a.last_gen, 2);
	assert_int_equal(b.last_gen, 2);
	assert_int_equal(a.s.pending, 0);
	assert_paired(&a, &b);
}

static void test_vni_mismatch(void **state)
{
	struct side a, b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 8);
	start_pair(&a, &b, 1000);
	assert_int_equal(b.s.state, TLSTUND_SESSION_CLOSED);
	assert_int_equal(b.s.close_reason, TLSTUND_CLOSE_VNI);
	assert_int_equal(a.s.state, TLSTUND_SESSION_CLOSED);
	assert_true(a.s.close_by_peer);
	assert_int_equal(a.n_sas, 0);
	assert_int_equal(b.n_sas, 0);
}

static uint32_t ctr(uint32_t spi)
{
	return spi & TLSTUND_SPI_COUNTER_MASK;
}

static void test_spi_in_use_retries(void **state)
{
	struct side a, b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	a.eexist_left = 3;
	start_pair(&a, &b, 1000);
	assert_true(tlstund_session_up(&a.s));
	assert_paired(&a, &b);
	/* The fourth SPI the allocator gave out: above the three refused. */
	assert_int_equal(a.n_refused, 3);
	assert_true(ctr(a.refused[0]) < ctr(a.refused[1]));
	assert_true(ctr(a.refused[1]) < ctr(a.refused[2]));
	assert_true(ctr(a.refused[2]) < ctr(a.s.rx_cur));
}

/*
 * SPIs an off-path attacker cannot aim at: every session starts its
 * receive SPIs at a random counter and steps up by random gaps, inside
 * its role's half, never repeating within a session.
 */
static void test_spis_unpredictable(void **state)
{
	enum { SESSIONS = 16, GENS = 8 };
	uint32_t first[SESSIONS], spi[GENS], step, step0 = 0;
	bool steps_vary = false;
	struct side a, b;
	int i, j, g;

	(void)state;
	for (i = 0; i < SESSIONS; i++) {
		side_init(&a, &b, 7);
		side_init(&b, &a, 7);
		memset(a.root, i, 32);
		memset(b.root, i, 32);
		start_pair(&a, &b, 1000);
		assert_true(tlstund_session_up(&a.s));
		spi[0] = a.s.rx_cur;
		for (g = 1; g < GENS; g++) {
			assert_int_equal(tlstund_session_rekey(&a.s, 1000 + g,
							       "test"), 0);
			pump(&a, &b, 1000 + g);
			assert_int_equal(a.last_gen, g + 1);
			spi[g] = a.s.rx_cur;
		}
		for (g = 0; g < GENS; g++) {
			uint32_t c = ctr(spi[g]);

			assert_int_equal(spi[g] >> 30 & 1, a.s.role);
			assert_int_equal(spi[g] >> 31, g & 1);
			assert_true(c >= 1);
			if (!g)
				continue;
			/* Strictly increasing, by a gap that is not fixed. */
			assert_true(c > ctr(spi[g - 1]));
			step = c - ctr(spi[g - 1]);
			assert_true(step <= TLSTUND_SPI_STEP_SPAN);
			if (!step0)
				step0 = step;
			else if (step != step0)
				steps_vary = true;
		}
		assert_no_reuse(&a);
		assert_no_reuse(&b);
		first[i] = ctr(spi[0]);
		assert_true(first[i] <= TLSTUND_SPI_START_SPAN);
	}
	assert_true(steps_vary);
	/* Sixteen draws from 2^29 starts: a repeat has odds near 2^-22. */
	for (i = 0; i < SESSIONS; i++)
		for (j = i + 1; j < SESSIONS; j++)
			assert_int_not_equal(first[i], first[j]);
	/* Not a sequence either: the next start is not the last plus one. */
	for (i = 1; i < SESSIONS; i++)
		assert_int_not_equal(first[i], first[i - 1] + 1);
}

static void test_install_refused_closes(void **state)
{
	struct side a, b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	b.fail_tx = EINVAL;
	start_pair(&a, &b, 1000);
	assert_int_equal(b.s.state, TLSTUND_SESSION_CLOSED);
	assert_int_equal(b.s.close_reason, TLSTUND_CLOSE_INSTALL);
	assert_false(tlstund_session_up(&a.s));
}

static void test_liveness(void **state)
{
	struct side a, b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	start_pair(&a, &b, 1000);
	/* Quiet for the keepalive: a PING goes out, the PONG comes back. */
	tlstund_session_tick(&a.s, 1000 + 15000);
	assert_true(a.s.ping_out);
	pump(&a, &b, 1000 + 15000);
	assert_false(a.s.ping_out);
	/* Then silence: closed with "timeout" after dead-after. */
	tlstund_session_tick(&a.s, 1000 + 15000 + 44999);
	assert_int_equal(a.s.state, TLSTUND_SESSION_RUN);
	tlstund_session_tick(&a.s, 1000 + 15000 + 45000);
	assert_int_equal(a.s.state, TLSTUND_SESSION_CLOSED);
	assert_int_equal(a.s.close_reason, TLSTUND_CLOSE_TIMEOUT);
}

/*
 * A keepalive shorter than the handshake: neither side may PING before
 * it has the peer's HELLO, because a side still waiting for HELLO takes
 * any other frame as a protocol error.
 */
static void test_no_ping_before_hello(void **state)
{
	struct side a, b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	a.cfg.keepalive = 1;
	b.cfg.keepalive = 1;
	assert_int_equal(tlstund_session_start(&a.s, &a.cfg, &a.env, true,
					       spki_a, spki_b, "node:b", 0), 0);
	assert_int_equal(tlstund_session_start(&b.s, &b.cfg, &b.env, false,
					       spki_b, spki_a, "node:a", 0), 0);
	/* Nothing arrived yet; the keepalive has passed on both sides. */
	assert_int_equal(tlstund_session_deadline(&b.s),
			 TLSTUND_PROTO_HELLO_TIMEOUT_MS);
	assert_int_equal(tlstund_session_tick(&a.s, 1000), 0);
	assert_int_equal(tlstund_session_tick(&b.s, 1000), 0);
	tlstund_session_ping(&b.s, 1000);
	assert_false(a.s.ping_out);
	assert_false(b.s.ping_out);
	assert_int_equal(b.s.out_len, 0);
	pump(&a, &b, 1000);
	assert_true(tlstund_session_up(&a.s));
	assert_true(tlstund_session_up(&b.s));
	assert_paired(&a, &b);
	/* Once up, the keepalive runs. */
	tlstund_session_tick(&a.s, 2000);
	assert_true(a.s.ping_out);
}

static void test_hello_timeout(void **state)
{
	struct side a, b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	assert_int_equal(tlstund_session_start(&b.s, &b.cfg, &b.env, false,
					       spki_b, spki_a, "node:a", 0), 0);
	assert_int_equal(tlstund_session_deadline(&b.s),
			 TLSTUND_PROTO_HELLO_TIMEOUT_MS);
	tlstund_session_tick(&b.s, TLSTUND_PROTO_HELLO_TIMEOUT_MS);
	assert_int_equal(b.s.state, TLSTUND_SESSION_CLOSED);
	assert_int_equal(b.s.close_reason, TLSTUND_CLOSE_TIMEOUT);
}

static void inject(struct side *to, const struct tlstund_msg *m, uint64_t now)
{
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME];
	int n = tlstund_proto_encode(m, buf, sizeof(buf));

	assert_true(n > 0);
	tlstund_session_input(&to->s, buf, n, now);
}

static void test_replayed_offer_refused(void **state)
{
	struct tlstund_msg m = { .type = TLSTUND_MSG_REKEY };
	struct side a, b;
	uint32_t b_old_rx;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	start_pair(&a, &b, 1000);
	b_old_rx = b.s.rx_cur;
	/* Generation 2 asked for; then an offer that repeats the SPI of
	 * generation 1 (whose key a tx SA would restart a counter under).
	 */
	m.rekey.generation = 2;
	inject(&a, &m, 2000);
	assert_int_equal(a.s.pending, 2);
	memset(&m, 0, sizeof(m));
	m.type = TLSTUND_MSG_SA_OFFER;
	m.sa_offer.generation = 2;
	m.sa_offer.spi = b_old_rx;
	m.sa_offer.suite = TLSTUN_SUITE_AES_GCM_256;
	inject(&a, &m, 2000);
	assert_int_equal(a.s.state, TLSTUND_SESSION_CLOSED);
	assert_int_equal(a.s.close_reason, TLSTUND_CLOSE_PROTOCOL);
	assert_no_reuse(&a);
}

static void test_unexpected_frames(void **state)
{
	struct tlstund_msg m = { .type = TLSTUND_MSG_ACK };
	struct side a, b;

	(void)state;
	/* ACK while waiting for HELLO. */
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	assert_int_equal(tlstund_session_start(&b.s, &b.cfg, &b.env, false,
					       spki_b, spki_a, "node:a", 0), 0);
	m.ack.generation = 1;
	m.ack.spi = 0x40000001;
	inject(&b, &m, 1);
	assert_int_equal(b.s.close_reason, TLSTUND_CLOSE_PROTOCOL);

	/* REKEY before the tunnel is up. */
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	assert_int_equal(tlstund_session_start(&a.s, &a.cfg, &a.env, true,
					       spki_a, spki_b, "node:b", 0), 0);
	assert_int_equal(tlstund_session_start(&b.s, &b.cfg, &b.env, false,
					       spki_b, spki_a, "node:a", 0), 0);
	/* Deliver only A's HELLO, so B is in generation 1. */
	{
		uint8_t buf[TLSTUND_SESSION_OUTBUF];
		size_t n = a.s.out_len;

		memcpy(buf, a.s.out, n);
		tlstund_session_consume(&a.s, n);
		tlstund_session_input(&b.s, buf, n, 1);
	}
	memset(&m, 0, sizeof(m));
	m.type = TLSTUND_MSG_REKEY;
	m.rekey.generation = 2;
	inject(&b, &m, 2);
	assert_int_equal(b.s.state, TLSTUND_SESSION_CLOSED);
	assert_int_equal(b.s.close_reason, TLSTUND_CLOSE_PROTOCOL);

	/* Garbage bytes. */
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	start_pair(&a, &b, 0);
	tlstund_session_input(&a.s, (const uint8_t *)"\xff\x00\x00\x00", 4, 1);
	assert_int_equal(a.s.state, TLSTUND_SESSION_CLOSED);
	assert_int_equal(a.s.close_reason, TLSTUND_CLOSE_PROTOCOL);
}

static void test_same_key_refused(void **state)
{
	struct side a, b;

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	assert_int_equal(tlstund_session_start(&a.s, &a.cfg, &a.env, true,
					       spki_a, spki_a, "node:a", 0),
			 -EINVAL);
	assert_int_equal(a.s.state, TLSTUND_SESSION_CLOSED);
}

static void test_new_session_new_keys(void **state)
{
	struct side a, b;
	uint8_t first[32];

	(void)state;
	side_init(&a, &b, 7);
	side_init(&b, &a, 7);
	start_pair(&a, &b, 1000);
	memcpy(first, live_sa(&a, TLSTUN_SA_DIR_TX, 0)->key, 32);
	/* A second session (a new handshake: a new exporter secret) starts
	 * its SPIs over but never its keys.
	 */
	memset(a.root, 0x33, 32);
	memset(b.root, 0x33, 32);
	start_pair(&a, &b, 5000);
	assert_true(tlstund_session_up(&a.s));
	assert_memory_not_equal(first, live_sa(&a, TLSTUN_SA_DIR_TX, 0)->key,
				32);
	assert_no_reuse(&a);
	assert_no_reuse(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_up),
		cmocka_unit_test(test_rekey_grace),
		cmocka_unit_test(test_rekey_timer_and_many),
		cmocka_unit_test(test_simultaneous_rekey),
		cmocka_unit_test(test_vni_mismatch),
		cmocka_unit_test(test_spi_in_use_retries),
		cmocka_unit_test(test_spis_unpredictable),
		cmocka_unit_test(test_install_refused_closes),
		cmocka_unit_test(test_liveness),
		cmocka_unit_test(test_hello_timeout),
		cmocka_unit_test(test_no_ping_before_hello),
		cmocka_unit_test(test_replayed_offer_refused),
		cmocka_unit_test(test_unexpected_frames),
		cmocka_unit_test(test_same_key_refused),
		cmocka_unit_test(test_new_session_new_keys),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
