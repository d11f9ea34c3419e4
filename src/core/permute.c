/* SPDX-License-Identifier: MIT */
/*
 * permute.c - Feistel permutation with cycle walking.  See permute.h.
 */
#include "permute.h"

#define ROUNDS 4

/* SplitMix64's finaliser: a cheap, well-mixed 64-bit hash. */
static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void permute_init(struct permute *p, uint64_t n, uint64_t seed) {
  unsigned bits = 2;
  p->n = n;
  p->seed = seed;
  if (n == 0) {
    bits = 64;
  } else {
    while (bits < 64 && (n - 1) >> bits) bits += 2;
  }
  p->half = bits / 2;
  p->mask = p->half == 64 ? ~0ull : (1ull << p->half) - 1;
}

static uint64_t feistel(const struct permute *p, uint64_t x) {
  uint64_t l = x >> p->half, r = x & p->mask;
  for (unsigned round = 0; round < ROUNDS; round++) {
    uint64_t f = mix(r ^ mix(p->seed + round)) & p->mask;
    uint64_t t = l ^ f;
    l = r;
    r = t;
  }
  return (l << p->half) | r;
}

uint64_t permute_at(const struct permute *p, uint64_t i) {
  uint64_t x = feistel(p, i);
  if (p->n == 0) return x;
  while (x >= p->n) x = feistel(p, x); /* cycle walking: stays a bijection */
  return x;
}
