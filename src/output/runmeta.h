/* SPDX-License-Identifier: MIT */
/*
 * runmeta.h - the run metadata file written beside every report:
 * REPORT.meta.json (for -o out.csv.gz: out.csv.gz.meta.json), one JSON
 * object saying what the run was and how it ended, so a script can check
 * that a report is complete before it uses or merges it:
 *
 *   schema_version     integer, SCHEMA_VERSION (schema.h) of the report
 *   ptraudit_version   "0.2.0"
 *   completed          true only when every target was written and the
 *                      report has its final name
 *   exit_status        the process exit status (0, 1, 2, 3, 128+signal)
 *   report             path of the data file (the final name, or
 *                      NAME.partial when the run did not complete)
 *   checkpoint         path of the checkpoint written, or null
 *   format             "csv" or "jsonl"
 *   started_at, ended_at  RFC 3339 UTC
 *   argv               the command line, an array of strings
 *   options            object: option name -> effective value
 *   resolvers          array of "ADDR:PORT" ([] = the system's)
 *   rows               rows this run wrote
 *   verdicts           object: verdict -> rows (every verdict, 0 included)
 *
 * Written atomically (atomicfile.h), replacing an older file of that name.
 * Strings are JSON-escaped by jsonl_string() (raw text; invalid UTF-8 ->
 * U+FFFD).  docs/report-format.md documents the file.
 */
#ifndef PTRAUDIT_RUNMETA_H
#define PTRAUDIT_RUNMETA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "verdict.h"

enum runmeta_kind { RUNMETA_NULL = 0, RUNMETA_STRING, RUNMETA_NUMBER, RUNMETA_BOOL,
                    RUNMETA_STRINGS };

/* One option: a name and a value of the given kind. */
struct runmeta_opt {
  const char *name;
  enum runmeta_kind kind;
  const char *str;                /* RUNMETA_STRING */
  double num;                     /* RUNMETA_NUMBER (printed with %.15g); RUNMETA_BOOL: 0/1 */
  const char *const *strs;        /* RUNMETA_STRINGS: an array */
  size_t nstrs;
};

struct runmeta {
  const char *version;
  int completed;
  int exit_status;
  const char *report;
  const char *checkpoint;         /* NULL: null */
  const char *format;
  time_t started_at, ended_at;
  int argc;
  char *const *argv;
  const struct runmeta_opt *opts;
  size_t nopts;
  const char *resolvers;          /* c-ares CSV "a:53,[b]:53"; "" = none given */
  uint64_t rows;
  const uint64_t *verdicts;       /* VERDICT_COUNT counts, verdict.h order */
};

/* The path of the metadata file for the report `report` (its final name):
 * REPORT.meta.json into dst.  -ENAMETOOLONG if it does not fit. */
int runmeta_path(char *dst, size_t size, const char *report);

/* The JSON text (pretty-printed, ending in "\n") into dst like snprintf:
 * returns the length; >= size means cut (dst holds "" when size > 0).
 * Pure, O(size of the text). */
size_t runmeta_format(char *dst, size_t size, const struct runmeta *m);

/* Format and write to `path` atomically, replacing an existing file.
 * 0 or a negative errno with the message in err.  Cost: one allocation,
 * an atomic file (two fsyncs). */
int runmeta_write(const char *path, const struct runmeta *m, char *err, size_t errlen);

#endif
