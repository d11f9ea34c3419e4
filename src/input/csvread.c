/* SPDX-License-Identifier: MIT */
/*
 * csvread.c - streaming strict-CSV row reader (contract in csvread.h).
 *
 * libcsv does the CSV state machine; this file feeds it and keeps what
 * libcsv does not: line numbers, caps, and the row being assembled.
 *
 * Feeding: each chunk from the read callback is cut into segments that end
 * at a line-end byte (CR or LF), at a NUL (with nul_is_error), or at the
 * chunk's end, and each segment is one csv_parse() call.  Because a row can
 * only end at a CR or LF outside quotes, at most one row completes per
 * call, and it completes at the segment's last byte.  The parser state
 * between calls (p.pstate == ROW_NOT_BEGUN) tells whether the next segment
 * starts a new row, which is how a row's starting line is known even when a
 * quoted field spans lines.
 *
 * Caps: libcsv accumulates a field in a buffer it grows without limit.
 * Checking its fill (p.entry_pos) after every segment, and segments being
 * no longer than a chunk, bound that buffer to field_max plus one chunk
 * whatever the input holds.
 */
#include "csvread.h"

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"

#define CSV_BLK 4096 /* libcsv's buffer grows by this much at a time */

/* libcsv's parser states (libcsv.c; the struct is public, the names are
 * not). */
#define PS_ROW_NOT_BEGUN 0
#define PS_FIELD_BEGUN 2
#define PS_FIELD_MIGHT_HAVE_ENDED 3

struct csvread {
  struct csvread_config cfg; /* cfg.name is our copy */
  struct csv_parser p;
  int p_ready;

  unsigned char *chunk;
  size_t clen, cpos;
  int started; /* the first chunk was read (BOM checked) */
  int eof;     /* the read callback reported the end */
  int done;    /* csv_fini ran */
  int resume;  /* the last call returned -EAGAIN mid-row: keep the row */
  size_t pending; /* bytes at the start of chunk kept while the BOM is undecided */

  int status;  /* sticky error */
  char errmsg[512];

  /* During csv_parse()'s callbacks `line` is still the line of the segment
   * being fed: it only advances once the segment is through. */
  unsigned long line;       /* physical line of the next unread byte */
  int prev_cr;              /* the last byte fed was CR (CRLF is one end) */
  unsigned long row_line;   /* line where the row in progress began */
  unsigned long field_line; /* line where the field in progress began */
  int field_line_valid;

  size_t ncols; /* row width once set, else 0 */

  /* the row being assembled */
  size_t nfields;  /* fields seen, stored or not */
  size_t rowbytes; /* their total length */
  char *rowbuf;    /* stored fields, each NUL-terminated */
  size_t rowlen, rowcap;
  size_t *foff, *flen; /* cfg.max_fields entries */
  int row_ready;
};

int csvread_fail(struct csvread *cr, int code, unsigned long line, const char *fmt, ...) {
  va_list ap;
  int n;
  if (cr->status) return cr->status;
  cr->status = code;
  if (line)
    n = snprintf(cr->errmsg, sizeof cr->errmsg, "%s:%lu: ", cr->cfg.name, line);
  else
    n = snprintf(cr->errmsg, sizeof cr->errmsg, "%s: ", cr->cfg.name);
  if (n < 0 || (size_t)n >= sizeof cr->errmsg) return code;
  va_start(ap, fmt);
  vsnprintf(cr->errmsg + n, sizeof cr->errmsg - (size_t)n, fmt, ap);
  va_end(ap);
  return code;
}

int csvread_status(const struct csvread *cr) {
  return cr->status;
}

int csvread_errmsg(const struct csvread *cr, char *err, size_t errlen) {
  if (err && errlen) snprintf(err, errlen, "%s", cr->errmsg);
  return cr->status;
}

