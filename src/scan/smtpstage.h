/* SPDX-License-Identifier: MIT */
/*
 * smtpstage.h - the SMTP stage of the scan: one greeting probe per row
 * (smtp.h), only ever to the row's own target address.
 *
 * Budget: at most `budget` probes run at once (each holds a socket).  The
 * audit sizes it so the requested rate holds when every target is slow:
 * rate x the longest a session can take, within the descriptor limit
 * (audit.c, scan_smtp_budget).  A probe that finds no socket or port
 * (back-pressure, smtp.h) is not a result: the row goes back to the front
 * of the queue and the stage runs fewer probes for a while.
 *
 * Politeness (hostlimit.h): sessions per /24 (IPv4) or /64 (IPv6) are
 * limited as the server counts them, so one MTA behind a whole /24 is not
 * driven into "421 too many connections"; a block that drops SYNs is not
 * limited.  A greeting that says 421 anyway is retried after a back-off
 * (backoff.h), at most `max_tries` connections in all; the row records how
 * many it took.
 */
#ifndef PTRAUDIT_SMTPSTAGE_H
#define PTRAUDIT_SMTPSTAGE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "row.h"
#include "smtp.h"

#define SMTPSTAGE_RETRY_BASE_MS 2000 /* first retry after a 421 (+-25%) */
#define SMTPSTAGE_RETRY_CAP_MS 30000
#define SMTPSTAGE_MAX_PREFIXES 65536 /* prefixes whose state is remembered */
/* A session still counts against its prefix this long after it ended: a
 * server counts a session until its own process for it is done (Exim
 * until the child exits), a little after the close. */
#define SMTPSTAGE_LINGER_MS 250

struct smtpstage_opts {
  int port;
  struct smtp_timing timing;
  const char *ehlo;      /* NULL: no EHLO */
  unsigned budget;       /* probes at once */
  unsigned per_prefix;   /* sessions per /24 or /64 at once */
  unsigned max_tries;    /* connections per target when greetings say 421 */
};

/* The row's probe is over: its smtp_* fields are set.  The row is the
 * caller's again. */
typedef void (*smtpstage_done_cb)(void *arg, struct row *r);

struct smtpstage_stats {
  size_t active;          /* probes running */
  size_t queued;          /* rows waiting for the budget */
  size_t prefix_waiting;  /* rows waiting for their prefix's limit */
  size_t retrying;        /* rows waiting to retry after a 421 */
  unsigned limit;         /* probes allowed now (budget, less after back-pressure) */
  uint64_t backpressure;  /* probes deferred for lack of sockets */
  uint64_t retries;       /* connections made again after a 421 */
};

struct smtpstage;

/* 0, or a negative code with a message in err. */
int smtpstage_new(struct smtpstage **out, uv_loop_t *loop, const struct smtpstage_opts *o,
                  smtpstage_done_cb done, void *arg, char *err, size_t errlen);

/* Probe r's target (its smtp_* fields blank: smtp_tries 0, status
 * skipped); done runs later, never from inside this call. */
void smtpstage_submit(struct smtpstage *s, struct row *r);

/* The run is stopping: rows waiting to retry after a 421 end now with
 * that greeting as their result (from the loop, not from inside). */
void smtpstage_stop(struct smtpstage *s);

/* The run is stopping: rows waiting for the budget leave the stage
 * unprobed, each handed to fn (they were not done).  Rows waiting for
 * their prefix's limit still run: sessions end within their deadlines.
 * O(rows). */
void smtpstage_abandon(struct smtpstage *s, void (*fn)(void *arg, struct row *r), void *arg);

/* 1 when no row is in the stage.  O(1). */
int smtpstage_idle(const struct smtpstage *s);

void smtpstage_stats(const struct smtpstage *s, struct smtpstage_stats *st);

/* Close every handle (the stage must be idle), then closed(arg). */
void smtpstage_close(struct smtpstage *s, void (*closed)(void *arg), void *arg);

#endif
