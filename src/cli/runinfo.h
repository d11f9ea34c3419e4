/* SPDX-License-Identifier: MIT */
/*
 * runinfo.h - the run metadata file (output/runmeta.h) filled from the
 * command line's config and the scan's counts: main.c calls it once a run
 * has ended, whatever the way (complete, stopped, failed, signalled).
 */
#ifndef PTRAUDIT_RUNINFO_H
#define PTRAUDIT_RUNINFO_H

#include <stdint.h>
#include <time.h>

#include "audit.h"
#include "options.h"

/* How the run ended. */
struct runinfo_end {
  int argc;
  char **argv;
  time_t started_at;
  int exit_status;
  int completed;           /* the report has its final name, every target written */
  const char *out;         /* -o (the final name); "-": no metadata file */
  const char *report_at;   /* where the rows are */
  const char *checkpoint;  /* the checkpoint written, or NULL */
  const struct audit_stats *st; /* NULL before the scan started */
};

/* Write OUT.meta.json (runmeta.h) for the run.  Nothing for -o - (the
 * report went to a pipe; the exit status says how it ended).  Returns 0,
 * or <0 after printing "ptraudit: cannot write ..." on stderr.  Cost: one
 * atomic file. */
int runinfo_write(const struct config *c, const struct runinfo_end *e);

#endif
