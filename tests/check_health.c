/* SPDX-License-Identifier: MIT */
/* check_health.c - resolver health, driven by scripted windows of
 * outcomes.  Expectations follow the rule in health.h by hand. */
#include <check.h>
#include <errno.h>

#include "health.h"

static struct health *mk(unsigned window, unsigned max_backoffs) {
  struct health *h = NULL;
  ck_assert_int_eq(health_new(&h, window, max_backoffs), 0);
  ck_assert_ptr_nonnull(h);
  return h;
}

/* Note `refused` REFUSED, then `silent` SILENT, then `answered` ANSWERED
 * outcomes; every note but the last must return CONTINUE.  Returns the
 * last note's action. */
static enum health_action feed(struct health *h, unsigned refused, unsigned silent,
                               unsigned answered) {
  unsigned n = refused + silent + answered, i = 0;
  enum health_action a = HEALTH_CONTINUE;
  for (; i < n; i++) {
    enum health_outcome o = i < refused ? HEALTH_REFUSED
                            : i < refused + silent ? HEALTH_SILENT
                                                   : HEALTH_ANSWERED;
    a = health_note(h, o);
    if (i + 1 < n) ck_assert_int_eq(a, HEALTH_CONTINUE);
  }
  return a;
}

START_TEST(bad_params) {
  struct health *h = (struct health *)&h; /* sentinel: must stay untouched */
  struct health *const sentinel = h;
  ck_assert_int_eq(health_new(&h, 0, 3), -EINVAL);
  ck_assert_int_eq(health_new(&h, 100, 0), -EINVAL);
  ck_assert_int_eq(health_new(&h, 100, HEALTH_MAX_BACKOFFS_LIMIT + 1), -EINVAL);
  ck_assert_ptr_eq(h, sentinel);
  ck_assert_int_eq(HEALTH_DEFAULT_WINDOW, 100);
  ck_assert_int_eq(HEALTH_DEFAULT_MAX_BACKOFFS, 3);
  health_free(NULL);
}
END_TEST

START_TEST(longest_pause_fits) {
  /* window 1, 23 back-offs: 22 BACK_OFFs, then STOP; the pause doubles
   * from 1 s to 1000 << 22 ms without overflow. */
  struct health *h = mk(1, HEALTH_MAX_BACKOFFS_LIMIT);
  unsigned want = 1000;
  for (unsigned i = 1; i < 23; i++) {
    ck_assert_int_eq(health_note(h, HEALTH_REFUSED), HEALTH_BACK_OFF);
    ck_assert_uint_eq(health_pause_ms(h), want);
    want *= 2;
  }
  ck_assert_int_eq(health_note(h, HEALTH_REFUSED), HEALTH_STOP);
  ck_assert_uint_eq(health_pause_ms(h), 4194304000u);
  health_free(h);
}
END_TEST

START_TEST(healthy) {
  struct health *h = mk(100, 3);
  ck_assert_uint_eq(health_bad_pct(h), 0);
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_NONE);
  for (unsigned w = 0; w < 10; w++) ck_assert_int_eq(feed(h, 0, 0, 100), HEALTH_CONTINUE);
  ck_assert_uint_eq(health_pause_ms(h), 0);
  ck_assert_uint_eq(health_bad_pct(h), 0);
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_NONE);
  health_free(h);
}
END_TEST

START_TEST(refusing_resolver_stops) {
  struct health *h = mk(100, 3);
  /* 51 refused of 100: judged only at the 100th note */
  ck_assert_int_eq(feed(h, 51, 0, 49), HEALTH_BACK_OFF);
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_REFUSED);
  ck_assert_uint_eq(health_pause_ms(h), 1000);
  ck_assert_uint_eq(health_bad_pct(h), 51);
  ck_assert_int_eq(feed(h, 100, 0, 0), HEALTH_BACK_OFF);
  ck_assert_uint_eq(health_pause_ms(h), 2000);
  ck_assert_uint_eq(health_bad_pct(h), 100);
  ck_assert_int_eq(feed(h, 60, 0, 40), HEALTH_STOP);
  ck_assert_uint_eq(health_pause_ms(h), 4000);
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_REFUSED);
  /* final */
  ck_assert_int_eq(health_note(h, HEALTH_ANSWERED), HEALTH_STOP);
  ck_assert_int_eq(health_probe_result(h, 3, 3), HEALTH_STOP);
  health_free(h);
}
END_TEST

