/* SPDX-License-Identifier: MIT */
/*
 * ratelimit.c - token bucket.  See ratelimit.h.
 */
#include "ratelimit.h"

static void refill(struct ratelimit *rl, uint64_t now_ns) {
  if (now_ns <= rl->last_ns) return; /* monotonic clock; ignore equal/backward */
  rl->tokens += (double)(now_ns - rl->last_ns) * rl->rate / 1e9;
  if (rl->tokens > rl->burst) rl->tokens = rl->burst;
  rl->last_ns = now_ns;
}

void ratelimit_init(struct ratelimit *rl, double rate, uint64_t now_ns) {
  /* Clamped here too, not only by --rate: (1 - t) * 1e9 / rate must fit a
   * uint64_t, and converting a larger double is undefined behaviour. */
  if (!(rate > 0)) rate = 0; /* also NaN */
  else if (rate < RATELIMIT_MIN) rate = RATELIMIT_MIN;
  else if (rate > RATELIMIT_MAX) rate = RATELIMIT_MAX;
  rl->rate = rate;
  rl->burst = rate / 100.0;
  if (rl->burst < 1.0) rl->burst = 1.0;
  rl->tokens = 1.0;
  rl->last_ns = now_ns;
}

int ratelimit_take(struct ratelimit *rl, uint64_t now_ns) {
  if (rl->rate <= 0) return 1;
  refill(rl, now_ns);
  if (rl->tokens < 1.0) return 0;
  rl->tokens -= 1.0;
  return 1;
}

uint64_t ratelimit_wait_ns(const struct ratelimit *rl, uint64_t now_ns) {
  if (rl->rate <= 0) return 0;
  double t = rl->tokens;
  if (now_ns > rl->last_ns) t += (double)(now_ns - rl->last_ns) * rl->rate / 1e9;
  if (t >= 1.0) return 0;
  return (uint64_t)((1.0 - t) * 1e9 / rl->rate) + 1;
}
