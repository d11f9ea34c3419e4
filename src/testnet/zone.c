/*
 * zone.c - answer one DNS query from the algorithmic zone (see zone.h,
 * scenario.h and tests/testnet.md).
 *
 * A query name is first resolved to a "node" (out of zone, NXDOMAIN, empty
 * non-terminal, apex, reverse name of an address, RFC 2317 classless name,
 * or one forward name of an address); the reply is then written record by
 * record, following in-zone CNAMEs the way an authoritative server does
 * (RFC 1034 section 4.3.2 step 3a) and stopping at a loop.
 */
#include "zone.h"
#include "scenario.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

enum {
  T_A = 1, T_CNAME = 5, T_SOA = 6, T_PTR = 12, T_TXT = 16, T_AAAA = 28,
  T_OPT = 41
};
enum { R_NOERROR = 0, R_FORMERR = 1, R_SERVFAIL = 2, R_NXDOMAIN = 3,
       R_NOTIMP = 4, R_REFUSED = 5, R_BADVERS = 16 };

#define TTL 3600
#define COMP_MAX 64   /* compression targets remembered per reply */
#define CHASE_MAX 8   /* CNAMEs followed inside the zone */
#define LABELS_MAX 128

static uint8_t lc(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

/* ---- reply writer ------------------------------------------------------ */

struct pkt {
  uint8_t *p;
  size_t len, cap;
  int full; /* a write did not fit: the reply must be truncated */
  int ncomp;
  uint16_t comp[COMP_MAX]; /* offsets of label starts written literally */
  uint16_t an, ns, ar;
};

static void put_bytes(struct pkt *k, const void *b, size_t n) {
  if (k->full || k->len + n > k->cap) {
    k->full = 1;
    return;
  }
  memcpy(k->p + k->len, b, n);
  k->len += n;
}

static void put8(struct pkt *k, unsigned v) {
  uint8_t b = (uint8_t)v;
  put_bytes(k, &b, 1);
}

static void put16(struct pkt *k, unsigned v) {
  uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  put_bytes(k, b, 2);
}

static void put32(struct pkt *k, uint32_t v) {
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};
  put_bytes(k, b, 4);
}

/* Does the (possibly compressed) name at p[off] equal the uncompressed wire
 * name w, ignoring ASCII case?  Only walks names this writer produced. */
static int name_eq_at(const struct pkt *k, size_t off, const uint8_t *w) {
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
      if (lc(k->p[off + i]) != lc(w[i]))
        return 0;
    off += 1 + (size_t)c;
    w += 1 + c;
  }
}

/* Write wire name w, compressed against earlier names (RFC 1035 4.1.4).
 * Bytes are copied as given, so the question keeps the client's case. */
static void put_name(struct pkt *k, const uint8_t *w) {
  while (*w != 0) {
    for (int j = 0; j < k->ncomp; j++) {
      if (name_eq_at(k, k->comp[j], w)) {
        put16(k, 0xC000u | k->comp[j]);
        return;
      }
    }
    if (!k->full && k->len < 0x3FFF && k->ncomp < COMP_MAX)
      k->comp[k->ncomp++] = (uint16_t)k->len;
    put_bytes(k, w, 1 + (size_t)*w);
    w += 1 + *w;
  }
  put8(k, 0);
}

/* Owner, type, class IN, TTL and a placeholder rdlength; returns where the
 * rdlength goes, for rr_end(). */
static size_t rr_begin(struct pkt *k, const uint8_t *owner, unsigned type) {
  put_name(k, owner);
  put16(k, type);
  put16(k, 1);
  put32(k, TTL);
  size_t at = k->len;
  put16(k, 0);
  return at;
}

static void rr_end(struct pkt *k, size_t at) {
  if (k->full)
    return;
  size_t rdlen = k->len - at - 2;
  k->p[at] = (uint8_t)(rdlen >> 8);
  k->p[at + 1] = (uint8_t)rdlen;
}

static void rr_name(struct pkt *k, const uint8_t *owner, unsigned type,
                    const uint8_t *target) {
  size_t at = rr_begin(k, owner, type);
  put_name(k, target);
  rr_end(k, at);
  k->an++;
}

