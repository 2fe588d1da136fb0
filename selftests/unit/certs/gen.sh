#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Regenerates the committed test certificates of the trust and identity
# suites (README lists every file and the verdict it must get). The outputs
# are committed: the tests never run this script, and a rerun changes every
# key, so commit the whole directory together.
#
# The verification time of the tests is fixed at 2026-06-01T00:00:00Z; the
# validity windows below are placed around it and are absolute, so the
# certificates never go stale:
#   CA       2020-01-01 .. 2130-01-01
#   good     2026-01-01 .. 2126-01-01
#   expired  2025-01-01 .. 2026-01-01
#   not yet  2027-01-01 .. 2127-01-01
#
# Usage: selftests/unit/certs/gen.sh   (needs the openssl CLI, 3.0 or later)

set -eu

cd "$(dirname "$0")"

NODE_A=00112233445566778899aabbccddeeff
NODE_B=ffeeddccbbaa99887766554433221100
NODE_A_UPPER=$(echo "$NODE_A" | tr a-f A-F)
URN=urn:tlstun:node:0x

CA_START=20200101000000Z
CA_END=21300101000000Z
GOOD_START=20260101000000Z
GOOD_END=21260101000000Z
OLD_START=20250101000000Z
OLD_END=20260101000000Z
NEW_START=20270101000000Z
NEW_END=21270101000000Z

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "openssl ca" rather than "openssl x509 -req": only it takes absolute
# start and end dates in OpenSSL 3.0.
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = tca
[tca]
dir = \$ENV::CADIR
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = pol_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[pol_any]
commonName = supplied
CNF

cat > "$work/req.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
CNF

# section NAME BASIC_CONSTRAINTS KEY_USAGE EXT_KEY_USAGE SUBJECT_ALT_NAME
# appends an extension section; "-" leaves that extension out. Every
# section carries SKID and AKID, so X509_V_FLAG_X509_STRICT finds nothing
# to complain about and each leaf differs from leaf_a in one defect only.
section() {
	{
		echo "[$1]"
		[ "$2" = - ] || echo "basicConstraints = $2"
		[ "$3" = - ] || echo "keyUsage = $3"
		[ "$4" = - ] || echo "extendedKeyUsage = $4"
		[ "$5" = - ] || echo "subjectAltName = $5"
		echo "subjectKeyIdentifier = hash"
		echo "authorityKeyIdentifier = keyid:always"
	} >> "$work/ext.cnf"
}

BC=critical,CA:FALSE
DS=critical,digitalSignature
MTLS=serverAuth,clientAuth
URI_A=URI:$URN$NODE_A

: > "$work/ext.cnf"
section v3_root critical,CA:TRUE critical,keyCertSign,cRLSign - -
section v3_inter critical,CA:TRUE,pathlen:0 critical,keyCertSign,cRLSign - -
section v3_inter_server critical,CA:TRUE,pathlen:0 critical,keyCertSign,cRLSign \
	serverAuth -
section leaf_a "$BC" "$DS" "$MTLS" "$URI_A"
section leaf_b "$BC" "$DS" "$MTLS" "URI:$URN$NODE_B"
section leaf_minimal - - - "$URI_A"
section leaf_other_uri "$BC" "$DS" "$MTLS" \
	"DNS:node-a.example,URI:spiffe://example.org/node-a,$URI_A"
section leaf_no_san "$BC" "$DS" "$MTLS" -
section leaf_dns_only "$BC" "$DS" "$MTLS" DNS:node-a.example
section leaf_two_uri "$BC" "$DS" "$MTLS" "$URI_A,URI:$URN$NODE_B"
section leaf_uri_upper "$BC" "$DS" "$MTLS" "URI:$URN$NODE_A_UPPER"
section leaf_uri_short "$BC" "$DS" "$MTLS" \
	"URI:$URN$(echo "$NODE_A" | cut -c2-)"
section leaf_uri_other_kind "$BC" "$DS" "$MTLS" \
	"URI:urn:tlstun:host:0x$NODE_A"
section leaf_ku_agree "$BC" critical,keyAgreement "$MTLS" "$URI_A"
section leaf_ku_certsign "$BC" critical,keyCertSign - "$URI_A"
section leaf_eku_server "$BC" "$DS" serverAuth "$URI_A"
section leaf_eku_any "$BC" "$DS" anyExtendedKeyUsage "$URI_A"
section leaf_ca_true critical,CA:TRUE critical,digitalSignature,keyCertSign \
	- "$URI_A"

