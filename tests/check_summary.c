/* SPDX-License-Identifier: MIT */
/*
 * check_summary.c - aggregation of report rows: totals per verdict and
 * flag, prefix and --by groups, worst-first order, the caps ("(other)",
 * maps beyond the cap), the /16 maps, bad rows, the text output.  Every
 * expected count and line is written out by hand from the rows fed in.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "addr.h"
#include "summary.h"

/* The columns every test uses: a cut-down report plus one inventory
 * column. */
static const char *const cols[] = {"ip", "verdict", "flags", "iprev", "checked_at",
                                   "customer"};
#define NCOLS (sizeof cols / sizeof cols[0])

static struct summary *mk(const char *by) {
  struct summary *s;
  char err[256];
  ck_assert_int_eq(summary_new(&s, cols, NCOLS, by, err, sizeof err), 0);
  return s;
}

static int add(struct summary *s, const char *ip, const char *verdict, const char *flags,
               const char *customer) {
  const char *f[NCOLS] = {ip, verdict, flags, "", "2024-05-01T02:00:00Z", customer};
  return summary_add(s, f, NULL);
}

static int add_at(struct summary *s, const char *ip, const char *verdict, const char *at) {
  const char *f[NCOLS] = {ip, verdict, "", "", at, ""};
  return summary_add(s, f, NULL);
}

/* Flag bit index of a name, by hand (verdict.h order). */
enum { NO_PTR = 0, PTR_TEMPERROR = 1, MULTI_PTR = 2, PTR_CNAME = 3, FCRDNS_MISMATCH = 5,
       GENERIC_PTR = 6, NO_SMTP = 7, BANNER_MISMATCH = 9 };

static struct summary_row row(const char *ip, enum verdict v, uint32_t flags) {
  struct summary_row r;
  memset(&r, 0, sizeof r);
  ck_assert_int_eq(addr_parse(&r.addr, ip, strlen(ip)), 0);
  r.verdict = v;
  r.flags = flags;
  return r;
}

/* The ranking of the worst rows (summary.h): verdict level, then flags of
 * level warn or above, then all flags, then the address. */
START_TEST(test_row_ranking) {
  struct summary_row fail1 = row("192.0.2.9", VERDICT_FAIL, 1u << NO_PTR);
  struct summary_row fail2 = row("192.0.2.200", VERDICT_FAIL, 1u << FCRDNS_MISMATCH | 1u << BANNER_MISMATCH);
  struct summary_row fail1i = row("192.0.2.8", VERDICT_FAIL, 1u << NO_PTR | 1u << NO_SMTP);
  struct summary_row unk = row("10.0.0.1", VERDICT_UNKNOWN, 1u << PTR_TEMPERROR | 1u << GENERIC_PTR);
  struct summary_row warn3 = row("10.0.0.2", VERDICT_WARN,
                                 1u << MULTI_PTR | 1u << PTR_CNAME | 1u << GENERIC_PTR);
  struct summary_row warn1 = row("10.0.0.3", VERDICT_WARN, 1u << MULTI_PTR);
  struct summary_row v6 = row("2001:db8::1", VERDICT_FAIL, 1u << NO_PTR);
  struct summary_row v4 = row("203.0.113.1", VERDICT_FAIL, 1u << NO_PTR);
  /* in worst-first order */
  const struct summary_row *want[] = {&fail2, &fail1i, &fail1, &v4, &v6, &unk, &warn3, &warn1};
  size_t n = sizeof want / sizeof want[0];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      int c = summary_row_cmp(want[i], want[j]);
      if (i < j) ck_assert_msg(c < 0, "%zu before %zu", i, j);
      else if (i > j) ck_assert_msg(c > 0, "%zu after %zu", i, j);
      else ck_assert_int_eq(c, 0);
    }
  /* fail beats unknown whatever the flags; invalid (level 3) is not fed */
  ck_assert_int_lt(summary_row_cmp(&fail1, &unk), 0);
}
END_TEST

/* The heap keeps the k worst of many rows, in bounded memory, the same
 * ones for any input order. */
