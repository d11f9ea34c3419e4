/* SPDX-License-Identifier: MIT */
/*
 * dnswire.c - DNS message writer and query parser (dnswire.h).
 */
#include "dnswire.h"

#include <string.h>

uint8_t dw_lc(uint8_t c) {
  return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* ---- reply writer ------------------------------------------------------ */


void dw_bytes(struct dw_pkt *k, const void *b, size_t n) {
  if (k->full || k->len + n > k->cap) {
    k->full = 1;
    return;
  }
  memcpy(k->p + k->len, b, n);
  k->len += n;
}

void dw_u8(struct dw_pkt *k, unsigned v) {
  uint8_t b = (uint8_t)v;
  dw_bytes(k, &b, 1);
}

void dw_u16(struct dw_pkt *k, unsigned v) {
  uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  dw_bytes(k, b, 2);
}

void dw_u32(struct dw_pkt *k, uint32_t v) {
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};
  dw_bytes(k, b, 4);
}

/* Does the (possibly compressed) name at p[off] equal the uncompressed wire
 * name w, ignoring ASCII case?  Only walks names this writer produced. */
static int name_eq_at(const struct dw_pkt *k, size_t off, const uint8_t *w) {
  for (int hops = 0;;) {
    if (off >= k->len)
      return 0;
    uint8_t c = k->p[off];
    if ((c & 0xC0) == 0xC0) {
      if (off + 1 >= k->len || ++hops > 32)
        return 0;
      off = (size_t)(c & 0x3F) << 8 | k->p[off + 1];
      continue;
    }
    if (c != *w)
      return 0;
    if (c == 0)
      return 1;
    if (off + 1 + c > k->len)
      return 0;
    for (size_t i = 1; i <= c; i++)
      if (dw_lc(k->p[off + i]) != dw_lc(w[i]))
        return 0;
    off += 1 + (size_t)c;
    w += 1 + c;
  }
}

/* Write wire name w, compressed against earlier names (RFC 1035 4.1.4).
 * Bytes are copied as given, so the question keeps the client's case. */
void dw_name(struct dw_pkt *k, const uint8_t *w) {
  while (*w != 0) {
    for (int j = 0; j < k->ncomp; j++) {
      if (name_eq_at(k, k->comp[j], w)) {
        dw_u16(k, 0xC000u | k->comp[j]);
        return;
      }
    }
    if (!k->full && k->len < 0x3FFF && k->ncomp < DW_COMP_MAX)
      k->comp[k->ncomp++] = (uint16_t)k->len;
    dw_bytes(k, w, 1 + (size_t)*w);
    w += 1 + *w;
  }
  dw_u8(k, 0);
}

/* Owner, type, class IN, DW_TTL and a placeholder rdlength; returns where the
 * rdlength goes, for dw_rr_end(). */
size_t dw_rr_begin(struct dw_pkt *k, const uint8_t *owner, unsigned type) {
  dw_name(k, owner);
  dw_u16(k, type);
  dw_u16(k, 1);
  dw_u32(k, k->ttl);
  size_t at = k->len;
  dw_u16(k, 0);
  return at;
}

void dw_rr_end(struct dw_pkt *k, size_t at) {
  if (k->full)
    return;
  size_t rdlen = k->len - at - 2;
  k->p[at] = (uint8_t)(rdlen >> 8);
  k->p[at + 1] = (uint8_t)rdlen;
}

void dw_rr_name(struct dw_pkt *k, const uint8_t *owner, unsigned type,
                    const uint8_t *target) {
  size_t at = dw_rr_begin(k, owner, type);
  dw_name(k, target);
  dw_rr_end(k, at);
  k->an++;
}

void dw_rr_addr(struct dw_pkt *k, const uint8_t *owner, const struct tn_ip *a) {
  size_t at = dw_rr_begin(k, owner, a->family == 4 ? DW_T_A : DW_T_AAAA);
  dw_bytes(k, a->b, a->family == 4 ? 4 : 16);
  dw_rr_end(k, at);
  k->an++;
}

size_t dw_wire_len(const uint8_t *w) {
  size_t n = 0;
  while (w[n] != 0)
    n += 1 + (size_t)w[n];
  return n + 1;
}

int dw_wire_eq(const uint8_t *a, const uint8_t *b) {
  for (;;) {
    if (*a != *b)
      return 0;
    if (*a == 0)
      return 1;
    for (size_t i = 1; i <= *a; i++)
      if (dw_lc(a[i]) != dw_lc(b[i]))
        return 0;
    b += 1 + *a;
    a += 1 + *a;
  }
}



