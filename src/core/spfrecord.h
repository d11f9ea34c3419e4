/* SPDX-License-Identifier: MIT */
/*
 * spfrecord.h - SPF records (RFC 7208 sections 4.5, 4.6, 5, 6, 12): which
 * TXT record is the SPF record, the terms of a record and their syntax.
 * Pure: no I/O, no allocation; terms point into the caller's record text.
 *
 *   record    = version terms *SP         version = "v=spf1" (any case)
 *   terms     = *( 1*SP ( directive / modifier ) )
 *   directive = [ qualifier ] mechanism   qualifier = + - ? ~
 *   mechanism = all / include:domain-spec / a[:domain-spec][dual-cidr]
 *             / mx[:domain-spec][dual-cidr] / ptr[:domain-spec]
 *             / ip4:ip4-network[ip4-cidr] / ip6:ip6-network[ip6-cidr]
 *             / exists:domain-spec
 *   modifier  = redirect=domain-spec / exp=domain-spec / name=macro-string
 *   name      = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
 *   ip4-cidr-length = "/" ( "0" / %x31-39 0*1DIGIT )   value 0..32
 *   ip6-cidr-length = "/" ( "0" / %x31-39 0*2DIGIT )   value 0..128
 *   dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
 * Mechanism and modifier names compare case-insensitively.  Only SP
 * separates terms: a TAB, CR or LF is part of a term, and so an error.
 */
#ifndef PTRAUDIT_SPFRECORD_H
#define PTRAUDIT_SPFRECORD_H

#include <stddef.h>
#include "addr.h"

enum spf_term_kind {
  SPF_T_ALL,
  SPF_T_INCLUDE,
  SPF_T_A,
  SPF_T_MX,
  SPF_T_PTR,
  SPF_T_IP4,
  SPF_T_IP6,
  SPF_T_EXISTS,
  SPF_T_REDIRECT, /* modifiers from here */
  SPF_T_EXP,
  SPF_T_UNKNOWN_MOD /* ignored (section 6), but its value must be a macro-string */
};

struct spf_term {
  enum spf_term_kind kind;
  char qualifier;     /* '+', '-', '~' or '?' (mechanisms; '+' when absent) */
  const char *spec;   /* domain-spec, modifier value; NULL when absent */
  size_t speclen;
  int cidr4, cidr6;   /* prefix lengths; 32 / 128 when absent */
  struct addr net;    /* ip4 / ip6: the network address */
};

/* 1 if txt[0..len) is an SPF version 1 record: "v=spf1" in any case,
 * followed by SP or the end (section 4.5).  O(1). */
int spf_record_is_spf(const char *txt, size_t len);

/* The next term of the record rec[0..len) from *pos (start with *pos = 0:
 * the version is skipped).  Sets *tok and *toklen, moves *pos past it.
 * Returns 1, or 0 at the end.  O(term length). */
int spf_record_next(const char *rec, size_t len, size_t *pos, const char **tok, size_t *toklen);

/* Parse one term.  Returns 0, or -EINVAL with a reason in err (e.g.
 * "unknown mechanism", "bad ip4 prefix length").  O(term length). */
int spf_term_parse(const char *tok, size_t len, struct spf_term *t, char *err, size_t errlen);

/* What the syntax pass over a whole record finds. */
struct spf_record_info {
  size_t redirect; /* offset of the redirect term in the record, or SIZE_MAX */
  size_t exp;      /* offset of the exp term, or SIZE_MAX */
  int has_all;     /* an "all" mechanism is present: redirect is ignored (5.1) */
  size_t terms;
};

/* Check every term of the record (section 4.6: a syntax error anywhere is
 * a permerror, even after a mechanism that would match), and that
 * redirect and exp appear at most once each (section 6).  Returns 0, or
 * -EINVAL with "syntax error at '<term>': <reason>" (or the duplicate) in
 * err.  O(len). */
int spf_record_check(const char *rec, size_t len, struct spf_record_info *info, char *err,
                     size_t errlen);

/* Section 4.3: 1 if `domain` (NUL-terminated) is a well-formed multi-label
 * domain name to start check_host() with: labels of 1..63 bytes of
 * printable ASCII, at most 253 bytes (a trailing dot aside), at least two
 * labels, and a valid toplabel (so "[192.0.2.1]" is not one).  O(length). */
int spf_domain_ok(const char *domain);

#endif
