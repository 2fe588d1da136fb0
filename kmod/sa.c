// SPDX-License-Identifier: GPL-2.0
/*
 * Security associations: installation guards, removal, limits and events.
 *
 * Nonce safety. The nonce of a packet is SPI || counter and every install
 * starts a fresh counter at zero, so a (key, nonce) pair could only repeat if
 * a tx SA with the same SPI and key were installed twice. The guards refuse
 * that for the device's live tx SA, for its last TLSTUN_TX_HISTORY retired
 * ones, and for the last TLSTUN_PORT_TX_HISTORY tx SAs installed on any
 * device of its UDP port (two devices of a port may well face one peer).
 * They refuse a tx key equal to any rx key of the device and an rx key equal
 * to the live tx key or to one in either history (the peer seals under our
 * rx keys, with its own counters), and the counter stops one short of
 * wrapping. Beyond the histories' depths, and across module reloads and
 * reboots, the guarantee comes from the daemon, which derives every key
 * from a fresh TLS handshake (Documentation/key-schedule.rst).
 *
 * Keys are not kept: the transform holds its expanded key, and each SA
 * keeps only a salted SHA-256 fingerprint so the guards can compare keys.
 * netlink.c wipes every key attribute of the request once it is handled.
 *
 * Removal. A deleted, flushed or hard-expired SA is marked TLSTUN_SA_DEAD
 * before it is unpublished, so packets that already hold it (queued for
 * opening, or between lookup and sealing) are dropped rather than opened or
 * sealed after userspace was told it is gone. A tx SA replaced by a new one
 * is not dead: make-before-break lets its in-flight packets finish.
 */

#include <linux/netdevice.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "port.h"
#include "sa.h"

/* Secret per boot, so fingerprints say nothing about keys even to someone
 * who reads kernel memory after the SAs are gone.
 */
static u8 fp_salt[32] __ro_after_init;

static void key_fingerprint(u8 out[32], u8 suite, const u8 *key,
			    unsigned int len)
{
	struct sha256_state st;

	sha256_init(&st);
	sha256_update(&st, fp_salt, sizeof(fp_salt));
	sha256_update(&st, &suite, 1);
	sha256_update(&st, key, len);
	sha256_final(&st, out);
	memzero_explicit(&st, sizeof(st));
}

static void sa_free_work(struct work_struct *work)
{
	struct tlstun_sa *sa = container_of(to_rcu_work(work), struct tlstun_sa,
					    free_work);

	tlstun_crypt_destroy(&sa->crypt);
	percpu_ref_exit(&sa->ref);
	tlstun_peer_put(sa->peer);
	netdev_put(sa->tt->dev, &sa->dev_tracker);
	kfree_sensitive(sa);
}

/* The last packet under a removed SA is done. Readers may still hold a
 * pointer found under RCU and try to take a reference, which fails, so the
 * memory waits for a grace period.
 */
static void sa_release(struct percpu_ref *ref)
{
	struct tlstun_sa *sa = container_of(ref, struct tlstun_sa, ref);

	queue_rcu_work(tlstun_wq, &sa->free_work);
}

static void history_add(struct tlstun_tx_used *ring, unsigned int len,
			unsigned int *next, const struct tlstun_sa *sa)
{
	struct tlstun_tx_used *u = &ring[*next];

	u->spi = sa->spi;
	memcpy(u->key_fp, sa->key_fp, sizeof(u->key_fp));
	*next = (*next + 1) % len;
}

/* Whether @ring holds @fp, under @spi, or under any SPI when @spi is 0. */
static bool history_has(const struct tlstun_tx_used *ring, unsigned int len,
			u32 spi, const u8 *fp)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (ring[i].spi && (!spi || ring[i].spi == spi) &&
		    !crypto_memneq(ring[i].key_fp, fp, 32))
			return true;
	}
	return false;
}

static bool dev_history_has(struct tlstun_dev *tt, u32 spi, const u8 *fp)
{
	lockdep_assert_held(&tt->lock);
	return history_has(tt->tx_history, TLSTUN_TX_HISTORY, spi, fp);
}

