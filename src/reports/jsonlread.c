/* SPDX-License-Identifier: MIT */
/* jsonlread.c - see jsonlread.h. */
#include "jsonlread.h"

#include <errno.h>
#include <string.h>

#include "cell.h"
#include "err.h"

struct p {
  const char *s;
  size_t len, i;
  char *out;
  size_t outcap, olen;
  char *raw; /* decoded text of the value in progress */
  size_t rlen;
  const char *key; /* the key in progress, for messages (cell text) */
  char *err;
  size_t errlen;
};

static void ws(struct p *p) {
  while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r'))
    p->i++;
}

static int fail(struct p *p, const char *what) {
  if (p->key)
    return err_set(p->err, p->errlen, -EINVAL, "field '%.64s': %s (at byte %zu)", p->key, what,
                   p->i + 1);
  return err_set(p->err, p->errlen, -EINVAL, "not a JSON object: %s (at byte %zu)", what,
                 p->i + 1);
}

static void raw_utf8(struct p *p, unsigned cp) {
  char *o = p->raw + p->rlen;
  if (cp < 0x80) {
    o[0] = (char)cp;
    p->rlen += 1;
  } else if (cp < 0x800) {
    o[0] = (char)(0xc0 | cp >> 6);
    o[1] = (char)(0x80 | (cp & 0x3f));
    p->rlen += 2;
  } else if (cp < 0x10000) {
    o[0] = (char)(0xe0 | cp >> 12);
    o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f));
    p->rlen += 3;
  } else {
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    p->rlen += 4;
  }
}

static int hex4(const char *s, unsigned *v) {
  *v = 0;
  for (int k = 0; k < 4; k++) {
    char c = s[k];
    int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (h < 0) return -1;
    *v = *v << 4 | (unsigned)h;
  }
  return 0;
}

/* A string at p->i (the opening quote), decoded and appended to p->raw.
 * Never longer than its JSON form, so raw (len + 1 bytes) holds it. */
static int string(struct p *p) {
  p->i++;
  for (;;) {
    if (p->i >= p->len) return fail(p, "string not closed");
    unsigned char c = (unsigned char)p->s[p->i];
    if (c == '"') {
      p->i++;
      return 0;
    }
    if (c < 0x20) return fail(p, "raw control byte inside a string");
    if (c != '\\') {
      p->raw[p->rlen++] = (char)c;
      p->i++;
      continue;
    }
    if (p->i + 1 >= p->len) return fail(p, "string not closed");
    char e = p->s[p->i + 1];
    p->i += 2;
    const char *simple = strchr("\"\\/bfnrt", e);
    if (e && simple) {
      static const char to[] = "\"\\/\b\f\n\r\t";
      p->raw[p->rlen++] = to[simple - "\"\\/bfnrt"];
      continue;
    }
    unsigned v, lo;
    if (e != 'u' || p->i + 4 > p->len || hex4(p->s + p->i, &v)) return fail(p, "bad escape");
    p->i += 4;
    if (v >= 0xd800 && v <= 0xdbff && p->i + 6 <= p->len && p->s[p->i] == '\\' &&
        p->s[p->i + 1] == 'u' && !hex4(p->s + p->i + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
      v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
      p->i += 6;
    } else if (v >= 0xd800 && v <= 0xdfff) {
      v = 0xfffd; /* a lone surrogate is no character */
    }
    raw_utf8(p, v);
  }
}

/* A number (its text appended to raw), true, false or null (nothing). */
static int scalar(struct p *p) {
  static const char *const words[] = {"true", "false", "null"};
  for (int k = 0; k < 3; k++) {
    size_t wl = strlen(words[k]);
    if (p->len - p->i >= wl && !memcmp(p->s + p->i, words[k], wl)) {
      if (k < 2) {
        memcpy(p->raw + p->rlen, words[k], wl);
        p->rlen += wl;
      }
      p->i += wl;
      return 0;
    }
  }
  size_t st = p->i, digits = 0;
  if (p->i < p->len && p->s[p->i] == '-') p->i++;
  for (; p->i < p->len; p->i++) {
    char c = p->s[p->i];
    if (c >= '0' && c <= '9') digits++;
    else if (!(c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) break;
  }
  if (!digits) return fail(p, "not a JSON value");
  memcpy(p->raw + p->rlen, p->s + st, p->i - st);
  p->rlen += p->i - st;
  return 0;
}

static int value(struct p *p) {
  if (p->i >= p->len) return fail(p, "value missing");
  char c = p->s[p->i];
  if (c == '"') return string(p);
  if (c == '{') return fail(p, "nested object");
  if (c != '[') return scalar(p);
  p->i++;
  ws(p);
  if (p->i < p->len && p->s[p->i] == ']') {
    p->i++;
    return 0;
  }
  for (int first = 1;; first = 0) {
    ws(p);
    if (p->i >= p->len) return fail(p, "array not closed");
    c = p->s[p->i];
    if (c == '[' || c == '{') return fail(p, "nested value inside an array");
    if (!first) p->raw[p->rlen++] = ' ';
    int rc = c == '"' ? string(p) : scalar(p);
    if (rc) return rc;
    ws(p);
    if (p->i < p->len && p->s[p->i] == ',') {
      p->i++;
      continue;
    }
    if (p->i < p->len && p->s[p->i] == ']') {
      p->i++;
      return 0;
    }
    return fail(p, "expected ',' or ']' in an array");
  }
}

/* p->raw[0..rlen) as cell text into out; returns its offset. */
static size_t emit(struct p *p, size_t *len) {
  size_t off = p->olen;
  *len = cell_escape(p->out + off, p->outcap - off, p->raw, p->rlen);
  p->olen += *len + 1;
  p->rlen = 0;
  return off;
}

int jsonlread_parse(const char *line, size_t len, char *out, size_t outcap, char *scratch,
                    struct jsonlread_member *m, size_t max, size_t *n, char *err,
                    size_t errlen) {
  struct p p = {line, len, 0, out, outcap, 0, scratch, 0, NULL, err, errlen};
  int rc;
  *n = 0;
  ws(&p);
  if (p.i >= len || line[p.i] != '{') return fail(&p, "the line does not start with '{'");
  p.i++;
  ws(&p);
  if (p.i < len && line[p.i] == '}') {
    p.i++;
  } else {
    for (;;) {
      ws(&p);
      if (p.i >= len || line[p.i] != '"') return fail(&p, "expected a key");
      if (*n >= max)
        return err_set(err, errlen, -E2BIG, "more than %zu fields", max);
      if ((rc = string(&p))) return rc;
      m[*n].key = emit(&p, &m[*n].key_len);
      p.key = out + m[*n].key;
      ws(&p);
      if (p.i >= len || line[p.i] != ':') return fail(&p, "expected ':' after the key");
      p.i++;
      ws(&p);
      if ((rc = value(&p))) return rc;
      m[*n].val = emit(&p, &m[*n].val_len);
      (*n)++;
      ws(&p);
      if (p.i < len && line[p.i] == ',') {
        p.i++;
        continue;
      }
      if (p.i < len && line[p.i] == '}') {
        p.i++;
        break;
      }
      return fail(&p, "expected ',' or '}'");
    }
  }
  p.key = NULL;
  ws(&p);
  if (p.i != len) return fail(&p, "text after the object");
  return 0;
}
