// SPDX-License-Identifier: GPL-2.0
/*
 * tlstun sa: install, remove, list and flush the security associations of
 * a tlstun device through the generic netlink family.
 *
 * A key given as HEX sits in argv, a key file's content in a stack buffer,
 * and both end up in the request: each copy is wiped once the request is
 * sent or refused, on every path.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/tlstun.h>

#include "nl.h"
#include "print.h"
#include "tlstun.h"

/* The keywords a command takes; the others are refused by name. */
enum {
	SA_ARG_DEV	= 1 << 0,
	SA_ARG_DIR	= 1 << 1,
	SA_ARG_SPI	= 1 << 2,
	/* suite, key, replay-window, peer, peer-id and the limits */
	SA_ARG_ADD	= 1 << 3,
	SA_ARG_PEER_ID	= 1 << 4,
};

static const struct lifetime {
	unsigned int attr;
	const char *name;
	const char *key;
} lifetimes[] = {
	{ TLSTUN_LIFETIME_SOFT_PACKETS, "soft-packets", "soft_packets" },
	{ TLSTUN_LIFETIME_HARD_PACKETS, "hard-packets", "hard_packets" },
	{ TLSTUN_LIFETIME_SOFT_BYTES, "soft-bytes", "soft_bytes" },
	{ TLSTUN_LIFETIME_HARD_BYTES, "hard-bytes", "hard_bytes" },
	{ TLSTUN_LIFETIME_SOFT_SECONDS, "soft-seconds", "soft_seconds" },
	{ TLSTUN_LIFETIME_HARD_SECONDS, "hard-seconds", "hard_seconds" },
};

#define N_LIFETIMES ARRAY_SIZE(lifetimes)

const struct counter tlstun_sa_counters[] = {
	{ TLSTUN_SA_STATS_PACKETS, "stats:", "packets", "packets" },
	{ TLSTUN_SA_STATS_BYTES, "stats:", "bytes", "bytes" },
	{ TLSTUN_SA_STATS_VNI_MISMATCH, "stats:", "vni-mismatch", "vni_mismatch" },
	{ TLSTUN_SA_STATS_AUTH_FAIL, "stats:", "auth-fail", "auth_fail" },
	{ TLSTUN_SA_STATS_REPLAY, "stats:", "replay", "replay" },
	{ TLSTUN_SA_STATS_TOO_SHORT, "stats:", "too-short", "too_short" },
	{ 0, NULL, NULL, NULL }
};

_Static_assert(sizeof(tlstun_sa_counters) / sizeof(tlstun_sa_counters[0]) -
	       1 == TLSTUN_SA_STATS_MAX - 1,
	       "sa_counters does not match enum tlstun_sa_stats_attr");
_Static_assert(ARRAY_SIZE(lifetimes) == TLSTUN_LIFETIME_MAX - 1,
	       "lifetimes does not match enum tlstun_lifetime_attr");

static const struct keyword state_keywords[] = {
	{ "soft-expired", TLSTUN_SA_STATE_SOFT_EXPIRED },
	{ "exhausted", TLSTUN_SA_STATE_EXHAUSTED },
	{ NULL, 0 }
};

struct sa_args {
	const char *dev;
	unsigned int dir, suite;
	uint32_t spi, window, peer_id;
	char *key;		/* the argument: HEX or @FILE */
	const char *peer;
	uint64_t limit[N_LIFETIMES];
	bool has_dev, has_dir, has_spi, has_suite, has_key, has_window,
	     has_peer, has_peer_id, has_limit[N_LIFETIMES];
};

/* Wipe a key given on the command line; a file name is no secret. */
static void wipe_key_arg(struct sa_args *a)
{
	if (a->key && a->key[0] != '@')
		explicit_bzero(a->key, strlen(a->key));
}

static int parse_limit(const char *kw, unsigned int *i)
{
	for (*i = 0; *i < N_LIFETIMES; (*i)++)
		if (!strcmp(kw, lifetimes[*i].name))
			return 0;
	return -1;
}

static int parse_sa_args(int argc, char **argv, unsigned int allowed,
			 struct sa_args *a)
{
	struct parse_err e;
	unsigned int i;

