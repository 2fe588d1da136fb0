// SPDX-License-Identifier: GPL-2.0
/*
 * udprr - UDP request/response latency for make bench, after netperf's
 * UDP_RR: one request in flight at a time, each round trip timed with
 * CLOCK_MONOTONIC.
 *
 *   udprr [-c CPU] server PORT
 *   udprr [-c CPU] client ADDR PORT COUNT [SIZE]
 *   udprr [-c CPU] first ADDR PORT TIMEOUT_MS
 *
 * -c pins the process to one CPU. make bench runs client and server on
 * the same one: in a QEMU guest whose vCPU threads share the host with
 * other work, every wake-up of the other vCPU waits for the host to
 * schedule its thread, milliseconds under load, which would swamp what
 * the tunnels themselves cost.
 *
 * server echoes every datagram it gets on PORT (any address) back to its
 * sender, until killed; it says "udprr: listening" on stderr once bound,
 * so a script need not poll ss(8) for it.
 *
 * client sends COUNT requests of SIZE bytes (default 32) to ADDR:PORT, each
 * after the reply to the one before, and prints one line:
 *
 *   n N lost L p50_us X p90_us X p99_us X min_us X max_us X mean_us X tps X
 *
 * A request unanswered within 1 s counts as lost and is not retried (a
 * late reply is recognised by its sequence number and skipped). The first
 * WARMUP round trips are not counted: under QEMU's TCG they include the
 * translation of code paths run for the first time. Exits 1 if more than
 * a tenth were lost.
 *
 * first sends a request every millisecond until a reply comes back and
 * prints the CLOCK_REALTIME of its arrival (seconds, as bash's
 * $EPOCHREALTIME) and the number of requests sent, so a script can time
 * how long a tunnel takes to carry its first packet; sendto() errors
 * while there is no route or key yet are expected and ignored. It says
 * "udprr: sending" on stderr once it has started. Exits 1 after
 * TIMEOUT_MS without a reply.
 *
 * A UDP exchange between two processes is timed rather than ping's ICMP
 * echo because the kernel answers an echo in softirq, so ping never sees
 * the socket wake-ups an application pays for, and ping -i paces its
 * requests, which lets CPUs idle between them.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WARMUP		20
#define REPLY_MS	1000
#define MAX_SIZE	1472
#define MAX_COUNT	10000000UL

static void usage(void)
{
	fprintf(stderr,
		"Usage: udprr [-c CPU] server PORT\n"
		"       udprr [-c CPU] client ADDR PORT COUNT [SIZE]\n"
		"       udprr [-c CPU] first ADDR PORT TIMEOUT_MS\n");
	exit(2);
}

static unsigned long num(const char *s, unsigned long min, unsigned long max,
			 const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr,
			"udprr: argument \"%s\" is wrong: %s must be %lu..%lu\n",
			s, what, min, max);
		exit(2);
	}
	return v;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int udp_socket(const char *addr, const char *port,
		      struct sockaddr_in *sin)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("udprr: socket");
		exit(1);
	}
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(num(port, 1, 65535, "PORT"));
	if (addr && inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		fprintf(stderr,
			"udprr: argument \"%s\" is wrong: not an IPv4 address\n",
			addr);
		exit(2);
	}
	return fd;
}

static int server(const char *port)
{
	struct sockaddr_in sin, from;
	char buf[65536];
	socklen_t flen;
	ssize_t n;
	int fd;

	fd = udp_socket(NULL, port, &sin);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("udprr: bind");
		return 1;
	}
	fprintf(stderr, "udprr: listening\n");
	for (;;) {
		flen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("udprr: recvfrom");
			return 1;
		}
		/* A lost reply is the client's to count; keep serving. */
		sendto(fd, buf, n, 0, (struct sockaddr *)&from, flen);
	}
}

/* Waits up to @ms for a datagram; its first 8 bytes are the sequence. */
static int recv_seq(int fd, uint64_t *seq, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[MAX_SIZE];
	ssize_t n;
	int r;

	r = poll(&p, 1, ms);
	if (r <= 0)
		return r < 0 && errno != EINTR ? -errno : -ETIMEDOUT;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < (ssize_t)sizeof(*seq))
		return n < 0 ? -errno : -EBADMSG;
	memcpy(seq, buf, sizeof(*seq));
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the sorted @v. */
static double pct_us(const uint64_t *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * n + 0.999999);

	if (rank < 1)
		rank = 1;
	return v[rank - 1] / 1000.0;
}