static void rr_addr(struct pkt *k, const uint8_t *owner, const struct tn_ip *a) {
  size_t at = rr_begin(k, owner, a->family == 4 ? T_A : T_AAAA);
  put_bytes(k, a->b, a->family == 4 ? 4 : 16);
  rr_end(k, at);
  k->an++;
}

/* ---- query names ------------------------------------------------------- */

struct labels {
  int n;
  const uint8_t *l[LABELS_MAX]; /* label bytes */
  uint8_t len[LABELS_MAX];
};

static void split(const uint8_t *w, struct labels *s) {
  s->n = 0;
  while (*w != 0 && s->n < LABELS_MAX) {
    s->l[s->n] = w + 1;
    s->len[s->n] = *w;
    s->n++;
    w += 1 + *w;
  }
}

static int label_is(const struct labels *s, int i, const char *str) {
  size_t n = strlen(str);
  if (i < 0 || i >= s->n || s->len[i] != n)
    return 0;
  for (size_t j = 0; j < n; j++)
    if (lc(s->l[i][j]) != (uint8_t)str[j])
      return 0;
  return 1;
}

/* A decimal octet label as a zone file would hold it: "0".."255", no
 * leading zeros.  Returns the value or -1. */
static int label_octet(const struct labels *s, int i) {
  const uint8_t *p = s->l[i];
  int n = s->len[i], v = 0;
  if (n < 1 || n > 3 || (n > 1 && p[0] == '0'))
    return -1;
  for (int j = 0; j < n; j++) {
    if (p[j] < '0' || p[j] > '9')
      return -1;
    v = v * 10 + (p[j] - '0');
  }
  return v <= 255 ? v : -1;
}

