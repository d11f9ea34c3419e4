/* SPDX-License-Identifier: MIT */
/*
 * atomicfile.c - temporary file, fsync, no-replace rename (contract in
 * atomicfile.h).
 */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

#define TMP_TRIES 16

struct atomicfile {
  int fd;
  unsigned flags;
  char *path; /* final path as given */
  char *tmp;  /* temporary path */
  char *dir;  /* directory of path, for the directory fsync */
  const char *what;
};

static int sys_code(int e) { return e ? err_from_errno(e) : -EIO; }

static const char *base_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int atomicfile_check(const char *path, const char *what, unsigned flags, char *err,
                     size_t errlen) {
  struct stat st;
  const char *base;
  if (!path || !*path) return err_set(err, errlen, -EINVAL, "empty %s path", what);
  base = base_of(path);
  if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
    return err_set(err, errlen, -EISDIR, "%s %s names a directory", what, path);
  if (lstat(path, &st) != 0) {
    int e = errno;
    if (e == ENOENT) return 0;
    return err_set(err, errlen, sys_code(e), "cannot use %s %s: %s", what, path, strerror(e));
  }
  if (S_ISLNK(st.st_mode)) {
    if (flags & ATOMICFILE_FORCE) return 0;
    return err_set(err, errlen, -EEXIST,
               "%s %s is a symbolic link; refusing to write through it "
               "(--force replaces the link itself)",
               what, path);
  }
  if (S_ISDIR(st.st_mode)) return err_set(err, errlen, -EISDIR, "%s %s is a directory", what, path);
  if (!S_ISREG(st.st_mode))
    return err_set(err, errlen, -EEXIST,
               "%s %s exists and is not a regular file (a device, FIFO or socket); "
               "refusing to replace it",
               what, path);
  if (flags & ATOMICFILE_FORCE) return 0;
  return err_set(err, errlen, -EEXIST, "%s %s exists; refusing to overwrite it (use --force)", what,
             path);
}

/* Twelve hex digits from the kernel's generator: the temporary name must
 * not be guessable, or another local user could plant a file there first
 * (O_EXCL would then fail safe, but a guessable name is a denial of
 * service). */
