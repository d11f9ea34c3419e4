/* SPDX-License-Identifier: MIT */
/* runinfo.c - see runinfo.h. */
#include "runinfo.h"

#include <stdio.h>
#include <string.h>

#include "runmeta.h"
#include "sink.h"
#include "version.h"

#define MAX_OPTS 64

static void add(struct runmeta_opt *o, size_t *n, const char *name, enum runmeta_kind k,
                const char *str, double num) {
  if (*n >= MAX_OPTS) return;
  o[*n] = (struct runmeta_opt){.name = name, .kind = str || k != RUNMETA_STRING ? k : RUNMETA_NULL,
                               .str = str, .num = num};
  (*n)++;
}

static void add_strs(struct runmeta_opt *o, size_t *n, const char *name, const char *const *s,
                     size_t ns) {
  if (*n >= MAX_OPTS) return;
  o[*n] = (struct runmeta_opt){.name = name, .kind = RUNMETA_STRINGS, .strs = s, .nstrs = ns};
  (*n)++;
}

int runinfo_write(const struct config *c, const struct runinfo_end *e) {
  struct runmeta_opt o[MAX_OPTS];
  size_t n = 0;
  char path[4300], err[1024], shard[32];
  static const char *const fail_on[] = {"fail", "warn", "never"};
  const struct scan_opts *s = &c->scan;
  const struct audit_stats *st = e->st;
  uint64_t rows = 0;

  if (!strcmp(e->out, "-")) return 0;
  /* Effective values: the budgets the scan chose where the option was 0. */
  add_strs(o, &n, "targets", (const char *const *)c->src.targets, c->src.ntargets);
  add(o, &n, "inventory", RUNMETA_STRING, c->src.inventory, 0);
  add(o, &n, "ip_column", RUNMETA_STRING, c->src.ip_column, 0);
  add(o, &n, "expect_column", RUNMETA_STRING, c->src.expect_column, 0);
  add_strs(o, &n, "exclude", c->src.excludes, c->src.nexcludes);
  add_strs(o, &n, "exclude_file", c->src.exclude_files, c->src.nexclude_files);
  snprintf(shard, sizeof shard, "%u/%u", c->src.shard_k, c->src.shard_n);
  add(o, &n, "shard", RUNMETA_STRING, c->src.shard_n ? shard : NULL, 0);
  add(o, &n, "seed", c->src.seeded ? RUNMETA_NUMBER : RUNMETA_NULL, NULL, (double)c->src.seed);
  add(o, &n, "allow_huge", RUNMETA_BOOL, NULL, c->src.allow_huge);
  add(o, &n, "output", RUNMETA_STRING, e->out, 0);
  add(o, &n, "format", RUNMETA_STRING, sink_format_name(s->format), 0);
  add(o, &n, "ordered", RUNMETA_BOOL, NULL, s->ordered);
  add(o, &n, "force", RUNMETA_BOOL, NULL, c->force);
  add(o, &n, "html", RUNMETA_STRING, c->html, 0);
  add(o, &n, "checkpoint", RUNMETA_STRING, c->checkpoint, 0);
  add(o, &n, "resume", RUNMETA_STRING, c->resume, 0);
  add(o, &n, "dns_timeout_ms", RUNMETA_NUMBER, NULL, s->dns_timeout_ms);
  add(o, &n, "dns_tries", RUNMETA_NUMBER, NULL, s->dns_tries);
  add(o, &n, "channels", RUNMETA_NUMBER, NULL, s->channels);
  add(o, &n, "no_smtp", RUNMETA_BOOL, NULL, s->no_smtp);
  add(o, &n, "smtp_port", RUNMETA_NUMBER, NULL, s->smtp_port);
  add(o, &n, "smtp_timeout_ms", RUNMETA_NUMBER, NULL, s->smtp_timeout_ms);
  add(o, &n, "connect_timeout_ms", RUNMETA_NUMBER, NULL, s->connect_timeout_ms);
  add(o, &n, "ehlo", RUNMETA_STRING, s->ehlo, 0);
  add(o, &n, "smtp_concurrency", RUNMETA_NUMBER, NULL,
      st && !s->smtp_concurrency ? st->smtp_budget : s->smtp_concurrency);
  add(o, &n, "sessions_per_prefix", RUNMETA_NUMBER, NULL, s->per_prefix);
  add(o, &n, "smtp_tries", RUNMETA_NUMBER, NULL, s->smtp_tries);
  add(o, &n, "rate", RUNMETA_NUMBER, NULL, s->rate);
  add(o, &n, "concurrency", RUNMETA_NUMBER, NULL,
      st && !s->concurrency ? st->dns_budget : s->concurrency);
  add(o, &n, "fail_on", RUNMETA_STRING, fail_on[c->fail_on], 0);
  add(o, &n, "quiet", RUNMETA_BOOL, NULL, c->quiet);
  add(o, &n, "previous", RUNMETA_STRING, c->previous, 0);
  add(o, &n, "status_interval", RUNMETA_NUMBER, NULL, c->status_interval);
  add(o, &n, "status_file", RUNMETA_STRING, c->status_file, 0);
  const char *zones[DNSBL_MAX_LISTS];
  for (size_t i = 0; i < s->ndnsbl && i < DNSBL_MAX_LISTS; i++) zones[i] = s->dnsbl[i].zone;
  add_strs(o, &n, "dnsbl", zones, s->ndnsbl);
  add(o, &n, "dnsbl_file", RUNMETA_STRING, c->dnsbl_file, 0);
  add(o, &n, "dnsbl_txt", RUNMETA_BOOL, NULL, s->dnsbl_txt);
  add(o, &n, "spf_domain", RUNMETA_STRING, s->spf_domain, 0);
  add(o, &n, "sender_column", RUNMETA_STRING, s->sender_column, 0);
  add(o, &n, "helo_column", RUNMETA_STRING, s->helo_column, 0);

  for (int v = 0; st && v < VERDICT_COUNT; v++) rows += st->verdicts[v];
  struct runmeta m = {
    .version = PTRAUDIT_VERSION,
    .completed = e->completed,
    .exit_status = e->exit_status,
    .report = e->report_at,
    .checkpoint = e->checkpoint,
    .format = sink_format_name(s->format),
    .started_at = e->started_at,
    .ended_at = time(NULL),
    .argc = e->argc,
    .argv = e->argv,
    .opts = o,
    .nopts = n,
    .resolvers = s->resolvers,
    .rows = rows,
    .verdicts = st ? st->verdicts : NULL,
  };
  if (runmeta_path(path, sizeof path, e->out) < 0) {
    fprintf(stderr, "ptraudit: cannot write the run metadata: %s.meta.json: name too long\n",
            e->out);
    return -1;
  }
  int rc = runmeta_write(path, &m, err, sizeof err);
  if (rc < 0) fprintf(stderr, "ptraudit: cannot write the run metadata: %s\n", err);
  return rc;
}
