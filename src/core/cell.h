/* SPDX-License-Identifier: MIT */
/*
 * cell.h - the one escaper: it alone decides the text of every report cell
 * (CSV and JSON lines alike) and of everything from outside that is printed
 * to a terminal.  Printable, visible UTF-8 only; no CSV injection.  Its
 * inverse, cell_unescape(), lives here too.  Pure: no I/O, no allocation.
 *
 * The encoding, applied left to right to the cell's bytes:
 *   - a valid UTF-8 sequence of a visible character is copied;
 *   - each byte of anything else becomes `\xHH` (lower-case hex):
 *       the backslash itself (so the encoding stays reversible),
 *       bytes that are not valid UTF-8 (stray continuation bytes,
 *         overlong forms such as C0 80, surrogates ED A0 80 .. ED BF BF,
 *         code points above U+10FFFF, sequences cut short),
 *       every character of the INVISIBLE SET (each byte of its UTF-8
 *         form is escaped).  The set is defined once, in cell.c:
 *         C0 controls U+0000-U+001F (TAB, CR and LF included), DEL U+007F,
 *         C1 controls U+0080-U+009F, and Unicode's Default_Ignorable_Code_Point
 *         characters: soft hyphen U+00AD, combining grapheme joiner U+034F,
 *         Arabic letter mark U+061C, Hangul fillers U+115F-U+1160, U+3164,
 *         U+FFA0, Khmer U+17B4-U+17B5, Mongolian selectors and vowel
 *         separator U+180B-U+180F, zero-width space/non-joiner/joiner and
 *         the LRM/RLM marks U+200B-U+200F, bidi embeddings/overrides
 *         U+202A-U+202E, word joiner, invisible operators and bidi isolates
 *         U+2060-U+206F, variation selectors U+FE00-U+FE0F, the BOM U+FEFF,
 *         U+FFF0-U+FFF8, shorthand format controls U+1BCA0-U+1BCA3,
 *         musical format controls U+1D173-U+1D17A, tags and variation
 *         selectors U+E0000-U+E0FFF; plus the line and paragraph
 *         separators U+2028/U+2029 and the interlinear annotation controls
 *         U+FFF9-U+FFFB.  Each of these is invisible or moves what is shown
 *         (a BOM before "192.0.2.1" looks like the plain address).  Visible
 *         spaces (U+00A0, U+2000-U+200A, U+3000) are copied;
 *   - CSV-injection guard (OWASP "CSV Injection"): a cell whose first
 *     character after any run of white space (space, TAB, CR, LF) is `=`,
 *     `+`, `-` or `@` gets a leading `'`, so spreadsheets show it as text
 *     instead of evaluating a formula (" =1" and "\t=1" are formulas to
 *     some).  The white space is encoded as usual after the `'` (TAB/CR/LF
 *     as `\x09`/`\x0d`/`\x0a`).  A cell that itself starts with `'` has
 *     that quote escaped (`\x27`), so a leading `'` in the output always
 *     means "guard added" and decoding stays unambiguous: drop a leading
 *     `'`, then replace every `\xHH` with its byte.
 *
 * The output contains no control byte, so CR/LF can never appear in it;
 * commas and double quotes pass through and are the CSV writer's business
 * (report.c quotes them), as `"` and `\` are the JSON writer's (jsonl.c).
 */
#ifndef PTRAUDIT_CELL_H
#define PTRAUDIT_CELL_H

#include <stddef.h>

/* A buffer size that always holds cell_escape() of `len` input bytes: every
 * byte may become four characters, plus one guard `'` and the NUL. */
#define CELL_ESCAPE_MAX(len) ((len) * 4 + 2)

/* The longest "unit" cell_escape writes whole or not at all: an escaped
 * 4-byte invisible character (16 characters).  A buffer of more than this
 * always takes at least one unit. */
#define CELL_UNIT_MAX 16

/* Escape src[0..len) (need not be NUL-terminated, may contain NULs) into
 * dst.  The output is always NUL-terminated when dstsize > 0, and is cut
 * cleanly when dst is too small: never inside a `\xHH` escape, inside a
 * UTF-8 sequence, or between the guard `'` and the first character.
 * Returns the number of characters written, excluding the NUL (so a result
 * smaller than cell_escaped_size(src, len) - 1 means it was truncated).
 * Cost: O(len), no allocation. */
size_t cell_escape(char *dst, size_t dstsize, const char *src, size_t len);

/* cell_escape() in pieces: escape src[*pos..len) as the tail of the whole
 * cell src[0..len) (the guard is decided at *pos == 0 only), into dst as
 * cell_escape() does, and advance *pos past the input written.  *pos must
 * be 0 or a value an earlier call left.  The pieces joined are exactly
 * cell_escape() of the whole cell, whatever dstsize; a dstsize above
 * CELL_UNIT_MAX always makes progress while *pos < len.  O(bytes done). */
size_t cell_escape_from(char *dst, size_t dstsize, const char *src, size_t len, size_t *pos);

/* Exact buffer size cell_escape() needs for src[0..len) to be written
 * whole, including the terminating NUL.  O(len). */
size_t cell_escaped_size(const char *src, size_t len);

/* Undo cell_escape() on one cell: drop the guard (a leading `'` followed
 * by white space -- raw space or `\x09` `\x0a` `\x0d` -- and then `=`,
 * `+`, `-` or `@`), and turn each `\xHH` (either case of hex) back into
 * its byte; anything else is copied.  dst must hold len bytes (it may be
 * src itself); returns the decoded length; no NUL is added.
 * cell_escape() of the result gives back exactly the cell for any cell
 * cell_escape() produced -- which is how diff and merge copy cells into a
 * new report without escaping them twice.  O(len). */
size_t cell_unescape(char *dst, const char *src, size_t len);

/* Report text read from a file (which may be hand-made and hold raw
 * control bytes) made safe to print: cell_escape(cell_unescape(cell)),
 * so a cell ptraudit wrote is shown as it is and anything raw is escaped.
 * At most the first 512 decoded bytes are shown.  Output as cell_escape()
 * (NUL-terminated, cut cleanly); returns its length.  O(len). */
size_t cell_show(char *dst, size_t dstsize, const char *cell, size_t len);

/* Offset of the first byte of s[0..len) that does not start a valid UTF-8
 * sequence (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF, no truncated sequence), or len if all of s is valid UTF-8.
 * NUL bytes count as valid here.  O(len). */
size_t cell_utf8_check(const char *s, size_t len);

#endif
