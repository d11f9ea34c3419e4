#!/bin/bash
# SPDX-License-Identifier: MIT
# it_testnet.sh - integration test of ./testnet, the loopback test network.
# Every expectation below is written by hand from tests/testnet.md.
# Loopback only.  Needs kdig (Debian: knot-dnsutils) and bash's /dev/tcp.
# Usage: tests/it_testnet.sh   (TESTNET=path overrides ./testnet)
# Prints "N passed, N failed"; exits 0 when nothing failed, else 1.
source "$(dirname "$0")/lib.sh"

if ! command -v kdig >/dev/null 2>&1; then
  not_ok "kdig installed (Debian package knot-dnsutils)"
  finish
fi
if [ ! -x "$TESTNET" ]; then
  not_ok "$TESTNET built (run make)"
  finish
fi

hex() { od -An -tx1 -v | tr -d ' \n'; }
hexof() { printf "$1" | hex; }

# ---------------------------------------------------------------- DNS
# Main instance: SMTP listeners for 127.64.S.0/28, S = 0..15 (one /28 per
# SMTP scenario; scenario 5's addresses get no listener).
nets=""
for s in $(seq 0 15); do nets="$nets --smtp-net 127.64.$s.0/28"; done
# shellcheck disable=SC2086
testnet_start a --dns-port 0 --smtp-port 0 $nets
DP=$(testnet_key a dns_port)
SP=$(testnet_key a smtp_port)
check "ready file: smtp_mode" "net" "$(testnet_key a smtp_mode)"
check "pid file = ready pid" "$(testnet_key a pid)" "$(cat "$SCRATCH/a.pid")"

