// SPDX-License-Identifier: GPL-2.0
/*
 * tlstun link: create, change and delete tlstun devices over rtnetlink
 * (link kind "tlstun", IFLA_TLSTUN_* in IFLA_INFO_DATA), and show them
 * through the generic netlink family, which also reports the SA state and
 * the counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <netlink/genl/genl.h>

#include <linux/tlstun.h>

#include "nl.h"
#include "print.h"
#include "tlstun.h"

/* Only what was given is sent: on "set" everything else stays as it is. */
struct link_opts {
	bool has_remote, has_local, has_port, has_vni, has_ttl, has_tos,
	     has_df;
	struct tlstun_addr remote, local;
	uint16_t port;
	uint32_t vni;
	uint8_t ttl, tos;
	unsigned int df;
};

static int parse_link_opts(int argc, char **argv, struct link_opts *lo)
{
	struct parse_err e;

	for (; argc > 0; argc--, argv++) {
		const char *kw = *argv;
		int ret = 0;

		if (!strcmp(kw, "remote")) {
			ONCE(lo->has_remote, kw);
			NEXT_ARG();
			ret = parse_addr(*argv, &lo->remote, &e);
		} else if (!strcmp(kw, "local")) {
			ONCE(lo->has_local, kw);
			NEXT_ARG();
			ret = parse_addr(*argv, &lo->local, &e);
		} else if (!strcmp(kw, "port")) {
			ONCE(lo->has_port, kw);
			NEXT_ARG();
			ret = parse_u16(*argv, 1, UINT16_MAX, &lo->port, &e);
		} else if (!strcmp(kw, "vni")) {
			ONCE(lo->has_vni, kw);
			NEXT_ARG();
			ret = parse_u32(*argv, 0, (1U << 24) - 1, &lo->vni, &e);
		} else if (!strcmp(kw, "ttl")) {
			ONCE(lo->has_ttl, kw);
			NEXT_ARG();
			ret = parse_u8(*argv, 0, UINT8_MAX, &lo->ttl, &e);
		} else if (!strcmp(kw, "tos")) {
			ONCE(lo->has_tos, kw);
			NEXT_ARG();
			ret = parse_u8(*argv, 0, UINT8_MAX, &lo->tos, &e);
		} else if (!strcmp(kw, "df")) {
			ONCE(lo->has_df, kw);
			NEXT_ARG();
			ret = parse_keyword(df_keywords, "df mode", *argv,
					    &lo->df, &e);
		} else {
			return arg_unknown("link", kw);
		}
		if (ret)
			return arg_invalid_value(kw, *argv, &e);
	}
	if (lo->has_remote && lo->has_local &&
	    lo->remote.family != lo->local.family)
		return arg_conflict("\"local\" and \"remote\" must be of the same address family");
	return EXIT_OK;
}

static int put_addr(struct nl_msg *msg, int attr4, int attr6,
		    const struct tlstun_addr *a)
{
	if (a->family == AF_INET)
		return nla_put_u32(msg, attr4, a->v4.s_addr);
	return nla_put(msg, attr6, sizeof(a->v6), &a->v6);
}

static int put_link_opts(struct nl_msg *msg, const struct link_opts *lo)
{
	struct nlattr *linkinfo, *data;

	linkinfo = nla_nest_start(msg, IFLA_LINKINFO);
	if (!linkinfo || nla_put_string(msg, IFLA_INFO_KIND, TLSTUN_LINK_KIND))
		return -1;
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	if (!data)
		return -1;
	if ((lo->has_remote && put_addr(msg, IFLA_TLSTUN_REMOTE,
					IFLA_TLSTUN_REMOTE6, &lo->remote)) ||
	    (lo->has_local && put_addr(msg, IFLA_TLSTUN_LOCAL,
				       IFLA_TLSTUN_LOCAL6, &lo->local)) ||
	    (lo->has_port && nla_put_u16(msg, IFLA_TLSTUN_PORT, lo->port)) ||
	    (lo->has_vni && nla_put_u32(msg, IFLA_TLSTUN_VNI, lo->vni)) ||
	    (lo->has_ttl && nla_put_u8(msg, IFLA_TLSTUN_TTL, lo->ttl)) ||
	    (lo->has_tos && nla_put_u8(msg, IFLA_TLSTUN_TOS, lo->tos)) ||
	    (lo->has_df && nla_put_u8(msg, IFLA_TLSTUN_DF, lo->df)))
		return -1;
	nla_nest_end(msg, data);
	nla_nest_end(msg, linkinfo);
	return 0;
}

