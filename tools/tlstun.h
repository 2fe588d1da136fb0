/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tlstun tool's files share. One file per object:
 *
 *   tlstun.c   main, global options, the object table, usage, argument errors
 *   link.c     do_link():    link add | set | del | show
 *   sa.c       do_sa():      sa add | del | show | flush
 *   monitor.c  do_monitor(): the "events" multicast group
 *   stats.c    do_stats():   every counter in OpenMetrics text
 *   keys.c     do_genkey(), do_pubkey(), do_nodeid(), do_cert(), do_csr():
 *              a node's key, pin, node id, certificate and CSR, made by
 *              tlshd/identity.c (compiled into the tool)
 *   parse.c    argument parsing (no netlink, unit-tested on the host)
 *   print.c    text and JSON output
 *   nl.c       netlink sockets, requests, extack, device lookup
 */
#ifndef TLSTUN_TOOL_H
#define TLSTUN_TOOL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/tlstun.h>

#include "parse.h"
#include "print.h"

/* Above every counter enum of the uapi header, with room to grow. */
#define TLSTUN_NL_COUNTERS_MAX	63

#ifndef TLSTUN_TOOL_VERSION
#define TLSTUN_TOOL_VERSION	"0.1"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit status: 0 success, 1 failure, 2 the command line was wrong. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

struct tlstun_opts {
	bool json;
	bool pretty;
	bool stats;
};

extern struct tlstun_opts opts;

int do_link(int argc, char **argv);
int do_sa(int argc, char **argv);
int do_peer(int argc, char **argv);
int do_fdb(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_show(int argc, char **argv);
int do_stats(int argc, char **argv);

/* The counter tables of link.c and sa.c, for stats.c too. */
extern const struct counter tlstun_device_counters[];
extern const struct counter tlstun_sa_counters[];

/* stats.c: what it collected, and its writer (unit-tested). */
struct tlstun_stats_dev {
	char name[IF_NAMESIZE];
	uint32_t ifindex;
	uint32_t sa_count;
	bool has_sa_count;
	uint64_t v[TLSTUN_NL_COUNTERS_MAX + 1];
	bool p[TLSTUN_NL_COUNTERS_MAX + 1];
};

struct tlstun_stats_sa {
	char dev[IF_NAMESIZE];
	unsigned int dir;
	uint32_t spi;
	char peer[TLSTUN_PEER_MAX];
	uint64_t v[TLSTUN_NL_COUNTERS_MAX + 1];
	bool p[TLSTUN_NL_COUNTERS_MAX + 1];
};

struct nl_sock;
int tlstun_for_each_device(int (*fn)(const char *name, void *arg),
			   void *arg);
int tlstun_devices_get(struct nl_sock *sk, int family, int ifindex,
		       struct tlstun_stats_dev **devs, size_t *n);
void tlstun_stats_write(FILE *f, const struct tlstun_stats_dev *devs,
			size_t ndev, const struct tlstun_stats_sa *sas,
			size_t nsa);
int do_genkey(int argc, char **argv);
int do_pubkey(int argc, char **argv);
int do_nodeid(int argc, char **argv);
int do_cert(int argc, char **argv);
int do_csr(int argc, char **argv);

/*
 * keys.c: a self-signed certificate's validity in days; the maximum is
 * identity.c's own limit (200 * 366), checked here so that the error
 * quotes the argument.
 */
#define CERT_DAYS_DEFAULT	3650
#define CERT_DAYS_MAX		73200

struct nlattr;

/* sa.c, for the monitor. */
void sa_print_ident(struct nlattr **sa);

/* peer.c, for the monitor. */
int peer_print_ident(struct nlattr *nest, const char *id_key);
int fdb_parse(struct nlattr *nest, struct nlattr **f);
void fdb_print_mac(struct nlattr **f, const char *fmt);
void fdb_print_peer(struct nlattr **f);

/* link.c, for the peer commands and the monitor. */
void print_nl_addr(const char *key, const char *fmt, struct nlattr *v4,
		   struct nlattr *v6);

/* An object's command table ends with a NULL name. */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

int dispatch(const char *object, const struct command *cmds,
	     int (*dflt)(int argc, char **argv), int argc, char **argv);
int usage_object(const char *object);

/* tlstun.c: each prints one "Error:" line and returns EXIT_USAGE. */
int arg_invalid(const char *arg, const struct parse_err *e);
int arg_invalid_value(const char *keyword, const char *arg,
		      const struct parse_err *e);
int arg_no_value(const char *keyword);
int arg_duplicate(const char *keyword, const char *arg);
int arg_required(const char *keyword, const char *command);
int arg_unknown(const char *object, const char *arg);
int arg_conflict(const char *why);

/*
 * Step to a keyword's value, or fail; used inside the argument loops, where
 * argc and argv are the unconsumed arguments and *argv is the keyword.
 */
#define NEXT_ARG()						\
	do {							\
		if (argc < 2)					\
			return arg_no_value(*argv);		\
		argc--;						\
		argv++;						\
	} while (0)

/* A keyword seen twice is refused, not silently overridden. */
#define ONCE(seen, keyword)					\
	do {							\
		if (seen)					\
			return arg_duplicate(keyword, argv[1] ? argv[1] : ""); \
		seen = true;					\
	} while (0)

#endif /* TLSTUN_TOOL_H */
