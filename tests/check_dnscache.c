/* SPDX-License-Identifier: MIT */
/*
 * check_dnscache.c - the run's DNS answer cache (dnscache.h) and the TTL
 * reader it uses (dnsreply_ttl), on hand-assembled packets.  Time is a
 * number the test chooses; expectations follow dnscache.h by hand.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnscache.h"
#include "dnsreply.h"

#define S 1000000000ull /* one second in ns */
#define T_A 1
#define T_TXT 16

/* ---- packets ------------------------------------------------------------ */

#include "dnspkt.h"
static void begin(struct pkt *p, unsigned rcode, unsigned an, unsigned ns, const char *q) {
  p->n = 0;
  put16(p, 0x4242);
  put16(p, 0x8180 | rcode);
  put16(p, 1);
  put16(p, an);
  put16(p, ns);
  put16(p, 0);
  put_name(p, q);
  put16(p, T_A);
  put16(p, 1);
}
static void a_rr(struct pkt *p, uint32_t ttl, unsigned last_octet) {
  put16(p, 0xC00C); /* owner: the question name */
  put16(p, T_A);
  put16(p, 1);
  put32(p, ttl);
  put16(p, 4);
  put8(p, 127), put8(p, 0), put8(p, 0), put8(p, last_octet);
}
static void cname_rr(struct pkt *p, uint32_t ttl, const char *target) {
  put16(p, 0xC00C);
  put16(p, 5);
  put16(p, 1);
  put32(p, ttl);
  size_t at = p->n;
  put16(p, 0);
  put_name(p, target);
  p->b[at + 1] = (unsigned char)(p->n - at - 2);
}
static void soa_rr(struct pkt *p, uint32_t ttl, uint32_t minimum) {
  put_name(p, "example");
  put16(p, 6);
  put16(p, 1);
  put32(p, ttl);
  size_t at = p->n;
  put16(p, 0);
  put_name(p, "ns.example");
  put_name(p, "hostmaster.example");
  put32(p, 1), put32(p, 3600), put32(p, 600), put32(p, 86400), put32(p, minimum);
  p->b[at] = (unsigned char)((p->n - at - 2) >> 8);
  p->b[at + 1] = (unsigned char)(p->n - at - 2);
}

/* Positive A answer with the given TTLs (one record per TTL). */
static struct pkt positive(const char *q, uint32_t ttl1, uint32_t ttl2) {
  struct pkt p;
  begin(&p, 0, 2, 0, q);
  a_rr(&p, ttl1, 2);
  a_rr(&p, ttl2, 4);
  return p;
}
static struct pkt nxdomain(const char *q, uint32_t soa_ttl, uint32_t minimum) {
  struct pkt p;
  begin(&p, 3, 0, 1, q);
  soa_rr(&p, soa_ttl, minimum);
  return p;
}

/* ---- waiters ------------------------------------------------------------ */

struct row {
  struct dnscache_waiter w;
  int id;
  int calls;
  int status;
  size_t alen;
  unsigned char first; /* abuf[2], the packet's flags, as seen in the call */
};
static int order[16], norder;

static void on_answer(void *arg, int status, const unsigned char *abuf, size_t alen) {
  struct row *r = arg;
  r->calls++;
  r->status = status;
  r->alen = alen;
  r->first = abuf ? abuf[2] : 0;
  order[norder++] = r->id;
}

static struct dnscache *mk(size_t max_bytes, uint64_t max_ttl) {
  struct dnscache *c = NULL;
  ck_assert_int_eq(dnscache_new(&c, max_bytes, max_ttl), 0);
  norder = 0;
  return c;
}

/* ---- dnsreply_ttl -------------------------------------------------------- */

START_TEST(ttl_positive_min) {
  struct pkt p = positive("a.example", 300, 60);
  struct dnsreply_ttl t;
  ck_assert_int_eq(dnsreply_ttl(p.b, (int)p.n, &t), 0);
  ck_assert_uint_eq(t.answers, 2);
  ck_assert_uint_eq(t.answer_min, 60);
  ck_assert_int_eq(t.soa, 0);
  ck_assert_uint_eq(t.negative, 0);
}
END_TEST

