/* SPDX-License-Identifier: MIT */
/*
 * limiter.c - what limits the run now.  See limiter.h.
 */
#include "limiter.h"

static const char *const names[LIMITER_COUNT] = {
  [LIMITER_NONE] = "none",
  [LIMITER_INPUT] = "input",
  [LIMITER_RATE] = "rate",
  [LIMITER_CONCURRENCY] = "concurrency",
  [LIMITER_DNS_WINDOW] = "dns-window",
  [LIMITER_DESCRIPTORS] = "descriptors",
  [LIMITER_BACKOFF] = "resolver-backoff",
  [LIMITER_POLITENESS] = "politeness",
  [LIMITER_ORDERING] = "ordering",
  [LIMITER_FINISHING] = "finishing",
};

static void set(struct limiter_out *o, enum limiter what, enum limiter_stage stage) {
  o->what = what;
  o->stage = stage;
}

/* Rows finish clearly slower than they start, and some wait in a queue. */
static int backlog(const struct limiter_in *in) {
  unsigned waiting = in->dns_queued;
  if (in->smtp) waiting += in->smtp_queued + in->smtp_prefix_waiting + in->smtp_retrying;
  return waiting && in->done_rate >= 0 && in->start_rate > 0 &&
         in->done_rate < in->start_rate * 0.9;
}

/* Every row is busy (or rows pile up): the stage where rows queue is the
 * bottleneck. */
static void rows_full(const struct limiter_in *in, struct limiter_out *o) {
  unsigned polite = in->smtp ? in->smtp_prefix_waiting + in->smtp_retrying : 0;
  unsigned smtpq = in->smtp ? in->smtp_queued : 0;
  unsigned dnsq = in->dns_queued;
  if (!polite && !smtpq && !dnsq) {
    set(o, LIMITER_CONCURRENCY, in->smtp ? LIMITER_STAGE_ROWS : LIMITER_STAGE_DNS);
  } else if (polite >= smtpq && polite >= dnsq) {
    set(o, LIMITER_POLITENESS, LIMITER_STAGE_NONE);
  } else if (smtpq >= dnsq) {
    if (in->smtp_limit < in->smtp_budget || in->smtp_fd_capped)
      set(o, LIMITER_DESCRIPTORS, LIMITER_STAGE_NONE);
    else
      set(o, LIMITER_CONCURRENCY, LIMITER_STAGE_SMTP);
  } else if (in->dns_paused) {
    set(o, LIMITER_BACKOFF, LIMITER_STAGE_NONE);
  } else if (in->dns_active >= in->dns_budget) {
    set(o, LIMITER_CONCURRENCY, LIMITER_STAGE_DNS);
  } else {
    set(o, LIMITER_DNS_WINDOW, LIMITER_STAGE_NONE);
  }
}

void limiter_decide(const struct limiter_in *in, struct limiter_out *o) {
  set(o, LIMITER_NONE, LIMITER_STAGE_NONE);
  switch (in->pump) {
  case LIMITER_PUMP_NONE: return;
  case LIMITER_PUMP_INPUT:
    if (backlog(in)) rows_full(in, o);
    else set(o, LIMITER_INPUT, LIMITER_STAGE_NONE);
    return;
  case LIMITER_PUMP_RATE:
    if (backlog(in)) rows_full(in, o);
    else set(o, in->rate_cut ? LIMITER_BACKOFF : LIMITER_RATE, LIMITER_STAGE_NONE);
    return;
  case LIMITER_PUMP_PAUSE: set(o, LIMITER_BACKOFF, LIMITER_STAGE_NONE); return;
  case LIMITER_PUMP_ORDER: set(o, LIMITER_ORDERING, LIMITER_STAGE_NONE); return;
  case LIMITER_PUMP_END:
  case LIMITER_PUMP_STOPPING: set(o, LIMITER_FINISHING, LIMITER_STAGE_NONE); return;
  case LIMITER_PUMP_ROWS: rows_full(in, o); return;
  }
}

const char *limiter_name(enum limiter l) {
  return (unsigned)l < LIMITER_COUNT ? names[l] : "none";
}

const char *limiter_hint(const struct limiter_out *o) {
  switch (o->what) {
  case LIMITER_INPUT: return "waiting for input";
  case LIMITER_RATE: return "--rate";
  case LIMITER_CONCURRENCY:
    return o->stage == LIMITER_STAGE_SMTP ? "--smtp-concurrency" : "-c";
  case LIMITER_DNS_WINDOW: return "the resolver's capacity";
  case LIMITER_DESCRIPTORS: return "ulimit -n";
  case LIMITER_BACKOFF: return "the resolver refuses or is silent";
  case LIMITER_POLITENESS: return "--sessions-per-prefix";
  case LIMITER_ORDERING: return "--ordered";
  default: return "";
  }
}
