/* SPDX-License-Identifier: MIT */
/*
 * main.c - process-level concerns only: options, resource limits, signals,
 * the summary, checkpoints and the exit status (the live status is
 * statusline.c's).
 * Everything else is in the modules; this is the only file that calls exit().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <ares.h>
#include <uv.h>
#include <zlib.h>

#include "atomicfile.h"
#include "audit.h"
#include "cell.h"
#include "change.h"
#include "checkpoint.h"
#include "cmdutil.h"
#include "commands.h"
#include "duration.h"
#include "fdbudget.h"
#include "netstat.h"
#include "options.h"
#include "plural.h"
#include "report.h"
#include "runinfo.h"
#include "reportread.h"
#include "source.h"
#include "statusline.h"
#include "stopsig.h"
#include "target.h"
#include "verdict.h"
#include "version.h"

/* File descriptors kept aside for the report, stdin, c-ares sockets. */
#define FD_RESERVE 32
/* After SIGINT/SIGTERM, targets in flight get this long to finish; those
 * still running then are left to --resume. */
#define GRACE_MS 10000
/* --dry-run walks the stream to count it; it stops counting here. */
#define DRY_RUN_WALK_MAX 100000000ull

struct run {
  uv_loop_t loop;
  struct config cfg;
  struct source *src;
  struct report *rep;
  struct audit *audit;
  struct checkpoint prev;  /* --resume */
  int resuming;
  uint64_t fingerprint;
  int resumable;           /* inputs can be read again: a checkpoint is useful */
  char cp_path[4200];
  const char *out;
  uv_async_t wake;         /* woken by the stop-signal handler */
  uv_timer_t flush;        /* ends a gzip member every second even when stalled */
  uv_timer_t grace;
  int signo;               /* first stop signal acted on (stopsig_first) */
  int handled;             /* stop signals acted on */
  uint64_t *lost;          /* rows lost to a write error (report_lost) */
  size_t nlost;
  int lost_unknown;        /* some lost row could not be named */
  char report_at[4200];    /* where the report's rows are (final or partial name) */
  struct statusline *status; /* the live status (statusline.h) */
  enum audit_end end;
  uint64_t t0;
  uint64_t total;
  int total_known;
  int argc;                /* for the run metadata (runinfo.h) */
  char **argv;
  time_t started;
  int completed, cp_written;
};

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ptraudit: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(code);
}

/* Raise RLIMIT_NOFILE to the hard limit and return the usable count. */
static rlim_t raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rlim_t want = rl.rlim_max == RLIM_INFINITY ? 1048576 : rl.rlim_max;
    struct rlimit nl = {want, rl.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &nl) == 0) rl.rlim_cur = want;
  }
  return rl.rlim_cur;
}

/* Stop at once (exit 3, nothing created yet) when the open-file limit
 * leaves fewer descriptors than the run needs (fdbudget.h): below that,
 * libuv asserts, c-ares crashes or the loop spins on EMFILE. */
static void check_nofile(const struct run *r, rlim_t nofile) {
  struct fdbudget b = {.channels = r->cfg.scan.channels, .servers = r->cfg.nresolvers,
                       .smtp = !r->cfg.scan.no_smtp, .html = r->cfg.html != NULL};
  /* Room for 1024 inherited descriptors: counting them would cost a
   * syscall per slot of a large limit for nothing. */
  if (nofile > fdbudget_need(&b) + 1024) return;
  unsigned below = 0, all = 0;
  for (int fd = 0; (rlim_t)fd < nofile; fd++)
    if (fcntl(fd, F_GETFD) != -1) below++;
  if (nofile >= below + fdbudget_need(&b)) return;
  /* Inherited descriptors above the limit take no slot now, but will once
   * the limit is raised past them: the advice counts them all. */
  for (int fd = 0; fd < 65536; fd++)
    if (fcntl(fd, F_GETFD) != -1) all++;
  unsigned need = all + fdbudget_need(&b);
  die(PTA_EXIT_RUNTIME, "the open-file limit is %llu descriptors and this run needs at least "
      "%u (%u already open, %u for the event loop, report, input and DNS sockets%s); "
      "raise it (ulimit -n %u)", (unsigned long long)nofile, need, all, fdbudget_need(&b),
      b.smtp ? " and one SMTP socket" : "", need);
}

static double elapsed_s(const struct run *r) { return (double)(uv_hrtime() - r->t0) / 1e9; }

static void on_message(void *arg, const char *msg) {
  struct run *r = arg;
  statusline_clear(r->status);
  fprintf(stderr, "ptraudit: warning: %s\n", msg);
}

static void on_invalid(void *arg, const char *origin, unsigned long line, const char *cell,
                       size_t len) {
  struct run *r = arg;
  char text[64 * 4 + 8];
  cell_escape(text, sizeof text, cell, len < 64 ? len : 64);
  statusline_clear(r->status);
  fprintf(stderr, "ptraudit: warning: %s:%lu: ip '%s' is not an IP address; reported with "
          "verdict invalid\n", origin, line, text);
}

