/* SPDX-License-Identifier: MIT */
/*
 * target.c - TARGET operand parsing.  See target.h for the accepted forms
 * and the decisions (host bits, size limits, whitespace).
 *
 * Most of this file is diagnosis: accepting a target is a few lines, but a
 * user who typed "127.1" or "10.0.0.1/8" deserves to be told what is wrong.
 */
#include "target.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "err.h"

#define U128_MAX (~(unsigned __int128)0)

/* Size limits, as "count - 1" so that 2^128 never has to be represented. */
#define LIMIT_V4 (((unsigned __int128)1 << 24) - 1)          /* a /8 */
#define LIMIT_V6 (((unsigned __int128)1 << 32) - 1)          /* a /96 */
#define LIMIT_V6_HUGE (((unsigned __int128)1 << 64) - 1)     /* a /64 */

/* ---- messages ---------------------------------------------------------- */

/* A quoted, escaped, bounded excerpt of user text. */
struct quoted {
  char s[TARGET_QUOTE_MAX + 8];
};

/* Quote at most `max` (<= TARGET_QUOTE_MAX) bytes of output. */
static const char *quote_n(struct quoted *q, const char *s, size_t len, size_t max) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0, i;

  q->s[n++] = '\'';
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : (c == '\\' ? 2 : 4);
    if (n - 1 + need > max)
      break;
    if (need == 1) {
      q->s[n++] = (char)c;
    } else if (need == 2) {
      q->s[n++] = '\\';
      q->s[n++] = '\\';
    } else {
      q->s[n++] = '\\';
      q->s[n++] = 'x';
      q->s[n++] = hex[c >> 4];
      q->s[n++] = hex[c & 0xf];
    }
  }
  q->s[n++] = '\'';
  if (i < len) {
    memcpy(q->s + n, "...", 3);
    n += 3;
  }
  q->s[n] = '\0';
  return q->s;
}

static const char *quote(struct quoted *q, const char *s, size_t len) {
  return quote_n(q, s, len, TARGET_QUOTE_MAX);
}

/* Octets and prefix lengths are short; a 60-byte "octet" needs no more than
 * a glimpse, and two full quotes would crowd the message. */
#define FIELD_QUOTE_MAX 12

char *span_count_text(char buf[SPAN_COUNT_TEXTLEN], unsigned __int128 v) {
  char tmp[40];
  size_t n = 0, i;
  do {
    tmp[n++] = (char)('0' + (int)(v % 10));
    v /= 10;
  } while (v != 0);
  for (i = 0; i < n; i++)
    buf[i] = tmp[n - 1 - i];
  buf[n] = '\0';
  return buf;
}

/* "N addresses" for a span of (minus1 + 1) addresses: decimal up to 2^64,
 * "2^k" for larger powers of two (CIDR blocks), else "more than 2^64". */
static const char *size_text(char buf[48], unsigned __int128 minus1) {
  int k;
  if (minus1 <= LIMIT_V6_HUGE) {
    if (minus1 == LIMIT_V6_HUGE)
      return strcpy(buf, "18446744073709551616"); /* 2^64 */
    return span_count_text(buf, minus1 + 1);
  }
  for (k = 65; k <= 128; k++) {
    unsigned __int128 m = k == 128 ? U128_MAX : ((unsigned __int128)1 << k) - 1;
    if (minus1 == m) {
      snprintf(buf, 48, "2^%d", k);
      return buf;
    }
  }
  return strcpy(buf, "more than 2^64");
}

/* ---- address diagnosis -------------------------------------------------- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
/* Characters that can appear in any accepted target. */
static int is_target_char(char c) {
  return is_hex(c) || c == '.' || c == ':' || c == '/' || c == '-';
}

static const void *find(const char *s, size_t len, char c) {
  return memchr(s, c, len);
}

static size_t count_char(const char *s, size_t len, char c) {
  size_t i, n = 0;
  for (i = 0; i < len; i++)
    n += s[i] == c;
  return n;
}

static unsigned octet_value(const char *s, size_t len) {
  unsigned v = 0;
  size_t i;
  for (i = 0; i < len; i++)
    v = v * 10 + (unsigned)(s[i] - '0');
  return v;
}

/* Why s[0..len), which contains no ':' and only digits and dots, is not a
 * dotted quad. */
