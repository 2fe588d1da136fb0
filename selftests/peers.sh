#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One tlstun device, many peers: four nodes on one underlay bridge, each
# with one tt0 that has the three others as peers, SAs installed by hand
# per pair:
#
#        +-- $n1 --+   +-- $n2 --+   +-- $n3 --+   +-- $n4 --+
#        | tt0 .8.1|   | tt0 .8.2|   | tt0 .8.3|   | tt0 .8.4|
#        | u0  .9.1|   | u0  .9.2|   | u0  .9.3|   | u0  .9.4|
#        +----|----+   +----|----+   +----|----+   +----|----+
#             h1            h2            h3            h4
#        +-------------------- $hub: br0 ---------------------+
#
# tt0 of node N is 10.0.8.N/24 with MAC 02:00:00:00:08:0N; the underlay is
# 10.0.9.N/24. On node I, peer J (id J) is node J, and I seals for J under
# SPI 0x1000 + 16 * I + J, which J opens under peer id I.
#
# Cases: every node pings every other; a broadcast reaches every peer, one
# copy per peer under that peer's SA; learned FDB entries name each peer;
# known unicast goes to its peer alone; a static MAC cannot be claimed by
# another peer (where it is only learned, it can); rekeying one peer loses
# nothing for the others; a removed peer loses its SAs and FDB entries at
# once, with events, while the others keep flowing; learned entries age
# out; learning is bounded per peer and counted; 1000 peers and 65536 FDB
# entries on one device.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/nl/tunnel.sh"

TTPKT=$LIB_DIR/tools/ttpkt
NODES="1 2 3 4"

require_cmd ip ping tcpdump tlstun
[ -x "$TTPKT" ] || bail "$TTPKT is not built: make -C selftests/tools"
[ -x "$NLPROBE" ] || bail "$NLPROBE is not built: make -C selftests/nl"

cleanup() {
	cleanup_all
}
trap cleanup EXIT

# node N: the namespace of node N.
node() {
	local var=n$1

	echo "${!var}"
}

mac_of() {
	echo "02:00:00:00:08:0$1"
}

spi_of() {
	printf '0x%08x' $(($1 + 16 * $2 + $3))
}

# sa_one BASE I J: I seals for J under a fresh key, J opens it as peer I.
sa_one() {
	local spi key

	spi=$(spi_of "$1" "$2" "$3")
	key=$(tlstun_key 16)
	in_ns "$(node "$3")" tlstun sa add dev tt0 dir rx spi "$spi" \
		suite aes-gcm-128 key "$key" peer-id "$2" &&
	in_ns "$(node "$2")" tlstun sa add dev tt0 dir tx spi "$spi" \
		suite aes-gcm-128 key "$key" peer-id "$3"
}

setup() {
	local i j

	setup_ns hub n1 n2 n3 n4
	ip -n "$hub" link add br0 type bridge &&
	ip -n "$hub" link set br0 up || bail "cannot make the underlay bridge"
	for i in $NODES; do
		add_veth "$(node "$i")" u0 "$hub" "h$i" &&
		ip -n "$hub" link set "h$i" master br0 &&
		ip -n "$(node "$i")" addr add "10.0.9.$i/24" dev u0 &&
		tlstun_dev "$(node "$i")" tt0 "10.0.8.$i/24" &&
		ip -n "$(node "$i")" link set tt0 address "$(mac_of "$i")" ||
			bail "cannot set up node $i"
		for j in $NODES; do
			[ "$i" = "$j" ] && continue
			in_ns "$(node "$i")" tlstun peer add dev tt0 id "$j" \
				remote "10.0.9.$j" label "node-$j" ||
				bail "cannot add peer $j on node $i"
		done
	done
	for i in $NODES; do
		for j in $NODES; do
			[ "$i" = "$j" ] || sa_one 0x1000 "$i" "$j" ||
				bail "cannot install the SAs from $i to $j"
		done
	done
	for i in $NODES; do
		ip -n "$(node "$i")" link set tt0 up || bail "tt0 of node $i stays down"
	done
}

