# SPDX-License-Identifier: GPL-2.0
SUITES += geneve
geneve_SRCS := ../../kmod/geneve.c
