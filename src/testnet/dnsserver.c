/* SPDX-License-Identifier: MIT */
/*
 * dnsserver.c - UDP and TCP transport for the testnet zone (dnsserver.h).
 */
#include "dnsserver.h"
#include "delayq.h"
#include "zone.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UDP_CHUNK (64 * 1024)    /* libuv's recvmmsg slot size */
#define UDP_BATCH 20             /* slots per recvmmsg (libuv caps at 20) */
#define UDP_QUEUE_MAX 8192       /* replies queued when the socket is full */
#define SOCKBUF (8 * 1024 * 1024)
#define TCP_CONN_MAX 4096
#define TCP_IN_MAX (2 + 65535)   /* one maximal framed message */
#define TCP_OUT_MAX (1024 * 1024)
#define TCP_IDLE_MS 10000
#define SWEEP_MS 1000
#define DELAY_HELD_MAX 65536  /* --dns-delay: replies held at once */

struct tcp_conn {
  uv_tcp_t h;
  struct tn_dns_server *srv;
  struct tcp_conn *prev, *next;
  uint64_t last;      /* uv_now() of the last query */
  uint8_t *in;        /* partial message carried between reads */
  size_t inlen, incap;
  size_t queued;      /* reply bytes handed to uv_write, not yet written */
  size_t held;        /* replies for it in the delay queue */
  int closing;
};

struct tn_dns_server {
  uv_loop_t *loop;
  uv_udp_t udp;
  uv_tcp_t tcp;
  uv_timer_t sweep;
  struct tn_stats *st;
  int handles;        /* open handles, connections included */
  int port;
  int tcp_mode;
  int refuse_pct, drop_pct;
  int delay_on, delay_instant_pct, delay_min_ms, delay_max_ms;
  struct tn_zone_cfg zone;
  struct tn_delayq *dq;  /* --dns-delay only */
  uint64_t nquery;    /* well-formed or not: drives refuse_pct and drop_pct */
  struct tcp_conn *conns;
  int nconns;
  size_t udp_queued;
  uint8_t *udp_in;    /* UDP_BATCH * UDP_CHUNK */
  uint8_t tcp_in[64 * 1024];
  uint8_t out[TN_DNS_OUT_MAX];
};

struct udp_send {
  uv_udp_send_t req;
  struct tn_dns_server *srv;
  size_t len;
  uint8_t data[];
};

struct tcp_write {
  uv_write_t req;
  struct tcp_conn *c;
  size_t len;
  uint8_t data[];
};

static void server_unref(struct tn_dns_server *s) {
  if (--s->handles == 0) {
    free(s->udp_in);
    free(s);
  }
}

static void on_handle_closed(uv_handle_t *h) { server_unref(h->data); }

static void delayq_closed(void *ctx) { server_unref(ctx); }

/* Message k is picked by a percentage p when floor((k+1)p/100) >
 * floor(kp/100): an even spread (p = 50 picks k = 1, 3, 5, ...). */
static int picked(uint64_t k, int pct) {
  return pct > 0 && (k + 1) * (uint64_t)pct / 100 > k * (uint64_t)pct / 100;
}

/* The zone's answer; or nothing for drop_pct of all messages, or REFUSED
 * for refuse_pct of the others.  *forced_drop tells which. */
static size_t answer(struct tn_dns_server *s, const uint8_t *q, size_t len,
                     int transport, uint8_t *out, struct tn_dns_info *info,
                     int *forced_drop) {
  uint64_t k = s->nquery++;
  *forced_drop = picked(k, s->drop_pct);
  if (*forced_drop) {
    tn_dns_reply(&s->zone, q, len, transport, out, info); /* for the counters */
    info->lame = TN_LAME_NO;
    info->dropped = 1;
    return 0;
  }
  if (picked(k, s->refuse_pct)) {
    size_t n = tn_dns_refuse(&s->zone, q, len, transport, out, info);
    if (info->rcode == 5 && !info->formerr)
      s->st->dns_forced_refused++;
    return n;
  }
  return tn_dns_reply(&s->zone, q, len, transport, out, info);
}

static void count_query(struct tn_dns_server *s, const struct tn_dns_info *info,
                        int forced_drop) {
  switch (info->qtype) {
  case 12: s->st->dns_q_ptr++; break;
  case 1: s->st->dns_q_a++; break;
  case 28: s->st->dns_q_aaaa++; break;
  default: s->st->dns_q_other++; break;
  }
  if (info->formerr)
    s->st->dns_formerr++;
  if (forced_drop)
    s->st->dns_forced_dropped++;
  else if (info->lame == TN_LAME_DROPPED)
    s->st->dns_lame_dropped++;
  else if (info->dropped && !info->formerr)
    s->st->dns_silent++;
  if (info->lame == TN_LAME_REFERRAL)
    s->st->dns_lame_referral++;
}