static void on_flush(uv_timer_t *t) {
  struct run *r = t->data;
  if (report_flush(r->rep) < 0) audit_stop(r->audit); /* report_close reports the error */
}

/* --- checkpoint ------------------------------------------------------------ */

/* Write the checkpoint for what is done; returns 0 or <0 (message printed).
 * Rows the report lost to a write error are added back as not done. */
static int write_checkpoint(struct run *r) {
  struct checkpoint cp;
  char err[768];
  if (!r->resumable) {
    fprintf(stderr, "ptraudit: the input came from a pipe: this run cannot be resumed\n");
    return -1;
  }
  if (r->lost_unknown) {
    fprintf(stderr, "ptraudit: no checkpoint: some rows lost to the write error cannot be "
            "named; run the targets again\n");
    return -1;
  }
  if (audit_checkpoint(r->audit, &cp) < 0 ||
      checkpoint_add_pending(&cp, r->lost, r->nlost) < 0) {
    checkpoint_free(&cp);
    fprintf(stderr, "ptraudit: out of memory writing the checkpoint\n");
    return -1;
  }
  cp.fingerprint = r->fingerprint;
  if (strlen(r->report_at) < sizeof cp.report) memcpy(cp.report, r->report_at, strlen(r->report_at) + 1);
  int rc = checkpoint_write(r->cp_path, &cp, r->cfg.force ? ATOMICFILE_FORCE : 0, err,
                            sizeof err);
  checkpoint_free(&cp);
  if (rc < 0) {
    fprintf(stderr, "ptraudit: cannot write the checkpoint: %s\n", err);
    return rc;
  }
  r->cp_written = 1;
  fprintf(stderr, "ptraudit: checkpoint written to %s; continue with the same arguments plus "
          "--resume %s -o NEW-REPORT\n", r->cp_path, r->cp_path);
  return 0;
}

/* 1 if the run left targets undone (so its report is partial). */
static int targets_left(const struct run *r) {
  struct checkpoint cp;
  int left = 1;
  if (r->nlost || r->lost_unknown) return 1;
  if (r->end == AUDIT_COMPLETE) return 0;
  /* Stopped just as the last target finished: nothing is left. */
  if (r->total_known && audit_checkpoint(r->audit, &cp) == 0) {
    left = cp.npending || cp.next < r->total;
    checkpoint_free(&cp);
  }
  return left;
}

/* Close the report: complete runs under the final name, others under the
 * partial one (report.h).  Records where the rows are in r->report_at and
 * the rows a write error lost in r->lost.  Returns report_close()'s code;
 * err gets its message. */
static int close_report(struct run *r, int partial, char *err, size_t errlen) {
  const uint64_t *tags;
  /* Write out the last member first: a full disk often shows only here,
   * and the rows it loses must be known before the checkpoint. */
  (void)report_flush(r->rep);
  size_t n = report_lost(r->rep, &tags, &r->lost_unknown);
  int mode = partial || n ? REPORT_PARTIAL : REPORT_COMPLETE;
  if (n) {
    r->lost = malloc(n * sizeof *r->lost);
    if (!r->lost) r->lost_unknown = 1;
    for (size_t i = 0; r->lost && i < n; i++) {
      if (tags[i] == REPORT_NO_TAG) continue; /* the header, or an untagged row */
      r->lost[r->nlost++] = tags[i];
    }
    /* An untagged row other than the header cannot be named. */
    if (r->lost && r->nlost + 1 < n) r->lost_unknown = 1;
  }
  const char *at = report_final_path(r->rep, mode);
  char abs[PATH_MAX];
  if (strcmp(at, "-") && at[0] != '/' && getcwd(abs, sizeof abs))
    snprintf(r->report_at, sizeof r->report_at, "%s/%s", abs, at);
  else
    snprintf(r->report_at, sizeof r->report_at, "%s", at);
  int rc = report_close(r->rep, mode, err, errlen);
  r->completed = rc == 0 && mode == REPORT_COMPLETE;
  r->rep = NULL;
  return rc;
}

/* REPORT.meta.json: how the run ended (runinfo.h). */
static void write_meta(struct run *r, int status) {
  struct runinfo_end e = {r->argc, r->argv, r->started, status, r->completed, r->out,
                          r->report_at, r->cp_written ? r->cp_path : NULL, audit_stats(r->audit)};
  runinfo_write(&r->cfg, &e);
}

/* Stop now: keep every row written (the report is closed under its
 * partial name), record what is not done in the checkpoint, and exit. */
