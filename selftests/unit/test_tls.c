// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the TLS 1.3 transport (tlshd/tls.c) over real TCP loopback
 * sockets on ephemeral ports.
 *
 * Most cases are two processes: the parent runs the server with the
 * transport's ops and its own poll loop, a forked child runs the client
 * (the ops again, or raw OpenSSL where the client must misbehave) with
 * its own. The child never calls cmocka: it writes a struct report down a
 * pipe and the parent asserts on both sides' reports. Every wait is a
 * poll() for an event, bounded by WAIT_MS only so that a bug fails the
 * test instead of hanging it.
 *
 *          parent (server)                       child (client)
 *   listen [::]:0 -> port ---------------- fork --> dial 127.0.0.1:port
 *   accept, progress() ...  <== TLS 1.3 ==>  progress() ...
 *   export(ctx A), export(ctx B)             export(ctx A), export(ctx B)
 *   read "ping"  <-------------------------  write "ping"
 *   write "pong" ------------------------->  read "pong"
 *   read -> 0    <------ close_notify -----  close()
 *   assert on both reports  <--- report ---  write(report pipe)
 *
 * The server's conn stays open until the child's report has arrived, so a
 * rejected client reads the server's alert and not a reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls.h"
#include "keysched.h"
#include "certs/testcerts.h"
#include "transport_pair.h"

#define WAIT_MS		10000	/* guard against a hang, never a pacing delay */
#define EXPORT_LEN	TLSTUND_ROOT_LEN
#define MSG_LEN		16
#define BULK_LEN	(4u << 20)
#define BULK_SNDBUF	65536
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char ping[MSG_LEN] = "ping from client";
static const char pong[MSG_LEN] = "pong from server";
/* be32(ctrl version 1) || be32(VNI 42), and another VNI. */
static const uint8_t ctx_a[TLSTUND_EXPORTER_CONTEXT_LEN] = { 0, 0, 0, 1,
							     0, 0, 0, 42 };
static const uint8_t ctx_b[TLSTUND_EXPORTER_CONTEXT_LEN] = { 0, 0, 0, 1,
							     0, 0, 0, 43 };

static const struct tlstund_transport_ops *ops = &tlstund_tls_ops;

enum client_kind {
	CLIENT_OURS,		/* tlstund_tls_ops */
	CLIENT_RAW_NO_ALPN,	/* OpenSSL, no ALPN extension */
	CLIENT_RAW_OTHER_ALPN,	/* OpenSSL, ALPN "h2" */
	CLIENT_RAW_TLS12,	/* OpenSSL, TLS 1.2 at most */
	CLIENT_RAW_NO_CERT,	/* OpenSSL, no client certificate */
	CLIENT_RAW_TICKETS,	/* OpenSSL, keeps any ticket, tries to resume */
};

enum server_kind {
	SERVER_OURS,
	SERVER_RAW_NO_ALPN,	/* OpenSSL server that ignores ALPN */
};

enum script {
	SCRIPT_PING,		/* the exchange drawn above */
	SCRIPT_BULK,		/* 4 MiB each way, see bulk_server() */
};

struct pair {
	struct side server, client;
	enum server_kind server_kind;
	enum client_kind client_kind;
	enum script script;
};

/* What one side saw; the child's crosses the report pipe. */
struct report {
	int hs;			/* handshake: 0 or -errno */
	int io;			/* the script after it: 0 or -errno */
	char err[TLSTUND_TLS_ERR_LEN];
	char identity[TLSTUND_TRUST_IDENTITY_MAX];
	bool has_node_id;
	uint8_t exp_a[EXPORT_LEN], exp_b[EXPORT_LEN];
	bool ktls_tx, ktls_rx;	/* the transport's answer */
	bool bio_tx, bio_rx;	/* OpenSSL's, on the same BIOs */
	/* raw client with tickets */
	int tickets;
	bool has_ticket, resumable, reused;
	/* bulk */
	unsigned int eagains, short_writes, short_reads;
	bool bulk_ok;
};

/*
 * Waiting and driving, shared by parent and child: no cmocka here.
 */

static int wait_for(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, WAIT_MS);
	} while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -ETIMEDOUT;
}

static int drive(struct tlstund_conn *c)
{
	int r;

	while ((r = ops->progress(c)) == -EAGAIN)
		if (wait_for(ops->fd(c), ops->events(c)))
			return -ETIMEDOUT;
	return r;
}

/* How a transfer went, and how to vary it. */
struct xfer {
	unsigned int eagains;
	unsigned int short_ops;		/* calls that moved less than asked */
	const uint8_t *moved;		/* write: a copy to retry from */
	int go;				/* written to at the first -EAGAIN */
};

/*
 * Moves all @len bytes through @c, polling whenever it asks to. With
 * @x->moved, every other retry after -EAGAIN offers the same bytes from
 * that copy instead.
 */
static int transfer(struct tlstund_conn *c, uint8_t *p, size_t len, bool out,
		    struct xfer *x)
{
	const uint8_t *src;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		src = x && x->moved && x->eagains % 2 ? x->moved : p;
		n = out ? ops->write(c, src + done, len - done) :
			  ops->read(c, p + done, len - done);
		if (n == -EAGAIN) {
			if (x) {
				x->eagains++;
				if (x->go >= 0 && write(x->go, "g", 1) == 1)
					x->go = -1;
			}
			if (wait_for(ops->fd(c), ops->events(c)))
				return -ETIMEDOUT;
			continue;
		}
		if (n <= 0)
			return n ? (int)n : -EPIPE;
		if (x && (size_t)n < len - done)
			x->short_ops++;
		done += n;
	}
	return 0;
}

static int write_all(struct tlstund_conn *c, const void *buf, size_t len)
{
	return transfer(c, (uint8_t *)buf, len, true, NULL);
}

static int read_exact(struct tlstund_conn *c, void *buf, size_t len)
{
	return transfer(c, buf, len, false, NULL);
}

