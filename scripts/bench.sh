#!/bin/bash
# SPDX-License-Identifier: MIT
# scripts/bench.sh - `make bench`: ptraudit against a real DNS server and the
# loopback test network, next to the peer tools (dnsperf, adnshost, nmap), in
# one run.
#
#   1. scripts/bench/genzone.py writes a /16 reverse zone (127.200.0.0/16,
#      65,536 addresses, a fixed fraction without PTR, with a mismatching A
#      or with no A) and its forward zone, the expected verdict of every
#      address, and dnsperf query files.  Knot DNS (one UDP worker) serves
#      them on 127.0.0.1:<free port> (and on 127.53.0.1:53 for the peers
#      that cannot use another port, when that socket can be bound).
#   2. dnsperf against Knot: the ceiling (queries/s), at four -q settings,
#      and again at the best one just before each default ptraudit run.
#   3. Peers on the same server: adnshost (PTR + forward check) fed 100
#      addresses per process and as one process; nmap -sL (PTR only).
#   4. ptraudit --no-smtp --rate 0 on the /16: default settings (7 runs,
#      each next to a dnsperf run and to an --ordered run) and
#      other -c / --channels / --dns-timeout values; accuracy per address
#      against the expectations; UDP drops at Knot's socket and at
#      ptraudit's sockets; a perf profile of one default run.
#   5. testnet --smtp-any: the full audit (DNS + banner) of 127.96.0.0/16
#      versus nmap --script banner on the same responder.
#   6. Memory: ptraudit's peak RSS for 65,536 and 1,048,576 targets
#      (127.96.0.0/16 and /12 of testnet's clean block), DNS-only and full.
#   7. scripts/bench/report.py prints the table and writes
#      tests/bench/results.md (PTRAUDIT_BENCH_OUT overrides the path).
#   8. scripts/bench/network.sh: the network section, under the conditions
#      users scan in (tests/bench/network.md; `make bench-network` alone).
#   9. scripts/bench/senders.sh: the sender checks on a /16 with 50 sender
#      domains (tests/bench/senders.md; `make bench-senders` alone).
#
# Loopback only: every server listens on 127.0.0.0/8 and every target is in
# 127.200.0.0/16 or 127.96.0.0/12.  Every server started here is stopped on
# exit (trap), and the script can be re-run.  About 3-4 minutes on 2 cores;
# every step has a time limit.  PTRAUDIT_BENCH_KEEP=1 keeps the work dir.
set -u -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BD=$TOP/scripts/bench
PTRAUDIT=$TOP/ptraudit
TESTNET=$TOP/testnet
OUTMD=${PTRAUDIT_BENCH_OUT:-$TOP/tests/bench/results.md}
W=$(mktemp -d "${TMPDIR:-/tmp}/ptraudit-bench.XXXXXX")
M=$W/m
mkdir -p "$M"
PIDS=()
T_START=$(date +%s)

