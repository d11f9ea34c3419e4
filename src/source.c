/*
 * source.c - the target stream.  See source.h.
 *
 * One `struct cursor` walks the inputs in order.  source_open() runs a
 * first cursor over everything that can be read twice, only to validate and
 * count; the run then uses a second cursor.  Both share every line of
 * parsing code, so what validation accepts is exactly what the run sees.
 */
#include "source.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>

#include "inventory.h"
#include "special.h"
#include "target.h"

/* Longest line of a @FILE list; a longer one is an error, not a silent cut. */
#define LINE_CAP 4096

enum mode { M_NONE = 0, M_SPAN, M_LINES, M_INVENTORY, M_END };

struct cursor {
  const struct config *c;
  int validating;          /* first pass: count spans in O(1), skip pipes */
  int rereadable;          /* every input so far could be read twice */
  size_t opnd;             /* next operand */
  enum mode mode;
  enum mode after_span;    /* where to return when the span ends */
  FILE *f;
  int f_owned;
  const char *fname;
  unsigned long line;
  struct span span;
  unsigned __int128 i, n;
  int span_named_special;  /* span lies wholly inside a special block: scan all */
  struct inventory *inv;
  uint64_t count;          /* targets yielded (validation: counted) */
  uint64_t skipped_special;
  char buf[LINE_CAP + 2];
};

struct source {
  struct config const *c;
  struct cursor run;
  int total_known;
  uint64_t total;
  uint64_t seq;
};

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return code;
}

static int is_regular(FILE *f) {
  struct stat st;
  return fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
}

static void cursor_close_file(struct cursor *k) {
  if (k->inv) {
    inventory_close(k->inv);
    k->inv = NULL;
  }
  if (k->f && k->f_owned) fclose(k->f);
  k->f = NULL;
  k->f_owned = 0;
}

/* Open FILE for a @FILE list or the inventory; "-" is stdin. */
static int cursor_open_file(struct cursor *k, const char *name, char *err, size_t errlen) {
  if (!strcmp(name, "-")) {
    k->f = stdin;
    k->f_owned = 0;
    k->fname = "stdin";
  } else {
    k->f = fopen(name, "r");
    if (!k->f)
      return fail(err, errlen, UV_EINVAL, "%s: cannot open: %s", name, strerror(errno));
    k->f_owned = 1;
    k->fname = name;
  }
  k->line = 0;
  if (!is_regular(k->f)) {
    k->rereadable = 0;
    if (k->validating) { /* a pipe can be read once: validate it as it streams */
      cursor_close_file(k);
      return 1;
    }
  }
  return 0;
}

/* Start walking span `sp` (already parsed). */
static void cursor_start_span(struct cursor *k, const struct span *sp, enum mode after) {
  k->span = *sp;
  k->i = 0;
  k->n = span_count(sp);
  k->span_named_special = special_span_inside(sp);
  k->after_span = after;
  k->mode = M_SPAN;
}

static int parse_span(struct cursor *k, const char *s, size_t len, struct span *sp,
                      const char *where, unsigned long line, char *err, size_t errlen) {
  char msg[256];
  unsigned flags = k->c->allow_huge ? TARGET_ALLOW_HUGE : 0;
  if (target_parse(s, len, sp, flags, msg, sizeof msg) != 0) {
    if (!strcmp(where, "argument"))
      return fail(err, errlen, UV_EINVAL, "argument %lu: %s", line, msg);
    return fail(err, errlen, UV_EINVAL, "%s:%lu: %s", where, line, msg);
  }
  return 0;
}

/* Next line of a @FILE list as a span.  1 = span started, 0 = file ended. */
static int cursor_next_line(struct cursor *k, char *err, size_t errlen) {
  while (fgets(k->buf, sizeof k->buf, k->f)) {
    size_t len = strlen(k->buf);
    k->line++;
    if (len == sizeof k->buf - 1 && k->buf[len - 1] != '\n')
      return fail(err, errlen, UV_EINVAL, "%s:%lu: line longer than %d bytes", k->fname,
                  k->line, LINE_CAP);
    if (memchr(k->buf, '\0', len) != NULL || strlen(k->buf) != len)
      return fail(err, errlen, UV_EINVAL, "%s:%lu: NUL byte in line", k->fname, k->line);
    char *hash = memchr(k->buf, '#', len);
    if (hash) len = (size_t)(hash - k->buf);
    const char *s = k->buf;
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' ||
                   s[len - 1] == '\t'))
      len--;
    if (!len) continue;
    struct span sp;
    if (parse_span(k, s, len, &sp, k->fname, k->line, err, errlen)) return UV_EINVAL;
    cursor_start_span(k, &sp, M_LINES);
    return 1;
  }
  if (ferror(k->f))
    return fail(err, errlen, UV_EIO, "%s: read error: %s", k->fname, strerror(errno));
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
  const struct config *c = k->c;
  char msg[512];
  if (k->opnd++ > 0) {
    k->mode = M_END;
    return 0;
  }
  int r = cursor_open_file(k, c->inventory, err, errlen);
  if (r < 0) return r;
  if (r > 0) { /* a pipe while validating: it is validated as it streams */
    k->mode = M_END;
    return 0;
  }
  r = inventory_open(&k->inv, k->f, k->fname, c->ip_column, c->expect_column, msg, sizeof msg);
  if (r < 0) {
    cursor_close_file(k);
    return fail(err, errlen, r, "%s", msg);
  }
  k->mode = M_INVENTORY;
  return 0;
}