START_TEST(ttl_negative_soa) {
  /* RFC 2308 section 5: the lower of the SOA's TTL and MINIMUM. */
  struct dnsreply_ttl t;
  struct pkt p = nxdomain("a.example", 3600, 900);
  ck_assert_int_eq(dnsreply_ttl(p.b, (int)p.n, &t), 0);
  ck_assert_int_eq(t.soa, 1);
  ck_assert_uint_eq(t.negative, 900);
  p = nxdomain("a.example", 120, 900);
  ck_assert_int_eq(dnsreply_ttl(p.b, (int)p.n, &t), 0);
  ck_assert_uint_eq(t.negative, 120);
}
END_TEST

START_TEST(ttl_top_bit_is_zero) {
  struct dnsreply_ttl t;
  struct pkt p = positive("a.example", 0x80000001u, 500);
  ck_assert_int_eq(dnsreply_ttl(p.b, (int)p.n, &t), 0);
  ck_assert_uint_eq(t.answer_min, 0);
}
END_TEST

START_TEST(ttl_malformed) {
  struct dnsreply_ttl t;
  struct pkt p = positive("a.example", 300, 60);
  unsigned char *cut = malloc(p.n - 3);
  memcpy(cut, p.b, p.n - 3);
  ck_assert_int_eq(dnsreply_ttl(cut, (int)p.n - 3, &t), -EBADMSG);
  ck_assert_uint_eq(t.answers, 0);
  ck_assert_int_eq(dnsreply_ttl(cut, 11, &t), -EBADMSG);
  ck_assert_int_eq(dnsreply_ttl(NULL, 0, &t), -EBADMSG);
  free(cut);
}
END_TEST

/* ---- the cache ----------------------------------------------------------- */

START_TEST(bad_params) {
  struct dnscache *c = NULL, *e0;
  struct dnscache_entry *e;
  ck_assert_int_eq(dnscache_new(&c, 0, S), -EINVAL);
  ck_assert_ptr_null(c);
  c = mk(1 << 20, 3600 * S);
  ck_assert_int_eq(dnscache_lookup(c, "", T_A, 0, &e), -EINVAL);
  ck_assert_int_eq(dnscache_lookup(c, NULL, T_A, 0, &e), -EINVAL);
  ck_assert_int_eq(dnscache_lookup(c, "x", -1, 0, &e), -EINVAL);
  ck_assert_int_eq(dnscache_lookup(c, "x", 65536, 0, &e), -EINVAL);
  char big[300];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  ck_assert_int_eq(dnscache_lookup(c, big, T_A, 0, &e), -ENAMETOOLONG);
  big[255] = '\0';
  ck_assert_int_eq(dnscache_lookup(c, big, T_A, 0, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_ERROR, NULL, 0, 0), 0);
  e0 = NULL;
  dnscache_free(e0);
  dnscache_free(c);
}
END_TEST

