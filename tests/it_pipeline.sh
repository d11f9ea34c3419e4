#!/bin/bash
# SPDX-License-Identifier: MIT
# it_pipeline.sh - the whole pipeline against testnet's scenario block:
# every DNS scenario (127.64.0.0/27) and every SMTP scenario (127.64.C.0),
# compared with the hand-written rows in tests/expected/ (written from the
# scenario table in tests/testnet.md, not from ptraudit's output).  Also:
# --ordered keeps input order, the SMTP peer never saw a byte before the
# greeting ended, --ehlo adds ehlo_host, and --format jsonl.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"
CHECK="$TOP/tests/knot/report_check.py"

start_testnet --smtp-net 127.64.0.0/20
R=(-r "127.0.0.1:$DNS" --smtp-port "$SMTP" --dns-timeout 500 --smtp-timeout 1500 --rate 0
   --fail-on never -q)

# rcheck: run report_check.py and count its verdict lines.
rcheck() {
  local n=0 st name detail
  while IFS=$'\t' read -r st name detail; do
    n=$((n + 1))
    if [ "$st" = ok ]; then ok "$name"; else not_ok "$name" "$detail"; fi
  done < <(python3 "$CHECK" "$@" 2>&1)
  [ "$n" -gt 0 ] || not_ok "report_check.py $1 produced no result"
}

"$PTRAUDIT" "${R[@]}" --ordered -o dns.csv.gz 127.64.0.0/27; rc=$?
check "DNS scenarios: exit 0 (--fail-on never)" 0 "$rc"
zcat dns.csv.gz > dns.csv
rcheck report dns dns.csv "$TOP/tests/expected/testnet-dns.csv"
check "--ordered: rows in input order" \
  "$(seq 0 31 | sed 's/^/127.64.0./' | tr '\n' ' ')" \
  "$(zcat dns.csv.gz | tail -n +2 | cut -d, -f1 | tr '\n' ' ')"

smtp_targets=()
for c in $(seq 1 15); do smtp_targets+=("127.64.$c.0"); done
"$PTRAUDIT" "${R[@]}" -o smtp.csv "${smtp_targets[@]}"; rc=$?
check "SMTP scenarios: exit 0" 0 "$rc"
rcheck report smtp smtp.csv "$TOP/tests/expected/testnet-smtp.csv"

# EHLO, only when asked; its reply's first word lands in ehlo_host.
"$PTRAUDIT" "${R[@]}" --ehlo scanner.ptraudit.test -o ehlo.csv 127.64.0.0 127.64.3.0
check "--ehlo: header gains ehlo_host after the fixed columns" \
  "ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,smtp_tries,greeting_ms,ehlo_host" \
  "$(head -n 1 ehlo.csv)"
check "--ehlo: 2xx greeting gets EHLO, host recorded" "mail-eaaaaa.pass.tn.test" \
  "$(grep '^127.64.0.0,' ehlo.csv | awk -F, '{print $NF}')"
check "--ehlo: 554 greeting gets no EHLO (QUIT only)" "" \
  "$(grep '^127.64.3.0,' ehlo.csv | awk -F, '{print $NF}')"
"$PTRAUDIT" "${R[@]}" --ehlo localhost -o - 127.64.0.0 >/dev/null 2>&1
check "--ehlo must be an FQDN: exit 2" 2 "$?"

# What the SMTP peer saw over all the runs above.
kill -USR1 "${_PIDS[0]}"; sleep 0.3
stats=$(cat "$SCRATCH/testnet.stats" 2>/dev/null)
check "testnet: no client spoke before the greeting ended" "smtp_pregreet 0" \
  "$(grep '^smtp_pregreet ' <<<"$stats")"
check "testnet: exactly one EHLO (the --ehlo run's 2xx greeting only)" "smtp_ehlo 1" \
  "$(grep '^smtp_ehlo ' <<<"$stats")"
check "testnet: no command other than EHLO and QUIT" "smtp_other_cmd 0" \
  "$(grep '^smtp_other_cmd ' <<<"$stats")"

# JSON lines: same fields, one object per line (ptr is an array).
"$PTRAUDIT" "${R[@]}" --format jsonl --no-smtp -o rows.jsonl 127.64.0.0 127.64.0.14
out=$(python3 - rows.jsonl <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
by = {r["ip"]: r for r in rows}
print(len(rows), by["127.64.0.0"]["verdict"], " ".join(by["127.64.0.0"]["ptr"]),
      " ".join(by["127.64.0.14"]["ptr"]), by["127.64.0.14"]["smtp_status"])
PY
)
check "--format jsonl: objects with the report's fields" \
  '2 ok mail-eaaaaa.pass.tn.test mail-eaaaao.odd.tn.test we"ird,eaaaao.odd.tn.test skipped' "$out"

finish
