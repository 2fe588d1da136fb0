// SPDX-License-Identifier: GPL-2.0
/*
 * tlstun peer and tlstun fdb: the peers of a tlstun device (each with its
 * endpoint, SAs and learned MAC addresses) and its forwarding database of
 * inner MAC address -> peer, through the generic netlink family.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/tlstun.h>

#include "nl.h"
#include "print.h"
#include "tlstun.h"

/* The keywords a command takes; the others are refused by name. */
enum {
	ARG_DEV		= 1 << 0,
	ARG_ID		= 1 << 1,
	ARG_ENDPOINT	= 1 << 2,	/* remote, port, label */
	ARG_MAC		= 1 << 3,
	ARG_PEER_ID	= 1 << 4,
	ARG_REPLACE	= 1 << 5,
	ARG_AGEING	= 1 << 6,
};

struct peer_args {
	const char *dev;
	uint32_t id, ageing;
	struct tlstun_addr remote;
	uint16_t port;
	const char *label;
	uint8_t mac[6];
	bool has_dev, has_id, has_remote, has_port, has_label, has_mac,
	     has_ageing, replace;
};

static const struct counter peer_counters[] = {
	{ TLSTUN_PEER_STATS_RX_PACKETS, "rx:", "packets", "rx_packets" },
	{ TLSTUN_PEER_STATS_RX_BYTES, "rx:", "bytes", "rx_bytes" },
	{ TLSTUN_PEER_STATS_TX_PACKETS, "tx:", "packets", "tx_packets" },
	{ TLSTUN_PEER_STATS_TX_BYTES, "tx:", "bytes", "tx_bytes" },
	{ TLSTUN_PEER_STATS_TX_DROPPED, "tx:", "dropped", "tx_dropped" },
	{ 0, NULL, NULL, NULL }
};

_Static_assert(ARRAY_SIZE(peer_counters) - 1 == TLSTUN_PEER_STATS_MAX - 1,
	       "peer_counters does not match enum tlstun_peer_stats_attr");