static void abort_now(struct run *r, const char *why) __attribute__((noreturn));
static void abort_now(struct run *r, const char *why) {
  char err[768];
  statusline_clear(r->status);
  statusline_finish(r->status); /* the status file's last line */
  int rc = close_report(r, 1, err, sizeof err);
  fprintf(stderr, "ptraudit: %s; rows finished so far are in %s\n", why, r->report_at);
  if (rc < 0) fprintf(stderr, "ptraudit: %s\n", err);
  write_checkpoint(r);
  int status = rc < 0 ? PTA_EXIT_RUNTIME : 128 + (r->signo ? r->signo : stopsig_first());
  write_meta(r, status);
  _exit(status);
}

static void on_grace(uv_timer_t *t) {
  abort_now(t->data, "targets still in flight after the grace period were left for --resume");
}

/* A stop signal arrived (on_stop_signal woke us): the first one stops
 * taking targets, with a grace period for those in flight; a second one
 * stops at once. */
static void on_wake(uv_async_t *h) {
  struct run *r = h->data;
  int n = stopsig_count();
  if (!n || n == r->handled) return;
  if (r->handled) abort_now(r, "aborted by a second signal");
  r->handled = n;
  r->signo = stopsig_first();
  if (n > 1) abort_now(r, "aborted by a second signal");
  if (!r->cfg.quiet) {
    statusline_clear(r->status);
    fprintf(stderr, "ptraudit: %s: finishing the targets in flight (at most %d s; send it "
            "again to stop at once)\n", stopsig_name(r->signo), GRACE_MS / 1000);
  }
  uv_timer_start(&r->grace, on_grace, GRACE_MS, 0);
  audit_stop(r->audit);
}

/* Set up the wake-up for the stop signals; a signal that came before the
 * loop (even before the first row) is acted on as soon as it runs. */
static void stop_signals_attach(struct run *r) {
  uv_async_init(&r->loop, &r->wake, on_wake);
  r->wake.data = r;
  uv_unref((uv_handle_t *)&r->wake);
  stopsig_attach(&r->wake); /* wakes it at once for a signal that came already */
}

static void on_done(struct audit *a, enum audit_end end, void *arg) {
  struct run *r = arg;
  (void)a;
  r->end = end;
  /* From here the handler only records: the code after uv_run() looks at
   * stopsig_first(). */
  stopsig_detach();
  uv_close((uv_handle_t *)&r->wake, NULL);
  statusline_close(r->status);
  uv_close((uv_handle_t *)&r->flush, NULL);
  uv_close((uv_handle_t *)&r->grace, NULL);
}

static void print_summary(struct run *r, const char *path) {
  const struct audit_stats *st = audit_stats(r->audit);
  double el = elapsed_s(r);
  fprintf(stderr, "ptraudit: %llu %s in %.1f s (%.0f/s); report: %s\n",
          (unsigned long long)st->done, plural_word(st->done, "target", "targets"), el,
          el > 0 ? (double)st->done / el : 0.0, path);
  fputs("  verdicts:", stderr);
  for (int v = 0; v < VERDICT_COUNT; v++) /* report order: ok, warn, ... skipped */
    fprintf(stderr, " %s %llu", verdict_name((enum verdict)v),
            (unsigned long long)st->verdicts[v]);
  fputc('\n', stderr);
  int any = 0;
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++) {
    if (!st->flags[i]) continue;
    fprintf(stderr, "%s %s %llu", any ? "," : "  flags:", verdict_flag_name(i),
            (unsigned long long)st->flags[i]);
    any = 1;
  }
  if (any) fputc('\n', stderr);
  unsigned __int128 sk = source_skipped_special(r->src), ex = source_skipped_excluded(r->src);
  char num[SPAN_COUNT_TEXTLEN];
  if (sk)
    fprintf(stderr, "  skipped: %s %s in special-purpose blocks (private, "
            "documentation, ...) inside wider targets\n", span_count_text(num, sk),
            plural_word(sk, "address", "addresses"));
  if (ex)
    fprintf(stderr, "  excluded: %s %s\n", span_count_text(num, ex),
            plural_word(ex, "address", "addresses"));
  if (st->resumed)
    fprintf(stderr, "  resumed: %llu %s done by the interrupted run\n",
            (unsigned long long)st->resumed,
            plural_word(st->resumed, "target was", "targets were"));
  if (st->backoffs)
    fprintf(stderr, "  note: the resolver refused or did not answer most queries %llu "
            "%s; the rate was halved and the scan paused each time\n",
            (unsigned long long)st->backoffs, plural_word(st->backoffs, "time", "times"));
  uint64_t drops = st->udp_drops > st->udp_drops_ours ? st->udp_drops : st->udp_drops_ours;
  if (drops)
    fprintf(stderr, "  note: this host dropped %llu UDP %s (full receive buffers) during "
            "the run, %llu of them at ptraudit's own DNS sockets; the in-flight window went "
            "down to %u\n", (unsigned long long)drops,
            plural_word(drops, "datagram", "datagrams"),
            (unsigned long long)st->udp_drops_ours, st->min_window);
  if (st->smtp_backpressure)
    fprintf(stderr, "  note: %llu SMTP %s for free sockets\n",
            (unsigned long long)st->smtp_backpressure,
            plural_word(st->smtp_backpressure, "connect waited", "connects waited"));
}

