/* SPDX-License-Identifier: MIT */
/*
 * jsonl.c - JSON Lines rows.  See jsonl.h.
 *
 * Each string is escaped in two steps without a scratch buffer as large as
 * the cell: cell_escape_from() writes the cell's text (cell.h alone decides
 * it) a stack buffer at a time, resuming where it stopped, and each piece
 * is JSON-escaped into dst.  The pieces joined are exactly cell_escape() of
 * the whole cell, so a value is the same text as its CSV cell whatever its
 * length.  (Cutting the *input* into pieces instead gave different text
 * where a cut fell inside a character: a differential fuzz found it.)
 */
#include "jsonl.h"

#include <string.h>

#include "cell.h"

#define PIECE 1024 /* output characters per cell_escape_from() call */
_Static_assert(PIECE > CELL_UNIT_MAX + 1, "a piece must hold a unit and the NUL");

struct out {
  char *dst;
  size_t size;
  size_t len; /* total length, may exceed size */
};

static void put(struct out *o, const char *s, size_t n) {
  if (o->len < o->size && n < o->size - o->len) memcpy(o->dst + o->len, s, n);
  else if (o->len < o->size) o->size = o->len; /* stop writing: remember the cut */
  o->len += n;
}

static void put_json(struct out *o, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
    put(o, s + run, i - run);
    run = i + 1;
    if (c == '"') put(o, "\\\"", 2);
    else if (c == '\\') put(o, "\\\\", 2);
    else {
      char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      put(o, u, 6);
    }
  }
  put(o, s + run, n - run);
}

static void put_string(struct out *o, const char *s, size_t n) {
  char esc[PIECE]; /* > CELL_UNIT_MAX: every call makes progress */
  size_t pos = 0;
  put(o, "\"", 1);
  while (pos < n) {
    size_t w = cell_escape_from(esc, sizeof esc, s, n, &pos);
    put_json(o, esc, w);
  }
  put(o, "\"", 1);
}

size_t jsonl_format(char *dst, size_t size, const char *const *names,
                    const char *const *fields, const size_t *lens, size_t n) {
  struct out o = {dst, size, 0};
  put(&o, "{", 1);
  for (size_t i = 0; i < n; i++) {
    if (i) put(&o, ",", 1);
    const char *nm = names && names[i] ? names[i] : "";
    put_string(&o, nm, strlen(nm));
    put(&o, ":", 1);
    const char *f = fields[i] ? fields[i] : "";
    size_t fl = !fields[i] ? 0 : lens ? lens[i] : strlen(f);
    put_string(&o, f, fl);
  }
  put(&o, "}\n", 2);
  if (size > 0) {
    if (o.len < size) dst[o.len] = '\0';
    else dst[0] = '\0';
  }
  return o.len;
}
