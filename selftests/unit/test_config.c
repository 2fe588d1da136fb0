// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the tlstund configuration parser (tlshd/config.c).
 *
 * The files under configs/ are the table: every good file with what it
 * must parse to, and one bad file per class of error with the exact
 * message, path and line included. Every accepted file is written back
 * with tlstund_config_write() and parsed again to the same configuration.
 * Value forms and their boundaries are checked on in-memory files built
 * around one line, so each row says one thing.
 *
 * Expected values are literals, not the parser's own constants: a wrong
 * default in config.c must fail here, not be copied into the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ERRLEN		512
#define MEM		"/etc/tlstun/tt0.conf"
#define NODE_A		"0x00112233445566778899aabbccddeeff"
#define PIN_B_HEX	"4dc9441173000ffa8f5061e039bc19da7790cec04771f1a56134d5bf7a5a7b60"
#define PIN_B_B64	"TclEEXMAD/qPUGHgObwZ2neQzsBHcfGlYTTVv3pae2A="

/* Messages several rows expect. */
#define IFNAME_ERR \
	"is not an interface name (1 to 15 bytes, no '/', ':', '%' or white space, not \".\" or \"..\")"
#define PEER_ERR   \
	"is not a peer name (1 to 63 of A-Z a-z 0-9 _ . -, not starting with '.')"
#define PIN_ERR    \
	"is not a pin (sha256: and 64 hex digits, or 44 base64 characters)"
#define NODE_ERR   \
	"is not a node id (0x and 32 hex digits)"
#define DUR_ERR    \
	"is not a duration (a number, optionally with s, m, h or d)"
#define BYTE_ERR   \
	"is not a byte count (a number, optionally with K, M, G or T)"
#define NUM_ERR		"is not a number"
#define LISTEN_ERR	"is not PORT, ADDR[:PORT], [IPV6][:PORT] or none"
#define EP_ERR     \
	"is not ADDR[:PORT] or [IPV6][:PORT] (host names are not resolved)"
#define ADDR_ERR	"is not an IPv4 or IPv6 address"
#define PORT_ERR	"has a port out of range 1..65535"

static struct tlstund_config *cfg_new(void)
{
	struct tlstund_config *cfg = calloc(1, sizeof(*cfg));

	assert_non_null(cfg);
	return cfg;
}

static void hex(const char *s, uint8_t *out, size_t len)
{
	size_t i;

	assert_int_equal(strlen(s), 2 * len);
	for (i = 0; i < len; i++)
		assert_int_equal(sscanf(s + 2 * i, "%2hhx", &out[i]), 1);
}

/* @sa is @family, @addr (inet_ntop form) and @port. */
static void assert_addr(const struct tlstund_sockaddr *sa, int family,
			const char *addr, unsigned int port)
{
	const struct sockaddr_in6 *sin6 = (const void *)&sa->ss;
	const struct sockaddr_in *sin = (const void *)&sa->ss;
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(sa->ss.ss_family, family);
	if (family == AF_INET) {
		assert_int_equal(sa->len, sizeof(*sin));
		assert_non_null(inet_ntop(AF_INET, &sin->sin_addr, buf,
					  sizeof(buf)));
		assert_int_equal(ntohs(sin->sin_port), port);
	} else {
		assert_int_equal(sa->len, sizeof(*sin6));
		assert_non_null(inet_ntop(AF_INET6, &sin6->sin6_addr, buf,
					  sizeof(buf)));
		assert_int_equal(ntohs(sin6->sin6_port), port);
		assert_int_equal(sin6->sin6_scope_id, 0);
		assert_int_equal(sin6->sin6_flowinfo, 0);
	}
	assert_string_equal(buf, addr);
}

static void assert_suites(const struct tlstund_config *cfg, unsigned int n,
			  uint16_t first, uint16_t second)
{
	assert_int_equal(cfg->n_suites, n);
	assert_int_equal(cfg->suites[0], first);
	if (n > 1)
		assert_int_equal(cfg->suites[1], second);
}

static void assert_sockaddr_equal(const struct tlstund_sockaddr *a,
				  const struct tlstund_sockaddr *b)
{
	assert_int_equal(a->len, b->len);
	if (a->len)
		assert_memory_equal(&a->ss, &b->ss, a->len);
}

/* Field by field: padding and unused bytes are nobody's business. */
static void assert_config_equal(const struct tlstund_config *a,
				const struct tlstund_config *b)
{
	assert_string_equal(a->ifname, b->ifname);
	assert_string_equal(a->key_path, b->key_path);
	assert_string_equal(a->cert_path, b->cert_path);
	assert_sockaddr_equal(&a->listen, &b->listen);
	assert_int_equal(a->vni, b->vni);
	assert_int_equal(a->port, b->port);
	assert_sockaddr_equal(&a->local, &b->local);
	assert_int_equal(a->n_suites, b->n_suites);
	assert_memory_equal(a->suites, b->suites,
			    a->n_suites * sizeof(a->suites[0]));
	assert_string_equal(a->peer_name, b->peer_name);
	assert_sockaddr_equal(&a->endpoint, &b->endpoint);
	assert_sockaddr_equal(&a->remote, &b->remote);
	assert_int_equal(a->trust, b->trust);
	assert_string_equal(a->ca_path, b->ca_path);
	assert_memory_equal(a->node_id, b->node_id, sizeof(a->node_id));
	assert_memory_equal(a->pin, b->pin, sizeof(a->pin));
	assert_string_equal(a->tofu_dir, b->tofu_dir);
	assert_int_equal(a->rekey_interval, b->rekey_interval);
	assert_int_equal(a->handshake_interval, b->handshake_interval);
	assert_int_equal(a->rekey_grace, b->rekey_grace);
	assert_int_equal(a->reconnect_min, b->reconnect_min);
	assert_int_equal(a->reconnect_max, b->reconnect_max);
	assert_int_equal(a->keepalive, b->keepalive);
	assert_int_equal(a->dead_after, b->dead_after);
	assert_int_equal(a->soft_packets, b->soft_packets);
	assert_int_equal(a->hard_packets, b->hard_packets);
	assert_int_equal(a->soft_bytes, b->soft_bytes);
	assert_int_equal(a->hard_bytes, b->hard_bytes);
	assert_int_equal(a->soft_seconds, b->soft_seconds);
	assert_int_equal(a->hard_seconds, b->hard_seconds);
	assert_int_equal(a->replay_window, b->replay_window);
}

