/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_SEND_H
#define _TLSTUN_SEND_H

#include <linux/netdevice.h>

netdev_tx_t tlstun_xmit(struct sk_buff *skb, struct net_device *dev);

#endif /* _TLSTUN_SEND_H */
