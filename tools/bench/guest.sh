#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-guest half of make bench: tools/bench.sh boots the VM with
#
#	tools/vm/run --out build/bench/vm -- tools/bench/guest.sh
#
# and this measures, in that one boot, every configuration of
# tools/bench/peers.sh side by side, then the crypto ceiling and the
# control plane.  Each figure goes to $VM_OUT/samples.tsv as soon as it
# is taken (a run that dies half-way still leaves what it measured):
#
#	METRIC <tab> CONFIG <tab> REP <tab> VALUE
#	info <tab> KEY <tab> - <tab> TEXT
#	fail <tab> METRIC <tab> CONFIG <tab> REASON
#
# tools/bench/report.py turns that into the report.
#
# Order: every test runs once per repetition for every configuration
# before the next test, and each repetition starts one configuration
# later (raw geneve tt128 ..., then geneve tt128 ... raw, ...), so that a
# configuration is never measured in a block of its own, always next to
# the others and at every position: slow drift of the host (other VMs,
# thermal) spreads over all of them instead of favouring one.
#
# Settings (tools/bench.sh passes them; QUICK=1 picks the short ones):
#   BENCH_REPS   repetitions (4; quick 2)
#   BENCH_TIME   seconds per iperf3 run (4, after 1 omitted; quick 1)
#   BENCH_RR     request/response round trips per latency run (1000;
#                quick 300)
#   BENCH_ALG    seconds per AF_ALG direction and key size (1; quick 0.3)
#   BENCH_TTFP   daemon starts timed (5; quick 2)
#   BENCH_REKEYS rekeys timed (20; quick 5)
#   BENCH_MEMDEV devices created for the memory figures (100; quick 10)
#   BENCH_PROFILE configurations to profile with perf after the
#                repetitions (none), e.g. "tt128 geneve"

set -u

DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$DIR/../.." && pwd)
# The tools just built and the system's, not a developer's $PATH (pyenv
# shims are slow under TCG).
PATH=$DIR:$TOP/tools:$TOP/tlshd:/usr/local/sbin:/usr/local/bin
export PATH=$PATH:/usr/sbin:/usr/bin:/sbin:/bin

if [ -z "${VM_OUT:-}" ]; then
	echo "guest.sh: run it in the VM: make bench" >&2
	exit 2
fi

# shellcheck source=../../selftests/lib.sh
source "$TOP/selftests/lib.sh"
# shellcheck source=peers.sh
source "$DIR/peers.sh"
# shellcheck source=control.sh
source "$DIR/control.sh"

if [ -n "${QUICK:-}" ] && [ "$QUICK" != 0 ]; then
	: "${BENCH_REPS:=2}" "${BENCH_TIME:=1}" "${BENCH_OMIT:=0}"
	: "${BENCH_RR:=300}" "${BENCH_ALG:=0.3}" "${BENCH_TTFP:=2}"
	: "${BENCH_REKEYS:=5}" "${BENCH_MEMDEV:=10}"
else
	: "${BENCH_REPS:=4}" "${BENCH_TIME:=4}" "${BENCH_OMIT:=1}"
	: "${BENCH_RR:=1000}" "${BENCH_ALG:=1}" "${BENCH_TTFP:=5}"
	: "${BENCH_REKEYS:=20}" "${BENCH_MEMDEV:=100}"
fi

SAMPLES=$VM_OUT/samples.tsv
IPERF_PORT=5201
RR_PORT=9000
# Both ends of the latency runs on one vCPU (see tools/bench/udprr.c).
RR_CPU=0
TESTS="tcp1 tcp4 udp64 udp1400 rr"
FAILED=0
: >"$SAMPLES"

trap cleanup_all EXIT

# Progress on stderr, with the guest's uptime: under TCG, where the time
# goes is worth seeing.
log() {
	local up

	read -r up _ </proc/uptime
	printf 'bench: [%6ss] %s\n' "$up" "$*" >&2
}

sample() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$SAMPLES"
}

info() {
	local key=$1
	shift
	printf 'info\t%s\t-\t%s\n' "$key" "$*" >>"$SAMPLES"
}

# failed METRIC CONFIG REASON...
failed() {
	local metric=$1 cfg=$2
	shift 2

	printf 'fail\t%s\t%s\t%s\n' "$metric" "$cfg" "$*" >>"$SAMPLES"
	log "FAILED: $metric $cfg: $*"
	FAILED=1
}

# bounded SECONDS CMD...: CMD, killed if it runs longer; a watchdog
# subshell rather than timeout(1), which would cost one more exec.
bounded() {
	local limit=$1 pid dog rc
	shift

	"$@" &
	pid=$!
	( nap "$limit"; kill "$pid" 2>/dev/null ) &
	dog=$!
	wait "$pid"
	rc=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	return $rc
}

