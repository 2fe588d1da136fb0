// SPDX-License-Identifier: GPL-2.0
/*
 * nlprobe: send hand-built requests to the tlstun generic netlink family
 * and print what the kernel answers, for the kselftests.
 *
 * Every byte of a request comes from the command line, so a test can send
 * what no well-behaved client would: wrong types and lengths, unknown
 * attribute numbers, attributes of other commands, nests without
 * NLA_F_NESTED, strings without a NUL. It speaks raw netlink on purpose:
 * libnl would refuse to build some of these, and the test must see the
 * kernel's answer, not a library's.
 *
 *   nlprobe [-d] [-p] [-V VERSION] CMD [ATTR...]
 *   nlprobe join
 *   nlprobe -                  one request a line from stdin, one socket
 *   nlprobe split CMD [ATTR...] -- CMD2 [ATTR2...]
 *                              dump CMD on a socket of its own, reading
 *                              4096 bytes at a time, so that it comes in
 *                              parts; send CMD2 on the other socket after
 *                              the first part
 *   nlprobe tap IFACE HEX      as "-", with a packet socket on IFACE, an
 *                              nlmon device, opened first and read last:
 *                              how many of the requests it saw, and how
 *                              many messages hold the bytes HEX
 *
 *   CMD    GET_DEVICE, SET_DEVICE, ADD_SA, DEL_SA, GET_SA, ..., CMD_MAX+1
 *          or a number
 *   ATTR   NAME:TYPE:VALUE     one attribute
 *          NAME:nest           open a nest (NLA_F_NESTED set)
 *          NAME:nest0          open a nest without NLA_F_NESTED
 *          end                 close the innermost nest
 *   NAME   the uapi name without "TLSTUN_" (A_IFINDEX, SA_SPI,
 *          LIFETIME_SOFT_PACKETS, STATS_RX_PACKETS, SA_STATS_BYTES) or a
 *          number, either optionally followed by "+N" (A_MAX+1)
 *   TYPE   u8 u16 u32 u64 (decimal or 0x hex), str (NUL added), bytes
 *          (the text, no NUL), hex (raw bytes), ip4, ip6, flag (empty)
 *   -d     a dump request (NLM_F_DUMP)
 *   -p     print every attribute of every reply, one a line:
 *          "PATH LEN VALUE", PATH the names of the nests down to it
 *   -V     the genl header's version (default TLSTUN_GENL_VERSION)
 *
 * The last line of each request's output is the kernel's verdict: "OK",
 * or the errno's name, then ": " and the extack message when there is one,
 * then " @PATH" when the kernel points at one of the request's
 * attributes ("nlprobe: bad request" for a line nlprobe cannot build).
 * "join" joins the events multicast group and prints the same way.
 * "split" prints "between: " and CMD2's verdict, then "parts: N", then
 * "DUMP_INTR" when a message of the dump had NLM_F_DUMP_INTR, then the
 * dump's verdict. "tap" ends with "tap: R requests, K hold the key": the
 * packet socket is read without a ring, so it sees each request's bytes
 * as they are when it reads them, after the kernel handled them. The
 * exit status is 0 when every exchange completed, whatever the kernel
 * answered, 1 on a local failure and 2 on a bad command line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>

#include <linux/tlstun.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUF_SIZE 65536
#define MAX_DEPTH 8
#define MAX_ATTRS 256
#define MAX_TOKENS 512
#define PATH_LEN 256

/* The uapi headers have these for rtattr only. */
#define NLA_OK(nla, len) ((len) >= (int)NLA_HDRLEN &&			\
			  (nla)->nla_len >= NLA_HDRLEN &&		\
			  (nla)->nla_len <= (len))
#define NLA_NEXT(nla, len) ((len) -= NLA_ALIGN((nla)->nla_len),	\
			    (typeof(nla))((uint8_t *)(nla) +		\
					  NLA_ALIGN((nla)->nla_len)))

struct name {
	const char *name;
	int value;
};

#define N(x) { #x, TLSTUN_##x }

static const struct name cmd_names[] = {
	N(CMD_UNSPEC), N(CMD_GET_DEVICE), N(CMD_SET_DEVICE), N(CMD_ADD_SA),
	N(CMD_DEL_SA), N(CMD_GET_SA), N(CMD_SA_SOFT_EXPIRE),
	N(CMD_SA_HARD_EXPIRE), N(CMD_ACQUIRE), N(CMD_ADD_PEER),
	N(CMD_SET_PEER), N(CMD_DEL_PEER), N(CMD_GET_PEER), N(CMD_ADD_FDB),
	N(CMD_DEL_FDB), N(CMD_GET_FDB), { NULL, 0 }
};