# peer_stat I J NAME: counter NAME of peer J on node I.
peer_stat() {
	in_ns "$(node "$1")" tlstun -s -j peer show dev tt0 id "$2" | json_num "$3"
}

ping_ok() {
	in_ns "$(node "$1")" ping -q -c 2 -i 0.2 -W 5 "10.0.8.$2" >/dev/null
}

# fdb_has I MAC PEER TYPE: node I's FDB maps MAC to PEER, learned or static.
fdb_has() {
	in_ns "$(node "$1")" tlstun fdb show dev tt0 |
		grep -q "^$2 dev tt0 peer-id $3 $4"
}

case_mesh() {
	local i j

	for i in $NODES; do
		for j in $NODES; do
			[ "$i" = "$j" ] && continue
			ping_ok "$i" "$j" || fail "node $i cannot ping node $j"
		done
	done
}

# opened_more I J N: node I opened more than N frames from node J.
opened_more() {
	[ "$(peer_stat "$1" "$2" rx_packets)" -gt "$3" ]
}

# n1 forgets node 2's MAC and pings it: its ARP request is a broadcast,
# sealed once per peer under that peer's tx SA, and nodes 3 and 4 open
# their copies though the question is not theirs. (A copy may be sealed
# asynchronously and leave after the echo requests: the capture runs
# until both copies are in it.)
case_broadcast() {
	local pcap=$TEST_TMP/bcast.pcap r3 r4 out j

	r3=$(peer_stat 3 1 rx_packets) && r4=$(peer_stat 4 1 rx_packets) ||
		fail "no peer counters" || return
	ip -n "$n1" neigh flush dev tt0
	tcpdump_start "$hub" h1 "$pcap" -s 128 src host 10.0.9.1 and udp port 6081 ||
		fail "tcpdump did not start on h1" || return
	ping_ok 1 2 || fail "node 1 cannot ping node 2 after a neighbour flush"
	wait_for "$WAIT_TIMEOUT" opened_more 3 1 "$r3" ||
		fail "node 3 opened nothing from node 1: the broadcast missed it"
	wait_for "$WAIT_TIMEOUT" opened_more 4 1 "$r4" ||
		fail "node 4 opened nothing from node 1: the broadcast missed it"
	for j in 3 4; do
		tcpdump_wait_count "$pcap" 1 dst host "10.0.9.$j" ||
			fail "the capture on h1 holds nothing for node $j"
	done
	tcpdump_stop
	out=$("$TTPKT" check -o unique -s "$(spi_of 0x1000 1 2)" \
		-s "$(spi_of 0x1000 1 3)" -s "$(spi_of 0x1000 1 4)" "$pcap" 2>&1) ||
		fail "underlay capture: $out" || return
	ktap_print_msg "${out//$'\n'/; }"
	for j in 3 4; do
		echo "$out" | grep -q "^spi $(spi_of 0x1000 1 $j) packets" ||
			fail "no copy under node 1's SA for node $j"
	done
}

case_learned() {
	local i j

	for i in $NODES; do
		for j in $NODES; do
			[ "$i" = "$j" ] && continue
			fdb_has "$i" "$(mac_of "$j")" "$j" learned ||
				fail "node $i has not learned $(mac_of "$j") behind peer $j: $(in_ns "$(node "$i")" tlstun fdb show dev tt0 | xargs)"
		done
	done
	[ "$(in_ns "$n1" tlstun -j peer show dev tt0 id 2 | json_num fdb_learned)" = 1 ] ||
		fail "peer 2 of node 1 does not count one learned entry"
}

# Once node 2's MAC is known, frames for it go to peer 2 only.
case_unicast() {
	local r2 r3

	r2=$(peer_stat 2 1 rx_packets) && r3=$(peer_stat 3 1 rx_packets) ||
		fail "no peer counters" || return
	in_ns "$n1" ping -q -c 5 -i 0.1 -W 5 10.0.8.2 >/dev/null ||
		fail "node 1 cannot ping node 2" || return
	[ "$(peer_stat 2 1 rx_packets)" -ge $((r2 + 5)) ] ||
		fail "node 2 did not get the 5 echo requests"
	[ "$(peer_stat 3 1 rx_packets)" = "$r3" ] ||
		fail "node 3 got frames for node 2: $r3 -> $(peer_stat 3 1 rx_packets)"
}

