/* SPDX-License-Identifier: MIT */
/*
 * dnscache.h - the run's DNS answer cache: one answer per (name, type),
 * kept for its TTL in bounded memory, and one query in flight per key
 * however many rows ask for it.  Pure: libc only, no clock (the caller
 * passes monotonic nanoseconds), no I/O.
 *
 * Why: many rows share a sender domain (a customer's 500 addresses), and
 * a domain's SPF record, its includes, its DMARC record and each DNSBL zone
 * answer are the same for all of them; asking once per row would multiply
 * the queries the resolver and the lists see.
 *
 * Use:
 *   r = dnscache_lookup(c, name, type, now, &e);
 *   DNSCACHE_HIT      the answer is there: dnscache_entry_status(e) and
 *                     dnscache_entry_abuf(e, &alen) (parse it now: valid
 *                     until the next dnscache_lookup/dnscache_fill on c).
 *   DNSCACHE_PENDING  a query for that key is in flight: attach a waiter
 *                     with dnscache_wait(e, &ctx->waiter, cb, ctx).
 *   DNSCACHE_MISS     a pending entry was created: the caller sends the
 *                     query (and may attach its own waiter), and must end
 *                     with dnscache_fill(c, e, ...) exactly once -- also
 *                     when the query could not be sent (status DNS_ERROR).
 *   < 0               -EINVAL (empty name, bad type), -ENAMETOOLONG, or
 *                     -ENOMEM: query without the cache.
 *
 * Keys: the name with ASCII letters lowercased and one trailing dot
 * removed (DNS names compare case-insensitively, RFC 4343), and the type.
 * Other bytes are compared as they are.
 *
 * What is kept, and for how long (the TTL starts at dnscache_fill's now):
 *   DNS_OK                  the lowest TTL of the answer section
 *   DNS_NXDOMAIN, NODATA    RFC 2308 section 5: min(SOA TTL, SOA MINIMUM)
 *                           from the authority section, and no longer than
 *                           any answer record (a CNAME before a NODATA);
 *                           no SOA: not kept
 *   DNS_SERVFAIL, REFUSED,  DNSCACHE_FAIL_TTL_NS (5 s): RFC 9520 asks
 *   TIMEOUT, BADRESP        resolvers to remember a resolution failure for
 *                           at least 1 s; a few seconds stop the rows of one
 *                           domain from each waiting out the same timeout,
 *                           while a retry comes soon enough for a run
 *   DNS_ERROR (ours: no     not kept (not an answer about the name)
 *   memory, resolver closing),
 *   anything else
 * every TTL capped at max_ttl_ns (the run's length, say), and a TTL of 0
 * means not kept.  Not kept still coalesces: the waiters of that query get
 * the answer; the next lookup is a MISS.  An answer larger than max_bytes
 * is not kept either.
 *
 * Memory: an entry costs sizeof(entry) + name + reply bytes, all counted
 * in dnscache_stats.bytes.  When a fill takes the total above max_bytes,
 * least recently used answers are evicted.  Pending entries are never
 * evicted (the caller's in-flight queries bound them), nor answers whose
 * waiters are being called; so bytes can exceed max_bytes by the pending
 * entries.  Expired answers count until evicted or looked up again.
 * Waiters are the caller's own nodes (struct dnscache_waiter embedded in
 * its context): attaching one allocates nothing.
 *
 * Costs: lookup and fill are O(1) on average (hash table, doubled when the
 * entries outnumber its buckets) plus the evictions and callbacks they do;
 * dnscache_cancel_wait is O(waiters of that entry).
 */
#ifndef PTRAUDIT_DNSCACHE_H
#define PTRAUDIT_DNSCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* How long a failure (SERVFAIL, REFUSED, timeout, bad reply) is kept. */
#define DNSCACHE_FAIL_TTL_NS (5ull * 1000000000ull)
/* Longest key name (presentation form, as resolver_query takes it). */
#define DNSCACHE_NAME_MAX 255

enum dnscache_result { DNSCACHE_HIT = 0, DNSCACHE_PENDING = 1, DNSCACHE_MISS = 2 };

