/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlstund configuration: /etc/tlstun/<ifname>.conf, INI syntax, every key
 * and its default documented in Documentation/tlstun.conf.5.
 */
#ifndef TLSTUND_CONFIG_H
#define TLSTUND_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <linux/tlstun.h>

#include "identity.h"
#include "trust.h"

#define TLSTUND_CONFIG_DIR		"/etc/tlstun"
#define TLSTUND_TOFU_DIR		"/var/lib/tlstun"
#define TLSTUND_DEFAULT_CONTROL_PORT	7081
#define TLSTUND_MAX_SUITES		4
#define TLSTUND_PEER_NAME_MAX		TLSTUND_TRUST_PEER_NAME_MAX

/* Larger files and longer lines are refused, not truncated. */
#define TLSTUND_CONFIG_MAX_SIZE		(64 * 1024)
#define TLSTUND_CONFIG_MAX_LINE		4096	/* bytes, line end excluded */

/* handshake-interval when neither it nor a longer rekey-interval is set. */
#define TLSTUND_CONFIG_HANDSHAKE_DEFAULT_S	3600

struct tlstund_sockaddr {
	struct sockaddr_storage ss;
	socklen_t len;			/* 0: not set */
};

/*
 * Addresses are AF_INET or AF_INET6, never v4-mapped, never with a scope
 * id. listen and endpoint carry their port; remote and local carry port 0
 * (the data plane uses "port"). A listen address of in6addr_any means
 * both families: the transport clears IPV6_V6ONLY.
 */
/* How the daemon reaches its peer (transport = ...). */
enum tlstund_transport_kind {
	TLSTUND_TRANSPORT_TLS,		/* TLS 1.3 over TCP (tls.c) */
	TLSTUND_TRANSPORT_QUIC,		/* QUIC v1 over UDP (quic.c) */
};

struct tlstund_config {
	char path[PATH_MAX];		/* the file this came from */

	/* [interface] */
	char ifname[IF_NAMESIZE];	/* from "name", else the file name */
	char key_path[PATH_MAX];	/* private-key (required) */
	char cert_path[PATH_MAX];	/* certificate (required) */
	struct tlstund_sockaddr listen;	/* listen ([::]:7081); len 0 = none */
	uint32_t vni;			/* vni (TLSTUN_DEFAULT_VNI) */
	uint16_t port;			/* port, data plane (6081) */
	struct tlstund_sockaddr local;	/* local, data-plane source address */
	/* suites this end runs, as written (aes-gcm-256 aes-gcm-128); the
	 * protocol, not this order, picks among those both ends list
	 */
	uint16_t suites[TLSTUND_MAX_SUITES];
	unsigned int n_suites;

	/* [peer] */
	char peer_name[TLSTUND_PEER_NAME_MAX];	/* name ("peer") */
	struct tlstund_sockaddr endpoint;	/* endpoint: dial; len 0 = never */
	struct tlstund_sockaddr remote;		/* remote, data plane; len 0 =
						 * endpoint's address, or the
						 * accepted connection's */
	/* transport: "quic" or "tls"; absent means tls, what every
	 * configuration written before QUIC existed meant
	 */
	enum tlstund_transport_kind transport;
	enum tlstund_trust_kind trust;		/* trust (required) */
	char ca_path[PATH_MAX];			/* ca (trust = ca) */
	char crl_path[PATH_MAX];		/* crl (trust = ca); empty:
						 * no revocation checks */
	bool crl_expired_warn;			/* crl-expired = warn */
	uint8_t node_id[TLSTUND_NODE_ID_LEN];	/* node-id (trust = ca) */
	uint8_t pin[TLSTUND_PIN_LEN];		/* pin (trust = pin) */
	char tofu_dir[PATH_MAX];		/* tofu-dir (trust = tofu,
						 * TLSTUND_TOFU_DIR); empty
						 * for the other policies */

	/* [timers], seconds */
	uint32_t rekey_interval;	/* rekey-interval (600) */
	uint32_t handshake_interval;	/* handshake-interval (3600) */
	uint32_t rekey_grace;		/* rekey-grace (5) */
	uint32_t reconnect_min;		/* reconnect-min (1) */
	uint32_t reconnect_max;		/* reconnect-max (60) */
	uint32_t keepalive;		/* keepalive (15) */
	uint32_t dead_after;		/* dead-after (45) */

	/* [limits], of every SA installed; 0 = none (see tlstun.h) */
	uint64_t soft_packets, hard_packets;
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_seconds, hard_seconds;
	uint32_t replay_window;		/* replay-window (2048) */
};

/*
 * Parse @path into @cfg (defaults first, then the file). On failure returns
 * -errno, leaves @cfg untouched (a failed reload keeps the running
 * configuration) and writes "PATH:LINE: problem" (or "PATH: problem" for
 * whole-file issues such as a missing required key) to @err. Checks
 * everything that can be checked without touching keys or the network:
 * syntax, known sections and keys, value ranges, that the keys each trust
 * policy needs are present and the others absent, durations and
 * addresses. Never opens the key, certificate or CA files.
 */
int tlstund_config_load(const char *path, struct tlstund_config *cfg,
			char *err, size_t errlen);

/*
 * tlstund_config_load() on @len bytes already in memory (which need not be
 * NUL-terminated and may hold NULs, which are refused); @path names them
 * in messages and gives the default interface name. For tests and fuzzers.
 */
int tlstund_config_parse(const char *path, const char *buf, size_t len,
			 struct tlstund_config *cfg, char *err, size_t errlen);

/*
 * Print @cfg in the file syntax with every key explicit, so that parsing
 * the output gives back the same configuration. Returns 0, -EINVAL for a
 * configuration no file could produce, or -EIO.
 */
int tlstund_config_write(const struct tlstund_config *cfg, FILE *f);

/* Whether @name can be a tlstun device name and a configuration file name:
 * what the kernel's dev_valid_name() accepts, minus '%' (a name template).
 */
bool tlstund_config_ifname_valid(const char *name);

/* The path tlstund uses for @ifname: TLSTUND_CONFIG_DIR/<ifname>.conf.
 * Returns 0, -EINVAL for an invalid name or -ENAMETOOLONG.
 */
int tlstund_config_path(const char *ifname, char *out, size_t outlen);

#endif /* TLSTUND_CONFIG_H */
