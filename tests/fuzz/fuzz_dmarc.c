/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dmarc.c - libFuzzer target for DMARC records (src/core/dmarc.h).
 *
 * The input is split at '\n' into TXT records.  Checked:
 *   - dmarc_parse of each: 0 exactly when valid; valid means a DMARC
 *     record (dmarc_is_record), an empty reason, p and sp in range, sp == p
 *     without an sp tag, pct <= 100, adkim/aspf 'r' or 's'; invalid means a
 *     non-empty reason; parsing is pure (twice gives the same);
 *   - dmarc_select counts the records dmarc_is_record accepts, and with
 *     one, gives that record's parse;
 *   - the cell of the result, from the domain and from the organisational
 *     domain, fits DMARC_CELL_MAX, is printable ASCII (the reason never
 *     copies control bytes from a record), and starts with "none",
 *     "invalid: " or "p=" as the state says.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"

#include "fuzz.h"

#define MAXREC 16

static void check_record(const char *t, size_t len) {
  struct dmarc_record r, again;
  int rc = dmarc_parse(t, len, &r);
  dmarc_parse(t, len, &again);
  CHECK(memcmp(&r, &again, sizeof r) == 0);
  CHECK((rc == 0) == (r.valid == 1));
  if (r.valid) {
    CHECK(dmarc_is_record(t, len));
    CHECK(r.reason[0] == '\0');
    CHECK(r.p <= DMARC_P_REJECT && r.sp <= DMARC_P_REJECT);
    if (!r.has_sp) CHECK(r.sp == r.p);
  } else {
    CHECK(rc == -EINVAL && r.reason[0] != '\0');
  }
  CHECK(r.pct <= 100 && (r.adkim == 'r' || r.adkim == 's') && (r.aspf == 'r' || r.aspf == 's'));
}

static void check_cell(const struct dmarc_record *r, size_t count, int from_org) {
  struct dmarc_result res;
  char cell[DMARC_CELL_MAX];
  dmarc_result(r, count, from_org, &res);
  int n = dmarc_cell_format(cell, sizeof cell, &res);
  CHECK(n > 0 && (size_t)n == strlen(cell));
  for (int i = 0; i < n; i++) CHECK(cell[i] >= 0x20 && cell[i] < 0x7f);
  switch (res.state) {
  case DMARC_NONE: CHECK(strncmp(cell, "none", 4) == 0 && count != 1); break;
  case DMARC_INVALID: CHECK(strncmp(cell, "invalid: ", 9) == 0 && count == 1); break;
  case DMARC_POLICY:
    CHECK(strncmp(cell, "p=", 2) == 0 && count == 1);
    CHECK(res.applied == (from_org ? r->sp : r->p));
    break;
  default: CHECK(0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *txt[MAXREC];
  size_t lens[MAXREC], n = 0, start = 0, want = 0;
  const char *s = (const char *)data;
  for (size_t i = 0; i <= size && n < MAXREC; i++)
    if (i == size || s[i] == '\n') {
      txt[n] = s + start;
      lens[n] = i - start;
      check_record(txt[n], lens[n]);
      want += (size_t)dmarc_is_record(txt[n], lens[n]);
      n++;
      start = i + 1;
    }
  struct dmarc_record r;
  size_t count = dmarc_select(txt, lens, n, &r);
  CHECK(count == want);
  if (count == 1) {
    for (size_t i = 0; i < n; i++)
      if (dmarc_is_record(txt[i], lens[i])) {
        struct dmarc_record one;
        dmarc_parse(txt[i], lens[i], &one);
        CHECK(memcmp(&one, &r, sizeof r) == 0);
      }
  }
  check_cell(&r, count, 0);
  check_cell(&r, count, 1);
  return 0;
}
