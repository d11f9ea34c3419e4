/* SPDX-License-Identifier: MIT */
/*
 * report.c - the report writer (contract in report.h).
 *
 * Records are formatted straight into a 64 KiB output buffer; the buffer
 * goes to zlib (gzwrite) or to write(2) when full and at every member
 * boundary.  We use write(2) rather than stdio so that every error is seen
 * where it happens: a full disk must end the run with exit 3, not go
 * unnoticed in an unchecked fclose().
 */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "err.h"
#include <zlib.h>

#include "atomicfile.h"
#include "csvrow.h"

#define OBUF_SIZE (64 * 1024)
#define GZ_BUFFER (128 * 1024) /* zlib's own buffer: fewer, larger writes */

struct report {
  int fd;           /* the descriptor written to (gz: the one zlib owns) */
  gzFile gz;        /* NULL for plain output */
  int own_fd;       /* close fd at the end */
  struct atomicfile *af; /* the temporary file (NULL for "-" and report_open_fd) */
  unsigned flags;
  char *path;       /* final path, or display name */
  char *partial;    /* path + ".partial" (atomic mode) */
  off_t good_off;   /* output bytes that end on a record boundary for sure */
  char *first;      /* a copy of the first record (the header row) */
  size_t first_len;
  uint64_t tag;     /* tag of the next record (report_tag) */
  uint64_t cur_tag; /* tag of the record being written */
  int cur_pending;  /* cur_tag is not in tags[] yet */
  uint64_t *tags;   /* tags of records not known to be in the output */
  size_t ntags, tagcap;
  char *obuf;
  size_t olen;
  char *line;       /* formatting buffer for records larger than obuf */
  size_t linecap;
  unsigned member_rows, member_ms;
  unsigned long member_count; /* records in the current member */
  uint64_t member_start;      /* monotonic ms of the last member boundary */
  int dirty;                  /* written since the last member boundary */
  unsigned long long rows;
  int tags_dropped;           /* a lost record's tag could not be stored */
  int status;                 /* first error, sticky */
  char err[512];
};

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Record the first error (later ones are consequences) and return it. */
static int fail(struct report *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct report *r, int code, const char *fmt, ...) {
  va_list ap;
  if (r->status) return r->status;
  r->status = code;
  va_start(ap, fmt);
  vsnprintf(r->err, sizeof r->err, fmt, ap);
  va_end(ap);
  return code;
}

static int sys_code(int e) {
  return e ? err_from_errno(e) : -EIO;
}

static const char *target(const struct report *r) {
  return r->af ? atomicfile_tmp(r->af) : r->path;
}

/* Remember a record as not yet in the output; the list is emptied at
 * each boundary where everything before is out. */
static void push_tag(struct report *r, uint64_t tag) {
  if (r->ntags == r->tagcap) {
    size_t n = r->tagcap ? r->tagcap * 2 : 256;
    uint64_t *p = realloc(r->tags, n * sizeof *p);
    if (!p) {
      /* Cannot track it: the caller learns through report_lost that an
       * unknown record is missing. */
      r->tags_dropped = 1;
      return;
    }
    r->tags = p;
    r->tagcap = n;
  }
  r->tags[r->ntags++] = tag;
}

/* A write begins: its tag waits in cur_tag until the record is in the
 * buffer (record_done) -- a boundary reached while making room for it must
 * not forget it -- or is pushed as lost if it never gets there. */
static void begin_record(struct report *r) {
  r->cur_tag = r->tag;
  r->cur_pending = 1;
  r->tag = REPORT_NO_TAG;
}

static int end_record(struct report *r, int rc) {
  if (r->cur_pending) {
    push_tag(r, r->cur_tag);
    r->cur_pending = 0;
  }
  return rc;
}

/* Everything handed to the output so far is whole records on it. */
static void boundary(struct report *r, off_t off) {
  r->good_off = off;
  r->ntags = 0;
}

/* A zlib call failed: turn gzerror() into a code and a message.  `e` is
 * errno saved right after the call (Z_ERRNO means it is meaningful). */
