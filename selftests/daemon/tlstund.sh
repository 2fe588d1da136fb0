# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the scripts that run tlstund (daemon.sh, daemon_ops.sh and
# tools/demo-guest.sh).  Source it after selftests/lib.sh, which it builds
# on (setup_ns, add_veth, bg, wait_for, $TEST_TMP).  Two nodes, a and b:
#
#   +--------- $ns_a ----------+             +--------- $ns_b ----------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a    tcp 7081|=== TLS ====|tcp 7081    tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#
# The daemons create tt0 themselves; td_inner_up only addresses it and sets
# it up.  Each node's files live in $TEST_TMP: NODE.key (0600), NODE.pem,
# NODE.pin, NODE.conf, and one log per daemon start, NODE.1.log,
# NODE.2.log... (TD_LOG[NODE] is the current one), so a test can look at
# everything a node ever logged.

# The control transport every configuration names: tls (TCP 7081) unless
# the suite runs again over QUIC (daemon_quic.sh: TD_TRANSPORT=quic, UDP
# 7081).  TD_PROTO is what ss(8) calls the listener's protocol.
TD_TRANSPORT=${TD_TRANSPORT:-tls}
case $TD_TRANSPORT in
quic) TD_PROTO=udp ;;
*) TD_PROTO=tcp ;;
esac

TD_CERTS=$TOP/selftests/unit/certs
# The node ids of the committed test leaves (selftests/unit/certs/README).
TD_NODE_A=0x00112233445566778899aabbccddeeff
TD_NODE_B=0xffeeddccbbaa99887766554433221100

declare -A TD_NS TD_PID TD_LOG TD_STARTS
declare -A TD_ADDR=([a]=10.0.1.1 [b]=10.0.1.2)
declare -A TD_INNER=([a]=10.0.2.1 [b]=10.0.2.2)
declare -A TD_PEER=([a]=b [b]=a)

# td_topology: the two namespaces and the veth between them.
td_topology() {
	setup_ns ns_a ns_b
	TD_NS[a]=$ns_a
	TD_NS[b]=$ns_b
	add_veth "$ns_a" va "$ns_b" vb &&
	ip -n "$ns_a" addr add "${TD_ADDR[a]}/24" dev va &&
	ip -n "$ns_b" addr add "${TD_ADDR[b]}/24" dev vb &&
	wait_for_iface "$ns_a" va && wait_for_iface "$ns_b" vb
}

# td_setup_pin: what every test starts from: the namespaces, an identity
# per node and configurations in which each pins the other's key.  Bails
# when it cannot.
td_setup_pin() {
	[ -e /sys/module/tlstun ] || bail "tlstun.ko is not loaded"
	td_topology || bail "cannot set up the namespaces"
	td_identity a && td_identity b ||
		bail "tlstun cannot make the node identities"
	td_pin_conf a && td_pin_conf b ||
		bail "cannot write the configurations"
}

# td_setup_running: td_setup_pin, then both daemons started, the tunnel up
# and the SAs paired.  Bails when it cannot.
td_setup_running() {
	td_setup_pin
	td_start a
	td_start b
	td_wait_up || bail "the tunnel does not come up"
	wait_for "$WAIT_TIMEOUT" td_paired || bail "the SAs do not pair up"
}

# td_cleanup: a test's EXIT trap: every daemon log when a case failed,
# then cleanup_all.
td_cleanup() {
	[ "$KTAP_CNT_FAIL" = 0 ] || td_dump_logs
	cleanup_all
}

# td_identity NODE: a fresh key and a self-signed certificate made with
# tlstun itself, and the pin of the key.
td_identity() {
	local f=$TEST_TMP/$1

	rm -f "$f.key" "$f.pem"
	tlstun genkey "$f.key" &&
	tlstun cert "$f.key" days 2 out "$f.pem" &&
	tlstun pubkey "$f.pem" >"$f.pin"
}

# td_ca_identity NODE LEAF [CERT...]: the committed test leaf LEAF (its key
# copied with mode 0600, as tlstund demands) and the certificates to send
# with it.
td_ca_identity() {
	local f=$TEST_TMP/$1 leaf=$2 c
	shift 2

	rm -f "$f.key"
	install -m 0600 "$TD_CERTS/$leaf.key.pem" "$f.key" &&
	cat "$TD_CERTS/$leaf.pem" >"$f.pem" || return
	for c in "$@"; do
		cat "$TD_CERTS/$c.pem" >>"$f.pem" || return
	done
	cp "$TD_CERTS/$leaf.pin" "$f.pin"
}

# td_pin NODE: the pin of NODE's key.
td_pin() {
	cat "$TEST_TMP/$1.pin"
}