/* 0 once the peer's close_notify arrives, -EBADMSG if data comes. */
static int read_eof(struct tlstund_conn *c)
{
	uint8_t b;
	ssize_t n;

	for (;;) {
		n = ops->read(c, &b, 1);
		if (n == -EAGAIN) {
			if (wait_for(ops->fd(c), ops->events(c)))
				return -ETIMEDOUT;
			continue;
		}
		return n > 0 ? -EBADMSG : (int)n;
	}
}

static struct tlstund_conn *accept_one(struct tlstund_listener *l, char *err,
				       size_t errlen)
{
	struct tlstund_conn *c;

	for (;;) {
		c = ops->accept(l, err, errlen);
		if (c || errno != EAGAIN)
			return c;
		if (wait_for(ops->listener_fd(l), POLLIN)) {
			snprintf(err, errlen, "accept timed out");
			errno = ETIMEDOUT;
			return NULL;
		}
	}
}

static void report_err(struct report *r, struct tlstund_conn *c, int ret)
{
	const char *e = c ? ops->error(c) : "";

	snprintf(r->err, sizeof(r->err), "%s", e[0] ? e : strerror(-ret));
}

/* The OpenSSL error queue as text, for the raw peers. */
static void raw_err(struct report *r)
{
	size_t used = strlen(r->err);
	unsigned long e;

	while ((e = ERR_get_error()) && used + 2 < sizeof(r->err)) {
		if (used)
			r->err[used++] = ';';
		ERR_error_string_n(e, r->err + used, sizeof(r->err) - used);
		used = strlen(r->err);
	}
	ERR_clear_error();
}

static void established(struct tlstund_conn *c, struct report *r)
{
	const struct tlstund_trust_result *res = ops->peer(c);
	SSL *ssl = tlstund_tls_conn_ssl(c);

	if (res) {
		snprintf(r->identity, sizeof(r->identity), "%s",
			 res->identity);
		r->has_node_id = res->has_node_id;
	}
	r->ktls_tx = ops->ktls_tx(c);
	r->ktls_rx = ops->ktls_rx(c);
	r->bio_tx = BIO_get_ktls_send(SSL_get_wbio(ssl));
	r->bio_rx = BIO_get_ktls_recv(SSL_get_rbio(ssl));
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

/*
 * The scripts after the handshake.
 */

/* Reads one MSG_LEN message and checks it is @msg. */
static int expect(struct tlstund_conn *c, const char *msg)
{
	char buf[MSG_LEN];
	int ret = read_exact(c, buf, sizeof(buf));

	return ret ? ret : memcmp(buf, msg, sizeof(buf)) ? -EBADMSG : 0;
}

static int ping_client(struct tlstund_conn *c, struct report *r)
{
	int ret = exports(c, r);

	if (!ret)
		ret = write_all(c, ping, sizeof(ping));
	return ret ? ret : expect(c, pong);
}

static int ping_server(struct tlstund_conn *c, struct report *r)
{
	int ret = exports(c, r);

	if (!ret)
		ret = expect(c, ping);
	if (!ret)
		ret = write_all(c, pong, sizeof(pong));
	return ret ? ret : read_eof(c);
}

static uint8_t pattern(uint32_t seed, size_t i)
{
	uint32_t x = (uint32_t)i * 2654435761u ^ seed;

	x ^= x >> 15;
	x *= 0x2c1b3c6dU;
	x ^= x >> 12;
	return x;
}

static void fill(uint8_t *p, size_t off, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = pattern(seed, off + i);
}

static bool matches(const uint8_t *p, size_t off, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pattern(seed, off + i))
			return false;
	return true;
}

/*
 * Server half of the bulk script: 4 MiB to a client that is not reading
 * yet, into a small send buffer, so the transport must take partial
 * writes and refuse with -EAGAIN. Every other retry after -EAGAIN offers
 * the same bytes from a second buffer: the transport must accept a
 * moving write buffer. Only at the first -EAGAIN is the child told (@go)
 * to start reading. Then 4 MiB come back, asked for all at once, which a
 * TLS record at a time can never fill.
 */
static int bulk_server(struct tlstund_conn *c, int go, struct report *r)
{
	uint8_t *a = malloc(BULK_LEN), *b = malloc(BULK_LEN);
	struct xfer w = { .moved = b, .go = go }, rd = { .go = -1 };
	int sndbuf = BULK_SNDBUF, ret;

	ret = a && b ? exports(c, r) : -ENOMEM;
	if (ret)
		goto out;
	fill(a, 0, BULK_LEN, 1);
	memcpy(b, a, BULK_LEN);
	setsockopt(ops->fd(c), SOL_SOCKET, SO_SNDBUF, &sndbuf,
		   sizeof(sndbuf));
	ret = transfer(c, a, BULK_LEN, true, &w);
	/* Never blocked: let the child go on, the eagains check fails. */
	if (!ret && w.go >= 0 && write(go, "g", 1) != 1)
		ret = -EPIPE;
	if (!ret)
		ret = transfer(c, a, BULK_LEN, false, &rd);
	r->bulk_ok = !ret && matches(a, 0, BULK_LEN, 2);
	if (!ret)
		ret = read_eof(c);
	r->eagains = w.eagains;
	r->short_writes = w.short_ops;
	r->short_reads = rd.short_ops;
out:
	free(a);
	free(b);
	return ret;
}

/* Client half: waits for @go, reads in 1000-byte pieces, smaller than a
 * record, then sends 4 MiB back in odd-sized pieces.
 */