START_TEST(miss_pending_hit) {
  struct dnscache *c = mk(1 << 20, 3600 * S);
  struct dnscache_entry *e, *e2;
  struct row r1 = {.id = 1}, r2 = {.id = 2}, r3 = {.id = 3};
  struct pkt p = positive("a.example", 300, 300);

  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 0, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_wait(e, &r1.w, on_answer, &r1), 0);
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 1, &e2), DNSCACHE_PENDING);
  ck_assert_ptr_eq(e2, e);
  ck_assert_int_eq(dnscache_wait(e2, &r2.w, on_answer, &r2), 0);
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 2, &e2), DNSCACHE_PENDING);
  ck_assert_int_eq(dnscache_wait(e2, &r3.w, on_answer, &r3), 0);
  /* Another type is another key. */
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_TXT, 2, &e2), DNSCACHE_MISS);
  ck_assert_ptr_ne(e2, e);
  ck_assert_int_eq(dnscache_fill(c, e2, DNS_ERROR, NULL, 0, 2), 0);

  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 10), 0);
  /* Every waiter once, in the order attached, with the packet. */
  ck_assert_int_eq(norder, 3);
  ck_assert_int_eq(order[0], 1);
  ck_assert_int_eq(order[1], 2);
  ck_assert_int_eq(order[2], 3);
  ck_assert_int_eq(r1.calls + r2.calls + r3.calls, 3);
  ck_assert_int_eq(r2.status, DNS_OK);
  ck_assert_uint_eq(r3.alen, p.n);
  ck_assert_uint_eq(r3.first, 0x81);
  /* Filling twice is refused. */
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 11, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 10), -EINVAL);
  ck_assert_int_eq(dnscache_wait(e, &r1.w, on_answer, &r1), -EINVAL);

  ck_assert_int_eq(dnscache_entry_status(e), DNS_OK);
  size_t alen = 0;
  const unsigned char *ab = dnscache_entry_abuf(e, &alen);
  ck_assert_uint_eq(alen, p.n);
  ck_assert_int_eq(memcmp(ab, p.b, p.n), 0);
  ck_assert_uint_eq(dnscache_entry_expires(e), 10 + 300 * S);

  struct dnscache_stats st;
  dnscache_stats(c, &st);
  ck_assert_uint_eq(st.misses, 2);
  ck_assert_uint_eq(st.coalesced, 2);
  ck_assert_uint_eq(st.hits, 1);
  ck_assert_uint_eq(st.entries, 1);
  ck_assert_uint_eq(st.pending, 0);
  ck_assert_uint_eq(st.uncached, 1); /* the DNS_ERROR fill */
  ck_assert_uint_gt(st.bytes, p.n);
  dnscache_free(c);
}
END_TEST

START_TEST(case_and_trailing_dot) {
  struct dnscache *c = mk(1 << 20, 3600 * S);
  struct dnscache_entry *e;
  struct pkt p = positive("mixed.example", 60, 60);
  ck_assert_int_eq(dnscache_lookup(c, "MiXeD.Example.", T_A, 0, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_lookup(c, "mixed.EXAMPLE", T_A, 0, &e), DNSCACHE_PENDING);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 0), 0);
  ck_assert_int_eq(dnscache_lookup(c, "mixed.example", T_A, 1, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_lookup(c, "MIXED.EXAMPLE.", T_A, 1, &e), DNSCACHE_HIT);
  /* Only ASCII letters fold: another byte is another name. */
  ck_assert_int_eq(dnscache_lookup(c, "mixed-example", T_A, 1, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_ERROR, NULL, 0, 1), 0);
  dnscache_free(c);
}
END_TEST

START_TEST(ttl_expiry) {
  struct dnscache *c = mk(1 << 20, 3600 * S);
  struct dnscache_entry *e;
  struct pkt p = positive("a.example", 300, 30); /* the lower TTL counts */
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 100, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 100), 0);
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 100 + 30 * S - 1, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 100 + 30 * S, &e), DNSCACHE_MISS);
  struct dnscache_stats st;
  dnscache_stats(c, &st);
  ck_assert_uint_eq(st.expired, 1);
  ck_assert_uint_eq(st.entries, 1);
  ck_assert_uint_eq(st.pending, 1);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 200 * S), 0);
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 229 * S, &e), DNSCACHE_HIT);
  dnscache_free(c);
}
END_TEST

START_TEST(max_ttl_caps) {
  struct dnscache *c = mk(1 << 20, 10 * S);
  struct dnscache_entry *e;
  struct pkt p = positive("a.example", 86400, 86400);
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 0, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 0), 0);
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 10 * S - 1, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_lookup(c, "a.example", T_A, 10 * S, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_ERROR, NULL, 0, 10 * S), 0);
  dnscache_free(c);
}
END_TEST

