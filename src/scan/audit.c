/*
 * audit.c - the pipeline glue.  See audit.h.
 *
 * Life of a target:
 *   pump() takes a token from the bucket, a free slot and the next target;
 *   slot_start() sends the PTR query and, at the same time, starts the SMTP
 *   probe (it only ever connects to the target itself, so it needs nothing
 *   from DNS); on_ptr() sends one A/AAAA query per PTR name (at most
 *   RESULT_MAX_FORWARD); when the last outstanding operation of a slot
 *   completes, slot_finish() judges, formats and writes the row and frees
 *   the slot, which calls pump() again.
 *
 * Re-entrancy: pump() may be reached from inside its own loop (a target
 * that finishes synchronously, e.g. an invalid inventory row); a flag turns
 * the inner call into "run once more" instead of recursing.
 */
#include "audit.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ares.h>
#include <arpa/nameser.h>

#include "dnsreply.h"
#include "jsonl.h"
#include "netstat.h"
#include "summary.h"
#include "ratelimit.h"
#include "resolver.h"
#include "smtp.h"

/* Report columns before the inventory passthrough ones. */
static const char *const fixed_columns[] = {
  "ip", "verdict", "flags", "iprev", "ptr_status", "ptr", "forward", "smtp_status",
  "smtp_code", "banner_host", "banner", "expected", "checked_at",
};
#define NFIXED (sizeof fixed_columns / sizeof fixed_columns[0])
/* With --ehlo one more fixed column follows checked_at. */
#define NFIXED_MAX (NFIXED + 1)

struct slot;

/* Callback argument for one forward lookup: which slot, which name. */
struct fwd_arg {
  struct slot *s;
  unsigned idx;
};

struct slot {
  struct audit *a;
  struct slot *next;              /* free list / SMTP retry list */
  uint64_t seq;
  enum target_kind kind;
  unsigned pending;               /* DNS queries + SMTP probe outstanding */
  struct result res;
  char rev[ADDR_REVLEN];
  char names[RESULT_MAX_PTR][DNSREPLY_NAME_SIZE]; /* arena for res.ptr */
  struct fwd_arg fa[RESULT_MAX_FORWARD];
  /* inventory cells, copied: the source reuses its buffers */
  char *cells;
  size_t cells_cap;
  const char **extra;
  size_t *extra_len;
  size_t nextra;
  const char *text;
  size_t text_len;
  const char *expected;
  size_t expected_len;
  struct smtp_probe smtp;         /* embeds its libuv handles */
};

/* --ordered: formatted rows waiting for their predecessors. */
struct ring_entry {
  char *buf;
  size_t len, cap;
  int ready;
  int skip;       /* done by the resumed run: nothing to write */
};

struct audit {
  uv_loop_t *loop;
  const struct scan_opts *c;
  struct source *src;
  struct report *rep;
  struct resolver *res;
  audit_done_cb done_cb;
  void *done_arg;
  audit_warn_cb warn_cb;
  void *warn_arg;

  struct slot *slots;
  struct slot *free_slots;
  unsigned nslots;
  unsigned busy;
  unsigned limit;                 /* busy slots allowed now (shrinks on EMFILE) */
  unsigned dns_window;            /* DNS queries sent at once (UDP drop watch) */
  int slow_start;                 /* double the window until the first signal */
  uv_timer_t drop_timer;
  uint64_t drops_seen;            /* last RcvbufErrors reading */
  uint64_t own_drops_seen;        /* last resolver_drops() reading */
  size_t nextra;

  size_t nfixed;                  /* NFIXED, +1 with --ehlo */
  const struct checkpoint *resume;
  struct target next;             /* taken from the source, not started yet */
  int have_next;

  /* resolver health (see audit.h) */
  unsigned health_n, health_bad;
  unsigned backoffs_in_row;
  uint64_t health_from_seq;       /* only targets started after the last back-off count */
  uint64_t paused_until;          /* uv_hrtime() before which nothing starts */
  uint64_t t_start;

  struct ratelimit rl;
  uv_timer_t pump_timer;
  uv_timer_t retry_timer;         /* SMTP connects deferred by back-pressure */
  struct slot *retry_head, *retry_tail;
  int in_pump, pump_again;
  int source_done, stopping, finishing;
  enum audit_end end;
  int handles_open;

  /* --ordered */
  struct ring_entry *ring;
  uint64_t ring_size;
  uint64_t next_seq;              /* next sequence number to be started */
  uint64_t write_seq;             /* next sequence number to be written */

