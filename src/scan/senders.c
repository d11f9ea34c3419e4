/* SPDX-License-Identifier: MIT */
/*
 * senders.c - see senders.h.  Event-loop glue: the rules are in core/spf,
 * core/dnsbl, core/dmarc and net/orgdomain; the answers' sharing in
 * core/dnscache.
 */
#include "senders.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ares.h>
#include <arpa/nameser.h>

#include "dmarc.h"
#include "dnsbl.h"
#include "dnscache.h"
#include "dnsreply.h"
#include "err.h"
#include "orgdomain.h"
#include "spf.h"

/* Questions one SPF evaluation may have open at once (the names of one mx
 * or ptr mechanism are asked together: RFC 7208 section 4.6.4 caps them
 * at 10, plus the record itself). */
#define SPF_OPEN_MAX SPF_QUERIES_MAX
#define DETAIL_MAX 512
#define DNSBL_TXT_MAX 160 /* of one listing's TXT, kept for the report */

/* The TXT records of one reply, joined per record, kept for dmarc_select:
 * at most DMARC_TXT_MAX records of DMARC_TXT_LEN bytes (a DMARC record is
 * short; longer ones are cut and then fail to parse, as they should). */
#define DMARC_TXT_MAX 8
#define DMARC_TXT_LEN 512
struct txt_set {
  char text[DMARC_TXT_MAX][DMARC_TXT_LEN];
  const char *ptr[DMARC_TXT_MAX];
  size_t len[DMARC_TXT_MAX];
  size_t n;
};

struct senders_row;

/* A question the row waits for through the cache.  `entry` is set while
 * the row's own query fills it (the row that missed sends the query). */
struct cq {
  struct senders_row *row;
  unsigned id;                   /* SPF question id; DMARC_Q for DMARC */
  struct dnscache_entry *entry;  /* the pending entry this row's query fills */
  struct dnscache_waiter w;
};
#define DMARC_Q UINT32_MAX

/* One blocklist query of the row. */
struct blq {
  struct senders_row *row;
  unsigned list;
  int txt;                       /* 1: the TXT of a listing */
};

struct senders_row {
  struct senders *s;
  struct senders_row *next;      /* free list */
  struct senders_row *all_next;  /* every context ever made */
  senders_done_cb done;
  void *arg;
  unsigned open;                 /* parts still running, +1 while starting */
  struct addr addr;
  /* DNSBL: arrays of nlists in the same allocation as the row */
  struct blq *blq;
  struct dnsbl_outcome *bl;
  char (*bltxt)[DNSBL_TXT_MAX];
  unsigned listed, errors;
  char *dnsbl_cell;              /* DNSBL_CELL_MAX(nlists) bytes */
  char *dnsbl_txt_cell;          /* nlists x (DNSBL_LABEL_MAX + DNSBL_TXT_MAX + 4) bytes */
  /* SPF */
  struct spf *spf;
  struct cq cq[SPF_OPEN_MAX];
  unsigned cq_used;              /* bitmap of cq[] in use */
  int driving;                   /* inside spf_drive: answers from the cache wait for its loop */
  enum spf_status spf_st;
  char spf_detail[DETAIL_MAX];
  /* DMARC */
  char domain[DNSCACHE_NAME_MAX + 1];  /* the sender's domain; "" = none */
  char org[DNSCACHE_NAME_MAX + 1];
  int dmarc_at_org;              /* asking the organisational domain now */
  struct cq dq;
  enum dmarc_status dmarc_st;
  char dmarc_cell[DMARC_CELL_MAX + 64];
};

struct senders {
  uv_loop_t *loop;
  struct resolver *res;
  struct dnscache *cache;
  struct senders_opts o;
  const char *labels[DNSBL_MAX_LISTS];
  struct dnsbl_health *bl_health[DNSBL_MAX_LISTS];
  senders_warn_cb warn;
  void *warn_arg;
  struct orgdomain *psl;        /* the Public Suffix List, with SPF only */
  struct txt_set txt;           /* scratch for one DMARC answer */
  struct senders_row *free_rows, *all_rows;
  struct senders_stats st;
  int stopping;
};