START_TEST(test_worst_rows_heap) {
  for (int pass = 0; pass < 2; pass++) {
    struct summary *s = mk(NULL);
    summary_set_worst_max(s, 3);
    /* 1000 warn rows, 3 fail rows spread among them, 10 unknown */
    for (int k = 0; k < 1000; k++) {
      int i = pass ? 999 - k : k;
      char ip[32];
      snprintf(ip, sizeof ip, "10.1.%d.%d", i / 256, i % 256);
      const char *v = i == 17 || i == 500 || i == 998 ? "fail" : i % 100 == 0 ? "unknown" : "warn";
      const char *fl = !strcmp(v, "fail") ? "NO_PTR" : !strcmp(v, "unknown") ? "PTR_TEMPERROR"
                                                                          : "GENERIC_PTR";
      ck_assert_int_eq(add(s, ip, v, fl, ""), 0);
    }
    ck_assert_int_eq(add(s, "10.2.0.1", "ok", "", ""), 0);
    ck_assert_int_eq(add(s, "bogus", "invalid", "", ""), 0);
    struct summary_row *r;
    size_t n;
    uint64_t cand;
    ck_assert_int_eq(summary_worst_rows(s, &r, &n, &cand), 0);
    ck_assert_uint_eq(cand, 1000);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(r[0].ip, "10.1.0.17");
    ck_assert_str_eq(r[1].ip, "10.1.1.244"); /* 500 */
    ck_assert_str_eq(r[2].ip, "10.1.3.230"); /* 998 */
    ck_assert_int_eq(r[0].verdict, VERDICT_FAIL);
    ck_assert_uint_eq(r[0].flags, 1u << NO_PTR);
    free(r);
    summary_free(s);
  }
  /* a cap of 4: the three fails, then the first unknown by address */
  struct summary *s = mk(NULL);
  summary_set_worst_max(s, 4);
  ck_assert_int_eq(add(s, "10.0.0.5", "unknown", "PTR_TEMPERROR", ""), 0);
  ck_assert_int_eq(add(s, "10.0.0.4", "unknown", "PTR_TEMPERROR", ""), 0);
  ck_assert_int_eq(add(s, "10.0.0.3", "fail", "NO_PTR", ""), 0);
  ck_assert_int_eq(add(s, "10.0.0.2", "fail", "NO_PTR", ""), 0);
  ck_assert_int_eq(add(s, "10.0.0.1", "fail", "NO_PTR", ""), 0);
  struct summary_row *r;
  size_t n;
  ck_assert_int_eq(summary_worst_rows(s, &r, &n, NULL), 0);
  ck_assert_uint_eq(n, 4);
  ck_assert_str_eq(r[0].ip, "10.0.0.1");
  ck_assert_str_eq(r[2].ip, "10.0.0.3");
  ck_assert_str_eq(r[3].ip, "10.0.0.4");
  free(r);
  summary_free(s);
}
END_TEST

