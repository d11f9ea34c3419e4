/* SPDX-License-Identifier: MIT */
/*
 * check_dnsreply.c - the DNS reply parser on hand-assembled packets.
 * Every packet is copied into a heap buffer of exactly its length before
 * parsing, so ASan catches a read one byte past the end.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsreply.h"
#include "verdict.h"

/* ---- packet builder ----------------------------------------------------- */

struct pkt {
  unsigned char b[32768];
  int n;
};

enum { NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4, REFUSED = 5 };
#define T_A DNSREPLY_T_A
#define T_CNAME DNSREPLY_T_CNAME
#define T_PTR DNSREPLY_T_PTR
#define T_AAAA DNSREPLY_T_AAAA
#define QOFF 12 /* offset of the question name: target of "pointer to qname" */

static void put8(struct pkt *p, unsigned v) { p->b[p->n++] = (unsigned char)v; }
static void put16(struct pkt *p, unsigned v) { put8(p, v >> 8); put8(p, v & 0xff); }
static void put32(struct pkt *p, uint32_t v) { put16(p, v >> 16); put16(p, v & 0xffff); }

/* One label from raw bytes (may hold any byte, including '.' and NUL). */
static void put_label(struct pkt *p, const void *bytes, size_t len) {
  put8(p, (unsigned)len);
  memcpy(p->b + p->n, bytes, len);
  p->n += (int)len;
}

/* Labels of a dotted name, without the terminating root label. */
static void put_labels(struct pkt *p, const char *name) {
  while (*name) {
    const char *dot = strchr(name, '.');
    size_t l = dot ? (size_t)(dot - name) : strlen(name);
    put_label(p, name, l);
    name += l;
    if (*name == '.') name++;
  }
}

/* A whole uncompressed name ("" = root). */
static void put_name(struct pkt *p, const char *name) {
  put_labels(p, name);
  put8(p, 0);
}

/* Compression pointer to `off`. */
static void put_ptr(struct pkt *p, unsigned off) { put16(p, 0xC000 | off); }

/* Header + question.  flags: QR and RD set, RA set. */
static void begin(struct pkt *p, unsigned rcode, unsigned an, const char *qname, unsigned qtype) {
  p->n = 0;
  put16(p, 0x1234);
  put16(p, 0x8180 | rcode);
  put16(p, 1);
  put16(p, an);
  put16(p, 0);
  put16(p, 0);
  put_name(p, qname);
  put16(p, qtype);
  put16(p, 1);
}

/* RR fixed part after the owner; returns where RDLENGTH goes. */
static int rr_fixed(struct pkt *p, unsigned type) {
  put16(p, type);
  put16(p, 1);
  put32(p, 3600);
  int at = p->n;
  put16(p, 0);
  return at;
}

static void rr_close(struct pkt *p, int at) {
  unsigned len = (unsigned)(p->n - at - 2);
  p->b[at] = (unsigned char)(len >> 8);
  p->b[at + 1] = (unsigned char)len;
}

/* owner NULL means "pointer to the question name". */
static void put_owner(struct pkt *p, const char *owner) {
  if (owner) put_name(p, owner);
  else put_ptr(p, QOFF);
}

static void rr_name(struct pkt *p, const char *owner, unsigned type, const char *target) {
  put_owner(p, owner);
  int at = rr_fixed(p, type);
  put_name(p, target);
  rr_close(p, at);
}
#define PTR(p, owner, target) rr_name(p, owner, T_PTR, target)
#define CNAME(p, owner, target) rr_name(p, owner, T_CNAME, target)

static void ADDR(struct pkt *p, const char *owner, const char *ip) {
  unsigned char b[16];
  int six = strchr(ip, ':') != NULL;
  ck_assert_int_eq(inet_pton(six ? AF_INET6 : AF_INET, ip, b), 1);
  put_owner(p, owner);
  int at = rr_fixed(p, six ? T_AAAA : T_A);
  memcpy(p->b + p->n, b, six ? 16 : 4);
  p->n += six ? 16 : 4;
  rr_close(p, at);
}

/* ---- parse helpers ------------------------------------------------------ */

static const char *names[RESULT_MAX_PTR];
static size_t lens[RESULT_MAX_PTR];
static char arena[RESULT_MAX_PTR][DNSREPLY_NAME_SIZE];
static struct dnsreply_names out;
static struct addr addrs[RESULT_MAX_ADDRS];
static struct dnsreply_addrs aout;