static void part_done(struct senders_row *r);

static uint64_t now_ns(const struct senders *s) {
  (void)s;
  return uv_hrtime();
}

/* ---- the cache --------------------------------------------------------- */

/* The dns_status of a reply packet: its rcode and whether the answer
 * section holds anything (the evaluators read the records themselves). */
static enum dns_status reply_status(int ares_status, const unsigned char *abuf, int alen) {
  if (!abuf || alen < 12) return resolver_status(ares_status);
  switch (abuf[3] & 0x0f) {
  case 0: return (abuf[6] | abuf[7]) ? DNS_OK : DNS_NODATA;
  case 2: return DNS_SERVFAIL;
  case 3: return DNS_NXDOMAIN;
  case 5: return DNS_REFUSED;
  default: return DNS_BADRESP;
  }
}

static void on_cache_query(void *arg, int status, const unsigned char *abuf, int alen) {
  struct cq *q = arg;
  struct senders *s = q->row->s;
  struct dnscache_entry *e = q->entry;
  q->entry = NULL;
  int st = status == ARES_ECANCELLED || status == ARES_EDESTRUCTION
               ? DNS_ERROR /* not an answer about the name: not kept */
               : (int)reply_status(status, abuf, alen);
  /* Calls every waiter, this row's own among them. */
  dnscache_fill(s->cache, e, st, abuf, abuf && alen > 0 ? (size_t)alen : 0, now_ns(s));
}

/* Ask (name, type) through the cache for q: cb runs now (a hit), or later.
 * Returns 1 when it ran now. */
static int cache_ask(struct senders *s, struct cq *q, const char *name, int type,
                     dnscache_cb cb) {
  struct dnscache_entry *e;
  int rc = s->stopping ? -ECANCELED : dnscache_lookup(s->cache, name, type, now_ns(s), &e);
  if (rc == DNSCACHE_HIT) {
    size_t alen;
    const unsigned char *abuf = dnscache_entry_abuf(e, &alen);
    s->st.cache_hits++;
    cb(q, dnscache_entry_status(e), abuf, alen);
    return 1;
  }
  if (rc < 0) { /* stopping, a name too long for a query, or no memory */
    cb(q, rc == -ECANCELED || rc == -ENOMEM ? DNS_ERROR : DNS_BADRESP, NULL, 0);
    return 1;
  }
  dnscache_wait(e, &q->w, cb, q);
  if (rc == DNSCACHE_PENDING) {
    s->st.cache_waits++;
    return 0;
  }
  q->entry = e;
  s->st.queries++;
  resolver_query(s->res, name, type, on_cache_query, q);
  return 0;
}

/* ---- SPF ---------------------------------------------------------------- */

static void spf_drive(struct senders_row *r);

static enum spf_status spf_status_of(enum spf_result x) {
  switch (x) {
  case SPF_RESULT_NONE: return SPF_ST_NONE;
  case SPF_RESULT_NEUTRAL: return SPF_ST_NEUTRAL;
  case SPF_RESULT_PASS: return SPF_ST_PASS;
  case SPF_RESULT_FAIL: return SPF_ST_FAIL;
  case SPF_RESULT_SOFTFAIL: return SPF_ST_SOFTFAIL;
  case SPF_RESULT_TEMPERROR: return SPF_ST_TEMPERROR;
  default: return SPF_ST_PERMERROR;
  }
}

static void on_spf_answer(void *arg, int status, const unsigned char *abuf, size_t alen) {
  struct cq *q = arg;
  struct senders_row *r = q->row;
  r->cq_used &= ~(1u << (q - r->cq));
  spf_answer(r->spf, q->id, status, abuf, alen);
  /* Answers delivered from inside spf_drive (hits) are picked up by its
   * loop; only a later answer drives again. */
  if (!r->driving) spf_drive(r);
}

static int cq_take(struct senders_row *r) {
  for (unsigned i = 0; i < SPF_OPEN_MAX; i++)
    if (!(r->cq_used & (1u << i))) {
      r->cq_used |= 1u << i;
      return (int)i;
    }
  return -1;
}