static int bulk_client(struct tlstund_conn *c, int go, struct report *r)
{
	uint8_t *buf = malloc(BULK_LEN), g;
	size_t done, want;
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = exports(c, r);
	if (!ret)
		ret = wait_for(go, POLLIN);
	if (!ret && read(go, &g, 1) != 1)
		ret = -EPIPE;
	r->bulk_ok = true;
	for (done = 0; !ret && done < BULK_LEN;) {
		want = BULK_LEN - done < 1000 ? BULK_LEN - done : 1000;
		ret = read_exact(c, buf, want);
		if (!ret && !matches(buf, done, want, 1))
			r->bulk_ok = false;
		done += want;
	}
	fill(buf, 0, BULK_LEN, 2);
	for (done = 0; !ret && done < BULK_LEN; done += want) {
		want = BULK_LEN - done < 65537 ? BULK_LEN - done : 65537;
		ret = write_all(c, buf + done, want);
	}
	free(buf);
	return ret;
}

/*
 * The sides.
 */

/* Handshake and script on @c; false when either failed. */
static bool run_conn(struct tlstund_conn *c, enum script s, int go,
		     bool server, struct report *r)
{
	r->hs = drive(c);
	if (r->hs) {
		report_err(r, c, r->hs);
		return false;
	}
	established(c, r);
	if (s == SCRIPT_BULK)
		r->io = server ? bulk_server(c, go, r) : bulk_client(c, go, r);
	else
		r->io = server ? ping_server(c, r) : ping_client(c, r);
	if (r->io)
		report_err(r, c, r->io);
	return !r->io;
}

static void client_ours(void *ctx, uint16_t port, enum script s, int go,
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
	run_conn(c, s, go, false, r);
	ops->close(c);
}

/* Returns the conn when something failed: the caller closes it once the
 * child has reported, so the child reads our alert rather than a reset.
 */
static struct tlstund_conn *server_ours(struct tlstund_listener *l,
					enum script s, int go,
					struct report *r)
{
	struct tlstund_conn *c;

	c = accept_one(l, r->err, sizeof(r->err));
	if (!c) {
		r->hs = -errno;
		return NULL;
	}
	if (!run_conn(c, s, go, true, r))
		return c;
	ops->close(c);
	return NULL;
}

static int raw_connect(uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int tickets_seen;

static int count_ticket(SSL *ssl, SSL_SESSION *sess)
{
	(void)ssl;
	(void)sess;
	tickets_seen++;
	return 0;	/* we did not keep a reference */
}

/* One connection of a raw OpenSSL client; returns its session. */
static SSL_SESSION *raw_client_once(SSL_CTX *ctx, uint16_t port,
				    SSL_SESSION *resume, struct report *r)
{
	SSL_SESSION *sess = NULL;
	char buf[MSG_LEN];
	SSL *ssl = NULL;
	int fd;

	fd = raw_connect(port);
	if (fd < 0) {
		r->hs = -errno;
		snprintf(r->err, sizeof(r->err), "connect: %s",
			 strerror(errno));
		return NULL;
	}
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) ||
	    (resume && !SSL_set_session(ssl, resume))) {
		r->hs = -ENOMEM;
		raw_err(r);
		goto out;
	}
	if (SSL_connect(ssl) != 1) {
		r->hs = -EPROTO;
		raw_err(r);
		goto out;
	}
	r->reused = r->reused || SSL_session_reused(ssl);
	if (SSL_write(ssl, ping, sizeof(ping)) != sizeof(ping) ||
	    SSL_read(ssl, buf, sizeof(buf)) != sizeof(buf) ||
	    memcmp(buf, pong, sizeof(buf))) {
		r->io = -EPROTO;
		raw_err(r);
		goto out;
	}
	SSL_shutdown(ssl);
	sess = SSL_get1_session(ssl);
out:
	SSL_free(ssl);
	close(fd);
	return sess;
}

static void raw_client(enum client_kind kind, const struct side *side,
		       uint16_t port, struct report *r)
{
	static const unsigned char tlstun[] = "\x08" TLSTUND_ALPN;
	static const unsigned char h2[] = "\x02h2";
	SSL_SESSION *sess, *again;
	char path[128];
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		r->hs = -ENOMEM;
		return;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (kind != CLIENT_RAW_NO_CERT) {
		snprintf(path, sizeof(path), TC_DIR "%s.pem", side->cert);
		if (SSL_CTX_use_certificate_chain_file(ctx, path) != 1)
			goto setup;
		snprintf(path, sizeof(path), TC_DIR "%s.key.pem", side->cert);
		if (SSL_CTX_use_PrivateKey_file(ctx, path,
						SSL_FILETYPE_PEM) != 1)
			goto setup;
	}
	if (kind == CLIENT_RAW_TLS12 &&
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION))
		goto setup;
	if (kind == CLIENT_RAW_OTHER_ALPN ?
	    SSL_CTX_set_alpn_protos(ctx, h2, sizeof(h2) - 1) :
	    kind != CLIENT_RAW_NO_ALPN &&
	    SSL_CTX_set_alpn_protos(ctx, tlstun, sizeof(tlstun) - 1))
		goto setup;
	if (kind == CLIENT_RAW_TICKETS) {
		/* A client that would keep and offer any ticket it got. */
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
					       SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(ctx, count_ticket);
	}

	sess = raw_client_once(ctx, port, NULL, r);
	if (sess && kind == CLIENT_RAW_TICKETS) {
		r->has_ticket = SSL_SESSION_has_ticket(sess);
		r->resumable = SSL_SESSION_is_resumable(sess);
		again = raw_client_once(ctx, port, sess, r);
		SSL_SESSION_free(again);
	}
	r->tickets = tickets_seen;
	SSL_SESSION_free(sess);
	SSL_CTX_free(ctx);
	return;
setup:
	r->hs = -EINVAL;
	raw_err(r);
	SSL_CTX_free(ctx);
}

static int always_ok(int ok, X509_STORE_CTX *xs)
{
	(void)ok;
	(void)xs;
	return 1;
}

