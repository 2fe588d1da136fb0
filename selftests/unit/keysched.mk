# SPDX-License-Identifier: GPL-2.0
SUITES += keysched
keysched_SRCS := ../../tlshd/keysched.c
keysched_LIBS := -lcrypto
