/* SPDX-License-Identifier: MIT */
/*
 * dnspkt.h - a DNS message written byte by byte for the Check suites that
 * feed hand-made replies to a parser (check_dnsbl, check_dnscache): the
 * wire format of RFC 1035 section 4.1, names as uncompressed labels.  The
 * expectations stay in each test; this only spells the bytes.
 */
#ifndef PTRAUDIT_TEST_DNSPKT_H
#define PTRAUDIT_TEST_DNSPKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pkt {
  unsigned char b[4096];
  size_t n;
};

static inline void put8(struct pkt *p, unsigned v) { p->b[p->n++] = (unsigned char)v; }
static inline void put16(struct pkt *p, unsigned v) {
  put8(p, v >> 8);
  put8(p, v & 0xff);
}
static inline void put32(struct pkt *p, uint32_t v) {
  put16(p, v >> 16);
  put16(p, v & 0xffff);
}
/* "a.b.c" as the labels a, b, c and the root. */
static inline void put_name(struct pkt *p, const char *name) {
  while (*name) {
    const char *dot = strchr(name, '.');
    size_t l = dot ? (size_t)(dot - name) : strlen(name);
    put8(p, (unsigned)l);
    memcpy(p->b + p->n, name, l);
    p->n += l;
    name += l;
    if (*name == '.') name++;
  }
  put8(p, 0);
}

#endif
