/* SPDX-License-Identifier: MIT */
/*
 * dmarc.c - DMARC record discovery and parsing.  The rules are in dmarc.h;
 * the syntax is RFC 7489 section 6.4.
 */
#include "dmarc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int wsp(char c) { return c == ' ' || c == '\t'; }
static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

/* Case-insensitive equality of s[len] with the lower-case word w. */
static int word_is(const char *s, size_t len, const char *w) {
  size_t wl = strlen(w);
  if (len != wl) return 0;
  for (size_t i = 0; i < len; i++)
    if (lower(s[i]) != w[i]) return 0;
  return 1;
}

/* Offset just past "v *WSP = *WSP DMARC1 *WSP" when txt starts so and
 * then ends or has ';'; 0 otherwise. */
static size_t version_end(const char *t, size_t len) {
  size_t i = 0;
  if (len == 0 || lower(t[0]) != 'v') return 0;
  i = 1;
  while (i < len && wsp(t[i])) i++;
  if (i >= len || t[i] != '=') return 0;
  i++;
  while (i < len && wsp(t[i])) i++;
  if (len - i < 6 || memcmp(t + i, "DMARC1", 6) != 0) return 0;
  i += 6;
  while (i < len && wsp(t[i])) i++;
  if (i < len && t[i] != ';') return 0;
  return i;
}

int dmarc_is_record(const char *txt, size_t len) { return version_end(txt, len) != 0; }

static int policy_of(const char *v, size_t len, enum dmarc_policy *p) {
  if (word_is(v, len, "none")) *p = DMARC_P_NONE;
  else if (word_is(v, len, "quarantine")) *p = DMARC_P_QUARANTINE;
  else if (word_is(v, len, "reject")) *p = DMARC_P_REJECT;
  else return -1;
  return 0;
}

/* A value shown in a reason: at most 20 bytes, printable ASCII kept,
 * anything else as '?' (the reason goes into a report cell). */
static void show(char *dst, size_t size, const char *v, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len && n + 1 < size && i < 20; i++)
    dst[n++] = (v[i] > 0x20 && v[i] < 0x7f) ? v[i] : '?';
  if (len > 20 && n + 4 < size) {
    memcpy(dst + n, "...", 3);
    n += 3;
  }
  dst[n] = '\0';
}

/* rua = dmarc-uri *(*WSP "," *WSP dmarc-uri); a URI is valid enough when
 * it has a scheme (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), RFC 3986
 * section 3.1) and something after the ':'. */
static int rua_has_valid(const char *v, size_t len) {
  size_t s = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && v[i] != ',') continue;
    size_t a = s, b = i;
    while (a < b && wsp(v[a])) a++;
    while (b > a && wsp(v[b - 1])) b--;
    const char *colon = memchr(v + a, ':', b - a);
    if (colon && colon > v + a && (size_t)(colon - v) + 1 < b) {
      int ok = (lower(v[a]) >= 'a' && lower(v[a]) <= 'z');
      for (const char *c = v + a + 1; ok && c < colon; c++)
        ok = (lower(*c) >= 'a' && lower(*c) <= 'z') || (*c >= '0' && *c <= '9') || *c == '+' ||
             *c == '-' || *c == '.';
      if (ok) return 1;
    }
    s = i + 1;
  }
  return 0;
}

static int fail(struct dmarc_record *r, const char *fmt, const char *a, const char *b) {
  r->valid = 0;
  snprintf(r->reason, sizeof r->reason, fmt, a, b);
  return -EINVAL;
}

