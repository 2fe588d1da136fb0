// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the QUIC transport (tlshd/quic.c, quic_listen.c) over real
 * UDP loopback sockets on ephemeral ports, with real ngtcp2 and GnuTLS.
 *
 * Two processes per case, as in test_tls.c: the parent serves with the
 * transport's listener, a forked child dials with the transport's ops or
 * runs Debian's ngtcp2 example client (gtlsclient, an independent QUIC
 * and TLS stack on the wire) and reports down a pipe. Every wait is a
 * poll() on the connection's descriptor until its own deadline, bounded
 * by WAIT_MS only so that a bug fails the test instead of hanging it.
 *
 *          parent (server)                       child (client)
 *   listen [::]:0 -> port ---------------- fork --> dial 127.0.0.1:port
 *   Retry, then accept, progress() <== QUIC ==>  progress() ...
 *   export(ctx A), export(ctx B)             export(ctx A), export(ctx B)
 *   read "ping"  <-------------------------  write "ping"
 *   write "pong" ------------------------->  read "pong"
 *   read -> 0    <-- CONNECTION_CLOSE(0) --  close()
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "quic.h"
#include "keysched.h"
#include "certs/testcerts.h"
#include "transport_pair.h"

#define WAIT_MS		20000	/* guard against a hang, never a pacing delay */
#define EXPORT_LEN	TLSTUND_ROOT_LEN
#define MSG_LEN		16
#define BULK_LEN	(1u << 20)
#define GTLSCLIENT	"/usr/bin/gtlsclient"

static const char ping[MSG_LEN] = "ping from client";
static const char pong[MSG_LEN] = "pong from server";
static const uint8_t ctx_a[TLSTUND_EXPORTER_CONTEXT_LEN] = { 0, 0, 0, 1,
							     0, 0, 0, 42 };
static const uint8_t ctx_b[TLSTUND_EXPORTER_CONTEXT_LEN] = { 0, 0, 0, 1,
							     0, 0, 0, 43 };

static const struct tlstund_transport_ops *ops = &tlstund_quic_ops;

enum client_kind {
	CLIENT_OURS,
	CLIENT_OURS_NO_ALPN,	/* ours, offering no ALPN at all */
	CLIENT_OURS_H2,		/* ours, offering ALPN "h2" only */
	CLIENT_OURS_TICKETS,	/* ours, keeping any session ticket */
	CLIENT_OURS_NO_CERT,	/* ours, without a certificate */
	CLIENT_GTLS_NO_CERT,	/* gtlsclient without a certificate */
	CLIENT_GTLS_CERT,	/* gtlsclient with the side's certificate */
};

enum script { SCRIPT_PING, SCRIPT_BULK };

struct pair {
	struct side server, client;
	enum client_kind client_kind;
	enum script script;
};

struct report {
	int hs;
	int io;
	char err[TLSTUND_QUIC_ERR_LEN];
	char identity[TLSTUND_TRUST_IDENTITY_MAX];
	bool has_node_id;
	uint8_t exp_a[EXPORT_LEN], exp_b[EXPORT_LEN];
	bool bulk_ok;
	bool got_ticket;	/* CLIENT_OURS_TICKETS */
	int gtls_status;	/* gtlsclient's exit status */
	bool gtls_retry;	/* gtlsclient took our listener's Retry */
};

/* The test hook of quic.c: what our client offers as ALPN. */
extern const char *tlstund_quic_test_alpn;
extern bool tlstund_quic_test_keep_tickets;
extern bool tlstund_quic_test_no_cert;
bool tlstund_quic_conn_got_ticket(struct tlstund_conn *c);

/*
 * Waiting and driving, shared by parent and child: no cmocka here.
 */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Until @c's descriptor is ready or its deadline comes; -ETIMEDOUT after
 * WAIT_MS of neither.
 */
