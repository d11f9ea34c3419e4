/* SPDX-License-Identifier: MIT */
/*
 * reportread.c - stream a report back in (contract in reportread.h).
 *
 * csvread.c reads the CSV (strict syntax, line numbers, BOM, blank lines,
 * the field cap, ragged rows); this file opens the file, feeds csvread
 * from gzread() and takes the header.
 *
 * zlib quirks that matter here:
 *   - gzread() reads concatenated gzip members as one stream, and plain
 *     (non-gzip) input transparently;
 *   - input cut short inside a member is not an error for gzread(): it
 *     returns what could be inflated and leaves Z_BUF_ERROR ("unexpected
 *     end of file") in gzerror().  So the end of input is checked for it,
 *     and the row in progress at that point (cut at an arbitrary byte) is
 *     dropped instead of being handed to csv_fini();
 *   - corrupt data makes gzread() return -1 with Z_DATA_ERROR.
 */
#include "reportread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include <zlib.h>

#include "cell.h"
#include "csvread.h"
#include "jsonlread.h"

#define GZ_BUFFER (128 * 1024) /* zlib's input buffer: fewer, larger reads */
#define COLUMNS_MAX 1024 /* header columns, at most (13 fixed + inventory's) */
#define CHUNK (64 * 1024)  /* bytes read at a time; the first chunk decides the format */
#define JSON_LINE_MAX (4u * 1024u * 1024u) /* bytes per JSON line, at most */

struct reportread {
  gzFile gz;
  struct csvread *cr;
  unsigned long ret_line; /* line of the row last returned */
  size_t ncols;
  char **names;       /* header; one allocation (csvread_row_dup) */
  const char **fptr;  /* ncols pointers to the fields of the row returned */
  int in_quotes;      /* the bytes read so far end inside a quoted field */
  char *chunk;        /* read buffer: the first chunk (format detection), then JSON's */
  size_t chunk_len, chunk_pos;
  int json;           /* JSON lines (else CSV) */
  /* JSON lines */
  char *line;                    /* the line in progress */
  size_t line_len, line_cap;
  unsigned long line_no;         /* physical lines read */
  int at_end;                    /* gzread said the end (or an error) */
  char *out, *scratch;           /* jsonlread's buffers, grown to the longest line */
  size_t out_cap;
  struct jsonlread_member *mem;  /* COLUMNS_MAX members */
  size_t *lens;                  /* ncols lengths of the row returned */
  int status;                    /* sticky error (JSON) */
  int first_pending;             /* the first row is parsed, not yet returned */
  char msg[600];
};

/* csvread read callback: gzread(), which also reads plain files. */
static ssize_t gz_read(void *ctx, struct csvread *cr, void *buf, size_t size) {
  struct reportread *r = ctx;
  int n, zerr = Z_OK, e;
  const char *zmsg;

  errno = 0;
  if (r->chunk_pos < r->chunk_len) { /* the first chunk, read to detect the format */
    n = (int)(r->chunk_len - r->chunk_pos < size ? r->chunk_len - r->chunk_pos : size);
    memcpy(buf, r->chunk + r->chunk_pos, (size_t)n);
    r->chunk_pos += (size_t)n;
  } else {
    n = gzread(r->gz, buf, (unsigned)size);
  }
  if (n > 0) {
    /* Quote parity: odd means the input so far ends inside a quoted
     * field ("" inside one counts twice; a stray quote is an error
     * anyway in strict CSV). */
    const char *p = buf, *end = (const char *)buf + n;
    while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
      r->in_quotes ^= 1;
      p++;
    }
    return n;
  }
  e = errno;
  zmsg = gzerror(r->gz, &zerr);
  if (n == 0) {
    if (zerr != Z_BUF_ERROR) {
      /* The end, other errors surface as -1.  A last row without a line
       * end is a row cut short (a write that failed half-way, a copy
       * that stopped): its last field may be a prefix of the real one
       * ("2026-1"), so it is the same ERR_EOF as a gzip cut, accepted
       * only where the caller accepts truncated input. */
      /* Inside a quoted field: csv_fini() says "never closed". */
      if (!csvread_in_row(cr) || r->in_quotes) return 0;
      return csvread_fail(cr, ERR_EOF, csvread_row_line(cr),
                          "last row has no line end (cut short?): every complete row before "
                          "this line was read");
    }
    /* Cut inside a gzip member: whatever row was in progress is a
     * fragment.  Complete rows before it were already returned. */
    return csvread_fail(cr, ERR_EOF, csvread_in_row(cr) ? csvread_row_line(cr) : csvread_line(cr),
                        "gzip data cut short (unexpected end of file; an unfinished or killed "
                        "run?): every complete row before this line was read");
  }
  if (zerr == Z_ERRNO)
    return csvread_fail(cr, e ? err_from_errno(e) : -EIO, csvread_line(cr),
                        "read error: %s", e ? strerror(e) : "I/O error");
  if (zerr == Z_MEM_ERROR) return csvread_fail(cr, -ENOMEM, csvread_line(cr), "out of memory");
  {
    /* gzerror() prefixes the name given to gzdopen(), "<fd:N>: " */
    const char *c = zmsg && !strncmp(zmsg, "<fd:", 4) ? strstr(zmsg, ": ") : NULL;
    return csvread_fail(cr, -EINVAL, csvread_line(cr), "corrupt gzip data (%s)",
                        c ? c + 2 : zmsg ? zmsg : "zlib error");
  }
}


