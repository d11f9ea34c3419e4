#!/bin/bash
# SPDX-License-Identifier: MIT
# it_outputs.sh - outputs never destroy data: an output that is the same
# file as an input or as another output is refused (exit 2, both named, the
# input untouched); --html and --checkpoint get -o's safe-open rules; a
# full disk leaves only whole rows (under NAME.partial) and a checkpoint
# that resumes exactly the rest; readers refuse a torn last row; hostile
# checkpoints are refused.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

start_testnet --smtp-any
R=(-r "127.0.0.1:$DNS" --smtp-port "$SMTP" --dns-timeout 500 --smtp-timeout 1500 -q)
ips() { { zcat -f "$1" 2>/dev/null || true; } | tail -n +2 | cut -d, -f1 | sort; }

# refused NAME EXPECTED-MESSAGE-REGEX ARGS...: exit 2, the message matches.
refused() {
  local name=$1 re=$2
  shift 2
  "$PTRAUDIT" "${R[@]}" "$@" 2>err.txt
  local rc=$?
  check "$name: exit 2" 2 "$rc"
  check_match "$name: says why" "$re" "$(cat err.txt)"
}

# --- outputs colliding with each other or with inputs ----------------------
refused "-o X --html X" "report \(-o\) same.csv and the --html page same.csv are the same file" \
  -o same.csv --html same.csv 127.96.50.1
check "-o X --html X: nothing written" "" "$(ls -A | grep same || true)"
refused "--checkpoint equal to -o" "report \(-o\) x.csv and the checkpoint ./x.csv are the same" \
  -o x.csv --checkpoint ./x.csv 127.96.50.1
printf '127.96.50.1\n127.96.50.2\n' > targets.txt
refused "--checkpoint naming the @FILE target list" \
  "checkpoint targets.txt is the same file as the target file targets.txt" \
  -o t.csv --checkpoint targets.txt @targets.txt
check "--checkpoint naming the target list: list intact" "$(printf '127.96.50.1\n127.96.50.2')" \
  "$(cat targets.txt)"
printf 'ip,owner\n127.96.50.1,a\n' > inv.csv
refused "--html naming the inventory" "--html page inv.csv is the same file as the inventory" \
  -o i.csv --html inv.csv --force -i inv.csv
check "--html naming the inventory: inventory intact" "$(printf 'ip,owner\n127.96.50.1,a')" \
  "$(cat inv.csv)"
printf '127.96.51.0/24\n' > excl.txt
refused "-o naming an --exclude-file (with --force)" "report \(-o\) excl.txt is the same file as the --exclude-file" \
  -o excl.txt --force --exclude-file excl.txt 127.96.50.1
mkdir -p d
ln -s ../targets.txt d/link.html
refused "--html: a symlink to an input, even with --force" \
  "--html page d/link.html is the same file as the target file" \
  -o l.csv --force --html d/link.html @targets.txt

# --- --html and --checkpoint: the safe-open rules of -o ---------------------
mkfifo fifo.html
refused "--html FIFO" "--html page fifo.html exists and is not a regular file" \
  -o f.csv --force --html fifo.html 127.96.50.1
[ -p fifo.html ] && ok "--html FIFO: still a FIFO" || not_ok "--html FIFO: still a FIFO"
mknod null.html c 1 3
refused "--html device node" "--html page null.html exists and is not a regular file" \
  -o n.csv --force --html null.html 127.96.50.1
[ -c null.html ] && ok "--html device: still a device" || not_ok "--html device: still a device"
echo "keep" > other.txt
ln -s other.txt sl.html
refused "--html symlink without --force" "--html page sl.html is a symbolic link" \
  -o s.csv --html sl.html 127.96.50.1
echo "old page" > page.html
refused "--html existing page without --force" "--html page page.html exists; refusing" \
  -o p.csv --html page.html 127.96.50.1
"$PTRAUDIT" "${R[@]}" -o p.csv --force --html page.html 127.96.50.1
check "--html existing page with --force: replaced" 1 "$(grep -c '<html' page.html)"
"$PTRAUDIT" "${R[@]}" -o s2.csv --force --html sl.html 127.96.50.1
[ -f sl.html ] && [ ! -L sl.html ] && [ "$(cat other.txt)" = keep ] \
  && ok "--html symlink with --force: the link is replaced, its target untouched" \
  || not_ok "--html symlink with --force: the link is replaced, its target untouched"
echo "precious" > cp.txt
refused "--checkpoint existing file without --force" "checkpoint cp.txt exists; refusing" \
  -o c.csv --checkpoint cp.txt 127.96.50.1
ln -s other.txt cp-link
refused "--checkpoint symlink" "checkpoint cp-link is a symbolic link" \
  -o c2.csv --checkpoint cp-link 127.96.50.1