static const struct name attr_names[] = {
	N(A_PAD), N(A_IFINDEX), N(A_IFNAME), N(A_REMOTE), N(A_REMOTE6),
	N(A_LOCAL), N(A_LOCAL6), N(A_PORT), N(A_VNI), N(A_TTL), N(A_TOS),
	N(A_DF), N(A_FLAGS), N(A_TX_SPI), N(A_SA_COUNT), N(A_STATS), N(A_SA),
	N(A_EXPIRE_REASON), N(A_PEER_ID), N(A_PEER), N(A_FDB),
	N(A_FDB_AGEING), N(A_PEER_COUNT), N(A_FDB_COUNT), { NULL, 0 }
};

static const struct name sa_names[] = {
	N(SA_PAD), N(SA_DIR), N(SA_SPI), N(SA_SUITE), N(SA_KEY),
	N(SA_REPLAY_WINDOW), N(SA_PEER), N(SA_LIFETIME), N(SA_FLAGS),
	N(SA_AGE_SECONDS), N(SA_STATE), N(SA_STATS), { NULL, 0 }
};

static const struct name lifetime_names[] = {
	N(LIFETIME_PAD), N(LIFETIME_SOFT_PACKETS), N(LIFETIME_HARD_PACKETS),
	N(LIFETIME_SOFT_BYTES), N(LIFETIME_HARD_BYTES),
	N(LIFETIME_SOFT_SECONDS), N(LIFETIME_HARD_SECONDS), { NULL, 0 }
};

static const struct name stats_names[] = {
	N(STATS_PAD), N(STATS_RX_PACKETS), N(STATS_RX_BYTES),
	N(STATS_TX_PACKETS), N(STATS_TX_BYTES), N(STATS_RX_VNI_MISMATCH),
	N(STATS_RX_AUTH_FAIL), N(STATS_RX_REPLAY), N(STATS_RX_TOO_SHORT),
	N(STATS_RX_SA_EXPIRED), N(STATS_RX_DEV_DOWN), N(STATS_RX_NOMEM),
	N(STATS_RX_ECN), N(STATS_TX_NO_SA), N(STATS_TX_SA_EXHAUSTED),
	N(STATS_TX_NO_ROUTE), N(STATS_TX_NOMEM), N(STATS_TX_ERROR),
	N(STATS_TX_TOO_BIG), N(STATS_PORT_MALFORMED),
	N(STATS_PORT_UNKNOWN_SPI), N(STATS_RX_QUEUE_FULL),
	N(STATS_TX_CFG_CHANGED), N(STATS_RX_SA_DELETED), N(STATS_TX_SA_DELETED),
	N(STATS_RX_MAC_STATIC), N(STATS_FDB_LEARN_FULL),
	N(STATS_FDB_LEARN_NOMEM), { NULL, 0 }
};

static const struct name sa_stats_names[] = {
	N(SA_STATS_PAD), N(SA_STATS_PACKETS), N(SA_STATS_BYTES),
	N(SA_STATS_VNI_MISMATCH), N(SA_STATS_AUTH_FAIL), N(SA_STATS_REPLAY),
	N(SA_STATS_TOO_SHORT), { NULL, 0 }
};

static const struct name peer_names[] = {
	N(PEER_PAD), N(PEER_ID), N(PEER_REMOTE), N(PEER_REMOTE6),
	N(PEER_PORT), N(PEER_LABEL), N(PEER_TX_SPI), N(PEER_SA_COUNT),
	N(PEER_FDB_LEARNED), N(PEER_STATS), { NULL, 0 }
};

static const struct name peer_stats_names[] = {
	N(PEER_STATS_PAD), N(PEER_STATS_RX_PACKETS), N(PEER_STATS_RX_BYTES),
	N(PEER_STATS_TX_PACKETS), N(PEER_STATS_TX_BYTES),
	N(PEER_STATS_TX_DROPPED), { NULL, 0 }
};

static const struct name fdb_names[] = {
	N(FDB_PAD), N(FDB_MAC), N(FDB_PEER_ID), N(FDB_FLAGS),
	N(FDB_AGE_SECONDS), { NULL, 0 }
};

