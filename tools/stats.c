// SPDX-License-Identifier: GPL-2.0
/*
 * "tlstun stats": every device and SA counter in the OpenMetrics text
 * format (the Prometheus exposition format), for node_exporter's textfile
 * collector or any scraper:
 *
 *   # TYPE tlstun_device_rx_packets counter
 *   # HELP tlstun_device_rx_packets rx: packets
 *   tlstun_device_rx_packets_total{dev="tt0"} 1234
 *   ...
 *   # TYPE tlstun_sa_packets counter
 *   tlstun_sa_packets_total{dev="tt0",dir="rx",spi="0x00000a01",peer="b"} 1200
 *   ...
 *   # EOF
 *
 * One family per counter, its samples together, as the format requires;
 * label values are escaped (backslash, double quote, newline). The port
 * counters are the UDP port's, shared by every device on it: each device
 * shows its port's. Nothing is printed unless every request succeeded.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/tlstun.h>

#include "nl.h"
#include "print.h"
#include "tlstun.h"

/* @p with room for one more of @size bytes past @n, or NULL (@p kept). */
static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	void *grown;

	if (n < *cap)
		return p;
	grown = realloc(p, (*cap * 2 + 8) * size);
	if (grown)
		*cap = *cap * 2 + 8;
	return grown;
}

struct dev_list {
	struct tlstun_stats_dev *devs;
	size_t n, cap;
	bool oom;
};

static int collect_dev(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLSTUN_A_MAX + 1];
	struct dev_list *l = arg;
	struct tlstun_stats_dev *d, *grown;

	if (tlstun_nl_genl_parse(msg, tb) || !tb[TLSTUN_A_IFNAME] ||
	    !tb[TLSTUN_A_IFINDEX])
		return NL_SKIP;
	grown = grow(l->devs, &l->cap, l->n, sizeof(*d));
	if (!grown) {
		l->oom = true;
		return NL_STOP;
	}
	l->devs = grown;
	d = &l->devs[l->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s",
		 nla_get_string(tb[TLSTUN_A_IFNAME]));
	d->ifindex = nla_get_u32(tb[TLSTUN_A_IFINDEX]);
	if (tb[TLSTUN_A_SA_COUNT]) {
		d->sa_count = nla_get_u32(tb[TLSTUN_A_SA_COUNT]);
		d->has_sa_count = true;
	}
	if (tb[TLSTUN_A_STATS])
		tlstun_nl_get_u64s(tb[TLSTUN_A_STATS], TLSTUN_NL_COUNTERS_MAX,
				   d->v, d->p);
	return NL_OK;
}

/**
 * tlstun_devices_get() - the tlstun devices of the netns, with counters
 * @sk: a generic netlink socket of @family
 * @family: the tlstun family
 * @ifindex: just this device, or 0 for every one
 * @devs: set to the devices, to be freed by the caller, even on failure
 * @n: set to their number
 *
 * Return: EXIT_OK, or EXIT_FAIL with the reason on stderr.
 */
int tlstun_devices_get(struct nl_sock *sk, int family, int ifindex,
		       struct tlstun_stats_dev **devs, size_t *n)
{
	struct dev_list l = { 0 };
	struct nl_msg *msg;
	int ret = EXIT_FAIL;

	msg = tlstun_nl_genl_msg(family, TLSTUN_CMD_GET_DEVICE,
				 ifindex ? 0 : NLM_F_DUMP);
	if (!msg || (ifindex && nla_put_u32(msg, TLSTUN_A_IFINDEX, ifindex)))
		tlstun_nl_build_failed();
	else if (!tlstun_nl_talk(sk, msg, collect_dev, &l) && !l.oom)
		ret = EXIT_OK;
	else if (l.oom)
		fprintf(stderr, "tlstun: out of memory\n");
	tlstun_nl_msg_free(msg);
	*devs = l.devs;
	*n = l.n;
	return ret;
}

