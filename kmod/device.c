// SPDX-License-Identifier: GPL-2.0
/*
 * The tlstun net_device: rtnetlink link ops, netdev ops, configuration
 * changes and teardown.
 *
 * Locking: configuration changes hold RTNL and then tlstun_dev.lock; SA
 * changes hold only tlstun_dev.lock. The datapath reads the configuration,
 * the port and the tx SA under RCU and never sleeps.
 *
 * Teardown: every way a device goes away (ip link del, namespace exit, module
 * unload) ends in ndo_uninit, which removes every SA and releases the port.
 * An SA holds a reference to the net_device until it is freed, which is
 * after its last in-flight packet, so the core's wait for references also
 * waits for asynchronous crypto to finish. The destructor runs after that
 * and frees what the datapath could still touch until then.
 */

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>
#include <net/udp.h>
#include "compat.h"
#include "device.h"
#include "fdb.h"
#include "netlink.h"
#include "peer.h"
#include "port.h"
#include "receive.h"
#include "sa.h"
#include "send.h"

/* Outer headers in front of the inner Ethernet frame, and the tag after. */
#define TLSTUN_OVERHEAD4 (sizeof(struct iphdr) + sizeof(struct udphdr) + \
			  TLSTUN_OVERHEAD)
#define TLSTUN_OVERHEAD6 (sizeof(struct ipv6hdr) + sizeof(struct udphdr) + \
			  TLSTUN_OVERHEAD)

struct workqueue_struct *tlstun_wq;

/**
 * tlstun_dev_drop() - count a drop against the device
 * @tt: the device
 * @reason: why
 */
void tlstun_dev_drop(struct tlstun_dev *tt, enum tlstun_drop reason)
{
	struct tlstun_pcpu_drops *d = this_cpu_ptr(tt->drops);

	u64_stats_update_begin(&d->syncp);
	u64_stats_inc(&d->count[reason]);
	u64_stats_update_end(&d->syncp);
}

/**
 * tlstun_dev_read_drops() - sum the device's drop counters over all CPUs
 * @tt: the device
 * @out: one total per enum tlstun_drop
 */
void tlstun_dev_read_drops(struct tlstun_dev *tt, u64 out[TLSTUN_DROP_NR])
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * TLSTUN_DROP_NR);
	for_each_possible_cpu(cpu) {
		const struct tlstun_pcpu_drops *d = per_cpu_ptr(tt->drops, cpu);
		u64 v[TLSTUN_DROP_NR];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&d->syncp);
			for (i = 0; i < TLSTUN_DROP_NR; i++)
				v[i] = u64_stats_read(&d->count[i]);
		} while (u64_stats_fetch_retry(&d->syncp, start));
		for (i = 0; i < TLSTUN_DROP_NR; i++)
			out[i] += v[i];
	}
}

/**
 * tlstun_dev_kick_lifetime() - run the lifetime work now
 * @tt: the device
 *
 * Context: any; the datapath calls it once per SA state change.
 */
void tlstun_dev_kick_lifetime(struct tlstun_dev *tt)
{
	mod_delayed_work(tlstun_wq, &tt->lifetime_work, 0);
}

/**
 * tlstun_dev_changed() - note a change of SAs or configuration that a dump
 *	of the devices of the namespace would show
 * @tt: the device
 */
void tlstun_dev_changed(struct tlstun_dev *tt)
{
	struct tlstun_net *tn = net_generic(dev_net(tt->dev), tlstun_net_id);

	atomic_inc(&tn->dev_gen);
}

static void cfg_free_rcu(struct rcu_head *rcu)
{
	struct tlstun_cfg *cfg = container_of(rcu, struct tlstun_cfg, rcu);

	dst_cache_destroy(&cfg->ep.dst_cache);
	kfree(cfg);
}

/* Allocations a namespace's admin can cause are charged to its memory
 * cgroup; the net_device and its private part are the core's.
 */
