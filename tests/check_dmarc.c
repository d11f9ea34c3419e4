/* SPDX-License-Identifier: MIT */
/*
 * check_dmarc.c - DMARC record discovery and parsing (dmarc.h, RFC 7489
 * sections 6.3, 6.4, 6.6.3) on hand-written records; the expected cells
 * are written from dmarc.h's table.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "dmarc.h"

/* The cell for TXT records at the domain (NULL-ended), falling back to
 * the organisational domain's records `org` when the domain has none. */
static const char *cell_of(const char *const *at_domain, const char *const *org) {
  static char cell[DMARC_CELL_MAX];
  size_t lens[8], n = 0;
  struct dmarc_record r;
  struct dmarc_result res;
  int from_org = 0;
  while (at_domain[n]) lens[n] = strlen(at_domain[n]), n++;
  size_t count = dmarc_select(at_domain, lens, n, &r);
  if (count == 0 && org) {
    for (n = 0; org[n]; n++) lens[n] = strlen(org[n]);
    count = dmarc_select(org, lens, n, &r);
    from_org = 1;
  }
  dmarc_result(&r, count, from_org, &res);
  ck_assert_int_gt(dmarc_cell_format(cell, sizeof cell, &res), 0);
  return cell;
}

static const char *one(const char *rec) {
  const char *set[] = {rec, NULL};
  return cell_of(set, NULL);
}

START_TEST(version_rules) {
  ck_assert_int_eq(dmarc_is_record("v=DMARC1; p=none", 16), 1);
  ck_assert_int_eq(dmarc_is_record("V = DMARC1 ;p=none", 18), 1);
  ck_assert_int_eq(dmarc_is_record("v=DMARC1", 8), 1);
  ck_assert_int_eq(dmarc_is_record("v=dmarc1; p=none", 16), 0);  /* %x: case-sensitive */
  ck_assert_int_eq(dmarc_is_record("v=DMARC10; p=none", 17), 0);
  ck_assert_int_eq(dmarc_is_record(" v=DMARC1; p=none", 17), 0); /* not at the start */
  ck_assert_int_eq(dmarc_is_record("p=none; v=DMARC1", 16), 0);
  ck_assert_int_eq(dmarc_is_record("v=spf1 -all", 11), 0);
  ck_assert_int_eq(dmarc_is_record("", 0), 0);
}
END_TEST

START_TEST(policies) {
  ck_assert_str_eq(one("v=DMARC1; p=reject"), "p=reject");
  ck_assert_str_eq(one("v=DMARC1; p=quarantine; rua=mailto:d@example.com"), "p=quarantine");
  ck_assert_str_eq(one("v=DMARC1;p=none"), "p=none");
  /* White space and case (section 6.4). */
  ck_assert_str_eq(one("v = DMARC1 ;\tP = Reject ; SP=NONE ;"), "p=reject sp=none");
  /* sp shown only when it differs from p. */
  ck_assert_str_eq(one("v=DMARC1; p=reject; sp=reject"), "p=reject");
  ck_assert_str_eq(one("v=DMARC1; p=none; sp=quarantine"), "p=none sp=quarantine");
  /* pct shown when given and not 100; a bad pct is ignored. */
  ck_assert_str_eq(one("v=DMARC1; p=quarantine; pct=25"), "p=quarantine pct=25");
  ck_assert_str_eq(one("v=DMARC1; p=quarantine; pct=100"), "p=quarantine");
  ck_assert_str_eq(one("v=DMARC1; p=quarantine; pct=250"), "p=quarantine");
  ck_assert_str_eq(one("v=DMARC1; p=quarantine; pct=x"), "p=quarantine");
  /* Unknown tags and empty parts are ignored; tags in any order. */
  ck_assert_str_eq(one("v=DMARC1;; foo=bar; adkim=s; p=reject;;"), "p=reject");
}
END_TEST

START_TEST(record_fields) {
  struct dmarc_record r;
  const char *t = "v=DMARC1; p=reject; adkim=S; aspf=x; pct=50; rua=mailto:a@example.com!10m";
  ck_assert_int_eq(dmarc_parse(t, strlen(t), &r), 0);
  ck_assert_int_eq(r.valid, 1);
  ck_assert_int_eq(r.p, DMARC_P_REJECT);
  ck_assert_int_eq(r.sp, DMARC_P_REJECT); /* no sp: p (section 6.3) */
  ck_assert_int_eq(r.has_sp, 0);
  ck_assert_int_eq(r.adkim, 's');
  ck_assert_int_eq(r.aspf, 'r'); /* bad: default */
  ck_assert_uint_eq(r.pct, 50);
  ck_assert_int_eq(r.rua_valid, 1);
  ck_assert_str_eq(r.reason, "");
  ck_assert_int_eq(dmarc_parse("v=spf1 -all", 11, &r), -EINVAL);
  ck_assert_str_eq(r.reason, "not a v=DMARC1 record");
}
END_TEST

