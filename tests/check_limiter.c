/* SPDX-License-Identifier: MIT */
/* check_limiter.c - what limits the run, from scripted snapshots: each
 * reason the pump stops, and for a full set of rows the stage where rows
 * queue (expectations from the rules in limiter.h). */
#include <check.h>
#include <string.h>

#include "limiter.h"

/* A run with both stages, every row busy, no queue anywhere. */
static struct limiter_in full(void) {
  struct limiter_in in;
  memset(&in, 0, sizeof in);
  in.pump = LIMITER_PUMP_ROWS;
  in.rows_busy = in.rows_max = 768;
  in.start_rate = in.done_rate = -1;
  in.smtp = 1;
  in.smtp_active = in.smtp_limit = in.smtp_budget = 256;
  in.dns_active = 256;
  in.dns_budget = 256;
  return in;
}

static struct limiter_out decide(const struct limiter_in *in) {
  struct limiter_out o;
  limiter_decide(in, &o);
  return o;
}

START_TEST(pump_reasons) {
  struct limiter_in in = full();
  in.pump = LIMITER_PUMP_NONE;
  ck_assert_int_eq(decide(&in).what, LIMITER_NONE);
  in.pump = LIMITER_PUMP_INPUT;
  ck_assert_int_eq(decide(&in).what, LIMITER_INPUT);
  in.pump = LIMITER_PUMP_RATE;
  ck_assert_int_eq(decide(&in).what, LIMITER_RATE);
  ck_assert_int_eq(decide(&in).stage, LIMITER_STAGE_NONE);
  in.rate_cut = 1; /* a back-off halved the rate: the resolver, not --rate */
  ck_assert_int_eq(decide(&in).what, LIMITER_BACKOFF);
  in.rate_cut = 0;
  in.pump = LIMITER_PUMP_PAUSE;
  ck_assert_int_eq(decide(&in).what, LIMITER_BACKOFF);
  in.pump = LIMITER_PUMP_ORDER;
  ck_assert_int_eq(decide(&in).what, LIMITER_ORDERING);
  in.pump = LIMITER_PUMP_END;
  ck_assert_int_eq(decide(&in).what, LIMITER_FINISHING);
  in.pump = LIMITER_PUMP_STOPPING;
  ck_assert_int_eq(decide(&in).what, LIMITER_FINISHING);
}
END_TEST

START_TEST(rows_no_queue) {
  struct limiter_in in = full();
  struct limiter_out o = decide(&in);
  ck_assert_int_eq(o.what, LIMITER_CONCURRENCY);
  ck_assert_int_eq(o.stage, LIMITER_STAGE_ROWS);
  /* --no-smtp: the rows are the DNS budget, -c */
  in.smtp = 0;
  in.rows_max = in.rows_busy = 256;
  o = decide(&in);
  ck_assert_int_eq(o.what, LIMITER_CONCURRENCY);
  ck_assert_int_eq(o.stage, LIMITER_STAGE_DNS);
  ck_assert_str_eq(limiter_hint(&o), "-c");
}
END_TEST

START_TEST(rows_smtp) {
  struct limiter_in in = full();
  in.smtp_queued = 300; /* tarpits: every probe slot busy, rows wait for one */
  in.dns_queued = 10;
  struct limiter_out o = decide(&in);
  ck_assert_int_eq(o.what, LIMITER_CONCURRENCY);
  ck_assert_int_eq(o.stage, LIMITER_STAGE_SMTP);
  ck_assert_str_eq(limiter_hint(&o), "--smtp-concurrency");
  in.smtp_limit = 200; /* back-pressure: out of sockets */
  ck_assert_int_eq(decide(&in).what, LIMITER_DESCRIPTORS);
  in.smtp_limit = 256;
  in.smtp_fd_capped = 1; /* the budget itself was cut to the descriptors */
  o = decide(&in);
  ck_assert_int_eq(o.what, LIMITER_DESCRIPTORS);
  ck_assert_str_eq(limiter_hint(&o), "ulimit -n");
}
END_TEST

START_TEST(rows_politeness) {
  struct limiter_in in = full();
  in.smtp_prefix_waiting = 200; /* one shared MTA behind a /24 */
  in.smtp_retrying = 50;
  in.smtp_queued = 250;         /* a tie goes to politeness */
  ck_assert_int_eq(decide(&in).what, LIMITER_POLITENESS);
  in.smtp_queued = 251;
  ck_assert_int_eq(decide(&in).what, LIMITER_CONCURRENCY);
  /* without SMTP the SMTP figures mean nothing */
  in = full();
  in.smtp = 0;
  in.smtp_prefix_waiting = 99;
  in.dns_queued = 1;
  ck_assert_int_eq(decide(&in).what, LIMITER_CONCURRENCY);
  ck_assert_int_eq(decide(&in).stage, LIMITER_STAGE_DNS);
}
END_TEST

