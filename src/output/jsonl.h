/* SPDX-License-Identifier: MIT */
/*
 * jsonl.h - the report as JSON Lines (`--format jsonl`): one JSON object
 * per row (RFC 8259), keys = the report's column names in column order,
 * every value a string, each object on one line ending in "\n".
 *
 * Values are the same text as the CSV cells: the text of each name and
 * field is decided by cell.h alone (cell_escape_from(), in pieces that join
 * to exactly cell_escape() of the whole) -- printable, visible UTF-8 only,
 * `\xHH` escapes, the leading-`'` guard -- as report_format() does, so a
 * value means the same in both formats and a consumer can decode it the
 * same way (tests/fuzz/fuzz_escape_diff.c holds the two to it).  The cell text is then JSON-escaped (RFC 8259 section 7):
 * `"` -> \", `\` -> \\, and any control byte (U+0000-U+001F, U+007F) ->
 * \u00XX.  After cell_escape() the last case cannot occur; it is kept so
 * the output is valid JSON whatever the input.  Non-ASCII UTF-8 is copied
 * as is (valid after cell_escape()).
 *
 * Example: {"ip":"192.0.2.1","verdict":"fail","flags":"NO_PTR",...}
 */
#ifndef PTRAUDIT_JSONL_H
#define PTRAUDIT_JSONL_H

#include <stddef.h>

/* Format one object from names[i] (NUL-terminated; NULL = "") and
 * fields[i] of lens[i] bytes (lens NULL: NUL-terminated; a NULL field is
 * empty), i < n, into dst, NUL-terminated, including the final "\n".
 * Returns the line's length excluding the NUL, like snprintf: if the
 * result is >= size, nothing usable was written (dst holds "" when size >
 * 0) and the caller retries with a bigger buffer.  A duplicate name is
 * written twice (RFC 8259 leaves that to the reader; report columns are
 * unique unless an inventory repeats a header).  Pure, O(total length),
 * no allocation. */
size_t jsonl_format(char *dst, size_t size, const char *const *names,
                    const char *const *fields, const size_t *lens, size_t n);

#endif
