/*
 * cell.c - report cell escaping (see cell.h for the encoding).
 *
 * The work is done one "unit" at a time: one character copied, one guarded
 * character, or the escapes of one byte or of one invisible character.  A
 * unit is written whole or not at all, which is what keeps truncation from
 * splitting an escape or a UTF-8 sequence.
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

/* Valid characters we still refuse to show raw: they are invisible and can
 * make a terminal or spreadsheet display something other than the bytes
 * (C1 controls such as U+009B CSI, line separators, bidi reordering). */
static int invisible(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x2028 && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

static size_t put_hex(char *out, unsigned char b) {
  static const char hex[] = "0123456789abcdef";
  out[0] = '\\';
  out[1] = 'x';
  out[2] = hex[b >> 4];
  out[3] = hex[b & 15];
  return 4;
}

/*
 * Encode the unit starting at s[i] into out (room for 16 characters: the
 * largest unit is a 4-byte invisible character, escaped).  Stores the
 * number of input bytes consumed in *used and returns the number of
 * characters produced.
 */
static size_t unit(const unsigned char *s, size_t len, size_t i, char *out, size_t *used) {
  unsigned char c = s[i];
  uint32_t cp;
  size_t n;

  if (i == 0) {
    if (c == '=' || c == '+' || c == '-' || c == '@') {
      out[0] = '\'';
      out[1] = (char)c;
      *used = 1;
      return 2;
    }
    if (c == '\'') { /* keep a leading ' meaning "guard" only */
      *used = 1;
      return put_hex(out, c);
    }
  }
  if (c < 0x80) {
    *used = 1;
    if (c < 0x20 || c == 0x7f || c == '\\') return put_hex(out, c);
    out[0] = (char)c;
    return 1;
  }
  n = utf8_seq(s + i, len - i, &cp);
  if (n == 0) {
    *used = 1;
    return put_hex(out, c);
  }
  *used = n;
  if (invisible(cp)) {
    size_t o = 0;
    for (size_t k = 0; k < n; k++) o += put_hex(out + o, s[i + k]);
    return o;
  }
  memcpy(out, s + i, n);
  return n;
}

size_t cell_escape(char *dst, size_t dstsize, const char *src, size_t len) {
  const unsigned char *s = (const unsigned char *)src;
  size_t o = 0, i = 0;

  if (dstsize == 0) return 0;
  while (i < len) {
    char tok[16];
    size_t used, n;
    /* Fast path: a run of plain printable ASCII past the first byte. */
    if (i > 0 && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
      if (o + 1 >= dstsize) break;
      dst[o++] = (char)s[i++];
      continue;
    }
    n = unit(s, len, i, tok, &used);
    if (o + n >= dstsize) break; /* whole unit or nothing; keep the NUL */
    memcpy(dst + o, tok, n);
    o += n;
    i += used;
  }
  dst[o] = '\0';
  return o;
}

size_t cell_escaped_size(const char *src, size_t len) {
  const unsigned char *s = (const unsigned char *)src;
  size_t total = 1, i = 0;

  while (i < len) {
    char tok[16];
    size_t used;
    if (i > 0 && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') { /* as in cell_escape */
      total++;
      i++;
      continue;
    }
    total += unit(s, len, i, tok, &used);
    i += used;
  }
  return total;
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
