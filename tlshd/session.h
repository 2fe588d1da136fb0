/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One control session: the protocol of Documentation/control-protocol.rst
 * run over an authenticated transport. The session knows nothing of sockets
 * or of the kernel; it consumes received bytes, produces bytes to send, and
 * calls its environment to derive the root secret and to install or remove
 * SAs. The daemon (daemon.c) owns the transport and the environment; the
 * unit tests run two sessions against each other in memory.
 */
#ifndef TLSTUND_SESSION_H
#define TLSTUND_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "kernel.h"
#include "keysched.h"
#include "negotiate.h"
#include "proto.h"

#define TLSTUND_SESSION_OUTBUF	8192
/* Tries at a free rx SPI on the shared UDP port before giving up. */
#define TLSTUND_SESSION_SPI_TRIES 64

struct tlstund_session;

struct tlstund_session_env {
	void *arg;
	/* TLS exporter of the session's transport. */
	int (*export)(void *arg, struct tlstund_session *s,
		      const uint8_t *context, size_t ctxlen, uint8_t *out,
		      size_t outlen);
	/* Install an SA; -EEXIST for an rx SPI taken on the port. */
	int (*add_sa)(void *arg, struct tlstund_session *s,
		      const struct tlstund_sa_params *p, char *err,
		      size_t errlen);
	/* Remove an rx SA this session no longer needs. */
	void (*del_sa)(void *arg, struct tlstund_session *s, uint8_t dir,
		       uint32_t spi);
	/* Generation @gen completed on this side; 1 means the tunnel is up. */
	void (*generation)(void *arg, struct tlstund_session *s, uint32_t gen);
};

enum tlstund_session_state {
	TLSTUND_SESSION_HELLO,		/* waiting for the peer's HELLO */
	TLSTUND_SESSION_RUN,		/* generations run here */
	TLSTUND_SESSION_CLOSED,		/* CLOSE sent or received */
};

struct tlstund_session {
	const struct tlstund_config *cfg;
	const struct tlstund_session_env *env;
	char peer[TLSTUN_PEER_MAX];	/* verified identity, for SAs and logs */
	bool dialer;
	enum tlstund_role role;
	enum tlstund_session_state state;
	struct tlstund_session_params params;
	struct tlstund_keysched ks;
	struct tlstund_spi_alloc alloc;
	struct tlstund_spi_peer peer_spis;

	uint32_t current;		/* last complete generation */
	uint32_t pending;		/* generation under way, or 0 */
	uint32_t p_rx_spi;		/* our rx SPI of @pending */
	bool p_acked;			/* the peer ACKed it */
	bool p_tx_done;			/* we installed the peer's offer */
	uint32_t rx_cur, rx_old, tx_cur;
	uint64_t rx_old_at;		/* when @rx_old goes (ms) */

	uint64_t hello_at;		/* deadlines, ms; 0 = not armed */
	uint64_t gen_at;
	uint64_t rekey_at;
	uint64_t last_rx;
	uint64_t up_at;			/* generation 1 completed */
	uint64_t ping_cookie;
	bool ping_out;

	struct tlstund_proto_reader reader;
	uint8_t out[TLSTUND_SESSION_OUTBUF];
	size_t out_len;

	uint16_t close_reason;		/* why it closed, sent or received */
	bool close_by_peer;
	char close_text[TLSTUND_PROTO_TEXT_MAX + 1];
};

int tlstund_session_start(struct tlstund_session *s,
			  const struct tlstund_config *cfg,
			  const struct tlstund_session_env *env, bool dialer,
			  const uint8_t local_spki[32],
			  const uint8_t peer_spki[32], const char *peer,
			  uint64_t now);
int tlstund_session_input(struct tlstund_session *s, const uint8_t *data,
			  size_t len, uint64_t now);
int tlstund_session_eof(struct tlstund_session *s, uint64_t now);
int tlstund_session_tick(struct tlstund_session *s, uint64_t now);
uint64_t tlstund_session_deadline(const struct tlstund_session *s);
int tlstund_session_rekey(struct tlstund_session *s, uint64_t now,
			  const char *why);
void tlstund_session_close(struct tlstund_session *s, uint16_t reason,
			   const char *text);
void tlstund_session_ping(struct tlstund_session *s, uint64_t now);
void tlstund_session_consume(struct tlstund_session *s, size_t n);
void tlstund_session_wipe(struct tlstund_session *s);

static inline bool tlstund_session_up(const struct tlstund_session *s)
{
	return s->current >= 1 && s->state == TLSTUND_SESSION_RUN;
}

#endif /* TLSTUND_SESSION_H */