START_TEST(negative_ttl) {
  struct dnscache *c = mk(1 << 20, 3600 * S);
  struct dnscache_entry *e;
  struct pkt p = nxdomain("gone.example", 3600, 900);
  ck_assert_int_eq(dnscache_lookup(c, "gone.example", T_A, 0, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_NXDOMAIN, p.b, p.n, 0), 0);
  ck_assert_int_eq(dnscache_lookup(c, "gone.example", T_A, 900 * S - 1, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_entry_status(e), DNS_NXDOMAIN);
  ck_assert_int_eq(dnscache_lookup(c, "gone.example", T_A, 900 * S, &e), DNSCACHE_MISS);

  /* NODATA after a CNAME with a shorter TTL than the SOA's: the CNAME's. */
  struct pkt q;
  begin(&q, 0, 1, 1, "gone.example");
  cname_rr(&q, 20, "other.example");
  soa_rr(&q, 3600, 900);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_NODATA, q.b, q.n, 1000 * S), 0);
  ck_assert_int_eq(dnscache_lookup(c, "gone.example", T_A, 1019 * S, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_entry_status(e), DNS_NODATA);
  ck_assert_int_eq(dnscache_lookup(c, "gone.example", T_A, 1020 * S, &e), DNSCACHE_MISS);

  /* A negative answer without SOA is delivered, not kept (RFC 2308 5). */
  struct row r = {.id = 1};
  begin(&q, 3, 0, 0, "gone.example");
  ck_assert_int_eq(dnscache_wait(e, &r.w, on_answer, &r), 0);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_NXDOMAIN, q.b, q.n, 2000 * S), 0);
  ck_assert_int_eq(r.calls, 1);
  ck_assert_int_eq(r.status, DNS_NXDOMAIN);
  ck_assert_int_eq(dnscache_lookup(c, "gone.example", T_A, 2000 * S, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_ERROR, NULL, 0, 2000 * S), 0);
  dnscache_free(c);
}
END_TEST

START_TEST(failures_briefly) {
  struct dnscache *c = mk(1 << 20, 3600 * S);
  struct dnscache_entry *e;
  static const int fails[] = {DNS_SERVFAIL, DNS_REFUSED, DNS_TIMEOUT, DNS_BADRESP};
  for (unsigned i = 0; i < 4; i++) {
    uint64_t t0 = (uint64_t)i * 100 * S;
    ck_assert_int_eq(dnscache_lookup(c, "f.example", T_A, t0, &e), DNSCACHE_MISS);
    ck_assert_int_eq(dnscache_fill(c, e, fails[i], NULL, 0, t0), 0);
    ck_assert_int_eq(dnscache_lookup(c, "f.example", T_A, t0 + 5 * S - 1, &e), DNSCACHE_HIT);
    ck_assert_int_eq(dnscache_entry_status(e), fails[i]);
    size_t alen = 99;
    ck_assert_ptr_null(dnscache_entry_abuf(e, &alen));
    ck_assert_uint_eq(alen, 0);
  }
  /* Our own failure is not kept: the next lookup queries again. */
  ck_assert_int_eq(dnscache_lookup(c, "e.example", T_A, 0, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_ERROR, NULL, 0, 0), 0);
  ck_assert_int_eq(dnscache_lookup(c, "e.example", T_A, 0, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, NULL, 0, 0), 0); /* OK without packet */
  ck_assert_int_eq(dnscache_lookup(c, "e.example", T_A, 0, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_ERROR, NULL, 0, 0), 0);
  dnscache_free(c);
}
END_TEST

