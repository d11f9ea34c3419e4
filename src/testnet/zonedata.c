/* SPDX-License-Identifier: MIT */
/*
 * zonedata.c - the zone-file table (zonedata.h): a line parser and a hash
 * of owner names.  Names and record data live in fixed-size chunks, so the
 * pointers handed out never move.
 */
#include "zonedata.h"
#include "dnswire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1024 * 1024)
#define FIELDS_MAX 16

struct chunk {
  struct chunk *next;
  size_t used;
  uint8_t b[CHUNK];
};

struct node {
  struct tn_znode pub;
  uint32_t hash;
  uint32_t first, last; /* record indices + 1 (0: none) */
};

struct rr {
  struct tn_zrr pub;
  uint32_t next; /* index + 1 of the next record of the same name */
};

struct tn_zdata {
  struct chunk *chunks;
  struct node *nodes;
  size_t nnodes, capnodes, nnamed;
  struct rr *rrs;
  size_t nrrs, caprrs;
  uint32_t *slots; /* node index + 1, 0 = empty */
  size_t nslots;   /* power of two */
};

/* ---- storage ------------------------------------------------------------ */

static uint8_t *store(struct tn_zdata *z, const void *p, size_t n) {
  if (!z->chunks || CHUNK - z->chunks->used < n) {
    struct chunk *c = malloc(sizeof *c);
    if (!c)
      return NULL;
    c->next = z->chunks;
    c->used = 0;
    z->chunks = c;
  }
  uint8_t *d = z->chunks->b + z->chunks->used;
  memcpy(d, p, n);
  z->chunks->used += n;
  return d;
}

static uint32_t name_hash(const uint8_t *w) {
  uint32_t h = 2166136261u;
  size_t n = dw_wire_len(w);
  for (size_t i = 0; i < n; i++)
    h = (h ^ dw_lc(w[i])) * 16777619u;
  return h;
}

static int grow_slots(struct tn_zdata *z) {
  size_t n = z->nslots ? z->nslots * 2 : 1024;
  uint32_t *s = calloc(n, sizeof *s);
  if (!s)
    return -ENOMEM;
  for (size_t i = 0; i < z->nnodes; i++) {
    size_t j = z->nodes[i].hash & (n - 1);
    while (s[j])
      j = (j + 1) & (n - 1);
    s[j] = (uint32_t)i + 1;
  }
  free(z->slots);
  z->slots = s;
  z->nslots = n;
  return 0;
}

static struct node *lookup(const struct tn_zdata *z, const uint8_t *w, uint32_t h) {
  if (!z || !z->nslots)
    return NULL;
  for (size_t j = h & (z->nslots - 1); z->slots[j]; j = (j + 1) & (z->nslots - 1)) {
    struct node *nd = &z->nodes[z->slots[j] - 1];
    if (nd->hash == h && dw_wire_eq(nd->pub.name, w))
      return nd;
  }
  return NULL;
}

/* The node of w, created (as an empty non-terminal) if missing; its
 * ancestors too.  Returns the index, or -1 (full or out of memory). */
static long node_get(struct tn_zdata *z, const uint8_t *w) {
  uint32_t h = name_hash(w);
  struct node *nd = lookup(z, w, h);
  if (nd)
    return nd - z->nodes;
  if (*w != 0 && node_get(z, w + 1 + *w) < 0) /* the parent first */
    return -1;
  if (z->nnodes >= TN_ZD_NODES_MAX)
    return -1;
  if ((z->nnodes + 1) * 2 > z->nslots && grow_slots(z) != 0)
    return -1;
  if (z->nnodes == z->capnodes) {
    size_t cap = z->capnodes ? z->capnodes * 2 : 256;
    struct node *n2 = realloc(z->nodes, cap * sizeof *n2);
    if (!n2)
      return -1;
    z->nodes = n2;
    z->capnodes = cap;
  }
  const uint8_t *name = store(z, w, dw_wire_len(w));
  if (!name)
    return -1;
  nd = &z->nodes[z->nnodes];
  memset(nd, 0, sizeof *nd);
  nd->pub.name = name;
  nd->pub.ent = 1;
  nd->hash = h;
  size_t j = h & (z->nslots - 1);
  while (z->slots[j])
    j = (j + 1) & (z->nslots - 1);
  z->slots[j] = (uint32_t)z->nnodes + 1;
  return (long)z->nnodes++;
}

