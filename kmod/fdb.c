// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarding database of a device with peers: inner destination MAC ->
 * peer, as a VXLAN/Geneve FDB, so one device carries a whole L2 overlay.
 *
 * Trust. Entries are learned only from frames that authenticated under an
 * rx SA, and a frame opened under peer P's SA teaches only "this source MAC
 * is behind P". A static entry (added over netlink) is never moved by
 * learning, and a frame from another peer claiming a statically bound
 * source MAC is dropped and counted (TLSTUN_STATS_RX_MAC_STATIC): a peer
 * cannot make the others send it a statically bound MAC's frames, nor
 * speak for that MAC. Learned entries follow the MAC to whichever peer it
 * was last seen behind, as in a bridge. Learning is bounded per peer and
 * per device (hitting a bound is counted, the frame is still delivered),
 * and learned entries age out.
 *
 * Lookups are RCU reads of an rhashtable; every writer holds fdb.lock,
 * which learning takes in softirq, so process context takes it with BHs
 * off. A removed peer is marked dead under the lock before its entries go,
 * so a frame from it that is still being delivered cannot teach a new one.
 */

#include <linux/etherdevice.h>
#include <linux/rhashtable.h>
#include "device.h"
#include "fdb.h"
#include "netlink.h"
#include "peer.h"

static const struct rhashtable_params fdb_params = {
	.key_len = ETH_ALEN,
	.key_offset = offsetof(struct tlstun_fdb_entry, mac),
	.head_offset = offsetof(struct tlstun_fdb_entry, node),
	.automatic_shrinking = true,
};

#define FDB_GC_MAX_INTERVAL (10 * HZ)

static unsigned long gc_interval(struct tlstun_fdb *fdb)
{
	return clamp_t(unsigned long, (unsigned long)READ_ONCE(fdb->ageing) *
		       HZ / 4, HZ / 4, FDB_GC_MAX_INTERVAL);
}

static void fdb_changed(struct tlstun_fdb *fdb)
{
	lockdep_assert_held(&fdb->lock);
	if (!++fdb->gen)
		fdb->gen = 1;
}

/* Unlink @e and free it after a grace period; tell listeners unless @gfp
 * is 0 (the device is going away).
 */
static void entry_remove(struct tlstun_dev *tt, struct tlstun_fdb_entry *e,
			 gfp_t gfp)
{
	struct tlstun_fdb *fdb = &tt->fdb;
	struct tlstun_peer *peer = rcu_dereference_protected(e->peer,
				lockdep_is_held(&fdb->lock));

	lockdep_assert_held(&fdb->lock);
	rhashtable_remove_fast(&fdb->ht, &e->node, fdb_params);
	hlist_del_rcu(&e->list);
	hlist_del(&e->peer_node);
	fdb->n--;
	if (!e->is_static) {
		fdb->n_learned--;
		peer->fdb_learned--;
	}
	fdb_changed(fdb);
	if (gfp)
		tlstun_nl_notify_fdb(tt, e, peer, TLSTUN_CMD_DEL_FDB, gfp);
	kfree_rcu(e, rcu);
}

static void fdb_gc(struct work_struct *work)
{
	struct tlstun_fdb *fdb = container_of(to_delayed_work(work),
					      struct tlstun_fdb, gc);
	struct tlstun_dev *tt = container_of(fdb, struct tlstun_dev, fdb);
	unsigned long life = (unsigned long)READ_ONCE(fdb->ageing) * HZ;
	struct tlstun_fdb_entry *e;
	struct hlist_node *tmp;

	spin_lock_bh(&fdb->lock);
	hlist_for_each_entry_safe(e, tmp, &fdb->list, list) {
		if (!e->is_static &&
		    time_after(jiffies, READ_ONCE(e->updated) + life))
			entry_remove(tt, e, GFP_ATOMIC);
	}
	if (fdb->n_learned)
		queue_delayed_work(tlstun_wq, &fdb->gc, gc_interval(fdb));
	spin_unlock_bh(&fdb->lock);
}

