/* SPDX-License-Identifier: MIT */
/*
 * fuzz_escape_diff.c - differential libFuzzer target: the CSV report and
 * the JSON lines report hold the same cell, each by its own contract.
 *
 * The input is one raw cell.  It is written as a CSV record
 * (report_format, src/output/report.h) and as a JSON lines object
 * (jsonl_format, src/output/jsonl.h; the input is used as the key and as
 * a string value).  Each format is then decoded here with a decoder
 * written from its RFC, not from our code:
 *   - CSV (RFC 4180): one field, quoted or not, `""` inside quotes is `"`;
 *   - JSON (RFC 8259 section 7): `\" \\ \/ \b \f \n \r \t \uXXXX`
 *     (surrogate pairs included), to UTF-8.
 * Checked, for the whole input and for prefixes of it (all of them up to
 * 64 bytes, 32 spread cuts beyond):
 *   - CSV: the field decoded equals cell_escape() of the input, and
 *     cell_unescape() of it gives back the input exactly (lossless);
 *   - JSON: the value decoded is the raw input with each byte that does
 *     not start a valid UTF-8 sequence replaced by U+FFFD (so it equals
 *     the input whenever the input is valid UTF-8: lossless there), no
 *     `\xHH` escapes, no guard; the key likewise (up to the first NUL);
 *   - both records end in "\n", and the JSON line holds no raw control
 *     byte and is valid UTF-8;
 *   - for buffers too small (a spread of sizes), both return the same
 *     length as with room, write "" and nothing past the buffer.
 * A failed check calls abort(), which libFuzzer records as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "jsonl.h"
#include "report.h"

#include "fuzz.h"

/* Decode one RFC 4180 record holding one field (line end "\n") into out;
 * returns the length. */
static size_t csv_decode(const char *rec, size_t len, char *out) {
  size_t o = 0;
  CHECK(len >= 1 && rec[len - 1] == '\n');
  len--;
  if (len > 0 && rec[0] == '"') {
    CHECK(len >= 2 && rec[len - 1] == '"');
    for (size_t i = 1; i < len - 1; i++) {
      if (rec[i] == '"') {
        CHECK(i + 1 < len - 1 && rec[i + 1] == '"'); /* only doubled inside */
        i++;
      }
      out[o++] = rec[i];
    }
    return o;
  }
  for (size_t i = 0; i < len; i++) {
    /* An unquoted field holds no quote, comma or line end. */
    CHECK(rec[i] != '"' && rec[i] != ',' && rec[i] != '\n' && rec[i] != '\r');
    out[o++] = rec[i];
  }
  return o;
}

static int hex4(const char *s, unsigned *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (h < 0) return -1;
    *v = *v << 4 | (unsigned)h;
  }
  return 0;
}

static size_t put_utf8(char *out, unsigned cp) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Decode the JSON string starting at s[*i] (the opening quote) into out;
 * leaves *i past the closing quote; returns the length. */
static size_t json_string(const char *s, size_t len, size_t *i, char *out) {
  size_t o = 0, k = *i;
  CHECK(k < len && s[k] == '"');
  k++;
  for (;;) {
    CHECK(k < len);
    unsigned char c = (unsigned char)s[k];
    CHECK(c >= 0x20); /* RFC 8259: controls must be escaped */
    if (c == '"') break;
    if (c != '\\') {
      out[o++] = (char)c;
      k++;
      continue;
    }
    CHECK(k + 1 < len);
    char e = s[k + 1];
    k += 2;
    switch (e) {
    case '"': out[o++] = '"'; break;
    case '\\': out[o++] = '\\'; break;
    case '/': out[o++] = '/'; break;
    case 'b': out[o++] = '\b'; break;
    case 'f': out[o++] = '\f'; break;
    case 'n': out[o++] = '\n'; break;
    case 'r': out[o++] = '\r'; break;
    case 't': out[o++] = '\t'; break;
    case 'u': {
      unsigned v, lo;
      CHECK(k + 4 <= len && hex4(s + k, &v) == 0);
      k += 4;
      if (v >= 0xd800 && v <= 0xdbff) {
        CHECK(k + 6 <= len && s[k] == '\\' && s[k + 1] == 'u' && hex4(s + k + 2, &lo) == 0);
        CHECK(lo >= 0xdc00 && lo <= 0xdfff);
        v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
        k += 6;
      }
      o += put_utf8(out + o, v);
      break;
    }
    default: CHECK(!"unknown JSON escape");
    }
  }
  *i = k + 1;
  return o;
}

