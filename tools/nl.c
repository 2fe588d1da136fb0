// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink helpers. Both sockets ask for extended acks, so a refusal comes
 * with the kernel's reason, and must get capped acks, so an error reply
 * does not echo the request back: an SA request carries a key, and libnl
 * frees its receive buffers without wiping them. A kernel that refuses
 * NETLINK_CAP_ACK (before 4.2) is refused in turn.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/route/link.h>

#include <linux/tlstun.h>

#include "nl.h"
#include "tlstun.h"
#include "print.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* The state of one request while its replies come in. */
struct exchange {
	nl_recvmsg_msg_cb_t valid;
	void *arg;
	bool done;
	int error;		/* the kernel's -errno, or 0 */
	char extack[256];
};

static const struct nla_policy attr_policy[TLSTUN_A_MAX + 1] = {
	[TLSTUN_A_IFINDEX]	= { .type = NLA_U32 },
	[TLSTUN_A_IFNAME]	= { .type = NLA_STRING },
	[TLSTUN_A_REMOTE]	= { .type = NLA_U32 },
	[TLSTUN_A_REMOTE6]	= { .minlen = 16 },
	[TLSTUN_A_LOCAL]	= { .type = NLA_U32 },
	[TLSTUN_A_LOCAL6]	= { .minlen = 16 },
	[TLSTUN_A_PORT]		= { .type = NLA_U16 },
	[TLSTUN_A_VNI]		= { .type = NLA_U32 },
	[TLSTUN_A_TTL]		= { .type = NLA_U8 },
	[TLSTUN_A_TOS]		= { .type = NLA_U8 },
	[TLSTUN_A_DF]		= { .type = NLA_U8 },
	[TLSTUN_A_FLAGS]	= { .type = NLA_U32 },
	[TLSTUN_A_TX_SPI]	= { .type = NLA_U32 },
	[TLSTUN_A_SA_COUNT]	= { .type = NLA_U32 },
	[TLSTUN_A_STATS]	= { .type = NLA_NESTED },
	[TLSTUN_A_SA]		= { .type = NLA_NESTED },
	[TLSTUN_A_EXPIRE_REASON] = { .type = NLA_U8 },
	[TLSTUN_A_PEER_ID]	= { .type = NLA_U32 },
	[TLSTUN_A_PEER]		= { .type = NLA_NESTED },
	[TLSTUN_A_FDB]		= { .type = NLA_NESTED },
	[TLSTUN_A_FDB_AGEING]	= { .type = NLA_U32 },
	[TLSTUN_A_PEER_COUNT]	= { .type = NLA_U32 },
	[TLSTUN_A_FDB_COUNT]	= { .type = NLA_U32 },
};

/* The nest of an SA in GET_SA replies and in events. */
static const struct nla_policy sa_policy[TLSTUN_SA_MAX + 1] = {
	[TLSTUN_SA_DIR]		= { .type = NLA_U8 },
	[TLSTUN_SA_SPI]		= { .type = NLA_U32 },
	[TLSTUN_SA_SUITE]	= { .type = NLA_U16 },
	[TLSTUN_SA_REPLAY_WINDOW] = { .type = NLA_U32 },
	[TLSTUN_SA_PEER]	= { .type = NLA_STRING },
	[TLSTUN_SA_LIFETIME]	= { .type = NLA_NESTED },
	[TLSTUN_SA_FLAGS]	= { .type = NLA_U32 },
	[TLSTUN_SA_AGE_SECONDS]	= { .type = NLA_U64 },
	[TLSTUN_SA_STATE]	= { .type = NLA_U32 },
	[TLSTUN_SA_STATS]	= { .type = NLA_NESTED },
};

/*
 * Capped acks are required: without them the kernel's error reply echoes
 * the whole request, key included, into a buffer libnl frees unwiped.
 * Extended acks only add the kernel's reason; kernels before 4.12 lack
 * them and their errors are plainer.
 */
