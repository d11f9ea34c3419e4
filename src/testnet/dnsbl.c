/* SPDX-License-Identifier: MIT */
/*
 * dnsbl.c - the blocklist zone bl.tn.test (dnsbl.h, tests/testnet.md).
 */
#include "dnsbl.h"
#include "dnswire.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int tn_bl_is(const struct zn_labels *s) {
  int n = s->n;
  return n >= 4 && zn_label_is(s, n - 3, "bl") && zn_label_is(s, n - 2, "tn") &&
         zn_label_is(s, n - 1, "test");
}

static int nibble(const struct zn_labels *s, int i) {
  if (s->len[i] != 1)
    return -1;
  uint8_t c = dw_lc(s->l[i][0]);
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void code(struct tn_bl *b, uint8_t x, uint8_t y, uint8_t z, uint8_t w) {
  uint8_t *c = b->code[b->ncodes++];
  c[0] = x, c[1] = y, c[2] = z, c[3] = w;
}

/* The outcome of a complete address (tests/testnet.md's table). */
static void outcome(struct tn_bl *b) {
  static const uint8_t test6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2};
  static const uint8_t db8[4] = {0x20, 0x01, 0x0d, 0xb8};
  const struct tn_ip *ip = &b->ip;
  int d = -1;
  b->kind = TN_BL_NOTLISTED;
  if ((ip->family == 4 && memcmp(ip->b, "\x7f\0\0\x02", 4) == 0) ||
      (ip->family == 6 && memcmp(ip->b, test6, 16) == 0)) {
    d = 2; /* RFC 5782 section 5: the test entry is listed */
  } else if (ip->family == 4 && ip->b[0] == 127 && ip->b[1] == 64) {
    d = ip->b[3] % 32;
  } else if (ip->family == 6 && memcmp(ip->b, db8, 4) == 0) {
    d = ip->b[15] % 32;
  }
  b->kind = TN_BL_ANSWER;
  switch (d) {
  case 2: code(b, 127, 0, 0, 2); b->txt = 1; break;
  case 3: code(b, 127, 0, 0, 4); b->txt = 1; break;
  case 4: code(b, 127, 0, 0, 2); code(b, 127, 0, 0, 4); b->txt = 1; break;
  case 5: code(b, 127, 0, 0, 2); break;
  case 24: code(b, 127, 0, 0, 1); break;
  case 25: code(b, 192, 0, 2, 1); break;
  case 26: b->kind = TN_BL_TIMEOUT; break;
  case 27: b->kind = TN_BL_SERVFAIL; break;
  case 28: code(b, 127, 255, 255, 252); break;
  case 29: code(b, 127, 255, 255, 255); break;
  case 30: code(b, 127, 255, 255, 254); break;
  default: b->kind = TN_BL_NOTLISTED; break;
  }
}

void tn_bl_lookup(const struct zn_labels *s, struct tn_bl *b) {
  int k = s->n - 3; /* labels before bl.tn.test, least significant first */
  memset(b, 0, sizeof *b);
  b->kind = TN_BL_NOTLISTED;
  int dec = 1, hex = 1;
  for (int i = 0; i < k; i++) {
    if (zn_label_octet(s, i) < 0)
      dec = 0;
    if (nibble(s, i) < 0)
      hex = 0;
  }
  if (dec && k <= 4) {
    if (k < 4) {
      b->kind = TN_BL_ENT;
      return;
    }
    b->ip.family = 4;
    for (int i = 0; i < 4; i++)
      b->ip.b[3 - i] = (uint8_t)zn_label_octet(s, i);
    outcome(b);
    return;
  }
  if (hex && k <= 32) {
    if (k < 32) {
      b->kind = TN_BL_ENT;
      return;
    }
    b->ip.family = 6;
    for (int i = 0; i < 16; i++)
      b->ip.b[i] = (uint8_t)(nibble(s, 31 - 2 * i) << 4 | nibble(s, 30 - 2 * i));
    outcome(b);
  }
}

size_t tn_bl_txt(const struct tn_bl *b, int i, char *buf, size_t cap) {
  char a[64];
  inet_ntop(b->ip.family == 4 ? AF_INET : AF_INET6, b->ip.b, a, sizeof a);
  int n = snprintf(buf, cap, b->code[i][3] == 4
                                 ? "listed (policy block): see http://bl.tn.test/lookup?ip=%s"
                                 : "listed: see http://bl.tn.test/lookup?ip=%s",
                   a);
  return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
