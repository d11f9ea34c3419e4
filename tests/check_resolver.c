/* SPDX-License-Identifier: MIT */
/*
 * check_resolver.c - the c-ares + libuv glue against a real DNS responder
 * on 127.0.0.1 that each test forks for itself.  The responder answers by
 * the first label of the query name:
 *   ok        A 192.0.2.1 / AAAA 2001:db8::1 / PTR host.example
 *   servfail  rcode SERVFAIL        refused   rcode REFUSED
 *   nx        rcode NXDOMAIN        silent    no answer at all
 *   tc        over UDP an empty answer with TC set; over TCP A 192.0.2.2
 *   any label holding a backslash byte: A 192.0.2.9
 * Loopback only; no test reads /etc/resolv.conf (servers are explicit).
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "dnsreply.h"
#include "resolver.h"

/* ---- the responder ------------------------------------------------------ */

struct responder {
  pid_t pid;
  int port;
  char csv[64];
};

static size_t put16(unsigned char *b, size_t n, unsigned v) {
  b[n] = (unsigned char)(v >> 8);
  b[n + 1] = (unsigned char)v;
  return n + 2;
}

/* Build the reply to query q[0..qn) in out; returns its length, 0 for
 * "do not answer". */
static size_t answer(const unsigned char *q, size_t qn, int tcp, unsigned char *out) {
  if (qn < 12) return 0;
  size_t p = 12;
  while (p < qn && q[p]) p += (size_t)q[p] + 1;
  if (p + 5 > qn) return 0;
  size_t qend = p + 5;
  unsigned qtype = (unsigned)q[p + 1] << 8 | q[p + 2];
  char first[64] = "";
  if (q[12] < sizeof first) {
    memcpy(first, q + 13, q[12]);
    first[q[12]] = 0;
  }
  unsigned rcode = 0, an = 0, tc = 0;
  if (!strcmp(first, "silent")) return 0;
  if (!strcmp(first, "servfail")) rcode = 2;
  else if (!strcmp(first, "refused")) rcode = 5;
  else if (!strcmp(first, "nx")) rcode = 3;
  else if (!strcmp(first, "tc") && !tcp) tc = 1;
  else an = 1;

  size_t n = 0;
  memcpy(out, q, 2);                                   /* ID */
  n = put16(out, 2, 0x8180 | (tc ? 0x0200 : 0) | rcode); /* QR RD RA */
  n = put16(out, n, 1);
  n = put16(out, n, an);
  n = put16(out, n, 0);
  n = put16(out, n, 0);
  memcpy(out + n, q + 12, qend - 12);
  n += qend - 12;
  if (an) {
    n = put16(out, n, 0xC00C);
    n = put16(out, n, qtype);
    n = put16(out, n, 1);
    n = put16(out, n, 0);
    n = put16(out, n, 60);
    if (qtype == DNSREPLY_T_A) {
      static const unsigned char ok4[4] = {192, 0, 2, 1}, tc4[4] = {192, 0, 2, 2},
                                 bs4[4] = {192, 0, 2, 9};
      n = put16(out, n, 4);
      memcpy(out + n, strchr(first, '\\') ? bs4 : tcp ? tc4 : ok4, 4);
      n += 4;
    } else if (qtype == DNSREPLY_T_AAAA) {
      n = put16(out, n, 16);
      inet_pton(AF_INET6, "2001:db8::1", out + n);
      n += 16;
    } else {
      static const unsigned char host[] = "\004host\007example";
      n = put16(out, n, sizeof host);
      memcpy(out + n, host, sizeof host);
      n += sizeof host;
    }
  }
  return n;
}

