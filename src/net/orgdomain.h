/* SPDX-License-Identifier: MIT */
/*
 * orgdomain.h - the organisational domain of a name (RFC 7489 section
 * 3.2): the public suffix the Public Suffix List gives for it, plus one
 * label.  DMARC looks for a sender's policy there when the sender's own
 * domain has none (core/dmarc.h).
 *
 * The list is libpsl's (the only module that uses libpsl; the Makefile
 * forbids it elsewhere), loaded once with psl_latest(NULL): libpsl takes
 * the newest of its distribution file -- on Debian
 * /usr/share/publicsuffix/public_suffix_list.dafsa from the `publicsuffix`
 * package -- and the copy built into libpsl.  So an updated publicsuffix
 * package takes effect without rebuilding anything, and a system without
 * the package still has the built-in list instead of none.
 * Both sections of the list count (ICANN and private domains such as
 * github.io), as RFC 7489 section 3.2 uses "the" list; the default rule
 * "*" applies to unknown top-level domains (a.b.example.unknowntld ->
 * example.unknowntld).
 */
#ifndef PTRAUDIT_ORGDOMAIN_H
#define PTRAUDIT_ORGDOMAIN_H

#include <stddef.h>

struct orgdomain; /* opaque: the loaded list */

/* Load the list.  Returns 0, or -ENOENT (no list: neither the file nor
 * built-in data; message in err) or -ENOMEM.  Reads one file: call once
 * per run.  Cost: a few ms. */
int orgdomain_new(struct orgdomain **out, char *err, size_t errlen);

/* Free o (NULL is fine).  O(1). */
void orgdomain_free(struct orgdomain *o);

/*
 * The organisational domain of `domain` into dst[size]: lowercase ASCII
 * (libpsl wants lower case; other bytes are passed as they are, so give
 * A-labels), no trailing dot.  `domain` may end in one dot and be in any
 * case.  Returns the length, or
 *   -EINVAL        not a domain name: empty, an empty label, longer
 *                  than 253 octets
 *   -ENOENT        the name is itself a public suffix ("co.uk", "com"):
 *                  it has no organisational domain (RFC 7489 section 3.2
 *                  step 3 needs one more label), so DMARC looks only at
 *                  the name
 *   -ENAMETOOLONG  the answer does not fit in size
 * O(labels) lookups in the list.
 */
int orgdomain_get(const struct orgdomain *o, const char *domain, char *dst, size_t size);

#endif