static int gz_fail(struct report *r, const char *what, int e) {
  int zerr = 0;
  const char *zmsg = gzerror(r->gz, &zerr);
  if (zerr == Z_ERRNO)
    return fail(r, sys_code(e), "cannot %s %s: %s", what, target(r),
                e ? strerror(e) : "I/O error");
  return fail(r, zerr == Z_MEM_ERROR ? -ENOMEM : -EIO, "cannot %s %s: zlib: %s", what,
              target(r), zmsg ? zmsg : "error");
}

/* write(2) all of buf.  A descriptor somebody made non-blocking (stdout
 * shared with a libuv pipe, say) is waited on rather than failed. */
static int write_all(struct report *r, const char *buf, size_t len) {
  while (len) {
    ssize_t w = write(r->fd, buf, len);
    if (w < 0) {
      int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK) {
        struct pollfd p = {.fd = r->fd, .events = POLLOUT};
        if (poll(&p, 1, -1) >= 0 || errno == EINTR) continue;
        e = errno;
      }
      return fail(r, sys_code(e), "cannot write %s: %s", target(r), strerror(e));
    }
    buf += w;
    len -= (size_t)w;
  }
  return 0;
}

/* Hand bytes to the output (zlib or the descriptor). */
static int emit(struct report *r, const char *buf, size_t len) {
  if (!len) return 0;
  if (r->gz) {
    /* gzwrite takes an unsigned length; records are far below 4 GiB but
     * feed it in slices anyway. */
    while (len) {
      unsigned n = len > (1u << 30) ? (1u << 30) : (unsigned)len;
      errno = 0;
      if (gzwrite(r->gz, buf, n) == 0) return gz_fail(r, "write", errno);
      buf += n;
      len -= n;
    }
    return 0;
  }
  return write_all(r, buf, len);
}

static int drain(struct report *r) {
  int rc;
  size_t n = r->olen;
  if (r->status) return r->status;
  rc = emit(r, r->obuf, n);
  r->olen = 0;
  /* Plain output: the buffer holds whole records only, so once it is out
   * every record so far is in the file. */
  if (!rc && !r->gz) boundary(r, r->good_off + (off_t)n);
  return rc;
}

/* End the current member: everything buffered goes out, and for gzip the
 * stream is finished so the bytes so far form a complete gzip file. */
static int end_member(struct report *r) {
  int rc = drain(r);
  if (rc) return rc;
  if (r->gz && r->dirty) {
    errno = 0;
    if (gzflush(r->gz, Z_FINISH) != Z_OK) return gz_fail(r, "write", errno);
    /* A finished member: the file up to here decompresses to whole
     * records.  zlib wrote through a copy of our descriptor, which shares
     * the file offset. */
    off_t off = lseek(r->fd, 0, SEEK_CUR);
    boundary(r, off < 0 ? r->good_off : off);
  }
  r->dirty = 0;
  r->member_count = 0;
  r->member_start = now_ms();
  return 0;
}

/* One record went into the buffer (or out): count it, maybe end a member.
 * rec/len: the record's bytes, kept if it is the first (the header). */
static int record_done(struct report *r, const char *rec, size_t len) {
  if (!r->rows && r->af && len <= OBUF_SIZE && (r->first = malloc(len ? len : 1))) {
    memcpy(r->first, rec, len);
    r->first_len = len;
  }
  end_record(r, 0); /* in the buffer now: lost only if a later write fails */
  r->rows++;
  r->member_count++;
  r->dirty = 1;
  if (r->member_count >= r->member_rows || now_ms() - r->member_start >= r->member_ms)
    return end_member(r);
  return 0;
}

static struct report *report_new(void) {
  struct report *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->fd = -1;
  r->obuf = malloc(OBUF_SIZE);
  if (!r->obuf) {
    free(r);
    return NULL;
  }
  r->member_rows = REPORT_MEMBER_ROWS;
  r->member_ms = REPORT_MEMBER_MS;
  r->member_start = now_ms();
  r->tag = REPORT_NO_TAG;
  return r;
}