/* ---- JSON lines ------------------------------------------------------------ */

/* Fail the JSON reader: sticky status and "NAME:LINE: text". */
static int jfail(struct reportread *r, int code, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int jfail(struct reportread *r, int code, unsigned long line, const char *fmt, ...) {
  va_list ap;
  if (r->status) return r->status;
  int n = line ? snprintf(r->msg, sizeof r->msg, "%s:%lu: ", csvread_name(r->cr), line)
               : snprintf(r->msg, sizeof r->msg, "%s: ", csvread_name(r->cr));
  va_start(ap, fmt);
  if (n >= 0 && (size_t)n < sizeof r->msg) vsnprintf(r->msg + n, sizeof r->msg - (size_t)n, fmt, ap);
  va_end(ap);
  r->status = code;
  return code;
}

/* Refill the chunk.  >0 bytes, 0 the end, <0 error (sticky). */
static int jfill(struct reportread *r) {
  int zerr = Z_OK, e;
  errno = 0;
  int n = gzread(r->gz, r->chunk, CHUNK);
  if (n > 0) {
    r->chunk_len = (size_t)n;
    r->chunk_pos = 0;
    return n;
  }
  e = errno;
  const char *zmsg = gzerror(r->gz, &zerr);
  if (n == 0 && zerr != Z_BUF_ERROR) return 0;
  if (n == 0)
    return jfail(r, ERR_EOF, r->line_no + 1,
                 "gzip data cut short (unexpected end of file; an unfinished or killed "
                 "run?): every complete row before this line was read");
  if (zerr == Z_ERRNO)
    return jfail(r, e ? err_from_errno(e) : -EIO, r->line_no + 1, "read error: %s",
                 e ? strerror(e) : "I/O error");
  if (zerr == Z_MEM_ERROR) return jfail(r, -ENOMEM, r->line_no + 1, "out of memory");
  const char *c = zmsg && !strncmp(zmsg, "<fd:", 4) ? strstr(zmsg, ": ") : NULL;
  return jfail(r, -EINVAL, r->line_no + 1, "corrupt gzip data (%s)",
               c ? c + 2 : zmsg ? zmsg : "zlib error");
}

/* The next physical line into r->line (without its line end).  1, 0 at
 * the end, <0 error.  A last line without a line end is ERR_EOF unless it
 * is blank. */
static int jline(struct reportread *r) {
  r->line_len = 0;
  for (;;) {
    if (r->chunk_pos >= r->chunk_len) {
      int n = r->at_end ? 0 : jfill(r);
      if (n < 0) return n;
      if (n == 0) {
        r->at_end = 1;
        size_t k = 0;
        while (k < r->line_len && strchr(" \t\r", r->line[k])) k++;
        if (k == r->line_len) return 0;
        return jfail(r, ERR_EOF, r->line_no + 1,
                     "last row has no line end (cut short?): every complete row before this "
                     "line was read");
      }
    }
    const char *p = r->chunk + r->chunk_pos;
    size_t avail = r->chunk_len - r->chunk_pos;
    const char *nl = memchr(p, '\n', avail);
    size_t take = nl ? (size_t)(nl - p) : avail;
    if (r->line_len + take > JSON_LINE_MAX)
      return jfail(r, -EINVAL, r->line_no + 1, "line longer than %u bytes", JSON_LINE_MAX);
    if (r->line_len + take + 1 > r->line_cap) {
      size_t cap = (r->line_len + take + 1) * 2;
      char *nb = realloc(r->line, cap);
      if (!nb) return jfail(r, -ENOMEM, r->line_no + 1, "out of memory");
      r->line = nb;
      r->line_cap = cap;
    }
    memcpy(r->line + r->line_len, p, take);
    r->line_len += take;
    r->chunk_pos += take + (nl ? 1 : 0);
    if (nl) {
      r->line_no++;
      if (r->line_len && r->line[r->line_len - 1] == '\r') r->line_len--;
      return 1;
    }
  }
}

/* Read and parse the next non-blank line.  1 with r->mem[0..*n), 0, <0. */
static int jparse_next(struct reportread *r, size_t *n) {
  char err[300];
  for (;;) {
    int rc = jline(r);
    if (rc <= 0) return rc;
    size_t k = 0;
    /* A UTF-8 BOM at the very start (a file saved by an editor). */
    if (r->line_no == 1 && r->line_len >= 3 && !memcmp(r->line, "\xef\xbb\xbf", 3)) k = 3;
    while (k < r->line_len && strchr(" \t", r->line[k])) k++;
    if (k == r->line_len) continue;
    size_t need = JSONLREAD_OUT_MAX(r->line_len, COLUMNS_MAX);
    if (need > r->out_cap) {
      char *o = realloc(r->out, need), *sc = o ? realloc(r->scratch, r->line_len + 1) : NULL;
      if (o) r->out = o;
      if (sc) r->scratch = sc;
      if (!o || !sc) return jfail(r, -ENOMEM, r->line_no, "out of memory");
      r->out_cap = need;
    }
    rc = jsonlread_parse(r->line + k, r->line_len - k, r->out, r->out_cap, r->scratch, r->mem,
                         COLUMNS_MAX, n, err, sizeof err);
    if (rc < 0) return jfail(r, -EINVAL, r->line_no, "%s", err);
    r->ret_line = r->line_no;
    return 1;
  }
}

/* The first object's keys become the header; its row is returned first. */
static int jtake_header(struct reportread *r, size_t n) {
  size_t bytes = 0;
  if (!n) return jfail(r, -EINVAL, r->line_no, "the first object has no fields");
  for (size_t i = 0; i < n; i++) bytes += r->mem[i].key_len + 1;
  r->names = malloc(n * sizeof *r->names + bytes);
  r->fptr = calloc(n, sizeof *r->fptr);
  r->lens = calloc(n, sizeof *r->lens);
  if (!r->names || !r->fptr || !r->lens) return jfail(r, -ENOMEM, 0, "out of memory");
  char *p = (char *)(r->names + n);
  for (size_t i = 0; i < n; i++) {
    memcpy(p, r->out + r->mem[i].key, r->mem[i].key_len + 1);
    r->names[i] = p;
    p += r->mem[i].key_len + 1;
  }
  r->ncols = n;
  return 0;
}

/* Fields of the parsed row in header order. */
static int jrow(struct reportread *r, size_t n) {
  for (size_t c = 0; c < r->ncols; c++) r->fptr[c] = NULL;
  for (size_t k = 0; k < n; k++) {
    const char *key = r->out + r->mem[k].key;
    size_t c = k;
    if (c >= r->ncols || strcmp(r->names[c], key)) {
      for (c = 0; c < r->ncols && (r->fptr[c] || strcmp(r->names[c], key)); c++) {
      }
      if (c == r->ncols) {
        char shown[200];
        cell_show(shown, sizeof shown, key, strlen(key));
        return jfail(r, -EINVAL, r->line_no, "field '%s' is not in the first line's fields "
                     "(every line of a report has the same fields)", shown);
      }
    }
    r->fptr[c] = r->out + r->mem[k].val;
    r->lens[c] = r->mem[k].val_len;
  }
  for (size_t c = 0; c < r->ncols; c++)
    if (!r->fptr[c])
      return jfail(r, -EINVAL, r->line_no, "field '%.64s' is missing (the first line has it)",
                   r->names[c]);
  return 1;
}

static int jopen(struct reportread *r) {
  size_t n;
  r->json = 1;
  r->mem = calloc(COLUMNS_MAX, sizeof *r->mem);
  if (!r->mem) return jfail(r, -ENOMEM, 0, "out of memory");
  int rc = jparse_next(r, &n);
  if (rc == 0) return jfail(r, -EINVAL, 0, "empty file: no rows");
  if (rc < 0) return rc;
  if ((rc = jtake_header(r, n)) < 0) return rc;
  rc = jrow(r, n);
  if (rc < 0) return rc;
  r->first_pending = 1; /* the first reportread_next() returns this row */
  return 0;
}

/* The first chunk: is it JSON lines?  (First byte after a BOM and white
 * space is '{'; a CSV header cannot start with it unquoted.) */
static int looks_json(const char *p, size_t n) {
  size_t k = n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3) ? 3 : 0;
  while (k < n && strchr(" \t\r\n", p[k]) && p[k]) k++;
  return k < n && p[k] == '{';
}

