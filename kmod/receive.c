// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: UDP -> strict Geneve parse -> SA by SPI -> VNI and length
 * checks -> AES-GCM open in place -> replay window -> inner frame to the
 * stack through GRO.
 *
 * The order is Documentation/wire-format.rst's "Receiver" rules. The replay
 * window is checked and advanced only after the packet authenticated, so a
 * forged packet can neither move the window nor burn a counter. Every drop
 * is counted: before an SA is found against the UDP port, after against the
 * device and the SA.
 *
 * Where the opening happens. The checks up to the AEAD run in the UDP
 * socket's softirq; the packet then goes into the device's receive ring and
 * a work item opens and delivers it on another CPU. Opening is the costly
 * part, and the softirq that received the datagram is often the sender's
 * own (a veth, or any locally generated traffic): inline, sealing and
 * opening would share one CPU while the others idle. One consumer per
 * device keeps packets in order, which TCP and the replay window both
 * prefer. Handing a packet to another CPU costs a queue and, when the
 * worker is idle, a wakeup, which only opening a big packet repays: small
 * packets (acks, pings, small datagrams) are opened inline, unless earlier
 * packets of the device are still queued, so that nothing overtakes them.
 * With one CPU online every packet is opened inline.
 */

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <net/gro_cells.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include "device.h"
#include "fdb.h"
#include "geneve.h"
#include "peer.h"
#include "port.h"
#include "receive.h"
#include "sa.h"

struct recv_cb {
	struct tlstun_skb_cb crypt;
	u8 outer_tos;
	bool queued;	/* came through the device's receive ring */
};

#define RECV_CB(skb) ((struct recv_cb *)(skb)->cb)
static_assert(sizeof(struct recv_cb) <= sizeof_field(struct sk_buff, cb));

static void drop(struct tlstun_dev *tt, struct tlstun_sa *sa,
		 struct sk_buff *skb, enum tlstun_drop reason, int sa_reason)
{
	tlstun_dev_drop(tt, reason);
	if (sa && sa_reason >= 0)
		tlstun_sa_drop(sa, sa_reason);
	DEV_STATS_INC(tt->dev, rx_dropped);
	kfree_skb(skb);
}

/* RFC 6040 decapsulation of the outer ECN field into the inner header. */
static int ecn_decapsulate(struct sk_buff *skb, u8 outer_tos)
{
	u8 inner;

	if (skb->protocol == htons(ETH_P_IP))
		inner = ip_hdr(skb)->tos;
	else if (skb->protocol == htons(ETH_P_IPV6))
		inner = ipv6_get_dsfield(ipv6_hdr(skb));
	else
		return 0;
	return INET_ECN_decapsulate(skb, outer_tos, inner);
}

/* The packet authenticated. Check its counter, strip the tunnel and hand
 * the inner frame to the stack.
 */
static void deliver(struct sk_buff *skb)
{
	struct recv_cb *cb = RECV_CB(skb);
	struct tlstun_sa *sa = cb->crypt.sa;
	struct tlstun_dev *tt = sa->tt;
	struct net_device *dev = tt->dev;
	unsigned int len = cb->crypt.inner_len;
	u8 outer_tos = cb->outer_tos;
	bool fresh;

	/* Deleted while this packet was queued or being opened: userspace
	 * was told the SA is gone, so nothing more is delivered under it.
	 */
	if (unlikely(test_bit(TLSTUN_SA_DEAD, &sa->flags))) {
		drop(tt, sa, skb, TLSTUN_DROP_RX_SA_DELETED, -1);
		return;
	}
	spin_lock_bh(&sa->replay_lock);
	fresh = tlstun_replay_check_and_update(&sa->replay, cb->crypt.counter);
	spin_unlock_bh(&sa->replay_lock);
	if (!fresh) {
		drop(tt, sa, skb, TLSTUN_DROP_RX_REPLAY, TLSTUN_SA_DROP_REPLAY);
		return;
	}
	if (!tlstun_sa_rx_account(sa, len)) {
		drop(tt, sa, skb, TLSTUN_DROP_RX_SA_EXPIRED, -1);
		return;
	}
	if (pskb_trim(skb, skb->len - TLSTUN_TAG_LEN)) {
		drop(tt, sa, skb, TLSTUN_DROP_RX_NOMEM, -1);
		return;
	}
	__skb_pull(skb, TLSTUN_GENEVE_HLEN);
	if (!pskb_may_pull(skb, ETH_HLEN)) {
		drop(tt, sa, skb, TLSTUN_DROP_RX_NOMEM, -1);
		return;
	}
	skb_reset_mac_header(skb);
	skb_scrub_packet(skb, !net_eq(tt->net, dev_net(dev)));
	skb->protocol = eth_type_trans(skb, dev);
	/* With peers, the frame teaches where its source MAC is: only
	 * now, after it authenticated under one of that peer's SAs.
	 */
	if (READ_ONCE(tt->n_peers) &&
	    !tlstun_fdb_learn(tt, sa->peer, eth_hdr(skb)->h_source)) {
		drop(tt, sa, skb, TLSTUN_DROP_RX_MAC_STATIC, -1);
		return;
	}
	skb_reset_network_header(skb);
	if (pskb_inet_may_pull(skb) && ecn_decapsulate(skb, outer_tos) > 1) {
		/* Outer CE on a not-ECT inner packet: RFC 6040 says drop. */
		drop(tt, sa, skb, TLSTUN_DROP_RX_ECN, -1);
		return;
	}
	/* Claim no checksum as verified. The tag proves the frame is the one
	 * the peer sealed, not that its checksums are right: the peer
	 * finishes the checksums its own stack left partial, but seals a
	 * forwarded frame (a bridge port, say) with whatever checksum it
	 * came with, and nothing on the wire tells the two apart. The outer
	 * packet's checksum state (verified, or a sum over the ciphertext)
	 * says nothing about the inner frame either. The stack verifies.
	 */
	skb->ip_summed = CHECKSUM_NONE;
	if (likely(gro_cells_receive(&tt->gro_cells, skb) == NET_RX_SUCCESS)) {
		dev_sw_netstats_rx_add(dev, len);
		tlstun_peer_count_rx(sa->peer, len);
	}
}

