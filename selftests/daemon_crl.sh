#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Revocation under trust = ca: b checks a's chain (leaf_a under inter,
# under root) against the committed test CRLs (selftests/unit/certs,
# crl-gen.sh), which name serial 0x1000, leaf_a's, in crl_inter_revokes_a.
#
#   +--------- $ns_a ----------+             +--------- $ns_b ----------+
#   | va  10.0.1.1/24          |-------------| vb  10.0.1.2/24          |
#   |     tlstund a  (node A)  |=== TLS ====|  (node B)  tlstund b     |
#   | tt0 10.0.2.1/24          |= UDP 6081 =| tt0 10.0.2.2/24          |
#   +--------------------------+             +--------------------------+
#                                              crl = b.crl (root's and
#                                              inter's CRLs)
#
# Cases: with CRLs that revoke nothing the tunnel comes up; b's CRL file
# replaced by one revoking leaf_a and a SIGHUP: b ends the session and
# removes its SAs at once, says which serial was revoked, and refuses a
# when it dials again, so no SA ever comes back; with inter's CRL out of
# date b refuses a (crl-expired = fail, the default) with a line saying
# so, and with crl-expired = warn accepts it and warns.

source "$(dirname "$0")/lib.sh"
source "$LIB_DIR/daemon/tlstund.sh"

require_cmd ip tlstun tlstund

trap td_cleanup EXIT

# b.crl: the named committed CRLs, in one file.
crls() {
	local f

	: >"$TEST_TMP/b.crl.new" || return
	for f in "$@"; do
		cat "$TD_CERTS/$f.pem" >>"$TEST_TMP/b.crl.new" || return
	done
	mv "$TEST_TMP/b.crl.new" "$TEST_TMP/b.crl"
}

# ca_conf [MORE_LINES]: a expects node B, b expects node A and checks
# b.crl.
ca_conf() {
	td_conf a "trust = ca"$'\n'"ca = $TD_CERTS/root.pem"$'\n'"node-id = $TD_NODE_B" &&
	td_conf b "trust = ca"$'\n'"ca = $TD_CERTS/root.pem"$'\n'"node-id = $TD_NODE_A"$'\n'"crl = $TEST_TMP/b.crl${1:+$'\n'$1}"
}

setup() {
	td_topology || bail "cannot set up the namespaces"
	td_ca_identity a leaf_a inter && td_ca_identity b leaf_b ||
		bail "cannot copy the node certificates"
}

case_up() {
	crls crl_root crl_inter && ca_conf ||
		fail "cannot write the configurations" || return
	ip netns exec "$ns_b" tlstund -t -c "$TEST_TMP/b.conf" tt0 >/dev/null ||
		fail "tlstund -t refuses b.conf: $(ip netns exec "$ns_b" tlstund -t -c "$TEST_TMP/b.conf" tt0 2>&1)"
	td_start a
	td_start b
	td_wait_up || fail "the tunnel does not come up with CRLs that revoke nothing" ||
		return
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "SAs do not pair up: a: $(td_sas a) b: $(td_sas b)"
}

case_revoked() {
	# A duplicate session settling (both ends dialed at once) or a grace
	# period ending passes through two SAs a direction: wait it out.
	wait_for "$WAIT_TIMEOUT" td_paired ||
		fail "no steady state to start from: a: $(td_sas a) b: $(td_sas b)" || return
	crls crl_root crl_inter_revokes_a || fail "cannot write b.crl" || return
	td_signal b HUP "info: reloaded$|reload failed" ||
		fail "b did not reload: $(tail -n 2 "${TD_LOG[b]}")" || return
	td_wait_log b "the peer is no longer trusted: certificate is revoked: serial 0x1000 of /CN=tlstun test leaf_a, revoked 2026-03-01 00:00:00 UTC, at depth 0" ||
		fail "b does not drop a: $(tail -n 3 "${TD_LOG[b]}")" || return
	td_no_sas b || fail "b keeps SAs of a revoked peer: $(td_sas b)"
	ktap_print_msg "b: $(grep -m1 "no longer trusted" "${TD_LOG[b]}")"
	# The next handshake between them (either may dial) is refused:
	# before the reload, nothing was.
	td_wait_log b "certificate rejected: certificate is revoked \(serial 0x1000 of /CN=tlstun test leaf_a" ||
		fail "b does not refuse a's next handshake: $(tail -n 3 "${TD_LOG[b]}")"
	td_no_sas b || fail "b installed SAs for a revoked peer: $(td_sas b)"
	td_count b "tunnel up with"
	[ "$TD_N" = 1 ] || fail "the tunnel came up again with a revoked peer"
}

case_expired() {
	local node

	for node in a b; do
		td_stop "$node" INT
	done
	crls crl_root crl_inter_expired && ca_conf ||
		fail "cannot write the configurations" || return
	td_start a
	td_start b
	td_wait_log b "certificate rejected: the CRL is out of date \(CRL has expired at depth 0\)" ||
		fail "b does not refuse a under an expired CRL: $(tail -n 3 "${TD_LOG[b]}")"
	td_no_sas b || fail "b installed SAs under an expired CRL: $(td_sas b)"

	td_stop b INT
	ca_conf "crl-expired = warn" || fail "cannot write b.conf" || return
	td_start b
	td_wait_up || fail "crl-expired = warn does not accept a" || return
	td_wait_log b "a CRL of the peer's chain is out of date; accepted because crl-expired = warn" ||
		fail "b accepted a without a warning"
}

ktap_print_header
ktap_set_plan 3
setup
run_case "crl: the tunnel comes up with CRLs that revoke nothing" case_up
run_case "crl: a revoked peer loses session and SAs at the reload, and stays out" \
	case_revoked
run_case "crl: an expired CRL fails closed, or warns with crl-expired = warn" \
	case_expired
ktap_finished
