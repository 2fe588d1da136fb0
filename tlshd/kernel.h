/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of the tlstun netlink contract (include/uapi/linux/
 * tlstun.h): make sure the device exists and points at the peer, install
 * and remove SAs, list them, and receive the kernel's SA events.
 */
#ifndef TLSTUND_KERNEL_H
#define TLSTUND_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/tlstun.h>

struct tlstund_kernel;
struct tlstund_config;

struct tlstund_sa_params {
	uint8_t dir;			/* enum tlstun_sa_dir */
	uint32_t spi;
	uint16_t suite;			/* enum tlstun_suite */
	const uint8_t *key;
	size_t keylen;
	const char *peer;		/* owner label, may be NULL */
	uint32_t replay_window;		/* rx; 0 = kernel default */
	uint64_t soft_packets, hard_packets;
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_seconds, hard_seconds;
};

struct tlstund_sa_info {
	uint8_t dir;
	uint32_t spi;
	uint16_t suite;
	char peer[TLSTUN_PEER_MAX];
};

enum tlstund_kernel_event_type {
	TLSTUND_EV_SOFT_EXPIRE,
	TLSTUND_EV_HARD_EXPIRE,
	TLSTUND_EV_ACQUIRE,
};

struct tlstund_kernel_event {
	enum tlstund_kernel_event_type type;
	int ifindex;
	uint8_t dir;			/* expire events */
	uint32_t spi;			/* expire events; acquire: 0 if none */
	uint8_t reason;			/* enum tlstun_expire_reason */
};

typedef void (*tlstund_kernel_event_cb)(void *arg,
					const struct tlstund_kernel_event *ev);

int tlstund_kernel_open(struct tlstund_kernel **k, char *err, size_t errlen);
void tlstund_kernel_close(struct tlstund_kernel *k);

int tlstund_kernel_ensure_device(struct tlstund_kernel *k,
				 const struct tlstund_config *cfg,
				 int *ifindex, bool *created, char *err,
				 size_t errlen);
int tlstund_kernel_set_remote(struct tlstund_kernel *k, int ifindex,
			      const struct sockaddr *remote, char *err,
			      size_t errlen);

int tlstund_kernel_add_sa(struct tlstund_kernel *k, int ifindex,
			  const struct tlstund_sa_params *p, char *err,
			  size_t errlen);
int tlstund_kernel_del_sa(struct tlstund_kernel *k, int ifindex, uint8_t dir,
			  uint32_t spi, char *err, size_t errlen);
int tlstund_kernel_list_sas(struct tlstund_kernel *k, int ifindex,
			    struct tlstund_sa_info *out, size_t max,
			    size_t *n, char *err, size_t errlen);

int tlstund_kernel_event_fd(struct tlstund_kernel *k);
const char *tlstund_kernel_gone(const struct tlstund_kernel *k);
int tlstund_kernel_read_events(struct tlstund_kernel *k,
			       tlstund_kernel_event_cb cb, void *arg);

#endif /* TLSTUND_KERNEL_H */
