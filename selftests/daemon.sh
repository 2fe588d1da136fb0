#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tlstund end to end: two daemons key a tunnel between two namespaces by
# themselves, and refuse a peer they should not trust.
#
#   +--------- $ns_a ----------+             +--------- $ns_b ----------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a    tcp 7081|=== TLS ====|tcp 7081    tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#
# Both daemons listen and dial.  They create tt0; the test only gives it
# an inner address.  Identities: keys and self-signed certificates made
# with tlstun genkey/cert (trust = pin), and the committed test CA and
# node certificates of selftests/unit/certs (trust = ca).
#
# Cases: tlstund -t on a good and on broken files; readiness through
# NOTIFY_SOCKET; under pin trust the tunnel comes up, carries ping and
# iperf3, the SA lists and the logged key fingerprints of the two ends
# pair up, kTLS carries the control connection; the same under ca trust;
# a wrong pin and a certificate for another node never get an SA.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/daemon/tlstund.sh"

require_cmd ip ping iperf3 ss socat tlstun tlstund

# A node id nobody in this test has.
NODE_X=0x0123456789abcdef0123456789abcdef
IPERF_BYTES=$((2 * 1024 * 1024))

trap td_cleanup EXIT

setup() {
	# kTLS for the control connection, asserted below.
	modprobe tls || bail "cannot load the tls module"
	td_setup_pin
}

# td_ca_conf NODE NODE_ID: trust = ca under the test root, expecting
# NODE_ID.
td_ca_conf() {
	td_conf "$1" "trust = ca"$'\n'"ca = $TD_CERTS/root.pem"$'\n'"node-id = $2"
}

# check_conf FILE: run tlstund -t on FILE; its output in $CHECK_OUT, its
# status returned.
check_conf() {
	CHECK_OUT=$(tlstund -t -c "$1" tt0 2>&1)
}

# tlstund -t passes a good file, and says so.
case_check_good() {
	local rc

	check_conf "$TEST_TMP/a.conf"
	rc=$?
	[ $rc = 0 ] || fail "tlstund -t exits $rc on a good file: $CHECK_OUT"
	[ "$CHECK_OUT" = "tlstund: $TEST_TMP/a.conf: configuration OK" ] ||
		fail "tlstund -t prints \"$CHECK_OUT\", expected the file and \"configuration OK\""
}

# bad_conf NAME LINE: a.conf with LINE appended, as $TEST_TMP/NAME.conf;
# prints the number of the added line.
bad_conf() {
	local f=$TEST_TMP/$1.conf

	{ cat "$TEST_TMP/a.conf"; echo "$2"; } >"$f"
	wc -l <"$f"
}

# expect_check_fails FILE REGEX: tlstund -t refuses FILE with exit 1 and
# a message matching REGEX.
expect_check_fails() {
	local rc

	check_conf "$1"
	rc=$?
	ktap_print_msg "tlstund -t: $CHECK_OUT"
	[ $rc = 1 ] || fail "tlstund -t exits $rc on $1, expected 1"
	[[ $CHECK_OUT =~ $2 ]] ||
		fail "tlstund -t on $1 says \"$CHECK_OUT\", expected /$2/"
	[[ $CHECK_OUT != *"configuration OK"* ]] ||
		fail "tlstund -t calls $1 OK"
}

