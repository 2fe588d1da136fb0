#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input, from the control plane and from the wire.
#
# Netlink: tables of malformed requests, built byte by byte by nlprobe
# (missing, oversized and wrong-typed attributes, unknown attributes and
# those of other commands, nests that are not nested, strings without a
# NUL, unknown flags, commands and values), each answered with exactly
# the errno and extack message of its row; callers without CAP_NET_ADMIN
# over the network namespace get EPERM for every command and cannot join
# the events group.
#
# UDP: random datagrams, every truncation and every single-bit flip of a
# real tunnel packet, sent to the tunnel port, only move drop counters,
# each datagram exactly one, in the counter its defect calls for; nothing
# reaches tt0 and the kernel logs nothing.
#
#  +---------------- $ns1 ----------------+    +-------------- $ns2 ---------------+
#  |  tt0  10.0.0.1  tx 0xb01, rx 0xa01   |    |  tt0  10.0.0.2  rx 0xb01, tx 0xa01 |
#  |    |                                 |    |    |   (tcpdump: nothing arrives)   |
#  |  veth1  10.0.1.1 ------------------ veth ---- veth2  10.0.1.2  udp 6081 <----  |
#  |  udpprobe: junk, truncations, flips ---------------------------------------+   |
#  +--------------------------------------+    +-----------------------------------+

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/nl/tunnel.sh"

require_cmd ip ping tcpdump jq setpriv unshare

# Random datagrams; the seed is printed, so a failure can be replayed.
RANDOM_COUNT=3000
SEED=${SEED:-$(date +%s)}

# The unprivileged caller: nobody, no capabilities.
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
# root, but without CAP_NET_ADMIN.
NO_NET_ADMIN=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin)

cleanup() {
	cleanup_all
}
trap cleanup EXIT

setup() {
	tunnel_setup
	tunnel_sas
	IDX=$(in_ns "$ns1" tlstun -j link show tt0 | jq -e '.[0].ifindex') ||
		bail "cannot read tt0's ifindex"
	LINK_BEFORE=$(in_ns "$ns1" tlstun link show tt0) ||
		bail "cannot show tt0"
	KLOG_LINES=$(dmesg | wc -l)
	sa_req $DIR_RX 0x900 $SUITE_256 "$K_3"
	GOOD_SA=$SA_REQ
}

# "ADD_SA on tt0 of an rx SA 0x900 whose nest also holds ATTRS".
sa_with() {
	echo "ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX" \
	     "SA_SPI:u32:0x900 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$K_3 $* end"
}

# Which device: exactly one of ifindex and name, of a tlstun device.
case_selector() {
	nl_table "$ns1" <<-EOF
	neither ifindex nor name | EINVAL: name the device by exactly one of ifindex and ifname | GET_DEVICE
	both ifindex and name | EINVAL: name the device by exactly one of ifindex and ifname | GET_DEVICE A_IFINDEX:u32:$IDX A_IFNAME:str:tt0
	no such ifindex | ENODEV: no such device | GET_DEVICE A_IFINDEX:u32:999999
	ifindex 0 | ERANGE: integer out of range @A_IFINDEX | GET_DEVICE A_IFINDEX:u32:0
	no such name | ENODEV: no such device | GET_DEVICE A_IFNAME:str:tt9
	empty name | ENODEV: no such device | GET_DEVICE A_IFNAME:str:
	zero-length name | EINVAL: Attribute failed policy validation @A_IFNAME | GET_DEVICE A_IFNAME:hex:
	name without NUL | EINVAL: Attribute failed policy validation @A_IFNAME | GET_DEVICE A_IFNAME:bytes:tt0
	name of 16 bytes | EINVAL: Attribute failed policy validation @A_IFNAME | GET_DEVICE A_IFNAME:str:0123456789abcdef
	name of 15 bytes | ENODEV: no such device | GET_DEVICE A_IFNAME:str:0123456789abcde
	name padded to 20 bytes | ERANGE: Attribute failed policy validation @A_IFNAME | GET_DEVICE A_IFNAME:hex:7474300000000000000000000000000000000000
	lo by name | EOPNOTSUPP: not a tlstun device | GET_DEVICE A_IFNAME:str:lo
	lo by ifindex | EOPNOTSUPP: not a tlstun device | GET_DEVICE A_IFINDEX:u32:1
	a veth | EOPNOTSUPP: not a tlstun device | GET_DEVICE A_IFNAME:str:veth1
	SET_DEVICE on lo | EOPNOTSUPP: not a tlstun device | SET_DEVICE A_IFINDEX:u32:1 A_TTL:u8:5
	ADD_SA on lo | EOPNOTSUPP: not a tlstun device | ADD_SA A_IFINDEX:u32:1 $GOOD_SA
	DEL_SA on lo | EOPNOTSUPP: not a tlstun device | DEL_SA A_IFINDEX:u32:1 A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xa01 end
	GET_SA dump on lo | EOPNOTSUPP: not a tlstun device | -d GET_SA A_IFINDEX:u32:1
	GET_SA dump, no device | EINVAL: name the device by exactly one of ifindex and ifname | -d GET_SA
	the good request | OK | GET_DEVICE A_IFINDEX:u32:$IDX
	EOF
}