static bool port_history_has(struct tlstun_port *port, u32 spi, const u8 *fp)
{
	bool has;

	spin_lock_bh(&port->lock);
	has = history_has(port->tx_history, TLSTUN_PORT_TX_HISTORY, spi, fp);
	spin_unlock_bh(&port->lock);
	return has;
}

/* Record tx SA @sa on @port unless the port already holds its SPI and key:
 * check and record in one go, since the other devices of the port install
 * under their own device locks.
 */
static int port_history_claim(struct tlstun_port *port, struct tlstun_sa *sa,
			      struct netlink_ext_ack *extack)
{
	int err = 0;

	spin_lock_bh(&port->lock);
	if (history_has(port->tx_history, TLSTUN_PORT_TX_HISTORY, sa->spi,
			sa->key_fp)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "this tx SPI and key were used on UDP port %u; reinstalling repeats nonces",
				   port->port);
		err = -EEXIST;
	} else {
		history_add(port->tx_history, TLSTUN_PORT_TX_HISTORY,
			    &port->tx_history_next, sa);
	}
	spin_unlock_bh(&port->lock);
	return err;
}

/* The SAs of @tt changed: for dumps of them and of the devices. */
static void sa_gen_bump(struct tlstun_dev *tt)
{
	lockdep_assert_held(&tt->lock);
	if (!++tt->sa_gen)
		tt->sa_gen = 1;
	tlstun_dev_changed(tt);
}

/* Unpublish @sa and drop the device's reference; the last packet under it
 * frees it. Packets already under a @dead SA are dropped, those under a
 * replaced tx SA finish.
 */
static void sa_remove(struct tlstun_dev *tt, struct tlstun_sa *sa, bool dead)
{
	lockdep_assert_held(&tt->lock);
	if (dead)
		set_bit(TLSTUN_SA_DEAD, &sa->flags);
	list_del(&sa->list);
	tt->n_sas--;
	sa->peer->n_sas--;
	sa_gen_bump(tt);
	if (sa->dir == TLSTUN_SA_DIR_RX) {
		tlstun_port_del_sa(rcu_dereference_protected(tt->port,
				   lockdep_is_held(&tt->lock)), sa);
	} else {
		if (rcu_access_pointer(sa->peer->tx_sa) == sa)
			RCU_INIT_POINTER(sa->peer->tx_sa, NULL);
		history_add(tt->tx_history, TLSTUN_TX_HISTORY,
			    &tt->tx_history_next, sa);
	}
	percpu_ref_kill(&sa->ref);
}

/**
 * tlstun_sa_find() - look up an SA of a device
 * @tt: the device
 * @peer_id: the peer it belongs to; TLSTUN_SA_ANY_PEER: any peer for an rx
 *	SA (an rx SPI names one SA of the port), peer 0 for a tx SA (tx
 *	SPIs are the peers' to choose, so two peers' may be equal)
 * @dir: enum tlstun_sa_dir
 * @spi: the SPI
 *
 * Context: tlstun_dev.lock held.
 * Return: the SA or NULL.
 */
struct tlstun_sa *tlstun_sa_find(struct tlstun_dev *tt, u64 peer_id, u8 dir,
				 u32 spi)
{
	struct tlstun_sa *sa;

	lockdep_assert_held(&tt->lock);
	if (peer_id == TLSTUN_SA_ANY_PEER && dir == TLSTUN_SA_DIR_TX)
		peer_id = 0;
	list_for_each_entry(sa, &tt->sas, list) {
		if (sa->dir == dir && sa->spi == spi &&
		    (peer_id == TLSTUN_SA_ANY_PEER || sa->peer->id == peer_id))
			return sa;
	}
	return NULL;
}

static int parse_lifetime(struct tlstun_sa_lifetime *lt, struct nlattr *nest,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TLSTUN_LIFETIME_MAX + 1];
	int err;

	memset(lt, 0, sizeof(*lt));
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, TLSTUN_LIFETIME_MAX, nest,
			       tlstun_lifetime_policy, extack);
	if (err)
		return err;
