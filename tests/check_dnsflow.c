/* SPDX-License-Identifier: MIT */
/* check_dnsflow.c - the DNS window controller, driven by scripted ticks.
 * Every expected window below is worked out by hand from the rule in
 * dnsflow.h (the arithmetic is in the comments). */
#include <check.h>
#include <errno.h>
#include <limits.h>

#include "dnsflow.h"

#define US 1000ull
#define MS 1000000ull

static struct dnsflow *mk(const struct dnsflow_params *p) {
  struct dnsflow *f = NULL;
  struct dnsflow_params d;
  if (!p) {
    dnsflow_defaults(&d);
    p = &d;
  }
  ck_assert_int_eq(dnsflow_new(&f, p), 0);
  ck_assert_ptr_nonnull(f);
  return f;
}

static enum dnsflow_reason tick(struct dnsflow *f, size_t young, size_t waiting, uint64_t rtt,
                                uint64_t drops) {
  struct dnsflow_sample s = {.young = young, .waiting = waiting, .rtt_min_ns = rtt, .drops = drops};
  return dnsflow_tick(f, &s);
}

/* One tick with the window full and queries waiting: the only question left
 * is what the latency says. */
static enum dnsflow_reason full(struct dnsflow *f, uint64_t rtt) {
  return tick(f, dnsflow_window(f), 1000, rtt, 0);
}

START_TEST(defaults) {
  struct dnsflow_params p;
  dnsflow_defaults(&p);
  ck_assert_uint_eq(p.start, 64);
  ck_assert_uint_eq(p.min, 16);
  ck_assert_uint_eq(p.max, 4096);
  ck_assert_uint_eq(p.queue_low, 16);
  ck_assert_uint_eq(p.queue_high, 64);
  ck_assert_uint_eq(p.stale_min_ns, 20 * MS);
  ck_assert_uint_eq(p.stale_base_mult, 8);
  struct dnsflow *f = mk(&p);
  ck_assert_uint_eq(dnsflow_window(f), 64);
  ck_assert_uint_eq(dnsflow_base_ns(f), 0);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 20 * MS);
  ck_assert_uint_eq(dnsflow_min_window_after_loss(f), 0);
  ck_assert_int_eq(dnsflow_slow_start(f), 1);
  dnsflow_free(f);
  dnsflow_free(NULL);
}
END_TEST

START_TEST(bad_params) {
  struct dnsflow_params p, d;
  struct dnsflow *f = (struct dnsflow *)&p; /* sentinel: must stay untouched */
  dnsflow_defaults(&d);
  p = d, p.min = 0, p.start = 16;
  ck_assert_int_eq(dnsflow_new(&f, &p), -EINVAL);
  p = d, p.min = 100, p.max = 99, p.start = 99;
  ck_assert_int_eq(dnsflow_new(&f, &p), -EINVAL);
  p = d, p.start = 15;
  ck_assert_int_eq(dnsflow_new(&f, &p), -EINVAL);
  p = d, p.start = 4097;
  ck_assert_int_eq(dnsflow_new(&f, &p), -EINVAL);
  p = d, p.queue_low = 65;
  ck_assert_int_eq(dnsflow_new(&f, &p), -EINVAL);
  p = d, p.stale_min_ns = 0;
  ck_assert_int_eq(dnsflow_new(&f, &p), -EINVAL);
  ck_assert_int_eq(dnsflow_new(&f, NULL), -EINVAL);
  ck_assert_ptr_eq(f, (struct dnsflow *)&p);
  /* the edges themselves are fine: start == min == max, low == high */
  p = d, p.start = p.min = p.max = 1, p.queue_low = p.queue_high = 5;
  ck_assert_int_eq(dnsflow_new(&f, &p), 0);
  ck_assert_uint_eq(dnsflow_window(f), 1);
  dnsflow_free(f);
}
END_TEST

