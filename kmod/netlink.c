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
 * (add_sa_outline), since a request it refused would never reach the
 * handler that wipes the key: add_sa_doit() validates the rest with the
 * same strictness and wipes in every case.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "port.h"
#include "sa.h"

static struct genl_family tlstun_family;

/* Deadlines are boot-time seconds plus a limit: bounded, they cannot wrap. */
static struct netlink_range_validation seconds_range = {
	.max = TLSTUN_SA_MAX_SECONDS,
};

const struct nla_policy tlstun_lifetime_policy[TLSTUN_LIFETIME_MAX + 1] = {
	[TLSTUN_LIFETIME_SOFT_PACKETS]	= { .type = NLA_U64 },
	[TLSTUN_LIFETIME_HARD_PACKETS]	= { .type = NLA_U64 },
	[TLSTUN_LIFETIME_SOFT_BYTES]	= { .type = NLA_U64 },
	[TLSTUN_LIFETIME_HARD_BYTES]	= { .type = NLA_U64 },
	[TLSTUN_LIFETIME_SOFT_SECONDS]	= NLA_POLICY_FULL_RANGE(NLA_U64,
								&seconds_range),
	[TLSTUN_LIFETIME_HARD_SECONDS]	= NLA_POLICY_FULL_RANGE(NLA_U64,
								&seconds_range),
};

static const struct nla_policy sa_policy[TLSTUN_SA_MAX + 1] = {
	[TLSTUN_SA_DIR]		= NLA_POLICY_MAX(NLA_U8, TLSTUN_SA_DIR_MAX),
	[TLSTUN_SA_SPI]		= NLA_POLICY_MIN(NLA_U32, 1),
	[TLSTUN_SA_SUITE]	= NLA_POLICY_RANGE(NLA_U16,
						   TLSTUN_SUITE_AES_GCM_128,
						   TLSTUN_SUITE_MAX),
	/* Exactly 16 or 32; which one the suite decides (tlstun_sa_add). */
	[TLSTUN_SA_KEY]		= NLA_POLICY_RANGE(NLA_BINARY, 16, 32),
	[TLSTUN_SA_REPLAY_WINDOW] = NLA_POLICY_RANGE(NLA_U32,
						     TLSTUN_REPLAY_WINDOW_MIN,
						     TLSTUN_REPLAY_WINDOW_MAX),
	[TLSTUN_SA_PEER]	= { .type = NLA_NUL_STRING,
				    .len = TLSTUN_PEER_MAX - 1 },
	[TLSTUN_SA_LIFETIME]	= NLA_POLICY_NESTED(tlstun_lifetime_policy),
	/* No SA flag is defined yet. */
	[TLSTUN_SA_FLAGS]	= NLA_POLICY_MASK(NLA_U32, 0),
};

/* DEL_SA and GET_SA name an SA; nothing else is accepted. */
static const struct nla_policy sa_sel_policy[TLSTUN_SA_MAX + 1] = {
	[TLSTUN_SA_DIR]		= NLA_POLICY_MAX(NLA_U8, TLSTUN_SA_DIR_MAX),
	[TLSTUN_SA_SPI]		= NLA_POLICY_MIN(NLA_U32, 1),
};

#define DEV_SELECTOR \
	[TLSTUN_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1), \
	[TLSTUN_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 }

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
};

static const struct nla_policy add_sa_policy[TLSTUN_A_MAX + 1] = {
	DEV_SELECTOR,
	[TLSTUN_A_SA]		= NLA_POLICY_NESTED(sa_policy),
};

/* What the core checks of an ADD_SA request before the handler runs: only
 * the outline (attribute types the family has, nests flagged as nests, no
 * trailing bytes), which a new family's op cannot opt out of. Everything
 * else, the whole SA nest included, add_sa_doit() validates with
 * add_sa_policy, after which it wipes the key whatever the outcome.
 */
#define OUTLINE(a) [a] = { .type = NLA_BINARY }
static const struct nla_policy add_sa_outline[TLSTUN_A_MAX + 1] = {
	OUTLINE(TLSTUN_A_PAD), OUTLINE(TLSTUN_A_IFINDEX),
	OUTLINE(TLSTUN_A_IFNAME), OUTLINE(TLSTUN_A_REMOTE),
	OUTLINE(TLSTUN_A_REMOTE6), OUTLINE(TLSTUN_A_LOCAL),
	OUTLINE(TLSTUN_A_LOCAL6), OUTLINE(TLSTUN_A_PORT),
	OUTLINE(TLSTUN_A_VNI), OUTLINE(TLSTUN_A_TTL), OUTLINE(TLSTUN_A_TOS),
	OUTLINE(TLSTUN_A_DF), OUTLINE(TLSTUN_A_FLAGS),
	OUTLINE(TLSTUN_A_TX_SPI), OUTLINE(TLSTUN_A_SA_COUNT),
	[TLSTUN_A_STATS]	= { .type = NLA_NESTED },
	[TLSTUN_A_SA]		= { .type = NLA_NESTED },
	OUTLINE(TLSTUN_A_EXPIRE_REASON),
};
#undef OUTLINE
static_assert(TLSTUN_A_MAX == TLSTUN_A_EXPIRE_REASON,
	      "add_sa_outline must name every attribute");

