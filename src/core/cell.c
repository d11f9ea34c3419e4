/* SPDX-License-Identifier: MIT */
/*
 * cell.c - report cell escaping (see cell.h for the encoding).
 *
 * The work is done one "unit" at a time: one character copied, the guard
 * with the first character, or the escapes of one byte or of one invisible
 * character.  A unit is written whole or not at all, which is what keeps
 * truncation from splitting an escape or a UTF-8 sequence, and a unit is
 * decided from its own bytes and what follows them, never from what came
 * before (except the guard at offset 0) -- which is what lets
 * cell_escape_from() resume at any unit boundary with the same result.
 */
#include "cell.h"

#include <stdint.h>
#include <string.h>

/* Length (1-4) of the valid UTF-8 sequence starting at s[0] (n >= 1 bytes
 * available), storing its code point in *cp; 0 if s[0] does not start one.
 * RFC 3629 section 4 syntax: the second-byte ranges after E0, ED, F0 and F4
 * are what exclude overlongs, surrogates and code points above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char c = s[0];
  unsigned char lo = 0x80, hi = 0xbf;
  size_t need;
  uint32_t v;

  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c < 0xc2) return 0; /* continuation byte, or C0/C1 overlong lead */
  if (c < 0xe0) {
    need = 2;
    v = c & 0x1f;
  } else if (c < 0xf0) {
    need = 3;
    v = c & 0x0f;
    if (c == 0xe0) lo = 0xa0; /* overlong */
    if (c == 0xed) hi = 0x9f; /* UTF-16 surrogates D800-DFFF */
  } else if (c < 0xf5) {
    need = 4;
    v = c & 0x07;
    if (c == 0xf0) lo = 0x90; /* overlong */
    if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
  } else {
    return 0; /* F5-FF never appear in UTF-8 */
  }
  if (n < need) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  v = (v << 6) | (s[1] & 0x3f);
  for (size_t i = 2; i < need; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3f);
  }
  *cp = v;
  return need;
}

/*
 * THE INVISIBLE SET (documented in cell.h): characters that are valid but
 * invisible, or that move, hide or break what a terminal or spreadsheet
 * shows.  C0 controls, DEL and C1 controls, the line/paragraph separators
 * U+2028/U+2029 and the interlinear annotation controls U+FFF9-U+FFFB,
 * and the ranges of Unicode's Default_Ignorable_Code_Point property
 * (DerivedCoreProperties.txt).  Every test of "is this shown raw" in the
 * program goes through invisible(); nothing else lists these.
 */
static const struct {
  uint32_t lo, hi;
} invisible_ranges[] = {
  {0x0000, 0x001f},   /* C0 controls (TAB, CR, LF, ESC ...) */
  {0x007f, 0x009f},   /* DEL, C1 controls (U+009B is CSI) */
  {0x00ad, 0x00ad},   /* soft hyphen */
  {0x034f, 0x034f},   /* combining grapheme joiner */
  {0x061c, 0x061c},   /* Arabic letter mark (bidi) */
  {0x115f, 0x1160},   /* Hangul choseong/jungseong fillers */
  {0x17b4, 0x17b5},   /* Khmer inherent vowels */
  {0x180b, 0x180f},   /* Mongolian variation selectors, vowel separator */
  {0x200b, 0x200f},   /* zero width space, ZWNJ, ZWJ, LRM, RLM */
  {0x2028, 0x202e},   /* line/paragraph separators, bidi embeddings/overrides */
  {0x2060, 0x206f},   /* word joiner, invisible operators, bidi isolates */
  {0x3164, 0x3164},   /* Hangul filler */
  {0xfe00, 0xfe0f},   /* variation selectors */
  {0xfeff, 0xfeff},   /* byte order mark / zero width no-break space */
  {0xffa0, 0xffa0},   /* halfwidth Hangul filler */
  {0xfff0, 0xfffb},   /* unassigned specials, interlinear annotation */
  {0x1bca0, 0x1bca3}, /* shorthand format controls */
  {0x1d173, 0x1d17a}, /* musical symbol format controls */
  {0xe0000, 0xe0fff}, /* tags, variation selectors supplement */
};

static int invisible(uint32_t cp) {
  for (size_t k = 0; k < sizeof invisible_ranges / sizeof invisible_ranges[0]; k++)
    if (cp >= invisible_ranges[k].lo && cp <= invisible_ranges[k].hi) return 1;
  return 0;
}

/* THE GUARD SET: the characters that start a spreadsheet formula (OWASP
 * "CSV Injection"), and the white space a formula may follow.  Used by the
 * escaper and by its inverse. */
static int formula_start(unsigned char c) { return c == '=' || c == '+' || c == '-' || c == '@'; }
static int formula_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Does a cell of these bytes get the guard?  White space, then a formula
 * character. */
static int needs_guard(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len && formula_space(s[i])) i++;
  return i < len && formula_start(s[i]);
}

/* Plain printable ASCII that every unit copies one for one. */
static int plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '\\'; }

static size_t put_hex(char *out, unsigned char b) {
  static const char hex[] = "0123456789abcdef";
  out[0] = '\\';
  out[1] = 'x';
  out[2] = hex[b >> 4];
  out[3] = hex[b & 15];
  return 4;
}

