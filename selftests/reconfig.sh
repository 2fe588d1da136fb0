#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reconfiguring a device while it transmits: ns1's tt0 flips its remote
# between the IPv4 and the IPv6 address of ns2, hundreds of times, while
# iperf3 and a ping flood keep it sealing.  Every packet must leave with
# the outer header of one configuration, whole: an IPv4 packet from
# 10.0.1.1, an IPv6 packet from fd00:1::1, nothing else.  (The bug this
# catches routed a packet under one configuration and sent it under the
# next: an IPv6 header on an IPv4 route, a source address of stack bytes,
# neighbour lookups for addresses read out of the wrong header.)
#
#   +----------- $ns1 -----------+            +-------- $ns2 --------+
#   | veth1 10.0.1.1/24          |------------| veth2 10.0.1.2/24    |
#   |       fd00:1::1/64         |            |       fd00:1::2/64   |
#   | tt0   10.0.2.1/24          |==UDP 6081==| tt0   10.0.2.2/24    |
#   |   remote 10.0.1.2 <-> fd00:1::2 (flipped)| remote 10.0.1.1      |
#   +----------------------------+            +----------------------+
#
# ns2 receives on both its IPv4 and IPv6 socket (the SA is found by SPI),
# so traffic flows whichever remote ns1 has.  ns1's underlay neighbours
# are static: any ARP or neighbour solicitation for another address in
# the capture is a packet sent with a wrong header.  The second case does
# the same with IPv6 disabled in ns1, where every flip to IPv6 has no
# route.  The third flips the UDP port instead, so that ports are bound
# and closed while packets pass through them.
#
# A packet sent synchronously goes out whole under the configuration it
# was routed with.  One whose seal completes asynchronously is routed
# again, and dropped as tx_cfg_changed when the family changed meanwhile;
# the gcm(aes) of the test VM always completes synchronously, so that
# count is printed, not asserted.

source "$(dirname "$0")/lib.sh"

FLIPS=${FLIPS:-300}
FLIP_SECONDS=${FLIP_SECONDS:-30}

require_cmd ip ping tcpdump iperf3 ss tlstun

cleanup() {
	cleanup_all
}
trap cleanup EXIT

setup() {
	tlstun_pair
	ip -n "$ns1" -b - <<-EOF || bail "cannot set static underlay neighbours"
		neigh replace 10.0.1.2 dev veth1 lladdr $(mac_of "$ns2" veth2) nud permanent
		neigh replace fd00:1::2 dev veth1 lladdr $(mac_of "$ns2" veth2) nud permanent
	EOF
}

# mac_of NS DEV: DEV's MAC address.
mac_of() {
	ip -n "$1" link show dev "$2" | awk '$1 == "link/ether" { print $2 }'
}

# Outer packets ns1 sent that no single configuration would send: a
# version that does not match the EtherType, a source address not ns1's,
# an ARP whose target is not ns2 (ns1 answers ns2's requests; its own
# entry for 10.0.1.2 is static), a neighbour solicitation for a global
# address (fd00:1::2 is static too).
BAD_OUTER='(ip and (ip[0] & 0xf0 != 0x40 or not src host 10.0.1.1)) or
	(ip6 and (ip6[0] & 0xf0 != 0x60 or (udp and not src host fd00:1::1))) or
	(arp and arp[24:4] != 0x0a000102) or
	(icmp6 and ip6[40] == 135 and ip6[48:2] != 0xfe80)'

# flip N SECONDS A B: change ns1's tt0 with the "tlstun link set tt0"
# arguments A, then B, N times or for SECONDS, whichever ends first, one
# netlink request per change, as fast as they come; prints how many
# round trips were made.
flip() {
	in_ns "$ns1" bash -c '
		end=$((SECONDS + $2))
		for ((i = 0; i < $1 && SECONDS < end; i++)); do
			tlstun link set tt0 $3 && tlstun link set tt0 $4 || exit 1
		done
		echo "$i"' flip "$@"
}

# load: iperf3 and a ping flood from ns1 through tt0, in the background.
load() {
	local port=$1

	iperf3_server "$ns2" "$port" || return
	bg iperf3_client "$ns1" 10.0.2.2 "$TEST_TMP/iperf3-$port.json" \
		-p "$port" -t 600
	bg in_ns "$ns1" ping -q -f -s 1200 10.0.2.2 >/dev/null
}

