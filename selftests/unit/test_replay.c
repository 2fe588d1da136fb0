// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for kmod/replay.c. A window of W accepts a fresh counter c
 * when c is above every counter seen so far, or when max - c < W; U64_MAX
 * is never accepted. The fixed sequence follows WireGuard's
 * selftest/counter.c (its T_LIM is our W), run for several window sizes,
 * multiples of 64 and not; then a long random run is compared with a
 * naive model that keeps every accepted counter in a hash set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "replay.h"

static const u32 windows[] = { 64, 65, 100, 1000, 2048, 4095, 4096 };

struct seq {
	struct tlstun_replay r;
	unsigned int num;
};

static void check(struct seq *s, u64 counter, bool want, int line)
{
	bool got;

	s->num++;
	got = tlstun_replay_check_and_update(&s->r, counter);
	if (got != want)
		fail_msg("window %u, step %u (line %d): counter %llu gave %s",
			 s->r.window, s->num, line,
			 (unsigned long long)counter,
			 got ? "fresh" : "replay");
}

#define T_INIT(s, w)	tlstun_replay_init(&(s)->r, (w))
#define T(n, v)		check(s, (n), (v), __LINE__)

static void test_sequence(void **state)
{
	const u64 M = U64_MAX;
	struct seq seq = { .num = 0 }, *s = &seq;
	size_t k;
	u64 i;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(windows); k++) {
		const u64 L = windows[k];

		T_INIT(s, L);
		T(0, true);
		T(1, true);
		T(1, false);
		T(9, true);
		T(8, true);
		T(7, true);
		T(7, false);
		T(L, true);
		T(L - 1, true);
		T(L - 1, false);
		T(L - 2, true);
		T(2, true);		/* max - 2 == L - 2 < L */
		T(2, false);
		T(L + 16, true);
		T(3, false);		/* now too old */
		T(L + 16, false);
		T(L * 4, true);
		T(L * 4 - (L - 1), true);	/* oldest still inside */
		T(10, false);
		T(L * 4 - L, false);		/* first one outside */
		T(L * 4 - (L + 1), false);
		T(L * 4 - (L - 2), true);
		T(L * 4 + 1 - L, false);	/* seen at step 18 */
		T(0, false);
		T(M, false);		/* never sent */
		T(M - 1, true);
		T(M, false);
		T(M - 1, false);
		T(M - 2, true);
		T(M + 1, false);	/* wraps to 0: far too old */
		T(M + 2, false);
		T(M - 2, false);
		T(M - 3, true);
		T(0, false);

		/* filling the window upwards, then its oldest slot */
		T_INIT(s, L);
		for (i = 1; i <= L - 1; i++)
			T(i, true);
		T(0, true);
		T(0, false);

		T_INIT(s, L);
		for (i = 2; i <= L; i++)
			T(i, true);
		T(1, true);
		T(0, false);

		/* filling it downwards */
		T_INIT(s, L);
		for (i = L; i-- > 0;)
			T(i, true);

		T_INIT(s, L);
		for (i = L + 1; i-- > 1;)
			T(i, true);
		T(0, false);

		T_INIT(s, L);
		for (i = L; i-- > 1;)
			T(i, true);
		T(L, true);
		T(0, false);

		T_INIT(s, L);
		for (i = L; i-- > 1;)
			T(i, true);
		T(0, true);
		T(L, true);

		/* a seen counter stays seen while the window moves past it */
		T_INIT(s, L);
		T(100, true);
		T(100 + L - 1, true);
		T(100, false);
		T(100 + L, true);
		T(100, false);
		T(101, true);

		/* U64_MAX + 1 would wrap to the "nothing seen" top of 0 */
		T_INIT(s, L);
		T(M, false);
		T(0, true);
		T(M, false);
		T(1, true);

		/* re-init forgets everything */
		T_INIT(s, L);
		T(0, true);
		T(0, false);
		T_INIT(s, L);
		T(0, true);

		/* a huge jump, then the old region is gone */
		T_INIT(s, L);
		T(5, true);
		T(5 + (1ULL << 40), true);
		T(5, false);
		T(6, false);
		T(5 + (1ULL << 40) - 1, true);
		T(5 + (1ULL << 40) - (L - 1), true);
		T(5 + (1ULL << 40) - L, false);
	}
}

/*
 * Fill a whole window, jump forward by d, then sweep the new window:
 * counters from before the jump that are still inside must stay rejected
 * and every other one inside must be accepted once. The jumps straddle the
 * block and ring boundaries where stale bits could survive.
 */
static void test_jumps(void **state)
{
	struct seq seq = { .num = 0 }, *s = &seq;
	u64 jumps[16], d, c, top;
	size_t k, j, nj;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(windows); k++) {
		const u64 L = windows[k];
		const u64 ring = 64 * (DIV_ROUND_UP(L, 64) + 1);

		nj = 0;
		jumps[nj++] = 1;
		jumps[nj++] = 63;
		jumps[nj++] = 64;
		jumps[nj++] = 65;
		jumps[nj++] = L - 1;
		jumps[nj++] = L;
		jumps[nj++] = L + 1;
		jumps[nj++] = ring - 64;
		jumps[nj++] = ring - 1;
		jumps[nj++] = ring;
		jumps[nj++] = ring + 1;
		jumps[nj++] = 2 * ring + 17;
		jumps[nj++] = 1ULL << 33;
		for (j = 0; j < nj; j++) {
			d = jumps[j];
			T_INIT(s, L);
			for (c = 0; c < L; c++)
				T(c, true);
			top = L - 1 + d;
			T(top, true);
			for (c = top - (L - 1); c < top; c++)
				T(c, c >= L);
			for (c = top - (L - 1); c <= top; c++)
				T(c, false);
			T(top - L, false);
		}
	}
}