static int ptr_n(const unsigned char *b, int n, const char *qname) {
  unsigned char *copy = b ? malloc(n ? (size_t)n : 1) : NULL;
  if (b) memcpy(copy, b, (size_t)n);
  dnsreply_names_init(&out, names, &arena[0][0], RESULT_MAX_PTR);
  out.lens = lens;
  int st = dnsreply_ptr(copy, n, qname, &out);
  free(copy);
  ck_assert_uint_le(out.n, RESULT_MAX_PTR);
  return st;
}
static int ptr(const struct pkt *p, const char *qname) { return ptr_n(p->b, p->n, qname); }

static int addrs_n(const unsigned char *b, int n, const char *qname, int family) {
  unsigned char *copy = malloc(n ? (size_t)n : 1);
  memcpy(copy, b, (size_t)n);
  dnsreply_addrs_init(&aout, addrs, RESULT_MAX_ADDRS);
  int st = dnsreply_addrs(copy, n, qname, family, &aout);
  free(copy);
  return st;
}
static int fwd(const struct pkt *p, const char *qname, int family) {
  return addrs_n(p->b, p->n, qname, family);
}

static void assert_addr(size_t i, const char *ip) {
  char buf[64];
  ck_assert_uint_lt(i, aout.n);
  inet_ntop(aout.addrs[i].family == 4 ? AF_INET : AF_INET6, aout.addrs[i].b, buf, sizeof buf);
  ck_assert_str_eq(buf, ip);
}

/* Kept name i is exactly the bytes of the literal `lit` (NULs included). */
#define NAME_IS(i, lit) name_is((i), (lit), sizeof(lit) - 1)
static void name_is(size_t i, const char *want, size_t len) {
  ck_assert_uint_lt(i, out.n);
  ck_assert_uint_eq(out.lens[i], len);
  ck_assert_mem_eq(out.names[i], want, len);
  ck_assert_int_eq(out.names[i][len], '\0'); /* a NUL follows in the arena */
}

#define REV "1.2.0.192.in-addr.arpa"
#define REV2317 "5.0/25.2.0.192.in-addr.arpa"

/* ---- PTR ---------------------------------------------------------------- */

START_TEST(ptr_single) {
  struct pkt p;
  begin(&p, NOERROR, 1, REV, T_PTR);
  PTR(&p, NULL, "Mail.Example.COM");
  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  ck_assert_uint_eq(out.n, 1);
  ck_assert_uint_eq(out.total, 1);
  ck_assert_uint_eq(out.odd, 0);
  ck_assert_int_eq(out.cname, 0);
  ck_assert_str_eq(out.names[0], "mail.example.com");
  /* The qname may be given with a trailing dot and in another case. */
  ck_assert_int_eq(ptr(&p, "1.2.0.192.IN-ADDR.ARPA."), DNS_OK);
  ck_assert_str_eq(out.names[0], "mail.example.com");
}
END_TEST

START_TEST(ptr_two_sorted_dedup) {
  struct pkt p;
  begin(&p, NOERROR, 4, REV, T_PTR);
  PTR(&p, NULL, "zeta.example.net");
  PTR(&p, NULL, "alpha.example.net");
  PTR(&p, NULL, "ALPHA.example.net"); /* duplicate up to case */
  PTR(&p, "1.2.0.192.IN-ADDR.ARPA", "mid.example.net"); /* owner written out, other case */
  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  ck_assert_uint_eq(out.n, 3);
  ck_assert_uint_eq(out.total, 3);
  ck_assert_str_eq(out.names[0], "alpha.example.net");
  ck_assert_str_eq(out.names[1], "mid.example.net");
  ck_assert_str_eq(out.names[2], "zeta.example.net");
}
END_TEST

START_TEST(ptr_rfc2317_cname) {
  struct pkt p;
  begin(&p, NOERROR, 2, REV, T_PTR);
  CNAME(&p, NULL, REV2317);
  PTR(&p, "5.0/25.2.0.192.IN-ADDR.arpa", "host.customer.example");
  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  ck_assert_int_eq(out.cname, 1);
  ck_assert_uint_eq(out.n, 1);
  ck_assert_str_eq(out.names[0], "host.customer.example");
}
END_TEST

START_TEST(ptr_two_hop_dash_chain) {
  /* RRs in reverse order of the chain: order in the packet must not matter. */
  struct pkt p;
  begin(&p, NOERROR, 3, REV, T_PTR);
  PTR(&p, "1.0-63.2.0.192.in-addr.arpa", "b.example");
  CNAME(&p, "1.sub.2.0.192.in-addr.arpa", "1.0-63.2.0.192.in-addr.arpa");
  CNAME(&p, NULL, "1.sub.2.0.192.in-addr.arpa");
  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  ck_assert_int_eq(out.cname, 1);
  ck_assert_uint_eq(out.n, 1);
  ck_assert_str_eq(out.names[0], "b.example");
}
END_TEST

