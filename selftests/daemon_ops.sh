#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tlstund in operation: rekeys, fresh handshakes, reloads, crashes and
# stops, with traffic through the tunnel the whole time.
#
#   +--------- $ns_a ----------+             +--------- $ns_b ----------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a    tcp 7081|=== TLS ====|tcp 7081    tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#
# Both daemons pin each other's key (tlstun genkey/cert/pubkey) and keep an
# old rx SA 1 s after a rekey (rekey-grace).  The signals go to daemon a.
#
# Cases: tlstun show gives a's state, peer identity, SPIs (the kernel's)
# and timers, to root only, and a second daemon for tt0 refuses to start;
# show follows a rekey; SIGUSR1 rekeys during an iperf3 run and a 10 ms
# ping without a loss or a drop; SIGUSR2 makes a fresh handshake without a loss; SIGHUP
# reloads new timers, and a renewed certificate, without a loss; after a
# SIGKILL and a restart, traffic runs under new SPIs and new keys; SIGTERM
# keeps a's SAs, so a ping across a stop and a start loses nothing;
# SIGINT removes a's SAs; a soft packet limit makes the daemons rekey; a SIGHUP
# that no longer trusts the peer removes its SAs at once, and show gives
# the reason; and over the whole test no key was installed twice.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/daemon/tlstund.sh"

require_cmd ip ping iperf3 ss tlstun tlstund

trap td_cleanup EXIT

setup() {
	td_setup_running
	td_inner_up || bail "cannot address tt0"
}

# congestion_drops: what both nodes dropped for want of room, not for
# anything an SA did: tt0's receive ring or memory, and UDP receive
# buffers (the underlay socket, the ping's own), summed.  Under TCG, with
# iperf3 flooding the tunnel on a loaded host, these can take a ping.
congestion_drops() {
	local node n=0 stats name v snmp

	for node in a b; do
		stats=$(td_stats "$node" rx_queue_full rx_nomem tx_nomem) ||
			return
		while read -r name v; do
			n=$((n + v))
		done <<<"$stats"
		snmp=$(ip netns exec "${TD_NS[$node]}" awk '
			$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $6 + $7; exit }
			$1 == "Udp:" { next }' /proc/net/snmp)
		n=$((n + ${snmp:-0}))
	done
	echo "$n"
}

# ping_start NAME COUNT: ping from a to b every 10 ms in the background,
# COUNT times, output in $TEST_TMP/NAME.ping; returns once the first reply
# is in, so the traffic flows before the test acts.  The pid is left in
# $PING_PID, the congestion drops so far in $PING_CONGESTION.
ping_start() {
	PING_OUT=$TEST_TMP/$1.ping
	PING_CONGESTION=$(congestion_drops)
	bg td_ping a -c "$2" -i 0.01 -W 2 >"$PING_OUT"
	PING_PID=$BG_PID
	wait_for "$WAIT_TIMEOUT" file_has "$PING_OUT" "icmp_seq="
}

# ping_check COUNT: the ping of ping_start ended, and every one of its
# COUNT echo requests got its reply, or each one lost is matched by a
# counted congestion drop (congestion_drops) on the way: a full queue on
# an overloaded host is not a loss to the rekey, which drops_zero and the
# SA counters judge.  Losses nothing counted fail.
ping_check() {
	local summary got lost cong

	wait "$PING_PID"
	summary=$(grep "packets transmitted" "$PING_OUT")
	ktap_print_msg "ping: $summary"
	[[ $summary =~ ^$1\ packets\ transmitted,\ ([0-9]+)\ received, ]] ||
		{ fail "ping lost packets: ${summary:-no summary}"; return; }
	got=${BASH_REMATCH[1]}
	lost=$(($1 - got))
	[ "$lost" = 0 ] && return
	cong=$(($(congestion_drops) - PING_CONGESTION))
	ktap_print_msg "$lost pings lost, $cong congestion drops counted meanwhile"
	[ "$cong" -ge "$lost" ] ||
		fail "ping lost $lost packets and only $cong were congestion drops: $summary; a: $(td_stats a rx_queue_full rx_nomem tx_nomem rx_sa_expired rx_sa_deleted tx_no_sa tx_sa_deleted | tr '\n' ' ') b: $(td_stats b rx_queue_full rx_nomem tx_nomem rx_sa_expired rx_sa_deleted tx_no_sa tx_sa_deleted | tr '\n' ' ')"
}