static int add_rr(struct tn_zdata *z, long ni, unsigned type, uint32_t ttl,
                  const uint8_t *data, size_t len) {
  if (z->nrrs >= TN_ZD_RRS_MAX)
    return -1;
  if (z->nrrs == z->caprrs) {
    size_t cap = z->caprrs ? z->caprrs * 2 : 256;
    struct rr *r2 = realloc(z->rrs, cap * sizeof *r2);
    if (!r2)
      return -1;
    z->rrs = r2;
    z->caprrs = cap;
  }
  const uint8_t *d = len ? store(z, data, len) : (const uint8_t *)"";
  if (!d)
    return -1;
  struct rr *r = &z->rrs[z->nrrs];
  r->pub.type = (uint16_t)type;
  r->pub.len = (uint16_t)len;
  r->pub.ttl = ttl;
  r->pub.data = d;
  r->next = 0;
  struct node *nd = &z->nodes[ni];
  if (nd->last)
    z->rrs[nd->last - 1].next = (uint32_t)z->nrrs + 1;
  else
    nd->first = (uint32_t)z->nrrs + 1;
  nd->last = (uint32_t)z->nrrs + 1;
  nd->pub.nrr++;
  z->nrrs++;
  return 0;
}

/* ---- public lookups ----------------------------------------------------- */

int tn_zdata_new(struct tn_zdata **out) {
  *out = calloc(1, sizeof **out);
  return *out ? 0 : -ENOMEM;
}

void tn_zdata_free(struct tn_zdata *z) {
  if (!z)
    return;
  while (z->chunks) {
    struct chunk *c = z->chunks;
    z->chunks = c->next;
    free(c);
  }
  free(z->nodes);
  free(z->rrs);
  free(z->slots);
  free(z);
}

size_t tn_zdata_names(const struct tn_zdata *z) { return z ? z->nnamed : 0; }

const struct tn_znode *tn_zdata_find(const struct tn_zdata *z, const uint8_t *w) {
  struct node *nd = lookup(z, w, name_hash(w));
  return nd ? &nd->pub : NULL;
}

const struct tn_znode *tn_zdata_apex(const struct tn_zdata *z, const uint8_t *w) {
  for (;;) {
    const struct tn_znode *nd = tn_zdata_find(z, w);
    if (nd && nd->apex)
      return nd;
    if (*w == 0)
      return NULL;
    w += 1 + *w;
  }
}

void tn_zdata_rr(const struct tn_zdata *z, const struct tn_znode *pub, int i,
                 struct tn_zrr *out) {
  const struct node *nd = (const struct node *)pub; /* pub is the first member */
  uint32_t r = nd->first;
  while (i-- > 0 && r)
    r = z->rrs[r - 1].next;
  *out = z->rrs[r - 1].pub;
}

int tn_zdata_check(const struct tn_zdata *z, char *err, size_t errlen) {
  for (size_t i = 0; z && i < z->nnodes; i++) {
    const struct node *nd = &z->nodes[i];
    int cname = 0;
    for (uint32_t r = nd->first; r; r = z->rrs[r - 1].next)
      cname += z->rrs[r - 1].pub.type == DW_T_CNAME;
    if (cname && (cname > 1 || nd->pub.nrr > cname)) {
      char t[1024];
      tn_name_to_text(nd->pub.name, t, sizeof t);
      snprintf(err, errlen, "%s: a CNAME must be the only record of its name (RFC 1034 3.6.2)",
               t[0] ? t : ".");
      return -EINVAL;
    }
  }
  return 0;
}

/* ---- the line parser ----------------------------------------------------- */

struct field {
  const char *p;
  size_t n;
  int quoted;
};

struct ctx {
  const char *origin;
  unsigned long line;
  char *err;
  size_t errlen;
};

static int fail(const struct ctx *c, int field, const char *fmt, const char *arg) {
  char what[512];
  snprintf(what, sizeof what, fmt, arg);
  if (field > 0)
    snprintf(c->err, c->errlen, "%s:%lu: field %d: %s", c->origin, c->line, field, what);
  else
    snprintf(c->err, c->errlen, "%s:%lu: %s", c->origin, c->line, what);
  return -EINVAL;
}

