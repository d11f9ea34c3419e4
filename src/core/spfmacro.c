/* SPDX-License-Identifier: MIT */
/*
 * spfmacro.c - SPF macro strings, RFC 7208 section 7.  Contract in
 * spfmacro.h.  One scanner does both the syntax check and the expansion,
 * so the two cannot disagree on what a valid string is.
 */
#include "spfmacro.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Longest value a letter stands for: a sender of 64 + 1 + 255 bytes fits
 * (the engine caps its inputs below this). */
#define VAL_MAX 640
/* Expansion buffer for a domain-spec before the left side is cut. */
#define DOM_BUF 2048

static int is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }
static int is_literal(unsigned char c) { return c >= 0x21 && c <= 0x7E && c != '%'; }
static int is_delim(unsigned char c) { return c && strchr(".-+,/_=", c) != NULL; }

/* Output: either the first cap - 1 bytes are kept (explanations) or, with
 * keep_tail, the last ones (domain names are cut on the left). */
struct out {
  char *b;
  size_t cap, len;
  int keep_tail, dropped;
};

static void put1(struct out *o, char c) {
  if (!o) return;
  if (o->len + 1 >= o->cap) {
    if (!o->keep_tail) return;
    size_t half = o->cap / 2;
    memmove(o->b, o->b + half, o->len - half);
    o->len -= half;
    o->dropped = 1;
  }
  o->b[o->len++] = c;
}

static void put(struct out *o, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) put1(o, s[i]);
}

/* The value of a (lower-case) letter into v[VAL_MAX]; its length. */
static size_t letter_value(char l, const struct spf_macro_ctx *c, char *v) {
  const char *s = NULL;
  switch (l) {
  case 's': s = c->sender; break;
  case 'l': s = c->local; break;
  case 'o': s = c->sender_domain; break;
  case 'd': s = c->domain; break;
  case 'h': s = c->helo; break;
  case 'p': s = c->validated ? c->validated : "unknown"; break;
  case 'r': s = c->receiver ? c->receiver : "unknown"; break;
  case 'v': s = c->ip->family == 4 ? "in-addr" : "ip6"; break;
  case 't': return (size_t)snprintf(v, VAL_MAX, "%lld", c->now);
  case 'c':
  case 'i':
    if (l == 'c' && c->ip->family == 6) return addr_format(c->ip, v);
    if (c->ip->family == 4)
      return (size_t)snprintf(v, VAL_MAX, "%u.%u.%u.%u", c->ip->b[0], c->ip->b[1], c->ip->b[2],
                              c->ip->b[3]);
    else {
      /* Section 7.3: IPv6 as dot-separated nibbles, most significant
       * first. */
      static const char hex[] = "0123456789abcdef";
      size_t n = 0;
      for (int i = 0; i < 16; i++) {
        if (n) v[n++] = '.';
        v[n++] = hex[c->ip->b[i] >> 4];
        v[n++] = '.';
        v[n++] = hex[c->ip->b[i] & 15];
      }
      v[n] = '\0';
      return n;
    }
  default: s = ""; break;
  }
  if (!s) s = "";
  size_t n = strlen(s);
  if (n >= VAL_MAX) n = VAL_MAX - 1;
  memcpy(v, s, n);
  v[n] = '\0';
  return n;
}

/* RFC 3986 unreserved characters stay, the rest becomes %XX (section
 * 7.3: upper-case macro letters are URL-escaped). */
static void put_escaped(struct out *o, const char *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (is_alnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      put1(o, (char)ch);
    } else {
      put1(o, '%');
      put1(o, hex[ch >> 4]);
      put1(o, hex[ch & 15]);
    }
  }
}

/* Transform and write one %{...}: split on the delimiters (default "."),
 * reverse if asked, keep the `keep` rightmost parts (0: all), join with
 * ".". */
