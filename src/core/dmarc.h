/* SPDX-License-Identifier: MIT */
/*
 * dmarc.h - a domain's DMARC policy from its `_dmarc` TXT records
 * (RFC 7489), and the report cell `dmarc`.  Pure: no I/O, no allocation.
 * The organisational domain (RFC 7489 section 3.2) needs the Public Suffix
 * List: net/orgdomain.h.
 *
 * Discovery (RFC 7489 section 6.6.3), driven by the caller:
 *   n = dmarc_select(TXT records of _dmarc.DOMAIN, &rec);
 *   if n == 0 and orgdomain(DOMAIN) exists and differs from DOMAIN:
 *     n = dmarc_select(TXT records of _dmarc.ORGDOMAIN, &rec); from_org = 1
 *   dmarc_result(&rec, n, from_org, &res); dmarc_cell_format(..., &res)
 * A lookup that failed (timeout, SERVFAIL) is not an empty set: the result
 * is unknown, which is the caller's to report.  NXDOMAIN and NODATA are an
 * empty set.
 *
 * Records: each input is one TXT record, its character-strings joined with
 * nothing between them (RFC 7208 section 3.3 does the same for SPF; a DMARC
 * record longer than 255 octets is split that way).  A record is a DMARC
 * record when it starts with the tag v=DMARC1: "v" in either case, white
 * space (SP, TAB) allowed around '=', the value "DMARC1" exactly (the
 * ABNF's %x44.4d.41.52.43.31 is case-sensitive), then the end or ';'.
 * Everything else (SPF records, "v=DMARC10", leading white space) is
 * ignored, as section 6.6.3 step 2 says.
 *
 * Tags (section 6.3, 6.4): "name = value" separated by ';', white space
 * allowed around both; names and the p/sp/adkim/aspf values are
 * case-insensitive (quoted strings in the ABNF); empty parts (";;", a
 * trailing ';') are skipped; unknown tags are ignored (section 6.3).  A
 * part without '=' or a tag given twice makes the record invalid (the
 * tag-value syntax of RFC 6376 section 3.2, which DMARC uses).  A bad
 * value of pct, adkim or aspf is ignored and the default kept (the RFC
 * gives no rule; the policy does not depend on them).
 *
 * Result (dmarc_result):
 *   no DMARC record                  NONE, cell "none"
 *   more than one at the name        NONE, cell "none: N records": section
 *                                    6.6.3 step 5, DMARC is not applied;
 *                                    and no fallback to the organisational
 *                                    domain (that is only for an empty set)
 *   p missing or not none/quarantine/reject, or an sp that is not
 *                                    INVALID, cell "invalid: REASON".  Step
 *                                    6 says a receiver then acts as if
 *                                    p=none when rua holds a valid URI: the
 *                                    cell says so ("... (acts as p=none)")
 *                                    and `applied` is NONE; either way the
 *                                    owner's policy is not what they wrote,
 *                                    so it is reported as invalid
 *   otherwise                        POLICY, cell "p=P[ sp=S][ pct=N]":
 *                                    sp shown when the record has an sp
 *                                    that differs from p (without sp, sp is
 *                                    p: section 6.3), pct when given and not
 *                                    100.  `applied` is the policy for this
 *                                    sender: sp when the record came from the
 *                                    organisational domain, else p.
 */
#ifndef PTRAUDIT_DMARC_H
#define PTRAUDIT_DMARC_H

#include <stddef.h>

#define DMARC_REASON_MAX 80 /* a reason and its NUL */
#define DMARC_CELL_MAX 128  /* every cell fits */

enum dmarc_policy { DMARC_P_NONE = 0, DMARC_P_QUARANTINE, DMARC_P_REJECT };
enum dmarc_state { DMARC_NONE = 0, DMARC_POLICY, DMARC_INVALID };

/* One parsed v=DMARC1 record. */
struct dmarc_record {
  int valid;              /* p (and sp when present) valid, syntax good */
  enum dmarc_policy p;    /* valid: the p tag */
  enum dmarc_policy sp;   /* valid: the sp tag, or p when absent */
  int has_sp;             /* the record has an sp tag */
  unsigned pct;           /* 0..100; 100 when absent or bad */
  int has_pct;            /* a valid pct tag was given */
  char adkim, aspf;       /* 'r' or 's'; 'r' when absent or bad */
  int rua_valid;          /* rua holds at least one syntactically valid URI */
  char reason[DMARC_REASON_MAX]; /* why not valid ("" when valid) */
};

/* What the report says for one sender domain. */
struct dmarc_result {
  enum dmarc_state state;
  enum dmarc_policy applied; /* POLICY (and INVALID acting as none): the
                                policy a receiver applies to this sender */
  int from_org;              /* the record is the organisational domain's */
  size_t records;            /* v=DMARC1 records at the name that decided */
  struct dmarc_record rec;   /* the record (when records == 1) */
};

/* 1 if the TXT record txt[len] is a DMARC record (starts with v=DMARC1 as
 * above).  O(1). */
int dmarc_is_record(const char *txt, size_t len);

/* Parse one DMARC record (dmarc_is_record true) into *r by the tag rules
 * above.  Returns 0 when r->valid, else -EINVAL with r->reason set (also
 * for a text that is not a DMARC record).  O(len). */
int dmarc_parse(const char *txt, size_t len, struct dmarc_record *r);

/* Steps 1-2 (or 3-4) of section 6.6.3 at one name: the TXT records
 * txts[i] of lens[i] bytes.  Returns how many are DMARC records; when
 * exactly one, *r is its parse (else r is cleared).  O(total length). */
size_t dmarc_select(const char *const *txts, const size_t *lens, size_t n,
                    struct dmarc_record *r);

/* The result from dmarc_select's count and record, by the table above.
 * O(1). */
void dmarc_result(const struct dmarc_record *r, size_t records, int from_org,
                  struct dmarc_result *out);

/* The `dmarc` cell into dst[size] (DMARC_CELL_MAX always fits).  Returns
 * the length, or -ENOSPC (dst then ""). O(1). */
int dmarc_cell_format(char *dst, size_t size, const struct dmarc_result *res);

/* "none", "quarantine", "reject".  O(1). */
const char *dmarc_policy_name(enum dmarc_policy p);

#endif
