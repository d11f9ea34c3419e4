/* SPDX-License-Identifier: MIT */
/*
 * dnscache.c - the run's DNS answer cache.  The contract is in dnscache.h.
 *
 * Structure: a chained hash table of entries keyed by (name, type); kept
 * answers are also on a doubly linked LRU list (head: most recently used),
 * pending ones are not, so eviction never sees them.  An entry whose
 * waiters are being called is "busy": eviction skips it and dropping it
 * (an expired lookup, a fill that does not keep it) only unlinks it; it is
 * freed when its fill returns, since the answer handed to the waiters
 * lives in it.
 */
#include "dnscache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnsreply.h"

#define NS_PER_S 1000000000ull
#define INITIAL_BUCKETS 64

enum { ST_PENDING, ST_DONE };

struct dnscache_entry {
  struct dnscache_entry *hnext;         /* hash chain */
  struct dnscache_entry *lprev, *lnext; /* LRU list (kept answers only) */
  struct dnscache_waiter *whead, *wtail;
  unsigned char *abuf; /* kept reply (malloc), or NULL */
  size_t alen;
  size_t bytes; /* counted in c->bytes while linked */
  uint64_t expires;
  uint32_t hash;
  int qtype;
  int status;
  unsigned char state;
  unsigned char linked; /* in the hash table (and counted) */
  unsigned char in_lru;
  unsigned char busy;   /* its fill is calling waiters */
  size_t namelen;
  char name[]; /* lowercased key, NUL-terminated */
};

struct dnscache {
  struct dnscache_entry **buckets;
  size_t nbuckets; /* power of two */
  struct dnscache_entry *lru_head, *lru_tail;
  size_t max_bytes;
  uint64_t max_ttl_ns;
  struct dnscache_stats st;
};

/* FNV-1a over the key bytes and the type. */
static uint32_t key_hash(const char *name, size_t len, int qtype) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)name[i]) * 16777619u;
  h = (h ^ (uint32_t)(qtype & 0xff)) * 16777619u;
  h = (h ^ (uint32_t)((qtype >> 8) & 0xff)) * 16777619u;
  return h;
}

/* The key form of name into key[DNSCACHE_NAME_MAX + 1]; its length, or a
 * negative code. */
static int key_of(const char *name, char *key, size_t *len) {
  size_t n = name ? strlen(name) : 0;
  if (n > 1 && name[n - 1] == '.') n--;
  if (n == 0) return -EINVAL;
  if (n > DNSCACHE_NAME_MAX) return -ENAMETOOLONG;
  for (size_t i = 0; i < n; i++) {
    char ch = name[i];
    key[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
  }
  key[n] = '\0';
  *len = n;
  return 0;
}

int dnscache_new(struct dnscache **out, size_t max_bytes, uint64_t max_ttl_ns) {
  if (max_bytes == 0) return -EINVAL;
  struct dnscache *c = calloc(1, sizeof *c);
  if (!c) return -ENOMEM;
  c->buckets = calloc(INITIAL_BUCKETS, sizeof *c->buckets);
  if (!c->buckets) {
    free(c);
    return -ENOMEM;
  }
  c->nbuckets = INITIAL_BUCKETS;
  c->max_bytes = max_bytes;
  c->max_ttl_ns = max_ttl_ns;
  *out = c;
  return 0;
}

static void entry_free(struct dnscache_entry *e) {
  free(e->abuf);
  free(e);
}

void dnscache_free(struct dnscache *c) {
  if (!c) return;
  for (size_t i = 0; i < c->nbuckets; i++) {
    struct dnscache_entry *e = c->buckets[i], *next;
    for (; e; e = next) {
      next = e->hnext;
      entry_free(e);
    }
  }
  free(c->buckets);
  free(c);
}

static void lru_remove(struct dnscache *c, struct dnscache_entry *e) {
  if (!e->in_lru) return;
  if (e->lprev) e->lprev->lnext = e->lnext;
  else c->lru_head = e->lnext;
  if (e->lnext) e->lnext->lprev = e->lprev;
  else c->lru_tail = e->lprev;
  e->lprev = e->lnext = NULL;
  e->in_lru = 0;
}

static void lru_push_front(struct dnscache *c, struct dnscache_entry *e) {
  e->lprev = NULL;
  e->lnext = c->lru_head;
  if (c->lru_head) c->lru_head->lprev = e;
  else c->lru_tail = e;
  c->lru_head = e;
  e->in_lru = 1;
}

/* Take e out of the table, the LRU list and the counts; free it unless
 * its fill is running (that fill frees it). */
static void entry_drop(struct dnscache *c, struct dnscache_entry *e) {
  if (e->linked) {
    struct dnscache_entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*pp != e) pp = &(*pp)->hnext;
    *pp = e->hnext;
    e->hnext = NULL;
    e->linked = 0;
    c->st.bytes -= e->bytes;
    c->st.entries--;
    if (e->state == ST_PENDING) c->st.pending--;
  }
  lru_remove(c, e);
  if (!e->busy) entry_free(e);
}

