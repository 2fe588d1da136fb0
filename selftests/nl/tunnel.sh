# SPDX-License-Identifier: GPL-2.0
#
# tlstun helpers shared by guards.sh, limits.sh and badinput.sh, sourced
# after lib.sh:
#
#   tunnel_setup          $ns1 and $ns2, a veth between them and a tlstun
#                         device tt0 in each, addressed, without SAs
#   tunnel_sa NS DIR SPI KEY [SA_OPTS...]
#                         tlstun sa add on NS's tt0, aes-gcm-256
#   tunnel_sas            SAs both ways: $ns1 sends under 0xb01 (K_AB), $ns2
#                         under 0xa01 (K_BA)
#   tunnel_rx_sas NS KEY SPI...
#                         rx SAs on NS's tt0, through one nlprobe
#   nlp NS ARGS...        nlprobe in NS; its last line is the verdict
#                         (nlp and tool_expect run under the command
#                         prefix in the array AS, when set)
#   nl_table NS           rows "WHAT | WANT | REQUEST" from stdin through
#                         one nlprobe: each verdict must be its row's WANT
#   nl_setup NS           nl_run, and bail unless every row got its WANT
#   tool_expect NS RC WANT ARGS...
#                         tlstun ARGS exits RC and its last stderr line is
#                         exactly WANT
#   sa_nest DIR SPI SUITE KEY [ATTR...]
#                         the A_SA nest of an ADD_SA request, for nlprobe
#   sa_req DIR SPI SUITE KEY
#                         sets SA_REQ to the A_SA nest of an ADD_SA, no fork
#   geneve_count PCAP SPI [COND]
#                         packets of PCAP, a capture of tunnel packets,
#                         under SPI and for which awk's COND holds ($3 is
#                         the counter, $1 the capture time)
#   geneve_wait PCAP SPI N
#                         wait until the running capture holds N under SPI
#   dev_stats NS DEV      the device's counters, one JSON object
#   dev_stat NS DEV KEY   one counter (rx_packets, tx_no_sa, ...)
#   sa_count NS DEV       SAs installed on the device
#   monitor_start NS OUT [ARGS...]
#                         tlstun -j monitor in NS, events into OUT, once
#                         subscribed
#
# Every device has IPv6 off and its peer's address as a permanent
# neighbour, so nothing but what a test sends crosses the tunnel: tests
# count packets against exact limits.

NLPROBE=$LIB_DIR/nl/nlprobe
UDPPROBE=$LIB_DIR/nl/udpprobe

# uapi values nlprobe takes as numbers (include/uapi/linux/tlstun.h).
DIR_RX=0
DIR_TX=1
SUITE_128=1
SUITE_256=2

# Test keys: distinct, and never used outside the tests.
K_AB=$(printf 'ab%.0s' {1..32})		# ns1 -> ns2
K_BA=$(printf 'ba%.0s' {1..32})		# ns2 -> ns1
K_3=$(printf '3c%.0s' {1..32})
K_16=$(printf '16%.0s' {1..16})

tunnel_setup() {
	local ns mac1 mac2

	# Built with the rest of the tree; missing means a broken build.
	[ -x "$NLPROBE" ] && [ -x "$UDPPROBE" ] ||
		bail "the helpers are not built: make -C selftests/nl"
	setup_ns ns1 ns2
	for ns in "$ns1" "$ns2"; do
		in_ns "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 ||
			bail "cannot disable IPv6 in $ns"
	done
	ip -n "$ns1" link add veth1 type veth peer name veth2 netns "$ns2" &&
	in_ns "$ns1" tlstun link add tt0 remote 10.0.1.2 local 10.0.1.1 &&
	in_ns "$ns2" tlstun link add tt0 remote 10.0.1.1 local 10.0.1.2 ||
		bail "cannot create the devices"
	mac1=$(mac_of "$ns1" tt0) && mac2=$(mac_of "$ns2" tt0) ||
		bail "cannot read the tunnel devices' addresses"
	# One ip per namespace: every exec costs under TCG.
	ip -n "$ns1" -batch - <<-EOF &&
		addr add 10.0.1.1/24 dev veth1
		link set veth1 up
		addr add 10.0.0.1/24 dev tt0
		link set tt0 up
		neigh add 10.0.0.2 dev tt0 nud permanent lladdr $mac2
	EOF
	ip -n "$ns2" -batch - <<-EOF ||
		addr add 10.0.1.2/24 dev veth2
		link set veth2 up
		addr add 10.0.0.2/24 dev tt0
		link set tt0 up
		neigh add 10.0.0.1 dev tt0 nud permanent lladdr $mac1
	EOF
		bail "cannot configure the devices"
	wait_for_iface "$ns1" veth1 && wait_for_iface "$ns2" veth2 ||
		bail "the veth pair has no carrier"
}

mac_of() {
	local dev state mac

	read -r dev state mac _ < <(ip -n "$1" -br link show dev "$2")
	[ -n "$mac" ] && echo "$mac"
}

tunnel_sa() {
	local ns=$1 dir=$2 spi=$3 key=$4
	shift 4

	in_ns "$ns" tlstun sa add dev tt0 dir "$dir" spi "$spi" \
		suite aes-gcm-256 key "$key" "$@"
}

