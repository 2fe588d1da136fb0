// SPDX-License-Identifier: GPL-2.0
/*
 * Certificate revocation lists for trust = ca (tlstun.conf(5) "crl").
 *
 * The CRLs of a PEM file go into the trust policy's X509_STORE beside the
 * CA certificates, and the chain check then asks OpenSSL for
 * X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL: every certificate of
 * the chain, intermediates included, must be covered by a CRL of its
 * issuer that is signed by it and current at the verification time.
 * That is failing closed: a missing CRL is a rejection, not a pass, so
 * the file must hold one CRL per CA of the bundle that issues
 * certificates. An expired CRL rejects too unless crl-expired = warn,
 * which accepts and says so (trust.c).
 *
 * Loading checks what can be checked without a peer: the file parses and
 * holds at least one CRL. Whether a CRL is signed by its issuer is checked
 * at verification, by OpenSSL, against the issuer in the chain (an
 * intermediate's CRL is signed by the intermediate, which the bundle does
 * not hold); a CRL of no issuer of the chain simply covers nothing, and
 * the chain then fails for want of one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "trust.h"

/**
 * tlstund_trust_load_crl() - add the CRLs of a PEM file to a CA store
 * @store: from tlstund_trust_load_ca(), with the bundle already in it
 * @path: the file
 * @err: why not, on failure
 * @errlen: its size
 *
 * Return: the number of CRLs added (at least one), or -errno with @err
 * set; on failure @store may hold some of the file's CRLs and must not
 * be used.
 */
int tlstund_trust_load_crl(X509_STORE *store, const char *path, char *err,
			   size_t errlen)
{
	STACK_OF(X509_INFO) *infos;
	int i, n = 0, ret;
	BIO *bio;

	bio = BIO_new_file(path, "r");
	if (!bio) {
		tlstund_identity_err(err, errlen, false,
				     "cannot open CRL file %s: %s", path,
				     strerror(errno));
		return -ENOENT;
	}
	infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!infos) {
		tlstund_identity_err(err, errlen, true,
				     "cannot parse CRL file %s", path);
		return -EINVAL;
	}
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		X509_CRL *crl = sk_X509_INFO_value(infos, i)->crl;

		if (!crl)
			continue;
		n++;
		if (!X509_STORE_add_crl(store, crl)) {
			tlstund_identity_err(err, errlen, true,
					     "cannot add CRL %d of %s", n,
					     path);
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = n;
	if (!n) {
		tlstund_identity_err(err, errlen, false,
				     "CRL file %s holds no CRL", path);
		ret = -EINVAL;
	}
out:
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	return ret;
}

/* Into @buf: which certificate a CRL revoked, and since when. */
static void revoked_detail(X509_STORE_CTX *ctx, int depth, char *buf,
			   size_t len)
{
	X509 *x = X509_STORE_CTX_get_current_cert(ctx);
	X509_CRL *crl = X509_STORE_CTX_get0_current_crl(ctx);
	char serial[80] = "?", subject[96] = "?", when[40] = "";
	X509_REVOKED *rev = NULL;
	const ASN1_INTEGER *sn;
	struct tm tm;
	BIGNUM *bn;
	char *hex;

	if (x) {
		sn = X509_get0_serialNumber(x);
		bn = ASN1_INTEGER_to_BN(sn, NULL);
		hex = bn ? BN_bn2hex(bn) : NULL;
		if (hex)
			snprintf(serial, sizeof(serial), "0x%s", hex);
		OPENSSL_free(hex);
		BN_free(bn);
		X509_NAME_oneline(X509_get_subject_name(x), subject,
				  sizeof(subject));
		if (crl && X509_CRL_get0_by_serial(crl, &rev,
						   (ASN1_INTEGER *)sn) == 1 &&
		    rev && ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(rev),
					   &tm))
			strftime(when, sizeof(when),
				 ", revoked %Y-%m-%d %H:%M:%S UTC", &tm);
	}
	snprintf(buf, len, "serial %s of %s%s, at depth %d", serial, subject,
		 when, depth);
}

/*
 * The chain check's verify callback with crl_check: names a revoked
 * certificate while OpenSSL still holds the CRL that revokes it ("serial
 * 0x1000 of /CN=..., revoked 2026-03-01 00:00:00 UTC, at depth 0"), and,
 * with crl-expired = warn, lets an out-of-date CRL count and says so in
 * the result.
 */
int tlstund_crl_verify_cb(int ok, X509_STORE_CTX *ctx)
{
	struct tlstund_crl_cb *cb = X509_STORE_CTX_get_app_data(ctx);
	int err = X509_STORE_CTX_get_error(ctx);

	if (ok || !cb)
		return ok;
	if (err == X509_V_ERR_CRL_HAS_EXPIRED && cb->warn) {
		cb->res->crl_expired_accepted = true;
		return 1;
	}
	if (err == X509_V_ERR_CERT_REVOKED)
		revoked_detail(ctx, X509_STORE_CTX_get_error_depth(ctx),
			       cb->revoked, sizeof(cb->revoked));
	return ok;
}
