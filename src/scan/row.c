/* SPDX-License-Identifier: MIT */
/* row.c - see row.h. */
#include "row.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int row_copy_cells(struct row *r, const struct target *t, size_t nextra) {
  size_t need = t->text_len + t->expected_len + 2;
  for (size_t i = 0; i < t->nextra; i++) need += t->extra_len[i] + 1;
  if (need > r->cells_cap) {
    char *nb = realloc(r->cells, need);
    if (!nb) return -ENOMEM;
    r->cells = nb;
    r->cells_cap = need;
  }
  char *p = r->cells;
  r->text = p;
  r->text_len = t->text_len;
  if (t->text_len) memcpy(p, t->text, t->text_len);
  p += t->text_len;
  *p++ = '\0';
  r->expected = NULL;
  r->expected_len = 0;
  if (t->expected) {
    r->expected = p;
    r->expected_len = t->expected_len;
    if (t->expected_len) memcpy(p, t->expected, t->expected_len);
    p += t->expected_len;
    *p++ = '\0';
  }
  r->nextra = t->nextra < nextra ? t->nextra : nextra;
  for (size_t i = 0; i < r->nextra; i++) {
    r->extra[i] = p;
    r->extra_len[i] = t->extra_len[i];
    if (t->extra_len[i]) memcpy(p, t->extra[i], t->extra_len[i]);
    p += t->extra_len[i];
    *p++ = '\0';
  }
  return 0;
}

