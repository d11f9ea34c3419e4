/*
 * reportread.c - stream a report back in (contract in reportread.h).
 *
 * Same feeding scheme as inventory.c: each chunk from gzread() is cut into
 * segments ending at a line-end byte (CR or LF) or at the chunk's end, one
 * csv_parse() call per segment, so at most one row completes per call and
 * the parser state between calls tells where a row began (its line number
 * survives quoted fields that span lines).  libcsv's field buffer is
 * checked after every segment, which bounds it to the field cap plus one
 * chunk.
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

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include <zlib.h>

#define CHUNK (64 * 1024)
#define GZ_BUFFER (128 * 1024) /* zlib's input buffer: fewer, larger reads */
#define CSV_BLK 4096
#define COLUMNS_MAX 1024 /* header columns, at most (13 fixed + inventory's) */

/* libcsv's parser states (libcsv.c; the struct is public, the names are
 * not). */
#define PS_ROW_NOT_BEGUN 0
#define PS_FIELD_BEGUN 2
#define PS_FIELD_MIGHT_HAVE_ENDED 3

struct reportread {
  gzFile gz;
  char *path;
  struct csv_parser p;
  int p_ready;

  unsigned char *chunk;
  size_t clen, cpos;
  int started; /* first chunk read (BOM checked) */
  int eof;     /* gzread reported the end */
  int done;    /* input finished (csv_fini ran, or truncation found) */

  int status;  /* sticky error */
  char errmsg[512];

  unsigned long line;       /* physical line of the next unread byte */
  int prev_cr;              /* the last byte fed was CR (CRLF is one end) */
  unsigned long row_line;   /* line where the row in progress began */
  unsigned long seg_line;   /* line of the segment being fed */
  unsigned long field_line; /* line where the field in progress began */
  int field_line_valid;
  unsigned long ret_line;   /* line of the row last returned */

  int in_header;
  size_t ncols;
  char *namebuf;
  char **names;

  /* the row being assembled: fields stored up to `fcap` of them */
  size_t nfields;
  char *rowbuf;
  size_t rowlen, rowcap;
  size_t *foff, *flen;
  const char **fptr;
  size_t fcap;
  int row_ready;
};

