/* SPDX-License-Identifier: MIT */
/*
 * fuzz_inventory.c - libFuzzer target for the CSV inventory reader
 * (src/input/inventory.h).
 *
 * The input is the file's content, read through fmemopen().  The reader is
 * compared, row by row, with a reference model written here from
 * inventory.h (a strict RFC 4180 tokenizer plus the header, cap, UTF-8,
 * NUL and blank-line rules): both must open or fail alike, agree on the
 * column names, and return the same rows - same line number, same IP cell,
 * same expected cell, the same extra cells in file order, so every row has
 * exactly the header's field count - and end (or fail) at the same row.
 * Besides that:
 *   - every cell is NUL-terminated, holds no NUL and is valid UTF-8;
 *   - an error is sticky and its message names the file, is one line, and
 *     holds no control byte.
 * Each input is read with the usual column search and once more with
 * explicit --ip-column / --expect-column names picked from a small list by
 * a hash of the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inventory.h"

#include "fuzz.h"

#define FILENAME "fuzz.csv"
#define NO_COL SIZE_MAX

/* ---- reference UTF-8 (RFC 3629), decode-then-reject by value --------------- */

static int utf8_valid(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    size_t need, k;
    uint32_t v, min;
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    if ((s[i] & 0xe0) == 0xc0) need = 2, v = s[i] & 0x1fu, min = 0x80;
    else if ((s[i] & 0xf0) == 0xe0) need = 3, v = s[i] & 0x0fu, min = 0x800;
    else if ((s[i] & 0xf8) == 0xf0) need = 4, v = s[i] & 0x07u, min = 0x10000;
    else return 0;
    if (len - i < need) return 0;
    for (k = 1; k < need; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return 0;
      v = v << 6 | (s[i + k] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    i += need;
  }
  return 1;
}

/* ---- reference model ------------------------------------------------------ */

struct ref {
  const uint8_t *d;
  size_t size, pos;
  unsigned long line; /* line of d[lpos] */
  size_t lpos;
  /* the current record: fields stored back to back in buf */
  uint8_t *buf;
  size_t blen, bcap;
  size_t nf, fcap;
  size_t *foff, *flen;
  unsigned long rline;
  /* header */
  size_t ncols;
  char **names; /* trimmed copies */
  size_t ip_col, exp_col;
};

/* Line of d[pos]: 1 + line ends before it (LF; CR not followed by LF). */
static unsigned long ref_line_at(struct ref *R, size_t pos) {
  for (; R->lpos < pos; R->lpos++) {
    uint8_t c = R->d[R->lpos];
    if (c == '\n' || (c == '\r' && (R->lpos + 1 >= R->size || R->d[R->lpos + 1] != '\n')))
      R->line++;
  }
  return R->line;
}

static void ref_put(struct ref *R, uint8_t c) {
  if (R->blen == R->bcap) {
    R->bcap = R->bcap ? R->bcap * 2 : 256;
    R->buf = realloc(R->buf, R->bcap);
    CHECK(R->buf);
  }
  R->buf[R->blen++] = c;
}

static void ref_field(struct ref *R, size_t start) {
  if (R->nf == R->fcap) {
    R->fcap = R->fcap ? R->fcap * 2 : 16;
    R->foff = realloc(R->foff, R->fcap * sizeof *R->foff);
    R->flen = realloc(R->flen, R->fcap * sizeof *R->flen);
    CHECK(R->foff && R->flen);
  }
  R->foff[R->nf] = start;
  R->flen[R->nf] = R->blen - start;
  R->nf++;
  ref_put(R, 0); /* keeps cells NUL-terminated for strcmp-style use */
}

/* Next record (a row before the blank/cap checks): 1, 0 at the end, -1 on
 * a syntax error or a NUL byte. */
static int ref_record(struct ref *R) {
  enum { START, UNQ, QUOTED, MIGHT } st = START;
  size_t fstart;
  const uint8_t *d = R->d;

  while (R->pos < R->size && (d[R->pos] == '\r' || d[R->pos] == '\n')) R->pos++;
  if (R->pos == R->size) return 0;
  R->rline = ref_line_at(R, R->pos);
  R->nf = R->blen = 0;
  fstart = 0;
  for (; R->pos < R->size; R->pos++) {
    uint8_t c = d[R->pos];
    int eol = c == '\r' || c == '\n';
    if (c == 0) return -1;
    switch (st) {
    case START:
      if (c == '"') {
        st = QUOTED;
      } else if (c == ',') {
        ref_field(R, fstart);
        fstart = R->blen;
      } else if (eol) {
        ref_field(R, fstart);
        R->pos++;
        return 1;
      } else {
        ref_put(R, c);
        st = UNQ;
      }
      break;
    case UNQ:
      if (c == ',') {
        ref_field(R, fstart);
        fstart = R->blen;
        st = START;
      } else if (eol) {
        ref_field(R, fstart);
        R->pos++;
        return 1;
      } else if (c == '"') {
        return -1; /* quote inside an unquoted field */
      } else {
        ref_put(R, c);
      }
      break;
    case QUOTED:
      if (c == '"') st = MIGHT;
      else ref_put(R, c);
      break;
    case MIGHT:
      if (c == '"') {
        ref_put(R, c);
        st = QUOTED;
      } else if (c == ',') {
        ref_field(R, fstart);
        fstart = R->blen;
        st = START;
      } else if (eol) {
        ref_field(R, fstart);
        R->pos++;
        return 1;
      } else {
        return -1; /* something after a closing quote */
      }
      break;
    }
  }
  if (st == QUOTED) return -1; /* never closed */
  ref_field(R, fstart);
  return 1;
}

/* The checks every row gets before it is looked at: caps and UTF-8. */
static int ref_row_ok(const struct ref *R, int header) {
  size_t i, total = 0;
  if (header && R->nf > INVENTORY_COLUMNS_MAX) return 0;
  for (i = 0; i < R->nf; i++) {
    if (R->flen[i] > INVENTORY_FIELD_MAX) return 0;
    total += R->flen[i];
    if (!utf8_valid(R->buf + R->foff[i], R->flen[i])) return 0;
  }
  return total <= INVENTORY_ROW_MAX;
}

/* One field of nothing but spaces and tabs (or nothing). */
static int ref_blank(const struct ref *R) {
  size_t i;
  if (R->nf != 1) return 0;
  for (i = 0; i < R->flen[0]; i++)
    if (R->buf[R->foff[0] + i] != ' ' && R->buf[R->foff[0] + i] != '\t') return 0;
  return 1;
}

/* Next non-blank row that passed the checks: 1, 0 at the end, -1 error. */
static int ref_row(struct ref *R, int header) {
  for (;;) {
    int r = ref_record(R);
    if (r <= 0) return r;
    if (!ref_row_ok(R, header)) return -1;
    if (!ref_blank(R)) return 1;
  }
}

/* Column named `name` (both trimmed), never `except`: an exact match
 * first, then ASCII case-insensitive; the leftmost of either. */
static size_t ref_find(const struct ref *R, const char *name, size_t except) {
  size_t i, len;
  while (*name == ' ' || *name == '\t') name++;
  len = strlen(name);
  while (len && (name[len - 1] == ' ' || name[len - 1] == '\t')) len--;
  for (i = 0; i < R->ncols; i++)
    if (i != except && strlen(R->names[i]) == len && memcmp(R->names[i], name, len) == 0)
      return i;
  for (i = 0; i < R->ncols; i++)
    if (i != except && strlen(R->names[i]) == len && strncasecmp(R->names[i], name, len) == 0)
      return i;
  return NO_COL;
}

/* 0 and the header taken (ncols 0 for an empty file), or -1. */
static int ref_open(struct ref *R, const uint8_t *d, size_t size, const char *ipc,
                    const char *expc) {
  static const char *const ipn[] = {"ip", "ip_address", "address", "addr"};
  static const char *const expn[] = {"expected_ptr", "expected", "hostname"};
  size_t i;
  int r;

  memset(R, 0, sizeof *R);
  R->d = d;
  R->size = size;
  R->line = 1;
  R->ip_col = R->exp_col = NO_COL;
  if (size >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0) R->pos = R->lpos = 3;

  r = ref_row(R, 1);
  if (r <= 0) return r;
  R->ncols = R->nf;
  R->names = calloc(R->ncols, sizeof *R->names);
  CHECK(R->names);
  for (i = 0; i < R->ncols; i++) {
    const char *s = (const char *)R->buf + R->foff[i];
    size_t len = R->flen[i];
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    R->names[i] = strndup(s, len);
    CHECK(R->names[i]);
  }
  if (ipc) {
    R->ip_col = ref_find(R, ipc, NO_COL);
  } else {
    for (i = 0; i < 4 && R->ip_col == NO_COL; i++) R->ip_col = ref_find(R, ipn[i], NO_COL);
  }
  if (R->ip_col == NO_COL) return -1;
  if (expc) {
    R->exp_col = ref_find(R, expc, NO_COL);
    if (R->exp_col == NO_COL || R->exp_col == R->ip_col) return -1;
  } else {
    /* The usual search never picks the IP column the user named; it
     * looks past it, also to a later column of the same name
     * (inventory.c since 9a43bc2; inventory.h does not say). */
    for (i = 0; i < 3 && R->exp_col == NO_COL; i++) R->exp_col = ref_find(R, expn[i], R->ip_col);
  }
  return 0;
}

static void ref_free(struct ref *R) {
  size_t i;
  for (i = 0; i < R->ncols && R->names; i++) free(R->names[i]);
  free(R->names);
  free(R->buf);
  free(R->foff);
  free(R->flen);
}

/* ---- comparison ---------------------------------------------------------- */

static void check_err(const char *err) {
  size_t n = strlen(err), i;
  CHECK(n > 0);
  CHECK(strncmp(err, FILENAME ":", strlen(FILENAME) + 1) == 0);
  for (i = 0; i < n; i++) {
    uint8_t c = (uint8_t)err[i];
    CHECK(c >= 0x20 && c != 0x7f);
  }
}

static void check_cell(const char *s, size_t len, const struct ref *R, size_t col) {
  CHECK(s != NULL);
  CHECK(s[len] == '\0');
  CHECK(memchr(s, '\0', len) == NULL);
  CHECK(utf8_valid((const uint8_t *)s, len));
  CHECK(col < R->nf);
  CHECK(len == R->flen[col]);
  CHECK(memcmp(s, R->buf + R->foff[col], len) == 0);
}

static void run(const uint8_t *data, size_t size, const char *ipc, const char *expc) {
  static char err[1024];
  struct inventory *inv = NULL;
  struct inventory_row row;
  struct ref R;
  uint8_t *copy;
  FILE *f;
  int r, rr;
  size_t i;

  copy = malloc(size ? size : 1);
  CHECK(copy);
  if (size) memcpy(copy, data, size);
  f = size ? fmemopen(copy, size, "r") : fopen("/dev/null", "r");
  CHECK(f);

  err[0] = '\0';
  r = inventory_open(&inv, f, FILENAME, ipc, expc, err, sizeof err);
  rr = ref_open(&R, data, size, ipc, expc);
  if ((r == 0) != (rr == 0))
    fprintf(stderr, "inventory_open %d, reference %d; err: %s\n", r, rr, err);
  CHECK((r == 0) == (rr == 0));
  if (r != 0) {
    CHECK(inv == NULL);
    check_err(err);
    goto out;
  }
  CHECK(inv != NULL);

  /* Columns. */
  if (R.ncols == 0) {
    CHECK(inventory_ip_name(inv) == NULL);
    CHECK(inventory_expected_name(inv) == NULL);
    CHECK(inventory_extra_count(inv) == 0);
  } else {
    size_t k = 0;
    CHECK(inventory_ip_name(inv) != NULL);
    CHECK(strcmp(inventory_ip_name(inv), R.names[R.ip_col]) == 0);
    if (R.exp_col == NO_COL) {
      CHECK(inventory_expected_name(inv) == NULL);
    } else {
      CHECK(inventory_expected_name(inv) != NULL);
      CHECK(strcmp(inventory_expected_name(inv), R.names[R.exp_col]) == 0);
    }
    CHECK(inventory_extra_count(inv) == R.ncols - 1 - (R.exp_col != NO_COL));
    for (i = 0; i < R.ncols; i++) {
      if (i == R.ip_col || i == R.exp_col) continue;
      CHECK(inventory_extra_name(inv, k) != NULL);
      CHECK(strcmp(inventory_extra_name(inv, k), R.names[i]) == 0);
      k++;
    }
    CHECK(inventory_extra_name(inv, k) == NULL);
  }

  /* Rows. */
  for (;;) {
    err[0] = '\0';
    r = inventory_next(inv, &row, err, sizeof err);
    rr = R.ncols == 0 ? 0 : ref_row(&R, 0);
    if (rr == 1 && R.nf != R.ncols) rr = -1; /* columns never shift */
    if (r != rr && !(r < 0 && rr < 0))
      fprintf(stderr, "inventory_next %d, reference %d (row at line %lu); err: %s\n", r, rr,
              R.rline, err);
    CHECK(r == rr || (r < 0 && rr < 0));
    if (r == 0) break;
    if (r < 0) {
      char again[sizeof err];
      check_err(err);
      /* Sticky: the same error again. */
      CHECK(inventory_next(inv, &row, again, sizeof again) == r);
      CHECK(strcmp(again, err) == 0);
      break;
    }
    CHECK(row.line == R.rline);
    check_cell(row.ip, row.ip_len, &R, R.ip_col);
    if (R.exp_col == NO_COL) {
      CHECK(row.expected == NULL);
    } else {
      check_cell(row.expected, row.expected_len, &R, R.exp_col);
    }
    {
      size_t k = 0;
      for (i = 0; i < R.ncols; i++) {
        if (i == R.ip_col || i == R.exp_col) continue;
        check_cell(row.extra[k], row.extra_len[k], &R, i);
        k++;
      }
      /* IP + expected + extras: exactly the header's field count. */
      CHECK(1 + (row.expected != NULL) + k == R.ncols);
    }
  }
  /* The end stays the end. */
  if (r == 0) CHECK(inventory_next(inv, &row, err, sizeof err) == 0);

out:
  inventory_close(inv);
  ref_free(&R);
  fclose(f);
  free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* Explicit column names: present, absent, differently cased or padded,
   * and names the usual searches also look for. */
  static const char *const ipcols[] = {"ip", "IP", " addr\t", "host", "hostname", "expected"};
  static const char *const expcols[] = {NULL, "expected_ptr", "Hostname", "ip", "owner"};
  uint32_t h = 2166136261u;
  size_t i;

  run(data, size, NULL, NULL);
  for (i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
  run(data, size, ipcols[h % 6], expcols[(h / 6) % 5]);
  return 0;
}