static const struct nla_policy sel_sa_policy[TLSTUN_A_MAX + 1] = {
	DEV_SELECTOR,
	[TLSTUN_A_SA]		= NLA_POLICY_NESTED(sa_sel_policy),
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
};

static const u16 port_drop_attr[TLSTUN_PORT_DROP_NR] = {
	[TLSTUN_PORT_DROP_MALFORMED]	= TLSTUN_STATS_PORT_MALFORMED,
	[TLSTUN_PORT_DROP_UNKNOWN_SPI]	= TLSTUN_STATS_PORT_UNKNOWN_SPI,
};

static const u16 sa_drop_attr[TLSTUN_SA_DROP_NR] = {
	[TLSTUN_SA_DROP_VNI_MISMATCH]	= TLSTUN_SA_STATS_VNI_MISMATCH,
	[TLSTUN_SA_DROP_AUTH_FAIL]	= TLSTUN_SA_STATS_AUTH_FAIL,
	[TLSTUN_SA_DROP_REPLAY]		= TLSTUN_SA_STATS_REPLAY,
	[TLSTUN_SA_DROP_TOO_SHORT]	= TLSTUN_SA_STATS_TOO_SHORT,
};

static struct tlstun_dev *dev_from_attrs(struct net *net, struct nlattr **attrs,
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

static int put_dev_ids(struct sk_buff *skb, struct tlstun_dev *tt)
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
	tx = rcu_dereference(tt->tx_sa);
	if (put_dev_ids(skb, tt))
		goto err;
	if (cfg->family == AF_INET &&
	    (nla_put_in_addr(skb, TLSTUN_A_REMOTE, cfg->remote.ip4) ||
	     (cfg->local.ip4 &&
	      nla_put_in_addr(skb, TLSTUN_A_LOCAL, cfg->local.ip4))))
		goto err;
	if (cfg->family == AF_INET6 &&
	    (nla_put_in6_addr(skb, TLSTUN_A_REMOTE6, &cfg->remote.ip6) ||
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

static int put_sa(struct sk_buff *skb, struct tlstun_sa *sa, bool full)
{
	struct nlattr *nest, *lt, *st;
	u32 state = 0;
	int i;

	nest = nla_nest_start(skb, TLSTUN_A_SA);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, TLSTUN_SA_DIR, sa->dir) ||
	    nla_put_u32(skb, TLSTUN_SA_SPI, sa->spi) ||
	    nla_put_u16(skb, TLSTUN_SA_SUITE, sa->suite) ||
	    (sa->peer[0] && nla_put_string(skb, TLSTUN_SA_PEER, sa->peer)))
		goto err;
	if (!full)
		goto out;

	if (test_bit(TLSTUN_SA_SOFT, &sa->flags))
		state |= TLSTUN_SA_STATE_SOFT_EXPIRED;
	if (test_bit(TLSTUN_SA_HARD, &sa->flags))
		state |= TLSTUN_SA_STATE_EXHAUSTED;
	if ((sa->dir == TLSTUN_SA_DIR_RX &&
	     nla_put_u32(skb, TLSTUN_SA_REPLAY_WINDOW, sa->replay.window)) ||
	    nla_put_u64_64bit(skb, TLSTUN_SA_AGE_SECONDS,
			      ktime_get_boottime_seconds() - sa->created,
			      TLSTUN_SA_PAD) ||
	    nla_put_u32(skb, TLSTUN_SA_STATE, state))
		goto err;

	lt = nla_nest_start(skb, TLSTUN_SA_LIFETIME);
	if (!lt)
		goto err;
#define PUT(a, v) nla_put_u64_64bit(skb, a, v, TLSTUN_LIFETIME_PAD)
	if (PUT(TLSTUN_LIFETIME_SOFT_PACKETS, sa->lt.soft_packets) ||
	    /* For tx, the limit in force, which may be the default. */
	    PUT(TLSTUN_LIFETIME_HARD_PACKETS, sa->dir == TLSTUN_SA_DIR_TX ?
		sa->tx_limit : sa->lt.hard_packets) ||
	    PUT(TLSTUN_LIFETIME_SOFT_BYTES, sa->lt.soft_bytes) ||
	    PUT(TLSTUN_LIFETIME_HARD_BYTES, sa->lt.hard_bytes) ||
	    PUT(TLSTUN_LIFETIME_SOFT_SECONDS, sa->lt.soft_seconds) ||
	    PUT(TLSTUN_LIFETIME_HARD_SECONDS, sa->lt.hard_seconds))
		goto err;
#undef PUT
	nla_nest_end(skb, lt);

	st = nla_nest_start(skb, TLSTUN_SA_STATS);
	if (!st)
		goto err;
	if (nla_put_u64_64bit(skb, TLSTUN_SA_STATS_PACKETS,
			      atomic64_read(&sa->packets), TLSTUN_SA_STATS_PAD) ||
	    nla_put_u64_64bit(skb, TLSTUN_SA_STATS_BYTES,
			      atomic64_read(&sa->bytes), TLSTUN_SA_STATS_PAD))
		goto err;
	for (i = 0; i < TLSTUN_SA_DROP_NR; i++)
		if (nla_put_u64_64bit(skb, sa_drop_attr[i],
				      atomic64_read(&sa->drops[i]),
				      TLSTUN_SA_STATS_PAD))
			goto err;
	nla_nest_end(skb, st);
out:
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int fill_sa(struct sk_buff *skb, struct tlstun_dev *tt,
		   struct tlstun_sa *sa, u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tlstun_family, flags,
			  TLSTUN_CMD_GET_SA);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TLSTUN_A_IFINDEX, tt->dev->ifindex) ||
	    put_sa(skb, sa, true)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int get_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tlstun_dev *tt;
	struct sk_buff *msg;
	int err;

	tt = dev_from_attrs(genl_info_net(info), info->attrs, info->extack);
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
	tt = dev_from_attrs(genl_info_net(info), a, info->extack);
	if (IS_ERR(tt)) {
		err = PTR_ERR(tt);
		goto out_unlock;
	}
	err = tlstun_dev_change_cfg(tt, &cfg, info->extack);
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

static int parse_sa(struct genl_info *info, struct nlattr **attrs,
		    const struct nla_policy *policy, struct nlattr **tb)
{
	if (!attrs[TLSTUN_A_SA]) {
		NL_SET_ERR_MSG(info->extack, "missing SA attribute");
		return -EINVAL;
	}
	return nla_parse_nested(tb, TLSTUN_SA_MAX, attrs[TLSTUN_A_SA],
				policy, info->extack);
}

/* Zero the payload of every TLSTUN_A_SA of the request: all copies of the
 * key, the duplicates that parsing ignored included, wherever validation
 * stopped. (The core refused any request with bytes after its last
 * attribute; the tail is wiped all the same.)
 */
static void wipe_sa_attrs(const struct genl_info *info)
{
	const struct nlmsghdr *nlh = info->nlhdr;
	struct nlattr *nla;
	int rem;

	nlmsg_for_each_attr(nla, nlh, GENL_HDRLEN, rem) {
		if (nla_type(nla) == TLSTUN_A_SA)
			memzero_explicit(nla_data(nla), nla_len(nla));
	}
	if (rem > 0)
		memzero_explicit(nla, rem);
}

static int add_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TLSTUN_SA_MAX + 1] = {};
	struct nlattr *attrs[TLSTUN_A_MAX + 1];
	struct tlstun_dev *tt;
	int err;

	err = nlmsg_parse(info->nlhdr, GENL_HDRLEN, attrs, TLSTUN_A_MAX,
			  add_sa_policy, info->extack);
	if (err)
		goto out_wipe;
	err = parse_sa(info, attrs, sa_policy, tb);
	if (err)
		goto out_wipe;
	tt = dev_from_attrs(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(tt)) {
		err = PTR_ERR(tt);
		goto out_wipe;
	}
	err = tlstun_sa_add(tt, tb, info->extack);
	tlstun_dev_put(tt);