static struct tlstun_cfg *cfg_alloc(const struct tlstun_cfg *from)
{
	struct tlstun_cfg *cfg = kmalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);

	if (!cfg)
		return NULL;
	if (from) {
		*cfg = *from;
	} else {
		memset(cfg, 0, sizeof(*cfg));
		cfg->port = TLSTUN_DEFAULT_PORT;
		cfg->vni = TLSTUN_DEFAULT_VNI;
		cfg->df = TLSTUN_DF_UNSET;
	}
	/* A fresh route cache per configuration: resetting a cache the
	 * datapath may be using concurrently is not allowed.
	 */
	if (dst_cache_init(&cfg->ep.dst_cache, GFP_KERNEL_ACCOUNT)) {
		kfree(cfg);
		return NULL;
	}
	return cfg;
}

static int cfg_apply(struct tlstun_cfg *cfg, const struct tlstun_cfg_nla *a,
		     struct netlink_ext_ack *extack)
{
	sa_family_t local_family = 0;
	sa_family_t family = cfg->ep.family;
	int err;

	err = tlstun_endpoint_set_remote(&cfg->ep, a->remote, a->remote6,
					 extack);
	if (err)
		return err;
	if (a->local && a->local6) {
		NL_SET_ERR_MSG_ATTR(extack, a->local6,
				    "give either an IPv4 or an IPv6 local address, not both");
		return -EINVAL;
	}
	/* A local address of the old family goes with it. */
	if (cfg->ep.family != family)
		memset(&cfg->local, 0, sizeof(cfg->local));
	if (a->local) {
		local_family = AF_INET;
		cfg->local.ip4 = nla_get_in_addr(a->local);
	}
	if (a->local6) {
		local_family = AF_INET6;
		cfg->local.ip6 = nla_get_in6_addr(a->local6);
	}
	if (local_family && cfg->ep.family && local_family != cfg->ep.family) {
		NL_SET_ERR_MSG_ATTR(extack, a->local ? a->local : a->local6,
				    "local and remote addresses must be of the same family");
		return -EINVAL;
	}
	if (local_family && !cfg->ep.family) {
		NL_SET_ERR_MSG_ATTR(extack, a->local ? a->local : a->local6,
				    "a local address needs a remote address");
		return -EINVAL;
	}
	if (a->port)
		cfg->port = nla_get_u16(a->port);
	if (a->vni)
		cfg->vni = nla_get_u32(a->vni);
	if (a->ttl)
		cfg->ttl = nla_get_u8(a->ttl);
	if (a->tos)
		cfg->tos = nla_get_u8(a->tos);
	if (a->df)
		cfg->df = nla_get_u8(a->df);
	return 0;
}

/* Move every rx SA of @tt from its port to @to, or change nothing.
 *
 * Readers are not held off: a lookup on @to sees each SA once it is linked
 * at the head of its chain, and a lookup on @from that was walking a chain
 * when one of its nodes moved may have followed that node into @to's
 * table, so @from's move_seq tells it to look again (tlstun_port_lookup()).
 */
static int move_rx_sas(struct tlstun_dev *tt, struct tlstun_port *from,
		       struct tlstun_port *to, struct netlink_ext_ack *extack)
{
	struct tlstun_sa *sa;

	lockdep_assert_held(&tt->lock);
	ASSERT_RTNL();
	/* Other devices on @to add rx SAs under their own device locks, so
	 * check and move under @to's lock in one go. Two port locks are
	 * held only here, always target before source, and RTNL keeps two
	 * moves from running at once, so the nesting cannot deadlock.
	 */
	spin_lock_bh(&to->lock);
	list_for_each_entry(sa, &tt->sas, list) {
		struct tlstun_sa *other;

		if (sa->dir != TLSTUN_SA_DIR_RX)
			continue;
		hash_for_each_possible(to->rx_sas, other, hnode, sa->spi) {
			if (other->spi == sa->spi) {
				spin_unlock_bh(&to->lock);
				NL_SET_ERR_MSG_FMT(extack,
						   "rx SPI 0x%08x of this device is in use on UDP port %u",
						   sa->spi, to->port);
				return -EEXIST;
			}
		}
	}
	spin_lock_nested(&from->lock, SINGLE_DEPTH_NESTING);
	write_seqcount_begin(&from->move_seq);
	list_for_each_entry(sa, &tt->sas, list) {
		if (sa->dir != TLSTUN_SA_DIR_RX)
			continue;
		hash_del_rcu(&sa->hnode);
		hash_add_rcu(to->rx_sas, &sa->hnode, sa->spi);
	}
	write_seqcount_end(&from->move_seq);
	spin_unlock(&from->lock);
	spin_unlock_bh(&to->lock);
	return 0;
}

