/* SPDX-License-Identifier: MIT */
/*
 * change.c - the change since a previous report (contract in change.h).
 *
 * Each side is one extsort of projected rows (the six columns below, in
 * this fixed order), so shards with different headers sort together; the
 * join is the comm(1)-style walk of `ptraudit diff` (cli/cmd_diff.c).
 */
#include "change.h"

#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "err.h"
#include "extsort.h"
#include "reportread.h"
#include "schema.h"

enum { P_IP, P_VERDICT, P_FLAGS, P_PTR, P_BANNER_HOST, P_CHECKED_AT, NPROJ };
static const enum schema_col proj_cols[NPROJ] = {
  SCHEMA_IP, SCHEMA_VERDICT, SCHEMA_FLAGS, SCHEMA_PTR, SCHEMA_BANNER_HOST, SCHEMA_CHECKED_AT,
};
#define NREQUIRED 3 /* ip, verdict, flags */

struct side {
  struct extsort *es;
  const char *const *f;
  const size_t *l;
  int have;
  uint64_t verdicts[VERDICT_COUNT];
  uint64_t targets;
};

struct change {
  enum verdict_fail_on fail_on;
  struct side side[2];
  char *prev_path;
  uint64_t kinds[DIFF_KINDS];
  uint64_t list_total[2];
  size_t nlist[2];
  struct change_target list[2][CHANGE_LIST_MAX];
};

int change_open(struct change **out, enum verdict_fail_on f, size_t sort_mem, char *err,
                size_t errlen) {
  struct change *c = calloc(1, sizeof *c);
  *out = NULL;
  if (!c) return err_set(err, errlen, -ENOMEM, "out of memory");
  c->fail_on = f;
  for (int i = 0; i < 2; i++) {
    int rc = extsort_open(&c->side[i].es, NPROJ, P_IP, P_CHECKED_AT, sort_mem / 2, err, errlen);
    if (rc < 0) {
      change_free(c);
      return rc;
    }
    extsort_set_unique(c->side[i].es, 1);
  }
  *out = c;
  return 0;
}

int change_add_report(struct change *c, int current, const char *path, int allow_truncated,
                      int *truncated, char *err, size_t errlen) {
  struct reportread *rr;
  int col[NPROJ], rc;
  static const char empty[] = "";
  rc = reportread_open(&rr, path, err, errlen);
  if (rc < 0) return rc;
  for (int i = 0; i < NPROJ; i++) {
    col[i] = reportread_col(rr, schema_name(proj_cols[i]));
    if (col[i] < 0 && i < NREQUIRED) {
      err_set(err, errlen, -EINVAL, "%s: not a ptraudit report: no column '%s' in the header",
              reportread_path(rr), schema_name(proj_cols[i]));
      reportread_close(rr);
      return -EINVAL;
    }
  }
  if (!current && !c->prev_path && !(c->prev_path = strdup(path))) {
    reportread_close(rr);
    return err_set(err, errlen, -ENOMEM, "out of memory");
  }
  const char *const *f;
  const size_t *l;
  const char *pf[NPROJ];
  size_t pl[NPROJ];
  while ((rc = reportread_next(rr, &f, &l, err, errlen)) == 1) {
    for (int i = 0; i < NPROJ; i++) {
      pf[i] = col[i] >= 0 ? f[col[i]] : empty;
      pl[i] = col[i] >= 0 ? l[col[i]] : 0;
    }
    rc = extsort_add(c->side[current ? 1 : 0].es, pf, pl, err, errlen);
    if (rc < 0) break;
  }
  if (rc == ERR_EOF && allow_truncated) {
    if (truncated) *truncated = 1;
    rc = 0;
  }
  reportread_close(rr);
  return rc < 0 ? rc : 0;
}

static int advance(struct side *s, char *err, size_t errlen) {
  int rc = extsort_next(s->es, &s->f, &s->l, err, errlen);
  if (rc < 0) return rc;
  s->have = rc == 1;
  if (s->have) {
    enum verdict v;
    s->targets++;
    if (verdict_parse(s->f[P_VERDICT], s->l[P_VERDICT], &v) == 0) s->verdicts[v]++;
  }
  return 0;
}

