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
# Example: three scanners, an inventory and an exclude file (copied to each
# host first):
#   samples/parallel-ssh.sh -o audit.csv.gz scan1 scan2 scan3 -- \
#       -r 127.0.0.1 --rate 200 -i inventory.csv --exclude-file /etc/ptraudit/exclude.conf
# The file operands of -i/--inventory and --exclude-file are copied to every
# host, into a fresh private directory made there with `mktemp -d` (no
# predictable /tmp path another user could prepare), and the options are
# rewritten to the remote copies; TARGET operands (CIDRs, ranges, @FILE
# already present on the hosts) are passed as they are.  Each host needs
# ptraudit on its PATH (or set REMOTE_PTRAUDIT).
#
# Completion before merging: a host's shard is fetched and merged only when
# its ptraudit exited 0 and its run metadata (shard-K-of-N.csv.gz.meta.json)
# says "completed": true.  An interrupted or failed shard stays on its host
# (its .partial report and checkpoint, in the directory named in the
# message, for --resume or a look), nothing is merged, and the exit status
# is 3.  A completed host's directory is removed.
#
# With GNU parallel installed the hosts run as `parallel --jobs 0` jobs;
# without it (or with NO_PARALLEL=1), as plain background jobs: the same
# per-host script either way.  Environment:
#   SSH, SCP          commands to use (default ssh, scp; e.g. "ssh -F cfg")
#   REMOTE_PTRAUDIT   ptraudit on the hosts (default: ptraudit)
#   REMOTE_TMPDIR     where mktemp -d makes the remote directory (default: the
#                     host's $TMPDIR, else /tmp)
#   WORK              local directory for the shards (default ./shards-<seed>)
#   BY                --by column for the summary (e.g. customer)
#   PTRAUDIT          the local ptraudit for merge and summary (default: ptraudit)
# Exit status: 0 merged (the merged report's findings are in the summary);
# 2 usage error; 3 a host, a copy, a shard's completion or the merge failed
# (the host is named).
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
REMOTE_TMPDIR=${REMOTE_TMPDIR:-}
WORK=${WORK:-./shards-$seed}
BY=${BY:-}
PTRAUDIT=${PTRAUDIT:-ptraudit}
n=${#hosts[@]}
mkdir -p "$WORK"

# Files to copy: the operands of -i/--inventory (unless stdin) and
# --exclude-file.  In the audit's arguments they become "@RDIR@/NAME", and
# each host's script puts its own directory in place of @RDIR@.
copy=()
args=()
remote_copy() { # OPTION= FILE: queue FILE and print the rewritten argument
  copy+=("$2")
  args+=("$1@RDIR@/$(basename "$2")")
}
while [ $# -gt 0 ]; do
  case $1 in
    -i|--inventory|--exclude-file)
      [ $# -ge 2 ] || usage
      if [ "$2" = - ]; then args+=("$1" "$2"); else args+=("$1"); remote_copy "" "$2"; fi
      shift 2 ;;
    --inventory=*) remote_copy --inventory= "${1#--inventory=}"; shift ;;
    --exclude-file=*) remote_copy --exclude-file= "${1#--exclude-file=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

# The remote command for shard K in directory RDIR, quoted for the remote
# shell.
remote_cmd() {
  local k=$1 rdir=$2 q a
  q="cd '$rdir' && exec $REMOTE_PTRAUDIT"
  for a in "${args[@]}" --shard "$k/$n" --seed "$seed" --fail-on never -q \
           -o "shard-$k-of-$n.csv.gz"; do
    a=${a//@RDIR@/$rdir}
    q+=" '${a//\'/\'\\\'\'}'"
  done
  printf '%s' "$q"
}

# completed REPORT: the run metadata beside REPORT says the run completed
# and exited 0.  No metadata: not complete.
completed() {
  local m
  [ -f "$1" ] && [ -f "$1.meta.json" ] || return 1
  m=$(tr -d ' \t\r\n' < "$1.meta.json")
  [[ $m == *'"completed":true'* ]] || return 1
  [[ $m == *'"exit_status":0,'* || $m == *'"exit_status":0}'* ]]
}

# One host's whole job: a private remote directory, the inputs copied, its
# shard run, the metadata checked, the shard fetched, the directory removed.
host_job() {
  local host=$1 k=$2 rdir f shard rc=0
  shard=shard-$k-of-$n.csv.gz
  fail() { echo "$host: shard $k/$n failed: $*" >&2; exit 3; }
  # shellcheck disable=SC2016 # $TMPDIR is the remote host's
  local tdir='"${TMPDIR:-/tmp}"'
  [ -z "$REMOTE_TMPDIR" ] || tdir=$(printf %q "$REMOTE_TMPDIR")
  rdir=$($SSH "$host" "mktemp -d $tdir/ptraudit-shard.XXXXXXXX") || fail "mktemp -d on the host"
  case $rdir in /*) ;; *) fail "mktemp -d printed '$rdir'" ;; esac
  for f in "${copy[@]+"${copy[@]}"}"; do
    $SCP -q "$f" "$host:$rdir/" || fail "copying $f to $host:$rdir"
  done
  $SSH "$host" "$(remote_cmd "$k" "$rdir")" || rc=$?
  rm -f "$WORK/$shard" "$WORK/$shard.meta.json"
  $SCP -q "$host:$rdir/$shard.meta.json" "$WORK/" 2>/dev/null || true
  if [ "$rc" -ne 0 ] || ! { $SCP -q "$host:$rdir/$shard" "$WORK/" && completed "$WORK/$shard"; }; then
    rm -f "$WORK/$shard"
    fail "exit $rc, not complete; its partial report and checkpoint are in $host:$rdir"
  fi
  $SSH "$host" "rm -rf '$rdir'" || echo "$host: could not remove $rdir" >&2
}

echo "audit over $n hosts, seed $seed, shards in $WORK" >&2
status=0
if command -v parallel >/dev/null 2>&1 && [ "${NO_PARALLEL:-0}" != 1 ]; then
  # One job per host, all at once; a failed host does not stop the others.
  export -f host_job remote_cmd completed
  export n seed SSH SCP REMOTE_PTRAUDIT REMOTE_TMPDIR WORK
  export ARGS_Q COPY_Q
  ARGS_Q=$(declare -p args) COPY_Q=$(declare -p copy)
  # shellcheck disable=SC2016 # the job's own shell expands them
  for ((i = 0; i < n; i++)); do printf '%s\t%s\n' "${hosts[i]}" $((i + 1)); done |
    SHELL=/bin/bash parallel --will-cite --jobs 0 --halt never --colsep '\t' \
      'eval "$ARGS_Q"; eval "$COPY_Q"; host_job {1} {2}' || status=3
else
  pids=()
  for ((i = 0; i < n; i++)); do
    (host_job "${hosts[i]}" $((i + 1))) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || status=3; done
fi
[ "$status" -eq 0 ] || { echo "some shards did not complete; not merging" >&2; exit 3; }

shards=()
for ((k = 1; k <= n; k++)); do
  f=$WORK/shard-$k-of-$n.csv.gz
  completed "$f" || { echo "$f: not complete; not merging" >&2; exit 3; }
  shards+=("$f")
done
"$PTRAUDIT" merge --force -o "$out" "${shards[@]}" || exit 3
summary=(--html "${out%.csv.gz}.html")
[ -n "$BY" ] && summary+=(--by "$BY")
"$PTRAUDIT" summary "${summary[@]}" "$out" || exit 3
echo "merged report: $out; page: ${out%.csv.gz}.html" >&2