# still_running PID WHAT: PID has not finished yet.
still_running() {
	! proc_gone "$1" || fail "$2 was over before the event it should span"
}

# drops_zero: neither end counted a packet that failed authentication, a
# replay, a packet for an SPI it has no SA for, one under an expired SA,
# or one it had no tx SA for (or an exhausted one) to send with.
drops_zero() {
	local node stats

	for node in a b; do
		stats=$(td_stats "$node" rx_auth_fail rx_replay port_unknown_spi \
			rx_sa_expired tx_no_sa tx_sa_exhausted) ||
			fail "no counters for $node's tt0" || return
		[ "$(echo $stats)" = "rx_auth_fail 0 rx_replay 0 port_unknown_spi 0 rx_sa_expired 0 tx_no_sa 0 tx_sa_exhausted 0" ] ||
			fail "$node's drops: $(echo $stats)"
	done
}

# gen_spis NODE GEN: the rx and tx SPIs NODE logged for generation GEN.
gen_spis() {
	sed -nE "s/.*: generation $2 [a-z]+: rx SPI (0x[0-9a-f]{8}), tx SPI (0x[0-9a-f]{8})$/\1 \2/p" \
		"${TD_LOG[$1]}" | tail -n 1
}

# iperf3_streaming: the iperf3 server in b has its control and its data
# connection.
iperf3_streaming() {
	[ "$(ip netns exec "$ns_b" ss -Htn state established sport = :5201 |
	     wc -l)" -ge 2 ]
}

# SIGUSR1 makes a new generation of SAs while iperf3 and a 10 ms ping run:
# both ends install it, the old rx SAs go after the grace, and nothing is
# lost or dropped.
case_rekey() {
	local json=$TEST_TMP/iperf3-rekey.json iperf old sent

	# A duplicate session settling (both ends dialed at once) or a grace
	# period ending passes through two SAs a direction: wait it out.
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "no steady state to start from: a: $(td_sas a) b: $(td_sas b)" || return
	old=("${TD_SPI[a.rx]}" "${TD_SPI[b.rx]}")
	ping_start rekey 500 || fail "ping does not get through" || return
	iperf3_server "$ns_b" 5201 ||
		fail "iperf3 server did not listen" || return
	bg iperf3_client "$ns_a" "${TD_INNER[b]}" "$json" -t 8
	iperf=$BG_PID
	wait_for "$WAIT_TIMEOUT" iperf3_streaming ||
		fail "iperf3 did not connect" || return

	kill -USR1 "${TD_PID[a]}"
	td_wait_log a "generation 2 rekeyed" && td_wait_log b "generation 2 rekeyed" ||
		fail "no generation 2: $(tail -n 2 "${TD_LOG[a]}")" || return
	still_running "$iperf" "iperf3"
	still_running "$PING_PID" "the ping"
	td_wait_log a "removed rx SA spi ${old[0]}$" &&
	td_wait_log b "removed rx SA spi ${old[1]}$" ||
		fail "the old rx SAs ${old[*]} are not removed after the grace"

	wait "$iperf" && sent=$(iperf3_bytes "$json" sum_sent) &&
	[ "$sent" -gt 0 ] || fail "iperf3 failed: $(head -c 300 "$json")"
	ktap_print_msg "iperf3 sent $sent bytes during the rekey"
	ping_check 500
	td_paired || fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)"
	[ "${TD_SPI[a.rx]} ${TD_SPI[a.tx]}" = "$(gen_spis a 2)" ] &&
	[ "${TD_SPI[b.rx]} ${TD_SPI[b.tx]}" = "$(gen_spis b 2)" ] ||
		fail "the SAs in place are not generation 2's: a: $(td_sas a) b: $(td_sas b)"
	drops_zero
}