static void spf_drive(struct senders_row *r) {
  struct spf_query q[SPF_OPEN_MAX];
  size_t n;
  if (!r->spf) return;
  /* New questions while there is room for them; hits answer at once and
   * may raise more. */
  r->driving = 1;
  while (!spf_done(r->spf)) {
    unsigned room = 0;
    for (unsigned i = 0; i < SPF_OPEN_MAX; i++) room += !(r->cq_used & (1u << i));
    if (!room || !(n = spf_pending(r->spf, q, room))) break;
    for (size_t i = 0; i < n; i++) {
      int k = cq_take(r);
      struct cq *c = &r->cq[k];
      c->row = r;
      c->id = q[i].id;
      cache_ask(r->s, c, q[i].name, q[i].type, on_spf_answer);
    }
  }
  r->driving = 0;
  if (spf_done(r->spf) && r->cq_used == 0) {
    enum spf_result x = spf_result(r->spf, r->spf_detail, sizeof r->spf_detail);
    r->spf_st = spf_status_of(x);
    spf_free(r->spf);
    r->spf = NULL;
    part_done(r);
  }
}

/* ---- DMARC --------------------------------------------------------------- */

static void dmarc_ask(struct senders_row *r);

static int txt_set_cb(void *arg, const unsigned char *rdata, size_t rdlen) {
  struct txt_set *t = arg;
  if (t->n == DMARC_TXT_MAX) return 1;
  size_t full = dnsreply_txt_join(rdata, rdlen, t->text[t->n], DMARC_TXT_LEN);
  t->ptr[t->n] = t->text[t->n];
  t->len[t->n] = full < DMARC_TXT_LEN ? full : DMARC_TXT_LEN - 1;
  t->n++;
  return 0;
}

static void on_dmarc_answer(void *arg, int status, const unsigned char *abuf, size_t alen) {
  struct cq *q = arg;
  struct senders_row *r = q->row;
  struct dmarc_record rec;
  struct dmarc_result res;
  struct txt_set *t = &r->s->txt; /* one loop thread: no two answers at once */
  char name[DNSCACHE_NAME_MAX + 8];
  size_t n = 0;
  int st = status;

  snprintf(name, sizeof name, "_dmarc.%s", r->dmarc_at_org ? r->org : r->domain);
  t->n = 0;
  if (abuf && alen) st = dnsreply_txt(abuf, (int)alen, name, txt_set_cb, t);
  if (st != DNS_OK && st != DNS_NXDOMAIN && st != DNS_NODATA) {
    /* A lookup that failed is no answer: unknown, never "missing". */
    r->dmarc_st = DMARC_ST_TEMPERROR;
    snprintf(r->dmarc_cell, sizeof r->dmarc_cell, "temperror: %s for %.100s",
             verdict_dns_status_name((enum dns_status)st), name);
    part_done(r);
    return;
  }
  n = dmarc_select(t->ptr, t->len, t->n, &rec);
  if (n == 0 && !r->dmarc_at_org && r->org[0] && strcmp(r->org, r->domain) != 0 &&
      !r->s->stopping) {
    /* RFC 7489 section 6.6.3: no record at the domain: ask its
     * organisational domain, whose sp= (else p=) then applies. */
    r->dmarc_at_org = 1;
    dmarc_ask(r);
    return;
  }
  dmarc_result(&rec, n, r->dmarc_at_org, &res);
  r->dmarc_st = res.state == DMARC_POLICY    ? DMARC_ST_RECORD
                : res.state == DMARC_INVALID ? DMARC_ST_INVALID
                                             : DMARC_ST_MISSING;
  if (dmarc_cell_format(r->dmarc_cell, sizeof r->dmarc_cell, &res) < 0) r->dmarc_cell[0] = '\0';
  part_done(r);
}

static void dmarc_ask(struct senders_row *r) {
  char name[DNSCACHE_NAME_MAX + 8];
  const char *d = r->dmarc_at_org ? r->org : r->domain;
  r->dq.row = r;
  r->dq.id = DMARC_Q;
  int n = snprintf(name, sizeof name, "_dmarc.%s", d);
  if (n < 0 || (size_t)n > DNSCACHE_NAME_MAX) {
    /* too long to ask: the domain cannot have a DMARC record */
    on_dmarc_answer(&r->dq, DNS_NXDOMAIN, NULL, 0);
    return;
  }
  cache_ask(r->s, &r->dq, name, ns_t_txt, on_dmarc_answer);
}

