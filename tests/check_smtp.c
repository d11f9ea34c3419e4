/*
 * check_smtp.c - the SMTP banner probe (src/smtp.h) against real loopback
 * TCP peers.  Each peer is a forked child with plain sockets that plays one
 * scenario on one accepted connection and reports through its exit status
 * what it saw the probe send (0 = as expected).  Every test ends with
 * uv_loop_close() == 0: a leaked handle fails it.  127.0.0.1 / ::1 only.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <uv.h>

#include "smtp.h"

/* ---- the peer (child side) ----------------------------------------------- */

typedef int (*peer_fn)(int fd);

static void msleep(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static void put(int fd, const char *s, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
    if (w <= 0) return; /* the probe is gone: fine for hostile peers */
    s += w;
    n -= (size_t)w;
  }
}
#define PUT(fd, lit) put((fd), (lit), sizeof(lit) - 1)

/* 1 if nothing arrives (and the connection stays open) for `ms`. */
static int silent_for(int fd, int ms) {
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, ms) == 0;
}

/* Read until `stop` appears in what was read (NULL: until EOF/error) or
 * `ms` pass.  Returns the byte count; buf is NUL-terminated. */
static size_t slurp(int fd, char *buf, size_t cap, const char *stop, int ms) {
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

/* Exit status 0 iff the rest of the conversation is exactly `want`
 * followed by the probe closing the connection. */
static int expect_rest(int fd, const char *want) {
  char buf[512];
  slurp(fd, buf, sizeof buf, NULL, 3000);
  return strcmp(buf, want) == 0 ? 0 : 10;
}

static void rst_close(int fd) {
  struct linger l = {1, 0}; /* close() sends RST */
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

struct peer {
  pid_t pid;
  int port;
  int family;
};

static int listen_on(int family, int *port) {
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
static void peer_start_n(struct peer *p, int family, peer_fn fn, int conns) {
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

static void peer_start(struct peer *p, peer_fn fn) { peer_start_n(p, 4, fn, 1); }

static int peer_wait(struct peer *p) {
  int status;
  ck_assert_int_eq(waitpid(p->pid, &status, 0), p->pid);
  if (WIFSIGNALED(status)) return 100 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

/* ---- the probe (test side) ------------------------------------------------ */

struct run {
  struct smtp_probe p; /* ~10 KiB: the runs are static */
  uv_loop_t loop;
  int calls;
  enum smtp_status st;
  uint64_t t0, t1;
};

static void on_done(struct smtp_probe *p, enum smtp_status st, void *arg) {
  struct run *r = arg;
  ck_assert_ptr_eq(p, &r->p);
  r->calls++;
  r->st = st;
  r->t1 = uv_hrtime();
}

static struct addr loopback(int family) {
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

static unsigned elapsed_ms(const struct run *r) { return (unsigned)((r->t1 - r->t0) / 1000000u); }

/* Probe 127.0.0.1 (or ::1):port once; asserts one callback, no handle left. */
static struct run *probe_family(int family, int port, unsigned timeout_ms, const char *ehlo) {
  static struct run r;
  memset(&r, 0, sizeof r);
  ck_assert_int_eq(uv_loop_init(&r.loop), 0);
  struct addr a = loopback(family);
  r.t0 = uv_hrtime();
  ck_assert_int_eq(smtp_probe_start(&r.p, &r.loop, &a, port, timeout_ms, ehlo, on_done, &r), 0);
  ck_assert_int_eq(r.calls, 0); /* never from inside smtp_probe_start */
  uv_run(&r.loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(r.calls, 1);
  ck_assert_int_eq(r.p.status, r.st);
  ck_assert_int_eq(uv_loop_close(&r.loop), 0);
  return &r;
}

static struct run *probe(int port, unsigned timeout_ms, const char *ehlo) {
  return probe_family(4, port, timeout_ms, ehlo);
}

static void setup(void) { signal(SIGPIPE, SIG_IGN); /* the caller's duty, smtp.h */ }

/* ---- scenarios -------------------------------------------------------------- */

static int peer_greeting_ok(int fd) {
  if (!silent_for(fd, 150)) return 1; /* the probe spoke first */
  PUT(fd, "220 Mail.Example.COM ESMTP ready\r\n");
  return expect_rest(fd, "QUIT\r\n");
}

START_TEST(greeting_ok) {
  struct peer pe;
  peer_start(&pe, peer_greeting_ok);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_int_eq(r->p.sys_err, 0);
  ck_assert_int_eq(r->p.uv_err, 0);
  ck_assert_int_eq(smtp_probe_backpressure(&r->p), 0);
  ck_assert_int_eq(smtp_probe_code(&r->p), 220);
  ck_assert_str_eq(smtp_probe_host(&r->p), "mail.example.com");
  ck_assert_str_eq(greeting_text(&r->p.g), "Mail.Example.COM ESMTP ready");
  char buf[64];
  size_t n = smtp_probe_text(&r->p, buf, sizeof buf);
  ck_assert_uint_eq(n, 28);
  ck_assert(memcmp(buf, "Mail.Example.COM ESMTP ready", n) == 0);
  ck_assert_uint_eq(smtp_probe_text(&r->p, buf, 4), 4);
  ck_assert_str_eq(smtp_probe_ehlo_host(&r->p), "");
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

static int peer_multiline(int fd) {
  PUT(fd, "220-mx.example.net ESMTP\r\n");
  if (!silent_for(fd, 200)) return 1; /* nothing before the final line */
  PUT(fd, "220-more text\r\n");
  if (!silent_for(fd, 100)) return 2;
  PUT(fd, "220 end\r\n");
  return expect_rest(fd, "QUIT\r\n");
}

START_TEST(multiline) {
  struct peer pe;
  peer_start(&pe, peer_multiline);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_str_eq(greeting_text(&r->p.g), "mx.example.net ESMTP | more text | end");
  ck_assert_str_eq(smtp_probe_host(&r->p), "mx.example.net");
  ck_assert_uint_eq(greeting_lines(&r->p.g), 3);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

START_TEST(refused) {
  /* A bound socket that does not listen: the port is ours, and a SYN to
   * it is answered with RST. */
  int port;
  int fd = listen_on(4, &port);
  ck_assert_int_ge(fd, 0);
  struct run *r = probe(port, 3000, NULL);
  close(fd);
  ck_assert_int_eq(r->st, SMTP_REFUSED);
  ck_assert_int_eq(r->p.uv_err, UV_ECONNREFUSED);
  ck_assert_int_eq(r->p.sys_err, 0);
  ck_assert_int_eq(smtp_probe_code(&r->p), 0);
  ck_assert_str_eq(greeting_text(&r->p.g), "");
}
END_TEST

/* Accept, say nothing; the probe must not speak either. */
static int peer_silent(int fd) {
  char buf[64];
  return slurp(fd, buf, sizeof buf, NULL, 3000) == 0 ? 0 : 1;
}

START_TEST(silence_timeout) {
  struct peer pe;
  peer_start(&pe, peer_silent);
  struct run *r = probe(pe.port, 300, NULL);
  ck_assert_int_eq(r->st, SMTP_TIMEOUT);
  ck_assert_int_eq(r->p.uv_err, UV_ETIMEDOUT);
  ck_assert_uint_ge(elapsed_ms(r), 250);
  ck_assert_uint_le(elapsed_ms(r), 1500);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

static int peer_close_now(int fd) { return 0; }

static int peer_close_partial(int fd) {
  PUT(fd, "220-Partial.example.org wel");
  msleep(50);
  return 0;
}

START_TEST(closed_before_greeting) {
  struct peer pe;
  peer_start(&pe, peer_close_now);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_CLOSED);
  ck_assert_int_eq(r->p.uv_err, UV_EOF);
  ck_assert_str_eq(greeting_text(&r->p.g), "");
  ck_assert_int_eq(peer_wait(&pe), 0);

  peer_start(&pe, peer_close_partial);
  r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_CLOSED);
  ck_assert_int_eq(smtp_probe_code(&r->p), 220);
  ck_assert_str_eq(greeting_text(&r->p.g), "Partial.example.org wel"); /* kept */
  ck_assert_str_eq(smtp_probe_host(&r->p), "partial.example.org");
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

static int peer_rst_now(int fd) {
  rst_close(fd);
  return 0;
}

static int peer_rst_partial(int fd) {
  msleep(100); /* let the probe finish connecting */
  PUT(fd, "220-half");
  msleep(100);
  rst_close(fd);
  return 0;
}

START_TEST(reset) {
  struct peer pe;
  peer_start(&pe, peer_rst_now);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_RESET);
  ck_assert_int_eq(r->p.uv_err, UV_ECONNRESET);
  ck_assert_int_eq(peer_wait(&pe), 0);

  peer_start(&pe, peer_rst_partial);
  r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_RESET);
  ck_assert_str_eq(greeting_text(&r->p.g), "half");
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* RST right after the final line: the banner stands. */
static int peer_rst_after(int fd) {
  msleep(100);
  PUT(fd, "220 rst.example.com hi\r\n");
  rst_close(fd);
  return 0;
}

START_TEST(reset_after_greeting) {
  struct peer pe;
  peer_start(&pe, peer_rst_after);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_int_eq(r->p.uv_err, 0);
  ck_assert_str_eq(smtp_probe_host(&r->p), "rst.example.com");
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* One byte per 100 ms: the 500 ms deadline covers the whole greeting. */
static int peer_drip(int fd) {
  static const char g[] = "slow.example.com ESMTP\r\n";
  PUT(fd, "220 ");
  for (size_t i = 0; i < sizeof g - 1; i++) {
    msleep(100);
    if (send(fd, g + i, 1, MSG_NOSIGNAL) != 1) break;
  }
  return 0;
}

START_TEST(drip_timeout) {
  struct peer pe;
  peer_start(&pe, peer_drip);
  struct run *r = probe(pe.port, 500, NULL);
  ck_assert_int_eq(r->st, SMTP_TIMEOUT);
  ck_assert_uint_ge(elapsed_ms(r), 450);
  ck_assert_uint_le(elapsed_ms(r), 1500);
  ck_assert_int_eq(smtp_probe_code(&r->p), 220);
  const char *t = greeting_text(&r->p.g);
  size_t n = strlen(t);
  ck_assert_uint_ge(n, 1); /* the partial text is kept */
  ck_assert_uint_le(n, 6);
  ck_assert(strncmp(t, "slow.example.com", n) == 0);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* Sends the greeting, then never reads (and keeps the connection open
 * well past the probe's end). */
static int peer_deaf(int fd) {
  PUT(fd, "220 deaf.example.com\r\n");
  msleep(1500);
  return 0;
}

START_TEST(peer_never_reads) {
  struct peer pe;
  peer_start(&pe, peer_deaf);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_uint_le(elapsed_ms(r), 1300); /* at most the QUIT grace */
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

static int peer_many_lines(int fd) {
  char line[32];
  for (int i = 0; i < 1000; i++) {
    int n = snprintf(line, sizeof line, "220-line %d\r\n", i);
    put(fd, line, (size_t)n);
  }
  PUT(fd, "220 end\r\n");
  return 0;
}

START_TEST(too_many_lines) {
  struct peer pe;
  peer_start(&pe, peer_many_lines);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_ERROR);
  ck_assert_int_eq(r->p.uv_err, UV_E2BIG);
  ck_assert_int_eq(r->p.sys_err, 0);
  ck_assert_int_eq(greeting_status(&r->p.g), GREETING_OVERFLOW);
  ck_assert_uint_eq(greeting_lines(&r->p.g), GREETING_MAX_LINES);
  ck_assert_int_eq(smtp_probe_code(&r->p), 220);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

static int peer_no_newline(int fd) {
  static char big[64 * 1024];
  memcpy(big, "220 ", 4);
  memset(big + 4, 'x', sizeof big - 4);
  put(fd, big, sizeof big);
  return 0;
}

START_TEST(long_line) {
  struct peer pe;
  peer_start(&pe, peer_no_newline);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_ERROR);
  ck_assert_int_eq(r->p.uv_err, UV_E2BIG);
  ck_assert_uint_eq(greeting_text_len(&r->p.g), GREETING_MAX_BYTES - 4); /* the prefix */
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

static int peer_ssh(int fd) {
  PUT(fd, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
  char buf[64];
  return slurp(fd, buf, sizeof buf, NULL, 3000) == 0 ? 0 : 1; /* we say nothing */
}

START_TEST(malformed) {
  struct peer pe;
  peer_start(&pe, peer_ssh);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_ERROR);
  ck_assert_int_eq(r->p.uv_err, UV_EPROTO);
  ck_assert_int_eq(smtp_probe_code(&r->p), 0);
  ck_assert(strncmp(greeting_text(&r->p.g), "SSH-2.0-", 8) == 0);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* 554: QUIT only, even when EHLO was asked for (RFC 5321 3.1). */
static int peer_554(int fd) {
  PUT(fd, "554 5.7.1 no service\r\n");
  return expect_rest(fd, "QUIT\r\n");
}

START_TEST(reject_554) {
  struct peer pe;
  peer_start(&pe, peer_554);
  struct run *r = probe(pe.port, 3000, "probe.example.org");
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_int_eq(smtp_probe_code(&r->p), 554);
  ck_assert_str_eq(smtp_probe_ehlo_host(&r->p), "");
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

static int peer_ehlo(int fd) {
  char buf[256];
  if (!silent_for(fd, 100)) return 1;
  PUT(fd, "220 mx.example.net ESMTP\r\n");
  slurp(fd, buf, sizeof buf, "\r\n", 3000);
  if (strcmp(buf, "EHLO probe.example.org\r\n") != 0) return 2;
  PUT(fd, "250-MX.Example.NET Hello probe\r\n250-PIPELINING\r\n");
  msleep(50);
  PUT(fd, "250 8BITMIME\r\n");
  return expect_rest(fd, "QUIT\r\n") ? 3 : 0;
}

START_TEST(ehlo) {
  struct peer pe;
  peer_start(&pe, peer_ehlo);
  struct run *r = probe(pe.port, 3000, "probe.example.org");
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_str_eq(smtp_probe_host(&r->p), "mx.example.net");
  ck_assert_str_eq(smtp_probe_ehlo_host(&r->p), "mx.example.net");
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* No EHLO reply: QUIT after the EHLO deadline, banner kept. */
static int peer_ehlo_silent(int fd) {
  char buf[256];
  PUT(fd, "220 quiet.example.net\r\n");
  slurp(fd, buf, sizeof buf, "\r\n", 3000);
  if (strcmp(buf, "EHLO probe.example.org\r\n") != 0) return 2;
  return expect_rest(fd, "QUIT\r\n") ? 3 : 0;
}

START_TEST(ehlo_unanswered) {
  struct peer pe;
  peer_start(&pe, peer_ehlo_silent);
  struct run *r = probe(pe.port, 300, "probe.example.org");
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_str_eq(smtp_probe_ehlo_host(&r->p), "");
  ck_assert_uint_ge(elapsed_ms(r), 250);
  ck_assert_uint_le(elapsed_ms(r), 2000);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

START_TEST(ipv6_loopback) {
  int port;
  int fd = listen_on(6, &port);
  if (fd < 0) return; /* no ::1 here: nothing to test */
  close(fd);
  struct peer pe;
  peer_start_n(&pe, 6, peer_greeting_ok, 1);
  struct run *r = probe_family(6, pe.port, 3000, NULL);
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_str_eq(smtp_probe_host(&r->p), "mail.example.com");
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* The callback may start the same struct again. */
static struct {
  struct smtp_probe p;
  uv_loop_t loop;
  int calls, port2;
  enum smtp_status st[2];
} reuse;

static void on_reuse(struct smtp_probe *p, enum smtp_status st, void *arg) {
  ck_assert_int_lt(reuse.calls, 2);
  reuse.st[reuse.calls++] = st;
  if (reuse.calls == 1) {
    struct addr a = loopback(4);
    ck_assert_int_eq(smtp_probe_start(p, &reuse.loop, &a, reuse.port2, 3000, NULL, on_reuse, arg),
                     0);
  }
}

START_TEST(reuse_in_callback) {
  int port1;
  int fd = listen_on(4, &port1); /* refused */
  struct peer pe;
  peer_start(&pe, peer_greeting_ok);
  memset(&reuse, 0, sizeof reuse);
  reuse.port2 = pe.port;
  ck_assert_int_eq(uv_loop_init(&reuse.loop), 0);
  struct addr a = loopback(4);
  ck_assert_int_eq(smtp_probe_start(&reuse.p, &reuse.loop, &a, port1, 3000, NULL, on_reuse, NULL),
                   0);
  uv_run(&reuse.loop, UV_RUN_DEFAULT);
  close(fd);
  ck_assert_int_eq(reuse.calls, 2);
  ck_assert_int_eq(reuse.st[0], SMTP_REFUSED);
  ck_assert_int_eq(reuse.st[1], SMTP_BANNER);
  ck_assert_str_eq(smtp_probe_host(&reuse.p), "mail.example.com");
  ck_assert_int_eq(uv_loop_close(&reuse.loop), 0);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* Out of descriptors: reported as back-pressure through the callback,
 * never as a result, and nothing leaks. */
START_TEST(backpressure_emfile) {
  static struct run r;
  struct rlimit old, low;
  int fds[256], nfd = 0;
  memset(&r, 0, sizeof r);
  ck_assert_int_eq(uv_loop_init(&r.loop), 0);
  ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
  low = old;
  low.rlim_cur = 64;
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
  int base = open("/dev/null", O_RDONLY);
  ck_assert_int_ge(base, 0);
  for (;;) {
    int fd = dup(base);
    if (fd < 0) break;
    ck_assert_int_lt(nfd, 256);
    fds[nfd++] = fd;
  }
  ck_assert_int_eq(errno, EMFILE);
  struct addr a = loopback(4);
  ck_assert_int_eq(smtp_probe_start(&r.p, &r.loop, &a, 25, 1000, NULL, on_done, &r), 0);
  ck_assert_int_eq(r.calls, 0);
  uv_run(&r.loop, UV_RUN_DEFAULT);
  while (nfd > 0) close(fds[--nfd]);
  close(base);
  setrlimit(RLIMIT_NOFILE, &old);
  ck_assert_int_eq(r.calls, 1);
  ck_assert_int_eq(smtp_probe_backpressure(&r.p), 1);
  ck_assert_int_eq(r.p.sys_err, UV_EMFILE);
  ck_assert_int_eq(r.st, SMTP_ERROR);
  ck_assert_int_eq(uv_loop_close(&r.loop), 0);
}
END_TEST

START_TEST(bad_arguments) {
  static struct smtp_probe p;
  uv_loop_t loop;
  ck_assert_int_eq(uv_loop_init(&loop), 0);
  struct addr a = loopback(4), bad;
  memset(&bad, 0, sizeof bad);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 0, 1000, NULL, on_done, NULL), UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 65536, 1000, NULL, on_done, NULL), UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, 0, NULL, on_done, NULL), UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &bad, 25, 1000, NULL, on_done, NULL), UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, 1000, NULL, NULL, NULL), UV_EINVAL);
  /* EHLO argument injection */
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, 1000, "a.example\r\nMAIL FROM:<>", on_done,
                                    NULL),
                   UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, 1000, "a b", on_done, NULL), UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, 1000, "", on_done, NULL), UV_EINVAL);
  uv_run(&loop, UV_RUN_DEFAULT); /* nothing was opened, nothing runs */
  ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

Suite *smtp_suite(void) {
  Suite *s = suite_create("smtp");
  TCase *tc = tcase_create("probe");
  tcase_add_checked_fixture(tc, setup, NULL);
  tcase_set_timeout(tc, 15);
  tcase_add_test(tc, greeting_ok);
  tcase_add_test(tc, multiline);
  tcase_add_test(tc, refused);
  tcase_add_test(tc, silence_timeout);
  tcase_add_test(tc, closed_before_greeting);
  tcase_add_test(tc, reset);
  tcase_add_test(tc, reset_after_greeting);
  tcase_add_test(tc, drip_timeout);
  tcase_add_test(tc, peer_never_reads);
  tcase_add_test(tc, too_many_lines);
  tcase_add_test(tc, long_line);
  tcase_add_test(tc, malformed);
  tcase_add_test(tc, reject_554);
  tcase_add_test(tc, ehlo);
  tcase_add_test(tc, ehlo_unanswered);
  tcase_add_test(tc, ipv6_loopback);
  tcase_add_test(tc, reuse_in_callback);
  tcase_add_test(tc, backpressure_emfile);
  tcase_add_test(tc, bad_arguments);
  suite_add_tcase(s, tc);
  return s;
}
