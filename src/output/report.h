/* SPDX-License-Identifier: MIT */
/*
 * report.h - the report writer: CSV records, plain or gzip, written under a
 * temporary name and renamed into place.
 *
 * Records: csvrow.h (RFC 4180 quoting after cell_escape, "\n" line ends).
 *
 * Output files:
 *   - path "-": plain CSV to standard output (fd 1; the report owns fd 1
 *     while open, so write nothing else to stdout meanwhile).  Never closed.
 *   - a name ending in ".gz": gzip; anything else: plain CSV.
 *   - The data goes to a temporary file created by atomicfile.h
 *     (".NAME.tmp.XXXXXXXXXXXX" in the final name's directory, random,
 *     O_EXCL|O_NOFOLLOW) and report_close() renames it: to NAME for a
 *     complete run, to "NAME.partial" (report_partial_path) for a run that
 *     stopped with targets left or hit a write error.
 *   - Existing final path, or existing NAME.partial: a regular file or a
 *     symbolic link is refused (-EEXIST) unless REPORT_FORCE.  With
 *     REPORT_FORCE the rename replaces the directory entry itself: a
 *     symlink is replaced by the report, never written through, and its
 *     target is left untouched.  Anything else (directory, device, FIFO,
 *     socket) is always refused: use "-" for standard output.  Without
 *     REPORT_FORCE the final rename also refuses to replace a file that
 *     appeared during the run (atomicfile.h: no-replace rename).
 *
 * Write errors (disk full, file size limit, broken pipe): the output is
 * cut back at close to the last point where it ended on a record boundary
 * (plain: the last complete write of the buffer; gzip: the last finished
 * member), so a reader never sees a torn last row, and the file gets the
 * partial name.  The records written after that point are "lost": a
 * caller that tags each record (report_tag) learns which through
 * report_lost() and can record them in a checkpoint as not done.
 *
 * Crash safety: the output is cut into complete "members" every
 * REPORT_MEMBER_ROWS records or REPORT_MEMBER_MS milliseconds (checked on
 * each write against the monotonic clock; call report_flush() from a timer
 * when rows may stop coming).  For gzip a member is a complete gzip stream
 * (gzflush Z_FINISH), so after a SIGKILL `zcat` of the temporary file
 * recovers every record up to the last member boundary; for plain files it
 * is a write(2) of everything buffered.  Members always end on a record
 * boundary.
 *
 * Errors: every function returns 0 or a negative code (UV_E* from uv.h, for
 * I/O errors the errno translated with uv_translate_sys_error, e.g.
 * -ENOSPC on a full disk).  The first error is sticky: later writes
 * return it at once, and report_error() says what went wrong.
 *
 * Cost: no allocation per record; one output buffer and one formatting
 * buffer that grows to the longest record once.
 */
#ifndef PTRAUDIT_REPORT_H
#define PTRAUDIT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "csvrow.h"

#define REPORT_FORCE 1u /* replace an existing file or symlink at the path */
#define REPORT_GZIP 2u  /* report_open_fd(): gzip the output */

/* report_close() modes. */
#define REPORT_DISCARD 0  /* unlink the temporary file */
#define REPORT_COMPLETE 1 /* every target is in: rename to the final name */
#define REPORT_PARTIAL 2  /* targets are left: rename to NAME.partial */

#define REPORT_NO_TAG UINT64_MAX /* a record without report_tag() */

#define REPORT_MEMBER_ROWS 10000 /* records per gzip member, at most */
#define REPORT_MEMBER_MS 2000    /* milliseconds per gzip member, about */

struct report;

/* Open a report at `path` ("-" for stdout) as described above.  Checks the
 * final path (exists, symlink, not a regular file) and creates the
 * temporary file now, so an unwritable directory is reported before any
 * work is done.  Returns 0, -EEXIST (exists; err says how to override),
 * -EINVAL (bad path), or the translated errno of the failing call; err
 * gets a one-line message naming the path and the system's reason. */
int report_open(struct report **out, const char *path, unsigned flags, char *err,
                size_t errlen);

