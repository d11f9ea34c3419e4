#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/it_knot.sh - the built ptraudit against a real DNS server (Knot DNS,
# Debian's knot package) and a real SMTP greeting server (tests/smtpd.py).
#
# Knot serves three hand-written zones from tests/knot/ on 127.0.0.1 (a
# chosen port); tests/smtpd.py greets on 127.100.0.{1,5,6,8,9,10} (one chosen
# port).  Each assertion compares ptraudit's report with rows written out
# below by hand from the contract (README "The report"), parsed with
# python3's csv module (tests/knot/report_check.py) so the writer's quoting
# choices do not matter.  Nothing leaves the machine: SMTP only ever goes to
# 127.100.0.0/24; the 192.0.2.0/24 and 2001:db8:: addresses exist in DNS data
# only, and the IPv6 run uses --no-smtp.
#
# The cases, one per address (details in the zone files):
#   127.100.0.1   pass, matching banner                     ok
#   127.100.0.2   no PTR (NXDOMAIN), no listener            fail NO_PTR
#   127.100.0.3   PTR name without A                        fail PTR_NO_FORWARD
#   127.100.0.4   A points to 192.0.2.4                     fail FCRDNS_MISMATCH
#   127.100.0.5   two PTRs, multi-line greeting             warn MULTI_PTR
#   127.100.0.6   dyn-...pool name, 554 greeting            warn GENERIC_PTR SMTP_REJECT
#   127.100.0.7   RFC 2317 CNAME to 7.0/26..., no listener  ok (NO_SMTP is informational)
#   127.100.0.8   PTR name is a CNAME, bare-LF greeting     warn PTR_CNAME
#   127.100.0.9   A set holds ours and another; banner host
#                 differs, banner text has a quote and comma warn BANNER_MISMATCH
#   127.100.0.10  pass, "localhost" banner                  warn BANNER_MISMATCH BANNER_NOT_FQDN
#   127.100.0.11  PTR into a zone Knot does not serve: the
#                 forward lookup is REFUSED                 unknown (temperror)
#   127.100.0.12  the name exists without PTR (NODATA)      fail NO_PTR
#   127.101.0.1   outside every zone: the PTR lookup is REFUSED
#   2001:db8::/125  AAAA cases, --no-smtp

source "$(dirname "$0")/lib.sh"

KNOTDIR=$TOP/tests/knot
HEADER='ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,smtp_tries,greeting_ms'

# --- preconditions: a script that cannot run is a failure, never a skip ---
missing=
for tool in knotd kdig python3 gzip; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -x "$PTRAUDIT" ] || missing="$missing $PTRAUDIT"
if [ -n "$missing" ]; then
  not_ok "prerequisites present" "missing:$missing (scripts/deps installs knot, knot-dnsutils)"
  finish
fi

# Run ptraudit with a hard time limit so a hang fails instead of blocking CI.
# Usage: pa OUT ERR ARGS... ; sets RC.
pa() {
  local o=$1 e=$2; shift 2
  timeout -k 2 20 "$PTRAUDIT" "$@" >"$o" 2>"$e"
  RC=$?
}

# rcheck ARGS...: run tests/knot/report_check.py and turn its tab-separated
# verdicts into ok/not_ok (in this shell, not a pipeline's subshell, so the
# counts stick).  No verdict at all (the checker crashed) is a failure.
rcheck() {
  local st name detail n=0
  while IFS=$'\t' read -r st name detail; do
    n=$((n + 1))
    if [ "$st" = ok ]; then ok "$name"; else not_ok "$name" "$detail"; fi
  done < <(python3 "$KNOTDIR/report_check.py" "$@" 2>&1)
  [ "$n" -gt 0 ] || not_ok "report_check.py $1 $2 ran"
}

# --- Knot DNS ---
DNS_PORT=$(free_port) || { not_ok "free port for knotd"; finish; }
SMTP_PORT=$(free_port) || { not_ok "free port for smtpd"; finish; }
while [ "$SMTP_PORT" = "$DNS_PORT" ]; do SMTP_PORT=$(free_port); done

