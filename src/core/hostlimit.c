/* SPDX-License-Identifier: MIT */
/*
 * hostlimit.c - sessions per prefix.  See hostlimit.h.
 *
 * The table is an array of entries indexed by a chained hash (bucket
 * heads and chain links are entry indices, NIL for none).  Unused entries
 * sit on a free list; idle entries that remember a state sit on a list in
 * the order they became idle, oldest first, which is the eviction order.
 */
#include "hostlimit.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define NIL UINT32_MAX

enum { UNKNOWN, SILENT, ANSWERING };

struct entry {
  uint64_t key;      /* the prefix's bits, left-aligned into the low bits */
  uint8_t family;    /* 4 or 6: part of the key */
  uint8_t state;
  uint8_t idle;      /* on the idle list */
  unsigned connecting, established;
  struct hostlimit_waiter *head, *tail;
  uint32_t hnext;    /* hash chain */
  uint32_t prev, next; /* idle list, or free list (next only) */
};

struct hostlimit {
  unsigned limit;
  uint32_t nentries, mask, used;
  struct entry *e;
  uint32_t *bucket;
  uint32_t free_head, idle_head, idle_tail;
  size_t waiting;
  struct hostlimit_waiter *orphans, *orphans_tail; /* see hostlimit_wait */
};

/* SplitMix64's finaliser: spreads nearby prefixes over the buckets. */
static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/* The prefix of a: the first 3 bytes (IPv4 /24) or 8 bytes (IPv6 /64). */
static int prefix_of(const struct addr *a, uint64_t *key) {
  unsigned n = a->family == 4 ? HOSTLIMIT_PREFIX4 / 8 : a->family == 6 ? HOSTLIMIT_PREFIX6 / 8 : 0;
  if (!n) return -EINVAL;
  uint64_t k = 0;
  for (unsigned i = 0; i < n; i++) k = k << 8 | a->b[i];
  *key = k;
  return 0;
}

/* (the family is not hashed: an IPv4 key and an IPv6 key are equal only
 * for IPv6 prefixes outside global unicast, and the lookup compares it) */
static uint32_t *head_of(struct hostlimit *h, uint64_t key) {
  return &h->bucket[mix(key) & h->mask];
}

static uint32_t lookup(struct hostlimit *h, uint8_t family, uint64_t key) {
  for (uint32_t i = *head_of(h, key); i != NIL; i = h->e[i].hnext)
    if (h->e[i].key == key && h->e[i].family == family) return i;
  return NIL;
}

static void hash_unlink(struct hostlimit *h, uint32_t i) {
  uint32_t *p = head_of(h, h->e[i].key);
  while (*p != i) p = &h->e[*p].hnext;
  *p = h->e[i].hnext;
}

static void idle_unlink(struct hostlimit *h, uint32_t i) {
  struct entry *e = &h->e[i];
  if (e->prev != NIL) h->e[e->prev].next = e->next; else h->idle_head = e->next;
  if (e->next != NIL) h->e[e->next].prev = e->prev; else h->idle_tail = e->prev;
  e->idle = 0;
}

static void idle_append(struct hostlimit *h, uint32_t i) {
  struct entry *e = &h->e[i];
  e->prev = h->idle_tail;
  e->next = NIL;
  if (h->idle_tail != NIL) h->e[h->idle_tail].next = i; else h->idle_head = i;
  h->idle_tail = i;
  e->idle = 1;
}

static void release(struct hostlimit *h, uint32_t i) {
  hash_unlink(h, i);
  h->e[i].next = h->free_head;
  h->free_head = i;
  h->used--;
}

/* A fresh UNKNOWN entry for the prefix: a free one, else the oldest idle
 * one (forgetting its state); NIL when every entry is active. */
static uint32_t create(struct hostlimit *h, uint8_t family, uint64_t key) {
  uint32_t i = h->free_head;
  if (i != NIL) {
    h->free_head = h->e[i].next;
  } else if ((i = h->idle_head) != NIL) {
    idle_unlink(h, i);
    hash_unlink(h, i);
    h->used--;
  } else {
    return NIL;
  }
  struct entry *e = &h->e[i];
  *e = (struct entry){.key = key, .family = family, .state = UNKNOWN, .prev = NIL, .next = NIL};
  uint32_t *b = head_of(h, key);
  e->hnext = *b;
  *b = i;
  h->used++;
  return i;
}

static uint32_t find(struct hostlimit *h, const struct addr *a) {
  uint64_t key;
  if (prefix_of(a, &key) < 0) return NIL;
  return lookup(h, a->family, key);
}

