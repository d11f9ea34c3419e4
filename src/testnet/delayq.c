/* SPDX-License-Identifier: MIT */
/*
 * delayq.c - held DNS replies (delayq.h).
 */
#include "delayq.h"

#include <stdlib.h>
#include <string.h>

struct tn_delayq {
  uv_timer_t timer;
  uv_loop_t *loop;
  tn_delayq_cb cb;
  void *ctx;
  void (*done)(void *ctx);
  struct tn_delayed **heap;
  size_t n, cap, max;
  uint64_t seq;
};

static int earlier(const struct tn_delayed *a, const struct tn_delayed *b) {
  return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void sift_up(struct tn_delayq *q, size_t i) {
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!earlier(q->heap[i], q->heap[p]))
      break;
    struct tn_delayed *t = q->heap[i];
    q->heap[i] = q->heap[p];
    q->heap[p] = t;
    i = p;
  }
}

static void sift_down(struct tn_delayq *q, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < q->n && earlier(q->heap[l], q->heap[m]))
      m = l;
    if (r < q->n && earlier(q->heap[r], q->heap[m]))
      m = r;
    if (m == i)
      return;
    struct tn_delayed *t = q->heap[i];
    q->heap[i] = q->heap[m];
    q->heap[m] = t;
    i = m;
  }
}

static struct tn_delayed *pop(struct tn_delayq *q) {
  struct tn_delayed *top = q->heap[0];
  q->heap[0] = q->heap[--q->n];
  if (q->n > 0)
    sift_down(q, 0);
  return top;
}

static void on_timer(uv_timer_t *t);

static void arm(struct tn_delayq *q) {
  if (q->n == 0) {
    uv_timer_stop(&q->timer);
    return;
  }
  uint64_t now = uv_now(q->loop), due = q->heap[0]->due;
  uv_timer_start(&q->timer, on_timer, due > now ? due - now : 0, 0);
}

static void on_timer(uv_timer_t *t) {
  struct tn_delayq *q = t->data;
  uint64_t now = uv_now(q->loop);
  while (q->n > 0 && q->heap[0]->due <= now) {
    struct tn_delayed *d = pop(q);
    if (!d->tcp || d->conn)
      q->cb(q->ctx, d);
    free(d);
  }
  arm(q);
}

int tn_delayq_new(uv_loop_t *loop, size_t cap, tn_delayq_cb cb, void *ctx,
                  struct tn_delayq **out) {
  struct tn_delayq *q = calloc(1, sizeof *q);
  if (!q)
    return UV_ENOMEM;
  q->loop = loop;
  q->cb = cb;
  q->ctx = ctx;
  q->max = cap;
  uv_timer_init(loop, &q->timer);
  q->timer.data = q;
  *out = q;
  return 0;
}

int tn_delayq_push(struct tn_delayq *q, uint64_t ms, int tcp, void *conn,
                   const struct sockaddr *to, const uint8_t *data, size_t len) {
  if (q->n >= q->max)
    return UV_ENOBUFS;
  if (q->n == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 256;
    if (cap > q->max)
      cap = q->max;
    struct tn_delayed **h = realloc(q->heap, cap * sizeof *h);
    if (!h)
      return UV_ENOMEM;
    q->heap = h;
    q->cap = cap;
  }
  struct tn_delayed *d = malloc(sizeof *d + len);
  if (!d)
    return UV_ENOMEM;
  d->due = uv_now(q->loop) + ms;
  d->seq = q->seq++;
  d->tcp = tcp;
  d->conn = conn;
  memset(&d->to, 0, sizeof d->to);
  if (to)
    memcpy(&d->to, to, to->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                 : sizeof(struct sockaddr_in));
  d->len = len;
  memcpy(d->data, data, len);
  q->heap[q->n++] = d;
  sift_up(q, q->n - 1);
  if (q->heap[0] == d)
    arm(q);
  return 0;
}

void tn_delayq_forget(struct tn_delayq *q, const void *conn) {
  for (size_t i = 0; i < q->n; i++)
    if (q->heap[i]->tcp && q->heap[i]->conn == conn)
      q->heap[i]->conn = NULL;
}

size_t tn_delayq_held(const struct tn_delayq *q) { return q->n; }

static void closed(uv_handle_t *h) {
  struct tn_delayq *q = h->data;
  void (*done)(void *) = q->done;
  void *ctx = q->ctx;
  free(q);
  if (done)
    done(ctx);
}

void tn_delayq_close(struct tn_delayq *q, void (*done)(void *ctx)) {
  while (q->n > 0)
    free(q->heap[--q->n]);
  free(q->heap);
  q->heap = NULL;
  q->done = done;
  uv_close((uv_handle_t *)&q->timer, closed);
}
