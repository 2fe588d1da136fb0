// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's status socket, read by "tlstun show" (tlstun(8)).
 *
 * An abstract unix socket, "@tlstun/IFNAME": abstract names belong to the
 * network namespace, as the device does, so daemons of devices with the
 * same name in other namespaces never collide, nothing is left on a file
 * system when the daemon dies, and a second daemon for the same device in
 * the same namespace cannot bind it (tlstund refuses to start). Having no
 * file, the name has no permissions: the daemon answers only callers whose
 * SO_PEERCRED uid is root or its own, and tells others so.
 *
 * A caller connects and reads until EOF: the daemon writes the whole
 * document at once (a few hundred bytes, far below the socket buffer) and
 * closes. It holds no secret: identities, addresses, SPIs, times.
 *
 * Document: one "KEY VALUE" line each (VALUE may hold spaces), first
 * "tlstund-status 1", then the daemon's keys, then one block per peer that
 * starts with "peer NAME". Times are seconds: "-ago" ones since something
 * happened, "-in" ones until it will. A key whose value is not known is
 * left out.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "status.h"

#define STATUS_DOC_MAX	4096

struct doc {
	char buf[STATUS_DOC_MAX];
	size_t len;
};

static void put(struct doc *doc, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put(struct doc *doc, const char *key, const char *fmt, ...)
{
	size_t room = sizeof(doc->buf) - doc->len;
	va_list ap;
	int n;

	n = snprintf(doc->buf + doc->len, room, "%s ", key);
	if (n < 0 || (size_t)n >= room)
		return;
	va_start(ap, fmt);
	n += vsnprintf(doc->buf + doc->len + n, room - n, fmt, ap);
	va_end(ap);
	/* A line that does not fit is left out whole, and so is a newline
	 * in a value: one line is one key.
	 */
	if ((size_t)n + 1 >= room ||
	    memchr(doc->buf + doc->len, '\n', n))
		return;
	doc->buf[doc->len + n] = '\n';
	doc->len += n + 1;
}

static void put_secs_ago(struct doc *doc, const char *key, uint64_t then,
			 uint64_t now)
{
	if (then && then <= now)
		put(doc, key, "%" PRIu64, (now - then) / 1000);
}

static void put_secs_in(struct doc *doc, const char *key, uint64_t at,
			uint64_t now)
{
	if (at)
		put(doc, key, "%" PRIu64, at > now ? (at - now) / 1000 : 0);
}

static const char *suite_name(uint16_t suite)
{
	switch (suite) {
	case TLSTUN_SUITE_AES_GCM_128:
		return "aes-gcm-128";
	case TLSTUN_SUITE_AES_GCM_256:
		return "aes-gcm-256";
	default:
		return NULL;
	}
}

static const char *trust_name(enum tlstund_trust_kind kind)
{
	switch (kind) {
	case TLSTUND_TRUST_CA:
		return "ca";
	case TLSTUND_TRUST_PIN:
		return "pin";
	case TLSTUND_TRUST_TOFU:
		return "tofu";
	default:
		return "unset";
	}
}

/* The slot still in its handshake, if any: ours dialed, or one accepted. */
static struct slot *handshaking(struct daemon *d)
{
	int i;

	for (i = 0; i < MAX_SLOTS; i++)
		if (d->slots[i] && !d->slots[i]->established &&
		    d->slots[i]->dialed)
			return d->slots[i];
	return NULL;
}

/* What the tunnel to the peer is doing, in one word. */
static const char *peer_state(struct daemon *d, struct slot *active)
{
	if (active && tlstund_session_up(&active->session))
		return "up";
	if (active)
		return "negotiating";
	if (handshaking(d))
		return "handshaking";
	if (d->next_dial)
		return "waiting";
	return d->cfg.endpoint.len ? "idle" : "listening";
}

static void put_addr(struct doc *doc, const char *key,
		     const struct tlstund_sockaddr *a)
{
	char addr[80];

	if (a->len)
		put(doc, key, "%s",
		    tlstund_addr_str((const struct sockaddr *)&a->ss, a->len,
				     addr, sizeof(addr)));
}

static void put_session(struct daemon *d, struct doc *doc, struct slot *sl,
			uint64_t now)
{
	const struct tlstund_session *s = &sl->session;
	const struct sockaddr *pa;
	const char *suite;
	char addr[80];
	socklen_t len;

	put(doc, "role", "%s", sl->dialed ? "dialer" : "listener");
	/* The label is "NAME IDENTITY": the identity alone here. */
	if (strchr(s->peer, ' '))
		put(doc, "identity", "%s", strchr(s->peer, ' ') + 1);
	pa = d->t->peer_addr(sl->conn, &len);
	if (pa)
		put(doc, "connection", "%s",
		    tlstund_addr_str(pa, len, addr, sizeof(addr)));
	put_secs_ago(doc, "handshake-ago", sl->established_at, now);
	put_secs_ago(doc, "up-ago", s->up_at, now);
	put_secs_ago(doc, "last-rx-ago", s->last_rx, now);
	if (s->current)
		put(doc, "generation", "%" PRIu32, s->current);
	if (s->tx_cur)
		put(doc, "tx-spi", "0x%08" PRIx32, s->tx_cur);
	if (s->rx_cur)
		put(doc, "rx-spi", "0x%08" PRIx32, s->rx_cur);
	suite = suite_name(s->params.suite);
	if (suite)
		put(doc, "suite", "%s", suite);
	if (s->state == TLSTUND_SESSION_RUN)
		put_secs_in(doc, "rekey-in", s->rekey_at, now);
}

static void build(struct daemon *d, struct doc *doc, uint64_t now)
{
	struct slot *active = tlstund_slot_by_id(d, d->active);
	char problem[256];
	uint64_t at;

	put(doc, TLSTUND_STATUS_MAGIC, "%d", TLSTUND_STATUS_VERSION);
	put(doc, "device", "%s", d->cfg.ifname);
	put(doc, "ifindex", "%d", d->ifindex);
	put(doc, "pid", "%ld", (long)getpid());
	put_secs_ago(doc, "started-ago", d->started_at, now);
	put_addr(doc, "listen", &d->cfg.listen);
	put(doc, "sas", "%zu", d->n_sas);

	put(doc, "peer", "%s", d->cfg.peer_name);
	put(doc, "transport", "%s", d->t->name);
	put(doc, "trust", "%s", trust_name(d->cfg.trust));
	put_addr(doc, "endpoint", &d->cfg.endpoint);
	put(doc, "state", "%s", peer_state(d, active));
	if (active)
		put_session(d, doc, active, now);
	put(doc, "handshakes", "%" PRIu64, d->handshakes);
	if (!active && d->next_dial)
		put_secs_in(doc, "dial-in", d->next_dial, now);
	if (d->attempts)
		put(doc, "attempts", "%u", d->attempts);
	at = tlstund_log_last_problem(problem, sizeof(problem));
	if (at) {
		put_secs_ago(doc, "last-error-ago", at, now);
		put(doc, "last-error", "%s", problem);
	}
}

/* Say who holds the name: another daemon (root or our user), or some
 * other process squatting it, which is refused all the same (fail
 * closed) but named, so that the administrator can find it.
 */
static void name_in_use(const char *ifname, const struct sockaddr_un *sun,
			socklen_t len, char *err, size_t errlen)
{
	struct ucred cred = { 0 };
	socklen_t clen = sizeof(cred);
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && !connect(fd, (const struct sockaddr *)sun, len) &&
	    !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) &&
	    cred.uid != 0 && cred.uid != geteuid())
		snprintf(err, errlen,
			 "the status socket name @" TLSTUND_STATUS_NAME_FMT " is held by pid %ld of uid %u, not a tlstund; not starting",
			 ifname, (long)cred.pid, (unsigned int)cred.uid);
	else
		snprintf(err, errlen,
			 "another tlstund serves %s in this network namespace (its status socket @" TLSTUND_STATUS_NAME_FMT " is bound)",
			 ifname, ifname);
	if (fd >= 0)
		close(fd);
}

