/* SPDX-License-Identifier: MIT */
/*
 * check_smtp.c - the SMTP banner probe (src/net/smtp.h) against real
 * loopback TCP peers: what the greeting says and how it ends.  Deadlines,
 * the polite close and memory are in check_smtpsession.c; the peers and
 * the runner are in smtp_peer.h.  127.0.0.1 / ::1 only.
 */
#include <fcntl.h>
#include <sys/resource.h>

#include "smtp_peer.h"

/* ---- scenarios -------------------------------------------------------------- */

static int peer_greeting_ok(int fd) {
  if (!silent_for(fd, 150)) return 1; /* the probe spoke first */
  PUT(fd, "220 Mail.Example.COM ESMTP ready\r\n");
  return expect_quit(fd);
}

START_TEST(greeting_ok) {
  struct peer pe;
  peer_start(&pe, peer_greeting_ok);
  struct run *r = probe(pe.port, 3000, NULL);
  ck_assert_int_eq(smtp_probe_was_connected(&r->p), 1);
  ck_assert_uint_ge(smtp_probe_greeting_ms(&r->p), 150); /* the peer waited 150 ms */
  ck_assert_uint_le(smtp_probe_greeting_ms(&r->p), elapsed_ms(r) + 1);
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
  /* release: the buffers go, the results read as empty */
  ck_assert_uint_gt(smtp_probe_heap_bytes(&r->p), 0);
  smtp_probe_release(&r->p);
  ck_assert_uint_eq(smtp_probe_heap_bytes(&r->p), 0);
  ck_assert_int_eq(smtp_probe_code(&r->p), 0);
  ck_assert_str_eq(smtp_probe_host(&r->p), "");
  ck_assert_uint_eq(smtp_probe_text(&r->p, buf, sizeof buf), 0);
  smtp_probe_release(&r->p); /* idempotent */
}
END_TEST

static int peer_multiline(int fd) {
  PUT(fd, "220-mx.example.net ESMTP\r\n");
  if (!silent_for(fd, 200)) return 1; /* nothing before the final line */
  PUT(fd, "220-more text\r\n");
  if (!silent_for(fd, 100)) return 2;
  PUT(fd, "220 end\r\n");
  return expect_quit(fd);
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
  ck_assert_int_eq(smtp_probe_was_connected(&r->p), 0);
  ck_assert_uint_eq(smtp_probe_heap_bytes(&r->p), 0);
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
  ck_assert_int_eq(r->p.uv_err, SMTP_ERR_GREETING_TIMEOUT); /* connected, then silence */
  ck_assert_int_eq(smtp_probe_was_connected(&r->p), 1);
  ck_assert_uint_eq(smtp_probe_greeting_ms(&r->p), 0);
  ck_assert_uint_eq(smtp_probe_heap_bytes(&r->p), 0); /* nothing came: no buffer */
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
  ck_assert_int_eq(smtp_probe_code(&r->p), 0); /* no complete greeting: no code */
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
  ck_assert_int_eq(r->p.uv_err, SMTP_ERR_GREETING_TIMEOUT);
  ck_assert_uint_ge(elapsed_ms(r), 450);
  ck_assert_uint_le(elapsed_ms(r), 1500);
  ck_assert_int_eq(smtp_probe_code(&r->p), 0); /* "220 " without its line end */
  ck_assert_uint_eq(smtp_probe_greeting_ms(&r->p), 0);
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
  struct smtp_timing t = timing(3000, 3000, 3000, 400);
  struct run *r = probe_timed(4, pe.port, &t, NULL);
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_uint_ge(elapsed_ms(r), 350);  /* it waited for a 221... */
  ck_assert_uint_le(elapsed_ms(r), 1000); /* ...at most quit_ms */
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
  ck_assert_int_eq(smtp_probe_code(&r->p), 0); /* never completed */
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
  return expect_quit(fd);
}

START_TEST(reject_554) {
  struct peer pe;
  peer_start(&pe, peer_554);
  struct run *r = probe(pe.port, 3000, "probe.example.org");
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_int_eq(smtp_probe_code(&r->p), 554);
  ck_assert_str_eq(smtp_probe_host(&r->p), "no"); /* past the enhanced code 5.7.1 */
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
  return expect_quit(fd) ? 3 : 0;
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
  return expect_quit(fd) ? 3 : 0;
}

START_TEST(ehlo_unanswered) {
  struct peer pe;
  peer_start(&pe, peer_ehlo_silent);
  struct smtp_timing t = timing(3000, 3000, 300, 1000);
  struct run *r = probe_timed(4, pe.port, &t, "probe.example.org");
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
  /* A test that cannot run fails: no ::1 here means IPv6 goes untested. */
  if (fd < 0) ck_abort_msg("::1 is not available: cannot test the IPv6 probe");
  close(fd);
  struct peer pe;
  peer_start_n(&pe, 6, peer_greeting_ok, 1);
  struct smtp_timing t = timing(3000, 3000, 3000, 1000);
  struct run *r = probe_timed(6, pe.port, &t, NULL);
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
    ck_assert_int_eq(smtp_probe_start(p, &reuse.loop, &a, reuse.port2, NULL, NULL, NULL, on_reuse,
                                      arg),
                     0);
  }
}

