/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink plumbing for the tlstun tool: sockets that report extended acks,
 * one request/reply exchange that prints the kernel's error, and device
 * lookup. Every function here prints its own error, so callers only map
 * the return value to an exit status.
 */
#ifndef TLSTUN_TOOL_NL_H
#define TLSTUN_TOOL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

/* The rtnetlink link kind; the uapi header does not name it. */

struct nl_sock *tlstun_nl_genl_open(int *family);
struct nl_sock *tlstun_nl_route_open(void);
void tlstun_nl_close(struct nl_sock *sk);

struct nl_msg *tlstun_nl_genl_msg(int family, uint8_t cmd, int flags);
void tlstun_nl_msg_free(struct nl_msg *msg);

int tlstun_nl_talk(struct nl_sock *sk, struct nl_msg *msg,
		   nl_recvmsg_msg_cb_t valid, void *arg);
int tlstun_nl_ifindex(struct nl_sock *route, const char *name, int *ifindex);
int tlstun_nl_genl_parse(struct nl_msg *msg, struct nlattr **tb);
int tlstun_nl_sa_parse(struct nlattr **tb, struct nlattr **sa);
void tlstun_nl_build_failed(void);
struct counter;
void tlstun_nl_print_counters(const char *key, const struct counter *table,
			      struct nlattr *nest);
void tlstun_nl_get_u64s(struct nlattr *nest, int max, uint64_t *values,
			bool *present);

#endif /* TLSTUN_TOOL_NL_H */