static int exit_status(const struct run *r) {
  const struct audit_stats *st = audit_stats(r->audit);
  uint64_t bad = 0;
  for (int v = 0; v < VERDICT_COUNT; v++)
    if (verdict_is_finding((enum verdict)v, r->cfg.fail_on)) bad += st->verdicts[v];
  return bad ? PTA_EXIT_FINDINGS : PTA_EXIT_CLEAN;
}

/* --- output paths ----------------------------------------------------------
 * Every output (the report and its partial name, the checkpoint, the
 * --html page) must differ from every input (@FILE operands, -i, every
 * --exclude-file, the --resume checkpoint and the report it names) and
 * from every other output: writing one over another destroyed data and
 * still exited 0.  And --checkpoint and --html get the same checks as -o
 * (no symlink without --force, never a device, FIFO or directory). */
struct named_path {
  const char *path;
  const char *what;
};

static void check_resume_range(struct run *r) {
  if (!r->total_known) return;
  if (r->prev.next > r->total)
    die(PTA_EXIT_USAGE, "%s: next %" PRIu64 " is beyond the %" PRIu64 " targets of this run: the "
        "checkpoint does not belong to it", r->cfg.resume, r->prev.next, r->total);
  if (r->prev.next == r->total && !r->prev.npending)
    die(PTA_EXIT_USAGE, "%s: every target is done already (next %" PRIu64 " of %" PRIu64 ", none "
        "pending): nothing to resume", r->cfg.resume, r->prev.next, r->total);
}

static void check_outputs(struct run *r, const char *out) {
  size_t cap = r->cfg.src.ntargets + r->cfg.src.nexclude_files + 4;
  struct named_path *in = malloc(cap * sizeof *in), outs[5];
  size_t nin = 0, nout = 0;
  static char partial[4200 + 16];
  char err[1024];
  unsigned af = r->cfg.force ? ATOMICFILE_FORCE : 0;

  if (!in) die(PTA_EXIT_RUNTIME, "out of memory");
  for (size_t i = 0; i < r->cfg.src.ntargets; i++)
    if (r->cfg.src.targets[i][0] == '@')
      in[nin++] = (struct named_path){r->cfg.src.targets[i] + 1, "target file"};
  if (r->cfg.src.inventory && strcmp(r->cfg.src.inventory, "-"))
    in[nin++] = (struct named_path){r->cfg.src.inventory, "inventory (-i)"};
  for (size_t i = 0; i < r->cfg.src.nexclude_files; i++)
    in[nin++] = (struct named_path){r->cfg.src.exclude_files[i], "--exclude-file"};
  if (r->cfg.resume) {
    in[nin++] = (struct named_path){r->cfg.resume, "--resume checkpoint"};
    if (r->prev.report[0] && strcmp(r->prev.report, "-"))
      in[nin++] = (struct named_path){r->prev.report, "report named by the --resume checkpoint"};
  }
  if (r->cfg.previous) {
    struct reportread *pr;
    /* compared with the report after the run: it must be readable now,
     * and the report must be a file that can be read back */
    if (!strcmp(out, "-"))
      die(PTA_EXIT_USAGE, "--previous compares the report after the run: give -o FILE");
    if (reportread_open(&pr, r->cfg.previous, err, sizeof err) < 0)
      die(PTA_EXIT_USAGE, "--previous: %s", err);
    reportread_close(pr);
    in[nin++] = (struct named_path){r->cfg.previous, "--previous report"};
  }
  if (strcmp(out, "-")) {
    report_partial_path(partial, sizeof partial, out);
    outs[nout++] = (struct named_path){out, "report (-o)"};
    outs[nout++] = (struct named_path){partial, "partial report name"};
  }
  outs[nout++] = (struct named_path){r->cp_path, "checkpoint"};
  if (r->cfg.html && strcmp(r->cfg.html, "-"))
    outs[nout++] = (struct named_path){r->cfg.html, "--html page"};
  if (r->cfg.status_file)
    outs[nout++] = (struct named_path){r->cfg.status_file, "--status-file"};
  if (r->cfg.html && !strcmp(r->cfg.html, "-") && !strcmp(out, "-"))
    die(PTA_EXIT_USAGE, "--html - and -o - would both write to standard output");

  for (size_t i = 0; i < nout; i++) {
    for (size_t j = 0; j < nin; j++)
      if (cmd_same_file(outs[i].path, in[j].path))
        die(PTA_EXIT_USAGE, "the %s %s is the same file as the %s %s: refusing to overwrite an "
            "input", outs[i].what, outs[i].path, in[j].what, in[j].path);
    for (size_t j = i + 1; j < nout; j++)
      if (cmd_same_file(outs[i].path, outs[j].path))
        die(PTA_EXIT_USAGE, "the %s %s and the %s %s are the same file", outs[i].what, outs[i].path,
            outs[j].what, outs[j].path);
  }
  free(in);
  /* The report checks its own paths when it opens; these two are written
   * at the end, so they are checked now, before any work. */
  if (atomicfile_check(r->cp_path, "checkpoint", af, err, sizeof err) < 0)
    die(PTA_EXIT_USAGE, "%s (or choose another with --checkpoint)", err);
  if (r->cfg.html && strcmp(r->cfg.html, "-") &&
      atomicfile_check(r->cfg.html, "--html page", af, err, sizeof err) < 0)
    die(PTA_EXIT_USAGE, "%s", err);
}