tunnel_sas() {
	tunnel_sa "$ns1" rx 0xa01 "$K_BA" &&
	tunnel_sa "$ns1" tx 0xb01 "$K_AB" &&
	tunnel_sa "$ns2" rx 0xb01 "$K_AB" &&
	tunnel_sa "$ns2" tx 0xa01 "$K_BA" ||
		bail "cannot install the tunnel's SAs"
}

tunnel_rx_sas() {
	local ns=$1 key=$2 spi
	shift 2

	nl_setup "$ns" < <(
		for spi in "$@"; do
			sa_req $DIR_RX "$spi" $SUITE_256 "$key"
			echo "rx $spi | OK | ADD_SA A_IFNAME:str:tt0 $SA_REQ"
		done
	)
}

# AS: a command prefix nlp and tool_expect run their program under, to
# drop privileges (set it local to a function).
AS=()

nlp() {
	local ns=$1
	shift

	in_ns "$ns" "${AS[@]}" "$NLPROBE" "$@"
}

# trim VAR: strip VAR's leading and trailing blanks, without a subshell
# (tables have hundreds of rows, and a fork costs under TCG).
trim() {
	local -n v=$1

	v=${v#"${v%%[![:space:]]*}"}
	v=${v%"${v##*[![:space:]]}"}
}

nl_run() {
	local ns=$1 what want req

	NL_WHAT=()
	NL_WANT=()
	NL_REQ=()
	while IFS='|' read -r what want req; do
		[[ $what =~ ^[[:space:]]*(#|$) ]] && continue
		trim what
		trim want
		trim req
		NL_WHAT+=("$what")
		NL_WANT+=("$want")
		NL_REQ+=("$req")
	done
	mapfile -t NL_GOT < <(printf '%s\n' "${NL_REQ[@]}" | nlp "$ns" -)
}

nl_check() {
	[ "${NL_GOT[$1]-(no answer)}" = "${NL_WANT[$1]}" ] ||
		fail "${NL_WHAT[$1]}: got \"${NL_GOT[$1]-(no answer)}\"," \
		     "expected \"${NL_WANT[$1]}\" (${NL_REQ[$1]})"
}

nl_table() {
	local i

	nl_run "$1"
	for i in "${!NL_WANT[@]}"; do
		nl_check "$i"
	done
	# Every row answered, and nothing more.
	[ ${#NL_GOT[@]} = ${#NL_WANT[@]} ] ||
		fail "nlprobe answered ${#NL_GOT[@]} of ${#NL_WANT[@]} requests"
}

nl_setup() {
	local i

	nl_run "$1"
	for i in "${!NL_WANT[@]}"; do
		[ "${NL_GOT[$i]-}" = "${NL_WANT[$i]}" ] ||
			bail "${NL_WHAT[$i]}: got \"${NL_GOT[$i]-(no answer)}\""
	done
}

tool_expect() {
	local ns=$1 rc=$2 want=$3 err got
	shift 3

	err=$(in_ns "$ns" "${AS[@]}" tlstun "$@" 2>&1 >/dev/null)
	got=$?
	[ "$got" = "$rc" ] ||
		fail "tlstun $*: exit $got, expected $rc (\"$err\")" || return
	[ "$(tail -n 1 <<<"$err")" = "$want" ] ||
		fail "tlstun $*: said \"$err\", expected \"$want\""
}

sa_nest() {
	local dir=$1 spi=$2 suite=$3 key=$4
	shift 4

	echo "A_SA:nest SA_DIR:u8:$dir SA_SPI:u32:$spi SA_SUITE:u16:$suite" \
	     "SA_KEY:hex:$key $* end"
}

sa_req() {
	SA_REQ="A_SA:nest SA_DIR:u8:$1 SA_SPI:u32:$2 SA_SUITE:u16:$3"
	SA_REQ+=" SA_KEY:hex:$4 end"
}

geneve_count() {
	local pcap=$1 spi cond=${3:-1}

	printf -v spi '0x%08x' "$2"
	"$UDPPROBE" show "$pcap" |
		awk -v n=0 -v spi="$spi" "\$2 == spi && ($cond) { n++ }
					  END { print n }"
}

geneve_at_least() {
	[ "$(geneve_count "$1" "$2")" -ge "$3" ]
}

geneve_wait() {
	wait_for "$WAIT_TIMEOUT" geneve_at_least "$@"
}

dev_stats() {
	in_ns "$1" tlstun -j -s link show "$2" | jq -ce '.[0].stats'
}

dev_stat() {
	in_ns "$1" tlstun -j -s link show "$2" | jq -e ".[0].stats.$3"
}

sa_count() {
	in_ns "$1" tlstun -j link show "$2" | jq -e '.[0].sa_count'
}

monitor_start() {
	local ns=$1 out=$2
	shift 2

	bg ip netns exec "$ns" tlstun -j monitor "$@" >"$out" 2>"$out.err"
	wait_for "$WAIT_TIMEOUT" file_has "$out.err" "listening for events"
}