# iperf_fields JSON: the members of "end"'s sum_sent and sum_received, as
# "s_bytes=... r_seconds=..." words, or "error=..." (cJSON prints one
# member a line, and those two objects are flat). Bash only, no exec.
iperf_fields() {
	local line obj= k v out=

	while IFS= read -r line; do
		case "$line" in
		*'"error":'*) printf 'error=%s\n' "${line#*: }"; return 1 ;;
		*'"sum_sent":'*) obj=s ;;
		*'"sum_received":'*) obj=r ;;
		*'}'*) obj= ;;
		*'":'*)
			[ -n "$obj" ] || continue
			k=${line%%\":*} k=${k##*\"}
			v=${line#*:} v=${v//[$'\t' ,]/}
			out+="${obj}_$k=$v "
			;;
		esac
	done <"$1"
	[[ $out == *r_seconds=* ]] || { echo "error=no sum_received"; return 1; }
	echo "$out"
}

# iperf_brief FIELDS: what the log shows of iperf_fields' words.
iperf_brief() {
	local w r_bits_per_second= r_lost_percent=

	for w in $1; do
		case "${w%%=*}" in
		r_bits_per_second|r_lost_percent)
			printf -v "${w%%=*}" '%s' "${w#*=}" ;;
		esac
	done
	w=$((${r_bits_per_second%.*} / 100000))
	printf '%d.%d Mbit/s' $((w / 10)) $((w % 10))
	[ -n "$r_lost_percent" ] &&
		printf ', lost %s%%' "${r_lost_percent:0:5}"
	echo
}

# run_iperf CFG REP METRIC [IPERF3 ARGS...]: the raw counts, as samples;
# report.py turns them into rates (receiver's bytes / its seconds).
run_iperf() {
	local cfg=$1 rep=$2 metric=$3 json out w
	shift 3

	json=$TEST_TMP/$metric-$cfg-$rep.json
	bounded $((BENCH_TIME * 4 + 30)) iperf3 -c "$(peer_dst "$cfg")" -p $IPERF_PORT -J \
		-t "$BENCH_TIME" "$@" >"$json" 2>&1
	if ! out=$(iperf_fields "$json"); then
		failed "$metric" "$cfg" "iperf3: ${out#error=}"
		return 1
	fi
	for w in $out; do
		case "${w%%=*}" in
		r_bytes|r_seconds|r_bits_per_second|r_lost_percent|s_packets|s_seconds|s_retransmits)
			sample "${metric}_${w%%=*}" "$cfg" "$rep" "${w#*=}" ;;
		esac
	done
	log "rep $rep $metric $cfg: $(iperf_brief "$out")"
}

run_rr() {
	local cfg=$1 rep=$2 out

	if ! out=$(bounded 120 udprr -c $RR_CPU client "$(peer_dst "$cfg")" \
		   $RR_PORT "$BENCH_RR" 2>&1); then
		failed rr "$cfg" "udprr: $out"
		return 1
	fi
	set -- $out
	# n N lost L p50_us X p90_us X p99_us X min_us X max_us X mean_us X tps X
	sample lat_p50_us "$cfg" "$rep" "$6"
	sample lat_p99_us "$cfg" "$rep" "${10}"
	sample rr_tps "$cfg" "$rep" "${18}"
	log "rep $rep rr $cfg: $out"
}

run_test() {
	local test=$1 cfg=$2 rep=$3

	case "$test" in
	tcp1) run_iperf "$cfg" "$rep" tcp1 -O "$BENCH_OMIT" ;;
	tcp4) run_iperf "$cfg" "$rep" tcp4 -O "$BENCH_OMIT" -P 4 ;;
	udp64) run_iperf "$cfg" "$rep" udp64 -u -b 0 -l 64 ;;
	udp1400) run_iperf "$cfg" "$rep" udp1400 -u -b 0 -l 1400 ;;
	rr) run_rr "$cfg" "$rep" ;;
	esac
}

# The kernel's gcm(aes) on one CPU through AF_ALG, 1400-byte payloads.
run_alg() {
	local rep=$1 bits line

	for bits in 128 256; do
		if ! line=$(algspeed "$bits" "$BENCH_ALG" 1400 2>&1); then
			failed alg "gcm$bits" "$line"
			continue
		fi
		# algspeed enc|dec BITS PAYLOAD ops N seconds S gbps G driver D
		while read -r _ dir _ _ _ _ _ _ _ gbps _ drv; do
			sample "alg_${dir}_gbps" "gcm$bits" "$rep" "$gbps"
			info gcm_driver "$drv"
		done <<<"$line"
		log "rep $rep algspeed $bits: $(echo $line)"
	done
}