# tlstund -t refuses broken files with an error naming the file, the line
# and the problem (a value out of range, an unknown key), a private key
# others can read naming the key file, and, with the fix, a file its group
# may write, a pin that is this node's own key, and a missing tofu-dir.
case_check_bad() {
	local f n

	f=$TEST_TMP/range.conf
	n=$(bad_conf range "rekey-interval = 10")
	expect_check_fails "$f" \
		"^tlstund: $f:$n: \"rekey-interval\" value \"10\" is out of range"

	f=$TEST_TMP/unknown.conf
	n=$(bad_conf unknown "colour = blue")
	expect_check_fails "$f" "^tlstund: $f:$n: .*\"colour\""

	f=$TEST_TMP/mode.conf
	sed "s|$TEST_TMP/a.key|$TEST_TMP/mode.key|" "$TEST_TMP/a.conf" >"$f"
	install -m 0644 "$TEST_TMP/a.key" "$TEST_TMP/mode.key"
	expect_check_fails "$f" \
		"^tlstund: $f: .*$TEST_TMP/mode.key.* group or others"

	# Files that load and then never work, or work for someone else.
	f=$TEST_TMP/gw.conf
	install -m 0664 "$TEST_TMP/a.conf" "$f"
	expect_check_fails "$f" \
		"^tlstund: $f: the file is writable by its group, and it chooses whom this node trusts; chmod go-w $f"

	f=$TEST_TMP/ownpin.conf
	sed "s|^pin = .*|pin = $(td_pin a)|" "$TEST_TMP/a.conf" >"$f"
	expect_check_fails "$f" \
		"^tlstund: $f: \"pin\" is this node's own key \(sha256:[0-9a-f]{64}\)"

	f=$TEST_TMP/tofu.conf
	sed -e 's|^trust = pin$|trust = tofu|' \
	    -e "s|^pin = .*|tofu-dir = $TEST_TMP/no-such-dir|" \
		"$TEST_TMP/a.conf" >"$f"
	expect_check_fails "$f" \
		"^tlstund: $f: \"tofu-dir\" $TEST_TMP/no-such-dir: No such file or directory; create it, mode 0700"
}

notify_has() {
	grep -q "$1" "$TEST_TMP/notify.txt"
}

# Daemon a, started alone under NOTIFY_SOCKET, reports READY=1 with a
# status once tt0 exists and it listens, before any peer is there.
case_notify() {
	local sock=$TEST_TMP/notify.sock

	bg socat -u "UNIX-RECV:$sock" "OPEN:$TEST_TMP/notify.txt,creat,append"
	wait_for "$WAIT_TIMEOUT" test -S "$sock" ||
		fail "socat does not listen on $sock" || return
	td_start a NOTIFY_SOCKET="$sock"
	wait_for "$WAIT_TIMEOUT" notify_has READY=1 ||
		fail "no READY=1 on NOTIFY_SOCKET; a said: $(cat "${TD_LOG[a]}")" ||
		return
	# tt0 and the listener exist once READY=1 is sent; b is not there yet.
	ip -n "$ns_a" link show tt0 >/dev/null ||
		fail "READY=1 came before tt0 exists"
	listening "$ns_a" "$TD_PROTO" 7081 ||
		fail "READY=1 came before tlstund listens on 7081"
	notify_has "STATUS=waiting for the peer" ||
		fail "no STATUS= with READY=1: $(cat "$TEST_TMP/notify.txt")"
	ktap_print_msg "notify: $(tr '\n' ' ' <"$TEST_TMP/notify.txt")"
}

# With b started, the two daemons find each other, agree SAs and report
# the tunnel up, a also through NOTIFY_SOCKET.
case_pin_up() {
	td_start b
	td_wait_up ||
		fail "the tunnel does not come up: a: $(tail -n 3 "${TD_LOG[a]}") b: $(tail -n 3 "${TD_LOG[b]}")" ||
		return
	wait_for "$WAIT_TIMEOUT" notify_has "STATUS=tunnel up with $(td_pin_label b)" ||
		fail "a's status never says the tunnel is up with b"
	td_inner_up || fail "cannot address tt0"
}

# Ping and a TCP transfer cross the tunnel.
case_traffic() {
	local json=$TEST_TMP/iperf3.json sent

	td_ping a -q -c 3 -i 0.2 -W 2 >/dev/null ||
		fail "a cannot ping b through the tunnel" || return
	iperf3_server "$ns_b" 5201 ||
		fail "iperf3 server did not listen" || return
	iperf3_client "$ns_a" "${TD_INNER[b]}" "$json" -n $IPERF_BYTES ||
		fail "iperf3 through the tunnel failed: $(head -c 300 "$json")" ||
		return
	sent=$(iperf3_bytes "$json" sum_sent) ||
		fail "no byte count in the iperf3 report" || return
	ktap_print_msg "iperf3 sent $sent bytes through the tunnel"
	[ "$sent" -ge $IPERF_BYTES ] ||
		fail "iperf3 sent $sent bytes, asked for $IPERF_BYTES"
}