#define GET(f, a) (lt->f = tb[a] ? nla_get_u64(tb[a]) : 0)
	GET(soft_packets, TLSTUN_LIFETIME_SOFT_PACKETS);
	GET(hard_packets, TLSTUN_LIFETIME_HARD_PACKETS);
	GET(soft_bytes, TLSTUN_LIFETIME_SOFT_BYTES);
	GET(hard_bytes, TLSTUN_LIFETIME_HARD_BYTES);
	GET(soft_seconds, TLSTUN_LIFETIME_SOFT_SECONDS);
	GET(hard_seconds, TLSTUN_LIFETIME_HARD_SECONDS);
#undef GET
	/* The policy bounds seconds by TLSTUN_SA_MAX_SECONDS, so deadlines
	 * (boot-time seconds plus a limit) cannot wrap; see lifetime_work.
	 */
	if ((lt->hard_packets && lt->soft_packets > lt->hard_packets) ||
	    (lt->hard_bytes && lt->soft_bytes > lt->hard_bytes) ||
	    (lt->hard_seconds && lt->soft_seconds > lt->hard_seconds)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a soft limit is above its hard limit");
		return -EINVAL;
	}
	return 0;
}

/* The rx key of @sa must be none of the tx keys that sealed, or seal,
 * under this device's or port's counters.
 */
static int check_rx_key(struct tlstun_dev *tt, struct tlstun_port *port,
			struct tlstun_sa *sa, struct tlstun_sa *old_tx,
			struct netlink_ext_ack *extack)
{
	if (old_tx && !crypto_memneq(old_tx->key_fp, sa->key_fp, 32)) {
		NL_SET_ERR_MSG(extack, "the rx key must differ from the tx key");
		return -EINVAL;
	}
	if (dev_history_has(tt, 0, sa->key_fp)) {
		NL_SET_ERR_MSG(extack,
			       "the rx key must differ from the keys of retired tx SAs");
		return -EINVAL;
	}
	if (port_history_has(port, 0, sa->key_fp)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the rx key must differ from the keys of tx SAs installed on UDP port %u",
				   port->port);
		return -EINVAL;
	}
	return 0;
}

static int check_tx(struct tlstun_dev *tt, struct tlstun_sa *sa,
		    struct tlstun_sa *old_tx, struct netlink_ext_ack *extack)
{
	struct tlstun_sa *other;

	list_for_each_entry(other, &tt->sas, list) {
		if (other->dir == TLSTUN_SA_DIR_RX &&
		    !crypto_memneq(other->key_fp, sa->key_fp, 32)) {
			NL_SET_ERR_MSG_FMT(extack,
					   "the tx key must differ from the key of rx SA 0x%08x",
					   other->spi);
			return -EINVAL;
		}
	}
	if (old_tx && old_tx->spi == sa->spi &&
	    !crypto_memneq(old_tx->key_fp, sa->key_fp, 32)) {
		NL_SET_ERR_MSG(extack,
			       "this tx SA (same SPI and key) is live; reinstalling it would restart its counter and repeat nonces");
		return -EEXIST;
	}
	if (dev_history_has(tt, sa->spi, sa->key_fp)) {
		NL_SET_ERR_MSG(extack,
			       "this tx SPI and key were used before on this device; reinstalling them would repeat nonces");
		return -EEXIST;
	}
	return 0;
}

/* Check @sa against the device's and the port's SAs and publish it as an
 * SA of the peer @peer_id.
 */
static int sa_install(struct tlstun_dev *tt, u32 peer_id, struct tlstun_sa *sa,
		      struct netlink_ext_ack *extack)
{
	struct tlstun_peer *peer;
	struct tlstun_sa *old_tx;
	struct tlstun_port *port;
	bool replaces;
	int err;

