// SPDX-License-Identifier: GPL-2.0
/*
 * The peer and FDB commands of the "tlstun" generic netlink family, and
 * their events (include/uapi/linux/tlstun.h draws the attribute trees).
 * The same rules as netlink.c: CAP_NET_ADMIN in the namespace's user
 * namespace for every command, strict validation, an extack message for
 * every refusal.
 */

#include <linux/etherdevice.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "compat.h"
#include "device.h"
#include "fdb.h"
#include "netlink.h"
#include "peer.h"
#include "sa.h"

static const struct nla_policy peer_policy[TLSTUN_PEER_MAX_ATTR + 1] = {
	[TLSTUN_PEER_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[TLSTUN_PEER_REMOTE]	= { .type = NLA_BE32 },
	[TLSTUN_PEER_REMOTE6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[TLSTUN_PEER_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[TLSTUN_PEER_LABEL]	= { .type = NLA_NUL_STRING,
				    .len = TLSTUN_PEER_MAX - 1 },
};

/* GET_PEER and DEL_PEER name a peer; GET may name peer 0. */
static const struct nla_policy peer_sel_policy[TLSTUN_PEER_MAX_ATTR + 1] = {
	[TLSTUN_PEER_ID]	= { .type = NLA_U32 },
};

static const struct nla_policy fdb_policy[TLSTUN_FDB_MAX_ATTR + 1] = {
	[TLSTUN_FDB_MAC]	= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[TLSTUN_FDB_PEER_ID]	= { .type = NLA_U32 },
};

static const struct nla_policy fdb_sel_policy[TLSTUN_FDB_MAX_ATTR + 1] = {
	[TLSTUN_FDB_MAC]	= NLA_POLICY_EXACT_LEN(ETH_ALEN),
};

const struct nla_policy tlstun_add_peer_policy[TLSTUN_A_MAX + 1] = {
	TLSTUN_DEV_SELECTOR,
	[TLSTUN_A_PEER]		= NLA_POLICY_NESTED(peer_policy),
};

const struct nla_policy tlstun_sel_peer_policy[TLSTUN_A_MAX + 1] = {
	TLSTUN_DEV_SELECTOR,
	[TLSTUN_A_PEER]		= NLA_POLICY_NESTED(peer_sel_policy),
};

const struct nla_policy tlstun_add_fdb_policy[TLSTUN_A_MAX + 1] = {
	TLSTUN_DEV_SELECTOR,
	[TLSTUN_A_FDB]		= NLA_POLICY_NESTED(fdb_policy),
};

const struct nla_policy tlstun_sel_fdb_policy[TLSTUN_A_MAX + 1] = {
	TLSTUN_DEV_SELECTOR,
	[TLSTUN_A_FDB]		= NLA_POLICY_NESTED(fdb_sel_policy),
};

static int put_peer_stats(struct sk_buff *skb, struct tlstun_peer *peer)
{
	static const u16 attr[5] = {
		TLSTUN_PEER_STATS_RX_PACKETS, TLSTUN_PEER_STATS_RX_BYTES,
		TLSTUN_PEER_STATS_TX_PACKETS, TLSTUN_PEER_STATS_TX_BYTES,
		TLSTUN_PEER_STATS_TX_DROPPED,
	};
	struct nlattr *nest;
	u64 v[5];
	int i;

	tlstun_peer_read_stats(peer, v);
	nest = nla_nest_start(skb, TLSTUN_PEER_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(attr); i++)
		if (nla_put_u64_64bit(skb, attr[i], v[i],
				      TLSTUN_PEER_STATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	nla_nest_end(skb, nest);
	return 0;
}

/* The TLSTUN_A_PEER nest of @peer. Context: tlstun_dev.lock held. */
static int put_peer(struct sk_buff *skb, struct tlstun_dev *tt,
		    struct tlstun_peer *peer, bool full)
{
	struct tlstun_endpoint *ep;
	struct tlstun_cfg *cfg;
	struct tlstun_sa *tx;
	struct nlattr *nest;

	nest = nla_nest_start(skb, TLSTUN_A_PEER);
	if (!nest)
		return -EMSGSIZE;
	rcu_read_lock();
	cfg = rcu_dereference(tt->cfg);
	ep = tlstun_peer_endpoint(peer, cfg);
	tx = rcu_dereference(peer->tx_sa);
	if (nla_put_u32(skb, TLSTUN_PEER_ID, peer->id) ||
	    (ep->family == AF_INET &&
	     nla_put_in_addr(skb, TLSTUN_PEER_REMOTE, ep->remote.ip4)) ||
	    (ep->family == AF_INET6 &&
	     nla_put_in6_addr(skb, TLSTUN_PEER_REMOTE6, &ep->remote.ip6)) ||
	    nla_put_u16(skb, TLSTUN_PEER_PORT, ep->port ?: cfg->port) ||
	    (peer->label[0] &&
	     nla_put_string(skb, TLSTUN_PEER_LABEL, peer->label)))
		goto err;
	if (full &&
	    ((tx && nla_put_u32(skb, TLSTUN_PEER_TX_SPI, tx->spi)) ||
	     nla_put_u32(skb, TLSTUN_PEER_SA_COUNT, peer->n_sas) ||
	     nla_put_u32(skb, TLSTUN_PEER_FDB_LEARNED,
			 READ_ONCE(peer->fdb_learned)) ||
	     put_peer_stats(skb, peer)))
		goto err;
	rcu_read_unlock();
	nla_nest_end(skb, nest);
	return 0;
err:
	rcu_read_unlock();
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int fill_peer(struct sk_buff *skb, struct tlstun_dev *tt,
		     struct tlstun_peer *peer, u32 portid, u32 seq, int flags,
		     u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tlstun_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (tlstun_nl_put_dev_ids(skb, tt) ||
	    put_peer(skb, tt, peer, cmd == TLSTUN_CMD_GET_PEER)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * tlstun_nl_notify_peer() - multicast a peer event
 * @tt: the device
 * @peer: the peer added, changed or being removed
 * @cmd: TLSTUN_CMD_ADD_PEER, SET_PEER or DEL_PEER
 *
 * Context: process context, tlstun_dev.lock held.
 */
void tlstun_nl_notify_peer(struct tlstun_dev *tt, struct tlstun_peer *peer,
			   u8 cmd)
{
	struct sk_buff *msg;

	lockdep_assert_held(&tt->lock);
	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (fill_peer(msg, tt, peer, 0, 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	tlstun_nl_multicast(tt, msg, GFP_KERNEL);
}

/* Run @op on the peer nest of the request, under the device lock. */
static int peer_doit(struct genl_info *info,
		     int (*op)(struct tlstun_dev *, struct nlattr **,
			       struct netlink_ext_ack *))
{
	struct nlattr *tb[TLSTUN_PEER_MAX_ATTR + 1];
	struct tlstun_dev *tt;
	int err;

	err = tlstun_nl_parse_nest(info->attrs, TLSTUN_A_PEER,
				   TLSTUN_PEER_MAX_ATTR, peer_policy, tb,
				   "missing peer attribute",
				   info->extack);
	if (err)
		return err;
	tt = tlstun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	err = op(tt, tb, info->extack);
	tlstun_dev_put(tt);
	return err;
}

int tlstun_nl_add_peer(struct sk_buff *skb, struct genl_info *info)
{
	return peer_doit(info, tlstun_peer_add);
}

int tlstun_nl_set_peer(struct sk_buff *skb, struct genl_info *info)
{
	return peer_doit(info, tlstun_peer_set);
}

static int sel_peer(struct genl_info *info, u32 *id)
{
	struct nlattr *tb[TLSTUN_PEER_MAX_ATTR + 1];
	int err;

	err = tlstun_nl_parse_nest(info->attrs, TLSTUN_A_PEER,
				   TLSTUN_PEER_MAX_ATTR, peer_sel_policy, tb,
				   "missing peer attribute",
				   info->extack);
	if (err)
		return err;
	if (!tb[TLSTUN_PEER_ID]) {
		NL_SET_ERR_MSG(info->extack, "name the peer by its id");
		return -EINVAL;
	}
	*id = nla_get_u32(tb[TLSTUN_PEER_ID]);
	return 0;
}

int tlstun_nl_del_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct tlstun_dev *tt;
	u32 id;
	int err;

	err = sel_peer(info, &id);
	if (err)
		return err;
	if (!id) {
		NL_SET_ERR_MSG(info->extack,
			       "peer 0 is the device's own: flush its SAs or delete the device");
		return -EINVAL;
	}
	tt = tlstun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	err = tlstun_peer_del(tt, id, info->extack);
	tlstun_dev_put(tt);
	return err;
}

int tlstun_nl_get_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct tlstun_peer *peer;
	struct tlstun_dev *tt;
	struct sk_buff *msg;
	u32 id;
	int err;

	err = sel_peer(info, &id);
	if (err)
		return err;
	tt = tlstun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	mutex_lock(&tt->lock);
	peer = tlstun_peer_find(tt, id, info->extack);
	err = peer ? fill_peer(msg, tt, peer, info->snd_portid, info->snd_seq,
			       0, TLSTUN_CMD_GET_PEER) : -ENOENT;
	mutex_unlock(&tt->lock);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	tlstun_dev_put(tt);
	return err;
}

/* Peer 0 is listed while it is in use: a remote or an SA. */
static bool peer0_listed(struct tlstun_dev *tt)
{
	bool has_remote;

	rcu_read_lock();
	has_remote = rcu_dereference(tt->cfg)->ep.family;
	rcu_read_unlock();
	return has_remote || tt->peer0.n_sas;
}

/* cb->args[0]: ifindex; [1]: peers already sent. */
int tlstun_nl_dump_peers(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tlstun_peer *peer;
	struct tlstun_dev *tt;
	long idx = 0;
	int err = 0;

	tt = tlstun_nl_dump_dev(skb, cb);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	mutex_lock(&tt->lock);
	cb->seq = tt->peer_gen;	/* never 0 */
	if (peer0_listed(tt) && idx++ >= cb->args[1]) {
		err = fill_peer(skb, tt, &tt->peer0, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, NLM_F_MULTI,
				TLSTUN_CMD_GET_PEER);
		if (err)
			idx--;
		else
			nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	}
	list_for_each_entry(peer, &tt->peers, list) {
		if (err)
			break;
		if (idx++ < cb->args[1])
			continue;
		err = fill_peer(skb, tt, peer, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, NLM_F_MULTI,
				TLSTUN_CMD_GET_PEER);
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

static int fill_fdb(struct sk_buff *skb, struct tlstun_dev *tt,
		    struct tlstun_fdb_entry *e, struct tlstun_peer *peer,
		    u32 portid, u32 seq, int flags, u8 cmd)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tlstun_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (tlstun_nl_put_dev_ids(skb, tt))
		goto err;
	nest = nla_nest_start(skb, TLSTUN_A_FDB);
	if (!nest)
		goto err;
	if (nla_put(skb, TLSTUN_FDB_MAC, ETH_ALEN, e->mac) ||
	    nla_put_u32(skb, TLSTUN_FDB_PEER_ID, peer->id) ||
	    nla_put_u32(skb, TLSTUN_FDB_FLAGS,
			READ_ONCE(e->is_static) ? TLSTUN_FDB_F_STATIC : 0) ||
	    (!READ_ONCE(e->is_static) &&
	     nla_put_u64_64bit(skb, TLSTUN_FDB_AGE_SECONDS,
			       (jiffies - READ_ONCE(e->updated)) / HZ,
			       TLSTUN_FDB_PAD)))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/**
 * tlstun_nl_notify_fdb() - multicast an FDB event
 * @tt: the device
 * @e: the entry added, changed or being removed
 * @peer: the peer it points at (now)
 * @cmd: TLSTUN_CMD_ADD_FDB or DEL_FDB
 * @gfp: GFP_ATOMIC from learning (softirq) and under the fdb lock
 */
void tlstun_nl_notify_fdb(struct tlstun_dev *tt, struct tlstun_fdb_entry *e,
			  struct tlstun_peer *peer, u8 cmd, gfp_t gfp)
{
	struct sk_buff *msg;

	/* Learning runs at line rate: build nothing nobody reads. */
	if (!genl_has_listeners(&tlstun_family, dev_net(tt->dev), 0))
		return;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, gfp);
	if (!msg)
		return;
	if (fill_fdb(msg, tt, e, peer, 0, 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	tlstun_nl_multicast(tt, msg, gfp);
}

int tlstun_nl_add_fdb(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TLSTUN_FDB_MAX_ATTR + 1];
	struct tlstun_peer *peer;
	struct tlstun_dev *tt;
	int err;

	err = tlstun_nl_parse_nest(info->attrs, TLSTUN_A_FDB,
				   TLSTUN_FDB_MAX_ATTR, fdb_policy, tb,
				   "missing FDB attribute", info->extack);
	if (err)
		return err;
	if (!tb[TLSTUN_FDB_MAC] || !tb[TLSTUN_FDB_PEER_ID]) {
		NL_SET_ERR_MSG(info->extack, "an FDB entry needs a MAC and a peer id");
		return -EINVAL;
	}
	tt = tlstun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	mutex_lock(&tt->lock);
	peer = tlstun_peer_find(tt, nla_get_u32(tb[TLSTUN_FDB_PEER_ID]),
				info->extack);
	err = peer ? tlstun_fdb_add(tt, nla_data(tb[TLSTUN_FDB_MAC]), peer,
				    info->nlhdr->nlmsg_flags & NLM_F_REPLACE,
				    info->extack) : -ENOENT;
	mutex_unlock(&tt->lock);
	tlstun_dev_put(tt);
	return err;
}

int tlstun_nl_del_fdb(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TLSTUN_FDB_MAX_ATTR + 1];
	struct tlstun_dev *tt;
	int err;

	err = tlstun_nl_parse_nest(info->attrs, TLSTUN_A_FDB,
				   TLSTUN_FDB_MAX_ATTR, fdb_sel_policy, tb,
				   "missing FDB attribute", info->extack);
	if (err)
		return err;
	if (!tb[TLSTUN_FDB_MAC]) {
		NL_SET_ERR_MSG(info->extack, "name the entry by its MAC");
		return -EINVAL;
	}
	tt = tlstun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	err = tlstun_fdb_del(tt, nla_data(tb[TLSTUN_FDB_MAC]), info->extack);
	tlstun_dev_put(tt);
	return err;
}

/* cb->args[0]: ifindex; [1]: entries already sent. */
int tlstun_nl_dump_fdb(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tlstun_fdb_entry *e;
	struct tlstun_dev *tt;
	long idx = 0;
	int err = 0;

	tt = tlstun_nl_dump_dev(skb, cb);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	rcu_read_lock();
	cb->seq = READ_ONCE(tt->fdb.gen) ?: 1;
	hlist_for_each_entry_rcu(e, &tt->fdb.list, list) {
		if (idx++ < cb->args[1])
			continue;
		err = fill_fdb(skb, tt, e, rcu_dereference(e->peer),
			       NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			       NLM_F_MULTI, TLSTUN_CMD_GET_FDB);
		if (err) {
			idx--;
			break;
		}
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	}
	rcu_read_unlock();
	tlstun_dev_put(tt);
	cb->args[1] = idx;
	return err == -EMSGSIZE && skb->len ? skb->len : (err ?: skb->len);
}
