// SPDX-License-Identifier: GPL-2.0
/*
 * nocapack.so: LD_PRELOAD it to make setsockopt(SOL_NETLINK,
 * NETLINK_CAP_ACK) fail with ENOPROTOOPT, as a kernel without capped acks
 * would (before 4.2). Every other option goes through. The kselftests use
 * it to check that tlstun and tlstund refuse to run without capped acks
 * instead of letting an error reply echo a key back.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*next)(int, int, int, const void *, socklen_t);

	if (level == SOL_NETLINK && name == NETLINK_CAP_ACK) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (!next)
		next = (int (*)(int, int, int, const void *, socklen_t))
		       dlsym(RTLD_NEXT, "setsockopt");
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	return next(fd, level, name, val, len);
}
