#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tlstun datapath between two hosts, with SAs installed by hand:
#
#  +------------- $ns1 --------------+     +------------- $ns2 --------------+
#  | veth1 10.0.1.1/24 fd00:1::1/64  |-----| veth2 10.0.1.2/24 fd00:1::2/64  |
#  | tt0 10.0.2.1/24 tx 1001 rx 2001 |=====| tt0 10.0.2.2/24 tx 2001 rx 1001 |
#  |   (remote 10.0.1.2)             |     |   (remote 10.0.1.1)             |
#  | tt6 10.0.3.1/24 tx 1006 rx 2006 |=====| tt6 10.0.3.2/24 tx 2006 rx 1006 |
#  |   (remote fd00:1::2)            |     |   (remote fd00:1::1)            |
#  | br0: ttb tx 1004 rx 2004, vb1   |=====| ttb 10.0.4.2/24 tx 2004 rx 1004 |
#  +--------------------|------------+     +---------------------------------+
#                       | vb1 -- vb3         SPIs in hex; br0, ttb, $ns3 and
#  +-- $ns3 -------------------------+       $ns4 are made by the cases that
#  | vb3 10.0.4.3/24 (behind br0)    |       use them
#  +---------------------------------+
#  +-- $ns4 -------------------------+
#  | tt0 of $ns2, moved here         |
#  +---------------------------------+
#
# Cases: ping and iperf3 across the tunnel; big and small datagrams
# mixed arrive in order; the underlay never shows a
# plaintext marker the inner capture does show; every outer packet is
# strict tlstun Geneve (Ver 0, Opt Len 4, C, 0x6558, VNI, option
# 0xfff7/0x81/3, the installed tx SPI, counters rising per SPI, UDP length
# 24 + inner + 16); the same over an IPv6 underlay; device MTUs 1418/1398
# and what happens to a packet that does not fit (device MTU, narrower
# underlay routed and bridged); a device moved to another netns keeps
# working through the socket of the netns that created it; tt0 claims no
# receive checksum offload.

source "$(dirname "$0")/lib.sh"

TTPKT=$LIB_DIR/tools/ttpkt
MARKER=TLSTUN-MARKER-42		# 16 bytes: one ping -p pattern
MARKER_HEX=$(printf %s "$MARKER" | od -An -tx1 | tr -d ' \n')
IPERF_BYTES=$((4 * 1024 * 1024))

require_cmd ip ping tcpdump iperf3 ss ethtool tlstun
[ -x "$TTPKT" ] || bail "$TTPKT is not built: make -C selftests/tools"

cleanup() {
	cleanup_all
}
trap cleanup EXIT

setup() {
	tlstun_pair
	tlstun_dev "$ns1" tt6 10.0.3.1/24 remote fd00:1::2 &&
	tlstun_dev "$ns2" tt6 10.0.3.2/24 remote fd00:1::1 &&
	tlstun_sa_pair "$ns1" "$ns2" tt6 0x1006 &&
	tlstun_sa_pair "$ns2" "$ns1" tt6 0x2006 &&
	ip -n "$ns1" link set tt6 up && ip -n "$ns2" link set tt6 up ||
		bail "cannot set up tt6 over the IPv6 underlay"
}

# ping_ok NS DST [PING ARGS...]: two pings from NS to DST are answered.
ping_ok() {
	local ns=$1 dst=$2
	shift 2
	in_ns "$ns" ping -q -c 2 -i 0.2 -W 5 "$@" "$dst" >/dev/null
}

# spi_of NS DEV: the tx SPI the kernel reports for DEV, as 0x%08x.
spi_of() {
	local spi

	spi=$(ip netns exec "$1" tlstun -j link show "$2" | json_num tx_spi) &&
	printf '0x%08x' "$spi"
}

# The inner frame lengths of a capture on a tlstun device, one a line.
inner_lengths() {
	"$TTPKT" dump "$1" | awk '$1 == "frame" { print $2 }'
}

# The sealed frame lengths of SPI's packets in an outer capture.
sealed_lengths() {
	"$TTPKT" dump "$1" | awk -v spi="$2" '$1 == "geneve" && $3 == spi { print $5 }'
}

# Both directions of IPv4 across tt0.
case_ping() {
	ping_ok "$ns1" 10.0.2.2 || fail "ns1 cannot ping 10.0.2.2 through tt0"
	ping_ok "$ns2" 10.0.2.1 || fail "ns2 cannot ping 10.0.2.1 through tt0"
}

