/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlstund control protocol: frame codec and stream reassembly.
 *
 * The two daemons of a tunnel talk over the byte stream of an authenticated
 * TLS 1.3 session (TCP now, a QUIC stream later). This file knows nothing of
 * the transport, of OpenSSL or of time: it turns messages into frames and
 * frames into messages, strictly. Documentation/control-protocol.rst is the
 * specification; the numbers below are the wire values it defines.
 *
 * Frame:  type (u8) | flags (u8, 0) | body length (be16) | body
 * Body:   TLVs, type (be16) | length (be16) | value, in ascending type order.
 */
#ifndef TLSTUND_PROTO_H
#define TLSTUND_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/tlstun.h>

/* The only version this code speaks. */
#define TLSTUND_PROTO_VERSION		1

#define TLSTUND_PROTO_HDR_LEN		4
#define TLSTUND_PROTO_MAX_FRAME		1024	/* header included */
#define TLSTUND_PROTO_MAX_BODY		(TLSTUND_PROTO_MAX_FRAME - \
					 TLSTUND_PROTO_HDR_LEN)
#define TLSTUND_PROTO_TLV_HDR_LEN	4
#define TLSTUND_PROTO_LIST_MAX		8	/* entries in a HELLO list */
#define TLSTUND_PROTO_TEXT_MAX		64	/* CLOSE text, bytes */
#define TLSTUND_PROTO_VNI_MAX		0xffffffU

/* A TLV type with this bit set may be skipped by a receiver that does not
 * know it; any other unknown TLV type is an error.
 */
#define TLSTUND_PROTO_TLV_OPTIONAL	0x8000U

/* Timers and limits the session layer applies (control-protocol.rst). */
#define TLSTUND_PROTO_REKEY_MIN_S	30
#define TLSTUND_PROTO_REKEY_MAX_S	86400
#define TLSTUND_PROTO_REKEY_DEFAULT_S	600
#define TLSTUND_PROTO_HELLO_TIMEOUT_MS	10000
#define TLSTUND_PROTO_OFFER_TIMEOUT_MS	10000
#define TLSTUND_PROTO_GRACE_MS		5000
#define TLSTUND_PROTO_PING_INTERVAL_MS	15000
#define TLSTUND_PROTO_DEAD_MS		45000

enum tlstund_msg_type {
	TLSTUND_MSG_HELLO = 1,
	TLSTUND_MSG_SA_OFFER,
	TLSTUND_MSG_ACK,
	TLSTUND_MSG_REKEY,
	TLSTUND_MSG_PING,
	TLSTUND_MSG_PONG,
	TLSTUND_MSG_CLOSE,
	__TLSTUND_MSG_MAX
};
#define TLSTUND_MSG_MAX (__TLSTUND_MSG_MAX - 1)

enum tlstund_tlv_type {
	TLSTUND_TLV_VERSIONS = 1,	/* list of be16 */
	TLSTUND_TLV_SUITES,		/* list of be16, enum tlstun_suite */
	TLSTUND_TLV_VNI,		/* be32, 24 bits used */
	TLSTUND_TLV_REKEY_INTERVAL,	/* be32, seconds */
	TLSTUND_TLV_GENERATION,		/* be32 */
	TLSTUND_TLV_SPI,		/* be32, non-zero */
	TLSTUND_TLV_SUITE,		/* be16, enum tlstun_suite */
	TLSTUND_TLV_COOKIE,		/* be64 */
	TLSTUND_TLV_REASON,		/* be16, enum tlstund_close_reason */
	TLSTUND_TLV_TEXT,		/* printable ASCII, 1..TEXT_MAX */
	__TLSTUND_TLV_MAX
};
#define TLSTUND_TLV_MAX (__TLSTUND_TLV_MAX - 1)

enum tlstund_close_reason {
	TLSTUND_CLOSE_NORMAL = 1,	/* shutdown or peer removed */
	TLSTUND_CLOSE_PROTOCOL,		/* malformed or unexpected frame */
	TLSTUND_CLOSE_VERSION,		/* no common protocol version */
	TLSTUND_CLOSE_SUITE,		/* no common suite, or offer off it */
	TLSTUND_CLOSE_VNI,		/* the two sides configure other VNIs */
	TLSTUND_CLOSE_INSTALL,		/* the kernel refused an SA */
	TLSTUND_CLOSE_TIMEOUT,		/* HELLO, ACK or liveness timer */
	TLSTUND_CLOSE_DUPLICATE,	/* lost the simultaneous-session race */
	TLSTUND_CLOSE_POLICY,		/* peer no longer trusted (reload) */
	TLSTUND_CLOSE_INTERNAL,		/* local failure, exhausted space */
	__TLSTUND_CLOSE_MAX
};
#define TLSTUND_CLOSE_MAX (__TLSTUND_CLOSE_MAX - 1)

