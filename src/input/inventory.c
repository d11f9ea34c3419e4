/* SPDX-License-Identifier: MIT */
/*
 * inventory.c - streaming CSV inventory reader (contract in inventory.h).
 *
 * csvread.c reads the CSV (strict syntax, line numbers, BOM, blank lines,
 * the field and row caps, NUL bytes); this file adds what is particular to
 * an inventory: the header and the choice of the IP and expected columns,
 * the passthrough ("extra") columns, the UTF-8 rule, and messages that name
 * the column at fault ("column 3 (owner)") with a hint on how to fix it.
 */
#include "inventory.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "err.h"

#include "cell.h"
#include "csvread.h"
#include "instream.h"

#define NO_COL SIZE_MAX

static const char *const ip_names[] = {"ip", "ip_address", "address", "addr"};
static const char *const expected_names[] = {"expected_ptr", "expected", "hostname"};

struct inventory {
  FILE *f;                /* the input: a FILE, or */
  struct instream *in;    /* a stream that may have nothing yet (-EAGAIN) */
  struct csvread *cr;
  int in_header;

  /* header */
  size_t ncols;
  char **names; /* trimmed, NUL-terminated; one allocation (csvread_row_dup) */
  size_t ip_col, exp_col;
  size_t nextra;
  size_t *extra_col;
  const char **extra_ptr;
  size_t *extra_len;
};

/* "column 3 (owner)": the column's number and, once the header is known,
 * its name, escaped and shortened for a message. */
static const char *col_desc(const struct inventory *inv, size_t col, char *buf, size_t size) {
  if (!inv->in_header && col < inv->ncols) {
    char name[72];
    const char *s = inv->names[col];
    cell_escape(name, sizeof name, s, strlen(s));
    snprintf(buf, size, "column %zu (%s)", col + 1, name);
  } else {
    snprintf(buf, size, "column %zu", col + 1);
  }
  return buf;
}

/* Line ends (LF, CRLF, lone CR) among s[0..n). */
static unsigned long count_lines(const char *s, size_t n) {
  unsigned long k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\n') k++;
    else if (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')) k++;
  }
  return k;
}

/* csvread read callback: the FILE or the stream, in chunks.  The header
 * is waited for (the report's columns come from it); data rows are not. */
static ssize_t inv_read(void *ctx, struct csvread *cr, void *buf, size_t size) {
  struct inventory *inv = ctx;
  if (inv->in) {
    ssize_t r = inv->in_header ? instream_read_wait(inv->in, buf, size)
                               : instream_read(inv->in, buf, size);
    if (r >= 0 || r == -EAGAIN) return r;
    /* The stream's message starts with its name, which csvread adds. */
    const char *m = instream_error(inv->in);
    size_t skip = strlen(instream_name(inv->in)) + 2;
    return csvread_fail(cr, (int)r, 0, "%s", strlen(m) > skip ? m + skip : m);
  }
  size_t n = fread(buf, 1, size, inv->f);
  if (n == 0 && ferror(inv->f)) {
    int e = errno;
    return csvread_fail(cr, e ? err_from_errno(e) : -EIO, 0, "read error: %s",
                        e ? strerror(e) : "I/O error");
  }
  return (ssize_t)n;
}

/* csvread field callback: the header's column cap, and UTF-8 in every
 * stored cell. */
static int inv_field(void *ctx, struct csvread *cr, const struct csvread_field *f) {
  struct inventory *inv = ctx;
  char cd[128];
  size_t bad;

  if (!f->stored) {
    /* Data rows: the field is only counted, for the "N fields, header has
     * M" message. */
    if (inv->in_header)
      return csvread_fail(cr, -EINVAL, csvread_row_line(cr),
                          "header has more than %d columns", INVENTORY_COLUMNS_MAX);
    return 0;
  }
  bad = cell_utf8_check(f->data, f->len);
  if (bad < f->len)
    return csvread_fail(cr, -EINVAL, f->line + count_lines(f->data, bad),
                        "%s: invalid UTF-8 (byte 0x%02x at byte %zu of the field)",
                        col_desc(inv, f->col, cd, sizeof cd), (unsigned char)f->data[bad],
                        bad + 1);
  return 0;
}

/* csvread problem callback: name the column, and say how to fix a syntax
 * error (an inventory is written by hand). */
static void inv_problem(void *ctx, struct csvread *cr, enum csvread_problem what, int code,
                        unsigned long line, size_t col) {
  struct inventory *inv = ctx;
  char cd[128];

  col_desc(inv, col, cd, sizeof cd);
  switch (what) {
  case CSVREAD_FIELD_TOO_LONG:
    csvread_fail(cr, code, line, "%s: field longer than %d bytes", cd, INVENTORY_FIELD_MAX);
    break;
  case CSVREAD_AFTER_QUOTE:
    csvread_fail(cr, code, line,
                 "%s: CSV syntax error: character after a closing quote (a quoted field must be "
                 "followed by a comma or the end of the line)",
                 cd);
    break;
  case CSVREAD_STRAY_QUOTE:
    csvread_fail(cr, code, line,
                 "%s: CSV syntax error: quote inside an unquoted field (quote the whole field and "
                 "double the quotes inside it)",
                 cd);
    break;
  case CSVREAD_UNCLOSED:
    csvread_fail(cr, code, line,
                 "%s: CSV syntax error: quoted field never closed (runs to the end of the file)",
                 cd);
    break;
  case CSVREAD_NUL:
    csvread_fail(cr, code, line, "%s: NUL byte in the data", cd);
    break;
  case CSVREAD_PARSER_NOMEM:
    csvread_fail(cr, code, line, "%s: out of memory", cd);
    break;
  case CSVREAD_ROW_NOMEM:
    csvread_fail(cr, code, csvread_row_line(cr), "out of memory");
    break;
  case CSVREAD_ROW_TOO_LONG: /* the default text */
    break;
  }
}

