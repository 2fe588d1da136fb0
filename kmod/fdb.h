/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_FDB_H
#define _TLSTUN_FDB_H

#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct tlstun_dev;
struct tlstun_peer;

/**
 * struct tlstun_fdb_entry - inner MAC address -> peer
 * @node: entry in tlstun_fdb.ht, looked up under RCU
 * @list: entry in tlstun_fdb.list, for dumps and ageing (RCU; lock)
 * @peer_node: entry in its peer's fdb_entries (lock)
 * @mac: the key
 * @is_static: added over netlink; never aged, never moved by learning
 * @peer: where frames for @mac go (RCU; lock)
 * @updated: jiffies of the last frame from @mac (learned entries)
 * @rcu: frees the entry
 */
struct tlstun_fdb_entry {
	struct rhash_head node;
	struct hlist_node list;
	struct hlist_node peer_node;
	u8 mac[ETH_ALEN];
	bool is_static;
	struct tlstun_peer __rcu *peer;
	unsigned long updated;
	struct rcu_head rcu;
};

/**
 * struct tlstun_fdb - a device's forwarding database
 * @ht: entries by MAC
 * @list: every entry
 * @lock: serialises writers; taken in softirq by learning, so process
 *	context takes it with BHs off
 * @n: entries (@lock)
 * @n_learned: learned entries (@lock)
 * @ageing: seconds a learned entry lives without a frame from its MAC
 * @gen: bumped on every change, for dumps (@lock); never 0
 * @gc: ages learned entries out
 */
struct tlstun_fdb {
	struct rhashtable ht;
	struct hlist_head list;
	spinlock_t lock;
	unsigned int n;
	unsigned int n_learned;
	u32 ageing;
	unsigned int gen;
	struct delayed_work gc;
};

int tlstun_fdb_init(struct tlstun_dev *tt);
void tlstun_fdb_uninit(struct tlstun_dev *tt);

struct tlstun_peer *tlstun_fdb_lookup(struct tlstun_dev *tt, const u8 *mac);
bool tlstun_fdb_learn(struct tlstun_dev *tt, struct tlstun_peer *peer,
		      const u8 *mac);
int tlstun_fdb_add(struct tlstun_dev *tt, const u8 *mac,
		   struct tlstun_peer *peer, bool replace,
		   struct netlink_ext_ack *extack);
int tlstun_fdb_del(struct tlstun_dev *tt, const u8 *mac,
		   struct netlink_ext_ack *extack);
void tlstun_fdb_flush_peer(struct tlstun_dev *tt, struct tlstun_peer *peer);
void tlstun_fdb_set_ageing(struct tlstun_dev *tt, u32 seconds);

#endif /* _TLSTUN_FDB_H */
