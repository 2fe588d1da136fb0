// SPDX-License-Identifier: GPL-2.0
/*
 * ttpkt - packet helper for the tlstun kselftests: reads tcpdump captures
 * and sends the raw bytes the tests need, so that shell scripts can check
 * what the kernel put on the wire byte by byte.
 *
 *   ttpkt dump PCAP
 *   ttpkt check [-p PORT] [-v VNI] [-s SPI]... [-o increasing|unique|any] PCAP
 *   ttpkt udp PCAP N
 *   ttpkt frame PCAP N
 *   ttpkt send-udp ADDR PORT HEX
 *   ttpkt send-eth IFNAME HEX
 *   ttpkt seq-send ADDR PORT COUNT
 *   ttpkt seq-recv PORT COUNT SECONDS
 *
 * dump prints one line per captured packet:
 *
 *   geneve VNI SPI COUNTER INNER_LEN   a UDP datagram to PORT that has the
 *                                      strict tlstun layout
 *   bad REASON                         a UDP datagram to PORT that has not
 *   frag                               an IP fragment (its UDP header, if
 *                                      any, cannot be trusted alone)
 *   frame LEN                          anything else, with its wire length
 *
 * VNI and SPI in hex (0x%06x, 0x%08x), COUNTER and lengths in decimal.
 * INNER_LEN is the UDP length less the UDP header, the Geneve header and
 * the tag, i.e. the length of the Ethernet frame that was sealed.
 *
 * check reads the same lines and fails (exit 1, reason on stderr) unless
 * every UDP datagram to PORT is strict tlstun Geneve with the VNI, one of
 * the SPIs (when given) and counters that are, per SPI, strictly
 * increasing in capture order (the default), merely never repeated
 * (unique), or anything (any). It prints one summary line per SPI:
 *
 *   spi 0x00001001 packets 12 first 0 last 11 out-of-order 0
 *
 * where out-of-order counts packets whose counter is below one seen before
 * them. Packets that are not UDP to PORT are ignored.
 *
 * udp prints the UDP payload of the Nth (from 1) UDP datagram to PORT in
 * hex, frame the whole Nth captured frame; both fail when the capture holds
 * fewer or the packet was truncated by the snap length.
 *
 * send-udp sends HEX as one UDP datagram from an ephemeral port; send-eth
 * sends HEX as one Ethernet frame through IFNAME with an AF_PACKET socket,
 * so it enters the device's ndo_start_xmit exactly as given.
 *
 * seq-send sends COUNT numbered UDP datagrams, one of 1200 bytes then
 * three of 64, over and over, in bursts of 32 with a millisecond between
 * bursts; seq-recv (IPv4, any address) takes them until it has COUNT or
 * none came for SECONDS, then prints
 *
 *   received N out-of-order M
 *
 * where out-of-order counts datagrams numbered below one received before
 * them. It says "listening" on stderr once bound. The mix of sizes is
 * there for tlstun's receive path, which opens big frames on another CPU
 * and small ones inline, and must never let one overtake another.
 *
 * Captures are the classic pcap format tcpdump -w writes, with Ethernet
 * (DLT_EN10MB) or Linux cooked (LINUX_SLL, LINUX_SLL2) link headers.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define GENEVE_HLEN	24
#define TAG_LEN		16
#define MAX_SPIS	16

#define LINKTYPE_ETHERNET	1
#define LINKTYPE_LINUX_SLL	113
#define LINKTYPE_LINUX_SLL2	276

struct pcap {
	FILE *f;
	const char *path;
	bool swap;
	uint32_t linktype;
	unsigned char buf[262144];
};

struct pkt {
	const unsigned char *data;
	uint32_t caplen;
	uint32_t len;		/* on the wire */
};

