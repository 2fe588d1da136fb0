#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/vm/run from a checkout the guest would not see: a copy of the
# runner under /tmp, which the guest covers with a tmpfs, must still boot
# and see that checkout's own files at the same path. make check runs
# from any checkout path because of this. Boots one VM (a few seconds).
# Prints TAP.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/tlstun-vmpath.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "TAP version 13"
echo "1..1"
mkdir -p "$WORK/tools"
cp -r "$TOP/tools/vm" "$WORK/tools/vm"
probe=$RANDOM$RANDOM
echo "$probe" >"$WORK/probe"
out=$(cd "$WORK" && tools/vm/run --timeout 300 -- sh -c 'cat "$TOP/probe"' 2>&1)
rc=$?
if [ "$rc" = 0 ] && [ "$(tail -n 1 <<<"$out")" = "$probe" ]; then
	echo "ok 1 tools/vm/run from a checkout under /tmp sees its files"
else
	echo "not ok 1 tools/vm/run from a checkout under /tmp sees its files"
	tail -n 5 <<<"$out" | sed 's/^/# /'
	echo "# exit $rc"
fi
