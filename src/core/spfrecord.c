/* SPDX-License-Identifier: MIT */
/*
 * spfrecord.c - SPF record selection and term syntax, RFC 7208.  Contract
 * and grammar in spfrecord.h.
 */
#include "spfrecord.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "spfmacro.h"

static int is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int ieq(const char *a, size_t alen, const char *b) {
  size_t n = strlen(b);
  if (alen != n) return 0;
  for (size_t i = 0; i < n; i++)
    if ((a[i] | 0x20) != b[i]) return 0;
  return 1;
}

int spf_record_is_spf(const char *txt, size_t len) {
  if (len < 6 || !ieq(txt, 6, "v=spf1")) return 0;
  return len == 6 || txt[6] == ' ';
}

int spf_record_next(const char *rec, size_t len, size_t *pos, const char **tok, size_t *toklen) {
  size_t p = *pos;
  if (p == 0) p = len < 6 ? len : 6; /* the version */
  while (p < len && rec[p] == ' ') p++;
  if (p >= len) {
    *pos = len;
    return 0;
  }
  size_t s = p;
  while (p < len && rec[p] != ' ') p++;
  *tok = rec + s;
  *toklen = p - s;
  *pos = p;
  return 1;
}

/* A prefix length s[0..n) by the ABNF: "0", or 1..max_digits digits not
 * starting with 0; value <= max.  Returns it or -1. */
