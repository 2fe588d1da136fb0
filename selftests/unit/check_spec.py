#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/netlink/specs/tlstun.yaml and include/uapi/linux/tlstun.h
# are both written by hand; this checks they say the same thing. Every
# enum entry, attribute, command and constant of the spec becomes a C
# _Static_assert against the header's name for it, and the C compiler
# judges. Prints TAP.

import os
import subprocess
import sys
import tempfile

import yaml

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPEC = os.path.join(TOP, "Documentation/netlink/specs/tlstun.yaml")


def cname(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def asserts(spec):
    out = []
    enum_prefix = {
        "suite": "tlstun-suite-", "sa-dir": "tlstun-sa-dir-",
        "df": "tlstun-df-", "device-flags": "tlstun-device-f-",
        "sa-state": "tlstun-sa-state-", "expire-reason": "tlstun-expire-",
        "fdb-flags": "tlstun-fdb-f-",
    }
    for d in spec["definitions"]:
        if d["type"] == "const":
            out.append((cname("tlstun-", d["name"]), d["value"]))
        elif d["type"] == "enum":
            for i, e in enumerate(d["entries"]):
                out.append((cname(enum_prefix[d["name"]], e),
                            d.get("value-start", 0) + i))
        elif d["type"] == "flags":
            for i, e in enumerate(d["entries"]):
                out.append((cname(enum_prefix[d["name"]], e), 1 << i))
    for s in spec["attribute-sets"]:
        value = 0
        for a in s["attributes"]:
            value = a.get("value", value)
            out.append((cname(s["name-prefix"], a["name"]), value))
            value += 1
    value = 0
    for op in spec["operations"]["list"]:
        value = op.get("value", value)
        out.append((cname(spec["operations"]["name-prefix"], op["name"]),
                    value))
        value += 1
    return out


def main():
    print("TAP version 13")
    print("1..2")
    with open(SPEC) as f:
        spec = yaml.safe_load(f)
    ok = spec["name"] == "tlstun" and spec["mcast-groups"]["list"][0][
        "name"] == "events"
    print(("ok" if ok else "not ok") + " 1 spec names family and group")
    lines = ["#include <linux/tlstun.h>"]
    pairs = asserts(spec)
    for name, value in pairs:
        lines.append("_Static_assert(%s == %d, \"%s\");" % (name, value, name))
    with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as c:
        c.write("\n".join(lines) + "\n")
    r = subprocess.run(["gcc", "-fsyntax-only", "-std=gnu11",
                        "-I", os.path.join(TOP, "include/uapi"), c.name],
                       capture_output=True, text=True)
    os.unlink(c.name)
    if r.returncode == 0:
        print("ok 2 spec agrees with the uapi header (%d names)" % len(pairs))
    else:
        print("not ok 2 spec agrees with the uapi header")
        for line in r.stderr.splitlines()[:20]:
            print("# " + line)
    return 0 if ok and r.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
