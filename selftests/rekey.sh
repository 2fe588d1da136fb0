#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rekey without loss: while a ping every 10 ms and an iperf3 TCP stream
# cross the tunnel, both directions are rekeyed over and over in the
# make-before-break order of tlstun(8): the receiver adds the new rx SA,
# the sender adds the new tx SA (which replaces its old one at once), and
# once the new rx SA has opened a packet and the old one has gone quiet
# (the packets sealed under it have arrived) the receiver deletes it.
#
#  +-------- $ns1 --------+              +-------- $ns2 --------+
#  | veth1 10.0.1.1/24    |-- veth ------| veth2 10.0.1.2/24    |
#  | tt0   10.0.2.1/24    |== UDP 6081 ==| tt0   10.0.2.2/24    |
#  |  ping, iperf3 -c     |              |  iperf3 -s           |
#  |  tx 0x1001, 0x1002.. | -----------> |  rx 0x1001, 0x1002.. |
#  |  rx 0x2001, 0x2002.. | <----------- |  tx 0x2001, 0x2002.. |
#  +----------------------+              +----------------------+
#
# The two directions are rekeyed at the same time, each as often as fits
# while iperf3 runs (at least REKEYS_MIN times, so a slow VM cannot make
# the case pass on less).  No loss means: ping loses nothing, iperf3
# completes, neither side counts an auth failure, replay, expired SA,
# unknown SPI or a packet dropped for want of an SA, and every packet one
# side sealed the other opened (tx_packets = the peer's rx_packets).  The
# last SAs carry the traffic and the old ones are gone.

source "$(dirname "$0")/lib.sh"

REKEYS_MIN=2
REKEYS_MAX=8
IPERF_SECONDS=25
# Paced below what the receiver opens under TCG (about 130 Mbit/s): an
# unpaced TCP flow grows until something drops, and when the receive ring
# is what overflows (rx_queue_full), sealed != opened for reasons that
# have nothing to do with the rekeys.  The rekeys still run under a
# steady flood of full-sized packets.
IPERF_RATE=50M
# 10 ms apart, so ping outlasts iperf3 and with it the last rekey.
PINGS=$(((IPERF_SECONDS + 3) * 100))

require_cmd ip ping iperf3 tlstun

cleanup() {
	cleanup_all
}
trap cleanup EXIT

setup() {
	tlstun_pair
}

# Counters that must stay 0 through the rekeys.
DROPS="rx_vni_mismatch rx_auth_fail rx_replay rx_too_short rx_sa_expired
       rx_nomem tx_no_sa tx_sa_exhausted tx_no_route tx_nomem tx_error
       port_malformed port_unknown_spi rx_sa_deleted tx_sa_deleted"

opened() {
	local n

	n=$(tlstun_sa_stat "$1" tt0 rx "$2" packets) && [ "$n" -gt 0 ]
}

# quiet NS SPI: rx SA SPI opened nothing for half a second.  Packets that
# were being sealed under the old tx SA when the new one replaced it still
# arrive after the new SA's first (a GSO burst is sealed under the SA it
# started with), and DEL_SA drops whatever arrives later; no event says
# the last one is in, so the count must stand still.
quiet() {
	local a b

	a=$(tlstun_sa_stat "$1" tt0 rx "$2" packets) || return
	sleep 0.5
	b=$(tlstun_sa_stat "$1" tt0 rx "$2" packets) && [ "$a" = "$b" ]
}

# rekey TX_NS RX_NS OLD_SPI NEW_SPI: one direction, make-before-break.
rekey() {
	local txns=$1 rxns=$2 old=$3 new=$4

	tlstun_sa_pair "$txns" "$rxns" tt0 "$new" ||
		fail "cannot install SA pair $new" || return
	wait_for "$WAIT_TIMEOUT" opened "$rxns" "$new" ||
		fail "rx SA $new opened nothing" || return
	wait_for "$WAIT_TIMEOUT" quiet "$rxns" "$old" ||
		fail "rx SA $old keeps opening packets" || return
	ip netns exec "$rxns" tlstun sa del dev tt0 dir rx spi "$old" ||
		fail "cannot delete rx SA $old"
}

# rekeys TX_NS RX_NS BASE PID: rekey one direction from SPI BASE + 1 to
# BASE + 2 and on, for as long as PID (iperf3) runs and at most
# REKEYS_MAX times; the last SPI goes to $TEST_TMP/last-BASE.  Runs in the
# background: what fails is reported on stdout and in the exit status.
rekeys() {
	local txns=$1 rxns=$2 base=$3 pid=$4 n=0

	while [ $n -lt $REKEYS_MAX ] && kill -0 "$pid" 2>/dev/null; do
		rekey "$txns" "$rxns" $((base + n + 1)) $((base + n + 2)) || return
		n=$((n + 1))
	done
	printf '0x%08x\n' $((base + n + 1)) >"$TEST_TMP/last-$base"
	ktap_print_msg "$n rekeys of ${txns%%-*} -> ${rxns%%-*}"
	[ $n -ge $REKEYS_MIN ] ||
		fail "only $n rekeys fit in the iperf3 run; raise IPERF_SECONDS"
}