# Integers and binaries of the wrong size.
case_lengths() {
	nl_table "$ns1" <<-EOF
	ifindex as u8 | EINVAL: invalid attribute length @A_IFINDEX | GET_DEVICE A_IFINDEX:u8:$IDX
	ifindex as u64 | EINVAL: invalid attribute length @A_IFINDEX | GET_DEVICE A_IFINDEX:u64:$IDX
	ifindex empty | EINVAL: invalid attribute length @A_IFINDEX | GET_DEVICE A_IFINDEX:flag
	dir as u32 | EINVAL: invalid attribute length @A_SA.SA_DIR | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u32:$DIR_RX SA_SPI:u32:0x900 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$K_3 end
	SPI as u16 | EINVAL: invalid attribute length @A_SA.SA_SPI | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u16:0x900 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$K_3 end
	suite as u8 | EINVAL: invalid attribute length @A_SA.SA_SUITE | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 SA_SUITE:u8:$SUITE_256 SA_KEY:hex:$K_3 end
	limit as u32 | EINVAL: invalid attribute length @A_SA.SA_LIFETIME.LIFETIME_HARD_PACKETS | $(sa_with SA_LIFETIME:nest LIFETIME_HARD_PACKETS:u32:5 end)
	replay window as u16 | EINVAL: invalid attribute length @A_SA.SA_REPLAY_WINDOW | $(sa_with SA_REPLAY_WINDOW:u16:128)
	port as u32 | EINVAL: invalid attribute length @A_PORT | SET_DEVICE A_IFINDEX:u32:$IDX A_PORT:u32:6081
	remote as u8 | EINVAL: invalid attribute length @A_REMOTE | SET_DEVICE A_IFINDEX:u32:$IDX A_REMOTE:u8:1
	remote6 of 4 bytes | ERANGE: binary attribute size out of range @A_REMOTE6 | SET_DEVICE A_IFINDEX:u32:$IDX A_REMOTE6:ip4:10.0.1.2
	key of 15 bytes | ERANGE: binary attribute size out of range @A_SA.SA_KEY | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 SA_SUITE:u16:$SUITE_128 SA_KEY:hex:${K_16:2} end
	key of 33 bytes | ERANGE: binary attribute size out of range @A_SA.SA_KEY | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:${K_3}00 end
	key of 24 bytes | EINVAL: the key of this suite is 32 bytes, not 24 | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:${K_3:0:48} end
	EOF
}

