/* SPDX-License-Identifier: MIT */
/*
 * target.h - one TARGET operand (an address, a CIDR block or an inclusive
 * range) parsed into a span of addresses.  Pure: no I/O, no allocation.
 *
 * Accepted forms (whole string, nothing else):
 *   192.0.2.7            2001:db8::7            a single address
 *   192.0.2.0/24         2001:db8::/120         a CIDR block
 *   192.0.2.10-192.0.2.50                       an inclusive range, a <= b,
 *   2001:db8::1-2001:db8::ff                    both of one family
 * Addresses follow inet_pton (addr_parse): "010.0.0.1", "0x7f.0.0.1",
 * "127.1", "fe80::1%eth0" are errors.  Prefix lengths are plain decimal
 * without leading zeros (0-32 for IPv4, 0-128 for IPv6).
 *
 * Decisions:
 * - Host bits set in a CIDR block ("10.0.0.1/8") are an ERROR, never
 *   silently normalised: the user probably mistyped either the address or
 *   the length, and guessing could scan a block nobody asked for.  The
 *   message suggests the network address.
 * - Size limits, so a typo cannot launch a scan of a continent:
 *     IPv4: at most 2^24 addresses (a /8) unless TARGET_ALLOW_HUGE; with it
 *           everything up to 0.0.0.0/0.
 *     IPv6: at most 2^32 addresses (a /96) unless TARGET_ALLOW_HUGE; with it
 *           at most 2^64 (a /64).  Larger IPv6 spans are always refused:
 *           nobody can enumerate them.
 *   Ranges are held to the same address counts as blocks.
 *   The messages name the override (--allow-huge).
 * - Whitespace, anywhere, is an error: the caller strips what it means to
 *   strip (line ends, indentation in @FILE lists).
 * - Hostnames are refused ("not an IP address, CIDR block or range").
 * - An IPv4-mapped IPv6 address (::ffff:192.0.2.1) stays IPv6: it is what
 *   the user typed, and its PTR lives under ip6.arpa.
 * - Error messages quote the offending text, escaped (\xHH for bytes that
 *   are not printable ASCII) and cut to TARGET_QUOTE_MAX bytes, so a 1 MB
 *   line gives a short message.  They do not name file or line: the caller
 *   prefixes those.
 */
#ifndef PTRAUDIT_TARGET_H
#define PTRAUDIT_TARGET_H

#include <stddef.h>
#include "addr.h"

/* Allow blocks and ranges beyond the default size limits (--allow-huge). */
#define TARGET_ALLOW_HUGE 0x1u

/* Longest target text accepted: two full IPv6 addresses and a '-'. */
#define TARGET_TEXT_MAX (2 * 45 + 1)
/* Longest excerpt of user text quoted in an error message. */
#define TARGET_QUOTE_MAX 60
/* An error buffer of this size never truncates a target_parse message. */
#define TARGET_ERRLEN 256

/* Inclusive span of addresses of one family: first <= last. */
struct span {
  struct addr first, last;
};

/* Parse s[0..len) (need not be NUL-terminated) as one target.  On success
 * fills *out and returns 0.  On error returns -EINVAL, leaves *out
 * unspecified and writes a one-line message into err[errlen] (truncated to
 * fit; err may be NULL when errlen is 0).  flags: TARGET_ALLOW_HUGE or 0.
 * Cost: O(len) for len <= TARGET_TEXT_MAX, O(1) beyond (refused early). */
int target_parse(const char *s, size_t len, struct span *out, unsigned flags,
                 char *err, size_t errlen);

/* Number of addresses in *sp (last - first + 1).  Saturates at 2^128 - 1 for
 * the whole IPv6 space (target_parse never produces such a span). */
unsigned __int128 span_count(const struct span *sp);

/* Longest text span_count_text writes, with its NUL (2^128 - 1 has 39
 * digits). */
#define SPAN_COUNT_TEXTLEN 40

/* Decimal text of a 128-bit count (of addresses, targets, positions) into
 * buf; returns buf.  printf has no conversion for unsigned __int128, and a
 * cast to 64 bits would print 2^64 as 0.  O(digits). */
char *span_count_text(char buf[SPAN_COUNT_TEXTLEN], unsigned __int128 n);

/* The i-th address of *sp (0-based; first + i).  Requires i < span_count(sp).
 * O(1). */
void span_nth(const struct span *sp, unsigned __int128 i, struct addr *out);

/* 1 if a lies within *sp (same family, first <= a <= last), else 0. */
int span_contains(const struct span *sp, const struct addr *a);

#endif
