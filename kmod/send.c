// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: inner Ethernet frame -> its peer (peer 0 on a point-to-point
 * device; through the FDB, or every peer for a flooded frame, on a device
 * with peers) -> Geneve header with that peer's tx SPI || counter ->
 * AES-GCM in place -> UDP -> IP to the peer's endpoint.
 *
 * GSO skbs are segmented here, before sealing, since every segment needs
 * its own counter and tag; checksums the stack left to "hardware" are
 * finished in software for the same reason. The outer UDP checksum is left
 * zero over IPv4 (the AEAD tag already covers every byte that matters) and
 * computed over IPv6, where zero is not allowed.
 */

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <net/dst_cache.h>
#include <net/inet_dscp.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>
#include "device.h"
#include "fdb.h"
#include "geneve.h"
#include "peer.h"
#include "port.h"
#include "sa.h"
#include "send.h"

struct route {
	struct dst_entry *dst;
	union {
		__be32 ip4;
		struct in6_addr ip6;
	} saddr;
};

/* Per-packet transmit parameters decided while the inner headers are still
 * readable, kept in skb->cb across an asynchronous seal.
 */
struct send_cb {
	struct tlstun_skb_cb crypt;
	__be16 sport;
	sa_family_t family;	/* of the configuration it was routed with */
	u8 tos;
	bool df;
};

#define SEND_CB(skb) ((struct send_cb *)(skb)->cb)
static_assert(sizeof(struct send_cb) <= sizeof_field(struct sk_buff, cb));

/* The destination port of packets to @ep. */
static __be16 dport(const struct tlstun_cfg *cfg,
		    const struct tlstun_endpoint *ep)
{
	return htons(ep->port ?: cfg->port);
}

/* Route a packet to @ep. The configured local address is the source of
 * every peer of its family; other peers get the route's.
 */
static int route(struct tlstun_dev *tt, struct tlstun_cfg *cfg,
		 struct tlstun_endpoint *ep, struct tlstun_port *port,
		 struct sk_buff *skb, __be16 sport, u8 tos, struct route *r)
{
	/* A packet mark may select another route than the cached one. */
	struct dst_cache *cache = skb->mark ? NULL : &ep->dst_cache;
	bool local = ep->family == cfg->ep.family;