# Attributes unknown to the family, and those of replies, events and
# other commands: each command's policy accepts only its own.
case_unknown_attrs() {
	nl_table "$ns1" <<-EOF
	attribute A_MAX + 1 | EINVAL: Unknown attribute type @A_MAX+1 | GET_DEVICE A_IFINDEX:u32:$IDX A_MAX+1:u32:1
	attribute 0 | EINVAL: Unknown attribute type @0 | GET_DEVICE A_IFINDEX:u32:$IDX 0:u32:1
	attribute 16383 | EINVAL: Unknown attribute type @16383 | GET_DEVICE A_IFINDEX:u32:$IDX 16383:u32:1
	SA attribute SA_MAX + 1 | EINVAL: Unknown attribute type @A_SA.SA_MAX+1 | $(sa_with SA_MAX+1:u32:1)
	lifetime LIFETIME_MAX + 1 | EINVAL: Unknown attribute type @A_SA.SA_LIFETIME.LIFETIME_MAX+1 | $(sa_with SA_LIFETIME:nest LIFETIME_MAX+1:u64:1 end)
	padding | EINVAL: Unsupported attribute @A_PAD | GET_DEVICE A_IFINDEX:u32:$IDX A_PAD:u64:0
	stats in a request | EINVAL: Unsupported attribute @A_STATS | GET_DEVICE A_IFINDEX:u32:$IDX A_STATS:nest STATS_RX_PACKETS:u64:1 end
	SA in GET_DEVICE | EINVAL: Unsupported attribute @A_SA | GET_DEVICE A_IFINDEX:u32:$IDX A_SA:nest end
	tx SPI in SET_DEVICE | EINVAL: Unsupported attribute @A_TX_SPI | SET_DEVICE A_IFINDEX:u32:$IDX A_TX_SPI:u32:1
	SA count in SET_DEVICE | EINVAL: Unsupported attribute @A_SA_COUNT | SET_DEVICE A_IFINDEX:u32:$IDX A_SA_COUNT:u32:0
	expire reason in ADD_SA | EINVAL: Unsupported attribute @A_EXPIRE_REASON | ADD_SA A_IFINDEX:u32:$IDX A_EXPIRE_REASON:u8:1 $GOOD_SA
	device flags in ADD_SA | EINVAL: Unsupported attribute @A_FLAGS | ADD_SA A_IFINDEX:u32:$IDX A_FLAGS:u32:0 $GOOD_SA
	remote in ADD_SA | EINVAL: Unsupported attribute @A_REMOTE | ADD_SA A_IFINDEX:u32:$IDX A_REMOTE:ip4:10.0.1.2 $GOOD_SA
	port in GET_SA | EINVAL: Unsupported attribute @A_PORT | -d GET_SA A_IFINDEX:u32:$IDX A_PORT:u16:6081
	key in DEL_SA | EINVAL: Unsupported attribute @A_SA.SA_KEY | DEL_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xa01 SA_KEY:hex:$K_BA end
	suite in GET_SA | EINVAL: Unsupported attribute @A_SA.SA_SUITE | GET_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xa01 SA_SUITE:u16:$SUITE_256 end
	SA stats in ADD_SA | EINVAL: Unsupported attribute @A_SA.SA_STATS | $(sa_with SA_STATS:nest SA_STATS_PACKETS:u64:0 end)
	SA age in ADD_SA | EINVAL: Unsupported attribute @A_SA.SA_AGE_SECONDS | $(sa_with SA_AGE_SECONDS:u64:0)
	SA state in ADD_SA | EINVAL: Unsupported attribute @A_SA.SA_STATE | $(sa_with SA_STATE:u32:0)
	EOF
}

# Nests must be nests (NLA_F_NESTED, which strict validation requires),
# and nothing else may claim to be one.
case_nesting() {
	nl_table "$ns1" <<-EOF
	SA as u32 | EINVAL: NLA_F_NESTED is missing @A_SA | ADD_SA A_IFINDEX:u32:$IDX A_SA:u32:1
	SA nest without NLA_F_NESTED | EINVAL: NLA_F_NESTED is missing @A_SA | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest0 SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$K_3 end
	lifetime as u64 | EINVAL: NLA_F_NESTED is missing @A_SA.SA_LIFETIME | $(sa_with SA_LIFETIME:u64:5)
	ifindex flagged nested | EINVAL: NLA_F_NESTED not expected @A_IFINDEX | GET_DEVICE A_IFINDEX:nest 0:flag end
	SA nest inside the SA nest | EINVAL: Unknown attribute type @A_SA.A_SA | $(sa_with A_SA:nest end)
	EOF
}

