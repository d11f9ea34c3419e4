/*
 * jsonl.c - JSON Lines rows.  See jsonl.h.
 *
 * Each string is escaped in two steps without a scratch buffer: the input
 * is cut into pieces small enough that cell_escape() of a piece fits a
 * stack buffer, and each piece's escaped text is JSON-escaped into dst.
 * Cutting the *input* is safe for cell_escape() only at UTF-8 character
 * boundaries and not after the first byte (the `'` guard looks at the
 * first character of the whole cell), so pieces end before a UTF-8 lead
 * or ASCII byte, and the guard is decided on the first piece only.
 */
#include "jsonl.h"

#include <string.h>

#include "cell.h"

#define PIECE 256 /* input bytes per cell_escape() call */

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

/* A cut point in s[0..n) at or before `want` that does not split a UTF-8
 * sequence: back up over continuation bytes (10xxxxxx). */
static size_t cut_at(const char *s, size_t n, size_t want) {
  if (want >= n) return n;
  size_t c = want;
  while (c > 0 && ((unsigned char)s[c] & 0xc0) == 0x80 && want - c < 4) c--;
  return c > 0 ? c : want;
}

static void put_string(struct out *o, const char *s, size_t n) {
  char esc[CELL_ESCAPE_MAX(PIECE)];
  put(o, "\"", 1);
  size_t i = 0;
  int first = 1;
  while (i < n || first) {
    size_t c = cut_at(s + i, n - i, PIECE);
    size_t w;
    if (first) {
      w = cell_escape(esc, sizeof esc, s + i, c);
    } else {
      /* Not the cell's start: no guard.  Escape with a neutral first byte
       * prepended, then drop it. */
      char tmp[PIECE + 1];
      tmp[0] = 'a';
      memcpy(tmp + 1, s + i, c);
      w = cell_escape(esc, sizeof esc, tmp, c + 1);
      memmove(esc, esc + 1, w);
      w--;
    }
    put_json(o, esc, w);
    i += c;
    first = 0;
    if (c == 0) break;
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
