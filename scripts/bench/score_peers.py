#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scripts/bench/score_peers.py - accuracy of the peers' answers for the bench.

  score_peers.py adns EXPECTED.csv OUTPUT [ADDRESSES]
  score_peers.py nmap EXPECTED.csv OUTPUT.gnmap [ADDRESSES]
  score_peers.py nmapbanner CIDR OUTPUT.nmap

EXPECTED.csv is genzone.py's (columns ip,...,iprev,...,ptr).  ADDRESSES (one
per line) restricts the check to a slice; default: every expected address.

adns: OUTPUT is `adnshost -Fi` output for `-i ADDR` (adns's "ptr" type, which
  checks that the PTR name's A record points back).  Correct means: iprev
  pass -> a PTR line with the expected name; permerror -> "nxdomain";
  fail (mismatch, no forward) -> "inconsistent".
nmap: OUTPUT is `nmap -sL -oG` output.  nmap resolves PTR only, with no
  forward confirmation, so correct means: the name nmap shows equals the
  expected PTR name (none for the no-PTR addresses).  This is a weaker test
  than the FCrDNS verdict checked for ptraudit and adnshost.

nmapbanner: OUTPUT is `nmap --script banner` normal output (-oN) for testnet's
  clean block, where tests/testnet.md (and src/testnet/scenario.h) give
  every address 127.x.y.z the greeting "220 mail-L.pass.tn.test ESMTP
  testnet", L being the low 24 bits as six letters a..p, one per nibble.
  Correct means: that exact banner line for the address.

Prints one JSON object: {"expected": N, "correct": C, "missing": M,
"wrong": W, "examples": [...]}.
"""
import csv
import ipaddress
import json
import re
import sys


def rev_to_ip(owner):
    p = owner.rstrip(".").split(".")
    return ".".join(reversed(p[:4]))


def tn_label(ip):
    v = int(ipaddress.IPv4Address(ip)) & 0xFFFFFF
    return "".join(chr(ord("a") + ((v >> s) & 15)) for s in range(20, -4, -4))


def nmap_banner(cidr, out_path):
    net = ipaddress.IPv4Network(cidr)
    got, host = {}, None
    with open(out_path, errors="replace") as f:
        for line in f:
            m = re.match(r"^Nmap scan report for (\S+)", line)
            if m:
                host = m.group(1)
                continue
            m = re.match(r"^\|_banner: (.*)$", line.rstrip("\n"))
            if m and host:
                got[host] = m.group(1)
    correct = wrong = missing = 0
    examples = []
    for a in net:
        ip = str(a)
        want = "220 mail-%s.pass.tn.test ESMTP testnet" % tn_label(ip)
        g = got.get(ip)
        if g is None:
            missing += 1
        elif g == want:
            correct += 1
        else:
            wrong += 1
            if len(examples) < 5:
                examples.append("%s: got %r, want %r" % (ip, g, want))
    print(json.dumps({"expected": net.num_addresses, "correct": correct,
                      "wrong": wrong, "missing": missing, "examples": examples},
                     sort_keys=True))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "nmapbanner":
        nmap_banner(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("adns", "nmap"):
        sys.exit(__doc__)
    kind, exp_path, out_path = sys.argv[1:4]
    exp = {}
    with open(exp_path, newline="") as f:
        for row in csv.DictReader(f):
            exp[row["ip"]] = row
    if len(sys.argv) == 5:
        with open(sys.argv[4]) as f:
            want = [l.strip() for l in f if l.strip()]
    else:
        want = list(exp)
    got = {}
    with open(out_path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if kind == "adns":
                m = re.match(r"^(\S+)\s+PTR\s+(\S+)$", line)
                if m:
                    got[rev_to_ip(m.group(1))] = ("pass", m.group(2).rstrip(".").lower())
                    continue
                m = re.match(r"^; failed \S+ \d+ (\S+) (\S+)", line)
                if m:
                    got[rev_to_ip(m.group(2))] = (m.group(1), "")
            else:
                m = re.match(r"^Host: (\S+) \(([^)]*)\)", line)
                if m:
                    got[m.group(1)] = ("name", m.group(2).rstrip(".").lower())
    correct = wrong = missing = 0
    examples = []
    for ip in want:
        e = exp[ip]
        g = got.get(ip)
        if g is None:
            missing += 1
            continue
        if kind == "adns":
            ok = {"pass": g == ("pass", e["ptr"]),
                  "permerror": g[0] == "nxdomain",
                  "fail": g[0] == "inconsistent"}.get(e["iprev"], False)
        else:
            ok = g[1] == e["ptr"]
        if ok:
            correct += 1
        else:
            wrong += 1
            if len(examples) < 5:
                examples.append("%s: got %s, want %s %s" % (ip, g, e["iprev"], e["ptr"]))
    print(json.dumps({"expected": len(want), "correct": correct, "wrong": wrong,
                      "missing": missing, "examples": examples}, sort_keys=True))


if __name__ == "__main__":
    main()
