#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print a ptraudit report (CSV, gzip or plain) as a readable table.

usage: show-report.py REPORT [EXTRA_COLUMN...]
Shows ip, verdict, flags, ptr and banner_host, plus any extra columns named.
"""
import csv
import gzip
import io
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    raw = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))
    cols = sys.argv[2:] + ["ip", "verdict", "flags", "ptr", "smtp_status", "banner_host"]
    width = {c: min(42, max([len(c)] + [len(r.get(c) or "") for r in rows])) for c in cols}
    def line(vals):
        return "  ".join(v[:width[c]].ljust(width[c]) for c, v in zip(cols, vals)).rstrip()
    print(line(cols))
    print(line(["-" * width[c] for c in cols]))
    for r in rows:
        print(line([r.get(c) or "" for c in cols]))


if __name__ == "__main__":
    main()
