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
"

# One dpkg-query for all: it lists the known ones, "ii" when installed.
# shellcheck disable=SC2086 # one word per package
installed=$(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' $PACKAGES \
	    2>/dev/null | sed -n 's/^ii *//p' || true)
missing=
for p in $PACKAGES; do
	echo "$installed" | grep -qx "$p" || missing="$missing $p"
done


if [ -z "$missing" ]; then
	echo "deps: all $(echo $PACKAGES | wc -w) packages are installed"
	exit 0
fi

echo "deps: installing$missing"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2086 # one word per package
$SUDO apt-get install -y --no-install-recommends $missing