/**
 * tlstun_fdb_init() - set up a device's FDB
 * @tt: the device
 *
 * Return: 0 or a negative errno.
 */
int tlstun_fdb_init(struct tlstun_dev *tt)
{
	struct tlstun_fdb *fdb = &tt->fdb;
	int err;

	err = rhashtable_init(&fdb->ht, &fdb_params);
	if (err)
		return err;
	INIT_HLIST_HEAD(&fdb->list);
	spin_lock_init(&fdb->lock);
	fdb->ageing = TLSTUN_FDB_AGEING_DEFAULT;
	fdb->gen = 1;
	INIT_DELAYED_WORK(&fdb->gc, fdb_gc);
	return 0;
}

/**
 * tlstun_fdb_uninit() - free a device's FDB
 * @tt: the device, which transmits and receives nothing any more
 *
 * Does nothing when called again.
 */
void tlstun_fdb_uninit(struct tlstun_dev *tt)
{
	struct tlstun_fdb *fdb = &tt->fdb;
	struct tlstun_fdb_entry *e;
	struct hlist_node *tmp;

	if (!fdb->gen)
		return;
	cancel_delayed_work_sync(&fdb->gc);
	spin_lock_bh(&fdb->lock);
	hlist_for_each_entry_safe(e, tmp, &fdb->list, list)
		entry_remove(tt, e, 0);
	spin_unlock_bh(&fdb->lock);
	rhashtable_destroy(&fdb->ht);
	fdb->gen = 0;
}

/**
 * tlstun_fdb_lookup() - the peer frames for a MAC address go to
 * @tt: the device
 * @mac: a unicast inner destination address
 *
 * Context: RCU read side.
 * Return: the peer, or NULL when the address is unknown.
 */
struct tlstun_peer *tlstun_fdb_lookup(struct tlstun_dev *tt, const u8 *mac)
{
	struct tlstun_fdb_entry *e;

	e = rhashtable_lookup(&tt->fdb.ht, mac, fdb_params);
	return e ? rcu_dereference(e->peer) : NULL;
}

/* Room to learn one more entry for @peer; counted when there is none. */
static bool may_learn(struct tlstun_dev *tt, struct tlstun_peer *peer)
{
	struct tlstun_fdb *fdb = &tt->fdb;

	if (fdb->n < TLSTUN_FDB_DEV_MAX &&
	    peer->fdb_learned < TLSTUN_FDB_PEER_LEARN_MAX)
		return true;
	tlstun_dev_drop(tt, TLSTUN_DROP_FDB_LEARN_FULL);
	return false;
}

/* Learn @mac behind @peer: a new entry. Called with fdb.lock held. */
static void learn_new(struct tlstun_dev *tt, struct tlstun_peer *peer,
		      const u8 *mac)
{
	struct tlstun_fdb *fdb = &tt->fdb;
	struct tlstun_fdb_entry *e;
	int err;

	if (!may_learn(tt, peer))
		return;
	e = kzalloc(sizeof(*e), GFP_ATOMIC);
	if (!e) {
		tlstun_dev_drop(tt, TLSTUN_DROP_FDB_LEARN_NOMEM);
		return;
	}
	ether_addr_copy(e->mac, mac);
	RCU_INIT_POINTER(e->peer, peer);
	e->updated = jiffies;
	err = rhashtable_lookup_insert_fast(&fdb->ht, &e->node, fdb_params);
	if (err) {
		/* -EEXIST cannot happen under the lock; anything else is
		 * the table failing to grow.
		 */
		kfree(e);
		tlstun_dev_drop(tt, TLSTUN_DROP_FDB_LEARN_NOMEM);
		return;
	}
	hlist_add_head_rcu(&e->list, &fdb->list);
	hlist_add_head(&e->peer_node, &peer->fdb_entries);
	fdb->n++;
	if (!fdb->n_learned++)
		queue_delayed_work(tlstun_wq, &fdb->gc, gc_interval(fdb));
	peer->fdb_learned++;
	fdb_changed(fdb);
	tlstun_nl_notify_fdb(tt, e, peer, TLSTUN_CMD_ADD_FDB, GFP_ATOMIC);
}