# What a command needs and does not get.
case_missing() {
	nl_table "$ns1" <<-EOF
	ADD_SA without an SA | EINVAL: missing SA attribute | ADD_SA A_IFINDEX:u32:$IDX
	ADD_SA, empty SA | EINVAL: an SA needs dir, spi, suite and key | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest end
	ADD_SA without dir | EINVAL: an SA needs dir, spi, suite and key | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_SPI:u32:0x900 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$K_3 end
	ADD_SA without SPI | EINVAL: an SA needs dir, spi, suite and key | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$K_3 end
	ADD_SA without suite | EINVAL: an SA needs dir, spi, suite and key | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 SA_KEY:hex:$K_3 end
	ADD_SA without key | EINVAL: an SA needs dir, spi, suite and key | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 SA_SUITE:u16:$SUITE_256 end
	ADD_SA without a device | EINVAL: name the device by exactly one of ifindex and ifname | ADD_SA $GOOD_SA
	DEL_SA without an SA | EINVAL: missing SA attribute | DEL_SA A_IFINDEX:u32:$IDX
	DEL_SA without SPI | EINVAL: an SA is named by dir and spi | DEL_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX end
	DEL_SA without dir | EINVAL: an SA is named by dir and spi | DEL_SA A_IFINDEX:u32:$IDX A_SA:nest SA_SPI:u32:0xa01 end
	GET_SA without an SA | EINVAL: missing SA attribute | GET_SA A_IFINDEX:u32:$IDX
	GET_SA without dir | EINVAL: an SA is named by dir and spi | GET_SA A_IFINDEX:u32:$IDX A_SA:nest SA_SPI:u32:0xa01 end
	EOF
}

# Values out of range, SAs that do not exist, strings too long.
case_values() {
	nl_table "$ns1" <<-EOF
	dir 2 | ERANGE: integer out of range @A_SA.SA_DIR | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:2 SA_SPI:u32:0x900 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$K_3 end
	suite 0 | ERANGE: integer out of range @A_SA.SA_SUITE | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 SA_SUITE:u16:0 SA_KEY:hex:$K_3 end
	suite 3 | ERANGE: integer out of range @A_SA.SA_SUITE | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 SA_SUITE:u16:3 SA_KEY:hex:$K_3 end
	SPI 0 | ERANGE: integer out of range @A_SA.SA_SPI | ADD_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$K_3 end
	DEL_SA dir 2 | ERANGE: integer out of range @A_SA.SA_DIR | DEL_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:2 SA_SPI:u32:0xa01 end
	DEL_SA SPI 0 | ERANGE: integer out of range @A_SA.SA_SPI | DEL_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0 end
	DEL_SA of no SA | ENOENT: no rx SA with SPI 0x00000777 | DEL_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x777 end
	GET_SA of no SA | ENOENT: no tx SA with SPI 0x00000a01 | GET_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_TX SA_SPI:u32:0xa01 end
	port 0 | ERANGE: integer out of range @A_PORT | SET_DEVICE A_IFINDEX:u32:$IDX A_PORT:u16:0
	VNI 2^24 | ERANGE: integer out of range @A_VNI | SET_DEVICE A_IFINDEX:u32:$IDX A_VNI:u32:0x1000000
	DF 3 | ERANGE: integer out of range @A_DF | SET_DEVICE A_IFINDEX:u32:$IDX A_DF:u8:3
	multicast remote | EINVAL: remote must be a unicast IPv4 address @A_REMOTE | SET_DEVICE A_IFINDEX:u32:$IDX A_REMOTE:ip4:224.0.0.1
	two remotes | EINVAL: give either an IPv4 or an IPv6 remote, not both @A_REMOTE6 | SET_DEVICE A_IFINDEX:u32:$IDX A_REMOTE:ip4:10.0.1.2 A_REMOTE6:ip6:fd00::2
	peer without NUL | EINVAL: Attribute failed policy validation @A_SA.SA_PEER | $(sa_with SA_PEER:bytes:host-b)
	peer of 128 bytes | EINVAL: Attribute failed policy validation @A_SA.SA_PEER | $(sa_with SA_PEER:str:"$(printf 'p%.0s' {1..128})")
	peer of 127 bytes | OK | $(sa_with SA_PEER:str:"$(printf 'p%.0s' {1..127})")
	and away again | OK | DEL_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0x900 end
	EOF
}

