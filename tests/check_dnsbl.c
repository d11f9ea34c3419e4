/* SPDX-License-Identifier: MIT */
/*
 * check_dnsbl.c - DNS blocklist names (RFC 5782 section 2.1, 2.4), what
 * answers mean, the cell syntax, per-list health and list files
 * (dnsbl.h).  Names are written out by hand, packets assembled here.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dnsbl.h"
#include "status.h"

static struct addr A(const char *s) {
  struct addr a;
  ck_assert_int_eq(addr_parse(&a, s, strlen(s)), 0);
  return a;
}

/* ---- names ----------------------------------------------------------------- */

START_TEST(qname_ipv4) {
  char q[DNSBL_QNAME_MAX];
  struct addr a = A("192.0.2.99");
  ck_assert_int_eq(dnsbl_qname(q, sizeof q, &a, "bl.example"), 21);
  ck_assert_str_eq(q, "99.2.0.192.bl.example");
  ck_assert_int_eq(dnsbl_qname(q, sizeof q, &a, "bl.example."), 21);
  ck_assert_str_eq(q, "99.2.0.192.bl.example");
  a = A("127.0.0.2"); /* RFC 5782 section 5: the listed test point */
  dnsbl_qname(q, sizeof q, &a, "zen.spamhaus.org");
  ck_assert_str_eq(q, "2.0.0.127.zen.spamhaus.org");
}
END_TEST

