#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Control-plane changes while packets and dumps are in flight, and what a
# request leaves behind: a port move does not hide other devices' rx SAs
# from the receive path; once DEL_SA returns nothing more is delivered
# under the SA, not even what was queued; the memory SAs take is charged
# to the memory cgroup of whoever added them; no copy of a key survives in
# a request the kernel handled, whether it accepted it or not; and a dump
# that SAs or devices change under is flagged NLM_F_DUMP_INTR.
#
#  +---------------- $ns1 ----------------+      +------- $ns2 --------+
#  |  tt0  10.0.0.1  udp 6081             |      |  tt0  10.0.0.2      |
#  |       rx 0xa01 (K_BA), tx 0xb01      |      |       tx 0xa01      |
#  |  tt1  udp 6081 <-> 7000, 200 rx SAs  |      |       rx 0xb01      |
#  |       in 0xa01's hash bucket         |      |                     |
#  |  tt3  udp 7003 (memory cgroup case)  |      |  iperf3 -c / ping   |
#  |  nlmon0 (key wipe case)              |      |                     |
#  |  veth1  10.0.1.1 ------------------- veth ---- veth2  10.0.1.2    |
#  +--------------------------------------+      +---------------------+
#
#  +---- $ns3 ----+  d0..d11, for the dumps
#  +--------------+

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/nl/tunnel.sh"

require_cmd ip ping iperf3 jq nproc

# TLSTUN_PORT_HASH_BITS of kmod/port.h: the port's SPI table has 256
# buckets, hash_32(spi, 8).
HASH_BITS=8

CGROUP=

cleanup() {
	cleanup_all
	[ -n "$CGROUP" ] && rmdir "$CGROUP" 2>/dev/null
}
trap cleanup EXIT

setup() {
	tunnel_setup
	tunnel_sas
	in_ns "$ns1" tlstun link add tt1 remote 10.0.1.3 ||
		bail "cannot create tt1"
	in_ns "$ns1" ping -c 1 -W 5 10.0.0.2 >/dev/null ||
		bail "no ping through the tunnel"
}

bucket() {
	echo $(( ((($1) * 0x61C88647) & 0xffffffff) >> (32 - HASH_BITS) ))
}

# A lookup walks its bucket's chain; one that stood on a node of tt1 while
# the node moved to the other port's table used to go on in that table and
# miss 0xa01 behind it.  tt1's SAs are added after 0xa01, so they come
# first in its chain, and moved to port 7000 and back while ns2 pings
# tt0: not one packet may miss its SA.
case_port_move() {
	local want spi n=0 i rx0 rx1 miss0 miss1

	want=$(bucket 0xa01)
	nl_setup "$ns1" < <(
		for ((spi = 0x10000; n < 200; spi++)); do
			[ "$(( ((spi * 0x61C88647) & 0xffffffff) >> (32 - HASH_BITS) ))" = "$want" ] ||
				continue
			n=$((n + 1))
			sa_req $DIR_RX $spi $SUITE_256 "$K_3"
			echo "tt1 rx $spi | OK | ADD_SA A_IFNAME:str:tt1 $SA_REQ"
		done
	)
	miss0=$(dev_stat "$ns1" tt0 port_unknown_spi) &&
	rx0=$(dev_stat "$ns1" tt0 rx_packets) || fail "no counters" || return
	bg ip netns exec "$ns2" ping -q -f -w 60 10.0.0.1 >/dev/null
	nl_table "$ns1" < <(
		for ((i = 0; i < 100; i++)); do
			echo "to 7000 | OK | SET_DEVICE A_IFNAME:str:tt1 A_PORT:u16:7000"
			echo "to 6081 | OK | SET_DEVICE A_IFNAME:str:tt1 A_PORT:u16:6081"
		done
	)
	cleanup_bg
	miss1=$(dev_stat "$ns1" tt0 port_unknown_spi) &&
	rx1=$(dev_stat "$ns1" tt0 rx_packets) || fail "no counters" || return
	ktap_print_msg "$((rx1 - rx0)) packets opened during the moves, $((miss1 - miss0)) missed their SA"
	[ $((rx1 - rx0)) -ge 100 ] ||
		fail "only $((rx1 - rx0)) packets reached tt0 during the moves"
	[ "$miss1" = "$miss0" ] ||
		fail "$((miss1 - miss0)) packets for 0xa01 found no SA while tt1 moved"
}