START_TEST(ptr_odd_names_kept) {
  struct pkt p;
  begin(&p, NOERROR, 6, REV, T_PTR);
  PTR(&p, NULL, "good.example");
  PTR(&p, NULL, "a,b.example");
  PTR(&p, NULL, "say\"hi\".example");
  /* x\001y.example: a control byte */
  put_ptr(&p, QOFF);
  int at = rr_fixed(&p, T_PTR);
  put_label(&p, "x\001y", 3);
  put_name(&p, "example");
  rr_close(&p, at);
  /* n\0l.example: a NUL byte */
  put_ptr(&p, QOFF);
  at = rr_fixed(&p, T_PTR);
  put_label(&p, "n\0l", 3);
  put_name(&p, "example");
  rr_close(&p, at);
  /* "a.b" as ONE label, then example: the dot is inside a label */
  put_ptr(&p, QOFF);
  at = rr_fixed(&p, T_PTR);
  put_label(&p, "in.side", 7);
  put_name(&p, "example");
  rr_close(&p, at);

  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  ck_assert_uint_eq(out.total, 6);
  ck_assert_uint_eq(out.n, 6);
  ck_assert_uint_eq(out.odd, 5);
  /* strcmp order: ',' < 'o' ... */
  ck_assert_str_eq(out.names[0], "a,b.example");
  ck_assert_str_eq(out.names[1], "good.example");
  ck_assert_str_eq(out.names[2], "in.side.example");
  NAME_IS(3, "n\0l.example"); /* byte-exact: the NUL itself, not "\x00" */
  ck_assert_str_eq(out.names[4], "say\"hi\".example");
  ck_assert_str_eq(out.names[5], "x\001y.example");
}
END_TEST

/* A NUL byte in a label and the literal text "\x00" are different names:
 * both kept, byte-exact, with their lengths (two names: MULTI_PTR). */
START_TEST(ptr_nul_vs_literal_escape) {
  struct pkt p;
  begin(&p, NOERROR, 3, REV, T_PTR);
  put_ptr(&p, QOFF);
  int at = rr_fixed(&p, T_PTR);
  put_label(&p, "a\0b", 3);
  put_name(&p, "example");
  rr_close(&p, at);
  put_ptr(&p, QOFF);
  at = rr_fixed(&p, T_PTR);
  put_label(&p, "a\\x00b", 6);
  put_name(&p, "example");
  rr_close(&p, at);
  /* The NUL name again: a true duplicate, counted once. */
  put_ptr(&p, QOFF);
  at = rr_fixed(&p, T_PTR);
  put_label(&p, "A\0B", 3);
  put_name(&p, "example");
  rr_close(&p, at);
  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  ck_assert_uint_eq(out.total, 2);
  ck_assert_uint_eq(out.n, 2);
  ck_assert_uint_eq(out.odd, 2);
  NAME_IS(0, "a\0b.example");    /* 0x00 sorts before '\\' (0x5c) */
  NAME_IS(1, "a\\x00b.example");
  /* Without the optional lens the set is the same (the arena slot holds
   * each length). */
  unsigned char *copy = malloc((size_t)p.n);
  memcpy(copy, p.b, (size_t)p.n);
  dnsreply_names_init(&out, names, &arena[0][0], RESULT_MAX_PTR);
  ck_assert_int_eq(dnsreply_ptr(copy, p.n, REV, &out), DNS_OK);
  free(copy);
  ck_assert_uint_eq(out.total, 2);
  ck_assert_uint_eq(out.n, 2);
  ck_assert_mem_eq(out.names[0], "a\0b.example", 12);
  ck_assert_str_eq(out.names[1], "a\\x00b.example");
}
END_TEST

START_TEST(ptr_500_records) {
  static struct pkt p;
  char name[32];
  begin(&p, NOERROR, 500, REV, T_PTR);
  int suffix = -1;
  /* Descending order, so the kept set must evict as it goes. */
  for (int i = 499; i >= 0; i--) {
    put_ptr(&p, QOFF);
    int at = rr_fixed(&p, T_PTR);
    snprintf(name, sizeof name, "h%03d", i);
    put_label(&p, name, strlen(name));
    if (suffix < 0) {
      suffix = p.n;
      put_name(&p, "pool.example.com");
    } else {
      put_ptr(&p, (unsigned)suffix);
    }
    rr_close(&p, at);
  }
  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  ck_assert_uint_eq(out.total, 500);
  ck_assert_uint_eq(out.n, RESULT_MAX_PTR);
  ck_assert_uint_eq(out.odd, 0);
  for (int i = 0; i < RESULT_MAX_PTR; i++) {
    snprintf(name, sizeof name, "h%03d.pool.example.com", i);
    ck_assert_str_eq(out.names[i], name);
  }
}
END_TEST

