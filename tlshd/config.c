// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund configuration file parser: /etc/tlstun/<ifname>.conf.
 *
 * Syntax, after wg(8) and systemd.syntax(7): "[section]" headers, "key =
 * value" lines, blank lines, and comment lines whose first non-blank
 * character is '#' or ';'. A '#' anywhere else belongs to the value: a
 * path may hold one, and a comment that silently shortened a path would
 * load the wrong file. "keepalive = 15 # seconds" is therefore refused,
 * with the value quoted, rather than half understood.
 *
 * The whole file is read into memory and split in place, so every value
 * stays available until the end and a check between two keys can quote
 * both. Parsing fills a private copy that replaces the caller's only on
 * success: a bad reload leaves the running configuration alone.
 *
 * Nothing here opens the files the configuration names or resolves a
 * host name: the daemon loads keys and certificates and reports their
 * errors itself, and a configuration check must not depend on DNS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "negotiate.h"
#include "proto.h"

enum section {
	SEC_INTERFACE,
	SEC_PEER,
	SEC_TIMERS,
	SEC_LIMITS,
	SEC_COUNT,
	SEC_NONE = SEC_COUNT,	/* before the first header */
};

static const char *const section_names[SEC_COUNT] = {
	[SEC_INTERFACE]	= "interface",
	[SEC_PEER]	= "peer",
	[SEC_TIMERS]	= "timers",
	[SEC_LIMITS]	= "limits",
};

enum key_id {
	K_IFNAME, K_PRIVATE_KEY, K_CERTIFICATE, K_LISTEN, K_VNI, K_PORT,
	K_LOCAL, K_SUITES,
	K_PEER_NAME, K_ENDPOINT, K_REMOTE, K_TRANSPORT, K_TRUST, K_CA,
	K_NODE_ID, K_PIN, K_TOFU_DIR, K_CRL, K_CRL_EXPIRED,
	K_REKEY_INTERVAL, K_HANDSHAKE_INTERVAL, K_REKEY_GRACE,
	K_RECONNECT_MIN, K_RECONNECT_MAX, K_KEEPALIVE, K_DEAD_AFTER,
	K_SOFT_PACKETS, K_HARD_PACKETS, K_SOFT_BYTES, K_HARD_BYTES,
	K_SOFT_SECONDS, K_HARD_SECONDS, K_REPLAY_WINDOW,
	K_COUNT
};

enum value_type {
	T_IFNAME,
	T_PATH,		/* absolute */
	T_LISTEN,	/* PORT, ADDR[:PORT], [IPV6][:PORT] or none */
	T_ENDPOINT,	/* ADDR[:PORT] or [IPV6][:PORT] */
	T_ADDR,		/* a unicast address, no port */
	T_NUMBER,	/* decimal */
	T_DURATION,	/* decimal seconds, or with s, m, h, d */
	T_BYTES,	/* decimal, or with K, M, G, T (powers of 1024) */
	T_SUITES,
	T_PEER_NAME,
	T_TRANSPORT,
	T_CRL_EXPIRED,
	T_TRUST,
	T_NODE_ID,
	T_PIN,
};

struct key_def {
	const char *name;
	enum section sect;
	enum value_type type;
	size_t off, size;	/* the field in struct tlstund_config */
	uint64_t min, max;	/* T_NUMBER, T_DURATION, T_BYTES */
};

#define FIELD(f)	offsetof(struct tlstund_config, f), \
			sizeof(((struct tlstund_config *)0)->f)
#define KEY(n, s, t, f, lo, hi)	{ n, SEC_##s, T_##t, FIELD(f), lo, hi }

#define DAY	86400U
#define WEEK	(7 * DAY)

/*
 * Timer bounds keep every value, in milliseconds, inside a u32, so the
 * daemon's timer arithmetic cannot overflow; rekey-interval is the
 * protocol's own range (control-protocol.rst).
 */
