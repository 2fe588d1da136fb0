# SPDX-License-Identifier: GPL-2.0
#
# The TLS 1.3 transport over loopback TCP, two processes per handshake.
SUITES += tls
tls_SRCS := ../../tlshd/tls.c ../../tlshd/transport.c ../../tlshd/trust.c ../../tlshd/crl.c ../../tlshd/identity.c
tls_CFLAGS := -D_GNU_SOURCE
tls_LIBS := -lssl -lcrypto
bin/test_tls: certs/testcerts.h transport_pair.h ../../tlshd/tls.h ../../tlshd/transport.h \
	      ../../tlshd/trust.h ../../tlshd/identity.h