/**
 * tlstun_fdb_learn() - learn the source MAC of an authenticated frame
 * @tt: the device
 * @peer: the peer whose rx SA opened the frame
 * @mac: its source address
 *
 * Context: softirq (BHs off), RCU read side.
 * Return: false when @mac is statically another peer's: the frame must be
 * dropped (the caller counts it).
 */
bool tlstun_fdb_learn(struct tlstun_dev *tt, struct tlstun_peer *peer,
		      const u8 *mac)
{
	struct tlstun_fdb *fdb = &tt->fdb;
	struct tlstun_fdb_entry *e;
	struct tlstun_peer *old;

	if (!is_valid_ether_addr(mac))
		return true;
	e = rhashtable_lookup(&fdb->ht, mac, fdb_params);
	if (e && rcu_access_pointer(e->peer) == peer) {
		/* The common case: one write a jiffy at most. */
		if (!e->is_static && READ_ONCE(e->updated) != jiffies)
			WRITE_ONCE(e->updated, jiffies);
		return true;
	}
	if (e && READ_ONCE(e->is_static))
		return false;

	spin_lock(&fdb->lock);
	if (READ_ONCE(peer->dead))
		goto out;
	/* Look again under the lock: the entry may have changed. */
	e = rhashtable_lookup(&fdb->ht, mac, fdb_params);
	if (!e) {
		learn_new(tt, peer, mac);
		goto out;
	}
	old = rcu_dereference_protected(e->peer, lockdep_is_held(&fdb->lock));
	if (e->is_static) {
		spin_unlock(&fdb->lock);
		return old == peer;
	}
	if (old != peer) {
		/* The MAC moved behind another peer, as a bridge sees it. */
		if (!may_learn(tt, peer))
			goto out;
		old->fdb_learned--;
		peer->fdb_learned++;
		rcu_assign_pointer(e->peer, peer);
		hlist_del(&e->peer_node);
		hlist_add_head(&e->peer_node, &peer->fdb_entries);
		fdb_changed(fdb);
		tlstun_nl_notify_fdb(tt, e, peer, TLSTUN_CMD_ADD_FDB,
				     GFP_ATOMIC);
	}
	WRITE_ONCE(e->updated, jiffies);
out:
	spin_unlock(&fdb->lock);
	return true;
}

/**
 * tlstun_fdb_add() - add or replace a static entry
 * @tt: the device
 * @mac: a unicast address
 * @peer: where its frames go
 * @replace: a static entry for @mac may be replaced (NLM_F_REPLACE)
 * @extack: why it was refused
 *
 * A learned entry for @mac becomes static.
 *
 * Context: tlstun_dev.lock held, so @peer cannot be removed meanwhile.
 * Return: 0 or a negative errno.
 */
int tlstun_fdb_add(struct tlstun_dev *tt, const u8 *mac,
		   struct tlstun_peer *peer, bool replace,
		   struct netlink_ext_ack *extack)
{
	struct tlstun_fdb *fdb = &tt->fdb;
	struct tlstun_fdb_entry *e, *new;
	struct tlstun_peer *old;
	int err = 0;