START_TEST(uniform_100ms_grows_to_max) {
  /* Every answer takes 100 ms, no queue: rtt_min == base every tick, so
   * queued = 0 and slow start doubles 64 -> 4096 in six ticks. */
  static const unsigned want[] = {128, 256, 512, 1024, 2048, 4096};
  struct dnsflow *f = mk(NULL);
  for (unsigned i = 0; i < 6; i++) {
    ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_GROW);
    ck_assert_uint_eq(dnsflow_window(f), want[i]);
  }
  for (unsigned i = 0; i < 20; i++) { /* at max: held, never beyond */
    ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_HOLD);
    ck_assert_uint_eq(dnsflow_window(f), 4096);
  }
  ck_assert_uint_eq(dnsflow_base_ns(f), 100 * MS);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 800 * MS); /* 8 x 100 ms */
  ck_assert_int_eq(dnsflow_slow_start(f), 1);
  dnsflow_free(f);
}
END_TEST

START_TEST(cache_mix_grows_to_max) {
  /* 30% of the answers are cache hits (0.1 ms), 70% misses (150 ms): the
   * average latency is 0.3 x 0.1 + 0.7 x 150 = 105 ms, which against a base
   * of 0.1 ms reads as "the whole window queued" (the old controller's
   * collapse).  Each tick's fastest answer is a cache hit, so rtt_min stays
   * at 0.1 ms = base, queued = 0, and the window grows to max although the
   * young queries are mostly misses. */
  static const unsigned want[] = {128, 256, 512, 1024, 2048, 4096};
  struct dnsflow *f = mk(NULL);
  for (unsigned i = 0; i < 6; i++) {
    ck_assert_int_eq(tick(f, dnsflow_window(f), 50000, 100 * US, 0), DNSFLOW_GROW);
    ck_assert_uint_eq(dnsflow_window(f), want[i]);
  }
  ck_assert_int_eq(tick(f, 4096, 50000, 100 * US, 0), DNSFLOW_HOLD);
  ck_assert_uint_eq(dnsflow_window(f), 4096);
  ck_assert_uint_eq(dnsflow_base_ns(f), 100 * US);
  /* 8 x 0.1 ms is far below the floor: a miss becomes stale at 20 ms */
  ck_assert_uint_eq(dnsflow_stale_ns(f), 20 * MS);
  dnsflow_free(f);
}
END_TEST

START_TEST(real_queue_shrinks) {
  /* Grow on a clean 100 ms path to 1024, then a queue builds at a socket:
   * even the fastest answer is late. */
  struct dnsflow *f = mk(NULL);
  for (unsigned i = 0; i < 4; i++) ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), 1024);
  /* 1024 x (200-100)/200 = 512 > 64: 1024 - 1024/8 = 896 */
  ck_assert_int_eq(full(f, 200 * MS), DNSFLOW_DELAY);
  ck_assert_uint_eq(dnsflow_window(f), 896);
  ck_assert_int_eq(dnsflow_slow_start(f), 0);
  /* 896 x 50/150 = 298.7 > 64: 896 - 112 = 784 */
  ck_assert_int_eq(full(f, 150 * MS), DNSFLOW_DELAY);
  ck_assert_uint_eq(dnsflow_window(f), 784);
  /* 784 x 10/110 = 71.3 > 64: 784 - 98 = 686 */
  ck_assert_int_eq(full(f, 110 * MS), DNSFLOW_DELAY);
  ck_assert_uint_eq(dnsflow_window(f), 686);
  /* 686 x 8/108 = 50.8: between the thresholds, held */
  ck_assert_int_eq(full(f, 108 * MS), DNSFLOW_HOLD);
  ck_assert_uint_eq(dnsflow_window(f), 686);
  /* queue gone: grow by an eighth + 1 (slow start is over): 686 + 85 + 1 */
  ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), 772);
  ck_assert_uint_eq(dnsflow_base_ns(f), 100 * MS);
  ck_assert_uint_eq(dnsflow_min_window_after_loss(f), 0); /* delay is not loss */
  dnsflow_free(f);
}
END_TEST

