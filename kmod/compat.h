/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel API differences between the kernels tlstun
 * builds against (Linux 6.12 LTS, and Debian 12's 6.1 with its backports)
 * are bridged. Everything else in kmod/ is written against 6.12.
 */
#ifndef _TLSTUN_COMPAT_H
#define _TLSTUN_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <linux/crypto.h>
#include <net/genetlink.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Crypto completion callbacks take the request's data pointer since 6.3;
 * before, they took the async request and the data hung off it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define TLSTUN_CRYPTO_DONE(name, data)	void name(void *data, int err)
#define TLSTUN_CRYPTO_DATA(data)	(data)
#else
#define TLSTUN_CRYPTO_DONE(name, data) \
	void name(struct crypto_async_request *data##_req, int err)
#define TLSTUN_CRYPTO_DATA(data)	((data##_req)->data)
#endif

/* Lockless tx became a private flag in 6.12. */
static inline void tlstun_compat_set_lltx(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* Where a dump callback finds its parsed request attributes. */
static inline struct nlattr **tlstun_compat_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* Formatted extack messages arrived in 6.2; older kernels get the format
 * string itself, which still names the problem.
 */
#ifndef NL_SET_ERR_MSG_FMT
#define NL_SET_ERR_MSG_FMT(extack, fmt, ...) NL_SET_ERR_MSG(extack, fmt)
#endif

#endif /* _TLSTUN_COMPAT_H */
