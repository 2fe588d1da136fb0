// SPDX-License-Identifier: GPL-2.0
/*
 * Peers of a device. Peer 0 is the device's own: its endpoint is the
 * device configuration's remote, and every SA added without a peer id is
 * its, so a point-to-point device is the one-peer case and nothing about
 * it changed. Peers 1.. are added over netlink, each with its endpoint, its
 * SAs and (fdb.c) the inner MAC addresses frames to it are for.
 *
 * Lifetimes. The device's peer list and each SA of a peer hold a reference
 * to it; removal takes it off the list, removes its SAs and FDB entries at
 * once (marked dead first, so a frame in flight cannot re-teach an entry)
 * and drops the list's reference. The memory goes an RCU grace period
 * after the last reference, so a reader that found the peer under RCU (an
 * FDB entry, the list, an SA) may still use it until its read side ends.
 */

#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <net/ipv6.h>
#include "device.h"
#include "fdb.h"
#include "netlink.h"
#include "peer.h"
#include "sa.h"

/**
 * tlstun_endpoint_set_remote() - set an endpoint's remote address from
 *	netlink attributes, refusing what cannot be a peer
 * @ep: the endpoint to change
 * @remote: NLA_BE32 IPv4 address, or NULL
 * @remote6: 16-byte IPv6 address, or NULL
 * @extack: why it was refused
 *
 * Return: 0 (also when neither is given) or -EINVAL / -EAFNOSUPPORT.
 */
int tlstun_endpoint_set_remote(struct tlstun_endpoint *ep,
			       const struct nlattr *remote,
			       const struct nlattr *remote6,
			       struct netlink_ext_ack *extack)
{
	if (remote && remote6) {
		NL_SET_ERR_MSG_ATTR(extack, remote6,
				    "give either an IPv4 or an IPv6 remote, not both");
		return -EINVAL;
	}
	if (remote) {
		__be32 ip = nla_get_in_addr(remote);

		if (ipv4_is_zeronet(ip) || ipv4_is_multicast(ip) ||
		    ipv4_is_lbcast(ip)) {
			NL_SET_ERR_MSG_ATTR(extack, remote,
					    "remote must be a unicast IPv4 address");
			return -EINVAL;
		}
		ep->family = AF_INET;
		memset(&ep->remote, 0, sizeof(ep->remote));
		ep->remote.ip4 = ip;
	}
	if (remote6) {
		struct in6_addr ip = nla_get_in6_addr(remote6);
		int type = ipv6_addr_type(&ip);

		if (!IS_ENABLED(CONFIG_IPV6)) {
			NL_SET_ERR_MSG_ATTR(extack, remote6,
					    "IPv6 is not available");
			return -EAFNOSUPPORT;
		}
		if (type == IPV6_ADDR_ANY || (type & IPV6_ADDR_MULTICAST) ||
		    (type & IPV6_ADDR_MAPPED)) {
			NL_SET_ERR_MSG_ATTR(extack, remote6,
					    "remote must be a unicast IPv6 address");
			return -EINVAL;
		}
		ep->family = AF_INET6;
		ep->remote.ip6 = ip;
	}
	return 0;
}

void tlstun_endpoint_free_rcu(struct rcu_head *rcu)
{
	struct tlstun_endpoint *ep = container_of(rcu, struct tlstun_endpoint,
						  rcu);

	dst_cache_destroy(&ep->dst_cache);
	kfree(ep);
}

/* A copy of @from (or an empty endpoint) with a fresh route cache: a cache
 * the datapath may be using is never reset.
 */
static struct tlstun_endpoint *
endpoint_alloc(const struct tlstun_endpoint *from)
{
	struct tlstun_endpoint *ep = kzalloc(sizeof(*ep), GFP_KERNEL_ACCOUNT);

	if (!ep)
		return NULL;
	if (from) {
		ep->family = from->family;
		ep->remote = from->remote;
		ep->port = from->port;
	}
	if (dst_cache_init(&ep->dst_cache, GFP_KERNEL_ACCOUNT)) {
		kfree(ep);
		return NULL;
	}
	return ep;
}

/* Apply REMOTE, REMOTE6 and PORT of a TLSTUN_PEER_* nest to @ep. */
static int endpoint_apply(struct tlstun_endpoint *ep, struct nlattr **a,
			  struct netlink_ext_ack *extack)
{
	int err;