/* A problem found here: the client words it, or the default text does. */
static void problem(struct csvread *cr, enum csvread_problem what, int code,
                    unsigned long line, size_t col) {
  if (cr->status) return;
  if (cr->cfg.problem) cr->cfg.problem(cr->cfg.ctx, cr, what, code, line, col);
  if (cr->status) return;
  switch (what) {
  case CSVREAD_FIELD_TOO_LONG:
    csvread_fail(cr, code, line, "field %zu longer than %zu bytes", col + 1, cr->cfg.field_max);
    break;
  case CSVREAD_ROW_TOO_LONG:
    csvread_fail(cr, code, line, "row longer than %zu bytes", cr->cfg.row_max);
    break;
  case CSVREAD_AFTER_QUOTE:
    csvread_fail(cr, code, line, "field %zu: CSV syntax error: character after a closing quote",
                 col + 1);
    break;
  case CSVREAD_STRAY_QUOTE:
    csvread_fail(cr, code, line, "field %zu: CSV syntax error: quote inside an unquoted field",
                 col + 1);
    break;
  case CSVREAD_UNCLOSED:
    csvread_fail(cr, code, line,
                 "CSV syntax error: quoted field never closed (runs to the end of the file)");
    break;
  case CSVREAD_NUL:
    csvread_fail(cr, code, line, "field %zu: NUL byte in the data", col + 1);
    break;
  case CSVREAD_PARSER_NOMEM:
  case CSVREAD_ROW_NOMEM:
  default:
    csvread_fail(cr, code, line, "out of memory");
    break;
  }
}

/* Fields of the current row that are stored: the row width once known. */
static size_t store_limit(const struct csvread *cr) {
  return cr->ncols ? cr->ncols : cr->cfg.max_fields;
}

/* Spaces are data (RFC 4180); libcsv would otherwise trim spaces and tabs
 * around unquoted fields and accept them around quoted ones. */
static int no_space(unsigned char c) {
  (void)c;
  return 0;
}

/* libcsv field callback: check the field and append it to the row. */
static void on_field(void *data, size_t len, void *ctx) {
  struct csvread *cr = ctx;
  struct csvread_field f;

  f.col = cr->nfields++;
  f.data = data;
  f.len = len;
  f.line = cr->field_line_valid ? cr->field_line : cr->line;
  f.stored = f.col < store_limit(cr);
  cr->field_line_valid = 0;
  if (cr->status) return;
  cr->rowbytes += len;
  if (len > cr->cfg.field_max) {
    problem(cr, CSVREAD_FIELD_TOO_LONG, -EINVAL, f.line, f.col);
    return;
  }
  if (cr->cfg.row_max && cr->rowbytes > cr->cfg.row_max) {
    problem(cr, CSVREAD_ROW_TOO_LONG, -EINVAL, cr->row_line, f.col);
    return;
  }
  if (cr->cfg.field) {
    int r = cr->cfg.field(cr->cfg.ctx, cr, &f);
    if (r < 0) {
      csvread_fail(cr, r, f.line, "field %zu rejected", f.col + 1);
      return;
    }
  }
  if (!f.stored) return; /* counted only: the caller judges the width */
  if (cr->rowlen + len + 1 > cr->rowcap) {
    size_t cap = cr->rowcap ? cr->rowcap : 4096;
    char *nb;
    while (cap < cr->rowlen + len + 1) cap *= 2;
    /* Never more than a full row can need (the caps bound rowlen). */
    if (cr->cfg.row_max && cap > cr->cfg.row_max + cr->cfg.max_fields)
      cap = cr->cfg.row_max + cr->cfg.max_fields;
    nb = realloc(cr->rowbuf, cap);
    if (!nb) {
      problem(cr, CSVREAD_ROW_NOMEM, -ENOMEM, cr->line, f.col);
      return;
    }
    cr->rowbuf = nb;
    cr->rowcap = cap;
  }
  if (len) memcpy(cr->rowbuf + cr->rowlen, data, len);
  cr->rowbuf[cr->rowlen + len] = '\0';
  cr->foff[f.col] = cr->rowlen;
  cr->flen[f.col] = len;
  cr->rowlen += len + 1;
}

static void on_row(int c, void *ctx) {
  struct csvread *cr = ctx;
  (void)c;
  cr->row_ready = 1;
}

static void row_reset(struct csvread *cr) {
  cr->nfields = 0;
  cr->rowbytes = 0;
  cr->rowlen = 0;
  cr->row_ready = 0;
}

/* A row that is one field of nothing but spaces and tabs: a blank line. */
static int row_blank(const struct csvread *cr) {
  if (cr->nfields != 1 || store_limit(cr) == 0) return 0;
  for (size_t i = 0; i < cr->flen[0]; i++) {
    char c = cr->rowbuf[cr->foff[0] + i];
    if (c != ' ' && c != '\t') return 0;
  }
  return 1;
}