static int wait_conn(struct tlstund_conn *c, uint64_t start)
{
	struct pollfd p = { .fd = ops->fd(c), .events = ops->events(c) };
	uint64_t now = mono_ms(), dl = ops->deadline(c);
	int timeout = 1000, n;

	if (now - start > WAIT_MS)
		return -ETIMEDOUT;
	if (dl)
		timeout = dl <= now ? 0 : (int)(dl - now);
	if (timeout > 1000)
		timeout = 1000;
	do {
		n = poll(&p, 1, timeout);
	} while (n < 0 && errno == EINTR);
	return 0;
}

static int drive(struct tlstund_conn *c)
{
	uint64_t start = mono_ms();
	int r;

	while ((r = ops->progress(c)) == -EAGAIN)
		if (wait_conn(c, start))
			return -ETIMEDOUT;
	return r;
}

static int transfer(struct tlstund_conn *c, uint8_t *p, size_t len, bool out)
{
	uint64_t start = mono_ms();
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = out ? ops->write(c, p + done, len - done) :
			  ops->read(c, p + done, len - done);
		if (n == -EAGAIN) {
			if (out)
				/* Acks come in through read's driving. */
				ops->progress(c);
			if (wait_conn(c, start))
				return -ETIMEDOUT;
			continue;
		}
		if (n <= 0)
			return n ? (int)n : -EPIPE;
		done += n;
		start = mono_ms();
	}
	return 0;
}

static int expect(struct tlstund_conn *c, const char *msg)
{
	char buf[MSG_LEN];
	int ret = transfer(c, (uint8_t *)buf, sizeof(buf), false);

	return ret ? ret : memcmp(buf, msg, sizeof(buf)) ? -EBADMSG : 0;
}

/* 0 once the peer closed in order, -EBADMSG if data comes. */
static int read_eof(struct tlstund_conn *c)
{
	uint64_t start = mono_ms();
	uint8_t b;
	ssize_t n;

	for (;;) {
		n = ops->read(c, &b, 1);
		if (n == -EAGAIN) {
			if (wait_conn(c, start))
				return -ETIMEDOUT;
			continue;
		}
		return n > 0 ? -EBADMSG : (int)n;
	}
}

static int exports(struct tlstund_conn *c, struct report *r)
{
	int ret;

	ret = ops->export(c, TLSTUND_EXPORTER_LABEL, ctx_a, sizeof(ctx_a),
			  r->exp_a, sizeof(r->exp_a));
	if (!ret)
		ret = ops->export(c, TLSTUND_EXPORTER_LABEL, ctx_b,
				  sizeof(ctx_b), r->exp_b, sizeof(r->exp_b));
	return ret;
}

static uint8_t pattern(size_t i)
{
	uint32_t x = (uint32_t)i * 2654435761u;

	x ^= x >> 15;
	return x;
}

static int run_script(struct tlstund_conn *c, enum script s, bool server,
		      struct report *r)
{
	uint8_t *buf;
	size_t i;
	int ret = exports(c, r);

	if (ret)
		return ret;
	if (s == SCRIPT_PING) {
		if (server) {
			ret = expect(c, ping);
			if (!ret)
				ret = transfer(c, (uint8_t *)pong, MSG_LEN,
					       true);
			return ret ? ret : read_eof(c);
		}
		ret = transfer(c, (uint8_t *)ping, MSG_LEN, true);
		return ret ? ret : expect(c, pong);
	}
	/* Bulk: the client sends a mebibyte, far past both windows and
	 * the transport's buffers, and the server checks every byte.
	 */
	buf = malloc(BULK_LEN);
	if (!buf)
		return -ENOMEM;
	if (server) {
		ret = transfer(c, buf, BULK_LEN, false);
		r->bulk_ok = !ret;
		for (i = 0; !ret && i < BULK_LEN; i++)
			if (buf[i] != pattern(i))
				r->bulk_ok = false;
		if (!ret)
			ret = transfer(c, (uint8_t *)pong, MSG_LEN, true);
		if (!ret)
			ret = read_eof(c);
	} else {
		for (i = 0; i < BULK_LEN; i++)
			buf[i] = pattern(i);
		ret = transfer(c, buf, BULK_LEN, true);
		if (!ret)
			ret = expect(c, pong);
	}
	free(buf);
	return ret;
}