START_TEST(queue_counts_at_most_the_window) {
  /* After a shrink more queries than the window may still be young; Vegas
   * counts min(young, window). */
  struct dnsflow *f = mk(NULL);
  ck_assert_int_eq(tick(f, 0, 0, 100 * MS, 0), DNSFLOW_HOLD); /* base 100 ms */
  /* min(1000, 64) x 100/200 = 32: held (with young it would be 500) */
  ck_assert_int_eq(tick(f, 1000, 0, 200 * MS, 0), DNSFLOW_HOLD);
  ck_assert_uint_eq(dnsflow_window(f), 64);
  /* 64 x 300/400 = 48: still held */
  ck_assert_int_eq(tick(f, 1000, 0, 400 * MS, 0), DNSFLOW_HOLD);
  ck_assert_uint_eq(dnsflow_window(f), 64);
  dnsflow_free(f);
}
END_TEST

START_TEST(queue_high_boundary) {
  struct dnsflow_params p;
  dnsflow_defaults(&p);
  p.start = 256;
  struct dnsflow *f = mk(&p);
  ck_assert_int_eq(tick(f, 0, 0, 100 * MS, 0), DNSFLOW_HOLD); /* base 100 ms */
  /* 128 x 100/200 = 64 exactly: not above queue_high */
  ck_assert_int_eq(tick(f, 128, 0, 200 * MS, 0), DNSFLOW_HOLD);
  ck_assert_uint_eq(dnsflow_window(f), 256);
  /* 128 x 101/201 = 64.3: above; 256 - 32 */
  ck_assert_int_eq(tick(f, 128, 0, 201 * MS, 0), DNSFLOW_DELAY);
  ck_assert_uint_eq(dnsflow_window(f), 224);
  dnsflow_free(f);
}
END_TEST

START_TEST(queue_low_boundary) {
  struct dnsflow *f = mk(NULL);
  ck_assert_int_eq(tick(f, 10, 0, 75 * MS, 0), DNSFLOW_HOLD); /* base 75 ms */
  /* 64 x 25/100 = 16 exactly: not below queue_low, not above high */
  ck_assert_int_eq(tick(f, 64, 1, 100 * MS, 0), DNSFLOW_HOLD);
  ck_assert_uint_eq(dnsflow_window(f), 64);
  /* 64 x 24/99 = 15.5: below; slow start doubles */
  ck_assert_int_eq(tick(f, 64, 1, 99 * MS, 0), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), 128);
  dnsflow_free(f);
}
END_TEST

START_TEST(growth_needs_every_condition) {
  struct dnsflow *f = mk(NULL);
  ck_assert_int_eq(tick(f, 0, 0, 100 * MS, 0), DNSFLOW_HOLD); /* base 100 ms */
  ck_assert_int_eq(tick(f, 64, 0, 100 * MS, 0), DNSFLOW_HOLD);   /* nothing waits */
  ck_assert_int_eq(tick(f, 63, 500, 100 * MS, 0), DNSFLOW_HOLD); /* window not full */
  ck_assert_int_eq(tick(f, 64, 500, 0, 0), DNSFLOW_HOLD);        /* no answer: no evidence */
  ck_assert_uint_eq(dnsflow_window(f), 64);
  ck_assert_int_eq(tick(f, 64, 1, 100 * MS, 0), DNSFLOW_GROW); /* all four hold */
  ck_assert_uint_eq(dnsflow_window(f), 128);
  ck_assert_int_eq(tick(f, 500, 1, 100 * MS, 0), DNSFLOW_GROW); /* young > window counts */
  ck_assert_uint_eq(dnsflow_window(f), 256);
  dnsflow_free(f);
}
END_TEST

