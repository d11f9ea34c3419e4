/* SPDX-License-Identifier: MIT */
/*
 * rowfmt.h - one target's results turned into the report's fields, in the
 * column order of schema.h, followed by the inventory's passthrough cells.
 * The fields point into the formatter's scratch area (sized once for the
 * worst case) or into the caller's strings, and are valid until the next
 * call.  No allocation after rowfmt_new.
 */
#ifndef PTRAUDIT_ROWFMT_H
#define PTRAUDIT_ROWFMT_H

#include <stddef.h>

#include "schema.h"
#include "verdict.h"

/* What one row is made of.  Strings are raw bytes of the given length;
 * the sink encodes them (CSV: cell.h; JSON lines: jsonl.h). */
struct rowfmt_row {
  const struct result *res;      /* the probe results (res->addr is the target) */
  const struct judgement *j;     /* the verdict rules applied to res */
  const char *ip_text;           /* non-NULL: the IP cell as given (invalid rows) */
  size_t ip_text_len;
  int probed;                    /* the target was probed (not invalid, not skipped) */
  const char *banner;            /* the greeting text */
  size_t banner_len;
  const char *ehlo_host;         /* with --ehlo; NULL = "" */
  unsigned smtp_tries;           /* SMTP connections made; 0 = not probed (empty cell) */
  unsigned greeting_ms;          /* connect start to final greeting line; 0 = none (empty) */
  const char *expected;          /* the inventory's expected PTR; NULL = "" */
  size_t expected_len;
  const char *checked_at;        /* RFC 3339 time stamp */
  const char *const *extra;      /* passthrough cells */
  const size_t *extra_len;
  size_t nextra;
};

struct rowfmt;

/* A formatter for rows with the fixed columns, ehlo_host when `ehlo`, and
 * `nextra` passthrough columns.  0 or -ENOMEM.  O(1). */
int rowfmt_new(struct rowfmt **out, int ehlo, size_t nextra);

/* Columns of every row (fixed + optional + passthrough).  O(1). */
size_t rowfmt_ncols(const struct rowfmt *f);

/* The header: column names, the passthrough ones from `extra_names`
 * (NULL entries read as ""), each prefixed with SCHEMA_INVENTORY_PREFIX as
 * many times as it takes to differ from every report column name
 * (schema.h, optional ones included) and from the passthrough names before
 * it: an inventory's "verdict" column is written as "inv_verdict".
 * Returns the number of columns, or 0 when out of memory.  The names are
 * kept until rowfmt_free (the first call allocates them).
 * O(columns^2 x name length). */
size_t rowfmt_header(struct rowfmt *f, const char *const *extra_names, const char *const **fields,
                     const size_t **lens);

/* Build one row; *fields and *lens point at the formatter's arrays.  A
 * field that is not applicable to this row (schema.h's nullable columns:
 * iprev and ptr_status of an unprobed target, ptr without an answer,
 * forward without a checked name, smtp_code without a complete greeting,
 * banner_host/banner/expected/ehlo_host absent, smtp_tries and
 * greeting_ms 0) is NULL with length 0.
 * Returns the number of columns.  Passthrough cells beyond r->nextra are
 * empty.  O(row length + names x addresses log addresses). */
size_t rowfmt_build(struct rowfmt *f, const struct rowfmt_row *r, const char *const **fields,
                    const size_t **lens);

void rowfmt_free(struct rowfmt *f);

#endif