START_TEST(ptr_small_storage) {
  /* max 2 of 3 distinct names; max 0 counts only. */
  struct pkt p;
  const char *nm[2];
  size_t nl[2];
  char ar[2][DNSREPLY_NAME_SIZE];
  begin(&p, NOERROR, 3, REV, T_PTR);
  PTR(&p, NULL, "c.example");
  PTR(&p, NULL, "a.example");
  PTR(&p, NULL, "b.example");
  dnsreply_names_init(&out, nm, &ar[0][0], 2);
  out.lens = nl;
  ck_assert_int_eq(dnsreply_ptr(p.b, p.n, REV, &out), DNS_OK);
  ck_assert_uint_eq(out.n, 2);
  ck_assert_uint_eq(out.total, 3);
  ck_assert_str_eq(out.names[0], "a.example");
  ck_assert_str_eq(out.names[1], "b.example");
  dnsreply_names_init(&out, NULL, NULL, 0);
  ck_assert_int_eq(dnsreply_ptr(p.b, p.n, REV, &out), DNS_OK);
  ck_assert_uint_eq(out.n, 0);
  ck_assert_uint_eq(out.total, 3);
}
END_TEST

START_TEST(ptr_overlong_name) {
  /* A 300+ octet name: six 60-byte labels chained through pointers.  The
   * labels sit in the RDATA of an additional-section TXT record; the PTR
   * RDATA is one pointer to the last run.  Kept, odd, stored as 252 bytes
   * followed by "...". */
  struct pkt p;
  char lab[61];
  memset(lab, 'q', 60);
  lab[60] = 0;
  begin(&p, NOERROR, 1, REV, T_PTR);
  p.b[11] = 1; /* ARCOUNT */
  put_ptr(&p, QOFF);
  int at = rr_fixed(&p, T_PTR);
  int rd = p.n;
  put_ptr(&p, 0); /* patched below */
  rr_close(&p, at);
  put_ptr(&p, QOFF);
  int at2 = rr_fixed(&p, 16 /* TXT */);
  int prev = p.n;
  put_label(&p, lab, 60);
  put_name(&p, "example");
  for (int i = 0; i < 5; i++) {
    int here = p.n;
    put_label(&p, lab, 60);
    put_ptr(&p, (unsigned)prev);
    prev = here;
  }
  rr_close(&p, at2);
  p.b[rd] = (unsigned char)(0xC0 | (prev >> 8));
  p.b[rd + 1] = (unsigned char)prev;

  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  ck_assert_uint_eq(out.n, 1);
  ck_assert_uint_eq(out.odd, 1);
  ck_assert_uint_eq(strlen(out.names[0]), RESULT_NAME_MAX);
  ck_assert_uint_eq(out.lens[0], RESULT_NAME_MAX);
  ck_assert_int_eq(strncmp(out.names[0], lab, 60), 0);
  ck_assert_int_eq(out.names[0][60], '.');
  ck_assert_str_eq(out.names[0] + RESULT_NAME_MAX - 3, "...");
  ck_assert_int_eq(dnsreply_name_is_odd(out.names[0], out.lens[0]), 1);
}
END_TEST

START_TEST(ptr_rcodes) {
  struct pkt p;
  begin(&p, NXDOMAIN, 0, REV, T_PTR);
  ck_assert_int_eq(ptr(&p, REV), DNS_NXDOMAIN);
  ck_assert_uint_eq(out.n, 0);
  begin(&p, SERVFAIL, 0, REV, T_PTR);
  ck_assert_int_eq(ptr(&p, REV), DNS_SERVFAIL);
  begin(&p, REFUSED, 0, REV, T_PTR);
  ck_assert_int_eq(ptr(&p, REV), DNS_REFUSED);
  begin(&p, NOTIMP, 0, REV, T_PTR);
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
  begin(&p, FORMERR, 0, REV, T_PTR);
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
  /* A bare 12-byte SERVFAIL header without a question is still SERVFAIL. */
  begin(&p, SERVFAIL, 0, REV, T_PTR);
  p.b[5] = 0;
  ck_assert_int_eq(ptr_n(p.b, 12, REV), DNS_SERVFAIL);
}
END_TEST

