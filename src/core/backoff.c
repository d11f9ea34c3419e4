/* SPDX-License-Identifier: MIT */
/*
 * backoff.c - capped exponential delay with keyed jitter.  See backoff.h.
 */
#include "backoff.h"

#include <limits.h>

/* SplitMix64's finaliser: every input bit affects every output bit, so
 * neighbouring keys (consecutive target numbers) get unrelated jitter. */
static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

unsigned backoff_delay_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, uint64_t key) {
  if (attempt == 0) attempt = 1;
  unsigned shift = attempt - 1;
  /* base x 2^shift, stopping at the cap before it can overflow */
  uint64_t d = cap_ms;
  if (shift < 32 && ((uint64_t)base_ms << shift) < cap_ms) d = (uint64_t)base_ms << shift;
  uint64_t j = d / BACKOFF_JITTER_DIV;
  /* one of the 2j + 1 values d - j .. d + j; the modulo's bias is below
   * 2^-31 for any j that fits an unsigned */
  uint64_t r = d - j + mix(key ^ mix(attempt)) % (2 * j + 1);
  return r > UINT_MAX ? UINT_MAX : (unsigned)r;
}
