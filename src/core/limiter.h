/* SPDX-License-Identifier: MIT */
/*
 * limiter.h - what limits the run now, for the status line: the token
 * bucket, a budget of rows or probes, the DNS window, the descriptors, the
 * resolver's back-off, the SMTP politeness limit, the input, the reorder
 * window.  Pure: the scan fills a snapshot (audit_stats), this module
 * names the bottleneck.  A user who asked for --rate 400 and sees 81/s
 * learns which knob (or which outside limit) holds it back.
 *
 * The pump (scan/audit.c) takes targets until something stops it, and it
 * records what did (enum limiter_pump).  That is the first answer:
 *   INPUT  -> input          the source has nothing yet (a quiet stdin/pipe)
 *   RATE   -> rate           waiting for a token (--rate); resolver-backoff
 *                            when a back-off cut the rate below --rate
 *   PAUSE  -> resolver-backoff  a back-off's pause
 *   ORDER  -> ordering       --ordered: the reorder window is full
 *   END, STOPPING -> finishing  no more targets start; the last finish
 *   NONE   -> none           not started yet
 *   ROWS   -> every row is busy: the stage where rows queue decides.
 * For ROWS the largest of three queues names the stage (ties: in this
 * order):
 *   rows waiting for their /24 or /64 or to retry after a 421
 *                          -> politeness (--sessions-per-prefix)
 *   rows waiting for an SMTP probe slot
 *                          -> descriptors when back-pressure cut the probe
 *                             limit below the budget or the budget was cut
 *                             to the descriptors available; else
 *                             concurrency (SMTP stage)
 *   rows waiting for a DNS context
 *                          -> resolver-backoff while the DNS stage pauses;
 *                             concurrency (DNS stage) when every context is
 *                             busy; else dns-window (the resolver's queue
 *                             is full: dnsflow's window or dnscap's cap)
 * No queue at all: every row is in progress, the budget of rows is what
 * holds (concurrency; the DNS stage's without SMTP, whose budget is -c).
 *
 * A backlog overrides RATE and INPUT: when rows finish at less than 90% of
 * the rate they start at (both over the last seconds) and some wait in a
 * stage's queue, that stage is the bottleneck, named by the same queue
 * rules, even though the pump still waits for a token: rows pile up
 * until they fill the budget (seen: --rate 50 against one MTA per /24
 * finished 40/s, held by --sessions-per-prefix).  Latency alone is no
 * backlog: rows in progress are not in a queue.
 *
 * Every call is O(1); nothing allocates.
 */
#ifndef PTRAUDIT_LIMITER_H
#define PTRAUDIT_LIMITER_H

/* Why the pump last stopped taking targets. */
enum limiter_pump {
  LIMITER_PUMP_NONE = 0, /* it has not run yet */
  LIMITER_PUMP_INPUT,    /* the source has no complete target yet */
  LIMITER_PUMP_RATE,     /* no token */
  LIMITER_PUMP_PAUSE,    /* a back-off's pause */
  LIMITER_PUMP_ROWS,     /* no free row */
  LIMITER_PUMP_ORDER,    /* the reorder window is full */
  LIMITER_PUMP_END,      /* the source is exhausted */
  LIMITER_PUMP_STOPPING  /* the run is stopping */
};

enum limiter {
  LIMITER_NONE = 0,
  LIMITER_INPUT,
  LIMITER_RATE,
  LIMITER_CONCURRENCY,
  LIMITER_DNS_WINDOW,
  LIMITER_DESCRIPTORS,
  LIMITER_BACKOFF,
  LIMITER_POLITENESS,
  LIMITER_ORDERING,
  LIMITER_FINISHING,
  LIMITER_COUNT
};

/* Which budget LIMITER_CONCURRENCY means. */
enum limiter_stage {
  LIMITER_STAGE_NONE = 0,
  LIMITER_STAGE_ROWS,  /* rows in flight (-c and the SMTP budget) */
  LIMITER_STAGE_SMTP,  /* probes at once (--smtp-concurrency) */
  LIMITER_STAGE_DNS    /* rows resolving at once (-c) */
};

/* A snapshot of the scan. */
struct limiter_in {
  enum limiter_pump pump;
  int rate_cut;                  /* a back-off cut the rate below --rate */
  unsigned rows_busy, rows_max;
  int smtp;                      /* the SMTP stage runs (not --no-smtp) */
  unsigned smtp_active;          /* probes running */
  unsigned smtp_queued;          /* rows waiting for a probe slot */
  unsigned smtp_prefix_waiting;  /* rows waiting for their prefix's limit */
  unsigned smtp_retrying;        /* rows waiting to retry after a 421 */
  unsigned smtp_limit;           /* probes allowed now (back-pressure lowers it) */
  unsigned smtp_budget;          /* probes allowed at most */
  int smtp_fd_capped;            /* the budget was cut to the descriptors available */
  unsigned dns_active;           /* rows resolving (holding a DNS context) */
  unsigned dns_queued;           /* rows waiting for a DNS context */
  unsigned dns_budget;           /* contexts at most */
  int dns_paused;                /* the DNS stage holds lookups for a back-off */
  double start_rate, done_rate;  /* rows started and finished per second lately
                                    (progress.h); < 0: not known yet */
};

struct limiter_out {
  enum limiter what;
  enum limiter_stage stage;      /* for LIMITER_CONCURRENCY, else NONE */
};

/* Name the bottleneck of the snapshot (rules above).  O(1). */
void limiter_decide(const struct limiter_in *in, struct limiter_out *out);

/* The word for a limiter, as the status line and --status-file print it:
 * "none", "input", "rate", "concurrency", "dns-window", "descriptors",
 * "resolver-backoff", "politeness", "ordering", "finishing".  O(1). */
const char *limiter_name(enum limiter l);

/* What to look at to change it, a few words ("--rate", "-c",
 * "--smtp-concurrency", "ulimit -n", ...); "" when there is nothing to
 * tune.  O(1). */
const char *limiter_hint(const struct limiter_out *o);

#endif
