#!/bin/bash
# SPDX-License-Identifier: MIT
# it_senders.sh - the sender checks against testnet (tests/testnet.md,
# "Blocklist zone bl.tn.test" and "Sender records"): blocklist outcomes
# (listed, not listed, error codes, invalid answers, timeout, SERVFAIL,
# IPv6 nibbles), a list that answers only error codes is dropped with one
# warning, --dnsbl-file, SPF and DMARC of the demo inventory's senders,
# --spf-domain for blocks, the answer cache (queries per row), errors for
# bad options.  Every expectation is written by hand from tests/testnet.md.
# Loopback only; --no-smtp.
# Prints "N passed, N failed"; exits 0 when nothing failed, else 1.
source "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || { not_ok "python3 installed (scripts/deps)"; finish; }
[ -x "$TESTNET" ] && [ -x "$PTRAUDIT" ] || { not_ok "ptraudit and testnet built (run make)"; finish; }
testnet_start tn --dns-port 0
R="-r 127.0.0.1:$(testnet_key tn dns_port)"

# col FILE IP COLUMN: the cell of COLUMN in the row of IP (CSV report; the
# formula guard's leading ' removed, as cell.h documents it)
col() {
  python3 - "$@" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline='')):
    if r['ip'] == sys.argv[2]:
        v = r.get(sys.argv[3], '<no column>')
        print(v[1:] if v.startswith("'") else v)
PY
}

# ---------------------------------------------------------------- blocklists
O=$SCRATCH/bl.csv
# shellcheck disable=SC2086
"$PTRAUDIT" 127.64.0.0/27 2001:db8::2 2001:db8::3 127.0.0.2 127.0.0.1 --no-smtp $R \
  --dns-timeout 300 --dns-tries 1 --dnsbl bl.tn.test --dnsbl-txt -q -o "$O" --fail-on never
check "dnsbl run: exit 0" 0 $?
b() { check "dnsbl $1: $2" "$3" "$(col "$O" "$1" "$2")"; }
b 127.64.0.0 dnsbl ""
b 127.64.0.0 flags ""
b 127.64.0.2 dnsbl "bl.tn.test=127.0.0.2"
b 127.64.0.2 dnsbl_txt "bl.tn.test: listed: see http://bl.tn.test/lookup?ip=127.64.0.2"
b 127.64.0.3 dnsbl "bl.tn.test=127.0.0.4"
b 127.64.0.4 dnsbl "bl.tn.test=127.0.0.2,127.0.0.4"
b 127.64.0.5 dnsbl "bl.tn.test=127.0.0.2"
b 127.64.0.5 dnsbl_txt ""
b 127.64.0.24 dnsbl "bl.tn.test=error:invalid:127.0.0.1"
b 127.64.0.25 dnsbl "bl.tn.test=error:invalid:192.0.2.1"
b 127.64.0.26 dnsbl "bl.tn.test=error:timeout"
b 127.64.0.27 dnsbl "bl.tn.test=error:servfail"
b 127.64.0.28 dnsbl "bl.tn.test=error:127.255.255.252"
b 127.64.0.29 dnsbl "bl.tn.test=error:127.255.255.255"
b 127.64.0.30 dnsbl "bl.tn.test=error:127.255.255.254"
b 127.64.0.31 dnsbl ""
b 2001:db8::2 dnsbl "bl.tn.test=127.0.0.2"
b 2001:db8::3 dnsbl "bl.tn.test=127.0.0.4"
b 127.0.0.2 dnsbl "bl.tn.test=127.0.0.2"
b 127.0.0.1 dnsbl ""
# flags and verdicts: a listing fails, an unknown answer is unknown
check_contains "listed: DNSBL_LISTED" DNSBL_LISTED "$(col "$O" 127.64.0.2 flags)"
check "listed: verdict fail" fail "$(col "$O" 127.64.0.2 verdict)"
check "error code: flags" "DNSBL_ERROR" "$(col "$O" 127.64.0.30 flags | grep -o DNSBL_ERROR)"
check "error code, nothing else wrong: unknown" unknown "$(col "$O" 127.64.0.30 verdict)"
check "error code never counts as a listing" "" "$(col "$O" 127.64.0.28 flags | grep -o DNSBL_LISTED)"

# A list answering only error codes: dropped after 100 answers, one warning,
# later rows "error:stopped", the run goes on.
# 304 addresses whose last octet is 30 mod 32 (127.255.255.254 on bl.tn.test)
for x in $(seq 0 37); do for y in 30 62 94 126 158 190 222 254; do echo "127.64.$x.$y"; done
done > "$SCRATCH/errs.txt"
# shellcheck disable=SC2086
"$PTRAUDIT" "@$SCRATCH/errs.txt" --no-smtp $R --dnsbl bl.tn.test -c 4 --rate 0 \
  -o "$SCRATCH/errs.csv" --fail-on never 2>"$SCRATCH/errs.err"
