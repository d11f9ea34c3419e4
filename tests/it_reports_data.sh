#!/bin/bash
# SPDX-License-Identifier: MIT
# it_reports_data.sh - reports as data: JSON lines typed and valid against
# docs/report.schema.json (which is `ptraudit schema`), values checked
# against tests/testnet.md written out by hand, the inventory prefix,
# summary/merge/diff on JSON lines (plain and gzip) giving what they give
# on CSV, REPORT.meta.json for a complete, a sharded and an interrupted
# run, and the README's jq examples.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

command -v jq >/dev/null || { not_ok "jq is installed (scripts/deps)"; finish; }
python3 -c 'import jsonschema' 2>/dev/null || { not_ok "python3-jsonschema is installed (scripts/deps)"; finish; }

start_testnet --smtp-any
R=(-r "127.0.0.1:$DNS" --smtp-port "$SMTP" --dns-timeout 500 --smtp-timeout 1500 -q --fail-on never)

# --- the schema file is the program's -----------------------------------------
"$PTRAUDIT" schema > schema.json
check "docs/report.schema.json is 'ptraudit schema'" "" "$(diff schema.json "$TOP/docs/report.schema.json")"
python3 - "$TOP/docs/report.schema.json" <<'PY' > check.txt 2>&1
import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))
print("ok")
PY
check "the schema is a valid draft 2020-12 schema" "ok" "$(cat check.txt)"

# --- typed values -----------------------------------------------------------------
# 127.64.0.0 pass, .1 nxdomain, .5 multi, .8 servfail (DNS scenarios);
# 127.64.14.0: DNS 0, SMTP 14 (binary greeting 00 ff fe); a bad IP cell.
cat > inv.csv <<'CSV'
ip,verdict,owner,inv_verdict
127.64.0.0,mine,alice,x1
127.64.0.1,mine,bob,x2
127.64.0.5,,carol,x3
127.64.0.8,,dave,x4
127.64.14.0,,erin,x5
not-an-ip,,frank,x6
CSV
"$PTRAUDIT" "${R[@]}" --format jsonl -i inv.csv -o r.jsonl 2>/dev/null
check "jsonl run: exit 0" 0 $?
"$PTRAUDIT" "${R[@]}" -i inv.csv -o r.csv 2>/dev/null
check "csv run: exit 0" 0 $?
row() { jq -c --arg ip "$1" "select(.ip == \$ip) | $2" r.jsonl; }
check "pass: ptr array" '["mail-eaaaaa.pass.tn.test"]' "$(row 127.64.0.0 .ptr)"
check "pass: forward array" '["127.64.0.0"]' "$(row 127.64.0.0 .forward)"
check "pass: flags empty array" '[]' "$(row 127.64.0.0 .flags)"
check "pass: smtp_code a number" '220 number' "$(row 127.64.0.0 '"\(.smtp_code) \(.smtp_code|type)"' | tr -d '"')"
check "pass: smtp_tries 1, greeting_ms a number" '1 number' "$(row 127.64.0.0 '"\(.smtp_tries) \(.greeting_ms|type)"' | tr -d '"')"
check "pass: expected null (no expect column)" 'null' "$(row 127.64.0.0 .expected)"
check "nxdomain: ptr [] (none), forward null (no name checked)" '[] null' "$(row 127.64.0.1 '"\(.ptr) \(.forward)"' | tr -d '"')"
check "nxdomain: flags, iprev" '["NO_PTR"] "permerror"' "$(row 127.64.0.1 '.flags, .iprev' | paste -sd' ')"
check "multi: two names" '["a-eaaaaf.multi.tn.test","b-eaaaaf.multi.tn.test"]' "$(row 127.64.0.5 .ptr)"
check "servfail: ptr null (no answer), status servfail" 'null "servfail"' "$(row 127.64.0.8 '.ptr, .ptr_status' | paste -sd' ')"
check "servfail: PTR_TEMPERROR" '["PTR_TEMPERROR"]' "$(row 127.64.0.8 '[.flags[] | select(. == "PTR_TEMPERROR")]')"
check "binary greeting: raw JSON text, NUL as \\u0000, bytes ff fe as U+FFFD" \
  "\"mail-eaaoaa.pass.tn.test \\u0000$(printf '\xef\xbf\xbd\xef\xbf\xbd') ok\"" "$(row 127.64.14.0 .banner)"
check "csv keeps the cell escapes for it" 'mail-eaaoaa.pass.tn.test \x00\xff\xfe ok' \
  "$(grep '^127.64.14.0,' r.csv | cut -d, -f11)"
check "invalid row: nulls where not applicable" \
  '{"verdict":"invalid","iprev":null,"ptr_status":null,"ptr":null,"smtp_code":null,"smtp_tries":null,"flags":[]}' \
  "$(row not-an-ip '{verdict, iprev, ptr_status, ptr, smtp_code, smtp_tries, flags}')"
