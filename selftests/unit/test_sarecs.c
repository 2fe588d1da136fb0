// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for tlshd/sarecs.c: the records grow as SAs are added, keep
 * what they hold when they do, never beyond TLSTUND_SA_RECS_MAX, and say
 * so at the bound instead of losing a record (whose SA would then never
 * be removed).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sarecs.h"

/* Add records for SPIs 1.. one at a time, as the daemon does: reserve,
 * then write record n. Returns how many went in before a refusal.
 */
static size_t fill(struct tlstund_sa_rec **recs, size_t *cap, size_t *n,
		   size_t want, int *last)
{
	*last = 0;
	while (*n < want) {
		*last = tlstund_sa_recs_reserve(recs, cap, *n);
		if (*last)
			break;
		assert_true(*n < *cap);
		(*recs)[*n] = (struct tlstund_sa_rec){
			.dir = TLSTUN_SA_DIR_RX,
			.spi = (uint32_t)*n + 1,
			.owner = 7,
		};
		(*n)++;
	}
	return *n;
}

static void test_grows_and_keeps(void **state)
{
	struct tlstund_sa_rec *recs = NULL, *r;
	size_t cap = 0, n = 0, i;
	int last;

	(void)state;
	assert_int_equal(fill(&recs, &cap, &n, 100, &last), 100);
	assert_int_equal(last, 0);
	assert_true(cap >= 100 && cap <= TLSTUND_SA_RECS_MAX);
	for (i = 0; i < n; i++) {
		r = tlstund_sa_recs_find(recs, n, TLSTUN_SA_DIR_RX, i + 1);
		assert_ptr_equal(r, &recs[i]);
		assert_int_equal(r->owner, 7);
	}
	assert_null(tlstund_sa_recs_find(recs, n, TLSTUN_SA_DIR_TX, 1));
	assert_null(tlstund_sa_recs_find(recs, n, TLSTUN_SA_DIR_RX, 101));
	free(recs);
}

/* At the bound the next record is refused, -ENOSPC, and every record
 * there is stays; room made by forgetting one is usable again.
 */
static void test_bound(void **state)
{
	struct tlstund_sa_rec *recs = NULL;
	size_t cap = 0, n = 0, i;
	int last;

	(void)state;
	assert_int_equal(fill(&recs, &cap, &n, TLSTUND_SA_RECS_MAX + 10,
			      &last), TLSTUND_SA_RECS_MAX);
	assert_int_equal(last, -ENOSPC);
	assert_int_equal(cap, TLSTUND_SA_RECS_MAX);
	assert_int_equal(tlstund_sa_recs_reserve(&recs, &cap, n), -ENOSPC);
	for (i = 0; i < n; i++)
		assert_non_null(tlstund_sa_recs_find(recs, n, TLSTUN_SA_DIR_RX,
						     i + 1));
	recs[0] = recs[--n];
	assert_int_equal(tlstund_sa_recs_reserve(&recs, &cap, n), 0);
	assert_int_equal(cap, TLSTUND_SA_RECS_MAX);
	free(recs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_and_keeps),
		cmocka_unit_test(test_bound),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("sarecs", tests, NULL, NULL);
}
