// SPDX-License-Identifier: GPL-2.0
/*
 * The "tlstun" generic netlink family (include/uapi/linux/tlstun.h draws
 * every command's attribute tree).
 *
 * Every operation needs CAP_NET_ADMIN in the user namespace owning the
 * network namespace (GENL_UNS_ADMIN_PERM), and so does joining the events
 * group. The family is new, so validation is strict: unknown attributes,
 * wrong types or lengths and unknown flag bits are refused; each command
 * has its own policy, so attributes meaningful only in a reply or another
 * command are refused too. The core validates before the handler runs;
 * for ADD_SA, whose request carries a key, it checks only the outline
 * (netlink_sa.c says why). The SA commands live in netlink_sa.c, the peer
 * and FDB commands in netlink_peer.c; this file has the family, the
 * device commands and the acquire event.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include "compat.h"
#include "device.h"
#include "fdb.h"
#include "netlink.h"
#include "peer.h"
#include "port.h"
#include "sa.h"

static struct netlink_range_validation ageing_range = {
	.min = TLSTUN_FDB_AGEING_MIN,
	.max = TLSTUN_FDB_AGEING_MAX,
};

#define DEV_SELECTOR TLSTUN_DEV_SELECTOR

static const struct nla_policy get_device_policy[TLSTUN_A_MAX + 1] = {
	DEV_SELECTOR,
};

static const struct nla_policy set_device_policy[TLSTUN_A_MAX + 1] = {
	DEV_SELECTOR,
	[TLSTUN_A_REMOTE]	= { .type = NLA_BE32 },
	[TLSTUN_A_REMOTE6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[TLSTUN_A_LOCAL]	= { .type = NLA_BE32 },
	[TLSTUN_A_LOCAL6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[TLSTUN_A_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[TLSTUN_A_VNI]		= NLA_POLICY_FULL_RANGE(NLA_U32, &tlstun_vni_range),
	[TLSTUN_A_TTL]		= { .type = NLA_U8 },
	[TLSTUN_A_TOS]		= { .type = NLA_U8 },
	[TLSTUN_A_DF]		= NLA_POLICY_MAX(NLA_U8, TLSTUN_DF_MAX),
	[TLSTUN_A_FLAGS]	= NLA_POLICY_MASK(NLA_U32, __TLSTUN_DEVICE_F_ALL),
	[TLSTUN_A_FDB_AGEING]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ageing_range),
};

/* Device drop counters in netlink order. */
static const u16 drop_attr[TLSTUN_DROP_NR] = {
	[TLSTUN_DROP_RX_VNI_MISMATCH]	= TLSTUN_STATS_RX_VNI_MISMATCH,
	[TLSTUN_DROP_RX_AUTH_FAIL]	= TLSTUN_STATS_RX_AUTH_FAIL,
	[TLSTUN_DROP_RX_REPLAY]		= TLSTUN_STATS_RX_REPLAY,
	[TLSTUN_DROP_RX_TOO_SHORT]	= TLSTUN_STATS_RX_TOO_SHORT,
	[TLSTUN_DROP_RX_SA_EXPIRED]	= TLSTUN_STATS_RX_SA_EXPIRED,
	[TLSTUN_DROP_RX_DEV_DOWN]	= TLSTUN_STATS_RX_DEV_DOWN,
	[TLSTUN_DROP_RX_NOMEM]		= TLSTUN_STATS_RX_NOMEM,
	[TLSTUN_DROP_RX_ECN]		= TLSTUN_STATS_RX_ECN,
	[TLSTUN_DROP_RX_QUEUE_FULL]	= TLSTUN_STATS_RX_QUEUE_FULL,
	[TLSTUN_DROP_TX_NO_SA]		= TLSTUN_STATS_TX_NO_SA,
	[TLSTUN_DROP_TX_SA_EXHAUSTED]	= TLSTUN_STATS_TX_SA_EXHAUSTED,
	[TLSTUN_DROP_TX_NO_ROUTE]	= TLSTUN_STATS_TX_NO_ROUTE,
	[TLSTUN_DROP_TX_NOMEM]		= TLSTUN_STATS_TX_NOMEM,
	[TLSTUN_DROP_TX_ERROR]		= TLSTUN_STATS_TX_ERROR,
	[TLSTUN_DROP_TX_TOO_BIG]	= TLSTUN_STATS_TX_TOO_BIG,
	[TLSTUN_DROP_TX_CFG_CHANGED]	= TLSTUN_STATS_TX_CFG_CHANGED,
	[TLSTUN_DROP_RX_SA_DELETED]	= TLSTUN_STATS_RX_SA_DELETED,
	[TLSTUN_DROP_TX_SA_DELETED]	= TLSTUN_STATS_TX_SA_DELETED,
	[TLSTUN_DROP_RX_MAC_STATIC]	= TLSTUN_STATS_RX_MAC_STATIC,
	[TLSTUN_DROP_FDB_LEARN_FULL]	= TLSTUN_STATS_FDB_LEARN_FULL,
	[TLSTUN_DROP_FDB_LEARN_NOMEM]	= TLSTUN_STATS_FDB_LEARN_NOMEM,
};