MPID=
# The process ids below $1 (children first), from /proc.
tree() {
  local c
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do tree "$c"; done
  echo "$1"
}
cleanup() {
  local p
  # A measurement still running (the script was interrupted): stop it and
  # everything under it, by process id.
  if [ -n "$MPID" ]; then
    for p in $(tree "$MPID"); do kill "$p" 2>/dev/null; done
    wait "$MPID" 2>/dev/null
  fi
  for p in "${PIDS[@]}"; do
    if kill "$p" 2>/dev/null; then
      for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$p" 2>/dev/null
    fi
    wait "$p" 2>/dev/null
  done
  if [ "${PTRAUDIT_BENCH_KEEP:-0}" = 1 ]; then
    echo "bench: work directory kept: $W" >&2
  else
    rm -rf "$W"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[bench %s +%ss] %s\n' "$(date +%H:%M:%S)" "$(($(date +%s) - T_START))" "$*" >&2; }
die() { log "error: $*"; exit 1; }
note() { printf '%s\n' "$*" >>"$W/notes.txt"; log "note: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# A port free for UDP and TCP on 127.0.0.1.
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null &&
       ! ss -Hlun "sport = :$p" 2>/dev/null | grep -q .; then
      echo "$p"; return 0
    fi
  done
  return 1
}

# row ID SECTION LABEL TARGETS QUERIES KIND: one line of the table (the
# measurement is $M/ID.json, its accuracy $M/ID.acc.json).
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$W/manifest.tsv"; }

# measure ID [measure.py options] -- CMD...: run CMD under a time limit.
measure() {
  local id=$1; shift
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  # In the background so that a signal runs the trap at once (bash runs
  # traps only between foreground commands, but `wait` is interrupted).
  python3 "$BD/measure.py" "${opts[@]}" --out "$M/$id.json" -- \
    timeout -k 5 "${LIMIT:-180}" "$@" &
  MPID=$!
  wait "$MPID"
  MPID=
}

# --- 0. dependencies and preconditions ---------------------------------
log "installing/checking the bench packages (scripts/deps bench)"
if ! sh "$TOP/scripts/deps" bench >&2; then
  note "scripts/deps failed (no root/sudo or no network?); tools that are missing are reported as not run"
fi
missing=
for t in knotd kdig python3 ss timeout; do have "$t" || missing="$missing $t"; done
[ -x /usr/bin/time ] || missing="$missing /usr/bin/time"
[ -x "$PTRAUDIT" ] || missing="$missing $PTRAUDIT"
[ -x "$TESTNET" ] || missing="$missing $TESTNET"
[ -z "$missing" ] || die "missing:$missing (run 'scripts/deps bench' and 'make')"

# --- machine ------------------------------------------------------------
busy() { # CPU use over 1 s (other processes included) and the busiest ones
  top -b -n 2 -d 1 -w 200 2>/dev/null | awk '
    /^top -/ { n++ }
    n == 2 && /^%Cpu/ { gsub(/,/, " "); printf "CPU over 1 s: %.0f%% user+sys, %.0f%% niced, %.0f%% idle", $2 + $4 + $14, $6, $8 }
    n == 2 && /^ *[0-9]+ / && $9 + 0 >= 5 && k < 4 { printf "%s %s %s%%", (k++ ? "," : "; busiest:"), $12, $9 }'
}
{
  echo "date	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc	$(nproc)"
  echo "cpu	$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "memory	$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel	$(uname -sr)"
  echo "os	$(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}")"
  echo "ptraudit	$("$PTRAUDIT" -V 2>&1 | head -1)"
  echo "c-ares	$(dpkg-query -W -f='${Version}' libc-ares2 2>/dev/null || echo ?)"
  echo "libuv	$(dpkg-query -W -f='${Version}' libuv1 2>/dev/null || echo ?)"
  echo "knot	$(knotd --version 2>&1 | head -1)"
  echo "dnsperf	$(have dnsperf && dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1 || echo missing)"
  echo "adns	$(have adnshost && adnshost --version 2>&1 | head -1 || echo missing)"
  echo "nmap	$(have nmap && nmap --version 2>&1 | head -1 || echo missing)"
  echo "perf	$(have perf && perf --version 2>&1 | head -1 || echo missing)"
  echo "udp rmem	default $(cat /proc/sys/net/core/rmem_default), max $(cat /proc/sys/net/core/rmem_max) bytes"
  # How many query-sized datagrams a socket with the default receive buffer
  # (Knot's) holds before the kernel drops: the most queries one client can
  # usefully keep outstanding against such a server.
  echo "default socket holds	$(python3 "$BD/sockcap.py") datagrams of 46 bytes (a PTR query) before dropping"
  echo "source	$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo ?)$(git -C "$TOP" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
  echo "before the bench	load $(cut -d' ' -f1-3 /proc/loadavg); $(busy)"
} >"$W/machine.tsv"
log "machine: $(nproc) CPUs, $(sed -n 's/^cpu\t//p' "$W/machine.tsv"); $(sed -n 's/^before the bench\t//p' "$W/machine.tsv")"

