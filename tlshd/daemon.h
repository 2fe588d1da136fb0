/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's private state, shared by its files:
 *
 *   daemon.c         the poll loop, setup, signals, teardown
 *   daemon_conn.c    connection slots, dial, accept, handshake -> session
 *   daemon_sa.c      SA records, the session environment, kernel events
 *   daemon_reload.c  credentials and the SIGHUP reload
 *   status.c         the status socket "tlstun show" reads
 *
 * All of it runs on the one thread of the poll loop (daemon.c).
 */
#ifndef TLSTUND_DAEMON_H
#define TLSTUND_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "tlstund.h"

/*
 * Connection slots. Anyone who can reach the listener can open a TCP
 * connection and let it sit in its handshake for HANDSHAKE_TIMEOUT_MS, so
 * such unauthenticated connections get a pool of their own, MAX_UNAUTH,
 * with at most MAX_UNAUTH_PER_HOST from one address; a new one past either
 * bound closes the oldest of its kind, so that the peer's own connection
 * always gets in after the connections that came before it. Our dial and
 * the sessions (the live one, and the one it replaces while it says
 * goodbye) have slots beyond that pool that accepted connections never
 * take. Refusals are logged at most once per REFUSAL_LOG_MS.
 */
#define MAX_UNAUTH		8
#define MAX_UNAUTH_PER_HOST	2
#define MAX_SLOTS		(MAX_UNAUTH + 4)
#define REFUSAL_LOG_MS		5000
#define HANDSHAKE_TIMEOUT_MS	10000
#define CLOSE_LINGER_MS		1000	/* to flush a CLOSE before hanging up */

struct slot {
	uint64_t id;
	struct tlstund_conn *conn;
	void *tctx;			/* transport context it was made with */
	bool dialed;
	bool established;		/* handshake done, session started */
	uint64_t established_at;	/* when (ms) */
	uint64_t deadline;		/* handshake, or linger after CLOSE */
	struct tlstund_session session;
};

struct daemon {
	struct tlstund_config cfg;
	struct tlstund_identity identity;
	X509_STORE *ca;
	uint8_t ca_digest[32];		/* of ca's certificates (ca_digest) */
	struct tlstund_trust_policy trust;
	const struct tlstund_transport_ops *t;
	void *tctx;
	struct tlstund_kernel *k;
	int ifindex;
	struct tlstund_listener *listener;
	int sigfd;
	int status_fd;			/* status.c; -1 while none */
	uint64_t started_at;		/* ms */
	uint64_t handshakes;		/* sessions established */

	struct slot *slots[MAX_SLOTS];
	uint64_t next_id;
	uint64_t refusal_log_at;	/* when the next may be logged */
	unsigned int refusals_unlogged;
	uint64_t drops_logged;		/* listener drops logged so far */
	uint64_t drop_log_at;		/* when the next may be logged */
	uint64_t active;		/* slot id of the active session */
	uint64_t next_dial;		/* 0: not scheduled */
	unsigned int attempts;
	bool orphans_need_trust;	/* delete orphans if the peer fails */

	/* The SAs this daemon knows of, n_sas in use of cap_sas (sarecs.h);
	 * owner 0: an orphan, left by an ended session or a previous daemon.
	 */
	struct tlstund_sa_rec *sas;
	size_t n_sas, cap_sas;

	uint64_t watchdog_ms;
	uint64_t next_watchdog;
	bool stopping;
	bool stop_removes_sas;		/* SIGINT: the tunnel goes down too */
	struct tlstund_session_env env;
};

/* What a configuration's files make: our identity, the trust anchors and
 * the transport context for new connections (daemon_reload.c).
 */
struct creds {
	struct tlstund_identity identity;
	X509_STORE *ca;
	uint8_t ca_digest[32];		/* ca_digest(); zeros without a CA */
	void *tctx;
};

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void tlstund_notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

/* daemon_conn.c */
const char *tlstund_addr_str(const struct sockaddr *sa, socklen_t len,
			     char *buf, size_t buflen);
struct slot *tlstund_slot_of(struct daemon *d, struct tlstund_session *s);
struct slot *tlstund_slot_by_id(struct daemon *d, uint64_t id);
void tlstund_slot_free(struct daemon *d, struct slot *sl, uint64_t now);
void tlstund_slot_close(struct daemon *d, struct slot *sl, uint16_t reason,
			const char *text, uint64_t now);
void tlstund_slot_flush(struct daemon *d, struct slot *sl);
void tlstund_slot_peer_moved(struct daemon *d, struct slot *sl);
void tlstund_slot_service(struct daemon *d, struct slot *sl, uint64_t now);
void tlstund_slot_tick(struct daemon *d, struct slot *sl, uint64_t now);
uint64_t tlstund_slot_deadline(struct slot *sl, const struct daemon *d);
bool tlstund_slot_transport_due(const struct daemon *d, const struct slot *sl,
				uint64_t now);
bool tlstund_have_session(struct daemon *d);
void tlstund_dial_schedule(struct daemon *d, uint64_t now, bool at_once);
void tlstund_dial(struct daemon *d, uint64_t now);
void tlstund_accept_all(struct daemon *d, uint64_t now);

/* daemon_sa.c */
struct tlstund_sa_rec *tlstund_sas_find(struct daemon *d, uint8_t dir,
					uint32_t spi);
int tlstund_sas_remember(struct daemon *d, uint8_t dir, uint32_t spi,
			 uint64_t owner);
void tlstund_sas_delete(struct daemon *d, struct tlstund_sa_rec *r);
void tlstund_sas_delete_orphans(struct daemon *d, const char *why);
void tlstund_sas_env_init(struct daemon *d);
void tlstund_daemon_kernel_event(void *arg,
				 const struct tlstund_kernel_event *ev);

/* status.c */
int tlstund_status_open(struct daemon *d, char *err, size_t errlen);
void tlstund_status_serve(struct daemon *d, uint64_t now);
void tlstund_status_close(struct daemon *d);

/* daemon_reload.c */
int tlstund_creds_load(const struct daemon *d,
		       const struct tlstund_config *cfg, struct creds *cr,
		       char *err, size_t errlen);
void tlstund_creds_install(struct daemon *d, struct creds *cr);
void tlstund_daemon_reload(struct daemon *d, uint64_t now);

#endif /* TLSTUND_DAEMON_H */