static void put_macro(struct out *o, char letter, unsigned keep, int rev, const char *delims,
                      size_t ndelims, const struct spf_macro_ctx *c) {
  char v[VAL_MAX], joined[VAL_MAX];
  unsigned short st[VAL_MAX], ln[VAL_MAX];
  size_t n = letter_value((char)(letter | 0x20), c, v), np = 0, start = 0;
  for (size_t i = 0; i <= n; i++) {
    int cut = i == n;
    if (!cut) {
      if (ndelims == 0) cut = v[i] == '.';
      else cut = memchr(delims, v[i], ndelims) != NULL;
    }
    if (cut) {
      st[np] = (unsigned short)start;
      ln[np++] = (unsigned short)(i - start);
      start = i + 1;
    }
  }
  if (rev)
    for (size_t i = 0; i < np / 2; i++) {
      unsigned short t = st[i];
      st[i] = st[np - 1 - i];
      st[np - 1 - i] = t;
      t = ln[i];
      ln[i] = ln[np - 1 - i];
      ln[np - 1 - i] = t;
    }
  size_t first = (keep && keep < np) ? np - keep : 0, jl = 0;
  for (size_t i = first; i < np; i++) {
    if (i > first) joined[jl++] = '.';
    memcpy(joined + jl, v + st[i], ln[i]);
    jl += ln[i];
  }
  if (letter >= 'A' && letter <= 'Z') put_escaped(o, joined, jl);
  else put(o, joined, jl);
}

/*
 * The scanner.  With c == NULL it only checks.  Returns 0 or -EINVAL with
 * *errpos.  *last_macro is set to whether the string ends in a
 * macro-expand, and *tail to where the literal text after the last
 * macro-expand begins (for the domain-end rule).
 */
static int scan(const char *s, size_t len, unsigned flags, const struct spf_macro_ctx *c,
                struct out *o, size_t *errpos, int *last_macro, size_t *tail) {
  size_t i = 0;
  int lm = 0;
  size_t t = 0;
  while (i < len) {
    unsigned char ch = (unsigned char)s[i];
    if (ch != '%') {
      if (!is_literal(ch) && !(ch == ' ' && (flags & SPF_MACRO_EXP))) goto bad;
      put1(o, (char)ch);
      i++;
      lm = 0;
      continue;
    }
    if (i + 1 >= len) goto bad;
    char n1 = s[i + 1];
    if (n1 == '%' || n1 == '_' || n1 == '-') {
      put(o, n1 == '%' ? "%" : n1 == '_' ? " " : "%20", n1 == '-' ? 3 : 1);
      i += 2;
      lm = 1;
      t = i;
      continue;
    }
    if (n1 != '{' || i + 2 >= len) goto bad;
    size_t p = i + 2;
    char letter = s[p];
    char lower = (char)(letter | 0x20);
    if (!is_alpha((unsigned char)letter) || !strchr("slodiphcrtv", lower)) {
      i = p;
      goto bad;
    }
    if ((lower == 'c' || lower == 'r' || lower == 't') && !(flags & SPF_MACRO_EXP)) {
      i = p;
      goto bad;
    }
    p++;
    unsigned keep = 0;
    int ndig = 0, rev = 0;
    while (p < len && is_digit((unsigned char)s[p])) {
      if (keep < 100000) keep = keep * 10 + (unsigned)(s[p] - '0');
      ndig++;
      p++;
    }
    if (ndig && keep == 0) {
      i = p - 1;
      goto bad;
    }
    if (p < len && (s[p] | 0x20) == 'r') {
      rev = 1;
      p++;
    }
    size_t d0 = p;
    while (p < len && is_delim((unsigned char)s[p])) p++;
    if (p >= len || s[p] != '}') {
      i = p;
      goto bad;
    }
    if (c) put_macro(o, letter, keep, rev, s + d0, p - d0, c);
    i = p + 1;
    lm = 1;
    t = i;
  }
  if (last_macro) *last_macro = lm;
  if (tail) *tail = t;
  return 0;
bad:
  if (errpos) *errpos = i;
  return -EINVAL;
}

