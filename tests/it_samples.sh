#!/bin/bash
# SPDX-License-Identifier: MIT
# it_samples.sh - the recipes in samples/ are validated and, where they can
# run on one machine, run for real against testnet on loopback:
#   - k8s-cronjob.yaml parses as YAML (python3-yaml) and has the fields
#     that make it run every night (CronJob, Forbid, history limits, TTL, an
#     Indexed jobTemplate, completions = parallelism = SHARDS, generated run
#     directory, options that exist in --help); then the pod's command runs
#     locally for 2 shards: one shard interrupted by SIGTERM is never
#     merged (pod 0 waits), its retry completes, and the merged report holds
#     every target exactly once;
#   - parallel-ssh.sh runs with ssh/scp replaced by local shims (three
#     "hosts"): a private mktemp -d directory per host, the exclude file
#     shipped, an interrupted shard never merged;
#   - the systemd units pass `systemd-analyze verify` (where available; the
#     required keys are grepped either way), have no ProcSubset=pid, and
#     ptraudit warns once when the drop counters are unreadable; the
#     crontab line is well formed;
#   - nightly.sh runs end to end three times (baseline; a changed inventory
#     that makes a row worse -> exit 1 and the alert; unchanged -> exit 0),
#     and an interrupted night neither links nor renames anything.
# Completion is "exit 0 and REPORT.meta.json says completed: true"; a
# missing metadata file counts as not complete (checked with hand-written
# fixtures below).
# Everything is loopback: SMTP only on 127.0.0.0/8, DNS from testnet.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"
S=$TOP/samples

start_testnet --smtp-net 127.64.0.0/24 --smtp-net 127.96.0.0/24 # sets DNS, SMTP

# `ptraudit` on PATH for the recipes that call it by name: the real binary,
# which writes the run metadata (REPORT.meta.json) the recipes check.
mkdir -p bin
ln -s "$PTRAUDIT" bin/ptraudit
PT=$SCRATCH/bin/ptraudit
OPTS="-r 127.0.0.1:$DNS --smtp-port $SMTP --rate 0 --dns-timeout 1000 --smtp-timeout 2000"

# Inventory for the sharded runs: 40 targets, two customers.
{
  echo "customer,ip,expected_ptr"
  for i in $(seq 0 19); do echo "acme,127.96.0.$i,*.pass.tn.test"; done
  for i in $(seq 0 19); do echo "beta,127.64.0.$i,"; done
} > inv.csv
inv_ips=$(tail -n +2 inv.csv | cut -d, -f2 | sort)

# every_target_once REPORT: the sorted ip column of REPORT.
report_ips() { zcat -f "$1" | tail -n +2 | cut -d, -f1 | sort; }

# Shell syntax and, where installed, shellcheck.
for f in nightly.sh; do
  sh -n "$S/$f" && ok "$f: sh -n" || not_ok "$f: sh -n"
done
bash -n "$S/parallel-ssh.sh" && ok "parallel-ssh.sh: bash -n" || not_ok "parallel-ssh.sh: bash -n"
if command -v shellcheck >/dev/null 2>&1; then
  out=$(shellcheck -s sh "$S/nightly.sh" 2>&1); check "shellcheck nightly.sh" "" "$out"
  out=$(shellcheck -s bash "$S/parallel-ssh.sh" 2>&1); check "shellcheck parallel-ssh.sh" "" "$out"
else
  echo "note: shellcheck not available (optional); syntax checked with sh -n / bash -n"
fi

# ---- the completion check, on hand-written metadata -------------------------
# Every recipe carries the same small completed() function; extract each and
# run it on fixtures: complete only with the final file, "completed": true
# and exit_status 0; a missing metadata file is not complete.
mkdir -p fx
: > fx/ok.csv.gz; printf '{\n  "schema_version": 1,\n  "completed": true,\n  "exit_status": 0,\n  "rows": 3\n}\n' > fx/ok.csv.gz.meta.json
: > fx/false.csv.gz; printf '{"completed":false,"exit_status":143}' > fx/false.csv.gz.meta.json
: > fx/exit1.csv.gz; printf '{"completed":true,"exit_status":1}' > fx/exit1.csv.gz.meta.json
: > fx/exit10.csv.gz; printf '{"completed":true,"exit_status":10}' > fx/exit10.csv.gz.meta.json
: > fx/nometa.csv.gz
printf '{"completed":true,"exit_status":0}' > fx/nofile.csv.gz.meta.json
extract_completed() { # FILE: the completed() function's text
  sed -n '/^ *completed() {/,/^ *}/p' "$1"
}
python3 -c "import yaml,sys; d=[x for x in yaml.safe_load_all(open(sys.argv[1])) if x and x['kind']=='CronJob'][0]; print(d['spec']['jobTemplate']['spec']['template']['spec']['containers'][0]['args'][0])" \
  "$S/k8s-cronjob.yaml" > k8s-pod.sh 2>/dev/null