# --- 1. zones and Knot --------------------------------------------------
Z=$W/zones
log "generating the /16 zones and expectations"
python3 "$BD/genzone.py" --octet 200 --out "$Z" || die "genzone.py failed"
echo "python3 scripts/bench/genzone.py --octet 200 --out $Z" >>"$W/setup.txt"
cnt() { awk -v k="$1" '$1 == k {print $2}' "$Z/counts.txt"; }
NADDR=$(cnt addresses)
NQ=$(cnt total_queries)
REVZONE=$(cnt reverse_zone)
BLOCK=127.200.0.0/16
{
  echo "zone (addresses)	pass $(cnt pass), no PTR $(cnt noptr), mismatching A $(cnt mismatch), PTR name without A $(cnt nofwd)"
  echo "queries per /16 audit	$NQ ($(cnt ptr_queries) PTR + $(cnt a_queries) A)"
} >>"$W/machine.tsv"

KNOT_PORT=$(free_port) || die "no free port for knotd"
LISTEN="127.0.0.1@$KNOT_PORT"
# adnshost and nmap cannot use a port other than 53: give them 127.53.0.1:53
# if this process may bind it and nothing holds it (another loopback address
# than 127.0.0.1/127.0.0.53, so a local resolver there is not disturbed).
PEER=127.53.0.1
if python3 - "$PEER" <<'EOF' 2>/dev/null
import socket, sys
for t in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, t)
    s.bind((sys.argv[1], 53))
    s.close()
EOF
then
  LISTEN="$LISTEN, $PEER@53"
else
  note "cannot bind $PEER:53 (not root, or port 53 in use): adnshost and nmap -sL (port 53 only) are not run"
  PEER=
