/* SPDX-License-Identifier: MIT */
/*
 * summary.c - aggregation of report rows.  See summary.h for the contract.
 *
 * Layout:
 *   - two group tables (prefix, --by), each an open-addressing hash table
 *     (linear probing, load <= 1/2, doubling) of pointers to groups carved
 *     from a chunked arena, so a group never moves and summary_worst() can
 *     hand out pointers to its key;
 *   - the worst rows: a binary heap in a fixed array whose root is the
 *     least bad row kept, so a row worse than the root replaces it in
 *     O(log k) and the rest cost one comparison;
 *   - the /16 maps: 65536 bytes each, found through a 65536-entry index
 *     (slot + 1, 0 = none), plus a bitmap of every /16 seen so the ones
 *     beyond the cap can still be counted.
 * Nothing is allocated per row once a group exists.
 */
#include "summary.h"

#include "dnsbl.h"
#include "plural.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "err.h"

#include "addr.h"
#include "cell.h"
#include "schema.h"

#define ARENA_CHUNK (256u * 1024u)
#define TABLE_MIN 1024u

struct gcounts {
  uint32_t v[SUMMARY_NVERDICTS];
  uint32_t f[VERDICT_F_COUNT];
};

struct group {
  struct gcounts c;
  uint32_t hash;
  uint16_t klen;  /* bytes of key[] used for hashing and equality */
  uint16_t toff;  /* offset of the NUL-terminated display text in key[] */
  char key[];     /* prefix: family byte + address bytes, then text; by: text */
};

struct arena_chunk {
  struct arena_chunk *next;
  size_t used;
  _Alignas(8) char data[];
};

struct table {
  struct group **slot;
  size_t nslot;      /* power of two, or 0 */
  size_t count;
  size_t cap;        /* max groups */
  int is_prefix;
  struct gcounts other;   /* rows of groups beyond the cap */
  uint64_t other_rows;
  struct arena_chunk *arena;
};

struct map {
  unsigned prefix16;
  struct summary_counts c;
  uint8_t cell[65536];
};

struct summary {
  char **colnames;
  size_t ncols;
  size_t col_ip, col_verdict, col_flags, col_checked, col_by, col_ptr; /* (size_t)-1 = none */
  size_t col_dnsbl;
  /* blocklists: label, rows listed, rows with an unknown answer */
  struct {
    char label[DNSBL_LABEL_MAX + 1];
    uint64_t listed, errors;
  } bl[SUMMARY_DNSBL_MAX];
  size_t nbl;
  uint64_t bl_unreadable;
  char *by_name;
  size_t top;
  struct summary_counts total;
  uint64_t no_addr;
  uint64_t ipv6_rows;
  char first_checked[64], last_checked[64];
  struct table tab[2];
  /* prefix cache: the last prefix key and its group */
  unsigned char last_key[8];
  size_t last_klen;
  struct gcounts *last_group;
  /* maps */
  size_t max_maps;
  size_t nmaps;
  struct map **maps;       /* in address order */
  uint16_t *map_index;     /* [65536]: slot in maps + 1, 0 = none */
  uint8_t seen16[65536 / 8];
  size_t maps_dropped;
  /* worst rows: a heap, worst[0] the least bad kept */
  struct summary_row *worst;
  size_t nworst, worst_max;
  uint64_t worst_candidates;
  char err[256];
  int started;
};

#define NOCOL ((size_t)-1)

/* ---- small helpers -------------------------------------------------------- */