static int label_nibble(const struct labels *s, int i) {
  if (s->len[i] != 1)
    return -1;
  uint8_t c = lc(s->l[i][0]);
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static size_t wire_len(const uint8_t *w) {
  size_t n = 0;
  while (w[n] != 0)
    n += 1 + (size_t)w[n];
  return n + 1;
}

static int wire_eq(const uint8_t *a, const uint8_t *b) {
  for (;;) {
    if (*a != *b)
      return 0;
    if (*a == 0)
      return 1;
    for (size_t i = 1; i <= *a; i++)
      if (lc(a[i]) != lc(b[i]))
        return 0;
    b += 1 + *a;
    a += 1 + *a;
  }
}

enum node_kind { N_OUT, N_NX, N_ENT, N_APEX, N_REV, N_CLASSLESS, N_FWD };
enum zone_id { Z_FWD, Z_V4, Z_DB8, Z_LO6 };

struct node {
  int kind;
  int zone;
  struct tn_ip ip;
  int scn;
  struct tn_fwd fwd; /* N_FWD: the matching name */
};

static const char *const fwd_tags[] = {
  "pass", "noaddr", "mismatch", "multi", "pool", "classless", "tcp", "cname",
  "fwdfail", "odd", "static", "gone", "elsewhere", "wrongid", "wrongq",
  "many", "long", "ctl", "loop", "fwdrefused", "fwdtimeout", "chain", "mixed",
  "mx"
};

/* Is w one of the forward names of ip?  `many` is the index a "nDDD-" label
 * announces (or -1), so the 500-name scenario is not generated in full. */
static int try_fwd(const struct tn_ip *ip, const uint8_t *w, int many,
                   struct node *nd) {
  if (!tn_ip_served(ip))
    return 0;
  int scn = tn_dns_scenario(ip);
  int n = tn_fwd_count(ip, scn);
  for (int i = 0; i < n; i++) {
    if (scn == TN_DNS_MANY && many >= 0)
      i = many;
    if (tn_fwd_get(ip, scn, i, &nd->fwd) == 0 && wire_eq(nd->fwd.name, w)) {
      nd->kind = N_FWD;
      nd->ip = *ip;
      nd->scn = scn;
      return 1;
    }
    if (scn == TN_DNS_MANY && many >= 0)
      break;
  }
  return 0;
}

/* "dyn-<dashed address>": the generic scenario's label. */
static int parse_dashed(const uint8_t *p, size_t n, struct tn_ip *ip) {
  char buf[64];
  if (n < 5 || n - 4 >= sizeof buf || memcmp(p, "dyn-", 4) != 0)
    return -1;
  n -= 4;
  memcpy(buf, p + 4, n);
  buf[n] = '\0';
  memset(ip, 0, sizeof *ip);
  int dots = 0;
  for (size_t i = 0; i < n; i++)
    if (buf[i] == '-')
      dots++;
  if (dots == 3) {
    /* a-b-c-d, strictly decimal octets without leading zeros */
    int v = 0, digits = 0, o = 0;
    for (size_t i = 0; i <= n; i++) {
      if (i == n || buf[i] == '-') {
        if (digits == 0 || v > 255 || o > 3)
          return -1;
        ip->b[o++] = (uint8_t)v;
        v = digits = 0;
      } else if (buf[i] >= '0' && buf[i] <= '9' && !(digits == 1 && v == 0)) {
        v = v * 10 + (buf[i] - '0');
        digits++;
      } else {
        return -1;
      }
    }
    ip->family = 4;
    return 0;
  }
  for (size_t i = 0; i < n; i++)
    if (buf[i] == '-')
      buf[i] = ':';
  if (inet_pton(AF_INET6, buf, ip->b) != 1)
    return -1;
  ip->family = 6;
  return 0;
}

/* Resolve a forward name (labels end in tn.test). */
static void lookup_fwd(const uint8_t *w, const struct labels *s, struct node *nd) {
  nd->zone = Z_FWD;
  nd->kind = N_NX;
  if (s->n == 2) {
    nd->kind = N_APEX;
    return;
  }
  int tag = -1;
  for (size_t t = 0; t < sizeof fwd_tags / sizeof fwd_tags[0]; t++)
    if (label_is(s, s->n - 3, fwd_tags[t]))
      tag = (int)t;
  if (tag < 0)
    return;
  if (s->n == 3) {
    nd->kind = N_ENT;
    return;
  }
  if (label_is(s, s->n - 3, "long")) {
    /* ancestors of the long name: 1..3 labels of 63 'a's */
    int all_a = 1;
    for (int i = (s->n == 7 ? 1 : 0); i < s->n - 3; i++) {
      if (s->len[i] != 63)
        all_a = 0;
      for (int j = 0; all_a && j < 63; j++)
        if (lc(s->l[i][j]) != 'a')
          all_a = 0;
    }
    if (!all_a || s->n > 7)
      return;
    if (s->n < 7) {
      nd->kind = N_ENT;
      return;
    }
  } else if (s->n != 4) {
    return;
  }

  /* Candidate addresses: every maximal run of letters in the first label
   * that decodes as an address label.  The candidate is accepted only if
   * regenerating its names gives exactly w, so prefixes, suffixes and
   * non-canonical labels need no parsing of their own. */
  const uint8_t *p = s->l[0];
  size_t n = s->len[0];
  int many = -1;
  if (n > 5 && lc(p[0]) == 'n' && p[4] == '-' && p[1] >= '0' && p[1] <= '9' &&
      p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9')
    many = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  struct tn_ip ip;
  if (label_is(s, s->n - 3, "pool") && parse_dashed(p, n, &ip) == 0 &&
      try_fwd(&ip, w, -1, nd))
    return;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && ((p[j] | 0x20) >= 'a' && (p[j] | 0x20) <= 'z'))
      j++;
    if (j == i) {
      i++;
      continue;
    }
    if (j - i == 7) {
      char run[7];
      for (size_t k = 0; k < 7; k++)
        run[k] = (char)lc(p[i + k]);
      if (memcmp(run, "sixloop", 7) == 0) {
        memset(&ip, 0, sizeof ip);
        ip.family = 6;
        ip.b[15] = 1;
        if (try_fwd(&ip, w, many, nd))
          return;
      }
    } else if (tn_label_decode((const char *)p + i, j - i, &ip) == 0 &&
               try_fwd(&ip, w, many, nd)) {
      return;
    }
    i = j;
  }
  nd->kind = N_NX;
}

