#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The SA install guards of include/uapi/linux/tlstun.h.  Every refusal
# comes with the errno and extack message the contract names, both through
# tools/tlstun ("Error: <strerror>: <extack>", exit 1; exit 2 for what it
# refuses itself) and through nlprobe, which sends the raw request and
# names the errno exactly.  Then the other side of the guards: an install
# starts the tx counter at 0, a new tx SA replaces the old one, and no
# reply carries a key.
#
#  +---------------- $ns1 ----------------+      +------- $ns2 --------+
#  |                                      |      |                     |
#  |  tt0  10.0.0.1  udp 6081             |      |  tt0  10.0.0.2      |
#  |       rx 0xa01 (K_BA)                |      |       rx 0xb01-0xb04|
#  |       tx 0xb01, 0xb02, ... (K_AB)    |      |          (K_AB)     |
#  |  tt1  no address  udp 6081           |      |       tx 0xa01      |
#  |  tt2  no address  udp 7000           |      |          (K_BA)     |
#  |    |                                 |      |    |                |
#  |  veth1  10.0.1.1 ------------------- veth ---- veth2  10.0.1.2    |
#  +--------------------------------------+      +---------------------+
#
# tt1 shares tt0's UDP port, so its rx SPIs compete with tt0's; tt2 has a
# port of its own and is filled up to TLSTUN_MAX_SAS.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/nl/tunnel.sh"

require_cmd ip ping tcpdump jq

# TLSTUN_MAX_SAS and TLSTUN_TX_HISTORY of the uapi header.
MAX_SAS=256
TX_HISTORY=64

# The extack messages of the two nonce-reuse guards.
LIVE="this tx SA (same SPI and key) is live; reinstalling it would restart its counter and repeat nonces"
RETIRED="this tx SPI and key were used before on this device; reinstalling them would repeat nonces"
PORT_USED="this tx SPI and key were used on UDP port 6081; reinstalling repeats nonces"
RX_RETIRED="the rx key must differ from the keys of retired tx SAs"

# TLSTUN_SA_MAX_SECONDS, and 2^64 - 1.
MAX_SECONDS=4294967295
U64_MAX=18446744073709551615

cleanup() {
	cleanup_all
}
trap cleanup EXIT

setup() {
	tunnel_setup
	tunnel_sas
	# Every tx SPI ns1 will switch to, ready on the receiving side.
	tunnel_rx_sas "$ns2" "$K_AB" 0xb02 0xb03 0xb04
	in_ns "$ns1" tlstun link add tt1 remote 10.0.1.3 &&
	in_ns "$ns1" tlstun link add tt2 remote 10.0.1.4 port 7000 ||
		bail "cannot create tt1 and tt2"
	in_ns "$ns1" ping -c 1 -W 5 10.0.0.2 >/dev/null ||
		bail "no ping through the tunnel"
}

# SPI 0 is reserved: the policy refuses it before any handler runs.
case_spi_zero() {
	nl_table "$ns1" <<-EOF
	rx SPI 0 | ERANGE: integer out of range @A_SA.SA_SPI | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0 $SUITE_256 "$K_3")
	tx SPI 0 | ERANGE: integer out of range @A_SA.SA_SPI | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_TX 0 $SUITE_256 "$K_3")
	EOF
	tool_expect "$ns1" 2 'Error: "spi" value "0" is wrong: SPI 0 is reserved' \
		sa add dev tt1 dir rx spi 0 suite aes-gcm-256 key "$K_3"
}

# The key must be exactly as long as the suite's; the tool refuses a
# wrong length itself, so only nlprobe reaches the kernel's check.
case_key_length() {
	nl_table "$ns1" <<-EOF
	16-byte key, aes-gcm-256 | EINVAL: the key of this suite is 32 bytes, not 16 | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0xc01 $SUITE_256 "$K_16")
	32-byte key, aes-gcm-128 | EINVAL: the key of this suite is 16 bytes, not 32 | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0xc01 $SUITE_128 "$K_3")
	16-byte key, aes-gcm-128 | OK | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0xc01 $SUITE_128 "$K_16")
	remove it again | OK | DEL_SA A_IFNAME:str:tt1 A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xc01 end
	EOF
	tool_expect "$ns1" 2 'Error: "key" value is wrong: the key must be 64 hex digits (32 bytes), not 32' \
		sa add dev tt1 dir rx spi 0xc01 suite aes-gcm-256 key "$K_16"
}