/* Decode {"KEY":"VALUE"}\n into key and value. */
static void json_decode(const char *line, size_t len, char *key, size_t *kl, char *val,
                        size_t *vl) {
  size_t i = 1;
  CHECK(len >= 2 && line[0] == '{' && line[len - 2] == '}' && line[len - 1] == '\n');
  *kl = json_string(line, len, &i, key);
  CHECK(i < len && line[i] == ':');
  i++;
  *vl = json_string(line, len, &i, val);
  CHECK(i == len - 2);
}

/* Too-small buffers: same length returned, "" written, nothing past. */
static void check_small(size_t need, int json, const char *const *names,
                        const char *const *fields, const size_t *lens) {
  static const unsigned char canary[4] = {0xa5, 0x5a, 0xc3, 0x3c};
  unsigned char *buf = malloc(need + 1 + sizeof canary);
  CHECK(buf);
  for (size_t size = 1; size <= need; size += (need <= 64 ? 1 : 1 + need / 17)) {
    memcpy(buf + size, canary, sizeof canary);
    size_t r = json ? jsonl_format((char *)buf, size, names, NULL, fields, lens, 1)
                    : report_format((char *)buf, size, fields, lens, 1);
    CHECK(r == need);
    CHECK(buf[0] == '\0');
    CHECK(memcmp(buf + size, canary, sizeof canary) == 0);
  }
  free(buf);
}

/* The expected JSON text: s with each byte that does not start a valid
 * UTF-8 sequence (cell_utf8_check) replaced by U+FFFD. */
static size_t replace_invalid(const char *s, size_t len, char *out) {
  size_t o = 0, p = 0;
  while (p < len) {
    size_t ok = cell_utf8_check(s + p, len - p);
    memcpy(out + o, s + p, ok);
    o += ok;
    p += ok;
    if (p < len) {
      memcpy(out + o, "\xef\xbf\xbd", 3);
      o += 3;
      p++;
    }
  }
  return o;
}

/* The differential check for one cell. */
static void one(const char *cell, size_t len, int small) {
  size_t esc_size = cell_escaped_size(cell, len);
  char *esc = malloc(esc_size);
  CHECK(esc);
  size_t el = cell_escape(esc, esc_size, cell, len);

  /* CSV. */
  const char *fields[1] = {cell};
  size_t lens[1] = {len};
  size_t need = report_format(NULL, 0, fields, lens, 1);
  char *rec = malloc(need + 1), *csv = malloc(need + 1);
  CHECK(rec && csv);
  CHECK(report_format(rec, need + 1, fields, lens, 1) == need);
  size_t cl = csv_decode(rec, need, csv);

  /* JSON: the key is a C string, so it gets the part before any NUL. */
  char *name = malloc(len + 1);
  CHECK(name);
  memcpy(name, cell, len);
  name[len] = '\0';
  size_t name_len = strlen(name);
  const char *names[1] = {name};
  size_t jneed = jsonl_format(NULL, 0, names, NULL, fields, lens, 1);
  char *line = malloc(jneed + 1), *key = malloc(jneed + 1), *val = malloc(jneed + 1);
  CHECK(line && key && val);
  CHECK(jsonl_format(line, jneed + 1, names, NULL, fields, lens, 1) == jneed);
  CHECK(cell_utf8_check(line, jneed) == jneed);
  size_t kl, vl;
  json_decode(line, jneed, key, &kl, val, &vl);

  /* CSV: the escaper's text, and back to the input. */
  CHECK(cl == el && memcmp(csv, esc, el) == 0);
  char *back = malloc(cl + 1);
  CHECK(back);
  CHECK(cell_unescape(back, csv, cl) == len && memcmp(back, cell, len) == 0);
  free(back);
  /* JSON: the raw text, U+FFFD for each byte that is not UTF-8. */
  char *want = malloc(3 * len + 1);
  CHECK(want);
  size_t wl = replace_invalid(cell, len, want);
  CHECK(vl == wl && memcmp(val, want, wl) == 0);
  if (cell_utf8_check(cell, len) == len) CHECK(vl == len && memcmp(val, cell, len) == 0);
  char *kwant = malloc(3 * name_len + 1);
  CHECK(kwant);
  size_t kwl = replace_invalid(name, name_len, kwant);
  CHECK(kl == kwl && memcmp(key, kwant, kwl) == 0);
  free(want);
  free(kwant);

  if (small) {
    check_small(need, 0, NULL, fields, lens);
    check_small(jneed, 1, names, fields, lens);
  }
  free(name);
  free(line);
  free(key);
  free(val);
  free(rec);
  free(csv);
  free(esc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *cell = (const char *)data;
  one(cell, size, 1);
  /* Every prefix: cuts at every length, so the escaper's resumable pieces
   * and the formats' internal buffers meet every offset of the input. */
  size_t step = size <= 64 ? 1 : 1 + size / 32;
  for (size_t cut = 0; cut < size; cut += step) one(cell, cut, 0);
  return 0;
}