/* For "NAME+1" in requests; never printed. */
static const struct name max_names[] = {
	N(CMD_MAX), N(A_MAX), N(SA_MAX), N(LIFETIME_MAX), N(STATS_MAX),
	N(SA_STATS_MAX), N(PEER_MAX_ATTR), N(PEER_STATS_MAX), N(FDB_MAX_ATTR),
	{ NULL, 0 }
};

#undef N

static const struct name *const all_names[] = {
	attr_names, sa_names, lifetime_names, stats_names, sa_stats_names,
	peer_names, peer_stats_names, fdb_names, max_names,
};

/* The attribute space a nest of type @type in space @space holds. */
static const struct name *nested_space(const struct name *space, int type)
{
	if (space == attr_names && type == TLSTUN_A_SA)
		return sa_names;
	if (space == attr_names && type == TLSTUN_A_STATS)
		return stats_names;
	if (space == sa_names && type == TLSTUN_SA_LIFETIME)
		return lifetime_names;
	if (space == sa_names && type == TLSTUN_SA_STATS)
		return sa_stats_names;
	if (space == attr_names && type == TLSTUN_A_PEER)
		return peer_names;
	if (space == attr_names && type == TLSTUN_A_FDB)
		return fdb_names;
	if (space == peer_names && type == TLSTUN_PEER_STATS)
		return peer_stats_names;
	return NULL;
}

static bool is_string(const struct name *space, int type)
{
	return (space == attr_names && type == TLSTUN_A_IFNAME) ||
	       (space == sa_names && type == TLSTUN_SA_PEER) ||
	       (space == peer_names && type == TLSTUN_PEER_LABEL);
}

static const char *name_of(const struct name *table, int value)
{
	for (; table && table->name; table++)
		if (table->value == value)
			return table->name;
	return NULL;
}

static int parse_number(const char *s, unsigned long long max,
			unsigned long long *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end || *out > max ? -1 : 0;
}

/*
 * A uapi name (without "TLSTUN_") from @tables, or a number, optionally
 * followed by "+N": "A_MAX+1" is the first attribute the kernel does not
 * know.
 */
static int lookup(const struct name *const *tables, size_t n, const char *s,
		  unsigned long long max)
{
	const char *plus = strchr(s, '+');
	size_t len = plus ? (size_t)(plus - s) : strlen(s);
	unsigned long long v, add = 0;
	char base[64];

	if (len >= sizeof(base) || (plus && parse_number(plus + 1, max, &add)))
		return -1;
	memcpy(base, s, len);
	base[len] = '\0';
	for (size_t i = 0; i < n; i++)
		for (const struct name *t = tables[i]; t->name; t++)
			if (!strcmp(t->name, base))
				return t->value + add > max ? -1 :
				       (int)(t->value + add);
	if (parse_number(base, max, &v) || v + add > max)
		return -1;
	return (int)(v + add);
}

/* --- building a request ------------------------------------------------ */

