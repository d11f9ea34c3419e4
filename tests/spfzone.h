/* SPDX-License-Identifier: MIT */
/*
 * spfzone.h - an in-memory DNS for the SPF tests (check_spf.c,
 * check_spfsuite.c): zone data as the openspf test suite describes it
 * (tests/spf/README.md), answers built as wire-format reply packets, and
 * the loop that drives an evaluation (spf_pending -> answer -> spf_answer)
 * the way the scan will, so the engine is tested through spf_answer's
 * packet path.  Header-only (static inline): the Makefile links only
 * tests/check_*.c into the runner.
 *
 * Resolver behaviour modelled:
 *  - names compare case-insensitively, a trailing dot is ignored;
 *  - a CNAME is followed (its record goes into the answer, as a recursive
 *    resolver sends it); a loop or more than 8 hops is SERVFAIL;
 *  - no name -> NXDOMAIN; a name without records of the type -> NODATA;
 *  - TXT: the name's TXT records; a name without TXT records serves its
 *    SPF (type 99) records as TXT (the suite's drivers do this: "auto-magic
 *    duplication"); TXT "NONE" means "no TXT record" and stops that;
 *  - TIMEOUT: a query for a type the name has no records of (after the
 *    rules above) never gets an answer (DNS_TIMEOUT, no packet).
 */
#ifndef PTRAUDIT_TESTS_SPFZONE_H
#define PTRAUDIT_TESTS_SPFZONE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "spf.h"
#include "status.h"

#define ZT_CNAME 5
#define ZT_SPF 99
#define ZT_TIMEOUT (-1)
#define ZT_TXT_NONE (-2)
#define ZONE_MAX 256

struct zrr {
  char name[256];
  int type;
  unsigned char rdata[2048];
  size_t rdlen;
};

struct zone {
  struct zrr rr[ZONE_MAX];
  size_t n;
};

static inline struct zrr *zone_new_rr(struct zone *z, const char *name, int type) {
  ck_assert_uint_lt(z->n, ZONE_MAX);
  struct zrr *r = &z->rr[z->n++];
  size_t l = strlen(name);
  if (l && name[l - 1] == '.') l--;
  ck_assert_uint_lt(l, sizeof r->name);
  memcpy(r->name, name, l);
  r->name[l] = '\0';
  r->type = type;
  r->rdlen = 0;
  return r;
}

/* A name in uncompressed wire form (raw bytes between dots). */
static inline size_t zone_wire_name(const char *name, unsigned char *out) {
  size_t n = 0, l = strlen(name);
  if (l && name[l - 1] == '.') l--;
  size_t i = 0;
  while (i < l) {
    size_t s = i;
    while (i < l && name[i] != '.') i++;
    out[n++] = (unsigned char)(i - s);
    memcpy(out + n, name + s, i - s);
    n += i - s;
    if (i < l) i++;
  }
  out[n++] = 0;
  return n;
}

/* TXT or SPF record of `n` strings (bytes, lens[i] long); a string over
 * 255 bytes is split, as a zone file would have to. */
static inline void zone_txt(struct zone *z, const char *name, int type, size_t n,
                            const char *const *s, const size_t *lens) {
  struct zrr *r = zone_new_rr(z, name, type);
  for (size_t i = 0; i < n; i++) {
    size_t off = 0;
    do {
      size_t c = lens[i] - off > 255 ? 255 : lens[i] - off;
      ck_assert_uint_lt(r->rdlen + 1 + c, sizeof r->rdata);
      r->rdata[r->rdlen++] = (unsigned char)c;
      memcpy(r->rdata + r->rdlen, s[i] + off, c);
      r->rdlen += c;
      off += c;
    } while (off < lens[i]);
  }
}

static inline void zone_txt1(struct zone *z, const char *name, const char *text) {
  size_t l = strlen(text);
  zone_txt(z, name, SPF_Q_TXT, 1, &text, &l);
}