static const struct key_def keys[K_COUNT] = {
	[K_IFNAME]	= KEY("name", INTERFACE, IFNAME, ifname, 0, 0),
	[K_PRIVATE_KEY]	= KEY("private-key", INTERFACE, PATH, key_path, 0, 0),
	[K_CERTIFICATE]	= KEY("certificate", INTERFACE, PATH, cert_path, 0, 0),
	[K_LISTEN]	= KEY("listen", INTERFACE, LISTEN, listen, 0, 0),
	[K_VNI]		= KEY("vni", INTERFACE, NUMBER, vni, 0,
			      TLSTUND_PROTO_VNI_MAX),
	[K_PORT]	= KEY("port", INTERFACE, NUMBER, port, 1, UINT16_MAX),
	[K_LOCAL]	= KEY("local", INTERFACE, ADDR, local, 0, 0),
	[K_SUITES]	= KEY("suites", INTERFACE, SUITES, suites, 0, 0),

	[K_PEER_NAME]	= KEY("name", PEER, PEER_NAME, peer_name, 0, 0),
	[K_ENDPOINT]	= KEY("endpoint", PEER, ENDPOINT, endpoint, 0, 0),
	[K_REMOTE]	= KEY("remote", PEER, ADDR, remote, 0, 0),
	[K_TRANSPORT]	= KEY("transport", PEER, TRANSPORT, transport, 0, 0),
	[K_TRUST]	= KEY("trust", PEER, TRUST, trust, 0, 0),
	[K_CA]		= KEY("ca", PEER, PATH, ca_path, 0, 0),
	[K_NODE_ID]	= KEY("node-id", PEER, NODE_ID, node_id, 0, 0),
	[K_PIN]		= KEY("pin", PEER, PIN, pin, 0, 0),
	[K_TOFU_DIR]	= KEY("tofu-dir", PEER, PATH, tofu_dir, 0, 0),
	[K_CRL]		= KEY("crl", PEER, PATH, crl_path, 0, 0),
	[K_CRL_EXPIRED]	= KEY("crl-expired", PEER, CRL_EXPIRED, crl_expired_warn,
			      0, 0),

	[K_REKEY_INTERVAL] = KEY("rekey-interval", TIMERS, DURATION,
				 rekey_interval, TLSTUND_PROTO_REKEY_MIN_S,
				 TLSTUND_PROTO_REKEY_MAX_S),
	[K_HANDSHAKE_INTERVAL] = KEY("handshake-interval", TIMERS, DURATION,
				     handshake_interval,
				     TLSTUND_PROTO_REKEY_MIN_S, WEEK),
	[K_REKEY_GRACE]	= KEY("rekey-grace", TIMERS, DURATION, rekey_grace,
			      1, 3600),
	[K_RECONNECT_MIN] = KEY("reconnect-min", TIMERS, DURATION,
				reconnect_min, 1, 3600),
	[K_RECONNECT_MAX] = KEY("reconnect-max", TIMERS, DURATION,
				reconnect_max, 1, DAY),
	[K_KEEPALIVE]	= KEY("keepalive", TIMERS, DURATION, keepalive, 1, 3600),
	[K_DEAD_AFTER]	= KEY("dead-after", TIMERS, DURATION, dead_after, 2,
			      DAY),

	[K_SOFT_PACKETS] = KEY("soft-packets", LIMITS, NUMBER, soft_packets,
			       0, UINT64_MAX),
	[K_HARD_PACKETS] = KEY("hard-packets", LIMITS, NUMBER, hard_packets,
			       0, UINT64_MAX),
	[K_SOFT_BYTES]	= KEY("soft-bytes", LIMITS, BYTES, soft_bytes, 0,
			      UINT64_MAX),
	[K_HARD_BYTES]	= KEY("hard-bytes", LIMITS, BYTES, hard_bytes, 0,
			      UINT64_MAX),
	[K_SOFT_SECONDS] = KEY("soft-seconds", LIMITS, DURATION, soft_seconds,
			       0, UINT64_MAX),
	[K_HARD_SECONDS] = KEY("hard-seconds", LIMITS, DURATION, hard_seconds,
			       0, UINT64_MAX),
	[K_REPLAY_WINDOW] = KEY("replay-window", LIMITS, NUMBER, replay_window,
				TLSTUN_REPLAY_WINDOW_MIN,
				TLSTUN_REPLAY_WINDOW_MAX),
};

struct unit {
	char suffix;
	uint64_t mult;
};

static const struct unit duration_units[] = {
	{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', DAY }, { 0, 0 }
};

static const struct unit byte_units[] = {
	{ 'K', 1ULL << 10 }, { 'M', 1ULL << 20 }, { 'G', 1ULL << 30 },
	{ 'T', 1ULL << 40 }, { 0, 0 }
};

static const struct unit no_units[] = { { 0, 0 } };

static const struct {
	const char *name;
	uint16_t suite;
} suite_names[] = {
	{ "aes-gcm-256", TLSTUN_SUITE_AES_GCM_256 },
	{ "aes-gcm-128", TLSTUN_SUITE_AES_GCM_128 },
};

static const char *const transport_names[] = {
	[TLSTUND_TRANSPORT_TLS]		= "tls",
	[TLSTUND_TRANSPORT_QUIC]	= "quic",
};

static const char *const trust_names[] = {
	[TLSTUND_TRUST_CA]	= "ca",
	[TLSTUND_TRUST_PIN]	= "pin",
	[TLSTUND_TRUST_TOFU]	= "tofu",
};

/* Longest host part of an address with a port: an IPv6 address. */
#define HOST_MAX	INET6_ADDRSTRLEN
/* "[IPV6]:65535" and a NUL. */
#define ADDRSTR_MAX	(INET6_ADDRSTRLEN + 8)
/* A u64 with a suffix, and a NUL. */
#define NUMSTR_MAX	24

struct parser {
	const char *path;
	char *err;
	size_t errlen;
	unsigned int line;
	enum section sect;
	unsigned int sect_line[SEC_COUNT];	/* 0: not seen */
	unsigned int key_line[K_COUNT];		/* 0: not set */
	const char *key_val[K_COUNT];		/* into the text */
	struct tlstund_config cfg;
};

/* Every message starts "PATH:LINE: ", or "PATH: " when @line is 0. */
static int __attribute__((format(printf, 3, 4)))
fail_at(struct parser *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -EINVAL;
	if (line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->path, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->path);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A bad value of the key on the current line. */
static int bad_value(struct parser *p, enum key_id k, const char *val,
		     const char *why)
{
	return fail_at(p, p->line, "\"%s\" value \"%s\" %s", keys[k].name, val,
		       why);
}

static void *field(struct tlstund_config *cfg, enum key_id k)
{
	return (char *)cfg + keys[k].off;
}

/* @v in the largest unit that divides it: "90s", "10m", "1d", "0". */
static void fmt_scaled(char *buf, size_t len, uint64_t v,
		       const struct unit *units, const char *plain)
{
	const struct unit *u, *best = NULL;

	for (u = units; u->suffix; u++)
		if (v && v % u->mult == 0)
			best = u;
	if (best)
		snprintf(buf, len, "%" PRIu64 "%c", v / best->mult,
			 best->suffix);
	else
		snprintf(buf, len, "%" PRIu64 "%s", v, v ? plain : "");
}

static void fmt_duration(char *buf, size_t len, uint64_t v)
{
	fmt_scaled(buf, len, v, duration_units, "s");
}

/*
 * Decimal digits and at most one suffix from @units. Returns 0, -EINVAL
 * for anything else (a sign, white space, an empty string), -ERANGE when
 * the value does not fit in a u64.
 */
static int parse_scaled(const char *s, const struct unit *units,
			uint64_t *out)
{
	const struct unit *u;
	uint64_t v = 0, mult = 1;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s) {
		for (u = units; u->suffix && u->suffix != *s; u++)
			;
		if (!u->suffix || s[1])
			return -EINVAL;
		mult = u->mult;
	}
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	uint64_t v;

	if (parse_scaled(s, no_units, &v))
		return -EINVAL;
	if (v < 1 || v > UINT16_MAX)
		return -ERANGE;
	*port = v;
	return 0;
}

/* A numeric IPv4 or IPv6 address, port 0; no zone, no host name. */
static bool parse_ip(const char *s, struct tlstund_sockaddr *sa)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sa->ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&sa->ss;

	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sa->len = sizeof(*sin);
		return true;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sa->len = sizeof(*sin6);
		return true;
	}
	return false;
}

