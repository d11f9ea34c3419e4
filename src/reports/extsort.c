/* SPDX-License-Identifier: MIT */
/*
 * extsort.c - external sort of report rows (contract in extsort.h).
 *
 * A row is packed into one self-contained record, used unchanged in the
 * in-memory arena and in the run files:
 *
 *   offset 0   u32  total length of the record, this header included
 *          4   u64  sequence number (order of extsort_add: the last tie rule)
 *         12   18   sort key: [0] 0 = address, 1 = not an address;
 *                   [1] family (4 or 6; 0 when not an address);
 *                   [2..17] the address bytes (struct addr .b, zero padded)
 *         30   per field: u32 length, the bytes, a NUL
 *
 * so memcmp() of the 18 key bytes gives steps 1 and 2 of the order for
 * addresses (family 4 < 6, then network byte order = numeric), and only
 * ties (the same address, or two non-addresses) look at the fields.
 * Integers are stored in host byte order: run files never leave the
 * process that wrote them.
 */
#include "extsort.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "err.h"
#include <zlib.h>

#include "addr.h"
#include "gzerr.h"

#define HDR 30
#define KEY_OFF 12
#define KEY_LEN 18
#define BLOCK (1024 * 1024)   /* arena block; bigger rows get their own */
#define GZ_WBUF (64 * 1024)
#define GZ_RBUF (16 * 1024)

struct block {
  char *p;
  size_t size;
};

struct run {
  int fd;     /* the unlinked temporary file (-1 once zlib owns it) */
  gzFile gz;  /* reader, once merging */
  char *buf;  /* current record */
  size_t cap;
};

/* Merging state over a set of runs: a binary min-heap of run indices. */
struct merger {
  struct run **runs;
  size_t n;       /* runs in the heap */
  size_t *heap;
  long last;      /* run whose record was handed out last (-1: none) */
};

enum phase { ADDING, MEMORY, MERGING, FAILED };

struct extsort {
  size_t ncols, ip_col;
  int time_col;
  size_t mem_limit, max_rows;
  unsigned fanin;
  int unique;
  enum phase phase;
  uint64_t seq, dups;
  unsigned spills;

  /* in-memory run */
  struct block *blocks;
  size_t nblocks, cur, used; /* current block, bytes used in it */
  char **items;
  size_t nitems, itemcap, pos;
  size_t mem_used;

  /* runs on disk */
  struct run **runs;
  size_t nruns, runcap;
  struct merger m;
  const char *tmpdir;

  /* unique mode and output */
  char *held, *out;
  size_t heldcap, outcap;
  int have_held, ended;
  const char **fptr;
  size_t *flen;

  int status;
  char errmsg[512];
};

/* ---- records ------------------------------------------------------------ */