static int parse_mac(const char *s, uint8_t mac[6], struct parse_err *e)
{
	unsigned int b[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6 || strlen(s) != 17) {
		snprintf(e->msg, sizeof(e->msg),
			 "not a MAC address (xx:xx:xx:xx:xx:xx)");
		return -1;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = b[i];
	if (mac[0] & 1) {
		snprintf(e->msg, sizeof(e->msg),
			 "a multicast address is never an FDB entry");
		return -1;
	}
	return 0;
}

static int parse_peer_args(const char *object, int argc, char **argv,
			   unsigned int allowed, struct peer_args *a)
{
	bool id_seen = false, peer_id_seen = false;
	struct parse_err e;

	for (; argc > 0; argc--, argv++) {
		const char *kw = *argv;
		int ret = 0;

		if ((allowed & ARG_DEV) && !strcmp(kw, "dev")) {
			ONCE(a->has_dev, kw);
			NEXT_ARG();
			a->dev = *argv;
			ret = parse_ifname(*argv, &e);
		} else if ((allowed & ARG_ID) && !strcmp(kw, "id")) {
			ONCE(id_seen, kw);
			NEXT_ARG();
			a->has_id = true;
			ret = parse_u32(*argv, 0, UINT32_MAX, &a->id, &e);
		} else if ((allowed & ARG_PEER_ID) && !strcmp(kw, "peer-id")) {
			ONCE(peer_id_seen, kw);
			NEXT_ARG();
			a->has_id = true;
			ret = parse_u32(*argv, 0, UINT32_MAX, &a->id, &e);
		} else if ((allowed & ARG_ENDPOINT) && !strcmp(kw, "remote")) {
			ONCE(a->has_remote, kw);
			NEXT_ARG();
			ret = parse_addr(*argv, &a->remote, &e);
		} else if ((allowed & ARG_ENDPOINT) && !strcmp(kw, "port")) {
			ONCE(a->has_port, kw);
			NEXT_ARG();
			ret = parse_u16(*argv, 1, UINT16_MAX, &a->port, &e);
		} else if ((allowed & ARG_ENDPOINT) && !strcmp(kw, "label")) {
			ONCE(a->has_label, kw);
			NEXT_ARG();
			a->label = *argv;
			ret = parse_peer(*argv, &e);
		} else if ((allowed & ARG_MAC) && !strcmp(kw, "mac")) {
			ONCE(a->has_mac, kw);
			NEXT_ARG();
			ret = parse_mac(*argv, a->mac, &e);
		} else if ((allowed & ARG_AGEING) && !strcmp(kw, "ageing")) {
			ONCE(a->has_ageing, kw);
			NEXT_ARG();
			ret = parse_u32(*argv, TLSTUN_FDB_AGEING_MIN,
					TLSTUN_FDB_AGEING_MAX, &a->ageing, &e);
		} else if ((allowed & ARG_REPLACE) && !strcmp(kw, "replace")) {
			a->replace = true;
		} else {
			return arg_unknown(object, kw);
		}
		if (ret)
			return arg_invalid_value(kw, *argv, &e);
	}
	return EXIT_OK;
}

static int put_remote(struct nl_msg *msg, const struct tlstun_addr *r)
{
	if (r->family == AF_INET)
		return nla_put_u32(msg, TLSTUN_PEER_REMOTE, r->v4.s_addr);
	return nla_put(msg, TLSTUN_PEER_REMOTE6, sizeof(r->v6), &r->v6);
}

/* The TLSTUN_A_PEER or TLSTUN_A_FDB nest, or the ageing, of @cmd. */
static int put_args(struct nl_msg *msg, uint8_t cmd, const struct peer_args *a)
{
	struct nlattr *nest;

	if (cmd == TLSTUN_CMD_SET_DEVICE)
		return nla_put_u32(msg, TLSTUN_A_FDB_AGEING, a->ageing);
	if (cmd == TLSTUN_CMD_ADD_FDB || cmd == TLSTUN_CMD_DEL_FDB) {
		nest = nla_nest_start(msg, TLSTUN_A_FDB);
		if (!nest || nla_put(msg, TLSTUN_FDB_MAC, 6, a->mac) ||
		    (cmd == TLSTUN_CMD_ADD_FDB &&
		     nla_put_u32(msg, TLSTUN_FDB_PEER_ID, a->id)))
			return -1;
		nla_nest_end(msg, nest);
		return 0;
	}
	nest = nla_nest_start(msg, TLSTUN_A_PEER);
	if (!nest || nla_put_u32(msg, TLSTUN_PEER_ID, a->id) ||
	    (a->has_remote && put_remote(msg, &a->remote)) ||
	    (a->has_port && nla_put_u16(msg, TLSTUN_PEER_PORT, a->port)) ||
	    (a->has_label && nla_put_string(msg, TLSTUN_PEER_LABEL, a->label)))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

/* One request about device @dev (by index), with @a's nest when @with. */
static int request(int family, struct nl_sock *sk, int ifindex, uint8_t cmd,
		   int flags, const struct peer_args *a, bool with,
		   nl_recvmsg_msg_cb_t valid)
{
	struct nl_msg *msg = tlstun_nl_genl_msg(family, cmd, flags);
	int ret = EXIT_FAIL;

	if (!msg)
		return EXIT_FAIL;
	if (nla_put_u32(msg, TLSTUN_A_IFINDEX, ifindex) ||
	    (with && put_args(msg, cmd, a)))
		tlstun_nl_build_failed();
	else if (!tlstun_nl_talk(sk, msg, valid, NULL))
		ret = EXIT_OK;
	tlstun_nl_msg_free(msg);
	return ret;
}

/* @cmd on the device @a->dev; show commands on every device without one. */
static int run(uint8_t cmd, int flags, const struct peer_args *a, bool with,
	       nl_recvmsg_msg_cb_t valid)
{
	struct tlstun_stats_dev *devs = NULL;
	struct nl_sock *sk, *route;
	int family, ifindex, ret = EXIT_FAIL;
	size_t i, n = 0;

	sk = tlstun_nl_genl_open(&family);
	if (!sk)
		return EXIT_FAIL;
	if (a->has_dev) {
		route = tlstun_nl_route_open();
		if (route && !tlstun_nl_ifindex(route, a->dev, &ifindex)) {
			print_list_begin();
			ret = request(family, sk, ifindex, cmd, flags, a, with,
				      valid);
			print_list_end();
		}
		tlstun_nl_close(route);
	} else {
		ret = tlstun_devices_get(sk, family, 0, &devs, &n);
		print_list_begin();
		for (i = 0; i < n && !ret; i++)
			ret = request(family, sk, devs[i].ifindex, cmd, flags,
				      a, with, valid);
		print_list_end();
		free(devs);
	}
	tlstun_nl_close(sk);
	return ret;
}

/**
 * peer_print_ident() - print what a peer nest says a peer is: id, remote,
 *	port, label
 * @nest: the TLSTUN_A_PEER attribute
 * @id_key: JSON key and text label of the id ("id" in peer show, "peer_id"
 *	in events, where the id is one field among others)
 *
 * Shared with the monitor, whose peer events carry the same nest.
 *
 * Return: 0, or -1 when the nest cannot be parsed.
 */
int peer_print_ident(struct nlattr *nest, const char *id_key)
{
	struct nlattr *p[TLSTUN_PEER_MAX_ATTR + 1];
	char fmt[32];

	if (nla_parse_nested(p, TLSTUN_PEER_MAX_ATTR, nest, NULL))
		return -1;
	snprintf(fmt, sizeof(fmt), "%s %%u",
		 strcmp(id_key, "id") ? "peer-id" : "id");
	if (p[TLSTUN_PEER_ID])
		print_uint(PRINT_ANY, id_key, fmt,
			   nla_get_u32(p[TLSTUN_PEER_ID]));
	print_nl_addr("remote", "remote %s", p[TLSTUN_PEER_REMOTE],
		      p[TLSTUN_PEER_REMOTE6]);
	if (p[TLSTUN_PEER_PORT])
		print_uint(PRINT_ANY, "port", "port %u",
			   nla_get_u16(p[TLSTUN_PEER_PORT]));
	if (p[TLSTUN_PEER_LABEL])
		print_string(PRINT_ANY, "label", "label %s",
			     nla_get_string(p[TLSTUN_PEER_LABEL]));
	return 0;
}

/**
 * fdb_parse() - index an FDB nest that names a MAC
 * @nest: the TLSTUN_A_FDB attribute
 * @f: TLSTUN_FDB_MAX_ATTR + 1 entries
 *
 * Return: 0, or -1 when the nest cannot be parsed or holds no MAC.
 */
int fdb_parse(struct nlattr *nest, struct nlattr **f)
{
	if (nla_parse_nested(f, TLSTUN_FDB_MAX_ATTR, nest, NULL) ||
	    !f[TLSTUN_FDB_MAC] || nla_len(f[TLSTUN_FDB_MAC]) != 6)
		return -1;
	return 0;
}

/**
 * fdb_print_mac() - print the MAC of an FDB nest
 * @f: the nest, from fdb_parse()
 * @fmt: its text format ("%s" first in fdb show, "mac %s" in events)
 */
void fdb_print_mac(struct nlattr **f, const char *fmt)
{
	const uint8_t *m = nla_data(f[TLSTUN_FDB_MAC]);
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	print_string(PRINT_ANY, "mac", fmt, mac);
}

/**
 * fdb_print_peer() - print the peer and type of an FDB entry
 * @f: the nest, from fdb_parse()
 */
void fdb_print_peer(struct nlattr **f)
{
	uint32_t flags = 0;

	if (f[TLSTUN_FDB_FLAGS])
		flags = nla_get_u32(f[TLSTUN_FDB_FLAGS]);

	if (f[TLSTUN_FDB_PEER_ID])
		print_uint(PRINT_ANY, "peer_id", "peer-id %u",
			   nla_get_u32(f[TLSTUN_FDB_PEER_ID]));
	print_string(PRINT_ANY, "type", "%s",
		     flags & TLSTUN_FDB_F_STATIC ? "static" : "learned");
}

static int print_peer(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLSTUN_A_MAX + 1], *p[TLSTUN_PEER_MAX_ATTR + 1];

	(void)arg;
	if (tlstun_nl_genl_parse(msg, tb) || !tb[TLSTUN_A_PEER] ||
	    nla_parse_nested(p, TLSTUN_PEER_MAX_ATTR, tb[TLSTUN_A_PEER], NULL))
		return NL_SKIP;
	print_record_begin();
	if (tb[TLSTUN_A_IFNAME])
		print_string(PRINT_ANY, "ifname", "dev %s",
			     nla_get_string(tb[TLSTUN_A_IFNAME]));
	peer_print_ident(tb[TLSTUN_A_PEER], "id");
	print_indent();
	if (p[TLSTUN_PEER_TX_SPI])
		print_uint(PRINT_ANY, "tx_spi", "tx-spi 0x%08x",
			   nla_get_u32(p[TLSTUN_PEER_TX_SPI]));
	else
		print_string(PRINT_FP, NULL, "tx-spi %s", "none");
	if (p[TLSTUN_PEER_SA_COUNT])
		print_uint(PRINT_ANY, "sa_count", "sa-count %u",
			   nla_get_u32(p[TLSTUN_PEER_SA_COUNT]));
	if (p[TLSTUN_PEER_FDB_LEARNED])
		print_uint(PRINT_ANY, "fdb_learned", "fdb-learned %u",
			   nla_get_u32(p[TLSTUN_PEER_FDB_LEARNED]));
	if (opts.stats && p[TLSTUN_PEER_STATS])
		tlstun_nl_print_counters("stats", peer_counters,
					 p[TLSTUN_PEER_STATS]);
	print_record_end();
	return NL_OK;
}

static int print_fdb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLSTUN_A_MAX + 1], *f[TLSTUN_FDB_MAX_ATTR + 1];

	(void)arg;
	if (tlstun_nl_genl_parse(msg, tb) || !tb[TLSTUN_A_FDB] ||
	    fdb_parse(tb[TLSTUN_A_FDB], f))
		return NL_SKIP;
	print_record_begin();
	fdb_print_mac(f, "%s");
	if (tb[TLSTUN_A_IFNAME])
		print_string(PRINT_ANY, "ifname", "dev %s",
			     nla_get_string(tb[TLSTUN_A_IFNAME]));
	fdb_print_peer(f);
	if (f[TLSTUN_FDB_AGE_SECONDS])
		print_u64(PRINT_ANY, "age_seconds", "age %llus",
			  nla_get_u64(f[TLSTUN_FDB_AGE_SECONDS]));
	print_record_end();
	return NL_OK;
}

