/* SPDX-License-Identifier: MIT */
/*
 * jsonlread.h - one line of a JSON-lines report parsed back into the
 * fields the CSV reader gives (reportread.h), so summary, merge and diff
 * read both formats through one interface.
 *
 * A line is one JSON object (RFC 8259) whose members are the columns, in
 * order.  Each value becomes the report text of its CSV cell:
 *   - a string: its decoded text (escapes \" \\ \/ \b \f \n \r \t \uXXXX,
 *     surrogate pairs joined; a lone surrogate becomes U+FFFD), then
 *     cell_escape() (cell.h), as the CSV writer does;
 *   - an array of strings or numbers: the decoded elements joined by one
 *     space, then cell_escape() (a list column's CSV cell);
 *   - a number: its text as written; true / false: "true" / "false";
 *   - null: "" (the empty cell of a column that is not applicable).
 * Keys are decoded and cell_escape()d the same way.  A nested object, an
 * array inside an array, a raw control byte inside a string, or anything
 * that is not JSON is an error naming the key.  White space around tokens
 * is allowed; a line holding only white space is the caller's to skip.
 * Pure: no I/O, no allocation; O(line length).
 */
#ifndef PTRAUDIT_JSONLREAD_H
#define PTRAUDIT_JSONLREAD_H

#include <stddef.h>

/* One member: its key and its value's CSV text, as offsets into the output
 * buffer (each NUL-terminated there). */
struct jsonlread_member {
  size_t key, key_len;
  size_t val, val_len;
};

/* Bytes of output buffer that always suffice for a line of `len` bytes
 * with at most `members` members (every text at most 4x plus guard and NUL). */
#define JSONLREAD_OUT_MAX(len, members) (4 * (len) + 4 * (members) + 16)

/* Parse line[0..len) (no line end) into m[0..*n) (at most max members),
 * with the texts in out (outcap bytes, at least JSONLREAD_OUT_MAX) and
 * scratch (len + 1 bytes) for decoded raw text.  Returns 0, or -EINVAL
 * with a message in err ("field 'verdict': ..." or "not a JSON object:
 * ..."), or -E2BIG when the object has more than max members. */
int jsonlread_parse(const char *line, size_t len, char *out, size_t outcap, char *scratch,
                    struct jsonlread_member *m, size_t max, size_t *n, char *err,
                    size_t errlen);

#endif