fi
K=$W/knot
mkdir -p "$K/run" "$K/db" "$K/zones"
cp "$Z"/*.zone "$K/zones/"
sed -e "s|@DIR@|$K|g" -e "s|@LISTEN@|$LISTEN|" -e "s|@REVZONE@|$REVZONE|" \
  "$BD/knot.conf.in" >"$K/knot.conf"
log "starting knotd on $LISTEN (one UDP worker)"
echo "knotd -c $K/knot.conf   # listen: $LISTEN" >>"$W/setup.txt"
knotd -c "$K/knot.conf" >"$K/knotd.log" 2>&1 &
KNOT_PID=$!
PIDS+=("$KNOT_PID")
knot_up() {
  kdig @127.0.0.1 -p "$KNOT_PORT" +time=1 +retry=0 +short PTR "1.0.200.127.in-addr.arpa" 2>/dev/null |
    grep -q 'mx-aaab.ok.bench.test' &&
  kdig @127.0.0.1 -p "$KNOT_PORT" +time=1 +retry=0 +short A mx-aaab.ok.bench.test 2>/dev/null |
    grep -q '^127.200.0.1$'
}
for _ in $(seq 1 100); do knot_up && break; kill -0 "$KNOT_PID" 2>/dev/null || break; sleep 0.2; done
knot_up || die "knotd does not serve the zones: $(tail -5 "$K/knotd.log")"
if [ -n "$PEER" ] && ! kdig @"$PEER" -p 53 +time=1 +retry=0 +short A mx-aaab.ok.bench.test 2>/dev/null |
     grep -q '^127.200.0.1$'; then
  note "knotd does not answer on $PEER:53: adnshost and nmap -sL are not run"
  PEER=
fi
RES=127.0.0.1:$KNOT_PORT
KW=(--watch "knot=$KNOT_PID" --server-sock "$RES")
[ -n "$PEER" ] && KW+=(--server-sock "$PEER:53")

# --- 2. ceiling: dnsperf ------------------------------------------------
if have dnsperf; then
  for q in 50 100 200 500; do
    log "dnsperf -q $q (3 s, the query mix of a full FCrDNS audit of the /16)"
    LIMIT=30 measure "dnsperf-q$q" "${KW[@]}" -- \
      dnsperf -s 127.0.0.1 -p "$KNOT_PORT" -d "$Z/queries.txt" -l 3 -q "$q" >"$M/dnsperf-q$q.txt" 2>&1
    row "dnsperf-q$q" dns "dnsperf -q $q (ceiling candidate)" - - dnsperf
  done
else
  note "dnsperf missing: no ceiling measured"
fi

# --- 3. peers -------------------------------------------------------------
ADNS="adnshost +e --config 'nameserver $PEER' -Fi"
if [ -n "$PEER" ] && have adnshost; then
  sed 's/^/-i/' "$Z/addresses.txt" >"$W/adns-args.txt"
  for P in 1 2; do
    log "adnshost, 100 addresses per process, $P process(es) at a time (xargs -P $P)"
    measure "adns100-p$P" "${KW[@]}" -- bash -c \
      "xargs -n 100 -P $P $ADNS <'$W/adns-args.txt' >'$M/adns100-p$P.out'"
    python3 "$BD/score_peers.py" adns "$Z/expected.csv" "$M/adns100-p$P.out" >"$M/adns100-p$P.acc.json"
    row "adns100-p$P" dns "adnshost -i, 100 per process, xargs -P $P" "$NADDR" "$NQ" peer
  done
  SLICE=16384
  head -n "$SLICE" "$W/adns-args.txt" >"$W/adns-slice.txt"
  head -n "$SLICE" "$Z/addresses.txt" >"$W/slice-addrs.txt"
  SLICE_Q=$(awk -F, 'NR > 1 && NR <= '"$SLICE"' + 1 {n += ($6 != "") ? 2 : 1} END {print n}' "$Z/expected.csv")
  log "adnshost as one process fed $SLICE addresses (-f; slice 127.200.0.0/18)"
  LIMIT=120 measure adns-one "${KW[@]}" -- bash -c \
    "$ADNS -f <'$W/adns-slice.txt' >'$M/adns-one.out'"
  python3 "$BD/score_peers.py" adns "$Z/expected.csv" "$M/adns-one.out" "$W/slice-addrs.txt" >"$M/adns-one.acc.json"
  row adns-one dns "adnshost -f, one process fed $SLICE (the /18 slice)" "$SLICE" "$SLICE_Q" peer
else
  [ -n "$PEER" ] && note "adnshost missing (adns-tools): not run"
fi
if [ -n "$PEER" ] && have nmap; then
  log "nmap -sL --dns-servers $PEER $BLOCK (reverse DNS only)"
  LIMIT=240 measure nmap-sl "${KW[@]}" -- \
    nmap -sL --dns-servers "$PEER" -oG "$M/nmap-sl.gnmap" "$BLOCK" >"$M/nmap-sl.txt" 2>&1
  python3 "$BD/score_peers.py" nmap "$Z/expected.csv" "$M/nmap-sl.gnmap" >"$M/nmap-sl.acc.json"
  row nmap-sl dns "nmap -sL (PTR only, no forward check)" "$NADDR" "$NADDR" peerptr
else
  [ -n "$PEER" ] && note "nmap missing: not run"
fi

# --- 4. ptraudit, DNS only ----------------------------------------------
PA_DNS=(--no-smtp --rate 0 -r "$RES" -q --force)
# pa_run ID [extra options]: one run, kept for pa_score.
pa_run() {
  local id=$1; shift
  log "ptraudit DNS-only: $id"
  LIMIT=120 measure "$id" "${KW[@]}" --client-drops -- \
    "$PTRAUDIT" "${PA_DNS[@]}" "$@" -o "$W/$id.csv.gz" "$BLOCK" 2>"$M/$id.err"
}
# pa_score ID LABEL: check every verdict of run ID, add its row.
pa_score() {
  python3 "$BD/compare.py" file "$Z/expected.csv" "$W/$1.csv.gz" --json >"$M/$1.acc.json"
  row "$1" dns "ptraudit --no-smtp $2" "$NADDR" "$NQ" ptraudit
  rm -f "$W/$1.csv.gz"
}
pa_dns() { # ID LABEL [extra options]
  local id=$1 label=$2; shift 2
  pa_run "$id" "$@"
  pa_score "$id" "$label"
}
# This machine's speed drifts (a VM's neighbours) by more than the 20% a
# target allows, for seconds at a time.  So every comparison is made
# between runs seconds apart: each default run follows a dnsperf run at
# the best setting above, and runs back to back with an --ordered run, the
# two in alternating order (ABBA) so that a drift does not favour either;
# the verdicts are checked after both.  Seven pairs; the report judges the
# medians of the pairwise ratios.
BESTQ=$(for q in 50 100 200 500; do
          sed -n "s/^ *Queries per second: *\([0-9.]*\).*/\1 $q/p" "$M/dnsperf-q$q.txt" 2>/dev/null
        done | sort -rn | awk 'NR == 1 {print $2}')
