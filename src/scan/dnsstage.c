/* SPDX-License-Identifier: MIT */
/*
 * dnsstage.c - see dnsstage.h.  Event-loop glue: the decisions are in
 * dnsflow.c (the window) and health.c (back-off and stop).
 */
#include "dnsstage.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ares.h>
#include <arpa/nameser.h>

#include "dnscap.h"
#include "dnsflow.h"
#include "err.h"
#include "dnsreply.h"
#include "netstat.h"
#include "resolver.h"

#define HEALTH_WINDOW HEALTH_DEFAULT_WINDOW
#define HEALTH_MAX_BACKOFFS HEALTH_DEFAULT_MAX_BACKOFFS
/* The window is judged on the fastest answer of the last 8 ticks (200 ms):
 * one tick of a scan through a recursive resolver may hold only cache
 * misses, which are slow without any queue (dnsflow.h). */
#define DNSSTAGE_RTT_SPAN 8
/* Queries outstanding at the resolver (dnscap.h): no cap at first (65536:
 * far above a resolver's request list), cut on evidence of shedding. */
#define DNSSTAGE_CAP_START 65536
#define DNSSTAGE_CAP_MIN 64
#define DNSSTAGE_CAP_MAX 65536

struct ctx;

/* Callback argument for one forward lookup: which context, which name. */
struct fwd_arg {
  struct ctx *c;
  unsigned idx;
};

/* One row's lookups: sized for the worst answer we keep. */
struct ctx {
  struct dnsstage *d;
  struct ctx *next;  /* free list */
  struct row *row;   /* NULL while free */
  unsigned gen;      /* the health generation its PTR query was sent in */
  unsigned pending;  /* queries outstanding, +1 while starting */
  struct result res;
  char rev[ADDR_REVLEN];
  char names[RESULT_MAX_PTR][DNSREPLY_NAME_SIZE]; /* arena for res.ptr */
  struct fwd_arg fa[RESULT_MAX_FORWARD];
  struct senders_row *sr; /* the row's sender checks; NULL when none */
  struct ctx *all_next; /* every context ever made */
};

struct dnsstage {
  uv_loop_t *loop;
  struct resolver *res;
  struct dnsflow *flow;
  struct dnscap *cap;
  uint64_t late_seen;
  struct health *health;
  dnsstage_done_cb done;
  dnsstage_health_cb health_cb;
  void *arg;
  unsigned budget, active;
  struct ctx *free_ctx, *all_ctx;
  struct row *q_head, *q_tail; /* rows waiting for a context */
  size_t queued;
  unsigned gen;               /* bumped by every back-off */
  uint64_t paused_until;      /* uv_now(): start no lookup before */
  unsigned canary_sent, canary_answered, canary_out;
  uv_timer_t timer;
  uint64_t host_drops_seen, own_drops_seen;
  struct dnsstage_stats st;
  struct senders *senders;    /* NULL when no sender check was asked */
  int sender_col, helo_col;
  const char *spf_domain;
  int closing;
  void (*closed)(void *);
  void *closed_arg;
  unsigned handles;
};

static void ctx_start(struct dnsstage *d, struct ctx *c, struct row *r);
static void kick(struct dnsstage *d);

/* ---- completion -------------------------------------------------------- */

static void ctx_done(struct ctx *c) {
  struct dnsstage *d = c->d;
  struct row *r = c->row;
  c->row = NULL;
  c->next = d->free_ctx;
  d->free_ctx = c;
  d->active--;
  /* The context may be taken again from inside d->done (the audit starts
   * the next row): keep the sender checks' context here until the done
   * callback has read its cells. */
  struct senders_row *sr = c->sr;
  c->sr = NULL;
  r->dnsbl_cell = r->dnsbl_txt_cell = r->spf_cell = r->spf_detail = r->dmarc_cell = "";
  if (sr) {
    struct senders_cells cells;
    senders_result(sr, &c->res, &cells);
    r->dnsbl_cell = cells.dnsbl;
    r->dnsbl_txt_cell = cells.dnsbl_txt;
    r->spf_cell = cells.spf;
    r->spf_detail = cells.spf_detail;
    r->dmarc_cell = cells.dmarc;
  }
  d->done(d->arg, r, &c->res);
  /* The result was read inside the callback; the context is free again. */
  senders_release(d->senders, sr);
  kick(d);
}