static int take_header(struct reportread *r) {
  struct csvread *cr = r->cr;
  size_t n = csvread_nfields(cr);
  if (n > COLUMNS_MAX)
    return csvread_fail(cr, -EINVAL, csvread_row_line(cr),
                        "header has %zu columns, more than %d", n, COLUMNS_MAX);
  r->ncols = n;
  r->names = csvread_row_dup(cr);
  /* Rows are stored up to ncols fields; extra ones are only counted. */
  r->fptr = calloc(n, sizeof *r->fptr);
  if (!r->names || !r->fptr) return csvread_fail(cr, -ENOMEM, 0, "out of memory");
  csvread_set_ncols(cr, n);
  r->ret_line = csvread_row_line(cr);
  return 0;
}

int reportread_open(struct reportread **out, const char *path, char *err, size_t errlen) {
  struct reportread *r;
  int fd, rc;
  const char *name = path ? path : "-";
  struct csvread_config cfg = {
    .name = strcmp(name, "-") ? name : "stdin",
    .field_max = REPORTREAD_FIELD_MAX,
    .max_fields = COLUMNS_MAX,
    .read = gz_read,
  };

  *out = NULL;
  r = calloc(1, sizeof *r);
  if (!r) goto nomem;
  cfg.ctx = r;
  if (csvread_new(&r->cr, &cfg) < 0) goto nomem;

  if (!strcmp(name, "-")) {
    fd = dup(0);
  } else {
    fd = open(name, O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) {
    int e = errno;
    rc = csvread_fail(r->cr, err_from_errno(e), 0, "cannot open: %s", strerror(e));
    goto fail;
  }
  {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      close(fd);
      rc = csvread_fail(r->cr, -EISDIR, 0, "cannot read: is a directory");
      goto fail;
    }
  }
  r->gz = gzdopen(fd, "rb");
  if (!r->gz) {
    close(fd);
    goto nomem;
  }
  gzbuffer(r->gz, GZ_BUFFER);

  if (!(r->chunk = malloc(CHUNK))) goto nomem;
  rc = jfill(r);
  if (rc < 0) {
    if (err && errlen) snprintf(err, errlen, "%s", r->msg);
    reportread_close(r);
    return rc;
  }
  if (rc > 0 && looks_json(r->chunk, r->chunk_len)) {
    if ((rc = jopen(r)) < 0) {
      if (err && errlen) snprintf(err, errlen, "%s", r->msg);
      reportread_close(r);
      return rc;
    }
    *out = r;
    return 0;
  }

  rc = csvread_next(r->cr);
  if (rc == 0) rc = csvread_fail(r->cr, -EINVAL, 0, "empty file: no header row");
  if (rc == 1) rc = take_header(r);
  if (rc < 0) goto fail;
  *out = r;
  return 0;

nomem:
  if (err && errlen) snprintf(err, errlen, "%s: out of memory", name);
  reportread_close(r);
  return -ENOMEM;
fail:
  csvread_errmsg(r->cr, err, errlen);
  reportread_close(r);
  return rc;
}