check "error list: exit 0" 0 $?
check "error list: one warning" 1 "$(grep -c 'blocklist bl.tn.test: .*no longer asked' "$SCRATCH/errs.err")"
stopped=$(grep -c 'bl.tn.test=error:stopped' "$SCRATCH/errs.csv")
check_ge "error list: later rows say stopped" 150 "$stopped"
check "error list: every row reported" 305 "$(wc -l < "$SCRATCH/errs.csv")"

# --dnsbl-file: lists with labels, comments; errors name file, line, field
printf '# lists\nbl.tn.test  tnbl\n\n' > "$SCRATCH/lists"
# shellcheck disable=SC2086
"$PTRAUDIT" 127.64.0.4 --no-smtp $R --dnsbl-file "$SCRATCH/lists" -q -o "$SCRATCH/f.csv" --fail-on never
check "dnsbl-file: label in the cell" "tnbl=127.0.0.2,127.0.0.4" "$(col "$SCRATCH/f.csv" 127.64.0.4 dnsbl)"
printf 'bl.tn.test\nbad..zone\n' > "$SCRATCH/badlists"
err=$("$PTRAUDIT" 127.64.0.4 --no-smtp -r 127.0.0.1:9 --dnsbl-file "$SCRATCH/badlists" -q -o "$SCRATCH/x.csv" 2>&1)
check "dnsbl-file error: exit 2" 2 $?
check_contains "dnsbl-file error: file and line" "$SCRATCH/badlists:2:" "$err"
err=$("$PTRAUDIT" 127.64.0.4 --no-smtp -r 127.0.0.1:9 --dnsbl 'no zone' -q -o "$SCRATCH/x.csv" 2>&1)
check "--dnsbl bad zone: exit 2" 2 $?
err=$("$PTRAUDIT" 127.64.0.4 --no-smtp -r 127.0.0.1:9 --dnsbl-txt -q -o "$SCRATCH/x.csv" 2>&1)
check "--dnsbl-txt alone: exit 2" 2 $?

# summary and the HTML page count listings per list (7 listed: .2 .3 .4 .5,
# 2001:db8::2, ::3, 127.0.0.2; 7 unknown: .24 to .30)
sum=$("$PTRAUDIT" summary "$O" 2>&1)
check_match "summary: listings per list" "bl\.tn\.test +7 +7" "$sum"
"$PTRAUDIT" summary --html "$SCRATCH/bl.html" "$O" >/dev/null 2>&1
check_match "html: the blocklist table" '<td>bl\.tn\.test</td><td class="n">7</td><td class="n">7</td>' \
  "$(cat "$SCRATCH/bl.html" 2>/dev/null)"

# -------------------------------------------------------------- SPF, DMARC
I=$SCRATCH/inv.csv
# shellcheck disable=SC2086
"$PTRAUDIT" -i "$TOP/samples/inventory.csv" --no-smtp $R --dns-timeout 300 --dns-tries 1 \
  -q -o "$I" --fail-on never 2>/dev/null