/* csv_parse() stopped early: say why, where. */
static void parse_error(struct csvread *cr) {
  if (csv_error(&cr->p) == CSV_ENOMEM || csv_error(&cr->p) == CSV_ETOOBIG)
    problem(cr, CSVREAD_PARSER_NOMEM, -ENOMEM, cr->line, cr->nfields);
  else if (cr->p.pstate == PS_FIELD_MIGHT_HAVE_ENDED)
    problem(cr, CSVREAD_AFTER_QUOTE, -EINVAL, cr->line, cr->nfields);
  else
    problem(cr, CSVREAD_STRAY_QUOTE, -EINVAL, cr->line, cr->nfields);
}

/* Feed the next segment of the chunk to libcsv. */
static void feed_segment(struct csvread *cr) {
  const unsigned char *s = cr->chunk + cr->cpos, *hit;
  size_t avail = cr->clen - cr->cpos, j, seglen;
  unsigned long seg_line = cr->line;
  int nul = 0;

  /* The first CR, LF or (when refused) NUL: memchr per byte beats a byte
   * loop on long rows; CR and NUL are rare. */
  hit = memchr(s, '\n', avail);
  j = hit ? (size_t)(hit - s) : avail;
  hit = memchr(s, '\r', j);
  if (hit) j = (size_t)(hit - s);
  if (cr->cfg.nul_is_error && (hit = memchr(s, '\0', j)) != NULL) {
    j = (size_t)(hit - s);
    nul = 1;
  }
  seglen = nul ? j : (j < avail ? j + 1 : avail);

  if (cr->p.pstate == PS_ROW_NOT_BEGUN) cr->row_line = cr->line;
  if (seglen) {
    size_t used = csv_parse(&cr->p, s, seglen, on_field, on_row, cr);
    unsigned char last = s[seglen - 1];
    if (cr->status) return;
    if (used < seglen) {
      parse_error(cr);
      return;
    }
    if (seglen > 1) cr->prev_cr = 0;
    if (last == '\r') {
      cr->line++;
      cr->prev_cr = 1;
    } else if (last == '\n') {
      if (!cr->prev_cr) cr->line++;
      cr->prev_cr = 0;
    } else {
      cr->prev_cr = 0;
    }
    cr->cpos += seglen;
    if ((cr->p.pstate == PS_FIELD_BEGUN || cr->p.pstate == PS_FIELD_MIGHT_HAVE_ENDED) &&
        !cr->field_line_valid) {
      cr->field_line = seg_line;
      cr->field_line_valid = 1;
    }
    /* +1: a quoted field's closing quote sits in the buffer until the
     * next byte shows it was not a doubled quote. */
    if (cr->p.entry_pos > cr->cfg.field_max + 1) {
      problem(cr, CSVREAD_FIELD_TOO_LONG, -EINVAL, cr->field_line, cr->nfields);
      return;
    }
  }
  if (nul) problem(cr, CSVREAD_NUL, -EINVAL, cr->line, cr->nfields);
}

/* End of input: let libcsv submit a last row without a line end, or
 * report a quoted field that never closed. */
static void finish(struct csvread *cr) {
  cr->done = 1;
  if (csv_fini(&cr->p, on_field, on_row, cr) != 0 && !cr->status)
    problem(cr, CSVREAD_UNCLOSED, -EINVAL,
            cr->field_line_valid ? cr->field_line : cr->line, cr->nfields);
}

/* Read the next chunk.  0, or -EAGAIN (nothing to read yet: not an
 * error, the caller comes back). */
static int read_chunk(struct csvread *cr) {
  static const char bom[] = "\xef\xbb\xbf";
  size_t have = cr->pending;
  ssize_t n = cr->cfg.read(cr->cfg.ctx, cr, cr->chunk + have, CSVREAD_CHUNK - have);
  if (n == -EAGAIN) return -EAGAIN;
  if (n < 0) {
    csvread_fail(cr, (int)n, cr->line, "read error");
    return 0;
  }
  if (n == 0 && !have) {
    cr->eof = 1;
    return 0;
  }
  cr->clen = have + (size_t)n;
  cr->cpos = 0;
  cr->pending = 0;
  if (!cr->started) {
    /* A pipe can deliver the first bytes one at a time: while they could
     * still be the start of a BOM, keep them and read on. */
    if (n > 0 && cr->clen < 3 && !memcmp(cr->chunk, bom, cr->clen)) {
      cr->pending = cr->clen;
      cr->clen = 0;
      return 0;
    }
    cr->started = 1;
    if (cr->clen >= 3 && !memcmp(cr->chunk, bom, 3)) cr->cpos = 3;
  }
  return 0;
}

