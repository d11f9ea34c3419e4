/* SPDX-License-Identifier: MIT */
/*
 * scenario.c - the address plan of the loopback test network.  See
 * scenario.h and tests/testnet.md (the two must agree).
 */
#include "scenario.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const char *const dns_names[TN_DNS_COUNT] = {
  "pass", "nxdomain", "nodata", "noaddr", "mismatch", "multi", "generic",
  "classless", "servfail", "drop", "truncated", "ptrcname", "refused",
  "fwdservfail", "odd", "static", "fwdnxdomain", "elsewhere", "wrongid",
  "wrongquestion", "comploop", "many", "long", "control", "cnameloop",
  "malformed", "fwdrefused", "fwdtimeout", "chain", "mixed", "mx", "pass2"
};

static const char *const smtp_names[TN_SMTP_COUNT] = {
  "banner", "other", "multiline", "554", "silent", "nolisten", "rst",
  "close", "421", "drip", "notfqdn", "barelf", "flood", "lines", "binary",
  "rstafter", "mta", "tarpit3", "tarpit15", "tarpit45", "554esc", "521esc",
  "421esc", "shared"
};

static const uint8_t db8_prefix[4] = {0x20, 0x01, 0x0d, 0xb8};

static int is_v6_loopback(const struct tn_ip *ip) {
  static const uint8_t lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return ip->family == 6 && memcmp(ip->b, lo, 16) == 0;
}

int tn_ip_served(const struct tn_ip *ip) {
  if (ip->family == 4)
    return ip->b[0] == 127;
  if (ip->family == 6)
    return is_v6_loopback(ip) || memcmp(ip->b, db8_prefix, 4) == 0;
  return 0;
}

int tn_dns_scenario(const struct tn_ip *ip) {
  if (!tn_ip_served(ip))
    return -1;
  if (ip->family == 4)
    return ip->b[1] == 64 ? ip->b[3] % 32 : TN_DNS_PASS;
  if (is_v6_loopback(ip))
    return TN_DNS_PASS;
  return ip->b[15] % 32;
}

int tn_smtp_scenario(const struct tn_ip *ip) {
  if (ip->family == 4 && ip->b[0] == 127) {
    if (ip->b[1] == 64)
      return ip->b[2] % 16;
    if (ip->b[1] == 65)
      return ip->b[2] % 16 <= TN_SMTP_421ESC - TN_SMTP_MTA ? TN_SMTP_MTA + ip->b[2] % 16
                                                           : TN_SMTP_MTA;
    if (ip->b[1] == 66)
      return TN_SMTP_SHARED;
    return TN_SMTP_BANNER;
  }
  if (is_v6_loopback(ip))
    return TN_SMTP_BANNER;
  return -1;
}

const char *tn_dns_scenario_name(int scn) {
  return scn >= 0 && scn < TN_DNS_COUNT ? dns_names[scn] : "?";
}

const char *tn_smtp_scenario_name(int scn) {
  return scn >= 0 && scn < TN_SMTP_COUNT ? smtp_names[scn] : "?";
}

size_t tn_label(const struct tn_ip *ip, char *buf) {
  size_t n = 0;
  if (!tn_ip_served(ip)) {
    buf[0] = '\0';
    return 0;
  }
  if (ip->family == 4) {
    for (int i = 1; i < 4; i++) {
      buf[n++] = (char)('a' + (ip->b[i] >> 4));
      buf[n++] = (char)('a' + (ip->b[i] & 15));
    }
  } else if (is_v6_loopback(ip)) {
    memcpy(buf, "sixloop", 7);
    n = 7;
  } else {
    char all[24];
    for (int i = 0; i < 12; i++) {
      all[2 * i] = (char)('a' + (ip->b[4 + i] >> 4));
      all[2 * i + 1] = (char)('a' + (ip->b[4 + i] & 15));
    }
    size_t skip = 0;
    while (skip < 16 && all[skip] == 'a')
      skip++;
    n = 24 - skip;
    memcpy(buf, all + skip, n);
  }
  buf[n] = '\0';
  return n;
}