static void report_err(struct report *r, struct tlstund_conn *c, int ret)
{
	const char *e = c ? ops->error(c) : "";

	snprintf(r->err, sizeof(r->err), "%s", e[0] ? e : strerror(-ret));
}

static bool run_conn(struct tlstund_conn *c, enum script s, bool server,
		     struct report *r)
{
	const struct tlstund_trust_result *res;

	r->hs = drive(c);
	if (r->hs) {
		report_err(r, c, r->hs);
		return false;
	}
	res = ops->peer(c);
	if (res) {
		snprintf(r->identity, sizeof(r->identity), "%s",
			 res->identity);
		r->has_node_id = res->has_node_id;
	}
	r->io = run_script(c, s, server, r);
	if (r->io)
		report_err(r, c, r->io);
	return !r->io;
}

static void client_ours(void *ctx, uint16_t port, enum script s,
			struct report *r)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct tlstund_conn *c;

	c = ops->dial(ctx, (struct sockaddr *)&sin, sizeof(sin), r->err,
		      sizeof(r->err));
	if (!c) {
		r->hs = -errno;
		return;
	}
	run_conn(c, s, false, r);
	r->got_ticket = tlstund_quic_conn_got_ticket(c);
	ops->close(c);
}

/* gtlsclient against the listener; its exit status into @r. */
static void client_gtls(enum client_kind kind, const struct side *side,
			const char *tmp, uint16_t port, struct report *r)
{
	char portstr[8], key[256], cert[256], log[300], line[512];
	const char *argv[16];
	int n = 0, status, fd;
	FILE *f;
	pid_t pid;

	snprintf(portstr, sizeof(portstr), "%u", port);
	snprintf(key, sizeof(key), "--key=" TC_DIR "%s.key.pem", side->cert);
	snprintf(cert, sizeof(cert), "--cert=" TC_DIR "%s.pem", side->cert);
	snprintf(log, sizeof(log), "%s/gtls.log", tmp);
	argv[n++] = GTLSCLIENT;
	argv[n++] = "--exit-on-all-streams-close";
	argv[n++] = "--timeout=5s";
	if (kind != CLIENT_GTLS_NO_CERT) {
		argv[n++] = key;
		argv[n++] = cert;
	}
	argv[n++] = "127.0.0.1";
	argv[n++] = portstr;
	argv[n] = NULL;
	pid = fork();
	if (!pid) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(GTLSCLIENT, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	r->gtls_status = status;
	/* ngtcp2's own trace of the packets it took. */
	f = fopen(log, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, " pkt rx ") && strstr(line, "type=Retry"))
			r->gtls_retry = true;
	if (f)
		fclose(f);
}

/*
 * Parent side, with cmocka.
 */

/* The server's side of one connection: accept until one comes, or the
 * child finished (@rep readable) without one.
 */
static struct tlstund_conn *serve_one(struct tlstund_listener *l, int rep,
				      enum script s, struct report *r)
{
	uint64_t start = mono_ms();
	struct tlstund_conn *c;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = ops->listener_fd(l), .events = POLLIN },
			{ .fd = rep, .events = POLLIN },
		};

		c = ops->accept(l, r->err, sizeof(r->err));
		if (c)
			break;
		if (errno != EAGAIN) {
			r->hs = -errno;
			return NULL;
		}
		if (mono_ms() - start > WAIT_MS) {
			r->hs = -ETIMEDOUT;
			return NULL;
		}
		poll(p, 2, 1000);
		if (p[1].revents) {
			r->hs = -ENOTCONN;
			snprintf(r->err, sizeof(r->err), "no connection came");
			return NULL;
		}
	}
	if (!run_conn(c, s, true, r))
		return c;
	ops->close(c);
	return NULL;
}

static void read_report(int fd, struct report *r)
{
	tp_read_all(fd, r, sizeof(*r));
}

static void write_report(int fd, const struct report *r)
{
	tp_write_all(fd, r, sizeof(*r));
}

/* One connection of @p on @l (a fresh listener when NULL). */
static void run_pair_on(struct tlstund_listener *l, uint16_t port,
			const struct pair *p, struct report *srv,
			struct report *cli)
{
	struct tlstund_listener *own = NULL;
	struct tlstund_conn *keep;
	char *tmp = tc_tmpdir();
	void *sctx, *cctx = NULL;
	int rep[2], status;
	pid_t pid;