static char *write_text(const struct tlstund_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(tlstund_config_write(cfg, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(text);
	return text;
}

/* write -> parse gives @cfg back, and writing that gives the same text. */
static void round_trip(const struct tlstund_config *cfg)
{
	struct tlstund_config *back = cfg_new();
	char err[ERRLEN] = "";
	char *text, *again;

	text = write_text(cfg);
	if (tlstund_config_parse(cfg->path, text, strlen(text), back, err,
				 sizeof(err)))
		fail_msg("written configuration does not parse: %s\n%s", err,
			 text);
	assert_string_equal(back->path, cfg->path);
	assert_config_equal(cfg, back);
	again = write_text(back);
	assert_string_equal(text, again);
	free(again);
	free(text);
	free(back);
}

/* Everything tt-min.conf leaves out, at its documented default. */
static void check_defaults_except_trust(const struct tlstund_config *c)
{
	assert_addr(&c->listen, AF_INET6, "::", 7081);
	assert_int_equal(c->vni, 1);
	assert_int_equal(c->port, 6081);
	assert_int_equal(c->local.len, 0);
	assert_suites(c, 2, TLSTUN_SUITE_AES_GCM_256, TLSTUN_SUITE_AES_GCM_128);
	assert_int_equal(c->endpoint.len, 0);
	assert_int_equal(c->remote.len, 0);
	assert_int_equal(c->rekey_interval, 600);
	assert_int_equal(c->handshake_interval, 3600);
	assert_int_equal(c->rekey_grace, 5);
	assert_int_equal(c->reconnect_min, 1);
	assert_int_equal(c->reconnect_max, 60);
	assert_int_equal(c->keepalive, 15);
	assert_int_equal(c->dead_after, 45);
	assert_int_equal(c->soft_packets, 0);
	assert_int_equal(c->hard_packets, 0);
	assert_int_equal(c->soft_bytes, 0);
	assert_int_equal(c->hard_bytes, 0);
	assert_int_equal(c->soft_seconds, 0);
	assert_int_equal(c->hard_seconds, 0);
	assert_int_equal(c->replay_window, 2048);
}

static void check_min(const struct tlstund_config *c)
{
	static const uint8_t zero[TLSTUND_PIN_LEN];

	assert_string_equal(c->path, "configs/tt-min.conf");
	assert_string_equal(c->ifname, "tt-min");
	assert_string_equal(c->key_path, "/etc/tlstun/tt-min.key");
	assert_string_equal(c->cert_path, "/etc/tlstun/tt-min.pem");
	assert_string_equal(c->peer_name, "peer");
	assert_int_equal(c->trust, TLSTUND_TRUST_TOFU);
	assert_string_equal(c->tofu_dir, "/var/lib/tlstun");
	assert_string_equal(c->ca_path, "");
	assert_memory_equal(c->node_id, zero, sizeof(c->node_id));
	assert_memory_equal(c->pin, zero, sizeof(c->pin));
	check_defaults_except_trust(c);
}

static void check_ca(const struct tlstund_config *c)
{
	uint8_t id[TLSTUND_NODE_ID_LEN];

	hex("ffeeddccbbaa99887766554433221100", id, sizeof(id));
	assert_string_equal(c->ifname, "tt-ca");
	assert_int_equal(c->vni, 42);
	assert_string_equal(c->peer_name, "node-b");
	assert_addr(&c->endpoint, AF_INET, "192.0.2.2", 7081);
	assert_int_equal(c->trust, TLSTUND_TRUST_CA);
	assert_string_equal(c->ca_path, "/etc/tlstun/ca.pem");
	assert_memory_equal(c->node_id, id, sizeof(id));
	assert_string_equal(c->tofu_dir, "");
	assert_addr(&c->listen, AF_INET6, "::", 7081);
}

static void check_crl(const struct tlstund_config *c)
{
	assert_int_equal(c->trust, TLSTUND_TRUST_CA);
	assert_string_equal(c->crl_path, "/etc/tlstun/ca.crl");
	assert_true(c->crl_expired_warn);
}

static void check_pin(const struct tlstund_config *c)
{
	uint8_t pin[TLSTUND_PIN_LEN];

	hex(PIN_B_HEX, pin, sizeof(pin));
	/* "name" wins over the file name. */
	assert_string_equal(c->ifname, "tt1");
	assert_int_equal(c->listen.len, 0);
	assert_addr(&c->endpoint, AF_INET, "198.51.100.7", 7443);
	assert_int_equal(c->trust, TLSTUND_TRUST_PIN);
	assert_memory_equal(c->pin, pin, sizeof(pin));
	assert_string_equal(c->ca_path, "");
	assert_string_equal(c->tofu_dir, "");
}

static void check_tofu(const struct tlstund_config *c)
{
	assert_addr(&c->listen, AF_INET, "0.0.0.0", 7082);
	assert_string_equal(c->peer_name, "laptop");
	assert_int_equal(c->trust, TLSTUND_TRUST_TOFU);
	assert_string_equal(c->tofu_dir, "/srv/tlstun/tofu");
	assert_int_equal(c->endpoint.len, 0);
}

static void check_full(const struct tlstund_config *c)
{
	uint8_t id[TLSTUND_NODE_ID_LEN];

	hex("00112233445566778899aabbccddeeff", id, sizeof(id));
	assert_string_equal(c->ifname, "full0");
	assert_string_equal(c->key_path, "/etc/tlstun/full.key");
	assert_string_equal(c->cert_path, "/etc/tlstun/full.pem");
	assert_addr(&c->listen, AF_INET6, "2001:db8::1", 7000);
	assert_int_equal(c->vni, 16777215);
	assert_int_equal(c->port, 7000);
	assert_addr(&c->local, AF_INET6, "2001:db8::1", 0);
	assert_suites(c, 1, TLSTUN_SUITE_AES_GCM_128, 0);
	assert_string_equal(c->peer_name, "far.side_2");
	assert_addr(&c->endpoint, AF_INET6, "2001:db8::2", 7001);
	assert_addr(&c->remote, AF_INET6, "2001:db8::3", 0);
	assert_int_equal(c->trust, TLSTUND_TRUST_CA);
	assert_string_equal(c->ca_path, "/etc/tlstun/ca.pem");
	assert_memory_equal(c->node_id, id, sizeof(id));
	assert_int_equal(c->rekey_interval, 120);
	assert_int_equal(c->handshake_interval, 86400);
	assert_int_equal(c->rekey_grace, 10);
	assert_int_equal(c->reconnect_min, 2);
	assert_int_equal(c->reconnect_max, 300);
	assert_int_equal(c->keepalive, 20);
	assert_int_equal(c->dead_after, 60);
	assert_int_equal(c->soft_packets, 1000000);
	assert_int_equal(c->hard_packets, 2000000);
	assert_int_equal(c->soft_bytes, 1ULL << 30);
	assert_int_equal(c->hard_bytes, 2ULL << 30);
	assert_int_equal(c->soft_seconds, 3000);
	assert_int_equal(c->hard_seconds, 3600);
	assert_int_equal(c->replay_window, 64);
}

static void check_crlf(const struct tlstund_config *c)
{
	assert_string_equal(c->key_path, "/etc/tlstun/a.key");
	assert_string_equal(c->cert_path, "/etc/tlstun/a.pem");
	assert_int_equal(c->vni, 7);
	assert_int_equal(c->trust, TLSTUND_TRUST_TOFU);
}

static void check_syntax(const struct tlstund_config *c)
{
	uint8_t pin[TLSTUND_PIN_LEN];

	hex(PIN_B_HEX, pin, sizeof(pin));
	assert_int_equal(c->keepalive, 20);
	assert_int_equal(c->dead_after, 90);
	/* '#' and ';' inside a value, and inner blanks, are the value's. */
	assert_string_equal(c->key_path, "/etc/tlstun/keys #1/a key.pem");
	assert_string_equal(c->cert_path, "/etc/tlstun/a;b.pem");
	assert_suites(c, 2, TLSTUN_SUITE_AES_GCM_128, TLSTUN_SUITE_AES_GCM_256);
	assert_addr(&c->endpoint, AF_INET6, "2001:db8::2", 7081);
	assert_memory_equal(c->pin, pin, sizeof(pin));
}

static void check_noeol(const struct tlstund_config *c)
{
	assert_int_equal(c->trust, TLSTUND_TRUST_TOFU);
	assert_string_equal(c->tofu_dir, "/var/lib/tlstun");
}

static void check_derived(const struct tlstund_config *c)
{
	assert_int_equal(c->rekey_interval, 7200);
	assert_int_equal(c->handshake_interval, 7200);
	assert_int_equal(c->reconnect_min, 120);
	assert_int_equal(c->reconnect_max, 120);
	assert_int_equal(c->keepalive, 20);
	assert_int_equal(c->dead_after, 60);
}

/* The man page's examples: A and B of each policy dial each other. */
static void check_example(const struct tlstund_config *c)
{
	assert_true(c->endpoint.len != 0);
	assert_addr(&c->listen, AF_INET6, "::", 7081);
	assert_int_equal(c->vni, 100);
}

struct file_row {
	const char *file;
	int ret;
	const char *err;	/* after "configs/<file>"; NULL: accepted */
	void (*check)(const struct tlstund_config *cfg);
};

#define ACCEPT(f, c)	{ f, 0, NULL, c }
#define REJECT(f, e)	{ f, -EINVAL, e, NULL }

static const struct file_row file_rows[] = {
	/* Accepted, each policy and every syntax. */
	ACCEPT("tt-min.conf", check_min),
	ACCEPT("tt-ca.conf", check_ca),
	ACCEPT("tt-crl.conf", check_crl),
	ACCEPT("tt-pin.conf", check_pin),
	ACCEPT("tt-tofu.conf", check_tofu),
	ACCEPT("tt-full.conf", check_full),
	ACCEPT("tt-crlf.conf", check_crlf),
	ACCEPT("tt-syntax.conf", check_syntax),
	ACCEPT("tt-noeol.conf", check_noeol),
	ACCEPT("tt-derived.conf", check_derived),
	ACCEPT("examples/ca-a.conf", check_example),
	ACCEPT("examples/ca-b.conf", check_example),
	ACCEPT("examples/pin-a.conf", check_example),
	ACCEPT("examples/pin-b.conf", check_example),
	ACCEPT("examples/tofu-a.conf", check_example),
	ACCEPT("examples/tofu-b.conf", check_example),

	/* Syntax. */
	REJECT("bad-outside.conf",
	       ":2: key \"vni\" is outside any section"),
	REJECT("bad-section-name.conf", ":8: unknown section [peers]"),
	REJECT("bad-section-header.conf",
	       ":8: bad section header \"[timers\""),
	REJECT("bad-section-again.conf",
	       ":10: section [timers] appears again (first on line 8)"),
	REJECT("bad-two-peers.conf",
	       ":9: section [peer] appears again (first on line 6); a device has one peer"),
	REJECT("bad-unknown-key.conf",
	       ":10: unknown key \"rekey\" in [timers]"),
	REJECT("bad-wrong-section.conf",
	       ":8: unknown key \"vni\" in [peer]; it belongs in [interface]"),
	REJECT("bad-dup-key.conf",
	       ":6: duplicate key \"vni\" (first on line 5)"),
	REJECT("bad-no-equals.conf",
	       ":7: expected \"key = value\", got \"trust tofu\""),
	REJECT("bad-no-key-name.conf",
	       ":8: expected \"key = value\", got \"= tofu\""),
	REJECT("bad-empty-value.conf", ":8: key \"tofu-dir\" has no value"),
	REJECT("bad-trailing-comment.conf",
	       ":9: \"keepalive\" value \"15 # seconds\" " DUR_ERR),
	REJECT("bad-ctrl.conf", ":8: control character 0x1b"),
	REJECT("bad-cr.conf", ":8: control character 0x0d"),
	REJECT("bad-nul.conf", ":8: NUL byte"),

	/* Values. */
	REJECT("bad-duration.conf",
	       ":9: \"rekey-interval\" value \"10x\" " DUR_ERR),
	REJECT("bad-rekey-range.conf",
	       ":9: \"rekey-interval\" value \"29\" is out of range 30s..1d"),
	REJECT("bad-replay.conf",
	       ":9: \"replay-window\" value \"63\" is out of range 64..4096"),
	REJECT("bad-bytes.conf",
	       ":9: \"hard-bytes\" value \"1GB\" " BYTE_ERR),
	REJECT("bad-packets.conf",
	       ":9: \"hard-packets\" value \"-1\" " NUM_ERR),
	REJECT("bad-vni.conf",
	       ":5: \"vni\" value \"16777216\" is out of range 0..16777215"),
	REJECT("bad-port.conf",
	       ":5: \"port\" value \"0\" is out of range 1..65535"),
	REJECT("bad-suite.conf",
	       ":5: \"suites\" value \"aes-gcm-256 chacha20-poly1305\" names an unknown suite \"chacha20-poly1305\" (aes-gcm-256, aes-gcm-128)"),
	REJECT("bad-suite-dup.conf",
	       ":5: \"suites\" value \"aes-gcm-128 aes-gcm-256 aes-gcm-128\" lists \"aes-gcm-128\" twice"),
	REJECT("bad-listen.conf",
	       ":5: \"listen\" value \"*:7081\" " LISTEN_ERR),
	REJECT("bad-endpoint-host.conf",
	       ":8: \"endpoint\" value \"vpn.example.com:7081\" " EP_ERR),
	REJECT("bad-endpoint-port.conf",
	       ":8: \"endpoint\" value \"192.0.2.2:65536\" " PORT_ERR),
	REJECT("bad-endpoint-any.conf",
	       ":8: \"endpoint\" value \"[::]:7081\" is the unspecified address"),
	REJECT("bad-remote.conf",
	       ":8: \"remote\" value \"224.0.0.1\" is a multicast address"),
	REJECT("bad-v4mapped.conf",
	       ":8: \"remote\" value \"::ffff:192.0.2.2\" is an IPv4-mapped address; write it as IPv4"),
	REJECT("bad-trust.conf",
	       ":6: \"trust\" value \"x509\" is not ca, pin or tofu"),
	REJECT("bad-node-id.conf",
	       ":8: \"node-id\" value \"0x1234\" " NODE_ERR),
	REJECT("bad-pin.conf",
	       ":7: \"pin\" value \"sha256:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\" " PIN_ERR),
	REJECT("bad-peer-name.conf",
	       ":8: \"name\" value \"../etc\" " PEER_ERR),
	REJECT("bad-ifname.conf",
	       ":2: \"name\" value \"tt0/x\" " IFNAME_ERR),
	REJECT("bad-relative.conf",
	       ":2: \"private-key\" value \"keys/a.key\" is not an absolute path"),

	/* Between keys. */
	REJECT("bad-handshake.conf",
	       ":10: \"handshake-interval\" value \"30m\" is below \"rekey-interval\" value \"1h\""),
	REJECT("bad-reconnect.conf",
	       ":9: \"reconnect-max\" value \"1\" is below \"reconnect-min\" value \"2\""),
	REJECT("bad-dead-after.conf",
	       ":9: \"dead-after\" value \"15\" is not above \"keepalive\" (15s, the default)"),
	REJECT("bad-soft-hard.conf",
	       ":10: \"soft-bytes\" value \"2G\" is above \"hard-bytes\" value \"1G\""),
	REJECT("bad-soft-packets.conf",
	       ":9: \"soft-packets\" value \"1001\" is above \"hard-packets\" value \"1000\""),
	REJECT("bad-soft-implicit.conf",
	       ":9: \"soft-seconds\" value \"5h\" is above 4h, twice \"handshake-interval\", the hard limit when \"hard-seconds\" is 0"),
	REJECT("bad-soft-seconds.conf",
	       ":9: \"soft-seconds\" value \"1d\" is above \"hard-seconds\" value \"23h\""),
	REJECT("bad-local-family.conf",
	       ":5: \"local\" value \"192.0.2.1\" is IPv4 but \"endpoint\" value \"[2001:db8::2]:7081\" is IPv6"),
	REJECT("bad-local-remote.conf",
	       ":5: \"local\" value \"2001:db8::1\" is IPv6 but \"remote\" value \"192.0.2.2\" is IPv4"),
	REJECT("bad-pin-with-ca.conf",
	       ":6: \"pin\" does not apply to trust = ca"),
	REJECT("bad-ca-with-tofu.conf",
	       ":7: \"ca\" does not apply to trust = tofu"),
	REJECT("bad-tofudir-pin.conf",
	       ":8: \"tofu-dir\" does not apply to trust = pin"),
	REJECT("bad-crl-pin.conf",
	       ":9: \"crl\" does not apply to trust = pin"),
	REJECT("bad-crl-expired-alone.conf",
	       ":10: \"crl-expired\" needs \"crl\""),

	/* Whole file. */
	REJECT("bad-no-key.conf",
	       ": \"private-key\" is missing from [interface]"),
	REJECT("bad-no-cert.conf",
	       ": \"certificate\" is missing from [interface]"),
	REJECT("bad-no-peer.conf", ": no [peer] section"),
	REJECT("bad-no-trust.conf", ": \"trust\" is missing from [peer]"),
	REJECT("bad-ca-no-node.conf",
	       ": \"node-id\" is missing from [peer] (trust = ca needs it)"),
	REJECT("bad-ca-no-ca.conf",
	       ": \"ca\" is missing from [peer] (trust = ca needs it)"),
	REJECT("bad-pin-missing.conf",
	       ": \"pin\" is missing from [peer] (trust = pin needs it)"),
	REJECT("bad-no-connect.conf",
	       ": nothing can connect: [peer] has no \"endpoint\" and \"listen\" is none"),
	REJECT("no-name.txt",
	       ": \"name\" is missing from [interface] and the file name is not IFNAME.conf"),
	REJECT("this-name-is-too-long.conf",
	       ": \"name\" is missing from [interface] and the file name is not IFNAME.conf"),
};

static void test_file(void **state)
{
	const struct file_row *row = *state;
	struct tlstund_config *cfg = cfg_new(), *before = cfg_new();
	char path[128], err[ERRLEN] = "", want[ERRLEN];
	int ret;

	snprintf(path, sizeof(path), "configs/%s", row->file);
	memset(cfg, 0xa5, sizeof(*cfg));
	memcpy(before, cfg, sizeof(*cfg));
	ret = tlstund_config_load(path, cfg, err, sizeof(err));
	if (ret != row->ret)
		fail_msg("%s: returned %d, want %d (%s)", path, ret, row->ret,
			 err);
	if (row->err) {
		snprintf(want, sizeof(want), "%s%s", path, row->err);
		assert_string_equal(err, want);
		/* A failed (re)load leaves the old configuration alone. */
		assert_memory_equal(cfg, before, sizeof(*cfg));
	} else {
		assert_string_equal(cfg->path, path);
		row->check(cfg);
		round_trip(cfg);
	}
	free(before);
	free(cfg);
}

/* Whether a line of @lines sets @key. */
static bool row_sets(const char *lines, const char *key)
{
	size_t klen = strlen(key);
	const char *s = lines;

	while (s) {
		s += strspn(s, " \t");
		if (!strncmp(s, key, klen) && s[klen] &&
		    strchr(" \t=", s[klen]))
			return true;
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return false;
}

/*
 * An in-memory MEM whose line 2 is @line inside [@sect], followed by the
 * rest of a minimal valid file. Base lines for keys @line sets are left
 * out, so a row can replace private-key or trust.
 */
static int parse_one(const char *sect, const char *line,
		     struct tlstund_config *cfg, char *err, size_t errlen)
{
	static const struct {
		const char *sect, *key, *line;
	} base[] = {
		{ "interface", "private-key",
		  "private-key = /etc/tlstun/a.key" },
		{ "interface", "certificate",
		  "certificate = /etc/tlstun/a.pem" },
		{ "peer", "trust", "trust = tofu" },
		{ "timers", NULL, NULL },
		{ "limits", NULL, NULL },
	};
	char buf[2 * TLSTUND_CONFIG_MAX_LINE];
	const char *prev = sect;
	size_t i, n = 0;

	n += snprintf(buf + n, sizeof(buf) - n, "[%s]\n%s\n", sect, line);
	for (i = 0; i < ARRAY_SIZE(base); i++)
		if (!strcmp(base[i].sect, sect) && base[i].line &&
		    !row_sets(line, base[i].key))
			n += snprintf(buf + n, sizeof(buf) - n, "%s\n",
				      base[i].line);
	for (i = 0; i < ARRAY_SIZE(base); i++) {
		if (!strcmp(base[i].sect, sect))
			continue;
		if (strcmp(base[i].sect, prev))
			n += snprintf(buf + n, sizeof(buf) - n, "[%s]\n",
				      base[i].sect);
		prev = base[i].sect;
		if (base[i].line)
			n += snprintf(buf + n, sizeof(buf) - n, "%s\n",
				      base[i].line);
	}
	assert_true(n < sizeof(buf));
	return tlstund_config_parse(MEM, buf, n, cfg, err, errlen);
}

/* Expects rejection of line 2 with "MEM:2: @msg". */
static void expect_line_error(const char *sect, const char *line,
			      const char *msg)
{
	struct tlstund_config *cfg = cfg_new();
	char err[ERRLEN] = "", want[ERRLEN];
	int ret;

	ret = parse_one(sect, line, cfg, err, sizeof(err));
	snprintf(want, sizeof(want), MEM ":2: %s", msg);
	if (ret != -EINVAL || strcmp(err, want))
		fail_msg("[%s] %s: got %d \"%s\", want \"%s\"", sect, line,
			 ret, err, want);
	free(cfg);
}

static struct tlstund_config *expect_ok(const char *sect, const char *line)
{
	struct tlstund_config *cfg = cfg_new();
	char err[ERRLEN] = "";

	if (parse_one(sect, line, cfg, err, sizeof(err)))
		fail_msg("[%s] %s: rejected: %s", sect, line, err);
	round_trip(cfg);
	return cfg;
}

/*
 * Parses "@key = @value" as line 2 of a file. With @err, expects it
 * refused with "KEY value "VALUE" @err" and returns NULL; without, expects
 * it accepted and round-tripped and returns the configuration.
 */
static struct tlstund_config *try_value(const char *sect, const char *key,
					const char *value, const char *err)
{
	char line[128], msg[256];

	snprintf(line, sizeof(line), "%s = %s", key, value);
	if (!err)
		return expect_ok(sect, line);
	snprintf(msg, sizeof(msg), "\"%s\" value \"%s\" %s", key, value, err);
	expect_line_error(sect, line, msg);
	return NULL;
}

/* The test's own map from key name to field, independent of config.c. */
static uint64_t number_of(const struct tlstund_config *c, const char *key)
{
	static const struct {
		const char *key;
		size_t off, size;
	} map[] = {
#define M(k, f) { k, offsetof(struct tlstund_config, f), \
		  sizeof(((struct tlstund_config *)0)->f) }
		M("vni", vni), M("port", port),
		M("rekey-interval", rekey_interval),
		M("handshake-interval", handshake_interval),
		M("rekey-grace", rekey_grace),
		M("reconnect-min", reconnect_min),
		M("reconnect-max", reconnect_max),
		M("keepalive", keepalive), M("dead-after", dead_after),
		M("soft-packets", soft_packets),
		M("hard-packets", hard_packets),
		M("soft-bytes", soft_bytes), M("hard-bytes", hard_bytes),
		M("soft-seconds", soft_seconds),
		M("hard-seconds", hard_seconds),
		M("replay-window", replay_window),
#undef M
	};
	const char *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (strcmp(map[i].key, key))
			continue;
		p = (const char *)c + map[i].off;
		if (map[i].size == 2)
			return *(const uint16_t *)p;
		if (map[i].size == 4)
			return *(const uint32_t *)p;
		return *(const uint64_t *)p;
	}
	fail_msg("no field for %s", key);
	return 0;
}

struct number_row {
	const char *sect, *key, *value;
	uint64_t want;
	const char *err;	/* the part after "KEY value "VALUE" " */
};

static const struct number_row number_rows[] = {
	/* Durations: every suffix, and what is not one. */
	{ "timers", "keepalive", "10", 10, NULL },
	{ "timers", "keepalive", "10s", 10, NULL },
	{ "timers", "keepalive", "2m", 120, NULL },
	{ "timers", "keepalive", "1h", 3600, NULL },
	{ "timers", "keepalive", "0001", 1, NULL },
	{ "timers", "keepalive", "-5", 0, DUR_ERR },
	{ "timers", "keepalive", "+5", 0, DUR_ERR },
	{ "timers", "keepalive", "5 m", 0, DUR_ERR },
	{ "timers", "keepalive", "5M", 0, DUR_ERR },
	{ "timers", "keepalive", "5ms", 0, DUR_ERR },
	{ "timers", "keepalive", "1.5", 0, DUR_ERR },
	{ "timers", "keepalive", "0x10", 0, DUR_ERR },
	{ "timers", "keepalive", "m", 0, DUR_ERR },
	{ "timers", "keepalive", "1w", 0, DUR_ERR },
	{ "timers", "keepalive", "0", 0, "is out of range 1s..1h" },
	{ "timers", "keepalive", "3601", 0, "is out of range 1s..1h" },
	{ "timers", "keepalive", "18446744073709551616", 0,
	  "is out of range 1s..1h" },
	/* Each timer's bounds. */
	{ "timers", "rekey-interval", "30", 30, NULL },
	{ "timers", "rekey-interval", "29", 0, "is out of range 30s..1d" },
	{ "timers", "rekey-interval", "1d", 86400, NULL },
	{ "timers", "rekey-interval", "1440m", 86400, NULL },
	{ "timers", "rekey-interval", "86401", 0, "is out of range 30s..1d" },
	{ "timers", "handshake-interval", "7d", 604800, NULL },
	{ "timers", "handshake-interval", "604801", 0,
	  "is out of range 30s..7d" },
	{ "timers", "rekey-grace", "1", 1, NULL },
	{ "timers", "rekey-grace", "0", 0, "is out of range 1s..1h" },
	{ "timers", "rekey-grace", "1h", 3600, NULL },
	{ "timers", "reconnect-min", "0", 0, "is out of range 1s..1h" },
	{ "timers", "reconnect-min", "60m", 3600, NULL },
	{ "timers", "reconnect-max", "1d", 86400, NULL },
	{ "timers", "reconnect-max", "25h", 0, "is out of range 1s..1d" },
	{ "timers", "dead-after", "86400", 86400, NULL },
	{ "timers", "dead-after", "1", 0, "is out of range 2s..1d" },
	/* 64-bit durations. */
	{ "limits", "soft-seconds", "0", 0, NULL },
	{ "limits", "soft-seconds", "18446744073709551616", 0,
	  "is too large" },
	/* Without hard-seconds, the daemon's hard limit: 2 x 1h. */
	{ "limits", "soft-seconds", "2h", 7200, NULL },
	{ "limits", "soft-seconds", "7201", 0,
	  "is above 2h, twice \"handshake-interval\", the hard limit when \"hard-seconds\" is 0" },
	{ "limits", "hard-seconds", "18446744073709551615",
	  18446744073709551615ULL, NULL },
	{ "limits", "hard-seconds", "18446744073709551616", 0,
	  "is too large" },
	{ "limits", "hard-seconds", "213503982334601d",
	  18446744073709526400ULL, NULL },
	{ "limits", "hard-seconds", "213503982334602d", 0, "is too large" },
	/* Byte counts, 1024-based. */
	{ "limits", "soft-bytes", "0", 0, NULL },
	{ "limits", "soft-bytes", "1023", 1023, NULL },
	{ "limits", "soft-bytes", "1K", 1024, NULL },
	{ "limits", "soft-bytes", "3M", 3ULL << 20, NULL },
	{ "limits", "soft-bytes", "1G", 1ULL << 30, NULL },
	{ "limits", "hard-bytes", "1T", 1ULL << 40, NULL },
	{ "limits", "hard-bytes", "16777215T", 0xffffff0000000000ULL, NULL },
	{ "limits", "hard-bytes", "16777216T", 0, "is too large" },
	{ "limits", "hard-bytes", "18446744073709551615",
	  18446744073709551615ULL, NULL },
	{ "limits", "hard-bytes", "1k", 0, BYTE_ERR },
	{ "limits", "hard-bytes", "1KiB", 0, BYTE_ERR },
	{ "limits", "hard-bytes", "1B", 0, BYTE_ERR },
	{ "limits", "hard-bytes", "1s", 0, BYTE_ERR },
	/* Packet counts: plain numbers. */
	{ "limits", "soft-packets", "0", 0, NULL },
	{ "limits", "hard-packets", "23726566", 23726566, NULL },
	{ "limits", "hard-packets", "18446744073709551615",
	  18446744073709551615ULL, NULL },
	{ "limits", "hard-packets", "18446744073709551616", 0,
	  "is too large" },
	{ "limits", "hard-packets", "1K", 0, NUM_ERR },
	{ "limits", "hard-packets", "1e6", 0, NUM_ERR },
	{ "limits", "replay-window", "64", 64, NULL },
	{ "limits", "replay-window", "4096", 4096, NULL },
	{ "limits", "replay-window", "4097", 0, "is out of range 64..4096" },
	{ "limits", "replay-window", "2k", 0, NUM_ERR },
	/* [interface] numbers. */
	{ "interface", "vni", "0", 0, NULL },
	{ "interface", "vni", "16777215", 16777215, NULL },
	{ "interface", "vni", "0x10", 0, NUM_ERR },
	{ "interface", "port", "1", 1, NULL },
	{ "interface", "port", "65535", 65535, NULL },
	{ "interface", "port", "65536", 0, "is out of range 1..65535" },
	{ "interface", "port", "4294967297", 0, "is out of range 1..65535" },
};

static void test_numbers(void **state)
{
	struct tlstund_config *cfg;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(number_rows); i++) {
		const struct number_row *r = &number_rows[i];

		cfg = try_value(r->sect, r->key, r->value, r->err);
		if (!cfg)
			continue;
		if (number_of(cfg, r->key) != r->want)
			fail_msg("%s = %s: got %" PRIu64 ", want %" PRIu64,
				 r->key, r->value, number_of(cfg, r->key),
				 r->want);
		free(cfg);
	}
}