static uint32_t hash_bytes(const void *p, size_t n) {
  /* FNV-1a, then a final avalanche (murmur3 fmix32) so the low bits used
   * for the slot index depend on every input byte. */
  const unsigned char *b = p;
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

static void *arena_alloc(struct table *t, size_t n) {
  n = (n + 7u) & ~(size_t)7u;
  struct arena_chunk *c = t->arena;
  if (!c || c->used + n > ARENA_CHUNK) {
    size_t sz = n > ARENA_CHUNK ? n : ARENA_CHUNK;
    c = malloc(sizeof *c + sz);
    if (!c) return NULL;
    c->next = t->arena;
    c->used = 0;
    t->arena = c;
  }
  void *p = c->data + c->used;
  c->used += n;
  return p;
}

static void sat_inc(uint32_t *x) {
  if (*x != UINT32_MAX) (*x)++;
}

/* ---- group tables --------------------------------------------------------- */

static int table_grow(struct table *t) {
  size_t n = t->nslot ? t->nslot * 2 : TABLE_MIN;
  struct group **s = calloc(n, sizeof *s);
  if (!s) return -ENOMEM;
  for (size_t i = 0; i < t->nslot; i++) {
    struct group *g = t->slot[i];
    if (!g) continue;
    size_t j = g->hash & (n - 1);
    while (s[j]) j = (j + 1) & (n - 1);
    s[j] = g;
  }
  free(t->slot);
  t->slot = s;
  t->nslot = n;
  return 0;
}

/* Find the group with key[0..klen) or create it (display text `text`, or the
 * key itself when text is NULL); *out gets its counters, &t->other when the
 * table is full.  0 or -ENOMEM. */
static int table_get(struct table *t, const void *key, size_t klen, const char *text,
                     struct gcounts **out) {
  uint32_t h = hash_bytes(key, klen);
  if (t->nslot) {
    size_t j = h & (t->nslot - 1);
    for (struct group *g; (g = t->slot[j]) != NULL; j = (j + 1) & (t->nslot - 1)) {
      if (g->hash == h && g->klen == klen && memcmp(g->key, key, klen) == 0) {
        *out = &g->c;
        return 0;
      }
    }
  }
  if (t->count >= t->cap) {
    *out = &t->other;
    return 0;
  }
  if ((t->count + 1) * 2 > t->nslot) {
    int rc = table_grow(t);
    if (rc < 0) return rc;
  }
  size_t tlen = text ? strlen(text) : 0;
  size_t need = sizeof(struct group) + klen + 1 + (text ? tlen + 1 : 0);
  struct group *g = arena_alloc(t, need);
  if (!g) return -ENOMEM;
  memset(g, 0, sizeof *g);
  g->hash = h;
  g->klen = (uint16_t)klen;
  memcpy(g->key, key, klen);
  g->key[klen] = '\0';
  if (text) {
    g->toff = (uint16_t)(klen + 1);
    memcpy(g->key + klen + 1, text, tlen + 1);
  } else {
    g->toff = 0;
  }
  size_t j = h & (t->nslot - 1);
  while (t->slot[j]) j = (j + 1) & (t->nslot - 1);
  t->slot[j] = g;
  t->count++;
  *out = &g->c;
  return 0;
}

static void table_free(struct table *t) {
  free(t->slot);
  for (struct arena_chunk *c = t->arena, *n; c; c = n) {
    n = c->next;
    free(c);
  }
}

static void group_count(struct gcounts *g, enum verdict v, uint32_t flags) {
  sat_inc(&g->v[v]);
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++)
    if (flags & (1u << i)) sat_inc(&g->f[i]);
}

static void counts_add(struct summary_counts *c, enum verdict v, uint32_t flags) {
  c->rows++;
  verdict_count(c->verdict, c->flag, v, flags);
}

static void group_counts(const struct gcounts *g, struct summary_counts *c) {
  memset(c, 0, sizeof *c);
  for (unsigned i = 0; i < SUMMARY_NVERDICTS; i++) {
    c->verdict[i] = g->v[i];
    c->rows += g->v[i];
  }
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++) c->flag[i] = g->f[i];
}

/* ---- construction --------------------------------------------------------- */

static size_t find_col(char *const *names, size_t n, const char *want) {
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(names[i], want) == 0) return i;
  return NOCOL;
}