static void op_done(struct ctx *c) {
  if (--c->pending == 0) ctx_done(c);
}

/* ---- health ------------------------------------------------------------ */

static void health_act(struct dnsstage *d, enum health_action act);

static void on_canary(void *arg, int status, const unsigned char *abuf, int alen) {
  struct dnsstage *d = arg;
  (void)alen;
  d->canary_out--;
  /* Any reply at all, whatever its rcode, shows the resolver is there. */
  if (abuf) d->canary_answered++;
  if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION || d->closing) return;
  if (d->canary_out == 0) {
    enum health_action act = health_probe_result(d->health, d->canary_sent, d->canary_answered);
    if (act == HEALTH_CONTINUE && d->paused_until == UINT64_MAX) {
      /* the re-test after a pause found the resolver alive */
      d->paused_until = 0;
      kick(d);
    }
    health_act(d, act);
    if (act == HEALTH_CONTINUE) d->health_cb(d->arg, HEALTH_CONTINUE); /* settled */
  }
}

static void health_act(struct dnsstage *d, enum health_action act) {
  switch (act) {
  case HEALTH_CONTINUE: return;
  case HEALTH_PROBE:
    d->canary_sent = DNSSTAGE_CANARIES;
    d->canary_answered = 0;
    d->canary_out = DNSSTAGE_CANARIES;
    for (unsigned i = 0; i < DNSSTAGE_CANARIES; i++) {
      d->st.canaries++;
      resolver_query(d->res, ".", ns_t_ns, on_canary, d);
    }
    return;
  case HEALTH_BACK_OFF:
    /* Send nothing for the pause: rows keep waiting in the stage's queue,
     * not in the resolver's. */
    d->gen++;
    d->paused_until = uv_now(d->loop) + health_pause_ms(d->health);
    uv_ref((uv_handle_t *)&d->timer); /* the pause must end even with nothing else running */
    d->health_cb(d->arg, act);
    return;
  case HEALTH_STOP: d->health_cb(d->arg, act); return;
  }
}

static void health_note_status(struct dnsstage *d, unsigned gen, enum dns_status st) {
  /* Only lookups sent since the last back-off count: one burst is judged
   * once. */
  if (gen != d->gen) return;
  enum health_outcome o = HEALTH_ANSWERED;
  /* DNS_ERROR: with NOCHECKRESP c-ares gives ECONNREFUSED only when no
   * server could be reached at the socket level (resolver.h). */
  if (st == DNS_REFUSED || st == DNS_ERROR) o = HEALTH_REFUSED;
  else if (st == DNS_TIMEOUT) o = HEALTH_SILENT;
  health_act(d, health_note(d->health, o));
}

/* ---- lookups ----------------------------------------------------------- */

static int stopped_status(int status) {
  return status == ARES_ECANCELLED || status == ARES_EDESTRUCTION;
}

static void on_forward(void *arg, int status, const unsigned char *abuf, int alen) {
  struct fwd_arg *fa = arg;
  struct ctx *c = fa->c;
  struct forward *f = &c->res.fwd[fa->idx];
  int family = c->res.addr.family;

  if (abuf && alen > 0) {
    struct dnsreply_addrs out;
    dnsreply_addrs_init(&out, f->addrs, RESULT_MAX_ADDRS);
    /* Membership is decided on every address of the answer, not only on
     * the RESULT_MAX_ADDRS kept for the report. */
    out.want = &c->res.addr;
    f->status = dnsreply_addrs(abuf, alen, f->name, family, &out);
    f->cname = out.cname;
    f->naddr = out.n;
    f->target_seen = out.want_seen;
  } else if (status == ARES_EBADNAME) {
    /* The PTR name cannot even be put in a query (an empty label, or cut at
     * 255 octets): no such name can have an address.  That is permanent,
     * so it counts as "no A/AAAA", not as a temporary error. */
    f->status = DNS_NXDOMAIN;
  } else {
    f->status = resolver_status(status);
  }
  op_done(c);
}