static void set_port(struct tlstund_sockaddr *sa, uint16_t port)
{
	if (sa->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&sa->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&sa->ss)->sin6_port = htons(port);
}

static uint16_t get_port(const struct tlstund_sockaddr *sa)
{
	if (sa->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&sa->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&sa->ss)->sin6_port);
}

static bool is_any(const struct tlstund_sockaddr *sa)
{
	if (sa->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&sa->ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(
		&((const struct sockaddr_in6 *)&sa->ss)->sin6_addr);
}

static bool is_multicast(const struct tlstund_sockaddr *sa)
{
	if (sa->ss.ss_family == AF_INET)
		return IN_MULTICAST(ntohl(
			((const struct sockaddr_in *)&sa->ss)->sin_addr.s_addr));
	return IN6_IS_ADDR_MULTICAST(
		&((const struct sockaddr_in6 *)&sa->ss)->sin6_addr);
}

static bool is_v4mapped(const struct tlstund_sockaddr *sa)
{
	return sa->ss.ss_family == AF_INET6 &&
	       IN6_IS_ADDR_V4MAPPED(
			&((const struct sockaddr_in6 *)&sa->ss)->sin6_addr);
}

static const char *family_name(const struct tlstund_sockaddr *sa)
{
	return sa->ss.ss_family == AF_INET ? "IPv4" : "IPv6";
}

/*
 * "ADDR", "ADDR:PORT", "[IPV6]", "[IPV6]:PORT" or a bare "IPV6" (more
 * than one colon: there is no port to split off). Returns 0, -EINVAL for
 * a malformed value, -ERANGE for a bad port.
 */
static int parse_addr_port(const char *s, uint16_t def_port,
			   struct tlstund_sockaddr *sa)
{
	const char *host = s, *port = NULL, *colon, *close;
	char buf[HOST_MAX];
	size_t hlen = strlen(s);
	uint16_t pnum = def_port;
	int ret;

	if (s[0] == '[') {
		close = strchr(s, ']');
		if (!close)
			return -EINVAL;
		host = s + 1;
		hlen = close - host;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -EINVAL;
	} else {
		colon = strchr(s, ':');
		if (colon && !strchr(colon + 1, ':')) {
			hlen = colon - s;
			port = colon + 1;
		}
	}
	if (hlen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, host, hlen);
	buf[hlen] = '\0';
	if (!parse_ip(buf, sa))
		return -EINVAL;
	/* Brackets are for IPv6 only: "[192.0.2.1]" is a typo, not a form. */
	if (s[0] == '[' && sa->ss.ss_family != AF_INET6)
		return -EINVAL;
	if (port) {
		ret = parse_port(port, &pnum);
		if (ret)
			return ret;
	}
	set_port(sa, pnum);
	return 0;
}

/* What every configured address must be, listen's any address aside. */
static int check_addr(struct parser *p, enum key_id k, const char *val,
		      const struct tlstund_sockaddr *sa, bool any_ok)
{
	if (is_v4mapped(sa))
		return bad_value(p, k, val,
				 "is an IPv4-mapped address; write it as IPv4");
	if (is_multicast(sa))
		return bad_value(p, k, val, "is a multicast address");
	if (!any_ok && is_any(sa))
		return bad_value(p, k, val, "is the unspecified address");
	return 0;
}

static int parse_listen(struct parser *p, const char *val,
			struct tlstund_sockaddr *sa)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sa->ss;
	uint16_t port;
	int ret;

	memset(sa, 0, sizeof(*sa));
	if (!strcmp(val, "none"))
		return 0;
	ret = parse_port(val, &port);
	if (!ret) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons(port);
		sa->len = sizeof(*sin6);
		return 0;
	}
	if (ret == -EINVAL)
		ret = parse_addr_port(val, TLSTUND_DEFAULT_CONTROL_PORT, sa);
	if (ret == -ERANGE)
		return bad_value(p, K_LISTEN, val,
				 "has a port out of range 1..65535");
	if (ret)
		return bad_value(p, K_LISTEN, val,
				 "is not PORT, ADDR[:PORT], [IPV6][:PORT] or none");
	return check_addr(p, K_LISTEN, val, sa, true);
}

/*
 * A bare IPv6 endpoint whose last group is three or more decimal digits,
 * "2001:db8::2:7081", reads as an address but was most likely meant as
 * one with a port: refused, so that the brackets say which.
 */
static bool ambiguous_v6(const char *val)
{
	const char *last = strrchr(val, ':');
	size_t n;

	if (val[0] == '[' || !last || !strstr(val, "::"))
		return false;
	n = strspn(last + 1, "0123456789");
	return n >= 3 && !last[1 + n];
}

static int parse_endpoint(struct parser *p, const char *val,
			  struct tlstund_sockaddr *sa)
{
	int ret = parse_addr_port(val, TLSTUND_DEFAULT_CONTROL_PORT, sa);
	const struct sockaddr_in6 *sin6 = (const void *)&sa->ss;

