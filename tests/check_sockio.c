/* SPDX-License-Identifier: MIT */
/*
 * check_sockio.c - the batched socket layer against real sockets on
 * 127.0.0.1: a plain UDP socket of the test plays the DNS server.  Every
 * expectation is a count or a byte string the test itself sent.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sockio.h"

struct peer {
  int fd;                  /* the "server" */
  struct sockaddr_in addr; /* its address */
};

static void peer_open(struct peer *p) {
  p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  ck_assert_int_ge(p->fd, 0);
  memset(&p->addr, 0, sizeof p->addr);
  p->addr.sin_family = AF_INET;
  p->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(p->fd, (struct sockaddr *)&p->addr, sizeof p->addr), 0);
  socklen_t l = sizeof p->addr;
  ck_assert_int_eq(getsockname(p->fd, (struct sockaddr *)&p->addr, &l), 0);
}

/* A sockio UDP socket connected to the peer. */
static int client_open(struct sockio *s, const struct peer *p) {
  const struct ares_socket_functions *f = sockio_functions();
  int fd = f->asocket(AF_INET, SOCK_DGRAM, 0, s);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(f->aconnect(fd, (const struct sockaddr *)&p->addr, sizeof p->addr, s), 0);
  return fd;
}

static struct sockaddr_in local_addr(int fd) {
  struct sockaddr_in a;
  socklen_t l = sizeof a;
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
  return a;
}

/* A sockio with receive buffer `rcvbuf` and read callback `cb`, a peer,
 * and a sockio UDP socket connected to the peer (returned). */
static int open_pair(struct sockio **s, struct peer *p, int rcvbuf, sockio_read_cb cb) {
  ck_assert_int_eq(sockio_new(s, rcvbuf, cb, NULL), 0);
  peer_open(p);
  return client_open(*s, p);
}

static void close_pair(struct sockio *s, struct peer *p, int fd) {
  ck_assert_int_eq(sockio_functions()->aclose(fd, s), 0);
  if (p->fd >= 0) close(p->fd);
  sockio_free(s);
}

/* Wait until fd has something to read (or 1 s). */
static void wait_readable(int fd) {
  struct pollfd pf = {.fd = fd, .events = POLLIN};
  ck_assert_int_eq(poll(&pf, 1, 1000), 1);
}

static int reads_named;
static ares_socket_t last_named = ARES_SOCKET_BAD;
static void on_read(void *arg, ares_socket_t fd) {
  (void)arg;
  reads_named++;
  last_named = fd;
}

START_TEST(test_reads_in_order_with_source) {
  struct sockio *s;
  struct peer p;
  const struct ares_socket_functions *f = sockio_functions();
  ck_assert_ptr_nonnull(f);
  int fd = open_pair(&s, &p, 0, NULL);
  struct sockaddr_in me = local_addr(fd);
  /* 70 datagrams: more than two receive batches. */
  for (int i = 0; i < 70; i++) {
    char m[32];
    int n = snprintf(m, sizeof m, "reply %d", i);
    ck_assert_int_eq(sendto(p.fd, m, (size_t)n, 0, (struct sockaddr *)&me, sizeof me), n);
  }
  wait_readable(fd);
  for (int i = 0; i < 70; i++) {
    char want[32], got[64];
    struct sockaddr_in from;
    ares_socklen_t fl = sizeof from;
    int n = snprintf(want, sizeof want, "reply %d", i);
    ares_ssize_t r = f->arecvfrom(fd, got, sizeof got, 0, (struct sockaddr *)&from, &fl, s);
    ck_assert_int_eq(r, n);
    ck_assert(memcmp(got, want, (size_t)n) == 0);
    ck_assert_int_eq(fl, sizeof from);
    ck_assert_int_eq(from.sin_port, p.addr.sin_port);
    ck_assert_int_eq(from.sin_addr.s_addr, p.addr.sin_addr.s_addr);
  }
  errno = 0;
  ck_assert_int_eq(f->arecvfrom(fd, (char[8]){0}, 8, 0, NULL, NULL, s), -1);
  ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
  ck_assert_uint_eq(sockio_drops(s), 0);
  close_pair(s, &p, fd);
}
END_TEST