	lockdep_assert_held(&tt->lock);
	if (tt->dead) {
		NL_SET_ERR_MSG(extack, "the device is being deleted");
		return -ENODEV;
	}
	peer = tlstun_peer_find(tt, peer_id, extack);
	if (!peer)
		return -ENOENT;
	/* Before the SA is published: the datapath reads it. */
	sa->peer = peer;
	old_tx = rcu_dereference_protected(peer->tx_sa,
					   lockdep_is_held(&tt->lock));
	/* The port changes only under this lock too. */
	port = rcu_dereference_protected(tt->port, lockdep_is_held(&tt->lock));
	/* A tx SA that replaces the live one leaves the counts as they are. */
	replaces = sa->dir == TLSTUN_SA_DIR_TX && old_tx;
	if (peer->n_sas >= TLSTUN_MAX_SAS && !replaces) {
		NL_SET_ERR_MSG_FMT(extack, "a peer holds at most %u SAs",
				   TLSTUN_MAX_SAS);
		return -ENOSPC;
	}
	if (tt->n_sas >= TLSTUN_MAX_DEV_SAS && !replaces) {
		NL_SET_ERR_MSG_FMT(extack, "a device holds at most %u SAs",
				   TLSTUN_MAX_DEV_SAS);
		return -ENOSPC;
	}
	if (sa->dir == TLSTUN_SA_DIR_RX &&
	    tlstun_sa_find(tt, TLSTUN_SA_ANY_PEER, sa->dir, sa->spi)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "an rx SA with SPI 0x%08x exists", sa->spi);
		return -EEXIST;
	}

	if (sa->dir == TLSTUN_SA_DIR_RX) {
		/* The peer seals under this key with counters we do not
		 * control; were it also a tx key of ours, nonces would
		 * collide.
		 */
		err = check_rx_key(tt, port, sa, old_tx, extack);
		if (err)
			return err;
		err = tlstun_port_add_sa(port, sa, extack);
		if (err)
			return err;
	} else {
		err = check_tx(tt, sa, old_tx, extack);
		if (err)
			return err;
		/* Last: nothing may fail once the port recorded the pair. */
		err = port_history_claim(port, sa, extack);
		if (err)
			return err;
		/* Make-before-break: the new SA takes over at once and the
		 * old one retires; packets already sealing under it finish.
		 */
		rcu_assign_pointer(peer->tx_sa, sa);
		if (old_tx)
			sa_remove(tt, old_tx, false);
	}
	tlstun_peer_hold(peer);
	list_add_tail(&sa->list, &tt->sas);
	tt->n_sas++;
	peer->n_sas++;
	sa_gen_bump(tt);
	if (sa->lt.soft_seconds || sa->lt.hard_seconds)
		tlstun_dev_kick_lifetime(tt);
	return 0;
}

/**
 * tlstun_sa_add() - create and install an SA from TLSTUN_SA_* attributes
 * @tt: the device
 * @peer_id: the peer it belongs to (0: the device's own)
 * @a: attributes parsed with tlstun_sa_policy
 * @extack: why it was refused
 *
 * Return: 0 or a negative errno; on error nothing changed.
 */
int tlstun_sa_add(struct tlstun_dev *tt, u32 peer_id, struct nlattr **a,
		  struct netlink_ext_ack *extack)
{
	unsigned int keylen;
	struct tlstun_sa *sa;
	int err;

	/* No SA flag is defined; the policy's mask refuses every bit. */
	if (!a[TLSTUN_SA_DIR] || !a[TLSTUN_SA_SPI] || !a[TLSTUN_SA_SUITE] ||
	    !a[TLSTUN_SA_KEY]) {
		NL_SET_ERR_MSG(extack,
			       "an SA needs dir, spi, suite and key");
		return -EINVAL;
	}