	if (ret == -ERANGE)
		return bad_value(p, K_ENDPOINT, val,
				 "has a port out of range 1..65535");
	if (ret)
		return bad_value(p, K_ENDPOINT, val,
				 "is not ADDR[:PORT] or [IPV6][:PORT] (host names are not resolved)");
	if (ambiguous_v6(val))
		return bad_value(p, K_ENDPOINT, val,
				 "is ambiguous: write [ADDR]:PORT for an address and a port, [ADDR] for the address alone");
	/* A link-local address means nothing without its interface, and
	 * the file takes no zone.
	 */
	if (sa->ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
		return bad_value(p, K_ENDPOINT, val,
				 "is link-local, which needs an interface; use a global or unique local address");
	return check_addr(p, K_ENDPOINT, val, sa, false);
}

static int parse_suites(struct parser *p, enum key_id k, const char *val)
{
	struct tlstund_config *cfg = &p->cfg;
	const char *s = val, *word;
	unsigned int n = 0, i, j;
	char msg[96];
	size_t len;

	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		word = s;
		len = strcspn(s, " \t");
		s += len;
		for (i = 0; i < sizeof(suite_names) / sizeof(suite_names[0]);
		     i++)
			if (strlen(suite_names[i].name) == len &&
			    !strncmp(suite_names[i].name, word, len))
				break;
		if (i == sizeof(suite_names) / sizeof(suite_names[0])) {
			snprintf(msg, sizeof(msg),
				 "names an unknown suite \"%.*s\" (aes-gcm-256, aes-gcm-128)",
				 (int)(len > 32 ? 32 : len), word);
			return bad_value(p, k, val, msg);
		}
		for (j = 0; j < n; j++) {
			if (cfg->suites[j] == suite_names[i].suite) {
				snprintf(msg, sizeof(msg),
					 "lists \"%s\" twice",
					 suite_names[i].name);
				return bad_value(p, k, val, msg);
			}
		}
		/* Cannot overflow: duplicates are refused above. */
		cfg->suites[n++] = suite_names[i].suite;
	}
	cfg->n_suites = n;
	return 0;
}

static int parse_number(struct parser *p, enum key_id k, const char *val)
{
	const struct key_def *d = &keys[k];
	const struct unit *units;
	const char *what;
	char lo[NUMSTR_MAX], hi[NUMSTR_MAX], msg[80];
	void *dst = field(&p->cfg, k);
	uint64_t v;
	int ret;

	switch (d->type) {
	case T_DURATION:
		units = duration_units;
		what = "is not a duration (a number, optionally with s, m, h or d)";
		break;
	case T_BYTES:
		units = byte_units;
		what = "is not a byte count (a number, optionally with K, M, G or T)";
		break;
	default:
		units = no_units;
		what = "is not a number";
		break;
	}
	ret = parse_scaled(val, units, &v);
	if (ret == -EINVAL)
		return bad_value(p, k, val, what);
	if (ret || v < d->min || v > d->max) {
		if (d->max == UINT64_MAX)
			return bad_value(p, k, val, "is too large");
		if (d->type == T_DURATION) {
			fmt_duration(lo, sizeof(lo), d->min);
			fmt_duration(hi, sizeof(hi), d->max);
		} else {
			snprintf(lo, sizeof(lo), "%" PRIu64, d->min);
			snprintf(hi, sizeof(hi), "%" PRIu64, d->max);
		}
		snprintf(msg, sizeof(msg), "is out of range %s..%s", lo, hi);
		return bad_value(p, k, val, msg);
	}
	switch (d->size) {
	case sizeof(uint16_t):
		*(uint16_t *)dst = v;
		break;
	case sizeof(uint32_t):
		*(uint32_t *)dst = v;
		break;
	default:
		*(uint64_t *)dst = v;
		break;
	}
	return 0;
}

static int parse_value(struct parser *p, enum key_id k, const char *val)
{
	struct tlstund_config *cfg = &p->cfg;
	const struct key_def *d = &keys[k];
	void *dst = field(cfg, k);
	unsigned int i;

	switch (d->type) {
	case T_IFNAME:
		if (!tlstund_config_ifname_valid(val))
			return bad_value(p, k, val,
					 "is not an interface name (1 to 15 bytes, no '/', ':', '%' or white space, not \".\" or \"..\")");
		strcpy(dst, val);
		return 0;
	case T_PATH:
		if (val[0] != '/')
			return bad_value(p, k, val, "is not an absolute path");
		if (strlen(val) >= d->size)
			return bad_value(p, k, val, "is too long");
		strcpy(dst, val);
		return 0;
	case T_LISTEN:
		return parse_listen(p, val, dst);
	case T_ENDPOINT:
		return parse_endpoint(p, val, dst);
	case T_ADDR:
		if (!parse_ip(val, dst))
			return bad_value(p, k, val,
					 "is not an IPv4 or IPv6 address");
		return check_addr(p, k, val, dst, false);
	case T_NUMBER:
	case T_DURATION:
	case T_BYTES:
		return parse_number(p, k, val);
	case T_SUITES:
		return parse_suites(p, k, val);
	case T_PEER_NAME:
		if (!tlstund_trust_peer_name_valid(val))
			return bad_value(p, k, val,
					 "is not a peer name (1 to 63 of A-Z a-z 0-9 _ . -, not starting with '.')");
		strcpy(dst, val);
		return 0;
	case T_TRANSPORT:
		for (i = TLSTUND_TRANSPORT_TLS; i <= TLSTUND_TRANSPORT_QUIC;
		     i++) {
			if (!strcmp(val, transport_names[i])) {
				cfg->transport = i;
				return 0;
			}
		}
		return bad_value(p, k, val, "is not quic or tls");
	case T_CRL_EXPIRED:
		if (!strcmp(val, "fail") || !strcmp(val, "warn")) {
			cfg->crl_expired_warn = !strcmp(val, "warn");
			return 0;
		}
		return bad_value(p, k, val, "is not fail or warn");
	case T_TRUST:
		for (i = TLSTUND_TRUST_CA; i <= TLSTUND_TRUST_TOFU; i++) {
			if (!strcmp(val, trust_names[i])) {
				cfg->trust = i;
				return 0;
			}
		}
		return bad_value(p, k, val, "is not ca, pin or tofu");
	case T_NODE_ID:
		if (tlstund_node_id_parse(val, dst))
			return bad_value(p, k, val,
					 "is not a node id (0x and 32 hex digits)");
		return 0;
	case T_PIN:
		if (tlstund_pin_parse(val, dst))
			return bad_value(p, k, val,
					 "is not a pin (sha256: and 64 hex digits, or 44 base64 characters)");
		return 0;
	}
	return bad_value(p, k, val, "has an unknown type");
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return s;
}

