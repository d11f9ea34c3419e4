/* SPDX-License-Identifier: MIT */
/*
 * dnsflow.h - the DNS window: how many queries may be "young in flight" at
 * the recursive resolver at once.  Pure: the event loop measures, this
 * module decides.  One dnsflow per resolver.
 *
 * The window is steered like a TCP congestion window by TCP Vegas's
 * estimate of our datagrams sitting in queues (the resolver's socket
 * buffer, ours, the host's), taken every DNSFLOW_TICK_MS:
 *
 *     queued = min(young, window) x (rtt_min - base) / rtt_min
 *
 * where rtt_min is the LOWEST first-try latency among the queries answered
 * during the tick and base is the lowest rtt_min ever seen.  Vegas itself
 * uses the minimum round trip of the last interval, not the average, and
 * that is what makes it work against a recursive resolver: its latency is
 * bimodal (cache hits in ~0.1 ms beside misses that wait 100-200 ms on an
 * authoritative server), so the average of a healthy mix sits far above the
 * lowest latency ever seen and every miss would look queued.  A queue at a
 * socket, however, delays every answer behind it, the fastest included, so
 * the per-tick minimum rises above base with a real queue (and in a tick
 * whose answers were all misses: see the option below).
 *
 * Why a stale age: a query still unanswered after dnsflow_stale_ns() is no
 * longer in any socket buffer; it waits on a slow or lame authoritative
 * server (common in reverse DNS) and costs the resolver nothing but a
 * request-list slot.  The glue counts only younger queries in
 * dnsflow_sample.young and lets stale ones stop holding the window, so
 * lame zones cannot freeze the run.
 *
 * Per tick, in this order:
 *   drops > 0            -> LOSS:  window -= window/4, slow start ends.
 *   queued > queue_high  -> DELAY: window -= window/8, slow start ends.
 *   window < max, waiting > 0, young >= window (the window is what holds
 *   queries back), rtt_min != 0 (fresh evidence: no answers, no growth, so
 *   a slow path is not widened blindly while its first answers travel),
 *   queued < queue_low   -> GROW:  window doubles during slow start (a
 *                                  short run must not spend itself ramping
 *                                  up), else window += window/8 + 1.
 *   otherwise            -> HOLD.
 * The window is then clamped to [min, max].  queued is compared exactly
 * (integer cross-multiplication, no rounding); with rtt_min == 0 it is 0.
 *
 * Option (dnsflow_set_min_span, off by default): take the latency in
 * queued as the lowest rtt_min of the last `span` ticks instead of this
 * tick's alone.  Why: the rule above reads a tick whose answers were all
 * cache misses as "everything queued" (its fastest answer is a miss, ~1000
 * times base), and such ticks are common when cache hits are rare or the
 * window is narrow (few answers per tick): a queue-free resolver can then
 * keep the window narrow.  Vegas itself takes the minimum over one round
 * trip, and a miss's round trip is several ticks; a span of 8 (200 ms)
 * holds eight times the answers of one tick, so it lacks a cache hit far
 * more rarely.  The cost: a real queue is seen up to span - 1 ticks late
 * (LOSS is never delayed).
 *
 * Memory: one malloc in dnsflow_new; no other call allocates.  Every call
 * is O(1) but dnsflow_tick with a span, O(span).
 */
#ifndef PTRAUDIT_DNSFLOW_H
#define PTRAUDIT_DNSFLOW_H

#include <stddef.h>
#include <stdint.h>

/* How often the glue calls dnsflow_tick, in milliseconds: several ticks
 * per miss round trip (100-200 ms), so the window follows the path within
 * one round trip, yet long enough for a tick to hold many answers. */
#define DNSFLOW_TICK_MS 25

/* Defaults (dnsflow_defaults):
 *   start 64: a modest first burst; slow start doubles it within a few
 *     ticks when the path has room.
 *   min 16: below this a resolver is barely used; loss at 16 queries in
 *     flight is not ours to cure.
 *   max 4096: a ceiling on what one wrong estimate can cost; slow start
 *     reaches it from 64 in six growing ticks (150 ms).
 *   queue_low 16, queue_high 64 (datagrams, Vegas's alpha and beta):
 *     grow while fewer than 16 wait in queues, shrink when more than 64
 *     do; a count of datagrams whatever the path's latency, which is what
 *     a receive buffer limits.
 *   stale_min_ns 20 ms: a socket buffer full of datagrams (a few hundred)
 *     drains in a few milliseconds at the rates we run, so a query older
 *     than this waits on an authoritative server, not in a queue.  (At
 *     250 ms, the misses of a resolver behind which answers take 100-200
 *     ms all counted against the window: measured, a /18 then took 1.2 to
 *     11 s from run to run, at 20 ms 1.3 s every time.)
 *   stale_base_mult 8: on a slow path (base 100 ms) a query is stale after
 *     8 x base = 800 ms, well past any queueing delay on top of base. */
