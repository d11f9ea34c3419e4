/* SPDX-License-Identifier: MIT */
/*
 * smtp_peer.h - test helpers shared by check_smtp.c and check_smtpsession.c:
 * loopback SMTP peers and a one-probe runner.
 *
 * Each peer is a forked child with plain sockets that plays one scenario
 * on each accepted connection and reports through its exit status what it
 * saw the probe do (0 = as expected).  Every run ends with uv_loop_close()
 * == 0: a leaked handle fails it.  127.0.0.1 / ::1 only.
 */
#ifndef PTRAUDIT_TESTS_SMTP_PEER_H
#define PTRAUDIT_TESTS_SMTP_PEER_H

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <uv.h>

#include "smtp.h"

/* ---- the peer (child side) ----------------------------------------------- */

typedef int (*peer_fn)(int fd);

static inline void msleep(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static inline uint64_t now_ms(void) { return uv_hrtime() / 1000000u; }

static inline void put(int fd, const char *s, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
    if (w <= 0) return; /* the probe is gone: fine for hostile peers */
    s += w;
    n -= (size_t)w;
  }
}
#define PUT(fd, lit) put((fd), (lit), sizeof(lit) - 1)

/* 1 if nothing arrives (and the connection stays open) for `ms`. */
static inline int silent_for(int fd, int ms) {
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, ms) == 0;
}

/* Read until `stop` appears in what was read (NULL: until EOF/error) or
 * `ms` pass.  Returns the byte count; buf is NUL-terminated. */
static inline size_t slurp(int fd, char *buf, size_t cap, const char *stop, int ms) {
  size_t n = 0;
  buf[0] = '\0';
  while (n + 1 < cap) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) break;
    ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
    if (r <= 0) break;
    n += (size_t)r;
    buf[n] = '\0';
    if (stop && strstr(buf, stop)) break;
  }
  return n;
}

/* Wait up to `ms` for the probe's FIN.  0 if it came as a clean EOF with
 * no error on the socket; 1 on timeout; 2 if the probe reset the
 * connection (ECONNRESET/EPIPE, or RST recorded after the FIN); 3 if more
 * bytes came. */
static inline int clean_eof(int fd, int ms) {
  char c;
  struct pollfd p = {fd, POLLIN, 0};
  if (poll(&p, 1, ms) <= 0) return 1;
  ssize_t r = recv(fd, &c, 1, 0);
  if (r > 0) return 3;
  if (r < 0) return 2;
  /* A RST that came after the FIN only shows as a pending socket error. */
  msleep(50);
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err == 0 ? 0 : 2;
}

/* The end of a normal session: exactly "QUIT\r\n", then the peer answers
 * 221 and the probe must shut down politely (FIN, not RST).  Exit status
 * 0 iff so; 10+ otherwise. */
static inline int expect_quit(int fd) {
  char buf[512];
  slurp(fd, buf, sizeof buf, "\r\n", 3000);
  if (strcmp(buf, "QUIT\r\n") != 0) return 10;
  PUT(fd, "221 2.0.0 Bye\r\n");
  int rc = clean_eof(fd, 3000);
  return rc == 0 ? 0 : 10 + rc;
}

static inline void rst_close(int fd) {
  struct linger l = {1, 0}; /* close() sends RST */
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

struct peer {
  pid_t pid;
  int port;
  int family;
};

/* A socket bound to 127.0.0.1 or ::1 on a free port; -1 if the address is
 * missing. */
static inline int listen_on(int family, int *port) {
  int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof ss);
  if (family == 6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_addr = in6addr_loopback;
    len = sizeof *s6;
  } else {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    s4->sin_family = AF_INET;
    s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *s4;
  }
  if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
    close(fd);
    return -1;
  }
  len = sizeof ss;
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
  *port = ntohs(family == 6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                            : ((struct sockaddr_in *)&ss)->sin_port);
  return fd;
}

/* Start a peer accepting `conns` connections, running fn on each. */
static inline void peer_start_n(struct peer *p, int family, peer_fn fn, int conns) {
  int lfd = listen_on(family, &p->port);
  ck_assert_int_ge(lfd, 0);
  ck_assert_int_eq(listen(lfd, 8), 0);
  p->family = family;
  p->pid = fork();
  ck_assert_int_ge(p->pid, 0);
  if (p->pid == 0) {
    int rc = 0;
    alarm(20); /* never outlive a broken test */
    for (int i = 0; i < conns; i++) {
      int c = accept(lfd, NULL, NULL);
      if (c < 0) _exit(90);
      rc |= fn(c);
      close(c);
    }
    _exit(rc); /* _exit: no sanitizer/atexit work in the child */
  }
  close(lfd);
}

