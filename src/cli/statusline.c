/* SPDX-License-Identifier: MIT */
/*
 * statusline.c - the live status.  See statusline.h.  Glue: the figures
 * come from progress.c, the bottleneck from limiter.c.
 */
#include "statusline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "err.h"
#include "limiter.h"
#include "plural.h"
#include "progress.h"
#include "target.h"
#include "verdict.h"

#define LINE_MAX_LEN 512

struct statusline {
  struct statusline_opts o;
  uv_timer_t timer;
  uv_loop_t *loop;
  struct audit *audit;
  struct source *src;
  struct progress *prog;      /* rows done */
  struct progress *started;   /* rows started (limiter.h: a backlog) */
  FILE *file;
  int file_failed;
  int drawn;                /* a terminal line is on screen */
  int running;             /* statusline_start ran */
  uint64_t t0;              /* uv_hrtime() at the start */
  uint64_t last_plain, last_file; /* uv_hrtime() of the last line written */
  unsigned file_every_s;
};

/* What one line says. */
struct figures {
  const struct audit_stats *st;
  double elapsed_s;
  int known;
  unsigned __int128 total, position;
  double percent, rate, eta_s; /* < 0: unknown */
  struct limiter_out lim;
  unsigned smtp_rows, dns_rows;
};

static void gather(struct statusline *s, struct figures *f, uint64_t now) {
  f->st = audit_stats(s->audit);
  f->elapsed_s = (double)(now - s->t0) / 1e9;
  f->known = source_total_exact(s->src, &f->total);
  /* Positions passed: rows done, targets the resumed run did, addresses
   * skipped inside blocks (an inventory's excluded rows are rows). */
  f->position = (unsigned __int128)f->st->done + f->st->resumed + source_skipped_special(s->src);
  if (!s->o.excluded_are_rows) f->position += source_skipped_excluded(s->src);
  f->percent = progress_percent(f->known, f->total, f->position);
  f->rate = progress_rate(s->prog);
  f->eta_s = progress_eta_s(f->known, f->total, f->position, f->rate);
  struct limiter_in live = f->st->live;
  live.done_rate = f->rate;
  live.start_rate = progress_rate(s->started);
  limiter_decide(&live, &f->lim);
  const struct limiter_in *l = &f->st->live;
  f->smtp_rows = l->smtp_active + l->smtp_queued + l->smtp_prefix_waiting + l->smtp_retrying;
  f->dns_rows = l->dns_active + l->dns_queued;
}

/* Append printf text to buf[*n..size). */
static void add(char *buf, size_t size, size_t *n, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t size, size_t *n, const char *fmt, ...) {
  va_list ap;
  if (*n >= size) return;
  va_start(ap, fmt);
  int k = vsnprintf(buf + *n, size - *n, fmt, ap);
  va_end(ap);
  if (k > 0) *n = *n + (size_t)k < size ? *n + (size_t)k : size - 1;
}

/* The text shared by the terminal and plain lines. */
static void human(const struct figures *f, char *buf, size_t size) {
  char dur[DURATION_TEXTLEN];
  size_t n = 0;
  buf[0] = '\0';
  if (f->percent >= 0) add(buf, size, &n, "%.1f%%, ", f->percent);
  add(buf, size, &n, "%llu %s done", (unsigned long long)f->st->done,
      plural_word(f->st->done, "row", "rows"));
  if (f->rate >= 0) add(buf, size, &n, ", %.0f/s", f->rate);
  if (f->known)
    add(buf, size, &n, ", ETA %s", f->eta_s == 0  ? "0 s" /* all positions passed */
                                   : f->eta_s > 0 ? duration_text(dur, sizeof dur, f->eta_s)
                                                  : "unknown");
  const struct limiter_in *l = &f->st->live;
  add(buf, size, &n, "; in flight:");
  if (l->smtp) add(buf, size, &n, " SMTP %u,", f->smtp_rows);
  add(buf, size, &n, " DNS %u, rows %u of %u", f->dns_rows, l->rows_busy, l->rows_max);
  const char *hint = limiter_hint(&f->lim);
  add(buf, size, &n, "; limited by %s%s%s%s", limiter_name(f->lim.what), hint[0] ? " (" : "",
      hint, hint[0] ? ")" : "");
}

static void draw_tty(struct statusline *s, const struct figures *f) {
  char line[LINE_MAX_LEN];
  struct winsize ws;
  human(f, line, sizeof line);
  /* A line longer than the terminal wraps, and "\r" then erases only its
   * last part: cut it to the width (the text is ASCII). */
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && ws.ws_col < sizeof line)
    line[ws.ws_col - 1] = '\0';
  fprintf(stderr, "\r\033[K%s", line);
  s->drawn = 1;
}

static void write_plain(const struct figures *f) {
  char line[LINE_MAX_LEN];
  human(f, line, sizeof line);
  fprintf(stderr, "ptraudit: status: %s\n", line);
}

/* A JSON number, or null when unknown (< 0). */
static void json_num(FILE *o, const char *key, double v, int decimals) {
  if (v < 0) fprintf(o, ",\"%s\":null", key);
  else fprintf(o, ",\"%s\":%.*f", key, decimals, v);
}