struct addr_row {
	const char *sect, *key, *value;
	int family;		/* 0: none (listen = none) */
	const char *addr;
	unsigned int port;
	const char *err;	/* the part after "KEY value "VALUE" " */
};

static const struct addr_row addr_rows[] = {
	{ "interface", "listen", "7081", AF_INET6, "::", 7081, NULL },
	{ "interface", "listen", "1", AF_INET6, "::", 1, NULL },
	{ "interface", "listen", "65535", AF_INET6, "::", 65535, NULL },
	{ "interface", "listen", "0.0.0.0:7081", AF_INET, "0.0.0.0", 7081,
	  NULL },
	{ "interface", "listen", "192.0.2.1:8000", AF_INET, "192.0.2.1",
	  8000, NULL },
	{ "interface", "listen", "192.0.2.1", AF_INET, "192.0.2.1", 7081,
	  NULL },
	{ "interface", "listen", "[::]:7081", AF_INET6, "::", 7081, NULL },
	{ "interface", "listen", "[::1]:8000", AF_INET6, "::1", 8000, NULL },
	{ "interface", "listen", "[::1]", AF_INET6, "::1", 7081, NULL },
	{ "interface", "listen", "::1", AF_INET6, "::1", 7081, NULL },
	{ "interface", "listen", "0", 0, NULL, 0, PORT_ERR },
	{ "interface", "listen", "65536", 0, NULL, 0, PORT_ERR },
	{ "interface", "listen", "192.0.2.1:0", 0, NULL, 0, PORT_ERR },
	{ "interface", "listen", "None", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "*:7081", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "localhost:7081", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "192.0.2.1:", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "192.0.2.1:x", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "192.0.2.1:+80", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "[::1", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "[::1]x", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "[192.0.2.1]:7081", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "fe80::1%eth0", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "1.2.3", 0, NULL, 0, LISTEN_ERR },
	{ "interface", "listen", "224.0.0.1:7081", 0, NULL, 0,
	  "is a multicast address" },
	{ "interface", "listen", "[ff02::1]:7081", 0, NULL, 0,
	  "is a multicast address" },
	{ "interface", "listen", "[::ffff:192.0.2.1]:7081", 0, NULL, 0,
	  "is an IPv4-mapped address; write it as IPv4" },

	{ "peer", "endpoint", "192.0.2.2", AF_INET, "192.0.2.2", 7081, NULL },
	{ "peer", "endpoint", "192.0.2.2:1", AF_INET, "192.0.2.2", 1, NULL },
	{ "peer", "endpoint", "192.0.2.2:65535", AF_INET, "192.0.2.2", 65535,
	  NULL },
	{ "peer", "endpoint", "[2001:db8::2]:443", AF_INET6, "2001:db8::2",
	  443, NULL },
	{ "peer", "endpoint", "[2001:db8::2]", AF_INET6, "2001:db8::2", 7081,
	  NULL },
	{ "peer", "endpoint", "2001:db8::2", AF_INET6, "2001:db8::2", 7081,
	  NULL },
	{ "peer", "endpoint", "2001:db8::100:2", AF_INET6, "2001:db8::100:2",
	  7081, NULL },
	{ "peer", "endpoint", "[2001:db8::2:7081]", AF_INET6,
	  "2001:db8::2:7081", 7081, NULL },
	{ "peer", "endpoint", "2001:db8::2:7081", 0, NULL, 0,
	  "is ambiguous: write [ADDR]:PORT for an address and a port, [ADDR] for the address alone" },
	{ "peer", "endpoint", "fe80::1", 0, NULL, 0,
	  "is link-local, which needs an interface; use a global or unique local address" },
	{ "peer", "endpoint", "[fe80::1]:7081", 0, NULL, 0,
	  "is link-local, which needs an interface; use a global or unique local address" },
	{ "peer", "endpoint", "7081", 0, NULL, 0, EP_ERR },
	{ "peer", "endpoint", "vpn.example.com", 0, NULL, 0, EP_ERR },
	{ "peer", "endpoint", "none", 0, NULL, 0, EP_ERR },
	{ "peer", "endpoint", "192.0.2.2:0", 0, NULL, 0, PORT_ERR },
	{ "peer", "endpoint", "[2001:db8::2]:99999", 0, NULL, 0, PORT_ERR },
	{ "peer", "endpoint", "0.0.0.0:7081", 0, NULL, 0,
	  "is the unspecified address" },
	{ "peer", "endpoint", "::", 0, NULL, 0, "is the unspecified address" },

	{ "peer", "remote", "192.0.2.2", AF_INET, "192.0.2.2", 0, NULL },
	{ "peer", "remote", "2001:db8::2", AF_INET6, "2001:db8::2", 0, NULL },
	{ "peer", "remote", "192.0.2.2:6081", 0, NULL, 0, ADDR_ERR },
	{ "peer", "remote", "[2001:db8::2]", 0, NULL, 0, ADDR_ERR },
	{ "peer", "remote", "0.0.0.0", 0, NULL, 0,
	  "is the unspecified address" },
	{ "peer", "remote", "ff02::1", 0, NULL, 0, "is a multicast address" },
	{ "interface", "local", "192.0.2.1", AF_INET, "192.0.2.1", 0, NULL },
	{ "interface", "local", "2001:db8::1", AF_INET6, "2001:db8::1", 0,
	  NULL },
	{ "interface", "local", "::", 0, NULL, 0,
	  "is the unspecified address" },
	{ "interface", "local", "::ffff:192.0.2.1", 0, NULL, 0,
	  "is an IPv4-mapped address; write it as IPv4" },
};

