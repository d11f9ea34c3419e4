/* SPDX-License-Identifier: MIT */
/*
 * cmd_schema.c - `ptraudit schema`: print the JSON Schema (draft 2020-12)
 * of one row of a `--format jsonl` report, generated from the column table
 * (output/schema.h).  docs/report.schema.json is this output; a test
 * compares the two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdutil.h"
#include "commands.h"
#include "schema.h"

static const char schema_usage[] =
"Usage: ptraudit schema\n"
"\n"
"Print the JSON Schema (draft 2020-12) of one line of a JSON-lines report\n"
"(--format jsonl) of this version, schema version " "%d" ".\n";

int command_schema(int argc, char **argv) {
  if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    printf(schema_usage, SCHEMA_VERSION);
    return fflush(stdout) ? PTA_EXIT_RUNTIME : PTA_EXIT_CLEAN;
  }
  if (argc > 1) {
    cmd_msg("schema", "unexpected argument '%.64s'", argv[1]);
    return PTA_EXIT_USAGE;
  }
  size_t n = schema_json_schema(NULL, 0);
  char *buf = malloc(n + 1);
  if (!buf) {
    cmd_msg("schema", "out of memory");
    return PTA_EXIT_RUNTIME;
  }
  schema_json_schema(buf, n + 1);
  int bad = fwrite(buf, 1, n, stdout) != n || fflush(stdout) != 0;
  free(buf);
  if (bad) cmd_msg("schema", "cannot write to standard output");
  return bad ? PTA_EXIT_RUNTIME : PTA_EXIT_CLEAN;
}