	if (ep->family == AF_INET) {
		struct flowi4 fl4 = {
			.flowi4_mark = skb->mark,
			.flowi4_proto = IPPROTO_UDP,
			.flowi4_tos = tos & INET_DSCP_MASK,
			.daddr = ep->remote.ip4,
			.saddr = local ? cfg->local.ip4 : 0,
			.fl4_sport = sport,
			.fl4_dport = dport(cfg, ep),
		};
		struct rtable *rt;

		if (cache) {
			rt = dst_cache_get_ip4(cache, &r->saddr.ip4);
			if (rt) {
				r->dst = &rt->dst;
				return 0;
			}
		}
		rt = ip_route_output_key(tt->net, &fl4);
		if (IS_ERR(rt))
			return -ENETUNREACH;
		if (rt->dst.dev == tt->dev) {
			ip_rt_put(rt);
			return -ELOOP;
		}
		if (cache)
			dst_cache_set_ip4(cache, &rt->dst, fl4.saddr);
		r->saddr.ip4 = fl4.saddr;
		r->dst = &rt->dst;
		return 0;
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (ep->family == AF_INET6 && port->sock6) {
		struct flowi6 fl6 = {
			.flowi6_mark = skb->mark,
			.flowi6_proto = IPPROTO_UDP,
			.daddr = ep->remote.ip6,
			.fl6_sport = sport,
			.fl6_dport = dport(cfg, ep),
			.flowlabel = ip6_make_flowinfo(tos, 0),
		};
		struct dst_entry *dst;

		if (local)
			fl6.saddr = cfg->local.ip6;
		if (cache) {
			dst = dst_cache_get_ip6(cache, &r->saddr.ip6);
			if (dst) {
				r->dst = dst;
				return 0;
			}
		}
		dst = ipv6_stub->ipv6_dst_lookup_flow(tt->net, port->sock6->sk,
						      &fl6, NULL);
		if (IS_ERR(dst))
			return -ENETUNREACH;
		if (dst->dev == tt->dev) {
			dst_release(dst);
			return -ELOOP;
		}
		if (cache)
			dst_cache_set_ip6(cache, dst, &fl6.saddr);
		r->saddr.ip6 = fl6.saddr;
		r->dst = dst;
		return 0;
	}
#endif
	return -ENETUNREACH;
}

/* Ask userspace for a tx SA for @peer, at most once an interval. */
static void acquire(struct tlstun_peer *peer, struct tlstun_sa *sa)
{
	unsigned long next = READ_ONCE(peer->acquire_next);

	if (time_before(jiffies, next))
		return;
	if (cmpxchg(&peer->acquire_next, next,
		    jiffies + msecs_to_jiffies(TLSTUN_ACQUIRE_INTERVAL_MS)) != next)
		return;
	WRITE_ONCE(peer->acquire_spi, sa ? sa->spi : 0);
	set_bit(TLSTUN_PEER_EV_ACQUIRE, &peer->events);
	tlstun_dev_kick_lifetime(peer->tt);
}

/* Count a packet not sent against the device and, when known, the peer it
 * was for.
 */
static void count_drop(struct tlstun_dev *tt, struct tlstun_peer *peer,
		       enum tlstun_drop reason)
{
	tlstun_dev_drop(tt, reason);
	if (peer)
		tlstun_peer_count_tx_drop(peer);
	DEV_STATS_INC(tt->dev, tx_dropped);
}

static void drop(struct tlstun_dev *tt, struct tlstun_peer *peer,
		 struct sk_buff *skb, enum tlstun_drop reason)
{
	count_drop(tt, peer, reason);
	kfree_skb(skb);
}

/* Hand a sealed packet to the IP layer with the configuration and port it
 * was routed with; @r->dst is consumed. Everything family-specific here
 * (the route's type, the source address, the socket, the headroom reserved
 * in send_one()) was decided under @cfg, so nothing is read again from the
 * device, whose configuration may have changed meanwhile. Called under RCU.
 */
static void send_sealed(struct tlstun_dev *tt, struct tlstun_cfg *cfg,
			struct tlstun_endpoint *ep,
			const struct tlstun_port *port, struct sk_buff *skb,
			struct route *r)
{
	struct send_cb *cb = SEND_CB(skb);
	bool xnet = !net_eq(tt->net, dev_net(tt->dev));
	u8 ttl;

