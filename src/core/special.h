/* SPDX-License-Identifier: MIT */
/*
 * special.h - the IANA special-purpose address registries (RFC 6890 and
 * its updates), so that a wide target does not send probes into private,
 * loopback, link-local, documentation, multicast or reserved space.
 * Pure: no I/O, no allocation; the table is static and read-only.
 *
 * Policy (applied by the caller, see source.h): addresses of a wide target
 * that fall in one of these blocks are skipped and counted; a target that
 * lies wholly inside one block is scanned because the user named it.
 *
 * The table (special.c) is the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries as of 2025, plus the two multicast ranges (224.0.0.0/4,
 * ff00::/8), which live in their own registries.  Nested registry entries
 * are folded into their enclosing block (192.0.0.0/29 into 192.0.0.0/24,
 * 255.255.255.255/32 into 240.0.0.0/4, the 2001::/23 sub-blocks into
 * 2001::/23), so blocks never overlap and each address has one block.
 */
#ifndef PTRAUDIT_SPECIAL_H
#define PTRAUDIT_SPECIAL_H

#include <stddef.h>
#include "addr.h"
#include "target.h"

/* 1 if a is in a special-purpose block, with *block_name (if block_name is
 * not NULL) set to static text such as "10.0.0.0/8 (Private-Use)"; else 0.
 * O(log n) on a table of ~20 entries per family: cheap per address. */
int special_lookup(const struct addr *a, const char **block_name);

/* 1 if every address of *sp lies inside one special-purpose block, else 0.
 * A span that straddles two adjacent blocks (e.g. ::/127 covers ::/128 and
 * ::1/128) is not "inside one block" and returns 0.  O(log n). */
int special_span_inside(const struct span *sp);

/* If a is inside a special-purpose block, set *last to the block's last
 * address and return 1, so an iterator can skip the rest of the block in
 * O(1); else return 0 and leave *last alone.  O(log n). */
int special_block_end(const struct addr *a, struct addr *last);

/* Number of addresses of *sp that lie in special-purpose blocks (for
 * --dry-run and progress totals without walking the span).  O(n). */
unsigned __int128 special_count_in(const struct span *sp);

/* The i-th block of the table (IPv4 blocks first, ascending, then IPv6),
 * for listing and tests: returns 1 and fills *sp and *name, or 0 when i is
 * past the end.  name may be NULL. */
int special_block_at(size_t i, struct span *sp, const char **name);

#endif
