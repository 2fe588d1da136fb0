// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund control protocol codec (Documentation/control-protocol.rst).
 *
 * Pure byte handling: no I/O, no allocation, no clock, no crypto, so the
 * very same file is linked into the daemon, the unit tests and the fuzzer.
 *
 * The body layout of every message lives in one table, fields[]; the
 * encoder walks it to write, the decoder to parse, and both hand the
 * result to one value checker, tlstund_proto_check(). What the encoder can
 * write is therefore exactly what the decoder accepts, and a frame has one
 * encoding only: TLVs in ascending type order, lists ascending, optional
 * fields absent rather than empty.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "proto.h"

enum kind {
	KIND_U16,
	KIND_U32,
	KIND_U64,
	KIND_LIST,	/* be16 entries, count kept in the byte at aux */
	KIND_TEXT,	/* bytes, length kept in the byte at aux */
};

struct field {
	uint8_t msg;
	uint8_t tlv;
	uint8_t kind;
	bool required;
	uint16_t off;
	uint16_t aux;
};

#define F(m, t, k, req, member, auxm)					\
	{ .msg = TLSTUND_MSG_##m, .tlv = TLSTUND_TLV_##t,		\
	  .kind = KIND_##k, .required = req,				\
	  .off = offsetof(struct tlstund_msg, member),			\
	  .aux = offsetof(struct tlstund_msg, auxm) }

/* Per message, in ascending TLV order: the encoder writes in table order. */
static const struct field fields[] = {
	F(HELLO, VERSIONS, LIST, true, hello.versions, hello.n_versions),
	F(HELLO, SUITES, LIST, true, hello.suites, hello.n_suites),
	F(HELLO, VNI, U32, true, hello.vni, hello.vni),
	F(HELLO, REKEY_INTERVAL, U32, true, hello.rekey_interval,
	  hello.rekey_interval),
	F(SA_OFFER, GENERATION, U32, true, sa_offer.generation,
	  sa_offer.generation),
	F(SA_OFFER, SPI, U32, true, sa_offer.spi, sa_offer.spi),
	F(SA_OFFER, SUITE, U16, true, sa_offer.suite, sa_offer.suite),
	F(ACK, GENERATION, U32, true, ack.generation, ack.generation),
	F(ACK, SPI, U32, true, ack.spi, ack.spi),
	F(REKEY, GENERATION, U32, true, rekey.generation, rekey.generation),
	F(PING, COOKIE, U64, true, ping.cookie, ping.cookie),
	F(PONG, COOKIE, U64, true, ping.cookie, ping.cookie),
	F(CLOSE, REASON, U16, true, close.reason, close.reason),
	F(CLOSE, TEXT, TEXT, false, close.text, close.text_len),
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, v);
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)get_be16(p) << 16 | get_be16(p + 2);
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static void *at(struct tlstund_msg *msg, uint16_t off)
{
	return (uint8_t *)msg + off;
}

static const void *cat(const struct tlstund_msg *msg, uint16_t off)
{
	return (const uint8_t *)msg + off;
}

static const struct field *find_field(uint8_t msg, uint16_t tlv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (fields[i].msg == msg && fields[i].tlv == tlv)
			return &fields[i];
	return NULL;
}

static int check_list(const uint16_t *v, unsigned int n, int zero_err)
{
	unsigned int i;

	if (n == 0 || n > TLSTUND_PROTO_LIST_MAX)
		return -TLSTUND_PROTO_E_LIST_LEN;
	for (i = 0; i < n; i++) {
		if (v[i] == 0)
			return -zero_err;
		/* Ascending order makes duplicates impossible and gives the
		 * list one encoding; the receiver needs no particular order.
		 */
		if (i && v[i] <= v[i - 1])
			return -TLSTUND_PROTO_E_LIST_ORDER;
	}
	return 0;
}

static bool suite_known(uint16_t suite)
{
	return suite >= 1 && suite <= TLSTUN_SUITE_MAX;
}

/**
 * tlstund_proto_check() - validate the values of a message
 * @msg: message to check; its type selects the member
 *
 * Applies every value rule of the protocol that does not depend on session
 * state. The decoder runs it on every frame it accepts and the encoder on
 * every message it writes, so the two agree by construction.
 *
 * Return: 0, or a negative enum tlstund_proto_err.
 */
