/* SPDX-License-Identifier: MIT */
/*
 * addr.h - one IPv4 or IPv6 address, and the arithmetic the target
 * iterator and the report need.  Pure: no I/O, no allocation.
 *
 * Addresses are stored in network byte order.  An IPv4 address uses
 * bytes b[0..3]; the remaining bytes are zero so that memcmp-style
 * comparison stays well defined.
 */
#ifndef PTRAUDIT_ADDR_H
#define PTRAUDIT_ADDR_H

#include <stddef.h>
#include <stdint.h>

/* Longest text form we ever produce: inet_ntop's INET6_ADDRSTRLEN (46). */
#define ADDR_STRLEN 46
/* Longest reverse name: 32 nibbles * 2 + "ip6.arpa" + NUL = 73. */
#define ADDR_REVLEN 74

struct addr {
  uint8_t family; /* 4 or 6 (not AF_*: keeps the struct platform neutral) */
  uint8_t b[16];
};

/* Parse one address with inet_pton rules: no leading zeros in IPv4 octets,
 * no hex/octal/short forms, no zone index ("%eth0"), no surrounding space.
 * `s` need not be NUL-terminated.  Returns 0, or -EINVAL. */
int addr_parse(struct addr *a, const char *s, size_t len);

/* Canonical text (inet_ntop; RFC 5952 for IPv6) into buf[ADDR_STRLEN].
 * Returns the length written (excluding the NUL). */
size_t addr_format(const struct addr *a, char *buf);

/* The in-addr.arpa / ip6.arpa name, without a trailing dot, into
 * buf[ADDR_REVLEN].  Returns the length written. */
size_t addr_reverse_name(const struct addr *a, char *buf);

/* Total order: every IPv4 address sorts before every IPv6 address, then
 * numerically.  Returns <0, 0, >0. */
int addr_cmp(const struct addr *a, const struct addr *b);

/* Equal family and bytes. */
int addr_equal(const struct addr *a, const struct addr *b);

/* The address as a 128-bit unsigned integer (IPv4: the low 32 bits), and
 * back.  Used for span arithmetic; family is preserved by the caller. */
unsigned __int128 addr_to_u128(const struct addr *a);
void addr_from_u128(struct addr *a, int family, unsigned __int128 v);

#endif
