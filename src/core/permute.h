/* SPDX-License-Identifier: MIT */
/*
 * permute.h - a keyed pseudo-random permutation of [0, n), for --seed.
 *
 * Why not zmap's cyclic group: walking the multiplicative group modulo a
 * prime p > n needs a primitive root, hence the factorisation of p - 1,
 * which is cheap for IPv4 (n <= 2^32) but not for the 2^64-address spans
 * IPv6 allows.  A balanced Feistel network over the smallest even number
 * of bits k with 2^k >= n is a bijection on [0, 2^k) for any round
 * function; "cycle walking" (apply it again until the value is < n) turns it
 * into a bijection on [0, n).  Since 2^k < 4n, a value needs fewer than 4
 * applications on average.  The order spreads consecutive indices across
 * the whole span, like zmap's, so a scan does not walk one /24 at a time.
 *
 * Pure, O(1) state, no allocation; permute_at(p, i) is O(1) expected.
 */
#ifndef PTRAUDIT_PERMUTE_H
#define PTRAUDIT_PERMUTE_H

#include <stdint.h>

struct permute {
  uint64_t n;       /* domain size; 0 means 2^64 */
  uint64_t seed;
  unsigned half;    /* bits per Feistel half */
  uint64_t mask;    /* (1 << half) - 1 */
};

/* Prepare a permutation of [0, n) keyed by seed (n = 0 means 2^64). */
void permute_init(struct permute *p, uint64_t n, uint64_t seed);

/* The i-th element of the permuted order, i < n. */
uint64_t permute_at(const struct permute *p, uint64_t i);

#endif