/* One escape at s[*i] (after the backslash): \DDD or \X.  -1: bad. */
static int unescape(const char *s, size_t n, size_t *i) {
  if (*i >= n)
    return -1;
  if (s[*i] >= '0' && s[*i] <= '9') {
    if (*i + 3 > n)
      return -1;
    int v = 0;
    for (int k = 0; k < 3; k++) {
      char d = s[*i + (size_t)k];
      if (d < '0' || d > '9')
        return -1;
      v = v * 10 + (d - '0');
    }
    *i += 3;
    return v <= 255 ? v : -1;
  }
  return (uint8_t)s[(*i)++];
}

/* Split a line into fields: runs of non-blanks, or "quoted strings" (with
 * \" and \\ inside).  Returns the count, or -1 with err set. */
static int split(const struct ctx *c, const char *s, size_t n, struct field *f) {
  int nf = 0;
  size_t i = 0;
  for (;;) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
      i++;
    if (i == n)
      return nf;
    if (nf == FIELDS_MAX)
      return fail(c, FIELDS_MAX + 1, "%s", "too many fields"), -1;
    size_t st = i;
    if (s[i] == '"') {
      for (i++; i < n && s[i] != '"'; i++)
        if (s[i] == '\\')
          i++;
      if (i >= n)
        return fail(c, nf + 1, "%s", "unterminated quoted string"), -1;
      f[nf++] = (struct field){s + st + 1, i - st - 1, 1};
      i++;
      if (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
        return fail(c, nf, "%s", "a quoted string must be followed by a blank"), -1;
    } else {
      while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
        if (s[i] == '"')
          return fail(c, nf + 1, "%s", "stray double quote"), -1;
        i += s[i] == '\\' && i + 1 < n ? 2 : 1;
      }
      f[nf++] = (struct field){s + st, i - st, 0};
    }
  }
}

/* A domain name field (escapes \. \\ \DDD; "." alone is the root; a final
 * dot is optional) to wire in out[TN_NAME_MAX]. */
static int parse_name(const struct ctx *c, const struct field *f, int fi, uint8_t *out) {
  size_t o = 0, lab = 0, i = 0;
  if (f->quoted || f->n == 0)
    return fail(c, fi, "%s", "a domain name, not a quoted string");
  if (f->n == 1 && f->p[0] == '.') {
    out[0] = 0;
    return 0;
  }
  out[0] = 0;
  while (i < f->n) {
    int ch;
    if (f->p[i] == '.') {
      if (out[lab] == 0)
        return fail(c, fi, "empty label in %.200s", "name");
      lab = ++o;
      i++;
      if (o >= TN_NAME_MAX)
        return fail(c, fi, "%s", "name longer than 255 octets");
      out[lab] = 0;
      continue;
    }
    if (f->p[i] == '\\') {
      i++;
      if ((ch = unescape(f->p, f->n, &i)) < 0)
        return fail(c, fi, "%s", "bad escape (\\DDD with DDD <= 255, or \\X)");
    } else {
      ch = (uint8_t)f->p[i++];
    }
    if (out[lab] == 63)
      return fail(c, fi, "%s", "label longer than 63 octets");
    if (++o >= TN_NAME_MAX - 1)
      return fail(c, fi, "%s", "name longer than 255 octets");
    out[o] = (uint8_t)ch;
    out[lab]++;
  }
  if (out[lab] != 0) { /* no final dot: close the last label */
    o++;
    out[o] = 0;
  }
  return 0;
}

static int parse_u32(const struct field *f, uint32_t max, uint32_t *v) {
  uint64_t x = 0;
  if (f->quoted || f->n == 0 || f->n > 10)
    return -1;
  for (size_t i = 0; i < f->n; i++) {
    if (f->p[i] < '0' || f->p[i] > '9')
      return -1;
    x = x * 10 + (uint64_t)(f->p[i] - '0');
  }
  if (x > max)
    return -1;
  *v = (uint32_t)x;
  return 0;
}

static const struct {
  const char *name;
  unsigned type;
  int nargs; /* data fields; -1: one or more strings */
} types[] = {
  {"A", DW_T_A, 1}, {"AAAA", DW_T_AAAA, 1}, {"TXT", DW_T_TXT, -1},
  {"SPF", TN_ZD_T_SPF, -1}, {"MX", TN_ZD_T_MX, 2}, {"PTR", DW_T_PTR, 1},
  {"CNAME", DW_T_CNAME, 1}, {"NS", DW_T_NS, 1}, {"SOA", DW_T_SOA, 7},
  {"TIMEOUT", 0, 0},
};

