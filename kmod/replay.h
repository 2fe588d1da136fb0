/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-SA anti-replay window after RFC 6479. Pure code, shared with the
 * host unit tests and the fuzzer.
 */
#ifndef _TLSTUN_REPLAY_H
#define _TLSTUN_REPLAY_H

#include "types.h"
#include <linux/tlstun.h>

#define TLSTUN_REPLAY_BLOCK_BITS	64
/*
 * Enough blocks for the largest window plus the partly filled block that
 * holds the newest counter (RFC 6479 section 2), so the ring never has to
 * be resized when an SA is created with any window in range.
 */
#define TLSTUN_REPLAY_BLOCKS_MAX \
	(TLSTUN_REPLAY_WINDOW_MAX / TLSTUN_REPLAY_BLOCK_BITS + 1)

/**
 * struct tlstun_replay - the receive window of one rx SA
 * @top: highest counter accepted, plus one; 0 until the first packet, so
 *	counter 0 needs no special case
 * @window: counters in (@top - 1 - @window, @top - 1] are tracked; older
 *	ones are rejected without looking at the bitmap
 * @nblocks: ring size in use, DIV_ROUND_UP(@window, 64) + 1
 * @head: ring slot holding the block of @top
 * @bitmap: ring of 64-bit blocks; bit (n & 63) of the block of n (n being
 *	a counter plus one) is set once n has been accepted
 */
struct tlstun_replay {
	u64 top;
	u32 window;
	u16 nblocks;
	u16 head;
	u64 bitmap[TLSTUN_REPLAY_BLOCKS_MAX];
};

void tlstun_replay_init(struct tlstun_replay *r, u32 window);
bool tlstun_replay_check_and_update(struct tlstun_replay *r, u64 counter);

#endif /* _TLSTUN_REPLAY_H */