static int set_acks(struct nl_sock *sk)
{
	int one = 1, fd = nl_socket_get_fd(sk);

	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		fprintf(stderr, "Error: the kernel refuses NETLINK_CAP_ACK (%s); without it an error reply would echo a key back\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static struct nl_sock *sock_open(int protocol)
{
	struct nl_sock *sk;
	int err;

	sk = nl_socket_alloc();
	if (!sk) {
		fprintf(stderr, "Error: cannot allocate a netlink socket\n");
		return NULL;
	}
	err = nl_connect(sk, protocol);
	if (err) {
		fprintf(stderr, "Error: cannot open a netlink socket: %s\n",
			nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	if (set_acks(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/**
 * tlstun_nl_genl_open() - connect to the tlstun generic netlink family
 * @family: set to the family id
 *
 * Return: the socket, or NULL after printing why, most often that the
 * module is not loaded.
 */
struct nl_sock *tlstun_nl_genl_open(int *family)
{
	struct nl_sock *sk = sock_open(NETLINK_GENERIC);
	int id;

	if (!sk)
		return NULL;
	id = genl_ctrl_resolve(sk, TLSTUN_GENL_NAME);
	if (id < 0) {
		if (id == -NLE_OBJ_NOTFOUND)
			fprintf(stderr, "tlstun: the tlstun kernel module is not loaded (generic netlink family \"%s\" not found)\n",
				TLSTUN_GENL_NAME);
		else
			fprintf(stderr, "Error: cannot resolve the generic netlink family \"%s\": %s\n",
				TLSTUN_GENL_NAME, nl_geterror(id));
		nl_socket_free(sk);
		return NULL;
	}
	*family = id;
	return sk;
}

/**
 * tlstun_nl_route_open() - open an rtnetlink socket
 *
 * Return: the socket, or NULL after printing why.
 */
struct nl_sock *tlstun_nl_route_open(void)
{
	return sock_open(NETLINK_ROUTE);
}

/**
 * tlstun_nl_close() - close a socket from tlstun_nl_*_open()
 * @sk: the socket, or NULL
 */
void tlstun_nl_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

/**
 * tlstun_nl_genl_msg() - start a tlstun generic netlink request
 * @family: the family id from tlstun_nl_genl_open()
 * @cmd: a TLSTUN_CMD_*
 * @flags: extra nlmsg flags, NLM_F_DUMP for a dump
 *
 * Return: the message, or NULL after printing why.
 */
struct nl_msg *tlstun_nl_genl_msg(int family, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				 flags, cmd, TLSTUN_GENL_VERSION)) {
		nlmsg_free(msg);
		tlstun_nl_build_failed();
		return NULL;
	}
	return msg;
}

/**
 * tlstun_nl_msg_free() - wipe and free a request
 * @msg: the message, or NULL
 *
 * Requests may carry a key; the whole message is wiped, not only the key
 * attribute, so no copy is left in the freed buffer.
 */
void tlstun_nl_msg_free(struct nl_msg *msg)
{
	struct nlmsghdr *nlh;

	if (!msg)
		return;
	nlh = nlmsg_hdr(msg);
	explicit_bzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

/**
 * tlstun_nl_build_failed() - report a request that did not fit its buffer
 */
void tlstun_nl_build_failed(void)
{
	fprintf(stderr, "Error: cannot build the netlink request (out of memory)\n");
}

/*
 * The TLVs follow the error code and the echoed request header, plus the
 * request's payload unless the kernel capped the ack (NETLINK_CAP_ACK).
 * A dump's NLMSG_DONE carries them after its int error code.
 */
static void parse_extack(struct nlmsghdr *nlh, size_t skip,
			 struct exchange *ex)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = nlmsg_datalen(nlh);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || skip >= (size_t)len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + skip),
		      len - skip, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0)
		nla_strlcpy(ex->extack, tb[NLMSGERR_ATTR_MSG],
			    sizeof(ex->extack));
}

static size_t error_tlv_offset(struct nlmsghdr *nlh)
{
	struct nlmsgerr *err = nlmsg_data(nlh);
	size_t skip = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    err->msg.nlmsg_len > sizeof(struct nlmsghdr))
		skip += NLMSG_ALIGN(err->msg.nlmsg_len) -
			sizeof(struct nlmsghdr);
	return skip;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	/* libnl passes the payload; the header sits just before it. */
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct exchange *ex = arg;

	(void)nla;
	ex->error = err->error;
	ex->done = true;
	parse_extack(nlh, error_tlv_offset(nlh), ex);
	return NL_STOP;
}

/* An ack may still carry a message: the kernel's warning. */
static int on_ack(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct exchange *ex = arg;

	ex->done = true;
	if (nlmsg_datalen(nlh) >= (int)sizeof(struct nlmsgerr))
		parse_extack(nlh, error_tlv_offset(nlh), ex);
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct exchange *ex = arg;
	int error;

	ex->done = true;
	if (nlmsg_datalen(nlh) >= (int)sizeof(error)) {
		memcpy(&error, nlmsg_data(nlh), sizeof(error));
		if (error < 0)
			ex->error = error;
		parse_extack(nlh, sizeof(error), ex);
	}
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exchange *ex = arg;

	return ex->valid ? ex->valid(msg, ex->arg) : NL_OK;
}

static void print_kernel_error(const struct exchange *ex)
{
	if (ex->extack[0])
		fprintf(stderr, "Error: %s: %s\n", strerror(-ex->error),
			ex->extack);
	/* The permission check comes before any handler, so it says no more. */
	else if (ex->error == -EPERM)
		fprintf(stderr, "Error: %s (tlstun needs CAP_NET_ADMIN)\n",
			strerror(-ex->error));
	else
		fprintf(stderr, "Error: %s\n", strerror(-ex->error));
}

/**
 * tlstun_nl_talk() - send a request and read every reply up to its end
 * @sk: the socket
 * @msg: the request; the caller still owns and frees it
 * @valid: called for each reply message (a doit reply or each dump part),
 *	   or NULL
 * @arg: passed to @valid
 *
 * Reads until the ack, the error or the NLMSG_DONE of a dump, however many
 * parts the dump takes. The kernel's error is printed with its extack
 * message; an extack message on success is printed as a warning.
 *
 * Return: 0, the kernel's -errno, or -EPROTO for a local netlink failure.
 */
int tlstun_nl_talk(struct nl_sock *sk, struct nl_msg *msg,
		   nl_recvmsg_msg_cb_t valid, void *arg)
{
	struct exchange ex = { .valid = valid, .arg = arg };
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		fprintf(stderr, "Error: out of memory\n");
		return -EPROTO;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &ex);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &ex);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &ex);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ex);

	ret = nl_send_auto(sk, msg);
	if (ret < 0) {
		fprintf(stderr, "Error: cannot send the netlink request: %s\n",
			nl_geterror(ret));
		ret = -EPROTO;
		goto out;
	}
	ret = 0;
	while (!ex.done) {
		ret = nl_recvmsgs(sk, cb);
		if (ex.error || ret == -NLE_DUMP_INTR)
			break;
		if (ret < 0) {
			fprintf(stderr, "Error: cannot read the netlink reply: %s\n",
				nl_geterror(ret));
			ret = -EPROTO;
			goto out;
		}
	}
	if (ex.error) {
		print_kernel_error(&ex);
		ret = ex.error;
	} else if (ret == -NLE_DUMP_INTR) {
		fprintf(stderr, "Error: the list changed while it was read; try again\n");
		ret = -EAGAIN;
	} else {
		if (ex.extack[0])
			fprintf(stderr, "Warning: %s\n", ex.extack);
		ret = 0;
	}