static int client(const char *addr, const char *port, const char *count,
		  const char *size)
{
	unsigned long n = num(count, 1, MAX_COUNT, "COUNT");
	unsigned long len = size ? num(size, 8, MAX_SIZE, "SIZE") : 32;
	unsigned long i, lost = 0, got = 0;
	uint64_t *rtt, t0, start = 0, seq, sum = 0;
	char buf[MAX_SIZE] = { 0 };
	struct sockaddr_in sin;
	int fd, r;

	fd = udp_socket(addr, port, &sin);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("udprr: connect");
		return 1;
	}
	rtt = calloc(n, sizeof(*rtt));
	if (!rtt) {
		perror("udprr: calloc");
		return 1;
	}
	for (i = 0; i < n + WARMUP; i++) {
		if (i == WARMUP)
			start = now_ns(CLOCK_MONOTONIC);
		memcpy(buf, &i, sizeof(i));
		t0 = now_ns(CLOCK_MONOTONIC);
		if (send(fd, buf, len, 0) != (ssize_t)len) {
			perror("udprr: send");
			return 1;
		}
		do {
			r = recv_seq(fd, &seq, REPLY_MS);
		} while (!r && seq != i);
		if (r == -ETIMEDOUT) {
			if (i >= WARMUP)
				lost++;
			continue;
		}
		if (r) {
			fprintf(stderr, "udprr: recv: %s\n", strerror(-r));
			return 1;
		}
		if (i >= WARMUP)
			rtt[got++] = now_ns(CLOCK_MONOTONIC) - t0;
	}
	if (!got) {
		fprintf(stderr, "udprr: no reply from %s:%s\n", addr, port);
		return 1;
	}
	for (i = 0; i < got; i++)
		sum += rtt[i];
	qsort(rtt, got, sizeof(*rtt), cmp_u64);
	printf("n %lu lost %lu p50_us %.1f p90_us %.1f p99_us %.1f min_us %.1f max_us %.1f mean_us %.1f tps %.1f\n",
	       got, lost, pct_us(rtt, got, 50), pct_us(rtt, got, 90),
	       pct_us(rtt, got, 99), rtt[0] / 1000.0, rtt[got - 1] / 1000.0,
	       sum / 1000.0 / got,
	       got * 1e9 / (now_ns(CLOCK_MONOTONIC) - start));
	free(rtt);
	return lost * 10 > n;
}

static int first(const char *addr, const char *port, const char *timeout)
{
	unsigned long ms = num(timeout, 1, 3600000, "TIMEOUT_MS");
	uint64_t deadline, seq, sent = 0, t;
	char buf[32] = { 0 };
	struct sockaddr_in sin;
	int fd;

	fd = udp_socket(addr, port, &sin);
	deadline = now_ns(CLOCK_MONOTONIC) + ms * 1000000ULL;
	/* The caller waits for this before it starts what it times. */
	fprintf(stderr, "udprr: sending\n");
	while (now_ns(CLOCK_MONOTONIC) < deadline) {
		memcpy(buf, &sent, sizeof(sent));
		/* ENETUNREACH, ENOKEY, EAGAIN...: no tunnel yet. */
		sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sin,
		       sizeof(sin));
		sent++;
		if (!recv_seq(fd, &seq, 1)) {
			t = now_ns(CLOCK_REALTIME);
			printf("%llu.%06llu %llu\n",
			       (unsigned long long)(t / 1000000000ULL),
			       (unsigned long long)(t % 1000000000ULL / 1000),
			       (unsigned long long)sent);
			return 0;
		}
	}
	fprintf(stderr, "udprr: no reply from %s:%s within %lu ms\n", addr,
		port, ms);
	return 1;
}

int main(int argc, char **argv)
{
	cpu_set_t set;

	if (argc > 2 && !strcmp(argv[1], "-c")) {
		CPU_ZERO(&set);
		CPU_SET(num(argv[2], 0, CPU_SETSIZE - 1, "CPU"), &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			perror("udprr: sched_setaffinity");
			return 1;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc == 3 && !strcmp(argv[1], "server"))
		return server(argv[2]);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], argv[4],
			      argc == 6 ? argv[5] : NULL);
	if (argc == 5 && !strcmp(argv[1], "first"))
		return first(argv[2], argv[3], argv[4]);
	usage();
	return 2;
}