static void report_free(struct report *r) {
  free(r->obuf);
  free(r->line);
  free(r->path);
  free(r->partial);
  free(r->tags);
  free(r->first);
  free(r);
}

/* Wrap r->fd in zlib.  On failure fd is closed if we owned it. */
static int start_gzip(struct report *r, char *err, size_t errlen) {
  /* Level 1: reports are repetitive text, so level 1 is within ~10% of the
   * default's size at half its CPU (measured by make bench), and the writer
   * runs on the event loop's thread. */
  r->gz = gzdopen(r->fd, "wb1");
  if (!r->gz) return err_set(err, errlen, -ENOMEM, "cannot start gzip output for %s", r->path);
  (void)gzbuffer(r->gz, GZ_BUFFER); /* fails only after a write: not here */
  return 0;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

size_t report_partial_path(char *dst, size_t size, const char *path) {
  return (size_t)snprintf(dst, size, "%s.partial", path);
}

int report_open(struct report **out, const char *path, unsigned flags, char *err,
                size_t errlen) {
  struct report *r;
  size_t plen;
  unsigned af_flags = flags & REPORT_FORCE ? ATOMICFILE_FORCE : 0;
  int rc;

  *out = NULL;
  if (!path || !*path) return err_set(err, errlen, -EINVAL, "empty output path");
  if (!strcmp(path, "-")) return report_open_fd(out, 1, "-", 0, err, errlen);

  r = report_new();
  if (!r) return err_set(err, errlen, -ENOMEM, "out of memory");
  r->flags = flags;
  r->own_fd = 0; /* the atomic file owns it; zlib gets a copy */
  r->path = strdup(path);
  plen = strlen(path) + sizeof ".partial";
  r->partial = malloc(plen);
  if (!r->path || !r->partial) {
    report_free(r);
    return err_set(err, errlen, -ENOMEM, "out of memory");
  }
  report_partial_path(r->partial, plen, path);
  /* The name an interrupted run's rows would get is checked now too, so
   * that an earlier run's partial report is never replaced at the end. */
  rc = atomicfile_check(r->partial, "output file", af_flags, err, errlen);
  if (!rc) rc = atomicfile_open(&r->af, path, "output file", af_flags, err, errlen);
  if (rc) {
    report_free(r);
    return rc;
  }
  r->fd = atomicfile_fd(r->af);
  if (ends_with(path, ".gz")) {
    /* gzclose() closes the descriptor it was given: give it a copy, so
     * the file can still be cut back and synced after zlib is done. */
    r->fd = fcntl(atomicfile_fd(r->af), F_DUPFD_CLOEXEC, 3);
    if (r->fd < 0) {
      int e = errno;
      atomicfile_discard(r->af);
      report_free(r);
      return err_set(err, errlen, sys_code(e), "cannot duplicate descriptor: %s", strerror(e));
    }
    rc = start_gzip(r, err, errlen);
    if (rc) {
      close(r->fd);
      atomicfile_discard(r->af);
      report_free(r);
      return rc;
    }
  }
  *out = r;
  return 0;
}

int report_open_fd(struct report **out, int fd, const char *name, unsigned flags, char *err,
                   size_t errlen) {
  struct report *r;
  *out = NULL;
  if (fd < 0) return err_set(err, errlen, -EBADF, "bad descriptor for %s", name ? name : "report");
  r = report_new();
  if (!r) return err_set(err, errlen, -ENOMEM, "out of memory");
  r->flags = flags;
  r->path = strdup(name ? name : "-");
  if (!r->path) {
    report_free(r);
    return err_set(err, errlen, -ENOMEM, "out of memory");
  }
  r->fd = fd;
  r->own_fd = fd > 2;
  if (flags & REPORT_GZIP) {
    /* gzclose() closes the descriptor zlib was given: give it a copy of one
     * we must not close. */
    if (!r->own_fd) {
      r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
      if (r->fd < 0) {
        int e = errno;
        report_free(r);
        return err_set(err, errlen, sys_code(e), "cannot duplicate descriptor: %s", strerror(e));
      }
      r->own_fd = 1;
    }
    int rc = start_gzip(r, err, errlen);
    if (rc) {
      if (r->own_fd) close(r->fd);
      report_free(r);
      return rc;
    }
  }
  *out = r;
  return 0;
}

void report_set_member(struct report *r, unsigned rows, unsigned ms) {
  if (rows) r->member_rows = rows;
  if (ms) r->member_ms = ms;
}

/* --- writing ------------------------------------------------------------ */

static int write_raw(struct report *r, const char *line, size_t len);

int report_write_raw(struct report *r, const char *line, size_t len) {
  begin_record(r);
  return end_record(r, write_raw(r, line, len));
}

static int write_raw(struct report *r, const char *line, size_t len) {
  int rc;
  if (r->status) return r->status;
  if (OBUF_SIZE - r->olen < len) {
    rc = drain(r);
    if (rc) return rc;
    if (len > OBUF_SIZE) { /* larger than the buffer: straight out */
      rc = emit(r, line, len);
      if (rc) return rc;
      end_record(r, 0);
      if (!r->gz) boundary(r, r->good_off + (off_t)len); /* a whole record, out */
      return record_done(r, line, len);
    }
  }
  memcpy(r->obuf + r->olen, line, len);
  r->olen += len;
  return record_done(r, line, len);
}

static int write_fields(struct report *r, const char *const *fields, const size_t *lens,
                        size_t n);

int report_write_fields(struct report *r, const char *const *fields, const size_t *lens,
                        size_t n) {
  begin_record(r);
  return end_record(r, write_fields(r, fields, lens, n));
}

static int write_fields(struct report *r, const char *const *fields, const size_t *lens,
                        size_t n) {
  size_t room, need;
  int rc;

  if (r->status) return r->status;
  /* Usually the record is formatted straight into the output buffer; a
   * record that does not fit (report_format only measured it) is retried
   * after a drain, and one larger than the whole buffer goes through the
   * growable line buffer. */
  room = OBUF_SIZE - r->olen;
  need = report_format(r->obuf + r->olen, room, fields, lens, n);
  if (need < room) {
    r->olen += need;
    return record_done(r, r->obuf + r->olen - need, need);
  }
  rc = drain(r);
  if (rc) return rc;
  if (need < OBUF_SIZE) {
    report_format(r->obuf, OBUF_SIZE, fields, lens, n);
    r->olen = need;
    return record_done(r, r->obuf, need);
  }
  if (need >= r->linecap) {
    char *p = realloc(r->line, need + 1);
    if (!p) return fail(r, -ENOMEM, "out of memory formatting a %zu-byte record", need);
    r->line = p;
    r->linecap = need + 1;
  }
  report_format(r->line, r->linecap, fields, lens, n);
  return write_raw(r, r->line, need);
}

int report_flush(struct report *r) {
  if (r->status) return r->status;
  if (!r->dirty && !r->olen) return 0;
  return end_member(r);
}

/* The first record (the header row) as a file of its own: itself, or one
 * gzip member holding it.  malloc'd, length in *len; NULL if none. */
static char *first_record_file(const struct report *r, size_t *len) {
  if (!r->first) return NULL;
  if (!r->gz) {
    char *p = malloc(r->first_len);
    if (p) memcpy(p, r->first, r->first_len);
    *len = r->first_len;
    return p;
  }
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  uLong cap = deflateBound(&zs, (uLong)r->first_len) + 32;
  unsigned char *out = malloc(cap);
  if (out) {
    zs.next_in = (unsigned char *)r->first;
    zs.avail_in = (uInt)r->first_len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
      free(out);
      out = NULL;
    }
    *len = cap - zs.avail_out;
  }
  deflateEnd(&zs);
  return (char *)out;
}

