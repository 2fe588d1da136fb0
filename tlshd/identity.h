/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local identity of a tlstun node: its P-256 key and certificate, the
 * printable forms of node ids and SPKI pins, and the key, self-signed
 * certificate and CSR generation behind "tlstun genkey" and "tlstun cert".
 *
 * Shared by the daemon and the tlstun tool, so nothing here logs: every
 * function that can fail takes an error buffer (err, errlen) and fills it
 * with one line naming the file and the cause. Private key bytes are never
 * put in an error message and every buffer that held them is wiped.
 *
 * Printable forms (both are what the parse functions accept and what the
 * format functions print):
 *
 *   node id   "0x" followed by exactly 32 hex digits (128 bits). Parsing
 *             accepts either case of the digits, formatting prints lower
 *             case. Inside a certificate the node URI is stricter, see
 *             tlstund_node_uri_parse().
 *   node URI  "urn:tlstun:node:0x" followed by 32 lower-case hex digits,
 *             carried as a subjectAltName URI.
 *   pin       "sha256:" followed by 64 hex digits: SHA-256 of the DER
 *             SubjectPublicKeyInfo of the certificate's key. Parsing also
 *             takes the bare 44-character base64 form (as in HPKP's
 *             pin-sha256 and wg's keys) and hex in either case; formatting
 *             always prints the hex form in lower case.
 */
#ifndef TLSTUND_IDENTITY_H
#define TLSTUND_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define TLSTUND_NODE_ID_LEN	16
#define TLSTUND_PIN_LEN		32	/* SHA-256 */

/* Buffer sizes of the printable forms, NUL included. */
#define TLSTUND_NODE_ID_STRLEN	(2 + 2 * TLSTUND_NODE_ID_LEN + 1)
#define TLSTUND_NODE_URI_PREFIX	"urn:tlstun:node:"
#define TLSTUND_NODE_URI_STRLEN	(sizeof(TLSTUND_NODE_URI_PREFIX) - 1 + \
				 TLSTUND_NODE_ID_STRLEN)
#define TLSTUND_PIN_PREFIX	"sha256:"
#define TLSTUND_PIN_STRLEN	(sizeof(TLSTUND_PIN_PREFIX) - 1 + \
				 2 * TLSTUND_PIN_LEN + 1)

/* Suggested size of the error buffers taken below. */
#define TLSTUND_ERR_LEN		256

struct tlstund_identity {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;	/* the file's certificates after the first */
	uint8_t spki_sha256[TLSTUND_PIN_LEN];
	uint8_t node_id[TLSTUND_NODE_ID_LEN];
	bool has_node_id;
};

void tlstund_identity_err(char *err, size_t errlen, bool with_ssl,
			  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Node ids, node URIs and pins. */
int tlstund_node_id_parse(const char *s, uint8_t id[TLSTUND_NODE_ID_LEN]);
void tlstund_node_id_format(const uint8_t id[TLSTUND_NODE_ID_LEN],
			    char out[TLSTUND_NODE_ID_STRLEN]);
int tlstund_node_uri_parse(const char *s, size_t len,
			   uint8_t id[TLSTUND_NODE_ID_LEN]);
int tlstund_cert_node_id(X509 *cert, uint8_t id[TLSTUND_NODE_ID_LEN]);
void tlstund_node_uri_format(const uint8_t id[TLSTUND_NODE_ID_LEN],
			     char out[TLSTUND_NODE_URI_STRLEN]);
int tlstund_pin_parse(const char *s, uint8_t pin[TLSTUND_PIN_LEN]);
void tlstund_pin_format(const uint8_t pin[TLSTUND_PIN_LEN],
			char out[TLSTUND_PIN_STRLEN]);

/* SPKI pins of a certificate or of a key. */
int tlstund_spki_sha256_cert(X509 *cert, uint8_t pin[TLSTUND_PIN_LEN]);
int tlstund_spki_sha256_key(EVP_PKEY *key, uint8_t pin[TLSTUND_PIN_LEN]);
bool tlstund_key_is_p256(EVP_PKEY *key);

/* Loading the local identity. */
EVP_PKEY *tlstund_identity_load_key(const char *path, char *err,
				    size_t errlen);
int tlstund_identity_load(struct tlstund_identity *id, const char *key_path,
			  const char *cert_path, char *err, size_t errlen);
void tlstund_identity_free(struct tlstund_identity *id);

/* All of @len bytes to @fd: 0, -errno, or -EIO on a zero-length write. */
int tlstund_write_all(int fd, const void *buf, size_t len);

/* Generation, for "tlstun genkey" and "tlstun cert". */
EVP_PKEY *tlstund_identity_genkey(char *err, size_t errlen);
int tlstund_identity_write_key(EVP_PKEY *key, int fd, char *err,
			       size_t errlen);
int tlstund_identity_save_key(EVP_PKEY *key, const char *path, char *err,
			      size_t errlen);
X509 *tlstund_identity_selfsign(EVP_PKEY *key,
				const uint8_t node_id[TLSTUND_NODE_ID_LEN],
				time_t not_before, unsigned int days,
				char *err, size_t errlen);
X509_REQ *tlstund_identity_csr(EVP_PKEY *key,
			       const uint8_t node_id[TLSTUND_NODE_ID_LEN],
			       char *err, size_t errlen);

#endif /* TLSTUND_IDENTITY_H */
