/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_RECEIVE_H
#define _TLSTUN_RECEIVE_H

#include <net/sock.h>

struct tlstun_dev;

/* Packets a device may have waiting to be opened. */
#define TLSTUN_RX_RING	1024
/* Frames this long and longer are opened off the receiving CPU. */
#define TLSTUN_RX_OFFLOAD_MIN	512

extern struct workqueue_struct *tlstun_rx_wq;

int tlstun_receive(struct sock *sk, struct sk_buff *skb);
int tlstun_receive_init(struct tlstun_dev *tt);
void tlstun_receive_uninit(struct tlstun_dev *tt);

#endif /* _TLSTUN_RECEIVE_H */
