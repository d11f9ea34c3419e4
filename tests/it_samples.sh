#!/bin/bash
# SPDX-License-Identifier: MIT
# it_samples.sh - the recipes in samples/ are validated and, where they can
# run on one machine, run for real against testnet on loopback:
#   - k8s-indexed-job.yaml parses as YAML (python3-yaml) and has the fields
#     that make it work (Indexed, completions = SHARDS, the shard expression,
#     the shared claim, the merge Job); then the scan script of every index
#     and the merge script are run locally with sh and the merged report
#     must hold every inventory target exactly once;
#   - parallel-ssh.sh runs with ssh/scp replaced by local shims (three
#     "hosts"), same check on the merged report;
#   - the systemd units pass `systemd-analyze verify` (where available; the
#     required keys are grepped either way) and the crontab line is well
#     formed;
#   - nightly.sh runs end to end three times (baseline; a changed inventory
#     that makes a row worse -> exit 1 and the alert; unchanged -> exit 0).
# Everything is loopback: SMTP only on 127.0.0.0/8, DNS from testnet.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"
S=$TOP/samples

start_testnet --smtp-net 127.64.0.0/24 --smtp-net 127.96.0.0/24 # sets DNS, SMTP

# `ptraudit` on PATH for the recipes that call it by name.
mkdir -p bin
ln -s "$PTRAUDIT" bin/ptraudit
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

# ---- Kubernetes Indexed Job ---------------------------------------------
mkdir -p k8s
out=$(python3 - "$S/k8s-indexed-job.yaml" k8s <<'EOF'
import shlex, sys, yaml
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
jobs = {j["metadata"]["name"]: j for j in kinds.get("Job", [])}
scan = [j for j in jobs.values() if j["spec"].get("completionMode") == "Indexed"]
check("yaml: one Job with completionMode: Indexed", 1, len(scan))
scan = scan[0]
spec = scan["spec"]
pod = spec["template"]["spec"]
c = pod["containers"][0]
env = {e["name"]: e["value"] for e in c.get("env", [])}
script = c["args"][0] if c.get("args") else " ".join(c["command"])
check("yaml: completions = SHARDS", spec["completions"], int(env.get("SHARDS", -1)))
check("yaml: parallelism set, <= completions", True,
      1 <= spec.get("parallelism", 0) <= spec["completions"])
check("yaml: restartPolicy Never or OnFailure", True,
      pod["restartPolicy"] in ("Never", "OnFailure"))
check("yaml: shard from JOB_COMPLETION_INDEX", True,
      '--shard "$((JOB_COMPLETION_INDEX + 1))/$SHARDS"' in script)
check("yaml: same --seed for every index", True, '--seed "$SEED"' in script and "SEED" in env)
check("yaml: findings do not fail the pod (--fail-on never)", True, "--fail-on never" in script)
def claim_mount(pod, c):
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        v = vols.get(m["name"], {})
        if v.get("persistentVolumeClaim", {}).get("claimName") == pvc["metadata"]["name"]:
            return m["mountPath"]
    return None
mp = claim_mount(pod, c)
check("yaml: scan pods mount the shared claim", True, mp is not None)
check("yaml: shards written to the shared volume", True,
      mp is not None and env.get("REPORTS", "").startswith(mp + "/") and '-o "$REPORTS/' in script)
merge = [j for j in jobs.values() if j is not scan]
check("yaml: one merge Job", 1, len(merge))
mpod = merge[0]["spec"]["template"]["spec"]
mc = mpod["containers"][0]
menv = {e["name"]: e["value"] for e in mc.get("env", [])}
mscript = mc["args"][0] if mc.get("args") else " ".join(mc["command"])
check("yaml: merge Job runs ptraudit merge", True, "ptraudit merge" in mscript)
check("yaml: merge Job mounts the same claim", mp, claim_mount(mpod, mc))
check("yaml: merge Job has the same SHARDS and RUN_ID", True,
      menv.get("SHARDS") == env.get("SHARDS") and menv.get("RUN_ID") == env.get("RUN_ID"))
check("yaml: scan pods run as non-root", True, pod.get("securityContext", {}).get("runAsNonRoot"))
open(outdir + "/scan.sh", "w").write(script)
open(outdir + "/merge.sh", "w").write(mscript)
with open(outdir + "/env", "w") as f:
    f.write("SHARDS=%s\nSEED=%s\nBY=%s\n" % (shlex.quote(env["SHARDS"]),
            shlex.quote(env["SEED"]), shlex.quote(menv.get("BY", ""))))
EOF
)
check "yaml: python3 parses the manifest" 0 "$?"
while IFS=$'\t' read -r tag name want got; do
  [ "$tag" = CHECK ] && check "$name" "$want" "$got"
done <<< "$out"

