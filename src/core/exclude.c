/* SPDX-License-Identifier: MIT */
/*
 * exclude.c - sorted disjoint span set.  See exclude.h.
 */
#include "exclude.h"

#include <stdlib.h>
#include "err.h"

struct exclude {
  struct span *v;
  size_t n, cap;
};

struct exclude *exclude_new(void) { return calloc(1, sizeof(struct exclude)); }

int exclude_add(struct exclude *x, const struct span *sp) {
  if (x->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 16;
    struct span *nv = realloc(x->v, cap * sizeof *nv);
    if (!nv) return -ENOMEM;
    x->v = nv;
    x->cap = cap;
  }
  x->v[x->n++] = *sp;
  return 0;
}

static int cmp_first(const void *a, const void *b) {
  return addr_cmp(&((const struct span *)a)->first, &((const struct span *)b)->first);
}

/* 1 if b starts at most one address after a ends (same family). */
static int touches(const struct span *a, const struct span *b) {
  if (a->last.family != b->first.family) return 0;
  unsigned __int128 end = addr_to_u128(&a->last), start = addr_to_u128(&b->first);
  return start <= end || start - 1 == end;
}

void exclude_freeze(struct exclude *x) {
  size_t u = 0;
  if (!x->n) return;
  qsort(x->v, x->n, sizeof *x->v, cmp_first);
  for (size_t i = 1; i < x->n; i++) {
    if (touches(&x->v[u], &x->v[i])) {
      if (addr_cmp(&x->v[i].last, &x->v[u].last) > 0) x->v[u].last = x->v[i].last;
    } else {
      x->v[++u] = x->v[i];
    }
  }
  x->n = u + 1;
}

/* Index of the last span whose first <= a, or -1. */
static long floor_index(const struct exclude *x, const struct addr *a) {
  long lo = 0, hi = (long)x->n - 1, found = -1;
  while (lo <= hi) {
    long mid = lo + (hi - lo) / 2;
    if (addr_cmp(&x->v[mid].first, a) <= 0) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

int exclude_lookup(const struct exclude *x, const struct addr *a, struct addr *last) {
  long i = x ? floor_index(x, a) : -1;
  if (i < 0 || !span_contains(&x->v[i], a)) return 0;
  if (last) *last = x->v[i].last;
  return 1;
}

unsigned __int128 exclude_count_in(const struct exclude *x, const struct span *sp) {
  unsigned __int128 total = 0;
  if (!x || !x->n) return 0;
  long i = floor_index(x, &sp->first);
  if (i < 0) i = 0;
  for (size_t k = (size_t)i; k < x->n; k++) {
    const struct span *e = &x->v[k];
    if (addr_cmp(&e->first, &sp->last) > 0) break;
    if (e->first.family != sp->first.family || addr_cmp(&e->last, &sp->first) < 0) continue;
    const struct addr *lo = addr_cmp(&e->first, &sp->first) > 0 ? &e->first : &sp->first;
    const struct addr *hi = addr_cmp(&e->last, &sp->last) < 0 ? &e->last : &sp->last;
    total += addr_to_u128(hi) - addr_to_u128(lo) + 1;
  }
  return total;
}

size_t exclude_size(const struct exclude *x) { return x ? x->n : 0; }

void exclude_free(struct exclude *x) {
  if (!x) return;
  free(x->v);
  free(x);
}