/* After a write error the output may end inside a record (a short write,
 * a gzip member cut off): cut the file back to the last boundary, where
 * every record is whole.  The records after it are report_lost()'s.  If
 * not even the header row was out, it is written again (cutting freed the
 * space it took), so the partial report is still a report. */
static void cut_back(struct report *r) {
  int fd = atomicfile_fd(r->af);
  const char *why = NULL;
  int e = 0;
  if (ftruncate(fd, r->good_off) != 0) {
    e = errno;
    why = "cannot cut it back to its last whole row";
  } else if (r->good_off == 0 && r->first) {
    size_t len = 0;
    char *h = first_record_file(r, &len);
    if (!h) {
      why = "cannot write its header row again";
    } else if (pwrite(fd, h, len, 0) != (ssize_t)len) {
      e = errno;
      why = "cannot write its header row again";
      (void)ftruncate(fd, 0);
    }
    free(h);
  }
  if (why) {
    size_t n = strlen(r->err);
    snprintf(r->err + n, sizeof r->err - n, "; %s: %s", why, e ? strerror(e) : "out of memory");
  }
}

/* Close the zlib stream or the descriptor; errors go to the sticky status. */
static void close_output(struct report *r) {
  if (r->gz) {
    int zr;
    errno = 0;
    zr = gzclose(r->gz); /* closes r->fd; frees the state even on error */
    if (zr != Z_OK) {
      int e = errno;
      if (zr == Z_ERRNO)
        fail(r, sys_code(e), "cannot close %s: %s", target(r), strerror(e ? e : EIO));
      else
        fail(r, -EIO, "cannot close %s: zlib error %d", target(r), zr);
    }
  } else if (r->own_fd && close(r->fd) != 0) {
    int e = errno;
    if (e != EINTR) fail(r, sys_code(e), "cannot close %s: %s", target(r), strerror(e));
  }
}

