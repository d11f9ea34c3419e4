/* SPDX-License-Identifier: MIT */
/*
 * summary.h - aggregate report rows into counts people can read: per verdict
 * and per flag overall, per address prefix (/24 for IPv4, /48 for IPv6), per
 * value of one inventory column (--by), and a verdict map of every IPv4 /16
 * seen (one cell per address, for the HTML page's pictures).
 *
 * Fed one row at a time, from two places: `ptraudit summary` reading
 * finished reports, and the running audit as it writes rows.  summary_add()
 * takes the cells *as given to report_write_fields()* (raw, not yet
 * cell-escaped); a reader of a CSV report decodes each cell first (drop the
 * leading `'` guard, turn `\xHH` back into bytes; see cell.h) so both paths
 * produce the same keys.  Keys shown to people (the --by values) are stored
 * cell_escape()d: printable UTF-8 only, whatever the input held.
 *
 * "Worst first" (summary_worst, the printed and HTML tables): groups ordered
 * by the number of `fail` rows, descending; ties by `unknown` rows, then
 * `warn` rows (descending); then by key ascending (prefixes in address
 * order, IPv4 before IPv6; --by values bytewise).  Absolute counts, not
 * shares: a /24 with 40 failures is worse than one with 2 out of 2.
 *
 * Bounded memory, whatever the number of rows:
 *   - at most SUMMARY_MAX_GROUPS distinct groups per table (prefixes; --by
 *     values); rows of further groups are added to one "(other)" group per
 *     table, and the output says how many rows went there;
 *   - a --by value is kept as at most SUMMARY_KEY_MAX bytes of escaped
 *     text (cut cleanly, never inside an escape), so long values sharing
 *     that prefix share a group;
 *   - at most SUMMARY_MAX_MAPS /16 maps of 65536 bytes each, for the first
 *     /16s seen; further /16s are counted (a 8 KiB bitmap of /16s seen) and
 *     named in the output, but not drawn;
 *   - the worst rows (summary_worst_rows) are a fixed-size heap of at
 *     most SUMMARY_WORST_ROWS entries (about 200 bytes each), filled
 *     while the rows stream past;
 *   - per group the counters are 32-bit and saturate at UINT32_MAX (a /24
 *     holds 256 addresses; only a --by value or an IPv6 /48 with more than
 *     four billion rows could reach it).  Overall counters are 64-bit.
 * Memory per group: about 90 bytes + its key + 16-32 bytes of table slots,
 * so ~140 MB for the prefix table at the cap, and for the --by table ~130
 * MB with short values (up to ~380 MB if every value is 256 bytes long).
 * A /8 scan (65536 /24s) needs about 9 MB; the maps at most 4 MB.
 *
 * Errors: functions return 0 or a negative UV_E* code; summary_new() fills
 * err, summary_add() leaves its message in summary_error().  No printing to
 * stderr, no exit().
 */
#ifndef PTRAUDIT_SUMMARY_H
#define PTRAUDIT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "verdict.h"

#define SUMMARY_MAX_GROUPS 1000000u /* distinct groups per table, default */
#define SUMMARY_MAX_MAPS 64u        /* /16 verdict maps, default */
#define SUMMARY_KEY_MAX 256u        /* bytes of a --by value kept (escaped) */
#define SUMMARY_TOP 20u             /* groups printed per table, default */
#define SUMMARY_WORST_ROWS 200u     /* worst rows kept for the page, default */
#define SUMMARY_PTR_MAX 96u         /* bytes of a worst row's ptr cell kept (escaped) */
#define SUMMARY_NVERDICTS (VERDICT_SKIPPED + 1)

/* Map cell values: 0 = not in any report row, else verdict + 1. */
#define SUMMARY_CELL_NONE 0

struct summary;

/* Which group table. */
enum summary_table {
  SUMMARY_PREFIX = 0, /* /24 (IPv4) or /48 (IPv6) of the ip column */
  SUMMARY_BY = 1      /* values of the --by column */
};

/* Counts of one group, or of everything. */
struct summary_counts {
  uint64_t rows;
  uint64_t verdict[SUMMARY_NVERDICTS]; /* indexed by enum verdict */
  uint64_t flag[VERDICT_F_COUNT];              /* indexed by flag bit (verdict.h) */
};

/* One group as returned by summary_worst(). */
struct summary_group {
  const char *key; /* "192.0.2.0/24", "2001:db8:1::/48", or the --by value
                    * (escaped; "" for an empty cell); points into the
                    * summary, valid until summary_free() */
  struct summary_counts c;
};

/* One of the worst rows (summary_worst_rows): a row with an address whose
 * verdict is fail, unknown or warn. */
struct summary_row {
  struct addr addr;
  char ip[ADDR_STRLEN];            /* addr's canonical text */
  enum verdict verdict;
  uint32_t flags;                  /* flag bits (verdict.h) */
  char ptr[SUMMARY_PTR_MAX + 1];   /* the ptr cell, cell_escape()d and cut
                                      cleanly; "" without a ptr column */
};

/* Which of two worst rows is worse (the page's order): the higher
 * verdict_level() first (fail, then unknown, then warn); then more flags
 * of level warn or above; then more flags of any level; then the address
 * (addr_cmp: IPv4 before IPv6, numerically).  <0 if a comes first, >0 if
 * b does, 0 only for the same address, verdict and flags.  A total order,
 * so which rows are kept does not depend on the input order (short of
 * repeated addresses).  Pure, O(VERDICT_F_COUNT). */
int summary_row_cmp(const struct summary_row *a, const struct summary_row *b);