	tlstun_peer_count_tx(cb->crypt.sa->peer, cb->crypt.inner_len);
	skb->ip_summed = CHECKSUM_NONE;
	skb->encapsulation = 0;
	skb_scrub_packet(skb, xnet);
	if (ep->family == AF_INET) {
		ttl = cfg->ttl ?: ip4_dst_hoplimit(r->dst);
		udp_tunnel_xmit_skb((struct rtable *)r->dst, port->sock4->sk,
				    skb, r->saddr.ip4, ep->remote.ip4,
				    cb->tos, ttl, cb->df ? htons(IP_DF) : 0,
				    cb->sport, dport(cfg, ep), xnet, true);
	}
#if IS_ENABLED(CONFIG_IPV6)
	else {
		ttl = cfg->ttl ?: ip6_dst_hoplimit(r->dst);
		udp_tunnel6_xmit_skb(r->dst, port->sock6->sk, skb, tt->dev,
				     &r->saddr.ip6, &ep->remote.ip6, cb->tos,
				     ttl, 0, cb->sport, dport(cfg, ep),
				     false);
	}
#endif
}

/* Send a packet whose seal completed asynchronously. The configuration
 * and endpoint send_one() routed it with may be gone, and so may the
 * route: look them up again. The headroom and the outer header it was
 * sealed for belong to the address family it was routed for, so a packet
 * caught by a change of family is dropped, and counted.
 */
static void send_sealed_async(struct tlstun_dev *tt, struct sk_buff *skb)
{
	struct send_cb *cb = SEND_CB(skb);
	struct tlstun_peer *peer = cb->crypt.sa->peer;
	struct tlstun_endpoint *ep;
	struct tlstun_port *port;
	struct tlstun_cfg *cfg;
	struct route r;

	rcu_read_lock();
	cfg = rcu_dereference(tt->cfg);
	ep = tlstun_peer_endpoint(peer, cfg);
	port = rcu_dereference(tt->port);
	if (unlikely(ep->family != cb->family))
		drop(tt, peer, skb, TLSTUN_DROP_TX_CFG_CHANGED);
	else if (unlikely(!port || route(tt, cfg, ep, port, skb, cb->sport,
					 cb->tos, &r)))
		drop(tt, peer, skb, TLSTUN_DROP_TX_NO_ROUTE);
	else
		send_sealed(tt, cfg, ep, port, skb, &r);
	rcu_read_unlock();
}

static TLSTUN_CRYPTO_DONE(seal_done, data)
{
	struct sk_buff *skb = TLSTUN_CRYPTO_DATA(data);
	struct tlstun_sa *sa = TLSTUN_CB(skb)->sa;
	struct tlstun_dev *tt = sa->tt;

	tlstun_crypt_release(skb);
	local_bh_disable();
	if (err)
		drop(tt, sa->peer, skb, TLSTUN_DROP_TX_ERROR);
	else
		send_sealed_async(tt, skb);
	/* As in open_done(): the packet's reference keeps the SA, and
	 * through it the device, alive; it is given back inside the same
	 * BH-disabled section as their last use, not after it in whatever
	 * context the crypto driver completes in.
	 */
	tlstun_sa_put(sa);
	local_bh_enable();
}

static bool want_df(const struct tlstun_cfg *cfg, struct sk_buff *skb)
{
	if (cfg->df == TLSTUN_DF_SET)
		return true;
	if (cfg->df != TLSTUN_DF_INHERIT)
		return false;
	if (skb->protocol == htons(ETH_P_IPV6))
		return true;
	return skb->protocol == htons(ETH_P_IP) &&
	       (ip_hdr(skb)->frag_off & htons(IP_DF));
}

/* Seal and send one packet no larger than the MTU. Called under RCU. */
static void send_one(struct tlstun_dev *tt, struct tlstun_sa *sa,
		     struct tlstun_cfg *cfg, struct tlstun_endpoint *ep,
		     struct tlstun_port *port, struct sk_buff *skb)
{
	struct tlstun_peer *peer = sa->peer;
	struct send_cb *cb = SEND_CB(skb);
	unsigned int hdrroom;
	struct route r;
	u64 counter;
	int err;

	if (unlikely(skb->len < ETH_HLEN)) {
		drop(tt, peer, skb, TLSTUN_DROP_TX_ERROR);
		return;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		drop(tt, peer, skb, TLSTUN_DROP_TX_ERROR);
		return;
	}
	if (skb_vlan_inet_prepare(skb, false)) {
		drop(tt, peer, skb, TLSTUN_DROP_TX_ERROR);
		return;
	}

	/* Everything taken from the inner headers is taken now: they are
	 * ciphertext after sealing.
	 */
	memset(cb, 0, sizeof(*cb));
	cb->family = ep->family;
	/* min >= max: a port in the namespace's ip_local_port_range, as
	 * Documentation/wire-format.rst says.
	 */
	cb->sport = udp_flow_src_port(tt->net, skb, 0, 0, true);
	cb->tos = ip_tunnel_ecn_encap(cfg->tos, ip_hdr(skb), skb);
	cb->df = want_df(cfg, skb);