static int parse_section(struct parser *p, char *s)
{
	size_t len = strlen(s);
	enum section i;

	if (len < 2 || s[len - 1] != ']')
		return fail_at(p, p->line, "bad section header \"%s\"", s);
	s[len - 1] = '\0';
	for (i = 0; i < SEC_COUNT; i++)
		if (!strcmp(s + 1, section_names[i]))
			break;
	if (i == SEC_COUNT)
		return fail_at(p, p->line, "unknown section [%s]", s + 1);
	if (p->sect_line[i])
		return fail_at(p, p->line,
			       "section [%s] appears again (first on line %u)%s",
			       s + 1, p->sect_line[i],
			       i == SEC_PEER ? "; a device has one peer" : "");
	p->sect_line[i] = p->line;
	p->sect = i;
	return 0;
}

static int parse_key(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *key, *val;
	enum key_id k;

	if (!eq || eq == s)
		return fail_at(p, p->line, "expected \"key = value\", got \"%s\"",
			       s);
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (p->sect == SEC_NONE)
		return fail_at(p, p->line, "key \"%s\" is outside any section",
			       key);
	for (k = 0; k < K_COUNT; k++)
		if (keys[k].sect == p->sect && !strcmp(key, keys[k].name))
			break;
	if (k == K_COUNT) {
		for (k = 0; k < K_COUNT; k++)
			if (!strcmp(key, keys[k].name))
				return fail_at(p, p->line,
					       "unknown key \"%s\" in [%s]; it belongs in [%s]",
					       key, section_names[p->sect],
					       section_names[keys[k].sect]);
		return fail_at(p, p->line, "unknown key \"%s\" in [%s]", key,
			       section_names[p->sect]);
	}
	if (p->key_line[k])
		return fail_at(p, p->line,
			       "duplicate key \"%s\" (first on line %u)", key,
			       p->key_line[k]);
	if (!*val)
		return fail_at(p, p->line, "key \"%s\" has no value", key);
	p->key_line[k] = p->line;
	p->key_val[k] = val;
	return parse_value(p, k, val);
}

/* One line, NUL-terminated, line end removed. */
static int parse_line(struct parser *p, char *s)
{
	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return parse_section(p, s);
	return parse_key(p, s);
}

/* @text has room for a NUL after @len bytes. */
static int parse_lines(struct parser *p, char *text, size_t len)
{
	char *line = text, *end = text + len, *eol;
	size_t n, i;
	int ret;

	for (p->line = 1; line <= end; p->line++, line = eol + 1) {
		eol = memchr(line, '\n', end - line);
		if (!eol)
			eol = end;
		n = eol - line;
		if (n && line[n - 1] == '\r')
			n--;
		if (n > TLSTUND_CONFIG_MAX_LINE)
			return fail_at(p, p->line,
				       "line is longer than %d bytes",
				       TLSTUND_CONFIG_MAX_LINE);
		for (i = 0; i < n; i++) {
			unsigned char c = line[i];

			if (!c)
				return fail_at(p, p->line, "NUL byte");
			/* They would reach logs and terminals verbatim. */
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return fail_at(p, p->line,
					       "control character 0x%02x", c);
		}
		line[n] = '\0';
		ret = parse_line(p, line);
		if (ret)
			return ret;
		if (eol == end)
			break;
	}
	return 0;
}

static void set_defaults(struct tlstund_config *cfg)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&cfg->listen.ss;

	memset(cfg, 0, sizeof(*cfg));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = in6addr_any;
	sin6->sin6_port = htons(TLSTUND_DEFAULT_CONTROL_PORT);
	cfg->listen.len = sizeof(*sin6);
	cfg->vni = TLSTUN_DEFAULT_VNI;
	cfg->port = TLSTUN_DEFAULT_PORT;
	cfg->suites[0] = TLSTUN_SUITE_AES_GCM_256;
	cfg->suites[1] = TLSTUN_SUITE_AES_GCM_128;
	cfg->n_suites = 2;
	strcpy(cfg->peer_name, "peer");
	cfg->rekey_interval = TLSTUND_PROTO_REKEY_DEFAULT_S;
	cfg->handshake_interval = TLSTUND_CONFIG_HANDSHAKE_DEFAULT_S;
	cfg->rekey_grace = TLSTUND_PROTO_GRACE_MS / 1000;
	cfg->reconnect_min = TLSTUND_BACKOFF_BASE_MS / 1000;
	cfg->reconnect_max = TLSTUND_BACKOFF_CAP_MS / 1000;
	cfg->keepalive = TLSTUND_PROTO_PING_INTERVAL_MS / 1000;
	cfg->dead_after = TLSTUND_PROTO_DEAD_MS / 1000;
	cfg->replay_window = TLSTUN_REPLAY_WINDOW_DEFAULT;
}

/* "value "1h"" when @k was set, "(10m, the default)" when not. */
static void describe(const struct parser *p, enum key_id k, uint64_t v,
		     char *buf, size_t len)
{
	char d[NUMSTR_MAX];

	if (p->key_val[k]) {
		snprintf(buf, len, "value \"%s\"", p->key_val[k]);
	} else {
		fmt_duration(d, sizeof(d), v);
		snprintf(buf, len, "(%s, the default)", d);
	}
}

/* @lo must not be above @hi (@strict: must be below); @lo was set. */
static int check_order(struct parser *p, enum key_id lo, uint64_t lo_v,
		       enum key_id hi, uint64_t hi_v, bool strict,
		       bool lo_reported)
{
	enum key_id bad = lo_reported ? lo : hi, other = lo_reported ? hi : lo;
	uint64_t other_v = lo_reported ? hi_v : lo_v;
	char desc[TLSTUND_CONFIG_MAX_LINE + 32];

	if (lo_v < hi_v || (!strict && lo_v == hi_v))
		return 0;
	describe(p, other, other_v, desc, sizeof(desc));
	return fail_at(p, p->key_line[bad], "\"%s\" value \"%s\" is %s \"%s\" %s",
		       keys[bad].name, p->key_val[bad],
		       lo_reported ? (strict && lo_v == hi_v ? "not below" :
				      "above") :
				     (strict && lo_v == hi_v ? "not above" :
				      "below"),
		       keys[other].name, desc);
}