int summary_new(struct summary **out, const char *const *colnames, size_t ncols,
                const char *by_column, char *err, size_t errlen) {
  *out = NULL;
  struct summary *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  s->colnames = calloc(ncols ? ncols : 1, sizeof *s->colnames);
  if (!s->colnames) goto nomem;
  s->ncols = ncols;
  for (size_t i = 0; i < ncols; i++) {
    s->colnames[i] = strdup(colnames[i] ? colnames[i] : "");
    if (!s->colnames[i]) goto nomem;
  }
  s->col_ip = find_col(s->colnames, ncols, schema_name(SCHEMA_IP));
  s->col_verdict = find_col(s->colnames, ncols, schema_name(SCHEMA_VERDICT));
  s->col_flags = find_col(s->colnames, ncols, schema_name(SCHEMA_FLAGS));
  s->col_checked = find_col(s->colnames, ncols, schema_name(SCHEMA_CHECKED_AT));
  s->col_ptr = find_col(s->colnames, ncols, schema_name(SCHEMA_PTR));
  s->col_dnsbl = find_col(s->colnames, ncols, schema_name(SCHEMA_DNSBL));
  s->col_by = NOCOL;
  enum schema_col missing = s->col_ip == NOCOL        ? SCHEMA_IP
                            : s->col_verdict == NOCOL ? SCHEMA_VERDICT
                            : s->col_flags == NOCOL   ? SCHEMA_FLAGS
                                                      : SCHEMA_NCOLS;
  if (missing != SCHEMA_NCOLS) {
    summary_free(s);
    return err_set(err, errlen, -EINVAL, "not a ptraudit report: no '%s' column in the header",
                   schema_name(missing));
  }
  if (by_column) {
    s->col_by = find_col(s->colnames, ncols, by_column);
    if (s->col_by == NOCOL) {
      if (err && errlen) {
        size_t len = (size_t)snprintf(err, errlen, "--by: no column '%.64s' in the report; "
                                      "columns are:", by_column);
        for (size_t i = 0; i < ncols && len < errlen; i++) {
          char shown[3 * 64 + 8];
          size_t nl = strlen(s->colnames[i]);
          cell_escape(shown, sizeof shown, s->colnames[i], nl < 48 ? nl : 48);
          len += (size_t)snprintf(err + len, errlen - len, "%s %s", i ? "," : "", shown);
        }
      }
      summary_free(s);
      return -EINVAL;
    }
    s->by_name = strdup(s->colnames[s->col_by]);
    if (!s->by_name) goto nomem;
  }
  s->top = SUMMARY_TOP;
  s->max_maps = SUMMARY_MAX_MAPS;
  s->worst_max = SUMMARY_WORST_ROWS;
  for (int i = 0; i < 2; i++) s->tab[i].cap = SUMMARY_MAX_GROUPS;
  s->tab[SUMMARY_PREFIX].is_prefix = 1;
  s->map_index = calloc(65536, sizeof *s->map_index);
  if (!s->map_index) goto nomem;
  *out = s;
  return 0;
nomem:
  summary_free(s);
  return err_set(err, errlen, -ENOMEM, "out of memory");
}

void summary_set_caps(struct summary *s, size_t max_groups, size_t max_maps) {
  if (s->started) return;
  if (max_groups)
    for (int i = 0; i < 2; i++) s->tab[i].cap = max_groups;
  if (max_maps) s->max_maps = max_maps > 65535 ? 65535 : max_maps;
}

void summary_set_worst_max(struct summary *s, size_t n) {
  if (!s->started) s->worst_max = n > 100000 ? 100000 : n;
}

void summary_set_top(struct summary *s, size_t top) { s->top = top; }
size_t summary_top(const struct summary *s) { return s->top; }

void summary_free(struct summary *s) {
  if (!s) return;
  for (size_t i = 0; s->colnames && i < s->ncols; i++) free(s->colnames[i]);
  free(s->colnames);
  free(s->by_name);
  for (int i = 0; i < 2; i++) table_free(&s->tab[i]);
  for (size_t i = 0; i < s->nmaps; i++) free(s->maps[i]);
  free(s->maps);
  free(s->map_index);
  free(s->worst);
  free(s);
}

/* ---- adding rows ---------------------------------------------------------- */

/* Cell rank for the map: the verdict of higher precedence wins when an
 * address repeats (verdict_precedence(), verdict.h). */
static int cell_rank(uint8_t cell) {
  return cell == SUMMARY_CELL_NONE ? 0 : verdict_precedence((enum verdict)(cell - 1));
}