/* A TLS 1.3 server that knows nothing of ALPN, on @lfd. */
static void raw_server(int lfd, struct report *r)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	SSL *ssl = NULL;
	int fd = -1;

	if (!ctx ||
	    SSL_CTX_use_certificate_chain_file(ctx, TC_DIR "leaf_b.pem") != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, TC_DIR "leaf_b.key.pem",
					SSL_FILETYPE_PEM) != 1 ||
	    !SSL_CTX_set_num_tickets(ctx, 0)) {
		r->hs = -EINVAL;
		raw_err(r);
		goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, always_ok);
	if (wait_for(lfd, POLLIN)) {
		r->hs = -ETIMEDOUT;
		goto out;
	}
	fd = accept(lfd, NULL, NULL);
	ssl = SSL_new(ctx);
	if (fd < 0 || !ssl || !SSL_set_fd(ssl, fd)) {
		r->hs = -EIO;
		goto out;
	}
	if (SSL_accept(ssl) != 1) {
		r->hs = -EPROTO;
		raw_err(r);
	}
out:
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
}

/*
 * Parent-side setup, with cmocka.
 */

static int raw_listen(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void read_report(int fd, struct report *r)
{
	tp_read_all(fd, r, sizeof(*r));
}

static void write_report(int fd, const struct report *r)
{
	tp_write_all(fd, r, sizeof(*r));
}

/*
 * Runs one connection (two for CLIENT_RAW_TICKETS) of @p between the
 * parent and a child; fills both sides' reports.
 */
static void run_pair(const struct pair *p, struct report *srv,
		     struct report *cli)
{
	struct tlstund_listener *l = NULL;
	struct tlstund_conn *keep = NULL, *more;
	int rep[2], go[2], status, raw_l = -1, rounds, i;
	void *sctx = NULL, *cctx = NULL;
	char *tmp = tc_tmpdir();
	char err[TLSTUND_ERR_LEN];
	struct report *theirs;
	uint16_t port;
	pid_t pid;

	memset(srv, 0, sizeof(*srv));
	memset(cli, 0, sizeof(*cli));
	if (p->server_kind == SERVER_OURS)
		sctx = tp_ctx_make(ops, &p->server, tmp, "server");
	if (p->client_kind == CLIENT_OURS)
		cctx = tp_ctx_make(ops, &p->client, tmp, "client");
	if (sctx) {
		l = tp_listen_any(ops, sctx, &port);
		/* The listener holds its own reference. */
		ops->ctx_free(sctx);
	} else {
		raw_l = raw_listen(&port);
	}
	assert_int_equal(pipe2(rep, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct report r;

		memset(&r, 0, sizeof(r));
		close(rep[0]);
		close(go[1]);
		if (p->server_kind != SERVER_OURS) {
			raw_server(raw_l, &r);
		} else {
			ops->listener_close(l);
			if (cctx)
				client_ours(cctx, port, p->script, go[0], &r);
			else
				raw_client(p->client_kind, &p->client, port,
					   &r);
		}
		write_report(rep[1], &r);
		_exit(0);
	}
	close(rep[1]);
	close(go[0]);

	if (l) {
		theirs = cli;
		if (cctx)
			ops->ctx_free(cctx);
		rounds = p->client_kind == CLIENT_RAW_TICKETS ? 2 : 1;
		for (i = 0; i < rounds && !keep; i++)
			keep = server_ours(l, p->script, go[1], srv);
	} else {
		theirs = srv;
		close(raw_l);
		client_ours(cctx, port, p->script, -1, cli);
		ops->ctx_free(cctx);
	}
	read_report(rep[0], theirs);
	ops->close(keep);
	if (l) {
		/* Nothing else may be waiting on the listener. */
		more = ops->accept(l, err, sizeof(err));
		assert_null(more);
		assert_int_equal(errno, EAGAIN);
		ops->listener_close(l);
	}
	close(rep[0]);
	close(go[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	tc_rmtree(tmp);
}

/* Both handshakes completed, both scripts ran, both exports agree. */
static void assert_session(const struct report *srv, const struct report *cli)
{
	if (srv->hs || srv->io || cli->hs || cli->io)
		fail_msg("server %d/%d \"%s\"; client %d/%d \"%s\"", srv->hs,
			 srv->io, srv->err, cli->hs, cli->io, cli->err);
	assert_memory_equal(srv->exp_a, cli->exp_a, EXPORT_LEN);
	assert_memory_equal(srv->exp_b, cli->exp_b, EXPORT_LEN);
	assert_memory_not_equal(srv->exp_a, srv->exp_b, EXPORT_LEN);
	/* The transport reports OpenSSL's own kTLS state. */
	assert_int_equal(srv->ktls_tx, srv->bio_tx);
	assert_int_equal(srv->ktls_rx, srv->bio_rx);
	assert_int_equal(cli->ktls_tx, cli->bio_tx);
	assert_int_equal(cli->ktls_rx, cli->bio_rx);
}

/* The one message every client rejected by the server reads. */
static void assert_rejected_by_server(const struct report *cli,
				      const char *alert)
{
	assert_int_equal(cli->hs, 0);	/* TLS 1.3: the client finishes first */
	assert_int_equal(cli->io, -ECONNABORTED);
	assert_prefix(cli->err, "peer 127.0.0.1:");
	assert_contains(cli->err, "peer rejected our certificate");
	assert_contains(cli->err, alert);
}

/* The server refused the client's certificate for @why; the client
 * learnt it from @alert.
 */
static void assert_server_refused(const struct report *srv,
				  const struct report *cli, const char *why,
				  const char *alert)
{
	char want[TLSTUND_TLS_ERR_LEN];

	assert_int_equal(srv->hs, -EACCES);
	assert_prefix(srv->err, "peer 127.0.0.1:");
	snprintf(want, sizeof(want), ": certificate rejected: %s", why);
	assert_contains(srv->err, want);
	assert_rejected_by_server(cli, alert);
}

/* Node B serves, node A (under the intermediate) dials; each expects
 * the other.
 */
#define CA_SERVER	{ .cert = "leaf_b", .kind = TLSTUND_TRUST_CA, \
			  .expect = TC_NODE_A }
#define CA_CLIENT	{ .cert = "leaf_a", .chain = { "inter" }, \
			  .kind = TLSTUND_TRUST_CA, .expect = TC_NODE_B }

static const struct side ca_server = CA_SERVER;
static const struct side ca_client = CA_CLIENT;

/*
 * Trust policies
 */

static void test_ca(void **state)
{
	struct pair p = { .server = ca_server, .client = ca_client };
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
	/* Self-signed both ways; the server's certificate has even expired,
	 * which a pin does not look at.
	 */
	struct pair p = {
		.server = { .cert = "self_expired", .kind = TLSTUND_TRUST_PIN,
			    .expect = "self_a" },
		.client = { .cert = "self_a", .kind = TLSTUND_TRUST_PIN,
			    .expect = "self_expired" },
	};
	char want_s[64], want_c[64];
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);
	pin_identity("self_a", want_s, sizeof(want_s));
	pin_identity("self_expired", want_c, sizeof(want_c));
	assert_string_equal(srv.identity, want_s);
	assert_string_equal(cli.identity, want_c);
	assert_false(srv.has_node_id || cli.has_node_id);
}

static void assert_record(const char *dir, const char *peer, const char *cert)
{
	char path[512], name[128];
	uint8_t *got, *want;
	size_t glen, wlen;

	snprintf(path, sizeof(path), "%s/%s.pin", dir, peer);
	snprintf(name, sizeof(name), "%s.pin", cert);
	got = tc_read_path(path, &glen);
	want = tc_read(name, &wlen);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	free(got);
	free(want);
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
	char want_s[64], want_c[64];
	struct report srv, cli;

	(void)state;
	pin_identity("self_a", want_s, sizeof(want_s));
	pin_identity("leaf_b", want_c, sizeof(want_c));

	/* First contact: both sides record the other's key. */
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);
	assert_string_equal(srv.identity, want_s);
	assert_string_equal(cli.identity, want_c);
	assert_record(sdir, "client", "self_a");
	assert_record(cdir, "server", "leaf_b");

	/* Second contact, same keys: accepted against the records. */
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);
	assert_string_equal(srv.identity, want_s);

	/* Third contact, the client has a new key: refused, record kept. */
	p.client.cert = "self_expired";
	run_pair(&p, &srv, &cli);
	assert_server_refused(&srv, &cli, "peer key differs from the key recorded at first contact (recorded in ",
			      "bad certificate");
	assert_contains(srv.err, "/client.pin)");
	assert_record(sdir, "client", "self_a");

	tc_rmtree(sdir);
	tc_rmtree(cdir);
}

