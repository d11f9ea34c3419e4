/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cell.c - libFuzzer target for the report cell escaper (src/core/cell.h).
 *
 * The input is one raw cell.  Beyond "does not crash", every property the
 * contract promises is checked against code written here, independently of
 * cell.c:
 *   - cell_escaped_size() is exact and within CELL_ESCAPE_MAX;
 *   - the output is valid UTF-8 holding no character of the invisible set
 *     (listed again here from cell.h: C0, DEL, C1, the Default_Ignorable
 *     ranges, U+2028/2029, U+FFF9-FFFB);
 *   - it never begins with = + - @ (a leading ' is the guard, present
 *     exactly when the input is white space then one of those), and a
 *     backslash only ever starts a lower-case \xHH;
 *   - decoding (drop the guard, replace every \xHH) gives the input back,
 *     and so does cell_unescape(); cell_show() of the output is the output;
 *   - cell_escape_from() in pieces of any size joins to the full output;
 *   - every smaller buffer gets a NUL-terminated prefix of the full output,
 *     cut at a unit boundary, less than one unit short of the buffer, and
 *     nothing is written past the buffer;
 *   - cell_utf8_check() agrees with a reference UTF-8 validator.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"

#include "fuzz.h"

/* Longest output unit: an invisible 3-byte character escaped is 12
 * characters; 16 leaves room. */
#define UNIT_MAX 16

/*
 * Reference UTF-8 decoder (RFC 3629), written as "decode, then reject by
 * value" rather than by byte ranges as cell.c does.  Returns the sequence
 * length (1-4) and the code point, or 0 if s[0..n) does not start a valid
 * sequence.
 */
static size_t ref_utf8(const unsigned char *s, size_t n, uint32_t *cp) {
  size_t need, i;
  uint32_t v, min;
  if (n == 0) return 0;
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  if ((s[0] & 0xe0) == 0xc0) {
    need = 2, v = s[0] & 0x1fu, min = 0x80;
  } else if ((s[0] & 0xf0) == 0xe0) {
    need = 3, v = s[0] & 0x0fu, min = 0x800;
  } else if ((s[0] & 0xf8) == 0xf0) {
    need = 4, v = s[0] & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (n < need) return 0;
  for (i = 1; i < need; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    v = v << 6 | (s[i] & 0x3fu);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return need;
}

static size_t ref_utf8_check(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    size_t n = ref_utf8(s + i, len - i, &cp);
    if (n == 0) return i;
    i += n;
  }
  return len;
}

/* The invisible set of cell.h, written out again. */
static int ref_invisible(uint32_t cp) {
  static const uint32_t r[][2] = {
    {0x00, 0x1f}, {0x7f, 0x9f}, {0xad, 0xad}, {0x34f, 0x34f}, {0x61c, 0x61c},
    {0x115f, 0x1160}, {0x17b4, 0x17b5}, {0x180b, 0x180f}, {0x200b, 0x200f},
    {0x2028, 0x202e}, {0x2060, 0x206f}, {0x3164, 0x3164}, {0xfe00, 0xfe0f},
    {0xfeff, 0xfeff}, {0xffa0, 0xffa0}, {0xfff0, 0xfffb}, {0x1bca0, 0x1bca3},
    {0x1d173, 0x1d17a}, {0xe0000, 0xe0fff},
  };
  for (size_t k = 0; k < sizeof r / sizeof r[0]; k++)
    if (cp >= r[k][0] && cp <= r[k][1]) return 1;
  return 0;
}

static int is_formula(unsigned char c) { return c == '=' || c == '+' || c == '-' || c == '@'; }
static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* The guard is due: white space, then a formula character. */
static int ref_guard(const unsigned char *in, size_t len) {
  size_t i = 0;
  while (i < len && is_space(in[i])) i++;
  return i < len && is_formula(in[i]);
}

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1; /* upper case is not part of the encoding */
}

/* Check the full output `o` (olen bytes) of escaping in[0..len). */
static void check_full(const unsigned char *in, size_t len, const unsigned char *o,
                       size_t olen) {
  size_t i = 0, k = 0;

  CHECK(ref_utf8_check(o, olen) == olen);
  if (olen > 0) {
    CHECK(o[0] != '=' && o[0] != '+' && o[0] != '-' && o[0] != '@');
  }
  /* The guard: present exactly when the input is white space then = + - @. */
  if (ref_guard(in, len)) {
    CHECK(olen >= 2 && o[0] == '\'');
    i = 1;
  } else {
    CHECK(olen == 0 || o[0] != '\'');
  }

  /* Walk the output: characters are printable and visible, '\' starts
   * \xHH; decoding reproduces the input byte for byte. */
  while (i < olen) {
    uint32_t cp;
    size_t n;
    if (o[i] == '\\') {
      int hi, lo;
      CHECK(i + 3 < olen);
      CHECK(o[i + 1] == 'x');
      hi = hexval(o[i + 2]);
      lo = hexval(o[i + 3]);
      CHECK(hi >= 0 && lo >= 0);
      CHECK(k < len && in[k] == (unsigned char)(hi << 4 | lo));
      k++;
      i += 4;
      continue;
    }
    n = ref_utf8(o + i, olen - i, &cp);
    CHECK(n > 0);
    CHECK(!ref_invisible(cp));
    CHECK(k + n <= len && memcmp(in + k, o + i, n) == 0);
    k += n;
    i += n;
  }
  CHECK(k == len);
}

