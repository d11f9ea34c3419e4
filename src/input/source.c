/* SPDX-License-Identifier: MIT */
/*
 * source.c - the target stream.  See source.h.
 *
 * One `struct cursor` walks the inputs in order.  source_open() runs a
 * first cursor over everything that can be read twice, only to validate,
 * count and fingerprint; the run then uses a second cursor.  Both share
 * every line of parsing code, so what validation accepts is exactly what the
 * run sees.
 */
#include "source.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "err.h"

#include "exclude.h"
#include "instream.h"
#include "inventory.h"
#include "permute.h"
#include "special.h"
#include "target.h"

/* Longest line of a @FILE list; a longer one is an error, not a silent cut. */
#define LINE_CAP 4096

/* FNV-1a, 64-bit: a fingerprint, not a defence against an adversary. */
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

enum mode { M_NONE = 0, M_SPAN, M_LINES, M_INVENTORY, M_END };

/* A @FILE list read line by line from a stream that may have nothing yet:
 * the line in progress stays in the caller's buffer across -EAGAIN. */
struct lines {
  struct instream *in;
  int wait;                /* wait for input (exclusion lists) */
  int eof;
  size_t n;                /* bytes of the line in progress */
  size_t rpos, rlen;
  char rbuf[4096];
};

struct cursor {
  const struct source_opts *c;
  const struct exclude *ex;
  int validating;          /* first pass: count spans in O(1), skip pipes */
  int rereadable;          /* every input so far could be read twice */
  uint64_t fp;             /* fingerprint of what was read (validation) */
  size_t opnd;             /* next operand */
  enum mode mode;
  enum mode after_span;    /* where to return when the span ends */
  struct instream *in;     /* the @FILE list or inventory being read */
  struct lines lines;
  const char *fname;
  unsigned long line;
  struct span span;
  unsigned __int128 i, n;  /* position within the span, span size */
  int span_named_special;  /* span lies wholly inside a special block: scan all */
  struct permute perm;     /* --seed: order within the span */
  int permuted;
  struct inventory *inv;
  /* 128-bit: three --allow-huge /64s are 3 * 2^64 positions, and a single
   * excluded /64 skips 2^64 at once; 64-bit counters wrapped to 0. */
  unsigned __int128 pos;   /* positions consumed over the whole input (shards) */
  unsigned __int128 count; /* targets yielded (validation: counted) */
  unsigned __int128 skipped_special;
  unsigned __int128 skipped_excluded;
  char buf[LINE_CAP + 2];
};

struct source {
  const struct source_opts *c;
  struct exclude *ex;
  struct cursor run;
  int total_known;
  unsigned __int128 total;
  uint64_t fp;
  uint64_t seq;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * FNV_PRIME;
  return h;
}

/* ---- shards ------------------------------------------------------------ */

/* Positions in [pos, pos + n) that belong to this shard. */
static unsigned __int128 shard_share(const struct source_opts *c, unsigned __int128 pos,
                                     unsigned __int128 n) {
  if (!c->shard_n) return n;
  unsigned __int128 N = c->shard_n, first = (c->shard_k - 1 + N - pos % N) % N;
  return n > first ? (n - first - 1) / N + 1 : 0;
}

/* Positions to move forward from `pos` to reach this shard's next one. */
static uint64_t shard_gap(const struct source_opts *c, unsigned __int128 pos) {
  if (!c->shard_n) return 0;
  return (uint64_t)((c->shard_k - 1 + c->shard_n - pos % c->shard_n) % c->shard_n);
}

/* ---- files ------------------------------------------------------------- */

static void cursor_close_file(struct cursor *k) {
  if (k->inv) {
    inventory_close(k->inv);
    k->inv = NULL;
  }
  instream_close(k->in);
  k->in = NULL;
}

/* Fold a regular file's bytes into the fingerprint, then rewind it. */
static int fingerprint_file(struct cursor *k, char *err, size_t errlen) {
  char b[65536];
  ssize_t n;
  while ((n = instream_read(k->in, b, sizeof b)) > 0) k->fp = fnv(k->fp, b, (size_t)n);
  if (n < 0) return err_set(err, errlen, (int)n, "%s", instream_error(k->in));
  instream_rewind(k->in);
  return 0;
}

/* Open FILE for a @FILE list or the inventory; "-" is stdin.  Returns 0,
 * 1 (while validating, an input that cannot be read twice - a FIFO, a
 * pipe, a terminal, a device, stdin from a pipe: it is validated as it
 * streams, and never opened here: a FIFO's open would wait for a writer,
 * and a second open would find the writer gone), or <0. */