static void on_ptr(void *arg, int status, const unsigned char *abuf, int alen) {
  struct ctx *c = arg;
  struct dnsstage *d = c->d;
  struct result *r = &c->res;

  if (abuf && alen > 0) {
    struct dnsreply_names out;
    dnsreply_names_init(&out, r->ptr, &c->names[0][0], RESULT_MAX_PTR);
    out.lens = r->ptr_len;
    r->ptr_status = dnsreply_ptr(abuf, alen, c->rev, &out);
    r->ptr_total = out.total;
    r->nptr = out.n;
  } else {
    r->ptr_status = resolver_status(status);
  }
  if (!stopped_status(status)) health_note_status(d, c->gen, r->ptr_status);
  if (r->ptr_status == DNS_OK && !d->closing && !stopped_status(status)) {
    size_t nf = r->nptr < RESULT_MAX_FORWARD ? r->nptr : RESULT_MAX_FORWARD;
    int type = r->addr.family == 4 ? ns_t_a : ns_t_aaaa;
    for (size_t i = 0; i < nf; i++) {
      r->fwd[i].name = r->ptr[i];
      r->fwd[i].status = DNS_NOT_RUN;
      r->fwd[i].cname = 0; /* fwd[] is not cleared per row: set what is read */
      r->fwd[i].naddr = 0;
      r->fwd[i].target_seen = 0;
      if (memchr(r->ptr[i], '\0', r->ptr_len[i])) {
        /* A name with a NUL byte cannot be asked for as a C string (it
         * would ask for a shorter name); like a name that cannot be put in
         * a query at all, it has no address. */
        r->fwd[i].status = DNS_NXDOMAIN;
        continue;
      }
      c->fa[i].c = c;
      c->fa[i].idx = (unsigned)i;
      c->pending++;
      resolver_query(d->res, r->ptr[i], type, on_forward, &c->fa[i]);
    }
  }
  op_done(c);
}

static void on_senders_done(void *arg) { op_done(arg); }

/* The row's passthrough cell `col`, or "" (cells are NUL-terminated:
 * row_copy_cells). */
static const char *row_cell(const struct row *row, int col) {
  return col >= 0 && (size_t)col < row->nextra && row->extra[col] ? row->extra[col] : "";
}

static void ctx_start(struct dnsstage *d, struct ctx *c, struct row *row) {
  struct result *r = &c->res;
  /* Clear the head only: fwd[] is ~5 KiB and its entries are set when
   * their query is sent (on_ptr); nothing reads beyond min(nptr, 10). */
  memset(r, 0, offsetof(struct result, fwd));
  r->dnsbl_listed = r->dnsbl_errors = 0;
  r->spf = SPF_ST_NOT_RUN;
  r->dmarc = DMARC_ST_NOT_RUN;
  c->row = row;
  c->gen = d->gen;
  c->sr = NULL;
  d->active++;
  r->addr = row->addr;
  addr_reverse_name(&row->addr, c->rev);
  c->pending = 1;
  if (d->senders) {
    /* The sender checks run beside the PTR lookup, through the same
     * resolver and window; they may end at once (answers in the cache):
     * the PTR's share of `pending` keeps the context open meanwhile. */
    const char *sender = row_cell(row, d->sender_col);
    if (!sender[0] && d->spf_domain) sender = d->spf_domain;
    c->pending++;
    if (senders_start(d->senders, &c->sr, &row->addr, sender, row_cell(row, d->helo_col),
                      on_senders_done, c) < 0) {
      c->pending--;
      c->sr = NULL;
    }
  }
  /* resolver_query never calls back from inside itself */
  resolver_query(d->res, c->rev, ns_t_ptr, on_ptr, c);
}