/* What one captured packet is, for the port under test. */
struct parsed {
	enum { P_OTHER, P_FRAG, P_BAD, P_GENEVE } kind;
	const char *why;		/* P_BAD */
	const unsigned char *udp;	/* UDP payload, P_BAD and P_GENEVE */
	uint32_t udp_len;		/* UDP payload length from the header */
	bool truncated;			/* payload not all captured */
	uint32_t vni, spi;
	uint64_t counter;
	uint32_t inner_len;
};

static const char *prog = "ttpkt";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						     noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t file32(const struct pcap *pc, const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return pc->swap ? __builtin_bswap32(v) : v;
}

static void pcap_open(struct pcap *pc, const char *path)
{
	unsigned char hdr[24];
	uint32_t magic;

	pc->path = path;
	pc->f = fopen(path, "rb");
	if (!pc->f)
		die("cannot open \"%s\": %s", path, strerror(errno));
	if (fread(hdr, sizeof(hdr), 1, pc->f) != 1)
		die("\"%s\" is not a pcap file: too short", path);
	memcpy(&magic, hdr, sizeof(magic));
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		pc->swap = false;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		pc->swap = true;
	else
		die("\"%s\" is not a pcap file (pcapng is not supported)",
		    path);
	pc->linktype = file32(pc, hdr + 20) & 0x0fffffff;
	if (pc->linktype != LINKTYPE_ETHERNET &&
	    pc->linktype != LINKTYPE_LINUX_SLL &&
	    pc->linktype != LINKTYPE_LINUX_SLL2)
		die("\"%s\": link type %u is not supported", path,
		    pc->linktype);
}

/* Returns false at the end of the file. */
static bool pcap_next(struct pcap *pc, struct pkt *p)
{
	unsigned char rec[16];

	if (fread(rec, sizeof(rec), 1, pc->f) != 1)
		return false;
	p->caplen = file32(pc, rec + 8);
	p->len = file32(pc, rec + 12);
	if (p->caplen > sizeof(pc->buf))
		die("\"%s\": record of %u bytes is too large", pc->path,
		    p->caplen);
	if (fread(pc->buf, p->caplen, 1, pc->f) != 1 && p->caplen)
		die("\"%s\": the last record is cut short", pc->path);
	p->data = pc->buf;
	return true;
}

/* The EtherType and the offset of the network header. */
static bool link_layer(const struct pcap *pc, const struct pkt *p,
		       uint16_t *proto, uint32_t *off)
{
	switch (pc->linktype) {
	case LINKTYPE_ETHERNET:
		*off = 14;
		if (p->caplen < *off)
			return false;
		*proto = get16(p->data + 12);
		return true;
	case LINKTYPE_LINUX_SLL:
		*off = 16;
		if (p->caplen < *off)
			return false;
		*proto = get16(p->data + 14);
		return true;
	default:
		*off = 20;
		if (p->caplen < *off)
			return false;
		*proto = get16(p->data);
		return true;
	}
}

static void parse_geneve(struct parsed *r)
{
	const unsigned char *g = r->udp;

	if (r->udp_len < GENEVE_HLEN) {
		r->kind = P_BAD;
		r->why = "shorter than the Geneve header";
		return;
	}
	r->kind = P_BAD;
	if (g[0] != 0x04)
		r->why = "byte 0 is not 0x04 (Ver 0, Opt Len 4)";
	else if (g[1] != 0x40)
		r->why = "byte 1 is not 0x40 (O clear, C set, Rsvd 0)";
	else if (get16(g + 2) != 0x6558)
		r->why = "protocol type is not 0x6558";
	else if (g[7] != 0)
		r->why = "the reserved byte after the VNI is not 0";
	else if (get16(g + 8) != 0xfff7)
		r->why = "option class is not 0xfff7";
	else if (g[10] != 0x81)
		r->why = "option type is not 0x81";
	else if (g[11] != 0x03)
		r->why = "option length byte is not 0x03";
	else if (!get32(g + 12))
		r->why = "SPI 0";
	else if (r->udp_len < GENEVE_HLEN + TAG_LEN + 14)
		r->why = "the sealed frame is shorter than an Ethernet header";
	else
		r->kind = P_GENEVE;
	if (r->kind != P_GENEVE)
		return;
	r->vni = get32(g + 4) >> 8;
	r->spi = get32(g + 12);
	r->counter = (uint64_t)get32(g + 16) << 32 | get32(g + 20);
	r->inner_len = r->udp_len - GENEVE_HLEN - TAG_LEN;
}

