// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the peer trust policy (tlshd/trust.c): every committed
 * certificate of certs/ under the policies it is meant for, checked at the
 * fixed time TC_TIME, plus malformed input and the TOFU store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "trust.h"
#include "certs/testcerts.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define CA	TLSTUND_TRUST_CA
#define PIN	TLSTUND_TRUST_PIN
#define V(x)	TLSTUND_TRUST_##x

static X509_STORE *store;	/* certs/root.pem */

_Static_assert(sizeof(((struct tc_chain *)0)->der) / sizeof(uint8_t *) ==
	       TLSTUND_TRUST_MAX_CHAIN + 1,
	       "struct tc_chain must hold one certificate past the limit");

/*
 * The verdict table of certs/README. A ca row names the node id the
 * policy expects; a pin row names the certificate whose pin is
 * configured. node is the id the result must carry, NULL for none.
 */
struct row {
	const char *chain[4];
	enum tlstund_trust_kind kind;
	const char *expect;	/* ca: node id; pin: certificate */
	enum tlstund_trust_verdict verdict;
	const char *node;
};

#define BOTH	TLSTUND_TRUST_PEER_BOTH
#define CLIENT	TLSTUND_TRUST_PEER_CLIENT
#define SERVER	TLSTUND_TRUST_PEER_SERVER

static const struct row rows[] = {
	/* ca: chains */
	{ { "leaf_a", "inter" }, CA, TC_NODE_A, V(OK), TC_NODE_A },
	{ { "leaf_a", "inter", "root" }, CA, TC_NODE_A, V(OK), TC_NODE_A },
	{ { "leaf_b" }, CA, TC_NODE_B, V(OK), TC_NODE_B },
	{ { "leaf_a" }, CA, TC_NODE_A, V(UNTRUSTED_CHAIN), NULL },
	{ { "leaf_a", "leaf_b" }, CA, TC_NODE_A, V(UNTRUSTED_CHAIN), NULL },
	{ { "leaf_wrong_ca" }, CA, TC_NODE_A, V(UNTRUSTED_CHAIN), NULL },
	{ { "self_a" }, CA, TC_NODE_A, V(UNTRUSTED_CHAIN), NULL },
	{ { "leaf_expired" }, CA, TC_NODE_A, V(EXPIRED), NULL },
	{ { "leaf_not_yet" }, CA, TC_NODE_A, V(NOT_YET_VALID), NULL },
	/* ca: the leaf itself */
	{ { "leaf_ca_true" }, CA, TC_NODE_A, V(LEAF_IS_CA), NULL },
	{ { "inter" }, CA, TC_NODE_A, V(LEAF_IS_CA), NULL },
	{ { "root" }, CA, TC_NODE_A, V(LEAF_IS_CA), NULL },
	{ { "leaf_rsa" }, CA, TC_NODE_A, V(BAD_KEY_TYPE), NULL },
	{ { "leaf_p384" }, CA, TC_NODE_A, V(BAD_KEY_TYPE), NULL },
	{ { "leaf_ku_agree" }, CA, TC_NODE_A, V(BAD_KEY_USAGE), NULL },
	{ { "leaf_ku_certsign" }, CA, TC_NODE_A, V(BAD_KEY_USAGE), NULL },
	{ { "leaf_eku_server" }, CA, TC_NODE_A, V(BAD_KEY_USAGE), NULL },
	{ { "leaf_eku_any" }, CA, TC_NODE_A, V(BAD_KEY_USAGE), NULL },
	{ { "leaf_minimal" }, CA, TC_NODE_A, V(OK), TC_NODE_A },
	/* ca: the node URI */
	{ { "leaf_other_uri" }, CA, TC_NODE_A, V(OK), TC_NODE_A },
	{ { "leaf_no_san" }, CA, TC_NODE_A, V(NO_NODE_URI), NULL },
	{ { "leaf_dns_only" }, CA, TC_NODE_A, V(NO_NODE_URI), NULL },
	{ { "leaf_two_uri" }, CA, TC_NODE_A, V(AMBIGUOUS_NODE_URI), NULL },
	{ { "leaf_uri_upper" }, CA, TC_NODE_A, V(MALFORMED_NODE_URI), NULL },
	{ { "leaf_uri_short" }, CA, TC_NODE_A, V(MALFORMED_NODE_URI), NULL },
	{ { "leaf_uri_other_kind" }, CA, TC_NODE_A, V(MALFORMED_NODE_URI),
	  NULL },
	{ { "leaf_b" }, CA, TC_NODE_A, V(WRONG_NODE_ID), NULL },
	{ { "leaf_a", "inter" }, CA, TC_NODE_B, V(WRONG_NODE_ID), NULL },
	/* pin: only the key counts */
	{ { "self_a" }, PIN, "self_a", V(OK), NULL },
	{ { "self_expired" }, PIN, "self_expired", V(OK), NULL },
	{ { "leaf_a" }, PIN, "leaf_a", V(OK), NULL },
	{ { "leaf_ca_true" }, PIN, "leaf_ca_true", V(OK), NULL },
	{ { "self_a", "leaf_b" }, PIN, "self_a", V(OK), NULL },
	{ { "self_a" }, PIN, "leaf_a", V(PIN_MISMATCH), NULL },
	{ { "leaf_a", "inter" }, PIN, "inter", V(PIN_MISMATCH), NULL },
	{ { "leaf_rsa" }, PIN, "leaf_rsa", V(BAD_KEY_TYPE), NULL },
	{ { "leaf_p384" }, PIN, "leaf_p384", V(BAD_KEY_TYPE), NULL },
};

