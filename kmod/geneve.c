// SPDX-License-Identifier: GPL-2.0
/*
 * Build and parse the tlstun Geneve header. Byte layout (RFC 8926 section
 * 3.4, Documentation/wire-format.rst):
 *
 *   0: Ver(2)=0 | Opt Len(6)=4      1: O(1)=0 | C(1)=1 | Rsvd(6)=0
 *   2: Protocol Type 0x6558          4: VNI(24)   7: Reserved(8)=0
 *   8: Option Class 0xfff7          10: Type 0x81
 *  11: R(3)=0 | Length(5)=3         12: SPI (be32)   16: counter (be64)
 *
 * This file is compiled into the module and into host tests: it may use
 * nothing beyond types.h.
 */

#include "types.h"
#include "geneve.h"

#define VER_SHIFT	6
#define OPT_LEN_MASK	0x3f
#define O_BIT		0x80
#define C_BIT		0x40
#define OPT_LEN_FIELD	0x1f	/* low 5 bits of byte 11; the top 3 are R */

/**
 * tlstun_geneve_build - write the 24-byte tlstun Geneve header
 * @hdr: destination, TLSTUN_GENEVE_HLEN bytes
 * @vni: virtual network identifier; only the low 24 bits are sent (the
 *	netlink policy keeps it in range)
 * @spi: the tx SA's SPI, non-zero
 * @counter: the tx SA's next counter value
 *
 * Every reserved bit is written as zero. The result is both the AAD and,
 * at offset TLSTUN_GENEVE_NONCE_OFF, the nonce of the packet.
 */
void tlstun_geneve_build(u8 hdr[TLSTUN_GENEVE_HLEN], u32 vni, u32 spi,
			 u64 counter)
{
	hdr[0] = TLSTUN_GENEVE_OPT_WORDS;	/* Ver 0 */
	hdr[1] = C_BIT;
	put_unaligned_be16(TLSTUN_GENEVE_PROTO_TEB, &hdr[2]);
	/* VNI in the top 24 bits, reserved byte 0 in the bottom 8 */
	put_unaligned_be32((vni & TLSTUN_GENEVE_VNI_MAX) << 8, &hdr[4]);
	put_unaligned_be16(TLSTUN_GENEVE_OPT_CLASS, &hdr[8]);
	hdr[10] = TLSTUN_GENEVE_OPT_TYPE;
	hdr[11] = TLSTUN_GENEVE_OPT_DATA_WORDS;
	put_unaligned_be32(spi, &hdr[12]);
	put_unaligned_be64(counter, &hdr[16]);
}

/**
 * tlstun_geneve_parse - strictly parse a tlstun Geneve header
 * @buf: start of the UDP payload
 * @len: bytes readable at @buf; nothing past them is touched
 * @info: filled in on success only
 *
 * Only the exact layout tlstun_geneve_build() writes is accepted: one
 * option, ours. tlstun senders never add other options, so a packet with
 * any other layout is not a tlstun packet (plain Geneve sent to our port,
 * or another protocol version) and is dropped before it costs an AEAD
 * operation. Allowing more options would also move the nonce and change
 * the AAD length per packet, for no gain.
 *
 * Reserved bits (Rsvd, the byte after the VNI, the option's R bits) are
 * ignored as RFC 8926 asks. That is safe because the whole header is the
 * AAD: a flipped reserved bit makes the open fail, so the receiver must
 * use the received bytes as AAD, never a rebuilt copy.
 *
 * Return: 0 on success, else a negative enum tlstun_geneve_err.
 */
int tlstun_geneve_parse(const u8 *buf, size_t len,
			struct tlstun_geneve_info *info)
{
	u32 spi;

	if (unlikely(len < TLSTUN_GENEVE_HLEN))
		return TLSTUN_GENEVE_E_TOO_SHORT;
	if (unlikely(buf[0] >> VER_SHIFT))
		return TLSTUN_GENEVE_E_VERSION;
	if (unlikely((buf[0] & OPT_LEN_MASK) != TLSTUN_GENEVE_OPT_WORDS))
		return TLSTUN_GENEVE_E_OPT_LEN;
	/* We have no control channel in-band; O packets are not for us. */
	if (unlikely(buf[1] & O_BIT))
		return TLSTUN_GENEVE_E_CONTROL;
	/* Our option is critical, so a sender that clears C is not ours. */
	if (unlikely(!(buf[1] & C_BIT)))
		return TLSTUN_GENEVE_E_NOT_CRITICAL;
	if (unlikely(get_unaligned_be16(&buf[2]) != TLSTUN_GENEVE_PROTO_TEB))
		return TLSTUN_GENEVE_E_PROTOCOL;
	if (unlikely(get_unaligned_be16(&buf[8]) != TLSTUN_GENEVE_OPT_CLASS))
		return TLSTUN_GENEVE_E_OPT_CLASS;
	if (unlikely(buf[10] != TLSTUN_GENEVE_OPT_TYPE))
		return TLSTUN_GENEVE_E_OPT_TYPE;
	if (unlikely((buf[11] & OPT_LEN_FIELD) != TLSTUN_GENEVE_OPT_DATA_WORDS))
		return TLSTUN_GENEVE_E_OPT_DATA_LEN;
	spi = get_unaligned_be32(&buf[12]);
	if (unlikely(!spi))
		return TLSTUN_GENEVE_E_SPI_ZERO;

	info->vni = get_unaligned_be32(&buf[4]) >> 8;
	info->spi = spi;
	info->counter = get_unaligned_be64(&buf[16]);
	info->nonce = tlstun_geneve_nonce(buf);
	return 0;
}

static const char *const parse_errors[] = {
	[-TLSTUN_GENEVE_E_TOO_SHORT]	= "shorter than the tlstun Geneve header",
	[-TLSTUN_GENEVE_E_VERSION]	= "unknown Geneve version",
	[-TLSTUN_GENEVE_E_OPT_LEN]	= "options length is not one tlstun option",
	[-TLSTUN_GENEVE_E_CONTROL]	= "control (O) bit set",
	[-TLSTUN_GENEVE_E_NOT_CRITICAL]	= "critical (C) bit clear",
	[-TLSTUN_GENEVE_E_PROTOCOL]	= "protocol type is not Ethernet (0x6558)",
	[-TLSTUN_GENEVE_E_OPT_CLASS]	= "option class is not tlstun's",
	[-TLSTUN_GENEVE_E_OPT_TYPE]	= "option type is not tlstun's",
	[-TLSTUN_GENEVE_E_OPT_DATA_LEN]	= "option length is not 12 bytes",
	[-TLSTUN_GENEVE_E_SPI_ZERO]	= "SPI is zero",
};

/**
 * tlstun_geneve_strerror - describe a tlstun_geneve_parse() result
 * @err: its return value
 *
 * Return: a static string, for debug messages and tests.
 */
const char *tlstun_geneve_strerror(int err)
{
	if (!err)
		return "ok";
	if (err < __TLSTUN_GENEVE_E_LAST || err > 0)
		return "unknown error";
	return parse_errors[-err];
}
