/*
 * cmdutil.c - what the commands share (contract in cmdutil.h).
 */
#include "cmdutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "err.h"
#include "extsort.h"
#include "report.h"
#include "cell.h"
#include "reportread.h"

static void vmsg(const char *cmd, const char *fmt, va_list ap) {
  fprintf(stderr, "ptraudit %s: ", cmd);
  vfprintf(stderr, fmt, ap);
}

void cmd_msg(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmsg(cmd, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmsg(cmd, fmt, ap);
  va_end(ap);
  fputs("\n\n", stderr);
  fputs(usage, stderr);
  return EXIT_USAGE;
}

int cmd_sort_report(const char *cmd, struct reportread *rr, struct extsort *es,
                    int allow_truncated, uint64_t *rows, int *truncated) {
  char err[1024];
  const char *const *f;
  const size_t *l;
  int rc;

  while ((rc = reportread_next(rr, &f, &l, err, sizeof err)) == 1) {
    (*rows)++;
    if (extsort_add(es, f, l, err, sizeof err) < 0) {
      cmd_msg(cmd, "%s", err);
      return EXIT_RUNTIME;
    }
  }
  if (rc == UV_EOF && allow_truncated) {
    cmd_msg(cmd, "warning: %s", err); /* even with -q: the result is partial */
    *truncated = 1;
    return EXIT_CLEAN;
  }
  if (rc < 0) {
    cmd_msg(cmd, "%s", err);
    if (rc == UV_EOF) cmd_msg(cmd, "(--allow-truncated uses the complete rows of a cut report)");
    return rc == UV_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
  }
  return EXIT_CLEAN;
}

int cmd_rowcopy_init(struct cmd_rowcopy *rc, size_t n) {
  rc->n = n;
  rc->f = calloc(n ? n : 1, sizeof *rc->f);
  rc->l = calloc(n ? n : 1, sizeof *rc->l);
  return rc->f && rc->l ? 0 : UV_ENOMEM;
}

int cmd_rowcopy_write(struct cmd_rowcopy *rc, struct report *rep, const char *const *f,
                      const size_t *l) {
  size_t total = 0, off = 0;
  for (size_t i = 0; i < rc->n; i++) total += l[i];
  if (total > rc->cap || !rc->buf) { /* never NULL + offset, even for empty cells */
    size_t cap = rc->cap ? rc->cap : 4096;
    char *nb;
    while (cap < total) cap *= 2;
    nb = realloc(rc->buf, cap);
    if (!nb) return UV_ENOMEM;
    rc->buf = nb;
    rc->cap = cap;
  }
  for (size_t i = 0; i < rc->n; i++) {
    rc->f[i] = rc->buf + off;
    rc->l[i] = cell_unescape(rc->buf + off, f[i] ? f[i] : "", l[i]);
    off += l[i];
  }
  return report_write_fields(rep, rc->f, rc->l, rc->n);
}

void cmd_rowcopy_free(struct cmd_rowcopy *rc) {
  free(rc->buf);
  free(rc->f);
  free(rc->l);
  rc->buf = NULL;
  rc->f = NULL;
  rc->l = NULL;
  rc->cap = rc->n = 0;
}

/* The pure layers' end-of-input code must be libuv's, which the CLI compares
 * it with (err.h). */
_Static_assert(ERR_EOF == UV_EOF, "ERR_EOF must equal UV_EOF");
