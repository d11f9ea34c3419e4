#!/bin/bash
# scripts/rename-prefixes.sh - give public names their module's prefix:
#   F_NO_PTR ... F_PTR_TRUNCATED, F_COUNT      -> VERDICT_F_*  (verdict.h; the
#                                                bare F_ prefix is fcntl.h's)
#   iprev_name, flag_name, dns_status_name,
#   smtp_status_name, dns_status_is_temporary  -> verdict_*     (verdict.h)
#   EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE,
#   EXIT_RUNTIME                               -> PTA_EXIT_*    (cmdutil.h)
# Whole words only, over every C file in src/ and tests/.  Idempotent: a
# renamed name no longer matches, so it can be run again after merging a
# branch that still uses the old names.  Run from anywhere:
#   bash scripts/rename-prefixes.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FLAGS='NO_PTR|PTR_TEMPERROR|MULTI_PTR|PTR_CNAME|PTR_NO_FORWARD|FCRDNS_MISMATCH|GENERIC_PTR'
FLAGS="$FLAGS|NO_SMTP|SMTP_REJECT|BANNER_MISMATCH|BANNER_NOT_FQDN|EXPECTED_MISMATCH"
FLAGS="$FLAGS|PTR_TRUNCATED|COUNT"
NAMES='iprev_name|flag_name|dns_status_name|smtp_status_name|dns_status_is_temporary'
EXITS='CLEAN|FINDINGS|USAGE|RUNTIME'

find src tests -name '*.[ch]' -print0 |
  xargs -0 sed -i -E \
    -e "s/\\bF_($FLAGS)\\b/VERDICT_F_\\1/g" \
    -e "s/\\b($NAMES)\\b/verdict_\\1/g" \
    -e "s/\\bEXIT_($EXITS)\\b/PTA_EXIT_\\1/g"
