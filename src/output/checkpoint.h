/* SPDX-License-Identifier: MIT */
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
 * File format, version 2 (text, written through atomicfile.h):
 *   ptraudit-checkpoint 2
 *   fingerprint 0123456789abcdef   (exactly 16 lower-case hex digits)
 *   next 12345                     (decimal, no sign, no leading zero)
 *   pending 12001 12007 ...        (may be empty; strictly ascending, all
 *                                   below next; "pending" alone if none)
 *   report /abs/out.csv.gz.partial (the report these rows are in, escaped)
 * Every line ends in "\n"; the five lines come in this order, once each,
 * and nothing follows.  The report name is escaped so that no name can
 * forge a line: a backslash is "\\", and every byte below 0x20 or from
 * 0x7f up is "\xHH" (lower-case hex); nothing else is escaped, so each
 * checkpoint has exactly one spelling (checkpoint_format of what
 * checkpoint_parse accepted gives back the same bytes).  The
 * reader refuses anything else: a NUL anywhere, a CR, an unknown or
 * repeated key, a number out of range or with trailing text, a raw
 * control byte in the name.  Version 1 files (older ptraudit, whose report
 * line was not escaped) are refused with a message saying so.
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

#define CHECKPOINT_FILE_MAX (16u << 20) /* bytes; a real one is far smaller */

/* Parse a checkpoint held in buf[0..len) (any bytes) by the rules above;
 * `name` is used in messages.  0, or -EINVAL with "NAME:LINE: ..." in err,
 * or -ENOMEM.  On success free with checkpoint_free.  Pure, O(len). */
int checkpoint_parse(const char *buf, size_t len, const char *name, struct checkpoint *cp,
                     char *err, size_t errlen);

/* Read (at most CHECKPOINT_FILE_MAX bytes) and checkpoint_parse() a file.
 * 0, or -EINVAL with "FILE:LINE: ..." in err (also for a file that is not
 * a checkpoint or cannot be opened).  Free with checkpoint_free. */
int checkpoint_read(const char *path, struct checkpoint *cp, char *err, size_t errlen);

/* Format cp (sorting cp->pending) as the file text, malloc'd and
 * NUL-terminated, length (without the NUL) in *len.  -EINVAL if pending is not below next or a name holds a NUL (it
 * cannot: report is a C string), -ENOMEM.  O(npending). */
int checkpoint_format(struct checkpoint *cp, char **text, size_t *len);

/* Write atomically through atomicfile.h (temporary file, fsync, no-replace
 * rename, directory fsync); flags: ATOMICFILE_FORCE replaces an existing
 * file.  Sorts cp->pending. */
int checkpoint_write(const char *path, struct checkpoint *cp, unsigned flags, char *err,
                     size_t errlen);

/* Add `n` sequence numbers to cp's pending list (those at or above next are
 * ignored: they are not done anyway; duplicates are dropped).  For rows a
 * run wrote but lost to a write error.  0 or -ENOMEM.  O(n log n). */
int checkpoint_add_pending(struct checkpoint *cp, const uint64_t *seqs, size_t n);

/* 1 if seq was done by the run that wrote cp.  O(log npending). */
int checkpoint_done(const struct checkpoint *cp, uint64_t seq);

/* Combine a previous checkpoint with the state of a resumed run that has
 * started every seq below `started` and still has `inflight` (not done):
 * the result describes everything done by both runs.  O(n log n). */
int checkpoint_merge(const struct checkpoint *prev, uint64_t started, const uint64_t *inflight,
                     size_t ninflight, struct checkpoint *out);

void checkpoint_free(struct checkpoint *cp);

#endif
