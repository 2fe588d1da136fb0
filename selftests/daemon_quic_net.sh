#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What QUIC adds over TCP: a lossy, reordering underlay, and a peer whose
# address changes under an authenticated connection.
#
#   +--------- $ns_a ----------+             +--------- $ns_b ----------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a    udp 7081|=== QUIC ===|            tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#
# Cases: with netem dropping 20 % of the packets and reordering a quarter
# of the rest, both ways, the QUIC handshake completes and the tunnel comes
# up and carries pings; a, which only listens, follows b to 10.0.1.3 when
# tc rewrites b's source address (a NAT rebinding): its QUIC connection
# validates the new path, the data plane's remote moves there, and pings
# still cross.

source "$(dirname "$0")/lib.sh"
TD_TRANSPORT=quic
source "$LIB_DIR/daemon/tlstund.sh"

require_cmd ip ping tc ethtool jq tlstun tlstund

trap td_cleanup EXIT

# netem on both ends of the veth.
lossy() {
	local ns dev

	for ns in "$ns_a:va" "$ns_b:vb"; do
		dev=${ns#*:}
		ip netns exec "${ns%%:*}" tc qdisc replace dev "$dev" root \
			netem loss 20% delay 5ms reorder 25% 50% || return
	done
}

case_lossy_handshake() {
	local n ns

	lossy || fail "cannot set up netem" || return
	td_start a
	td_start b
	td_wait_up || fail "the tunnel does not come up over a lossy underlay" ||
		return
	td_inner_up || fail "cannot set up tt0" || return
	# One in five of each ping and of each reply is lost: of 20, some
	# come back.
	n=$(td_ping b -c 20 -i 0.2 -W 2 -q | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	ktap_print_msg "$n of 20 pings came back over 20 % loss each way"
	[ "${n:-0}" -gt 0 ] || fail "no ping crossed the tunnel"
	td_stop a INT || fail "a's tlstund did not stop cleanly"
	td_stop b INT || fail "b's tlstund did not stop cleanly"
	for ns in "$ns_a:va" "$ns_b:vb"; do
		ip netns exec "${ns%%:*}" tc qdisc del dev "${ns#*:}" root
	done
}

# tt0's data-plane remote on a, from tlstun -j link show.
remote_of_a() {
	ip netns exec "$ns_a" tlstun -j link show tt0 | jq -r '.[0].remote // empty'
}

remote_is() {
	[ "$(remote_of_a)" = "$1" ]
}

# b's packets to a leave from 10.0.1.3, and a's to 10.0.1.3 reach b: what
# a NAT in front of b would do when it rebinds.
rebind_b() {
	local ns=$ns_b

	ip -n "$ns" addr add 10.0.1.3/24 dev vb &&
	ip netns exec "$ns" ethtool -K vb tx off >/dev/null &&
	tc -n "$ns" qdisc add dev vb clsact &&
	tc -n "$ns" filter add dev vb egress protocol ip flower \
		ip_proto udp src_ip 10.0.1.2 dst_ip 10.0.1.1 \
		action pedit ex munge ip src set 10.0.1.3 pipe \
		action csum ip4h udp &&
	tc -n "$ns" filter add dev vb ingress protocol ip flower \
		ip_proto udp dst_ip 10.0.1.3 \
		action pedit ex munge ip dst set 10.0.1.2 pipe \
		action csum ip4h udp
}

case_migration() {
	local n

	td_pin_conf a && sed -i '/^endpoint = /d' "$TEST_TMP/a.conf" ||
		fail "cannot write a.conf" || return
	td_start a
	td_start b
	td_wait_up || fail "the tunnel does not come up" || return
	td_inner_up || fail "cannot set up tt0" || return
	wait_for "$WAIT_TIMEOUT" remote_is 10.0.1.2 ||
		fail "a's remote is \"$(remote_of_a)\", not b's 10.0.1.2" || return
	td_ping b -c 1 -W 5 >/dev/null || fail "no ping before the move" || return

	rebind_b || fail "cannot rewrite b's address with tc" || return
	# b's keepalives and pings now come from 10.0.1.3.
	bg td_ping b -i 0.2 -W 1 -w 60
	td_wait_log a "peer moved to 10.0.1.3:.*the data plane follows" 1 ||
		fail "a did not follow b: $(grep -E "moved|path" "${TD_LOG[a]}" | tail -n 3)" ||
		return
	wait_for "$WAIT_TIMEOUT" remote_is 10.0.1.3 ||
		fail "a's remote is \"$(remote_of_a)\" after the move" || return
	n=$(td_ping b -c 5 -i 0.2 -W 2 -q | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "${n:-0}" = 5 ] || fail "only ${n:-0} of 5 pings crossed after the move"
	ktap_print_msg "a: $(grep -m1 "peer moved" "${TD_LOG[a]}")"
	kill_bg
}

td_topology || bail "cannot set up the namespaces"
td_identity a && td_identity b && td_pin_conf a && td_pin_conf b ||
	bail "cannot make the identities and configurations"

ktap_print_header
ktap_set_plan 2
run_case "quic: the handshake completes over 20 % loss and reordering" \
	case_lossy_handshake
run_case "quic: a NAT rebinding of the peer moves the data plane" \
	case_migration
ktap_finished
