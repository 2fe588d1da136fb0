# SPDX-License-Identifier: GPL-2.0
#
# The control-plane figures make bench takes in the VM, sourced by
# tools/bench/guest.sh (after selftests/lib.sh and its sample/info/failed):
#
# control_memory: kernel memory per device and per SA.  Slab
#   (unreclaimable part, SUnreclaim) and Percpu from /proc/meminfo, after
#   dropping the reclaimable caches, before and after creating
#   $BENCH_MEMDEV devices (up) in one netns with one ip -batch, then one
#   rx and one tx aes-gcm-128 SA on each (tlstun sa add).  Plain Geneve
#   and WireGuard devices are measured the same way for reference.
#   Per-CPU allocations are in Percpu, for this guest's CPU count (info
#   cpus).
#
# control_daemons: two tlstund, trust = pin, over a veth pair:
#
#   +---------- $cA ----------+           +---------- $cB ----------+
#   | veth0 10.0.1.1/24       |-----------| veth0 10.0.1.2/24       |
#   | tt0   10.0.2.1/24       |===========| tt0   10.0.2.2/24       |
#   | tlstund: dials,         |  TCP 7081 | tlstund: listens        |
#   |   listen = none         |           | udprr server 9000       |
#   | udprr first             |           |                         |
#   +-------------------------+           +-------------------------+
#
#   time to first packet: tt0 exists, is up and has a permanent neighbour
#   entry for the peer (so ARP's retry timer is not what is measured), and
#   udprr first sends a datagram every millisecond.  Then $cB's daemon
#   starts; once it logs that it listens, $cA's; the figure is from $cA's
#   start (and, second figure, from $cB's) to the first reply.  Both stop
#   with SIGINT between tries, which removes their SAs (SIGTERM would
#   leave them for the next try).
#
#   rekey: SIGUSR1 to $cA's daemon, from the signal to the later of the
#   two "generation N rekeyed" lines, stamped by tsline as they are
#   written; and no new handshake may have happened.

# --- memory -------------------------------------------------------------------

# "SUnreclaim Percpu" in kB, after the reclaimable slab is dropped.
meminfo() {
	local k v _ su= pc=

	sync
	echo 2 >/proc/sys/vm/drop_caches
	while read -r k v _; do
		case "$k" in
		SUnreclaim:) su=$v ;;
		Percpu:) pc=$v ;;
		esac
	done </proc/meminfo
	echo "$su $pc"
}

# per KB N: KB / N with two decimals, in integer arithmetic (no exec).
per() {
	local c=$(($1 * 100 / $2)) sign=

	[ "$c" -lt 0 ] && sign=- c=$((-c))
	printf '%s%d.%02d' "$sign" $((c / 100)) $((c % 100))
}

# mem_delta KIND WHAT N BEFORE AFTER: per-object kB, as samples.
mem_delta() {
	local kind=$1 what=$2 n=$3
	local -a b=($4) a=($5)

	sample "mem_${what}_slab_kb" "$kind" 1 "$(per "$((a[0] - b[0]))" "$n")"
	sample "mem_${what}_percpu_kb" "$kind" 1 "$(per "$((a[1] - b[1]))" "$n")"
	log "memory $kind $what: SUnreclaim ${b[0]} -> ${a[0]} kB," \
	    "Percpu ${b[1]} -> ${a[1]} kB over $n"
}

