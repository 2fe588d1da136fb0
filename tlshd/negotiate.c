// SPDX-License-Identifier: GPL-2.0
/*
 * Decisions the two ends of a control session must agree on without
 * exchanging them (Documentation/control-protocol.rst, "Roles" and
 * "Simultaneous sessions"). Everything is derived from facts both sides
 * already share after the handshake: the two SPKI hashes, who dialed which
 * connection, and the two HELLOs. Nothing here is sent on the wire, so
 * there is nothing to disagree about or to forge.
 */
#include <errno.h>
#include <string.h>

#include "negotiate.h"

/**
 * tlstund_negotiate_role() - this side's role bit
 * @local: SHA-256 of our certificate's SubjectPublicKeyInfo
 * @peer: SHA-256 of the peer's, as verified in the handshake
 *
 * The peer with the lower hash (memcmp order) is TLSTUND_ROLE_LOWER, the
 * other TLSTUND_ROLE_UPPER. The role is SPI bit 30 of every receive SPI a
 * peer allocates (keysched.h), which keeps the two peers' SPIs, and so
 * their keys and nonces, apart.
 *
 * Return: enum tlstund_role, or -EINVAL when the hashes are equal: the
 * peer holds our own key, which is a misconfiguration or a reflected
 * connection.
 */
int tlstund_negotiate_role(const uint8_t *local, const uint8_t *peer)
{
	int c = memcmp(local, peer, TLSTUND_SPKI_HASH_LEN);

	if (!c)
		return -EINVAL;
	return c < 0 ? TLSTUND_ROLE_LOWER : TLSTUND_ROLE_UPPER;
}

/**
 * tlstund_negotiate_keep_new() - settle two live sessions with one peer
 * @local: our SPKI hash
 * @peer: the peer's SPKI hash
 * @old_dialed: we dialed the session that authenticated first
 * @new_dialed: we dialed the session that authenticated second
 *
 * Called when a second session with the same peer completes its handshake.
 * If one side dialed both, it gave up on the old one before dialing again
 * (a daemon dials only while it has no session), so the new one wins on
 * both ends. Otherwise both sides dialed at once and the session dialed by
 * the peer with the lower hash survives; that answer does not depend on
 * which session each side saw first, so both ends agree.
 *
 * Return: 1 to keep the new session and close the old, 0 to keep the old
 * and close the new (with TLSTUND_CLOSE_DUPLICATE), -EINVAL for equal
 * hashes.
 */
int tlstund_negotiate_keep_new(const uint8_t *local, const uint8_t *peer,
			       bool old_dialed, bool new_dialed)
{
	int role = tlstund_negotiate_role(local, peer);

	if (role < 0)
		return role;
	if (old_dialed == new_dialed)
		return 1;
	return new_dialed == (role == TLSTUND_ROLE_LOWER);
}

static bool in_list(const uint16_t *v, unsigned int n, uint16_t x)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* Fixed, not taken from either HELLO, so both sides pick the same. */
static const uint16_t suite_preference[] = {
	TLSTUN_SUITE_AES_GCM_256,
	TLSTUN_SUITE_AES_GCM_128,
};

/**
 * tlstund_negotiate_hello() - agree session parameters from two HELLOs
 * @local: the HELLO we sent
 * @peer: the HELLO we received (already passed the decoder)
 * @out: the agreed parameters, when 0 is returned
 *
 * The version is the highest both list; the suite the first of
 * suite_preference both list; the VNIs must be equal; the rekey interval
 * is the smaller of the two. Every rule is symmetric in its arguments.
 *
 * Return: 0, or the enum tlstund_close_reason to close the session with.
 */
int tlstund_negotiate_hello(const struct tlstund_msg_hello *local,
			    const struct tlstund_msg_hello *peer,
			    struct tlstund_session_params *out)
{
	unsigned int i;

	out->version = 0;
	for (i = local->n_versions; i-- > 0;) {
		if (in_list(peer->versions, peer->n_versions,
			    local->versions[i])) {
			out->version = local->versions[i];
			break;
		}
	}
	if (!out->version)
		return TLSTUND_CLOSE_VERSION;

	out->suite = 0;
	for (i = 0; i < sizeof(suite_preference) / sizeof(*suite_preference);
	     i++) {
		if (in_list(local->suites, local->n_suites,
			    suite_preference[i]) &&
		    in_list(peer->suites, peer->n_suites,
			    suite_preference[i])) {
			out->suite = suite_preference[i];
			break;
		}
	}
	if (!out->suite)
		return TLSTUND_CLOSE_SUITE;

	if (local->vni != peer->vni)
		return TLSTUND_CLOSE_VNI;
	out->vni = local->vni;
	out->rekey_interval = local->rekey_interval < peer->rekey_interval ?
			      local->rekey_interval : peer->rekey_interval;
	return 0;
}

/**
 * tlstund_negotiate_offer() - check a peer's SA_OFFER against the HELLOs
 * @params: what the HELLOs agreed
 * @offer: the decoded offer
 *
 * Only the suite is a matter of the HELLOs. The SPI is checked by
 * tlstund_spi_peer_accept() (role bit, and never an SPI offered before in
 * the session) and the generation by the session state machine.
 *
 * Return: 0, or TLSTUND_CLOSE_SUITE to close the session with.
 */
int tlstund_negotiate_offer(const struct tlstund_session_params *params,
			    const struct tlstund_msg_sa_offer *offer)
{
	/* Both directions run the agreed suite: a peer that installed its
	 * receive SA with another one would not open what we seal.
	 */
	return offer->suite == params->suite ? 0 : TLSTUND_CLOSE_SUITE;
}

/**
 * tlstund_negotiate_rekey() - what to do with a REKEY from the peer
 * @current: the last generation whose offers were both exchanged and ACKed
 * @pending: the generation under way, 0 if none
 * @asked: the generation in the REKEY
 *
 * Either side may ask for generation @current + 1. When both ask at once
 * they ask for the same number, so the second request merges into the
 * first instead of competing with it: no tie-break is needed.
 *
 * Return: enum tlstund_rekey_action.
 */
enum tlstund_rekey_action tlstund_negotiate_rekey(uint32_t current,
						  uint32_t pending,
						  uint32_t asked)
{
	if (pending)
		return asked == pending ? TLSTUND_REKEY_MERGE :
					  TLSTUND_REKEY_REJECT;
	if (current != UINT32_MAX && asked == current + 1)
		return TLSTUND_REKEY_START;
	return TLSTUND_REKEY_REJECT;
}

/**
 * tlstund_negotiate_backoff_ms() - delay before reconnect attempt @attempt
 * @attempt: 0 for the first retry after a session ended
 * @base_ms: the first delay (reconnect-min; TLSTUND_BACKOFF_BASE_MS)
 * @cap_ms: the largest delay (reconnect-max; TLSTUND_BACKOFF_CAP_MS)
 * @rnd: a uniformly random value from the caller
 *
 * The delay doubles from @base_ms up to @cap_ms and is then drawn from its
 * upper half, so two peers that lost a session together do not redial in
 * lockstep.
 *
 * Return: milliseconds.
 */
uint32_t tlstund_negotiate_backoff_ms(unsigned int attempt, uint32_t base_ms,
				      uint32_t cap_ms, uint32_t rnd)
{
	uint64_t d = cap_ms;

	if (attempt < 32 && (uint64_t)base_ms << attempt < d)
		d = (uint64_t)base_ms << attempt;
	return d / 2 + rnd % (d - d / 2 + 1);
}