size_t reportread_ncols(const struct reportread *r) {
  return r->ncols;
}

const char *reportread_colname(const struct reportread *r, size_t i) {
  return i < r->ncols ? r->names[i] : NULL;
}

int reportread_col(const struct reportread *r, const char *name) {
  for (size_t i = 0; i < r->ncols; i++)
    if (!strcmp(r->names[i], name)) return (int)i;
  return -1;
}

int reportread_next(struct reportread *r, const char *const **fields, const size_t **lens,
                    char *err, size_t errlen) {
  int rc;
  if (r->json) {
    size_t n;
    if (r->first_pending) {
      r->first_pending = 0;
      rc = 1;
    } else {
      rc = r->status ? r->status : jparse_next(r, &n);
      if (rc > 0) rc = jrow(r, n);
    }
    if (rc < 0 && err && errlen) snprintf(err, errlen, "%s", r->msg);
    if (rc <= 0) return rc;
    if (fields) *fields = r->fptr;
    if (lens) *lens = r->lens;
    return 1;
  }
  rc = csvread_next(r->cr);
  if (rc < 0) return csvread_errmsg(r->cr, err, errlen);
  if (rc == 0) return 0;
  for (size_t i = 0; i < r->ncols; i++) r->fptr[i] = csvread_field(r->cr, i);
  r->ret_line = csvread_row_line(r->cr);
  if (fields) *fields = r->fptr;
  if (lens) *lens = csvread_lens(r->cr);
  return 1;
}

unsigned long reportread_line(const struct reportread *r) {
  return r->ret_line;
}

const char *reportread_path(const struct reportread *r) {
  return csvread_name(r->cr);
}

void reportread_close(struct reportread *r) {
  if (!r) return;
  if (r->gz) gzclose(r->gz);
  csvread_free(r->cr);
  free(r->names);
  free(r->fptr);
  free(r->chunk);
  free(r->line);
  free(r->out);
  free(r->scratch);
  free(r->mem);
  free(r->lens);
  free(r);
}
