# SPDX-License-Identifier: GPL-2.0
FUZZERS += proto
proto_SRCS := ../../tlshd/proto.c