struct request {
	uint8_t buf[BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len;
	size_t nest[MAX_DEPTH];		/* offsets of the open nests */
	char nest_path[MAX_DEPTH][PATH_LEN];
	int depth;
	struct {			/* where each attribute sits, for extack */
		size_t offset;
		char path[PATH_LEN];
	} attrs[MAX_ATTRS];
	int n_attrs;
};

static void *put(struct request *r, const void *data, size_t len)
{
	void *at = r->buf + r->len;

	if (r->len + NLA_ALIGN(len) > sizeof(r->buf))
		return NULL;
	memset(at, 0, NLA_ALIGN(len));
	if (data)
		memcpy(at, data, len);
	r->len += NLA_ALIGN(len);
	return at;
}

/* "A_SA.SA_KEY": the open nests' names, then @name. */
static void path_of(const struct request *r, const char *name,
		    char out[PATH_LEN])
{
	snprintf(out, PATH_LEN, "%s%s%s",
		 r->depth ? r->nest_path[r->depth - 1] : "",
		 r->depth ? "." : "", name);
}

static int put_attr(struct request *r, const char *name, uint16_t type,
		    const void *data, size_t len)
{
	struct nlattr *nla;
	size_t offset = r->len;

	if (NLA_HDRLEN + len > UINT16_MAX)
		return -1;
	nla = put(r, NULL, NLA_HDRLEN);
	if (!nla || !put(r, data, len))
		return -1;
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (r->n_attrs < MAX_ATTRS) {
		r->attrs[r->n_attrs].offset = offset;
		path_of(r, name, r->attrs[r->n_attrs].path);
		r->n_attrs++;
	}
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	*len = n / 2;
	return 0;
}

/* Netlink integers are in host order. */
static int put_int(uint8_t *out, unsigned long long v, size_t size)
{
	uint16_t v16 = v;
	uint32_t v32 = v;
	uint64_t v64 = v;

	switch (size) {
	case 1:
		*out = v;
		return 0;
	case 2:
		memcpy(out, &v16, size);
		return 0;
	case 4:
		memcpy(out, &v32, size);
		return 0;
	case 8:
		memcpy(out, &v64, size);
		return 0;
	}
	return -1;
}

/* VALUE of TYPE into @out; sets @len. */
static int encode(const char *type, const char *value, uint8_t *out,
		  size_t max, size_t *len)
{
	static const struct {
		const char *name;
		size_t size;
	} ints[] = { { "u8", 1 }, { "u16", 2 }, { "u32", 4 }, { "u64", 8 } };
	unsigned long long v;

	for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
		if (strcmp(type, ints[i].name))
			continue;
		if (!value || parse_number(value, ints[i].size == 8 ? ~0ULL :
					   (1ULL << (8 * ints[i].size)) - 1,
					   &v))
			return -1;
		*len = ints[i].size;
		return put_int(out, v, *len);
	}
	if (!strcmp(type, "flag")) {
		*len = 0;
		return value ? -1 : 0;
	}
	if (!value)
		return -1;
	if (!strcmp(type, "str") || !strcmp(type, "bytes")) {
		*len = strlen(value) + !strcmp(type, "str");
		if (*len > max)
			return -1;
		memcpy(out, value, *len);
		return 0;
	}
	if (!strcmp(type, "hex"))
		return parse_hex(value, out, max, len);
	if (!strcmp(type, "ip4")) {
		*len = 4;
		return inet_pton(AF_INET, value, out) == 1 ? 0 : -1;
	}
	if (!strcmp(type, "ip6")) {
		*len = 16;
		return inet_pton(AF_INET6, value, out) == 1 ? 0 : -1;
	}
	return -1;
}

static int add_token(struct request *r, const char *token)
{
	static uint8_t value[BUF_SIZE];
	char name[128], type[16];
	const char *colon, *val = NULL;
	size_t len;
	int t;

	if (!strcmp(token, "end")) {
		struct nlattr *nla;

		if (!r->depth)
			return -1;
		r->depth--;
		if (r->len - r->nest[r->depth] > UINT16_MAX)
			return -1;
		nla = (struct nlattr *)(r->buf + r->nest[r->depth]);
		nla->nla_len = r->len - r->nest[r->depth];
		return 0;
	}
	colon = strchr(token, ':');
	if (!colon || (size_t)(colon - token) >= sizeof(name))
		return -1;
	memcpy(name, token, colon - token);
	name[colon - token] = '\0';
	token = colon + 1;
	colon = strchr(token, ':');
	len = colon ? (size_t)(colon - token) : strlen(token);
	if (len >= sizeof(type))
		return -1;
	memcpy(type, token, len);
	type[len] = '\0';
	if (colon)
		val = colon + 1;

	t = lookup(all_names, ARRAY_SIZE(all_names), name, NLA_TYPE_MASK);
	if (t < 0)
		return -1;

	if (!strcmp(type, "nest") || !strcmp(type, "nest0")) {
		if (val || r->depth == MAX_DEPTH)
			return -1;
		r->nest[r->depth] = r->len;
		if (put_attr(r, name, t | (type[4] ? 0 : NLA_F_NESTED), NULL,
			     0))
			return -1;
		path_of(r, name, r->nest_path[r->depth]);
		r->depth++;
		return 0;
	}
	if (encode(type, val, value, sizeof(value), &len))
		return -1;
	return put_attr(r, name, t, value, len);
}

struct options {
	bool dump, print;
	unsigned int version;
};