static void open_finish(struct sk_buff *skb, int err)
{
	struct tlstun_sa *sa = TLSTUN_CB(skb)->sa;
	struct tlstun_dev *tt = sa->tt;

	if (err == -EBADMSG)
		drop(tt, sa, skb, TLSTUN_DROP_RX_AUTH_FAIL,
		     TLSTUN_SA_DROP_AUTH_FAIL);
	else if (err)
		drop(tt, sa, skb, TLSTUN_DROP_RX_NOMEM, -1);
	else
		deliver(skb);
	tlstun_sa_put(sa);
}

static TLSTUN_CRYPTO_DONE(open_done, data)
{
	struct sk_buff *skb = TLSTUN_CRYPTO_DATA(data);
	struct tlstun_dev *tt = TLSTUN_CB(skb)->sa->tt;
	bool queued = RECV_CB(skb)->queued;

	tlstun_crypt_release(skb);
	local_bh_disable();
	open_finish(skb, err);
	/* The device outlives its SAs by an RCU grace period, and this is
	 * an RCU read side.
	 */
	if (queued)
		atomic_dec(&tt->rx_inflight);
	local_bh_enable();
}

static u8 outer_tos(struct sk_buff *skb)
{
	if (ip_hdr(skb)->version == 4)
		return ip_hdr(skb)->tos;
	return ipv6_get_dsfield(ipv6_hdr(skb));
}

#define RX_BUDGET 64

struct workqueue_struct *tlstun_rx_wq;

static void rx_work(struct work_struct *work)
{
	struct tlstun_dev *tt = container_of(work, struct tlstun_dev, rx_work);
	struct sk_buff *skb;
	int n = 0, err;

	while ((skb = ptr_ring_consume_bh(&tt->rx_ring))) {
		local_bh_disable();
		err = tlstun_crypt_open(TLSTUN_CB(skb)->sa, skb, open_done);
		if (err != -EINPROGRESS)
			open_finish(skb, err);
		/* The frame is in this CPU's GRO cell; enabling BHs runs its
		 * NAPI and takes the frame up the stack. Only after that may
		 * a small frame behind it be opened inline on another CPU,
		 * or it could overtake this one (asynchronous opens count
		 * down in open_done()).
		 */
		local_bh_enable();
		if (err != -EINPROGRESS)
			atomic_dec(&tt->rx_inflight);
		/* Let others run; what is left is picked up again here. */
		if (++n == RX_BUDGET) {
			queue_work(tlstun_rx_wq, work);
			return;
		}
	}
}

/* Drop what is left in the receive ring. Counting a drop uses the per-CPU
 * counters, which the datapath only updates with BHs off: so does this,
 * or a migration between this_cpu_ptr() and the update would race with
 * another CPU's softirq on the same counter.
 */
static void rx_ring_drain(struct tlstun_dev *tt)
{
	struct sk_buff *skb;
	struct tlstun_sa *sa;

	local_bh_disable();
	while ((skb = ptr_ring_consume(&tt->rx_ring))) {
		sa = TLSTUN_CB(skb)->sa;
		atomic_dec(&tt->rx_inflight);
		drop(tt, sa, skb, TLSTUN_DROP_RX_DEV_DOWN, -1);
		tlstun_sa_put(sa);
	}
	local_bh_enable();
}