# Run what each pod would run: JOB_COMPLETION_INDEX 0..N-1, then the merge.
if [ -s k8s/scan.sh ] && [ -s k8s/env ]; then
  . k8s/env
  rm -rf k8s/reports
  failed=0
  for ((idx = 0; idx < SHARDS; idx++)); do
    env PATH="$SCRATCH/bin:$PATH" JOB_COMPLETION_INDEX=$idx SHARDS="$SHARDS" SEED="$SEED" \
      REPORTS="$SCRATCH/k8s/reports/run" INVENTORY="$SCRATCH/inv.csv" PTRAUDIT_OPTS="$OPTS" \
      sh k8s/scan.sh > "k8s/scan-$idx.log" 2>&1 || failed=$((failed + 1))
  done
  check "k8s: all $SHARDS scan pods succeed" 0 "$failed"
  check "k8s: $SHARDS shard files" "$SHARDS" "$(ls k8s/reports/run/shard-*-of-"$SHARDS".csv.gz 2>/dev/null | wc -l)"
  env PATH="$SCRATCH/bin:$PATH" SHARDS="$SHARDS" REPORTS="$SCRATCH/k8s/reports/run" BY="$BY" \
    WAIT_SECONDS=1 TMPDIR="$SCRATCH" timeout 60 sh k8s/merge.sh > k8s/merge.log 2>&1
  check "k8s: merge pod succeeds" 0 "$?"
  check "k8s: every target exactly once in merged.csv.gz" "$inv_ips" \
    "$(report_ips k8s/reports/run/merged.csv.gz 2>/dev/null)"
  [ -s k8s/reports/run/summary.html ] && ok "k8s: summary.html written" ||
    not_ok "k8s: summary.html written"
  check_match "k8s: summary by customer" "worst by customer: 2 of 2" "$(cat k8s/merge.log)"
  # The merge pod waits for a missing shard instead of merging a partial set.
  rm -f k8s/reports/run/shard-1-of-"$SHARDS".csv.gz
  env PATH="$SCRATCH/bin:$PATH" SHARDS="$SHARDS" REPORTS="$SCRATCH/k8s/reports/run" BY="$BY" \
    WAIT_SECONDS=1 timeout 3 sh k8s/merge.sh > k8s/merge2.log 2>&1
  check "k8s: merge pod waits for a missing shard (killed by timeout)" 124 "$?"
  check_match "k8s: says which shard it waits for" "waiting for shard-1-of-$SHARDS.csv.gz" \
    "$(cat k8s/merge2.log)"
else
  not_ok "k8s: scripts extracted from the manifest"
fi

# ---- GNU parallel / ssh recipe -------------------------------------------
# ssh HOST CMD runs CMD here; scp turns "HOST:PATH" into a local path.  Each
# fake host gets its own remote directory ($REMOTE_DIR-HOST), as separate
# machines would: the shims rewrite the recipe's REMOTE_DIR.
mkdir -p shim
cat > shim/ssh <<'EOF'
#!/bin/bash
h=$1; shift; echo "$h" >> "$SHIM_LOG"; c="$*"; exec bash -c "${c//$REMOTE_DIR/$REMOTE_DIR-$h}"
EOF
cat > shim/scp <<'EOF'
#!/bin/bash
a=()
for x in "$@"; do
  [ "$x" = -q ] && continue
  case $x in *:*) h=${x%%:*}; x=${x#*:}; x=${x//$REMOTE_DIR/$REMOTE_DIR-$h} ;; esac
  a+=("$x")
done
exec cp "${a[@]}"
EOF
chmod +x shim/ssh shim/scp
ssh_run() { # MODE: run the recipe with three hosts
  rm -rf ssh-work remote
  SHIM_LOG=$SCRATCH/shim.log SSH=$SCRATCH/shim/ssh SCP=$SCRATCH/shim/scp \
    REMOTE_PTRAUDIT=$PTRAUDIT REMOTE_DIR=$SCRATCH/remote WORK=$SCRATCH/ssh-work \
    PTRAUDIT=$PTRAUDIT BY=customer NO_PARALLEL=$1 \
    bash "$S/parallel-ssh.sh" -o "$SCRATCH/ssh-audit.csv.gz" -s 99 \
      scanner1 scanner2 scanner3 -- $OPTS -i inv.csv > ssh.out 2> ssh.err
}
: > shim.log
ssh_run 1
check "parallel-ssh (background jobs): exit 0" 0 "$?"
check "parallel-ssh: each host reached" "scanner1 scanner2 scanner3" \
  "$(sort -u shim.log | tr '\n' ' ' | sed 's/ $//')"
check "parallel-ssh: 3 shards fetched" 3 "$(ls ssh-work/shard-*-of-3.csv.gz 2>/dev/null | wc -l)"
check "parallel-ssh: every target exactly once" "$inv_ips" "$(report_ips ssh-audit.csv.gz)"
[ -s ssh-audit.html ] && ok "parallel-ssh: page written" || not_ok "parallel-ssh: page written"
if command -v parallel >/dev/null 2>&1; then
  ssh_run 0
  check "parallel-ssh (GNU parallel): exit 0" 0 "$?"
  check "parallel-ssh (GNU parallel): every target exactly once" "$inv_ips" \
    "$(report_ips ssh-audit.csv.gz)"
else
  echo "note: GNU parallel not installed; the recipe's background-job path was run instead"
fi
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
  env STATE_DIR="$SCRATCH/state" INVENTORY="$SCRATCH/night.csv" PTRAUDIT="$PTRAUDIT" \
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

env STATE_DIR="$SCRATCH/state2" INVENTORY="$SCRATCH/missing.csv" PTRAUDIT="$PTRAUDIT" \
  sh "$S/nightly.sh" > /dev/null 2> nightly.err
check "nightly: missing inventory -> exit 2" 2 "$?"
check_match "nightly: names the inventory" "missing.csv" "$(cat nightly.err)"

finish
