// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control protocol codec (tlshd/proto.c).
 *
 * 1. The input as one frame: whatever the decoder accepts must pass the
 *    checker, re-encode, and (when no optional TLV was skipped) re-encode
 *    to the very same bytes: there is one encoding per message.
 * 2. The input as a stream: a reference walk splits it into frames with
 *    the one-frame decoder; the stream reader, fed in chunk sizes drawn
 *    from a hash of the input, must yield the same messages and the same
 *    first error at the same place.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void one_frame(const uint8_t *data, size_t size)
{
	uint8_t buf[TLSTUND_PROTO_MAX_FRAME];
	struct tlstund_msg m, again;
	int err, n;

	err = tlstund_proto_decode(data, size, &m);
	if (err) {
		CHECK(err < 0 && -err <= TLSTUND_PROTO_E_MAX);
		CHECK(tlstund_proto_strerror(err)[0]);
		return;
	}
	CHECK(size <= TLSTUND_PROTO_MAX_FRAME);
	CHECK(tlstund_proto_check(&m) == 0);
	n = tlstund_proto_encode(&m, buf, sizeof(buf));
	CHECK(n >= TLSTUND_PROTO_HDR_LEN);
	if (!m.skipped) {
		CHECK((size_t)n == size);
		CHECK(!memcmp(buf, data, size));
	} else {
		/* Skipped TLVs are dropped; what remains is canonical. */
		CHECK((size_t)n < size);
		CHECK(tlstund_proto_decode(buf, n, &again) == 0);
		CHECK(again.skipped == 0);
		again.skipped = m.skipped;
		CHECK(!memcmp(&again, &m, sizeof(m)));
	}
	CHECK(tlstund_proto_encode(&m, buf, n - 1) == -ENOSPC);
}

/* The next event a correct reader must produce for the frame at @off. */
struct event {
	int ret;		/* 1 frame, 0 incomplete, <0 error */
	size_t end;		/* input offset just after the frame */
	struct tlstund_msg msg;
};

static struct event expect(const uint8_t *data, size_t size, size_t off)
{
	struct event ev = { .ret = 0, .end = size };
	size_t left = size - off, flen;

	if (left < TLSTUND_PROTO_HDR_LEN)
		return ev;
	flen = TLSTUND_PROTO_HDR_LEN + (data[off + 2] << 8 | data[off + 3]);
	/* Given too few bytes the decoder still judges the header first. */
	ev.ret = tlstund_proto_decode(data + off, left < flen ? left : flen,
				      &ev.msg);
	if (left < flen) {
		if (ev.ret == -TLSTUND_PROTO_E_TRUNCATED)
			ev.ret = 0;
		return ev;
	}
	ev.end = off + flen;
	if (!ev.ret)
		ev.ret = 1;
	return ev;
}

static void stream(const uint8_t *data, size_t size)
{
	struct tlstund_proto_reader r;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t off = 0, start = 0, end, used, i;
	struct tlstund_msg got;
	struct event ev;
	int ret;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;

	tlstund_proto_reader_init(&r);
	ev = expect(data, size, 0);
	while (off < size) {
		/* Mostly short chunks, now and then a long one. */
		h ^= h << 13;
		h ^= h >> 7;
		h ^= h << 17;
		end = off + 1 + (h >> 8) % (h & 0x3 ? 9 : 2048);
		if (end > size)
			end = size;
		while (off < end) {
			ret = tlstund_proto_reader_push(&r, data + off,
							end - off, &used,
							&got);
			CHECK(used <= end - off);
			off += used;
			if (ret == 0) {
				CHECK(off == end);
				continue;
			}
			CHECK(ret == ev.ret);
			if (ret < 0) {
				/* Sticky, and nothing more is taken. */
				CHECK(tlstund_proto_reader_push(&r, data, size,
						&used, &got) == ret);
				CHECK(used == 0);
				CHECK(tlstund_proto_reader_eof(&r) == ret);
				return;
			}
			CHECK(off == ev.end);
			CHECK(!memcmp(&got, &ev.msg, sizeof(got)));
			start = off;
			ev = expect(data, size, off);
		}
	}
	/* All input taken without the event the reference expected next:
	 * only right if that frame is incomplete.
	 */
	CHECK(ev.ret == 0);
	CHECK(tlstund_proto_reader_eof(&r) ==
	      (start == size ? 0 : -TLSTUND_PROTO_E_TRUNCATED));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_frame(data, size);
	stream(data, size);
	return 0;
}