# A TCP stream across tt0 moves megabytes, and they went through the
# tunnel: its tx byte counter rose by at least what the server read.  A
# header-only capture of the underlay meanwhile holds only strict tlstun
# packets with the installed SPIs and no (SPI, counter) twice.
case_iperf3() {
	local json=$TEST_TMP/iperf3.json pcap=$TEST_TMP/iperf3.pcap
	local sent rcvd tx0 tx1 summary

	tx0=$(tlstun_stat "$ns1" tt0 tx_bytes) || fail "no tx_bytes for tt0" || return
	tcpdump_start "$ns1" veth1 "$pcap" -s 128 udp port 6081 ||
		fail "tcpdump did not start on veth1" || return
	iperf3_server "$ns2" 5201 || fail "iperf3 server did not listen" || return
	iperf3_client "$ns1" 10.0.2.2 "$json" -p 5201 -n $IPERF_BYTES ||
		fail "iperf3 client failed: $(head -c 300 "$json")" || return
	tcpdump_stop
	sent=$(iperf3_bytes "$json" sum_sent) &&
	rcvd=$(iperf3_bytes "$json" sum_received) ||
		fail "no byte counts in the iperf3 report" || return
	tx1=$(tlstun_stat "$ns1" tt0 tx_bytes)
	ktap_print_msg "iperf3 sent $sent bytes, received $rcvd; tt0 tx_bytes +$((tx1 - tx0))"
	# iperf3 counts what the client wrote to its socket and what the
	# server read before the client's end-of-test message, which travels
	# on another connection: the tail of the stream can still be in
	# flight when the server stops reading. Everything it read crossed
	# tt0, and a quarter of the stream at least must have.
	[ "$sent" -ge $IPERF_BYTES ] || fail "iperf3 sent $sent bytes, asked for $IPERF_BYTES"
	[ "$rcvd" -ge $((IPERF_BYTES / 4)) ] ||
		fail "the iperf3 server received only $rcvd bytes of $sent"
	[ $((tx1 - tx0)) -ge "$rcvd" ] ||
		fail "tt0 sent $((tx1 - tx0)) bytes, the iperf3 server read $rcvd"
	summary=$("$TTPKT" check -o unique -v 1 -s 0x1001 -s 0x2001 "$pcap" 2>&1) ||
		fail "underlay capture during iperf3: $summary"
	ktap_print_msg "${summary//$'\n'/; }"
	echo "$summary" | grep -q '^spi 0x00001001 packets' ||
		fail "no packet under SPI 0x1001 in the underlay capture"
}

# Big frames are opened on another CPU, small ones inline unless earlier
# frames of the device still wait: a stream that mixes them (one of 1200
# bytes, three of 64, in bursts) arrives whole and in the order sent.
case_order() {
	local n=2000 out q0 q1

	q0=$(tlstun_stat "$ns2" tt0 rx_queue_full) || fail "no rx_queue_full" || return
	out=$(seq_cross "$ns1" "$ns2" 10.0.2.2 9999 $n) || fail "$out" || return
	q1=$(tlstun_stat "$ns2" tt0 rx_queue_full)
	ktap_print_msg "$out; rx_queue_full +$((q1 - q0))"
	[ "$out" = "received $n out-of-order 0" ] ||
		fail "sent $n datagrams in order, got: $out (rx_queue_full +$((q1 - q0)))"
}

# A ping whose payload repeats MARKER: the capture on tt0 sees it, the
# capture of the same packets on the underlay does not.  The captures are
# kept for case_geneve.
case_plaintext() {
	local outer=$TEST_TMP/outer.pcap inner=$TEST_TMP/inner.pcap p_outer n

	tcpdump_start "$ns1" veth1 "$outer" udp port 6081 ||
		fail "tcpdump did not start on veth1" || return
	p_outer=$TCPDUMP_PID
	tcpdump_start "$ns1" tt0 "$inner" -Q out ||
		fail "tcpdump did not start on tt0" || return
	in_ns "$ns1" ping -q -c 3 -i 0.2 -W 5 -s 100 -p "$MARKER_HEX" \
		10.0.2.2 >/dev/null || fail "ping with the marker failed"
	tcpdump_wait_count "$inner" 3
	tcpdump_stop
	tcpdump_wait_count "$outer" 6
	TCPDUMP_PID=$p_outer tcpdump_stop

	n=$(grep -c -a -F "$MARKER" "$inner")
	[ "$n" -gt 0 ] || fail "the capture on tt0 does not show the marker"
	n=$(tcpdump_count "$outer")
	[ "$n" -ge 6 ] || fail "the underlay capture holds $n packets, expected 6"
	n=$(grep -c -a -F "$MARKER" "$outer")
	[ "$n" -eq 0 ] || fail "the marker is in clear on the underlay ($n hits)"
}