# An rx key equal to the live tx key: the peer would seal under our
# nonces.
case_rx_key_is_tx_key() {
	nl_table "$ns1" <<-EOF
	rx key = tx key | EINVAL: the rx key must differ from the tx key | ADD_SA A_IFNAME:str:tt0 $(sa_nest $DIR_RX 0xc02 $SUITE_256 "$K_AB")
	EOF
	tool_expect "$ns1" 1 "Error: Invalid argument: the rx key must differ from the tx key" \
		sa add dev tt0 dir rx spi 0xc02 suite aes-gcm-256 key "$K_AB"
	[ "$(sa_count "$ns1" tt0)" = 2 ] ||
		fail "a refused rx SA changed tt0's SA count"
}

# A tx key equal to an rx key, and the refused tx SA does not replace
# the live one.
case_tx_key_is_rx_key() {
	nl_table "$ns1" <<-EOF
	tx key = rx key | EINVAL: the tx key must differ from the key of rx SA 0x00000a01 | ADD_SA A_IFNAME:str:tt0 $(sa_nest $DIR_TX 0xc03 $SUITE_256 "$K_BA")
	EOF
	tool_expect "$ns1" 1 "Error: Invalid argument: the tx key must differ from the key of rx SA 0x00000a01" \
		sa add dev tt0 dir tx spi 0xc03 suite aes-gcm-256 key "$K_BA"
	[ "$(in_ns "$ns1" tlstun -j link show tt0 | jq '.[0].tx_spi')" = \
	  $((0xb01)) ] || fail "a refused tx SA replaced the live one"
}

# The live tx SA again, same SPI and key: its counter would restart.  The
# live SA keeps its count, so it was not replaced either.
case_live_tx() {
	local packets

	nl_table "$ns1" <<-EOF
	live tx SA again | EEXIST: $LIVE | ADD_SA A_IFNAME:str:tt0 $(sa_nest $DIR_TX 0xb01 $SUITE_256 "$K_AB")
	EOF
	tool_expect "$ns1" 1 "Error: File exists: $LIVE" \
		sa add dev tt0 dir tx spi 0xb01 suite aes-gcm-256 key "$K_AB"
	packets=$(in_ns "$ns1" tlstun -j -s sa show dev tt0 dir tx spi 0xb01 |
		  jq '.[0].stats.packets')
	[ "${packets:-0}" -ge 1 ] ||
		fail "tx SA 0xb01 counts ${packets:-no} packets after setup's ping"
}

# Retired tx (SPI, key) pairs, by replacement and by deletion, stay
# refused for TLSTUN_TX_HISTORY retirements; the same SPI with a new key
# is a new nonce space and is accepted.
case_retired_tx() {
	local i

	tunnel_sa "$ns1" tx 0xb02 "$K_AB" ||
		fail "cannot replace tx SA 0xb01 with 0xb02" || return
	tool_expect "$ns1" 1 "Error: File exists: $RETIRED" \
		sa add dev tt0 dir tx spi 0xb01 suite aes-gcm-256 key "$K_AB"
	nl_table "$ns1" < <(
		echo "retired by replacement | EEXIST: $RETIRED | ADD_SA A_IFNAME:str:tt0 $(sa_nest $DIR_TX 0xb01 $SUITE_256 "$K_AB")"
		echo "tt1 tx 0x300 | OK | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_TX 0x300 $SUITE_256 "$K_3")"
		echo "delete it | OK | DEL_SA A_IFNAME:str:tt1 A_SA:nest SA_DIR:u8:$DIR_TX SA_SPI:u32:0x300 end"
		echo "retired by deletion | EEXIST: $RETIRED | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_TX 0x300 $SUITE_256 "$K_3")"
		# 0x301 retires nothing (no live tx), each later one its
		# predecessor: TX_HISTORY - 1 more retirements.
		for ((i = 0x301; i <= 0x300 + TX_HISTORY; i++)); do
			sa_req $DIR_TX $i $SUITE_256 "$K_3"
			echo "tt1 tx $i | OK | ADD_SA A_IFNAME:str:tt1 $SA_REQ"
		done
		echo "$TX_HISTORY retirements later | EEXIST: $RETIRED | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_TX 0x300 $SUITE_256 "$K_3")"
		echo "same SPI, new key | OK | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_TX 0x300 $SUITE_128 "$K_16")"
	)
}