static int check_timers(struct parser *p)
{
	struct tlstund_config *c = &p->cfg;
	int ret;

	/* Unset partners follow what was set rather than contradict it. */
	if (!p->key_line[K_HANDSHAKE_INTERVAL] &&
	    c->handshake_interval < c->rekey_interval)
		c->handshake_interval = c->rekey_interval;
	if (!p->key_line[K_RECONNECT_MAX] && c->reconnect_max < c->reconnect_min)
		c->reconnect_max = c->reconnect_min;
	if (!p->key_line[K_DEAD_AFTER])
		c->dead_after = 3 * c->keepalive;

	if (p->key_line[K_HANDSHAKE_INTERVAL]) {
		ret = check_order(p, K_REKEY_INTERVAL, c->rekey_interval,
				  K_HANDSHAKE_INTERVAL, c->handshake_interval,
				  false, false);
		if (ret)
			return ret;
	}
	if (p->key_line[K_RECONNECT_MAX]) {
		ret = check_order(p, K_RECONNECT_MIN, c->reconnect_min,
				  K_RECONNECT_MAX, c->reconnect_max, false,
				  false);
		if (ret)
			return ret;
	}
	if (p->key_line[K_DEAD_AFTER])
		return check_order(p, K_KEEPALIVE, c->keepalive, K_DEAD_AFTER,
				   c->dead_after, true, false);
	return 0;
}

/* The kernel refuses an SA whose soft limit is above its hard limit. */
static int check_limits(struct parser *p)
{
	static const enum key_id pairs[][2] = {
		{ K_SOFT_PACKETS, K_HARD_PACKETS },
		{ K_SOFT_BYTES, K_HARD_BYTES },
		{ K_SOFT_SECONDS, K_HARD_SECONDS },
	};
	char twice[NUMSTR_MAX];
	unsigned int i;
	uint64_t soft, hard;
	int ret;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		soft = *(uint64_t *)field(&p->cfg, pairs[i][0]);
		hard = *(uint64_t *)field(&p->cfg, pairs[i][1]);
		if (!soft || !hard)
			continue;
		ret = check_order(p, pairs[i][0], soft, pairs[i][1], hard,
				  false, true);
		if (ret)
			return ret;
	}
	/* With hard-seconds 0 the daemon bounds every SA at twice the
	 * handshake interval (session.c), so a soft limit above that would
	 * be refused by the kernel on every install.
	 */
	soft = p->cfg.soft_seconds;
	hard = 2ULL * p->cfg.handshake_interval;
	if (!p->cfg.hard_seconds && soft > hard) {
		fmt_duration(twice, sizeof(twice), hard);
		return fail_at(p, p->key_line[K_SOFT_SECONDS],
			       "\"soft-seconds\" value \"%s\" is above %s, twice \"handshake-interval\", the hard limit when \"hard-seconds\" is 0",
			       p->key_val[K_SOFT_SECONDS], twice);
	}
	return 0;
}

static int check_trust(struct parser *p)
{
	static const enum key_id policy_keys[] = {
		K_CA, K_NODE_ID, K_PIN, K_TOFU_DIR, K_CRL, K_CRL_EXPIRED,
	};
	static const enum tlstund_trust_kind owner[] = {
		TLSTUND_TRUST_CA, TLSTUND_TRUST_CA, TLSTUND_TRUST_PIN,
		TLSTUND_TRUST_TOFU, TLSTUND_TRUST_CA, TLSTUND_TRUST_CA,
	};
	/* Keys of a policy that it may do without. */
	static const bool optional[] = {
		false, false, false, true, true, true,
	};
	struct tlstund_config *c = &p->cfg;
	const char *name;
	unsigned int i;

	if (!p->key_line[K_TRUST])
		return fail_at(p, 0, "\"trust\" is missing from [peer]");
	name = trust_names[c->trust];
	for (i = 0; i < sizeof(policy_keys) / sizeof(policy_keys[0]); i++) {
		enum key_id k = policy_keys[i];

		if (p->key_line[k] && owner[i] != c->trust)
			return fail_at(p, p->key_line[k],
				       "\"%s\" does not apply to trust = %s",
				       keys[k].name, name);
	}
	for (i = 0; i < sizeof(policy_keys) / sizeof(policy_keys[0]); i++) {
		enum key_id k = policy_keys[i];

		if (!p->key_line[k] && owner[i] == c->trust && !optional[i])
			return fail_at(p, 0,
				       "\"%s\" is missing from [peer] (trust = %s needs it)",
				       keys[k].name, name);
	}
	if (c->trust == TLSTUND_TRUST_TOFU && !p->key_line[K_TOFU_DIR])
		strcpy(c->tofu_dir, TLSTUND_TOFU_DIR);
	if (p->key_line[K_CRL_EXPIRED] && !p->key_line[K_CRL])
		return fail_at(p, p->key_line[K_CRL_EXPIRED],
			       "\"crl-expired\" needs \"crl\"");
	return 0;
}

/* The interface name the file name implies: "/etc/tlstun/tt0.conf". */
static bool ifname_from_path(const char *path, char *out)
{
	const char *base = strrchr(path, '/');
	char name[IF_NAMESIZE + 8];
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len <= 5 || len - 5 >= sizeof(name) ||
	    strcmp(base + len - 5, ".conf"))
		return false;
	memcpy(name, base, len - 5);
	name[len - 5] = '\0';
	if (!tlstund_config_ifname_valid(name))
		return false;
	strcpy(out, name);
	return true;
}

