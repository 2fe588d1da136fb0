// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of revocation under trust = ca (tlshd/crl.c and the CRL
 * checks of tlshd/trust.c): the committed CRLs of certs/ (crl-gen.sh)
 * over the committed chains, at the fixed time TC_TIME.
 *
 *   leaf_a + inter  (node A)   needs CRLs of inter and of root
 *   leaf_b          (node B)   needs root's
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "trust.h"
#include "certs/testcerts.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* root.pem as the bundle, and the CRL files named, in one file. */
static X509_STORE *store_with(const char *const *crls, char **tmp)
{
	char err[TLSTUND_ERR_LEN], name[64];
	X509_STORE *s;
	uint8_t *buf;
	size_t len;
	char *path;

	s = tlstund_trust_load_ca(TC_DIR "root.pem", err, sizeof(err));
	assert_non_null(s);
	*tmp = tc_tmpdir();
	path = tc_write(*tmp, "crls.pem", (const uint8_t *)"", 0, 0600);
	for (; *crls; crls++) {
		snprintf(name, sizeof(name), "%s.pem", *crls);
		buf = tc_read(name, &len);
		tc_append(*tmp, "crls.pem", buf, len);
		free(buf);
	}
	if (tlstund_trust_load_crl(s, path, err, sizeof(err)) <= 0)
		fail_msg("load_crl: %s", err);
	free(path);
	return s;
}

/* The verdict on @names for node @node over the CRLs @crls. */
static enum tlstund_trust_verdict judge(const char *const *crls,
					const char *const *names,
					const char *node, bool warn,
					struct tlstund_trust_result *res)
{
	struct tlstund_trust_policy pol = {
		.kind = TLSTUND_TRUST_CA,
		.peer_role = TLSTUND_TRUST_PEER_BOTH,
		.crl_check = true,
		.crl_expired_warn = warn,
	};
	struct tc_chain c;
	char *tmp;
	int ret;

	pol.ca_store = store_with(crls, &tmp);
	tc_node(node, pol.node_id);
	tc_chain_load(&c, names);
	ret = tlstund_trust_verify(&pol, c.der, c.len, c.n, TC_TIME, res);
	tc_chain_free(&c);
	X509_STORE_free(pol.ca_store);
	tc_rmtree(tmp);
	assert_int_equal(ret, res->verdict == TLSTUND_TRUST_OK ? 0 : -EACCES);
	return res->verdict;
}

static const char *const chain_a[] = { "leaf_a", "inter", NULL };
static const char *const chain_b[] = { "leaf_b", NULL };

static void expect(enum tlstund_trust_verdict got,
		   enum tlstund_trust_verdict want,
		   const struct tlstund_trust_result *res)
{
	if (got != want)
		fail_msg("verdict \"%s\" (%s), want \"%s\"",
			 tlstund_trust_reason_str(got), res->detail,
			 tlstund_trust_reason_str(want));
}

/* Current CRLs that revoke nothing: both chains pass. */
static void test_nothing_revoked(void **state)
{
	const char *const crls[] = { "crl_root", "crl_inter", NULL };
	struct tlstund_trust_result res;

	(void)state;
	expect(judge(crls, chain_a, TC_NODE_A, false, &res), TLSTUND_TRUST_OK,
	       &res);
	assert_false(res.crl_expired_accepted);
	expect(judge(crls, chain_b, TC_NODE_B, false, &res), TLSTUND_TRUST_OK,
	       &res);
}

/* The verdict names the revoked serial, its subject and the date. */
static void test_leaf_revoked(void **state)
{
	const char *const by_inter[] = { "crl_root", "crl_inter_revokes_a",
					 NULL };
	const char *const by_root[] = { "crl_root_revokes_b", "crl_inter",
					NULL };
	struct tlstund_trust_result res;

	(void)state;
	expect(judge(by_inter, chain_a, TC_NODE_A, false, &res),
	       TLSTUND_TRUST_REVOKED, &res);
	assert_string_equal(res.detail,
			    "serial 0x1000 of /CN=tlstun test leaf_a, revoked 2026-03-01 00:00:00 UTC, at depth 0");
	assert_string_equal(res.identity, "");
	/* leaf_b is not on inter's list, and root's revokes nothing. */
	expect(judge(by_inter, chain_b, TC_NODE_B, false, &res),
	       TLSTUND_TRUST_OK, &res);
	expect(judge(by_root, chain_b, TC_NODE_B, false, &res),
	       TLSTUND_TRUST_REVOKED, &res);
	assert_non_null(strstr(res.detail, "of /CN=tlstun test leaf_b"));
	expect(judge(by_root, chain_a, TC_NODE_A, false, &res),
	       TLSTUND_TRUST_OK, &res);
}

