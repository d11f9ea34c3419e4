# SPDX-License-Identifier: MIT
# tests/lib.sh - shared helpers for the integration scripts (bash).
# Source it from a tests/it_*.sh script; it sets up a scratch directory, a
# cleanup trap that stops every server the script started (even on failure),
# and pass/fail accounting that ends with "N passed, N failed".

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PTRAUDIT=${PTRAUDIT:-$TOP/ptraudit}
TESTNET=${TESTNET:-$TOP/testnet}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/ptraudit-it.XXXXXX")
PASS=0
FAIL=0
_PIDS=()

_cleanup() {
  local p
  for p in "${_PIDS[@]}"; do
    kill "$p" 2>/dev/null && { sleep 0.2; kill -9 "$p" 2>/dev/null; }
    wait "$p" 2>/dev/null
  done
  rm -rf "$SCRATCH"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# Register a background process to stop at exit.
track_pid() { _PIDS+=("$1"); }

ok() { PASS=$((PASS + 1)); printf 'ok   %s\n' "$1"; }
not_ok() { FAIL=$((FAIL + 1)); printf 'FAIL %s\n' "$1"; [ $# -gt 1 ] && printf '     %s\n' "${@:2}"; }

# check NAME EXPECTED ACTUAL
check() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# check_match NAME REGEX ACTUAL
check_match() {
  if [[ "$3" =~ $2 ]]; then ok "$1"; else not_ok "$1" "expected to match: $2" "actual: $3"; fi
}

# A free TCP+UDP port on 127.0.0.1, below the kernel's ephemeral range
# (32768+) so outgoing connections of other processes cannot take it
# between the check and the bind.  testnet picks its own (start_testnet).
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null &&
       ! ss -Hlun "sport = :$p" 2>/dev/null | grep -q .; then
      echo "$p"; return 0
    fi
  done
  return 1
}

# wait_for_file FILE [SECONDS]
wait_for_file() {
  local i n=$(( ${2:-10} * 10 ))
  for ((i = 0; i < n; i++)); do [ -e "$1" ] && return 0; sleep 0.1; done
  return 1
}

# start_testnet [extra args...]: starts testnet on ports it picks itself,
# waits until it is ready and sets DNS and SMTP to its ports.
start_testnet() {
  "$TESTNET" --dns-port 0 --smtp-port 0 --ready-file "$SCRATCH/testnet.ready" \
    --stats "$SCRATCH/testnet.stats" "$@" &
  track_pid $!
  wait_for_file "$SCRATCH/testnet.ready" 10 || { echo "testnet did not start" >&2; exit 1; }
  sleep 0.1 # the ready file is written in one go, but give the writer a moment
  DNS=$(awk '$1 == "dns_port" {print $2}' "$SCRATCH/testnet.ready")
  SMTP=$(awk '$1 == "smtp_port" {print $2}' "$SCRATCH/testnet.ready")
  [ -n "$DNS" ] && [ -n "$SMTP" ] || { echo "testnet ready file incomplete" >&2; exit 1; }
}

# Print the summary line the CI reader understands and exit accordingly.
finish() {
  printf '%d passed, %d failed\n' "$PASS" "$FAIL"
  [ "$FAIL" -eq 0 ]
  exit $?
}

# ---------------------------------------------------------------------------
# Additions for scripts that run several testnet instances, network
# namespaces and a recursive resolver (it_testnet.sh, it_network.sh).

# check_contains NAME NEEDLE HAYSTACK
check_contains() {
  case "$3" in
  *"$2"*) ok "$1" ;;
  *) not_ok "$1" "expected to contain: $2" "actual: $3" ;;
  esac
}

