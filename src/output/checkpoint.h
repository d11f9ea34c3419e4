/*
 * checkpoint.h - what an interrupted run had done, so --resume can finish
 * it with every target reported exactly once across the two reports.
 *
 * Targets are identified by their sequence number in the input stream
 * (source.h), which is the same for the same inputs and options: that is
 * what the fingerprint guards.  A checkpoint says "every sequence number
 * below `next` is done, except those listed as pending".  The pending list
 * holds only the targets that were in flight when the run stopped, so it is
 * bounded by the concurrency (plus, with --ordered, the reorder window),
 * never by the number of targets.
 *
 * File format (text, one key per line, written atomically via rename):
 *   ptraudit-checkpoint 1
 *   fingerprint 0123456789abcdef
 *   next 12345
 *   pending 12001 12007 ...      (may be empty; sorted ascending)
 *   report out.csv.gz            (informational: the report these rows are in)
 */
#ifndef PTRAUDIT_CHECKPOINT_H
#define PTRAUDIT_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

struct checkpoint {
  uint64_t fingerprint;
  uint64_t next;       /* every seq < next is done unless pending */
  uint64_t *pending;   /* sorted ascending, all < next */
  size_t npending;
  char report[4096];
};

/* Read and validate a checkpoint file.  0, or -EINVAL with "FILE:LINE:
 * ..." in err (also for a file that is not a checkpoint), or another
 * negative code for I/O.  Free with checkpoint_free. */
int checkpoint_read(const char *path, struct checkpoint *cp, char *err, size_t errlen);

/* Write atomically (temporary file, fsync, rename).  Sorts cp->pending. */
int checkpoint_write(const char *path, struct checkpoint *cp, char *err, size_t errlen);

/* 1 if seq was done by the run that wrote cp.  O(log npending). */
int checkpoint_done(const struct checkpoint *cp, uint64_t seq);

/* Combine a previous checkpoint with the state of a resumed run that has
 * started every seq below `started` and still has `inflight` (not done):
 * the result describes everything done by both runs.  O(n log n). */
int checkpoint_merge(const struct checkpoint *prev, uint64_t started, const uint64_t *inflight,
                     size_t ninflight, struct checkpoint *out);

void checkpoint_free(struct checkpoint *cp);

#endif
