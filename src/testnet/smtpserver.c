/* SPDX-License-Identifier: MIT */
/*
 * smtpserver.c - SMTP greeting scenarios (smtpserver.h, tests/testnet.md).
 */
#include "smtpserver.h"
#include "mtalimit.h"
#include "scenario.h"
#include "smtpconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LIFETIME_MS (300 * 1000) /* hard cap on any one connection */
#define SWEEP_MS 1000
#define GREET_PAUSE_MS 50 /* scenario blocks only: makes pregreets visible */
#define QUIT_WAIT_MS 10000 /* polite close: the client has this long to close */
#define MTA_LINGER_MS 100  /* a shared-MTA session counts this long after close */
#define OUT_MAX (64 * 1024) /* queued reply bytes before we give up */
#define POOL_MAX 1024       /* freed connections kept for reuse */
#define BACKLOG_ANY 4096
#define BACKLOG_ONE 128

static void server_unref(struct tn_smtp_server *s) {
  if (--s->handles > 0)
    return;
  while (s->pool) {
    struct conn *c = s->pool;
    s->pool = c->next;
    free(c);
  }
  free(s->ls);
  tn_mta_free(s->mta);
  free(s);
}

static void handle_closed(uv_handle_t *h) { server_unref(h->data); }

void sc_fmt_ip(const struct tn_ip *ip, char *buf, size_t cap) {
  if (!inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->b, buf, (socklen_t)cap))
    snprintf(buf, cap, "?");
}

/* ---- connection lifetime ------------------------------------------------ */

static void conn_closed(uv_handle_t *h);

static unsigned mta_of(const struct conn *c) { return c->ip.b[2]; }

static void linger_done(uv_timer_t *t) {
  struct conn *c = t->data;
  c->mta_counted = 0;
  tn_mta_release(c->srv->mta, &c->client, mta_of(c));
  uv_close((uv_handle_t *)&c->t, conn_closed);
}

/* A shared-MTA session keeps its place in the limit a little after the
 * connection is gone, as Exim counts a session until its child exits. */
static int start_linger(struct conn *c) {
  if (!c->has_timer) {
    if (uv_timer_init(c->srv->loop, &c->t) != 0)
      return -1;
    c->t.data = c;
    c->has_timer = 1;
    c->handles++;
  }
  return uv_timer_start(&c->t, linger_done, MTA_LINGER_MS, 0);
}

static void conn_closed(uv_handle_t *h) {
  struct conn *c = h->data;
  struct tn_smtp_server *s = c->srv;
  if (h == (uv_handle_t *)&c->h && c->mta_counted && start_linger(c) != 0) {
    c->mta_counted = 0;
    tn_mta_release(s->mta, &c->client, mta_of(c));
  }
  if (--c->handles > 0)
    return;
  if (s->npool < POOL_MAX) {
    c->next = s->pool;
    s->pool = c;
    s->npool++;
  } else {
    free(c);
  }
  server_unref(s);
}

static void unlink_conn(struct conn *c) {
  struct tn_smtp_server *s = c->srv;
  c->closing = 1;
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  c->prev = c->next = NULL;
  if (c->has_timer && c->mta_counted)
    uv_timer_stop(&c->t); /* reused for the linger once the socket closes */
  else if (c->has_timer)
    uv_close((uv_handle_t *)&c->t, conn_closed);
}

/* FIN (or RST if the peer left unread bytes: that is the kernel's rule). */
void sc_close(struct conn *c) {
  if (c->closing)
    return;
  unlink_conn(c);
  uv_close((uv_handle_t *)&c->h, conn_closed);
}

void sc_reset(struct conn *c) {
  if (c->closing)
    return;
  unlink_conn(c);
  c->srv->st->smtp_reset++;
  /* SO_LINGER 0 then close: the kernel sends RST instead of FIN. */
  if (uv_tcp_close_reset(&c->h, conn_closed) != 0)
    uv_close((uv_handle_t *)&c->h, conn_closed);
}