# rx_of: tt0's rx_packets, from nlprobe -p GET_DEVICE output on stdin.
rx_of() {
	awk '$1 == "A_STATS.STATS_RX_PACKETS" { print $3 }'
}

# No event says the receive queue is empty: the counters stood still for
# half a second.
quiet_pair() {
	local a b

	a=$(dev_stats "$ns1" tt0 | jq -c '[.rx_packets, .rx_sa_deleted]')
	sleep 0.5
	b=$(dev_stats "$ns1" tt0 | jq -c '[.rx_packets, .rx_sa_deleted]')
	[ "$a" = "$b" ]
}

# ns2 floods tt0 with big datagrams and pings it; tt0's rx SA is deleted
# meanwhile.  What was opened once DEL_SA returned is dropped and counted,
# not delivered: rx_packets moves by at most one frame per CPU (a delivery
# past its check when DEL_SA ran).
#
# Frames must be queued when DEL_SA runs, or nothing is shown.  The flood
# and its softirq run on CPU 0, so big frames are opened by the receive
# work on CPU 1 (cpumask_next_wrap() in kmod/receive.c); a SCHED_FIFO busy
# loop on CPU 1 leaves that work only what RT throttling gives the other
# classes, so the ring fills.  DEL_SA is sent once tt0 counts queue-full
# drops, that is with the ring full; the loop is stopped and what was
# queued must be dropped as sa-deleted.  The work may run in its throttled
# slice at that moment and empty the ring, so the case tries again, up to
# five times.
case_del_queued() {
	local out=$TEST_TMP/del.txt at after deleted=0 cpus full0 rx0 try
	local hog

	cpus=$(nproc)
	[ "$cpus" -ge 2 ] || { skip "one CPU: nothing is queued"; return; }
	require_cmd chrt taskset
	# Everything this shell starts from here runs on CPU 0.
	taskset -pc 0 $$ >/dev/null || fail "cannot pin the test to CPU 0" || return
	iperf3_server "$ns1" 5301 || fail "no iperf3 server" || return
	bg ip netns exec "$ns2" iperf3 -c 10.0.0.1 -p 5301 -u -b 0 -l 1400 \
		-t 120 >"$TEST_TMP/iperf3-c.log" 2>&1
	bg ip netns exec "$ns2" ping -q -f -w 120 10.0.0.1 >/dev/null
	for ((try = 1; try <= 5 && deleted == 0; try++)); do
		rx0=$(dev_stat "$ns1" tt0 rx_packets) ||
			fail "no counters" || break
		wait_for "$WAIT_TIMEOUT" rx_above $((rx0 + 1000)) ||
			fail "the flood does not reach tt0" || break
		full0=$(dev_stat "$ns1" tt0 rx_queue_full)
		taskset -c 1 chrt -f 10 sh -c 'while :; do :; done' &
		hog=$!
		wait_for "$WAIT_TIMEOUT" queue_full_above "$full0" ||
			{ kill "$hog"; wait "$hog"
			  fail "tt0's receive ring does not fill"; break; }
		nlp "$ns1" - >"$out" <<-EOF
		DEL_SA A_IFNAME:str:tt0 A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xa01 end
		-p GET_DEVICE A_IFNAME:str:tt0
		EOF
		kill "$hog"
		wait "$hog" 2>/dev/null
		[ "$(sed -n 1p "$out")" = OK ] ||
			fail "DEL_SA failed: $(sed -n 1p "$out")" || break
		at=$(rx_of <"$out")
		wait_for "$WAIT_TIMEOUT" quiet_pair ||
			fail "tt0's counters do not settle"
		after=$(dev_stat "$ns1" tt0 rx_packets)
		deleted=$(dev_stat "$ns1" tt0 rx_sa_deleted) || deleted=0
		ktap_print_msg "deletion $try: $((after - at)) delivered after DEL_SA, $deleted dropped as sa-deleted so far"
		[ $((after - at)) -le "$cpus" ] ||
			fail "$((after - at)) frames were delivered under rx SA 0xa01 after DEL_SA returned"
		tunnel_sa "$ns1" rx 0xa01 "$K_BA" ||
			fail "cannot reinstall rx SA 0xa01" || break
	done
	[ "$deleted" -gt 0 ] ||
		fail "no deletion caught a frame in flight; nothing was shown"
	cleanup_bg
	taskset -pc "0-$((cpus - 1))" $$ >/dev/null
}