START_TEST(reuse_in_callback) {
  int port1 = 0;
  int fd = listen_on(4, &port1); /* refused */
  struct peer pe;
  peer_start(&pe, peer_greeting_ok);
  memset(&reuse, 0, sizeof reuse);
  reuse.port2 = pe.port;
  ck_assert_int_eq(uv_loop_init(&reuse.loop), 0);
  struct addr a = loopback(4);
  ck_assert_int_eq(
      smtp_probe_start(&reuse.p, &reuse.loop, &a, port1, NULL, NULL, NULL, on_reuse, NULL), 0);
  uv_run(&reuse.loop, UV_RUN_DEFAULT);
  close(fd);
  ck_assert_int_eq(reuse.calls, 2);
  ck_assert_int_eq(reuse.st[0], SMTP_REFUSED);
  ck_assert_int_eq(reuse.st[1], SMTP_BANNER);
  ck_assert_str_eq(smtp_probe_host(&reuse.p), "mail.example.com");
  ck_assert_int_eq(uv_loop_close(&reuse.loop), 0);
  ck_assert_int_eq(peer_wait(&pe), 0);
  smtp_probe_release(&reuse.p);
}
END_TEST

/* Out of descriptors: reported as back-pressure through the callback,
 * never as a result, and nothing leaks. */
START_TEST(backpressure_emfile) {
  struct rlimit old, low;
  int fds[256], nfd = 0;
  smtp_probe_release(&R.p);
  memset(&R, 0, sizeof R);
  ck_assert_int_eq(uv_loop_init(&R.loop), 0);
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
  ck_assert_int_eq(smtp_probe_start(&R.p, &R.loop, &a, 25, NULL, NULL, NULL, on_done, &R), 0);
  ck_assert_int_eq(R.calls, 0);
  uv_run(&R.loop, UV_RUN_DEFAULT);
  while (nfd > 0) close(fds[--nfd]);
  close(base);
  setrlimit(RLIMIT_NOFILE, &old);
  ck_assert_int_eq(R.calls, 1);
  ck_assert_int_eq(smtp_probe_backpressure(&R.p), 1);
  ck_assert_int_eq(R.p.sys_err, UV_EMFILE);
  ck_assert_int_eq(R.st, SMTP_ERROR);
  ck_assert_int_eq(uv_loop_close(&R.loop), 0);
}
END_TEST

START_TEST(bad_arguments) {
  static struct smtp_probe p;
  uv_loop_t loop;
  ck_assert_int_eq(uv_loop_init(&loop), 0);
  struct addr a = loopback(4), bad;
  memset(&bad, 0, sizeof bad);
  struct smtp_timing ok = timing(1000, 1000, 1000, 1000), t;
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 0, &ok, NULL, NULL, on_done, NULL), UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 65536, &ok, NULL, NULL, on_done, NULL),
                   UV_EINVAL);
  for (int i = 0; i < 4; i++) { /* every deadline must be > 0 */
    t = ok;
    unsigned *f[] = {&t.connect_ms, &t.greeting_ms, &t.ehlo_ms, &t.quit_ms};
    *f[i] = 0;
    ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, &t, NULL, NULL, on_done, NULL), UV_EINVAL);
  }
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &bad, 25, &ok, NULL, NULL, on_done, NULL),
                   UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, &ok, NULL, NULL, NULL, NULL), UV_EINVAL);
  /* EHLO argument injection */
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, &ok, "a.example\r\nMAIL FROM:<>", NULL,
                                    on_done, NULL),
                   UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, &ok, "a b", NULL, on_done, NULL), UV_EINVAL);
  ck_assert_int_eq(smtp_probe_start(&p, &loop, &a, 25, &ok, "", NULL, on_done, NULL), UV_EINVAL);
  uv_run(&loop, UV_RUN_DEFAULT); /* nothing was opened, nothing runs */
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  /* the defaults */
  smtp_timing_defaults(&t);
  ck_assert_uint_eq(t.connect_ms, 5000);
  ck_assert_uint_eq(t.greeting_ms, 30000);
  ck_assert_uint_eq(t.ehlo_ms, 10000);
  ck_assert_uint_eq(t.quit_ms, 2000);
}
END_TEST

Suite *smtp_suite(void) {
  Suite *s = suite_create("smtp");
  TCase *tc = tcase_create("probe");
  tcase_add_checked_fixture(tc, peer_setup, peer_teardown);
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
