// SPDX-License-Identifier: GPL-2.0
/*
 * UDP ports shared by the tlstun devices of a network namespace.
 *
 * A port owns one IPv4 and (when IPv6 is available) one IPv6 udp_tunnel
 * socket bound to the same number, and the table of every rx SA of every
 * device on that port, keyed by SPI. The receive path goes socket -> port
 * -> SA -> device, so an SPI must be unique per port; installing an rx SA
 * whose SPI is taken is refused, and the daemon picks another.
 *
 * Lifetime: ports are created and released under RTNL (device creation,
 * change and deletion all hold it) with a plain reference count. The
 * datapath reaches a port under RCU, the receive path through the sockets'
 * sk_user_data and the transmit path through tlstun_dev.port, so the last
 * put unpublishes it, waits for a grace period and only then closes the
 * sockets and frees it.
 */

#include <linux/hash.h>
#include <linux/rtnetlink.h>
#include <net/netns/generic.h>
#include <net/udp_tunnel.h>
#include "device.h"
#include "port.h"
#include "receive.h"
#include "sa.h"

unsigned int tlstun_net_id __read_mostly;

static struct socket *port_sock(struct net *net, u16 port, bool ipv6)
{
	struct udp_port_cfg conf = {
		.local_udp_port = htons(port),
	};
	struct socket *sock;
	int err;

	if (ipv6) {
		conf.family = AF_INET6;
		conf.ipv6_v6only = 1;
		conf.use_udp6_rx_checksums = 1;
		conf.use_udp6_tx_checksums = 1;
	} else {
		conf.family = AF_INET;
		conf.local_ip.s_addr = htonl(INADDR_ANY);
	}
	err = udp_sock_create(net, &conf, &sock);
	if (err < 0)
		return ERR_PTR(err);
	return sock;
}

static void port_setup_sock(struct net *net, struct socket *sock,
			    struct tlstun_port *port)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data = port,
		.encap_type = 1,
		.encap_rcv = tlstun_receive,
	};

	/* No udp_tunnel_notify_add_rx_port(): a NIC that parses Geneve on
	 * this port for offloads would find ciphertext where it expects an
	 * inner frame.
	 */
	setup_udp_tunnel_sock(net, sock, &cfg);
}

static void port_free(struct tlstun_port *port)
{
	free_percpu(port->drops);
	kfree(port);
}

static struct tlstun_port *port_create(struct net *net, u16 num,
				       struct netlink_ext_ack *extack)
{
	struct tlstun_net *tn = net_generic(net, tlstun_net_id);
	struct tlstun_port *port;
	struct socket *sock;
	int err = -ENOMEM;

	/* Charged to the memory cgroup of whoever binds the port. */
	port = kzalloc(sizeof(*port), GFP_KERNEL_ACCOUNT);
	if (!port)
		return ERR_PTR(-ENOMEM);
	port->drops = __netdev_alloc_pcpu_stats(struct tlstun_pcpu_port_drops,
						GFP_KERNEL_ACCOUNT);
	if (!port->drops)
		goto err_free_port;
	port->net = net;
	port->port = num;
	port->refcnt = 1;
	spin_lock_init(&port->lock);
	seqcount_spinlock_init(&port->move_seq, &port->lock);
	hash_init(port->rx_sas);

	sock = port_sock(net, num, false);
	if (IS_ERR(sock)) {
		err = PTR_ERR(sock);
		NL_SET_ERR_MSG_FMT(extack,
				       "cannot bind UDP port %u (IPv4): error %d%s",
				       num, err, err == -EADDRINUSE ?
				       ", the port is in use" : "");
		goto err_free_drops;
	}
	port->sock4 = sock;

	if (IS_ENABLED(CONFIG_IPV6)) {
		sock = port_sock(net, num, true);
		if (IS_ERR(sock) && PTR_ERR(sock) != -EAFNOSUPPORT) {
			err = PTR_ERR(sock);
			NL_SET_ERR_MSG_FMT(extack,
					       "cannot bind UDP port %u (IPv6): error %d%s",
					       num, err, err == -EADDRINUSE ?
					       ", the port is in use" : "");
			goto err_release_sock4;
		}
		if (!IS_ERR(sock))
			port->sock6 = sock;
	}

