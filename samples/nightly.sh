#!/bin/sh
# SPDX-License-Identifier: MIT
# samples/nightly.sh - the nightly audit: scan, summarise, compare with last
# night, alert when something became worse.  Run by
# samples/ptraudit-nightly.timer (systemd) or samples/crontab.
#
#   1. ptraudit ... -o $STATE_DIR/reports/ptraudit-<UTC time>.csv.gz; the
#      rest runs only when the audit completed: exit 0 and its run metadata
#      (...csv.gz.meta.json) saying "completed": true.  An interrupted or
#      failed audit (SIGTERM from systemd, a resolver stop) leaves
#      ...csv.gz.partial and a checkpoint; nothing is summarised, compared
#      or linked, and latest.csv.gz stays on the last complete night.
#   2. ptraudit summary --html ...-<time>.html (text summary in ...-<time>.txt)
#   3. if a previous report exists (the link $STATE_DIR/latest.csv.gz):
#      ptraudit diff PREVIOUS NEW -o ...-<time>.diff.csv.gz; exit 1 from
#      diff means something became worse: run $ALERT_CMD
#   4. point latest.csv.gz (and latest.html) at tonight's files; delete
#      files older than $KEEP_DAYS days
#
# Configuration, all through the environment (systemd: EnvironmentFile=;
# cron: set them in the crontab or a wrapper):
#   INVENTORY      inventory CSV to audit (default $STATE_DIR/inventory.csv)
#   TARGETS        instead of INVENTORY: targets, space-separated
#                  (e.g. "192.0.2.0/24 @/etc/ptraudit/blocks.txt")
#   PTRAUDIT_OPTS  extra options for the audit, e.g. "-r 127.0.0.1 --rate 200"
#                  (word-split by the shell: no spaces inside one option)
#   BY             inventory column for the summary's --by (e.g. customer)
#   STATE_DIR      where reports live (default: $STATE_DIRECTORY set by
#                  systemd's StateDirectory=, else /var/lib/ptraudit)
#   ALERT_CMD      shell command run when something became worse; it gets the
#                  diff's human summary on stdin and DIFF_FILE, REPORT,
#                  PREVIOUS, SUMMARY_HTML in its environment.  Default: print
#                  the summary to stderr (journal / cron mail).
#   KEEP_DAYS      days of reports to keep (default 30; 0 = keep everything)
#   PTRAUDIT       the ptraudit binary (default: ptraudit from PATH)
#
# Exit status: 0 done, nothing became worse; 1 done, something became worse
# (alert sent); 2 configuration or input error; 3 runtime error (a report or
# the state directory could not be written, the audit did not complete);
# 128+N the audit was stopped by signal N (partial report kept).  Another
# run still in progress (lock held): 3.
set -u

PTRAUDIT=${PTRAUDIT:-ptraudit}
STATE_DIR=${STATE_DIR:-${STATE_DIRECTORY:-/var/lib/ptraudit}}
STATE_DIR=${STATE_DIR%%:*} # StateDirectory= with several dirs: the first
INVENTORY=${INVENTORY:-$STATE_DIR/inventory.csv}
TARGETS=${TARGETS:-}
PTRAUDIT_OPTS=${PTRAUDIT_OPTS:-}
BY=${BY:-}
KEEP_DAYS=${KEEP_DAYS:-30}
ALERT_CMD=${ALERT_CMD:-}

log() { printf 'nightly: %s\n' "$*" >&2; }
# completed REPORT: the run metadata beside REPORT says every target was
# written under REPORT's final name and ptraudit exited 0.  No metadata
# (killed, or a ptraudit without it): not complete.
completed() {
  [ -f "$1" ] && [ -f "$1.meta.json" ] || return 1
  m=$(tr -d ' \t\r\n' < "$1.meta.json")
  case $m in *'"completed":true'*) ;; *) return 1 ;; esac
  case $m in *'"exit_status":0,'* | *'"exit_status":0}'*) return 0 ;; esac
  return 1
}
die() { code=$1; shift; log "$*"; exit "$code"; }

