/* SPDX-License-Identifier: MIT */
/*
 * resolver.h - asynchronous DNS queries: c-ares channels driven by a libuv
 * loop.  Raw reply packets go to the caller, who parses them with
 * dnsreply.h; resolver_status() covers the case with no usable packet.
 *
 * Design (each point is c-ares 1.18 behaviour this code depends on):
 *   - several c-ares channels, each kept below max_inflight_per_channel
 *     (a channel's query IDs are 16 bits and 1.18 searches for a free one
 *     by looping); a query goes to the least-loaded channel, and queries
 *     beyond every channel's limit wait in a FIFO inside the resolver;
 *   - one uv_poll_t per c-ares socket (ARES_OPT_SOCK_STATE_CB) and one
 *     repeating timer that runs c-ares timeouts while queries are in
 *     flight (ares_timeout() is linear in the number of queries in 1.18);
 *   - c-ares's socket I/O goes through sockio.h: UDP replies read in
 *     batches, the queries of one loop iteration sent in one sendmmsg()
 *     from a uv_prepare handle, and the kernel's drop count of each socket
 *     kept (resolver_drops);
 *   - ARES_FLAG_NOCHECKRESP, so SERVFAIL and REFUSED answers reach the
 *     caller with their packet instead of being retried into
 *     ARES_ECONNREFUSED; ARES_FLAG_STAYOPEN; lookups "b" (DNS only, never
 *     /etc/hosts); no answer cache (c-ares >= 1.31 caches by default).
 *
 * The resolver's handles are unreferenced while no query is outstanding:
 * uv_run() returns when the caller has nothing else to do.
 */
#ifndef PTRAUDIT_RESOLVER_H
#define PTRAUDIT_RESOLVER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "status.h"

struct resolver; /* opaque */

struct resolver_opts {
  const char *servers_csv;  /* "127.0.0.1:5300,[::1]:53" (ares_set_servers_ports_csv
                               syntax), or NULL / "" for the system configuration */
  unsigned timeout_ms;      /* per try; 0 = 2000 */
  unsigned tries;           /* 0 = 2 */
  unsigned channels;        /* 0 = 1; at most RESOLVER_MAX_CHANNELS */
  unsigned max_inflight_per_channel; /* 0 = 4096; at most 8192 */
  int rcvbuf;               /* UDP receive buffer in bytes; 0 = 4 MiB, < 0 = the
                               system default.  The kernel caps it at
                               net.core.rmem_max. */
};

#define RESOLVER_MAX_CHANNELS 64
/* Longest name resolver_query accepts (presentation form, as stored by
 * dnsreply); a longer one completes with ARES_EBADNAME. */
#define RESOLVER_NAME_MAX 255

/* Create a resolver on `loop`.  Returns 0, UV_EINVAL (bad servers_csv or
 * the system configuration cannot be read; detail in err) or UV_ENOMEM. */
int resolver_new(struct resolver **out, uv_loop_t *loop, const struct resolver_opts *o,
                 char *err, size_t errlen);

/*
 * Completion of one query.  status: ARES_SUCCESS or a c-ares error code.
 * abuf/alen: the reply packet when one arrived, also with an error status
 * (ARES_ESERVFAIL, ARES_EREFUSED, ARES_ENOTFOUND, ARES_ENODATA come with
 * the packet); NULL/0 otherwise.  The packet is freed when the callback
 * returns: copy what you keep.  ARES_ECANCELLED and ARES_EDESTRUCTION mean
 * the resolver is closing: do not start queries from those.
 */
typedef void (*resolver_cb)(void *arg, int status, const unsigned char *abuf, int alen);

/*
 * Ask for (name, class IN, type); type is ns_t_ptr, ns_t_a or ns_t_aaaa
 * (any RR type number works).  `cb` runs exactly once, always from the
 * loop and never from inside this call, also for errors found at once
 * (name too long, no memory, resolver closing).  It may call
 * resolver_query and resolver_close.  The name is copied.  It is raw bytes
 * with '.' between labels, as dnsreply stores names: a backslash is a
 * backslash (escaped here for c-ares, which would read it as an escape).
 * O(channels + name length).
 */
void resolver_query(struct resolver *r, const char *name, int type, resolver_cb cb, void *arg);