/* The ca rows that depend on the TLS role the peer played; every row
 * above is judged for both roles.
 */
struct role_row {
	enum tlstund_trust_peer_role peer;
	struct row row;
};

static const struct role_row role_rows[] = {
	{ CLIENT, { { "leaf_a", "inter" }, CA, TC_NODE_A, V(OK), TC_NODE_A } },
	{ SERVER, { { "leaf_a", "inter" }, CA, TC_NODE_A, V(OK), TC_NODE_A } },
	{ CLIENT, { { "leaf_inter_server", "inter_server" }, CA, TC_NODE_A,
		    V(UNTRUSTED_CHAIN), NULL } },
	{ SERVER, { { "leaf_inter_server", "inter_server" }, CA, TC_NODE_A,
		    V(OK), TC_NODE_A } },
	{ BOTH, { { "leaf_inter_server", "inter_server" }, CA, TC_NODE_A,
		  V(UNTRUSTED_CHAIN), NULL } },
	{ SERVER, { { "leaf_eku_server" }, CA, TC_NODE_A, V(BAD_KEY_USAGE),
		    NULL } },
};

static void check_identity(const struct tlstund_trust_result *res,
			   const char *node)
{
	char pin[TLSTUND_PIN_STRLEN], want[TLSTUND_TRUST_IDENTITY_MAX];

	if (res->verdict != TLSTUND_TRUST_OK) {
		assert_string_equal(res->identity, "");
		return;
	}
	if (node) {
		snprintf(want, sizeof(want), "node:%s", node);
	} else {
		tlstund_pin_format(res->spki_sha256, pin);
		snprintf(want, sizeof(want), "pin:%.23s", pin);
	}
	assert_string_equal(res->identity, want);
	assert_true(strlen(res->identity) < 127);
}

static void check_row(const struct row *r,
		      enum tlstund_trust_peer_role peer)
{
	struct tlstund_trust_policy pol = { .kind = r->kind,
					    .ca_store = store,
					    .peer_role = peer };
	struct tlstund_trust_result res;
	uint8_t spki[TLSTUND_PIN_LEN], id[TLSTUND_NODE_ID_LEN];
	struct tc_chain c;
	int ret;

	if (r->kind == CA)
		tc_node(r->expect, pol.node_id);
	else
		tc_pin(r->expect, pol.pin);
	tc_chain_load(&c, r->chain);
	ret = tlstund_trust_verify(&pol, c.der, c.len, c.n, TC_TIME, &res);
	tc_chain_free(&c);

	if (res.verdict != r->verdict)
		fail_msg("verdict \"%s\" (%s), want \"%s\"",
			 tlstund_trust_reason_str(res.verdict), res.detail,
			 tlstund_trust_reason_str(r->verdict));
	assert_int_equal(ret, r->verdict == TLSTUND_TRUST_OK ? 0 : -EACCES);
	/* Known for every parsed leaf, and what the openssl CLI computed. */
	assert_true(res.has_spki);
	tc_pin(r->chain[0], spki);
	assert_memory_equal(res.spki_sha256, spki, sizeof(spki));
	assert_int_equal(res.has_node_id, r->node != NULL);
	if (r->node) {
		tc_node(r->node, id);
		assert_memory_equal(res.node_id, id, sizeof(id));
	}
	assert_false(res.tofu_first_contact);
	check_identity(&res, r->node);
}

static void test_row(void **state)
{
	check_row(*state, BOTH);
}

static void test_role_row(void **state)
{
	const struct role_row *rr = *state;

	check_row(&rr->row, rr->peer);
}

/* Validity is judged at the time passed in (not the clock), to the second. */
static void test_time_is_explicit(void **state)
{
	static const char *const names[] = { "leaf_a", "inter", NULL };
	struct tlstund_trust_policy pol = { .kind = CA, .ca_store = store };
	static const struct {
		time_t t;
		enum tlstund_trust_verdict v;
	} cases[] = {
		/* notBefore is 2026-01-01, notAfter 2126-01-01, 00:00:00 */
		{ 1767225600 - 1, V(NOT_YET_VALID) },
		{ 1767225600, V(OK) },
		{ 4922899200 - 1, V(OK) },
		/* OpenSSL treats notAfter itself as already expired. */
		{ 4922899200, V(EXPIRED) },
	};
	struct tlstund_trust_result res;
	struct tc_chain c;
	size_t i;

	(void)state;
	tc_node(TC_NODE_A, pol.node_id);
	tc_chain_load(&c, names);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		tlstund_trust_verify(&pol, c.der, c.len, c.n, cases[i].t, &res);
		if (res.verdict != cases[i].v)
			fail_msg("at %lld: \"%s\" (%s)", (long long)cases[i].t,
				 tlstund_trust_reason_str(res.verdict),
				 res.detail);
	}
	tc_chain_free(&c);
}