/**
 * tlstun_for_each_device() - run @fn on every tlstun device of the netns
 * @fn: called with each device's name and @arg; a non-zero return stops
 * @arg: passed on
 *
 * Return: EXIT_OK, EXIT_FAIL when the devices cannot be listed, or what
 * @fn returned first that was not EXIT_OK.
 */
int tlstun_for_each_device(int (*fn)(const char *name, void *arg), void *arg)
{
	struct tlstun_stats_dev *devs = NULL;
	struct nl_sock *sk;
	int family, ret;
	size_t i, n = 0;

	sk = tlstun_nl_genl_open(&family);
	if (!sk)
		return EXIT_FAIL;
	ret = tlstun_devices_get(sk, family, 0, &devs, &n);
	tlstun_nl_close(sk);
	for (i = 0; i < n && !ret; i++)
		ret = fn(devs[i].name, arg);
	free(devs);
	return ret;
}

struct stats_collect {
	struct tlstun_stats_dev *devs;
	size_t ndev;
	struct tlstun_stats_sa *sas;
	size_t nsa, sacap;
	const char *dev;		/* the device the SAs come from */
	bool oom;
};

static int collect_sa(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLSTUN_A_MAX + 1], *sa[TLSTUN_SA_MAX + 1];
	struct stats_collect *sc = arg;
	struct tlstun_stats_sa *s, *grown;

	if (tlstun_nl_genl_parse(msg, tb) || tlstun_nl_sa_parse(tb, sa) ||
	    !sa[TLSTUN_SA_DIR] || !sa[TLSTUN_SA_SPI])
		return NL_SKIP;
	grown = grow(sc->sas, &sc->sacap, sc->nsa, sizeof(*s));
	if (!grown) {
		sc->oom = true;
		return NL_STOP;
	}
	sc->sas = grown;
	s = &sc->sas[sc->nsa++];
	memset(s, 0, sizeof(*s));
	snprintf(s->dev, sizeof(s->dev), "%s", sc->dev);
	s->dir = nla_get_u8(sa[TLSTUN_SA_DIR]);
	s->spi = nla_get_u32(sa[TLSTUN_SA_SPI]);
	if (sa[TLSTUN_SA_PEER])
		snprintf(s->peer, sizeof(s->peer), "%s",
			 nla_get_string(sa[TLSTUN_SA_PEER]));
	if (sa[TLSTUN_SA_STATS])
		tlstun_nl_get_u64s(sa[TLSTUN_SA_STATS], TLSTUN_NL_COUNTERS_MAX,
				   s->v, s->p);
	return NL_OK;
}

/* An OpenMetrics label value: \, " and newline escaped. */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void family(FILE *f, const char *prefix, const struct counter *c,
		   const char *type)
{
	fprintf(f, "# TYPE %s%s %s\n", prefix, c->key, type);
	fprintf(f, "# HELP %s%s %s %s\n", prefix, c->key, c->group, c->name);
}

/**
 * tlstun_stats_write() - the counters in OpenMetrics text
 * @f: where to
 * @devs: the devices and their counters
 * @ndev: how many
 * @sas: the SAs and theirs
 * @nsa: how many
 */
