/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlstund key schedule and SPI allocation.
 *
 * From the 32-byte TLS 1.3 exporter output of one control session to the
 * per-SA AES-GCM keys the daemon installs with TLSTUN_CMD_ADD_SA:
 *
 *   root     = TLS-Exporter("EXPORTER-tlstun-v1",
 *                           be32(ctrl version) || be32(VNI), 32)
 *   master_i = HKDF-SHA256(salt = "", IKM = root,
 *                          info = "tlstun v1 master <i>", L = 32)
 *   sa_key   = SP 800-108 counter KDF, PRF = AES-256-CMAC keyed by
 *              master_(SPI bit 31), exactly as in the PSP Architecture
 *              Specification
 *
 * Documentation/key-schedule.rst gives the byte layouts and the reasons.
 * Nothing here knows which transport (TCP+TLS or QUIC) produced the root.
 * Every function returns 0 or a negative errno and never aborts.
 */
#ifndef TLSTUND_KEYSCHED_H
#define TLSTUND_KEYSCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/tlstun.h>

/* TLS exporter inputs: the transport passes these to
 * SSL_export_keying_material(ssl, root, TLSTUND_ROOT_LEN,
 *	TLSTUND_EXPORTER_LABEL, TLSTUND_EXPORTER_LABEL_LEN,
 *	ctx, TLSTUND_EXPORTER_CONTEXT_LEN, 1)
 * or to gnutls_prf_rfc5705() with the same arguments.
 */
#define TLSTUND_EXPORTER_LABEL		"EXPORTER-tlstun-v1"
#define TLSTUND_EXPORTER_LABEL_LEN	(sizeof(TLSTUND_EXPORTER_LABEL) - 1)
#define TLSTUND_EXPORTER_CONTEXT_LEN	8
#define TLSTUND_ROOT_LEN		32

#define TLSTUND_MASTER_KEY_LEN		32
#define TLSTUND_MASTER_INFO_0		"tlstun v1 master 0"
#define TLSTUND_MASTER_INFO_1		"tlstun v1 master 1"

#define TLSTUND_CMAC_LEN		16
#define TLSTUND_SA_KEY_MAX		32

#define TLSTUND_FP_DOMAIN		"tlstun v1 key fingerprint"
#define TLSTUND_FP_LEN			8	/* bytes of SHA-256 kept */
#define TLSTUND_FP_STRLEN		(2 * TLSTUND_FP_LEN + 1)

/* SPI layout: | 31: master key | 30: role | 29..0: counter, never 0 | */
#define TLSTUND_SPI_MASTER_BIT		31
#define TLSTUND_SPI_ROLE_BIT		30
#define TLSTUND_SPI_COUNTER_MASK	0x3fffffffU
#define TLSTUND_SPI_COUNTER_MAX		TLSTUND_SPI_COUNTER_MASK
/* A session's first counter is drawn from 1 .. START_SPAN, each next one
 * lies 1 .. STEP_SPAN above the last (see tlstund_spi_alloc_next()).
 */
#define TLSTUND_SPI_START_SPAN		(1U << 29)
#define TLSTUND_SPI_STEP_SPAN		(1U << 14)

/**
 * enum tlstund_role - which half of the SPI space a peer allocates from
 * @TLSTUND_ROLE_LOWER: SPI bit 30 clear
 * @TLSTUND_ROLE_UPPER: SPI bit 30 set
 *
 * The daemon gives the two peers of a session different roles from a
 * comparison both can make alone (for example of the SHA-256 of their
 * SPKIs: lower hash, lower role). Because each receiver allocates its own
 * receive SPI from its role's half, the SPI of one direction never equals
 * the SPI of the other, and so neither do their keys.
 */
enum tlstund_role {
	TLSTUND_ROLE_LOWER = 0,
	TLSTUND_ROLE_UPPER = 1,
};

/**
 * struct tlstund_keysched - the secrets of one control session
 * @master: the two PSP master keys; SPI bit 31 selects one
 * @ready: set by tlstund_keysched_init(), cleared by tlstund_keysched_wipe();
 *	SA keys are derived only while it is set
 *
 * Lives exactly as long as the session. Wipe it when the session ends.
 * A zeroed struct is not ready.
 */
struct tlstund_keysched {
	uint8_t master[2][TLSTUND_MASTER_KEY_LEN];
	bool ready;
};