/* Start a summary for rows with columns colnames[0..ncols) (copied).  The
 * columns "ip", "verdict" and "flags" must be present (ASCII
 * case-insensitive); "checked_at" and "ptr" are used when present.  by_column (may be
 * NULL) names the column to group by; an unknown name is -EINVAL and err
 * lists the available columns.  -ENOMEM on allocation failure. */
int summary_new(struct summary **out, const char *const *colnames, size_t ncols,
                const char *by_column, char *err, size_t errlen);

/* Change the caps (0 keeps a value); only before the first summary_add().
 * For tests and for callers that want less memory. */
void summary_set_caps(struct summary *s, size_t max_groups, size_t max_maps);

/* How many worst rows to keep (default SUMMARY_WORST_ROWS, at most 100000);
 * only before the first summary_add(). */
void summary_set_worst_max(struct summary *s, size_t n);

/* How many groups summary_print() and the HTML page list per table
 * (default SUMMARY_TOP; 0 = all). */
void summary_set_top(struct summary *s, size_t top);
size_t summary_top(const struct summary *s);

/* Add one row: fields[i] of lens[i] bytes for column i of summary_new()'s
 * colnames (lens NULL: NUL-terminated; a NULL field is empty).  A verdict
 * cell that is not one of ok/warn/unknown/fail/invalid/skipped, or a flags
 * token that is not a flag name, is -EINVAL (nothing counted;
 * summary_error() says which); -ENOMEM if a new group cannot be
 * allocated.  An ip cell that is not an address counts in the totals and
 * the --by table but in no prefix or map.  An address seen twice takes the
 * worse verdict in its map cell (fail > unknown > warn > ok > skipped >
 * invalid).  Cost: O(row length) plus one hash lookup per table; the
 * previous prefix group is cached, so sorted or sequential input skips the
 * prefix lookup. */
int summary_add(struct summary *s, const char *const *fields, const size_t *lens);

/* The message of the last summary_add() error ("" if none). */
const char *summary_error(const struct summary *s);

/* Totals over every row added. */
const struct summary_counts *summary_total(const struct summary *s);

/* Rows whose ip cell is not an address (counted in totals only). */
uint64_t summary_rows_without_address(const struct summary *s);

/* Earliest and latest checked_at cell seen (RFC 3339 text compares in time
 * order), "" if none. */
const char *summary_first_checked(const struct summary *s);
const char *summary_last_checked(const struct summary *s);

/* The --by column name, or NULL when there is no --by table. */
const char *summary_by_column(const struct summary *s);

/* Distinct groups tracked in table t (not counting "(other)"). */
size_t summary_ngroups(const struct summary *s, enum summary_table t);

/* Rows that went to table t's "(other)" group because the group cap was
 * reached, and their counts (c may be NULL). */
uint64_t summary_other(const struct summary *s, enum summary_table t,
                       struct summary_counts *c);

/* The `top` worst groups of table t (top 0 = all), worst first (see the
 * ordering above), in a malloc()ed array the caller free()s; *n gets the
 * count.  "(other)" is never among them.  0 or -ENOMEM.  Cost:
 * O(G log G) for G groups, 8 bytes of scratch per group. */
int summary_worst(const struct summary *s, enum summary_table t, size_t top,
                  struct summary_group **out, size_t *n);

/* The worst rows seen (summary_row_cmp order, worst first; an address
 * reported twice may be listed twice), at most the worst-row cap, in a
 * malloc()ed array the caller free()s (NULL when *n is 0).  *candidates
 * (may be NULL) gets the number of rows that qualified (fail, unknown or
 * warn with an address), of which the page lists *n.  0 or -ENOMEM.
 * Cost: O(k log k) for k kept rows. */
int summary_worst_rows(const struct summary *s, struct summary_row **out, size_t *n,
                       uint64_t *candidates);

/* /16 maps, in address order.  summary_nmaps() counts the maps kept;
 * summary_map() gives map i's /16 (first two octets as a 16-bit number,
 * e.g. 0x7f40 for 127.64.0.0/16), its 65536 cells (cell[third * 256 +
 * fourth], SUMMARY_CELL_NONE or verdict + 1) and its counts (c may be
 * NULL).  summary_maps_dropped() is the number of further /16s seen that
 * have no map because of the cap.  summary_rows_ipv6() counts IPv6 rows
 * (listed per /48, never drawn). */
size_t summary_nmaps(const struct summary *s);
int summary_map(const struct summary *s, size_t i, unsigned *prefix16, const uint8_t **cells,
                struct summary_counts *c);
size_t summary_maps_dropped(const struct summary *s);
uint64_t summary_rows_ipv6(const struct summary *s);

/* Blocklists seen in the `dnsbl` column (core/dnsbl.h's cell syntax), in
 * order of first appearance, at most SUMMARY_DNSBL_MAX (further lists are
 * not counted; summary_dnsbl_unreadable counts those rows too): how many
 * rows each list listed and how many had an unknown answer from it.
 * O(1). */
#define SUMMARY_DNSBL_MAX 32
size_t summary_ndnsbl(const struct summary *s);
const char *summary_dnsbl(const struct summary *s, size_t i, uint64_t *listed, uint64_t *errors);
/* Rows whose `dnsbl` cell could not be read or named more lists than are
 * counted. */
uint64_t summary_dnsbl_unreadable(const struct summary *s);

/* Print the counts and the worst groups as text (format in summary.c).
 * 0, or -EIO if writing to f failed. */
int summary_print(const struct summary *s, FILE *f);

/* Free everything (s may be NULL). */
void summary_free(struct summary *s);

#endif
