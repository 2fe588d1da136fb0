// SPDX-License-Identifier: GPL-2.0
/*
 * AES-GCM sealing and opening of one packet, in place.
 *
 * The packet is [Geneve header (24) | payload | tag (16)]. The header is the
 * AAD, and its last 12 bytes (SPI || counter) are the nonce.
 *
 * Request memory: the fast gcm(aes) implementations are asynchronous in
 * name only; in softirq context they almost always complete before
 * returning. So each SA has one preallocated request context per CPU, used
 * and released within the call. When an implementation does go
 * asynchronous, the context stays owned by that packet until its
 * completion runs; a packet that finds its CPU's context owned gets a
 * GFP_ATOMIC one instead, freed at completion. Nothing is allocated per
 * packet otherwise.
 */

#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/tlstun.h>
#include "crypt.h"
#include "sa.h"

struct tlstun_crypt_ctx {
	bool owned;		/* per-CPU context in use by an async request */
	bool allocated;		/* not per-CPU: free at release */
	u8 iv[12];
	struct scatterlist sg[TLSTUN_CRYPT_SG];
	/* struct aead_request and the transform's request context follow,
	 * aligned for the crypto API.
	 */
};

static struct aead_request *ctx_req(struct tlstun_crypt_ctx *ctx)
{
	return PTR_ALIGN((void *)(ctx + 1), crypto_tfm_ctx_alignment());
}

/**
 * tlstun_crypt_init() - allocate and key the transform of an SA
 * @c: the SA's crypt state
 * @suite: enum tlstun_suite (only the key length differs)
 * @key: the key
 * @keylen: 16 or 32
 *
 * Context: process context; may sleep.
 * Return: 0 or a negative errno. Nothing is left allocated on failure.
 */
int tlstun_crypt_init(struct tlstun_crypt *c, u8 suite, const u8 *key,
		      unsigned int keylen)
{
	int err;

	/* The crypto API takes no gfp flags: the transform is not charged
	 * to the caller's memory cgroup; the request memory below is.
	 */
	c->tfm = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(c->tfm)) {
		err = PTR_ERR(c->tfm);
		c->tfm = NULL;
		return err;
	}
	err = crypto_aead_setauthsize(c->tfm, TLSTUN_TAG_LEN);
	if (err)
		goto err_free_tfm;
	/* The transform copies the key into its own context, which the
	 * crypto API frees with kfree_sensitive().
	 */
	err = crypto_aead_setkey(c->tfm, key, keylen);
	if (err)
		goto err_free_tfm;
	if (crypto_aead_ivsize(c->tfm) != 12) {
		err = -EINVAL;
		goto err_free_tfm;
	}
	c->ctx_size = sizeof(struct tlstun_crypt_ctx) +
		      crypto_tfm_ctx_alignment() +
		      sizeof(struct aead_request) + crypto_aead_reqsize(c->tfm);
	c->pcpu = __alloc_percpu_gfp(c->ctx_size,
				     __alignof__(struct tlstun_crypt_ctx),
				     GFP_KERNEL_ACCOUNT);
	if (!c->pcpu) {
		err = -ENOMEM;
		goto err_free_tfm;
	}
	return 0;

err_free_tfm:
	crypto_free_aead(c->tfm);
	c->tfm = NULL;
	return err;
}

/**
 * tlstun_crypt_destroy() - free the transform and request memory
 * @c: the SA's crypt state; no packet may be in flight under it
 */
void tlstun_crypt_destroy(struct tlstun_crypt *c)
{
	int cpu;

	if (c->pcpu) {
		/* The request contexts held per-packet GCM state. */
		for_each_possible_cpu(cpu)
			memzero_explicit(per_cpu_ptr(c->pcpu, cpu), c->ctx_size);
		free_percpu(c->pcpu);
	}
	if (c->tfm)
		crypto_free_aead(c->tfm);
}

static struct tlstun_crypt_ctx *ctx_get(struct tlstun_crypt *c)
{
	struct tlstun_crypt_ctx *ctx = this_cpu_ptr(c->pcpu);

	/* Pairs with the release in tlstun_crypt_release(), which may run on
	 * another CPU when the request completed asynchronously.
	 */
	if (likely(!smp_load_acquire(&ctx->owned))) {
		ctx->owned = true;
		ctx->allocated = false;
		return ctx;
	}
	ctx = kmalloc(c->ctx_size, GFP_ATOMIC);
	if (ctx) {
		ctx->owned = true;
		ctx->allocated = true;
	}
	return ctx;
}

