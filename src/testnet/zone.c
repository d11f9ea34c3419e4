/* SPDX-License-Identifier: MIT */
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
#include "dnsbl.h"
#include "dnswire.h"
#include "zonename.h"
#include "scenario.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define CHASE_MAX 8   /* CNAMEs followed inside the zone */

/* ---- answers ----------------------------------------------------------- */

static size_t apex_name(int zone, uint8_t *out) {
  static const char lo6[] =
      "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa";
  if (zone == ZN_Z_ROOT) {
    out[0] = 0;
    return 1;
  }
  const char *t = zone == ZN_Z_FWD  ? "tn.test"
                  : zone == ZN_Z_V4 ? "127.in-addr.arpa"
                  : zone == ZN_Z_DB8 ? "8.b.d.0.1.0.0.2.ip6.arpa"
                                  : lo6;
  return tn_name_from_text(t, strlen(t), out);
}

static void put_soa(struct dw_pkt *k, int zone, int in_answer) {
  uint8_t apex[TN_NAME_MAX], mname[TN_NAME_MAX], rname[TN_NAME_MAX];
  apex_name(zone, apex);
  tn_name_from_text("ns.tn.test", 10, mname);
  tn_name_from_text("hostmaster.tn.test", 18, rname);
  size_t at = dw_rr_begin(k, apex, DW_T_SOA);
  dw_name(k, mname);
  dw_name(k, rname);
  dw_u32(k, 1);     /* serial */
  dw_u32(k, 3600);  /* refresh */
  dw_u32(k, 600);   /* retry */
  dw_u32(k, 86400); /* expire */
  dw_u32(k, DW_TTL); /* minimum: the negative-caching TTL, RFC 2308 */
  dw_rr_end(k, at);
  if (in_answer)
    k->an++;
  else
    k->ns++;
}

/* NS ns.tn.test at an apex, with the server's own address as glue in the
 * additional section (what a resolver needs to go on asking us). */
static void put_apex_ns(struct dw_pkt *k, const struct tn_zone_cfg *cfg, int zone) {
  uint8_t apex[TN_NAME_MAX], ns[TN_NAME_MAX];
  apex_name(zone, apex);
  tn_name_from_text("ns.tn.test", 10, ns);
  dw_rr_name(k, apex, DW_T_NS, ns);
  dw_rr_addr(k, ns, &cfg->ns_addr);
  k->an--; /* the address record is glue: additional section */
  k->ar++;
}

/* State of one answer being built: the records for the current name of a
 * CNAME chain, and where the chain goes next. */
struct walk {
  struct dw_pkt *k;
  const struct dw_query *q;
  const struct tn_zone_cfg *cfg;
  struct dw_reply *r;
  int tcp, hop;
  int soa_zone;           /* >= 0: add that zone's SOA (negative answer) */
  const struct tn_zdata *soa_zd;    /* else, with soa_apex: a data apex's SOA */
  const struct tn_znode *soa_apex;
  const uint8_t *target;  /* CNAME target, or NULL: the chain ends */
  uint32_t target_ttl;
  uint8_t rev[TN_NAME_MAX];
};

static void at_apex(struct walk *w, const struct zn_node *nd) {
  if (w->q->qtype == DW_T_SOA)
    put_soa(w->k, nd->zone, 1);
  else if (w->q->qtype == DW_T_NS && w->hop == 0)
    put_apex_ns(w->k, w->cfg, nd->zone);
  else
    w->soa_zone = nd->zone;
}

/* The PTR set of a reverse name (faults were applied before). */
static void rev_ptrs(struct walk *w, const struct zn_node *nd, const uint8_t *cur) {
  struct tn_fwd f;
  int count = 0, trunc = nd->scn == TN_DNS_TRUNC && !w->tcp;
  int nf = trunc ? 0 : tn_fwd_count(&nd->ip, nd->scn);
  for (int i = 0; i < nf; i++) {
    if (tn_fwd_get(&nd->ip, nd->scn, i, &f) == 0 && f.is_ptr) {
      dw_rr_name(w->k, cur, DW_T_PTR, f.name);
      count++;
    }
  }
  if (trunc)
    w->r->tc = 1;
  else if (count == 0)
    w->soa_zone = nd->zone;
}

