/* SPDX-License-Identifier: MIT */
/*
 * audit.h - the scan: targets from a source, paced by a token bucket,
 * through two stages, judged and written:
 *
 *   source -> pump -> [SMTP stage] -> DNS stage -> join -> sink
 *
 * pump      takes the next target when the rate, the resolver-health
 *           pause, a free row and (with --ordered) the reorder window allow;
 * SMTP      the greeting probe of the target itself (smtpstage.h), with its
 *           own in-flight budget, per-prefix politeness and 421 retries;
 * DNS       PTR, then A/AAAA of every PTR name (dnsstage.h), with its own
 *           budget, the DNS window (dnsflow.h) and resolver health
 *           (health.h);
 * join      the verdict rules (verdict.h) on both stages' results;
 * sink      the row in the output format, in completion or input order
 *           (sink.h), and the --html summary.
 * SMTP comes first so that a row waiting for a slow greeting holds no DNS
 * context (row.h).  The decisions live in the pure modules; this file and
 * the stages are the event-loop glue.
 *
 * Memory is bounded at start: at most scan_rows_max() rows, each stage's
 * budget, the reorder ring.  Nothing grows with the number of targets.
 */
#ifndef PTRAUDIT_AUDIT_H
#define PTRAUDIT_AUDIT_H

#include <stdint.h>
#include <uv.h>

#include "checkpoint.h"
#include "dnsbl.h"
#include "limiter.h"
#include "report.h"
#include "sink.h"
#include "source.h"
#include "verdict.h"

struct audit;

#define SCAN_MAX_RESOLVERS 16

/* How to scan and what to write (the command line fills it). */
struct scan_opts {
  int ordered;               /* --ordered: rows in input order */
  enum out_format format;    /* --format csv|jsonl */
  int html;                  /* keep a summary for the --html page */
  /* DNS */
  char resolvers[SCAN_MAX_RESOLVERS * 56]; /* c-ares servers CSV; "" = system */
  unsigned dns_timeout_ms;
  unsigned dns_tries;
  unsigned channels;         /* c-ares channels (0 = automatic) */
  /* SMTP */
  int no_smtp;
  unsigned smtp_port;
  unsigned smtp_timeout_ms;  /* greeting deadline from the start of the connect */
  unsigned connect_timeout_ms; /* connect deadline */
  const char *ehlo;          /* --ehlo NAME: also send EHLO, record ehlo_host */
  unsigned smtp_concurrency; /* probes at once; 0 = scan_smtp_budget() */
  unsigned per_prefix;       /* sessions per /24 or /64 at once */
  unsigned smtp_tries;       /* connections per target when greetings say 421 */
  /* sender checks (scan/senders.h) */
  struct dnsbl_list dnsbl[DNSBL_MAX_LISTS]; /* --dnsbl, then --dnsbl-file's lists */
  size_t ndnsbl;
  int dnsbl_txt;             /* --dnsbl-txt: also ask the TXT of a listing */
  const char *spf_domain;    /* --spf-domain: the sender of rows without one */
  const char *sender_column; /* --sender-column; NULL = the usual names */
  const char *helo_column;   /* --helo-column; NULL = "helo" */
  /* pacing */
  double rate;               /* targets started per second; 0 = no cap */
  unsigned concurrency;      /* rows resolving at once; 0 = scan_dns_budget() */
};

/* The budgets the scan uses when the options leave them at 0, as pure
 * functions of the options and the descriptors available (fd_avail).
 *   DNS:  rate x the longest a row's lookups can take (PTR then forward,
 *         each up to timeout x (2^tries - 1): c-ares doubles the timeout on
 *         every retry) x 1.5, at least 256, at most 16384; 2048 uncapped (each resolving row holds ~10 KiB).
 *   SMTP: rate x the longest a session can take (greeting deadline + EHLO
 *         + QUIT) x 1.25, at least 16; uncapped: 16384; never more than
 *         fd_avail.
 *   rows: DNS + 2 x SMTP (rows wait for their prefix or a retry too).
 * O(1). */
unsigned scan_dns_budget(const struct scan_opts *o);
unsigned scan_smtp_budget(const struct scan_opts *o, unsigned fd_avail);
unsigned scan_rows_max(unsigned dns_budget, unsigned smtp_budget);

/* The longest one DNS query can take with c-ares's doubling timeouts:
 * timeout x (2^tries - 1) ms.  O(1). */
unsigned scan_dns_query_worst_ms(unsigned timeout_ms, unsigned tries);