# stat_is NS NAME N: tt0's counter NAME in NS is N.
stat_is() {
	[ "$(tlstun_stat "$1" tt0 "$2")" = "$3" ]
}

# Node 2 sends frames with node 3's MAC as source. Node 1, where that MAC
# is static, drops them and counts it; node 4, where it is only learned,
# moves it behind peer 2, as a bridge would.
case_static() {
	local frame1 frame4 drops0 drops1 src

	src=020000000803
	in_ns "$n1" tlstun fdb add dev tt0 mac "$(mac_of 3)" peer-id 3 ||
		fail "cannot add a static entry on node 1" || return
	fdb_has 1 "$(mac_of 3)" 3 static ||
		fail "node 1 does not list the static entry" || return
	drops0=$(tlstun_stat "$n1" tt0 rx_mac_static) ||
		fail "no rx_mac_static counter" || return
	frame1=020000000801${src}88b5$(printf '%0120d' 0)
	frame4=020000000804${src}88b5$(printf '%0120d' 0)
	in_ns "$n2" "$TTPKT" send-eth tt0 "$frame1" &&
	in_ns "$n2" "$TTPKT" send-eth tt0 "$frame4" ||
		fail "cannot send the spoofed frames" || return
	wait_for "$WAIT_TIMEOUT" fdb_has 4 "$(mac_of 3)" 2 learned ||
		fail "node 4 did not move $(mac_of 3) behind peer 2" || return
	wait_for "$WAIT_TIMEOUT" stat_is "$n1" rx_mac_static $((drops0 + 1))
	drops1=$(tlstun_stat "$n1" tt0 rx_mac_static)
	[ "$drops1" = $((drops0 + 1)) ] ||
		fail "node 1 counted rx_mac_static $drops0 -> $drops1, not one drop"
	fdb_has 1 "$(mac_of 3)" 3 static ||
		fail "node 1's static entry moved: $(in_ns "$n1" tlstun fdb show dev tt0 | xargs)"
	ping_ok 1 3 || fail "node 1 cannot reach node 3 through its static entry"
	# Node 3 speaks again and node 4 learns it back.
	ping_ok 3 4 || fail "node 3 cannot ping node 4"
	fdb_has 4 "$(mac_of 3)" 3 learned ||
		fail "node 4 did not learn $(mac_of 3) back behind peer 3"
	in_ns "$n1" tlstun fdb add dev tt0 mac "$(mac_of 3)" peer-id 2 2>/dev/null &&
		fail "a static entry was replaced without \"replace\""
	in_ns "$n1" tlstun fdb del dev tt0 mac "$(mac_of 3)" ||
		fail "cannot delete the static entry"
}

# bg_ping I J COUNT OUT: a ping from node I to node J in the background.
bg_ping() {
	bg ip netns exec "$(node "$1")" ping -q -c "$3" -i 0.02 -W 5 \
		"10.0.8.$2" >"$4" 2>&1
}

no_loss() {
	grep -q ' 0% packet loss' "$1"
}