static void at_rev(struct walk *w, const struct zn_node *nd, const uint8_t *cur) {
  struct tn_fwd f;
  if (nd->scn == TN_DNS_NXDOMAIN) {
    w->r->rcode = DW_R_NXDOMAIN;
    w->soa_zone = nd->zone;
  } else if (nd->scn == TN_DNS_CLASSLESS && nd->ip.family == 4) {
    /* RFC 2317: d.c.b.127 CNAME d.0/25.c.b.127 (or 128/25) */
    char t[64];
    size_t tl = (size_t)snprintf(t, sizeof t, "%u.%s.%u.%u.127.in-addr.arpa",
                                 nd->ip.b[3], nd->ip.b[3] < 128 ? "0/25" : "128/25",
                                 nd->ip.b[2], nd->ip.b[1]);
    tn_name_from_text(t, tl, w->rev);
    w->target = w->rev;
  } else if (nd->scn == TN_DNS_CNAMELOOP && tn_fwd_get(&nd->ip, nd->scn, 0, &f) == 0) {
    memcpy(w->rev, f.name, f.namelen);
    w->target = w->rev;
  } else if (w->q->qtype == DW_T_PTR) {
    rev_ptrs(w, nd, cur);
  } else if (w->q->qtype == DW_T_TXT && nd->scn == TN_DNS_NODATA) {
    static const char txt[] = "testnet: this name has no PTR";
    size_t at = dw_rr_begin(w->k, cur, DW_T_TXT);
    dw_u8(w->k, sizeof txt - 1);
    dw_bytes(w->k, txt, sizeof txt - 1);
    dw_rr_end(w->k, at);
    w->k->an++;
  } else {
    w->soa_zone = nd->zone;
  }
}

/* Returns -1 when the query must not be answered at all. */
static int at_fwd(struct walk *w, const struct zn_node *nd, const uint8_t *cur) {
  struct tn_fwd f;
  unsigned qt = w->q->qtype;
  switch (nd->fwd.kind) {
  case TN_FWD_ADDR:
    if ((qt == DW_T_A && nd->fwd.addr.family == 4) ||
        (qt == DW_T_AAAA && nd->fwd.addr.family == 6))
      dw_rr_addr(w->k, cur, &nd->fwd.addr);
    else
      w->soa_zone = nd->zone;
    break;
  case TN_FWD_NOADDR:
    w->soa_zone = nd->zone;
    break;
  case TN_FWD_CNAME:
    if (tn_fwd_get(&nd->ip, nd->scn, nd->fwd.target, &f) == 0) {
      memcpy(w->rev, f.name, f.namelen);
      w->target = w->rev;
    }
    break;
  case TN_FWD_CNAME_REV:
    tn_reverse_name(&nd->ip, w->rev);
    w->target = w->rev;
    break;
  case TN_FWD_SERVFAIL:
  case TN_FWD_REFUSED:
    if (w->hop == 0) {
      w->r->rcode = nd->fwd.kind == TN_FWD_SERVFAIL ? DW_R_SERVFAIL : DW_R_REFUSED;
      w->r->aa = 0;
    }
    break;
  case TN_FWD_NXDOMAIN:
    w->r->rcode = DW_R_NXDOMAIN;
    w->soa_zone = nd->zone;
    break;
  case TN_FWD_DROP:
    return w->hop == 0 ? -1 : 0;
  }
  return 0;
}

/* ---- records given as data (zonedata.h) -------------------------------- */

/* One data record, names compressed like every other name we write. */
static void put_data_rr(struct dw_pkt *k, const uint8_t *owner, const struct tn_zrr *rr) {
  k->ttl = rr->ttl;
  size_t at = dw_rr_begin(k, owner, rr->type);
  switch (rr->type) {
  case DW_T_CNAME:
  case DW_T_PTR:
  case DW_T_NS:
    dw_name(k, rr->data);
    break;
  case TN_ZD_T_MX:
    dw_bytes(k, rr->data, 2);
    dw_name(k, rr->data + 2);
    break;
  case DW_T_SOA: {
    size_t m = dw_wire_len(rr->data);
    size_t r = dw_wire_len(rr->data + m);
    dw_name(k, rr->data);
    dw_name(k, rr->data + m);
    dw_bytes(k, rr->data + m + r, 20);
    break;
  }
  default:
    dw_bytes(k, rr->data, rr->len);
    break;
  }
  dw_rr_end(k, at);
  k->ttl = DW_TTL;
}