	/* A namespace's admin makes these: charge its memory cgroup. */
	sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);
	if (!sa)
		return -ENOMEM;
	sa->tt = tt;
	sa->dir = nla_get_u8(a[TLSTUN_SA_DIR]);
	sa->spi = nla_get_u32(a[TLSTUN_SA_SPI]);
	sa->suite = nla_get_u16(a[TLSTUN_SA_SUITE]);
	keylen = TLSTUN_SUITE_KEY_LEN(sa->suite);
	if (nla_len(a[TLSTUN_SA_KEY]) != keylen) {
		NL_SET_ERR_MSG_FMT(extack,
				       "the key of this suite is %u bytes, not %d",
				       keylen, nla_len(a[TLSTUN_SA_KEY]));
		err = -EINVAL;
		goto err_free;
	}
	if (sa->dir == TLSTUN_SA_DIR_TX && a[TLSTUN_SA_REPLAY_WINDOW]) {
		NL_SET_ERR_MSG_ATTR(extack, a[TLSTUN_SA_REPLAY_WINDOW],
				    "a replay window applies to rx SAs only");
		err = -EINVAL;
		goto err_free;
	}
	err = parse_lifetime(&sa->lt, a[TLSTUN_SA_LIFETIME], extack);
	if (err)
		goto err_free;
	if (a[TLSTUN_SA_PEER])
		nla_strscpy(sa->label, a[TLSTUN_SA_PEER], sizeof(sa->label));

	sa->tx_limit = sa->lt.hard_packets ?: TLSTUN_SA_DEFAULT_HARD_PACKETS;
	atomic64_set(&sa->counter, 0);
	sa->created = ktime_get_boottime_seconds();
	spin_lock_init(&sa->replay_lock);
	tlstun_replay_init(&sa->replay, a[TLSTUN_SA_REPLAY_WINDOW] ?
			   nla_get_u32(a[TLSTUN_SA_REPLAY_WINDOW]) :
			   TLSTUN_REPLAY_WINDOW_DEFAULT);
	INIT_RCU_WORK(&sa->free_work, sa_free_work);
	key_fingerprint(sa->key_fp, sa->suite, nla_data(a[TLSTUN_SA_KEY]),
			keylen);

	err = tlstun_crypt_init(&sa->crypt, sa->suite,
				nla_data(a[TLSTUN_SA_KEY]), keylen);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot set up gcm(aes)");
		goto err_free;
	}
	err = percpu_ref_init(&sa->ref, sa_release, 0, GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_crypt;
	netdev_hold(tt->dev, &sa->dev_tracker, GFP_KERNEL);

	mutex_lock(&tt->lock);
	err = sa_install(tt, peer_id, sa, extack);
	mutex_unlock(&tt->lock);
	if (err)
		goto err_put_dev;
	return 0;

err_put_dev:
	netdev_put(tt->dev, &sa->dev_tracker);
	percpu_ref_exit(&sa->ref);
err_crypt:
	tlstun_crypt_destroy(&sa->crypt);
err_free:
	kfree_sensitive(sa);
	return err;
}

/**
 * tlstun_sa_del() - remove one SA
 * @tt: the device
 * @peer_id: as for tlstun_sa_find()
 * @dir: enum tlstun_sa_dir
 * @spi: the SPI
 * @extack: why nothing was removed
 *
 * Return: 0 or -ENOENT.
 */
int tlstun_sa_del(struct tlstun_dev *tt, u64 peer_id, u8 dir, u32 spi,
		  struct netlink_ext_ack *extack)
{
	struct tlstun_sa *sa;
	int err = 0;

	mutex_lock(&tt->lock);
	sa = tlstun_sa_find(tt, peer_id, dir, spi);
	if (sa) {
		sa_remove(tt, sa, true);
	} else {
		NL_SET_ERR_MSG_FMT(extack, "no %s SA with SPI 0x%08x",
				       dir == TLSTUN_SA_DIR_RX ? "rx" : "tx",
				       spi);
		err = -ENOENT;
	}
	mutex_unlock(&tt->lock);
	return err;
}

/**
 * tlstun_sa_flush() - remove every SA of a device
 * @tt: the device
 *
 * Context: tlstun_dev.lock held.
 */
void tlstun_sa_flush(struct tlstun_dev *tt)
{
	struct tlstun_sa *sa, *tmp;

	lockdep_assert_held(&tt->lock);
	list_for_each_entry_safe(sa, tmp, &tt->sas, list)
		sa_remove(tt, sa, true);
}

/**
 * tlstun_sa_flush_peer() - remove every SA of one peer
 * @tt: the device
 * @peer: the peer
 *
 * Context: tlstun_dev.lock held.
 */
