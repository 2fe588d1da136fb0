// SPDX-License-Identifier: GPL-2.0
/*
 * The SA commands of the "tlstun" generic netlink family, and the SA
 * expiry events (include/uapi/linux/tlstun.h draws the attribute trees).
 *
 * ADD_SA carries a key, so the core checks only its outline
 * (tlstun_add_sa_outline): a request the core refused would never reach
 * the handler that wipes the key. tlstun_nl_add_sa() validates the rest
 * with the same strictness as every other command and wipes in every case.
 */

#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "sa.h"

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
static const struct nla_policy add_sa_policy[TLSTUN_A_MAX + 1] = {
	TLSTUN_DEV_SELECTOR,
	[TLSTUN_A_SA]		= NLA_POLICY_NESTED(sa_policy),
	[TLSTUN_A_PEER_ID]	= { .type = NLA_U32 },
};

/* What the core checks of an ADD_SA request before the handler runs: only
 * the outline (attribute types the family has, nests flagged as nests, no
 * trailing bytes), which a new family's op cannot opt out of. Everything
 * else, the whole SA nest included, tlstun_nl_add_sa() validates with
 * add_sa_policy, after which it wipes the key whatever the outcome.
 */
#define OUTLINE(a) [a] = { .type = NLA_BINARY }
const struct nla_policy tlstun_add_sa_outline[TLSTUN_A_MAX + 1] = {
	OUTLINE(TLSTUN_A_PAD), OUTLINE(TLSTUN_A_IFINDEX),
	OUTLINE(TLSTUN_A_IFNAME), OUTLINE(TLSTUN_A_REMOTE),
	OUTLINE(TLSTUN_A_REMOTE6), OUTLINE(TLSTUN_A_LOCAL),
	OUTLINE(TLSTUN_A_LOCAL6), OUTLINE(TLSTUN_A_PORT),
	OUTLINE(TLSTUN_A_VNI), OUTLINE(TLSTUN_A_TTL), OUTLINE(TLSTUN_A_TOS),
	OUTLINE(TLSTUN_A_DF), OUTLINE(TLSTUN_A_FLAGS),
	OUTLINE(TLSTUN_A_TX_SPI), OUTLINE(TLSTUN_A_SA_COUNT),
	[TLSTUN_A_STATS]	= { .type = NLA_NESTED },
	[TLSTUN_A_SA]		= { .type = NLA_NESTED },
	OUTLINE(TLSTUN_A_EXPIRE_REASON), OUTLINE(TLSTUN_A_PEER_ID),
	[TLSTUN_A_PEER]		= { .type = NLA_NESTED },
	[TLSTUN_A_FDB]		= { .type = NLA_NESTED },
	OUTLINE(TLSTUN_A_FDB_AGEING), OUTLINE(TLSTUN_A_PEER_COUNT),
	OUTLINE(TLSTUN_A_FDB_COUNT),
};
#undef OUTLINE
static_assert(TLSTUN_A_MAX == TLSTUN_A_FDB_COUNT,
	      "tlstun_add_sa_outline must name every attribute");

const struct nla_policy tlstun_sel_sa_policy[TLSTUN_A_MAX + 1] = {
	TLSTUN_DEV_SELECTOR,
	[TLSTUN_A_SA]		= NLA_POLICY_NESTED(sa_sel_policy),
	[TLSTUN_A_PEER_ID]	= { .type = NLA_U32 },
};
static const u16 sa_drop_attr[TLSTUN_SA_DROP_NR] = {
	[TLSTUN_SA_DROP_VNI_MISMATCH]	= TLSTUN_SA_STATS_VNI_MISMATCH,
	[TLSTUN_SA_DROP_AUTH_FAIL]	= TLSTUN_SA_STATS_AUTH_FAIL,
	[TLSTUN_SA_DROP_REPLAY]		= TLSTUN_SA_STATS_REPLAY,
	[TLSTUN_SA_DROP_TOO_SHORT]	= TLSTUN_SA_STATS_TOO_SHORT,
};

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
	    (sa->label[0] && nla_put_string(skb, TLSTUN_SA_PEER, sa->label)))
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
	    (sa->peer->id &&
	     nla_put_u32(skb, TLSTUN_A_PEER_ID, sa->peer->id)) ||
	    put_sa(skb, sa, true)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
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