/* TXT/SPF data: every quoted field, each split into character-strings of
 * at most 255 bytes (an empty field is one empty character-string). */
static int txt_data(const struct ctx *c, const struct field *f, int nf, int first,
                    uint8_t *d, size_t *len) {
  size_t o = 0;
  for (int k = first; k < nf; k++) {
    if (!f[k].quoted)
      return fail(c, k + 1, "%s", "a \"quoted string\"");
    size_t at = o, i = 0;
    if (o >= TN_ZD_RDATA_MAX)
      return fail(c, k + 1, "%s", "record data longer than 16384 bytes");
    d[o++] = 0;
    while (i < f[k].n) {
      int ch;
      if (f[k].p[i] == '\\') {
        i++;
        if ((ch = unescape(f[k].p, f[k].n, &i)) < 0)
          return fail(c, k + 1, "%s", "bad escape (\\DDD with DDD <= 255, or \\X)");
      } else {
        ch = (uint8_t)f[k].p[i++];
      }
      if (d[at] == 255) { /* the next character-string */
        at = o;
        if (o >= TN_ZD_RDATA_MAX)
          return fail(c, k + 1, "%s", "record data longer than 16384 bytes");
        d[o++] = 0;
      }
      if (o >= TN_ZD_RDATA_MAX)
        return fail(c, k + 1, "%s", "record data longer than 16384 bytes");
      d[o++] = (uint8_t)ch;
      d[at]++;
    }
  }
  *len = o;
  return 0;
}

static int put_name(const struct ctx *c, const struct field *f, int fi, uint8_t *d,
                    size_t *o) {
  uint8_t w[TN_NAME_MAX];
  if (parse_name(c, f, fi, w) != 0)
    return -1;
  size_t n = dw_wire_len(w);
  memcpy(d + *o, w, n);
  *o += n;
  return 0;
}

/* The data fields of one record into d; *len its length. */
static int rr_data(const struct ctx *c, unsigned type, const struct field *f, int nf,
                   int first, uint8_t *d, size_t *len) {
  size_t o = 0;
  uint32_t v;
  char buf[64];
  switch (type) {
  case DW_T_A:
  case DW_T_AAAA:
    if (f[first].quoted || f[first].n >= sizeof buf)
      return fail(c, first + 1, "%s", type == DW_T_A ? "an IPv4 address" : "an IPv6 address");
    memcpy(buf, f[first].p, f[first].n);
    buf[f[first].n] = '\0';
    if (inet_pton(type == DW_T_A ? AF_INET : AF_INET6, buf, d) != 1)
      return fail(c, first + 1, type == DW_T_A ? "not an IPv4 address: %s"
                                               : "not an IPv6 address: %s", buf);
    *len = type == DW_T_A ? 4 : 16;
    return 0;
  case DW_T_TXT:
  case TN_ZD_T_SPF:
    return txt_data(c, f, nf, first, d, len);
  case TN_ZD_T_MX:
    if (parse_u32(&f[first], 65535, &v) != 0)
      return fail(c, first + 1, "%s", "an MX preference 0..65535");
    d[0] = (uint8_t)(v >> 8), d[1] = (uint8_t)v;
    o = 2;
    if (put_name(c, &f[first + 1], first + 2, d, &o) != 0)
      return -1;
    *len = o;
    return 0;
  case DW_T_SOA:
    if (put_name(c, &f[first], first + 1, d, &o) != 0 ||
        put_name(c, &f[first + 1], first + 2, d, &o) != 0)
      return -1;
    for (int k = 2; k < 7; k++) {
      if (parse_u32(&f[first + k], 0xFFFFFFFFu, &v) != 0)
        return fail(c, first + k + 1, "%s", "a number 0..4294967295");
      d[o++] = (uint8_t)(v >> 24), d[o++] = (uint8_t)(v >> 16);
      d[o++] = (uint8_t)(v >> 8), d[o++] = (uint8_t)v;
    }
    *len = o;
    return 0;
  default: /* PTR, CNAME, NS */
    if (put_name(c, &f[first], first + 1, d, &o) != 0)
      return -1;
    *len = o;
    return 0;
  }
}

