#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Makes the committed test CRLs of the trust suite (README lists them)
# from the committed root and intermediate keys, without touching any
# certificate: gen.sh would change every key, this changes only crl_*.pem.
#
#   crl_root.pem               root's CRL, nothing revoked
#   crl_inter.pem              inter's CRL, nothing revoked
#   crl_inter_revokes_a.pem    inter's CRL, leaf_a revoked
#   crl_root_revokes_b.pem     root's CRL, leaf_b revoked
#   crl_inter_expired.pem      inter's CRL, nothing revoked, valid
#                              2025-01-01 .. 2026-01-01 (expired at the
#                              tests' time, 2026-06-01)
#   crl_other_root.pem         other_root's CRL, nothing revoked: one the
#                              trusted CAs did not sign
#
# The others are valid 2026-01-01 .. 2126-01-01; revocations are dated
# 2026-03-01.
#
# Usage: selftests/unit/certs/crl-gen.sh   (needs the openssl CLI, 3.0+)

set -eu

cd "$(dirname "$0")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = tca
[tca]
database = \$ENV::DB
crlnumber = \$ENV::CRLNUM
default_md = sha256
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid:always
CNF

# crl OUT ISSUER LAST NEXT [REVOKED...]: OUT signed by ISSUER.key.pem.
crl() {
	out=$1 issuer=$2 last=$3 next=$4
	shift 4
	DB=$work/$out.index
	CRLNUM=$work/$out.crlnum
	export DB CRLNUM
	: > "$DB"
	echo 01 > "$CRLNUM"
	for cert in "$@"; do
		serial=$(openssl x509 -in "$cert.pem" -noout -serial | cut -d= -f2)
		end=$(openssl x509 -in "$cert.pem" -noout -enddate | cut -d= -f2)
		end=$(date -u -d "$end" +%Y%m%d%H%M%SZ)
		subj=$(openssl x509 -in "$cert.pem" -noout -subject -nameopt compat |
		       sed 's/^subject=//')
		printf 'R\t%s\t260301000000Z\t%s\tunknown\t%s\n' \
			"$end" "$serial" "$subj" >> "$DB"
	done
	openssl ca -batch -config "$work/ca.cnf" -gencrl \
		-keyfile "$issuer.key.pem" -cert "$issuer.pem" \
		-crl_lastupdate "$last" -crl_nextupdate "$next" \
		-out "$out.pem"
}

GOOD_START=20260101000000Z
GOOD_END=21260101000000Z

crl crl_root root $GOOD_START $GOOD_END
crl crl_inter inter $GOOD_START $GOOD_END
crl crl_inter_revokes_a inter $GOOD_START $GOOD_END leaf_a
crl crl_root_revokes_b root $GOOD_START $GOOD_END leaf_b
crl crl_inter_expired inter 20250101000000Z 20260101000000Z
crl crl_other_root other_root $GOOD_START $GOOD_END
