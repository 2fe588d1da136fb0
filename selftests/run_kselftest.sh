#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-guest kselftest runner: tools/vm/run -- selftests/run_kselftest.sh
#
# Loads what the tests need (tunnel and crypto modules; tlstun.ko with its
# dependencies when it is built), then runs every TEST_PROGS script of
# selftests/Makefile, or those named in $TESTS, each under the timeout in
# selftests/settings.  The scripts' KTAP case lines pass through at
# column 0 (stderr is prefixed "# " so it can never read as a result);
# the runner adds its own lines where a script cannot speak for itself:
#
#   not ok N <script> # TIMEOUT ...     it hit the timeout
#   not ok N <script> # exit=RC         it failed without a "not ok"
#   not ok N <script> # ran M of P ...  it stopped short of its plan
#   ok N <script> # SKIP ...            it skipped as a whole (exit 4)
#   not ok N <script>: kernel log clean the kernel warned while it ran
#   not ok N <script>: cleanup          it left network namespaces behind
#
# plus "insmod tlstun.ko" before and "rmmod tlstun" after the scripts.
# Exits 0 when nothing failed, 1 otherwise.

set -u

DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$DIR/.." && pwd)
KO=$TOP/tlstun.ko
KLOG_BAD=$TOP/tools/vm/kernel-log-bad

# Tests run the tools just built here and the system's programs, not
# whatever a developer's $PATH holds (pyenv shims are slow under TCG).
export PATH=$TOP/tools:$TOP/tlshd:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Modules the tests use, loaded up front so the first test to need one

# does not pay for it inside its own timeout.
MODULES="aesni_intel ghash_clmulni_intel gcm veth geneve sch_netem tls"

if [ -z "${VM_OUT:-}" ] && [ -z "${RUN_ON_HOST:-}" ]; then
	echo "run_kselftest.sh: run it in the VM: tools/vm/run -- $0" >&2
	echo "(RUN_ON_HOST=1 runs it here, on a machine you can break)" >&2
	exit 2
fi

failed=0
no=0

result() {
	no=$((no + 1))
	echo "$1 $no $2"
	case "$1" in "not ok") failed=1 ;; esac
}

kmsg() {
	echo "tlstun-selftest: $*" >/dev/kmsg 2>/dev/null
}

timeout=45
if [ -r "$DIR/settings" ]; then
	t=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$DIR/settings")
	[ -n "$t" ] && timeout=$t
fi

if [ -n "${TESTS:-}" ]; then
	tests=
	for t in $TESTS; do
		tests="$tests ${t%.sh}.sh"
	done
else
	tests=$(make -s --no-print-directory -C "$DIR" list) || tests=
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "TAP version 13"
echo "# kernel $(uname -r), tests:" $tests
[ -n "$tests" ] || result "not ok" "list the tests (make -C selftests list)"


modprobe -a $MODULES 2>&1 | sed 's/^/# /'

loaded=0
if [ -f "$KO" ]; then
	deps=$(modinfo -F depends "$KO" 2>/dev/null | tr , ' ')
	[ -n "$deps" ] && modprobe -a $deps 2>&1 | sed 's/^/# /'
	if err=$(insmod "$KO" 2>&1); then
		loaded=1
		result ok "insmod tlstun.ko"
	else
		echo "# $err"
		result "not ok" "insmod tlstun.ko"
	fi
else
	echo "# $KO is not built; tests that need it will fail"
fi

for t in $tests; do
	log=$work/$t.log
	echo "# selftests: tlstun: $t"
	if [ ! -x "$DIR/$t" ]; then
		result "not ok" "$t # missing or not executable"
		continue
	fi
	kmsg "start $t"
	start=$SECONDS
	# stdout (KTAP) straight through, stderr prefixed; both reach the
	# log the verdict below is read from.
	{
		{
			(cd "$DIR" && timeout -k 10 "$timeout" "./$t")
			echo $? >"$work/rc"
		} 2>&1 1>&3 3>&- | sed -u 's/^/# /' >&3 3>&-
	} 3>&1 | tee "$log"
	rc=$(cat "$work/rc")
	kmsg "end $t exit=$rc"
	echo "# $t: exit=$rc in $((SECONDS - start))s"

	cases=$(grep -cE '^(not )?ok [0-9]+' "$log")
	fails=$(grep -cE '^not ok [0-9]+' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
	[ "$fails" -gt 0 ] && failed=1
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		result "not ok" "$t # TIMEOUT ${timeout}s"
	elif [ "$rc" = 4 ] && [ "$cases" = 0 ]; then
		why=$(sed -n 's/^1\.\.0 # SKIP //p' "$log" | head -n 1)
		result ok "$t # SKIP ${why:-exit 4}"
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$fails" = 0 ]; then
		result "not ok" "$t # exit=$rc"
	elif [ -n "$plan" ] && [ "$cases" -lt "$plan" ] && [ "$fails" = 0 ]; then
		result "not ok" "$t # ran $cases of $plan planned cases"
	elif [ "$cases" = 0 ] && [ "$rc" = 0 ]; then
		result ok "$t"
	fi

	bad=$(dmesg | sed -n "/tlstun-selftest: start $t\$/,\$p" |
	      grep -E -f <(grep -v '^#' "$KLOG_BAD"))
	if [ -n "$bad" ]; then
		echo "$bad" | head -n 20 | sed 's/^/# kernel: /'
		result "not ok" "$t: kernel log clean"
	fi

	left=$(ip netns list | cut -d' ' -f1)
	if [ -n "$left" ]; then
		echo "# $t left network namespaces behind:" $left
		for ns in $left; do
			ip netns del "$ns"
		done
		result "not ok" "$t: cleanup"
	fi
done

if [ "$loaded" = 1 ]; then
	kmsg "rmmod tlstun"
	if err=$(rmmod tlstun 2>&1); then
		result ok "rmmod tlstun"
	else
		echo "# $err"
		result "not ok" "rmmod tlstun"
	fi
fi

exit $failed