/* --dns-delay: how long to hold this reply (0: send at once). */
static uint64_t delay_of(const struct tn_dns_server *s, const struct tn_dns_info *info) {
  if (!s->delay_on || !info->has_hash)
    return 0;
  return tn_dns_delay_ms(info->qhash, s->delay_instant_pct, s->delay_min_ms,
                         s->delay_max_ms);
}

/* Hold a reply; 0 if held, -1 if it must be sent at once (not delayed) or
 * was dropped (queue full: counted). */
static int hold(struct tn_dns_server *s, uint64_t ms, struct tcp_conn *c,
                const struct sockaddr *to, const uint8_t *data, size_t len) {
  if (ms == 0)
    return -1;
  int r = tn_delayq_push(s->dq, ms, c != NULL, c, to, data, len);
  if (r != 0) {
    s->st->dns_delay_overflow++;
    return 0; /* dropped: a resolver with a full request list */
  }
  s->st->dns_delayed++;
  if (c)
    c->held++;
  return 0;
}

/* ---- UDP --------------------------------------------------------------- */

static void udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  struct tn_dns_server *s = h->data;
  (void)suggested;
  /* One static batch buffer: libuv splits it into UDP_CHUNK slots for
   * recvmmsg and hands every datagram to udp_recv before reading again. */
  *buf = uv_buf_init((char *)s->udp_in, UDP_BATCH * UDP_CHUNK);
}

static void udp_sent(uv_udp_send_t *req, int status) {
  struct udp_send *us = (struct udp_send *)req;
  if (status < 0 && status != UV_ECANCELED)
    us->srv->st->dns_send_fail++;
  us->srv->udp_queued--;
  free(us);
}

/* Send one reply: at once from data if the socket takes it, else a copy
 * is queued (up to UDP_QUEUE_MAX). */
static void udp_send_reply(struct tn_dns_server *s, const uint8_t *data, size_t len,
                           const struct sockaddr *addr) {
  uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
  int r = uv_udp_try_send(&s->udp, &b, 1, addr);
  if (r >= 0)
    return;
  if (r != UV_EAGAIN && r != UV_ENOBUFS) {
    s->st->dns_send_fail++;
    return;
  }
  /* The socket is full (or earlier replies wait): queue a copy. */
  struct udp_send *us;
  if (s->udp_queued >= UDP_QUEUE_MAX || !(us = malloc(sizeof *us + len))) {
    s->st->dns_send_fail++;
    return;
  }
  us->srv = s;
  us->len = len;
  memcpy(us->data, data, len);
  b = uv_buf_init((char *)us->data, (unsigned)len);
  if (uv_udp_send(&us->req, &s->udp, &b, 1, addr, udp_sent) != 0) {
    s->st->dns_send_fail++;
    free(us);
    return;
  }
  s->udp_queued++;
}

static void udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                     const struct sockaddr *addr, unsigned flags) {
  struct tn_dns_server *s = h->data;
  struct tn_dns_info info;
  int forced_drop;
  (void)flags;
  if (nread < 0 || addr == NULL) /* errors, EAGAIN, end-of-batch marker */
    return;
  s->st->dns_udp++;
  size_t len = answer(s, (const uint8_t *)buf->base, (size_t)nread, TN_UDP,
                      s->out, &info, &forced_drop);
  count_query(s, &info, forced_drop);
  if (info.truncated)
    s->st->dns_truncated++;
  if (len == 0 || hold(s, delay_of(s, &info), NULL, addr, s->out, len) == 0)
    return;
  udp_send_reply(s, s->out, len, addr);
}

/* ---- TCP --------------------------------------------------------------- */

static void conn_closed(uv_handle_t *h) {
  struct tcp_conn *c = h->data;
  struct tn_dns_server *s = c->srv;
  free(c->in);
  free(c);
  server_unref(s);
}

static void conn_close(struct tcp_conn *c) {
  if (c->closing)
    return;
  c->closing = 1;
  struct tn_dns_server *s = c->srv;
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  s->nconns--;
  if (c->held > 0) {
    tn_delayq_forget(s->dq, c);
    c->held = 0;
  }
  uv_close((uv_handle_t *)&c->h, conn_closed);
}

