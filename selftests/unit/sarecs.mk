# SPDX-License-Identifier: GPL-2.0
SUITES += sarecs
sarecs_SRCS := ../../tlshd/sarecs.c