case $KEEP_DAYS in *[!0-9]*|'') die 2 "KEEP_DAYS='$KEEP_DAYS' is not a number of days" ;; esac
command -v "$PTRAUDIT" >/dev/null 2>&1 || die 2 "ptraudit binary '$PTRAUDIT' not found"
if [ -z "$TARGETS" ] && [ ! -r "$INVENTORY" ]; then
  die 2 "no inventory at $INVENTORY (set INVENTORY or TARGETS)"
fi

reports=$STATE_DIR/reports
mkdir -p "$reports" || die 3 "cannot create $reports"

# One run at a time: a slow night must not overlap the next one.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$STATE_DIR/.nightly.lock" || die 3 "cannot open the lock file in $STATE_DIR"
  flock -n 9 || die 3 "another nightly run holds $STATE_DIR/.nightly.lock"
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name=ptraudit-$stamp
n=1
while [ -e "$reports/$name.csv.gz" ] || [ -e "$reports/$name.csv.gz.partial" ]; do
  n=$((n + 1)); name=ptraudit-$stamp-$n
done
base=$reports/$name
report=$base.csv.gz
previous=
[ -e "$STATE_DIR/latest.csv.gz" ] && previous=$(readlink -f "$STATE_DIR/latest.csv.gz")

# 1. The audit.  --fail-on never: findings are the diff's business; exit 2/3
# are real errors.
log "audit -> $report"
if [ -n "$TARGETS" ]; then
  # shellcheck disable=SC2086 # word splitting of the option and target lists is intended
  "$PTRAUDIT" $PTRAUDIT_OPTS --fail-on never -q -o "$report" $TARGETS
else
  # shellcheck disable=SC2086
  "$PTRAUDIT" $PTRAUDIT_OPTS --fail-on never -q -o "$report" -i "$INVENTORY"
fi
rc=$?
if [ "$rc" -ne 0 ] || ! completed "$report"; then
  [ -e "$report.partial" ] && log "rows finished so far: $report.partial (checkpoint: $report.checkpoint)"
  [ "$rc" -eq 0 ] && rc=3 # exit 0 without the metadata's word: not complete
  die "$rc" "audit did not complete (exit $rc); nothing compared, latest.csv.gz unchanged"
fi

# 2. The summary: text and the page.
set --
[ -n "$BY" ] && set -- --by "$BY"
"$PTRAUDIT" summary "$@" --html "$base.html" "$report" > "$base.txt"
rc=$?
[ "$rc" -eq 0 ] || die "$rc" "summary failed (exit $rc)"

# 3. The comparison with the previous night.
worse=0
if [ -n "$previous" ] && [ -e "$previous" ]; then
  log "diff $previous -> $report"
  "$PTRAUDIT" diff -o "$base.diff.csv.gz" "$previous" "$report" 2> "$base.diff.txt"
  rc=$?
  case $rc in
    0) log "nothing became worse" ;;
    1) worse=1 ;;
    *) cat "$base.diff.txt" >&2; die "$rc" "diff failed (exit $rc)" ;;
  esac
else
  log "no previous report: nothing to compare (first run)"
fi

# 4. Tonight becomes "previous" for tomorrow (rename over the old links, so
# a reader never sees them missing), then prune.
# Relative links: the state directory can move (or be mounted elsewhere).
relink() { # TARGET LINK
  if ! { ln -s "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; }; then
    rm -f "$2.tmp.$$"
    die 3 "cannot update $2"
  fi
}
relink "reports/$name.csv.gz" "$STATE_DIR/latest.csv.gz"
relink "reports/$name.html" "$STATE_DIR/latest.html"
if [ "$KEEP_DAYS" -gt 0 ]; then
  find "$reports" -type f -name 'ptraudit-*' -mtime +"$KEEP_DAYS" -exec rm -f {} +
fi

if [ "$worse" -eq 1 ]; then
  log "something became worse: $base.diff.csv.gz"
  if [ -n "$ALERT_CMD" ]; then
    DIFF_FILE=$base.diff.csv.gz REPORT=$report PREVIOUS=$previous SUMMARY_HTML=$base.html \
      sh -c "$ALERT_CMD" < "$base.diff.txt" || log "ALERT_CMD failed (exit $?)"
  else
    cat "$base.diff.txt" >&2
  fi
  exit 1
fi
exit 0