# The outer packets of case_plaintext, field by field (ttpkt check), under
# the SPI the kernel says is tt0's tx SA, and each one's sealed frame as
# long as the frame tt0 sent: UDP length = 8 + 24 + inner + 16.
case_geneve() {
	local outer=$TEST_TMP/outer.pcap inner=$TEST_TMP/inner.pcap
	local spi12 spi21 summary sealed frames

	[ -s "$outer" ] && [ -s "$inner" ] ||
		fail "no captures from the plaintext case" || return
	spi12=$(spi_of "$ns1" tt0) && spi21=$(spi_of "$ns2" tt0) ||
		fail "tlstun link show has no tx_spi" || return
	[ "$spi12" = 0x00001001 ] && [ "$spi21" = 0x00002001 ] ||
		fail "tx SPIs are $spi12 and $spi21, installed 0x1001 and 0x2001"
	summary=$("$TTPKT" check -v 1 -s "$spi12" -s "$spi21" "$outer" 2>&1) ||
		fail "underlay capture: $summary" || return
	ktap_print_msg "${summary//$'\n'/; }"
	echo "$summary" | grep -q "^spi $spi12 packets 3 " ||
		fail "expected 3 packets under $spi12 (the echo requests)"
	echo "$summary" | grep -q "^spi $spi21 packets 3 " ||
		fail "expected 3 packets under $spi21 (the echo replies)"
	sealed=$(sealed_lengths "$outer" "$spi12" | xargs)
	frames=$(inner_lengths "$inner" | xargs)
	[ -n "$frames" ] && [ "$sealed" = "$frames" ] ||
		fail "sealed frame lengths ($sealed) are not those tt0 sent ($frames)"
}

# tt6 has an IPv6 remote: ping and TCP across it, and its underlay
# packets are IPv6 UDP with strict tlstun Geneve under tt6's SPIs.
case_ipv6_underlay() {
	local pcap=$TEST_TMP/outer6.pcap json=$TEST_TMP/iperf3-6.json summary

	tcpdump_start "$ns1" veth1 "$pcap" ip6 and udp port 6081 ||
		fail "tcpdump did not start on veth1" || return
	ping_ok "$ns1" 10.0.3.2 || fail "ns1 cannot ping 10.0.3.2 through tt6"
	tcpdump_wait_count "$pcap" 4
	tcpdump_stop
	summary=$("$TTPKT" check -v 1 -s 0x1006 -s 0x2006 "$pcap" 2>&1) ||
		fail "IPv6 underlay capture: $summary" || return
	ktap_print_msg "${summary//$'\n'/; }"
	echo "$summary" | grep -q '^spi 0x00001006 packets [2-9]' ||
		fail "no echo requests under SPI 0x1006 on the IPv6 underlay"

	iperf3_server "$ns2" 5202 || fail "iperf3 server did not listen" || return
	iperf3_client "$ns1" 10.0.3.2 "$json" -p 5202 -n $((IPERF_BYTES / 4)) ||
		fail "iperf3 over tt6 failed: $(head -c 300 "$json")"
}

mtu_of() {
	ip -n "$1" -j link show dev "$2" | json_num mtu
}

# too_big NS DST SIZE: ping -M do of SIZE bytes is refused locally (it
# exceeds the device MTU) instead of disappearing.
too_big() {
	local out

	out=$(in_ns "$1" ping -c 1 -W 1 -M do -s "$3" "$2" 2>&1) && return 1
	echo "$out" | grep -q "message too long"
}