START_TEST(qname_ipv6) {
  char q[DNSBL_QNAME_MAX];
  /* RFC 5782 section 2.4's example address, nibbles written by hand. */
  struct addr a = A("2001:db8:1:2:3:4:567:89ab");
  int n = dnsbl_qname(q, sizeof q, &a, "ugly.example.com");
  ck_assert_str_eq(q, "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2."
                      "ugly.example.com");
  ck_assert_int_eq(n, 64 + 16);
  a = A("::1");
  dnsbl_qname(q, sizeof q, &a, "v6.example");
  ck_assert_str_eq(q, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.v6.example");
}
END_TEST

START_TEST(qname_v4mapped) {
  char q[DNSBL_QNAME_MAX];
  struct addr a = A("::ffff:192.0.2.1");
  ck_assert_int_eq(a.family, 6);
  dnsbl_qname(q, sizeof q, &a, "bl.example");
  ck_assert_str_eq(q, "1.2.0.192.bl.example");
}
END_TEST

START_TEST(qname_errors) {
  char q[DNSBL_QNAME_MAX], small[10];
  struct addr a = A("192.0.2.99"), six = A("2001:db8::1"), bad = a;
  bad.family = 5;
  ck_assert_int_eq(dnsbl_qname(q, sizeof q, &a, ""), -EINVAL);
  ck_assert_int_eq(dnsbl_qname(q, sizeof q, &a, "."), -EINVAL);
  ck_assert_int_eq(dnsbl_qname(q, sizeof q, &a, NULL), -EINVAL);
  ck_assert_int_eq(dnsbl_qname(q, sizeof q, &bad, "bl.example"), -EINVAL);
  ck_assert_int_eq(dnsbl_qname(small, sizeof small, &a, "bl.example"), -ENAMETOOLONG);
  /* 189 octets of zone fit an IPv6 query exactly (253); 190 do not. */
  char zone[200];
  memset(zone, 'a', sizeof zone);
  for (int i = 63; i < 189; i += 64) zone[i] = '.';
  zone[189] = '\0';
  ck_assert_int_eq(dnsbl_qname(q, sizeof q, &six, zone), 253);
  zone[189] = 'a';
  zone[190] = '\0';
  ck_assert_int_eq(dnsbl_qname(q, sizeof q, &six, zone), -ENAMETOOLONG);
}
END_TEST

/* ---- answers ------------------------------------------------------------------ */

#include "dnspkt.h"
#define Q "2.0.0.127.bl.example"
/* A reply to Q's A query: rcode, then the A records' addresses (NULL-ended). */
static struct pkt reply(unsigned rcode, const char *const *ips) {
  struct pkt p = {.n = 0};
  unsigned an = 0;
  while (ips && ips[an]) an++;
  put16(&p, 1);
  put16(&p, 0x8180 | rcode);
  put16(&p, 1);
  put16(&p, an);
  put16(&p, 0);
  put16(&p, 0);
  put_name(&p, Q);
  put16(&p, 1);
  put16(&p, 1);
  for (unsigned i = 0; i < an; i++) {
    unsigned char b[4];
    ck_assert_int_eq(inet_pton(AF_INET, ips[i], b), 1);
    put16(&p, 0xC00C);
    put16(&p, 1), put16(&p, 1), put16(&p, 0), put16(&p, 300), put16(&p, 4);
    memcpy(p.b + p.n, b, 4);
    p.n += 4;
  }
  return p;
}

static struct dnsbl_outcome classify(unsigned rcode, const char *const *ips) {
  struct pkt p = reply(rcode, ips);
  struct dnsbl_outcome o;
  /* An exact-size copy: ASan sees a read past the end. */
  unsigned char *b = malloc(p.n);
  memcpy(b, p.b, p.n);
  dnsbl_classify(DNS_OK, b, p.n, Q, &o);
  free(b);
  return o;
}

static void code_is(const struct dnsbl_outcome *o, size_t i, const char *ip) {
  char s[20];
  snprintf(s, sizeof s, "%u.%u.%u.%u", o->codes[i][0], o->codes[i][1], o->codes[i][2],
           o->codes[i][3]);
  ck_assert_str_eq(s, ip);
}

START_TEST(classify_listed) {
  const char *one[] = {"127.0.0.2", NULL};
  struct dnsbl_outcome o = classify(0, one);
  ck_assert_int_eq(o.result, DNSBL_LISTED);
  ck_assert_int_eq(o.error, DNSBL_E_NONE);
  ck_assert_uint_eq(o.ncodes, 1);
  code_is(&o, 0, "127.0.0.2");
  const char *two[] = {"127.0.0.11", "127.0.0.4", NULL}; /* sorted on output */
  o = classify(0, two);
  ck_assert_int_eq(o.result, DNSBL_LISTED);
  ck_assert_uint_eq(o.ncodes, 2);
  code_is(&o, 0, "127.0.0.4");
  code_is(&o, 1, "127.0.0.11");
  /* Any 127/8 but the excluded ones is a listing: 127.1.2.3 too. */
  const char *odd[] = {"127.1.2.3", NULL};
  o = classify(0, odd);
  ck_assert_int_eq(o.result, DNSBL_LISTED);
  /* 127.255.254.1 is outside 127.255.255.0/24: a listing. */
  const char *near[] = {"127.255.254.1", NULL};
  ck_assert_int_eq(classify(0, near).result, DNSBL_LISTED);
  /* More codes than kept: total says so. */
  const char *ten[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6",
                       "127.0.0.7", "127.0.0.8", "127.0.0.9", "127.0.0.10", "127.0.0.11",
                       NULL};
  o = classify(0, ten);
  ck_assert_int_eq(o.result, DNSBL_LISTED);
  ck_assert_uint_eq(o.ncodes, DNSBL_MAX_CODES);
  ck_assert_uint_eq(o.total, 10);
}
END_TEST

START_TEST(classify_not_listed) {
  struct dnsbl_outcome o = classify(3, NULL); /* NXDOMAIN */
  ck_assert_int_eq(o.result, DNSBL_NOT_LISTED);
  o = classify(0, NULL); /* NODATA */
  ck_assert_int_eq(o.result, DNSBL_NOT_LISTED);
  /* Without a packet, the status. */
  dnsbl_classify(DNS_NXDOMAIN, NULL, 0, Q, &o);
  ck_assert_int_eq(o.result, DNSBL_NOT_LISTED);
}
END_TEST

START_TEST(classify_error_codes) {
  static const char *const codes[] = {"127.255.255.252", "127.255.255.254",
                                      "127.255.255.255", "127.255.255.0"};
  for (int i = 0; i < 4; i++) {
    const char *ips[] = {codes[i], NULL};
    struct dnsbl_outcome o = classify(0, ips);
    ck_assert_int_eq(o.result, DNSBL_ERROR);
    ck_assert_int_eq(o.error, DNSBL_E_CODE);
    ck_assert_str_eq(o.reason, codes[i]);
    code_is(&o, 0, codes[i]);
  }
  /* An error code beside a listing: the error wins, never "listed". */
  const char *mix[] = {"127.0.0.2", "127.255.255.254", NULL};
  struct dnsbl_outcome o = classify(0, mix);
  ck_assert_int_eq(o.result, DNSBL_ERROR);
  ck_assert_str_eq(o.reason, "127.255.255.254");
}
END_TEST

START_TEST(classify_invalid) {
  const char *lo[] = {"127.0.0.1", NULL};
  struct dnsbl_outcome o = classify(0, lo);
  ck_assert_int_eq(o.result, DNSBL_ERROR);
  ck_assert_int_eq(o.error, DNSBL_E_INVALID);
  ck_assert_str_eq(o.reason, "invalid:127.0.0.1");
  const char *lo2[] = {"127.0.0.1", "127.0.0.2", NULL};
  ck_assert_int_eq(classify(0, lo2).error, DNSBL_E_INVALID);
  /* A rewritten NXDOMAIN (an advertising page) or a wildcard. */
  const char *ad[] = {"198.51.100.7", NULL};
  o = classify(0, ad);
  ck_assert_int_eq(o.result, DNSBL_ERROR);
  ck_assert_int_eq(o.error, DNSBL_E_INVALID);
  ck_assert_str_eq(o.reason, "invalid:198.51.100.7");
  const char *ad2[] = {"127.255.255.254", "10.0.0.1", NULL}; /* outside 127/8 first */
  o = classify(0, ad2);
  ck_assert_str_eq(o.reason, "invalid:10.0.0.1");
}
END_TEST

START_TEST(classify_lookup_errors) {
  struct dnsbl_outcome o;
  static const struct {
    int st;
    const char *reason;
  } cases[] = {{DNS_TIMEOUT, "timeout"}, {DNS_SERVFAIL, "servfail"}, {DNS_REFUSED, "refused"},
               {DNS_BADRESP, "badresp"}, {DNS_ERROR, "error"},       {DNS_OK, "badresp"},
               {DNS_NOT_RUN, "error"}};
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dnsbl_classify(cases[i].st, NULL, 0, Q, &o);
    ck_assert_int_eq(o.result, DNSBL_ERROR);
    ck_assert_int_eq(o.error, DNSBL_E_LOOKUP);
    ck_assert_str_eq(o.reason, cases[i].reason);
  }
  /* The packet decides over the status given with it. */
  o = classify(2, NULL);
  ck_assert_int_eq(o.result, DNSBL_ERROR);
  ck_assert_str_eq(o.reason, "servfail");
  o = classify(5, NULL);
  ck_assert_str_eq(o.reason, "refused");
  /* A reply to another question is not an answer (dnsreply.h: the rcode
   * is read first, so a NOERROR one). */
  const char *listed[] = {"127.0.0.2", NULL};
  struct pkt p = reply(0, listed);
  dnsbl_classify(DNS_OK, p.b, p.n, "3.0.0.127.bl.example", &o);
  ck_assert_int_eq(o.result, DNSBL_ERROR);
  ck_assert_str_eq(o.reason, "badresp");
  dnsbl_outcome_stopped(&o);
  ck_assert_int_eq(o.result, DNSBL_ERROR);
  ck_assert_int_eq(o.error, DNSBL_E_STOPPED);
  ck_assert_str_eq(o.reason, "stopped");
}
END_TEST