static void lookup_v4(const struct labels *s, struct node *nd) {
  int n = s->n; /* ... 127.in-addr.arpa */
  nd->zone = Z_V4;
  nd->kind = N_NX;
  if (n == 3) {
    nd->kind = N_APEX;
    return;
  }
  if (n == 4 || n == 5) {
    for (int i = 0; i < n - 3; i++)
      if (label_octet(s, i) < 0)
        return;
    nd->kind = N_ENT;
    return;
  }
  if (n == 6 || n == 7) {
    int c = label_octet(s, n - 5), b = label_octet(s, n - 4);
    if (b < 0 || c < 0)
      return;
    memset(&nd->ip, 0, sizeof nd->ip);
    nd->ip.family = 4;
    nd->ip.b[0] = 127, nd->ip.b[1] = (uint8_t)b, nd->ip.b[2] = (uint8_t)c;
    int half = -1;
    if (label_is(s, n - 6, "0/25"))
      half = 0;
    else if (label_is(s, n - 6, "128/25"))
      half = 1;
    if (n == 6) {
      int d = label_octet(s, 0);
      if (d >= 0) {
        nd->ip.b[3] = (uint8_t)d;
        nd->scn = tn_dns_scenario(&nd->ip);
        nd->kind = N_REV;
      } else if (half >= 0 && b == 64) {
        nd->kind = N_ENT; /* parent of RFC 2317 names */
      }
      return;
    }
    int d = label_octet(s, 0);
    if (d < 0 || half != (d >= 128))
      return;
    nd->ip.b[3] = (uint8_t)d;
    if (tn_dns_scenario(&nd->ip) == TN_DNS_CLASSLESS) {
      nd->scn = TN_DNS_CLASSLESS;
      nd->kind = N_CLASSLESS;
    }
  }
}

static void lookup_v6(const struct labels *s, struct node *nd) {
  static const uint8_t db8[8] = {2, 0, 0, 1, 0, 13, 11, 8};
  int k = s->n - 2; /* labels before ip6.arpa, most significant last */
  uint8_t nib[32];
  int valid = 1, have = 0;
  for (int i = 0; i < k && i < 32; i++) {
    int v = label_nibble(s, k - 1 - i);
    if (v < 0) {
      valid = 0;
      break;
    }
    nib[i] = (uint8_t)v;
    have++;
  }
  /* Which zone does the valid top of the name fall in? */
  int zone = -1;
  if (have >= 8 && memcmp(nib, db8, 8) == 0) {
    zone = Z_DB8;
  } else if (have >= 31) {
    int zeros = 1;
    for (int i = 0; i < 31; i++)
      if (nib[i] != 0)
        zeros = 0;
    if (zeros)
      zone = Z_LO6;
  }
  if (zone < 0) {
    nd->kind = N_OUT;
    return;
  }
  nd->zone = zone;
  nd->kind = N_NX;
  if (!valid || k > 32)
    return;
  if ((zone == Z_DB8 && k == 8) || (zone == Z_LO6 && k == 31)) {
    nd->kind = N_APEX;
    return;
  }
  if (k < 32) {
    nd->kind = zone == Z_DB8 ? N_ENT : N_NX;
    return;
  }
  memset(&nd->ip, 0, sizeof nd->ip);
  nd->ip.family = 6;
  for (int i = 0; i < 16; i++)
    nd->ip.b[i] = (uint8_t)(nib[2 * i] << 4 | nib[2 * i + 1]);
  if (!tn_ip_served(&nd->ip))
    return;
  nd->scn = tn_dns_scenario(&nd->ip);
  nd->kind = N_REV;
}

static void lookup(const uint8_t *w, struct node *nd) {
  struct labels s;
  split(w, &s);
  int n = s.n;
  nd->kind = N_OUT;
  nd->zone = -1;
  if (n >= 2 && label_is(&s, n - 2, "tn") && label_is(&s, n - 1, "test"))
    lookup_fwd(w, &s, nd);
  else if (n >= 3 && label_is(&s, n - 3, "127") &&
           label_is(&s, n - 2, "in-addr") && label_is(&s, n - 1, "arpa"))
    lookup_v4(&s, nd);
  else if (n >= 2 && label_is(&s, n - 2, "ip6") && label_is(&s, n - 1, "arpa"))
    lookup_v6(&s, nd);
}