static int map_add(struct summary *s, const struct addr *a, enum verdict v, uint32_t flags) {
  unsigned p16 = (unsigned)a->b[0] << 8 | a->b[1];
  int seen = s->seen16[p16 >> 3] & (1u << (p16 & 7));
  struct map *m = NULL;
  if (s->map_index[p16]) {
    m = s->maps[s->map_index[p16] - 1];
  } else if (!seen) {
    if (s->nmaps >= s->max_maps) {
      s->seen16[p16 >> 3] |= (uint8_t)(1u << (p16 & 7));
      s->maps_dropped++;
      return 0;
    }
    if (!s->maps) {
      s->maps = calloc(s->max_maps, sizeof *s->maps);
      if (!s->maps) return -ENOMEM;
    }
    m = calloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    m->prefix16 = p16;
    /* Keep maps[] in address order: insert, then renumber the index of
     * the maps that moved (at most max_maps of them). */
    size_t pos = s->nmaps;
    while (pos > 0 && s->maps[pos - 1]->prefix16 > p16) {
      s->maps[pos] = s->maps[pos - 1];
      s->map_index[s->maps[pos]->prefix16] = (uint16_t)(pos + 1);
      pos--;
    }
    s->maps[pos] = m;
    s->map_index[p16] = (uint16_t)(pos + 1);
    s->nmaps++;
    s->seen16[p16 >> 3] |= (uint8_t)(1u << (p16 & 7));
  } else {
    return 0; /* a /16 beyond the cap, already counted */
  }
  counts_add(&m->c, v, flags);
  size_t idx = (size_t)a->b[2] << 8 | a->b[3];
  uint8_t cell = (uint8_t)(v + 1);
  if (cell_rank(cell) > cell_rank(m->cell[idx])) m->cell[idx] = cell;
  return 0;
}

/* ---- worst rows ------------------------------------------------------------ */

static void field_of(const char *const *fields, const size_t *lens, size_t col, const char **p,
                     size_t *n);

static void flag_tally(uint32_t flags, int *problems, int *all) {
  *problems = *all = 0;
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++)
    if (flags & (1u << i)) {
      (*all)++;
      if (verdict_level(verdict_flag(i)->level) >= verdict_level(VERDICT_WARN)) (*problems)++;
    }
}

int summary_row_cmp(const struct summary_row *a, const struct summary_row *b) {
  int la = verdict_level(a->verdict), lb = verdict_level(b->verdict);
  if (la != lb) return la > lb ? -1 : 1;
  int pa, aa, pb, ab;
  flag_tally(a->flags, &pa, &aa);
  flag_tally(b->flags, &pb, &ab);
  if (pa != pb) return pa > pb ? -1 : 1;
  if (aa != ab) return aa > ab ? -1 : 1;
  int c = addr_cmp(&a->addr, &b->addr);
  if (c) return c;
  if (a->verdict != b->verdict) return a->verdict < b->verdict ? -1 : 1;
  return a->flags < b->flags ? -1 : a->flags > b->flags;
}

/* Heap order: a parent is never worse than its children (the root is
 * the least bad row kept). */
static int heap_above(const struct summary_row *parent, const struct summary_row *child) {
  return summary_row_cmp(parent, child) >= 0;
}

static void heap_swap(struct summary_row *a, struct summary_row *b) {
  struct summary_row t = *a;
  *a = *b;
  *b = t;
}

static void heap_down(struct summary_row *h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && !heap_above(&h[m], &h[l])) m = l;
    if (r < n && !heap_above(&h[m], &h[r])) m = r;
    if (m == i) return;
    heap_swap(&h[i], &h[m]);
    i = m;
  }
}

/* Offer one row to the worst rows.  0 or -ENOMEM. */
static int worst_offer(struct summary *s, const struct addr *a, enum verdict v, uint32_t flags,
                       const char *const *fields, const size_t *lens) {
  if (!verdict_is_finding(v, VERDICT_FAIL_ON_WARN) || v == VERDICT_INVALID) return 0;
  s->worst_candidates++;
  if (!s->worst_max) return 0;
  struct summary_row r;
  r.addr = *a;
  r.verdict = v;
  r.flags = flags;
  size_t at;
  int replace = 0;
  if (s->nworst < s->worst_max) {
    if (!s->worst) {
      s->worst = calloc(s->worst_max, sizeof *s->worst);
      if (!s->worst) return -ENOMEM;
    }
    at = s->nworst++;
  } else if (summary_row_cmp(&r, &s->worst[0]) < 0) {
    at = 0; /* replaces the least bad */
    replace = 1;
  } else {
    return 0;
  }
  const char *p;
  size_t n;
  addr_format(a, r.ip);
  field_of(fields, lens, s->col_ptr, &p, &n);
  cell_escape(r.ptr, sizeof r.ptr, p, n < SUMMARY_PTR_MAX ? n : SUMMARY_PTR_MAX);
  s->worst[at] = r;
  if (replace) {
    heap_down(s->worst, s->nworst, 0);
  } else {
    for (size_t i = at; i > 0 && !heap_above(&s->worst[(i - 1) / 2], &s->worst[i]);
         i = (i - 1) / 2)
      heap_swap(&s->worst[i], &s->worst[(i - 1) / 2]);
  }
  return 0;
}