static void test_init_clamps(void **state)
{
	struct seq seq = { .num = 0 }, *s = &seq;

	(void)state;
	T_INIT(s, 0);
	assert_int_equal(s->r.window, TLSTUN_REPLAY_WINDOW_MIN);
	T(64, true);
	T(0, false);
	T(1, true);

	T_INIT(s, 1000000);
	assert_int_equal(s->r.window, TLSTUN_REPLAY_WINDOW_MAX);
	T(4096, true);
	T(0, false);
	T(1, true);
}

/* The naive model: every accepted counter in a hash set, and the maximum. */
#define SET_BITS	20
#define SET_SIZE	(1U << SET_BITS)

struct model {
	u64 *slots;		/* counter + 1; 0 = empty */
	u32 *used;		/* slots to clear on reset */
	u32 nused;
	bool any;
	u64 max;
	u32 window;
};

static u32 slot_hash(u64 v)
{
	return (u32)((v * 0x9e3779b97f4a7c15ULL) >> (64 - SET_BITS));
}

static bool model_seen(const struct model *m, u64 c)
{
	u32 h;

	for (h = slot_hash(c); m->slots[h]; h = (h + 1) & (SET_SIZE - 1))
		if (m->slots[h] == c + 1)
			return true;
	return false;
}

static void model_add(struct model *m, u64 c)
{
	u32 h = slot_hash(c);

	while (m->slots[h])
		h = (h + 1) & (SET_SIZE - 1);
	assert_true(m->nused < SET_SIZE / 2);
	m->slots[h] = c + 1;
	m->used[m->nused++] = h;
}

static void model_reset(struct model *m, u32 window)
{
	while (m->nused)
		m->slots[m->used[--m->nused]] = 0;
	m->any = false;
	m->max = 0;
	m->window = window;
}

static bool model_check(struct model *m, u64 c)
{
	if (c == U64_MAX)
		return false;
	if (m->any && c <= m->max &&
	    (m->max - c >= m->window || model_seen(m, c)))
		return false;
	model_add(m, c);
	if (!m->any || c > m->max)
		m->max = c;
	m->any = true;
	return true;
}

/* splitmix64: a fixed seed gives the same run everywhere */
static u64 rnd(u64 *st)
{
	u64 z = (*st += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 pick(u64 *st, const struct model *m, const u64 *recent)
{
	u64 w = m->window, r = rnd(st), base = m->max;
	unsigned int op = r % 1000;

	r = rnd(st);
	if (op < 450)		/* around the window's lower edge and inside */
		return base - (base < w + w / 4 ? r % (base + 1) :
			       r % (w + w / 4));
	if (op < 700)		/* the usual next packets */
		return base + 1 + r % 3;
	if (op < 850)		/* replays of recent accepts */
		return recent[r % 64];
	if (op < 950)		/* jumps across blocks and the whole ring */
		return base + r % (3 * 64 * (w / 64 + 2));
	if (op < 997)		/* long gaps */
		return base + (r % (1ULL << 40));
	if (op < 999)
		return U64_MAX - r % 4;
	return r;		/* anything */
}

static void test_random_vs_model(void **state)
{
	/* static: a failed assertion longjmps out without freeing */
	static u64 slots[SET_SIZE];
	static u32 used[SET_SIZE];
	static struct tlstun_replay replay;
	const unsigned int ops_per_window = 100000;
	struct tlstun_replay *r = &replay;
	struct model m = { .slots = slots, .used = used };
	unsigned long accepted = 0, rejected = 0, resets = 0;
	u64 recent[64] = { 0 }, st = 0x746c7374756e; /* "tlstun" */
	unsigned int i, nrecent = 0;
	bool want, got;
	size_t k;
	u64 c;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(windows); k++) {
		tlstun_replay_init(r, windows[k]);
		model_reset(&m, windows[k]);
		for (i = 0; i < ops_per_window; i++) {
			/* near the end of the counter space: a new SA */
			if (m.max > U64_MAX - (1ULL << 42) ||
			    m.nused > SET_SIZE / 4) {
				tlstun_replay_init(r, windows[k]);
				model_reset(&m, windows[k]);
				resets++;
			}
			c = pick(&st, &m, recent);
			want = model_check(&m, c);
			got = tlstun_replay_check_and_update(r, c);
			if (got != want)
				fail_msg("window %u op %u: counter %llu max %llu: got %d want %d",
					 windows[k], i, (unsigned long long)c,
					 (unsigned long long)m.max, got, want);
			if (got) {
				recent[nrecent++ % 64] = c;
				accepted++;
			} else {
				rejected++;
			}
		}
	}
	/* the run must exercise both outcomes and SA resets */
	print_message("# random: %lu accepted, %lu rejected, %lu resets\n",
		      accepted, rejected, resets);
	assert_true(accepted > ops_per_window);
	assert_true(rejected > ops_per_window);
	assert_true(resets > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_jumps),
		cmocka_unit_test(test_init_clamps),
		cmocka_unit_test(test_random_vs_model),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
