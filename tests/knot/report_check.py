#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/knot/report_check.py - compare a ptraudit CSV report, or the
smtpd.py connection log, with hand-written expectations.  Standard library
only.  Prints one result per line, tab-separated, for tests/it_knot.sh:
    ok<TAB>NAME
    FAIL<TAB>NAME<TAB>DETAIL

report LABEL ACTUAL.csv EXPECTED.csv
    EXPECTED.csv is the hand-written report: its header must equal the
    report's header exactly, its rows are matched to the report's rows by
    the first column (ip), and each report row must hold exactly the
    expected rows' ips, once each.  Both are parsed with the csv module, so
    the writer's quoting choices do not matter.  An expected cell is
    compared exactly, except:
        *        anything (the contract leaves this cell open)
        @ts      an RFC 3339 UTC time: ^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$
        ~REGEX   the whole cell matches REGEX (re.fullmatch)

smtplog LABEL LOG [ADDR=COUNT ...]
    Every connection in LOG (written by tests/smtpd.py) must have sent
    nothing before the final greeting line, and then exactly "QUIT".  Each
    ADDR=COUNT says how many connections ADDR must have had.
"""

import csv
import json
import re
import sys

TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def out(ok, name, detail=""):
    if ok:
        print("ok\t%s" % name)
    else:
        print("FAIL\t%s\t%s" % (name, detail.replace("\t", " ").replace("\n", " ")))


def cell_ok(exp, act):
    if exp == "*":
        return True
    if exp == "@ts":
        return TS.fullmatch(act) is not None
    if exp.startswith("~"):
        return re.fullmatch(exp[1:], act) is not None
    return exp == act


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f, strict=True))


def report(label, actual_path, expected_path):
    try:
        actual = read_csv(actual_path)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        out(False, "%s: report is readable CSV" % label, str(e))
        return
    expected = read_csv(expected_path)
    out(True, "%s: report is readable CSV" % label)
    if not actual:
        out(False, "%s: header" % label, "empty report")
        return
    ehdr, ahdr = expected[0], actual[0]
    out(ehdr == ahdr, "%s: header" % label,
        "expected %s, got %s" % (",".join(ehdr), ",".join(ahdr)))

    rows = {}
    problems = []
    for n, row in enumerate(actual[1:], start=2):
        if len(row) != len(ahdr):
            problems.append("record %d has %d fields, header %d: %r"
                            % (n, len(row), len(ahdr), row))
            continue
        if row[0] in rows:
            problems.append("ip %r reported twice" % row[0])
        rows[row[0]] = row
    want = [r[0] for r in expected[1:]]
    extra = sorted(set(rows) - set(want))
    if extra:
        problems.append("unexpected rows for %s" % " ".join(extra))
    out(not problems and len(actual) - 1 == len(want),
        "%s: %d rows, one per target" % (label, len(want)),
        "; ".join(problems) or "got %d rows" % (len(actual) - 1))

    for erow in expected[1:]:
        ip = erow[0]
        arow = rows.get(ip)
        if arow is None:
            out(False, "%s: row %s" % (label, ip), "missing")
            continue
        diffs = []
        for i, name in enumerate(ehdr):
            act = arow[i] if i < len(arow) else "<absent>"
            if not cell_ok(erow[i], act):
                diffs.append("%s: expected %r, got %r" % (name, erow[i], act))
        out(not diffs, "%s: row %s" % (label, ip), "; ".join(diffs))


def smtplog(label, path, counts):
    recs = []
    try:
        with open(path, encoding="utf-8") as f:
            recs = [json.loads(l) for l in f if l.strip()]
    except OSError:
        pass
    for spec in counts:
        addr, _, n = spec.partition("=")
        got = sum(1 for r in recs if r["addr"] == addr)
        out(got == int(n), "%s: %s connections to %s" % (label, n, addr),
            "got %d" % got)
    early = ["%s sent %r" % (r["addr"], r["pregreet_bytes"]) for r in recs if r["pregreet"]]
    out(not early, "%s: client never spoke before the final greeting line (%d sessions)"
        % (label, len(recs)), "; ".join(early))
    bad = ["%s got %r" % (r["addr"], r["lines"]) for r in recs if r["lines"] != ["QUIT"]]
    out(not bad, "%s: client sent exactly QUIT after each greeting" % label, "; ".join(bad))


def main(argv):
    if len(argv) >= 5 and argv[1] == "report":
        report(argv[2], argv[3], argv[4])
    elif len(argv) >= 4 and argv[1] == "smtplog":
        smtplog(argv[2], argv[3], argv[4:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
