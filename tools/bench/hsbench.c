// SPDX-License-Identifier: GPL-2.0
/*
 * hsbench - full TLS 1.3 handshakes per second of tlstund's own transports
 * and key schedule, over loopback TCP or QUIC, for make bench.
 *
 *   hsbench SERVER_KEY SERVER_CERT CLIENT_KEY CLIENT_CERT SECONDS [quic]
 *
 * With "quic" the transport is tlshd/quic*.c and each iteration is also
 * QUIC's: the Retry round trip, the handshake, the exporter, and the
 * CONNECTION_CLOSE.
 *
 * Two processes, each with the daemon's code (tlshd/tls.c, trust.c,
 * identity.c, keysched.c linked in, not copied): the parent listens on
 * 127.0.0.1 and accepts, a forked child dials, for SECONDS. One iteration
 * is what a tlstund session costs before its first SA: TCP connect and
 * accept, the mutual-TLS handshake with ECDHE and both certificates
 * verified by pin, the TLS exporter, the two HKDF master keys and one
 * AES-256 SA key per direction (SP 800-108 CMAC), then close_notify.
 * Each side wipes its secrets as the daemon does. No session is resumed:
 * tlstund allows none.
 *
 * Prints one line:
 *
 *   hsbench handshakes N seconds S rate R server_cpu X client_cpu Y
 *           per_core_server A per_core_client B per_core_pair C
 *
 * rate is handshakes per wall-clock second with the two processes on two
 * cores; per_core_* divide the handshakes by the CPU seconds (user+sys)
 * the side(s) used, which is what one daemon core sustains and is far
 * less sensitive to other load on the machine than the wall rate.
 * Exits 1 if any handshake fails.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "identity.h"
#include "keysched.h"
#include "transport.h"
#include "trust.h"

#define WAIT_MS		10000	/* a hang fails the run, never paces it */
#define VNI		1
#define CTRL_VERSION	1

