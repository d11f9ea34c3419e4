/* SPDX-License-Identifier: MIT */
/*
 * mtalimit.h - concurrent sessions per (client address, virtual MTA), for
 * the shared-MTA block: a fixed-size hash table, so memory does not grow
 * with the number of clients.  Pure: no I/O; one allocation at creation.
 */
#ifndef TESTNET_MTALIMIT_H
#define TESTNET_MTALIMIT_H

#include <stddef.h>

#include "scenario.h"

#define TN_MTA_PAIRS_MAX 4096 /* (client, MTA) pairs with live sessions */

struct tn_mta_table;

enum tn_mta_verdict {
  TN_MTA_COUNTED = 0, /* under the limit: counted, release it later */
  TN_MTA_OVER,        /* at the limit: refuse the session (not counted) */
  TN_MTA_UNTRACKED    /* table full: accept, not counted, do not release */
};

/* A table for up to TN_MTA_PAIRS_MAX pairs; NULL when out of memory. */
struct tn_mta_table *tn_mta_new(void);
void tn_mta_free(struct tn_mta_table *t);

/* One more session of client on MTA number mta, allowed while fewer than
 * limit are open.  Returns enum tn_mta_verdict.  O(1) expected. */
int tn_mta_acquire(struct tn_mta_table *t, const struct tn_ip *client, unsigned mta,
                   int limit);

/* A counted session of client on mta has ended.  O(1) expected. */
void tn_mta_release(struct tn_mta_table *t, const struct tn_ip *client, unsigned mta);

/* Sessions counted now for client on mta (for logs and tests). */
int tn_mta_count(const struct tn_mta_table *t, const struct tn_ip *client, unsigned mta);

#endif
