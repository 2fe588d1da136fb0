#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# XDP on a tlstun device sees the opened inner frames:
#
#  +-------- $ns1 --------+              +-------- $ns2 ----------+
#  | veth1 10.0.1.1/24    |-- veth ----->| veth2 10.0.1.2/24      |
#  | tt0   10.0.2.1/24    |== UDP 6081 =>| tt0   10.0.2.2/24      |
#  |  ping, ttpkt         |              |  xdpgeneric:           |
#  |  seq-send            |              |  xdp_icmp.bpf.o        |
#  +----------------------+              |  (drop IPv4 ICMP, pass |
#                                        |  the rest)             |
#                                        +------------------------+
#
# The program classifies by the inner IP protocol, which is ciphertext on
# the wire: if it drops the pings and passes UDP, it was given decrypted
# frames. tt0 counts a frame as received once it is opened and before
# XDP runs, so its rx_packets rises for the dropped pings too. Generic
# (skb) XDP: tlstun has no native XDP mode, which needs ndo_bpf.

source "$(dirname "$0")/lib.sh"

TTPKT=$LIB_DIR/tools/ttpkt
PROG=$LIB_DIR/tools/xdp_icmp.bpf.o

require_cmd ip ping tlstun
[ -x "$TTPKT" ] && [ -f "$PROG" ] ||
	bail "$TTPKT or $PROG is not built: make -C selftests/tools"

cleanup() {
	cleanup_all
}
trap cleanup EXIT

# Three pings from ns1, none answered.
pings_lost() {
	! in_ns "$ns1" ping -c 3 -i 0.2 -W 1 10.0.2.2 >/dev/null
}

case_attach() {
	ip -n "$ns2" link set dev tt0 xdpgeneric obj "$PROG" sec xdp ||
		fail "cannot attach $PROG to tt0" || return
	ip -n "$ns2" -d link show dev tt0 | grep -q xdpgeneric ||
		fail "ip -d link shows no xdpgeneric program on tt0"
}

case_icmp_dropped() {
	local rx0 rx1

	rx0=$(tlstun_stat "$ns2" tt0 rx_packets) || fail "no rx_packets" || return
	pings_lost || fail "pings crossed tt0 with the ICMP-dropping program on" || return
	rx1=$(tlstun_stat "$ns2" tt0 rx_packets)
	ktap_print_msg "tt0 opened $((rx1 - rx0)) frames that XDP dropped"
	[ $((rx1 - rx0)) -ge 3 ] ||
		fail "tt0 opened $((rx1 - rx0)) frames for 3 pings: XDP cannot have seen them"
}

case_udp_passes() {
	local out

	out=$(seq_cross "$ns1" "$ns2" 10.0.2.2 9999 100) || fail "$out" || return
	ktap_print_msg "UDP through the same program: $out"
	[ "$out" = "received 100 out-of-order 0" ] ||
		fail "UDP should pass the program untouched, got: $out"
}

case_detach() {
	ip -n "$ns2" link set dev tt0 xdpgeneric off ||
		fail "cannot detach the program" || return
	in_ns "$ns1" ping -q -c 2 -i 0.2 -W 5 10.0.2.2 >/dev/null ||
		fail "no ping across tt0 after the program is gone"
}

ktap_print_header
ktap_set_plan 4
tlstun_pair
run_case "generic XDP program attached to tt0" case_attach
run_case "XDP drops the opened ICMP frames" case_icmp_dropped
run_case "XDP passes the opened UDP frames" case_udp_passes
run_case "ping again once detached" case_detach
ktap_finished
