/* SPDX-License-Identifier: MIT */
/*
 * instream.c - inputs read without blocking.  See instream.h.
 */
#include "instream.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define THREAD_BUF (16 * 1024)

struct instream {
  char *name;      /* for messages */
  char *path;      /* what to open; NULL for stdin */
  int regular;
  int fd;          /* regular: the file; else the pipe's read end */
  int own_fd;      /* fd is ours to close (not stdin) */
  off_t start, off;/* regular: where reading began, where it is */
  /* reader thread (non-regular inputs) */
  pthread_t thread;
  int has_thread;
  int wfd;         /* the pipe's write end: the thread's */
  int src;         /* the input, once the thread opened it (-1 for stdin) */
  int terr;        /* errno of the thread's failure, set before wfd closes */
  int topen;       /* 1 if that failure was the open */
  char msg[512];
};

int instream_is_regular(const char *name) {
  struct stat st;
  if (!strcmp(name, "-")) return fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode);
  return stat(name, &st) == 0 && S_ISREG(st.st_mode);
}

static int set_msg(struct instream *s, int code, const char *what, int e) {
  snprintf(s->msg, sizeof s->msg, "%s: %s: %s", s->name, what, strerror(e));
  return code;
}

/* The thread's descriptors, closed when it ends or is cancelled: the
 * closed write end is what tells the reader "end of input". */
static void thread_cleanup(void *arg) {
  struct instream *s = arg;
  if (s->src >= 0) close(s->src);
  s->src = -1;
  close(s->wfd);
  s->wfd = -1;
}

/* Open (a named input) and copy it into the pipe.  Returns 0 at the end
 * of the input or the errno of a failure (*topen: it was the open). */
static int pump(struct instream *s, char *buf, int *topen) {
  int fd = STDIN_FILENO;
  if (!buf) return ENOMEM;
  if (s->path) {
    /* The blocking open happens here, not in the caller: a FIFO's open
     * waits for a writer, and a cancel ends the wait. */
    fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *topen = 1;
      return errno;
    }
    s->src = fd;
  }
  for (;;) {
    ssize_t n = read(fd, buf, THREAD_BUF);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(s->wfd, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return 0; /* the reader is gone */
      off += w;
    }
  }
}

static void *thread_main(void *arg) {
  struct instream *s = arg;
  char *buf = malloc(THREAD_BUF);
  pthread_cleanup_push(free, buf);
  pthread_cleanup_push(thread_cleanup, s);
  int topen = 0, e = pump(s, buf, &topen);
  __atomic_store_n(&s->topen, topen, __ATOMIC_RELAXED);
  __atomic_store_n(&s->terr, e, __ATOMIC_RELEASE); /* before the write end closes */
  pthread_cleanup_pop(1);
  pthread_cleanup_pop(1);
  return NULL;
}

static int start_thread(struct instream *s, char *err, size_t errlen) {
  int p[2];
  sigset_t all, old;
  if (pipe2(p, O_CLOEXEC) != 0) {
    snprintf(err, errlen, "%s: cannot read it: pipe: %s", s->name, strerror(errno));
    return -errno;
  }
  fcntl(p[0], F_SETFL, O_NONBLOCK); /* our own pipe: no one else shares it */
  s->fd = p[0];
  s->own_fd = 1;
  s->wfd = p[1];
  /* The thread takes no signal: SIGINT and SIGTERM belong to the main
   * thread's event loop, and SIGPIPE must turn into EPIPE. */
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&s->thread, NULL, thread_main, s);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    close(p[1]);
    s->wfd = -1;
    snprintf(err, errlen, "%s: cannot start its reader thread: %s", s->name, strerror(rc));
    return -rc;
  }
  s->has_thread = 1;
  return 0;
}

int instream_open(struct instream **out, const char *name, char *err, size_t errlen) {
  int is_stdin = !strcmp(name, "-");
  struct instream *s = calloc(1, sizeof *s);
  *out = NULL;
  if (!s || !(s->name = strdup(is_stdin ? "stdin" : name)) ||
      (!is_stdin && !(s->path = strdup(name)))) {
    instream_close(s);
    snprintf(err, errlen, "%s: out of memory", name);
    return -ENOMEM;
  }
  s->fd = s->wfd = s->src = -1;
  s->regular = instream_is_regular(name);
  if (s->regular) {
    if (is_stdin) {
      s->fd = STDIN_FILENO;
    } else if ((s->fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
      snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
      instream_close(s);
      return -EINVAL;
    } else {
      s->own_fd = 1;
    }
    s->start = lseek(s->fd, 0, SEEK_CUR);
    if (s->start < 0) s->start = 0;
    s->off = s->start;
  } else {
    struct stat st;
    /* Missing files are found now, like regular ones; a FIFO or a device
     * that exists is opened by the thread. */
    if (!is_stdin && stat(name, &st) != 0) {
      snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
      instream_close(s);
      return -EINVAL;
    }
    /* A closed stdin: the pipe below would take descriptor 0 and the
     * thread would read its own pipe. */
    if (is_stdin && fcntl(STDIN_FILENO, F_GETFD) < 0) {
      snprintf(err, errlen, "stdin: cannot read it: %s", strerror(errno));
      instream_close(s);
      return -EINVAL;
    }
    int rc = start_thread(s, err, errlen);
    if (rc < 0) {
      instream_close(s);
      return rc;
    }
  }
  *out = s;
  return 0;
}

ssize_t instream_read(struct instream *s, void *buf, size_t size) {
  for (;;) {
    ssize_t n = s->regular ? pread(s->fd, buf, size, s->off) : read(s->fd, buf, size);
    if (n > 0) {
      if (s->regular) s->off += n;
      return n;
    }
    if (n == 0) {
      int e = s->regular ? 0 : __atomic_load_n(&s->terr, __ATOMIC_ACQUIRE);
      if (!e) return 0;
      if (__atomic_load_n(&s->topen, __ATOMIC_RELAXED))
        return set_msg(s, -EINVAL, "cannot open", e);
      return set_msg(s, -e, "read error", e);
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return -EAGAIN;
    return set_msg(s, -errno, "read error", errno);
  }
}

ssize_t instream_read_wait(struct instream *s, void *buf, size_t size) {
  for (;;) {
    ssize_t n = instream_read(s, buf, size);
    if (n != -EAGAIN) return n;
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    if (poll(&p, 1, -1) < 0 && errno == EINTR) {
      snprintf(s->msg, sizeof s->msg, "%s: interrupted while waiting for input", s->name);
      return -EINTR;
    }
  }
}

int instream_fd(const struct instream *s) { return s->regular ? -1 : s->fd; }

int instream_regular(const struct instream *s) { return s->regular; }

int instream_rewind(struct instream *s) {
  if (!s->regular) return -ESPIPE;
  s->off = s->start;
  return 0;
}

const char *instream_error(const struct instream *s) { return s->msg; }

const char *instream_name(const struct instream *s) { return s->name; }

void instream_close(struct instream *s) {
  if (!s) return;
  if (s->has_thread) {
    /* Deferred cancellation: open, read and write are cancellation points,
     * so a thread waiting for a FIFO's writer or the next line of a
     * terminal ends here; its cleanup closes its descriptors. */
    pthread_cancel(s->thread);
    pthread_join(s->thread, NULL);
  }
  if (s->own_fd && s->fd >= 0) close(s->fd);
  free(s->name);
  free(s->path);
  free(s);
}
