#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's report: tables of absolute figures and of ratios.

    /usr/bin/python3 tools/bench/report.py build/bench

Reads DIR/vm/samples.tsv (written by tools/bench/guest.sh in the VM) and
DIR/host.tsv (tools/bench.sh, on the host), both lines of

    METRIC <tab> CONFIG <tab> REP <tab> VALUE
    info <tab> KEY <tab> - <tab> TEXT
    fail <tab> METRIC <tab> CONFIG <tab> REASON

and prints the report as Markdown, which it also writes to DIR/report.md,
with every number behind it in DIR/report.json.

Each figure is the median over the repetitions with the spread (min-max)
beside it. A ratio is taken within each repetition first (tlstun and its
peer measured minutes apart in the same boot) and then summarised the same
way, so drift between repetitions cancels out of it. Exits 1 when the
samples say a measurement failed.
"""

import json
import os
import re
import statistics
import sys

CONFIGS = ["raw", "geneve", "tt128", "tt256", "wg", "esp"]
NAMES = {
    "raw": "raw veth",
    "geneve": "Geneve",
    "tt128": "tlstun 128",
    "tt256": "tlstun 256",
    "wg": "WireGuard",
    "esp": "ESP GCM-128",
}
SUITES = {"tt128": "gcm128", "tt256": "gcm256"}
# The server side's tunnel device (peers.sh), and how many
# packets it must have received: the warm-up alone sends more.
SERVER_DEV = {"raw": "veth0", "geneve": "gnv0", "tt128": "tt0",
              "tt256": "tt0", "wg": "wg0"}
MIN_OPENED = 1000
PEERS = ["geneve", "wg", "esp"]

# Derived datapath metrics: key, label, unit.
DATAPATH = [
    ("tcp1_mbps", "TCP, 1 stream", "Mbit/s"),
    ("tcp4_mbps", "TCP, 4 streams", "Mbit/s"),
    ("udp64_kpps", "UDP 64 B, received", "kpps"),
    ("udp1400_kpps", "UDP 1400 B, received", "kpps"),
    ("udp1400_mbps", "UDP 1400 B, received payload", "Mbit/s"),
    ("lat_p50_us", "UDP round trip p50", "us"),
    ("lat_p99_us", "UDP round trip p99", "us"),
    ("udp64_lost_pct", "UDP 64 B, lost", "%"),
    ("udp1400_lost_pct", "UDP 1400 B, lost", "%"),
    ("udp64_tx_kpps", "UDP 64 B, sent", "kpps"),
    ("udp1400_tx_kpps", "UDP 1400 B, sent", "kpps"),
    ("tcp1_retrans", "TCP, 1 stream, retransmitted", "segments"),
    ("tcp4_retrans", "TCP, 4 streams, retransmitted", "segments"),
]
# Rows compared with the crypto ceiling, and the payload Mbit/s they use.
CEILING_FROM = {"tcp1_mbps": "tcp1_mbps", "tcp4_mbps": "tcp4_mbps",
                "udp1400_kpps": "udp1400_mbps"}
# tlstun -s -j counters that count packets lost, one per drop reason.
DROP_KEYS = {"rx_vni_mismatch", "rx_auth_fail", "rx_replay", "rx_too_short",
             "rx_sa_expired", "rx_dev_down", "rx_nomem", "rx_ecn",
             "rx_queue_full",
             "tx_no_sa", "tx_sa_exhausted", "tx_no_route", "tx_nomem",
             "tx_error", "tx_too_big", "port_malformed", "port_unknown_spi",
             "rx_dropped", "tx_dropped"}
RATIO_METRICS = ["tcp1_mbps", "tcp4_mbps", "udp64_kpps", "udp1400_kpps",
                 "lat_p50_us", "lat_p99_us"]


def read_samples(path):
    raw, info, fails = {}, {}, []
    if not os.path.exists(path):
        return raw, info, fails
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            a, b, c, d = parts
            if a == "info":
                info[b] = d
            elif a == "fail":
                fails.append({"metric": b, "config": c, "reason": d})
            else:
                try:
                    raw.setdefault(a, {}).setdefault(b, {})[c] = float(d)
                except ValueError:
                    fails.append({"metric": a, "config": b,
                                  "reason": "bad value %r" % d})
    return raw, info, fails


def derive(raw):
    """Per metric, config and repetition: the figures of the tables."""
    out = {}

    def put(metric, cfg, rep, value):
        out.setdefault(metric, {}).setdefault(cfg, {})[rep] = value

    def each(metric):
        for cfg, reps in raw.get(metric, {}).items():
            for rep, v in reps.items():
                yield cfg, rep, v

    for t in ("tcp1", "tcp4"):
        for cfg, rep, v in each(t + "_r_bits_per_second"):
            put(t + "_mbps", cfg, rep, v / 1e6)
        for cfg, rep, v in each(t + "_s_retransmits"):
            put(t + "_retrans", cfg, rep, v)
    for t, size in (("udp64", 64), ("udp1400", 1400)):
        for cfg, rep, b in each(t + "_r_bytes"):
            secs = raw.get(t + "_r_seconds", {}).get(cfg, {}).get(rep)
            if secs:
                pps = b / size / secs
                put(t + "_kpps", cfg, rep, pps / 1e3)
                if size == 1400:
                    put("udp1400_mbps", cfg, rep, pps * size * 8 / 1e6)
        for cfg, rep, v in each(t + "_r_lost_percent"):
            put(t + "_lost_pct", cfg, rep, v)
        for cfg, rep, n in each(t + "_s_packets"):
            secs = raw.get(t + "_s_seconds", {}).get(cfg, {}).get(rep)
            if secs:
                put(t + "_tx_kpps", cfg, rep, n / secs / 1e3)
    for m in ("lat_p50_us", "lat_p99_us", "rr_tps"):
        for cfg, rep, v in each(m):
            put(m, cfg, rep, v)
    # The ceiling: the slower of sealing and opening, each on a CPU of its
    # own; the serial ceiling: both, one after the other, on one CPU.
    for src in ("tcrypt", "alg"):
        for cfg, rep, enc in each(src + "_enc_gbps"):
            dec = raw.get(src + "_dec_gbps", {}).get(cfg, {}).get(rep)
            put(src + "_enc_gbps", cfg, rep, enc)
            if dec is not None:
                put(src + "_dec_gbps", cfg, rep, dec)
                put(src + "_ceiling_gbps", cfg, rep, min(enc, dec))
                put(src + "_serial_gbps", cfg, rep,
                    1 / (1 / enc + 1 / dec))
    return out


def summary(values):
    v = sorted(values)
    if not v:
        return None
    return {"median": statistics.median(v), "min": v[0], "max": v[-1],
            "n": len(v), "values": values}


def pct(values, p):
    """Nearest-rank percentile."""
    v = sorted(values)
    rank = max(1, -(-len(v) * p // 100))
    return v[int(rank) - 1]


def fmt(x):
    if x is None:
        return "-"
    a = abs(x)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    if a >= 1:
        return "%.2f" % x
    return "%.3f" % x


def cell(s, spread=True):
    if not s:
        return "-"
    if not spread or s["n"] == 1:
        return fmt(s["median"])
    return "%s [%s-%s]" % (fmt(s["median"]), fmt(s["min"]), fmt(s["max"]))


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" if i == 0 else "--:"
                            for i in range(len(head))) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    return lines


def paired(a, b, fn):
    """fn(a[rep], b[rep]) for each repetition both have."""
    return [fn(a[r], b[r]) for r in sorted(a) if r in b and b[r]]


def vm_json(d, prefix):
    """(name, data) of each DIR/vm/PREFIX<name>.json that parses."""
    vm = os.path.join(d, "vm")
    if not os.path.isdir(vm):
        return
    for f in sorted(os.listdir(vm)):
        if f.startswith(prefix) and f.endswith(".json"):
            data = read_json(os.path.join(vm, f))
            if data is not None:
                yield f[len(prefix):-len(".json")], data


def tlstun_drops(d):
    """Non-zero drop counters of each tlstun device side."""
    out = {}
    for side, data in vm_json(d, "stats-"):
        found = {}

        def walk(o):
            if isinstance(o, dict):
                for k, v in o.items():
                    if isinstance(v, (dict, list)):
                        walk(v)
                    elif isinstance(v, int) and not isinstance(v, bool) \
                            and v and k in DROP_KEYS:
                        found[k] = found.get(k, 0) + v
            elif isinstance(o, list):
                for v in o:
                    walk(v)
        walk(data)
        if found:
            out[side] = found
    return out


def read_json(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def esp_opened(path):
    """Packets of ESP SA 0x1001 (client to server) from ip -s xfrm state."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    spi = None
    for i, line in enumerate(lines):
        if line.startswith("src "):
            spi = None
        if "spi 0x00001001" in line:
            spi = True
        if spi and "lifetime current:" in line and i + 1 < len(lines):
            m = re.search(r"(\d+)\(packets\)", lines[i + 1])
            if m:
                return int(m.group(1))
    return None


