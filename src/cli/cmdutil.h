/* SPDX-License-Identifier: MIT */
/*
 * cmdutil.h - what the commands share: the exit statuses of ptraudit and
 * of its subcommands (main.c, cmd_*.c), their messages on stderr, and the
 * input and output loops common to the subcommands that read reports
 * (diff, merge).
 *
 * Command-line code only: the functions here print to stderr, which
 * library modules never do (they fill an error buffer instead).
 */
#ifndef PTRAUDIT_CMDUTIL_H
#define PTRAUDIT_CMDUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

struct extsort;
struct report;
struct reportread;

/* Process exit statuses (ptraudit(1), "Exit status"). */
enum cmd_exit {
  PTA_EXIT_CLEAN = 0,    /* done, nothing at or above --fail-on (diff: nothing became worse) */
  PTA_EXIT_FINDINGS = 1, /* done, rows at or above --fail-on (diff: something became worse) */
  PTA_EXIT_USAGE = 2,    /* usage or input error */
  PTA_EXIT_RUNTIME = 3   /* runtime error (report not writable, resolver failure) */
};

/* 1 if paths a and b name the same file: the same device and inode when
 * both exist (symbolic links followed), else the same normalised absolute
 * path (the real path of the existing directory part, then the rest with
 * "." and ".." and repeated "/" folded), so that two outputs not created
 * yet are still told apart or found equal.  "-" equals only "-".  Cost: a
 * few stat/realpath calls. */
int cmd_same_file(const char *a, const char *b);

/* Refuse an output that is one of the n input files (cmd_same_file): print
 * "ptraudit CMD: the WHAT OUT is the same file as the input IN: refusing
 * to overwrite it" and return PTA_EXIT_USAGE; 0 if none is.  "-" (stdout) is
 * never an input file.  Cost: n cmd_same_file() calls. */
int cmd_refuse_input_output(const char *cmd, const char *what, const char *out,
                            char *const *inputs, int n);

/* Print "ptraudit CMD: " + fmt + a newline on stderr; cmd is the
 * subcommand's name ("diff").  O(message). */
