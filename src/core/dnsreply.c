/* SPDX-License-Identifier: MIT */
/*
 * dnsreply.c - DNS reply parsing for PTR and A/AAAA answers.
 * The contract, and why names are decoded here rather than with
 * ares_expand_name, is in dnsreply.h.  Wire format: RFC 1035 section 4.1.
 */
#include "dnsreply.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define HDR_LEN 12
#define CLASS_IN 1
#define RCODE_SERVFAIL 2
#define RCODE_NXDOMAIN 3
#define RCODE_REFUSED 5
/* A name on the CNAME chain is compared with owner names; RFC 1035 caps
 * names at 255 octets, so a longer CNAME target cannot be followed. */
#define CHAIN_NAME_MAX 255

/* Sentinel from prepare(): the header and question are good, go on. */
#define CONTINUE (-1)

static unsigned rd16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

/*
 * Decode the (possibly compressed) name at b[off] into uncompressed wire
 * form: labels with their length bytes, ending in the zero root label.
 * out holds DNSREPLY_WIRE_MAX bytes.  Returns the offset just past the name
 * where it appears (not where pointers led), or -1 if the name runs off the
 * packet, uses the reserved label types 01/10 (RFC 6891 retired them), is
 * longer than DNSREPLY_WIRE_MAX, or takes more than DNSREPLY_MAX_JUMPS
 * pointers.  Every label read adds at least one byte to the output and
 * every pointer counts against the jump bound, so a pointer loop ends
 * after at most DNSREPLY_WIRE_MAX + DNSREPLY_MAX_JUMPS steps.  Pointers
 * are not required to point backwards (c-ares does not require it either).
 */
static int name_decode(const uint8_t *b, int len, int off, uint8_t *out, size_t *outlen) {
  int next = -1;
  unsigned jumps = 0;
  size_t n = 0;
  for (;;) {
    if (off < 0 || off >= len) return -1;
    uint8_t c = b[off];
    if ((c & 0xC0) == 0xC0) {
      if (off + 1 >= len) return -1;
      if (next < 0) next = off + 2;
      if (++jumps > DNSREPLY_MAX_JUMPS) return -1;
      off = (int)((unsigned)(c & 0x3F) << 8 | b[off + 1]);
      continue;
    }
    if (c & 0xC0) return -1;
    if (c == 0) {
      if (n + 1 > DNSREPLY_WIRE_MAX) return -1;
      out[n++] = 0;
      *outlen = n;
      return next >= 0 ? next : off + 1;
    }
    if (off + 1 + c > len) return -1;
    if (n + 1 + c + 1 > DNSREPLY_WIRE_MAX) return -1;
    memcpy(out + n, b + off, (size_t)c + 1);
    n += (size_t)c + 1;
    off += c + 1;
  }
}

/* Case-insensitive equality of two uncompressed wire names.  Length bytes
 * are <= 63, below 'A', so lowering every byte leaves them intact. */
static int wire_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  if (alen != blen) return 0;
  for (size_t i = 0; i < alen; i++)
    if (lower(a[i]) != lower(b[i])) return 0;
  return 1;
}

/*
 * Text name -> uncompressed wire form in out[256].  The text is raw bytes,
 * as dnsreply stores names and resolver_query sends them: '.' separates
 * labels and every other byte, backslash included, is itself.  Accepts a
 * trailing dot; "" and "." are the root.  Returns 0, or -1 for an empty
 * label, a label over 63 octets, or a name over 255.
 */
static int text_to_wire(const char *s, uint8_t *out, size_t *outlen) {
  size_t n = 1, lpos = 0; /* out[lpos] is the current label's length byte */
  if (!s) return -1;
  out[0] = 0;
  if (s[0] == '.' && s[1] == '\0') s++;
  for (const char *p = s; *p; p++) {
    if (*p == '.') {
      size_t l = n - lpos - 1;
      if (l == 0) return -1;
      out[lpos] = (uint8_t)l;
      if (n >= CHAIN_NAME_MAX) return -1;
      lpos = n;
      out[n++] = 0;
      continue;
    }
    if (n >= CHAIN_NAME_MAX) return -1;
    out[n++] = (uint8_t)*p;
    if (n - lpos - 1 > 63) return -1;
  }
  size_t l = n - lpos - 1;
  out[lpos] = (uint8_t)l;
  if (l > 0) {
    if (n >= CHAIN_NAME_MAX) return -1;
    out[n++] = 0;
  }
  *outlen = n;
  return 0;
}