/* --previous: the change from that report to this run's (r->report_at,
 * closed), judged with this run's --fail-on.  0, or <0 after a message. */
static int previous_change(struct run *r, struct change **out) {
  char err[1024];
  struct change *c;
  int rc = change_open(&c, r->cfg.fail_on, 0, err, sizeof err);
  if (rc == 0) rc = change_add_report(c, 0, r->cfg.previous, 0, NULL, err, sizeof err);
  if (rc == 0) rc = change_add_report(c, 1, r->report_at, 0, NULL, err, sizeof err);
  if (rc == 0) rc = change_finish(c, err, sizeof err);
  if (rc < 0) {
    fprintf(stderr, "ptraudit: --previous: %s; the page has no comparison\n", err);
    change_free(c);
    return rc;
  }
  *out = c;
  return 0;
}

/* After the scan: close the report (final or partial name), write the
 * checkpoint when targets are left, the --html page and the summary.
 * Stop signals are only recorded here (stopsig.h), so
 * none of this can be cut short.  Returns the exit status. */
static int finish_run(struct run *r) {
  char err[1024];
  int status, rc;
  const char *msg = audit_error(r->audit);
  /* A run that failed keeps its rows under the partial name even when no
   * target is left: after a resolver stop the last rows are timeouts the
   * resolver caused, and the final name must mean a run that succeeded. */
  int partial = targets_left(r) || r->end == AUDIT_RUNTIME_ERROR ||
                r->end == AUDIT_INPUT_ERROR;

  rc = close_report(r, partial, err, sizeof err);
  if (rc < 0 || r->end == AUDIT_OUTPUT_ERROR) {
    fprintf(stderr, "ptraudit: %s\n", r->end == AUDIT_OUTPUT_ERROR ? msg : err);
    if (r->end == AUDIT_OUTPUT_ERROR && rc < 0 && !strstr(msg, err))
      fprintf(stderr, "ptraudit: %s\n", err);
    if (!strstr(err, "the data is in")) /* else err says where it is */
      fprintf(stderr, "ptraudit: the complete rows written are in %s\n",
              strcmp(r->report_at, "-") ? r->report_at : "standard output");
    if (targets_left(r)) write_checkpoint(r);
    status = PTA_EXIT_RUNTIME;
  } else if (r->end == AUDIT_INPUT_ERROR) {
    fprintf(stderr, "ptraudit: %s (stopped; rows before it were written to %s)\n", msg,
            r->report_at);
    status = PTA_EXIT_USAGE;
  } else if (r->end == AUDIT_RUNTIME_ERROR) {
    fprintf(stderr, "ptraudit: %s\n", msg);
    fprintf(stderr, "ptraudit: rows finished so far are in %s\n", r->report_at);
    write_checkpoint(r);
    status = PTA_EXIT_RUNTIME;
  } else {
    status = exit_status(r);
    if (partial) {
      if (!r->cfg.quiet)
        fprintf(stderr, "ptraudit: stopped with targets left; rows finished so far are in %s\n",
                r->report_at);
      write_checkpoint(r);
    }
  }
  if (r->cfg.html && status != PTA_EXIT_RUNTIME) {
    struct change *since = NULL;
    if (r->cfg.previous && previous_change(r, &since) < 0 && status == PTA_EXIT_CLEAN)
      status = PTA_EXIT_USAGE; /* the page is written without that section */
    if (audit_write_html(r->audit, r->cfg.html, since, err, sizeof err) < 0) {
      fprintf(stderr, "ptraudit: %s\n", err);
      status = PTA_EXIT_RUNTIME;
    }
    change_free(since);
  }
  if (!r->cfg.quiet) print_summary(r, strcmp(r->out, "-") ? r->report_at : "stdout");
  if (stopsig_first() && status != PTA_EXIT_RUNTIME) status = 128 + stopsig_first();
  write_meta(r, status);
  return status;
}