# rx SPIs are unique per UDP port: on the same device, on another device
# of the port, and when a device moves to the port; another port is free.
case_rx_spi_port() {
	nl_table "$ns1" <<-EOF
	same device | EEXIST: an rx SA with SPI 0x00000a01 exists | ADD_SA A_IFNAME:str:tt0 $(sa_nest $DIR_RX 0xa01 $SUITE_256 "$K_3")
	other device, same port | EEXIST: rx SPI 0x00000a01 is already in use on UDP port 6081 | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0xa01 $SUITE_256 "$K_BA")
	other port | OK | ADD_SA A_IFNAME:str:tt2 $(sa_nest $DIR_RX 0xa01 $SUITE_256 "$K_BA")
	EOF
	tool_expect "$ns1" 1 "Error: File exists: rx SPI 0x00000a01 is already in use on UDP port 6081" \
		sa add dev tt1 dir rx spi 0xa01 suite aes-gcm-256 key "$K_BA"
	tool_expect "$ns1" 1 "Error: File exists: rx SPI 0x00000a01 of this device is in use on UDP port 6081" \
		link set tt2 port 6081
	[ "$(in_ns "$ns1" tlstun -j link show tt2 | jq '.[0].port')" = 7000 ] ||
		fail "the refused port change moved tt2"
}

# Fill tt2 (its own port) to TLSTUN_MAX_SAS: one tx SA and rx SAs.
fill_tt2() {
	local n i

	n=$(sa_count "$ns1" tt2) || return
	nl_table "$ns1" < <(
		echo "tt2 tx | OK | ADD_SA A_IFNAME:str:tt2 $(sa_nest $DIR_TX 0x700 $SUITE_256 "$K_3")"
		for ((i = n + 1; i < MAX_SAS; i++)); do
			sa_req $DIR_RX $((0x10000 + i)) $SUITE_256 "$K_BA"
			echo "tt2 rx $i | OK | ADD_SA A_IFNAME:str:tt2 $SA_REQ"
		done
	)
}

# One SA more than TLSTUN_MAX_SAS is refused, and fits again once one
# is removed.
case_max_sas() {
	fill_tt2
	[ "$(sa_count "$ns1" tt2)" = $MAX_SAS ] ||
		fail "tt2 holds $(sa_count "$ns1" tt2) SAs, not $MAX_SAS" || return
	# A dump that takes several parts lists each of them once.
	[ "$(in_ns "$ns1" tlstun -j sa show dev tt2 |
	     jq '[.[].spi] | unique | length')" = $MAX_SAS ] ||
		fail "sa show does not list tt2's $MAX_SAS SAs once each"
	nl_table "$ns1" <<-EOF
	SA $((MAX_SAS + 1)) | ENOSPC: a peer holds at most $MAX_SAS SAs | ADD_SA A_IFNAME:str:tt2 $(sa_nest $DIR_RX 0x20000 $SUITE_256 "$K_BA")
	EOF
	tool_expect "$ns1" 1 "Error: No space left on device: a peer holds at most $MAX_SAS SAs" \
		sa add dev tt2 dir rx spi 0x20000 suite aes-gcm-256 key "$K_BA"
	nl_table "$ns1" <<-EOF
	remove one | OK | DEL_SA A_IFNAME:str:tt2 A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:$((0x10000 + MAX_SAS - 1)) end
	add one | OK | ADD_SA A_IFNAME:str:tt2 $(sa_nest $DIR_RX 0x20000 $SUITE_256 "$K_BA")
	EOF
	[ "$(sa_count "$ns1" tt2)" = $MAX_SAS ] ||
		fail "tt2 holds $(sa_count "$ns1" tt2) SAs after the refusals"
}