  /* column names (jsonl keys, summary columns) and the --html summary */
  char **colnames;
  size_t ncolnames;
  struct summary *summary;
  char *line;                     /* jsonl: one formatted line */
  size_t line_cap;

  /* row formatting scratch (rows are written synchronously) */
  const char **fields;
  size_t *lens;
  char *scratch;
  size_t scratch_cap;
  time_t stamp_sec;
  char stamp[32];

  struct audit_stats st;
  char err[512];
};

static void pump(struct audit *a);
static void maybe_finish(struct audit *a);

/* ---- row formatting ---------------------------------------------------- */

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

static int cmp_addr(const void *x, const void *y) { return addr_cmp(x, y); }

/* Every forward address of every checked name, sorted, without duplicates. */
static size_t collect_forward(const struct result *r, struct addr *out, size_t max) {
  size_t n = 0, nf = r->nptr < RESULT_MAX_FORWARD ? r->nptr : RESULT_MAX_FORWARD;
  for (size_t i = 0; i < nf; i++)
    for (size_t k = 0; k < r->fwd[i].naddr && n < max; k++) out[n++] = r->fwd[i].addrs[k];
  qsort(out, n, sizeof *out, cmp_addr);
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    if (u == 0 || !addr_equal(&out[u - 1], &out[i])) out[u++] = out[i];
  return u;
}

/* Append to the scratch area; returns the offset of the appended bytes. */
struct sb {
  char *p;
  size_t len, cap;
};