START_TEST(eviction_lru_by_bytes) {
  char name[32];
  struct dnscache_entry *e;
  struct pkt p = positive("n0.example", 300, 300);
  /* Find one kept entry's cost, then allow exactly three. */
  struct dnscache *c = mk(1 << 20, 3600 * S);
  ck_assert_int_eq(dnscache_lookup(c, "n0.example", T_A, 0, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 0), 0);
  struct dnscache_stats st;
  dnscache_stats(c, &st);
  size_t one = st.bytes;
  dnscache_free(c);

  c = mk(3 * one, 3600 * S);
  for (int i = 0; i < 3; i++) {
    snprintf(name, sizeof name, "n%d.example", i);
    p = positive(name, 300, 300);
    ck_assert_int_eq(dnscache_lookup(c, name, T_A, 0, &e), DNSCACHE_MISS);
    ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 0), 0);
  }
  dnscache_stats(c, &st);
  ck_assert_uint_eq(st.bytes, 3 * one);
  ck_assert_uint_eq(st.evictions, 0);
  /* n0 used again: n1 is now the least recently used. */
  ck_assert_int_eq(dnscache_lookup(c, "n0.example", T_A, 1, &e), DNSCACHE_HIT);
  p = positive("n3.example", 300, 300);
  ck_assert_int_eq(dnscache_lookup(c, "n3.example", T_A, 1, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 1), 0);
  dnscache_stats(c, &st);
  ck_assert_uint_eq(st.evictions, 1);
  ck_assert_uint_le(st.bytes, 3 * one);
  ck_assert_int_eq(dnscache_lookup(c, "n0.example", T_A, 2, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_lookup(c, "n2.example", T_A, 2, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_lookup(c, "n3.example", T_A, 2, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_lookup(c, "n1.example", T_A, 2, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_ERROR, NULL, 0, 2), 0);

  /* An answer bigger than the whole cache is delivered, not kept. */
  struct row r = {.id = 7};
  struct pkt big;
  begin(&big, 0, 200, 0, "big.example");
  for (int i = 0; i < 200; i++) a_rr(&big, 300, (unsigned)i);
  ck_assert_int_eq(dnscache_lookup(c, "big.example", T_A, 3, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_wait(e, &r.w, on_answer, &r), 0);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, big.b, big.n, 3), 0);
  ck_assert_int_eq(r.calls, 1);
  ck_assert_uint_eq(r.alen, big.n);
  ck_assert_int_eq(dnscache_lookup(c, "n0.example", T_A, 4, &e), DNSCACHE_HIT);
  ck_assert_int_eq(dnscache_lookup(c, "big.example", T_A, 4, &e), DNSCACHE_MISS);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_ERROR, NULL, 0, 4), 0);
  dnscache_free(c);
}
END_TEST

START_TEST(pending_not_evicted) {
  char name[32];
  struct dnscache_entry *e, *pend[8];
  struct dnscache_stats st;
  struct pkt p;
  /* A cap smaller than the pending entries: they all stay. */
  struct dnscache *c = mk(64, 3600 * S);
  for (int i = 0; i < 8; i++) {
    snprintf(name, sizeof name, "p%d.example", i);
    ck_assert_int_eq(dnscache_lookup(c, name, T_A, 0, &pend[i]), DNSCACHE_MISS);
  }
  dnscache_stats(c, &st);
  ck_assert_uint_eq(st.pending, 8);
  ck_assert_uint_gt(st.bytes, 64);
  /* A fill that must evict finds nothing evictable but itself: the
   * answer is delivered; the other pending entries stay pending. */
  p = positive("p0.example", 300, 300);
  ck_assert_int_eq(dnscache_fill(c, pend[0], DNS_OK, p.b, p.n, 0), 0);
  for (int i = 1; i < 8; i++) {
    snprintf(name, sizeof name, "p%d.example", i);
    ck_assert_int_eq(dnscache_lookup(c, name, T_A, 0, &e), DNSCACHE_PENDING);
    ck_assert_ptr_eq(e, pend[i]);
  }
  for (int i = 1; i < 8; i++) ck_assert_int_eq(dnscache_fill(c, pend[i], DNS_ERROR, NULL, 0, 0), 0);
  dnscache_stats(c, &st);
  ck_assert_uint_eq(st.pending, 0);
  ck_assert_uint_le(st.bytes, 64);
  dnscache_free(c);
}
END_TEST

/* A waiter that looks the same key up again, and one that cancels the
 * next waiter: both during the fill's callbacks. */
static struct dnscache *g_cache;
static struct row *g_victim;
static struct dnscache_entry *g_entry;
static int g_relookup;
static void relookup(void *arg, int status, const unsigned char *abuf, size_t alen) {
  struct dnscache_entry *e;
  on_answer(arg, status, abuf, alen);
  g_relookup = dnscache_lookup(g_cache, "r.example", T_A, 5, &e);
  if (g_relookup == DNSCACHE_MISS) dnscache_fill(g_cache, e, DNS_ERROR, NULL, 0, 5);
}
static void canceller(void *arg, int status, const unsigned char *abuf, size_t alen) {
  on_answer(arg, status, abuf, alen);
  ck_assert_int_eq(dnscache_cancel_wait(g_entry, &g_victim->w), 0);
}

