/*
 * inventory.c - streaming CSV inventory reader (contract in inventory.h).
 *
 * libcsv does the CSV state machine; this file feeds it and keeps what
 * libcsv does not: line numbers, caps, and the row being assembled.
 *
 * Feeding: each chunk read from the FILE is cut into segments that end at
 * a line-end byte (CR or LF), at a NUL, or at the chunk's end, and each
 * segment is one csv_parse() call.  Because a row can only end at a CR or
 * LF outside quotes, at most one row completes per call, and it completes
 * at the segment's last byte.  The parser state between calls
 * (p.pstate == ROW_NOT_BEGUN) tells whether the next segment starts a new
 * row, which is how a row's starting line is known even when a quoted field
 * spans lines.
 *
 * Caps: libcsv accumulates a field in a buffer it grows without limit.
 * Checking its fill (p.entry_pos) after every segment, and segments being
 * no longer than a chunk, bound that buffer to INVENTORY_FIELD_MAX plus one
 * chunk whatever the input holds.
 */
#include "inventory.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#include "cell.h"

#define CHUNK (64 * 1024)
#define CSV_BLK 4096 /* libcsv's buffer grows by this much at a time */

/* libcsv's parser states (libcsv.c; the struct is public, the names are
 * not). */
#define PS_ROW_NOT_BEGUN 0
#define PS_FIELD_BEGUN 2
#define PS_FIELD_MIGHT_HAVE_ENDED 3

#define NO_COL SIZE_MAX

static const char *const ip_names[] = {"ip", "ip_address", "address", "addr"};
static const char *const expected_names[] = {"expected_ptr", "expected", "hostname"};

struct inventory {
  FILE *f;
  char *filename;
  struct csv_parser p;
  int p_ready;

  unsigned char *chunk;
  size_t clen, cpos;
  int started; /* the first chunk was read (BOM checked) */
  int eof;     /* fread reported the end */
  int done;    /* csv_fini ran */

  int status;  /* sticky error */
  char errmsg[512];

  unsigned long line;       /* physical line of the next unread byte */
  int prev_cr;              /* the last byte fed was CR (CRLF is one end) */
  unsigned long row_line;   /* line where the row in progress began */
  unsigned long seg_line;   /* line of the segment being fed */
  unsigned long field_line; /* line where the field in progress began */
  int field_line_valid;

  /* header */
  int in_header;
  size_t ncols;
  char *namebuf;
  char **names; /* trimmed, NUL-terminated */
  size_t ip_col, exp_col;
  size_t nextra;
  size_t *extra_col;
  const char **extra_ptr;
  size_t *extra_len;

  /* the row being assembled */
  size_t nfields;  /* fields seen, stored or not */
  size_t rowbytes; /* their total length */
  char *rowbuf;    /* stored fields, each NUL-terminated */
  size_t rowlen, rowcap;
  size_t *foff, *flen; /* INVENTORY_COLUMNS_MAX entries */
  int row_ready;
};

