/* SPDX-License-Identifier: MIT */
/*
 * check_smtpsession.c - the SMTP probe's session rules (src/net/smtp.h)
 * against real loopback sockets: the separate deadlines (connect, greeting
 * from connect start, EHLO, QUIT), the polite close (FIN, not RST), and
 * what a waiting probe costs in memory.  Peers and runner: smtp_peer.h.
 *
 * Dropped SYNs are emulated without a firewall: Linux drops a SYN to a
 * listener whose accept queue is full, so a listener with backlog 0 and
 * one unaccepted connection behaves like a filtered address until a slot
 * frees up (the client then gets in with its SYN retransmission, about
 * 1 s after the first SYN).
 */
#include <fcntl.h>

#include "smtp_peer.h"

/* ---- a listener that drops SYNs ------------------------------------------ */

struct full {
  int lfd, port, filler;
};

/* Returns 1 if a non-blocking connect to f's port completes within ms. */
static int connect_completes(const struct full *f, int ms) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((uint16_t)f->port);
  int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ck_assert_int_ge(c, 0);
  int r = connect(c, (struct sockaddr *)&a, sizeof a);
  struct pollfd p = {c, POLLOUT, 0};
  int done = r == 0 || poll(&p, 1, ms) == 1;
  close(c);
  return done;
}

/* A listener with its accept queue full: the probe's SYN is dropped.  The
 * test checks that premise, and fails if it does not hold. */