/* May another row's lookups start now?  Within the budget, not paused,
 * and only while the resolver's own queue (queries waiting for the window)
 * is short: rows wait here instead, where a pause or a stop can still hold
 * them back unsent. */
static int may_start(struct dnsstage *d) {
  if (d->closing || d->active >= d->budget) return 0;
  if (d->paused_until && uv_now(d->loop) < d->paused_until) return 0;
  size_t young, stale, waiting;
  resolver_counts(d->res, &young, &stale, &waiting);
  return waiting < dnsflow_window(d->flow);
}

static struct ctx *ctx_get(struct dnsstage *d) {
  struct ctx *c = d->free_ctx;
  if (c) {
    d->free_ctx = c->next;
  } else if ((c = malloc(sizeof *c))) {
    c->d = d;
    c->all_next = d->all_ctx;
    d->all_ctx = c;
  }
  return c;
}

/* Start waiting rows while there is room.  The flow timer keeps the loop
 * alive while rows wait (a pause may leave nothing else running). */
static void kick(struct dnsstage *d) {
  struct ctx *c;
  while (d->q_head && may_start(d) && (c = ctx_get(d))) {
    struct row *w = d->q_head;
    d->q_head = w->next;
    if (!d->q_head) d->q_tail = NULL;
    d->queued--;
    ctx_start(d, c, w);
  }
  if (d->closing) return;
  if (d->queued || d->paused_until) uv_ref((uv_handle_t *)&d->timer);
  else uv_unref((uv_handle_t *)&d->timer);
}

void dnsstage_submit(struct dnsstage *d, struct row *row) {
  row->next = NULL;
  if (d->q_tail) d->q_tail->next = row;
  else d->q_head = row;
  d->q_tail = row;
  d->queued++;
  kick(d);
}

void dnsstage_abandon(struct dnsstage *d, void (*fn)(void *arg, struct row *r), void *arg) {
  struct row *r = d->q_head;
  d->q_head = d->q_tail = NULL;
  d->queued = 0;
  while (r) {
    struct row *next = r->next;
    fn(arg, r);
    r = next;
  }
}

/* ---- flow control ------------------------------------------------------ */

/* A back-off's pause is over: after a silent resolver, test it again
 * before any lookup is sent (they would only time out); hold the rows
 * until the answer. */
static void pause_over(struct dnsstage *d) {
  d->paused_until = 0;
  enum health_action act = health_pause_over(d->health);
  if (act == HEALTH_PROBE) d->paused_until = UINT64_MAX;
  health_act(d, act);
}

