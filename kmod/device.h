/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_DEVICE_H
#define _TLSTUN_DEVICE_H

#include <linux/netdevice.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/u64_stats_sync.h>
#include <linux/tlstun.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>
#include <linux/ptr_ring.h>
#include <linux/xarray.h>
#include "fdb.h"
#include "peer.h"
#include "sa.h"

struct tlstun_port;
struct tlstun_sa;

/* Outer addresses, port and header fields. Replaced whole under RTNL and
 * tlstun_dev.lock and read under RCU by the datapath, so a packet always
 * sees one consistent configuration. @ep is peer 0's endpoint; @local, when
 * set, is of its family and is the source for every peer of that family.
 */
struct tlstun_cfg {
	struct tlstun_endpoint ep;	/* ep.port is 0: @port */
	union {
		__be32 ip4;
		struct in6_addr ip6;
	} local;
	u16 port;			/* host order */
	u32 vni;
	u8 ttl;
	u8 tos;
	u8 df;				/* enum tlstun_df */
	struct rcu_head rcu;
};

/* Drop reasons counted per device; the netlink STATS attribute of each is
 * given beside it so one table drives both counting and reporting.
 */
enum tlstun_drop {
	TLSTUN_DROP_RX_VNI_MISMATCH,
	TLSTUN_DROP_RX_AUTH_FAIL,
	TLSTUN_DROP_RX_REPLAY,
	TLSTUN_DROP_RX_TOO_SHORT,
	TLSTUN_DROP_RX_SA_EXPIRED,
	TLSTUN_DROP_RX_DEV_DOWN,
	TLSTUN_DROP_RX_NOMEM,
	TLSTUN_DROP_RX_ECN,
	TLSTUN_DROP_RX_QUEUE_FULL,
	TLSTUN_DROP_TX_NO_SA,
	TLSTUN_DROP_TX_SA_EXHAUSTED,
	TLSTUN_DROP_TX_NO_ROUTE,
	TLSTUN_DROP_TX_NOMEM,
	TLSTUN_DROP_TX_ERROR,
	TLSTUN_DROP_TX_TOO_BIG,
	TLSTUN_DROP_TX_CFG_CHANGED,
	TLSTUN_DROP_RX_SA_DELETED,
	TLSTUN_DROP_TX_SA_DELETED,
	TLSTUN_DROP_RX_MAC_STATIC,
	TLSTUN_DROP_FDB_LEARN_FULL,
	TLSTUN_DROP_FDB_LEARN_NOMEM,
	TLSTUN_DROP_NR
};

struct tlstun_pcpu_drops {
	u64_stats_t count[TLSTUN_DROP_NR];
	struct u64_stats_sync syncp;
};

/**
 * struct tlstun_dev - private data of a tlstun net_device
 * @dev: the net_device
 * @net: namespace the device was created in; its UDP port lives there even
 *	after the device moves to another namespace
 * @net_list: entry in tlstun_net.devs of @net (RTNL)
 * @cfg: current configuration (RCU; written under RTNL and @lock)
 * @port: the shared UDP port (RCU; written under RTNL and @lock)
 * @peer0: the device's own peer, whose endpoint is @cfg's: the
 *	point-to-point case, and SAs added without a peer id
 * @peers: peers 1.. (RCU; @lock)
 * @peer_ids: the same by id (@lock; RCU)
 * @n_peers: length of @peers
 * @peer_gen: bumped on every change of @peers, for dumps; never 0
 * @fdb: inner MAC -> peer, used once the device has peers besides peer 0
 * @sas: every SA of this device, of every peer, rx and tx (@lock)
 * @n_sas: length of @sas
 * @sa_gen: bumped on every change of @sas, so a dump can flag itself as
 *	interrupted; never 0, which netlink takes for "not tracked"
 * @lock: serialises SA and configuration changes; taken after RTNL
 * @dead: set under @lock once the device is being deleted; no SA is added
 *	after that
 * @tx_history: fingerprints of the last TLSTUN_TX_HISTORY retired tx
 *	(SPI, key) pairs (@lock)
 * @tx_history_next: next slot of @tx_history to overwrite
 * @lifetime_work: sends SA events and enforces time limits and hard expiry
 * @drops: per-CPU drop counters
 * @gro_cells: GRO for decrypted frames
 * @rx_ring: received packets waiting to be opened, in arrival order
 * @rx_work: the one consumer of @rx_ring; see receive.c
 * @rx_inflight: packets handed to @rx_work and not yet delivered
 */
struct tlstun_dev {
	struct net_device *dev;
	struct net *net;
	struct list_head net_list;
	struct tlstun_cfg __rcu *cfg;
	struct tlstun_port __rcu *port;
	struct tlstun_peer peer0;
	struct list_head peers;
	struct xarray peer_ids;
	unsigned int n_peers;
	unsigned int peer_gen;
	struct tlstun_fdb fdb;
	struct list_head sas;
	unsigned int n_sas;
	unsigned int sa_gen;
	struct mutex lock;
	bool dead;
	struct tlstun_tx_used tx_history[TLSTUN_TX_HISTORY];
	unsigned int tx_history_next;
	struct delayed_work lifetime_work;
	struct tlstun_pcpu_drops __percpu *drops;
	struct gro_cells gro_cells;
	struct ptr_ring rx_ring;
	struct work_struct rx_work;
	atomic_t rx_inflight;
};

extern struct rtnl_link_ops tlstun_link_ops;
extern struct workqueue_struct *tlstun_wq;
extern struct netlink_range_validation tlstun_vni_range;

int tlstun_device_init(void);
void tlstun_device_uninit(void);

struct tlstun_dev *tlstun_dev_get(struct net *net, u32 ifindex,
				  const char *ifname,
				  struct netlink_ext_ack *extack);
void tlstun_dev_put(struct tlstun_dev *tt);

/* Configuration attributes as found in either netlink interface. */
struct tlstun_cfg_nla {
	const struct nlattr *remote, *remote6, *local, *local6;
	const struct nlattr *port, *vni, *ttl, *tos, *df;
};

int tlstun_dev_change_cfg(struct tlstun_dev *tt, const struct tlstun_cfg_nla *a,
			  struct netlink_ext_ack *extack);

void tlstun_dev_drop(struct tlstun_dev *tt, enum tlstun_drop reason);
void tlstun_dev_read_drops(struct tlstun_dev *tt, u64 out[TLSTUN_DROP_NR]);
void tlstun_dev_kick_lifetime(struct tlstun_dev *tt);
void tlstun_dev_changed(struct tlstun_dev *tt);

#endif /* _TLSTUN_DEVICE_H */
