#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel sends and accepts exactly the worked examples of
# Documentation/wire-format.rst, byte for byte:
#
#  +------------- $ns1 (sender) -------------+   +------------ $ns2 (receiver) ------------+
#  | veth1  10.0.1.1/24                      |---| veth2  10.0.1.2/24                      |
#  | tt0  vni 0x000001  tx SA  0x00001234    |==>| tt0  vni 0x000001  rx SA  0x00001234    |
#  | tt1  vni 0xabcdef  tx SA  0x80000001    |==>| tt1  vni 0xabcdef  rx SA  0x80000001    |
#  |      (keys, VNIs, SPIs from the doc)    |   |      (installed for the receive cases)  |
#  +-----------------------------------------+   +-----------------------------------------+
#
# The devices have no address, ARP off and IPv6 off, so nothing but the
# frames a case injects (AF_PACKET, ttpkt send-eth) is ever sealed.  Send
# cases compare the UDP payload captured on veth2 with the example's
# udp_payload; receive cases send udp_payload to ns2's port 6081 as a plain
# UDP datagram and compare the frame captured on ns2's device with the
# example's plaintext.  Then: outer UDP source ports fall in the sender's
# ip_local_port_range; an inner datagram with a bad UDP checksum is dropped
# by the receiving stack, not delivered as verified.

source "$(dirname "$0")/lib.sh"

TTPKT=$LIB_DIR/tools/ttpkt
DOC=$TOP/Documentation/wire-format.rst

require_cmd ip tcpdump tlstun
[ -x "$TTPKT" ] || bail "$TTPKT is not built: make -C selftests/tools"
[ -r "$DOC" ] || bail "$DOC is missing"

cleanup() {
	cleanup_all
}
trap cleanup EXIT

# The "name: hex" lines of the worked examples, as DOC_FIELD[EXAMPLE.name]:
# what the document's awk line reads, read once.
declare -A DOC_FIELD
while read -r key val _; do
	case $key in
	example:) ex=$val ;;
	*:) [ -n "${ex:-}" ] && [[ $val =~ ^[0-9a-f]+$ ]] &&
		DOC_FIELD[$ex.${key%:}]=$val ;;
	esac
done <"$DOC"

# doc EXAMPLE FIELD: one value; fails when the document has none.
doc() {
	[ -n "${DOC_FIELD[$1.$2]:-}" ] && echo "${DOC_FIELD[$1.$2]}"
}

# quiet_dev NS DEV VNI REMOTE: a tlstun device that sends nothing by
# itself.
quiet_dev() {
	local ns=$1 dev=$2 vni=$3 remote=$4

	ip netns exec "$ns" tlstun link add "$dev" remote "$remote" vni "$vni" &&
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" &&
	ip -n "$ns" link set "$dev" arp off &&
	ip -n "$ns" link set "$dev" up
}

# doc_sa NS DEV DIR EXAMPLE: the example's SA on DEV.
doc_sa() {
	ip netns exec "$1" tlstun sa add dev "$2" dir "$3" \
		spi "0x$(doc "$4" spi)" suite "$4" key "$(doc "$4" key)"
}

