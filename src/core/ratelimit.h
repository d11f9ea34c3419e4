/* SPDX-License-Identifier: MIT */
/*
 * ratelimit.h - a token bucket pacing how many targets start per second.
 * Pure: the caller passes the time, so tests need no clock.
 *
 * The bucket holds at most `burst` tokens, where burst is 10 ms worth of the
 * rate (at least 1): the event loop's timer has millisecond resolution, so
 * high rates must be able to start several targets per wake-up, but the
 * measured rate over any second stays within one burst of the cap.  The
 * bucket starts with one token, so a run does not open with a spike.
 */
#ifndef PTRAUDIT_RATELIMIT_H
#define PTRAUDIT_RATELIMIT_H

#include <stdint.h>

/* The rates a bucket paces: RATELIMIT_MIN to RATELIMIT_MAX targets per
 * second (0 = no cap).  The minimum keeps the wait for one token (1000 s)
 * far inside 64-bit nanoseconds; --rate refuses values outside. */
#define RATELIMIT_MIN 0.001
#define RATELIMIT_MAX 10000000.0

struct ratelimit {
  double rate;    /* tokens per second; 0 = unlimited */
  double burst;   /* bucket size */
  double tokens;
  uint64_t last_ns;
};

/* Start a bucket at time now_ns.  rate 0 (or below 0) means no cap; a
 * positive rate is clamped into [RATELIMIT_MIN, RATELIMIT_MAX], so no rate
 * makes a wait overflow. */
void ratelimit_init(struct ratelimit *rl, double rate, uint64_t now_ns);

/* Take one token if available: returns 1, else 0.  O(1). */
int ratelimit_take(struct ratelimit *rl, uint64_t now_ns);

/* Nanoseconds until a token will be available (0 if one is); at most
 * 1e9 / RATELIMIT_MIN + 1.  O(1). */
uint64_t ratelimit_wait_ns(const struct ratelimit *rl, uint64_t now_ns);

#endif
