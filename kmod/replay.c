// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay window without bit shifting (RFC 6479): the window is a ring
 * of 64-bit blocks; moving it forward clears whole blocks instead of
 * shifting the bitmap, so the cost of a jump is bounded by the ring size.
 * The model is WireGuard's counter_validate(), with two differences: the
 * window is set per SA (any size in TLSTUN_REPLAY_WINDOW_MIN..MAX, not only
 * multiples of 64), and the ring position is kept in @head rather than
 * taken from the counter with a power-of-two mask, because a window of
 * 4096 needs 65 blocks and a 64-bit modulo is not available on every
 * architecture the module may be built for.
 *
 * This file is compiled into the module and into host tests: it may use
 * nothing beyond types.h.
 */

#include "types.h"
#include "replay.h"

#define BLOCK_SHIFT	6	/* log2(TLSTUN_REPLAY_BLOCK_BITS) */
#define BIT_INDEX_MASK	(TLSTUN_REPLAY_BLOCK_BITS - 1)

/**
 * tlstun_replay_init - reset a replay window, as for a newly installed SA
 * @r: the window
 * @window: how many counters below the newest one are still accepted,
 *	counting the newest; netlink only passes values in
 *	TLSTUN_REPLAY_WINDOW_MIN..TLSTUN_REPLAY_WINDOW_MAX, anything else is
 *	clamped into that range
 *
 * Afterwards the next counter accepted may be any value, 0 included.
 */
void tlstun_replay_init(struct tlstun_replay *r, u32 window)
{
	if (window < TLSTUN_REPLAY_WINDOW_MIN)
		window = TLSTUN_REPLAY_WINDOW_MIN;
	if (window > TLSTUN_REPLAY_WINDOW_MAX)
		window = TLSTUN_REPLAY_WINDOW_MAX;

	memset(r, 0, sizeof(*r));
	r->window = window;
	/*
	 * The counters (top - window, top] may straddle one block more than
	 * window / 64 when window is not a multiple of 64 or top is not at a
	 * block end: DIV_ROUND_UP(window, 64) + 1 blocks always cover them.
	 */
	r->nblocks = DIV_ROUND_UP(window, TLSTUN_REPLAY_BLOCK_BITS) + 1;
}

/* Ring slot of block @blk, which must be no more than nblocks - 1 behind. */
static unsigned int slot_of(const struct tlstun_replay *r, u64 blk)
{
	unsigned int back = (r->top >> BLOCK_SHIFT) - blk;

	return r->head >= back ? r->head - back : r->head + r->nblocks - back;
}

/* Move the window so that @n becomes the top, clearing the blocks entered. */
static void advance(struct tlstun_replay *r, u64 n)
{
	u64 steps = (n >> BLOCK_SHIFT) - (r->top >> BLOCK_SHIFT);
	unsigned int i;

	if (steps >= r->nblocks) {
		/* Everything in the ring is now older than the window. */
		memset(r->bitmap, 0, r->nblocks * sizeof(r->bitmap[0]));
		r->head = 0;
	} else {
		for (i = 0; i < steps; i++) {
			r->head = r->head + 1 == r->nblocks ? 0 : r->head + 1;
			r->bitmap[r->head] = 0;
		}
	}
	r->top = n;
}

/**
 * tlstun_replay_check_and_update - accept a counter at most once
 * @r: the rx SA's window
 * @counter: the counter of a packet that has just been authenticated
 *
 * Call only after the packet opened successfully, or a forged counter
 * would move the window. There is no locking inside: the caller holds the
 * lock of the SA that owns @r for the whole call.
 *
 * Return: true if @counter is new and inside the window (it is recorded,
 * so the same value is refused from now on); false for a replay, a
 * counter older than the window, or U64_MAX, which no sender uses.
 */
bool tlstun_replay_check_and_update(struct tlstun_replay *r, u64 counter)
{
	u64 n, mask;
	unsigned int slot;

	if (unlikely(counter == U64_MAX))
		return false;
	/* Shift by one so that top == 0 can mean "nothing seen yet". */
	n = counter + 1;

	if (likely(n > r->top))
		advance(r, n);
	else if (unlikely(r->top - n >= r->window))
		return false;

	slot = slot_of(r, n >> BLOCK_SHIFT);
	mask = 1ULL << (n & BIT_INDEX_MASK);
	if (r->bitmap[slot] & mask)
		return false;
	r->bitmap[slot] |= mask;
	return true;
}