out:
	nl_cb_put(cb);
	return ret;
}

/**
 * tlstun_nl_ifindex() - look up a tlstun device by name
 * @route: an rtnetlink socket
 * @name: the interface name
 * @ifindex: set to its index
 *
 * Devices of another kind are refused here, so "link del" cannot remove,
 * say, a bridge that happens to carry the name.
 *
 * Return: 0, or -1 after printing why.
 */
int tlstun_nl_ifindex(struct nl_sock *route, const char *name, int *ifindex)
{
	struct rtnl_link *link;
	const char *kind;
	int err;

	err = rtnl_link_get_kernel(route, 0, name, &link);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) {
		fprintf(stderr, "Error: device \"%s\" does not exist\n", name);
		return -1;
	}
	if (err) {
		fprintf(stderr, "Error: cannot look up device \"%s\": %s\n",
			name, nl_geterror(err));
		return -1;
	}
	kind = rtnl_link_get_type(link);
	if (!kind || strcmp(kind, TLSTUN_LINK_KIND)) {
		fprintf(stderr, "Error: device \"%s\" is not a tlstun device (its kind is \"%s\")\n",
			name, kind ? kind : "none");
		rtnl_link_put(link);
		return -1;
	}
	*ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return 0;
}

/**
 * tlstun_nl_genl_parse() - index the attributes of a tlstun reply or event
 * @msg: the message
 * @tb: TLSTUN_A_MAX + 1 entries
 *
 * Return: 0, or -1 after printing a warning; the caller skips the message.
 */
