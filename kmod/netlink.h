/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_NETLINK_H
#define _TLSTUN_NETLINK_H

#include <net/netlink.h>
#include <linux/tlstun.h>

struct tlstun_dev;
struct tlstun_sa;

extern const struct nla_policy tlstun_lifetime_policy[TLSTUN_LIFETIME_MAX + 1];

int tlstun_nl_init(void);
void tlstun_nl_uninit(void);
void tlstun_nl_notify_expire(struct tlstun_dev *tt, struct tlstun_sa *sa,
			     bool hard);
void tlstun_nl_notify_acquire(struct tlstun_dev *tt, u32 spi);

#endif /* _TLSTUN_NETLINK_H */
