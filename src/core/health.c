/* SPDX-License-Identifier: MIT */
/*
 * health.c - resolver health judged in windows of outcomes.  See health.h.
 */
#include "health.h"

#include <errno.h>
#include <stdlib.h>

struct health {
  unsigned window, max_backoffs;
  unsigned noted, refused, silent; /* the window being filled */
  unsigned streak;                 /* bad windows in a row */
  unsigned bad_pct;                /* of the last judged window */
  int probing, stopped;
  enum health_cause cause;
};

int health_new(struct health **out, unsigned window, unsigned max_backoffs) {
  if (window == 0 || max_backoffs == 0 || max_backoffs > HEALTH_MAX_BACKOFFS_LIMIT) return -EINVAL;
  struct health *h = calloc(1, sizeof *h);
  if (!h) return -ENOMEM;
  h->window = window;
  h->max_backoffs = max_backoffs;
  h->cause = HEALTH_CAUSE_NONE;
  *out = h;
  return 0;
}

void health_free(struct health *h) { free(h); }

static enum health_action bad_window(struct health *h, enum health_cause cause) {
  h->cause = cause;
  h->streak++;
  if (h->streak >= h->max_backoffs) {
    h->stopped = 1;
    return HEALTH_STOP;
  }
  return HEALTH_BACK_OFF;
}

/* Judge a window of n notes and start the next one. */
static enum health_action judge(struct health *h, unsigned n) {
  /* 64-bit sums: refused + silent <= n <= UINT_MAX, doubled */
  unsigned long long r2 = 2ull * h->refused, bad = (unsigned long long)h->refused + h->silent;
  h->bad_pct = (unsigned)(bad * 100 / n);
  h->noted = h->refused = h->silent = 0;
  if (r2 > n) return bad_window(h, HEALTH_CAUSE_REFUSED);
  if (2 * bad > n) {
    h->probing = 1;
    return HEALTH_PROBE;
  }
  h->streak = 0;
  return HEALTH_CONTINUE;
}

enum health_action health_note(struct health *h, enum health_outcome o) {
  if (h->stopped) return HEALTH_STOP;
  if (h->probing) return HEALTH_CONTINUE;
  if (o == HEALTH_REFUSED)
    h->refused++;
  else if (o == HEALTH_SILENT)
    h->silent++;
  if (++h->noted < h->window) return HEALTH_CONTINUE;
  return judge(h, h->window);
}

enum health_action health_pause_over(struct health *h) {
  if (h->stopped) return HEALTH_STOP;
  if (h->probing || !h->streak || h->cause != HEALTH_CAUSE_SILENT) return HEALTH_CONTINUE;
  h->probing = 1;
  return HEALTH_PROBE;
}

enum health_action health_flush(struct health *h) {
  if (h->stopped) return HEALTH_STOP;
  if (h->probing || !h->noted) return HEALTH_CONTINUE;
  return judge(h, h->noted);
}

int health_pending(const struct health *h) {
  return !h->stopped && (h->probing || (h->streak > 0 && h->cause == HEALTH_CAUSE_SILENT));
}

enum health_action health_probe_result(struct health *h, unsigned sent, unsigned answered) {
  if (h->stopped) return HEALTH_STOP;
  if (!h->probing) return HEALTH_CONTINUE;
  h->probing = 0;
  if (answered > sent) answered = sent;
  if (sent > 0 && 2ull * answered >= sent) {
    h->streak = 0;
    return HEALTH_CONTINUE;
  }
  return bad_window(h, HEALTH_CAUSE_SILENT);
}

int health_probing(const struct health *h) { return h->probing; }

unsigned health_pause_ms(const struct health *h) {
  return h->streak ? HEALTH_PAUSE_BASE_MS << (h->streak - 1) : 0;
}

unsigned health_bad_pct(const struct health *h) { return h->bad_pct; }

enum health_cause health_cause(const struct health *h) { return h->cause; }