struct audit_stats {
  uint64_t started;              /* targets taken from the source */
  uint64_t done;                 /* rows completed (written or in the reorder ring) */
  uint64_t inflight;             /* slots busy now */
  uint64_t verdicts[VERDICT_SKIPPED + 1];
  uint64_t flags[VERDICT_F_COUNT];
  uint64_t smtp_backpressure;    /* SMTP connects deferred for lack of sockets */
  uint64_t smtp_retries;         /* SMTP connections made again after a 421 */
  unsigned dns_budget, smtp_budget, rows_max; /* the budgets in force */
  uint64_t resumed;              /* targets skipped: done by the resumed run */
  uint64_t backoffs;             /* times the resolver's refusals slowed us down */
  uint64_t udp_drops;            /* UDP datagrams this host dropped for a full receive
                                    buffer during the run (/proc/net/snmp) */
  uint64_t udp_drops_ours;       /* of those, dropped at our own DNS sockets
                                    (SO_RXQ_OVFL; counted also where the host
                                    counter cannot be read) */
  unsigned min_window;           /* narrowest DNS window used because of them */
  /* Now, for the status line: why the pump last stopped and where the
   * rows are (smtp_* are 0 with --no-smtp), as limiter.h reads them.
   * Rows in the SMTP stage: smtp_active + smtp_queued +
   * smtp_prefix_waiting + smtp_retrying; in the DNS stage: dns_active +
   * dns_queued; live.rows_busy in all. */
  struct limiter_in live;
};

/* Why a run ended, in audit_done_cb's status. */
enum audit_end {
  AUDIT_COMPLETE = 0,   /* every target done */
  AUDIT_STOPPED,        /* audit_stop(): in-flight targets finished, others not started */
  AUDIT_INPUT_ERROR,    /* bad input found mid-stream (stdin/pipe); see audit_error() */
  AUDIT_OUTPUT_ERROR,   /* the report could not be written; see audit_error() */
  AUDIT_RUNTIME_ERROR   /* the resolver or loop failed; see audit_error() */
};

typedef void (*audit_done_cb)(struct audit *a, enum audit_end end, void *arg);

/* Create a pipeline on `loop` reading `src` and writing `rep` (neither is
 * owned).  Writes the report header.  Returns 0 or a negative code with a
 * message in err. */
int audit_new(struct audit **out, uv_loop_t *loop, const struct scan_opts *c,
              struct source *src, struct report *rep, char *err, size_t errlen);

/* Skip the targets `prev` (a checkpoint from an interrupted run) says were
 * done.  Call before audit_start; prev must outlive the audit. */
void audit_resume_from(struct audit *a, const struct checkpoint *prev);

/* Describe what is done (this run plus the resumed one) as a checkpoint:
 * every target started and finished, every row written.  Valid after the
 * done callback, or at any time for an abort.  0 or UV_ENOMEM. */
int audit_checkpoint(const struct audit *a, struct checkpoint *out);

/* Start; `cb` runs once when the run has ended and every handle the audit
 * owns is closed (the loop then has nothing of ours left). */
void audit_start(struct audit *a, audit_done_cb cb, void *arg);

/* Stop taking new targets; in-flight ones finish (each is bounded by the DNS
 * and SMTP timeouts).  Safe to call more than once, and from a signal
 * handler callback. */
void audit_stop(struct audit *a);

/* Called for each inventory row whose IP cell is not an address (the row is
 * still reported, verdict invalid): origin and line name where it was. */
typedef void (*audit_warn_cb)(void *arg, const char *origin, unsigned long line,
                              const char *cell, size_t cell_len);
void audit_on_invalid(struct audit *a, audit_warn_cb cb, void *arg);

/* Called with a warning the user should see once (a blocklist that is no
 * longer asked, senders.h). */
typedef void (*audit_msg_cb)(void *arg, const char *msg);
void audit_on_message(struct audit *a, audit_msg_cb cb, void *arg);

const struct audit_stats *audit_stats(const struct audit *a);

/* The message behind an AUDIT_*_ERROR end ("" if none). */
const char *audit_error(const struct audit *a);

/* With --html: write the summary page of every row reported so far, with
 * the change since a previous report when `since` is not NULL (change.h). */
struct change;
int audit_write_html(const struct audit *a, const char *path, const struct change *since,
                     char *err, size_t errlen);

/* Free; only after the done callback has run. */
void audit_free(struct audit *a);

#endif
