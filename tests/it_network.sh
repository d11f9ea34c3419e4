#!/bin/bash
# SPDX-License-Identifier: MIT
# it_network.sh - testnet's emulation of the network real users meet:
# greeting tarpits, enhanced status codes, shared MTAs with a per-client
# session limit, polite-close accounting, addresses whose SYNs are dropped
# (nftables in a network namespace this script creates), and Debian's
# Unbound as a recursive resolver in front of testnet.  Every expectation
# is written by hand from tests/testnet.md.  Loopback (and the script's own
# namespace) only.  Needs kdig, ip netns, nft and unbound (scripts/deps);
# missing tools are failures, never skips.
source "$(dirname "$0")/lib.sh"

for tool in kdig ip nft unbound unbound-control python3; do
  command -v "$tool" >/dev/null 2>&1 || not_ok "$tool installed (scripts/deps)"
done
[ -x "$TESTNET" ] || not_ok "$TESTNET built (run make)"
[ "$FAIL" -eq 0 ] || finish

hex() { od -An -tx1 -v | tr -d ' \n'; }
hexof() { printf "$1" | hex; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ------------------------------------------------------------------ SMTP
# MTA block 127.65.S.0/30 for S = 0..7, shared MTAs 127.66.0.0/28 and
# 127.66.1.0/28, clean 127.96.0.0/30; --mta-limit 3.
nets=""
for s in 0 1 2 3 4 5 6 7; do nets="$nets --smtp-net 127.65.$s.0/30"; done
# shellcheck disable=SC2086
testnet_start m --dns-port 0 --smtp-port 0 $nets --smtp-net 127.66.0.0/28 \
  --smtp-net 127.66.1.0/28 --smtp-net 127.96.0.0/30 --mta-limit 3
SP=$(testnet_key m smtp_port)

# The long tarpits run in the background while the rest goes on: the time
# from connect to the first greeting byte, in ms.
first_byte_ms() {
  local t0 t1
  t0=$(now_ms)
  timeout 60 bash -c 'exec 3<>/dev/tcp/$0/$1 && head -c 1 <&3 >/dev/null' "$1" "$SP" 2>/dev/null
  t1=$(now_ms)
  echo $((t1 - t0))
}
first_byte_ms 127.65.2.0 > "$SCRATCH/tarpit15" &
bg15=$!
first_byte_ms 127.65.3.0 > "$SCRATCH/tarpit45" &
bg45=$!

# session ADDR DELAY SEND SECONDS: connect, send SEND after DELAY seconds,
# print (hex) everything received within SECONDS or until the server closes.
session() {
  timeout 70 bash -c 'exec 3<>/dev/tcp/$0/$1 || exit 7
    if [ -n "$3" ]; then (sleep "$2"; printf "$3" >&3 2>/dev/null) & fi
    timeout "$4" cat <&3; wait; true' "$1" "$SP" "$2" "$3" "$4" 2>/dev/null | hex || true
}
# closes ADDR SECONDS: "closed" if the server ends the session within
# SECONDS without being asked to, "open" otherwise.
closes() {
  timeout 10 bash -c 'exec 3<>/dev/tcp/$0/$1 || exit 7
    timeout "$2" cat <&3 >/dev/null && echo closed || echo open' "$1" "$SP" "$2" 2>/dev/null
}

ehlo_quit='EHLO it.example\r\nQUIT\r\n'
fin0=$(testnet_stat m smtp_client_fin)
rst0=$(testnet_stat m smtp_client_rst)
check "mta 127.65.0.0: host first, 221 2.0.0, server waits" \
  "$(hexof '220 mail-ebaaaa.pass.tn.test ESMTP ready\r\n250-mail-ebaaaa.pass.tn.test\r\n250 OK\r\n221 2.0.0 Bye\r\n')" \
  "$(session 127.65.0.0 0.3 "$ehlo_quit" 1.5)"
check "polite close: the client's FIN counted" "$((fin0 + 1))" "$(testnet_stat m smtp_client_fin)"
# QUIT, then close without reading: the unread greeting and 221 make the
# client's kernel send RST.
timeout 5 bash -c 'exec 3<>/dev/tcp/$0/$1; sleep 0.3; printf "QUIT\r\n" >&3; sleep 0.3; exec 3<&-' \
  127.65.0.1 "$SP" 2>/dev/null
sleep 0.2
check "polite close: the client's RST counted" "$((rst0 + 1))" "$(testnet_stat m smtp_client_rst)"
check "polite close: that one was no FIN" "$((fin0 + 1))" "$(testnet_stat m smtp_client_fin)"
check "mta 127.65.7.0 = scenario 16" "$(hexof '220 mail-ebahaa.pass.tn.test ESMTP ready\r\n221 2.0.0 Bye\r\n')" \
  "$(session 127.65.7.0 0.3 'QUIT\r\n' 1)"
check "554 5.7.1 greeting (text, no host)" \
  "$(hexof '554 5.7.1 Service unavailable; access denied by local policy\r\n221 2.0.0 Bye\r\n')" \
  "$(session 127.65.4.0 0.3 'QUIT\r\n' 1)"
check "521 5.3.2 greeting" "$(hexof '521 5.3.2 mail-ebafaa.pass.tn.test Service currently unavailable\r\n')" \
  "$(session 127.65.5.0 0 '' 2)"
check "521: the server hangs up" "closed" "$(closes 127.65.5.0 2)"
check "421 4.7.0 greeting" "$(hexof '421 4.7.0 mail-ebagaa.pass.tn.test Service unavailable - try again later\r\n')" \
  "$(session 127.65.6.0 0 '' 2)"
check "421: the server hangs up" "closed" "$(closes 127.65.6.0 2)"
check "mta: the server does not hang up by itself" "open" "$(closes 127.65.0.0 1)"

check "tarpit 3 s: nothing within 2.5 s" "" "$(session 127.65.1.0 0 '' 2.5)"
check "tarpit 3 s: greeting by 4 s" "$(hexof '220 mail-ebabaa.pass.tn.test ESMTP ready\r\n221 2.0.0 Bye\r\n')" \
  "$(session 127.65.1.0 3.5 'QUIT\r\n' 4.5)"
pg0=$(testnet_stat m smtp_pregreet)
session 127.65.1.1 1 'EHLO early\r\n' 1.5 >/dev/null
check "tarpit: talking during the delay is a pregreet" "$((pg0 + 1))" "$(testnet_stat m smtp_pregreet)"

# Shared MTAs: 127.66.0.0/24 is one MTA, limit 3 sessions per client.
check "shared: greeting names the /24's MTA" \
  "$(hexof '220 mta-ecaaaa.shared.tn.test ESMTP\r\n250-mta-ecaaaa.shared.tn.test\r\n250 OK\r\n221 2.0.0 Bye\r\n')" \
  "$(session 127.66.0.9 0.3 "$ehlo_quit" 1)"
sleep 0.3 # that session's linger ends
exec 4<>/dev/tcp/127.66.0.1/"$SP" 5<>/dev/tcp/127.66.0.2/"$SP" 6<>/dev/tcp/127.66.0.3/"$SP"
sleep 0.2
check "shared: the 4th concurrent session on another address of the /24 gets 421" \
  "$(hexof '421 4.7.0 Error: too many connections from 127.0.0.1\r\n')" "$(session 127.66.0.4 0 '' 1)"
check "shared: ... and is closed" "closed" "$(closes 127.66.0.5 1)"
check "shared: another /24 is another MTA" "$(hexof '220 mta-ecabaa.shared.tn.test ESMTP\r\n')" \
  "$(session 127.66.1.1 0 '' 0.5)"
check "shared: 421s counted" "2" "$(testnet_stat m smtp_limit_421)"
exec 4<&-
sleep 0.04 # the server has seen the close, the 100 ms linger is not over
check "shared: a slot is still held right after a close (linger)" \
  "$(hexof '421 4.7.0 Error: too many connections from 127.0.0.1\r\n')" "$(session 127.66.0.6 0 '' 0.5)"
sleep 0.3
check "shared: free again after the linger" "$(hexof '220 mta-ecaaaa.shared.tn.test ESMTP\r\n')" \
  "$(session 127.66.0.7 0 '' 0.5)"
exec 5<&- 6<&-
check "clean block keeps 221 bye (no --smtp-polite)" \
  "$(hexof '220 mail-gaaaab.pass.tn.test ESMTP testnet\r\n221 bye\r\n')" "$(session 127.96.0.1 0.2 'QUIT\r\n' 2)"

testnet_start p --dns-port 0 --smtp-port 0 --smtp-net 127.96.0.0/30 --smtp-net 127.64.8.0/30 --smtp-polite
SPM=$SP
SP=$(testnet_key p smtp_port)
check "--smtp-polite: clean block answers 221 2.0.0 Bye and waits" \
  "$(hexof '220 mail-gaaaab.pass.tn.test ESMTP testnet\r\n221 2.0.0 Bye\r\n')" "$(session 127.96.0.1 0.2 'QUIT\r\n' 1)"
check "--smtp-polite: scenario 8 too" "$(hexof '421 mail-eaaiaa.pass.tn.test try later\r\n221 2.0.0 Bye\r\n')" \
  "$(session 127.64.8.0 0.3 'QUIT\r\n' 1)"
SP=$SPM

# ------------------------------------------------------------------ SYN drops
netns_create
testnet_start_ns "$NETNS" ns --dns-port 0 --smtp-port 0 --smtp-net 127.67.0.0/30 \
  --smtp-net 127.96.0.0/30
NSP=$(testnet_key ns smtp_port)
netns_drop_syn "$NETNS" 127.67.0.0/16 "$NSP"
rc=0
netns_exec "$NETNS" timeout 2 bash -c 'exec 3<>/dev/tcp/127.67.0.1/$0' "$NSP" 2>/dev/null || rc=$?
check "netns: connect to a SYN-dropped address times out" "124" "$rc"
check "netns: a normal address answers" "220 mail-gaaaab.pass.tn.test ESMTP testnet" \
  "$(netns_exec "$NETNS" timeout 3 bash -c 'exec 3<>/dev/tcp/127.96.0.1/$0; head -n 1 <&3' "$NSP" 2>/dev/null | tr -d '\r')"
check "netns: the dropped block on another port is not filtered" "refused" \
  "$(netns_exec "$NETNS" timeout 2 bash -c 'exec 3<>/dev/tcp/127.67.0.1/$(($0 ^ 1))' "$NSP" 2>&1 | grep -o refused | head -n 1)"
check "netns: DNS inside the namespace" "mail-gaaaab.pass.tn.test." \
  "$(netns_exec "$NETNS" kdig +short +time=1 +retry=0 @127.0.0.1 -p "$(testnet_key ns dns_port)" -x 127.96.0.1 2>/dev/null)"
check "netns: testnet's SMTP is not in this namespace" "refused" \
  "$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.96.0.1/$0' "$NSP" 2>&1 | grep -o refused | head -n 1)"

# ------------------------------------------------------------------ Unbound
testnet_start r --dns-port 0 --dns-lame 127.80.3.0/24
DP=$(testnet_key r dns_port)
start_unbound "$DP"
via() { kdig +short +time=4 +retry=0 @127.0.0.1 -p "$UNBOUND_PORT" "$@" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
direct() { kdig +short +time=1 +retry=0 @127.0.0.1 -p "$DP" "$@" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
ustatus() { kdig +time=4 +retry=0 @127.0.0.1 -p "$UNBOUND_PORT" "$@" 2>&1 | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1; }
check "unbound: pass" "mail-eaaaaa.pass.tn.test." "$(via -x 127.64.0.0)"
# Unbound rotates RRsets (rrset-roundrobin): compare the set.
check "unbound: multi (either order)" "a-eaaaaf.multi.tn.test. b-eaaaaf.multi.tn.test." \
  "$(via -x 127.64.0.5 | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
check "unbound: classless CNAME" "7.0/25.0.64.127.in-addr.arpa. mail-eaaaah.classless.tn.test." "$(via -x 127.64.0.7)"
check "unbound: clean block" "mail-gaabac.pass.tn.test." "$(via -x 127.96.1.2)"
check "unbound: forward A" "127.64.0.0" "$(via mail-eaaaaa.pass.tn.test A)"
check "unbound: mismatch A" "192.0.2.4" "$(via mail-eaaaae.mismatch.tn.test A)"
check "unbound: nxdomain" "NXDOMAIN" "$(ustatus -x 127.64.0.1)"
check "unbound = direct for 127.64.0.30" "$(direct -x 127.64.0.30)" "$(via -x 127.64.0.30)"
check "direct: lame name asked with RD is dropped" "" "$(direct -x 127.80.3.5)"
check "direct: lame name asked without RD is referred" \
  "3.80.127.in-addr.arpa. 3600 IN NS ns.lame.tn.test." \
  "$(kdig +norec +time=1 +retry=0 @127.0.0.1 -p "$DP" -x 127.80.3.5 2>/dev/null | grep -E '^3\.80\.127' | tr -s ' \t' ' ')"
lame=$(ustatus -x 127.80.3.5)
check "unbound: lame zone is not NOERROR (SERVFAIL or timeout)" "no" \
  "$([ "$lame" = NOERROR ] && echo yes || echo no)"
check_ge "unbound: testnet saw the referral" 1 "$(testnet_stat r dns_lame_referral)"
check_ge "unbound-control: total.num.queries" 9 "$(unbound_stat total.num.queries)"

# ------------------------------------------------------------------ tarpits
wait "$bg15" "$bg45"
t15=$(cat "$SCRATCH/tarpit15")
t45=$(cat "$SCRATCH/tarpit45")
check "tarpit 15 s: first byte after 14.5..17 s" "yes" \
  "$([ "$t15" -ge 14500 ] && [ "$t15" -le 17000 ] && echo yes || echo "no ($t15 ms)")"
check "tarpit 45 s: first byte after 44.5..47 s" "yes" \
  "$([ "$t45" -ge 44500 ] && [ "$t45" -le 47000 ] && echo yes || echo "no ($t45 ms)")"

finish