/**
 * tlstun_dev_change_cfg() - apply configuration attributes to a device
 * @tt: the device
 * @a: the attributes given (NULL members are left as they are)
 * @extack: why a change was refused
 *
 * All or nothing: on error the device keeps its old configuration. A port
 * change moves the device's rx SAs to the new port.
 *
 * Context: RTNL held.
 * Return: 0 or a negative errno.
 */
int tlstun_dev_change_cfg(struct tlstun_dev *tt, const struct tlstun_cfg_nla *a,
			  struct netlink_ext_ack *extack)
{
	struct tlstun_port *old_port, *new_port = NULL;
	struct tlstun_cfg *old, *cfg;
	int err;

	ASSERT_RTNL();
	old = rtnl_dereference(tt->cfg);
	cfg = cfg_alloc(old);
	if (!cfg)
		return -ENOMEM;
	err = cfg_apply(cfg, a, extack);
	if (err)
		goto err_free_cfg;

	old_port = rtnl_dereference(tt->port);
	if (cfg->port != old_port->port) {
		new_port = tlstun_port_get(tt->net, cfg->port, extack);
		if (IS_ERR(new_port)) {
			err = PTR_ERR(new_port);
			goto err_free_cfg;
		}
	}

	mutex_lock(&tt->lock);
	if (new_port) {
		err = move_rx_sas(tt, old_port, new_port, extack);
		if (err) {
			mutex_unlock(&tt->lock);
			tlstun_port_put(new_port);
			goto err_free_cfg;
		}
		rcu_assign_pointer(tt->port, new_port);
	}
	rcu_assign_pointer(tt->cfg, cfg);
	tlstun_dev_changed(tt);
	mutex_unlock(&tt->lock);

	call_rcu(&old->rcu, cfg_free_rcu);
	if (new_port)
		tlstun_port_put(old_port);
	return 0;

err_free_cfg:
	cfg_free_rcu(&cfg->rcu);
	return err;
}

static void cfg_nla_from_link(struct tlstun_cfg_nla *a, struct nlattr *data[])
{
	memset(a, 0, sizeof(*a));
	if (!data)
		return;
	a->remote = data[IFLA_TLSTUN_REMOTE];
	a->remote6 = data[IFLA_TLSTUN_REMOTE6];
	a->local = data[IFLA_TLSTUN_LOCAL];
	a->local6 = data[IFLA_TLSTUN_LOCAL6];
	a->port = data[IFLA_TLSTUN_PORT];
	a->vni = data[IFLA_TLSTUN_VNI];
	a->ttl = data[IFLA_TLSTUN_TTL];
	a->tos = data[IFLA_TLSTUN_TOS];
	a->df = data[IFLA_TLSTUN_DF];
}

static int tlstun_open(struct net_device *dev)
{
	netif_carrier_on(dev);
	return 0;
}

static int tlstun_stop(struct net_device *dev)
{
	netif_carrier_off(dev);
	return 0;
}

static int tlstun_init(struct net_device *dev)
{
	struct tlstun_dev *tt = netdev_priv(dev);
	int err;

	err = gro_cells_init(&tt->gro_cells, dev);
	if (err)
		return err;
	err = tlstun_receive_init(tt);
	if (err) {
		gro_cells_destroy(&tt->gro_cells);
		return err;
	}
	netdev_lockdep_set_classes(dev);
	return 0;
}