static int row_cmp_q(const void *a, const void *b) { return summary_row_cmp(a, b); }

int summary_worst_rows(const struct summary *s, struct summary_row **out, size_t *n,
                       uint64_t *candidates) {
  *out = NULL;
  *n = 0;
  if (candidates) *candidates = s->worst_candidates;
  if (!s->nworst) return 0;
  struct summary_row *r = malloc(s->nworst * sizeof *r);
  if (!r) return -ENOMEM;
  memcpy(r, s->worst, s->nworst * sizeof *r);
  qsort(r, s->nworst, sizeof *r, row_cmp_q);
  *out = r;
  *n = s->nworst;
  return 0;
}

/* The prefix key of a: family byte then the /24 or /48 bytes; its text. */
static size_t prefix_key(const struct addr *a, unsigned char *key, char *text) {
  struct addr p = {.family = a->family};
  size_t nb = a->family == 4 ? 3 : 6;
  memcpy(p.b, a->b, nb);
  key[0] = a->family;
  memcpy(key + 1, a->b, nb);
  size_t tl = addr_format(&p, text);
  memcpy(text + tl, a->family == 4 ? "/24" : "/48", 4);
  return nb + 1;
}

static void field_of(const char *const *fields, const size_t *lens, size_t col, const char **p,
                     size_t *n) {
  *p = "";
  *n = 0;
  if (col == NOCOL || !fields[col]) return;
  *p = fields[col];
  *n = lens ? lens[col] : strlen(fields[col]);
}

/* p[0..n) against the NUL-terminated t, bytewise, shorter first on a tie. */
static int text_cmp(const char *p, size_t n, const char *t) {
  size_t tl = strlen(t);
  int c = memcmp(p, t, n < tl ? n : tl);
  if (c) return c;
  return n < tl ? -1 : n > tl;
}

/* The row's verdict and flags cells (verdict.h parses them).  0, or
 * -EINVAL with s->err naming the bad text (cut to 20 bytes, escaped). */
static int row_judgement(struct summary *s, const char *const *fields, const size_t *lens,
                         enum verdict *v, uint32_t *flags) {
  const char *p;
  size_t n, bad = 0, badlen = 0;
  char shown[96];
  field_of(fields, lens, s->col_verdict, &p, &n);
  if (verdict_parse(p, n, v) < 0) {
    cell_escape(shown, sizeof shown, p, n < 20 ? n : 20);
    return err_set(s->err, sizeof s->err, -EINVAL,
                   "verdict '%s%s' is not ok, warn, unknown, fail, invalid or skipped", shown,
                   n > 20 ? "..." : "");
  }
  field_of(fields, lens, s->col_flags, &p, &n);
  if (verdict_flags_parse(p, n, flags, &bad, &badlen) < 0) {
    cell_escape(shown, sizeof shown, p + bad, badlen < 20 ? badlen : 20);
    return err_set(s->err, sizeof s->err, -EINVAL, "flags: '%s%s' is not a ptraudit flag",
                   shown, badlen > 20 ? "..." : "");
  }
  return 0;
}

/* Count one row's `dnsbl` cell per list.  A cell that is not the
 * documented syntax (a report edited by hand) is counted as unreadable,
 * not guessed at. */
static void dnsbl_count(struct summary *s, const char *p, size_t n) {
  struct dnsbl_cell_entry e[DNSBL_MAX_LISTS];
  size_t ne = 0;
  if (n == 0) return;
  if (dnsbl_cell_parse(p, n, e, DNSBL_MAX_LISTS, &ne) < 0) {
    s->bl_unreadable++;
    return;
  }
  for (size_t i = 0; i < ne; i++) {
    size_t k;
    for (k = 0; k < s->nbl; k++)
      if (strlen(s->bl[k].label) == e[i].label_len &&
          !memcmp(s->bl[k].label, e[i].label, e[i].label_len))
        break;
    if (k == s->nbl) {
      if (s->nbl == SUMMARY_DNSBL_MAX || e[i].label_len > DNSBL_LABEL_MAX) {
        s->bl_unreadable++;
        continue;
      }
      memcpy(s->bl[k].label, e[i].label, e[i].label_len);
      s->bl[k].label[e[i].label_len] = '\0';
      s->nbl++;
    }
    if (e[i].listed) s->bl[k].listed++;
    else s->bl[k].errors++;
  }
}