/* Open a report on an already open descriptor `fd` (e.g. a pipe, or
 * /dev/full in tests).  No temporary file, no rename; `name` is used in
 * messages.  flags: REPORT_GZIP.  report_close() closes fd unless it is
 * 0, 1 or 2. */
int report_open_fd(struct report **out, int fd, const char *name, unsigned flags, char *err,
                   size_t errlen);

/* Change the member limits (rows, milliseconds; 0 keeps the current
 * value).  For tests and for callers that want smaller members. */
void report_set_member(struct report *r, unsigned rows, unsigned ms);

/* csvrow_format() (csvrow.h) under the report's name: one record into dst,
 * snprintf-style.  Pure, O(total length), no allocation. */
static inline size_t report_format(char *dst, size_t size, const char *const *fields,
                                   const size_t *lens, size_t n) {
  return csvrow_format(dst, size, fields, lens, n); /* csvrow.h */
}

/* Format one record (as report_format) and write it.  0 or <0. */
int report_write_fields(struct report *r, const char *const *fields, const size_t *lens,
                        size_t n);

/* Write one record already formatted by report_format() (len bytes, ending
 * in "\n"; counted as one record for the member limits).  0 or <0. */
int report_write_raw(struct report *r, const char *line, size_t len);

/* End the current member now if anything was written since the last one
 * (gzip: finish the gzip stream; plain: write out the buffer).  Cheap when
 * there is nothing new; meant for a periodic timer.  0 or <0. */
int report_flush(struct report *r);

/* Finish and free the report (r may be NULL).  commit:
 *   REPORT_COMPLETE: end the last member, fsync, close, and rename the
 *     temporary file to the final path (atomicfile_commit).
 *   REPORT_PARTIAL: the same, but to NAME.partial: the run stopped early
 *     (signal, resolver failure) and its rows are only part of the answer.
 *   After a write error either mode cuts the file back to its last whole
 *     record and renames it to NAME.partial.  The return value is the
 *     first error of the report's whole life, so a run that hit a full
 *     disk is never reported as success.  If the target name appeared
 *     during the run (and no REPORT_FORCE), the data stays in the
 *     temporary file, -EEXIST, and err names both paths.
 *   REPORT_DISCARD: close and unlink the temporary file.
 * For "-" and report_open_fd() all modes just flush and close.  err (may
 * be NULL) gets the message of the returned error. */
int report_close(struct report *r, int commit, char *err, size_t errlen);

/* Where report_close(r, commit) puts the data (if nothing fails): the
 * final path, or the partial one (always after a write error); the name
 * as given for "-" and report_open_fd().  Valid until report_close(). */
const char *report_final_path(const struct report *r, int commit);

/* Write "PATH.partial" into dst (snprintf-style: returns the length it
 * needs).  Pure. */
size_t report_partial_path(char *dst, size_t size, const char *path);

/* Tag the next record written (report_write_fields/raw) with `tag` -- the
 * pipeline passes the target's sequence number.  A record written without
 * a tag carries REPORT_NO_TAG (the header row).  O(1). */
void report_tag(struct report *r, uint64_t tag);

/* After a write error: the tags of the records handed to the report that
 * are not in the output once it is closed (written after the last record
 * boundary, or refused after the error), in the order written; 0 and NULL
 * when there was no error.  *unknown (may be NULL) is set to 1 if some
 * lost record's tag could not be stored (out of memory).  Valid until the
 * next write or report_close().  O(1); the list is bounded by the records
 * of one member plus those written after the error. */
size_t report_lost(const struct report *r, const uint64_t **tags, int *unknown);

/* The sticky error's message ("" if none), valid until report_close(). */
const char *report_error(const struct report *r);

/* The final path as given to report_open() ("-" for stdout, or the name
 * given to report_open_fd()); the temporary file's path (NULL if none). */
const char *report_path(const struct report *r);
const char *report_tmp_path(const struct report *r);

/* Records written so far (the header row included). */
unsigned long long report_rows(const struct report *r);

#endif