for i in 1 2 3 4 5 6 7; do
  if [ -n "$BESTQ" ]; then
    log "dnsperf -q $BESTQ (2 s), paired with ptraudit default run $i"
    LIMIT=30 measure "dnsperf-pair$i" "${KW[@]}" -- \
      dnsperf -s 127.0.0.1 -p "$KNOT_PORT" -d "$Z/queries.txt" -l 2 -q "$BESTQ" >"$M/dnsperf-pair$i.txt" 2>&1
    row "dnsperf-pair$i" dns "dnsperf -q $BESTQ, just before ptraudit runs $i" - - dnsperf
  fi
  if [ $((i % 2)) = 1 ]; then
    pa_run "pa-default-$i"
    pa_run "pa-ordered-$i" --ordered
  else
    pa_run "pa-ordered-$i" --ordered
    pa_run "pa-default-$i"
  fi
  pa_score "pa-default-$i" "defaults (-c 256, auto channels), run $i"
  pa_score "pa-ordered-$i" "--ordered, run $i"
done
pa_dns pa-c64 "-c 64" -c 64
pa_dns pa-c128 "-c 128" -c 128
pa_dns pa-c512 "-c 512" -c 512
pa_dns pa-c1000 "-c 1000" -c 1000
pa_dns pa-c1000-ch4 "-c 1000 --channels 4" -c 1000 --channels 4
pa_dns pa-ch1 "--channels 1" --channels 1
pa_dns pa-ch4 "--channels 4" --channels 4
pa_dns pa-t250 "--dns-timeout 250" --dns-timeout 250

if have perf; then
  log "perf record of one default DNS-only run"
  if LIMIT=120 measure pa-perf --watch "knot=$KNOT_PID" -- \
       perf record -q -F 4999 -o "$W/perf.data" -- \
       "$PTRAUDIT" "${PA_DNS[@]}" -o "$W/perf.csv.gz" "$BLOCK" >"$M/perf-record.txt" 2>&1 &&
     [ -s "$W/perf.data" ]; then
    perf report -i "$W/perf.data" --no-children --sort sym --stdio 2>/dev/null |
      grep -E '^ +[0-9.]+%' | head -10 >"$M/perf-top-all.txt"
    perf report -i "$W/perf.data" --no-children --sort dso --stdio 2>/dev/null |
      grep -E '^ +[0-9.]+%' | head -8 >"$M/perf-dso.txt"
    perf report -i "$W/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null |
      grep -E '^ +[0-9.]+%' | grep -v '\[k\]' | head -10 >"$M/perf-top-user.txt"
  else
    note "perf record failed ($(tail -1 "$M/perf-record.txt" 2>/dev/null)): no profile"
  fi
  rm -f "$W/perf.csv.gz"
else
  note "perf missing (linux-perf): no profile"
fi

# Knot is not needed any more: free its CPU for the testnet part.
kill "$KNOT_PID" 2>/dev/null && wait "$KNOT_PID" 2>/dev/null

# --- 5. full audit with banner, against testnet ---------------------------
TN_DNS=$(free_port) || die "no free port for testnet DNS"
TN_SMTP=$(free_port) || die "no free port for testnet SMTP"
while [ "$TN_SMTP" = "$TN_DNS" ]; do TN_SMTP=$(free_port); done
log "starting testnet: DNS 127.0.0.1:$TN_DNS, SMTP on every 127.x address port $TN_SMTP"
echo "./testnet --dns-port $TN_DNS --smtp-port $TN_SMTP --smtp-any --quiet" \
  "--ready-file $W/testnet.ready --stats $W/testnet.stats" >>"$W/setup.txt"