int tlstund_proto_check(const struct tlstund_msg *msg)
{
	const struct tlstund_msg_hello *h = &msg->hello;
	const struct tlstund_msg_close *c = &msg->close;
	unsigned int i;
	int err;

	switch (msg->type) {
	case TLSTUND_MSG_HELLO:
		err = check_list(h->versions, h->n_versions,
				 TLSTUND_PROTO_E_BAD_VERSION);
		if (!err)
			err = check_list(h->suites, h->n_suites,
					 TLSTUND_PROTO_E_BAD_SUITE);
		if (err)
			return err;
		if (h->vni > TLSTUND_PROTO_VNI_MAX)
			return -TLSTUND_PROTO_E_BAD_VNI;
		if (h->rekey_interval < TLSTUND_PROTO_REKEY_MIN_S ||
		    h->rekey_interval > TLSTUND_PROTO_REKEY_MAX_S)
			return -TLSTUND_PROTO_E_BAD_INTERVAL;
		return 0;
	case TLSTUND_MSG_SA_OFFER:
		if (!msg->sa_offer.generation)
			return -TLSTUND_PROTO_E_BAD_GENERATION;
		if (!msg->sa_offer.spi)
			return -TLSTUND_PROTO_E_ZERO_SPI;
		/* Unlike a HELLO list, an offer names the suite an SA was
		 * installed with, so it must be one this version defines.
		 */
		if (!suite_known(msg->sa_offer.suite))
			return -TLSTUND_PROTO_E_BAD_SUITE;
		return 0;
	case TLSTUND_MSG_ACK:
		if (!msg->ack.generation)
			return -TLSTUND_PROTO_E_BAD_GENERATION;
		if (!msg->ack.spi)
			return -TLSTUND_PROTO_E_ZERO_SPI;
		return 0;
	case TLSTUND_MSG_REKEY:
		/* Generation 1 is made by the HELLO exchange, never asked. */
		if (msg->rekey.generation < 2)
			return -TLSTUND_PROTO_E_BAD_GENERATION;
		return 0;
	case TLSTUND_MSG_PING:
	case TLSTUND_MSG_PONG:
		return 0;
	case TLSTUND_MSG_CLOSE:
		if (c->reason < 1 || c->reason > TLSTUND_CLOSE_MAX)
			return -TLSTUND_PROTO_E_BAD_REASON;
		if (c->text_len > TLSTUND_PROTO_TEXT_MAX)
			return -TLSTUND_PROTO_E_TLV_LEN;
		/* The text ends up in logs: no control bytes, no escapes. */
		for (i = 0; i < c->text_len; i++)
			if (c->text[i] < 0x20 || c->text[i] > 0x7e)
				return -TLSTUND_PROTO_E_BAD_TEXT;
		return 0;
	default:
		return -TLSTUND_PROTO_E_BAD_TYPE;
	}
}

static size_t value_len(const struct tlstund_msg *msg, const struct field *f)
{
	switch (f->kind) {
	case KIND_U16:
		return 2;
	case KIND_U32:
		return 4;
	case KIND_U64:
		return 8;
	case KIND_LIST:
		return 2 * (size_t)*(const uint8_t *)cat(msg, f->aux);
	default:
		return *(const uint8_t *)cat(msg, f->aux);
	}
}

static void put_value(uint8_t *p, const struct tlstund_msg *msg,
		      const struct field *f, size_t len)
{
	const uint16_t *list;
	size_t i;

	switch (f->kind) {
	case KIND_U16:
		put_be16(p, *(const uint16_t *)cat(msg, f->off));
		break;
	case KIND_U32:
		put_be32(p, *(const uint32_t *)cat(msg, f->off));
		break;
	case KIND_U64:
		put_be64(p, *(const uint64_t *)cat(msg, f->off));
		break;
	case KIND_LIST:
		list = cat(msg, f->off);
		for (i = 0; i < len / 2; i++)
			put_be16(p + 2 * i, list[i]);
		break;
	default:
		memcpy(p, cat(msg, f->off), len);
		break;
	}
}

/**
 * tlstund_proto_encode() - write one message as a frame
 * @msg: message; must pass tlstund_proto_check()
 * @buf: destination
 * @len: size of @buf; TLSTUND_PROTO_MAX_FRAME always suffices
 *
 * Return: the frame length, -EINVAL for a message the decoder would refuse
 * (tlstund_proto_check() says why), or -ENOSPC if @len is too small, in
 * which case @buf is untouched.
 */
