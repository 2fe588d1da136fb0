// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund's credentials and reload: what a configuration's files make
 * (identity, CA, transport context), loaded whole before anything changes,
 * and SIGHUP's all-or-nothing reload with the re-judging of live sessions.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "daemon.h"

/*
 * Credentials (struct creds, daemon.h): a reload loads all of them before
 * it changes anything (tlstund_creds_load) and then swaps them in whole
 * (tlstund_creds_install): a file that parses but names a bad key,
 * certificate or CA bundle leaves the running configuration exactly as it
 * was, so that the next reload compares against what is really in force.
 */

/* The policy @cfg describes, over @ca, for a node holding @id; its
 * strings point into @cfg.
 */
static void trust_policy_of(const struct tlstund_config *cfg, X509_STORE *ca,
			    const struct tlstund_identity *id,
			    struct tlstund_trust_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->kind = cfg->trust;
	pol->ca_store = ca;
	memcpy(pol->node_id, cfg->node_id, sizeof(pol->node_id));
	memcpy(pol->pin, cfg->pin, sizeof(pol->pin));
	pol->tofu_dir = cfg->tofu_dir;
	pol->peer_name = cfg->peer_name;
	pol->crl_check = cfg->trust == TLSTUND_TRUST_CA && cfg->crl_path[0];
	pol->crl_expired_warn = cfg->crl_expired_warn;
	/* A peer showing our own key is a reflected connection. */
	memcpy(pol->local_spki, id->spki_sha256, sizeof(pol->local_spki));
}

static int cmp_sha256(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* SHA-256 over the sorted SHA-256s of the certificates and CRLs in @ca:
 * what the bundle trusts and what it revokes, whatever the order of the
 * files, so that a reload can tell a changed bundle or CRL (a newly
 * revoked peer) from the same ones read again.
 */
static int ca_digest(X509_STORE *ca, uint8_t out[32])
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(ca);
	int i, n = 0, total = sk_X509_OBJECT_num(objs);
	uint8_t (*certs)[32];
	unsigned int len;
	int ret = -EINVAL;

	certs = calloc(total > 0 ? total : 1, sizeof(*certs));
	if (!certs)
		return -ENOMEM;
	for (i = 0; i < total; i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		X509_CRL *crl = X509_OBJECT_get0_X509_CRL(
					sk_X509_OBJECT_value(objs, i));

		if (x && !X509_digest(x, EVP_sha256(), certs[n], &len))
			goto out;
		if (!x && (!crl ||
			   !X509_CRL_digest(crl, EVP_sha256(), certs[n], &len)))
			goto out;
		n++;
	}
	qsort(certs, n, sizeof(*certs), cmp_sha256);
	if (EVP_Digest(certs, (size_t)n * sizeof(*certs), out, NULL,
		       EVP_sha256(), NULL))
		ret = 0;
out:
	free(certs);
	return ret;
}

static void creds_free(const struct daemon *d, struct creds *cr)
{
	if (cr->tctx)
		d->t->ctx_free(cr->tctx);
	tlstund_identity_free(&cr->identity);
	if (cr->ca)
		X509_STORE_free(cr->ca);
	memset(cr, 0, sizeof(*cr));
}

/* Load everything @cfg names into @cr; on failure @cr is empty and @err
 * says why. Nothing of the running daemon changes.
 */
int tlstund_creds_load(const struct daemon *d, const struct tlstund_config *cfg,
		       struct creds *cr, char *err, size_t errlen)
{
	struct tlstund_trust_policy trust;
	struct tlstund_transport_cfg tcfg = { 0 };