# SIGUSR2 makes a fresh TLS handshake and a new session, which replaces
# the SAs of the old one, while a 10 ms ping loses nothing.
case_handshake() {
	local hs up

	td_count a "handshake complete"
	hs=$TD_N
	td_count a "tunnel up with"
	up=$TD_N
	ping_start handshake 300 || fail "ping does not get through" || return

	kill -USR2 "${TD_PID[a]}"
	td_wait_log a "handshake complete" $((hs + 1)) ||
		fail "no new handshake after SIGUSR2" || return
	td_wait_log a "tunnel up with" $((up + 1)) ||
		fail "the new session does not come up" || return
	still_running "$PING_PID" "the ping"
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "the old session's SAs stay: a: $(td_sas a) b: $(td_sas b)"
	ping_check 300
	drops_zero
}

# reload_a: SIGHUP a during a 10 ms ping and wait until it reloaded.
reload_a() {
	td_signal a HUP "info: reloaded$" ||
		fail "a did not reload: $(tail -n 2 "${TD_LOG[a]}")"
}

# SIGHUP with a changed [timers] value reloads without a loss.
case_reload_timers() {
	td_pin_conf a "keepalive = 10s" || fail "cannot rewrite a.conf" || return
	ping_start timers 150 || fail "ping does not get through" || return
	reload_a
	ping_check 150
	td_paired || fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)"
}

# SIGHUP with a renewed certificate for the same key (written aside and
# moved over the old, as tlstun(8) says) replaces the session by a new
# handshake, as tlstund(8) says, without a loss.
case_reload_cert() {
	local hs

	tlstun cert "$TEST_TMP/a.key" days 2 out "$TEST_TMP/a.pem.new" &&
	mv "$TEST_TMP/a.pem.new" "$TEST_TMP/a.pem" ||
		fail "cannot renew a's certificate" || return
	[ "$(tlstun pubkey "$TEST_TMP/a.pem")" = "$(td_pin a)" ] ||
		fail "the renewed certificate has another key" || return
	td_count a "handshake complete"
	hs=$TD_N
	ping_start cert 300 || fail "ping does not get through" || return
	reload_a
	td_wait_log a "handshake complete" $((hs + 1)) ||
		fail "no new handshake with the renewed certificate"
	ping_check 300
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)"
}

# no_key_twice: over every log of both daemons, no end installed one key
# twice, and every tx SA installed had the rx SA of the same SPI and key
# on the other end.
no_key_twice() {
	local -A keys rx
	local list node dir spi fp n=0

	list=$(td_installs a b)
	while read -r node dir spi fp; do
		[ -z "${keys[$node $fp]}" ] ||
			fail "$node installed key $fp twice: ${keys[$node $fp]} and $dir $spi"
		keys[$node $fp]="$dir $spi"
		[ "$dir" = rx ] && rx[$node $spi $fp]=1
		n=$((n + 1))
	done <<<"$list"
	while read -r node dir spi fp; do
		[ "$dir" = tx ] && [ -z "${rx[${TD_PEER[$node]} $spi $fp]}" ] &&
			fail "$node's tx SA $spi (key $fp) has no rx SA with that key on ${TD_PEER[$node]}"
	done <<<"$list"
	ktap_print_msg "$n SA installs, every key once"
}

