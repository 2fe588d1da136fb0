/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The status socket of a tlstund, shared with "tlstun show": its name and
 * the first line of its document (status.c describes the rest).
 */
#ifndef TLSTUND_STATUS_H
#define TLSTUND_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The abstract unix socket name, after its leading NUL, of device %s. */
#define TLSTUND_STATUS_NAME_FMT		"tlstun/%s"
/* The document's first key; its value is the format's version. */
#define TLSTUND_STATUS_MAGIC		"tlstund-status"
#define TLSTUND_STATUS_VERSION		1

/* The status socket address of device @ifname; returns its length. */
static inline socklen_t tlstund_status_addr(struct sockaddr_un *sun,
					    const char *ifname)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* sun_path[0] stays NUL: an abstract name. */
	return offsetof(struct sockaddr_un, sun_path) + 1 +
	       snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
			TLSTUND_STATUS_NAME_FMT, ifname);
}

/* Whether the other end of @fd is root or our own user: the only ones
 * the daemon answers, and the only daemons the tool believes.
 */
static inline bool tlstund_status_peer_trusted(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
	       (cred.uid == 0 || cred.uid == geteuid());
}

#endif /* TLSTUND_STATUS_H */