	memset(cr, 0, sizeof(*cr));
	if (tlstund_identity_load(&cr->identity, cfg->key_path,
				  cfg->cert_path, err, errlen))
		return -EINVAL;
	if (cfg->trust == TLSTUND_TRUST_CA) {
		cr->ca = tlstund_trust_load_ca(cfg->ca_path, err, errlen);
		if (!cr->ca)
			goto fail;
		/* An unreadable CRL fails the start, or the reload, which
		 * then keeps the CRLs in force: never a policy without them.
		 */
		if (cfg->crl_path[0] &&
		    tlstund_trust_load_crl(cr->ca, cfg->crl_path, err,
					   errlen) < 0)
			goto fail;
		if (ca_digest(cr->ca, cr->ca_digest)) {
			tlstund_identity_err(err, errlen, true,
					     "cannot digest CA bundle %s",
					     cfg->ca_path);
			goto fail;
		}
	}
	/* The context keeps its own copies of the policy and references to
	 * the key and certificates (tls.c): @cfg and @cr's identity may go.
	 */
	trust_policy_of(cfg, cr->ca, &cr->identity, &trust);
	tcfg.identity = &cr->identity;
	tcfg.trust = &trust;
	/* QUIC's idle timeout: the session's own dead-peer time. */
	tcfg.idle_timeout_ms = cfg->dead_after * 1000;
	cr->tctx = d->t->ctx_new(&tcfg, err, errlen);
	if (!cr->tctx)
		goto fail;
	return 0;

fail:
	creds_free(d, cr);
	return -EINVAL;
}

/* Make @cr the running credentials (d->cfg is already the configuration
 * it came from) and free the ones it replaces. Live connections keep the
 * context they were made with.
 */
void tlstund_creds_install(struct daemon *d, struct creds *cr)
{
	struct creds old = {
		.identity = d->identity,
		.ca = d->ca,
		.tctx = d->tctx,
	};

	d->identity = cr->identity;
	d->ca = cr->ca;
	memcpy(d->ca_digest, cr->ca_digest, sizeof(d->ca_digest));
	d->tctx = cr->tctx;
	trust_policy_of(&d->cfg, d->ca, &d->identity, &d->trust);
	memset(cr, 0, sizeof(*cr));
	creds_free(d, &old);
}

/* Whether the policy changed, apart from the CA bundle's contents, which
 * the caller compares by digest (the same path may hold a new bundle, and
 * another path the same one).
 */
static bool trust_changed(const struct tlstund_config *a,
			  const struct tlstund_config *b)
{
	return a->trust != b->trust ||
	       memcmp(a->node_id, b->node_id, sizeof(a->node_id)) ||
	       memcmp(a->pin, b->pin, sizeof(a->pin)) ||
	       strcmp(a->tofu_dir, b->tofu_dir) ||
	       strcmp(a->peer_name, b->peer_name) ||
	       strcmp(a->crl_path, b->crl_path) ||
	       a->crl_expired_warn != b->crl_expired_warn;
}

/* SHA-256 over the DER of the certificate and its chain: what the peer
 * is shown. A renewed certificate at the same path changes it.
 */
static void identity_digest(const struct tlstund_identity *id,
			    uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int i, n, last = id->chain ? sk_X509_num(id->chain) : 0;

	memset(out, 0, 32);
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto out;
	for (i = -1; i < last; i++) {
		X509 *x = i < 0 ? id->cert : sk_X509_value(id->chain, i);
		unsigned char *der = NULL;

		n = x ? i2d_X509(x, &der) : 0;
		if (n > 0)
			EVP_DigestUpdate(md, der, n);
		OPENSSL_free(der);
	}
	EVP_DigestFinal_ex(md, out, NULL);
out:
	EVP_MD_CTX_free(md);
}

static void reload_refused(const char *why)
{
	log_err("reload failed, keeping the running configuration: %s", why);
}

/* Fail closed at once after the policy changed: every live session whose
 * peer the new policy rejects ends now, and with it every SA (one tunnel,
 * one peer), not at the next handshake.
 */
static void reverify_sessions(struct daemon *d, uint64_t now)
{
	struct tlstund_trust_result res;
	bool revoked = false;
	int i;

	for (i = 0; i < MAX_SLOTS; i++) {
		struct slot *sl = d->slots[i];

		if (!sl || !sl->established ||
		    sl->session.state == TLSTUND_SESSION_CLOSED)
			continue;
		memset(&res, 0, sizeof(res));
		if (!d->t->reverify(sl->conn, &d->trust, &res) &&
		    res.verdict == TLSTUND_TRUST_OK)
			continue;
		log_warn("session with %s: the peer is no longer trusted: %s%s%s",
			 sl->session.peer, tlstund_trust_reason_str(res.verdict),
			 res.detail[0] ? ": " : "", res.detail);
		tlstund_slot_close(d, sl, TLSTUND_CLOSE_POLICY, "no longer trusted",
				   now);
		revoked = true;
	}
	if (!revoked)
		return;
	while (d->n_sas)
		tlstund_sas_delete(d, &d->sas[0]);
	tlstund_notify_status("peer no longer trusted; tunnel down");
	tlstund_dial_schedule(d, now, true);
}