static int rr_fail(struct reportread *r, int code, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int rr_fail(struct reportread *r, int code, unsigned long line, const char *fmt, ...) {
  va_list ap;
  int n;
  if (r->status) return r->status;
  r->status = code;
  if (line)
    n = snprintf(r->errmsg, sizeof r->errmsg, "%s:%lu: ", r->path, line);
  else
    n = snprintf(r->errmsg, sizeof r->errmsg, "%s: ", r->path);
  if (n < 0 || (size_t)n >= sizeof r->errmsg) return code;
  va_start(ap, fmt);
  vsnprintf(r->errmsg + n, sizeof r->errmsg - (size_t)n, fmt, ap);
  va_end(ap);
  return code;
}

static int copy_err(const struct reportread *r, char *err, size_t errlen) {
  if (err && errlen) snprintf(err, errlen, "%s", r->errmsg);
  return r->status;
}

/* Keep spaces around unquoted fields: a cell is compared byte for byte. */
static int no_space(unsigned char c) {
  (void)c;
  return 0;
}

static void on_field(void *s, size_t len, void *ctx) {
  struct reportread *r = ctx;
  size_t i = r->nfields++;
  if (r->status) return;
  if (len > REPORTREAD_FIELD_MAX) {
    rr_fail(r, UV_EINVAL, r->field_line_valid ? r->field_line : r->seg_line,
            "field %zu longer than %u bytes", i + 1, REPORTREAD_FIELD_MAX);
    return;
  }
  r->field_line_valid = 0;
  if (i >= r->fcap) return; /* counted only: the row is ragged anyway */
  if (r->rowlen + len + 1 > r->rowcap) {
    size_t cap = r->rowcap ? r->rowcap : 4096;
    char *nb;
    while (cap < r->rowlen + len + 1) cap *= 2;
    nb = realloc(r->rowbuf, cap);
    if (!nb) {
      rr_fail(r, UV_ENOMEM, r->seg_line, "out of memory");
      return;
    }
    r->rowbuf = nb;
    r->rowcap = cap;
  }
  if (len) memcpy(r->rowbuf + r->rowlen, s, len);
  r->rowbuf[r->rowlen + len] = '\0';
  r->foff[i] = r->rowlen;
  r->flen[i] = len;
  r->rowlen += len + 1;
}

static void on_row(int c, void *ctx) {
  struct reportread *r = ctx;
  (void)c;
  r->row_ready = 1;
}

static void row_reset(struct reportread *r) {
  r->nfields = 0;
  r->rowlen = 0;
  r->row_ready = 0;
}

/* One field of nothing but spaces and tabs: a blank line. */
static int row_blank(const struct reportread *r) {
  if (r->nfields != 1 || r->fcap == 0) return 0;
  for (size_t i = 0; i < r->flen[0]; i++) {
    char c = r->rowbuf[r->foff[0] + i];
    if (c != ' ' && c != '\t') return 0;
  }
  return 1;
}

static void parse_error(struct reportread *r) {
  if (csv_error(&r->p) == CSV_ENOMEM || csv_error(&r->p) == CSV_ETOOBIG)
    rr_fail(r, UV_ENOMEM, r->seg_line, "out of memory");
  else if (r->p.pstate == PS_FIELD_MIGHT_HAVE_ENDED)
    rr_fail(r, UV_EINVAL, r->seg_line,
            "field %zu: CSV syntax error: character after a closing quote", r->nfields + 1);
  else
    rr_fail(r, UV_EINVAL, r->seg_line,
            "field %zu: CSV syntax error: quote inside an unquoted field", r->nfields + 1);
}

static void feed_segment(struct reportread *r) {
  const unsigned char *s = r->chunk + r->cpos;
  size_t avail = r->clen - r->cpos, j = 0, seglen;
  const unsigned char *nl;

  /* memchr twice beats a byte loop on long rows; CR is rare. */
  nl = memchr(s, '\n', avail);
  j = nl ? (size_t)(nl - s) : avail;
  nl = memchr(s, '\r', j);
  if (nl) j = (size_t)(nl - s);
  seglen = j < avail ? j + 1 : avail;

  if (r->p.pstate == PS_ROW_NOT_BEGUN) r->row_line = r->line;
  r->seg_line = r->line;
  size_t used = csv_parse(&r->p, s, seglen, on_field, on_row, r);
  unsigned char last = s[seglen - 1];
  if (r->status) return;
  if (used < seglen) {
    parse_error(r);
    return;
  }
  if (seglen > 1) r->prev_cr = 0;
  if (last == '\r') {
    r->line++;
    r->prev_cr = 1;
  } else if (last == '\n') {
    if (!r->prev_cr) r->line++;
    r->prev_cr = 0;
  } else {
    r->prev_cr = 0;
  }
  r->cpos += seglen;
  if ((r->p.pstate == PS_FIELD_BEGUN || r->p.pstate == PS_FIELD_MIGHT_HAVE_ENDED) &&
      !r->field_line_valid) {
    r->field_line = r->seg_line;
    r->field_line_valid = 1;
  }
  /* +1: a quoted field's closing quote sits in libcsv's buffer until the
   * next byte shows it was not a doubled quote. */
  if (r->p.entry_pos > REPORTREAD_FIELD_MAX + 1)
    rr_fail(r, UV_EINVAL, r->field_line, "field %zu longer than %u bytes", r->nfields + 1,
            REPORTREAD_FIELD_MAX);
}

/* End of input (gzread said so). */
static void finish(struct reportread *r) {
  int zerr = Z_OK;
  const char *zmsg = gzerror(r->gz, &zerr);
  r->done = 1;
  if (zerr == Z_BUF_ERROR) {
    /* Cut inside a gzip member: whatever row was in progress is a
     * fragment.  Complete rows before it were already returned. */
    rr_fail(r, UV_EOF, r->p.pstate == PS_ROW_NOT_BEGUN ? r->line : r->row_line,
            "gzip data cut short (unexpected end of file; an unfinished or killed run?): "
            "every complete row before this line was read");
    return;
  }
  (void)zmsg; /* other errors surfaced through gzread() returning -1 */
  r->seg_line = r->line;
  if (csv_fini(&r->p, on_field, on_row, r) != 0 && !r->status)
    rr_fail(r, UV_EINVAL, r->field_line_valid ? r->field_line : r->line,
            "CSV syntax error: quoted field never closed (runs to the end of the file)");
}

static void read_chunk(struct reportread *r) {
  int n;
  errno = 0;
  n = gzread(r->gz, r->chunk, CHUNK);
  if (n < 0) {
    int zerr = Z_OK, e = errno;
    const char *zmsg = gzerror(r->gz, &zerr);
    if (zerr == Z_ERRNO)
      rr_fail(r, e ? uv_translate_sys_error(e) : UV_EIO, r->line, "read error: %s",
              e ? strerror(e) : "I/O error");
    else if (zerr == Z_MEM_ERROR)
      rr_fail(r, UV_ENOMEM, r->line, "out of memory");
    else {
      /* gzerror() prefixes the name given to gzdopen(), "<fd:N>: " */
      const char *c = zmsg && !strncmp(zmsg, "<fd:", 4) ? strstr(zmsg, ": ") : NULL;
      rr_fail(r, UV_EINVAL, r->line, "corrupt gzip data (%s)",
              c ? c + 2 : zmsg ? zmsg : "zlib error");
    }
    return;
  }
  r->clen = (size_t)n;
  r->cpos = 0;
  if (!r->started) {
    r->started = 1;
    if (r->clen >= 3 && !memcmp(r->chunk, "\xef\xbb\xbf", 3)) r->cpos = 3;
  }
  if (n == 0) r->eof = 1;
}

/* Assemble the next non-blank row: 1 ready, 0 end, <0 error. */
static int read_row(struct reportread *r) {
  row_reset(r);
  for (;;) {
    if (r->status) return r->status;
    if (r->row_ready) {
      if (!row_blank(r)) return 1;
      row_reset(r);
      continue;
    }
    if (r->done) return 0;
    if (r->cpos < r->clen) {
      feed_segment(r);
      continue;
    }
    if (r->eof) {
      finish(r);
      continue;
    }
    read_chunk(r);
  }
}

static int grow_fields(struct reportread *r, size_t n) {
  size_t *a = realloc(r->foff, n * sizeof *a);
  if (!a) return UV_ENOMEM;
  r->foff = a;
  a = realloc(r->flen, n * sizeof *a);
  if (!a) return UV_ENOMEM;
  r->flen = a;
  const char **p = realloc(r->fptr, n * sizeof *p);
  if (!p) return UV_ENOMEM;
  r->fptr = p;
  r->fcap = n;
  return 0;
}

static int take_header(struct reportread *r) {
  if (r->nfields > COLUMNS_MAX)
    return rr_fail(r, UV_EINVAL, r->row_line, "header has %zu columns, more than %d",
                   r->nfields, COLUMNS_MAX);
  r->ncols = r->nfields;
  r->namebuf = malloc(r->rowlen ? r->rowlen : 1);
  r->names = calloc(r->ncols, sizeof *r->names);
  if (!r->namebuf || !r->names) return rr_fail(r, UV_ENOMEM, 0, "out of memory");
  memcpy(r->namebuf, r->rowbuf, r->rowlen);
  for (size_t i = 0; i < r->ncols; i++) r->names[i] = r->namebuf + r->foff[i];
  r->ret_line = r->row_line;
  return 0;
}

int reportread_open(struct reportread **out, const char *path, char *err, size_t errlen) {
  struct reportread *r;
  int fd, rc;
  const char *name = path ? path : "-";

  *out = NULL;
  r = calloc(1, sizeof *r);
  if (!r) goto nomem;
  r->path = strdup(strcmp(name, "-") ? name : "stdin");
  r->chunk = malloc(CHUNK);
  if (!r->path || !r->chunk || grow_fields(r, COLUMNS_MAX + 1) < 0) goto nomem;

  if (!strcmp(name, "-")) {
    fd = dup(0);
  } else {
    fd = open(name, O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) {
    int e = errno;
    rc = rr_fail(r, uv_translate_sys_error(e), 0, "cannot open: %s", strerror(e));
    goto fail;
  }
  {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      close(fd);
      rc = rr_fail(r, UV_EISDIR, 0, "cannot read: is a directory");
      goto fail;
    }
  }
  r->gz = gzdopen(fd, "rb");
  if (!r->gz) {
    close(fd);
    goto nomem;
  }
  gzbuffer(r->gz, GZ_BUFFER);

  if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0) goto nomem;
  r->p_ready = 1;
  csv_set_space_func(&r->p, no_space);
  csv_set_blk_size(&r->p, CSV_BLK);
  r->line = 1;
  r->in_header = 1;

  rc = read_row(r);
  if (rc == 0) rc = rr_fail(r, UV_EINVAL, 0, "empty file: no header row");
  if (rc == 1) rc = take_header(r);
  if (rc < 0) goto fail;
  r->in_header = 0;
  /* Rows are stored up to ncols fields; extra ones are only counted. */
  r->fcap = r->ncols;
  *out = r;
  return 0;

nomem:
  if (err && errlen) snprintf(err, errlen, "%s: out of memory", name);
  reportread_close(r);
  return UV_ENOMEM;
fail:
  copy_err(r, err, errlen);
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
  if (r->status) return copy_err(r, err, errlen);
  rc = read_row(r);
  if (rc < 0) return copy_err(r, err, errlen);
  if (rc == 0) return 0;
  if (r->nfields != r->ncols) {
    rr_fail(r, UV_EINVAL, r->row_line, "%zu field%s, header has %zu", r->nfields,
            r->nfields == 1 ? "" : "s", r->ncols);
    return copy_err(r, err, errlen);
  }
  for (size_t i = 0; i < r->ncols; i++) r->fptr[i] = r->rowbuf + r->foff[i];
  r->ret_line = r->row_line;
  if (fields) *fields = r->fptr;
  if (lens) *lens = r->flen;
  return 1;
}

unsigned long reportread_line(const struct reportread *r) {
  return r->ret_line;
}

const char *reportread_path(const struct reportread *r) {
  return r->path;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

size_t reportread_unescape(char *dst, const char *src, size_t len) {
  size_t i = 0, o = 0;
  if (len >= 2 && src[0] == '\'' &&
      (src[1] == '=' || src[1] == '+' || src[1] == '-' || src[1] == '@'))
    i = 1;
  while (i < len) {
    int h, l;
    if (src[i] == '\\' && i + 3 < len && src[i + 1] == 'x' && (h = hexval(src[i + 2])) >= 0 &&
        (l = hexval(src[i + 3])) >= 0) {
      dst[o++] = (char)(h * 16 + l);
      i += 4;
    } else {
      dst[o++] = src[i++];
    }
  }
  return o;
}

void reportread_close(struct reportread *r) {
  if (!r) return;
  if (r->gz) gzclose(r->gz);
  if (r->p_ready) csv_free(&r->p);
  free(r->path);
  free(r->chunk);
  free(r->namebuf);
  free(r->names);
  free(r->rowbuf);
  free(r->foff);
  free(r->flen);
  free(r->fptr);
  free(r);
}