void sc_drained(struct conn *c) {
  if (c->closing || c->queued > 0)
    return;
  if (c->reset_when_drained)
    sc_reset(c);
  else if (c->close_when_drained)
    sc_close(c);
}

static void written(uv_write_t *req, int status) {
  struct sc_wreq *w = (struct sc_wreq *)req;
  struct conn *c = w->c;
  c->queued -= w->len;
  free(w);
  if (status < 0)
    sc_close(c);
  else
    sc_drained(c);
}

/* Write p[0..n): at once if the socket takes it, the rest copied and
 * queued.  A peer that lets OUT_MAX bytes pile up is dropped. */
void sc_send_bytes(struct conn *c, const char *p, size_t n) {
  size_t done = 0;
  if (c->closing || n == 0)
    return;
  if (c->queued == 0) {
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    int r = uv_try_write((uv_stream_t *)&c->h, &b, 1);
    if (r < 0 && r != UV_EAGAIN) {
      sc_close(c);
      return;
    }
    done = r > 0 ? (size_t)r : 0;
  }
  if (done == n)
    return;
  size_t rest = n - done;
  struct sc_wreq *w;
  if (c->queued + rest > OUT_MAX || !(w = malloc(sizeof *w + rest))) {
    sc_close(c);
    return;
  }
  w->c = c;
  w->len = rest;
  memcpy(w->data, p + done, rest);
  uv_buf_t b = uv_buf_init(w->data, (unsigned)rest);
  if (uv_write(&w->req, (uv_stream_t *)&c->h, &b, 1, written) != 0) {
    free(w);
    sc_close(c);
    return;
  }
  c->queued += rest;
}

void sc_send_str(struct conn *c, const char *str) { sc_send_bytes(c, str, strlen(str)); }

/* ---- accepting ---------------------------------------------------------- */