static int check_addresses(struct parser *p)
{
	const struct tlstund_config *c = &p->cfg;
	enum key_id other;
	const struct tlstund_sockaddr *o;

	if (!c->endpoint.len && !c->listen.len)
		return fail_at(p, 0,
			       "nothing can connect: [peer] has no \"endpoint\" and \"listen\" is none");
	if (!c->local.len)
		return 0;
	other = c->remote.len ? K_REMOTE : c->endpoint.len ? K_ENDPOINT :
		K_COUNT;
	if (other == K_COUNT)
		return 0;
	o = field(&p->cfg, other);
	if (o->ss.ss_family == c->local.ss.ss_family)
		return 0;
	return fail_at(p, p->key_line[K_LOCAL],
		       "\"local\" value \"%s\" is %s but \"%s\" value \"%s\" is %s",
		       p->key_val[K_LOCAL], family_name(&c->local),
		       keys[other].name, p->key_val[other], family_name(o));
}

static int finish(struct parser *p)
{
	struct tlstund_config *c = &p->cfg;
	int ret;

	if (!p->key_line[K_PRIVATE_KEY])
		return fail_at(p, 0, "\"private-key\" is missing from [interface]");
	if (!p->key_line[K_CERTIFICATE])
		return fail_at(p, 0, "\"certificate\" is missing from [interface]");
	if (!p->key_line[K_IFNAME] && !ifname_from_path(p->path, c->ifname))
		return fail_at(p, 0,
			       "\"name\" is missing from [interface] and the file name is not IFNAME.conf");
	if (!p->sect_line[SEC_PEER])
		return fail_at(p, 0, "no [peer] section");
	ret = check_trust(p);
	if (!ret)
		ret = check_addresses(p);
	if (!ret)
		ret = check_timers(p);
	if (!ret)
		ret = check_limits(p);
	return ret;
}

/* Takes @text, which has room for a NUL after @len bytes, and frees it. */
static int parse_owned(const char *path, char *text, size_t len,
		       struct tlstund_config *cfg, char *err, size_t errlen)
{
	struct parser *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p) {
		free(text);
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	p->path = path;
	p->err = err;
	p->errlen = errlen;
	p->sect = SEC_NONE;
	set_defaults(&p->cfg);

	if (strlen(path) >= sizeof(p->cfg.path)) {
		ret = fail_at(p, 0, "path is too long");
	} else if (len > TLSTUND_CONFIG_MAX_SIZE) {
		fail_at(p, 0, "file is larger than %d bytes",
			TLSTUND_CONFIG_MAX_SIZE);
		ret = -EFBIG;
	} else {
		ret = parse_lines(p, text, len);
	}
	if (!ret)
		ret = finish(p);
	if (!ret) {
		strcpy(p->cfg.path, path);
		*cfg = p->cfg;
	}
	free(text);
	free(p);
	return ret;
}

/**
 * tlstund_config_parse() - parse a configuration held in memory
 * @path: the name used in messages and for the default interface name
 * @buf: the file's bytes, not necessarily NUL-terminated
 * @len: their number
 * @cfg: filled on success, untouched on failure
 * @err: receives "PATH:LINE: problem" or "PATH: problem"
 * @errlen: size of @err
 *
 * Return: 0, -EINVAL for a bad configuration, -EFBIG for more than
 * TLSTUND_CONFIG_MAX_SIZE bytes, -ENOMEM.
 */
int tlstund_config_parse(const char *path, const char *buf, size_t len,
			 struct tlstund_config *cfg, char *err, size_t errlen)
{
	char *text;

	/* Checked again in parse_owned(), but before copying a huge buffer. */
	if (len > TLSTUND_CONFIG_MAX_SIZE + 1)
		len = TLSTUND_CONFIG_MAX_SIZE + 1;
	text = malloc(len + 1);
	if (!text) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	memcpy(text, buf, len);
	return parse_owned(path, text, len, cfg, err, errlen);
}

/**
 * tlstund_config_load() - read and parse a configuration file
 * @path: the file
 * @cfg: filled on success, untouched on failure
 * @err: receives "PATH:LINE: problem" or "PATH: problem"
 * @errlen: size of @err
 *
 * Only regular files are read; opening never blocks (a FIFO is refused,
 * not waited on).
 *
 * Return: 0, -EINVAL for a bad configuration or a file that is not a
 * regular file, -EFBIG, -ENOMEM, or the errno of open(2) or read(2).
 */