"$TESTNET" --dns-port "$TN_DNS" --smtp-port "$TN_SMTP" --smtp-any --quiet \
  --ready-file "$W/testnet.ready" --stats "$W/testnet.stats" >"$W/testnet.log" 2>&1 &
TN_PID=$!
PIDS+=("$TN_PID")
for _ in $(seq 1 100); do [ -e "$W/testnet.ready" ] && break; kill -0 "$TN_PID" 2>/dev/null || break; sleep 0.1; done
[ -e "$W/testnet.ready" ] || die "testnet did not start: $(tail -3 "$W/testnet.log")"
TW=(--watch "testnet=$TN_PID" --server-sock "127.0.0.1:$TN_DNS")
TB16=127.96.0.0/16
TB12=127.96.0.0/12
CLEAN_OK=(verdict=ok flags= iprev=pass ptr_status=ok)

pa_tn() { # ID SECTION LABEL BLOCK TARGETS QUERIES KIND SMTP(0/1)
  local id=$1 sec=$2 label=$3 blk=$4 n=$5 q=$6 kind=$7 smtp=$8 opts=() want=()
  if [ "$smtp" = 1 ]; then
    opts=(--smtp-port "$TN_SMTP"); want=(smtp_status=banner smtp_code=220)
  else
    opts=(--no-smtp); want=(smtp_status=skipped)
  fi
  log "ptraudit vs testnet: $label"
  LIMIT=240 measure "$id" "${TW[@]}" -- "$PTRAUDIT" --rate 0 -r "127.0.0.1:$TN_DNS" "${opts[@]}" \
    -q --force -o "$W/$id.csv.gz" "$blk" 2>"$M/$id.err"
  python3 "$BD/compare.py" uniform "$blk" "$W/$id.csv.gz" "${CLEAN_OK[@]}" "${want[@]}" --json \
    >"$M/$id.acc.json"
  row "$id" "$sec" "$label" "$n" "$q" "$kind"
  rm -f "$W/$id.csv.gz"
}
pa_tn tn-full16 banner "ptraudit full audit (DNS + banner), $TB16" "$TB16" 65536 131072 ptraudit 1
if have nmap; then
  log "nmap --script banner on $TB16 port $TN_SMTP"
  LIMIT=240 measure nmap-banner "${TW[@]}" -- \
    nmap -n -Pn -sT -p "$TN_SMTP" --script banner -oN "$M/nmap-banner.nmap" "$TB16" >/dev/null 2>"$M/nmap-banner.err"
  python3 "$BD/score_peers.py" nmapbanner "$TB16" "$M/nmap-banner.nmap" >"$M/nmap-banner.acc.json"
  row nmap-banner banner "nmap -sT --script banner, $TB16" 65536 - peer
else
  note "nmap missing: no banner peer"
fi

# --- 6. memory flatness ---------------------------------------------------
pa_tn mem-dns16 mem "ptraudit --no-smtp, $TB16 (65,536)" "$TB16" 65536 131072 ptraudit 0
pa_tn mem-dns12 mem "ptraudit --no-smtp, $TB12 (1,048,576)" "$TB12" 1048576 2097152 ptraudit 0
pa_tn mem-full12 mem "ptraudit full audit, $TB12 (1,048,576)" "$TB12" 1048576 2097152 ptraudit 1

kill -USR1 "$TN_PID" 2>/dev/null
echo "after the bench	load $(cut -d' ' -f1-3 /proc/loadavg); $(busy)" >>"$W/machine.tsv"
echo "duration	$(($(date +%s) - T_START)) s" >>"$W/machine.tsv"

# --- 7. report --------------------------------------------------------------
mkdir -p "$(dirname "$OUTMD")"
python3 "$BD/report.py" "$W" "$OUTMD" || die "report.py failed"
log "results written to $OUTMD"

# --- 8. the network section (late answers, lame zones, Unbound, dropped
# SYNs, tarpits, shared MTAs): its own script and table --------------------
bash "$BD/network.sh" || die "the network section failed"

# --- 9. the sender checks (SPF, DMARC, a blocklist, the answer cache) -----
bash "$BD/senders.sh" || die "the sender-checks section failed"