/*
 * The chain reaches the policy as sent, leaf first and once: under pin,
 * where only the leaf counts, seven certificates after it are accepted
 * and eight are one too many.
 */
static void test_chain_length(void **state)
{
	struct pair p = {
		.server = { .cert = "leaf_b", .kind = TLSTUND_TRUST_PIN,
			    .expect = "self_a" },
		.client = { .cert = "self_a", .kind = TLSTUND_TRUST_PIN,
			    .expect = "leaf_b",
			    .chain = { "inter", "root", "other_root",
				       "leaf_a", "leaf_b", "self_expired",
				       "leaf_minimal" } },
	};
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);

	p.client.chain[7] = "leaf_no_san";
	run_pair(&p, &srv, &cli);
	assert_server_refused(&srv, &cli, "peer sent too many certificates (9 certificates, at most 8)",
			      "bad certificate");
}

/*
 * Rejections
 */

/* Our server refuses our client's certificate. */
struct refusal_row {
	const char *name;
	struct pair pair;
	const char *why;	/* after "certificate rejected: " */
	const char *alert;	/* what the client reads */
};

static const struct refusal_row refusal_rows[] = {
	{ "reject client naming another node",
	  { .server = { .cert = "leaf_b", .kind = TLSTUND_TRUST_CA,
			.expect = TC_NODE_B },
	    .client = CA_CLIENT },
	  "certificate names a different node (certificate names "
	  TC_NODE_A ", expected " TC_NODE_B ")", "bad certificate" },
	{ "reject expired client certificate",
	  { .server = CA_SERVER,
	    .client = { .cert = "leaf_expired", .kind = TLSTUND_TRUST_CA,
			.expect = TC_NODE_B } },
	  "certificate has expired (", "certificate expired" },
	{ "reject client key that is not the pin",
	  { .server = { .cert = "leaf_b", .kind = TLSTUND_TRUST_PIN,
			.expect = "leaf_a" },
	    .client = { .cert = "self_a", .kind = TLSTUND_TRUST_PIN,
			.expect = "leaf_b" } },
	  "peer key does not match the configured pin", "bad certificate" },
};

static void test_refusal(void **state)
{
	const struct refusal_row *row = *state;
	struct report srv, cli;

	run_pair(&row->pair, &srv, &cli);
	assert_server_refused(&srv, &cli, row->why, row->alert);
}


static void test_reject_wrong_ca(void **state)
{
	/* This time the client refuses the server. */
	struct pair p = { .server = ca_server, .client = ca_client };
	struct report srv, cli;

	(void)state;
	p.server.cert = "leaf_wrong_ca";
	p.client.expect = TC_NODE_A;
	run_pair(&p, &srv, &cli);
	assert_int_equal(cli.hs, -EACCES);
	assert_prefix(cli.err, "peer 127.0.0.1:");
	assert_contains(cli.err, "certificate rejected: certificate chain does not verify to a trusted CA (");
	assert_int_equal(srv.hs, -ECONNABORTED);
	assert_contains(srv.err, "TLS handshake failed: peer rejected our certificate");
	assert_contains(srv.err, "unknown ca");
}

static const struct side raw_self_a = { .cert = "self_a" };

/* A raw OpenSSL client against our server, which pins self_a. */
struct raw_row {
	const char *name;
	enum client_kind kind;
	int srv_hs;
	const char *srv_err;	/* after "peer 127.0.0.1:<port>: " */
	int cli_hs, cli_io;
	const char *cli_err;	/* part of OpenSSL's error text */
};