q() { kdig +short +time=1 +retry=0 @127.0.0.1 -p "$DP" "$@" 2>/dev/null | tr '\n' ' ' | sed 's/ $//' || true; }
full() { kdig +time=1 +retry=0 @127.0.0.1 -p "$DP" "$@" 2>&1 || true; }
status() { full "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1; }
flags() { full "$@" | sed -n 's/^;; Flags: \([a-z ]*\);.*/\1/p' | head -n 1; }

check "0 pass PTR" "mail-eaaaaa.pass.tn.test." "$(q -x 127.64.0.0)"
check "0 pass A" "127.64.0.0" "$(q mail-eaaaaa.pass.tn.test A)"
check "0 pass A, upper case" "127.64.0.0" "$(q MAIL-EAAAAA.PASS.TN.TEST A)"
check "0 pass AAAA is nodata" "NOERROR" "$(status mail-eaaaaa.pass.tn.test AAAA)"
check "0 pass AAAA empty" "" "$(q mail-eaaaaa.pass.tn.test AAAA)"
check "0 pass flags" "qr aa rd" "$(flags -x 127.64.0.0)"
check "1 nxdomain" "NXDOMAIN" "$(status -x 127.64.0.1)"
check "1 nxdomain has SOA" "127.in-addr.arpa. 3600 IN SOA ns.tn.test. hostmaster.tn.test. 1 3600 600 86400 3600" \
  "$(full -x 127.64.0.1 | grep -E '^127\.in-addr\.arpa\.' | tr -s ' \t' ' ')"
check "2 nodata status" "NOERROR" "$(status -x 127.64.0.2)"
check "2 nodata empty" "" "$(q -x 127.64.0.2)"
check "2 nodata TXT" '"testnet: this name has no PTR"' "$(q -x 127.64.0.2 TXT)"
check "3 noaddr PTR" "host-eaaaad.noaddr.tn.test." "$(q -x 127.64.0.3)"
check "3 noaddr A status" "NOERROR" "$(status host-eaaaad.noaddr.tn.test A)"
check "3 noaddr A empty" "" "$(q host-eaaaad.noaddr.tn.test A)"
check "4 mismatch PTR" "mail-eaaaae.mismatch.tn.test." "$(q -x 127.64.0.4)"
check "4 mismatch A" "192.0.2.4" "$(q mail-eaaaae.mismatch.tn.test A)"
check "4 mismatch on 127.64.0.36" "192.0.2.36" "$(q mail-eaaace.mismatch.tn.test A)"
check "5 multi PTR" "a-eaaaaf.multi.tn.test. b-eaaaaf.multi.tn.test." "$(q -x 127.64.0.5)"
check "5 multi b A" "127.64.0.5" "$(q b-eaaaaf.multi.tn.test A)"
check "6 generic PTR" "dyn-127-64-0-6.pool.tn.test." "$(q -x 127.64.0.6)"
check "6 generic A" "127.64.0.6" "$(q dyn-127-64-0-6.pool.tn.test A)"
check "7 classless PTR" "7.0/25.0.64.127.in-addr.arpa. mail-eaaaah.classless.tn.test." "$(q -x 127.64.0.7)"
check "7 classless upper half" "135.128/25.0.64.127.in-addr.arpa. mail-eaaaih.classless.tn.test." "$(q -x 127.64.0.135)"
check "7 classless A" "127.64.0.7" "$(q mail-eaaaah.classless.tn.test A)"
check "8 servfail" "SERVFAIL" "$(status -x 127.64.0.8)"
check "8 servfail AA clear" "qr rd" "$(flags -x 127.64.0.8)"
check_contains "9 drop (udp)" "response timeout" "$(full -x 127.64.0.9)"
check_contains "9 drop (tcp)" "response timeout" "$(full +tcp -x 127.64.0.9)"
check "10 truncated over UDP" "qr aa tc rd" "$(flags +notcp +ignore -x 127.64.0.10)"
check "10 truncated even with EDNS" "qr aa tc rd" "$(flags +notcp +ignore +bufsize=4096 -x 127.64.0.10)"
check "10 full over TCP" "mail-eaaaak.tcp.tn.test." "$(q +tcp -x 127.64.0.10)"
check "11 ptrcname PTR" "alias-eaaaal.cname.tn.test." "$(q -x 127.64.0.11)"
check "11 alias A" "mail-eaaaal.cname.tn.test. 127.64.0.11" "$(q alias-eaaaal.cname.tn.test A)"
check "12 refused" "REFUSED" "$(status -x 127.64.0.12)"
check "13 fwdfail PTR" "mail-eaaaan.fwdfail.tn.test." "$(q -x 127.64.0.13)"
check "13 fwdfail A" "SERVFAIL" "$(status mail-eaaaan.fwdfail.tn.test A)"
check "14 odd PTR" 'mail-eaaaao.odd.tn.test. we\"ird\,eaaaao.odd.tn.test.' "$(q -x 127.64.0.14)"
check "14 odd weird A" "127.64.0.14" "$(q 'we"ird,eaaaao.odd.tn.test' A)"
check "15 static" "static-eaaaap.static.tn.test." "$(q -x 127.64.0.15)"
check "16 gone PTR" "mail-eaaaba.gone.tn.test." "$(q -x 127.64.0.16)"
check "16 gone A" "NXDOMAIN" "$(status mail-eaaaba.gone.tn.test A)"
check "17 elsewhere A" "127.0.0.1" "$(q mail-eaaabb.elsewhere.tn.test A)"
check_contains "18 wrong id ignored" "response timeout" "$(full -x 127.64.0.18)"
check_contains "18 wrong id seen" "reply ID" "$(full -x 127.64.0.18)"
check_contains "18 wrong id over tcp" "response timeout" "$(full +tcp -x 127.64.0.18)"
check_contains "19 wrong question" "question sections are different" "$(full -x 127.64.0.19)"
check_contains "20 compression loop" "malformed reply" "$(full -x 127.64.0.20)"
check "21 many: TC over UDP with EDNS 4096" "qr aa tc rd" "$(flags +notcp +ignore +bufsize=4096 -x 127.64.0.21)"
many=$(kdig +short +tcp +time=2 +retry=0 @127.0.0.1 -p "$DP" -x 127.64.0.21 2>/dev/null || true)
check "21 many: 500 names over TCP" "500" "$(printf '%s\n' "$many" | grep -c 'many\.tn\.test\.$')"
check "21 many: first" "n000-eaaabf.many.tn.test." "$(printf '%s\n' "$many" | head -n 1)"
check "21 many: last" "n499-eaaabf.many.tn.test." "$(printf '%s\n' "$many" | tail -n 1)"
check "21 many: n250 A" "127.64.0.21" "$(q n250-eaaabf.many.tn.test A)"
a63=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
long="mail-eaaabg-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.$a63.$a63.$a63.long.tn.test"
check "22 long: 250 characters" "250" "${#long}"
check "22 long PTR" "$long." "$(q -x 127.64.0.22)"
check "22 long A" "127.64.0.22" "$(q "$long" A)"
check "23 control bytes" 'mail\001-eaaabh\127.ctl.tn.test.' "$(q -x 127.64.0.23)"
check "23 control A" "127.64.0.23" "$(q 'mail\001-eaaabh\127.ctl.tn.test' A)"
check "24 cname loop" "loop1-eaaabi.loop.tn.test. 24.0.64.127.in-addr.arpa." "$(q -x 127.64.0.24)"
check_contains "25 malformed" "malformed reply" "$(full -x 127.64.0.25)"
check "26 fwdrefused" "REFUSED" "$(status mail-eaaabk.fwdrefused.tn.test A)"
check_contains "27 fwdtimeout" "response timeout" "$(full mail-eaaabl.fwdtimeout.tn.test A)"
check "28 chain" "hop1-eaaabm.chain.tn.test. hop2-eaaabm.chain.tn.test. 127.64.0.28" "$(q mail-eaaabm.chain.tn.test A)"
check "29 mixed PTR" "mail-eaaabn.mixed.tn.test. other-eaaabn.mixed.tn.test." "$(q -x 127.64.0.29)"
check "29 mixed other A" "192.0.2.1" "$(q other-eaaabn.mixed.tn.test A)"
check "30 mx" "smtp-eaaabo.mx.tn.test." "$(q -x 127.64.0.30)"
check "31 pass2" "mx-eaaabp.pass.tn.test." "$(q -x 127.64.0.31)"
check "32 = scenario 0 on 127.64.1.32" "mail-eaabca.pass.tn.test." "$(q -x 127.64.1.32)"
check "clean block PTR" "mail-gaabac.pass.tn.test." "$(q -x 127.96.1.2)"
check "clean block A" "127.96.1.2" "$(q mail-gaabac.pass.tn.test A)"
check "127.0.0.1 PTR" "mail-aaaaab.pass.tn.test." "$(q -x 127.0.0.1)"
check "wrong scenario name" "NXDOMAIN" "$(status mail-eaaaaa.mismatch.tn.test A)"
check "non-canonical octet" "NXDOMAIN" "$(status 00.0.64.127.in-addr.arpa PTR)"
check "empty non-terminal" "NOERROR" "$(status 64.127.in-addr.arpa PTR)"
check "apex SOA" "ns.tn.test. hostmaster.tn.test. 1 3600 600 86400 3600" "$(q tn.test SOA)"
check "::1 PTR" "mail-sixloop.pass.tn.test." "$(q -x ::1)"
check "::1 AAAA" "::1" "$(q mail-sixloop.pass.tn.test AAAA)"
check "::2 nxdomain" "NXDOMAIN" "$(status -x ::2)"
check "2001:db8::11 PTR" "mail-aaaaaabb.elsewhere.tn.test." "$(q -x 2001:db8::11)"
check "2001:db8::1f PTR" "mx-aaaaaabp.pass.tn.test." "$(q -x 2001:db8::1f)"
check "2001:db8::1f AAAA" "2001:db8::1f" "$(q mx-aaaaaabp.pass.tn.test AAAA)"
check "2001:db8::4 AAAA mismatch" "100::4" "$(q mail-aaaaaaae.mismatch.tn.test AAAA)"
check "2001:db8:1::6 generic" "dyn-2001-db8-1--6.pool.tn.test." "$(q -x 2001:db8:1::6)"
check "out of zone" "REFUSED" "$(status example.com A)"
check "other reverse zone" "REFUSED" "$(status -x 10.0.0.1)"
check "class CH" "REFUSED" "$(status CH version.bind TXT)"

# Two pipelined queries in one TCP segment (RFC 7766), IDs 0x0101 and 0x0202,
# for 0.0.64.127.in-addr.arpa PTR.  Each reply: length 0x004f (79 bytes:
# 12 header + 29 question + 2+10+26 answer), then the ID.
qn='\x010\x010\x0264\x03127\x07in-addr\x04arpa\x00\x00\x0c\x00\x01'
pipe=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 || exit 7
  printf "\x00\x29\x01\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00$1\x00\x29\x02\x02\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00$1" >&3
  timeout 1 cat <&3; true' "$DP" "$qn" 2>/dev/null | hex || true)
check "tcp pipelining: total length" "162" "$((${#pipe} / 2))"
check "tcp pipelining: first reply" "004f0101" "${pipe:0:8}"
check "tcp pipelining: second reply" "004f0202" "${pipe:162:8}"

# Garbage must not hurt the server.
printf 'garbage' > /dev/udp/127.0.0.1/"$DP"
printf '\x00\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\xc0\x0c' > /dev/udp/127.0.0.1/"$DP"
timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0; printf "\x00\x05abcde\xff\xff" >&3; sleep 0.2' "$DP" 2>/dev/null || true
check "alive after garbage" "mail-eaaaaa.pass.tn.test." "$(q -x 127.64.0.0)"
check "garbage counted in dns_formerr" "yes" "$([ "$(testnet_stat a dns_formerr)" -ge 2 ] && echo yes || echo no)"

# ---------------------------------------------------------------- SMTP
# session ADDR DELAY SEND SECONDS: connect, send SEND after DELAY seconds,
# print (hex) everything received within SECONDS or until the server closes.
session() {
  timeout 15 bash -c 'exec 3<>/dev/tcp/$0/$1 || exit 7
    if [ -n "$3" ]; then (sleep "$2"; printf "$3" >&3 2>/dev/null) & fi
    timeout "$4" cat <&3; wait; true' "$1" "$SP" "$2" "$3" "$4" 2>/dev/null | hex || true
}
errtext() { # ADDR: what reading from ADDR says on stderr
  timeout 5 bash -c 'exec 3<>/dev/tcp/$0/$1 || exit 7; timeout 2 cat <&3 >/dev/null' "$1" "$SP" 2>&1 || true
}

ehlo_quit='EHLO it.example\r\nQUIT\r\n'
pg0=$(testnet_stat a smtp_pregreet)
check "smtp 0 banner + EHLO + QUIT" \
  "$(hexof '220 mail-eaaaaa.pass.tn.test ESMTP testnet\r\n250-mail-eaaaaa.pass.tn.test\r\n250 OK\r\n221 bye\r\n')" \
  "$(session 127.64.0.0 0.4 "$ehlo_quit" 3)"
check "smtp 0 banner of DNS scenario 5" "$(hexof '220 a-eaaaaf.multi.tn.test ESMTP testnet\r\n221 bye\r\n')" \
  "$(session 127.64.0.5 0.4 'QUIT\r\n' 3)"
check "smtp 0 banner of DNS scenario 1 (no PTR)" "$(hexof '220 mail-eaaaab.pass.tn.test ESMTP testnet\r\n221 bye\r\n')" \
  "$(session 127.64.0.1 0.4 'QUIT\r\n' 3)"
check "smtp 1 other" "$(hexof '220 other.example.net ESMTP\r\n250-other.example.net\r\n250 OK\r\n221 bye\r\n')" \
  "$(session 127.64.1.0 0.4 "$ehlo_quit" 3)"
check "smtp 2 multiline" "$(hexof '220-mail-eaacaa.pass.tn.test ESMTP testnet\r\n220-second line\r\n220 ready\r\n221 bye\r\n')" \
  "$(session 127.64.2.0 0.6 'QUIT\r\n' 3)"
check "smtp 3 554" "$(hexof '554 mail-eaadaa.pass.tn.test no service\r\n221 bye\r\n')" \
  "$(session 127.64.3.0 0.4 'QUIT\r\n' 3)"
check "no pregreet so far" "$pg0" "$(testnet_stat a smtp_pregreet)"
check "smtp 4 silent" "" "$(session 127.64.4.0 0 '' 1)"
check_contains "smtp 5 refused" "refused" "$(errtext 127.64.5.0)"
check_contains "smtp 6 reset" "reset" "$(errtext 127.64.6.0)"
check "smtp 7 close" "" "$(session 127.64.7.0 0 '' 2)"
check "smtp 8 421" "$(hexof '421 mail-eaaiaa.pass.tn.test try later\r\n221 bye\r\n')" \
  "$(session 127.64.8.0 0.4 'QUIT\r\n' 3)"
check "smtp 9 drip: two bytes in 3 s" "$(hexof '22')" "$(session 127.64.9.0 0 '' 3)"
check "smtp 10 not fqdn" "$(hexof '220 localhost ESMTP\r\n250-localhost\r\n250 OK\r\n221 bye\r\n')" \
  "$(session 127.64.10.0 0.4 "$ehlo_quit" 3)"
check "smtp 11 bare LF" "$(hexof '220-mail-eaalaa.pass.tn.test ESMTP\n220 ok\n221 bye\r\n')" \
  "$(session 127.64.11.0 0.4 'QUIT\r\n' 3)"
flood=$(timeout 10 bash -c 'exec 3<>/dev/tcp/$0/$1; timeout 8 cat <&3' 127.64.12.0 "$SP" 2>/dev/null | tr -d 'x' | hex || true)
check "smtp 12 flood: 4 MiB of x after '220 '" "$(hexof '220 ')" "$flood"
flood_len=$(timeout 10 bash -c 'exec 3<>/dev/tcp/$0/$1; timeout 8 cat <&3' 127.64.12.0 "$SP" 2>/dev/null | wc -c || true)
check "smtp 12 flood: length" "4194304" "$flood_len"
lines=$(timeout 10 bash -c 'exec 3<>/dev/tcp/$0/$1; (sleep 1; printf "QUIT\r\n" >&3) & timeout 3 cat <&3; wait' 127.64.13.0 "$SP" 2>/dev/null || true)
check "smtp 13 lines: count" "1002" "$(printf '%s\n' "$lines" | grep -c .)"
check "smtp 13 lines: line 1" "$(printf '220-line 1\r')" "$(printf '%s\n' "$lines" | sed -n 1p)"
check "smtp 13 lines: line 1000" "$(printf '220-line 1000\r')" "$(printf '%s\n' "$lines" | sed -n 1000p)"
check "smtp 13 lines: final" "$(printf '220 end\r')" "$(printf '%s\n' "$lines" | sed -n 1001p)"
check "smtp 13 lines: greeting bytes" "13902" "$(printf '%s\n' "$lines" | sed -n 1,1001p | wc -c)"
check "smtp 14 binary" "$(hexof '220 mail-eaaoaa.pass.tn.test \x00\xff\xfe ok\r\n221 bye\r\n')" \
  "$(session 127.64.14.0 0.4 'QUIT\r\n' 3)"
check "smtp 15 greeting then reset" "$(hexof '220 mail-eaapaa.pass.tn.test ESMTP\r\n')" "$(session 127.64.15.0 0 '' 2)"
check_contains "smtp 15 reset" "reset" "$(errtext 127.64.15.0)"
check "smtp 16 = scenario 0 (no listener outside the /28s)" "" "$(session 127.64.16.0 0 '' 1)"
check "no pregreet from well-behaved sessions" "$pg0" "$(testnet_stat a smtp_pregreet)"

# Talking first is a pregreet: at once on a banner address, and after the
# first line of the multi-line greeting.
session 127.64.0.0 0 'EHLO early\r\n' 1 >/dev/null
check "pregreet at once" "$((pg0 + 1))" "$(testnet_stat a smtp_pregreet)"
session 127.64.2.0 0.1 'QUIT\r\n' 1 >/dev/null
check "pregreet between lines" "$((pg0 + 2))" "$(testnet_stat a smtp_pregreet)"
check_contains "pregreet logged" "smtp pregreet" "$(cat "$SCRATCH/a.log")"

if [ -e /proc/net/if_inet6 ]; then
  check "smtp ::1" "$(hexof '220 mail-sixloop.pass.tn.test ESMTP testnet\r\n221 bye\r\n')" \
    "$(session ::1 0.3 'QUIT\r\n' 3)"
fi

# ---------------------------------------------------------------- wildcard mode
testnet_start b --dns-port 0 --smtp-port 0 --smtp-any
SP=$(testnet_key b smtp_port)
check "any: smtp_mode" "any" "$(testnet_key b smtp_mode)"
check_contains "any: scenario 5 resets" "reset" "$(errtext 127.64.5.0)"
check "any: clean block, no pause" "$(hexof '220 mail-gaabac.pass.tn.test ESMTP testnet\r\n221 bye\r\n')" \
  "$(session 127.96.1.2 0.2 'QUIT\r\n' 3)"
check "any: 127.64.16.0 = scenario 0" "$(hexof '220 mail-eabaaa.pass.tn.test ESMTP testnet\r\n221 bye\r\n')" \
  "$(session 127.64.16.0 0.4 'QUIT\r\n' 3)"

# ---------------------------------------------------------------- DNS fault modes
testnet_start c --dns-port 0 --dns-tcp refuse --dns-refuse 50
DP=$(testnet_key c dns_port)
seq_status=""
for i in 1 2 3 4; do seq_status="$seq_status $(status -x 127.64.0.0)"; done
check "--dns-refuse 50: every second query" " NOERROR REFUSED NOERROR REFUSED" "$seq_status"
check "--dns-refuse: counted" "2" "$(testnet_stat c dns_forced_refused)"
check_contains "--dns-tcp refuse: TCP retry refused" "failed to query server" "$(full +tcp -x 127.64.0.0)"
testnet_start d --dns-port 0 --dns-tcp stall
DP=$(testnet_key d dns_port)
check_contains "--dns-tcp stall: TCP never answered" "response timeout" "$(full +tcp -x 127.64.0.0)"
check "--dns-tcp stall: UDP still answered" "mail-eaaaaa.pass.tn.test." "$(q -x 127.64.0.0)"
check "--dns-tcp stall: UDP TC for scenario 10" "qr aa tc rd" "$(flags +notcp +ignore -x 127.64.0.10)"

# ---------------------------------------------------------------- root, NS
# Instance a (still running) serves the root apex and NS at every apex.
DP=$(testnet_key a dns_port)
check ". NS" "ns.tn.test." "$(q . NS)"
check ". NS glue" "ns.tn.test. 3600 IN A 127.0.0.1" \
  "$(full . NS | sed -n '/ADDITIONAL SECTION/,$p' | grep -E '^ns\.tn\.test\.' | tr -s ' \t' ' ')"
check ". NS flags (AA)" "qr aa rd" "$(flags . NS)"
check ". SOA" "ns.tn.test. hostmaster.tn.test. 1 3600 600 86400 3600" "$(q . SOA)"
check ". A is NODATA" "NOERROR" "$(status . A)"
check "tn.test NS" "ns.tn.test." "$(q tn.test NS)"
check "127.in-addr.arpa NS" "ns.tn.test." "$(q 127.in-addr.arpa NS)"
check "ns.tn.test A = the server's address" "127.0.0.1" "$(q ns.tn.test A)"
check "ns.lame.tn.test A" "127.53.53.53" "$(q ns.lame.tn.test A)"
check "lame.tn.test is an empty non-terminal" "NOERROR" "$(status lame.tn.test A)"
check "still REFUSED outside the zones" "REFUSED" "$(status com NS)"

# ---------------------------------------------------------------- --dns-drop
testnet_start e --dns-port 0 --dns-drop 50
DP=$(testnet_key e dns_port)
seq_status=""
for i in 1 2 3 4; do seq_status="$seq_status $(status -x 127.64.0.0 || true)"; done
check "--dns-drop 50: every second query unanswered" " NOERROR  NOERROR " "$seq_status"
check "--dns-drop: counted" "2" "$(testnet_stat e dns_forced_dropped)"
testnet_start f --dns-port 0 --dns-drop 100
DP=$(testnet_key f dns_port)
check_contains "--dns-drop 100: nothing answered" "response timeout" "$(full -x 127.96.0.1)"
check_contains "--dns-drop 100: not over TCP either" "response timeout" "$(full +tcp -x 127.96.0.1)"

# ---------------------------------------------------------------- --dns-lame
testnet_start g --dns-port 0 --dns-lame 127.80.3.0/24 --dns-lame 127.81.0.0/20 \
  --dns-lame 127.82.0.0/25
DP=$(testnet_key g dns_port)
ref() { kdig +norec +time=1 +retry=0 @127.0.0.1 -p "$DP" "$@" 2>/dev/null | grep -E 'IN[[:space:]]+NS' | tr -s ' \t' ' '; }
check_contains "lame /24, RD: dropped" "response timeout" "$(full -x 127.80.3.5)"
check_contains "lame /24, RD, TXT: dropped too" "response timeout" "$(full 5.3.80.127.in-addr.arpa TXT)"
check "lame /24, no RD: referral" "3.80.127.in-addr.arpa. 3600 IN NS ns.lame.tn.test." "$(ref -x 127.80.3.5)"
check "lame /24, no RD: AA clear, no answer" "qr" "$(kdig +norec +time=1 +retry=0 @127.0.0.1 -p "$DP" -x 127.80.3.5 2>/dev/null | sed -n 's/^;; Flags: \([a-z ]*\);.*/\1/p')"
check "lame /24: its zone apex is referred too" "3.80.127.in-addr.arpa. 3600 IN NS ns.lame.tn.test." "$(ref 3.80.127.in-addr.arpa SOA)"
check "lame /24: the neighbour /24 answers" "mail-faaeaf.pass.tn.test." "$(q -x 127.80.4.5)"
check "lame /24: the parent is not lame" "NOERROR" "$(status 80.127.in-addr.arpa PTR)"
check "lame /20: delegated per /24" "5.81.127.in-addr.arpa. 3600 IN NS ns.lame.tn.test." "$(ref -x 127.81.5.1)"
check "lame /20: 127.81.16.1 is outside" "mail-fbbaab.pass.tn.test." "$(q -x 127.81.16.1)"
check "lame /25: delegated per address" "1.0.82.127.in-addr.arpa. 3600 IN NS ns.lame.tn.test." "$(ref -x 127.82.0.1)"
check "lame /25: 127.82.0.200 is outside" "mail-fcaami.pass.tn.test." "$(q -x 127.82.0.200)"
check "lame: counted dropped" "2" "$(testnet_stat g dns_lame_dropped)"
check "lame: counted referrals (5 queries without RD above)" "5" "$(testnet_stat g dns_lame_referral)"
check "lame: not counted as scenario silence" "0" "$(testnet_stat g dns_silent)"

# ---------------------------------------------------------------- --dns-delay
# Worked examples of tests/testnet.md: with 30:M-N, 4.0.64.127.in-addr.arpa
# PTR is answered at once (hash mod 100 = 6), 0.0.64.127.in-addr.arpa PTR
# after M + 1673094 mod (N-M+1) ms, mail-eaaaaa.pass.tn.test A after
# M + 29654303 mod (N-M+1) ms.
elapsed() { # ARGS: ms one kdig query takes
  local t0 t1
  t0=$(date +%s%N)
  kdig +short +time=4 +retry=0 @127.0.0.1 -p "$DP" "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
within() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ] && echo yes || echo "no ($1 ms)"; }
testnet_start h --dns-port 0 --dns-delay 30:100-200
DP=$(testnet_key h dns_port)
check "delay 30:100-200: 4.0.64.127 PTR at once" "yes" "$(within "$(elapsed -x 127.64.0.4)" 0 90)"
check "delay 30:100-200: 0.0.64.127 PTR after 129 ms" "yes" "$(within "$(elapsed -x 127.64.0.0)" 129 400)"
check "delay 30:100-200: mail-eaaaaa A after 197 ms" "yes" "$(within "$(elapsed mail-eaaaaa.pass.tn.test A)" 197 470)"
check "delay: the answer itself is unchanged" "mail-eaaaaa.pass.tn.test." "$(q -x 127.64.0.0)"
check "delay: counted" "3" "$(testnet_stat h dns_delayed)"
testnet_start i --dns-port 0 --dns-delay 30:1500-1500
DP=$(testnet_key i dns_port)
(elapsed -x 127.64.0.0 > "$SCRATCH/slow1") &
slow=$!
sleep 0.2
fast=$(elapsed -x 127.64.0.4)
tcpfast=$(elapsed +tcp -x 127.64.0.4)
wait "$slow"
check "delay: a held answer does not hold up others (UDP)" "yes" "$(within "$fast" 0 300)"
check "delay: ... nor over TCP" "yes" "$(within "$tcpfast" 0 300)"
check "delay: the held one comes after 1.5 s" "yes" "$(within "$(cat "$SCRATCH/slow1")" 1500 2300)"
check "delay: the same name waits the same again" "yes" "$(within "$(elapsed -x 127.64.0.0)" 1500 2300)"
check "delay: over TCP too" "yes" "$(within "$(elapsed +tcp -x 127.64.0.0)" 1500 2300)"
check "delay: no overflow" "0" "$(testnet_stat i dns_delay_overflow)"

