#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where keys must not leak from user space: the netlink error replies the
# tool and the daemon read, core files and swap of a running tlstund.
#
#   +--------- $ns_a ----------+             +--------- $ns_b ----------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a    tcp 7081|=== TLS ====|tcp 7081    tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#
# Cases: tlstund keeps its session keys in locked pages that core dumps
# skip; a refused "tlstun sa add" reads an error reply that does not echo
# its key (strace of the replies; run as nobody, so that genetlink refuses
# the request before the module could wipe the key in it); with
# NETLINK_CAP_ACK refused (the nocapack.so shim stands in for a kernel
# without it) tlstun and tlstund refuse to run rather than have the
# kernel echo a key; a crashing tlstund leaves no core file, where any
# other crashing program does.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/daemon/tlstund.sh"

require_cmd ip ss strace setpriv tlstun tlstund

NOCAPACK=$TOP/selftests/tools/nocapack.so
# A key no SA has; strace -xx prints its bytes as \xe7\xe7...
K_E=$(printf 'e7%.0s' {1..32})
K_E_STRACE='\xe7\xe7\xe7\xe7\xe7\xe7\xe7\xe7'

CORE_PATTERN=
SUID_DUMPABLE=

cleanup() {
	[ -z "$CORE_PATTERN" ] ||
		echo "$CORE_PATTERN" >/proc/sys/kernel/core_pattern
	[ -z "$SUID_DUMPABLE" ] ||
		echo "$SUID_DUMPABLE" >/proc/sys/fs/suid_dumpable
	td_cleanup
}
trap cleanup EXIT

setup() {
	[ -e "$NOCAPACK" ] || bail "$NOCAPACK is not built (make -C selftests/tools)"
	# Core files of crashing programs go to $TEST_TMP, for this test's
	# processes (the limit is inherited) and only as their owner allows.
	CORE_PATTERN=$(cat /proc/sys/kernel/core_pattern) &&
	SUID_DUMPABLE=$(cat /proc/sys/fs/suid_dumpable) &&
	mkdir "$TEST_TMP/cores" &&
	echo "$TEST_TMP/cores/core.%p" >/proc/sys/kernel/core_pattern &&
	echo 0 >/proc/sys/fs/suid_dumpable &&
	ulimit -c unlimited || bail "cannot set up core dumps"
	td_setup_pin
	td_start a
	td_start b
	td_wait_up || bail "the tunnel does not come up"
	wait_for "$WAIT_TIMEOUT" td_paired || bail "the SAs do not pair up"
}

# locked_dontdump PID: PID has a mapping that is both locked ("lo") and
# left out of core dumps ("dd").
locked_dontdump() {
	grep -qE '^VmFlags:.* lo( .*)? dd|^VmFlags:.* dd( .*)? lo' \
		"/proc/$1/smaps"
}

# The key schedule of an up session: locked, and excluded from dumps.
case_keys_locked() {
	locked_dontdump "${TD_PID[a]}" ||
		fail "no mapping of tlstund is locked and excluded from core dumps"
}

# strace_has FILE: FILE holds the bytes of $K_E.
strace_has_key() {
	grep -qF "$K_E_STRACE" "$1"
}

# sa_add_traced NAME [ENV...]: "tlstun sa add" of an rx SA keyed $K_E on
# a's tt0, as nobody and with the environment given, under strace; the
# replies it read in $TEST_TMP/NAME.strace, its output in NAME.out, its
# exit status in SA_RC.
sa_add_traced() {
	local name=$1
	shift

	SA_RC=0
	strace -f -xx -s 65535 -e trace=recvmsg -o "$TEST_TMP/$name.strace" \
		ip netns exec "${TD_NS[a]}" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		env "$@" tlstun sa add dev tt0 dir rx spi 0xe7e7 \
		suite aes-gcm-256 key "$K_E" >"$TEST_TMP/$name.out" 2>&1 ||
		SA_RC=$?
}

# An install the kernel refuses before any tlstun code runs (no
# CAP_NET_ADMIN): the error reply the tool reads carries the errno, not
# the request.
case_error_ack_no_key() {
	local out=$TEST_TMP/ack.out

	sa_add_traced ack
	[ "$SA_RC" = 1 ] || fail "tlstun sa add exited $SA_RC: $(cat "$out")"
	grep -q "^Error: Operation not permitted" "$out" ||
		fail "tlstun does not report the refusal: $(cat "$out")"
	grep -q 'error=-EPERM' "$TEST_TMP/ack.strace" ||
		fail "strace saw no EPERM reply: $(grep -c recvmsg "$TEST_TMP/ack.strace") recvmsg calls"
	! strace_has_key "$TEST_TMP/ack.strace" ||
		fail "the error reply echoes the key"
}

# A kernel that refuses capped acks would echo every refused request,
# key included: tlstun stops before it sends anything.
case_tool_needs_cap_ack() {
	local out=$TEST_TMP/nocap.out

	sa_add_traced nocap LD_PRELOAD="$NOCAPACK"
	[ "$SA_RC" = 1 ] || fail "tlstun sa add exited $SA_RC: $(cat "$out")"
	grep -q "the kernel refuses NETLINK_CAP_ACK" "$out" ||
		fail "tlstun does not say why it stops: $(cat "$out")"
	! strace_has_key "$TEST_TMP/nocap.strace" ||
		fail "a reply echoed the key"
}

# cores: the core files written so far, one a line.
cores() {
	local f

	for f in "$TEST_TMP"/cores/core.*; do
		[ -e "$f" ] && echo "${f##*/}"
	done
	return 0
}

is_sleep() {
	local comm

	read -r comm <"/proc/$1/comm" && [ "$comm" = sleep ]
}

# A crash of tlstund writes no core file; the same crash of an ordinary
# program does, so the setup really produces them.
case_no_core() {
	local pid

	sleep 600 &
	pid=$!
	# Not before it is sleep: the forked bash would run the EXIT trap.
	wait_for "$WAIT_TIMEOUT" is_sleep "$pid" ||
		fail "sleep does not start" || return
	kill -SEGV "$pid"
	wait "$pid" 2>/dev/null
	[ -n "$(cores)" ] || fail "a crashing sleep left no core file either" ||
		return
	rm -f "$TEST_TMP"/cores/core.*
	td_stop a SEGV
	[ $? = $((128 + 11)) ] || fail "tlstund a did not die of SIGSEGV"
	[ -z "$(cores)" ] || fail "tlstund left a core file: $(cores)"
}

# tlstund without capped acks: a clear error and exit status 1, before
# it opens any session.
case_daemon_needs_cap_ack() {
	local log=$TEST_TMP/a.nocap.log rc=0

	ip netns exec "${TD_NS[a]}" timeout "$WAIT_TIMEOUT" \
		env LD_PRELOAD="$NOCAPACK" \
		tlstund -c "$TEST_TMP/a.conf" tt0 >"$log" 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "tlstund exited $rc: $(tail -n 3 "$log")"
	grep -q "the kernel refuses NETLINK_CAP_ACK" "$log" ||
		fail "tlstund does not say why it stops: $(tail -n 3 "$log")"
}

ktap_print_header
ktap_set_plan 5
setup
run_case "tlstund's session keys are locked and left out of core dumps" case_keys_locked
run_case "a refused sa add reads no echo of its key" case_error_ack_no_key
run_case "tlstun refuses to run without NETLINK_CAP_ACK" case_tool_needs_cap_ack
run_case "a crashing tlstund leaves no core file" case_no_core
run_case "tlstund refuses to run without NETLINK_CAP_ACK" case_daemon_needs_cap_ack
ktap_finished
