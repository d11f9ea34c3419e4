/* SPDX-License-Identifier: MIT */
/*
 * spf.c - RFC 7208 check_host() as a state machine fed with DNS answers.
 * Contract in spf.h; record syntax in spfrecord.h, macros in spfmacro.h,
 * reply parsing in dnsreply.h.
 *
 * The evaluation is a stack of frames: the top-level record, then one per
 * include being evaluated (a redirect replaces its frame's record).  Only
 * the innermost frame runs.  Its current term goes through stages:
 *   0  take the next term (modifiers are skipped)
 *   1  a DNS-querying term: count it against SPF_LOOKUP_MAX
 *   2  expand its domain-spec (after the validated names when it uses
 *      %{p}, or for ptr) and ask, or push the include frame
 *   3  waiting: the answer handler sets `outcome` and moves to 4
 *   4  apply the outcome: a match ends the frame with the qualifier's
 *      result, no match goes on with the next term
 * Questions live in slots; each new step of waiting clears them, and ids
 * only grow, so answers to abandoned questions find no slot.
 */
#include "spf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnsreply.h"
#include "err.h"
#include "spfmacro.h"
#include "spfrecord.h"
#include "status.h"

enum phase { PH_IDLE, PH_RECORD, PH_A, PH_EXISTS, PH_MX, PH_MXADDR, PH_PTR, PH_PTRADDR, PH_EXP };
enum slot_state { SL_FREE, SL_WANT, SL_SENT, SL_DONE };
enum outcome { OUT_NONE, OUT_MATCH, OUT_NOMATCH };
enum ptr_state { P_NONE, P_RUNNING, P_DONE };

struct slot {
  unsigned id;
  int type;
  uint8_t state, status, match;
  char name[SPF_NAME_MAX + 1];
};

struct frame {
  size_t dom_off;          /* the domain, NUL-terminated, in text[] */
  size_t rec_off, rec_len; /* the record in text[] (valid when loaded) */
  int loaded, redirected;
  size_t pos;                /* where the next term starts */
  size_t term_off, term_len; /* the current term */
  int stage, outcome;
  struct spf_record_info info;
};

struct spf {
  struct addr ip;
  char sender[SPF_SENDER_MAX + SPF_NAME_MAX + 2], local[SPF_SENDER_MAX + 1];
  char sdomain[SPF_NAME_MAX + 1], helo[SPF_NAME_MAX + 1], receiver[SPF_NAME_MAX + 1];
  long long now;

  unsigned lookups, voids;
  int depth; /* frames in use: fr[0 .. depth-1] */
  struct frame fr[SPF_DEPTH_MAX];
  char text[SPF_TEXT_MAX];
  size_t text_used;

  enum phase phase;
  struct slot slot[SPF_QUERIES_MAX];
  unsigned nslots, next_id;
  int prefix; /* CIDR length for the A/AAAA answers being waited for */

  /* Validated names (5.5), found once per evaluation. */
  enum ptr_state ptr;
  int ptr_status;
  unsigned nptr;
  char ptrname[SPF_PTR_MAX][SPF_NAME_MAX + 1];
  uint8_t ptr_valid[SPF_PTR_MAX];

  /* The exp step after a top-level fail. */
  int in_exp, exp_stage;
  char exptext[SPF_EXP_MAX];
  char exp[SPF_EXP_MAX];
  int has_exp;

  int done;
  enum spf_result result;
  char detail[SPF_DETAIL_MAX];
};

static const char *const result_names[SPF_RESULT_COUNT] = {
    "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"};

const char *spf_result_name(enum spf_result r) {
  return (unsigned)r < SPF_RESULT_COUNT ? result_names[r] : NULL;
}

int spf_result_parse(const char *name) {
  for (int i = 0; i < SPF_RESULT_COUNT; i++)
    if (name && strcasecmp(name, result_names[i]) == 0) return i;
  return -1;
}

static struct frame *top(struct spf *e) { return &e->fr[e->depth - 1]; }
static const char *fdomain(const struct spf *e, const struct frame *f) {
  return e->text + f->dom_off;
}
static const char *frec(const struct spf *e, const struct frame *f) {
  return e->text + f->rec_off;
}

