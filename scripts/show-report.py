#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print a ptraudit report (CSV, gzip or plain) as a readable table.

usage: show-report.py REPORT [EXTRA_COLUMN...]
       show-report.py REPORT --only COLUMN...
Shows ip, verdict, flags, ptr, smtp_status and banner_host, plus any extra
columns named first (with --only: exactly the columns named); every row;
cells wider than 42 characters end in "~".
"""
import csv
import gzip
import io
import os
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    raw = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))
    if sys.argv[2:3] == ["--only"]:
        cols = sys.argv[3:]
    else:
        cols = sys.argv[2:] + ["ip", "verdict", "flags", "ptr", "smtp_status", "banner_host"]
    width = {c: min(42, max([len(c)] + [len(r.get(c) or "") for r in rows])) for c in cols}
    def cut(v, w):
        # A cell wider than its column ends in "~" so a cut is never silent.
        return v if len(v) <= w else v[:w - 1] + "~"
    def line(vals):
        return "  ".join(cut(v, width[c]).ljust(width[c]) for c, v in zip(cols, vals)).rstrip()
    print(line(cols))
    print(line(["-" * width[c] for c in cols]))
    for r in rows:
        print(line([r.get(c) or "" for c in cols]))


if __name__ == "__main__":
    try:
        main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as cat does.  Point
        # stdout at /dev/null so the interpreter's final flush cannot fail
        # again and print a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
