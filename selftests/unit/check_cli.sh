#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tlstund's command line, which needs no kernel: --version and --help in
# the long forms as well as -V and -h, and a usage error exits 2. Prints
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

echo "TAP version 13"
echo "1..5"
check "tlstund --version" 0 "^tlstund [0-9]" --version
check "tlstund -V" 0 "^tlstund [0-9]" -V
check "tlstund --help" 0 "^Usage: tlstund .*--help" --help
check "tlstund -h" 0 "^Usage: tlstund " -h
check "tlstund --bogus exits 2 with the usage" 2 "Usage: tlstund " --bogus
