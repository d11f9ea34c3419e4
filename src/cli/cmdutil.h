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

struct extsort;
struct report;
struct reportread;

/* Process exit statuses (ptraudit(1), "Exit status"). */
enum cmd_exit {
  EXIT_CLEAN = 0,    /* done, nothing at or above --fail-on (diff: nothing became worse) */
  EXIT_FINDINGS = 1, /* done, rows at or above --fail-on (diff: something became worse) */
  EXIT_USAGE = 2,    /* usage or input error */
  EXIT_RUNTIME = 3   /* runtime error (report not writable, resolver failure) */
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
 * to overwrite it" and return EXIT_USAGE; 0 if none is.  "-" (stdout) is
 * never an input file.  Cost: n cmd_same_file() calls. */
int cmd_refuse_input_output(const char *cmd, const char *what, const char *out,
                            char *const *inputs, int n);

/* Print "ptraudit CMD: " + fmt + a newline on stderr; cmd is the
 * subcommand's name ("diff").  O(message). */
void cmd_msg(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A usage error: cmd_msg(cmd, fmt, ...), a blank line, then the usage text,
 * all on stderr.  Returns EXIT_USAGE, for `return cmd_usage_error(...)`.
 * O(message + usage). */
int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add every remaining row of rr to es, counting them in *rows.  A gzip
 * report cut short (reportread's UV_EOF) is accepted with a warning when
 * allow_truncated (*truncated is then set to 1), else it is an error with a
 * hint about --allow-truncated.  Every message goes to stderr through
 * cmd_msg(cmd, ...).  rr stays open.  Returns EXIT_CLEAN, EXIT_USAGE (bad
 * input) or EXIT_RUNTIME (out of memory, extsort could not write).  Cost:
 * O(rows); memory is extsort's. */
int cmd_sort_report(const char *cmd, struct reportread *rr, struct extsort *es,
                    int allow_truncated, uint64_t *rows, int *truncated);

/* Copying report cells into a new report: cells read back from a report
 * are escaped already and report.c escapes every field it writes, so each
 * cell is unescaped (reportread_unescape) into a buffer first.  The buffer
 * grows to the longest row and is reused.  Zero-initialise, then
 * cmd_rowcopy_init(). */
struct cmd_rowcopy {
  size_t n;       /* cells per row */
  char *buf;      /* the unescaped cells */
  size_t cap;
  const char **f; /* n pointers into buf */
  size_t *l;      /* n lengths */
};

/* Room for rows of n cells.  0 or UV_ENOMEM.  Cost: two arrays of n. */
int cmd_rowcopy_init(struct cmd_rowcopy *rc, size_t n);

/* Write the row f/l (rc->n cells; a NULL cell is empty) to rep, unescaped.
 * Returns report_write_fields()'s result, or UV_ENOMEM if the buffer could
 * not grow.  Cost: O(row length); allocates only to grow the buffer. */
int cmd_rowcopy_write(struct cmd_rowcopy *rc, struct report *rep, const char *const *f,
                      const size_t *l);

/* Free the buffers (rc itself is the caller's); rc may be all zeroes.
 * O(1). */
void cmd_rowcopy_free(struct cmd_rowcopy *rc);

#endif
