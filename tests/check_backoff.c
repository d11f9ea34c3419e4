/* SPDX-License-Identifier: MIT */
/* check_backoff.c - capped exponential back-off with keyed jitter.  The
 * centre delays below are worked out by hand from backoff.h's rule. */
#include <check.h>
#include <limits.h>

#include "backoff.h"

/* Every key gives a delay within [d - d/4, d + d/4] (at most UINT_MAX). */
static void assert_range(unsigned attempt, unsigned base, unsigned cap, unsigned d) {
  uint64_t lo = d - d / 4, hi = (uint64_t)d + d / 4;
  if (hi > UINT_MAX) hi = UINT_MAX;
  for (uint64_t k = 0; k < 2000; k++) {
    unsigned r = backoff_delay_ms(attempt, base, cap, k * 0x10001 + 5);
    ck_assert_msg(r >= lo && r <= hi, "attempt %u key %llu: %u not in [%llu, %llu]", attempt,
                  (unsigned long long)k, r, (unsigned long long)lo, (unsigned long long)hi);
  }
}

START_TEST(doubles_up_to_the_cap) {
  /* base 250 ms, cap 10 s: 250, 500, 1000, 2000, 4000, 8000, then 10000 */
  static const unsigned d[] = {250, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000};
  for (unsigned a = 1; a <= 9; a++) assert_range(a, 250, 10000, d[a - 1]);
  /* exactly at the cap */
  assert_range(4, 1000, 8000, 8000);
  /* far beyond: no overflow of the shift */
  assert_range(40, 1000, 60000, 60000);
  assert_range(1000, 1000, 60000, 60000);
  assert_range(65, 1000, 60000, 60000); /* a shift by 64 is not a shift by 0 */
  assert_range(129, 1000, 60000, 60000);
  assert_range(UINT_MAX, 1, 60000, 60000);
  /* a cap below the base wins from the first retry */
  assert_range(1, 5000, 1000, 1000);
}
END_TEST

START_TEST(deterministic) {
  for (uint64_t k = 0; k < 1000; k++) {
    unsigned a = 1 + (unsigned)(k % 6);
    ck_assert_uint_eq(backoff_delay_ms(a, 1000, 60000, k), backoff_delay_ms(a, 1000, 60000, k));
    /* attempt 0 is the first retry */
    ck_assert_uint_eq(backoff_delay_ms(0, 1000, 60000, k), backoff_delay_ms(1, 1000, 60000, k));
  }
}
END_TEST

START_TEST(spreads_over_the_range) {
  /* 10000 consecutive keys, d = 1000: [750, 1250].  A uniform spread puts
   * about a quarter in each quarter of the range, both ends are reached,
   * and the mean stays near d. */
  unsigned q[4] = {0}, lo = UINT_MAX, hi = 0, same_as_prev = 0, prev = 0;
  unsigned char seen[501] = {0};
  unsigned distinct = 0;
  uint64_t sum = 0;
  for (uint64_t k = 0; k < 10000; k++) {
    unsigned r = backoff_delay_ms(1, 1000, 60000, k);
    ck_assert_uint_ge(r, 750);
    ck_assert_uint_le(r, 1250);
    q[r == 1250 ? 3 : (r - 750) / 125]++;
    if (!seen[r - 750]) seen[r - 750] = 1, distinct++;
    if (k && r == prev) same_as_prev++;
    prev = r;
    lo = r < lo ? r : lo;
    hi = r > hi ? r : hi;
    sum += r;
  }
  for (int i = 0; i < 4; i++) {
    ck_assert_uint_ge(q[i], 2000);
    ck_assert_uint_le(q[i], 3000);
  }
  ck_assert_uint_le(lo, 755);
  ck_assert_uint_ge(hi, 1245);
  ck_assert_uint_ge(distinct, 450); /* of 501 possible values */
  ck_assert_uint_ge(sum / 10000, 990);
  ck_assert_uint_le(sum / 10000, 1010);
  /* neighbouring keys are not correlated: about 1 in 501 repeats */
  ck_assert_uint_le(same_as_prev, 100);
}
END_TEST

START_TEST(attempts_draw_fresh_jitter) {
  /* At the cap the centre is the same for attempts 7 and 8; the jitter
   * must still differ, or two targets that collided once collide forever. */
  unsigned same = 0, above7 = 0, above8 = 0;
  for (uint64_t k = 0; k < 10000; k++) {
    unsigned r7 = backoff_delay_ms(7, 1000, 60000, k), r8 = backoff_delay_ms(8, 1000, 60000, k);
    same += r7 == r8;
    above7 += r7 > 60000;
    above8 += r8 > 60000;
  }
  ck_assert_uint_le(same, 100);
  ck_assert_uint_ge(above7, 4000);
  ck_assert_uint_le(above7, 6000);
  ck_assert_uint_ge(above8, 4000);
  ck_assert_uint_le(above8, 6000);
}
END_TEST

START_TEST(small_and_zero) {
  /* d/4 rounds down: d < 4 has no jitter */
  for (uint64_t k = 0; k < 100; k++) {
    ck_assert_uint_eq(backoff_delay_ms(1, 1, 100, k), 1);
    ck_assert_uint_eq(backoff_delay_ms(2, 1, 100, k), 2);
    ck_assert_uint_eq(backoff_delay_ms(1, 3, 100, k), 3);
    ck_assert_uint_eq(backoff_delay_ms(1, 0, 100, k), 0);
    ck_assert_uint_eq(backoff_delay_ms(5, 1000, 0, k), 0);
  }
  /* d = 4: 3, 4 and 5 all occur, nothing else */
  unsigned seen[6] = {0};
  for (uint64_t k = 0; k < 300; k++) {
    unsigned r = backoff_delay_ms(3, 1, 100, k);
    ck_assert_uint_ge(r, 3);
    ck_assert_uint_le(r, 5);
    seen[r]++;
  }
  ck_assert_uint_gt(seen[3], 0);
  ck_assert_uint_gt(seen[4], 0);
  ck_assert_uint_gt(seen[5], 0);
}
END_TEST

START_TEST(saturates) {
  /* d = UINT_MAX: the upper half of the jitter saturates at UINT_MAX */
  unsigned top = 0;
  for (uint64_t k = 0; k < 1000; k++) {
    unsigned r = backoff_delay_ms(1, UINT_MAX, UINT_MAX, k);
    ck_assert_uint_ge(r, UINT_MAX - UINT_MAX / 4);
    top += r == UINT_MAX;
  }
  ck_assert_uint_ge(top, 400);
  ck_assert_uint_le(top, 600);
  /* 2^31 x 2 would wrap 32 bits: capped instead */
  assert_range(2, 1u << 31, UINT_MAX, UINT_MAX);
}
END_TEST

Suite *backoff_suite(void) {
  Suite *s = suite_create("backoff");
  TCase *tc = tcase_create("delay");
  tcase_add_test(tc, doubles_up_to_the_cap);
  tcase_add_test(tc, deterministic);
  tcase_add_test(tc, spreads_over_the_range);
  tcase_add_test(tc, attempts_draw_fresh_jitter);
  tcase_add_test(tc, small_and_zero);
  tcase_add_test(tc, saturates);
  suite_add_tcase(s, tc);
  return s;
}