	memset(srv, 0, sizeof(*srv));
	memset(cli, 0, sizeof(*cli));
	if (!l) {
		sctx = tp_ctx_make(ops, &p->server, tmp, "server");
		l = own = tp_listen_any(ops, sctx, &port);
		ops->ctx_free(sctx);	/* the listener holds its own */
	}
	if (p->client_kind < CLIENT_GTLS_NO_CERT)
		cctx = tp_ctx_make(ops, &p->client, tmp, "client");
	assert_int_equal(pipe2(rep, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct report r;

		memset(&r, 0, sizeof(r));
		close(rep[0]);
		tlstund_quic_test_alpn =
			p->client_kind == CLIENT_OURS_NO_ALPN ? "" :
			p->client_kind == CLIENT_OURS_H2 ? "h2" : NULL;
		tlstund_quic_test_keep_tickets =
			p->client_kind == CLIENT_OURS_TICKETS;
		tlstund_quic_test_no_cert =
			p->client_kind == CLIENT_OURS_NO_CERT;
		if (cctx)
			client_ours(cctx, port, p->script, &r);
		else
			client_gtls(p->client_kind, &p->client, tmp, port,
				    &r);
		write_report(rep[1], &r);
		_exit(0);
	}
	close(rep[1]);
	if (cctx)
		ops->ctx_free(cctx);
	keep = serve_one(l, rep[0], p->script, srv);
	read_report(rep[0], cli);
	ops->close(keep);
	close(rep[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	if (own)
		ops->listener_close(own);
	tc_rmtree(tmp);
}

static void run_pair(const struct pair *p, struct report *srv,
		     struct report *cli)
{
	run_pair_on(NULL, 0, p, srv, cli);
}

static void assert_session(const struct report *srv, const struct report *cli)
{
	if (srv->hs || srv->io || cli->hs || cli->io)
		fail_msg("server %d/%d \"%s\"; client %d/%d \"%s\"", srv->hs,
			 srv->io, srv->err, cli->hs, cli->io, cli->err);
	assert_memory_equal(srv->exp_a, cli->exp_a, EXPORT_LEN);
	assert_memory_equal(srv->exp_b, cli->exp_b, EXPORT_LEN);
	assert_memory_not_equal(srv->exp_a, srv->exp_b, EXPORT_LEN);
}

/* A handshake that failed with @ret, saying why. */
static void assert_hs(const struct report *r, int ret)
{
	if (r->hs != ret)
		fail_msg("handshake %d, not %d: \"%s\"", r->hs, ret, r->err);
}

#define CA_SERVER	{ .cert = "leaf_b", .kind = TLSTUND_TRUST_CA, \
			  .expect = TC_NODE_A }
#define CA_CLIENT	{ .cert = "leaf_a", .chain = { "inter" }, \
			  .kind = TLSTUND_TRUST_CA, .expect = TC_NODE_B }
#define PIN_SERVER	{ .cert = "leaf_b", .kind = TLSTUND_TRUST_PIN, \
			  .expect = "self_a" }
#define PIN_CLIENT	{ .cert = "self_a", .kind = TLSTUND_TRUST_PIN, \
			  .expect = "leaf_b" }

/*
 * Trust policies: the same verdicts as over TCP.
 */

static void test_ca(void **state)
{
	struct pair p = { .server = CA_SERVER, .client = CA_CLIENT };
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);
	assert_string_equal(srv.identity, "node:" TC_NODE_A);
	assert_string_equal(cli.identity, "node:" TC_NODE_B);
	assert_true(srv.has_node_id && cli.has_node_id);
}

static void test_pin(void **state)
{
	struct pair p = { .server = PIN_SERVER, .client = PIN_CLIENT };
	char want_s[64], want_c[64];
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);
	pin_identity("self_a", want_s, sizeof(want_s));
	pin_identity("leaf_b", want_c, sizeof(want_c));
	assert_string_equal(srv.identity, want_s);
	assert_string_equal(cli.identity, want_c);
}