static int byte_is_odd(uint8_t c) {
  return c <= 0x20 || c >= 0x7f || c == ',' || c == '"' || c == '\'' || c == '\\';
}

/* Wire name -> stored form (see dnsreply.h) in out[DNSREPLY_NAME_SIZE]:
 * bytes as received (NUL too), letters lowercased, then a NUL.  Stores the
 * length in *len; returns 1 if the name is odd. */
static int wire_to_text(const uint8_t *w, char *out, size_t *len) {
  char big[DNSREPLY_WIRE_MAX + 8];
  size_t n = 0;
  int odd = 0;
  if (w[0] == 0) {
    memcpy(out, ".", 2);
    *len = 1;
    return 1;
  }
  for (size_t i = 0; w[i];) {
    size_t l = w[i++];
    if (n) big[n++] = '.';
    for (size_t j = 0; j < l; j++) {
      uint8_t c = w[i + j];
      if (byte_is_odd(c) || c == '.') odd = 1;
      big[n++] = (char)lower(c);
    }
    i += l;
  }
  if (n > 253) odd = 1;
  if (n > RESULT_NAME_MAX) {
    memcpy(out, big, RESULT_NAME_MAX - 3);
    memcpy(out + RESULT_NAME_MAX - 3, "...", 4);
    *len = RESULT_NAME_MAX;
  } else {
    memcpy(out, big, n);
    out[n] = '\0';
    *len = n;
  }
  return odd;
}

int dnsreply_name_is_odd(const char *name, size_t n) {
  if (n == 0 || n > 253 || name[0] == '.' || name[n - 1] == '.') return 1;
  for (size_t i = 0; i < n; i++) {
    if (byte_is_odd((uint8_t)name[i])) return 1;
    if (name[i] == '.' && i + 1 < n && name[i + 1] == '.') return 1; /* "..": a cut */
  }
  return 0;
}

struct rr {
  unsigned type, cls;
  int rd, rdlen;
};

/* Frame the RR at b[off]: owner decoded into owner[DNSREPLY_WIRE_MAX].
 * Returns the offset of the next RR, or -1 if malformed. */
static int rr_next(const uint8_t *b, int len, int off, struct rr *rr, uint8_t *owner,
                   size_t *ownerlen) {
  int p = name_decode(b, len, off, owner, ownerlen);
  if (p < 0 || p + 10 > len) return -1;
  rr->type = rd16(b + p);
  rr->cls = rd16(b + p + 2);
  rr->rdlen = (int)rd16(b + p + 8);
  rr->rd = p + 10;
  if (rr->rd + rr->rdlen > len) return -1;
  return rr->rd + rr->rdlen;
}

/* Decode a name that is the whole RDATA of `rr` (CNAME, PTR) into
 * out[DNSREPLY_WIRE_MAX]; -1 if malformed or not contained in the RDATA. */
static int rdata_name(const uint8_t *b, int len, const struct rr *rr, uint8_t *out,
                      size_t *outlen) {
  int e = name_decode(b, len, rr->rd, out, outlen);
  return (e < 0 || e > rr->rd + rr->rdlen) ? -1 : 0;
}

struct ctx {
  const uint8_t *b;
  int len;
  int an_off;
  unsigned ancount;
  int nchain; /* chain[0] is qname, chain[i] the target of the CNAME at chain[i-1] */
  uint8_t chain[DNSREPLY_MAX_CNAME + 1][CHAIN_NAME_MAX + 1];
  size_t chainlen[DNSREPLY_MAX_CNAME + 1];
  uint8_t owner[DNSREPLY_WIRE_MAX];
  uint8_t tmp[DNSREPLY_WIRE_MAX];
};