# Node 1 and node 2 rekey (make-before-break, both directions) while node
# 1 pings nodes 2 and 3: no echo is lost on either.
case_rekey_one() {
	local p2=$TEST_TMP/rekey2.ping p3=$TEST_TMP/rekey3.ping pid2 pid3 i j

	bg_ping 1 3 200 "$p3"
	pid3=$BG_PID
	bg_ping 1 2 200 "$p2"
	pid2=$BG_PID
	for i in 1 2; do
		j=$((3 - i))
		sa_one 0x2000 "$i" "$j" ||
			fail "cannot install the new SAs from $i to $j" || return
	done
	for i in 1 2; do
		j=$((3 - i))
		# The old rx SA goes once a new-SPI packet was opened.
		wait_for "$WAIT_TIMEOUT" sa_used "$j" "$(spi_of 0x2000 "$i" "$j")" ||
			fail "node $j opened nothing under the new SA from $i" || return
		in_ns "$(node "$j")" tlstun sa del dev tt0 dir rx \
			spi "$(spi_of 0x1000 "$i" "$j")" ||
			fail "cannot delete the old rx SA on node $j" || return
	done
	wait "$pid2"
	wait "$pid3"
	no_loss "$p3" || fail "node 3 lost echoes during peer 2's rekey: $(tail -2 "$p3" | xargs)"
	no_loss "$p2" || fail "node 2 lost echoes during its own rekey: $(tail -2 "$p2" | xargs)"
	[ "$(in_ns "$n1" tlstun -j peer show dev tt0 id 2 | json_num tx_spi)" = \
	  $(($(spi_of 0x2000 1 2))) ] || fail "peer 2 of node 1 does not seal under the new SPI"
	[ "$(in_ns "$n1" tlstun -j peer show dev tt0 id 3 | json_num tx_spi)" = \
	  $(($(spi_of 0x1000 1 3))) ] || fail "peer 3 of node 1 changed SPI with peer 2's rekey"
}

# sa_used NODE SPI: NODE opened a packet under its rx SA SPI.
sa_used() {
	[ "$(tlstun_sa_stat "$(node "$1")" tt0 rx "$2" packets)" -gt 0 ] 2>/dev/null
}

case_remove() {
	local p3=$TEST_TMP/remove3.ping ev=$TEST_TMP/events.json pid3 n

	bg ip netns exec "$n1" tlstun -j monitor dev tt0 >"$ev" 2>"$ev.err"
	wait_for "$WAIT_TIMEOUT" file_has "$ev.err" "listening" ||
		fail "the monitor did not start" || return
	bg_ping 1 3 150 "$p3"
	pid3=$BG_PID
	in_ns "$n1" tlstun peer del dev tt0 id 4 ||
		fail "cannot remove peer 4" || return
	n=$(in_ns "$n1" tlstun -j sa show dev tt0 | grep -o '"peer_id":4[,}]' | wc -l)
	[ "$n" = 0 ] || fail "node 1 still holds $n SAs of peer 4"
	in_ns "$n1" tlstun fdb show dev tt0 | grep -q "peer-id 4 " &&
		fail "node 1 still has FDB entries for peer 4"
	in_ns "$n1" tlstun peer show dev tt0 id 4 >/dev/null 2>&1 &&
		fail "peer 4 is still listed"
	[ "$(in_ns "$n1" tlstun -j link show tt0 | json_num peer_count)" = 2 ] ||
		fail "node 1 does not count 2 peers"
	in_ns "$n1" ping -q -c 1 -W 1 10.0.8.4 >/dev/null 2>&1 &&
		fail "node 1 still reaches node 4"
	wait "$pid3"
	no_loss "$p3" || fail "node 3 lost echoes while peer 4 was removed: $(tail -2 "$p3" | xargs)"
	ping_ok 1 2 || fail "node 1 lost node 2 with peer 4"
	wait_for "$WAIT_TIMEOUT" file_has "$ev" '"event":"peer-del".*"peer_id":4' ||
		fail "no peer-del event: $(head -c 300 "$ev")"
	file_has "$ev" "\"event\":\"fdb-del\".*\"mac\":\"$(mac_of 4)\"" ||
		fail "no fdb-del event for $(mac_of 4): $(head -c 300 "$ev")"
}

no_learned() {
	! in_ns "$n1" tlstun fdb show dev tt0 | grep -q learned
}

case_ageing() {
	in_ns "$n1" tlstun fdb show dev tt0 | grep -q learned ||
		fail "node 1 has no learned entry to age" || return
	in_ns "$n1" tlstun fdb set dev tt0 ageing 1 ||
		fail "cannot set the ageing time" || return
	[ "$(in_ns "$n1" tlstun -j link show tt0 | json_num fdb_ageing)" = 1 ] ||
		fail "link show does not report the ageing time"
	wait_for 15 no_learned ||
		fail "learned entries did not age out: $(in_ns "$n1" tlstun fdb show dev tt0 | xargs)"
	in_ns "$n1" tlstun fdb set dev tt0 ageing 0 2>/dev/null &&
		fail "ageing 0 was accepted"
	in_ns "$n1" tlstun fdb set dev tt0 ageing 300
	ping_ok 1 2 || fail "node 1 cannot ping node 2 once its entries aged out"
}