static void test_tofu(void **state)
{
	char *sdir = tc_tmpdir(), *cdir = tc_tmpdir();
	struct pair p = {
		.server = { .cert = "leaf_b", .kind = TLSTUND_TRUST_TOFU,
			    .tofu_dir = sdir, .peer_name = "client" },
		.client = { .cert = "self_a", .kind = TLSTUND_TRUST_TOFU,
			    .tofu_dir = cdir, .peer_name = "server" },
	};
	struct report srv, cli;
	char path[512];
	struct stat st;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);
	snprintf(path, sizeof(path), "%s/client.pin", sdir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/server.pin", cdir);
	assert_int_equal(stat(path, &st), 0);

	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);

	p.client.cert = "self_expired";
	run_pair(&p, &srv, &cli);
	assert_int_equal(srv.hs, -EACCES);
	assert_contains(srv.err, "certificate rejected: peer key differs from the key recorded at first contact");
	tc_rmtree(sdir);
	tc_rmtree(cdir);
}

/* The bad-certificate table, over QUIC: the server names the reason in
 * the words tls.c uses, the client learns of it from the alert.
 */
struct refusal_row {
	const char *name;
	struct pair pair;
	const char *why;
};

static const struct refusal_row refusal_rows[] = {
	{ "reject client naming another node",
	  { .server = { .cert = "leaf_b", .kind = TLSTUND_TRUST_CA,
			.expect = TC_NODE_B },
	    .client = CA_CLIENT },
	  "certificate names a different node (certificate names "
	  TC_NODE_A ", expected " TC_NODE_B ")" },
	{ "reject expired client certificate",
	  { .server = CA_SERVER,
	    .client = { .cert = "leaf_expired", .kind = TLSTUND_TRUST_CA,
			.expect = TC_NODE_B } },
	  "certificate has expired (" },
	{ "reject client key that is not the pin",
	  { .server = { .cert = "leaf_b", .kind = TLSTUND_TRUST_PIN,
			.expect = "leaf_a" },
	    .client = PIN_CLIENT },
	  "peer key does not match the configured pin" },
	{ "reject client under another CA",
	  { .server = CA_SERVER,
	    .client = { .cert = "leaf_wrong_ca", .kind = TLSTUND_TRUST_CA,
			.expect = TC_NODE_B } },
	  "certificate chain does not verify to a trusted CA" },
};

static void test_refusal(void **state)
{
	const struct refusal_row *row = *state;
	struct report srv, cli;

	run_pair(&row->pair, &srv, &cli);
	assert_int_equal(srv.hs, -EACCES);
	assert_contains(srv.err, "peer 127.0.0.1:");
	assert_contains(srv.err, ": certificate rejected: ");
	assert_contains(srv.err, row->why);
	assert_true(cli.hs != 0 || cli.io != 0);
	assert_contains(cli.err, "TLS alert");
}

/* The client refuses a server whose certificate it does not trust. */
static void test_reject_server(void **state)
{
	struct pair p = {
		.server = { .cert = "leaf_a", .kind = TLSTUND_TRUST_PIN,
			    .expect = "self_a" },
		.client = PIN_CLIENT,
	};
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_int_equal(cli.hs, -EACCES);
	assert_contains(cli.err, "certificate rejected: peer key does not match the configured pin");
	assert_true(srv.hs != 0);
	assert_contains(srv.err, "TLS alert");
}

/* A client offering no ALPN, and one offering only "h2", with a key the
 * server pins: both refused by our own check, which ngtcp2 leaves to us.
 */
static void test_alpn(void **state)
{
	struct pair p = { .server = PIN_SERVER, .client = PIN_CLIENT,
			  .client_kind = CLIENT_OURS_NO_ALPN };
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_hs(&srv, -EPROTO);
	assert_contains(srv.err, "client did not offer ALPN \"tlstun/1\"");
	assert_true(cli.hs != 0 || cli.io != 0);

	p.client_kind = CLIENT_OURS_H2;
	run_pair(&p, &srv, &cli);
	assert_hs(&srv, -EPROTO);
	assert_contains(srv.err, "client did not offer ALPN \"tlstun/1\"");
	assert_true(cli.hs != 0 || cli.io != 0);
}

