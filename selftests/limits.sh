#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SA lifetimes: soft and hard limits on packets, bytes and seconds produce
# the events `tlstun monitor` prints, with the right device, direction,
# SPI and reason; after a hard limit the SA is gone, nothing more is sealed
# or opened under it (the underlay carries no packet with its SPI, the
# device counts the drops) and the device asks for a new SA with an
# acquire event, at most one a second.
#
#  +----------- $ns1 -----------+              +----------- $ns2 -----------+
#  |                            |              |                            |
#  |  tt0  10.0.0.1             |              |  tt0  10.0.0.2             |
#  |       tx 0xb11..0xb14      |  ---------> |       rx 0xb11..0xb14      |
#  |       rx 0xa01             |  <--------- |       tx 0xa01             |
#  |  tt1  10.0.9.1, no SA      |              |                            |
#  |    |                       |              |    |                       |
#  |  veth1  10.0.1.1 ----------------- veth ----- veth2  10.0.1.2          |
#  +----------------------------+              +----------------------------+
#
# Ping sends one 98-byte frame (Ethernet + IPv4 + ICMP, 56 data bytes) per
# echo, and nothing else crosses the tunnel (no ARP, no IPv6), so packet
# and byte limits are hit at a known echo.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/nl/tunnel.sh"

require_cmd ip ping tcpdump jq

FRAME=98	# bytes of each echo request's inner frame

cleanup() {
	cleanup_all
}
trap cleanup EXIT

setup() {
	tunnel_setup
	tunnel_sa "$ns1" rx 0xa01 "$K_BA" &&
	tunnel_sa "$ns2" tx 0xa01 "$K_BA" ||
		bail "cannot install the return direction's SAs"
	tunnel_rx_sas "$ns2" "$K_AB" 0xb11 0xb12 0xb13
	# A device that never had an SA, for the acquire rate.
	in_ns "$ns1" tlstun link add tt1 remote 10.0.1.9 &&
	ip -n "$ns1" -batch - <<-EOF ||
		addr add 10.0.9.1/24 dev tt1
		link set tt1 up
		neigh add 10.0.9.2 dev tt1 nud permanent lladdr 02:00:00:00:09:02
	EOF
		bail "cannot set up tt1"
}