/* Tokens of one request, after the options, into @r. */
static int build(struct request *r, int family, int cmd,
		 const struct options *o, char **tokens, int n, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(r, 0, offsetof(struct request, buf));
	r->len = 0;
	r->depth = 0;
	r->n_attrs = 0;
	nlh = put(r, NULL, NLMSG_HDRLEN);
	g = put(r, NULL, GENL_HDRLEN);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST |
			   (o->dump ? NLM_F_DUMP : NLM_F_ACK);
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = o->version;
	for (int i = 0; i < n; i++) {
		if (add_token(r, tokens[i])) {
			fprintf(stderr, "nlprobe: bad attribute \"%s\"\n",
				tokens[i]);
			return -1;
		}
	}
	if (r->depth) {
		fprintf(stderr, "nlprobe: a nest is not closed (\"end\")\n");
		return -1;
	}
	((struct nlmsghdr *)r->buf)->nlmsg_len = r->len;
	return 0;
}

/* --- printing replies ---------------------------------------------------- */

static void print_attrs(const struct name *space, const char *path,
			const uint8_t *data, int len)
{
	const struct nlattr *nla;

	for (nla = (const struct nlattr *)data; NLA_OK(nla, len);
	     nla = NLA_NEXT(nla, len)) {
		int type = nla->nla_type & NLA_TYPE_MASK;
		int alen = nla->nla_len - NLA_HDRLEN;
		const uint8_t *v = (const uint8_t *)nla + NLA_HDRLEN;
		const char *name = name_of(space, type);
		const struct name *inner = nested_space(space, type);
		char p[512], num[16];

		if (!name) {
			snprintf(num, sizeof(num), "%d", type);
			name = num;
		}
		snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", name);
		printf("%s %d", p, alen);
		if (inner) {
			printf(" nest\n");
			print_attrs(inner, p, v, alen);
			continue;
		}
		if (is_string(space, type) && alen > 0 && !v[alen - 1]) {
			printf(" \"%s\"\n", (const char *)v);
			continue;
		}
		if (alen == 1 || alen == 2 || alen == 4 || alen == 8) {
			uint64_t x = 0;

			memcpy(&x, v, alen);
			printf(" %llu\n", (unsigned long long)x);
			continue;
		}
		printf(" ");
		for (int i = 0; i < alen; i++)
			printf("%02x", v[i]);
		printf("\n");
	}
}

/* --- the exchange ------------------------------------------------------ */

struct verdict {
	bool interrupted;		/* a message had NLM_F_DUMP_INTR */
	int error;			/* -errno or 0 */
	char msg[512];
	bool has_offset;
	uint32_t offset;
};

/* The extack TLVs of an error, an ack or a dump's NLMSG_DONE. */
static void parse_tlvs(const struct nlmsghdr *nlh, size_t skip,
		       struct verdict *v)
{
	int len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)skip;
	const struct nlattr *nla;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0)
		return;
	nla = (const struct nlattr *)((const uint8_t *)NLMSG_DATA(nlh) +
				      skip);
	for (; NLA_OK(nla, len); nla = NLA_NEXT(nla, len)) {
		const char *data = (const char *)nla + NLA_HDRLEN;
		int alen = nla->nla_len - NLA_HDRLEN;

		switch (nla->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			snprintf(v->msg, sizeof(v->msg), "%.*s",
				 (int)strnlen(data, alen), data);
			break;
		case NLMSGERR_ATTR_OFFS:
			if (alen == sizeof(uint32_t)) {
				memcpy(&v->offset, data, sizeof(v->offset));
				v->has_offset = true;
			}
			break;
		}
	}
}

static void print_verdict(const struct verdict *v, const struct request *r)
{
	if (!v->error)
		printf("OK");
	else
		printf("%s", strerrorname_np(-v->error) ?:
		       "unknown-errno");
	if (v->msg[0])
		printf(": %s", v->msg);
	if (v->has_offset) {
		int i;

		for (i = 0; r && i < r->n_attrs; i++)
			if (r->attrs[i].offset == v->offset)
				break;
		if (r && i < r->n_attrs)
			printf(" @%s", r->attrs[i].path);
		else
			printf(" @offset %u", v->offset);
	}
	printf("\n");
	fflush(stdout);
}

/*
 * Read one datagram of replies to @seq, printing the attributes of each
 * reply when asked to. Return 1 once the ack, the error or the end of the
 * dump was read, 0 when more is to come, -1 on failure.
 */