int tlstun_nl_add_sa(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TLSTUN_SA_MAX + 1] = {};
	struct nlattr *attrs[TLSTUN_A_MAX + 1];
	struct tlstun_dev *tt;
	int err;

	err = nlmsg_parse(info->nlhdr, GENL_HDRLEN, attrs, TLSTUN_A_MAX,
			  add_sa_policy, info->extack);
	if (err)
		goto out_wipe;
	err = tlstun_nl_parse_nest(attrs, TLSTUN_A_SA, TLSTUN_SA_MAX, sa_policy,
				   tb, "missing SA attribute",
				   info->extack);
	if (err)
		goto out_wipe;
	tt = tlstun_nl_dev(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(tt)) {
		err = PTR_ERR(tt);
		goto out_wipe;
	}
	err = tlstun_sa_add(tt, attrs[TLSTUN_A_PEER_ID] ?
			    nla_get_u32(attrs[TLSTUN_A_PEER_ID]) : 0,
			    tb, info->extack);
	tlstun_dev_put(tt);
out_wipe:
	/* The request skb holds the only other copies of the key in the
	 * kernel; wipe them, also before an error ack echoes the request
	 * back. Documentation/threat-model.rst says what this cannot reach.
	 */
	wipe_sa_attrs(info);
	return err;
}

static int sel_sa(struct genl_info *info, u64 *peer_id, u8 *dir, u32 *spi)
{
	struct nlattr *tb[TLSTUN_SA_MAX + 1];
	int err;

	*peer_id = info->attrs[TLSTUN_A_PEER_ID] ?
		   nla_get_u32(info->attrs[TLSTUN_A_PEER_ID]) :
		   TLSTUN_SA_ANY_PEER;
	err = tlstun_nl_parse_nest(info->attrs, TLSTUN_A_SA, TLSTUN_SA_MAX,
				   sa_sel_policy, tb, "missing SA attribute",
				   info->extack);
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

int tlstun_nl_del_sa(struct sk_buff *skb, struct genl_info *info)
{
	struct tlstun_dev *tt;
	u64 peer_id;
	u32 spi;
	u8 dir;
	int err;

	err = sel_sa(info, &peer_id, &dir, &spi);
	if (err)
		return err;
	tt = tlstun_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(tt))
		return PTR_ERR(tt);
	err = tlstun_sa_del(tt, peer_id, dir, spi, info->extack);
	tlstun_dev_put(tt);
	return err;
}

int tlstun_nl_get_sa(struct sk_buff *skb, struct genl_info *info)
{
	struct tlstun_dev *tt;
	struct tlstun_sa *sa;
	struct sk_buff *msg;
	u64 peer_id;
	u32 spi;
	u8 dir;
	int err;

	err = sel_sa(info, &peer_id, &dir, &spi);
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
	sa = tlstun_sa_find(tt, peer_id, dir, spi);
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
int tlstun_nl_dump_sa(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tlstun_dev *tt;
	struct tlstun_sa *sa;
	long idx = 0;
	int err = 0;

	tt = tlstun_nl_dump_dev(skb, cb);
	if (IS_ERR(tt))
		return PTR_ERR(tt);

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
	if (!hdr || tlstun_nl_put_dev_ids(msg, tt) ||
	    (sa->peer->id &&
	     nla_put_u32(msg, TLSTUN_A_PEER_ID, sa->peer->id)) ||
	    put_sa(msg, sa, false) ||
	    nla_put_u8(msg, TLSTUN_A_EXPIRE_REASON,
		       hard ? READ_ONCE(sa->hard_reason) :
			      READ_ONCE(sa->soft_reason))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	tlstun_nl_multicast(tt, msg, GFP_KERNEL);
}