/* Double the table when entries outnumber buckets; on no memory the
 * chains just grow longer. */
static void maybe_grow(struct dnscache *c) {
  if (c->st.entries <= c->nbuckets) return;
  size_t n = c->nbuckets * 2;
  struct dnscache_entry **b = calloc(n, sizeof *b);
  if (!b) return;
  for (size_t i = 0; i < c->nbuckets; i++) {
    struct dnscache_entry *e = c->buckets[i], *next;
    for (; e; e = next) {
      next = e->hnext;
      e->hnext = b[e->hash & (n - 1)];
      b[e->hash & (n - 1)] = e;
    }
  }
  free(c->buckets);
  c->buckets = b;
  c->nbuckets = n;
}

/* Evict least recently used answers, skipping busy ones, until bytes fit. */
static void evict(struct dnscache *c) {
  struct dnscache_entry *e = c->lru_tail;
  while (c->st.bytes > c->max_bytes && e) {
    struct dnscache_entry *prev = e->lprev;
    if (!e->busy) {
      entry_drop(c, e);
      c->st.evictions++;
    }
    e = prev;
  }
}

int dnscache_lookup(struct dnscache *c, const char *name, int qtype, uint64_t now_ns,
                    struct dnscache_entry **out) {
  char key[DNSCACHE_NAME_MAX + 1];
  size_t len;
  int r = key_of(name, key, &len);
  if (r < 0) return r;
  if (qtype < 0 || qtype > 0xffff) return -EINVAL;
  uint32_t h = key_hash(key, len, qtype);
  struct dnscache_entry *e = c->buckets[h & (c->nbuckets - 1)];
  for (; e; e = e->hnext)
    if (e->hash == h && e->qtype == qtype && e->namelen == len && !memcmp(e->name, key, len))
      break;
  if (e && e->state == ST_PENDING) {
    c->st.coalesced++;
    *out = e;
    return DNSCACHE_PENDING;
  }
  if (e && now_ns < e->expires) {
    c->st.hits++;
    lru_remove(c, e);
    lru_push_front(c, e);
    *out = e;
    return DNSCACHE_HIT;
  }
  if (e) {
    c->st.expired++;
    entry_drop(c, e);
  }
  e = calloc(1, sizeof *e + len + 1);
  if (!e) return -ENOMEM;
  memcpy(e->name, key, len + 1);
  e->namelen = len;
  e->hash = h;
  e->qtype = qtype;
  e->state = ST_PENDING;
  e->bytes = sizeof *e + len + 1;
  e->hnext = c->buckets[h & (c->nbuckets - 1)];
  c->buckets[h & (c->nbuckets - 1)] = e;
  e->linked = 1;
  c->st.bytes += e->bytes;
  c->st.entries++;
  c->st.pending++;
  c->st.misses++;
  maybe_grow(c);
  *out = e;
  return DNSCACHE_MISS;
}