# Stop what this case started in the background.
cleanup_bg() {
	local pid

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
}

rx_above() {
	[ "$(dev_stat "$ns1" tt0 rx_packets)" -gt "$1" ]
}

queue_full_above() {
	[ "$(dev_stat "$ns1" tt0 rx_queue_full)" -gt "$1" ]
}

mem_stat() {
	awk -v k="$2" '$1 == k { print $2 }' "$1/memory.stat"
}

# stat_grew CGROUP KEY BEFORE MIN: KEY of memory.stat grew by MIN bytes.
stat_grew() {
	[ $(($(mem_stat "$1" "$2") - $3)) -ge "$4" ]
}

# 250 SAs added by a process in a memory cgroup of their own: their slab
# objects and their per-CPU request memory are charged to it.
case_memcg() {
	local root=/sys/fs/cgroup n=250 cpus slab0 pcpu0 i

	grep -qw memory "$root/cgroup.controllers" 2>/dev/null ||
		{ skip "no cgroup v2 memory controller"; return; }
	echo +memory >"$root/cgroup.subtree_control" ||
		fail "cannot enable the memory controller" || return
	CGROUP=$root/tlstun-control-$$
	mkdir "$CGROUP" || fail "cannot create $CGROUP" || return
	in_ns "$ns1" tlstun link add tt3 remote 10.0.1.5 port 7003 ||
		fail "cannot create tt3" || return
	cpus=$(nproc)
	slab0=$(mem_stat "$CGROUP" slab_unreclaimable)
	pcpu0=$(mem_stat "$CGROUP" percpu)
	for ((i = 1; i <= n; i++)); do
		sa_req $DIR_RX $((0x30000 + i)) $SUITE_256 "$K_3"
		echo "ADD_SA A_IFNAME:str:tt3 $SA_REQ"
	done >"$TEST_TMP/memcg.req"
	bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ \
		"$CGROUP" ip netns exec "$ns1" "$NLPROBE" - \
		<"$TEST_TMP/memcg.req" >"$TEST_TMP/memcg.out" ||
		fail "nlprobe failed in the cgroup" || return
	[ "$(grep -c '^OK$' "$TEST_TMP/memcg.out")" = $n ] ||
		fail "not every SA was added: $(sort "$TEST_TMP/memcg.out" | uniq -c)" ||
		return
	# memory.stat is flushed every 2 s.
	wait_for "$WAIT_TIMEOUT" stat_grew "$CGROUP" percpu "$pcpu0" \
		$((n * cpus * 128)) ||
		fail "per-CPU memory of the cgroup grew by $(($(mem_stat "$CGROUP" percpu) - pcpu0)) bytes for $n SAs"
	wait_for "$WAIT_TIMEOUT" stat_grew "$CGROUP" slab_unreclaimable \
		"$slab0" $((n * 512)) ||
		fail "slab memory of the cgroup grew by $(($(mem_stat "$CGROUP" slab_unreclaimable) - slab0)) bytes for $n SAs"
	ktap_print_msg "for $n SAs: percpu +$(($(mem_stat "$CGROUP" percpu) - pcpu0)), slab_unreclaimable +$(($(mem_stat "$CGROUP" slab_unreclaimable) - slab0)) bytes"
	ip -n "$ns1" link del tt3
}

