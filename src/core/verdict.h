/*
 * verdict.h - the audit rules: what one target's probe results mean.
 * Pure: no I/O, no allocation.  The pipeline fills a `struct result`,
 * verdict_compute() derives iprev, flags and verdict from it.
 *
 * Rules (RFC 8601 section 3 "iprev", RFC 1912 section 2.1):
 *   iprev pass       the target is in the forward RRset of some checked PTR
 *                    name (forward.target_seen, or one of the kept addrs)
 *   iprev temperror  the PTR lookup failed temporarily (servfail, refused,
 *                    timeout, badresp, error), or no name matched and at
 *                    least one forward lookup failed temporarily
 *   iprev permerror  no PTR: nxdomain or nodata
 *   iprev fail       PTR names came back, every forward lookup completed,
 *                    and none matched (including names with no A/AAAA)
 */
#ifndef PTRAUDIT_VERDICT_H
#define PTRAUDIT_VERDICT_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"

#define RESULT_MAX_PTR 16     /* PTR names kept per target */
#define RESULT_MAX_FORWARD 10 /* PTR names forward-confirmed */
#define RESULT_MAX_ADDRS 32   /* forward addresses kept per name */
#define RESULT_NAME_MAX 255   /* presentation-form name cap (RFC 1035: 253) */

/* Outcome of one DNS lookup.  DNS_SERVFAIL .. DNS_ERROR are temporary
 * (never "no record"); DNS_NOT_RUN is not an outcome at all.  Use
 * dns_status_is_temporary() rather than comparing with DNS_SERVFAIL. */
enum dns_status {
  DNS_OK = 0,    /* answer with records of the asked type */
  DNS_NXDOMAIN,  /* rcode 3 */
  DNS_NODATA,    /* NOERROR but no record of the asked type */
  DNS_SERVFAIL,  /* rcode 2 */
  DNS_REFUSED,   /* rcode 5 */
  DNS_TIMEOUT,   /* no usable answer within tries x timeout */
  DNS_BADRESP,   /* malformed or unusable answer (incl. other rcodes) */
  DNS_ERROR,     /* local failure (no memory, no sockets, ...) */
  DNS_NOT_RUN    /* not looked up (e.g. beyond RESULT_MAX_FORWARD) */
};

enum smtp_status {
  SMTP_SKIPPED = 0, /* --no-smtp, or invalid/skipped target */
  SMTP_BANNER,      /* a complete greeting was read */
  SMTP_REFUSED,     /* connection refused */
  SMTP_TIMEOUT,     /* connect + greeting exceeded --smtp-timeout */
  SMTP_CLOSED,      /* peer closed before the greeting's final line */
  SMTP_RESET,       /* connection reset */
  SMTP_ERROR        /* anything else: unreachable, oversized or malformed greeting */
};

enum iprev { IPREV_NONE = 0, IPREV_PASS, IPREV_FAIL, IPREV_PERMERROR, IPREV_TEMPERROR };

enum verdict { VERDICT_OK = 0, VERDICT_WARN, VERDICT_UNKNOWN, VERDICT_FAIL,
               VERDICT_INVALID, VERDICT_SKIPPED };

/* Flags, in report order.  F_NO_SMTP and F_PTR_TRUNCATED are informational. */
enum {
  F_NO_PTR          = 1u << 0,
  F_PTR_TEMPERROR   = 1u << 1,
  F_MULTI_PTR       = 1u << 2,
  F_PTR_CNAME       = 1u << 3,
  F_PTR_NO_FORWARD  = 1u << 4,
  F_FCRDNS_MISMATCH = 1u << 5,
  F_GENERIC_PTR     = 1u << 6,
  F_NO_SMTP         = 1u << 7,
  F_SMTP_REJECT     = 1u << 8,
  F_BANNER_MISMATCH = 1u << 9,
  F_BANNER_NOT_FQDN = 1u << 10,
  F_EXPECTED_MISMATCH = 1u << 11,
  F_PTR_TRUNCATED   = 1u << 12 /* more than RESULT_MAX_PTR names, or more than
                                  RESULT_MAX_FORWARD forward-confirmed */
};
#define F_COUNT 13

struct forward {
  const char *name;         /* the PTR name this is for (points into result) */
  enum dns_status status;
  int cname;                /* the name is an alias (CNAME followed) */
  int target_seen;          /* the target is in this name's A/AAAA RRset: decided
                               on every record received (dnsreply_addrs `want`),
                               not only on the RESULT_MAX_ADDRS kept in addrs */
  size_t naddr;             /* addresses kept (shown in the report) */
  struct addr addrs[RESULT_MAX_ADDRS]; /* the lowest naddr, sorted */
};

