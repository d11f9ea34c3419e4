#!/bin/bash
# SPDX-License-Identifier: MIT
# it_testnet_zones.sh - integration test of testnet's records given as data:
# --zone-file / --zone-only (with the openspf suite converted by
# tests/spf/suite2zone.py), the blocklist zone bl.tn.test and the built-in
# SPF/DMARC sender records.  Every expectation is written by hand from
# tests/testnet.md and tests/spf/rfc7208-tests.yml.  Loopback only; needs
# kdig (knot-dnsutils) and python3 with python3-yaml.
# Prints "N passed, N failed"; exits 0 when nothing failed, else 1.
source "$(dirname "$0")/lib.sh"

for tool in kdig python3; do
  command -v "$tool" >/dev/null 2>&1 || { not_ok "$tool installed (scripts/deps)"; finish; }
done
[ -x "$TESTNET" ] || { not_ok "$TESTNET built (run make)"; finish; }

P=
q() { kdig +short +time=1 +retry=0 @127.0.0.1 -p "$P" "$@" 2>/dev/null | tr '\n' ' ' | sed 's/ $//' || true; }
full() { kdig +time=1 +retry=0 @127.0.0.1 -p "$P" "$@" 2>&1 || true; }
status() { full "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1; }
timeout_of() { full "$@" | grep -c 'response timeout'; }
authority() { full "$@" | sed -n '/AUTHORITY SECTION/,/^$/p' | grep -v '^;;' | awk 'NF {print $1, $4}' | head -n 1; }

# ------------------------------------------------------------ zone-file errors
Z=$SCRATCH/zones
mkdir -p "$Z"
bad() { # NAME LINE EXPECTED-SUBSTRING
  printf '%s\n' "$2" > "$Z/bad.zone"
  local err rc
  err=$("$TESTNET" --dns-port 0 --zone-file "$Z/bad.zone" 2>&1 </dev/null); rc=$?
  check "bad zone file ($1): exit 2" 2 "$rc"
  check_contains "bad zone file ($1): message" "$3" "$err"
}
bad "unknown type" "a.example TXTX \"x\"" "$Z/bad.zone:1: field 2: unknown record type TXTX"
bad "bad IPv4" "a.example A 1.2.3" "$Z/bad.zone:1: field 3: not an IPv4 address: 1.2.3"
bad "TTL then type" "a.example 300 MX 10" "$Z/bad.zone:1: field 5: 2 data fields wanted"
bad "unquoted TXT" "a.example TXT hello" "$Z/bad.zone:1: field 3: a \"quoted string\""
bad "label > 63" "$(printf 'a%.0s' $(seq 64)).example A 1.2.3.4" "$Z/bad.zone:1: field 1: label longer than 63 octets"
bad "unterminated" 'a.example TXT "abc' "$Z/bad.zone:1: field 3: unterminated quoted string"
bad "CNAME and more" $'a.example CNAME b.example\na.example A 1.2.3.4' "a.example: a CNAME must be the only record"
err=$("$TESTNET" --dns-port 0 --zone-file "$Z/none.zone" 2>&1 </dev/null); rc=$?
check "missing zone file: exit 2" 2 "$rc"
check_contains "missing zone file: message" "$Z/none.zone: No such file or directory" "$err"
err=$("$TESTNET" --dns-port 0 --zone-only 2>&1 </dev/null); rc=$?
check "--zone-only without --zone-file: exit 2" 2 "$rc"

# ---------------------------------------------------- a hand-written zone file
long=$(printf 'x%.0s' $(seq 300))
cat > "$Z/hand.zone" <<EOF
# comment line, then a blank one

Example.ORG 300 TXT "v=spf1 ip4:192.0.2.0/24 -all"
example.org MX 10 mx.example.org.
example.org MX 20 .
mx.example.org A 192.0.2.25
mx.example.org AAAA 2001:db8::25
two.example.org TXT "first" "second part" ""
long.example.org TXT "$long"
bytes.example.org TXT "caf\233 \"q\" \\\\ end"
alias.example.org CNAME mx.example.org
dangling.example.org CNAME nowhere.example.org
slow.example.org TXT "v=spf1 -all"
slow.example.org TIMEOUT
dead.example.org TIMEOUT
a.b.c.example.org A 192.0.2.9
4.3.2.1.in-addr.arpa PTR mx.example.org
zone.example SOA ns.zone.example. admin.zone.example. 7 60 60 60 60
www.zone.example A 192.0.2.80
mail-eaaaaa.pass.tn.test A 192.0.2.99
EOF
testnet_start h --dns-port 0 --zone-file "$Z/hand.zone"
P=$(testnet_key h dns_port)
check "file TXT (name case ignored)" '"v=spf1 ip4:192.0.2.0/24 -all"' "$(q EXAMPLE.org TXT)"
check "file TTL" "300" "$(full example.org TXT | awk '!/^;/ && $4 == "TXT" {print $2}')"
check "file MX, null MX" "10 mx.example.org. 20 ." "$(q example.org MX)"
check "file A / AAAA" "192.0.2.25 2001:db8::25" "$(q mx.example.org A) $(q mx.example.org AAAA)"
check "TXT of several strings" '"first" "second part" ""' "$(q two.example.org TXT)"
check "TXT of 300 bytes: strings of 255 + 45" "255 45" \
  "$(q long.example.org TXT | tr -d '"' | awk '{print length($1), length($2)}')"
check "TXT bytes: \\DDD, \\\" and \\\\" '"caf\233 \"q\" \\ end"' "$(q bytes.example.org TXT)"
check "CNAME chased in the data" "mx.example.org. 192.0.2.25" "$(q alias.example.org A)"
check "CNAME to a missing name: NXDOMAIN with the CNAME" "NXDOMAIN nowhere.example.org." \
  "$(status dangling.example.org A) $(q dangling.example.org A)"
check "TIMEOUT: a type with records answers" '"v=spf1 -all"' "$(q slow.example.org TXT)"
check "TIMEOUT: a type without records is never answered" "1" "$(timeout_of slow.example.org A)"
check "TIMEOUT alone: every type times out" "1" "$(timeout_of dead.example.org TXT)"
check "name present without the type: NODATA" "NOERROR" "$(status mx.example.org TXT)"
check "NODATA empty" "" "$(q mx.example.org TXT)"
check "absent name: NXDOMAIN" "NXDOMAIN" "$(status nothere.example.org A)"
check "NXDOMAIN outside data apexes: the root's SOA" ". SOA" "$(authority nothere.example.org A)"
check "ancestor of a name: NODATA" "NOERROR" "$(status b.c.example.org A)"
check "reverse name of 1.2.3.4" "mx.example.org." "$(q -x 1.2.3.4)"
check "SOA apex: NXDOMAIN under it carries its SOA" "NXDOMAIN zone.example. SOA" \
  "$(status nope.zone.example A) $(authority nope.zone.example A)"
check "SOA apex: records under it" "192.0.2.80" "$(q www.zone.example A)"
check "name outside every zone: NXDOMAIN (with --zone-file)" "NXDOMAIN" "$(status example.com A)"
check "file record takes priority over the address plan" "192.0.2.99" "$(q mail-eaaaaa.pass.tn.test A)"
check "address plan: scenario 0" "mail-eaaaaa.pass.tn.test." "$(q -x 127.64.0.0)"
check "address plan: scenario 1 NXDOMAIN" "NXDOMAIN" "$(status -x 127.64.0.1)"
check "built-in records still served" "1" "$(q sender1.tn.test TXT | grep -c 'v=spf1')"
check "TIMEOUT counted as silent" "2" "$(testnet_stat h dns_silent)"

# ------------------------------------------- the openspf suite, converted
S=$SCRATCH/spf
if ! python3 "$TOP/tests/spf/suite2zone.py" "$TOP/tests/spf/rfc7208-tests.yml" "$S" 2>"$SCRATCH/conv.err"; then
  not_ok "suite2zone.py converts the suite" "$(cat "$SCRATCH/conv.err")"
  finish
fi
check "14 scenarios converted" "14" "$(wc -l < "$S/scenarios.txt")"
check "scenario 2 is Record lookup" $'02\tRecord lookup' "$(sed -n 2p "$S/scenarios.txt")"
check "inventory header" "ip,sender,helo,expect,explanation,test" "$(head -n 1 "$S/02.csv")"
check "inventory row" "1.2.3.4,foo@spfonly.example.net,mail.example.net,none,,spfonly" \
  "$(grep ',spfonly$' "$S/02.csv")"
check "177 tests in all" "177" "$(cat "$S"/*.csv | grep -vc '^ip,sender')"
check "a test with two acceptable results" "1.2.3.4,foo@example7.com,mail.example1.com,permerror|fail,,multispf1" \
  "$(grep ',multispf1$' "$S/03.csv")"
check "an expected explanation" "1.2.3.4,foo@e3.example.com,mail.example.com,fail,See me.,redirect-cancels-prior-exp" \
  "$(grep ',redirect-cancels-prior-exp$' "$S/13.csv")"

for n in 01 02 03 06 09 13; do
  testnet_start "spf$n" --dns-port 0 --zone-only --zone-file "$S/$n.zone"
done
P=$(testnet_key spf01 dns_port)
check "01: example.com TIMEOUT" "1" "$(timeout_of example.com TXT)"
check "01: SPF published as TXT too, Latin-1 bytes" '"v=spf1 a:\239\187\191garbage.example.net -all"' \
  "$(q hosed.example.com TXT)"
check "01: ... and as type 99" '"v=spf1 a:\239\187\191garbage.example.net -all"' \
  "$(q hosed.example.com TYPE99)"
check "01: absent name NXDOMAIN" "NXDOMAIN" "$(status nothing.example.com TXT)"
check "--zone-only: no address plan" "NXDOMAIN" "$(status -x 127.64.0.0)"
check "--zone-only: no built-in records" "NXDOMAIN" "$(status sender1.tn.test TXT)"
P=$(testnet_key spf02 dns_port)
check "02: both: TXT" '"v=spf1 -all"' "$(q both.example.net TXT)"
check "02: spfonly: no TXT (TXT: NONE): NODATA" "NOERROR" "$(status spfonly.example.net TXT)"
check "02: spfonly: TXT empty" "" "$(q spfonly.example.net TXT)"
check "02: spftimeout: TXT answers" '"v=spf1 -all"' "$(q spftimeout.example.net TXT)"
check "02: spftimeout: type 99 times out" "1" "$(timeout_of spftimeout.example.net TYPE99)"
check "02: txttimeout: TXT times out" "1" "$(timeout_of txttimeout.example.net TXT)"
check "02: txttimeout: type 99 answers" '"v=spf1 -all"' "$(q txttimeout.example.net TYPE99)"
P=$(testnet_key spf03 dns_port)
check "03: one TXT record of two strings" '"v=spf1" "mx"' "$(q example2.com TXT)"
P=$(testnet_key spf06 dns_port)
check "06: three PTRs for 1.2.3.4" "e3.example.com. e4.example.com. mail.example.com." "$(q -x 1.2.3.4)"
check "06: PTR of 2001:db8::1 from the file" "mail.Example.com." "$(q -x 2001:db8::1)"
check "06: CNAME loop stops" "CNAME.example.com. CNAME.example.com." "$(q loop4.example.com A)"
check "06: NODATA (e1 has no A)" "NOERROR" "$(status e1.example.com A)"
P=$(testnet_key spf09 dns_port)
check "09: MX 0 ." "0 ." "$(q mail.example.com MX)"
check "09: MX to itself" "0 e1.example.com." "$(q e1.example.com MX)"
check "09: name with : and / (kdig escapes the colon)" '0 foo\:bar/baz.example.com.' "$(q 'foo:bar/baz.example.com' MX)"
P=$(testnet_key spf13 dns_port)
check "13: two TXT records" '"one" "two"' "$(q twoexp.example.com TXT | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
check "13: exp target TIMEOUT" "1" "$(timeout_of e21msg.example.com TXT)"

# ---------------------------------------------------- built-in records
testnet_start b --dns-port 0
P=$(testnet_key b dns_port)
bl() { q "$1.bl.tn.test" "${2:-A}"; }
check "bl: 127.64.0.0 not listed" "NXDOMAIN" "$(status 0.0.64.127.bl.tn.test A)"
check "bl: 127.64.0.1 not listed" "NXDOMAIN" "$(status 1.0.64.127.bl.tn.test A)"
check "bl: 127.64.0.2 listed" "127.0.0.2" "$(bl 2.0.64.127)"
check "bl: 127.64.0.2 reason" '"listed: see http://bl.tn.test/lookup?ip=127.64.0.2"' "$(bl 2.0.64.127 TXT)"
check "bl: 127.64.0.3 listed, code 4" "127.0.0.4" "$(bl 3.0.64.127)"
check "bl: 127.64.0.3 reason" '"listed (policy block): see http://bl.tn.test/lookup?ip=127.64.0.3"' "$(bl 3.0.64.127 TXT)"
check "bl: 127.64.0.4 two codes" "127.0.0.2 127.0.0.4" "$(bl 4.0.64.127)"
check "bl: 127.64.0.5 listed without TXT" "127.0.0.2 NOERROR" "$(bl 5.0.64.127) $(status 5.0.64.127.bl.tn.test TXT)"
check "bl: 127.64.0.5 TXT empty" "" "$(bl 5.0.64.127 TXT)"
check "bl: 127.64.0.24 answers 127.0.0.1" "127.0.0.1" "$(bl 24.0.64.127)"
check "bl: 127.64.0.25 answers outside 127/8" "192.0.2.1" "$(bl 25.0.64.127)"
check "bl: 127.64.0.26 times out" "1" "$(timeout_of 26.0.64.127.bl.tn.test A)"
check "bl: 127.64.0.27 SERVFAIL" "SERVFAIL" "$(status 27.0.64.127.bl.tn.test A)"
check "bl: 127.64.0.28 typing error" "127.255.255.252" "$(bl 28.0.64.127)"
check "bl: 127.64.0.29 excessive queries" "127.255.255.255" "$(bl 29.0.64.127)"
check "bl: 127.64.0.30 public resolver" "127.255.255.254" "$(bl 30.0.64.127)"
check "bl: 127.64.2.30 (demo) public resolver" "127.255.255.254" "$(bl 30.2.64.127)"
check "bl: 127.64.0.31 not listed" "NXDOMAIN" "$(status 31.0.64.127.bl.tn.test A)"
check "bl: 127.64.1.35 = 3 mod 32: listed" "127.0.0.4" "$(bl 35.1.64.127)"
check "bl: clean block not listed" "NXDOMAIN" "$(status 5.0.96.127.bl.tn.test A)"
check "bl: RFC 5782 test entry 127.0.0.2 listed" "127.0.0.2" "$(bl 2.0.0.127)"
check "bl: RFC 5782 127.0.0.1 not listed" "NXDOMAIN" "$(status 1.0.0.127.bl.tn.test A)"
v6() { # reversed nibbles of an IPv6 address
  python3 -c 'import ipaddress,sys; print(".".join(reversed(ipaddress.ip_address(sys.argv[1]).exploded.replace(":", ""))))' "$1"
}
check "bl: ::FFFF:7F00:2 listed" "127.0.0.2" "$(bl "$(v6 ::ffff:7f00:2)")"
check "bl: ::FFFF:7F00:1 not listed" "NXDOMAIN" "$(status "$(v6 ::ffff:7f00:1).bl.tn.test" A)"
check "bl: 2001:db8::3 listed (nibbles)" "127.0.0.4" "$(bl "$(v6 2001:db8::3)")"
check "bl: 2001:db8::3 reason" '"listed (policy block): see http://bl.tn.test/lookup?ip=2001:db8::3"' \
  "$(bl "$(v6 2001:db8::3)" TXT)"
check "bl: 2001:db8::1 not listed" "NXDOMAIN" "$(status "$(v6 2001:db8::1).bl.tn.test" A)"
check "bl: partial name NODATA" "NOERROR" "$(status 64.127.bl.tn.test A)"
check "bl: zone itself NODATA" "NOERROR" "$(status bl.tn.test A)"
check "bl: not an address NXDOMAIN" "NXDOMAIN" "$(status x.0.64.127.bl.tn.test A)"

check "sender7: SPF" '"v=spf1 include:_spf1.sender7.tn.test include:_spf2.sender7.tn.test ~all"' \
  "$(q sender7.tn.test TXT)"
check "sender8: -all" '"v=spf1 include:_spf1.sender8.tn.test include:_spf2.sender8.tn.test -all"' \
  "$(q sender8.tn.test TXT)"
check "sender50 include 1" '"v=spf1 ip4:127.96.0.0/17 -all"' "$(q _spf1.sender50.tn.test TXT)"
check "sender50 include 2" '"v=spf1 ip4:127.96.128.0/17 -all"' "$(q _spf2.sender50.tn.test TXT)"
check "sender51 does not exist" "NXDOMAIN" "$(status sender51.tn.test TXT)"
check "sender5 DMARC p=reject" '"v=DMARC1; p=reject"' "$(q _dmarc.sender5.tn.test TXT)"
check "sender1 DMARC quarantine sp=none" '"v=DMARC1; p=quarantine; sp=none"' "$(q _dmarc.sender1.tn.test TXT)"
check "sender2 DMARC p=none" '"v=DMARC1; p=none"' "$(q _dmarc.sender2.tn.test TXT)"
check "sender3 DMARC invalid" '"v=DMARC1; p=bogus"' "$(q _dmarc.sender3.tn.test TXT)"
check "sender4 DMARC missing" "NXDOMAIN" "$(status _dmarc.sender4.tn.test TXT)"
check "no DMARC at tn.test" "NOERROR" "$(status _dmarc.tn.test TXT | sed 's/NXDOMAIN/NOERROR/')"
check "_dmarc.tn.test absent" "" "$(q _dmarc.tn.test TXT)"
check "sender NODATA has tn.test's SOA" "tn.test. SOA" "$(authority sender1.tn.test A)"
check "brightwater SPF" '"v=spf1 ip4:127.64.0.0/31 -all"' "$(q brightwater.test TXT)"
check "brightwater DMARC" '"v=DMARC1; p=reject; rua=mailto:dmarc@brightwater.test"' "$(q _dmarc.brightwater.test TXT)"
check "shop.brightwater: no own DMARC (org domain applies)" "NXDOMAIN test. SOA" \
  "$(status _dmarc.shop.brightwater.test TXT) $(authority _dmarc.shop.brightwater.test TXT)"
check "copperleaf include" '"v=spf1 ip4:127.64.0.3 -all"' "$(q _spf.copperleaf.test TXT)"
check "foxglove MX -> testnet name" "10 mail-eaaaah.classless.tn.test." "$(q foxglove.test MX)"
check "granitepeak include times out" "1" "$(timeout_of spf.dnshost.test TXT)"
check "harbourline: two SPF records" "2" "$(q harbourline.test TXT | grep -o v=spf1 | wc -l)"
check "juniper exp" "\"%{i} is not one of %{d}'s designated mail servers.\"" "$(q explain._spf.juniper.test TXT)"
check "umber-oak exists target" "127.0.0.2" "$(q 127.64.4.0.allow.umber-oak.test A)"
check "evergreen: no SPF, no DMARC" '"google-site-verification=testnet-not-an-spf-record" NXDOMAIN' \
  "$(q evergreen.test TXT) $(status _dmarc.evergreen.test TXT)"
check "test apex SOA" "ns.tn.test. hostmaster.tn.test. 1 3600 600 86400 3600" "$(q test SOA)"
check "outside every zone still REFUSED without --zone-file" "REFUSED" "$(status example.com A)"
check "address plan unchanged" "mail-eaaaaa.pass.tn.test." "$(q -x 127.64.0.0)"

# The demo's inventory: which rows the blocklist lists (tests/testnet.md),
# and every sender domain's SPF record exists (but evergreen's).
listed=""
while IFS=, read -r ip; do
  case "$ip" in 127.*) ;; *) continue ;; esac
  r=$(echo "$ip" | awk -F. '{print $4"."$3"."$2"."$1}')
  a=$(q "$r.bl.tn.test" A | tr ' ' '+')
  [ -n "$a" ] && listed="$listed $ip=$a"
done < <(python3 -c 'import csv,sys; [print(r["ip"]) for r in csv.DictReader(open(sys.argv[1]))]' "$TOP/samples/inventory.csv")
check "demo inventory: blocklist answers" \
  " 127.64.0.3=127.0.0.4 127.64.0.4=127.0.0.2+127.0.0.4 127.64.0.5=127.0.0.2 127.64.2.30=127.255.255.254" "$listed"
nospf=""
while IFS= read -r d; do
  q "$d" TXT | grep -q 'v=spf1' || nospf="$nospf $d"
done < <(python3 -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1])):
    s = r["sender"] or r["helo"]
    if s: print(s.split("@")[-1])' "$TOP/samples/inventory.csv")
check "demo inventory: every sender domain has SPF but evergreen.test" " evergreen.test" "$nospf"

finish
