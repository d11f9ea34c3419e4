/* SPDX-License-Identifier: MIT */
/*
 * special.c - the special-purpose address table and its lookups.  See
 * special.h for the contract and the folding of nested entries.
 *
 * Each family's table is sorted by start address and its blocks are
 * disjoint, so "which block holds x" is a binary search for the last block
 * starting at or before x, then one comparison with that block's end.
 */
#include "special.h"

#include <stdint.h>

struct block {
  uint64_t hi, lo; /* start address: IPv4 in the low 32 bits of lo */
  uint8_t plen;
  const char *name;
};

/* IANA IPv4 Special-Purpose Address Registry (RFC 6890, updated by RFC 8190)
 * plus multicast (RFC 5771). */
static const struct block v4[] = {
  {0, 0x00000000, 8, "0.0.0.0/8 (This network)"},                 /* RFC 791, 1122 */
  {0, 0x0a000000, 8, "10.0.0.0/8 (Private-Use)"},                 /* RFC 1918 */
  {0, 0x64400000, 10, "100.64.0.0/10 (Shared Address Space)"},    /* RFC 6598 */
  {0, 0x7f000000, 8, "127.0.0.0/8 (Loopback)"},                   /* RFC 1122 */
  {0, 0xa9fe0000, 16, "169.254.0.0/16 (Link Local)"},             /* RFC 3927 */
  {0, 0xac100000, 12, "172.16.0.0/12 (Private-Use)"},             /* RFC 1918 */
  /* 192.0.0.0/24 holds 192.0.0.0/29, .8/32, .9/32, .10/32, .170/32, .171/32. */
  {0, 0xc0000000, 24, "192.0.0.0/24 (IETF Protocol Assignments)"},/* RFC 6890 */
  {0, 0xc0000200, 24, "192.0.2.0/24 (Documentation TEST-NET-1)"}, /* RFC 5737 */
  {0, 0xc01fc400, 24, "192.31.196.0/24 (AS112-v4)"},              /* RFC 7535 */
  {0, 0xc034c100, 24, "192.52.193.0/24 (AMT)"},                   /* RFC 7450 */
  /* Includes 192.88.99.2/32 (6a44, RFC 6751). */
  {0, 0xc0586300, 24, "192.88.99.0/24 (Deprecated 6to4 Relay Anycast)"}, /* RFC 7526 */
  {0, 0xc0a80000, 16, "192.168.0.0/16 (Private-Use)"},            /* RFC 1918 */
  {0, 0xc0af3000, 24, "192.175.48.0/24 (Direct Delegation AS112 Service)"}, /* RFC 7534 */
  {0, 0xc6120000, 15, "198.18.0.0/15 (Benchmarking)"},            /* RFC 2544 */
  {0, 0xc6336400, 24, "198.51.100.0/24 (Documentation TEST-NET-2)"}, /* RFC 5737 */
  {0, 0xcb007100, 24, "203.0.113.0/24 (Documentation TEST-NET-3)"},  /* RFC 5737 */
  {0, 0xe0000000, 4, "224.0.0.0/4 (Multicast)"},                  /* RFC 5771 */
  /* Includes 255.255.255.255/32 (Limited Broadcast, RFC 919). */
  {0, 0xf0000000, 4, "240.0.0.0/4 (Reserved)"},                   /* RFC 1112 */
};

/* IANA IPv6 Special-Purpose Address Registry (RFC 6890, updated by RFC 8190)
 * plus multicast (RFC 4291 section 2.7). */
