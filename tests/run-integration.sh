#!/bin/sh
# SPDX-License-Identifier: MIT
# Run every tests/it_*.sh; each prints "N passed, N failed".  Exit non-zero
# if any script fails.  A script that cannot run is a failure, never a skip.
cd "$(dirname "$0")/.." || exit 1
status=0
total_pass=0
total_fail=0
for t in tests/it_*.sh; do
  echo "== $t"
  out=$(bash "$t" 2>&1); rc=$?
  printf '%s\n' "$out"
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
  p=$(printf '%s' "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
  f=$(printf '%s' "$line" | sed -n 's/.*passed, \([0-9]*\) failed/\1/p')
  if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
    status=1
    [ -z "$f" ] || [ "$f" -eq 0 ] && f=1
  fi
  total_pass=$((total_pass + ${p:-0}))
  total_fail=$((total_fail + ${f:-0}))
done
echo "integration: $total_pass passed, $total_fail failed"
exit $status