static const struct tlstund_sockaddr *addr_of(const struct tlstund_config *c,
					      const char *key)
{
	if (!strcmp(key, "listen"))
		return &c->listen;
	if (!strcmp(key, "endpoint"))
		return &c->endpoint;
	if (!strcmp(key, "remote"))
		return &c->remote;
	assert_string_equal(key, "local");
	return &c->local;
}

static void test_addresses(void **state)
{
	struct tlstund_config *cfg;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(addr_rows); i++) {
		const struct addr_row *r = &addr_rows[i];

		cfg = try_value(r->sect, r->key, r->value, r->err);
		if (!cfg)
			continue;
		if (r->family)
			assert_addr(addr_of(cfg, r->key), r->family, r->addr,
				    r->port);
		else
			assert_int_equal(addr_of(cfg, r->key)->len, 0);
		free(cfg);
	}
}

/* Everything else with a value form: names, paths, lists, ids. */
struct text_row {
	const char *sect, *line;
	const char *err;	/* NULL: accepted */
};

static const struct text_row text_rows[] = {
	{ "interface", "name = a", NULL },
	{ "interface", "name = fifteen-chars-x", NULL },
	{ "interface", "name = sixteen-chars-xy",
	  "\"name\" value \"sixteen-chars-xy\" " IFNAME_ERR },
	{ "interface", "name = .",
	  "\"name\" value \".\" " IFNAME_ERR },
	{ "interface", "name = tt:0",
	  "\"name\" value \"tt:0\" " IFNAME_ERR },
	{ "interface", "name = tt%d",
	  "\"name\" value \"tt%d\" " IFNAME_ERR },
	{ "interface", "name = tt 0",
	  "\"name\" value \"tt 0\" " IFNAME_ERR },
	{ "interface", "private-key = /", NULL },
	{ "interface", "private-key = ./a.key",
	  "\"private-key\" value \"./a.key\" is not an absolute path" },
	{ "interface", "private-key = ~/a.key",
	  "\"private-key\" value \"~/a.key\" is not an absolute path" },
	{ "interface", "certificate = a.pem",
	  "\"certificate\" value \"a.pem\" is not an absolute path" },
	{ "interface", "suites = aes-gcm-128", NULL },
	{ "interface", "suites = aes-gcm-128 aes-gcm-256", NULL },
	{ "interface", "suites = aes-gcm-256\t  aes-gcm-128", NULL },
	{ "interface", "suites = AES-GCM-256",
	  "\"suites\" value \"AES-GCM-256\" names an unknown suite \"AES-GCM-256\" (aes-gcm-256, aes-gcm-128)" },
	{ "interface", "suites = aes-gcm-256,aes-gcm-128",
	  "\"suites\" value \"aes-gcm-256,aes-gcm-128\" names an unknown suite \"aes-gcm-256,aes-gcm-128\" (aes-gcm-256, aes-gcm-128)" },
	{ "interface", "suites = aes-gcm-256 aes-gcm-256",
	  "\"suites\" value \"aes-gcm-256 aes-gcm-256\" lists \"aes-gcm-256\" twice" },
	{ "peer", "name = a", NULL },
	{ "peer", "name = -x_Y.9", NULL },
	{ "peer", "name = "
	  "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk",
	  NULL },
	{ "peer", "name = "
	  "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl",
	  "\"name\" value \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl\" " PEER_ERR },
	{ "peer", "name = .hidden",
	  "\"name\" value \".hidden\" " PEER_ERR },
	{ "peer", "trust = CA",
	  "\"trust\" value \"CA\" is not ca, pin or tofu" },
	{ "peer", "crl-expired = maybe",
	  "\"crl-expired\" value \"maybe\" is not fail or warn" },
	{ "peer", "crl-expired = fail",
	  "\"crl-expired\" does not apply to trust = tofu" },
	{ "peer", "transport = quic", NULL },
	{ "peer", "transport = tls", NULL },
	{ "peer", "transport = QUIC",
	  "\"transport\" value \"QUIC\" is not quic or tls" },
	{ "peer", "transport = tcp",
	  "\"transport\" value \"tcp\" is not quic or tls" },
	{ "peer", "trust = ca\nca = /etc/tlstun/ca.pem\nnode-id = " NODE_A,
	  NULL },
	{ "peer", "node-id = 0X00112233445566778899aabbccddeeff",
	  "\"node-id\" value \"0X00112233445566778899aabbccddeeff\" " NODE_ERR },
	{ "peer", "node-id = 00112233445566778899aabbccddeeff",
	  "\"node-id\" value \"00112233445566778899aabbccddeeff\" " NODE_ERR },
	{ "peer", "trust = pin\npin = " PIN_B_HEX, NULL },
	{ "peer", "trust = pin\npin = sha256:" PIN_B_HEX, NULL },
	{ "peer", "trust = pin\npin = " PIN_B_B64, NULL },
	{ "peer", "pin = TclEEXMAD/qPUGHgObwZ2neQzsBHcfGlYTTVv3pae2A",
	  "\"pin\" value \"TclEEXMAD/qPUGHgObwZ2neQzsBHcfGlYTTVv3pae2A\" " PIN_ERR },
	{ "peer", "pin = sha1:" PIN_B_HEX,
	  "\"pin\" value \"sha1:" PIN_B_HEX "\" " PIN_ERR },
	{ "peer", "tofu-dir = var/lib/tlstun",
	  "\"tofu-dir\" value \"var/lib/tlstun\" is not an absolute path" },
	/* Syntax details that concern one line. */
	{ "peer", "trust=tofu", NULL },
	{ "peer", "trust \t=\t tofu \t", NULL },
	{ "peer", "trust = tofu # comment",
	  "\"trust\" value \"tofu # comment\" is not ca, pin or tofu" },
	{ "peer", "Trust = tofu", "unknown key \"Trust\" in [peer]" },
	{ "peer", "private-key = /a",
	  "unknown key \"private-key\" in [peer]; it belongs in [interface]" },
	{ "timers", "replay-window = 64",
	  "unknown key \"replay-window\" in [timers]; it belongs in [limits]" },
	{ "peer", "tofu-dir = \t ", "key \"tofu-dir\" has no value" },
	{ "peer", "[Peer]", "unknown section [Peer]" },
	{ "peer", "[ peer ]", "unknown section [ peer ]" },
	{ "peer", "[peer] # x", "bad section header \"[peer] # x\"" },
	{ "peer", "[]", "unknown section []" },
	{ "peer", "[", "bad section header \"[\"" },
};