START_TEST(test_totals) {
  struct summary *s = mk(NULL);
  ck_assert_int_eq(add(s, "192.0.2.1", "ok", "", ""), 0);
  ck_assert_int_eq(add(s, "192.0.2.2", "fail", "NO_PTR", ""), 0);
  ck_assert_int_eq(add(s, "192.0.2.3", "fail", "FCRDNS_MISMATCH BANNER_MISMATCH", ""), 0);
  ck_assert_int_eq(add(s, "192.0.2.4", "warn", "MULTI_PTR PTR_CNAME", ""), 0);
  ck_assert_int_eq(add(s, "198.51.100.7", "unknown", "PTR_TEMPERROR NO_SMTP", ""), 0);
  ck_assert_int_eq(add(s, "2001:db8::1", "warn", "GENERIC_PTR", ""), 0);
  ck_assert_int_eq(add(s, "not-an-ip", "invalid", "", ""), 0);
  ck_assert_int_eq(add(s, "203.0.113.9", "skipped", "", ""), 0);
  const struct summary_counts *c = summary_total(s);
  ck_assert_uint_eq(c->rows, 8);
  ck_assert_uint_eq(c->verdict[VERDICT_OK], 1);
  ck_assert_uint_eq(c->verdict[VERDICT_FAIL], 2);
  ck_assert_uint_eq(c->verdict[VERDICT_WARN], 2);
  ck_assert_uint_eq(c->verdict[VERDICT_UNKNOWN], 1);
  ck_assert_uint_eq(c->verdict[VERDICT_INVALID], 1);
  ck_assert_uint_eq(c->verdict[VERDICT_SKIPPED], 1);
  ck_assert_uint_eq(c->flag[NO_PTR], 1);
  ck_assert_uint_eq(c->flag[FCRDNS_MISMATCH], 1);
  ck_assert_uint_eq(c->flag[BANNER_MISMATCH], 1);
  ck_assert_uint_eq(c->flag[MULTI_PTR], 1);
  ck_assert_uint_eq(c->flag[PTR_CNAME], 1);
  ck_assert_uint_eq(c->flag[PTR_TEMPERROR], 1);
  ck_assert_uint_eq(c->flag[NO_SMTP], 1);
  ck_assert_uint_eq(c->flag[GENERIC_PTR], 1);
  ck_assert_uint_eq(summary_rows_without_address(s), 1);
  ck_assert_uint_eq(summary_rows_ipv6(s), 1);
  /* 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/48 */
  ck_assert_uint_eq(summary_ngroups(s, SUMMARY_PREFIX), 4);
  ck_assert_uint_eq(summary_ngroups(s, SUMMARY_BY), 0);
  ck_assert_ptr_null(summary_by_column(s));
  summary_free(s);
}
END_TEST

START_TEST(test_worst_first_prefixes) {
  struct summary *s = mk(NULL);
  /* 10.0.0.0/24: 1 fail.  9.0.0.0/24: 1 fail (tie; 9 < 10 numerically).
   * 10.0.1.0/24: 1 fail + 1 unknown.  10.0.2.0/24: 2 warn.  10.0.3.0/24:
   * 1 unknown.  10.0.4.0/24: ok only.  2001:db8:1::/48: 3 fail. */
  add(s, "10.0.0.1", "fail", "NO_PTR", "");
  add(s, "10.0.0.2", "ok", "", "");
  add(s, "9.0.0.200", "fail", "NO_PTR", "");
  add(s, "10.0.1.1", "fail", "NO_PTR", "");
  add(s, "10.0.1.2", "unknown", "PTR_TEMPERROR", "");
  add(s, "10.0.2.1", "warn", "MULTI_PTR", "");
  add(s, "10.0.2.2", "warn", "MULTI_PTR", "");
  add(s, "10.0.3.9", "unknown", "PTR_TEMPERROR", "");
  add(s, "10.0.4.9", "ok", "", "");
  add(s, "2001:db8:1:ffff::1", "fail", "NO_PTR", "");
  add(s, "2001:db8:1::2", "fail", "NO_PTR", "");
  add(s, "2001:db8:1:0:0:0:0:3", "fail", "NO_PTR", "");
  struct summary_group *g;
  size_t n;
  ck_assert_int_eq(summary_worst(s, SUMMARY_PREFIX, 0, &g, &n), 0);
  ck_assert_uint_eq(n, 7);
  ck_assert_str_eq(g[0].key, "2001:db8:1::/48");
  ck_assert_uint_eq(g[0].c.rows, 3);
  ck_assert_uint_eq(g[0].c.verdict[VERDICT_FAIL], 3);
  ck_assert_str_eq(g[1].key, "10.0.1.0/24");
  ck_assert_str_eq(g[2].key, "9.0.0.0/24");
  ck_assert_str_eq(g[3].key, "10.0.0.0/24");
  ck_assert_uint_eq(g[3].c.rows, 2);
  ck_assert_uint_eq(g[3].c.verdict[VERDICT_OK], 1);
  ck_assert_str_eq(g[4].key, "10.0.3.0/24");
  ck_assert_str_eq(g[5].key, "10.0.2.0/24");
  ck_assert_uint_eq(g[5].c.flag[MULTI_PTR], 2);
  ck_assert_str_eq(g[6].key, "10.0.4.0/24");
  free(g);
  ck_assert_int_eq(summary_worst(s, SUMMARY_PREFIX, 2, &g, &n), 0);
  ck_assert_uint_eq(n, 2);
  ck_assert_str_eq(g[1].key, "10.0.1.0/24");
  free(g);
  summary_free(s);
}
END_TEST