/* The written node (not an ancestor only) of cur: --zone-file data first,
 * then the built-in records.  Returns 1 and sets *zd, *nd, or 0. */
static int data_node(const struct tn_zone_cfg *cfg, const uint8_t *cur,
                     const struct tn_zdata **zd, const struct tn_znode **nd) {
  const struct tn_zdata *z[2] = {cfg->files, cfg->zone_only ? NULL : cfg->builtin};
  for (int i = 0; i < 2; i++) {
    const struct tn_znode *n = tn_zdata_find(z[i], cur);
    if (n && !n->ent) {
      *zd = z[i];
      *nd = n;
      return 1;
    }
  }
  return 0;
}

/* Is cur an ancestor of data names (an empty non-terminal)? */
static int data_ent(const struct tn_zone_cfg *cfg, const uint8_t *cur) {
  return tn_zdata_find(cfg->files, cur) != NULL ||
         (!cfg->zone_only && tn_zdata_find(cfg->builtin, cur) != NULL);
}

/* Negative answer for a name of the data: the SOA of the closest zone
 * holding it, a data apex or the zone of the address plan (`zone`, -1 for
 * none); else the root's. */
static int labels(const uint8_t *w) {
  int n = 0;
  for (; *w; w += 1 + *w)
    n++;
  return n;
}

static void data_soa(struct walk *w, const uint8_t *cur, int zone) {
  const struct tn_zdata *z[2] = {w->cfg->files, w->cfg->zone_only ? NULL : w->cfg->builtin};
  uint8_t ap[TN_NAME_MAX];
  int plan = zone >= 0 ? (apex_name(zone, ap), labels(ap)) : -1;
  for (int i = 0; i < 2; i++) {
    const struct tn_znode *a = tn_zdata_apex(z[i], cur);
    if (a && labels(a->name) > plan) { /* the closest zone wins */
      w->soa_zd = z[i];
      w->soa_apex = a;
      return;
    }
  }
  w->soa_zone = zone >= 0 ? zone : ZN_Z_ROOT;
}

/* The answer from a data node: the records of the asked type (all for
 * ANY), or its CNAME; TIMEOUT drops types it has no record of.  Returns -1
 * when the query must not be answered. */
static int at_data(struct walk *w, const struct tn_zdata *zd, const struct tn_znode *nd,
                   const uint8_t *cur) {
  unsigned qt = w->q->qtype;
  struct tn_zrr rr;
  int n = 0;
  for (int i = 0; i < nd->nrr; i++) {
    tn_zdata_rr(zd, nd, i, &rr);
    if (rr.type == DW_T_CNAME && qt != DW_T_CNAME && qt != TN_ZD_T_ANY) {
      memcpy(w->rev, rr.data, dw_wire_len(rr.data));
      w->target = w->rev;
      w->target_ttl = rr.ttl;
      return 0;
    }
  }
  for (int i = 0; i < nd->nrr; i++) {
    tn_zdata_rr(zd, nd, i, &rr);
    if (rr.type == qt || qt == TN_ZD_T_ANY) {
      put_data_rr(w->k, cur, &rr);
      w->k->an++;
      n++;
    }
  }
  if (n == 0 && nd->timeout)
    return -1;
  if (n == 0) {
    struct zn_node z;
    z.zone = -1;
    if (!w->cfg->zone_only)
      zn_lookup(w->cfg, cur, &z);
    data_soa(w, cur, z.zone);
  }
  return 0;
}

/* A name the address plan does not know (ZN_OUT) or says is NXDOMAIN
 * (ZN_NX): an ancestor of data names is NODATA, a name under a data apex
 * NXDOMAIN; with --zone-file every other name outside the plan's zones is
 * NXDOMAIN with the root's SOA.  Returns 0 when the plan's answer stands. */
