/* SPDX-License-Identifier: MIT */
/* dnscap.c - see dnscap.h. */
#include "dnscap.h"

#include <errno.h>
#include <stdlib.h>

struct dnscap {
  unsigned cap, min, max, hold, holding, min_seen;
};

int dnscap_new(struct dnscap **out, unsigned start, unsigned min, unsigned max, unsigned hold) {
  if (min == 0 || min > max || start < min || start > max) return -EINVAL;
  struct dnscap *c = calloc(1, sizeof *c);
  if (!c) return -ENOMEM;
  c->cap = c->min_seen = start;
  c->min = min;
  c->max = max;
  c->hold = hold;
  *out = c;
  return 0;
}

void dnscap_free(struct dnscap *c) { free(c); }

int dnscap_tick(struct dnscap *c, size_t outstanding, size_t waiting, uint64_t late) {
  unsigned old = c->cap;
  if (c->holding) c->holding--;
  if (late > 0 && !c->holding) {
    size_t base = outstanding < c->cap ? outstanding : c->cap;
    c->cap = base / 2 > c->min ? (unsigned)(base / 2) : c->min;
    c->holding = c->hold;
    if (c->cap < c->min_seen) c->min_seen = c->cap;
  } else if (late == 0 && outstanding >= c->cap && waiting > 0 && c->cap < c->max) {
    unsigned add = c->cap / 256 ? c->cap / 256 : 1;
    c->cap = add > c->max - c->cap ? c->max : c->cap + add;
  }
  return c->cap != old;
}

unsigned dnscap_cap(const struct dnscap *c) { return c->cap; }

unsigned dnscap_min_seen(const struct dnscap *c) { return c->min_seen; }