static inline void zone_addr(struct zone *z, const char *name, const char *text) {
  struct addr a;
  ck_assert_int_eq(addr_parse(&a, text, strlen(text)), 0);
  struct zrr *r = zone_new_rr(z, name, a.family == 4 ? SPF_Q_A : SPF_Q_AAAA);
  r->rdlen = a.family == 4 ? 4 : 16;
  memcpy(r->rdata, a.b, r->rdlen);
}

static inline void zone_mx(struct zone *z, const char *name, unsigned pref, const char *target) {
  struct zrr *r = zone_new_rr(z, name, SPF_Q_MX);
  r->rdata[0] = (unsigned char)(pref >> 8);
  r->rdata[1] = (unsigned char)pref;
  r->rdlen = 2 + zone_wire_name(target, r->rdata + 2);
}

static inline void zone_name_rr(struct zone *z, const char *name, int type, const char *target) {
  struct zrr *r = zone_new_rr(z, name, type);
  r->rdlen = zone_wire_name(target, r->rdata);
}

static inline void zone_timeout(struct zone *z, const char *name) {
  zone_new_rr(z, name, ZT_TIMEOUT);
}

static inline int zone_eq(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la && a[la - 1] == '.') la--;
  if (lb && b[lb - 1] == '.') lb--;
  return la == lb && strncasecmp(a, b, la) == 0;
}

/* Records of `type` at `name` as served (TXT rules above) into idx[];
 * returns how many; *exists says whether the name has any entry,
 * *timeout whether it has TIMEOUT. */
static inline size_t zone_find(const struct zone *z, const char *name, int type, size_t *idx,
                               int *exists, int *timeout) {
  size_t n = 0;
  int txt_entries = 0;
  *exists = *timeout = 0;
  for (size_t i = 0; i < z->n; i++) {
    if (!zone_eq(z->rr[i].name, name)) continue;
    *exists = 1;
    if (z->rr[i].type == ZT_TIMEOUT) *timeout = 1;
    if (z->rr[i].type == SPF_Q_TXT || z->rr[i].type == ZT_TXT_NONE) txt_entries = 1;
    if (z->rr[i].type == type) idx[n++] = i;
  }
  if (type == SPF_Q_TXT && !txt_entries)
    for (size_t i = 0; i < z->n; i++)
      if (zone_eq(z->rr[i].name, name) && z->rr[i].type == ZT_SPF) idx[n++] = i;
  return n;
}

static inline void zput16(unsigned char *p, size_t *n, unsigned v) {
  p[(*n)++] = (unsigned char)(v >> 8);
  p[(*n)++] = (unsigned char)v;
}

static inline void zput_rr(unsigned char *p, size_t *n, const char *owner, unsigned type,
                           const unsigned char *rd, size_t rdlen) {
  *n += zone_wire_name(owner, p + *n);
  zput16(p, n, type);
  zput16(p, n, 1);
  zput16(p, n, 0);
  zput16(p, n, 300);
  zput16(p, n, (unsigned)rdlen);
  memcpy(p + *n, rd, rdlen);
  *n += rdlen;
}

/* The reply to (qname, qtype) into pkt (65536 bytes).  Returns DNS_OK with
 * *len set, or DNS_TIMEOUT (no packet). */
