#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""suite2zone.py - turn the openspf RFC 7208 test suite (YAML) into testnet
zone files and ptraudit inventories, one pair per scenario.

Usage: suite2zone.py SUITE.yml OUTDIR

For scenario number K (1-based, in file order) it writes OUTDIR/KK.zone
(testnet --zone-file format, tests/testnet.md "Zone files") and OUTDIR/KK.csv
with the columns ip,sender,helo,expect,explanation,test (expect: the
acceptable results joined with "|"), plus OUTDIR/scenarios.txt
("KK<TAB>description" lines).  Serve one with
`testnet --dns-port 0 --zone-only --zone-file OUTDIR/KK.zone`.

The zone data follows the suite's own driver (pyspf's testspf.py):
- `SPF: x` is published as type 99 and, unless the name lists TXT records
  (or `TXT: NONE`), also as TXT;
- `TXT: NONE` publishes nothing; a list value is one record of several
  character-strings (an empty list: one empty string);
- `TIMEOUT` makes queries time out for every type without a record listed
  before it; records listed after it are never reached, so they are left out.
The file is read as Latin-1; bytes outside printable ASCII are written as
\\DDD escapes, strings longer than 255 bytes are split by testnet.
"""
import csv
import os
import sys

import yaml


def quote(s):
    out = []
    for ch in s.encode("latin-1"):
        if ch == 0x22 or ch == 0x5C:
            out.append("\\" + chr(ch))
        elif 0x20 <= ch < 0x7F:
            out.append(chr(ch))
        else:
            out.append("\\%03d" % ch)
    return '"' + "".join(out) + '"'


def name(s):
    s = str(s)
    if s in ("", "."):
        return "."
    out = []
    for ch in s.encode("latin-1"):
        if ch <= 0x20 or ch >= 0x7F or ch in (0x22, 0x5C):
            out.append("\\%03d" % ch)
        else:
            out.append(chr(ch))
    return "".join(out)


def strings(v):
    if isinstance(v, list):
        return [str(x) for x in v] or [""]
    return [str(v)]


def zone_lines(zonedata):
    lines = []
    for owner, recs in zonedata.items():
        own = name(owner)
        explicit_txt = any(isinstance(r, dict) and "TXT" in r for r in recs)
        out, spf = [], []
        for r in recs:
            if r == "TIMEOUT":
                break
            if not isinstance(r, dict) or len(r) != 1:
                raise ValueError("%s: unexpected record %r" % (owner, r))
            (t, v), = r.items()
            if v == "NONE":
                continue
            if t in ("TXT", "SPF"):
                data = " ".join(quote(x) for x in strings(v))
                out.append("%s %s %s" % (own, t, data))
                if t == "SPF":
                    spf.append("%s TXT %s" % (own, data))
            elif t == "MX":
                out.append("%s MX %d %s" % (own, int(v[0]), name(v[1])))
            elif t in ("A", "AAAA", "PTR", "CNAME", "NS"):
                out.append("%s %s %s" % (own, t, v if t in ("A", "AAAA") else name(v)))
            else:
                raise ValueError("%s: unsupported type %s" % (owner, t))
        if not explicit_txt:
            out.extend(spf)
        if "TIMEOUT" in recs:
            out.append("%s TIMEOUT" % own)
        lines.extend(out)
    return lines


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: suite2zone.py SUITE.yml OUTDIR\n")
        return 2
    with open(sys.argv[1], encoding="latin-1") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    os.makedirs(sys.argv[2], exist_ok=True)
    index = []
    for k, doc in enumerate(docs, 1):
        base = os.path.join(sys.argv[2], "%02d" % k)
        with open(base + ".zone", "w", encoding="ascii", newline="\n") as z:
            z.write("# %s (rfc7208-tests.yml scenario %d)\n" % (doc["description"], k))
            for line in zone_lines(doc.get("zonedata") or {}):
                z.write(line + "\n")
        with open(base + ".csv", "w", encoding="latin-1", newline="") as c:
            w = csv.writer(c, lineterminator="\n")
            w.writerow(["ip", "sender", "helo", "expect", "explanation", "test"])
            for tname, t in doc["tests"].items():
                res = t["result"]
                res = res if isinstance(res, list) else [res]
                w.writerow([t["host"], t.get("mailfrom", ""), t.get("helo", ""),
                            "|".join(res), t.get("explanation", ""), tname])
        index.append("%02d\t%s" % (k, doc["description"]))
    with open(os.path.join(sys.argv[2], "scenarios.txt"), "w") as f:
        f.write("\n".join(index) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