static void sb_put(struct sb *b, const char *s, size_t n) {
  if (b->len + n > b->cap) n = b->cap - b->len; /* scratch is sized for the worst case */
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

/* Build the fields of slot s's row into a->fields/a->lens. */
static size_t build_row(struct audit *a, struct slot *s, const struct judgement *j) {
  const struct result *r = &s->res;
  struct sb b = {a->scratch, 0, a->scratch_cap};
  size_t off[NFIXED_MAX], len[NFIXED_MAX];
  char tmp[64];
  struct addr fw[RESULT_MAX_FORWARD * RESULT_MAX_ADDRS];
  int probed = s->kind == TARGET_ADDR && j->verdict != VERDICT_SKIPPED;

#define FIELD(i, str, n) (off[i] = b.len, sb_put(&b, (str), (n)), len[i] = b.len - off[i])
#define FIELDS(i, str) FIELD(i, (str), strlen(str))

  if (s->kind == TARGET_INVALID) {
    FIELD(0, s->text, s->text_len);
  } else {
    size_t n = addr_format(&r->addr, tmp);
    FIELD(0, tmp, n);
  }
  FIELDS(1, verdict_name(j->verdict));
  off[2] = b.len;
  b.len += verdict_flags_format(j->flags, b.p + b.len, b.cap - b.len);
  len[2] = b.len - off[2];
  FIELDS(3, probed ? iprev_name(j->iprev) : "");
  FIELDS(4, probed ? dns_status_name(r->ptr_status) : "");
  off[5] = b.len;
  for (size_t i = 0; i < r->nptr; i++) {
    if (i) sb_put(&b, " ", 1);
    sb_put(&b, r->ptr[i], strlen(r->ptr[i]));
  }
  len[5] = b.len - off[5];
  off[6] = b.len;
  size_t nfw = collect_forward(r, fw, sizeof fw / sizeof fw[0]);
  for (size_t i = 0; i < nfw; i++) {
    if (i) sb_put(&b, " ", 1);
    size_t n = addr_format(&fw[i], tmp);
    sb_put(&b, tmp, n);
  }
  len[6] = b.len - off[6];
  FIELDS(7, smtp_status_name(r->smtp_status));
  if (r->smtp_code > 0) {
    int n = snprintf(tmp, sizeof tmp, "%d", r->smtp_code);
    FIELD(8, tmp, (size_t)n);
  } else {
    FIELD(8, "", 0);
  }
  FIELDS(9, r->banner_host ? r->banner_host : "");
  off[10] = b.len;
  if (s->kind == TARGET_ADDR && r->smtp_status != SMTP_SKIPPED)
    b.len += smtp_probe_text(&s->smtp, b.p + b.len, b.cap - b.len);
  len[10] = b.len - off[10];
  FIELD(11, s->expected ? s->expected : "", s->expected ? s->expected_len : 0);
  FIELDS(12, now_rfc3339(a));
  if (a->nfixed > NFIXED) FIELDS(13, probed ? smtp_probe_ehlo_host(&s->smtp) : "");
#undef FIELD
#undef FIELDS

  for (size_t i = 0; i < a->nfixed; i++) {
    a->fields[i] = a->scratch + off[i];
    a->lens[i] = len[i];
  }
  for (size_t i = 0; i < a->nextra; i++) {
    a->fields[a->nfixed + i] = i < s->nextra ? s->extra[i] : "";
    a->lens[a->nfixed + i] = i < s->nextra ? s->extra_len[i] : 0;
  }
  return a->nfixed + a->nextra;
}

static void output_error(struct audit *a, int rc) {
  if (a->end != AUDIT_OUTPUT_ERROR) {
    snprintf(a->err, sizeof a->err, "cannot write the report: %s", report_error(a->rep));
    a->end = AUDIT_OUTPUT_ERROR;
  }
  (void)rc;
  audit_stop(a);
}

/* Write every ready row at the head of the reorder ring. */
static void ring_drain(struct audit *a) {
  while (a->write_seq < a->next_seq) {
    struct ring_entry *e = &a->ring[a->write_seq % a->ring_size];
    if (!e->ready) break;
    if (!e->skip && a->end != AUDIT_OUTPUT_ERROR) {
      int rc = report_write_raw(a->rep, e->buf, e->len);
      if (rc < 0) output_error(a, rc);
    }
    e->ready = 0;
    e->skip = 0;
    a->write_seq++;
  }
}

/* Format the row in a->fields into *buf (grown as needed), CSV or JSON
 * lines.  Returns the length, or 0 with the audit stopped (out of memory). */
static size_t format_row(struct audit *a, size_t n, char **buf, size_t *cap) {
  for (;;) {
    size_t need = a->c->format == FORMAT_JSONL
                      ? jsonl_format(*buf, *cap, (const char *const *)a->colnames, a->fields, a->lens, n)
                      : report_format(*buf, *cap, a->fields, a->lens, n);
    if (need < *cap) return need;
    size_t ncap = need + 256;
    char *nb = realloc(*buf, ncap);
    if (!nb) {
      snprintf(a->err, sizeof a->err, "out of memory formatting a row");
      a->end = AUDIT_RUNTIME_ERROR;
      audit_stop(a);
      return 0;
    }
    *buf = nb;
    *cap = ncap;
  }
}

static void emit_row(struct audit *a, struct slot *s, const struct judgement *j) {
  size_t n = build_row(a, s, j);
  if (a->summary && summary_add(a->summary, a->fields, a->lens) == UV_ENOMEM) {
    summary_free(a->summary); /* the report matters more than the page */
    a->summary = NULL;
  }
  if (a->end == AUDIT_OUTPUT_ERROR) return;
  if (!a->ring) {
    int rc;
    if (a->c->format == FORMAT_CSV) {
      rc = report_write_fields(a->rep, a->fields, a->lens, n);
    } else {
      size_t len = format_row(a, n, &a->line, &a->line_cap);
      if (!len) return;
      rc = report_write_raw(a->rep, a->line, len);
    }
    if (rc < 0) output_error(a, rc);
    return;
  }
  struct ring_entry *e = &a->ring[s->seq % a->ring_size];
  e->len = format_row(a, n, &e->buf, &e->cap);
  if (!e->len) return;
  e->ready = 1;
  ring_drain(a);
}

/* ---- slots ------------------------------------------------------------- */

static void slot_release(struct audit *a, struct slot *s) {
  s->next = a->free_slots;
  a->free_slots = s;
  a->busy--;
  a->st.inflight = a->busy;
}

static void slot_finish(struct slot *s) {
  struct audit *a = s->a;
  struct judgement j;

  if (s->kind != TARGET_ADDR) {
    memset(&j, 0, sizeof j);
    j.verdict = s->kind == TARGET_INVALID ? VERDICT_INVALID : VERDICT_SKIPPED;
  } else {
    verdict_compute(&s->res, &j);
  }
  a->st.done++;
  a->st.verdicts[j.verdict]++;
  for (unsigned i = 0; i < F_COUNT; i++)
    if (j.flags & (1u << i)) a->st.flags[i]++;
  emit_row(a, s, &j);
  slot_release(a, s);
  /* Recover from SMTP back-pressure one slot at a time. */
  if (a->limit < a->nslots) a->limit++;
  pump(a);
}

static void slot_op_done(struct slot *s) {
  if (--s->pending == 0) slot_finish(s);
}

/* Resolver health: see audit.h.  A window where most PTR lookups were
 * refused (or the resolver could not be reached) halves the rate and pauses;
 * too many such windows in a row stop the run. */
static void health_note(struct audit *a, uint64_t seq, enum dns_status st) {
  if (seq < a->health_from_seq) return;
  if (st == DNS_REFUSED || st == DNS_ERROR) a->health_bad++;
  if (++a->health_n < HEALTH_WINDOW) return;
  int bad = a->health_bad * 2 > a->health_n;
  unsigned refused_pct = a->health_bad * 100 / a->health_n;
  a->health_n = a->health_bad = 0;
  if (!bad) {
    a->backoffs_in_row = 0;
    return;
  }
  a->st.backoffs++;
  if (++a->backoffs_in_row >= HEALTH_MAX_BACKOFFS) {
    if (a->end == AUDIT_COMPLETE) {
      snprintf(a->err, sizeof a->err,
               "the resolver refused or failed %u%% of the last %d PTR lookups, %d windows in "
               "a row (it may be rate-limiting us); stopped.  Lower --rate, use another "
               "--resolver, and continue with --resume",
               refused_pct, HEALTH_WINDOW, HEALTH_MAX_BACKOFFS);
      a->end = AUDIT_RUNTIME_ERROR;
    }
    audit_stop(a);
    return;
  }
  uint64_t now = uv_hrtime();
  double rate = a->rl.rate;
  if (rate <= 0) { /* uncapped: start from the rate actually achieved */
    double el = (double)(now - a->t_start) / 1e9;
    rate = el > 0 ? (double)a->st.started / el : 1000;
  }
  rate /= 2;
  if (rate < 1) rate = 1;
  ratelimit_init(&a->rl, rate, now);
  a->paused_until = now + (1000000000ull << (a->backoffs_in_row - 1));
  a->health_from_seq = a->next_seq;
}

static void on_forward(void *arg, int status, const unsigned char *abuf, int alen) {
  struct fwd_arg *fa = arg;
  struct slot *s = fa->s;
  struct forward *f = &s->res.fwd[fa->idx];
  int family = s->res.addr.family;

  if (abuf && alen > 0) {
    struct dnsreply_addrs out;
    dnsreply_addrs_init(&out, f->addrs, RESULT_MAX_ADDRS);
    f->status = dnsreply_addrs(abuf, alen, f->name, family, &out);
    f->cname = out.cname;
    f->naddr = out.n;
  } else if (status == ARES_EBADNAME) {
    /* The PTR name cannot even be put in a query (an empty label, or cut at
     * 255 octets): no such name can have an address.  That is permanent,
     * so it counts as "no A/AAAA", not as a temporary error. */
    f->status = DNS_NXDOMAIN;
  } else {
    f->status = resolver_status(status);
  }
  slot_op_done(s);
}

static void on_ptr(void *arg, int status, const unsigned char *abuf, int alen) {
  struct slot *s = arg;
  struct audit *a = s->a;
  struct result *r = &s->res;

  if (abuf && alen > 0) {
    struct dnsreply_names out;
    dnsreply_names_init(&out, r->ptr, &s->names[0][0], RESULT_MAX_PTR);
    r->ptr_status = dnsreply_ptr(abuf, alen, s->rev, &out);
    r->ptr_total = out.total;
    r->nptr = out.n;
  } else {
    r->ptr_status = resolver_status(status);
  }
  health_note(a, s->seq, r->ptr_status);
  if (r->ptr_status == DNS_OK && !a->finishing && status != ARES_ECANCELLED &&
      status != ARES_EDESTRUCTION) {
    size_t nf = r->nptr < RESULT_MAX_FORWARD ? r->nptr : RESULT_MAX_FORWARD;
    int type = r->addr.family == 4 ? ns_t_a : ns_t_aaaa;
    for (size_t i = 0; i < nf; i++) {
      r->fwd[i].name = r->ptr[i];
      r->fwd[i].status = DNS_NOT_RUN;
      r->fwd[i].cname = 0; /* slot_start does not clear fwd[]: set what is read */
      r->fwd[i].naddr = 0;
      s->fa[i].s = s;
      s->fa[i].idx = (unsigned)i;
      s->pending++;
      resolver_query(a->res, r->ptr[i], type, on_forward, &s->fa[i]);
    }
  }
  slot_op_done(s);
}

static void smtp_start(struct slot *s);
static void on_retry(uv_timer_t *t);

static void on_smtp(struct smtp_probe *p, enum smtp_status st, void *arg) {
  struct slot *s = arg;
  struct audit *a = s->a;
  if (smtp_probe_backpressure(p)) {
    /* Out of sockets or ports: not a result for this target.  Shrink the
     * window and try again shortly (field-notes: EMFILE/EADDRNOTAVAIL). */
    a->st.smtp_backpressure++;
    if (a->limit > 1 && a->limit >= a->busy) a->limit = a->busy > 1 ? a->busy - 1 : 1;
    s->next = NULL;
    if (a->retry_tail) a->retry_tail->next = s;
    else a->retry_head = s;
    a->retry_tail = s;
    if (!uv_is_active((uv_handle_t *)&a->retry_timer))
      uv_timer_start(&a->retry_timer, on_retry, 50, 0);
    return;
  }
  s->res.smtp_status = st;
  s->res.smtp_code = smtp_probe_code(p);
  s->res.banner_host = smtp_probe_host(p);
  slot_op_done(s);
}

static void on_retry(uv_timer_t *t) {
  struct audit *a = t->data;
  struct slot *s = a->retry_head;
  a->retry_head = a->retry_tail = NULL;
  while (s) {
    struct slot *next = s->next;
    smtp_start(s);
    s = next;
  }
}

static void smtp_start(struct slot *s) {
  struct audit *a = s->a;
  int rc = smtp_probe_start(&s->smtp, a->loop, &s->res.addr, (int)a->c->smtp_port,
                            a->c->smtp_timeout_ms, a->c->ehlo, on_smtp, s);
  if (rc < 0) { /* nothing was opened: the callback will not run */
    s->res.smtp_status = SMTP_ERROR;
    slot_op_done(s);
  }
}

/* Copy the inventory cells of t into the slot (the source reuses its
 * buffers).  The slot's buffer grows to the largest row seen and stays. */
static int slot_copy_cells(struct slot *s, const struct target *t) {
  size_t need = t->text_len + t->expected_len + 2;
  for (size_t i = 0; i < t->nextra; i++) need += t->extra_len[i] + 1;
  if (need > s->cells_cap) {
    char *nb = realloc(s->cells, need);
    if (!nb) return UV_ENOMEM;
    s->cells = nb;
    s->cells_cap = need;
  }
  char *p = s->cells;
  s->text = p;
  s->text_len = t->text_len;
  if (t->text_len) memcpy(p, t->text, t->text_len);
  p += t->text_len;
  *p++ = '\0';
  if (t->expected) {
    s->expected = p;
    s->expected_len = t->expected_len;
    if (t->expected_len) memcpy(p, t->expected, t->expected_len);
    p += t->expected_len;
    *p++ = '\0';
  } else {
    s->expected = NULL;
    s->expected_len = 0;
  }
  s->nextra = t->nextra < s->a->nextra ? t->nextra : s->a->nextra;
  for (size_t i = 0; i < s->nextra; i++) {
    s->extra[i] = p;
    s->extra_len[i] = t->extra_len[i];
    if (t->extra_len[i]) memcpy(p, t->extra[i], t->extra_len[i]);
    p += t->extra_len[i];
    *p++ = '\0';
  }
  return 0;
}

static void slot_start(struct audit *a, struct slot *s, const struct target *t) {
  struct result *r = &s->res;

  /* Clear the head only: fwd[] is ~5 KiB and entries are set when their
   * query is sent (on_ptr); nothing reads an entry beyond min(nptr, 10). */
  memset(r, 0, offsetof(struct result, fwd));
  r->smtp_code = 0;
  s->seq = t->seq;
  s->kind = t->kind;
  s->pending = 1; /* held by slot_start itself until the end of this function */
  if (slot_copy_cells(s, t) != 0) {
    /* Keep the row; lose only the passthrough cells. */
    s->nextra = 0;
    s->text = "";
    s->text_len = 0;
    s->expected = NULL;
  }
  r->addr = t->addr;
  r->expected = s->expected;
  r->banner_host = "";
  r->smtp_status = SMTP_SKIPPED;
  if (t->kind == TARGET_ADDR) {
    addr_reverse_name(&t->addr, s->rev);
    s->pending++;
    resolver_query(a->res, s->rev, ns_t_ptr, on_ptr, s);
    if (!a->c->no_smtp) {
      s->pending++;
      smtp_start(s);
    }
  }
  slot_op_done(s);
}

/* ---- UDP drop watch (see audit.h) ------------------------------------------ */

static void on_drop_timer(uv_timer_t *t) {
  struct audit *a = t->data;
  uint64_t now, avg = 0, base = 0;
  unsigned w = a->dns_window;
  size_t waiting = resolver_inflight(a->res); /* sent + queued behind the window */
  /* TCP Vegas's estimate of our queries sitting in queues (the server's
   * socket buffer, ours): in flight x (latency - base latency) / latency.
   * It is a count of datagrams whatever the path's round-trip time, which
   * is what a receive buffer limits. */
  double queued = 0;
  int have = resolver_rtt(a->res, &avg, &base) && avg > base;
  if (have) queued = (double)(waiting < w ? waiting : w) * (double)(avg - base) / (double)avg;
  if (netstat_rcvbuf_errors(&now) < 0) now = a->drops_seen;
  uint64_t own = resolver_drops(a->res);
  int lost = now > a->drops_seen || own > a->own_drops_seen;
  a->st.udp_drops_ours += own - a->own_drops_seen;
  a->own_drops_seen = own;
  if (lost) { /* loss: back off hard */
    a->st.udp_drops += now - a->drops_seen;
    w -= w / 4;
    a->slow_start = 0;
  } else if (have && queued > DNS_QUEUE_HIGH) { /* a queue is building: before loss */
    w -= w / 8;
    a->slow_start = 0;
  } else if (w < DNS_WINDOW_MAX && waiting >= w && have && queued < DNS_QUEUE_LOW) {
    /* (no answers this tick: no evidence, so no growth - a slow path must not
     * have its window doubled blindly while the first replies travel) */
    /* widen only when the window is what holds us back: fast until the
     * first signal (a short run must not spend itself ramping up), then by
     * an eighth */
    w += a->slow_start ? w : w / 8 + 1;
    if (w > DNS_WINDOW_MAX) w = DNS_WINDOW_MAX;
  }
  if (w < DNS_WINDOW_MIN) w = DNS_WINDOW_MIN;
  if (lost && (!a->st.min_window || w < a->st.min_window)) a->st.min_window = w;
  a->drops_seen = now;
  if (w != a->dns_window) {
    a->dns_window = w;
    resolver_set_window(a->res, w);
  }
}

/* ---- pacing ------------------------------------------------------------ */

static void on_pump_timer(uv_timer_t *t) { pump(t->data); }

/* Mark a target the resumed run already did: with --ordered its place in
 * the ring must still be passed. */
static void skip_resumed(struct audit *a, uint64_t seq) {
  a->st.resumed++;
  if (a->ring) {
    struct ring_entry *e = &a->ring[seq % a->ring_size];
    e->ready = 1;
    e->skip = 1;
    ring_drain(a);
  }
}

static void pump_once(struct audit *a) {
  while (!a->source_done && !a->stopping) {
    if (!a->have_next) {
      int r = source_next(a->src, &a->next, a->err, sizeof a->err);
      if (r == 0) {
        a->source_done = 1;
        break;
      }
      if (r < 0) {
        a->end = AUDIT_INPUT_ERROR;
        a->source_done = 1;
        break;
      }
      a->have_next = 1;
    }
    struct target *t = &a->next;
    if (a->ring && t->seq - a->write_seq >= a->ring_size) break;
    if (a->resume && checkpoint_done(a->resume, t->seq)) {
      a->next_seq = t->seq + 1;
      a->have_next = 0;
      skip_resumed(a, t->seq);
      continue;
    }
    if (!a->free_slots || a->busy >= a->limit) break;
    /* Rows that send nothing need no token; without a cap and a pause the
     * clock is not even read (it is per target on the hot path). */
    if (t->kind == TARGET_ADDR && (a->rl.rate > 0 || a->paused_until)) {
      uint64_t now = uv_hrtime();
      if (now < a->paused_until) {
        uv_timer_start(&a->pump_timer, on_pump_timer, (a->paused_until - now) / 1000000 + 1, 0);
        break;
      }
      if (!ratelimit_take(&a->rl, now)) {
        uint64_t ms = (ratelimit_wait_ns(&a->rl, now) + 999999) / 1000000;
        uv_timer_start(&a->pump_timer, on_pump_timer, ms, 0);
        break;
      }
    }
    if (t->kind == TARGET_INVALID && a->warn_cb)
      a->warn_cb(a->warn_arg, t->origin, t->line, t->text, t->text_len);
    struct slot *s = a->free_slots;
    a->free_slots = s->next;
    a->busy++;
    a->st.inflight = a->busy;
    a->st.started++;
    a->next_seq = t->seq + 1;
    a->have_next = 0;
    slot_start(a, s, t);
  }
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

static void on_handle_closed(uv_handle_t *h) {
  struct audit *a = h->data;
  if (--a->handles_open == 0 && a->done_cb) a->done_cb(a, a->end, a->done_arg);
}

static void on_resolver_closed(void *arg) {
  struct audit *a = arg;
  a->res = NULL;
  if (--a->handles_open == 0 && a->done_cb) a->done_cb(a, a->end, a->done_arg);
}

static void maybe_finish(struct audit *a) {
  if (a->finishing || a->busy || a->in_pump) return;
  if (!a->source_done && !a->stopping) return;
  a->finishing = 1;
  if (a->end == AUDIT_COMPLETE && a->stopping && !a->source_done) a->end = AUDIT_STOPPED;
  /* The last drops since the previous tick (the count is read off the
   * sockets, which close with the resolver). */
  uint64_t own = resolver_drops(a->res);
  a->st.udp_drops_ours += own - a->own_drops_seen;
  a->own_drops_seen = own;
  a->handles_open = 4;
  uv_close((uv_handle_t *)&a->drop_timer, on_handle_closed);
  uv_close((uv_handle_t *)&a->pump_timer, on_handle_closed);
  uv_close((uv_handle_t *)&a->retry_timer, on_handle_closed);
  resolver_close(a->res, on_resolver_closed, a);
}

/* ---- public ------------------------------------------------------------ */

int audit_new(struct audit **out, uv_loop_t *loop, const struct scan_opts *c,
              struct source *src, struct report *rep, char *err, size_t errlen) {
  struct audit *a = calloc(1, sizeof *a);
  int rc;
  *out = NULL;
  if (!a) goto nomem;
  a->loop = loop;
  a->c = c;
  a->src = src;
  a->rep = rep;
  a->nslots = c->concurrency;
  a->limit = a->nslots;
  a->nextra = source_extra_count(src);
  a->nfixed = c->ehlo ? NFIXED + 1 : NFIXED;

  a->slots = calloc(a->nslots, sizeof *a->slots);
  a->fields = calloc(NFIXED_MAX + a->nextra, sizeof *a->fields);
  a->lens = calloc(NFIXED_MAX + a->nextra, sizeof *a->lens);
  /* Worst case of the fixed fields: 16 names, 320 addresses, a 4 KiB banner. */
  a->scratch_cap = RESULT_MAX_PTR * (RESULT_NAME_MAX + 1) +
                   RESULT_MAX_FORWARD * RESULT_MAX_ADDRS * (ADDR_STRLEN + 1) + 16384;
  a->scratch = malloc(a->scratch_cap);
  if (!a->slots || !a->fields || !a->lens || !a->scratch) goto nomem;
  for (unsigned i = a->nslots; i-- > 0;) {
    struct slot *s = &a->slots[i];
    s->a = a;
    if (a->nextra) {
      s->extra = calloc(a->nextra, sizeof *s->extra);
      s->extra_len = calloc(a->nextra, sizeof *s->extra_len);
      if (!s->extra || !s->extra_len) goto nomem;
    }
    s->next = a->free_slots;
    a->free_slots = s;
  }
  if (c->ordered) {
    /* Rows may complete out of order by up to the slowest target's time;
     * a window of 4x the concurrency keeps the pipeline full meanwhile. */
    a->ring_size = (uint64_t)a->nslots * 4;
    if (a->ring_size < 1024) a->ring_size = 1024;
    a->ring = calloc(a->ring_size, sizeof *a->ring);
    if (!a->ring) goto nomem;
  }

  struct resolver_opts ro;
  memset(&ro, 0, sizeof ro);
  ro.servers_csv = c->resolvers[0] ? c->resolvers : NULL;
  ro.timeout_ms = c->dns_timeout_ms;
  ro.tries = c->dns_tries;
  ro.channels = c->channels;
  rc = resolver_new(&a->res, loop, &ro, err, errlen);
  if (rc < 0) {
    audit_free(a);
    return rc;
  }

  uv_timer_init(loop, &a->pump_timer);
  uv_timer_init(loop, &a->retry_timer);
  uv_timer_init(loop, &a->drop_timer);
  a->pump_timer.data = a;
  a->retry_timer.data = a;
  a->drop_timer.data = a;

  /* Header row. */
  for (size_t i = 0; i < NFIXED; i++) {
    a->fields[i] = fixed_columns[i];
    a->lens[i] = strlen(fixed_columns[i]);
  }
  if (a->nfixed > NFIXED) {
    a->fields[NFIXED] = "ehlo_host";
    a->lens[NFIXED] = strlen("ehlo_host");
  }
  for (size_t i = 0; i < a->nextra; i++) {
    const char *n = source_extra_name(src, i);
    a->fields[a->nfixed + i] = n ? n : "";
    a->lens[a->nfixed + i] = n ? strlen(n) : 0;
  }
  size_t ncols = a->nfixed + a->nextra;
  /* Own copies: the inventory frees its header when its last row is read,
   * and JSON lines need the names for every row after that. */
  a->ncolnames = ncols;
  a->colnames = calloc(ncols, sizeof *a->colnames);
  if (!a->colnames) goto nomem;
  for (size_t i = 0; i < ncols; i++)
    if (!(a->colnames[i] = strdup(a->fields[i]))) goto nomem;
  if (c->html && (rc = summary_new(&a->summary, (const char *const *)a->colnames, ncols, NULL, err, errlen)) < 0) {
    audit_free(a);
    return rc;
  }
  /* JSON lines carry the names in every object: no header row. */
  rc = c->format == FORMAT_CSV ? report_write_fields(rep, a->fields, a->lens, ncols) : 0;
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

nomem:
  snprintf(err, errlen, "out of memory (concurrency %u)", c->concurrency);
  audit_free(a);
  return UV_ENOMEM;
}

void audit_resume_from(struct audit *a, const struct checkpoint *prev) { a->resume = prev; }

int audit_checkpoint(const struct audit *a, struct checkpoint *out) {
  /* Not done: targets in flight, and with --ordered every row not yet
   * written (finished rows may wait in the ring behind a slow one). */
  size_t n = 0, cap = a->nslots + (size_t)a->ring_size;
  uint64_t *v = malloc((cap ? cap : 1) * sizeof *v);
  if (!v) return UV_ENOMEM;
  if (a->ring) {
    for (uint64_t q = a->write_seq; q < a->next_seq; q++)
      if (!a->ring[q % a->ring_size].skip) v[n++] = q;
  } else {
    for (unsigned i = 0; i < a->nslots; i++)
      if (a->slots[i].pending) v[n++] = a->slots[i].seq;
  }
  int rc = checkpoint_merge(a->resume, a->next_seq, v, n, out);
  free(v);
  return rc;
}

void audit_start(struct audit *a, audit_done_cb cb, void *arg) {
  a->done_cb = cb;
  a->done_arg = arg;
  a->t_start = uv_hrtime();
  ratelimit_init(&a->rl, a->c->rate, a->t_start);
  /* Without procfs there is no loss signal, but latency still steers. */
  (void)netstat_rcvbuf_errors(&a->drops_seen);
  {
    a->dns_window = DNS_WINDOW_START;
    a->slow_start = 1;
    resolver_set_window(a->res, a->dns_window);
    uv_timer_start(&a->drop_timer, on_drop_timer, DROP_CHECK_MS, DROP_CHECK_MS);
    uv_unref((uv_handle_t *)&a->drop_timer);
  }
  pump(a);
}

void audit_stop(struct audit *a) {
  a->stopping = 1;
  if (!a->in_pump) maybe_finish(a);
}

void audit_on_invalid(struct audit *a, audit_warn_cb cb, void *arg) {
  a->warn_cb = cb;
  a->warn_arg = arg;
}

const struct audit_stats *audit_stats(const struct audit *a) { return &a->st; }

const char *audit_error(const struct audit *a) { return a->err; }

int audit_write_html(const struct audit *a, const char *path, char *err, size_t errlen) {
  if (!a->summary) {
    snprintf(err, errlen, "%s: not written: out of memory for the summary", path);
    return UV_ENOMEM;
  }
  return summary_html(a->summary, path, "ptraudit report", err, errlen);
}

void audit_free(struct audit *a) {
  if (!a) return;
  if (a->slots) {
    for (unsigned i = 0; i < a->nslots; i++) {
      free(a->slots[i].cells);
      free(a->slots[i].extra);
      free(a->slots[i].extra_len);
    }
  }
  if (a->ring) {
    for (uint64_t i = 0; i < a->ring_size; i++) free(a->ring[i].buf);
  }
  free(a->ring);
  for (size_t i = 0; a->colnames && i < a->ncolnames; i++) free(a->colnames[i]);
  free(a->colnames);
  free(a->line);
  summary_free(a->summary);
  free(a->slots);
  free(a->fields);
  free(a->lens);
  free(a->scratch);
  free(a);
}