# After a SIGKILL, a's SAs stay in the kernel and b keeps its own; the
# restarted a makes a new session, and traffic flows again under new SPIs
# and keys never seen before.
case_kill_restart() {
	local -A before
	local list node dir spi fp mark old up lines

	# A duplicate session settling (both ends dialed at once) or a grace
	# period ending passes through two SAs a direction: wait it out.
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "no steady state to start from: a: $(td_sas a) b: $(td_sas b)" || return
	old="${TD_SPI[a.rx]} ${TD_SPI[a.tx]} ${TD_SPI[b.rx]} ${TD_SPI[b.tx]}"
	while read -r node dir spi fp; do
		before[$fp]=1
	done < <(td_installs a b)
	mapfile -t lines <"${TD_LOG[b]}"
	mark=${#lines[@]}
	td_count b "tunnel up with"
	up=$TD_N

	td_stop a KILL
	[ $? = 137 ] || fail "a's tlstund does not die of SIGKILL" || return
	td_no_sas a && fail "a's SAs went with its daemon"
	td_start a
	td_wait_log a "tunnel up with" && td_wait_log b "tunnel up with" $((up + 1)) ||
		fail "no new session after the restart" || return
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)" || return
	td_ping a -q -c 3 -i 0.2 -W 2 >/dev/null ||
		fail "a cannot ping b after the restart"
	for spi in ${TD_SPI[a.rx]} ${TD_SPI[a.tx]}; do
		[[ " $old " != *" $spi "* ]] ||
			fail "SPI $spi was in place before the restart as well ($old)"
	done
	list=$(td_installs_in a "${TD_LOG[a]}" 0
	       td_installs_in b "${TD_LOG[b]}" "$mark")
	[ "$(echo "$list" | wc -l)" -ge 4 ] ||
		fail "the logs show no new SAs on both ends: $list"
	while read -r node dir spi fp; do
		[ -z "${before[$fp]}" ] ||
			fail "$node's new $dir SA $spi has a key from before the restart ($fp)"
	done <<<"$list"
	no_key_twice
}

# SIGTERM stops a (exit 0) and leaves its SAs in the kernel, so that a
# restart, as systemd's, is no outage: a 10 ms ping spanning the stop and
# the start loses nothing, the restarted a replaces the SAs with its own
# under new SPIs, and no key comes back (no_key_twice, at the end).
case_sigterm_restart() {
	local old rc spi up

	# A duplicate session settling (both ends dialed at once) or a grace
	# period ending passes through two SAs a direction: wait it out.
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "no steady state to start from: a: $(td_sas a) b: $(td_sas b)" || return
	old="${TD_SPI[a.rx]} ${TD_SPI[a.tx]}"
	td_count b "tunnel up with"
	up=$TD_N
	ping_start restart 2000 || fail "ping does not get through" || return

	td_stop a
	rc=$?
	[ $rc = 0 ] || fail "tlstund exits $rc on SIGTERM" || return
	[ "$(td_sas a | wc -l)" = 2 ] ||
		fail "a's SAs went with its daemon: $(td_sas a)"
	ip -n "$ns_a" link show tt0 >/dev/null || fail "a's tt0 is gone"
	td_start a
	td_wait_log a "tunnel up with" && td_wait_log b "tunnel up with" $((up + 1)) ||
		fail "no new session after the restart" || return
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)"
	still_running "$PING_PID" "the ping"
	for spi in ${TD_SPI[a.rx]} ${TD_SPI[a.tx]}; do
		[[ " $old " != *" $spi "* ]] ||
			fail "SPI $spi was in place before the restart as well ($old)"
	done
	ping_check 2000
}

# SIGINT stops a (exit 0) and removes its SAs: the tunnel goes down with
# the daemon.  b keeps its own until its next session replaces them.
case_sigint() {
	local rc

	td_stop a INT
	rc=$?
	[ $rc = 0 ] || fail "tlstund exits $rc on SIGINT"
	td_no_sas a || fail "a's SAs outlive it: $(td_sas a)"
	td_no_sas b && fail "b's SAs are gone too"
	return 0
}

# With a soft limit of 200 packets on every SA, a 10 ms ping of 300 makes
# the kernel report a soft expiry and the daemons rekey by themselves,
# losing nothing.
case_soft_limit() {
	td_stop b INT || fail "b did not stop" || return
	td_pin_conf a "[limits]"$'\n'"soft-packets = 200" &&
	td_pin_conf b "[limits]"$'\n'"soft-packets = 200" ||
		fail "cannot write the configurations" || return
	td_start a
	td_start b
	td_wait_up || fail "the tunnel does not come up" || return
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)" || return
	ping_start soft 300 || fail "ping does not get through" || return
	td_wait_log a "generation 2 rekeyed" && td_wait_log b "generation 2 rekeyed" ||
		fail "no generation 2: $(tail -n 2 "${TD_LOG[a]}")"
	grep -h "reached a soft limit\|(soft limit)" "${TD_LOG[a]}" "${TD_LOG[b]}" |
		while read -r line; do ktap_print_msg "$line"; done
	grep -q "asking for generation 2 (soft limit)" "${TD_LOG[a]}" "${TD_LOG[b]}" ||
		fail "generation 2 was not asked for on a soft limit"
	ping_check 300
}

