#!/usr/bin/env python3
"""scripts/bench/compare.py - accuracy of a ptraudit report against the
expectations written by genzone.py (or by testnet-expect, see below).

  compare.py EXPECTED.csv REPORT.csv[.gz] [--json]

EXPECTED.csv has the columns ip,verdict,iprev,flags,ptr_status (flags
space-separated, order-free); any of the four value columns may be "*" to
accept anything.  The report is read with the csv module (gzip if the name
ends in .gz; every member of a multi-member gzip file).  An address is
correct when it has exactly one report row and all four columns agree.

Prints one line "correct N of M; wrong W; missing X; extra Y; duplicate D"
and up to 10 examples of each kind of error; with --json prints a JSON
object instead.  Exit status 0 when every expected address is correct and
there is nothing extra, else 1.
"""
import csv
import gzip
import io
import json
import sys

FIELDS = ("verdict", "iprev", "flags", "ptr_status")


def norm_flags(s):
    return " ".join(sorted(s.split()))


def open_text(path):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8",
                                errors="replace", newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    as_json = "--json" in sys.argv[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    exp = {}
    with open(args[0], newline="") as f:
        for row in csv.DictReader(f):
            exp[row["ip"]] = row
    seen = {}
    extra, dup = [], []
    with open_text(args[1]) as f:
        for row in csv.DictReader(f):
            ip = row.get("ip", "")
            if ip not in exp:
                extra.append(ip)
                continue
            if ip in seen:
                dup.append(ip)
                continue
            seen[ip] = row
    wrong, missing = [], []
    by_kind = {}
    correct = 0
    for ip, e in exp.items():
        r = seen.get(ip)
        if r is None:
            missing.append(ip)
            continue
        bad = []
        for k in FIELDS:
            want = e[k]
            got = r.get(k, "")
            if k == "flags":
                want, got = norm_flags(want), norm_flags(got)
            if want != "*" and want != got:
                bad.append("%s=%r (want %r)" % (k, got, want))
        if bad:
            wrong.append("%s: %s" % (ip, ", ".join(bad)))
            key = "%s/%s -> %s/%s" % (e["verdict"], e["ptr_status"],
                                      r.get("verdict"), r.get("ptr_status"))
            by_kind[key] = by_kind.get(key, 0) + 1
        else:
            correct += 1
    res = {"expected": len(exp), "correct": correct, "wrong": len(wrong),
           "missing": len(missing), "extra": len(extra), "duplicate": len(dup),
           "wrong_kinds": by_kind}
    if as_json:
        print(json.dumps(res, sort_keys=True))
    else:
        print("correct %d of %d; wrong %d; missing %d; extra %d; duplicate %d"
              % (correct, len(exp), len(wrong), len(missing), len(extra), len(dup)))
        for title, lst in (("wrong", wrong), ("missing", missing),
                           ("extra", extra), ("duplicate", dup)):
            for x in lst[:10]:
                print("  %s: %s" % (title, x))
        for k, n in sorted(by_kind.items()):
            print("  kind %s: %d" % (k, n))
    ok = correct == len(exp) and not extra and not dup
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
