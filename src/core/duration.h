/* SPDX-License-Identifier: MIT */
/*
 * duration.h - a length of time as words a person reads at a glance
 * ("11 h 39 min" rather than "41943 s"), for estimates such as --dry-run's.
 * Pure: no I/O, no allocation.
 *
 * Two units at most, each rounded down, from the largest that is not zero:
 *   under 1 s        "less than 1 s"
 *   under 1 min      "S s"
 *   under 1 h        "M min S s"   ("M min" when S is 0)
 *   under 1 day      "H h M min"
 *   under 1 year     "D d H h"     (a year is 365 days)
 *   up to 10^6 years "Y year(s) D d" / "Y years"
 *   beyond           "1.2e+09 years"
 * Negative, NaN and infinite inputs give "forever" only for +infinity and
 * "unknown" otherwise: an estimate divided by a zero rate must not print
 * garbage.
 */
#ifndef PTRAUDIT_DURATION_H
#define PTRAUDIT_DURATION_H

#include <stddef.h>

/* A buffer of this size never truncates duration_text. */
#define DURATION_TEXTLEN 48

/* Write the text for `seconds` into buf[size] (cut to fit); returns buf.
 * O(1). */
char *duration_text(char *buf, size_t size, double seconds);

#endif
