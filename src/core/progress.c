/* SPDX-License-Identifier: MIT */
/*
 * progress.c - windowed rate, share done, time left.  See progress.h.
 */
#include "progress.h"

#include <errno.h>
#include <stdlib.h>

struct sample {
  uint64_t t_ns;
  uint64_t done;
};

struct progress {
  uint64_t window_ns;
  struct sample s[PROGRESS_SAMPLES];
  unsigned head; /* index of the newest sample */
  unsigned n;    /* samples held */
};

int progress_new(struct progress **out, unsigned window_ms) {
  *out = NULL;
  if (!window_ms) return -EINVAL;
  struct progress *p = calloc(1, sizeof *p);
  if (!p) return -ENOMEM;
  p->window_ns = (uint64_t)window_ms * 1000000ull;
  *out = p;
  return 0;
}

void progress_free(struct progress *p) { free(p); }

void progress_sample(struct progress *p, uint64_t now_ns, uint64_t done) {
  if (p->n && now_ns < p->s[p->head].t_ns) return;
  p->head = p->n ? (p->head + 1) % PROGRESS_SAMPLES : 0;
  p->s[p->head] = (struct sample){now_ns, done};
  if (p->n < PROGRESS_SAMPLES) p->n++;
}

double progress_rate(const struct progress *p) {
  if (p->n < 2) return -1;
  const struct sample *now = &p->s[p->head], *from = NULL;
  /* Walk back from the newest: keep the oldest sample inside the window;
   * if even the second newest is outside, take it. */
  for (unsigned k = 1; k < p->n; k++) {
    const struct sample *s = &p->s[(p->head + PROGRESS_SAMPLES - k) % PROGRESS_SAMPLES];
    if (now->t_ns - s->t_ns > p->window_ns) {
      if (!from) from = s;
      break;
    }
    from = s;
  }
  if (!from || from->t_ns == now->t_ns) return -1;
  uint64_t rows = now->done >= from->done ? now->done - from->done : 0;
  return (double)rows / ((double)(now->t_ns - from->t_ns) / 1e9);
}

double progress_percent(int known, unsigned __int128 total, unsigned __int128 position) {
  if (!known || total == 0) return -1;
  if (position >= total) return 100;
  return 100.0 * ((double)position / (double)total);
}

double progress_eta_s(int known, unsigned __int128 total, unsigned __int128 position,
                      double rate) {
  if (!known) return -1;
  if (position >= total) return 0;
  if (!(rate > 0)) return -1;
  return (double)(total - position) / rate;
}
