#!/bin/bash
# SPDX-License-Identifier: MIT
# scripts/bench/network.sh - the "network" section of `make bench`
# (`make bench-network` alone): ptraudit under the conditions users scan in,
# emulated on loopback by testnet (tests/testnet.md) and, for dropped SYNs,
# by nftables inside a network namespace made here; and through a real
# recursive resolver, Debian's Unbound, in front of testnet.
#
#   N1  DNS-only /18 (127.96.0.0/18, --rate 0 -c 4096) through a resolver
#       answering 30% at once and 70% after 100-200 ms; every verdict
#       checked.  Beside it the peer a user would pick for bulk DNS,
#       dnsperf, run as two passes (PTR, then A for the names found) with
#       1,000 queries in flight on the same resolver.
#   N2  The same with two of its /24s lame (never answered).
#   N3  The same /18 through Unbound in front of testnet (same latency mix
#       at the authoritative side); Unbound's request-list figures.
#   N4  A /21 whose port 25 drops SYNs at the default --rate 100, and a /18
#       of them at --rate 0 (connect deadline 5 s).
#   N5  Peak RSS with 10,240 SMTP sessions waiting for a greeting.
#   N6  256 targets behind one MTA with a per-client limit of 20, at the
#       defaults and at --rate 0: rows with 421, sessions ended by RST.
#   N7  Tarpits: greetings after 15 s and 45 s at the default settings.
#
# Writes tests/bench/network.md (PTRAUDIT_BENCH_NET_OUT overrides) and
# prints it.  Loopback and a namespace only; every server is stopped at
# exit.  About 3 minutes.
set -u -o pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$TOP/tests/lib.sh"
OUT=${PTRAUDIT_BENCH_NET_OUT:-$TOP/tests/bench/network.md}
cd "$SCRATCH" || exit 1
MD=()
row() { MD+=("| $1 | $2 | $3 | $4 |"); }

# ---- N1, N2: the latency mix, then with two lame /24s -----------------------
testnet_start mix --dns-port 0 --dns-delay 30:100-200
MIX=$(testnet_key mix dns_port)
timed_run n1 "$PTRAUDIT" -r "127.0.0.1:$MIX" --no-smtp --rate 0 -c 4096 -q -o n1.csv 127.96.0.0/18
row "N1 DNS-only /18, 30% at once / 70% at 100-200 ms" "$WALL s" "$(report_count n1.csv iprev pass) of 16384 pass" "target <= 4 s"

if command -v dnsperf >/dev/null; then
  python3 - <<'EOF' >ptr.q
for c in range(64):
    for d in range(256):
        print("%d.%d.96.127.in-addr.arpa PTR" % (d, c))
EOF
  dnsperf -s 127.0.0.1 -p "$MIX" -q 1000 -t 10 -d ptr.q >dp1.out 2>&1
  # Pass 2: the A query of every PTR name.  dnsperf prints no answers, so
  # the names are taken from ptraudit's report of the same block (the same
  # resolver gives the same names); the time counted is dnsperf's alone.
  python3 - n1.csv <<'EOF' >a.q
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
i = rows[0].index("ptr")
for r in rows[1:]:
    for n in r[i].split():
        print(n, "A")
EOF
  dnsperf -s 127.0.0.1 -p "$MIX" -q 1000 -t 10 -d a.q >dp2.out 2>&1
  # dnsperf's own run times, the two passes added
  dpt=$(grep -h 'Run time (s):' dp1.out dp2.out | awk '{s+=$4} END {printf "%.2f", s}')
  lost=$(grep -h 'Queries lost' dp1.out dp2.out | awk '{s+=$3} END {print s+0}')
  row "N1 peer: dnsperf -q 1000, PTR pass then A pass" "$dpt s" "lost $lost queries" "-"
else
  row "N1 peer: dnsperf" "not installed" "PTRAUDIT_BENCH_DEPS=1 scripts/deps" "-"
fi

testnet_start lame --dns-port 0 --dns-delay 30:100-200 --dns-lame 127.96.5.0/24 --dns-lame 127.96.40.0/24
LAME=$(testnet_key lame dns_port)
timed_run n2 "$PTRAUDIT" -r "127.0.0.1:$LAME" --no-smtp --rate 0 -c 4096 -q -o n2.csv 127.96.0.0/18
row "N2 the same with two lame /24s" "$WALL s" "$(report_count n2.csv iprev temperror) temperror, $(python3 -c "import csv;r=list(csv.reader(open('n2.csv')));i=r[0].index('flags');print(sum('NO_PTR' in x[i] for x in r[1:]))") NO_PTR, $(report_count n2.csv iprev pass) pass" "target <= N1 + 6 s (one timeout budget)"

