/* SPDX-License-Identifier: MIT */
/*
 * addr.c - parsing, formatting and arithmetic of one IPv4/IPv6 address.
 * See addr.h for the contract.
 */
#include "addr.h"

#include <arpa/inet.h>
#include <string.h>
#include "err.h"

/* Longest accepted text: INET6_ADDRSTRLEN - 1, i.e. a full IPv6 address
 * with an embedded dotted quad ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"). */
#define ADDR_TEXT_MAX 45

int addr_parse(struct addr *a, const char *s, size_t len) {
  char buf[ADDR_TEXT_MAX + 1];
  struct addr tmp;

  if (s == NULL || len == 0 || len > ADDR_TEXT_MAX)
    return -EINVAL;
  /* inet_pton wants a C string; an embedded NUL would silently truncate
   * the input ("1.2.3.4\0junk"), so refuse it explicitly. */
  if (memchr(s, '\0', len) != NULL)
    return -EINVAL;
  memcpy(buf, s, len);
  buf[len] = '\0';

  memset(&tmp, 0, sizeof tmp);
  /* inet_pton (POSIX) is the strict parser the contract names: IPv4 must be
   * exactly four decimal octets without leading zeros (glibc, musl and the
   * BSDs all refuse "010.0.0.1", "0x7f.0.0.1", "127.1"), and IPv6 has no
   * zone index or surrounding space.  inet_aton would accept all of those. */
  if (memchr(buf, ':', len) != NULL) {
    if (inet_pton(AF_INET6, buf, tmp.b) != 1)
      return -EINVAL;
    tmp.family = 6;
  } else {
    if (inet_pton(AF_INET, buf, tmp.b) != 1)
      return -EINVAL;
    tmp.family = 4;
  }
  *a = tmp;
  return 0;
}

static size_t put_dec(char *p, unsigned v) {
  char d[3];
  size_t n = 0, i;
  do {
    d[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (i = 0; i < n; i++)
    p[i] = d[n - 1 - i];
  return n;
}

static size_t put_hex16(char *p, unsigned v) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  int shift, started = 0;
  for (shift = 12; shift >= 0; shift -= 4) {
    unsigned nib = (v >> shift) & 0xf;
    if (nib != 0 || started || shift == 0) {
      p[n++] = hex[nib];
      started = 1;
    }
  }
  return n;
}

static size_t format_v4(const uint8_t *b, char *buf) {
  size_t n = 0;
  int i;
  for (i = 0; i < 4; i++) {
    if (i > 0)
      buf[n++] = '.';
    n += put_dec(buf + n, b[i]);
  }
  buf[n] = '\0';
  return n;
}

/* RFC 5952 section 4: lowercase hex, no leading zeros in a group, "::"
 * replaces the longest run of two or more zero groups (the first one on a
 * tie) and never a single zero group.  Section 5: IPv4-mapped addresses
 * (::ffff:0:0/96) end in dotted decimal.  Done by hand rather than with
 * inet_ntop because glibc also prints the deprecated IPv4-compatible form
 * ("::1.2.3.4" for ::102:304), and the report must not depend on the libc. */
static size_t format_v6(const uint8_t *b, char *buf) {
  unsigned w[8];
  int i, best = -1, bestlen = 0, cur = -1, curlen = 0, ngroups = 8;
  int mapped;
  size_t n = 0;

  for (i = 0; i < 8; i++)
    w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
  mapped = w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 &&
           w[5] == 0xffff;
  if (mapped)
    ngroups = 6;

  for (i = 0; i < ngroups; i++) {
    if (w[i] == 0) {
      if (cur < 0) {
        cur = i;
        curlen = 0;
      }
      curlen++;
      if (curlen > bestlen) {
        best = cur;
        bestlen = curlen;
      }
    } else {
      cur = -1;
    }
  }
  if (bestlen < 2)
    best = -1;

  for (i = 0; i < ngroups; i++) {
    if (i == best) {
      buf[n++] = ':';
      buf[n++] = ':';
      i += bestlen - 1;
      continue;
    }
    if (i > 0 && i != best + bestlen)
      buf[n++] = ':';
    n += put_hex16(buf + n, w[i]);
  }
  if (mapped) {
    if (best + bestlen != ngroups)
      buf[n++] = ':';
    return n + format_v4(b + 12, buf + n);
  }
  buf[n] = '\0';
  return n;
}

size_t addr_format(const struct addr *a, char *buf) {
  if (a->family == 4)
    return format_v4(a->b, buf);
  if (a->family == 6)
    return format_v6(a->b, buf);
  buf[0] = '\0';
  return 0;
}

size_t addr_reverse_name(const struct addr *a, char *buf) {
  static const char hex[] = "0123456789abcdef";
  static const char v4suffix[] = "in-addr.arpa";
  static const char v6suffix[] = "ip6.arpa";
  size_t n = 0;
  int i;

  if (a->family == 4) {
    /* RFC 1035 section 3.5: octets in reverse order under in-addr.arpa. */
    for (i = 3; i >= 0; i--) {
      n += put_dec(buf + n, a->b[i]);
      buf[n++] = '.';
    }
    memcpy(buf + n, v4suffix, sizeof v4suffix);
    return n + sizeof v4suffix - 1;
  }
  if (a->family == 6) {
    /* RFC 3596 section 2.5: one label per nibble, least significant first. */
    for (i = 15; i >= 0; i--) {
      buf[n++] = hex[a->b[i] & 0xf];
      buf[n++] = '.';
      buf[n++] = hex[a->b[i] >> 4];
      buf[n++] = '.';
    }
    memcpy(buf + n, v6suffix, sizeof v6suffix);
    return n + sizeof v6suffix - 1;
  }
  buf[0] = '\0';
  return 0;
}

int addr_cmp(const struct addr *a, const struct addr *b) {
  if (a->family != b->family)
    return a->family < b->family ? -1 : 1;
  return memcmp(a->b, b->b, a->family == 4 ? 4 : 16);
}

int addr_equal(const struct addr *a, const struct addr *b) {
  return addr_cmp(a, b) == 0;
}

unsigned __int128 addr_to_u128(const struct addr *a) {
  unsigned __int128 v = 0;
  int i, n = a->family == 4 ? 4 : 16;
  for (i = 0; i < n; i++)
    v = v << 8 | a->b[i];
  return v;
}

void addr_from_u128(struct addr *a, int family, unsigned __int128 v) {
  int i, n = family == 4 ? 4 : 16;
  memset(a, 0, sizeof *a);
  a->family = (uint8_t)family;
  for (i = n - 1; i >= 0; i--) {
    a->b[i] = (uint8_t)(v & 0xff);
    v >>= 8;
  }
}