size_t summary_ndnsbl(const struct summary *s) { return s->nbl; }

const char *summary_dnsbl(const struct summary *s, size_t i, uint64_t *listed, uint64_t *errors) {
  if (i >= s->nbl) return NULL;
  *listed = s->bl[i].listed;
  *errors = s->bl[i].errors;
  return s->bl[i].label;
}

uint64_t summary_dnsbl_unreadable(const struct summary *s) { return s->bl_unreadable; }

int summary_add(struct summary *s, const char *const *fields, const size_t *lens) {
  const char *p;
  size_t n;
  enum verdict v;
  uint32_t flags;

  s->err[0] = '\0';
  int jrc = row_judgement(s, fields, lens, &v, &flags);
  if (jrc < 0) return jrc;
  s->started = 1;

  /* Find (or create) every group first, so an allocation failure leaves
   * the counts untouched. */
  struct addr a;
  int have_addr = 0;
  struct gcounts *pg = NULL, *bg = NULL;
  field_of(fields, lens, s->col_ip, &p, &n);
  if (n < ADDR_STRLEN && addr_parse(&a, p, n) == 0) {
    unsigned char key[8];
    char text[ADDR_STRLEN + 4];
    have_addr = 1;
    size_t klen = prefix_key(&a, key, text);
    if (s->last_group && s->last_klen == klen && memcmp(s->last_key, key, klen) == 0) {
      pg = s->last_group;
    } else {
      int rc = table_get(&s->tab[SUMMARY_PREFIX], key, klen, text, &pg);
      if (rc < 0) return err_set(s->err, sizeof s->err, rc, "out of memory");
      memcpy(s->last_key, key, klen);
      s->last_klen = klen;
      s->last_group = pg;
    }
  }
  if (s->col_by != NOCOL) {
    /* cell_escape() cuts cleanly (never inside an escape) at the buffer's
     * end; its output is at least as long as its input, so no more input
     * than that is needed. */
    char key[SUMMARY_KEY_MAX + 1];
    field_of(fields, lens, s->col_by, &p, &n);
    size_t kl = cell_escape(key, sizeof key, p, n < SUMMARY_KEY_MAX ? n : SUMMARY_KEY_MAX);
    int rc = table_get(&s->tab[SUMMARY_BY], key, kl, NULL, &bg);
    if (rc < 0) return err_set(s->err, sizeof s->err, rc, "out of memory");
  }
  if (have_addr && a.family == 4) {
    int rc = map_add(s, &a, v, flags);
    if (rc < 0) return err_set(s->err, sizeof s->err, rc, "out of memory");
  }
  if (have_addr) {
    int rc = worst_offer(s, &a, v, flags, fields, lens);
    if (rc < 0) return err_set(s->err, sizeof s->err, rc, "out of memory");
  }
  if (s->col_dnsbl != NOCOL) {
    field_of(fields, lens, s->col_dnsbl, &p, &n);
    dnsbl_count(s, p, n);
  }

  counts_add(&s->total, v, flags);
  if (!have_addr) s->no_addr++;
  else if (a.family == 6) s->ipv6_rows++;
  if (pg) {
    group_count(pg, v, flags);
    if (pg == &s->tab[SUMMARY_PREFIX].other) s->tab[SUMMARY_PREFIX].other_rows++;
  }
  if (bg) {
    group_count(bg, v, flags);
    if (bg == &s->tab[SUMMARY_BY].other) s->tab[SUMMARY_BY].other_rows++;
  }

  field_of(fields, lens, s->col_checked, &p, &n);
  if (n > 0 && n < sizeof s->first_checked) {
    if (!s->first_checked[0] || text_cmp(p, n, s->first_checked) < 0) {
      memcpy(s->first_checked, p, n);
      s->first_checked[n] = '\0';
    }
    if (!s->last_checked[0] || text_cmp(p, n, s->last_checked) > 0) {
      memcpy(s->last_checked, p, n);
      s->last_checked[n] = '\0';
    }
  }
  return 0;
}

