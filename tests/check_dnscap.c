/* SPDX-License-Identifier: MIT */
/* check_dnscap.c - the outstanding-query cap, driven through scripted
 * sequences written from the rule in dnscap.h. */
#include <check.h>
#include <errno.h>

#include "dnscap.h"

static struct dnscap *mk(unsigned start, unsigned min, unsigned max, unsigned hold) {
  struct dnscap *c = NULL;
  ck_assert_int_eq(dnscap_new(&c, start, min, max, hold), 0);
  return c;
}

START_TEST(bad_params) {
  struct dnscap *c = NULL;
  ck_assert_int_eq(dnscap_new(&c, 10, 0, 100, 1), -EINVAL);
  ck_assert_int_eq(dnscap_new(&c, 10, 20, 100, 1), -EINVAL);
  ck_assert_int_eq(dnscap_new(&c, 200, 20, 100, 1), -EINVAL);
  ck_assert_int_eq(dnscap_new(&c, 10, 20, 10, 1), -EINVAL);
  ck_assert_ptr_null(c);
}
END_TEST

START_TEST(late_answers_halve_from_outstanding) {
  struct dnscap *c = mk(4096, 64, 65536, 80);
  /* 3000 outstanding, some answers came after a retry: half of 3000 */
  ck_assert_int_eq(dnscap_tick(c, 3000, 500, 7), 1);
  ck_assert_uint_eq(dnscap_cap(c), 1500);
  /* more late answers within the hold: no second cut */
  for (unsigned i = 0; i < 79; i++) ck_assert_int_eq(dnscap_tick(c, 1500, 500, 3), 0);
  ck_assert_uint_eq(dnscap_cap(c), 1500);
  /* the hold is over: late answers cut again, from the cap (below outstanding) */
  ck_assert_int_eq(dnscap_tick(c, 1600, 500, 1), 1);
  ck_assert_uint_eq(dnscap_cap(c), 750);
  ck_assert_uint_eq(dnscap_min_seen(c), 750);
  dnscap_free(c);
}
END_TEST

START_TEST(never_below_min) {
  struct dnscap *c = mk(100, 64, 1000, 0);
  ck_assert_int_eq(dnscap_tick(c, 100, 10, 1), 1);
  ck_assert_uint_eq(dnscap_cap(c), 64);
  ck_assert_int_eq(dnscap_tick(c, 64, 10, 1), 0);
  ck_assert_uint_eq(dnscap_cap(c), 64);
  dnscap_free(c);
}
END_TEST

START_TEST(grows_slowly_only_when_limiting) {
  struct dnscap *c = mk(1024, 64, 1100, 0);
  /* below the cap: no growth */
  ck_assert_int_eq(dnscap_tick(c, 1000, 500, 0), 0);
  /* at the cap but nothing waiting: no growth */
  ck_assert_int_eq(dnscap_tick(c, 1024, 0, 0), 0);
  /* at the cap, queries waiting: + 1024/256 */
  ck_assert_int_eq(dnscap_tick(c, 1024, 1, 0), 1);
  ck_assert_uint_eq(dnscap_cap(c), 1028);
  /* small caps grow by one */
  struct dnscap *s = mk(100, 64, 1000, 0);
  ck_assert_int_eq(dnscap_tick(s, 100, 1, 0), 1);
  ck_assert_uint_eq(dnscap_cap(s), 101);
  dnscap_free(s);
  /* clamped at max */
  for (unsigned i = 0; i < 100; i++) dnscap_tick(c, dnscap_cap(c), 1, 0);
  ck_assert_uint_eq(dnscap_cap(c), 1100);
  dnscap_free(c);
}
END_TEST

START_TEST(lame_zones_do_not_cut) {
  /* Lame zones: many queries stale and outstanding, none answered late
   * (they time out on every try): the cap stays and grows if limiting. */
  struct dnscap *c = mk(4096, 64, 65536, 80);
  for (unsigned i = 0; i < 1000; i++) ck_assert_int_eq(dnscap_tick(c, 2000, 0, 0), 0);
  ck_assert_uint_eq(dnscap_cap(c), 4096);
  ck_assert_uint_eq(dnscap_min_seen(c), 4096);
  dnscap_free(c);
}
END_TEST

Suite *dnscap_suite(void) {
  Suite *s = suite_create("dnscap");
  TCase *tc = tcase_create("rule");
  tcase_add_test(tc, bad_params);
  tcase_add_test(tc, late_answers_halve_from_outstanding);
  tcase_add_test(tc, never_below_min);
  tcase_add_test(tc, grows_slowly_only_when_limiting);
  tcase_add_test(tc, lame_zones_do_not_cut);
  suite_add_tcase(s, tc);
  return s;
}