void cmd_msg(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A usage error: cmd_msg(cmd, fmt, ...), a blank line, then the usage text,
 * all on stderr.  Returns PTA_EXIT_USAGE, for `return cmd_usage_error(...)`.
 * O(message + usage). */
int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the options the report subcommands share --------------------------
 * One table (cmdutil.c) for the options diff, merge and summary have in
 * common, so each has one spelling, one meaning and one range:
 *   -o, --output FILE    the output ("-" = stdout)
 *       --force          replace an existing output file
 *       --allow-truncated  read the complete rows of a gzip report that was
 *                        cut short (a killed run), with a warning; without
 *                        it such a report is an input error (exit 2)
 *       --sort-mem MIB   memory for sorting, CMD_SORT_MEM_MIN..MAX MiB
 *   -q, --quiet          no summary on stderr (errors and warnings still)
 *   -h, --help           the usage text on stdout (always accepted)
 * Options and operands may come in any order ("--" ends the options). */
enum cmd_optset {
  CMD_OPT_OUTPUT = 1u << 0,
  CMD_OPT_FORCE = 1u << 1,
  CMD_OPT_TRUNCATED = 1u << 2,
  CMD_OPT_SORT_MEM = 1u << 3,
  CMD_OPT_QUIET = 1u << 4,
};
#define CMD_SORT_MEM_MIN 1ul
#define CMD_SORT_MEM_MAX 1048576ul
#define CMD_SORT_MEM_DEFAULT 64ul
#define CMD_OPT_OWN 512 /* getopt values from here on are a command's own options */

/* The shared options' values; cmd_parse_opts() sets the defaults. */
struct cmd_opts {
  const char *output;         /* NULL when -o was not given */
  int force, allow_truncated, quiet;
  unsigned long sort_mem_mib; /* CMD_SORT_MEM_DEFAULT unless given */
};

struct option;

/* A command's own option `opt` (its getopt value) with its argument
 * (NULL if it takes none).  Returns 0, or an exit status after printing
 * the message. */
typedef int (*cmd_own_fn)(void *arg, int opt, const char *optarg);

/* Parse argv (argv[0] is the subcommand's name): the shared options in
 * `set` (enum cmd_optset; -h always), and the command's own long options
 * `own` (getopt_long entries with val >= CMD_OPT_OWN, ended by a zero
 * entry; may be NULL) through own_fn.  Returns -1 with optind at the first
 * operand (operands are moved to the end), or the exit status to return:
 * PTA_EXIT_CLEAN after -h printed the usage (PTA_EXIT_RUNTIME if stdout failed),
 * PTA_EXIT_USAGE after a usage error (message and usage on stderr), or
 * own_fn's status.  Cost: O(argc x options). */
int cmd_parse_opts(int argc, char **argv, const char *cmd, const char *usage, unsigned set,
                   const struct option *own, cmd_own_fn own_fn, void *own_arg,
                   struct cmd_opts *o);

/* How reading a report ended, the one rule of every report subcommand:
 * rc is reportread_next()'s last code and err its message.  rc >= 0: the
 * end, PTA_EXIT_CLEAN.  A gzip report cut short (UV_EOF): with allow_truncated
 * a warning (even with -q: the result is partial), *truncated = 1 and
 * PTA_EXIT_CLEAN; without, the error and a hint about --allow-truncated,
 * PTA_EXIT_USAGE.  Other errors: PTA_EXIT_RUNTIME for UV_ENOMEM, else PTA_EXIT_USAGE.
 * Messages go to stderr through cmd_msg(cmd, ...).  O(message). */
int cmd_report_end(const char *cmd, int rc, const char *err, int allow_truncated,
                   int *truncated);

/* Add every remaining row of rr to es, counting them in *rows.  A gzip
 * report cut short (reportread's UV_EOF) is accepted with a warning when
 * allow_truncated (*truncated is then set to 1), else it is an error with a
 * hint about --allow-truncated (cmd_report_end()).  Every message goes to
 * stderr through cmd_msg(cmd, ...).  rr stays open.  Returns PTA_EXIT_CLEAN, PTA_EXIT_USAGE (bad
 * input) or PTA_EXIT_RUNTIME (out of memory, extsort could not write).  Cost:
 * O(rows); memory is extsort's. */
int cmd_sort_report(const char *cmd, struct reportread *rr, struct extsort *es,
                    int allow_truncated, uint64_t *rows, int *truncated);

/* Copying report cells into a new report: cells read back from a report
 * are escaped already and report.c escapes every field it writes, so each
 * cell is unescaped (cell_unescape) into a buffer first.  The buffer
 * grows to the longest row and is reused.  Zero-initialise, then
 * cmd_rowcopy_init(). */
struct cmd_rowcopy {
  size_t n;       /* cells per row */
  char *buf;      /* the unescaped cells */
  size_t cap;
  const char **f; /* n pointers into buf */
  size_t *l;      /* n lengths */
  /* JSON lines (cmd_rowcopy_jsonl) */
  const char *const *names; /* column names (the caller's, kept) */
  enum schema_type *types;  /* each column's type (schema.h); NULL: CSV */
  unsigned char *nullable;  /* each column may be null */
  char *line;               /* one formatted object */
  size_t line_cap;
};

/* Room for rows of n cells.  0 or UV_ENOMEM.  Cost: two arrays of n. */
int cmd_rowcopy_init(struct cmd_rowcopy *rc, size_t n);

/* Write JSON lines instead of CSV from now on: objects with the keys
 * names[0..n) (kept by reference; must outlive rc), each value typed by
 * its column (schema.h, jsonl.h).  An empty cell of a nullable column is
 * null (a CSV cell cannot tell "none" from "not applicable").  0 or
 * UV_ENOMEM.  O(n). */
int cmd_rowcopy_jsonl(struct cmd_rowcopy *rc, const char *const *names);

/* Write the row f/l (rc->n cells; a NULL cell is empty) to rep, unescaped.
 * Returns report_write_fields()'s result, or UV_ENOMEM if the buffer could
 * not grow.  Cost: O(row length); allocates only to grow the buffer. */
int cmd_rowcopy_write(struct cmd_rowcopy *rc, struct report *rep, const char *const *f,
                      const size_t *l);

/* Free the buffers (rc itself is the caller's); rc may be all zeroes.
 * O(1). */
void cmd_rowcopy_free(struct cmd_rowcopy *rc);

#endif