# Replacing the tx SA does not add one, so a full device can still rekey
# its tx direction (make-before-break needs nothing more).
case_max_sas_tx_replace() {
	nl_table "$ns1" <<-EOF
	new tx SA on a full device | OK | ADD_SA A_IFNAME:str:tt2 $(sa_nest $DIR_TX 0x701 $SUITE_256 "$K_3")
	EOF
	[ "$(in_ns "$ns1" tlstun -j link show tt2 | jq '.[0].tx_spi')" = \
	  $((0x701)) ] || fail "tt2's tx SA is not 0x701"
}

# A soft limit above its hard limit, for each kind; equal is fine, and
# so is a soft limit without a hard one.
case_soft_above_hard() {
	nl_table "$ns1" <<-EOF
	packets | EINVAL: a soft limit is above its hard limit @A_SA.SA_LIFETIME | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x400 $SUITE_256 "$K_BA" SA_LIFETIME:nest LIFETIME_SOFT_PACKETS:u64:10 LIFETIME_HARD_PACKETS:u64:5 end)
	bytes | EINVAL: a soft limit is above its hard limit @A_SA.SA_LIFETIME | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x400 $SUITE_256 "$K_BA" SA_LIFETIME:nest LIFETIME_SOFT_BYTES:u64:1000 LIFETIME_HARD_BYTES:u64:999 end)
	seconds | EINVAL: a soft limit is above its hard limit @A_SA.SA_LIFETIME | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x400 $SUITE_256 "$K_BA" SA_LIFETIME:nest LIFETIME_SOFT_SECONDS:u64:3 LIFETIME_HARD_SECONDS:u64:2 end)
	soft = hard | OK | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x400 $SUITE_256 "$K_BA" SA_LIFETIME:nest LIFETIME_SOFT_PACKETS:u64:5 LIFETIME_HARD_PACKETS:u64:5 end)
	soft, no hard | OK | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x401 $SUITE_256 "$K_BA" SA_LIFETIME:nest LIFETIME_SOFT_BYTES:u64:1000 end)
	EOF
	tool_expect "$ns1" 1 "Error: Invalid argument: a soft limit is above its hard limit" \
		sa add dev tt1 dir rx spi 0x402 suite aes-gcm-256 key "$K_BA" \
		soft-seconds 3 hard-seconds 2
}

# The replay window's range, TLSTUN_REPLAY_WINDOW_MIN..MAX, is policy.
case_replay_window_range() {
	nl_table "$ns1" <<-EOF
	window 0 | ERANGE: integer out of range @A_SA.SA_REPLAY_WINDOW | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x500 $SUITE_256 "$K_BA" SA_REPLAY_WINDOW:u32:0)
	window 63 | ERANGE: integer out of range @A_SA.SA_REPLAY_WINDOW | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x500 $SUITE_256 "$K_BA" SA_REPLAY_WINDOW:u32:63)
	window 4097 | ERANGE: integer out of range @A_SA.SA_REPLAY_WINDOW | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x500 $SUITE_256 "$K_BA" SA_REPLAY_WINDOW:u32:4097)
	window 64 | OK | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x500 $SUITE_256 "$K_BA" SA_REPLAY_WINDOW:u32:64)
	window 4096 | OK | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x501 $SUITE_256 "$K_BA" SA_REPLAY_WINDOW:u32:4096)
	EOF
	tool_expect "$ns1" 2 'Error: "replay-window" value "4097" is wrong: must be between 64 and 4096' \
		sa add dev tt1 dir rx spi 0x502 suite aes-gcm-256 key "$K_BA" \
		replay-window 4097
	[ "$(in_ns "$ns1" tlstun -j sa show dev tt1 dir rx spi 0x501 |
	     jq '.[0].replay_window')" = 4096 ] ||
		fail "rx SA 0x501 does not have the replay window it was given"
}

# A replay window belongs to rx SAs only.
case_replay_window_tx() {
	nl_table "$ns1" <<-EOF
	tx SA with a window | EINVAL: a replay window applies to rx SAs only @A_SA.SA_REPLAY_WINDOW | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_TX 0x600 $SUITE_256 "$K_3" SA_REPLAY_WINDOW:u32:128)
	EOF
	tool_expect "$ns1" 2 'Error: "replay-window" applies to rx SAs only' \
		sa add dev tt1 dir tx spi 0x600 suite aes-gcm-256 key "$K_3" \
		replay-window 128
}