static void expect(const struct tlstund_trust_policy *pol,
		   const uint8_t *const *der, const size_t *len, size_t n,
		   enum tlstund_trust_verdict v)
{
	struct tlstund_trust_result res;

	memset(&res, 0xa5, sizeof(res));
	assert_int_equal(tlstund_trust_verify(pol, der, len, n, TC_TIME, &res),
			 -EACCES);
	if (res.verdict != v)
		fail_msg("verdict \"%s\" (%s), want \"%s\"",
			 tlstund_trust_reason_str(res.verdict), res.detail,
			 tlstund_trust_reason_str(v));
	assert_string_equal(res.identity, "");
	assert_false(res.has_node_id);
}

static void test_empty_chain(void **state)
{
	struct tlstund_trust_policy pol = { .kind = PIN };
	const uint8_t *der[1] = { NULL };
	size_t len[1] = { 0 };

	(void)state;
	expect(&pol, der, len, 0, V(EMPTY_CHAIN));
	expect(&pol, NULL, NULL, 0, V(EMPTY_CHAIN));
	expect(&pol, NULL, len, 1, V(EMPTY_CHAIN));
	/* A certificate of no bytes is there but broken. */
	expect(&pol, der, len, 1, V(BAD_DER));
}

static void test_chain_too_long(void **state)
{
	struct tlstund_trust_policy pol = { .kind = PIN };
	const uint8_t *der[TLSTUND_TRUST_MAX_CHAIN + 1];
	size_t len[TLSTUND_TRUST_MAX_CHAIN + 1], i, n;
	uint8_t *leaf = tc_read("self_a.der", &n);

	(void)state;
	tc_pin("self_a", pol.pin);
	for (i = 0; i < ARRAY_SIZE(der); i++) {
		der[i] = leaf;
		len[i] = n;
	}
	expect(&pol, der, len, ARRAY_SIZE(der), V(CHAIN_TOO_LONG));
	/* The longest allowed chain still passes. */
	assert_int_equal(tlstund_trust_verify(&pol, der, len,
					      TLSTUND_TRUST_MAX_CHAIN,
					      TC_TIME,
					      &(struct tlstund_trust_result){}),
			 0);
	free(leaf);
}

/* Broken DER is rejected under every policy, in any chain position. */
static void test_bad_der(void **state)
{
	static const uint8_t garbage[] = "this is not a certificate";
	struct tlstund_trust_policy pin = { .kind = PIN };
	struct tlstund_trust_policy ca = { .kind = CA, .ca_store = store };
	const struct tlstund_trust_policy *pols[] = { &pin, &ca };
	uint8_t *leaf, *inter, *trailing;
	const uint8_t *der[2];
	size_t len[2], n, ni, i, cut;

	(void)state;
	leaf = tc_read("leaf_a.der", &n);
	inter = tc_read("inter.der", &ni);
	tc_pin("leaf_a", pin.pin);
	tc_node(TC_NODE_A, ca.node_id);
	trailing = malloc(n + 1);
	assert_non_null(trailing);
	memcpy(trailing, leaf, n);
	trailing[n] = 0;

	for (i = 0; i < ARRAY_SIZE(pols); i++) {
		der[0] = garbage;
		len[0] = sizeof(garbage);
		expect(pols[i], der, len, 1, V(BAD_DER));

		/* Truncated: 1 to 7 bytes, then in fifths, all but one. */
		der[0] = leaf;
		for (cut = 1; cut < n; cut += cut < 8 ? 1 : n / 5) {
			len[0] = cut;
			expect(pols[i], der, len, 1, V(BAD_DER));
		}
		len[0] = n - 1;
		expect(pols[i], der, len, 1, V(BAD_DER));

		der[0] = trailing;
		len[0] = n + 1;
		expect(pols[i], der, len, 1, V(BAD_DER));

		/* A good leaf followed by a broken intermediate. */
		der[0] = leaf;
		len[0] = n;
		der[1] = inter;
		len[1] = ni / 2;
		expect(pols[i], der, len, 2, V(BAD_DER));
		der[1] = NULL;
		len[1] = ni;
		expect(pols[i], der, len, 2, V(BAD_DER));
	}
	free(trailing);
	free(inter);
	free(leaf);
}