static void tlstun_uninit(struct net_device *dev)
{
	struct tlstun_dev *tt = netdev_priv(dev);
	struct tlstun_port *port;

	ASSERT_RTNL();
	mutex_lock(&tt->lock);
	tt->dead = true;
	tlstun_peer_flush(tt);
	tlstun_sa_flush(tt);
	mutex_unlock(&tt->lock);
	/* No rx SA is on the port any more; empty what was queued. */
	tlstun_receive_uninit(tt);
	/* Nothing transmits or receives any more: the FDB can go. */
	tlstun_fdb_uninit(tt);

	list_del_init(&tt->net_list);
	port = rtnl_dereference(tt->port);
	RCU_INIT_POINTER(tt->port, NULL);
	if (port)
		tlstun_port_put(port);
	gro_cells_destroy(&tt->gro_cells);
}

static const struct net_device_ops tlstun_netdev_ops = {
	.ndo_init		= tlstun_init,
	.ndo_uninit		= tlstun_uninit,
	.ndo_open		= tlstun_open,
	.ndo_stop		= tlstun_stop,
	.ndo_start_xmit		= tlstun_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

/* Runs once the last reference is gone: every SA has been freed by then,
 * so nothing can queue the lifetime work or count a drop any more.
 */
static void tlstun_destruct(struct net_device *dev)
{
	struct tlstun_dev *tt = netdev_priv(dev);

	cancel_delayed_work_sync(&tt->lifetime_work);
	cfg_free_rcu(&rcu_dereference_protected(tt->cfg, true)->rcu);
	tlstun_peer0_free(tt);
	xa_destroy(&tt->peer_ids);
	free_percpu(tt->drops);
}

static const struct device_type tlstun_type = { .name = KBUILD_MODNAME };

static void tlstun_setup(struct net_device *dev)
{
	struct tlstun_dev *tt = netdev_priv(dev);
	/* No NETIF_F_RXCSUM: received frames carry CHECKSUM_NONE and the
	 * stack verifies them (receive.c says why), which is what a device
	 * without receive checksum offload tells ethtool.
	 */
	enum { FEATURES = NETIF_F_SG | NETIF_F_HW_CSUM |
			  NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA };

	ether_setup(dev);
	dev->netdev_ops = &tlstun_netdev_ops;
	dev->needs_free_netdev = true;
	SET_NETDEV_DEVTYPE(dev, &tlstun_type);
	/* GSO skbs are segmented in tlstun_xmit() before sealing, and
	 * checksums finished there, so the stack may hand us both.
	 */
	dev->features |= FEATURES;
	dev->hw_features |= FEATURES;
	tlstun_compat_set_lltx(dev);
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	dev->needed_headroom = LL_MAX_HEADER + TLSTUN_OVERHEAD6 - TLSTUN_TAG_LEN;
	dev->needed_tailroom = TLSTUN_TAG_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - TLSTUN_OVERHEAD6 - ETH_HLEN;
	dev->mtu = ETH_DATA_LEN - TLSTUN_OVERHEAD4 - ETH_HLEN;
	eth_hw_addr_random(dev);
	netif_keep_dst(dev);

	memset(tt, 0, sizeof(*tt));
	tt->dev = dev;
}

/* The 24 bits of a Geneve VNI, for both netlink policies. */
struct netlink_range_validation tlstun_vni_range = { .max = 0xffffff };

static const struct nla_policy tlstun_link_policy[IFLA_TLSTUN_MAX + 1] = {
	[IFLA_TLSTUN_REMOTE]	= { .type = NLA_BE32 },
	[IFLA_TLSTUN_REMOTE6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IFLA_TLSTUN_LOCAL]	= { .type = NLA_BE32 },
	[IFLA_TLSTUN_LOCAL6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IFLA_TLSTUN_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[IFLA_TLSTUN_VNI]	= NLA_POLICY_FULL_RANGE(NLA_U32, &tlstun_vni_range),
	[IFLA_TLSTUN_TTL]	= { .type = NLA_U8 },
	[IFLA_TLSTUN_TOS]	= { .type = NLA_U8 },
	[IFLA_TLSTUN_DF]	= NLA_POLICY_MAX(NLA_U8, TLSTUN_DF_MAX),
};

static int tlstun_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "invalid link address length");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "invalid link address");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

