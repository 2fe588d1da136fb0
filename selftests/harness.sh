#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Proves the test harness itself on plain kernel devices, so a failure in
# the tlstun tests is not a broken VM, netns, iperf3 or tcpdump setup:
#
#  +------------ $ns1 ------------+        +------------ $ns2 ------------+
#  |                              |        |                              |
#  |  veth1  10.0.1.1/24          |--------|  veth2  10.0.1.2/24          |
#  |         fd00:1::1/64         |  veth  |         fd00:1::2/64         |
#  |    |                         |        |    |                         |
#  |  gnv1   10.0.2.1/24          |        |  gnv2   10.0.2.2/24          |
#  |  (geneve vni 42, remote      |  UDP   |  (geneve vni 42, remote      |
#  |   10.0.1.2, port 6081)       |==6081==|   10.0.1.1, port 6081)       |
#  +------------------------------+        +------------------------------+
#
# Cases: ping over the veth (IPv4, IPv6), tcpdump on veth2 sees exactly the
# pings' ICMP packets, an iperf3 TCP transfer moves the requested bytes,
# ping over the Geneve devices and tcpdump sees them as UDP 6081 on the
# underlay.

source "$(dirname "$0")/lib.sh"

require_cmd ip ping tcpdump iperf3 ss

PINGS=3
IPERF_BYTES=$((4 * 1024 * 1024))

cleanup() {
	cleanup_all
}
trap cleanup EXIT

setup() {
	setup_ns ns1 ns2
	add_veth "$ns1" veth1 "$ns2" veth2 ||
		bail "cannot create the veth pair"
	ip -n "$ns1" addr add 10.0.1.1/24 dev veth1 &&
	ip -n "$ns2" addr add 10.0.1.2/24 dev veth2 &&
	ip -n "$ns1" addr add fd00:1::1/64 dev veth1 nodad &&
	ip -n "$ns2" addr add fd00:1::2/64 dev veth2 nodad ||
		bail "cannot address the veth pair"
	wait_for_iface "$ns1" veth1 && wait_for_iface "$ns2" veth2 ||
		bail "veth pair has no carrier"
}

# IPv4 across the veth pair.
case_ping4() {
	in_ns "$ns1" ping -c 1 -W 5 10.0.1.2 >/dev/null ||
		fail "ns1 cannot ping 10.0.1.2 over veth"
}

# IPv6 across the veth pair.
case_ping6() {
	in_ns "$ns1" ping -6 -c 1 -W 5 fd00:1::2 >/dev/null ||
		fail "ns1 cannot ping fd00:1::2 over veth"
}

# tcpdump on veth2 sees every echo request and reply, and nothing else
# matches the filter.
case_tcpdump() {
	local pcap=$TEST_TMP/icmp.pcap n

	tcpdump_start "$ns2" veth2 "$pcap" icmp ||
		fail "tcpdump did not start listening on veth2" || return
	in_ns "$ns1" ping -c $PINGS -i 0.2 -W 5 10.0.1.2 >/dev/null ||
		fail "ping during capture failed"
	tcpdump_wait_count "$pcap" $((2 * PINGS)) icmp
	tcpdump_stop
	n=$(tcpdump_count "$pcap" icmp)
	[ "$n" -eq $((2 * PINGS)) ] ||
		fail "captured $n ICMP packets, expected $((2 * PINGS))"
}

# A TCP transfer of a fixed size completes across the veth pair: the
# client sent it all and the server received data.  (The server's count
# stops when the client's last write returns, so it may trail.)
case_iperf3() {
	local json=$TEST_TMP/iperf3.json sent rcvd

	iperf3_server "$ns2" 5201 ||
		fail "iperf3 server did not listen" || return
	iperf3_client "$ns1" 10.0.1.2 "$json" -p 5201 -n $IPERF_BYTES ||
		fail "iperf3 client failed: $(head -c 300 "$json")" || return
	sent=$(iperf3_bytes "$json" sum_sent) &&
	rcvd=$(iperf3_bytes "$json" sum_received) ||
		fail "no byte counts in the iperf3 report" || return
	ktap_print_msg "iperf3 sent $sent bytes, server received $rcvd"
	[ "$sent" -ge $IPERF_BYTES ] ||
		fail "iperf3 sent $sent bytes, asked for $IPERF_BYTES"
	[ "$rcvd" -gt 0 ] ||
		fail "iperf3 server received nothing"
}

# Plain kernel Geneve over the veth pair carries a ping, and the underlay
# sees it as UDP to port 6081.
case_geneve() {
	local pcap=$TEST_TMP/geneve.pcap n

	ip -n "$ns1" link add gnv1 type geneve id 42 remote 10.0.1.2 &&
	ip -n "$ns2" link add gnv2 type geneve id 42 remote 10.0.1.1 ||
		fail "cannot create geneve devices" || return
	ip -n "$ns1" addr add 10.0.2.1/24 dev gnv1 &&
	ip -n "$ns2" addr add 10.0.2.2/24 dev gnv2 &&
	ip -n "$ns1" link set gnv1 up &&
	ip -n "$ns2" link set gnv2 up ||
		fail "cannot configure geneve devices" || return

	tcpdump_start "$ns2" veth2 "$pcap" udp port 6081 ||
		fail "tcpdump did not start listening on veth2" || return
	in_ns "$ns1" ping -c $PINGS -i 0.2 -W 5 10.0.2.2 >/dev/null ||
		fail "ns1 cannot ping 10.0.2.2 over geneve"
	# Each echo and reply, plus the ARP exchange before the first.
	tcpdump_wait_count "$pcap" $((2 * PINGS)) udp port 6081
	tcpdump_stop
	n=$(tcpdump_count "$pcap" udp port 6081)

	[ "$n" -ge $((2 * PINGS)) ] ||
		fail "captured $n Geneve packets on the underlay, expected at least $((2 * PINGS))"
}

ktap_print_header
ktap_set_plan 5
setup
run_case "ping IPv4 over veth" case_ping4
run_case "ping IPv6 over veth" case_ping6
run_case "tcpdump sees the ICMP packets" case_tcpdump
run_case "iperf3 TCP over veth" case_iperf3
run_case "ping over kernel geneve" case_geneve
ktap_finished
