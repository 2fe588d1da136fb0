#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Teardown under load leaves nothing behind: module unload while iperf3
# runs through the tunnel, deletion of both namespaces of a live tunnel,
# deletion of the namespace that created a device that lives elsewhere,
# and deletion of a device while it receives.
#
#  +-------- $ns1 --------+              +-------- $ns2 --------+
#  | veth1 10.0.1.1/24    |-- veth ------| veth2 10.0.1.2/24    |
#  | tt0   10.0.2.1/24    |== UDP 6081 ==| tt0   10.0.2.2/24    |
#  |  iperf3 -c, ping     |              |  iperf3 -s           |
#  +----------------------+              +----------------------+
#  (a fresh pair for each case)
#
#  +-- $nsc --+  tt0 created here, UDP socket here
#  +-- $nsd --+  tt0 moved here; deleting $nsc deletes it
#
# "Nothing behind" is: no tlstun device and no socket on UDP 6081 in any
# namespace left, the module's reference count 0, rmmod succeeding (it
# waits for namespace cleanups that are still running), and a kernel log
# without warnings.  The module is loaded again after each unload and at
# the end, for the runner's own rmmod.

source "$(dirname "$0")/lib.sh"

KO=$TOP/tlstun.ko
KLOG_BAD=$TOP/tools/vm/kernel-log-bad
MARK="tlstun-selftest: lifecycle.sh $$"

require_cmd ip ping iperf3 ss tlstun insmod rmmod modinfo dmesg
[ -r "$KO" ] || ktap_skip_all "$KO is not built"
[ -w /dev/kmsg ] || ktap_skip_all "cannot write to /dev/kmsg"

cleanup() {
	cleanup_all
	loaded || load
}
trap cleanup EXIT

loaded() {
	[ -d /sys/module/tlstun ]
}

# load: insmod tlstun.ko with what it depends on.
load() {
	# shellcheck disable=SC2046 # one module a word
	modprobe -a $(modinfo -F depends "$KO" | tr , ' ') &&
	insmod "$KO"
}

# has_tlstun NS: NS holds a tlstun device.  (ip link show type tlstun
# lists every device when the kind is not registered.)
has_tlstun() {
	ip -n "$1" -d -j link show | grep -q '"info_kind":"tlstun"'
}

# left_behind NS...: prints what tlstun left in the namespaces given and
# in the initial one; fails when it found nothing.
left_behind() {
	local ns found=1

	for ns in "$@"; do
		if has_tlstun "$ns"; then
			echo "a tlstun device in ${ns%%-*}"
			found=0
		fi
		if listening "$ns" udp 6081; then
			echo "a socket on UDP 6081 in ${ns%%-*}"
			found=0
		fi
	done
	if ip -d -j link show | grep -q '"info_kind":"tlstun"'; then
		echo "a tlstun device in the initial netns"
		found=0
	fi
	if ss -Hlnu "sport = :6081" | grep -q .; then
		echo "a socket on UDP 6081 in the initial netns"
		found=0
	fi
	return $found
}

# traffic: iperf3 and a ping through tt0 of $ns1/$ns2, running in the
# background, and seen to flow.
traffic() {
	iperf3_server "$ns2" 5201 || return
	bg iperf3_client "$ns1" 10.0.2.2 "$TEST_TMP/iperf3.json" -p 5201 -t 60
	bg in_ns "$ns1" ping -q -i 0.01 10.0.2.2 >/dev/null
	wait_for "$WAIT_TIMEOUT" flowing
}

flowing() {
	local n

	n=$(tlstun_stat "$ns2" tt0 rx_packets) && [ "$n" -gt 200 ]
}

# unload: rmmod must succeed and take the module away.
unload() {
	local refcnt err

	refcnt=$(cat /sys/module/tlstun/refcnt) ||
		fail "cannot read the module's reference count" || return
	[ "$refcnt" = 0 ] || fail "the module's reference count is $refcnt"
	err=$(rmmod tlstun 2>&1) || fail "rmmod tlstun failed: $err" || return
	! loaded || fail "tlstun is still loaded after rmmod"
}

# rmmod while iperf3 and ping run: the devices, their sockets and the
# module go; loaded again, a new tunnel in the same namespaces works.
case_rmmod_under_load() {
	local what

	tlstun_pair
	traffic || fail "no traffic through the tunnel" || return
	unload || return
	what=$(left_behind "$ns1" "$ns2") && fail "after rmmod: ${what//$'\n'/, }"
	ip netns pids "$ns1" | xargs -r kill
	ip netns pids "$ns2" | xargs -r kill

	load || fail "insmod after rmmod failed" || return
	tlstun_tunnel || fail "cannot set up tt0 again" || return
	in_ns "$ns1" ping -q -c 2 -i 0.2 -W 5 10.0.2.2 >/dev/null ||
		fail "no traffic after reloading the module"
}