/* ---- DNSBL --------------------------------------------------------------- */

/* The first TXT record of a reply (RFC 5782 section 2.2: the reason of a
 * listing), its strings joined, into dst (the cell escapes it). */
struct txt_first {
  char *dst;
  size_t size;
};

static int txt_first_cb(void *arg, const unsigned char *rdata, size_t rdlen) {
  struct txt_first *t = arg;
  dnsreply_txt_join(rdata, rdlen, t->dst, t->size);
  return 1; /* the first record is enough */
}

static void txt_first(const unsigned char *abuf, int alen, const char *qname, char *dst,
                      size_t size) {
  struct txt_first t = {dst, size};
  dst[0] = '\0';
  if (abuf && alen > 0) dnsreply_txt(abuf, alen, qname, txt_first_cb, &t);
  /* a NUL inside the text would cut the cell; keep what precedes it */
}

static void on_bl(void *arg, int status, const unsigned char *abuf, int alen) {
  struct blq *q = arg;
  struct senders_row *r = q->row;
  struct senders *s = r->s;
  unsigned i = q->list;
  int cancelled = status == ARES_ECANCELLED || status == ARES_EDESTRUCTION;
  char name[DNSBL_QNAME_MAX];
  (void)dnsbl_qname(name, sizeof name, &r->addr, s->o.lists[i].zone);
  if (q->txt) {
    if (!cancelled) txt_first(abuf, alen, name, r->bltxt[i], sizeof r->bltxt[i]);
    part_done(r);
    return;
  }
  if (cancelled)
    dnsbl_classify(DNS_ERROR, NULL, 0, name, &r->bl[i]);
  else
    dnsbl_classify(resolver_status(status), abuf, alen > 0 ? (size_t)alen : 0, name, &r->bl[i]);
  if (!cancelled && dnsbl_health_note(s->bl_health[i], &r->bl[i]) == DNSBL_HEALTH_STOP) {
    char msg[400];
    uint64_t answers, bad;
    dnsbl_health_counts(s->bl_health[i], &answers, &bad);
    snprintf(msg, sizeof msg,
             "blocklist %s: %llu of its last %llu answers were error codes or invalid "
             "(e.g. %s); it is no longer asked, and later rows record \"%s=error:stopped\"",
             s->o.lists[i].zone, (unsigned long long)bad, (unsigned long long)answers,
             r->bl[i].reason, s->labels[i]);
    if (s->warn) s->warn(s->warn_arg, msg);
  }
  if (r->bl[i].result == DNSBL_LISTED && s->o.dnsbl_txt && !s->stopping) {
    q->txt = 1;
    s->st.queries++;
    resolver_query(s->res, name, ns_t_txt, on_bl, q);
    return;
  }
  part_done(r);
}

static void bl_start(struct senders_row *r) {
  struct senders *s = r->s;
  for (unsigned i = 0; i < s->o.nlists; i++) {
    char name[DNSBL_QNAME_MAX];
    r->bltxt[i][0] = '\0';
    if (dnsbl_health_stopped(s->bl_health[i]) || s->stopping) {
      dnsbl_outcome_stopped(&r->bl[i]);
      continue;
    }
    if (dnsbl_qname(name, sizeof name, &r->addr, s->o.lists[i].zone) < 0) {
      /* the zone was checked for length at start: only an odd family */
      dnsbl_classify(DNS_BADRESP, NULL, 0, "", &r->bl[i]);
      continue;
    }
    r->blq[i].row = r;
    r->blq[i].list = i;
    r->blq[i].txt = 0;
    r->open++;
    s->st.queries++;
    resolver_query(s->res, name, ns_t_a, on_bl, &r->blq[i]);
  }
}

/* ---- the row -------------------------------------------------------------- */