# ---- N3: through Unbound ------------------------------------------------------
start_unbound "$MIX"
timed_run n3 "$PTRAUDIT" -r "127.0.0.1:$UNBOUND_PORT" --no-smtp --rate 0 -c 4096 -q -o n3.csv 127.96.0.0/18
rl=$(unbound_stat total.requestlist.max)
ex=$(unbound_stat total.requestlist.exceeded)
ov=$(unbound_stat total.requestlist.overwritten)
q=$(unbound_stat total.num.queries)
row "N3 the /18 through Unbound (cold cache)" "$WALL s ($(python3 -c "print(int(16384/$WALL))") targets/s)" "$(report_count n3.csv iprev pass) pass; Unbound: $q queries, request list max $rl of 1024, exceeded $ex, overwritten $ov" "limited by Unbound"
timed_run n3b "$PTRAUDIT" -r "127.0.0.1:$UNBOUND_PORT" --no-smtp --rate 0 -c 4096 -q -o n3b.csv 127.96.0.0/18
row "N3 again (warm cache)" "$WALL s ($(python3 -c "print(int(16384/$WALL))") targets/s)" "$(report_count n3b.csv iprev pass) pass" "-"

# ---- N4: dropped SYNs -------------------------------------------------------------
netns_create
testnet_start_ns "$NETNS" syn --dns-port 0 --smtp-port 0 --smtp-net 127.96.0.0/30
P=$(testnet_key syn smtp_port)
SD=$(testnet_key syn dns_port)
netns_drop_syn "$NETNS" 127.67.0.0/16 "$P"
timed_run n4 ip netns exec "$NETNS" "$PTRAUDIT" -r "127.0.0.1:$SD" --smtp-port "$P" -q --fail-on never -o n4.csv 127.67.0.0/21
row "N4 /21 whose port 25 drops SYNs, default --rate 100" "$WALL s" "$(report_count n4.csv smtp_status timeout) of 2048 timeout" "target <= 30 s (floor 20.5 s)"
timed_run n4b ip netns exec "$NETNS" "$PTRAUDIT" -r "127.0.0.1:$SD" --smtp-port "$P" --rate 0 -q --fail-on never -o n4b.csv 127.67.0.0/18
row "N4 /18 of them, --rate 0" "$WALL s, $((RSS / 1024)) MiB" "$(report_count n4b.csv smtp_status timeout) of 16384 timeout" "target <= 15 s + start-up"

# ---- N5, N6, N7: waiting sessions, a shared MTA, tarpits -----------------------
testnet_start any --dns-port 0 --smtp-port 0 --smtp-any
AD=$(testnet_key any dns_port)
AS=$(testnet_key any smtp_port)
T=()
for i in $(seq 0 15); do T+=("127.64.$((4 + 16 * i)).0/24" "127.65.$((3 + 16 * i)).0/24"); done
for i in $(seq 0 7); do T+=("127.65.$((2 + 16 * i)).0/24"); done
timed_run n5 "$PTRAUDIT" -r "127.0.0.1:$AD" --smtp-port "$AS" --rate 0 --smtp-timeout 10000 \
  --sessions-per-prefix 1000 -q --fail-on never -o n5.csv "${T[@]}"
row "N5 10,240 SMTP sessions waiting (silent, tarpits), --rate 0" "$WALL s" "peak RSS $((RSS / 1024)) MiB" "target < 64 MiB"

testnet_start mta --dns-port 0 --smtp-port 0 --smtp-net 127.66.0.0/24 --smtp-net 127.65.0.0/22
MD_=$(testnet_key mta dns_port)
MS=$(testnet_key mta smtp_port)
for rate in 100 0; do
  timed_run n6 "$PTRAUDIT" -r "127.0.0.1:$MD_" --smtp-port "$MS" --rate $rate -q --fail-on never -o n6-$rate.csv 127.66.0.0/24
  row "N6 256 targets on one MTA (limit 20), --rate $rate" "$WALL s" "$(report_count n6-$rate.csv smtp_code 220) rows 220, $(report_count n6-$rate.csv smtp_code 421) rows 421, MTA said 421 $(testnet_stat mta smtp_limit_421) times" "target: 0 rows 421"
done
timed_run n7 "$PTRAUDIT" -r "127.0.0.1:$MD_" --smtp-port "$MS" -q --fail-on never -o n7.csv 127.65.2.1 127.65.3.1
g15=$(python3 -c "import csv;r=list(csv.reader(open('n7.csv')));h=r[0];print([x[h.index('smtp_status')]+' '+x[h.index('greeting_ms')] for x in r[1:] if x[0]=='127.65.2.1'][0])")
g45=$(python3 -c "import csv;r=list(csv.reader(open('n7.csv')));h=r[0];print([x[h.index('smtp_status')] for x in r[1:] if x[0]=='127.65.3.1'][0])")
row "N7 tarpit 15 s / 45 s, defaults" "$WALL s" "15 s: $g15 ms; 45 s: $g45" "banner; timeout"
row "N6/N7 sessions ended by RST / FIN (polite close)" "-" "$(testnet_stat mta smtp_client_rst) / $(testnet_stat mta smtp_client_fin)" "target: 0 RST"

{
  echo "# make bench: network section"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null), $(nproc) cores."
  echo
  echo "| case | wall | result | target |"
  echo "|---|---|---|---|"
  printf '%s\n' "${MD[@]}"
} >"$OUT"
cat "$OUT"
finish