static int sockaddr_to_ip(const struct sockaddr_storage *ss, struct tn_ip *ip) {
  memset(ip, 0, sizeof *ip);
  if (ss->ss_family == AF_INET) {
    ip->family = 4;
    memcpy(ip->b, &((const struct sockaddr_in *)ss)->sin_addr, 4);
    return 0;
  }
  if (ss->ss_family == AF_INET6) {
    ip->family = 6;
    memcpy(ip->b, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
    return 0;
  }
  return -1;
}

/* A connection object from the pool (or new), its handle initialised and
 * linked into the server's list; NULL when out of memory. */
static struct conn *conn_new(struct tn_smtp_server *s) {
  struct conn *c = s->pool;
  if (c) {
    s->pool = c->next;
    s->npool--;
    memset(c, 0, offsetof(struct conn, greet));
    c->greetlen = c->linelen = 0;
    c->overlong = 0;
  } else if (!(c = calloc(1, sizeof *c))) {
    return NULL;
  }
  c->srv = s;
  if (uv_tcp_init(s->loop, &c->h) != 0) {
    free(c);
    return NULL;
  }
  c->h.data = c;
  c->handles = 1;
  s->handles++;
  c->next = s->conns;
  if (s->conns)
    s->conns->prev = c;
  s->conns = c;
  c->started = uv_now(s->loop);
  return c;
}

/* Shared MTAs: count the session against the client's limit on this /24;
 * over it, answer 421 and hang up.  Returns 0 to go on, -1 if refused. */
static int shared_admit(struct conn *c) {
  struct tn_smtp_server *s = c->srv;
  struct sockaddr_storage ss;
  int sl = sizeof ss;
  char who[INET6_ADDRSTRLEN], msg[128];
  if (uv_tcp_getpeername(&c->h, (struct sockaddr *)&ss, &sl) != 0 ||
      sockaddr_to_ip(&ss, &c->client) != 0)
    return 0;
  int v = tn_mta_acquire(s->mta, &c->client, mta_of(c), s->mta_limit);
  if (v == TN_MTA_COUNTED)
    c->mta_counted = 1;
  if (v != TN_MTA_OVER)
    return 0;
  s->st->smtp_limit_421++;
  sc_fmt_ip(&c->client, who, sizeof who);
  snprintf(msg, sizeof msg, "421 4.7.0 Error: too many connections from %s\r\n", who);
  c->state = SC_IGNORE;
  c->close_when_drained = 1;
  sc_send_str(c, msg);
  sc_drained(c);
  return -1;
}

/* Milliseconds between the accept and the first byte: the tarpits' delay,
 * GREET_PAUSE_MS in the scenario blocks (so a client that talks first is
 * caught reliably rather than by winning a race), 0 elsewhere (the clean
 * block is for benchmarks). */
static uint64_t greet_pause(const struct conn *c) {
  switch (c->scn) {
  case TN_SMTP_RST: case TN_SMTP_CLOSE: case TN_SMTP_NOLISTEN: case TN_SMTP_SILENT:
    return 0;
  case TN_SMTP_TARPIT3: return 3000;
  case TN_SMTP_TARPIT15: return 15000;
  case TN_SMTP_TARPIT45: return 45000;
  default:
    break;
  }
  if (c->ip.family == 4 && c->ip.b[1] >= 64 && c->ip.b[1] <= 66)
    return GREET_PAUSE_MS;
  return 0;
}

static void on_connection(uv_stream_t *server, int status) {
  struct listener *l = server->data;
  struct tn_smtp_server *s = l->srv;
  struct conn *c;
  if (status < 0 || !(c = conn_new(s)))
    return;
  if (uv_accept(server, (uv_stream_t *)&c->h) != 0) {
    sc_close(c);
    return;
  }
  c->ip = l->ip;
  if (l->any) {
    struct sockaddr_storage ss;
    int sl = sizeof ss;
    if (uv_tcp_getsockname(&c->h, (struct sockaddr *)&ss, &sl) != 0 ||
        sockaddr_to_ip(&ss, &c->ip) != 0 || tn_smtp_scenario(&c->ip) < 0) {
      /* Wildcard mode serves loopback only: anything else is cut at once. */
      s->st->smtp_foreign++;
      sc_reset(c);
      return;
    }
  }
  c->scn = tn_smtp_scenario(&c->ip);
  c->polite = s->polite || c->scn >= TN_SMTP_MTA;
  s->st->smtp_conn++;
  uv_tcp_nodelay(&c->h, 1);
  if (c->scn == TN_SMTP_SHARED && shared_admit(c) != 0)
    return;

  /* Bytes already queued before we could greet are a pregreet (RFC 5321
   * 4.3.1: the client waits for the greeting). */
  uv_os_fd_t fd;
  char peek;
  if (uv_fileno((uv_handle_t *)&c->h, &fd) == 0 &&
      recv(fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT) == 1)
    sc_note_pregreet(c);

  if (c->scn != TN_SMTP_RST && c->scn != TN_SMTP_CLOSE && c->scn != TN_SMTP_NOLISTEN &&
      uv_read_start((uv_stream_t *)&c->h, sc_alloc, sc_read) != 0) {
    sc_close(c);
    return;
  }
  uint64_t pause = greet_pause(c);
  if (pause > 0) {
    if (sc_start_timer(c, sc_greet_later, pause, 0) != 0)
      sc_close(c);
    return;
  }
  sc_greet(c);
}

static void sweep(uv_timer_t *t) {
  struct tn_smtp_server *s = t->data;
  uint64_t now = uv_now(s->loop);
  for (struct conn *c = s->conns, *next; c; c = next) {
    next = c->next;
    if (now - c->started >= LIFETIME_MS ||
        (c->quit_at && now - c->quit_at >= QUIT_WAIT_MS))
      sc_close(c);
  }
}

/* ---- setup -------------------------------------------------------------- */

size_t tn_smtp_listener_count(const struct tn_range *ranges, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++) {
    for (uint64_t a = ranges[i].first; a <= ranges[i].last; a++) {
      struct tn_ip ip = {.family = 4};
      ip.b[0] = (uint8_t)(a >> 24), ip.b[1] = (uint8_t)(a >> 16);
      ip.b[2] = (uint8_t)(a >> 8), ip.b[3] = (uint8_t)a;
      if (tn_smtp_scenario(&ip) != TN_SMTP_NOLISTEN)
        count++;
    }
  }
  return count;
}