static void parse(const struct pcap *pc, const struct pkt *p, uint16_t port,
		  struct parsed *r)
{
	const unsigned char *ip, *udp;
	uint32_t off, iplen, caplen;
	uint16_t proto;
	uint8_t l4;

	memset(r, 0, sizeof(*r));
	r->kind = P_OTHER;
	if (!link_layer(pc, p, &proto, &off))
		return;
	ip = p->data + off;
	caplen = p->caplen - off;
	if (proto == ETHERTYPE_IP) {
		uint32_t ihl;

		if (caplen < 20 || ip[0] >> 4 != 4)
			return;
		ihl = (ip[0] & 0x0f) * 4u;
		iplen = get16(ip + 2);
		if (get16(ip + 6) & 0x3fff) {	/* MF or an offset */
			r->kind = P_FRAG;
			return;
		}
		l4 = ip[9];
		udp = ip + ihl;
		if (caplen < ihl)
			return;
		caplen -= ihl;
		if (iplen < ihl)
			return;
		iplen -= ihl;
	} else if (proto == ETHERTYPE_IPV6) {
		if (caplen < 40 || ip[0] >> 4 != 6)
			return;
		iplen = get16(ip + 4);
		l4 = ip[6];
		if (l4 == 44) {		/* fragment header */
			r->kind = P_FRAG;
			return;
		}
		udp = ip + 40;
		caplen -= 40;
	} else {
		return;
	}
	if (l4 != 17 || caplen < 8 || get16(udp + 2) != port)
		return;

	r->kind = P_BAD;
	if (get16(udp + 4) < 8 || get16(udp + 4) != iplen) {
		r->why = "the UDP length does not match the IP length";
		return;
	}
	r->udp = udp + 8;
	r->udp_len = get16(udp + 4) - 8;
	r->truncated = caplen - 8 < r->udp_len;
	if (caplen - 8 < GENEVE_HLEN && r->udp_len >= GENEVE_HLEN) {
		r->why = "the snap length cut the Geneve header";
		return;
	}
	parse_geneve(r);
}

static uint16_t parse_port(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end || v < 1 || v > 65535)
		die("argument \"%s\" is wrong: not a UDP port", s);
	return (uint16_t)v;
}

static unsigned long parse_ulong(const char *s, unsigned long max,
				 const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (*s == '\0' || *end || errno || v > max)
		die("argument \"%s\" is wrong: not %s", s, what);
	return v;
}

static int cmd_dump(int argc, char **argv)
{
	struct pcap pc;
	struct parsed r;
	struct pkt p;

	if (argc != 2)
		die("usage: dump PCAP");
	pcap_open(&pc, argv[1]);
	while (pcap_next(&pc, &p)) {
		parse(&pc, &p, 6081, &r);
		switch (r.kind) {
		case P_GENEVE:
			printf("geneve 0x%06x 0x%08x %llu %u\n", r.vni, r.spi,
			       (unsigned long long)r.counter, r.inner_len);
			break;
		case P_BAD:
			printf("bad %s\n", r.why);
			break;
		case P_FRAG:
			printf("frag\n");
			break;
		default:
			printf("frame %u\n", p.len);
		}
	}
	fclose(pc.f);
	return 0;
}

struct spi_seen {
	uint32_t spi;
	unsigned long packets, out_of_order;
	uint64_t first, last, max;
	uint64_t *counters;	/* for "unique": every counter seen */
	size_t n, cap;
};