static void full_open(struct full *f) {
  f->lfd = listen_on(4, &f->port);
  ck_assert_int_ge(f->lfd, 0);
  ck_assert_int_eq(listen(f->lfd, 0), 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((uint16_t)f->port);
  f->filler = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_eq(connect(f->filler, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_msg(!connect_completes(f, 200), "a full accept queue did not drop the SYN");
}

static void full_close(struct full *f) {
  close(f->filler);
  close(f->lfd);
}

/* ---- deadlines ------------------------------------------------------------- */

/* SYNs dropped: the connect deadline is min(connect_ms, greeting_ms). */
START_TEST(connect_deadline) {
  struct full f;
  full_open(&f);
  struct smtp_timing t = timing(300, 5000, 5000, 5000);
  struct run *r = probe_timed(4, f.port, &t, NULL);
  ck_assert_int_eq(r->st, SMTP_TIMEOUT);
  ck_assert_int_eq(r->p.uv_err, SMTP_ERR_CONNECT_TIMEOUT);
  ck_assert_int_eq(smtp_probe_was_connected(&r->p), 0);
  ck_assert_int_eq(r->connected_calls, 0);
  ck_assert_uint_ge(elapsed_ms(r), 280);
  ck_assert_uint_le(elapsed_ms(r), 900); /* not greeting_ms */

  t = timing(5000, 300, 5000, 5000); /* the greeting deadline caps the connect */
  r = probe_timed(4, f.port, &t, NULL);
  ck_assert_int_eq(r->st, SMTP_TIMEOUT);
  ck_assert_int_eq(r->p.uv_err, SMTP_ERR_CONNECT_TIMEOUT);
  ck_assert_uint_ge(elapsed_ms(r), 280);
  ck_assert_uint_le(elapsed_ms(r), 900);
  full_close(&f);
}
END_TEST

static void accept_one(uv_timer_t *t) {
  struct full *f = t->data;
  int c = accept(f->lfd, NULL, NULL); /* the filler: frees the queue slot */
  ck_assert_int_ge(c, 0);
  close(c);
  uv_close((uv_handle_t *)t, NULL);
}

/* The connect completes late (the first SYN was dropped, the retransmission
 * ~1 s later gets in); then silence.  The greeting deadline counts from
 * the start of the connect, not from its completion. */
START_TEST(greeting_deadline_from_connect_start) {
  struct full f;
  full_open(&f);
  uv_timer_t acc;
  struct smtp_timing t = timing(3000, 1600, 5000, 5000);
  probe_begin(4, f.port, &t, NULL);
  ck_assert_int_eq(uv_timer_init(&R.loop, &acc), 0);
  acc.data = &f;
  ck_assert_int_eq(uv_timer_start(&acc, accept_one, 200, 0), 0);
  struct run *r = probe_end();
  ck_assert_int_eq(r->st, SMTP_TIMEOUT);
  ck_assert_int_eq(r->p.uv_err, SMTP_ERR_GREETING_TIMEOUT);
  ck_assert_int_eq(r->connected_calls, 1);
  unsigned conn_ms = (unsigned)((r->tconn - r->t0) / 1000000u);
  ck_assert_uint_ge(conn_ms, 700); /* the connect itself took a while */
  ck_assert_uint_lt(conn_ms, 1600);
  ck_assert_uint_ge(elapsed_ms(r), 1550);
  ck_assert_uint_le(elapsed_ms(r), 1600 + 400); /* not conn_ms + 1600 */
  full_close(&f);
}
END_TEST

/* An MTA that delays its greeting on purpose (postscreen, Exim's delay):
 * connected at once, 220 after 800 ms, well past connect_ms.  The connect
 * deadline ends with the connect; the greeting gets greeting_ms. */
static int peer_delayed(int fd) {
  if (!silent_for(fd, 800)) return 1;
  PUT(fd, "220 slow.example.net ESMTP\r\n");
  return expect_quit(fd);
}

START_TEST(delayed_greeting) {
  struct peer pe;
  peer_start(&pe, peer_delayed);
  struct smtp_timing t = timing(300, 3000, 3000, 3000);
  struct run *r = probe_timed(4, pe.port, &t, NULL);
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_int_eq(smtp_probe_code(&r->p), 220);
  ck_assert_str_eq(smtp_probe_host(&r->p), "slow.example.net");
  ck_assert_uint_ge(smtp_probe_greeting_ms(&r->p), 780);
  ck_assert_uint_le(smtp_probe_greeting_ms(&r->p), 1500);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* After EHLO the peer drips "250-xxx..." one byte per 100 ms and never
 * ends the line.  QUIT must come ehlo_ms after EHLO regardless. */
static int peer_ehlo_drip(int fd) {
  char buf[256];
  PUT(fd, "220 drip.example.net ESMTP\r\n");
  slurp(fd, buf, sizeof buf, "\r\n", 3000);
  if (strcmp(buf, "EHLO probe.example.org\r\n") != 0) return 2;
  uint64_t t0 = now_ms();
  PUT(fd, "250-");
  for (int i = 0; i < 40 && silent_for(fd, 100); i++) PUT(fd, "x");
  uint64_t d = now_ms() - t0;
  slurp(fd, buf, sizeof buf, "\r\n", 500);
  if (strcmp(buf, "QUIT\r\n") != 0) return 3;
  if (d < 350 || d > 900) return 4; /* ehlo_ms is 400 */
  return 0;
}

START_TEST(ehlo_deadline_drip) {
  struct peer pe;
  peer_start(&pe, peer_ehlo_drip);
  struct smtp_timing t = timing(3000, 3000, 400, 300);
  struct run *r = probe_timed(4, pe.port, &t, "probe.example.org");
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_str_eq(smtp_probe_host(&r->p), "drip.example.net");
  ck_assert_str_eq(smtp_probe_ehlo_host(&r->p), ""); /* the reply never ended */
  ck_assert_uint_le(elapsed_ms(r), 400 + 300 + 500);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* ---- the close ------------------------------------------------------------ */

/* A normal session: 220, QUIT, 221.  The peer must see the probe's FIN
 * (clean EOF, no RST) while it still holds its own side open, and the
 * probe must close on the peer's FIN, well before quit_ms. */
static int peer_polite(int fd) {
  char buf[64];
  PUT(fd, "220 polite.example.net ESMTP\r\n");
  slurp(fd, buf, sizeof buf, "\r\n", 3000);
  if (strcmp(buf, "QUIT\r\n") != 0) return 1;
  PUT(fd, "221 2.0.0 Bye\r\n");
  int rc = clean_eof(fd, 3000);
  if (rc != 0) return 10 + rc; /* 12: the probe reset the connection */
  msleep(200); /* the probe must wait for our FIN, not close on its own */
  return 0;    /* our FIN: peer_start_n closes fd */
}

START_TEST(polite_close) {
  struct peer pe;
  peer_start(&pe, peer_polite);
  struct smtp_timing t = timing(3000, 3000, 3000, 3000);
  struct run *r = probe_timed(4, pe.port, &t, NULL);
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_int_eq(peer_wait(&pe), 0);
  ck_assert_uint_ge(elapsed_ms(r), 200);  /* it waited for our FIN */
  ck_assert_uint_le(elapsed_ms(r), 1500); /* and closed on it, not at quit_ms */
}
END_TEST

/* QUIT is never answered and the peer keeps the connection open: the
 * probe leaves after quit_ms, still with a FIN (nothing unread). */
static int peer_quit_unanswered(int fd) {
  char buf[64];
  PUT(fd, "220 mute.example.net\r\n");
  slurp(fd, buf, sizeof buf, "\r\n", 3000);
  if (strcmp(buf, "QUIT\r\n") != 0) return 1;
  uint64_t t0 = now_ms();
  int rc = clean_eof(fd, 4000);
  if (rc != 0) return 10 + rc;
  uint64_t d = now_ms() - t0;
  return d >= 250 && d <= 1000 ? 0 : 20; /* quit_ms is 300 */
}

START_TEST(quit_unanswered) {
  struct peer pe;
  peer_start(&pe, peer_quit_unanswered);
  struct smtp_timing t = timing(3000, 3000, 3000, 300);
  struct run *r = probe_timed(4, pe.port, &t, NULL);
  ck_assert_int_eq(r->st, SMTP_BANNER);
  ck_assert_uint_ge(elapsed_ms(r), 280);
  ck_assert_uint_le(elapsed_ms(r), 1000);
  ck_assert_int_eq(peer_wait(&pe), 0);
}
END_TEST

/* ---- memory ---------------------------------------------------------------- */

#define NWAIT 64

static struct {
  struct smtp_probe p[NWAIT];
  int connected, done, timeouts;
  size_t heap_while_waiting;
} W;

static void w_connected(struct smtp_probe *p, void *arg) { W.connected++; }

static void w_done(struct smtp_probe *p, enum smtp_status st, void *arg) {
  W.done++;
  if (st == SMTP_TIMEOUT && p->uv_err == SMTP_ERR_GREETING_TIMEOUT) W.timeouts++;
}

static void w_check(uv_timer_t *t) {
  for (int i = 0; i < NWAIT; i++) W.heap_while_waiting += smtp_probe_heap_bytes(&W.p[i]);
  uv_close((uv_handle_t *)t, NULL);
}

/* 64 probes connected to a server that has not said anything yet (a
 * listener that never accepts: the kernel completes the handshakes) hold
 * no heap at all; the struct itself stays small. */
START_TEST(waiting_probes_hold_no_buffer) {
  ck_assert_uint_le(sizeof(struct smtp_probe), 1024);
  int port;
  int lfd = listen_on(4, &port);
  ck_assert_int_ge(lfd, 0);
  ck_assert_int_eq(listen(lfd, 128), 0);
  uv_loop_t loop;
  uv_timer_t check;
  ck_assert_int_eq(uv_loop_init(&loop), 0);
  memset(&W, 0, sizeof W);
  struct smtp_timing t = timing(3000, 600, 3000, 3000);
  struct addr a = loopback(4);
  for (int i = 0; i < NWAIT; i++)
    ck_assert_int_eq(
        smtp_probe_start(&W.p[i], &loop, &a, port, &t, NULL, w_connected, w_done, NULL), 0);
  ck_assert_int_eq(uv_timer_init(&loop, &check), 0);
  ck_assert_int_eq(uv_timer_start(&check, w_check, 300, 0), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  close(lfd);
  ck_assert_int_eq(W.connected, NWAIT);
  ck_assert_int_eq(W.done, NWAIT);
  ck_assert_int_eq(W.timeouts, NWAIT);
  ck_assert_uint_eq(W.heap_while_waiting, 0);
  for (int i = 0; i < NWAIT; i++) {
    ck_assert_uint_eq(smtp_probe_heap_bytes(&W.p[i]), 0);
    smtp_probe_release(&W.p[i]);
  }
}
END_TEST

Suite *smtpsession_suite(void) {
  Suite *s = suite_create("smtpsession");
  TCase *tc = tcase_create("deadlines");
  tcase_add_checked_fixture(tc, peer_setup, peer_teardown);
  tcase_set_timeout(tc, 15);
  tcase_add_test(tc, connect_deadline);
  tcase_add_test(tc, greeting_deadline_from_connect_start);
  tcase_add_test(tc, delayed_greeting);
  tcase_add_test(tc, ehlo_deadline_drip);
  suite_add_tcase(s, tc);

  tc = tcase_create("close");
  tcase_add_checked_fixture(tc, peer_setup, peer_teardown);
  tcase_set_timeout(tc, 15);
  tcase_add_test(tc, polite_close);
  tcase_add_test(tc, quit_unanswered);
  suite_add_tcase(s, tc);

  tc = tcase_create("memory");
  tcase_add_checked_fixture(tc, peer_setup, peer_teardown);
  tcase_add_test(tc, waiting_probes_hold_no_buffer);
  suite_add_tcase(s, tc);
  return s;
}