# tcrypt's own timing of gcm(aes) in the kernel, no syscalls: mode 211
# with sec=0 times 8 operations per size in TSC cycles (4 warm-ups
# before), converted with the TSC frequency the kernel calibrated
# ($TSC_MHZ). Eight operations are quickly disturbed under TCG, and a
# disturbance only ever slows them, so the module runs TCRYPT_RUNS times
# and the fastest of the 1420-byte lines after our marker counts. The
# module always refuses to stay loaded (EAGAIN), by design.
TCRYPT_RUNS=3
run_tcrypt() {
	local rep=$1 i

	echo "bench: tcrypt $rep" >/dev/kmsg
	for ((i = 0; i < TCRYPT_RUNS; i++)); do
		modprobe tcrypt mode=211 sec=0 2>/dev/null
	done
	dmesg | awk -v mhz="$TSC_MHZ" -v rep="$rep" '
		$0 ~ "bench: tcrypt " rep "$" { on = 1; next }
		!on { next }
		/testing speed of gcm\(aes\)/ {
			alg = 1; dir = / encryption/ ? "enc" : "dec"
			next
		}
		/testing speed of/ { alg = 0 }
		alg && /1420 byte blocks/ && match($0, /in [0-9]+ cycles/) {
			cyc = substr($0, RSTART + 3, RLENGTH - 10)
			match($0, /\([0-9]+ bit key/)
			bits = substr($0, RSTART + 1, RLENGTH - 9)
			k = dir " " bits
			if ((bits == 128 || bits == 256) && (!(k in best) || cyc < best[k]))
				best[k] = cyc
		}
		END {
			for (k in best) {
				split(k, f, " ")
				printf "tcrypt_%s_gbps\tgcm%s\t%s\t%.4f\n", f[1], f[2],
					rep, 1420 * 8 / (best[k] / (mhz * 1e6)) / 1e9
				n++
			}
			exit n != 4
		}' >>"$SAMPLES" ||
		failed tcrypt gcm "not the four gcm(aes) 1420-byte lines from tcrypt"
}

load_modules() {
	local ko=$TOP/tlstun.ko deps

	modprobe -a veth geneve wireguard esp4 xfrm_user algif_aead \
		aesni_intel ghash_clmulni_intel gcm || bail "modprobe failed"
	if ! lsmod | grep -q '^tlstun '; then
		[ -f "$ko" ] || bail "$ko is not built"
		deps=$(modinfo -F depends "$ko" | tr , ' ')
		[ -n "$deps" ] && modprobe -a $deps
		insmod "$ko" || bail "insmod $ko failed"
	fi
}

# profile CFG: a system-wide perf profile (cpu-clock, call graphs) of one
# TCP 1-stream run through CFG, top symbols to $VM_OUT/profile-CFG.txt.
# Its throughput is not a sample: perf's own overhead is in it.
profile() {
	local cfg=$1 data=$TEST_TMP/perf-$1.data

	log "profiling tcp1 through $cfg"
	perf record -q -a -g -e cpu-clock -F 499 -o "$data" -- \
		iperf3 -c "$(peer_dst "$cfg")" -p $IPERF_PORT -t "$BENCH_TIME" \
		>/dev/null 2>&1 || { failed profile "$cfg" "perf record failed"; return 1; }
	{
		echo "# perf report: tcp1 through $cfg, ${BENCH_TIME}s, all CPUs"
		perf report -i "$data" --no-children --sort sym --stdio -g none \
			--percent-limit 0.5 2>/dev/null | grep -v '^$'
		# cpu-clock samples cannot land while interrupts are off
		# (no NMI in the guest); they land where they come back on.
		# Who turned them back on says where that time went.
		echo "# callers of _raw_spin_unlock_irqrestore"
		perf report -i "$data" --no-children --sort sym --stdio \
			-S _raw_spin_unlock_irqrestore -g graph,2,callee \
			2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 80
	} >"$VM_OUT/profile-$cfg.txt"
}

# What the report says about the guest; bash reads, no execs.
guest_info() {
	local line kver model= cpus=0

	read -r kver </proc/sys/kernel/osrelease
	while IFS= read -r line; do
		case "$line" in
		processor*) cpus=$((cpus + 1)) ;;
		"model name"*) model=${line#*: } ;;
		esac
	done </proc/cpuinfo
	info kernel "$kver"
	info cpus "$cpus"
	info cpu_model "$model"
	info iperf3 "$(iperf3 --version | head -n 1)"
}