START_TEST(test_short_buffer_truncates_like_recvfrom) {
  struct sockio *s;
  struct peer p;
  const struct ares_socket_functions *f = sockio_functions();
  int fd = open_pair(&s, &p, 0, NULL);
  struct sockaddr_in me = local_addr(fd);
  ck_assert_int_eq(sendto(p.fd, "abcdefgh", 8, 0, (struct sockaddr *)&me, sizeof me), 8);
  ck_assert_int_eq(sendto(p.fd, "xyz", 3, 0, (struct sockaddr *)&me, sizeof me), 3);
  wait_readable(fd);
  char b[8] = {0};
  /* MSG_PEEK leaves the datagram for the next read. */
  ck_assert_int_eq(f->arecvfrom(fd, b, 3, MSG_PEEK, NULL, NULL, s), 3);
  ck_assert(memcmp(b, "abc", 3) == 0);
  ck_assert_int_eq(f->arecvfrom(fd, b, 4, 0, NULL, NULL, s), 4);
  ck_assert(memcmp(b, "abcd", 4) == 0);
  /* The rest of the first datagram is gone, as with recvfrom(). */
  ck_assert_int_eq(f->arecvfrom(fd, b, sizeof b, 0, NULL, NULL, s), 3);
  ck_assert(memcmp(b, "xyz", 3) == 0);
  close_pair(s, &p, fd);
}
END_TEST

START_TEST(test_sends_wait_for_flush) {
  struct sockio *s;
  struct peer p;
  const struct ares_socket_functions *f = sockio_functions();
  int fd = open_pair(&s, &p, 0, NULL);
  for (int i = 0; i < 3; i++) {
    char hdr[8], body[16];
    int hn = snprintf(hdr, sizeof hdr, "q%d:", i), bn = snprintf(body, sizeof body, "body%d", i);
    struct iovec v[2] = {{hdr, (size_t)hn}, {body, (size_t)bn}};
    ck_assert_int_eq(f->asendv(fd, v, 2, s), hn + bn);
  }
  char got[64];
  /* Nothing has left yet. */
  ck_assert_int_eq(recv(p.fd, got, sizeof got, 0), -1);
  ck_assert_uint_eq(sockio_queued(s), 3);
  ck_assert_uint_eq(sockio_flush(s), 0);
  ck_assert_uint_eq(sockio_queued(s), 0);
  for (int i = 0; i < 3; i++) {
    char want[32];
    int n = snprintf(want, sizeof want, "q%d:body%d", i, i);
    wait_readable(p.fd);
    ck_assert_int_eq(recv(p.fd, got, sizeof got, 0), n);
    ck_assert(memcmp(got, want, (size_t)n) == 0);
  }
  close_pair(s, &p, fd);
}
END_TEST

START_TEST(test_full_queue_sends_in_order) {
  struct sockio *s;
  struct peer p;
  const struct ares_socket_functions *f = sockio_functions();
  int fd = open_pair(&s, &p, 0, NULL);
  int rb = 1 << 20; /* room for every datagram before the test reads */
  setsockopt(p.fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb);
  /* 150 small datagrams and one over the 512-octet queue slot: order kept. */
  char big[600];
  memset(big, 'B', sizeof big);
  for (int i = 0; i < 151; i++) {
    char m[16];
    struct iovec v;
    if (i == 100) {
      v.iov_base = big;
      v.iov_len = sizeof big;
    } else {
      v.iov_base = m;
      v.iov_len = (size_t)snprintf(m, sizeof m, "%d", i);
    }
    ck_assert_int_eq(f->asendv(fd, &v, 1, s), (int)v.iov_len);
  }
  ck_assert_uint_lt(sockio_queued(s), 64);
  sockio_flush(s);
  for (int i = 0; i < 151; i++) {
    char got[700], want[16];
    wait_readable(p.fd);
    ssize_t n = recv(p.fd, got, sizeof got, 0);
    if (i == 100) {
      ck_assert_int_eq(n, sizeof big);
      ck_assert_int_eq(got[0], 'B');
    } else {
      ck_assert_int_eq(n, snprintf(want, sizeof want, "%d", i));
      ck_assert(memcmp(got, want, (size_t)n) == 0);
    }
  }
  close_pair(s, &p, fd);
}
END_TEST

