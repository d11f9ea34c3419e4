/* SPDX-License-Identifier: MIT */
/*
 * plural.h - "1 row", "2 rows": the noun that goes with a count in a
 * message.  English only (the program's messages are), so one rule: the
 * singular for exactly one, the plural otherwise ("0 rows").  Pure.
 */
#ifndef PTRAUDIT_PLURAL_H
#define PTRAUDIT_PLURAL_H

/* `one` when n is 1, else `many`.  128-bit so that address counts
 * (span_count_text) fit; any narrower count converts.  O(1). */
const char *plural_word(unsigned __int128 n, const char *one, const char *many);

#endif