	lockdep_assert_held(&tt->lock);
	if (!is_valid_ether_addr(mac)) {
		NL_SET_ERR_MSG(extack, "an FDB entry is for a unicast MAC address");
		return -EINVAL;
	}
	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	spin_lock_bh(&fdb->lock);
	e = rhashtable_lookup_fast(&fdb->ht, mac, fdb_params);
	if (e) {
		old = rcu_dereference_protected(e->peer,
						lockdep_is_held(&fdb->lock));
		if (e->is_static && !replace) {
			NL_SET_ERR_MSG_FMT(extack,
					   "%pM has a static entry (peer %u); replace it",
					   mac, old->id);
			err = -EEXIST;
			goto out;
		}
		if (!e->is_static) {
			old->fdb_learned--;
			fdb->n_learned--;
			WRITE_ONCE(e->is_static, true);
		}
		rcu_assign_pointer(e->peer, peer);
		hlist_del(&e->peer_node);
		hlist_add_head(&e->peer_node, &peer->fdb_entries);
		goto changed;
	}
	if (fdb->n >= TLSTUN_FDB_DEV_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "a device holds at most %u FDB entries",
				   TLSTUN_FDB_DEV_MAX);
		err = -ENOSPC;
		goto out;
	}
	ether_addr_copy(new->mac, mac);
	new->is_static = true;
	RCU_INIT_POINTER(new->peer, peer);
	new->updated = jiffies;
	err = rhashtable_lookup_insert_fast(&fdb->ht, &new->node, fdb_params);
	if (err)
		goto out;
	hlist_add_head_rcu(&new->list, &fdb->list);
	hlist_add_head(&new->peer_node, &peer->fdb_entries);
	fdb->n++;
	e = new;
	new = NULL;
changed:
	fdb_changed(fdb);
	tlstun_nl_notify_fdb(tt, e, peer, TLSTUN_CMD_ADD_FDB, GFP_ATOMIC);
out:
	spin_unlock_bh(&fdb->lock);
	kfree(new);
	return err;
}

/**
 * tlstun_fdb_del() - remove the entry of a MAC address, static or learned
 * @tt: the device
 * @mac: the address
 * @extack: why nothing was removed
 *
 * Return: 0 or -ENOENT.
 */
int tlstun_fdb_del(struct tlstun_dev *tt, const u8 *mac,
		   struct netlink_ext_ack *extack)
{
	struct tlstun_fdb *fdb = &tt->fdb;
	struct tlstun_fdb_entry *e;
	int err = 0;

	spin_lock_bh(&fdb->lock);
	e = rhashtable_lookup_fast(&fdb->ht, mac, fdb_params);
	if (e) {
		entry_remove(tt, e, GFP_ATOMIC);
	} else {
		NL_SET_ERR_MSG_FMT(extack, "no FDB entry for %pM", mac);
		err = -ENOENT;
	}
	spin_unlock_bh(&fdb->lock);
	return err;
}

/**
 * tlstun_fdb_flush_peer() - mark a peer dead and remove its entries
 * @tt: the device
 * @peer: the peer being removed
 *
 * Context: tlstun_dev.lock held.
 */
void tlstun_fdb_flush_peer(struct tlstun_dev *tt, struct tlstun_peer *peer)
{
	struct tlstun_fdb *fdb = &tt->fdb;
	struct tlstun_fdb_entry *e;
	struct hlist_node *tmp;

	spin_lock_bh(&fdb->lock);
	WRITE_ONCE(peer->dead, true);
	hlist_for_each_entry_safe(e, tmp, &peer->fdb_entries, peer_node)
		entry_remove(tt, e, GFP_ATOMIC);
	spin_unlock_bh(&fdb->lock);
}

/**
 * tlstun_fdb_set_ageing() - set how long learned entries live
 * @tt: the device
 * @seconds: TLSTUN_FDB_AGEING_MIN..MAX (the policy checked)
 */
void tlstun_fdb_set_ageing(struct tlstun_dev *tt, u32 seconds)
{
	struct tlstun_fdb *fdb = &tt->fdb;

	spin_lock_bh(&fdb->lock);
	WRITE_ONCE(fdb->ageing, seconds);
	if (fdb->n_learned)
		mod_delayed_work(tlstun_wq, &fdb->gc, gc_interval(fdb));
	spin_unlock_bh(&fdb->lock);
}
