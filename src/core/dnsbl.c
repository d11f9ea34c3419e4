/* SPDX-License-Identifier: MIT */
/*
 * dnsbl.c - DNS blocklist names, answers, cells, health and list files.
 * The rules and the cell syntax are in dnsbl.h.
 */
#include "dnsbl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsreply.h"
#include "err.h"
#include "status.h"
#include "verdict.h"

/* Records looked at per answer: real lists return one to a few codes;
 * more than this is not an answer we can judge whole. */
#define MAX_RECORDS 64

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int dnsbl_qname(char *dst, size_t size, const struct addr *a, const char *zone) {
  char buf[512];
  int n = 0;
  size_t zl = zone ? strlen(zone) : 0;
  if (zl && zone[zl - 1] == '.') zl--;
  if (zl == 0 || !a) return -EINVAL;
  if (zl > DNSBL_ZONE_MAX) return -ENAMETOOLONG;
  if (a->family == 4 || (a->family == 6 && !memcmp(a->b, v4mapped_prefix, 12))) {
    const uint8_t *v = a->family == 4 ? a->b : a->b + 12;
    n = snprintf(buf, sizeof buf, "%u.%u.%u.%u.", v[3], v[2], v[1], v[0]);
  } else if (a->family == 6) {
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
      buf[n++] = hex[a->b[i] & 0xf];
      buf[n++] = '.';
      buf[n++] = hex[a->b[i] >> 4];
      buf[n++] = '.';
    }
  } else {
    return -EINVAL;
  }
  memcpy(buf + n, zone, zl);
  n += (int)zl;
  buf[n] = '\0';
  if (n > 253 || (size_t)n + 1 > size) return -ENAMETOOLONG;
  memcpy(dst, buf, (size_t)n + 1);
  return n;
}

static void set_error(struct dnsbl_outcome *o, enum dnsbl_error kind, const char *reason) {
  o->result = DNSBL_ERROR;
  o->error = kind;
  o->ncodes = o->total = 0;
  snprintf(o->reason, sizeof o->reason, "%s", reason);
}

static void set_error_addr(struct dnsbl_outcome *o, enum dnsbl_error kind, const char *prefix,
                           const uint8_t *v) {
  char r[DNSBL_REASON_MAX];
  snprintf(r, sizeof r, "%s%u.%u.%u.%u", prefix, v[0], v[1], v[2], v[3]);
  set_error(o, kind, r);
  memcpy(o->codes[0], v, 4);
}

void dnsbl_outcome_stopped(struct dnsbl_outcome *out) {
  memset(out, 0, sizeof *out);
  set_error(out, DNSBL_E_STOPPED, "stopped");
}

void dnsbl_classify(int status, const unsigned char *abuf, size_t alen, const char *qname,
                    struct dnsbl_outcome *out) {
  struct addr recs[MAX_RECORDS];
  struct dnsreply_addrs ra;
  memset(out, 0, sizeof *out);
  dnsreply_addrs_init(&ra, recs, MAX_RECORDS);
  int st = status;
  if (abuf) st = dnsreply_addrs(abuf, alen > 65535 ? 65535 : (int)alen, qname, 4, &ra);
  else if (st == DNS_OK) st = DNS_BADRESP; /* "OK" with nothing to read */

  switch (st) {
  case DNS_NXDOMAIN:
  case DNS_NODATA:
    out->result = DNSBL_NOT_LISTED;
    return;
  case DNS_OK:
    break;
  case DNS_SERVFAIL:
  case DNS_REFUSED:
  case DNS_TIMEOUT:
  case DNS_BADRESP:
    set_error(out, DNSBL_E_LOOKUP, verdict_dns_status_name((enum dns_status)st));
    return;
  default:
    set_error(out, DNSBL_E_LOOKUP, "error");
    return;
  }
  if (ra.total > ra.n) {
    set_error(out, DNSBL_E_INVALID, "invalid:records");
    return;
  }
  /* Worst first: outside 127/8, then the list's error codes, then the
   * test point 127.0.0.1, and only then a listing. */
  for (size_t i = 0; i < ra.n; i++)
    if (recs[i].b[0] != 127) {
      set_error_addr(out, DNSBL_E_INVALID, "invalid:", recs[i].b);
      return;
    }
  for (size_t i = 0; i < ra.n; i++)
    if (recs[i].b[1] == 255 && recs[i].b[2] == 255) {
      set_error_addr(out, DNSBL_E_CODE, "", recs[i].b);
      return;
    }
  for (size_t i = 0; i < ra.n; i++)
    if (recs[i].b[1] == 0 && recs[i].b[2] == 0 && recs[i].b[3] == 1) {
      set_error_addr(out, DNSBL_E_INVALID, "invalid:", recs[i].b);
      return;
    }
  out->result = DNSBL_LISTED;
  out->total = ra.n;
  out->ncodes = ra.n < DNSBL_MAX_CODES ? ra.n : DNSBL_MAX_CODES;
  for (size_t i = 0; i < out->ncodes; i++) memcpy(out->codes[i], recs[i].b, 4);
}

