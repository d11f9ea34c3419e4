/* SPDX-License-Identifier: MIT */
/* check_progress.c - the windowed rate (a slowdown shows within the window,
 * samples sparser than the window, the ring's wrap), the share done and
 * the time left, with hand-computed figures. */
#include <check.h>
#include <errno.h>
#include <stdint.h>

#include "progress.h"

#define S 1000000000ull

START_TEST(rate_window) {
  struct progress *p;
  ck_assert_int_eq(progress_new(&p, 5000), 0);
  ck_assert(progress_rate(p) < 0);           /* no sample */
  progress_sample(p, 0, 0);
  ck_assert(progress_rate(p) < 0);           /* one sample */
  /* 1000/s for 10 s */
  for (uint64_t t = 1; t <= 10; t++) progress_sample(p, t * S, t * 1000);
  ck_assert_double_eq_tol(progress_rate(p), 1000, 1e-9);
  /* then 100/s: after 3 s the 5 s window holds 2 s at 1000/s, 3 s at 100/s */
  for (uint64_t t = 11; t <= 13; t++) progress_sample(p, t * S, 10000 + (t - 10) * 100);
  ck_assert_double_eq_tol(progress_rate(p), (2000 + 300) / 5.0, 1e-9);
  /* after 5 s only the new rate remains (an average since the start
   * would still say 10500 / 15 = 700/s) */
  for (uint64_t t = 14; t <= 15; t++) progress_sample(p, t * S, 10000 + (t - 10) * 100);
  ck_assert_double_eq_tol(progress_rate(p), 100, 1e-9);
  /* a time going back is ignored */
  progress_sample(p, 14 * S, 0);
  ck_assert_double_eq_tol(progress_rate(p), 100, 1e-9);
  progress_free(p);
}
END_TEST

START_TEST(rate_sparse_and_wrap) {
  struct progress *p;
  ck_assert_int_eq(progress_new(&p, 5000), 0);
  /* samples 10 s apart, wider than the window: the one before is used */
  progress_sample(p, 0, 0);
  progress_sample(p, 10 * S, 500);
  ck_assert_double_eq_tol(progress_rate(p), 50, 1e-9);
  progress_sample(p, 20 * S, 2500);
  ck_assert_double_eq_tol(progress_rate(p), 200, 1e-9);
  /* two samples at the same time: no rate yet */
  struct progress *q;
  ck_assert_int_eq(progress_new(&q, 5000), 0);
  progress_sample(q, 7 * S, 1);
  progress_sample(q, 7 * S, 2);
  ck_assert(progress_rate(q) < 0);
  progress_free(q);
  /* many more samples than the ring holds, 10 per second at 30/s */
  progress_free(p);
  ck_assert_int_eq(progress_new(&p, 2000), 0);
  for (uint64_t i = 0; i < 3 * PROGRESS_SAMPLES + 7; i++) progress_sample(p, i * S / 10, i * 3);
  ck_assert_double_eq_tol(progress_rate(p), 30, 1e-9);
  progress_free(p);
  ck_assert_int_eq(progress_new(&p, 0), -EINVAL);
}
END_TEST

START_TEST(percent_eta) {
  ck_assert(progress_percent(0, 100, 5) < 0);   /* stdin: no total */
  ck_assert(progress_percent(1, 0, 0) < 0);
  ck_assert_double_eq_tol(progress_percent(1, 256, 64), 25, 1e-9);
  ck_assert_double_eq_tol(progress_percent(1, 256, 300), 100, 1e-9);
  /* 2^66 positions (--allow-huge), a quarter done */
  unsigned __int128 big = (unsigned __int128)1 << 66;
  ck_assert_double_eq_tol(progress_percent(1, big, big / 4), 25, 1e-9);

  ck_assert_double_eq_tol(progress_eta_s(1, 65536, 24607, 1), 40929, 1e-9);
  ck_assert_double_eq_tol(progress_eta_s(1, 1000, 400, 50), 12, 1e-9);
  ck_assert_double_eq_tol(progress_eta_s(1, 1000, 1000, 0), 0, 1e-9); /* done */
  ck_assert(progress_eta_s(1, 1000, 400, 0) < 0);    /* stalled: unknown */
  ck_assert(progress_eta_s(1, 1000, 400, -1) < 0);   /* no rate yet */
  ck_assert(progress_eta_s(0, 1000, 400, 50) < 0);   /* no total */
  ck_assert_double_eq_tol(progress_eta_s(1, big, 0, 1e6), (double)big / 1e6, 1);
}
END_TEST

Suite *progress_suite(void) {
  Suite *s = suite_create("progress");
  TCase *tc = tcase_create("figures");
  tcase_add_test(tc, rate_window);
  tcase_add_test(tc, rate_sparse_and_wrap);
  tcase_add_test(tc, percent_eta);
  suite_add_tcase(s, tc);
  return s;
}