# rotate N WORDS...: the words, starting from the (N mod count)-th.
rotate() {
	local n=$1
	shift
	local -a w=("$@")
	local i k=${#w[@]}

	for ((i = 0; i < k; i++)); do
		printf '%s ' "${w[(i + n) % k]}"
	done
}

main() {
	local t0=$SECONDS cfg rep test ns order

	log "loading modules"
	load_modules
	# Namespaces made from now on inherit this: no IPv6 in them at all.
	sysctl -qw net.core.devconf_inherit_init_net=1 \
		net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	guest_info
	# The calibrated TSC rate: "Refined TSC clocksource calibration: X
	# MHz" if the kernel refined it, else "Detected X MHz".
	TSC_MHZ=$(dmesg | sed -n -e 's/.*tsc: Refined.*: \([0-9.]*\) MHz.*/\1/p' \
		-e 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	[ -n "$TSC_MHZ" ] || bail "no TSC frequency in the kernel log"
	info tsc_mhz "$TSC_MHZ"
	info settings "reps=$BENCH_REPS time=$BENCH_TIME omit=$BENCH_OMIT" \
		"rr=$BENCH_RR alg=$BENCH_ALG ttfp=$BENCH_TTFP" \
		"rekeys=$BENCH_REKEYS memdev=$BENCH_MEMDEV"

	# Memory first, on a quiet kernel.
	log "memory per device and per SA ($BENCH_MEMDEV devices)"
	control_memory
	log "memory done at $((SECONDS - t0)) s"

	log "setting up: $PEER_CONFIGS"
	peers_setup $PEER_CONFIGS || bail "cannot set up the configurations"
	for cfg in $PEER_CONFIGS; do
		ns=$(peer_ns "$cfg")
		bg ip netns exec "$ns" iperf3 -s -p $IPERF_PORT --forceflush \
			>"$TEST_TMP/iperf3-$cfg.log" 2>&1
		bg ip netns exec "$ns" udprr -c $RR_CPU server $RR_PORT \
			2>"$TEST_TMP/udprr-$cfg.log"
	done
	for cfg in $PEER_CONFIGS; do
		wait_log "$TEST_TMP/iperf3-$cfg.log" 'Server listening' 30 \
			>/dev/null || bail "iperf3 does not listen in $cfg"
		wait_log "$TEST_TMP/udprr-$cfg.log" 'listening' 30 \
			>/dev/null || bail "udprr does not listen in $cfg"
	done
	log "setup took $((SECONDS - t0)) s"

	# Under TCG the first packets down a code path pay for translating
	# it; a short transfer on each configuration, not counted.
	for cfg in $PEER_CONFIGS; do
		udprr client "$(peer_dst "$cfg")" $RR_PORT 50 >/dev/null ||
			failed warmup "$cfg" "no reply through $cfg"
		iperf3 -c "$(peer_dst "$cfg")" -p $IPERF_PORT \
			-n 2M >/dev/null 2>&1 || failed warmup "$cfg" "iperf3 failed"
	done
	log "warm-up done at $((SECONDS - t0)) s"

	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		order=$(rotate $((rep - 1)) $PEER_CONFIGS)
		for test in $TESTS; do
			for cfg in $order; do
				run_test "$test" "$cfg" "$rep"
			done
		done
		run_alg "$rep"
		run_tcrypt "$rep"
		log "repetition $rep done at $((SECONDS - t0)) s"
	done

	# Counters for the report, which checks that every tunnel carried the
	# traffic (and, for tlstun, opened all of it) and lists the drops:
	# every device's, tlstun's own by reason, ESP's SAs.
	ip -s -j link show >"$VM_OUT/links-client.json"
	for cfg in $PEER_CONFIGS; do
		ip -n "$(peer_ns "$cfg")" -s -j link show \
			>"$VM_OUT/links-$cfg-server.json"
	done
	ip -n "$(peer_ns esp)" -s xfrm state >"$VM_OUT/xfrm-esp-server.txt"
	for cfg in tt128 tt256; do
		tlstun -s -j link show "$cfg" >"$VM_OUT/stats-$cfg-client.json"
		ip netns exec "$(peer_ns "$cfg")" tlstun -s -j link show tt0 \
			>"$VM_OUT/stats-$cfg-server.json"
	done

	for cfg in ${BENCH_PROFILE:-}; do
		profile "$cfg"
	done

	log "control plane: daemon start to first packet, rekeys"
	control_daemons
	info guest_seconds "$((SECONDS - t0))"
	log "done in $((SECONDS - t0)) s"
	return $FAILED
}

main