int tlstun_nl_genl_parse(struct nl_msg *msg, struct nlattr **tb)
{
	int err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, TLSTUN_A_MAX,
				attr_policy);

	if (err) {
		fprintf(stderr, "Warning: skipping a malformed message from the kernel: %s\n",
			nl_geterror(err));
		return -1;
	}
	return 0;
}

/**
 * tlstun_nl_sa_parse() - index the SA nest of a reply or event
 * @tb: the message's attributes, from tlstun_nl_genl_parse()
 * @sa: TLSTUN_SA_MAX + 1 entries
 *
 * Return: 0, or -1 after printing a warning; the caller skips the message.
 */
int tlstun_nl_sa_parse(struct nlattr **tb, struct nlattr **sa)
{
	int err;

	if (!tb[TLSTUN_A_SA]) {
		fprintf(stderr, "Warning: skipping a message from the kernel without an SA\n");
		return -1;
	}
	err = nla_parse_nested(sa, TLSTUN_SA_MAX, tb[TLSTUN_A_SA],
			       sa_policy);
	if (err) {
		fprintf(stderr, "Warning: skipping a malformed SA from the kernel: %s\n",
			nl_geterror(err));
		return -1;
	}
	return 0;
}

/**
 * tlstun_nl_get_u64s() - collect a nest of u64 counters
 * @nest: the nest
 * @max: the highest attribute type wanted
 * @values: @max + 1 entries, set for each counter present
 * @present: @max + 1 entries, marks the counters present
 *
 * Attributes of another length (the 64-bit alignment pad) and types above
 * @max (counters newer than this tool) are skipped.
 */
void tlstun_nl_get_u64s(struct nlattr *nest, int max, uint64_t *values,
			bool *present)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int type = nla_type(a);

		if (type > max || nla_len(a) != sizeof(uint64_t))
			continue;
		values[type] = nla_get_u64(a);
		present[type] = true;
	}
}

#define COUNTERS_MAX	TLSTUN_NL_COUNTERS_MAX
_Static_assert(TLSTUN_STATS_MAX <= COUNTERS_MAX &&
	       TLSTUN_SA_STATS_MAX <= COUNTERS_MAX, "raise COUNTERS_MAX");

/**
 * tlstun_nl_print_counters() - print a nest of u64 counters
 * @key: the JSON key of the counters' object
 * @table: what to print, in order (see print_counters())
 * @nest: the TLSTUN_A_STATS or TLSTUN_SA_STATS nest
 */
void tlstun_nl_print_counters(const char *key, const struct counter *table,
			      struct nlattr *nest)
{
	uint64_t values[COUNTERS_MAX + 1] = {};
	bool present[COUNTERS_MAX + 1] = {};

	tlstun_nl_get_u64s(nest, COUNTERS_MAX, values, present);
	print_counters(key, table, values, present);
}