/* SIGHUP: all or nothing. Everything that can fail (the file, the key,
 * the certificates, the CA bundle, the transport context, the device's
 * parameters) is done before the running configuration changes; then it
 * is swapped whole and the live sessions are judged against it.
 */
void tlstund_daemon_reload(struct daemon *d, uint64_t now)
{
	uint8_t old_id[32], new_id[32];
	struct tlstund_config cfg;
	struct slot *sl;
	struct creds cr;
	char err[512];
	bool retrust, renegotiate, changed;
	int i;

	log_info("reloading %s", d->cfg.path);
	if (tlstund_config_load(d->cfg.path, &cfg, err, sizeof(err))) {
		reload_refused(err);
		return;
	}
	if (strcmp(cfg.ifname, d->cfg.ifname) ||
	    memcmp(&cfg.listen, &d->cfg.listen, sizeof(cfg.listen)) ||
	    cfg.transport != d->cfg.transport) {
		reload_refused("the interface name, the listen address and the transport need a restart");
		return;
	}
	if (tlstund_creds_load(d, &cfg, &cr, err, sizeof(err))) {
		reload_refused(err);
		return;
	}
	renegotiate = cfg.vni != d->cfg.vni || cfg.port != d->cfg.port ||
		      memcmp(cfg.suites, d->cfg.suites, sizeof(cfg.suites)) ||
		      strcmp(cfg.key_path, d->cfg.key_path) ||
		      strcmp(cfg.cert_path, d->cfg.cert_path);
	/* Accepted peers face the new credentials and policy from now on. */
	if (d->listener && d->t->listener_set_ctx(d->listener, cr.tctx)) {
		creds_free(d, &cr);
		reload_refused("out of memory");
		return;
	}
	if (renegotiate) {
		int ifindex;
		bool created;

		if (tlstund_kernel_ensure_device(d->k, &cfg, &ifindex,
						 &created, err, sizeof(err))) {
			if (d->listener &&
			    d->t->listener_set_ctx(d->listener, d->tctx))
				log_err("the listener keeps the new credentials: out of memory");
			creds_free(d, &cr);
			reload_refused(err);
			return;
		}
		d->ifindex = ifindex;
	}

	retrust = trust_changed(&cfg, &d->cfg) ||
		  memcmp(cr.ca_digest, d->ca_digest, sizeof(cr.ca_digest));
	identity_digest(&d->identity, old_id);
	identity_digest(&cr.identity, new_id);
	changed = retrust || renegotiate || memcmp(old_id, new_id, 32);

	/* Sessions hold pointers into d->cfg; everything they read from it
	 * beyond the negotiated parameters (timers, limits) may change.
	 */
	d->cfg = cfg;
	tlstund_creds_install(d, &cr);
	if (retrust)
		reverify_sessions(d, now);

	/* A new handshake proves the new credentials and policy, and brings
	 * new keys; the running SAs carry traffic meanwhile. If the peer
	 * fails the new policy then, its old SAs go at once.
	 */
	sl = tlstund_slot_by_id(d, d->active);
	if (changed && sl && sl->established &&
	    sl->session.state != TLSTUND_SESSION_CLOSED) {
		d->orphans_need_trust = retrust;
		tlstund_slot_close(d, sl, TLSTUND_CLOSE_POLICY,
				   "configuration reloaded", now);
		tlstund_dial_schedule(d, now, true);
	}
	/* Handshakes under way run with the old credentials and policy: they
	 * start over when those changed, and go on when nothing did, so that
	 * a storm of SIGHUPs cannot keep the tunnel from coming up.
	 */
	for (i = 0; changed && i < MAX_SLOTS; i++)
		if (d->slots[i] && !d->slots[i]->established)
			tlstund_slot_free(d, d->slots[i], now);
	log_info("reloaded");
}