key_p256() {
	openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve -out "$1.key.pem"
}

key_p384() {
	openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
		-pkeyopt ec_param_enc:named_curve -out "$1.key.pem"
}

key_rsa() {
	openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$1.key.pem"
}

# issue NAME ISSUER START END SECTION: signs NAME.key.pem with ISSUER
# ("self" for a self-signed certificate), writes NAME.pem, NAME.der and
# NAME.pin, the SHA-256 of the DER SubjectPublicKeyInfo computed here by
# the CLI, independently of the code under test.
issue() {
	name=$1 issuer=$2 start=$3 end=$4 section=$5

	openssl req -new -config "$work/req.cnf" -key "$name.key.pem" \
		-subj "/CN=tlstun test $name" -out "$work/$name.csr"
	if [ "$issuer" = self ]; then
		cadir=$work/ca-$name
		set -- -selfsign -keyfile "$name.key.pem"
	else
		cadir=$work/ca-$issuer
		set -- -cert "$issuer.pem" -keyfile "$issuer.key.pem"
	fi
	if [ ! -d "$cadir" ]; then
		mkdir "$cadir"
		: > "$cadir/index.txt"
		echo 1000 > "$cadir/serial"
	fi
	CADIR=$cadir openssl ca -batch -notext -config "$work/ca.cnf" "$@" \
		-in "$work/$name.csr" -out "$name.pem" \
		-startdate "$start" -enddate "$end" \
		-extfile "$work/ext.cnf" -extensions "$section" 2>/dev/null
	openssl x509 -in "$name.pem" -outform DER -out "$name.der"
	openssl x509 -in "$name.pem" -noout -pubkey |
		openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -r | sed 's/^\([0-9a-f]*\).*/sha256:\1/' \
		> "$name.pin"
}

rm -f ./*.pem ./*.der ./*.pin

# Trust anchors and the intermediate.
key_p256 root
issue root self "$CA_START" "$CA_END" v3_root
key_p256 inter
issue inter root "$CA_START" "$CA_END" v3_inter
key_p256 other_root
issue other_root self "$CA_START" "$CA_END" v3_root
# An intermediate whose extendedKeyUsage allows TLS servers only.
key_p256 inter_server
issue inter_server root "$CA_START" "$CA_END" v3_inter_server

# Good leaves: A under the intermediate, B straight under the root.
key_p256 leaf_a
issue leaf_a inter "$GOOD_START" "$GOOD_END" leaf_a
key_p256 leaf_b
issue leaf_b root "$GOOD_START" "$GOOD_END" leaf_b
# A good leaf under it: fit to be a TLS server, not a client.
key_p256 leaf_inter_server
issue leaf_inter_server inter_server "$GOOD_START" "$GOOD_END" leaf_a

# One defect each, all for node A and signed by the root unless named.
for c in minimal other_uri no_san dns_only two_uri uri_upper uri_short \
	 uri_other_kind ku_agree ku_certsign eku_server eku_any ca_true; do
	key_p256 "leaf_$c"
	issue "leaf_$c" root "$GOOD_START" "$GOOD_END" "leaf_$c"
done
key_p256 leaf_expired
issue leaf_expired root "$OLD_START" "$OLD_END" leaf_a
key_p256 leaf_not_yet
issue leaf_not_yet root "$NEW_START" "$NEW_END" leaf_a
key_p256 leaf_wrong_ca
issue leaf_wrong_ca other_root "$GOOD_START" "$GOOD_END" leaf_a
key_rsa leaf_rsa
issue leaf_rsa root "$GOOD_START" "$GOOD_END" leaf_a
key_p384 leaf_p384
issue leaf_p384 root "$GOOD_START" "$GOOD_END" leaf_a

# Self-signed leaves for the pin and TOFU policies.
key_p256 self_a
issue self_a self "$GOOD_START" "$GOOD_END" leaf_a
key_p256 self_expired
issue self_expired self "$OLD_START" "$OLD_END" leaf_a

# Test keys are public by design and git keeps 0644 whatever the mode;
# make the tree match what a checkout has. Tests copy them to 0600.
chmod 644 ./*.key.pem