static void serve(int udp, int tcp) {
  unsigned char q[4096], r[4096];
  for (;;) {
    struct pollfd pf[2] = {{udp, POLLIN, 0}, {tcp, POLLIN, 0}};
    if (poll(pf, 2, -1) < 0) continue;
    if (pf[0].revents & POLLIN) {
      struct sockaddr_in from;
      socklen_t fl = sizeof from;
      ssize_t qn = recvfrom(udp, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
      size_t rn = qn > 0 ? answer(q, (size_t)qn, 0, r) : 0;
      if (rn) sendto(udp, r, rn, 0, (struct sockaddr *)&from, fl);
    }
    if (pf[1].revents & POLLIN) {
      int c = accept(tcp, NULL, NULL);
      if (c < 0) continue;
      unsigned char lb[2];
      /* One query per connection is all c-ares needs here. */
      if (recv(c, lb, 2, MSG_WAITALL) == 2) {
        size_t qn = (size_t)lb[0] << 8 | lb[1];
        if (qn <= sizeof q && recv(c, q, qn, MSG_WAITALL) == (ssize_t)qn) {
          size_t rn = answer(q, qn, 1, r + 2);
          put16(r, 0, (unsigned)rn);
          if (rn) send(c, r, rn + 2, MSG_NOSIGNAL);
        }
      }
      close(c);
    }
  }
}

static void responder_start(struct responder *rs) {
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  int udp = -1, tcp = -1;
  /* The UDP port is picked by the kernel; the same number may already be
   * taken on TCP (another process's connection), so try a few. */
  for (int attempt = 0; attempt < 50; attempt++) {
    udp = socket(AF_INET, SOCK_DGRAM, 0);
    tcp = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(udp, 0);
    ck_assert_int_ge(tcp, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sl = sizeof sa;
    ck_assert_int_eq(bind(udp, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(getsockname(udp, (struct sockaddr *)&sa, &sl), 0);
    int one = 1;
    setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(tcp, (struct sockaddr *)&sa, sizeof sa) == 0) break; /* same port */
    close(udp);
    close(tcp);
    udp = tcp = -1;
  }
  ck_assert_int_ge(tcp, 0);
  ck_assert_int_eq(listen(tcp, 16), 0);
  rs->port = ntohs(sa.sin_port);
  snprintf(rs->csv, sizeof rs->csv, "127.0.0.1:%d", rs->port);
  rs->pid = fork();
  ck_assert_int_ge(rs->pid, 0);
  if (rs->pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    alarm(30);
    serve(udp, tcp);
    _exit(0);
  }
  close(udp);
  close(tcp);
}

static void responder_stop(struct responder *rs) {
  kill(rs->pid, SIGKILL);
  waitpid(rs->pid, NULL, 0);
}

/* ---- harness ------------------------------------------------------------ */

struct qres {
  int calls;
  int status;
  int dns;            /* dns_status from the packet or the status */
  int had_abuf;
  struct addr a;      /* first address, for A answers */
  int family;
  const char *qname;  /* for parsing */
  int *reentrant;     /* set while inside resolver_query */
  int called_inside;  /* the callback ran while *reentrant was set */
  uint64_t at_ms;
};

static void on_result(void *arg, int status, const unsigned char *abuf, int alen) {
  struct qres *r = arg;
  r->calls++;
  r->status = status;
  r->had_abuf = abuf != NULL;
  r->at_ms = uv_hrtime() / 1000000;
  if (r->reentrant && *r->reentrant) r->called_inside = 1;
  if (abuf && r->family) {
    struct addr out[4];
    struct dnsreply_addrs o;
    dnsreply_addrs_init(&o, out, 4);
    r->dns = dnsreply_addrs(abuf, alen, r->qname, r->family, &o);
    if (o.n) r->a = out[0];
  } else {
    r->dns = resolver_status(status);
  }
}

static int closed_calls;
static void on_closed(void *arg) {
  (void)arg;
  closed_calls++;
}

static struct resolver *mk(uv_loop_t *loop, const struct responder *rs, unsigned timeout_ms,
                           unsigned tries, unsigned channels, unsigned maxq) {
  struct resolver_opts o;
  struct resolver *r = NULL;
  char err[256] = "";
  memset(&o, 0, sizeof o);
  o.servers_csv = rs->csv;
  o.timeout_ms = timeout_ms;
  o.tries = tries;
  o.channels = channels;
  o.max_inflight_per_channel = maxq;
  ck_assert_msg(resolver_new(&r, loop, &o, err, sizeof err) == 0, "resolver_new: %s", err);
  return r;
}

/* Close the resolver, run the loop dry, and require that nothing is left. */
static void finish(uv_loop_t *loop, struct resolver *r) {
  closed_calls = 0;
  resolver_close(r, on_closed, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(closed_calls, 1);
  ck_assert_int_eq(uv_loop_close(loop), 0);
}

static void assert_ip(const struct addr *a, const char *ip) {
  char buf[64];
  inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, buf, sizeof buf);
  ck_assert_str_eq(buf, ip);
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(query_success) {
  struct responder rs;
  uv_loop_t loop;
  responder_start(&rs);
  uv_loop_init(&loop);
  struct resolver *r = mk(&loop, &rs, 1000, 1, 1, 0);
  struct qres a4 = {.family = 4, .qname = "ok.test"};
  struct qres a6 = {.family = 6, .qname = "ok.test"};
  struct qres pt = {.qname = "ok.2.0.192.in-addr.arpa"};
  resolver_query(r, "ok.test", ns_t_a, on_result, &a4);
  resolver_query(r, "ok.test", ns_t_aaaa, on_result, &a6);
  resolver_query(r, pt.qname, ns_t_ptr, on_result, &pt);
  ck_assert_uint_eq(resolver_inflight(r), 3);
  /* The resolver keeps the loop alive exactly while queries are out. */
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_uint_eq(resolver_inflight(r), 0);
  ck_assert_int_eq(a4.calls, 1);
  ck_assert_int_eq(a4.status, ARES_SUCCESS);
  ck_assert_int_eq(a4.dns, DNS_OK);
  assert_ip(&a4.a, "192.0.2.1");
  ck_assert_int_eq(a6.calls, 1);
  ck_assert_int_eq(a6.dns, DNS_OK);
  assert_ip(&a6.a, "2001:db8::1");
  ck_assert_int_eq(pt.calls, 1);
  ck_assert_int_eq(pt.status, ARES_SUCCESS);
  ck_assert_int_eq(pt.had_abuf, 1);

  /* A raw backslash in a name is sent as that byte (c-ares would read it
   * as an escape) and the reply's question matches the raw name. */
  struct qres bs = {.family = 4, .qname = "we\\ird.test"};
  resolver_query(r, bs.qname, ns_t_a, on_result, &bs);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(bs.calls, 1);
  ck_assert_int_eq(bs.dns, DNS_OK);
  assert_ip(&bs.a, "192.0.2.9");
  finish(&loop, r);
  responder_stop(&rs);
}
END_TEST

struct ptr_res {
  int st;
  char name[64];
};

static void on_ptr_res(void *arg, int status, const unsigned char *abuf, int alen) {
  struct ptr_res *pr = arg;
  const char *names[4];
  size_t lens[4];
  char arena[4][DNSREPLY_NAME_SIZE];
  struct dnsreply_names o;
  (void)status;
  dnsreply_names_init(&o, names, &arena[0][0], 4);
  o.lens = lens;
  pr->st = abuf ? dnsreply_ptr(abuf, alen, "ok.2.0.192.in-addr.arpa", &o) : -2;
  if (o.n) snprintf(pr->name, sizeof pr->name, "%s", o.names[0]);
}

START_TEST(ptr_parsed_from_reply) {
  /* The PTR path end to end: packet from the wire into dnsreply_ptr. */
  struct responder rs;
  uv_loop_t loop;
  responder_start(&rs);
  uv_loop_init(&loop);
  struct resolver *r = mk(&loop, &rs, 1000, 1, 1, 0);
  struct ptr_res pr = {-1, ""};
  resolver_query(r, "ok.2.0.192.in-addr.arpa", ns_t_ptr, on_ptr_res, &pr);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(pr.st, DNS_OK);
  ck_assert_str_eq(pr.name, "host.example");
  finish(&loop, r);
  responder_stop(&rs);
}
END_TEST

START_TEST(servfail_and_refused_pass_through) {
  struct responder rs;
  uv_loop_t loop;
  responder_start(&rs);
  uv_loop_init(&loop);
  /* 2 s x 3 tries: without NOCHECKRESP c-ares would retry for ~6 s and
   * end in ECONNREFUSED; with it the answer arrives at once. */
  struct resolver *r = mk(&loop, &rs, 2000, 3, 1, 0);
  struct qres sf = {.family = 4, .qname = "servfail.test"};
  struct qres rf = {.family = 4, .qname = "refused.test"};
  struct qres nx = {.family = 4, .qname = "nx.test"};
  uint64_t t0 = uv_hrtime() / 1000000;
  resolver_query(r, sf.qname, ns_t_a, on_result, &sf);
  resolver_query(r, rf.qname, ns_t_a, on_result, &rf);
  resolver_query(r, nx.qname, ns_t_a, on_result, &nx);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(sf.calls, 1);
  ck_assert_int_eq(sf.status, ARES_ESERVFAIL);
  ck_assert_int_eq(sf.had_abuf, 1);
  ck_assert_int_eq(sf.dns, DNS_SERVFAIL);
  ck_assert_int_eq(rf.status, ARES_EREFUSED);
  ck_assert_int_eq(rf.had_abuf, 1);
  ck_assert_int_eq(rf.dns, DNS_REFUSED);
  ck_assert_int_eq(nx.status, ARES_ENOTFOUND);
  ck_assert_int_eq(nx.dns, DNS_NXDOMAIN);
  ck_assert_uint_lt(sf.at_ms - t0, 1000);
  ck_assert_uint_lt(rf.at_ms - t0, 1000);
  finish(&loop, r);
  responder_stop(&rs);
}
END_TEST

START_TEST(timeout_silent_server) {
  struct responder rs;
  uv_loop_t loop;
  responder_start(&rs);
  uv_loop_init(&loop);
  struct resolver *r = mk(&loop, &rs, 200, 1, 1, 0);
  struct qres s = {.family = 4, .qname = "silent.test"};
  uint64_t t0 = uv_hrtime() / 1000000;
  resolver_query(r, s.qname, ns_t_a, on_result, &s);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(s.status, ARES_ETIMEOUT);
  ck_assert_int_eq(s.had_abuf, 0);
  ck_assert_int_eq(s.dns, DNS_TIMEOUT);
  ck_assert_uint_ge(s.at_ms - t0, 150);
  ck_assert_uint_lt(s.at_ms - t0, 1500);
  finish(&loop, r);
  responder_stop(&rs);
}
END_TEST

/* Point rs at a UDP port on 127.0.0.1 that nobody listens on (bound to
 * learn a free one, then closed): queries there meet ICMP port
 * unreachable. */
static void unused_port(struct responder *rs) {
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
  close(fd);
  snprintf(rs->csv, sizeof rs->csv, "127.0.0.1:%d", ntohs(sa.sin_port));
}

START_TEST(unreachable_server_is_error) {
  /* A UDP port nobody listens on: ICMP port unreachable, which c-ares
   * reports as ECONNREFUSED -- a resolver fault, not an answer. */
  struct responder rs;
  uv_loop_t loop;
  unused_port(&rs);
  uv_loop_init(&loop);
  struct resolver *r = mk(&loop, &rs, 300, 2, 1, 0);
  struct qres s = {.family = 4, .qname = "ok.test"};
  resolver_query(r, s.qname, ns_t_a, on_result, &s);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_msg(s.status == ARES_ECONNREFUSED || s.status == ARES_ETIMEOUT, "status %d",
                s.status);
  ck_assert_int_ne(s.dns, DNS_NXDOMAIN);
  ck_assert_int_ne(s.dns, DNS_NODATA);
  if (s.status == ARES_ECONNREFUSED) ck_assert_int_eq(s.dns, DNS_ERROR);
  finish(&loop, r);
}
END_TEST

START_TEST(unreachable_server_burst) {
  /* 200 queries leave in one batch (sockio.h) to a port nobody listens on.
   * The ICMP errors come back while later batches are sent; whether a send
   * or a read meets them, every query must complete exactly once, and as
   * a resolver fault, never as an answer.  With a 2 s timeout, the run
   * would take 4 s if the errors were lost; that is not timed here, but
   * every status must be the refusal itself. */
  struct responder rs;
  uv_loop_t loop;
  enum { N = 200 };
  static struct qres s[N];
  unused_port(&rs);
  uv_loop_init(&loop);
  struct resolver *r = mk(&loop, &rs, 2000, 2, 1, 0);
  memset(s, 0, sizeof s);
  for (int i = 0; i < N; i++) {
    s[i].family = 4;
    s[i].qname = "ok.test";
    resolver_query(r, s[i].qname, ns_t_a, on_result, &s[i]);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(s[i].calls, 1);
    ck_assert_msg(s[i].status == ARES_ECONNREFUSED, "query %d: status %d", i, s[i].status);
    ck_assert_int_eq(s[i].dns, DNS_ERROR);
  }
  finish(&loop, r);
}
END_TEST

START_TEST(truncated_udp_retried_over_tcp) {
  struct responder rs;
  uv_loop_t loop;
  responder_start(&rs);
  uv_loop_init(&loop);
  struct resolver *r = mk(&loop, &rs, 1000, 2, 1, 0);
  struct qres s = {.family = 4, .qname = "tc.test"};
  resolver_query(r, s.qname, ns_t_a, on_result, &s);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(s.status, ARES_SUCCESS);
  ck_assert_int_eq(s.dns, DNS_OK);
  assert_ip(&s.a, "192.0.2.2"); /* the TCP answer */
  /* The responder closed the TCP connection, so c-ares closed its socket;
   * the next truncated answer opens a new one, likely with the same fd
   * number: its watcher must be a fresh one (else UV_EEXIST and a
   * timeout). */
  for (int i = 0; i < 3; i++) {
    struct qres again = {.family = 4, .qname = "tc.test"};
    resolver_query(r, again.qname, ns_t_a, on_result, &again);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(again.calls, 1);
    ck_assert_int_eq(again.status, ARES_SUCCESS);
    assert_ip(&again.a, "192.0.2.2");
  }
  finish(&loop, r);
  responder_stop(&rs);
}
END_TEST

/* Close with queries in flight: 40 sent (2 channels x 20), 10 waiting. */
static struct resolver *close_r;
static void close_from_timer(uv_timer_t *t) {
  resolver_close(close_r, on_closed, NULL);
  uv_close((uv_handle_t *)t, NULL);
}

START_TEST(close_with_queries_in_flight) {
  struct responder rs;
  uv_loop_t loop;
  uv_timer_t t;
  struct qres res[50];
  responder_start(&rs);
  uv_loop_init(&loop);
  close_r = mk(&loop, &rs, 5000, 1, 2, 20);
  memset(res, 0, sizeof res);
  for (int i = 0; i < 50; i++) resolver_query(close_r, "silent.test", ns_t_a, on_result, &res[i]);
  ck_assert_uint_eq(resolver_inflight(close_r), 50);
  uv_timer_init(&loop, &t);
  uv_timer_start(&t, close_from_timer, 100, 0);
  closed_calls = 0;
  uint64_t t0 = uv_hrtime() / 1000000;
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_uint_lt(uv_hrtime() / 1000000 - t0, 2000); /* did not wait for timeouts */
  ck_assert_int_eq(closed_calls, 1);
  int cancelled = 0, destroyed = 0;
  for (int i = 0; i < 50; i++) {
    ck_assert_int_eq(res[i].calls, 1);
    if (res[i].status == ARES_ECANCELLED) cancelled++;
    else if (res[i].status == ARES_EDESTRUCTION) destroyed++;
    ck_assert_int_eq(res[i].dns, DNS_ERROR);
  }
  ck_assert_int_eq(cancelled, 10);
  ck_assert_int_eq(destroyed, 40);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  responder_stop(&rs);
}
END_TEST

START_TEST(fifo_beyond_channel_limits) {
  /* 2 channels x 1 query each: 30 queries must all complete, in waves. */
  struct responder rs;
  uv_loop_t loop;
  struct qres res[30];
  responder_start(&rs);
  uv_loop_init(&loop);
  struct resolver *r = mk(&loop, &rs, 1000, 1, 2, 1);
  memset(res, 0, sizeof res);
  for (int i = 0; i < 30; i++) {
    res[i].family = 4;
    res[i].qname = "ok.test";
    resolver_query(r, "ok.test", ns_t_a, on_result, &res[i]);
  }
  ck_assert_uint_eq(resolver_inflight(r), 30);
  uv_run(&loop, UV_RUN_DEFAULT);
  for (int i = 0; i < 30; i++) {
    ck_assert_int_eq(res[i].calls, 1);
    ck_assert_int_eq(res[i].dns, DNS_OK);
  }
  ck_assert_uint_eq(resolver_inflight(r), 0);
  finish(&loop, r);
  responder_stop(&rs);
}
END_TEST

START_TEST(many_queries_several_channels) {
  /* 2000 queries over 4 channels of at most 64 each: every one answered,
   * none lost between the FIFO and the channels. */
  enum { N = 2000 };
  static struct qres res[N];
  struct responder rs;
  uv_loop_t loop;
  responder_start(&rs);
  uv_loop_init(&loop);
  struct resolver *r = mk(&loop, &rs, 1000, 3, 4, 64);
  memset(res, 0, sizeof res);
  for (int i = 0; i < N; i++) {
    res[i].family = 4;
    res[i].qname = "ok.test";
    resolver_query(r, "ok.test", ns_t_a, on_result, &res[i]);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(res[i].calls, 1);
    ck_assert_int_eq(res[i].dns, DNS_OK);
  }
  finish(&loop, r);
  responder_stop(&rs);
}
END_TEST

/* Never called back from inside resolver_query; callbacks may query again
 * and may close the resolver. */
static int inside;
static struct resolver *chain_r;
static struct qres chained;
static void on_first(void *arg, int status, const unsigned char *abuf, int alen) {
  on_result(arg, status, abuf, alen);
  chained.family = 4;
  chained.qname = "ok.test";
  chained.reentrant = &inside;
  inside = 1;
  resolver_query(chain_r, "ok.test", ns_t_a, on_result, &chained);
  inside = 0;
}
static void on_close_inside(void *arg, int status, const unsigned char *abuf, int alen) {
  on_result(arg, status, abuf, alen);
  resolver_close(chain_r, on_closed, NULL);
}

START_TEST(callbacks_never_reentrant) {
  struct responder rs;
  uv_loop_t loop;
  char longname[400];
  responder_start(&rs);
  uv_loop_init(&loop);
  chain_r = mk(&loop, &rs, 1000, 1, 1, 0);

  /* A name too long to query fails -- later, from the loop. */
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = 0;
  struct qres bad = {.reentrant = &inside};
  inside = 1;
  resolver_query(chain_r, longname, ns_t_a, on_result, &bad);
  inside = 0;
  ck_assert_int_eq(bad.calls, 0);

  /* A name c-ares itself rejects at once (empty label): also later. */
  struct qres bad2 = {.reentrant = &inside};
  inside = 1;
  resolver_query(chain_r, "a..b", ns_t_a, on_result, &bad2);
  inside = 0;
  ck_assert_int_eq(bad2.calls, 0);

  struct qres first = {.family = 4, .qname = "ok.test"};
  resolver_query(chain_r, "ok.test", ns_t_a, on_first, &first);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(bad.calls, 1);
  ck_assert_int_eq(bad.status, ARES_EBADNAME);
  ck_assert_int_eq(bad.called_inside, 0);
  ck_assert_int_eq(bad2.calls, 1);
  ck_assert_int_ne(bad2.status, ARES_SUCCESS);
  ck_assert_int_eq(bad2.called_inside, 0);
  ck_assert_int_eq(first.calls, 1);
  ck_assert_int_eq(first.dns, DNS_OK);
  ck_assert_int_eq(chained.calls, 1);
  ck_assert_int_eq(chained.dns, DNS_OK);
  ck_assert_int_eq(chained.called_inside, 0);

  /* resolver_close from inside a callback, with another query out. */
  struct qres last = {.family = 4, .qname = "ok.test"};
  struct qres other = {.family = 4, .qname = "silent.test"};
  closed_calls = 0;
  resolver_query(chain_r, "silent.test", ns_t_a, on_result, &other);
  resolver_query(chain_r, "ok.test", ns_t_a, on_close_inside, &last);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(last.calls, 1);
  ck_assert_int_eq(other.calls, 1);
  ck_assert_int_eq(other.status, ARES_EDESTRUCTION);
  ck_assert_int_eq(closed_calls, 1);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
  responder_stop(&rs);
}
END_TEST

START_TEST(bad_server_list) {
  uv_loop_t loop;
  struct resolver_opts o;
  struct resolver *r = (struct resolver *)&o;
  char err[256] = "";
  uv_loop_init(&loop);
  memset(&o, 0, sizeof o);
  o.servers_csv = "not-an-address:53";
  ck_assert_int_eq(resolver_new(&r, &loop, &o, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_null(r);
  ck_assert_ptr_nonnull(strstr(err, "not-an-address"));
  o.servers_csv = "127.0.0.1:53";
  o.channels = RESOLVER_MAX_CHANNELS + 1;
  ck_assert_int_eq(resolver_new(&r, &loop, &o, err, sizeof err), UV_EINVAL);
  ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

START_TEST(status_mapping) {
  ck_assert_int_eq(resolver_status(ARES_ENOTFOUND), DNS_NXDOMAIN);
  ck_assert_int_eq(resolver_status(ARES_ENODATA), DNS_NODATA);
  ck_assert_int_eq(resolver_status(ARES_ESERVFAIL), DNS_SERVFAIL);
  ck_assert_int_eq(resolver_status(ARES_EREFUSED), DNS_REFUSED);
  ck_assert_int_eq(resolver_status(ARES_ETIMEOUT), DNS_TIMEOUT);
  ck_assert_int_eq(resolver_status(ARES_EBADRESP), DNS_BADRESP);
  ck_assert_int_eq(resolver_status(ARES_EFORMERR), DNS_BADRESP);
  ck_assert_int_eq(resolver_status(ARES_ENOTIMP), DNS_BADRESP);
  ck_assert_int_eq(resolver_status(ARES_EBADNAME), DNS_BADRESP);
  ck_assert_int_eq(resolver_status(ARES_SUCCESS), DNS_BADRESP);
  ck_assert_int_eq(resolver_status(ARES_ECONNREFUSED), DNS_ERROR);
  ck_assert_int_eq(resolver_status(ARES_ENOMEM), DNS_ERROR);
  ck_assert_int_eq(resolver_status(ARES_ECANCELLED), DNS_ERROR);
  ck_assert_int_eq(resolver_status(ARES_EDESTRUCTION), DNS_ERROR);
}
END_TEST

Suite *resolver_suite(void);

Suite *resolver_suite(void) {
  Suite *s = suite_create("resolver");
  TCase *tc = tcase_create("loopback");
  tcase_set_timeout(tc, 15);
  tcase_add_test(tc, query_success);
  tcase_add_test(tc, ptr_parsed_from_reply);
  tcase_add_test(tc, servfail_and_refused_pass_through);
  tcase_add_test(tc, timeout_silent_server);
  tcase_add_test(tc, unreachable_server_is_error);
  tcase_add_test(tc, unreachable_server_burst);
  tcase_add_test(tc, truncated_udp_retried_over_tcp);
  tcase_add_test(tc, close_with_queries_in_flight);
  tcase_add_test(tc, fifo_beyond_channel_limits);
  tcase_add_test(tc, many_queries_several_channels);
  tcase_add_test(tc, callbacks_never_reentrant);
  suite_add_tcase(s, tc);
  tc = tcase_create("pure");
  tcase_set_timeout(tc, 5);
  tcase_add_test(tc, bad_server_list);
  tcase_add_test(tc, status_mapping);
  suite_add_tcase(s, tc);
  return s;
}
