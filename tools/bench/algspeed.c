// SPDX-License-Identifier: GPL-2.0
/*
 * algspeed - how fast the running kernel's "gcm(aes)" seals and opens one
 * tlstun-sized packet, through AF_ALG (algif_aead): the crypto ceiling
 * make bench compares the tunnels with.
 *
 *   algspeed KEYBITS SECONDS [PAYLOAD]
 *
 * For each of encrypt and decrypt, for SECONDS (a decimal, e.g. 0.5): one
 * sendmsg() of the 24-byte AAD (a Geneve header's worth, as tlstun
 * authenticates) and PAYLOAD bytes (default 1400), with a fresh 12-byte
 * nonce, then one read() of the result, the tag 16 bytes. Prints
 *
 *   algspeed enc|dec KEYBITS PAYLOAD ops N seconds S gbps G driver D
 *
 * where gbps is payload bits per second. The decrypt pass opens a real
 * ciphertext, so a tag mismatch (EBADMSG) is an error, not a speed.
 *
 * Each operation crosses the syscall boundary twice and copies the packet
 * in and out, which the tunnels' in-kernel crypto does not: the figure is
 * a lower bound of the cipher's own speed (tcrypt's in-kernel cycle count
 * is the other view; make bench reports both).
 */

#include <errno.h>
#include <linux/if_alg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG		279
#endif

#define AAD_LEN		24
#define IV_LEN		12
#define TAG_LEN		16
#define MAX_PAYLOAD	65536

static uint8_t key[32];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "algspeed: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The driver the kernel picked for "gcm(aes)", from /proc/crypto: the
 * entry of that name with the highest priority.
 */
static void driver_name(char *out, size_t len)
{
	char line[256], name[128] = "", drv[128] = "";
	FILE *f = fopen("/proc/crypto", "re");
	int prio, best = -1;

	snprintf(out, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "name : %127s", name) == 1)
			continue;
		if (sscanf(line, "driver : %127s", drv) == 1)
			continue;
		if (sscanf(line, "priority : %d", &prio) == 1 &&
		    !strcmp(name, "gcm(aes)") && prio > best) {
			best = prio;
			snprintf(out, len, "%s", drv);
		}
	}
	fclose(f);
}

static int op_socket(unsigned int keybytes)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG,
		.salg_type = "aead",
		.salg_name = "gcm(aes)",
	};
	int tfm, op;

	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0)
		die("socket(AF_ALG) (is algif_aead loaded?)");
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind gcm(aes)");
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, keybytes))
		die("ALG_SET_KEY");
	if (setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, TAG_LEN))
		die("ALG_SET_AEAD_AUTHSIZE");
	op = accept(tfm, NULL, 0);
	if (op < 0)
		die("accept");
	close(tfm);
	return op;
}

/* One AEAD operation: @in (AAD || text) to @out (AAD || text'). */
static ssize_t one_op(int fd, int dir, uint64_t nonce, const uint8_t *in,
		      size_t inlen, uint8_t *out, size_t outlen)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + IV_LEN) +
		  CMSG_SPACE(sizeof(uint32_t))] = { 0 };
	struct iovec iov = { .iov_base = (void *)in, .iov_len = inlen };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct af_alg_iv *iv;
	struct cmsghdr *c;

	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	*(uint32_t *)CMSG_DATA(c) = dir;

	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*iv) + IV_LEN);
	iv = (struct af_alg_iv *)CMSG_DATA(c);
	iv->ivlen = IV_LEN;
	memset(iv->iv, 0, IV_LEN);
	memcpy(iv->iv + IV_LEN - sizeof(nonce), &nonce, sizeof(nonce));

	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
	c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	*(uint32_t *)CMSG_DATA(c) = AAD_LEN;

	if (sendmsg(fd, &msg, 0) != (ssize_t)inlen)
		return -1;
	return read(fd, out, outlen);
}

static void run(unsigned int bits, int dir, double secs, size_t payload,
		const char *drv)
{
	size_t plain = AAD_LEN + payload, sealed = plain + TAG_LEN;
	uint8_t *pt = calloc(1, sealed), *ct = calloc(1, sealed);
	uint8_t *out = calloc(1, sealed);
	const uint8_t *in = dir == ALG_OP_ENCRYPT ? pt : ct;
	size_t inlen = dir == ALG_OP_ENCRYPT ? plain : sealed;
	size_t outlen = dir == ALG_OP_ENCRYPT ? sealed : plain;
	int fd = op_socket(bits / 8);
	double t0, t = 0;
	uint64_t n = 0;

	if (!pt || !ct || !out)
		die("calloc");
	memset(pt, 0xa5, plain);
	/* The ciphertext to open, sealed under nonce 0. */
	if (one_op(fd, ALG_OP_ENCRYPT, 0, pt, plain, ct, sealed) !=
	    (ssize_t)sealed)
		die("encrypt");
	t0 = now_s();
	do {
		/* Opening must reuse the nonce it was sealed under. */
		if (one_op(fd, dir, dir == ALG_OP_ENCRYPT ? n + 1 : 0, in,
			   inlen, out, outlen) != (ssize_t)outlen)
			die(dir == ALG_OP_ENCRYPT ? "encrypt" : "decrypt");
		n++;
		/* The clock is read every 16 operations only: under TCG
		 * even a vDSO clock_gettime() is not free.
		 */
	} while ((n & 15) || (t = now_s() - t0) < secs);
	printf("algspeed %s %u %zu ops %llu seconds %.3f gbps %.4f driver %s\n",
	       dir == ALG_OP_ENCRYPT ? "enc" : "dec", bits, payload,
	       (unsigned long long)n, t, n * payload * 8.0 / t / 1e9, drv);
	close(fd);
	free(pt);
	free(ct);
	free(out);
}

int main(int argc, char **argv)
{
	unsigned long bits, payload = 1400;
	char drv[128], *end;
	double secs;
	int i;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "Usage: algspeed KEYBITS SECONDS [PAYLOAD]\n");
		return 2;
	}
	bits = strtoul(argv[1], &end, 10);
	if (*end || (bits != 128 && bits != 256)) {
		fprintf(stderr,
			"algspeed: argument \"%s\" is wrong: KEYBITS is 128 or 256\n",
			argv[1]);
		return 2;
	}
	secs = strtod(argv[2], &end);
	if (*end || !(secs > 0 && secs <= 600)) {
		fprintf(stderr,
			"algspeed: argument \"%s\" is wrong: SECONDS is 0..600\n",
			argv[2]);
		return 2;
	}
	if (argc == 4) {
		payload = strtoul(argv[3], &end, 10);
		if (*end || payload < 1 || payload > MAX_PAYLOAD) {
			fprintf(stderr,
				"algspeed: argument \"%s\" is wrong: PAYLOAD is 1..%d\n",
				argv[3], MAX_PAYLOAD);
			return 2;
		}
	}
	for (i = 0; i < (int)sizeof(key); i++)
		key[i] = i * 7 + 1;
	driver_name(drv, sizeof(drv));
	run(bits, ALG_OP_ENCRYPT, secs, payload, drv);
	run(bits, ALG_OP_DECRYPT, secs, payload, drv);
	return 0;
}