	port_setup_sock(net, port->sock4, port);
	if (port->sock6)
		port_setup_sock(net, port->sock6, port);
	list_add(&port->list, &tn->ports);
	return port;

err_release_sock4:
	udp_tunnel_sock_release(port->sock4);
err_free_drops:
	free_percpu(port->drops);
err_free_port:
	kfree(port);
	return ERR_PTR(err);
}

/**
 * tlstun_port_get() - find or create the shared port @num in @net
 * @net: namespace the sockets live in
 * @num: UDP port, host order
 * @extack: for the reason a bind failed
 *
 * Context: RTNL held.
 * Return: a referenced port or an ERR_PTR.
 */
struct tlstun_port *tlstun_port_get(struct net *net, u16 num,
				    struct netlink_ext_ack *extack)
{
	struct tlstun_net *tn = net_generic(net, tlstun_net_id);
	struct tlstun_port *port;

	ASSERT_RTNL();
	list_for_each_entry(port, &tn->ports, list) {
		if (port->port == num) {
			port->refcnt++;
			return port;
		}
	}
	return port_create(net, num, extack);
}

/**
 * tlstun_port_put() - drop a reference; the last one closes the sockets
 * @port: the port, with no rx SA left from the caller's device
 *
 * Context: RTNL held.
 */
void tlstun_port_put(struct tlstun_port *port)
{
	int bkt;
	struct tlstun_sa *sa;

	ASSERT_RTNL();
	if (--port->refcnt)
		return;
	hash_for_each(port->rx_sas, bkt, sa, hnode)
		WARN_ONCE(1, "tlstun: port %u freed with SA %08x\n",
			  port->port, sa->spi);
	list_del(&port->list);
	/* Unpublish, then wait for readers, then close. No device points
	 * here any more (the caller cleared its tt->port), and with
	 * sk_user_data cleared the receive path finds no port either. But a
	 * sender that found the port before, under RCU, may still be using
	 * port->sock4->sk or sock6->sk, which sock_release() takes apart
	 * and NULLs, and a receiver may still hold the port. Closing happens
	 * here rather than in an RCU callback so that the UDP port number is
	 * free again when this returns: a device changed back to it, or
	 * created again, must be able to bind it.
	 */
	rcu_assign_sk_user_data(port->sock4->sk, NULL);
	if (port->sock6)
		rcu_assign_sk_user_data(port->sock6->sk, NULL);
	synchronize_net();
	udp_tunnel_sock_release(port->sock4);
	if (port->sock6)
		udp_tunnel_sock_release(port->sock6);
	port_free(port);
}

static struct tlstun_sa *port_find(struct tlstun_port *port, u32 spi)
{
	struct tlstun_sa *sa;

	hash_for_each_possible_rcu(port->rx_sas, sa, hnode, spi) {
		if (sa->spi == spi)
			return sa;
	}
	return NULL;
}

/**
 * tlstun_port_spi_free() - whether no rx SA on @port uses @spi
 * @port: the port
 * @spi: the SPI
 *
 * Context: the caller holds the device lock of every device that could add
 * an SA it is about to move here, and RTNL, so the answer stays true until
 * it acts on it; see tlstun_dev_change_cfg().
 * Return: true when @spi is free.
 */
bool tlstun_port_spi_free(struct tlstun_port *port, u32 spi)
{
	bool free;

	spin_lock_bh(&port->lock);
	free = !port_find(port, spi);
	spin_unlock_bh(&port->lock);
	return free;
}

/**
 * tlstun_port_add_sa() - publish an rx SA to the receive path
 * @port: the port of the SA's device
 * @sa: an rx SA
 * @extack: why it was refused
 *
 * Return: 0, or -EEXIST when another rx SA on the port has the same SPI.
 */
int tlstun_port_add_sa(struct tlstun_port *port, struct tlstun_sa *sa,
		       struct netlink_ext_ack *extack)
{
	int err = 0;

	spin_lock_bh(&port->lock);
	if (port_find(port, sa->spi)) {
		NL_SET_ERR_MSG_FMT(extack,
				       "rx SPI 0x%08x is already in use on UDP port %u",
				       sa->spi, port->port);
		err = -EEXIST;
	} else {
		hash_add_rcu(port->rx_sas, &sa->hnode, sa->spi);
	}
	spin_unlock_bh(&port->lock);
	return err;
}