int tlstund_proto_encode(const struct tlstund_msg *msg, uint8_t *buf,
			 size_t len)
{
	size_t i, n, body = 0, pos = TLSTUND_PROTO_HDR_LEN;

	if (tlstund_proto_check(msg))
		return -EINVAL;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (fields[i].msg != msg->type)
			continue;
		n = value_len(msg, &fields[i]);
		if (n || fields[i].required)
			body += TLSTUND_PROTO_TLV_HDR_LEN + n;
	}
	/* The limits in proto.h keep every v1 message far below this. */
	if (body > TLSTUND_PROTO_MAX_BODY)
		return -EINVAL;
	if (len < TLSTUND_PROTO_HDR_LEN + body)
		return -ENOSPC;

	buf[0] = msg->type;
	buf[1] = 0;
	put_be16(buf + 2, body);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (fields[i].msg != msg->type)
			continue;
		n = value_len(msg, &fields[i]);
		if (!n && !fields[i].required)
			continue;
		put_be16(buf + pos, fields[i].tlv);
		put_be16(buf + pos + 2, n);
		put_value(buf + pos + TLSTUND_PROTO_TLV_HDR_LEN, msg,
			  &fields[i], n);
		pos += TLSTUND_PROTO_TLV_HDR_LEN + n;
	}
	return pos;
}

/* Checked in the same order by the decoder and, as soon as the header is
 * in, by the stream reader, so both report the same first error.
 */
static int check_header(const uint8_t *hdr, size_t *body)
{
	if (hdr[0] < 1 || hdr[0] > TLSTUND_MSG_MAX)
		return -TLSTUND_PROTO_E_BAD_TYPE;
	if (hdr[1])
		return -TLSTUND_PROTO_E_BAD_FLAGS;
	*body = get_be16(hdr + 2);
	if (*body > TLSTUND_PROTO_MAX_BODY)
		return -TLSTUND_PROTO_E_TOO_BIG;
	return 0;
}

static int get_value(struct tlstund_msg *msg, const struct field *f,
		     const uint8_t *v, size_t len)
{
	uint16_t *list;
	size_t i;

	switch (f->kind) {
	case KIND_U16:
		if (len != 2)
			return -TLSTUND_PROTO_E_TLV_LEN;
		*(uint16_t *)at(msg, f->off) = get_be16(v);
		return 0;
	case KIND_U32:
		if (len != 4)
			return -TLSTUND_PROTO_E_TLV_LEN;
		*(uint32_t *)at(msg, f->off) = get_be32(v);
		return 0;
	case KIND_U64:
		if (len != 8)
			return -TLSTUND_PROTO_E_TLV_LEN;
		*(uint64_t *)at(msg, f->off) = get_be64(v);
		return 0;
	case KIND_LIST:
		if (len % 2)
			return -TLSTUND_PROTO_E_TLV_LEN;
		if (!len || len / 2 > TLSTUND_PROTO_LIST_MAX)
			return -TLSTUND_PROTO_E_LIST_LEN;
		list = at(msg, f->off);
		for (i = 0; i < len / 2; i++)
			list[i] = get_be16(v + 2 * i);
		*(uint8_t *)at(msg, f->aux) = len / 2;
		return 0;
	default:
		/* Empty text is sent by leaving the TLV out, never as 0. */
		if (!len || len > TLSTUND_PROTO_TEXT_MAX)
			return -TLSTUND_PROTO_E_TLV_LEN;
		memcpy(at(msg, f->off), v, len);
		*(uint8_t *)at(msg, f->aux) = len;
		return 0;
	}
}

static int decode_body(const uint8_t *p, size_t len, struct tlstund_msg *msg)
{
	uint32_t seen = 0;
	const struct field *f;
	size_t i, vlen;
	int prev = -1;
	uint16_t t;
	int err;

	while (len) {
		if (len < TLSTUND_PROTO_TLV_HDR_LEN)
			return -TLSTUND_PROTO_E_TLV_TRUNCATED;
		t = get_be16(p);
		vlen = get_be16(p + 2);
		p += TLSTUND_PROTO_TLV_HDR_LEN;
		len -= TLSTUND_PROTO_TLV_HDR_LEN;
		if (vlen > len)
			return -TLSTUND_PROTO_E_TLV_TRUNCATED;
		if (t == prev)
			return -TLSTUND_PROTO_E_DUP_TLV;
		if (t < prev)
			return -TLSTUND_PROTO_E_TLV_ORDER;
		prev = t;

		if (t >= 1 && t <= TLSTUND_TLV_MAX) {
			f = find_field(msg->type, t);
			if (!f)
				return -TLSTUND_PROTO_E_UNEXPECTED_TLV;
			err = get_value(msg, f, p, vlen);
			if (err)
				return err;
			seen |= 1U << t;
		} else if (t & TLSTUND_PROTO_TLV_OPTIONAL) {
			/* Room for a later version to add to HELLO, which
			 * has to be read before any version is agreed.
			 */
			msg->skipped++;
		} else {
			return -TLSTUND_PROTO_E_UNKNOWN_TLV;
		}
		p += vlen;
		len -= vlen;
	}

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (fields[i].msg == msg->type && fields[i].required &&
		    !(seen & 1U << fields[i].tlv))
			return -TLSTUND_PROTO_E_MISSING_TLV;
	return tlstund_proto_check(msg);
}

