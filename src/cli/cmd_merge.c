/*
 * cmd_merge.c - `ptraudit merge -o OUT REPORT...`: one report from shards
 * (or from any reports with the same header), every target once, in
 * address order.
 *
 * Approach (bounded memory): every input row goes through one extsort in
 * unique mode, keyed by the ip cell and checked_at; inputs are read one
 * after the other, so one input is open at a time however many shards
 * there are.  Memory is --sort-mem (default 64 MiB) plus merge buffers;
 * beyond it rows go to temporary gzip runs in $TMPDIR.
 *
 * Tie rule: a target in several inputs (or several times in one) keeps the
 * row with the latest checked_at; on equal checked_at the row read last
 * wins (the later input on the command line, the later line in a file).
 * The header is the inputs' header unchanged, passthrough columns
 * included; every input must have exactly the same header.  A report
 * without a checked_at column merges by input order alone.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cmdutil.h"
#include "commands.h"
#include "extsort.h"
#include "report.h"
#include "reportread.h"

static const char merge_usage[] =
"Usage: ptraudit merge -o OUT [OPTIONS] REPORT...\n"
"\n"
"Combine reports (ptraudit CSV, plain or gzip; e.g. the shards of one run)\n"
"into one report: every target once, ordered by address (IPv4 before IPv6,\n"
"numerically; rows whose ip is not an address last), same header.\n"
"\n"
"  -o, --output FILE     the merged report (required); *.gz = gzip, '-' = stdout\n"
"      --force           replace an existing output file\n"
"      --allow-truncated use the complete rows of a report that was cut short\n"
"                        (a killed run's gzip member, a last row without a\n"
"                        line end) instead of failing\n"
"      --sort-mem MIB    memory for sorting (default 64); more rows go to\n"
"                        temporary files in $TMPDIR\n"
"  -q, --quiet           no summary on stderr (errors and warnings still)\n"
"  -h, --help            this help\n"
"\n"
"A target in several reports (or several times in one) keeps the row with\n"
"the latest checked_at; on a tie, the one read last (later REPORT argument,\n"
"later line).  All reports must have the same header.\n"
"\n"
"Exit status: 0 merged; 2 usage or input error (file and line named, nothing\n"
"written); 3 the output or a temporary file could not be written.\n";

struct merge {
  size_t ncols;
  char **names;         /* header of the first input */
  const char *first;    /* its path, for messages */
  struct extsort *es;
  size_t mem;
  int allow_trunc, quiet;
  unsigned truncated;
  uint64_t rows;
  struct cmd_rowcopy copy; /* unescaped copy of a row */
};

/* The first input fixes the header and creates the sorter. */
static int take_header(struct merge *m, struct reportread *rr, const char *path) {
  char err[1024];
  int ip = reportread_col(rr, "ip"), t = reportread_col(rr, "checked_at");
  if (ip < 0) {
    cmd_msg("merge", "%s: not a ptraudit report: no column 'ip' in the header",
            reportread_path(rr));
    return EXIT_USAGE;
  }
  m->ncols = reportread_ncols(rr);
  m->first = path;
  m->names = calloc(m->ncols, sizeof *m->names);
  if (!m->names || cmd_rowcopy_init(&m->copy, m->ncols) < 0) goto nomem;
  for (size_t i = 0; i < m->ncols; i++)
    if (!(m->names[i] = strdup(reportread_colname(rr, i)))) goto nomem;
  if (extsort_open(&m->es, m->ncols, (size_t)ip, t, m->mem, err, sizeof err) < 0) {
    cmd_msg("merge", "%s", err);
    return EXIT_RUNTIME;
  }
  extsort_set_unique(m->es, 1);
  return 0;
nomem:
  cmd_msg("merge", "out of memory");
  return EXIT_RUNTIME;
}

static int same_header(const struct merge *m, struct reportread *rr) {
  size_t n = reportread_ncols(rr);
  if (n != m->ncols) {
    cmd_msg("merge",
            "%s: header has %zu columns, %s has %zu: merge needs reports with the same header",
            reportread_path(rr), n, m->first, m->ncols);
    return EXIT_USAGE;
  }
  for (size_t i = 0; i < n; i++)
    if (strcmp(reportread_colname(rr, i), m->names[i])) {
      cmd_msg("merge",
              "%s: header column %zu is '%.64s', in %s it is '%.64s': merge needs reports "
              "with the same header",
              reportread_path(rr), i + 1, reportread_colname(rr, i), m->first, m->names[i]);
      return EXIT_USAGE;
    }
  return 0;
}

/* Read one input into the sorter.  Returns an exit status (0 = loaded). */
static int load(struct merge *m, const char *path) {
  struct reportread *rr;
  char err[1024];
  int rc, status, truncated = 0;

  rc = reportread_open(&rr, path, err, sizeof err);
  if (rc < 0) {
    cmd_msg("merge", "%s", err);
    return rc == UV_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
  }
  status = m->es ? same_header(m, rr) : take_header(m, rr, path);
  if (status) {
    reportread_close(rr);
    return status;
  }
  status = cmd_sort_report("merge", rr, m->es, m->allow_trunc, &m->rows, &truncated);
  reportread_close(rr);
  m->truncated += (unsigned)truncated;
  return status;
}