/* Decoder and reader errors; functions return them negated. */
enum tlstund_proto_err {
	TLSTUND_PROTO_E_TRUNCATED = 1,	/* fewer bytes than the frame */
	TLSTUND_PROTO_E_TRAILING,	/* bytes after the frame */
	TLSTUND_PROTO_E_TOO_BIG,	/* body length over MAX_BODY */
	TLSTUND_PROTO_E_BAD_TYPE,	/* unknown frame type */
	TLSTUND_PROTO_E_BAD_FLAGS,	/* reserved flag bits set */
	TLSTUND_PROTO_E_TLV_TRUNCATED,	/* TLV runs past the body */
	TLSTUND_PROTO_E_UNKNOWN_TLV,	/* unknown, not optional */
	TLSTUND_PROTO_E_UNEXPECTED_TLV,	/* known, not in this message */
	TLSTUND_PROTO_E_DUP_TLV,
	TLSTUND_PROTO_E_TLV_ORDER,	/* TLV types not ascending */
	TLSTUND_PROTO_E_TLV_LEN,	/* wrong length for the TLV */
	TLSTUND_PROTO_E_MISSING_TLV,	/* required TLV absent */
	TLSTUND_PROTO_E_LIST_LEN,	/* list empty or over LIST_MAX */
	TLSTUND_PROTO_E_LIST_ORDER,	/* list not strictly ascending */
	TLSTUND_PROTO_E_BAD_VERSION,	/* version 0 */
	TLSTUND_PROTO_E_BAD_SUITE,
	TLSTUND_PROTO_E_BAD_VNI,	/* over 24 bits */
	TLSTUND_PROTO_E_BAD_INTERVAL,	/* rekey interval out of range */
	TLSTUND_PROTO_E_BAD_GENERATION,
	TLSTUND_PROTO_E_ZERO_SPI,
	TLSTUND_PROTO_E_BAD_REASON,
	TLSTUND_PROTO_E_BAD_TEXT,
	__TLSTUND_PROTO_E_MAX
};
#define TLSTUND_PROTO_E_MAX (__TLSTUND_PROTO_E_MAX - 1)

struct tlstund_msg_hello {
	uint16_t versions[TLSTUND_PROTO_LIST_MAX];	/* ascending */
	uint16_t suites[TLSTUND_PROTO_LIST_MAX];	/* ascending */
	uint8_t n_versions;
	uint8_t n_suites;
	uint32_t vni;
	uint32_t rekey_interval;			/* seconds */
};

/* The sender's own receive SA of one generation. */
struct tlstund_msg_sa_offer {
	uint32_t generation;
	uint32_t spi;
	uint16_t suite;
};

/* The sender now transmits under the peer's offered SPI. */
struct tlstund_msg_ack {
	uint32_t generation;
	uint32_t spi;
};

struct tlstund_msg_rekey {
	uint32_t generation;	/* the generation asked for, >= 2 */
};

/* PING and PONG; a PONG echoes the cookie of the PING it answers. */
struct tlstund_msg_ping {
	uint64_t cookie;
};

struct tlstund_msg_close {
	uint16_t reason;
	uint8_t text_len;				/* 0: no text */
	char text[TLSTUND_PROTO_TEXT_MAX + 1];		/* NUL-terminated */
};

struct tlstund_msg {
	uint8_t type;		/* enum tlstund_msg_type */
	uint16_t skipped;	/* optional TLVs the decoder did not know */
	union {
		struct tlstund_msg_hello hello;
		struct tlstund_msg_sa_offer sa_offer;
		struct tlstund_msg_ack ack;
		struct tlstund_msg_rekey rekey;
		struct tlstund_msg_ping ping;
		struct tlstund_msg_close close;
	};
};

/*
 * Stream reassembly. The buffer holds at most one frame; a frame whose
 * header announces more than MAX_BODY fails before any body byte is kept.
 */
struct tlstund_proto_reader {
	size_t have;
	int err;	/* sticky: 0 or a negative enum tlstund_proto_err */
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME];
};

int tlstund_proto_check(const struct tlstund_msg *msg);
int tlstund_proto_encode(const struct tlstund_msg *msg, uint8_t *buf,
			 size_t len);
int tlstund_proto_decode(const uint8_t *buf, size_t len,
			 struct tlstund_msg *msg);

void tlstund_proto_reader_init(struct tlstund_proto_reader *r);
int tlstund_proto_reader_push(struct tlstund_proto_reader *r,
			      const uint8_t *data, size_t len, size_t *used,
			      struct tlstund_msg *msg);
int tlstund_proto_reader_eof(const struct tlstund_proto_reader *r);

const char *tlstund_proto_strerror(int err);
const char *tlstund_proto_type_name(int type);
const char *tlstund_proto_reason_name(int reason);

#endif /* TLSTUND_PROTO_H */
