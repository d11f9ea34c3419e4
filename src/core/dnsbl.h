/* SPDX-License-Identifier: MIT */
/*
 * dnsbl.h - DNS blocklists (RFC 5782): the name to ask, what an answer
 * means, the report cell's text and its inverse, when to stop asking a
 * list, and the --dnsbl / --dnsbl-file list of lists.  Pure: no I/O; only
 * dnsbl_health_new allocates.
 *
 * The query (RFC 5782 section 2.1, 2.4): the A record of
 *   IPv4 192.0.2.99            -> 99.2.0.192.ZONE
 *   IPv6 2001:db8::1           -> 1.0.0.0. ... .8.b.d.0.1.0.0.2.ZONE
 *                                 (32 nibbles, lowest first, lower case)
 *   IPv4-mapped ::ffff:a.b.c.d -> d.c.b.a.ZONE: mail from such an address
 *                                 comes from the IPv4 host, and IPv4 lists
 *                                 are the ones that list it; its nibble
 *                                 name would never be listed anywhere.
 *
 * What an answer means (dnsbl_classify), in this order:
 *   no usable packet: timeout, SERVFAIL, REFUSED, a bad reply, our own
 *     failure                               ERROR (LOOKUP), the status name
 *   NXDOMAIN                                NOT_LISTED
 *   NODATA (the name exists, no A record)   NOT_LISTED: the A record is
 *     the listing (RFC 5782 section 2.1); a name with only a TXT is not
 *     one.  Our queries are always full depth, so this is not an empty
 *     non-terminal of a nibble zone either.
 *   any A outside 127.0.0.0/8               ERROR (INVALID), "invalid:ADDR":
 *     a list answers in 127/8 only; anything else is a resolver rewriting
 *     NXDOMAIN, a wildcard, or a list that was shut down
 *   any A in 127.255.255.0/24               ERROR (CODE), the code, e.g.
 *     "127.255.255.254": the list's error codes (Spamhaus: .252 typing
 *     error in the zone name, .254 query via a public/open resolver, .255
 *     excessive queries) say the answer is unknown, never a listing
 *   an A of 127.0.0.1                       ERROR (INVALID),
 *     "invalid:127.0.0.1": RFC 5782 section 5 says lists must not list
 *     127.0.0.1 (it is the "test point" that must be absent), so a list
 *     answering it is broken or answers everything
 *   otherwise (every A in 127/8)            LISTED, with the return codes
 * Errors are never "not listed".
 *
 * The report cell `dnsbl` (dnsbl_cell_format, one owner of the syntax):
 *   cell   = "" | entry *( ";" entry )
 *   entry  = label "=" codes             ; the list listed the address
 *          | label "=error:" reason      ; its answer is unknown
 *   codes  = ipv4 *( "," ipv4 )          ; ascending, distinct; "+" after
 *                                        ; the last when more were returned
 *   reason = "127.255.255.N" | "invalid:" ipv4 | "invalid:records"
 *          | "timeout" | "servfail" | "refused" | "badresp" | "error"
 *          | "stopped"                   ; not asked: the list was stopped
 * in the order the lists were given.  A list that did not list the
 * address does not appear: an empty cell means "listed nowhere" (or no
 * list asked).  Labels never hold '=', ';', ',' or white space
 * (dnsbl_list_add refuses them).
 *   e.g.  zen.spamhaus.org=127.0.0.2,127.0.0.4;bl.example=error:127.255.255.254
 */
#ifndef PTRAUDIT_DNSBL_H
#define PTRAUDIT_DNSBL_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Longest zone: a query name is at most 253 octets, and an IPv6 query puts
 * 64 octets (32 nibbles and their dots) before the zone. */
#define DNSBL_ZONE_MAX 189
#define DNSBL_LABEL_MAX 63     /* a label is shown in every row: keep it short */
#define DNSBL_MAX_LISTS 32     /* lists per run */
#define DNSBL_MAX_CODES 8      /* return codes kept per listing */
#define DNSBL_QNAME_MAX 254    /* a query name and its NUL */
#define DNSBL_REASON_MAX 32    /* an error reason and its NUL */

enum dnsbl_result { DNSBL_NOT_LISTED = 0, DNSBL_LISTED, DNSBL_ERROR };
enum dnsbl_error {
  DNSBL_E_NONE = 0,
  DNSBL_E_CODE,    /* the list's error code, 127.255.255.0/24 */
  DNSBL_E_INVALID, /* an answer a list must not give */
  DNSBL_E_LOOKUP,  /* no answer: timeout, SERVFAIL, REFUSED, bad reply, ours */
  DNSBL_E_STOPPED  /* not asked: dnsbl_health stopped the list */
};

struct dnsbl_outcome {
  enum dnsbl_result result;
  enum dnsbl_error error;         /* DNSBL_E_NONE unless ERROR */
  size_t ncodes;                  /* LISTED: codes kept, <= DNSBL_MAX_CODES */
  size_t total;                   /* LISTED: distinct codes in the answer */
  uint8_t codes[DNSBL_MAX_CODES][4]; /* LISTED: ascending; ERROR CODE/INVALID:
                                        codes[0] is the address in question */
  char reason[DNSBL_REASON_MAX];  /* ERROR: the reason as the cell shows it;
                                     "" otherwise */
};

/* The query name for `a` in `zone` (a trailing dot on zone is dropped, the
 * rest kept as given) into dst[size].  Returns the length, or -EINVAL (bad
 * family, empty zone) or -ENAMETOOLONG (does not fit in size, or longer
 * than 253 octets).  O(length). */
int dnsbl_qname(char *dst, size_t size, const struct addr *a, const char *zone);

