/* SPDX-License-Identifier: MIT */
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
#include "schema.h"

static const char merge_usage[] =
"Usage: ptraudit merge -o OUT [OPTIONS] REPORT...\n"
"\n"
"Combine reports (ptraudit CSV or JSON lines, plain or gzip; e.g. the shards\n"
"of one run)\n"
"into one report: every target once, ordered by address (IPv4 before IPv6,\n"
"numerically; rows whose ip is not an address last), same header.\n"
"\n"
"  -o, --output FILE     the merged report (required); *.gz = gzip, '-' = stdout\n"
"      --format FMT      csv or jsonl (default: jsonl when FILE ends in .jsonl\n"
"                        or .jsonl.gz, else csv)\n"
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
  int jsonl;               /* write JSON lines (else CSV) */
};

/* The first input fixes the header and creates the sorter. */
static int take_header(struct merge *m, struct reportread *rr, const char *path) {
  char err[1024];
  int ip = reportread_col(rr, schema_name(SCHEMA_IP));
  int t = reportread_col(rr, schema_name(SCHEMA_CHECKED_AT));
  if (ip < 0) {
    cmd_msg("merge", "%s: not a ptraudit report: no column '%s' in the header",
            reportread_path(rr), schema_name(SCHEMA_IP));
    return PTA_EXIT_USAGE;
  }
  m->ncols = reportread_ncols(rr);
  m->first = path;
  m->names = calloc(m->ncols, sizeof *m->names);
  if (!m->names || cmd_rowcopy_init(&m->copy, m->ncols) < 0) goto nomem;
  for (size_t i = 0; i < m->ncols; i++)
    if (!(m->names[i] = strdup(reportread_colname(rr, i)))) goto nomem;
  if (m->jsonl && cmd_rowcopy_jsonl(&m->copy, (const char *const *)m->names) < 0) goto nomem;
  if (extsort_open(&m->es, m->ncols, (size_t)ip, t, m->mem, err, sizeof err) < 0) {
    cmd_msg("merge", "%s", err);
    return PTA_EXIT_RUNTIME;
  }
  extsort_set_unique(m->es, 1);
  return 0;
nomem:
  cmd_msg("merge", "out of memory");
  return PTA_EXIT_RUNTIME;
}

