/* SPDX-License-Identifier: MIT */
/*
 * audit.c - the scan's pump and join.  See audit.h.
 *
 * Re-entrancy: pump() may be reached from inside its own loop (a row that
 * finishes synchronously, e.g. an invalid inventory row); a flag turns the
 * inner call into "run once more" instead of recursing.
 */
#include "audit.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "dnsstage.h"
#include "err.h"
#include "ratelimit.h"
#include "row.h"
#include "rowfmt.h"
#include "smtpstage.h"
#include "html.h"
#include "inventory.h"
#include "summary.h"

#define RING_MIN 1024

struct audit {
  uv_loop_t *loop;
  struct scan_opts c;
  struct source *src;
  struct report *rep;
  struct dnsstage *dns;
  struct smtpstage *smtp;   /* NULL with --no-smtp */
  struct rowfmt *fmt;
  struct sink *sink;
  struct summary *summary;
  audit_done_cb done_cb;
  void *done_arg;
  audit_warn_cb warn_cb;
  void *warn_arg;
  audit_msg_cb msg_cb;
  void *msg_arg;

  struct row *rows;
  struct row *free_rows;
  unsigned nrows, busy;
  size_t nextra;
  int sender_col, helo_col;   /* passthrough cells of the sender checks; -1 none */
  int spf;                    /* SPF and DMARC are checked */

  const struct checkpoint *resume;
  struct target next;             /* taken from the source, not started yet */
  int have_next;
  uint64_t next_seq;              /* next sequence number to be started */

  uint64_t paused_until;          /* uv_hrtime() before which nothing starts */
  uint64_t t_start;
  struct ratelimit rl;
  uv_timer_t pump_timer;
  struct input_watch *iw;         /* polls source_wait_fd() after -EAGAIN */
  int in_pump, pump_again;
  int source_done, stopping, finishing;
  enum audit_end end;
  int handles_open;

  time_t stamp_sec;
  char stamp[32];
  struct audit_stats st;
  char err[512];
};

static void pump(struct audit *a);
static void maybe_finish(struct audit *a);

/* ---- rows -------------------------------------------------------------- */