/* After any change to entry i: keep the active/idle/free bookkeeping. */
static void settle(struct hostlimit *h, uint32_t i) {
  struct entry *e = &h->e[i];
  if (e->connecting || e->established || e->head) {
    if (e->idle) idle_unlink(h, i);
  } else if (e->state == UNKNOWN) {
    if (e->idle) idle_unlink(h, i);
    release(h, i);
  } else if (!e->idle) {
    idle_append(h, i);
  }
}

static int room(const struct hostlimit *h, const struct entry *e) {
  switch (e->state) {
  case SILENT: return 1;
  case ANSWERING: return (uint64_t)e->connecting + e->established < h->limit;
  default: return e->connecting < h->limit;
  }
}

int hostlimit_new(struct hostlimit **out, unsigned limit, size_t max_prefixes) {
  if (limit == 0 || max_prefixes == 0 || max_prefixes > HOSTLIMIT_MAX_PREFIXES) return -EINVAL;
  size_t nb = 1;
  while (nb < max_prefixes) nb <<= 1;
  struct hostlimit *h = calloc(1, sizeof *h);
  if (!h) return -ENOMEM;
  h->e = calloc(max_prefixes, sizeof *h->e);
  h->bucket = malloc(nb * sizeof *h->bucket);
  if (!h->e || !h->bucket) {
    hostlimit_free(h);
    return -ENOMEM;
  }
  h->limit = limit;
  h->nentries = (uint32_t)max_prefixes;
  h->mask = (uint32_t)(nb - 1);
  for (size_t i = 0; i < nb; i++) h->bucket[i] = NIL;
  for (uint32_t i = 0; i < h->nentries; i++) h->e[i].next = i + 1 < h->nentries ? i + 1 : NIL;
  h->free_head = 0;
  h->idle_head = h->idle_tail = NIL;
  *out = h;
  return 0;
}

void hostlimit_free(struct hostlimit *h) {
  if (!h) return;
  free(h->e);
  free(h->bucket);
  free(h);
}

int hostlimit_try_start(struct hostlimit *h, const struct addr *a) {
  uint64_t key;
  if (prefix_of(a, &key) < 0) return -EINVAL;
  uint32_t i = lookup(h, a->family, key);
  if (i == NIL && (i = create(h, a->family, key)) == NIL) return -ENOMEM;
  struct entry *e = &h->e[i];
  if (e->head || !room(h, e)) return 0; /* (an entry that says 0 is active) */
  e->connecting++;
  settle(h, i);
  return 1;
}

void hostlimit_wait(struct hostlimit *h, struct hostlimit_waiter *w) {
  uint64_t key;
  uint32_t i = NIL;
  w->next = NULL;
  if (prefix_of(&w->addr, &key) == 0 && (i = lookup(h, w->addr.family, key)) == NIL)
    i = create(h, w->addr.family, key);
  h->waiting++;
  if (i == NIL) {
    if (h->orphans_tail) h->orphans_tail->next = w; else h->orphans = w;
    h->orphans_tail = w;
    return;
  }
  struct entry *e = &h->e[i];
  if (e->tail) e->tail->next = w; else e->head = w;
  e->tail = w;
  settle(h, i);
}

void hostlimit_connected(struct hostlimit *h, const struct addr *a) {
  uint32_t i = find(h, a);
  if (i == NIL) return;
  struct entry *e = &h->e[i];
  if (e->connecting) e->connecting--;
  e->established++;
  e->state = ANSWERING;
  settle(h, i);
}

void hostlimit_silent(struct hostlimit *h, const struct addr *a) {
  uint32_t i = find(h, a);
  if (i == NIL) return;
  struct entry *e = &h->e[i];
  if (e->connecting) e->connecting--;
  e->state = SILENT;
  settle(h, i);
}

void hostlimit_done(struct hostlimit *h, const struct addr *a, int was_established) {
  uint32_t i = find(h, a);
  if (i == NIL) return;
  struct entry *e = &h->e[i];
  unsigned *n = was_established ? &e->established : &e->connecting;
  if (*n) (*n)--;
  settle(h, i);
}

struct hostlimit_waiter *hostlimit_next(struct hostlimit *h, const struct addr *a) {
  struct hostlimit_waiter *w = h->orphans;
  if (w) {
    h->orphans = w->next;
    if (!h->orphans) h->orphans_tail = NULL;
    h->waiting--;
    w->next = NULL;
    return w;
  }
  uint32_t i = find(h, a);
  if (i == NIL) return NULL;
  struct entry *e = &h->e[i];
  if (!e->head || !room(h, e)) return NULL;
  w = e->head;
  e->head = w->next;
  if (!e->head) e->tail = NULL;
  w->next = NULL;
  h->waiting--;
  e->connecting++;
  settle(h, i);
  return w;
}

size_t hostlimit_waiting(const struct hostlimit *h) { return h->waiting; }

size_t hostlimit_prefixes(const struct hostlimit *h) { return h->used; }