START_TEST(ptr_nxdomain_after_cname) {
  struct pkt p;
  begin(&p, NXDOMAIN, 1, REV, T_PTR);
  CNAME(&p, NULL, REV2317);
  ck_assert_int_eq(ptr(&p, REV), DNS_NXDOMAIN);
  ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(ptr_nodata) {
  struct pkt p;
  begin(&p, NOERROR, 0, REV, T_PTR);
  ck_assert_int_eq(ptr(&p, REV), DNS_NODATA);
  ck_assert_int_eq(out.dangling, 0);
  /* Records of another type / another owner only: still NODATA. */
  begin(&p, NOERROR, 2, REV, T_PTR);
  ADDR(&p, NULL, "192.0.2.1");
  PTR(&p, "2.2.0.192.in-addr.arpa", "other.example");
  ck_assert_int_eq(ptr(&p, REV), DNS_NODATA);
  ck_assert_uint_eq(out.total, 0);
}
END_TEST

START_TEST(ptr_dangling_cname) {
  struct pkt p;
  begin(&p, NOERROR, 1, REV, T_PTR);
  CNAME(&p, NULL, REV2317);
  ck_assert_int_eq(ptr(&p, REV), DNS_NODATA);
  ck_assert_int_eq(out.cname, 1);
  ck_assert_int_eq(out.dangling, 1);
}
END_TEST

START_TEST(ptr_truncated) {
  struct pkt p;
  begin(&p, NOERROR, 2, REV, T_PTR);
  PTR(&p, NULL, "a.example");
  PTR(&p, NULL, "b.example");
  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  /* Every proper prefix is malformed: the last RR ends at the last byte. */
  for (int n = 0; n < p.n; n++)
    ck_assert_msg(ptr_n(p.b, n, REV) == DNS_BADRESP, "prefix of %d bytes", n);
  /* ANCOUNT larger than the records present. */
  p.b[7] = 3;
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
  ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(ptr_pointer_loops) {
  struct pkt p;
  int at, self;
  /* PTR RDATA pointing at itself. */
  begin(&p, NOERROR, 1, REV, T_PTR);
  put_ptr(&p, QOFF);
  at = rr_fixed(&p, T_PTR);
  self = p.n;
  put_ptr(&p, (unsigned)self);
  rr_close(&p, at);
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);

  /* Label then pointer back to that label: an endless name. */
  begin(&p, NOERROR, 1, REV, T_PTR);
  put_ptr(&p, QOFF);
  at = rr_fixed(&p, T_PTR);
  self = p.n;
  put_label(&p, "x", 1);
  put_ptr(&p, (unsigned)self);
  rr_close(&p, at);
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);

  /* Two pointers pointing at each other, in the owner name. */
  begin(&p, NOERROR, 1, REV, T_PTR);
  int a = p.n;
  put_ptr(&p, (unsigned)(a + 2));
  put_ptr(&p, (unsigned)a);
  at = rr_fixed(&p, T_PTR);
  put_name(&p, "x.example");
  rr_close(&p, at);
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);

  /* Question name pointing at itself. */
  p.n = 0;
  put16(&p, 1);
  put16(&p, 0x8180);
  put16(&p, 1);
  put16(&p, 0);
  put16(&p, 0);
  put16(&p, 0);
  put_ptr(&p, QOFF);
  put16(&p, T_PTR);
  put16(&p, 1);
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);

  /* Pointer beyond the packet; reserved label type 0x40. */
  begin(&p, NOERROR, 1, REV, T_PTR);
  put_ptr(&p, QOFF);
  at = rr_fixed(&p, T_PTR);
  put_ptr(&p, 0x3000);
  rr_close(&p, at);
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
  begin(&p, NOERROR, 1, REV, T_PTR);
  put_ptr(&p, QOFF);
  at = rr_fixed(&p, T_PTR);
  put8(&p, 0x41);
  put8(&p, 0);
  rr_close(&p, at);
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
}
END_TEST

START_TEST(ptr_cname_loops) {
  struct pkt p;
  /* a -> b -> a */
  begin(&p, NOERROR, 3, REV, T_PTR);
  CNAME(&p, NULL, "b.example");
  CNAME(&p, "b.example", REV);
  PTR(&p, "b.example", "never.example");
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
  ck_assert_uint_eq(out.n, 0);
  /* self loop, differing in case */
  begin(&p, NOERROR, 1, REV, T_PTR);
  CNAME(&p, NULL, "1.2.0.192.IN-ADDR.ARPA");
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
}
END_TEST

static void chain(struct pkt *p, int hops) {
  char from[32], to[32];
  begin(p, NOERROR, (unsigned)hops + 1, REV, T_PTR);
  for (int i = 0; i < hops; i++) {
    snprintf(from, sizeof from, "c%d.example", i);
    snprintf(to, sizeof to, "c%d.example", i + 1);
    CNAME(p, i ? from : NULL, to);
  }
  snprintf(to, sizeof to, "c%d.example", hops);
  PTR(p, to, "end.example");
}