START_TEST(reentrant_callbacks) {
  struct dnscache *c = mk(1 << 20, 3600 * S);
  struct dnscache_entry *e;
  struct row r1 = {.id = 1}, r2 = {.id = 2}, r3 = {.id = 3};
  struct pkt p = positive("r.example", 60, 60);
  g_cache = c;

  ck_assert_int_eq(dnscache_lookup(c, "r.example", T_A, 0, &e), DNSCACHE_MISS);
  dnscache_wait(e, &r1.w, relookup, &r1);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 0), 0);
  ck_assert_int_eq(g_relookup, DNSCACHE_HIT); /* kept before the waiters run */

  /* Not kept: a lookup from a waiter misses (a fresh query). */
  ck_assert_int_eq(dnscache_lookup(c, "r.example", T_A, 61 * S, &e), DNSCACHE_MISS);
  dnscache_wait(e, &r1.w, relookup, &r1);
  ck_assert_int_eq(dnscache_fill(c, e, DNS_ERROR, NULL, 0, 61 * S), 0);
  ck_assert_int_eq(g_relookup, DNSCACHE_MISS);

  /* Cancelling: before the fill, and from a callback. */
  norder = 0;
  ck_assert_int_eq(dnscache_lookup(c, "x.example", T_A, 0, &e), DNSCACHE_MISS);
  g_entry = e;
  g_victim = &r3;
  dnscache_wait(e, &r1.w, on_answer, &r1);
  dnscache_wait(e, &r2.w, canceller, &r2);
  dnscache_wait(e, &r3.w, on_answer, &r3);
  struct row r4 = {.id = 4};
  dnscache_wait(e, &r4.w, on_answer, &r4);
  ck_assert_int_eq(dnscache_cancel_wait(e, &r1.w), 0);
  ck_assert_int_eq(dnscache_cancel_wait(e, &r1.w), -ENOENT);
  r3.calls = 0;
  ck_assert_int_eq(dnscache_fill(c, e, DNS_SERVFAIL, NULL, 0, 0), 0);
  ck_assert_int_eq(norder, 2);
  ck_assert_int_eq(order[0], 2);
  ck_assert_int_eq(order[1], 4);
  ck_assert_int_eq(r3.calls, 0);
  dnscache_free(c);
}
END_TEST

START_TEST(many_keys_grow) {
  /* More entries than the initial buckets: all still found. */
  char name[32];
  struct dnscache_entry *e;
  struct dnscache *c = mk(1 << 24, 3600 * S);
  for (int i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "k%d.example", i);
    struct pkt p = positive(name, 300, 300);
    ck_assert_int_eq(dnscache_lookup(c, name, T_A, 0, &e), DNSCACHE_MISS);
    ck_assert_int_eq(dnscache_fill(c, e, DNS_OK, p.b, p.n, 0), 0);
  }
  for (int i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "K%d.EXAMPLE", i);
    ck_assert_int_eq(dnscache_lookup(c, name, T_A, 1, &e), DNSCACHE_HIT);
  }
  struct dnscache_stats st;
  dnscache_stats(c, &st);
  ck_assert_uint_eq(st.entries, 1000);
  ck_assert_uint_eq(st.hits, 1000);
  dnscache_free(c);
}
END_TEST

Suite *dnscache_suite(void) {
  Suite *s = suite_create("dnscache");
  TCase *t = tcase_create("core");
  tcase_add_test(t, ttl_positive_min);
  tcase_add_test(t, ttl_negative_soa);
  tcase_add_test(t, ttl_top_bit_is_zero);
  tcase_add_test(t, ttl_malformed);
  tcase_add_test(t, bad_params);
  tcase_add_test(t, miss_pending_hit);
  tcase_add_test(t, case_and_trailing_dot);
  tcase_add_test(t, ttl_expiry);
  tcase_add_test(t, max_ttl_caps);
  tcase_add_test(t, negative_ttl);
  tcase_add_test(t, failures_briefly);
  tcase_add_test(t, eviction_lru_by_bytes);
  tcase_add_test(t, pending_not_evicted);
  tcase_add_test(t, reentrant_callbacks);
  tcase_add_test(t, many_keys_grow);
  suite_add_tcase(s, t);
  return s;
}