static int data_negative(struct walk *w, const struct zn_node *nd, const uint8_t *cur) {
  const struct tn_zdata *z[2] = {w->cfg->files, w->cfg->zone_only ? NULL : w->cfg->builtin};
  if (data_ent(w->cfg, cur)) {
    data_soa(w, cur, nd->kind == ZN_NX ? nd->zone : -1);
    return 1;
  }
  if (nd->kind != ZN_OUT)
    return 0;
  for (int i = 0; i < 2; i++) {
    const struct tn_znode *a = tn_zdata_apex(z[i], cur);
    if (a) {
      w->r->rcode = DW_R_NXDOMAIN;
      w->soa_zd = z[i];
      w->soa_apex = a;
      return 1;
    }
  }
  if (w->cfg->files) {
    w->r->rcode = DW_R_NXDOMAIN;
    w->soa_zone = ZN_Z_ROOT;
    return 1;
  }
  return 0;
}

/* The blocklist zone bl.tn.test (dnsbl.h).  Returns -1: no answer. */
static int at_bl(struct walk *w, const uint8_t *cur) {
  struct zn_labels s;
  struct tn_bl b;
  zn_split(cur, &s);
  tn_bl_lookup(&s, &b);
  switch (b.kind) {
  case TN_BL_TIMEOUT:
    return -1;
  case TN_BL_SERVFAIL:
    if (w->hop == 0) {
      w->r->rcode = DW_R_SERVFAIL;
      w->r->aa = 0;
    }
    return 0;
  case TN_BL_NOTLISTED:
    w->r->rcode = DW_R_NXDOMAIN;
    w->soa_zone = ZN_Z_FWD;
    return 0;
  case TN_BL_ENT:
    w->soa_zone = ZN_Z_FWD;
    return 0;
  }
  int n = 0;
  for (int i = 0; i < b.ncodes; i++) {
    if (w->q->qtype == DW_T_A || w->q->qtype == TN_ZD_T_ANY) {
      struct tn_ip a = {.family = 4};
      memcpy(a.b, b.code[i], 4);
      dw_rr_addr(w->k, cur, &a);
      n++;
    }
    if (b.txt && (w->q->qtype == DW_T_TXT || w->q->qtype == TN_ZD_T_ANY)) {
      char t[256];
      size_t tl = tn_bl_txt(&b, i, t, sizeof t);
      size_t at = dw_rr_begin(w->k, cur, DW_T_TXT);
      dw_u8(w->k, (unsigned)tl);
      dw_bytes(w->k, t, tl);
      dw_rr_end(w->k, at);
      w->k->an++;
      n++;
    }
  }
  if (n == 0)
    w->soa_zone = ZN_Z_FWD;
  return 0;
}

/* The records for one name of the chain; -1: send nothing. */
static int at_node(struct walk *w, const struct zn_node *nd, const uint8_t *cur) {
  struct tn_fwd f;
  if ((nd->kind == ZN_OUT || nd->kind == ZN_NX) && data_negative(w, nd, cur))
    return 0;
  switch (nd->kind) {
  case ZN_OUT:
    if (w->hop == 0) {
      w->r->rcode = DW_R_REFUSED;
      w->r->aa = 0;
    }
    break;
  case ZN_NX:
    w->r->rcode = DW_R_NXDOMAIN;
    w->soa_zone = nd->zone;
    break;
  case ZN_ENT:
    w->soa_zone = nd->zone;
    break;
  case ZN_APEX:
    at_apex(w, nd);
    break;
  case ZN_REV:
    at_rev(w, nd, cur);
    break;
  case ZN_CLASSLESS:
    if (w->q->qtype == DW_T_PTR && tn_fwd_get(&nd->ip, nd->scn, 0, &f) == 0)
      dw_rr_name(w->k, cur, DW_T_PTR, f.name);
    else
      w->soa_zone = nd->zone;
    break;
  case ZN_FWD:
    return at_fwd(w, nd, cur);
  case ZN_BL:
    return at_bl(w, cur);
  }
  return 0;
}

/* The answer records for q (question already written), following in-zone
 * CNAMEs up to CHASE_MAX and stopping at a loop.  Returns 0, or -1 to send
 * nothing at all. */