static int tlstun_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	struct tlstun_net *tn = net_generic(src_net, tlstun_net_id);
	struct tlstun_dev *tt = netdev_priv(dev);
	struct tlstun_cfg_nla a;
	struct tlstun_port *port;
	struct tlstun_cfg *cfg;
	int err = -ENOMEM;

	tt->net = src_net;
	INIT_LIST_HEAD(&tt->sas);
	tt->sa_gen = 1;
	INIT_LIST_HEAD(&tt->net_list);
	mutex_init(&tt->lock);
	INIT_DELAYED_WORK(&tt->lifetime_work, tlstun_sa_lifetime_work);
	INIT_LIST_HEAD(&tt->peers);
	xa_init(&tt->peer_ids);
	tt->peer_gen = 1;

	tt->drops = __netdev_alloc_pcpu_stats(struct tlstun_pcpu_drops,
					      GFP_KERNEL_ACCOUNT);
	if (!tt->drops)
		return -ENOMEM;
	err = tlstun_peer0_init(tt);
	if (err)
		goto err_free_drops;
	err = tlstun_fdb_init(tt);
	if (err)
		goto err_free_peer0;
	err = -ENOMEM;

	cfg = cfg_alloc(NULL);
	if (!cfg)
		goto err_free_fdb;
	cfg_nla_from_link(&a, data);
	err = cfg_apply(cfg, &a, extack);
	if (err)
		goto err_free_cfg;
	if (!tb[IFLA_MTU] && cfg->ep.family == AF_INET6)
		dev->mtu = ETH_DATA_LEN - TLSTUN_OVERHEAD6 - ETH_HLEN;
	RCU_INIT_POINTER(tt->cfg, cfg);

	port = tlstun_port_get(src_net, cfg->port, extack);
	if (IS_ERR(port)) {
		err = PTR_ERR(port);
		goto err_free_cfg;
	}
	RCU_INIT_POINTER(tt->port, port);

	err = register_netdevice(dev);
	if (err)
		goto err_put_port;
	list_add(&tt->net_list, &tn->devs);

	/* Set last, so that a failing register_netdevice() does not run it
	 * on top of the unwinding below.
	 */
	dev->priv_destructor = tlstun_destruct;
	return 0;

err_put_port:
	/* ndo_uninit has released the port if register got that far. */
	port = rtnl_dereference(tt->port);
	if (port)
		tlstun_port_put(port);
err_free_cfg:
	cfg_free_rcu(&cfg->rcu);
err_free_fdb:
	/* ndo_uninit has destroyed the FDB if register got that far;
	 * tlstun_fdb_uninit() does nothing the second time.
	 */
	tlstun_fdb_uninit(tt);
err_free_peer0:
	tlstun_peer0_free(tt);
err_free_drops:
	free_percpu(tt->drops);
	return err;
}

static int tlstun_changelink(struct net_device *dev, struct nlattr *tb[],
			     struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	struct tlstun_cfg_nla a;

	cfg_nla_from_link(&a, data);
	return tlstun_dev_change_cfg(netdev_priv(dev), &a, extack);
}

static void tlstun_dellink(struct net_device *dev, struct list_head *head)
{
	unregister_netdevice_queue(dev, head);
}

static size_t tlstun_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(struct in6_addr)) +	/* REMOTE(6) */
	       nla_total_size(sizeof(struct in6_addr)) +	/* LOCAL(6) */
	       nla_total_size(sizeof(u16)) +			/* PORT */
	       nla_total_size(sizeof(u32)) +			/* VNI */
	       3 * nla_total_size(sizeof(u8));			/* TTL TOS DF */
}

