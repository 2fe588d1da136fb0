// SPDX-License-Identifier: GPL-2.0
/*
 * tlstun: an encrypted Geneve overlay whose keys come from a TLS 1.3 or QUIC
 * mutual-TLS handshake run by tlstund in userspace.
 */

#include <linux/module.h>
#include <linux/workqueue.h>
#include <linux/tlstun.h>
#include "device.h"
#include "netlink.h"
#include "port.h"
#include "receive.h"
#include "sa.h"

static int __init tlstun_init(void)
{
	int err;

	err = tlstun_sa_init();
	if (err)
		return err;
	tlstun_wq = alloc_workqueue("tlstun", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!tlstun_wq)
		return -ENOMEM;
	/* Bound to CPUs: receive.c picks the CPU a device's packets are
	 * opened on.
	 */
	tlstun_rx_wq = alloc_workqueue("tlstun-rx", WQ_HIGHPRI | WQ_MEM_RECLAIM,
				       0);
	if (!tlstun_rx_wq) {
		err = -ENOMEM;
		goto err_destroy_wq;
	}
	err = tlstun_port_init();
	if (err)
		goto err_destroy_wq;
	/* The family before the link type, so that it is gone only after
	 * every device: a device's lifetime work sends events on the family
	 * until the device is freed, and a family unregistered under it
	 * would let them go out under a family id and multicast group that
	 * another family may be given next. Until the link type exists the
	 * family's operations find no device to act on.
	 */
	err = tlstun_nl_init();
	if (err)
		goto err_port;
	err = tlstun_device_init();
	if (err)
		goto err_nl;
	pr_info("tlstun: encrypted Geneve overlay, generic netlink family \"%s\"\n",
		TLSTUN_GENL_NAME);
	return 0;

err_nl:
	tlstun_nl_uninit();
err_port:
	tlstun_port_uninit();
err_destroy_wq:
	if (tlstun_rx_wq)
		destroy_workqueue(tlstun_rx_wq);
	destroy_workqueue(tlstun_wq);
	return err;
}

static void __exit tlstun_exit(void)
{
	tlstun_device_uninit();
	tlstun_nl_uninit();
	tlstun_port_uninit();
	/* SA and configuration frees are RCU callbacks, some of which
	 * queue work on tlstun_wq: let them all run, then drain it.
	 */
	rcu_barrier();
	destroy_workqueue(tlstun_rx_wq);
	destroy_workqueue(tlstun_wq);
}

module_init(tlstun_init);
module_exit(tlstun_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tlstun: encrypted Geneve overlay keyed by TLS 1.3/QUIC");
MODULE_AUTHOR("tlstun developers");
MODULE_ALIAS_RTNL_LINK("tlstun");
MODULE_ALIAS_GENL_FAMILY(TLSTUN_GENL_NAME);