static int answer(struct walk *w) {
  uint8_t cur[TN_NAME_MAX], seen[CHASE_MAX + 1][TN_NAME_MAX];
  int nseen = 0;
  struct zn_node nd;

  w->soa_zone = -1;
  w->soa_apex = NULL;
  memcpy(cur, w->q->qname, w->q->qname_len);
  for (w->hop = 0;; w->hop++) {
    const struct tn_zdata *zd;
    const struct tn_znode *dn;
    memcpy(seen[nseen++], cur, dw_wire_len(cur));
    w->target = NULL;
    w->target_ttl = DW_TTL;
    if (data_node(w->cfg, cur, &zd, &dn)) {
      if (at_data(w, zd, dn, cur) != 0)
        return -1;
    } else {
      if (w->cfg->zone_only)
        nd.kind = ZN_OUT, nd.zone = -1;
      else
        zn_lookup(w->cfg, cur, &nd);
      if (at_node(w, &nd, cur) != 0)
        return -1;
    }
    if (!w->target)
      break;
    w->k->ttl = w->target_ttl;
    dw_rr_name(w->k, cur, DW_T_CNAME, w->target);
    w->k->ttl = DW_TTL;
    if (w->q->qtype == DW_T_CNAME || w->hop + 1 >= CHASE_MAX)
      break;
    int loop = 0;
    for (int i = 0; i < nseen; i++)
      if (dw_wire_eq(seen[i], w->target))
        loop = 1;
    if (loop)
      break;
    memcpy(cur, w->target, dw_wire_len(w->target));
  }
  /* RFC 2308 section 3: negative answers carry the zone's SOA. */
  if (w->soa_apex) {
    struct tn_zrr rr;
    for (int i = 0; i < w->soa_apex->nrr; i++) {
      tn_zdata_rr(w->soa_zd, w->soa_apex, i, &rr);
      if (rr.type == DW_T_SOA) {
        put_data_rr(w->k, w->soa_apex->name, &rr);
        w->k->ns++;
        break;
      }
    }
  } else if (w->soa_zone >= 0) {
    put_soa(w->k, w->soa_zone, 0);
  }
  return 0;
}

/* ---- lame delegations -------------------------------------------------- */

/* Is qname in the reverse tree of a --dns-lame block?  The longest run of
 * canonical decimal labels right before 127.in-addr.arpa (at most three)
 * names a block 127.B/16, 127.B.C/24 or the address 127.B.C.D; the name is
 * lame when that block lies inside a lame range.  *cut gets the offset in
 * qname of the delegation point: the range's own reverse name, rounded to
 * whole octets (a /20 is delegated per /24, a /25 per address). */
static int lame_cut(const struct tn_zone_cfg *cfg, const uint8_t *qname, size_t *cut) {
  struct zn_labels s;
  zn_split(qname, &s);
  int n = s.n, m = 0;
  if (cfg->nlame == 0 || n < 4 || !zn_label_is(&s, n - 3, "127") ||
      !zn_label_is(&s, n - 2, "in-addr") || !zn_label_is(&s, n - 1, "arpa"))
    return 0;
  uint32_t first = 127u << 24;
  while (m < 3 && n - 4 - m >= 0) {
    int o = zn_label_octet(&s, n - 4 - m);
    if (o < 0)
      break;
    first |= (uint32_t)o << (16 - 8 * m);
    m++;
  }
  if (m == 0)
    return 0;
  uint32_t last = m == 3 ? first : first | (0xFFFFFFFFu >> (8 + 8 * m));
  for (size_t i = 0; i < cfg->nlame; i++) {
    const struct tn_range *l = &cfg->lame[i];
    if (first < l->first || last > l->last)
      continue;
    int prefix = 32 - __builtin_ctz(l->last - l->first + 1); /* CIDR blocks */
    int k = (prefix + 7) / 8 - 1; /* octets after 127 in the cut */
    if (k < 1)
      k = 1;
    *cut = (size_t)(s.l[n - 4 - (k - 1)] - 1 - qname);
    return 1;
  }
  return 0;
}

/* A referral (RFC 1034 4.3.2 step 3b): no answer, AA clear, the cut's NS
 * ns.lame.tn.test in the authority section. */
static void put_referral(struct dw_pkt *k, const uint8_t *cut, struct dw_reply *r) {
  uint8_t ns[TN_NAME_MAX];
  tn_name_from_text("ns.lame.tn.test", 15, ns);
  dw_rr_name(k, cut, DW_T_NS, ns);
  k->an--;
  k->ns++;
  r->aa = 0;
}

