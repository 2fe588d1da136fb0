// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund's SA bookkeeping: the records of the SAs on the device, the
 * environment sessions install and remove SAs through, and the kernel's
 * events about them (limits reached, traffic without a tx SA).
 *
 * Every SA on the device has a record before it is installed (sa_reserve),
 * owned by the session that installed it or by none (an orphan: left by an
 * ended session or a previous daemon), so that none is ever forgotten.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

#include <openssl/crypto.h>

/* SA bookkeeping ------------------------------------------------------ */

struct tlstund_sa_rec *tlstund_sas_find(struct daemon *d, uint8_t dir,
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

	if (tlstund_sas_find(d, dir, spi))
		return 0;
	for (i = 0; dir == TLSTUN_SA_DIR_TX && i < d->n_sas; i++)
		if (d->sas[i].dir == TLSTUN_SA_DIR_TX)
			return 0;
	return tlstund_sa_recs_reserve(&d->sas, &d->cap_sas, d->n_sas);
}

int tlstund_sas_remember(struct daemon *d, uint8_t dir, uint32_t spi,
			 uint64_t owner)
{
	struct tlstund_sa_rec *r = tlstund_sas_find(d, dir, spi);
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

void tlstund_sas_delete(struct daemon *d, struct tlstund_sa_rec *r)
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

void tlstund_sas_delete_orphans(struct daemon *d, const char *why)
{
	size_t i = 0;

	if (d->n_sas)
		log_warn("removing every SA not backed by a session: %s", why);
	while (i < d->n_sas) {
		if (d->sas[i].owner == 0)
			tlstund_sas_delete(d, &d->sas[i]);
		else
			i++;
	}
}

/* Session environment -------------------------------------------------- */

static int env_export(void *arg, struct tlstund_session *s,
		      const uint8_t *context, size_t ctxlen, uint8_t *out,
		      size_t outlen)
{
	struct daemon *d = arg;
	struct slot *sl = tlstund_slot_of(d, s);

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
	struct slot *sl = tlstund_slot_of(d, s);
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
	return tlstund_sas_remember(d, p->dir, p->spi, sl ? sl->id : 0);
}

static void env_del_sa(void *arg, struct tlstund_session *s, uint8_t dir,
		       uint32_t spi)
{
	struct daemon *d = arg;
	struct tlstund_sa_rec *r = tlstund_sas_find(d, dir, spi);

	(void)s;
	if (r)
		tlstund_sas_delete(d, r);
}

static void env_generation(void *arg, struct tlstund_session *s, uint32_t gen)
{
	struct daemon *d = arg;
	struct slot *sl = tlstund_slot_of(d, s);
	uint64_t now = now_ms();
	char status[256];
	size_t i;

	if (!sl || gen != 1)
		return;
	log_info("tunnel up with %s (rx SPI 0x%08x, tx SPI 0x%08x)", s->peer,
		 s->rx_cur, s->tx_cur);
	snprintf(status, sizeof(status), "tunnel up with %s", s->peer);
	tlstund_notify_status(status);
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

/**
 * tlstund_sas_env_init() - point the sessions' environment at @d
 * @d: the daemon
 */
void tlstund_sas_env_init(struct daemon *d)
{
	d->env = (struct tlstund_session_env){
		.arg = d,
		.export = env_export,
		.add_sa = env_add_sa,
		.del_sa = env_del_sa,
		.generation = env_generation,
	};
}

/* Kernel events --------------------------------------------------------- */

/**
 * tlstund_daemon_kernel_event() - act on an event from the kernel
 * @arg: the daemon
 * @ev: the event (limits reached on an SA, or traffic without a tx SA)
 */
void tlstund_daemon_kernel_event(void *arg,
				 const struct tlstund_kernel_event *ev)
{
	struct daemon *d = arg;
	struct slot *sl = tlstund_slot_by_id(d, d->active);
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
		r = tlstund_sas_find(d, ev->dir, ev->spi);
		if (r)
			sa_forget(d, r);
		if (sl && sl->established)
			tlstund_session_rekey(&sl->session, now, "hard limit");
		break;
	case TLSTUND_EV_ACQUIRE:
		log_debug("kernel has traffic but no usable tx SA");
		if (sl && sl->established)
			tlstund_session_rekey(&sl->session, now, "acquire");
		else if (!tlstund_have_session(d) && !d->next_dial)
			tlstund_dial_schedule(d, now, false);
		/* Else a dial is under way or due at the time the reconnect
		 * backoff set: the kernel asks once a second for as long as
		 * traffic comes, and that must not turn the backoff into a
		 * dial a second.
		 */
		break;
	}
	if (sl)
		tlstund_slot_flush(d, sl);
}