	err = tlstun_endpoint_set_remote(ep, a[TLSTUN_PEER_REMOTE],
					 a[TLSTUN_PEER_REMOTE6], extack);
	if (err)
		return err;
	if (a[TLSTUN_PEER_PORT])
		ep->port = nla_get_u16(a[TLSTUN_PEER_PORT]);
	return 0;
}

/**
 * tlstun_peer_endpoint() - where packets to a peer go
 * @peer: the peer
 * @cfg: the device configuration the caller read (peer 0's endpoint)
 *
 * Context: RCU read side, or tlstun_dev.lock held.
 * Return: the endpoint; its family is 0 when peer 0 has no remote.
 */
struct tlstun_endpoint *tlstun_peer_endpoint(struct tlstun_peer *peer,
					     struct tlstun_cfg *cfg)
{
	if (!peer->id)
		return &cfg->ep;
	return rcu_dereference_check(peer->ep,
				     lockdep_is_held(&peer->tt->lock));
}

static void peer_free(struct tlstun_peer *peer)
{
	struct tlstun_endpoint *ep = rcu_dereference_protected(peer->ep, 1);

	if (ep)
		tlstun_endpoint_free_rcu(&ep->rcu);
	free_percpu(peer->stats);
	kfree(peer);
}

static void peer_free_rcu(struct rcu_head *rcu)
{
	peer_free(container_of(rcu, struct tlstun_peer, rcu));
}

/* Peer 0 lives and dies with the device and takes no references. */
void tlstun_peer_hold(struct tlstun_peer *peer)
{
	if (peer->id)
		refcount_inc(&peer->ref);
}

void tlstun_peer_put(struct tlstun_peer *peer)
{
	if (peer->id && refcount_dec_and_test(&peer->ref))
		call_rcu(&peer->rcu, peer_free_rcu);
}

static void peer_init(struct tlstun_dev *tt, struct tlstun_peer *peer, u32 id)
{
	peer->tt = tt;
	peer->id = id;
	refcount_set(&peer->ref, 1);
	INIT_LIST_HEAD(&peer->list);
	INIT_HLIST_HEAD(&peer->fdb_entries);
	peer->acquire_next = jiffies;
}

/**
 * tlstun_peer0_init() - set up the device's own peer
 * @tt: the device
 *
 * Return: 0 or -ENOMEM.
 */
int tlstun_peer0_init(struct tlstun_dev *tt)
{
	struct tlstun_pcpu_peer_stats __percpu *stats;

	peer_init(tt, &tt->peer0, 0);
	stats = __netdev_alloc_pcpu_stats(struct tlstun_pcpu_peer_stats,
					  GFP_KERNEL_ACCOUNT);
	tt->peer0.stats = stats;
	return stats ? 0 : -ENOMEM;
}

/**
 * tlstun_peer0_free() - free what tlstun_peer0_init() allocated
 * @tt: the device, whose last SA is gone
 */
void tlstun_peer0_free(struct tlstun_dev *tt)
{
	free_percpu(tt->peer0.stats);
	tt->peer0.stats = NULL;
}

/**
 * tlstun_peer_find() - look up a peer of a device by id
 * @tt: the device
 * @id: 0 for the device's own peer
 * @extack: why none was found
 *
 * Context: tlstun_dev.lock held.
 * Return: the peer or NULL.
 */
struct tlstun_peer *tlstun_peer_find(struct tlstun_dev *tt, u32 id,
				     struct netlink_ext_ack *extack)
{
	struct tlstun_peer *peer;

	lockdep_assert_held(&tt->lock);
	if (!id)
		return &tt->peer0;
	peer = xa_load(&tt->peer_ids, id);
	if (!peer)
		NL_SET_ERR_MSG_FMT(extack, "no peer %u on %s", id, tt->dev->name);
	return peer;
}

static void peers_changed(struct tlstun_dev *tt)
{
	lockdep_assert_held(&tt->lock);
	if (!++tt->peer_gen)
		tt->peer_gen = 1;
	tlstun_dev_changed(tt);
}

/**
 * tlstun_peer_add() - add a peer from TLSTUN_PEER_* attributes
 * @tt: the device
 * @a: parsed with the ADD_PEER nest policy: ID and a remote are required
 * @extack: why it was refused
 *
 * Return: 0 or a negative errno; on error nothing changed.
 */