START_TEST(no_samples_no_growth) {
  /* A slow path whose first answers are still travelling: no answers for
   * 100 ticks must not widen the window, however full it is. */
  struct dnsflow *f = mk(NULL);
  for (unsigned i = 0; i < 100; i++) ck_assert_int_eq(tick(f, 64, 100000, 0, 0), DNSFLOW_HOLD);
  ck_assert_uint_eq(dnsflow_window(f), 64);
  ck_assert_uint_eq(dnsflow_base_ns(f), 0);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 20 * MS);
  ck_assert_int_eq(dnsflow_slow_start(f), 1);
  /* loss needs no latency sample */
  ck_assert_int_eq(tick(f, 64, 100000, 0, 1), DNSFLOW_LOSS);
  ck_assert_uint_eq(dnsflow_window(f), 48);
  dnsflow_free(f);
}
END_TEST

START_TEST(loss_shrinks_by_a_quarter) {
  struct dnsflow *f = mk(NULL);
  /* 64 - 64/4 = 48; slow start over */
  ck_assert_int_eq(tick(f, 64, 10, 0, 3), DNSFLOW_LOSS);
  ck_assert_uint_eq(dnsflow_window(f), 48);
  ck_assert_int_eq(dnsflow_slow_start(f), 0);
  ck_assert_uint_eq(dnsflow_min_window_after_loss(f), 48);
  /* growth is now 48 + 48/8 + 1 = 55, not a doubling */
  ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), 55);
  /* 55 - 13 = 42 */
  ck_assert_int_eq(tick(f, 55, 10, 100 * MS, 1), DNSFLOW_LOSS);
  ck_assert_uint_eq(dnsflow_window(f), 42);
  ck_assert_uint_eq(dnsflow_min_window_after_loss(f), 42);
  /* 42 + 5 + 1 = 48; the narrowest stays 42 */
  ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), 48);
  ck_assert_uint_eq(dnsflow_min_window_after_loss(f), 42);
  /* loss wins over a queue signal and over growth: 48 - 12 = 36, not 42 */
  ck_assert_int_eq(tick(f, 48, 10, 100000 * MS, 7), DNSFLOW_LOSS);
  ck_assert_uint_eq(dnsflow_window(f), 36);
  ck_assert_uint_eq(dnsflow_min_window_after_loss(f), 36);
  dnsflow_free(f);
}
END_TEST

START_TEST(stale_age_follows_base) {
  struct dnsflow *f = mk(NULL);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 20 * MS);
  tick(f, 0, 0, 100 * MS, 0);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 800 * MS);
  tick(f, 0, 0, 50 * MS, 0); /* lower: base 50 ms */
  ck_assert_uint_eq(dnsflow_base_ns(f), 50 * MS);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 400 * MS);
  tick(f, 0, 0, 200 * MS, 0); /* higher: base stays */
  tick(f, 0, 0, 0, 0);        /* none: base stays */
  ck_assert_uint_eq(dnsflow_base_ns(f), 50 * MS);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 400 * MS);
  tick(f, 0, 0, 2500 * US, 0); /* 8 x 2.5 ms = 20 ms: the floor exactly */
  ck_assert_uint_eq(dnsflow_stale_ns(f), 20 * MS);
  tick(f, 0, 0, 2 * MS, 0); /* 16 ms < floor */
  ck_assert_uint_eq(dnsflow_stale_ns(f), 20 * MS);
  dnsflow_free(f);

  /* the multiplier and the floor are parameters; the product saturates */
  struct dnsflow_params p;
  dnsflow_defaults(&p);
  p.stale_base_mult = 3;
  p.stale_min_ns = 1 * MS;
  f = mk(&p);
  tick(f, 0, 0, 7 * MS, 0);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 21 * MS);
  tick(f, 0, 0, 100 * US, 0);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 1 * MS);
  dnsflow_free(f);
  p.stale_base_mult = 0;
  f = mk(&p);
  tick(f, 0, 0, 7 * MS, 0);
  ck_assert_uint_eq(dnsflow_stale_ns(f), 1 * MS);
  dnsflow_free(f);
  dnsflow_defaults(&p);
  f = mk(&p);
  tick(f, 0, 0, UINT64_MAX / 4, 0);
  ck_assert_uint_eq(dnsflow_stale_ns(f), UINT64_MAX);
  dnsflow_free(f);
}
END_TEST

