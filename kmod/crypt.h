/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TLSTUN_CRYPT_H
#define _TLSTUN_CRYPT_H

#include <linux/skbuff.h>
#include <crypto/aead.h>
#include "compat.h"

struct tlstun_sa;

/* Scatterlist entries in the preallocated per-CPU request: enough for any
 * skb with page fragments and no frag_list; anything bigger is linearised.
 */
#define TLSTUN_CRYPT_SG		(MAX_SKB_FRAGS + 2)

/**
 * struct tlstun_crypt - the AEAD transform of one SA
 * @tfm: gcm(aes), keyed once at SA creation
 * @pcpu: per-CPU request memory, so the common (synchronous) case allocates
 *	nothing per packet
 * @ctx_size: bytes of one request context, per-CPU or allocated
 */
struct tlstun_crypt {
	struct crypto_aead *tfm;
	void __percpu *pcpu;
	unsigned int ctx_size;
};

/* What the datapath keeps in skb->cb while a packet is being sealed or
 * opened; the completion callback finds everything here.
 */
struct tlstun_skb_cb {
	struct tlstun_sa *sa;
	void *ctx;
	u64 counter;
	unsigned int inner_len;
};

#define TLSTUN_CB(skb) ((struct tlstun_skb_cb *)(skb)->cb)

int tlstun_crypt_init(struct tlstun_crypt *c, u8 suite, const u8 *key,
		      unsigned int keylen);
void tlstun_crypt_destroy(struct tlstun_crypt *c);

int tlstun_crypt_seal(struct tlstun_sa *sa, struct sk_buff *skb,
		      crypto_completion_t done);
int tlstun_crypt_open(struct tlstun_sa *sa, struct sk_buff *skb,
		      crypto_completion_t done);
void tlstun_crypt_release(struct sk_buff *skb);

#endif /* _TLSTUN_CRYPT_H */
