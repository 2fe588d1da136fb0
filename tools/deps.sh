#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/deps.sh - install every Debian package that building, checking,
# the demo and the benchmarks need (make deps).  Idempotent and quick:
# when all are installed it says so and does nothing else.  Packages come
# from the machine's configured apt sources.

set -eu

# One package a line, grouped by who needs it; add yours to the list.
PACKAGES="
	build-essential
	pkg-config
	linux-headers-6.12-amd64
	linux-headers-amd64
	libnl-3-dev
	libnl-genl-3-dev
	libnl-route-3-dev
	libssl-dev
	openssl
	libsystemd-dev
	systemd

	libcmocka-dev
	clang
	libclang-rt-14-dev
	libfuzzer-14-dev

	linux-image-6.12-amd64
	qemu-system-x86
	busybox-static
	kmod
	xz-utils
	zstd
	cpio
	coreutils
	util-linux

	iproute2
	iputils-ping
	procps
	ethtool
	iperf3
	tcpdump
	socat
	wireguard-tools
	python3
	python3-yaml
	jq
	mandoc
	linux-perf

	libgnutls28-dev
	libngtcp2-dev
	libngtcp2-crypto-gnutls-dev
	ngtcp2-client
"

# The QUIC transport needs ngtcp2 1.x with its GnuTLS helper: bookworm has
# 0.12 (a pre-1.0 API), bookworm-backports 1.11. These come from there,
# and nothing else does (the pin below).
BACKPORTS_PKGS="libngtcp2* ngtcp2-client ngtcp2-server libnghttp3*"
BACKPORTS_SOURCES=/etc/apt/sources.list.d/tlstun-backports.sources
BACKPORTS_PIN=/etc/apt/preferences.d/tlstun-backports

# The mirror bookworm comes from on this machine: the first URI of a
# deb822 stanza or sources.list line whose suites name plain "bookworm".
bookworm_mirror() {
	local f

	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		[ "$f" = "$BACKPORTS_SOURCES" ] && continue
		awk '
			/^[ \t]*$/ { if (uri != "" && main) { print uri; exit }
				     uri = ""; main = 0; next }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" {
				for (i = 2; i <= NF; i++)
					if ($i == "bookworm") main = 1 }
			END { if (uri != "" && main) print uri }
		' "$f" | head -n1
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++
				   if ($2 ~ /^\[/) i++
				   if ($(i + 1) == "bookworm") { print $i; exit } }' "$f"
	done
}

# Writes @2 to file @1 unless it already says exactly that.
write_if_changed() {
	if [ "$(cat "$1" 2>/dev/null)" != "$2" ]; then
		echo "deps: writing $1"
		printf '%s\n' "$2" | $SUDO tee "$1" >/dev/null
		BACKPORTS_CHANGED=1
	fi
}

enable_backports() {
	local mirror

	mirror=$(bookworm_mirror | head -n1)
	if [ -z "$mirror" ]; then
		echo "deps: no apt source for bookworm found; cannot add bookworm-backports" >&2
		exit 1
	fi
	write_if_changed "$BACKPORTS_SOURCES" "Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
	write_if_changed "$BACKPORTS_PIN" "Package: *
Pin: release n=bookworm-backports
Pin-Priority: 100

Package: $BACKPORTS_PKGS
Pin: release n=bookworm-backports
Pin-Priority: 600"
}

# One dpkg-query for all: it lists the known ones, "ii" when installed.
# shellcheck disable=SC2086 # one word per package
installed=$(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' $PACKAGES \
	    2>/dev/null | sed -n 's/^ii *//p' || true)
missing=
for p in $PACKAGES; do
	echo "$installed" | grep -qx "$p" || missing="$missing $p"
done
# bookworm's own ngtcp2 (0.x) does not count.
ngtcp2=$(dpkg-query -W -f='${Version}' libngtcp2-dev 2>/dev/null || true)
case "$ngtcp2" in
0.*) missing="$missing libngtcp2-dev libngtcp2-crypto-gnutls-dev" ;;
esac


if [ -z "$missing" ]; then
	echo "deps: all $(echo $PACKAGES | wc -w) packages are installed"
	exit 0
fi

echo "deps: installing$missing"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
BACKPORTS_CHANGED=
enable_backports
$SUDO apt-get update
# shellcheck disable=SC2086 # one word per package
$SUDO apt-get install -y --no-install-recommends $missing
