/* SPDX-License-Identifier: MIT */
/*
 * dnsreply.h - parse one DNS reply packet for a question we asked.
 * Pure: no I/O, no allocation, no global state; every read is bounds
 * checked, so any byte string is a valid input (fit for a fuzz target).
 * The caller gives fixed storage for what is kept.
 *
 * Status (enum dns_status from status.h), decided in this order:
 *   shorter than a header, or not a response (QR=0)   DNS_BADRESP
 *   rcode NXDOMAIN / SERVFAIL / REFUSED                DNS_NXDOMAIN /
 *                                                      DNS_SERVFAIL / DNS_REFUSED
 *   any other nonzero rcode                            DNS_BADRESP
 *   question section missing, not exactly our question
 *   (name case-insensitively, type, class IN), or a
 *   malformed answer section                           DNS_BADRESP
 *   CNAME loop or a chain of more than DNSREPLY_MAX_CNAME
 *   hops                                               DNS_BADRESP
 *   records of the asked type for qname or a name on
 *   its CNAME chain                                    DNS_OK
 *   otherwise (NOERROR, nothing of that type)          DNS_NODATA
 * The rcode is taken from the header alone: NXDOMAIN at the end of a
 * CNAME chain is still NXDOMAIN (RFC 6604), and a SERVFAIL packet is
 * SERVFAIL even if the rest of it is garbage.  The TC bit is ignored:
 * c-ares has already retried over TCP, so what arrives is the best answer
 * there is; a packet cut short fails the bounds checks instead.  Authority
 * and additional sections are not read.
 *
 * Names are decoded here, not with ares_expand_name: that allocates, and
 * it returns presentation form with \DDD for unprintable bytes and \. \"
 * \\ etc. for reserved ones (verified on 1.18.1, which also rejects
 * pointer loops), so raw bytes would have to be unescaped again; releases
 * differ in what they escape.  Our decoder bounds compression-pointer jumps
 * (DNSREPLY_MAX_JUMPS) and the decoded length (DNSREPLY_WIRE_MAX), so a
 * pointer loop ends in DNS_BADRESP.
 */
#ifndef PTRAUDIT_DNSREPLY_H
#define PTRAUDIT_DNSREPLY_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "status.h"

/* RR types we ask for or follow (RFC 1035, RFC 3596). */
#define DNSREPLY_T_A 1
#define DNSREPLY_T_CNAME 5
#define DNSREPLY_T_PTR 12
#define DNSREPLY_T_AAAA 28
#define DNSREPLY_T_MX 15
#define DNSREPLY_T_TXT 16

#define DNSREPLY_MAX_CNAME 8    /* CNAME hops followed from qname */
#define DNSREPLY_MAX_JUMPS 128  /* compression pointers followed per name */
#define DNSREPLY_WIRE_MAX 1024  /* decoded wire length of one name; longer
                                   is malformed.  RFC 1035 allows 255, but a
                                   longer PTR target is kept (flagged odd). */
/* Storage for one kept name (an arena slot): its length in two bytes,
 * then the name's bytes, then a NUL.  names[i] points at the name bytes. */
#define DNSREPLY_NAME_SIZE (2 + RESULT_NAME_MAX + 1)

/*
 * PTR names.  Each name is stored byte-exact with its length: labels
 * joined by '.', no trailing dot, ASCII letters lowercased, every other
 * byte as received -- NUL included -- so the length, not a terminator,
 * says where a name ends.  A NUL follows each name in the arena (so a name
 * without NUL bytes is also a C string), but code that must see the whole
 * name uses the length.  Only the report's cell escaper (cell.h) decides
 * how a byte is shown.  The root name is stored as ".".
 *
 * A name is "odd" (counted in `odd`, still kept) if it has a byte outside
 * printable ASCII (<= 0x20 or >= 0x7f, so space and NUL too), a comma, a
 * quote (") or ('), a backslash, a '.' inside a label, is the root, or is
 * longer than 253 octets in this form.  A form longer than
 * RESULT_NAME_MAX (255) is stored cut to 252 bytes followed by "..." -- a
 * legal name never contains "..", so the cut is visible and
 * dnsreply_name_is_odd() recognises it.
 *
 * Kept names are the `max` smallest distinct names in byte order (memcmp,
 * a shorter name before a longer one it is a prefix of), sorted; distinct
 * means different bytes or lengths.  `total` counts distinct names.  When
 * more than `max` names arrive, a duplicate of a name that was not kept
 * cannot be recognised, so `total` may count it twice; RRsets have no
 * duplicates (RFC 2181 section 5), so only a broken server sees the
 * difference.  Two names cut to the same 252 bytes are one name here.
 */
