/*
 * options.h - the command line, parsed into a `struct config`.  Pure: no
 * I/O beyond reading argv; errors come back as UV_EINVAL with a message
 * naming the option and the value, so main() decides the exit status.
 */
#ifndef PTRAUDIT_OPTIONS_H
#define PTRAUDIT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

enum fail_on { FAIL_ON_FAIL = 0, FAIL_ON_WARN, FAIL_ON_NEVER };
enum out_format { FORMAT_CSV = 0, FORMAT_JSONL };
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
  const char **excludes;     /* --exclude CIDR/range/address (repeatable) */
  size_t nexcludes;
  const char **exclude_files;/* --exclude-file FILE (repeatable) */
  size_t nexclude_files;
  unsigned shard_k, shard_n; /* --shard K/N (1 <= K <= N); 0/0 = no sharding */
  int seeded;                /* --seed given: permuted scan order */
  unsigned long long seed;
  int dry_run;               /* --dry-run: show what would be scanned, send nothing */
  const char *resume;        /* --resume CHECKPOINT */
  const char *checkpoint;    /* --checkpoint FILE (default: REPORT.checkpoint) */
  /* output */
  const char *output;        /* -o; NULL = timestamped default */
  int force;                 /* --force: replace an existing file */
  int ordered;               /* --ordered: rows in input order */
  enum out_format format;    /* --format csv|jsonl */
  const char *html;          /* --html FILE: summary page at the end */
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
  const char *ehlo;          /* --ehlo NAME: also send EHLO, record ehlo_host */
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

/* Free what options_parse allocated (the exclude lists). */
void options_free(struct config *c);

/* Fold every option that decides which targets are scanned, in what order
 * and into which columns (not pacing, timeouts or the output name) into a
 * 64-bit hash, starting from h: --resume refuses a run whose hash differs. */
uint64_t options_fingerprint(const struct config *c, uint64_t h);

/* The --help text. */
const char *options_usage(void);

#endif
