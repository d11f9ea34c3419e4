/* SPDX-License-Identifier: MIT */
/*
 * extsort.h - external sort of report rows by target address, in bounded
 * memory.  Used by `ptraudit diff` and `ptraudit merge`; no CSV and no
 * report knowledge beyond "which column is the ip, which the time".
 *
 * Order (the "address order"):
 *   1. rows whose ip cell is an address (addr_parse(): strict inet_pton)
 *      before rows whose ip cell is not (verdict `invalid` rows);
 *   2. addresses by addr_cmp(): every IPv4 address before every IPv6 one,
 *      then numerically -- so "2001:DB8::1" and "2001:db8:0::1" are the
 *      same target;  non-addresses by their cell text, bytewise (a shorter
 *      text before a longer one it prefixes);
 *   3. equal targets by the time cell (checked_at), compared as text:
 *      RFC 3339 UTC timestamps in ptraudit's one fixed format order
 *      correctly as text; an empty time sorts first;
 *   4. still equal: the order the rows were added (the sort is stable).
 *
 * How (bounded memory): rows are copied into an in-memory arena until the
 * memory limit (row bytes plus 8 bytes of index per row, default
 * EXTSORT_MEM_DEFAULT) or the row limit would be exceeded; the arena is then
 * sorted and written as one sorted "run" to a temporary file (mkstemp in
 * $TMPDIR, else /tmp; unlinked at once, so nothing is left behind even on
 * a crash; gzip level 1, which keeps disk use near a third of the text).
 * At the end the runs are merged with a binary heap, at most `fanin` at a
 * time (default EXTSORT_FANIN): with more runs than that, groups are first
 * merged into longer runs, so open files and read buffers stay bounded
 * too.  Input that fits in memory never touches the disk.
 *
 * Cost: O(n log n) comparisons; memory about mem_limit + fanin x ~100 KiB
 * (zlib state and buffers per open run) + the longest row; temporary disk
 * about the compressed size of the input (twice that, briefly, during an
 * intermediate merge pass).
 *
 * Unique mode (extsort_set_unique): the iterator yields only the last row
 * of each target in the order above, i.e. the one with the greatest
 * checked_at, and among equal checked_at the one added last.
 *
 * Errors: 0 or a negative UV_E* code with a one-line message in err (e.g.
 * "cannot write temporary file in /tmp: No space left on device").  The
 * first error is sticky.
 */
#ifndef PTRAUDIT_EXTSORT_H
#define PTRAUDIT_EXTSORT_H

#include <stddef.h>
#include <stdint.h>

#define EXTSORT_MEM_DEFAULT (64u * 1024u * 1024u) /* bytes of rows in memory */
#define EXTSORT_FANIN 64                          /* runs merged at once */

struct extsort;

/* A sorter for rows of `ncols` fields whose ip is field `ip_col` and whose
 * time is field `time_col` (-1: none, ties go by insertion order).
 * mem_limit 0 means EXTSORT_MEM_DEFAULT.  0 or <0 (-EINVAL, -ENOMEM). */
int extsort_open(struct extsort **out, size_t ncols, size_t ip_col, int time_col,
                 size_t mem_limit, char *err, size_t errlen);

/* Tuning, before the first extsort_add() (0 keeps a value): memory limit
 * in bytes, rows per in-memory run (default: no row limit), runs merged at
 * once (>= 2).  Tests use tiny values to force many spills and several
 * merge passes. */
void extsort_set_limits(struct extsort *s, size_t mem_limit, size_t max_rows,
                        unsigned fanin);

/* Yield only the last row of each target (see above).  Before iterating. */
void extsort_set_unique(struct extsort *s, int on);

/* Add one row (ncols fields; fields[i] of lens[i] bytes, copied).  May
 * spill a sorted run to disk first.  0 or <0. */
int extsort_add(struct extsort *s, const char *const *fields, const size_t *lens, char *err,
                size_t errlen);

/* End of input: prepare the sorted stream (sorts the last run; with runs
 * on disk, writes it out too and merges down to at most fanin runs).  No
 * extsort_add() after this.  0 or <0. */
int extsort_finish(struct extsort *s, char *err, size_t errlen);

/* Next row in order (after extsort_finish): 1 with ncols NUL-terminated
 * fields (valid until the next call or close), 0 at the end, <0 error. */
int extsort_next(struct extsort *s, const char *const **fields, const size_t **lens,
                 char *err, size_t errlen);

/* Rows added; in-memory runs spilled to disk (0: all in memory; merge
 * passes not counted); rows dropped by unique mode so far. */
uint64_t extsort_rows(const struct extsort *s);
unsigned extsort_spills(const struct extsort *s);
uint64_t extsort_duplicates(const struct extsort *s);

/* Free everything and close the temporary files (s may be NULL). */
void extsort_close(struct extsort *s);

/* The address order of two ip cells alone (steps 1 and 2 above): <0, 0
 * (the same target), >0.  Pure; O(length). */
int extsort_ipcmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
