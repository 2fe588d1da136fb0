// SPDX-License-Identifier: GPL-2.0
/*
 * tlstun genkey | pubkey | nodeid | cert | csr: a node's identity, made
 * and inspected the way wg(8) does with genkey and pubkey. The work is
 * done by tlshd/identity.c, compiled into the tool, so a key or
 * certificate made here is what tlstund loads and a pin printed here is
 * the one tlstund computes for the same key.
 *
 * Private keys: only genkey writes one, to a new file of mode 0600 or to
 * stdout when asked. A key named by a path to a regular file goes through
 * the daemon's loader and is refused, as the daemon would refuse it, when
 * group or others can access it. A key that comes through a pipe has no
 * mode to check and is taken as it is, so that
 * "tlstun genkey | tee key.pem | tlstun pubkey" works as with wg. Every
 * buffer that held key text is wiped; EVP_PKEY_free() clears the key.
 *
 * Nothing here overwrites a file: a typo must not replace an identity.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "identity.h"
#include "print.h"
#include "tlstun.h"

/* What pubkey reads: a certificate file with a few intermediates. */
#define INPUT_MAX		(1024 * 1024)
/* One byte past the limit tells input that is too large; one for a NUL. */
#define INPUT_BUF		(INPUT_MAX + 2)

/*
 * A new certificate is valid from an hour ago, so that a peer whose clock
 * is a little behind does not find it not yet valid under the ca policy.
 */
#define CERT_BACKDATE		(60 * 60)

_Static_assert(CERT_DAYS_MAX == 200 * 366,
	       "CERT_DAYS_MAX is identity.c's SELFSIGN_DAYS_MAX");

/* A failure after the command line was accepted: exit status 1. */
static int fail(const char *why)
{
	fprintf(stderr, "Error: %s\n", why);
	return EXIT_FAIL;
}

/* "-" and no argument at all both mean stdin or stdout. */
static bool is_stdio(const char *path)
{
	return !path || !strcmp(path, "-");
}

/* print.c's output has been flushed; tell a full disk from success. */
static int stdout_status(void)
{
	if (fflush(stdout) || ferror(stdout))
		return fail("cannot write to standard output");
	return EXIT_OK;
}

/* Write @pem to stdout or to @path, a new file; a failure leaves no file. */
static int write_out(const char *path, const char *what, const char *pem,
		     size_t len)
{
	int fd = STDOUT_FILENO, ret;

	if (is_stdio(path)) {
		fflush(stdout);
		ret = tlstund_write_all(fd, pem, len);
		if (ret) {
			fprintf(stderr, "Error: cannot write the %s to standard output: %s\n",
				what, strerror(-ret));
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		ret = errno;
		fprintf(stderr, "Error: cannot create %s %s: %s%s\n", what, path,
			strerror(ret),
			ret == EEXIST ? " (refusing to overwrite it)" : "");
		return EXIT_FAIL;
	}
	ret = tlstund_write_all(fd, pem, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret) {
		fprintf(stderr, "Error: cannot write %s %s: %s\n", what, path,
			strerror(-ret));
		unlink(path);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Encode a certificate, or else a request, as PEM and write it out. */
static int write_pem(const char *path, const char *what, X509 *x,
		     X509_REQ *req)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char err[TLSTUND_ERR_LEN];
	char *pem;
	long len;
	int ret;

	if (!bio || !(x ? PEM_write_bio_X509(bio, x) :
		      PEM_write_bio_X509_REQ(bio, req))) {
		tlstund_identity_err(err, sizeof(err), true,
				     "cannot encode the %s", what);
		ret = fail(err);
	} else {
		len = BIO_get_mem_data(bio, &pem);
		ret = write_out(path, what, pem, len);
	}
	BIO_free(bio);
	return ret;
}

/* wg genkey warns likewise: the shell made the file with the umask's mode. */
static void warn_loose_stdout(void)
{
	struct stat st;

	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) &&
	    (st.st_mode & 077))
		fprintf(stderr, "Warning: standard output is a file that group or others can access (mode %04o); tlstund refuses such a key file: chmod 600 it, and set umask 077 before the next one\n",
			(unsigned int)(st.st_mode & 07777));
}