static const struct raw_row raw_rows[] = {
	{ "reject client without ALPN", CLIENT_RAW_NO_ALPN, -EPROTO,
	  "TLS handshake failed: client offered no ALPN protocol; \"tlstun/1\" is required",
	  -EPROTO, 0, "no application protocol" },
	{ "reject client with another ALPN", CLIENT_RAW_OTHER_ALPN, -EPROTO,
	  "TLS handshake failed: client did not offer ALPN \"tlstun/1\"",
	  -EPROTO, 0, "no application protocol" },
	{ "reject TLS 1.2-only client", CLIENT_RAW_TLS12, -EPROTO,
	  "TLS handshake failed: peer does not speak TLS 1.3 (",
	  -EPROTO, 0, "protocol version" },
	/* TLS 1.3: the client finishes first and reads the alert after. */
	{ "reject client without certificate", CLIENT_RAW_NO_CERT, -EACCES,
	  "TLS handshake failed: peer sent no certificate (",
	  0, -EPROTO, "certificate required" },
};

static void run_raw_client(enum client_kind kind, struct report *srv,
			   struct report *cli)
{
	struct pair p = {
		.server = { .cert = "leaf_b", .kind = TLSTUND_TRUST_PIN,
			    .expect = "self_a" },
		.client = raw_self_a,
		.client_kind = kind,
	};

	run_pair(&p, srv, cli);
}

static void test_raw_client(void **state)
{
	const struct raw_row *row = *state;
	struct report srv, cli;
	char want[256];

	run_raw_client(row->kind, &srv, &cli);
	assert_int_equal(srv.hs, row->srv_hs);
	assert_prefix(srv.err, "peer 127.0.0.1:");
	snprintf(want, sizeof(want), ": %s", row->srv_err);
	assert_contains(srv.err, want);
	assert_int_equal(cli.hs, row->cli_hs);
	assert_int_equal(cli.io, row->cli_io);
	assert_contains(cli.err, row->cli_err);
}

static void test_reject_server_without_alpn(void **state)
{
	struct pair p = {
		.client = { .cert = "self_a", .kind = TLSTUND_TRUST_PIN,
			    .expect = "leaf_b" },
		.server_kind = SERVER_RAW_NO_ALPN,
	};
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_int_equal(cli.hs, -EPROTO);
	assert_prefix(cli.err, "peer 127.0.0.1:");
	assert_contains(cli.err, "TLS handshake failed: server did not select ALPN \"tlstun/1\"");
}

/*
 * Resumption, the exporter, bulk data
 */

static void test_no_resumption(void **state)
{
	struct report srv, cli;

	(void)state;
	run_raw_client(CLIENT_RAW_TICKETS, &srv, &cli);
	if (srv.hs || srv.io || cli.hs || cli.io)
		fail_msg("server %d/%d \"%s\"; client %d/%d \"%s\"", srv.hs,
			 srv.io, srv.err, cli.hs, cli.io, cli.err);
	/* The client would have kept any ticket: none was sent. */
	assert_int_equal(cli.tickets, 0);
	assert_false(cli.has_ticket);
	assert_false(cli.resumable);
	/* And the second connection, offering the first's session, was
	 * a full handshake.
	 */
	assert_false(cli.reused);
}

static void test_bulk(void **state)
{
	struct pair p = { .server = ca_server, .client = ca_client,
			  .script = SCRIPT_BULK };
	struct report srv, cli;

	(void)state;
	run_pair(&p, &srv, &cli);
	assert_session(&srv, &cli);
	assert_true(cli.bulk_ok);	/* the client got our 4 MiB intact */
	assert_true(srv.bulk_ok);	/* and we got its 4 MiB */
	assert_true(srv.eagains > 0);
	assert_true(srv.short_writes > 0);
	assert_true(srv.short_reads > 0);
}

/*
 * Single-process cases: both ends in this process, one poll loop.
 */

struct local {
	char *tmp;
	struct tlstund_listener *l;
	struct tlstund_conn *srv, *cli;
	uint16_t port;
};

static void local_open(struct local *lp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char err[TLSTUND_ERR_LEN];
	void *sctx, *cctx;

	memset(lp, 0, sizeof(*lp));
	lp->tmp = tc_tmpdir();
	sctx = tp_ctx_make(ops, &ca_server, lp->tmp, "server");
	cctx = tp_ctx_make(ops, &ca_client, lp->tmp, "client");
	lp->l = tp_listen_any(ops, sctx, &lp->port);
	sin.sin_port = htons(lp->port);
	lp->cli = ops->dial(cctx, (struct sockaddr *)&sin, sizeof(sin), err,
			    sizeof(err));
	if (!lp->cli)
		fail_msg("dial: %s", err);
	ops->ctx_free(sctx);
	ops->ctx_free(cctx);
	lp->srv = accept_one(lp->l, err, sizeof(err));
	if (!lp->srv)
		fail_msg("accept: %s", err);
}

static void local_close(struct local *lp)
{
	ops->close(lp->srv);
	ops->close(lp->cli);
	ops->listener_close(lp->l);
	tc_rmtree(lp->tmp);
}

/* The exporter of a conn whose handshake has not finished refuses, and
 * leaves nothing in the output.
 */
static void assert_no_export(struct tlstund_conn *c)
{
	uint8_t out[EXPORT_LEN], zero[EXPORT_LEN] = { 0 };

	memset(out, 0xaa, sizeof(out));
	assert_int_equal(ops->export(c, TLSTUND_EXPORTER_LABEL, ctx_a,
				     sizeof(ctx_a), out, sizeof(out)),
			 -ENOTCONN);
	assert_memory_equal(out, zero, sizeof(out));
	assert_null(ops->peer(c));
}

/* Drives both ends to the end of their handshakes, checking @c at
 * every step before it finished.
 */
