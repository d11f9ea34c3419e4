/* SPDX-License-Identifier: MIT */
/*
 * csvrow.c - one report record as CSV text (contract in csvrow.h).
 */
#include "csvrow.h"

#include <string.h>

#include "cell.h"


struct field_shape {
  size_t esc;    /* cell_escape() output length */
  size_t quotes; /* double quotes in it (cell_escape keeps them) */
  int quoted;    /* RFC 4180 needs quotes around it */
  int copy;      /* the output is the input unchanged */
};

/* What cell_escape() will make of src, and whether the CSV field must be
 * quoted.  Decided on the input: cell_escape() copies `,`, `"` and space
 * unchanged and never emits CR or LF, and a trailing space of the input is
 * a trailing space of the output.  The length comes from
 * cell_escaped_size() alone: cell.c decides the text of every cell (a
 * leading space may be guarded, " =1" -> "' =1", so the first character
 * alone does not settle it). */
static size_t field_shape(const char *s, size_t len, struct field_shape *fs) {
  int ascii = 1;
  fs->quotes = 0;
  fs->quoted = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"') fs->quotes++;
    else if (c == ',') fs->quoted = 1;
    else if (c < 0x20 || c >= 0x7f || c == '\\') ascii = 0;
  }
  fs->esc = cell_escaped_size(s, len) - 1;
  fs->copy = ascii && fs->esc == len; /* printable ASCII, no guard, no \x27 */
  /* A leading space of the input is quoted even when the guard `'` comes
   * before it in the output: more quoting than needed is still RFC 4180. */
  if (fs->quotes || (len && (s[0] == ' ' || s[len - 1] == ' '))) fs->quoted = 1;
  return fs->esc + (fs->quoted ? 2 + fs->quotes : 0);
}

/* Write the field (room checked by the caller: its shape length plus one
 * byte for cell_escape's NUL). */
static size_t field_write(char *dst, const char *s, size_t len, const struct field_shape *fs) {
  if (!fs->quoted) {
    if (fs->copy) {
      memcpy(dst, s, len);
      return len;
    }
    return cell_escape(dst, fs->esc + 1, s, len);
  }
  dst[0] = '"';
  if (fs->copy) memcpy(dst + 1, s, len);
  else cell_escape(dst + 1, fs->esc + 1, s, len);
  if (fs->quotes) {
    /* Double each quote in place, right to left so nothing is overwritten
     * before it is moved (RFC 4180 section 2 rule 7). */
    char *src = dst + 1, *d = dst + 1 + fs->esc + fs->quotes;
    for (size_t j = fs->esc; j-- > 0;) {
      *--d = src[j];
      if (src[j] == '"') *--d = '"';
    }
  }
  dst[1 + fs->esc + fs->quotes] = '"';
  return 2 + fs->esc + fs->quotes;
}

#define SHAPES 32 /* fields whose shape is remembered between the passes */

size_t csvrow_format(char *dst, size_t size, const char *const *fields, const size_t *lens,
                     size_t n) {
  size_t need = 1, o = 0; /* the "\n" */
  struct field_shape shapes[SHAPES], fs;

  for (size_t i = 0; i < n; i++) {
    const char *f = fields[i] ? fields[i] : "";
    size_t l = fields[i] ? (lens ? lens[i] : strlen(f)) : 0;
    need += field_shape(f, l, i < SHAPES ? &shapes[i] : &fs) + (i ? 1 : 0);
  }
  if (need >= size) {
    if (size) dst[0] = '\0';
    return need;
  }
  for (size_t i = 0; i < n; i++) {
    const char *f = fields[i] ? fields[i] : "";
    size_t l = fields[i] ? (lens ? lens[i] : strlen(f)) : 0;
    if (i) dst[o++] = ',';
    if (i >= SHAPES) field_shape(f, l, &fs);
    o += field_write(dst + o, f, l, i < SHAPES ? &shapes[i] : &fs);
  }
  dst[o++] = '\n';
  dst[o] = '\0';
  return o;
}