# A formula-looking inventory cell is raw in JSON, guarded in CSV.
printf 'ip,note\n127.64.0.0,=1+2\n' > f.csv
"$PTRAUDIT" "${R[@]}" --format jsonl -i f.csv -o f.jsonl 2>/dev/null
"$PTRAUDIT" "${R[@]}" -i f.csv -o f2.csv 2>/dev/null
check "no spreadsheet guard inside JSON" '"=1+2"' "$(jq -c .note f.jsonl)"
check "the guard stays in CSV" "'=1+2" "$(tail -n 1 f2.csv | awk -F, '{print $NF}')"

# --- inventory prefix -----------------------------------------------------------
check "csv header: inventory columns prefixed, none twice" \
  "ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,smtp_tries,greeting_ms,inv_verdict,owner,inv_inv_verdict" \
  "$(head -n 1 r.csv)"
check "csv header: no duplicate name" "" "$(head -n 1 r.csv | tr , '\n' | sort | uniq -d)"
check "jq .verdict is the report's, .inv_verdict the inventory's" 'ok mine x1' \
  "$(row 127.64.0.0 '"\(.verdict) \(.inv_verdict) \(.inv_inv_verdict)"' | tr -d '"')"

# --- every line valid against the schema ---------------------------------------
cat > validate.py <<'PY'
import gzip, json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
n = bad = 0
for path in sys.argv[2:]:
    op = gzip.open if path.endswith(".gz") else open
    for line in op(path, "rt", encoding="utf-8"):
        n += 1
        for e in v.iter_errors(json.loads(line)):
            bad += 1
            print(path, n, e.message)
print("%d lines, %d errors" % (n, bad))
PY
"$PTRAUDIT" "${R[@]}" --format jsonl --ehlo probe.example.test -o all.jsonl.gz 127.64.0.0/27 127.64.14.0 2>/dev/null
python3 validate.py "$TOP/docs/report.schema.json" r.jsonl f.jsonl all.jsonl.gz > v.txt 2>&1
check "every JSON line validates against docs/report.schema.json" "40 lines, 0 errors" "$(tail -n 1 v.txt)"