/* A client without a certificate: the verdict names it, as over TCP. */
static void test_no_client_cert(void **state)
{
	struct pair p = { .server = PIN_SERVER, .client = PIN_CLIENT,
			  .client_kind = CLIENT_OURS_NO_CERT };
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_hs(&srv, -EACCES);
	assert_contains(srv.err, "certificate rejected: peer sent no certificate");
	assert_true(cli.hs != 0 || cli.io != 0);
}

/*
 * Interop: Debian's ngtcp2 client (its own ngtcp2 and GnuTLS build, HTTP/3
 * only) runs the QUIC layer against our listener: it takes the Retry,
 * comes back with the token, gets the server's handshake flight, and then
 * aborts, since we select no "h3" and it insists on it. The listener
 * names what happened and serves our own client right after.
 */
static void test_interop_gtlsclient(void **state)
{
	struct pair p = { .server = PIN_SERVER, .client = PIN_CLIENT };
	struct tlstund_listener *l;
	char *tmp = tc_tmpdir();
	struct report srv, cli;
	uint16_t port;
	void *sctx;

	(void)state;
	if (access(GTLSCLIENT, X_OK))
		fail_msg(GTLSCLIENT " is missing: make deps installs ngtcp2-client");
	sctx = tp_ctx_make(ops, &p.server, tmp, "server");
	l = tp_listen_any(ops, sctx, &port);
	ops->ctx_free(sctx);

	p.client_kind = CLIENT_GTLS_NO_CERT;
	run_pair_on(l, port, &p, &srv, &cli);
	assert_hs(&srv, -EPROTO);
	assert_contains(srv.err, "QUIC handshake failed: the peer sent TLS alert");
	assert_true(cli.gtls_retry);

	p.client_kind = CLIENT_GTLS_CERT;
	p.client.cert = "leaf_a";
	run_pair_on(l, port, &p, &srv, &cli);
	assert_hs(&srv, -EPROTO);
	assert_true(cli.gtls_retry);

	p.client_kind = CLIENT_OURS;
	p.client.cert = "self_a";
	run_pair_on(l, port, &p, &srv, &cli);
	assert_session(&srv, &cli);
	ops->listener_close(l);
	tc_rmtree(tmp);
}

/* The server issues no session ticket, even to a client that would keep
 * one, so there is never anything to resume with.
 */
static void test_no_resumption(void **state)
{
	struct pair p = { .server = PIN_SERVER, .client = PIN_CLIENT,
			  .client_kind = CLIENT_OURS_TICKETS };
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);
	assert_false(cli.got_ticket);
}

/* A mebibyte through the control stream: flow control, retransmission
 * buffers and partial writes all work.
 */
static void test_bulk(void **state)
{
	struct pair p = { .server = PIN_SERVER, .client = PIN_CLIENT,
			  .script = SCRIPT_BULK };
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);
	assert_true(srv.bulk_ok);
}

/* The exporter has nothing to give before the handshake completed. */
static void test_export_needs_handshake(void **state)
{
	struct side s = PIN_CLIENT;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(9),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char *tmp = tc_tmpdir(), err[TLSTUND_ERR_LEN];
	uint8_t out[EXPORT_LEN];
	struct tlstund_conn *c;
	void *ctx;

	(void)state;
	ctx = tp_ctx_make(ops, &s, tmp, "client");
	c = ops->dial(ctx, (struct sockaddr *)&sin, sizeof(sin), err,
		      sizeof(err));
	assert_non_null(c);
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(ops->export(c, TLSTUND_EXPORTER_LABEL, ctx_a,
				     sizeof(ctx_a), out, sizeof(out)),
			 -ENOTCONN);
	assert_int_equal(out[0], 0);
	assert_int_equal(ops->read(c, out, sizeof(out)), -ENOTCONN);
	assert_int_equal(ops->write(c, out, sizeof(out)), -ENOTCONN);
	assert_null(ops->peer(c));
	ops->close(c);
	ops->ctx_free(ctx);
	tc_rmtree(tmp);
}

