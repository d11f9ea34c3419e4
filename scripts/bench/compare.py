#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scripts/bench/compare.py - accuracy of a ptraudit report for the bench.

  compare.py file EXPECTED.csv REPORT [--json]
  compare.py uniform CIDR REPORT COLUMN=VALUE... [--json]

file: EXPECTED.csv (written by genzone.py) has a header row naming the
  columns to check (ip first; e.g. ip,verdict,iprev,flags,ptr_status,ptr,
  forward); a value "*" accepts anything.  `flags` is compared as a set.
uniform: every address of the IPv4 CIDR must have the given values (e.g.
  verdict=ok flags= smtp_status=banner); used for testnet's clean block,
  where tests/testnet.md documents every address as a pass with a matching
  banner.  Also checks banner_host == ptr when smtp_status=banner is asked
  for.  Memory is one byte per address, so a /12 is fine.

In both modes an address is correct when it has exactly one report row and
every checked column agrees.  REPORT is read with the csv module (gzip if
the name ends in .gz, every member of a multi-member file).

Prints "correct N of M; wrong W; missing X; extra Y; duplicate D" and up to
10 examples of each error (or, with --json, one JSON object).  Exit status 0
when everything is correct and nothing is extra or duplicated, else 1.
"""
import csv
import gzip
import io
import ipaddress
import json
import sys


def norm(col, v):
    return " ".join(sorted(v.split())) if col in ("flags", "forward", "ptr") else v


def open_text(path):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8",
                                errors="replace", newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


class Tally:
    def __init__(self):
        self.correct = self.expected = 0
        self.lists = {"wrong": [], "missing": [], "extra": [], "duplicate": []}
        self.counts = {k: 0 for k in self.lists}
        self.kinds = {}

    def add(self, what, text):
        self.counts[what] += 1
        if len(self.lists[what]) < 10:
            self.lists[what].append(text)

    def check(self, ip, want, row):
        bad = []
        for col, w in want.items():
            g = row.get(col)
            if g is None:
                bad.append("%s missing" % col)
            elif w != "*" and norm(col, w) != norm(col, g):
                bad.append("%s=%r (want %r)" % (col, g, w))
        if "smtp_status" in want and want["smtp_status"] == "banner" and \
                "ptr" not in want and row.get("banner_host") != row.get("ptr"):
            bad.append("banner_host %r != ptr %r" % (row.get("banner_host"), row.get("ptr")))
        if bad:
            self.add("wrong", "%s: %s" % (ip, ", ".join(bad)))
            k = "%s/%s -> %s/%s" % (want.get("verdict"), want.get("ptr_status"),
                                    row.get("verdict"), row.get("ptr_status"))
            self.kinds[k] = self.kinds.get(k, 0) + 1
        else:
            self.correct += 1

    def report(self, as_json):
        c = self.counts
        ok = self.correct == self.expected and not c["extra"] and not c["duplicate"]
        if as_json:
            d = {"expected": self.expected, "correct": self.correct, "kinds": self.kinds}
            d.update(c)
            print(json.dumps(d, sort_keys=True))
        else:
            print("correct %d of %d; wrong %d; missing %d; extra %d; duplicate %d"
                  % (self.correct, self.expected, c["wrong"], c["missing"],
                     c["extra"], c["duplicate"]))
            for what, lst in self.lists.items():
                for x in lst:
                    print("  %s: %s" % (what, x))
            for k, n in sorted(self.kinds.items()):
                print("  kind %s: %d" % (k, n))
        return 0 if ok else 1


def mode_file(exp_path, rep_path, t):
    exp = {}
    with open(exp_path, newline="") as f:
        for row in csv.DictReader(f):
            ip = row.pop("ip")
            exp[ip] = row
    t.expected = len(exp)
    seen = set()
    with open_text(rep_path) as f:
        for row in csv.DictReader(f):
            ip = row.get("ip", "")
            if ip not in exp:
                t.add("extra", ip)
            elif ip in seen:
                t.add("duplicate", ip)
            else:
                seen.add(ip)
                t.check(ip, exp[ip], row)
    for ip in exp:
        if ip not in seen:
            t.add("missing", ip)


def mode_uniform(cidr, rep_path, pairs, t):
    net = ipaddress.IPv4Network(cidr)
    first, n = int(net.network_address), net.num_addresses
    want = {}
    for p in pairs:
        k, v = p.split("=", 1)
        want[k] = v
    t.expected = n
    seen = bytearray(n)
    with open_text(rep_path) as f:
        for row in csv.DictReader(f):
            ip = row.get("ip", "")
            try:
                i = int(ipaddress.IPv4Address(ip)) - first
            except ValueError:
                i = -1
            if not 0 <= i < n:
                t.add("extra", ip)
            elif seen[i]:
                t.add("duplicate", ip)
            else:
                seen[i] = 1
                t.check(ip, want, row)
    if t.correct + t.counts["wrong"] < n:
        for i in range(n):
            if not seen[i]:
                t.add("missing", str(ipaddress.IPv4Address(first + i)))


def main():
    as_json = "--json" in sys.argv[1:]
    a = [x for x in sys.argv[1:] if x != "--json"]
    t = Tally()
    if len(a) == 3 and a[0] == "file":
        mode_file(a[1], a[2], t)
    elif len(a) >= 3 and a[0] == "uniform":
        mode_uniform(a[1], a[2], a[3:], t)
    else:
        sys.exit(__doc__)
    sys.exit(t.report(as_json))


if __name__ == "__main__":
    main()