static void tcp_written(uv_write_t *req, int status) {
  struct tcp_write *w = (struct tcp_write *)req;
  w->c->queued -= w->len;
  if (status < 0)
    conn_close(w->c);
  free(w);
}

/* Send one framed reply (2-byte length, then body): try to write it at
 * once, queue a copy of the rest. */
static void tcp_reply(struct tcp_conn *c, const uint8_t *body, size_t len) {
  uint8_t pfx[2] = {(uint8_t)(len >> 8), (uint8_t)len};
  uv_buf_t b[2] = {uv_buf_init((char *)pfx, 2), uv_buf_init((char *)body, (unsigned)len)};
  size_t total = len + 2;
  int r = uv_try_write((uv_stream_t *)&c->h, b, 2);
  size_t done = r > 0 ? (size_t)r : 0;
  if (r < 0 && r != UV_EAGAIN) {
    conn_close(c);
    return;
  }
  if (done == total)
    return;
  size_t rest = total - done;
  struct tcp_write *w;
  if (c->queued + rest > TCP_OUT_MAX || !(w = malloc(sizeof *w + rest))) {
    conn_close(c); /* the client does not read its answers */
    return;
  }
  w->c = c;
  w->len = rest;
  for (size_t i = done; i < total; i++)
    w->data[i - done] = i < 2 ? pfx[i] : body[i - 2];
  uv_buf_t wb = uv_buf_init((char *)w->data, (unsigned)rest);
  if (uv_write(&w->req, (uv_stream_t *)&c->h, &wb, 1, tcp_written) != 0) {
    free(w);
    conn_close(c);
    return;
  }
  c->queued += rest;
}

/* A held reply is due (delayq callback). */
static void on_delayed(void *ctx, struct tn_delayed *d) {
  struct tn_dns_server *s = ctx;
  if (!d->tcp) {
    udp_send_reply(s, d->data, d->len, (const struct sockaddr *)&d->to);
    return;
  }
  struct tcp_conn *c = d->conn;
  c->held--;
  tcp_reply(c, d->data, d->len);
}

/* Answer every complete message in p[0..n); returns the bytes consumed, or
 * -1 if the connection was closed. */
static ssize_t tcp_consume(struct tcp_conn *c, const uint8_t *p, size_t n) {
  struct tn_dns_server *s = c->srv;
  struct tn_dns_info info;
  int forced_drop;
  size_t off = 0;
  while (n - off >= 2) {
    size_t mlen = (size_t)p[off] << 8 | p[off + 1];
    if (mlen == 0) {
      conn_close(c);
      return -1;
    }
    if (n - off < 2 + mlen)
      break;
    s->st->dns_tcp++;
    size_t len = answer(s, p + off + 2, mlen, TN_TCP, s->out, &info, &forced_drop);
    if (s->tcp_mode == TN_DNS_TCP_STALL && len > 0) {
      len = 0; /* read, never answered */
      info.dropped = 1;
    }
    count_query(s, &info, forced_drop);
    off += 2 + mlen;
    if (len > 0 && hold(s, delay_of(s, &info), c, NULL, s->out, len) != 0)
      tcp_reply(c, s->out, len);
    if (c->closing)
      return -1;
  }
  return (ssize_t)off;
}

static void tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  struct tcp_conn *c = h->data;
  (void)suggested;
  *buf = uv_buf_init((char *)c->srv->tcp_in, sizeof c->srv->tcp_in);
}

static int keep(struct tcp_conn *c, const uint8_t *p, size_t n) {
  if (c->inlen + n > TCP_IN_MAX)
    return -1;
  if (c->inlen + n > c->incap) {
    size_t cap = c->incap ? c->incap : 512;
    while (cap < c->inlen + n)
      cap *= 2;
    if (cap > TCP_IN_MAX)
      cap = TCP_IN_MAX;
    uint8_t *in = realloc(c->in, cap);
    if (!in)
      return -1;
    c->in = in;
    c->incap = cap;
  }
  memmove(c->in + c->inlen, p, n);
  c->inlen += n;
  return 0;
}