/*
 * Advance to the next target.  Returns 1 (t filled if non-NULL), 0 at the
 * end, <0 on error.  While validating, spans are counted in O(1) instead of
 * walked, so a --allow-huge /0 validates instantly.
 */
static int cursor_next(struct cursor *k, struct target *t, char *err, size_t errlen) {
  for (;;) {
    switch (k->mode) {
    case M_SPAN:
      if (k->validating) {
        k->count += (uint64_t)k->n;
        k->mode = k->after_span;
        continue;
      }
      while (k->i < k->n) {
        struct addr a, last;
        span_nth(&k->span, k->i, &a);
        if (!k->span_named_special && special_lookup(&a, NULL)) {
          /* Skip the whole special block (or the rest of the span) at once. */
          unsigned __int128 skip;
          special_block_end(&a, &last);
          if (addr_cmp(&last, &k->span.last) > 0) last = k->span.last;
          skip = addr_to_u128(&last) - addr_to_u128(&a) + 1;
          k->i += skip;
          k->skipped_special += (uint64_t)skip;
          continue;
        }
        k->i++;
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
      continue;

    case M_LINES: {
      int r = cursor_next_line(k, err, errlen);
      if (r < 0) return r;
      if (r == 0) k->mode = M_NONE;
      continue;
    }

    case M_INVENTORY: {
      struct inventory_row row;
      char msg[512];
      int r = inventory_next(k->inv, &row, msg, sizeof msg);
      if (r < 0) return fail(err, errlen, UV_EINVAL, "%s", msg);
      if (r == 0) {
        cursor_close_file(k);
        k->mode = M_NONE;
        continue;
      }
      k->count++;
      if (t) {
        const char *ip = row.ip;
        size_t iplen = row.ip_len;
        memset(t, 0, sizeof *t);
        trim(&ip, &iplen);
        t->kind = addr_parse(&t->addr, ip, iplen) == 0 ? TARGET_ADDR : TARGET_INVALID;
        t->text = row.ip;
        t->text_len = row.ip_len;
        t->expected = row.expected;
        t->expected_len = row.expected_len;
        if (t->expected) trim(&t->expected, &t->expected_len);
        t->nextra = inventory_extra_count(k->inv);
        t->extra = row.extra;
        t->extra_len = row.extra_len;
        t->origin = k->fname;
        t->line = row.line;
      }
      return 1;
    }

    case M_NONE: {
      const struct config *c = k->c;
      if (c->inventory) {
        int r = cursor_begin_inventory(k, err, errlen);
        if (r < 0) return r;
        continue;
      }
      if (k->opnd >= c->ntargets) { k->mode = M_END; continue; }
      const char *op = c->targets[k->opnd++];
      if (!strcmp(op, "-") || op[0] == '@') {
        const char *name = op[0] == '@' ? op + 1 : "-";
        if (!*name)
          return fail(err, errlen, UV_EINVAL, "argument %zu: '@' needs a file name", k->opnd);
        int r = cursor_open_file(k, name, err, errlen);
        if (r < 0) return r;
        if (r == 0) k->mode = M_LINES;
        continue;
      }
      struct span sp;
      if (parse_span(k, op, strlen(op), &sp, "argument", k->opnd, err, errlen))
        return UV_EINVAL;
      k->fname = "argument";
      k->line = k->opnd;
      cursor_start_span(k, &sp, M_NONE);
      continue;
    }

    case M_END:
      return 0;
    }
  }
}

static void cursor_init(struct cursor *k, const struct config *c, int validating) {
  memset(k, 0, sizeof *k);
  k->c = c;
  k->validating = validating;
  k->rereadable = 1;
  k->mode = M_NONE;
}

int source_open(struct source **out, const struct config *c, char *err, size_t errlen) {
  struct cursor v;
  int r;

  *out = NULL;
  cursor_init(&v, c, 1);
  while ((r = cursor_next(&v, NULL, err, errlen)) > 0)
    ;
  cursor_close_file(&v);
  if (r < 0) return r;

  struct source *s = calloc(1, sizeof *s);
  if (!s) return fail(err, errlen, UV_ENOMEM, "out of memory");
  s->c = c;
  s->total_known = v.rereadable;
  s->total = v.count;
  cursor_init(&s->run, c, 0);
  /* Read the inventory header now: the report header needs its columns. */
  if (c->inventory && (r = cursor_begin_inventory(&s->run, err, errlen)) < 0) {
    source_close(s);
    return r;
  }
  *out = s;
  return 0;
}

int source_next(struct source *s, struct target *t, char *err, size_t errlen) {
  int r = cursor_next(&s->run, t, err, errlen);
  if (r > 0) t->seq = s->seq++;
  return r;
}

int source_total(const struct source *s, uint64_t *total) {
  if (!s->total_known) return 0;
  *total = s->total;
  return 1;
}

uint64_t source_skipped_special(const struct source *s) { return s->run.skipped_special; }

size_t source_extra_count(const struct source *s) {
  return s->run.inv ? inventory_extra_count(s->run.inv) : 0;
}

const char *source_extra_name(const struct source *s, size_t i) {
  return s->run.inv ? inventory_extra_name(s->run.inv, i) : NULL;
}

void source_close(struct source *s) {
  if (!s) return;
  cursor_close_file(&s->run);
  free(s);
}