static uint32_t rd32(const char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static uint64_t rd64(const char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* The key bytes of an ip cell. */
static void make_key(unsigned char key[KEY_LEN], const char *ip, size_t len) {
  struct addr a;
  memset(key, 0, KEY_LEN);
  if (addr_parse(&a, ip, len) == 0) {
    key[1] = a.family;
    memcpy(key + 2, a.b, 16);
  } else {
    key[0] = 1;
  }
}

static const char *field_at(const char *rec, size_t i, size_t *len) {
  const char *p = rec + HDR;
  while (i--) p += 4 + rd32(p) + 1;
  *len = rd32(p);
  return p + 4;
}

static int textcmp(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if (c) return c;
  return alen < blen ? -1 : alen > blen;
}

/* Steps 1 and 2 of the order: the target alone. */
static int target_cmp(const struct extsort *s, const char *a, const char *b) {
  int c = memcmp(a + KEY_OFF, b + KEY_OFF, KEY_LEN);
  if (c || a[KEY_OFF] == 0) return c;
  size_t la, lb;
  const char *ta = field_at(a, s->ip_col, &la), *tb = field_at(b, s->ip_col, &lb);
  return textcmp(ta, la, tb, lb);
}

static int rec_cmp(const struct extsort *s, const char *a, const char *b) {
  int c = target_cmp(s, a, b);
  if (c) return c;
  if (s->time_col >= 0) {
    size_t la, lb;
    const char *ta = field_at(a, (size_t)s->time_col, &la);
    const char *tb = field_at(b, (size_t)s->time_col, &lb);
    c = textcmp(ta, la, tb, lb);
    if (c) return c;
  }
  uint64_t qa = rd64(a + 4), qb = rd64(b + 4);
  return qa < qb ? -1 : qa > qb;
}

static int item_cmp(const void *pa, const void *pb, void *ctx) {
  return rec_cmp(ctx, *(char *const *)pa, *(char *const *)pb);
}

int extsort_ipcmp(const char *a, size_t alen, const char *b, size_t blen) {
  unsigned char ka[KEY_LEN], kb[KEY_LEN];
  int c;
  make_key(ka, a, alen);
  make_key(kb, b, blen);
  c = memcmp(ka, kb, KEY_LEN);
  if (c || ka[0] == 0) return c;
  return textcmp(a, alen, b, blen);
}

/* ---- errors ------------------------------------------------------------- */

static int es_fail(struct extsort *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int es_fail(struct extsort *s, int code, const char *fmt, ...) {
  va_list ap;
  if (s->status) return s->status;
  s->status = code;
  s->phase = FAILED;
  va_start(ap, fmt);
  vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
  va_end(ap);
  return code;
}

static int copy_err(const struct extsort *s, char *err, size_t errlen) {
  return err_set(err, errlen, s->status, "%s", s->errmsg);
}

/* A zlib call on a run file failed (gzerr.h decides the code). */
static int gz_fail(struct extsort *s, gzFile gz, const char *what, int e) {
  const char *zmsg;
  int code = gzerr_code(gz, e, &zmsg);
  if (!zmsg)
    return es_fail(s, code, "cannot %s temporary file in %s: %s", what, s->tmpdir,
                   e ? strerror(e) : "I/O error");
  if (code == -ENOMEM) return es_fail(s, code, "out of memory");
  return es_fail(s, code, "cannot %s temporary file in %s: zlib: %s", what, s->tmpdir, zmsg);
}

/* ---- runs on disk ------------------------------------------------------- */

static void run_free(struct run *r) {
  if (!r) return;
  if (r->gz) gzclose(r->gz);
  if (r->fd >= 0) close(r->fd);
  free(r->buf);
  free(r);
}

/* A new, empty, already unlinked temporary file. */
static int run_create(struct extsort *s, struct run **out) {
  char path[4096];
  struct run *r;
  int n = snprintf(path, sizeof path, "%s/ptraudit-sort.XXXXXX", s->tmpdir);
  *out = NULL;
  if (n < 0 || (size_t)n >= sizeof path)
    return es_fail(s, -ENAMETOOLONG, "temporary directory name too long: %s", s->tmpdir);
  r = calloc(1, sizeof *r);
  if (!r) return es_fail(s, -ENOMEM, "out of memory");
  r->fd = mkostemp(path, O_CLOEXEC);
  if (r->fd < 0) {
    int e = errno;
    free(r);
    return es_fail(s, err_from_errno(e), "cannot create a temporary file in %s: %s", s->tmpdir,
                   strerror(e));
  }
  unlink(path); /* nothing to clean up later, even after a crash */
  if (s->nruns == s->runcap) {
    size_t cap = s->runcap ? s->runcap * 2 : 16;
    struct run **nr = realloc(s->runs, cap * sizeof *nr);
    if (!nr) {
      run_free(r);
      return es_fail(s, -ENOMEM, "out of memory");
    }
    s->runs = nr;
    s->runcap = cap;
  }
  s->runs[s->nruns++] = r;
  *out = r;
  return 0;
}

/* A writer on the run's file (the run keeps its own descriptor). */
static int run_writer(struct extsort *s, struct run *r, gzFile *out) {
  int fd = dup(r->fd);
  if (fd < 0) {
    int e = errno;
    return es_fail(s, err_from_errno(e), "cannot write temporary file in %s: %s", s->tmpdir,
                   strerror(e));
  }
  /* Level 1: the data is read back once; speed matters more than size. */
  *out = gzdopen(fd, "wb1");
  if (!*out) {
    close(fd);
    return es_fail(s, -ENOMEM, "out of memory");
  }
  gzbuffer(*out, GZ_WBUF);
  return 0;
}

static int gz_put(struct extsort *s, gzFile gz, const char *rec) {
  uint32_t len = rd32(rec);
  errno = 0;
  if (gzwrite(gz, rec, len) != (int)len) return gz_fail(s, gz, "write", errno);
  return 0;
}

static int writer_close(struct extsort *s, gzFile gz) {
  int rc;
  errno = 0;
  rc = gzclose(gz);
  if (rc != Z_OK) {
    int e = errno;
    if (rc == Z_MEM_ERROR) return es_fail(s, -ENOMEM, "out of memory");
    return es_fail(s, err_from_errno(e), "cannot write temporary file in %s: %s", s->tmpdir,
                   e ? strerror(e) : "I/O error");
  }
  return 0;
}

static int run_open_read(struct extsort *s, struct run *r) {
  if (lseek(r->fd, 0, SEEK_SET) < 0) {
    int e = errno;
    return es_fail(s, err_from_errno(e), "cannot read temporary file in %s: %s", s->tmpdir,
                   strerror(e));
  }
  r->gz = gzdopen(r->fd, "rb");
  if (!r->gz) return es_fail(s, -ENOMEM, "out of memory");
  r->fd = -1; /* gzclose() closes it */
  gzbuffer(r->gz, GZ_RBUF);
  return 0;
}

/* Read the run's next record into r->buf: 1, 0 at its end, <0. */
static int run_read(struct extsort *s, struct run *r) {
  char hdr[4];
  int n;
  uint32_t len;
  errno = 0;
  n = gzread(r->gz, hdr, 4);
  if (n == 0) {
    int zerr = Z_OK;
    gzerror(r->gz, &zerr);
    if (zerr == Z_OK) return 0;
  }
  if (n != 4) return gz_fail(s, r->gz, "read", errno);
  len = rd32(hdr);
  if (len < HDR) return es_fail(s, -EIO, "temporary file in %s is corrupt", s->tmpdir);
  if (len > r->cap) {
    size_t cap = r->cap ? r->cap : 1024;
    char *nb;
    while (cap < len) cap *= 2;
    nb = realloc(r->buf, cap);
    if (!nb) return es_fail(s, -ENOMEM, "out of memory");
    r->buf = nb;
    r->cap = cap;
  }
  memcpy(r->buf, hdr, 4);
  errno = 0;
  n = gzread(r->gz, r->buf + 4, len - 4);
  if (n < 0 || (uint32_t)n != len - 4) return gz_fail(s, r->gz, "read", errno);
  return 1;
}

/* ---- merging ------------------------------------------------------------ */

static int heap_less(const struct extsort *s, const struct merger *m, size_t i, size_t j) {
  return rec_cmp(s, m->runs[m->heap[i]]->buf, m->runs[m->heap[j]]->buf) < 0;
}

static void sift_down(const struct extsort *s, struct merger *m, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, min = i;
    if (l < m->n && heap_less(s, m, l, min)) min = l;
    if (r < m->n && heap_less(s, m, r, min)) min = r;
    if (min == i) return;
    size_t t = m->heap[i];
    m->heap[i] = m->heap[min];
    m->heap[min] = t;
    i = min;
  }
}

static void merger_free(struct merger *m) {
  free(m->heap);
  memset(m, 0, sizeof *m);
}

/* Open readers on runs[0..n) and load their first records. */
static int merger_init(struct extsort *s, struct merger *m, struct run **runs, size_t n) {
  memset(m, 0, sizeof *m);
  m->runs = runs;
  m->last = -1;
  m->heap = malloc((n ? n : 1) * sizeof *m->heap);
  if (!m->heap) return es_fail(s, -ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    int rc = run_open_read(s, runs[i]);
    if (rc == 0) rc = run_read(s, runs[i]);
    if (rc < 0) return rc;
    if (rc == 1) m->heap[m->n++] = i;
  }
  for (size_t i = m->n / 2; i-- > 0;) sift_down(s, m, i);
  return 0;
}

/* The next record in order (pointing into its run's buffer, valid until
 * the next call): 1, 0 at the end, <0. */
static int merger_next(struct extsort *s, struct merger *m, const char **rec) {
  if (m->last >= 0) {
    int rc = run_read(s, m->runs[m->last]);
    if (rc < 0) return rc;
    if (rc == 0) m->heap[0] = m->heap[--m->n];
    if (m->n) sift_down(s, m, 0);
    m->last = -1;
  }
  if (!m->n) return 0;
  m->last = (long)m->heap[0];
  *rec = m->runs[m->last]->buf;
  return 1;
}

/* Merge runs[0..k) into one new run, then drop them.  Keeps the number of
 * runs (open files, read buffers) merged at once at most fanin. */
static int merge_pass(struct extsort *s, size_t k) {
  struct merger m;
  struct run *out;
  gzFile gz = NULL;
  const char *rec;
  int rc;

  rc = run_create(s, &out); /* appended after the k inputs */
  if (rc == 0) rc = run_writer(s, out, &gz);
  if (rc == 0) rc = merger_init(s, &m, s->runs, k);
  else memset(&m, 0, sizeof m);
  while (rc == 0 && (rc = merger_next(s, &m, &rec)) == 1) rc = gz_put(s, gz, rec);
  merger_free(&m);
  if (gz) {
    int wc = writer_close(s, gz);
    if (rc == 0) rc = wc;
  }
  if (rc < 0) return rc;
  for (size_t i = 0; i < k; i++) run_free(s->runs[i]);
  memmove(s->runs, s->runs + k, (s->nruns - k) * sizeof *s->runs);
  s->nruns -= k;
  return 0;
}

/* ---- the in-memory run -------------------------------------------------- */

static void arena_reset(struct extsort *s) {
  s->cur = 0;
  s->used = 0;
  s->nitems = 0;
  s->mem_used = 0;
}

static void arena_free(struct extsort *s) {
  for (size_t i = 0; i < s->nblocks; i++) free(s->blocks[i].p);
  free(s->blocks);
  s->blocks = NULL;
  s->nblocks = 0;
  free(s->items);
  s->items = NULL;
  s->itemcap = 0;
  arena_reset(s);
}

/* `size` bytes in the arena.  Blocks are kept across runs and reused. */
static char *arena_alloc(struct extsort *s, size_t size) {
  if (s->nblocks && s->used + size <= s->blocks[s->cur].size) {
    char *p = s->blocks[s->cur].p + s->used;
    s->used += size;
    return p;
  }
  size_t next = s->nblocks ? s->cur + 1 : 0;
  if (next < s->nblocks && s->blocks[next].size < size) {
    /* too small for this row: replace it */
    free(s->blocks[next].p);
    s->blocks[next].p = NULL;
    s->blocks[next].size = 0;
  }
  if (next == s->nblocks) {
    struct block *nb = realloc(s->blocks, (s->nblocks + 1) * sizeof *nb);
    if (!nb) return NULL;
    s->blocks = nb;
    s->blocks[s->nblocks++] = (struct block){NULL, 0};
  }
  if (!s->blocks[next].p) {
    size_t bs = size > BLOCK ? size : BLOCK;
    s->blocks[next].p = malloc(bs);
    if (!s->blocks[next].p) return NULL;
    s->blocks[next].size = bs;
  }
  s->cur = next;
  s->used = size;
  return s->blocks[next].p;
}

/* Sort the in-memory rows and write them out as one run. */
static int spill(struct extsort *s) {
  struct run *r;
  gzFile gz = NULL;
  int rc;
  qsort_r(s->items, s->nitems, sizeof *s->items, item_cmp, s);
  rc = run_create(s, &r);
  if (rc == 0) rc = run_writer(s, r, &gz);
  if (rc < 0) return rc;
  for (size_t i = 0; i < s->nitems && rc == 0; i++) rc = gz_put(s, gz, s->items[i]);
  int wc = writer_close(s, gz);
  if (rc == 0) rc = wc;
  if (rc < 0) return rc;
  s->spills++;
  arena_reset(s);
  return 0;
}

/* ---- public ------------------------------------------------------------- */

int extsort_open(struct extsort **out, size_t ncols, size_t ip_col, int time_col,
                 size_t mem_limit, char *err, size_t errlen) {
  struct extsort *s;
  const char *t;
  *out = NULL;
  if (ncols == 0 || ip_col >= ncols || (time_col >= 0 && (size_t)time_col >= ncols)) {
    return err_set(err, errlen, -EINVAL, "extsort: bad column numbers");
  }
  s = calloc(1, sizeof *s);
  if (s) {
    s->fptr = calloc(ncols, sizeof *s->fptr);
    s->flen = calloc(ncols, sizeof *s->flen);
  }
  if (!s || !s->fptr || !s->flen) {
    if (s) {
      free(s->fptr);
      free(s->flen);
      free(s);
    }
    return err_set(err, errlen, -ENOMEM, "out of memory");
  }
  s->ncols = ncols;
  s->ip_col = ip_col;
  s->time_col = time_col;
  s->mem_limit = mem_limit ? mem_limit : EXTSORT_MEM_DEFAULT;
  s->fanin = EXTSORT_FANIN;
  s->m.last = -1;
  t = getenv("TMPDIR");
  s->tmpdir = t && *t ? t : "/tmp";
  *out = s;
  return 0;
}

void extsort_set_limits(struct extsort *s, size_t mem_limit, size_t max_rows,
                        unsigned fanin) {
  if (mem_limit) s->mem_limit = mem_limit;
  if (max_rows) s->max_rows = max_rows;
  if (fanin >= 2) s->fanin = fanin;
}

void extsort_set_unique(struct extsort *s, int on) {
  s->unique = !!on;
}

int extsort_add(struct extsort *s, const char *const *fields, const size_t *lens, char *err,
                size_t errlen) {
  size_t size = HDR;
  char *rec, *p;
  if (s->status) return copy_err(s, err, errlen);
  if (s->phase != ADDING) {
    es_fail(s, -EINVAL, "extsort: row added after the end of input");
    return copy_err(s, err, errlen);
  }
  for (size_t i = 0; i < s->ncols; i++) size += 4 + lens[i] + 1;
  if (size > UINT32_MAX) {
    es_fail(s, -E2BIG, "row of %zu bytes is too long to sort", size);
    return copy_err(s, err, errlen);
  }
  if (s->nitems && (s->mem_used + size + sizeof(char *) > s->mem_limit ||
                    (s->max_rows && s->nitems >= s->max_rows))) {
    if (spill(s) < 0) return copy_err(s, err, errlen);
  }
  if (s->nitems == s->itemcap) {
    size_t cap = s->itemcap ? s->itemcap * 2 : 1024;
    char **ni = realloc(s->items, cap * sizeof *ni);
    if (!ni) {
      es_fail(s, -ENOMEM, "out of memory");
      return copy_err(s, err, errlen);
    }
    s->items = ni;
    s->itemcap = cap;
  }
  rec = arena_alloc(s, size);
  if (!rec) {
    es_fail(s, -ENOMEM, "out of memory");
    return copy_err(s, err, errlen);
  }
  uint32_t len32 = (uint32_t)size;
  memcpy(rec, &len32, 4);
  memcpy(rec + 4, &s->seq, 8);
  make_key((unsigned char *)rec + KEY_OFF, fields[s->ip_col], lens[s->ip_col]);
  p = rec + HDR;
  for (size_t i = 0; i < s->ncols; i++) {
    uint32_t l = (uint32_t)lens[i];
    memcpy(p, &l, 4);
    if (l) memcpy(p + 4, fields[i], l);
    p[4 + l] = '\0';
    p += 4 + l + 1;
  }
  s->seq++;
  s->items[s->nitems++] = rec;
  s->mem_used += size + sizeof(char *);
  return 0;
}

int extsort_finish(struct extsort *s, char *err, size_t errlen) {
  if (s->status) return copy_err(s, err, errlen);
  if (s->phase != ADDING) return 0;
  if (s->nruns == 0) {
    if (s->nitems) /* items is NULL when nothing was added */
      qsort_r(s->items, s->nitems, sizeof *s->items, item_cmp, s);
    s->pos = 0;
    s->phase = MEMORY;
    return 0;
  }
  if (s->nitems && spill(s) < 0) return copy_err(s, err, errlen);
  arena_free(s); /* the merge needs none of it */
  while (s->nruns > s->fanin)
    if (merge_pass(s, s->fanin) < 0) return copy_err(s, err, errlen);
  if (merger_init(s, &s->m, s->runs, s->nruns) < 0) return copy_err(s, err, errlen);
  s->phase = MERGING;
  return 0;
}

/* The next record of the sorted stream, duplicates included. */
static int raw_next(struct extsort *s, const char **rec) {
  if (s->phase == MEMORY) {
    if (s->pos >= s->nitems) return 0;
    *rec = s->items[s->pos++];
    return 1;
  }
  return merger_next(s, &s->m, rec);
}

static int keep(struct extsort *s, char **buf, size_t *cap, const char *rec) {
  uint32_t len = rd32(rec);
  if (len > *cap) {
    size_t c = *cap ? *cap : 1024;
    char *nb;
    while (c < len) c *= 2;
    nb = realloc(*buf, c);
    if (!nb) return es_fail(s, -ENOMEM, "out of memory");
    *buf = nb;
    *cap = c;
  }
  memcpy(*buf, rec, len);
  return 0;
}

static void emit(struct extsort *s, const char *rec, const char *const **fields,
                 const size_t **lens) {
  const char *p = rec + HDR;
  for (size_t i = 0; i < s->ncols; i++) {
    uint32_t l = rd32(p);
    s->fptr[i] = p + 4;
    s->flen[i] = l;
    p += 4 + l + 1;
  }
  if (fields) *fields = s->fptr;
  if (lens) *lens = s->flen;
}

int extsort_next(struct extsort *s, const char *const **fields, const size_t **lens,
                 char *err, size_t errlen) {
  const char *rec;
  int rc;
  if (s->status) return copy_err(s, err, errlen);
  if (s->phase == ADDING) {
    es_fail(s, -EINVAL, "extsort: extsort_finish() not called");
    return copy_err(s, err, errlen);
  }
  if (s->ended) return 0;
  for (;;) {
    rc = raw_next(s, &rec);
    if (rc < 0) return copy_err(s, err, errlen);
    if (!s->unique) {
      if (rc == 0) {
        s->ended = 1;
        return 0;
      }
      emit(s, rec, fields, lens);
      return 1;
    }
    if (rc == 0) {
      s->ended = 1;
      if (!s->have_held) return 0;
      s->have_held = 0;
      emit(s, s->held, fields, lens);
      return 1;
    }
    if (s->have_held && target_cmp(s, s->held, rec) == 0) {
      /* same target, later in the order: it replaces the held row */
      s->dups++;
      if (keep(s, &s->held, &s->heldcap, rec) < 0) return copy_err(s, err, errlen);
      continue;
    }
    if (!s->have_held) {
      if (keep(s, &s->held, &s->heldcap, rec) < 0) return copy_err(s, err, errlen);
      s->have_held = 1;
      continue;
    }
    /* a new target: hand out the held row, hold the new one */
    char *t = s->out;
    size_t tc = s->outcap;
    s->out = s->held;
    s->outcap = s->heldcap;
    s->held = t;
    s->heldcap = tc;
    if (keep(s, &s->held, &s->heldcap, rec) < 0) return copy_err(s, err, errlen);
    emit(s, s->out, fields, lens);
    return 1;
  }
}

uint64_t extsort_rows(const struct extsort *s) {
  return s->seq;
}

unsigned extsort_spills(const struct extsort *s) {
  return s->spills;
}

uint64_t extsort_duplicates(const struct extsort *s) {
  return s->dups;
}

void extsort_close(struct extsort *s) {
  if (!s) return;
  merger_free(&s->m);
  for (size_t i = 0; i < s->nruns; i++) run_free(s->runs[i]);
  free(s->runs);
  arena_free(s);
  free(s->held);
  free(s->out);
  free(s->fptr);
  free(s->flen);
  free(s);
}