START_TEST(ptr_cname_chain_length) {
  struct pkt p;
  chain(&p, DNSREPLY_MAX_CNAME);
  ck_assert_int_eq(ptr(&p, REV), DNS_OK);
  ck_assert_str_eq(out.names[0], "end.example");
  chain(&p, DNSREPLY_MAX_CNAME + 1);
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
}
END_TEST

START_TEST(ptr_wrong_question) {
  struct pkt p;
  begin(&p, NOERROR, 1, "8.9.9.9.in-addr.arpa", T_PTR);
  PTR(&p, NULL, "a.example");
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
  begin(&p, NOERROR, 1, REV, T_A);
  PTR(&p, NULL, "a.example");
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
  /* No question at all with NOERROR. */
  begin(&p, NOERROR, 0, REV, T_PTR);
  p.b[5] = 0;
  ck_assert_int_eq(ptr_n(p.b, 12, REV), DNS_BADRESP);
  /* A query, not a response (QR clear). */
  begin(&p, NOERROR, 1, REV, T_PTR);
  PTR(&p, NULL, "a.example");
  p.b[2] &= 0x7f;
  ck_assert_int_eq(ptr(&p, REV), DNS_BADRESP);
  /* Our own qname is not a name. */
  begin(&p, NOERROR, 1, REV, T_PTR);
  PTR(&p, NULL, "a.example");
  ck_assert_int_eq(ptr(&p, "a..b"), DNS_ERROR);
  ck_assert_int_eq(ptr(&p, ".x.example"), DNS_ERROR);
  /* A qname is raw bytes: a backslash is not an escape. */
  begin(&p, NOERROR, 1, "a\\b.example", T_PTR);
  PTR(&p, NULL, "a.example");
  ck_assert_int_eq(ptr(&p, "a\\b.example"), DNS_OK);
  ck_assert_int_eq(ptr(&p, "ab.example"), DNS_BADRESP);
  ck_assert_int_eq(ptr_n(NULL, 0, REV), DNS_BADRESP);
}
END_TEST

START_TEST(ptr_garbage_never_crashes) {
  /* Deterministic mutations of a valid reply: any status is fine, but no
   * out-of-bounds read (ASan) and the kept count stays within bounds. */
  struct pkt base, p;
  begin(&base, NOERROR, 3, REV, T_PTR);
  CNAME(&base, NULL, REV2317);
  PTR(&base, REV2317, "a.example");
  PTR(&base, REV2317, "b.example");
  uint32_t seed = 12345;
  for (int iter = 0; iter < 20000; iter++) {
    p = base;
    int flips = 1 + iter % 4;
    for (int k = 0; k < flips; k++) {
      seed = seed * 1103515245u + 12345u;
      int pos = (int)((seed >> 8) % (uint32_t)p.n);
      seed = seed * 1103515245u + 12345u;
      p.b[pos] = (unsigned char)(seed >> 16);
    }
    seed = seed * 1103515245u + 12345u;
    int len = (iter & 1) ? p.n : (int)((seed >> 8) % (uint32_t)(p.n + 1));
    int st = ptr_n(p.b, len, REV);
    ck_assert_int_ge(st, DNS_OK);
    ck_assert_int_le(st, DNS_ERROR);
    if (st != DNS_OK) ck_assert_uint_eq(out.n, 0);
  }
}
END_TEST

/* ---- A / AAAA ----------------------------------------------------------- */

START_TEST(a_cname_chain) {
  struct pkt p;
  begin(&p, NOERROR, 5, "www.example.com", T_A);
  CNAME(&p, NULL, "edge.cdn.example");
  CNAME(&p, "Edge.CDN.example", "node7.cdn.example");
  ADDR(&p, "node7.cdn.example", "192.0.2.20");
  ADDR(&p, "node7.cdn.example", "192.0.2.3");
  ADDR(&p, "node7.cdn.example", "192.0.2.20");
  ck_assert_int_eq(fwd(&p, "www.example.com", 4), DNS_OK);
  ck_assert_int_eq(aout.cname, 1);
  ck_assert_uint_eq(aout.n, 2);
  ck_assert_uint_eq(aout.total, 2);
  assert_addr(0, "192.0.2.3");
  assert_addr(1, "192.0.2.20");
}
END_TEST

START_TEST(a_plain) {
  struct pkt p;
  begin(&p, NOERROR, 1, "mail.example.com", T_A);
  ADDR(&p, NULL, "127.0.0.1");
  ck_assert_int_eq(fwd(&p, "MAIL.example.com", 4), DNS_OK);
  ck_assert_int_eq(aout.cname, 0);
  ck_assert_uint_eq(aout.n, 1);
  ck_assert_int_eq(aout.addrs[0].family, 4);
  assert_addr(0, "127.0.0.1");
}
END_TEST