static void on_flow_timer(uv_timer_t *t) {
  struct dnsstage *d = t->data;
  if (d->paused_until && d->paused_until != UINT64_MAX && uv_now(d->loop) >= d->paused_until)
    pause_over(d);
  struct dnsflow_sample s;
  uint64_t host = d->host_drops_seen, own = resolver_drops(d->res), drops = 0;
  size_t stale;

  resolver_age(d->res);
  resolver_counts(d->res, &s.young, &stale, &s.waiting);
  resolver_rtt_min(d->res, &s.rtt_min_ns);
  if (netstat_rcvbuf_errors(&host) < 0) host = d->host_drops_seen;
  if (host > d->host_drops_seen) drops += host - d->host_drops_seen;
  if (own > d->own_drops_seen) drops += own - d->own_drops_seen;
  d->st.udp_drops += host - d->host_drops_seen;
  d->st.udp_drops_ours += own - d->own_drops_seen;
  d->host_drops_seen = host;
  d->own_drops_seen = own;
  s.drops = drops;
  uint64_t late = resolver_late(d->res);
  /* Datagrams dropped are the other sign of a resolver past its limit (its
   * socket overflowed), and they show at once, not a retry later. */
  if (dnscap_tick(d->cap, s.young + stale, s.waiting, late - d->late_seen + drops))
    resolver_set_cap(d->res, dnscap_cap(d->cap));
  d->late_seen = late;
  unsigned before = dnsflow_window(d->flow);
  /* While the window doubles every tick, a queue must be seen at once: a
   * reaction 7 ticks late lets the window overshoot a fast server's
   * socket buffer 128 times (measured: 288 queries lost to Knot, each a
   * 2 s retry).  After slow start, the fastest answer of 8 ticks. */
  dnsflow_set_min_span(d->flow, dnsflow_slow_start(d->flow) ? 1 : DNSSTAGE_RTT_SPAN);
  dnsflow_tick(d->flow, &s);
  unsigned w = dnsflow_window(d->flow);
  resolver_set_stale(d->res, dnsflow_stale_ns(d->flow));
  if (w != before) resolver_set_window(d->res, w);
  kick(d);
}

/* ---- public ------------------------------------------------------------ */

int dnsstage_new(struct dnsstage **out, uv_loop_t *loop, const struct dnsstage_opts *o,
                 dnsstage_done_cb done, dnsstage_health_cb health, void *arg, char *err,
                 size_t errlen) {
  struct dnsstage *d = calloc(1, sizeof *d);
  struct dnsflow_params fp;
  int rc;
  *out = NULL;
  if (!d) return err_set(err, errlen, -ENOMEM, "out of memory");
  d->loop = loop;
  d->done = done;
  d->health_cb = health;
  d->arg = arg;
  d->budget = o->budget ? o->budget : 1;
  dnsflow_defaults(&fp);
  /* The cut after late answers holds for one first-try timeout: answers
   * to queries dropped before the cut keep coming back that long. */
  unsigned hold = (o->timeout_ms ? o->timeout_ms : 2000) / DNSFLOW_TICK_MS + 1;
  if ((rc = dnscap_new(&d->cap, DNSSTAGE_CAP_START, DNSSTAGE_CAP_MIN, DNSSTAGE_CAP_MAX, hold)) < 0 ||
      (rc = dnsflow_new(&d->flow, &fp)) < 0 ||
      (rc = health_new(&d->health, HEALTH_WINDOW, HEALTH_MAX_BACKOFFS)) < 0) {
    dnscap_free(d->cap);
    dnsflow_free(d->flow);
    free(d);
    snprintf(err, errlen, "out of memory");
    return rc;
  }
  struct resolver_opts ro;
  memset(&ro, 0, sizeof ro);
  ro.servers_csv = o->servers_csv && o->servers_csv[0] ? o->servers_csv : NULL;
  ro.timeout_ms = o->timeout_ms;
  ro.tries = o->tries;
  ro.channels = o->channels;
  if ((rc = resolver_new(&d->res, loop, &ro, err, errlen)) < 0) {
    health_free(d->health);
    dnsflow_free(d->flow);
    dnscap_free(d->cap);
    free(d);
    return rc;
  }
  d->sender_col = o->sender_col;
  d->helo_col = o->helo_col;
  d->spf_domain = o->spf_domain;
  if ((o->senders.nlists || o->senders.spf) &&
      (rc = senders_new(&d->senders, loop, d->res, &o->senders, o->warn, arg, err, errlen)) < 0) {
    /* the resolver frees itself once its handles are closed */
    resolver_close(d->res, NULL, NULL);
    health_free(d->health);
    dnsflow_free(d->flow);
    dnscap_free(d->cap);
    free(d);
    return rc;
  }
  uv_timer_init(loop, &d->timer);
  d->timer.data = d;
  *out = d;
  return 0;
}

