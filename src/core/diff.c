/* SPDX-License-Identifier: MIT */
/*
 * diff.c - one target's old row vs its new row (contract in diff.h).
 */
#include "diff.h"

#include <string.h>

#include "verdict.h"

static const char *const change_names[DIFF_KINDS] = {
  [DIFF_SAME] = "same", [DIFF_WORSE] = "worse", [DIFF_BETTER] = "better",
  [DIFF_CHANGED] = "changed", [DIFF_ADDED] = "added", [DIFF_GONE] = "gone",
  [DIFF_NEW_FAILING] = "new_failing",
};

const char *diff_change_name(enum diff_change c) {
  return (unsigned)c < DIFF_KINDS ? change_names[c] : "?";
}

int diff_verdict_rank(const char *v, size_t len) {
  enum verdict vd;
  /* not a verdict this version knows: assume the worst */
  return verdict_parse(v, len, &vd) == 0 ? verdict_level(vd) : 3;
}

int diff_is_finding(const char *v, size_t len, enum verdict_fail_on f) {
  return diff_verdict_rank(v, len) >= verdict_fail_on_level(f);
}

enum diff_change diff_added(const struct diff_side *n, enum verdict_fail_on f) {
  return diff_is_finding(n->verdict, n->verdict_len, f) ? DIFF_NEW_FAILING : DIFF_ADDED;
}

int diff_is_regression(enum diff_change c) {
  return c == DIFF_WORSE || c == DIFF_NEW_FAILING;
}

int diff_flag_level(const char *flag, size_t len) {
  /* a flag this version does not know: a new kind of problem alerts */
  int i = verdict_flag_parse(flag, len);
  return i >= 0 ? verdict_level(verdict_flag((unsigned)i)->level) : 1;
}

/* Next space-separated token of s[*pos..len): 1 with the token in *tok, *tlen; or 0. */
static int token(const char *s, size_t len, size_t *pos, const char **tok, size_t *tlen) {
  size_t i = *pos;
  while (i < len && s[i] == ' ') i++;
  if (i >= len) {
    *pos = len;
    return 0;
  }
  size_t j = i;
  while (j < len && s[j] != ' ') j++;
  *tok = s + i;
  *tlen = j - i;
  *pos = j;
  return 1;
}

static int has_token(const char *s, size_t len, const char *tok, size_t tlen) {
  size_t pos = 0;
  const char *t;
  size_t l;
  while (token(s, len, &pos, &t, &l))
    if (l == tlen && !memcmp(t, tok, tlen)) return 1;
  return 0;
}

/* Append a name to a space-separated list in buf.  The first name that
 * does not fit ends the list (*used = size), so it is cut cleanly. */
static void append(char *buf, size_t size, size_t *used, const char *tok, size_t tlen) {
  size_t need = (*used ? 1 : 0) + tlen;
  if (!buf || *used >= size) return;
  if (*used + need + 1 > size) {
    *used = size;
    return;
  }
  if (*used) buf[(*used)++] = ' ';
  memcpy(buf + *used, tok, tlen);
  *used += tlen;
  buf[*used] = '\0';
}

/* Flags of `a` that `b` lacks: listed into buf; returns the highest level
 * among them, -1 if there are none. */
static int missing(const char *a, size_t alen, const char *b, size_t blen, char *buf,
                   size_t size) {
  size_t pos = 0, used = 0;
  const char *t;
  size_t l;
  int level = -1;
  if (buf && size) buf[0] = '\0';
  while (token(a, alen, &pos, &t, &l)) {
    if (has_token(b, blen, t, l)) continue;
    append(buf, size, &used, t, l);
    int lv = diff_flag_level(t, l);
    if (lv > level) level = lv;
  }
  return level;
}

static int cells_differ(const char *a, size_t alen, const char *b, size_t blen) {
  return alen != blen || memcmp(a, b, alen);
}

enum diff_change diff_compare(const struct diff_side *o, const struct diff_side *n,
                              char *added, size_t addsize, char *removed, size_t remsize) {
  int ro = diff_verdict_rank(o->verdict, o->verdict_len);
  int rn = diff_verdict_rank(n->verdict, n->verdict_len);
  int up = missing(n->flags, n->flags_len, o->flags, o->flags_len, added, addsize);
  int down = missing(o->flags, o->flags_len, n->flags, n->flags_len, removed, remsize);

  if (rn > ro) return DIFF_WORSE;
  if (rn < ro) return DIFF_BETTER;
  if (up >= 1) return DIFF_WORSE;
  if (down >= 1) return DIFF_BETTER;
  if (up >= 0 || down >= 0 ||
      cells_differ(o->verdict, o->verdict_len, n->verdict, n->verdict_len) ||
      cells_differ(o->ptr, o->ptr_len, n->ptr, n->ptr_len) ||
      cells_differ(o->banner_host, o->banner_host_len, n->banner_host, n->banner_host_len))
    return DIFF_CHANGED;
  return DIFF_SAME;
}
