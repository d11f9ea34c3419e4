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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include <zlib.h>

#include "csvread.h"

#define GZ_BUFFER (128 * 1024) /* zlib's input buffer: fewer, larger reads */
#define COLUMNS_MAX 1024 /* header columns, at most (13 fixed + inventory's) */

struct reportread {
  gzFile gz;
  struct csvread *cr;
  unsigned long ret_line; /* line of the row last returned */
  size_t ncols;
  char **names;       /* header; one allocation (csvread_row_dup) */
  const char **fptr;  /* ncols pointers to the fields of the row returned */
  int in_quotes;      /* the bytes read so far end inside a quoted field */
};

/* csvread read callback: gzread(), which also reads plain files. */
static ssize_t gz_read(void *ctx, struct csvread *cr, void *buf, size_t size) {
  struct reportread *r = ctx;
  int n, zerr = Z_OK, e;
  const char *zmsg;

  errno = 0;
  n = gzread(r->gz, buf, (unsigned)size);
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
  int rc = csvread_next(r->cr);
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
  free(r);
}