/* --dry-run: walk the stream, print what would be scanned, send nothing.
 * Counts are 128-bit (an --allow-huge input can hold more than 2^64
 * addresses) and printed with span_count_text. */
static int dry_run(struct run *r) {
  struct target t;
  char err[1024], a[ADDR_STRLEN], n1[SPAN_COUNT_TEXTLEN], n2[SPAN_COUNT_TEXTLEN];
  char dur[DURATION_TEXTLEN];
  uint64_t n = 0, invalid = 0, skipped = 0;
  unsigned __int128 total = 0, sk, ex;
  int rc = 0, known = source_total_exact(r->src, &total);
  printf("dry run: nothing is sent\n");
  if (r->cfg.src.shard_n) printf("shard: %u of %u\n", r->cfg.src.shard_k, r->cfg.src.shard_n);
  if (r->cfg.src.seeded) printf("order: permuted with seed %llu\n", r->cfg.src.seed);
  printf("first targets:");
  while (n < DRY_RUN_WALK_MAX) {
    rc = source_next(r->src, &t, err, sizeof err);
    if (rc == UV_EAGAIN) { /* a quiet pipe (opts.nonblocking): nothing else to do here */
      struct pollfd p = {.fd = source_wait_fd(r->src), .events = POLLIN};
      poll(&p, 1, -1);
      continue;
    }
    if (rc <= 0) break;
    if (t.kind == TARGET_INVALID) invalid++;
    else if (t.kind == TARGET_SKIPPED) skipped++;
    if (n < 10) {
      if (t.kind == TARGET_INVALID) printf(" (invalid '%.*s')", (int)(t.text_len > 40 ? 40 : t.text_len), t.text);
      else printf(" %s", (addr_format(&t.addr, a), a));
    }
    n++;
  }
  printf("%s\n", n > 10 ? " ..." : "");
  if (rc < 0) die(PTA_EXIT_USAGE, "%s", err);
  int stopped = n >= DRY_RUN_WALK_MAX && rc > 0;
  /* What the estimate is based on: every target walked, or, when the walk
   * stopped, every position of the input (an upper bound). */
  unsigned __int128 scan = n - invalid - skipped;
  if (stopped && known) {
    printf("targets to scan: more than %s (stopped counting); the input holds %s %s\n",
           span_count_text(n1, scan), span_count_text(n2, total),
           plural_word(total, "address", "addresses"));
    scan = total;
  } else {
    printf("targets to scan: %s%s\n", span_count_text(n1, scan),
           stopped ? " (stopped counting)" : "");
  }
  if (invalid) printf("invalid inventory rows: %llu\n", (unsigned long long)invalid);
  if (skipped) printf("excluded inventory rows: %llu\n", (unsigned long long)skipped);
  sk = source_skipped_special(r->src);
  ex = source_skipped_excluded(r->src);
  printf("skipped, special-purpose blocks inside wider targets: %s\n", span_count_text(n1, sk));
  printf("skipped, excluded: %s\n", span_count_text(n1, ex));
  unsigned dns_b = scan_dns_budget(&r->cfg.scan);
  if (r->cfg.scan.rate > 0) {
    double secs = (double)scan / r->cfg.scan.rate;
    printf("pace: %.10g %s/s, %u resolving at once: %s%s\n", r->cfg.scan.rate,
           r->cfg.scan.rate == 1 ? "target" : "targets", dns_b,
           secs >= 1 ? "about " : "", duration_text(dur, sizeof dur, secs));
  } else {
    printf("pace: no rate cap, %u resolving at once\n", dns_b);
  }
  return PTA_EXIT_CLEAN;
}

/* --help, --version: 1 when the action was one of them (printed). */
static int info_action(struct run *r) {
  if (r->cfg.action == ACTION_HELP) {
    fputs(options_usage(), stdout);
  } else if (r->cfg.action == ACTION_VERSION) {
    printf("ptraudit %s (libuv %s, c-ares %s, zlib %s)\n", PTRAUDIT_VERSION,
           uv_version_string(), ares_version(NULL), zlibVersion());
  } else {
    return 0;
  }
  options_free(&r->cfg);
  return 1;
}

/* The descriptors the run may use: raised to the hard limit, checked. */
static void setup_nofile(struct run *r) {
  rlim_t nofile = raise_nofile();
  if (!r->cfg.dry_run) check_nofile(r, nofile); /* a dry run opens only the inputs */
  /* Only SMTP probes hold a descriptor each; the scan sizes their budget
   * within the limit (audit.h, scan_smtp_budget).  Say so when the user's
   * explicit --smtp-concurrency does not fit. */
  if (!r->cfg.scan.no_smtp && r->cfg.scan.smtp_concurrency &&
      (rlim_t)r->cfg.scan.smtp_concurrency + FD_RESERVE > nofile && !r->cfg.quiet)
    fprintf(stderr, "ptraudit: --smtp-concurrency %u does not fit the open-file limit %llu; "
            "using %llu\n", r->cfg.scan.smtp_concurrency, (unsigned long long)nofile,
            (unsigned long long)(nofile > FD_RESERVE + 8 ? nofile - FD_RESERVE : 8));
}