# Device MTUs are the underlay's 1500 less the encapsulation; a packet of
# exactly the MTU crosses with DF set, one byte more never leaves:
# ping gets EMSGSIZE, the tunnel sends nothing for it.
case_mtu() {
	local m4 m6 tx0 tx1

	m4=$(mtu_of "$ns1" tt0) && m6=$(mtu_of "$ns1" tt6) ||
		fail "cannot read the MTUs" || return
	[ "$m4" -eq 1418 ] || fail "tt0 (IPv4 remote) has MTU $m4, expected 1418"
	[ "$m6" -eq 1398 ] || fail "tt6 (IPv6 remote) has MTU $m6, expected 1398"

	ping_ok "$ns1" 10.0.2.2 -M do -s $((m4 - 28)) ||
		fail "a $m4-byte packet with DF does not cross tt0"
	ping_ok "$ns1" 10.0.3.2 -M do -s $((m6 - 28)) ||
		fail "a $m6-byte packet with DF does not cross tt6"
	tx0=$(tlstun_stat "$ns1" tt0 tx_packets)
	too_big "$ns1" 10.0.2.2 $((m4 - 27)) ||
		fail "a $((m4 + 1))-byte packet with DF was not refused on tt0"
	too_big "$ns1" 10.0.3.2 $((m6 - 27)) ||
		fail "a $((m6 + 1))-byte packet with DF was not refused on tt6"
	tx1=$(tlstun_stat "$ns1" tt0 tx_packets)
	[ "$tx1" -eq "$tx0" ] || fail "tt0 sent $((tx1 - tx0)) packets for a refused one"
}

# ping_summary FILE: "transmitted received errors" of a ping's output.
ping_summary() {
	awk '$2 == "packets" && $3 == "transmitted," {
		err = 0
		for (i = 4; i <= NF; i++)
			if ($i ~ /^errors,?$/) err = substr($(i - 1), 2)
		print $1, $4, err
	}' "$1"
}

# The underlay narrows to 1400 bytes while tt0 keeps MTU 1418.  A full
# size packet with DF is never lost silently: with the outer DF clear (the
# default) it is delivered in outer fragments, and the tunnel lowers the
# inner route's path MTU to what fits (1400 - 82 = 1318), so the sender's
# next packets fail with EMSGSIZE.  Every ping is answered or reported.
case_pmtu_routed() {
	local out=$TEST_TMP/pmtu.txt tx rx err

	ip -n "$ns1" link set veth1 mtu 1400 && ip -n "$ns2" link set veth2 mtu 1400 ||
		fail "cannot lower the underlay MTU" || return
	in_ns "$ns1" ping -c 3 -i 0.2 -W 2 -M do -s 1390 10.0.2.2 >"$out" 2>&1
	read -r tx rx err <<<"$(ping_summary "$out")"
	ktap_print_msg "narrow underlay: $tx sent, $rx answered, ${err:-0} refused"
	[ "${tx:-0}" -eq 3 ] || fail "ping did not try 3 times: $(tail -n 3 "$out")"
	[ "${rx:-0}" -ge 1 ] || fail "the first oversized packet was not delivered"
	[ $((${rx:-0} + ${err:-0})) -eq 3 ] ||
		fail "$((3 - ${rx:-0} - ${err:-0})) pings vanished silently"
	in_ns "$ns1" ip route get 10.0.2.2 | grep -q "mtu 1318" ||
		fail "no path MTU 1318 on the inner route: $(in_ns "$ns1" ip route get 10.0.2.2 | xargs)"
	[ "$(tlstun_stat "$ns1" tt0 tx_error)" -eq 0 ] ||
		fail "tt0 counted tx errors"
}

