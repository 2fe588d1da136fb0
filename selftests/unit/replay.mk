# SPDX-License-Identifier: GPL-2.0
SUITES += replay
replay_SRCS := ../../kmod/replay.c