static const u16 port_drop_attr[TLSTUN_PORT_DROP_NR] = {
	[TLSTUN_PORT_DROP_MALFORMED]	= TLSTUN_STATS_PORT_MALFORMED,
	[TLSTUN_PORT_DROP_UNKNOWN_SPI]	= TLSTUN_STATS_PORT_UNKNOWN_SPI,
};

/**
 * tlstun_nl_dev() - the device a request names, referenced
 * @net: the requester's namespace
 * @attrs: the request's TLSTUN_A_* attributes
 * @extack: why none was found
 *
 * Return: the device or an ERR_PTR; tlstun_dev_put() it.
 */
struct tlstun_dev *tlstun_nl_dev(struct net *net, struct nlattr **attrs,
				 struct netlink_ext_ack *extack)
{
	return tlstun_dev_get(net,
			      attrs[TLSTUN_A_IFINDEX] ?
			      nla_get_u32(attrs[TLSTUN_A_IFINDEX]) : 0,
			      attrs[TLSTUN_A_IFNAME] ?
			      nla_data(attrs[TLSTUN_A_IFNAME]) : NULL,
			      extack);
}

static int put_stats(struct sk_buff *skb, struct tlstun_dev *tt,
		     struct tlstun_port *port)
{
	u64 drops[TLSTUN_DROP_NR], pdrops[TLSTUN_PORT_DROP_NR];
	struct rtnl_link_stats64 s = {};
	struct nlattr *nest;
	int i;

	dev_fetch_sw_netstats(&s, tt->dev->tstats);
	tlstun_dev_read_drops(tt, drops);
	nest = nla_nest_start(skb, TLSTUN_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, TLSTUN_STATS_RX_PACKETS, s.rx_packets,
			      TLSTUN_STATS_PAD) ||
	    nla_put_u64_64bit(skb, TLSTUN_STATS_RX_BYTES, s.rx_bytes,
			      TLSTUN_STATS_PAD) ||
	    nla_put_u64_64bit(skb, TLSTUN_STATS_TX_PACKETS, s.tx_packets,
			      TLSTUN_STATS_PAD) ||
	    nla_put_u64_64bit(skb, TLSTUN_STATS_TX_BYTES, s.tx_bytes,
			      TLSTUN_STATS_PAD))
		goto err;
	for (i = 0; i < TLSTUN_DROP_NR; i++)
		if (nla_put_u64_64bit(skb, drop_attr[i], drops[i],
				      TLSTUN_STATS_PAD))
			goto err;
	if (port) {
		tlstun_port_read_drops(port, pdrops);
		for (i = 0; i < TLSTUN_PORT_DROP_NR; i++)
			if (nla_put_u64_64bit(skb, port_drop_attr[i], pdrops[i],
					      TLSTUN_STATS_PAD))
				goto err;
	}
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/**
 * tlstun_nl_dump_dev() - the device a per-device dump is about, referenced
 * @skb: the dump's skb
 * @cb: the dump; cb->args[0] holds the ifindex after the first part
 *
 * Named in the request the first time, by ifindex after that, so a device
 * renamed mid-dump is still the one being dumped.
 *
 * Return: the device or an ERR_PTR; tlstun_dev_put() it.
 */