static int cursor_open_file(struct cursor *k, const char *name, char *err, size_t errlen) {
  struct stat st;
  k->fname = strcmp(name, "-") ? name : "stdin";
  k->line = 0;
  if (!instream_is_regular(name)) {
    k->rereadable = 0;
    if (k->validating) {
      if (strcmp(name, "-") && stat(name, &st) != 0)
        return err_set(err, errlen, -EINVAL, "%s: cannot open: %s", name, strerror(errno));
      return 1;
    }
  }
  int r = instream_open(&k->in, name, err, errlen);
  if (r < 0) return r;
  memset(&k->lines, 0, offsetof(struct lines, rbuf));
  k->lines.in = k->in;
  if (k->validating && (r = fingerprint_file(k, err, errlen)) < 0) return r;
  return 0;
}

/* ---- spans ------------------------------------------------------------- */

static void cursor_start_span(struct cursor *k, const struct span *sp, enum mode after) {
  k->span = *sp;
  k->i = 0;
  k->n = span_count(sp);
  k->span_named_special = special_span_inside(sp);
  k->after_span = after;
  k->mode = M_SPAN;
  /* A permutation needs the size in 64 bits; spans are at most 2^64 (the
   * target limits), and 2^64 itself is passed as 0. */
  k->permuted = k->c->seeded && k->n > 1;
  if (k->permuted) permute_init(&k->perm, (uint64_t)k->n, k->c->seed);
}

static int parse_span(struct cursor *k, const char *s, size_t len, struct span *sp,
                      const char *where, unsigned long line, char *err, size_t errlen) {
  char msg[TARGET_ERRLEN];
  unsigned flags = k->c->allow_huge ? TARGET_ALLOW_HUGE : 0;
  if (target_parse(s, len, sp, flags, msg, sizeof msg) != 0) {
    if (!strcmp(where, "argument"))
      return err_set(err, errlen, -EINVAL, "argument %lu: %s", line, msg);
    return err_set(err, errlen, -EINVAL, "%s:%lu: %s", where, line, msg);
  }
  return 0;
}

/* Strip a comment and surrounding blanks from a list line. */
static const char *list_line(char *buf, size_t *len) {
  char *hash = memchr(buf, '#', *len);
  const char *s = buf;
  if (hash) *len = (size_t)(hash - buf);
  while (*len && (*s == ' ' || *s == '\t')) s++, (*len)--;
  while (*len && (s[*len - 1] == '\n' || s[*len - 1] == '\r' || s[*len - 1] == ' ' ||
                  s[*len - 1] == '\t'))
    (*len)--;
  return s;
}

/* Read one physical line of a list into buf (NUL-terminated, newline
 * kept): 1, 0 at EOF, -EAGAIN (the stream has no complete line yet; the
 * part read stays in buf for the next call), <0 on error.  A NUL byte or a
 * line longer than the buffer is an error naming the line, never a silent
 * cut. */
static int read_list_line(struct lines *L, const char *fname, unsigned long *line, char *buf,
                          size_t size, size_t *len, char *err, size_t errlen) {
  for (;;) {
    while (L->rpos < L->rlen) {
      char ch = L->rbuf[L->rpos++];
      if (L->n == 0) (*line)++;
      if (ch == '\0')
        return err_set(err, errlen, -EINVAL, "%s:%lu: NUL byte in line", fname, *line);
      if (L->n + 2 > size)
        return err_set(err, errlen, -EINVAL, "%s:%lu: line longer than %zu bytes", fname, *line,
                    size - 2);
      buf[L->n++] = ch;
      if (ch == '\n') goto line;
    }
    if (L->eof) {
      if (L->n) goto line;
      return 0;
    }
    ssize_t r = L->wait ? instream_read_wait(L->in, L->rbuf, sizeof L->rbuf)
                        : instream_read(L->in, L->rbuf, sizeof L->rbuf);
    if (r == -EAGAIN) return -EAGAIN;
    if (r < 0) return err_set(err, errlen, (int)r, "%s", instream_error(L->in));
    L->rpos = 0;
    L->rlen = (size_t)r;
    if (r == 0) L->eof = 1;
  }
line:
  buf[L->n] = '\0';
  *len = L->n;
  L->n = 0;
  return 1;
}