int tn_label_decode(const char *s, size_t len, struct tn_ip *ip) {
  uint8_t nib[24];
  if (len != 6 && (len < 8 || len > 24))
    return -1;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'P')
      c = (char)(c - 'A' + 'a');
    if (c < 'a' || c > 'p')
      return -1;
    nib[i] = (uint8_t)(c - 'a');
  }
  memset(ip, 0, sizeof *ip);
  if (len == 6) {
    ip->family = 4;
    ip->b[0] = 127;
    for (int i = 0; i < 3; i++)
      ip->b[1 + i] = (uint8_t)(nib[2 * i] << 4 | nib[2 * i + 1]);
    return 0;
  }
  uint8_t full[24];
  memset(full, 0, sizeof full);
  memcpy(full + (24 - len), nib, len);
  ip->family = 6;
  memcpy(ip->b, db8_prefix, 4);
  for (int i = 0; i < 12; i++)
    ip->b[4 + i] = (uint8_t)(full[2 * i] << 4 | full[2 * i + 1]);
  return 0;
}

size_t tn_name_from_text(const char *text, size_t len, uint8_t *out) {
  size_t o = 0, start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && text[i] != '.')
      continue;
    size_t ll = i - start;
    if (ll == 0 || ll > 63 || o + 1 + ll + 1 > TN_NAME_MAX)
      return 0;
    out[o++] = (uint8_t)ll;
    for (size_t k = 0; k < ll; k++) {
      char c = text[start + k];
      out[o++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    start = i + 1;
  }
  out[o++] = 0;
  return o;
}

size_t tn_name_to_text(const uint8_t *wire, char *buf, size_t cap) {
  size_t o = 0, i = 0;
  while (wire[i] != 0) {
    size_t ll = wire[i];
    if (o + (o ? 1 : 0) + ll + 1 > cap)
      return 0;
    if (o)
      buf[o++] = '.';
    memcpy(buf + o, wire + i + 1, ll);
    o += ll;
    i += 1 + ll;
  }
  if (cap == 0)
    return 0;
  buf[o] = '\0';
  return o;
}

size_t tn_reverse_name(const struct tn_ip *ip, uint8_t *out) {
  char text[80];
  int n;
  if (ip->family == 4) {
    n = snprintf(text, sizeof text, "%u.%u.%u.%u.in-addr.arpa", ip->b[3],
                 ip->b[2], ip->b[1], ip->b[0]);
  } else {
    static const char hex[] = "0123456789abcdef";
    n = 0;
    for (int i = 15; i >= 0; i--) {
      text[n++] = hex[ip->b[i] & 15];
      text[n++] = '.';
      text[n++] = hex[ip->b[i] >> 4];
      text[n++] = '.';
    }
    memcpy(text + n, "ip6.arpa", 8);
    n += 8;
  }
  return tn_name_from_text(text, (size_t)n, out);
}

/* A forward name "<prefix><L><suffix>.<zone>.tn.test". */
static void set_name(struct tn_fwd *f, const char *prefix, const char *label,
                     const char *suffix, const char *zone) {
  char text[TN_NAME_MAX + 1];
  int n = snprintf(text, sizeof text, "%s%s%s.%s.tn.test", prefix, label,
                   suffix, zone);
  f->namelen = tn_name_from_text(text, (size_t)n, f->name);
}

static void addr_v4(struct tn_ip *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w) {
  memset(a, 0, sizeof *a);
  a->family = 4;
  a->b[0] = x, a->b[1] = y, a->b[2] = z, a->b[3] = w;
}

/* Documentation/discard addresses never equal to a served address:
 * 192.0.2.0/24 (RFC 5737) and 100::/64 (RFC 6666). */
static void addr_elsewhere(struct tn_ip *a, int family, uint8_t last) {
  if (family == 4) {
    addr_v4(a, 192, 0, 2, last);
  } else {
    memset(a, 0, sizeof *a);
    a->family = 6;
    a->b[0] = 0x01;
    a->b[15] = last;
  }
}

static void addr_loopback(struct tn_ip *a, int family) {
  if (family == 4) {
    addr_v4(a, 127, 0, 0, 1);
  } else {
    memset(a, 0, sizeof *a);
    a->family = 6;
    a->b[15] = 1;
  }
}