static void test_bad_policy(void **state)
{
	struct tlstund_trust_policy pol = { 0 };
	const uint8_t *der[1];
	size_t len[1];
	uint8_t *leaf;

	(void)state;
	leaf = tc_read("leaf_b.der", &len[0]);
	der[0] = leaf;
	expect(NULL, der, len, 1, V(BAD_POLICY));
	pol.kind = TLSTUND_TRUST_UNSET;
	expect(&pol, der, len, 1, V(BAD_POLICY));
	pol.kind = (enum tlstund_trust_kind)77;
	expect(&pol, der, len, 1, V(BAD_POLICY));
	/* ca with no anchors loaded */
	pol.kind = CA;
	tc_node(TC_NODE_B, pol.node_id);
	expect(&pol, der, len, 1, V(BAD_POLICY));
	free(leaf);
}

static void test_reason_str(void **state)
{
	const char *seen[__TLSTUND_TRUST_VERDICT_MAX];
	unsigned int v, w;

	(void)state;
	for (v = 0; v < __TLSTUND_TRUST_VERDICT_MAX; v++) {
		seen[v] = tlstund_trust_reason_str(v);
		assert_non_null(seen[v]);
		assert_string_not_equal(seen[v], "unknown verdict");
		for (w = 0; w < v; w++)
			assert_string_not_equal(seen[v], seen[w]);
	}
	v = __TLSTUND_TRUST_VERDICT_MAX;
	assert_string_equal(tlstund_trust_reason_str(v), "unknown verdict");
	v = -1;
	assert_string_equal(tlstund_trust_reason_str(v), "unknown verdict");
}

/* A pin mismatch names the key the peer presented, in the pin's form. */
static void test_pin_mismatch_names_key(void **state)
{
	const char *const names[] = { "self_a", NULL };
	struct tlstund_trust_policy pol = { .kind = PIN };
	struct tlstund_trust_result res;
	char want[TLSTUND_TRUST_DETAIL_MAX], pin[TLSTUND_PIN_STRLEN];
	uint8_t got[TLSTUND_PIN_LEN];
	struct tc_chain c;

	(void)state;
	tc_pin("leaf_a", pol.pin);
	tc_pin("self_a", got);
	tc_chain_load(&c, names);
	assert_int_equal(tlstund_trust_verify(&pol, c.der, c.len, c.n, TC_TIME,
					      &res), -EACCES);
	tc_chain_free(&c);
	assert_int_equal(res.verdict, TLSTUND_TRUST_PIN_MISMATCH);
	tlstund_pin_format(got, pin);
	snprintf(want, sizeof(want), "the peer presented %s", pin);
	assert_string_equal(res.detail, want);
}

static void test_load_ca(void **state)
{
	char err[TLSTUND_ERR_LEN];
	X509_STORE *s;

	(void)state;
	s = tlstund_trust_load_ca(TC_DIR "nonexistent.pem", err, sizeof(err));
	assert_null(s);
	assert_non_null(strstr(err, "No such file"));
	s = tlstund_trust_load_ca(TC_DIR "root.pin", err, sizeof(err));
	assert_null(s);
	assert_non_null(strstr(err, "no certificate"));
	s = tlstund_trust_load_ca(TC_DIR "root.der", err, sizeof(err));
	assert_null(s);
	/* Any PEM file of certificates is a bundle. */
	s = tlstund_trust_load_ca(TC_DIR "other_root.pem", err, sizeof(err));
	assert_non_null(s);
	X509_STORE_free(s);
}

/* TOFU: a store in a fresh directory per test. */

struct tofu {
	char *dir;
	struct tlstund_trust_policy pol;
	struct tc_chain self_a, leaf_a;
	uint8_t pin_self_a[TLSTUND_PIN_LEN];
};

static int tofu_setup(void **state)
{
	static const char *const self_a[] = { "self_a", NULL };
	static const char *const leaf_a[] = { "leaf_a", NULL };
	struct tofu *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->dir = tc_tmpdir();
	t->pol.kind = TLSTUND_TRUST_TOFU;
	t->pol.tofu_dir = t->dir;
	t->pol.peer_name = "peer-1.example";
	tc_chain_load(&t->self_a, self_a);
	tc_chain_load(&t->leaf_a, leaf_a);
	tc_pin("self_a", t->pin_self_a);
	*state = t;
	return 0;
}

static int tofu_teardown(void **state)
{
	struct tofu *t = *state;

	tc_chain_free(&t->self_a);
	tc_chain_free(&t->leaf_a);
	tc_rmtree(t->dir);
	free(t);
	return 0;
}

static int tofu_verify(struct tofu *t, const struct tc_chain *c,
		       struct tlstund_trust_result *res)
{
	return tlstund_trust_verify(&t->pol, c->der, c->len, c->n, TC_TIME,
				    res);
}