# flip_under_load PCAP PORT [A B]: the flips (by default between the IPv6
# and the IPv4 remote) while the load runs; the capture of everything ns1
# sends on its underlay goes into PCAP.  Prints the counters the flips
# moved.
flip_under_load() {
	local pcap=$1 port=$2 tx0 tx1 cc0 cc1 nr0 nr1 bad flips
	local a=${3:-remote fd00:1::2 local fd00:1::1}
	local b=${4:-remote 10.0.1.2 local 10.0.1.1}

	tx0=$(tlstun_stat "$ns1" tt0 tx_packets) &&
	cc0=$(tlstun_stat "$ns1" tt0 tx_cfg_changed) &&
	nr0=$(tlstun_stat "$ns1" tt0 tx_no_route) ||
		fail "no tx counters for tt0" || return
	tcpdump_start "$ns1" veth1 "$pcap" -Q out -s 96 ||
		fail "tcpdump did not start on veth1" || return
	load "$port" || fail "cannot start the load" || return
	flips=$(flip "$FLIPS" "$FLIP_SECONDS" "$a" "$b") ||
		fail "a configuration change failed" || return
	# Everything in the background, the capture too: reading it
	# wants the CPUs to itself.
	kill_bg
	tx1=$(tlstun_stat "$ns1" tt0 tx_packets)
	cc1=$(tlstun_stat "$ns1" tt0 tx_cfg_changed)
	nr1=$(tlstun_stat "$ns1" tt0 tx_no_route)
	ktap_print_msg "$((2 * flips)) changes; tt0 tx_packets +$((tx1 - tx0)) tx_cfg_changed +$((cc1 - cc0)) tx_no_route +$((nr1 - nr0))"
	[ "$flips" -ge 20 ] || fail "only $flips flips in $FLIP_SECONDS s"
	[ $((tx1 - tx0)) -gt "$flips" ] ||
		fail "only $((tx1 - tx0)) packets were sealed during the flips"
	bad=$(tcpdump_count "$pcap" "$BAD_OUTER")
	[ "$bad" -eq 0 ] ||
		fail "$bad outer packets under no configuration: $(tcpdump -r "$pcap" -n -e "$BAD_OUTER" 2>/dev/null | head -n 3 | xargs)"
}

# IPv4 <-> IPv6 remote under load: every outer packet is well formed, and
# after the last flip (back to IPv4) the tunnel still works.
case_flip() {
	flip_under_load "$TEST_TMP/flip.pcap" 5201 || return
	in_ns "$ns1" ping -q -c 2 -i 0.2 -W 5 10.0.2.2 >/dev/null ||
		fail "no traffic through tt0 after the flips"
}

# The same with IPv6 disabled in ns1: a flip to the IPv6 remote finds no
# route, and packets sealed then are counted as tx_no_route, never sent
# with the other family's header.
case_flip_no_ipv6() {
	in_ns "$ns1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
	in_ns "$ns1" sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1 ||
		fail "cannot disable IPv6 in ns1" || return
	flip_under_load "$TEST_TMP/flip-no6.pcap" 5202 || return
	[ "$(tcpdump_count "$TEST_TMP/flip-no6.pcap" -c 1 ip6)" -eq 0 ] ||
		fail "IPv6 packets left ns1 with IPv6 disabled"
	in_ns "$ns1" ping -q -c 2 -i 0.2 -W 5 10.0.2.2 >/dev/null ||
		fail "no traffic through tt0 after the flips"
}

# Flips of the UDP port under load: each one binds a new port and closes
# the old one while packets are being sent through it and ns2's packets
# still arrive on it.  Nothing is sent wrong, and after the last flip
# (back to 6081) the tunnel works.  (IPv6 is still off in ns1 from the
# case before; the remote is IPv4.)
case_flip_port() {
	flip_under_load "$TEST_TMP/flip-port.pcap" 5203 "port 6082" "port 6081" ||
		return
	listening "$ns1" udp 6081 || fail "ns1 does not listen on 6081 any more"
	! listening "$ns1" udp 6082 || fail "ns1 still listens on 6082"
	in_ns "$ns1" ping -q -c 2 -i 0.2 -W 5 10.0.2.2 >/dev/null ||
		fail "no traffic through tt0 after the flips"
}

ktap_print_header
ktap_set_plan 3
setup
run_case "IPv4/IPv6 remote flips under load" case_flip
run_case "flips under load with IPv6 disabled" case_flip_no_ipv6
run_case "UDP port flips under load" case_flip_port
ktap_finished