/* ---- the cell ----------------------------------------------------------------- */

START_TEST(cell_format_parse) {
  const char *two[] = {"127.0.0.4", "127.0.0.2", NULL};
  const char *err[] = {"127.255.255.254", NULL};
  struct dnsbl_outcome outs[4];
  outs[0] = classify(0, two);
  outs[1] = classify(3, NULL);
  outs[2] = classify(0, err);
  dnsbl_classify(DNS_TIMEOUT, NULL, 0, Q, &outs[3]);
  const char *labels[] = {"zen", "clean.example", "bl.example", "slow"};
  char cell[DNSBL_CELL_MAX(4)];
  int n = dnsbl_cell_format(cell, sizeof cell, labels, outs, 4);
  const char *want = "zen=127.0.0.2,127.0.0.4;bl.example=error:127.255.255.254;slow=error:timeout";
  ck_assert_str_eq(cell, want);
  ck_assert_int_eq(n, (int)strlen(want));
  /* Too small: "" and -ENOSPC. */
  char small[20];
  ck_assert_int_eq(dnsbl_cell_format(small, sizeof small, labels, outs, 4), -ENOSPC);
  ck_assert_str_eq(small, "");
  /* Nothing listed: empty. */
  ck_assert_int_eq(dnsbl_cell_format(cell, sizeof cell, labels + 1, outs + 1, 1), 0);
  ck_assert_str_eq(cell, "");

  struct dnsbl_cell_entry e[4];
  size_t ne;
  ck_assert_int_eq(dnsbl_cell_parse(want, strlen(want), e, 4, &ne), 0);
  ck_assert_uint_eq(ne, 3);
  ck_assert_int_eq((int)e[0].label_len, 3);
  ck_assert_int_eq(memcmp(e[0].label, "zen", 3), 0);
  ck_assert_int_eq(e[0].listed, 1);
  ck_assert_int_eq((int)e[0].value_len, 19);
  ck_assert_int_eq(memcmp(e[0].value, "127.0.0.2,127.0.0.4", 19), 0);
  ck_assert_int_eq(e[1].listed, 0);
  ck_assert_int_eq((int)e[1].value_len, 15);
  ck_assert_int_eq(memcmp(e[1].value, "127.255.255.254", 15), 0);
  ck_assert_int_eq(e[2].listed, 0);
  ck_assert_int_eq(memcmp(e[2].value, "timeout", 7), 0);
  ck_assert_int_eq(dnsbl_cell_parse(want, strlen(want), e, 2, &ne), -E2BIG);
  ck_assert_int_eq(dnsbl_cell_parse("", 0, e, 4, &ne), 0);
  ck_assert_uint_eq(ne, 0);
}
END_TEST