# mem_devices KIND NS N: create N devices of KIND (up), measure; for
# tlstun, then one rx and one tx SA on each, measure; delete them.
mem_devices() {
	local kind=$1 ns=$2 n=$3 i m0 m1 m2
	local add=$TEST_TMP/mem-add del=$TEST_TMP/mem-del

	: >"$add"
	: >"$del"
	for ((i = 1; i <= n; i++)); do
		case "$kind" in
		tlstun) echo "link add m$i type tlstun" ;;
		geneve) echo "link add m$i type geneve id $i remote 10.9.0.1" ;;
		wireguard) echo "link add m$i type wireguard" ;;
		esac >>"$add"
		echo "link set m$i up" >>"$add"
		echo "link del m$i" >>"$del"
	done
	m0=$(meminfo)
	log "memory: $kind"
	ip -n "$ns" -batch "$add" ||
		{ failed mem "$kind" "cannot create $n devices"; return 1; }
	m1=$(meminfo)
	mem_delta "$kind" dev "$n" "$m0" "$m1"
	if [ "$kind" = tlstun ]; then
		# One exec per SA: tlstun has no batch mode. Distinct keys,
		# rx SPIs unique on the shared port; these SAs never seal.
		ip netns exec "$ns" bash -c '
			for ((i = 1; i <= '"$n"'; i++)); do
				tlstun sa add dev m$i dir rx spi $((0x10000 + i)) \
					suite aes-gcm-128 key $(printf "%032x" $i) &&
				tlstun sa add dev m$i dir tx spi $((0x20000 + i)) \
					suite aes-gcm-128 key $(printf "f%031x" $i) ||
					exit 1
			done' ||
			{ failed mem tlstun "cannot add $((2 * n)) SAs"; return 1; }
		m2=$(meminfo)
		mem_delta "$kind" sa $((2 * n)) "$m1" "$m2"
	fi
	ip -n "$ns" -batch "$del" ||
		failed mem "$kind" "cannot delete the devices"
}

control_memory() {
	local mem kind

	setup_ns mem
	for kind in tlstun geneve wireguard; do
		mem_devices "$kind" "$mem" "$BENCH_MEMDEV"
	done
}

# --- daemons ------------------------------------------------------------------

# A sleep without forking: read from a pipe nobody writes to.
exec {SLEEP_FD}<> <(:)
nap() {
	read -r -t "$1" -u "$SLEEP_FD"
}

# wait_log FILE REGEX SECONDS: the first line of FILE that matches, once
# there is one; polls every 2 ms without forking.
wait_log() {
	local file=$1 re=$2 deadline=$((SECONDS + $3)) line

	while [ $SECONDS -le $deadline ]; do
		if [ -f "$file" ]; then
			while IFS= read -r line; do
				if [[ $line =~ $re ]]; then
					printf '%s\n' "$line"
					return 0
				fi
			done <"$file"
		fi
		nap 0.002
	done
	return 1
}

