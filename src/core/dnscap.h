/* SPDX-License-Identifier: MIT */
/*
 * dnscap.h - how many queries may be outstanding at the resolver at once,
 * young and stale together.  Pure: the glue reports each tick what it saw.
 *
 * The DNS window (dnsflow.h) keeps socket buffers from overflowing; it does
 * not count queries gone stale (waiting on slow or lame authoritative
 * servers behind the resolver).  Those still fill a recursive resolver's
 * own list of pending requests, and a resolver sheds load beyond it
 * silently: Unbound drops requests past num-queries-per-thread (its
 * request list "exceeded" counter) without REFUSED, so no loss counter of
 * ours moves.  What shows it is answers that came only after c-ares
 * retried: the first try was dropped.  Lame zones never give such answers
 * (every try of theirs times out), so they do not shrink the cap.
 *
 * Rule, once per tick:
 *   late > 0 (answers after a retry since the last tick), not holding
 *        -> cap = max(min, min(cap, outstanding) / 2), then hold for
 *           `hold` ticks: answers to queries dropped before the cut keep
 *           arriving for one retry interval and must not cut it again;
 *   else outstanding >= cap (the cap is what holds queries back) and
 *   queries wait -> cap grows by max(1, cap / 256), at most max.
 * Growth is slow (about 10% a second at 25 ms ticks) because the signal
 * comes a whole retry interval late.
 *
 * Memory: one malloc in dnscap_new; every call is O(1).
 */
#ifndef PTRAUDIT_DNSCAP_H
#define PTRAUDIT_DNSCAP_H

#include <stddef.h>
#include <stdint.h>

struct dnscap;

/* A cap starting at `start`, kept within [min, max]; `hold` ticks between
 * two cuts.  0, -EINVAL (min 0, min > max, start outside) or -ENOMEM. */
int dnscap_new(struct dnscap **out, unsigned start, unsigned min, unsigned max, unsigned hold);

/* Free c (NULL is fine).  O(1). */
void dnscap_free(struct dnscap *c);

/* One tick's figures: queries outstanding at the resolver, queries waiting
 * because of the cap or the window, answers that came after a retry since
 * the last tick.  Returns 1 when the cap changed.  O(1). */
int dnscap_tick(struct dnscap *c, size_t outstanding, size_t waiting, uint64_t late);

/* The cap now.  O(1). */
unsigned dnscap_cap(const struct dnscap *c);

/* The lowest cap so far (the start if never cut).  O(1). */
unsigned dnscap_min_seen(const struct dnscap *c);

#endif