# --- summary, merge, diff read JSON lines ------------------------------------------
gzip -k r.jsonl
# The binary greeting is the one cell whose text differs (U+FFFD in JSON);
# summary/merge/diff compare everything else.
for f in r.csv r.jsonl r.jsonl.gz; do "$PTRAUDIT" summary "$f" 2>&1 | tail -n +2 > "sum.$f.txt"; echo "rc=$?" >> "sum.$f.txt"; done
check "summary: JSON lines = CSV" "" "$(diff sum.r.csv.txt sum.r.jsonl.txt)"
check "summary: gzip JSON lines = CSV" "" "$(diff sum.r.csv.txt sum.r.jsonl.gz.txt)"
check_contains "summary read every row" "invalid           1" "$(cat sum.r.jsonl.gz.txt)"
"$PTRAUDIT" diff r.csv r.jsonl.gz > d.csv 2> d.err
check "diff CSV -> gzip JSON lines: exit 0" 0 $?
check_contains "diff: everything unchanged" "unchanged 6" "$(cat d.err)"
"$PTRAUDIT" diff r.jsonl r.csv > /dev/null 2> d2.err
check_contains "diff JSON lines -> CSV: everything unchanged" "unchanged 6" "$(cat d2.err)"
"$PTRAUDIT" merge -q -o m1.csv r.csv
"$PTRAUDIT" merge -q -o m2.csv r.jsonl.gz
cols() { python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    for k in ("checked_at", "greeting_ms", "banner"): r.pop(k)
    print(sorted(r.items()))' "$1"; }
check "merge: the same rows from JSON lines as from CSV" "" "$(diff <(cols m1.csv) <(cols m2.csv))"
"$PTRAUDIT" merge -q -o m3.jsonl.gz r.csv r.jsonl
check "merge to *.jsonl.gz writes gzip JSON lines" "6" "$(zcat m3.jsonl.gz | jq -c .ip | wc -l)"
python3 validate.py "$TOP/docs/report.schema.json" m3.jsonl.gz > v2.txt 2>&1
check "merged JSON lines validate" "6 lines, 0 errors" "$(tail -n 1 v2.txt)"
"$PTRAUDIT" merge -q --format jsonl -o - r.csv > m4.out
check "merge --format jsonl -o -" "{" "$(head -c 1 m4.out)"
head -n 2 r.jsonl > bad.jsonl
head -n 1 r.jsonl | sed 's/"owner":/"own":/' >> bad.jsonl
"$PTRAUDIT" summary bad.jsonl > /dev/null 2> bad.err
check "a bad JSON line: exit 2" 2 $?
check_contains "the error names file, line and field" "bad.jsonl:3: field 'own' is not in the first line" "$(cat bad.err)"
printf '{"ip":"127.64.0.0","verdict":"ok","flags":[]}\n{"ip":"x","verdict":{"a":1},"flags":[]}\n' > bad2.jsonl
"$PTRAUDIT" summary bad2.jsonl > /dev/null 2> bad2.err
check_contains "a nested value: file, line and field" "bad2.jsonl:2: field 'verdict': nested object" "$(cat bad2.err)"
head -c -1 r.jsonl > cut.jsonl
"$PTRAUDIT" summary cut.jsonl > /dev/null 2> cut.err
check "a JSON report cut short: exit 2" 2 $?
"$PTRAUDIT" summary --allow-truncated cut.jsonl > cut.out 2>&1
check_contains "--allow-truncated reads the complete rows" "rows: 5," "$(cat cut.out)"

# --- run metadata ------------------------------------------------------------------
"$PTRAUDIT" "${R[@]}" --format jsonl -i inv.csv -o meta.jsonl.gz 2>/dev/null
M=meta.jsonl.gz.meta.json
check "complete run: metadata beside the report" "yes" "$([ -f $M ] && echo yes)"
check "complete: completed, exit status, report, checkpoint, format" \
  "true 0 $SCRATCH/meta.jsonl.gz null jsonl" \
  "$(jq -r '"\(.completed) \(.exit_status) \(.report) \(.checkpoint) \(.format)"' $M)"
check "complete: schema and program versions" "2 true" \
  "$(jq -r '"\(.schema_version) \(.ptraudit_version | test("^[0-9]+\\.[0-9]+\\.[0-9]+"))"' $M)"
check "complete: rows and verdicts" '6 {"ok":2,"warn":1,"unknown":1,"fail":1,"invalid":1,"skipped":0}' \
  "$(jq -c '.rows, .verdicts' $M | paste -sd' ')"
check "complete: resolvers, effective options" "[\"127.0.0.1:$DNS\"] 500 never jsonl inv.csv" \
  "$(jq -c '.resolvers, .options.dns_timeout_ms, .options.fail_on, .options.format, .options.inventory' $M | tr -d '"' | sed 's/^\[/["/; s/\]$/"]/' | paste -sd' ')"
check "complete: argv" "--format" "$(jq -r '.argv[12]' $M)"
check_match "complete: times RFC 3339 UTC" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z [0-9-]+T[0-9:]+Z$' \
  "$(jq -r '"\(.started_at) \(.ended_at)"' $M)"
"$PTRAUDIT" "${R[@]}" --shard 2/2 -o shard2.csv 127.64.0.0/29 2>/dev/null
check "shard: its own metadata, with the shard" '"2/2" true 4' \
  "$(jq -c '.options.shard, .completed, .rows' shard2.csv.meta.json | paste -sd' ')"
"$PTRAUDIT" "${R[@]}" -o - 127.64.0.0 > /dev/null 2>&1
check "-o -: no metadata file" "" "$(ls -A | grep -e '^-' -e stdout || true)"
# Interrupted: SIGTERM while most targets are left.
"$PTRAUDIT" "${R[@]}" --rate 20 -o cut.csv.gz 127.64.1.0/24 2>/dev/null &
P=$!
sleep 1.5
kill -TERM $P
wait $P
check "SIGTERM: exit 143" 143 $?
M=cut.csv.gz.meta.json
check "interrupted: completed false, exit status 143" "false 143" "$(jq -r '"\(.completed) \(.exit_status)"' $M)"
check "interrupted: report is the partial file, checkpoint named" \
  "$SCRATCH/cut.csv.gz.partial cut.csv.gz.checkpoint" "$(jq -r '"\(.report) \(.checkpoint)"' $M)"
check "interrupted: rows = the partial report's rows" "$(($(zcat cut.csv.gz.partial | wc -l) - 1))" "$(jq .rows $M)"
check "interrupted: no final report" "no" "$([ -e cut.csv.gz ] && echo yes || echo no)"

# --- the README's examples ---------------------------------------------------------
# (README.md, "Reports as data"; the same commands)
cp r.jsonl report.jsonl && gzip -k report.jsonl && cp meta.jsonl.gz.meta.json report.jsonl.gz.meta.json
check "README: jq failing addresses" "127.64.0.1" \
  "$(zcat report.jsonl.gz | jq -r 'select(.verdict == "fail") | .ip' | sort)"
check "README: jq addresses with a flag" "127.64.0.5" \
  "$(zcat report.jsonl.gz | jq -r 'select(.flags | index("MULTI_PTR")) | .ip')"
check "README: jq counts per verdict" '{"fail":1,"invalid":1,"ok":2,"unknown":1,"warn":1}' \
  "$(zcat report.jsonl.gz | jq -sc 'group_by(.verdict) | map({(.[0].verdict): length}) | add')"
check "README: jq metadata gate" "ok" \
  "$(jq -e '.completed and .exit_status <= 1' report.jsonl.gz.meta.json >/dev/null && echo ok)"
finish
