#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/check.sh - every test tier of tlstun, one verdict (make check).
#
#   tools/check.sh                      all tiers
#   TESTS="harness.sh ..." tools/check.sh   only these kselftests in the VM
#   SKIP_VM=1 tools/check.sh            host tiers only (counts the VM
#                                       tier as skipped, never as passed)
#
# Tiers, in order:
#   build   make all (module for $KVER, tools, tlstund), make module-old
#           (Debian 12's 6.1 headers), the selftest and bench helpers;
#           one case each
#   unit    make -C selftests/unit run (cmocka, ASan+UBSan)
#   fuzz    make -C selftests/fuzz run (corpus replay + seeded runs)
#   vm      tools/vm/run -- selftests/run_kselftest.sh
#
# Counting, over each tier's output: a line starting "ok N" or "not ok N"
# is one case; one containing "# SKIP" is skipped (cmocka prints
# "not ok N # SKIP"), else "ok" passed and "not ok" failed.  Anything
# else, "#" lines included, is commentary.  A tier also fails, with a
# case added here, when it exits non-zero without a "not ok", reports no
# cases at all, or prints fewer cases after a "1..N" plan than planned
# (a test binary that crashed part-way).  For the VM tier a timeout, a
# crashed guest or a dirty kernel log is a failed case of its own.
#
# The last line is "N passed, N failed, N skipped"; the exit status is
# non-zero when anything failed.  Output streams as it runs; full logs
# go to build/check/.

set -u
set -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
LOGDIR=$TOP/build/check
mkdir -p "$LOGDIR"
LOG=$LOGDIR/check.log
: >"$LOG"

# The whole VM tier, boot included.  make check must end within 20
# minutes; the kselftests get most of that.
VM_TIMEOUT=${VM_TIMEOUT:-900}
JOBS=$(nproc)

# "make check TESTS=..." puts TESTS=... into MAKEFLAGS, where it would
# override selftests/unit's own TESTS variable; only the VM tier wants it.
# The parent make's jobserver is not ours either (its fds are closed for
# this recipe), so this script picks -j itself.
VM_TESTS=${TESTS:-}
unset TESTS
MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" |
	    sed -e 's/\(^\| \)TESTS=\(\\ \|[^ ]\)*//g' \
		-e 's/\(^\| \)--jobserver-[a-z]*=[^ ]*//g' \
		-e 's/\(^\| \)-j[0-9]*\( \|$\)/\2/g')
export MAKEFLAGS


total_pass=0
total_fail=0
total_skip=0
times=()

say() {
	echo "$*" | tee -a "$LOG"
}

# count FILE: sets pass, fail, skip, cases and short (plans not met).
count() {
	local counts

	counts=$(awk '
		/^1\.\.[0-9]+/ {
			if (plan > got) short++
			plan = substr($1, 4) + 0; got = 0; next
		}
		/^(not )?ok [0-9]+/ {
			got++
			if (/# SKIP/) skip++
			else if (/^ok/) pass++
			else fail++
		}
		END {
			if (plan > got) short++
			print pass + 0, fail + 0, skip + 0, short + 0
		}' "$1")
	read -r pass fail skip short <<<"$counts"
	cases=$((pass + fail + skip))
}

# Add a case of the harness's own to tier log FILE.
synth() {
	local file=$1 line=$2

	say "$line"
	echo "$line" >>"$file"
}

# tier NAME WHAT CMD...: run CMD, stream and log its output, count its
# cases.
tier() {
	local name=$1 file=$LOGDIR/$1.log start rc
	shift

	say ""
	say "==== $name: $1 ===="
	shift
	start=$SECONDS
	"$@" 2>&1 | tee "$file" | tee -a "$LOG"
	rc=${PIPESTATUS[0]}
	finish "$name" "$file" "$rc" $((SECONDS - start))
}

finish() {
	local name=$1 file=$2 rc=$3 secs=$4

	count "$file"
	if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
		synth "$file" "not ok $((cases + 1)) $name: exited $rc without reporting a failure"
	elif [ "$cases" = 0 ]; then
		synth "$file" "not ok 1 $name: reported no test cases"
	elif [ "$short" != 0 ]; then
		synth "$file" "not ok $((cases + 1)) $name: $short test program(s) stopped short of their plan"
	fi
	count "$file"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	times+=("$name ${secs}s: $pass passed, $fail failed, $skip skipped")
	say "# $name: $pass passed, $fail failed, $skip skipped in ${secs}s"
}

# One case per build; the compiler's output is commentary.
build_one() {
	local n=$1 what=$2
	shift 2

	if "$@" 2>&1 | sed 's/^/# /'; then
		echo "ok $n $what"
	else
		echo "not ok $n $what"
	fi
}

build() {
	build_one 1 "make all" make -j"$JOBS" all
	build_one 2 "make module-old" make -j"$JOBS" module-old
	build_one 3 "make -C selftests/nl" make -C selftests/nl
	build_one 4 "make -C selftests/tools" make -C selftests/tools
	build_one 5 "make -C tools/bench" make -C tools/bench
}

vm() {
	local out=$LOGDIR/vm rc reason

	TESTS=$VM_TESTS tools/vm/run --timeout "$VM_TIMEOUT" --out "$out" \
		-- selftests/run_kselftest.sh
	rc=$?
	reason=$(sed -n 's/^reason=//p' "$out/result" 2>/dev/null)
	case "$reason" in
	ok|cmd-failed) ;;
	timeout) echo "not ok 1 vm: finished within ${VM_TIMEOUT}s # TIMEOUT" ;;
	crash) echo "not ok 1 vm: guest did not crash (see $out/kernel.log)" ;;
	dirty-kernel-log) echo "not ok 1 vm: kernel log clean (see $out/kernel.log)" ;;
	*) echo "not ok 1 vm: runner failed (exit $rc, no $out/result)" ;;
	esac
	return $rc
}

say "tlstun check: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), logs in $LOGDIR"

tier build "make all, make module-old" build
tier unit "make -C selftests/unit run" make -C selftests/unit run
tier fuzz "make -C selftests/fuzz run" make -C selftests/fuzz run
if [ -n "${SKIP_VM:-}" ] && [ "$SKIP_VM" != 0 ]; then

	say ""
	say "==== vm: skipped (SKIP_VM=$SKIP_VM) ===="
	echo "ok 1 vm kselftests # SKIP SKIP_VM=$SKIP_VM" >"$LOGDIR/vm.log"
	say "ok 1 vm kselftests # SKIP SKIP_VM=$SKIP_VM"
	finish vm "$LOGDIR/vm.log" 0 0
else
	tier vm "tools/vm/run -- selftests/run_kselftest.sh${VM_TESTS:+ (TESTS=$VM_TESTS)}" vm

fi

say ""
for t in "${times[@]}"; do
	say "# $t"
done
say "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