static int diagnose_v4(const char *s, size_t len, const char *ctx, char *err,
                       size_t errlen) {
  struct quoted q, qo;
  size_t i = 0, start, parts = 0;

  const char *qs = quote(&q, s, len);
  if (count_char(s, len, '.') != 3)
    return err_set(err, errlen, -EINVAL,
                "invalid IPv4 address %s%s: need four decimal octets "
                "(a.b.c.d; short forms like 127.1 are not accepted)",
                qs, ctx);
  while (parts < 4) {
    start = i;
    while (i < len && s[i] != '.')
      i++;
    if (i == start)
      return err_set(err, errlen, -EINVAL, "invalid IPv4 address %s%s: empty octet", qs, ctx);
    if (i - start > 1 && s[start] == '0')
      return err_set(err, errlen, -EINVAL,
                  "invalid IPv4 address %s%s: octet %s has a leading zero "
                  "(octal is ambiguous, write it in plain decimal)",
                  qs, ctx, quote_n(&qo, s + start, i - start, FIELD_QUOTE_MAX));
    if (i - start > 3 || octet_value(s + start, i - start) > 255)
      return err_set(err, errlen, -EINVAL, "invalid IPv4 address %s%s: octet %s is greater than 255",
                  qs, ctx, quote_n(&qo, s + start, i - start, FIELD_QUOTE_MAX));
    parts++;
    i++; /* the dot */
  }
  return err_set(err, errlen, -EINVAL, "invalid IPv4 address %s%s", qs, ctx);
}

/* Why s[0..len), which contains a ':', is not an IPv6 address. */
static int diagnose_v6(const char *s, size_t len, const char *ctx, char *err,
                       size_t errlen) {
  struct quoted q;
  size_t i, run = 0, dcolon = 0;
  const char *qs = quote(&q, s, len);

  for (i = 0; i + 1 < len; i++)
    if (s[i] == ':' && s[i + 1] == ':')
      dcolon++;
  if (find(s, len, '%') != NULL)
    return err_set(err, errlen, -EINVAL,
                "invalid IPv6 address %s%s: zone index (%%...) is not accepted",
                qs, ctx);
  if (dcolon > 1)
    return err_set(err, errlen, -EINVAL, "invalid IPv6 address %s%s: '::' may appear only once",
                qs, ctx);
  for (i = 0; i < len; i++) {
    if (s[i] == ':' || s[i] == '.') {
      run = 0;
    } else if (++run > 4) {
      return err_set(err, errlen, -EINVAL,
                  "invalid IPv6 address %s%s: a group has more than 4 hex digits",
                  qs, ctx);
    }
  }
  return err_set(err, errlen, -EINVAL, "invalid IPv6 address %s%s", qs, ctx);
}

/* Parse field s[0..len) as one address; on failure explain why.  `whole`
 * is the whole target (for the hostname message), ctx a suffix naming the
 * field's role (" at the start of the range"), possibly "". */
static int parse_field(struct addr *a, const char *s, size_t len, const char *whole,
                       size_t wlen, const char *ctx, char *err, size_t errlen) {
  struct quoted q;
  size_t i;
  int digits_dots = 1;

  if (addr_parse(a, s, len) == 0)
    return 0;
  if (len == 0)
    return err_set(err, errlen, -EINVAL, "missing address%s in %s", ctx, quote(&q, whole, wlen));
  if (find(s, len, ':') != NULL)
    return diagnose_v6(s, len, ctx, err, errlen);
  for (i = 0; i < len; i++) {
    if (!is_digit(s[i]) && s[i] != '.')
      digits_dots = 0;
  }
  if (digits_dots)
    return diagnose_v4(s, len, ctx, err, errlen);
  return err_set(err, errlen, -EINVAL, "not an IP address, CIDR block or range: %s",
              quote(&q, whole, wlen));
}

/* "0x7f.0.0.1", "10.0.0.0x1": dotted text with a 0x-prefixed part, which
 * inet_aton would accept and inet_pton does not. */
static int looks_hex_v4(const char *s, size_t len) {
  size_t i;
  int hex_prefix = 0;
  for (i = 0; i < len; i++) {
    if (!is_hex(s[i]) && s[i] != '.' && s[i] != 'x' && s[i] != 'X')
      return 0;
    if ((s[i] == 'x' || s[i] == 'X') && i > 0 && s[i - 1] == '0' &&
        (i == 1 || s[i - 2] == '.'))
      hex_prefix = 1;
  }
  return hex_prefix;
}

/* ---- size limits ------------------------------------------------------- */