	for (; argc > 0; argc--, argv++) {
		const char *kw = *argv;
		int ret = 0;

		if ((allowed & SA_ARG_DEV) && !strcmp(kw, "dev")) {
			ONCE(a->has_dev, kw);
			NEXT_ARG();
			a->dev = *argv;
			ret = parse_ifname(*argv, &e);
		} else if ((allowed & SA_ARG_DIR) && !strcmp(kw, "dir")) {
			ONCE(a->has_dir, kw);
			NEXT_ARG();
			ret = parse_keyword(dir_keywords, "direction", *argv,
					    &a->dir, &e);
		} else if ((allowed & SA_ARG_SPI) && !strcmp(kw, "spi")) {
			ONCE(a->has_spi, kw);
			NEXT_ARG();
			ret = parse_spi(*argv, &a->spi, &e);
		} else if ((allowed & SA_ARG_ADD) && !strcmp(kw, "suite")) {
			ONCE(a->has_suite, kw);
			NEXT_ARG();
			ret = parse_keyword(suite_keywords, "suite", *argv,
					    &a->suite, &e);
		} else if ((allowed & SA_ARG_ADD) && !strcmp(kw, "key")) {
			/* Not ONCE: it would quote the second key. */
			if (a->has_key)
				return arg_duplicate(kw, "(hidden)");
			a->has_key = true;
			NEXT_ARG();
			/* Checked once the suite, so the length, is known. */
			a->key = *argv;
		} else if ((allowed & SA_ARG_ADD) &&
			   !strcmp(kw, "replay-window")) {
			ONCE(a->has_window, kw);
			NEXT_ARG();
			ret = parse_u32(*argv, TLSTUN_REPLAY_WINDOW_MIN,
					TLSTUN_REPLAY_WINDOW_MAX, &a->window,
					&e);
		} else if ((allowed & SA_ARG_ADD) && !strcmp(kw, "peer")) {
			ONCE(a->has_peer, kw);
			NEXT_ARG();
			a->peer = *argv;
			ret = parse_peer(*argv, &e);
		} else if ((allowed & SA_ARG_PEER_ID) &&
			   !strcmp(kw, "peer-id")) {
			ONCE(a->has_peer_id, kw);
			NEXT_ARG();
			ret = parse_u32(*argv, 0, UINT32_MAX, &a->peer_id, &e);
		} else if ((allowed & SA_ARG_ADD) && !parse_limit(kw, &i)) {
			ONCE(a->has_limit[i], kw);
			NEXT_ARG();
			ret = parse_u64(*argv, 0, UINT64_MAX, &a->limit[i], &e);
		} else {
			return arg_unknown("sa", kw);
		}
		if (ret)
			return arg_invalid_value(kw, *argv, &e);
	}
	return EXIT_OK;
}

/* The genl socket, then the device: no tlstun device without the module. */
static struct nl_sock *open_sa_device(const char *dev, int *family,
				      int *ifindex)
{
	struct nl_sock *genl, *route;

	genl = tlstun_nl_genl_open(family);
	if (!genl)
		return NULL;
	route = tlstun_nl_route_open();
	if (!route || tlstun_nl_ifindex(route, dev, ifindex)) {
		tlstun_nl_close(route);
		tlstun_nl_close(genl);
		return NULL;
	}
	tlstun_nl_close(route);
	return genl;
}

/* DIR and SPI name an SA in ADD_SA, DEL_SA and GET_SA alike. */
static int put_sa_id(struct nl_msg *msg, const struct sa_args *a)
{
	return nla_put_u8(msg, TLSTUN_SA_DIR, a->dir) ||
	       nla_put_u32(msg, TLSTUN_SA_SPI, a->spi);
}