K=$SCRATCH/knot
mkdir -p "$K/run" "$K/db" "$K/zones"
cp "$KNOTDIR"/*.zone "$K/zones/"
sed -e "s|@DIR@|$K|g" -e "s|@PORT@|$DNS_PORT|g" "$KNOTDIR/knot.conf.in" >"$K/knot.conf"
knotd -c "$K/knot.conf" >"$K/knotd.log" 2>&1 &
track_pid $!

ZONES="knot.test 0.100.127.in-addr.arpa 0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
knot_up() {
  local z
  for z in $ZONES; do
    kdig @127.0.0.1 -p "$DNS_PORT" +time=1 +retry=0 +short SOA "$z" 2>/dev/null |
      grep -q hostmaster || return 1
  done
}
for _ in $(seq 1 50); do knot_up && break; sleep 0.1; done
if knot_up; then
  ok "knotd serves the three test zones on 127.0.0.1:$DNS_PORT"
else
  not_ok "knotd serves the three test zones on 127.0.0.1:$DNS_PORT" "$(tail -5 "$K/knotd.log")"
  finish
fi
RES=127.0.0.1:$DNS_PORT

# --- SMTP greeting server ---
SMTPLOG=$SCRATCH/smtpd.log
cat >"$SCRATCH/smtpd.json" <<EOF
{
  "port": $SMTP_PORT,
  "ready": "$SCRATCH/smtpd.ready",
  "log": "$SMTPLOG",
  "line_delay": 0.05,
  "listeners": {
    "127.100.0.1": "220 mx1.knot.test ESMTP\r\n",
    "127.100.0.5": "220-MX5B.knot.test ESMTP welcome\r\n220-no pipelining before this line\r\n220 ready\r\n",
    "127.100.0.6": "554 dyn-127-100-0-6.pool.knot.test ESMTP not accepting mail\r\n",
    "127.100.0.8": "220 alias8.knot.test ESMTP\n",
    "127.100.0.9": "220 mail.elsewhere.test ESMTP \"hi\", there\r\n",
    "127.100.0.10": "220 localhost ESMTP Postfix\r\n"
  }
}
EOF
python3 "$TOP/tests/smtpd.py" "$SCRATCH/smtpd.json" 2>"$SCRATCH/smtpd.err" &
track_pid $!
if wait_for_file "$SCRATCH/smtpd.ready" 10; then
  ok "smtpd.py listening on 127.100.0.x:$SMTP_PORT"
else
  not_ok "smtpd.py listening on 127.100.0.x:$SMTP_PORT" "$(cat "$SCRATCH/smtpd.err")"
  finish
fi

# wait_log N: wait (up to 3 s) until the SMTP log holds N sessions.
wait_log() {
  for _ in $(seq 1 30); do
    [ "$(cat "$SMTPLOG" 2>/dev/null | wc -l)" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

# --- the hand-written expected report for 127.100.0.1-127.100.0.12 ---
# forward of .5: both names give 127.100.0.5; the contract does not say
# whether the address is listed once or per name, so both forms pass.
cat >"$SCRATCH/expect-v4.csv" <<'EOF'
ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,smtp_tries,greeting_ms
127.100.0.1,ok,,pass,ok,mx1.knot.test,127.100.0.1,banner,220,mx1.knot.test,mx1.knot.test ESMTP,,@ts,1,~[1-9][0-9]*
127.100.0.2,fail,NO_PTR NO_SMTP,permerror,nxdomain,,,refused,,,,,@ts,1,
127.100.0.3,fail,PTR_NO_FORWARD NO_SMTP,fail,ok,nohost.knot.test,,refused,,,,,@ts,1,
127.100.0.4,fail,FCRDNS_MISMATCH NO_SMTP,fail,ok,mx4.knot.test,192.0.2.4,refused,,,,,@ts,1,
127.100.0.5,warn,MULTI_PTR,pass,ok,mx5a.knot.test mx5b.knot.test,~127\.100\.0\.5( 127\.100\.0\.5)?,banner,220,mx5b.knot.test,MX5B.knot.test ESMTP welcome | no pipelining before this line | ready,,@ts,1,~[1-9][0-9]*
127.100.0.6,warn,GENERIC_PTR SMTP_REJECT,pass,ok,dyn-127-100-0-6.pool.knot.test,127.100.0.6,banner,554,dyn-127-100-0-6.pool.knot.test,dyn-127-100-0-6.pool.knot.test ESMTP not accepting mail,,@ts,1,~[1-9][0-9]*
127.100.0.7,ok,NO_SMTP,pass,ok,mx7.knot.test,127.100.0.7,refused,,,,,@ts,1,
127.100.0.8,warn,PTR_CNAME,pass,ok,alias8.knot.test,127.100.0.8,banner,220,alias8.knot.test,alias8.knot.test ESMTP,,@ts,1,~[1-9][0-9]*
127.100.0.9,warn,BANNER_MISMATCH,pass,ok,mx9.knot.test,127.100.0.9 192.0.2.9,banner,220,mail.elsewhere.test,"mail.elsewhere.test ESMTP ""hi"", there",,@ts,1,~[1-9][0-9]*
127.100.0.10,warn,BANNER_MISMATCH BANNER_NOT_FQDN,pass,ok,mx10.knot.test,127.100.0.10,banner,220,localhost,localhost ESMTP Postfix,,@ts,1,~[1-9][0-9]*
127.100.0.11,unknown,PTR_TEMPERROR NO_SMTP,temperror,ok,mx11.unserved.test,,refused,,,,,@ts,1,
127.100.0.12,fail,NO_PTR NO_SMTP,permerror,nodata,,,refused,,,,,@ts,1,
EOF

# --- 1. gzip report, default --fail-on ---
A=$SCRATCH/a
mkdir "$A"
: >"$SMTPLOG"
(cd "$A" && pa "$SCRATCH/a.stdout" "$SCRATCH/a.stderr" -r "$RES" --smtp-port "$SMTP_PORT" -o out.csv.gz \
   --rate 0 -q 127.100.0.1-127.100.0.12; exit $RC)
RC=$?
check "gz run: exit 1 (fail rows, --fail-on fail)" 1 "$RC"
check "gz run: -q prints nothing on stderr" "" "$(cat "$SCRATCH/a.stderr")"
check "gz run: nothing on stdout" "" "$(cat "$SCRATCH/a.stdout")"
check "gz run: only the final report and its run metadata are left in the directory" \
  "out.csv.gz out.csv.gz.meta.json" "$(cd "$A" && ls -A | tr '\n' ' ' | sed 's/ $//')"
if gzip -t "$A/out.csv.gz" 2>"$SCRATCH/a.gzip.err"; then
  ok "gz run: gzip -t accepts the report"
else
  not_ok "gz run: gzip -t accepts the report" "$(cat "$SCRATCH/a.gzip.err")"
fi
gzip -dc "$A/out.csv.gz" >"$SCRATCH/a.csv" 2>/dev/null
check "gz run: header row" "$HEADER" "$(head -1 "$SCRATCH/a.csv")"
rcheck report "gz run" "$SCRATCH/a.csv" "$SCRATCH/expect-v4.csv"
wait_log 6
rcheck smtplog "gz run smtp" "$SMTPLOG" 127.100.0.1=1 127.100.0.5=1 127.100.0.6=1 \
  127.100.0.8=1 127.100.0.9=1 127.100.0.10=1

# --- 2. --fail-on never: same rows, exit 0 ---
B=$SCRATCH/b
mkdir "$B"
pa "$B/stdout" "$B/stderr" -r "$RES" --smtp-port "$SMTP_PORT" -o "$B/out.csv.gz" --rate 0 -q \
  --fail-on never 127.100.0.1-127.100.0.12
check "--fail-on never: exit 0" 0 "$RC"
gzip -dc "$B/out.csv.gz" >"$B/out.csv" 2>/dev/null
rcheck report "--fail-on never" "$B/out.csv" "$SCRATCH/expect-v4.csv"

# --- 3. -o - writes plain CSV on stdout, the same rows ---
C=$SCRATCH/c
mkdir "$C"
pa "$C/out.csv" "$C/stderr" -r "$RES" --smtp-port "$SMTP_PORT" -o - --rate 0 -q \
  127.100.0.1-127.100.0.12
check "-o -: exit 1" 1 "$RC"
check "-o -: stdout starts with the plain header row" "$HEADER" "$(head -1 "$C/out.csv")"
rcheck report "-o -" "$C/out.csv" "$SCRATCH/expect-v4.csv"

# --- 4. exit status by --fail-on level ---
E=$SCRATCH/e
mkdir "$E"
pa "$E/o1" "$E/e1" -r "$RES" --smtp-port "$SMTP_PORT" -o - --rate 0 -q 127.100.0.1
check "exit 0 for an ok row" 0 "$RC"
pa "$E/o2" "$E/e2" -r "$RES" --smtp-port "$SMTP_PORT" -o - --rate 0 -q 127.100.0.5
check "exit 0 for a warn row with --fail-on fail" 0 "$RC"
pa "$E/o3" "$E/e3" -r "$RES" --smtp-port "$SMTP_PORT" -o - --rate 0 -q --fail-on warn 127.100.0.5
check "exit 1 for a warn row with --fail-on warn" 1 "$RC"
pa "$E/o4" "$E/e4" -r "$RES" --smtp-port "$SMTP_PORT" -o - --rate 0 -q --fail-on warn 127.100.0.1
check "exit 0 for an ok row with --fail-on warn" 0 "$RC"

# --- 5. inventory: BOM, CRLF, quoted comma, passthrough columns, bad ip ---
I=$SCRATCH/i
mkdir "$I"
{
  printf '\xef\xbb\xbfcustomer,ip,expected_ptr,notes\r\n'
  printf '"Acme Mail, EU",127.100.0.1,*.knot.test,"primary, EU"\r\n'
  printf 'Beta,127.100.0.10,mx10.knot.test,backup MX\r\n'
  printf 'Gamma,127.100.0.9,mail.gamma.test,"says ""hi"""\r\n'
  printf 'Delta,not-an-ip,mx.delta.test,typo in the sheet\r\n'
  printf 'Epsilon,127.100.0.5,*.other.test,\r\n'
  printf 'Zeta,127.100.0.6,,\r\n'
} >"$I/inventory.csv"
cat >"$I/expect.csv" <<'EOF'
ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,smtp_tries,greeting_ms,customer,notes
127.100.0.1,ok,,pass,ok,mx1.knot.test,127.100.0.1,banner,220,mx1.knot.test,mx1.knot.test ESMTP,*.knot.test,@ts,1,~[1-9][0-9]*,"Acme Mail, EU","primary, EU"
127.100.0.10,warn,BANNER_MISMATCH BANNER_NOT_FQDN,pass,ok,mx10.knot.test,127.100.0.10,banner,220,localhost,localhost ESMTP Postfix,mx10.knot.test,@ts,1,~[1-9][0-9]*,Beta,backup MX
127.100.0.9,fail,BANNER_MISMATCH EXPECTED_MISMATCH,pass,ok,mx9.knot.test,127.100.0.9 192.0.2.9,banner,220,mail.elsewhere.test,"mail.elsewhere.test ESMTP ""hi"", there",mail.gamma.test,@ts,1,~[1-9][0-9]*,Gamma,"says ""hi"""
not-an-ip,invalid,*,*,*,*,*,*,*,*,*,*,@ts,*,*,Delta,typo in the sheet
127.100.0.5,fail,MULTI_PTR EXPECTED_MISMATCH,pass,ok,mx5a.knot.test mx5b.knot.test,~127\.100\.0\.5( 127\.100\.0\.5)?,banner,220,mx5b.knot.test,MX5B.knot.test ESMTP welcome | no pipelining before this line | ready,*.other.test,@ts,1,~[1-9][0-9]*,Epsilon,
127.100.0.6,warn,GENERIC_PTR SMTP_REJECT,pass,ok,dyn-127-100-0-6.pool.knot.test,127.100.0.6,banner,554,dyn-127-100-0-6.pool.knot.test,dyn-127-100-0-6.pool.knot.test ESMTP not accepting mail,,@ts,1,~[1-9][0-9]*,Zeta,
EOF
pa "$I/out.csv" "$I/stderr" -r "$RES" --smtp-port "$SMTP_PORT" -o - --rate 0 -q -i "$I/inventory.csv"
check "inventory: exit 1" 1 "$RC"
rcheck report "inventory" "$I/out.csv" "$I/expect.csv"
# The bad row is physical line 5 (the header is line 1).
check_match "inventory: stderr warns about line 5" \
  '(line[ :]*5([^0-9]|$)|:5([^0-9]|$))' "$(cat "$I/stderr")"

# --- 6. IPv6, DNS only ---
V=$SCRATCH/v6
mkdir "$V"
cat >"$V/expect.csv" <<'EOF'
ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,smtp_tries,greeting_ms
2001:db8::,fail,NO_PTR,permerror,nxdomain,,,skipped,,,,,@ts,,
2001:db8::1,ok,,pass,ok,v6mx1.knot.test,2001:db8::1,skipped,,,,,@ts,,
2001:db8::2,fail,FCRDNS_MISMATCH,fail,ok,v6mx2.knot.test,2001:db8::99,skipped,,,,,@ts,,
2001:db8::3,fail,PTR_NO_FORWARD,fail,ok,v6only-a.knot.test,,skipped,,,,,@ts,,
2001:db8::4,fail,NO_PTR,permerror,nxdomain,,,skipped,,,,,@ts,,
2001:db8::5,warn,MULTI_PTR,pass,ok,v6a.knot.test v6b.knot.test,~2001:db8::5( 2001:db8::5)?,skipped,,,,,@ts,,
2001:db8::6,fail,NO_PTR,permerror,nodata,,,skipped,,,,,@ts,,
2001:db8::7,ok,,pass,ok,v6mx7.knot.test,2001:db8::7,skipped,,,,,@ts,,
EOF
pa "$V/stdout" "$V/stderr" --no-smtp -r "$RES" -o "$V/out.csv" --rate 0 -q 2001:db8::/125
check "ipv6: exit 1" 1 "$RC"
rcheck report "ipv6 --no-smtp" "$V/out.csv" "$V/expect.csv"

# --- 7. REFUSED from the server for a PTR outside its zones ---
R=$SCRATCH/r
mkdir "$R"
cat >"$R/expect.csv" <<'EOF'
ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,smtp_tries,greeting_ms
127.101.0.1,unknown,PTR_TEMPERROR,temperror,refused,,,skipped,,,,,@ts,,
EOF
check "knotd answers REFUSED for 1.0.101.127.in-addr.arpa" REFUSED \
  "$(kdig @127.0.0.1 -p "$DNS_PORT" +time=1 +retry=0 PTR 1.0.101.127.in-addr.arpa |
     sed -n 's/.*status: \([A-Z]*\).*/\1/p')"
pa "$R/out.csv" "$R/stderr" --no-smtp -r "$RES" -o - --rate 0 -q --dns-tries 1 127.101.0.1
rcheck report "refused" "$R/out.csv" "$R/expect.csv"

# --- 8. every SMTP session of every run ---
rcheck smtplog "all smtp sessions" "$SMTPLOG"

finish
