/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the transport suites (test_tls.c, test_quic.c) share: a side's
 * identity and trust policy made into a transport context from the
 * committed test certificates, a listener on an ephemeral port, the
 * report pipe between parent and child, and a few assertions. Include
 * after cmocka.h and certs/testcerts.h.
 */
#ifndef TLSTUN_TEST_TRANSPORT_PAIR_H
#define TLSTUN_TEST_TRANSPORT_PAIR_H

#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include "transport.h"

#define TP_WAIT_MS	20000

/* One side's configuration. */
struct side {
	const char *cert;	/* certs/<cert>.pem and certs/<cert>.key.pem */
	/* certificates sent after it, NULL-terminated */
	const char *chain[TLSTUND_TRUST_MAX_CHAIN + 1];
	enum tlstund_trust_kind kind;
	const char *expect;	/* ca: node id; pin: certificate whose pin */
	const char *tofu_dir;	/* tofu */
	const char *peer_name;	/* tofu */
};

static inline char *tp_copy_cert(const char *tmp, const char *prefix,
		       const struct side *s, bool key)
{
	char name[128], file[160];
	uint8_t *buf;
	size_t len, i;
	char *path;

	snprintf(name, sizeof(name), "%s%s", s->cert, key ? ".key.pem" :
		 ".pem");
	snprintf(file, sizeof(file), "%s-%s", prefix, name);
	buf = tc_read(name, &len);
	/* Key files must be 0600 to load: the committed copies are not. */
	path = tc_write(tmp, file, buf, len, key ? 0600 : 0644);
	free(buf);
	for (i = 0; !key && i < TLSTUND_TRUST_MAX_CHAIN && s->chain[i]; i++) {
		snprintf(name, sizeof(name), "%s.pem", s->chain[i]);
		buf = tc_read(name, &len);
		tc_append(tmp, file, buf, len);
		free(buf);
	}
	return path;
}

/*
 * A context for @s. Identity, trust policy and CA store are all freed
 * before it returns: the context must hold what it needs itself.
 */
static inline void *tp_ctx_make(const struct tlstund_transport_ops *ops,
				const struct side *s, const char *tmp,
				const char *prefix)
{
	struct tlstund_trust_policy pol = { .kind = s->kind };
	struct tlstund_transport_cfg cfg;
	struct tlstund_identity id;
	char err[TLSTUND_ERR_LEN];
	char *key, *crt;
	void *ctx;

	key = tp_copy_cert(tmp, prefix, s, true);
	crt = tp_copy_cert(tmp, prefix, s, false);
	if (tlstund_identity_load(&id, key, crt, err, sizeof(err)))
		fail_msg("%s", err);
	switch (s->kind) {
	case TLSTUND_TRUST_CA:
		pol.ca_store = tlstund_trust_load_ca(TC_DIR "root.pem", err,
						     sizeof(err));
		assert_non_null(pol.ca_store);
		tc_node(s->expect, pol.node_id);
		break;
	case TLSTUND_TRUST_PIN:
		tc_pin(s->expect, pol.pin);
		break;
	default:
		pol.tofu_dir = s->tofu_dir;
		pol.peer_name = s->peer_name;
		break;
	}
	cfg.identity = &id;
	cfg.trust = &pol;
	ctx = ops->ctx_new(&cfg, err, sizeof(err));
	if (!ctx)
		fail_msg("ctx_new: %s", err);
	X509_STORE_free(pol.ca_store);
	memset(&pol, 0xa5, sizeof(pol));
	tlstund_identity_free(&id);
	free(key);
	free(crt);
	return ctx;
}

static inline struct tlstund_listener *
tp_listen_any(const struct tlstund_transport_ops *ops, void *ctx,
	      uint16_t *port)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6,
				    .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in6 bound;
	socklen_t len = sizeof(bound);
	struct tlstund_listener *l;
	char err[TLSTUND_ERR_LEN];

	l = ops->listen(ctx, (struct sockaddr *)&any, sizeof(any), err,
			sizeof(err));
	if (!l)
		fail_msg("listen: %s", err);
	assert_int_equal(getsockname(ops->listener_fd(l),
				     (struct sockaddr *)&bound, &len), 0);
	assert_int_equal(bound.sin6_family, AF_INET6);
	assert_int_not_equal(bound.sin6_port, 0);
	*port = ntohs(bound.sin6_port);
	return l;
}

/* All @len bytes of the child's report from @fd, or the test fails. */
static inline void tp_read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

/* All @len bytes of a report down @fd; the child exits 3 if it cannot. */
	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		/* A bound, so that a dead child fails the test, not hangs it. */
		assert_true(poll(&p, 1, TP_WAIT_MS) > 0);
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail_msg("child sent %zu of %zu report bytes", got,
				 len);
		got += n;
	}
}

static inline void tp_write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(3);
		done += n;
	}
}

static inline void assert_contains(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

static inline void assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)))
		fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

/* "pin:sha256:" and the first 16 hex digits of certs/<cert>.pin. */
static inline void pin_identity(const char *cert, char *out, size_t len)
{
	uint8_t pin[TLSTUND_PIN_LEN];
	char text[TLSTUND_PIN_STRLEN];

	tc_pin(cert, pin);
	tlstund_pin_format(pin, text);
	snprintf(out, len, "pin:%.*s", (int)strlen(TLSTUND_PIN_PREFIX) + 16,
		 text);
}

#endif /* TLSTUN_TEST_TRANSPORT_PAIR_H */
