// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's SA records (sarecs.h).
 */

#include <errno.h>
#include <stdlib.h>

#include "sarecs.h"

/**
 * tlstund_sa_recs_find() - the record of one SA
 * @recs: the records
 * @n: how many there are
 * @dir: enum tlstun_sa_dir
 * @spi: the SA's SPI
 *
 * Return: the record, or NULL when there is none.
 */
struct tlstund_sa_rec *tlstund_sa_recs_find(struct tlstund_sa_rec *recs,
					    size_t n, uint8_t dir,
					    uint32_t spi)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (recs[i].dir == dir && recs[i].spi == spi)
			return &recs[i];
	return NULL;
}

/**
 * tlstund_sa_recs_reserve() - make room for one more record
 * @recs: the records, reallocated when they grow
 * @cap: how many fit in *@recs, updated when they grow
 * @n: how many are in use
 *
 * Doubles the room from TLSTUND_SA_RECS_MIN up to TLSTUND_SA_RECS_MAX. On
 * failure *@recs and *@cap are unchanged.
 *
 * Return: 0 when record @n may be written, -ENOSPC when @n records are
 * TLSTUND_SA_RECS_MAX already, -ENOMEM.
 */
int tlstund_sa_recs_reserve(struct tlstund_sa_rec **recs, size_t *cap,
			    size_t n)
{
	struct tlstund_sa_rec *grown;
	size_t want;

	if (n < *cap)
		return 0;
	if (n >= TLSTUND_SA_RECS_MAX)
		return -ENOSPC;
	want = *cap ? *cap * 2 : TLSTUND_SA_RECS_MIN;
	if (want > TLSTUND_SA_RECS_MAX)
		want = TLSTUND_SA_RECS_MAX;
	grown = realloc(*recs, want * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	*recs = grown;
	*cap = want;
	return 0;
}