static int check_size(const struct span *sp, unsigned flags, const char *what,
                      char *err, size_t errlen) {
  unsigned __int128 minus1 = addr_to_u128(&sp->last) - addr_to_u128(&sp->first);
  char n[48];

  if (sp->first.family == 4) {
    if (minus1 > LIMIT_V4 && !(flags & TARGET_ALLOW_HUGE))
      return err_set(err, errlen, -EINVAL,
                  "%s is %s addresses, more than the limit of 16777216 (a /8); "
                  "add --allow-huge to scan it",
                  what, size_text(n, minus1));
    return 0;
  }
  if (minus1 > LIMIT_V6_HUGE)
    return err_set(err, errlen, -EINVAL,
                "%s is %s addresses, more than can be enumerated "
                "(at most 2^64, a /64, even with --allow-huge)",
                what, size_text(n, minus1));
  if (minus1 > LIMIT_V6 && !(flags & TARGET_ALLOW_HUGE))
    return err_set(err, errlen, -EINVAL,
                "%s is %s addresses, more than the limit of 4294967296 (a /96); "
                "add --allow-huge to allow up to 2^64 (a /64)",
                what, size_text(n, minus1));
  return 0;
}

/* ---- the three forms ----------------------------------------------------- */

static int parse_cidr(const char *s, size_t len, size_t slash, struct span *out,
                      unsigned flags, char *err, size_t errlen) {
  struct quoted q, qp;
  struct addr a;
  const char *p = s + slash + 1;
  size_t plen_len = len - slash - 1, i;
  unsigned plen = 0, bits;
  unsigned __int128 v, host;
  char net[ADDR_STRLEN], given[ADDR_STRLEN];
  int r;

  r = parse_field(&a, s, slash, s, len, " in CIDR block", err, errlen);
  if (r != 0)
    return r;
  bits = a.family == 4 ? 32 : 128;

  if (plen_len == 0)
    return err_set(err, errlen, -EINVAL, "missing prefix length after '/' in %s", quote(&q, s, len));
  for (i = 0; i < plen_len; i++)
    if (!is_digit(p[i]))
      return err_set(err, errlen, -EINVAL, "prefix length %s is not a decimal number in %s",
                  quote_n(&qp, p, plen_len, FIELD_QUOTE_MAX), quote(&q, s, len));
  if (plen_len > 1 && p[0] == '0')
    return err_set(err, errlen, -EINVAL, "prefix length %s has a leading zero in %s",
                quote_n(&qp, p, plen_len, FIELD_QUOTE_MAX), quote(&q, s, len));
  if (plen_len > 3)
    return err_set(err, errlen, -EINVAL, "prefix length %s out of range for IPv%d (0-%u)",
                quote_n(&qp, p, plen_len, FIELD_QUOTE_MAX), a.family, bits);
  for (i = 0; i < plen_len; i++)
    plen = plen * 10 + (unsigned)(p[i] - '0');
  if (plen > bits)
    return err_set(err, errlen, -EINVAL, "prefix length %u out of range for IPv%d (0-%u)", plen,
                a.family, bits);

  v = addr_to_u128(&a);
  /* bits - plen is 0..128; a shift by 128 is undefined, hence ::/0 apart. */
  host = bits - plen >= 128 ? U128_MAX : (((unsigned __int128)1 << (bits - plen)) - 1);
  if (v & host) {
    struct addr n;
    addr_from_u128(&n, a.family, v & ~host);
    addr_format(&a, given);
    addr_format(&n, net);
    return err_set(err, errlen, -EINVAL, "host bits set in %s/%u (did you mean %s/%u?)", given, plen,
                net, plen);
  }
  addr_from_u128(&out->first, a.family, v);
  addr_from_u128(&out->last, a.family, v | host);
  return check_size(out, flags, quote(&q, s, len), err, errlen);
}

static int parse_range(const char *s, size_t len, size_t dash, struct span *out,
                       unsigned flags, char *err, size_t errlen) {
  struct quoted q;
  struct addr a, b;
  char as[ADDR_STRLEN], bs[ADDR_STRLEN];
  int r;

  r = parse_field(&a, s, dash, s, len, " at the start of the range", err, errlen);
  if (r != 0)
    return r;
  r = parse_field(&b, s + dash + 1, len - dash - 1, s, len, " at the end of the range",
                  err, errlen);
  if (r != 0)
    return r;
  if (a.family != b.family)
    return err_set(err, errlen, -EINVAL, "range mixes IPv4 and IPv6: %s", quote(&q, s, len));
  if (addr_cmp(&b, &a) < 0) {
    addr_format(&a, as);
    addr_format(&b, bs);
    return err_set(err, errlen, -EINVAL, "range end %s is before start %s", bs, as);
  }
  out->first = a;
  out->last = b;
  return check_size(out, flags, quote(&q, s, len), err, errlen);
}

