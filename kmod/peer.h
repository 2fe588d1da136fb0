/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_PEER_H
#define _TLSTUN_PEER_H

#include <linux/in6.h>
#include <linux/netlink.h>
#include <linux/refcount.h>
#include <linux/tlstun.h>
#include <linux/u64_stats_sync.h>
#include <net/dst_cache.h>

struct tlstun_dev;
struct tlstun_sa;
struct tlstun_cfg;

/**
 * struct tlstun_endpoint - where a peer's packets are sent
 * @family: AF_INET or AF_INET6; 0 while none is set (peer 0 only)
 * @remote: the peer's address
 * @port: destination UDP port, host order; 0 = the device's port
 * @dst_cache: outer route to @remote
 * @rcu: frees a replaced endpoint
 *
 * Peer 0's endpoint is the device configuration's (tlstun_cfg.ep); every
 * other peer's is its own, replaced whole under tlstun_dev.lock and read
 * under RCU, so a packet always sees one consistent endpoint.
 */
struct tlstun_endpoint {
	sa_family_t family;
	union {
		__be32 ip4;
		struct in6_addr ip6;
	} remote;
	u16 port;
	struct dst_cache dst_cache;
	struct rcu_head rcu;
};

struct tlstun_pcpu_peer_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t tx_dropped;
	struct u64_stats_sync syncp;
};

enum {
	TLSTUN_PEER_EV_ACQUIRE,		/* an acquire event is due */
};

/**
 * struct tlstun_peer - one peer of a device: an endpoint, SAs, FDB entries
 * @tt: the device
 * @id: 0 for the device's own peer (embedded in tlstun_dev, the
 *	point-to-point case), 1.. for peers added over netlink
 * @ref: peers 1..: one for the device's list, one per SA (an SA's last
 *	packet may finish after the peer was removed); the memory is freed
 *	an RCU grace period after the last one
 * @list: entry in tlstun_dev.peers (RCU; tlstun_dev.lock)
 * @ep: the endpoint of peers 1.. (RCU; tlstun_dev.lock)
 * @tx_sa: the one SA packets to this peer are sealed under (RCU;
 *	tlstun_dev.lock)
 * @label: who the peer is (the daemon sets its verified identity)
 * @n_sas: SAs of this peer, rx and tx (tlstun_dev.lock)
 * @fdb_entries: the FDB entries pointing at this peer (fdb lock)
 * @fdb_learned: how many of them are learned (fdb lock)
 * @dead: removed: no SA and no FDB entry may point at it any more; set
 *	under tlstun_dev.lock and the fdb lock
 * @events: TLSTUN_PEER_EV_* bits set by the datapath for the lifetime work
 * @acquire_next: jiffies before which no acquire event is sent
 * @acquire_spi: SPI of the exhausted tx SA for the next acquire event
 * @stats: per-CPU traffic counters
 * @rcu: frees the peer
 */
struct tlstun_peer {
	struct tlstun_dev *tt;
	u32 id;
	refcount_t ref;
	struct list_head list;
	struct tlstun_endpoint __rcu *ep;
	struct tlstun_sa __rcu *tx_sa;
	char label[TLSTUN_PEER_MAX];
	unsigned int n_sas;
	struct hlist_head fdb_entries;
	unsigned int fdb_learned;
	bool dead;
	unsigned long events;
	unsigned long acquire_next;
	u32 acquire_spi;
	struct tlstun_pcpu_peer_stats __percpu *stats;
	struct rcu_head rcu;
};

int tlstun_peer0_init(struct tlstun_dev *tt);
void tlstun_peer0_free(struct tlstun_dev *tt);

struct tlstun_peer *tlstun_peer_find(struct tlstun_dev *tt, u32 id,
				     struct netlink_ext_ack *extack);
int tlstun_peer_add(struct tlstun_dev *tt, struct nlattr **a,
		    struct netlink_ext_ack *extack);
int tlstun_peer_set(struct tlstun_dev *tt, struct nlattr **a,
		    struct netlink_ext_ack *extack);
int tlstun_peer_del(struct tlstun_dev *tt, u32 id,
		    struct netlink_ext_ack *extack);
void tlstun_peer_flush(struct tlstun_dev *tt);

void tlstun_peer_hold(struct tlstun_peer *peer);
void tlstun_peer_put(struct tlstun_peer *peer);

struct tlstun_endpoint *tlstun_peer_endpoint(struct tlstun_peer *peer,
					     struct tlstun_cfg *cfg);
void tlstun_endpoint_free_rcu(struct rcu_head *rcu);
int tlstun_endpoint_set_remote(struct tlstun_endpoint *ep,
			       const struct nlattr *remote,
			       const struct nlattr *remote6,
			       struct netlink_ext_ack *extack);

void tlstun_peer_count_rx(struct tlstun_peer *peer, unsigned int len);
void tlstun_peer_count_tx(struct tlstun_peer *peer, unsigned int len);
void tlstun_peer_count_tx_drop(struct tlstun_peer *peer);
void tlstun_peer_read_stats(struct tlstun_peer *peer, u64 out[5]);

#endif /* _TLSTUN_PEER_H */
