/* SPDX-License-Identifier: MIT */
/* check_duration.c - readable durations: each unit boundary, rounding
 * down, singular year, and inputs that are not a length of time. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "duration.h"

static const char *d(double s) {
  static char buf[DURATION_TEXTLEN];
  return duration_text(buf, sizeof buf, s);
}

START_TEST(units) {
  ck_assert_str_eq(d(0), "less than 1 s");
  ck_assert_str_eq(d(0.99), "less than 1 s");
  ck_assert_str_eq(d(1), "1 s");
  ck_assert_str_eq(d(59.9), "59 s");
  ck_assert_str_eq(d(60), "1 min");
  ck_assert_str_eq(d(61), "1 min 1 s");
  ck_assert_str_eq(d(3599), "59 min 59 s");
  ck_assert_str_eq(d(3600), "1 h");
  ck_assert_str_eq(d(41943), "11 h 39 min"); /* --dry-run of a /16 at 100/s once said "41943 s" */
  ck_assert_str_eq(d(86399), "23 h 59 min");
  ck_assert_str_eq(d(86400), "1 d");
  ck_assert_str_eq(d(167772.16), "1 d 22 h"); /* a /8 at 100/s */
  ck_assert_str_eq(d(365 * 86400.0), "1 year");
  ck_assert_str_eq(d(365 * 86400.0 + 86400), "1 year 1 d");
  ck_assert_str_eq(d(2 * 365 * 86400.0), "2 years");
  /* 2^64 addresses at 100/s: billions of years, no overflowed conversion */
  ck_assert_str_eq(d(18446744073709551616.0 / 100), "5.8e+09 years");
}
END_TEST

START_TEST(not_a_duration) {
  ck_assert_str_eq(d(-1), "unknown");
  ck_assert_str_eq(d(NAN), "unknown");
  ck_assert_str_eq(d(INFINITY), "forever");
  char small[6];
  ck_assert_uint_eq(strlen(duration_text(small, sizeof small, 41943)), 5); /* cut to fit */
}
END_TEST

Suite *duration_suite(void) {
  Suite *s = suite_create("duration");
  TCase *tc = tcase_create("text");
  tcase_add_test(tc, units);
  tcase_add_test(tc, not_a_duration);
  suite_add_tcase(s, tc);
  return s;
}