START_TEST(aaaa_records) {
  struct pkt p;
  begin(&p, NOERROR, 3, "v6.example.com", T_AAAA);
  ADDR(&p, NULL, "2001:db8::10");
  ADDR(&p, NULL, "2001:db8::2");
  ADDR(&p, NULL, "192.0.2.1"); /* an A record in an AAAA answer: ignored */
  ck_assert_int_eq(fwd(&p, "v6.example.com", 6), DNS_OK);
  ck_assert_uint_eq(aout.n, 2);
  ck_assert_int_eq(aout.addrs[0].family, 6);
  assert_addr(0, "2001:db8::2");
  assert_addr(1, "2001:db8::10");
}
END_TEST

START_TEST(a_other_owner_ignored) {
  struct pkt p;
  begin(&p, NOERROR, 2, "mail.example.com", T_A);
  ADDR(&p, "evil.example.org", "203.0.113.66");
  ADDR(&p, NULL, "192.0.2.5");
  ck_assert_int_eq(fwd(&p, "mail.example.com", 4), DNS_OK);
  ck_assert_uint_eq(aout.n, 1);
  assert_addr(0, "192.0.2.5");
  /* Only another owner's records: NODATA. */
  begin(&p, NOERROR, 1, "mail.example.com", T_A);
  ADDR(&p, "evil.example.org", "203.0.113.66");
  ck_assert_int_eq(fwd(&p, "mail.example.com", 4), DNS_NODATA);
  ck_assert_uint_eq(aout.n, 0);
}
END_TEST

START_TEST(a_bad_rdlength) {
  struct pkt p;
  begin(&p, NOERROR, 1, "mail.example.com", T_A);
  put_ptr(&p, QOFF);
  int at = rr_fixed(&p, T_A);
  put32(&p, 0xC0000201);
  put8(&p, 7);
  rr_close(&p, at);
  ck_assert_int_eq(fwd(&p, "mail.example.com", 4), DNS_BADRESP);
  ck_assert_int_eq(fwd(&p, "mail.example.com", 5), DNS_ERROR);
}
END_TEST

START_TEST(a_rcodes_and_cap) {
  struct pkt p;
  char ip[32];
  begin(&p, NXDOMAIN, 0, "gone.example", T_A);
  ck_assert_int_eq(fwd(&p, "gone.example", 4), DNS_NXDOMAIN);
  begin(&p, NOERROR, 0, "empty.example", T_AAAA);
  ck_assert_int_eq(fwd(&p, "empty.example", 6), DNS_NODATA);
  begin(&p, NOERROR, 40, "many.example", T_A);
  for (int i = 40; i > 0; i--) {
    snprintf(ip, sizeof ip, "10.0.0.%d", i);
    ADDR(&p, NULL, ip);
  }
  ck_assert_int_eq(fwd(&p, "many.example", 4), DNS_OK);
  ck_assert_uint_eq(aout.total, 40);
  ck_assert_uint_eq(aout.n, RESULT_MAX_ADDRS);
  assert_addr(0, "10.0.0.1");
  assert_addr(RESULT_MAX_ADDRS - 1, "10.0.0.32");
}
END_TEST

/* Membership on the whole RRset: 40 A records, the kept 32 are the lowest,
 * and the address looked for is the 40th (the highest, and the last
 * record).  want_seen says it is there although it was not kept. */
START_TEST(a_want_beyond_kept) {
  static struct pkt p;
  char ip[32];
  struct addr want;
  memset(&want, 0, sizeof want);
  want.family = 4;
  memcpy(want.b, (unsigned char[]){10, 0, 0, 40}, 4);
  begin(&p, NOERROR, 40, "many.example", T_A);
  for (int i = 1; i <= 40; i++) {
    snprintf(ip, sizeof ip, "10.0.0.%d", i);
    ADDR(&p, NULL, ip);
  }
  unsigned char *copy = malloc((size_t)p.n);
  memcpy(copy, p.b, (size_t)p.n);
  dnsreply_addrs_init(&aout, addrs, RESULT_MAX_ADDRS);
  ck_assert_ptr_null(aout.want); /* init clears it */
  aout.want = &want;
  ck_assert_int_eq(dnsreply_addrs(copy, p.n, "many.example", 4, &aout), DNS_OK);
  ck_assert_uint_eq(aout.total, 40);
  ck_assert_uint_eq(aout.n, RESULT_MAX_ADDRS);
  assert_addr(RESULT_MAX_ADDRS - 1, "10.0.0.32"); /* .40 not kept ... */
  ck_assert_int_eq(aout.want_seen, 1);            /* ... but seen */

  /* An address that is not in the RRset. */
  memcpy(want.b, (unsigned char[]){10, 0, 0, 41}, 4);
  ck_assert_int_eq(dnsreply_addrs(copy, p.n, "many.example", 4, &aout), DNS_OK);
  ck_assert_int_eq(aout.want_seen, 0);
  /* No want: nothing looked for. */
  aout.want = NULL;
  ck_assert_int_eq(dnsreply_addrs(copy, p.n, "many.example", 4, &aout), DNS_OK);
  ck_assert_int_eq(aout.want_seen, 0);
  free(copy);

  /* Seen, then a malformed record later in the answer: BADRESP, not seen. */
  memcpy(want.b, (unsigned char[]){192, 0, 2, 5}, 4);
  begin(&p, NOERROR, 2, "mail.example.com", T_A);
  ADDR(&p, NULL, "192.0.2.5");
  put_ptr(&p, QOFF);
  int at = rr_fixed(&p, T_A);
  put8(&p, 1);
  rr_close(&p, at);
  dnsreply_addrs_init(&aout, addrs, RESULT_MAX_ADDRS);
  aout.want = &want;
  ck_assert_int_eq(dnsreply_addrs(p.b, p.n, "mail.example.com", 4, &aout), DNS_BADRESP);
  ck_assert_int_eq(aout.want_seen, 0);
}
END_TEST