/**
 * do_genkey() - "tlstun genkey [ OUTFILE ]": a new P-256 private key
 * @argc: argument count after "genkey"
 * @argv: the arguments
 *
 * Return: the exit status.
 */
int do_genkey(int argc, char **argv)
{
	char err[TLSTUND_ERR_LEN];
	const char *path = NULL;
	EVP_PKEY *key;
	int ret;

	if (argc > 0 && !strcmp(argv[0], "help"))
		return usage_object("genkey");
	if (argc > 1)
		return arg_unknown("genkey", argv[1]);
	if (argc == 1)
		path = argv[0];

	key = tlstund_identity_genkey(err, sizeof(err));
	if (!key)
		return fail(err);
	if (is_stdio(path)) {
		warn_loose_stdout();
		fflush(stdout);
		ret = tlstund_identity_write_key(key, STDOUT_FILENO, err,
						 sizeof(err));
	} else {
		ret = tlstund_identity_save_key(key, path, err, sizeof(err));
	}
	EVP_PKEY_free(key);
	return ret ? fail(err) : EXIT_OK;
}

/* What pubkey read, NUL-terminated; it may be a private key. */
struct input {
	char *buf;
	size_t len;
	bool regular;		/* from a regular file */
	const char *name;	/* for messages */
};

static void input_free(struct input *in)
{
	OPENSSL_clear_free(in->buf, INPUT_BUF);
	in->buf = NULL;
}

static int read_input(const char *path, struct input *in, char *err,
		      size_t errlen)
{
	int fd = STDIN_FILENO, ret = -EIO;
	struct stat st;
	ssize_t n;

	in->name = is_stdio(path) ? "standard input" : path;
	if (!is_stdio(path)) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open %s: %s", path,
				 strerror(errno));
			return -errno;
		}
	}
	in->regular = !fstat(fd, &st) && S_ISREG(st.st_mode);
	in->buf = OPENSSL_zalloc(INPUT_BUF);
	if (!in->buf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	while (in->len < INPUT_BUF - 1) {
		n = read(fd, in->buf + in->len, INPUT_BUF - 1 - in->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", in->name,
				 strerror(errno));
			goto out;
		}
		if (!n)
			break;
		in->len += n;
	}
	if (in->len > INPUT_MAX) {
		snprintf(err, errlen, "%s is larger than %d bytes", in->name,
			 INPUT_MAX);
		goto out;
	}
	ret = 0;
out:
	if (ret)
		input_free(in);
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