static int put_sa_add(struct nl_msg *msg, const struct sa_args *a,
		      const uint8_t *key, size_t keylen)
{
	struct nlattr *lifetime;
	bool any = false;

	if (put_sa_id(msg, a) ||
	    nla_put_u16(msg, TLSTUN_SA_SUITE, a->suite) ||
	    nla_put(msg, TLSTUN_SA_KEY, keylen, key) ||
	    (a->has_window &&
	     nla_put_u32(msg, TLSTUN_SA_REPLAY_WINDOW, a->window)) ||
	    (a->has_peer && nla_put_string(msg, TLSTUN_SA_PEER, a->peer)))
		return -1;
	for (size_t i = 0; i < N_LIFETIMES; i++)
		any |= a->has_limit[i];
	if (!any)
		return 0;
	lifetime = nla_nest_start(msg, TLSTUN_SA_LIFETIME);
	if (!lifetime)
		return -1;
	for (size_t i = 0; i < N_LIFETIMES; i++)
		if (a->has_limit[i] &&
		    nla_put_u64(msg, lifetimes[i].attr, a->limit[i]))
			return -1;
	nla_nest_end(msg, lifetime);
	return 0;
}

/*
 * One request about @a->dev; @put adds what follows the device (the SA
 * nest, the flags), @ctx being its own argument.
 */
static int sa_request(const struct sa_args *a, uint8_t cmd, int flags,
		      int (*put)(struct nl_msg *msg, const struct sa_args *a,
				 const void *ctx),
		      const void *ctx, nl_recvmsg_msg_cb_t valid, void *arg)
{
	struct nl_msg *msg = NULL;
	struct nl_sock *sk;
	int family, ifindex, ret = EXIT_FAIL;

	sk = open_sa_device(a->dev, &family, &ifindex);
	if (!sk)
		return EXIT_FAIL;
	msg = tlstun_nl_genl_msg(family, cmd, flags);
	if (!msg)
		goto out;
	if (nla_put_u32(msg, TLSTUN_A_IFINDEX, ifindex) ||
	    (a->has_peer_id &&
	     nla_put_u32(msg, TLSTUN_A_PEER_ID, a->peer_id)) ||
	    (put && put(msg, a, ctx))) {
		tlstun_nl_build_failed();
		goto out;
	}
	if (!tlstun_nl_talk(sk, msg, valid, arg))
		ret = EXIT_OK;
out:
	tlstun_nl_msg_free(msg);
	tlstun_nl_close(sk);
	return ret;
}

static int put_sa_nest(struct nl_msg *msg, const struct sa_args *a,
		       const uint8_t *key, size_t keylen)
{
	struct nlattr *nest = nla_nest_start(msg, TLSTUN_A_SA);

	if (!nest || (key ? put_sa_add(msg, a, key, keylen) :
			    put_sa_id(msg, a)))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

struct key_ctx {
	const uint8_t *key;
	size_t len;
};

static int put_add(struct nl_msg *msg, const struct sa_args *a,
		   const void *ctx)
{
	const struct key_ctx *k = ctx;

	return put_sa_nest(msg, a, k->key, k->len);
}

static int put_id(struct nl_msg *msg, const struct sa_args *a,
		  const void *ctx)
{
	(void)ctx;
	return put_sa_nest(msg, a, NULL, 0);
}

static int put_flush(struct nl_msg *msg, const struct sa_args *a,
		     const void *ctx)
{
	(void)a;
	(void)ctx;
	return nla_put_u32(msg, TLSTUN_A_FLAGS, TLSTUN_DEVICE_F_FLUSH_SAS);
}

static int require_id(const struct sa_args *a, const char *command)
{
	if (!a->has_dev)
		return arg_required("dev", command);
	if (!a->has_dir)
		return arg_required("dir", command);
	if (!a->has_spi)
		return arg_required("spi", command);
	return EXIT_OK;
}

static int sa_add_checked(struct sa_args *a)
{
	uint8_t key[PARSE_KEY_MAX];
	struct key_ctx k = { key, suite_key_len(a->suite) };
	struct parse_err e;
	bool loose;
	int ret;

	ret = require_id(a, "sa add");
	if (ret)
		return ret;
	if (!a->has_suite)
		return arg_required("suite", "sa add");
	if (!a->has_key)
		return arg_required("key", "sa add");
	if (a->has_window && a->dir != TLSTUN_SA_DIR_RX)
		return arg_conflict("\"replay-window\" applies to rx SAs only");

	ret = parse_key(a->key, a->suite, key, &loose, &e);
	if (ret) {
		/* Quote a file name, never a key. */
		ret = arg_invalid_value("key", a->key[0] == '@' ? a->key : NULL,
					&e);
		goto out;
	}
	if (loose)
		fprintf(stderr, "Warning: key file \"%s\" is accessible by group or others\n",
			a->key + 1);
	ret = sa_request(a, TLSTUN_CMD_ADD_SA, 0, put_add, &k, NULL, NULL);
out:
	explicit_bzero(key, sizeof(key));
	return ret;
}

static int sa_add(int argc, char **argv)
{
	struct sa_args a = {};
	int ret;

	ret = parse_sa_args(argc, argv, ~0U, &a);
	if (!ret)
		ret = sa_add_checked(&a);
	wipe_key_arg(&a);
	return ret;
}

static int sa_del(int argc, char **argv)
{
	struct sa_args a = {};
	int ret;

	ret = parse_sa_args(argc, argv, SA_ARG_DEV | SA_ARG_DIR | SA_ARG_SPI |
			    SA_ARG_PEER_ID, &a);
	if (!ret)
		ret = require_id(&a, "sa del");
	if (ret)
		return ret;
	return sa_request(&a, TLSTUN_CMD_DEL_SA, 0, put_id, NULL, NULL, NULL);
}

static void print_state(uint32_t state)
{
	char buf[64] = "";
	size_t len = 0;

	for (const struct keyword *k = state_keywords; k->name; k++) {
		if (!(state & k->value))
			continue;
		state &= ~k->value;
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
				len ? "," : "", k->name);
	}
	if (state)
		snprintf(buf + len, sizeof(buf) - len, "%s0x%x",
			 len ? "," : "", state);
	print_string(PRINT_ANY, "state", "state %s", buf[0] ? buf : "ok");
}