setup() {
	local ex vni dev

	setup_ns ns1 ns2
	add_veth "$ns1" veth1 "$ns2" veth2 &&
	ip -n "$ns1" addr add 10.0.1.1/24 dev veth1 &&
	ip -n "$ns2" addr add 10.0.1.2/24 dev veth2 ||
		bail "cannot set up the veth pair"
	for ex in aes-gcm-128 aes-gcm-256; do
		vni=$(doc $ex vni) || bail "no vni for $ex in $DOC"
		dev=$([ $ex = aes-gcm-128 ] && echo tt0 || echo tt1)
		quiet_dev "$ns1" $dev $((16#$vni)) 10.0.1.2 &&
		quiet_dev "$ns2" $dev $((16#$vni)) 10.0.1.1 &&
		doc_sa "$ns1" $dev tx $ex ||
			bail "cannot set up $dev for $ex"
	done
	wait_for_iface "$ns1" veth1 && wait_for_iface "$ns2" veth2 ||
		bail "veth pair has no carrier"
}

# send_example DEV EXAMPLE PACKETS: inject the example's plaintext into
# DEV in ns1 PACKETS times; the last packet's UDP payload on veth2 must be
# the example's udp_payload, and nothing else may have been sent.
send_example() {
	local dev=$1 ex=$2 n=$3 pcap=$TEST_TMP/$2-tx.pcap plain want got i

	plain=$(doc "$ex" plaintext) && want=$(doc "$ex" udp_payload) ||
		fail "no plaintext or udp_payload for $ex in $DOC" || return
	tcpdump_start "$ns2" veth2 "$pcap" udp dst port 6081 ||
		fail "tcpdump did not start on veth2" || return
	for ((i = 1; i <= n; i++)); do
		in_ns "$ns1" "$TTPKT" send-eth "$dev" "$plain" ||
			fail "cannot inject the plaintext into $dev" || return
	done
	tcpdump_wait_count "$pcap" "$n"
	tcpdump_stop
	[ "$(tcpdump_count "$pcap")" -eq "$n" ] ||
		fail "captured $(tcpdump_count "$pcap") packets from $dev, sent $n"
	[ "$(tlstun_sa_stat "$ns1" "$dev" tx "0x$(doc "$ex" spi)" packets)" = "$n" ] ||
		fail "the tx SA sealed other packets than the $n injected"
	got=$("$TTPKT" udp "$pcap" "$n") || fail "no UDP payload number $n" || return
	[ "$got" = "$want" ] ||
		fail "$ex on the wire differs from the document:"$'\n'"#   sent $got"$'\n'"#   doc  $want"
}

# The first packet of a fresh AES-128-GCM SA: counter 0.
case_send_128() {
	send_example tt0 aes-gcm-128 1
}

# The second packet of a fresh AES-256-GCM SA: counter 1.  The first
# carries the same frame under counter 0.
case_send_256() {
	[ "$(doc aes-gcm-256 counter)" = 0000000000000001 ] ||
		fail "the aes-gcm-256 example is no longer the second packet" || return
	send_example tt1 aes-gcm-256 2
}

# receive_example DEV EXAMPLE: with the example's rx SA on DEV in ns2, its
# udp_payload sent to ns2's port 6081 comes out of DEV as the plaintext.
receive_example() {
	local dev=$1 ex=$2 pcap=$TEST_TMP/$2-rx.pcap payload want got spi

	payload=$(doc "$ex" udp_payload) && want=$(doc "$ex" plaintext) &&
	spi=0x$(doc "$ex" spi) ||
		fail "no udp_payload, plaintext or spi for $ex in $DOC" || return
	doc_sa "$ns2" "$dev" rx "$ex" || fail "cannot install the rx SA" || return
	tcpdump_start "$ns2" "$dev" "$pcap" -Q in ||
		fail "tcpdump did not start on $dev" || return
	in_ns "$ns1" "$TTPKT" send-udp 10.0.1.2 6081 "$payload" ||
		fail "cannot send the datagram" || return
	tcpdump_wait_count "$pcap" 1
	tcpdump_stop
	[ "$(tcpdump_count "$pcap")" -eq 1 ] ||
		fail "captured $(tcpdump_count "$pcap") frames on $dev, expected 1" || return
	got=$("$TTPKT" frame "$pcap" 1) || fail "cannot read the frame" || return
	[ "$got" = "$want" ] ||
		fail "$ex opened to another frame:"$'\n'"#   got $got"$'\n'"#   doc $want"
	[ "$(tlstun_sa_stat "$ns2" "$dev" rx "$spi" packets)" = 1 ] ||
		fail "the rx SA did not count the packet"
}

case_receive_128() {
	receive_example tt0 aes-gcm-128
}

case_receive_256() {
	receive_example tt1 aes-gcm-256
}

# csum16 HEX: the Internet checksum (RFC 1071) of the bytes in HEX.
csum16() {
	local hex=$1 sum=0 i

	((${#hex} % 4)) && hex+=00
	for ((i = 0; i < ${#hex}; i += 4)); do
		sum=$((sum + 16#${hex:i:4}))
	done
	while ((sum >> 16)); do
		sum=$(((sum & 0xffff) + (sum >> 16)))
	done
	printf '%04x' $((~sum & 0xffff))
}

# udp_frame DST_MAC SRC_IP DST_IP SPORT DPORT PAYLOAD_HEX [bad]: an Ethernet
# frame from 02:00:00:00:00:01 holding one IPv4 UDP datagram, addresses
# and ports in hex; with "bad" its UDP checksum is off by one.
udp_frame() {
	local dmac=$1 src=$2 dst=$3 sport=$4 dport=$5 data=$6 bad=${7:-}
	local ulen ip udp csum

	ulen=$(printf '%04x' $((8 + ${#data} / 2)))
	ip="4500$(printf '%04x' $((28 + ${#data} / 2)))000040004011"
	ip+="$(csum16 "${ip}0000$src$dst")$src$dst"
	csum=$(csum16 "$src${dst}0011$ulen$sport$dport${ulen}0000$data")
	[ "$csum" = 0000 ] && csum=ffff
	[ -n "$bad" ] && csum=$(printf '%04x' $(((16#$csum % 0xfffe) + 1)))
	udp="$sport$dport$ulen$csum$data"
	echo "${dmac}0200000000010800$ip$udp"
}

# udp_snmp NS FIELD: FIELD of the Udp: line of NS's /proc/net/snmp.
udp_snmp() {
	in_ns "$1" awk -v f="$2" '$1 == "Udp:" {
		if (!hdr) { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1 }
		else if (f in col) { print $col[f]; found = 1 } }
		END { exit !found }' /proc/net/snmp
}

# Outer UDP source ports come from the sending namespace's
# ip_local_port_range, as the document says, and still spread flows:
# 32 inner flows, each in a frame of its own, leave ns1 from ports inside
# a narrowed range, more than one of them.
case_source_port() {
	local pcap=$TEST_TMP/sport.pcap lo=40000 hi=40999 ports i bad n data

	data=$(printf %s tlstun-sport | od -An -tx1 | tr -d ' \n')
	in_ns "$ns1" sysctl -qw net.ipv4.ip_local_port_range="$lo $hi" ||
		fail "cannot narrow ip_local_port_range in ns1" || return
	tcpdump_start "$ns2" veth2 "$pcap" udp dst port 6081 ||
		fail "tcpdump did not start on veth2" || return
	for ((i = 0; i < 32; i++)); do
		in_ns "$ns1" "$TTPKT" send-eth tt0 "$(udp_frame 020000000002 \
			0a000901 0a000902 "$(printf '%04x' $((1024 + i)))" 1e61 \
			"$data")" ||
			fail "cannot inject flow $i into tt0" || return
	done
	tcpdump_wait_count "$pcap" 32
	tcpdump_stop
	ports=$(tcpdump -r "$pcap" -n -t 2>/dev/null |
		awk '/^IP / { n = split($2, a, "."); print a[n] }')
	[ "$(echo "$ports" | grep -c .)" -eq 32 ] ||
		fail "captured $(echo "$ports" | grep -c .) packets, sent 32" || return
	bad=$(echo "$ports" | awk -v lo=$lo -v hi=$hi '$1 < lo || $1 > hi' | sort -un | xargs)
	[ -z "$bad" ] || fail "source ports outside $lo-$hi: $bad"
	n=$(echo "$ports" | sort -u | grep -c .)
	ktap_print_msg "32 flows left from $n source ports"
	[ "$n" -gt 1 ] || fail "32 flows all left from one source port"
}

# The receiver claims no checksum it did not check: an inner UDP datagram
# with a wrong checksum, sealed and opened like any frame, is counted by
# ns2's UDP as InCsumErrors and goes no further; the same datagram with a
# right checksum gets as far as the port lookup (NoPorts: nothing
# listens).  Runs after case_receive_128, which left the example's rx SA
# on ns2's tt0.
case_inner_checksum() {
	local mac data e0 e1 p0 p1 frame

	ip -n "$ns2" addr add 10.0.9.2/24 dev tt0 ||
		fail "cannot address ns2's tt0" || return
	mac=$(ip -n "$ns2" link show dev tt0 | awk '$1 == "link/ether" { gsub(":", "", $2); print $2 }')
	data=$(printf %s tlstun-checksum | od -An -tx1 | tr -d ' \n')
	for frame in bad good; do
		e0=$(udp_snmp "$ns2" InCsumErrors) && p0=$(udp_snmp "$ns2" NoPorts) ||
			fail "no UDP counters in ns2" || return
		in_ns "$ns1" "$TTPKT" send-eth tt0 "$(udp_frame "$mac" 0a000901 \
			0a000902 04d2 1e61 "$data" "${frame/good/}")" ||
			fail "cannot inject the $frame datagram" || return
		if [ $frame = bad ]; then
			wait_for "$WAIT_TIMEOUT" snmp_above "$ns2" InCsumErrors "$e0" ||
				fail "a datagram with a bad checksum was not caught: InCsumErrors $e0 -> $(udp_snmp "$ns2" InCsumErrors), NoPorts $p0 -> $(udp_snmp "$ns2" NoPorts)" ||
				return
			[ "$(udp_snmp "$ns2" NoPorts)" = "$p0" ] ||
				fail "the bad datagram went on to the port lookup"
		else
			wait_for "$WAIT_TIMEOUT" snmp_above "$ns2" NoPorts "$p0" ||
				fail "the datagram with a good checksum did not arrive" || return
			[ "$(udp_snmp "$ns2" InCsumErrors)" = "$e0" ] ||
				fail "a good checksum was counted as an error"
		fi
	done
}

# snmp_above NS FIELD N: the UDP counter has risen above N.
snmp_above() {
	[ "$(udp_snmp "$1" "$2")" -gt "$3" ]
}

ktap_print_header
ktap_set_plan 6
setup
run_case "AES-128-GCM example sent" case_send_128
run_case "AES-256-GCM example sent" case_send_256
run_case "AES-128-GCM example received" case_receive_128
run_case "AES-256-GCM example received" case_receive_256
run_case "outer source port in ip_local_port_range" case_source_port
run_case "inner checksums are verified by the receiver" case_inner_checksum
ktap_finished
