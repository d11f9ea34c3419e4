/* SPDX-License-Identifier: MIT */
/*
 * exclude.h - the --exclude / --exclude-file set: a sorted list of disjoint
 * address spans with O(log n) lookup.  Pure.  Exclusions always win: an
 * excluded address is never probed, even when a target names it alone.
 */
#ifndef PTRAUDIT_EXCLUDE_H
#define PTRAUDIT_EXCLUDE_H

#include <stddef.h>
#include "target.h"

struct exclude;

/* An empty set.  Returns NULL only when out of memory. */
struct exclude *exclude_new(void);

/* Add one span (overlapping and adjacent spans are merged on freeze).
 * 0 or -ENOMEM.  Amortised O(1). */
int exclude_add(struct exclude *x, const struct span *sp);

/* Sort and merge; call once after the last add, before any lookup.
 * O(n log n). */
void exclude_freeze(struct exclude *x);

/* 1 if `a` is excluded, and then *last is the last address of the
 * excluded span containing it (so a caller can skip the span at once). */
int exclude_lookup(const struct exclude *x, const struct addr *a, struct addr *last);

/* Addresses of `sp` that are excluded.  O(log n + overlapping spans). */
unsigned __int128 exclude_count_in(const struct exclude *x, const struct span *sp);

/* Spans in the set (after freeze). */
size_t exclude_size(const struct exclude *x);

void exclude_free(struct exclude *x);

#endif
