# SPDX-License-Identifier: GPL-2.0
#
# The configuration parser, with the node id, pin and peer name checks it
# borrows from identity.c and trust.c. Test files live in configs/.
SUITES += config
config_SRCS := ../../tlshd/config.c ../../tlshd/identity.c ../../tlshd/trust.c ../../tlshd/crl.c
config_CFLAGS := -D_GNU_SOURCE
config_LIBS := -lcrypto
bin/test_config: ../../tlshd/config.h ../../tlshd/identity.h \
		 ../../tlshd/trust.h $(wildcard configs/*.conf configs/*/*.conf)