/**
 * tlstun_receive_init() - set up a device's receive ring
 * @tt: the device
 *
 * Return: 0 or -ENOMEM.
 */
int tlstun_receive_init(struct tlstun_dev *tt)
{
	INIT_WORK(&tt->rx_work, rx_work);
	atomic_set(&tt->rx_inflight, 0);
	return ptr_ring_init(&tt->rx_ring, TLSTUN_RX_RING, GFP_KERNEL_ACCOUNT);
}

/**
 * tlstun_receive_uninit() - stop and empty a device's receive ring
 * @tt: the device, whose rx SAs are already gone from its port
 *
 * Context: process context; waits for an RCU grace period, so no receive
 * path can still be queueing.
 */
void tlstun_receive_uninit(struct tlstun_dev *tt)
{
	synchronize_net();
	cancel_work_sync(&tt->rx_work);
	rx_ring_drain(tt);
	ptr_ring_cleanup(&tt->rx_ring, NULL);
}

/**
 * tlstun_receive() - encap_rcv of the tlstun UDP sockets
 * @sk: the socket, whose sk_user_data is the port
 * @skb: the datagram, data at the UDP header, checksum verified
 *
 * Context: softirq, RCU read side.
 * Return: 0; the skb is always consumed.
 */
int tlstun_receive(struct sock *sk, struct sk_buff *skb)
{
	struct tlstun_port *port = rcu_dereference_sk_user_data(sk);
	struct tlstun_geneve_info gi;
	struct tlstun_dev *tt;
	struct tlstun_sa *sa;
	struct recv_cb *cb;
	u32 vni;
	int err;

	if (unlikely(!port)) {
		/* The port is being closed; no device is left to count. */
		kfree_skb(skb);
		return 0;
	}
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + TLSTUN_GENEVE_HLEN) ||
	    tlstun_geneve_parse((u8 *)(udp_hdr(skb) + 1), TLSTUN_GENEVE_HLEN,
				&gi) < 0) {
		tlstun_port_drop(port, TLSTUN_PORT_DROP_MALFORMED);
		kfree_skb(skb);
		return 0;
	}
	sa = tlstun_port_lookup(port, gi.spi);
	if (!sa) {
		tlstun_port_drop(port, TLSTUN_PORT_DROP_UNKNOWN_SPI);
		kfree_skb(skb);
		return 0;
	}
	tt = sa->tt;
	if (test_bit(TLSTUN_SA_HARD, &sa->flags) || !tlstun_sa_tryget(sa)) {
		drop(tt, NULL, skb, TLSTUN_DROP_RX_SA_EXPIRED, -1);
		return 0;
	}
	vni = READ_ONCE(rcu_dereference(tt->cfg)->vni);
	if (gi.vni != vni) {
		drop(tt, sa, skb, TLSTUN_DROP_RX_VNI_MISMATCH,
		     TLSTUN_SA_DROP_VNI_MISMATCH);
		goto out_put;
	}
	if (skb->len < sizeof(struct udphdr) + TLSTUN_OVERHEAD + ETH_HLEN) {
		drop(tt, sa, skb, TLSTUN_DROP_RX_TOO_SHORT,
		     TLSTUN_SA_DROP_TOO_SHORT);
		goto out_put;
	}
	if (unlikely(!netif_running(tt->dev))) {
		drop(tt, sa, skb, TLSTUN_DROP_RX_DEV_DOWN, -1);
		goto out_put;
	}

	cb = RECV_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->outer_tos = outer_tos(skb);
	cb->crypt.sa = sa;
	cb->crypt.counter = gi.counter;
	__skb_pull(skb, sizeof(struct udphdr));
	cb->crypt.inner_len = skb->len - TLSTUN_OVERHEAD;
	skb->dev = tt->dev;

	if (num_online_cpus() > 1 &&
	    (cb->crypt.inner_len >= TLSTUN_RX_OFFLOAD_MIN ||
	     atomic_read(&tt->rx_inflight))) {
		/* The ring keeps the SA reference the packet holds. */
		cb->queued = true;
		atomic_inc(&tt->rx_inflight);
		if (unlikely(ptr_ring_produce(&tt->rx_ring, skb))) {
			atomic_dec(&tt->rx_inflight);
			drop(tt, sa, skb, TLSTUN_DROP_RX_QUEUE_FULL, -1);
			goto out_put;
		}
		queue_work_on(cpumask_next_wrap(smp_processor_id(),
						cpu_online_mask,
						smp_processor_id(), false),
			      tlstun_rx_wq, &tt->rx_work);
		return 0;
	}
	err = tlstun_crypt_open(sa, skb, open_done);
	if (err == -EINPROGRESS)
		return 0;
	open_finish(skb, err);
	return 0;

out_put:
	tlstun_sa_put(sa);
	return 0;
}