/* Names of the entries of @dir other than . and .., comma-separated. */
static void dir_list(const char *dir, char *out, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	assert_non_null(d);
	out[0] = '\0';
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (out[0])
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, de->d_name, len - strlen(out) - 1);
	}
	closedir(d);
}

static void test_tofu_first_contact(void **state)
{
	struct tofu *t = *state;
	struct tlstund_trust_result res;
	char list[256], *path, pin[TLSTUND_PIN_STRLEN + 1];
	uint8_t got[TLSTUND_PIN_LEN];
	struct stat st;
	size_t n;
	uint8_t *rec;

	/* First contact: accepted, flagged, and nothing written yet. */
	assert_int_equal(tofu_verify(t, &t->self_a, &res), 0);
	assert_int_equal(res.verdict, V(OK));
	assert_true(res.tofu_first_contact);
	assert_false(res.has_node_id);
	check_identity(&res, NULL);
	dir_list(t->dir, list, sizeof(list));
	assert_string_equal(list, "");
	assert_int_equal(tlstund_trust_tofu_lookup(t->dir, t->pol.peer_name,
						   got), -ENOENT);

	/* Recording writes one 0600 file holding the canonical pin. */
	assert_int_equal(tlstund_trust_tofu_record(&t->pol, &res), 0);
	assert_int_equal(res.verdict, V(OK));
	assert_false(res.tofu_first_contact);
	dir_list(t->dir, list, sizeof(list));
	assert_string_equal(list, "peer-1.example.pin");
	assert_true(asprintf(&path, "%s/peer-1.example.pin", t->dir) > 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	free(path);
	rec = tc_read("self_a.pin", &n);
	tlstund_pin_format(t->pin_self_a, pin);
	strcat(pin, "\n");
	assert_int_equal(n, strlen(pin));
	assert_memory_equal(rec, pin, n);
	free(rec);
	assert_int_equal(tlstund_trust_tofu_lookup(t->dir, t->pol.peer_name,
						   got), 0);
	assert_memory_equal(got, t->pin_self_a, sizeof(got));

	/* Later contacts: the same key passes, another does not. */
	assert_int_equal(tofu_verify(t, &t->self_a, &res), 0);
	assert_false(res.tofu_first_contact);
	check_identity(&res, NULL);
	assert_int_equal(tofu_verify(t, &t->leaf_a, &res), -EACCES);
	assert_int_equal(res.verdict, V(TOFU_MISMATCH));
	assert_string_equal(res.identity, "");

	/* Records are per peer name. */
	t->pol.peer_name = "peer-2";
	assert_int_equal(tofu_verify(t, &t->leaf_a, &res), 0);
	assert_true(res.tofu_first_contact);
}

/* A second first contact that loses the race compares, never replaces. */
static void test_tofu_record_race(void **state)
{
	struct tofu *t = *state;
	struct tlstund_trust_result a, b, again;

	assert_int_equal(tofu_verify(t, &t->self_a, &a), 0);
	assert_int_equal(tofu_verify(t, &t->leaf_a, &b), 0);
	assert_int_equal(tofu_verify(t, &t->self_a, &again), 0);
	assert_true(a.tofu_first_contact && b.tofu_first_contact);
	assert_int_equal(tlstund_trust_tofu_record(&t->pol, &a), 0);
	assert_int_equal(tlstund_trust_tofu_record(&t->pol, &b), -EACCES);
	assert_int_equal(b.verdict, V(TOFU_MISMATCH));
	assert_string_equal(b.identity, "");
	assert_int_equal(tlstund_trust_tofu_record(&t->pol, &again), 0);
	assert_int_equal(tofu_verify(t, &t->self_a, &a), 0);
	assert_false(a.tofu_first_contact);

	/* Nothing to record from a rejection. */
	assert_int_equal(tofu_verify(t, &t->leaf_a, &b), -EACCES);
	assert_int_equal(tlstund_trust_tofu_record(&t->pol, &b), -EACCES);
	assert_int_equal(b.verdict, V(BAD_POLICY));
}

static void expect_store_error(struct tofu *t, const char *why)
{
	struct tlstund_trust_result res;

	if (tofu_verify(t, &t->self_a, &res) != -EACCES ||
	    res.verdict != V(TOFU_STORE_ERROR))
		fail_msg("%s: verdict \"%s\" (%s)", why,
			 tlstund_trust_reason_str(res.verdict), res.detail);
	assert_false(res.tofu_first_contact);
}

/* Anything but one well-formed pin in a private file fails closed. */
static void test_tofu_corrupt_store(void **state)
{
	struct {
		const char *why;
		char text[160];
		mode_t mode;
	} bad[] = {
		{ "empty", "", 0600 },
		{ "garbage", "not a pin\n", 0600 },
		{ "no newline", "", 0600 },
		{ "truncated", "", 0600 },
		{ "two lines", "", 0600 },
		{ "base64", "", 0600 },
		{ "upper case", "", 0600 },
		{ "group-writable", "", 0620 },
	};
	struct tofu *t = *state;
	char good[TLSTUND_PIN_STRLEN + 1], *path, *link;
	size_t i, n;

	/* Every variant below is self_a's pin, spoilt one way. */
	tlstund_pin_format(t->pin_self_a, good);
	strcat(good, "\n");
	n = strlen(good);
	memcpy(bad[2].text, good, n - 1);
	memcpy(bad[3].text, good, n - 3);
	strcat(bad[3].text, "\n");
	snprintf(bad[4].text, sizeof(bad[4].text), "%sx\n", good);
	EVP_EncodeBlock((unsigned char *)bad[5].text, t->pin_self_a,
			sizeof(t->pin_self_a));
	strcat(bad[5].text, "\n");
	for (i = 0; i < n; i++)
		bad[6].text[i] = i < 7 ? good[i] : toupper(good[i]);
	strcpy(bad[7].text, good);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		path = tc_write(t->dir, "peer-1.example.pin", bad[i].text,
				strlen(bad[i].text), bad[i].mode);
		expect_store_error(t, bad[i].why);
		assert_int_equal(unlink(path), 0);
		free(path);
	}

	/* The same text, private, is accepted: the cases above are real. */
	path = tc_write(t->dir, "peer-1.example.pin", good, strlen(good),
			0600);
	assert_int_equal(tofu_verify(t, &t->self_a,
				     &(struct tlstund_trust_result){}), 0);

	/* A symlink is not followed, even to a good record. */
	assert_true(asprintf(&link, "%s/peer-2.pin", t->dir) > 0);
	assert_int_equal(symlink(path, link), 0);
	t->pol.peer_name = "peer-2";
	expect_store_error(t, "symlink");
	free(link);

	/* A directory where the record should be. */
	free(path);
	assert_true(asprintf(&path, "%s/peer-3.pin", t->dir) > 0);
	assert_int_equal(mkdir(path, 0700), 0);
	t->pol.peer_name = "peer-3";
	expect_store_error(t, "directory");
	free(path);

	/* A store directory others can write to. */
	assert_int_equal(chmod(t->dir, 0777), 0);
	t->pol.peer_name = "peer-1.example";
	expect_store_error(t, "world-writable directory");
	assert_int_equal(chmod(t->dir, 0700), 0);
}