static int on_chain(const struct ctx *c, const uint8_t *name, size_t len) {
  for (int i = 0; i < c->nchain; i++)
    if (wire_eq(name, len, c->chain[i], c->chainlen[i])) return 1;
  return 0;
}

/*
 * Header, question, answer framing and the CNAME chain.  Returns a final
 * dns_status, or CONTINUE when the caller should collect records owned by
 * the names in c->chain.  Sets *cname when a CNAME was followed.
 */
static int prepare(struct ctx *c, const uint8_t *b, int len, const char *qname, unsigned qtype,
                   int *cname) {
  size_t l;
  c->b = b;
  c->len = len;
  c->nchain = 0;
  if (text_to_wire(qname, c->chain[0], &c->chainlen[0]) < 0) return DNS_ERROR;
  c->nchain = 1;
  if (!b || len < HDR_LEN) return DNS_BADRESP;
  if (!(b[2] & 0x80)) return DNS_BADRESP; /* QR: not a response */
  switch (b[3] & 0x0F) {
  case 0: break;
  case RCODE_NXDOMAIN: return DNS_NXDOMAIN;
  case RCODE_SERVFAIL: return DNS_SERVFAIL;
  case RCODE_REFUSED: return DNS_REFUSED;
  default: return DNS_BADRESP;
  }
  if (rd16(b + 4) != 1) return DNS_BADRESP;
  int p = name_decode(b, len, HDR_LEN, c->tmp, &l);
  if (p < 0 || p + 4 > len) return DNS_BADRESP;
  if (!wire_eq(c->tmp, l, c->chain[0], c->chainlen[0]) || rd16(b + p) != qtype ||
      rd16(b + p + 2) != CLASS_IN)
    return DNS_BADRESP;
  c->an_off = p + 4;
  c->ancount = rd16(b + 6);

  /* Frame every answer once, so the passes below cannot meet garbage. */
  struct rr rr;
  int off = c->an_off;
  for (unsigned i = 0; i < c->ancount; i++)
    if ((off = rr_next(b, len, off, &rr, c->owner, &l)) < 0) return DNS_BADRESP;

  /* Follow the chain: one pass per hop looking for a CNAME owned by the
   * current name.  A name owning two CNAMEs is illegal (RFC 2181 10.1);
   * the first one wins. */
  for (;;) {
    const uint8_t *cur = c->chain[c->nchain - 1];
    size_t curlen = c->chainlen[c->nchain - 1];
    size_t tl = 0;
    int found = 0;
    off = c->an_off;
    for (unsigned i = 0; i < c->ancount && !found; i++) {
      int next = rr_next(b, len, off, &rr, c->owner, &l);
      if (rr.type == DNSREPLY_T_CNAME && rr.cls == CLASS_IN &&
          wire_eq(c->owner, l, cur, curlen)) {
        if (rdata_name(b, len, &rr, c->tmp, &tl) < 0) return DNS_BADRESP;
        found = 1;
      }
      off = next;
    }
    if (!found) break;
    *cname = 1;
    /* A loop, an overlong chain or an unfollowable target: the chain
     * yields nothing trustworthy, and it is not "no record". */
    if (tl > CHAIN_NAME_MAX || on_chain(c, c->tmp, tl) || c->nchain == DNSREPLY_MAX_CNAME + 1)
      return DNS_BADRESP;
    memcpy(c->chain[c->nchain], c->tmp, tl);
    c->chainlen[c->nchain++] = tl;
  }
  return CONTINUE;
}

void dnsreply_names_init(struct dnsreply_names *o, const char **names, char *arena,
                         size_t max) {
  memset(o, 0, sizeof *o);
  o->names = names;
  o->arena = arena;
  o->max = max;
}