int spf_macro_check(const char *s, size_t len, unsigned flags, size_t *errpos) {
  return scan(s, len, flags, NULL, NULL, errpos, NULL, NULL);
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int toplabel_ok(const char *s, size_t n) {
  int alpha = 0, dash = 0;
  if (n == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '-') dash = 1;
    else if (is_alpha(ch)) alpha = 1;
    else if (!is_digit(ch)) return 0;
  }
  if (!dash) return alpha;
  return is_alnum((unsigned char)s[0]) && is_alnum((unsigned char)s[n - 1]);
}

int spf_macro_check_domain(const char *s, size_t len, size_t *errpos) {
  int lm;
  size_t tail;
  if (len == 0) {
    if (errpos) *errpos = 0;
    return -EINVAL;
  }
  if (scan(s, len, 0, NULL, NULL, errpos, &lm, &tail) < 0) return -EINVAL;
  if (lm) return 0;
  /* A macro then one dot ("%{d}."): the dot of a fully qualified name, as
   * the openspf suite's implementations accept; the name is asked without
   * it. */
  if (tail > 0 && len == tail + 1 && s[tail] == '.') return 0;
  /* The literal text after the last macro must end in "." toplabel ["."]. */
  size_t end = len;
  if (end > tail && s[end - 1] == '.') end--;
  size_t dot = end;
  while (dot > tail && s[dot - 1] != '.') dot--;
  if (dot == tail || !toplabel_ok(s + dot, end - dot)) {
    if (errpos) *errpos = len;
    return -EINVAL;
  }
  return 0;
}

int spf_macro_uses_p(const char *s, size_t len) {
  for (size_t i = 0; i + 2 < len; i++) {
    if (s[i] != '%') continue;
    if (s[i + 1] == '{' && (s[i + 2] | 0x20) == 'p') return 1;
    i++; /* "%%", "%{" ...: the byte after '%' is never a macro start */
  }
  return 0;
}

int spf_macro_expand(const char *s, size_t len, unsigned flags, const struct spf_macro_ctx *c,
                     char *out, size_t cap) {
  struct out o = {out, cap, 0, 0, 0};
  if (cap == 0) return -EINVAL;
  if (scan(s, len, flags, c, &o, NULL, NULL, NULL) < 0) {
    out[0] = '\0';
    return -EINVAL;
  }
  out[o.len] = '\0';
  return (int)o.len;
}

int spf_macro_name_ok(const char *name) {
  size_t n = strlen(name), lab = 0;
  if (n && name[n - 1] == '.') n--;
  if (n == 0 || n > SPF_DOMAIN_MAX) return 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || name[i] == '.') {
      if (lab == 0 || lab > 63) return 0;
      lab = 0;
    } else {
      lab++;
    }
  }
  return 1;
}

int spf_macro_expand_domain(const char *s, size_t len, const struct spf_macro_ctx *c,
                            char *out) {
  char buf[DOM_BUF];
  struct out o = {buf, sizeof buf, 0, 1, 0};
  if (spf_macro_check_domain(s, len, NULL) < 0) return -EINVAL;
  if (scan(s, len, 0, c, &o, NULL, NULL, NULL) < 0) return -EINVAL;
  size_t n = o.len, b = 0;
  if (n && buf[n - 1] == '.') n--;
  /* Section 7.3: remove leading labels (and their dots) until it fits.  A
   * buffer that dropped its head starts inside a label, which this also
   * removes (what is left is then shorter than half the buffer). */
  while (n - b > SPF_DOMAIN_MAX || (o.dropped && b == 0)) {
    const char *dot = memchr(buf + b, '.', n - b);
    if (!dot) {
      b = n;
      break;
    }
    b = (size_t)(dot - buf) + 1;
  }
  memcpy(out, buf + b, n - b);
  out[n - b] = '\0';
  return spf_macro_name_ok(out) ? (int)(n - b) : -ERANGE;
}
