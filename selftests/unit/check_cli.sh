#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tlstund's command line, which needs no kernel: --version and --help in
# the long forms as well as -V and -h, and a usage error exits 2; and
# tlstund -t on trust = ca configurations: a CA without keyUsage is an
# error, a certificate that does not chain to the CA a warning. Prints
# TAP.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
D=$TOP/tlshd/tlstund
n=0

check() {
	local name=$1 want_rc=$2 want=$3 out rc
	shift 3

	n=$((n + 1))
	out=$("$D" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want_rc" ] && [[ $out =~ $want ]]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		echo "# exit $rc, expected $want_rc; output: ${out:0:200}"
	fi
}

CERTS=$TOP/selftests/unit/certs
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# ca_conf CA_BUNDLE: a trust = ca configuration of leaf_a against it.
ca_conf() {
	cat >"$WORK/t.conf" <<-EOF
	[interface]
	name = tt0
	private-key = $WORK/a.key
	certificate = $CERTS/leaf_a.pem
	listen = 10.0.1.1:7081
	[peer]
	name = b
	endpoint = 10.0.1.2:7081
	trust = ca
	ca = $1
	node-id = 0xffeeddccbbaa99887766554433221100
	EOF
	chmod 600 "$WORK/t.conf"
}

install -m 0600 "$CERTS/leaf_a.key.pem" "$WORK/a.key"
cat "$CERTS/root.pem" "$CERTS/inter.pem" >"$WORK/bundle.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$WORK/noku.key" -out "$WORK/noku.pem" -days 30 \
	-subj "/CN=no keyUsage CA" -addext "basicConstraints=critical,CA:TRUE" \
	2>/dev/null

echo "TAP version 13"
echo "1..8"
check "tlstund --version" 0 "^tlstund [0-9]" --version
check "tlstund -V" 0 "^tlstund [0-9]" -V
check "tlstund --help" 0 "^Usage: tlstund .*--help" --help
check "tlstund -h" 0 "^Usage: tlstund " -h
check "tlstund --bogus exits 2 with the usage" 2 "Usage: tlstund " --bogus
ca_conf "$WORK/bundle.pem"
check "tlstund -t: a certificate the CA bundle issued" 0 \
	"^tlstund: [^ ]*t.conf: configuration OK$" -t -c "$WORK/t.conf" tt0
ca_conf "$WORK/noku.pem"
check "tlstund -t: a CA without keyUsage is refused" 1 \
	"\"ca\" [^ ]*noku.pem: the CA certificate /CN=no keyUsage CA has no keyUsage, which verification requires; reissue it" \
	-t -c "$WORK/t.conf" tt0
ca_conf "$CERTS/other_root.pem"
check "tlstund -t: a certificate of another CA is a warning" 0 \
	"warning: \"certificate\" [^ ]*leaf_a.pem does not chain to \"ca\" [^ ]*other_root.pem \\(unable to get local issuer certificate\\).*configuration OK" \
	-t -c "$WORK/t.conf" tt0
