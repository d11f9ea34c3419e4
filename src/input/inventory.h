/* SPDX-License-Identifier: MIT */
/*
 * inventory.h - streaming reader of a CSV inventory (libcsv, strict mode).
 *
 * Format accepted:
 *   - RFC 4180 CSV: `,` separates, `"` quotes, `""` is a quote inside a
 *     quoted field, a quoted field may contain `,`, CR and LF.  Strict: a
 *     quote inside an unquoted field, anything but `,` or a line end after a
 *     closing quote, and a quoted field still open at end of file are
 *     errors.  Spaces are data (RFC 4180 section 2: "Spaces are considered
 *     part of a field"): cells are returned exactly as written, so
 *     `a, "b"` is an error (quote inside the unquoted field ` "b"`).
 *   - A UTF-8 byte order mark at the very start is skipped.  Lines end in
 *     LF, CRLF or a lone CR.  Blank lines, and lines holding nothing but
 *     spaces and tabs, are skipped.
 *   - The first non-blank row is the header (required).  Header names are
 *     matched after trimming surrounding spaces and tabs; extra_name()
 *     returns them trimmed.  Duplicate names are allowed.
 *   - IP column: the explicit ip_column if given, else the first of `ip`,
 *     `ip_address`, `address`, `addr` present (in that order of
 *     preference).  Expected-PTR column: the explicit expect_column if
 *     given (absent: error), else the first of `expected_ptr`, `expected`,
 *     `hostname` present other than the IP column itself (an explicit
 *     ip_column named "hostname" is not also the expected column; a later
 *     column of the same name can be), else none.  Names match
 *     case-insensitively (an
 *     exact-case match wins when both exist); with duplicates the leftmost
 *     column is used.  Every other column is an "extra" (passed through to
 *     the report), in file order.
 *
 * Errors are -EINVAL (bad input) with a message "FILE:LINE: ...", naming
 * the column (number and header name) when one is at fault:
 *   - CSV syntax (stray or unterminated quote), at the line where it is;
 *   - a row with a different number of fields than the header (columns are
 *     never shifted or padded);
 *   - a field over INVENTORY_FIELD_MAX bytes, a row over INVENTORY_ROW_MAX
 *     bytes, a header over INVENTORY_COLUMNS_MAX columns (memory stays
 *     bounded whatever the input: libcsv's own buffer grows without limit,
 *     so the reader feeds it in slices and checks after each);
 *   - a NUL byte, or bytes that are not valid UTF-8 (cell.h's rules), in any
 *     field: both are refused rather than guessed at;
 *   - no IP column, or an explicit column name that is absent.
 * Read errors of the FILE are the translated errno (e.g. -EIO).  Errors
 * are sticky: once inventory_next() failed it keeps returning the error.
 *
 * An empty file (or one holding only blank lines) is not an error here: the
 * inventory opens with no columns and inventory_next() returns 0, as it does
 * for a header-only file; the caller says "no targets".
 *
 * Line numbers are physical lines (LF, CRLF or lone CR each end one),
 * counted from 1, of the first byte of the row; a quoted field may make a
 * row span several lines.
 */
#ifndef PTRAUDIT_INVENTORY_H
#define PTRAUDIT_INVENTORY_H

#include <stddef.h>
#include <stdio.h>

#define INVENTORY_FIELD_MAX (64 * 1024)  /* bytes per field */
#define INVENTORY_ROW_MAX (256 * 1024)   /* bytes per row (all fields) */
#define INVENTORY_COLUMNS_MAX 1024       /* columns in the header */

struct inventory;

struct inventory_row {
  unsigned long line;        /* physical line of the row's first byte */
  const char *ip;            /* the IP cell exactly as written */
  size_t ip_len;
  const char *expected;      /* the expected-PTR cell, NULL without a column */
  size_t expected_len;
  const char *const *extra;  /* inventory_extra_count() cells, file order */
  const size_t *extra_len;
};

/* Start reading `f` (not closed by the reader; read in 64 KiB chunks from
 * its current position) and read the header row.  filename is used in
 * messages (copied).  ip_column / expect_column: explicit column names, or
 * NULL to search the usual names.  Returns 0 and *out, or -EINVAL /
 * -ENOMEM / a read error with err set.  Cost: a few allocations for
 * the parser and its buffers, about 500 KiB at most whatever the input
 * (the caps bound them). */
int inventory_open(struct inventory **out, FILE *f, const char *filename,
                   const char *ip_column, const char *expect_column, char *err,
                   size_t errlen);

/* The same, reading a stream (instream.h; it is not closed by the
 * reader).  The header is waited for; afterwards inventory_next returns
 * -EAGAIN (err untouched, not sticky) when the stream has no complete row
 * yet: poll instream_fd and call again.  The name in messages is the
 * stream's. */
struct instream;
int inventory_open_stream(struct inventory **out, struct instream *in,
                          const char *ip_column, const char *expect_column, char *err,
                          size_t errlen);

/* Passthrough columns: how many, and the trimmed header name of each
 * (i < count; valid until inventory_close). */
size_t inventory_extra_count(const struct inventory *inv);
const char *inventory_extra_name(const struct inventory *inv, size_t i);

/* Header name of the IP column / expected column (NULL if none). */
const char *inventory_ip_name(const struct inventory *inv);
const char *inventory_expected_name(const struct inventory *inv);

/* Next data row.  Returns 1 and fills *row, 0 at the end of the file, <0 on
 * error (err set).  Every cell is also NUL-terminated (it contains no NUL).
 * The row's pointers stay valid until the next inventory_next() or
 * inventory_close().  Cost: no allocation; O(row length). */
int inventory_next(struct inventory *inv, struct inventory_row *row, char *err,
                   size_t errlen);

/* The column a later stage looks for by name (the sender and HELO columns
 * of the sender checks), among `names` (n header names, trimmed): with
 * explicit_name, that column; else the first of usual[0..nusual) present.
 * The same rule as the IP column's: exact case first, then
 * case-insensitive, leftmost.  Its index, or -1 when absent.  Pure,
 * O(n x nusual). */
int inventory_pick_column(const char *const *names, size_t n, const char *explicit_name,
                          const char *const *usual, size_t nusual);

/* Free the reader.  Does not fclose the FILE.  inv may be NULL. */
void inventory_close(struct inventory *inv);

#endif