static void test_text_values(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(text_rows); i++) {
		const struct text_row *r = &text_rows[i];

		if (r->err)
			expect_line_error(r->sect, r->line, r->err);
		else
			free(expect_ok(r->sect, r->line));
	}
}

/* The values the rows above only accept, checked. */
static void test_text_results(void **state)
{
	struct tlstund_config *c;
	uint8_t pin[TLSTUND_PIN_LEN], id[TLSTUND_NODE_ID_LEN];

	(void)state;
	hex(PIN_B_HEX, pin, sizeof(pin));
	hex(NODE_A + 2, id, sizeof(id));

	c = expect_ok("interface", "name = fifteen-chars-x");
	assert_string_equal(c->ifname, "fifteen-chars-x");
	free(c);
	/* The file name gives the interface when "name" is absent. */
	c = expect_ok("interface", "vni = 1");
	assert_string_equal(c->ifname, "tt0");
	free(c);
	c = expect_ok("interface", "private-key = /");
	assert_string_equal(c->key_path, "/");
	free(c);
	c = expect_ok("interface", "suites = aes-gcm-128 aes-gcm-256");
	assert_suites(c, 2, TLSTUN_SUITE_AES_GCM_128, TLSTUN_SUITE_AES_GCM_256);
	free(c);
	c = expect_ok("interface", "suites = aes-gcm-128");
	assert_suites(c, 1, TLSTUN_SUITE_AES_GCM_128, 0);
	free(c);
	c = expect_ok("peer", "name = -x_Y.9");
	assert_string_equal(c->peer_name, "-x_Y.9");
	/* No transport key: TLS, what configurations before QUIC meant. */
	assert_int_equal(c->transport, TLSTUND_TRANSPORT_TLS);
	free(c);
	c = expect_ok("peer", "transport = quic");
	assert_int_equal(c->transport, TLSTUND_TRANSPORT_QUIC);
	free(c);
	c = expect_ok("peer", "transport = tls");
	assert_int_equal(c->transport, TLSTUND_TRANSPORT_TLS);
	free(c);
	c = expect_ok("peer", "trust = pin\npin = " PIN_B_B64);
	assert_int_equal(c->trust, TLSTUND_TRUST_PIN);
	assert_memory_equal(c->pin, pin, sizeof(pin));
	free(c);
	c = expect_ok("peer", "trust = pin\npin = " PIN_B_HEX);
	assert_memory_equal(c->pin, pin, sizeof(pin));
	free(c);
	c = expect_ok("peer", "trust = ca\nca = /etc/tlstun/ca.pem\nnode-id = "
		      NODE_A);
	assert_int_equal(c->trust, TLSTUND_TRUST_CA);
	assert_memory_equal(c->node_id, id, sizeof(id));
	assert_string_equal(c->tofu_dir, "");
	free(c);
	c = expect_ok("peer", "trust \t=\t tofu \t");
	assert_int_equal(c->trust, TLSTUND_TRUST_TOFU);
	free(c);
}

