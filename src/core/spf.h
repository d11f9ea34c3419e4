/* SPDX-License-Identifier: MIT */
/*
 * spf.h - the SPF check_host() function of RFC 7208, driven from outside
 * by DNS answers.  Pure: no I/O, no clock reads after spf_new, one
 * allocation per evaluation (sizeof(struct spf), about 16 KiB, whatever the
 * records hold).  The caller does the DNS, so it can run many evaluations at
 * once on one resolver and answer repeated questions from a cache:
 *
 *     struct spf *e;
 *     spf_new(&e, &ip, sender, helo, err, sizeof err);
 *     while (!spf_done(e)) {
 *       struct spf_query q[SPF_QUERIES_MAX];
 *       size_t n = spf_pending(e, q, SPF_QUERIES_MAX);   // new questions
 *       for (i < n) send q[i] (name, type); later, for each reply:
 *         spf_answer(e, q[i].id, status, abuf, alen);    // any order
 *       // if n == 0 and not done, wait for answers already asked
 *     }
 *     r = spf_result(e, detail, sizeof detail);
 *     spf_free(e);
 *
 * Every question spf_pending returns must get exactly one spf_answer
 * (a reply packet, or a status alone for a timeout or local failure);
 * answers to questions the evaluation no longer needs (the rest of an mx
 * host list once one matched) are ignored, so they may also be dropped by
 * the caller after spf_done.
 *
 * What it implements (RFC 7208):
 *  - identity (2.3, 4.3): sender "local@domain" or a bare domain
 *    (local-part "postmaster"), an empty local-part is "postmaster"; an
 *    empty sender uses the HELO name as postmaster@helo.  A malformed or
 *    single-label domain is "none" at once.
 *  - record selection (4.5): exactly one TXT record starting "v=spf1" (any
 *    case) then SP or end; several strings of one record are joined; two
 *    or more -> permerror; none, NXDOMAIN or NODATA -> none.  Type SPF
 *    (99) is never asked.
 *  - every term is checked before any is evaluated (4.6): a syntax error
 *    anywhere -> permerror; redirect or exp twice -> permerror; unknown
 *    modifiers ignored (their value must still be a macro-string).
 *  - mechanisms all, include, a, mx, ptr, ip4, ip6, exists with dual CIDR
 *    lengths (5); include maps pass -> match, fail/softfail/neutral -> no
 *    match, temperror -> temperror, permerror and none -> permerror (5.2);
 *    redirect (6.1) when nothing matched and there is no "all"; its target
 *    without a record -> permerror.
 *  - an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is evaluated as IPv4 (5).
 *  - limits (4.6.4): more than SPF_LOOKUP_MAX terms that query DNS
 *    (include a mx ptr exists redirect) -> permerror; more than
 *    SPF_VOID_MAX void lookups (NXDOMAIN or no records) by a mx ptr exists
 *    terms -> permerror; more than SPF_MX_MAX MX records -> permerror;
 *    only the first SPF_PTR_MAX PTR names are used (the smallest in byte
 *    order: DNS has no record order).
 *  - ptr and %{p} use validated names (5.5): PTR names whose A/AAAA holds
 *    the client address; a failed A/AAAA lookup skips that name; a failed
 *    PTR lookup is no match (ptr) or "unknown" (%{p}).
 *  - DNS errors (SERVFAIL, REFUSED, timeout, malformed reply, local
 *    failure) -> temperror, except where 5.5 and 6.2 say otherwise.  For
 *    the addresses of an MX host list, looked up in parallel, a match wins
 *    over an error on another host, so the result does not depend on the
 *    order answers arrive in.
 *  - macros (7) through spfmacro.h; expansions to a name that cannot be
 *    asked (an empty or over-long label) are no match.
 *  - exp (6.2) on a final fail: the TXT of the expanded domain-spec, which
 *    must be exactly one record of valid explanation-string in US-ASCII,
 *    macro-expanded with c r t; anything else gives no explanation (the
 *    result stays fail).  The exp of the record that gave the fail is used
 *    (a redirect's target's, never an include's).
 *  - loop guard: the lookup limit ends include and redirect loops; the
 *    nesting is also capped at SPF_DEPTH_MAX.
 * Fixed caps that RFC 7208 leaves open: the records of all nested frames
 * share SPF_TEXT_MAX bytes, an explanation SPF_EXP_MAX; beyond them the
 * result is permerror (records) or no explanation.
 */
#ifndef PTRAUDIT_SPF_H
#define PTRAUDIT_SPF_H

#include <stddef.h>
#include "addr.h"