/* Next line of a @FILE list as a span.  1 = span started, 0 = file ended,
 * -EAGAIN = no complete line yet. */
static int cursor_next_line(struct cursor *k, char *err, size_t errlen) {
  size_t len;
  int r;
  while ((r = read_list_line(&k->lines, k->fname, &k->line, k->buf, sizeof k->buf, &len, err,
                             errlen)) > 0) {
    const char *s = list_line(k->buf, &len);
    if (!len) continue;
    struct span sp;
    if (parse_span(k, s, len, &sp, k->fname, k->line, err, errlen)) return -EINVAL;
    cursor_start_span(k, &sp, M_LINES);
    return 1;
  }
  if (r < 0) return r;
  cursor_close_file(k);
  return 0;
}

/* Trim ASCII spaces around an inventory cell. */
static void trim(const char **s, size_t *len) {
  while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) (*s)++, (*len)--;
  while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

/* Open the inventory and read its header (once; later calls end the
 * stream).  Sets the mode to M_INVENTORY or M_END. */
static int cursor_begin_inventory(struct cursor *k, char *err, size_t errlen) {
  const struct source_opts *c = k->c;
  char msg[512];
  if (k->opnd++ > 0) {
    k->mode = M_END;
    return 0;
  }
  int r = cursor_open_file(k, c->inventory, err, errlen);
  if (r < 0) return r;
  if (r > 0) {
    k->mode = M_END;
    return 0;
  }
  r = inventory_open_stream(&k->inv, k->in, c->ip_column, c->expect_column, msg, sizeof msg);
  if (r < 0) {
    cursor_close_file(k);
    return err_set(err, errlen, r, "%s", msg);
  }
  k->mode = M_INVENTORY;
  return 0;
}

/* One position of the current span: 1 = yield *a, 0 = skipped (the cursor
 * has advanced past it, possibly past a whole excluded/special block). */
static int span_step(struct cursor *k, struct addr *a) {
  const struct source_opts *c = k->c;
  uint64_t gap = shard_gap(c, k->pos);
  struct addr last;

  if (gap) { /* jump to this shard's next position */
    unsigned __int128 left = k->n - k->i;
    if (gap >= left) gap = (uint64_t)left;
    k->i += gap;
    k->pos += gap;
    return 0;
  }
  if (k->permuted)
    span_nth(&k->span, permute_at(&k->perm, (uint64_t)k->i), a);
  else
    span_nth(&k->span, k->i, a);

  int excluded = exclude_lookup(k->ex, a, &last);
  int special = !excluded && !k->span_named_special && special_lookup(a, NULL);
  if (special) special_block_end(a, &last);
  if (excluded || special) {
    unsigned __int128 skip = 1;
    if (!k->permuted) { /* ascending order: skip the whole block at once */
      if (addr_cmp(&last, &k->span.last) > 0) last = k->span.last;
      skip = addr_to_u128(&last) - addr_to_u128(a) + 1;
    }
    unsigned __int128 mine = shard_share(c, k->pos, skip);
    if (excluded) k->skipped_excluded += mine;
    else k->skipped_special += mine;
    k->i += skip;
    k->pos += skip;
    return 0;
  }
  k->i++;
  k->pos++;
  return 1;
}

/* The steps of cursor_next(), one per mode: each returns 1 with a target
 * (t filled if non-NULL), 0 when the loop goes on (the mode may have
 * changed), or <0 on error. */

/* M_SPAN: the next address of the current span.  While validating, spans
 * are counted in O(1) instead of walked, so a --allow-huge /0 validates
 * instantly. */
static int step_span(struct cursor *k, struct target *t) {
  if (k->validating) {
    k->count += shard_share(k->c, k->pos, k->n);
    k->pos += k->n;
    k->mode = k->after_span;
    return 0;
  }
  while (k->i < k->n) {
    struct addr a;
    if (!span_step(k, &a)) continue;
    k->count++;
    if (t) {
      memset(t, 0, sizeof *t);
      t->kind = TARGET_ADDR;
      t->addr = a;
      t->origin = k->fname;
      t->line = k->line;
    }
    return 1;
  }
  k->mode = k->after_span;
  return 0;
}

/* M_LINES: the next line of a target file (it starts a span or ends the
 * file). */
static int step_lines(struct cursor *k, char *err, size_t errlen) {
  int r = cursor_next_line(k, err, errlen);
  if (r < 0) return r;
  if (r == 0) k->mode = M_NONE;
  return 0;
}