int tlstun_peer_add(struct tlstun_dev *tt, struct nlattr **a,
		    struct netlink_ext_ack *extack)
{
	struct tlstun_endpoint *ep;
	struct tlstun_peer *peer;
	int err;

	if (!a[TLSTUN_PEER_ID] ||
	    !(a[TLSTUN_PEER_REMOTE] || a[TLSTUN_PEER_REMOTE6])) {
		NL_SET_ERR_MSG(extack, "a peer needs an id and a remote");
		return -EINVAL;
	}
	peer = kzalloc(sizeof(*peer), GFP_KERNEL_ACCOUNT);
	if (!peer)
		return -ENOMEM;
	peer_init(tt, peer, nla_get_u32(a[TLSTUN_PEER_ID]));
	err = -ENOMEM;
	peer->stats = __netdev_alloc_pcpu_stats(struct tlstun_pcpu_peer_stats,
						GFP_KERNEL_ACCOUNT);
	ep = endpoint_alloc(NULL);
	RCU_INIT_POINTER(peer->ep, ep);
	if (!peer->stats || !ep)
		goto err_free;
	err = endpoint_apply(ep, a, extack);
	if (err)
		goto err_free;
	if (a[TLSTUN_PEER_LABEL])
		nla_strscpy(peer->label, a[TLSTUN_PEER_LABEL],
			    sizeof(peer->label));

	mutex_lock(&tt->lock);
	if (tt->dead) {
		NL_SET_ERR_MSG(extack, "the device is being deleted");
		err = -ENODEV;
	} else if (tt->n_peers >= TLSTUN_MAX_PEERS) {
		NL_SET_ERR_MSG_FMT(extack, "a device has at most %u peers",
				   TLSTUN_MAX_PEERS);
		err = -ENOSPC;
	} else {
		err = xa_insert(&tt->peer_ids, peer->id, peer,
				GFP_KERNEL_ACCOUNT);
		if (err == -EBUSY) {
			NL_SET_ERR_MSG_FMT(extack, "peer %u exists", peer->id);
			err = -EEXIST;
		}
	}
	if (!err) {
		list_add_tail_rcu(&peer->list, &tt->peers);
		WRITE_ONCE(tt->n_peers, tt->n_peers + 1);
		peers_changed(tt);
		tlstun_nl_notify_peer(tt, peer, TLSTUN_CMD_ADD_PEER);
	}
	mutex_unlock(&tt->lock);
	if (err)
		goto err_free;
	return 0;

err_free:
	peer_free(peer);
	return err;
}

/**
 * tlstun_peer_set() - change a peer's endpoint or label
 * @tt: the device
 * @a: parsed with the SET_PEER nest policy; ID is required
 * @extack: why it was refused
 *
 * The endpoint is replaced whole: packets already routed finish on the
 * old one.
 *
 * Return: 0 or a negative errno; on error nothing changed.
 */
int tlstun_peer_set(struct tlstun_dev *tt, struct nlattr **a,
		    struct netlink_ext_ack *extack)
{
	struct tlstun_endpoint *old, *ep;
	struct tlstun_peer *peer;
	int err = 0;

	if (!a[TLSTUN_PEER_ID]) {
		NL_SET_ERR_MSG(extack, "name the peer by its id");
		return -EINVAL;
	}
	mutex_lock(&tt->lock);
	peer = tlstun_peer_find(tt, nla_get_u32(a[TLSTUN_PEER_ID]), extack);
	if (!peer) {
		err = -ENOENT;
		goto out;
	}
	if (a[TLSTUN_PEER_REMOTE] || a[TLSTUN_PEER_REMOTE6] ||
	    a[TLSTUN_PEER_PORT]) {
		old = rcu_dereference_protected(peer->ep,
						lockdep_is_held(&tt->lock));
		ep = endpoint_alloc(old);
		if (!ep) {
			err = -ENOMEM;
			goto out;
		}
		err = endpoint_apply(ep, a, extack);
		if (err) {
			tlstun_endpoint_free_rcu(&ep->rcu);
			goto out;
		}
		rcu_assign_pointer(peer->ep, ep);
		call_rcu(&old->rcu, tlstun_endpoint_free_rcu);
	}
	/* Read by dumps under this lock only. */
	if (a[TLSTUN_PEER_LABEL])
		nla_strscpy(peer->label, a[TLSTUN_PEER_LABEL],
			    sizeof(peer->label));
	peers_changed(tt);
	tlstun_nl_notify_peer(tt, peer, TLSTUN_CMD_SET_PEER);
out:
	mutex_unlock(&tt->lock);
	return err;
}