/**
 * struct tlstund_spi_alloc - receive-SPI allocator of one session
 * @next: counter value of the next SPI, 1..TLSTUND_SPI_COUNTER_MAX, or
 *	TLSTUND_SPI_COUNTER_MAX + 1 once exhausted
 * @count: SPIs handed out so far; its parity is the next master-key bit
 * @role: this peer's role
 *
 * One per session; a new session starts a new allocator at a random
 * counter. A zeroed allocator is refused rather than allowed to hand out
 * counter 0.
 */
struct tlstund_spi_alloc {
	uint32_t next;
	uint32_t count;
	enum tlstund_role role;
};

/**
 * struct tlstund_spi_peer - receive SPIs the peer has offered in a session
 * @last: counter of the newest accepted SPI, 0 before the first
 * @role: the peer's role
 */
struct tlstund_spi_peer {
	uint32_t last;
	enum tlstund_role role;
};

/**
 * tlstund_keysched_exporter_context() - encode the TLS exporter context
 * @out: receives be32(@version) || be32(@vni)
 * @version: control protocol version both peers speak, non-zero
 * @vni: the tunnel's 24-bit Geneve VNI
 *
 * Return: 0, or -EINVAL for a zero version or a VNI above 2^24 - 1.
 */
int tlstund_keysched_exporter_context(uint8_t out[TLSTUND_EXPORTER_CONTEXT_LEN],
				      uint32_t version, uint32_t vni);

/**
 * tlstund_keysched_init() - derive the two master keys from the root
 * @ks: key schedule to fill
 * @root: the TLSTUND_ROOT_LEN-byte exporter output; the caller wipes it
 *
 * Return: 0, -EINVAL for NULL arguments, -ENOMEM or -EIO if libcrypto
 * fails. On error @ks is wiped and not ready.
 */
int tlstund_keysched_init(struct tlstund_keysched *ks,
			  const uint8_t root[TLSTUND_ROOT_LEN]);

/**
 * tlstund_keysched_sa_key() - derive the AES-GCM key of one SA
 * @ks: a ready key schedule
 * @spi: the SA's SPI, non-zero; bit 31 selects the master key
 * @suite: TLSTUN_SUITE_AES_GCM_128 or TLSTUN_SUITE_AES_GCM_256
 * @key: receives the key
 * @keylen: must equal tlstund_keysched_suite_keylen(@suite)
 *
 * Both peers call this with the same SPI and suite and get the same key;
 * no key ever crosses the control channel.
 *
 * Return: 0, -EINVAL for a bad argument, -ENOKEY if @ks is not ready,
 * -ENOMEM or -EIO if libcrypto fails. On error @key is wiped.
 */
int tlstund_keysched_sa_key(const struct tlstund_keysched *ks, uint32_t spi,
			    enum tlstun_suite suite, uint8_t *key,
			    size_t keylen);

/**
 * tlstund_keysched_wipe() - erase both master keys
 * @ks: key schedule, may be NULL
 */
void tlstund_keysched_wipe(struct tlstund_keysched *ks);

/**
 * tlstund_keysched_suite_keylen() - AES-GCM key length of a suite
 * @suite: a suite from the uapi header
 *
 * Return: 16 or 32, or 0 for a suite the key schedule does not know.
 */
size_t tlstund_keysched_suite_keylen(enum tlstun_suite suite);

/**
 * tlstund_keysched_cmac() - AES-CMAC (RFC 4493, NIST SP 800-38B)
 * @key: AES key
 * @keylen: 16 (AES-128) or 32 (AES-256)
 * @msg: message, may be NULL when @msglen is 0
 * @msglen: message length
 * @out: receives the TLSTUND_CMAC_LEN-byte tag
 *
 * The PRF of the SA derivation; exported so it can be tested on its own.
 *
 * Return: 0, -EINVAL for a bad argument, -ENOMEM or -EIO if libcrypto
 * fails. On error @out is wiped.
 */
int tlstund_keysched_cmac(const uint8_t *key, size_t keylen,
			  const uint8_t *msg, size_t msglen,
			  uint8_t out[TLSTUND_CMAC_LEN]);

/**
 * tlstund_keysched_hkdf() - HKDF-SHA256 extract-and-expand (RFC 5869)
 * @salt: salt, may be NULL when @saltlen is 0 (then HashLen zero bytes)
 * @saltlen: salt length
 * @ikm: input keying material
 * @ikmlen: its length, non-zero
 * @info: info, may be NULL when @infolen is 0
 * @infolen: info length
 * @out: receives @outlen bytes of OKM
 * @outlen: 1..255 * 32
 *
 * The master-key derivation; exported so it can be tested on its own.
 *
 * Return: 0, -EINVAL for a bad argument, -ENOMEM or -EIO if libcrypto
 * fails. On error @out is wiped.
 */
