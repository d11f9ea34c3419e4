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