static int need(const struct peer_args *a, bool id, const char *command)
{
	if (!a->has_dev)
		return arg_required("dev", command);
	if (id && !a->has_id)
		return arg_required(strncmp(command, "fdb", 3) ? "id" : "peer-id",
				    command);
	return EXIT_OK;
}

static int peer_add(int argc, char **argv)
{
	struct peer_args a = {};
	int ret = parse_peer_args("peer", argc, argv,
				  ARG_DEV | ARG_ID | ARG_ENDPOINT, &a);

	if (!ret)
		ret = need(&a, true, "peer add");
	if (!ret && !a.has_remote)
		ret = arg_required("remote", "peer add");
	return ret ?: run(TLSTUN_CMD_ADD_PEER, 0, &a, true, NULL);
}

static int peer_set(int argc, char **argv)
{
	struct peer_args a = {};
	int ret = parse_peer_args("peer", argc, argv,
				  ARG_DEV | ARG_ID | ARG_ENDPOINT, &a);

	if (!ret)
		ret = need(&a, true, "peer set");
	return ret ?: run(TLSTUN_CMD_SET_PEER, 0, &a, true, NULL);
}

static int peer_del(int argc, char **argv)
{
	struct peer_args a = {};
	int ret = parse_peer_args("peer", argc, argv, ARG_DEV | ARG_ID, &a);

	if (!ret)
		ret = need(&a, true, "peer del");
	return ret ?: run(TLSTUN_CMD_DEL_PEER, 0, &a, true, NULL);
}