static int parse_line(struct tn_zdata *z, const struct ctx *c, const char *s, size_t n) {
  struct field f[FIELDS_MAX];
  static uint8_t data[TN_ZD_RDATA_MAX + 2 * TN_NAME_MAX + 32];
  uint8_t owner[TN_NAME_MAX];
  int nf = split(c, s, n, f);
  if (nf < 0)
    return -EINVAL;
  if (nf == 0 || (!f[0].quoted && f[0].p[0] == '#'))
    return 0;
  if (nf < 2)
    return fail(c, 2, "%s", "a record type is missing");
  if (parse_name(c, &f[0], 1, owner) != 0)
    return -EINVAL;
  int ti = 1;
  uint32_t ttl = DW_TTL;
  if (!f[1].quoted && f[1].n > 0 && f[1].p[0] >= '0' && f[1].p[0] <= '9') {
    if (parse_u32(&f[1], 0x7FFFFFFFu, &ttl) != 0)
      return fail(c, 2, "%s", "a TTL 0..2147483647");
    ti = 2;
  }
  if (ti >= nf)
    return fail(c, ti + 1, "%s", "a record type is missing");
  int t = -1;
  for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
    if (!f[ti].quoted && strlen(types[k].name) == f[ti].n &&
        strncasecmp(types[k].name, f[ti].p, f[ti].n) == 0)
      t = (int)k;
  if (t < 0) {
    char tt[32];
    snprintf(tt, sizeof tt, "%.*s", (int)(f[ti].n < 20 ? f[ti].n : 20), f[ti].p);
    return fail(c, ti + 1, "unknown record type %s (A AAAA TXT SPF MX PTR CNAME NS SOA "
                "TIMEOUT)", tt);
  }
  int have = nf - ti - 1;
  if ((types[t].nargs >= 0 && have != types[t].nargs) || (types[t].nargs < 0 && have < 1)) {
    char want[64];
    snprintf(want, sizeof want, types[t].nargs < 0 ? "one or more" : "%d", types[t].nargs);
    return fail(c, have < (types[t].nargs < 0 ? 1 : types[t].nargs) ? nf + 1 : nf,
                "%s data fields wanted for this type", want);
  }
  long ni = node_get(z, owner);
  if (ni < 0)
    return fail(c, 0, "%s", "too many names, or out of memory");
  struct node *nd = &z->nodes[ni];
  if (nd->pub.ent) {
    nd->pub.ent = 0;
    z->nnamed++;
  }
  if (types[t].type == 0) {
    nd->pub.timeout = 1;
    return 0;
  }
  size_t len = 0;
  if (rr_data(c, types[t].type, f, nf, ti + 1, data, &len) != 0)
    return -EINVAL;
  if (add_rr(z, ni, types[t].type, ttl, data, len) != 0)
    return fail(c, 0, "%s", "too many records, or out of memory");
  if (types[t].type == DW_T_SOA)
    z->nodes[ni].pub.apex = 1;
  return 0;
}

int tn_zdata_load_text(struct tn_zdata *z, const char *origin, const char *text,
                       size_t len, char *err, size_t errlen) {
  struct ctx c = {.origin = origin, .err = err, .errlen = errlen};
  size_t i = 0;
  while (i < len) {
    const char *nl = memchr(text + i, '\n', len - i);
    size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
    c.line++;
    if (n > TN_ZD_LINE_MAX)
      return fail(&c, 0, "line longer than %s bytes", "65536");
    if (memchr(text + i, '\0', n))
      return fail(&c, 0, "%s", "NUL byte in the line (write it as \\000)");
    int r = parse_line(z, &c, text + i, n);
    if (r != 0)
      return r;
    i += n + 1;
  }
  return 0;
}

int tn_zdata_load_file(struct tn_zdata *z, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    int e = errno;
    snprintf(err, errlen, "%s: %s", path, strerror(e));
    return -e;
  }
  char *buf = malloc(TN_ZD_FILE_MAX + 1);
  size_t n = buf ? fread(buf, 1, TN_ZD_FILE_MAX + 1, f) : 0;
  int bad = !buf || ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    snprintf(err, errlen, "%s: %s", path, buf ? "read error" : "out of memory");
    return buf ? -EIO : -ENOMEM;
  }
  if (n > TN_ZD_FILE_MAX) {
    free(buf);
    snprintf(err, errlen, "%s: larger than 64 MiB", path);
    return -EFBIG;
  }
  int r = tn_zdata_load_text(z, path, buf, n, err, errlen);
  free(buf);
  return r;
}
