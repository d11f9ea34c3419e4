/* SPDX-License-Identifier: MIT */
/*
 * source.h - the stream of targets: TARGET operands (addresses, CIDR blocks,
 * ranges, @FILE lists, "-" for stdin) or one CSV inventory, turned into one
 * address at a time.  Nothing is expanded in memory: a /8 costs the same
 * memory as a single address.
 *
 * Every target gets a sequence number (its 0-based position in the stream
 * this process yields); ordered output and checkpoints are defined on it.
 *
 * --shard K/N keeps the positions p (counted over the whole input, before any
 * skipping) with p mod N == K-1, so N processes given the same inputs cover
 * every target exactly once, balanced even for a single block.  --seed S
 * walks each block or range in a keyed pseudo-random order (permute.h)
 * instead of ascending; shards are taken on that order.
 *
 * --exclude / --exclude-file always win: excluded addresses are never
 * yielded for probing (inventory rows come back as TARGET_SKIPPED).
 *
 * Addresses inside IANA special-purpose blocks (private, loopback,
 * documentation, ...) are skipped, and counted, when they are part of a wider
 * target; a target that lies wholly inside such a block is scanned because
 * the user named it.
 */
#ifndef PTRAUDIT_SOURCE_H
#define PTRAUDIT_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"

/* What to read and how to walk it (the command line fills it). */
struct source_opts {
  /* TARGET operands or one inventory */
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
  int nonblocking;           /* source_next may return -EAGAIN (the caller polls
                                source_wait_fd); 0: source_next waits itself */
};

enum target_kind {
  TARGET_ADDR = 0,   /* probe this address */
  TARGET_INVALID,    /* an inventory row whose IP cell is not an address */
  TARGET_SKIPPED     /* an inventory row whose address is excluded (--exclude):
                        reported with verdict skipped, never probed */
};

struct target {
  uint64_t seq;
  enum target_kind kind;
  struct addr addr;
  const char *text;          /* the IP cell as given (inventory) or NULL */
  size_t text_len;
  const char *expected;      /* expected PTR (inventory) or NULL */
  size_t expected_len;
  size_t nextra;             /* passthrough cells, source_extra_count() of them */
  const char *const *extra;
  const size_t *extra_len;
  const char *origin;        /* file name or "argument" */
  unsigned long line;        /* line (or argument number) the target came from */
};

struct source;

/* Open the inputs named by `c`.  Validates every input that can be read
 * twice (operands, regular @FILEs, a regular inventory file) in full before
 * returning, so bad input is reported before anything is scanned; inputs
 * that can be read once only (stdin, pipes, FIFOs, terminals, character
 * devices, /dev/stdin) are opened once, by the run, and validated as they
 * stream (an error there stops the run at that line).  An inventory's
 * header is waited for here (the report's columns come from it); c is
 * kept and must outlive the source.  Returns 0, or -EINVAL (bad input:
 * err names file, line and field) or another negative code (I/O).
 * Cost: one pass over the re-readable inputs. */
int source_open(struct source **out, const struct source_opts *c, char *err, size_t errlen);

/* Next target.  Returns 1 and fills *t (pointers valid until the next call),
 * 0 at the end, or a negative code with err naming file, line and field.
 * With opts.nonblocking, -EAGAIN means "no complete target available yet"
 * (a pipe, FIFO, terminal or stdin that is quiet; err untouched): poll
 * source_wait_fd() for readability and call again - the stream resumes
 * where it stopped, a half-read line or CSV row included.  Without it,
 * source_next waits in poll() itself.  Never blocks in read(): every
 * non-regular input is read by a thread (instream.h).  O(1) per target. */
int source_next(struct source *s, struct target *t, char *err, size_t errlen);

/* The descriptor to poll for readability after source_next returned
 * -EAGAIN, or -1 when the current input never makes it wait (a regular
 * file, operands).  It can change from one input to the next: ask again
 * after each -EAGAIN.  Private to the source (not stdin itself), so a
 * poller may set O_NONBLOCK on it (uv_poll_init does).  O(1). */
int source_wait_fd(const struct source *s);

/* Positions the stream will walk (targets plus the special-purpose and
 * excluded addresses inside blocks, this shard's share), known after
 * source_open: 1 if *total was set (no stdin or pipe among the inputs),
 * else 0.  Counts never wrap: the input can hold more than 2^64 addresses
 * (three --allow-huge /64s), so source_total_exact gives the 128-bit count
 * and source_total saturates at UINT64_MAX (a run that long never ends,
 * so a progress total need not be exact).  O(1). */
int source_total(const struct source *s, uint64_t *total);
int source_total_exact(const struct source *s, unsigned __int128 *total);

/* Addresses skipped so far because they lie in special-purpose blocks, and
 * because they were excluded (this shard's share only).  128-bit: one
 * excluded /64 is 2^64 addresses skipped at once.  Print them with
 * span_count_text (target.h).  O(1). */
unsigned __int128 source_skipped_special(const struct source *s);
unsigned __int128 source_skipped_excluded(const struct source *s);

/* A 64-bit fingerprint of the inputs (operands and the bytes of every file
 * read), for --resume.  Returns 1 and sets *fp, or 0 when an input is a pipe
 * or stdin (such a run cannot be resumed). */
int source_fingerprint(const struct source *s, uint64_t *fp);

/* Inventory passthrough columns (0 without an inventory). */
size_t source_extra_count(const struct source *s);
const char *source_extra_name(const struct source *s, size_t i);

/* The descriptor to wait on for readability after source_next returned
 * -EAGAIN, or -1.  O(1). */
int source_wait_fd(const struct source *s);

void source_close(struct source *s);

#endif
