#!/bin/bash
# SPDX-License-Identifier: MIT
# samples/parallel-ssh.sh - one audit split over N machines reachable by ssh:
# machine K of N runs `ptraudit --shard K/N` (same --seed everywhere, so the
# shards partition one permuted scan order and cover every target exactly
# once), the shards are copied back with scp and joined with `ptraudit
# merge`, then summarised.
#
#   samples/parallel-ssh.sh [-o OUT.csv.gz] [-s SEED] HOST... -- PTRAUDIT-ARGS...
#
# Example: three scanners, an inventory (copied to each host first):
#   samples/parallel-ssh.sh -o audit.csv.gz scan1 scan2 scan3 -- \
#       -r 127.0.0.1 --rate 200 -i inventory.csv
# A file operand of -i is copied to every host (to its remote work
# directory) and the option rewritten to the remote copy; TARGET operands
# (CIDRs, ranges, @FILE already present on the hosts) are passed as they
# are.  Each host needs ptraudit on its PATH (or set REMOTE_PTRAUDIT).
#
# With GNU parallel installed the hosts run as `parallel --jobs 0` jobs;
# without it (or with NO_PARALLEL=1), as plain background jobs: the same
# command line per host either way.  Environment:
#   SSH, SCP          commands to use (default ssh, scp; e.g. "ssh -F cfg")
#   REMOTE_PTRAUDIT   ptraudit on the hosts (default: ptraudit)
#   REMOTE_DIR        remote work directory (default /tmp/ptraudit-shards)
#   WORK              local directory for the shards (default ./shards-<seed>)
#   BY                --by column for the summary (e.g. customer)
#   PTRAUDIT          the local ptraudit for merge and summary (default: ptraudit)
# Exit status: 0 merged (the merged report's findings are in the summary);
# 2 usage error; 3 a host, a copy or the merge failed (the host is named).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

out=audit.csv.gz
seed=$(date -u +%Y%m%d)
while getopts o:s:h opt; do
  case $opt in
    o) out=$OPTARG ;;
    s) seed=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
hosts=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do hosts+=("$1"); shift; done
[ $# -gt 0 ] || usage
shift # --
if [ ${#hosts[@]} -eq 0 ] || [ $# -eq 0 ]; then usage; fi

SSH=${SSH:-ssh}
SCP=${SCP:-scp}
REMOTE_PTRAUDIT=${REMOTE_PTRAUDIT:-ptraudit}
REMOTE_DIR=${REMOTE_DIR:-/tmp/ptraudit-shards}
WORK=${WORK:-./shards-$seed}
BY=${BY:-}
PTRAUDIT=${PTRAUDIT:-ptraudit}
n=${#hosts[@]}
mkdir -p "$WORK"

# Files to copy: the operand of -i/--inventory (unless stdin).  The audit's
# arguments are rewritten to the remote path.
copy=()
args=()
while [ $# -gt 0 ]; do
  case $1 in
    -i|--inventory)
      [ $# -ge 2 ] || usage
      if [ "$2" = - ]; then args+=("$1" "$2")
      else copy+=("$2"); args+=("$1" "$REMOTE_DIR/$(basename "$2")"); fi
      shift 2 ;;
    --inventory=*)
      f=${1#--inventory=}; copy+=("$f"); args+=("--inventory=$REMOTE_DIR/$(basename "$f")")
      shift ;;
    *) args+=("$1"); shift ;;
  esac
done

# Quote each argument for the remote shell.
remote_cmd() {
  local k=$1 q a
  q="mkdir -p '$REMOTE_DIR' && cd '$REMOTE_DIR' && exec $REMOTE_PTRAUDIT"
  for a in "${args[@]}" --shard "$k/$n" --seed "$seed" --fail-on never -q --force \
           -o "shard-$k-of-$n.csv.gz"; do
    q+=" '${a//\'/\'\\\'\'}'"
  done
  printf '%s' "$q"
}

# One host's whole job as one bash command line: copy the inputs, run its
# shard, fetch the result.  Built as text (printf %q) so GNU parallel and the
# fallback run exactly the same thing.
host_cmd() {
  local host=$1 k=$2 c f
  local h; h=$(printf %q "$host")
  c="$SSH $h $(printf %q "mkdir -p '$REMOTE_DIR'")"
  for f in "${copy[@]+"${copy[@]}"}"; do
    c+=" && $SCP -q $(printf %q "$f") $(printf %q "$host:$REMOTE_DIR/")"
  done
  c+=" && $SSH $h $(printf %q "$(remote_cmd "$k")")"
  c+=" && $SCP -q $(printf %q "$host:$REMOTE_DIR/shard-$k-of-$n.csv.gz") $(printf %q "$WORK/")"
  c+=" || { echo $(printf %q "$host: shard $k/$n failed") >&2; exit 3; }"
  printf '%s\n' "$c"
}

echo "audit over $n hosts, seed $seed, shards in $WORK" >&2
cmds=()
for ((i = 0; i < n; i++)); do cmds+=("$(host_cmd "${hosts[i]}" $((i + 1)))"); done
status=0
if command -v parallel >/dev/null 2>&1 && [ "${NO_PARALLEL:-0}" != 1 ]; then
  # One job per host, all at once; a failed host does not stop the others.
  printf '%s\n' "${cmds[@]}" |
    SHELL=/bin/bash parallel --will-cite --jobs 0 --halt never || status=3
else
  pids=()
  for c in "${cmds[@]}"; do
    bash -c "$c" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || status=3; done
fi
[ "$status" -eq 0 ] || { echo "some shards failed; not merging" >&2; exit 3; }

shards=()
for ((k = 1; k <= n; k++)); do shards+=("$WORK/shard-$k-of-$n.csv.gz"); done
"$PTRAUDIT" merge --force -o "$out" "${shards[@]}" || exit 3
summary=(--html "${out%.csv.gz}.html")
[ -n "$BY" ] && summary+=(--by "$BY")
"$PTRAUDIT" summary "${summary[@]}" "$out" || exit 3
echo "merged report: $out; page: ${out%.csv.gz}.html" >&2
