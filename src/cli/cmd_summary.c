/* SPDX-License-Identifier: MIT */
/*
 * cmd_summary.c - `ptraudit summary [--by COLUMN] [--html FILE] [--top N]
 * [--previous REPORT] REPORT...`: read one or more reports (plain or gzip; "-" = stdin), add
 * every row to one summary (the shards of one run, or several runs, are
 * simply aggregated together), print it, and optionally write the HTML page.
 *
 * Later reports may order their columns differently or carry other
 * inventory columns than the first: columns are matched by name.  A report
 * lacking ip, verdict or flags is an input error; the --by column must be in
 * the first report (a typo is caught at once), and the rows of a later
 * report without it (e.g. a CIDR run next to an inventory run) are grouped
 * under the empty value, with a warning.
 *
 * With --previous (and --html) the page also shows the change since that
 * report (reports/change.h): the reports are then read a second time, into
 * an external sort (--sort-mem), so none of them may be stdin.
 *
 * Exit: 0 done; 2 usage or bad input (the message names the file and the
 * line); 3 the output (stdout or the page) could not be written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#include "cell.h"
#include "change.h"
#include "cmdutil.h"
#include "commands.h"
#include "html.h"
#include "reportread.h"
#include "schema.h"
#include "summary.h"

static const char usage[] =
  "Usage: ptraudit summary [OPTIONS] REPORT...\n"
  "\n"
  "Count the rows of one or more reports (CSV, gzip or plain; '-' = stdin;\n"
  "the shards of one run are aggregated together) per verdict and per flag,\n"
  "overall, per /24 (IPv4) or /48 (IPv6) prefix and per value of a column.\n"
  "Groups are listed worst first: most fail rows, then unknown, then warn.\n"
  "\n"
  "Options:\n"
  "      --by COLUMN   also group by this report column (e.g. customer)\n"
  "      --html FILE   write a self-contained HTML page (tables, the flags with\n"
  "                    level and meaning, the worst 200 addresses with their\n"
  "                    flags, one picture per IPv4 /16 over the /24s scanned);\n"
  "                    '-' = stdout instead of the text summary\n"
  "      --top N       groups listed per table (default 20; 0 = all)\n"
  "      --previous REPORT  with --html: also show the change since this\n"
  "                    earlier report (counts per verdict before and now, the\n"
  "                    change kinds of ptraudit diff, targets newly failing\n"
  "                    and fixed); the reports are read again, sorted\n"
  "      --sort-mem MIB memory for sorting with --previous (default 64)\n"
  "      --allow-truncated count the complete rows of a gzip report that was\n"
  "                    cut short (a killed run) instead of failing\n"
  "  -h, --help        this help\n"
  "\n"
  "Exit status: 0 done; 2 usage error or bad report (file and line named);\n"
  "3 the output could not be written.\n";

/* Column of r named `name` (ASCII case-insensitive), or -1. */
static long find_col(const struct reportread *r, const char *name) {
  for (size_t i = 0; i < reportread_ncols(r); i++)
    if (strcasecmp(reportread_colname(r, i), name) == 0) return (long)i;
  return -1;
}

/* Shown form of a path for the page title. */
static void title_add(char *title, size_t size, const char *path) {
  size_t len = strlen(title);
  if (len + 8 >= size) return;
  char shown[3 * 80 + 8];
  size_t pl = strlen(path);
  cell_escape(shown, sizeof shown, path, pl < 80 ? pl : 80);
  snprintf(title + len, size - len, "%s%s", title[len - 1] == ':' ? " " : ", ", shown);
}

struct run {
  struct summary *s;
  const char *by;
  size_t ncols;         /* the summary's columns (from the first report) */
  char **names;
  long *map;            /* summary column i -> column of the current report */
  const char **fields;
  size_t *lens;
  char *dec;            /* decoded --by cell */
  size_t by_col;        /* summary column of --by */
  int allow_truncated;  /* --allow-truncated */
  size_t checked_col;   /* summary column checked_at, or (size_t)-1 */
  size_t ptr_col;       /* summary column ptr, or (size_t)-1 */
  char *pdec;           /* decoded ptr cell */
  char checked[64];     /* its cell as shown (cell_show) */
};

