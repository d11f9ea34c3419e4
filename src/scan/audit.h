/*
 * audit.h - the pipeline: targets from a source, paced by a token bucket,
 * run through a fixed pool of probe slots (PTR lookup, forward lookup of
 * every PTR name, SMTP banner probe), judged by the verdict rules and
 * written to the report.  Thin glue on libuv: every decision lives in the
 * pure modules (source, verdict, greeting, dnsreply, cell).
 *
 * Resolver health: when more than half of a window of HEALTH_WINDOW PTR
 * lookups come back REFUSED or fail at the socket level (the resolver is
 * rate-limiting us, or is gone), the audit halves its rate and pauses
 * (1 s, then 2 s); a window only counts lookups of targets started after the
 * previous back-off, so one burst is judged once.  After HEALTH_MAX_BACKOFFS
 * such windows in a row it stops with AUDIT_RUNTIME_ERROR instead of filling
 * the report with temperrors.
 *
 * DNS window: the number of queries sent to the resolver at once starts at
 * DNS_WINDOW_START and is steered every DROP_CHECK_MS, like a TCP
 * congestion window, by two signals:
 *   - loss: the host's UDP RcvbufErrors counter (/proc/net/snmp) or the
 *     kernel's drop count of our own sockets (resolver_drops) grew, so
 *     datagrams were dropped at a full socket buffer (ours, or a resolver's
 *     on this host: Linux's default buffer holds about 256 query-sized
 *     datagrams); a lost query only comes back as a retry after
 *     --dns-timeout.  The window shrinks by a quarter.
 *   - delay: TCP Vegas's estimate of our queries waiting in queues,
 *     in flight x (latency - lowest latency) / latency, is above
 *     DNS_QUEUE_HIGH datagrams, so the server's buffer is filling and loss is
 *     next.  The window shrinks by an eighth.
 * Otherwise, when the window is what holds queries back and fewer than
 * DNS_QUEUE_LOW are queued, it doubles until the first signal (slow start)
 * and then widens by an eighth, up to DNS_WINDOW_MAX, never below DNS_WINDOW_MIN.  Starting low
 * and growing only while neither signal fires avoids loss instead of
 * reacting to it.  The loss counter is host-wide: another program's drops
 * also slow us down, which errs on the safe side.  Targets in flight
 * (--concurrency) are not limited by this, so SMTP probes keep theirs.
 *
 * Memory is fixed at start: `concurrency` slots, each holding one target's
 * results, plus (with --ordered) a reorder ring of formatted rows.  Nothing
 * grows with the number of targets.
 */
#ifndef PTRAUDIT_AUDIT_H
#define PTRAUDIT_AUDIT_H

#include <stdint.h>
#include <uv.h>

#include "checkpoint.h"
#include "report.h"
#include "source.h"
#include "verdict.h"

struct audit;

enum out_format { FORMAT_CSV = 0, FORMAT_JSONL };

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
  unsigned smtp_timeout_ms;
  const char *ehlo;          /* --ehlo NAME: also send EHLO, record ehlo_host */
  /* pacing */
  double rate;               /* targets started per second; 0 = no cap */
  unsigned concurrency;
};

#define DROP_CHECK_MS 25
#define DNS_WINDOW_START 64
#define DNS_QUEUE_LOW 16  /* queued datagrams (Vegas estimate): room to grow */
#define DNS_QUEUE_HIGH 64 /* queued datagrams: shrink before the server drops */
#define DNS_WINDOW_MIN 16
#define DNS_WINDOW_MAX 4096
#define HEALTH_WINDOW 100
#define HEALTH_MAX_BACKOFFS 3

struct audit_stats {
  uint64_t started;              /* targets taken from the source */
  uint64_t done;                 /* rows completed (written or in the reorder ring) */
  uint64_t inflight;             /* slots busy now */
  uint64_t verdicts[VERDICT_SKIPPED + 1];
  uint64_t flags[VERDICT_F_COUNT];
  uint64_t smtp_backpressure;    /* SMTP connects deferred for lack of sockets */
  uint64_t resumed;              /* targets skipped: done by the resumed run */
  uint64_t backoffs;             /* times the resolver's refusals slowed us down */
  uint64_t udp_drops;            /* UDP datagrams this host dropped for a full receive
                                    buffer during the run (/proc/net/snmp) */
  uint64_t udp_drops_ours;       /* of those, dropped at our own DNS sockets
                                    (SO_RXQ_OVFL; counted also where the host
                                    counter cannot be read) */
  unsigned min_window;           /* narrowest DNS window used because of them */
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

const struct audit_stats *audit_stats(const struct audit *a);

/* The message behind an AUDIT_*_ERROR end ("" if none). */
const char *audit_error(const struct audit *a);

/* With --html: write the summary page of every row reported so far. */
int audit_write_html(const struct audit *a, const char *path, char *err, size_t errlen);

/* Free; only after the done callback has run. */
void audit_free(struct audit *a);

#endif