for recipe in k8s-pod.sh "$S/nightly.sh" "$S/parallel-ssh.sh"; do
  fn=$(extract_completed "$recipe")
  sh_=sh; [ "$recipe" = "$S/parallel-ssh.sh" ] && sh_=bash
  got=$(cd fx && $sh_ -c "$fn"'
    for f in ok false exit1 exit10 nometa nofile; do
      if completed "$f.csv.gz"; then printf "%s=yes " "$f"; else printf "%s=no " "$f"; fi
    done')
  check "$(basename "$recipe"): completed() on fixtures" \
    "ok=yes false=no exit1=no exit10=no nometa=no nofile=no " "$got"
done

# ---- Kubernetes CronJob ------------------------------------------------------
mkdir -p k8s
out=$(python3 - "$S/k8s-cronjob.yaml" k8s "$PTRAUDIT" <<'EOF'
import re, shlex, subprocess, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
outdir = sys.argv[2]
def check(name, want, got):
    print("CHECK\t%s\t%s\t%s" % (name, want, got))
kinds = {}
for d in docs:
    kinds.setdefault(d.get("kind"), []).append(d)
check("yaml: one PVC", 1, len(kinds.get("PersistentVolumeClaim", [])))
pvc = kinds["PersistentVolumeClaim"][0]
check("yaml: PVC is ReadWriteMany", True, "ReadWriteMany" in pvc["spec"]["accessModes"])
check("yaml: no fixed-name Job (the CronJob makes them)", 0, len(kinds.get("Job", [])))
check("yaml: one CronJob", 1, len(kinds.get("CronJob", [])))
cj = kinds["CronJob"][0]
check("yaml: CronJob apiVersion batch/v1", "batch/v1", cj.get("apiVersion"))
cs = cj["spec"]
check("yaml: schedule has five fields", 5, len(cs.get("schedule", "").split()))
check("yaml: concurrencyPolicy Forbid", "Forbid", cs.get("concurrencyPolicy"))
check("yaml: history limits set (1..10)", True,
      all(1 <= cs.get(k, 0) <= 10 for k in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit")))
jt = cs["jobTemplate"]
check("yaml: jobTemplate has no fixed name", None, jt.get("metadata", {}).get("name"))
spec = jt["spec"]
check("yaml: jobTemplate completionMode Indexed", "Indexed", spec.get("completionMode"))
check("yaml: ttlSecondsAfterFinished set", True, isinstance(spec.get("ttlSecondsAfterFinished"), int))
check("yaml: activeDeadlineSeconds < 24 h (ends before the next night)", True,
      0 < spec.get("activeDeadlineSeconds", 0) < 86400)
check("yaml: backoffLimit >= 1 (an interrupted shard is retried)", True, spec.get("backoffLimit", 0) >= 1)
pod = spec["template"]["spec"]
c = pod["containers"][0]
env = {e["name"]: e.get("value") for e in c.get("env", [])}
envfrom = {e["name"]: e.get("valueFrom") for e in c.get("env", [])}
script = c["args"][0]
check("yaml: completions = parallelism = SHARDS", True,
      spec["completions"] == spec.get("parallelism") == int(env.get("SHARDS", -1)))
check("yaml: restartPolicy Never", "Never", pod["restartPolicy"])
check("yaml: grace period leaves ptraudit its 10 s", True, pod.get("terminationGracePeriodSeconds", 30) >= 20)
check("yaml: RUN_ID from the Job's generated name", "metadata.labels['job-name']",
      (envfrom.get("RUN_ID") or {}).get("fieldRef", {}).get("fieldPath"))
check("yaml: shard from JOB_COMPLETION_INDEX", True,
      '--shard "$((JOB_COMPLETION_INDEX + 1))/$SHARDS"' in script)
check("yaml: same --seed for every index", True, '--seed "$SEED"' in script and "SEED" in env)
check("yaml: findings do not fail the pod (--fail-on never)", True, "--fail-on never" in script)
check("yaml: the exclude file is used", True, '--exclude-file "$EXCLUDE_FILE"' in script)
check("yaml: SIGTERM passed on to ptraudit", True, "trap 'kill -TERM" in script)
check("yaml: merge only after completed()", True,
      script.index("completed \"$f\"") < script.index("ptraudit merge"))
helptext = subprocess.run([sys.argv[3] if len(sys.argv) > 3 else "ptraudit", "--help"],
                          capture_output=True, text=True).stdout
opts = sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", script + " " + env.get("PTRAUDIT_OPTS", ""))))
missing = [o for o in opts if o not in helptext]
check("yaml: every option in the pod's command is in ptraudit --help (%d)" % len(opts), "[]", missing)
vols = {v["name"]: v for v in pod.get("volumes", [])}
mp = None
for m in c.get("volumeMounts", []):
    if vols.get(m["name"], {}).get("persistentVolumeClaim", {}).get("claimName") == pvc["metadata"]["name"]:
        mp = m["mountPath"]
check("yaml: pods mount the shared claim at REPORTS", env.get("REPORTS"), mp)
check("yaml: pods run as non-root", True, pod.get("securityContext", {}).get("runAsNonRoot"))
open(outdir + "/pod.sh", "w").write(script)
with open(outdir + "/env", "w") as f:
    f.write("SEED=%s\nBY=%s\n" % (shlex.quote(env["SEED"]), shlex.quote(env.get("BY", ""))))
EOF
)
check "yaml: python3 parses the manifest" 0 "$?"
while IFS=$'\t' read -r tag name want got; do
  [ "$tag" = CHECK ] && check "$name" "$want" "$got"
done <<< "$out"

# Run what the pods would run, 2 shards, on the shared "volume" k8s/reports:
# index 1 is interrupted (SIGTERM to the pod's PID 1, as kubelet does),
# index 0 scans its shard and waits, the retried index 1 completes, and
# only then does index 0 merge.
if [ -s k8s/pod.sh ] && [ -s k8s/env ]; then
  . k8s/env
  echo "127.64.0.19" > k8s/exclude.txt
  podenv() { # INDEX RUN_ID EXTRA-OPTS: the pod's environment (array E)
    E=(PATH="$SCRATCH/bin:$PATH" JOB_COMPLETION_INDEX="$1" SHARDS=2 SEED="$SEED" RUN_ID="$2"
       REPORTS="$SCRATCH/k8s/reports" INVENTORY="$SCRATCH/inv.csv"
       EXCLUDE_FILE="$SCRATCH/k8s/exclude.txt" PTRAUDIT_OPTS="$OPTS $3" BY="$BY"
       WAIT_SECONDS=1 KEEP_DAYS=30 TMPDIR="$SCRATCH")
  }
  D=k8s/reports/ptraudit-nightly-29000000
  # $! is the pod's shell itself (env execs it): kubelet's SIGTERM goes there.
  podenv 1 ptraudit-nightly-29000000 "--rate 8"
  env "${E[@]}" sh k8s/pod.sh > k8s/pod1a.log 2>&1 &
  p1=$!
  sleep 1.2
  kill -TERM "$p1"; wait "$p1"
  check "k8s: interrupted shard pod exits 143" 143 "$?"
  [ -s "$D/shard-2-of-2.csv.gz.partial" ] && [ ! -e "$D/shard-2-of-2.csv.gz" ] &&
    ok "k8s: interrupted shard left .partial, not the final name" ||
    not_ok "k8s: interrupted shard left .partial, not the final name" "$(ls -A "$D")"
  podenv 0 ptraudit-nightly-29000000 ""
  env "${E[@]}" sh k8s/pod.sh > k8s/pod0.log 2>&1 &
  p0=$!
  for _ in $(seq 100); do grep -q "waiting for shard 2/2" k8s/pod0.log && break; sleep 0.2; done
  sleep 1.5
  check_match "k8s: pod 0 waits for the interrupted shard" "waiting for shard 2/2 to complete" \
    "$(cat k8s/pod0.log)"
  [ -e "$D/merged.csv.gz" ] && not_ok "k8s: interrupted shard not merged" "$(ls -A "$D")" ||
    ok "k8s: interrupted shard not merged"
  podenv 1 ptraudit-nightly-29000000 ""
  env "${E[@]}" sh k8s/pod.sh > k8s/pod1b.log 2>&1
  check "k8s: the retried shard pod succeeds" 0 "$?"
  [ ! -e "$D/shard-2-of-2.csv.gz.partial" ] && ok "k8s: the retry removed the partial leftovers" ||
    not_ok "k8s: the retry removed the partial leftovers"
  for _ in $(seq 150); do kill -0 "$p0" 2>/dev/null || break; sleep 0.2; done
  kill "$p0" 2>/dev/null
  wait "$p0"
  check "k8s: pod 0 merges and succeeds" 0 "$?"
  check "k8s: every target exactly once in merged.csv.gz" "$inv_ips" \
    "$(report_ips "$D/merged.csv.gz" 2>/dev/null)"
  check "k8s: the exclude file reached the pods (127.64.0.19 skipped)" "skipped" \
    "$(zcat "$D/merged.csv.gz" 2>/dev/null | awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "verdict") v = i } $1 == "127.64.0.19" { print $v }')"
  [ -s "$D/summary.html" ] && ok "k8s: summary.html written" || not_ok "k8s: summary.html written"
  check_match "k8s: summary by customer" "worst by customer: 2 of 2" "$(cat k8s/pod0.log)"
  check "k8s: /reports/latest points at the night" ptraudit-nightly-29000000 \
    "$(readlink k8s/reports/latest)"
  # A shard under its final name but without metadata is not complete.
  mkdir -p k8s/reports/run-b
  cp "$D/shard-2-of-2.csv.gz" k8s/reports/run-b/
  timeout 8 env PATH="$SCRATCH/bin:$PATH" JOB_COMPLETION_INDEX=0 SHARDS=2 SEED="$SEED" \
    RUN_ID=run-b REPORTS="$SCRATCH/k8s/reports" INVENTORY="$SCRATCH/inv.csv" \
    EXCLUDE_FILE="$SCRATCH/k8s/exclude.txt" PTRAUDIT_OPTS="$OPTS" WAIT_SECONDS=1 KEEP_DAYS=30 \
    sh k8s/pod.sh > k8s/podb.log 2>&1
  check "k8s: a shard without metadata: pod 0 still waiting (killed by timeout)" 124 "$?"
  [ -e k8s/reports/run-b/merged.csv.gz ] && not_ok "k8s: a shard without metadata is not merged" ||
    ok "k8s: a shard without metadata is not merged"
else
  not_ok "k8s: the pod's script extracted from the manifest"
fi

# ---- GNU parallel / ssh recipe -------------------------------------------
# ssh HOST CMD runs CMD here; scp turns "HOST:PATH" into a local path.  Each
# fake host gets its own directory from the recipe's `mktemp -d` (under
# REMOTE_TMPDIR), as separate machines would.  The remote ptraudit is the
# real one (it writes the run metadata), and for the interrupted case a wrapper
# that stops shard 2 with SIGTERM a moment after it started.
mkdir -p shim remote
cat > shim/ssh <<'EOF'
#!/bin/bash
h=$1; shift; echo "$h" >> "$SHIM_LOG"; exec bash -c "$*"
EOF
cat > shim/scp <<'EOF'
#!/bin/bash
a=()
for x in "$@"; do
  [ "$x" = -q ] && continue
  case $x in *:*) x=${x#*:} ;; esac
  a+=("$x")
done
exec cp "${a[@]}"
EOF
cat > shim/interrupt2 <<'EOF'
#!/bin/bash
case " $* " in
  *" 2/3 "*) "$SCRATCH_PT" "$@" --rate 5 & p=$!; sleep 1; kill -TERM "$p"; wait "$p" ;;
  *) exec "$SCRATCH_PT" "$@" ;;
esac
EOF
chmod +x shim/ssh shim/scp shim/interrupt2
echo "127.64.0.19" > excl.txt
ssh_run() { # MODE [REMOTE_PTRAUDIT]: run the recipe with three hosts
  rm -rf ssh-work remote && mkdir remote
  SHIM_LOG=$SCRATCH/shim.log SSH=$SCRATCH/shim/ssh SCP=$SCRATCH/shim/scp SCRATCH_PT=$PT \
    REMOTE_PTRAUDIT=${2:-$PT} REMOTE_TMPDIR=$SCRATCH/remote WORK=$SCRATCH/ssh-work \
    PTRAUDIT=$PTRAUDIT BY=customer NO_PARALLEL=$1 \
    bash "$S/parallel-ssh.sh" -o "$SCRATCH/ssh-audit.csv.gz" -s 99 \
      scanner1 scanner2 scanner3 -- $OPTS -i inv.csv --exclude-file excl.txt > ssh.out 2> ssh.err
}
: > shim.log
ssh_run 1
check "parallel-ssh (background jobs): exit 0" 0 "$?"
check "parallel-ssh: each host reached" "scanner1 scanner2 scanner3" \
  "$(sort -u shim.log | tr '\n' ' ' | sed 's/ $//')"
check "parallel-ssh: 3 shards fetched" 3 "$(ls ssh-work/shard-*-of-3.csv.gz 2>/dev/null | wc -l)"
check "parallel-ssh: every target exactly once" "$inv_ips" "$(report_ips ssh-audit.csv.gz)"
check "parallel-ssh: the exclude file reached the hosts (127.64.0.19 skipped)" "skipped" \
  "$(zcat ssh-audit.csv.gz 2>/dev/null | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "verdict") v = i } $1 == "127.64.0.19" { print $v }')"
check "parallel-ssh: the hosts' mktemp directories removed after success" "" "$(ls -A remote)"
[ -s ssh-audit.html ] && ok "parallel-ssh: page written" || not_ok "parallel-ssh: page written"
if command -v parallel >/dev/null 2>&1; then
  ssh_run 0
  check "parallel-ssh (GNU parallel): exit 0" 0 "$?"
  check "parallel-ssh (GNU parallel): every target exactly once" "$inv_ips" \
    "$(report_ips ssh-audit.csv.gz)"
else
  echo "note: GNU parallel not installed; the recipe's background-job path was run instead"
fi
# The remote directory is private and unpredictable: made by mktemp -d.
check "parallel-ssh: mktemp -d on each host, nothing fixed under /tmp" "1:0" \
  "$(grep -c 'mktemp -d' "$S/parallel-ssh.sh" | sed 's/[2-9]/1/'):$(grep -c '/tmp/ptraudit' "$S/parallel-ssh.sh")"
# Shard 2 interrupted: nothing merged, the host and its directory named,
# the partial report left there.
rm -f ssh-audit.csv.gz
ssh_run 1 "$SCRATCH/shim/interrupt2"
check "parallel-ssh: an interrupted shard -> exit 3" 3 "$?"
[ -e ssh-audit.csv.gz ] && not_ok "parallel-ssh: an interrupted shard is not merged" ||
  ok "parallel-ssh: an interrupted shard is not merged"
check_match "parallel-ssh: names the interrupted host and its directory" \
  "scanner2: shard 2/3 failed: exit 143, not complete; .* are in scanner2:$SCRATCH/remote/ptraudit-shard\." \
  "$(cat ssh.err)"
check "parallel-ssh: the partial shard stays on its host" 1 \
  "$(ls remote/ptraudit-shard.*/shard-2-of-3.csv.gz.partial 2>/dev/null | wc -l)"
[ -e ssh-work/shard-2-of-3.csv.gz ] && not_ok "parallel-ssh: the interrupted shard was not fetched" ||
  ok "parallel-ssh: the interrupted shard was not fetched"
SHIM_LOG=/dev/null SSH=false SCP=$SCRATCH/shim/scp PTRAUDIT=$PTRAUDIT WORK=$SCRATCH/ssh-fail \
  bash "$S/parallel-ssh.sh" -o "$SCRATCH/fail.csv.gz" h1 h2 -- $OPTS -i inv.csv \
  > /dev/null 2> ssh-fail.err
check "parallel-ssh: an unreachable host -> exit 3" 3 "$?"
check_match "parallel-ssh: names the failed host" "h1: shard 1/2 failed" "$(cat ssh-fail.err)"
[ -e fail.csv.gz ] && not_ok "parallel-ssh: nothing merged after a failure" ||
  ok "parallel-ssh: nothing merged after a failure"

# ---- systemd units and crontab ------------------------------------------
svc=$S/ptraudit-nightly.service
tmr=$S/ptraudit-nightly.timer
for k in "Type=oneshot" "ExecStart=/usr/local/lib/ptraudit/nightly.sh" "StateDirectory=ptraudit" \
         "NoNewPrivileges=yes" "ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" \
         "CapabilityBoundingSet=" "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"; do
  grep -qxF "$k" "$svc" && ok "service has $k" || not_ok "service has $k"
done
grep -q '^ProcSubset=' "$svc" && not_ok "service has no ProcSubset= (it hides /proc/net/snmp)" ||
  ok "service has no ProcSubset= (it hides /proc/net/snmp)"
# The drop counters: read under a procfs mounted like ProcSubset=pid does
# (subset=pid), and one warning (not one per row) when procfs is hidden.
dropwarn() { # MOUNT-COMMAND: stderr of a 16-target run in a mount namespace
  unshare -m sh -c "$1 && exec \"\$0\" -r 127.0.0.1:$DNS --no-smtp -o - 127.96.0.0/28" \
    "$PTRAUDIT" 2>&1 >/dev/null | grep -c 'drop counters'
}
check "drop counters: no warning with /proc as usual" 0 "$(dropwarn true)"
check "drop counters: no warning under procfs subset=pid (ProcSubset=pid)" 0 \
  "$(dropwarn 'mount -t proc -o subset=pid proc /proc')"
check "drop counters: one warning with /proc hidden (16 targets)" 1 \
  "$(dropwarn 'mount -t tmpfs none /proc')"
check_match "drop counters: the warning names the file and the consequence" \
  "warning: cannot read the host's UDP drop counters in /proc/self/net/snmp \(No such file or directory\); only drops at ptraudit's own DNS sockets" \
  "$(unshare -m sh -c "mount -t tmpfs none /proc && exec \"\$0\" -q -r 127.0.0.1:$DNS --no-smtp -o - 127.96.0.1" "$PTRAUDIT" 2>&1 >/dev/null)"
