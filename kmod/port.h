/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_PORT_H
#define _TLSTUN_PORT_H

#include <linux/hashtable.h>
#include <linux/netlink.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>
#include "sa.h"

/* Per network namespace state: the tlstun devices created here and the UDP
 * ports they share, both lists protected by RTNL; and a generation of the
 * tlstun devices that live here, bumped on every SA or configuration
 * change, for dumps of them.
 */
struct tlstun_net {
	struct list_head devs;
	struct list_head ports;
	atomic_t dev_gen;
};

extern unsigned int tlstun_net_id;

enum tlstun_port_drop {
	TLSTUN_PORT_DROP_MALFORMED,
	TLSTUN_PORT_DROP_UNKNOWN_SPI,
	TLSTUN_PORT_DROP_NR
};

struct tlstun_pcpu_port_drops {
	u64_stats_t count[TLSTUN_PORT_DROP_NR];
	struct u64_stats_sync syncp;
};

#define TLSTUN_PORT_HASH_BITS	8

/**
 * struct tlstun_port - a UDP port shared by the tlstun devices of one netns
 * @list: entry in tlstun_net.ports (RTNL)
 * @net: the namespace the sockets live in
 * @port: UDP port, host order
 * @refcnt: devices bound to this port (RTNL)
 * @sock4: IPv4 socket
 * @sock6: IPv6 socket (v6only), NULL when IPv6 is unavailable
 * @lock: serialises writers of @rx_sas and @tx_history; readers of
 *	@rx_sas use RCU
 * @move_seq: written while rx SAs move from this port's table to another
 *	port's (tlstun_dev_change_cfg()); a lookup that overlapped a move
 *	may have followed a moved node into the other table and is retried
 * @rx_sas: every rx SA of every device on this port, by SPI. An SPI is
 *	unique per port, so a packet's SPI names its SA (and thereby its
 *	device) before anything else about it is trusted.
 * @tx_history: the last TLSTUN_PORT_TX_HISTORY tx (SPI, key) pairs
 *	installed on any device of the port (@lock)
 * @tx_history_next: next slot of @tx_history to overwrite
 * @drops: drops that happen before an SA, and so a device, is known
 */
struct tlstun_port {
	struct list_head list;
	struct net *net;
	u16 port;
	unsigned int refcnt;
	struct socket *sock4;
	struct socket *sock6;
	spinlock_t lock;
	seqcount_spinlock_t move_seq;
	DECLARE_HASHTABLE(rx_sas, TLSTUN_PORT_HASH_BITS);
	struct tlstun_tx_used tx_history[TLSTUN_PORT_TX_HISTORY];
	unsigned int tx_history_next;
	struct tlstun_pcpu_port_drops __percpu *drops;
};

int tlstun_port_init(void);
void tlstun_port_uninit(void);

struct tlstun_port *tlstun_port_get(struct net *net, u16 port,
				    struct netlink_ext_ack *extack);
void tlstun_port_put(struct tlstun_port *port);

int tlstun_port_add_sa(struct tlstun_port *port, struct tlstun_sa *sa,
		       struct netlink_ext_ack *extack);
void tlstun_port_del_sa(struct tlstun_port *port, struct tlstun_sa *sa);
bool tlstun_port_spi_free(struct tlstun_port *port, u32 spi);
struct tlstun_sa *tlstun_port_lookup(struct tlstun_port *port, u32 spi);

void tlstun_port_drop(struct tlstun_port *port, enum tlstun_port_drop reason);
void tlstun_port_read_drops(struct tlstun_port *port,
			    u64 out[TLSTUN_PORT_DROP_NR]);

#endif /* _TLSTUN_PORT_H */