/* Limits of the file and of its lines, on buffers and on real files. */
static void test_sizes(void **state)
{
	static const char head[] = "[interface]\n"
				   "private-key = /etc/tlstun/a.key\n"
				   "certificate = /etc/tlstun/a.pem\n"
				   "[peer]\ntrust = tofu\n";
	struct tlstund_config *cfg = cfg_new();
	size_t max = TLSTUND_CONFIG_MAX_SIZE, n;
	char err[ERRLEN], want[ERRLEN];
	char *buf;

	(void)state;
	buf = malloc(max + 2);
	assert_non_null(buf);

	/* Exactly the largest file: the head, then comment lines. */
	memset(buf, '#', max);
	memcpy(buf, head, sizeof(head) - 1);
	for (n = sizeof(head) - 1 + 1000; n < max; n += 1001)
		buf[n] = '\n';
	assert_int_equal(tlstund_config_parse(MEM, buf, max, cfg, err,
					      sizeof(err)), 0);
	buf[max] = '\n';
	assert_int_equal(tlstund_config_parse(MEM, buf, max + 1, cfg, err,
					      sizeof(err)), -EFBIG);
	assert_string_equal(err, MEM ": file is larger than 65536 bytes");

	/* The longest line, with and without CR, then one byte more. */
	n = sizeof(head) - 1;
	memcpy(buf, head, n);
	memset(buf + n, '#', TLSTUND_CONFIG_MAX_LINE);
	buf[n + TLSTUND_CONFIG_MAX_LINE] = '\r';
	buf[n + TLSTUND_CONFIG_MAX_LINE + 1] = '\n';
	assert_int_equal(tlstund_config_parse(MEM, buf,
					      n + TLSTUND_CONFIG_MAX_LINE + 2,
					      cfg, err, sizeof(err)), 0);
	assert_int_equal(tlstund_config_parse(MEM, buf,
					      n + TLSTUND_CONFIG_MAX_LINE,
					      cfg, err, sizeof(err)), 0);
	buf[n + TLSTUND_CONFIG_MAX_LINE] = '#';
	assert_int_equal(tlstund_config_parse(MEM, buf,
					      n + TLSTUND_CONFIG_MAX_LINE + 1,
					      cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), MEM ":6: line is longer than %d bytes",
		 TLSTUND_CONFIG_MAX_LINE);
	assert_string_equal(err, want);

	/* A path as long as a line allows is kept whole. */
	memcpy(buf, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	memcpy(buf + n, "tofu-dir = /", 12);
	memset(buf + n + 12, 'd', TLSTUND_CONFIG_MAX_LINE - 12);
	n += TLSTUND_CONFIG_MAX_LINE;
	assert_int_equal(tlstund_config_parse(MEM, buf, n, cfg, err,
					      sizeof(err)), 0);
	assert_int_equal(strlen(cfg->tofu_dir), TLSTUND_CONFIG_MAX_LINE - 11);

	/* Empty and blank files lack everything; the first need is named. */
	assert_int_equal(tlstund_config_parse(MEM, "", 0, cfg, err,
					      sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    MEM ": \"private-key\" is missing from [interface]");
	assert_int_equal(tlstund_config_parse(MEM, "\n\n  \n", 4, cfg, err,
					      sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    MEM ": \"private-key\" is missing from [interface]");
	/* A NUL that a C string would hide, inside the last line. */
	memcpy(buf, head, sizeof(head) - 1);
	memcpy(buf + sizeof(head) - 1, "#x\0y", 4);
	assert_int_equal(tlstund_config_parse(MEM, buf, sizeof(head) - 1 + 4,
					      cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, MEM ":6: NUL byte");
	free(buf);
	free(cfg);
}

/* Errors stay inside the buffer they are given, however small. */
static void test_err_buffer(void **state)
{
	static const char bad[] = "[timers]\nkeepalive = 15 # seconds\n";
	struct tlstund_config *cfg = cfg_new();
	char err[ERRLEN], full[ERRLEN];
	size_t len;

	(void)state;
	assert_int_equal(tlstund_config_parse(MEM, bad, sizeof(bad) - 1, cfg,
					      full, sizeof(full)), -EINVAL);
	for (len = 1; len <= strlen(full) + 1; len++) {
		memset(err, 'X', sizeof(err));
		assert_int_equal(tlstund_config_parse(MEM, bad,
						      sizeof(bad) - 1, cfg,
						      err, len), -EINVAL);
		assert_int_equal(strlen(err), len - 1);
		assert_memory_equal(err, full, len - 1);
		assert_int_equal(err[len], 'X');
	}
	assert_int_equal(tlstund_config_parse(MEM, bad, sizeof(bad) - 1, cfg,
					      NULL, 0), -EINVAL);
	assert_int_equal(tlstund_config_load("configs/bad-dup-key.conf", cfg,
					     NULL, 0), -EINVAL);
	assert_int_equal(tlstund_config_load("configs/none", cfg, NULL, 0),
			 -ENOENT);
	free(cfg);
}

static char tmpdir[64];

static int tmp_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmp_teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/fifo.conf", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dir.conf", tmpdir);
	rmdir(path);
	return rmdir(tmpdir);
}

/* What tlstund_config_load() adds to parsing: the file itself. */
static void test_load_files(void **state)
{
	struct tlstund_config *cfg = cfg_new();
	char path[128], err[ERRLEN], want[ERRLEN + 128];
	size_t i;
	FILE *f;

	(void)state;
	assert_int_equal(tlstund_config_load("configs/missing.conf", cfg, err,
					     sizeof(err)), -ENOENT);
	assert_string_equal(err,
			    "configs/missing.conf: No such file or directory");

	snprintf(path, sizeof(path), "%s/dir.conf", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(tlstund_config_load(path, cfg, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(err, want);

	/* Opening a FIFO with no writer would block; it must not. */
	snprintf(path, sizeof(path), "%s/fifo.conf", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(tlstund_config_load(path, cfg, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(err, want);

	snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i <= TLSTUND_CONFIG_MAX_SIZE / 64; i++)
		fprintf(f, "%63s\n", "#");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(tlstund_config_load(path, cfg, err, sizeof(err)),
			 -EFBIG);
	snprintf(want, sizeof(want), "%s: file is larger than 65536 bytes",
		 path);
	assert_string_equal(err, want);

	/* The path names the interface only through its last component. */
	assert_int_equal(tlstund_config_load("configs/tt-min.conf", cfg, err,
					     sizeof(err)), 0);
	assert_string_equal(cfg->ifname, "tt-min");
	free(cfg);
}

static void test_config_path(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "/", "tt 0", "tt\t0", "tt\n", "tt:0",
		"tt%d", "sixteen-chars-xy", "tt\x7f",
	};
	static const char *const good[] = {
		"tt0", "a", "...", ".a", "fifteen-chars-x", "tt-0_x.y",
	};
	char out[64];
	size_t i;

	(void)state;
	assert_int_equal(tlstund_config_path("tt0", out, sizeof(out)), 0);
	assert_string_equal(out, "/etc/tlstun/tt0.conf");
	assert_int_equal(tlstund_config_path("fifteen-chars-x", out,
					     sizeof(out)), 0);
	assert_string_equal(out, "/etc/tlstun/fifteen-chars-x.conf");
	/* "/etc/tlstun/tt0.conf" is 20 bytes and a NUL. */
	assert_int_equal(tlstund_config_path("tt0", out, 21), 0);
	assert_int_equal(tlstund_config_path("tt0", out, 20), -ENAMETOOLONG);
	assert_int_equal(tlstund_config_path(NULL, out, sizeof(out)), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (tlstund_config_path(bad[i], out, sizeof(out)) != -EINVAL)
			fail_msg("name \"%s\" accepted", bad[i]);
		assert_false(tlstund_config_ifname_valid(bad[i]));
	}
	for (i = 0; i < ARRAY_SIZE(good); i++)
		assert_true(tlstund_config_ifname_valid(good[i]));
}

/* The writer refuses what no file could say instead of printing junk. */
static void test_write_refuses(void **state)
{
	struct tlstund_config *cfg = cfg_new();
	char err[ERRLEN];
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(f);
	assert_int_equal(tlstund_config_load("configs/tt-min.conf", cfg, err,
					     sizeof(err)), 0);
	assert_int_equal(tlstund_config_write(cfg, f), 0);
	cfg->trust = TLSTUND_TRUST_UNSET;
	assert_int_equal(tlstund_config_write(cfg, f), -EINVAL);
	cfg->trust = TLSTUND_TRUST_TOFU;
	cfg->suites[1] = 99;
	assert_int_equal(tlstund_config_write(cfg, f), -EINVAL);
	cfg->n_suites = 0;
	assert_int_equal(tlstund_config_write(cfg, f), -EINVAL);
	cfg->n_suites = 1;
	cfg->remote.len = sizeof(struct sockaddr_in);
	cfg->remote.ss.ss_family = AF_UNIX;
	assert_int_equal(tlstund_config_write(cfg, f), -EINVAL);
	fclose(f);
	free(cfg);
}

static char *file_row_name(const struct file_row *row)
{
	char *name;

	if (asprintf(&name, "%s %s", row->err ? "rejects" : "accepts",
		     row->file) < 0)
		return NULL;
	return name;
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_text_values),
		cmocka_unit_test(test_text_results),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test_setup_teardown(test_load_files, tmp_setup,
						tmp_teardown),
		cmocka_unit_test(test_config_path),
		cmocka_unit_test(test_write_refuses),
	};
	struct CMUnitTest tests[ARRAY_SIZE(file_rows) + ARRAY_SIZE(fixed)];
	size_t i;
	int ret;

	/* One TAP line per configuration file. */
	for (i = 0; i < ARRAY_SIZE(file_rows); i++) {
		tests[i] = (struct CMUnitTest)
			cmocka_unit_test_prestate(test_file,
						  (void *)&file_rows[i]);
		tests[i].name = file_row_name(&file_rows[i]);
	}
	memcpy(tests + i, fixed, sizeof(fixed));
	cmocka_set_message_output(CM_OUTPUT_TAP);
	ret = _cmocka_run_group_tests("config", tests, ARRAY_SIZE(tests),
				      NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(file_rows); i++)
		free((char *)tests[i].name);
	return ret;
}
