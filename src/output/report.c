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

#include "cell.h"

#define OBUF_SIZE (64 * 1024)
#define GZ_BUFFER (128 * 1024) /* zlib's own buffer: fewer, larger writes */
#define TMP_TRIES 100

struct report {
  int fd;           /* the descriptor written to (gz: the one zlib owns) */
  gzFile gz;        /* NULL for plain output */
  int own_fd;       /* close fd at the end */
  int atomic;       /* temporary file renamed to path at commit */
  unsigned flags;
  char *path;       /* final path, or display name */
  char *tmp;        /* temporary path (atomic mode) */
  char *dir;        /* directory of path, for messages and fsync */
  char *obuf;
  size_t olen;
  char *line;       /* formatting buffer for records larger than obuf */
  size_t linecap;
  unsigned member_rows, member_ms;
  unsigned long member_count; /* records in the current member */
  uint64_t member_start;      /* monotonic ms of the last member boundary */
  int dirty;                  /* written since the last member boundary */
  unsigned long long rows;
  int status;                 /* first error, sticky */
  char err[512];
};

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int msg(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int msg(char *err, size_t errlen, int code, const char *fmt, ...) {
  va_list ap;
  if (err && errlen) {
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return code;
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
  return r->tmp ? r->tmp : r->path;
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
  if (r->status) return r->status;
  rc = emit(r, r->obuf, r->olen);
  r->olen = 0;
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
  }
  r->dirty = 0;
  r->member_count = 0;
  r->member_start = now_ms();
  return 0;
}

/* One record went into the buffer (or out): count it, maybe end a member. */
static int record_done(struct report *r) {
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
  return r;
}

static void report_free(struct report *r) {
  free(r->obuf);
  free(r->line);
  free(r->path);
  free(r->tmp);
  free(r->dir);
  free(r);
}

/* Wrap r->fd in zlib.  On failure fd is closed if we owned it. */
static int start_gzip(struct report *r, char *err, size_t errlen) {
  /* Level 1: reports are repetitive text, so level 1 is within ~10% of the
   * default's size at half its CPU (measured by make bench), and the writer
   * runs on the event loop's thread. */
  r->gz = gzdopen(r->fd, "wb1");
  if (!r->gz) return msg(err, errlen, -ENOMEM, "cannot start gzip output for %s", r->path);
  (void)gzbuffer(r->gz, GZ_BUFFER); /* fails only after a write: not here */
  return 0;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

/* Check the final path: absent, or (with REPORT_FORCE) a regular file or a
 * symlink we may replace.  lstat, never stat: a symlink is judged as the
 * link, not as whatever it points at. */
static int check_final(const char *path, unsigned flags, char *err, size_t errlen) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    int e = errno;
    if (e == ENOENT) return 0;
    return msg(err, errlen, sys_code(e), "cannot use output path %s: %s", path, strerror(e));
  }
  if (S_ISLNK(st.st_mode)) {
    if (flags & REPORT_FORCE) return 0;
    return msg(err, errlen, -EEXIST,
               "output path %s is a symbolic link; refusing to write through it "
               "(--force replaces the link itself)",
               path);
  }
  if (S_ISDIR(st.st_mode))
    return msg(err, errlen, -EISDIR, "output path %s is a directory", path);
  if (!S_ISREG(st.st_mode))
    return msg(err, errlen, -EEXIST,
               "output path %s exists and is not a regular file; refusing to replace it "
               "(use -o - for standard output)",
               path);
  if (flags & REPORT_FORCE) return 0;
  return msg(err, errlen, -EEXIST,
             "output file %s exists; refusing to overwrite it (use --force)", path);
}

