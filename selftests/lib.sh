# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the tlstun kselftests (bash).  A test does
#
#	source "$(dirname "$0")/lib.sh"
#
# and gets:
#
#   KTAP output     ktap_print_header, ktap_set_plan N, ktap_test_pass NAME,
#                   ktap_test_fail NAME [REASON], ktap_test_skip NAME REASON,
#                   ktap_print_msg TEXT, ktap_skip_all REASON, ktap_finished
#   cases           run_case NAME FUNC [ARGS...]: one KTAP line for FUNC;
#                   inside it `cmd || fail "message"` records a failure
#                   (and returns 1, so `|| return` stops the case), and
#                   `skip "reason"; return` skips it.  bail "message"
#                   aborts the whole test (setup could not be done);
#                   require_cmd PROG... skips it when a program is missing.
#   namespaces      setup_ns VAR..., add_veth, in_ns, bg, kill_bg, cleanup_all
#                   (kills bg processes, deletes netns and $TEST_TMP)
#   waiting         wait_for, wait_for_iface, wait_for_listen
#   traffic         iperf3_server, iperf3_client, iperf3_bytes,
#                   tcpdump_start, tcpdump_wait_count, tcpdump_stop,
#                   tcpdump_count, seq_cross
#
# Documentation/vm.rst describes them and the runner.

#
# after tools/testing/selftests/net/lib.sh and kselftest/ktap_helpers.sh.
# Exit codes follow kselftest: 0 pass, 1 fail, 4 skip.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

# Upper bound, in seconds, for anything a helper waits for.
: "${WAIT_TIMEOUT:=20}"

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=${TOP:-$(cd "$LIB_DIR/.." && pwd)}

# Per-test scratch space; cleanup_all removes it.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$0" .sh).XXXXXX")

NS_LIST=()
BG_PIDS=()

# --- KTAP -------------------------------------------------------------------

KTAP_TESTNO=1
KTAP_CNT_PASS=0
KTAP_CNT_FAIL=0
KTAP_CNT_SKIP=0
KTAP_PLAN=0

ktap_print_header() {
	echo "TAP version 13"
}

ktap_set_plan() {
	KTAP_PLAN=$1
	echo "1..$KTAP_PLAN"
}

ktap_print_msg() {
	echo "# $*"
}

__ktap_test() {
	local result=$1 name=$2 directive=${3:-}

	echo "$result $KTAP_TESTNO $name${directive:+ # $directive}"
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
}

ktap_test_pass() {
	__ktap_test ok "$1"
	KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1))
}

# The reason, if any, goes on a diagnostic line: "# FAIL" is no KTAP
# directive, and "not ok ... # reason" would read as one.
ktap_test_fail() {
	[ -n "${2:-}" ] && ktap_print_msg "$1: $2"
	__ktap_test "not ok" "$1"
	KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1))
}

ktap_test_skip() {
	__ktap_test ok "$1" "SKIP ${2:-}"
	KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1))
}

ktap_print_totals() {
	echo "# Totals: pass:$KTAP_CNT_PASS fail:$KTAP_CNT_FAIL xfail:0 xpass:0 skip:$KTAP_CNT_SKIP error:0"
}

# The whole test cannot run here (missing tool or kernel feature).
ktap_skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# Fails when a case failed or when fewer cases ran than planned, so a test
# that lost its way part-through does not pass.
ktap_finished() {
	local ran=$((KTAP_CNT_PASS + KTAP_CNT_FAIL + KTAP_CNT_SKIP))

	ktap_print_totals
	if [ "$KTAP_CNT_FAIL" -gt 0 ]; then
		exit $KSFT_FAIL
	elif [ "$ran" -ne "$KTAP_PLAN" ]; then
		ktap_print_msg "planned $KTAP_PLAN cases, ran $ran"
		exit $KSFT_FAIL
	elif [ "$KTAP_CNT_PASS" -eq 0 ] && [ "$KTAP_CNT_SKIP" -gt 0 ]; then
		exit $KSFT_SKIP
	fi
	exit $KSFT_PASS
}

# --- cases --------------------------------------------------------------------

CASE_FAILS=()
CASE_SKIP=

# Record why the current case failed and keep going; returns 1 so the
# caller can chain `|| return` where going on makes no sense.
fail() {
	CASE_FAILS+=("$*")
	ktap_print_msg "FAIL: $*"
	return 1
}

skip() {
	CASE_SKIP="$*"
}

# Setup went wrong: nothing after it means anything.
bail() {
	echo "Bail out! $*"
	exit $KSFT_FAIL
}