# learned_is I J N: node I counts N learned FDB entries behind peer J.
learned_is() {
	[ "$(in_ns "$(node "$1")" tlstun -j peer show dev tt0 id "$2" |
	     json_num fdb_learned)" = "$3" ]
}

# Node 2 sends node 1 frames from 4200 source MACs, one process, paced:
# node 1 learns TLSTUN_FDB_PEER_LEARN_MAX (4096) of them behind peer 2,
# counts the others as fdb_learn_full, and still delivers every frame.
case_learn_bound() {
	local full0 full1 rx0 rx1

	full0=$(tlstun_stat "$n1" tt0 fdb_learn_full) &&
	rx0=$(peer_stat 1 2 rx_packets) || fail "no counters" || return
	in_ns "$n2" python3 -c 'import socket, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("tt0", 0))
dst = bytes.fromhex("020000000801")
for i in range(4200):
	s.send(dst + bytes([0x02, 0x77, 0, 0, i >> 8, i & 0xff]) +
	       b"\x88\xb5" + bytes(46))
	if i % 50 == 49:
		time.sleep(0.002)' || fail "cannot send the frames" || return
	wait_for "$WAIT_TIMEOUT" learned_is 1 2 4096 ||
		fail "node 1 learned $(in_ns "$n1" tlstun -j peer show dev tt0 id 2 | json_num fdb_learned) entries behind peer 2, not 4096" || return
	full1=$(tlstun_stat "$n1" tt0 fdb_learn_full)
	rx1=$(peer_stat 1 2 rx_packets)
	ktap_print_msg "fdb_learn_full +$((full1 - full0)), peer 2 rx_packets +$((rx1 - rx0))"
	[ "$full1" -gt "$full0" ] || fail "no fdb_learn_full counted"
	[ $((rx1 - rx0)) -ge 4100 ] ||
		fail "node 1 delivered $((rx1 - rx0)) of the 4200 frames"
	# Node 3's share is its own: it still learns.
	ping_ok 3 1 || fail "node 3 cannot ping node 1"
	fdb_has 1 "$(mac_of 3)" 3 learned ||
		fail "node 1 no longer learns behind peer 3"
	in_ns "$n1" tlstun fdb set dev tt0 ageing 1 &&
	wait_for 15 learned_is 1 2 0 &&
	in_ns "$n1" tlstun fdb set dev tt0 ageing 300 ||
		fail "peer 2's learned entries did not age out"
}