# No SA flag is defined: the policy's mask refuses any bit, 0 is accepted.
case_sa_flags() {
	nl_table "$ns1" <<-EOF
	flag bit 0 | EINVAL: reserved bit set @A_SA.SA_FLAGS | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x601 $SUITE_256 "$K_BA" SA_FLAGS:u32:1)
	flag bit 31 | EINVAL: reserved bit set @A_SA.SA_FLAGS | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x601 $SUITE_256 "$K_BA" SA_FLAGS:u32:0x80000000)
	flags 0 | OK | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x601 $SUITE_256 "$K_BA" SA_FLAGS:u32:0)
	EOF
}

# Every install starts the tx counter at 0: the first packet under a new
# tx SA, here the same key under a new SPI, carries counter 0.
case_counter_zero() {
	local pcap=$TEST_TMP/counter.pcap n

	tcpdump_start "$ns1" veth1 "$pcap" src host 10.0.1.1 and udp dst port 6081 ||
		fail "tcpdump did not start on veth1" || return
	tunnel_sa "$ns1" tx 0xb03 "$K_AB" ||
		fail "cannot install tx SA 0xb03" || return
	in_ns "$ns1" ping -c 2 -i 0.2 -W 5 10.0.0.2 >/dev/null ||
		fail "no ping under tx SA 0xb03"
	tunnel_sa "$ns1" tx 0xb04 "$K_AB" ||
		fail "cannot install tx SA 0xb04" || return
	in_ns "$ns1" ping -c 1 -W 5 10.0.0.2 >/dev/null ||
		fail "no ping under tx SA 0xb04"
	geneve_wait "$pcap" 0xb03 2 && geneve_wait "$pcap" 0xb04 1
	tcpdump_stop

	n=$(geneve_count "$pcap" 0xb03 '$3 == 0')
	[ "$n" = 1 ] || fail "$n packets of SPI 0xb03 with counter 0, expected 1"
	n=$(geneve_count "$pcap" 0xb03 '$3 == 1')
	[ "$n" = 1 ] || fail "$n packets of SPI 0xb03 with counter 1, expected 1"
	n=$(geneve_count "$pcap" 0xb04)
	[ "$n" = 1 ] || fail "$n packets of SPI 0xb04, expected 1"
	n=$(geneve_count "$pcap" 0xb04 '$3 == 0')
	[ "$n" = 1 ] || fail "the first packet of SPI 0xb04 does not carry counter 0"
}

# The new tx SA replaced the old one: tt0 lists one tx SA, the new one.
case_tx_replaces() {
	local json=$TEST_TMP/sa.json

	in_ns "$ns1" tlstun -j sa show dev tt0 >"$json" ||
		fail "sa show failed" || return
	[ "$(jq '[.[] | select(.dir == "tx")] | length' "$json")" = 1 ] ||
		fail "tt0 lists $(jq -c '[.[] | select(.dir == "tx") | .spi]' "$json") as tx SAs, expected one"
	[ "$(jq '.[] | select(.dir == "tx") | .spi' "$json")" = $((0xb04)) ] ||
		fail "tt0's tx SA is not 0xb04"
	[ "$(in_ns "$ns1" tlstun -j link show tt0 | jq '.[0].tx_spi')" = \
	  $((0xb04)) ] || fail "tt0's tx-spi is not 0xb04"
}