/*
 * Our own key coming back: refused under every policy, and TOFU records
 * nothing, so a reflected first contact cannot make us trust ourselves.
 */
static void test_reflected_key(void **state)
{
	static const char *const leaf_a[] = { "leaf_a", "inter", NULL };
	struct tofu *t = *state;
	struct tlstund_trust_policy pin = { .kind = PIN };
	struct tlstund_trust_policy ca = { .kind = CA, .ca_store = store };
	struct tlstund_trust_result res;
	struct tc_chain c;
	char list[64];

	tc_chain_load(&c, leaf_a);
	tc_pin("leaf_a", ca.local_spki);
	tc_node(TC_NODE_A, ca.node_id);
	assert_int_equal(tlstund_trust_verify(&ca, c.der, c.len, c.n, TC_TIME,
					      &res), -EACCES);
	assert_int_equal(res.verdict, V(REFLECTED));
	assert_string_equal(res.identity, "");
	/* Another local key: the same chain is accepted. */
	tc_pin("leaf_b", ca.local_spki);
	assert_int_equal(tlstund_trust_verify(&ca, c.der, c.len, c.n, TC_TIME,
					      &res), 0);
	tc_chain_free(&c);

	/* Even when the configuration pins our own key. */
	tc_pin("self_a", pin.pin);
	tc_pin("self_a", pin.local_spki);
	assert_int_equal(tlstund_trust_verify(&pin, t->self_a.der,
					      t->self_a.len, t->self_a.n,
					      TC_TIME, &res), -EACCES);
	assert_int_equal(res.verdict, V(REFLECTED));

	memcpy(t->pol.local_spki, t->pin_self_a, sizeof(t->pin_self_a));
	assert_int_equal(tofu_verify(t, &t->self_a, &res), -EACCES);
	assert_int_equal(res.verdict, V(REFLECTED));
	assert_false(res.tofu_first_contact);
	assert_int_equal(tlstund_trust_tofu_record(&t->pol, &res), -EACCES);
	dir_list(t->dir, list, sizeof(list));
	assert_string_equal(list, "");
}

/*
 * Mode bits are not enough: a store directory or record owned by another
 * user is refused, since its owner can write there whatever the mode.
 */