static int receive_part(int fd, uint32_t seq, bool print, size_t size,
			struct verdict *v)
{
	static uint8_t buf[BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n = recv(fd, buf, size, MSG_TRUNC);
	struct nlmsghdr *nlh;
	unsigned int len;	/* NLMSG_OK compares it unsigned */

	if (n < 0) {
		perror("nlprobe: recv");
		return -1;
	}
	if (n > (ssize_t)size) {
		fprintf(stderr, "nlprobe: reply truncated\n");
		return -1;
	}
	len = n;
	for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
	     nlh = NLMSG_NEXT(nlh, len)) {
		if (nlh->nlmsg_seq != seq)
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			v->interrupted = true;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nlh);
			size_t skip = sizeof(*e);

			if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
				skip += NLMSG_ALIGN(e->msg.nlmsg_len) -
					NLMSG_HDRLEN;
			v->error = e->error;
			parse_tlvs(nlh, skip, v);
			return 1;
		}
		if (nlh->nlmsg_type == NLMSG_DONE) {
			int err = 0;

			if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err)))
				memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
			v->error = err < 0 ? err : 0;
			parse_tlvs(nlh, sizeof(err), v);
			return 1;
		}
		if (print) {
			struct genlmsghdr *g = NLMSG_DATA(nlh);
			const char *cmd = name_of(cmd_names, g->cmd);

			printf("reply %s\n", cmd ? cmd + 4 : "?");
			print_attrs(attr_names, "", (uint8_t *)g + GENL_HDRLEN,
				    nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
		}
	}
	return 0;
}

/* Read replies to @seq until the ack, the error or the end of the dump. */
static int receive(int fd, uint32_t seq, bool print, struct verdict *v)
{
	int r;

	memset(v, 0, sizeof(*v));
	do {
		r = receive_part(fd, seq, print, BUF_SIZE, v);
	} while (!r);
	return r < 0 ? -1 : 0;
}

static unsigned int requests_sent;

static int send_request(int fd, const void *msg, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, msg, len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		perror("nlprobe: send");
		return -1;
	}
	requests_sent++;
	return 0;
}

static int talk(int fd, const void *msg, size_t len, uint32_t seq,
		bool print, struct verdict *v)
{
	if (send_request(fd, msg, len))
		return -1;
	return receive(fd, seq, print, v);
}

/* The family id and the events group id, from the genl controller. */
static int resolve(int fd, int *family, int *group)
{
	static uint8_t buf[BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
		uint8_t attrs[64];
	} req = {
		.nlh.nlmsg_type = GENL_ID_CTRL,
		.nlh.nlmsg_flags = NLM_F_REQUEST,
		.nlh.nlmsg_seq = 1,
		.g.cmd = CTRL_CMD_GETFAMILY,
		.g.version = 1,
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlattr *nla = (struct nlattr *)req.attrs;
	struct nlmsghdr *nlh;
	ssize_t n;
	unsigned int len;

	nla->nla_type = CTRL_ATTR_FAMILY_NAME;
	nla->nla_len = NLA_HDRLEN + sizeof(TLSTUN_GENL_NAME);
	memcpy(req.attrs + NLA_HDRLEN, TLSTUN_GENL_NAME,
	       sizeof(TLSTUN_GENL_NAME));
	req.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN +
			    NLA_ALIGN(nla->nla_len);
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -1;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -1;
	len = n;
	*family = *group = -1;
	for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
	     nlh = NLMSG_NEXT(nlh, len)) {
		int alen = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

		if (nlh->nlmsg_type != GENL_ID_CTRL)
			continue;
		nla = (struct nlattr *)((uint8_t *)NLMSG_DATA(nlh) +
					GENL_HDRLEN);
		for (; NLA_OK(nla, alen); nla = NLA_NEXT(nla, alen)) {
			int type = nla->nla_type & NLA_TYPE_MASK;
			struct nlattr *grp;
			int glen;

			if (type == CTRL_ATTR_FAMILY_ID)
				*family = *(uint16_t *)((uint8_t *)nla +
							NLA_HDRLEN);
			if (type != CTRL_ATTR_MCAST_GROUPS)
				continue;
			glen = nla->nla_len - NLA_HDRLEN;
			for (grp = (struct nlattr *)((uint8_t *)nla +
						     NLA_HDRLEN);
			     NLA_OK(grp, glen); grp = NLA_NEXT(grp, glen)) {
				struct nlattr *a = (struct nlattr *)
					((uint8_t *)grp + NLA_HDRLEN);
				int l = grp->nla_len - NLA_HDRLEN, id = -1;
				bool ours = false;

				for (; NLA_OK(a, l); a = NLA_NEXT(a, l)) {
					void *d = (uint8_t *)a + NLA_HDRLEN;

					if (a->nla_type == CTRL_ATTR_MCAST_GRP_ID)
						id = *(uint32_t *)d;
					if (a->nla_type ==
					    CTRL_ATTR_MCAST_GRP_NAME &&
					    !strcmp(d, TLSTUN_GENL_MCGRP_EVENTS))
						ours = true;
				}
				if (ours)
					*group = id;
			}
		}
	}
	return *family < 0 ? -1 : 0;
}

