#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# daemon_ops.sh again, every configuration saying "transport = quic": the same
# cases over QUIC on UDP 7081 instead of TLS over TCP 7081.
TD_TRANSPORT=quic exec "$(dirname "$0")/daemon_ops.sh"