/* ---- answers ----------------------------------------------------------- */

static size_t apex_name(int zone, uint8_t *out) {
  static const char lo6[] =
      "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa";
  const char *t = zone == Z_FWD  ? "tn.test"
                  : zone == Z_V4 ? "127.in-addr.arpa"
                  : zone == Z_DB8 ? "8.b.d.0.1.0.0.2.ip6.arpa"
                                  : lo6;
  return tn_name_from_text(t, strlen(t), out);
}

static void put_soa(struct pkt *k, int zone, int in_answer) {
  uint8_t apex[TN_NAME_MAX], mname[TN_NAME_MAX], rname[TN_NAME_MAX];
  apex_name(zone, apex);
  tn_name_from_text("ns.tn.test", 10, mname);
  tn_name_from_text("hostmaster.tn.test", 18, rname);
  size_t at = rr_begin(k, apex, T_SOA);
  put_name(k, mname);
  put_name(k, rname);
  put32(k, 1);     /* serial */
  put32(k, 3600);  /* refresh */
  put32(k, 600);   /* retry */
  put32(k, 86400); /* expire */
  put32(k, TTL);   /* minimum: the negative-caching TTL, RFC 2308 */
  rr_end(k, at);
  if (in_answer)
    k->an++;
  else
    k->ns++;
}

struct query {
  uint16_t id, flags;
  const uint8_t *qname; /* wire, inside the query */
  size_t qname_len;
  uint16_t qtype, qclass;
  int edns;             /* an OPT record was present */
  unsigned udp_size;
  unsigned edns_version;
  int do_bit;
};

struct reply {
  int aa, tc, rcode;
  uint16_t id;
};