/* ---- whole replies ----------------------------------------------------- */

/* The special replies of the PTR fault scenarios. */
static void build_comploop(struct dw_pkt *k, const struct dw_query *q) {
  dw_question(k, q->qname, q);
  size_t self = k->len;
  dw_u16(k, 0xC000u | (unsigned)self); /* the owner points at itself */
  dw_u16(k, DW_T_PTR);
  dw_u16(k, 1);
  dw_u32(k, DW_TTL);
  dw_u16(k, 2);
  dw_u16(k, 0xC00C); /* rdata: the question name */
  k->an = 1;
}

static void build_malformed(struct dw_pkt *k, const struct dw_query *q, const struct tn_ip *ip) {
  struct tn_fwd f;
  tn_fwd_get(ip, TN_DNS_PASS, 0, &f);
  dw_question(k, q->qname, q);
  dw_u16(k, 0xC00C);
  dw_u16(k, DW_T_PTR);
  dw_u16(k, 1);
  dw_u32(k, DW_TTL);
  dw_u16(k, (unsigned)f.namelen); /* announces the whole name ... */
  dw_bytes(k, f.name, f.namelen / 2); /* ... and the message ends here */
  k->an = 1;
}

static size_t finish(struct dw_pkt *k, const struct dw_query *q, struct dw_reply *r,
                     int tcp, struct tn_dns_info *info) {
  size_t limit = TN_DNS_OUT_MAX;
  if (!tcp) {
    limit = 512;
    if (q->edns && q->udp_size > 512)
      limit = q->udp_size < TN_DNS_UDP_MAX ? q->udp_size : TN_DNS_UDP_MAX;
  }
  dw_opt(k, q, r->rcode);
  if (k->full || k->len > limit) {
    /* RFC 2181 9 / RFC 1035 4.2.1: too big for the transport, so send
     * the question only, with TC set; the client retries over TCP. */
    k->len = 12;
    k->full = 0;
    k->ncomp = 0;
    k->an = k->ns = k->ar = 0;
    r->tc = 1;
    dw_question(k, q->qname, q);
    dw_opt(k, q, r->rcode);
  }
  dw_header(k, q, r);
  info->rcode = r->rcode;
  info->truncated = r->tc;
  return k->len;
}

/* PTR fault scenarios change the whole message, not just the records.
 * Returns the reply length, 0 to send nothing, or -1 when the address has
 * no such fault (answer normally). */
static long ptr_fault(const struct tn_zone_cfg *cfg, struct dw_pkt *k, const struct dw_query *q,
                      struct dw_reply *r, int tcp, struct tn_dns_info *info) {
  struct zn_node nd;
  zn_lookup(cfg, q->qname, &nd);
  if (nd.kind != ZN_REV)
    return -1;
  switch (nd.scn) {
  case TN_DNS_SERVFAIL:
  case TN_DNS_REFUSED:
    r->aa = 0;
    r->rcode = nd.scn == TN_DNS_SERVFAIL ? DW_R_SERVFAIL : DW_R_REFUSED;
    dw_question(k, q->qname, q);
    return (long)finish(k, q, r, tcp, info);
  case TN_DNS_DROP:
    info->dropped = 1;
    return 0;
  case TN_DNS_WRONGID:
    r->id = (uint16_t)(q->id + 1);
    return -1;
  case TN_DNS_WRONGQ: {
    /* A coherent answer to another question: the reverse name of the
     * address one below (its last byte is odd, so flipping the low bit of
     * the first label's last character gives that name). */
    struct tn_fwd f;
    uint8_t altered[TN_NAME_MAX];
    memcpy(altered, q->qname, q->qname_len);
    altered[altered[0]] ^= 1;
    dw_question(k, altered, q);
    if (tn_fwd_get(&nd.ip, nd.scn, 0, &f) == 0)
      dw_rr_name(k, altered, DW_T_PTR, f.name);
    return (long)finish(k, q, r, tcp, info);
  }
  case TN_DNS_COMPLOOP:
    build_comploop(k, q);
    return (long)finish(k, q, r, tcp, info);
  case TN_DNS_MALFORMED: {
    /* no OPT after the cut: the message must end inside the rdata */
    struct dw_query plain = *q;
    plain.edns = 0;
    build_malformed(k, &plain, &nd.ip);
    return (long)finish(k, &plain, r, tcp, info);
  }
  default:
    return -1;
  }
}