# On a bridge there is no inner route to lower: a frame from another host
# too big for the narrowed underlay is answered with ICMP "fragmentation
# needed" naming the MTU that fits, and counted as tx_too_big.  Runs with
# the underlay still at 1400 from case_pmtu_routed.
case_pmtu_bridged() {
	local out=$TEST_TMP/bridged.txt n0 n1

	setup_ns ns3
	tlstun_dev "$ns2" ttb 10.0.4.2/24 remote 10.0.1.1 &&
	ip netns exec "$ns1" tlstun link add ttb remote 10.0.1.2 &&
	tlstun_sa_pair "$ns1" "$ns2" ttb 0x1004 &&
	tlstun_sa_pair "$ns2" "$ns1" ttb 0x2004 &&
	ip -n "$ns1" link add vb1 type veth peer name vb3 netns "$ns3" &&
	ip -n "$ns1" -b - <<-EOF &&
		link add br0 type bridge
		link set ttb master br0
		link set vb1 master br0
		link set ttb up
		link set vb1 up
		link set br0 up
	EOF
	ip -n "$ns3" -b - <<-EOF &&
		addr add 10.0.4.3/24 dev vb3
		link set vb3 up
	EOF
	ip -n "$ns2" link set ttb up ||
		fail "cannot set up the bridge" || return
	wait_for_iface "$ns1" br0 || fail "br0 has no carrier" || return
	ping_ok "$ns3" 10.0.4.2 || fail "ns3 cannot ping 10.0.4.2 across the bridge"

	n0=$(tlstun_stat "$ns1" ttb tx_too_big)
	in_ns "$ns3" ping -c 1 -W 1 -M do -s 1390 10.0.4.2 >"$out" 2>&1
	n1=$(tlstun_stat "$ns1" ttb tx_too_big)
	grep -q "Frag needed and DF set (mtu = 1318)" "$out" ||
		fail "no ICMP fragmentation needed reached ns3: $(tail -n 3 "$out" | xargs)"
	[ $((n1 - n0)) -eq 1 ] || fail "ttb tx_too_big rose by $((n1 - n0)), expected 1"
	in_ns "$ns3" ip route get 10.0.4.2 | grep -q "mtu 1318" ||
		fail "ns3 did not learn path MTU 1318"
	ping_ok "$ns3" 10.0.4.2 -s 1290 ||
		fail "a packet that fits the learnt MTU does not cross"
}

# ns2's tt0 moves to ns4: it keeps its SAs and, through the UDP socket that
# stays in ns2, carries traffic; ip -d link names ns2 as its link netns.
case_netns_move() {
	ip -n "$ns1" link set veth1 mtu 1500 && ip -n "$ns2" link set veth2 mtu 1500 ||
		fail "cannot restore the underlay MTU" || return
	setup_ns ns4
	ip -n "$ns2" link set tt0 netns "$ns4" ||
		fail "cannot move tt0 to another netns" || return
	in_ns "$ns4" sysctl -qw net.ipv6.conf.tt0.disable_ipv6=1 &&
	ip -n "$ns4" addr add 10.0.2.2/24 dev tt0 &&
	ip -n "$ns4" link set tt0 up ||
		fail "cannot configure the moved tt0" || return
	ping_ok "$ns1" 10.0.2.2 || fail "no traffic through the moved tt0"
	ping_ok "$ns4" 10.0.2.1 || fail "the moved tt0 cannot send"
	ip -n "$ns4" -d link show tt0 | grep -q "link-netns $ns2" ||
		fail "ip -d link does not name $ns2 as link netns: $(ip -n "$ns4" -d link show tt0 | xargs)"
	listening "$ns2" udp 6081 || fail "the UDP socket left $ns2"
	! listening "$ns4" udp 6081 || fail "a UDP socket on 6081 appeared in $ns4"
	[ "$(ip netns exec "$ns4" tlstun -j link show tt0 | json_num sa_count)" = 2 ] ||
		fail "the moved tt0 lost its SAs"
}

# tt0 delivers every frame with CHECKSUM_NONE (the stack checks), so it
# must not claim receive checksum offload, nor let it be switched on.
case_rx_csum() {
	local k

	k=$(in_ns "$ns1" ethtool -k tt0) || fail "ethtool -k tt0 failed" || return
	grep -qx 'rx-checksumming: off \[fixed\]' <<<"$k" ||
		fail "tt0 says $(grep '^rx-checksumming' <<<"$k")"
	! in_ns "$ns1" ethtool -K tt0 rx on 2>/dev/null ||
		[ "$(in_ns "$ns1" ethtool -k tt0 | grep '^rx-checksumming')" = \
		  "rx-checksumming: off [fixed]" ] ||
		fail "rx checksumming could be switched on"
}

ktap_print_header
ktap_set_plan 11
setup
run_case "ping through tt0" case_ping
run_case "iperf3 TCP through tt0" case_iperf3
run_case "mixed frame sizes arrive in order" case_order
run_case "no plaintext on the underlay" case_plaintext
run_case "outer packets are strict tlstun Geneve" case_geneve
run_case "IPv6 underlay" case_ipv6_underlay
run_case "device MTU 1418/1398" case_mtu
run_case "narrower underlay, routed" case_pmtu_routed
run_case "narrower underlay, bridged" case_pmtu_bridged
run_case "device moved to another netns" case_netns_move
run_case "receive checksums are left to the stack" case_rx_csum
ktap_finished