static void row_cells(struct senders_row *r) {
  struct senders *s = r->s;
  size_t o = 0, cap = s->o.nlists * (DNSBL_LABEL_MAX + DNSBL_TXT_MAX + 4) + 1;
  r->listed = r->errors = 0;
  if (!s->o.nlists) return;
  r->dnsbl_txt_cell[0] = '\0';
  for (unsigned i = 0; i < s->o.nlists; i++) {
    if (r->bl[i].result == DNSBL_LISTED) r->listed++;
    else if (r->bl[i].result == DNSBL_ERROR) r->errors++;
    if (r->bl[i].result == DNSBL_LISTED && r->bltxt[i][0]) {
      int n = snprintf(r->dnsbl_txt_cell + o, cap - o, "%s%s: %s", o ? " | " : "", s->labels[i],
                       r->bltxt[i]);
      if (n > 0) o += (size_t)n < cap - o ? (size_t)n : cap - o - 1;
    }
  }
  /* DNSBL_CELL_MAX(n) always fits: the call cannot fail */
  (void)dnsbl_cell_format(r->dnsbl_cell, DNSBL_CELL_MAX(s->o.nlists), s->labels, r->bl,
                          s->o.nlists);
}

static void part_done(struct senders_row *r) {
  if (--r->open) return;
  row_cells(r);
  r->done(r->arg);
}

/* The domain of a sender: after the last '@', or the whole text (RFC 7208
 * section 4.3: a bare domain is the domain).  "" when there is none. */
static void sender_domain(const char *sender, char *dst, size_t size) {
  const char *at = strrchr(sender, '@');
  const char *d = at ? at + 1 : sender;
  size_t n = strlen(d);
  while (n && d[n - 1] == '.') n--;
  if (n >= size) n = 0; /* longer than any DNS name: no domain */
  memcpy(dst, d, n);
  dst[n] = '\0';
}

/* A row context, with its blocklist arrays sized for this run's lists in
 * the same allocation.  From the pool, which grows to the peak. */
static struct senders_row *row_get(struct senders *s) {
  struct senders_row *r = s->free_rows;
  if (r) {
    s->free_rows = r->next;
    return r;
  }
  size_t n = s->o.nlists;
  size_t txt_cap = n * (DNSBL_LABEL_MAX + DNSBL_TXT_MAX + 4) + 1;
  size_t size = sizeof *r + n * (sizeof *r->blq + sizeof *r->bl + sizeof *r->bltxt) +
                DNSBL_CELL_MAX(n) + txt_cap;
  char *p = calloc(1, size);
  if (!p) return NULL;
  r = (struct senders_row *)p;
  p += sizeof *r;
  r->bl = (struct dnsbl_outcome *)p;
  p += n * sizeof *r->bl;
  r->blq = (struct blq *)p;
  p += n * sizeof *r->blq;
  r->bltxt = (char(*)[DNSBL_TXT_MAX])p;
  p += n * sizeof *r->bltxt;
  r->dnsbl_cell = p;
  p += DNSBL_CELL_MAX(n);
  r->dnsbl_txt_cell = p;
  r->s = s;
  r->all_next = s->all_rows;
  s->all_rows = r;
  return r;
}

int senders_start(struct senders *s, struct senders_row **out, const struct addr *a,
                  const char *sender, const char *helo, senders_done_cb done, void *arg) {
  struct senders_row *r = row_get(s);
  *out = NULL;
  if (!r) return -ENOMEM;
  r->done = done;
  r->arg = arg;
  r->addr = *a;
  r->open = 1; /* held while starting: done runs once, at the end */
  r->cq_used = 0;
  r->driving = 0;
  r->spf = NULL;
  r->spf_st = SPF_ST_NOT_RUN;
  r->spf_detail[0] = '\0';
  r->domain[0] = r->org[0] = '\0';
  r->dmarc_at_org = 0;
  r->dmarc_st = DMARC_ST_NOT_RUN;
  r->dmarc_cell[0] = '\0';
  *out = r;

  if (s->o.nlists) bl_start(r);
  if (s->o.spf) {
    if (!sender) sender = "";
    if (!helo) helo = "";
    if (sender[0] || helo[0]) {
      char err[128];
      r->open++;
      if (spf_new(&r->spf, a, sender, helo, err, sizeof err) < 0) {
        /* a sender that cannot be a domain: RFC 7208 section 4.3 */
        r->spf_st = SPF_ST_NONE;
        snprintf(r->spf_detail, sizeof r->spf_detail, "%s", err);
        r->spf = NULL;
        part_done(r);
      } else {
        spf_drive(r);
      }
    }
    /* DMARC is about the sender's domain; a HELO-only row has none. */
    if (sender[0]) sender_domain(sender, r->domain, sizeof r->domain);
    if (r->domain[0]) {
      /* a public suffix itself, or no list: only the domain is asked */
      if (orgdomain_get(s->psl, r->domain, r->org, sizeof r->org) < 0) r->org[0] = '\0';
      r->open++;
      dmarc_ask(r);
    }
  }
  part_done(r);
  return 0;
}

