# SPDX-License-Identifier: GPL-2.0
FUZZERS += geneve
geneve_SRCS := ../../kmod/geneve.c ../../kmod/replay.c