static void run_free(struct run *x) {
  summary_free(x->s);
  for (size_t i = 0; x->names && i < x->ncols; i++) free(x->names[i]);
  free(x->names);
  free(x->map);
  free(x->fields);
  free(x->lens);
  free(x->dec);
  free(x->pdec);
}

/* Set up the summary from the first report's header, or match a later
 * report's columns to it.  Returns an exit status. */
static int bind_columns(struct run *x, struct reportread *r) {
  char err[1024];
  if (!x->s) {
    x->ncols = reportread_ncols(r);
    x->names = calloc(x->ncols, sizeof *x->names);
    x->map = calloc(x->ncols, sizeof *x->map);
    x->fields = calloc(x->ncols, sizeof *x->fields);
    x->lens = calloc(x->ncols, sizeof *x->lens);
    x->dec = malloc(REPORTREAD_FIELD_MAX + 1);
    x->pdec = malloc(REPORTREAD_FIELD_MAX + 1);
    if (!x->names || !x->map || !x->fields || !x->lens || !x->dec || !x->pdec) goto nomem;
    for (size_t i = 0; i < x->ncols; i++)
      if (!(x->names[i] = strdup(reportread_colname(r, i)))) goto nomem;
    int rc = summary_new(&x->s, (const char *const *)x->names, x->ncols, x->by, err,
                         sizeof err);
    if (rc < 0) {
      cmd_msg("summary", "%s: %s", reportread_path(r), err);
      return rc == UV_ENOMEM ? PTA_EXIT_RUNTIME : PTA_EXIT_USAGE;
    }
    x->by_col = (size_t)-1;
    x->checked_col = (size_t)-1;
    x->ptr_col = (size_t)-1;
    for (size_t i = 0; i < x->ncols; i++) {
      if (x->checked_col == (size_t)-1 && strcasecmp(x->names[i], "checked_at") == 0)
        x->checked_col = i;
      if (x->ptr_col == (size_t)-1 && strcasecmp(x->names[i], schema_name(SCHEMA_PTR)) == 0)
        x->ptr_col = i;
    }
    for (size_t i = 0; x->by && i < x->ncols; i++)
      if (strcasecmp(x->names[i], x->by) == 0) {
        x->by_col = i;
        break;
      }
  }
  static const enum schema_col need[] = {SCHEMA_IP, SCHEMA_VERDICT, SCHEMA_FLAGS};
  for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
    if (find_col(r, schema_name(need[i])) < 0) {
      cmd_msg("summary", "%s: not a ptraudit report: no '%s' column in the header",
              reportread_path(r), schema_name(need[i]));
      return PTA_EXIT_USAGE;
    }
  if (x->by && find_col(r, x->by) < 0)
    cmd_msg("summary", "warning: %s has no column '%s'; its rows are grouped as (empty)",
            reportread_path(r), x->by);
  for (size_t i = 0; i < x->ncols; i++) x->map[i] = find_col(r, x->names[i]);
  return PTA_EXIT_CLEAN;
nomem:
  cmd_msg("summary", "out of memory");
  return PTA_EXIT_RUNTIME;
}