/* The grammar proper: s[0..len) holds only target characters. */
static int parse_plain(const char *s, size_t len, struct span *out, unsigned flags,
                       char *err, size_t errlen) {
  struct quoted q;
  const char *slash = find(s, len, '/');
  const char *dash = find(s, len, '-');
  int r;

  if (slash != NULL && dash != NULL)
    return err_set(err, errlen, -EINVAL,
                "a target is an address, a CIDR block or a range, not a mix: %s",
                quote(&q, s, len));
  if (count_char(s, len, '/') > 1)
    return err_set(err, errlen, -EINVAL, "more than one '/' in %s", quote(&q, s, len));
  if (count_char(s, len, '-') > 1)
    return err_set(err, errlen, -EINVAL, "more than one '-' in range %s", quote(&q, s, len));
  if (slash != NULL)
    return parse_cidr(s, len, (size_t)(slash - s), out, flags, err, errlen);
  if (dash != NULL)
    return parse_range(s, len, (size_t)(dash - s), out, flags, err, errlen);
  r = parse_field(&out->first, s, len, s, len, "", err, errlen);
  if (r == 0)
    out->last = out->first;
  return r;
}

int target_parse(const char *s, size_t len, struct span *out, unsigned flags, char *err,
                 size_t errlen) {
  struct quoted q;
  struct span dummy;
  size_t n, i;

  if (err != NULL && errlen > 0)
    err[0] = '\0';
  if (s == NULL || len == 0)
    return err_set(err, errlen, -EINVAL, "empty target");
  /* Refuse overlong text before looking at it: a 1 MB line costs O(1). */
  if (len > TARGET_TEXT_MAX)
    return err_set(err, errlen, -EINVAL, "target too long (%zu bytes, at most %d): %s", len,
                TARGET_TEXT_MAX, quote(&q, s, len));
  if (is_space(s[0]))
    return err_set(err, errlen, -EINVAL, "leading whitespace in target %s", quote(&q, s, len));

  for (n = 0; n < len && is_target_char(s[n]); n++)
    ;
  if (n == len)
    return parse_plain(s, len, out, flags, err, errlen);

  /* Something that can never be part of a target at s[n].  Say the most
   * useful thing we can about it. */
  if (s[n] == '%' && find(s, n, ':') != NULL)
    return err_set(err, errlen, -EINVAL,
                "invalid IPv6 address %s: zone index (%%...) is not accepted",
                quote(&q, s, len));
  /* "0x7f.0.0.1", "127.0.0.0x1": inet_aton syntax. */
  if (looks_hex_v4(s, len))
    return err_set(err, errlen, -EINVAL,
                "invalid IPv4 address %s: hexadecimal octets are not accepted",
                quote(&q, s, len));
  if (n > 0 && parse_plain(s, n, &dummy, TARGET_ALLOW_HUGE, NULL, 0) == 0) {
    const char *what = find(s, n, '/') ? "CIDR block"
                       : find(s, n, '-') ? "range" : "address";
    for (i = n; i < len && is_space(s[i]); i++)
      ;
    if (i == len)
      return err_set(err, errlen, -EINVAL, "trailing whitespace after %s in %s", what,
                  quote(&q, s, len));
    return err_set(err, errlen, -EINVAL, "trailing text after %s in %s", what, quote(&q, s, len));
  }
  return err_set(err, errlen, -EINVAL, "not an IP address, CIDR block or range: %s",
              quote(&q, s, len));
}

unsigned __int128 span_count(const struct span *sp) {
  unsigned __int128 minus1 = addr_to_u128(&sp->last) - addr_to_u128(&sp->first);
  return minus1 == U128_MAX ? U128_MAX : minus1 + 1;
}

void span_nth(const struct span *sp, unsigned __int128 i, struct addr *out) {
  addr_from_u128(out, sp->first.family, addr_to_u128(&sp->first) + i);
}

int span_contains(const struct span *sp, const struct addr *a) {
  return a->family == sp->first.family && addr_cmp(&sp->first, a) <= 0 &&
         addr_cmp(a, &sp->last) <= 0;
}
