/* SPDX-License-Identifier: MIT */
/*
 * dnsflow.c - the DNS window controller.  See dnsflow.h.
 */
#include "dnsflow.h"

#include <errno.h>
#include <stdlib.h>

struct dnsflow {
  struct dnsflow_params p;
  unsigned window;
  int slow_start;
  uint64_t base_ns;        /* 0 until the first answer */
  unsigned min_after_loss; /* 0 until the first loss */
  unsigned span;           /* ticks in the latency minimum */
  uint64_t ticks;          /* ticks so far: the ring's write position */
  uint64_t ring[DNSFLOW_MAX_MIN_SPAN]; /* rtt_min_ns of the latest ticks */
};

void dnsflow_defaults(struct dnsflow_params *p) {
  p->start = DNSFLOW_DEFAULT_START;
  p->min = DNSFLOW_DEFAULT_MIN;
  p->max = DNSFLOW_DEFAULT_MAX;
  p->queue_low = DNSFLOW_DEFAULT_QUEUE_LOW;
  p->queue_high = DNSFLOW_DEFAULT_QUEUE_HIGH;
  p->stale_min_ns = DNSFLOW_DEFAULT_STALE_MIN_NS;
  p->stale_base_mult = DNSFLOW_DEFAULT_STALE_BASE_MULT;
}

int dnsflow_new(struct dnsflow **out, const struct dnsflow_params *p) {
  if (!p || p->min == 0 || p->min > p->max || p->start < p->min || p->start > p->max ||
      p->queue_low > p->queue_high || p->stale_min_ns == 0)
    return -EINVAL;
  struct dnsflow *f = malloc(sizeof *f);
  if (!f) return -ENOMEM;
  f->p = *p;
  f->window = p->start;
  f->slow_start = 1;
  f->base_ns = 0;
  f->min_after_loss = 0;
  f->span = 1;
  f->ticks = 0;
  for (unsigned i = 0; i < DNSFLOW_MAX_MIN_SPAN; i++) f->ring[i] = 0;
  *out = f;
  return 0;
}

void dnsflow_free(struct dnsflow *f) { free(f); }

int dnsflow_set_min_span(struct dnsflow *f, unsigned ticks) {
  if (ticks == 0 || ticks > DNSFLOW_MAX_MIN_SPAN) return -EINVAL;
  f->span = ticks;
  return 0;
}

/* The lowest non-zero rtt_min of the last span ticks, this one included
 * (already in the ring). */
static uint64_t span_min(const struct dnsflow *f) {
  uint64_t m = 0;
  for (unsigned i = 0; i < f->span && i < f->ticks; i++) {
    uint64_t v = f->ring[(f->ticks - 1 - i) % DNSFLOW_MAX_MIN_SPAN];
    if (v && (!m || v < m)) m = v;
  }
  return m;
}

/* Compare queued = n x (rtt - base) / rtt with a threshold without
 * rounding: queued <op> t  <=>  n x (rtt - base) <op> t x rtt, since rtt > 0.
 * Returns <0, 0, >0.  128-bit products cannot overflow (64 x 64 bits). */
static int queued_cmp(uint64_t n, uint64_t rtt, uint64_t base, unsigned t) {
  unsigned __int128 lhs = (unsigned __int128)n * (rtt - base);
  unsigned __int128 rhs = (unsigned __int128)t * rtt;
  return lhs < rhs ? -1 : lhs > rhs;
}

enum dnsflow_reason dnsflow_tick(struct dnsflow *f, const struct dnsflow_sample *s) {
  enum dnsflow_reason why = DNSFLOW_HOLD;
  uint64_t rtt = s->rtt_min_ns;
  unsigned w = f->window;
  if (rtt && (!f->base_ns || rtt < f->base_ns)) f->base_ns = rtt;
  f->ring[f->ticks++ % DNSFLOW_MAX_MIN_SPAN] = rtt;
  /* queries beyond the window (left from before a shrink) are not ours to
   * count: Vegas counts what the window lets into the path */
  uint64_t n = s->young < w ? s->young : w;
  /* with rtt == 0 there is no evidence: queued counts as 0 */
  uint64_t lat = rtt && f->span > 1 ? span_min(f) : rtt;
  int above_high = rtt && queued_cmp(n, lat, f->base_ns, f->p.queue_high) > 0;
  int below_low = !rtt || queued_cmp(n, lat, f->base_ns, f->p.queue_low) < 0;
  if (s->drops > 0) {
    w -= w / 4;
    f->slow_start = 0;
    why = DNSFLOW_LOSS;
  } else if (above_high) {
    w -= w / 8;
    f->slow_start = 0;
    why = DNSFLOW_DELAY;
  } else if (w < f->p.max && s->waiting > 0 && s->young >= w && rtt && below_low) {
    /* (w <= max <= UINT_MAX, so w + w may wrap only when max > UINT_MAX/2:
     * compare before adding) */
    unsigned add = f->slow_start ? w : w / 8 + 1;
    w = add > f->p.max - w ? f->p.max : w + add;
    why = DNSFLOW_GROW;
  }
  if (w < f->p.min) w = f->p.min;
  if (w > f->p.max) w = f->p.max;
  if (why == DNSFLOW_LOSS && (!f->min_after_loss || w < f->min_after_loss)) f->min_after_loss = w;
  f->window = w;
  return why;
}

unsigned dnsflow_window(const struct dnsflow *f) { return f->window; }

uint64_t dnsflow_stale_ns(const struct dnsflow *f) {
  uint64_t m = f->p.stale_base_mult, b = f->base_ns, scaled;
  if (m && b > UINT64_MAX / m)
    scaled = UINT64_MAX;
  else
    scaled = m * b;
  return scaled > f->p.stale_min_ns ? scaled : f->p.stale_min_ns;
}

uint64_t dnsflow_base_ns(const struct dnsflow *f) { return f->base_ns; }

unsigned dnsflow_min_window_after_loss(const struct dnsflow *f) { return f->min_after_loss; }

int dnsflow_slow_start(const struct dnsflow *f) { return f->slow_start; }
