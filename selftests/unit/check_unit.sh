#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tlstund@.service: systemd accepts it, its hardening stays where it is
# (systemd-analyze's exposure score, lower is better; 2.2 when written),
# and it forbids core files, which would hold session keys. Prints TAP.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
unit=$(mktemp -d)/tlstund@.service
trap 'rm -rf "$(dirname "$unit")"' EXIT
sed "s|@SBINDIR@|$TOP/tlshd|g" "$TOP/tlshd/tlstund@.service.in" > "$unit"

echo "TAP version 13"
echo "1..3"
if out=$(systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$out" ]; then
	echo "ok 1 systemd-analyze verify tlstund@.service"
else
	echo "not ok 1 systemd-analyze verify tlstund@.service"
	echo "$out" | sed 's/^/# /'
fi
score=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'; then
	echo "ok 2 tlstund@.service exposure $score <= 2.5"
else
	echo "not ok 2 tlstund@.service exposure '${score:-?}' > 2.5"
fi
core=$(sed -n 's/^LimitCORE=//p' "$unit" | tail -n 1)
if [ "$core" = 0 ]; then
	echo "ok 3 tlstund@.service sets LimitCORE=0"
else
	echo "not ok 3 tlstund@.service sets LimitCORE=0 (it has '${core:-nothing}')"
fi