static struct spi_seen *spi_slot(struct spi_seen *s, size_t *n, uint32_t spi)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (s[i].spi == spi)
			return &s[i];
	if (*n == MAX_SPIS)
		die("more than %d SPIs in the capture", MAX_SPIS);
	memset(&s[*n], 0, sizeof(s[*n]));
	s[*n].spi = spi;
	return &s[(*n)++];
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_check(int argc, char **argv)
{
	enum { INCREASING, UNIQUE, ANY } order = INCREASING;
	uint32_t spis[MAX_SPIS], vni = 0;
	struct spi_seen seen[MAX_SPIS];
	size_t nspis = 0, nseen = 0, i, j;
	bool want_vni = false;
	unsigned long no = 0;
	uint16_t port = 6081;
	struct parsed r;
	struct pcap pc;
	struct pkt p;
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "p:v:s:o:")) != -1) {
		switch (opt) {
		case 'p':
			port = parse_port(optarg);
			break;
		case 'v':
			vni = parse_ulong(optarg, 0xffffff, "a VNI");
			want_vni = true;
			break;
		case 's':
			if (nspis == MAX_SPIS)
				die("at most %d SPIs", MAX_SPIS);
			spis[nspis++] = parse_ulong(optarg, 0xffffffff,
						    "an SPI");
			break;
		case 'o':
			if (!strcmp(optarg, "increasing"))
				order = INCREASING;
			else if (!strcmp(optarg, "unique"))
				order = UNIQUE;
			else if (!strcmp(optarg, "any"))
				order = ANY;
			else
				die("argument \"%s\" is wrong: increasing, unique or any",
				    optarg);
			break;
		default:
			die("usage: check [-p PORT] [-v VNI] [-s SPI]... [-o increasing|unique|any] PCAP");
		}
	}
	if (optind != argc - 1)
		die("usage: check [-p PORT] [-v VNI] [-s SPI]... [-o increasing|unique|any] PCAP");

	pcap_open(&pc, argv[optind]);
	while (pcap_next(&pc, &p)) {
		struct spi_seen *s;

		no++;
		parse(&pc, &p, port, &r);
		if (r.kind == P_OTHER)
			continue;
		if (r.kind == P_FRAG)
			die("packet %lu: an IP fragment", no);
		if (r.kind == P_BAD)
			die("packet %lu: %s", no, r.why);
		if (want_vni && r.vni != vni)
			die("packet %lu: VNI 0x%06x, expected 0x%06x", no,
			    r.vni, vni);
		for (i = 0; i < nspis && spis[i] != r.spi; i++)
			;
		if (nspis && i == nspis)
			die("packet %lu: SPI 0x%08x is not one of those installed",
			    no, r.spi);
		s = spi_slot(seen, &nseen, r.spi);
		if (s->packets && r.counter <= s->max) {
			if (order == INCREASING)
				die("packet %lu: SPI 0x%08x counter %llu after %llu",
				    no, r.spi, (unsigned long long)r.counter,
				    (unsigned long long)s->last);
			s->out_of_order++;
		}
		if (!s->packets)
			s->first = r.counter;
		if (!s->packets || r.counter > s->max)
			s->max = r.counter;
		s->last = r.counter;
		s->packets++;
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 1024;
			s->counters = realloc(s->counters,
					      s->cap * sizeof(*s->counters));
			if (!s->counters)
				die("out of memory");
		}
		s->counters[s->n++] = r.counter;
	}
	fclose(pc.f);

	for (i = 0; i < nseen; i++) {
		struct spi_seen *s = &seen[i];

		qsort(s->counters, s->n, sizeof(*s->counters), cmp_u64);
		for (j = 1; j < s->n; j++)
			if (order != ANY && s->counters[j] == s->counters[j - 1])
				die("SPI 0x%08x: counter %llu sent twice",
				    s->spi, (unsigned long long)s->counters[j]);
		printf("spi 0x%08x packets %lu first %llu last %llu out-of-order %lu\n",
		       s->spi, s->packets, (unsigned long long)s->first,
		       (unsigned long long)s->last, s->out_of_order);
		free(s->counters);
	}
	return 0;
}

