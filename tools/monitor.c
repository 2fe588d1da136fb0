// SPDX-License-Identifier: GPL-2.0
/*
 * tlstun monitor: print the events of the "events" multicast group (SA
 * soft and hard expiry, acquire), one line or one JSON object each, as
 * they arrive.
 *
 * Once subscribed, a line goes to stderr: until then an event would be
 * missed, so a test starts the monitor, waits for that line, and only then
 * makes the event happen. stdout is flushed after every event.
 */
#include <stdio.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/tlstun.h>

#include "nl.h"
#include "print.h"
#include "tlstun.h"

struct monitor {
	const char *dev;	/* only this device's events, or NULL */
	uint32_t count;		/* exit after this many, or 0 */
	uint32_t printed;
};

static const struct keyword event_keywords[] = {
	{ "soft-expire", TLSTUN_CMD_SA_SOFT_EXPIRE },
	{ "hard-expire", TLSTUN_CMD_SA_HARD_EXPIRE },
	{ "acquire", TLSTUN_CMD_ACQUIRE },
	{ "peer-add", TLSTUN_CMD_ADD_PEER },
	{ "peer-set", TLSTUN_CMD_SET_PEER },
	{ "peer-del", TLSTUN_CMD_DEL_PEER },
	{ "fdb-add", TLSTUN_CMD_ADD_FDB },
	{ "fdb-del", TLSTUN_CMD_DEL_FDB },
	{ NULL, 0 }
};

/* What peer and FDB events carry: the peer's id and endpoint, the MAC. */
static void print_peer_event(struct nlattr **tb)
{
	struct nlattr *f[TLSTUN_FDB_MAX_ATTR + 1];

	if (tb[TLSTUN_A_PEER])
		peer_print_ident(tb[TLSTUN_A_PEER], "peer_id");
	if (tb[TLSTUN_A_FDB] && !fdb_parse(tb[TLSTUN_A_FDB], f)) {
		fdb_print_mac(f, "mac %s");
		fdb_print_peer(f);
	}
}

static int print_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *ghdr = genlmsg_hdr(nlmsg_hdr(msg));
	struct nlattr *tb[TLSTUN_A_MAX + 1], *sa[TLSTUN_SA_MAX + 1];
	struct monitor *m = arg;
	const char *dev = NULL;
	const char *event;
	char unknown[32];

	if (tlstun_nl_genl_parse(msg, tb))
		return NL_SKIP;
	if (tb[TLSTUN_A_IFNAME])
		dev = nla_get_string(tb[TLSTUN_A_IFNAME]);
	if (m->dev && (!dev || strcmp(dev, m->dev)))
		return NL_SKIP;
	/* A newer kernel's event still prints, under its number. */
	event = keyword_name(event_keywords, ghdr->cmd);
	if (!event) {
		snprintf(unknown, sizeof(unknown), "event-%u", ghdr->cmd);
		event = unknown;
	}

	print_record_begin();
	print_string(PRINT_ANY, "event", "%s", event);
	if (dev)
		print_string(PRINT_ANY, "ifname", "dev %s", dev);
	if (tb[TLSTUN_A_IFINDEX])
		print_uint(PRINT_JSON, "ifindex", NULL,
			   nla_get_u32(tb[TLSTUN_A_IFINDEX]));
	if (tb[TLSTUN_A_SA] && !tlstun_nl_sa_parse(tb, sa)) {
		sa_print_ident(sa);
		if (sa[TLSTUN_SA_PEER])
			print_string(PRINT_ANY, "peer", "peer %s",
				     nla_get_string(sa[TLSTUN_SA_PEER]));
	}
	if (tb[TLSTUN_A_PEER_ID])
		print_uint(PRINT_ANY, "peer_id", "peer-id %u",
			   nla_get_u32(tb[TLSTUN_A_PEER_ID]));
	print_peer_event(tb);
	if (tb[TLSTUN_A_TX_SPI])
		print_uint(PRINT_ANY, "tx_spi", "tx-spi 0x%08x",
			   nla_get_u32(tb[TLSTUN_A_TX_SPI]));
	if (tb[TLSTUN_A_EXPIRE_REASON])
		print_keyword("reason", "reason", expire_keywords,
			      nla_get_u8(tb[TLSTUN_A_EXPIRE_REASON]));
	print_record_end();

	m->printed++;
	return m->count && m->printed >= m->count ? NL_STOP : NL_OK;
}

static int parse_monitor_args(int argc, char **argv, struct monitor *m)
{
	bool has_dev = false, has_count = false;
	struct parse_err e;

	for (; argc > 0; argc--, argv++) {
		const char *kw = *argv;
		int ret;

		if (!strcmp(kw, "dev")) {
			ONCE(has_dev, kw);
			NEXT_ARG();
			m->dev = *argv;
			ret = parse_ifname(*argv, &e);
		} else if (!strcmp(kw, "count")) {
			ONCE(has_count, kw);
			NEXT_ARG();
			ret = parse_u32(*argv, 1, UINT32_MAX, &m->count, &e);
		} else {
			return arg_unknown("monitor", kw);
		}
		if (ret)
			return arg_invalid_value(kw, *argv, &e);
	}
	return EXIT_OK;
}

int do_monitor(int argc, char **argv)
{
	struct monitor m = {};
	struct nl_sock *sk;
	int family, group, err, ret = EXIT_FAIL;

	if (argc > 0 && !strcmp(argv[0], "help"))
		return usage_object("monitor");
	ret = parse_monitor_args(argc, argv, &m);
	if (ret)
		return ret;
	ret = EXIT_FAIL;

	sk = tlstun_nl_genl_open(&family);
	if (!sk)
		return EXIT_FAIL;
	group = genl_ctrl_resolve_grp(sk, TLSTUN_GENL_NAME,
				      TLSTUN_GENL_MCGRP_EVENTS);
	if (group < 0) {
		fprintf(stderr, "Error: the \"%s\" family has no \"%s\" multicast group: %s\n",
			TLSTUN_GENL_NAME, TLSTUN_GENL_MCGRP_EVENTS,
			nl_geterror(group));
		goto out;
	}
	/* Events are not replies: they carry no sequence number of ours. */
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, print_event, &m);
	err = nl_socket_add_membership(sk, group);
	if (err) {
		fprintf(stderr, "Error: cannot join the \"%s\" multicast group: %s%s\n",
			TLSTUN_GENL_MCGRP_EVENTS, nl_geterror(err),
			err == -NLE_PERM ? " (tlstun needs CAP_NET_ADMIN)" : "");
		goto out;
	}
	fprintf(stderr, "tlstun: listening for events\n");

	while (!m.count || m.printed < m.count) {
		err = nl_recvmsgs_default(sk);
		/* ENOBUFS: the receive queue overflowed; later events still
		 * come, so say so and go on.
		 */
		if (err == -NLE_NOMEM) {
			fprintf(stderr, "Warning: events were lost (receive buffer overflow)\n");
			continue;
		}
		if (err < 0) {
			fprintf(stderr, "Error: cannot read events: %s\n",
				nl_geterror(err));
			goto out;
		}
	}
	ret = EXIT_OK;
out:
	tlstun_nl_close(sk);
	return ret;
}