static void local_drive(struct local *lp, void (*check)(struct tlstund_conn *))
{
	struct tlstund_conn *c[2] = { lp->srv, lp->cli };
	int ret[2] = { -EAGAIN, -EAGAIN }, i, n, steps = 0;
	struct pollfd p[2];

	for (;;) {
		for (i = 0; i < 2; i++) {
			if (ret[i] != -EAGAIN)
				continue;
			if (check)
				check(c[i]);
			ret[i] = ops->progress(c[i]);
			if (ret[i] && ret[i] != -EAGAIN)
				fail_msg("%s", ops->error(c[i]));
		}
		if (!ret[0] && !ret[1])
			break;
		for (i = 0; i < 2; i++) {
			p[i].fd = ops->fd(c[i]);
			p[i].events = ret[i] ? ops->events(c[i]) : 0;
			p[i].revents = 0;
		}
		n = poll(p, 2, WAIT_MS);
		assert_true(n > 0);
		steps++;
	}
	/* The exporter was asked at every one of these steps. */
	assert_true(steps > 0);
}

static void test_export_needs_handshake(void **state)
{
	uint8_t a[EXPORT_LEN], b[EXPORT_LEN], c[EXPORT_LEN];
	struct local lp;

	(void)state;
	local_open(&lp);
	assert_no_export(lp.cli);
	assert_no_export(lp.srv);
	local_drive(&lp, assert_no_export);

	assert_int_equal(ops->export(lp.srv, TLSTUND_EXPORTER_LABEL, ctx_a,
				     sizeof(ctx_a), a, sizeof(a)), 0);
	assert_int_equal(ops->export(lp.cli, TLSTUND_EXPORTER_LABEL, ctx_a,
				     sizeof(ctx_a), b, sizeof(b)), 0);
	assert_memory_equal(a, b, sizeof(a));
	/* Another label, another output. */
	assert_int_equal(ops->export(lp.cli, "EXPORTER-tlstun-v2", ctx_a,
				     sizeof(ctx_a), c, sizeof(c)), 0);
	assert_memory_not_equal(a, c, sizeof(a));
	/* Bad arguments are refused, and the output wiped. */
	memset(c, 0xaa, sizeof(c));
	assert_int_equal(ops->export(lp.cli, NULL, ctx_a, sizeof(ctx_a), c,
				     sizeof(c)), -EINVAL);
	assert_int_equal(c[0], 0);
	assert_int_equal(ops->export(lp.cli, TLSTUND_EXPORTER_LABEL, NULL, 8,
				     c, sizeof(c)), -EINVAL);
	local_close(&lp);
}

/*
 * Whether a TCP socket may take the kernel's "tls" upper-layer protocol
 * (the kernel loads the module on demand if it can): 0, or -errno.
 */
static int tls_ulp_probe(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int l, c, a, ret;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0 && c >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sin, &len), 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	ret = setsockopt(c, SOL_TCP, TCP_ULP, "tls", 3) ? -errno : 0;
	close(a);
	close(c);
	close(l);
	return ret;
}

static void assert_ktls(struct tlstund_conn *c, int probe)
{
	SSL *ssl = tlstund_tls_conn_ssl(c);
	char ulp[16] = "";
	socklen_t len = sizeof(ulp);

	/* Exactly what OpenSSL did with the socket. */
	assert_int_equal(ops->ktls_tx(c), BIO_get_ktls_send(SSL_get_wbio(ssl)));
	assert_int_equal(ops->ktls_rx(c), BIO_get_ktls_recv(SSL_get_rbio(ssl)));
	/* And what the kernel says of it. */
	assert_int_equal(getsockopt(ops->fd(c), SOL_TCP, TCP_ULP, ulp, &len),
			 0);
	assert_int_equal(!strcmp(ulp, "tls"),
			 ops->ktls_tx(c) || ops->ktls_rx(c));
	if (probe)
		/* Without the module OpenSSL must have fallen back. */
		assert_false(ops->ktls_tx(c) || ops->ktls_rx(c));
	else
		/* With it, OpenSSL 3.0 hands the kernel TLS 1.3 transmit. */
		assert_true(ops->ktls_tx(c));
}

