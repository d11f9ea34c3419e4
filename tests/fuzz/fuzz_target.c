/* SPDX-License-Identifier: MIT */
/*
 * fuzz_target.c - libFuzzer target for the TARGET operand parser
 * (src/core/target.h).
 *
 * The input is one operand, passed with its exact length (not
 * NUL-terminated: a read past it is an ASan error).  It is parsed with and
 * without TARGET_ALLOW_HUGE and checked against:
 *   - a reference acceptor written here from target.h, on top of libc's
 *     inet_pton (the contract names its rules): same verdict, same span;
 *   - the span's own promises: one family, first <= last, IPv4 upper bytes
 *     zero, within the size limits, span_count/span_nth/span_contains
 *     consistent with first and last;
 *   - a round trip: formatting first and last ("F-L", "F", "F/len") and
 *     parsing again gives the same span;
 *   - error messages: non-empty, one line of printable ASCII, shorter than
 *     TARGET_ERRLEN, truncated cleanly into a small buffer.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "addr.h"
#include "target.h"

#include "fuzz.h"

typedef unsigned __int128 u128;

static u128 to_u128(const struct addr *a) {
  u128 v = 0;
  int i, n = a->family == 4 ? 4 : 16;
  for (i = 0; i < n; i++) v = v << 8 | a->b[i];
  return v;
}

static int same_addr(const struct addr *a, const struct addr *b) {
  return a->family == b->family && memcmp(a->b, b->b, sizeof a->b) == 0;
}

static int same_span(const struct span *a, const struct span *b) {
  return same_addr(&a->first, &b->first) && same_addr(&a->last, &b->last);
}

/* ---- reference acceptor --------------------------------------------------- */

/* One address by inet_pton: IPv4 dotted quad or IPv6, nothing else. */
static int ref_addr(const char *s, size_t len, struct addr *a) {
  char buf[128];
  if (len == 0 || len >= sizeof buf || memchr(s, '\0', len)) return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  memset(a, 0, sizeof *a);
  if (inet_pton(AF_INET, buf, a->b) == 1) {
    a->family = 4;
    return 0;
  }
  memset(a, 0, sizeof *a);
  if (inet_pton(AF_INET6, buf, a->b) == 1) {
    a->family = 6;
    return 0;
  }
  return -1;
}

static int ref_size_ok(u128 minus1, int family, unsigned flags) {
  u128 v4 = ((u128)1 << 24) - 1, v6 = ((u128)1 << 32) - 1, v6huge = ((u128)1 << 64) - 1;
  if (family == 4) return (flags & TARGET_ALLOW_HUGE) || minus1 <= v4;
  return minus1 <= ((flags & TARGET_ALLOW_HUGE) ? v6huge : v6);
}

static void from_u128(struct addr *a, int family, u128 v) {
  int i, n = family == 4 ? 4 : 16;
  memset(a, 0, sizeof *a);
  a->family = (uint8_t)family;
  for (i = n - 1; i >= 0; i--, v >>= 8) a->b[i] = (uint8_t)v;
}

/* target.h's grammar: ADDR, ADDR/LEN, ADDR-ADDR. */
static int ref_target(const char *s, size_t len, unsigned flags, struct span *out) {
  const char *slash = memchr(s, '/', len), *dash = memchr(s, '-', len);
  size_t i, nslash = 0, ndash = 0;

  for (i = 0; i < len; i++) nslash += s[i] == '/', ndash += s[i] == '-';
  if (nslash + ndash > 1) return -1;
  if (slash) {
    const char *p = slash + 1;
    size_t plen_len = len - (size_t)(p - s);
    unsigned plen = 0, bits;
    u128 v, host;
    if (ref_addr(s, (size_t)(slash - s), &out->first) != 0) return -1;
    bits = out->first.family == 4 ? 32 : 128;
    if (plen_len == 0 || plen_len > 3 || (plen_len > 1 && p[0] == '0')) return -1;
    for (i = 0; i < plen_len; i++) {
      if (p[i] < '0' || p[i] > '9') return -1;
      plen = plen * 10 + (unsigned)(p[i] - '0');
    }
    if (plen > bits) return -1;
    host = bits - plen == 128 ? ~(u128)0 : (((u128)1 << (bits - plen)) - 1);
    v = to_u128(&out->first);
    if (v & host) return -1;
    from_u128(&out->last, out->first.family, v | host);
    return ref_size_ok(host, out->first.family, flags) ? 0 : -1;
  }
  if (dash) {
    if (ref_addr(s, (size_t)(dash - s), &out->first) != 0) return -1;
    if (ref_addr(dash + 1, len - (size_t)(dash - s) - 1, &out->last) != 0) return -1;
    if (out->first.family != out->last.family) return -1;
    if (to_u128(&out->last) < to_u128(&out->first)) return -1;
    return ref_size_ok(to_u128(&out->last) - to_u128(&out->first), out->first.family, flags)
               ? 0
               : -1;
  }
  if (ref_addr(s, len, &out->first) != 0) return -1;
  out->last = out->first;
  return 0;
}