# sa_peers NODE: the peer labels of NODE's SAs, each once.
sa_peers() {
	local -A seen
	local dir spi peer

	while read -r dir spi peer; do
		[ -n "${seen[$peer]}" ] || echo "$peer"
		seen[$peer]=1
	done < <(td_sas "$1")
}

# Each end's tx SPI is the other's rx SPI, and every SA names the other
# end by the identity it proved.
case_sa_pairs() {
	local node want got

	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)" || return
	ktap_print_msg "a rx ${TD_SPI[a.rx]} tx ${TD_SPI[a.tx]}, b rx ${TD_SPI[b.rx]} tx ${TD_SPI[b.tx]}"
	for node in a b; do
		want=$(td_pin_label "${TD_PEER[$node]}")
		got=$(sa_peers "$node")
		[ "$got" = "$want" ] ||
			fail "$node's SAs name the peer \"$got\", expected \"$want\""
	done
}

# check_crosswise: the key fingerprints the running daemons logged pair
# up.  Every tx SA installed has the rx SA of the same SPI and key on the
# other end, which installs it first, and so do the SAs in place now.  (An
# rx SA of a session that lost a dialing race may have no tx counterpart.)
# No key serves two SAs of one end.
check_crosswise() {
	local -A rx last keys
	local list node dir spi fp peer n=0

	list=$(td_installs_in a "${TD_LOG[a]}" 0
	       td_installs_in b "${TD_LOG[b]}" 0)
	while read -r node dir spi fp; do
		[ "$dir" = rx ] && rx[$node $spi $fp]=1
		last[$node $dir $spi]=$fp
		keys[$node $fp]=1
		n=$((n + 1))
	done <<<"$list"
	while read -r node dir spi fp; do
		peer=${TD_PEER[$node]}
		[ "$dir" = tx ] && [ -z "${rx[$peer $spi $fp]}" ] &&
			fail "$node's tx SA $spi has key $fp, but $peer never installed that rx SA"
	done <<<"$list"
	[ $n -ge 4 ] || fail "the logs show $n SA installs, expected at least 4"
	[ ${#keys[@]} = $n ] ||
		fail "an end installed a key twice: $(echo $list)"
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)" || return
	for node in a b; do
		peer=${TD_PEER[$node]}
		spi=${TD_SPI[$node.tx]}
		fp=${last[$node tx $spi]}
		[ -n "$fp" ] && [ "$fp" = "${last[$peer rx $spi]}" ] ||
			fail "$node's tx SA $spi in place has key ${fp:-(not logged)}, $peer's rx SA ${last[$peer rx $spi]:-(not logged)}"
	done
}

# The key fingerprints both daemons log pair up crosswise.
case_fingerprints() {
	check_crosswise
	ktap_print_msg "installs: $(td_installs a b | tr '\n' ';')"
}

# With the tls module loaded, both ends run the control connection over
# kTLS; over QUIC, both say so and no TCP connection exists.
case_ktls() {
	local node

	if [ "$TD_TRANSPORT" = quic ]; then
		for node in a b; do
			grep -q "handshake complete, .* over QUIC" \
				"${TD_LOG[$node]}" ||
				fail "$node: $(grep "handshake complete" "${TD_LOG[$node]}")"
			[ -z "$(ip netns exec "${TD_NS[$node]}" ss -Htn)" ] ||
				fail "$node has TCP connections: $(ip netns exec "${TD_NS[$node]}" ss -Htn)"
		done
		return
	fi
	lsmod | grep -q '^tls ' || fail "lsmod does not list tls"
	for node in a b; do
		grep -q "handshake complete, .*kTLS tx on" "${TD_LOG[$node]}" &&
		! grep -q "kTLS tx off" "${TD_LOG[$node]}" ||
			fail "$node: $(grep "handshake complete" "${TD_LOG[$node]}")"
	done
}

# stop_both: SIGINT the daemons that run; each exits 0 and removes its
# SAs.
stop_both() {
	local node

	for node in a b; do
		[ -n "${TD_PID[$node]}" ] || continue
		td_stop "$node" INT || fail "$node's tlstund did not stop cleanly"
		td_no_sas "$node" || fail "$node kept SAs after SIGINT: $(td_sas "$node")"
	done
}

# Under trust = ca, with the test CA's certificates for nodes A and B (A
# sends its intermediate along), the tunnel comes up, carries ping, and
# each end names the other by its node id.
case_ca_up() {
	stop_both || return
	td_ca_identity a leaf_a inter && td_ca_identity b leaf_b &&
	td_ca_conf a $TD_NODE_B && td_ca_conf b $TD_NODE_A ||
		fail "cannot write the ca configurations" || return
	td_start a
	td_start b
	td_wait_up ||
		fail "the tunnel does not come up: a: $(tail -n 3 "${TD_LOG[a]}") b: $(tail -n 3 "${TD_LOG[b]}")" ||
		return
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)"
	td_ping a -q -c 3 -i 0.2 -W 2 >/dev/null || fail "a cannot ping b"
	[ "$(sa_peers a)" = "b node:$TD_NODE_B" ] ||
		fail "a's SAs name the peer \"$(sa_peers a)\""
	[ "$(sa_peers b)" = "a node:$TD_NODE_A" ] ||
		fail "b's SAs name the peer \"$(sa_peers b)\""
	check_crosswise
}