START_TEST(refused_boundary) {
  struct health *h = mk(100, 3);
  /* 50 x 2 = 100, not > 100: a good window */
  ck_assert_int_eq(feed(h, 50, 0, 50), HEALTH_CONTINUE);
  ck_assert_uint_eq(health_bad_pct(h), 50);
  /* 50 refused + 1 silent: not a refused majority, but a bad majority */
  ck_assert_int_eq(feed(h, 50, 1, 49), HEALTH_PROBE);
  ck_assert_uint_eq(health_bad_pct(h), 51);
  ck_assert_int_eq(health_probing(h), 1);
  health_free(h);
  /* odd window: 2 x 2 > 3 */
  h = mk(3, 3);
  ck_assert_int_eq(feed(h, 1, 0, 2), HEALTH_CONTINUE);
  ck_assert_uint_eq(health_bad_pct(h), 33);
  ck_assert_int_eq(feed(h, 2, 0, 1), HEALTH_BACK_OFF);
  ck_assert_uint_eq(health_bad_pct(h), 66);
  health_free(h);
}
END_TEST

START_TEST(silent_boundary) {
  struct health *h = mk(100, 3);
  ck_assert_int_eq(feed(h, 0, 50, 50), HEALTH_CONTINUE); /* half: good */
  ck_assert_int_eq(health_probing(h), 0);
  ck_assert_int_eq(feed(h, 0, 51, 49), HEALTH_PROBE);
  health_free(h);
}
END_TEST

START_TEST(good_window_resets_streak) {
  struct health *h = mk(100, 3);
  ck_assert_int_eq(feed(h, 70, 0, 30), HEALTH_BACK_OFF);
  ck_assert_uint_eq(health_pause_ms(h), 1000);
  ck_assert_int_eq(feed(h, 0, 10, 90), HEALTH_CONTINUE);
  ck_assert_uint_eq(health_pause_ms(h), 0);
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_REFUSED); /* the last back-off's */
  ck_assert_int_eq(feed(h, 70, 0, 30), HEALTH_BACK_OFF);
  ck_assert_uint_eq(health_pause_ms(h), 1000); /* a new streak */
  ck_assert_int_eq(feed(h, 70, 0, 30), HEALTH_BACK_OFF);
  ck_assert_uint_eq(health_pause_ms(h), 2000);
  ck_assert_int_eq(feed(h, 70, 0, 30), HEALTH_STOP);
  health_free(h);
}
END_TEST

START_TEST(probe_alive_resets_and_ignores_notes) {
  struct health *h = mk(100, 3);
  ck_assert_int_eq(feed(h, 100, 0, 0), HEALTH_BACK_OFF); /* streak 1 */
  ck_assert_int_eq(feed(h, 0, 60, 40), HEALTH_PROBE);
  ck_assert_uint_eq(health_bad_pct(h), 60);
  /* while the canaries travel, notes are ignored: 500 refusals change nothing */
  for (unsigned i = 0; i < 500; i++) ck_assert_int_eq(health_note(h, HEALTH_REFUSED), HEALTH_CONTINUE);
  ck_assert_int_eq(health_probe_result(h, 3, 2), HEALTH_CONTINUE); /* 4 >= 3: alive */
  ck_assert_int_eq(health_probing(h), 0);
  ck_assert_uint_eq(health_pause_ms(h), 0);
  ck_assert_uint_eq(health_bad_pct(h), 60);
  /* a fresh window of 100 notes (had the 500 counted, it would have ended
   * long ago), and a fresh streak */
  ck_assert_int_eq(feed(h, 51, 0, 49), HEALTH_BACK_OFF);
  ck_assert_uint_eq(health_pause_ms(h), 1000);
  /* a second result with no probe outstanding is ignored */
  ck_assert_int_eq(health_probe_result(h, 3, 0), HEALTH_CONTINUE);
  ck_assert_uint_eq(health_pause_ms(h), 1000);
  health_free(h);
}
END_TEST

START_TEST(probe_result_boundary) {
  struct health *h = mk(10, 5);
  ck_assert_int_eq(feed(h, 0, 10, 0), HEALTH_PROBE);
  ck_assert_int_eq(health_probe_result(h, 4, 2), HEALTH_CONTINUE); /* 4 >= 4 */
  ck_assert_int_eq(feed(h, 0, 10, 0), HEALTH_PROBE);
  ck_assert_int_eq(health_probe_result(h, 3, 1), HEALTH_BACK_OFF); /* 2 < 3 */
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_SILENT);
  ck_assert_uint_eq(health_pause_ms(h), 1000);
  ck_assert_int_eq(feed(h, 0, 10, 0), HEALTH_PROBE);
  ck_assert_int_eq(health_probe_result(h, 0, 0), HEALTH_BACK_OFF); /* none sent */
  ck_assert_uint_eq(health_pause_ms(h), 2000);
  ck_assert_int_eq(feed(h, 0, 10, 0), HEALTH_PROBE);
  ck_assert_int_eq(health_probe_result(h, 2, 5), HEALTH_CONTINUE); /* capped to 2 of 2 */
  ck_assert_uint_eq(health_pause_ms(h), 0);
  health_free(h);
}
END_TEST