# forget_ns NS: it was deleted here; cleanup_all need not.
forget_ns() {
	local i

	for i in "${!NS_LIST[@]}"; do
		if [ "${NS_LIST[$i]}" = "$1" ]; then
			unset "NS_LIST[$i]"
		fi
	done
}

# del_ns NS: kill what runs in NS, which holds it alive, and delete it.
del_ns() {
	ip netns pids "$1" | xargs -r kill -9
	ip netns del "$1" && forget_ns "$1"
}

# Both namespaces of a live tunnel (the one case_rmmod_under_load set up
# again) are deleted while traffic flows: ns2 first, so ns1 still sends
# into a tunnel whose far end, and then whose underlay, is going away.
# Nothing is left, and the module unloads.
case_netns_delete() {
	local what

	has_tlstun "$ns1" && has_tlstun "$ns2" ||
		fail "no tunnel left by the previous case" || return
	traffic || fail "no traffic through the tunnel" || return
	del_ns "$ns2" && del_ns "$ns1" ||
		fail "cannot delete the namespaces" || return
	what=$(left_behind) && fail "after the netns deletion: ${what//$'\n'/, }"
	# rmmod waits for the namespace cleanups still running, and fails
	# (or the kernel warns) if they left a device, a port or an SA.
	unload || return
	load || fail "insmod failed"
}

# A device created in nsc and moved to nsd, with SAs, goes when nsc goes:
# its socket lived there and it could never send or receive again.
case_moved_device() {
	setup_ns nsc nsd
	ip netns exec "$nsc" tlstun link add tt0 remote 192.0.2.1 &&
	ip netns exec "$nsc" tlstun sa add dev tt0 dir rx spi 0x3001 \
		suite aes-gcm-128 key "$(tlstun_key 16)" &&
	ip netns exec "$nsc" tlstun sa add dev tt0 dir tx spi 0x3002 \
		suite aes-gcm-128 key "$(tlstun_key 16)" &&
	ip -n "$nsc" link set tt0 netns "$nsd" &&
	ip -n "$nsd" link set tt0 up ||
		fail "cannot create and move tt0" || return
	has_tlstun "$nsd" || fail "tt0 did not arrive in nsd" || return
	del_ns "$nsc" || fail "cannot delete nsc" || return
	wait_for "$WAIT_TIMEOUT" eval '! has_tlstun "$nsd"' ||
		fail "tt0 outlived the namespace that created it"
	unload || return
	load || fail "insmod failed"
}

# The receiving device is deleted while iperf3 keeps its receive ring
# busy: what is still queued is dropped on the way out (with BHs off, as
# the per-CPU drop counters want), and the device, its socket and the
# module go cleanly.
case_delete_while_receiving() {
	local what

	tlstun_pair
	traffic || fail "no traffic through the tunnel" || return
	ip -n "$ns2" link del tt0 || fail "cannot delete ns2's tt0" || return
	ip -n "$ns1" link del tt0 || fail "cannot delete ns1's tt0" || return
	what=$(left_behind "$ns1" "$ns2") && fail "after the deletion: ${what//$'\n'/, }"
	kill_bg
	unload || return
	load || fail "insmod failed"
}

# The kernel logged nothing bad since this test started.
case_kernel_log() {
	local bad

	bad=$(dmesg | sed -n "/$MARK\$/,\$p" | grep -E -f <(grep -v '^#' "$KLOG_BAD"))
	[ -z "$bad" ] || fail "kernel log: $(echo "$bad" | head -n 5)"
	dmesg | sed -n "/$MARK\$/,\$p" | grep -q "$MARK" ||
		fail "the start mark is not in the kernel log"
}

ktap_print_header
ktap_set_plan 5
loaded || load || bail "cannot load $KO"
echo "$MARK" >/dev/kmsg
run_case "rmmod with traffic running" case_rmmod_under_load
run_case "netns deletion with live devices and traffic" case_netns_delete
run_case "deleting the creation netns deletes a moved device" case_moved_device
run_case "device deleted while receiving" case_delete_while_receiving
run_case "kernel log clean" case_kernel_log
ktap_finished