# --- --resume: the first part's report is an input ---------------------------
"$PTRAUDIT" "${R[@]}" --rate 100 -o first.csv 127.96.52.0/24 2>/dev/null &
pid=$!; sleep 1; kill -INT "$pid"; wait "$pid"
check "interrupted run: exit 130" 130 "$?"
n1=$(ips first.csv.partial | wc -l)
check "interrupted run: rows under first.csv.partial, nothing under first.csv" "1 0" \
  "$(( n1 > 10 && n1 < 256 )) $( [ -e first.csv ] && echo 1 || echo 0)" 2>/dev/null
refused "--resume with -o ORIGINAL --force" "report named by the --resume checkpoint" \
  -o first.csv --force --resume first.csv.checkpoint 127.96.52.0/24
refused "--resume with -o the partial report --force" "report named by the --resume checkpoint" \
  -o first.csv.partial --force --resume first.csv.checkpoint 127.96.52.0/24
check "--resume refused: the first part is intact" "$n1" "$(ips first.csv.partial | wc -l)"
refused "--checkpoint equal to --resume" "checkpoint first.csv.checkpoint is the same file as the --resume checkpoint" \
  -o second.csv --checkpoint first.csv.checkpoint --resume first.csv.checkpoint 127.96.52.0/24
"$PTRAUDIT" "${R[@]}" --rate 0 -o second.csv --resume first.csv.checkpoint 127.96.52.0/24
check "--resume to a new report: exit 0" 0 "$?"
check "--resume: both parts hold every target exactly once" \
  "$(for i in $(seq 0 255); do echo "127.96.52.$i"; done | sort)" \
  "$( (ips first.csv.partial; ips second.csv) | sort)"

# --- hostile checkpoints ----------------------------------------------------
fp=$(sed -n 's/^fingerprint //p' first.csv.checkpoint)
hostile() {
  local name=$1 re=$2
  printf '%b' "$3" > hostile.cp
  rm -f h.csv
  refused "checkpoint with $name" "$re" -o h.csv --resume hostile.cp 127.96.52.0/24
  check "checkpoint with $name: nothing written" "" "$(ls -A | grep '^h\.csv' || true)"
}
hostile "next -1" "hostile.cp:3: bad next" \
  "ptraudit-checkpoint 2\nfingerprint $fp\nnext -1\npending\nreport /x\n"
hostile "next beyond the target count" "next 999999 is beyond the 256 targets" \
  "ptraudit-checkpoint 2\nfingerprint $fp\nnext 999999\npending\nreport /x\n"
hostile "next equal to the target count, nothing pending" "nothing to resume" \
  "ptraudit-checkpoint 2\nfingerprint $fp\nnext 256\npending\nreport /x\n"
hostile "text after a NUL byte" "hostile.cp:6: NUL byte" \
  "ptraudit-checkpoint 2\nfingerprint $fp\nnext 5\npending\nreport /x\n\0next 9\n"
hostile "an injected second next line" "hostile.cp:6: text after the report line" \
  "ptraudit-checkpoint 2\nfingerprint $fp\nnext 5\npending\nreport a\nnext 999999\n"
hostile "a version 1 checkpoint" "version 1" \
  "ptraudit-checkpoint 1\nfingerprint $fp\nnext 5\npending\nreport a\n"
# a report name with a newline cannot inject a line
"$PTRAUDIT" "${R[@]}" --rate 100 -o $'inj\nnext 999999' --checkpoint inj.cp 127.96.53.0/24 \
  2>/dev/null &
pid=$!; sleep 0.8; kill -TERM "$pid"; wait "$pid"
check "-o name with a newline: one next line in the checkpoint" 1 "$(grep -c '^next' inj.cp)"
check_match "-o name with a newline: stored escaped" '^report .*/inj\\x0anext 999999\.partial$' \
  "$(grep '^report' inj.cp)"
"$PTRAUDIT" "${R[@]}" --rate 0 -o inj2.csv --resume inj.cp 127.96.53.0/24
check "-o name with a newline: the checkpoint resumes, every target once" \
  "$(for i in $(seq 0 255); do echo "127.96.53.$i"; done | sort)" \
  "$( (ips $'inj\nnext 999999.partial'; ips inj2.csv) | sort)"

