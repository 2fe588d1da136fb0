/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to tls.c and its unit test: the rest of the daemon reaches the
 * TLS transport only through tlstund_tls_ops (transport.h).
 */
#ifndef TLSTUND_TLS_H
#define TLSTUND_TLS_H

#include <openssl/ssl.h>

#include "transport.h"

/* Longest error() text of a connection, NUL included. */
#define TLSTUND_TLS_ERR_LEN	512

/* The connection's SSL, so a test can check the transport's answers
 * (kTLS state, tickets) against OpenSSL's own.
 */
SSL *tlstund_tls_conn_ssl(struct tlstund_conn *c);

#endif /* TLSTUND_TLS_H */