void dnsreply_addrs_init(struct dnsreply_addrs *o, struct addr *addrs, size_t max) {
  memset(o, 0, sizeof *o);
  o->addrs = addrs;
  o->max = max;
  o->want_prefix = -1;
}

/* `a` is in want's network of o->want_prefix leading bits (the whole
 * address when -1).  Families must agree. */
static int want_match(const struct dnsreply_addrs *o, const struct addr *a) {
  if (o->want_prefix < 0) return addr_equal(o->want, a);
  if (o->want->family != a->family) return 0;
  int bits = o->want_prefix, max = a->family == 4 ? 32 : 128;
  if (bits > max) bits = max;
  int whole = bits / 8, rest = bits % 8;
  if (memcmp(o->want->b, a->b, (size_t)whole) != 0) return 0;
  if (rest == 0) return 1;
  uint8_t mask = (uint8_t)(0xFF << (8 - rest));
  return (o->want->b[whole] & mask) == (a->b[whole] & mask);
}

/* Byte order of two stored names: memcmp, then the shorter first. */
static int name_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if (c) return c;
  return alen < blen ? -1 : alen > blen;
}

/* A kept name's length, from the two bytes before it in its arena slot
 * (the caller's `lens` is optional, so the slot carries its own). */
static size_t kept_len(const char *name) {
  const unsigned char *p = (const unsigned char *)name;
  return (size_t)p[-2] << 8 | p[-1];
}

/* Insert into the sorted, bounded set (see dnsreply.h for `total`). */
static void names_add(struct dnsreply_names *o, const char *s, size_t len, int odd) {
  size_t lo = 0, hi = o->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int cmp = name_cmp(s, len, o->names[mid], kept_len(o->names[mid]));
    if (cmp == 0) return;
    if (cmp < 0) hi = mid;
    else lo = mid + 1;
  }
  o->total++;
  if (odd) o->odd++;
  char *slot;
  if (o->n < o->max) {
    /* Nothing is evicted before the set is full, so slots 0..n-1 are the
     * ones in use. */
    slot = o->arena + o->n * DNSREPLY_NAME_SIZE;
    o->n++;
  } else {
    if (lo >= o->n) return; /* larger than everything kept (or max == 0) */
    slot = (char *)o->names[o->n - 1] - 2;
  }
  memmove(&o->names[lo + 1], &o->names[lo], (o->n - 1 - lo) * sizeof o->names[0]);
  if (o->lens) memmove(&o->lens[lo + 1], &o->lens[lo], (o->n - 1 - lo) * sizeof o->lens[0]);
  slot[0] = (char)(len >> 8); /* len <= RESULT_NAME_MAX: two bytes hold it */
  slot[1] = (char)(len & 0xff);
  memcpy(slot + 2, s, len);
  slot[2 + len] = '\0';
  o->names[lo] = slot + 2;
  if (o->lens) o->lens[lo] = len;
}

static void addrs_add(struct dnsreply_addrs *o, const struct addr *a) {
  size_t lo = 0, hi = o->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int cmp = memcmp(a->b, o->addrs[mid].b, sizeof a->b);
    if (cmp == 0) return;
    if (cmp < 0) hi = mid;
    else lo = mid + 1;
  }
  o->total++;
  if (o->n < o->max) {
    o->n++;
  } else if (lo >= o->n) {
    return;
  }
  memmove(&o->addrs[lo + 1], &o->addrs[lo], (o->n - 1 - lo) * sizeof o->addrs[0]);
  o->addrs[lo] = *a;
}

