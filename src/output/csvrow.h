/* SPDX-License-Identifier: MIT */
/*
 * csvrow.h - one report record as CSV text.
 *
 * Record format (RFC 4180 quoting, Unix line ends):
 *   - every field is first made safe with cell_escape() (cell.h): printable
 *     UTF-8 only, `\xHH` escapes, the CSV-injection guard;
 *   - a field is then double-quoted when it contains `,` or `"` or starts or
 *     ends with a space, inner quotes doubled (RFC 4180 section 2, rules 6
 *     and 7).  CR and LF cannot occur: cell_escape() has escaped them;
 *   - fields are separated by `,` and a record ends with "\n" (not RFC
 *     4180's CRLF: the report is read by zcat, grep, awk, cut and sort far
 *     more often than by spreadsheets, which accept LF anyway).
 *
 * Used by the report writer (report.h) and by callers that format a row
 * ahead of writing it (the --ordered reorder ring).
 */
#ifndef PTRAUDIT_CSVROW_H
#define PTRAUDIT_CSVROW_H

#include <stddef.h>

/* Format one record (fields[i] of lens[i] bytes; lens NULL means the fields
 * are NUL-terminated; a NULL field is empty) into dst, NUL-terminated,
 * including the final "\n".  Returns the record's length excluding the NUL,
 * like snprintf: if the result is >= size, nothing usable was written (dst
 * holds "" when size > 0) and the caller retries with a bigger buffer.
 * Pure, O(total length), no allocation. */
size_t csvrow_format(char *dst, size_t size, const char *const *fields, const size_t *lens,
                     size_t n);

#endif