# A well-formed pin of a key no node in these tests has: a committed test
# certificate's.
TD_PIN_OTHER=$(cat "$TD_CERTS/self_a.pin")

# td_pin_label NODE: how the other node names NODE under pin trust: its
# peer name and the start of the pin.
td_pin_label() {
	local pin

	pin=$(td_pin "$1") || return
	pin=${pin#sha256:}
	echo "$1 pin:sha256:${pin:0:16}"
}

# td_conf NODE TRUST_LINES [MORE_LINES]: NODE's configuration: its own key
# and certificate, listening on its veth address and dialing the peer's,
# the trust keys of [peer] from TRUST_LINES, short [timers] to keep the
# tests fast, then MORE_LINES (more [timers] keys, or further sections).
td_conf() {
	local node=$1 peer=${TD_PEER[$1]}

	cat >"$TEST_TMP/$node.conf" <<-EOF
	# $node's end of the tunnel to $peer
	[interface]
	name = tt0
	private-key = $TEST_TMP/$node.key
	certificate = $TEST_TMP/$node.pem
	listen = ${TD_ADDR[$node]}:7081

	[peer]
	name = $peer
	endpoint = ${TD_ADDR[$peer]}:7081
	transport = $TD_TRANSPORT
	$2

	[timers]
	rekey-grace = 1s
	reconnect-min = 1s
	reconnect-max = 2s
	${3:-}
	EOF
}

# td_pin_conf NODE [MORE_LINES]: td_conf trusting the peer's pin.
td_pin_conf() {
	td_conf "$1" "trust = pin"$'\n'"pin = $(td_pin "${TD_PEER[$1]}")" \
		"${2:-}"
}

# td_start NODE [NAME=VALUE...]: start NODE's tlstund (debug logging) in
# its namespace, with the environment given, logging to a new file.
td_start() {
	local node=$1 n
	shift

	n=$((${TD_STARTS[$node]:-0} + 1))
	TD_STARTS[$node]=$n
	TD_LOG[$node]=$TEST_TMP/$node.$n.log
	bg env "$@" ip netns exec "${TD_NS[$node]}" \
		tlstund -d -c "$TEST_TMP/$node.conf" tt0 \
		>"${TD_LOG[$node]}" 2>&1
	TD_PID[$node]=$BG_PID
}

proc_gone() {
	local stat

	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
	[[ $stat =~ ^[0-9]+\ \(.*\)\ Z ]]
}

# td_stop NODE [SIGNAL]: signal NODE's daemon (SIGTERM) and wait until it
# exited; returns its exit status, or 255 when it is still running.
td_stop() {
	local pid=${TD_PID[$1]:-} rc=255

	[ -n "$pid" ] || return 1
	# Quiet: bash reports a job that a signal killed as it reaps it.
	exec {TD_ERR}>&2 2>/dev/null
	kill -"${2:-TERM}" "$pid"
	if wait_for "$WAIT_TIMEOUT" proc_gone "$pid"; then
		wait "$pid"
		rc=$?
		TD_PID[$1]=
	fi
	exec 2>&$TD_ERR {TD_ERR}>&-
	return $rc
}

# td_count NODE REGEX [LOG]: sets TD_N to the number of lines of NODE's
# current log (or LOG) that match REGEX.  In bash, not grep: the tests
# poll logs, and every program started costs a lot under TCG.
td_count() {
	local line

	TD_N=0
	while IFS= read -r line; do
		[[ $line =~ $2 ]] && TD_N=$((TD_N + 1))
	done <"${3:-${TD_LOG[$1]}}"
	return 0
}

td_has_at_least() {
	td_count "$1" "$2" && [ "$TD_N" -ge "$3" ]
}

# td_wait_log NODE REGEX [N]: wait until N lines (default 1) of NODE's
# current log match.
td_wait_log() {
	wait_for "$WAIT_TIMEOUT" td_has_at_least "$1" "$2" "${3:-1}"
}

# td_signal NODE SIGNAL REGEX: send SIGNAL to NODE's daemon and wait until
# its log has one more line that matches REGEX than before.
td_signal() {
	local n

	td_count "$1" "$3"
	n=$TD_N
	kill -"$2" "${TD_PID[$1]}"
	td_wait_log "$1" "$3" $((n + 1))
}

# td_accepted NODE: NODE's listener (tcp 7081) has accepted every
# connection made to it: its accept queue is empty.
td_accepted() {
	[[ $(ip netns exec "${TD_NS[$1]}" ss -Hltn "sport = :7081") =~ ^LISTEN\ +0\  ]]
}

# td_wait_up [N]: wait until both daemons logged their N-th (default 1)
# "tunnel up".
td_wait_up() {
	td_wait_log a "tunnel up with" "${1:-1}" &&
	td_wait_log b "tunnel up with" "${1:-1}"
}

# td_inner_up: address the tt0 the daemons made and set it up, without
# IPv6 so that the tunnel carries only what a test sends.
td_inner_up() {
	local node ns

	for node in a b; do
		ns=${TD_NS[$node]}
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.tt0.disable_ipv6=1 &&
		ip -n "$ns" addr replace "${TD_INNER[$node]}/24" dev tt0 &&
		ip -n "$ns" link set tt0 up || return
	done
}

# td_ping NODE [PING ARGS...]: ping the other node's tunnel address.
td_ping() {
	local node=$1
	shift

	ip netns exec "${TD_NS[$node]}" ping "$@" \
		"${TD_INNER[${TD_PEER[$node]}]}"
}

# td_sas NODE: NODE's SAs on tt0 as tlstun -j sa show lists them, one a
# line: "DIR SPI PEER", the SPI as 0x%08x.  Parsed in bash rather than by
# jq for speed; each SA is an object that starts with "ifname".
td_sas() {
	local json obj dir spi peer

	json=$(ip netns exec "${TD_NS[$1]}" tlstun -j sa show dev tt0) ||
		return
	[[ $json == \[*\] ]] || return
	json=${json//\{\"ifname\":/$'\n'}
	while IFS= read -r obj; do
		[[ $obj =~ \"dir\":\"([a-z]+)\" ]] || continue
		dir=${BASH_REMATCH[1]}
		[[ $obj =~ \"spi\":([0-9]+) ]] || return
		spi=${BASH_REMATCH[1]}
		peer=
		[[ $obj =~ \"peer\":\"([^\"]*)\" ]] && peer=${BASH_REMATCH[1]}
		printf '%s 0x%08x %s\n' "$dir" "$spi" "$peer"
	done <<<"${json#\[}"
}

td_no_sas() {
	local list

	list=$(td_sas "$1") && [ -z "$list" ]
}

# td_paired: each node has one rx and one tx SA, and each one's tx SPI is
# the other's rx SPI: the steady state of an up tunnel.  The SPIs are left
# in TD_SPI[a.rx], TD_SPI[a.tx], TD_SPI[b.rx], TD_SPI[b.tx].
declare -A TD_SPI
td_paired() {
	local node list dir spi peer

	TD_SPI=()
	for node in a b; do
		list=$(td_sas "$node") || return
		while read -r dir spi peer; do
			[ -z "${TD_SPI[$node.$dir]:-}" ] || return
			TD_SPI[$node.$dir]=$spi
		done <<<"$list"
	done
	[ -n "${TD_SPI[a.tx]:-}" ] && [ -n "${TD_SPI[b.tx]:-}" ] &&
	[ "${TD_SPI[a.tx]}" = "${TD_SPI[b.rx]:-}" ] &&
	[ "${TD_SPI[b.tx]}" = "${TD_SPI[a.rx]:-}" ]
}

# td_installs NODE...: every SA install the nodes ever logged, one a line:
# "NODE DIR SPI FINGERPRINT", in order, from every log of each node.
td_installs() {
	local node n

	for node in "$@"; do
		for ((n = 1; n <= ${TD_STARTS[$node]:-0}; n++)); do
			td_installs_in "$node" "$TEST_TMP/$node.$n.log" 0
		done
	done
}

# td_installs_in NODE LOG SKIP: the installs of one log of NODE, as
# td_installs prints them, after its first SKIP lines.
td_installs_in() {
	local line n=0
	local re=': installed (rx|tx) SA spi (0x[0-9a-f]{8}) key ([0-9a-f]{16})$'

	while IFS= read -r line; do
		n=$((n + 1))
		[ $n -gt "$3" ] && [[ $line =~ $re ]] &&
			echo "$1 ${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
	done <"$2"
	return 0
}

# td_stats NODE NAME...: counters NAME... of NODE's tt0 (rx_auth_fail,
# rx_replay, port_unknown_spi...), "NAME VALUE" a line.
td_stats() {
	local node=$1 json name
	shift

	json=$(ip netns exec "${TD_NS[$node]}" tlstun -s -j link show tt0) ||
		return
	for name in "$@"; do
		[[ $json =~ \"$name\":([0-9]+) ]] || return
		echo "$name ${BASH_REMATCH[1]}"
	done
}

# td_dump_logs: every log of every daemon, to stderr, for a failed run.
td_dump_logs() {
	local f

	for f in "$TEST_TMP"/[ab].*.log; do
		[ -e "$f" ] || continue
		echo "---- ${f##*/}"
		cat "$f"
	done >&2
}
