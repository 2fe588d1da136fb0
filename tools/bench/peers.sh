# SPDX-License-Identifier: GPL-2.0
#
# The configurations make bench compares, sourced by tools/bench/guest.sh
# (after selftests/lib.sh). Each has its own veth pair from the guest's
# initial network namespace, where every client runs, to a namespace of
# its own, where its servers run; K is the configuration's number:
#
#   +------------ initial netns ------------+      +---- bench-<cfg> -----+
#   | u-<cfg> 10.1.K.1/24 mtu 1600          |------| veth0 10.1.K.2/24    |
#   | <overlay> 10.2.K.1, inner MTU 1500    |======| <overlay> 10.2.K.2   |
#   | iperf3 -c, udprr client               |      | iperf3 -s, udprr     |
#   +---------------------------------------+      +----------------------+
#
#   1 raw     no tunnel: u-raw with MTU 1500, traffic to 10.1.1.2
#   2 geneve  ip link add gnv0 type geneve id 42 remote 10.1.2.2
#   3 tt128   tlstun link add tt128 remote 10.1.3.2 local 10.1.3.1 port
#             6082; one aes-gcm-128 SA per direction, keys by hand, distinct
#   4 tt256   the same with aes-gcm-256, port 6083
#   5 wg      kernel WireGuard, keys from wg genkey, UDP 51820
#   6 esp     IPsec ESP, tunnel mode between the veth addresses carrying
#             10.2.6.1 <-> 10.2.6.2 (each on lo), manual ip xfrm SAs with
#             rfc4106(gcm(aes)), 128-bit key + 4-byte salt, 16-byte ICV
#
# The underlay MTU is 1600 so that every overlay carries the same
# 1500-byte inner packets as the raw veth: the same TCP MSS everywhere,
# and a 1400-byte UDP payload fits unfragmented in all of them. The
# tunnels that share the initial namespace get a UDP port each.
#
# Clients run in the initial namespace because under TCG every exec of a
# dynamically linked program costs a good part of a second: no
# "ip netns exec" in front of each of the hundred-odd runs. For the same
# reason the ip commands of a namespace go in one ip -batch; only tlstun
# and wg need execs of their own.
#
# peers_setup CONFIG... sets them all up; peer_dst CFG prints the address
# to send to. report.py checks from the counters guest.sh saves that each
# server side's tunnel (veth0, gnv0, tt0, wg0, ESP SA 0x1001) received the
# traffic.

PEER_CONFIGS="raw geneve tt128 tt256 wg esp"

# rand_hex BYTES: fresh random hex from getrandom(2), without an exec.
rand_hex() {
	local n=$1 hex=

	while [ "$n" -gt 0 ]; do
		printf -v hex '%s%08x' "$hex" "$SRANDOM"
		n=$((n - 4))
	done
	printf '%s' "${hex:0:$((2 * $1))}"
}

peer_ns() {
	printf 'bench-%s' "$1"
}

peer_k() {
	case "$1" in
	raw) echo 1 ;; geneve) echo 2 ;; tt128) echo 3 ;;
	tt256) echo 4 ;; wg) echo 5 ;; esp) echo 6 ;;
	esac
}

peer_dst() {
	local k

	k=$(peer_k "$1")
	case "$1" in
	raw) echo "10.1.$k.2" ;;
	*) echo "10.2.$k.2" ;;
	esac
}

# batch NS|- FILE: FILE's ip commands in NS (- for the initial one).
batch() {
	if [ "$1" = - ]; then
		ip -batch "$2"
	else
		ip -n "$1" -batch "$2"
	fi
}

# underlay CFG SIDE MTU: the veth end of side 1 (u-<cfg>) or 2 (veth0).
underlay() {
	local k dev=veth0

	k=$(peer_k "$1")
	[ "$2" = 1 ] && dev=u-$1
	echo "link set $dev mtu $3 up"
	echo "addr add 10.1.$k.$2/24 dev $dev"
}

# overlay CFG SIDE DEV: the tunnel device's inner address, MTU 1500, up.
overlay() {
	local k

	k=$(peer_k "$1")
	echo "link set $3 mtu 1500 up"
	echo "addr add 10.2.$k.$2/24 dev $3"
}

# esp_cmds CFG SIDE K1 K2: one end. Both hold both SAs: 0x1001 from side 1 to
# side 2 under K1, 0x2001 back under K2.
esp_cmds() {
	local k me=$2 peer=$((3 - $2)) k1=$3 k2=$4

	k=$(peer_k "$1")
	echo "xfrm state add src 10.1.$k.1 dst 10.1.$k.2 proto esp spi 0x1001" \
	     "mode tunnel replay-window 32 aead rfc4106(gcm(aes)) 0x$k1 128"
	echo "xfrm state add src 10.1.$k.2 dst 10.1.$k.1 proto esp spi 0x2001" \
	     "mode tunnel replay-window 32 aead rfc4106(gcm(aes)) 0x$k2 128"
	echo "addr add 10.2.$k.$me/32 dev lo"
	# "mtu lock": the xfrm bundle takes the smaller of this and the
	# underlay's MTU less ESP's overhead, so TCP sees 1500 as elsewhere.
	echo "route add 10.2.$k.$peer/32 via 10.1.$k.$peer src 10.2.$k.$me" \
	     "mtu lock 1500"
	echo "xfrm policy add src 10.2.$k.$me/32 dst 10.2.$k.$peer/32 dir out" \
	     "tmpl src 10.1.$k.$me dst 10.1.$k.$peer proto esp mode tunnel"
	echo "xfrm policy add src 10.2.$k.$peer/32 dst 10.2.$k.$me/32 dir in" \
	     "tmpl src 10.1.$k.$peer dst 10.1.$k.$me proto esp mode tunnel"
}