/* "dev NAME" names a device wherever a bare NAME does, as in ip(8). */
static void skip_dev_keyword(int *argc, char ***argv)
{
	if (*argc >= 2 && !strcmp((*argv)[0], "dev")) {
		(*argc)--;
		(*argv)++;
	}
}

/* RTM_NEWLINK creates (@name) or changes (@ifindex) a device. */
static int newlink(const char *name, int ifindex, const struct link_opts *lo)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
	};
	int flags = name ? NLM_F_CREATE | NLM_F_EXCL : 0;
	struct nl_sock *sk = NULL;
	struct nl_msg *msg;
	int ret = EXIT_FAIL, err;

	msg = nlmsg_alloc_simple(RTM_NEWLINK, flags);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    (name && nla_put_string(msg, IFLA_IFNAME, name)) ||
	    put_link_opts(msg, lo)) {
		tlstun_nl_build_failed();
		goto out;
	}
	sk = tlstun_nl_route_open();
	if (!sk)
		goto out;
	err = tlstun_nl_talk(sk, msg, NULL, NULL);
	/* The kernel loads link kinds on demand; failing that, it says only
	 * "Unknown device type".
	 */
	if (err == -EOPNOTSUPP && name)
		fprintf(stderr, "Hint: is the tlstun kernel module installed?\n");
	if (!err)
		ret = EXIT_OK;
out:
	nlmsg_free(msg);
	tlstun_nl_close(sk);
	return ret;
}

static int link_add(int argc, char **argv)
{
	struct link_opts lo = {};
	struct parse_err e;
	const char *name;
	int ret;

	skip_dev_keyword(&argc, &argv);
	if (argc < 1 || (argc == 1 && !strcmp(argv[0], "dev")))
		return arg_required("NAME", "link add");
	name = argv[0];
	if (parse_ifname(name, &e))
		return arg_invalid(name, &e);
	ret = parse_link_opts(argc - 1, argv + 1, &lo);
	if (ret)
		return ret;
	return newlink(name, 0, &lo);
}

/* Resolve @name to a tlstun device's index: the caller's route socket. */
static struct nl_sock *open_device(const char *name, int *ifindex)
{
	struct nl_sock *sk = tlstun_nl_route_open();

	if (sk && tlstun_nl_ifindex(sk, name, ifindex)) {
		tlstun_nl_close(sk);
		return NULL;
	}
	return sk;
}

static int link_set(int argc, char **argv)
{
	struct link_opts lo = {};
	struct parse_err e;
	struct nl_sock *sk;
	const char *name;
	int ifindex, ret;

	skip_dev_keyword(&argc, &argv);
	if (argc < 1)
		return arg_required("NAME", "link set");
	name = argv[0];
	if (parse_ifname(name, &e))
		return arg_invalid(name, &e);
	if (argc < 2)
		return arg_conflict("\"link set\" needs something to change; try \"tlstun link help\"");
	ret = parse_link_opts(argc - 1, argv + 1, &lo);
	if (ret)
		return ret;
	sk = open_device(name, &ifindex);
	if (!sk)
		return EXIT_FAIL;
	tlstun_nl_close(sk);
	return newlink(NULL, ifindex, &lo);
}

static int link_del(int argc, char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg = NULL;
	struct parse_err e;
	struct nl_sock *sk;
	int ret = EXIT_FAIL;

	skip_dev_keyword(&argc, &argv);
	if (argc < 1)
		return arg_required("NAME", "link del");
	if (parse_ifname(argv[0], &e))
		return arg_invalid(argv[0], &e);
	if (argc > 1)
		return arg_unknown("link", argv[1]);
	sk = open_device(argv[0], &ifi.ifi_index);
	if (!sk)
		return EXIT_FAIL;
	msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO)) {
		tlstun_nl_build_failed();
		goto out;
	}
	if (!tlstun_nl_talk(sk, msg, NULL, NULL))
		ret = EXIT_OK;
out:
	nlmsg_free(msg);
	tlstun_nl_close(sk);
	return ret;
}

