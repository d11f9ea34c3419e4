/* SPDX-License-Identifier: MIT */
/*
 * progress.h - the figures of the status line: the current rate over the
 * last few seconds, the share done and the time left.  Pure: the caller
 * passes the clock and the counts, so tests need neither.
 *
 * Rate: the average since the start hides what happens now (a run that
 * slowed down after a fast first minute still shows the fast figure), so
 * the rate is taken over a sliding window: the caller samples (time, rows
 * done) about once a second, and the rate is the rows done between the
 * newest sample and the oldest one still inside `window_ms` of it, per
 * second of the time between them.  When samples are further apart than
 * the window (a status line every 10 s, a 5 s window), the sample just
 * before the window is used instead, so there is a rate once there are two
 * samples.  A ring of PROGRESS_SAMPLES samples: older ones fall out.
 *
 * Positions: the share done counts positions of the input (rows done,
 * targets the resumed run did, addresses skipped as special-purpose or
 * excluded) against the total the source knows (source_total_exact), in
 * 128 bits: an --allow-huge input can hold more than 2^64 addresses.
 *
 * Memory: one malloc in progress_new; nothing else allocates.
 */
#ifndef PTRAUDIT_PROGRESS_H
#define PTRAUDIT_PROGRESS_H

#include <stdint.h>

/* Samples kept: a window of up to 60 s at one sample a second. */
#define PROGRESS_SAMPLES 64

struct progress;

/* A rate over the last window_ms (at least 1).  0, -EINVAL or -ENOMEM.
 * O(1). */
int progress_new(struct progress **out, unsigned window_ms);

/* Free p (NULL is fine). */
void progress_free(struct progress *p);

/* Record that `done` rows were done at now_ns.  Times must not go back
 * (a sample older than the newest is ignored).  O(1). */
void progress_sample(struct progress *p, uint64_t now_ns, uint64_t done);

/* Rows per second over the window (rules above); -1 until there are two
 * samples at different times.  O(PROGRESS_SAMPLES). */
double progress_rate(const struct progress *p);

/* Percent of the input done: 100 x position / total, at most 100; -1 when
 * the total is unknown (known 0) or 0.  O(1). */
double progress_percent(int known, unsigned __int128 total, unsigned __int128 position);

/* Seconds left at `rate` positions per second: (total - position) / rate;
 * 0 when position >= total; -1 when unknown (total unknown, rate not
 * positive or unknown).  O(1). */
double progress_eta_s(int known, unsigned __int128 total, unsigned __int128 position,
                      double rate);

#endif