#define DNSFLOW_DEFAULT_START 64
#define DNSFLOW_DEFAULT_MIN 16
#define DNSFLOW_DEFAULT_MAX 4096
#define DNSFLOW_DEFAULT_QUEUE_LOW 16
#define DNSFLOW_DEFAULT_QUEUE_HIGH 64
#define DNSFLOW_DEFAULT_STALE_MIN_NS 20000000ull
#define DNSFLOW_DEFAULT_STALE_BASE_MULT 8

struct dnsflow_params {
  unsigned start;           /* first window; min <= start <= max */
  unsigned min, max;        /* clamp; 1 <= min <= max */
  unsigned queue_low;       /* grow only while queued < queue_low */
  unsigned queue_high;      /* shrink when queued > queue_high; >= queue_low */
  uint64_t stale_min_ns;    /* lower bound of the stale age; > 0 */
  unsigned stale_base_mult; /* stale age = this x base when larger; 0 = fixed */
};

struct dnsflow_sample {
  size_t young;        /* queries sent, unanswered, younger than dnsflow_stale_ns(): they count against the window */
  size_t waiting;      /* queries waiting for room in the window */
  uint64_t rtt_min_ns; /* LOWEST first-try latency among queries answered since the previous tick; 0 = none answered */
  uint64_t drops;      /* datagrams dropped at our sockets or the host since the previous tick */
};

enum dnsflow_reason { DNSFLOW_HOLD, DNSFLOW_GROW, DNSFLOW_LOSS, DNSFLOW_DELAY };

struct dnsflow;

/* Fill p with the defaults above.  O(1). */
void dnsflow_defaults(struct dnsflow_params *p);

/* A controller at p->start, in slow start, with no base latency yet.
 * Returns 0, -EINVAL when the params break the bounds documented in
 * struct dnsflow_params (*out untouched), or -ENOMEM.  One malloc. */
int dnsflow_new(struct dnsflow **out, const struct dnsflow_params *p);

/* Free f (NULL is fine).  O(1). */
void dnsflow_free(struct dnsflow *f);

/* Take one tick's measurements, update base and the window by the rule
 * above, and say why.  Call every DNSFLOW_TICK_MS.  O(1) (O(span) with
 * dnsflow_set_min_span). */
enum dnsflow_reason dnsflow_tick(struct dnsflow *f, const struct dnsflow_sample *s);

/* The window: how many young queries may be in flight.  O(1). */
unsigned dnsflow_window(const struct dnsflow *f);

/* The stale age: max(stale_min_ns, stale_base_mult x base), saturating at
 * UINT64_MAX; stale_min_ns before any answer.  O(1). */
uint64_t dnsflow_stale_ns(const struct dnsflow *f);

/* The base latency: lowest rtt_min_ns ever seen; 0 before any.  O(1). */
uint64_t dnsflow_base_ns(const struct dnsflow *f);

/* The narrowest window (after clamping) a LOSS tick led to; 0 if none, for
 * the run's statistics.  O(1). */
unsigned dnsflow_min_window_after_loss(const struct dnsflow *f);

/* The longest span dnsflow_set_min_span accepts, in ticks (800 ms). */
#define DNSFLOW_MAX_MIN_SPAN 32

/* Judge queued on the lowest rtt_min_ns of the last `ticks` ticks
 * (1..DNSFLOW_MAX_MIN_SPAN; 1, the default, is the plain rule).  Ticks
 * without answers are skipped in that minimum, and a tick without answers
 * still computes no queue (old evidence is not judged twice).  Returns 0 or
 * -EINVAL.  O(1); dnsflow_tick then costs O(ticks). */
int dnsflow_set_min_span(struct dnsflow *f, unsigned ticks);

/* 1 while in slow start (from creation until the first LOSS or DELAY).
 * O(1). */
int dnsflow_slow_start(const struct dnsflow *f);

#endif
