/* SPDX-License-Identifier: MIT */
/*
 * change.h - what changed since a previous report, for the HTML page's
 * "Since the previous report" section (`--previous REPORT`): counts per
 * verdict before and after, counts per change kind, and the targets that
 * became failing or were fixed.
 *
 * The rules are diff's (core/diff.h): one row per target (the one with
 * the latest checked_at when a report lists a target twice), diff_compare()
 * for targets in both reports, diff_added() for targets only in the
 * current ones, "gone" for targets only in the previous one.  On top of
 * them, against --fail-on (verdict.h, diff_is_finding()):
 *   newly failing  a finding now, and absent or not a finding before
 *                  (diff's new_failing rows, and worse rows that crossed
 *                  the level);
 *   fixed          a finding before, present now and not a finding.
 * A target that disappeared is "gone", never "fixed".
 *
 * Bounded memory, any report size: the previous report and the current
 * ones (several shards are one side) are each sorted by address with
 * extsort (half of sort_mem each; more rows go to temporary files in
 * $TMPDIR), then merge-joined like `ptraudit diff`.  Only the columns ip,
 * verdict, flags, ptr, banner_host and checked_at are sorted (matched by
 * name, so shards may order their columns differently; a missing optional
 * column is empty).  The lists keep the first CHANGE_LIST_MAX targets in
 * address order; the counts are exact.
 *
 * Errors: 0 or a negative UV_E* code with "FILE:LINE: ..." or another
 * one-line message in err.  Never prints, never exits.
 */
#ifndef PTRAUDIT_CHANGE_H
#define PTRAUDIT_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "diff.h"
#include "verdict.h"

#define CHANGE_LIST_MAX 200u

struct change;

/* Which list. */
enum change_list { CHANGE_NEWLY_FAILING = 0, CHANGE_FIXED = 1 };

/* One listed target: cells in their shown form (cell_show(), cut). */
struct change_target {
  char ip[64];
  char old_verdict[16]; /* "" when the target is new */
  char new_verdict[16];
  char flags[160];      /* the current flags */
};

/* A comparison against --fail-on f, sorting in sort_mem bytes in all (0:
 * 2 x EXTSORT_MEM_DEFAULT).  0 or -ENOMEM. */
int change_open(struct change **out, enum verdict_fail_on f, size_t sort_mem, char *err,
                size_t errlen);

/* Read one report into the previous (current = 0) or the current side
 * (current = 1; call once per shard).  With allow_truncated a gzip report
 * cut short gives its complete rows (*truncated, may be NULL, is set to
 * 1); without, it is an error.  A report without an ip, verdict or flags
 * column is -EINVAL.  Before change_finish().  Cost: O(rows); memory is
 * extsort's. */
int change_add_report(struct change *c, int current, const char *path, int allow_truncated,
                      int *truncated, char *err, size_t errlen);

/* Sort both sides and compare them.  0 or <0. */
int change_finish(struct change *c, char *err, size_t errlen);

/* After change_finish(): targets per verdict on one side (after = 0:
 * previous, 1: current; VERDICT_COUNT entries, a verdict cell that is no
 * verdict is in none), targets on that side, targets per change kind
 * (diff.h; DIFF_SAME counts the unchanged), the size of a list and its
 * first entries (*n of them, at most CHANGE_LIST_MAX, address order). */
const uint64_t *change_verdicts(const struct change *c, int after);
uint64_t change_targets(const struct change *c, int after);
uint64_t change_kind(const struct change *c, enum diff_change k);
uint64_t change_list_total(const struct change *c, enum change_list l);
const struct change_target *change_list(const struct change *c, enum change_list l, size_t *n);

/* The previous report's path as given (for the page). */
const char *change_previous_path(const struct change *c);

/* Free everything (c may be NULL). */
void change_free(struct change *c);

#endif