# usec T: $EPOCHREALTIME or a tsline stamp in microseconds.
usec() {
	local s=${1%.*} f=${1#*.}

	echo $((s * 1000000 + 10#$f))
}

# ms_of MICROSECONDS: milliseconds with three decimals.
ms_of() {
	printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

# daemon_conf FILE KEY CERT PEER_PIN LISTEN ENDPOINT LOCAL [TRANSPORT]:
# one end.
daemon_conf() {
	{
		echo "[interface]"
		echo "private-key = $2"
		echo "certificate = $3"
		echo "listen = $5"
		echo "local = $7"
		echo "[peer]"
		echo "name = peer"
		[ -n "$6" ] && echo "endpoint = $6"
		echo "transport = ${8:-tls}"
		echo "trust = pin"
		echo "pin = $4"
		echo "[timers]"
		# Only the benchmark's signals rekey.
		echo "rekey-interval = 1d"
	} >"$1"
}

# daemon_start NS CONF LOG: $! is the daemon, its stderr stamped into LOG.
daemon_start() {
	ip netns exec "$1" tlstund -c "$2" tt0 2> >(tsline >"$3") &
	DAEMON_PID=$!
	# selftests/lib.sh's cleanup_all stops what is in BG_PIDS.
	BG_PIDS+=("$DAEMON_PID")
}

daemon_stop() {
	kill -INT "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# ctl_side NS ME PEER: one end of the tunnel, ready but for its SAs.
ctl_side() {
	local ns=$1 me=$2 peer=$3 f=$TEST_TMP/ctl-$2.batch

	{
		echo "addr add 10.0.1.$me/24 dev veth0"
		echo "link add tt0 type tlstun"
		echo "link set tt0 address 02:00:00:00:00:0$me up"
		echo "addr add 10.0.2.$me/24 dev tt0"
		echo "neigh add 10.0.2.$peer lladdr 02:00:00:00:00:0$peer" \
		     "dev tt0 nud permanent"
	} >"$f"
	ip -n "$ns" -batch "$f"
}

# One timed start of both daemons; leaves them running when $2 is "keep".
# $3 "quic": the configurations say transport = quic, and the samples are
# ttfp_quic_ms and ttfp_both_quic_ms.
ttfp_once() {
	local try=$1 keep=${2:-} d=$TEST_TMP/ctl out t t0 t1 tf n pa pb sfx=

	[ "${3:-}" = quic ] && sfx=_quic
	out=$d/first-$try
	: >"$out.err"
	ip netns exec "$cA" udprr first 10.0.2.2 9000 60000 >"$out" 2>"$out.err" &
	tf=$!
	wait_log "$out.err" 'sending' 10 >/dev/null ||
		{ failed ttfp daemons "udprr first did not start"; return 1; }
	t0=$EPOCHREALTIME
	daemon_start "$cB" "$d/b/tt0.conf" "$d/b-$try.log"
	pb=$DAEMON_PID
	if ! wait_log "$d/b-$try.log" 'running: .*listening' 20 >/dev/null; then
		failed ttfp daemons \
			"the listening tlstund did not start: $(tail -n 3 "$d/b-$try.log")"
		kill "$tf"
		return 1
	fi
	t1=$EPOCHREALTIME
	daemon_start "$cA" "$d/a/tt0.conf" "$d/a-$try.log"
	pa=$DAEMON_PID
	if ! wait "$tf"; then
		failed ttfp daemons \
			"no packet through the tunnel: $(tail -n 3 "$d/a-$try.log")"
		return 1
	fi
	read -r t n <"$out"
	t=$(usec "$t")
	sample "ttfp${sfx}_ms" tlstund "$try" "$(ms_of $((t - $(usec "$t1"))))"
	sample "ttfp_both${sfx}_ms" tlstund "$try" "$(ms_of $((t - $(usec "$t0"))))"
	log "daemon start $try${sfx:+ over QUIC}: first reply $(ms_of $((t - $(usec "$t1")))) ms" \
	    "after the dialer started ($n probes)"
	if [ "$keep" = keep ]; then
		PID_A=$pa PID_B=$pb LOG_A=$d/a-$try.log LOG_B=$d/b-$try.log
		return 0
	fi
	daemon_stop "$pa"
	daemon_stop "$pb"
}

# stamp LINE: the tsline stamp at its start.
stamp() {
	echo "${1%% *}"
}

# gen_state LOG: GEN_DONE, the newest generation LOG's daemon completed
# ("generation N up" or "rekeyed"), and GEN_ASKED, the newest one asked
# for by either end; one is pending while GEN_ASKED > GEN_DONE.
gen_state() {
	local line re_done='generation ([0-9]+) (up|rekeyed)'
	local re_asked='(asking for|peer asked for) generation ([0-9]+)'

	GEN_DONE=0 GEN_ASKED=0
	while IFS= read -r line; do
		if [[ $line =~ $re_done ]]; then
			GEN_DONE=${BASH_REMATCH[1]}
		elif [[ $line =~ $re_asked ]]; then
			GEN_ASKED=${BASH_REMATCH[2]}
		fi
	done <"$1"
}

# settled: both daemons completed the same generation and none is pending
# (the daemons rekey on their own too, e.g. on an ACQUIRE event that came
# in before the session was up); GEN is that generation.
settled() {
	local a

	gen_state "$LOG_A"
	a=$GEN_DONE
	[ "$GEN_ASKED" -le "$a" ] || return 1
	gen_state "$LOG_B"
	[ "$GEN_ASKED" -le "$GEN_DONE" ] && [ "$GEN_DONE" = "$a" ] &&
		GEN=$a
}

rekeys() {
	local i gen t0 la lb ta tb hs

	for ((i = 1; i <= BENCH_REKEYS; i++)); do
		wait_for 20 settled || {
			failed rekey daemons "the daemons do not settle on a generation"
			return 1
		}
		gen=$((GEN + 1))
		t0=$EPOCHREALTIME
		kill -USR1 "$PID_A"
		la=$(wait_log "$LOG_A" "generation $gen rekeyed" 20) &&
		lb=$(wait_log "$LOG_B" "generation $gen rekeyed" 20) || {
			failed rekey daemons "generation $gen did not complete"
			return 1
		}
		ta=$(($(usec "$(stamp "$la")") - $(usec "$t0")))
		tb=$(($(usec "$(stamp "$lb")") - $(usec "$t0")))
		if [ "$ta" -lt 0 ] || [ "$tb" -lt 0 ]; then
			failed rekey daemons "generation $gen completed before the signal"
			return 1
		fi
		sample rekey_ms tlstund "$i" "$(ms_of $((ta > tb ? ta : tb)))"
	done
	# New SAs within the session: one handshake on each side, still.
	hs=$(grep -c 'handshake complete' "$LOG_A" "$LOG_B" | cut -d: -f2 |
	     paste -sd' ')
	info rekey_handshakes "$hs"
	[ "$hs" = "1 1" ] ||
		failed rekey daemons "rekeys made new handshakes ($hs per side)"
	gen_state "$LOG_A"
	info rekey_generations "$GEN_DONE after $BENCH_REKEYS signals"
	log "rekeys: $BENCH_REKEYS done, last generation $GEN_DONE"
}

control_daemons() {
	local d=$TEST_TMP/ctl cred=${BENCH_CRED:-} try

	[ -r "$cred/a.key" ] && [ -r "$cred/b.pin" ] || {
		failed ttfp daemons "no credentials in \"$cred\" (tools/bench.sh makes them)"
		return 1
	}
	modprobe tls
	mkdir -p "$d/a" "$d/b"
	daemon_conf "$d/a/tt0.conf" "$cred/a.key" "$cred/a.pem" \
		"$(cat "$cred/b.pin")" none 10.0.1.2:7081 10.0.1.1
	daemon_conf "$d/b/tt0.conf" "$cred/b.key" "$cred/b.pem" \
		"$(cat "$cred/a.pin")" 10.0.1.2:7081 "" 10.0.1.2
	setup_ns cA cB
	add_veth "$cA" veth0 "$cB" veth0 &&
	ctl_side "$cA" 1 2 && ctl_side "$cB" 2 1 ||
		{ failed ttfp daemons "cannot set up the daemons' netns"; return 1; }
	ip netns exec "$cB" udprr server 9000 2>"$d/udprr.log" &
	BG_PIDS+=($!)
	wait_log "$d/udprr.log" listening 30 >/dev/null ||
		{ failed ttfp daemons "udprr server does not listen"; return 1; }

	for ((try = 1; try <= BENCH_TTFP; try++)); do
		ttfp_once "$try" $([ "$try" = "$BENCH_TTFP" ] && echo keep) ||
			return 1
	done
	rekeys
	daemon_stop "$PID_A"
	daemon_stop "$PID_B"
	# The same starts over QUIC, in the same run: one round trip less
	# before the first SA (no TCP handshake), a Retry round trip more.
	daemon_conf "$d/a/tt0.conf" "$cred/a.key" "$cred/a.pem" \
		"$(cat "$cred/b.pin")" none 10.0.1.2:7081 10.0.1.1 quic
	daemon_conf "$d/b/tt0.conf" "$cred/b.key" "$cred/b.pem" \
		"$(cat "$cred/a.pin")" 10.0.1.2:7081 "" 10.0.1.2 quic
	for ((try = 1; try <= BENCH_TTFP; try++)); do
		ttfp_once "$try" "" quic || return 1
	done
	# The logs, for whoever wants to see what the daemons did.
	cp "$d"/a-*.log "$d"/b-*.log "$VM_OUT/" 2>/dev/null
}