int tlstund_keysched_hkdf(const uint8_t *salt, size_t saltlen,
			  const uint8_t *ikm, size_t ikmlen,
			  const uint8_t *info, size_t infolen,
			  uint8_t *out, size_t outlen);

/**
 * tlstund_keysched_fingerprint() - printable tag of a key for logs
 * @key: the key
 * @keylen: its length, non-zero
 * @out: receives 16 lowercase hex digits and a NUL
 *
 * The first TLSTUND_FP_LEN bytes of SHA-256(TLSTUND_FP_DOMAIN || key). It
 * lets two logs be compared ("both ends derived the same key") and reveals
 * nothing usable about the key. Only this is ever logged, never a key.
 *
 * Return: 0, -EINVAL for a bad argument, -EIO if libcrypto fails (@out is
 * then the empty string).
 */
int tlstund_keysched_fingerprint(const uint8_t *key, size_t keylen,
				 char out[TLSTUND_FP_STRLEN]);

/**
 * tlstund_spi_alloc_init() - start a session's receive-SPI allocator
 * @a: allocator
 * @role: this peer's role
 * @rnd: a uniformly random value from the caller (the daemon draws it from
 *	getrandom()); the first counter is 1 + @rnd % TLSTUND_SPI_START_SPAN
 *
 * The random start keeps an off-path attacker from knowing which SPIs
 * are live. It is in the lower half of the counter space so that a
 * session has room for at least (2^30 - 2^29) / TLSTUND_SPI_STEP_SPAN =
 * 32768 allocations.
 *
 * Return: 0, or -EINVAL for NULL or an unknown role.
 */
int tlstund_spi_alloc_init(struct tlstund_spi_alloc *a, enum tlstund_role role,
			   uint32_t rnd);

/**
 * tlstund_spi_alloc_next() - allocate the next receive SPI
 * @a: allocator
 * @rnd: a uniformly random value from the caller: the counter after this
 *	one lies 1 + @rnd % TLSTUND_SPI_STEP_SPAN above it
 * @spi: receives the SPI
 *
 * The n-th allocation (n = 1, 2, ...) gets the current counter, this
 * peer's role bit and master-key bit (n - 1) & 1, so consecutive SA
 * generations alternate master keys. Counters strictly increase, so the
 * allocator never returns zero and never the same SPI twice in a session;
 * the random gaps keep the next SPI from following from the last. With
 * @rnd always 0 it counts 1, 2, 3, ... (the test vectors).
 *
 * Return: 0, -EINVAL for NULL or a corrupted allocator, or -ENOSPC once
 * the counter would pass 2^30 - 1; it never wraps. The session must then
 * end and a new handshake start.
 */
int tlstund_spi_alloc_next(struct tlstund_spi_alloc *a, uint32_t rnd,
			   uint32_t *spi);

/**
 * tlstund_spi_valid_for_peer() - is @spi a well-formed SPI of the peer?
 * @spi: SPI the peer offered as its receive SPI (our transmit SPI)
 * @peer_role: the peer's role
 *
 * Return: true when the counter field is non-zero (so the SPI is non-zero)
 * and bit 30 is the peer's role bit. The master-key bit is not checked:
 * any value derives the same key on both ends.
 */
bool tlstund_spi_valid_for_peer(uint32_t spi, enum tlstund_role peer_role);

/**
 * tlstund_spi_peer_init() - start tracking the SPIs a peer offers
 * @p: tracker
 * @peer_role: the peer's role
 *
 * Return: 0, or -EINVAL for NULL or an unknown role.
 */
int tlstund_spi_peer_init(struct tlstund_spi_peer *p,
			  enum tlstund_role peer_role);

/**
 * tlstund_spi_peer_accept() - accept a receive SPI offered by the peer
 * @p: tracker
 * @spi: the offered SPI
 *
 * A repeated SPI would give a transmit SA the key of an earlier one with
 * its counter reset to zero, repeating (key, nonce) pairs. Peers allocate
 * counters in increasing order, so anything not above the last is refused.
 *
 * Return: 0 and @p updated, -EINVAL if @spi fails
 * tlstund_spi_valid_for_peer(), or -EALREADY if its counter is not above
 * every counter accepted before in this session.
 */
int tlstund_spi_peer_accept(struct tlstund_spi_peer *p, uint32_t spi);

#endif /* TLSTUND_KEYSCHED_H */