check "inventory run: exit 0" 0 $?
s() { check "$1 $2" "$3" "$(col "$I" "$1" "$2")"; }
s 127.64.0.0 spf pass;        s 127.64.0.0 dmarc "p=reject"
s 127.64.0.1 spf pass;        s 127.64.0.1 dmarc "p=reject"  # from brightwater.test
s 127.64.0.3 spf pass;        s 127.64.0.3 dmarc "p=quarantine sp=none"
s 127.64.0.4 spf softfail;    s 127.64.0.4 spf_detail "~all"
s 127.64.0.5 spf pass;        s 127.64.0.5 dmarc "p=none"
s 127.64.0.6 spf none;        s 127.64.0.6 dmarc "none"
s 127.64.0.7 spf pass;        s 127.64.0.7 spf_detail "mx"
s 127.64.0.8 spf temperror
s 127.64.0.10 spf permerror
s 127.64.0.11 spf neutral;    s 127.64.0.11 dmarc "p=quarantine"
s 127.64.0.15 spf fail
s 127.64.0.15 spf_detail "127.64.0.15 is not one of juniper.test's designated mail servers."
s 127.64.3.31 spf fail;       s 127.64.3.31 spf_detail "-all"
s 127.64.5.0 spf "";          s 127.64.5.0 dmarc ""
s 127.64.10.0 spf pass
s 127.64.8.0 spf pass;        s 127.64.8.0 spf_detail "ptr:pass.tn.test"
s 127.64.7.0 spf softfail;    s 127.64.7.0 dmarc "none"
s 127.64.6.0 spf pass;        s 127.64.6.0 dmarc ""          # HELO only: no sender domain
s 127.64.0.31 spf permerror
s 127.64.4.0 spf pass;        s 127.64.4.0 spf_detail "exists:%{i}.allow.umber-oak.test"
check_contains "DMARC invalid: cell" "invalid: " "$(col "$I" 127.64.0.7 dmarc)"
check_contains "DMARC invalid: flag" DMARC_INVALID "$(col "$I" 127.64.0.7 flags)"
check_contains "DMARC missing: flag" DMARC_MISSING "$(col "$I" 127.64.0.6 flags)"
check_contains "SPF none: flag" SPF_NONE "$(col "$I" 127.64.0.6 flags)"
check_contains "SPF temperror: flag" SPF_TEMPERROR "$(col "$I" 127.64.0.8 flags)"
check_contains "SPF fail: flag" SPF_FAIL "$(col "$I" 127.64.0.15 flags)"
check "SPF fail: verdict" fail "$(col "$I" 127.64.0.15 verdict)"
check "SPF pass, DMARC p=reject, PTR pass: ok" ok "$(col "$I" 127.64.1.0 verdict)"

# JSON lines: typed; null where no sender
# shellcheck disable=SC2086
"$PTRAUDIT" -i "$TOP/samples/inventory.csv" --no-smtp $R --dns-timeout 300 --dns-tries 1 \
  -q --format jsonl -o "$SCRATCH/inv.jsonl" --fail-on never 2>/dev/null
j=$(python3 - "$SCRATCH/inv.jsonl" <<'PY'
import json, sys
rows = {r['ip']: r for r in map(json.loads, open(sys.argv[1]))}
print(rows['127.64.5.0']['spf'], rows['127.64.5.0']['dmarc'], rows['127.64.3.31']['spf_detail'])
PY
)
check "jsonl: null without a sender, raw text" "None None -all" "$j"

# --spf-domain on a block; the cache: the domain's records are asked once
# shellcheck disable=SC2086
before=$(testnet_stat tn dns_q_other)
# shellcheck disable=SC2086
"$PTRAUDIT" 127.96.0.0/24 127.96.200.0/28 127.64.5.0 --spf-domain sender10.tn.test --no-smtp $R \
  -q -o "$SCRATCH/d.csv" --fail-on never
after=$(testnet_stat tn dns_q_other)
check "--spf-domain: pass (first include)" pass "$(col "$SCRATCH/d.csv" 127.96.0.7 spf)"
check "--spf-domain: pass (second include)" "include:_spf2.sender10.tn.test" \
  "$(col "$SCRATCH/d.csv" 127.96.200.7 spf_detail)"
check "--spf-domain: fail outside" fail "$(col "$SCRATCH/d.csv" 127.64.5.0 spf)"
check "--spf-domain: DMARC" "p=reject" "$(col "$SCRATCH/d.csv" 127.96.0.7 dmarc)"
# TXT sender5, _spf1, _spf2, _dmarc.sender5: 4 questions for 273 rows
check "cache: 273 rows, 4 SPF/DMARC queries" 4 "$((after - before))"

# diff knows the sender flags: the same inventory without the blocklist,
# then with it: 127.64.2.30 goes from ok to unknown (DNSBL_ERROR): worse
# shellcheck disable=SC2086
"$PTRAUDIT" -i "$TOP/samples/inventory.csv" --no-smtp $R --dns-timeout 300 --dns-tries 1 \
  --dnsbl bl.tn.test -q -o "$SCRATCH/inv-bl.csv" --fail-on never 2>/dev/null
"$PTRAUDIT" diff "$I" "$SCRATCH/inv-bl.csv" -o "$SCRATCH/d.diff.csv" >/dev/null 2>&1
check "diff: a new blocklist error is worse: exit 1" 1 $?
check_match "diff: the row" "127\.64\.2\.30,.*worse" "$(grep '127.64.2.30' "$SCRATCH/d.diff.csv")"

# an explicit column that does not exist: usage error
err=$("$PTRAUDIT" -i "$TOP/samples/inventory.csv" --sender-column nope --no-smtp -r 127.0.0.1:9 -q -o "$SCRATCH/x.csv" 2>&1)
check "--sender-column absent: exit 2" 2 $?
check_contains "--sender-column absent: message" 'no column "nope"' "$err"
finish