/* Assemble the next non-blank row.  1 row ready, 0 end of input, <0 error. */
static int read_row(struct csvread *cr) {
  if (!cr->resume) row_reset(cr);
  cr->resume = 0;
  for (;;) {
    if (cr->status) return cr->status;
    if (cr->row_ready) {
      if (!row_blank(cr)) return 1;
      row_reset(cr);
      continue;
    }
    if (cr->done) return 0;
    if (cr->cpos < cr->clen) {
      feed_segment(cr);
      continue;
    }
    if (cr->eof) {
      finish(cr);
      continue;
    }
    if (read_chunk(cr) == -EAGAIN) {
      cr->resume = 1;
      return -EAGAIN;
    }
  }
}

int csvread_next(struct csvread *cr) {
  int r;
  if (cr->status) return cr->status;
  r = read_row(cr);
  if (r != 1) return r; /* also -EAGAIN, which is not sticky */
  if (cr->ncols && cr->nfields != cr->ncols)
    return csvread_fail(cr, -EINVAL, cr->row_line, "%zu field%s, header has %zu",
                        cr->nfields, cr->nfields == 1 ? "" : "s", cr->ncols);
  return 1;
}

int csvread_new(struct csvread **out, const struct csvread_config *cfg) {
  struct csvread *cr;

  *out = NULL;
  if (!cfg->read || !cfg->name || cfg->max_fields == 0) return -EINVAL;
  cr = calloc(1, sizeof *cr);
  if (!cr) return -ENOMEM;
  cr->cfg = *cfg;
  cr->cfg.name = strdup(cfg->name);
  cr->chunk = malloc(CSVREAD_CHUNK);
  cr->foff = calloc(cfg->max_fields, sizeof *cr->foff);
  cr->flen = calloc(cfg->max_fields, sizeof *cr->flen);
  if (!cr->cfg.name || !cr->chunk || !cr->foff || !cr->flen ||
      csv_init(&cr->p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    csvread_free(cr);
    return -ENOMEM;
  }
  cr->p_ready = 1;
  csv_set_space_func(&cr->p, no_space);
  csv_set_blk_size(&cr->p, CSV_BLK);
  cr->line = 1;
  *out = cr;
  return 0;
}

void csvread_free(struct csvread *cr) {
  if (!cr) return;
  if (cr->p_ready) csv_free(&cr->p);
  free((char *)cr->cfg.name);
  free(cr->chunk);
  free(cr->rowbuf);
  free(cr->foff);
  free(cr->flen);
  free(cr);
}

void csvread_set_ncols(struct csvread *cr, size_t ncols) {
  cr->ncols = ncols < cr->cfg.max_fields ? ncols : cr->cfg.max_fields;
}

size_t csvread_nfields(const struct csvread *cr) {
  return cr->nfields;
}

const char *csvread_field(const struct csvread *cr, size_t i) {
  return cr->rowbuf + cr->foff[i];
}

const size_t *csvread_lens(const struct csvread *cr) {
  return cr->flen;
}

char **csvread_row_dup(const struct csvread *cr) {
  size_t n = cr->nfields < store_limit(cr) ? cr->nfields : store_limit(cr);
  char **v = malloc(n * sizeof *v + (cr->rowlen ? cr->rowlen : 1));
  char *bytes;
  if (!v) return NULL;
  bytes = (char *)(v + n);
  if (cr->rowlen) memcpy(bytes, cr->rowbuf, cr->rowlen);
  for (size_t i = 0; i < n; i++) v[i] = bytes + cr->foff[i];
  return v;
}

unsigned long csvread_row_line(const struct csvread *cr) {
  return cr->row_line;
}

unsigned long csvread_line(const struct csvread *cr) {
  return cr->line;
}

int csvread_in_row(const struct csvread *cr) {
  return cr->p.pstate != PS_ROW_NOT_BEGUN;
}

const char *csvread_name(const struct csvread *cr) {
  return cr->cfg.name;
}
