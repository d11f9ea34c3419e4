/* SPDX-License-Identifier: MIT */
/*
 * instream.h - one input (a file, a FIFO, a pipe, a terminal, a character
 * device, or stdin) read without ever blocking the caller, so the event
 * loop keeps running while the input is quiet.
 *
 * A regular file is read directly (pread from the offset it had when
 * opened: stdin redirected from a file can be read twice, by validation and
 * by the run, without moving its offset).  Anything else is read by a
 * reader thread that blocks on it in the caller's place - on open() too: a
 * FIFO's open waits for a writer - and copies what it gets into a private
 * pipe, whose read end is non-blocking.  A private pipe rather than
 * O_NONBLOCK on the input itself: stdin's open file description is shared
 * with the shell and other processes, and must keep its flags.  The thread
 * holds at most its 16 KiB buffer plus the pipe's capacity (64 KiB on
 * Linux) ahead of the reader, so memory is bounded whatever the input.
 *
 * Descriptors: a regular file 1 (none for stdin); otherwise the pipe (2)
 * and, for a named input, the input itself (1, in the thread).
 */
#ifndef PTRAUDIT_INSTREAM_H
#define PTRAUDIT_INSTREAM_H

#include <stddef.h>
#include <sys/types.h>

struct instream;

/* Open `name` ("-" is stdin; the name is used in messages, "stdin" for
 * "-").  A regular file is opened now: a failure is -EINVAL with err
 * "NAME: cannot open: REASON".  Another input is opened by the reader
 * thread; its failure comes back from instream_read.  Returns 0 and *out,
 * or a negative code with err set.  Cost: a stat, and for a non-regular
 * input a pipe and a thread. */
int instream_open(struct instream **out, const char *name, char *err, size_t errlen);

/* 1 if `name` ("-" = stdin) is a regular file, which can be read twice; 0
 * otherwise (FIFO, pipe, terminal, device, or missing: the open reports
 * that).  A stat, no open: opening a FIFO would wait for a writer. */
int instream_is_regular(const char *name);

/* Read up to size bytes: >0 bytes read, 0 at the end of the input,
 * -EAGAIN when nothing is available yet (poll instream_fd), or another
 * negative code with the message from instream_error().  Never blocks on a
 * non-regular input.  O(size). */
ssize_t instream_read(struct instream *s, void *buf, size_t size);

/* As instream_read, but waits (poll) instead of returning -EAGAIN; for
 * inputs that must be read whole before the scan (exclusion lists, the
 * inventory header).  A signal interrupts the wait with -EINTR. */
ssize_t instream_read_wait(struct instream *s, void *buf, size_t size);

/* The descriptor to poll for readability while instream_read returns
 * -EAGAIN, or -1 for a regular file (it never does).  The descriptor is
 * private to the stream (O_NONBLOCK, O_CLOEXEC) and stays valid until
 * instream_close.  O(1). */
int instream_fd(const struct instream *s);

/* 1 for a regular file.  O(1). */
int instream_regular(const struct instream *s);

/* Regular files: start again from the offset the file had when opened.
 * -ESPIPE for any other input.  O(1). */
int instream_rewind(struct instream *s);

/* The message of the last error ("NAME: read error: REASON"). */
const char *instream_error(const struct instream *s);

/* The name for messages ("stdin" for "-"). */
const char *instream_name(const struct instream *s);

/* Stop the reader thread (cancelled even while it waits in open or read),
 * close every descriptor, free.  s may be NULL. */
void instream_close(struct instream *s);

#endif
