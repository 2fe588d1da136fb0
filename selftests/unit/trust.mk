# SPDX-License-Identifier: GPL-2.0
SUITES += trust
trust_SRCS := ../../tlshd/trust.c ../../tlshd/crl.c ../../tlshd/identity.c
trust_CFLAGS := -D_GNU_SOURCE
trust_LIBS := -lcrypto
bin/test_trust: certs/testcerts.h ../../tlshd/trust.h ../../tlshd/identity.h