START_TEST(invalid_records) {
  ck_assert_str_eq(one("v=DMARC1"), "invalid: no p tag");
  ck_assert_str_eq(one("v=DMARC1; sp=reject"), "invalid: no p tag");
  ck_assert_str_eq(one("v=DMARC1; p=block"), "invalid: p=block is not none, quarantine or reject");
  ck_assert_str_eq(one("v=DMARC1; p="), "invalid: p= is not none, quarantine or reject");
  ck_assert_str_eq(one("v=DMARC1; p=reject; sp=maybe"),
                   "invalid: sp=maybe is not none, quarantine or reject");
  ck_assert_str_eq(one("v=DMARC1; p=reject; p=none"), "invalid: the tag p is given twice");
  ck_assert_str_eq(one("v=DMARC1; p reject"), "invalid: a tag without '=': p?reject");
  ck_assert_str_eq(one("v=DMARC1; =reject"), "invalid: a tag without a name");
  /* Section 6.6.3 step 6: with a valid rua a receiver acts as p=none. */
  ck_assert_str_eq(one("v=DMARC1; p=bogus; rua=mailto:dmarc@example.com"),
                   "invalid: p=bogus is not none, quarantine or reject (acts as p=none)");
  ck_assert_str_eq(one("v=DMARC1; rua=mailto:dmarc@example.com"),
                   "invalid: no p tag (acts as p=none)");
  ck_assert_str_eq(one("v=DMARC1; rua=not-a-uri"), "invalid: no p tag");
  ck_assert_str_eq(one("v=DMARC1; rua=mailto:"), "invalid: no p tag");
  /* A long bad value is cut in the reason. */
  ck_assert_str_eq(one("v=DMARC1; p=abcdefghijklmnopqrstuvwxyz"),
                   "invalid: p=abcdefghijklmnopqrst... is not none, quarantine or reject");
}
END_TEST

START_TEST(discovery) {
  /* No TXT record at all, or none that is DMARC. */
  const char *none[] = {NULL};
  ck_assert_str_eq(cell_of(none, NULL), "none");
  const char *other[] = {"v=spf1 -all", "google-site-verification=abc", NULL};
  ck_assert_str_eq(cell_of(other, NULL), "none");
  /* One DMARC record among others. */
  const char *mixed[] = {"v=spf1 -all", "v=DMARC1; p=reject", NULL};
  ck_assert_str_eq(cell_of(mixed, NULL), "p=reject");
  /* Two DMARC records: DMARC not applied (step 5), and no fallback. */
  const char *two[] = {"v=DMARC1; p=reject", "v=DMARC1; p=none", NULL};
  const char *org[] = {"v=DMARC1; p=quarantine", NULL};
  ck_assert_str_eq(cell_of(two, org), "none: 2 records");
  /* Two records of which one invalid still count as two. */
  const char *two_bad[] = {"v=DMARC1; p=reject", "v=DMARC1", NULL};
  ck_assert_str_eq(cell_of(two_bad, NULL), "none: 2 records");
  /* Nothing at the domain: the organisational domain's record. */
  ck_assert_str_eq(cell_of(none, org), "p=quarantine");
  ck_assert_str_eq(cell_of(other, org), "p=quarantine");
  /* A record at the domain wins over the organisational one. */
  const char *own[] = {"v=DMARC1; p=none", NULL};
  ck_assert_str_eq(cell_of(own, org), "p=none");
}
END_TEST

START_TEST(applied_policy) {
  struct dmarc_record r;
  struct dmarc_result res;
  const char *t = "v=DMARC1; p=reject; sp=none";
  const char *set[] = {t};
  size_t len = strlen(t);
  ck_assert_uint_eq(dmarc_select(set, &len, 1, &r), 1);
  dmarc_result(&r, 1, 0, &res);
  ck_assert_int_eq(res.state, DMARC_POLICY);
  ck_assert_int_eq(res.applied, DMARC_P_REJECT);
  dmarc_result(&r, 1, 1, &res); /* a subdomain sender: sp applies */
  ck_assert_int_eq(res.applied, DMARC_P_NONE);
  ck_assert_int_eq(res.from_org, 1);
  const char *t2 = "v=DMARC1; p=quarantine";
  len = strlen(t2);
  set[0] = t2;
  dmarc_select(set, &len, 1, &r);
  dmarc_result(&r, 1, 1, &res); /* no sp: p applies to subdomains too */
  ck_assert_int_eq(res.applied, DMARC_P_QUARANTINE);
  char small[4];
  ck_assert_int_eq(dmarc_cell_format(small, sizeof small, &res), -ENOSPC);
  ck_assert_str_eq(small, "");
  ck_assert_str_eq(dmarc_policy_name(DMARC_P_REJECT), "reject");
}
END_TEST

Suite *dmarc_suite(void) {
  Suite *s = suite_create("dmarc");
  TCase *t = tcase_create("core");
  tcase_add_test(t, version_rules);
  tcase_add_test(t, policies);
  tcase_add_test(t, record_fields);
  tcase_add_test(t, invalid_records);
  tcase_add_test(t, discovery);
  tcase_add_test(t, applied_policy);
  suite_add_tcase(s, t);
  return s;
}
