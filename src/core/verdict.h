/* SPDX-License-Identifier: MIT */
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
 *
 * SMTP rules (RFC 5321 section 4.2), only when smtp_status is SMTP_BANNER:
 *   SMTP_REJECT      smtp_code is 4xx or 5xx;
 *   BANNER_MISMATCH  smtp_code is 2xx, the target has PTR names, and the
 *                    banner host is none of them;
 *   BANNER_NOT_FQDN  smtp_code is 2xx and the banner host is not an FQDN
 *                    (verdict_host_is_fqdn).
 * A 4xx/5xx greeting is a rejection, not an identity claim: its text is
 * never judged as a host name (SMTP_REJECT alone covers it).
 *
 * Sender rules (only for the checks the run asked for):
 *   DNSBL_LISTED     some blocklist lists the target (RFC 5782);
 *   DNSBL_ERROR      some blocklist's answer is unknown (timeout, SERVFAIL,
 *                    a 127.255.255.x error code, an invalid answer);
 *   SPF_*            one flag for each RFC 7208 result but pass;
 *   DMARC_MISSING    no DMARC record at the domain nor its organisational
 *                    domain; DMARC_INVALID: a v=DMARC1 record without a valid
 *                    policy; DMARC_TEMPERROR: a lookup failed temporarily.
 * Their levels are in the flag table.
 */
#ifndef PTRAUDIT_VERDICT_H
#define PTRAUDIT_VERDICT_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "status.h"

#define RESULT_MAX_PTR 16     /* PTR names kept per target */
#define RESULT_MAX_FORWARD 10 /* PTR names forward-confirmed */
#define RESULT_MAX_ADDRS 32   /* forward addresses kept per name */

enum iprev { IPREV_NONE = 0, IPREV_PASS, IPREV_FAIL, IPREV_PERMERROR, IPREV_TEMPERROR };

enum verdict { VERDICT_OK = 0, VERDICT_WARN, VERDICT_UNKNOWN, VERDICT_FAIL,
               VERDICT_INVALID, VERDICT_SKIPPED };

/* Flags, in report order.  VERDICT_F_NO_SMTP and VERDICT_F_PTR_TRUNCATED are informational. */
enum {
  VERDICT_F_NO_PTR          = 1u << 0,
  VERDICT_F_PTR_TEMPERROR   = 1u << 1,
  VERDICT_F_MULTI_PTR       = 1u << 2,
  VERDICT_F_PTR_CNAME       = 1u << 3,
  VERDICT_F_PTR_NO_FORWARD  = 1u << 4,
  VERDICT_F_FCRDNS_MISMATCH = 1u << 5,
  VERDICT_F_GENERIC_PTR     = 1u << 6,
  VERDICT_F_NO_SMTP         = 1u << 7,
  VERDICT_F_SMTP_REJECT     = 1u << 8,
  VERDICT_F_BANNER_MISMATCH = 1u << 9,
  VERDICT_F_BANNER_NOT_FQDN = 1u << 10,
  VERDICT_F_EXPECTED_MISMATCH = 1u << 11,
  VERDICT_F_PTR_TRUNCATED   = 1u << 12, /* more than RESULT_MAX_PTR names, or more than
                                  RESULT_MAX_FORWARD forward-confirmed */
  /* sender checks (issue: sender readiness); set only when asked */
  VERDICT_F_DNSBL_LISTED    = 1u << 13,
  VERDICT_F_DNSBL_ERROR     = 1u << 14,
  VERDICT_F_SPF_FAIL        = 1u << 15,
  VERDICT_F_SPF_SOFTFAIL    = 1u << 16,
  VERDICT_F_SPF_NEUTRAL     = 1u << 17,
  VERDICT_F_SPF_NONE        = 1u << 18,
  VERDICT_F_SPF_PERMERROR   = 1u << 19,
  VERDICT_F_SPF_TEMPERROR   = 1u << 20,
  VERDICT_F_DMARC_MISSING   = 1u << 21,
  VERDICT_F_DMARC_INVALID   = 1u << 22,
  VERDICT_F_DMARC_TEMPERROR = 1u << 23
};
#define VERDICT_F_COUNT 24
#define VERDICT_COUNT (VERDICT_SKIPPED + 1)

/* The flag table (verdict.c): each flag's report name, its level -- the
 * verdict that flag alone leads to: VERDICT_FAIL, VERDICT_UNKNOWN,
 * VERDICT_WARN, or VERDICT_OK for the informational NO_SMTP and
 * PTR_TRUNCATED -- and what it means, in one line.  verdict_compute()
 * derives the verdict from these levels; diff, summary and the HTML page
 * read names and levels from here. */
