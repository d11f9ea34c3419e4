/* SPDX-License-Identifier: MIT */
/* sink.c - see sink.h. */
#include "sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

/* One output format.  `format` returns the length of the formatted row
 * (as snprintf: the whole length even when it did not fit). */
struct format {
  const char *name;
  int header; /* writes the column names as a first row */
  size_t (*format)(const struct sink *s, char *dst, size_t size, const char *const *fields,
                   const size_t *lens, size_t n);
};

struct ring_entry {
  char *buf;
  size_t len, cap;
  int ready;
  int skip; /* nothing to write */
};

struct sink {
  struct report *rep;
  const struct format *fmt;
  char **names;
  enum schema_type *types; /* each column's type (schema.h; inventory: string) */
  size_t ncols;
  char *line; /* completion order: one formatted row */
  size_t line_cap;
  struct ring_entry *ring;
  size_t ring_size;
  uint64_t write_seq; /* input order: next row to write */
  int failed;         /* the report failed (rows are still handed over) */
};

static size_t fmt_csv(const struct sink *s, char *dst, size_t size, const char *const *fields,
                      const size_t *lens, size_t n) {
  (void)s;
  return report_format(dst, size, fields, lens, n);
}

static size_t fmt_jsonl(const struct sink *s, char *dst, size_t size, const char *const *fields,
                        const size_t *lens, size_t n) {
  return jsonl_format(dst, size, (const char *const *)s->names, s->types, fields, lens, n);
}

/* JSON lines carry the names in every object: no header row. */
static const struct format formats[] = {
  [FORMAT_CSV] = {"csv", 1, fmt_csv},
  [FORMAT_JSONL] = {"jsonl", 0, fmt_jsonl},
};
#define NFORMATS (sizeof formats / sizeof formats[0])

const char *sink_format_name(enum out_format fmt) {
  return (unsigned)fmt < NFORMATS ? formats[fmt].name : NULL;
}

int sink_new(struct sink **out, struct report *rep, enum out_format fmt,
             const char *const *colnames, size_t ncols, size_t ring_size) {
  *out = NULL;
  if ((unsigned)fmt >= NFORMATS) return -EINVAL;
  struct sink *s = calloc(1, sizeof *s);
  if (!s) return -ENOMEM;
  s->rep = rep;
  s->fmt = &formats[fmt];
  s->ncols = ncols;
  /* Own copies: an inventory frees its header when its last row is read,
   * and JSON lines need the names for every row after that. */
  s->names = calloc(ncols ? ncols : 1, sizeof *s->names);
  s->types = calloc(ncols ? ncols : 1, sizeof *s->types);
  if (!s->names || !s->types) goto nomem;
  for (size_t i = 0; i < ncols; i++) {
    if (!(s->names[i] = strdup(colnames[i] ? colnames[i] : ""))) goto nomem;
    /* By name: inventory columns never carry a report column's name
     * (rowfmt_header prefixes them). */
    int c = schema_find(s->names[i]);
    s->types[i] = c < 0 ? SCHEMA_STRING : schema_column((enum schema_col)c)->type;
  }
  if (ring_size) {
    s->ring = calloc(ring_size, sizeof *s->ring);
    if (!s->ring) goto nomem;
    s->ring_size = ring_size;
  }
  *out = s;
  return 0;
nomem:
  sink_free(s);
  return -ENOMEM;
}

int sink_header(struct sink *s) {
  if (!s->fmt->header) return 0;
  size_t *lens = calloc(s->ncols ? s->ncols : 1, sizeof *lens);
  if (!lens) return -ENOMEM;
  for (size_t i = 0; i < s->ncols; i++) lens[i] = strlen(s->names[i]);
  int rc = report_write_fields(s->rep, (const char *const *)s->names, lens, s->ncols);
  free(lens);
  if (rc < 0) s->failed = 1;
  return rc;
}

/* Format into *buf, grown as needed.  Returns the length, or 0 when out of
 * memory. */
static size_t format_into(const struct sink *s, char **buf, size_t *cap, const char *const *fields,
                          const size_t *lens, size_t n) {
  for (;;) {
    size_t need = s->fmt->format(s, *buf, *cap, fields, lens, n);
    if (need < *cap) return need;
    size_t ncap = need + 256;
    char *nb = realloc(*buf, ncap);
    if (!nb) return 0;
    *buf = nb;
    *cap = ncap;
  }
}

/* Rows are handed to the report even after a write error: it refuses them
 * at once and remembers them by their tag as lost (report_lost), so the
 * checkpoint can list them as not done. */
static int drain(struct sink *s) {
  int rc = 0, r;
  for (;;) {
    struct ring_entry *e = &s->ring[s->write_seq % s->ring_size];
    if (!e->ready) break;
    if (!e->skip) {
      report_tag(s->rep, s->write_seq);
      if ((r = report_write_raw(s->rep, e->buf, e->len)) < 0) {
        s->failed = 1;
        rc = r;
      }
    }
    e->ready = e->skip = 0;
    s->write_seq++;
  }
  return s->failed && rc == 0 ? -EIO : rc;
}

int sink_row(struct sink *s, uint64_t seq, const char *const *fields, const size_t *lens,
             size_t n) {
  if (!s->ring) {
    int rc;
    report_tag(s->rep, seq); /* also after a write error: see drain() */
    if (s->fmt == &formats[FORMAT_CSV]) {
      rc = report_write_fields(s->rep, fields, lens, n);
    } else {
      size_t len = format_into(s, &s->line, &s->line_cap, fields, lens, n);
      if (!len) return -ENOMEM;
      rc = report_write_raw(s->rep, s->line, len);
    }
    if (rc < 0) s->failed = 1;
    return rc;
  }
  struct ring_entry *e = &s->ring[seq % s->ring_size];
  e->len = format_into(s, &e->buf, &e->cap, fields, lens, n);
  if (!e->len) return -ENOMEM;
  e->ready = 1;
  e->skip = 0;
  return drain(s);
}

int sink_skip(struct sink *s, uint64_t seq) {
  if (!s->ring) return 0;
  struct ring_entry *e = &s->ring[seq % s->ring_size];
  e->ready = e->skip = 1;
  return drain(s);
}

int sink_room(const struct sink *s, uint64_t seq) {
  return !s->ring || seq - s->write_seq < s->ring_size;
}

uint64_t sink_written_below(const struct sink *s) { return s->ring ? s->write_seq : UINT64_MAX; }

int sink_is_skip(const struct sink *s, uint64_t seq) {
  if (!s->ring || seq < s->write_seq || seq - s->write_seq >= s->ring_size) return 0;
  const struct ring_entry *e = &s->ring[seq % s->ring_size];
  return e->ready && e->skip;
}

void sink_free(struct sink *s) {
  if (!s) return;
  for (size_t i = 0; s->names && i < s->ncols; i++) free(s->names[i]);
  free(s->names);
  free(s->types);
  if (s->ring)
    for (size_t i = 0; i < s->ring_size; i++) free(s->ring[i].buf);
  free(s->ring);
  free(s->line);
  free(s);
}