# A SIGHUP that pins another key fails closed: a judges the running
# session's peer under the new policy at once, removes every SA, and the
# handshakes that follow keep rejecting b.
case_reload_untrusted() {
	td_conf a "trust = pin"$'\n'"pin = $TD_PIN_OTHER" \
		"[limits]"$'\n'"soft-packets = 200" ||
		fail "cannot rewrite a.conf" || return
	# A duplicate session settling (both ends dialed at once) or a grace
	# period ending passes through two SAs a direction: wait it out.
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "no steady state to start from: a: $(td_sas a) b: $(td_sas b)" || return
	kill -HUP "${TD_PID[a]}"
	td_wait_log a "the peer is no longer trusted: peer key does not match the configured pin" ||
		fail "a does not say that b is no longer trusted: $(tail -n 3 "${TD_LOG[a]}")"
	td_wait_log a "certificate rejected: peer key does not match the configured pin" ||
		fail "a does not reject b's next handshake: $(tail -n 3 "${TD_LOG[a]}")"
	wait_for "$WAIT_TIMEOUT" td_no_sas a ||
		fail "a keeps SAs of a peer it no longer trusts: $(td_sas a)"
	! td_ping a -q -c 1 -W 1 >/dev/null || fail "a ping crossed the tunnel"
	# tlstun show says why.
	wait_for "$WAIT_TIMEOUT" shows_pin_error ||
		fail "show does not give the last error: $(show a)"
	[[ $(show a) != *'"state":"up"'* ]] || fail "show says the tunnel is up"
}

# show NODE [ARGS...]: tlstun -j show of NODE's tt0, on one line.
show() {
	local node=$1

	shift
	ip netns exec "${TD_NS[$node]}" "$@" tlstun -j show dev tt0
}