struct verdict_flag {
  const char *name;    /* "NO_PTR", ... */
  enum verdict level;
  const char *meaning; /* one line for people */
};

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
  /* sender checks (scan/senders.h); all zero when not asked; before fwd[]
                                   so that clearing the head clears them */
  unsigned dnsbl_listed;        /* blocklists that list the target */
  unsigned dnsbl_errors;        /* blocklists whose answer is unknown */
  enum spf_status spf;
  enum dmarc_status dmarc;
  struct forward fwd[RESULT_MAX_FORWARD]; /* fwd[i] is for ptr[i], i < min(nptr, MAX_FORWARD) */
  enum smtp_status smtp_status;
  int smtp_code;                /* of a complete greeting; 0 if none */
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
int verdict_dns_status_is_temporary(enum dns_status s);

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

/* Flag bit_index's entry of the flag table (0 .. VERDICT_F_COUNT-1); NULL out of
 * range.  O(1). */
const struct verdict_flag *verdict_flag(unsigned bit_index);

/* The verdict `flags` alone lead to: the highest level among them
 * (VERDICT_OK if none).  O(VERDICT_F_COUNT). */
enum verdict verdict_of_flags(uint32_t flags);

/* Severity of a verdict on one scale: 0 ok and skipped (nothing wrong was
 * found), 1 warn, 2 unknown, 3 fail and invalid (an inventory row that is
 * not an address is as bad as a failure); out of range 3.  --fail-on,
 * diff's worse/better and flag levels use this scale.  O(1). */
int verdict_level(enum verdict v);

/* --fail-on (the scan's exit status, diff's new targets): which verdicts
 * are findings.  FAIL: fail and invalid (level 3); WARN: also warn and
 * unknown (level >= 1); NEVER: none.  skipped (level 0) never is. */
enum verdict_fail_on { VERDICT_FAIL_ON_FAIL = 0, VERDICT_FAIL_ON_WARN, VERDICT_FAIL_ON_NEVER };

/* Parse the word of --fail-on ("fail", "warn", "never"; exact) into *f.
 * 0, or -EINVAL.  O(1). */
int verdict_fail_on_parse(const char *s, enum verdict_fail_on *f);

/* The lowest verdict_level() that is a finding under f: 3 for FAIL, 1 for
 * WARN, 4 (above every level, so nothing is) for NEVER and out of range.
 * O(1). */
int verdict_fail_on_level(enum verdict_fail_on f);

/* 1 if verdict v is a finding under f (verdict_level(v) >=
 * verdict_fail_on_level(f)), else 0.  O(1). */
int verdict_is_finding(enum verdict v, enum verdict_fail_on f);

/* The verdicts worst first -- fail, unknown, warn, ok, then the rows that
 * were not probed: invalid, skipped -- the order every count listing uses
 * (summary, HTML page).  i < VERDICT_COUNT; out of range VERDICT_FAIL. */
enum verdict verdict_worst_first(unsigned i);

/* Precedence when one address has two verdicts (the summary's map keeps
 * one): probed verdicts by level (fail > unknown > warn > ok) above the
 * rows that were not probed, where skipped (an address that was left out
 * on purpose) beats invalid.  Higher wins; 1..VERDICT_COUNT, 0 out of
 * range.  O(1). */
int verdict_precedence(enum verdict v);

/* Count one row: verdicts[v] + 1, and flag_counts[i] + 1 for every flag
 * bit i set in `flags` (arrays of VERDICT_COUNT and VERDICT_F_COUNT counters; v
 * out of range counts no verdict).  The one way rows are counted (the
 * run's totals, the summary).  O(VERDICT_F_COUNT). */
void verdict_count(uint64_t *verdicts, uint64_t *flag_counts, enum verdict v, uint32_t flags);

/* Parse a verdict name (exact, case-sensitive, as the report writes it)
 * into *v.  0, or -EINVAL if s[0..len) is not one.  O(VERDICT_COUNT). */
int verdict_parse(const char *s, size_t len, enum verdict *v);

/* The bit index of flag name s[0..len) (exact), or -1 if it is not a flag
 * name.  O(VERDICT_F_COUNT). */
int verdict_flag_parse(const char *s, size_t len);

/* Parse a space-separated flags cell into *mask.  0, or -EINVAL for a
 * token that is not a flag name: its offset and length in s come back in
 * *bad and *badlen.  O(len x VERDICT_F_COUNT). */
int verdict_flags_parse(const char *s, size_t len, uint32_t *mask, size_t *bad, size_t *badlen);

/* Text forms used in the report.  Never NULL: "?" for a value out of
 * range; "" for IPREV_NONE and DNS_NOT_RUN (an empty cell). */
const char *verdict_name(enum verdict v);
const char *verdict_iprev_name(enum iprev i);
const char *verdict_dns_status_name(enum dns_status s); /* "ok", "nxdomain", ... */
const char *verdict_smtp_status_name(enum smtp_status s);
const char *verdict_flag_name(unsigned bit_index);      /* 0 .. VERDICT_F_COUNT-1 */
const char *verdict_spf_status_name(enum spf_status s); /* RFC 7208 2.6's words; "" not run */

/* Write the space-separated flag names of `flags` into buf; returns length
 * (truncated to size-1 if needed). */
size_t verdict_flags_format(uint32_t flags, char *buf, size_t size);

#endif
