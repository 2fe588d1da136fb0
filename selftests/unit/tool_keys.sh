#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The identity commands of the built tlstun binary, run from a shell the way
# Documentation/tlstun.8 runs them: help lists them, wg's pipe idiom works,
# and the man page's two provisioning recipes (trust = pin, trust = ca)
# give pins the openssl CLI agrees with and certificates that name the
# node. test_tool.c covers every error and the daemon's trust checks
# in-process; this covers the binary and the shell glue around it.
#
#   ./tool_keys.sh [ TLSTUN ]      (default ../../tools/tlstun)
#
# TAP on stdout; exit 0 when every case passed.

set -u

TLSTUN=${1:-../../tools/tlstun}
PLAN=13
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}

# check WHAT CMD...: one case, passed when CMD succeeds.
check() {
	local what=$1
	shift

	if "$@"; then
		ok "$what"
	else
		not_ok "$what"
	fi
}

# The openssl CLI's pin of a private key.
openssl_pin() {
	echo "sha256:$(openssl pkey -in "$1" -pubout -outform der |
		sha256sum | cut -d' ' -f1)"
}

TMP=$(mktemp -d /tmp/tool_keys.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT

echo "1..$PLAN"
if [ ! -x "$TLSTUN" ]; then
	for _ in $(seq $PLAN); do
		not_ok "$TLSTUN is not built"
	done
	exit 1
fi
TLSTUN=$(cd "$(dirname "$TLSTUN")" && pwd)/$(basename "$TLSTUN")
cd "$TMP" || exit 1

# "tlstun help" lists each command, and "tlstun OBJ help" prints its own.
listed() {
	"$TLSTUN" help | grep -q "^       tlstun $1\( \|\$\)" &&
		"$TLSTUN" "$1" help | grep -q "^Usage: tlstun $1\( \|\$\)"
}
for obj in genkey pubkey nodeid cert csr; do
	check "help lists $obj" listed "$obj"
done

# genkey: mode 0600 under the usual umask 022, and never over a file.
genkey_file() {
	(umask 022 && "$TLSTUN" genkey k.pem) &&
		[ "$(stat -c %a k.pem)" = 600 ] &&
		! "$TLSTUN" genkey k.pem 2>/dev/null
}
check "genkey FILE is 0600 and refuses to overwrite" genkey_file

# wg's idiom: the pin of the key that tee saved.
pipe_pin() {
	local pin

	pin=$(umask 077 && "$TLSTUN" genkey | tee piped.pem |
		"$TLSTUN" pubkey) &&
		[ "$pin" = "$(openssl_pin piped.pem)" ]
}
check "genkey | tee | pubkey gives the openssl pin" pipe_pin

# nodeid: the printed form, new each time; -j is JSON with the same form.
nodeid_form() {
	local a b j

	a=$("$TLSTUN" nodeid) && b=$("$TLSTUN" nodeid) &&
		j=$("$TLSTUN" -j nodeid) &&
		[[ $a =~ ^0x[0-9a-f]{32}$ ]] && [ "$a" != "$b" ] &&
		python3 -c 'import json, re, sys
v = json.loads(sys.argv[1])["node_id"]
sys.exit(not re.fullmatch("0x[0-9a-f]{32}", v))' "$j"
}
check "nodeid prints 0x and 32 hex digits, new each time, and JSON" \
	nodeid_form

# The man page's trust = pin recipe, on two nodes (directories a, b).
pin_recipe() {
	local node pin

	for node in a b; do
		mkdir -p "$node" &&
			"$TLSTUN" genkey "$node/tt0.key" &&
			"$TLSTUN" cert "$node/tt0.key" out "$node/tt0.pem" &&
			pin=$("$TLSTUN" pubkey "$node/tt0.key") &&
			[ "$pin" = "$(openssl_pin "$node/tt0.key")" ] &&
			[ "$pin" = "$("$TLSTUN" pubkey "$node/tt0.pem")" ] &&
			[ "$(stat -c %a "$node/tt0.key")" = 600 ] || return 1
	done
	[ "$("$TLSTUN" pubkey a/tt0.key)" != "$("$TLSTUN" pubkey b/tt0.key)" ]
}
check "trust = pin recipe: key, certificate and matching pins" pin_recipe

json_pin() {
	local pin

	pin=$("$TLSTUN" -j pubkey a/tt0.pem) &&
		python3 -c 'import json, sys
sys.exit(json.loads(sys.argv[1])["pin"] != sys.argv[2])' \
			"$pin" "$(openssl_pin a/tt0.key)"
}
check "-j pubkey is JSON with the pin" json_pin

# The man page's trust = ca recipe: a site CA certifies node a's request.
ca_recipe() {
	local id

	(umask 077 &&
		openssl genpkey -algorithm EC \
			-pkeyopt ec_paramgen_curve:P-256 -out ca.key) \
		2>/dev/null &&
		openssl req -x509 -new -key ca.key -subj "/CN=tlstun site CA" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" \
			-days 3650 -out ca.pem 2>/dev/null &&
		mkdir -p ca-a &&
		"$TLSTUN" genkey ca-a/tt0.key &&
		id=$("$TLSTUN" nodeid) &&
		"$TLSTUN" csr ca-a/tt0.key node "$id" out tt0.csr &&
		cp tt0.csr a.csr &&
		openssl req -in a.csr -noout -text |
			grep -q "URI:urn:tlstun:node:$id\$" &&
		openssl x509 -req -in a.csr -CA ca.pem -CAkey ca.key \
			-days 365 -copy_extensions copy -out a.pem 2>/dev/null &&
		openssl verify -x509_strict -purpose sslclient -CAfile ca.pem \
			a.pem >/dev/null &&
		openssl verify -x509_strict -purpose sslserver -CAfile ca.pem \
			a.pem >/dev/null &&
		openssl x509 -in a.pem -noout -ext subjectAltName |
			grep -q "URI:urn:tlstun:node:$id\$" &&
		[ "$("$TLSTUN" pubkey a.pem)" = "$(openssl_pin ca-a/tt0.key)" ]
}
check "trust = ca recipe: CSR, CA-issued certificate names the node" \
	ca_recipe

# A self-signed certificate with a node id serves as its own CA.
own_ca() {
	local id

	id=$("$TLSTUN" nodeid) &&
		"$TLSTUN" cert a/tt0.key node "$id" out self.pem &&
		openssl verify -x509_strict -CAfile self.pem self.pem \
			>/dev/null &&
		openssl x509 -in self.pem -noout -ext subjectAltName |
			grep -q "URI:urn:tlstun:node:$id\$"
}
check "cert with node verifies as its own CA and names the node" own_ca

# Argument errors exit 2, naming the keyword and quoting the value,
# before any file is read.
usage_error() {
	local err

	err=$("$TLSTUN" cert missing.key days 0 2>&1 >/dev/null)
	[ $? = 2 ] &&
		[ "$err" = 'Error: "days" value "0" is wrong: must be between 1 and 73200' ]
}
check "a bad value exits 2 naming its keyword" usage_error

[ "$n" = "$PLAN" ] || not_ok "ran $n cases, planned $PLAN"
[ "$failed" = 0 ]
