#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The receiver opens only what its SA's key sealed, each counter once, and
# nothing older than the replay window; reordering inside the window is
# fine:
#
#  +-------- $ns1 --------+              +-------- $ns2 --------+
#  | veth1 10.0.1.1/24    |-- veth ----->| veth2 10.0.1.2/24    |
#  |  (netem reorder in   |              |  (tc ingress drop in |
#  |   case "reorder")    |              |   case "too old")    |
#  | tt0   10.0.2.1/24    |== UDP 6081 =>| tt0   10.0.2.2/24    |
#  |  tx 0x1001, 0x1002   |              |  rx 0x1001 (wrong    |
#  |                      |              |  key), 0x1002 (window|
#  |                      |              |  64)                 |
#  +----------------------+              +----------------------+
#
# tlstun_pair makes the neighbours on tt0 static, so the tunnel carries
# only what a case sends and the receiver's counters move only because of
# it.  Counters are read with tlstun -s -j; packets are replayed from a
# capture of the underlay as plain UDP datagrams to ns2's port 6081
# (ttpkt send-udp).

source "$(dirname "$0")/lib.sh"

TTPKT=$LIB_DIR/tools/ttpkt
WINDOW=64

require_cmd ip ping tcpdump tc tlstun
[ -x "$TTPKT" ] || bail "$TTPKT is not built: make -C selftests/tools"

cleanup() {
	cleanup_all
}
trap cleanup EXIT

setup() {
	tlstun_pair
}

# rx NAME: a counter of ns2's tt0; sa_rx SPI NAME: one of its rx SA's.
rx() {
	tlstun_stat "$ns2" tt0 "$1"
}

sa_rx() {
	tlstun_sa_stat "$ns2" tt0 rx "$1" "$2"
}

# replay_pkt PCAP N: send the Nth captured datagram again, from ns1.
replay_pkt() {
	local payload

	payload=$("$TTPKT" udp "$1" "$2") &&
	in_ns "$ns1" "$TTPKT" send-udp 10.0.1.2 6081 "$payload"
}

counter_is() {
	[ "$("$@" 2>/dev/null)" = "$COUNTER_WANT" ]
}

# wait_counter WANT CMD...: until CMD prints WANT (a counter that a sent
# packet moves, once the receiver has handled it).
wait_counter() {
	COUNTER_WANT=$1
	shift
	wait_for "$WAIT_TIMEOUT" counter_is "$@"
}

# ns2's rx SA 0x1001 gets another key than ns1's tx SA 0x1001: ping fails,
# every packet ns1 seals is an auth failure at ns2 (device and SA), none
# is delivered.  Then a new SA pair 0x1002 (window 64) with one key on
# both sides brings the traffic back.
case_wrong_key() {
	local sent0 fail0 safail0 rx0 sent safails

	in_ns "$ns2" tlstun sa del dev tt0 dir rx spi 0x1001 &&
	in_ns "$ns2" tlstun sa add dev tt0 dir rx spi 0x1001 \
		suite aes-gcm-128 key "$(tlstun_key 16)" ||
		fail "cannot install the wrong rx key" || return
	sent0=$(tlstun_sa_stat "$ns1" tt0 tx 0x1001 packets) &&
	fail0=$(rx rx_auth_fail) && safail0=$(sa_rx 0x1001 auth_fail) &&
	rx0=$(rx rx_packets) || fail "cannot read the counters" || return

	in_ns "$ns1" ping -q -c 3 -i 0.2 -W 1 10.0.2.2 >/dev/null &&
		fail "ping crossed a tunnel whose keys differ"
	sent=$(($(tlstun_sa_stat "$ns1" tt0 tx 0x1001 packets) - sent0))
	wait_counter $((fail0 + sent)) rx rx_auth_fail ||
		fail "ns1 sealed $sent packets, ns2's auth failures rose by $(($(rx rx_auth_fail) - fail0))"
	safails=$(($(sa_rx 0x1001 auth_fail) - safail0))
	ktap_print_msg "ns1 sealed $sent packets, ns2 SA 0x1001 auth_fail +$safails"
	[ "$sent" -ge 3 ] || fail "ns1 sealed $sent packets for 3 pings"
	[ "$safails" -eq "$sent" ] ||
		fail "the SA counted $safails auth failures for $sent packets"
	[ "$(rx rx_packets)" -eq "$rx0" ] ||
		fail "ns2 delivered packets it could not authenticate"

	tlstun_sa_pair "$ns1" "$ns2" tt0 0x1002 aes-gcm-128 \
		replay-window $WINDOW &&
	in_ns "$ns2" tlstun sa del dev tt0 dir rx spi 0x1001 ||
		fail "cannot install SA pair 0x1002" || return
	in_ns "$ns1" ping -q -c 2 -i 0.2 -W 5 10.0.2.2 >/dev/null ||
		fail "ping fails with matching keys"
}

# An echo request captured on the way in and sent again as a plain UDP
# datagram to the same port: the replay check drops it (device and SA
# replay +1), nothing is delivered.
case_replay() {
	local pcap=$TEST_TMP/replay.pcap rx0 rp0 sarp0

	tcpdump_start "$ns2" veth2 "$pcap" -Q in udp dst port 6081 ||
		fail "tcpdump did not start on veth2" || return
	in_ns "$ns1" ping -q -c 1 -W 5 10.0.2.2 >/dev/null || fail "ping failed"
	tcpdump_wait_count "$pcap" 1
	tcpdump_stop
	rx0=$(rx rx_packets) && rp0=$(rx rx_replay) &&
	sarp0=$(sa_rx 0x1002 replay) || fail "cannot read the counters" || return

	replay_pkt "$pcap" 1 || fail "cannot send the captured packet again" || return
	wait_counter $((rp0 + 1)) rx rx_replay ||
		fail "rx_replay went from $rp0 to $(rx rx_replay), expected +1"
	[ "$(sa_rx 0x1002 replay)" -eq $((sarp0 + 1)) ] ||
		fail "SA 0x1002 replay went from $sarp0 to $(sa_rx 0x1002 replay)"
	[ "$(rx rx_packets)" -eq "$rx0" ] ||
		fail "the replayed packet was delivered"
}