static int join(int fd, int group)
{
	struct verdict v = {};

	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group)))
		v.error = -errno;
	print_verdict(&v, NULL);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nlprobe [-d] [-p] [-V VERSION] CMD [ATTR...]\n"
		"       nlprobe join\n"
		"       nlprobe -        (requests from stdin, one a line)\n"
		"       nlprobe split CMD [ATTR...] -- CMD2 [ATTR2...]\n"
		"       nlprobe tap IFACE HEX  (requests from stdin)\n"
		"ATTR := NAME:TYPE:VALUE | NAME:nest | NAME:nest0 | end\n"
		"TYPE := u8 | u16 | u32 | u64 | str | bytes | hex | ip4 | ip6 | flag\n");
}

/* One request: "[-d] [-p] [-V N] CMD ATTR..." as tokens. */
static int request(int fd, int family, int group, char **tok, int n,
		   uint32_t seq)
{
	static const struct name *const cmd_tables[] = { cmd_names, max_names };
	static struct request r;
	struct options o = { .version = TLSTUN_GENL_VERSION };
	char name[64];
	unsigned long long v;
	struct verdict verdict;
	int cmd, i = 0;

	for (; i < n && tok[i][0] == '-' && tok[i][1]; i++) {
		if (!strcmp(tok[i], "-d")) {
			o.dump = true;
		} else if (!strcmp(tok[i], "-p")) {
			o.print = true;
		} else if (!strcmp(tok[i], "-V") && i + 1 < n &&
			   !parse_number(tok[i + 1], UINT8_MAX, &v)) {
			o.version = v;
			i++;
		} else {
			usage();
			return 2;
		}
	}
	if (i == n) {
		usage();
		return 2;
	}
	if (!strcmp(tok[i], "join")) {
		if (group < 0) {
			fprintf(stderr, "nlprobe: no \"%s\" group\n",
				TLSTUN_GENL_MCGRP_EVENTS);
			return 1;
		}
		return join(fd, group);
	}
	snprintf(name, sizeof(name), "CMD_%s", tok[i]);
	cmd = lookup(cmd_tables, 2, name, UINT8_MAX);
	if (cmd < 0)
		cmd = lookup(cmd_tables, 2, tok[i], UINT8_MAX);
	if (cmd < 0) {
		fprintf(stderr, "nlprobe: unknown command \"%s\"\n", tok[i]);
		return 2;
	}
	if (build(&r, family, cmd, &o, tok + i + 1, n - i - 1, seq))
		return 2;
	if (talk(fd, r.buf, r.len, seq, o.print, &verdict))
		return 1;
	print_verdict(&verdict, &r);
	return 0;
}

static int batch(int fd, int family, int group)
{
	static char line[BUF_SIZE * 2];
	char *tok[MAX_TOKENS];
	uint32_t seq = 2;
	int ret = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *save, *t;
		int n = 0, r;

		for (t = strtok_r(line, " \t\n", &save); t && n < MAX_TOKENS;
		     t = strtok_r(NULL, " \t\n", &save))
			tok[n++] = t;
		if (!n || tok[0][0] == '#')
			continue;
		r = request(fd, family, group, tok, n, seq++);
		if (r == 1)
			return 1;
		/* A verdict line still, so answers stay in step with lines. */
		if (r) {
			printf("nlprobe: bad request\n");
			ret = r;
		}
	}
	return ret;
}

static int nl_socket(void)
{
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("nlprobe: socket");
		return -1;
	}
	/* Ask for the kernel's reasons, and no echo of the request. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		perror("nlprobe: setsockopt");
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads of this size make the kernel fill dump parts of at most a page. */
#define SPLIT_READ 4096