	err = route(tt, cfg, ep, port, skb, cb->sport, cb->tos, &r);
	if (unlikely(err)) {
		drop(tt, peer, skb, TLSTUN_DROP_TX_NO_ROUTE);
		return;
	}
	hdrroom = (ep->family == AF_INET ? sizeof(struct iphdr) :
					    sizeof(struct ipv6hdr)) +
		  sizeof(struct udphdr) + TLSTUN_GENEVE_HLEN;
	err = skb_tunnel_check_pmtu(skb, r.dst, hdrroom + ETH_HLEN +
				    TLSTUN_TAG_LEN,
				    netif_is_any_bridge_port(tt->dev));
	if (unlikely(err)) {
		dst_release(r.dst);
		if (err < 0 || !pskb_may_pull(skb, ETH_HLEN)) {
			drop(tt, peer, skb, TLSTUN_DROP_TX_ERROR);
			return;
		}
		/* A bridged frame too big for the path: the skb now holds
		 * the ICMP "too big" answer, which goes back to its sender
		 * through this device.
		 */
		tlstun_dev_drop(tt, TLSTUN_DROP_TX_TOO_BIG);
		skb->protocol = eth_type_trans(skb, tt->dev);
		__netif_rx(skb);
		return;
	}

	if (unlikely(!tlstun_sa_tx_account(sa, skb->len, &counter))) {
		dst_release(r.dst);
		acquire(peer, sa);
		drop(tt, peer, skb, test_bit(TLSTUN_SA_DEAD, &sa->flags) ?
			 TLSTUN_DROP_TX_SA_DELETED :
			 TLSTUN_DROP_TX_SA_EXHAUSTED);
		return;
	}
	cb->crypt.inner_len = skb->len;
	cb->crypt.counter = counter;

	if (skb_cow_head(skb, LL_RESERVED_SPACE(r.dst->dev) +
			      r.dst->header_len + hdrroom)) {
		dst_release(r.dst);
		drop(tt, peer, skb, TLSTUN_DROP_TX_NOMEM);
		return;
	}
	tlstun_geneve_build(__skb_push(skb, TLSTUN_GENEVE_HLEN), cfg->vni,
			    sa->spi, counter);
	/* The IP tunnel layer counts the device's tx bytes from the inner
	 * network header to the end of the packet. Placed a tag's length
	 * into the inner frame, that is exactly the inner frame's length,
	 * which is what the receive side counts.
	 */
	skb_set_inner_network_header(skb, TLSTUN_GENEVE_HLEN + TLSTUN_TAG_LEN);

	if (unlikely(!tlstun_sa_tryget(sa))) {
		dst_release(r.dst);
		drop(tt, peer, skb, TLSTUN_DROP_TX_NO_SA);
		return;
	}
	cb->crypt.sa = sa;
	err = tlstun_crypt_seal(sa, skb, seal_done);
	if (err == -EINPROGRESS) {
		dst_release(r.dst);
		return;
	}
	if (unlikely(err)) {
		dst_release(r.dst);
		drop(tt, peer, skb, err == -ENOMEM ? TLSTUN_DROP_TX_NOMEM :
					       TLSTUN_DROP_TX_ERROR);
	} else {
		send_sealed(tt, cfg, ep, port, skb, &r);
	}
	tlstun_sa_put(sa);
}

/* Seal @skb for @peer under its tx SA and send it. Called under RCU. */
static void xmit_to_peer(struct tlstun_dev *tt, struct tlstun_peer *peer,
			 struct tlstun_cfg *cfg, struct tlstun_port *port,
			 struct sk_buff *skb)
{
	struct tlstun_sa *sa = rcu_dereference(peer->tx_sa);
	struct tlstun_endpoint *ep;
	struct sk_buff *next;