/* PTR and MX answers: names collected from the RDATA of qtype records. */
static int names_answer(const unsigned char *abuf, int alen, const char *qname, unsigned qtype,
                        struct dnsreply_names *out) {
  struct ctx c;
  struct rr rr;
  size_t l, tl;
  char text[DNSREPLY_NAME_SIZE];
  size_t tlen;

  out->n = out->total = out->odd = out->records = 0;
  out->cname = out->dangling = 0;
  int st = prepare(&c, abuf, alen, qname, qtype, &out->cname);
  if (st != CONTINUE) return st;

  int off = c.an_off;
  for (unsigned i = 0; i < c.ancount; i++) {
    int next = rr_next(abuf, alen, off, &rr, c.owner, &l);
    if (rr.type == qtype && rr.cls == CLASS_IN && on_chain(&c, c.owner, l)) {
      /* MX RDATA: a 16-bit preference, then the exchange name, which must
       * end exactly where the RDATA does. */
      struct rr nr = rr;
      if (qtype == DNSREPLY_T_MX) {
        nr.rd += 2;
        nr.rdlen -= 2;
      }
      int e = nr.rdlen >= 0 ? name_decode(abuf, alen, nr.rd, c.tmp, &tl) : -1;
      if (e < 0 || e > nr.rd + nr.rdlen || (qtype == DNSREPLY_T_MX && e != nr.rd + nr.rdlen)) {
        out->n = out->total = out->odd = out->records = 0;
        return DNS_BADRESP;
      }
      out->records++;
      int odd = wire_to_text(c.tmp, text, &tlen);
      names_add(out, text, tlen, odd);
    }
    off = next;
  }
  if (out->total == 0) {
    out->dangling = out->cname;
    return DNS_NODATA;
  }
  return DNS_OK;
}

int dnsreply_ptr(const unsigned char *abuf, int alen, const char *qname,
                 struct dnsreply_names *out) {
  return names_answer(abuf, alen, qname, DNSREPLY_T_PTR, out);
}

int dnsreply_mx(const unsigned char *abuf, int alen, const char *qname,
                struct dnsreply_names *out) {
  return names_answer(abuf, alen, qname, DNSREPLY_T_MX, out);
}

/* TXT RDATA is one or more <character-string>s (a length byte, then that
 * many bytes) filling it exactly; an empty RDATA (no string) is accepted
 * as the empty text, as resolvers pass it on. */
static int txt_wellformed(const uint8_t *rd, int rdlen) {
  int p = 0;
  while (p < rdlen) p += 1 + rd[p];
  return p == rdlen;
}

int dnsreply_txt(const unsigned char *abuf, int alen, const char *qname, dnsreply_txt_cb cb,
                 void *arg) {
  struct ctx c;
  struct rr rr;
  size_t l;
  int cname = 0, found = 0;
  int st = prepare(&c, abuf, alen, qname, DNSREPLY_T_TXT, &cname);
  if (st != CONTINUE) return st;
  /* First pass: every TXT record of ours is well formed, or nothing is
   * reported. */
  int off = c.an_off;
  for (unsigned i = 0; i < c.ancount; i++) {
    int next = rr_next(abuf, alen, off, &rr, c.owner, &l);
    if (rr.type == DNSREPLY_T_TXT && rr.cls == CLASS_IN && on_chain(&c, c.owner, l)) {
      if (!txt_wellformed(abuf + rr.rd, rr.rdlen)) return DNS_BADRESP;
      found++;
    }
    off = next;
  }
  if (!found) return DNS_NODATA;
  off = c.an_off;
  for (unsigned i = 0; i < c.ancount; i++) {
    int next = rr_next(abuf, alen, off, &rr, c.owner, &l);
    if (rr.type == DNSREPLY_T_TXT && rr.cls == CLASS_IN && on_chain(&c, c.owner, l))
      if (cb && cb(arg, abuf + rr.rd, (size_t)rr.rdlen) != 0) break;
    off = next;
  }
  return DNS_OK;
}

size_t dnsreply_txt_join(const unsigned char *rdata, size_t rdlen, char *out, size_t cap) {
  size_t n = 0, p = 0;
  while (p < rdlen) {
    size_t l = rdata[p++];
    if (l > rdlen - p) l = rdlen - p;
    for (size_t j = 0; j < l; j++, n++)
      if (n + 1 < cap) out[n] = (char)rdata[p + j];
    p += l;
  }
  if (cap) out[n < cap ? n : cap - 1] = '\0';
  return n;
}