static void test_tofu_wrong_owner(void **state)
{
	struct tofu *t = *state;
	struct tlstund_trust_result res;
	const uid_t other = geteuid() == 65534 ? 65533 : 65534;
	char rec[TLSTUND_PIN_STRLEN + 1], *path;

	/* chown to another user needs root; the test runs as root. */
	assert_int_equal(geteuid(), 0);
	tlstund_pin_format(t->pin_self_a, rec);
	strcat(rec, "\n");
	path = tc_write(t->dir, "peer-1.example.pin", rec, strlen(rec), 0600);
	assert_int_equal(tofu_verify(t, &t->self_a, &res), 0);

	assert_int_equal(chown(path, other, -1), 0);
	expect_store_error(t, "record owned by another user");
	assert_int_equal(chown(path, geteuid(), -1), 0);
	assert_int_equal(tofu_verify(t, &t->self_a, &res), 0);

	assert_int_equal(chown(t->dir, other, -1), 0);
	expect_store_error(t, "directory owned by another user");
	/* Nor is a first contact recorded there. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(chown(t->dir, geteuid(), -1), 0);
	assert_int_equal(tofu_verify(t, &t->self_a, &res), 0);
	assert_true(res.tofu_first_contact);
	assert_int_equal(chown(t->dir, other, -1), 0);
	assert_int_equal(tlstund_trust_tofu_record(&t->pol, &res), -EACCES);
	assert_int_equal(res.verdict, V(TOFU_STORE_ERROR));
	assert_int_equal(chown(t->dir, geteuid(), -1), 0);
	free(path);
}

/* A store that cannot be written to fails the recording, not the peer. */
static void test_tofu_unwritable(void **state)
{
	struct tofu *t = *state;
	struct tlstund_trust_result res;
	char *missing, *file;

	assert_true(asprintf(&missing, "%s/missing", t->dir) > 0);
	t->pol.tofu_dir = missing;
	expect_store_error(t, "missing directory");
	/* Recording to a directory that vanished after the lookup. */
	t->pol.tofu_dir = t->dir;
	assert_int_equal(tofu_verify(t, &t->self_a, &res), 0);
	t->pol.tofu_dir = missing;
	assert_int_equal(tlstund_trust_tofu_record(&t->pol, &res), -EACCES);
	assert_int_equal(res.verdict, V(TOFU_STORE_ERROR));
	assert_string_equal(res.identity, "");
	free(missing);

	file = tc_write(t->dir, "plainfile", "x", 1, 0600);
	t->pol.tofu_dir = file;
	expect_store_error(t, "store is a file");
	t->pol.tofu_dir = t->dir;
	assert_int_equal(tofu_verify(t, &t->self_a, &res), 0);
	t->pol.tofu_dir = file;
	assert_int_equal(tlstund_trust_tofu_record(&t->pol, &res), -EACCES);
	assert_int_equal(res.verdict, V(TOFU_STORE_ERROR));
	free(file);
}

/*
 * Makes @dir unwritable: mode bits stop other users, root needs the
 * immutable attribute, where the filesystem has one.
 */
static bool protect(const char *dir, bool on)
{
	int fd, flags, ok;

	if (geteuid())
		return !chmod(dir, on ? 0500 : 0700);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	ok = !ioctl(fd, FS_IOC_GETFLAGS, &flags);
	if (ok) {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		ok = !ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
	return ok;
}

static void test_tofu_readonly_dir(void **state)
{
	struct tofu *t = *state;
	struct tlstund_trust_result res;
	char list[64];
	int ret;

	assert_int_equal(tofu_verify(t, &t->self_a, &res), 0);
	if (!protect(t->dir, true))
		skip();
	ret = tlstund_trust_tofu_record(&t->pol, &res);
	/* Undo before asserting, so teardown can always clean up. */
	assert_true(protect(t->dir, false));
	assert_int_equal(ret, -EACCES);
	assert_int_equal(res.verdict, V(TOFU_STORE_ERROR));
	dir_list(t->dir, list, sizeof(list));
	assert_string_equal(list, "");
}

static void test_tofu_peer_names(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", ".hidden", "../escape", "a/b", "a b", "a\nb",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	struct tofu *t = *state;
	struct tlstund_trust_result res;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_false(tlstund_trust_peer_name_valid(bad[i]));
		t->pol.peer_name = bad[i];
		assert_int_equal(tofu_verify(t, &t->self_a, &res), -EACCES);
		assert_int_equal(res.verdict, V(BAD_POLICY));
	}
	assert_false(tlstund_trust_peer_name_valid(NULL));
	t->pol.peer_name = NULL;
	assert_int_equal(tofu_verify(t, &t->self_a, &res), -EACCES);
	assert_int_equal(res.verdict, V(BAD_POLICY));
	assert_true(tlstund_trust_peer_name_valid(
		"012345678901234567890123456789012345678901234567890123456789012"));
	assert_true(tlstund_trust_peer_name_valid("Node_7.site-b"));
}

static int group_setup(void **state)
{
	char err[TLSTUND_ERR_LEN];

	(void)state;
	store = tlstund_trust_load_ca(TC_DIR "root.pem", err, sizeof(err));
	if (!store) {
		fprintf(stderr, "# %s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	X509_STORE_free(store);
	return 0;
}

static const char *const verdict_names[__TLSTUND_TRUST_VERDICT_MAX] = {
	[V(OK)] = "ok", [V(BAD_POLICY)] = "bad_policy",
	[V(EMPTY_CHAIN)] = "empty_chain", [V(CHAIN_TOO_LONG)] = "too_long",
	[V(BAD_DER)] = "bad_der", [V(EXPIRED)] = "expired",
	[V(NOT_YET_VALID)] = "not_yet_valid",
	[V(UNTRUSTED_CHAIN)] = "untrusted_chain",
	[V(LEAF_IS_CA)] = "leaf_is_ca", [V(BAD_KEY_TYPE)] = "bad_key_type",
	[V(BAD_KEY_USAGE)] = "bad_key_usage",
	[V(NO_NODE_URI)] = "no_node_uri",
	[V(MALFORMED_NODE_URI)] = "malformed_node_uri",
	[V(AMBIGUOUS_NODE_URI)] = "ambiguous_node_uri",
	[V(WRONG_NODE_ID)] = "wrong_node_id",
	[V(PIN_MISMATCH)] = "pin_mismatch",
	[V(TOFU_MISMATCH)] = "tofu_mismatch",
	[V(TOFU_STORE_ERROR)] = "tofu_store_error",
	[V(INTERNAL_ERROR)] = "internal_error",
	[V(REFLECTED)] = "reflected",
};

static const char *const peer_names[] = {
	[TLSTUND_TRUST_PEER_BOTH] = "",
	[TLSTUND_TRUST_PEER_CLIENT] = " (peer is client)",
	[TLSTUND_TRUST_PEER_SERVER] = " (peer is server)",
};

/* "ca leaf_a+inter node 0x0011.. -> ok", "pin self_a pin of leaf_a -> ..." */
static char *row_name(const struct row *r, enum tlstund_trust_peer_role peer)
{
	char chain[128] = "";
	char *name;
	int i;

	for (i = 0; r->chain[i]; i++) {
		if (i)
			strcat(chain, "+");
		strcat(chain, r->chain[i]);
	}
	if (r->kind == CA)
		assert_true(asprintf(&name, "ca %s%s node %.6s.. -> %s", chain,
				     peer_names[peer], r->expect,
				     verdict_names[r->verdict]) > 0);
	else
		assert_true(asprintf(&name, "pin %s pin of %s -> %s", chain,
				     r->expect, verdict_names[r->verdict]) > 0);
	return name;
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_time_is_explicit),
		cmocka_unit_test(test_empty_chain),
		cmocka_unit_test(test_chain_too_long),
		cmocka_unit_test(test_bad_der),
		cmocka_unit_test(test_bad_policy),
		cmocka_unit_test(test_reason_str),
		cmocka_unit_test(test_load_ca),
		cmocka_unit_test(test_pin_mismatch_names_key),
		cmocka_unit_test_setup_teardown(test_tofu_first_contact,
						tofu_setup, tofu_teardown),
		cmocka_unit_test_setup_teardown(test_tofu_record_race,
						tofu_setup, tofu_teardown),
		cmocka_unit_test_setup_teardown(test_tofu_corrupt_store,
						tofu_setup, tofu_teardown),
		cmocka_unit_test_setup_teardown(test_tofu_unwritable,
						tofu_setup, tofu_teardown),
		cmocka_unit_test_setup_teardown(test_reflected_key,
						tofu_setup, tofu_teardown),
		cmocka_unit_test_setup_teardown(test_tofu_wrong_owner,
						tofu_setup, tofu_teardown),
		cmocka_unit_test_setup_teardown(test_tofu_readonly_dir,
						tofu_setup, tofu_teardown),
		cmocka_unit_test_setup_teardown(test_tofu_peer_names,
						tofu_setup, tofu_teardown),
	};
	enum { N_ROWS = ARRAY_SIZE(rows) + ARRAY_SIZE(role_rows) };
	struct CMUnitTest tests[N_ROWS + ARRAY_SIZE(fixed)];
	size_t i;
	int ret;

	/* One TAP line per row of the verdict tables. */
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		tests[i] = (struct CMUnitTest)
			cmocka_unit_test_prestate(test_row, (void *)&rows[i]);
		tests[i].name = row_name(&rows[i], BOTH);
	}
	for (; i < N_ROWS; i++) {
		const struct role_row *rr = &role_rows[i - ARRAY_SIZE(rows)];

		tests[i] = (struct CMUnitTest)
			cmocka_unit_test_prestate(test_role_row, (void *)rr);
		tests[i].name = row_name(&rr->row, rr->peer);
	}
	memcpy(tests + i, fixed, sizeof(fixed));
	cmocka_set_message_output(CM_OUTPUT_TAP);
	ret = _cmocka_run_group_tests("trust", tests, ARRAY_SIZE(tests),
				      group_setup, group_teardown);
	for (i = 0; i < N_ROWS; i++)
		free((char *)tests[i].name);
	return ret;
}