#define SPF_LOOKUP_MAX 10  /* DNS-querying terms per evaluation (4.6.4) */
#define SPF_VOID_MAX 2     /* void lookups allowed (4.6.4) */
#define SPF_MX_MAX 10      /* MX records per mx term (4.6.4) */
#define SPF_PTR_MAX 10     /* PTR names looked at (4.6.4) */
#define SPF_DEPTH_MAX 12   /* nested include frames, the top one included */
#define SPF_TEXT_MAX 6144  /* bytes for the domains and records of all frames */
#define SPF_EXP_MAX 512    /* explanation text, before and after expansion */
#define SPF_NAME_MAX 255   /* longest name asked */
#define SPF_SENDER_MAX 320 /* longest sender accepted (64 + 1 + 255) */
#define SPF_QUERIES_MAX 11 /* most questions pending at once */
#define SPF_DETAIL_MAX 512 /* detail text */

/* RR types asked (the RFC 1035 numbers, for resolver_query). */
#define SPF_Q_A 1
#define SPF_Q_PTR 12
#define SPF_Q_MX 15
#define SPF_Q_TXT 16
#define SPF_Q_AAAA 28

/* The results of section 2.6. */
enum spf_result {
  SPF_RESULT_NONE = 0,
  SPF_RESULT_NEUTRAL,
  SPF_RESULT_PASS,
  SPF_RESULT_FAIL,
  SPF_RESULT_SOFTFAIL,
  SPF_RESULT_TEMPERROR,
  SPF_RESULT_PERMERROR
};
#define SPF_RESULT_COUNT 7

struct spf;

/* One DNS question. */
struct spf_query {
  unsigned id; /* give it back to spf_answer */
  int type;    /* SPF_Q_* */
  char name[SPF_NAME_MAX + 1]; /* raw bytes, '.' between labels, no trailing dot */
};

/*
 * Start check_host(ip, domain, sender) for `sender` ("local@domain", a bare
 * "domain", or NULL/"" for the HELO identity) and `helo` (may be NULL when
 * the sender is given; it is also %{h}).  The first questions are ready for
 * spf_pending at once; a malformed identity makes the evaluation done with
 * "none".  Returns 0, -EINVAL (no address; detail in err) or -ENOMEM.
 * Cost: one allocation of sizeof(struct spf).
 */
int spf_new(struct spf **out, const struct addr *ip, const char *sender, const char *helo,
            char *err, size_t errlen);

/* Optional, before the first spf_answer: the receiving host's name for
 * %{r} (default "unknown") and the time for %{t} (default: time() at
 * spf_new).  O(length). */
void spf_set_context(struct spf *e, const char *receiver, long long now);

/* Free an evaluation (NULL is fine).  O(1). */
void spf_free(struct spf *e);

/* Copy up to `max` new questions into q[] and mark them asked; returns how
 * many.  0 means nothing new: either done, or waiting for answers to
 * questions already returned.  O(SPF_QUERIES_MAX). */
size_t spf_pending(struct spf *e, struct spf_query *q, size_t max);

/*
 * The reply to question `id`.  abuf/alen: the raw reply packet, parsed
 * here with dnsreply.h (its rcode and records decide: NXDOMAIN, NODATA, a
 * CNAME chain followed), or NULL/0 when there is none -- then `status`
 * (enum dns_status, status.h) says what happened: DNS_TIMEOUT, DNS_ERROR,
 * DNS_SERVFAIL, ... (DNS_NXDOMAIN and DNS_NODATA are honoured too, for a
 * cache that keeps negative answers without the packet; DNS_OK without a
 * packet is a bad reply).  An unknown or stale id is ignored.  Runs the
 * evaluation as far as it can go without more answers.  Cost: parsing the
 * packet plus the terms evaluated.
 */
void spf_answer(struct spf *e, unsigned id, int status, const unsigned char *abuf, size_t alen);

/* 1 when the result is known.  O(1). */
int spf_done(const struct spf *e);

/*
 * The result (SPF_RESULT_TEMPERROR with "not finished" before spf_done).
 * detail[dlen] (if dlen > 0) gets: for pass, softfail, neutral and a fail
 * without explanation, the deciding term as written in the record
 * ("include:_spf.example.com", "ip4:192.0.2.0/24", "-all"), or "default"
 * when no term matched; for fail with an explanation (exp=), the
 * explanation; for none, permerror and temperror, the reason ("no SPF
 * record", "too many DNS lookups", "void lookup limit", "syntax error at
 * ...", "DNS timeout for TXT example.com", ...).  Record text is copied as
 * it is (any byte but NUL): escape it before showing it.  O(dlen).
 */
enum spf_result spf_result(const struct spf *e, char *detail, size_t dlen);

/* The explanation of a fail (exp=, expanded), or NULL when there is none.
 * O(1). */
const char *spf_explanation(const struct spf *e);

/* DNS-querying terms counted and void lookups so far (for reports and
 * tests).  O(1). */
void spf_counts(const struct spf *e, unsigned *lookups, unsigned *voids);

/* "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"
 * (the names of section 2.6); NULL for a value out of range.  O(1). */
const char *spf_result_name(enum spf_result r);

/* The result for a name (case-insensitive); -1 if unknown.  O(1). */
int spf_result_parse(const char *name);

#endif
