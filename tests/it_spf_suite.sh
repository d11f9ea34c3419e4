#!/bin/bash
# SPDX-License-Identifier: MIT
# it_spf_suite.sh - the openspf.org RFC 7208 test suite (tests/spf/, release
# 2014.04, with its licence) run end to end: each scenario's zone data is
# served by testnet (--zone-only --zone-file, converted by
# tests/spf/suite2zone.py), and ptraudit evaluates every test of the scenario
# as an inventory row (ip, sender, helo) through its real pipeline: c-ares,
# the DNS stage, the answer cache and core/spf.  Each row's `spf` must be
# among the test's acceptable results, and a fail's explanation, when the
# suite gives one, must be the `spf_detail`.  DNS only: --no-smtp, and every
# query goes to testnet on loopback.
# Prints "N passed, N failed"; exits 0 when nothing failed, else 1.
source "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || { not_ok "python3 installed (scripts/deps)"; finish; }
python3 -c 'import yaml' 2>/dev/null || { not_ok "python3-yaml installed (scripts/deps)"; finish; }
[ -x "$TESTNET" ] && [ -x "$PTRAUDIT" ] || { not_ok "ptraudit and testnet built (run make)"; finish; }

S=$SCRATCH/suite
python3 "$TOP/tests/spf/suite2zone.py" "$TOP/tests/spf/rfc7208-tests.yml" "$S" >/dev/null ||
  { not_ok "suite2zone.py converts the suite"; finish; }
total=0
for zone in "$S"/*.zone; do
  k=$(basename "$zone" .zone)
  testnet_start "s$k" --dns-port 0 --zone-only --zone-file "$zone"
  port=$(testnet_key "s$k" dns_port)
  # TIMEOUT names never answer: a short timeout keeps the suite quick.
  "$PTRAUDIT" -i "$S/$k.csv" --no-smtp -r "127.0.0.1:$port" --dns-timeout 300 --dns-tries 1 \
    --ordered -q --fail-on never --format jsonl -o "$S/$k.out.jsonl" 2>"$S/$k.err"
  rc=$?
  check "scenario $k: ptraudit exit 0" 0 "$rc"
  [ "$rc" -eq 0 ] || { sed -n 1,5p "$S/$k.err"; continue; }
  # One line per test: "ok NAME" or "FAIL NAME: why".
  while IFS= read -r line; do
    total=$((total + 1))
    case "$line" in
    ok\ *) ok "$k/${line#ok }" ;;
    *) not_ok "$k/${line#FAIL }" ;;
    esac
  done < <(python3 - "$S/$k.csv" "$S/$k.out.jsonl" <<'PY'
import csv, json, re, sys
tests = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
# JSON lines: the raw text (no CSV formula guard), null for "no sender"
rows = [json.loads(l) for l in open(sys.argv[2], encoding='utf-8')]
# The suite's "DEFAULT" explanation is the evaluator's own text, i.e. the
# record gave none: ptraudit's detail is then the deciding term.
term = re.compile(r'^[-~?+]?(all|include|a|mx|ptr|ip4|ip6|exists)\b|^default$')
if len(rows) != len(tests):
    print("FAIL rows: %d tests, %d report rows" % (len(tests), len(rows)))
for t, r in zip(tests, rows):
    want = t['expect'].split('|')
    got = r.get('spf', '<no spf column>')
    detail = r.get('spf_detail') or ''
    name = t['test']
    if got not in want:
        print("FAIL %s: spf %s, expected %s (%s)" % (name, got, t['expect'], detail))
    elif t['explanation'] == 'DEFAULT' and got == 'fail' and not term.match(detail):
        print("FAIL %s: explanation %r, expected none (the deciding term)" % (name, detail))
    elif t['explanation'] not in ('', 'DEFAULT') and got == 'fail' and detail != t['explanation']:
        print("FAIL %s: explanation %r, expected %r" % (name, detail, t['explanation']))
    else:
        print("ok %s" % name)
PY
)
done
# The copy holds 177 tests (tests/spf/README of the shared suite): all ran.
check "every test of the suite ran" 177 "$total"
finish