START_TEST(clamped_to_min) {
  struct dnsflow_params p;
  dnsflow_defaults(&p);
  p.start = 16;
  struct dnsflow *f = mk(&p);
  /* 16 - 4 = 12 -> 16 */
  ck_assert_int_eq(tick(f, 16, 10, 0, 1), DNSFLOW_LOSS);
  ck_assert_uint_eq(dnsflow_window(f), 16);
  ck_assert_uint_eq(dnsflow_min_window_after_loss(f), 16);
  dnsflow_free(f);
  /* a delay at the floor: thresholds low enough for 16 queries to exceed */
  p.queue_low = 1, p.queue_high = 4;
  f = mk(&p);
  tick(f, 0, 0, 100 * MS, 0);
  /* 16 x 100/200 = 8 > 4: 16 - 2 = 14 -> 16 */
  ck_assert_int_eq(tick(f, 16, 10, 200 * MS, 0), DNSFLOW_DELAY);
  ck_assert_uint_eq(dnsflow_window(f), 16);
  ck_assert_uint_eq(dnsflow_min_window_after_loss(f), 0);
  dnsflow_free(f);
}
END_TEST

START_TEST(clamped_to_max) {
  struct dnsflow_params p;
  dnsflow_defaults(&p);
  p.max = 100;
  struct dnsflow *f = mk(&p);
  ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_GROW); /* 128 -> 100 */
  ck_assert_uint_eq(dnsflow_window(f), 100);
  ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_HOLD);
  ck_assert_uint_eq(dnsflow_window(f), 100);
  dnsflow_free(f);
  /* congestion avoidance hits the ceiling too: 64 -> 48 (loss) -> 55 ->
   * 62 -> 70 clamped to 66 */
  p.max = 66;
  f = mk(&p);
  tick(f, 64, 0, 0, 1);
  ck_assert_uint_eq(dnsflow_window(f), 48);
  ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), 55);
  ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), 62);
  ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), 66);
  ck_assert_int_eq(full(f, 100 * MS), DNSFLOW_HOLD);
  dnsflow_free(f);
  /* a doubling that would wrap an unsigned stops at max */
  p.max = UINT_MAX;
  p.start = UINT_MAX / 2 + 10;
  f = mk(&p);
  ck_assert_int_eq(tick(f, (size_t)UINT_MAX + 5, 1, 100 * MS, 0), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), UINT_MAX);
  dnsflow_free(f);
}
END_TEST

START_TEST(min_span_bounds) {
  struct dnsflow *f = mk(NULL);
  ck_assert_int_eq(dnsflow_set_min_span(f, 0), -EINVAL);
  ck_assert_int_eq(dnsflow_set_min_span(f, DNSFLOW_MAX_MIN_SPAN + 1), -EINVAL);
  ck_assert_int_eq(dnsflow_set_min_span(f, DNSFLOW_MAX_MIN_SPAN), 0);
  ck_assert_int_eq(dnsflow_set_min_span(f, 1), 0);
  dnsflow_free(f);
}
END_TEST