START_TEST(rows_dns) {
  struct limiter_in in = full();
  in.dns_queued = 40;
  in.smtp_queued = 39;
  struct limiter_out o = decide(&in); /* every context busy */
  ck_assert_int_eq(o.what, LIMITER_CONCURRENCY);
  ck_assert_int_eq(o.stage, LIMITER_STAGE_DNS);
  in.dns_active = 100; /* contexts free, yet rows wait: the resolver's queue is full */
  o = decide(&in);
  ck_assert_int_eq(o.what, LIMITER_DNS_WINDOW);
  ck_assert_str_eq(limiter_name(o.what), "dns-window");
  in.dns_paused = 1;
  ck_assert_int_eq(decide(&in).what, LIMITER_BACKOFF);
  in.dns_active = 256; /* paused wins over a full budget: nothing is sent */
  ck_assert_int_eq(decide(&in).what, LIMITER_BACKOFF);
}
END_TEST

START_TEST(backlog) {
  /* --rate 50 against one MTA per /24: the pump waits for tokens, rows
   * finish at 40/s and wait for their prefix */
  struct limiter_in in = full();
  in.pump = LIMITER_PUMP_RATE;
  in.rows_busy = 30;
  in.smtp_active = 10;
  in.smtp_prefix_waiting = 20;
  in.dns_active = 0;
  in.start_rate = 50;
  in.done_rate = 40;
  ck_assert_int_eq(decide(&in).what, LIMITER_POLITENESS);
  in.done_rate = 45.5; /* within 10%: the rate holds, the wait is passing */
  ck_assert_int_eq(decide(&in).what, LIMITER_RATE);
  in.done_rate = 40;
  in.smtp_prefix_waiting = 0; /* slower, but no queue: latency, not a limit */
  ck_assert_int_eq(decide(&in).what, LIMITER_RATE);
  in.smtp_prefix_waiting = 20;
  in.done_rate = -1; /* not known yet */
  ck_assert_int_eq(decide(&in).what, LIMITER_RATE);
  /* a slow pipe feeding a slow resolver: rows wait for the DNS window */
  in = full();
  in.pump = LIMITER_PUMP_INPUT;
  in.dns_active = 100;
  in.dns_queued = 50;
  in.start_rate = 20;
  in.done_rate = 5;
  ck_assert_int_eq(decide(&in).what, LIMITER_DNS_WINDOW);
  in.done_rate = 20;
  ck_assert_int_eq(decide(&in).what, LIMITER_INPUT);
  /* a back-off's pause stays the answer, whatever piles up */
  in.pump = LIMITER_PUMP_PAUSE;
  in.done_rate = 5;
  ck_assert_int_eq(decide(&in).what, LIMITER_BACKOFF);
}
END_TEST

START_TEST(names) {
  ck_assert_str_eq(limiter_name(LIMITER_NONE), "none");
  ck_assert_str_eq(limiter_name(LIMITER_INPUT), "input");
  ck_assert_str_eq(limiter_name(LIMITER_RATE), "rate");
  ck_assert_str_eq(limiter_name(LIMITER_CONCURRENCY), "concurrency");
  ck_assert_str_eq(limiter_name(LIMITER_DESCRIPTORS), "descriptors");
  ck_assert_str_eq(limiter_name(LIMITER_BACKOFF), "resolver-backoff");
  ck_assert_str_eq(limiter_name(LIMITER_POLITENESS), "politeness");
  ck_assert_str_eq(limiter_name(LIMITER_ORDERING), "ordering");
  ck_assert_str_eq(limiter_name(LIMITER_FINISHING), "finishing");
  ck_assert_str_eq(limiter_name(LIMITER_COUNT), "none");
  struct limiter_out o = {LIMITER_RATE, LIMITER_STAGE_NONE};
  ck_assert_str_eq(limiter_hint(&o), "--rate");
  o.what = LIMITER_FINISHING;
  ck_assert_str_eq(limiter_hint(&o), "");
}
END_TEST

Suite *limiter_suite(void) {
  Suite *s = suite_create("limiter");
  TCase *tc = tcase_create("decide");
  tcase_add_test(tc, pump_reasons);
  tcase_add_test(tc, rows_no_queue);
  tcase_add_test(tc, rows_smtp);
  tcase_add_test(tc, rows_politeness);
  tcase_add_test(tc, rows_dns);
  tcase_add_test(tc, backlog);
  tcase_add_test(tc, names);
  suite_add_tcase(s, tc);
  return s;
}