# No reply holds a key: a raw dump and a raw get of tt0's SAs have no
# TLSTUN_SA_KEY and no key's bytes anywhere; the tool prints "key (hidden)",
# and its JSON has no "key" member.
case_key_hidden() {
	local raw=$TEST_TMP/raw.txt txt=$TEST_TMP/sa.txt json=$TEST_TMP/sa.json
	local k n

	{
		nlp "$ns1" -d -p GET_SA A_IFNAME:str:tt0
		nlp "$ns1" -p GET_SA A_IFNAME:str:tt0 A_SA:nest \
			SA_DIR:u8:$DIR_TX SA_SPI:u32:0xb04 end
		nlp "$ns1" -d -p GET_DEVICE
	} >"$raw"
	[ "$(grep -c '^OK$' "$raw")" = 3 ] ||
		fail "a raw request failed: $(grep -v '^A_\|^reply' "$raw")"
	n=$(grep -c '^A_SA.SA_SPI ' "$raw")
	[ "$n" = 3 ] ||
		fail "raw replies hold $n SPIs, expected 3 (2 dumped, 1 got)"
	if grep 'SA_KEY' "$raw"; then
		fail "a reply carries TLSTUN_SA_KEY"
	fi

	in_ns "$ns1" tlstun sa show dev tt0 >"$txt" &&
	in_ns "$ns1" tlstun -j sa show dev tt0 >"$json" ||
		fail "sa show failed" || return
	n=$(grep -c ' key (hidden) ' "$txt")
	[ "$n" = 2 ] || fail "$n SAs of 2 show \"key (hidden)\""
	jq -e 'length == 2 and all(.[]; has("key") | not)' "$json" \
		>/dev/null || fail "the JSON SA list does not hide both keys"
	# "sa show" with no device lists these among every device's, and
	# "link show dev tt0" is "link show tt0", as ip takes it.
	in_ns "$ns1" tlstun -j sa show >"$TEST_TMP/all.json" ||
		fail "sa show without dev failed"
	jq -e '[.[] | select(.ifname == "tt0")] | length == 2' \
		"$TEST_TMP/all.json" >/dev/null ||
		fail "sa show without dev does not list tt0's 2 SAs: $(cat "$TEST_TMP/all.json")"
	in_ns "$ns1" tlstun -j link show dev tt0 | jq -e 'length == 1 and .[0].ifname == "tt0"' >/dev/null ||
		fail "link show dev tt0 does not show tt0"
	# stats: OpenMetrics text, every line a family's TYPE or HELP or a
	# sample, tt0's counters and its two SAs', "# EOF" last.
	in_ns "$ns1" tlstun stats >"$TEST_TMP/stats.txt" ||
		fail "tlstun stats failed"
	[ "$(tail -n 1 "$TEST_TMP/stats.txt")" = "# EOF" ] ||
		fail "tlstun stats does not end with # EOF"
	n=$(grep -cEv '^# (TYPE|HELP) tlstun_[a-z_]+ |^tlstun_[a-z_]+\{[^}]*\} [0-9]+$|^# EOF$' \
		"$TEST_TMP/stats.txt")
	[ "$n" = 0 ] || fail "$n lines of tlstun stats are not OpenMetrics: $(grep -Ev '^# |^tlstun_' "$TEST_TMP/stats.txt" | head -n 2)"
	grep -qE '^tlstun_device_rx_packets_total\{dev="tt0"\} [0-9]+$' \
		"$TEST_TMP/stats.txt" || fail "tlstun stats has no rx_packets of tt0"
	n=$(grep -c '^tlstun_sa_packets_total{dev="tt0",' "$TEST_TMP/stats.txt")
	[ "$n" = 2 ] || fail "tlstun stats has $n SA packet counters of tt0, not 2"
	for k in "$K_AB" "$K_BA" "${K_AB:0:32}" "${K_BA:0:32}"; do
		if grep -qi "$k" "$raw" "$txt" "$json" "$TEST_TMP/all.json" \
		   "$TEST_TMP/stats.txt"; then
			fail "a reply or sa show carries a key's bytes"
		fi
	done
}