/* Column whose trimmed header name is `name` (trimmed too): exact case
 * first, then case-insensitive; leftmost wins; column `except` is never
 * returned (the usual expected-column search must not pick the IP column
 * the user named).  NO_COL if none. */
static size_t match_name(const char *const *names, size_t n, const char *name, size_t except) {
  size_t len;
  while (*name == ' ' || *name == '\t') name++;
  len = strlen(name);
  while (len && (name[len - 1] == ' ' || name[len - 1] == '\t')) len--;
  for (size_t i = 0; i < n; i++)
    if (i != except && strlen(names[i]) == len && !memcmp(names[i], name, len)) return i;
  for (size_t i = 0; i < n; i++)
    if (i != except && strlen(names[i]) == len && !strncasecmp(names[i], name, len)) return i;
  return NO_COL;
}

static size_t find_col_except(const struct inventory *inv, const char *name, size_t except) {
  return match_name((const char *const *)inv->names, inv->ncols, name, except);
}

int inventory_pick_column(const char *const *names, size_t n, const char *explicit_name,
                          const char *const *usual, size_t nusual) {
  size_t c = NO_COL;
  if (explicit_name) c = match_name(names, n, explicit_name, NO_COL);
  for (size_t k = 0; !explicit_name && k < nusual && c == NO_COL; k++)
    c = match_name(names, n, usual[k], NO_COL);
  return c == NO_COL ? -1 : (int)c;
}

static size_t find_col(const struct inventory *inv, const char *name) {
  return find_col_except(inv, name, NO_COL);
}

/* "name, owner, ..." for messages, escaped, cut to fit buf. */
static const char *header_list(const struct inventory *inv, char *buf, size_t size) {
  size_t o = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < inv->ncols; i++) {
    char name[72];
    int n;
    cell_escape(name, sizeof name, inv->names[i], strlen(inv->names[i]));
    n = snprintf(buf + o, size - o, "%s%s", i ? ", " : "", name);
    if (n < 0 || (size_t)n >= size - o) {
      if (size > 4) strcpy(buf + size - 4, "...");
      break;
    }
    o += (size_t)n;
  }
  return buf;
}

/* Turn the header row (the reader's current row) into names and column
 * choices. */
static int take_header(struct inventory *inv, const char *ip_column, const char *expect_column) {
  struct csvread *cr = inv->cr;
  char list[300];
  unsigned long hline = csvread_row_line(cr);
  const size_t *lens = csvread_lens(cr);

  inv->ncols = csvread_nfields(cr);
  inv->names = csvread_row_dup(cr);
  if (!inv->names) return csvread_fail(cr, -ENOMEM, 0, "out of memory");
  for (size_t i = 0; i < inv->ncols; i++) {
    char *s = inv->names[i];
    size_t len = lens[i];
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    s[len] = '\0';
    inv->names[i] = s;
  }
  inv->in_header = 0;
  csvread_set_ncols(cr, inv->ncols);

  if (ip_column) {
    inv->ip_col = find_col(inv, ip_column);
    if (inv->ip_col == NO_COL) {
      char name[72];
      cell_escape(name, sizeof name, ip_column, strlen(ip_column));
      return csvread_fail(cr, -EINVAL, hline, "no IP column named \"%s\"; header has: %s",
                          name, header_list(inv, list, sizeof list));
    }
  } else {
    inv->ip_col = NO_COL;
    for (size_t k = 0; k < sizeof ip_names / sizeof *ip_names && inv->ip_col == NO_COL; k++)
      inv->ip_col = find_col(inv, ip_names[k]);
    if (inv->ip_col == NO_COL)
      return csvread_fail(cr, -EINVAL, hline,
                          "no IP column: looked for ip, ip_address, address, addr; header has: %s",
                          header_list(inv, list, sizeof list));
  }
  if (expect_column) {
    inv->exp_col = find_col(inv, expect_column);
    if (inv->exp_col == NO_COL) {
      char name[72];
      cell_escape(name, sizeof name, expect_column, strlen(expect_column));
      return csvread_fail(cr, -EINVAL, hline,
                          "no expected column named \"%s\"; header has: %s", name,
                          header_list(inv, list, sizeof list));
    }
    if (inv->exp_col == inv->ip_col)
      return csvread_fail(cr, -EINVAL, hline,
                          "column %zu cannot be both the IP and the expected column",
                          inv->ip_col + 1);
  } else {
    inv->exp_col = NO_COL;
    for (size_t k = 0;
         k < sizeof expected_names / sizeof *expected_names && inv->exp_col == NO_COL; k++)
      inv->exp_col = find_col_except(inv, expected_names[k], inv->ip_col);
  }

  inv->nextra = inv->ncols - 1 - (inv->exp_col != NO_COL);
  if (inv->nextra) {
    size_t k = 0;
    inv->extra_col = calloc(inv->nextra, sizeof *inv->extra_col);
    inv->extra_ptr = calloc(inv->nextra, sizeof *inv->extra_ptr);
    inv->extra_len = calloc(inv->nextra, sizeof *inv->extra_len);
    if (!inv->extra_col || !inv->extra_ptr || !inv->extra_len)
      return csvread_fail(cr, -ENOMEM, 0, "out of memory");
    for (size_t i = 0; i < inv->ncols; i++)
      if (i != inv->ip_col && i != inv->exp_col) inv->extra_col[k++] = i;
  }
  return 0;
}