/**
 * tlstund_proto_decode() - parse exactly one frame
 * @buf: the frame
 * @len: its length; fewer or more bytes than the header announces are an
 *       error
 * @msg: filled in; zeroed first, so it is all-zero past what was decoded
 *
 * Return: 0, or a negative enum tlstund_proto_err naming the first rule
 * the frame breaks. Any error closes the session (TLSTUND_CLOSE_PROTOCOL).
 */
int tlstund_proto_decode(const uint8_t *buf, size_t len,
			 struct tlstund_msg *msg)
{
	size_t body;
	int err;

	memset(msg, 0, sizeof(*msg));
	if (len < TLSTUND_PROTO_HDR_LEN)
		return -TLSTUND_PROTO_E_TRUNCATED;
	err = check_header(buf, &body);
	if (err)
		return err;
	if (len < TLSTUND_PROTO_HDR_LEN + body)
		return -TLSTUND_PROTO_E_TRUNCATED;
	if (len > TLSTUND_PROTO_HDR_LEN + body)
		return -TLSTUND_PROTO_E_TRAILING;
	msg->type = buf[0];
	return decode_body(buf + TLSTUND_PROTO_HDR_LEN, body, msg);
}

/**
 * tlstund_proto_reader_init() - start reassembly at a frame boundary
 * @r: reader
 */
void tlstund_proto_reader_init(struct tlstund_proto_reader *r)
{
	r->have = 0;
	r->err = 0;
}

/**
 * tlstund_proto_reader_push() - feed transport bytes, get at most one frame
 * @r: reader
 * @data: bytes as read from the transport
 * @len: how many
 * @used: set to how many bytes of @data were taken
 * @msg: the decoded frame when 1 is returned
 *
 * Bytes are taken only up to the end of the first complete frame; call
 * again with the rest (@data + *@used) until 0 is returned. The header is
 * checked as soon as its four bytes are in, so an oversized or unknown
 * frame fails without its body being read.
 *
 * Return: 1 with @msg filled, 0 when all of @data was taken and no frame
 * is complete, or a negative enum tlstund_proto_err. Errors are sticky:
 * the stream cannot be resynchronised and the session must close.
 */
int tlstund_proto_reader_push(struct tlstund_proto_reader *r,
			      const uint8_t *data, size_t len, size_t *used,
			      struct tlstund_msg *msg)
{
	size_t off = 0, take, body, flen;
	int err;

	*used = 0;
	if (r->err)
		return r->err;

	if (r->have < TLSTUND_PROTO_HDR_LEN) {
		take = TLSTUND_PROTO_HDR_LEN - r->have;
		if (take > len)
			take = len;
		memcpy(r->buf + r->have, data, take);
		r->have += take;
		off = take;
		*used = off;
		if (r->have < TLSTUND_PROTO_HDR_LEN)
			return 0;
	}
	err = check_header(r->buf, &body);
	if (err)
		goto fail;

	flen = TLSTUND_PROTO_HDR_LEN + body;
	take = flen - r->have;
	if (take > len - off)
		take = len - off;
	memcpy(r->buf + r->have, data + off, take);
	r->have += take;
	*used = off + take;
	if (r->have < flen)
		return 0;

	r->have = 0;
	err = tlstund_proto_decode(r->buf, flen, msg);
	if (err)
		goto fail;
	return 1;

fail:
	r->err = err;
	return err;
}

/**
 * tlstund_proto_reader_eof() - the transport reached end of stream
 * @r: reader
 *
 * Return: 0 if the stream ended between frames, the sticky error if the
 * reader had failed, else -TLSTUND_PROTO_E_TRUNCATED.
 */
int tlstund_proto_reader_eof(const struct tlstund_proto_reader *r)
{
	if (r->err)
		return r->err;
	return r->have ? -TLSTUND_PROTO_E_TRUNCATED : 0;
}