#define ODD(lit) dnsreply_name_is_odd(lit, sizeof(lit) - 1)

START_TEST(name_odd_rule) {
  ck_assert_int_eq(ODD("mail.example.com"), 0);
  ck_assert_int_eq(ODD("5.0/25.2.0.192.in-addr.arpa"), 0);
  ck_assert_int_eq(ODD("_srv.x-y.example"), 0);
  ck_assert_int_eq(ODD("a,b.example"), 1);
  ck_assert_int_eq(ODD("a b.example"), 1);
  ck_assert_int_eq(ODD("a'b.example"), 1);
  ck_assert_int_eq(ODD("a\"b.example"), 1);
  ck_assert_int_eq(ODD("a\\x00b.example"), 1);
  ck_assert_int_eq(ODD("a\0b.example"), 1);      /* a NUL byte */
  ck_assert_int_eq(ODD("mail.example.com\0"), 1); /* one at the end */
  ck_assert_int_eq(ODD("caf\xc3\xa9.example"), 1);
  ck_assert_int_eq(ODD("x\x7f.example"), 1);
  ck_assert_int_eq(ODD("."), 1);
  ck_assert_int_eq(ODD(""), 1);
  ck_assert_int_eq(ODD("cut..."), 1);
  char longname[300];
  memset(longname, 'a', 254);
  longname[254] = 0;
  ck_assert_int_eq(dnsreply_name_is_odd(longname, strlen(longname)), 1);
  longname[253] = 0;
  ck_assert_int_eq(dnsreply_name_is_odd(longname, strlen(longname)), 0);
}
END_TEST

Suite *dnsreply_suite(void);

Suite *dnsreply_suite(void) {
  Suite *s = suite_create("dnsreply");
  TCase *tc = tcase_create("ptr");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, ptr_single);
  tcase_add_test(tc, ptr_two_sorted_dedup);
  tcase_add_test(tc, ptr_rfc2317_cname);
  tcase_add_test(tc, ptr_two_hop_dash_chain);
  tcase_add_test(tc, ptr_odd_names_kept);
  tcase_add_test(tc, ptr_nul_vs_literal_escape);
  tcase_add_test(tc, ptr_500_records);
  tcase_add_test(tc, ptr_small_storage);
  tcase_add_test(tc, ptr_overlong_name);
  tcase_add_test(tc, ptr_rcodes);
  tcase_add_test(tc, ptr_nxdomain_after_cname);
  tcase_add_test(tc, ptr_nodata);
  tcase_add_test(tc, ptr_dangling_cname);
  tcase_add_test(tc, ptr_truncated);
  tcase_add_test(tc, ptr_pointer_loops);
  tcase_add_test(tc, ptr_cname_loops);
  tcase_add_test(tc, ptr_cname_chain_length);
  tcase_add_test(tc, ptr_wrong_question);
  tcase_add_test(tc, ptr_garbage_never_crashes);
  suite_add_tcase(s, tc);
  tc = tcase_create("addrs");
  tcase_set_timeout(tc, 10);
  tcase_add_test(tc, a_cname_chain);
  tcase_add_test(tc, a_plain);
  tcase_add_test(tc, aaaa_records);
  tcase_add_test(tc, a_other_owner_ignored);
  tcase_add_test(tc, a_bad_rdlength);
  tcase_add_test(tc, a_rcodes_and_cap);
  tcase_add_test(tc, a_want_beyond_kept);
  tcase_add_test(tc, name_odd_rule);
  suite_add_tcase(s, tc);
  return s;
}