static inline void peer_start(struct peer *p, peer_fn fn) { peer_start_n(p, 4, fn, 1); }

static inline int peer_wait(struct peer *p) {
  int status;
  ck_assert_int_eq(waitpid(p->pid, &status, 0), p->pid);
  if (WIFSIGNALED(status)) return 100 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

/* ---- the probe (test side) ------------------------------------------------ */

struct run {
  struct smtp_probe p;
  uv_loop_t loop;
  int calls, connected_calls;
  enum smtp_status st;
  uint64_t t0, t1, tconn; /* ns */
};

/* The one run of a test (static: zero-filled before its first start, as
 * smtp.h asks).  Released by the teardown fixture. */
static struct run R;

static inline void on_done(struct smtp_probe *p, enum smtp_status st, void *arg) {
  struct run *r = arg;
  ck_assert_ptr_eq(p, &r->p);
  r->calls++;
  r->st = st;
  r->t1 = uv_hrtime();
}

static inline void on_connected(struct smtp_probe *p, void *arg) {
  struct run *r = arg;
  ck_assert_ptr_eq(p, &r->p);
  ck_assert_int_eq(smtp_probe_was_connected(p), 1);
  r->connected_calls++;
  r->tconn = uv_hrtime();
}

static inline struct addr loopback(int family) {
  struct addr a;
  memset(&a, 0, sizeof a);
  a.family = (uint8_t)family;
  if (family == 4) {
    a.b[0] = 127;
    a.b[3] = 1;
  } else {
    a.b[15] = 1;
  }
  return a;
}

static inline unsigned elapsed_ms(const struct run *r) {
  return (unsigned)((r->t1 - r->t0) / 1000000u);
}

static inline struct smtp_timing timing(unsigned connect, unsigned greeting, unsigned ehlo,
                                        unsigned quit) {
  struct smtp_timing t = {connect, greeting, ehlo, quit};
  return t;
}

/* Start one probe of 127.0.0.1 (or ::1):port with timing t in R (the
 * previous run's buffers are released first).  The test may add its own
 * handles to R.loop before probe_end(). */
static inline void probe_begin(int family, int port, const struct smtp_timing *t,
                               const char *ehlo) {
  smtp_probe_release(&R.p);
  memset(&R, 0, sizeof R);
  ck_assert_int_eq(uv_loop_init(&R.loop), 0);
  struct addr a = loopback(family);
  R.t0 = uv_hrtime();
  ck_assert_int_eq(smtp_probe_start(&R.p, &R.loop, &a, port, t, ehlo, on_connected, on_done, &R),
                   0);
  ck_assert_int_eq(R.calls, 0); /* never from inside smtp_probe_start */
}

/* Run the loop to the end; asserts one callback, no handle left.  The
 * results stay in R until the next run. */
static inline struct run *probe_end(void) {
  uv_run(&R.loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(R.calls, 1);
  ck_assert_int_le(R.connected_calls, 1);
  ck_assert_int_eq(R.connected_calls, smtp_probe_was_connected(&R.p));
  ck_assert_int_eq(R.p.status, R.st);
  ck_assert_int_eq(uv_loop_close(&R.loop), 0);
  return &R;
}

static inline struct run *probe_timed(int family, int port, const struct smtp_timing *t,
                                      const char *ehlo) {
  probe_begin(family, port, t, ehlo);
  return probe_end();
}

/* The common case: every deadline `ms` (quit 1 s, so that a peer that
 * does not answer QUIT does not slow the suite down). */
static inline struct run *probe(int port, unsigned ms, const char *ehlo) {
  struct smtp_timing t = timing(ms, ms, ms, 1000);
  return probe_timed(4, port, &t, ehlo);
}

static inline void peer_setup(void) { signal(SIGPIPE, SIG_IGN); /* the caller's duty, smtp.h */ }
static inline void peer_teardown(void) { smtp_probe_release(&R.p); }

#endif