void dnsstage_start(struct dnsstage *d) {
  /* Without procfs there is no host loss signal, but latency still steers. */
  (void)netstat_rcvbuf_errors(&d->host_drops_seen);
  resolver_set_window(d->res, dnsflow_window(d->flow));
  resolver_set_stale(d->res, dnsflow_stale_ns(d->flow));
  uv_timer_start(&d->timer, on_flow_timer, DNSFLOW_TICK_MS, DNSFLOW_TICK_MS);
  uv_unref((uv_handle_t *)&d->timer);
}

unsigned dnsstage_health_pause_ms(const struct dnsstage *d) { return health_pause_ms(d->health); }

void dnsstage_health_message(const struct dnsstage *d, char *buf, size_t len) {
  if (health_cause(d->health) == HEALTH_CAUSE_SILENT)
    snprintf(buf, len,
             "the resolver did not answer %u%% of the last %d PTR lookups nor %d of %d "
             "test queries, %d windows in a row",
             health_bad_pct(d->health), HEALTH_WINDOW, DNSSTAGE_CANARIES - d->canary_answered,
             DNSSTAGE_CANARIES, HEALTH_MAX_BACKOFFS);
  else
    snprintf(buf, len,
             "the resolver refused or failed %u%% of the last %d PTR lookups, %d windows in "
             "a row (it may be rate-limiting us)",
             health_bad_pct(d->health), HEALTH_WINDOW, HEALTH_MAX_BACKOFFS);
}

int dnsstage_idle(const struct dnsstage *d) { return d->active == 0 && d->queued == 0; }

int dnsstage_settle(struct dnsstage *d) {
  if (d->closing) return 1;
  if (!health_probing(d->health) && !d->paused_until) health_act(d, health_flush(d->health));
  if (!health_pending(d->health)) return 1;
  uv_ref((uv_handle_t *)&d->timer);
  return 0;
}

void dnsstage_stats(struct dnsstage *d, struct dnsstage_stats *st) {
  *st = d->st;
  st->min_window = dnsflow_min_window_after_loss(d->flow);
  st->window = dnsflow_window(d->flow);
  if (d->res) resolver_counts(d->res, &st->young, &st->stale, &st->waiting);
  st->active = d->active;
  st->queued = d->queued;
  senders_stats(d->senders, &st->senders);
  st->paused = d->paused_until == UINT64_MAX ||
               (d->paused_until && uv_now(d->loop) < d->paused_until);
}

static void stage_free(struct dnsstage *d) {
  struct ctx *c = d->all_ctx;
  while (c) {
    struct ctx *n = c->all_next;
    free(c);
    c = n;
  }
  dnsflow_free(d->flow);
  dnscap_free(d->cap);
  health_free(d->health);
  senders_free(d->senders); /* after the resolver: every answer has come back */
  free(d);
}

static void maybe_closed(struct dnsstage *d) {
  if (--d->handles) return;
  void (*cb)(void *) = d->closed;
  void *arg = d->closed_arg;
  stage_free(d);
  if (cb) cb(arg);
}

static void on_resolver_closed(void *arg) {
  struct dnsstage *d = arg;
  d->res = NULL;
  maybe_closed(d);
}

static void on_timer_closed(uv_handle_t *h) { maybe_closed(h->data); }

void dnsstage_close(struct dnsstage *d, void (*closed)(void *arg), void *arg) {
  d->closing = 1;
  senders_stop(d->senders);
  d->closed = closed;
  d->closed_arg = arg;
  /* The last drops since the previous tick: the count is read off the
   * sockets, which close with the resolver. */
  uint64_t own = resolver_drops(d->res);
  if (own > d->own_drops_seen) d->st.udp_drops_ours += own - d->own_drops_seen;
  d->own_drops_seen = own;
  d->handles = 2;
  uv_close((uv_handle_t *)&d->timer, on_timer_closed);
  resolver_close(d->res, on_resolver_closed, d);
}
