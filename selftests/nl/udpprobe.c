// SPDX-License-Identifier: GPL-2.0
/*
 * udpprobe: send malformed datagrams to a UDP port, and list the tlstun
 * packets of a capture, for the kselftests.
 *
 *   udpprobe random COUNT SEED ADDR PORT
 *	COUNT datagrams of random length 0..1500 and random bytes, from a
 *	seeded generator so a failure can be replayed
 *   udpprobe prefixes PCAP ADDR PORT
 *	every prefix, 0 to len - 1 bytes, of the UDP payload of the first
 *	UDP packet in PCAP (a real tunnel packet, captured)
 *   udpprobe bitflips PCAP ADDR PORT
 *	that payload once per bit, with the bit flipped
 *   udpprobe show PCAP
 *	one line per UDP packet of PCAP: its capture time, then the SPI
 *	and the counter of its tlstun Geneve header (bytes 12 and 16 of
 *	the payload, Documentation/wire-format.rst), "- -" for a payload
 *	too short to hold them.  A capture still being written is read up
 *	to its last whole packet.
 *
 * The senders print "sent N empty E payload L": datagrams sent, how many
 * of them had no payload, and the length of the payload read from PCAP
 * (0 for random).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PAYLOAD 1500
#define PCAP_MAX 65536

struct target {
	int fd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	unsigned long sent, empty;
};

static int target_open(struct target *t, const char *addr, const char *port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&t->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&t->addr;
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	memset(t, 0, sizeof(*t));
	if (!*port || *end || !p || p > 65535)
		return -1;
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(p);
		t->addrlen = sizeof(*in);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		t->addrlen = sizeof(*in6);
	} else {
		return -1;
	}
	t->fd = socket(t->addr.ss_family, SOCK_DGRAM, 0);
	return t->fd < 0 ? -1 : 0;
}

static int target_send(struct target *t, const uint8_t *buf, size_t len)
{
	/* A full queue is transient; anything else is the test's problem. */
	while (sendto(t->fd, buf, len, 0, (struct sockaddr *)&t->addr,
		      t->addrlen) < 0) {
		if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			perror("udpprobe: sendto");
			return -1;
		}
	}
	t->sent++;
	t->empty += !len;
	return 0;
}

/* xorshift64*: reproducible from the seed, good enough for junk. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static int send_random(struct target *t, unsigned long count, uint64_t seed)
{
	uint8_t buf[MAX_PAYLOAD];
	uint64_t s = seed ? seed : 1;

	for (unsigned long i = 0; i < count; i++) {
		size_t len = next_random(&s) % (MAX_PAYLOAD + 1);

		for (size_t j = 0; j < len; j++)
			buf[j] = next_random(&s) >> 56;
		if (target_send(t, buf, len))
			return -1;
	}
	return 0;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint32_t get32(const uint8_t *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap32(v) : v;
}

/* The UDP payload of one captured frame, and when it was captured. */
struct udp_packet {
	const uint8_t *payload;
	size_t len;
	uint32_t sec, usec;
};

/*
 * Call @fn for every UDP packet of a pcap file of Ethernet frames (what
 * tcpdump writes for a veth), over IPv4 or IPv6, until it returns non-zero.
 * Return: -1 when the file is not such a capture, else what @fn returned.
 */