int report_open(struct report **out, const char *path, unsigned flags, char *err,
                size_t errlen) {
  struct report *r;
  const char *slash, *base;
  size_t dirlen, cap;
  int rc;

  *out = NULL;
  if (!path || !*path) return msg(err, errlen, -EINVAL, "empty output path");
  if (!strcmp(path, "-")) {
    rc = report_open_fd(out, 1, "-", 0, err, errlen);
    return rc;
  }
  slash = strrchr(path, '/');
  base = slash ? slash + 1 : path;
  if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
    return msg(err, errlen, -EISDIR, "output path %s names a directory", path);
  rc = check_final(path, flags, err, errlen);
  if (rc) return rc;

  r = report_new();
  if (!r) return msg(err, errlen, -ENOMEM, "out of memory");
  r->flags = flags;
  r->atomic = 1;
  r->own_fd = 1;
  dirlen = slash ? (size_t)(slash - path) + 1 : 0; /* keeps the '/' */
  cap = strlen(path) + 48;
  r->path = strdup(path);
  r->tmp = malloc(cap);
  r->dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
  if (!r->path || !r->tmp || !r->dir) {
    report_free(r);
    return msg(err, errlen, -ENOMEM, "out of memory");
  }

  /* Same directory as the final name, so the rename is atomic; a dot name
   * keeps it out of globs such as *.csv.gz while it grows. */
  for (int i = 0; i < TMP_TRIES; i++) {
    if (i == 0)
      snprintf(r->tmp, cap, "%.*s.%s.tmp.%ld", (int)dirlen, path, base, (long)getpid());
    else
      snprintf(r->tmp, cap, "%.*s.%s.tmp.%ld.%d", (int)dirlen, path, base, (long)getpid(), i);
    r->fd = open(r->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (r->fd >= 0 || errno != EEXIST) break;
  }
  if (r->fd < 0) {
    int e = errno;
    rc = msg(err, errlen, sys_code(e), "cannot create the report in directory %s (for %s): %s",
             r->dir, path, strerror(e));
    report_free(r);
    return rc;
  }
  if (ends_with(base, ".gz")) {
    rc = start_gzip(r, err, errlen);
    if (rc) {
      close(r->fd);
      unlink(r->tmp);
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
  if (fd < 0) return msg(err, errlen, -EBADF, "bad descriptor for %s", name ? name : "report");
  r = report_new();
  if (!r) return msg(err, errlen, -ENOMEM, "out of memory");
  r->flags = flags;
  r->path = strdup(name ? name : "-");
  if (!r->path) {
    report_free(r);
    return msg(err, errlen, -ENOMEM, "out of memory");
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
        return msg(err, errlen, sys_code(e), "cannot duplicate descriptor: %s", strerror(e));
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

/* --- formatting --------------------------------------------------------- */

struct field_shape {
  size_t esc;    /* cell_escape() output length */
  size_t quotes; /* double quotes in it (cell_escape keeps them) */
  int quoted;    /* RFC 4180 needs quotes around it */
  int copy;      /* the output is the input unchanged */
};

/* What cell_escape() will make of src, and whether the CSV field must be
 * quoted.  Decided on the input: cell_escape() copies `,`, `"` and space
 * unchanged and never emits CR or LF, and a trailing space of the input is
 * a trailing space of the output.  The length comes from
 * cell_escaped_size() alone: cell.c decides the text of every cell (a
 * leading space may be guarded, " =1" -> "' =1", so the first character
 * alone does not settle it). */
static size_t field_shape(const char *s, size_t len, struct field_shape *fs) {
  int ascii = 1;
  fs->quotes = 0;
  fs->quoted = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"') fs->quotes++;
    else if (c == ',') fs->quoted = 1;
    else if (c < 0x20 || c >= 0x7f || c == '\\') ascii = 0;
  }
  fs->esc = cell_escaped_size(s, len) - 1;
  fs->copy = ascii && fs->esc == len; /* printable ASCII, no guard, no \x27 */
  /* A leading space of the input is quoted even when the guard `'` comes
   * before it in the output: more quoting than needed is still RFC 4180. */
  if (fs->quotes || (len && (s[0] == ' ' || s[len - 1] == ' '))) fs->quoted = 1;
  return fs->esc + (fs->quoted ? 2 + fs->quotes : 0);
}

/* Write the field (room checked by the caller: its shape length plus one
 * byte for cell_escape's NUL). */
static size_t field_write(char *dst, const char *s, size_t len, const struct field_shape *fs) {
  if (!fs->quoted) {
    if (fs->copy) {
      memcpy(dst, s, len);
      return len;
    }
    return cell_escape(dst, fs->esc + 1, s, len);
  }
  dst[0] = '"';
  if (fs->copy) memcpy(dst + 1, s, len);
  else cell_escape(dst + 1, fs->esc + 1, s, len);
  if (fs->quotes) {
    /* Double each quote in place, right to left so nothing is overwritten
     * before it is moved (RFC 4180 section 2 rule 7). */
    char *src = dst + 1, *d = dst + 1 + fs->esc + fs->quotes;
    for (size_t j = fs->esc; j-- > 0;) {
      *--d = src[j];
      if (src[j] == '"') *--d = '"';
    }
  }
  dst[1 + fs->esc + fs->quotes] = '"';
  return 2 + fs->esc + fs->quotes;
}

#define SHAPES 32 /* fields whose shape is remembered between the passes */

size_t report_format(char *dst, size_t size, const char *const *fields, const size_t *lens,
                     size_t n) {
  size_t need = 1, o = 0; /* the "\n" */
  struct field_shape shapes[SHAPES], fs;

  for (size_t i = 0; i < n; i++) {
    const char *f = fields[i] ? fields[i] : "";
    size_t l = fields[i] ? (lens ? lens[i] : strlen(f)) : 0;
    need += field_shape(f, l, i < SHAPES ? &shapes[i] : &fs) + (i ? 1 : 0);
  }
  if (need >= size) {
    if (size) dst[0] = '\0';
    return need;
  }
  for (size_t i = 0; i < n; i++) {
    const char *f = fields[i] ? fields[i] : "";
    size_t l = fields[i] ? (lens ? lens[i] : strlen(f)) : 0;
    if (i) dst[o++] = ',';
    if (i >= SHAPES) field_shape(f, l, &fs);
    o += field_write(dst + o, f, l, i < SHAPES ? &shapes[i] : &fs);
  }
  dst[o++] = '\n';
  dst[o] = '\0';
  return o;
}

/* --- writing ------------------------------------------------------------ */

int report_write_raw(struct report *r, const char *line, size_t len) {
  int rc;
  if (r->status) return r->status;
  if (OBUF_SIZE - r->olen < len) {
    rc = drain(r);
    if (rc) return rc;
    if (len > OBUF_SIZE) { /* larger than the buffer: straight out */
      rc = emit(r, line, len);
      if (rc) return rc;
      return record_done(r);
    }
  }
  memcpy(r->obuf + r->olen, line, len);
  r->olen += len;
  return record_done(r);
}

int report_write_fields(struct report *r, const char *const *fields, const size_t *lens,
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
    return record_done(r);
  }
  rc = drain(r);
  if (rc) return rc;
  if (need < OBUF_SIZE) {
    report_format(r->obuf, OBUF_SIZE, fields, lens, n);
    r->olen = need;
    return record_done(r);
  }
  if (need >= r->linecap) {
    char *p = realloc(r->line, need + 1);
    if (!p) return fail(r, -ENOMEM, "out of memory formatting a %zu-byte record", need);
    r->line = p;
    r->linecap = need + 1;
  }
  report_format(r->line, r->linecap, fields, lens, n);
  return report_write_raw(r, r->line, need);
}

int report_flush(struct report *r) {
  if (r->status) return r->status;
  if (!r->dirty && !r->olen) return 0;
  return end_member(r);
}

/* Make the rename itself durable (best effort: not every file system
 * supports fsync on a directory). */
static void sync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)fsync(fd);
  close(fd);
}

/* rename(2) that, without REPORT_FORCE, never replaces a file that appeared
 * at the final path during the run. */
static int commit_rename(struct report *r) {
  if (r->flags & REPORT_FORCE) return rename(r->tmp, r->path);
#ifdef RENAME_NOREPLACE
  if (renameat2(AT_FDCWD, r->tmp, AT_FDCWD, r->path, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
#endif
  /* Fallback for file systems without RENAME_NOREPLACE: link(2) fails with
   * EEXIST instead of replacing. */
  if (link(r->tmp, r->path) != 0) return -1;
  (void)unlink(r->tmp);
  return 0;
}

int report_close(struct report *r, int commit, char *err, size_t errlen) {
  int rc;
  if (!r) return 0;

  if (!r->status) end_member(r);
  /* fsync even after an error: what was written is kept, so make it last. */
  if (r->atomic && commit && fsync(r->fd) != 0) {
    int e = errno;
    fail(r, sys_code(e), "cannot write %s: fsync: %s", r->tmp, strerror(e));
  }
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

  if (r->atomic) {
    if (!commit) {
      (void)unlink(r->tmp);
    } else if (commit_rename(r) != 0) {
      int e = errno;
      if (r->status) {
        /* Keep the first error, but the caller must learn where the data
         * is. */
        size_t n = strlen(r->err);
        snprintf(r->err + n, sizeof r->err - n, "; the report is in %s", r->tmp);
      } else if (e == EEXIST) {
        fail(r, -EEXIST, "%s appeared during the run; not overwritten; the report is in %s",
             r->path, r->tmp);
      } else {
        fail(r, sys_code(e), "cannot rename %s to %s: %s; the report is in %s", r->tmp, r->path,
             strerror(e), r->tmp);
      }
    } else {
      sync_dir(r->dir);
    }
  }

  rc = r->status;
  if (rc && err && errlen) snprintf(err, errlen, "%s", r->err);
  else if (err && errlen) err[0] = '\0';
  report_free(r);
  return rc;
}

const char *report_error(const struct report *r) {
  return r->err;
}

const char *report_path(const struct report *r) {
  return r->path;
}

const char *report_tmp_path(const struct report *r) {
  return r->tmp;
}

unsigned long long report_rows(const struct report *r) {
  return r->rows;
}
