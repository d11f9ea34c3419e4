/* SPDX-License-Identifier: MIT */
/*
 * zonename.c - query names to zone nodes (zonename.h).  Forward names are
 * recognised by regenerating the names of the address their first label
 * spells and comparing, so no name needs a parser of its own.
 */
#include "zonename.h"
#include "dnsbl.h"
#include "dnswire.h"

#include <arpa/inet.h>
#include <string.h>



void zn_split(const uint8_t *w, struct zn_labels *s) {
  s->n = 0;
  while (*w != 0 && s->n < ZN_LABELS_MAX) {
    s->l[s->n] = w + 1;
    s->len[s->n] = *w;
    s->n++;
    w += 1 + *w;
  }
}

int zn_label_is(const struct zn_labels *s, int i, const char *str) {
  size_t n = strlen(str);
  if (i < 0 || i >= s->n || s->len[i] != n)
    return 0;
  for (size_t j = 0; j < n; j++)
    if (dw_lc(s->l[i][j]) != (uint8_t)str[j])
      return 0;
  return 1;
}

/* A decimal octet label as a zone file would hold it: "0".."255", no
 * leading zeros.  Returns the value or -1. */
int zn_label_octet(const struct zn_labels *s, int i) {
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

static int label_nibble(const struct zn_labels *s, int i) {
  if (s->len[i] != 1)
    return -1;
  uint8_t c = dw_lc(s->l[i][0]);
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}



static const char *const fwd_tags[] = {
  "pass", "noaddr", "mismatch", "multi", "pool", "classless", "tcp", "cname",
  "fwdfail", "odd", "static", "gone", "elsewhere", "wrongid", "wrongq",
  "many", "long", "ctl", "loop", "fwdrefused", "fwdtimeout", "chain", "mixed",
  "mx", "lame", "bl"
};

/* Where ns.lame.tn.test points: a loopback address on which nothing is
 * meant to listen, so a resolver following a --dns-lame delegation gets no
 * answer (tests/testnet.md). */
static const uint8_t LAME_NS_ADDR[4] = {127, 53, 53, 53};

/* Is w one of the forward names of ip?  `many` is the index a "nDDD-" label
 * announces (or -1), so the 500-name scenario is not generated in full. */
static int try_fwd(const struct tn_ip *ip, const uint8_t *w, int many,
                   struct zn_node *nd) {
  if (!tn_ip_served(ip))
    return 0;
  int scn = tn_dns_scenario(ip);
  int n = tn_fwd_count(ip, scn);
  for (int i = 0; i < n; i++) {
    if (scn == TN_DNS_MANY && many >= 0)
      i = many;
    if (tn_fwd_get(ip, scn, i, &nd->fwd) == 0 && dw_wire_eq(nd->fwd.name, w)) {
      nd->kind = ZN_FWD;
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

/* Candidate addresses: every maximal run of letters in the first label
 * that decodes as an address label.  The candidate is accepted only if
 * regenerating its names gives exactly w, so prefixes, suffixes and
 * non-canonical labels need no parsing of their own. */
static int scan_candidates(const uint8_t *w, const struct zn_labels *s, struct zn_node *nd) {
  const uint8_t *p = s->l[0];
  size_t n = s->len[0];
  int many = -1;
  if (n > 5 && dw_lc(p[0]) == 'n' && p[4] == '-' && p[1] >= '0' && p[1] <= '9' &&
      p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9')
    many = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  struct tn_ip ip;
  if (zn_label_is(s, s->n - 3, "pool") && parse_dashed(p, n, &ip) == 0 &&
      try_fwd(&ip, w, -1, nd))
    return 1;
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
        run[k] = (char)dw_lc(p[i + k]);
      if (memcmp(run, "sixloop", 7) == 0) {
        memset(&ip, 0, sizeof ip);
        ip.family = 6;
        ip.b[15] = 1;
        if (try_fwd(&ip, w, many, nd))
          return 1;
      }
    } else if (tn_label_decode((const char *)p + i, j - i, &ip) == 0 &&
               try_fwd(&ip, w, many, nd)) {
      return 1;
    }
    i = j;
  }
  return 0;
}

/* A name of the server itself: ns.tn.test (the server's own address, the
 * target of every NS record) or ns.lame.tn.test (LAME_NS_ADDR, the
 * nameserver of --dns-lame delegations). */
static int lookup_host(const struct tn_zone_cfg *cfg, const uint8_t *w,
                       const struct zn_labels *s, struct zn_node *nd) {
  int own = s->n == 3 && zn_label_is(s, 0, "ns");
  int lame = s->n == 4 && zn_label_is(s, 0, "ns") && zn_label_is(s, 1, "lame");
  if (!own && !lame)
    return 0;
  memset(&nd->fwd, 0, sizeof nd->fwd);
  nd->fwd.namelen = dw_wire_len(w);
  memcpy(nd->fwd.name, w, nd->fwd.namelen);
  nd->fwd.kind = TN_FWD_ADDR;
  if (own) {
    nd->fwd.addr = cfg->ns_addr;
  } else {
    nd->fwd.addr.family = 4;
    memcpy(nd->fwd.addr.b, LAME_NS_ADDR, 4);
  }
  nd->kind = ZN_FWD;
  nd->scn = -1;
  return 1;
}

/* 1..3 labels of 63 'a's under long.tn.test: the ancestors of the long
 * name (ENT), or the long name's own shape (returns 1 to go on). */
static int long_shape(const struct zn_labels *s, struct zn_node *nd) {
  int all_a = 1;
  for (int i = (s->n == 7 ? 1 : 0); i < s->n - 3; i++) {
    if (s->len[i] != 63)
      all_a = 0;
    for (int j = 0; all_a && j < 63; j++)
      if (dw_lc(s->l[i][j]) != 'a')
        all_a = 0;
  }
  if (!all_a || s->n > 7)
    return 0;
  if (s->n < 7) {
    nd->kind = ZN_ENT;
    return 0;
  }
  return 1;
}

/* Resolve a forward name (labels end in tn.test). */
static void lookup_fwd(const struct tn_zone_cfg *cfg, const uint8_t *w,
                       const struct zn_labels *s, struct zn_node *nd) {
  nd->zone = ZN_Z_FWD;
  nd->kind = ZN_NX;
  if (s->n == 2) {
    nd->kind = ZN_APEX;
    return;
  }
  if (lookup_host(cfg, w, s, nd))
    return;
  if (tn_bl_is(s)) {
    nd->kind = ZN_BL;
    return;
  }
  int tag = -1;
  for (size_t t = 0; t < sizeof fwd_tags / sizeof fwd_tags[0]; t++)
    if (zn_label_is(s, s->n - 3, fwd_tags[t]))
      tag = (int)t;
  if (tag < 0)
    return;
  if (s->n == 3) {
    nd->kind = ZN_ENT;
    return;
  }
  if (zn_label_is(s, s->n - 3, "long")) {
    if (!long_shape(s, nd))
      return;
  } else if (s->n != 4) {
    return;
  }
  if (!scan_candidates(w, s, nd))
    nd->kind = ZN_NX;
}

static void lookup_v4(const struct zn_labels *s, struct zn_node *nd) {
  int n = s->n; /* ... 127.in-addr.arpa */
  nd->zone = ZN_Z_V4;
  nd->kind = ZN_NX;
  if (n == 3) {
    nd->kind = ZN_APEX;
    return;
  }
  if (n == 4 || n == 5) {
    for (int i = 0; i < n - 3; i++)
      if (zn_label_octet(s, i) < 0)
        return;
    nd->kind = ZN_ENT;
    return;
  }
  if (n == 6 || n == 7) {
    int c = zn_label_octet(s, n - 5), b = zn_label_octet(s, n - 4);
    if (b < 0 || c < 0)
      return;
    memset(&nd->ip, 0, sizeof nd->ip);
    nd->ip.family = 4;
    nd->ip.b[0] = 127, nd->ip.b[1] = (uint8_t)b, nd->ip.b[2] = (uint8_t)c;
    int half = -1;
    if (zn_label_is(s, n - 6, "0/25"))
      half = 0;
    else if (zn_label_is(s, n - 6, "128/25"))
      half = 1;
    if (n == 6) {
      int d = zn_label_octet(s, 0);
      if (d >= 0) {
        nd->ip.b[3] = (uint8_t)d;
        nd->scn = tn_dns_scenario(&nd->ip);
        nd->kind = ZN_REV;
      } else if (half >= 0 && b == 64) {
        nd->kind = ZN_ENT; /* parent of RFC 2317 names */
      }
      return;
    }
    int d = zn_label_octet(s, 0);
    if (d < 0 || half != (d >= 128))
      return;
    nd->ip.b[3] = (uint8_t)d;
    if (tn_dns_scenario(&nd->ip) == TN_DNS_CLASSLESS) {
      nd->scn = TN_DNS_CLASSLESS;
      nd->kind = ZN_CLASSLESS;
    }
  }
}

static void lookup_v6(const struct zn_labels *s, struct zn_node *nd) {
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
    zone = ZN_Z_DB8;
  } else if (have >= 31) {
    int zeros = 1;
    for (int i = 0; i < 31; i++)
      if (nib[i] != 0)
        zeros = 0;
    if (zeros)
      zone = ZN_Z_LO6;
  }
  if (zone < 0) {
    nd->kind = ZN_OUT;
    return;
  }
  nd->zone = zone;
  nd->kind = ZN_NX;
  if (!valid || k > 32)
    return;
  if ((zone == ZN_Z_DB8 && k == 8) || (zone == ZN_Z_LO6 && k == 31)) {
    nd->kind = ZN_APEX;
    return;
  }
  if (k < 32) {
    nd->kind = zone == ZN_Z_DB8 ? ZN_ENT : ZN_NX;
    return;
  }
  memset(&nd->ip, 0, sizeof nd->ip);
  nd->ip.family = 6;
  for (int i = 0; i < 16; i++)
    nd->ip.b[i] = (uint8_t)(nib[2 * i] << 4 | nib[2 * i + 1]);
  if (!tn_ip_served(&nd->ip))
    return;
  nd->scn = tn_dns_scenario(&nd->ip);
  nd->kind = ZN_REV;
}

void zn_lookup(const struct tn_zone_cfg *cfg, const uint8_t *w, struct zn_node *nd) {
  struct zn_labels s;
  zn_split(w, &s);
  int n = s.n;
  nd->kind = ZN_OUT;
  nd->zone = -1;
  if (n == 0) {
    /* The root apex only (SOA, NS): a resolver primed from testnet asks
     * for it.  Every other name outside the zones stays REFUSED. */
    nd->kind = ZN_APEX;
    nd->zone = ZN_Z_ROOT;
  } else if (n >= 2 && zn_label_is(&s, n - 2, "tn") && zn_label_is(&s, n - 1, "test")) {
    lookup_fwd(cfg, w, &s, nd);
  } else if (n >= 3 && zn_label_is(&s, n - 3, "127") &&
             zn_label_is(&s, n - 2, "in-addr") && zn_label_is(&s, n - 1, "arpa")) {
    lookup_v4(&s, nd);
  } else if (n >= 2 && zn_label_is(&s, n - 2, "ip6") && zn_label_is(&s, n - 1, "arpa")) {
    lookup_v6(&s, nd);
  }
}