static void write_json(struct statusline *s, const struct figures *f, const char *state) {
  char stamp[32], num[SPAN_COUNT_TEXTLEN];
  time_t now = time(NULL);
  struct tm tm;
  FILE *o = s->file;
  const struct limiter_in *l = &f->st->live;
  if (!o || s->file_failed) return;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  fprintf(o, "{\"time\":\"%s\",\"state\":\"%s\",\"elapsed_s\":%.1f,\"done\":%llu,"
          "\"resumed\":%llu", stamp, state, f->elapsed_s, (unsigned long long)f->st->done,
          (unsigned long long)f->st->resumed);
  if (f->known) fprintf(o, ",\"total\":%s", span_count_text(num, f->total));
  else fputs(",\"total\":null", o);
  json_num(o, "percent", f->percent, 2);
  json_num(o, "rate", f->rate, 1);
  json_num(o, "eta_s", f->eta_s, 0);
  fprintf(o, ",\"in_flight\":{\"smtp\":%u,\"dns\":%u,\"rows\":%u},\"rows_max\":%u",
          f->smtp_rows, f->dns_rows, l->rows_busy, l->rows_max);
  fprintf(o, ",\"limiter\":\"%s\",\"limiter_hint\":\"%s\"", limiter_name(f->lim.what),
          limiter_hint(&f->lim));
  fputs(",\"verdicts\":{", o);
  for (int v = 0; v < VERDICT_COUNT; v++)
    fprintf(o, "%s\"%s\":%llu", v ? "," : "", verdict_name((enum verdict)v),
            (unsigned long long)f->st->verdicts[v]);
  fputs("}}\n", o);
  if (fflush(o) != 0 || ferror(o)) {
    s->file_failed = 1;
    statusline_clear(s);
    fprintf(stderr, "ptraudit: warning: cannot write the status file %s: %s; no more status "
            "lines go there\n", s->o.file, strerror(errno));
  }
}

static void sample(struct statusline *s, uint64_t now) {
  const struct audit_stats *st = audit_stats(s->audit);
  progress_sample(s->prog, now, st->done);
  progress_sample(s->started, now, st->started);
}

/* Every second.  A line is due when its interval has passed, less 50 ms:
 * the timer runs on the loop's millisecond clock, the intervals on
 * uv_hrtime(), and a tick a hair early must not push a line to the next
 * second. */
static void on_tick(uv_timer_t *t) {
  struct statusline *s = t->data;
  struct figures f;
  uint64_t now = uv_hrtime();
  sample(s, now);
  gather(s, &f, now);
  if (!s->o.quiet && s->o.tty) draw_tty(s, &f);
  if (!s->o.quiet && !s->o.tty && s->o.interval_s &&
      now - s->last_plain >= (uint64_t)s->o.interval_s * 1000000000ull - 50000000ull) {
    write_plain(&f);
    s->last_plain = now;
  }
  if (s->file && now - s->last_file >= (uint64_t)s->file_every_s * 1000000000ull - 50000000ull) {
    write_json(s, &f, "running");
    s->last_file = now;
  }
}

int statusline_new(struct statusline **out, const struct statusline_opts *o, char *err,
                   size_t errlen) {
  struct statusline *s = calloc(1, sizeof *s);
  int rc;
  *out = NULL;
  if (!s) return err_set(err, errlen, -ENOMEM, "out of memory");
  s->o = *o;
  s->file_every_s = o->interval_s ? o->interval_s : STATUSLINE_INTERVAL_DEFAULT;
  if ((rc = progress_new(&s->prog, STATUSLINE_RATE_WINDOW_MS)) < 0 ||
      (rc = progress_new(&s->started, STATUSLINE_RATE_WINDOW_MS)) < 0) {
    progress_free(s->prog);
    free(s);
    return err_set(err, errlen, rc, "out of memory");
  }
  if (o->file && !(s->file = fopen(o->file, "ae"))) {
    rc = -errno;
    err_set(err, errlen, rc, "--status-file %s: %s", o->file, strerror(errno));
    progress_free(s->prog);
    progress_free(s->started);
    free(s);
    return rc;
  }
  *out = s;
  return 0;
}

void statusline_start(struct statusline *s, uv_loop_t *loop, struct audit *a,
                      struct source *src) {
  s->loop = loop;
  s->audit = a;
  s->src = src;
  s->t0 = s->last_plain = s->last_file = uv_hrtime();
  sample(s, s->t0);
  uv_timer_init(loop, &s->timer);
  s->timer.data = s;
  s->running = 1;
  if (s->file || (!s->o.quiet && (s->o.tty || s->o.interval_s))) {
    uv_timer_start(&s->timer, on_tick, 1000, 1000);
    uv_unref((uv_handle_t *)&s->timer);
  }
}

void statusline_clear(struct statusline *s) {
  if (s && s->drawn) {
    fputs("\r\033[K", stderr);
    s->drawn = 0;
  }
}

void statusline_finish(struct statusline *s) {
  struct figures f;
  if (!s || !s->running) return;
  uint64_t now = uv_hrtime();
  sample(s, now);
  gather(s, &f, now);
  if (s->drawn) {
    draw_tty(s, &f);
    fputc('\n', stderr);
    s->drawn = 0;
  }
  write_json(s, &f, "ended");
}

void statusline_close(struct statusline *s) {
  if (s && s->running) uv_close((uv_handle_t *)&s->timer, NULL);
}

int statusline_free(struct statusline *s) {
  int rc = 0;
  if (!s) return 0;
  if (s->file && fclose(s->file) != 0 && !s->file_failed) {
    fprintf(stderr, "ptraudit: warning: cannot write the status file %s: %s\n", s->o.file,
            strerror(errno));
    s->file_failed = 1;
  }
  if (s->file_failed) rc = -EIO;
  progress_free(s->prog);
  progress_free(s->started);
  free(s);
  return rc;
}
