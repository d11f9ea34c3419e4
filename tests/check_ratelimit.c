/* SPDX-License-Identifier: MIT */
/* check_ratelimit.c - the token bucket, driven by a fake clock. */
#include <check.h>

#include "ratelimit.h"

#define MS 1000000ull

START_TEST(starts_with_one_token) {
  struct ratelimit rl;
  ratelimit_init(&rl, 10, 0);
  ck_assert_int_eq(ratelimit_take(&rl, 0), 1);
  ck_assert_int_eq(ratelimit_take(&rl, 0), 0);
  /* 10/s: the next token is 100 ms away */
  ck_assert_uint_eq((ratelimit_wait_ns(&rl, 0) + MS / 2) / MS, 100);
  ck_assert_int_eq(ratelimit_take(&rl, 99 * MS), 0);
  ck_assert_int_eq(ratelimit_take(&rl, 100 * MS), 1);
}
END_TEST

START_TEST(long_run_holds_rate) {
  /* Take as fast as the clock allows for 10 s at 1000/s, polling each ms:
   * at most rate*10 + burst tokens. */
  struct ratelimit rl;
  unsigned long taken = 0;
  ratelimit_init(&rl, 1000, 0);
  for (unsigned long t = 0; t <= 10000; t++)
    while (ratelimit_take(&rl, t * MS)) taken++;
  ck_assert_uint_ge(taken, 10000);
  ck_assert_uint_le(taken, 10000 + 10 + 1);
}
END_TEST

START_TEST(idle_does_not_bank_a_burst) {
  /* After a long idle period only `burst` (10 ms worth) may go at once. */
  struct ratelimit rl;
  unsigned taken = 0;
  ratelimit_init(&rl, 1000, 0);
  while (ratelimit_take(&rl, 60000 * MS)) taken++;
  ck_assert_uint_eq(taken, 10);
}
END_TEST

START_TEST(unlimited) {
  struct ratelimit rl;
  ratelimit_init(&rl, 0, 0);
  for (int i = 0; i < 100000; i++) ck_assert_int_eq(ratelimit_take(&rl, 0), 1);
  ck_assert_uint_eq(ratelimit_wait_ns(&rl, 0), 0);
}
END_TEST

START_TEST(slow_rates) {
  /* Below one per second the bucket still holds a single token. */
  struct ratelimit rl;
  ratelimit_init(&rl, 0.5, 0);
  ck_assert_int_eq(ratelimit_take(&rl, 0), 1);
  ck_assert_int_eq(ratelimit_take(&rl, 1999 * MS), 0);
  ck_assert_int_eq(ratelimit_take(&rl, 2000 * MS), 1);
}
END_TEST

START_TEST(tiny_rates_are_clamped) {
  /* The smallest double, and rates below the minimum: the wait is that of
   * RATELIMIT_MIN (1000 s per token), not an overflowed conversion. */
  static const double tiny[] = {0x1p-1074, 1e-300, 4e-11, 0.0009};
  for (size_t i = 0; i < sizeof tiny / sizeof tiny[0]; i++) {
    struct ratelimit rl;
    ratelimit_init(&rl, tiny[i], 0);
    ck_assert_int_eq(ratelimit_take(&rl, 0), 1);
    ck_assert_int_eq(ratelimit_take(&rl, 0), 0);
    ck_assert_uint_eq(ratelimit_wait_ns(&rl, 0), 1000000000000ull + 1);
    ck_assert_int_eq(ratelimit_take(&rl, 999999 * MS), 0);
    ck_assert_int_eq(ratelimit_take(&rl, 1000000 * MS), 1);
  }
}
END_TEST

START_TEST(huge_and_nan_rates) {
  struct ratelimit rl;
  ratelimit_init(&rl, 1e300, 0); /* clamped to RATELIMIT_MAX: burst of 100000 */
  ck_assert(rl.rate == 10000000.0);
  ratelimit_init(&rl, 0.0 / 0.0, 0); /* NaN: no cap rather than undefined waits */
  ck_assert(rl.rate == 0);
  ck_assert_uint_eq(ratelimit_wait_ns(&rl, 0), 0);
  ratelimit_init(&rl, -5, 0);
  ck_assert_int_eq(ratelimit_take(&rl, 0), 1);
  ck_assert_int_eq(ratelimit_take(&rl, 0), 1);
}
END_TEST

Suite *ratelimit_suite(void) {
  Suite *s = suite_create("ratelimit");
  TCase *tc = tcase_create("bucket");
  tcase_add_test(tc, starts_with_one_token);
  tcase_add_test(tc, long_run_holds_rate);
  tcase_add_test(tc, idle_does_not_bank_a_burst);
  tcase_add_test(tc, unlimited);
  tcase_add_test(tc, slow_rates);
  tcase_add_test(tc, tiny_rates_are_clamped);
  tcase_add_test(tc, huge_and_nan_rates);
  suite_add_tcase(s, tc);
  return s;
}
