/* SPDX-License-Identifier: MIT */
/*
 * stopsig.h - the stop signals (SIGINT, SIGTERM, SIGHUP) for the whole life
 * of a run: one handler, installed before the inputs are read (so before
 * the report file is created) and never removed, that only records the
 * signal and wakes the event loop.
 *
 * Why not libuv's uv_signal_t: closing the last one for a signal restores
 * SIG_DFL, so once the scan's handles were closed a signal during the
 * report's close, --html or the summary killed the process with the report
 * still under its temporary name; and a signal between the report's
 * creation and uv_signal_start() did the same before the first row.
 *
 * Command-line code only (process-wide state).
 */
#ifndef PTRAUDIT_STOPSIG_H
#define PTRAUDIT_STOPSIG_H

#include <uv.h>

/* Install the handler for SIGINT, SIGTERM and SIGHUP (SA_RESTART; all three
 * blocked while it runs).  Signals before this call have their default
 * action.  O(1). */
void stopsig_install(void);

/* Let the handler wake `wake` (uv_async_send is async-signal-safe); if a
 * signal came already, wake it now.  O(1). */
void stopsig_attach(uv_async_t *wake);

/* Stop waking it (call before closing the handle); signals are still
 * recorded.  O(1). */
void stopsig_detach(void);

/* The first stop signal received (0 if none), and how many (saturates at
 * 64).  O(1). */
int stopsig_first(void);
int stopsig_count(void);

/* "SIGINT", "SIGTERM", "SIGHUP" or "signal".  Pure. */
const char *stopsig_name(int signo);

#endif