void tlstun_stats_write(FILE *f, const struct tlstun_stats_dev *devs,
			size_t ndev, const struct tlstun_stats_sa *sas,
			size_t nsa)
{
	static const struct counter sas_gauge = {
		0, "sa:", "count", "sas"
	};
	const struct counter *c;
	size_t i;

	for (c = tlstun_device_counters; c->name; c++) {
		family(f, "tlstun_device_", c, "counter");
		for (i = 0; i < ndev; i++) {
			if (!devs[i].p[c->attr])
				continue;
			fprintf(f, "tlstun_device_%s_total{dev=\"", c->key);
			label_value(f, devs[i].name);
			fprintf(f, "\"} %" PRIu64 "\n", devs[i].v[c->attr]);
		}
	}
	family(f, "tlstun_device_", &sas_gauge, "gauge");
	for (i = 0; i < ndev; i++) {
		if (!devs[i].has_sa_count)
			continue;
		fputs("tlstun_device_sas{dev=\"", f);
		label_value(f, devs[i].name);
		fprintf(f, "\"} %u\n", devs[i].sa_count);
	}
	for (c = tlstun_sa_counters; c->name; c++) {
		family(f, "tlstun_sa_", c, "counter");
		for (i = 0; i < nsa; i++) {
			if (!sas[i].p[c->attr])
				continue;
			fprintf(f, "tlstun_sa_%s_total{dev=\"", c->key);
			label_value(f, sas[i].dev);
			fprintf(f, "\",dir=\"%s\",spi=\"0x%08x\"",
				sas[i].dir == TLSTUN_SA_DIR_RX ? "rx" : "tx",
				sas[i].spi);
			if (sas[i].peer[0]) {
				fputs(",peer=\"", f);
				label_value(f, sas[i].peer);
				fputc('"', f);
			}
			fprintf(f, "} %" PRIu64 "\n", sas[i].v[c->attr]);
		}
	}
	fputs("# EOF\n", f);
}

/* GET_DEVICE for @ifindex, or every device when 0; then each one's SAs. */
/* The devices (@ifindex, or every one when 0), then each one's SAs. */
static int collect(struct stats_collect *sc, int ifindex)
{
	struct nl_msg *msg = NULL;
	struct nl_sock *sk;
	int family, ret;
	size_t i;

	sk = tlstun_nl_genl_open(&family);
	if (!sk)
		return EXIT_FAIL;
	ret = tlstun_devices_get(sk, family, ifindex, &sc->devs, &sc->ndev);
	for (i = 0; !ret && i < sc->ndev; i++) {
		msg = tlstun_nl_genl_msg(family, TLSTUN_CMD_GET_SA,
					 NLM_F_DUMP);
		if (!msg || nla_put_u32(msg, TLSTUN_A_IFINDEX,
					sc->devs[i].ifindex)) {
			tlstun_nl_build_failed();
			ret = EXIT_FAIL;
		} else {
			sc->dev = sc->devs[i].name;
			if (tlstun_nl_talk(sk, msg, collect_sa, sc))
				ret = EXIT_FAIL;
		}
		tlstun_nl_msg_free(msg);
	}
	if (!ret && sc->oom) {
		fprintf(stderr, "tlstun: out of memory\n");
		ret = EXIT_FAIL;
	}
	tlstun_nl_close(sk);
	return ret;
}

int do_stats(int argc, char **argv)
{
	struct stats_collect sc = { 0 };
	const char *dev = NULL;
	struct nl_sock *route;
	struct parse_err e;
	int ifindex = 0, ret;

	if (argc > 0 && !strcmp(argv[0], "help"))
		return usage_object("stats");
	if (print_is_json())
		return arg_conflict("\"stats\" prints OpenMetrics text; -j and -p do not apply (try \"link show\" or \"sa show\" with -s)");
	if (argc >= 1 && !strcmp(argv[0], "dev")) {
		if (argc < 2)
			return arg_no_value("dev");
		if (parse_ifname(argv[1], &e))
			return arg_invalid_value("dev", argv[1], &e);
		dev = argv[1];
		argc -= 2;
		argv += 2;
	}
	if (argc > 0)
		return arg_unknown("stats", argv[0]);
	if (dev) {
		route = tlstun_nl_route_open();
		if (!route || tlstun_nl_ifindex(route, dev, &ifindex)) {
			tlstun_nl_close(route);
			return EXIT_FAIL;
		}
		tlstun_nl_close(route);
	}
	ret = collect(&sc, ifindex);
	if (!ret)
		tlstun_stats_write(stdout, sc.devs, sc.ndev, sc.sas, sc.nsa);
	free(sc.devs);
	free(sc.sas);
	return ret;
}