static const struct tlstund_transport_ops *ops = &tlstund_tls_ops;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct side_report {
	unsigned long count;
	double cpu;
	char err[TLSTUND_ERR_LEN];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Until @c's descriptor is ready or its transport's timer is due. */
static int wait_conn(struct tlstund_conn *c, uint64_t start)
{
	struct pollfd p = { .fd = ops->fd(c), .events = ops->events(c) };
	uint64_t now = now_ms(), dl = ops->deadline ? ops->deadline(c) : 0;
	int timeout = WAIT_MS, n;

	if (now - start > WAIT_MS)
		return -ETIMEDOUT;
	if (dl)
		timeout = dl <= now ? 0 : (int)(dl - now);
	if (timeout > WAIT_MS)
		timeout = WAIT_MS;
	do {
		n = poll(&p, 1, timeout);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* The handshake, then what the daemon derives from it. */
static int session(struct tlstund_conn *c, char *err, size_t errlen)
{
	uint8_t ctx[TLSTUND_EXPORTER_CONTEXT_LEN], root[TLSTUND_ROOT_LEN];
	uint8_t key[TLSTUND_SA_KEY_MAX];
	struct tlstund_keysched ks = { 0 };
	uint64_t start = now_ms();
	int ret;

	while ((ret = ops->progress(c)) == -EAGAIN)
		if (wait_conn(c, start)) {
			ret = -ETIMEDOUT;
			break;
		}
	if (ret) {
		snprintf(err, errlen, "handshake: %s", ops->error(c));
		return ret;
	}
	ret = tlstund_keysched_exporter_context(ctx, CTRL_VERSION, VNI);
	if (!ret)
		ret = ops->export(c, TLSTUND_EXPORTER_LABEL, ctx, sizeof(ctx),
				  root, sizeof(root));
	if (!ret)
		ret = tlstund_keysched_init(&ks, root);
	/* One SA key each way: SPIs of both roles, both master keys. */
	if (!ret)
		ret = tlstund_keysched_sa_key(&ks, 0x00000001,
					      TLSTUN_SUITE_AES_GCM_256, key,
					      32);
	if (!ret)
		ret = tlstund_keysched_sa_key(&ks, 0xc0000001,
					      TLSTUN_SUITE_AES_GCM_256, key,
					      32);
	OPENSSL_cleanse(root, sizeof(root));
	OPENSSL_cleanse(key, sizeof(key));
	tlstund_keysched_wipe(&ks);
	if (ret)
		snprintf(err, errlen, "exporter or key schedule: %s",
			 strerror(-ret));
	return ret;
}

static void load_identity(const char *key, const char *cert,
			  struct tlstund_identity *id)
{
	char err[TLSTUND_ERR_LEN];

	if (tlstund_identity_load(id, key, cert, err, sizeof(err))) {
		fprintf(stderr, "hsbench: %s\n", err);
		exit(1);
	}
}

/* A transport context for @id that trusts exactly the key @peer_pin. */
static void *make_ctx(const struct tlstund_identity *id,
		      struct tlstund_trust_policy *pol, const uint8_t *peer_pin,
		      struct tlstund_transport_cfg *cfg)
{
	char err[TLSTUND_ERR_LEN];
	void *ctx;

	pol->kind = TLSTUND_TRUST_PIN;
	memcpy(pol->pin, peer_pin, TLSTUND_PIN_LEN);
	cfg->identity = id;
	cfg->trust = pol;
	ctx = ops->ctx_new(cfg, err, sizeof(err));
	if (!ctx) {
		fprintf(stderr, "hsbench: %s\n", err);
		exit(1);
	}
	return ctx;
}

/* The session on @c, then close; counted when it succeeded. */
static int finish(struct tlstund_conn *c, struct side_report *r)
{
	int ret = session(c, r->err, sizeof(r->err));

	ops->close(c);
	if (!ret)
		r->count++;
	return ret;
}

/* The dialing side: handshakes back to back until @secs have passed. */
static void client(void *ctx, const struct sockaddr_in *sin, double secs,
		   struct side_report *r)
{
	double end = now_s() + secs, cpu0 = cpu_s();
	struct tlstund_conn *c;

	while (now_s() < end) {
		c = ops->dial(ctx, (const struct sockaddr *)sin, sizeof(*sin),
			      r->err, sizeof(r->err));
		if (!c || finish(c, r))
			return;
	}
	r->cpu = cpu_s() - cpu0;
}

/* The listening side: until @done (the client's report pipe) is readable. */
static void server(struct tlstund_listener *l, int done, struct side_report *r)
{
	struct pollfd p[2] = {
		{ .fd = ops->listener_fd(l), .events = POLLIN },
		{ .fd = done, .events = POLLIN },
	};
	double cpu0 = cpu_s();
	struct tlstund_conn *c;

	for (;;) {
		c = ops->accept(l, r->err, sizeof(r->err));
		if (!c) {
			if (errno != EAGAIN)
				return;
			if (poll(p, 2, WAIT_MS) <= 0) {
				snprintf(r->err, sizeof(r->err),
					 "accept: no connection for %d ms",
					 WAIT_MS);
				return;
			}
			if (p[1].revents)
				break;
			continue;
		}
		if (finish(c, r))
			return;
	}
	r->cpu = cpu_s() - cpu0;
	r->err[0] = 0;
}

int main(int argc, char **argv)
{
	struct tlstund_identity sid = { 0 }, cid = { 0 };
	struct tlstund_trust_policy spol = { 0 }, cpol = { 0 };
	struct tlstund_transport_cfg scfg = { 0 }, ccfg = { 0 };
	struct side_report srv = { 0 }, cli = { 0 };
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct tlstund_listener *l;
	socklen_t len = sizeof(sin);
	void *sctx, *cctx;
	double secs, t0, wall;
	int pfd[2], status;
	char *end;
	pid_t pid;

	if (argc == 7 && !strcmp(argv[6], "quic"))
		ops = &tlstund_quic_ops;
	else if (argc != 6) {
		fprintf(stderr,
			"Usage: hsbench SERVER_KEY SERVER_CERT CLIENT_KEY CLIENT_CERT SECONDS [quic]\n");
		return 2;
	}
	secs = strtod(argv[5], &end);
	if (*end || !(secs > 0 && secs <= 600)) {
		fprintf(stderr,
			"hsbench: argument \"%s\" is wrong: SECONDS is 0..600\n",
			argv[5]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Each side pins the other's key, as trust = pin does. */
	load_identity(argv[1], argv[2], &sid);
	load_identity(argv[3], argv[4], &cid);
	sctx = make_ctx(&sid, &spol, cid.spki_sha256, &scfg);
	cctx = make_ctx(&cid, &cpol, sid.spki_sha256, &ccfg);

	l = ops->listen(sctx, (struct sockaddr *)&sin, sizeof(sin), srv.err,
			sizeof(srv.err));
	if (!l || getsockname(ops->listener_fd(l), (struct sockaddr *)&sin,
			      &len)) {
		fprintf(stderr, "hsbench: listen: %s\n", srv.err);
		return 1;
	}
	if (pipe(pfd)) {
		perror("hsbench: pipe");
		return 1;
	}
	t0 = now_s();
	pid = fork();
	if (pid < 0) {
		perror("hsbench: fork");
		return 1;
	}
	if (!pid) {
		close(pfd[0]);
		ops->listener_close(l);
		client(cctx, &sin, secs, &cli);
		_exit(write(pfd[1], &cli, sizeof(cli)) != sizeof(cli));
	}
	close(pfd[1]);
	server(l, pfd[0], &srv);
	wall = now_s() - t0;
	if (read(pfd[0], &cli, sizeof(cli)) != sizeof(cli))
		snprintf(cli.err, sizeof(cli.err), "the client died");
	waitpid(pid, &status, 0);
	ops->listener_close(l);
	ops->ctx_free(sctx);
	ops->ctx_free(cctx);
	tlstund_identity_free(&sid);
	tlstund_identity_free(&cid);

	if (srv.err[0] || cli.err[0] || !cli.count || !srv.cpu || !cli.cpu) {
		fprintf(stderr, "hsbench: failed after %lu handshakes: %s%s%s\n",
			cli.count, srv.err, srv.err[0] && cli.err[0] ? "; " : "",
			cli.err);
		return 1;
	}
	printf("hsbench %s handshakes %lu seconds %.3f rate %.1f server_cpu %.3f client_cpu %.3f per_core_server %.1f per_core_client %.1f per_core_pair %.1f\n",
	       ops->name, cli.count, wall, cli.count / wall, srv.cpu, cli.cpu,
	       srv.count / srv.cpu, cli.count / cli.cpu,
	       cli.count / (srv.cpu + cli.cpu));
	return 0;
}