START_TEST(silent_resolver_stops) {
  /* A resolver that answers nothing: every window all timeouts, every
   * probe unanswered.  It stops like a refusing one. */
  struct health *h = mk(100, 3);
  static const unsigned pause[] = {1000, 2000, 4000};
  for (unsigned i = 0; i < 3; i++) {
    ck_assert_int_eq(feed(h, 0, 100, 0), HEALTH_PROBE);
    ck_assert_uint_eq(health_bad_pct(h), 100);
    ck_assert_int_eq(health_probe_result(h, 3, 0), i < 2 ? HEALTH_BACK_OFF : HEALTH_STOP);
    ck_assert_uint_eq(health_pause_ms(h), pause[i]);
    ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_SILENT);
  }
  ck_assert_int_eq(health_note(h, HEALTH_ANSWERED), HEALTH_STOP);
  health_free(h);
}
END_TEST

START_TEST(lame_zones_do_not_stop) {
  /* A healthy resolver over a range of lame reverse zones: 70% of lookups
   * time out, window after window, but the canaries are answered. */
  struct health *h = mk(100, 3);
  for (unsigned i = 0; i < 50; i++) {
    ck_assert_int_eq(feed(h, 0, 70, 30), HEALTH_PROBE);
    ck_assert_int_eq(health_probe_result(h, 3, 3), HEALTH_CONTINUE);
  }
  ck_assert_uint_eq(health_pause_ms(h), 0);
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_NONE);
  health_free(h);
}
END_TEST

START_TEST(mixed_causes_share_a_streak) {
  struct health *h = mk(100, 3);
  ck_assert_int_eq(feed(h, 90, 0, 10), HEALTH_BACK_OFF);
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_REFUSED);
  ck_assert_int_eq(feed(h, 0, 90, 10), HEALTH_PROBE);
  ck_assert_int_eq(health_probe_result(h, 3, 1), HEALTH_BACK_OFF);
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_SILENT);
  ck_assert_uint_eq(health_pause_ms(h), 2000);
  ck_assert_int_eq(feed(h, 60, 0, 40), HEALTH_STOP);
  ck_assert_int_eq(health_cause(h), HEALTH_CAUSE_REFUSED);
  health_free(h);
}
END_TEST

START_TEST(window_of_one_and_single_backoff) {
  struct health *h = mk(1, 2);
  ck_assert_int_eq(health_note(h, HEALTH_ANSWERED), HEALTH_CONTINUE);
  ck_assert_int_eq(health_note(h, HEALTH_SILENT), HEALTH_PROBE);
  ck_assert_int_eq(health_probe_result(h, 1, 1), HEALTH_CONTINUE);
  ck_assert_int_eq(health_note(h, HEALTH_REFUSED), HEALTH_BACK_OFF);
  ck_assert_int_eq(health_note(h, HEALTH_ANSWERED), HEALTH_CONTINUE);
  ck_assert_int_eq(health_note(h, HEALTH_REFUSED), HEALTH_BACK_OFF);
  ck_assert_int_eq(health_note(h, HEALTH_REFUSED), HEALTH_STOP);
  health_free(h);
  h = mk(100, 1); /* one bad window is enough */
  ck_assert_int_eq(feed(h, 51, 0, 49), HEALTH_STOP);
  ck_assert_uint_eq(health_pause_ms(h), 1000);
  health_free(h);
}
END_TEST

Suite *health_suite(void) {
  Suite *s = suite_create("health");
  TCase *tc = tcase_create("windows");
  tcase_add_test(tc, bad_params);
  tcase_add_test(tc, longest_pause_fits);
  tcase_add_test(tc, healthy);
  tcase_add_test(tc, refusing_resolver_stops);
  tcase_add_test(tc, refused_boundary);
  tcase_add_test(tc, silent_boundary);
  tcase_add_test(tc, good_window_resets_streak);
  tcase_add_test(tc, probe_alive_resets_and_ignores_notes);
  tcase_add_test(tc, probe_result_boundary);
  tcase_add_test(tc, silent_resolver_stops);
  tcase_add_test(tc, lame_zones_do_not_stop);
  tcase_add_test(tc, mixed_causes_share_a_streak);
  tcase_add_test(tc, window_of_one_and_single_backoff);
  suite_add_tcase(s, tc);
  return s;
}