/**
 * tlstun_port_del_sa() - unpublish an rx SA; packets that already found it
 *	finish under their own reference
 * @port: the port it was added to
 * @sa: the SA
 */
void tlstun_port_del_sa(struct tlstun_port *port, struct tlstun_sa *sa)
{
	spin_lock_bh(&port->lock);
	hash_del_rcu(&sa->hnode);
	spin_unlock_bh(&port->lock);
}

/**
 * tlstun_port_lookup() - the rx SA for @spi
 * @port: the port the packet arrived on
 * @spi: the packet's SPI
 *
 * Context: RCU read side.
 * Return: the SA, unreferenced, or NULL.
 */
struct tlstun_sa *tlstun_port_lookup(struct tlstun_port *port, u32 spi)
{
	struct tlstun_sa *sa;
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&port->move_seq);
		sa = port_find(port, spi);
	} while (read_seqcount_retry(&port->move_seq, seq));
	return sa;
}

/**
 * tlstun_port_drop() - count a drop that no device can own yet
 * @port: the port
 * @reason: why
 */
void tlstun_port_drop(struct tlstun_port *port, enum tlstun_port_drop reason)
{
	struct tlstun_pcpu_port_drops *d = this_cpu_ptr(port->drops);

	u64_stats_update_begin(&d->syncp);
	u64_stats_inc(&d->count[reason]);
	u64_stats_update_end(&d->syncp);
}

/**
 * tlstun_port_read_drops() - sum the port's drop counters over all CPUs
 * @port: the port
 * @out: one total per enum tlstun_port_drop
 */
void tlstun_port_read_drops(struct tlstun_port *port,
			    u64 out[TLSTUN_PORT_DROP_NR])
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * TLSTUN_PORT_DROP_NR);
	for_each_possible_cpu(cpu) {
		const struct tlstun_pcpu_port_drops *d = per_cpu_ptr(port->drops, cpu);
		u64 v[TLSTUN_PORT_DROP_NR];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&d->syncp);
			for (i = 0; i < TLSTUN_PORT_DROP_NR; i++)
				v[i] = u64_stats_read(&d->count[i]);
		} while (u64_stats_fetch_retry(&d->syncp, start));
		for (i = 0; i < TLSTUN_PORT_DROP_NR; i++)
			out[i] += v[i];
	}
}

static int __net_init tlstun_net_init(struct net *net)
{
	struct tlstun_net *tn = net_generic(net, tlstun_net_id);

	INIT_LIST_HEAD(&tn->devs);
	INIT_LIST_HEAD(&tn->ports);
	return 0;
}

static void __net_exit tlstun_net_exit_rtnl(struct list_head *net_list,
					    struct list_head *dev_kill_list)
{
	struct tlstun_dev *tt, *tmp;
	struct net *net;

	/* Devices living in a dying namespace are deleted by the core; this
	 * also deletes the ones that moved elsewhere but whose sockets live
	 * in it, since they could never send or receive again.
	 */
	list_for_each_entry(net, net_list, exit_list) {
		struct tlstun_net *tn = net_generic(net, tlstun_net_id);

		list_for_each_entry_safe(tt, tmp, &tn->devs, net_list)
			tlstun_link_ops.dellink(tt->dev, dev_kill_list);
	}
}

static void __net_exit tlstun_net_exit(struct net *net)
{
	struct tlstun_net *tn = net_generic(net, tlstun_net_id);

	WARN_ON_ONCE(!list_empty(&tn->ports));
}

static struct pernet_operations tlstun_net_ops = {
	.init = tlstun_net_init,
	.exit_batch_rtnl = tlstun_net_exit_rtnl,
	.exit = tlstun_net_exit,
	.id = &tlstun_net_id,
	.size = sizeof(struct tlstun_net),
};

/**
 * tlstun_port_init() - register the per-namespace state
 *
 * Return: 0 or a negative errno.
 */
int tlstun_port_init(void)
{
	return register_pernet_device(&tlstun_net_ops);
}

/**
 * tlstun_port_uninit() - unregister the per-namespace state
 */
void tlstun_port_uninit(void)
{
	unregister_pernet_device(&tlstun_net_ops);
}
