# SPDX-License-Identifier: GPL-2.0
SUITES += identity
identity_SRCS := ../../tlshd/identity.c ../../tlshd/trust.c ../../tlshd/crl.c
identity_CFLAGS := -D_GNU_SOURCE
identity_LIBS := -lcrypto
bin/test_identity: certs/testcerts.h ../../tlshd/trust.h ../../tlshd/identity.h