# An nlmon device sees every request as the kernel received it, sharing
# its bytes; read after the kernel answered, those bytes show whether it
# wiped the key, in every request it handled: refused by policy,
# with a key attribute given twice, with two SA nests, accepted.
case_key_wiped() {
	local kw kx out

	kw=$(printf 'c7%.0s' {1..32})
	kx=$(printf '5e%.0s' {1..32})
	if ! ip -n "$ns1" link add nlmon0 type nlmon 2>/dev/null; then
		skip "no nlmon device"
		return
	fi
	ip -n "$ns1" link set nlmon0 up || fail "cannot bring nlmon0 up" || return
	out=$(nlp "$ns1" tap nlmon0 "$kw" <<-EOF
	ADD_SA A_IFNAME:str:tt1 A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xd01 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$kw SA_REPLAY_WINDOW:u32:0 end
	ADD_SA A_IFNAME:str:tt1 A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xd02 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$kw SA_FLAGS:u32:1 end
	ADD_SA A_IFNAME:str:tt1 A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:0xd03 SA_SUITE:u16:$SUITE_256 SA_KEY:hex:$kw SA_KEY:hex:$kx end
	ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0xd04 $SUITE_256 "$kw") $(sa_nest $DIR_RX 0xd05 $SUITE_256 "$kx")
	ADD_SA A_IFNAME:str:nosuch $(sa_nest $DIR_RX 0xd06 $SUITE_256 "$kw")
	ADD_SA A_IFNAME:str:tt1 $(sa_nest $DIR_RX 0xd07 $SUITE_256 "$kw")
	EOF
	) || fail "nlprobe tap failed: $out" || return
	ip -n "$ns1" link del nlmon0
	ktap_print_msg "$(tr '\n' ';' <<<"$out")"
	[ "$(grep -c '^OK$' <<<"$out")" = 3 ] ||
		fail "expected 3 requests accepted: $out"
	[ "$(tail -n 1 <<<"$out")" = "tap: 6 requests, 0 hold the key" ] ||
		fail "key bytes survived the request: $(tail -n 1 <<<"$out")"
}

dumps_setup() {
	local i

	setup_ns ns3
	ip -n "$ns3" -batch - < <(
		for ((i = 0; i < 12; i++)); do
			echo "link add d$i type tlstun"
		done
	) || fail "cannot create 12 devices in $ns3" || return
	nl_setup "$ns3" < <(
		for ((i = 1; i <= 40; i++)); do
			sa_req $DIR_RX $((0x40000 + i)) $SUITE_256 "$K_3"
			echo "d1 rx $i | OK | ADD_SA A_IFNAME:str:d1 $SA_REQ"
		done
	)
}

# split_expect NS WANT_INTR DUMP... -- REQ...: the dump came in parts,
# REQ after the first succeeded, and the dump was flagged interrupted
# exactly when WANT_INTR is yes.
split_expect() {
	local ns=$1 want=$2 out
	shift 2

	out=$(nlp "$ns" split "$@") || fail "nlprobe split failed: $out" || return
	[ "$(sed -n 1p <<<"$out")" = "between: OK" ] ||
		fail "the request between the parts failed: $out" || return
	[ "$(sed -n 's/^parts: //p' <<<"$out")" -ge 2 ] ||
		fail "the dump came in one part: $out" || return
	[ "$(tail -n 1 <<<"$out")" = OK ] || fail "the dump failed: $out"
	if [ "$want" = yes ]; then
		grep -qx DUMP_INTR <<<"$out" ||
			fail "the dump was not flagged interrupted: $out"
	elif grep -qx DUMP_INTR <<<"$out"; then
		fail "a dump nothing changed under was flagged interrupted: $out"
	fi
}

# A device dump in parts: an SA added between them (which changes a
# device's SA count) flags it, a read does not.
case_device_dump_intr() {
	[ -n "${ns3:-}" ] || dumps_setup || return
	split_expect "$ns3" no GET_DEVICE -- GET_DEVICE A_IFNAME:str:d0
	split_expect "$ns3" yes GET_DEVICE -- \
		ADD_SA A_IFNAME:str:d0 $(sa_nest $DIR_RX 0x50001 $SUITE_256 "$K_3")
}

# An SA dump in parts: an SA deleted between them flags it.
case_sa_dump_intr() {
	[ -n "${ns3:-}" ] || dumps_setup || return
	split_expect "$ns3" no GET_SA A_IFNAME:str:d1 -- GET_DEVICE A_IFNAME:str:d1
	split_expect "$ns3" yes GET_SA A_IFNAME:str:d1 -- \
		DEL_SA A_IFNAME:str:d1 A_SA:nest SA_DIR:u8:$DIR_RX SA_SPI:u32:$((0x40001)) end
}

ktap_print_header
ktap_set_plan 6
setup
run_case "a port move does not hide other devices' rx SAs" case_port_move
run_case "nothing is delivered under an SA once DEL_SA returned" case_del_queued
run_case "SA memory is charged to the adder's memory cgroup" case_memcg
run_case "no key survives in a handled request" case_key_wiped
run_case "a device dump is flagged when SAs change under it" case_device_dump_intr
run_case "an SA dump is flagged when SAs change under it" case_sa_dump_intr
ktap_finished
