/* SPDX-License-Identifier: MIT */
/*
 * jsonl.h - the report as JSON Lines (`--format jsonl`): one JSON object
 * per row (RFC 8259), keys = the report's column names in column order,
 * values typed by the column's schema type (schema.h), each object on one
 * line ending in "\n".  The JSON Schema of a row is docs/report.schema.json.
 *
 * Values (a field is raw bytes, as rowfmt.h builds it):
 *   - a NULL field is `null` (not applicable); so is an empty enum,
 *     integer or time field;
 *   - string, enum, time: a JSON string of the raw text;
 *   - list: a JSON array of the words of the text split at each space
 *     (empty text: []);
 *   - integer: the digits as a JSON number (text that is not decimal
 *     digits, as a hand-made report may hold, is kept as a JSON string).
 * Strings (values and keys) are the raw text, not cell.h's report text:
 * no `\xHH` escapes and no leading-`'` spreadsheet guard.  Escaping
 * (RFC 8259 section 7): `"` -> \", `\` -> \\, C0 controls, DEL, C1
 * controls (U+0080-U+009F) and U+2028/U+2029 (line breaks to JavaScript)
 * -> \u00XX / \u2028 / \u2029; other valid UTF-8 is copied as is.  Each
 * byte that does not start a valid UTF-8 sequence (cell_utf8_check: stray
 * continuation bytes, overlongs, surrogates, cut sequences) becomes U+FFFD,
 * so every line is valid UTF-8 JSON whatever a hostile peer sent; valid
 * UTF-8 text is kept exactly (decoding gives back the raw bytes).
 *
 * Example: {"ip":"192.0.2.1","verdict":"fail","flags":["NO_PTR"],...}
 */
#ifndef PTRAUDIT_JSONL_H
#define PTRAUDIT_JSONL_H

#include <stddef.h>

#include "schema.h"

/* Format one object from names[i] (NUL-terminated; NULL = ""), types[i]
 * (types NULL: every column a string) and fields[i] of lens[i] bytes (lens
 * NULL: NUL-terminated; a NULL field is null), i < n, into dst,
 * NUL-terminated, including the final "\n".  Returns the line's length
 * excluding the NUL, like snprintf: if the result is >= size, nothing
 * usable was written (dst holds "" when size > 0) and the caller retries
 * with a bigger buffer.  Pure, O(total length), no allocation. */
size_t jsonl_format(char *dst, size_t size, const char *const *names,
                    const enum schema_type *types, const char *const *fields,
                    const size_t *lens, size_t n);

/* The JSON string (with its quotes) of raw bytes s[0..n), escaped as
 * above, into dst like jsonl_format (NUL-terminated; returns the length;
 * >= size: cut, dst ""). For other JSON documents (run metadata).  O(n). */
size_t jsonl_string(char *dst, size_t size, const char *s, size_t n);

#endif
