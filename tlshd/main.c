// SPDX-License-Identifier: GPL-2.0
/*
 * tlstund: keys a tlstun device from a TLS 1.3 mutual-TLS handshake with
 * its peer. See tlstund(8).
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "tlstund.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tlstund [ -d ] [ -t ] [ -c FILE ] IFNAME\n"
		"       tlstund { -V | --version | -h | --help }\n"
		"Where: -c FILE  the configuration (default %s/IFNAME.conf)\n"
		"       -d       debug logging, key fingerprints included\n"
		"       -t       check the configuration and the keys and\n"
		"                certificates it names, then exit\n"
		"       -V       print the version\n"
		"       -h       print this\n",
		TLSTUND_CONFIG_DIR);
}

/* A directory or file that others may change decides who is trusted. */
static const char *unsafe_mode(const struct stat *st)
{
	if (st->st_mode & S_IWOTH)
		return "writable by others";
	if (st->st_mode & S_IWGRP)
		return "writable by its group";
	return NULL;
}

/*
 * -t, beyond what loading checks: mistakes that would load and then never
 * work, or work for someone else. Each names the fix.
 */
static int check_lint(const struct tlstund_config *cfg,
		      const struct tlstund_identity *id)
{
	char pin[TLSTUND_PIN_STRLEN];
	const char *why;
	struct stat st;

	if (!stat(cfg->path, &st) && (why = unsafe_mode(&st))) {
		fprintf(stderr, "tlstund: %s: the file is %s, and it chooses whom this node trusts; chmod go-w %s\n",
			cfg->path, why, cfg->path);
		return 1;
	}
	if (cfg->trust == TLSTUND_TRUST_PIN &&
	    !memcmp(cfg->pin, id->spki_sha256, sizeof(cfg->pin))) {
		tlstund_pin_format(cfg->pin, pin);
		fprintf(stderr, "tlstund: %s: \"pin\" is this node's own key (%s), which is never accepted from a peer; set the peer's, from \"tlstun pubkey\" on the peer\n",
			cfg->path, pin);
		return 1;
	}
	if (cfg->trust == TLSTUND_TRUST_TOFU) {
		if (stat(cfg->tofu_dir, &st)) {
			fprintf(stderr, "tlstund: %s: \"tofu-dir\" %s: %s; create it, mode 0700, owned by the user tlstund runs as\n",
				cfg->path, cfg->tofu_dir, strerror(errno));
			return 1;
		}
		if (!S_ISDIR(st.st_mode) || (why = unsafe_mode(&st))) {
			fprintf(stderr, "tlstund: %s: \"tofu-dir\" %s is %s; chmod 0700 it\n",
				cfg->path, cfg->tofu_dir,
				S_ISDIR(st.st_mode) ? why : "not a directory");
			return 1;
		}
	}
	return 0;
}

/*
 * -t, trust = ca: every certificate of the bundle can sign certificates as
 * verification requires (keyUsage with keyCertSign: the strict checks
 * refuse a CA without it, so no peer would ever be accepted), and our own
 * certificate chains to the bundle. The latter is a warning: a node may
 * hold a certificate of another CA that its peers trust.
 */
static int check_ca_bundle(const struct tlstund_config *cfg, X509_STORE *ca,
			   const struct tlstund_identity *id)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(ca);
	X509_STORE_CTX *ctx;
	char subject[256];
	int i, ok;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (!x)
			continue;
		X509_NAME_oneline(X509_get_subject_name(x), subject,
				  sizeof(subject));
		if (!(X509_get_extension_flags(x) & EXFLAG_KUSAGE)) {
			fprintf(stderr, "tlstund: %s: \"ca\" %s: the CA certificate %s has no keyUsage, which verification requires; reissue it with keyUsage = critical, keyCertSign, cRLSign\n",
				cfg->path, cfg->ca_path, subject);
			return 1;
		}
		if (!(X509_get_key_usage(x) & KU_KEY_CERT_SIGN)) {
			fprintf(stderr, "tlstund: %s: \"ca\" %s: the keyUsage of CA certificate %s lacks keyCertSign, so it signs no certificate verification accepts; reissue it with keyCertSign\n",
				cfg->path, cfg->ca_path, subject);
			return 1;
		}
	}
	ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, ca, id->cert, id->chain)) {
		X509_STORE_CTX_free(ctx);
		fprintf(stderr, "tlstund: %s: out of memory\n", cfg->path);
		return 1;
	}
	ok = X509_verify_cert(ctx);
	if (ok != 1)
		fprintf(stderr, "tlstund: %s: warning: \"certificate\" %s does not chain to \"ca\" %s (%s): a peer that trusts only that CA will reject this node; use a certificate the CA issued, unless the peers trust this one's issuer\n",
			cfg->path, cfg->cert_path, cfg->ca_path,
			X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	return 0;
}