static const char *status_text(int st) {
  switch (st) {
  case DNS_SERVFAIL: return "SERVFAIL";
  case DNS_REFUSED: return "REFUSED";
  case DNS_TIMEOUT: return "timeout";
  case DNS_BADRESP: return "bad reply";
  default: return "error";
  }
}

static const char *type_text(int t) {
  switch (t) {
  case SPF_Q_A: return "A";
  case SPF_Q_AAAA: return "AAAA";
  case SPF_Q_MX: return "MX";
  case SPF_Q_PTR: return "PTR";
  default: return "TXT";
  }
}

static int is_temporary(int st) { return st != DNS_OK && st != DNS_NXDOMAIN && st != DNS_NODATA; }

/* ---- ending ---------------------------------------------------------- */

static void finish(struct spf *e, enum spf_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void finish(struct spf *e, enum spf_result r, const char *fmt, ...) {
  va_list ap;
  e->result = r;
  e->done = 1;
  e->phase = PH_IDLE;
  e->in_exp = 0;
  va_start(ap, fmt);
  vsnprintf(e->detail, sizeof e->detail, fmt, ap);
  va_end(ap);
}

static void dns_error(struct spf *e, int st, int type, const char *name) {
  finish(e, SPF_RESULT_TEMPERROR, "DNS %s for %s %s", status_text(st), type_text(type), name);
}

/* ---- text arena ------------------------------------------------------- */

/* Append s[0..n) and a NUL; returns its offset or SIZE_MAX when full. */
static size_t text_push(struct spf *e, const char *s, size_t n) {
  if (n + 1 > sizeof e->text - e->text_used) return SIZE_MAX;
  size_t off = e->text_used;
  memcpy(e->text + off, s, n);
  e->text[off + n] = '\0';
  e->text_used += n + 1;
  return off;
}

/* ---- questions -------------------------------------------------------- */

static void slots_clear(struct spf *e) {
  for (unsigned i = 0; i < SPF_QUERIES_MAX; i++) e->slot[i].state = SL_FREE;
  e->nslots = 0;
}

static void ask(struct spf *e, int type, const char *name) {
  struct slot *s = &e->slot[e->nslots++];
  s->id = ++e->next_id;
  s->type = type;
  s->state = SL_WANT;
  s->match = 0;
  s->status = DNS_NOT_RUN;
  snprintf(s->name, sizeof s->name, "%s", name);
}

static int addr_type(const struct spf *e) { return e->ip.family == 4 ? SPF_Q_A : SPF_Q_AAAA; }

/* ---- macro context ---------------------------------------------------- */

static int name_ieq(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

/* `name` equals `dom` or ends in "." dom, case-insensitively. */
static int name_under(const char *name, const char *dom) {
  size_t n = strlen(name), d = strlen(dom);
  if (n == d) return name_ieq(name, dom);
  return n > d && name[n - d - 1] == '.' && strcasecmp(name + n - d, dom) == 0;
}

/* %{p} for the current domain (7.3): the domain itself if validated, else
 * a validated subdomain, else any validated name, else "unknown". */
static const char *validated_for(const struct spf *e, const char *dom) {
  if (e->ptr != P_DONE) return NULL;
  for (unsigned i = 0; i < e->nptr; i++)
    if (e->ptr_valid[i] && name_ieq(e->ptrname[i], dom)) return e->ptrname[i];
  for (unsigned i = 0; i < e->nptr; i++)
    if (e->ptr_valid[i] && name_under(e->ptrname[i], dom)) return e->ptrname[i];
  for (unsigned i = 0; i < e->nptr; i++)
    if (e->ptr_valid[i]) return e->ptrname[i];
  return NULL;
}

static void mctx(const struct spf *e, const struct frame *f, struct spf_macro_ctx *c) {
  c->sender = e->sender;
  c->local = e->local;
  c->sender_domain = e->sdomain;
  c->domain = fdomain(e, f);
  c->ip = &e->ip;
  c->validated = validated_for(e, c->domain);
  c->helo = e->helo;
  c->receiver = e->receiver[0] ? e->receiver : NULL;
  c->now = e->now;
}

/* Start finding the validated names (a PTR query, then A/AAAA for each
 * name).  The caller returns; the step is retried when they are known. */
static void ptr_begin(struct spf *e) {
  char rev[ADDR_REVLEN];
  addr_reverse_name(&e->ip, rev);
  e->ptr = P_RUNNING;
  slots_clear(e);
  ask(e, SPF_Q_PTR, rev);
  e->phase = PH_PTR;
}

/* ---- frames ----------------------------------------------------------- */

/* Push a frame for check_host(domain); it asks for its record when run. */
static int frame_push(struct spf *e, const char *domain) {
  if (e->depth == SPF_DEPTH_MAX) {
    finish(e, SPF_RESULT_PERMERROR, "include nesting deeper than %d", SPF_DEPTH_MAX);
    return -1;
  }
  size_t n = strlen(domain);
  if (n && domain[n - 1] == '.') n--;
  size_t off = text_push(e, domain, n);
  if (off == SIZE_MAX) {
    finish(e, SPF_RESULT_PERMERROR, "SPF records longer than %d bytes in all", SPF_TEXT_MAX);
    return -1;
  }
  struct frame *f = &e->fr[e->depth++];
  memset(f, 0, sizeof *f);
  f->dom_off = off;
  return 0;
}

/* The frame ended with result r (pass/fail/softfail/neutral). */
static void frame_result(struct spf *e, enum spf_result r, const char *why, size_t whylen) {
  struct frame *f = top(e);
  if (e->depth == 1) {
    e->result = r;
    snprintf(e->detail, sizeof e->detail, "%.*s", (int)whylen, why);
    if (r == SPF_RESULT_FAIL && f->info.exp != SIZE_MAX) {
      e->in_exp = 1;
      e->exp_stage = 0;
      return;
    }
    e->done = 1;
    e->phase = PH_IDLE;
    return;
  }
  e->text_used = f->dom_off;
  e->depth--;
  f = top(e);
  f->outcome = r == SPF_RESULT_PASS ? OUT_MATCH : OUT_NOMATCH;
  f->stage = 4;
}

/* The frame's domain has no SPF record (or is not a domain). */
static void frame_none(struct spf *e, const char *why) {
  struct frame *f = top(e);
  if (e->depth == 1 && !f->redirected) {
    finish(e, SPF_RESULT_NONE, "%s", why);
    return;
  }
  finish(e, SPF_RESULT_PERMERROR, "%s target %s: %s", f->redirected ? "redirect" : "include",
         fdomain(e, f), why);
}

/* ---- answers ------------------------------------------------------------ */

struct txtsel {
  struct spf *e;
  unsigned spf, total;
  size_t off, len, full;
  int is_exp;
};

/* Record selection (4.5): join each TXT record into the free text space;
 * keep the first SPF one.  For exp: count records and keep the first. */
static int txt_each(void *arg, const unsigned char *rd, size_t rdlen) {
  struct txtsel *t = arg;
  struct spf *e = t->e;
  t->total++;
  if (t->is_exp) {
    if (t->total == 1) t->full = dnsreply_txt_join(rd, rdlen, e->exptext, sizeof e->exptext);
    return 0;
  }
  char *dst = e->text + e->text_used;
  size_t room = sizeof e->text - e->text_used;
  size_t full = dnsreply_txt_join(rd, rdlen, dst, room);
  size_t got = full < room ? full : (room ? room - 1 : 0);
  if (!spf_record_is_spf(dst, got)) return 0;
  if (++t->spf == 1) {
    t->off = e->text_used;
    t->len = got;
    t->full = full;
    e->text_used += got + 1; /* keep it; later records go after it */
  }
  return 0;
}

/* The reply's status: parsed from the packet when there is one. */
static int reply_status(int status, const unsigned char *abuf, size_t alen) {
  if (!abuf || alen == 0) return status == DNS_OK ? DNS_BADRESP : status;
  return -1; /* parse it */
}

static void on_record(struct spf *e, struct slot *s, int status, const unsigned char *abuf,
                      size_t alen) {
  struct frame *f = top(e);
  struct txtsel t = {e, 0, 0, 0, 0, 0, 0};
  int st = reply_status(status, abuf, alen);
  if (st < 0) st = dnsreply_txt(abuf, (int)(alen > 65535 ? 65535 : alen), s->name, txt_each, &t);
  if (is_temporary(st)) {
    dns_error(e, st, SPF_Q_TXT, s->name);
    return;
  }
  if (st == DNS_NXDOMAIN) {
    frame_none(e, "no such domain");
    return;
  }
  if (t.spf == 0) {
    frame_none(e, "no SPF record");
    return;
  }
  if (t.spf > 1) {
    finish(e, SPF_RESULT_PERMERROR, "%u SPF records at %s", t.spf, fdomain(e, f));
    return;
  }
  if (t.full > t.len) {
    finish(e, SPF_RESULT_PERMERROR, "SPF records longer than %d bytes in all", SPF_TEXT_MAX);
    return;
  }
  /* A NUL byte is as invalid as DEL everywhere in a record; DEL keeps the
   * text a C string and the error where it was. */
  for (size_t i = 0; i < t.len; i++)
    if (e->text[t.off + i] == '\0') e->text[t.off + i] = 0x7f;
  e->text_used = t.off + t.len + 1;
  f->rec_off = t.off;
  f->rec_len = t.len;
  f->loaded = 1;
  f->pos = 0;
  f->stage = 0;
  char why[SPF_DETAIL_MAX - 64];
  if (spf_record_check(frec(e, f), f->rec_len, &f->info, why, sizeof why) < 0)
    finish(e, SPF_RESULT_PERMERROR, "%s", why);
}

static int count_void(struct spf *e) {
  if (++e->voids > SPF_VOID_MAX) {
    finish(e, SPF_RESULT_PERMERROR, "void lookup limit: more than %d lookups found nothing",
           SPF_VOID_MAX);
    return -1;
  }
  return 0;
}

/* An A/AAAA reply: status, and whether it holds the client's network. */
static int addr_reply(struct spf *e, struct slot *s, int status, const unsigned char *abuf,
                      size_t alen, int prefix, int *match) {
  struct addr one;
  struct dnsreply_addrs o;
  int st = reply_status(status, abuf, alen);
  *match = 0;
  if (st >= 0) return st;
  dnsreply_addrs_init(&o, &one, 1);
  o.want = &e->ip;
  o.want_prefix = prefix;
  st = dnsreply_addrs(abuf, (int)(alen > 65535 ? 65535 : alen), s->name,
                      s->type == SPF_Q_A ? 4 : 6, &o);
  *match = st == DNS_OK && o.want_seen;
  return st;
}

/* The mx host list: any match wins; otherwise an error, once all are in. */
static void mx_decide(struct spf *e) {
  int all = 1, err = -1;
  unsigned erri = 0;
  for (unsigned i = 0; i < e->nslots; i++) {
    struct slot *s = &e->slot[i];
    if (s->state != SL_DONE) {
      all = 0;
      continue;
    }
    if (s->match) {
      top(e)->outcome = OUT_MATCH;
      top(e)->stage = 4;
      e->phase = PH_IDLE;
      return;
    }
    if (is_temporary(s->status) && err < 0) {
      err = s->status;
      erri = i;
    }
  }
  if (!all) return;
  if (err >= 0) {
    dns_error(e, err, e->slot[erri].type, e->slot[erri].name);
    return;
  }
  top(e)->outcome = OUT_NOMATCH;
  top(e)->stage = 4;
  e->phase = PH_IDLE;
}

static void ptr_decide(struct spf *e) {
  for (unsigned i = 0; i < e->nslots; i++)
    if (e->slot[i].state != SL_DONE) return;
  for (unsigned i = 0; i < e->nslots; i++)
    e->ptr_valid[i] = e->slot[i].match && e->slot[i].status == DNS_OK;
  e->ptr = P_DONE;
  e->phase = PH_IDLE;
}

static void on_answer(struct spf *e, struct slot *s, int status, const unsigned char *abuf,
                      size_t alen) {
  int st, match;
  int len = (int)(alen > 65535 ? 65535 : alen);
  struct frame *f = top(e);
  switch (e->phase) {
  case PH_RECORD:
    e->phase = PH_IDLE;
    on_record(e, s, status, abuf, alen);
    return;
  case PH_A:
  case PH_EXISTS: {
    int exists = e->phase == PH_EXISTS;
    st = addr_reply(e, s, status, abuf, alen, exists ? -1 : e->prefix, &match);
    e->phase = PH_IDLE;
    if (is_temporary(st)) {
      dns_error(e, st, s->type, s->name);
      return;
    }
    if (st != DNS_OK && count_void(e) < 0) return;
    f->outcome = (exists ? st == DNS_OK : match) ? OUT_MATCH : OUT_NOMATCH;
    f->stage = 4;
    return;
  }
  case PH_MX: {
    const char *names[SPF_MX_MAX];
    char arena[SPF_MX_MAX * DNSREPLY_NAME_SIZE];
    struct dnsreply_names o;
    dnsreply_names_init(&o, names, arena, SPF_MX_MAX);
    st = reply_status(status, abuf, alen);
    if (st < 0) st = dnsreply_mx(abuf, len, s->name, &o);
    e->phase = PH_IDLE;
    if (is_temporary(st)) {
      dns_error(e, st, SPF_Q_MX, s->name);
      return;
    }
    if (st != DNS_OK) {
      if (count_void(e) < 0) return;
      f->outcome = OUT_NOMATCH;
      f->stage = 4;
      return;
    }
    if (o.records > SPF_MX_MAX) {
      finish(e, SPF_RESULT_PERMERROR, "more than %d MX records at %s", SPF_MX_MAX, s->name);
      return;
    }
    slots_clear(e);
    for (size_t i = 0; i < o.n; i++)
      if (spf_macro_name_ok(names[i]) && strlen(names[i]) <= SPF_NAME_MAX)
        ask(e, addr_type(e), names[i]); /* the root (null MX, RFC 7505) is skipped */
    if (e->nslots == 0) {
      f->outcome = OUT_NOMATCH;
      f->stage = 4;
      return;
    }
    e->phase = PH_MXADDR;
    return;
  }
  case PH_MXADDR:
    s->status = (uint8_t)addr_reply(e, s, status, abuf, alen, e->prefix, &match);
    s->match = (uint8_t)match;
    s->state = SL_DONE;
    mx_decide(e);
    return;
  case PH_PTR: {
    const char *names[SPF_PTR_MAX];
    char arena[SPF_PTR_MAX * DNSREPLY_NAME_SIZE];
    struct dnsreply_names o;
    dnsreply_names_init(&o, names, arena, SPF_PTR_MAX);
    st = reply_status(status, abuf, alen);
    if (st < 0) st = dnsreply_ptr(abuf, len, s->name, &o);
    e->ptr_status = st;
    e->nptr = 0;
    slots_clear(e);
    if (st == DNS_OK)
      for (size_t i = 0; i < o.n; i++)
        if (spf_macro_name_ok(names[i]) && strlen(names[i]) <= SPF_NAME_MAX) {
          snprintf(e->ptrname[e->nptr], sizeof e->ptrname[0], "%s", names[i]);
          e->ptr_valid[e->nptr++] = 0;
          ask(e, addr_type(e), names[i]);
        }
    if (e->nslots == 0) {
      e->ptr = P_DONE;
      e->phase = PH_IDLE;
      return;
    }
    e->phase = PH_PTRADDR;
    return;
  }
  case PH_PTRADDR:
    s->status = (uint8_t)addr_reply(e, s, status, abuf, alen, -1, &match);
    s->match = (uint8_t)match;
    s->state = SL_DONE;
    ptr_decide(e);
    return;
  case PH_EXP: {
    struct txtsel t = {e, 0, 0, 0, 0, 0, 1};
    st = reply_status(status, abuf, alen);
    if (st < 0) st = dnsreply_txt(abuf, len, s->name, txt_each, &t);
    e->phase = PH_IDLE;
    /* 6.2: no explanation on any DNS error, no record, several records,
     * a text too long to keep, or bad syntax (non-ASCII included). */
    if (st != DNS_OK || t.total != 1 || t.full >= sizeof e->exptext ||
        memchr(e->exptext, '\0', t.full) ||
        spf_macro_check(e->exptext, t.full, SPF_MACRO_EXP, NULL) < 0) {
      e->done = 1;
      return;
    }
    e->exp_stage = 2;
    return;
  }
  case PH_IDLE: return;
  }
}

/* ---- evaluation ------------------------------------------------------------ */

static int term_of(struct spf *e, struct frame *f, struct spf_term *t) {
  return spf_term_parse(frec(e, f) + f->term_off, f->term_len, t, NULL, 0);
}

/* Expand the term's domain-spec, or take the current domain.  Returns 0,
 * or -1 when the expansion is no name to ask (no match). */
static int target(struct spf *e, struct frame *f, const struct spf_term *t, char *out) {
  struct spf_macro_ctx c;
  if (!t->spec) {
    snprintf(out, SPF_NAME_MAX + 1, "%s", fdomain(e, f));
    return 0;
  }
  mctx(e, f, &c);
  return spf_macro_expand_domain(t->spec, t->speclen, &c, out) < 0 ? -1 : 0;
}

static enum spf_result qual_result(char q) {
  switch (q) {
  case '-': return SPF_RESULT_FAIL;
  case '~': return SPF_RESULT_SOFTFAIL;
  case '?': return SPF_RESULT_NEUTRAL;
  default: return SPF_RESULT_PASS;
  }
}

static int in_net(const struct addr *ip, const struct addr *net, int bits) {
  if (ip->family != net->family) return 0;
  int whole = bits / 8, rest = bits % 8;
  if (memcmp(ip->b, net->b, (size_t)whole) != 0) return 0;
  if (rest == 0) return 1;
  uint8_t mask = (uint8_t)(0xFF << (8 - rest));
  return (ip->b[whole] & mask) == (net->b[whole] & mask);
}

static void mech_step(struct spf *e, struct frame *f, const struct spf_term *t) {
  char name[SPF_NAME_MAX + 1];
  int needs_dns = t->kind != SPF_T_ALL && t->kind != SPF_T_IP4 && t->kind != SPF_T_IP6;

  if (f->stage == 4) {
    f->stage = 0;
    if (f->outcome == OUT_MATCH)
      frame_result(e, qual_result(t->qualifier), frec(e, f) + f->term_off, f->term_len);
    return;
  }
  if (!needs_dns) {
    int m = t->kind == SPF_T_ALL ||
            (t->kind == SPF_T_IP4 && in_net(&e->ip, &t->net, t->cidr4)) ||
            (t->kind == SPF_T_IP6 && in_net(&e->ip, &t->net, t->cidr6));
    f->outcome = m ? OUT_MATCH : OUT_NOMATCH;
    f->stage = 4;
    return;
  }
  if (f->stage == 1) {
    if (++e->lookups > SPF_LOOKUP_MAX) {
      finish(e, SPF_RESULT_PERMERROR, "too many DNS lookups: more than %d", SPF_LOOKUP_MAX);
      return;
    }
    f->stage = 2;
  }
  /* stage 2 */
  if (e->ptr != P_DONE &&
      (t->kind == SPF_T_PTR || (t->spec && spf_macro_uses_p(t->spec, t->speclen)))) {
    ptr_begin(e);
    return;
  }
  int bad = target(e, f, t, name) < 0;
  f->stage = 3;
  slots_clear(e);
  switch (t->kind) {
  case SPF_T_A:
  case SPF_T_MX:
  case SPF_T_EXISTS:
    if (bad) break;
    e->prefix = e->ip.family == 4 ? t->cidr4 : t->cidr6;
    if (t->kind == SPF_T_MX) {
      ask(e, SPF_Q_MX, name);
      e->phase = PH_MX;
    } else if (t->kind == SPF_T_A) {
      ask(e, addr_type(e), name);
      e->phase = PH_A;
    } else {
      ask(e, SPF_Q_A, name); /* 5.7: A even for an IPv6 client */
      e->phase = PH_EXISTS;
    }
    return;
  case SPF_T_PTR: {
    if (e->ptr_status == DNS_NXDOMAIN || e->ptr_status == DNS_NODATA)
      if (count_void(e) < 0) return;
    int m = 0;
    if (!bad)
      for (unsigned i = 0; i < e->nptr && !m; i++)
        m = e->ptr_valid[i] && name_under(e->ptrname[i], name);
    f->outcome = m ? OUT_MATCH : OUT_NOMATCH;
    f->stage = 4;
    return;
  }
  case SPF_T_INCLUDE:
  case SPF_T_REDIRECT:
    if (bad || !spf_domain_ok(name)) {
      if (t->kind == SPF_T_INCLUDE) {
        finish(e, SPF_RESULT_PERMERROR, "include target '%.*s' is not a domain",
               (int)t->speclen, t->spec);
      } else {
        finish(e, SPF_RESULT_PERMERROR, "redirect target '%.*s' is not a domain",
               (int)t->speclen, t->spec);
      }
      return;
    }
    if (t->kind == SPF_T_INCLUDE) {
      if (frame_push(e, name) < 0) return;
      return; /* the new frame asks for its record; stage 3 until it ends */
    }
    /* 6.1: check_host() again with the target as <domain>; this frame's
     * record (and its exp) is replaced. */
    e->text_used = f->dom_off;
    e->depth--;
    if (frame_push(e, name) < 0) return;
    top(e)->redirected = 1;
    return;
  default: break;
  }
  f->outcome = OUT_NOMATCH; /* a name that cannot be asked */
  f->stage = 4;
}

static void exp_step(struct spf *e) {
  struct frame *f = top(e);
  struct spf_term t;
  struct spf_macro_ctx c;
  char name[SPF_NAME_MAX + 1];
  if (e->exp_stage == 0) {
    spf_term_parse(frec(e, f) + f->info.exp, strcspn(frec(e, f) + f->info.exp, " "), &t, NULL, 0);
    if (e->ptr != P_DONE && spf_macro_uses_p(t.spec, t.speclen)) {
      ptr_begin(e);
      return;
    }
    mctx(e, f, &c);
    if (spf_macro_expand_domain(t.spec, t.speclen, &c, name) < 0) {
      e->done = 1;
      return;
    }
    slots_clear(e);
    ask(e, SPF_Q_TXT, name);
    e->phase = PH_EXP;
    e->exp_stage = 1;
    return;
  }
  /* stage 2: the text is in exptext and valid */
  size_t n = strlen(e->exptext);
  if (e->ptr != P_DONE && spf_macro_uses_p(e->exptext, n)) {
    ptr_begin(e);
    return;
  }
  mctx(e, f, &c);
  if (spf_macro_expand(e->exptext, n, SPF_MACRO_EXP, &c, e->exp, sizeof e->exp) >= 0) {
    e->has_exp = 1;
    snprintf(e->detail, sizeof e->detail, "%s", e->exp);
  }
  e->done = 1;
}

static void step(struct spf *e) {
  struct frame *f = top(e);
  struct spf_term t;
  const char *tok;
  size_t tl;
  if (e->in_exp) {
    exp_step(e);
    return;
  }
  if (!f->loaded) {
    slots_clear(e);
    ask(e, SPF_Q_TXT, fdomain(e, f));
    e->phase = PH_RECORD;
    return;
  }
  if (f->stage == 0) {
    if (!spf_record_next(frec(e, f), f->rec_len, &f->pos, &tok, &tl)) {
      if (f->info.redirect != SIZE_MAX && !f->info.has_all) {
        f->term_off = f->info.redirect;
        f->term_len = strcspn(frec(e, f) + f->term_off, " ");
        f->stage = 1;
        return;
      }
      frame_result(e, SPF_RESULT_NEUTRAL, "default", 7);
      return;
    }
    f->term_off = (size_t)(tok - frec(e, f));
    f->term_len = tl;
    if (term_of(e, f, &t) < 0 || t.kind >= SPF_T_REDIRECT) return; /* modifiers: skip */
    f->stage = 1;
  }
  if (term_of(e, f, &t) < 0) {
    finish(e, SPF_RESULT_PERMERROR, "internal: term changed");
    return;
  }
  mech_step(e, f, &t);
}

static void run(struct spf *e) {
  while (!e->done && e->phase == PH_IDLE) step(e);
}

/* ---- public ------------------------------------------------------------ */

int spf_new(struct spf **out, const struct addr *ip, const char *sender, const char *helo,
            char *err, size_t errlen) {
  *out = NULL;
  if (!ip || (ip->family != 4 && ip->family != 6))
    return err_set(err, errlen, -EINVAL, "spf: no client address");
  struct spf *e = calloc(1, sizeof *e);
  if (!e) return err_set(err, errlen, -ENOMEM, "spf: out of memory");
  e->ip = *ip;
  /* Section 5: an IPv4-mapped IPv6 address is an IPv4 client. */
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (ip->family == 6 && memcmp(ip->b, mapped, 12) == 0) {
    memset(&e->ip, 0, sizeof e->ip);
    e->ip.family = 4;
    memcpy(e->ip.b, ip->b + 12, 4);
  }
  e->now = (long long)time(NULL);
  e->ptr_status = DNS_NOT_RUN;
  *out = e;

  if (!helo) helo = "";
  int helo_long = strlen(helo) > SPF_NAME_MAX;
  snprintf(e->helo, sizeof e->helo, "%s", helo);
  const char *domain;
  if (!sender || !*sender) {
    /* 2.3, 4.3: the HELO identity, as postmaster@helo. */
    if (helo_long) {
      finish(e, SPF_RESULT_NONE, "HELO name too long");
      return 0;
    }
    snprintf(e->sender, sizeof e->sender, "postmaster@%s", e->helo);
    snprintf(e->local, sizeof e->local, "postmaster");
    domain = e->helo;
  } else {
    if (strlen(sender) > SPF_SENDER_MAX) {
      finish(e, SPF_RESULT_NONE, "sender too long");
      return 0;
    }
    const char *at = strrchr(sender, '@');
    if (at) {
      size_t ll = (size_t)(at - sender);
      if (ll) snprintf(e->local, sizeof e->local, "%.*s", (int)ll, sender);
      else snprintf(e->local, sizeof e->local, "postmaster");
      domain = at + 1;
    } else {
      snprintf(e->local, sizeof e->local, "postmaster");
      domain = sender;
    }
    if (strlen(domain) > SPF_NAME_MAX) {
      finish(e, SPF_RESULT_NONE, "sender domain too long");
      return 0;
    }
    snprintf(e->sender, sizeof e->sender, "%s@%s", e->local, domain);
  }
  snprintf(e->sdomain, sizeof e->sdomain, "%s", domain);
  if (!spf_domain_ok(e->sdomain)) {
    finish(e, SPF_RESULT_NONE, "not a domain name: '%.*s'", 255, e->sdomain);
    return 0;
  }
  if (frame_push(e, e->sdomain) < 0) return 0;
  run(e);
  return 0;
}

void spf_set_context(struct spf *e, const char *receiver, long long now) {
  if (receiver) snprintf(e->receiver, sizeof e->receiver, "%s", receiver);
  e->now = now;
}

void spf_free(struct spf *e) { free(e); }

size_t spf_pending(struct spf *e, struct spf_query *q, size_t max) {
  size_t n = 0;
  if (e->done) return 0;
  for (unsigned i = 0; i < e->nslots && n < max; i++) {
    struct slot *s = &e->slot[i];
    if (s->state != SL_WANT) continue;
    s->state = SL_SENT;
    q[n].id = s->id;
    q[n].type = s->type;
    memcpy(q[n].name, s->name, sizeof q[n].name);
    n++;
  }
  return n;
}

void spf_answer(struct spf *e, unsigned id, int status, const unsigned char *abuf, size_t alen) {
  if (e->done) return;
  for (unsigned i = 0; i < e->nslots; i++) {
    struct slot *s = &e->slot[i];
    if (s->id != id || (s->state != SL_SENT && s->state != SL_WANT)) continue;
    s->state = SL_DONE;
    on_answer(e, s, status, abuf, alen);
    run(e);
    return;
  }
}

int spf_done(const struct spf *e) { return e->done; }

enum spf_result spf_result(const struct spf *e, char *detail, size_t dlen) {
  if (!e->done) {
    if (dlen) snprintf(detail, dlen, "not finished");
    return SPF_RESULT_TEMPERROR;
  }
  if (dlen) snprintf(detail, dlen, "%s", e->detail);
  return e->result;
}

const char *spf_explanation(const struct spf *e) {
  return e->done && e->result == SPF_RESULT_FAIL && e->has_exp ? e->exp : NULL;
}

void spf_counts(const struct spf *e, unsigned *lookups, unsigned *voids) {
  if (lookups) *lookups = e->lookups;
  if (voids) *voids = e->voids;
}