# netem holds most packets 10 ms and lets some overtake them: 100 pings
# 2 ms apart arrive out of order (counted from a capture of the underlay
# at ns2), every one is answered and nothing is counted as a replay.
case_reorder() {
	local pcap=$TEST_TMP/reorder.pcap out=$TEST_TMP/reorder.txt summary
	local rp0 late

	rp0=$(rx rx_replay) || fail "cannot read rx_replay" || return
	in_ns "$ns1" tc qdisc add dev veth1 root netem delay 10ms reorder 50% ||
		fail "cannot add netem to veth1" || return
	tcpdump_start "$ns2" veth2 "$pcap" -Q in udp dst port 6081 ||
		fail "tcpdump did not start on veth2" || return
	in_ns "$ns1" ping -c 100 -l 16 -i 0.002 -W 5 10.0.2.2 >"$out" 2>&1
	tcpdump_wait_count "$pcap" 100
	tcpdump_stop
	in_ns "$ns1" tc qdisc del dev veth1 root

	grep -q "100 packets transmitted, 100 received" "$out" ||
		fail "pings lost under reordering: $(grep transmitted "$out")"
	summary=$("$TTPKT" check -o any -s 0x1002 "$pcap" 2>&1) ||
		fail "underlay capture: $summary" || return
	ktap_print_msg "$summary"
	late=$(echo "$summary" | sed -n 's/.* out-of-order \([0-9]*\)$/\1/p')
	[ "${late:-0}" -gt 0 ] || fail "netem reordered nothing; the case shows nothing"
	[ "$(rx rx_replay)" -eq "$rp0" ] ||
		fail "reordered packets were counted as replays: rx_replay $rp0 -> $(rx rx_replay)"
}

# Two packets are captured on veth2 and dropped by tc before tlstun sees
# them, so their counters c and c + 1 were never accepted.  After a few
# more packets, c + 1 is below the newest but inside the window: accepted.
# After more than the window, c is older than the window: dropped as a
# replay, though it never arrived before.
case_too_old() {
	local pcap=$TEST_TMP/old.pcap rx0 rp0 c top

	in_ns "$ns2" tc qdisc add dev veth2 ingress &&
	in_ns "$ns2" tc filter add dev veth2 parent ffff: protocol ip \
		u32 match ip dport 6081 0xffff action drop ||
		fail "cannot add the tc drop on veth2" || return
	tcpdump_start "$ns2" veth2 "$pcap" -Q in udp dst port 6081 ||
		fail "tcpdump did not start on veth2" || return
	rx0=$(rx rx_packets)
	in_ns "$ns1" ping -q -c 2 -i 0.2 -W 1 10.0.2.2 >/dev/null &&
		fail "ping crossed the tc drop"
	tcpdump_wait_count "$pcap" 2
	tcpdump_stop
	in_ns "$ns2" tc qdisc del dev veth2 ingress ||
		fail "cannot remove the tc drop" || return
	[ "$(rx rx_packets)" -eq "$rx0" ] ||
		fail "packets went past the tc drop" || return
	c=$("$TTPKT" dump "$pcap" | awk '$1 == "geneve" { print $4; exit }')
	[ -n "$c" ] || fail "no tlstun packet in the capture" || return

	in_ns "$ns1" ping -q -c 3 -i 0.05 -W 5 10.0.2.2 >/dev/null ||
		fail "ping fails after the tc drop"
	rx0=$(rx rx_packets) && rp0=$(rx rx_replay)
	replay_pkt "$pcap" 2 || fail "cannot send packet 2" || return
	wait_counter $((rx0 + 1)) rx rx_packets ||
		fail "counter $((c + 1)), never seen and inside the window, was not accepted"
	[ "$(rx rx_replay)" -eq "$rp0" ] || fail "counter $((c + 1)) counted as a replay"

	in_ns "$ns1" ping -q -c $((WINDOW + 8)) -i 0.002 -W 5 10.0.2.2 >/dev/null ||
		fail "ping fails"
	top=$(($(tlstun_sa_stat "$ns1" tt0 tx 0x1002 packets) - 1))
	ktap_print_msg "counter $c replayed with $top the newest, window $WINDOW"
	[ $((top - c)) -ge $WINDOW ] ||
		fail "the newest counter $top is not a window past $c" || return
	rx0=$(rx rx_packets) && rp0=$(rx rx_replay)
	replay_pkt "$pcap" 1 || fail "cannot send packet 1" || return
	wait_counter $((rp0 + 1)) rx rx_replay ||
		fail "counter $c, older than the window, was not dropped as a replay"
	[ "$(rx rx_packets)" -eq "$rx0" ] ||
		fail "counter $c, older than the window, was delivered"
}

ktap_print_header
ktap_set_plan 4
setup
run_case "wrong key: nothing opens" case_wrong_key
run_case "replayed packet dropped" case_replay
run_case "reordering inside the window accepted" case_reorder
run_case "counter older than the window dropped" case_too_old
ktap_finished
