/* SPDX-License-Identifier: MIT */
/*
 * atomicfile.h - one way to create an output file: written under a
 * temporary name, made durable, then renamed into place.  The report
 * (report.c), the checkpoint (checkpoint.c) and the HTML page (html.c) all
 * go through it, so they share one set of guarantees:
 *   - the temporary file is ".BASE.tmp.XXXXXXXXXXXX" in the target's own
 *     directory (so the rename stays on one file system and is atomic):
 *     BASE is the target's base name, X twelve random hex digits
 *     (getrandom), created with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode
 *     0644 less the umask.  The name cannot be guessed, and an existing
 *     file or link at it is never opened;
 *   - commit: fsync of the file, close, rename, fsync of the directory (so
 *     the new name survives a power cut);
 *   - the rename never replaces an existing file (renameat2
 *     RENAME_NOREPLACE; link + unlink where the file system lacks it)
 *     unless ATOMICFILE_FORCE;
 *   - a target that is a symbolic link is refused unless ATOMICFILE_FORCE,
 *     which replaces the link itself (never writes through it); a
 *     directory, device, FIFO or socket is always refused.
 * Standard output is not an atomic file: callers handle "-" themselves.
 *
 * Errors: 0 or a negative errno code (UV_E* on Linux), with a one-line
 * message naming the path and the system's reason in err.
 */
#ifndef PTRAUDIT_ATOMICFILE_H
#define PTRAUDIT_ATOMICFILE_H

#include <stddef.h>

#define ATOMICFILE_FORCE 1u /* replace an existing regular file or symlink */

struct atomicfile;

/* May `path` become an output?  lstat(2) only: absent is fine; a regular
 * file or a symlink is -EEXIST unless ATOMICFILE_FORCE; a directory is
 * -EISDIR; a device, FIFO or socket -EEXIST whatever the flags; a path
 * ending in "/", "." or ".." is -EISDIR; "" is -EINVAL.  `what` names the
 * output in the message ("output file", "--html page").  O(1) syscalls. */
int atomicfile_check(const char *path, const char *what, unsigned flags, char *err,
                     size_t errlen);

/* atomicfile_check(), then create the temporary file.  *out gets the
 * handle; write through atomicfile_fd().  Cost: one small allocation, a
 * getrandom and an open. */
int atomicfile_open(struct atomicfile **out, const char *path, const char *what,
                    unsigned flags, char *err, size_t errlen);

/* The temporary file's descriptor (owned by the handle) and path. */
int atomicfile_fd(const struct atomicfile *af);
const char *atomicfile_tmp(const struct atomicfile *af);

/* fsync and close the temporary file, then rename it to `final` (NULL:
 * the path given to atomicfile_open; another name lets a caller pick, say,
 * a ".partial" name late) with the rules above, then fsync the directory.
 * Frees af in every case.  On failure the data stays in the temporary file
 * and err says so (naming it).  Cost: two fsyncs. */
int atomicfile_commit(struct atomicfile *af, const char *final, char *err, size_t errlen);

/* Close and unlink the temporary file; free af (may be NULL). */
void atomicfile_discard(struct atomicfile *af);

/* Write all of buf to fd (retrying short writes and EINTR).  0 or the
 * negative errno.  For small files written in one go (checkpoint). */
int atomicfile_write_all(int fd, const void *buf, size_t len);

#endif