# run_case NAME FUNC [ARGS...]: runs FUNC in this shell (so what it sets
# up stays visible) and prints its KTAP line.  A FUNC that returns
# non-zero without calling fail still fails, with its status as reason.
run_case() {
	local name=$1 rc t0=$EPOCHREALTIME
	shift

	CASE_FAILS=()
	CASE_SKIP=
	"$@"
	rc=$?
	ktap_print_msg "$name: $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $t0 }")s"

	if [ -n "$CASE_SKIP" ]; then
		ktap_test_skip "$name" "$CASE_SKIP"
	elif [ ${#CASE_FAILS[@]} -gt 0 ]; then
		ktap_test_fail "$name"
	elif [ $rc -ne 0 ]; then
		ktap_test_fail "$name" "$1 returned $rc"
	else
		ktap_test_pass "$name"
	fi
}

# Skip the whole test unless every named program is installed.
require_cmd() {
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null || ktap_skip_all "$c is not installed"
	done
}

# --- waiting -------------------------------------------------------------------

# wait_for SECONDS CMD [ARGS...]: poll CMD every 0.1 s until it succeeds;
# fails once SECONDS have passed.  For events with no notification to
# block on; never a fixed sleep.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift

	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

iface_up() {
	ip -n "$1" link show dev "$2" 2>/dev/null | grep -q LOWER_UP
}

# wait_for_iface NS DEV: DEV in NS has carrier.
wait_for_iface() {
	wait_for "$WAIT_TIMEOUT" iface_up "$1" "$2"
}

listening() {
	local ns=$1 proto=$2 port=$3

	ip netns exec "$ns" ss -Hln"${proto:0:1}" "sport = :$port" 2>/dev/null |
		grep -q .
}

# wait_for_listen NS tcp|udp PORT: something in NS listens on PORT.
wait_for_listen() {
	wait_for "$WAIT_TIMEOUT" listening "$1" "$2" "$3"
}

# file_has FILE REGEX
file_has() {
	grep -qE "$2" "$1" 2>/dev/null
}

# --- namespaces ----------------------------------------------------------------

# setup_ns VAR...: create one netns per VAR, uniquely named after it
# ("ns1" -> "ns1-Ab3xYz"), loopback up; VAR is set to the name.
setup_ns() {
	local var name

	for var in "$@"; do
		name="${var,,}-$(mktemp -u XXXXXX)"
		ip netns add "$name" || bail "cannot create netns $name"
		NS_LIST+=("$name")
		ip -n "$name" link set lo up || bail "cannot bring up lo in $name"
		printf -v "$var" '%s' "$name"
	done
}

# add_veth NS1 DEV1 NS2 DEV2: a veth pair from DEV1 in NS1 to DEV2 in NS2,
# both up.
add_veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" &&
	ip -n "$1" link set "$2" up &&
	ip -n "$3" link set "$4" up
}

