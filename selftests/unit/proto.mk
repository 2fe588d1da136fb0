# SPDX-License-Identifier: GPL-2.0
SUITES += proto
proto_SRCS := ../../tlshd/proto.c ../../tlshd/negotiate.c