/* --dnsbl-file: its lists after the --dnsbl ones (exits on bad input).
 * The file is small by nature (a few lines); 1 MiB is far beyond any. */
static void load_dnsbl_file(struct run *r) {
  char err[1024];
  const char *path = r->cfg.dnsbl_file;
  if (!path) return;
  FILE *f = fopen(path, "rb");
  if (!f) die(PTA_EXIT_USAGE, "--dnsbl-file %s: %s", path, strerror(errno));
  size_t cap = 1u << 20, len;
  char *text = malloc(cap + 1);
  if (!text) die(PTA_EXIT_RUNTIME, "out of memory");
  len = fread(text, 1, cap + 1, f);
  int bad = ferror(f);
  fclose(f);
  if (bad) die(PTA_EXIT_USAGE, "--dnsbl-file %s: read error", path);
  if (len > cap) die(PTA_EXIT_USAGE, "--dnsbl-file %s: larger than 1 MiB", path);
  if (dnsbl_file_parse(text, len, path, r->cfg.scan.dnsbl, DNSBL_MAX_LISTS, &r->cfg.scan.ndnsbl,
                       err, sizeof err) < 0)
    die(PTA_EXIT_USAGE, "%s", err);
  free(text);
  if (r->cfg.scan.ndnsbl == 0) die(PTA_EXIT_USAGE, "--dnsbl-file %s: no blocklist in it", path);
}

/* Open the inputs (exits on bad input). */
static void open_source(struct run *r) {
  char err[1024];
  /* Inputs read once (pipes, FIFOs, terminals) never block the loop: the
   * scan polls the source's descriptor when it has no complete target. */
  r->cfg.src.nonblocking = 1;
  int rc = source_open(&r->src, &r->cfg.src, err, sizeof err);
  if (rc < 0) die(rc == UV_EINVAL ? PTA_EXIT_USAGE : PTA_EXIT_RUNTIME, "%s", err);
  r->total_known = source_total(r->src, &r->total);
  uint64_t fp = 0;
  r->resumable = source_fingerprint(r->src, &fp);
  r->fingerprint = options_fingerprint(&r->cfg, fp);
  if (r->total_known && r->total == 0) die(PTA_EXIT_USAGE, "no targets in the input");
}

/* --resume: the checkpoint must be this run's (exits otherwise). */
static void load_resume(struct run *r) {
  char err[1024];
  if (!r->cfg.resume) return;
  if (!r->resumable)
    die(PTA_EXIT_USAGE, "--resume needs inputs that can be read again (not stdin or a pipe)");
  if (checkpoint_read(r->cfg.resume, &r->prev, err, sizeof err) < 0) die(PTA_EXIT_USAGE, "%s", err);
  if (r->prev.fingerprint != r->fingerprint)
    die(PTA_EXIT_USAGE, "%s: the inputs or options differ from the interrupted run's (targets, "
        "inventory contents, exclusions, shard, seed, SMTP and format options must be the "
        "same)", r->cfg.resume);
  check_resume_range(r);
  r->resuming = 1;
}

/* The live status (statusline.h): opens the --status-file (exits on
 * failure, before the report exists). */
static void open_status(struct run *r) {
  char err[1024];
  struct statusline_opts so = {
    .quiet = r->cfg.quiet,
    .tty = isatty(STDERR_FILENO),
    .interval_s = r->cfg.status_interval,
    .file = r->cfg.status_file,
    .excluded_are_rows = r->cfg.src.inventory != NULL,
  };
  if (statusline_new(&r->status, &so, err, sizeof err) < 0) die(PTA_EXIT_USAGE, "%s", err);
}

/* The report's and the checkpoint's names; the report opened (exits on
 * failure). */
static void open_outputs(struct run *r, char *defname, size_t deflen) {
  char err[1024];
  const char *out = r->cfg.output;
  if (!out) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(defname, deflen, r->cfg.scan.format == FORMAT_JSONL
             ? "ptraudit-%Y%m%dT%H%M%SZ.jsonl.gz" : "ptraudit-%Y%m%dT%H%M%SZ.csv.gz", &tm);
    out = defname;
  }
  r->out = out;
  if (r->cfg.checkpoint)
    snprintf(r->cp_path, sizeof r->cp_path, "%s", r->cfg.checkpoint);
  else
    snprintf(r->cp_path, sizeof r->cp_path, "%s.checkpoint",
             strcmp(out, "-") ? out : "ptraudit-stdout");
  check_outputs(r, out);
  open_status(r);
  if (report_open(&r->rep, out, r->cfg.force ? REPORT_FORCE : 0, err, sizeof err) < 0)
    die(PTA_EXIT_USAGE, "%s", err);
}

