/* SPDX-License-Identifier: MIT */
/*
 * options.h - the command line, parsed into a `struct config`.  Pure: no
 * I/O beyond reading argv; errors come back as UV_EINVAL with a message
 * naming the option and the value, so main() decides the exit status.
 */
#ifndef PTRAUDIT_OPTIONS_H
#define PTRAUDIT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "source.h"

enum run_action { ACTION_RUN = 0, ACTION_HELP, ACTION_VERSION };


struct config {
  enum run_action action;
  struct source_opts src;    /* the inputs (source.h) */
  struct scan_opts scan;     /* pacing, DNS, SMTP, row format (audit.h) */
  int dry_run;               /* --dry-run: show what would be scanned, send nothing */
  const char *resume;        /* --resume CHECKPOINT */
  const char *checkpoint;    /* --checkpoint FILE (default: REPORT.checkpoint) */
  /* output */
  const char *output;        /* -o; NULL = timestamped default */
  int force;                 /* --force: replace an existing file */
  const char *html;          /* --html FILE: summary page at the end */
  const char *dnsbl_file;    /* --dnsbl-file FILE: zones read by main */
  const char *previous;      /* --previous REPORT: the page's change since it */
  unsigned nresolvers;
  /* reporting */
  int quiet;
  unsigned status_interval;  /* --status-interval: seconds between status lines; 0 = none */
  const char *status_file;   /* --status-file FILE: JSON status lines appended */
  enum verdict_fail_on fail_on; /* --fail-on (verdict.h) */
};

/* Fill `c` from argv (getopt_long; operands may follow options or mix with
 * them).  Returns 0, or UV_EINVAL with a message in err ("--rate: 'x' is not
 * a number").  --help/--version set c->action and return 0 at once.  The
 * config points into argv, which must outlive it.  Cost: O(argc). */
int options_parse(struct config *c, int argc, char **argv, char *err, size_t errlen);

/* Free what options_parse allocated (the exclude lists). */
void options_free(struct config *c);

/* Fold every option that decides which targets are scanned, in what order
 * and into which columns (not pacing, timeouts or the output name) into a
 * 64-bit hash, starting from h: --resume refuses a run whose hash differs. */
uint64_t options_fingerprint(const struct config *c, uint64_t h);

/* The --help text. */
const char *options_usage(void);

#endif