static const char *const errors[] = {
	[0] = "success",
	[TLSTUND_PROTO_E_TRUNCATED] = "frame truncated",
	[TLSTUND_PROTO_E_TRAILING] = "bytes after the frame",
	[TLSTUND_PROTO_E_TOO_BIG] = "frame longer than 1024 bytes",
	[TLSTUND_PROTO_E_BAD_TYPE] = "unknown frame type",
	[TLSTUND_PROTO_E_BAD_FLAGS] = "reserved frame flags set",
	[TLSTUND_PROTO_E_TLV_TRUNCATED] = "TLV runs past the frame body",
	[TLSTUND_PROTO_E_UNKNOWN_TLV] = "unknown mandatory TLV",
	[TLSTUND_PROTO_E_UNEXPECTED_TLV] = "TLV not allowed in this message",
	[TLSTUND_PROTO_E_DUP_TLV] = "duplicate TLV",
	[TLSTUND_PROTO_E_TLV_ORDER] = "TLVs not in ascending type order",
	[TLSTUND_PROTO_E_TLV_LEN] = "wrong TLV length",
	[TLSTUND_PROTO_E_MISSING_TLV] = "required TLV missing",
	[TLSTUND_PROTO_E_LIST_LEN] = "list empty or longer than 8 entries",
	[TLSTUND_PROTO_E_LIST_ORDER] = "list not strictly ascending",
	[TLSTUND_PROTO_E_BAD_VERSION] = "protocol version 0",
	[TLSTUND_PROTO_E_BAD_SUITE] = "unknown or zero suite",
	[TLSTUND_PROTO_E_BAD_VNI] = "VNI wider than 24 bits",
	[TLSTUND_PROTO_E_BAD_INTERVAL] = "rekey interval out of range",
	[TLSTUND_PROTO_E_BAD_GENERATION] = "invalid generation",
	[TLSTUND_PROTO_E_ZERO_SPI] = "SPI is zero",
	[TLSTUND_PROTO_E_BAD_REASON] = "unknown close reason",
	[TLSTUND_PROTO_E_BAD_TEXT] = "close text not printable ASCII",
};

/**
 * tlstund_proto_strerror() - describe a decoder or reader error
 * @err: enum tlstund_proto_err, negated or not
 *
 * Return: a static string; never NULL.
 */
const char *tlstund_proto_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err > TLSTUND_PROTO_E_MAX)
		return "unknown protocol error";
	return errors[err];
}

static const char *name_of(const char *const *names, int max, int v)
{
	return v >= 1 && v <= max ? names[v] : "unknown";
}

static const char *const types[] = {
	[TLSTUND_MSG_HELLO] = "HELLO",
	[TLSTUND_MSG_SA_OFFER] = "SA_OFFER",
	[TLSTUND_MSG_ACK] = "ACK",
	[TLSTUND_MSG_REKEY] = "REKEY",
	[TLSTUND_MSG_PING] = "PING",
	[TLSTUND_MSG_PONG] = "PONG",
	[TLSTUND_MSG_CLOSE] = "CLOSE",
};

/**
 * tlstund_proto_type_name() - name of a frame type, for logs
 * @type: enum tlstund_msg_type
 *
 * Return: a static string; "unknown" outside the enum.
 */
const char *tlstund_proto_type_name(int type)
{
	return name_of(types, TLSTUND_MSG_MAX, type);
}

static const char *const reasons[] = {
	[TLSTUND_CLOSE_NORMAL] = "normal",
	[TLSTUND_CLOSE_PROTOCOL] = "protocol-error",
	[TLSTUND_CLOSE_VERSION] = "no-common-version",
	[TLSTUND_CLOSE_SUITE] = "suite-mismatch",
	[TLSTUND_CLOSE_VNI] = "vni-mismatch",
	[TLSTUND_CLOSE_INSTALL] = "sa-install-failed",
	[TLSTUND_CLOSE_TIMEOUT] = "timeout",
	[TLSTUND_CLOSE_DUPLICATE] = "duplicate-session",
	[TLSTUND_CLOSE_POLICY] = "policy",
	[TLSTUND_CLOSE_INTERNAL] = "internal-error",
};

/**
 * tlstund_proto_reason_name() - name of a CLOSE reason, for logs
 * @reason: enum tlstund_close_reason
 *
 * Return: a static string; "unknown" outside the enum.
 */
const char *tlstund_proto_reason_name(int reason)
{
	return name_of(reasons, TLSTUND_CLOSE_MAX, reason);
}
