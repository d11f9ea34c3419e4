/* SPDX-License-Identifier: MIT */
/*
 * spfmacro.h - SPF macro strings (RFC 7208 section 7): syntax checks and
 * expansion.  Pure: no I/O, no allocation; every output goes to the
 * caller's fixed buffer.  The DNS-dependent value (%{p}, the validated
 * name) is the caller's to find; this module only substitutes it.
 *
 * Grammar (section 7.1):
 *   macro-string = *( macro-expand / macro-literal )
 *   macro-expand = ( "%{" macro-letter transformers *delimiter "}" )
 *                  / "%%" / "%_" / "%-"
 *   macro-literal = %x21-24 / %x26-7E
 *   macro-letter = s l o d i p h c r t v   (either case)
 *   transformers = *DIGIT [ "r" ]          (a DIGIT count must be nonzero)
 *   delimiter    = . - + , / _ =
 *   domain-spec  = macro-string domain-end
 *   domain-end   = ( "." toplabel [ "." ] ) / macro-expand
 *   explanation-string = *( macro-string / SP )
 * The letters c, r and t are allowed only in explanation text (SPF_MACRO_EXP).
 * One leniency: a domain-spec may end in a macro-expand and a dot
 * ("%{d}."), a fully qualified name as other implementations accept it.
 */
#ifndef PTRAUDIT_SPFMACRO_H
#define PTRAUDIT_SPFMACRO_H

#include <stddef.h>
#include "addr.h"

/* Flags for the functions below. */
#define SPF_MACRO_EXP 1u /* explanation text: c r t allowed, and SP */

/* Longest domain name after expansion (section 7.3: the left side is cut,
 * label by label, to fit). */
#define SPF_DOMAIN_MAX 253

/* What the macro letters stand for.  Strings are NUL-terminated; NULL
 * `validated` or `receiver` expand to "unknown". */
struct spf_macro_ctx {
  const char *sender;        /* s: local-part@domain */
  const char *local;         /* l */
  const char *sender_domain; /* o */
  const char *domain;        /* d: the current <domain> */
  const struct addr *ip;     /* i, c, v (an IPv4-mapped address is given as IPv4) */
  const char *validated;     /* p */
  const char *helo;          /* h */
  const char *receiver;      /* r */
  long long now;             /* t: seconds since the epoch */
};

/* Check that s[0..len) is a macro-string (with SPF_MACRO_EXP: an
 * explanation-string).  Returns 0, or -EINVAL and *errpos (if non-NULL) =
 * the offset of the first bad byte.  O(len). */
int spf_macro_check(const char *s, size_t len, unsigned flags, size_t *errpos);

/* Check that s[0..len) is a domain-spec: a non-empty macro-string (no c r
 * t) ending in "." toplabel ["."] or in a macro-expand.  Returns 0 or
 * -EINVAL (*errpos as above; len when the ending is wrong).  O(len). */
int spf_macro_check_domain(const char *s, size_t len, size_t *errpos);

/* 1 if the (valid) macro-string uses the p letter, which needs DNS
 * lookups before expansion.  O(len). */
int spf_macro_uses_p(const char *s, size_t len);

/* Expand the macro-string s[0..len) into out[cap] (cap >= 1), NUL-terminated.
 * Returns the length written, or -EINVAL if the string is not valid for
 * `flags`.  Text that does not fit is cut at the end (explanations: the
 * caller shows what fits).  O(len x longest value). */
int spf_macro_expand(const char *s, size_t len, unsigned flags, const struct spf_macro_ctx *c,
                     char *out, size_t cap);

/* Expand the domain-spec s[0..len) into a name to query, out[SPF_DOMAIN_MAX
 * + 1]: expansion, one trailing dot dropped, then leading labels removed
 * until at most SPF_DOMAIN_MAX bytes remain (section 7.3).  Returns the
 * length, -EINVAL for an invalid domain-spec, or -ERANGE when the result is
 * not a name that can be asked (empty, an empty label, a label over 63
 * bytes).  O(len x longest value). */
int spf_macro_expand_domain(const char *s, size_t len, const struct spf_macro_ctx *c,
                            char *out);

/* 1 if `name` (NUL-terminated) may be asked as a DNS name: 1..253 bytes
 * (a trailing dot aside), labels 1..63 bytes.  O(length). */
int spf_macro_name_ok(const char *name);

#endif