static void tcp_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf) {
  struct tcp_conn *c = h->data;
  if (nread < 0) {
    conn_close(c);
    return;
  }
  if (nread == 0)
    return;
  c->last = uv_now(c->srv->loop);
  const uint8_t *p = (const uint8_t *)buf->base;
  size_t n = (size_t)nread;
  if (c->inlen > 0) {
    /* Complete the carried message first, then go on from the buffer. */
    size_t need = 2;
    if (c->inlen >= 2)
      need = 2 + ((size_t)c->in[0] << 8 | c->in[1]);
    else if (n >= 1)
      need = 2 + ((size_t)c->in[0] << 8 | p[0]);
    size_t take = need > c->inlen ? need - c->inlen : 0;
    if (take > n)
      take = n;
    if (keep(c, p, take) != 0) {
      conn_close(c);
      return;
    }
    p += take;
    n -= take;
    ssize_t used = tcp_consume(c, c->in, c->inlen);
    if (used < 0)
      return;
    if ((size_t)used < c->inlen) {
      /* still incomplete: all of the buffer went into it */
      if (n > 0 && keep(c, p, n) != 0)
        conn_close(c);
      return;
    }
    c->inlen = 0;
  }
  ssize_t used = tcp_consume(c, p, n);
  if (used < 0)
    return;
  if ((size_t)used < n && keep(c, p + used, n - (size_t)used) != 0)
    conn_close(c);
}

static void tcp_accept(uv_stream_t *server, int status) {
  struct tn_dns_server *s = server->data;
  if (status < 0)
    return;
  struct tcp_conn *c = calloc(1, sizeof *c);
  if (!c)
    return;
  c->srv = s;
  if (uv_tcp_init(s->loop, &c->h) != 0) {
    free(c);
    return;
  }
  c->h.data = c;
  s->handles++;
  c->next = s->conns;
  if (s->conns)
    s->conns->prev = c;
  s->conns = c;
  s->nconns++;
  c->last = uv_now(s->loop);
  if (uv_accept(server, (uv_stream_t *)&c->h) != 0 || s->nconns > TCP_CONN_MAX) {
    conn_close(c);
    return;
  }
  s->st->dns_tcp_conn++;
  uv_tcp_nodelay(&c->h, 1);
  if (uv_read_start((uv_stream_t *)&c->h, tcp_alloc, tcp_read) != 0)
    conn_close(c);
}

static void sweep(uv_timer_t *t) {
  struct tn_dns_server *s = t->data;
  uint64_t now = uv_now(s->loop);
  for (struct tcp_conn *c = s->conns, *next; c; c = next) {
    next = c->next;
    if (now - c->last >= TCP_IDLE_MS)
      conn_close(c);
  }
}

/* ---- setup ------------------------------------------------------------- */

static void big_buffers(int fd) {
  int v = SOCKBUF;
  /* SO_*BUFFORCE passes net.core.rmem_max when we may (CAP_NET_ADMIN). */
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
  v = SOCKBUF;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
}

static int set_port(struct sockaddr_storage *ss, int port) {
  if (ss->ss_family == AF_INET) {
    ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    return 0;
  }
  ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
  return 0;
}

static int get_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
    return -1;
  return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                       : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Bind a UDP and a TCP socket to the same address and port.  With port 0
 * the kernel picks the UDP port and TCP tries to follow; a few retries
 * cover the rare case where that TCP port is taken. */
