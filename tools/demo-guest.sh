#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/demo-guest.sh - the steps of make demo, inside the VM that
# tools/demo.sh boots (it refuses to run anywhere else):
#
#   +--------- node a ---------+             +--------- node b ---------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a    tcp 7081|=== TLS ====|tcp 7081    tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#
# Each node, a network namespace, gets a key and a self-signed certificate
# and pins the other's key; its tlstund creates tt0, handshakes with the
# peer and installs the SAs.  The demo shows the SAs and counters, pings
# across, prints the key fingerprints both daemons logged, and stops the
# daemons.  Exits non-zero when the tunnel does not come up or the ping
# fails.  The helpers are the kselftests' (selftests/lib.sh,
# selftests/daemon/tlstund.sh).

set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$TOP/tools:$TOP/tlshd:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ -z "${VM_OUT:-}" ]; then
	echo "demo-guest.sh: run it in the VM: make demo" >&2
	exit 2
fi

source "$TOP/selftests/lib.sh"
source "$TOP/selftests/daemon/tlstund.sh"

step() {
	echo
	echo "== $*"
}

# on NODE CMD...: show a command run on NODE, then run it.
on() {
	local node=$1
	shift

	echo "$node# $*"
	ip netns exec "${TD_NS[$node]}" "$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

die() {
	echo "demo: $*" >&2
	td_dump_logs
	exit 1
}

trap cleanup_all EXIT

step "Loading the modules: tls (kTLS for the control connection), tlstun"
modprobe tls || die "cannot load tls"
deps=$(modinfo -F depends "$TOP/tlstun.ko" | tr , ' ')
# shellcheck disable=SC2086 # one word per module
{ [ -z "$deps" ] || modprobe -a $deps; } &&
insmod "$TOP/tlstun.ko" || die "cannot load tlstun.ko"

step "Two nodes, a and b: network namespaces joined by a veth pair"
td_topology || die "cannot set up the namespaces"
echo "a: va ${TD_ADDR[a]}    b: vb ${TD_ADDR[b]}"

step "A key and a self-signed certificate per node (tlstun genkey, cert, pubkey)"
for node in a b; do
	td_identity "$node" || die "tlstun cannot make $node's identity"
	echo "$node's pin: $(td_pin "$node")"
done

step "Each node pins the other's key; a's configuration (tlstun.conf(5)):"
td_pin_conf a && td_pin_conf b || die "cannot write the configurations"
sed 's/^/    /' "$TEST_TMP/a.conf"

step "Starting tlstund on both nodes; they create tt0, handshake and agree SAs"
td_start a
td_start b
td_wait_up || die "the tunnel did not come up within ${WAIT_TIMEOUT}s"
for node in a b; do
	grep -h "handshake complete\|tunnel up" "${TD_LOG[$node]}" |
		sed "s/^tlstund\[tt0\]: [a-z]*: /$node: /"
done

step "Only the inner addresses are set by hand"
td_inner_up || die "cannot address tt0"
echo "a: tt0 ${TD_INNER[a]}/24    b: tt0 ${TD_INNER[b]}/24"
wait_for "$WAIT_TIMEOUT" td_paired || die "the SAs of the two ends do not pair up"

step "The SAs: each end's tx SPI is the other's rx SPI"
on a tlstun sa show dev tt0
on b tlstun sa show dev tt0

step "A ping from a to b through the tunnel"
on a ping -c 3 -i 0.2 -W 2 "${TD_INNER[b]}" || die "the ping did not get through"

step "The devices and their counters"
on a tlstun -s link show tt0
on b tlstun -s link show tt0

step "Key fingerprints from the daemons' debug logs (never the keys)"
echo "a's tx key for an SPI is b's rx key for it, and the other way round:"
td_installs a b | while read -r node dir spi fp; do
	echo "    $node installed $dir SA $spi, key fingerprint $fp"
done

step "Stopping the daemons (SIGINT): each removes the SAs it installed"
for node in a b; do
	td_stop "$node" INT || die "$node's tlstund did not stop"
	grep -h "removed" "${TD_LOG[$node]}" |
		sed "s/^tlstund\[tt0\]: [a-z]*: /$node: /"
done
for node in a b; do
	td_no_sas "$node" || die "$node still has SAs: $(td_sas "$node")"
done
echo "No SA is left on either node; the namespaces go next."
