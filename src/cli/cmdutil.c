/* SPDX-License-Identifier: MIT */
/*
 * cmdutil.c - what the commands share (contract in cmdutil.h).
 */
#include "cmdutil.h"

#include <getopt.h>
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
#include "cell.h"
#include "jsonl.h"
#include "reportread.h"
#include "schema.h"

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
  return PTA_EXIT_USAGE;
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
      return PTA_EXIT_RUNTIME;
    }
  }
  return cmd_report_end(cmd, rc, err, allow_truncated, truncated);
}

int cmd_report_end(const char *cmd, int rc, const char *err, int allow_truncated,
                   int *truncated) {
  if (rc == UV_EOF && allow_truncated) {
    cmd_msg(cmd, "warning: %s", err); /* even with -q: the result is partial */
    *truncated = 1;
    return PTA_EXIT_CLEAN;
  }
  if (rc < 0) {
    cmd_msg(cmd, "%s", err);
    if (rc == UV_EOF) cmd_msg(cmd, "(--allow-truncated uses the complete rows of a cut report)");
    return rc == UV_ENOMEM ? PTA_EXIT_RUNTIME : PTA_EXIT_USAGE;
  }
  return PTA_EXIT_CLEAN;
}

/* ---- shared options ------------------------------------------------------ */

enum { OPT_FORCE = 256, OPT_TRUNC, OPT_SORT_MEM };

/* The shared options: which set bit each belongs to (0: always). */
static const struct {
  unsigned set;
  struct option opt;
} shared_opts[] = {
  {CMD_OPT_OUTPUT, {"output", required_argument, NULL, 'o'}},
  {CMD_OPT_FORCE, {"force", no_argument, NULL, OPT_FORCE}},
  {CMD_OPT_TRUNCATED, {"allow-truncated", no_argument, NULL, OPT_TRUNC}},
  {CMD_OPT_SORT_MEM, {"sort-mem", required_argument, NULL, OPT_SORT_MEM}},
  {CMD_OPT_QUIET, {"quiet", no_argument, NULL, 'q'}},
  {0, {"help", no_argument, NULL, 'h'}},
};
#define NSHARED (sizeof shared_opts / sizeof shared_opts[0])
#define MAX_OWN 16

/* getopt_long's tables for this command: shortopts and longopts. */
static int build_opts(unsigned set, const struct option *own, char *shortopts,
                      struct option *longopts) {
  size_t n = 0, k = 0;
  shortopts[k++] = ':'; /* a missing value is ':', not '?' */
  if (set & CMD_OPT_OUTPUT) shortopts[k++] = 'o', shortopts[k++] = ':';
  if (set & CMD_OPT_QUIET) shortopts[k++] = 'q';
  shortopts[k++] = 'h';
  shortopts[k] = '\0';
  for (size_t i = 0; i < NSHARED; i++)
    if (!shared_opts[i].set || (set & shared_opts[i].set)) longopts[n++] = shared_opts[i].opt;
  for (size_t i = 0; own && own[i].name; i++) {
    if (i >= MAX_OWN) return -1;
    longopts[n++] = own[i];
  }
  longopts[n] = (struct option){NULL, 0, NULL, 0};
  return 0;
}

/* --sort-mem MIB: digits only, CMD_SORT_MEM_MIN..MAX. */
static int parse_sort_mem(const char *cmd, const char *usage, const char *arg,
                          unsigned long *mib) {
  char *end;
  unsigned long v = strtoul(arg, &end, 10);
  if (*arg < '0' || *arg > '9' || *end || v < CMD_SORT_MEM_MIN || v > CMD_SORT_MEM_MAX)
    return cmd_usage_error(cmd, usage, "--sort-mem: '%s' is not a number of MiB from %lu to %lu",
                           arg, CMD_SORT_MEM_MIN, CMD_SORT_MEM_MAX);
  *mib = v;
  return PTA_EXIT_CLEAN;
}