int dnscache_wait(struct dnscache_entry *e, struct dnscache_waiter *w, dnscache_cb cb,
                  void *arg) {
  if (!e || e->state != ST_PENDING || !w || !cb) return -EINVAL;
  w->next = NULL;
  w->cb = cb;
  w->arg = arg;
  if (e->wtail) e->wtail->next = w;
  else e->whead = w;
  e->wtail = w;
  return 0;
}

int dnscache_cancel_wait(struct dnscache_entry *e, struct dnscache_waiter *w) {
  struct dnscache_waiter *prev = NULL, *cur;
  for (cur = e->whead; cur && cur != w; cur = cur->next) prev = cur;
  if (!cur) return -ENOENT;
  if (prev) prev->next = cur->next;
  else e->whead = cur->next;
  if (e->wtail == cur) e->wtail = prev;
  cur->next = NULL;
  return 0;
}

/* Seconds of TTL the rules in dnscache.h give, in ns (0: do not keep). */
static uint64_t ttl_ns_of(int status, const unsigned char *abuf, size_t alen) {
  struct dnsreply_ttl t;
  switch (status) {
  case DNS_OK:
    if (!abuf || alen > 65535 || dnsreply_ttl(abuf, (int)alen, &t) < 0 || t.answers == 0)
      return 0;
    return (uint64_t)t.answer_min * NS_PER_S;
  case DNS_NXDOMAIN:
  case DNS_NODATA:
    if (!abuf || alen > 65535 || dnsreply_ttl(abuf, (int)alen, &t) < 0 || !t.soa) return 0;
    if (t.answers && t.answer_min < t.negative) return (uint64_t)t.answer_min * NS_PER_S;
    return (uint64_t)t.negative * NS_PER_S;
  case DNS_SERVFAIL:
  case DNS_REFUSED:
  case DNS_TIMEOUT:
  case DNS_BADRESP:
    return DNSCACHE_FAIL_TTL_NS;
  default:
    return 0;
  }
}

int dnscache_fill(struct dnscache *c, struct dnscache_entry *e, int status,
                  const unsigned char *abuf, size_t alen, uint64_t now_ns) {
  if (!e || e->state != ST_PENDING || e->busy) return -EINVAL;
  if (!abuf) alen = 0;
  uint64_t ttl = ttl_ns_of(status, abuf, alen);
  if (ttl > c->max_ttl_ns) ttl = c->max_ttl_ns;
  size_t bytes = e->bytes + alen;
  int keep = ttl > 0 && bytes <= c->max_bytes;
  if (keep && alen) {
    e->abuf = malloc(alen);
    if (e->abuf) memcpy(e->abuf, abuf, alen);
    else keep = 0;
  }

  e->status = status;
  e->state = ST_DONE;
  c->st.pending--;
  const unsigned char *ans = abuf;
  if (keep) {
    e->alen = alen;
    e->expires = now_ns + ttl;
    if (e->expires < now_ns) e->expires = UINT64_MAX;
    if (alen) ans = e->abuf;
    c->st.bytes += alen;
    e->bytes = bytes;
    lru_push_front(c, e);
  } else {
    c->st.uncached++;
    /* Unlinked before the callbacks: a lookup from one of them must miss
     * and send a fresh query, not find this answer.  The pending count
     * was already taken down, so drop it as a done entry. */
    e->busy = 1;
    entry_drop(c, e);
  }

  e->busy = 1;
  struct dnscache_waiter *w;
  while ((w = e->whead)) {
    /* Popped one at a time, so a callback may cancel a later waiter. */
    e->whead = w->next;
    if (!e->whead) e->wtail = NULL;
    w->next = NULL;
    w->cb(w->arg, status, ans, alen);
  }
  e->busy = 0;
  if (!e->linked) entry_free(e);
  evict(c);
  return 0;
}

int dnscache_entry_status(const struct dnscache_entry *e) { return e->status; }

const unsigned char *dnscache_entry_abuf(const struct dnscache_entry *e, size_t *alen) {
  if (alen) *alen = e->alen;
  return e->abuf;
}

uint64_t dnscache_entry_expires(const struct dnscache_entry *e) { return e->expires; }

void dnscache_stats(const struct dnscache *c, struct dnscache_stats *s) { *s = c->st; }