# Every malformed or impossible peer, FDB and peer-SA request is refused
# with its reason, and changes nothing.
case_bad_requests() {
	local idx long

	idx=$(in_ns "$n1" cat /sys/class/net/tt0/ifindex) ||
		fail "no ifindex for tt0" || return
	long=$(printf 'x%.0s' {1..128})
	sa_req $DIR_RX 0x777 $SUITE_256 "$K_3"
	nl_table "$n1" <<-EOF
	peer without a nest | EINVAL: missing peer attribute | ADD_PEER A_IFINDEX:u32:$idx
	peer without an id | EINVAL: a peer needs an id and a remote | ADD_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_REMOTE:ip4:10.0.9.7 end
	peer without a remote | EINVAL: a peer needs an id and a remote | ADD_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:7 end
	peer id 0 | ERANGE: integer out of range @A_PEER.PEER_ID | ADD_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:0 PEER_REMOTE:ip4:10.0.9.7 end
	multicast remote | EINVAL: remote must be a unicast IPv4 address @A_PEER.PEER_REMOTE | ADD_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:7 PEER_REMOTE:ip4:224.0.0.1 end
	two remotes | EINVAL: give either an IPv4 or an IPv6 remote, not both @A_PEER.PEER_REMOTE6 | ADD_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:7 PEER_REMOTE:ip4:10.0.9.7 PEER_REMOTE6:ip6:fd00::7 end
	port 0 | ERANGE: integer out of range @A_PEER.PEER_PORT | ADD_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:7 PEER_REMOTE:ip4:10.0.9.7 PEER_PORT:u16:0 end
	label of 128 bytes | EINVAL: Attribute failed policy validation @A_PEER.PEER_LABEL | ADD_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:7 PEER_REMOTE:ip4:10.0.9.7 PEER_LABEL:str:$long end
	a reply attribute | EINVAL: Unsupported attribute @A_PEER.PEER_TX_SPI | ADD_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:7 PEER_REMOTE:ip4:10.0.9.7 PEER_TX_SPI:u32:1 end
	an id in use | EEXIST: peer 2 exists | ADD_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:2 PEER_REMOTE:ip4:10.0.9.7 end
	set of no peer | ENOENT: no peer 99 on tt0 | SET_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:99 PEER_PORT:u16:7 end
	delete peer 0 | EINVAL: peer 0 is the device's own: flush its SAs or delete the device | DEL_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:0 end
	delete no peer | ENOENT: no peer 99 on tt0 | DEL_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:99 end
	get no peer | ENOENT: no peer 99 on tt0 | GET_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:99 end
	get peer 0 | OK | GET_PEER A_IFINDEX:u32:$idx A_PEER:nest PEER_ID:u32:0 end
	multicast MAC | EINVAL: an FDB entry is for a unicast MAC address | ADD_FDB A_IFINDEX:u32:$idx A_FDB:nest FDB_MAC:hex:01005e000001 FDB_PEER_ID:u32:2 end
	MAC of 5 bytes | ERANGE: binary attribute size out of range @A_FDB.FDB_MAC | ADD_FDB A_IFINDEX:u32:$idx A_FDB:nest FDB_MAC:hex:0200000007 FDB_PEER_ID:u32:2 end
	entry without a peer | EINVAL: an FDB entry needs a MAC and a peer id | ADD_FDB A_IFINDEX:u32:$idx A_FDB:nest FDB_MAC:hex:020000000007 end
	entry for no peer | ENOENT: no peer 99 on tt0 | ADD_FDB A_IFINDEX:u32:$idx A_FDB:nest FDB_MAC:hex:020000000007 FDB_PEER_ID:u32:99 end
	delete no entry | ENOENT: no FDB entry for 02:99:00:00:00:01 | DEL_FDB A_IFINDEX:u32:$idx A_FDB:nest FDB_MAC:hex:029900000001 end
	ageing 0 | ERANGE: integer out of range @A_FDB_AGEING | SET_DEVICE A_IFINDEX:u32:$idx A_FDB_AGEING:u32:0
	SA of no peer | ENOENT: no peer 99 on tt0 | ADD_SA A_IFINDEX:u32:$idx A_PEER_ID:u32:99 $SA_REQ
	peer 3's tx SA as peer 0's | ENOENT: no tx SA with SPI $(spi_of 0x1000 1 3) | DEL_SA A_IFINDEX:u32:$idx A_SA:nest SA_DIR:u8:$DIR_TX SA_SPI:u32:$(spi_of 0x1000 1 3) end
	EOF
	[ "$(in_ns "$n1" tlstun -j link show tt0 | json_num peer_count)" = 2 ] ||
		fail "the refused requests changed the peers"
	[ "$(in_ns "$n1" tlstun -j peer show dev tt0 id 3 | json_num tx_spi)" = \
	  $(($(spi_of 0x1000 1 3))) ] || fail "peer 3 lost its tx SA"
}

# Seconds from $1 to $2, two $EPOCHREALTIME readings.
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