static int peer_show(int argc, char **argv)
{
	struct peer_args a = {};
	int ret = parse_peer_args("peer", argc, argv, ARG_DEV | ARG_ID, &a);

	if (ret)
		return ret;
	if (a.has_id && !a.has_dev)
		return arg_required("dev", "peer show id ID");
	return run(TLSTUN_CMD_GET_PEER, a.has_id ? 0 : NLM_F_DUMP, &a,
		   a.has_id, print_peer);
}

int do_peer(int argc, char **argv)
{
	static const struct command cmds[] = {
		{ "add", peer_add },
		{ "set", peer_set },
		{ "del", peer_del },
		{ "show", peer_show },
		{ NULL, NULL }
	};

	return dispatch("peer", cmds, NULL, argc, argv);
}

static int fdb_add(int argc, char **argv)
{
	struct peer_args a = {};
	int ret = parse_peer_args("fdb", argc, argv,
				  ARG_DEV | ARG_MAC | ARG_PEER_ID | ARG_REPLACE,
				  &a);

	if (!ret)
		ret = need(&a, true, "fdb add");
	if (!ret && !a.has_mac)
		ret = arg_required("mac", "fdb add");
	return ret ?: run(TLSTUN_CMD_ADD_FDB, a.replace ? NLM_F_REPLACE : 0,
			  &a, true, NULL);
}

static int fdb_del(int argc, char **argv)
{
	struct peer_args a = {};
	int ret = parse_peer_args("fdb", argc, argv, ARG_DEV | ARG_MAC, &a);

	if (!ret)
		ret = need(&a, false, "fdb del");
	if (!ret && !a.has_mac)
		ret = arg_required("mac", "fdb del");
	return ret ?: run(TLSTUN_CMD_DEL_FDB, 0, &a, true, NULL);
}

static int fdb_show(int argc, char **argv)
{
	struct peer_args a = {};
	int ret = parse_peer_args("fdb", argc, argv, ARG_DEV, &a);

	return ret ?: run(TLSTUN_CMD_GET_FDB, NLM_F_DUMP, &a, false,
			  print_fdb);
}

static int fdb_set(int argc, char **argv)
{
	struct peer_args a = {};
	int ret = parse_peer_args("fdb", argc, argv, ARG_DEV | ARG_AGEING, &a);

	if (!ret)
		ret = need(&a, false, "fdb set");
	if (!ret && !a.has_ageing)
		ret = arg_required("ageing", "fdb set");
	return ret ?: run(TLSTUN_CMD_SET_DEVICE, 0, &a, true, NULL);
}

int do_fdb(int argc, char **argv)
{
	static const struct command cmds[] = {
		{ "add", fdb_add },
		{ "del", fdb_del },
		{ "show", fdb_show },
		{ "set", fdb_set },
		{ NULL, NULL }
	};

	return dispatch("fdb", cmds, NULL, argc, argv);
}