/*
 * A dump, on a socket of its own, with another request on @fd after its
 * first part: "CMD ATTR... -- CMD2 ATTR2...".
 */
static int split(int fd, int family, char **tok, int n)
{
	static const struct name *const cmd_tables[] = { cmd_names, max_names };
	static struct request dump, other;
	struct options o = { .dump = true, .version = TLSTUN_GENL_VERSION };
	struct verdict v = {}, between;
	int cmd, cmd2, sep, fd2, r, parts = 1;
	char name[64];

	for (sep = 0; sep < n && strcmp(tok[sep], "--"); sep++)
		;
	if (sep < 1 || sep + 1 >= n) {
		usage();
		return 2;
	}
	snprintf(name, sizeof(name), "CMD_%s", tok[0]);
	cmd = lookup(cmd_tables, 2, name, UINT8_MAX);
	snprintf(name, sizeof(name), "CMD_%s", tok[sep + 1]);
	cmd2 = lookup(cmd_tables, 2, name, UINT8_MAX);
	if (cmd < 0 || cmd2 < 0 ||
	    build(&dump, family, cmd, &o, tok + 1, sep - 1, 2))
		return 2;
	o.dump = false;
	if (build(&other, family, cmd2, &o, tok + sep + 2, n - sep - 2, 3))
		return 2;
	fd2 = nl_socket();
	if (fd2 < 0 || send_request(fd2, dump.buf, dump.len))
		return 1;
	r = receive_part(fd2, 2, false, SPLIT_READ, &v);
	if (r < 0 || talk(fd, other.buf, other.len, 3, false, &between))
		return 1;
	printf("between: ");
	print_verdict(&between, &other);
	while (!r) {
		r = receive_part(fd2, 2, false, SPLIT_READ, &v);
		parts++;
	}
	if (r < 0)
		return 1;
	printf("parts: %d\n", parts);
	if (v.interrupted)
		printf("DUMP_INTR\n");
	print_verdict(&v, &dump);
	close(fd2);
	return 0;
}

/* Requests from stdin, as "-", watched through the nlmon device @ifname. */
static int tap(int fd, int family, int group, const char *ifname,
	       const char *hex)
{
	static uint8_t key[BUF_SIZE], pkt[BUF_SIZE];
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)if_nametoindex(ifname),
	};
	unsigned int seen = 0, with_key = 0;
	struct pollfd pfd;
	size_t keylen;
	int ret;

	if (!sll.sll_ifindex || parse_hex(hex, key, sizeof(key), &keylen) ||
	    !keylen) {
		usage();
		return 2;
	}
	pfd.fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (pfd.fd < 0 || bind(pfd.fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("nlprobe: packet socket");
		return 1;
	}
	pfd.events = POLLIN;
	ret = batch(fd, family, group);
	/* Every request was copied to the tap before it was handled; the
	 * wait only covers the tap's queueing.
	 */
	while (poll(&pfd, 1, seen < requests_sent ? 5000 : 0) > 0) {
		ssize_t n = recv(pfd.fd, pkt, sizeof(pkt), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)pkt;

		if (n < 0)
			break;
		if ((size_t)n >= NLMSG_HDRLEN && nlh->nlmsg_type == family &&
		    (nlh->nlmsg_flags & NLM_F_REQUEST))
			seen++;
		if (memmem(pkt, n, key, keylen))
			with_key++;
	}
	printf("tap: %u requests, %u hold the key\n", seen, with_key);
	close(pfd.fd);
	return ret;
}

int main(int argc, char **argv)
{
	int fd, family, group, ret;

	if (argc < 2) {
		usage();
		return 2;
	}
	fd = nl_socket();
	if (fd < 0)
		return 1;
	if (resolve(fd, &family, &group)) {
		fprintf(stderr, "nlprobe: generic netlink family \"%s\" not found\n",
			TLSTUN_GENL_NAME);
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "-"))
		ret = batch(fd, family, group);
	else if (!strcmp(argv[1], "split"))
		ret = split(fd, family, argv + 2, argc - 2);
	else if (argc == 4 && !strcmp(argv[1], "tap"))
		ret = tap(fd, family, group, argv[2], argv[3]);
	else
		ret = request(fd, family, group, argv + 1, argc - 1, 2);
	close(fd);
	return ret;
}