for k in "OnCalendar=*-*-* 02:30:00" "Persistent=true" "Unit=ptraudit-nightly.service" \
         "WantedBy=timers.target"; do
  grep -qxF "$k" "$tmr" && ok "timer has $k" || not_ok "timer has $k"
done
if command -v systemd-analyze >/dev/null 2>&1; then
  # verify checks that ExecStart exists: point it at this tree's nightly.sh.
  mkdir -p units
  sed "s|^ExecStart=.*|ExecStart=$S/nightly.sh|" "$svc" > units/ptraudit-nightly.service
  cp "$tmr" units/
  man=(--man=no)
  if [ -f "$TOP/ptraudit.1" ]; then
    mkdir -p man/man1 && cp "$TOP/ptraudit.1" man/man1/ && man=()
    export MANPATH=$SCRATCH/man
  fi
  out=$(systemd-analyze verify "${man[@]}" units/ptraudit-nightly.service \
        units/ptraudit-nightly.timer 2>&1)
  check "systemd-analyze verify (service + timer${man:+, --man=no: no ptraudit.1 yet})" \
    "0:" "$?:$out"
  if expo=$(systemd-analyze security --offline=yes units/ptraudit-nightly.service 2>/dev/null |
            sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p') && [ -n "$expo" ]; then
    check "service hardening: exposure $expo <= 2.0 (systemd-analyze security)" 1 \
      "$(awk -v e="$expo" 'BEGIN { print (e <= 2.0) }')"
  fi
else
  echo "note: systemd-analyze not available: units checked by the key greps above only"
fi
line=$(grep -Ev '^[[:space:]]*(#|$)|^[A-Za-z_]+=' "$S/crontab")
check "crontab: exactly one job line" 1 "$(printf '%s\n' "$line" | grep -c .)"
check_match "crontab: m h dom mon dow user command, runs nightly.sh" \
  '^[0-5]?[0-9] +([01]?[0-9]|2[0-3]) +\* +\* +\* +[a-z_][a-z0-9_-]* +/usr/local/lib/ptraudit/nightly\.sh( |$)' \
  "$line"

# ---- nightly.sh, end to end ------------------------------------------------
{
  echo "customer,ip,expected_ptr"
  for i in 1 2 3 4 5; do echo "acme,127.96.0.$i,*.pass.tn.test"; done
  echo "beta,127.64.0.1,"
} > night.csv
nightly() {
  env STATE_DIR="$SCRATCH/state" INVENTORY="$SCRATCH/night.csv" PTRAUDIT="${1:-$PT}" \
    PTRAUDIT_OPTS="$OPTS" BY=customer KEEP_DAYS=30 \
    ALERT_CMD="{ echo \"diff=\$DIFF_FILE\"; cat; } > '$SCRATCH/alert.txt'" \
    sh "$S/nightly.sh" > nightly.out 2> nightly.err
}
nightly
check "nightly run 1: exit 0" 0 "$?"
check_match "nightly run 1: first run, nothing to compare" "no previous report" "$(cat nightly.err)"
check "nightly run 1: latest.csv.gz holds the report (6 rows)" 6 \
  "$(zcat state/latest.csv.gz 2>/dev/null | tail -n +2 | wc -l)"
[ -s state/latest.html ] && ok "nightly run 1: latest.html" || not_ok "nightly run 1: latest.html"
check "nightly run 1: text summary kept" 1 "$(ls state/reports/*.txt 2>/dev/null | grep -vc diff)"
first=$(readlink -f state/latest.csv.gz)

# Night 2: a customer's expected name changes (127.96.0.3 now fails with
# EXPECTED_MISMATCH) and a server is added.
sed -i 's/^acme,127.96.0.3,\*.pass.tn.test$/acme,127.96.0.3,*.elsewhere.example/' night.csv
echo "beta,127.96.0.9," >> night.csv
nightly
check "nightly run 2 (worse): exit 1" 1 "$?"
second=$(readlink -f state/latest.csv.gz)
[ "$first" != "$second" ] && ok "nightly run 2: latest points at the new report" ||
  not_ok "nightly run 2: latest points at the new report"
check_match "nightly run 2: the alert got the diff file" "^diff=$SCRATCH/state/reports/ptraudit-.*\.diff\.csv\.gz" \
  "$(cat alert.txt 2>/dev/null)"
d=$(sed -n 's/^diff=//p' alert.txt 2>/dev/null)
check_match "nightly run 2: diff has the worse row" $'\n127\\.96\\.0\\.3,worse,ok,fail,EXPECTED_MISMATCH,' \
  "$(zcat "$d" 2>/dev/null)"
check_match "nightly run 2: diff has the added row" $'\n127\\.96\\.0\\.9,added,' "$(zcat "$d" 2>/dev/null)"
rm -f alert.txt
nightly
check "nightly run 3 (unchanged since run 2): exit 0" 0 "$?"
check_match "nightly run 3: nothing became worse" "nothing became worse" "$(cat nightly.err)"
[ -e alert.txt ] && not_ok "nightly run 3: no alert" || ok "nightly run 3: no alert"
check "three nights: three reports" 3 "$(ls state/reports/ptraudit-*.csv.gz | grep -vc diff)"

# Night 4 is interrupted (systemctl stop sends SIGTERM): no final name, no
# summary or diff, latest.csv.gz still on night 3, exit 143.
cat > shim/night-interrupt <<'EOF'
#!/bin/bash
"$SCRATCH_PT" "$@" --rate 2 & p=$!; sleep 1; kill -TERM "$p"; wait "$p"
EOF
chmod +x shim/night-interrupt
third=$(readlink -f state/latest.csv.gz)
SCRATCH_PT=$PT nightly "$SCRATCH/shim/night-interrupt"
check "nightly run 4 (interrupted): exit 143" 143 "$?"
check_match "nightly run 4: says the audit did not complete and where the rows are" \
  "rows finished so far: .*\.csv\.gz\.partial.*audit did not complete \(exit 143\)" "$(tr '\n' ' ' < nightly.err)"
check "nightly run 4: latest.csv.gz still on night 3" "$third" "$(readlink -f state/latest.csv.gz)"
check "nightly run 4: one partial report, no fourth final report" "1:3" \
  "$(ls state/reports/*.csv.gz.partial 2>/dev/null | wc -l):$(ls state/reports/ptraudit-*.csv.gz | grep -vc diff)"
check "nightly run 4: no summary written for it" 3 "$(ls state/reports/*.txt | grep -vc diff)"

env STATE_DIR="$SCRATCH/state2" INVENTORY="$SCRATCH/missing.csv" PTRAUDIT="$PTRAUDIT" \
  sh "$S/nightly.sh" > /dev/null 2> nightly.err
check "nightly: missing inventory -> exit 2" 2 "$?"
check_match "nightly: names the inventory" "missing.csv" "$(cat nightly.err)"

finish