/**
 * sa_print_ident() - print what names an SA: direction, SPI, suite
 * @sa: the SA nest's attributes
 *
 * Shared with the monitor, whose events name SAs the same way.
 */
void sa_print_ident(struct nlattr **sa)
{
	if (sa[TLSTUN_SA_DIR])
		print_keyword("dir", "dir", dir_keywords,
			      nla_get_u8(sa[TLSTUN_SA_DIR]));
	if (sa[TLSTUN_SA_SPI])
		print_uint(PRINT_ANY, "spi", "spi 0x%08x",
			   nla_get_u32(sa[TLSTUN_SA_SPI]));
	if (sa[TLSTUN_SA_SUITE])
		print_keyword("suite", "suite", suite_keywords,
			      nla_get_u16(sa[TLSTUN_SA_SUITE]));
}

/* Limits of 0 mean none: text leaves them out, JSON keeps every field. */
static void print_lifetime(struct nlattr *nest)
{
	uint64_t values[TLSTUN_LIFETIME_MAX + 1] = {};
	bool present[TLSTUN_LIFETIME_MAX + 1] = {};
	char fmt[32];

	tlstun_nl_get_u64s(nest, TLSTUN_LIFETIME_MAX, values, present);
	open_json_object("lifetime");
	for (size_t i = 0; i < N_LIFETIMES; i++) {
		uint64_t v = values[lifetimes[i].attr];

		if (!present[lifetimes[i].attr])
			continue;
		snprintf(fmt, sizeof(fmt), "%s %%llu", lifetimes[i].name);
		print_u64(v ? PRINT_ANY : PRINT_JSON, lifetimes[i].key, fmt, v);
	}
	close_json_object();
}

/*
 * First line: the SA as "sa add" arguments, "key (hidden)" standing in for
 * the key; then its age and state and, with -s, its counters.
 */