int dmarc_parse(const char *txt, size_t len, struct dmarc_record *r) {
  memset(r, 0, sizeof *r);
  r->pct = 100;
  r->adkim = r->aspf = 'r';
  size_t i = version_end(txt, len);
  if (i == 0) return fail(r, "not a v=DMARC1 record%s%s", "", "");
  int have_p = 0, p_bad = 0, sp_bad = 0;
  char pbad[32] = "", spbad[32] = "";
  /* Tags seen: a bit per known name, to refuse one given twice. */
  static const char *const known[] = {"v", "p", "sp", "pct", "adkim", "aspf",
                                      "rua", "ruf", "fo", "rf", "ri"};
  unsigned seen = 1; /* v */
  while (i < len) {
    /* i is at ';' (or past the version); take the next part. */
    if (txt[i] == ';') i++;
    size_t s = i;
    while (i < len && txt[i] != ';') i++;
    size_t a = s, b = i;
    while (a < b && wsp(txt[a])) a++;
    while (b > a && wsp(txt[b - 1])) b--;
    if (a == b) continue; /* empty part */
    const char *eq = memchr(txt + a, '=', b - a);
    char shown[32];
    if (!eq) {
      show(shown, sizeof shown, txt + a, b - a);
      return fail(r, "a tag without '=': %s%s", shown, "");
    }
    size_t ne = (size_t)(eq - txt);
    while (ne > a && wsp(txt[ne - 1])) ne--;
    size_t vs = (size_t)(eq - txt) + 1;
    while (vs < b && wsp(txt[vs])) vs++;
    const char *name = txt + a, *val = txt + vs;
    size_t nl = ne - a, vl = b - vs;
    if (nl == 0) return fail(r, "a tag without a name%s%s", "", "");
    for (unsigned k = 0; k < sizeof known / sizeof known[0]; k++)
      if (word_is(name, nl, known[k])) {
        if (seen & (1u << k)) return fail(r, "the tag %s is given twice%s", known[k], "");
        seen |= 1u << k;
      }
    if (word_is(name, nl, "p")) {
      have_p = 1;
      if (policy_of(val, vl, &r->p) < 0) {
        p_bad = 1;
        show(pbad, sizeof pbad, val, vl);
      }
    } else if (word_is(name, nl, "sp")) {
      r->has_sp = 1;
      if (policy_of(val, vl, &r->sp) < 0) {
        sp_bad = 1;
        show(spbad, sizeof spbad, val, vl);
      }
    } else if (word_is(name, nl, "pct")) {
      unsigned v = 0;
      size_t k = 0;
      for (; k < vl && k < 3 && val[k] >= '0' && val[k] <= '9'; k++) v = v * 10 + (unsigned)(val[k] - '0');
      if (k > 0 && k == vl && v <= 100) {
        r->pct = v;
        r->has_pct = 1;
      }
    } else if (word_is(name, nl, "adkim") || word_is(name, nl, "aspf")) {
      char *dst = lower(name[1]) == 'd' ? &r->adkim : &r->aspf;
      if (vl == 1 && (lower(val[0]) == 'r' || lower(val[0]) == 's')) *dst = lower(val[0]);
    } else if (word_is(name, nl, "rua")) {
      r->rua_valid = rua_has_valid(val, vl);
    }
  }
  if (!have_p) return fail(r, "no p tag%s%s", "", "");
  if (p_bad) return fail(r, "p=%s is not none, quarantine or reject%s", pbad, "");
  if (sp_bad) return fail(r, "sp=%s is not none, quarantine or reject%s", spbad, "");
  if (!r->has_sp) r->sp = r->p;
  r->valid = 1;
  return 0;
}

size_t dmarc_select(const char *const *txts, const size_t *lens, size_t n,
                    struct dmarc_record *r) {
  size_t count = 0, which = 0;
  for (size_t i = 0; i < n; i++)
    if (dmarc_is_record(txts[i], lens[i])) {
      if (count++ == 0) which = i;
    }
  memset(r, 0, sizeof *r);
  if (count == 1) dmarc_parse(txts[which], lens[which], r);
  return count;
}

void dmarc_result(const struct dmarc_record *r, size_t records, int from_org,
                  struct dmarc_result *out) {
  memset(out, 0, sizeof *out);
  out->records = records;
  out->from_org = from_org;
  if (records != 1) {
    out->state = DMARC_NONE;
    return;
  }
  out->rec = *r;
  if (!r->valid) {
    out->state = DMARC_INVALID;
    out->applied = DMARC_P_NONE;
    return;
  }
  out->state = DMARC_POLICY;
  out->applied = from_org ? r->sp : r->p;
}

const char *dmarc_policy_name(enum dmarc_policy p) {
  switch (p) {
  case DMARC_P_NONE: return "none";
  case DMARC_P_QUARANTINE: return "quarantine";
  case DMARC_P_REJECT: return "reject";
  }
  return "?";
}

int dmarc_cell_format(char *dst, size_t size, const struct dmarc_result *res) {
  int n;
  if (size == 0) return -ENOSPC;
  switch (res->state) {
  case DMARC_NONE:
    if (res->records > 1) n = snprintf(dst, size, "none: %zu records", res->records);
    else n = snprintf(dst, size, "none");
    break;
  case DMARC_INVALID:
    n = snprintf(dst, size, "invalid: %s%s", res->rec.reason,
                 res->rec.rua_valid ? " (acts as p=none)" : "");
    break;
  default: {
    const struct dmarc_record *r = &res->rec;
    char sp[20] = "", pct[12] = "";
    if (r->has_sp && r->sp != r->p) snprintf(sp, sizeof sp, " sp=%s", dmarc_policy_name(r->sp));
    if (r->has_pct && r->pct != 100) snprintf(pct, sizeof pct, " pct=%u", r->pct);
    n = snprintf(dst, size, "p=%s%s%s", dmarc_policy_name(r->p), sp, pct);
  }
  }
  if (n < 0 || (size_t)n >= size) {
    dst[0] = '\0';
    return -ENOSPC;
  }
  return n;
}