struct tlstun_dev *tlstun_nl_dump_dev(struct sk_buff *skb,
				      struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct tlstun_dev *tt;

	if (cb->args[0])
		return tlstun_dev_get(net, cb->args[0], NULL, cb->extack);
	tt = tlstun_nl_dev(net, tlstun_compat_dump_attrs(cb), cb->extack);
	if (!IS_ERR(tt))
		cb->args[0] = tt->dev->ifindex;
	return tt;
}

/**
 * tlstun_nl_parse_nest() - parse the nest @type of a request
 * @attrs: the request's TLSTUN_A_* attributes
 * @type: TLSTUN_A_SA, TLSTUN_A_PEER, TLSTUN_A_FDB
 * @maxtype: highest attribute of the nest
 * @policy: the nest's policy
 * @tb: maxtype + 1 entries
 * @missing: the extack message when the nest is absent, a string literal
 * @extack: why it was refused
 *
 * Return: 0 or a negative errno.
 */
int tlstun_nl_parse_nest(struct nlattr **attrs, int type, int maxtype,
			 const struct nla_policy *policy, struct nlattr **tb,
			 const char *missing, struct netlink_ext_ack *extack)
{
	if (!attrs[type]) {
		/* NL_SET_ERR_MSG() wants the literal itself; @missing is
		 * one, so storing the pointer is what it would do.
		 */
		if (extack)
			extack->_msg = missing;
		return -EINVAL;
	}
	return nla_parse_nested(tb, maxtype, attrs[type], policy, extack);
}

/**
 * tlstun_nl_put_dev_ids() - put a device's index and name
 * @skb: the message
 * @tt: the device
 *
 * Return: 0 or -EMSGSIZE.
 */
int tlstun_nl_put_dev_ids(struct sk_buff *skb, struct tlstun_dev *tt)
{
	if (nla_put_u32(skb, TLSTUN_A_IFINDEX, tt->dev->ifindex) ||
	    nla_put_string(skb, TLSTUN_A_IFNAME, tt->dev->name))
		return -EMSGSIZE;
	return 0;
}