/* ---- the cell ----------------------------------------------------------- */

struct out {
  char *p;
  size_t size, len;
  int overflow;
};

static void put(struct out *o, const char *s, size_t n) {
  if (o->overflow || o->len + n + 1 > o->size) {
    o->overflow = 1;
    return;
  }
  memcpy(o->p + o->len, s, n);
  o->len += n;
  o->p[o->len] = '\0';
}

static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

int dnsbl_cell_format(char *dst, size_t size, const char *const *labels,
                      const struct dnsbl_outcome *outs, size_t n) {
  struct out o = {dst, size, 0, 0};
  if (size == 0) return -ENOSPC;
  dst[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    const struct dnsbl_outcome *x = &outs[i];
    if (x->result == DNSBL_NOT_LISTED) continue;
    if (o.len) put(&o, ";", 1);
    puts_(&o, labels[i]);
    if (x->result == DNSBL_LISTED) {
      put(&o, "=", 1);
      for (size_t k = 0; k < x->ncodes; k++) {
        char ip[20];
        int l = snprintf(ip, sizeof ip, "%s%u.%u.%u.%u", k ? "," : "", x->codes[k][0],
                         x->codes[k][1], x->codes[k][2], x->codes[k][3]);
        put(&o, ip, (size_t)l);
      }
      if (x->total > x->ncodes) put(&o, "+", 1);
    } else {
      puts_(&o, "=error:");
      puts_(&o, x->reason[0] ? x->reason : "error");
    }
  }
  if (o.overflow) {
    dst[0] = '\0';
    return -ENOSPC;
  }
  return (int)o.len;
}

/* A dotted quad with no leading zeros (as the formatter writes them). */
static int is_ipv4(const char *s, size_t len) {
  struct addr a;
  return addr_parse(&a, s, len) == 0 && a.family == 4;
}

static int codes_valid(const char *s, size_t len) {
  if (len && s[len - 1] == '+') len--;
  if (len == 0) return 0;
  size_t start = 0;
  for (size_t i = 0; i <= len; i++)
    if (i == len || s[i] == ',') {
      if (!is_ipv4(s + start, i - start)) return 0;
      start = i + 1;
    }
  return 1;
}

int dnsbl_cell_parse(const char *s, size_t len, struct dnsbl_cell_entry *out, size_t max,
                     size_t *n) {
  size_t k = 0, start = 0;
  *n = 0;
  if (len == 0) return 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && s[i] != ';') continue;
    const char *e = s + start;
    size_t el = i - start;
    const char *eq = memchr(e, '=', el);
    if (!eq || eq == e) return -EINVAL;
    struct dnsbl_cell_entry x;
    x.label = e;
    x.label_len = (size_t)(eq - e);
    x.value = eq + 1;
    x.value_len = el - x.label_len - 1;
    if (x.value_len >= 6 && !memcmp(x.value, "error:", 6)) {
      x.listed = 0;
      x.value += 6;
      x.value_len -= 6;
      if (x.value_len == 0) return -EINVAL;
    } else {
      x.listed = 1;
      if (!codes_valid(x.value, x.value_len)) return -EINVAL;
    }
    if (k == max) return -E2BIG;
    out[k++] = x;
    *n = k;
    start = i + 1;
  }
  return 0;
}

/* ---- health --------------------------------------------------------------- */

struct dnsbl_health {
  unsigned window, percent;
  unsigned in_window, bad_in_window;
  uint64_t answers, bad;
  int stopped;
};

int dnsbl_health_new(struct dnsbl_health **out, unsigned window, unsigned percent) {
  if (window == 0 || percent > 99) return -EINVAL;
  struct dnsbl_health *h = calloc(1, sizeof *h);
  if (!h) return -ENOMEM;
  h->window = window;
  h->percent = percent;
  *out = h;
  return 0;
}

void dnsbl_health_free(struct dnsbl_health *h) { free(h); }

enum dnsbl_health_action dnsbl_health_note(struct dnsbl_health *h, const struct dnsbl_outcome *o) {
  if (h->stopped) return DNSBL_HEALTH_STOPPED;
  int bad;
  if (o->result == DNSBL_ERROR) {
    if (o->error != DNSBL_E_CODE && o->error != DNSBL_E_INVALID) return DNSBL_HEALTH_CONTINUE;
    bad = 1;
  } else {
    bad = 0;
  }
  h->answers++;
  h->bad += (uint64_t)bad;
  h->in_window++;
  h->bad_in_window += (unsigned)bad;
  if (h->in_window < h->window) return DNSBL_HEALTH_CONTINUE;
  int stop = (uint64_t)h->bad_in_window * 100 > (uint64_t)h->window * h->percent;
  h->in_window = h->bad_in_window = 0;
  if (!stop) return DNSBL_HEALTH_CONTINUE;
  h->stopped = 1;
  return DNSBL_HEALTH_STOP;
}

int dnsbl_health_stopped(const struct dnsbl_health *h) { return h->stopped; }

void dnsbl_health_counts(const struct dnsbl_health *h, uint64_t *answers, uint64_t *bad) {
  if (answers) *answers = h->answers;
  if (bad) *bad = h->bad;
}

