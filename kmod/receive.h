/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_RECEIVE_H
#define _TLSTUN_RECEIVE_H

#include <net/sock.h>

int tlstun_receive(struct sock *sk, struct sk_buff *skb);

#endif /* _TLSTUN_RECEIVE_H */
