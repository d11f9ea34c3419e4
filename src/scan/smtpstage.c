/* SPDX-License-Identifier: MIT */
/*
 * smtpstage.c - see smtpstage.h.  Event-loop glue: who may connect is
 * decided by hostlimit.c, when to retry by backoff.c.
 */
#include "smtpstage.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "err.h"
#include "hostlimit.h"

#define BACKPRESSURE_RETRY_MS 50

struct job {
  struct smtp_probe p;  /* embeds its libuv handles */
  struct smtpstage *s;
  struct row *row;      /* NULL while free */
  struct job *next;     /* free list */
  struct job *all_next; /* every job ever made */
};

/* A session that ended but still counts against its prefix (the linger). */
struct lingering {
  struct addr addr;
  uint64_t until; /* uv_now() */
  struct lingering *next;
};

struct smtpstage {
  uv_loop_t *loop;
  struct smtpstage_opts o;
  char *ehlo;
  smtpstage_done_cb done;
  void *arg;
  struct hostlimit *hl;
  struct job *free_jobs, *all_jobs;
  unsigned active, limit;
  struct row *q_head, *q_tail;      /* waiting for the budget */
  size_t queued, prefix_waiting;
  struct row **heap;                /* waiting to retry, earliest first */
  size_t nheap, heap_cap;
  struct row *later_head, *later_tail; /* finished, to be handed back from the loop */
  uv_timer_t retry_timer;           /* the earliest retry */
  uv_timer_t later_timer;           /* hands back `later` rows; recovers from back-pressure */
  uv_timer_t linger_timer;          /* ends the oldest linger */
  struct lingering *lg_head, *lg_tail, *lg_free; /* oldest first (the linger is constant) */
  uint64_t backpressure, retries;
  int stopping, closing;
  unsigned handles;
  void (*closed)(void *);
  void *closed_arg;
};

static void try_start(struct smtpstage *s, struct row *r, int front);

/* ---- handing rows back --------------------------------------------------- */

static void on_later(uv_timer_t *t);

static void hand_back_later(struct smtpstage *s, struct row *r) {
  r->next = NULL;
  if (s->later_tail) s->later_tail->next = r;
  else s->later_head = r;
  s->later_tail = r;
  uv_timer_start(&s->later_timer, on_later, 0, 0);
}

/* ---- the retry heap (after a 421) ----------------------------------------- */

static void heap_swap(struct row **h, size_t i, size_t j) {
  struct row *t = h[i];
  h[i] = h[j];
  h[j] = t;
}