/* -t, trust = ca: the bundle, its CRLs and how they fit our certificate. */
static int check_ca(const struct tlstund_config *cfg,
		    const struct tlstund_identity *id)
{
	char err[512];
	X509_STORE *ca;
	int ret;

	ca = tlstund_trust_load_ca(cfg->ca_path, err, sizeof(err));
	if (!ca) {
		fprintf(stderr, "tlstund: %s: %s\n", cfg->path, err);
		return 1;
	}
	ret = check_ca_bundle(cfg, ca, id);
	if (!ret && cfg->crl_path[0] &&
	    tlstund_trust_load_crl(ca, cfg->crl_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "tlstund: %s: %s\n", cfg->path, err);
		ret = 1;
	}
	X509_STORE_free(ca);
	return ret;
}

/* -t: everything that can be checked without the kernel or the network. */
static int check(const struct tlstund_config *cfg)
{
	struct tlstund_identity id = { 0 };
	char err[512];
	int ret;

	if (tlstund_identity_load(&id, cfg->key_path, cfg->cert_path, err,
				  sizeof(err))) {
		fprintf(stderr, "tlstund: %s: %s\n", cfg->path, err);
		return 1;
	}
	ret = check_lint(cfg, &id);
	if (!ret && cfg->trust == TLSTUND_TRUST_CA)
		ret = check_ca(cfg, &id);
	tlstund_identity_free(&id);
	if (ret)
		return ret;
	printf("tlstund: %s: configuration OK\n", cfg->path);
	return 0;
}

int main(int argc, char **argv)
{
	struct tlstund_config *cfg;
	char path[PATH_MAX] = "", err[1024];
	bool debug = false, test = false;
	int opt, ret;

	/* Before any key is read: no core dump of this process, and no
	 * ptrace or /proc/PID/mem by anyone but root, for the life of the
	 * process (an exec'd tlstund starts over here).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		fprintf(stderr, "tlstund: cannot make the process non-dumpable: %s\n",
			strerror(errno));
		return 1;
	}
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};

	while ((opt = getopt_long(argc, argv, "c:dthV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			snprintf(path, sizeof(path), "%s", optarg);
			break;
		case 'd':
			debug = true;
			break;
		case 't':
			test = true;
			break;
		case 'V':
			printf("tlstund %s\n", TLSTUND_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (!path[0] && tlstund_config_path(argv[optind], path,
					    sizeof(path))) {
		fprintf(stderr, "tlstund: \"%s\" is not an interface name\n",
			argv[optind]);
		return 2;
	}

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return 1;
	if (tlstund_config_load(path, cfg, err, sizeof(err))) {
		fprintf(stderr, "tlstund: %s\n", err);
		free(cfg);
		return 1;
	}
	if (strcmp(cfg->ifname, argv[optind])) {
		fprintf(stderr, "tlstund: %s: configures %s, not %s\n", path,
			cfg->ifname, argv[optind]);
		free(cfg);
		return 1;
	}
	if (test) {
		ret = check(cfg);
		free(cfg);
		return ret;
	}
	tlstund_log_init(cfg->ifname, debug);
	ret = tlstund_daemon_run(cfg);
	free(cfg);
	return ret;
}