static void test_ktls(void **state)
{
	int probe = tls_ulp_probe();
	struct sockaddr_in local;
	const struct sockaddr_in *peer;
	socklen_t len = sizeof(local), plen = 0;
	char buf[MSG_LEN];
	struct local lp;

	(void)state;
	local_open(&lp);
	local_drive(&lp, NULL);
	printf("# kTLS: kernel \"tls\" ULP %s%s; tx %s/%s, rx %s/%s (server/client)\n",
	       probe ? "unavailable: " : "available", probe ?
	       strerror(-probe) : "",
	       ops->ktls_tx(lp.srv) ? "kernel" : "openssl",
	       ops->ktls_tx(lp.cli) ? "kernel" : "openssl",
	       ops->ktls_rx(lp.srv) ? "kernel" : "openssl",
	       ops->ktls_rx(lp.cli) ? "kernel" : "openssl");
	assert_ktls(lp.srv, probe);
	assert_ktls(lp.cli, probe);

	/* Data flows either way, whoever does the records. */
	assert_int_equal(write_all(lp.cli, ping, sizeof(ping)), 0);
	assert_int_equal(read_exact(lp.srv, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, ping, sizeof(buf));
	assert_int_equal(write_all(lp.srv, pong, sizeof(pong)), 0);
	assert_int_equal(read_exact(lp.cli, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, pong, sizeof(buf));

	/* An IPv4 peer of the "[::]" listener is reported as IPv4. */
	assert_int_equal(getsockname(ops->fd(lp.cli),
				     (struct sockaddr *)&local, &len), 0);
	peer = (const void *)ops->peer_addr(lp.srv, &plen);
	assert_int_equal(plen, sizeof(*peer));
	assert_int_equal(peer->sin_family, AF_INET);
	assert_int_equal(peer->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(peer->sin_port, local.sin_port);
	assert_false(ops->we_dialed(lp.srv));
	assert_true(ops->we_dialed(lp.cli));
	local_close(&lp);
}

/*
 * Bad input and network errors
 */

static void test_bad_input(void **state)
{
	struct tlstund_trust_policy pol = { .kind = TLSTUND_TRUST_UNSET };
	struct tlstund_transport_cfg cfg = { 0 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct tlstund_identity id;
	char err[TLSTUND_ERR_LEN], *tmp = tc_tmpdir(), *key, *crt;
	void *ctx;

	(void)state;
	assert_null(ops->ctx_new(&cfg, err, sizeof(err)));
	assert_string_equal(err, "TLS context: no local key and certificate");

	key = tp_copy_cert(tmp, "x", &raw_self_a, true);
	crt = tp_copy_cert(tmp, "x", &raw_self_a, false);
	assert_int_equal(tlstund_identity_load(&id, key, crt, err,
					       sizeof(err)), 0);
	cfg.identity = &id;
	assert_null(ops->ctx_new(&cfg, err, sizeof(err)));
	assert_string_equal(err, "TLS context: no trust policy");
	cfg.trust = &pol;
	assert_null(ops->ctx_new(&cfg, err, sizeof(err)));
	assert_string_equal(err, "TLS context: trust policy not set");
	pol.kind = TLSTUND_TRUST_CA;
	assert_null(ops->ctx_new(&cfg, err, sizeof(err)));
	assert_contains(err, "without CA certificates");
	pol.kind = TLSTUND_TRUST_TOFU;
	pol.tofu_dir = tmp;
	pol.peer_name = "../x";
	assert_null(ops->ctx_new(&cfg, err, sizeof(err)));
	assert_contains(err, "valid peer name");

	pol.kind = TLSTUND_TRUST_PIN;
	ctx = ops->ctx_new(&cfg, err, sizeof(err));
	assert_non_null(ctx);
	tlstund_identity_free(&id);

	/* Only IPv4 and IPv6. */
	errno = 0;
	assert_null(ops->listen(ctx, (struct sockaddr *)&sun, sizeof(sun),
				err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(err, "listen: not an IPv4 or IPv6 address");
	assert_null(ops->dial(ctx, (struct sockaddr *)&sin, 4, err,
			      sizeof(err)));
	assert_string_equal(err, "dial: not an IPv4 or IPv6 address");

	free(key);
	free(crt);
	ops->ctx_free(ctx);
	tc_rmtree(tmp);
}

static void test_network_errors(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct tlstund_listener *l, *again;
	char err[TLSTUND_ERR_LEN], want[64], *tmp = tc_tmpdir();
	struct tlstund_conn *c;
	uint8_t buf[4];
	uint16_t port;
	void *ctx;
	int ret;

	(void)state;
	ctx = tp_ctx_make(ops, &ca_server, tmp, "server");
	l = tp_listen_any(ops, ctx, &port);

	/* Nothing pending. */
	assert_null(ops->accept(l, err, sizeof(err)));
	assert_int_equal(errno, EAGAIN);

	/* The port is taken. */
	sin.sin_port = htons(port);
	again = ops->listen(ctx, (struct sockaddr *)&sin, sizeof(sin), err,
			    sizeof(err));
	assert_null(again);
	assert_int_equal(errno, EADDRINUSE);
	snprintf(want, sizeof(want), "listen on 127.0.0.1:%u: bind: ", port);
	assert_prefix(err, want);

	/* Nobody listens: refused at once or by progress(). */
	ops->listener_close(l);
	c = ops->dial(ctx, (struct sockaddr *)&sin, sizeof(sin), err,
		      sizeof(err));
	snprintf(want, sizeof(want), "peer 127.0.0.1:%u: connect: ", port);
	if (c) {
		/* Before the handshake there is nothing to read or export. */
		assert_int_equal(ops->read(c, buf, sizeof(buf)), -ENOTCONN);
		assert_int_equal(ops->write(c, buf, sizeof(buf)), -ENOTCONN);
		assert_null(ops->peer(c));
		ret = drive(c);
		assert_int_equal(ret, -ECONNREFUSED);
		assert_prefix(ops->error(c), want);
		assert_contains(ops->error(c), strerror(ECONNREFUSED));
		/* Failed stays failed. */
		assert_int_equal(ops->progress(c), -ECONNREFUSED);
		assert_int_equal(ops->events(c), 0);
		ops->close(c);
	} else {
		assert_int_equal(errno, ECONNREFUSED);
		assert_prefix(err, want);
	}
	ops->ctx_free(ctx);
	tc_rmtree(tmp);
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_ca),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_tofu),
		cmocka_unit_test(test_chain_length),
		cmocka_unit_test(test_reject_wrong_ca),
		cmocka_unit_test(test_reject_server_without_alpn),
		cmocka_unit_test(test_no_resumption),
		cmocka_unit_test(test_export_needs_handshake),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_ktls),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_network_errors),
	};
	struct CMUnitTest tests[ARRAY_SIZE(fixed) + ARRAY_SIZE(refusal_rows) +
				ARRAY_SIZE(raw_rows)];
	size_t i, n = ARRAY_SIZE(fixed);

	memcpy(tests, fixed, sizeof(fixed));
	for (i = 0; i < ARRAY_SIZE(refusal_rows); i++, n++) {
		tests[n] = (struct CMUnitTest)
			cmocka_unit_test_prestate(test_refusal,
						  (void *)&refusal_rows[i]);
		tests[n].name = refusal_rows[i].name;
	}
	for (i = 0; i < ARRAY_SIZE(raw_rows); i++, n++) {
		tests[n] = (struct CMUnitTest)
			cmocka_unit_test_prestate(test_raw_client,
						  (void *)&raw_rows[i]);
		tests[n].name = raw_rows[i].name;
	}
	/* A peer that resets must be an error return, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return _cmocka_run_group_tests("tls", tests, n, NULL, NULL);
}