START_TEST(test_by_column) {
  struct summary *s = mk("Customer"); /* column names match case-insensitively */
  ck_assert_str_eq(summary_by_column(s), "customer");
  add(s, "192.0.2.1", "ok", "", "acme");
  add(s, "192.0.2.2", "warn", "MULTI_PTR", "acme");
  add(s, "192.0.2.3", "fail", "NO_PTR", "zeta");
  add(s, "192.0.2.4", "warn", "MULTI_PTR", "beta");
  add(s, "192.0.2.5", "ok", "", "");
  add(s, "192.0.2.6", "ok", "", "evil\n<b>");      /* raw control byte */
  add(s, "192.0.2.7", "ok", "", "=cmd|calc");      /* CSV injection guard */
  struct summary_group *g;
  size_t n;
  ck_assert_int_eq(summary_worst(s, SUMMARY_BY, 0, &g, &n), 0);
  ck_assert_uint_eq(n, 6);
  ck_assert_str_eq(g[0].key, "zeta");
  ck_assert_str_eq(g[1].key, "acme"); /* warn 1, tie with beta: bytewise */
  ck_assert_uint_eq(g[1].c.rows, 2);
  ck_assert_str_eq(g[2].key, "beta");
  ck_assert_str_eq(g[3].key, "");
  ck_assert_str_eq(g[4].key, "'=cmd|calc");
  ck_assert_str_eq(g[5].key, "evil\\x0a<b>");
  free(g);
  ck_assert_uint_eq(summary_ngroups(s, SUMMARY_PREFIX), 1);
  summary_free(s);
}
END_TEST

START_TEST(test_by_key_cap) {
  struct summary *s = mk("customer");
  char a[400], b[400];
  memset(a, 'x', 300);
  a[300] = '\0';
  memcpy(b, a, 301);
  b[299] = 'y'; /* differs after the first 256 bytes: same group */
  add(s, "192.0.2.1", "ok", "", a);
  add(s, "192.0.2.2", "ok", "", b);
  ck_assert_uint_eq(summary_ngroups(s, SUMMARY_BY), 1);
  struct summary_group *g;
  size_t n;
  ck_assert_int_eq(summary_worst(s, SUMMARY_BY, 0, &g, &n), 0);
  ck_assert_uint_eq(strlen(g[0].key), 256);
  ck_assert_uint_eq(g[0].c.rows, 2);
  free(g);
  /* The cap is on the escaped text: 100 control bytes escape to 400
   * characters; the key keeps the first 64 whole escapes (256 bytes). */
  memset(a, 1, 100);
  a[100] = '\0';
  add(s, "192.0.2.3", "ok", "", a);
  ck_assert_int_eq(summary_worst(s, SUMMARY_BY, 0, &g, &n), 0);
  ck_assert_uint_eq(n, 2);
  ck_assert_uint_eq(strlen(g[0].key), 256);
  ck_assert_int_eq(strncmp(g[0].key, "\\x01\\x01", 8), 0);
  ck_assert_str_eq(g[0].key + 252, "\\x01");
  free(g);
  summary_free(s);
}
END_TEST

