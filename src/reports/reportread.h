/* SPDX-License-Identifier: MIT */
/*
 * reportread.h - stream the rows of a finished ptraudit report back in.
 *
 * Input: a report as written by report.c (or by hand): CSV, RFC 4180
 * quoting, LF or CRLF line ends, header row first; or JSON lines
 * (--format jsonl), told apart by the first character after a BOM and
 * white space ('{').  A JSON-lines report's columns are the first line's
 * keys, every line must have the same ones (in any order), and each value
 * comes back as the text of its CSV cell (jsonlread.h), so callers see
 * one format.  The same cut-short (ERR_EOF) rules apply, per line; JSON
 * errors name the line and the field.  Plain or gzip is
 * detected automatically (zlib's gzread reads both); a file of several
 * concatenated gzip members -- ptraudit ends a member every few seconds so
 * that a killed run stays readable -- is read whole.
 *
 * Parsing: libcsv in strict mode (CSV_STRICT | CSV_STRICT_FINI), fed by
 * gzread chunks, so memory does not depend on the file's size: one row's
 * fields are held at a time.  Caps and errors:
 *   - a field longer than REPORTREAD_FIELD_MAX bytes is an error (a report
 *     cell is short; a huge one means the file is not a report);
 *   - a row whose number of fields differs from the header's is an error
 *     naming the line (a blank line is skipped, as libcsv does);
 *   - a CSV syntax error (stray quote, unterminated quoted field at the
 *     end) is an error naming the line;
 *   - input cut short: a gzip file cut inside a member (a run killed
 *     mid-member), or a file (plain or gzip) whose last row has no line
 *     end (a write that failed half-way): every complete row (ended by a
 *     line end) is returned first, then the error; the fragment of the row
 *     that was cut is dropped, even when it has the right number of
 *     fields (its last cell may be cut: "2026-1"); a cut inside a quoted
 *     field is the syntax error below instead.  This gives ERR_EOF, so
 *     a caller can choose to accept the rows read as a partial report
 *     (--allow-truncated);
 *   - corrupt gzip data (bad CRC, invalid deflate stream): -EINVAL.
 *     zlib reports it per read, so the rows of up to 64 KiB of text just
 *     before the damage may not be returned.
 * A leading UTF-8 BOM (a report saved by a spreadsheet) is skipped.
 * Error messages have the form "FILE: ..." (open) or "FILE:LINE: ..."
 * (rows), where LINE is the physical line (1-based) on which the
 * offending row starts; FILE is the path as given, "stdin" for "-".
 *
 * Cells are returned as they are in the file (unquoted, but not
 * cell-unescaped): they are report text, ready to compare; to write one
 * into another report use cell_unescape() (cell.h) first (report.c escapes).
 *
 * Cost: O(file size) time; memory O(longest row) plus a 64 KiB read
 * buffer.  Not thread-safe per handle; handles are independent.
 */
#ifndef PTRAUDIT_REPORTREAD_H
#define PTRAUDIT_REPORTREAD_H

#include <stddef.h>

#define REPORTREAD_FIELD_MAX (64u * 1024u) /* bytes per field, at most */

struct reportread;

/* Open the report at `path` ("-" = standard input, which is not closed by
 * reportread_close()); gzip or plain detected automatically (gzopen/gzdopen
 * read both); reads the header row.  A file without a header row (empty)
 * is an error.  Returns 0, or <0 (-ENOENT etc. for the open, -EINVAL
 * for a bad header/CSV, -ENOMEM) with "FILE: ..." in err.  On success
 * *out must be given to reportread_close(). */
int reportread_open(struct reportread **out, const char *path, char *err, size_t errlen);

/* Number of columns of the header row (>= 1). */
size_t reportread_ncols(const struct reportread *r);

/* Name of header column i (< ncols), NUL-terminated, owned by r. */
const char *reportread_colname(const struct reportread *r, size_t i);

/* Index of the column whose name is `name` (exact, case-sensitive), or -1. */
int reportread_col(const struct reportread *r, const char *name);

/* Read the next row.  Returns 1 with *fields / *lens pointing at ncols
 * NUL-terminated fields and their lengths (valid until the next call or
 * close; either out pointer may be NULL), 0 at the end of the input, or <0
 * with "FILE:LINE: ..." in err: ERR_EOF for input cut short (see above),
 * -EINVAL for bad CSV or a ragged row, -EIO/UV_E* for read
 * errors, -ENOMEM.  After an error the handle is spent: later
 * calls return the same error. */
int reportread_next(struct reportread *r, const char *const **fields, const size_t **lens,
                    char *err, size_t errlen);

/* Physical line (1-based) on which the row last returned by
 * reportread_next() started; the header's line after reportread_open(). */
unsigned long reportread_line(const struct reportread *r);

/* The path given to reportread_open() (for messages). */
const char *reportread_path(const struct reportread *r);

/* Close and free (r may be NULL). */
void reportread_close(struct reportread *r);

#endif