static struct diff_side cells(const struct side *s) {
  struct diff_side d = {
    .verdict = s->f[P_VERDICT], .verdict_len = s->l[P_VERDICT],
    .flags = s->f[P_FLAGS], .flags_len = s->l[P_FLAGS],
    .ptr = s->f[P_PTR], .ptr_len = s->l[P_PTR],
    .banner_host = s->f[P_BANNER_HOST], .banner_host_len = s->l[P_BANNER_HOST],
  };
  return d;
}

/* Count one target in list l, keeping the first CHANGE_LIST_MAX. */
static void listed(struct change *c, enum change_list l, const struct side *o,
                   const struct side *n) {
  c->list_total[l]++;
  if (c->nlist[l] >= CHANGE_LIST_MAX) return;
  struct change_target *t = &c->list[l][c->nlist[l]++];
  cell_show(t->ip, sizeof t->ip, n->f[P_IP], n->l[P_IP]);
  t->old_verdict[0] = '\0';
  if (o) cell_show(t->old_verdict, sizeof t->old_verdict, o->f[P_VERDICT], o->l[P_VERDICT]);
  cell_show(t->new_verdict, sizeof t->new_verdict, n->f[P_VERDICT], n->l[P_VERDICT]);
  cell_show(t->flags, sizeof t->flags, n->f[P_FLAGS], n->l[P_FLAGS]);
}

/* One step of the join. */
static void join_one(struct change *c, int have_old, int have_new) {
  const struct side *o = &c->side[0], *n = &c->side[1];
  enum diff_change k;
  if (have_old && have_new) {
    struct diff_side so = cells(o), sn = cells(n);
    k = diff_compare(&so, &sn, NULL, 0, NULL, 0);
    int was = diff_is_finding(so.verdict, so.verdict_len, c->fail_on);
    int is = diff_is_finding(sn.verdict, sn.verdict_len, c->fail_on);
    if (is && !was) listed(c, CHANGE_NEWLY_FAILING, o, n);
    if (was && !is) listed(c, CHANGE_FIXED, o, n);
  } else if (have_new) {
    struct diff_side sn = cells(n);
    k = diff_added(&sn, c->fail_on);
    if (k == DIFF_NEW_FAILING) listed(c, CHANGE_NEWLY_FAILING, NULL, n);
  } else {
    k = DIFF_GONE;
  }
  c->kinds[k]++;
}

int change_finish(struct change *c, char *err, size_t errlen) {
  struct side *o = &c->side[0], *n = &c->side[1];
  int rc = extsort_finish(o->es, err, errlen);
  if (rc == 0) rc = extsort_finish(n->es, err, errlen);
  if (rc == 0) rc = advance(o, err, errlen);
  if (rc == 0) rc = advance(n, err, errlen);
  while (rc == 0 && (o->have || n->have)) {
    int cmp = !o->have ? 1
              : !n->have ? -1
                         : extsort_ipcmp(o->f[P_IP], o->l[P_IP], n->f[P_IP], n->l[P_IP]);
    join_one(c, cmp <= 0, cmp >= 0);
    if (cmp <= 0) rc = advance(o, err, errlen);
    if (rc == 0 && cmp >= 0) rc = advance(n, err, errlen);
  }
  return rc;
}

const uint64_t *change_verdicts(const struct change *c, int after) {
  return c->side[after ? 1 : 0].verdicts;
}

uint64_t change_targets(const struct change *c, int after) {
  return c->side[after ? 1 : 0].targets;
}

uint64_t change_kind(const struct change *c, enum diff_change k) {
  return (unsigned)k < DIFF_KINDS ? c->kinds[k] : 0;
}

uint64_t change_list_total(const struct change *c, enum change_list l) {
  return c->list_total[l == CHANGE_FIXED];
}

const struct change_target *change_list(const struct change *c, enum change_list l, size_t *n) {
  *n = c->nlist[l == CHANGE_FIXED];
  return c->list[l == CHANGE_FIXED];
}

const char *change_previous_path(const struct change *c) {
  return c->prev_path ? c->prev_path : "";
}

void change_free(struct change *c) {
  if (!c) return;
  for (int i = 0; i < 2; i++) extsort_close(c->side[i].es);
  free(c->prev_path);
  free(c);
}
