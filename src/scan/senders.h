/* SPDX-License-Identifier: MIT */
/*
 * senders.h - the sender checks of one row, run inside the DNS stage beside
 * the PTR lookup, through the same resolver and therefore the same window
 * and pacing (dnsstage.h):
 *
 *   DNSBL  one A query `<reversed address>.<zone>` per blocklist (RFC 5782),
 *          and its TXT when the list lists the address and TXT was asked;
 *   SPF    check_host(ip, domain, sender) (RFC 7208, core/spf.h) for the
 *          row's sender, or its HELO name when the sender is empty;
 *   DMARC  the `_dmarc` TXT of the sender's domain, else of its
 *          organisational domain (RFC 7489 section 6.6.3, net/orgdomain.h).
 *
 * SPF and DMARC answers go through a cache of the run (core/dnscache.h):
 * rows that share a domain ask for its records once, and rows asking while
 * a query is in flight wait for that query instead of sending their own.
 * Blocklist queries are one per address and list, so they are not cached.
 *
 * A blocklist that answers most queries with its error codes (it refuses
 * us: "query via public resolver", "excessive queries") is no longer asked
 * (core/dnsbl.h's policy); its later rows record the error "stopped", and a
 * warning names the list once.
 *
 * Memory: one context per row in the stage (a pool grown to the peak:
 * about 2 KiB plus 0.7 KiB per blocklist), the SPF evaluation while it
 * runs (16 KiB, core/spf.h), and the cache's byte cap: at most the DNS
 * budget's rows at once, whatever the number of targets.
 */
#ifndef PTRAUDIT_SENDERS_H
#define PTRAUDIT_SENDERS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "addr.h"
#include "dnsbl.h"
#include "resolver.h"
#include "verdict.h"

#define SENDERS_CACHE_BYTES (16u << 20) /* the SPF/DMARC answer cache's cap */

struct senders_opts {
  const struct dnsbl_list *lists; /* blocklists (zone and label) */
  size_t nlists;
  int dnsbl_txt;             /* fetch the TXT of a listing */
  int spf;                   /* evaluate SPF and DMARC for rows with a sender */
};

/* The cells of one row's checks, valid until senders_release(). */
struct senders_cells {
  const char *dnsbl;         /* dnsbl.h's cell syntax; "" when not asked */
  const char *dnsbl_txt;     /* with --dnsbl-txt: "LABEL: TEXT" of each listing,
                                joined by " | " */
  const char *spf;           /* the result's name; "" when not run */
  const char *spf_detail;
  const char *dmarc;         /* "none", "p=..."; "" when not run */
};

struct senders;
struct senders_row;

/* Called when every check of the row has ended. */
typedef void (*senders_done_cb)(void *arg);

/* Called once per blocklist that is dropped by the policy. */
typedef void (*senders_warn_cb)(void *arg, const char *msg);

/* Create the checks' shared state (the cache, the lists' counters) over
 * `res`, which must outlive it.  0 or a negative code with err set. */
int senders_new(struct senders **out, uv_loop_t *loop, struct resolver *res,
                const struct senders_opts *o, senders_warn_cb warn, void *warn_arg, char *err,
                size_t errlen);

/* 1 when the run asked for any sender check. */
int senders_enabled(const struct senders *s);

/* Start the checks of target `a` with sender `sender` (local@domain, a
 * bare domain, or NULL/"") and HELO name `helo` (NULL/""): *out is the
 * row's context; done(arg) runs once every check has ended, possibly from
 * inside this call (every answer came from the cache).  0, or -ENOMEM
 * (nothing started, done will not run). */
int senders_start(struct senders *s, struct senders_row **out, const struct addr *a,
                  const char *sender, const char *helo, senders_done_cb done, void *arg);

/* The row's outcomes into res (dnsbl_listed, dnsbl_errors, spf, dmarc) and
 * its cells into *cells.  After done.  O(1). */
void senders_result(const struct senders_row *r, struct result *res, struct senders_cells *cells);

/* Give the row's context back.  O(1). */
void senders_release(struct senders *s, struct senders_row *r);

/* The run is stopping: outstanding queries will come back cancelled; start
 * no new ones (rows end with what they have, their open checks as
 * temporary errors). */
void senders_stop(struct senders *s);

/* Figures for the summary: queries sent, answers taken from the cache. */
struct senders_stats {
  uint64_t queries;          /* sent to the resolver by the sender checks */
  uint64_t cache_hits;       /* answered from the cache */
  uint64_t cache_waits;      /* joined a query in flight */
};
void senders_stats(const struct senders *s, struct senders_stats *st);

/* Free; after every row was released and the resolver closed. */
void senders_free(struct senders *s);

#endif