void tlstun_sa_flush_peer(struct tlstun_dev *tt, struct tlstun_peer *peer)
{
	struct tlstun_sa *sa, *tmp;

	lockdep_assert_held(&tt->lock);
	list_for_each_entry_safe(sa, tmp, &tt->sas, list)
		if (sa->peer == peer)
			sa_remove(tt, sa, true);
}

static void mark_soft(struct tlstun_sa *sa, u8 reason)
{
	if (test_bit(TLSTUN_SA_SOFT, &sa->flags))
		return;
	WRITE_ONCE(sa->soft_reason, reason);
	if (!test_and_set_bit(TLSTUN_SA_SOFT, &sa->flags))
		tlstun_dev_kick_lifetime(sa->tt);
}

static void mark_hard(struct tlstun_sa *sa, u8 reason)
{
	if (test_bit(TLSTUN_SA_HARD, &sa->flags))
		return;
	WRITE_ONCE(sa->hard_reason, reason);
	if (!test_and_set_bit(TLSTUN_SA_HARD, &sa->flags))
		tlstun_dev_kick_lifetime(sa->tt);
}

/**
 * tlstun_sa_tx_account() - take the next counter of a tx SA
 * @sa: the tx SA
 * @len: inner frame length to be sealed
 * @counter: the counter to seal under
 *
 * The counter is taken only while below the SA's limit, so it can neither
 * be reused nor wrap; a taken counter is never given out again even if the
 * packet is then dropped.
 *
 * Return: false when the SA is exhausted or dead and the packet must be
 * dropped.
 */
bool tlstun_sa_tx_account(struct tlstun_sa *sa, unsigned int len, u64 *counter)
{
	u64 c, bytes;

	if (unlikely(test_bit(TLSTUN_SA_HARD, &sa->flags) ||
		     test_bit(TLSTUN_SA_DEAD, &sa->flags)))
		return false;
	c = atomic64_fetch_add_unless(&sa->counter, 1, (s64)sa->tx_limit);
	if (unlikely(c == sa->tx_limit)) {
		mark_hard(sa, sa->tx_limit == TLSTUN_SA_MAX_PACKETS ?
			  TLSTUN_EXPIRE_COUNTER : TLSTUN_EXPIRE_PACKETS);
		return false;
	}
	bytes = atomic64_add_return(len, &sa->bytes);
	if (unlikely(sa->lt.hard_bytes && bytes > sa->lt.hard_bytes)) {
		mark_hard(sa, TLSTUN_EXPIRE_BYTES);
		return false;
	}
	atomic64_inc(&sa->packets);
	if (unlikely(c + 1 == sa->tx_limit))
		mark_hard(sa, sa->tx_limit == TLSTUN_SA_MAX_PACKETS ?
			  TLSTUN_EXPIRE_COUNTER : TLSTUN_EXPIRE_PACKETS);
	if (unlikely(sa->lt.soft_packets && c + 1 >= sa->lt.soft_packets))
		mark_soft(sa, TLSTUN_EXPIRE_PACKETS);
	if (unlikely(sa->lt.soft_bytes && bytes >= sa->lt.soft_bytes))
		mark_soft(sa, TLSTUN_EXPIRE_BYTES);
	*counter = c;
	return true;
}

/**
 * tlstun_sa_rx_account() - count an authentic, fresh packet against an rx SA
 * @sa: the rx SA
 * @len: inner frame length
 *
 * Return: false when the SA is past its hard limit and the packet must be
 * dropped.
 */
bool tlstun_sa_rx_account(struct tlstun_sa *sa, unsigned int len)
{
	u64 packets, bytes;

	if (unlikely(test_bit(TLSTUN_SA_HARD, &sa->flags)))
		return false;
	packets = atomic64_inc_return(&sa->packets);
	bytes = atomic64_add_return(len, &sa->bytes);
	if (unlikely(sa->lt.hard_packets && packets > sa->lt.hard_packets)) {
		mark_hard(sa, TLSTUN_EXPIRE_PACKETS);
		return false;
	}
	if (unlikely(sa->lt.hard_bytes && bytes > sa->lt.hard_bytes)) {
		mark_hard(sa, TLSTUN_EXPIRE_BYTES);
		return false;
	}
	if (unlikely(sa->lt.hard_packets && packets == sa->lt.hard_packets))
		mark_hard(sa, TLSTUN_EXPIRE_PACKETS);
	if (unlikely(sa->lt.soft_packets && packets >= sa->lt.soft_packets))
		mark_soft(sa, TLSTUN_EXPIRE_PACKETS);
	if (unlikely(sa->lt.soft_bytes && bytes >= sa->lt.soft_bytes))
		mark_soft(sa, TLSTUN_EXPIRE_BYTES);
	return true;
}

