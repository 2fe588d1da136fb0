/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's records of the SAs on its device: which session owns each
 * and when it is to go. Pure bookkeeping, unit-tested on the host.
 *
 * The records grow on demand up to TLSTUND_SA_RECS_MAX, the kernel's own
 * limit per device. A record is reserved before an SA is installed, so an
 * SA the daemon could not record (and so never remove) is never installed:
 * at the bound the install is refused.
 */
#ifndef TLSTUND_SARECS_H
#define TLSTUND_SARECS_H

#include <stddef.h>
#include <stdint.h>

#include <linux/tlstun.h>

#define TLSTUND_SA_RECS_MAX	TLSTUN_MAX_SAS
#define TLSTUND_SA_RECS_MIN	16	/* the first allocation */

struct tlstund_sa_rec {
	uint8_t dir;
	uint32_t spi;
	uint64_t owner;		/* session (slot) id; 0: an orphan */
	uint64_t delete_at;	/* 0: not scheduled */
};

struct tlstund_sa_rec *tlstund_sa_recs_find(struct tlstund_sa_rec *recs,
					    size_t n, uint8_t dir,
					    uint32_t spi);
int tlstund_sa_recs_reserve(struct tlstund_sa_rec **recs, size_t *cap,
			    size_t n);

#endif /* TLSTUND_SARECS_H */