struct result {
  struct addr addr;             /* the target */
  enum dns_status ptr_status;
  size_t nptr;                  /* names kept, <= RESULT_MAX_PTR */
  size_t ptr_total;             /* names in the answer (may exceed nptr) */
  const char *ptr[RESULT_MAX_PTR]; /* lowercase, no trailing dot, sorted by bytes;
                                      byte-exact: may hold NUL bytes, so
                                      ptr_len[i] is its length (dnsreply.h) */
  size_t ptr_len[RESULT_MAX_PTR];  /* length of ptr[i] in bytes */
  struct forward fwd[RESULT_MAX_FORWARD]; /* fwd[i] is for ptr[i], i < min(nptr, MAX_FORWARD) */
  enum smtp_status smtp_status;
  int smtp_code;                /* 0 if none */
  const char *banner_host;      /* lowercased, "" if none */
  const char *expected;         /* hostname or "*.domain"; NULL/"" if none */
};

/* Derived fields. */
struct judgement {
  enum iprev iprev;
  uint32_t flags;
  enum verdict verdict;
};

/* Apply the rules above to `r`.  O(names x addresses).  Details the rules
 * above leave open (verdict.c has the full list):
 *   - a checked name whose forward status is DNS_NOT_RUN counts as a
 *     temporary failure (undecided), not as "no address";
 *   - ptr_status DNS_OK with no name at all (nptr == ptr_total == 0) is
 *     treated as NODATA: permerror, NO_PTR; names in the answer that were
 *     all dropped (nptr == 0 < ptr_total) give fail, PTR_NO_FORWARD;
 *   - ptr_status DNS_NOT_RUN gives iprev IPREV_NONE (the pipeline sets
 *     verdict invalid/skipped itself; this function never does);
 *   - NO_PTR is set exactly when iprev is permerror, PTR_TEMPERROR exactly
 *     when it is temperror, PTR_NO_FORWARD / FCRDNS_MISMATCH only when it
 *     is fail (no checked name has an address / some has, none matches);
 *   - NULL banner_host, expected or ptr[i] are read as "";
 *   - a checked name with a NUL byte in its ptr_len bytes counts as having
 *     no forward address, whatever fwd[i] holds (it cannot be looked up
 *     by its text). */
void verdict_compute(const struct result *r, struct judgement *j);

/* 1 for DNS_SERVFAIL, DNS_REFUSED, DNS_TIMEOUT, DNS_BADRESP, DNS_ERROR. */
int dns_status_is_temporary(enum dns_status s);

/* 1 if `name` looks dynamic/generic for address `a`: the address embedded
 * in it (dotted, dashed, hex or decimal forms), or a token such as dyn,
 * dynamic, dhcp, dsl, adsl, cable, pool, ppp, dial, client, cpe, broadband;
 * a name with a static, mail, mx, smtp, mta, relay, out or outbound token
 * is not generic.  `a` may be NULL (tokens only).  The exact rule is in
 * verdict.c.  O(length of name). */
int verdict_name_is_generic(const char *name, const struct addr *a);

/* 1 if `name` satisfies `expected` (case-insensitive, a trailing dot
 * ignored; "*.example.com" means any name strictly under example.com, not
 * example.com itself).  1 if `expected` is NULL or "" (nothing expected). */
int verdict_expected_match(const char *name, const char *expected);

/* 1 if `host` is usable as an FQDN in a greeting: has a dot, is not
 * "localhost"/"localhost.localdomain", not an address or [address] literal
 * (nor anything with ':', an empty label, or an all-digit last label).
 * One trailing dot is ignored.  NULL or "" -> 0. */
int verdict_host_is_fqdn(const char *host);

/* Text forms used in the report.  Never NULL: "?" for a value out of
 * range; "" for IPREV_NONE and DNS_NOT_RUN (an empty cell). */
const char *verdict_name(enum verdict v);
const char *iprev_name(enum iprev i);
const char *dns_status_name(enum dns_status s); /* "ok", "nxdomain", ... */
const char *smtp_status_name(enum smtp_status s);
const char *flag_name(unsigned bit_index);      /* 0 .. F_COUNT-1 */

/* Write the space-separated flag names of `flags` into buf; returns length
 * (truncated to size-1 if needed). */
size_t verdict_flags_format(uint32_t flags, char *buf, size_t size);

#endif