/* Say once, before the scan, when the kernel's UDP drop counters cannot be
 * read: the DNS stage then sees only the drops at its own sockets
 * (dnsstage.c does without the host's quietly, row after row).  Printed
 * even with -q: a service (systemd's ProcSubset=pid hides /proc/net) would
 * otherwise lose the signal without a word (a procfs without /proc/self,
 * a container's masked /proc). */
static void warn_drop_counters(void) {
  uint64_t n;
  int rc = netstat_rcvbuf_errors(&n);
  if (rc >= 0) return;
  fprintf(stderr, "ptraudit: warning: cannot read the host's UDP drop counters in %s (%s); "
          "only drops at ptraudit's own DNS sockets will narrow the DNS window\n",
          NETSTAT_PATH, rc == UV_EINVAL ? "no Udp RcvbufErrors counter in it" : strerror(-rc));
}

/* The loop, the scan and the CLI's own timers and signals (exits on
 * failure, removing the temporary report). */
static void start_scan(struct run *r) {
  char err[1024];
  int rc;
  if ((rc = uv_loop_init(&r->loop)) < 0) {
    report_close(r->rep, 0, NULL, 0); /* removes the temporary file */
    die(PTA_EXIT_RUNTIME, "cannot start the event loop: %s", uv_strerror(rc));
  }
  rc = audit_new(&r->audit, &r->loop, &r->cfg.scan, r->src, r->rep, err, sizeof err);
  if (rc < 0 && !r->audit) {
    report_close(r->rep, 0, NULL, 0);
    die(rc == UV_EINVAL ? PTA_EXIT_USAGE : PTA_EXIT_RUNTIME, "%s", err);
  }
  if (r->resuming) audit_resume_from(r->audit, &r->prev);
  uv_timer_init(&r->loop, &r->flush);
  uv_timer_init(&r->loop, &r->grace);
  r->flush.data = r->grace.data = r;
  stop_signals_attach(r);
  uv_timer_start(&r->flush, on_flush, 1000, 1000);
  uv_unref((uv_handle_t *)&r->flush);
  audit_on_invalid(r->audit, on_invalid, r);
  audit_on_message(r->audit, on_message, r);
  r->t0 = uv_hrtime();
  statusline_start(r->status, &r->loop, r->audit, r->src);
  audit_start(r->audit, on_done, r);
}

int main(int argc, char **argv) {
  static struct run run;
  struct run *r = &run;
  char err[1024];
  char defname[64];

  /* libuv does not ignore SIGPIPE on Linux: a peer closing early must not
   * kill the process. */
  signal(SIGPIPE, SIG_IGN);
  /* A file-size limit (ulimit -f) must make write() fail with EFBIG, which
   * the report turns into a clear error and exit 3, not kill us. */
  signal(SIGXFSZ, SIG_IGN);
  r->argc = argc;
  r->argv = argv;
  r->started = time(NULL);

  if (argc > 1) {
    if (!strcmp(argv[1], "diff")) return command_diff(argc - 1, argv + 1);
    if (!strcmp(argv[1], "merge")) return command_merge(argc - 1, argv + 1);
    if (!strcmp(argv[1], "summary")) return command_summary(argc - 1, argv + 1);
    if (!strcmp(argv[1], "schema")) return command_schema(argc - 1, argv + 1);
  }
  if (options_parse(&r->cfg, argc, argv, err, sizeof err) != 0)
    die(PTA_EXIT_USAGE, "%s", err);
  if (info_action(r)) return PTA_EXIT_CLEAN;
  setup_nofile(r);
  load_dnsbl_file(r);
  /* From here a stop signal is only recorded: one that comes while a large
   * inventory is read, or before the report exists, still ends the run
   * with a NAME.partial report and a checkpoint (the scan stops at its
   * first turn), not with no file and no word.  A dry run keeps the
   * default action: it writes nothing. */
  if (!r->cfg.dry_run) stopsig_install();
  open_source(r);
  if (r->cfg.dry_run) {
    int rc = dry_run(r);
    source_close(r->src);
    options_free(&r->cfg);
    return rc;
  }
  load_resume(r);
  open_outputs(r, defname, sizeof defname);
  warn_drop_counters();
  start_scan(r);
  uv_run(&r->loop, UV_RUN_DEFAULT);
  statusline_finish(r->status);

  int status = finish_run(r);
  statusline_free(r->status); /* a status file that failed was warned about; not the scan's failure */
  audit_free(r->audit);
  source_close(r->src);
  checkpoint_free(&r->prev);
  options_free(&r->cfg);
  free(r->lost);
  if (uv_loop_close(&r->loop) != 0) fprintf(stderr, "ptraudit: internal: handles left open\n");
  return status;
}