/* One inventory row as a target: its ip cell (trimmed) decides the kind. */
static void inventory_target(struct cursor *k, const struct inventory_row *row,
                             struct target *t) {
  const char *ip = row->ip;
  size_t iplen = row->ip_len;
  memset(t, 0, sizeof *t);
  trim(&ip, &iplen);
  if (addr_parse(&t->addr, ip, iplen) != 0)
    t->kind = TARGET_INVALID;
  else if (exclude_lookup(k->ex, &t->addr, NULL))
    t->kind = TARGET_SKIPPED, k->skipped_excluded++;
  else
    t->kind = TARGET_ADDR;
  t->text = row->ip;
  t->text_len = row->ip_len;
  t->expected = row->expected;
  t->expected_len = row->expected_len;
  if (t->expected) trim(&t->expected, &t->expected_len);
  t->nextra = inventory_extra_count(k->inv);
  t->extra = row->extra;
  t->extra_len = row->extra_len;
  t->origin = k->fname;
  t->line = row->line;
}

/* M_INVENTORY: the next row of this shard. */
static int step_inventory(struct cursor *k, struct target *t, char *err, size_t errlen) {
  struct inventory_row row;
  char msg[512];
  int r = inventory_next(k->inv, &row, msg, sizeof msg);
  if (r == -EAGAIN) return r; /* the row is not complete yet */
  if (r < 0) return err_set(err, errlen, r == -ENOMEM ? r : -EINVAL, "%s", msg);
  if (r == 0) {
    cursor_close_file(k);
    k->mode = M_NONE;
    return 0;
  }
  if (shard_gap(k->c, k->pos++)) return 0; /* another shard's row */
  k->count++;
  if (t) inventory_target(k, &row, t);
  return 1;
}

/* M_NONE: open the inventory, or take the next operand: a file ("-",
 * "@FILE") or a span. */
static int step_operand(struct cursor *k, char *err, size_t errlen) {
  const struct source_opts *c = k->c;
  if (c->inventory) {
    int r = cursor_begin_inventory(k, err, errlen);
    return r < 0 ? r : 0;
  }
  if (k->opnd >= c->ntargets) {
    k->mode = M_END;
    return 0;
  }
  const char *op = c->targets[k->opnd++];
  if (k->validating) k->fp = fnv(k->fp, op, strlen(op) + 1);
  if (!strcmp(op, "-") || op[0] == '@') {
    const char *name = op[0] == '@' ? op + 1 : "-";
    if (!*name) return err_set(err, errlen, -EINVAL, "argument %zu: '@' needs a file name", k->opnd);
    int r = cursor_open_file(k, name, err, errlen);
    if (r < 0) return r;
    if (r == 0) k->mode = M_LINES;
    return 0;
  }
  struct span sp;
  if (parse_span(k, op, strlen(op), &sp, "argument", k->opnd, err, errlen)) return -EINVAL;
  k->fname = "argument";
  k->line = k->opnd;
  cursor_start_span(k, &sp, M_NONE);
  return 0;
}

/* Advance to the next target.  Returns 1 (t filled if non-NULL), 0 at the
 * end, <0 on error. */
static int cursor_next(struct cursor *k, struct target *t, char *err, size_t errlen) {
  for (;;) {
    int r;
    switch (k->mode) {
    case M_SPAN: r = step_span(k, t); break;
    case M_LINES: r = step_lines(k, err, errlen); break;
    case M_INVENTORY: r = step_inventory(k, t, err, errlen); break;
    case M_NONE: r = step_operand(k, err, errlen); break;
    default: return 0; /* M_END */
    }
    if (r != 0) return r;
  }
}

static void cursor_init(struct cursor *k, const struct source_opts *c, const struct exclude *ex,
                        int validating) {
  memset(k, 0, sizeof *k);
  k->c = c;
  k->ex = ex;
  k->validating = validating;
  k->rereadable = 1;
  k->fp = FNV_OFFSET;
  k->mode = M_NONE;
}

