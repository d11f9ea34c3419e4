/* SPDX-License-Identifier: MIT */
/*
 * health.h - resolver health: when to back off, when to stop.  Pure: the
 * glue reports how each lookup ended and acts on the answer.
 *
 * Outcomes are judged in windows of `window` notes.  At the end of a window
 * with R refused and S silent outcomes:
 *   R x 2 > window        -> a bad window, cause REFUSED.
 *   (R + S) x 2 > window  -> HEALTH_PROBE: the glue sends a few canary
 *                            queries the resolver answers by itself (". NS")
 *                            and reports them with health_probe_result:
 *        answered x 2 >= sent -> the resolver is alive; the timeouts belong
 *                                to lame zones: CONTINUE, the streak of bad
 *                                windows resets.
 *        otherwise            -> a bad window, cause SILENT.
 *   otherwise             -> a good window: CONTINUE, the streak resets.
 * A bad window returns HEALTH_BACK_OFF (the glue pauses health_pause_ms()),
 * or HEALTH_STOP when it is the max_backoffs-th bad window in a row.
 *
 * Why the probe: a resolver that answers nothing (down, firewalled, its
 * own upstream gone) must stop the run just like one that refuses, or the
 * run would write a report of timeouts for every target.  But a majority of
 * timeouts is also what a range of lame reverse zones looks like (common:
 * delegated to servers that no longer answer), and that must not stop a run
 * against a healthy resolver.  Timeouts alone cannot tell the two apart; a
 * question the resolver answers from its own cache or the root can.
 *
 * The glue should note only lookups started after the last back-off ended,
 * so a pause is judged on fresh evidence.  Notes arriving while a probe is
 * outstanding are ignored (CONTINUE) and do not count toward any window.
 * STOP is final: every later call returns STOP.
 *
 * Memory: one malloc in health_new; every other call is O(1) and allocates
 * nothing.
 */
#ifndef PTRAUDIT_HEALTH_H
#define PTRAUDIT_HEALTH_H

/* Defaults for health_new: judge every 100 lookups (few enough to react
 * within a second at scan rates, enough that a handful of lame zones in a
 * row cannot tip a window), stop at the third bad window in a row (after
 * pauses of 1 s and 2 s, so a brief outage does not end the run). */
#define HEALTH_DEFAULT_WINDOW 100
#define HEALTH_DEFAULT_MAX_BACKOFFS 3

/* The largest max_backoffs accepted: 1000 << 22 ms is the longest pause an
 * unsigned holds (about 70 minutes). */
#define HEALTH_MAX_BACKOFFS_LIMIT 23

/* The first pause; each bad window in a row doubles it. */
#define HEALTH_PAUSE_BASE_MS 1000u

enum health_outcome {
  HEALTH_ANSWERED, /* any answer but REFUSED: NOERROR, NXDOMAIN, SERVFAIL... */
  HEALTH_REFUSED,  /* REFUSED rcode, or the resolver unreachable at the socket level */
  HEALTH_SILENT    /* the lookup timed out */
};
enum health_action { HEALTH_CONTINUE, HEALTH_PROBE, HEALTH_BACK_OFF, HEALTH_STOP };
enum health_cause { HEALTH_CAUSE_NONE, HEALTH_CAUSE_REFUSED, HEALTH_CAUSE_SILENT };

struct health;

/* A judge of windows of `window` notes that stops at the max_backoffs-th
 * bad window in a row.  Returns 0, -EINVAL (window 0, max_backoffs 0 or
 * above HEALTH_MAX_BACKOFFS_LIMIT; *out untouched) or -ENOMEM.  One malloc. */
int health_new(struct health **out, unsigned window, unsigned max_backoffs);

/* Free h (NULL is fine).  O(1). */
void health_free(struct health *h);

/* Count one lookup's outcome.  Returns CONTINUE until the window is full,
 * then the window's verdict (CONTINUE, PROBE, BACK_OFF or STOP) and starts
 * the next window.  O(1). */
enum health_action health_note(struct health *h, enum health_outcome o);

/* The outcome of the canaries asked for by PROBE: CONTINUE (alive),
 * BACK_OFF or STOP (silent).  sent == 0 counts as silent (no evidence of
 * life); answered above sent counts as sent.  Ignored (CONTINUE, or STOP
 * once stopped) when no probe is outstanding.  O(1). */
enum health_action health_probe_result(struct health *h, unsigned sent, unsigned answered);

/* The glue's pause after a BACK_OFF is over.  After a SILENT bad window
 * the resolver is tested again directly: HEALTH_PROBE (a probe is now
 * outstanding; the glue keeps holding its lookups until the result), since
 * lookups sent to a silent resolver would only time out.  After a REFUSED
 * one, or with no streak: CONTINUE (fresh lookups are the evidence).
 * STOP once stopped.  O(1). */
enum health_action health_pause_over(struct health *h);

/* The run has no more lookups to note: judge the partial window now, as
 * if it were full (a window of n notes judged on n), unless it is empty or
 * a probe is outstanding (then CONTINUE).  So a run shorter than one
 * window against a silent resolver is still judged.  O(1). */
enum health_action health_flush(struct health *h);

/* 1 while the policy still owes a verdict on the resolver: a probe is
 * outstanding, or the last judgement was a SILENT bad window (its re-test
 * is due after the pause).  O(1). */
int health_pending(const struct health *h);

/* 1 while a probe is outstanding.  O(1). */
int health_probing(const struct health *h);

/* How long to pause after BACK_OFF: 1000 << (bad windows in a row - 1) ms;
 * 0 when the streak is 0 (no back-off pending).  O(1). */
unsigned health_pause_ms(const struct health *h);

/* (refused + silent) x 100 / window, rounded down, of the last judged
 * window; 0 before the first.  O(1). */
unsigned health_bad_pct(const struct health *h);

/* What the last BACK_OFF or STOP was for; NONE before any.  O(1). */
enum health_cause health_cause(const struct health *h);

#endif