static int bind_pair(const struct sockaddr *addr, int want_tcp, int *ufd, int *tfd,
                     char *err, size_t errlen) {
  struct sockaddr_storage ss;
  socklen_t sl = addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                            : sizeof(struct sockaddr_in6);
  int want = ntohs(addr->sa_family == AF_INET
                       ? ((const struct sockaddr_in *)addr)->sin_port
                       : ((const struct sockaddr_in6 *)addr)->sin6_port);
  for (int attempt = 0; attempt < 32; attempt++) {
    int on = 1, e;
    memcpy(&ss, addr, sl);
    *tfd = -1;
    *ufd = socket(addr->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (*ufd >= 0 && want_tcp)
      *tfd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (*ufd < 0 || (want_tcp && *tfd < 0)) {
      e = errno;
      snprintf(err, errlen, "socket: %s", strerror(e));
      goto fail;
    }
    if (addr->sa_family == AF_INET6)
      setsockopt(*ufd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind(*ufd, (struct sockaddr *)&ss, sl) != 0) {
      e = errno;
      snprintf(err, errlen, "bind udp port %d: %s", want, strerror(e));
      goto fail;
    }
    set_port(&ss, get_port(*ufd));
    big_buffers(*ufd);
    if (!want_tcp)
      return 0;
    if (addr->sa_family == AF_INET6)
      setsockopt(*tfd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    setsockopt(*tfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(*tfd, (struct sockaddr *)&ss, sl) != 0 || listen(*tfd, 1024) != 0) {
      e = errno;
      if (e == EADDRINUSE && want == 0) {
        close(*ufd);
        close(*tfd);
        continue;
      }
      snprintf(err, errlen, "bind tcp port %d: %s", get_port(*ufd), strerror(e));
      goto fail;
    }
    return 0;
  fail:
    if (*ufd >= 0)
      close(*ufd);
    if (*tfd >= 0)
      close(*tfd);
    *ufd = *tfd = -1;
    return uv_translate_sys_error(e);
  }
  snprintf(err, errlen, "no free port for both UDP and TCP");
  return UV_EADDRINUSE;
}

int tn_dns_start(uv_loop_t *loop, const struct tn_dns_config *cfg,
                 struct tn_stats *stats, struct tn_dns_server **out, char *err,
                 size_t errlen) {
  int ufd, tfd, r;
  int want_tcp = cfg->tcp_mode != TN_DNS_TCP_REFUSE;
  struct tn_dns_server *s = calloc(1, sizeof *s);
  if (!s || !(s->udp_in = malloc(UDP_BATCH * UDP_CHUNK))) {
    free(s);
    snprintf(err, errlen, "out of memory");
    return UV_ENOMEM;
  }
  if ((r = bind_pair(cfg->addr, want_tcp, &ufd, &tfd, err, errlen)) != 0) {
    free(s->udp_in);
    free(s);
    return r;
  }
  s->loop = loop;
  s->st = stats;
  s->port = get_port(ufd);
  s->tcp_mode = cfg->tcp_mode;
  s->refuse_pct = cfg->refuse_pct;
  s->drop_pct = cfg->drop_pct;
  s->delay_on = cfg->delay_on;
  s->delay_instant_pct = cfg->delay_instant_pct;
  s->delay_min_ms = cfg->delay_min_ms;
  s->delay_max_ms = cfg->delay_max_ms;
  s->zone.lame = cfg->lame;
  s->zone.nlame = cfg->nlame;
  s->zone.files = cfg->files;
  s->zone.builtin = cfg->builtin;
  s->zone.zone_only = cfg->zone_only;
  if (cfg->addr->sa_family == AF_INET) {
    s->zone.ns_addr.family = 4;
    memcpy(s->zone.ns_addr.b, &((const struct sockaddr_in *)cfg->addr)->sin_addr, 4);
  } else {
    s->zone.ns_addr.family = 6;
    memcpy(s->zone.ns_addr.b, &((const struct sockaddr_in6 *)cfg->addr)->sin6_addr, 16);
  }
  /* From here on every handle is initialised and counted, so stopping
   * (even after a failure below) releases everything. */
  uv_udp_init_ex(loop, &s->udp, AF_UNSPEC | UV_UDP_RECVMMSG);
  uv_tcp_init(loop, &s->tcp);
  uv_timer_init(loop, &s->sweep);
  s->udp.data = s->tcp.data = s->sweep.data = s;
  s->handles = 3;
  if (s->delay_on) {
    if ((r = tn_delayq_new(loop, DELAY_HELD_MAX, on_delayed, s, &s->dq)) != 0) {
      close(ufd);
      if (tfd >= 0)
        close(tfd);
      snprintf(err, errlen, "out of memory");
      goto fail;
    }
    s->handles++;
  }
  if ((r = uv_udp_open(&s->udp, ufd)) != 0) {
    close(ufd);
    if (tfd >= 0)
      close(tfd);
    snprintf(err, errlen, "uv_udp_open: %s", uv_strerror(r));
    goto fail;
  }
  if (want_tcp && (r = uv_tcp_open(&s->tcp, tfd)) != 0) {
    close(tfd);
    snprintf(err, errlen, "uv_tcp_open: %s", uv_strerror(r));
    goto fail;
  }
  if ((r = uv_udp_recv_start(&s->udp, udp_alloc, udp_recv)) != 0 ||
      (want_tcp && (r = uv_listen((uv_stream_t *)&s->tcp, 1024, tcp_accept)) != 0) ||
      (r = uv_timer_start(&s->sweep, sweep, SWEEP_MS, SWEEP_MS)) != 0) {
    snprintf(err, errlen, "starting the DNS server: %s", uv_strerror(r));
    goto fail;
  }
  *out = s;
  return 0;
fail:
  tn_dns_stop(s);
  return r;
}

int tn_dns_port(const struct tn_dns_server *s) { return s->port; }

void tn_dns_stop(struct tn_dns_server *s) {
  while (s->conns)
    conn_close(s->conns);
  if (s->dq)
    tn_delayq_close(s->dq, delayq_closed);
  s->dq = NULL;
  uv_close((uv_handle_t *)&s->udp, on_handle_closed);
  uv_close((uv_handle_t *)&s->tcp, on_handle_closed);
  uv_close((uv_handle_t *)&s->sweep, on_handle_closed);
}