def traffic_check(d):
    """Per configuration: packets its server side's tunnel received."""
    vm = os.path.join(d, "vm")
    out = {}
    for c in CONFIGS:
        if c == "esp":
            n = esp_opened(os.path.join(vm, "xfrm-esp-server.txt"))
        else:
            links = read_json(os.path.join(vm, "links-%s-server.json" % c))
            n = None
            for link in links or []:
                if link.get("ifname") == SERVER_DEV[c]:
                    n = link.get("stats64", {}).get("rx", {}).get("packets")
        if n is not None:
            out[c] = n
    return out


def link_drops(d):
    """Devices whose standard counters show drops or errors."""
    out = {}
    for side, links in vm_json(d, "links-"):
        for link in links:
            st = link.get("stats64", {})
            bad = {"%s_%s" % (dr, k): v
                   for dr in ("rx", "tx")
                   for k, v in st.get(dr, {}).items()
                   if k in ("dropped", "errors", "over_errors") and v}
            if bad:
                out["%s/%s" % (side, link.get("ifname"))] = bad
    return out


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("Usage: report.py DIR\n")
        return 2
    d = sys.argv[1]
    raw, info, fails = read_samples(os.path.join(d, "vm", "samples.tsv"))
    hraw, hinfo, hfails = read_samples(os.path.join(d, "host.tsv"))
    info.update(hinfo)
    fails += hfails
    der = derive(raw)

    rep = {"meta": info, "datapath": {}, "crypto": {}, "ratios": {},
           "control": {}, "memory": {}, "failures": fails}
    md = []
    mode = info.get("bench_mode", "?")
    md.append("# tlstun benchmark (%s run)" % mode)
    md.append("")
    md.append("Run of %s, tree %s, tlstun.ko sha256 %s." % (
        info.get("date", "?"), info.get("tree", "?"), info.get("module", "?")))
    md.append("")
    md.append("Guest: Linux %s, %s vCPUs (%s), QEMU TCG; gcm(aes) driver "
              "%s; TSC %s MHz. Settings: %s. Host: %s, %s CPUs, load "
              "average %s at the start. Whole run %s s, VM exit status %s."
              % (info.get("kernel", "?"), info.get("cpus", "?"),
                 info.get("cpu_model", "?"), info.get("gcm_driver", "?"),
                 info.get("tsc_mhz", "?"), info.get("settings", "?"),
                 info.get("host_cpu", "?"), info.get("host_cpus", "?"),
                 info.get("host_load", "?"), info.get("bench_seconds", "?"),
                 info.get("vm_status", "?")))
    md.append("")
    md.append("**QEMU TCG emulates every instruction, AES-NI and PCLMULQDQ "
              "included, so the absolute numbers below are far from what "
              "the same code does on hardware and are distorted unevenly "
              "(crypto, copies and syscalls are slowed by different "
              "factors). Only ratios between configurations measured in the "
              "same run mean anything.** Cells are the median over the "
              "repetitions, [min-max] beside it.")
    md.append("")

    # Datapath, absolute.
    md.append("## Datapath, absolute")
    md.append("")
    rows = []
    for key, label, unit in DATAPATH:
        per = {c: summary(list(der.get(key, {}).get(c, {}).values()))
               for c in CONFIGS}
        rep["datapath"][key] = {c: s for c, s in per.items() if s}
        if any(per.values()):
            rows.append(["%s (%s)" % (label, unit)] +
                        [cell(per[c]) for c in CONFIGS])
    md += table(["metric"] + [NAMES[c] for c in CONFIGS], rows)
    md.append("")

    # Crypto ceiling.
    md.append("## Crypto ceiling: the guest kernel's gcm(aes), one CPU, "
              "1400-1420 B")
    md.append("")
    rows = []
    for suite in ("gcm128", "gcm256"):
        r = ["AES-GCM-%s (Gbit/s)" % suite[3:]]
        for key in ("tcrypt_enc_gbps", "tcrypt_dec_gbps",
                    "tcrypt_ceiling_gbps", "tcrypt_serial_gbps",
                    "alg_enc_gbps", "alg_dec_gbps"):
            s = summary(list(der.get(key, {}).get(suite, {}).values()))
            rep["crypto"].setdefault(suite, {})[key] = s
            r.append(cell(s))
        rows.append(r)
    md += table(["", "tcrypt seal", "tcrypt open", "ceiling", "serial "
                 "ceiling", "AF_ALG seal", "AF_ALG open"], rows)
    md.append("")
    md.append("tcrypt (mode=211 sec=0): the kernel's own timing of one "
              "1420-byte gcm(aes) operation, 8 runs after 4 warm-ups, in "
              "TSC cycles; the fastest of 3 loads per repetition. AF_ALG (tools/bench/algspeed): 24 B AAD + 1400 B "
              "per sendmsg()/read() pair, fixed time, syscalls and copies "
              "included, so a lower bound. Ceiling: the slower of tcrypt's "
              "seal and open, as when each end of a tunnel has a CPU to "
              "itself. Serial ceiling: seal and open one after the other on "
              "one CPU, as when a veth pair delivers the packet inline in "
              "the sender's softirq (half the ceiling when seal and open "
              "cost the same). Both per repetition.")
    md.append("")

    # Ratios.
    md.append("## Ratios, tlstun / peer, same repetition")
    md.append("")
    md.append("Above 1 tlstun is faster for throughput and packet rates, "
              "slower for latency (lower is better there). The ceiling "
              "columns divide payload Mbit/s by the ceilings'.")
    md.append("")
    for tt in ("tt128", "tt256"):
        ceils = [("ceiling", der.get("tcrypt_ceiling_gbps", {})
                  .get(SUITES[tt], {})),
                 ("serial ceiling", der.get("tcrypt_serial_gbps", {})
                  .get(SUITES[tt], {}))]
        rows = []
        rep["ratios"][tt] = {}
        for key in RATIO_METRICS:
            label = next(lbl for k, lbl, _ in DATAPATH if k == key)
            ours = der.get(key, {}).get(tt, {})
            r = [label]
            for p in PEERS:
                s = summary(paired(ours, der.get(key, {}).get(p, {}),
                                   lambda x, y: x / y))
                rep["ratios"][tt].setdefault(key, {})[p] = s
                r.append(cell(s))
            for name, ceil in ceils:
                s = None
                if key in CEILING_FROM:
                    s = summary(paired(
                        der.get(CEILING_FROM[key], {}).get(tt, {}), ceil,
                        lambda x, y: x / (y * 1e3)))
                    rep["ratios"][tt][key][name] = s
                r.append(cell(s) if s else "")
            rows.append(r)
        md += table(["%s vs" % NAMES[tt]] + [NAMES[p] for p in PEERS] +
                    [name for name, _ in ceils], rows)
        md.append("")

    # Control plane.
    md.append("## Control plane")
    md.append("")
    rows = []
    hs = {k: v["hsbench"]["1"] for k, v in hraw.items()
          if "1" in v.get("hsbench", {})}
    rep["control"]["handshakes"] = hs
    if hs:
        rows.append(["full handshakes/s, one daemon core, accepting side "
                     "(host)", fmt(hs.get("hs_per_core_server")), "", ""])
        rows.append(["full handshakes/s, one daemon core, dialing side "
                     "(host)", fmt(hs.get("hs_per_core_client")), "", ""])
        rows.append(["full handshakes/s, both sides on one core (host)",
                     fmt(hs.get("hs_per_core_pair")), "", ""])
        rows.append(["full handshakes/s, wall clock, 2 processes, one at a "
                     "time (host)", fmt(hs.get("hs_rate")), "", ""])
        for key, label in (("per_core_server", "accepting side"),
                           ("per_core_client", "dialing side"),
                           ("per_core_pair", "both sides on one core")):
            q, t = hs.get("hs_quic_" + key), hs.get("hs_" + key)
            if q is None:
                continue
            rows.append(["QUIC full handshakes/s, one daemon core, %s "
                         "(host)" % label, fmt(q),
                         "x%.2f of TLS/TCP" % (q / t) if t else "", ""])
    for key, label in (("ttfp_ms", "dialer start to first packet (ms, VM)"),
                       ("ttfp_both_ms",
                        "first daemon start to first packet (ms, VM)"),
                       ("ttfp_quic_ms",
                        "dialer start to first packet over QUIC (ms, VM)"),
                       ("ttfp_both_quic_ms",
                        "first daemon start to first packet over QUIC "
                        "(ms, VM)"),
                       ("rekey_ms", "rekey, SIGUSR1 to both logs (ms, VM)")):
        v = list(raw.get(key, {}).get("tlstund", {}).values())
        if not v:
            continue
        s = summary(v)
        s["p99"] = pct(v, 99)
        rep["control"][key] = s
        rows.append([label, fmt(s["median"]), fmt(s["p99"]),
                     "%s-%s, n=%d" % (fmt(s["min"]), fmt(s["max"]),
                                      s["n"])])
    md += table(["figure", "median", "p99", "range"], rows)
    md.append("")
    md.append("p99 is nearest-rank: with fewer than 100 samples it is the "
              "slowest one.")
    md.append("")

    md.append("## Kernel memory (VM, %s CPUs)" % info.get("cpus", "?"))
    md.append("")
    rows = []
    for kind, what, label in (("tlstun", "dev", "tlstun device"),
                              ("tlstun", "sa", "tlstun SA"),
                              ("geneve", "dev", "Geneve device"),
                              ("wireguard", "dev", "WireGuard device")):
        sl = raw.get("mem_%s_slab_kb" % what, {}).get(kind, {})
        pc = raw.get("mem_%s_percpu_kb" % what, {}).get(kind, {})
        if not sl:
            continue
        s, p = next(iter(sl.values())), next(iter(pc.values()), None)
        rep["memory"]["%s_%s" % (kind, what)] = {"slab_kb": s,
                                                  "percpu_kb": p}
        rows.append([label, fmt(s), fmt(p)])
    md += table(["per", "slab, unreclaimable (kB)", "per-CPU (kB)"], rows)
    md.append("")

    checks = traffic_check(d)
    rep["traffic_check"] = checks
    if checks:
        md.append("Traffic check, packets each tunnel's receiving end opened "
                  "over the run (at least %d, else the run failed): %s."
                  % (MIN_OPENED, ", ".join("%s %s" % (NAMES[c], checks[c])
                                           for c in CONFIGS if c in checks)))
        md.append("")
    for c in CONFIGS:
        n = checks.get(c)
        if not isinstance(n, int) or n < MIN_OPENED:
            fails.append({"metric": "check", "config": c,
                          "reason": "the tunnel's receiver opened %s "
                                    "packets, not at least %d: the traffic "
                                    "did not go through it" % (n, MIN_OPENED)})
    for side, found in tlstun_drops(d).items():
        if found.get("rx_auth_fail"):
            fails.append({"metric": "check", "config": side,
                          "reason": "%d packets failed authentication"
                                    % found["rx_auth_fail"]})

    for key, found, what in (
            ("tlstun_counters", tlstun_drops(d),
             "tlstun's own non-zero drop counters at the end (tlstun -s "
             "link show)"),
            ("link_drops", link_drops(d),
             "Devices with drops or errors at the end (ip -s link; client = "
             "the initial namespace)")):
        rep[key] = found
        if found:
            md.append(what + ": " + "; ".join(
                "%s %s" % (k, ", ".join("%s %d" % kv
                                       for kv in sorted(v.items())))
                for k, v in sorted(found.items())) + ".")
            md.append("")
    profiles = sorted(f for f in os.listdir(os.path.join(d, "vm"))
                      if f.startswith("profile-")) \
        if os.path.isdir(os.path.join(d, "vm")) else []
    if profiles:
        md.append("Profiles: " + ", ".join("vm/" + f for f in profiles) +
                  " (perf, cpu-clock, whole guest).")
        md.append("")
    if fails:
        md.append("## FAILED")
        md.append("")
        for f in fails:
            md.append("- %s %s: %s" % (f["metric"], f["config"],
                                       f["reason"]))
        md.append("")

    text = "\n".join(md)
    print(text)
    with open(os.path.join(d, "report.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(d, "report.json"), "w", encoding="utf-8") as f:
        json.dump(rep, f, indent=1, sort_keys=True)
        f.write("\n")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
