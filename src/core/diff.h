/* SPDX-License-Identifier: MIT */
/*
 * diff.h - what changed for one target between two reports: the pure
 * comparison behind `ptraudit diff` (no I/O, no allocation).
 *
 * Inputs are report cells as they appear in the CSV (escaped text):
 * verdict, flags (space-separated), ptr (space-separated, sorted) and
 * banner_host.
 *
 * Verdict rank (higher is worse): verdict_level() of verdict.h -- ok and
 * skipped 0 (nothing was checked: treated like ok, so a target that
 * leaves a special-purpose/excluded range is no alarm), warn 1, unknown 2,
 * fail and invalid 3 (an inventory row that stopped being an address is as
 * bad as a failure); a cell that is no verdict this version knows 3
 * (assume the worst).
 *
 * Flag level: the verdict_level() of the flag's level in verdict.h's flag
 * table (the verdict that flag alone leads to: fail 3, unknown 2, warn 1,
 * informational 0); a name this version does not know is warn 1 (a new
 * kind of problem should alert rather than pass unnoticed).
 *
 * Change kinds, decided in this order:
 *   worse    the verdict rank went up, or it stayed the same and a flag of
 *            level >= warn appeared (e.g. warn GENERIC_PTR -> warn
 *            GENERIC_PTR BANNER_MISMATCH);
 *   better   the rank went down, or it stayed the same, no flag of level
 *            >= warn appeared and one disappeared;
 *   changed  none of those, but the verdict text (fail <-> invalid, ok <->
 *            skipped), the flags (e.g. NO_SMTP), the PTR names or the
 *            banner host differ.  The full banner text is not compared:
 *            many greetings carry a timestamp, which would mark every
 *            target changed every night;
 *   same     nothing of the above differs (not reported by diff);
 *   added / gone: the target is only in the new / only in the old report
 *            (decided by the caller, named here);
 *   new_failing: only in the new report, with a verdict that is a finding
 *            under --fail-on (diff_added(): by default fail or invalid; a
 *            verdict cell this version does not know counts as fail).  A
 *            regression like worse: a new customer address that already
 *            fails must alert.  A new target below the level stays added.
 * worse and new_failing are the regressions (diff exits 1 for them).
 */
#ifndef PTRAUDIT_DIFF_H
#define PTRAUDIT_DIFF_H

#include <stddef.h>

#include "verdict.h"

enum diff_change { DIFF_SAME = 0, DIFF_WORSE, DIFF_BETTER, DIFF_CHANGED, DIFF_ADDED, DIFF_GONE,
                   DIFF_NEW_FAILING };
#define DIFF_KINDS 7

/* One side of the comparison: cells of one report row. */
struct diff_side {
  const char *verdict;
  size_t verdict_len;
  const char *flags;
  size_t flags_len;
  const char *ptr;
  size_t ptr_len;
  const char *banner_host;
  size_t banner_host_len;
};

/* "same", "worse", "better", "changed", "added", "gone", "new_failing"
 * ("?" if out of range). */
const char *diff_change_name(enum diff_change c);

/* Rank of a verdict cell (see above). */
int diff_verdict_rank(const char *verdict, size_t len);

/* 1 if a verdict cell is a finding under f: its rank (above) is at least
 * verdict_fail_on_level(f) (verdict.h), so an unknown cell is one unless
 * f is never.  O(VERDICT_COUNT). */
int diff_is_finding(const char *verdict, size_t len, enum verdict_fail_on f);

/* The change kind of a target only in the new report: DIFF_NEW_FAILING if
 * its verdict is a finding under f (diff_is_finding), else DIFF_ADDED.
 * O(VERDICT_COUNT). */
enum diff_change diff_added(const struct diff_side *new_row, enum verdict_fail_on f);

/* 1 for the regressions: DIFF_WORSE and DIFF_NEW_FAILING.  O(1). */
int diff_is_regression(enum diff_change c);

/* Level of one flag name (see above). */
int diff_flag_level(const char *flag, size_t len);

/* Compare one target's old and new row.  Writes the flags that appeared
 * into added[addsize] and those that disappeared into removed[remsize]
 * (space-separated, in the order of the new resp. old flags cell,
 * NUL-terminated; a buffer of flags_len + 1 bytes of the respective side
 * always suffices, a smaller one is cut at a name boundary).  Either
 * buffer may be NULL with size 0.  O(flags^2), flags are few. */
enum diff_change diff_compare(const struct diff_side *old_row, const struct diff_side *new_row,
                              char *added, size_t addsize, char *removed, size_t remsize);

#endif