/* Remove @peer with its SAs and FDB entries, at once. */
static void peer_remove(struct tlstun_dev *tt, struct tlstun_peer *peer)
{
	lockdep_assert_held(&tt->lock);
	tlstun_sa_flush_peer(tt, peer);
	tlstun_fdb_flush_peer(tt, peer);	/* marks it dead */
	list_del_rcu(&peer->list);
	xa_erase(&tt->peer_ids, peer->id);
	WRITE_ONCE(tt->n_peers, tt->n_peers - 1);
	peers_changed(tt);
	tlstun_nl_notify_peer(tt, peer, TLSTUN_CMD_DEL_PEER);
	tlstun_peer_put(peer);
}

/**
 * tlstun_peer_del() - remove a peer, its SAs and its FDB entries
 * @tt: the device
 * @id: the peer, 1..
 * @extack: why nothing was removed
 *
 * Once this returns nothing more is sealed for the peer or opened from it,
 * and no frame is forwarded to it.
 *
 * Return: 0 or -ENOENT.
 */
int tlstun_peer_del(struct tlstun_dev *tt, u32 id,
		    struct netlink_ext_ack *extack)
{
	struct tlstun_peer *peer;
	int err = 0;

	mutex_lock(&tt->lock);
	peer = id ? tlstun_peer_find(tt, id, extack) : NULL;
	if (peer)
		peer_remove(tt, peer);
	else
		err = -ENOENT;
	mutex_unlock(&tt->lock);
	return err;
}

/**
 * tlstun_peer_flush() - remove every peer but peer 0
 * @tt: the device
 *
 * Context: tlstun_dev.lock held.
 */
void tlstun_peer_flush(struct tlstun_dev *tt)
{
	struct tlstun_peer *peer, *tmp;

	lockdep_assert_held(&tt->lock);
	list_for_each_entry_safe(peer, tmp, &tt->peers, list)
		peer_remove(tt, peer);
}

void tlstun_peer_count_rx(struct tlstun_peer *peer, unsigned int len)
{
	struct tlstun_pcpu_peer_stats *s = this_cpu_ptr(peer->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->rx_packets);
	u64_stats_add(&s->rx_bytes, len);
	u64_stats_update_end(&s->syncp);
}

void tlstun_peer_count_tx(struct tlstun_peer *peer, unsigned int len)
{
	struct tlstun_pcpu_peer_stats *s = this_cpu_ptr(peer->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->tx_packets);
	u64_stats_add(&s->tx_bytes, len);
	u64_stats_update_end(&s->syncp);
}

void tlstun_peer_count_tx_drop(struct tlstun_peer *peer)
{
	struct tlstun_pcpu_peer_stats *s = this_cpu_ptr(peer->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->tx_dropped);
	u64_stats_update_end(&s->syncp);
}

/**
 * tlstun_peer_read_stats() - sum a peer's counters over all CPUs
 * @peer: the peer
 * @out: rx packets, rx bytes, tx packets, tx bytes, tx dropped
 */
void tlstun_peer_read_stats(struct tlstun_peer *peer, u64 out[5])
{
	int cpu;

	memset(out, 0, 5 * sizeof(u64));
	for_each_possible_cpu(cpu) {
		const struct tlstun_pcpu_peer_stats *s =
			per_cpu_ptr(peer->stats, cpu);
		unsigned int start;
		u64 v[5];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v[0] = u64_stats_read(&s->rx_packets);
			v[1] = u64_stats_read(&s->rx_bytes);
			v[2] = u64_stats_read(&s->tx_packets);
			v[3] = u64_stats_read(&s->tx_bytes);
			v[4] = u64_stats_read(&s->tx_dropped);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		out[0] += v[0];
		out[1] += v[1];
		out[2] += v[2];
		out[3] += v[3];
		out[4] += v[4];
	}
}