# Flag bits nobody defined: the policies' masks refuse them, so a policy
# dump shows which bits are known.
case_flags() {
	nl_table "$ns1" <<-EOF
	device flag bit 1 | EINVAL: reserved bit set @A_FLAGS | SET_DEVICE A_IFINDEX:u32:$IDX A_FLAGS:u32:2
	every device flag | EINVAL: reserved bit set @A_FLAGS | SET_DEVICE A_IFINDEX:u32:$IDX A_FLAGS:u32:0xffffffff
	SA flag bit 0 | EINVAL: reserved bit set @A_SA.SA_FLAGS | $(sa_with SA_FLAGS:u32:1)
	SA flag bit 31 | EINVAL: reserved bit set @A_SA.SA_FLAGS | $(sa_with SA_FLAGS:u32:0x80000000)
	EOF
}

# Commands the family does not have, events sent as requests, and dumps
# of commands that only act.
case_commands() {
	nl_table "$ns1" <<-EOF
	CMD_MAX + 1 | EOPNOTSUPP | CMD_MAX+1 A_IFINDEX:u32:$IDX
	command 255 | EOPNOTSUPP | 255 A_IFINDEX:u32:$IDX
	CMD_UNSPEC | EOPNOTSUPP | UNSPEC A_IFINDEX:u32:$IDX
	soft-expire event as a request | EOPNOTSUPP | SA_SOFT_EXPIRE A_IFINDEX:u32:$IDX
	hard-expire event as a request | EOPNOTSUPP | SA_HARD_EXPIRE A_IFINDEX:u32:$IDX
	acquire event as a request | EOPNOTSUPP | ACQUIRE A_IFINDEX:u32:$IDX
	dump of SET_DEVICE | EOPNOTSUPP | -d SET_DEVICE A_IFINDEX:u32:$IDX
	dump of ADD_SA | EOPNOTSUPP | -d ADD_SA A_IFINDEX:u32:$IDX $GOOD_SA
	dump of DEL_SA | EOPNOTSUPP | -d DEL_SA A_IFINDEX:u32:$IDX
	dump of ADD_PEER | EOPNOTSUPP | -d ADD_PEER A_IFINDEX:u32:$IDX
	dump of DEL_FDB | EOPNOTSUPP | -d DEL_FDB A_IFINDEX:u32:$IDX
	GET_FDB not as a dump | EOPNOTSUPP | GET_FDB A_IFINDEX:u32:$IDX
	EOF
}

# Nothing refused above, malformed or unprivileged, changed the device.
case_nothing_changed() {
	[ "$(sa_count "$ns1" tt0)" = 2 ] ||
		fail "tt0 holds $(sa_count "$ns1" tt0) SAs, not its 2"
	[ "$(in_ns "$ns1" tlstun link show tt0)" = "$LINK_BEFORE" ] ||
		fail "tt0's configuration changed"
}

# Every command, as a caller without CAP_NET_ADMIN: EPERM, with nothing
# to say (the check comes before any handler), and no events.
unprivileged_table() {
	nl_table "$ns1" <<-EOF
	GET_DEVICE | EPERM | GET_DEVICE A_IFINDEX:u32:$IDX
	GET_DEVICE dump | EPERM | -d GET_DEVICE
	SET_DEVICE (flush) | EPERM | SET_DEVICE A_IFINDEX:u32:$IDX A_FLAGS:u32:1
	ADD_SA | EPERM | ADD_SA A_IFINDEX:u32:$IDX $GOOD_SA
	DEL_SA | EPERM | DEL_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xa01 end
	GET_SA | EPERM | GET_SA A_IFINDEX:u32:$IDX A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xa01 end
	GET_SA dump | EPERM | -d GET_SA A_IFINDEX:u32:$IDX
	ADD_PEER | EPERM | ADD_PEER A_IFINDEX:u32:$IDX A_PEER:nest PEER_ID:u32:7 PEER_REMOTE:ip4:10.0.1.7 end
	SET_PEER | EPERM | SET_PEER A_IFINDEX:u32:$IDX A_PEER:nest PEER_ID:u32:7 end
	DEL_PEER | EPERM | DEL_PEER A_IFINDEX:u32:$IDX A_PEER:nest PEER_ID:u32:7 end
	GET_PEER | EPERM | GET_PEER A_IFINDEX:u32:$IDX A_PEER:nest PEER_ID:u32:0 end
	GET_PEER dump | EPERM | -d GET_PEER A_IFINDEX:u32:$IDX
	ADD_FDB | EPERM | ADD_FDB A_IFINDEX:u32:$IDX A_FDB:nest FDB_MAC:hex:020000000007 FDB_PEER_ID:u32:0 end
	DEL_FDB | EPERM | DEL_FDB A_IFINDEX:u32:$IDX A_FDB:nest FDB_MAC:hex:020000000007 end
	GET_FDB dump | EPERM | -d GET_FDB A_IFINDEX:u32:$IDX
	join the events group | EPERM | join
	EOF
}