/*
 * Datagrams that are no packet of ours are dropped and counted, and leave
 * the listener serving: a runt, a long header cut short, a short header
 * for no connection, and an Initial with a forged Retry token.
 */
static void test_listener_drops(void **state)
{
	struct pair p = { .server = PIN_SERVER, .client = PIN_CLIENT };
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t initial[1200] = { 0xc0, 0, 0, 0, 1, 8 };
	uint8_t runt[3] = { 0xc0, 0, 0 }, shorthdr[64] = { 0x40 };
	struct tlstund_listener *l;
	struct tlstund_conn *c;
	char *tmp = tc_tmpdir(), err[TLSTUND_ERR_LEN];
	struct report srv, cli;
	uint16_t port;
	size_t off, rest;
	void *sctx;
	int fd, i;

	(void)state;
	sctx = tp_ctx_make(ops, &p.server, tmp, "server");
	l = tp_listen_any(ops, sctx, &port);
	ops->ctx_free(sctx);
	to.sin_port = htons(port);
	/* An Initial: 8-byte DCID, 8-byte SCID, a 20-byte token that is no
	 * Retry token of this listener, then a length covering the rest.
	 */
	off = 6;
	memset(initial + off, 0x11, 8);
	off += 8;
	initial[off++] = 8;
	memset(initial + off, 0x22, 8);
	off += 8;
	initial[off++] = 20;
	initial[off] = NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY;
	memset(initial + off + 1, 0x33, 19);
	off += 20;
	/* A 2-byte varint length: the packet runs to the datagram's end. */
	rest = sizeof(initial) - off - 2;
	initial[off++] = 0x40 | (rest >> 8);
	initial[off++] = rest & 0xff;
	memset(shorthdr + 1, 0x44, sizeof(shorthdr) - 1);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(sendto(fd, runt, sizeof(runt), 0,
				(struct sockaddr *)&to, sizeof(to)),
			 sizeof(runt));
	assert_int_equal(sendto(fd, shorthdr, sizeof(shorthdr), 0,
				(struct sockaddr *)&to, sizeof(to)),
			 sizeof(shorthdr));
	assert_int_equal(sendto(fd, initial, sizeof(initial), 0,
				(struct sockaddr *)&to, sizeof(to)),
			 sizeof(initial));
	for (i = 0; i < 100 && quic_listener_dropped(l) < 3; i++) {
		struct pollfd pf = { .fd = ops->listener_fd(l),
				     .events = POLLIN };

		poll(&pf, 1, 100);
		c = ops->accept(l, err, sizeof(err));
		assert_null(c);
		assert_int_equal(errno, EAGAIN);
	}
	assert_int_equal(quic_listener_dropped(l), 3);
	close(fd);

	run_pair_on(l, port, &p, &srv, &cli);
	assert_session(&srv, &cli);
	assert_int_equal(quic_listener_dropped(l), 3);
	ops->listener_close(l);
	tc_rmtree(tmp);
}

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_ca),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_tofu),
		cmocka_unit_test(test_reject_server),
		cmocka_unit_test(test_alpn),
		cmocka_unit_test(test_no_client_cert),
		cmocka_unit_test(test_interop_gtlsclient),
		cmocka_unit_test(test_no_resumption),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_export_needs_handshake),
		cmocka_unit_test(test_listener_drops),
	};
	struct CMUnitTest tests[ARRAY_SIZE(fixed) + ARRAY_SIZE(refusal_rows)];
	size_t i, n = ARRAY_SIZE(fixed);

	memcpy(tests, fixed, sizeof(fixed));
	for (i = 0; i < ARRAY_SIZE(refusal_rows); i++, n++) {
		tests[n] = (struct CMUnitTest)
			cmocka_unit_test_prestate(test_refusal,
						  (void *)&refusal_rows[i]);
		tests[n].name = refusal_rows[i].name;
	}
	signal(SIGPIPE, SIG_IGN);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return _cmocka_run_group_tests("quic", tests, n, NULL, NULL);
}