/* socket + bind + listen; returns the fd or -errno. */
static int open_listener(const struct tn_ip *ip, int port, int backlog) {
  struct sockaddr_storage ss;
  socklen_t sl;
  int on = 1;
  memset(&ss, 0, sizeof ss);
  if (ip->family == 4) {
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    memcpy(&in->sin_addr, ip->b, 4);
    sl = sizeof *in;
  } else {
    struct sockaddr_in6 *in = (struct sockaddr_in6 *)&ss;
    in->sin6_family = AF_INET6;
    in->sin6_port = htons((uint16_t)port);
    memcpy(&in->sin6_addr, ip->b, 16);
    sl = sizeof *in;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (ip->family == 6)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, backlog) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

static int fd_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
    return -1;
  return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                       : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Open (socket, bind, listen) every listening socket of cfg into fds[] and
 * ls[], counting them in *nls; *port 0 becomes the kernel's choice.
 * Returns 0, or -errno with every socket opened so far closed. */
static int open_all(const struct tn_smtp_config *cfg, int *portp,
                    struct listener *ls, int *fds, size_t *nlsp, char *err,
                    size_t errlen) {
  int port = *portp, r = 0;
  size_t nls = 0;
  char where[INET6_ADDRSTRLEN];
  struct tn_ip ip;
  if (cfg->any) {
    memset(&ip, 0, sizeof ip);
    ip.family = 4;
    int fd = open_listener(&ip, port, BACKLOG_ANY);
    if (fd < 0) {
      r = fd;
      snprintf(err, errlen, "bind 0.0.0.0:%d: %s", port, strerror(-fd));
      goto fail;
    }
    port = fd_port(fd);
    ls[nls].any = 1;
    ls[nls].ip = ip;
    fds[nls++] = fd;
  } else {
    for (size_t i = 0; i < cfg->nranges; i++) {
      for (uint64_t a = cfg->ranges[i].first; a <= cfg->ranges[i].last; a++) {
        memset(&ip, 0, sizeof ip);
        ip.family = 4;
        ip.b[0] = (uint8_t)(a >> 24), ip.b[1] = (uint8_t)(a >> 16);
        ip.b[2] = (uint8_t)(a >> 8), ip.b[3] = (uint8_t)a;
        if (tn_smtp_scenario(&ip) == TN_SMTP_NOLISTEN)
          continue;
        int fd = open_listener(&ip, port, BACKLOG_ONE);
        if (fd < 0) {
          r = fd;
          sc_fmt_ip(&ip, where, sizeof where);
          snprintf(err, errlen, "bind %s:%d: %s", where, port, strerror(-fd));
          goto fail;
        }
        if (port == 0)
          port = fd_port(fd); /* the rest share the kernel's choice */
        ls[nls].ip = ip;
        fds[nls++] = fd;
      }
    }
  }
  /* [::1]: optional, a host without IPv6 simply has no such listener. */
  memset(&ip, 0, sizeof ip);
  ip.family = 6;
  ip.b[15] = 1;
  {
    int fd = open_listener(&ip, port, BACKLOG_ANY);
    if (fd >= 0) {
      if (port == 0)
        port = fd_port(fd);
      ls[nls].ip = ip;
      fds[nls++] = fd;
    } else if (fd != -EADDRNOTAVAIL && fd != -EAFNOSUPPORT) {
      r = fd;
      snprintf(err, errlen, "bind [::1]:%d: %s", port, strerror(-fd));
      goto fail;
    } else {
      tn_log("smtp: no IPv6 loopback (%s); [::1] not served", strerror(-fd));
    }
  }

  *portp = port;
  *nlsp = nls;
  return 0;
fail:
  for (size_t i = 0; i < nls; i++)
    close(fds[i]);
  return r;
}

int tn_smtp_start(uv_loop_t *loop, const struct tn_smtp_config *cfg,
                  struct tn_stats *stats, struct tn_smtp_server **out,
                  char *err, size_t errlen) {
  size_t want = cfg->any ? 1 : tn_smtp_listener_count(cfg->ranges, cfg->nranges);
  size_t nls = 0;
  int *fds = NULL, port = cfg->port, r = 0;
  struct tn_smtp_server *s = calloc(1, sizeof *s);
  if (!s || !(s->ls = calloc(want + 1, sizeof *s->ls)) || !(s->mta = tn_mta_new()) ||
      !(fds = malloc((want + 1) * sizeof *fds))) {
    if (s) {
      free(s->ls);
      tn_mta_free(s->mta);
    }
    free(s);
    snprintf(err, errlen, "out of memory");
    return UV_ENOMEM;
  }

  /* Open every socket first, so a failure leaves nothing behind.  With
   * port 0 the IPv4 listeners share the first one's port; if another
   * socket holds that port on one of our addresses, start over. */
  for (int attempt = 0;; attempt++) {
    port = cfg->port;
    memset(s->ls, 0, (want + 1) * sizeof *s->ls);
    r = open_all(cfg, &port, s->ls, fds, &nls, err, errlen);
    if (r != -EADDRINUSE || cfg->port != 0 || attempt == 8)
      break;
  }
  if (r != 0)
    goto fail;

  s->loop = loop;
  s->st = stats;
  s->port = port;
  s->mta_limit = cfg->mta_limit > 0 ? cfg->mta_limit : 20;
  s->polite = cfg->polite;
  s->nls = nls;
  uv_timer_init(loop, &s->sweep);
  s->sweep.data = s;
  s->handles = 1;
  for (size_t i = 0; i < nls; i++) {
    struct listener *l = &s->ls[i];
    l->srv = s;
    uv_tcp_init(loop, &l->h);
    l->h.data = l;
    s->handles++;
    /* After a failure the remaining sockets are closed, not adopted. */
    if (r == 0 && (r = uv_tcp_open(&l->h, fds[i])) == 0)
      r = uv_listen((uv_stream_t *)&l->h,
                    l->any || l->ip.family == 6 ? BACKLOG_ANY : BACKLOG_ONE,
                    on_connection);
    else if (r != 0)
      close(fds[i]);
  }
  free(fds);
  if (r == 0)
    r = uv_timer_start(&s->sweep, sweep, SWEEP_MS, SWEEP_MS);
  if (r != 0) {
    snprintf(err, errlen, "starting the SMTP listeners: %s", uv_strerror(r));
    tn_smtp_stop(s);
    return r;
  }
  *out = s;
  return 0;

fail:
  free(fds);
  free(s->ls);
  tn_mta_free(s->mta);
  free(s);
  return uv_translate_sys_error(-r);
}

int tn_smtp_port(const struct tn_smtp_server *s) { return s->port; }

size_t tn_smtp_listeners(const struct tn_smtp_server *s) { return s->nls; }

static void listener_closed(uv_handle_t *h) {
  struct listener *l = h->data;
  server_unref(l->srv);
}

void tn_smtp_stop(struct tn_smtp_server *s) {
  while (s->conns)
    sc_close(s->conns);
  for (size_t i = 0; i < s->nls; i++)
    uv_close((uv_handle_t *)&s->ls[i].h, listener_closed);
  uv_close((uv_handle_t *)&s->sweep, handle_closed);
}