START_TEST(rare_cache_hits) {
  /* One tick in six has a cache hit (0.1 ms) among its answers; the other
   * five answer only misses (150 ms).  No queue anywhere. */
  static const uint64_t rtt[] = {100 * US, 150 * MS, 150 * MS, 150 * MS, 150 * MS, 150 * MS};
  /* the plain rule: the second tick's fastest answer is a miss, and
   * 128 x (150 - 0.1)/150 = 127.9 > 64 reads as a queue: 128 - 16 */
  struct dnsflow *f = mk(NULL);
  ck_assert_int_eq(full(f, rtt[0]), DNSFLOW_GROW);
  ck_assert_uint_eq(dnsflow_window(f), 128);
  ck_assert_int_eq(full(f, rtt[1]), DNSFLOW_DELAY);
  ck_assert_uint_eq(dnsflow_window(f), 112);
  dnsflow_free(f);
  /* a span of 8 ticks always holds the hit: slow start runs to max
   * (64 -> 4096 in six ticks) and stays */
  static const unsigned want[] = {128, 256, 512, 1024, 2048, 4096};
  f = mk(NULL);
  ck_assert_int_eq(dnsflow_set_min_span(f, 8), 0);
  for (unsigned i = 0; i < 60; i++) {
    ck_assert_int_eq(full(f, rtt[i % 6]), i < 6 ? DNSFLOW_GROW : DNSFLOW_HOLD);
    ck_assert_uint_eq(dnsflow_window(f), want[i < 6 ? i : 5]);
  }
  dnsflow_free(f);
}
END_TEST

START_TEST(min_span_sees_a_queue_late) {
  struct dnsflow_params p;
  dnsflow_defaults(&p);
  p.start = 1024;
  struct dnsflow *f = mk(&p);
  ck_assert_int_eq(dnsflow_set_min_span(f, 4), 0);
  ck_assert_int_eq(tick(f, 0, 0, 100 * MS, 0), DNSFLOW_HOLD); /* base 100 ms */
  /* every answer now takes 200 ms: the 100 ms tick stays in the span for
   * three more ticks */
  for (int i = 0; i < 3; i++) ck_assert_int_eq(tick(f, 1024, 0, 200 * MS, 0), DNSFLOW_HOLD);
  /* span all 200 ms: 1024 x 100/200 = 512 > 64: 1024 - 128 */
  ck_assert_int_eq(tick(f, 1024, 0, 200 * MS, 0), DNSFLOW_DELAY);
  ck_assert_uint_eq(dnsflow_window(f), 896);
  /* no answers: no judgement on old evidence */
  ck_assert_int_eq(tick(f, 896, 0, 0, 0), DNSFLOW_HOLD);
  ck_assert_uint_eq(dnsflow_window(f), 896);
  /* answers again; the empty tick is skipped in the minimum: 896 x 100/200
   * = 448: 896 - 112 */
  ck_assert_int_eq(tick(f, 896, 0, 200 * MS, 0), DNSFLOW_DELAY);
  ck_assert_uint_eq(dnsflow_window(f), 784);
  /* loss is never late */
  ck_assert_int_eq(tick(f, 784, 0, 100 * MS, 1), DNSFLOW_LOSS);
  ck_assert_uint_eq(dnsflow_window(f), 588);
  dnsflow_free(f);
}
END_TEST

Suite *dnsflow_suite(void) {
  Suite *s = suite_create("dnsflow");
  TCase *tc = tcase_create("window");
  tcase_add_test(tc, defaults);
  tcase_add_test(tc, bad_params);
  tcase_add_test(tc, uniform_100ms_grows_to_max);
  tcase_add_test(tc, cache_mix_grows_to_max);
  tcase_add_test(tc, real_queue_shrinks);
  tcase_add_test(tc, queue_counts_at_most_the_window);
  tcase_add_test(tc, queue_high_boundary);
  tcase_add_test(tc, queue_low_boundary);
  tcase_add_test(tc, growth_needs_every_condition);
  tcase_add_test(tc, no_samples_no_growth);
  tcase_add_test(tc, loss_shrinks_by_a_quarter);
  tcase_add_test(tc, stale_age_follows_base);
  tcase_add_test(tc, clamped_to_min);
  tcase_add_test(tc, clamped_to_max);
  tcase_add_test(tc, min_span_bounds);
  tcase_add_test(tc, rare_cache_hits);
  tcase_add_test(tc, min_span_sees_a_queue_late);
  suite_add_tcase(s, tc);
  return s;
}
