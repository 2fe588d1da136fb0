#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tlstund's connections: idle connections to its listener cannot keep the
# peer out, and traffic with no SA does not make it dial faster than its
# reconnect backoff allows.
#
#   +--------- $ns_a ----------+             +--------- $ns_b ----------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a    tcp 7081|=== TLS ====|tcp 7081    tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#
# Cases: a, which only listens, holds twenty connections from b's address
# that never start a handshake, and b's daemon still gets its session
# within a few seconds, with a handful of log lines about the others; a,
# dialing a b that is not there, sees pings without an SA (the kernel's
# ACQUIRE) and still waits out its reconnect backoff.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/daemon/tlstund.sh"

require_cmd ip ping ss tlstun tlstund

trap td_cleanup EXIT

# Twenty idle TCP connections from b's address fill what a keeps for
# connections still in their handshake, which a lets sit 10 s each; b's
# daemon, started next, is up within 6 s all the same, and a logged at
# most two lines about the connections it refused or closed.
case_idle_flood() {
	local flood

	td_pin_conf a && sed -i '/^endpoint = /d' "$TEST_TMP/a.conf" ||
		fail "cannot write a.conf" || return
	td_start a
	wait_for_listen "$ns_a" tcp 7081 || fail "a does not listen" || return
	# The connections stay open while read(1) waits on a FIFO that
	# nobody writes, whatever a does with each of them.
	mkfifo "$TEST_TMP/flood.fifo" || fail "cannot make a FIFO" || return
	bg ip netns exec "$ns_b" bash -c '
		for ((i = 0; i < 20; i++)); do
			exec {fd}<>/dev/tcp/'"${TD_ADDR[a]}"'/7081 || exit 1
		done
		read -r -t 60 <>"$1"' flood "$TEST_TMP/flood.fifo"
	flood=$BG_PID
	wait_for "$WAIT_TIMEOUT" td_accepted a ||
		fail "a does not accept the flood" || return
	proc_gone "$flood" && fail "the flood could not connect" && return

	td_start b
	wait_for 6 td_has_at_least b "tunnel up with" 1 ||
		fail "b is not up 6 s after it started: $(tail -n 3 "${TD_LOG[b]}")"
	td_count a "too many|unauthenticated"
	ktap_print_msg "a logged $TD_N lines about the flood"
	[ "$TD_N" -le 2 ] ||
		fail "a logged $TD_N lines about the flood: $(grep -m 3 -E "too many|unauthenticated" "${TD_LOG[a]}")"
	kill "$flood" 2>/dev/null
	return 0
}

# dials: a's dial attempts at b so far.
dials() {
	td_count a "debug: dialing ${TD_ADDR[b]//./\\.}:7081$"
}

# a dials a b that is not there, with a reconnect backoff of at least
# 10 s; a ping through a's tt0, which has no SA, makes the kernel report
# ACQUIRE every second, and a still does not dial again within the 3 s of
# the ping.
case_acquire_backoff() {
	local node

	for node in a b; do
		[ -z "${TD_PID[$node]}" ] || td_stop "$node" INT ||
			fail "$node's tlstund did not stop" || return
	done
	td_no_sas a || fail "a has SAs left: $(td_sas a)" || return
	td_pin_conf a "reconnect-min = 20s"$'\n'"reconnect-max = 40s" ||
		fail "cannot write a.conf" || return
	sed -i '/^reconnect-max = 2s$/d; /^reconnect-min = 1s$/d' \
		"$TEST_TMP/a.conf" || fail "cannot write a.conf" || return
	td_start a
	td_wait_log a "peer ${TD_ADDR[b]}:7081: connect: " ||
		fail "a's first dial does not fail: $(tail -n 3 "${TD_LOG[a]}")" ||
		return
	ip netns exec "$ns_a" sysctl -qw net.ipv6.conf.tt0.disable_ipv6=1 &&
	ip -n "$ns_a" addr replace "${TD_INNER[a]}/24" dev tt0 &&
	ip -n "$ns_a" link set tt0 up || fail "cannot address tt0" || return
	td_ping a -q -c 30 -i 0.1 -W 1 >/dev/null
	td_count a "kernel has traffic but no usable tx SA"
	ktap_print_msg "a saw $TD_N ACQUIRE events"
	[ "$TD_N" -ge 2 ] || fail "the kernel reported $TD_N ACQUIREs"
	dials
	[ "$TD_N" = 1 ] ||
		fail "a dialed $TD_N times within its backoff: $(grep -E "dialing" "${TD_LOG[a]}" | tr '\n' ' ')"
}

ktap_print_header
ktap_set_plan 2
td_setup_pin
run_case "idle connections to the listener do not keep the peer out" \
	case_idle_flood
run_case "ACQUIRE without a session waits out the reconnect backoff" \
	case_acquire_backoff
ktap_finished