static int inv_fail(struct inventory *inv, int code, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int inv_fail(struct inventory *inv, int code, unsigned long line, const char *fmt, ...) {
  va_list ap;
  int n;
  if (inv->status) return inv->status;
  inv->status = code;
  if (line)
    n = snprintf(inv->errmsg, sizeof inv->errmsg, "%s:%lu: ", inv->filename, line);
  else
    n = snprintf(inv->errmsg, sizeof inv->errmsg, "%s: ", inv->filename);
  if (n < 0 || (size_t)n >= sizeof inv->errmsg) return code;
  va_start(ap, fmt);
  vsnprintf(inv->errmsg + n, sizeof inv->errmsg - (size_t)n, fmt, ap);
  va_end(ap);
  return code;
}

static int copy_err(const struct inventory *inv, char *err, size_t errlen) {
  if (err && errlen) snprintf(err, errlen, "%s", inv->errmsg);
  return inv->status;
}

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

/* Spaces are data (RFC 4180); libcsv would otherwise trim spaces and tabs
 * around unquoted fields and accept them around quoted ones. */
static int no_space(unsigned char c) {
  (void)c;
  return 0;
}

/* libcsv field callback: check the field and append it to the row. */
static void on_field(void *data, size_t len, void *ctx) {
  struct inventory *inv = ctx;
  const char *s = data;
  size_t col = inv->nfields++;
  unsigned long fline = inv->field_line_valid ? inv->field_line : inv->seg_line;
  size_t maxcols = inv->in_header ? INVENTORY_COLUMNS_MAX : inv->ncols;
  char cd[128];
  size_t bad;

  inv->field_line_valid = 0;
  if (inv->status) return;
  inv->rowbytes += len;
  if (len > INVENTORY_FIELD_MAX) {
    inv_fail(inv, UV_EINVAL, fline, "%s: field longer than %d bytes",
             col_desc(inv, col, cd, sizeof cd), INVENTORY_FIELD_MAX);
    return;
  }
  if (inv->rowbytes > INVENTORY_ROW_MAX) {
    inv_fail(inv, UV_EINVAL, inv->row_line, "row longer than %d bytes", INVENTORY_ROW_MAX);
    return;
  }
  if (col >= maxcols) {
    /* Data rows: keep counting for the "N fields, header has M" message,
     * store nothing. */
    if (inv->in_header)
      inv_fail(inv, UV_EINVAL, inv->row_line, "header has more than %d columns",
               INVENTORY_COLUMNS_MAX);
    return;
  }
  bad = cell_utf8_check(s, len);
  if (bad < len) {
    inv_fail(inv, UV_EINVAL, fline + count_lines(s, bad),
             "%s: invalid UTF-8 (byte 0x%02x at byte %zu of the field)",
             col_desc(inv, col, cd, sizeof cd), (unsigned char)s[bad], bad + 1);
    return;
  }
  if (inv->rowlen + len + 1 > inv->rowcap) {
    size_t cap = inv->rowcap ? inv->rowcap : 4096;
    char *nb;
    while (cap < inv->rowlen + len + 1) cap *= 2;
    /* Never more than a full row can need (the caps bound rowlen). */
    if (cap > INVENTORY_ROW_MAX + INVENTORY_COLUMNS_MAX)
      cap = INVENTORY_ROW_MAX + INVENTORY_COLUMNS_MAX;
    nb = realloc(inv->rowbuf, cap);
    if (!nb) {
      inv_fail(inv, UV_ENOMEM, inv->row_line, "out of memory");
      return;
    }
    inv->rowbuf = nb;
    inv->rowcap = cap;
  }
  memcpy(inv->rowbuf + inv->rowlen, s, len);
  inv->rowbuf[inv->rowlen + len] = '\0';
  inv->foff[col] = inv->rowlen;
  inv->flen[col] = len;
  inv->rowlen += len + 1;
}

static void on_row(int c, void *ctx) {
  struct inventory *inv = ctx;
  (void)c;
  inv->row_ready = 1;
}

static void row_reset(struct inventory *inv) {
  inv->nfields = 0;
  inv->rowbytes = 0;
  inv->rowlen = 0;
  inv->row_ready = 0;
}

/* A row that is one field of nothing but spaces and tabs: a blank line. */
static int row_blank(const struct inventory *inv) {
  if (inv->nfields != 1) return 0;
  for (size_t i = 0; i < inv->flen[0]; i++) {
    char c = inv->rowbuf[inv->foff[0] + i];
    if (c != ' ' && c != '\t') return 0;
  }
  return 1;
}

/* csv_parse() stopped early: say why, where. */
static void parse_error(struct inventory *inv) {
  char cd[128];
  col_desc(inv, inv->nfields, cd, sizeof cd);
  if (csv_error(&inv->p) == CSV_ENOMEM || csv_error(&inv->p) == CSV_ETOOBIG) {
    inv_fail(inv, UV_ENOMEM, inv->seg_line, "%s: out of memory", cd);
  } else if (inv->p.pstate == PS_FIELD_MIGHT_HAVE_ENDED) {
    inv_fail(inv, UV_EINVAL, inv->seg_line,
             "%s: CSV syntax error: character after a closing quote (a quoted field must be "
             "followed by a comma or the end of the line)",
             cd);
  } else {
    inv_fail(inv, UV_EINVAL, inv->seg_line,
             "%s: CSV syntax error: quote inside an unquoted field (quote the whole field and "
             "double the quotes inside it)",
             cd);
  }
}

/* Feed the next segment of the chunk to libcsv. */
static void feed_segment(struct inventory *inv) {
  const unsigned char *s = inv->chunk + inv->cpos;
  size_t avail = inv->clen - inv->cpos, j = 0, seglen;
  int nul;

  while (j < avail && s[j] != '\n' && s[j] != '\r' && s[j] != '\0') j++;
  nul = j < avail && s[j] == '\0';
  seglen = nul ? j : (j < avail ? j + 1 : avail);

  if (inv->p.pstate == PS_ROW_NOT_BEGUN) inv->row_line = inv->line;
  inv->seg_line = inv->line;
  if (seglen) {
    size_t used = csv_parse(&inv->p, s, seglen, on_field, on_row, inv);
    unsigned char last = s[seglen - 1];
    if (inv->status) return;
    if (used < seglen) {
      parse_error(inv);
      return;
    }
    if (seglen > 1) inv->prev_cr = 0;
    if (last == '\r') {
      inv->line++;
      inv->prev_cr = 1;
    } else if (last == '\n') {
      if (!inv->prev_cr) inv->line++;
      inv->prev_cr = 0;
    } else {
      inv->prev_cr = 0;
    }
    inv->cpos += seglen;
    if ((inv->p.pstate == PS_FIELD_BEGUN || inv->p.pstate == PS_FIELD_MIGHT_HAVE_ENDED) &&
        !inv->field_line_valid) {
      inv->field_line = inv->seg_line;
      inv->field_line_valid = 1;
    }
    /* +1: a quoted field's closing quote sits in the buffer until the
     * next byte shows it was not a doubled quote. */
    if (inv->p.entry_pos > INVENTORY_FIELD_MAX + 1) {
      char cd[128];
      inv_fail(inv, UV_EINVAL, inv->field_line, "%s: field longer than %d bytes",
               col_desc(inv, inv->nfields, cd, sizeof cd), INVENTORY_FIELD_MAX);
      return;
    }
  }
  if (nul) {
    char cd[128];
    inv_fail(inv, UV_EINVAL, inv->line, "%s: NUL byte in the data",
             col_desc(inv, inv->nfields, cd, sizeof cd));
  }
}

/* End of input: let libcsv submit a last row without a line end, or
 * report a quoted field that never closed. */
static void finish(struct inventory *inv) {
  inv->seg_line = inv->line;
  inv->done = 1;
  if (csv_fini(&inv->p, on_field, on_row, inv) != 0 && !inv->status) {
    char cd[128];
    inv_fail(inv, UV_EINVAL, inv->field_line_valid ? inv->field_line : inv->line,
             "%s: CSV syntax error: quoted field never closed (runs to the end of the file)",
             col_desc(inv, inv->nfields, cd, sizeof cd));
  }
}

/* Assemble the next non-blank row.  1 row ready, 0 end of input, <0 error. */
static int read_row(struct inventory *inv) {
  row_reset(inv);
  for (;;) {
    if (inv->status) return inv->status;
    if (inv->row_ready) {
      if (!row_blank(inv)) return 1;
      row_reset(inv);
      continue;
    }
    if (inv->done) return 0;
    if (inv->cpos == inv->clen) {
      size_t n;
      if (inv->eof) {
        finish(inv);
        continue;
      }
      n = fread(inv->chunk, 1, CHUNK, inv->f);
      if (n == 0) {
        if (ferror(inv->f)) {
          int e = errno;
          return inv_fail(inv, e ? uv_translate_sys_error(e) : UV_EIO, 0, "read error: %s",
                          e ? strerror(e) : "I/O error");
        }
        inv->eof = 1;
        continue;
      }
      inv->clen = n;
      inv->cpos = 0;
      if (!inv->started) {
        inv->started = 1;
        /* fread only returns short at the end, so a BOM is never split. */
        if (n >= 3 && !memcmp(inv->chunk, "\xef\xbb\xbf", 3)) inv->cpos = 3;
      }
      continue;
    }
    feed_segment(inv);
  }
}

/* Column whose trimmed header name is `name` (trimmed too): exact case
 * first, then case-insensitive; leftmost wins.  NO_COL if none. */
static size_t find_col(const struct inventory *inv, const char *name) {
  size_t len;
  while (*name == ' ' || *name == '\t') name++;
  len = strlen(name);
  while (len && (name[len - 1] == ' ' || name[len - 1] == '\t')) len--;
  for (size_t i = 0; i < inv->ncols; i++)
    if (strlen(inv->names[i]) == len && !memcmp(inv->names[i], name, len)) return i;
  for (size_t i = 0; i < inv->ncols; i++)
    if (strlen(inv->names[i]) == len && !strncasecmp(inv->names[i], name, len)) return i;
  return NO_COL;
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

/* Turn the header row into names and column choices. */
static int take_header(struct inventory *inv, const char *ip_column, const char *expect_column) {
  char list[300];
  unsigned long hline = inv->row_line;

  inv->ncols = inv->nfields;
  inv->namebuf = malloc(inv->rowlen ? inv->rowlen : 1);
  inv->names = calloc(inv->ncols, sizeof *inv->names);
  if (!inv->namebuf || !inv->names) return inv_fail(inv, UV_ENOMEM, 0, "out of memory");
  memcpy(inv->namebuf, inv->rowbuf, inv->rowlen);
  for (size_t i = 0; i < inv->ncols; i++) {
    char *s = inv->namebuf + inv->foff[i];
    size_t len = inv->flen[i];
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    s[len] = '\0';
    inv->names[i] = s;
  }
  inv->in_header = 0;

  if (ip_column) {
    inv->ip_col = find_col(inv, ip_column);
    if (inv->ip_col == NO_COL) {
      char name[72];
      cell_escape(name, sizeof name, ip_column, strlen(ip_column));
      return inv_fail(inv, UV_EINVAL, hline, "no IP column named \"%s\"; header has: %s", name,
                      header_list(inv, list, sizeof list));
    }
  } else {
    inv->ip_col = NO_COL;
    for (size_t k = 0; k < sizeof ip_names / sizeof *ip_names && inv->ip_col == NO_COL; k++)
      inv->ip_col = find_col(inv, ip_names[k]);
    if (inv->ip_col == NO_COL)
      return inv_fail(inv, UV_EINVAL, hline,
                      "no IP column: looked for ip, ip_address, address, addr; header has: %s",
                      header_list(inv, list, sizeof list));
  }
  if (expect_column) {
    inv->exp_col = find_col(inv, expect_column);
    if (inv->exp_col == NO_COL) {
      char name[72];
      cell_escape(name, sizeof name, expect_column, strlen(expect_column));
      return inv_fail(inv, UV_EINVAL, hline, "no expected column named \"%s\"; header has: %s",
                      name, header_list(inv, list, sizeof list));
    }
    if (inv->exp_col == inv->ip_col)
      return inv_fail(inv, UV_EINVAL, hline,
                      "column %zu cannot be both the IP and the expected column",
                      inv->ip_col + 1);
  } else {
    inv->exp_col = NO_COL;
    for (size_t k = 0;
         k < sizeof expected_names / sizeof *expected_names && inv->exp_col == NO_COL; k++)
      inv->exp_col = find_col(inv, expected_names[k]);
  }

  inv->nextra = inv->ncols - 1 - (inv->exp_col != NO_COL);
  if (inv->nextra) {
    size_t k = 0;
    inv->extra_col = calloc(inv->nextra, sizeof *inv->extra_col);
    inv->extra_ptr = calloc(inv->nextra, sizeof *inv->extra_ptr);
    inv->extra_len = calloc(inv->nextra, sizeof *inv->extra_len);
    if (!inv->extra_col || !inv->extra_ptr || !inv->extra_len)
      return inv_fail(inv, UV_ENOMEM, 0, "out of memory");
    for (size_t i = 0; i < inv->ncols; i++)
      if (i != inv->ip_col && i != inv->exp_col) inv->extra_col[k++] = i;
  }
  return 0;
}

int inventory_open(struct inventory **out, FILE *f, const char *filename,
                   const char *ip_column, const char *expect_column, char *err,
                   size_t errlen) {
  struct inventory *inv;
  int r;

  *out = NULL;
  inv = calloc(1, sizeof *inv);
  if (!inv) goto nomem;
  inv->f = f;
  inv->filename = strdup(filename ? filename : "inventory");
  inv->chunk = malloc(CHUNK);
  inv->foff = calloc(INVENTORY_COLUMNS_MAX, sizeof *inv->foff);
  inv->flen = calloc(INVENTORY_COLUMNS_MAX, sizeof *inv->flen);
  if (!inv->filename || !inv->chunk || !inv->foff || !inv->flen) goto nomem;
  if (csv_init(&inv->p, CSV_STRICT | CSV_STRICT_FINI) != 0) goto nomem;
  inv->p_ready = 1;
  csv_set_space_func(&inv->p, no_space);
  csv_set_blk_size(&inv->p, CSV_BLK);
  inv->line = 1;
  inv->in_header = 1;
  inv->ip_col = inv->exp_col = NO_COL;

  r = read_row(inv);
  if (r == 1) r = take_header(inv, ip_column, expect_column);
  if (r < 0) {
    copy_err(inv, err, errlen);
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
  return UV_ENOMEM;
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
  int r;
  if (inv->status) return copy_err(inv, err, errlen);
  if (inv->ncols == 0) return 0; /* empty file */
  r = read_row(inv);
  if (r < 0) return copy_err(inv, err, errlen);
  if (r == 0) return 0;
  if (inv->nfields != inv->ncols) {
    inv_fail(inv, UV_EINVAL, inv->row_line, "%zu field%s, header has %zu", inv->nfields,
             inv->nfields == 1 ? "" : "s", inv->ncols);
    return copy_err(inv, err, errlen);
  }
  memset(row, 0, sizeof *row);
  row->line = inv->row_line;
  row->ip = inv->rowbuf + inv->foff[inv->ip_col];
  row->ip_len = inv->flen[inv->ip_col];
  if (inv->exp_col != NO_COL) {
    row->expected = inv->rowbuf + inv->foff[inv->exp_col];
    row->expected_len = inv->flen[inv->exp_col];
  }
  for (size_t i = 0; i < inv->nextra; i++) {
    inv->extra_ptr[i] = inv->rowbuf + inv->foff[inv->extra_col[i]];
    inv->extra_len[i] = inv->flen[inv->extra_col[i]];
  }
  row->extra = inv->extra_ptr;
  row->extra_len = inv->extra_len;
  return 1;
}

void inventory_close(struct inventory *inv) {
  if (!inv) return;
  if (inv->p_ready) csv_free(&inv->p);
  free(inv->filename);
  free(inv->chunk);
  free(inv->namebuf);
  free(inv->names);
  free(inv->extra_col);
  free(inv->extra_ptr);
  free(inv->extra_len);
  free(inv->rowbuf);
  free(inv->foff);
  free(inv->flen);
  free(inv);
}