static int cidr_value(const char *s, size_t n, size_t max_digits, int max) {
  if (n == 0 || n > max_digits) return -1;
  if (s[0] == '0' && n > 1) return -1;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!is_digit((unsigned char)s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v <= max ? v : -1;
}

/* Split a trailing dual-cidr-length off s[0..*n): sets cidr4/cidr6 and
 * shortens *n.  Returns 0, or -1 for a malformed length. */
static int dual_cidr(const char *s, size_t *n, int *c4, int *c6) {
  size_t e = *n, d = e;
  while (d > 0 && is_digit((unsigned char)s[d - 1])) d--;
  if (d == e || d == 0 || s[d - 1] != '/') return 0; /* no length */
  if (d >= 2 && s[d - 2] == '/') {
    if ((*c6 = cidr_value(s + d, e - d, 3, 128)) < 0) return -1;
    e = d - 2;
    d = e;
    while (d > 0 && is_digit((unsigned char)s[d - 1])) d--;
    if (d == e || d == 0 || s[d - 1] != '/') {
      *n = e;
      return 0;
    }
  }
  if ((*c4 = cidr_value(s + d, e - d, 2, 32)) < 0) return -1;
  *n = d - 1;
  return 0;
}

static int fail(char *err, size_t errlen, const char *why) {
  return err_set(err, errlen, -EINVAL, "%s", why);
}

/* [":" domain-spec] for a, mx and ptr; ":" domain-spec for include and
 * exists (need = 1). */
static int take_spec(const char *r, size_t n, int need, struct spf_term *t, char *err,
                     size_t errlen) {
  if (n == 0) {
    if (need) return fail(err, errlen, "domain required");
    return 0;
  }
  if (r[0] != ':') return fail(err, errlen, "unexpected text after the mechanism name");
  t->spec = r + 1;
  t->speclen = n - 1;
  if (spf_macro_check_domain(t->spec, t->speclen, NULL) < 0)
    return fail(err, errlen, "invalid domain-spec");
  return 0;
}

static int take_ip(const char *r, size_t n, int family, struct spf_term *t, char *err,
                   size_t errlen) {
  if (n == 0 || r[0] != ':') return fail(err, errlen, "network required");
  r++;
  n--;
  size_t slash = n;
  for (size_t i = 0; i < n; i++)
    if (r[i] == '/') {
      slash = i;
      break;
    }
  if (slash < n) {
    int v = family == 4 ? cidr_value(r + slash + 1, n - slash - 1, 2, 32)
                        : cidr_value(r + slash + 1, n - slash - 1, 3, 128);
    if (v < 0) return fail(err, errlen, "bad prefix length");
    if (family == 4) t->cidr4 = v;
    else t->cidr6 = v;
  }
  if (addr_parse(&t->net, r, slash) < 0 || t->net.family != family)
    return fail(err, errlen, family == 4 ? "bad ip4 network" : "bad ip6 network");
  return 0;
}

int spf_term_parse(const char *tok, size_t len, struct spf_term *t, char *err, size_t errlen) {
  memset(t, 0, sizeof *t);
  t->qualifier = '+';
  t->cidr4 = 32;
  t->cidr6 = 128;

  /* A modifier: name "=" ... */
  size_t p = 0;
  if (len && is_alpha((unsigned char)tok[0])) {
    while (p < len && (is_alpha((unsigned char)tok[p]) || is_digit((unsigned char)tok[p]) ||
                       tok[p] == '-' || tok[p] == '_' || tok[p] == '.'))
      p++;
    if (p < len && tok[p] == '=') {
      t->spec = tok + p + 1;
      t->speclen = len - p - 1;
      if (ieq(tok, p, "redirect") || ieq(tok, p, "exp")) {
        t->kind = ieq(tok, p, "exp") ? SPF_T_EXP : SPF_T_REDIRECT;
        if (spf_macro_check_domain(t->spec, t->speclen, NULL) < 0)
          return fail(err, errlen, "invalid domain-spec");
        return 0;
      }
      t->kind = SPF_T_UNKNOWN_MOD;
      if (spf_macro_check(t->spec, t->speclen, 0, NULL) < 0)
        return fail(err, errlen, "invalid macro-string");
      return 0;
    }
  }

  /* A directive. */
  p = 0;
  if (len && strchr("+-~?", tok[0]) && tok[0]) t->qualifier = tok[p++];
  size_t ns = p;
  while (p < len && (is_alpha((unsigned char)tok[p]) || is_digit((unsigned char)tok[p]))) p++;
  const char *name = tok + ns, *r = tok + p;
  size_t nl = p - ns, rn = len - p;
  if (ieq(name, nl, "all")) {
    t->kind = SPF_T_ALL;
    return rn ? fail(err, errlen, "text after all") : 0;
  }
  if (ieq(name, nl, "include")) {
    t->kind = SPF_T_INCLUDE;
    return take_spec(r, rn, 1, t, err, errlen);
  }
  if (ieq(name, nl, "exists")) {
    t->kind = SPF_T_EXISTS;
    return take_spec(r, rn, 1, t, err, errlen);
  }
  if (ieq(name, nl, "ptr")) {
    t->kind = SPF_T_PTR;
    return take_spec(r, rn, 0, t, err, errlen);
  }
  if (ieq(name, nl, "a") || ieq(name, nl, "mx")) {
    t->kind = ieq(name, nl, "a") ? SPF_T_A : SPF_T_MX;
    size_t n = rn;
    if (dual_cidr(r, &n, &t->cidr4, &t->cidr6) < 0)
      return fail(err, errlen, "bad prefix length");
    return take_spec(r, n, 0, t, err, errlen);
  }
  if (ieq(name, nl, "ip4")) {
    t->kind = SPF_T_IP4;
    return take_ip(r, rn, 4, t, err, errlen);
  }
  if (ieq(name, nl, "ip6")) {
    t->kind = SPF_T_IP6;
    return take_ip(r, rn, 6, t, err, errlen);
  }
  return fail(err, errlen, "unknown mechanism");
}

int spf_record_check(const char *rec, size_t len, struct spf_record_info *info, char *err,
                     size_t errlen) {
  size_t pos = 0, tl;
  const char *tok;
  struct spf_term t;
  char why[64];
  info->redirect = info->exp = SIZE_MAX;
  info->has_all = 0;
  info->terms = 0;
  while (spf_record_next(rec, len, &pos, &tok, &tl)) {
    info->terms++;
    if (spf_term_parse(tok, tl, &t, why, sizeof why) < 0)
      return err_set(err, errlen, -EINVAL, "syntax error at '%.*s': %s", (int)(tl > 64 ? 64 : tl),
                     tok, why);
    size_t off = (size_t)(tok - rec);
    if (t.kind == SPF_T_ALL) info->has_all = 1;
    if (t.kind == SPF_T_REDIRECT) {
      if (info->redirect != SIZE_MAX)
        return err_set(err, errlen, -EINVAL, "syntax error: redirect twice");
      info->redirect = off;
    }
    if (t.kind == SPF_T_EXP) {
      if (info->exp != SIZE_MAX) return err_set(err, errlen, -EINVAL, "syntax error: exp twice");
      info->exp = off;
    }
  }
  return 0;
}

int spf_domain_ok(const char *d) {
  size_t n = strlen(d), lab = 0, labels = 0, last = 0;
  if (n && d[n - 1] == '.') n--;
  if (n == 0 || n > SPF_DOMAIN_MAX) return 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || d[i] == '.') {
      if (lab == 0 || lab > 63) return 0;
      labels++;
      last = i - lab;
      lab = 0;
    } else {
      unsigned char c = (unsigned char)d[i];
      if (c <= 0x20 || c >= 0x7f) return 0;
      lab++;
    }
  }
  if (labels < 2) return 0;
  /* toplabel, as in spfmacro.c's domain-end rule */
  int alpha = 0, dash = 0;
  for (size_t i = last; i < n; i++) {
    unsigned char c = (unsigned char)d[i];
    if (c == '-') dash = 1;
    else if (is_alpha(c)) alpha = 1;
    else if (!is_digit(c)) return 0;
  }
  if (!dash) return alpha;
  return d[last] != '-' && d[n - 1] != '-';
}