/**
 * tlstund_status_open() - bind the status socket of the daemon's device
 * @d: the daemon, its configuration loaded
 * @err: why not, "another tlstund ..." when one serves the device
 * @errlen: size of @err
 *
 * Return: 0 or -errno.
 */
int tlstund_status_open(struct daemon *d, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	d->status_fd = -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "status socket: %s", strerror(errno));
		return -errno;
	}
	len = tlstund_status_addr(&sun, d->cfg.ifname);
	if (bind(fd, (struct sockaddr *)&sun, len) || listen(fd, 8)) {
		int e = errno;

		close(fd);
		if (e == EADDRINUSE)
			name_in_use(d->cfg.ifname, &sun, len, err, errlen);
		else
			snprintf(err, errlen, "status socket @" TLSTUND_STATUS_NAME_FMT ": %s",
				 d->cfg.ifname, strerror(e));
		return -e;
	}
	d->status_fd = fd;
	return 0;
}

/**
 * tlstund_status_serve() - answer every caller waiting on the socket
 * @d: the daemon
 * @now: CLOCK_MONOTONIC ms
 */
void tlstund_status_serve(struct daemon *d, uint64_t now)
{
	static const char denied[] = "error only root may read the status\n";
	struct doc doc;
	int fd;

	while ((fd = accept4(d->status_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* The status is for the administrator. */
		if (tlstund_status_peer_trusted(fd)) {
			doc.len = 0;
			build(d, &doc, now);
			/* A caller that went away or does not read is its
			 * own problem: never block the loop for it.
			 */
			if (send(fd, doc.buf, doc.len,
				 MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
				log_debug("status: %s", strerror(errno));
		} else if (send(fd, denied, sizeof(denied) - 1,
				MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			log_debug("status: %s", strerror(errno));
		}
		close(fd);
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
	    errno != ECONNABORTED)
		log_warn("status socket: accept: %s", strerror(errno));
}

/**
 * tlstund_status_close() - close the status socket; its name goes with it
 * @d: the daemon
 */
void tlstund_status_close(struct daemon *d)
{
	if (d->status_fd >= 0)
		close(d->status_fd);
	d->status_fd = -1;
}