any_sa() {
	! td_no_sas a || ! td_no_sas b
}

# expect_refused NODE REASON: both daemons run, NODE refuses the other's
# certificate for REASON, and so no SA appears and nothing crosses.
expect_refused() {
	local node=$1 reason=$2

	td_start a
	td_start b
	# Twice: each end has dialed at least once by the second refusal.
	td_wait_log "$node" "certificate rejected: $reason" 2 ||
		fail "$node never logged \"certificate rejected: $reason\": $(tail -n 4 "${TD_LOG[$node]}")"
	ktap_print_msg "$node: $(grep -m 1 "certificate rejected" "${TD_LOG[$node]}")"
	! wait_for 2 any_sa ||
		fail "an SA appeared: a: $(td_sas a) b: $(td_sas b)"
	! grep -h "tunnel up" "${TD_LOG[a]}" "${TD_LOG[b]}" ||
		fail "a daemon reported the tunnel up"
	! td_ping a -q -c 1 -W 1 >/dev/null || fail "a ping crossed the tunnel"
	stop_both
}

# b pins a key that is not a's: b refuses a whichever end dials.
case_wrong_pin() {
	stop_both || return
	td_conf b "trust = pin"$'\n'"pin = $TD_PIN_OTHER" ||
		fail "cannot write the configurations" || return
	expect_refused b "peer key does not match the configured pin"
}

# Under trust = ca, a expects a node other than the one b's certificate,
# valid under the same CA, names.
case_wrong_node() {
	stop_both || return
	td_ca_identity a leaf_a inter && td_ca_identity b leaf_b &&
	td_ca_conf a $NODE_X && td_ca_conf b $TD_NODE_A ||
		fail "cannot write the ca configurations" || return
	expect_refused a "certificate names a different node"
}

ktap_print_header
ktap_set_plan 11
setup
run_case "tlstund -t accepts a good configuration" case_check_good
run_case "tlstund -t names file, line and problem of bad ones" case_check_bad
run_case "readiness: READY=1 and STATUS on NOTIFY_SOCKET" case_notify
run_case "pin: the tunnel comes up by itself" case_pin_up
run_case "pin: ping and iperf3 through the tunnel" case_traffic
run_case "pin: SPIs pair up and SAs name the peer" case_sa_pairs
run_case "pin: key fingerprints pair up crosswise" case_fingerprints
if [ "$TD_TRANSPORT" = quic ]; then
	run_case "pin: QUIC carries the control connection" case_ktls
else
	run_case "pin: kTLS carries the control connection" case_ktls
fi
run_case "pin: a wrong pin never gets an SA" case_wrong_pin
run_case "ca: the tunnel comes up with node certificates" case_ca_up
run_case "ca: a certificate for another node never gets an SA" case_wrong_node
ktap_finished
