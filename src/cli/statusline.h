/* SPDX-License-Identifier: MIT */
/*
 * statusline.h - the live status of a scan, for the person or the log watching
 * it: share done, time left, current rate, rows in flight per stage and
 * what limits the run now (the figures from progress.h, the decision from
 * limiter.h; this module only samples, formats and writes).
 *
 *   terminal   stderr is a tty: one line redrawn every second
 *              ("\r", erase, text cut to the terminal's width).
 *   plain      stderr is not a tty (systemd, cron, Kubernetes): one line
 *              "ptraudit: status: ..." every `interval_s` seconds
 *              (--status-interval; 0 = none).
 *   file       --status-file: one JSON object per line appended every
 *              interval (10 s when the interval is 0), and one last line
 *              with "state": "ended"; written with -q too.
 * -q silences the terminal and plain lines only.
 *
 * One repeating 1 s timer, unreferenced (it never keeps the loop alive).
 * Memory: fixed at statusline_new.
 */
#ifndef PTRAUDIT_STATUSLINE_H
#define PTRAUDIT_STATUSLINE_H

#include <stddef.h>
#include <uv.h>

#include "audit.h"
#include "source.h"

/* Seconds between plain lines and JSON lines unless --status-interval. */
#define STATUSLINE_INTERVAL_DEFAULT 10
/* The rate is taken over this window (progress.h). */
#define STATUSLINE_RATE_WINDOW_MS 5000

struct statusline_opts {
  int quiet;              /* -q: no terminal or plain lines */
  int tty;                /* stderr is a terminal */
  unsigned interval_s;    /* plain lines (and JSON lines) every N s; 0: none */
  const char *file;       /* --status-file or NULL */
  int excluded_are_rows;  /* an inventory: excluded rows are reported rows,
                             not skipped positions (source.h) */
};

struct statusline;

/* Set up (opens the --status-file for appending).  Nothing is written yet.
 * Returns 0 or a negative code with a message in err. */
int statusline_new(struct statusline **out, const struct statusline_opts *o, char *err, size_t errlen);

/* Start sampling `a` (reading totals from `src`) on `loop`; the clock
 * starts now.  O(1). */
void statusline_start(struct statusline *s, uv_loop_t *loop, struct audit *a, struct source *src);

/* Erase the terminal line if one is drawn, before another message goes to
 * stderr (it is drawn again at the next tick).  O(1). */
void statusline_clear(struct statusline *s);

/* The scan has ended (its stats still readable): the terminal line drawn
 * one last time and ended with a newline, the file's last line written.
 * O(1). */
void statusline_finish(struct statusline *s);

/* Close the timer (from the scan's done callback, so the loop can end). */
void statusline_close(struct statusline *s);

/* Free, closing the file; after statusline_close's handle has closed.
 * Returns 0, or -EIO when a --status-file line could not be written (a
 * message was printed once). */
int statusline_free(struct statusline *s);

#endif
