/* SPDX-License-Identifier: MIT */
/*
 * jsonl.c - JSON Lines rows.  See jsonl.h.
 *
 * Strings are written from the raw bytes in one pass: cell_utf8_check()
 * finds each run of valid UTF-8, whose bytes are copied except those JSON
 * or JavaScript readers must not see raw; the byte that ends the run is
 * replaced by U+FFFD and the scan goes on after it.
 */
#include "jsonl.h"

#include <string.h>

#include "cell.h"

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

static void put_u(struct out *o, unsigned cp) {
  static const char hex[] = "0123456789abcdef";
  char u[6] = {'\\', 'u', hex[cp >> 12 & 15], hex[cp >> 8 & 15], hex[cp >> 4 & 15], hex[cp & 15]};
  put(o, u, 6);
}

/* A run of valid UTF-8. */
static void put_valid(struct out *o, const unsigned char *s, size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned c = s[i];
    size_t skip = 1;
    unsigned cp;
    if (c == '"' || c == '\\') {
      put(o, (const char *)s + run, i - run);
      put(o, c == '"' ? "\\\"" : "\\\\", 2);
      run = i + 1;
      continue;
    }
    if (c < 0x20 || c == 0x7f) cp = c;
    else if (c == 0xc2 && s[i + 1] < 0xa0) cp = s[i + 1], skip = 2; /* C1 */
    else if (c == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))
      cp = s[i + 2] == 0xa8 ? 0x2028 : 0x2029, skip = 3;
    else continue;
    put(o, (const char *)s + run, i - run);
    put_u(o, cp);
    i += skip - 1;
    run = i + 1;
  }
  put(o, (const char *)s + run, n - run);
}

static void put_string(struct out *o, const char *s, size_t n) {
  size_t pos = 0;
  put(o, "\"", 1);
  while (pos < n) {
    size_t ok = cell_utf8_check(s + pos, n - pos);
    put_valid(o, (const unsigned char *)s + pos, ok);
    pos += ok;
    if (pos < n) {
      put(o, "\xef\xbf\xbd", 3); /* U+FFFD for the byte that is not UTF-8 */
      pos++;
    }
  }
  put(o, "\"", 1);
}

static int all_digits(const char *s, size_t n) {
  if (!n || n > 19) return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

static void put_value(struct out *o, enum schema_type t, const char *f, size_t n) {
  if (!f || (!n && (t == SCHEMA_ENUM || t == SCHEMA_INTEGER || t == SCHEMA_TIME))) {
    put(o, "null", 4);
  } else if (t == SCHEMA_INTEGER && all_digits(f, n)) {
    size_t z = 0;
    while (z + 1 < n && f[z] == '0') z++; /* JSON numbers have no leading zeros */
    put(o, f + z, n - z);
  } else if (t == SCHEMA_LIST) {
    size_t start = 0;
    put(o, "[", 1);
    for (size_t i = 0; n && i <= n; i++) {
      if (i < n && f[i] != ' ') continue;
      if (start) put(o, ",", 1);
      put_string(o, f + start, i - start);
      start = i + 1;
    }
    put(o, "]", 1);
  } else {
    put_string(o, f, n);
  }
}

static void finish(struct out *o, char *dst, size_t size) {
  if (size > 0) {
    if (o->len < size) dst[o->len] = '\0';
    else dst[0] = '\0';
  }
}

size_t jsonl_format(char *dst, size_t size, const char *const *names,
                    const enum schema_type *types, const char *const *fields,
                    const size_t *lens, size_t n) {
  struct out o = {dst, size, 0};
  put(&o, "{", 1);
  for (size_t i = 0; i < n; i++) {
    if (i) put(&o, ",", 1);
    const char *nm = names && names[i] ? names[i] : "";
    put_string(&o, nm, strlen(nm));
    put(&o, ":", 1);
    const char *f = fields[i];
    size_t fl = !f ? 0 : lens ? lens[i] : strlen(f);
    put_value(&o, types ? types[i] : SCHEMA_STRING, f, fl);
  }
  put(&o, "}\n", 2);
  finish(&o, dst, size);
  return o.len;
}

size_t jsonl_string(char *dst, size_t size, const char *s, size_t n) {
  struct out o = {dst, size, 0};
  put_string(&o, s, n);
  finish(&o, dst, size);
  return o.len;
}
