#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tlstund's SIGHUP: a reload is all or nothing, and one that changes
# nothing leaves the session and the handshakes under way alone.
#
#   +--------- $ns_a ----------+             +--------- $ns_b ----------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a    tcp 7081|=== TLS ====|tcp 7081    tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#
# The signals go to daemon a.  Cases: a file that parses but names a
# missing certificate, with a pin b no longer matches, is refused whole
# (the running configuration stays, a fresh handshake still trusts b), and
# once the certificate exists the same file drops b's SAs at once; under
# trust = ca with the CA bundle unchanged, a storm of SIGHUPs keeps the
# session, its SAs and a connection whose handshake is under way.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/daemon/tlstund.sh"

require_cmd ip ss tlstun tlstund

trap td_cleanup EXIT

# hup_a: SIGHUP a and wait until it logged the outcome: "reloaded" or a
# refusal.
hup_a() {
	td_signal a HUP "info: reloaded$|reload failed" ||
		fail "a did not finish a reload: $(tail -n 2 "${TD_LOG[a]}")"
}

# same_sas SPIS: a's SAs are paired and are SPIS ("RX TX").
same_sas() {
	td_paired && [ "${TD_SPI[a.rx]} ${TD_SPI[a.tx]}" = "$1" ]
}

# A file that parses, pins a key b does not have and names a certificate
# that does not exist: a refuses the whole reload and says so; the old
# configuration stays whole, so b's session, its SAs and a fresh handshake
# with b all go on under the old pin.  Once the certificate exists, the
# same file reloads, and b, no longer pinned, loses its SAs at once.
case_reload_all_or_nothing() {
	local spis hs up

	# A duplicate session settling (both ends dialed at once) or a grace
	# period ending passes through two SAs a direction: wait it out.
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "no steady state to start from: a: $(td_sas a) b: $(td_sas b)" || return
	spis="${TD_SPI[a.rx]} ${TD_SPI[a.tx]}"
	rm -f "$TEST_TMP/a.new.pem"
	td_conf a "trust = pin"$'\n'"pin = $TD_PIN_OTHER" &&
	sed -i "s|^certificate = .*|certificate = $TEST_TMP/a.new.pem|" \
		"$TEST_TMP/a.conf" || fail "cannot rewrite a.conf" || return
	hup_a || return
	td_wait_log a "reload failed, keeping the running configuration: .*a\.new\.pem" ||
		fail "a does not say the reload failed: $(tail -n 2 "${TD_LOG[a]}")"
	same_sas "$spis" || fail "a's SAs changed: $(td_sas a)"

	td_count a "handshake complete"
	hs=$TD_N
	td_count a "tunnel up with"
	up=$TD_N
	kill -USR2 "${TD_PID[a]}"
	td_wait_log a "tunnel up with" $((up + 1)) ||
		fail "no new session under the old configuration: $(tail -n 3 "${TD_LOG[a]}")" ||
		return
	td_count a "handshake complete"
	[ "$TD_N" -gt "$hs" ] || fail "the new session had no new handshake"
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)" || return

	cp "$TEST_TMP/a.pem" "$TEST_TMP/a.new.pem" ||
		fail "cannot write a.new.pem" || return
	hup_a || return
	td_wait_log a "session with .*: the peer is no longer trusted: peer key does not match the configured pin" ||
		fail "a does not judge b again: $(tail -n 3 "${TD_LOG[a]}")"
	td_no_sas a || fail "a keeps SAs of a peer it no longer pins: $(td_sas a)"
}

# ca_restart: both daemons stopped, both under trust = ca with the test
# CA's node certificates, started again, up and paired.
ca_restart() {
	local node

	for node in a b; do
		td_stop "$node" INT || fail "$node's tlstund did not stop" ||
			return
	done
	td_ca_identity a leaf_a inter && td_ca_identity b leaf_b &&
	td_conf a "trust = ca"$'\n'"ca = $TD_CERTS/root.pem"$'\n'"node-id = $TD_NODE_B" &&
	td_conf b "trust = ca"$'\n'"ca = $TD_CERTS/root.pem"$'\n'"node-id = $TD_NODE_A" ||
		fail "cannot write the ca configurations" || return
	td_start a
	td_start b
	td_wait_up || fail "the tunnel does not come up under ca trust" ||
		return
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)"
}

# Under trust = ca, with the same CA bundle, ten SIGHUPs in a row change
# nothing: no new handshake, the same SAs; and a TCP connection to a's
# listener that has not begun its handshake survives a no-op reload.
case_hup_storm_ca() {
	local spis hs i idle

	ca_restart || return
	spis="${TD_SPI[a.rx]} ${TD_SPI[a.tx]}"
	td_count a "handshake complete"
	hs=$TD_N
	for ((i = 0; i < 10; i++)); do
		hup_a || return
	done
	td_count a "reload failed"
	[ "$TD_N" = 0 ] || fail "a refused a reload: $(grep "reload failed" "${TD_LOG[a]}")"
	td_count a "handshake complete"
	[ "$TD_N" = "$hs" ] ||
		fail "$((TD_N - hs)) new handshakes after ten no-op reloads"
	same_sas "$spis" || fail "a's SAs changed: $(td_sas a), were $spis"

	# A handshake under way: read(1) ends when a closes the connection.
	bg ip netns exec "$ns_b" bash -c \
		"exec 3<>/dev/tcp/${TD_ADDR[a]}/7081 && read -r -t 60 <&3"
	idle=$BG_PID
	wait_for "$WAIT_TIMEOUT" td_accepted a ||
		fail "a does not accept the connection" || return
	hup_a || return
	! proc_gone "$idle" ||
		fail "a no-op reload closed a connection in its handshake"
	kill "$idle" 2>/dev/null
	return 0
}

ktap_print_header
ktap_set_plan 2
td_setup_running
run_case "SIGHUP is all or nothing; a revoked pin drops the SAs at once" \
	case_reload_all_or_nothing
run_case "ca: a SIGHUP storm with the same CA keeps the session" \
	case_hup_storm_ca
ktap_finished