# in_ns NS CMD [ARGS...]
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Run CMD in the background and remember it for cleanup_all.  The pid is
# left in $BG_PID (a subshell would lose it).
bg() {
	"$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# kill_bg: kill every process bg started and wait for them.
kill_bg() {
	local pid

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
}

# Kill what the test started, delete its namespaces and scratch space.
# Safe to call more than once; the test's EXIT trap should call it.
cleanup_all() {
	local ns

	kill_bg
	for ns in "${NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
	rm -rf "$TEST_TMP"
}

# --- traffic --------------------------------------------------------------------

# iperf3_server NS [PORT]: a one-shot iperf3 server in NS, returning once it
# listens.
iperf3_server() {
	local ns=$1 port=${2:-5201}

	bg ip netns exec "$ns" iperf3 -s -1 -p "$port" \
		>"$TEST_TMP/iperf3-server-$port.log" 2>&1
	wait_for_listen "$ns" tcp "$port"
}

# iperf3_client NS SERVER OUTFILE [IPERF3 ARGS...]: run the client in NS
# against SERVER, JSON report in OUTFILE.
iperf3_client() {
	local ns=$1 server=$2 json=$3
	shift 3

	ip netns exec "$ns" timeout "$((WAIT_TIMEOUT * 3))" \
		iperf3 -c "$server" -J "$@" >"$json"
}

# seq_cross FROM_NS TO_NS ADDR PORT COUNT: COUNT numbered datagrams
# (ttpkt seq-send) from FROM_NS to ADDR:PORT, taken by ttpkt seq-recv in
# TO_NS; prints its "received N out-of-order M" line, or why it could not
# and fails.
seq_cross() {
	local from=$1 to=$2 addr=$3 port=$4 n=$5 pid
	local ttpkt=$LIB_DIR/tools/ttpkt err=$TEST_TMP/seq-recv.err

	: >"$err"
	in_ns "$to" "$ttpkt" seq-recv "$port" "$n" 5 \
		>"$TEST_TMP/seq-recv.out" 2>"$err" &
	pid=$!
	wait_for "$WAIT_TIMEOUT" file_has "$err" listening ||
		{ kill "$pid"; echo "seq-recv did not start: $(cat "$err")"; return 1; }
	in_ns "$from" "$ttpkt" seq-send "$addr" "$port" "$n" ||
		{ kill "$pid"; echo "seq-send failed"; return 1; }
	wait "$pid" || { echo "seq-recv failed: $(cat "$err")"; return 1; }
	cat "$TEST_TMP/seq-recv.out"
}

# iperf3_bytes OUTFILE [sum_sent|sum_received]: bytes the sender sent or
# the receiver got (default), from an iperf3 -J report of a TCP run;
# fails on a broken report.
iperf3_bytes() {
	# cJSON prints one member a line; "sum_sent" and "sum_received"
	# appear only in "end", each object's "bytes" among its first lines.
	awk -v key="\"${2:-sum_received}\":" '
		$1 == key { inside = 1; next }
		inside && $1 == "\"bytes\":" { sub(/,$/, "", $2); print $2; found = 1; exit }
		END { exit !found }' "$1"
}


# tcpdump_start NS DEV PCAP [FILTER...]: capture on DEV in NS into PCAP,
# returning once tcpdump reports it is listening (so nothing sent after
# this is missed).  The pid is left in $TCPDUMP_PID.
tcpdump_start() {
	local ns=$1 dev=$2 pcap=$3
	shift 3

	# --immediate-mode and -U put each packet in PCAP as it arrives,
	# rather than when a ring block fills or times out, so
	# tcpdump_wait_count can watch it.  -Z root: Debian's tcpdump
	# otherwise opens PCAP as user tcpdump.
	bg ip netns exec "$ns" tcpdump -i "$dev" -n --immediate-mode -U \
		-Z root -w "$pcap" "$@" 2>"$pcap.log"
	TCPDUMP_PID=$BG_PID
	wait_for "$WAIT_TIMEOUT" file_has "$pcap.log" "listening on"
}

# tcpdump_stop: stop the capture started last and wait until the file is
# complete.  SIGTERM, as background jobs of a script ignore SIGINT.
tcpdump_stop() {
	kill -TERM "$TCPDUMP_PID" 2>/dev/null
	wait "$TCPDUMP_PID" 2>/dev/null
	return 0
}

# tcpdump_count PCAP [FILTER...]: packets in PCAP matching FILTER.
tcpdump_count() {
	local pcap=$1
	shift

	# One packet per line that starts in column 0: tcpdump indents what
	# it decodes beneath (the frame inside a Geneve packet, hex dumps).
	tcpdump -r "$pcap" -n "$@" 2>/dev/null | grep -c '^[^[:space:]]' || true
}

count_at_least() {
	local n=$1
	shift
	[ "$(tcpdump_count "$@")" -ge "$n" ]
}

# tcpdump_wait_count PCAP N [FILTER...]: wait until the running capture
# holds N packets matching FILTER, the bounded way to know it has seen
# the last packet sent before stopping it.
tcpdump_wait_count() {
	local pcap=$1 n=$2
	shift 2

	wait_for "$WAIT_TIMEOUT" count_at_least "$n" "$pcap" "$@"
}

# --- tlstun ---------------------------------------------------------------------

# tlstun_key BYTES: a fresh random key in hex (16: aes-gcm-128, 32: -256),
# from bash's getrandom()-backed $SRANDOM: no process to start, which
# counts in the VM.
tlstun_key() {
	local i key=

	for ((i = 0; i < $1; i += 4)); do
		printf -v key '%s%08x' "$key" "$SRANDOM"
	done
	echo "$key"
}

# json_num KEY: the number of the first "KEY": member of the JSON on stdin;
# fails when there is none.  Enough for tlstun -j, whose keys are unique
# within one device or SA object.
json_num() {
	local json re="\"$1\":([0-9]+)"

	IFS= read -r -d '' json
	[[ $json =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# tlstun_stat NS DEV NAME: counter NAME of device DEV, as tlstun -s -j link
# show names it (rx_packets, rx_auth_fail, tx_too_big, port_unknown_spi...).
tlstun_stat() {
	ip netns exec "$1" tlstun -s -j link show "$2" | json_num "$3"
}

# tlstun_sa_stat NS DEV DIR SPI NAME: counter NAME (packets, auth_fail,
# replay...) of one SA; fails when the SA does not exist.
tlstun_sa_stat() {
	ip netns exec "$1" tlstun -s -j sa show dev "$2" dir "$3" spi "$4" |
		json_num "$5"
}

# tlstun_sa_pair TX_NS RX_NS DEV SPI [SUITE [RX_OPTS...]]: one direction
# of a tunnel under a fresh key: the rx SA on DEV in RX_NS (with RX_OPTS,
# e.g. replay-window 64), then the tx SA on DEV in TX_NS, in the
# make-before-break order.  SUITE defaults to aes-gcm-128.
tlstun_sa_pair() {
	local txns=$1 rxns=$2 dev=$3 spi=$4 suite=${5:-aes-gcm-128} key
	shift $(($# < 5 ? $# : 5))

	key=$(tlstun_key $([ "$suite" = aes-gcm-256 ] && echo 32 || echo 16))
	ip netns exec "$rxns" tlstun sa add dev "$dev" dir rx spi "$spi" \
		suite "$suite" key "$key" "$@" &&
	ip netns exec "$txns" tlstun sa add dev "$dev" dir tx spi "$spi" \
		suite "$suite" key "$key"
}

# tlstun_pair: the two hosts most tlstun tests start from.
#
#   +-------- $ns1 --------+            +-------- $ns2 --------+
#   | veth1 10.0.1.1/24    |------------| veth2 10.0.1.2/24    |
#   |       fd00:1::1/64   |            |       fd00:1::2/64   |
#   | tt0   10.0.2.1/24    |==UDP 6081==| tt0   10.0.2.2/24    |
#   +----------------------+            +----------------------+
#
# tt0 (IPv4 underlay) sends ns1 -> ns2 under SPI 0x1001 and ns2 -> ns1
# under 0x2001, fresh aes-gcm-128 keys.  IPv6 is off on tt0 and the
# neighbours are static (tt0 is 02:00:00:00:02:01 in ns1, ...:02:02 in
# ns2), so the tunnel carries only what a test sends: no DAD, MLD, router
# solicitation or ARP, and counters move only because of the test.  Sets
# $ns1 and $ns2; bails when it cannot.
tlstun_pair() {
	setup_ns ns1 ns2
	add_veth "$ns1" veth1 "$ns2" veth2 &&
	ip -n "$ns1" addr add 10.0.1.1/24 dev veth1 &&
	ip -n "$ns2" addr add 10.0.1.2/24 dev veth2 &&
	ip -n "$ns1" addr add fd00:1::1/64 dev veth1 nodad &&
	ip -n "$ns2" addr add fd00:1::2/64 dev veth2 nodad ||
		bail "cannot set up the veth pair"
	tlstun_tunnel || bail "cannot set up tt0"
}

# tlstun_tunnel: tt0 of tlstun_pair in $ns1 and $ns2, which already have
# the veth pair (after a module reload, say); fails when it cannot.  No
# wait for carrier: veth and tlstun devices have it once they are up.
tlstun_tunnel() {
	tlstun_dev "$ns1" tt0 10.0.2.1/24 remote 10.0.1.2 local 10.0.1.1 &&
	tlstun_dev "$ns2" tt0 10.0.2.2/24 remote 10.0.1.1 local 10.0.1.2 &&
	tlstun_sa_pair "$ns1" "$ns2" tt0 0x1001 &&
	tlstun_sa_pair "$ns2" "$ns1" tt0 0x2001 &&
	ip -n "$ns1" -b - <<-EOF &&
		link set tt0 address 02:00:00:00:02:01 up
		neigh replace 10.0.2.2 dev tt0 lladdr 02:00:00:00:02:02 nud permanent
	EOF
	ip -n "$ns2" -b - <<-EOF
		link set tt0 address 02:00:00:00:02:02 up
		neigh replace 10.0.2.1 dev tt0 lladdr 02:00:00:00:02:01 nud permanent
	EOF
}

# tlstun_dev NS DEV ADDR/LEN LINK_OPTS...: a tlstun device in NS, down,
# IPv6 off, with an IPv4 address.
tlstun_dev() {
	local ns=$1 dev=$2 addr=$3
	shift 3

	ip netns exec "$ns" tlstun link add "$dev" "$@" &&
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" &&
	ip -n "$ns" addr add "$addr" dev "$dev"
}
