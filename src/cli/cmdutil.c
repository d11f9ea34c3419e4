/*
 * cmdutil.c - what the commands share (contract in cmdutil.h).
 */
#include "cmdutil.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "err.h"
#include "extsort.h"
#include "report.h"
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

/* Fold ".", ".." and "//" out of an absolute path, in place. */
static void fold(char *p) {
  char *out = p, *in = p;
  while (*in) {
    while (*in == '/') in++;
    if (!*in) break;
    char *seg = in;
    while (*in && *in != '/') in++;
    size_t n = (size_t)(in - seg);
    if (n == 1 && seg[0] == '.') continue;
    if (n == 2 && seg[0] == '.' && seg[1] == '.') {
      while (out > p && *--out != '/') {}
      continue;
    }
    *out++ = '/';
    memmove(out, seg, n);
    out += n;
  }
  if (out == p) *out++ = '/';
  *out = '\0';
}

/* The normalised absolute form of path (see cmd_same_file) in dst. */
static void abs_form(const char *path, char *dst, size_t size) {
  char tmp[2 * PATH_MAX + 2], cwd[PATH_MAX], real[PATH_MAX];
  if (path[0] == '/') snprintf(tmp, sizeof tmp, "%s", path);
  else snprintf(tmp, sizeof tmp, "%s/%s", getcwd(cwd, sizeof cwd) ? cwd : ".", path);
  fold(tmp);
  /* Resolve the longest existing directory prefix: symlinked directories
   * then compare equal. */
  char *cut = strrchr(tmp, '/');
  while (cut && cut != tmp) {
    *cut = '\0';
    int okp = realpath(tmp, real) != NULL;
    *cut = '/';
    if (okp) {
      snprintf(dst, size, "%s%s", strcmp(real, "/") ? real : "", cut);
      return;
    }
    char *prev = cut;
    *prev = '\0';
    cut = strrchr(tmp, '/');
    *prev = '/';
  }
  snprintf(dst, size, "%s", tmp);
}

int cmd_same_file(const char *a, const char *b) {
  struct stat sa, sb;
  char na[2 * PATH_MAX + 2], nb[2 * PATH_MAX + 2];
  if (!strcmp(a, "-") || !strcmp(b, "-")) return !strcmp(a, b);
  if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  abs_form(a, na, sizeof na);
  abs_form(b, nb, sizeof nb);
  return !strcmp(na, nb);
}

int cmd_refuse_input_output(const char *cmd, const char *what, const char *out,
                            char *const *inputs, int n) {
  if (!strcmp(out, "-")) return 0;
  for (int i = 0; i < n; i++)
    if (strcmp(inputs[i], "-") && cmd_same_file(out, inputs[i])) {
      cmd_msg(cmd, "the %s %s is the same file as the input %s: refusing to overwrite it", what,
              out, inputs[i]);
      return EXIT_USAGE;
    }
  return 0;
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
    rc->l[i] = reportread_unescape(rc->buf + off, f[i] ? f[i] : "", l[i]);
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