/* Every CA of the chain needs its CRL: without inter's, leaf_a fails. */
static void test_crl_missing(void **state)
{
	const char *const root_only[] = { "crl_root", NULL };
	const char *const strangers[] = { "crl_other_root", NULL };
	struct tlstund_trust_result res;

	(void)state;
	expect(judge(root_only, chain_a, TC_NODE_A, false, &res),
	       TLSTUND_TRUST_CRL_MISSING, &res);
	assert_non_null(strstr(res.detail, "at depth 0"));
	expect(judge(root_only, chain_b, TC_NODE_B, false, &res),
	       TLSTUND_TRUST_OK, &res);
	/* A CRL of a CA that issued nothing here covers nothing. */
	expect(judge(strangers, chain_b, TC_NODE_B, false, &res),
	       TLSTUND_TRUST_CRL_MISSING, &res);
}

/* An out-of-date CRL fails closed, unless crl-expired = warn, which
 * accepts and says so.
 */
static void test_crl_expired(void **state)
{
	const char *const crls[] = { "crl_root", "crl_inter_expired", NULL };
	struct tlstund_trust_result res;

	(void)state;
	expect(judge(crls, chain_a, TC_NODE_A, false, &res),
	       TLSTUND_TRUST_CRL_EXPIRED, &res);
	assert_non_null(strstr(res.detail, "CRL has expired"));
	expect(judge(crls, chain_a, TC_NODE_A, true, &res), TLSTUND_TRUST_OK,
	       &res);
	assert_true(res.crl_expired_accepted);
	assert_string_equal(res.identity, "node:" TC_NODE_A);
	/* root's own CRL is current: leaf_b never needed the stale one. */
	expect(judge(crls, chain_b, TC_NODE_B, true, &res), TLSTUND_TRUST_OK,
	       &res);
	assert_false(res.crl_expired_accepted);
}

/* Without crl_check the CRLs in the store are not consulted. */
static void test_crl_check_off(void **state)
{
	const char *const crls[] = { "crl_root", "crl_inter_revokes_a", NULL };
	struct tlstund_trust_policy pol = {
		.kind = TLSTUND_TRUST_CA,
		.peer_role = TLSTUND_TRUST_PEER_BOTH,
	};
	struct tlstund_trust_result res;
	struct tc_chain c;
	char *tmp;

	(void)state;
	pol.ca_store = store_with(crls, &tmp);
	tc_node(TC_NODE_A, pol.node_id);
	tc_chain_load(&c, chain_a);
	assert_int_equal(tlstund_trust_verify(&pol, c.der, c.len, c.n,
					      TC_TIME, &res), 0);
	tc_chain_free(&c);
	X509_STORE_free(pol.ca_store);
	tc_rmtree(tmp);
}

static void test_load_errors(void **state)
{
	char err[TLSTUND_ERR_LEN];
	X509_STORE *s;

	(void)state;
	s = tlstund_trust_load_ca(TC_DIR "root.pem", err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(tlstund_trust_load_crl(s, TC_DIR "nonexistent.pem",
						err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot open CRL file"));
	assert_non_null(strstr(err, "No such file"));
	/* A file of certificates is not a CRL file. */
	assert_int_equal(tlstund_trust_load_crl(s, TC_DIR "inter.pem", err,
						sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "holds no CRL"));
	assert_int_equal(tlstund_trust_load_crl(s, TC_DIR "crl_root.pem", err,
						sizeof(err)), 1);
	X509_STORE_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_revoked),
		cmocka_unit_test(test_leaf_revoked),
		cmocka_unit_test(test_crl_missing),
		cmocka_unit_test(test_crl_expired),
		cmocka_unit_test(test_crl_check_off),
		cmocka_unit_test(test_load_errors),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("crl", tests, NULL, NULL);
}