# --- disk full: whole rows only, a partial name, a checkpoint ----------------
mkdir -p small
mount -t tmpfs -o size=64k tmpfs small || { not_ok "mount a 64 KiB tmpfs (needs root)"; finish; }
_cleanup_mount() { umount "$SCRATCH/small" 2>/dev/null; }
trap '_cleanup_mount; _cleanup' EXIT
# gzip: the rows of 4096 targets shrink below 64 KiB, so the file system is
# made smaller for it (16 KiB); plain: some whole rows fit before the cut.
for out in full.csv full.csv.gz; do
  rm -f small/* ck.cp
  if [ "$out" = full.csv.gz ]; then
    umount small && mount -t tmpfs -o size=16k tmpfs small
  fi
  # 4096 targets: far more than 64 KiB of rows.
  "$PTRAUDIT" "${R[@]}" --rate 0 --no-smtp -o "small/$out" --checkpoint ck.cp 127.96.48.0/20 \
    2>err.txt
  check "disk full ($out): exit 3" 3 "$?"
  check_match "disk full ($out): says so" "No space left on device" "$(cat err.txt)"
  # (the run metadata, REPORT.meta.json, is written when it still fits)
  check "disk full ($out): only the partial name, no temporary file" "$out.partial" \
    "$(ls -A small | grep -v "\.meta\.json$")"
  zcat -f "small/$out.partial" > got.txt 2>zerr.txt
  check "disk full ($out): the partial report decompresses cleanly" "" "$(cat zerr.txt)"
  check "disk full ($out): ends in a line end" '\n' "$(tail -c 1 got.txt | od -An -c | tr -d ' ')"
  check "disk full ($out): header, then whole rows only" 0 \
    "$(tail -n +2 got.txt | grep -cvE ',[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z,[0-9]*,[0-9]*$' || true)"
  check_match "disk full ($out): header kept" "^ip," "$(head -1 got.txt)"
  [ -s ck.cp ] && ok "disk full ($out): checkpoint written on the other file system" \
    || not_ok "disk full ($out): checkpoint written on the other file system"
  cp "small/$out.partial" "part-$out"
  rm -f small/*
  "$PTRAUDIT" "${R[@]}" --rate 0 --no-smtp -o "rest-$out" --resume ck.cp 127.96.48.0/20
  check "disk full ($out): resume exit 0" 0 "$?"
  check "disk full ($out): both parts hold every target exactly once" "4096 4096" \
    "$( (ips "part-$out"; ips "rest-$out") | sort -u | wc -l) $( (ips "part-$out"; ips "rest-$out") | wc -l)" \
    2>/dev/null
done

# --- broken pipe: exit 3 and a checkpoint -------------------------------------
rm -f ptraudit-stdout.checkpoint
"$PTRAUDIT" "${R[@]}" --rate 0 --no-smtp -o - 127.96.48.0/20 2>err.txt | head -n 100 >/dev/null
check "broken pipe: exit 3" 3 "${PIPESTATUS[0]}"
check_match "broken pipe: says so" "Broken pipe" "$(cat err.txt)"
[ -s ptraudit-stdout.checkpoint ] && ok "broken pipe: checkpoint written" \
  || not_ok "broken pipe: checkpoint written" "$(cat err.txt)"

# --- readers refuse a torn last row ------------------------------------------
"$PTRAUDIT" "${R[@]}" --rate 0 --no-smtp -o whole.csv 127.96.60.0/28
head -c -8 whole.csv > torn.csv # "...,2026-12-06T0" : no line end
refused_sub() {
  local name=$1
  shift
  "$PTRAUDIT" "$@" 2>err.txt >/dev/null
  check "$name: exit 2" 2 "$?"
  check_match "$name: names the cut" "torn.csv:17: last row has no line end" "$(cat err.txt)"
}
refused_sub "merge of a torn report" merge -o m.csv torn.csv
refused_sub "diff with a torn report" diff whole.csv torn.csv
"$PTRAUDIT" merge --allow-truncated -o m2.csv torn.csv 2>err.txt
check "merge --allow-truncated: the 15 whole rows" 15 "$(tail -n +2 m2.csv | wc -l)"
refused_sub "summary of a torn report" summary torn.csv
"$PTRAUDIT" summary --allow-truncated torn.csv >sum.txt 2>err.txt
check_match "summary --allow-truncated of a torn report: warns" \
  "torn.csv:17: last row has no line end" "$(cat err.txt)"
check_match "summary --allow-truncated of a torn report: counts the 15 whole rows only" \
  "rows: 15," "$(cat sum.txt)"

# --- subcommands: the output is never one of the inputs ---------------------
cp whole.csv in.csv
sib() {
  local name=$1 re=$2
  shift 2
  "$PTRAUDIT" "$@" >/dev/null 2>err.txt
  check "$name: exit 2" 2 "$?"
  check_match "$name: says why" "$re" "$(cat err.txt)"
  check "$name: input intact" "$(cat whole.csv)" "$(cat in.csv)"
}
sib "summary --html naming its input" "--html page in.csv is the same file as the input in.csv" \
  summary --html in.csv in.csv
sib "merge -o naming an input (--force)" "output ./in.csv is the same file as the input in.csv" \
  merge --force -o ./in.csv whole.csv in.csv
sib "diff -o naming an input (--force)" "output in.csv is the same file as the input in.csv" \
  diff --force -o in.csv whole.csv in.csv

finish