out_wipe:
	/* The request skb holds the only other copies of the key in the
	 * kernel; wipe them, also before an error ack echoes the request
	 * back. Documentation/threat-model.rst says what this cannot reach.
	 */
	wipe_sa_attrs(info);
	return err;
}

static int sel_sa(struct genl_info *info, u8 *dir, u32 *spi)
{
	struct nlattr *tb[TLSTUN_SA_MAX + 1];
	int err;

	err = parse_sa(info, info->attrs, sa_sel_policy, tb);
	if (err)
		return err;
	if (!tb[TLSTUN_SA_DIR] || !tb[TLSTUN_SA_SPI]) {
		NL_SET_ERR_MSG(info->extack, "an SA is named by dir and spi");
		return -EINVAL;
	}
	*dir = nla_get_u8(tb[TLSTUN_SA_DIR]);
	*spi = nla_get_u32(tb[TLSTUN_SA_SPI]);
	return 0;
}

static int del_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tlstun_dev *tt;
	u32 spi;
	u8 dir;
	int err;

	err = sel_sa(info, &dir, &spi);
	if (err)
		return err;
	tt = dev_from_attrs(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	err = tlstun_sa_del(tt, dir, spi, info->extack);
	tlstun_dev_put(tt);
	return err;
}

static int get_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tlstun_dev *tt;
	struct tlstun_sa *sa;
	struct sk_buff *msg;
	u32 spi;
	u8 dir;
	int err;

	err = sel_sa(info, &dir, &spi);
	if (err)
		return err;
	tt = dev_from_attrs(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	mutex_lock(&tt->lock);
	sa = tlstun_sa_find(tt, dir, spi);
	if (sa)
		err = fill_sa(msg, tt, sa, info->snd_portid, info->snd_seq, 0);
	mutex_unlock(&tt->lock);
	if (!sa) {
		NL_SET_ERR_MSG_FMT(info->extack, "no %s SA with SPI 0x%08x",
				       dir == TLSTUN_SA_DIR_RX ? "rx" : "tx",
				       spi);
		err = -ENOENT;
	}
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	tlstun_dev_put(tt);
	return err;
}