static inline int zone_answer(const struct zone *z, unsigned id, const char *qname, int qtype,
                              unsigned char *pkt, size_t *len) {
  size_t idx[ZONE_MAX], n = 0, an = 0;
  char chain[10][256];
  int nchain = 0, exists, timeout, rcode = 0;
  unsigned char body[65536];
  size_t bl = 0;
  snprintf(chain[nchain++], sizeof chain[0], "%s", qname);
  for (;;) {
    const char *cur = chain[nchain - 1];
    size_t k = zone_find(z, cur, qtype, idx, &exists, &timeout);
    if (k == 0 && timeout) return DNS_TIMEOUT;
    if (k > 0) {
      for (size_t i = 0; i < k; i++, an++) {
        const struct zrr *r = &z->rr[idx[i]];
        zput_rr(body, &bl, cur, (unsigned)qtype, r->rdata, r->rdlen);
      }
      break;
    }
    size_t c[ZONE_MAX];
    size_t kc = zone_find(z, cur, ZT_CNAME, c, &exists, &timeout);
    if (kc == 0) {
      if (!exists) rcode = 3;
      break;
    }
    const struct zrr *r = &z->rr[c[0]];
    zput_rr(body, &bl, cur, ZT_CNAME, r->rdata, r->rdlen);
    an++;
    /* The target's text form: labels joined by dots. */
    char t[256];
    size_t tn = 0;
    for (size_t p = 0; r->rdata[p];) {
      size_t l = r->rdata[p++];
      if (tn) t[tn++] = '.';
      memcpy(t + tn, r->rdata + p, l);
      tn += l;
      p += l;
    }
    t[tn] = '\0';
    for (int i = 0; i < nchain; i++)
      if (zone_eq(chain[i], t) || nchain == 9) {
        rcode = 2; /* a resolver gives up on a loop */
        an = 0;
        bl = 0;
        goto out;
      }
    snprintf(chain[nchain++], sizeof chain[0], "%s", t);
  }
out:
  n = 0;
  zput16(pkt, &n, id & 0xffff);
  zput16(pkt, &n, 0x8180u | (unsigned)rcode);
  zput16(pkt, &n, 1);
  zput16(pkt, &n, (unsigned)an);
  zput16(pkt, &n, 0);
  zput16(pkt, &n, 0);
  n += zone_wire_name(qname, pkt + n);
  zput16(pkt, &n, (unsigned)qtype);
  zput16(pkt, &n, 1);
  memcpy(pkt + n, body, bl);
  *len = n + bl;
  return DNS_OK;
}

/* What one drive gives back. */
struct spf_out {
  char detail[SPF_DETAIL_MAX];
  char exp[SPF_EXP_MAX];
  int has_exp;
  unsigned queries, rounds, lookups, voids;
};

/*
 * Evaluate (host, mailfrom, helo) against the zone.  Each round answers
 * every pending question, last first (answers may come in any order).
 * Returns the result; fills *o.  Fails the test if the evaluation stalls
 * or never ends.
 */
static inline enum spf_result spf_drive(const struct zone *z, const char *host,
                                        const char *mailfrom, const char *helo,
                                        struct spf_out *o) {
  struct addr ip;
  struct spf *e;
  char err[128];
  static unsigned char pkt[65536 + 512];
  memset(o, 0, sizeof *o);
  ck_assert_int_eq(addr_parse(&ip, host, strlen(host)), 0);
  ck_assert_int_eq(spf_new(&e, &ip, mailfrom, helo, err, sizeof err), 0);
  spf_set_context(e, "receiver.example.org", 1400000000);
  for (int round = 0; !spf_done(e); round++) {
    struct spf_query q[SPF_QUERIES_MAX];
    size_t n = spf_pending(e, q, SPF_QUERIES_MAX);
    ck_assert_msg(n > 0, "evaluation stalled");
    ck_assert_int_lt(round, 1000);
    o->queries += (unsigned)n;
    o->rounds++;
    for (size_t i = n; i-- > 0;) {
      size_t len = 0;
      int st = zone_answer(z, q[i].id, q[i].name, q[i].type, pkt, &len);
      if (st == DNS_TIMEOUT) spf_answer(e, q[i].id, DNS_TIMEOUT, NULL, 0);
      else spf_answer(e, q[i].id, DNS_OK, pkt, len);
    }
  }
  enum spf_result r = spf_result(e, o->detail, sizeof o->detail);
  const char *x = spf_explanation(e);
  o->has_exp = x != NULL;
  snprintf(o->exp, sizeof o->exp, "%s", x ? x : "");
  spf_counts(e, &o->lookups, &o->voids);
  spf_free(e);
  return r;
}

#endif