/*
 * Encode the character or byte starting at s[i] (not the cell's first; see
 * head()) into out (room for CELL_UNIT_MAX characters).  Stores the number
 * of input bytes consumed in *used and returns the number of characters
 * produced.
 */
static size_t unit(const unsigned char *s, size_t len, size_t i, char *out, size_t *used) {
  unsigned char c = s[i];
  uint32_t cp;
  size_t n = utf8_seq(s + i, len - i, &cp);

  if (n == 0) {
    *used = 1;
    return put_hex(out, c);
  }
  *used = n;
  if (invisible(cp) || c == '\\') {
    size_t o = 0;
    for (size_t k = 0; k < n; k++) o += put_hex(out + o, s[i + k]);
    return o;
  }
  memcpy(out, s + i, n);
  return n;
}

/* The first unit of a cell: the guard with the first character, or an
 * escaped leading quote, or an ordinary unit.  At most 5 characters with a
 * guard (`'` and an escaped byte), so within CELL_UNIT_MAX. */
static size_t head(const unsigned char *s, size_t len, char *out, size_t *used) {
  if (needs_guard(s, len)) {
    out[0] = '\'';
    return 1 + unit(s, len, 0, out + 1, used);
  }
  if (s[0] == '\'') { /* keep a leading ' meaning "guard" only */
    *used = 1;
    return put_hex(out, s[0]);
  }
  return unit(s, len, 0, out, used);
}

size_t cell_escape_from(char *dst, size_t dstsize, const char *src, size_t len, size_t *pos) {
  const unsigned char *s = (const unsigned char *)src;
  size_t o = 0, i = *pos;

  if (dstsize == 0) return 0;
  while (i < len) {
    char tok[CELL_UNIT_MAX];
    size_t used, n;
    if (i > 0 && plain(s[i])) { /* fast path: plain ASCII past the first byte */
      if (o + 1 >= dstsize) break;
      dst[o++] = (char)s[i++];
      continue;
    }
    n = i == 0 ? head(s, len, tok, &used) : unit(s, len, i, tok, &used);
    if (o + n >= dstsize) break; /* whole unit or nothing; keep the NUL */
    memcpy(dst + o, tok, n);
    o += n;
    i += used;
  }
  dst[o] = '\0';
  *pos = i;
  return o;
}

size_t cell_escape(char *dst, size_t dstsize, const char *src, size_t len) {
  size_t pos = 0;
  return cell_escape_from(dst, dstsize, src, len, &pos);
}

size_t cell_escaped_size(const char *src, size_t len) {
  const unsigned char *s = (const unsigned char *)src;
  size_t total = 1, i = 0;

  while (i < len) {
    char tok[CELL_UNIT_MAX];
    size_t used;
    if (i > 0 && plain(s[i])) { /* as in cell_escape_from */
      total++;
      i++;
      continue;
    }
    total += i == 0 ? head(s, len, tok, &used) : unit(s, len, i, tok, &used);
    i += used;
  }
  return total;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The byte of a `\xHH` escape at src[i], or -1 if there is none. */
static int escape_at(const char *src, size_t len, size_t i) {
  int h, l;
  if (src[i] != '\\' || i + 3 >= len || src[i + 1] != 'x') return -1;
  if ((h = hexval(src[i + 2])) < 0 || (l = hexval(src[i + 3])) < 0) return -1;
  return h * 16 + l;
}

/* Is the leading `'` of src a guard?  What follows it must decode to white
 * space and then a formula character (needs_guard() on the decoded text). */
static int guard_at_start(const char *src, size_t len) {
  size_t i = 1;
  if (len < 2 || src[0] != '\'') return 0;
  for (;;) {
    int b = i < len ? escape_at(src, len, i) : -1;
    unsigned char c;
    if (b >= 0) {
      c = (unsigned char)b;
      if (!formula_space(c)) return 0; /* an escaped '=' is never written */
      i += 4;
      continue;
    }
    if (i >= len) return 0;
    c = (unsigned char)src[i];
    if (formula_start(c)) return 1;
    if (!formula_space(c)) return 0; /* raw TAB/CR/LF: a hand-made cell */
    i++;
  }
}

/* Decode src[0..len) into dst, writing at most cap bytes; stops before an
 * escape that does not fit.  Returns the decoded length. */
static size_t unescape(char *dst, size_t cap, const char *src, size_t len) {
  size_t i = guard_at_start(src, len) ? 1 : 0, o = 0;
  while (i < len && o < cap) {
    int b = escape_at(src, len, i);
    if (b >= 0) {
      dst[o++] = (char)b;
      i += 4;
    } else {
      dst[o++] = src[i++];
    }
  }
  return o;
}

size_t cell_unescape(char *dst, const char *src, size_t len) {
  return unescape(dst, len, src, len);
}

#define SHOW_MAX 512 /* decoded bytes cell_show() looks at */

size_t cell_show(char *dst, size_t dstsize, const char *cell, size_t len) {
  char raw[SHOW_MAX];
  size_t n = unescape(raw, sizeof raw, cell, len);
  return cell_escape(dst, dstsize, raw, n);
}

size_t cell_utf8_check(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;

  while (i < len) {
    uint32_t cp;
    size_t n;
    if (u[i] < 0x80) {
      i++;
      continue;
    }
    n = utf8_seq(u + i, len - i, &cp);
    if (n == 0) return i;
    i += n;
  }
  return len;
}