/* Add every row of one report.  Returns an exit status. */
static int read_report(struct run *x, const char *path) {
  char err[1024];
  struct reportread *r;
  if (reportread_open(&r, path, err, sizeof err) < 0) {
    cmd_msg("summary", "%s", err);
    return PTA_EXIT_USAGE;
  }
  int status = bind_columns(x, r);
  const char *const *f;
  const size_t *l;
  int rc;
  while (status == PTA_EXIT_CLEAN && (rc = reportread_next(r, &f, &l, err, sizeof err)) == 1) {
    for (size_t i = 0; i < x->ncols; i++) {
      long c = x->map[i];
      x->fields[i] = c >= 0 ? f[c] : NULL;
      x->lens[i] = c >= 0 ? l[c] : 0;
    }
    if (x->by_col != (size_t)-1 && x->fields[x->by_col]) {
      /* summary_add() takes raw cells (summary.h); a report holds them
       * escaped. */
      x->lens[x->by_col] = cell_unescape(x->dec, x->fields[x->by_col], x->lens[x->by_col]);
      x->fields[x->by_col] = x->dec;
    }
    if (x->ptr_col != (size_t)-1 && x->fields[x->ptr_col]) {
      /* raw, like the --by cell: the worst rows keep it (summary.h) */
      x->lens[x->ptr_col] = cell_unescape(x->pdec, x->fields[x->ptr_col], x->lens[x->ptr_col]);
      x->fields[x->ptr_col] = x->pdec;
    }
    if (x->checked_col != (size_t)-1 && x->fields[x->checked_col]) {
      /* summary_print() shows checked_at as given; a hand-made report may
       * hold raw ESC sequences there, so pass the shown form (cell.h). */
      x->lens[x->checked_col] = cell_show(x->checked, sizeof x->checked,
                                          x->fields[x->checked_col], x->lens[x->checked_col]);
      x->fields[x->checked_col] = x->checked;
    }
    int arc = summary_add(x->s, x->fields, x->lens);
    if (arc < 0) {
      cmd_msg("summary", "%s:%lu: %s", reportread_path(r), reportread_line(r),
              summary_error(x->s));
      status = arc == UV_ENOMEM ? PTA_EXIT_RUNTIME : PTA_EXIT_USAGE;
    }
  }
  if (status == PTA_EXIT_CLEAN) {
    int truncated = 0;
    status = cmd_report_end("summary", rc, err, x->allow_truncated, &truncated);
  }
  reportread_close(r);
  return status;
}

enum { OPT_BY = CMD_OPT_OWN, OPT_HTML, OPT_TOP, OPT_PREVIOUS };

struct own_opts {
  struct run *x;
  const char *html;
  const char *previous;
  size_t top;
};

/* summary's own options (cmdutil.h's cmd_own_fn). */
static int own_option(void *arg, int opt, const char *val) {
  struct own_opts *o = arg;
  switch (opt) {
  case OPT_BY:
    if (!val[0]) {
      cmd_msg("summary", "--by: empty column name");
      return PTA_EXIT_USAGE;
    }
    o->x->by = val;
    return 0;
  case OPT_HTML:
    if (!val[0]) {
      cmd_msg("summary", "--html: empty file name");
      return PTA_EXIT_USAGE;
    }
    o->html = val;
    return 0;
  case OPT_PREVIOUS:
    if (!val[0] || !strcmp(val, "-")) {
      cmd_msg("summary", "--previous: give a report file (not empty, not stdin)");
      return PTA_EXIT_USAGE;
    }
    o->previous = val;
    return 0;
  default: { /* OPT_TOP */
    char *end;
    unsigned long long v = strtoull(val, &end, 10);
    if (!val[0] || *end || val[0] == '-' || v > 100000000ull) {
      cmd_msg("summary", "--top: '%.40s' is not a number from 0 to 100000000", val);
      return PTA_EXIT_USAGE;
    }
    o->top = (size_t)v;
    return 0;
  }
  }
}

/* --previous: the change from that report to the reports[0..n).  Returns
 * an exit status; *out is set on success. */
static int compare_previous(struct change **out, const char *previous, char *const *reports,
                            int n, const struct cmd_opts *o) {
  char err[1024];
  int truncated = 0;
  struct change *c;
  int rc = change_open(&c, VERDICT_FAIL_ON_FAIL, (size_t)o->sort_mem_mib * 1024 * 1024, err,
                       sizeof err);
  if (rc == 0) rc = change_add_report(c, 0, previous, o->allow_truncated, &truncated, err,
                                      sizeof err);
  for (int i = 0; rc == 0 && i < n; i++)
    rc = change_add_report(c, 1, reports[i], o->allow_truncated, &truncated, err, sizeof err);
  if (rc == 0) rc = change_finish(c, err, sizeof err);
  if (rc < 0) {
    cmd_msg("summary", "--previous: %s", err);
    change_free(c);
    return rc == UV_ENOMEM || rc == UV_EIO || rc == UV_ENOSPC ? PTA_EXIT_RUNTIME
                                                              : PTA_EXIT_USAGE;
  }
  if (truncated)
    cmd_msg("summary", "warning: --previous: a report was cut short; its complete rows were "
            "compared");
  *out = c;
  return PTA_EXIT_CLEAN;
}