const struct counter tlstun_device_counters[] = {
	{ TLSTUN_STATS_RX_PACKETS, "rx:", "packets", "rx_packets" },
	{ TLSTUN_STATS_RX_BYTES, "rx:", "bytes", "rx_bytes" },
	{ TLSTUN_STATS_RX_VNI_MISMATCH, "rx:", "vni-mismatch", "rx_vni_mismatch" },
	{ TLSTUN_STATS_RX_AUTH_FAIL, "rx:", "auth-fail", "rx_auth_fail" },
	{ TLSTUN_STATS_RX_REPLAY, "rx:", "replay", "rx_replay" },
	{ TLSTUN_STATS_RX_TOO_SHORT, "rx:", "too-short", "rx_too_short" },
	{ TLSTUN_STATS_RX_SA_EXPIRED, "rx:", "sa-expired", "rx_sa_expired" },
	{ TLSTUN_STATS_RX_DEV_DOWN, "rx:", "dev-down", "rx_dev_down" },
	{ TLSTUN_STATS_RX_NOMEM, "rx:", "nomem", "rx_nomem" },
	{ TLSTUN_STATS_RX_ECN, "rx:", "ecn", "rx_ecn" },
	{ TLSTUN_STATS_RX_QUEUE_FULL, "rx:", "queue-full", "rx_queue_full" },
	{ TLSTUN_STATS_RX_SA_DELETED, "rx:", "sa-deleted", "rx_sa_deleted" },
	{ TLSTUN_STATS_RX_MAC_STATIC, "rx:", "mac-static", "rx_mac_static" },
	{ TLSTUN_STATS_FDB_LEARN_FULL, "fdb:", "learn-full", "fdb_learn_full" },
	{ TLSTUN_STATS_FDB_LEARN_NOMEM, "fdb:", "learn-nomem", "fdb_learn_nomem" },
	{ TLSTUN_STATS_TX_PACKETS, "tx:", "packets", "tx_packets" },
	{ TLSTUN_STATS_TX_BYTES, "tx:", "bytes", "tx_bytes" },
	{ TLSTUN_STATS_TX_NO_SA, "tx:", "no-sa", "tx_no_sa" },
	{ TLSTUN_STATS_TX_SA_EXHAUSTED, "tx:", "sa-exhausted", "tx_sa_exhausted" },
	{ TLSTUN_STATS_TX_NO_ROUTE, "tx:", "no-route", "tx_no_route" },
	{ TLSTUN_STATS_TX_NOMEM, "tx:", "nomem", "tx_nomem" },
	{ TLSTUN_STATS_TX_ERROR, "tx:", "error", "tx_error" },
	{ TLSTUN_STATS_TX_TOO_BIG, "tx:", "too-big", "tx_too_big" },
	{ TLSTUN_STATS_TX_CFG_CHANGED, "tx:", "cfg-changed", "tx_cfg_changed" },
	{ TLSTUN_STATS_TX_SA_DELETED, "tx:", "sa-deleted", "tx_sa_deleted" },
	/* Shared by every device on the port: see the uapi header. */
	{ TLSTUN_STATS_PORT_MALFORMED, "port:", "malformed", "port_malformed" },
	{ TLSTUN_STATS_PORT_UNKNOWN_SPI, "port:", "unknown-spi", "port_unknown_spi" },
	{ 0, NULL, NULL, NULL }
};

/* Every counter but PAD (the last) has a line: a new one must be added. */
_Static_assert(sizeof(tlstun_device_counters) /
	       sizeof(tlstun_device_counters[0]) - 1 == TLSTUN_STATS_MAX - 1,
	       "device_counters does not match enum tlstun_stats_attr");

/**
 * print_nl_addr() - print an IPv4 or IPv6 address attribute, if either
 * @key: JSON key
 * @fmt: text format, one %s
 * @v4: the IPv4 attribute or NULL
 * @v6: the IPv6 attribute or NULL
 */
void print_nl_addr(const char *key, const char *fmt, struct nlattr *v4,
		   struct nlattr *v6)
{
	char buf[INET6_ADDRSTRLEN];
	uint32_t a4;

	if (v4) {
		a4 = nla_get_u32(v4);
		inet_ntop(AF_INET, &a4, buf, sizeof(buf));
	} else if (v6) {
		inet_ntop(AF_INET6, nla_data(v6), buf, sizeof(buf));
	} else {
		return;
	}
	print_string(PRINT_ANY, key, fmt, buf);
}

/*
 * First line: the device as "link add" arguments; then what the kernel
 * adds: index, tx SPI, SA count and, with -s, the counters.
 */