/* Build the exclusion set from --exclude and --exclude-file. */
static int load_excludes(struct source *s, char *err, size_t errlen) {
  const struct source_opts *c = s->c;
  char msg[TARGET_ERRLEN];
  struct span sp;
  unsigned flags = TARGET_ALLOW_HUGE; /* excluding a huge block is always fine */

  s->ex = exclude_new();
  if (!s->ex) return err_set(err, errlen, -ENOMEM, "out of memory");
  for (size_t i = 0; i < c->nexcludes; i++) {
    const char *e = c->excludes[i];
    if (target_parse(e, strlen(e), &sp, flags, msg, sizeof msg) != 0)
      return err_set(err, errlen, -EINVAL, "--exclude: %s", msg);
    if (exclude_add(s->ex, &sp)) return err_set(err, errlen, -ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < c->nexclude_files; i++) {
    const char *name = c->exclude_files[i];
    char buf[LINE_CAP + 2];
    unsigned long line = 0;
    size_t len;
    int r;
    /* Read whole before the scan, so waiting is right: a FIFO here is
     * read once, as it streams, like any other exclusion file. */
    struct lines *L = calloc(1, sizeof *L);
    if (!L) return err_set(err, errlen, -ENOMEM, "out of memory");
    if ((r = instream_open(&L->in, name, err, errlen)) < 0) {
      free(L);
      return r;
    }
    L->wait = 1;
    while ((r = read_list_line(L, name, &line, buf, sizeof buf, &len, err, errlen)) > 0) {
      const char *p = list_line(buf, &len);
      if (!len) continue;
      if (target_parse(p, len, &sp, flags, msg, sizeof msg) != 0) {
        r = err_set(err, errlen, -EINVAL, "%s:%lu: %s", name, line, msg);
        break;
      }
      if (exclude_add(s->ex, &sp)) {
        r = err_set(err, errlen, -ENOMEM, "out of memory");
        break;
      }
    }
    instream_close(L->in);
    free(L);
    if (r < 0) return r;
  }
  exclude_freeze(s->ex);
  return 0;
}

int source_open(struct source **out, const struct source_opts *c, char *err, size_t errlen) {
  struct cursor v;
  int r;

  *out = NULL;
  struct source *s = calloc(1, sizeof *s);
  if (!s) return err_set(err, errlen, -ENOMEM, "out of memory");
  s->c = c;
  if ((r = load_excludes(s, err, errlen)) < 0) {
    source_close(s);
    return r;
  }

  cursor_init(&v, c, s->ex, 1);
  while ((r = cursor_next(&v, NULL, err, errlen)) > 0)
    ;
  cursor_close_file(&v);
  if (r < 0) {
    source_close(s);
    return r;
  }
  s->total_known = v.rereadable;
  s->total = v.count;
  s->fp = v.fp;

  cursor_init(&s->run, c, s->ex, 0);
  /* Read the inventory header now: the report header needs its columns. */
  if (c->inventory && (r = cursor_begin_inventory(&s->run, err, errlen)) < 0) {
    source_close(s);
    return r;
  }
  *out = s;
  return 0;
}

int source_next(struct source *s, struct target *t, char *err, size_t errlen) {
  for (;;) {
    int r = cursor_next(&s->run, t, err, errlen);
    if (r == -EAGAIN && !s->c->nonblocking) {
      /* A caller without the event-loop glue: wait here, as a blocking
       * read would (a signal's EINTR just means look again). */
      struct pollfd p = {.fd = source_wait_fd(s), .events = POLLIN};
      poll(&p, 1, -1);
      continue;
    }
    if (r > 0) t->seq = s->seq++;
    return r;
  }
}

int source_wait_fd(const struct source *s) {
  return s->run.in ? instream_fd(s->run.in) : -1;
}

int source_total(const struct source *s, uint64_t *total) {
  if (!s->total_known) return 0;
  *total = s->total > UINT64_MAX ? UINT64_MAX : (uint64_t)s->total;
  return 1;
}

int source_total_exact(const struct source *s, unsigned __int128 *total) {
  if (!s->total_known) return 0;
  *total = s->total;
  return 1;
}

int source_fingerprint(const struct source *s, uint64_t *fp) {
  if (!s->total_known) return 0;
  *fp = s->fp;
  return 1;
}

unsigned __int128 source_skipped_special(const struct source *s) {
  return s->run.skipped_special;
}
unsigned __int128 source_skipped_excluded(const struct source *s) {
  return s->run.skipped_excluded;
}

size_t source_extra_count(const struct source *s) {
  return s->run.inv ? inventory_extra_count(s->run.inv) : 0;
}

const char *source_extra_name(const struct source *s, size_t i) {
  return s->run.inv ? inventory_extra_name(s->run.inv, i) : NULL;
}

void source_close(struct source *s) {
  if (!s) return;
  cursor_close_file(&s->run);
  exclude_free(s->ex);
  free(s);
}
