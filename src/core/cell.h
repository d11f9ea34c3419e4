/*
 * cell.h - make one report cell safe to show: printable UTF-8 only, no CSV
 * injection.  Pure: no I/O, no allocation.
 *
 * The encoding, applied left to right to the cell's bytes:
 *   - a valid UTF-8 sequence of a printable character is copied;
 *   - each byte of anything else becomes `\xHH` (lower-case hex):
 *       C0 controls 0x00-0x1f and DEL 0x7f (TAB, CR and LF included),
 *       the backslash itself (so the encoding stays reversible),
 *       bytes that are not valid UTF-8 (stray continuation bytes,
 *         overlong forms such as C0 80, surrogates ED A0 80 .. ED BF BF,
 *         code points above U+10FFFF, sequences cut short),
 *       characters that are valid but invisible and able to reorder or
 *         break what a terminal or spreadsheet shows: C1 controls
 *         U+0080-U+009F, U+2028/U+2029 (line/paragraph separator), the
 *         bidirectional embeddings/overrides U+202A-U+202E and isolates
 *         U+2066-U+2069 (each byte of their UTF-8 form is escaped);
 *   - CSV-injection guard (OWASP "CSV Injection"): a cell whose first
 *     character is `=`, `+`, `-` or `@` gets a leading `'`, so spreadsheets
 *     show it as text instead of evaluating a formula.  OWASP also lists TAB
 *     and CR as formula starters; both are escaped to `\x09`/`\x0d` above,
 *     so such a cell starts with a harmless backslash.  A cell that itself
 *     starts with `'` has that quote escaped (`\x27`), so a leading `'` in
 *     the output always means "guard added" and decoding stays unambiguous:
 *     drop a leading `'`, then replace every `\xHH` with its byte.
 *
 * The output contains no control byte, so CR/LF can never appear in it;
 * commas and double quotes pass through and are the CSV writer's business
 * (report.c quotes them).
 */
#ifndef PTRAUDIT_CELL_H
#define PTRAUDIT_CELL_H

#include <stddef.h>

/* A buffer size that always holds cell_escape() of `len` input bytes: every
 * byte may become four characters, plus one guard `'` and the NUL. */
#define CELL_ESCAPE_MAX(len) ((len) * 4 + 2)

/* Escape src[0..len) (need not be NUL-terminated, may contain NULs) into
 * dst.  The output is always NUL-terminated when dstsize > 0, and is cut
 * cleanly when dst is too small: never inside a `\xHH` escape, inside a
 * UTF-8 sequence, or between the guard `'` and the character it guards.
 * Returns the number of characters written, excluding the NUL (so a result
 * smaller than cell_escaped_size(src, len) - 1 means it was truncated).
 * Cost: O(len), no allocation. */
size_t cell_escape(char *dst, size_t dstsize, const char *src, size_t len);

/* Exact buffer size cell_escape() needs for src[0..len) to be written
 * whole, including the terminating NUL.  O(len). */
size_t cell_escaped_size(const char *src, size_t len);

/* Offset of the first byte of s[0..len) that does not start a valid UTF-8
 * sequence (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF, no truncated sequence), or len if all of s is valid UTF-8.
 * NUL bytes count as valid here.  O(len). */
size_t cell_utf8_check(const char *s, size_t len);

#endif