static const char *now_rfc3339(struct audit *a) {
  time_t t = time(NULL);
  if (t != a->stamp_sec) { /* one strftime per second, not per row */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(a->stamp, sizeof a->stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    a->stamp_sec = t;
  }
  return a->stamp;
}

static void output_error(struct audit *a) {
  if (a->end != AUDIT_OUTPUT_ERROR) {
    snprintf(a->err, sizeof a->err, "cannot write the report: %s", report_error(a->rep));
    a->end = AUDIT_OUTPUT_ERROR;
  }
  audit_stop(a);
}

static void emit(struct audit *a, struct row *r, const struct result *res,
                 const struct judgement *j) {
  struct rowfmt_row in = {
    .res = res,
    .j = j,
    .ip_text = r->kind == TARGET_INVALID ? r->text : NULL,
    .ip_text_len = r->text_len,
    .probed = r->kind == TARGET_ADDR && j->verdict != VERDICT_SKIPPED,
    .banner = r->kind == TARGET_ADDR && r->smtp_status != SMTP_SKIPPED ? r->smtp_buf : NULL,
    .banner_len = r->banner_len,
    .ehlo_host = r->ehlo_host,
    .dnsbl = r->dnsbl_cell,
    .dnsbl_txt = r->dnsbl_txt_cell,
    .spf = r->spf_cell,
    .spf_detail = r->spf_detail,
    .dmarc = r->dmarc_cell,
    .smtp_tries = r->kind == TARGET_ADDR ? r->smtp_tries : 0,
    .greeting_ms = r->kind == TARGET_ADDR ? r->greeting_ms : 0,
    .expected = r->expected,
    .expected_len = r->expected_len,
    .checked_at = now_rfc3339(a),
    .extra = r->extra,
    .extra_len = r->extra_len,
    .nextra = r->nextra,
  };
  const char *const *fields;
  const size_t *lens;
  size_t n = rowfmt_build(a->fmt, &in, &fields, &lens);
  if (a->summary && summary_add(a->summary, (const char **)fields, lens) == -ENOMEM) {
    summary_free(a->summary); /* the report matters more than the page */
    a->summary = NULL;
  }
  /* After a write error too: the report records the row as lost, for the
   * checkpoint (sink.h). */
  int rc = sink_row(a->sink, r->seq, fields, lens, n);
  if (rc == -ENOMEM) {
    snprintf(a->err, sizeof a->err, "out of memory formatting a row");
    a->end = AUDIT_RUNTIME_ERROR;
    audit_stop(a);
  } else if (rc < 0) {
    output_error(a);
  }
}

static void row_release(struct audit *a, struct row *r) {
  r->busy = 0;
  r->next = a->free_rows;
  a->free_rows = r;
  a->busy--;
  a->st.inflight = a->busy;
}

/* The join: both stages are done with r (res holds its lookups, or is a
 * blank result for rows that were not probed). */
static void row_finish(struct audit *a, struct row *r, struct result *res) {
  struct judgement j;
  if (r->kind != TARGET_ADDR) {
    memset(&j, 0, sizeof j);
    j.verdict = r->kind == TARGET_INVALID ? VERDICT_INVALID : VERDICT_SKIPPED;
  } else {
    res->smtp_status = r->smtp_status;
    res->smtp_code = r->smtp_code;
    res->banner_host = r->banner_host ? r->banner_host : "";
    res->expected = r->expected;
    verdict_compute(res, &j);
  }
  a->st.done++;
  verdict_count(a->st.verdicts, a->st.flags, j.verdict, j.flags);
  emit(a, r, res, &j);
  row_release(a, r);
  pump(a);
}

static void on_dns_done(void *arg, struct row *r, struct result *res) { row_finish(arg, r, res); }

static void on_smtp_done(void *arg, struct row *r) {
  struct audit *a = arg;
  dnsstage_submit(a->dns, r);
}

static void row_start(struct audit *a, struct row *r, const struct target *t) {
  r->seq = t->seq;
  r->kind = t->kind;
  r->addr = t->addr;
  r->busy = 1;
  r->smtp_status = SMTP_SKIPPED;
  r->smtp_code = 0;
  r->smtp_tries = 0;
  r->greeting_ms = 0;
  r->banner_len = 0;
  r->banner_host = r->ehlo_host = "";
  r->dnsbl_cell = r->dnsbl_txt_cell = r->spf_cell = r->spf_detail = r->dmarc_cell = "";
  if (row_copy_cells(r, t, a->nextra) != 0) {
    /* Keep the row; lose only the passthrough cells. */
    r->nextra = 0;
    r->text = "";
    r->text_len = 0;
    r->expected = NULL;
    r->expected_len = 0;
  }
  if (t->kind != TARGET_ADDR) {
    struct result res;
    memset(&res, 0, offsetof(struct result, fwd));
    res.addr = t->addr;
    res.banner_host = "";
    res.smtp_status = SMTP_SKIPPED;
    res.smtp_code = 0;
    res.expected = NULL;
    row_finish(a, r, &res);
  } else if (a->smtp) {
    smtpstage_submit(a->smtp, r);
  } else {
    dnsstage_submit(a->dns, r);
  }
}

/* ---- resolver health --------------------------------------------------- */

static void on_health(void *arg, enum health_action act) {
  struct audit *a = arg;
  char why[256];
  if (act == HEALTH_CONTINUE) { /* settled: the run may be able to end now */
    maybe_finish(a);
    return;
  }
  a->st.backoffs++;
  if (act == HEALTH_STOP) {
    if (a->end == AUDIT_COMPLETE) {
      dnsstage_health_message(a->dns, why, sizeof why);
      snprintf(a->err, sizeof a->err,
               "%s; stopped.  Check the resolver (%.100s), lower --rate or use another --resolver, "
               "and continue with --resume",
               why, a->c.resolvers[0] ? a->c.resolvers : "the system's");
      a->end = AUDIT_RUNTIME_ERROR;
    }
    audit_stop(a);
    return;
  }
  /* Back off: halve the rate and pause starting. */
  uint64_t now = uv_hrtime();
  double rate = a->rl.rate;
  if (rate <= 0) { /* uncapped: start from the rate actually achieved */
    double el = (double)(now - a->t_start) / 1e9;
    rate = el > 0 ? (double)a->st.started / el : 1000;
  }
  rate /= 2;
  if (rate < 1) rate = 1;
  ratelimit_init(&a->rl, rate, now);
  a->paused_until = now + (uint64_t)dnsstage_health_pause_ms(a->dns) * 1000000ull;
}

/* ---- pacing ------------------------------------------------------------ */

static void on_pump_timer(uv_timer_t *t) { pump(t->data); }

/* The source had no complete target (a quiet pipe, FIFO or terminal):
 * poll its descriptor instead of blocking the loop in read().  The
 * descriptor may change from one input to the next (source.h): one handle
 * per descriptor, the old one closed. */
struct input_watch {
  uv_poll_t poll;
  struct audit *a;
  int fd;
};

static void on_input(uv_poll_t *p, int status, int events) {
  struct input_watch *w = p->data;
  (void)status, (void)events; /* an error or a hang-up: source_next reports it */
  uv_poll_stop(p);
  pump(w->a);
}

static void free_watch(uv_handle_t *h) { free(h->data); }

static int wait_source(struct audit *a) {
  int fd = source_wait_fd(a->src);
  if (fd < 0) return -EINVAL;
  if (a->iw && a->iw->fd != fd) {
    uv_close((uv_handle_t *)&a->iw->poll, free_watch);
    a->iw = NULL;
  }
  if (!a->iw) {
    struct input_watch *w = calloc(1, sizeof *w);
    if (!w) return -ENOMEM;
    int rc = uv_poll_init(a->loop, &w->poll, fd);
    if (rc < 0) {
      free(w);
      return rc;
    }
    w->poll.data = w;
    w->a = a;
    w->fd = fd;
    a->iw = w;
  }
  return uv_poll_start(&a->iw->poll, UV_READABLE, on_input);
}

/* Mark a target the resumed run already did: with --ordered its place in
 * the ring must still be passed. */
static void skip_resumed(struct audit *a, uint64_t seq) {
  a->st.resumed++;
  if (sink_skip(a->sink, seq) < 0 && a->end != AUDIT_OUTPUT_ERROR) output_error(a);
}

/* 1 if the next target may start now (a token, no pause); else arms the
 * pump timer.  Rows that send nothing need no token; without a cap and a
 * pause the clock is not even read (it is per target on the hot path). */
static int paced(struct audit *a, const struct target *t) {
  if (t->kind != TARGET_ADDR || (a->rl.rate <= 0 && !a->paused_until)) return 1;
  uint64_t now = uv_hrtime();
  if (now < a->paused_until) {
    a->st.live.pump = LIMITER_PUMP_PAUSE;
    uv_timer_start(&a->pump_timer, on_pump_timer, (a->paused_until - now) / 1000000 + 1, 0);
    return 0;
  }
  if (!ratelimit_take(&a->rl, now)) {
    a->st.live.pump = LIMITER_PUMP_RATE;
    uint64_t ms = (ratelimit_wait_ns(&a->rl, now) + 999999) / 1000000;
    uv_timer_start(&a->pump_timer, on_pump_timer, ms, 0);
    return 0;
  }
  return 1;
}

/* Read the next target into a->next.  1 when there is one. */
static int next_target(struct audit *a) {
  if (a->have_next) return 1;
  int r = source_next(a->src, &a->next, a->err, sizeof a->err);
  if (r == -EAGAIN) {
    a->st.live.pump = LIMITER_PUMP_INPUT;
    int rc = wait_source(a);
    a->err[0] = '\0';
    if (rc < 0) {
      snprintf(a->err, sizeof a->err, "cannot wait for the input: %s", uv_strerror(rc));
      a->end = AUDIT_INPUT_ERROR;
      a->source_done = 1;
    }
    return 0;
  }
  if (r <= 0) {
    if (r < 0) a->end = AUDIT_INPUT_ERROR;
    a->source_done = 1;
    return 0;
  }
  a->have_next = 1;
  return 1;
}

/* Records in st.live.pump what stopped it (limiter.h): one store per
 * stop, nothing per target. */
static void pump_once(struct audit *a) {
  while (!a->source_done && !a->stopping && next_target(a)) {
    struct target *t = &a->next;
    if (!sink_room(a->sink, t->seq)) {
      a->st.live.pump = LIMITER_PUMP_ORDER;
      break;
    }
    if (a->resume && checkpoint_done(a->resume, t->seq)) {
      a->next_seq = t->seq + 1;
      a->have_next = 0;
      skip_resumed(a, t->seq);
      continue;
    }
    if (!a->free_rows) {
      a->st.live.pump = LIMITER_PUMP_ROWS;
      break;
    }
    if (!paced(a, t)) break; /* it records RATE or PAUSE */
    if (t->kind == TARGET_INVALID && a->warn_cb)
      a->warn_cb(a->warn_arg, t->origin, t->line, t->text, t->text_len);
    struct row *r = a->free_rows;
    a->free_rows = r->next;
    a->busy++;
    a->st.inflight = a->busy;
    a->st.started++;
    a->next_seq = t->seq + 1;
    a->have_next = 0;
    row_start(a, r, t);
  }
  if (a->stopping) a->st.live.pump = LIMITER_PUMP_STOPPING;
  else if (a->source_done) a->st.live.pump = LIMITER_PUMP_END;
}

static void pump(struct audit *a) {
  if (a->in_pump) {
    a->pump_again = 1;
    return;
  }
  a->in_pump = 1;
  do {
    a->pump_again = 0;
    pump_once(a);
  } while (a->pump_again);
  a->in_pump = 0;
  maybe_finish(a);
}

/* ---- shutdown ---------------------------------------------------------- */

static void closed_one(struct audit *a) {
  if (--a->handles_open == 0 && a->done_cb) a->done_cb(a, a->end, a->done_arg);
}

static void on_handle_closed(uv_handle_t *h) { closed_one(h->data); }

static void on_watch_closed(uv_handle_t *h) {
  struct audit *a = ((struct input_watch *)h->data)->a;
  free(h->data);
  closed_one(a);
}

static void on_dns_closed(void *arg) {
  struct audit *a = arg;
  a->dns = NULL;
  closed_one(a);
}

static void on_smtp_closed(void *arg) {
  struct audit *a = arg;
  a->smtp = NULL;
  closed_one(a);
}

static void maybe_finish(struct audit *a) {
  if (a->finishing || a->busy || a->in_pump) return;
  if (!a->source_done && !a->stopping) return;
  /* Every target is done, but a silent resolver must still end the run
   * with the health stop, not with a report of timeouts and exit 0. */
  if (!a->stopping && !dnsstage_settle(a->dns)) return;
  a->finishing = 1;
  if (a->end == AUDIT_COMPLETE && a->stopping && !a->source_done) a->end = AUDIT_STOPPED;
  (void)audit_stats(a); /* keep the stages' last figures: they are freed below */
  a->handles_open = 2 + (a->smtp ? 1 : 0) + (a->iw ? 1 : 0);
  uv_close((uv_handle_t *)&a->pump_timer, on_handle_closed);
  if (a->iw) uv_close((uv_handle_t *)&a->iw->poll, on_watch_closed);
  a->iw = NULL;
  if (a->smtp) smtpstage_close(a->smtp, on_smtp_closed, a);
  dnsstage_close(a->dns, on_dns_closed, a);
}

/* ---- public ------------------------------------------------------------ */

static unsigned fd_available(void) {
  struct rlimit rl;
  /* Keep room for the loop, the resolver's sockets, the report and the
   * inputs (the CLI raises the soft limit to the hard one at start). */
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 1u << 20;
  return rl.rlim_cur > 256 ? (unsigned)(rl.rlim_cur - 128) : (unsigned)(rl.rlim_cur / 2);
}

static int rows_new(struct audit *a) {
  a->rows = calloc(a->nrows, sizeof *a->rows);
  if (!a->rows) return -ENOMEM;
  for (unsigned i = a->nrows; i-- > 0;) {
    struct row *r = &a->rows[i];
    if (a->nextra) {
      r->extra = calloc(a->nextra, sizeof *r->extra);
      r->extra_len = calloc(a->nextra, sizeof *r->extra_len);
      if (!r->extra || !r->extra_len) return -ENOMEM;
    }
    r->next = a->free_rows;
    a->free_rows = r;
  }
  return 0;
}

static int output_new(struct audit *a, char *err, size_t errlen) {
  const char **extra_names = calloc(a->nextra ? a->nextra : 1, sizeof *extra_names);
  const char *const *names;
  const size_t *lens;
  int rc;
  if (!extra_names) return -ENOMEM;
  for (size_t i = 0; i < a->nextra; i++) extra_names[i] = source_extra_name(a->src, i);
  unsigned opt = 0;
  if (a->c.ehlo) opt |= ROWFMT_OPT(SCHEMA_EHLO_HOST);
  if (a->c.ndnsbl) opt |= ROWFMT_OPT(SCHEMA_DNSBL);
  if (a->c.ndnsbl && a->c.dnsbl_txt) opt |= ROWFMT_OPT(SCHEMA_DNSBL_TXT);
  if (a->spf)
    opt |= ROWFMT_OPT(SCHEMA_SPF) | ROWFMT_OPT(SCHEMA_SPF_DETAIL) | ROWFMT_OPT(SCHEMA_DMARC);
  if ((rc = rowfmt_new(&a->fmt, opt, a->nextra)) < 0) goto out;
  size_t ncols = rowfmt_header(a->fmt, extra_names, &names, &lens);
  if (!ncols) {
    rc = -ENOMEM;
    goto out;
  }
  size_t ring = 0;
  if (a->c.ordered) {
    /* Rows may complete out of order by up to the slowest row's time; a
     * window of 4x the rows in flight keeps the pipeline full meanwhile. */
    ring = (size_t)a->nrows * 4;
    if (ring < RING_MIN) ring = RING_MIN;
  }
  if ((rc = sink_new(&a->sink, a->rep, a->c.format, names, ncols, ring)) < 0) goto out;
  if (a->c.html &&
      (rc = summary_new(&a->summary, (const char *const *)names, ncols, NULL, err, errlen)) < 0)
    goto out;
out:
  free(extra_names);
  return rc;
}

static void on_stage_warning(void *arg, const char *msg) {
  struct audit *a = arg;
  if (a->msg_cb) a->msg_cb(a->msg_arg, msg);
}

/* The inventory's sender and HELO columns (passthrough cells), found by
 * name as inventory_pick_column says.  -EINVAL when a column the user
 * named is absent. */
static int sender_columns(struct audit *a, int *sender, int *helo, char *err, size_t errlen) {
  static const char *const sender_names[] = {"sender", "mail_from", "envelope_from", "domain"};
  static const char *const helo_names[] = {"helo"};
  const char **names = calloc(a->nextra ? a->nextra : 1, sizeof *names);
  if (!names) return err_set(err, errlen, -ENOMEM, "out of memory");
  for (size_t i = 0; i < a->nextra; i++) names[i] = source_extra_name(a->src, i);
  *sender = inventory_pick_column(names, a->nextra, a->c.sender_column, sender_names, 4);
  *helo = inventory_pick_column(names, a->nextra, a->c.helo_column, helo_names, 1);
  free(names);
  if (a->c.sender_column && *sender < 0)
    return err_set(err, errlen, -EINVAL, "--sender-column: the inventory has no column \"%.60s\"",
                   a->c.sender_column);
  if (a->c.helo_column && *helo < 0)
    return err_set(err, errlen, -EINVAL, "--helo-column: the inventory has no column \"%.60s\"",
                   a->c.helo_column);
  return 0;
}

static int stages_new(struct audit *a, char *err, size_t errlen) {
  struct dnsstage_opts dopt = {
    .servers_csv = a->c.resolvers,
    .timeout_ms = a->c.dns_timeout_ms,
    .tries = a->c.dns_tries,
    .channels = a->c.channels,
    .budget = a->st.dns_budget,
    .senders = {.lists = a->c.dnsbl,
                .nlists = a->c.ndnsbl, .dnsbl_txt = a->c.dnsbl_txt, .spf = a->spf},
    .sender_col = a->sender_col,
    .helo_col = a->helo_col,
    .spf_domain = a->c.spf_domain,
    .warn = on_stage_warning,
  };
  int rc = dnsstage_new(&a->dns, a->loop, &dopt, on_dns_done, on_health, a, err, errlen);
  if (rc < 0 || a->c.no_smtp) return rc;
  struct smtpstage_opts so = {
    .port = (int)a->c.smtp_port,
    .ehlo = a->c.ehlo,
    .budget = a->st.smtp_budget,
    .per_prefix = a->c.per_prefix,
    .max_tries = a->c.smtp_tries,
  };
  smtp_timing_defaults(&so.timing);
  so.timing.greeting_ms = a->c.smtp_timeout_ms;
  if (a->c.connect_timeout_ms) so.timing.connect_ms = a->c.connect_timeout_ms;
  return smtpstage_new(&a->smtp, a->loop, &so, on_smtp_done, a, err, errlen);
}

int audit_new(struct audit **out, uv_loop_t *loop, const struct scan_opts *c,
              struct source *src, struct report *rep, char *err, size_t errlen) {
  struct audit *a = calloc(1, sizeof *a);
  int rc;
  *out = NULL;
  if (!a) return err_set(err, errlen, -ENOMEM, "out of memory");
  a->loop = loop;
  a->c = *c;
  a->src = src;
  a->rep = rep;
  a->nextra = source_extra_count(src);
  if ((rc = sender_columns(a, &a->sender_col, &a->helo_col, err, errlen)) < 0) {
    free(a);
    return rc;
  }
  a->spf = c->spf_domain || a->sender_col >= 0 || a->helo_col >= 0;
  a->st.dns_budget = scan_dns_budget(c);
  a->st.smtp_budget = c->no_smtp ? 0 : scan_smtp_budget(c, fd_available());
  a->st.live.smtp_fd_capped = !c->no_smtp && a->st.smtp_budget < scan_smtp_budget(c, UINT_MAX);
  a->st.live.smtp = !c->no_smtp;
  a->st.live.smtp_budget = a->st.smtp_budget;
  a->st.live.dns_budget = a->st.dns_budget;
  a->st.rows_max = a->nrows = scan_rows_max(a->st.dns_budget, a->st.smtp_budget);
  a->st.live.rows_max = a->nrows;
  if ((rc = rows_new(a)) < 0 || (rc = output_new(a, err, errlen)) < 0) {
    if (rc == -ENOMEM) err_set(err, errlen, rc, "out of memory (%u rows in flight)", a->nrows);
    audit_free(a);
    return rc;
  }
  /* Nothing on the loop yet: a failure here frees everything at once. */
  if ((rc = stages_new(a, err, errlen)) < 0) {
    if (a->dns) { /* its handles are on the loop: close them, then free */
      a->source_done = 1;
      a->end = AUDIT_RUNTIME_ERROR;
      snprintf(a->err, sizeof a->err, "%s", err);
      uv_timer_init(loop, &a->pump_timer);
      a->pump_timer.data = a;
      *out = a;
      return rc;
    }
    audit_free(a);
    return rc;
  }
  uv_timer_init(loop, &a->pump_timer);
  a->pump_timer.data = a;
  rc = sink_header(a->sink);
  if (rc < 0) {
    snprintf(err, errlen, "cannot write the report: %s", report_error(rep));
    /* handles are initialised: the caller must run the loop to close them */
    a->source_done = 1;
    a->end = AUDIT_OUTPUT_ERROR;
    *out = a;
    return rc;
  }
  *out = a;
  return 0;
}

void audit_resume_from(struct audit *a, const struct checkpoint *prev) { a->resume = prev; }

int audit_checkpoint(const struct audit *a, struct checkpoint *out) {
  /* Not done: rows in flight, and with --ordered every row not yet
   * written (finished rows may wait in the ring behind a slow one). */
  size_t n = 0;
  uint64_t below = sink_written_below(a->sink);
  size_t cap = a->nrows + (below == UINT64_MAX ? 0 : (size_t)(a->next_seq - below));
  uint64_t *v = malloc((cap ? cap : 1) * sizeof *v);
  if (!v) return -ENOMEM;
  if (below != UINT64_MAX) {
    for (uint64_t q = below; q < a->next_seq; q++)
      if (!sink_is_skip(a->sink, q)) v[n++] = q;
  } else {
    for (unsigned i = 0; i < a->nrows; i++)
      if (a->rows[i].busy) v[n++] = a->rows[i].seq;
  }
  int rc = checkpoint_merge(a->resume, a->next_seq, v, n, out);
  free(v);
  return rc;
}

void audit_start(struct audit *a, audit_done_cb cb, void *arg) {
  a->done_cb = cb;
  a->done_arg = arg;
  a->t_start = uv_hrtime();
  ratelimit_init(&a->rl, a->c.rate, a->t_start);
  dnsstage_start(a->dns);
  pump(a);
}

/* A row the stopping run will not do: it stays marked busy, so the
 * checkpoint lists it as not done, but the run no longer waits for it. */
static void abandon_row(void *arg, struct row *r) {
  struct audit *a = arg;
  a->busy--;
  a->st.inflight = a->busy;
  a->st.started--;
}

void audit_stop(struct audit *a) {
  a->stopping = 1;
  if (a->smtp) {
    smtpstage_stop(a->smtp);
    smtpstage_abandon(a->smtp, abandon_row, a);
  }
  if (a->dns) dnsstage_abandon(a->dns, abandon_row, a);
  if (a->iw) uv_poll_stop(&a->iw->poll);
  if (!a->in_pump) maybe_finish(a);
}

void audit_on_message(struct audit *a, audit_msg_cb cb, void *arg) {
  a->msg_cb = cb;
  a->msg_arg = arg;
}

void audit_on_invalid(struct audit *a, audit_warn_cb cb, void *arg) {
  a->warn_cb = cb;
  a->warn_arg = arg;
}

const struct audit_stats *audit_stats(const struct audit *a) {
  struct audit *m = (struct audit *)a; /* the figures are gathered on demand */
  if (m->dns) {
    struct dnsstage_stats ds;
    dnsstage_stats(m->dns, &ds);
    m->st.udp_drops = ds.udp_drops;
    m->st.udp_drops_ours = ds.udp_drops_ours;
    m->st.min_window = ds.min_window;
    m->st.live.dns_active = (unsigned)ds.active;
    m->st.live.dns_queued = (unsigned)ds.queued;
    m->st.live.dns_paused = ds.paused;
  } else {
    m->st.live.dns_active = m->st.live.dns_queued = 0;
    m->st.live.dns_paused = 0;
  }
  if (m->smtp) {
    struct smtpstage_stats ss;
    smtpstage_stats(m->smtp, &ss);
    m->st.smtp_backpressure = ss.backpressure;
    m->st.smtp_retries = ss.retries;
    m->st.live.smtp_active = (unsigned)ss.active;
    m->st.live.smtp_queued = (unsigned)ss.queued;
    m->st.live.smtp_prefix_waiting = (unsigned)ss.prefix_waiting;
    m->st.live.smtp_retrying = (unsigned)ss.retrying;
    m->st.live.smtp_limit = ss.limit;
  } else {
    m->st.live.smtp_active = m->st.live.smtp_queued = 0;
    m->st.live.smtp_prefix_waiting = m->st.live.smtp_retrying = 0;
  }
  m->st.live.rows_busy = m->busy;
  /* A back-off replaced the bucket with a slower one (on_health). */
  m->st.live.rate_cut = m->st.backoffs &&
                        (m->c.rate > 0 ? m->rl.rate < m->c.rate : m->rl.rate > 0);
  return &m->st;
}

const char *audit_error(const struct audit *a) { return a->err; }

int audit_write_html(const struct audit *a, const char *path, const struct change *since,
                     char *err, size_t errlen) {
  if (!a->summary) {
    snprintf(err, errlen, "%s: not written: out of memory for the summary", path);
    return -ENOMEM;
  }
  return html_write_summary(a->summary, path, "ptraudit report", since, err, errlen);
}

void audit_free(struct audit *a) {
  if (!a) return;
  for (unsigned i = 0; a->rows && i < a->nrows; i++) {
    free(a->rows[i].cells);
    free(a->rows[i].extra);
    free(a->rows[i].extra_len);
    free(a->rows[i].smtp_buf);
  }
  free(a->rows);
  rowfmt_free(a->fmt);
  sink_free(a->sink);
  summary_free(a->summary);
  free(a);
}