void dw_header(struct dw_pkt *k, const struct dw_query *q, const struct dw_reply *r) {
  unsigned opcode = (q->flags >> 11) & 15;
  unsigned fl = 0x8000u | opcode << 11 | (r->aa ? 0x0400u : 0) |
                (r->tc ? 0x0200u : 0) | (q->flags & 0x0100u) | (q->flags & 0x0010u) |
                ((unsigned)r->rcode & 15);
  uint8_t *h = k->p;
  h[0] = (uint8_t)(r->id >> 8), h[1] = (uint8_t)r->id;
  h[2] = (uint8_t)(fl >> 8), h[3] = (uint8_t)fl;
  h[4] = 0, h[5] = q->qname ? 1 : 0;
  h[6] = (uint8_t)(k->an >> 8), h[7] = (uint8_t)k->an;
  h[8] = (uint8_t)(k->ns >> 8), h[9] = (uint8_t)k->ns;
  h[10] = (uint8_t)(k->ar >> 8), h[11] = (uint8_t)k->ar;
}

void dw_question(struct dw_pkt *k, const uint8_t *qname, const struct dw_query *q) {
  dw_name(k, qname);
  dw_u16(k, q->qtype);
  dw_u16(k, q->qclass);
}

/* RFC 6891 section 6.1.3: reply with an OPT when the query had one. */
void dw_opt(struct dw_pkt *k, const struct dw_query *q, int rcode) {
  if (!q->edns)
    return;
  dw_u8(k, 0);
  dw_u16(k, DW_T_OPT);
  dw_u16(k, DW_UDP_MAX);
  dw_u32(k, (uint32_t)(rcode >> 4) << 24 | (q->do_bit ? 0x8000u : 0));
  dw_u16(k, 0);
  k->ar++;
}

void dw_init(struct dw_pkt *k, uint8_t *out, size_t cap) {
  memset(k, 0, sizeof *k);
  k->p = out;
  k->cap = cap;
  k->len = 12;
  k->ttl = DW_TTL;
}

/* Skip one (possibly compressed) name in m[0..len) from *off. */
static int skip_name(const uint8_t *m, size_t len, size_t *off) {
  size_t o = *off;
  for (;;) {
    if (o >= len)
      return -1;
    uint8_t c = m[o];
    if ((c & 0xC0) == 0xC0) {
      if (o + 2 > len)
        return -1;
      *off = o + 2;
      return 0;
    }
    if (c & 0xC0)
      return -1;
    o += 1 + (size_t)c;
    if (c == 0) {
      *off = o;
      return 0;
    }
  }
}

/* Parse the question and EDNS0.  Returns 0, or an rcode to answer with
 * (FORMERR). */
int dw_parse_query(const uint8_t *m, size_t len, struct dw_query *q) {
  size_t off = 12;
  unsigned qd = (unsigned)m[4] << 8 | m[5], an = (unsigned)m[6] << 8 | m[7],
           ns = (unsigned)m[8] << 8 | m[9], ar = (unsigned)m[10] << 8 | m[11];
  if (qd != 1)
    return DW_R_FORMERR;
  /* The question name: plain labels only (a client has nothing to point
   * back to), at most 255 octets. */
  for (;;) {
    if (off >= len)
      return DW_R_FORMERR;
    uint8_t c = m[off];
    if (c & 0xC0)
      return DW_R_FORMERR;
    off += 1 + (size_t)c;
    if (off - 12 > TN_NAME_MAX)
      return DW_R_FORMERR;
    if (c == 0)
      break;
  }
  if (off + 4 > len)
    return DW_R_FORMERR;
  q->qname = m + 12;
  q->qname_len = off - 12;
  q->qtype = (uint16_t)(m[off] << 8 | m[off + 1]);
  q->qclass = (uint16_t)(m[off + 2] << 8 | m[off + 3]);
  off += 4;
  for (unsigned i = 0; i < an + ns + ar; i++) {
    if (skip_name(m, len, &off) != 0 || off + 10 > len)
      return DW_R_FORMERR;
    unsigned type = (unsigned)m[off] << 8 | m[off + 1];
    unsigned cls = (unsigned)m[off + 2] << 8 | m[off + 3];
    uint32_t ttl = (uint32_t)m[off + 4] << 24 | (uint32_t)m[off + 5] << 16 |
                   (uint32_t)m[off + 6] << 8 | m[off + 7];
    size_t rdlen = (size_t)m[off + 8] << 8 | m[off + 9];
    if (off + 10 + rdlen > len)
      return DW_R_FORMERR;
    if (i >= an + ns && type == DW_T_OPT) {
      if (q->edns) /* RFC 6891 6.1.1: more than one OPT is FORMERR */
        return DW_R_FORMERR;
      q->edns = 1;
      q->udp_size = cls;
      q->edns_version = (ttl >> 16) & 0xFF;
      q->do_bit = (ttl & 0x8000u) != 0;
    }
    off += 10 + rdlen;
  }
  return 0;
}