static int print_sa(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLSTUN_A_MAX + 1], *sa[TLSTUN_SA_MAX + 1];
	const char *dev = arg;

	if (tlstun_nl_genl_parse(msg, tb) || tlstun_nl_sa_parse(tb, sa))
		return NL_SKIP;
	print_record_begin();
	print_string(PRINT_ANY, "ifname", "dev %s", dev);
	if (tb[TLSTUN_A_IFINDEX])
		print_uint(PRINT_JSON, "ifindex", NULL,
			   nla_get_u32(tb[TLSTUN_A_IFINDEX]));
	sa_print_ident(sa);
	print_hidden("key");
	if (sa[TLSTUN_SA_REPLAY_WINDOW])
		print_uint(PRINT_ANY, "replay_window", "replay-window %u",
			   nla_get_u32(sa[TLSTUN_SA_REPLAY_WINDOW]));
	if (sa[TLSTUN_SA_PEER])
		print_string(PRINT_ANY, "peer", "peer %s",
			     nla_get_string(sa[TLSTUN_SA_PEER]));
	/* Absent: the device's own peer, as "sa add" without peer-id. */
	if (tb[TLSTUN_A_PEER_ID])
		print_uint(PRINT_ANY, "peer_id", "peer-id %u",
			   nla_get_u32(tb[TLSTUN_A_PEER_ID]));
	if (sa[TLSTUN_SA_LIFETIME])
		print_lifetime(sa[TLSTUN_SA_LIFETIME]);

	print_indent();
	if (sa[TLSTUN_SA_AGE_SECONDS])
		print_u64(PRINT_ANY, "age_seconds", "age %llus",
			  nla_get_u64(sa[TLSTUN_SA_AGE_SECONDS]));
	if (sa[TLSTUN_SA_STATE])
		print_state(nla_get_u32(sa[TLSTUN_SA_STATE]));
	if (opts.stats && sa[TLSTUN_SA_STATS])
		tlstun_nl_print_counters("stats", tlstun_sa_counters,
					 sa[TLSTUN_SA_STATS]);
	print_record_end();
	return NL_OK;
}

/* "sa show" with no device: every device's SAs, in one list, as ip xfrm
 * state lists every state.
 */
static int sa_show_dev(const char *name, void *arg)
{
	struct sa_args a = { .dev = name, .has_dev = true };

	(void)arg;
	return sa_request(&a, TLSTUN_CMD_GET_SA, NLM_F_DUMP, NULL, NULL,
			  print_sa, (void *)name);
}

static int sa_show_all(void)
{
	int ret;

	print_list_begin();
	ret = tlstun_for_each_device(sa_show_dev, NULL);
	print_list_end();
	return ret;
}

static int sa_show(int argc, char **argv)
{
	struct sa_args a = {};
	bool one;
	int ret;

	ret = parse_sa_args(argc, argv, SA_ARG_DEV | SA_ARG_DIR | SA_ARG_SPI |
			    SA_ARG_PEER_ID, &a);
	if (ret)
		return ret;
	if (a.has_peer_id && !a.has_dir)
		return arg_conflict("\"peer-id\" names a peer's SA together with \"dir\" and \"spi\"");
	if (!a.has_dev && (a.has_dir || a.has_spi))
		return arg_required("dev", "sa show dir DIR spi SPI");
	if (!a.has_dev)
		return sa_show_all();
	if (a.has_dir != a.has_spi)
		return arg_conflict("\"dir\" and \"spi\" name one SA together; give both or neither");
	one = a.has_dir;
	print_list_begin();
	ret = sa_request(&a, TLSTUN_CMD_GET_SA, one ? 0 : NLM_F_DUMP,
			 one ? put_id : NULL, NULL, print_sa, (void *)a.dev);
	print_list_end();
	return ret;
}

static int sa_flush(int argc, char **argv)
{
	struct sa_args a = {};
	int ret;

	ret = parse_sa_args(argc, argv, SA_ARG_DEV, &a);
	if (ret)
		return ret;
	if (!a.has_dev)
		return arg_required("dev", "sa flush");
	return sa_request(&a, TLSTUN_CMD_SET_DEVICE, 0, put_flush, NULL, NULL,
			  NULL);
}

int do_sa(int argc, char **argv)
{
	static const struct command cmds[] = {
		{ "add", sa_add },
		{ "del", sa_del },
		{ "show", sa_show },
		{ "flush", sa_flush },
		{ NULL, NULL }
	};

	return dispatch("sa", cmds, NULL, argc, argv);
}