/* FNV-1a (32 bits) of the lower-cased wire query name, then the query type
 * (two bytes, big-endian): the key of --dns-delay (tests/testnet.md). */
static uint32_t query_hash(const struct dw_query *q) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < q->qname_len; i++)
    h = (h ^ dw_lc(q->qname[i])) * 16777619u;
  h = (h ^ (q->qtype >> 8)) * 16777619u;
  h = (h ^ (q->qtype & 0xFF)) * 16777619u;
  return h;
}

/* The reply to a query that parsed: server-wide refusal, class/opcode
 * checks, lame delegations, PTR faults, then the zone's answer. */
static size_t reply_query(const struct tn_zone_cfg *cfg, struct dw_pkt *k,
                          const struct dw_query *q, struct dw_reply *r, int tcp,
                          int force, struct tn_dns_info *info) {
  unsigned opcode = (q->flags >> 11) & 15;
  size_t cut;
  if (opcode != 0 || q->edns_version != 0 || q->qclass != 1 || force >= 0) {
    r->aa = 0;
    r->rcode = opcode != 0 ? DW_R_NOTIMP : q->edns_version != 0 ? DW_R_BADVERS
               : q->qclass != 1 ? DW_R_REFUSED : force;
    dw_question(k, q->qname, q);
    return finish(k, q, r, tcp, info);
  }
  if (lame_cut(cfg, q->qname, &cut)) {
    if (q->flags & 0x0100u) { /* RD: a stub asking us as its resolver */
      info->lame = TN_LAME_DROPPED;
      info->dropped = 1;
      return 0;
    }
    info->lame = TN_LAME_REFERRAL;
    dw_question(k, q->qname, q);
    put_referral(k, q->qname + cut, r);
    return finish(k, q, r, tcp, info);
  }
  const struct tn_zdata *zd;
  const struct tn_znode *dn;
  if (q->qtype == DW_T_PTR && !cfg->zone_only && !data_node(cfg, q->qname, &zd, &dn)) {
    long n = ptr_fault(cfg, k, q, r, tcp, info);
    if (n >= 0)
      return (size_t)n;
  }
  struct walk w = {.k = k, .q = q, .cfg = cfg, .r = r, .tcp = tcp};
  dw_question(k, q->qname, q);
  if (answer(&w) != 0) {
    info->dropped = 1;
    return 0;
  }
  return finish(k, q, r, tcp, info);
}

static size_t reply(const struct tn_zone_cfg *cfg, const uint8_t *m, size_t len,
                    int transport, int force, uint8_t *out, struct tn_dns_info *info) {
  struct dw_query q;
  struct dw_reply r;
  struct dw_pkt k;

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
  dw_init(&k, out, TN_DNS_OUT_MAX);

  int rc = dw_parse_query(m, len, &q);
  if (rc != 0) {
    info->formerr = 1;
    q.qname = NULL;
    q.edns = 0;
    r.aa = 0;
    r.rcode = rc;
    dw_header(&k, &q, &r);
    info->rcode = rc;
    return k.len;
  }
  info->qtype = q.qtype;
  info->has_hash = 1;
  info->qhash = query_hash(&q);
  return reply_query(cfg, &k, &q, &r, transport == TN_TCP, force, info);
}

size_t tn_dns_reply(const struct tn_zone_cfg *cfg, const uint8_t *m, size_t len,
                    int transport, uint8_t *out, struct tn_dns_info *info) {
  return reply(cfg, m, len, transport, -1, out, info);
}

size_t tn_dns_refuse(const struct tn_zone_cfg *cfg, const uint8_t *m, size_t len,
                     int transport, uint8_t *out, struct tn_dns_info *info) {
  return reply(cfg, m, len, transport, DW_R_REFUSED, out, info);
}

uint64_t tn_dns_delay_ms(uint32_t qhash, int instant_pct, int min_ms, int max_ms) {
  if (qhash % 100 < (uint32_t)instant_pct)
    return 0;
  return (uint64_t)min_ms + (qhash / 100) % (uint32_t)(max_ms - min_ms + 1);
}