/* ---- checks ------------------------------------------------------------- */

static void check_error_text(const char *err) {
  size_t n = strlen(err), i;
  CHECK(n > 0);
  CHECK(n < TARGET_ERRLEN);
  for (i = 0; i < n; i++) CHECK(err[i] >= 0x20 && err[i] < 0x7f);
}

/* Parse text with flags and expect exactly *want. */
static void reparse(const char *text, unsigned flags, const struct span *want) {
  struct span sp;
  char err[TARGET_ERRLEN];
  int r = target_parse(text, strlen(text), &sp, flags, err, sizeof err);
  if (r != 0) fprintf(stderr, "reparse of '%s' failed: %s\n", text, err);
  CHECK(r == 0);
  CHECK(same_span(&sp, want));
}

static void check_span(const struct span *sp, unsigned flags) {
  char f[ADDR_STRLEN], l[ADDR_STRLEN], text[2 * ADDR_STRLEN + 8];
  struct addr a;
  u128 first, last, count;
  int k;

  CHECK(sp->first.family == 4 || sp->first.family == 6);
  CHECK(sp->first.family == sp->last.family);
  if (sp->first.family == 4)
    for (k = 4; k < 16; k++) CHECK(sp->first.b[k] == 0 && sp->last.b[k] == 0);
  CHECK(addr_cmp(&sp->first, &sp->last) <= 0);
  first = to_u128(&sp->first);
  last = to_u128(&sp->last);
  CHECK(first <= last);
  CHECK(ref_size_ok(last - first, sp->first.family, flags));

  count = span_count(sp);
  CHECK(count == last - first + 1);
  span_nth(sp, 0, &a);
  CHECK(same_addr(&a, &sp->first));
  span_nth(sp, count - 1, &a);
  CHECK(same_addr(&a, &sp->last));
  CHECK(span_contains(sp, &sp->first) && span_contains(sp, &sp->last));
  if (first > 0) {
    from_u128(&a, sp->first.family, first - 1);
    CHECK(!span_contains(sp, &a));
  }
  if (last < (sp->first.family == 4 ? (u128)0xffffffffu : ~(u128)0)) {
    from_u128(&a, sp->first.family, last + 1);
    CHECK(!span_contains(sp, &a));
  }

  /* Round trips through the canonical text. */
  CHECK(addr_format(&sp->first, f) == strlen(f));
  CHECK(addr_format(&sp->last, l) == strlen(l));
  snprintf(text, sizeof text, "%s-%s", f, l);
  reparse(text, flags, sp);
  if (first == last) reparse(f, flags, sp);
  /* A power-of-two span aligned on its size is also a CIDR block. */
  if ((count & (count - 1)) == 0 && (first & (count - 1)) == 0 && count != 0) {
    int bits = sp->first.family == 4 ? 32 : 128, plen = bits;
    while (count > 1) count >>= 1, plen--;
    snprintf(text, sizeof text, "%s/%d", f, plen);
    reparse(text, flags, sp);
  }
}

static int parse_checked(const uint8_t *data, size_t size, unsigned flags, struct span *sp) {
  char err[1024], small[16];
  struct span ref, other;
  int r, rr;

  memset(err, 0x55, sizeof err);
  r = target_parse((const char *)data, size, sp, flags, err, sizeof err);
  CHECK(r == 0 || r == UV_EINVAL);
  rr = ref_target((const char *)data, size, flags, &ref);
  if (r != 0 && rr == 0) fprintf(stderr, "refused what the reference accepts: %s\n", err);
  CHECK((r == 0) == (rr == 0));

  /* Same verdict without an error buffer, and with a small one. */
  CHECK(target_parse((const char *)data, size, &other, flags, NULL, 0) == r);
  memset(small, 0x55, sizeof small);
  CHECK(target_parse((const char *)data, size, &other, flags, small, sizeof small) == r);
  CHECK(memchr(small, '\0', sizeof small) != NULL);

  if (r != 0) {
    check_error_text(err);
    CHECK(strncmp(small, err, strlen(small)) == 0);
    CHECK(strlen(small) == (strlen(err) < sizeof small ? strlen(err) : sizeof small - 1));
    return r;
  }
  CHECK(same_span(sp, &ref));
  CHECK(same_span(&other, sp));
  /* Accepted text is made only of target characters. */
  for (size_t i = 0; i < size; i++)
    CHECK(strchr("0123456789abcdefABCDEF.:/-", data[i]) != NULL && data[i] != '\0');
  CHECK(size <= TARGET_TEXT_MAX);
  check_span(sp, flags);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct span sp, huge;
  int r = parse_checked(data, size, 0, &sp);
  int rh = parse_checked(data, size, TARGET_ALLOW_HUGE, &huge);
  /* The override only ever widens what is accepted. */
  if (r == 0) {
    CHECK(rh == 0);
    CHECK(same_span(&sp, &huge));
  }
  return 0;
}