/* Where, in the full output, a cut may legally fall: 1 at the start of
 * every unit (and at the very end), 0 inside a \xHH, a UTF-8 sequence, or
 * between the guard and the character it guards. */
static void unit_starts(const unsigned char *o, size_t olen, unsigned char *ok) {
  size_t i = 0;
  memset(ok, 0, olen + 1);
  if (olen >= 2 && o[0] == '\'') { /* the guard goes with the first unit */
    ok[0] = 1;
    i = 1 + (o[1] == '\\' ? 4 : 1);
  }
  while (i < olen) {
    uint32_t cp;
    size_t n = o[i] == '\\' ? 4 : ref_utf8(o + i, olen - i, &cp);
    CHECK(n > 0);
    ok[i] = 1;
    i += n;
  }
  ok[olen] = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* An exact-size copy as `const char *`: reads past it are ASan errors. */
  const char *src = (const char *)data;
  size_t need, n, cut;
  unsigned char *full, *part, *ok;
  unsigned char canary[4] = {0xa5, 0x5a, 0xc3, 0x3c};

  need = cell_escaped_size(src, size);
  CHECK(need >= 1);
  CHECK(need <= CELL_ESCAPE_MAX(size));
  CHECK(cell_escaped_size(src, size) == need); /* pure: same answer twice */

  full = malloc(need);
  part = malloc(need + sizeof canary);
  ok = malloc(need);
  CHECK(full && part && ok);

  n = cell_escape((char *)full, need, src, size);
  CHECK(n == need - 1);
  CHECK(full[n] == '\0');
  CHECK(memchr(full, '\0', n) == NULL);
  check_full(data, size, full, n);
  unit_starts(full, n, ok);

  /* cell_utf8_check against the reference. */
  CHECK(cell_utf8_check(src, size) == ref_utf8_check(data, size));

  /* dstsize 0 writes nothing at all. */
  part[0] = 0x77;
  CHECK(cell_escape((char *)part, 0, src, size) == 0);
  CHECK(part[0] == 0x77);

  /* Every buffer size below the full one (all of them for short inputs,
   * a spread for long ones): a clean, maximal prefix, and no write past
   * dstsize (canary right after the buffer). */
  for (cut = 1; cut < need; cut += (need <= 256 ? 1 : 1 + need / 97)) {
    size_t m;
    memcpy(part + cut, canary, sizeof canary);
    m = cell_escape((char *)part, cut, src, size);
    CHECK(memcmp(part + cut, canary, sizeof canary) == 0);
    CHECK(m < cut);
    CHECK(part[m] == '\0');
    CHECK(memcmp(part, full, m) == 0);
    CHECK(ok[m]);
    /* No shorter than needed: what is missing is less than one unit.  (The
     * escapes of one invisible character go whole or not at all, so a cut
     * may stop before a \xHH that would fit on its own.) */
    CHECK(m + UNIT_MAX >= cut - 1);
  }

  /* The inverse, and the terminal form of a cell ptraudit wrote. */
  {
    unsigned char *back = malloc(n + 1);
    CHECK(back);
    size_t bl = cell_unescape((char *)back, (const char *)full, n);
    CHECK(bl == size && memcmp(back, data, size) == 0);
    if (size <= 512) {
      unsigned char *shown = malloc(need);
      CHECK(shown);
      CHECK(cell_show((char *)shown, need, (const char *)full, n) == n);
      CHECK(memcmp(shown, full, n + 1) == 0);
      free(shown);
    }
    free(back);
  }

  /* In pieces: every piece size from the smallest that always progresses
   * (a spread for long inputs), joined, is the full output. */
  for (cut = CELL_UNIT_MAX + 1; cut < need + 2; cut += (need <= 256 ? 1 : 1 + need / 53)) {
    size_t pos = 0, jl = 0;
    while (pos < size) {
      size_t before = pos, m = cell_escape_from((char *)part, cut, src, size, &pos);
      CHECK(pos > before);
      CHECK(m < cut && part[m] == '\0');
      CHECK(jl + m <= n && memcmp(full + jl, part, m) == 0);
      jl += m;
    }
    CHECK(jl == n);
  }

  free(full);
  free(part);
  free(ok);
  return 0;
}
