/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_NETLINK_H
#define _TLSTUN_NETLINK_H

#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/tlstun.h>

struct tlstun_dev;
struct tlstun_sa;
struct tlstun_peer;
struct tlstun_fdb_entry;

extern struct genl_family tlstun_family;
extern const struct nla_policy tlstun_lifetime_policy[TLSTUN_LIFETIME_MAX + 1];

#define TLSTUN_DEV_SELECTOR \
	[TLSTUN_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1), \
	[TLSTUN_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 }

int tlstun_nl_init(void);
void tlstun_nl_uninit(void);
void tlstun_nl_notify_expire(struct tlstun_dev *tt, struct tlstun_sa *sa,
			     bool hard);
void tlstun_nl_notify_acquire(struct tlstun_dev *tt, struct tlstun_peer *peer,
			      u32 spi);

/* netlink.c helpers the peer and FDB commands share */
struct tlstun_dev *tlstun_nl_dev(struct net *net, struct nlattr **attrs,
				 struct netlink_ext_ack *extack);
int tlstun_nl_put_dev_ids(struct sk_buff *skb, struct tlstun_dev *tt);
struct tlstun_dev *tlstun_nl_dump_dev(struct sk_buff *skb,
				      struct netlink_callback *cb);
int tlstun_nl_parse_nest(struct nlattr **attrs, int type, int maxtype,
			 const struct nla_policy *policy, struct nlattr **tb,
			 const char *missing, struct netlink_ext_ack *extack);
void tlstun_nl_multicast(struct tlstun_dev *tt, struct sk_buff *msg, gfp_t gfp);

/* netlink_sa.c: SAs */
extern const struct nla_policy tlstun_add_sa_outline[TLSTUN_A_MAX + 1];
extern const struct nla_policy tlstun_sel_sa_policy[TLSTUN_A_MAX + 1];
int tlstun_nl_add_sa(struct sk_buff *skb, struct genl_info *info);
int tlstun_nl_del_sa(struct sk_buff *skb, struct genl_info *info);
int tlstun_nl_get_sa(struct sk_buff *skb, struct genl_info *info);
int tlstun_nl_dump_sa(struct sk_buff *skb, struct netlink_callback *cb);

/* netlink_peer.c: peers and the FDB */
extern const struct nla_policy tlstun_add_peer_policy[TLSTUN_A_MAX + 1];
extern const struct nla_policy tlstun_sel_peer_policy[TLSTUN_A_MAX + 1];
extern const struct nla_policy tlstun_add_fdb_policy[TLSTUN_A_MAX + 1];
extern const struct nla_policy tlstun_sel_fdb_policy[TLSTUN_A_MAX + 1];
int tlstun_nl_add_peer(struct sk_buff *skb, struct genl_info *info);
int tlstun_nl_set_peer(struct sk_buff *skb, struct genl_info *info);
int tlstun_nl_del_peer(struct sk_buff *skb, struct genl_info *info);
int tlstun_nl_get_peer(struct sk_buff *skb, struct genl_info *info);
int tlstun_nl_dump_peers(struct sk_buff *skb, struct netlink_callback *cb);
int tlstun_nl_add_fdb(struct sk_buff *skb, struct genl_info *info);
int tlstun_nl_del_fdb(struct sk_buff *skb, struct genl_info *info);
int tlstun_nl_dump_fdb(struct sk_buff *skb, struct netlink_callback *cb);
void tlstun_nl_notify_peer(struct tlstun_dev *tt, struct tlstun_peer *peer,
			   u8 cmd);
void tlstun_nl_notify_fdb(struct tlstun_dev *tt, struct tlstun_fdb_entry *e,
			  struct tlstun_peer *peer, u8 cmd, gfp_t gfp);

#endif /* _TLSTUN_NETLINK_H */