/* The dashed form of the generic scenario: a-b-c-d, or the RFC 5952 text of
 * an IPv6 address with ':' replaced by '-'. */
static void dashed(const struct tn_ip *ip, char *buf, size_t cap) {
  if (ip->family == 4) {
    snprintf(buf, cap, "%u-%u-%u-%u", ip->b[0], ip->b[1], ip->b[2], ip->b[3]);
    return;
  }
  if (!inet_ntop(AF_INET6, ip->b, buf, (socklen_t)cap)) {
    buf[0] = '\0';
    return;
  }
  for (char *p = buf; *p; p++)
    if (*p == ':')
      *p = '-';
}

int tn_fwd_count(const struct tn_ip *ip, int scn) {
  (void)ip;
  switch (scn) {
  case TN_DNS_PASS: case TN_DNS_NOADDR: case TN_DNS_MISMATCH:
  case TN_DNS_GENERIC: case TN_DNS_CLASSLESS: case TN_DNS_TRUNC:
  case TN_DNS_FWDFAIL: case TN_DNS_STATIC: case TN_DNS_FWDNX:
  case TN_DNS_ELSEWHERE: case TN_DNS_WRONGID: case TN_DNS_WRONGQ:
  case TN_DNS_LONG: case TN_DNS_CTRL: case TN_DNS_CNAMELOOP:
  case TN_DNS_FWDREFUSED: case TN_DNS_FWDTIMEOUT: case TN_DNS_MX:
  case TN_DNS_PASS2:
    return 1;
  case TN_DNS_MULTI: case TN_DNS_PTRCNAME: case TN_DNS_ODD: case TN_DNS_MIXED:
    return 2;
  case TN_DNS_CHAIN:
    return 3;
  case TN_DNS_MANY:
    return TN_MANY_COUNT;
  default: /* nxdomain, nodata, servfail, drop, refused, comploop, malformed */
    return 0;
  }
}

/* Scenarios with a single name "<prefix>L.<zone>.tn.test" of one kind,
 * pointing at the address itself unless said otherwise. */
static const struct {
  int scn;
  const char *prefix, *zone;
  int kind;
} single[] = {
  {TN_DNS_PASS, "mail-", "pass", TN_FWD_ADDR},
  {TN_DNS_NOADDR, "host-", "noaddr", TN_FWD_NOADDR},
  {TN_DNS_TRUNC, "mail-", "tcp", TN_FWD_ADDR},
  {TN_DNS_FWDFAIL, "mail-", "fwdfail", TN_FWD_SERVFAIL},
  {TN_DNS_STATIC, "static-", "static", TN_FWD_ADDR},
  {TN_DNS_FWDNX, "mail-", "gone", TN_FWD_NXDOMAIN},
  {TN_DNS_WRONGID, "mail-", "wrongid", TN_FWD_ADDR},
  {TN_DNS_WRONGQ, "mail-", "wrongq", TN_FWD_ADDR},
  {TN_DNS_FWDREFUSED, "mail-", "fwdrefused", TN_FWD_REFUSED},
  {TN_DNS_FWDTIMEOUT, "mail-", "fwdtimeout", TN_FWD_DROP},
  {TN_DNS_MX, "smtp-", "mx", TN_FWD_ADDR},
  {TN_DNS_PASS2, "mx-", "pass", TN_FWD_ADDR},
};

/* The 250-character name of TN_DNS_LONG (252 octets on the wire): the
 * first label "mail-L-aaa..." is 45 characters, then three labels of 63
 * 'a's, then long.tn.test. */
static void long_name(struct tn_fwd *f, const char *L) {
  char sfx[256];
  size_t pad = 45 - 5 - strlen(L) - 1, o = 0;
  sfx[o++] = '-';
  memset(sfx + o, 'a', pad);
  o += pad;
  for (int k = 0; k < 3; k++) {
    sfx[o++] = '.';
    memset(sfx + o, 'a', 63);
    o += 63;
  }
  sfx[o] = '\0';
  set_name(f, "mail-", L, sfx, "long");
}

/* Scenarios whose names are not a single name of the table above.
 * Returns 0, or -1 for an unknown scenario. */