int report_close(struct report *r, int commit, char *err, size_t errlen) {
  int rc;
  if (!r) return 0;

  if (!r->status && commit) end_member(r);
  /* After an error gzclose() still tries to finish its member: that only
   * adds bytes past the boundary, which cut_back() removes. */
  close_output(r);

  if (r->af) {
    if (!commit) {
      atomicfile_discard(r->af);
    } else {
      char aerr[640];
      const char *final = r->path;
      if (r->status) cut_back(r);
      /* A run with a write error, or one that stopped with targets left,
       * is not the report of its inputs: it gets the partial name. */
      if (r->status || commit == REPORT_PARTIAL) final = r->partial;
      int arc = atomicfile_commit(r->af, final, aerr, sizeof aerr);
      if (arc < 0) {
        if (r->status) {
          size_t n = strlen(r->err);
          snprintf(r->err + n, sizeof r->err - n, "; %s", aerr);
        } else {
          fail(r, arc, "%s", aerr);
        }
      }
    }
    r->af = NULL;
  }

  rc = r->status;
  if (rc && err && errlen) snprintf(err, errlen, "%s", r->err);
  else if (err && errlen) err[0] = '\0';
  report_free(r);
  return rc;
}

void report_tag(struct report *r, uint64_t tag) {
  r->tag = tag;
}

size_t report_lost(const struct report *r, const uint64_t **tags, int *unknown) {
  if (unknown) *unknown = r->status ? r->tags_dropped : 0;
  if (!r->status) {
    if (tags) *tags = NULL;
    return 0;
  }
  if (tags) *tags = r->tags;
  return r->ntags;
}

const char *report_final_path(const struct report *r, int commit) {
  if (!r->af) return r->path;
  return r->status || commit == REPORT_PARTIAL ? r->partial : r->path;
}

const char *report_error(const struct report *r) {
  return r->err;
}

const char *report_path(const struct report *r) {
  return r->path;
}

const char *report_tmp_path(const struct report *r) {
  return r->af ? atomicfile_tmp(r->af) : NULL;
}

unsigned long long report_rows(const struct report *r) {
  return r->rows;
}
