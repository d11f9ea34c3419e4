/* SPDX-License-Identifier: MIT */
/*
 * mtalimit.c - per-client session counts of the shared MTAs (mtalimit.h).
 * Open addressing with linear probing; a pair leaves the table when its
 * count drops to zero (backward-shift deletion, so no tombstones pile up).
 */
#include "mtalimit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (2 * TN_MTA_PAIRS_MAX) /* load factor at most 1/2 */

struct slot {
  struct tn_ip client;
  unsigned mta;
  int count; /* 0: empty */
};

struct tn_mta_table {
  size_t used;
  struct slot s[SLOTS];
};

static size_t home(const struct tn_ip *c, unsigned mta) {
  uint32_t h = 2166136261u;
  h = (h ^ c->family) * 16777619u;
  for (int i = 0; i < 16; i++)
    h = (h ^ c->b[i]) * 16777619u;
  h = (h ^ (mta & 0xFF)) * 16777619u;
  h = (h ^ (mta >> 8)) * 16777619u;
  return h % SLOTS;
}

static int same(const struct slot *s, const struct tn_ip *c, unsigned mta) {
  return s->count > 0 && s->mta == mta && s->client.family == c->family &&
         memcmp(s->client.b, c->b, 16) == 0;
}

/* The slot of the pair, or of the empty slot where it would go. */
static size_t find(const struct tn_mta_table *t, const struct tn_ip *c, unsigned mta) {
  size_t i = home(c, mta);
  while (t->s[i].count > 0 && !same(&t->s[i], c, mta))
    i = (i + 1) % SLOTS;
  return i;
}

struct tn_mta_table *tn_mta_new(void) { return calloc(1, sizeof(struct tn_mta_table)); }

void tn_mta_free(struct tn_mta_table *t) { free(t); }

int tn_mta_acquire(struct tn_mta_table *t, const struct tn_ip *client, unsigned mta,
                   int limit) {
  size_t i = find(t, client, mta);
  struct slot *s = &t->s[i];
  if (s->count > 0) {
    if (s->count >= limit)
      return TN_MTA_OVER;
    s->count++;
    return TN_MTA_COUNTED;
  }
  if (limit < 1)
    return TN_MTA_OVER;
  if (t->used >= TN_MTA_PAIRS_MAX)
    return TN_MTA_UNTRACKED;
  memset(&s->client, 0, sizeof s->client);
  s->client.family = client->family;
  memcpy(s->client.b, client->b, 16);
  s->mta = mta;
  s->count = 1;
  t->used++;
  return TN_MTA_COUNTED;
}

void tn_mta_release(struct tn_mta_table *t, const struct tn_ip *client, unsigned mta) {
  size_t i = find(t, client, mta);
  if (t->s[i].count == 0 || --t->s[i].count > 0)
    return;
  t->used--;
  /* Backward shift: pull later members of the probe run into the hole. */
  for (size_t j = (i + 1) % SLOTS; t->s[j].count > 0; j = (j + 1) % SLOTS) {
    size_t h = home(&t->s[j].client, t->s[j].mta);
    /* j may move to i when its home is not cyclically inside (i, j]. */
    int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
    if (stays)
      continue;
    t->s[i] = t->s[j];
    t->s[j].count = 0;
    i = j;
  }
}

int tn_mta_count(const struct tn_mta_table *t, const struct tn_ip *client, unsigned mta) {
  return t->s[find(t, client, mta)].count;
}