static int fill_device(struct sk_buff *skb, struct tlstun_dev *tt, u32 portid,
		       u32 seq, int flags)
{
	const struct tlstun_cfg *cfg;
	struct tlstun_port *port;
	struct tlstun_sa *tx;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tlstun_family, flags,
			  TLSTUN_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;
	rcu_read_lock();
	cfg = rcu_dereference(tt->cfg);
	port = rcu_dereference(tt->port);
	tx = rcu_dereference(tt->peer0.tx_sa);
	if (tlstun_nl_put_dev_ids(skb, tt))
		goto err;
	if (cfg->ep.family == AF_INET &&
	    (nla_put_in_addr(skb, TLSTUN_A_REMOTE, cfg->ep.remote.ip4) ||
	     (cfg->local.ip4 &&
	      nla_put_in_addr(skb, TLSTUN_A_LOCAL, cfg->local.ip4))))
		goto err;
	if (cfg->ep.family == AF_INET6 &&
	    (nla_put_in6_addr(skb, TLSTUN_A_REMOTE6, &cfg->ep.remote.ip6) ||
	     (!ipv6_addr_any(&cfg->local.ip6) &&
	      nla_put_in6_addr(skb, TLSTUN_A_LOCAL6, &cfg->local.ip6))))
		goto err;
	if (nla_put_u16(skb, TLSTUN_A_PORT, cfg->port) ||
	    nla_put_u32(skb, TLSTUN_A_VNI, cfg->vni) ||
	    nla_put_u8(skb, TLSTUN_A_TTL, cfg->ttl) ||
	    nla_put_u8(skb, TLSTUN_A_TOS, cfg->tos) ||
	    nla_put_u8(skb, TLSTUN_A_DF, cfg->df) ||
	    (tx && nla_put_u32(skb, TLSTUN_A_TX_SPI, tx->spi)) ||
	    nla_put_u32(skb, TLSTUN_A_SA_COUNT, READ_ONCE(tt->n_sas)) ||
	    nla_put_u32(skb, TLSTUN_A_PEER_COUNT, READ_ONCE(tt->n_peers)) ||
	    nla_put_u32(skb, TLSTUN_A_FDB_COUNT, READ_ONCE(tt->fdb.n)) ||
	    nla_put_u32(skb, TLSTUN_A_FDB_AGEING, READ_ONCE(tt->fdb.ageing)) ||
	    put_stats(skb, tt, port))
		goto err;
	rcu_read_unlock();
	genlmsg_end(skb, hdr);
	return 0;
err:
	rcu_read_unlock();
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int get_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tlstun_dev *tt;
	struct sk_buff *msg;
	int err;

	tt = tlstun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = fill_device(msg, tt, info->snd_portid, info->snd_seq, 0);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	tlstun_dev_put(tt);
	return err;
}

/* Changes when a device comes or goes (the core's counter) or when an SA
 * or the configuration of a tlstun device here changes (ours); never 0,
 * which netlink takes for "not tracked".
 */
static unsigned int devices_gen(struct net *net)
{
	struct tlstun_net *tn = net_generic(net, tlstun_net_id);

	return (READ_ONCE(net->dev_base_seq) +
		(unsigned int)atomic_read(&tn->dev_gen)) ?: 1;
}

static int get_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	long idx = 0;
	int err = 0;

	rcu_read_lock();
	cb->seq = devices_gen(net);
	for_each_netdev_rcu(net, dev) {
		if (dev->rtnl_link_ops != &tlstun_link_ops)
			continue;
		if (idx++ < cb->args[0])
			continue;
		err = fill_device(skb, netdev_priv(dev),
				  NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err) {
			idx--;
			break;
		}
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	/* A full skb just means "continue in the next part". */
	return err == -EMSGSIZE && skb->len ? skb->len : (err ?: skb->len);
}

static int set_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct tlstun_cfg_nla cfg = {
		.remote = a[TLSTUN_A_REMOTE], .remote6 = a[TLSTUN_A_REMOTE6],
		.local = a[TLSTUN_A_LOCAL], .local6 = a[TLSTUN_A_LOCAL6],
		.port = a[TLSTUN_A_PORT], .vni = a[TLSTUN_A_VNI],
		.ttl = a[TLSTUN_A_TTL], .tos = a[TLSTUN_A_TOS],
		.df = a[TLSTUN_A_DF],
	};
	struct tlstun_dev *tt;
	u32 flags = 0;
	int err;

	/* The policy's mask refused unknown bits. */
	if (a[TLSTUN_A_FLAGS])
		flags = nla_get_u32(a[TLSTUN_A_FLAGS]);
	rtnl_lock();
	tt = tlstun_nl_dev(genl_info_net(info), a, info->extack);
	if (IS_ERR(tt)) {
		err = PTR_ERR(tt);
		goto out_unlock;
	}
	err = tlstun_dev_change_cfg(tt, &cfg, info->extack);
	if (!err && a[TLSTUN_A_FDB_AGEING])
		tlstun_fdb_set_ageing(tt, nla_get_u32(a[TLSTUN_A_FDB_AGEING]));
	if (!err && (flags & TLSTUN_DEVICE_F_FLUSH_SAS)) {
		mutex_lock(&tt->lock);
		tlstun_sa_flush(tt);
		mutex_unlock(&tt->lock);
	}
	tlstun_dev_put(tt);
