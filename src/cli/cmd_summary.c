/*
 * cmd_summary.c - `ptraudit summary [--by COLUMN] [--html FILE] [--top N]
 * REPORT...`: read one or more reports (plain or gzip; "-" = stdin), add
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
#include "cmdutil.h"
#include "commands.h"
#include "reportread.h"
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
  "      --html FILE   write a self-contained HTML page (tables and one\n"
  "                    256x256 picture per IPv4 /16); '-' = stdout instead\n"
  "                    of the text summary\n"
  "      --top N       groups listed per table (default 20; 0 = all)\n"
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
};

static void run_free(struct run *x) {
  summary_free(x->s);
  for (size_t i = 0; x->names && i < x->ncols; i++) free(x->names[i]);
  free(x->names);
  free(x->map);
  free(x->fields);
  free(x->lens);
  free(x->dec);
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
    if (!x->names || !x->map || !x->fields || !x->lens || !x->dec) goto nomem;
    for (size_t i = 0; i < x->ncols; i++)
      if (!(x->names[i] = strdup(reportread_colname(r, i)))) goto nomem;
    int rc = summary_new(&x->s, (const char *const *)x->names, x->ncols, x->by, err,
                         sizeof err);
    if (rc < 0) {
      cmd_msg("summary", "%s: %s", reportread_path(r), err);
      return rc == UV_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
    }
    x->by_col = (size_t)-1;
    for (size_t i = 0; x->by && i < x->ncols; i++)
      if (strcasecmp(x->names[i], x->by) == 0) {
        x->by_col = i;
        break;
      }
  }
  static const char *const need[] = {"ip", "verdict", "flags"};
  for (size_t i = 0; i < 3; i++)
    if (find_col(r, need[i]) < 0) {
      cmd_msg("summary", "%s: not a ptraudit report: no '%s' column in the header",
              reportread_path(r), need[i]);
      return EXIT_USAGE;
    }
  if (x->by && find_col(r, x->by) < 0)
    cmd_msg("summary", "warning: %s has no column '%s'; its rows are grouped as (empty)",
            reportread_path(r), x->by);
  for (size_t i = 0; i < x->ncols; i++) x->map[i] = find_col(r, x->names[i]);
  return EXIT_CLEAN;
nomem:
  cmd_msg("summary", "out of memory");
  return EXIT_RUNTIME;
}

/* Add every row of one report.  Returns an exit status. */
static int read_report(struct run *x, const char *path) {
  char err[1024];
  struct reportread *r;
  if (reportread_open(&r, path, err, sizeof err) < 0) {
    cmd_msg("summary", "%s", err);
    return EXIT_USAGE;
  }
  int status = bind_columns(x, r);
  const char *const *f;
  const size_t *l;
  int rc;
  while (status == EXIT_CLEAN && (rc = reportread_next(r, &f, &l, err, sizeof err)) == 1) {
    for (size_t i = 0; i < x->ncols; i++) {
      long c = x->map[i];
      x->fields[i] = c >= 0 ? f[c] : NULL;
      x->lens[i] = c >= 0 ? l[c] : 0;
    }
    if (x->by_col != (size_t)-1 && x->fields[x->by_col]) {
      /* summary_add() takes raw cells (summary.h); a report holds them
       * escaped. */
      x->lens[x->by_col] = reportread_unescape(x->dec, x->fields[x->by_col], x->lens[x->by_col]);
      x->fields[x->by_col] = x->dec;
    }
    int arc = summary_add(x->s, x->fields, x->lens);
    if (arc < 0) {
      cmd_msg("summary", "%s:%lu: %s", reportread_path(r), reportread_line(r),
              summary_error(x->s));
      status = arc == UV_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
    }
  }
  if (status == EXIT_CLEAN && rc < 0) {
    if (rc == UV_EOF) {
      /* A gzip report cut short (a killed run): the complete rows before
       * the cut are counted; say so and carry on. */
      cmd_msg("summary", "warning: %s", err);
    } else {
      cmd_msg("summary", "%s", err);
      status = rc == UV_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
    }
  }
  reportread_close(r);
  return status;
}

int command_summary(int argc, char **argv) {
  enum { OPT_BY = 256, OPT_HTML, OPT_TOP };
  static const struct option longopts[] = {
    {"by", required_argument, NULL, OPT_BY},
    {"html", required_argument, NULL, OPT_HTML},
    {"top", required_argument, NULL, OPT_TOP},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
  };
  const char *html = NULL;
  size_t top = SUMMARY_TOP;
  struct run x = {0};
  int c;

  optind = 0; /* GNU: full re-initialisation */
  opterr = 0;
  while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_BY:
      if (!optarg[0]) {
        cmd_msg("summary", "--by: empty column name");
        return EXIT_USAGE;
      }
      x.by = optarg;
      break;
    case OPT_HTML:
      if (!optarg[0]) {
        cmd_msg("summary", "--html: empty file name");
        return EXIT_USAGE;
      }
      html = optarg;
      break;
    case OPT_TOP: {
      char *end;
      unsigned long long v = strtoull(optarg, &end, 10);
      if (!optarg[0] || *end || optarg[0] == '-' || v > 100000000ull) {
        cmd_msg("summary", "--top: '%.40s' is not a number from 0 to 100000000", optarg);
        return EXIT_USAGE;
      }
      top = (size_t)v;
      break;
    }
    case 'h':
      fputs(usage, stdout);
      return fflush(stdout) == 0 ? EXIT_CLEAN : EXIT_RUNTIME;
    case ':':
      cmd_msg("summary", "option '%s' needs a value", argv[optind - 1]);
      return EXIT_USAGE;
    default:
      cmd_msg("summary", "unknown option '%s' (see ptraudit summary --help)", argv[optind - 1]);
      return EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    cmd_msg("summary", "no report given (see ptraudit summary --help)");
    return EXIT_USAGE;
  }

  if (html && cmd_refuse_input_output("summary", "--html page", html, argv + optind,
                                      argc - optind))
    return EXIT_USAGE;

  char title[512] = "ptraudit summary:";
  int status = EXIT_CLEAN;
  int nreports = argc - optind;
  for (int i = optind; i < argc && status == EXIT_CLEAN; i++) {
    status = read_report(&x, argv[i]);
    if (i - optind < 4) title_add(title, sizeof title, strcmp(argv[i], "-") ? argv[i] : "stdin");
  }
  if (nreports > 4) {
    size_t len = strlen(title);
    snprintf(title + len, sizeof title - len, " and %d more", nreports - 4);
  }
  if (status != EXIT_CLEAN) {
    run_free(&x);
    return status;
  }
  summary_set_top(x.s, top);
  if (!html || strcmp(html, "-") != 0) {
    if (summary_print(x.s, stdout) < 0) {
      cmd_msg("summary", "standard output: write error");
      run_free(&x);
      return EXIT_RUNTIME;
    }
  }
  if (html) {
    char err[1024];
    if (summary_html(x.s, html, title, err, sizeof err) < 0) {
      cmd_msg("summary", "--html: %s", err);
      run_free(&x);
      return EXIT_RUNTIME;
    }
  }
  run_free(&x);
  return EXIT_CLEAN;
}