void senders_result(const struct senders_row *r, struct result *res,
                    struct senders_cells *cells) {
  res->dnsbl_listed = r->listed;
  res->dnsbl_errors = r->errors;
  res->spf = r->spf_st;
  res->dmarc = r->dmarc_st;
  cells->dnsbl = r->s->o.nlists ? r->dnsbl_cell : "";
  cells->dnsbl_txt = r->s->o.nlists ? r->dnsbl_txt_cell : "";
  cells->spf = verdict_spf_status_name(r->spf_st);
  cells->spf_detail = r->spf_detail;
  cells->dmarc = r->dmarc_cell;
}

void senders_release(struct senders *s, struct senders_row *r) {
  if (!r) return;
  r->next = s->free_rows;
  s->free_rows = r;
}

/* ---- the run ------------------------------------------------------------- */

int senders_new(struct senders **out, uv_loop_t *loop, struct resolver *res,
                const struct senders_opts *o, senders_warn_cb warn, void *warn_arg, char *err,
                size_t errlen) {
  struct senders *s = calloc(1, sizeof *s);
  int rc;
  *out = NULL;
  if (!s) return err_set(err, errlen, -ENOMEM, "out of memory");
  s->loop = loop;
  s->res = res;
  s->o = *o;
  if (s->o.nlists > DNSBL_MAX_LISTS) s->o.nlists = DNSBL_MAX_LISTS;
  for (size_t i = 0; i < s->o.nlists; i++) s->labels[i] = s->o.lists[i].label;
  s->warn = warn;
  s->warn_arg = warn_arg;
  /* Answers are kept no longer than a day: no run outlives the records it
   * read by more than that (RFC 7208 section 4.6.4 asks nothing longer). */
  if ((rc = dnscache_new(&s->cache, SENDERS_CACHE_BYTES, 86400ull * 1000000000ull)) < 0) {
    free(s);
    return err_set(err, errlen, rc, "out of memory");
  }
  if (s->o.spf && (rc = orgdomain_new(&s->psl, err, errlen)) < 0) {
    senders_free(s);
    return rc;
  }
  for (size_t i = 0; i < s->o.nlists; i++)
    if ((rc = dnsbl_health_new(&s->bl_health[i], DNSBL_HEALTH_WINDOW, DNSBL_HEALTH_PERCENT)) < 0) {
      senders_free(s);
      return err_set(err, errlen, rc, "out of memory");
    }
  *out = s;
  return 0;
}

int senders_enabled(const struct senders *s) { return s && (s->o.nlists || s->o.spf); }

void senders_stop(struct senders *s) {
  if (s) s->stopping = 1;
}

void senders_stats(const struct senders *s, struct senders_stats *st) {
  if (s) *st = s->st;
  else memset(st, 0, sizeof *st);
}

void senders_free(struct senders *s) {
  if (!s) return;
  struct senders_row *r = s->all_rows;
  while (r) {
    struct senders_row *n = r->all_next;
    spf_free(r->spf);
    free(r);
    r = n;
  }
  for (size_t i = 0; i < DNSBL_MAX_LISTS; i++) dnsbl_health_free(s->bl_health[i]);
  dnscache_free(s->cache);
  orgdomain_free(s->psl);
  free(s);
}