case_nobody() {
	local AS=("${NOBODY[@]}")

	unprivileged_table
	tool_expect "$ns1" 1 "Error: Operation not permitted (tlstun needs CAP_NET_ADMIN)" \
		sa show dev tt0
	tool_expect "$ns1" 1 "Error: Operation not permitted (tlstun needs CAP_NET_ADMIN)" \
		sa add dev tt0 dir rx spi 0x900 suite aes-gcm-256 key "$K_3"
	tool_expect "$ns1" 1 'Error: cannot join the "events" multicast group: Operation not permitted (tlstun needs CAP_NET_ADMIN)' \
		monitor
}

case_no_net_admin() {
	local AS=("${NO_NET_ADMIN[@]}")

	unprivileged_table
	tool_expect "$ns1" 1 "Error: Operation not permitted (tlstun needs CAP_NET_ADMIN)" \
		link show tt0
}

# CAP_NET_ADMIN in a user namespace of its own does not cover a network
# namespace owned by the initial one; with a network namespace of its own
# the same caller may do everything.
case_userns() {
	local AS=(unshare -U -r)

	unprivileged_table
	[ "$(unshare -U -r -n "$NLPROBE" -d GET_DEVICE)" = OK ] &&
	[ "$(unshare -U -r -n "$NLPROBE" join)" = OK ] ||
		fail "a caller in its own user and network namespace was refused"
}

# --- the wire ----------------------------------------------------------

# A real tunnel packet, to cut up, and a watch on tt0 for anything that
# gets through.
case_capture() {
	local pcap=$TEST_TMP/real.pcap n

	tcpdump_start "$ns2" veth2 "$pcap" src host 10.0.1.1 and udp dst port 6081 ||
		fail "tcpdump did not start on veth2" || return
	in_ns "$ns1" ping -c 1 -W 5 10.0.0.2 >/dev/null ||
		fail "no ping through the tunnel"
	geneve_wait "$pcap" 0xb01 1
	tcpdump_stop
	n=$(geneve_count "$pcap" 0xb01)
	[ "$n" = 1 ] || fail "captured $n tunnel packets, expected 1" || return
	REAL=$pcap

	INNER=$TEST_TMP/inner.pcap
	tcpdump_start "$ns2" tt0 "$INNER" ||
		fail "tcpdump did not start on tt0"
	STATS_START=$(dev_stats "$ns2" tt0) ||
		fail "cannot read tt0's counters"
}

# udp_junk EXPECT ARGS...: udpprobe ARGS from $ns1 to $ns2's tunnel port;
# then wait until the drop counters of $ns2's tt0 account for every
# datagram, the empty ones included, and check each counter moved by
# EXPECT's amount: a jq object of counter deltas, from the variables
# $sent (datagrams) and $len (the real packet's payload).  No other
# counter may move.
udp_junk() {
	local expect=$1 before after out sent len got
	shift

	before=$(dev_stats "$ns2" tt0) || fail "cannot read counters" || return
	out=$(in_ns "$ns1" "$UDPPROBE" "$@" 10.0.1.2 6081) ||
		fail "udpprobe $*: $out" || return
	read -r _ sent _ _ _ len <<<"$out"
	ktap_print_msg "udpprobe $1: $out"
	wait_for "$WAIT_TIMEOUT" drops_reach "$before" "$sent" ||
		fail "the drop counters account for $(drops_since "$before") of $sent datagrams"
	after=$(dev_stats "$ns2" tt0)
	got=$(jq -cn --argjson a "$before" --argjson b "$after" \
	      '$b | with_entries(.value -= $a[.key]) |
	       with_entries(select(.value != 0))')
	expect=$(jq -cn --argjson sent "$sent" --argjson len "$len" \
		 "$expect | with_entries(select(.value != 0))")
	[ "$(jq -S . <<<"$got")" = "$(jq -S . <<<"$expect")" ] ||
		fail "counters moved by $got, expected $expect"
}

# Drops of $ns2's tt0 since BEFORE, its port's included.
drops_since() {
	jq -n --argjson a "$1" --argjson b "$(dev_stats "$ns2" tt0)" \
		'[$b | to_entries[] | select(.key | test("packets|bytes") | not) |
		  .value - $a[.key]] | add'
}