# ---------------------------------------------------------------- usage
usage_rc() { "$TESTNET" "$@" >/dev/null 2>&1 && echo 0 || echo $?; }
check "usage: no --dns-port" "2" "$(usage_rc --smtp-port 0 --smtp-any)"
check "usage: non-loopback dns addr" "2" "$(usage_rc --dns-port 0 --dns-addr 10.0.0.1)"
check "usage: non-loopback smtp net" "2" "$(usage_rc --dns-port 0 --smtp-port 0 --smtp-net 10.0.0.0/24)"
check "usage: host bits" "2" "$(usage_rc --dns-port 0 --smtp-port 0 --smtp-net 127.64.0.1/24)"
check "usage: smtp port alone" "2" "$(usage_rc --dns-port 0 --smtp-port 0)"
check "usage: both modes" "2" "$(usage_rc --dns-port 0 --smtp-port 0 --smtp-any --smtp-net 127.64.0.0/24)"
check "usage: bad port" "2" "$(usage_rc --dns-port 65536)"
check "usage: bad --dns-tcp" "2" "$(usage_rc --dns-port 0 --dns-tcp sometimes)"
check "usage: bad --dns-refuse" "2" "$(usage_rc --dns-port 0 --dns-refuse 101)"
check "usage: bad --dns-drop" "2" "$(usage_rc --dns-port 0 --dns-drop -1)"
check "usage: --dns-lame outside 127/8" "2" "$(usage_rc --dns-port 0 --dns-lame 10.0.0.0/8)"
check "usage: --dns-delay without range" "2" "$(usage_rc --dns-port 0 --dns-delay 30)"
check "usage: --dns-delay MIN > MAX" "2" "$(usage_rc --dns-port 0 --dns-delay 30:200-100)"
check "usage: --dns-delay pct > 100" "2" "$(usage_rc --dns-port 0 --dns-delay 101:1-2)"
check "usage: --mta-limit 0" "2" "$(usage_rc --dns-port 0 --mta-limit 0)"

# ---------------------------------------------------------------- clean stop
pid=$(testnet_key a pid)
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
check "SIGTERM: exit 0" "0" "$rc"
check "SIGTERM: ready file removed" "no" "$([ -e "$SCRATCH/a.ready" ] && echo yes || echo no)"
check "SIGTERM: pid file removed" "no" "$([ -e "$SCRATCH/a.pid" ] && echo yes || echo no)"
skey() { awk -v k="$1" '$1 == k { print $2 }' "$SCRATCH/a.stats"; }
check_ge "stats: smtp_quit" 8 "$(skey smtp_quit)"
check_ge "stats: dns_tcp_conn" 5 "$(skey dns_tcp_conn)"
check "stats: keys" "28" "$(wc -l < "$SCRATCH/a.stats")"

finish