static int heap_push(struct smtpstage *s, struct row *r) {
  if (s->nheap == s->heap_cap) {
    size_t ncap = s->heap_cap ? s->heap_cap * 2 : 64;
    struct row **nh = realloc(s->heap, ncap * sizeof *nh);
    if (!nh) return -ENOMEM;
    s->heap = nh;
    s->heap_cap = ncap;
  }
  size_t i = s->nheap++;
  s->heap[i] = r;
  while (i && s->heap[(i - 1) / 2]->retry_at > s->heap[i]->retry_at) {
    heap_swap(s->heap, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
  return 0;
}

static struct row *heap_pop(struct smtpstage *s) {
  struct row *top = s->heap[0];
  s->heap[0] = s->heap[--s->nheap];
  for (size_t i = 0;;) {
    size_t l = 2 * i + 1, m = i;
    if (l < s->nheap && s->heap[l]->retry_at < s->heap[m]->retry_at) m = l;
    if (l + 1 < s->nheap && s->heap[l + 1]->retry_at < s->heap[m]->retry_at) m = l + 1;
    if (m == i) break;
    heap_swap(s->heap, i, m);
    i = m;
  }
  return top;
}

static void on_retry_timer(uv_timer_t *t);

static void arm_retry(struct smtpstage *s) {
  if (!s->nheap || s->closing) return;
  uint64_t now = uv_now(s->loop), at = s->heap[0]->retry_at;
  uv_timer_start(&s->retry_timer, on_retry_timer, at > now ? at - now : 0, 0);
}

static void on_retry_timer(uv_timer_t *t) {
  struct smtpstage *s = t->data;
  uint64_t now = uv_now(s->loop);
  while (s->nheap && s->heap[0]->retry_at <= now) try_start(s, heap_pop(s), 0);
  arm_retry(s);
}

/* ---- probes ------------------------------------------------------------- */

/* Keep the probe's results in the row (the probe is reused).  One buffer
 * per row, grown to the largest greeting it held. */
static void keep_results(struct row *r, struct smtp_probe *p, enum smtp_status st) {
  const char *host = smtp_probe_host(p), *ehlo = smtp_probe_ehlo_host(p);
  char text[GREETING_TEXT_MAX];
  size_t tlen = smtp_probe_text(p, text, sizeof text);
  size_t hlen = strlen(host), elen = strlen(ehlo);
  size_t need = tlen + hlen + elen + 2;
  r->smtp_status = st;
  r->smtp_code = smtp_probe_code(p);
  r->greeting_ms = smtp_probe_greeting_ms(p);
  r->banner_len = 0;
  r->banner_host = r->ehlo_host = "";
  if (need > r->smtp_cap) {
    char *nb = realloc(r->smtp_buf, need);
    if (!nb) return; /* the row keeps status and code, loses the text */
    r->smtp_buf = nb;
    r->smtp_cap = need;
  }
  memcpy(r->smtp_buf, text, tlen);
  r->banner_len = tlen;
  memcpy(r->smtp_buf + tlen, host, hlen + 1);
  memcpy(r->smtp_buf + tlen + hlen + 1, ehlo, elen + 1);
  r->banner_host = r->smtp_buf + tlen;
  r->ehlo_host = r->smtp_buf + tlen + hlen + 1;
}

static void release_prefix_waiters(struct smtpstage *s, const struct addr *a);
static void pump_queue(struct smtpstage *s);

static void on_linger(uv_timer_t *t) {
  struct smtpstage *s = t->data;
  uint64_t now = uv_now(s->loop);
  struct lingering *l;
  while ((l = s->lg_head) && l->until <= now) {
    s->lg_head = l->next;
    if (!s->lg_head) s->lg_tail = NULL;
    hostlimit_done(s->hl, &l->addr, 1);
    release_prefix_waiters(s, &l->addr);
    l->next = s->lg_free;
    s->lg_free = l;
  }
  if (s->lg_head && !s->closing)
    uv_timer_start(&s->linger_timer, on_linger, s->lg_head->until - now, 0);
  pump_queue(s);
}

/* An accepted session ended: it counts against its prefix for the linger
 * still (without memory for that, it stops counting at once). */
static void session_ended(struct smtpstage *s, const struct addr *a) {
  struct lingering *l = s->lg_free;
  if (l) s->lg_free = l->next;
  else if (!(l = malloc(sizeof *l))) {
    hostlimit_done(s->hl, a, 1);
    return;
  }
  l->addr = *a;
  l->until = uv_now(s->loop) + SMTPSTAGE_LINGER_MS;
  l->next = NULL;
  if (s->lg_tail) s->lg_tail->next = l;
  else s->lg_head = l;
  s->lg_tail = l;
  if (!uv_is_active((uv_handle_t *)&s->linger_timer))
    uv_timer_start(&s->linger_timer, on_linger, SMTPSTAGE_LINGER_MS, 0);
}

static void on_connected(struct smtp_probe *p, void *arg) {
  struct job *j = arg;
  hostlimit_connected(j->s->hl, &j->row->addr);
}

static void pump_queue(struct smtpstage *s) {
  while (!s->closing && s->q_head && s->active < s->limit) {
    struct row *r = s->q_head;
    s->q_head = r->next;
    if (!s->q_head) s->q_tail = NULL;
    s->queued--;
    try_start(s, r, 1);
  }
}

static void on_probe_done(struct smtp_probe *p, enum smtp_status st, void *arg) {
  struct job *j = arg;
  struct smtpstage *s = j->s;
  struct row *r = j->row;
  struct addr a = r->addr;

  s->active--;
  j->row = NULL;
  j->next = s->free_jobs;
  s->free_jobs = j;
  if (smtp_probe_was_connected(p)) session_ended(s, &a);
  else if (st == SMTP_TIMEOUT && !smtp_probe_backpressure(p)) hostlimit_silent(s->hl, &a);
  else hostlimit_done(s->hl, &a, 0);

  if (smtp_probe_backpressure(p)) {
    /* Out of sockets or ports: not a result for this target.  Run fewer
     * probes and try it again shortly. */
    smtp_probe_release(p);
    s->backpressure++;
    r->smtp_tries--;
    if (s->limit > 1) s->limit = s->active > 1 ? s->active - 1 : 1;
    r->next = s->q_head;
    s->q_head = r;
    if (!s->q_tail) s->q_tail = r;
    s->queued++;
    uv_timer_start(&s->later_timer, on_later, BACKPRESSURE_RETRY_MS, 0);
  } else {
    keep_results(r, p, st);
    smtp_probe_release(p);
    /* RFC 5321 4.2.5: 421 means the service is not available now; an MTA
     * says it when its own session limit is reached.  Try again later. */
    if (st == SMTP_BANNER && r->smtp_code == 421 && r->smtp_tries < s->o.max_tries &&
        !s->stopping) {
      r->retry_at = uv_now(s->loop) + backoff_delay_ms(r->smtp_tries, SMTPSTAGE_RETRY_BASE_MS,
                                                        SMTPSTAGE_RETRY_CAP_MS, r->seq);
      if (heap_push(s, r) == 0) {
        s->retries++;
        arm_retry(s);
      } else {
        s->done(s->arg, r);
      }
    } else {
      s->done(s->arg, r);
    }
    /* Recover from back-pressure one probe at a time. */
    if (s->limit < s->o.budget) s->limit++;
  }
  release_prefix_waiters(s, &a);
  pump_queue(s);
}

static void launch(struct smtpstage *s, struct row *r) {
  struct job *j = s->free_jobs;
  if (j) {
    s->free_jobs = j->next;
  } else if ((j = calloc(1, sizeof *j))) {
    j->s = s;
    j->all_next = s->all_jobs;
    s->all_jobs = j;
  } else { /* no memory for a probe: not a result; wait like back-pressure */
    hostlimit_done(s->hl, &r->addr, 0);
    r->next = s->q_head;
    s->q_head = r;
    if (!s->q_tail) s->q_tail = r;
    s->queued++;
    uv_timer_start(&s->later_timer, on_later, BACKPRESSURE_RETRY_MS, 0);
    return;
  }
  j->row = r;
  r->smtp_tries++;
  s->active++;
  int rc = smtp_probe_start(&j->p, s->loop, &r->addr, s->o.port, &s->o.timing, s->ehlo,
                            on_connected, on_probe_done, j);
  if (rc < 0) { /* nothing was opened (a bad address family): a result */
    s->active--;
    j->row = NULL;
    j->next = s->free_jobs;
    s->free_jobs = j;
      hostlimit_done(s->hl, &r->addr, 0);
    r->smtp_status = SMTP_ERROR;
    hand_back_later(s, r);
  }
}

static void try_start(struct smtpstage *s, struct row *r, int front) {
  if (s->active >= s->limit) {
    r->next = NULL;
    if (front) {
      r->next = s->q_head;
      s->q_head = r;
      if (!s->q_tail) s->q_tail = r;
    } else {
      if (s->q_tail) s->q_tail->next = r;
      else s->q_head = r;
      s->q_tail = r;
    }
    s->queued++;
    return;
  }
  int ok = hostlimit_try_start(s->hl, &r->addr);
  if (ok == 0) {
    r->hw.addr = r->addr;
    hostlimit_wait(s->hl, &r->hw);
    s->prefix_waiting++;
    return;
  }
  launch(s, r); /* ok == 1, or the table is full: start regardless */
}

static void release_prefix_waiters(struct smtpstage *s, const struct addr *a) {
  struct hostlimit_waiter *w;
  while (!s->closing && (w = hostlimit_next(s->hl, a))) {
    struct row *r = (struct row *)((char *)w - offsetof(struct row, hw));
    s->prefix_waiting--;
    launch(s, r); /* already counted as connecting by hostlimit_next */
  }
}

static void on_later(uv_timer_t *t) {
  struct smtpstage *s = t->data;
  struct row *r = s->later_head;
  s->later_head = s->later_tail = NULL;
  while (r) {
    struct row *next = r->next;
    s->done(s->arg, r);
    r = next;
  }
  pump_queue(s);
}

/* ---- public ------------------------------------------------------------- */

int smtpstage_new(struct smtpstage **out, uv_loop_t *loop, const struct smtpstage_opts *o,
                  smtpstage_done_cb done, void *arg, char *err, size_t errlen) {
  struct smtpstage *s = calloc(1, sizeof *s);
  *out = NULL;
  if (!s) return err_set(err, errlen, -ENOMEM, "out of memory");
  s->loop = loop;
  s->o = *o;
  if (!s->o.budget) s->o.budget = 1;
  if (!s->o.max_tries) s->o.max_tries = 1;
  s->limit = s->o.budget;
  s->done = done;
  s->arg = arg;
  if (o->ehlo && !(s->ehlo = strdup(o->ehlo))) {
    free(s);
    return err_set(err, errlen, -ENOMEM, "out of memory");
  }
  int rc = hostlimit_new(&s->hl, o->per_prefix ? o->per_prefix : 1, SMTPSTAGE_MAX_PREFIXES);
  if (rc < 0) {
    free(s->ehlo);
    free(s);
    return err_set(err, errlen, rc, "out of memory");
  }
  uv_timer_init(loop, &s->retry_timer);
  uv_timer_init(loop, &s->later_timer);
  uv_timer_init(loop, &s->linger_timer);
  s->retry_timer.data = s->later_timer.data = s->linger_timer.data = s;
  *out = s;
  return 0;
}

void smtpstage_submit(struct smtpstage *s, struct row *r) {
  /* the row's SMTP fields start blank (row_start in audit.c) */
  try_start(s, r, 0);
}

void smtpstage_stop(struct smtpstage *s) {
  s->stopping = 1;
  /* Rows waiting to retry keep the 421 they got: their result. */
  while (s->nheap) hand_back_later(s, heap_pop(s));
  uv_timer_stop(&s->retry_timer);
}

void smtpstage_abandon(struct smtpstage *s, void (*fn)(void *arg, struct row *r), void *arg) {
  struct row *r = s->q_head;
  s->q_head = s->q_tail = NULL;
  s->queued = 0;
  while (r) {
    struct row *next = r->next;
    fn(arg, r);
    r = next;
  }
}

int smtpstage_idle(const struct smtpstage *s) {
  return !s->active && !s->queued && !s->prefix_waiting && !s->nheap && !s->later_head;
}

void smtpstage_stats(const struct smtpstage *s, struct smtpstage_stats *st) {
  st->active = s->active;
  st->queued = s->queued;
  st->prefix_waiting = s->prefix_waiting;
  st->retrying = s->nheap;
  st->limit = s->limit;
  st->backpressure = s->backpressure;
  st->retries = s->retries;
}

static void on_closed(uv_handle_t *h) {
  struct smtpstage *s = h->data;
  if (--s->handles) return;
  void (*cb)(void *) = s->closed;
  void *arg = s->closed_arg;
  struct job *j = s->all_jobs;
  while (j) {
    struct job *n = j->all_next;
    free(j);
    j = n;
  }
  hostlimit_free(s->hl);
  for (struct lingering *l = s->lg_head, *n; l; l = n) {
    n = l->next;
    free(l);
  }
  for (struct lingering *l = s->lg_free, *n; l; l = n) {
    n = l->next;
    free(l);
  }
  free(s->heap);
  free(s->ehlo);
  free(s);
  if (cb) cb(arg);
}

void smtpstage_close(struct smtpstage *s, void (*closed)(void *arg), void *arg) {
  s->closing = 1;
  s->closed = closed;
  s->closed_arg = arg;
  s->handles = 3;
  uv_close((uv_handle_t *)&s->retry_timer, on_closed);
  uv_close((uv_handle_t *)&s->later_timer, on_closed);
  uv_close((uv_handle_t *)&s->linger_timer, on_closed);
}