START_TEST(test_group_cap) {
  struct summary *s = mk("customer");
  summary_set_caps(s, 3, 0);
  add(s, "10.0.0.1", "ok", "", "a");
  add(s, "10.0.1.1", "ok", "", "b");
  add(s, "10.0.2.1", "fail", "NO_PTR", "c");
  add(s, "10.0.3.1", "fail", "NO_PTR", "d"); /* 4th /24 and 4th customer */
  add(s, "10.0.4.1", "warn", "MULTI_PTR", "e");
  add(s, "10.0.0.2", "ok", "", "a");         /* existing groups still count */
  ck_assert_uint_eq(summary_ngroups(s, SUMMARY_PREFIX), 3);
  ck_assert_uint_eq(summary_ngroups(s, SUMMARY_BY), 3);
  struct summary_counts oc;
  ck_assert_uint_eq(summary_other(s, SUMMARY_PREFIX, &oc), 2);
  ck_assert_uint_eq(oc.rows, 2);
  ck_assert_uint_eq(oc.verdict[VERDICT_FAIL], 1);
  ck_assert_uint_eq(oc.verdict[VERDICT_WARN], 1);
  ck_assert_uint_eq(summary_other(s, SUMMARY_BY, NULL), 2);
  struct summary_group *g;
  size_t n;
  ck_assert_int_eq(summary_worst(s, SUMMARY_PREFIX, 0, &g, &n), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(g[0].key, "10.0.2.0/24");
  ck_assert_str_eq(g[1].key, "10.0.0.0/24");
  ck_assert_uint_eq(g[1].c.rows, 2);
  free(g);
  /* Totals are exact whatever the caps. */
  ck_assert_uint_eq(summary_total(s)->rows, 6);
  ck_assert_uint_eq(summary_total(s)->verdict[VERDICT_FAIL], 2);
  summary_free(s);
}
END_TEST

START_TEST(test_many_rows_one_group) {
  /* Rows stream through without new memory once their group exists. */
  struct summary *s = mk(NULL);
  char ip[32];
  for (unsigned i = 0; i < 200000; i++) {
    snprintf(ip, sizeof ip, "10.%u.%u.%u", (i >> 16) & 3, (i >> 8) & 255, i & 255);
    ck_assert_int_eq(add(s, ip, i % 7 ? "ok" : "fail", i % 7 ? "" : "NO_PTR", ""), 0);
  }
  ck_assert_uint_eq(summary_total(s)->rows, 200000);
  ck_assert_uint_eq(summary_total(s)->verdict[VERDICT_FAIL], 28572); /* ceil(200000/7) */
  ck_assert_uint_eq(summary_ngroups(s, SUMMARY_PREFIX), 782);        /* ceil(200000/256) */
  ck_assert_uint_eq(summary_nmaps(s), 4);                           /* 10.0 .. 10.3 */
  summary_free(s);
}
END_TEST

START_TEST(test_maps) {
  struct summary *s = mk(NULL);
  summary_set_caps(s, 0, 2);
  add(s, "127.64.3.4", "fail", "NO_PTR", "");
  add(s, "10.1.0.0", "ok", "", "");
  add(s, "10.1.255.255", "warn", "MULTI_PTR", "");
  add(s, "192.0.2.1", "ok", "", "");   /* third /16: beyond the cap of 2 */
  add(s, "192.0.2.2", "ok", "", "");   /* same dropped /16: counted once */
  add(s, "198.51.100.1", "ok", "", ""); /* fourth */
  add(s, "2001:db8::1", "fail", "NO_PTR", ""); /* IPv6: never a map */
  add(s, "127.64.3.4", "ok", "", "");  /* repeated: fail stays */
  add(s, "10.1.0.0", "unknown", "PTR_TEMPERROR", ""); /* repeated: unknown beats ok */
  ck_assert_uint_eq(summary_nmaps(s), 2);
  ck_assert_uint_eq(summary_maps_dropped(s), 2);
  unsigned p16;
  const uint8_t *cell;
  struct summary_counts c;
  ck_assert_int_eq(summary_map(s, 0, &p16, &cell, &c), 0); /* address order */
  ck_assert_uint_eq(p16, 10u * 256 + 1);
  ck_assert_uint_eq(cell[0], VERDICT_UNKNOWN + 1);
  ck_assert_uint_eq(cell[65535], VERDICT_WARN + 1);
  ck_assert_uint_eq(cell[1], SUMMARY_CELL_NONE);
  ck_assert_uint_eq(c.rows, 3);
  ck_assert_int_eq(summary_map(s, 1, &p16, &cell, &c), 0);
  ck_assert_uint_eq(p16, 0x7f40);
  ck_assert_uint_eq(cell[3 * 256 + 4], VERDICT_FAIL + 1);
  ck_assert_uint_eq(c.rows, 2);
  ck_assert_uint_eq(c.verdict[VERDICT_FAIL], 1);
  ck_assert_int_eq(summary_map(s, 2, &p16, &cell, &c), UV_EINVAL);
  summary_free(s);
}
END_TEST

START_TEST(test_bad_rows) {
  struct summary *s = mk(NULL);
  ck_assert_int_eq(add(s, "192.0.2.1", "great", "", ""), UV_EINVAL);
  ck_assert_str_eq(summary_error(s),
                   "verdict 'great' is not ok, warn, unknown, fail, invalid or skipped");
  ck_assert_int_eq(add(s, "192.0.2.1", "", "", ""), UV_EINVAL);
  ck_assert_int_eq(add(s, "192.0.2.1", "OK", "", ""), UV_EINVAL); /* exact names */
  ck_assert_int_eq(add(s, "192.0.2.1", "fail", "NO_PTR BOGUS\x01", ""), UV_EINVAL);
  ck_assert_str_eq(summary_error(s), "flags: 'BOGUS\\x01' is not a ptraudit flag");
  ck_assert_uint_eq(summary_total(s)->rows, 0); /* nothing counted */
  ck_assert_uint_eq(summary_ngroups(s, SUMMARY_PREFIX), 0);
  /* Extra spaces between flags are tolerated. */
  ck_assert_int_eq(add(s, "192.0.2.1", "fail", " NO_PTR  MULTI_PTR ", ""), 0);
  ck_assert_str_eq(summary_error(s), "");
  ck_assert_uint_eq(summary_total(s)->flag[MULTI_PTR], 1);
  /* Strict address parsing: these are no addresses. */
  add(s, "010.0.0.1", "invalid", "", "");
  add(s, "192.0.2.1 ", "invalid", "", "");
  ck_assert_uint_eq(summary_rows_without_address(s), 2);
  summary_free(s);
}
END_TEST

START_TEST(test_new_errors) {
  struct summary *s = NULL;
  char err[512];
  const char *nocol[] = {"ip", "verdict", "iprev"};
  ck_assert_int_eq(summary_new(&s, nocol, 3, NULL, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_null(s);
  ck_assert_str_eq(err, "not a ptraudit report: no 'flags' column in the header");
  ck_assert_int_eq(summary_new(&s, cols, NCOLS, "owner", err, sizeof err), UV_EINVAL);
  ck_assert_str_eq(err, "--by: no column 'owner' in the report; columns are: ip, verdict, "
                        "flags, iprev, checked_at, customer");
}
END_TEST

START_TEST(test_fields_with_lengths) {
  /* Fields need not be NUL-terminated when lens are given; NULL is empty. */
  struct summary *s = mk("customer");
  const char *f[NCOLS] = {"192.0.2.99xxx", "failxx", "NO_PTRzz", NULL, NULL, "acme-corp"};
  size_t l[NCOLS] = {10, 4, 6, 0, 0, 4};
  ck_assert_int_eq(summary_add(s, f, l), 0);
  struct summary_group *g;
  size_t n;
  ck_assert_int_eq(summary_worst(s, SUMMARY_BY, 0, &g, &n), 0);
  ck_assert_str_eq(g[0].key, "acme");
  free(g);
  ck_assert_int_eq(summary_worst(s, SUMMARY_PREFIX, 0, &g, &n), 0);
  ck_assert_str_eq(g[0].key, "192.0.2.0/24");
  ck_assert_uint_eq(g[0].c.flag[NO_PTR], 1);
  free(g);
  ck_assert_str_eq(summary_first_checked(s), "");
  summary_free(s);
}
END_TEST

START_TEST(test_checked_range) {
  struct summary *s = mk(NULL);
  add_at(s, "192.0.2.1", "ok", "2024-05-01T02:03:00Z");
  add_at(s, "192.0.2.2", "ok", "2024-05-01T01:59:59Z");
  add_at(s, "192.0.2.3", "ok", "2024-05-01T02:10:00Z");
  add_at(s, "192.0.2.4", "ok", "");
  ck_assert_str_eq(summary_first_checked(s), "2024-05-01T01:59:59Z");
  ck_assert_str_eq(summary_last_checked(s), "2024-05-01T02:10:00Z");
  summary_free(s);
}
END_TEST

static char *print_to_string(struct summary *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(summary_print(s, f), 0);
  fclose(f);
  return buf;
}

START_TEST(test_print) {
  struct summary *s = mk("customer");
  summary_set_top(s, 1);
  ck_assert_uint_eq(summary_top(s), 1);
  add(s, "192.0.2.1", "ok", "", "acme");
  add(s, "192.0.2.2", "fail", "NO_PTR", "acme");
  add(s, "198.51.100.1", "warn", "MULTI_PTR GENERIC_PTR", "beta");
  add(s, "oops", "invalid", "", "beta");
  char *out = print_to_string(s);
  const char *want =
    "rows: 4, checked 2024-05-01T02:00:00Z .. 2024-05-01T02:00:00Z\n"
    "\n"
    "verdict        rows       %\n"
    "fail              1    25.0\n"
    "unknown           0     0.0\n"
    "warn              1    25.0\n"
    "ok                1    25.0\n"
    "invalid           1    25.0\n"
    "skipped           0     0.0\n"
    "\n"
    "flag                     rows\n"
    "NO_PTR                      1\n"
    "MULTI_PTR                   1\n"
    "GENERIC_PTR                 1\n"
    "\n"
    "worst prefixes (/24 IPv4, /48 IPv6): 1 of 2, most fail first, then unknown, then warn\n"
    "  prefix                   rows     fail  unknown     warn       ok  flags\n"
    "  192.0.2.0/24                2        1        0        0        1  NO_PTR=1\n"
    "\n"
    "worst by customer: 1 of 2, most fail first, then unknown, then warn\n"
    "  customer     rows     fail  unknown     warn       ok  flags\n"
    "  acme            2        1        0        0        1  NO_PTR=1\n"
    "\n"
    "note: 1 row has no address in the ip column (not in any prefix)\n";
  ck_assert_str_eq(out, want);
  free(out);
  summary_free(s);
}
END_TEST

START_TEST(test_print_other_and_empty) {
  struct summary *s = mk(NULL);
  char *out = print_to_string(s);
  ck_assert_ptr_nonnull(strstr(out, "rows: 0\n"));
  ck_assert_ptr_nonnull(strstr(out, "flag                     rows\n(none)\n"));
  ck_assert_ptr_nonnull(strstr(out, "0 of 0, most fail first, then unknown, then warn\n"
                                    "  (none)\n"));
  free(out);
  summary_free(s);

  s = mk(NULL);
  summary_set_caps(s, 1, 0);
  add(s, "192.0.2.1", "ok", "", "");
  add(s, "198.51.100.1", "fail", "NO_PTR", "");
  out = print_to_string(s);
  ck_assert_ptr_nonnull(strstr(out,
    "  (other)                     1        1        0        0        0  NO_PTR=1\n"
    "  note: more than 1 distinct groups; 1 row of further groups is counted together "
    "as (other)\n"));
  free(out);
  summary_free(s);
}
END_TEST

START_TEST(test_print_write_error) {
  struct summary *s = mk(NULL);
  add(s, "192.0.2.1", "ok", "", "");
  FILE *f = fopen("/dev/full", "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(summary_print(s, f), UV_EIO);
  fclose(f);
  summary_free(s);
}
END_TEST

Suite *summary_suite(void) {
  Suite *s = suite_create("summary");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_totals);
  tcase_add_test(tc, test_row_ranking);
  tcase_add_test(tc, test_worst_rows_heap);
  tcase_add_test(tc, test_worst_first_prefixes);
  tcase_add_test(tc, test_by_column);
  tcase_add_test(tc, test_by_key_cap);
  tcase_add_test(tc, test_group_cap);
  tcase_add_test(tc, test_many_rows_one_group);
  tcase_add_test(tc, test_maps);
  tcase_add_test(tc, test_bad_rows);
  tcase_add_test(tc, test_new_errors);
  tcase_add_test(tc, test_fields_with_lengths);
  tcase_add_test(tc, test_checked_range);
  tcase_add_test(tc, test_print);
  tcase_add_test(tc, test_print_other_and_empty);
  tcase_add_test(tc, test_print_write_error);
  suite_add_tcase(s, tc);
  return s;
}