/* Encrypted keys fail instead of prompting on a terminal, as in tlstund. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)u = true;
	return -1;
}

/* tlstund_identity_load_key()'s checks, for a key without a file mode. */
static EVP_PKEY *parse_private_key(const struct input *in, char *err,
				   size_t errlen)
{
	EVP_PKEY *key = NULL;
	bool asked = false;
	BIO *bio;

	bio = BIO_new_mem_buf(in->buf, in->len);
	if (bio)
		key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, &asked);
	BIO_free(bio);
	if (!key) {
		if (asked)
			tlstund_identity_err(err, errlen, false,
					     "the private key in %s is encrypted; tlstun keys are stored unencrypted, protected by the file mode",
					     in->name);
		else
			tlstund_identity_err(err, errlen, true,
					     "cannot parse the private key in %s",
					     in->name);
		return NULL;
	}
	if (!tlstund_key_is_p256(key)) {
		tlstund_identity_err(err, errlen, false,
				     "the private key in %s is not an ECDSA P-256 key, which tlstun needs",
				     in->name);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

/* The pin of the private key in @in, through the daemon's loader if a file. */
static int key_pin(const char *path, const struct input *in,
		   uint8_t pin[TLSTUND_PIN_LEN], char *err, size_t errlen)
{
	EVP_PKEY *key;
	int ret;

	if (!is_stdio(path) && in->regular)
		key = tlstund_identity_load_key(path, err, errlen);
	else
		key = parse_private_key(in, err, errlen);
	if (!key)
		return -EINVAL;
	ret = tlstund_spki_sha256_key(key, pin);
	if (ret)
		snprintf(err, errlen, "cannot encode the public key in %s",
			 in->name);
	EVP_PKEY_free(key);
	return ret;
}

/* The pin of the first certificate in @in: the leaf, in a tlstund file. */
static int cert_pin(const struct input *in, uint8_t pin[TLSTUND_PIN_LEN],
		    char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(in->buf, in->len);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int ret = -EINVAL;

	BIO_free(bio);
	if (!x)
		tlstund_identity_err(err, errlen, true,
				     "cannot parse the certificate in %s",
				     in->name);
	else if (!tlstund_key_is_p256(X509_get0_pubkey(x)))
		tlstund_identity_err(err, errlen, false,
				     "the certificate in %s does not hold an ECDSA P-256 key, which tlstun needs",
				     in->name);
	else if (tlstund_spki_sha256_cert(x, pin))
		snprintf(err, errlen, "cannot encode the public key in %s",
			 in->name);
	else
		ret = 0;
	X509_free(x);
	return ret;
}

/**
 * do_pubkey() - "tlstun pubkey [ INFILE ]": the pin of a key or certificate
 * @argc: argument count after "pubkey"
 * @argv: the arguments
 *
 * Return: the exit status.
 */
int do_pubkey(int argc, char **argv)
{
	char err[TLSTUND_ERR_LEN], str[TLSTUND_PIN_STRLEN];
	uint8_t pin[TLSTUND_PIN_LEN];
	const char *path = NULL;
	struct input in = {};
	int ret;

	if (argc > 0 && !strcmp(argv[0], "help"))
		return usage_object("pubkey");
	if (argc > 1)
		return arg_unknown("pubkey", argv[1]);
	if (argc == 1)
		path = argv[0];

	if (read_input(path, &in, err, sizeof(err)))
		return fail(err);
	/*
	 * A file that holds a private key is a key file, whatever else it
	 * holds, and gets the key file rules.
	 */
	if (strstr(in.buf, "PRIVATE KEY-----")) {
		ret = key_pin(path, &in, pin, err, sizeof(err));
	} else if (strstr(in.buf, "-----BEGIN CERTIFICATE-----")) {
		ret = cert_pin(&in, pin, err, sizeof(err));
	} else {
		snprintf(err, sizeof(err),
			 "%s holds neither a PEM private key nor a PEM certificate",
			 in.name);
		ret = -EINVAL;
	}
	input_free(&in);
	if (ret)
		return fail(err);

	tlstund_pin_format(pin, str);
	print_record_begin();
	print_string(PRINT_ANY, "pin", "%s", str);
	print_record_end();
	return stdout_status();
}

/**
 * do_nodeid() - "tlstun nodeid": a new random node id
 * @argc: argument count after "nodeid"
 * @argv: the arguments (none are taken)
 *
 * Return: the exit status.
 */
int do_nodeid(int argc, char **argv)
{
	char str[TLSTUND_NODE_ID_STRLEN];
	uint8_t id[TLSTUND_NODE_ID_LEN];

	if (argc > 0 && !strcmp(argv[0], "help"))
		return usage_object("nodeid");
	if (argc > 0)
		return arg_unknown("nodeid", argv[0]);

	if (RAND_bytes(id, sizeof(id)) != 1) {
		ERR_clear_error();
		return fail("cannot get random bytes for a node id");
	}
	tlstund_node_id_format(id, str);
	print_record_begin();
	print_string(PRINT_ANY, "node_id", "%s", str);
	print_record_end();
	return stdout_status();
}

struct cert_args {
	const char *key_path;
	const char *out;
	uint8_t node_id[TLSTUND_NODE_ID_LEN];
	uint32_t days;
	bool has_node, has_days, has_out;
};

static int parse_node_id(const char *s, uint8_t id[TLSTUND_NODE_ID_LEN],
			 struct parse_err *e)
{
	if (!tlstund_node_id_parse(s, id))
		return 0;
	snprintf(e->msg, sizeof(e->msg),
		 "not a node id (0x and 32 hex digits)");
	return -1;
}

/* KEYFILE, then the keywords; "days" only when @days_ok (cert, not csr). */
static int parse_cert_args(const char *object, int argc, char **argv,
			   bool days_ok, struct cert_args *a)
{
	struct parse_err e;

	if (argc < 1)
		return arg_required("KEYFILE", object);
	a->key_path = argv[0];
	for (argc--, argv++; argc > 0; argc--, argv++) {
		const char *kw = *argv;
		int ret = 0;

		if (!strcmp(kw, "node")) {
			ONCE(a->has_node, kw);
			NEXT_ARG();
			ret = parse_node_id(*argv, a->node_id, &e);
		} else if (days_ok && !strcmp(kw, "days")) {
			ONCE(a->has_days, kw);
			NEXT_ARG();
			ret = parse_u32(*argv, 1, CERT_DAYS_MAX, &a->days, &e);
		} else if (!strcmp(kw, "out")) {
			ONCE(a->has_out, kw);
			NEXT_ARG();
			a->out = *argv;
			if (!**argv) {
				snprintf(e.msg, sizeof(e.msg),
					 "empty file name");
				ret = -1;
			}
		} else {
			return arg_unknown(object, kw);
		}
		if (ret)
			return arg_invalid_value(kw, *argv, &e);
	}
	return EXIT_OK;
}

/**
 * do_cert() - "tlstun cert KEYFILE ...": a self-signed certificate
 * @argc: argument count after "cert"
 * @argv: the arguments
 *
 * Return: the exit status.
 */
int do_cert(int argc, char **argv)
{
	struct cert_args a = { .days = CERT_DAYS_DEFAULT };
	char err[TLSTUND_ERR_LEN];
	EVP_PKEY *key;
	X509 *x;
	int ret;

	if (argc > 0 && !strcmp(argv[0], "help"))
		return usage_object("cert");
	ret = parse_cert_args("cert", argc, argv, true, &a);
	if (ret)
		return ret;

	key = tlstund_identity_load_key(a.key_path, err, sizeof(err));
	if (!key)
		return fail(err);
	x = tlstund_identity_selfsign(key, a.has_node ? a.node_id : NULL,
				      time(NULL) - CERT_BACKDATE, a.days, err,
				      sizeof(err));
	EVP_PKEY_free(key);
	if (!x)
		return fail(err);
	ret = write_pem(a.out, "certificate", x, NULL);
	X509_free(x);
	return ret;
}

/**
 * do_csr() - "tlstun csr KEYFILE node NODE_ID ...": a certificate request
 * @argc: argument count after "csr"
 * @argv: the arguments
 *
 * Return: the exit status.
 */
int do_csr(int argc, char **argv)
{
	struct cert_args a = {};
	char err[TLSTUND_ERR_LEN];
	X509_REQ *req;
	EVP_PKEY *key;
	int ret;

	if (argc > 0 && !strcmp(argv[0], "help"))
		return usage_object("csr");
	ret = parse_cert_args("csr", argc, argv, false, &a);
	if (ret)
		return ret;
	if (!a.has_node)
		return arg_required("node", "csr");

	key = tlstund_identity_load_key(a.key_path, err, sizeof(err));
	if (!key)
		return fail(err);
	req = tlstund_identity_csr(key, a.node_id, err, sizeof(err));
	EVP_PKEY_free(key);
	if (!req)
		return fail(err);
	ret = write_pem(a.out, "certificate request", NULL, req);
	X509_REQ_free(req);
	return ret;
}