/* cb->args[0]: ifindex of the device being dumped; [1]: SAs already sent. */
static int get_sa_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct tlstun_dev *tt;
	struct tlstun_sa *sa;
	long idx = 0;
	int err = 0;

	if (!cb->args[0]) {
		tt = dev_from_attrs(net, tlstun_compat_dump_attrs(cb),
				    cb->extack);
		if (IS_ERR(tt))
			return PTR_ERR(tt);
		cb->args[0] = tt->dev->ifindex;
	} else {
		tt = tlstun_dev_get(net, cb->args[0], NULL, cb->extack);
		if (IS_ERR(tt))
			return PTR_ERR(tt);
	}

	mutex_lock(&tt->lock);
	cb->seq = tt->sa_gen;	/* never 0 */
	list_for_each_entry(sa, &tt->sas, list) {
		if (idx++ < cb->args[1])
			continue;
		err = fill_sa(skb, tt, sa, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err) {
			idx--;
			break;
		}
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	}
	mutex_unlock(&tt->lock);
	tlstun_dev_put(tt);
	cb->args[1] = idx;
	return err == -EMSGSIZE && skb->len ? skb->len : (err ?: skb->len);
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
		/* The core checks the outline; add_sa_doit() validates,
		 * then wipes.
		 */
		.doit = add_sa_doit,
		.policy = add_sa_outline,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_DEL_SA,
		.doit = del_sa_doit,
		.policy = sel_sa_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = TLSTUN_CMD_GET_SA,
		.doit = get_sa_doit,
		.dumpit = get_sa_dumpit,
		.policy = sel_sa_policy,
		.maxattr = TLSTUN_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group tlstun_mcgrps[] = {
	{ .name = TLSTUN_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family tlstun_family __ro_after_init = {
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

static void notify(struct tlstun_dev *tt, struct sk_buff *msg)
{
	/* No listener is not an error: events are advisory. */
	genlmsg_multicast_netns(&tlstun_family, dev_net(tt->dev), msg, 0, 0,
				GFP_KERNEL);
}

/**
 * tlstun_nl_notify_expire() - multicast a soft or hard expiry event
 * @tt: the device
 * @sa: the SA
 * @hard: hard (the SA is being removed) or soft
 *
 * Context: process context, tlstun_dev.lock held.
 */
void tlstun_nl_notify_expire(struct tlstun_dev *tt, struct tlstun_sa *sa,
			     bool hard)
{
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&tt->lock);
	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &tlstun_family, 0,
			  hard ? TLSTUN_CMD_SA_HARD_EXPIRE :
				 TLSTUN_CMD_SA_SOFT_EXPIRE);
	if (!hdr || put_dev_ids(msg, tt) || put_sa(msg, sa, false) ||
	    nla_put_u8(msg, TLSTUN_A_EXPIRE_REASON,
		       hard ? READ_ONCE(sa->hard_reason) :
			      READ_ONCE(sa->soft_reason))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	notify(tt, msg);
}

/**
 * tlstun_nl_notify_acquire() - multicast an acquire event
 * @tt: the device
 * @spi: the tx SA that was unusable, or 0 when there was none
 *
 * Context: process context.
 */
void tlstun_nl_notify_acquire(struct tlstun_dev *tt, u32 spi)
{
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &tlstun_family, 0, TLSTUN_CMD_ACQUIRE);
	if (!hdr || put_dev_ids(msg, tt) ||
	    (spi && nla_put_u32(msg, TLSTUN_A_TX_SPI, spi))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	notify(tt, msg);
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
