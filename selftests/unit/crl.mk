# SPDX-License-Identifier: GPL-2.0
#
# Revocation under trust = ca over the committed CRLs (certs/crl-gen.sh).
SUITES += crl
crl_SRCS := ../../tlshd/trust.c ../../tlshd/crl.c ../../tlshd/identity.c
crl_CFLAGS := -D_GNU_SOURCE
crl_LIBS := -lcrypto
bin/test_crl: certs/testcerts.h ../../tlshd/trust.h ../../tlshd/identity.h