# ping_received COUNT: echo COUNT times 0.2 s apart from $ns1 to $ns2
# through the tunnel; print the replies.
ping_received() {
	in_ns "$ns1" ping -c "$1" -i 0.2 -W 1 10.0.0.2 |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# stat_delta BEFORE AFTER EXPR: jq EXPR over AFTER minus over BEFORE, two
# dev_stats objects.
stat_delta() {
	jq -n --argjson a "$1" --argjson b "$2" "(\$b | $3) - (\$a | $3)"
}

# event_lines OUT: the monitor's events, one line each: event, device,
# then those of dir, SPI, suite and reason it has.
event_lines() {
	jq -r '[.event, .ifname, .dir, .spi, .suite, .reason] |
	       map(select(. != null) | tostring) | join(" ")' "$1"
}

# expect_events OUT LINE...: the events were exactly these, in order.
expect_events() {
	local out=$1 got want
	shift

	got=$(event_lines "$out")
	want=$(printf '%s\n' "$@")
	[ "$got" = "$want" ] ||
		fail "events: got [$(paste -sd '|' <<<"$got")], expected [$(paste -sd '|' <<<"$want")]"
}

# The SA is gone: not in sa show.
sa_gone() {
	local ns=$1 dir=$2 spi=$3 n

	n=$(in_ns "$ns" tlstun -j sa show dev tt0 |
	    jq "[.[] | select(.dir == \"$dir\" and .spi == $((spi)))] | length")
	[ "$n" = 0 ] || fail "$dir SA $spi is still installed after its hard limit"
}

# tx_sealed PCAP SPI N: the underlay carried exactly N packets under SPI,
# with counters 0..N-1.
tx_sealed() {
	local pcap=$1 spi=$2 want=$3 n

	n=$(geneve_count "$pcap" "$spi")
	[ "$n" = "$want" ] ||
		fail "the underlay carried $n packets under SPI $spi, expected $want"
	n=$(geneve_count "$pcap" "$spi" "\$3 >= $want")
	[ "$n" = 0 ] ||
		fail "$n packets under SPI $spi carry a counter past $((want - 1))"
}

# A tx SA with LIMITS (soft-packets 3 hard-packets 5, or bytes) carries
# SEALED echoes of PINGS: soft-expire, hard-expire, acquire, in that order;
# then no tx SA, and the rest are dropped as no-sa or sa-exhausted.
tx_limit_case() {
	local spi=$1 reason=$2 pings=$3 sealed=$4
	shift 4
	local mon=$TEST_TMP/mon-$spi.json pcap=$TEST_TMP/tx-$spi.pcap
	local before after got

	monitor_start "$ns1" "$mon" dev tt0 count 3 ||
		fail "tlstun monitor did not subscribe" || return
	tcpdump_start "$ns1" veth1 "$pcap" src host 10.0.1.1 and udp dst port 6081 ||
		fail "tcpdump did not start on veth1" || return
	before=$(dev_stats "$ns1" tt0) ||
		fail "cannot read tt0's counters" || return
	tunnel_sa "$ns1" tx "$spi" "$K_AB" "$@" ||
		fail "cannot install tx SA $spi" || return

	got=$(ping_received "$pings")
	[ "$got" = "$sealed" ] ||
		fail "$pings echoes under the limits got ${got:-no} replies, expected $sealed"
	wait_for "$WAIT_TIMEOUT" lines_at_least "$mon" 3 ||
		fail "the monitor printed $(wc -l <"$mon") events, expected 3"
	geneve_wait "$pcap" "$spi" "$sealed"
	tcpdump_stop

	# The acquire may or may not name the SA, depending on whether it
	# was already removed: event_lines leaves tx_spi out.
	expect_events "$mon" \
		"soft-expire tt0 tx $((spi)) aes-gcm-256 $reason" \
		"hard-expire tt0 tx $((spi)) aes-gcm-256 $reason" \
		"acquire tt0"
	sa_gone "$ns1" tx "$spi"
	after=$(dev_stats "$ns1" tt0)
	# An echo being sealed as the hard limit removed the SA counts as
	# sa-deleted (the SA died under it), one after as no-sa: both are
	# drops for want of a usable SA.
	got=$(stat_delta "$before" "$after" \
		'.tx_no_sa + .tx_sa_exhausted + .tx_sa_deleted')
	[ "$got" = $((pings - sealed)) ] ||
		fail "tt0 dropped $got echoes for want of an SA, expected $((pings - sealed))"
	tx_sealed "$pcap" "$spi" "$sealed"
}

# Packets: the soft limit at the 3rd echo, the hard one at the 5th, which
# is still sealed; the 6th to 8th are not.
case_tx_packets() {
	tx_limit_case 0xb11 packets 8 5 soft-packets 3 hard-packets 5
}

# Bytes: soft at 250 (the 3rd echo), hard at 450: the 5th echo would pass
# it (490 bytes) and is dropped, so 4 are sealed.
case_tx_bytes() {
	tx_limit_case 0xb12 bytes 7 4 soft-bytes $((FRAME * 2 + 54)) \
		hard-bytes $((FRAME * 4 + 58))
}

# Seconds: ages are whole seconds, so hard-seconds 2 may expire 1.0 s
# after install; a ping running all along shows the SA carried traffic
# and then none: every packet under its SPI was captured before the
# hard-expire event was seen, and echoes went on being dropped after it.
# The events are waited for, not slept on.
case_tx_seconds() {
	local mon=$TEST_TMP/mon-sec.json pcap=$TEST_TMP/tx-sec.pcap
	local spi=0xb13 base sealed t_event n

	monitor_start "$ns1" "$mon" dev tt0 ||
		fail "tlstun monitor did not subscribe" || return
	tcpdump_start "$ns1" veth1 "$pcap" src host 10.0.1.1 and udp dst port 6081 ||
		fail "tcpdump did not start on veth1" || return
	bg ip netns exec "$ns1" ping -q -i 0.2 -W 1 10.0.0.2 >/dev/null
	tunnel_sa "$ns1" tx $spi "$K_AB" soft-seconds 1 hard-seconds 2 ||
		fail "cannot install tx SA $spi" || return
	wait_for 10 file_has "$mon" '"hard-expire"' ||
		fail "no hard-expire event within 10 s" || return
	t_event=$EPOCHREALTIME
	base=$(dev_stat "$ns1" tt0 tx_no_sa)
	wait_for "$WAIT_TIMEOUT" stat_at_least "$ns1" tt0 tx_no_sa $((base + 3)) ||
		fail "tt0 dropped no echoes after the hard limit"
	kill "$BG_PID"
	tcpdump_stop

	# Acquires come and go with the ping before the SA and after it.
	[ "$(event_lines "$mon" | grep -v '^acquire tt0$')" = \
	  "$(printf '%s\n' "soft-expire tt0 tx $((spi)) aes-gcm-256 seconds" \
			   "hard-expire tt0 tx $((spi)) aes-gcm-256 seconds")" ] ||
		fail "events: $(event_lines "$mon" | paste -sd '|')"
	sa_gone "$ns1" tx $spi
	sealed=$(geneve_count "$pcap" $spi)
	[ "$sealed" -ge 1 ] || fail "no packet was sealed under SPI $spi" ||
		return
	tx_sealed "$pcap" $spi "$sealed"
	n=$(geneve_count "$pcap" $spi "\$1 >= $t_event")
	[ "$n" = 0 ] ||
		fail "$n packets under SPI $spi left after the hard-expire event"
}

lines_at_least() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

stat_at_least() {
	[ "$(dev_stat "$1" "$2" "$3")" -ge "$4" ]
}

# An rx SA's hard limit: the 3rd packet opened is its last; later ones
# are dropped before decryption and never reach tt0.
case_rx_packets() {
	local mon=$TEST_TMP/mon-rx.json spi=0xb14 before after got

	monitor_start "$ns2" "$mon" dev tt0 count 2 ||
		fail "tlstun monitor did not subscribe" || return
	tunnel_sa "$ns2" rx $spi "$K_AB" soft-packets 2 hard-packets 3 &&
	tunnel_sa "$ns1" tx $spi "$K_AB" ||
		fail "cannot install SA $spi" || return
	before=$(dev_stats "$ns2" tt0)
	got=$(ping_received 6)
	[ "$got" = 3 ] || fail "6 echoes got ${got:-no} replies, expected 3"
	wait_for "$WAIT_TIMEOUT" lines_at_least "$mon" 2 ||
		fail "the monitor printed $(wc -l <"$mon") events, expected 2"
	after=$(dev_stats "$ns2" tt0)

	expect_events "$mon" \
		"soft-expire tt0 rx $((spi)) aes-gcm-256 packets" \
		"hard-expire tt0 rx $((spi)) aes-gcm-256 packets"
	sa_gone "$ns2" rx $spi
	got=$(stat_delta "$before" "$after" .rx_packets)
	[ "$got" = 3 ] || fail "tt0 in $ns2 received $got packets, expected 3"
	got=$(stat_delta "$before" "$after" \
	      '.port_unknown_spi + .rx_sa_expired')
	[ "$got" = 3 ] ||
		fail "$got echoes dropped after the rx hard limit, expected 3"
}

# Probe once, then report whether a second acquire has come.
probe_acquire() {
	in_ns "$ns1" bash -c 'echo > /dev/udp/10.0.9.2/9'
	[ "$(grep -c '"acquire"' "$1")" -ge 2 ]
}

# A burst without an SA yields one acquire, not one a packet; the next
# comes only a second later (TLSTUN_ACQUIRE_INTERVAL_MS).
case_acquire_rate() {
	local mon=$TEST_TMP/mon-acq.json burst=20 times t0 t1 t2 n

	monitor_start "$ns1" "$mon" dev tt1 ||
		fail "tlstun monitor did not subscribe" || return
	# One datagram, one frame through tt1: its peer is a permanent
	# neighbour.  The shell stamps the burst's start and end.
	times=$(in_ns "$ns1" bash -c "echo \$EPOCHREALTIME
		for ((i = 0; i < $burst; i++)); do
			echo > /dev/udp/10.0.9.2/9
		done
		echo \$EPOCHREALTIME") ||
		fail "cannot send the burst" || return
	t0=$(sed -n 1p <<<"$times")
	t1=$(sed -n 2p <<<"$times")
	awk "BEGIN { exit !($t1 - $t0 < 0.9) }" ||
		fail "the burst took $(awk "BEGIN { print $t1 - $t0 }") s, too long to show a 1 s rate" ||
		return
	wait_for "$WAIT_TIMEOUT" file_has "$mon" '"acquire"' ||
		fail "no acquire event after the burst" || return
	n=$(dev_stat "$ns1" tt1 tx_no_sa)
	[ "$n" = $burst ] || fail "tt1 dropped $n of $burst frames as no-sa"

	wait_for 10 probe_acquire "$mon" ||
		fail "no second acquire within 10 s" || return
	t2=$EPOCHREALTIME
	# Exactly those two, and neither names a tx SA: tt1 never had one.
	expect_events "$mon" "acquire tt1" "acquire tt1"
	if grep -q tx_spi "$mon"; then
		fail "an acquire of tt1 names a tx SA: $(cat "$mon")"
	fi
	awk "BEGIN { exit !($t2 - $t0 >= 1.0) }" ||
		fail "the second acquire came $(awk "BEGIN { print $t2 - $t0 }") s after the burst began, before the 1 s interval"
}

ktap_print_header
ktap_set_plan 5
setup
run_case "tx packet limits: events, then nothing sealed" case_tx_packets
run_case "tx byte limits: events, then nothing sealed" case_tx_bytes
run_case "tx time limits: events, then nothing sealed" case_tx_seconds
run_case "rx packet limits: events, then nothing opened" case_rx_packets
run_case "acquire: one per device per second" case_acquire_rate
ktap_finished