/* ---- reading it back ------------------------------------------------------ */

const char *summary_error(const struct summary *s) { return s->err; }
const struct summary_counts *summary_total(const struct summary *s) { return &s->total; }
uint64_t summary_rows_without_address(const struct summary *s) { return s->no_addr; }
uint64_t summary_rows_ipv6(const struct summary *s) { return s->ipv6_rows; }
const char *summary_first_checked(const struct summary *s) { return s->first_checked; }
const char *summary_last_checked(const struct summary *s) { return s->last_checked; }
const char *summary_by_column(const struct summary *s) { return s->by_name; }
size_t summary_nmaps(const struct summary *s) { return s->nmaps; }
size_t summary_maps_dropped(const struct summary *s) { return s->maps_dropped; }

size_t summary_ngroups(const struct summary *s, enum summary_table t) {
  return s->tab[t].count;
}

uint64_t summary_other(const struct summary *s, enum summary_table t,
                       struct summary_counts *c) {
  if (c) group_counts(&s->tab[t].other, c);
  return s->tab[t].other_rows;
}

int summary_map(const struct summary *s, size_t i, unsigned *prefix16, const uint8_t **cells,
                struct summary_counts *c) {
  if (i >= s->nmaps) return -EINVAL;
  const struct map *m = s->maps[i];
  if (prefix16) *prefix16 = m->prefix16;
  if (cells) *cells = m->cell;
  if (c) *c = m->c;
  return 0;
}

static int worse_cmp(const void *pa, const void *pb, int is_prefix) {
  const struct group *a = *(const struct group *const *)pa;
  const struct group *b = *(const struct group *const *)pb;
  /* the counts of the verdicts worse than ok, worst first */
  for (unsigned i = 0; verdict_worst_first(i) != VERDICT_OK; i++) {
    enum verdict v = verdict_worst_first(i);
    uint32_t x = a->c.v[v], y = b->c.v[v];
    if (x != y) return x > y ? -1 : 1;
  }
  if (is_prefix) {
    /* family byte first (4 < 6), then the address bytes */
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->key, b->key, n);
    if (c) return c;
    return a->klen < b->klen ? -1 : a->klen > b->klen;
  }
  return strcmp(a->key, b->key);
}
static int worse_prefix(const void *a, const void *b) { return worse_cmp(a, b, 1); }
static int worse_by(const void *a, const void *b) { return worse_cmp(a, b, 0); }

int summary_worst(const struct summary *s, enum summary_table t, size_t top,
                  struct summary_group **out, size_t *n) {
  const struct table *tb = &s->tab[t];
  *out = NULL;
  *n = 0;
  if (tb->count == 0) return 0;
  struct group **all = malloc(tb->count * sizeof *all);
  if (!all) return -ENOMEM;
  size_t k = 0;
  for (size_t i = 0; i < tb->nslot; i++)
    if (tb->slot[i]) all[k++] = tb->slot[i];
  qsort(all, k, sizeof *all, tb->is_prefix ? worse_prefix : worse_by);
  size_t m = top && top < k ? top : k;
  struct summary_group *r = calloc(m, sizeof *r);
  if (!r) {
    free(all);
    return -ENOMEM;
  }
  for (size_t i = 0; i < m; i++) {
    r[i].key = all[i]->key + all[i]->toff;
    group_counts(&all[i]->c, &r[i].c);
  }
  free(all);
  *out = r;
  *n = m;
  return 0;
}

/* ---- text output ---------------------------------------------------------- */

static void print_flags(FILE *f, const struct summary_counts *c) {
  int any = 0;
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++) {
    if (!c->flag[i]) continue;
    fprintf(f, "%s%s=%llu", any ? " " : "", verdict_flag_name(i), (unsigned long long)c->flag[i]);
    any = 1;
  }
  if (!any) fputc('-', f);
}

