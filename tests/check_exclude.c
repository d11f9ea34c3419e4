/* SPDX-License-Identifier: MIT */
/* check_exclude.c - the exclusion set: merging, lookups at the edges,
 * counting the overlap with a span. */
#include <check.h>
#include <string.h>

#include "exclude.h"

static struct span sp(const char *text) {
  struct span s;
  char err[TARGET_ERRLEN];
  ck_assert_int_eq(target_parse(text, strlen(text), &s, TARGET_ALLOW_HUGE, err, sizeof err), 0);
  return s;
}

static struct addr ad(const char *text) {
  struct addr a;
  ck_assert_int_eq(addr_parse(&a, text, strlen(text)), 0);
  return a;
}

START_TEST(merge_and_lookup) {
  struct exclude *x = exclude_new();
  struct span s;
  struct addr last;
  char buf[ADDR_STRLEN];
  s = sp("192.0.2.0/26");    exclude_add(x, &s);
  s = sp("192.0.2.64/26");   exclude_add(x, &s); /* adjacent: merged */
  s = sp("192.0.2.100-192.0.2.130"); exclude_add(x, &s); /* overlapping */
  s = sp("198.51.100.7");    exclude_add(x, &s);
  s = sp("2001:db8::/126");  exclude_add(x, &s);
  exclude_freeze(x);
  ck_assert_uint_eq(exclude_size(x), 3);

  ck_assert_int_eq(exclude_lookup(x, &(struct addr){0}, NULL), 0);
  struct addr a = ad("192.0.2.0");
  ck_assert_int_eq(exclude_lookup(x, &a, &last), 1);
  addr_format(&last, buf);
  ck_assert_str_eq(buf, "192.0.2.130");
  a = ad("192.0.2.131");
  ck_assert_int_eq(exclude_lookup(x, &a, NULL), 0);
  a = ad("192.0.1.255");
  ck_assert_int_eq(exclude_lookup(x, &a, NULL), 0);
  a = ad("198.51.100.7");
  ck_assert_int_eq(exclude_lookup(x, &a, NULL), 1);
  a = ad("198.51.100.8");
  ck_assert_int_eq(exclude_lookup(x, &a, NULL), 0);
  a = ad("2001:db8::3");
  ck_assert_int_eq(exclude_lookup(x, &a, NULL), 1);
  a = ad("2001:db8::4");
  ck_assert_int_eq(exclude_lookup(x, &a, NULL), 0);
  /* an IPv4 address never matches an IPv6 span of the same number */
  a = ad("0.0.0.1");
  ck_assert_int_eq(exclude_lookup(x, &a, NULL), 0);
  exclude_free(x);
}
END_TEST

START_TEST(count_in_span) {
  struct exclude *x = exclude_new();
  struct span s;
  s = sp("10.0.0.16/28"); exclude_add(x, &s);
  s = sp("10.0.0.40-10.0.0.41"); exclude_add(x, &s);
  s = sp("10.0.1.0/24"); exclude_add(x, &s);
  exclude_freeze(x);
  s = sp("10.0.0.0/26"); /* 16 + 2 of it */
  ck_assert(exclude_count_in(x, &s) == 18);
  s = sp("10.0.0.20-10.0.1.9"); /* 12 + 2 + 10 */
  ck_assert(exclude_count_in(x, &s) == 24);
  s = sp("10.0.2.0/24");
  ck_assert(exclude_count_in(x, &s) == 0);
  exclude_free(x);
}
END_TEST

START_TEST(empty_set) {
  struct exclude *x = exclude_new();
  struct addr a = ad("192.0.2.1");
  exclude_freeze(x);
  ck_assert_int_eq(exclude_lookup(x, &a, NULL), 0);
  ck_assert_int_eq(exclude_lookup(NULL, &a, NULL), 0);
  exclude_free(x);
}
END_TEST

Suite *exclude_suite(void) {
  Suite *s = suite_create("exclude");
  TCase *tc = tcase_create("set");
  tcase_add_test(tc, merge_and_lookup);
  tcase_add_test(tc, count_in_span);
  tcase_add_test(tc, empty_set);
  suite_add_tcase(s, tc);
  return s;
}
