# SPDX-License-Identifier: GPL-2.0
SUITES += wire_vector
wire_vector_SRCS := ../../kmod/geneve.c
wire_vector_LIBS := -lcrypto
