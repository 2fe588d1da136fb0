/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_SA_H
#define _TLSTUN_SA_H

#include <linux/atomic.h>
#include <linux/netdevice.h>
#include <linux/percpu-refcount.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/tlstun.h>
#include "crypt.h"
#include "replay.h"

struct tlstun_dev;
struct tlstun_peer;
struct genl_info;

enum tlstun_sa_drop {
	TLSTUN_SA_DROP_VNI_MISMATCH,
	TLSTUN_SA_DROP_AUTH_FAIL,
	TLSTUN_SA_DROP_REPLAY,
	TLSTUN_SA_DROP_TOO_SHORT,
	TLSTUN_SA_DROP_NR
};

/* tlstun_sa.flags */
enum {
	TLSTUN_SA_SOFT,		/* a soft limit was reached */
	TLSTUN_SA_SOFT_SENT,	/* ... and its event was sent */
	TLSTUN_SA_HARD,		/* a hard limit was reached: unusable */
	TLSTUN_SA_DEAD,		/* deleted, flushed or hard-expired: packets
				 * still holding it are dropped
				 */
};

/* A tx (SPI, key) pair that was used; see the install guards in sa.c. In a
 * ring of them, unused slots have SPI 0, which no SA has.
 */
struct tlstun_tx_used {
	u32 spi;
	u8 key_fp[32];
};

struct tlstun_sa_lifetime {
	u64 soft_packets, hard_packets;
	u64 soft_bytes, hard_bytes;
	u64 soft_seconds, hard_seconds;
};

/**
 * struct tlstun_sa - one security association, one direction
 * @hnode: entry in the port's SPI table (rx SAs only; port lock)
 * @list: entry in tlstun_dev.sas (tlstun_dev.lock)
 * @tt: the device; an SA holds a reference to its net_device, so the device
 *	outlives every SA, including one finishing an async crypto request
 * @ref: held by the device while the SA is installed and by every packet
 *	being sealed or opened under it (tlstun_sa_tryget()); killed on
 *	removal, so the last in-flight packet frees it
 * @free_work: frees the SA an RCU grace period after @ref dropped to zero
 * @dev_tracker: tracker of the net_device reference
 * @crypt: the AEAD transform
 * @spi: security parameter index, never zero
 * @dir: enum tlstun_sa_dir
 * @suite: enum tlstun_suite
 * @key_fp: SHA-256 of a per-boot secret salt, the suite and the key: lets
 *	the install guards compare keys without keeping them
 * @peer: the peer the SA belongs to, referenced until the SA is freed
 * @label: owner label given at install
 * @lt: limits as configured (0 = none)
 * @tx_limit: tx: counters below this may be used; the default AEAD limit,
 *	the configured hard packet limit, and never past U64_MAX - 1
 * @created: boot-time seconds at install
 * @counter: tx: next counter to use; rx: unused
 * @packets: sealed (tx) or opened (rx)
 * @bytes: inner frame bytes sealed or opened
 * @drops: per-SA drop counters
 * @flags: TLSTUN_SA_* bits
 * @expire_reason: enum tlstun_expire_reason of the soft or hard event
 * @replay_lock: protects @replay
 * @replay: rx anti-replay window
 */
struct tlstun_sa {
	struct hlist_node hnode;
	struct list_head list;
	struct tlstun_dev *tt;
	struct percpu_ref ref;
	struct rcu_work free_work;
	netdevice_tracker dev_tracker;
	struct tlstun_crypt crypt;
	u32 spi;
	u8 dir;
	u8 suite;
	u8 key_fp[32];
	struct tlstun_peer *peer;
	char label[TLSTUN_PEER_MAX];
	struct tlstun_sa_lifetime lt;
	u64 tx_limit;
	u64 created;
	atomic64_t counter;
	atomic64_t packets;
	atomic64_t bytes;
	atomic64_t drops[TLSTUN_SA_DROP_NR];
	unsigned long flags;
	u8 soft_reason;
	u8 hard_reason;
	spinlock_t replay_lock;
	struct tlstun_replay replay;
};

int tlstun_sa_init(void);

/* A peer id as a request gives it: TLSTUN_SA_ANY_PEER when absent. */
#define TLSTUN_SA_ANY_PEER	U64_MAX

int tlstun_sa_add(struct tlstun_dev *tt, u32 peer_id, struct nlattr **sa_attrs,
		  struct netlink_ext_ack *extack);
int tlstun_sa_del(struct tlstun_dev *tt, u64 peer_id, u8 dir, u32 spi,
		  struct netlink_ext_ack *extack);
void tlstun_sa_flush(struct tlstun_dev *tt);
void tlstun_sa_flush_peer(struct tlstun_dev *tt, struct tlstun_peer *peer);
struct tlstun_sa *tlstun_sa_find(struct tlstun_dev *tt, u64 peer_id, u8 dir,
				 u32 spi);
void tlstun_sa_lifetime_work(struct work_struct *work);

bool tlstun_sa_tx_account(struct tlstun_sa *sa, unsigned int len, u64 *counter);
bool tlstun_sa_rx_account(struct tlstun_sa *sa, unsigned int len);

static inline void tlstun_sa_drop(struct tlstun_sa *sa, enum tlstun_sa_drop r)
{
	atomic64_inc(&sa->drops[r]);
}

/*
 * A packet's reference. Not _live: a packet that found the SA (under RCU,
 * through its peer's tx_sa or the port table) just before a new tx SA
 * replaced it still goes through under it, as make-before-break promises;
 * the counter
 * is the same atomic, so its nonce is still unique. Once the count has
 * dropped to zero this fails, and the memory stays valid for the RCU
 * reader until a grace period later. Hard expiry is TLSTUN_SA_HARD's job
 * and deletion TLSTUN_SA_DEAD's: tlstun_sa_tx_account() and the receive
 * path's delivery refuse a dead SA, so a packet queued under it when
 * userspace deleted it is dropped, not sealed or delivered.
 */
static inline bool tlstun_sa_tryget(struct tlstun_sa *sa)
{
	return percpu_ref_tryget(&sa->ref);
}

static inline void tlstun_sa_put(struct tlstun_sa *sa)
{
	percpu_ref_put(&sa->ref);
}

#endif /* _TLSTUN_SA_H */