START_TEST(cell_more_codes_and_bad) {
  const char *ten[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6",
                       "127.0.0.7", "127.0.0.8", "127.0.0.9", "127.0.0.10", NULL};
  struct dnsbl_outcome o = classify(0, ten);
  const char *l[] = {"x"};
  char cell[DNSBL_CELL_MAX(1)];
  dnsbl_cell_format(cell, sizeof cell, l, &o, 1);
  ck_assert_str_eq(cell, "x=127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,"
                         "127.0.0.8,127.0.0.9+");
  struct dnsbl_cell_entry e[2];
  size_t ne;
  ck_assert_int_eq(dnsbl_cell_parse(cell, strlen(cell), e, 2, &ne), 0);
  ck_assert_uint_eq(ne, 1);
  static const char *const bad[] = {"x", "=127.0.0.2", "x=", "x=error:", "x=127.0.0",
                                    "x=127.0.0.2,", "x=127.0.0.2;", ";x=127.0.0.2",
                                    "x=hello", "x=127.0.0.02"};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(dnsbl_cell_parse(bad[i], strlen(bad[i]), e, 2, &ne) == -EINVAL, "%s", bad[i]);
}
END_TEST

/* ---- health ------------------------------------------------------------------ */

static struct dnsbl_outcome of(int kind) {
  struct dnsbl_outcome o;
  const char *listed[] = {"127.0.0.2", NULL}, *code[] = {"127.255.255.254", NULL},
             *inval[] = {"127.0.0.1", NULL};
  switch (kind) {
  case 'L': return classify(0, listed);
  case 'N': return classify(3, NULL);
  case 'C': return classify(0, code);
  case 'I': return classify(0, inval);
  case 'T': dnsbl_classify(DNS_TIMEOUT, NULL, 0, Q, &o); return o;
  default: dnsbl_outcome_stopped(&o); return o;
  }
}