/**
 * tlstun_crypt_release() - release the request context of a packet
 * @skb: a packet whose seal or open completed
 */
void tlstun_crypt_release(struct sk_buff *skb)
{
	struct tlstun_crypt_ctx *ctx = TLSTUN_CB(skb)->ctx;

	TLSTUN_CB(skb)->ctx = NULL;
	if (ctx->allocated)
		kfree_sensitive(ctx);
	else
		smp_store_release(&ctx->owned, false);
}

/* Make the skb writable, with room for @tail more bytes at its end, and
 * small enough in fragments for the preallocated scatterlist.
 */
static int prepare(struct sk_buff *skb, unsigned int tail)
{
	struct sk_buff *trailer;
	int nfrags;

	if (skb_has_frag_list(skb) ||
	    skb_shinfo(skb)->nr_frags > TLSTUN_CRYPT_SG - 2) {
		if (skb_linearize(skb))
			return -ENOMEM;
	}
	nfrags = skb_cow_data(skb, tail, &trailer);
	if (nfrags < 0)
		return nfrags;
	if (WARN_ON_ONCE(nfrags > TLSTUN_CRYPT_SG))
		return -EINVAL;
	if (tail && pskb_put(skb, trailer, tail) == NULL)
		return -ENOMEM;
	return nfrags;
}

static int crypt(struct tlstun_sa *sa, struct sk_buff *skb, int nfrags,
		 unsigned int cryptlen, bool encrypt, crypto_completion_t done)
{
	struct tlstun_crypt_ctx *ctx;
	struct aead_request *req;
	int err;

	ctx = ctx_get(&sa->crypt);
	if (!ctx)
		return -ENOMEM;
	TLSTUN_CB(skb)->ctx = ctx;

	sg_init_table(ctx->sg, nfrags);
	err = skb_to_sgvec(skb, ctx->sg, 0, skb->len);
	if (unlikely(err < 0))
		goto out;
	memcpy(ctx->iv, skb->data + TLSTUN_GENEVE_HLEN - sizeof(ctx->iv),
	       sizeof(ctx->iv));

	req = ctx_req(ctx);
	aead_request_set_tfm(req, sa->crypt.tfm);
	aead_request_set_callback(req, 0, done, skb);
	aead_request_set_crypt(req, ctx->sg, ctx->sg, cryptlen, ctx->iv);
	aead_request_set_ad(req, TLSTUN_GENEVE_HLEN);
	err = encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	if (err == -EINPROGRESS)
		return err;
	/* -EBUSY would mean a backlogged request, which we never ask for. */
out:
	tlstun_crypt_release(skb);
	return err;
}

/**
 * tlstun_crypt_seal() - encrypt a packet in place and append its tag
 * @sa: the tx SA, referenced by the caller for the packet's lifetime
 * @skb: [Geneve header | plaintext], header already built
 * @done: called with the skb when the result is -EINPROGRESS
 *
 * Return: 0 when sealed, -EINPROGRESS when @done will be called, or a
 * negative errno when the packet could not be sealed.
 */
int tlstun_crypt_seal(struct tlstun_sa *sa, struct sk_buff *skb,
		      crypto_completion_t done)
{
	unsigned int plen = skb->len - TLSTUN_GENEVE_HLEN;
	int nfrags = prepare(skb, TLSTUN_TAG_LEN);

	if (nfrags < 0)
		return nfrags;
	return crypt(sa, skb, nfrags, plen, true, done);
}

/**
 * tlstun_crypt_open() - authenticate and decrypt a packet in place
 * @sa: the rx SA, referenced by the caller for the packet's lifetime
 * @skb: [Geneve header | ciphertext | tag]
 * @done: called with the skb when the result is -EINPROGRESS
 *
 * The tag is left in place; the caller trims it.
 *
 * Return: 0 when authentic, -EBADMSG when not, -EINPROGRESS when @done will
 * be called, or another negative errno.
 */
int tlstun_crypt_open(struct tlstun_sa *sa, struct sk_buff *skb,
		      crypto_completion_t done)
{
	int nfrags = prepare(skb, 0);

	if (nfrags < 0)
		return nfrags;
	return crypt(sa, skb, nfrags, skb->len - TLSTUN_GENEVE_HLEN, false,
		     done);
}