static int tlstun_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct tlstun_dev *tt = netdev_priv(dev);
	const struct tlstun_cfg *cfg = rtnl_dereference(tt->cfg);

	if (cfg->ep.family == AF_INET &&
	    (nla_put_in_addr(skb, IFLA_TLSTUN_REMOTE, cfg->ep.remote.ip4) ||
	     (cfg->local.ip4 &&
	      nla_put_in_addr(skb, IFLA_TLSTUN_LOCAL, cfg->local.ip4))))
		return -EMSGSIZE;
	if (cfg->ep.family == AF_INET6 &&
	    (nla_put_in6_addr(skb, IFLA_TLSTUN_REMOTE6, &cfg->ep.remote.ip6) ||
	     (!ipv6_addr_any(&cfg->local.ip6) &&
	      nla_put_in6_addr(skb, IFLA_TLSTUN_LOCAL6, &cfg->local.ip6))))
		return -EMSGSIZE;
	if (nla_put_u16(skb, IFLA_TLSTUN_PORT, cfg->port) ||
	    nla_put_u32(skb, IFLA_TLSTUN_VNI, cfg->vni) ||
	    nla_put_u8(skb, IFLA_TLSTUN_TTL, cfg->ttl) ||
	    nla_put_u8(skb, IFLA_TLSTUN_TOS, cfg->tos) ||
	    nla_put_u8(skb, IFLA_TLSTUN_DF, cfg->df))
		return -EMSGSIZE;
	return 0;
}

static struct net *tlstun_get_link_net(const struct net_device *dev)
{
	return ((struct tlstun_dev *)netdev_priv(dev))->net;
}

struct rtnl_link_ops tlstun_link_ops __read_mostly = {
	.kind		= TLSTUN_LINK_KIND,
	.maxtype	= IFLA_TLSTUN_MAX,
	.policy		= tlstun_link_policy,
	.priv_size	= sizeof(struct tlstun_dev),
	.setup		= tlstun_setup,
	.validate	= tlstun_validate,
	.newlink	= tlstun_newlink,
	.changelink	= tlstun_changelink,
	.dellink	= tlstun_dellink,
	.get_size	= tlstun_get_size,
	.fill_info	= tlstun_fill_info,
	.get_link_net	= tlstun_get_link_net,
};

/**
 * tlstun_dev_get() - find a tlstun device by index or name and reference it
 * @net: namespace of the requester
 * @ifindex: index, or 0
 * @ifname: name, or NULL; exactly one of the two must be given
 * @extack: why none was found
 *
 * Return: the device with a net_device reference, or an ERR_PTR.
 */
struct tlstun_dev *tlstun_dev_get(struct net *net, u32 ifindex,
				  const char *ifname,
				  struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (!!ifindex == !!ifname) {
		NL_SET_ERR_MSG(extack,
				   "name the device by exactly one of ifindex and ifname");
		return ERR_PTR(-EINVAL);
	}
	dev = ifindex ? dev_get_by_index(net, ifindex) :
			dev_get_by_name(net, ifname);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (dev->rtnl_link_ops != &tlstun_link_ops) {
		dev_put(dev);
		NL_SET_ERR_MSG(extack, "not a tlstun device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

/**
 * tlstun_dev_put() - drop the reference tlstun_dev_get() took
 * @tt: the device
 */
void tlstun_dev_put(struct tlstun_dev *tt)
{
	dev_put(tt->dev);
}

/**
 * tlstun_device_init() - register the link type
 *
 * Return: 0 or a negative errno.
 */
int tlstun_device_init(void)
{
	return rtnl_link_register(&tlstun_link_ops);
}

/**
 * tlstun_device_uninit() - unregister the link type, deleting every device
 */
void tlstun_device_uninit(void)
{
	rtnl_link_unregister(&tlstun_link_ops);
}