static int open_any(struct inventory **out, FILE *f, struct instream *in,
                    const char *filename, const char *ip_column, const char *expect_column,
                    char *err, size_t errlen) {
  struct inventory *inv;
  struct csvread_config cfg = {
    .name = filename ? filename : "inventory",
    .field_max = INVENTORY_FIELD_MAX,
    .row_max = INVENTORY_ROW_MAX,
    .max_fields = INVENTORY_COLUMNS_MAX,
    .nul_is_error = 1,
    .read = inv_read,
    .field = inv_field,
    .problem = inv_problem,
  };
  int r;

  *out = NULL;
  inv = calloc(1, sizeof *inv);
  if (!inv) goto nomem;
  inv->f = f;
  inv->in = in;
  inv->in_header = 1;
  inv->ip_col = inv->exp_col = NO_COL;
  cfg.ctx = inv;
  if (csvread_new(&inv->cr, &cfg) < 0) goto nomem;

  r = csvread_next(inv->cr);
  if (r == 1) r = take_header(inv, ip_column, expect_column);
  if (r < 0) {
    csvread_errmsg(inv->cr, err, errlen);
    inventory_close(inv);
    return r;
  }
  /* r == 0: empty input, no columns; inventory_next() says "end". */
  inv->in_header = 0;
  *out = inv;
  return 0;

nomem:
  if (err && errlen) snprintf(err, errlen, "%s: out of memory", filename ? filename : "inventory");
  inventory_close(inv);
  return -ENOMEM;
}

int inventory_open(struct inventory **out, FILE *f, const char *filename,
                   const char *ip_column, const char *expect_column, char *err,
                   size_t errlen) {
  return open_any(out, f, NULL, filename, ip_column, expect_column, err, errlen);
}

int inventory_open_stream(struct inventory **out, struct instream *in,
                          const char *ip_column, const char *expect_column, char *err,
                          size_t errlen) {
  return open_any(out, NULL, in, instream_name(in), ip_column, expect_column, err, errlen);
}

size_t inventory_extra_count(const struct inventory *inv) {
  return inv->nextra;
}

const char *inventory_extra_name(const struct inventory *inv, size_t i) {
  return i < inv->nextra ? inv->names[inv->extra_col[i]] : NULL;
}

const char *inventory_ip_name(const struct inventory *inv) {
  return inv->ip_col != NO_COL ? inv->names[inv->ip_col] : NULL;
}

const char *inventory_expected_name(const struct inventory *inv) {
  return inv->exp_col != NO_COL ? inv->names[inv->exp_col] : NULL;
}

int inventory_next(struct inventory *inv, struct inventory_row *row, char *err,
                   size_t errlen) {
  struct csvread *cr = inv->cr;
  int r;
  if (csvread_status(cr)) return csvread_errmsg(cr, err, errlen);
  if (inv->ncols == 0) return 0; /* empty file */
  r = csvread_next(cr);
  if (r == -EAGAIN) return r;
  if (r < 0) return csvread_errmsg(cr, err, errlen);
  if (r == 0) return 0;
  memset(row, 0, sizeof *row);
  row->line = csvread_row_line(cr);
  row->ip = csvread_field(cr, inv->ip_col);
  row->ip_len = csvread_lens(cr)[inv->ip_col];
  if (inv->exp_col != NO_COL) {
    row->expected = csvread_field(cr, inv->exp_col);
    row->expected_len = csvread_lens(cr)[inv->exp_col];
  }
  for (size_t i = 0; i < inv->nextra; i++) {
    inv->extra_ptr[i] = csvread_field(cr, inv->extra_col[i]);
    inv->extra_len[i] = csvread_lens(cr)[inv->extra_col[i]];
  }
  row->extra = inv->extra_ptr;
  row->extra_len = inv->extra_len;
  return 1;
}

void inventory_close(struct inventory *inv) {
  if (!inv) return;
  csvread_free(inv->cr);
  free(inv->names);
  free(inv->extra_col);
  free(inv->extra_ptr);
  free(inv->extra_len);
  free(inv);
}