int dnsreply_addrs(const unsigned char *abuf, int alen, const char *qname, int family,
                   struct dnsreply_addrs *out) {
  struct ctx c;
  struct rr rr;
  size_t l;
  unsigned qtype;
  int alen_rd;

  out->n = out->total = 0;
  out->cname = out->dangling = out->want_seen = 0;
  if (family == 4) {
    qtype = DNSREPLY_T_A;
    alen_rd = 4;
  } else if (family == 6) {
    qtype = DNSREPLY_T_AAAA;
    alen_rd = 16;
  } else {
    return DNS_ERROR;
  }
  int st = prepare(&c, abuf, alen, qname, qtype, &out->cname);
  if (st != CONTINUE) return st;

  int off = c.an_off;
  for (unsigned i = 0; i < c.ancount; i++) {
    int next = rr_next(abuf, alen, off, &rr, c.owner, &l);
    if (rr.type == qtype && rr.cls == CLASS_IN && on_chain(&c, c.owner, l)) {
      if (rr.rdlen != alen_rd) {
        out->n = out->total = 0;
        out->want_seen = 0;
        return DNS_BADRESP;
      }
      struct addr a;
      memset(&a, 0, sizeof a);
      a.family = (uint8_t)family;
      memcpy(a.b, abuf + rr.rd, (size_t)alen_rd);
      /* Membership on every record, before the kept set drops any. */
      if (out->want && want_match(out, &a)) out->want_seen = 1;
      addrs_add(out, &a);
    }
    off = next;
  }
  if (out->total == 0) {
    out->dangling = out->cname;
    return DNS_NODATA;
  }
  return DNS_OK;
}

/* ---- TTLs for the answer cache (dnsreply_ttl, dnscache.h) ------------- */

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 2181 section 8: a TTL with the top bit set is treated as zero. */
static uint32_t ttl_value(uint32_t t) { return (t & 0x80000000u) ? 0 : t; }

int dnsreply_ttl(const unsigned char *abuf, int alen, struct dnsreply_ttl *out) {
  uint8_t tmp[DNSREPLY_WIRE_MAX];
  size_t l;
  struct rr rr;
  memset(out, 0, sizeof *out);
  if (!abuf || alen < HDR_LEN) return -EBADMSG;
  unsigned qd = rd16(abuf + 4), an = rd16(abuf + 6), ns = rd16(abuf + 8);
  int off = HDR_LEN;
  for (unsigned i = 0; i < qd; i++) {
    off = name_decode(abuf, alen, off, tmp, &l);
    if (off < 0 || off + 4 > alen) return -EBADMSG;
    off += 4;
  }
  uint32_t amin = 0;
  for (unsigned i = 0; i < an; i++) {
    int next = rr_next(abuf, alen, off, &rr, tmp, &l);
    if (next < 0) {
      memset(out, 0, sizeof *out);
      return -EBADMSG;
    }
    uint32_t t = ttl_value(rd32(abuf + rr.rd - 6));
    if (i == 0 || t < amin) amin = t;
    off = next;
  }
  out->answers = an;
  out->answer_min = amin;
  for (unsigned i = 0; i < ns; i++) {
    int next = rr_next(abuf, alen, off, &rr, tmp, &l);
    if (next < 0) {
      memset(out, 0, sizeof *out);
      return -EBADMSG;
    }
    if (rr.type == DNSREPLY_T_SOA && rr.cls == CLASS_IN && !out->soa) {
      /* MNAME, RNAME, then SERIAL REFRESH RETRY EXPIRE MINIMUM. */
      int p = name_decode(abuf, alen, rr.rd, tmp, &l);
      if (p >= 0) p = name_decode(abuf, alen, p, tmp, &l);
      if (p >= 0 && p + 20 <= rr.rd + rr.rdlen) {
        uint32_t ttl = ttl_value(rd32(abuf + rr.rd - 6));
        uint32_t min = ttl_value(rd32(abuf + p + 16));
        out->soa = 1;
        out->negative = ttl < min ? ttl : min;
      }
    }
    off = next;
  }
  return 0;
}