# side_cmds CFG SIDE: every ip command of one side, once the tlstun
# devices exist.
side_cmds() {
	local cfg=$1 side=$2 k dev

	k=$(peer_k "$cfg")
	case "$cfg" in
	raw) underlay raw "$side" 1500 ;;
	geneve)
		underlay geneve "$side" 1600
		echo "link add gnv0 type geneve id 42 remote 10.1.$k.$((3 - side))"
		overlay geneve "$side" gnv0
		;;
	tt128|tt256)
		dev=tt0
		[ "$side" = 1 ] && dev=$cfg
		underlay "$cfg" "$side" 1600
		overlay "$cfg" "$side" "$dev"
		;;
	wg)
		underlay wg "$side" 1600
		echo "link add wg0 type wireguard"
		overlay wg "$side" wg0
		;;
	esp)
		underlay esp "$side" 1600
		esp_cmds esp "$side" "$ESP_K1" "$ESP_K2"
		;;
	esac
}

# on SIDE NS CMD...: CMD on side 1 (here) or 2 (in NS).
on() {
	local side=$1 ns=$2
	shift 2

	if [ "$side" = 1 ]; then
		"$@"
	else
		ip netns exec "$ns" "$@"
	fi
}

# tlstun_side CFG SIDE SUITE PORT KEY_OUT KEY_IN: the device and its two
# SAs; side 1 sends under SPI 0x1001, side 2 under 0x2001. Transmit SAs
# get a packet limit far above what a run sends, so none expires
# mid-measurement.
tlstun_side() {
	local cfg=$1 side=$2 suite=$3 port=$4 kout=$5 kin=$6 ns k dev=tt0
	local spi_out=0x1001 spi_in=0x2001

	ns=$(peer_ns "$cfg") k=$(peer_k "$cfg")
	[ "$side" = 1 ] && dev=$cfg
	[ "$side" = 2 ] && spi_out=0x2001 spi_in=0x1001
	on "$side" "$ns" tlstun link add "$dev" remote "10.1.$k.$((3 - side))" \
		local "10.1.$k.$side" port "$port" || return
	TLSTUN_SA+=("$side $ns $dev rx $spi_in $suite $kin")
	TLSTUN_SA+=("$side $ns $dev tx $spi_out $suite $kout")
}

# add_sas DIR: the SAs tlstun_side queued for direction DIR.
add_sas() {
	local dir=$1 sa

	for sa in "${TLSTUN_SA[@]}"; do
		set -- $sa
		[ "$4" = "$dir" ] || continue
		on "$1" "$2" tlstun sa add dev "$3" dir "$4" spi "$5" suite "$6" \
			key "$7" $([ "$4" = tx ] && echo hard-packets 1000000000000) ||
			return
	done
}

peers_setup() {
	local cfg ns f=$TEST_TMP/create.batch k1 k2
	local -a TLSTUN_SA=()

	: >"$f"
	for cfg in "$@"; do
		ns=$(peer_ns "$cfg")
		echo "netns add $ns"
		echo "link add u-$cfg type veth peer name veth0 netns $ns"
		NS_LIST+=("$ns")
	done >"$f"
	batch - "$f" || return

	k1=$(rand_hex 16) k2=$(rand_hex 16)
	tlstun_side tt128 1 aes-gcm-128 6082 "$k1" "$k2" &&
	tlstun_side tt128 2 aes-gcm-128 6082 "$k2" "$k1" || return
	k1=$(rand_hex 32) k2=$(rand_hex 32)
	tlstun_side tt256 1 aes-gcm-256 6083 "$k1" "$k2" &&
	tlstun_side tt256 2 aes-gcm-256 6083 "$k2" "$k1" || return
	# Receive SAs before transmit SAs, as tlstund does, and both before
	# the devices come up, so nothing (an IGMP report) is dropped for
	# want of one.
	add_sas rx && add_sas tx || return
	# 16-byte AES key and 4-byte salt each.
	ESP_K1=$(rand_hex 20) ESP_K2=$(rand_hex 20)

	for cfg in "$@"; do
		side_cmds "$cfg" 1
	done >"$f"
	batch - "$f" || return
	for cfg in "$@"; do
		side_cmds "$cfg" 2 >"$f"
		batch "$(peer_ns "$cfg")" "$f" || return
	done

	# Keys from wg genkey, made on the host by tools/bench.sh.
	wg set wg0 listen-port 51820 private-key "$BENCH_CRED/wg-a.key" \
		peer "$(<"$BENCH_CRED/wg-b.pub")" allowed-ips 10.2.5.2/32 \
		endpoint 10.1.5.2:51820 &&
	ip netns exec "$(peer_ns wg)" wg set wg0 listen-port 51820 \
		private-key "$BENCH_CRED/wg-b.key" \
		peer "$(<"$BENCH_CRED/wg-a.pub")" allowed-ips 10.2.5.1/32 \
		endpoint 10.1.5.1:51820
}
