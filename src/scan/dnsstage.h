/* SPDX-License-Identifier: MIT */
/*
 * dnsstage.h - the DNS stage of the scan: the PTR lookup of a row's
 * target, then one A/AAAA lookup per PTR name (at most RESULT_MAX_FORWARD),
 * through one resolver (resolver.h).
 *
 * Budget: at most `budget` rows resolve at once, each holding a DNS
 * context (its names and addresses, ~10 KiB, taken from a pool that grows
 * to the peak and stays); further rows wait in a FIFO.  A row's lookups
 * start only while the resolver's own queue is shorter than the window, so
 * rows wait here, unsent, where a back-off's pause and a stop hold them.
 *
 * Flow control (dnsflow.h): every DNSFLOW_TICK_MS the stage tells the
 * controller how many queries are young in flight, how many wait, the
 * fastest first-try answer of the interval and the datagrams dropped, and
 * sets the resolver's window and stale age from it.
 *
 * Resolver health (health.h): every PTR outcome of a lookup sent after the
 * last back-off is noted; a back-off pauses the stage; when most of a window timed out the stage sends
 * canary queries (`. NS`, which any resolver answers, even with REFUSED)
 * to tell a silent resolver from lame zones, and reports back-offs and the
 * stop through the health callback.
 */
#ifndef PTRAUDIT_DNSSTAGE_H
#define PTRAUDIT_DNSSTAGE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "health.h"
#include "row.h"
#include "senders.h"
#include "verdict.h"

#define DNSSTAGE_CANARIES 3

struct dnsstage_opts {
  const char *servers_csv; /* resolver.h syntax; NULL or "" = the system's */
  /* the sender checks beside the PTR lookup (senders.h) */
  struct senders_opts senders;
  int sender_col;          /* passthrough cell holding the sender; -1 none */
  int helo_col;            /* passthrough cell holding the HELO name; -1 none */
  const char *spf_domain;  /* the sender of rows without one; NULL none */
  senders_warn_cb warn;    /* a blocklist is dropped (senders.h) */
  unsigned timeout_ms;     /* per try (c-ares doubles it on each retry) */
  unsigned tries;
  unsigned channels;
  unsigned budget;         /* rows resolving at once */
};

/* The row's lookups are done: res holds them (res->addr is the target; the
 * SMTP fields are the caller's to fill), and the row's sender cells
 * (r->dnsbl_cell, ...) point at the stage's text.  Both are valid only
 * during the call; the row is the caller's again. */
typedef void (*dnsstage_done_cb)(void *arg, struct row *r, struct result *res);

/* The health policy asked for HEALTH_BACK_OFF or HEALTH_STOP, or (after
 * dnsstage_settle returned 0) HEALTH_CONTINUE: it owes no verdict now. */
typedef void (*dnsstage_health_cb)(void *arg, enum health_action act);

struct dnsstage_stats {
  uint64_t udp_drops;      /* host-wide UDP receive-buffer drops during the run */
  uint64_t udp_drops_ours; /* of those, at our own sockets */
  unsigned min_window;     /* narrowest window a loss led to (0: none) */
  unsigned window;         /* the window now */
  size_t young, stale, waiting; /* queries (resolver_counts) */
  size_t active, queued;   /* rows resolving, rows waiting for a context */
  uint64_t canaries;       /* canary queries sent */
  struct senders_stats senders; /* the sender checks' queries and cache */
  int paused;              /* lookups held for a back-off's pause or re-test */
};

struct dnsstage;

/* Create the stage and its resolver on `loop`.  Returns 0 or a negative
 * code with a message in err. */
int dnsstage_new(struct dnsstage **out, uv_loop_t *loop, const struct dnsstage_opts *o,
                 dnsstage_done_cb done, dnsstage_health_cb health, void *arg, char *err,
                 size_t errlen);

/* Start the flow-control timer.  O(1). */
void dnsstage_start(struct dnsstage *d);

/* Resolve r's target (r->addr); done runs later, never from inside this
 * call.  O(1) plus the lookups it starts. */
void dnsstage_submit(struct dnsstage *d, struct row *r);

/* The run is stopping: rows whose lookups have not started leave the
 * stage unsent, each handed to fn (they were not done).  O(rows). */
void dnsstage_abandon(struct dnsstage *d, void (*fn)(void *arg, struct row *r), void *arg);

/* How long to pause after the last back-off, in ms.  O(1). */
unsigned dnsstage_health_pause_ms(const struct dnsstage *d);

/* A sentence on why the last back-off or stop happened. */
void dnsstage_health_message(const struct dnsstage *d, char *buf, size_t len);

/* The run has nothing more to resolve: judge the lookups noted since the
 * last judgement, and return 1 when the health policy owes no verdict on
 * the resolver.  0: a re-test is under way (a silent resolver must still
 * end the run with the health stop); the health callback then runs later
 * with HEALTH_STOP, or with HEALTH_CONTINUE once the resolver answered.
 * O(1). */
int dnsstage_settle(struct dnsstage *d);

/* 1 when no row is resolving or waiting.  O(1). */
int dnsstage_idle(const struct dnsstage *d);

/* Figures for the summary and the status line.  O(1). */
void dnsstage_stats(struct dnsstage *d, struct dnsstage_stats *st);

/* Cancel what is outstanding (their done callbacks do not run: the rows
 * stay the caller's), close every handle, then closed(arg).  d must not
 * be used after. */
void dnsstage_close(struct dnsstage *d, void (*closed)(void *arg), void *arg);

#endif