# tt9 of node 1 (port 6082, its own): 1000 peers, then the FDB filled to
# its bound with static entries (entry I behind peer I % 1000 + 1), all
# through one netlink socket, timed.
case_scale() {
	local ifindex t0 t1 t2 ok out n of500

	in_ns "$n1" tlstun link add tt9 port 6082 ||
		fail "cannot add tt9" || return
	ifindex=$(in_ns "$n1" cat /sys/class/net/tt9/ifindex) ||
		fail "no ifindex for tt9" || return
	t0=$EPOCHREALTIME
	ok=$(awk -v dev="$ifindex" 'BEGIN { for (i = 1; i <= 1000; i++)
		printf "ADD_PEER A_IFINDEX:u32:%d A_PEER:nest PEER_ID:u32:%d PEER_REMOTE:ip4:10.1.%d.%d end\n",
			dev, i, int(i / 250), i % 250 + 1 }' |
		in_ns "$n1" "$NLPROBE" - | grep -c '^OK$')
	t1=$EPOCHREALTIME
	[ "$ok" = 1000 ] || fail "$ok of 1000 peers added" || return
	ok=$(awk -v dev="$ifindex" 'BEGIN { for (i = 0; i < 65536; i++)
		printf "ADD_FDB A_IFINDEX:u32:%d A_FDB:nest FDB_MAC:hex:0203%08x FDB_PEER_ID:u32:%d end\n",
			dev, i, i % 1000 + 1 }' |
		in_ns "$n1" "$NLPROBE" - | grep -c '^OK$')
	t2=$EPOCHREALTIME
	[ "$ok" = 65536 ] || fail "$ok of 65536 FDB entries added" || return
	ktap_print_msg "1000 peers in $(elapsed "$t0" "$t1") s, 65536 FDB entries in $(elapsed "$t1" "$t2") s (TCG)"
	out=$(in_ns "$n1" "$NLPROBE" ADD_FDB A_IFINDEX:u32:"$ifindex" A_FDB:nest \
		FDB_MAC:hex:020400000001 FDB_PEER_ID:u32:1 end | tail -1)
	[[ $out == ENOSPC* ]] || fail "entry 65537 was not refused with ENOSPC: $out"
	[ "$(in_ns "$n1" tlstun -j link show tt9 | json_num peer_count)" = 1000 ] ||
		fail "tt9 does not count 1000 peers"
	[ "$(in_ns "$n1" tlstun -j link show tt9 | json_num fdb_count)" = 65536 ] ||
		fail "tt9 does not count 65536 FDB entries"
	n=$(in_ns "$n1" tlstun fdb show dev tt9 | wc -l)
	[ "$n" = 65536 ] || fail "the FDB dump lists $n entries, not 65536"
	n=$(in_ns "$n1" tlstun peer show dev tt9 | grep -c '^dev tt9 id ')
	[ "$n" = 1000 ] || fail "the peer dump lists $n peers, not 1000"
	t0=$EPOCHREALTIME
	in_ns "$n1" tlstun peer del dev tt9 id 500 || fail "cannot remove peer 500"
	t1=$EPOCHREALTIME
	of500=$(((65535 - 499) / 1000 + 1))
	[ "$(in_ns "$n1" tlstun -j link show tt9 | json_num fdb_count)" = \
	  $((65536 - of500)) ] ||
		fail "removing peer 500 did not remove its $of500 entries"
	ip -n "$n1" link del tt9 || fail "cannot delete tt9"
	t2=$EPOCHREALTIME
	ktap_print_msg "one peer and its $of500 entries removed in $(elapsed "$t0" "$t1") s, then the device with 999 peers and $((65536 - of500)) entries in $(elapsed "$t1" "$t2") s"
}

ktap_print_header
ktap_set_plan 11
setup
run_case "every node pings every other" case_mesh
run_case "a broadcast reaches every peer under its own SA" case_broadcast
run_case "learned FDB entries name each peer" case_learned
run_case "known unicast goes to its peer alone" case_unicast
run_case "a static MAC cannot be claimed by another peer" case_static
run_case "rekeying one peer loses nothing for the others" case_rekey_one
run_case "a removed peer loses its SAs and FDB entries at once" case_remove
run_case "learned FDB entries age out" case_ageing
run_case "learning is bounded per peer, counted, frames still delivered" case_learn_bound
run_case "bad peer and FDB requests are refused" case_bad_requests
run_case "1000 peers and 65536 FDB entries on one device" case_scale
ktap_finished
