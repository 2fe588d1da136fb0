# SPDX-License-Identifier: GPL-2.0
#
# The QUIC transport over loopback UDP, two processes per handshake, and
# Debian's ngtcp2 example client (gtlsclient) against its listener.
SUITES += quic
quic_SRCS := ../../tlshd/quic.c ../../tlshd/transport.c ../../tlshd/quic_conn.c ../../tlshd/quic_listen.c \
	     ../../tlshd/trust.c ../../tlshd/crl.c ../../tlshd/identity.c
quic_CFLAGS := -D_GNU_SOURCE
quic_LIBS := -lngtcp2_crypto_gnutls -lngtcp2 -lgnutls -lssl -lcrypto
bin/test_quic: certs/testcerts.h transport_pair.h ../../tlshd/quic.h ../../tlshd/transport.h \
	       ../../tlshd/trust.h ../../tlshd/identity.h