struct dnsreply_names {
  /* Caller's storage, set with dnsreply_names_init(). */
  const char **names; /* max slots; names[i] points into arena */
  char *arena;        /* max * DNSREPLY_NAME_SIZE bytes */
  size_t *lens;       /* optional, set after init: max slots, lens[i] is
                         the length of names[i] (NULL: not filled) */
  size_t max;
  /* Results. */
  size_t n;     /* names stored in names[0..n), lens[0..n), sorted, <= max */
  size_t total; /* distinct names found (may exceed n) */
  size_t odd;   /* of `total`, names flagged odd */
  size_t records; /* records of the asked type found, duplicates counted
                     (RFC 7208 section 4.6.4 limits MX records, not names) */
  int cname;    /* qname was a CNAME (e.g. RFC 2317 delegation) */
  int dangling; /* the chain ended at a CNAME target the reply had no
                   records for (a non-recursive server did not chase it) */
};

/* Forward addresses: `family` 4 (A) or 6 (AAAA); sorted by bytes,
 * deduplicated, the `max` smallest kept, `total` counted as for names.
 * Membership is decided on every record, not on the kept ones: set `want`
 * (after dnsreply_addrs_init) to the address to look for, and `want_seen`
 * says whether any A/AAAA record of the answer (for qname or its CNAME
 * chain) holds it -- also when it sorts above the `max` kept.  RFC 8601
 * section 3 iprev asks whether the address is in the RRset. */
struct dnsreply_addrs {
  struct addr *addrs; /* caller's storage, max entries */
  size_t max;
  const struct addr *want; /* optional: the address to look for (NULL: none) */
  int want_prefix;         /* -1 (set by init): `want` itself; 0..32/128:
                              any address in want's network of that many
                              leading bits (RFC 7208 CIDR lengths) */
  size_t n, total;
  int want_seen; /* `want` is in the RRset (0 unless DNS_OK) */
  int cname;     /* qname was an alias: a CNAME was followed */
  int dangling;  /* as above */
};

/* Point `o` at caller storage: names[max], arena[max * DNSREPLY_NAME_SIZE].
 * Clears the results and `lens`; set o->lens after it to get the lengths
 * (needed for any name that may hold a NUL byte). */
void dnsreply_names_init(struct dnsreply_names *o, const char **names,
                         char *arena, size_t max);
/* Point `o` at addrs[max]; clears the results and `want`, sets
 * want_prefix to -1. */
void dnsreply_addrs_init(struct dnsreply_addrs *o, struct addr *addrs,
                         size_t max);

/*
 * Parse the reply (abuf, alen) to the PTR query for `qname`: raw bytes,
 * '.' between labels, no escapes (the form names are stored in and
 * resolver_query sends), with or without a trailing dot.
 * Follows CNAMEs from qname (RFC 2317 labels may contain '/' or '-') and
 * collects the targets of PTR records owned by any name on the chain.
 * Returns an enum dns_status; results in `out` are set for every status
 * (n == 0 unless DNS_OK).  A qname that is not a valid name gives
 * DNS_ERROR.  Cost: O(answers x (chain + max)) name comparisons.
 */
int dnsreply_ptr(const unsigned char *abuf, int alen, const char *qname,
                 struct dnsreply_names *out);