#define LIFETIME_STEP (24 * 60 * 60)	/* seconds */

static void send_acquire(struct tlstun_dev *tt, struct tlstun_peer *peer)
{
	if (test_and_clear_bit(TLSTUN_PEER_EV_ACQUIRE, &peer->events))
		tlstun_nl_notify_acquire(tt, peer,
					 READ_ONCE(peer->acquire_spi));
}

/* The acquire events the datapath asked for, one per peer at most. */
static void send_acquires(struct tlstun_dev *tt)
{
	struct tlstun_peer *peer;

	lockdep_assert_held(&tt->lock);
	send_acquire(tt, &tt->peer0);
	list_for_each_entry(peer, &tt->peers, list)
		send_acquire(tt, peer);
}

/**
 * tlstun_sa_lifetime_work() - send due events and retire expired SAs
 * @work: tlstun_dev.lifetime_work
 *
 * Time limits are checked here, packet and byte limits by the datapath,
 * which only flags the SA and kicks this work: events and removal need the
 * device lock and may sleep.
 */
void tlstun_sa_lifetime_work(struct work_struct *work)
{
	struct tlstun_dev *tt = container_of(to_delayed_work(work),
					     struct tlstun_dev, lifetime_work);
	u64 now = ktime_get_boottime_seconds(), next = U64_MAX, at;
	struct tlstun_sa *sa, *tmp;

	mutex_lock(&tt->lock);
	list_for_each_entry_safe(sa, tmp, &tt->sas, list) {
		u64 age = now - sa->created;

		if (sa->lt.soft_seconds && age >= sa->lt.soft_seconds)
			mark_soft(sa, TLSTUN_EXPIRE_SECONDS);
		if (sa->lt.hard_seconds && age >= sa->lt.hard_seconds)
			mark_hard(sa, TLSTUN_EXPIRE_SECONDS);
		if (test_bit(TLSTUN_SA_SOFT, &sa->flags) &&
		    !test_and_set_bit(TLSTUN_SA_SOFT_SENT, &sa->flags))
			tlstun_nl_notify_expire(tt, sa, false);
		if (test_bit(TLSTUN_SA_HARD, &sa->flags)) {
			tlstun_nl_notify_expire(tt, sa, true);
			sa_remove(tt, sa, true);
			continue;
		}
		/* A deadline that would not fit is never due. */
		if (sa->lt.soft_seconds &&
		    !test_bit(TLSTUN_SA_SOFT, &sa->flags) &&
		    !check_add_overflow(sa->created, sa->lt.soft_seconds, &at))
			next = min(next, at);
		if (sa->lt.hard_seconds &&
		    !check_add_overflow(sa->created, sa->lt.hard_seconds, &at))
			next = min(next, at);
	}
	send_acquires(tt);
	/* Far deadlines are approached in steps of at most a day, which
	 * keeps the delay in jiffies far from overflowing; the timer wheel
	 * would cut it short anyway.
	 */
	if (next != U64_MAX && !tt->dead)
		mod_delayed_work(tlstun_wq, &tt->lifetime_work,
				 (unsigned long)min_t(u64, next > now ?
						      next - now : 0,
						      LIFETIME_STEP) * HZ);
	mutex_unlock(&tt->lock);
}

/**
 * tlstun_sa_init() - draw the fingerprint salt
 *
 * Return: 0.
 */
int __init tlstun_sa_init(void)
{
	get_random_bytes(fp_salt, sizeof(fp_salt));
	return 0;
}