static int pcap_walk(const char *path,
		     int (*fn)(const struct udp_packet *p, void *arg),
		     void *arg)
{
	static uint8_t pkt[PCAP_MAX];
	uint8_t gh[24], rh[16];
	FILE *f = fopen(path, "rb");
	int swap, ret = -1;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fread(gh, sizeof(gh), 1, f) != 1)
		goto out;
	if (get32(gh, 0) == 0xa1b2c3d4 || get32(gh, 0) == 0xa1b23c4d)
		swap = 0;
	else if (get32(gh, 1) == 0xa1b2c3d4 || get32(gh, 1) == 0xa1b23c4d)
		swap = 1;
	else
		goto out;
	if (get32(gh + 20, swap) != 1) {	/* LINKTYPE_ETHERNET */
		fprintf(stderr, "udpprobe: %s: not Ethernet\n", path);
		goto out;
	}
	ret = 0;
	while (!ret && fread(rh, sizeof(rh), 1, f) == 1) {
		uint32_t caplen = get32(rh + 8, swap);
		const uint8_t *ip = pkt + 14, *udp;
		struct udp_packet p;
		uint16_t ethertype;
		size_t udplen;

		if (caplen > sizeof(pkt) || fread(pkt, caplen, 1, f) != 1)
			break;
		if (caplen < 14)
			continue;
		ethertype = pkt[12] << 8 | pkt[13];
		if (ethertype == 0x0800 && caplen >= 14 + 20 && ip[9] == 17)
			udp = ip + (ip[0] & 0xf) * 4;
		else if (ethertype == 0x86dd && caplen >= 14 + 40 &&
			 ip[6] == 17)
			udp = ip + 40;
		else
			continue;
		if ((size_t)(udp - pkt) + 8 > caplen)
			continue;
		udplen = udp[4] << 8 | udp[5];
		if (udplen < 8 || (size_t)(udp - pkt) + udplen > caplen)
			continue;
		p.payload = udp + 8;
		p.len = udplen - 8;
		p.sec = get32(rh, swap);
		p.usec = get32(rh + 4, swap);
		ret = fn(&p, arg);
	}
out:
	fclose(f);
	return ret;
}

struct payload {
	uint8_t data[MAX_PAYLOAD];
	size_t len;
};

static int take_first(const struct udp_packet *p, void *arg)
{
	struct payload *pl = arg;

	if (p->len > sizeof(pl->data))
		return 0;
	memcpy(pl->data, p->payload, p->len);
	pl->len = p->len;
	return 1;
}

/* The UDP payload of the first UDP packet in @path. */
static int read_payload(const char *path, struct payload *pl)
{
	if (pcap_walk(path, take_first, pl) == 1)
		return 0;
	fprintf(stderr, "udpprobe: %s: no whole UDP packet\n", path);
	return -1;
}

static int show_one(const struct udp_packet *p, void *arg)
{
	(void)arg;
	printf("%u.%06u ", p->sec, p->usec);
	if (p->len < 24)
		printf("- -\n");
	else
		printf("0x%08x %llu\n", get_be32(p->payload + 12),
		       (unsigned long long)get_be32(p->payload + 16) << 32 |
		       get_be32(p->payload + 20));
	return 0;
}

static int send_prefixes(struct target *t, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (target_send(t, p, i))
			return -1;
	return 0;
}

static int send_bitflips(struct target *t, const uint8_t *p, size_t len)
{
	uint8_t buf[MAX_PAYLOAD];

	memcpy(buf, p, len);
	for (size_t bit = 0; bit < len * 8; bit++) {
		buf[bit / 8] ^= 1 << (bit % 8);
		if (target_send(t, buf, len))
			return -1;
		buf[bit / 8] ^= 1 << (bit % 8);
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: udpprobe random COUNT SEED ADDR PORT\n"
		"       udpprobe prefixes PCAP ADDR PORT\n"
		"       udpprobe bitflips PCAP ADDR PORT\n"
		"       udpprobe show PCAP\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct payload pl = { .len = 0 };
	struct target t;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "show"))
		return pcap_walk(argv[2], show_one, NULL) ? 1 : 0;
	if (argc == 6 && !strcmp(argv[1], "random")) {
		unsigned long count = strtoul(argv[2], NULL, 0);
		uint64_t seed = strtoull(argv[3], NULL, 0);

		if (target_open(&t, argv[4], argv[5]))
			return usage();
		ret = send_random(&t, count, seed);
	} else if (argc == 5 && (!strcmp(argv[1], "prefixes") ||
				 !strcmp(argv[1], "bitflips"))) {
		if (target_open(&t, argv[3], argv[4]))
			return usage();
		if (read_payload(argv[2], &pl))
			return 1;
		ret = argv[1][0] == 'p' ? send_prefixes(&t, pl.data, pl.len) :
					  send_bitflips(&t, pl.data, pl.len);
	} else {
		return usage();
	}
	printf("sent %lu empty %lu payload %zu\n", t.sent, t.empty, pl.len);
	close(t.fd);
	return ret ? 1 : 0;
}