static void print_hex(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

/* udp PCAP N, frame PCAP N */
static int cmd_nth(int argc, char **argv, bool udp)
{
	unsigned long n, seen = 0;
	struct parsed r;
	struct pcap pc;
	struct pkt p;

	if (argc != 3)
		die("usage: %s PCAP N", argv[0]);
	n = parse_ulong(argv[2], 1UL << 31, "a packet number");
	if (!n)
		die("packets are numbered from 1");
	pcap_open(&pc, argv[1]);
	while (pcap_next(&pc, &p)) {
		if (udp) {
			parse(&pc, &p, 6081, &r);
			if (r.kind != P_GENEVE && r.kind != P_BAD)
				continue;
			if (!r.udp)
				die("packet %lu to the port has no UDP payload",
				    seen + 1);
		}
		if (++seen != n)
			continue;
		if (udp && r.truncated)
			die("UDP datagram %lu was cut by the snap length", n);
		if (!udp && p.caplen < p.len)
			die("frame %lu was cut by the snap length", n);
		if (udp)
			print_hex(r.udp, r.udp_len);
		else
			print_hex(p.data, p.caplen);
		fclose(pc.f);
		return 0;
	}
	die("\"%s\" holds %lu %s, not %lu", argv[1], seen,
	    udp ? "UDP datagrams to port 6081" : "frames", n);
}

static size_t unhex(const char *s, unsigned char **out)
{
	size_t n = strlen(s), i;
	unsigned char *b;

	if (!n || n % 2)
		die("argument \"%.40s\" is wrong: not an even number of hex digits",
		    s);
	b = malloc(n / 2);
	if (!b)
		die("out of memory");
	for (i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
			die("argument \"%.40s\" is wrong: not hex", s);
		b[i] = (unsigned char)v;
	}
	*out = b;
	return n / 2;
}

/* A UDP socket for sending to ADDR PORT (numeric), and where to. */
static int udp_socket(const char *addr, const char *port,
		      struct addrinfo **ai)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	int fd, err;

	parse_port(port);
	err = getaddrinfo(addr, port, &hints, ai);
	if (err)
		die("argument \"%s\" is wrong: %s", addr, gai_strerror(err));
	fd = socket((*ai)->ai_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	return fd;
}

static int cmd_send_udp(int argc, char **argv)
{
	struct addrinfo *ai;
	unsigned char *buf;
	ssize_t sent;
	size_t len;
	int fd;

	if (argc != 4)
		die("usage: send-udp ADDR PORT HEX");
	len = unhex(argv[3], &buf);
	fd = udp_socket(argv[1], argv[2], &ai);
	sent = sendto(fd, buf, len, 0, ai->ai_addr, ai->ai_addrlen);
	if (sent != (ssize_t)len)
		die("sendto %s port %s: %s", argv[1], argv[2],
		    sent < 0 ? strerror(errno) : "short write");
	close(fd);
	freeaddrinfo(ai);
	free(buf);
	return 0;
}

static int cmd_send_eth(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned char *buf;
	ssize_t sent;
	size_t len;
	int fd;

	if (argc != 3)
		die("usage: send-eth IFNAME HEX");
	len = unhex(argv[2], &buf);
	if (len < 14)
		die("a frame needs at least an Ethernet header (14 bytes)");
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (!sll.sll_ifindex)
		die("argument \"%s\" is wrong: no such interface", argv[1]);
	/* The frame's own EtherType becomes skb->protocol. */
	memcpy(&sll.sll_protocol, buf + 12, 2);
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, buf, ETH_ALEN);
	/* Protocol 0: a socket that only sends receives nothing. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket(AF_PACKET): %s", strerror(errno));
	sent = sendto(fd, buf, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	if (sent != (ssize_t)len)
		die("sendto %s: %s", argv[1],
		    sent < 0 ? strerror(errno) : "short write");
	close(fd);
	free(buf);
	return 0;
}

#define SEQ_BIG		1200
#define SEQ_SMALL	64
#define SEQ_BURST	32

static int cmd_seq_send(int argc, char **argv)
{
	const struct timespec gap = { .tv_nsec = 1000000 };
	unsigned char buf[SEQ_BIG] = { 0 };
	unsigned long count, i;
	struct addrinfo *ai;
	size_t len;
	int fd;

	if (argc != 4)
		die("usage: seq-send ADDR PORT COUNT");
	count = parse_ulong(argv[3], 1000000, "a count up to 1000000");
	fd = udp_socket(argv[1], argv[2], &ai);
	for (i = 0; i < count; i++) {
		uint32_t seq = htonl((uint32_t)i);

		if (i && i % SEQ_BURST == 0)
			nanosleep(&gap, NULL);
		memcpy(buf, &seq, sizeof(seq));
		len = i % 4 ? SEQ_SMALL : SEQ_BIG;
		if (sendto(fd, buf, len, 0, ai->ai_addr, ai->ai_addrlen) !=
		    (ssize_t)len)
			die("sendto %s port %s: %s", argv[1], argv[2],
			    strerror(errno));
	}
	close(fd);
	freeaddrinfo(ai);
	return 0;
}

static int cmd_seq_recv(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	unsigned long count, got = 0, reordered = 0;
	unsigned char buf[2048];
	struct timeval tv = { 0 };
	int64_t highest = -1;
	int fd, rcvbuf = 8 << 20;
	uint32_t seq;
	ssize_t n;

	if (argc != 4)
		die("usage: seq-recv PORT COUNT SECONDS");
	sin.sin_port = htons(parse_port(argv[1]));
	count = parse_ulong(argv[2], 1000000, "a count up to 1000000");
	tv.tv_sec = (time_t)parse_ulong(argv[3], 3600, "seconds up to 3600");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	/* Room for every datagram: a full socket would lose, not reorder. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		die("SO_RCVBUF: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		die("SO_RCVTIMEO: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind port %s: %s", argv[1], strerror(errno));
	fprintf(stderr, "listening\n");
	while (got < count) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			die("recv: %s", strerror(errno));
		}
		if (n < (ssize_t)sizeof(seq))
			die("a datagram of %zd bytes: not from seq-send", n);
		memcpy(&seq, buf, sizeof(seq));
		seq = ntohl(seq);
		if ((int64_t)seq < highest)
			reordered++;
		else
			highest = seq;
		got++;
	}
	close(fd);
	printf("received %lu out-of-order %lu\n", got, reordered);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	argc--;
	argv++;
	if (!strcmp(argv[0], "dump"))
		return cmd_dump(argc, argv);
	if (!strcmp(argv[0], "check"))
		return cmd_check(argc, argv);
	if (!strcmp(argv[0], "udp"))
		return cmd_nth(argc, argv, true);
	if (!strcmp(argv[0], "frame"))
		return cmd_nth(argc, argv, false);
	if (!strcmp(argv[0], "send-udp"))
		return cmd_send_udp(argc, argv);
	if (!strcmp(argv[0], "send-eth"))
		return cmd_send_eth(argc, argv);
	if (!strcmp(argv[0], "seq-send"))
		return cmd_seq_send(argc, argv);
	if (!strcmp(argv[0], "seq-recv"))
		return cmd_seq_recv(argc, argv);
usage:
	fprintf(stderr,
		"Usage: ttpkt { dump PCAP |\n"
		"               check [-p PORT] [-v VNI] [-s SPI]... [-o increasing|unique|any] PCAP |\n"
		"               udp PCAP N | frame PCAP N |\n"
		"               send-udp ADDR PORT HEX | send-eth IFNAME HEX |\n"
		"               seq-send ADDR PORT COUNT | seq-recv PORT COUNT SECONDS }\n");
	return 2;
}
