/* SPDX-License-Identifier: MIT */
/* runmeta.c - see runmeta.h. */
#include "runmeta.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "err.h"
#include "jsonl.h"
#include "schema.h"

struct out {
  char *dst;
  size_t size, len;
};

static void put_n(struct out *o, const char *s, size_t n) {
  if (o->len < o->size) memcpy(o->dst + o->len, s, n < o->size - o->len ? n : o->size - o->len);
  o->len += n;
}

static void put(struct out *o, const char *s) { put_n(o, s, strlen(s)); }

static void put_str(struct out *o, const char *s) {
  if (!s) {
    put(o, "null");
    return;
  }
  size_t n = strlen(s), room = o->len < o->size ? o->size - o->len : 0;
  size_t w = jsonl_string(room ? o->dst + o->len : NULL, room, s, n);
  if (w >= room) { /* did not fit: measured only; keep the cut visible */
    if (room) o->size = o->len;
  }
  o->len += w;
}

static void put_fmt(struct out *o, const char *fmt, double v) {
  char b[64];
  snprintf(b, sizeof b, fmt, v);
  put(o, b);
}

static void put_u64(struct out *o, uint64_t v) {
  char b[32];
  snprintf(b, sizeof b, "%llu", (unsigned long long)v);
  put(o, b);
}

static void put_time(struct out *o, time_t t) {
  char b[32];
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(b, sizeof b, "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
  put(o, b);
}

static void put_key(struct out *o, const char *k) {
  put(o, ",\n  \"");
  put(o, k);
  put(o, "\": ");
}

static void put_opt(struct out *o, const struct runmeta_opt *p) {
  switch (p->kind) {
  case RUNMETA_NULL: put(o, "null"); break;
  case RUNMETA_STRING: put_str(o, p->str); break;
  case RUNMETA_NUMBER: put_fmt(o, "%.15g", p->num); break;
  case RUNMETA_BOOL: put(o, p->num ? "true" : "false"); break;
  case RUNMETA_STRINGS:
    put(o, "[");
    for (size_t i = 0; i < p->nstrs; i++) {
      if (i) put(o, ", ");
      put_str(o, p->strs[i]);
    }
    put(o, "]");
    break;
  }
}

int runmeta_path(char *dst, size_t size, const char *report) {
  int n = snprintf(dst, size, "%s.meta.json", report);
  return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

size_t runmeta_format(char *dst, size_t size, const struct runmeta *m) {
  struct out o = {dst, size, 0};
  put(&o, "{\n  \"schema_version\": ");
  put_fmt(&o, "%.0f", SCHEMA_VERSION);
  put_key(&o, "ptraudit_version");
  put_str(&o, m->version);
  put_key(&o, "completed");
  put(&o, m->completed ? "true" : "false");
  put_key(&o, "exit_status");
  put_fmt(&o, "%.0f", m->exit_status);
  put_key(&o, "report");
  put_str(&o, m->report);
  put_key(&o, "checkpoint");
  put_str(&o, m->checkpoint);
  put_key(&o, "format");
  put_str(&o, m->format);
  put_key(&o, "started_at");
  put_time(&o, m->started_at);
  put_key(&o, "ended_at");
  put_time(&o, m->ended_at);
  put_key(&o, "argv");
  put(&o, "[");
  for (int i = 0; i < m->argc; i++) {
    if (i) put(&o, ", ");
    put_str(&o, m->argv[i]);
  }
  put(&o, "]");
  put_key(&o, "options");
  put(&o, "{");
  for (size_t i = 0; i < m->nopts; i++) {
    put(&o, i ? ",\n    " : "\n    ");
    put_str(&o, m->opts[i].name);
    put(&o, ": ");
    put_opt(&o, &m->opts[i]);
  }
  put(&o, m->nopts ? "\n  }" : "}");
  put_key(&o, "resolvers");
  put(&o, "[");
  for (const char *p = m->resolvers ? m->resolvers : ""; *p;) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char one[80];
    snprintf(one, sizeof one, "%.*s", (int)(n < 79 ? n : 79), p);
    if (p != m->resolvers) put(&o, ", ");
    put_str(&o, one);
    p += n + (e ? 1 : 0);
  }
  put(&o, "]");
  put_key(&o, "rows");
  put_u64(&o, m->rows);
  put_key(&o, "verdicts");
  put(&o, "{");
  for (int v = 0; v < VERDICT_COUNT; v++) {
    put(&o, v ? ", \"" : "\"");
    put(&o, verdict_name((enum verdict)v));
    put(&o, "\": ");
    put_u64(&o, m->verdicts ? m->verdicts[v] : 0);
  }
  put(&o, "}\n}\n");
  if (size) {
    if (o.len < size) dst[o.len] = '\0';
    else dst[0] = '\0';
  }
  return o.len;
}

int runmeta_write(const char *path, const struct runmeta *m, char *err, size_t errlen) {
  struct atomicfile *af;
  size_t n = runmeta_format(NULL, 0, m);
  char *buf = malloc(n + 1);
  if (!buf) return err_set(err, errlen, -ENOMEM, "%s: out of memory", path);
  runmeta_format(buf, n + 1, m);
  int rc = atomicfile_open(&af, path, "run metadata file", ATOMICFILE_FORCE, err, errlen);
  if (rc == 0) {
    rc = atomicfile_write_all(atomicfile_fd(af), buf, n);
    if (rc < 0) {
      err_set(err, errlen, rc, "%s: cannot write: %s", atomicfile_tmp(af), strerror(-rc));
      atomicfile_discard(af);
    } else {
      rc = atomicfile_commit(af, NULL, err, errlen);
    }
  }
  free(buf);
  return rc;
}
