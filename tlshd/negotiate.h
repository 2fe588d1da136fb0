/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlstund session decisions both peers must take identically: roles,
 * which of two simultaneous sessions survives, HELLO negotiation, offer
 * checks, rekey collisions and reconnect backoff. Pure functions of their
 * arguments (no clock, no randomness of their own), so each side computes
 * the same answer from the same facts.
 */
#ifndef TLSTUND_NEGOTIATE_H
#define TLSTUND_NEGOTIATE_H

#include <stdbool.h>
#include <stdint.h>

#include "keysched.h"
#include "proto.h"

#define TLSTUND_SPKI_HASH_LEN		32	/* SHA-256 of the DER SPKI */

/* Reconnect delay: min(CAP, BASE << attempt), then jittered into
 * [delay / 2, delay].
 */
#define TLSTUND_BACKOFF_BASE_MS		1000U
#define TLSTUND_BACKOFF_CAP_MS		60000U
/* A session that stayed up this long resets the attempt count. */
#define TLSTUND_BACKOFF_RESET_MS	30000U

/* What was agreed by the HELLO exchange. */
struct tlstund_session_params {
	uint16_t version;
	uint16_t suite;			/* enum tlstun_suite */
	uint32_t vni;
	uint32_t rekey_interval;	/* seconds */
};

enum tlstund_rekey_action {
	TLSTUND_REKEY_START,	/* begin the asked generation */
	TLSTUND_REKEY_MERGE,	/* already under way: both asked at once */
	TLSTUND_REKEY_REJECT,	/* protocol error, close the session */
};

int tlstund_negotiate_role(const uint8_t *local, const uint8_t *peer);
int tlstund_negotiate_keep_new(const uint8_t *local, const uint8_t *peer,
			       bool old_dialed, bool new_dialed);
int tlstund_negotiate_hello(const struct tlstund_msg_hello *local,
			    const struct tlstund_msg_hello *peer,
			    struct tlstund_session_params *out);
int tlstund_negotiate_offer(const struct tlstund_session_params *params,
			    const struct tlstund_msg_sa_offer *offer);
enum tlstund_rekey_action tlstund_negotiate_rekey(uint32_t current,
						  uint32_t pending,
						  uint32_t asked);
uint32_t tlstund_negotiate_backoff_ms(unsigned int attempt, uint32_t base_ms,
				      uint32_t cap_ms, uint32_t rnd);

#endif /* TLSTUND_NEGOTIATE_H */