int cmd_parse_opts(int argc, char **argv, const char *cmd, const char *usage, unsigned set,
                   const struct option *own, cmd_own_fn own_fn, void *own_arg,
                   struct cmd_opts *o) {
  char shortopts[8];
  struct option longopts[NSHARED + MAX_OWN + 1];
  int c, st;
  *o = (struct cmd_opts){.sort_mem_mib = CMD_SORT_MEM_DEFAULT};
  if (build_opts(set, own, shortopts, longopts) < 0) return PTA_EXIT_RUNTIME;
  opterr = 0;
  optind = 0; /* GNU: full re-initialisation; argv[0] is the subcommand */
  while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
    switch (c) {
    case 'o': o->output = optarg; break;
    case OPT_FORCE: o->force = 1; break;
    case OPT_TRUNC: o->allow_truncated = 1; break;
    case OPT_SORT_MEM:
      if ((st = parse_sort_mem(cmd, usage, optarg, &o->sort_mem_mib))) return st;
      break;
    case 'q': o->quiet = 1; break;
    case 'h':
      fputs(usage, stdout);
      return fflush(stdout) == 0 ? PTA_EXIT_CLEAN : PTA_EXIT_RUNTIME;
    case ':': return cmd_usage_error(cmd, usage, "%s needs a value", argv[optind - 1]);
    default:
      if (c >= CMD_OPT_OWN && own_fn) {
        if ((st = own_fn(own_arg, c, optarg))) return st;
        break;
      }
      if (optopt) return cmd_usage_error(cmd, usage, "unknown option '-%c'", optopt);
      return cmd_usage_error(cmd, usage, "unknown option '%s'", argv[optind - 1]);
    }
  }
  return -1;
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
      return PTA_EXIT_USAGE;
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
    rc->l[i] = cell_unescape(rc->buf + off, f[i] ? f[i] : "", l[i]);
    off += l[i];
  }
  if (!rc->types) return report_write_fields(rep, rc->f, rc->l, rc->n);
  for (size_t i = 0; i < rc->n; i++)
    if (rc->nullable[i] && !rc->l[i]) rc->f[i] = NULL; /* empty and nullable: null */
  for (;;) {
    size_t need = jsonl_format(rc->line, rc->line_cap, rc->names, rc->types, rc->f, rc->l, rc->n);
    if (need < rc->line_cap) return report_write_raw(rep, rc->line, need);
    char *nb = realloc(rc->line, need + 256);
    if (!nb) return UV_ENOMEM;
    rc->line = nb;
    rc->line_cap = need + 256;
  }
}

int cmd_rowcopy_jsonl(struct cmd_rowcopy *rc, const char *const *names) {
  rc->names = names;
  rc->types = calloc(rc->n ? rc->n : 1, sizeof *rc->types);
  rc->nullable = calloc(rc->n ? rc->n : 1, 1);
  if (!rc->types || !rc->nullable) return UV_ENOMEM;
  for (size_t i = 0; i < rc->n; i++) {
    int c = schema_find(names[i]); /* -1: an inventory column, a string */
    const struct schema_column *sc = c < 0 ? NULL : schema_column((enum schema_col)c);
    rc->types[i] = sc ? sc->type : SCHEMA_STRING;
    rc->nullable[i] = sc && sc->nullable;
  }
  return 0;
}

void cmd_rowcopy_free(struct cmd_rowcopy *rc) {
  free(rc->buf);
  free(rc->f);
  free(rc->l);
  free(rc->types);
  free(rc->nullable);
  free(rc->line);
  rc->types = NULL;
  rc->nullable = NULL;
  rc->line = NULL;
  rc->line_cap = 0;
  rc->buf = NULL;
  rc->f = NULL;
  rc->l = NULL;
  rc->cap = rc->n = 0;
}

/* The pure layers' end-of-input code must be libuv's, which the CLI compares
 * it with (err.h). */
_Static_assert(ERR_EOF == UV_EOF, "ERR_EOF must equal UV_EOF");