static const struct block v6[] = {
  {0, 0, 128, "::/128 (Unspecified Address)"},                    /* RFC 4291 */
  {0, 1, 128, "::1/128 (Loopback Address)"},                      /* RFC 4291 */
  {0, 0x0000ffff00000000ull, 96, "::ffff:0:0/96 (IPv4-mapped Address)"}, /* RFC 4291 */
  {0x0064ff9b00000000ull, 0, 96, "64:ff9b::/96 (IPv4-IPv6 Translation)"}, /* RFC 6052 */
  {0x0064ff9b00010000ull, 0, 48, "64:ff9b:1::/48 (IPv4-IPv6 Local-Use Translation)"}, /* RFC 8215 */
  {0x0100000000000000ull, 0, 64, "100::/64 (Discard-Only Address Block)"}, /* RFC 6666 */
  {0x0100000000000001ull, 0, 64, "100:0:0:1::/64 (Dummy IPv6 Prefix)"},   /* draft-ietf-v6ops-dummy-prefix */
  /* 2001::/23 holds Teredo 2001::/32, PCP/TURN anycast 2001:1::1-3/128,
   * benchmarking 2001:2::/48, AMT 2001:3::/32, AS112-v6 2001:4:112::/48,
   * ORCHID 2001:10::/28, ORCHIDv2 2001:20::/28, Drone Remote ID
   * 2001:30::/28.  Some of those are globally reachable, but none is a
   * place where an operator names mail servers by PTR. */
  {0x2001000000000000ull, 0, 23, "2001::/23 (IETF Protocol Assignments)"}, /* RFC 2928 */
  {0x20010db800000000ull, 0, 32, "2001:db8::/32 (Documentation)"},         /* RFC 3849 */
  {0x2002000000000000ull, 0, 16, "2002::/16 (6to4)"},                      /* RFC 3056 */
  {0x2620004f80000000ull, 0, 48, "2620:4f:8000::/48 (Direct Delegation AS112 Service)"}, /* RFC 7534 */
  {0x3fff000000000000ull, 0, 20, "3fff::/20 (Documentation)"},             /* RFC 9637 */
  {0x5f00000000000000ull, 0, 16, "5f00::/16 (Segment Routing SIDs)"},      /* RFC 9602 */
  {0xfc00000000000000ull, 0, 7, "fc00::/7 (Unique-Local)"},                /* RFC 4193 */
  {0xfe80000000000000ull, 0, 10, "fe80::/10 (Link-Local Unicast)"},        /* RFC 4291 */
  {0xff00000000000000ull, 0, 8, "ff00::/8 (Multicast)"},                   /* RFC 4291 */
};

#define NV4 (sizeof v4 / sizeof v4[0])
#define NV6 (sizeof v6 / sizeof v6[0])

static unsigned __int128 block_start(const struct block *b) {
  return (unsigned __int128)b->hi << 64 | b->lo;
}

static unsigned __int128 block_end(const struct block *b, unsigned bits) {
  unsigned hostbits = bits - b->plen;
  unsigned __int128 host =
      hostbits >= 128 ? ~(unsigned __int128)0 : (((unsigned __int128)1 << hostbits) - 1);
  return block_start(b) | host;
}

static void table_of(int family, const struct block **t, size_t *n, unsigned *bits) {
  if (family == 4) {
    *t = v4;
    *n = NV4;
    *bits = 32;
  } else if (family == 6) {
    *t = v6;
    *n = NV6;
    *bits = 128;
  } else {
    *t = NULL;
    *n = 0;
    *bits = 0;
  }
}

/* The block holding a, or NULL.  Sets *bits to the family's width. */
static const struct block *find_block(const struct addr *a, unsigned *bits) {
  const struct block *t;
  size_t n, lo = 0, hi;
  unsigned __int128 x = addr_to_u128(a);

  table_of(a->family, &t, &n, bits);
  /* Invariant: blocks [0, lo) start at or before x, blocks [hi, n) after. */
  hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (block_start(&t[mid]) <= x)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return NULL;
  if (x > block_end(&t[lo - 1], *bits))
    return NULL;
  return &t[lo - 1];
}

int special_lookup(const struct addr *a, const char **block_name) {
  unsigned bits;
  const struct block *b = find_block(a, &bits);
  if (b == NULL)
    return 0;
  if (block_name != NULL)
    *block_name = b->name;
  return 1;
}

int special_span_inside(const struct span *sp) {
  unsigned bits;
  const struct block *b = find_block(&sp->first, &bits);
  if (b == NULL || sp->last.family != sp->first.family)
    return 0;
  return addr_to_u128(&sp->last) <= block_end(b, bits);
}

int special_block_end(const struct addr *a, struct addr *last) {
  unsigned bits;
  const struct block *b = find_block(a, &bits);
  if (b == NULL)
    return 0;
  addr_from_u128(last, a->family, block_end(b, bits));
  return 1;
}

unsigned __int128 special_count_in(const struct span *sp) {
  const struct block *t;
  size_t n, i;
  unsigned bits;
  unsigned __int128 first = addr_to_u128(&sp->first), last = addr_to_u128(&sp->last);
  unsigned __int128 total = 0;

  table_of(sp->first.family, &t, &n, &bits);
  for (i = 0; i < n; i++) {
    unsigned __int128 s = block_start(&t[i]), e = block_end(&t[i], bits);
    if (e < first || s > last)
      continue;
    if (s < first)
      s = first;
    if (e > last)
      e = last;
    total += e - s + 1;
  }
  return total;
}

int special_block_at(size_t i, struct span *sp, const char **name) {
  const struct block *b;
  int family;
  unsigned bits;

  if (i < NV4) {
    b = &v4[i];
    family = 4;
    bits = 32;
  } else if (i < NV4 + NV6) {
    b = &v6[i - NV4];
    family = 6;
    bits = 128;
  } else {
    return 0;
  }
  addr_from_u128(&sp->first, family, block_start(b));
  addr_from_u128(&sp->last, family, block_end(b, bits));
  if (name != NULL)
    *name = b->name;
  return 1;
}
