/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.c - `ptraudit diff OLD NEW`: what changed between two runs.
 *
 * Approach (bounded memory, any report size): each report is read once and
 * sorted by target address with extsort (unique mode: one row per target,
 * the one with the latest checked_at), then the two sorted streams are
 * merge-joined by address -- the same walk as comm(1) on sorted files.
 * Memory: the two sorters share --sort-mem (default 64 MiB, half each);
 * beyond that rows go to temporary gzip runs in $TMPDIR.  One output row
 * per target that changed, in address order; the comparison of one old
 * and one new row is diff.c.
 *
 * Output (a report: report.c's CSV, gzip for *.gz, temp file + rename):
 *   ip, change, old_verdict, new_verdict, flags_added, flags_removed,
 *   old_ptr, new_ptr, old_banner_host, new_banner_host, old_checked_at,
 *   new_checked_at, then NEW's inventory (passthrough) columns.
 *   For `added` and `new_failing` rows flags_added lists all of NEW's flags, for `gone` rows
 *   flags_removed all of OLD's; the passthrough cells of a `gone` row come
 *   from OLD's column of the same name (empty if OLD has none).
 */
#include <getopt.h> /* optind */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cell.h"
#include "cmdutil.h"
#include "commands.h"
#include "diff.h"
#include "extsort.h"
#include "report.h"
#include "reportread.h"
#include "schema.h"

static const char diff_usage[] =
"Usage: ptraudit diff [OPTIONS] OLD NEW\n"
"\n"
"Compare two reports (ptraudit CSV, plain or gzip; '-' = stdin for one of\n"
"them) target by target and write one row per target that changed.\n"
"\n"
"  -o, --output FILE     the diff report; *.gz = gzip; default '-' (stdout)\n"
"      --force           replace an existing output file\n"
"      --allow-truncated use the complete rows of a report that was cut short\n"
"                        (a killed run's gzip member, a last row without a\n"
"                        line end) instead of failing\n"
"      --fail-on LEVEL   fail (default), warn or never: which verdicts of a\n"
"                        target only in NEW make it new_failing (fail: fail,\n"
"                        invalid; warn: also warn, unknown; never: none)\n"
"      --sort-mem MIB    memory for sorting both reports (default 64); more\n"
"                        rows go to temporary files in $TMPDIR\n"
"  -q, --quiet           no summary on stderr (errors and warnings still)\n"
"  -h, --help            this help\n"
"\n"
"Columns: ip, change, old_verdict, new_verdict, flags_added, flags_removed,\n"
"old_ptr, new_ptr, old_banner_host, new_banner_host, old_checked_at,\n"
"new_checked_at, then NEW's inventory columns.  Rows in address order.\n"
"\n"
"change:\n"
"  worse    the verdict got worse (ok/skipped < warn < unknown < fail/invalid),\n"
"           or stayed and a warn- or fail-level flag appeared\n"
"  better   the verdict got better, or stayed and such a flag disappeared\n"
"  changed  same verdict; other flags (e.g. NO_SMTP), PTR names or banner host\n"
"           changed (the banner text itself is not compared)\n"
"  new_failing  only in NEW, with a verdict at or above --fail-on (a new\n"
"           address that already fails)\n"
"  added    only in NEW, below --fail-on\n"
"  gone     only in OLD\n"
"A target listed more than once in one report counts once: its row with the\n"
"latest checked_at (the later row on a tie).\n"
"\n"
"Exit status: 0 no regression; 1 a regression (a worse or new_failing row);\n"
"2 usage or input error (file and line named); 3 the output or a temporary\n"
"file could not be written.\n";

#define EXAMPLES 10

static const char *const out_cols[] = {
  "ip", "change", "old_verdict", "new_verdict", "flags_added", "flags_removed",
  "old_ptr", "new_ptr", "old_banner_host", "new_banner_host", "old_checked_at",
  "new_checked_at",
};
#define NOUT (sizeof out_cols / sizeof out_cols[0])

/* The report columns diff reads, found by name (schema.h). */
enum { C_IP, C_VERDICT, C_FLAGS, C_PTR, C_BANNER_HOST, C_CHECKED_AT, NNEED };
static const enum schema_col need_cols[NNEED] = {
  SCHEMA_IP, SCHEMA_VERDICT, SCHEMA_FLAGS, SCHEMA_PTR, SCHEMA_BANNER_HOST, SCHEMA_CHECKED_AT,
};

struct side {
  const char *path;
  int col[NNEED];
  size_t ncols;
  char **names;      /* header, for the passthrough columns */
  struct extsort *es;
  uint64_t rows;
  int truncated;
  /* current row of the sorted stream */
  const char *const *f;
  const size_t *l;
  int have;
};

struct example {
  int rank_new, rank_up;
  char ip[64], oldv[16], newv[16], added[160];
};

struct diffrun {
  struct side old, new_;
  struct report *rep;
  size_t npass;
  size_t *pass_new;  /* NEW column index of each passthrough column */
  long *pass_old;    /* OLD column index of the same name, or -1 */
  /* output row */
  const char **of;
  size_t *ol;
  char *addbuf, *rembuf;
  struct cmd_rowcopy copy; /* unescaped copy of the output row */
  uint64_t counts[DIFF_KINDS];
  struct example ex[EXAMPLES];
  size_t nex;
  enum verdict_fail_on fail_on; /* --fail-on: which new targets are new_failing */
};

static void free_names(char **names, size_t n) {
  if (!names) return;
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

/* Read one report into its sorter.  Returns an exit status (0 = loaded). */
static int load(struct side *s, size_t mem, int allow_truncated) {
  struct reportread *rr;
  char err[1024];
  int rc;

  rc = reportread_open(&rr, s->path, err, sizeof err);
  if (rc < 0) {
    cmd_msg("diff", "%s", err);
    return rc == UV_ENOMEM ? PTA_EXIT_RUNTIME : PTA_EXIT_USAGE;
  }
  for (int i = 0; i < NNEED; i++) {
    s->col[i] = reportread_col(rr, schema_name(need_cols[i]));
    if (s->col[i] < 0) {
      cmd_msg("diff", "%s: not a ptraudit report: no column '%s' in the header",
              reportread_path(rr), schema_name(need_cols[i]));
      reportread_close(rr);
      return PTA_EXIT_USAGE;
    }
  }
  s->ncols = reportread_ncols(rr);
  s->names = calloc(s->ncols, sizeof *s->names);
  if (!s->names) goto nomem;
  for (size_t i = 0; i < s->ncols; i++)
    if (!(s->names[i] = strdup(reportread_colname(rr, i)))) goto nomem;
  rc = extsort_open(&s->es, s->ncols, (size_t)s->col[C_IP], s->col[C_CHECKED_AT], mem, err,
                    sizeof err);
  if (rc < 0) {
    cmd_msg("diff", "%s", err);
    reportread_close(rr);
    return PTA_EXIT_RUNTIME;
  }
  extsort_set_unique(s->es, 1);
  rc = cmd_sort_report("diff", rr, s->es, allow_truncated, &s->rows, &s->truncated);
  reportread_close(rr);
  if (rc) return rc;
  if (extsort_finish(s->es, err, sizeof err) < 0) {
    cmd_msg("diff", "%s", err);
    return PTA_EXIT_RUNTIME;
  }
  return 0;

nomem:
  cmd_msg("diff", "out of memory");
  reportread_close(rr);
  return PTA_EXIT_RUNTIME;
}

/* Advance a side's sorted stream.  0 or an exit status. */
static int advance(struct side *s) {
  char err[1024];
  int rc = extsort_next(s->es, &s->f, &s->l, err, sizeof err);
  if (rc < 0) {
    cmd_msg("diff", "%s: %s", s->path, err);
    return PTA_EXIT_RUNTIME;
  }
  s->have = rc == 1;
  return 0;
}

/* One of the report's fixed columns (schema.h); anything else, the
 * optional columns included, is passthrough. */
static int is_fixed(const char *name) {
  for (int c = 0; c < SCHEMA_NFIXED; c++)
    if (!strcmp(name, schema_name((enum schema_col)c))) return 1;
  return 0;
}

static int setup_output_row(struct diffrun *d) {
  size_t n = NOUT;
  d->pass_new = calloc(d->new_.ncols, sizeof *d->pass_new);
  d->pass_old = calloc(d->new_.ncols, sizeof *d->pass_old);
  if (!d->pass_new || !d->pass_old) return -1;
  for (size_t i = 0; i < d->new_.ncols; i++) {
    if (is_fixed(d->new_.names[i])) continue;
    d->pass_new[d->npass] = i;
    d->pass_old[d->npass] = -1;
    for (size_t j = 0; j < d->old.ncols; j++)
      if (!strcmp(d->old.names[j], d->new_.names[i]) && !is_fixed(d->old.names[j])) {
        d->pass_old[d->npass] = (long)j;
        break;
      }
    d->npass++;
  }
  n += d->npass;
  d->of = calloc(n, sizeof *d->of);
  d->ol = calloc(n, sizeof *d->ol);
  d->addbuf = malloc(REPORTREAD_FIELD_MAX + 1);
  d->rembuf = malloc(REPORTREAD_FIELD_MAX + 1);
  if (cmd_rowcopy_init(&d->copy, n) < 0) return -1;
  if (!d->of || !d->ol || !d->addbuf || !d->rembuf) return -1;
  return 0;
}

static void set(struct diffrun *d, size_t i, const char *s, size_t len) {
  d->of[i] = s;
  d->ol[i] = len;
}

static void setz(struct diffrun *d, size_t i, const char *s) {
  set(d, i, s, strlen(s));
}


/* Keep the worst `worse` changes: highest new rank, then biggest jump;
 * among equals the first in address order. */
static void remember(struct diffrun *d, int have_old) {
  const struct side *o = &d->old, *n = &d->new_;
  int rn = diff_verdict_rank(n->f[n->col[C_VERDICT]], n->l[n->col[C_VERDICT]]);
  /* a new target climbs from below ok: it ranks above a change to the
   * same verdict */
  int ro = have_old ? diff_verdict_rank(o->f[o->col[C_VERDICT]], o->l[o->col[C_VERDICT]]) : -1;
  struct example e;
  size_t pos;
  e.rank_new = rn;
  e.rank_up = rn - ro;
  for (pos = d->nex; pos > 0; pos--) {
    const struct example *p = &d->ex[pos - 1];
    if (p->rank_new > e.rank_new || (p->rank_new == e.rank_new && p->rank_up >= e.rank_up))
      break;
  }
  if (pos >= EXAMPLES) return;
  /* These go to the terminal (print_summary): cells of a report that may
   * be hand-made, so in their shown form (cell.h), never raw. */
  cell_show(e.ip, sizeof e.ip, n->f[n->col[C_IP]], n->l[n->col[C_IP]]);
  if (have_old) {
    cell_show(e.oldv, sizeof e.oldv, o->f[o->col[C_VERDICT]], o->l[o->col[C_VERDICT]]);
    cell_show(e.added, sizeof e.added, d->addbuf, strlen(d->addbuf));
  } else {
    snprintf(e.oldv, sizeof e.oldv, "(new)");
    cell_show(e.added, sizeof e.added, n->f[n->col[C_FLAGS]], n->l[n->col[C_FLAGS]]);
  }
  cell_show(e.newv, sizeof e.newv, n->f[n->col[C_VERDICT]], n->l[n->col[C_VERDICT]]);
  if (d->nex < EXAMPLES) d->nex++;
  memmove(&d->ex[pos + 1], &d->ex[pos], (d->nex - 1 - pos) * sizeof e);
  d->ex[pos] = e;
}

static struct diff_side side_cells(const struct side *s) {
  struct diff_side ds = {
    .verdict = s->f[s->col[C_VERDICT]], .verdict_len = s->l[s->col[C_VERDICT]],
    .flags = s->f[s->col[C_FLAGS]], .flags_len = s->l[s->col[C_FLAGS]],
    .ptr = s->f[s->col[C_PTR]], .ptr_len = s->l[s->col[C_PTR]],
    .banner_host = s->f[s->col[C_BANNER_HOST]],
    .banner_host_len = s->l[s->col[C_BANNER_HOST]],
  };
  return ds;
}

/* One step of the join: o and/or n present.  Writes a row if something
 * changed.  0 or <0 (write error). */
static int join_one(struct diffrun *d, int have_old, int have_new) {
  const struct side *o = &d->old, *n = &d->new_;
  enum diff_change ch;
  static const char empty[] = "";

  if (have_old && have_new) {
    struct diff_side so = side_cells(o), sn = side_cells(n);
    ch = diff_compare(&so, &sn, d->addbuf, REPORTREAD_FIELD_MAX + 1, d->rembuf,
                      REPORTREAD_FIELD_MAX + 1);
  } else if (have_new) {
    struct diff_side sn = side_cells(n);
    ch = diff_added(&sn, d->fail_on);
  } else {
    ch = DIFF_GONE;
  }
  d->counts[ch]++;
  if (ch == DIFF_SAME) return 0;
  if (diff_is_regression(ch)) remember(d, have_old);

  for (size_t i = 0; i < NOUT + d->npass; i++) set(d, i, empty, 0);
#define OC(side, c) (side)->f[(side)->col[c]], (side)->l[(side)->col[c]]
  if (have_new) set(d, 0, OC(n, C_IP));
  else set(d, 0, OC(o, C_IP));
  setz(d, 1, diff_change_name(ch));
  if (have_old) {
    set(d, 2, OC(o, C_VERDICT));
    set(d, 6, OC(o, C_PTR));
    set(d, 8, OC(o, C_BANNER_HOST));
    set(d, 10, OC(o, C_CHECKED_AT));
  }
  if (have_new) {
    set(d, 3, OC(n, C_VERDICT));
    set(d, 7, OC(n, C_PTR));
    set(d, 9, OC(n, C_BANNER_HOST));
    set(d, 11, OC(n, C_CHECKED_AT));
  }
  if (have_old && have_new) {
    setz(d, 4, d->addbuf);
    setz(d, 5, d->rembuf);
  } else if (have_new) {
    set(d, 4, OC(n, C_FLAGS));
  } else {
    set(d, 5, OC(o, C_FLAGS));
  }
#undef OC
  for (size_t i = 0; i < d->npass; i++) {
    if (have_new) set(d, NOUT + i, n->f[d->pass_new[i]], n->l[d->pass_new[i]]);
    else if (d->pass_old[i] >= 0)
      set(d, NOUT + i, o->f[d->pass_old[i]], o->l[d->pass_old[i]]);
  }
  return cmd_rowcopy_write(&d->copy, d->rep, d->of, d->ol);
}

static int write_header(struct diffrun *d) {
  for (size_t i = 0; i < NOUT; i++) setz(d, i, out_cols[i]);
  for (size_t i = 0; i < d->npass; i++) setz(d, NOUT + i, d->new_.names[d->pass_new[i]]);
  return cmd_rowcopy_write(&d->copy, d->rep, d->of, d->ol);
}

static void print_summary(const struct diffrun *d) {
  static const enum diff_change order[] = {DIFF_WORSE, DIFF_NEW_FAILING, DIFF_BETTER,
                                           DIFF_CHANGED, DIFF_ADDED, DIFF_GONE};
  uint64_t to = extsort_rows(d->old.es) - extsort_duplicates(d->old.es);
  uint64_t tn = extsort_rows(d->new_.es) - extsort_duplicates(d->new_.es);
  cmd_msg("diff", "%s (%llu target%s) -> %s (%llu target%s)", d->old.path,
          (unsigned long long)to, to == 1 ? "" : "s", d->new_.path, (unsigned long long)tn,
          tn == 1 ? "" : "s");
  fputs(" ", stderr);
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    fprintf(stderr, " %s %llu,", diff_change_name(order[i]),
            (unsigned long long)d->counts[order[i]]);
  fprintf(stderr, " unchanged %llu\n", (unsigned long long)d->counts[DIFF_SAME]);
  const struct side *sides[2] = {&d->old, &d->new_};
  for (int i = 0; i < 2; i++) {
    uint64_t dup = extsort_duplicates(sides[i]->es);
    if (dup)
      fprintf(stderr, "  note: %s lists %llu target%s more than once; the row with the "
              "latest checked_at was used\n", sides[i]->path, (unsigned long long)dup,
              dup == 1 ? "" : "s");
    if (sides[i]->truncated)
      fprintf(stderr, "  note: %s was cut short; only its complete rows were compared\n",
              sides[i]->path);
  }
  if (d->nex) {
    fprintf(stderr, "  worst changes%s:\n",
            d->counts[DIFF_WORSE] + d->counts[DIFF_NEW_FAILING] > d->nex
                ? " (first of the worst)" : "");
    for (size_t i = 0; i < d->nex; i++)
      fprintf(stderr, "    %-39s %s -> %s%s%s\n", d->ex[i].ip, d->ex[i].oldv, d->ex[i].newv,
              d->ex[i].added[0] ? "  +" : "", d->ex[i].added);
  }
}

static void side_free(struct side *s) {
  extsort_close(s->es);
  free_names(s->names, s->ncols);
}

static void run_free(struct diffrun *d) {
  side_free(&d->old);
  side_free(&d->new_);
  free(d->pass_new);
  free(d->pass_old);
  free(d->of);
  free(d->ol);
  free(d->addbuf);
  free(d->rembuf);
  cmd_rowcopy_free(&d->copy);
}

/* The merge-join of the two sorted streams: one output row per target
 * that changed.  0, or an exit status (a message on stderr). */
static int join_all(struct diffrun *d) {
  int status = 0, wrc = write_header(d);
  if (wrc == 0) status = advance(&d->old);
  if (wrc == 0 && !status) status = advance(&d->new_);
  while (wrc == 0 && !status && (d->old.have || d->new_.have)) {
    int cmp;
    if (!d->old.have) cmp = 1;
    else if (!d->new_.have) cmp = -1;
    else
      cmp = extsort_ipcmp(d->old.f[d->old.col[C_IP]], d->old.l[d->old.col[C_IP]],
                          d->new_.f[d->new_.col[C_IP]], d->new_.l[d->new_.col[C_IP]]);
    wrc = join_one(d, cmp <= 0, cmp >= 0);
    if (wrc == 0 && cmp <= 0) status = advance(&d->old);
    if (wrc == 0 && !status && cmp >= 0) status = advance(&d->new_);
  }
  if (wrc < 0) {
    cmd_msg("diff", "%s", report_error(d->rep));
    status = PTA_EXIT_RUNTIME;
  }
  return status;
}

/* Both reports into their sorters, and the output row set up.  0 or an
 * exit status. */
static int prepare(struct diffrun *d, unsigned long mem_mib, int allow_truncated) {
  size_t mem = (size_t)mem_mib * 1024 * 1024 / 2; /* the two sorters share --sort-mem */
  int status = load(&d->old, mem, allow_truncated);
  if (!status) status = load(&d->new_, mem, allow_truncated);
  if (!status && setup_output_row(d) < 0) {
    cmd_msg("diff", "out of memory");
    status = PTA_EXIT_RUNTIME;
  }
  return status;
}

enum { OPT_FAIL_ON = CMD_OPT_OWN };

/* diff's own option (cmdutil.h's cmd_own_fn): --fail-on. */
static int own_option(void *arg, int opt, const char *val) {
  (void)opt;
  if (verdict_fail_on_parse(val, arg) < 0)
    return cmd_usage_error("diff", diff_usage, "--fail-on: '%.40s' is not one of fail, warn, never",
                           val);
  return 0;
}

int command_diff(int argc, char **argv) {
  static const struct option longopts[] = {
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {NULL, 0, NULL, 0},
  };
  struct cmd_opts o;
  struct diffrun d;
  char err[1024];
  enum verdict_fail_on fail_on = VERDICT_FAIL_ON_FAIL;
  int status = cmd_parse_opts(argc, argv, "diff", diff_usage,
                              CMD_OPT_OUTPUT | CMD_OPT_FORCE | CMD_OPT_TRUNCATED |
                                  CMD_OPT_SORT_MEM | CMD_OPT_QUIET,
                              longopts, own_option, &fail_on, &o);
  if (status >= 0) return status;
  if (argc - optind != 2)
    return cmd_usage_error("diff", diff_usage, "expected two reports, OLD and NEW (got %d)",
                           argc - optind);

  memset(&d, 0, sizeof d);
  d.fail_on = fail_on;
  d.old.path = argv[optind];
  d.new_.path = argv[optind + 1];
  if (!strcmp(d.old.path, "-") && !strcmp(d.new_.path, "-"))
    return cmd_usage_error("diff", diff_usage, "only one of OLD and NEW can be '-' (stdin)");

  if (cmd_refuse_input_output("diff", "output", o.output ? o.output : "-", argv + optind, 2)) return PTA_EXIT_USAGE;
  /* Open the output first: an unwritable place is found before the work. */
  if (report_open(&d.rep, o.output ? o.output : "-", o.force ? REPORT_FORCE : 0, err,
                  sizeof err) < 0) {
    cmd_msg("diff", "%s", err);
    return PTA_EXIT_USAGE;
  }
  status = prepare(&d, o.sort_mem_mib, o.allow_truncated);
  if (!status) status = join_all(&d);
  if (status) {
    /* a partial diff is worse than none: a cron job would read it whole */
    report_close(d.rep, 0, NULL, 0);
    run_free(&d);
    return status;
  }
  if (report_close(d.rep, 1, err, sizeof err) < 0) {
    cmd_msg("diff", "%s", err);
    run_free(&d);
    return PTA_EXIT_RUNTIME;
  }
  if (!o.quiet) print_summary(&d);
  status = d.counts[DIFF_WORSE] || d.counts[DIFF_NEW_FAILING] ? PTA_EXIT_FINDINGS
                                                               : PTA_EXIT_CLEAN;
  run_free(&d);
  return status;
}