	if (unlikely(!sa || test_bit(TLSTUN_SA_HARD, &sa->flags))) {
		acquire(peer, sa);
		drop(tt, peer, skb, sa ? TLSTUN_DROP_TX_SA_EXHAUSTED :
					 TLSTUN_DROP_TX_NO_SA);
		return;
	}
	ep = tlstun_peer_endpoint(peer, cfg);
	if (unlikely(!ep->family || !port)) {
		drop(tt, peer, skb, TLSTUN_DROP_TX_NO_ROUTE);
		return;
	}

	if (skb_is_gso(skb)) {
		struct sk_buff *segs = skb_gso_segment(skb, 0);

		if (IS_ERR_OR_NULL(segs)) {
			drop(tt, peer, skb, TLSTUN_DROP_TX_ERROR);
			return;
		}
		consume_skb(skb);
		skb_list_walk_safe(segs, skb, next) {
			skb_mark_not_on_list(skb);
			send_one(tt, sa, cfg, ep, port, skb);
		}
	} else {
		send_one(tt, sa, cfg, ep, port, skb);
	}
}

/* A copy of @skb for @peer; the data is shared until sealing unshares it. */
static void xmit_copy(struct tlstun_dev *tt, struct tlstun_peer *peer,
		      struct tlstun_cfg *cfg, struct tlstun_port *port,
		      struct sk_buff *skb)
{
	struct sk_buff *copy = skb_clone(skb, GFP_ATOMIC);

	if (unlikely(!copy)) {
		count_drop(tt, peer, TLSTUN_DROP_TX_NOMEM);
		return;
	}
	xmit_to_peer(tt, peer, cfg, port, copy);
}

/* A device with peers: the FDB names the peer of a known unicast
 * destination; a broadcast, multicast or unknown unicast frame goes to
 * every peer (head-end replication), each copy sealed under that peer's
 * own tx SA and counter. Peer 0 is one of them while the device has a
 * remote. Called under RCU.
 */
static void xmit_switch(struct tlstun_dev *tt, struct tlstun_cfg *cfg,
			struct tlstun_port *port, struct sk_buff *skb)
{
	struct tlstun_peer *peer, *last = NULL;
	const struct ethhdr *eth;

	if (unlikely(!pskb_may_pull(skb, ETH_HLEN))) {
		drop(tt, NULL, skb, TLSTUN_DROP_TX_ERROR);
		return;
	}
	eth = (const struct ethhdr *)skb->data;
	if (is_unicast_ether_addr(eth->h_dest)) {
		peer = tlstun_fdb_lookup(tt, eth->h_dest);
		if (peer) {
			xmit_to_peer(tt, peer, cfg, port, skb);
			return;
		}
	}
	if (cfg->ep.family)
		last = &tt->peer0;
	list_for_each_entry_rcu(peer, &tt->peers, list) {
		if (last)
			xmit_copy(tt, last, cfg, port, skb);
		last = peer;
	}
	if (last)
		xmit_to_peer(tt, last, cfg, port, skb);
	else
		drop(tt, NULL, skb, TLSTUN_DROP_TX_NO_ROUTE);
}

/**
 * tlstun_xmit() - ndo_start_xmit of a tlstun device
 * @skb: an Ethernet frame, possibly GSO
 * @dev: the device
 *
 * Return: NETDEV_TX_OK; every packet is sent or counted as dropped.
 */
netdev_tx_t tlstun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct tlstun_dev *tt = netdev_priv(dev);
	struct tlstun_port *port;
	struct tlstun_cfg *cfg;

	rcu_read_lock();
	cfg = rcu_dereference(tt->cfg);
	port = rcu_dereference(tt->port);
	/* Point to point: everything goes to peer 0, no FDB. */
	if (likely(!READ_ONCE(tt->n_peers)))
		xmit_to_peer(tt, &tt->peer0, cfg, port, skb);
	else
		xmit_switch(tt, cfg, port, skb);
	rcu_read_unlock();
	return NETDEV_TX_OK;
}