int tlstund_config_load(const char *path, struct tlstund_config *cfg,
			char *err, size_t errlen)
{
	size_t len = 0, cap = TLSTUND_CONFIG_MAX_SIZE + 1;
	struct stat st;
	char *text;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		goto fail_errno;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		goto fail_errno;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		if (err && errlen)
			snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	/* One byte more than allowed tells "too big" from "exactly full". */
	text = malloc(cap + 1);
	if (!text) {
		close(fd);
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (len < cap) {
		n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			free(text);
			close(fd);
			goto fail_errno;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	return parse_owned(path, text, len, cfg, err, errlen);

fail_errno:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

/**
 * tlstund_config_ifname_valid() - whether @name can name a tlstun device
 * @name: candidate interface name
 *
 * The kernel's dev_valid_name() rules (1 to IF_NAMESIZE - 1 bytes, not
 * "." or "..", no '/', ':' or white space), and no '%', which the kernel
 * would take as a template, nor control characters: the name is also a
 * file name and appears in logs.
 *
 * Return: true if usable.
 */
bool tlstund_config_ifname_valid(const char *name)
{
	size_t i;

	if (!name || !name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; name[i]; i++) {
		unsigned char c = name[i];

		if (i >= IF_NAMESIZE - 1)
			return false;
		if (c <= ' ' || c == 0x7f || c == '/' || c == ':' || c == '%')
			return false;
	}
	return true;
}

/**
 * tlstund_config_path() - the configuration file of a device
 * @ifname: the device name
 * @out: receives TLSTUND_CONFIG_DIR "/<ifname>.conf"
 * @outlen: size of @out
 *
 * Return: 0, -EINVAL for an invalid name, -ENAMETOOLONG if @out is too
 * small.
 */
int tlstund_config_path(const char *ifname, char *out, size_t outlen)
{
	int n;

	if (!tlstund_config_ifname_valid(ifname))
		return -EINVAL;
	n = snprintf(out, outlen, "%s/%s.conf", TLSTUND_CONFIG_DIR, ifname);
	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

static bool fmt_addr(char *buf, size_t len, const struct tlstund_sockaddr *sa,
		     bool with_port)
{
	const void *a;
	char ip[INET6_ADDRSTRLEN];
	bool v6 = sa->ss.ss_family == AF_INET6;

	if (sa->ss.ss_family == AF_INET)
		a = &((const struct sockaddr_in *)&sa->ss)->sin_addr;
	else if (v6)
		a = &((const struct sockaddr_in6 *)&sa->ss)->sin6_addr;
	else
		return false;
	if (!inet_ntop(sa->ss.ss_family, a, ip, sizeof(ip)))
		return false;
	if (!with_port)
		snprintf(buf, len, "%s", ip);
	else
		snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", ip,
			 get_port(sa));
	return true;
}

/* "key = address" if @sa is set. */
static bool write_addr(FILE *f, const char *key,
		       const struct tlstund_sockaddr *sa, bool with_port)
{
	char buf[ADDRSTR_MAX];

	if (!sa->len)
		return true;
	if (!fmt_addr(buf, sizeof(buf), sa, with_port))
		return false;
	fprintf(f, "%s = %s\n", key, buf);
	return true;
}

static void write_number(FILE *f, const struct tlstund_config *cfg,
			 enum key_id k)
{
	const void *src = (const char *)cfg + keys[k].off;
	char buf[NUMSTR_MAX];
	uint64_t v;

	switch (keys[k].size) {
	case sizeof(uint16_t):
		v = *(const uint16_t *)src;
		break;
	case sizeof(uint32_t):
		v = *(const uint32_t *)src;
		break;
	default:
		v = *(const uint64_t *)src;
		break;
	}
	if (keys[k].type == T_DURATION)
		fmt_duration(buf, sizeof(buf), v);
	else if (keys[k].type == T_BYTES)
		fmt_scaled(buf, sizeof(buf), v, byte_units, "");
	else
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
	fprintf(f, "%s = %s\n", keys[k].name, buf);
}

static const char *suite_name(uint16_t suite)
{
	unsigned int i;

	for (i = 0; i < sizeof(suite_names) / sizeof(suite_names[0]); i++)
		if (suite_names[i].suite == suite)
			return suite_names[i].name;
	return NULL;
}

/**
 * tlstund_config_write() - print a configuration in the file syntax
 * @cfg: the configuration
 * @f: where to
 *
 * Every key is written, defaults included, so the output means the same
 * whatever the defaults of the reader. Parsing it gives back @cfg.
 *
 * Return: 0, -EINVAL for a configuration no file could produce (unknown
 * trust policy or suite, an address of another family), -EIO.
 */
int tlstund_config_write(const struct tlstund_config *cfg, FILE *f)
{
	char id[TLSTUND_NODE_ID_STRLEN], pin[TLSTUND_PIN_STRLEN];
	unsigned int i;
	enum key_id k;

	if (cfg->trust < TLSTUND_TRUST_CA || cfg->trust > TLSTUND_TRUST_TOFU ||
	    !cfg->n_suites || cfg->n_suites > TLSTUND_MAX_SUITES)
		return -EINVAL;
	for (i = 0; i < cfg->n_suites; i++)
		if (!suite_name(cfg->suites[i]))
			return -EINVAL;

	fprintf(f, "[%s]\n", section_names[SEC_INTERFACE]);
	fprintf(f, "name = %s\n", cfg->ifname);
	fprintf(f, "private-key = %s\n", cfg->key_path);
	fprintf(f, "certificate = %s\n", cfg->cert_path);
	if (!cfg->listen.len)
		fprintf(f, "listen = none\n");
	else if (!write_addr(f, "listen", &cfg->listen, true))
		return -EINVAL;
	write_number(f, cfg, K_VNI);
	write_number(f, cfg, K_PORT);
	if (!write_addr(f, "local", &cfg->local, false))
		return -EINVAL;
	fprintf(f, "suites =");
	for (i = 0; i < cfg->n_suites; i++)
		fprintf(f, " %s", suite_name(cfg->suites[i]));
	fprintf(f, "\n");

	fprintf(f, "\n[%s]\n", section_names[SEC_PEER]);
	fprintf(f, "name = %s\n", cfg->peer_name);
	if (!write_addr(f, "endpoint", &cfg->endpoint, true) ||
	    !write_addr(f, "remote", &cfg->remote, false))
		return -EINVAL;
	fprintf(f, "transport = %s\n", transport_names[cfg->transport]);
	fprintf(f, "trust = %s\n", trust_names[cfg->trust]);
	switch (cfg->trust) {
	case TLSTUND_TRUST_CA:
		tlstund_node_id_format(cfg->node_id, id);
		fprintf(f, "ca = %s\nnode-id = %s\n", cfg->ca_path, id);
		if (cfg->crl_path[0])
			fprintf(f, "crl = %s\ncrl-expired = %s\n",
				cfg->crl_path,
				cfg->crl_expired_warn ? "warn" : "fail");
		break;
	case TLSTUND_TRUST_PIN:
		tlstund_pin_format(cfg->pin, pin);
		fprintf(f, "pin = %s\n", pin);
		break;
	default:
		fprintf(f, "tofu-dir = %s\n", cfg->tofu_dir);
		break;
	}

	fprintf(f, "\n[%s]\n", section_names[SEC_TIMERS]);
	for (k = K_REKEY_INTERVAL; k <= K_DEAD_AFTER; k++)
		write_number(f, cfg, k);
	fprintf(f, "\n[%s]\n", section_names[SEC_LIMITS]);
	for (k = K_SOFT_PACKETS; k <= K_REPLAY_WINDOW; k++)
		write_number(f, cfg, k);
	return ferror(f) ? -EIO : 0;
}