/* ---- the list of lists ------------------------------------------------------ */

static int zone_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_';
}

/* Validate zone; its normal form into out[DNSBL_ZONE_MAX + 1].  NULL if
 * fine, else why not. */
static const char *zone_norm(const char *zone, size_t zl, char *out) {
  if (zl && zone[zl - 1] == '.') zl--;
  if (zl == 0) return "empty zone";
  if (zl > DNSBL_ZONE_MAX) return "zone longer than 189 octets";
  size_t lab = 0;
  for (size_t i = 0; i < zl; i++) {
    char c = zone[i];
    if (c == '.') {
      if (lab == 0) return "empty label in zone";
      lab = 0;
    } else if (!zone_char(c)) {
      return "zone holds a byte other than a letter, digit, '-', '_' or '.'";
    } else if (++lab > 63) {
      return "zone label longer than 63 octets";
    }
    out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
  }
  if (lab == 0) return "empty label in zone";
  out[zl] = '\0';
  return NULL;
}

static const char *label_check(const char *l, size_t ll) {
  if (ll == 0) return "empty label";
  if (ll > DNSBL_LABEL_MAX) return "label longer than 63 bytes";
  for (size_t i = 0; i < ll; i++)
    if (!zone_char(l[i]) && l[i] != '.')
      return "label holds a byte other than a letter, digit, '.', '-' or '_'";
  return NULL;
}

/* As dnsbl_list_add with explicit lengths; `where` prefixes messages. */
static int list_add(struct dnsbl_list *lists, size_t max, size_t *n, const char *zone,
                    size_t zl, const char *label, size_t ll, const char *where, char *err,
                    size_t errlen) {
  struct dnsbl_list x;
  const char *why = zone_norm(zone, zl, x.zone);
  if (why) return err_set(err, errlen, -EINVAL, "%sfield 1 (zone): %s", where, why);
  if (label) {
    if ((why = label_check(label, ll)))
      return err_set(err, errlen, -EINVAL, "%sfield 2 (label): %s", where, why);
    memcpy(x.label, label, ll);
    x.label[ll] = '\0';
  } else {
    /* The zone as label: it must fit DNSBL_LABEL_MAX too. */
    if (strlen(x.zone) > DNSBL_LABEL_MAX)
      return err_set(err, errlen, -EINVAL,
                     "%sfield 1 (zone): longer than 63 bytes: give it a shorter label", where);
    snprintf(x.label, sizeof x.label, "%s", x.zone);
  }
  for (size_t i = 0; i < *n; i++) {
    if (!strcmp(lists[i].zone, x.zone))
      return err_set(err, errlen, -EINVAL, "%sfield 1 (zone): %s is already listed", where,
                     x.zone);
    if (!strcmp(lists[i].label, x.label))
      return err_set(err, errlen, -EINVAL, "%sfield %d (label): %s is already used", where,
                     label ? 2 : 1, x.label);
  }
  if (*n >= max)
    return err_set(err, errlen, -E2BIG, "%smore than %zu lists", where, max);
  lists[(*n)++] = x;
  return 0;
}

int dnsbl_list_add(struct dnsbl_list *lists, size_t max, size_t *n, const char *zone,
                   const char *label, char *err, size_t errlen) {
  return list_add(lists, max, n, zone ? zone : "", zone ? strlen(zone) : 0, label,
                  label ? strlen(label) : 0, "", err, errlen);
}

int dnsbl_file_parse(const char *text, size_t len, const char *fname, struct dnsbl_list *lists,
                     size_t max, size_t *n, char *err, size_t errlen) {
  size_t line = 0, pos = 0;
  char where[300];
  while (pos < len) {
    size_t end = pos;
    while (end < len && text[end] != '\n') end++;
    line++;
    snprintf(where, sizeof where, "%s:%zu: ", fname ? fname : "-", line);
    size_t stop = end;
    if (memchr(text + pos, '\0', end - pos))
      return err_set(err, errlen, -EINVAL, "%sa NUL byte", where);
    const char *hash = memchr(text + pos, '#', end - pos);
    if (hash) stop = (size_t)(hash - text);
    if (stop > pos && text[stop - 1] == '\r') stop--;
    const char *f[3];
    size_t fl[3], nf = 0;
    size_t i = pos;
    for (;;) {
      while (i < stop && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) i++;
      if (i >= stop) break;
      size_t s = i;
      while (i < stop && text[i] != ' ' && text[i] != '\t' && text[i] != '\r') i++;
      if (nf == 2)
        return err_set(err, errlen, -EINVAL, "%sfield 3: unexpected (a line is ZONE [LABEL])",
                       where);
      f[nf] = text + s;
      fl[nf++] = i - s;
    }
    if (nf > 0) {
      int r = list_add(lists, max, n, f[0], fl[0], nf > 1 ? f[1] : NULL, nf > 1 ? fl[1] : 0,
                       where, err, errlen);
      if (r < 0) return r;
    }
    pos = end + 1;
  }
  return 0;
}