/* As dnsreply_ptr for the A (family 4) or AAAA (family 6) query for
 * `qname`.  An A/AAAA record with the wrong RDATA length makes the reply
 * DNS_BADRESP.  family other than 4/6 gives DNS_ERROR. */
int dnsreply_addrs(const unsigned char *abuf, int alen, const char *qname,
                   int family, struct dnsreply_addrs *out);

/* As dnsreply_ptr for the MX query for `qname`: the exchange names of
 * the MX records (preference ignored) in `out`, stored, sorted and counted
 * exactly as PTR names; `out->records` counts MX records, duplicates
 * included.  An exchange that is the root (RFC 7505 null MX) is stored as
 * ".".  A record whose RDATA is not a preference and a name is DNS_BADRESP. */
int dnsreply_mx(const unsigned char *abuf, int alen, const char *qname,
                struct dnsreply_names *out);

/* Called by dnsreply_txt for each TXT record: its RDATA, a sequence of
 * <character-string>s, already checked to be well formed.  Join them with
 * dnsreply_txt_join.  Return 0 to go on, nonzero to stop early. */
typedef int (*dnsreply_txt_cb)(void *arg, const unsigned char *rdata, size_t rdlen);

/* Parse the reply to the TXT query for `qname` (CNAMEs followed as for
 * PTR) and call `cb` for each TXT record owned by a name on the chain, in
 * answer order -- only once the whole answer is known to be well formed, so
 * a malformed packet (DNS_BADRESP) calls nothing.  Returns the status:
 * DNS_OK when there was at least one TXT record, DNS_NODATA for none.
 * Cost: O(answers x chain) name comparisons plus the RDATA. */
int dnsreply_txt(const unsigned char *abuf, int alen, const char *qname, dnsreply_txt_cb cb,
                 void *arg);

/* The character-strings of one TXT RDATA joined with nothing between them
 * (RFC 7208 section 3.3) into out[cap] (cap >= 1), cut to cap - 1 bytes and
 * NUL-terminated; bytes are copied as they are, NUL included.  Returns the
 * full joined length (as snprintf does: >= cap means it was cut).  RDATA
 * that dnsreply_txt passed is well formed; a string running past rdlen is
 * cut there.  O(rdlen). */
size_t dnsreply_txt_join(const unsigned char *rdata, size_t rdlen, char *out, size_t cap);

/* 1 if a stored name of `len` bytes (as dnsreply_ptr writes it) is odd by
 * the rules above, except '.' inside a label, which only the parser can
 * see.  O(len). */
int dnsreply_name_is_odd(const char *name, size_t len);

/*
 * TTLs of a reply, for the run's answer cache (dnscache.h).  Reads the
 * header, skips the question(s), and frames every answer and authority
 * record (additional records are not read).
 *   answers/answer_min: records in the answer section and their lowest
 *     TTL -- every record, a CNAME on the chain too, since the answer is
 *     only as fresh as its shortest-lived part (0 when none);
 *   soa/negative: an SOA in the authority section, and the TTL of a
 *     negative answer (NXDOMAIN, NODATA) from it: the lower of the SOA
 *     record's own TTL and its MINIMUM field (RFC 2308 section 5); the
 *     first SOA counts.  Without an SOA a negative answer should not be
 *     cached (RFC 2308 section 5), so negative is 0.
 * A TTL with the top bit set counts as 0 (RFC 2181 section 8).
 * Returns 0, or -EBADMSG when the packet is shorter than a header or a
 * record runs off it (nothing filled in but zeros).  Bounds checked like
 * the parsers above; pure.  O(records).
 */
#define DNSREPLY_T_SOA 6
struct dnsreply_ttl {
  unsigned answers;    /* records in the answer section */
  uint32_t answer_min; /* their lowest TTL, in seconds (0 when none) */
  int soa;             /* an SOA record was in the authority section */
  uint32_t negative;   /* min(SOA TTL, SOA MINIMUM), seconds; 0 without SOA */
};
int dnsreply_ttl(const unsigned char *abuf, int alen, struct dnsreply_ttl *out);

#endif
