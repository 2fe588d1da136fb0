/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tlstun Geneve header (RFC 8926): one fixed 24-byte layout, built by
 * the sender and parsed strictly by the receiver. Pure code, shared with
 * the host unit tests and the fuzzer; Documentation/wire-format.rst is the
 * specification.
 */
#ifndef _TLSTUN_GENEVE_H
#define _TLSTUN_GENEVE_H

#include "types.h"
#include <linux/tlstun.h>

#define TLSTUN_GENEVE_BASE_LEN		8	/* fixed part of every Geneve header */
#define TLSTUN_GENEVE_OPT_WORDS		4	/* Opt Len: 16 option bytes / 4 */
#define TLSTUN_GENEVE_OPT_DATA_WORDS	3	/* option Length: 12 data bytes / 4 */
#define TLSTUN_GENEVE_PROTO_TEB		0x6558	/* Transparent Ethernet Bridging */
#define TLSTUN_GENEVE_NONCE_OFF		12	/* option data: SPI || counter */
#define TLSTUN_GENEVE_NONCE_LEN		12
#define TLSTUN_GENEVE_VNI_MAX		0xffffff

/*
 * Why tlstun_geneve_parse() refused a header. Negative, so the result can
 * be tested with "< 0" like an errno; tlstun_geneve_strerror() names them.
 */
enum tlstun_geneve_err {
	TLSTUN_GENEVE_E_TOO_SHORT	= -1,	/* fewer than 24 bytes */
	TLSTUN_GENEVE_E_VERSION		= -2,	/* Ver != 0 */
	TLSTUN_GENEVE_E_OPT_LEN		= -3,	/* Opt Len != 4 words */
	TLSTUN_GENEVE_E_CONTROL		= -4,	/* O bit set */
	TLSTUN_GENEVE_E_NOT_CRITICAL	= -5,	/* C bit clear */
	TLSTUN_GENEVE_E_PROTOCOL	= -6,	/* Protocol Type != 0x6558 */
	TLSTUN_GENEVE_E_OPT_CLASS	= -7,	/* option class != 0xfff7 */
	TLSTUN_GENEVE_E_OPT_TYPE	= -8,	/* option type != 0x81 */
	TLSTUN_GENEVE_E_OPT_DATA_LEN	= -9,	/* option Length != 3 words */
	TLSTUN_GENEVE_E_SPI_ZERO	= -10,	/* SPI 0 is never assigned */
	__TLSTUN_GENEVE_E_LAST		= TLSTUN_GENEVE_E_SPI_ZERO
};

/**
 * struct tlstun_geneve_info - the fields of a parsed tlstun Geneve header
 * @nonce: the 12-byte AES-GCM nonce (SPI || counter) inside the parsed
 *	buffer, valid as long as that buffer is
 * @counter: per-SA packet counter
 * @vni: 24-bit virtual network identifier
 * @spi: security parameter index, never 0
 */
struct tlstun_geneve_info {
	const u8 *nonce;
	u64 counter;
	u32 vni;
	u32 spi;
};

void tlstun_geneve_build(u8 hdr[TLSTUN_GENEVE_HLEN], u32 vni, u32 spi,
			 u64 counter);
int tlstun_geneve_parse(const u8 *buf, size_t len,
			struct tlstun_geneve_info *info);
const char *tlstun_geneve_strerror(int err);

/**
 * tlstun_geneve_nonce - the AES-GCM nonce inside a tlstun Geneve header
 * @hdr: a header built by tlstun_geneve_build() or accepted by
 *	tlstun_geneve_parse()
 *
 * The option data is laid out as the nonce, so sender and receiver use the
 * header bytes in place instead of assembling a copy.
 *
 * Return: pointer to the TLSTUN_GENEVE_NONCE_LEN nonce bytes in @hdr.
 */
static inline const u8 *tlstun_geneve_nonce(const u8 *hdr)
{
	return hdr + TLSTUN_GENEVE_NONCE_OFF;
}

#endif /* _TLSTUN_GENEVE_H */