static int fwd_special(const struct tn_ip *ip, int scn, int i, const char *L,
                       struct tn_fwd *f) {
  switch (scn) {
  case TN_DNS_MISMATCH:
    set_name(f, "mail-", L, "", "mismatch");
    addr_elsewhere(&f->addr, ip->family, ip->b[ip->family == 4 ? 3 : 15]);
    return 0;
  case TN_DNS_MULTI:
    set_name(f, i == 0 ? "a-" : "b-", L, "", "multi");
    return 0;
  case TN_DNS_GENERIC: {
    char d[64];
    dashed(ip, d, sizeof d);
    set_name(f, "dyn-", d, "", "pool");
    return 0;
  }
  case TN_DNS_CLASSLESS:
    /* RFC 2317 delegation exists only in in-addr.arpa; IPv6 gets a pass. */
    set_name(f, "mail-", L, "", ip->family == 4 ? "classless" : "pass");
    return 0;
  case TN_DNS_PTRCNAME:
    set_name(f, i == 0 ? "alias-" : "mail-", L, "", "cname");
    if (i == 0) {
      f->kind = TN_FWD_CNAME;
      f->target = 1;
    } else {
      f->is_ptr = 0;
    }
    return 0;
  case TN_DNS_ODD:
    set_name(f, i == 0 ? "mail-" : "we\"ird,", L, "", "odd");
    return 0;
  case TN_DNS_ELSEWHERE:
    set_name(f, "mail-", L, "", "elsewhere");
    addr_loopback(&f->addr, ip->family);
    return 0;
  case TN_DNS_MANY: {
    char p[16];
    snprintf(p, sizeof p, "n%03d-", i);
    set_name(f, p, L, "", "many");
    return 0;
  }
  case TN_DNS_LONG:
    long_name(f, L);
    return 0;
  case TN_DNS_CTRL:
    set_name(f, "mail\x01-", L, "\x7f", "ctl");
    return 0;
  case TN_DNS_CNAMELOOP:
    set_name(f, "loop1-", L, "", "loop");
    f->kind = TN_FWD_CNAME_REV;
    f->is_ptr = 0;
    return 0;
  case TN_DNS_CHAIN: {
    static const char *const pfx[3] = {"mail-", "hop1-", "hop2-"};
    set_name(f, pfx[i], L, "", "chain");
    f->kind = i < 2 ? TN_FWD_CNAME : TN_FWD_ADDR;
    f->target = i + 1;
    f->is_ptr = i == 0;
    return 0;
  }
  case TN_DNS_MIXED:
    set_name(f, i == 0 ? "mail-" : "other-", L, "", "mixed");
    if (i == 1)
      addr_elsewhere(&f->addr, ip->family, 1);
    return 0;
  default:
    return -1;
  }
}

int tn_fwd_get(const struct tn_ip *ip, int scn, int i, struct tn_fwd *f) {
  char L[TN_LABEL_MAX];
  if (i < 0 || i >= tn_fwd_count(ip, scn) || tn_label(ip, L) == 0)
    return -1;
  memset(f, 0, sizeof *f);
  f->kind = TN_FWD_ADDR;
  f->is_ptr = 1;
  f->addr = *ip;
  for (size_t k = 0; k < sizeof single / sizeof single[0]; k++) {
    if (single[k].scn == scn) {
      set_name(f, single[k].prefix, L, "", single[k].zone);
      f->kind = single[k].kind;
      return f->namelen ? 0 : -1;
    }
  }
  if (fwd_special(ip, scn, i, L, f) != 0)
    return -1;
  return f->namelen ? 0 : -1;
}

size_t tn_banner_name(const struct tn_ip *ip, char *buf, size_t cap) {
  struct tn_fwd f;
  int scn = tn_dns_scenario(ip);
  if (scn < 0 || cap == 0)
    return 0;
  /* Scenarios whose PTR a client can never accept have no first PTR
   * name; they fall back to the pass name. */
  if (scn == TN_DNS_WRONGID || scn == TN_DNS_WRONGQ ||
      tn_fwd_get(ip, scn, 0, &f) != 0 || !f.is_ptr)
    tn_fwd_get(ip, TN_DNS_PASS, 0, &f);
  return tn_name_to_text(f.name, buf, cap);
}