START_TEST(test_send_error_reaches_the_reader) {
  struct sockio *s;
  struct peer p;
  const struct ares_socket_functions *f = sockio_functions();
  reads_named = 0;
  last_named = ARES_SOCKET_BAD;
  int fd = open_pair(&s, &p, 0, on_read);
  close(p.fd); /* nobody listens now: ICMP port unreachable */
  p.fd = -1;
  struct iovec v = {"q", 1};
  ck_assert_int_eq(f->asendv(fd, &v, 1, s), 1);
  sockio_flush(s);
  ck_assert_int_eq(reads_named, 0);
  /* The ICMP error is now pending on the socket; the next batch meets it. */
  struct pollfd pf = {.fd = fd, .events = 0};
  ck_assert_int_eq(poll(&pf, 1, 1000), 1);
  ck_assert(pf.revents & POLLERR);
  ck_assert_int_eq(f->asendv(fd, &v, 1, s), 1);
  ck_assert_int_eq(f->asendv(fd, &v, 1, s), 1);
  sockio_flush(s);
  ck_assert_int_eq(reads_named, 1);
  ck_assert_int_eq(last_named, fd);
  /* Until c-ares reads it, the socket refuses further queries... */
  errno = 0;
  ck_assert_int_eq(f->asendv(fd, &v, 1, s), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  /* ...and the read returns the error, as the kernel's would have. */
  char b[8];
  errno = 0;
  ck_assert_int_eq(f->arecvfrom(fd, b, sizeof b, 0, NULL, NULL, s), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  /* Reported once: a later flush names nobody. */
  sockio_flush(s);
  ck_assert_int_eq(reads_named, 1);
  close_pair(s, &p, fd);
}
END_TEST

START_TEST(test_drops_counted) {
  struct sockio *s;
  struct peer p;
  const struct ares_socket_functions *f = sockio_functions();
  /* The smallest receive buffer the kernel allows: it overflows at once. */
  int fd = open_pair(&s, &p, 1, NULL);
  struct sockaddr_in me = local_addr(fd);
  char m[200];
  memset(m, 'x', sizeof m);
  for (int i = 0; i < 300; i++)
    ck_assert_int_eq(sendto(p.fd, m, sizeof m, 0, (struct sockaddr *)&me, sizeof me), sizeof m);
  int got = 0;
  char b[256];
  while (f->arecvfrom(fd, b, sizeof b, 0, NULL, NULL, s) > 0) got++;
  /* A drop is reported with the next datagram that gets in. */
  ck_assert_int_eq(sendto(p.fd, m, sizeof m, 0, (struct sockaddr *)&me, sizeof me), sizeof m);
  wait_readable(fd);
  ck_assert_int_eq(f->arecvfrom(fd, b, sizeof b, 0, NULL, NULL, s), sizeof m);
  got++;
  ck_assert_int_gt(got, 0);
  ck_assert_uint_gt(sockio_drops(s), 0);
  ck_assert_uint_eq(sockio_drops(s) + (uint64_t)got, 301);
  /* A closed socket's drops still count. */
  f->aclose(fd, s);
  ck_assert_uint_eq(sockio_drops(s) + (uint64_t)got, 301);
  close(p.fd);
  sockio_free(s);
}
END_TEST

START_TEST(test_tcp_passes_through) {
  struct sockio *s;
  const struct ares_socket_functions *f = sockio_functions();
  ck_assert_int_eq(sockio_new(&s, 0, NULL, NULL), 0);
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t al = sizeof a;
  getsockname(l, (struct sockaddr *)&a, &al);
  ck_assert_int_eq(listen(l, 1), 0);
  int fd = f->asocket(AF_INET, SOCK_STREAM, 0, s);
  ck_assert_int_ge(fd, 0);
  int rc = f->aconnect(fd, (struct sockaddr *)&a, sizeof a, s);
  ck_assert(rc == 0 || errno == EINPROGRESS);
  int c = accept(l, NULL, NULL);
  ck_assert_int_ge(c, 0);
  struct pollfd pf = {.fd = fd, .events = POLLOUT};
  ck_assert_int_eq(poll(&pf, 1, 1000), 1);
  struct iovec v[2] = {{"\0\3", 2}, {"abc", 3}};
  ck_assert_int_eq(f->asendv(fd, v, 2, s), 5);
  ck_assert_uint_eq(sockio_queued(s), 0); /* not queued: TCP is written at once */
  char b[8];
  wait_readable(c);
  ck_assert_int_eq(recv(c, b, sizeof b, 0), 5);
  ck_assert(memcmp(b, "\0\3abc", 5) == 0);
  ck_assert_int_eq(send(c, "xy", 2, 0), 2);
  wait_readable(fd);
  ck_assert_int_eq(f->arecvfrom(fd, b, sizeof b, 0, NULL, NULL, s), 2);
  ck_assert(memcmp(b, "xy", 2) == 0);
  f->aclose(fd, s);
  close(c);
  close(l);
  sockio_free(s);
}
END_TEST

Suite *sockio_suite(void) {
  Suite *s = suite_create("sockio");
  TCase *t = tcase_create("core");
  tcase_add_test(t, test_reads_in_order_with_source);
  tcase_add_test(t, test_short_buffer_truncates_like_recvfrom);
  tcase_add_test(t, test_sends_wait_for_flush);
  tcase_add_test(t, test_full_queue_sends_in_order);
  tcase_add_test(t, test_send_error_reaches_the_reader);
  tcase_add_test(t, test_drops_counted);
  tcase_add_test(t, test_tcp_passes_through);
  suite_add_tcase(s, t);
  return s;
}