static void write_header(struct pkt *k, const struct query *q, const struct reply *r) {
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

static void put_question(struct pkt *k, const uint8_t *qname, const struct query *q) {
  put_name(k, qname);
  put16(k, q->qtype);
  put16(k, q->qclass);
}

/* RFC 6891 section 6.1.3: reply with an OPT when the query had one. */
static void put_opt(struct pkt *k, const struct query *q, int rcode) {
  if (!q->edns)
    return;
  put8(k, 0);
  put16(k, T_OPT);
  put16(k, TN_DNS_UDP_MAX);
  put32(k, (uint32_t)(rcode >> 4) << 24 | (q->do_bit ? 0x8000u : 0));
  put16(k, 0);
  k->ar++;
}

static void pkt_init(struct pkt *k, uint8_t *out) {
  memset(k, 0, sizeof *k);
  k->p = out;
  k->cap = TN_DNS_OUT_MAX;
  k->len = 12;
}

/* The answer records for q (no header, question already written).  Returns
 * 0, or -1 to send nothing at all. */
static int answer(struct pkt *k, const struct query *q, int tcp, struct reply *r) {
  uint8_t cur[TN_NAME_MAX], seen[CHASE_MAX + 1][TN_NAME_MAX];
  int nseen = 0, soa_zone = -1;
  struct node nd;
  struct tn_fwd f;

  memcpy(cur, q->qname, q->qname_len);
  for (int hop = 0;; hop++) {
    memcpy(seen[nseen++], cur, wire_len(cur));
    lookup(cur, &nd);
    const uint8_t *target = NULL;
    uint8_t rev[TN_NAME_MAX];

    switch (nd.kind) {
    case N_OUT:
      if (hop == 0) {
        r->rcode = R_REFUSED;
        r->aa = 0;
      }
      break;
    case N_NX:
      r->rcode = R_NXDOMAIN;
      soa_zone = nd.zone;
      break;
    case N_ENT:
      soa_zone = nd.zone;
      break;
    case N_APEX:
      if (q->qtype == T_SOA)
        put_soa(k, nd.zone, 1);
      else
        soa_zone = nd.zone;
      break;
    case N_REV:
      if (nd.scn == TN_DNS_NXDOMAIN) {
        r->rcode = R_NXDOMAIN;
        soa_zone = nd.zone;
        break;
      }
      if (nd.scn == TN_DNS_CLASSLESS && nd.ip.family == 4) {
        /* RFC 2317: d.c.b.127 CNAME d.0/25.c.b.127 (or 128/25) */
        char t[64];
        size_t tl = (size_t)snprintf(t, sizeof t, "%u.%s.%u.%u.127.in-addr.arpa",
                                     nd.ip.b[3], nd.ip.b[3] < 128 ? "0/25" : "128/25",
                                     nd.ip.b[2], nd.ip.b[1]);
        tn_name_from_text(t, tl, rev);
        target = rev;
        break;
      }
      if (nd.scn == TN_DNS_CNAMELOOP && tn_fwd_get(&nd.ip, nd.scn, 0, &f) == 0) {
        target = f.name;
        break;
      }
      if (q->qtype == T_PTR) {
        /* Faults are applied by tn_dns_reply before we get here; at hop > 0
         * they simply have no PTR set. */
        int count = 0;
        int nf = tn_fwd_count(&nd.ip, nd.scn);
        if (nd.scn == TN_DNS_TRUNC && !tcp)
          nf = 0;
        for (int i = 0; i < nf; i++) {
          if (tn_fwd_get(&nd.ip, nd.scn, i, &f) == 0 && f.is_ptr) {
            rr_name(k, cur, T_PTR, f.name);
            count++;
          }
        }
        if (nd.scn == TN_DNS_TRUNC && !tcp)
          r->tc = 1;
        else if (count == 0)
          soa_zone = nd.zone;
      } else if (q->qtype == T_TXT && nd.scn == TN_DNS_NODATA) {
        static const char txt[] = "testnet: this name has no PTR";
        size_t at = rr_begin(k, cur, T_TXT);
        put8(k, sizeof txt - 1);
        put_bytes(k, txt, sizeof txt - 1);
        rr_end(k, at);
        k->an++;
      } else {
        soa_zone = nd.zone;
      }
      break;
    case N_CLASSLESS:
      if (q->qtype == T_PTR && tn_fwd_get(&nd.ip, nd.scn, 0, &f) == 0)
        rr_name(k, cur, T_PTR, f.name);
      else
        soa_zone = nd.zone;
      break;
    case N_FWD:
      switch (nd.fwd.kind) {
      case TN_FWD_ADDR:
        if ((q->qtype == T_A && nd.fwd.addr.family == 4) ||
            (q->qtype == T_AAAA && nd.fwd.addr.family == 6))
          rr_addr(k, cur, &nd.fwd.addr);
        else
          soa_zone = nd.zone;
        break;
      case TN_FWD_NOADDR:
        soa_zone = nd.zone;
        break;
      case TN_FWD_CNAME:
        if (tn_fwd_get(&nd.ip, nd.scn, nd.fwd.target, &f) == 0)
          target = f.name;
        break;
      case TN_FWD_CNAME_REV:
        tn_reverse_name(&nd.ip, rev);
        target = rev;
        break;
      case TN_FWD_SERVFAIL:
      case TN_FWD_REFUSED:
        if (hop == 0) {
          r->rcode = nd.fwd.kind == TN_FWD_SERVFAIL ? R_SERVFAIL : R_REFUSED;
          r->aa = 0;
        }
        break;
      case TN_FWD_NXDOMAIN:
        r->rcode = R_NXDOMAIN;
        soa_zone = nd.zone;
        break;
      case TN_FWD_DROP:
        if (hop == 0)
          return -1;
        break;
      }
      break;
    }

    if (!target)
      break;
    rr_name(k, cur, T_CNAME, target);
    if (q->qtype == T_CNAME || hop + 1 >= CHASE_MAX)
      break;
    int loop = 0;
    for (int i = 0; i < nseen; i++)
      if (wire_eq(seen[i], target))
        loop = 1;
    if (loop)
      break;
    memcpy(cur, target, wire_len(target));
  }
  /* RFC 2308 section 3: negative answers carry the zone's SOA. */
  if (soa_zone >= 0)
    put_soa(k, soa_zone, 0);
  return 0;
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
static int parse_query(const uint8_t *m, size_t len, struct query *q) {
  size_t off = 12;
  unsigned qd = (unsigned)m[4] << 8 | m[5], an = (unsigned)m[6] << 8 | m[7],
           ns = (unsigned)m[8] << 8 | m[9], ar = (unsigned)m[10] << 8 | m[11];
  if (qd != 1)
    return R_FORMERR;
  /* The question name: plain labels only (a client has nothing to point
   * back to), at most 255 octets. */
  for (;;) {
    if (off >= len)
      return R_FORMERR;
    uint8_t c = m[off];
    if (c & 0xC0)
      return R_FORMERR;
    off += 1 + (size_t)c;
    if (off - 12 > TN_NAME_MAX)
      return R_FORMERR;
    if (c == 0)
      break;
  }
  if (off + 4 > len)
    return R_FORMERR;
  q->qname = m + 12;
  q->qname_len = off - 12;
  q->qtype = (uint16_t)(m[off] << 8 | m[off + 1]);
  q->qclass = (uint16_t)(m[off + 2] << 8 | m[off + 3]);
  off += 4;
  for (unsigned i = 0; i < an + ns + ar; i++) {
    if (skip_name(m, len, &off) != 0 || off + 10 > len)
      return R_FORMERR;
    unsigned type = (unsigned)m[off] << 8 | m[off + 1];
    unsigned cls = (unsigned)m[off + 2] << 8 | m[off + 3];
    uint32_t ttl = (uint32_t)m[off + 4] << 24 | (uint32_t)m[off + 5] << 16 |
                   (uint32_t)m[off + 6] << 8 | m[off + 7];
    size_t rdlen = (size_t)m[off + 8] << 8 | m[off + 9];
    if (off + 10 + rdlen > len)
      return R_FORMERR;
    if (i >= an + ns && type == T_OPT) {
      if (q->edns) /* RFC 6891 6.1.1: more than one OPT is FORMERR */
        return R_FORMERR;
      q->edns = 1;
      q->udp_size = cls;
      q->edns_version = (ttl >> 16) & 0xFF;
      q->do_bit = (ttl & 0x8000u) != 0;
    }
    off += 10 + rdlen;
  }
  return 0;
}

/* The special replies of the PTR fault scenarios. */
static void build_comploop(struct pkt *k, const struct query *q) {
  put_question(k, q->qname, q);
  size_t self = k->len;
  put16(k, 0xC000u | (unsigned)self); /* the owner points at itself */
  put16(k, T_PTR);
  put16(k, 1);
  put32(k, TTL);
  put16(k, 2);
  put16(k, 0xC00C); /* rdata: the question name */
  k->an = 1;
}

static void build_malformed(struct pkt *k, const struct query *q, const struct tn_ip *ip) {
  struct tn_fwd f;
  tn_fwd_get(ip, TN_DNS_PASS, 0, &f);
  put_question(k, q->qname, q);
  put16(k, 0xC00C);
  put16(k, T_PTR);
  put16(k, 1);
  put32(k, TTL);
  put16(k, (unsigned)f.namelen); /* announces the whole name ... */
  put_bytes(k, f.name, f.namelen / 2); /* ... and the message ends here */
  k->an = 1;
}

static size_t finish(struct pkt *k, const struct query *q, struct reply *r,
                     int tcp, struct tn_dns_info *info) {
  size_t limit = TN_DNS_OUT_MAX;
  if (!tcp) {
    limit = 512;
    if (q->edns && q->udp_size > 512)
      limit = q->udp_size < TN_DNS_UDP_MAX ? q->udp_size : TN_DNS_UDP_MAX;
  }
  put_opt(k, q, r->rcode);
  if (k->full || k->len > limit) {
    /* RFC 2181 9 / RFC 1035 4.2.1: too big for the transport, so send
     * the question only, with TC set; the client retries over TCP. */
    k->len = 12;
    k->full = 0;
    k->ncomp = 0;
    k->an = k->ns = k->ar = 0;
    r->tc = 1;
    put_question(k, q->qname, q);
    put_opt(k, q, r->rcode);
  }
  write_header(k, q, r);
  info->rcode = r->rcode;
  info->truncated = r->tc;
  return k->len;
}

static size_t reply(const uint8_t *m, size_t len, int transport, int force,
                    uint8_t *out, struct tn_dns_info *info) {
  struct query q;
  struct reply r;
  struct pkt k;
  int tcp = transport == TN_TCP;

  memset(info, 0, sizeof *info);
  info->qtype = -1;
  info->rcode = -1;
  if (len < 12 || (m[2] & 0x80)) {
    /* Not a query we can even answer with FORMERR; never answer a
     * response (that is how reflection loops start). */
    info->dropped = 1;
    info->formerr = 1;
    return 0;
  }
  memset(&q, 0, sizeof q);
  memset(&r, 0, sizeof r);
  q.id = (uint16_t)(m[0] << 8 | m[1]);
  q.flags = (uint16_t)(m[2] << 8 | m[3]);
  r.id = q.id;
  r.aa = 1;
  pkt_init(&k, out);

  int rc = parse_query(m, len, &q);
  if (rc != 0) {
    info->formerr = 1;
    q.qname = NULL;
    q.edns = 0;
    r.aa = 0;
    r.rcode = rc;
    write_header(&k, &q, &r);
    info->rcode = rc;
    return k.len;
  }
  info->qtype = q.qtype;
  unsigned opcode = (q.flags >> 11) & 15;
  if (opcode != 0 || q.edns_version != 0 || q.qclass != 1) {
    r.aa = 0;
    r.rcode = opcode != 0 ? R_NOTIMP : q.edns_version != 0 ? R_BADVERS : R_REFUSED;
    put_question(&k, q.qname, &q);
    return finish(&k, &q, &r, tcp, info);
  }
  if (force >= 0) {
    r.aa = 0;
    r.rcode = force;
    put_question(&k, q.qname, &q);
    return finish(&k, &q, &r, tcp, info);
  }

  /* PTR fault scenarios change the whole message, not just the records. */
  uint8_t altered[TN_NAME_MAX];
  if (q.qtype == T_PTR) {
    struct node nd;
    lookup(q.qname, &nd);
    if (nd.kind == N_REV) {
      switch (nd.scn) {
      case TN_DNS_SERVFAIL:
      case TN_DNS_REFUSED:
        r.aa = 0;
        r.rcode = nd.scn == TN_DNS_SERVFAIL ? R_SERVFAIL : R_REFUSED;
        put_question(&k, q.qname, &q);
        return finish(&k, &q, &r, tcp, info);
      case TN_DNS_DROP:
        info->dropped = 1;
        return 0;
      case TN_DNS_WRONGID:
        r.id = (uint16_t)(q.id + 1);
        break;
      case TN_DNS_WRONGQ: {
        /* A coherent answer to another question: the reverse name of the
         * address one below (its last byte is odd, so flipping the low
         * bit of the first label's last character gives that name). */
        struct tn_fwd f;
        memcpy(altered, q.qname, q.qname_len);
        altered[altered[0]] ^= 1;
        put_question(&k, altered, &q);
        if (tn_fwd_get(&nd.ip, nd.scn, 0, &f) == 0)
          rr_name(&k, altered, T_PTR, f.name);
        return finish(&k, &q, &r, tcp, info);
      }
      case TN_DNS_COMPLOOP:
        build_comploop(&k, &q);
        return finish(&k, &q, &r, tcp, info);
      case TN_DNS_MALFORMED: {
        /* no OPT after the cut: the message must end inside the rdata */
        struct query plain = q;
        plain.edns = 0;
        build_malformed(&k, &plain, &nd.ip);
        return finish(&k, &plain, &r, tcp, info);
      }
      default:
        break;
      }
    }
  }
  put_question(&k, q.qname, &q);
  if (answer(&k, &q, tcp, &r) != 0) {
    info->dropped = 1;
    return 0;
  }
  return finish(&k, &q, &r, tcp, info);
}

size_t tn_dns_reply(const uint8_t *m, size_t len, int transport, uint8_t *out,
                    struct tn_dns_info *info) {
  return reply(m, len, transport, -1, out, info);
}

size_t tn_dns_refuse(const uint8_t *m, size_t len, int transport, uint8_t *out,
                     struct tn_dns_info *info) {
  return reply(m, len, transport, R_REFUSED, out, info);
}