drops_reach() {
	[ "$(drops_since "$1")" -ge "$2" ]
}

# Random junk is not a tlstun header: all malformed (a random header
# passing the strict parse has odds of about 2^-50).
case_udp_random() {
	ktap_print_msg "seed $SEED (SEED=$SEED VM_ENV=SEED replays it)"
	udp_junk '{port_malformed: $sent}' random $RANDOM_COUNT "$SEED"
}

# Every truncation of a real packet, 0 bytes up: shorter than the Geneve
# header (24) is malformed; shorter than header, Ethernet header and tag
# (54) is too short; the rest fail authentication (wire-format.rst,
# "Receiver").
case_udp_prefixes() {
	udp_junk '{port_malformed: 24, rx_too_short: 30,
		   rx_auth_fail: ($len - 54)}' prefixes "$REAL"
}

# Every single-bit flip of a real packet, by field of the 24-byte header:
# version, option length, O and C bits, protocol, option class, type and
# length are checked (55 bits, malformed); a flipped SPI bit finds no SA
# (32); a flipped VNI bit is the wrong network (24); reserved bits, the
# counter (the nonce), the ciphertext and the tag fail authentication,
# as the whole header is the AAD.
case_udp_bitflips() {
	udp_junk '{port_malformed: 55, port_unknown_spi: 32,
		   rx_vni_mismatch: 24, rx_auth_fail: ($len * 8 - 111)}' \
		bitflips "$REAL"
}

# Nothing of it reached tt0: no frame seen there, no packet counted.
case_udp_nothing_delivered() {
	local n

	n=$(jq -n --argjson a "$STATS_START" \
	    --argjson b "$(dev_stats "$ns2" tt0)" '$b.rx_packets - $a.rx_packets')
	[ "$n" = 0 ] || fail "tt0 received $n packets from the junk"
	tcpdump_stop
	n=$(tcpdump -r "$INNER" -n 2>/dev/null | grep -c '^[^[:space:]]')
	[ "$n" = 0 ] || fail "tcpdump saw $n frames on tt0"
}

# The kernel said nothing about any of it: no warning, no bug, no oops,
# no word from tlstun.
case_kernel_log() {
	local bad

	bad=$(dmesg | tail -n +$((KLOG_LINES + 1)) |
	      grep -iE 'warn|bug|oops|tlstun' | grep -v 'tlstun-selftest:')
	[ -z "$bad" ] || fail "the kernel logged: $bad"
}

ktap_print_header
ktap_set_plan 18
setup
run_case "netlink: the device selector" case_selector
run_case "netlink: attribute lengths" case_lengths
run_case "netlink: unknown and misplaced attributes" case_unknown_attrs
run_case "netlink: nesting" case_nesting
run_case "netlink: missing attributes" case_missing
run_case "netlink: values out of range" case_values
run_case "netlink: unknown flags" case_flags
run_case "netlink: unknown commands" case_commands
run_case "netlink: nobody gets EPERM" case_nobody
run_case "netlink: root without CAP_NET_ADMIN gets EPERM" case_no_net_admin
run_case "netlink: a user namespace's root gets EPERM" case_userns
run_case "netlink: refused requests change nothing" case_nothing_changed
run_case "udp: capture a real tunnel packet" case_capture
run_case "udp: random datagrams are malformed" case_udp_random
run_case "udp: truncated packets" case_udp_prefixes
run_case "udp: bit-flipped packets" case_udp_bitflips
run_case "udp: nothing reaches tt0" case_udp_nothing_delivered
run_case "the kernel log is clean" case_kernel_log
ktap_finished