struct dnscache;       /* opaque */
struct dnscache_entry; /* opaque; a pointer stays valid while the entry is
                          pending, and after that as said above */

/* An answer delivered to a waiter.  abuf is valid only during the call
 * (NULL/0 when there was no reply packet).  The callback may call any
 * dnscache function, including lookups that evict. */
typedef void (*dnscache_cb)(void *arg, int status, const unsigned char *abuf, size_t alen);

/* A waiter: the caller's storage, embedded in the context that waits, so
 * waiting allocates nothing.  Fields are the cache's; do not touch them
 * while attached.  A node waits on one entry at a time. */
struct dnscache_waiter {
  struct dnscache_waiter *next;
  dnscache_cb cb;
  void *arg;
};

struct dnscache_stats {
  uint64_t hits;      /* lookups answered from the cache */
  uint64_t misses;    /* lookups that created a pending entry (queries sent) */
  uint64_t coalesced; /* lookups that found their query in flight (PENDING) */
  uint64_t evictions; /* answers dropped to stay within max_bytes */
  uint64_t expired;   /* lookups that found an answer past its TTL (also a miss) */
  uint64_t uncached;  /* fills that were delivered but not kept (see above) */
  size_t bytes;       /* memory held by entries now */
  size_t entries;     /* entries now, pending included */
  size_t pending;     /* entries waiting for their fill */
};

/* A cache holding at most max_bytes of answers (see Memory), each for at
 * most max_ttl_ns.  Returns 0, -EINVAL (max_bytes 0) or -ENOMEM.  O(1). */
int dnscache_new(struct dnscache **out, size_t max_bytes, uint64_t max_ttl_ns);

/* Free c and every entry (NULL is fine).  Waiters still attached to
 * pending entries are not called: fill or cancel them first.  O(entries). */
void dnscache_free(struct dnscache *c);

/* Look (name, qtype) up at time now_ns; see the use above.  *e is set for
 * HIT, PENDING and MISS.  An expired answer is dropped and counts as a
 * MISS.  O(1) average. */
int dnscache_lookup(struct dnscache *c, const char *name, int qtype, uint64_t now_ns,
                    struct dnscache_entry **e);

/* Attach w to the pending entry e: cb(arg, ...) runs once, from
 * dnscache_fill, after the waiters attached before it (FIFO).  Returns 0,
 * or -EINVAL if e is not pending.  O(1). */
int dnscache_wait(struct dnscache_entry *e, struct dnscache_waiter *w, dnscache_cb cb,
                  void *arg);

/* Detach w from e before its answer (the waiting row is going away).
 * Returns 0, or -ENOENT if w is not attached to e.  O(waiters of e). */
int dnscache_cancel_wait(struct dnscache_entry *e, struct dnscache_waiter *w);

/*
 * The answer for the pending entry e (from its MISS): status (enum
 * dns_status) and the reply packet (abuf may be NULL), at now_ns.  Keeps
 * a copy for the TTL the rules above give, then calls every waiter once,
 * in the order attached, with the answer, then evicts down to max_bytes.
 * e must not be used after this call.  Returns 0, or -EINVAL if e is not
 * pending (nothing done).  O(reply bytes + waiters + evictions).
 */
int dnscache_fill(struct dnscache *c, struct dnscache_entry *e, int status,
                  const unsigned char *abuf, size_t alen, uint64_t now_ns);

/* A HIT's status (enum dns_status).  O(1). */
int dnscache_entry_status(const struct dnscache_entry *e);
/* A HIT's reply packet and its length (NULL/0 when the answer had none).
 * Valid until the next dnscache_lookup or dnscache_fill on its cache.
 * O(1). */
const unsigned char *dnscache_entry_abuf(const struct dnscache_entry *e, size_t *alen);
/* When a HIT expires (monotonic ns).  O(1). */
uint64_t dnscache_entry_expires(const struct dnscache_entry *e);

/* Counters and sizes now.  O(1). */
void dnscache_stats(const struct dnscache *c, struct dnscache_stats *s);

#endif