/* Feed a string of outcome kinds; returns the index of the STOP, or -1. */
static int feed(struct dnsbl_health *h, const char *kinds) {
  for (int i = 0; kinds[i]; i++) {
    struct dnsbl_outcome o = of(kinds[i]);
    enum dnsbl_health_action a = dnsbl_health_note(h, &o);
    if (a == DNSBL_HEALTH_STOP) return i;
    ck_assert_int_eq(a, DNSBL_HEALTH_CONTINUE);
  }
  return -1;
}

START_TEST(health_thresholds) {
  struct dnsbl_health *h;
  ck_assert_int_eq(DNSBL_HEALTH_WINDOW, 100);
  ck_assert_int_eq(DNSBL_HEALTH_PERCENT, 50);
  ck_assert_int_eq(dnsbl_health_new(&h, 0, 50), -EINVAL);
  ck_assert_int_eq(dnsbl_health_new(&h, 20, 100), -EINVAL);

  /* Exactly half of 20 bad: not more than half, go on. */
  ck_assert_int_eq(dnsbl_health_new(&h, 20, 50), 0);
  ck_assert_int_eq(feed(h, "CCCCCCCCCCNNNNNNNNNN"), -1);
  /* 11 of the next 20 (codes and invalid answers): stop at the 20th. */
  ck_assert_int_eq(feed(h, "CCCCCCIIIIILLLLLLLLN"), 19);
  ck_assert_int_eq(dnsbl_health_stopped(h), 1);
  struct dnsbl_outcome o = of('N');
  ck_assert_int_eq(dnsbl_health_note(h, &o), DNSBL_HEALTH_STOPPED);
  uint64_t ans, bad;
  dnsbl_health_counts(h, &ans, &bad);
  ck_assert_uint_eq(ans, 40);
  ck_assert_uint_eq(bad, 21);
  dnsbl_health_free(h);

  /* Timeouts are not the list's answers: they neither count nor stop. */
  ck_assert_int_eq(dnsbl_health_new(&h, 20, 50), 0);
  ck_assert_int_eq(feed(h, "TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTSSSS"), -1);
  dnsbl_health_counts(h, &ans, &bad);
  ck_assert_uint_eq(ans, 0);
  /* 19 codes then timeouts: the window is not full yet. */
  ck_assert_int_eq(feed(h, "CCCCCCCCCCCCCCCCCCCTTTT"), -1);
  ck_assert_int_eq(feed(h, "C"), 0);
  dnsbl_health_free(h);
  dnsbl_health_free(NULL);
}
END_TEST

/* ---- lists --------------------------------------------------------------------- */

START_TEST(list_add_rules) {
  struct dnsbl_list l[3];
  size_t n = 0;
  char err[256];
  ck_assert_int_eq(dnsbl_list_add(l, 3, &n, "Zen.Spamhaus.ORG.", NULL, err, sizeof err), 0);
  ck_assert_str_eq(l[0].zone, "zen.spamhaus.org");
  ck_assert_str_eq(l[0].label, "zen.spamhaus.org");
  ck_assert_int_eq(dnsbl_list_add(l, 3, &n, "bl.example", "mine", err, sizeof err), 0);
  ck_assert_str_eq(l[1].label, "mine");
  ck_assert_int_eq(dnsbl_list_add(l, 3, &n, "zen.spamhaus.org", "z", err, sizeof err), -EINVAL);
  ck_assert_str_eq(err, "field 1 (zone): zen.spamhaus.org is already listed");
  ck_assert_int_eq(dnsbl_list_add(l, 3, &n, "other.example", "mine", err, sizeof err), -EINVAL);
  ck_assert_str_eq(err, "field 2 (label): mine is already used");
  static const char *const badz[] = {"", ".", "a..b", "a b", "bl.example;x", ".a"};
  for (unsigned i = 0; i < sizeof badz / sizeof badz[0]; i++)
    ck_assert_msg(dnsbl_list_add(l, 3, &n, badz[i], NULL, err, sizeof err) == -EINVAL, "%s",
                  badz[i]);
  static const char *const badl[] = {"", "a=b", "a;b", "a,b", "a b"};
  for (unsigned i = 0; i < sizeof badl / sizeof badl[0]; i++)
    ck_assert_msg(dnsbl_list_add(l, 3, &n, "x.example", badl[i], err, sizeof err) == -EINVAL,
                  "%s", badl[i]);
  ck_assert_uint_eq(n, 2);
  ck_assert_int_eq(dnsbl_list_add(l, 3, &n, "x.example", NULL, err, sizeof err), 0);
  ck_assert_int_eq(dnsbl_list_add(l, 3, &n, "y.example", NULL, err, sizeof err), -E2BIG);
}
END_TEST