static void print_group_line(FILE *f, const char *key, int width,
                             const struct summary_counts *c) {
  fprintf(f, "  %-*s %8llu %8llu %8llu %8llu %8llu  ", width, key,
          (unsigned long long)c->rows, (unsigned long long)c->verdict[VERDICT_FAIL],
          (unsigned long long)c->verdict[VERDICT_UNKNOWN],
          (unsigned long long)c->verdict[VERDICT_WARN],
          (unsigned long long)c->verdict[VERDICT_OK]);
  print_flags(f, c);
  fputc('\n', f);
}

static int print_table(const struct summary *s, FILE *f, enum summary_table t) {
  struct summary_group *g;
  size_t n;
  int rc = summary_worst(s, t, s->top, &g, &n);
  if (rc < 0) return rc;
  size_t total = summary_ngroups(s, t);
  struct summary_counts oc;
  uint64_t other = summary_other(s, t, &oc);
  if (t == SUMMARY_PREFIX)
    fprintf(f, "\nworst prefixes (/24 IPv4, /48 IPv6): %zu of %zu", n, total);
  else
    fprintf(f, "\nworst by %s: %zu of %zu", s->by_name, n, total);
  fputs(", most fail first, then unknown, then warn\n", f);
  const char *head = t == SUMMARY_PREFIX ? "prefix" : s->by_name;
  int width = t == SUMMARY_PREFIX ? 20 : (int)strlen(head);
  if (width > 60) width = 60;
  for (size_t i = 0; i < n; i++) {
    int l = (int)strlen(g[i].key);
    if (l > width) width = l > 60 ? 60 : l;
  }
  if (total == 0 && other == 0) {
    fputs("  (none)\n", f);
  } else {
    fprintf(f, "  %-*s %8s %8s %8s %8s %8s  %s\n", width, head, "rows", "fail", "unknown",
            "warn", "ok", "flags");
    for (size_t i = 0; i < n; i++)
      print_group_line(f, g[i].key[0] ? g[i].key : "(empty)", width, &g[i].c);
  }
  if (other) {
    print_group_line(f, "(other)", width, &oc);
    fprintf(f, "  note: more than %zu distinct groups; %llu %s of further groups %s "
            "counted together as (other)\n", s->tab[t].cap, (unsigned long long)other,
            plural_word(other, "row", "rows"), plural_word(other, "is", "are"));
  }
  free(g);
  return 0;
}

int summary_print(const struct summary *s, FILE *f) {
  const struct summary_counts *c = &s->total;
  fprintf(f, "rows: %llu", (unsigned long long)c->rows);
  if (s->first_checked[0])
    fprintf(f, ", checked %s .. %s", s->first_checked, s->last_checked);
  fputc('\n', f);
  fputs("\nverdict        rows       %\n", f);
  for (int i = 0; i < SUMMARY_NVERDICTS; i++) {
    enum verdict v = verdict_worst_first((unsigned)i);
    double pct = c->rows ? 100.0 * (double)c->verdict[v] / (double)c->rows : 0.0;
    fprintf(f, "%-8s %10llu %7.1f\n", verdict_name(v), (unsigned long long)c->verdict[v], pct);
  }
  fputs("\nflag                     rows\n", f);
  int any = 0;
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++) {
    if (!c->flag[i]) continue;
    fprintf(f, "%-18s %10llu\n", verdict_flag_name(i), (unsigned long long)c->flag[i]);
    any = 1;
  }
  if (!any) fputs("(none)\n", f);
  if (s->nbl) {
    fputs("\nblocklist                          listed    unknown\n", f);
    for (size_t i = 0; i < s->nbl; i++)
      fprintf(f, "%-30s %10llu %10llu\n", s->bl[i].label, (unsigned long long)s->bl[i].listed,
              (unsigned long long)s->bl[i].errors);
  }
  if (s->bl_unreadable)
    fprintf(f, "note: %llu %s a dnsbl cell that could not be read\n",
            (unsigned long long)s->bl_unreadable, plural_word(s->bl_unreadable, "row has", "rows have"));
  int rc = print_table(s, f, SUMMARY_PREFIX);
  if (rc == 0 && s->col_by != NOCOL) rc = print_table(s, f, SUMMARY_BY);
  if (rc < 0) return rc;
  if (s->no_addr)
    fprintf(f, "\nnote: %llu %s no address in the ip column (not in any prefix)\n",
            (unsigned long long)s->no_addr, plural_word(s->no_addr, "row has", "rows have"));
  if (fflush(f) != 0 || ferror(f)) return -EIO;
  return 0;
}