# show_str JSON KEY: the string member KEY of JSON.
show_str() {
	local re="\"$2\":\"([^\"]*)\""

	[[ $1 =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# What a's daemon says of its session, checked against the kernel and the
# configuration; only root may ask; a second daemon for the device stops.
case_show() {
	local json ktx id gen rekey err

	json=$(show a) || fail "tlstun show failed on a" || return
	ktap_print_msg "$json"
	[ "$(json_num pid <<<"$json")" = "${TD_PID[a]}" ] ||
		fail "show names pid $(json_num pid <<<"$json"), not ${TD_PID[a]}"
	[ "$(show_str "$json" state)" = up ] ||
		fail "the state is \"$(show_str "$json" state)\", not up"
	[ "$(show_str "$json" name)" = b ] || fail "the peer is not named b"
	[ "$(show_str "$json" transport)" = "$TD_TRANSPORT" ] ||
		fail "the transport is not $TD_TRANSPORT"
	[ "$(show_str "$json" endpoint)" = "${TD_ADDR[b]}:7081" ] ||
		fail "the endpoint is not ${TD_ADDR[b]}:7081"
	id=$(td_pin_label b)
	[ "$(show_str "$json" identity)" = "${id#b }" ] ||
		fail "the identity is \"$(show_str "$json" identity)\", not \"${id#b }\""
	ktx=$(ip netns exec "${TD_NS[a]}" tlstun -j link show tt0 | json_num tx_spi)
	[ "$(json_num tx_spi <<<"$json")" = "$ktx" ] ||
		fail "show's tx SPI $(json_num tx_spi <<<"$json") is not the kernel's $ktx"
	gen=$(json_num generation <<<"$json")
	[ "${gen:-0}" -ge 1 ] || fail "no generation in the status"
	rekey=$(json_num rekey_in <<<"$json")
	[ -n "$rekey" ] && [ "$rekey" -le 600 ] ||
		fail "rekey in \"$rekey\" s, not within rekey-interval (600 s)"
	[ "$(json_num handshakes <<<"$json")" -ge 1 ] ||
		fail "no handshake counted"
	# Text too, every device without "dev".
	ip netns exec "${TD_NS[a]}" tlstun show | grep -q "^dev tt0 tlstund pid ${TD_PID[a]} " ||
		fail "tlstun show does not list tt0: $(ip netns exec "${TD_NS[a]}" tlstun show | head -2)"
	err=$(show a setpriv --reuid=65534 --regid=65534 --clear-groups 2>&1 >/dev/null) &&
		fail "nobody read the status"
	[ "$err" = "Error: the tlstund of tt0 only root may read the status" ] ||
		fail "nobody got \"$err\""
	err=$(ip netns exec "${TD_NS[a]}" timeout 20 tlstund -c "$TEST_TMP/a.conf" tt0 2>&1)
	[ $? = 1 ] || fail "a second tlstund for tt0 did not exit 1: $err"
	[[ $err == *"another tlstund serves tt0 in this network namespace"* ]] ||
		fail "the second tlstund said: $err"
	td_ping a -q -c 1 -W 5 >/dev/null || fail "the tunnel went down"
	# Anyone can bind an abstract name: show believes no squatter.
	bg ip netns exec "${TD_NS[a]}" setpriv --reuid=65534 --regid=65534 \
		--clear-groups python3 -c 'import socket, time
s = socket.socket(socket.AF_UNIX)
s.bind("\0tlstun/tt9")
s.listen(1)
print("bound", flush=True)
time.sleep(60)' >"$TEST_TMP/squat.out"
	wait_for "$WAIT_TIMEOUT" file_has "$TEST_TMP/squat.out" bound ||
		fail "the squatter did not bind" || return
	err=$(ip netns exec "${TD_NS[a]}" tlstun show dev tt9 2>&1 >/dev/null) &&
		fail "show believed a squatter"
	kill "$BG_PID"
	[ "$err" = "Error: the status socket of tt9 is held by a process of another user, not a tlstund" ] ||
		fail "show said \"$err\" of a squatted name"
}

shows_pin_error() {
	[[ $(show a) == *'"last_error":"'*"does not match the configured pin"* ]]
}

# A rekey shows as a new generation under the kernel's new tx SPI.
shown_generation_above() {
	local json

	json=$(show a) && [ "$(json_num generation <<<"$json")" -gt "$1" ] &&
	[ "$(json_num tx_spi <<<"$json")" = \
	  "$(ip netns exec "${TD_NS[a]}" tlstun -j link show tt0 | json_num tx_spi)" ]
}

case_show_rekey() {
	local gen

	gen=$(show a | json_num generation) || fail "no generation" || return
	kill -USR1 "${TD_PID[a]}"
	wait_for "$WAIT_TIMEOUT" shown_generation_above "$gen" ||
		fail "show stays at generation $gen after SIGUSR1: $(show a)"
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "the SAs do not pair up after the rekey"
}

ktap_print_header
ktap_set_plan 12
setup
run_case "tlstun show: state, identity, SPIs, timers; root only" case_show
# case_rekey judges generation 2: the first rekey of the session.
run_case "SIGUSR1 rekeys under iperf3 and ping, no loss" case_rekey
run_case "tlstun show follows a rekey" case_show_rekey
run_case "SIGUSR2 makes a fresh handshake, no loss" case_handshake
run_case "SIGHUP reloads new timers, no loss" case_reload_timers
run_case "SIGHUP with a renewed certificate: new handshake, no loss" case_reload_cert
run_case "SIGKILL and restart: new SPIs and keys" case_kill_restart
run_case "SIGTERM and a restart: SAs kept, no loss, new keys" \
	case_sigterm_restart
run_case "SIGINT removes the daemon's SAs" case_sigint
run_case "a soft packet limit makes the daemons rekey" case_soft_limit
run_case "SIGHUP that no longer trusts the peer removes its SAs" case_reload_untrusted
run_case "no key installed twice over the whole test" no_key_twice
ktap_finished
