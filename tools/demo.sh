#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/demo.sh - make demo: two tlstund daemons key a tunnel between two
# network namespaces, in a throwaway VM (tools/vm/run), so nothing on this
# machine changes.  Builds what is missing first.  The steps and their
# output come from tools/demo-guest.sh, which runs in the guest.
#
# Exit status: 0 when the tunnel came up and carried a ping; else non-zero
# (the guest script's failure, or tools/vm/run's 123-125, see vm.rst).

set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1

echo "== Building the module, tlstun and tlstund (make all)"
log=$(mktemp) || exit 1
if ! make -s all >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	echo "demo: the build failed" >&2
	exit 1
fi
rm -f "$log"

echo "== Booting a VM with Debian's 6.12 kernel (QEMU without KVM: a few seconds)"
tools/vm/run --timeout "${DEMO_TIMEOUT:-300}" -- tools/demo-guest.sh
rc=$?
if [ $rc = 0 ]; then
	echo "== Demo done: the daemons keyed the tunnel and it carried traffic"
else
	echo "demo: FAILED (exit $rc)" >&2
fi
exit $rc