static int print_device(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLSTUN_A_MAX + 1];

	(void)arg;
	if (tlstun_nl_genl_parse(msg, tb))
		return NL_SKIP;
	print_record_begin();
	if (tb[TLSTUN_A_IFNAME])
		print_string(PRINT_ANY, "ifname", "%s",
			     nla_get_string(tb[TLSTUN_A_IFNAME]));
	print_nl_addr("remote", "remote %s", tb[TLSTUN_A_REMOTE],
		      tb[TLSTUN_A_REMOTE6]);
	print_nl_addr("local", "local %s", tb[TLSTUN_A_LOCAL],
		      tb[TLSTUN_A_LOCAL6]);
	if (tb[TLSTUN_A_PORT])
		print_uint(PRINT_ANY, "port", "port %u",
			   nla_get_u16(tb[TLSTUN_A_PORT]));
	if (tb[TLSTUN_A_VNI])
		print_uint(PRINT_ANY, "vni", "vni %u",
			   nla_get_u32(tb[TLSTUN_A_VNI]));
	if (tb[TLSTUN_A_TTL])
		print_uint(PRINT_ANY, "ttl", "ttl %u",
			   nla_get_u8(tb[TLSTUN_A_TTL]));
	if (tb[TLSTUN_A_TOS])
		print_uint(PRINT_ANY, "tos", "tos 0x%02x",
			   nla_get_u8(tb[TLSTUN_A_TOS]));
	if (tb[TLSTUN_A_DF])
		print_keyword("df", "df", df_keywords,
			      nla_get_u8(tb[TLSTUN_A_DF]));

	print_indent();
	if (tb[TLSTUN_A_IFINDEX])
		print_uint(PRINT_ANY, "ifindex", "ifindex %u",
			   nla_get_u32(tb[TLSTUN_A_IFINDEX]));
	if (tb[TLSTUN_A_TX_SPI])
		print_uint(PRINT_ANY, "tx_spi", "tx-spi 0x%08x",
			   nla_get_u32(tb[TLSTUN_A_TX_SPI]));
	else
		print_string(PRINT_FP, NULL, "tx-spi %s", "none");
	if (tb[TLSTUN_A_SA_COUNT])
		print_uint(PRINT_ANY, "sa_count", "sa-count %u",
			   nla_get_u32(tb[TLSTUN_A_SA_COUNT]));
	/* Peers besides the device's own, and the FDB they use. */
	if (tb[TLSTUN_A_PEER_COUNT])
		print_uint(PRINT_ANY, "peer_count", "peers %u",
			   nla_get_u32(tb[TLSTUN_A_PEER_COUNT]));
	if (tb[TLSTUN_A_FDB_COUNT])
		print_uint(PRINT_ANY, "fdb_count", "fdb-entries %u",
			   nla_get_u32(tb[TLSTUN_A_FDB_COUNT]));
	if (tb[TLSTUN_A_FDB_AGEING])
		print_uint(PRINT_ANY, "fdb_ageing", "fdb-ageing %us",
			   nla_get_u32(tb[TLSTUN_A_FDB_AGEING]));
	if (opts.stats && tb[TLSTUN_A_STATS])
		tlstun_nl_print_counters("stats", tlstun_device_counters,
					 tb[TLSTUN_A_STATS]);
	print_record_end();
	return NL_OK;
}

static int link_show(int argc, char **argv)
{
	struct nl_sock *genl = NULL;
	struct nl_msg *msg = NULL;
	int family, ifindex = 0, ret = EXIT_FAIL;
	struct parse_err e;

	skip_dev_keyword(&argc, &argv);
	if (argc > 0 && parse_ifname(argv[0], &e))
		return arg_invalid(argv[0], &e);
	if (argc > 1)
		return arg_unknown("link", argv[1]);

	genl = tlstun_nl_genl_open(&family);
	if (!genl)
		return EXIT_FAIL;
	if (argc > 0) {
		struct nl_sock *route = open_device(argv[0], &ifindex);

		if (!route)
			goto out;
		tlstun_nl_close(route);
	}
	msg = tlstun_nl_genl_msg(family, TLSTUN_CMD_GET_DEVICE,
				 ifindex ? 0 : NLM_F_DUMP);
	if (!msg)
		goto out;
	if (ifindex && nla_put_u32(msg, TLSTUN_A_IFINDEX, ifindex)) {
		tlstun_nl_build_failed();
		goto out;
	}
	print_list_begin();
	if (!tlstun_nl_talk(genl, msg, print_device, NULL))
		ret = EXIT_OK;
	print_list_end();
out:
	nlmsg_free(msg);
	tlstun_nl_close(genl);
	return ret;
}

int do_link(int argc, char **argv)
{
	static const struct command cmds[] = {
		{ "add", link_add },
		{ "set", link_set },
		{ "del", link_del },
		{ "show", link_show },
		{ NULL, NULL }
	};

	return dispatch("link", cmds, link_show, argc, argv);
}