/*
 * What the reply to the A query for `qname` says, by the rules above.
 * With a packet (abuf != NULL) the packet decides (parsed with
 * dnsreply_addrs); without one `status` does (an enum dns_status, e.g.
 * resolver_status()).  Always fills *out.  O(records).
 */
void dnsbl_classify(int status, const unsigned char *abuf, size_t alen, const char *qname,
                    struct dnsbl_outcome *out);

/* The outcome of a list that was not asked (stopped by dnsbl_health).
 * O(1). */
void dnsbl_outcome_stopped(struct dnsbl_outcome *out);

/* The `dnsbl` cell for n lists (labels[i] and outs[i]) into dst[size], by
 * the syntax above.  Returns the length, or -ENOSPC when it does not fit
 * (dst then holds "").  DNSBL_CELL_MAX(n) bytes always fit n lists.
 * O(output). */
#define DNSBL_CELL_MAX(n) (1 + (n) * (DNSBL_LABEL_MAX + DNSBL_MAX_CODES * 16 + 8))
int dnsbl_cell_format(char *dst, size_t size, const char *const *labels,
                      const struct dnsbl_outcome *outs, size_t n);

/* One entry of a parsed cell: pointers into the cell's text. */
struct dnsbl_cell_entry {
  const char *label;
  size_t label_len;
  int listed;        /* 1: value is the codes; 0: value is the error reason */
  const char *value; /* codes ("127.0.0.2,127.0.0.4") or reason ("timeout") */
  size_t value_len;
};

/* Parse a `dnsbl` cell (for summary and diff): up to max entries into
 * out, their number in *n.  Returns 0, -EINVAL (not this syntax: an empty
 * entry or label, no '=', empty codes or reason, a code that is not an
 * IPv4 address) or -E2BIG (more than max entries).  O(len). */
int dnsbl_cell_parse(const char *s, size_t len, struct dnsbl_cell_entry *out, size_t max,
                     size_t *n);

/*
 * Per-list health: a list answering mostly error codes (rate limits, "use
 * of a public resolver") gives nothing but DNSBL_ERROR rows; asking it on
 * only makes it angrier.  Outcomes are judged in windows of `window`
 * answers from the list (LISTED, NOT_LISTED, ERROR CODE, ERROR INVALID;
 * lookup errors and stopped outcomes are not the list's answers -- a
 * silent resolver is health.h's business).  A window where
 * bad x 100 > window x percent (bad = CODE + INVALID) stops the list:
 * dnsbl_health_note returns DNSBL_HEALTH_STOP once, and the list is
 * stopped for good (every later note returns DNSBL_HEALTH_STOPPED).
 * Defaults: 100 answers, 50 %: "more than half of 100".  Not fewer: the
 * rows of a scan reach the blocklist in bursts (the SMTP stage hands them
 * on as their sessions end, and neighbours often end together), and a
 * list's per-address answers (a 127.0.0.1 for a block, testnet's
 * scenario block) cluster with them; 20 answers were seen to stop a
 * healthy list whose overall share of such answers was 22 %.  A list that
 * refuses us answers every query so: it is still stopped after 100.
 */
#define DNSBL_HEALTH_WINDOW 100
#define DNSBL_HEALTH_PERCENT 50
enum dnsbl_health_action { DNSBL_HEALTH_CONTINUE, DNSBL_HEALTH_STOP, DNSBL_HEALTH_STOPPED };
struct dnsbl_health; /* opaque */
/* Returns 0, -EINVAL (window 0, percent above 99) or -ENOMEM.  One malloc. */
int dnsbl_health_new(struct dnsbl_health **out, unsigned window, unsigned percent);
void dnsbl_health_free(struct dnsbl_health *h);
/* Count one outcome of the list.  O(1). */
enum dnsbl_health_action dnsbl_health_note(struct dnsbl_health *h, const struct dnsbl_outcome *o);
/* 1 once stopped.  O(1). */
int dnsbl_health_stopped(const struct dnsbl_health *h);
/* The list's answers and bad answers counted so far (for the warning).
 * O(1). */
void dnsbl_health_counts(const struct dnsbl_health *h, uint64_t *answers, uint64_t *bad);

/* One list to ask: its zone (lowercased, no trailing dot) and the label
 * the cell shows (the zone unless one was given). */
struct dnsbl_list {
  char zone[DNSBL_ZONE_MAX + 1];
  char label[DNSBL_LABEL_MAX + 1];
};

/*
 * Add a list (--dnsbl ZONE, or a line of --dnsbl-file) to lists[max],
 * *n of them in use.  zone: a DNS name, labels of 1-63 letters, digits,
 * '-' or '_', at most DNSBL_ZONE_MAX octets, a trailing dot allowed.
 * label: NULL (the zone) or 1-DNSBL_LABEL_MAX bytes of letters, digits,
 * '.', '-', '_'.  Returns 0, -EINVAL (bad zone or label, or a zone or
 * label already in the list; message in err) or -E2BIG (max reached).
 * O(n).
 */
int dnsbl_list_add(struct dnsbl_list *lists, size_t max, size_t *n, const char *zone,
                   const char *label, char *err, size_t errlen);

/*
 * Parse a --dnsbl-file's text (len bytes; fname is only for messages):
 * one list a line, "ZONE [LABEL]" separated by spaces or tabs; '#' starts
 * a comment to the end of the line; blank lines are skipped; CRLF is
 * fine.  Lists are added with dnsbl_list_add.  Errors name the file, line
 * and field: "FILE:3: field 2 (label): ...".  A third field, or a NUL
 * byte, is an error.  Returns 0, -EINVAL or -E2BIG.  O(len x n).
 */
int dnsbl_file_parse(const char *text, size_t len, const char *fname, struct dnsbl_list *lists,
                     size_t max, size_t *n, char *err, size_t errlen);

#endif
