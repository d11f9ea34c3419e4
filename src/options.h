/*
 * options.h - the command line, parsed into a `struct config`.  Pure: no
 * I/O beyond reading argv; errors come back as UV_EINVAL with a message
 * naming the option and the value, so main() decides the exit status.
 */
#ifndef PTRAUDIT_OPTIONS_H
#define PTRAUDIT_OPTIONS_H

#include <stddef.h>

enum fail_on { FAIL_ON_FAIL = 0, FAIL_ON_WARN, FAIL_ON_NEVER };
enum run_action { ACTION_RUN = 0, ACTION_HELP, ACTION_VERSION };

#define OPTIONS_MAX_RESOLVERS 16

struct config {
  enum run_action action;
  /* inputs: TARGET operands (pointers into argv) or one inventory */
  char **targets;
  size_t ntargets;
  const char *inventory;     /* -i FILE or "-" */
  const char *ip_column;     /* --ip-column */
  const char *expect_column; /* --expect-column */
  int allow_huge;            /* --allow-huge: blocks beyond the target size limits */
  /* output */
  const char *output;        /* -o; NULL = timestamped default */
  int force;                 /* --force: replace an existing file */
  int ordered;               /* --ordered: rows in input order */
  /* DNS */
  char resolvers[OPTIONS_MAX_RESOLVERS * 56]; /* c-ares servers CSV; "" = system */
  unsigned nresolvers;
  unsigned dns_timeout_ms;
  unsigned dns_tries;
  unsigned channels;         /* c-ares channels (0 = automatic) */
  /* SMTP */
  int no_smtp;
  unsigned smtp_port;
  unsigned smtp_timeout_ms;
  /* pacing */
  double rate;               /* targets started per second; 0 = no cap */
  unsigned concurrency;
  /* reporting */
  int quiet;
  enum fail_on fail_on;
};

/* Fill `c` from argv (getopt_long; operands may follow options or mix with
 * them).  Returns 0, or UV_EINVAL with a message in err ("--rate: 'x' is not
 * a number").  --help/--version set c->action and return 0 at once.  The
 * config points into argv, which must outlive it.  Cost: O(argc). */
int options_parse(struct config *c, int argc, char **argv, char *err, size_t errlen);

/* Append one --resolver value (ADDR, ADDR:PORT, [V6ADDR]:PORT or bare V6ADDR)
 * to c->resolvers in c-ares CSV form.  Returns 0 or UV_EINVAL. */
int options_add_resolver(struct config *c, const char *spec, char *err, size_t errlen);

/* The --help text. */
const char *options_usage(void);

#endif