# Time limits are bounded by TLSTUN_SA_MAX_SECONDS, so a deadline cannot
# wrap (2^64 - 1 seconds used to make the lifetime work requeue itself at
# once, forever); the maximum itself is accepted.
case_lifetime_max() {
	nl_table "$ns1" <<-EOF
	hard 2^64 - 1 s | ERANGE: integer out of range @A_SA.SA_LIFETIME.LIFETIME_HARD_SECONDS | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x410 $SUITE_256 "$K_BA" SA_LIFETIME:nest LIFETIME_HARD_SECONDS:u64:$U64_MAX end)
	soft max + 1 s | ERANGE: integer out of range @A_SA.SA_LIFETIME.LIFETIME_SOFT_SECONDS | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x410 $SUITE_256 "$K_BA" SA_LIFETIME:nest LIFETIME_SOFT_SECONDS:u64:$((MAX_SECONDS + 1)) end)
	both at the max | OK | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0x410 $SUITE_256 "$K_BA" SA_LIFETIME:nest LIFETIME_SOFT_SECONDS:u64:$MAX_SECONDS LIFETIME_HARD_SECONDS:u64:$MAX_SECONDS end)
	EOF
	tool_expect "$ns1" 1 "Error: Numerical result out of range: integer out of range" \
		sa add dev tt1 dir rx spi 0x411 suite aes-gcm-256 key "$K_BA" \
		hard-seconds $U64_MAX
	[ "$(in_ns "$ns1" tlstun -j sa show dev tt1 dir rx spi 0x410 |
	     jq '.[0].lifetime.hard_seconds')" = $MAX_SECONDS ] ||
		fail "rx SA 0x410 does not have the hard limit it was given"
}

# The UDP port remembers the tx SAs installed on any of its devices: tt0's
# live tx SA (0xb04) and a retired one (0xb01) are refused on tt1, which
# shares tt0's port, with the same key; tt2, on a port of its own, may.
case_tx_port_history() {
	nl_table "$ns1" <<-EOF
	tt0's live tx SA on tt1 | EEXIST: $PORT_USED | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_TX 0xb04 $SUITE_256 "$K_AB")
	tt0's retired tx SA on tt1 | EEXIST: $PORT_USED | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_TX 0xb01 $SUITE_256 "$K_AB")
	on another port | OK | ADD_SA A_IFNAME:str:tt2 $(sa_nest $DIR_TX 0xb04 $SUITE_256 "$K_AB")
	EOF
	tool_expect "$ns1" 1 "Error: File exists: $PORT_USED" \
		sa add dev tt1 dir tx spi 0xb02 suite aes-gcm-256 key "$K_AB"
}

# An rx key must differ from retired tx keys too, not only from the live
# one: tt1 retired tx SAs under K_3, and its port saw tt0 seal under K_AB.
case_rx_key_retired_tx() {
	nl_table "$ns1" <<-EOF
	tt1's retired tx key | EINVAL: $RX_RETIRED | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0xc10 $SUITE_256 "$K_3")
	tt0's tx key on tt1 | EINVAL: the rx key must differ from the keys of tx SAs installed on UDP port 6081 | ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0xc11 $SUITE_256 "$K_AB")
	EOF
	tool_expect "$ns1" 1 "Error: Invalid argument: $RX_RETIRED" \
		sa add dev tt1 dir rx spi 0xc12 suite aes-gcm-256 key "$K_3"
}

ktap_print_header
ktap_set_plan 19
setup
run_case "SPI 0 is refused" case_spi_zero
run_case "a key of the wrong length for its suite is refused" case_key_length
run_case "an rx key equal to the tx key is refused" case_rx_key_is_tx_key
run_case "a tx key equal to an rx key is refused" case_tx_key_is_rx_key
run_case "the live tx SA cannot be reinstalled" case_live_tx
run_case "a retired tx SPI and key cannot be reinstalled" case_retired_tx
run_case "an rx SPI is unique on its UDP port" case_rx_spi_port
run_case "no more than TLSTUN_MAX_SAS SAs" case_max_sas
run_case "a full device can replace its tx SA" case_max_sas_tx_replace
run_case "a soft limit above its hard limit is refused" case_soft_above_hard
run_case "the replay window must be in range" case_replay_window_range
run_case "a tx SA takes no replay window" case_replay_window_tx
run_case "unknown SA flags are refused" case_sa_flags
run_case "every tx SA starts at counter 0" case_counter_zero
run_case "a new tx SA replaces the old one" case_tx_replaces
run_case "no reply carries a key" case_key_hidden
run_case "time limits are bounded" case_lifetime_max
run_case "a tx SPI and key used on the UDP port cannot be reinstalled" case_tx_port_history
run_case "an rx key equal to a retired tx key is refused" case_rx_key_retired_tx
ktap_finished
