/* SPDX-License-Identifier: MIT */
/*
 * hostlimit.h - politeness to shared mail servers: how many SMTP connects
 * and sessions may run at once toward one network prefix (a /24 for IPv4,
 * a /64 for IPv6, the usual size of one operator's block, where a single
 * MTA or a cluster behind one load balancer often answers for many
 * addresses).  Pure: the glue reports connect outcomes, this module
 * decides who may start.
 *
 * Each prefix is in one of three states:
 *   UNKNOWN   nothing heard yet: at most `limit` connects at once.
 *   SILENT    a connect timed out with no SYN-ACK and none was accepted
 *             since: connects are not limited.  A block that drops SYNs
 *             (filtered space, a large share of any scan) has no server to
 *             be polite to, and must not slow itself down: it is scanned at
 *             full rate, bounded only by the caller's global concurrency.
 *   ANSWERING a connect was accepted: another may start only while
 *             connecting + established < limit, since the limit that
 *             matters is on sessions the server counts (Postfix's per-client
 *             connection count, Exim's smtp_accept_max answer 421 beyond it).
 * The last event decides: hostlimit_silent makes a prefix SILENT,
 * hostlimit_connected makes it ANSWERING.  A refused or failed connect
 * (RST, unreachable) changes no state.  Counts never go below zero: a
 * report with nothing to undo (a connect started after -ENOMEM) changes
 * only the state.
 *
 * Waiters queue per prefix in FIFO order, in records the caller owns (no
 * allocation per target).  A target arriving while its prefix has waiters
 * waits too, so nobody is overtaken.  After hostlimit_done or
 * hostlimit_silent for an address, the caller calls hostlimit_next for the
 * same address until it returns NULL and starts each waiter it returns.
 *
 * The table: a prefix entry lives while it has connects, sessions or
 * waiters ("active"), and after that keeps its state (SILENT or ANSWERING)
 * as an idle entry until the table needs room: then the oldest idle entry
 * (the one idle longest) is forgotten and its prefix is UNKNOWN again.  An
 * entry idle in state UNKNOWN holds nothing worth keeping and is dropped at
 * once.  Memory is fixed at creation: max_prefixes entries (56 bytes each
 * on 64-bit) and a hash index (4 to 8 bytes per entry).  The table is full
 * only when max_prefixes prefixes are active at once, which cannot happen
 * when max_prefixes is at least the caller's connect concurrency (every
 * active prefix holds at least one connect or session: a waiter waits only
 * behind one).
 *
 * Every call is O(1) on average (hash lookup); none allocates.
 */
#ifndef PTRAUDIT_HOSTLIMIT_H
#define PTRAUDIT_HOSTLIMIT_H

#include <stddef.h>

#include "addr.h"

/* Prefix lengths grouping addresses onto one server operator. */
#define HOSTLIMIT_PREFIX4 24
#define HOSTLIMIT_PREFIX6 64

/* The largest max_prefixes accepted (entries are indexed by 32 bits). */
#define HOSTLIMIT_MAX_PREFIXES 0x7fffffffu

struct hostlimit_waiter { struct hostlimit_waiter *next; struct addr addr; }; /* embedded by the caller in its own per-target record */

struct hostlimit;

/* A table allowing `limit` (>= 1) sessions per prefix, remembering up to
 * max_prefixes (1..HOSTLIMIT_MAX_PREFIXES) prefixes.  Returns 0, -EINVAL
 * (*out untouched) or -ENOMEM.  Allocates the table once: O(max_prefixes). */
int hostlimit_new(struct hostlimit **out, unsigned limit, size_t max_prefixes);

/* Free h (NULL is fine).  Waiters still held are the caller's records and
 * are left alone.  O(1). */
void hostlimit_free(struct hostlimit *h);

/* May a connect to a start now?  1: yes, and it is counted as connecting;
 * 0: it must wait (call hostlimit_wait next, with no call in between);
 * -ENOMEM: the table is full of active prefixes (the caller may start
 * anyway; that connect is not counted, and later calls for it are ignored
 * while its prefix has no entry); -EINVAL: a's family is neither 4 nor 6.
 * O(1) average. */
int hostlimit_try_start(struct hostlimit *h, const struct addr *a);

/* Queue w (w->addr set by the caller) behind its prefix, FIFO.  Meant to
 * follow a try_start that returned 0 for the same prefix.  If that
 * contract is broken and the prefix cannot get an entry, w is not lost: the
 * next hostlimit_next call, for any address, returns it (uncounted).
 * O(1) average. */
void hostlimit_wait(struct hostlimit *h, struct hostlimit_waiter *w); /* FIFO per prefix; w->addr set by the caller */

/* The server accepted (SYN-ACK): connecting -> established; the prefix is
 * now ANSWERING.  O(1) average. */
void hostlimit_connected(struct hostlimit *h, const struct addr *a);

/* A connect timed out with no answer at all: connecting--, the prefix is
 * now SILENT.  O(1) average. */
void hostlimit_silent(struct hostlimit *h, const struct addr *a);

/* A connect was refused or failed (was_established 0: connecting--) or a
 * session ended (1: established--).  O(1) average. */
void hostlimit_done(struct hostlimit *h, const struct addr *a, int was_established);

/* A waiter of a's prefix that may start now, already counted as
 * connecting, or NULL.  Call after hostlimit_done/silent until NULL.
 * O(1) average. */
struct hostlimit_waiter *hostlimit_next(struct hostlimit *h, const struct addr *a);

/* Waiters held, all prefixes.  O(1). */
size_t hostlimit_waiting(const struct hostlimit *h);

/* Prefixes with an entry (active or idle), for statistics and tests.
 * O(1). */
size_t hostlimit_prefixes(const struct hostlimit *h);

#endif