static void random_hex(char out[13]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char b[6];
  if (getrandom(b, sizeof b, GRND_NONBLOCK) != (ssize_t)sizeof b) {
    /* Only before the pool is seeded at boot: fall back to clock and pid;
     * O_EXCL still keeps it safe. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
    for (int i = 0; i < 6; i++) b[i] = (unsigned char)(v >> (8 * i));
  }
  for (int i = 0; i < 6; i++) {
    out[2 * i] = hex[b[i] >> 4];
    out[2 * i + 1] = hex[b[i] & 15];
  }
  out[12] = '\0';
}

static void af_free(struct atomicfile *af) {
  free(af->path);
  free(af->tmp);
  free(af->dir);
  free(af);
}

int atomicfile_open(struct atomicfile **out, const char *path, const char *what,
                    unsigned flags, char *err, size_t errlen) {
  struct atomicfile *af;
  const char *base, *slash;
  size_t dirlen, cap;
  int rc, e = 0;

  *out = NULL;
  rc = atomicfile_check(path, what, flags, err, errlen);
  if (rc) return rc;
  af = calloc(1, sizeof *af);
  if (!af) return err_set(err, errlen, -ENOMEM, "out of memory");
  af->fd = -1;
  af->flags = flags;
  af->what = what;
  slash = strrchr(path, '/');
  base = slash ? slash + 1 : path;
  dirlen = slash ? (size_t)(slash - path) + 1 : 0; /* keeps the '/' */
  cap = strlen(path) + 32;
  af->path = strdup(path);
  af->tmp = malloc(cap);
  af->dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
  if (!af->path || !af->tmp || !af->dir) {
    af_free(af);
    return err_set(err, errlen, -ENOMEM, "out of memory");
  }
  for (int i = 0; i < TMP_TRIES; i++) {
    char rnd[13];
    random_hex(rnd);
    /* A dot name keeps it out of globs such as *.csv.gz while it grows. */
    snprintf(af->tmp, cap, "%.*s.%s.tmp.%s", (int)dirlen, path, base, rnd);
    af->fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (af->fd >= 0) break;
    e = errno;
    if (e != EEXIST) break;
  }
  if (af->fd < 0) {
    rc = err_set(err, errlen, sys_code(e), "cannot create the %s in directory %s (for %s): %s",
             what, af->dir, path, strerror(e));
    af_free(af);
    return rc;
  }
  *out = af;
  return 0;
}

int atomicfile_fd(const struct atomicfile *af) { return af->fd; }

const char *atomicfile_tmp(const struct atomicfile *af) { return af->tmp; }

/* rename(2) that, without ATOMICFILE_FORCE, never replaces an existing
 * entry.  Returns 0 or -1 with errno. */
static int place(const struct atomicfile *af, const char *final) {
  if (af->flags & ATOMICFILE_FORCE) return rename(af->tmp, final);
#ifdef RENAME_NOREPLACE
  if (renameat2(AT_FDCWD, af->tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
#endif
  /* Fallback for file systems without RENAME_NOREPLACE: link(2) fails
   * with EEXIST instead of replacing. */
  if (link(af->tmp, final) != 0) return -1;
  (void)unlink(af->tmp);
  return 0;
}

/* fsync the directory so the rename itself is durable.  File systems that
 * cannot fsync a directory say EINVAL; that is not a failure of ours. */
static int sync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 0;
  int rc = fsync(fd) != 0 && errno != EINVAL && errno != EROFS ? errno : 0;
  close(fd);
  return rc;
}

int atomicfile_commit(struct atomicfile *af, const char *final, char *err, size_t errlen) {
  int rc = 0, e;
  const char *to = final ? final : af->path;

  if (fsync(af->fd) != 0) {
    e = errno;
    rc = err_set(err, errlen, sys_code(e), "cannot write %s: fsync: %s; the data is in %s",
             af->tmp, strerror(e), af->tmp);
  }
  if (close(af->fd) != 0 && !rc && errno != EINTR) {
    e = errno;
    rc = err_set(err, errlen, sys_code(e), "cannot close %s: %s", af->tmp, strerror(e));
  }
  af->fd = -1;
  if (!rc && final)
    rc = atomicfile_check(final, af->what, af->flags, err, errlen);
  if (!rc) {
    struct stat st;
    /* With --force the entry is replaced: but never a directory, device
     * or FIFO that appeared during the run. */
    if ((af->flags & ATOMICFILE_FORCE) && lstat(to, &st) == 0 && !S_ISREG(st.st_mode) &&
        !S_ISLNK(st.st_mode))
      rc = err_set(err, errlen, -EEXIST, "%s %s is no longer a regular file; the data is in %s",
               af->what, to, af->tmp);
    else if (place(af, to) != 0) {
      e = errno;
      if (e == EEXIST)
        rc = err_set(err, errlen, -EEXIST, "%s appeared during the run; not overwritten; the data "
                 "is in %s", to, af->tmp);
      else
        rc = err_set(err, errlen, sys_code(e), "cannot rename %s to %s: %s; the data is in %s",
                 af->tmp, to, strerror(e), af->tmp);
    } else if ((e = sync_dir(af->dir)) != 0) {
      rc = err_set(err, errlen, sys_code(e), "%s: fsync of directory %s: %s", to, af->dir,
               strerror(e));
    }
  } else if (err && errlen && !strstr(err, af->tmp)) {
    size_t n = strlen(err);
    snprintf(err + n, errlen - n, "; the data is in %s", af->tmp);
  }
  af_free(af);
  return rc;
}

void atomicfile_discard(struct atomicfile *af) {
  if (!af) return;
  if (af->fd >= 0) close(af->fd);
  (void)unlink(af->tmp);
  af_free(af);
}

int atomicfile_write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return sys_code(errno);
    }
    p += w;
    len -= (size_t)w;
  }
  return 0;
}