static void merge_free(struct merge *m) {
  extsort_close(m->es);
  if (m->names)
    for (size_t i = 0; i < m->ncols; i++) free(m->names[i]);
  free(m->names);
  cmd_rowcopy_free(&m->copy);
}

int command_merge(int argc, char **argv) {
  enum { OPT_FORCE = 256, OPT_TRUNC, OPT_MEM };
  static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, OPT_FORCE},
    {"allow-truncated", no_argument, NULL, OPT_TRUNC},
    {"sort-mem", required_argument, NULL, OPT_MEM},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
  };
  const char *out = NULL;
  int force = 0, c, status = 0, stdin_seen = 0;
  unsigned long mem_mib = 64;
  struct merge m;
  struct report *rep;
  char err[1024];

  memset(&m, 0, sizeof m);
  opterr = 0;
  optind = 0; /* GNU: reinitialise; argv[0] is "merge" */
  while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'o': out = optarg; break;
    case OPT_FORCE: force = 1; break;
    case OPT_TRUNC: m.allow_trunc = 1; break;
    case OPT_MEM: {
      char *end;
      mem_mib = strtoul(optarg, &end, 10);
      if (*optarg < '0' || *optarg > '9' || *end || mem_mib < 1 || mem_mib > 1048576)
        return cmd_usage_error("merge", merge_usage,
                               "--sort-mem: '%s' is not a number of MiB from 1 to 1048576", optarg);
      break;
    }
    case 'q': m.quiet = 1; break;
    case 'h': fputs(merge_usage, stdout); return EXIT_CLEAN;
    case ':': return cmd_usage_error("merge", merge_usage, "%s needs a value", argv[optind - 1]);
    default:
      if (optopt) return cmd_usage_error("merge", merge_usage, "unknown option '-%c'", optopt);
      return cmd_usage_error("merge", merge_usage, "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (!out)
    return cmd_usage_error("merge", merge_usage, "-o OUT is required ('-o -' writes to stdout)");
  if (optind >= argc) return cmd_usage_error("merge", merge_usage, "no reports to merge");
  for (int i = optind; i < argc; i++)
    if (!strcmp(argv[i], "-") && stdin_seen++)
      return cmd_usage_error("merge", merge_usage, "'-' (stdin) can be given only once");
  m.mem = (size_t)mem_mib * 1024 * 1024;

  if (cmd_refuse_input_output("merge", "output", out, argv + optind, argc - optind))
    return EXIT_USAGE;
  /* Open the output first: an unwritable place is found before the work. */
  if (report_open(&rep, out, force ? REPORT_FORCE : 0, err, sizeof err) < 0) {
    cmd_msg("merge", "%s", err);
    return EXIT_USAGE;
  }
  for (int i = optind; i < argc && !status; i++) status = load(&m, argv[i]);
  if (!status && extsort_finish(m.es, err, sizeof err) < 0) {
    cmd_msg("merge", "%s", err);
    status = EXIT_RUNTIME;
  }
  if (status) {
    report_close(rep, 0, NULL, 0);
    merge_free(&m);
    return status;
  }

  const char *const *f;
  const size_t *l;
  uint64_t targets = 0;
  int rc = 0;
  {
    size_t *hl = calloc(m.ncols, sizeof *hl);
    if (!hl) {
      rc = UV_ENOMEM;
    } else {
      for (size_t i = 0; i < m.ncols; i++) hl[i] = strlen(m.names[i]);
      rc = cmd_rowcopy_write(&m.copy, rep, (const char *const *)m.names, hl);
      free(hl);
    }
  }
  while (rc == 0 && (rc = extsort_next(m.es, &f, &l, err, sizeof err)) == 1) {
    targets++;
    rc = cmd_rowcopy_write(&m.copy, rep, f, l);
  }
  if (rc < 0) {
    /* extsort's message, or the report's sticky one */
    cmd_msg("merge", "%s", report_error(rep)[0] ? report_error(rep) : err);
    report_close(rep, 0, NULL, 0);
    merge_free(&m);
    return EXIT_RUNTIME;
  }
  if (report_close(rep, 1, err, sizeof err) < 0) {
    cmd_msg("merge", "%s", err);
    merge_free(&m);
    return EXIT_RUNTIME;
  }
  if (!m.quiet) {
    uint64_t dup = extsort_duplicates(m.es);
    cmd_msg("merge", "%d report%s, %llu rows -> %llu targets in %s", argc - optind,
            argc - optind == 1 ? "" : "s", (unsigned long long)m.rows,
            (unsigned long long)targets, strcmp(out, "-") ? out : "stdout");
    if (dup)
      fprintf(stderr, "  %llu duplicate row%s dropped (kept the latest checked_at)\n",
              (unsigned long long)dup, dup == 1 ? "" : "s");
    if (m.truncated)
      fprintf(stderr, "  %u report%s cut short: only complete rows were merged\n",
              m.truncated, m.truncated == 1 ? " was" : "s were");
  }
  merge_free(&m);
  return EXIT_CLEAN;
}