/* Cap the YOUNG queries sent to c-ares at once, over all channels (the
 * rest wait in the FIFO); 0 means no cap beyond the per-channel limit.
 * Raising it sends waiting queries at once.  The scan steers it (dnsflow.h):
 * a server's receive buffer holds only so many datagrams.  O(1) plus the
 * queries it releases. */
void resolver_set_window(struct resolver *r, size_t window);

/* Cap ALL the queries inside c-ares, young and stale (dnscap.h): a
 * recursive resolver's list of pending requests is finite.  0 = no cap.
 * Raising it sends waiting queries at once.  O(1) plus those. */
void resolver_set_cap(struct resolver *r, size_t cap);

/* Answers that came only after c-ares retried (the first try got no
 * answer), over the resolver's life.  O(1). */
uint64_t resolver_late(const struct resolver *r);

/* Queries sent at least stale_ns ago and not yet answered stop counting
 * against the window: they are no longer in any socket buffer but wait on
 * a slow or lame authoritative server behind the resolver, and must not
 * hold back everybody else's queries.  0 (the default): never stale.
 * Takes effect at once and at every resolver_age().  O(queries turning stale). */
void resolver_set_stale(struct resolver *r, uint64_t stale_ns);

/* Re-judge which queries are stale now (call it from a periodic timer);
 * sends what the freed room allows.  O(queries turning stale). */
void resolver_age(struct resolver *r);

/* Queries inside c-ares that count against the window (young), that no
 * longer do (stale), and accepted but waiting for room.  O(1). */
void resolver_counts(const struct resolver *r, size_t *young, size_t *stale, size_t *waiting);

/* The lowest latency among queries answered on their first try since the
 * last call, in *min_ns (0 when none); returns how many there were.  Every
 * query is timed.  The lowest, not the average: beside a resolver's cache
 * hits, slow cache misses are not a queue; a queue at a socket delays every
 * answer, the fastest too.  O(1). */
uint64_t resolver_rtt_min(struct resolver *r, uint64_t *min_ns);

/* UDP datagrams the kernel dropped at this resolver's own sockets because
 * their receive buffer was full, as counted by the kernel (SO_RXQ_OVFL,
 * sockio.h); 0 where that count is not available.  O(sockets). */
uint64_t resolver_drops(const struct resolver *r);

/* Queries accepted and not yet completed (sent, waiting in the FIFO, or
 * completed but not yet delivered).  O(1). */
size_t resolver_inflight(const struct resolver *r);

/*
 * Cancel every outstanding query and free the resolver.  Safe to call from
 * inside a resolver callback: the work happens on the next loop iteration
 * (c-ares must not be destroyed from its own callbacks).  Queries still
 * waiting complete with ARES_ECANCELLED, sent ones with ARES_EDESTRUCTION;
 * then every handle is closed, then closed(arg) runs (closed may be NULL).
 * `r` must not be used after this call.
 */
void resolver_close(struct resolver *r, void (*closed)(void *arg), void *arg);

/*
 * The dns_status for a completion without a parseable packet (parse the
 * packet with dnsreply.h when there is one):
 *   ARES_ENOTFOUND -> DNS_NXDOMAIN      ARES_ENODATA -> DNS_NODATA
 *   ARES_ESERVFAIL -> DNS_SERVFAIL      ARES_EREFUSED -> DNS_REFUSED
 *   ARES_ETIMEOUT -> DNS_TIMEOUT
 *   ARES_EBADRESP, ARES_EFORMERR, ARES_ENOTIMP, ARES_EBADNAME, and
 *   ARES_SUCCESS without a packet -> DNS_BADRESP
 *   ARES_ECONNREFUSED -> DNS_ERROR: with NOCHECKRESP set, c-ares returns it
 *     only when every server was unreachable at the socket level (ICMP port
 *     unreachable, TCP reset) on every try -- a fault of our resolver
 *     setup, not an answer about the target
 *   anything else (ENOMEM, ECANCELLED, EDESTRUCTION, ...) -> DNS_ERROR
 * ARES_EBADNAME means the name could not be put in a query (e.g. a PTR
 * target with an empty label); it is mapped like a bad answer because
 * the name came from one.
 */
enum dns_status resolver_status(int ares_status);

#endif
