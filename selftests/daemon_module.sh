#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tlstund when its kernel objects go away under it: the module is
# unloaded, or its device deleted.  tlstund resolves the netlink family
# and the device once, so it exits with status 1 and says why, and a
# restarted daemon (systemd's Restart=on-failure) sets the tunnel up again.
#
#   +--------- $ns_a ----------+             +--------- $ns_b ----------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a    tcp 7081|=== TLS ====|tcp 7081    tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#
# Cases: rmmod tlstun under both running daemons: both exit 1 with the
# reason; insmod and restarted daemons carry ping again; "ip link del
# tt0" under daemon a: a exits 1 with the reason, and a restarted a
# recreates tt0 and carries ping again.  The module is loaded again
# whatever happens, for the tests after this one.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/daemon/tlstund.sh"

require_cmd ip ping ss tlstun tlstund

KO=$TOP/tlstun.ko

cleanup() {
	td_cleanup
	[ -e /sys/module/tlstun ] || insmod "$KO"
}
trap cleanup EXIT

setup() {
	[ -e "$KO" ] || bail "$KO is not built"
	td_setup_pin
	td_start a
	td_start b
	tunnel_carries 1 || bail "the tunnel does not carry ping"
}

# tunnel_carries N: both daemons logged their N-th "tunnel up" and a ping
# crosses tt0.
tunnel_carries() {
	td_wait_up "$1" && td_inner_up &&
	wait_for "$WAIT_TIMEOUT" td_ping a -q -c 1 -W 1 >/dev/null
}

# exited_1 NODE REASON: NODE's daemon exits on its own, with status 1,
# after logging REASON (a regex).
exited_1() {
	local pid=${TD_PID[$1]} rc

	wait_for "$WAIT_TIMEOUT" proc_gone "$pid" ||
		fail "tlstund $1 keeps running" || return
	wait "$pid"
	rc=$?
	TD_PID[$1]=
	[ "$rc" = 1 ] || fail "tlstund $1 exited with status $rc, not 1"
	td_count "$1" "error: $2; exiting so that a restart sets the tunnel up again"
	[ "$TD_N" = 1 ] ||
		fail "tlstund $1 does not say why: $(tail -n 2 "${TD_LOG[$1]}")"
}

case_rmmod() {
	rmmod tlstun || fail "cannot unload tlstun" || return
	# The module deletes its devices before its family goes, so either
	# event may come first; both must be read as the module's unload.
	exited_1 a "the tlstun kernel module was unloaded \\([^)]*\\)"
	exited_1 b "the tlstun kernel module was unloaded \\([^)]*\\)"
}

case_insmod_restart() {
	[ -e /sys/module/tlstun ] || insmod "$KO" ||
		fail "cannot load $KO" || return
	td_stop a
	td_stop b
	td_start a
	td_start b
	# Each start logs to a file of its own: its first "tunnel up".
	tunnel_carries 1 || fail "restarted daemons do not carry ping"
}

case_link_del() {
	ip -n "${TD_NS[a]}" link del tt0 || fail "cannot delete a's tt0" ||
		return
	exited_1 a "device tt0 \\(ifindex [0-9]+\\) was deleted" || return
	td_start a
	tunnel_carries 1 || fail "a restarted a does not carry ping"
}

ktap_print_header
ktap_set_plan 3
setup
run_case "rmmod under running daemons: both exit 1 and say why" case_rmmod
run_case "insmod and restarted daemons: ping again" case_insmod_restart
run_case "tt0 deleted under a: a exits 1, a restarted a recreates it" case_link_del
ktap_finished
