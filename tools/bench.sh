#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/bench.sh - make bench: tlstun against plain Geneve, WireGuard and
# IPsec ESP, measured side by side in one VM boot, plus the crypto
# ceiling and the control plane.  Documentation/performance.rst explains
# the method and reads the numbers.
#
#   make bench                full run (10 to 13 minutes on 2 cores)
#   make bench QUICK=1        short run (under 3 minutes)
#   BENCH_NO_BUILD=1 tools/bench.sh   use what is already built
#   BENCH_OUT=DIR tools/bench.sh      results in DIR, not build/bench
#
# Steps:
#   1. build: make all (module, tlstun, tlstund), unless BENCH_NO_BUILD,
#      and tools/bench's programs
#   2. host: two node identities (tlstun genkey/cert/pubkey) in
#      build/bench/cred, then hsbench: tlstund's handshakes per second
#      over loopback TCP and over QUIC, on this host, not the VM
#   3. VM: tools/vm/run -- tools/bench/guest.sh, results in build/bench/vm
#   4. report: tools/bench/report.py prints the tables and writes
#      build/bench/report.md and build/bench/report.json
#
# BENCH_REPS, BENCH_TIME, BENCH_RR, BENCH_ALG, BENCH_TTFP, BENCH_REKEYS,
# BENCH_MEMDEV (see tools/bench/guest.sh) and BENCH_HS (seconds of
# handshakes) override the defaults QUICK picks; BENCH_PROFILE="tt128"
# adds a perf profile of that configuration (build/bench/vm/profile-*.txt).
# Exits non-zero when any measurement failed; the report still shows the
# others.

set -u
set -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
# BENCH_OUT: somewhere else than build/bench (which make clean removes),
# visible in the guest (not under /tmp).
OUT=${BENCH_OUT:-$TOP/build/bench}
START=$SECONDS

QUICK=${QUICK:-}
[ "$QUICK" = 0 ] && QUICK=
if [ -n "$QUICK" ]; then
	: "${BENCH_HS:=2}"
	VM_TIMEOUT=${VM_TIMEOUT:-600}
else
	: "${BENCH_HS:=10}"
	VM_TIMEOUT=${VM_TIMEOUT:-1800}
fi
export QUICK VM_TIMEOUT

say() {
	printf 'bench: %s\n' "$*" >&2
}

die() {
	say "$*"
	exit 1
}

# The host's own figures, in the guest's samples.tsv format.
host_sample() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$OUT/host.tsv"
}

# --- 1. build ---------------------------------------------------------------

# The parent make's jobserver is not ours (its fds are closed for this
# recipe); QUICK and the rest come through the environment.
unset MAKEFLAGS MFLAGS
mkdir -p "$OUT"
if [ -z "${BENCH_NO_BUILD:-}" ]; then
	say "building the module, tlstun and tlstund"
	make -C "$TOP" all >"$OUT/build.log" 2>&1 ||
		die "make all failed (see $OUT/build.log)"
fi
make -s -C "$TOP/tools/bench" || die "cannot build tools/bench"
for f in tlstun.ko tools/tlstun tlshd/tlstund; do
	[ -e "$TOP/$f" ] || die "$f is not built: run make"
done

rm -rf "$OUT/vm" "$OUT/cred" "$OUT/host.tsv" "$OUT/report.md" \
	"$OUT/report.json"
mkdir -p "$OUT/vm" "$OUT/cred"

# --- 2. host: identities, handshakes ----------------------------------------

# tlstund's two node identities (key, self-signed certificate, pin) and
# WireGuard's two keys, made here where an exec is cheap.

(
	umask 077
	for n in a b; do
		tools/tlstun genkey "$OUT/cred/$n.key" &&
		tools/tlstun cert "$OUT/cred/$n.key" out "$OUT/cred/$n.pem" &&
		tools/tlstun pubkey "$OUT/cred/$n.pem" >"$OUT/cred/$n.pin" &&
		wg genkey >"$OUT/cred/wg-$n.key" &&
		wg pubkey <"$OUT/cred/wg-$n.key" >"$OUT/cred/wg-$n.pub" ||
			exit 1
	done
) || die "cannot make the node identities"

say "host: tlstund handshakes over loopback for ${BENCH_HS}s"
: >"$OUT/host.tsv"
host_sample info host_cpu - \
	"$(sed -n 's/^model name[ \t]*: //p' /proc/cpuinfo | head -n 1)"
host_sample info host_cpus - "$(nproc)"
host_sample info host_load - "$(cut -d' ' -f1-3 /proc/loadavg)"
host_sample info date - "$(date -u '+%Y-%m-%d %H:%M UTC')"
# What was measured: the tree and the module, for before/after notes.
host_sample info tree - "$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)"
host_sample info module - \
	"$(sha256sum "$TOP/tlstun.ko" | cut -c1-12), built $(date -u -r "$TOP/tlstun.ko" '+%H:%M UTC')"
hs_failed=0
# The same handshakes over both transports, one after the other: their
# ratio is a same-run figure.
for transport in tls quic; do
	sfx=
	[ "$transport" = quic ] && sfx=_quic
	if line=$(tools/bench/hsbench "$OUT/cred/a.key" "$OUT/cred/a.pem" \
		  "$OUT/cred/b.key" "$OUT/cred/b.pem" "$BENCH_HS" \
		  $([ "$transport" = quic ] && echo quic)); then
		echo "$line" >&2
		# hsbench TRANSPORT handshakes N seconds S rate R server_cpu X
		#   client_cpu Y per_core_server A per_core_client B
		#   per_core_pair C
		set -- $line
		host_sample "hs${sfx}_rate" hsbench 1 "$8"
		host_sample "hs${sfx}_per_core_server" hsbench 1 "${14}"
		host_sample "hs${sfx}_per_core_client" hsbench 1 "${16}"
		host_sample "hs${sfx}_per_core_pair" hsbench 1 "${18}"
	else
		host_sample fail "hs$sfx" hsbench "hsbench $transport failed"
		hs_failed=1
	fi
done

# --- 3. VM --------------------------------------------------------------------

say "VM: datapath, crypto ceiling, daemons (timeout ${VM_TIMEOUT}s)"
BENCH_CRED=$OUT/cred
export BENCH_CRED
env_args=()
for v in QUICK BENCH_CRED BENCH_REPS BENCH_TIME BENCH_OMIT BENCH_RR \
	 BENCH_ALG BENCH_TTFP BENCH_REKEYS BENCH_MEMDEV BENCH_PROFILE; do
	[ -n "${!v:-}" ] && { export "$v"; env_args+=(--env "$v"); }
done
vm_start=$SECONDS
tools/vm/run --out "$OUT/vm" --timeout "$VM_TIMEOUT" "${env_args[@]}" \
	-- tools/bench/guest.sh
vm_rc=$?
say "VM finished with status $vm_rc after $((SECONDS - vm_start)) s"

# --- 4. report ----------------------------------------------------------------

host_sample info bench_seconds - "$((SECONDS - START))"
host_sample info bench_mode - "$([ -n "$QUICK" ] && echo quick || echo full)"
host_sample info vm_status - "$vm_rc"
/usr/bin/python3 tools/bench/report.py "$OUT" || die "report failed"
say "total $((SECONDS - START)) s; report in $OUT/report.md and report.json"
[ "$vm_rc" = 0 ] && [ "$hs_failed" = 0 ]