static int same_header(const struct merge *m, struct reportread *rr) {
  size_t n = reportread_ncols(rr);
  if (n != m->ncols) {
    cmd_msg("merge",
            "%s: header has %zu columns, %s has %zu: merge needs reports with the same header",
            reportread_path(rr), n, m->first, m->ncols);
    return PTA_EXIT_USAGE;
  }
  for (size_t i = 0; i < n; i++)
    if (strcmp(reportread_colname(rr, i), m->names[i])) {
      cmd_msg("merge",
              "%s: header column %zu is '%.64s', in %s it is '%.64s': merge needs reports "
              "with the same header",
              reportread_path(rr), i + 1, reportread_colname(rr, i), m->first, m->names[i]);
      return PTA_EXIT_USAGE;
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
    return rc == UV_ENOMEM ? PTA_EXIT_RUNTIME : PTA_EXIT_USAGE;
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

/* The header, then every target's row in address order.  Returns an
 * exit status; the output is not closed. */
static int write_rows(struct merge *m, struct report *rep, uint64_t *targets) {
  const char *const *f;
  const size_t *l;
  char err[1024] = "";
  int rc;
  size_t *hl = calloc(m->ncols, sizeof *hl);
  if (!hl) {
    rc = UV_ENOMEM;
  } else if (m->jsonl) { /* JSON lines: the names are in every object */
    free(hl);
    rc = 0;
  } else {
    for (size_t i = 0; i < m->ncols; i++) hl[i] = strlen(m->names[i]);
    rc = cmd_rowcopy_write(&m->copy, rep, (const char *const *)m->names, hl);
    free(hl);
  }
  while (rc == 0 && (rc = extsort_next(m->es, &f, &l, err, sizeof err)) == 1) {
    (*targets)++;
    rc = cmd_rowcopy_write(&m->copy, rep, f, l);
  }
  if (rc < 0) {
    /* extsort's message, or the report's sticky one */
    cmd_msg("merge", "%s", report_error(rep)[0] ? report_error(rep) : err);
    return PTA_EXIT_RUNTIME;
  }
  return PTA_EXIT_CLEAN;
}

/* Every input into the sorter, one after the other.  An exit status. */
static int load_all(struct merge *m, int ninputs, char **inputs) {
  char err[1024];
  int status = 0;
  for (int i = 0; i < ninputs && !status; i++) status = load(m, inputs[i]);
  if (!status && extsort_finish(m->es, err, sizeof err) < 0) {
    cmd_msg("merge", "%s", err);
    status = PTA_EXIT_RUNTIME;
  }
  return status;
}

static void print_done(const struct merge *m, int ninputs, const char *out, uint64_t targets) {
  uint64_t dup = extsort_duplicates(m->es);
  cmd_msg("merge", "%d report%s, %llu row%s -> %llu target%s in %s", ninputs,
          ninputs == 1 ? "" : "s", (unsigned long long)m->rows, m->rows == 1 ? "" : "s",
          (unsigned long long)targets, targets == 1 ? "" : "s", strcmp(out, "-") ? out : "stdout");
  if (dup)
    fprintf(stderr, "  %llu duplicate row%s dropped (kept the latest checked_at)\n",
            (unsigned long long)dup, dup == 1 ? "" : "s");
  if (m->truncated)
    fprintf(stderr, "  %u report%s cut short: only complete rows were merged\n", m->truncated,
            m->truncated == 1 ? " was" : "s were");
}

enum { OPT_FORMAT = CMD_OPT_OWN };

/* merge's own option, --format (cmdutil.h's cmd_own_fn). */
static int own_option(void *arg, int opt, const char *val) {
  int *jsonl = arg;
  (void)opt;
  if (strcmp(val, "csv") && strcmp(val, "jsonl")) {
    cmd_msg("merge", "--format: '%.40s' is not csv or jsonl", val);
    return PTA_EXIT_USAGE;
  }
  *jsonl = !strcmp(val, "jsonl");
  return 0;
}

/* The output's format from its name: JSON lines for *.jsonl[.gz]. */
static int jsonl_by_name(const char *out) {
  size_t n = strlen(out);
  return (n > 6 && !strcmp(out + n - 6, ".jsonl")) || (n > 9 && !strcmp(out + n - 9, ".jsonl.gz"));
}

int command_merge(int argc, char **argv) {
  static const struct option longopts[] = {
    {"format", required_argument, NULL, OPT_FORMAT},
    {NULL, 0, NULL, 0},
  };
  int jsonl = -1;
  struct cmd_opts o;
  struct merge m;
  struct report *rep;
  char err[1024];
  int stdin_seen = 0;
  uint64_t targets = 0;
  int status = cmd_parse_opts(argc, argv, "merge", merge_usage,
                              CMD_OPT_OUTPUT | CMD_OPT_FORCE | CMD_OPT_TRUNCATED |
                                  CMD_OPT_SORT_MEM | CMD_OPT_QUIET,
                              longopts, own_option, &jsonl, &o);
  if (status >= 0) return status;
  if (!o.output)
    return cmd_usage_error("merge", merge_usage, "-o OUT is required ('-o -' writes to stdout)");
  if (optind >= argc) return cmd_usage_error("merge", merge_usage, "no reports to merge");
  for (int i = optind; i < argc; i++)
    if (!strcmp(argv[i], "-") && stdin_seen++)
      return cmd_usage_error("merge", merge_usage, "'-' (stdin) can be given only once");
  memset(&m, 0, sizeof m);
  m.allow_trunc = o.allow_truncated;
  m.quiet = o.quiet;
  m.mem = (size_t)o.sort_mem_mib * 1024 * 1024;
  m.jsonl = jsonl >= 0 ? jsonl : jsonl_by_name(o.output);

  if (cmd_refuse_input_output("merge", "output", o.output, argv + optind, argc - optind))
    return PTA_EXIT_USAGE;
  /* Open the output first: an unwritable place is found before the work. */
  if (report_open(&rep, o.output, o.force ? REPORT_FORCE : 0, err, sizeof err) < 0) {
    cmd_msg("merge", "%s", err);
    return PTA_EXIT_USAGE;
  }
  status = load_all(&m, argc - optind, argv + optind);
  if (!status) status = write_rows(&m, rep, &targets);
  if (status) {
    report_close(rep, 0, NULL, 0);
    merge_free(&m);
    return status;
  }
  if (report_close(rep, 1, err, sizeof err) < 0) {
    cmd_msg("merge", "%s", err);
    merge_free(&m);
    return PTA_EXIT_RUNTIME;
  }
  if (!m.quiet) print_done(&m, argc - optind, o.output, targets);
  merge_free(&m);
  return PTA_EXIT_CLEAN;
}