START_TEST(file_parse) {
  struct dnsbl_list l[8];
  size_t n = 0;
  char err[256];
  const char *text = "# lists we may use\n"
                     "\n"
                     "zen.spamhaus.org   zen  # Spamhaus\r\n"
                     "\tbl.example\n"
                     "   \n"
                     "v6.example. v6";
  ck_assert_int_eq(dnsbl_file_parse(text, strlen(text), "lists.txt", l, 8, &n, err, sizeof err), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(l[0].zone, "zen.spamhaus.org");
  ck_assert_str_eq(l[0].label, "zen");
  ck_assert_str_eq(l[1].zone, "bl.example");
  ck_assert_str_eq(l[1].label, "bl.example");
  ck_assert_str_eq(l[2].zone, "v6.example");
  ck_assert_str_eq(l[2].label, "v6");

  n = 0;
  const char *three = "a.example\nb.example lab extra\n";
  ck_assert_int_eq(dnsbl_file_parse(three, strlen(three), "f", l, 8, &n, err, sizeof err), -EINVAL);
  ck_assert_str_eq(err, "f:2: field 3: unexpected (a line is ZONE [LABEL])");
  n = 0;
  const char *badz = "a.example\n\nb..example\n";
  ck_assert_int_eq(dnsbl_file_parse(badz, strlen(badz), "f", l, 8, &n, err, sizeof err), -EINVAL);
  ck_assert_str_eq(err, "f:3: field 1 (zone): empty label in zone");
  n = 0;
  const char *badl = "a.example a=b\n";
  ck_assert_int_eq(dnsbl_file_parse(badl, strlen(badl), "f", l, 8, &n, err, sizeof err), -EINVAL);
  ck_assert_str_eq(err,
                   "f:1: field 2 (label): label holds a byte other than a letter, digit, '.', '-' or '_'");
  n = 0;
  const char nul[] = "a.example\nb\0.example\n";
  ck_assert_int_eq(dnsbl_file_parse(nul, sizeof nul - 1, "f", l, 8, &n, err, sizeof err), -EINVAL);
  ck_assert_str_eq(err, "f:2: a NUL byte");
  n = 0;
  const char *dup = "a.example x\nb.example x\n";
  ck_assert_int_eq(dnsbl_file_parse(dup, strlen(dup), "f", l, 8, &n, err, sizeof err), -EINVAL);
  ck_assert_str_eq(err, "f:2: field 2 (label): x is already used");
  n = 0;
  ck_assert_int_eq(dnsbl_file_parse(text, strlen(text), "f", l, 2, &n, err, sizeof err), -E2BIG);
  ck_assert_str_eq(err, "f:6: more than 2 lists");
}
END_TEST

Suite *dnsbl_suite(void) {
  Suite *s = suite_create("dnsbl");
  TCase *t = tcase_create("core");
  tcase_add_test(t, qname_ipv4);
  tcase_add_test(t, qname_ipv6);
  tcase_add_test(t, qname_v4mapped);
  tcase_add_test(t, qname_errors);
  tcase_add_test(t, classify_listed);
  tcase_add_test(t, classify_not_listed);
  tcase_add_test(t, classify_error_codes);
  tcase_add_test(t, classify_invalid);
  tcase_add_test(t, classify_lookup_errors);
  tcase_add_test(t, cell_format_parse);
  tcase_add_test(t, cell_more_codes_and_bad);
  tcase_add_test(t, health_thresholds);
  tcase_add_test(t, list_add_rules);
  tcase_add_test(t, file_parse);
  suite_add_tcase(s, t);
  return s;
}