out_unlock:
	rtnl_unlock();
	return err;
}

static const struct genl_ops tlstun_ops[] = {
	{
		.cmd = TLSTUN_CMD_GET_DEVICE,
		.doit = get_device_doit,
		.dumpit = get_device_dumpit,
		.policy = get_device_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_SET_DEVICE,
		.doit = set_device_doit,
		.policy = set_device_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_ADD_SA,
		/* The core checks the outline; tlstun_nl_add_sa()
		 * validates, then wipes.
		 */
		.doit = tlstun_nl_add_sa,
		.policy = tlstun_add_sa_outline,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_DEL_SA,
		.doit = tlstun_nl_del_sa,
		.policy = tlstun_sel_sa_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_GET_SA,
		.doit = tlstun_nl_get_sa,
		.dumpit = tlstun_nl_dump_sa,
		.policy = tlstun_sel_sa_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_ADD_PEER,
		.doit = tlstun_nl_add_peer,
		.policy = tlstun_add_peer_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_SET_PEER,
		.doit = tlstun_nl_set_peer,
		.policy = tlstun_add_peer_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_DEL_PEER,
		.doit = tlstun_nl_del_peer,
		.policy = tlstun_sel_peer_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_GET_PEER,
		.doit = tlstun_nl_get_peer,
		.dumpit = tlstun_nl_dump_peers,
		.policy = tlstun_sel_peer_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_ADD_FDB,
		.doit = tlstun_nl_add_fdb,
		.policy = tlstun_add_fdb_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_DEL_FDB,
		.doit = tlstun_nl_del_fdb,
		.policy = tlstun_sel_fdb_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_GET_FDB,
		.dumpit = tlstun_nl_dump_fdb,
		.policy = tlstun_sel_fdb_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group tlstun_mcgrps[] = {
	{ .name = TLSTUN_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family tlstun_family __ro_after_init = {
	.name = TLSTUN_GENL_NAME,
	.version = TLSTUN_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = tlstun_ops,
	.n_ops = ARRAY_SIZE(tlstun_ops),
	.mcgrps = tlstun_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tlstun_mcgrps),
};

/**
 * tlstun_nl_multicast() - send an event to the events group
 * @tt: the device it is about (its namespace's group)
 * @msg: the event, consumed
 * @gfp: allocation context
 */
void tlstun_nl_multicast(struct tlstun_dev *tt, struct sk_buff *msg, gfp_t gfp)
{
	/* No listener is not an error: events are advisory. */
	genlmsg_multicast_netns(&tlstun_family, dev_net(tt->dev), msg, 0, 0,
				gfp);
}

/**
 * tlstun_nl_notify_acquire() - multicast an acquire event
 * @tt: the device
 * @peer: the peer that has no usable tx SA
 * @spi: the tx SA that was unusable, or 0 when there was none
 *
 * Context: process context.
 */
void tlstun_nl_notify_acquire(struct tlstun_dev *tt, struct tlstun_peer *peer,
			      u32 spi)
{
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &tlstun_family, 0, TLSTUN_CMD_ACQUIRE);
	if (!hdr || tlstun_nl_put_dev_ids(msg, tt) ||
	    (peer->id && nla_put_u32(msg, TLSTUN_A_PEER_ID, peer->id)) ||
	    (spi && nla_put_u32(msg, TLSTUN_A_TX_SPI, spi))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	tlstun_nl_multicast(tt, msg, GFP_KERNEL);
}

/**
 * tlstun_nl_init() - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int __init tlstun_nl_init(void)
{
	return genl_register_family(&tlstun_family);
}

/**
 * tlstun_nl_uninit() - unregister the generic netlink family
 */
void tlstun_nl_uninit(void)
{
	genl_unregister_family(&tlstun_family);
}