int command_summary(int argc, char **argv) {
  static const struct option longopts[] = {
    {"by", required_argument, NULL, OPT_BY},
    {"html", required_argument, NULL, OPT_HTML},
    {"top", required_argument, NULL, OPT_TOP},
    {"previous", required_argument, NULL, OPT_PREVIOUS},
    {NULL, 0, NULL, 0},
  };
  struct run x = {0};
  struct own_opts own = {.x = &x, .top = SUMMARY_TOP};
  struct cmd_opts o;
  int st = cmd_parse_opts(argc, argv, "summary", usage, CMD_OPT_TRUNCATED | CMD_OPT_SORT_MEM,
                          longopts, own_option, &own, &o);
  if (st >= 0) return st;
  if (optind >= argc) {
    cmd_msg("summary", "no report given (see ptraudit summary --help)");
    return PTA_EXIT_USAGE;
  }
  x.allow_truncated = o.allow_truncated;
  const char *html = own.html;
  size_t top = own.top;

  if (html && cmd_refuse_input_output("summary", "--html page", html, argv + optind,
                                      argc - optind))
    return PTA_EXIT_USAGE;
  if (own.previous) {
    if (!html)
      return cmd_usage_error("summary", usage, "--previous is for the page: give --html FILE too");
    if (cmd_refuse_input_output("summary", "--html page", html, (char *const *)&own.previous, 1))
      return PTA_EXIT_USAGE;
    for (int i = optind; i < argc; i++)
      if (!strcmp(argv[i], "-"))
        return cmd_usage_error("summary", usage, "--previous reads the reports twice: stdin "
                               "('-') cannot be one of them");
    /* an unreadable previous report is found before the work */
    struct reportread *pr;
    char perr[1024];
    if (reportread_open(&pr, own.previous, perr, sizeof perr) < 0) {
      cmd_msg("summary", "--previous: %s", perr);
      return PTA_EXIT_USAGE;
    }
    reportread_close(pr);
  }

  char title[512] = "ptraudit summary:";
  int status = PTA_EXIT_CLEAN;
  int nreports = argc - optind;
  for (int i = optind; i < argc && status == PTA_EXIT_CLEAN; i++) {
    status = read_report(&x, argv[i]);
    if (i - optind < 4) title_add(title, sizeof title, strcmp(argv[i], "-") ? argv[i] : "stdin");
  }
  if (nreports > 4) {
    size_t len = strlen(title);
    snprintf(title + len, sizeof title - len, " and %d more", nreports - 4);
  }
  if (status != PTA_EXIT_CLEAN) {
    run_free(&x);
    return status;
  }
  summary_set_top(x.s, top);
  if (!html || strcmp(html, "-") != 0) {
    if (summary_print(x.s, stdout) < 0) {
      cmd_msg("summary", "standard output: write error");
      run_free(&x);
      return PTA_EXIT_RUNTIME;
    }
  }
  struct change *since = NULL;
  if (own.previous) {
    status = compare_previous(&since, own.previous, argv + optind, nreports, &o);
    if (status != PTA_EXIT_CLEAN) {
      run_free(&x);
      return status;
    }
  }
  if (html) {
    char err[1024];
    if (html_write_summary(x.s, html, title, since, err, sizeof err) < 0) {
      cmd_msg("summary", "--html: %s", err);
      change_free(since);
      run_free(&x);
      return PTA_EXIT_RUNTIME;
    }
  }
  change_free(since);
  run_free(&x);
  return PTA_EXIT_CLEAN;
}