case_rekey() {
	local ping_out=$TEST_TMP/ping.txt json=$TEST_TMP/iperf3.json
	local ping_pid iperf_pid pid c sent rcvd n s1 s2 tx rx

	iperf3_server "$ns2" 5201 || fail "iperf3 server did not listen" || return
	bg in_ns "$ns1" ping -q -c $PINGS -i 0.01 -W 5 10.0.2.2 >"$ping_out" 2>&1
	ping_pid=$BG_PID
	bg iperf3_client "$ns1" 10.0.2.2 "$json" -p 5201 -t $IPERF_SECONDS \
		-b $IPERF_RATE
	iperf_pid=$BG_PID
	# The first SAs carry traffic before the first rekey.
	wait_for "$WAIT_TIMEOUT" opened "$ns2" 0x1001 &&
	wait_for "$WAIT_TIMEOUT" opened "$ns1" 0x2001 ||
		fail "no traffic through the tunnel" || return

	rekeys "$ns1" "$ns2" 0x1000 "$iperf_pid" &
	pid=$!
	rekeys "$ns2" "$ns1" 0x2000 "$iperf_pid" || fail "rekeying ns2 -> ns1 failed"
	wait $pid || fail "rekeying ns1 -> ns2 failed"
	kill -0 "$ping_pid" 2>/dev/null ||
		fail "ping ended before the rekeys did"

	wait "$iperf_pid" || fail "iperf3 failed: $(head -c 300 "$json")"
	wait "$ping_pid"
	grep -q "packets transmitted" "$ping_out" || fail "ping did not finish" || return
	ktap_print_msg "$(grep 'packets transmitted' "$ping_out")"
	grep -q "^$PINGS packets transmitted, $PINGS received," "$ping_out" ||
		fail "ping lost packets"
	sent=$(iperf3_bytes "$json" sum_sent) &&
	rcvd=$(iperf3_bytes "$json" sum_received) ||
		fail "no byte counts in the iperf3 report" || return
	ktap_print_msg "iperf3 sent $sent bytes, received $rcvd"
	[ "$rcvd" -gt 0 ] || fail "iperf3 moved nothing"

	s1=$(ip netns exec "$ns1" tlstun -s -j link show tt0) &&
	s2=$(ip netns exec "$ns2" tlstun -s -j link show tt0) ||
		fail "cannot read the device counters" || return
	for c in $DROPS; do
		n=$(json_num "$c" <<<"$s1") && [ "$n" = 0 ] ||
			fail "$c is ${n:-missing} on ns1"
		n=$(json_num "$c" <<<"$s2") && [ "$n" = 0 ] ||
			fail "$c is ${n:-missing} on ns2"
	done
	tx=$(json_num tx_packets <<<"$s1") && rx=$(json_num rx_packets <<<"$s2")
	ktap_print_msg "ns1 -> ns2: $tx packets sealed, $rx opened (ns2 rx_queue_full $(json_num rx_queue_full <<<"$s2"))"
	[ "$tx" = "$rx" ] || fail "ns1 sealed $tx packets, ns2 opened $rx"
	tx=$(json_num tx_packets <<<"$s2") && rx=$(json_num rx_packets <<<"$s1")
	ktap_print_msg "ns2 -> ns1: $tx packets sealed, $rx opened"
	[ "$tx" = "$rx" ] || fail "ns2 sealed $tx packets, ns1 opened $rx"
}

# spis NS: "DIR SPI" of every SA of tt0 in NS, sorted.
spis() {
	ip netns exec "$1" tlstun sa show dev tt0 |
		awk '$1 == "dev" { print $4, $6 }' | sort
}

# After the rekeys each side holds exactly the last tx and rx SA, and both
# have carried traffic.
case_last_sas() {
	local last12 last21

	last12=$(cat "$TEST_TMP/last-0x1000") && last21=$(cat "$TEST_TMP/last-0x2000") ||
		fail "the rekeys did not finish" || return
	[ "$(spis "$ns1")" = "rx $last21"$'\n'"tx $last12" ] ||
		fail "ns1 holds $(spis "$ns1" | xargs), expected rx $last21 and tx $last12"
	[ "$(spis "$ns2")" = "rx $last12"$'\n'"tx $last21" ] ||
		fail "ns2 holds $(spis "$ns2" | xargs), expected rx $last12 and tx $last21"
	[ "$(tlstun_sa_stat "$ns1" tt0 tx "$last12" packets)" -gt 0 ] &&
	[ "$(tlstun_sa_stat "$ns2" tt0 rx "$last12" packets)" -gt 0 ] &&
	[ "$(tlstun_sa_stat "$ns2" tt0 tx "$last21" packets)" -gt 0 ] &&
	[ "$(tlstun_sa_stat "$ns1" tt0 rx "$last21" packets)" -gt 0 ] ||
		fail "the last SAs carried no traffic"
	! ip netns exec "$ns1" tlstun sa show dev tt0 dir tx spi 0x1001 \
		>/dev/null 2>&1 || fail "the first tx SA of ns1 is still there"
}

ktap_print_header
ktap_set_plan 2
setup
run_case "rekey both directions under load, no loss" case_rekey
run_case "only the last SAs remain, carrying traffic" case_last_sas
ktap_finished