# check_ge NAME MIN ACTUAL: ACTUAL is an integer >= MIN.
check_ge() {
  if [[ "$3" =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ]; then ok "$1"; else not_ok "$1" "expected >= $2" "actual: $3"; fi
}

# testnet_start NAME ARGS...: start testnet with --ready-file, --stats, --log
# and --pidfile at $SCRATCH/NAME.{ready,stats,log,pid}; wait until ready.
# The caller passes --dns-port (and SMTP options).  Exits the script if
# testnet does not become ready (a test that cannot run fails).
testnet_start() { _testnet_launch "" "$@"; }

# testnet_start_ns NETNS NAME ARGS...: the same inside a namespace made by
# netns_create (its loopback is the namespace's own).
testnet_start_ns() { _testnet_launch "$@"; }

_testnet_launch() {
  local ns=$1 name=$2 pid i
  shift 2
  rm -f "$SCRATCH/$name.ready" "$SCRATCH/$name.stats"
  if [ -n "$ns" ]; then
    ip netns exec "$ns" "$TESTNET" --ready-file "$SCRATCH/$name.ready" \
      --stats "$SCRATCH/$name.stats" --log "$SCRATCH/$name.log" \
      --pidfile "$SCRATCH/$name.pid" "$@" &
  else
    "$TESTNET" --ready-file "$SCRATCH/$name.ready" --stats "$SCRATCH/$name.stats" \
      --log "$SCRATCH/$name.log" --pidfile "$SCRATCH/$name.pid" "$@" &
  fi
  pid=$!
  track_pid "$pid"
  for i in $(seq 200); do
    [ -s "$SCRATCH/$name.ready" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "testnet ($name) did not become ready" >&2
  not_ok "testnet $name starts"
  finish
}

# testnet_key NAME KEY: a value of instance NAME's ready file.
testnet_key() { awk -v k="$2" '$1 == k { print $2 }' "$SCRATCH/$1.ready"; }

# testnet_stat NAME KEY: a fresh counter of instance NAME (SIGUSR1 makes
# testnet rewrite its stats file).
testnet_stat() {
  local pid
  pid=$(testnet_key "$1" pid)
  rm -f "$SCRATCH/$1.stats"
  kill -USR1 "$pid"
  for _ in $(seq 100); do [ -s "$SCRATCH/$1.stats" ] && break; sleep 0.02; done
  awk -v k="$2" '$1 == k { print $2 }' "$SCRATCH/$1.stats"
}

# ---- network namespaces -----------------------------------------------------
_NETNS=()
_netns_cleanup() {
  local ns
  for ns in "${_NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
}

# netns_create: make a namespace with a unique name, bring its loopback up,
# register it for deletion at exit (after the tracked processes are
# stopped, even on failure) and set NETNS to its name (call it directly,
# not in $(...): the registration must happen in the script's shell).  Fails the test (exit) if
# `ip netns` does not work: a test that cannot run fails.
netns_create() {
  local ns="ptraudit-it-$$-${#_NETNS[@]}-$RANDOM"
  if [ ${#_NETNS[@]} -eq 0 ]; then
    trap '_cleanup; _netns_cleanup' EXIT
  fi
  if ! ip netns add "$ns" 2>"$SCRATCH/netns.err"; then
    not_ok "ip netns add $ns" "$(cat "$SCRATCH/netns.err")"
    finish
  fi
  _NETNS+=("$ns")
  if ! ip netns exec "$ns" ip link set lo up 2>"$SCRATCH/netns.err"; then
    not_ok "ip link set lo up in $ns" "$(cat "$SCRATCH/netns.err")"
    finish
  fi
  NETNS=$ns
}

# netns_exec NETNS COMMAND...: run COMMAND inside the namespace.
netns_exec() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# netns_drop_syn NETNS CIDR PORT: inside NETNS, drop every TCP SYN to an
# address of the IPv4 block CIDR on PORT (nftables), so a connect there
# times out instead of being refused.  Fails the test (exit) if nft fails.
netns_drop_syn() {
  local ns=$1 cidr=$2 port=$3
  if ! ip netns exec "$ns" nft -f - 2>"$SCRATCH/nft.err" <<NFT
table inet ptraudit_it {
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr $cidr tcp dport $port tcp flags & (syn | ack) == syn drop
  }
}
NFT
  then
    not_ok "nft rule dropping SYNs to $cidr:$port in $ns" "$(cat "$SCRATCH/nft.err")"
    finish
  fi
}

# ---- a recursive resolver ---------------------------------------------------
# start_unbound TESTNET_PORT: run Debian's Unbound in the foreground on
# 127.0.0.1:$UNBOUND_PORT (from free_port), iterating from a root served by
# testnet on 127.0.0.1:TESTNET_PORT (the config is
# scripts/bench/unbound.conf.in, written to $SCRATCH/unbound.conf).  Waits
# until it answers; sets UNBOUND_PORT and UNBOUND_CONF.  Exits the script
# (as a failure) if unbound is missing or does not answer.
start_unbound() {
  local tport=$1 pid i
  if ! command -v unbound >/dev/null 2>&1; then
    not_ok "unbound installed (Debian package unbound; scripts/deps)"
    finish
  fi
  UNBOUND_PORT=$(free_port) || { not_ok "free port for unbound"; finish; }
  UNBOUND_CONF="$SCRATCH/unbound.conf"
  sed -e "s|@PORT@|$UNBOUND_PORT|g" -e "s|@TESTNET_PORT@|$tport|g" \
      -e "s|@DIR@|$SCRATCH|g" "$TOP/scripts/bench/unbound.conf.in" > "$UNBOUND_CONF"
  unbound -d -c "$UNBOUND_CONF" >"$SCRATCH/unbound.out" 2>&1 &
  pid=$!
  track_pid "$pid"
  for i in $(seq 100); do
    if kdig +time=1 +retry=0 @127.0.0.1 -p "$UNBOUND_PORT" tn.test SOA 2>/dev/null |
       grep -q 'status: NOERROR'; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  not_ok "unbound answers on port $UNBOUND_PORT" "$(tail -5 "$SCRATCH/unbound.out")"
  finish
}

# unbound_stat KEY: a counter of `unbound-control stats_noreset` (e.g.
# total.num.queries, total.requestlist.max).
unbound_stat() {
  unbound-control -c "$UNBOUND_CONF" stats_noreset 2>/dev/null |
    awk -F= -v k="$1" '$1 == k { print $2 }'
}

# ---- for the benchmark sections (scripts/bench/*.sh) -------------------------

# timed_run NAME COMMAND...: run COMMAND with NAME.out and NAME.err in the current
# directory; its wall seconds, peak RSS (KiB) and exit status into $WALL,
# $RSS and $RC.
timed_run() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$name.time" "$@" >"$name.out" 2>"$name.err"
  RC=$?
  read -r WALL RSS < <(tail -n 1 "$name.time")
}

# report_count FILE COLUMN VALUE: the rows of CSV report FILE whose COLUMN is VALUE.
report_count() {
  python3 - "$@" <<'PY'
import csv, sys
rows = csv.reader(open(sys.argv[1], newline=""))
h = next(rows)
i = h.index(sys.argv[2])
print(sum(1 for r in rows if r[i] == sys.argv[3]))
PY
}
