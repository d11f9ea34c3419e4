/* SPDX-License-Identifier: MIT */
/*
 * resolver.c - c-ares channels on a libuv loop.  The contract is in
 * resolver.h; the c-ares 1.18 facts it relies on are stated in resolver.h's
 * design list and at the code that depends on each.
 *
 * A query (struct rq) is in exactly one place at a time:
 *   the FIFO        accepted, every channel at its limit;
 *   a channel       inside c-ares (ares_query called, callback pending);
 *   the done list   completed, delivery deferred to the idle handle because
 *                   the completion happened while we were inside
 *                   ares_query (a synchronous failure) or inside
 *                   resolver_query, or because the resolver is closing;
 *   the free list   recycled; the pool only grows to the peak number of
 *                   outstanding queries, so memory stays flat.
 * A query inside a channel is also on the sent list, in the order it was
 * sent, so the tick can find the queries older than the stale age from
 * its head without looking at the others (resolver_set_stale).
 */
#include "resolver.h"
#include "sockio.h"
#include "err.h"

#include <ares.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 2000u
#define DEFAULT_TRIES 2u
#define DEFAULT_MAX_INFLIGHT 4096u
/* 1.18 finds a free 16-bit query ID by looping: stay far below 65536. */
#define MAX_INFLIGHT_CAP 8192u
#define DEFAULT_RCVBUF (4 * 1024 * 1024)
#define TICK_MAX_MS 100u
#define TICK_MIN_MS 10u
#define CLASS_IN 1
/* Deferred completions kept without allocation when even the query record
 * could not be allocated. */
#define OOM_RING 64

struct resolver;
struct chan;

struct sockw { /* one c-ares socket we watch */
  uv_poll_t poll;
  ares_socket_t fd;
  struct chan *ch;
  struct sockw *next;
};

struct chan {
  struct resolver *r;
  ares_channel ch;
  size_t inflight; /* queries inside this channel */
  struct sockw *socks;
};

struct rq {
  struct resolver *r;
  struct chan *ch;
  resolver_cb cb;
  void *arg;
  int type;
  int status;          /* deferred delivery: the status to report */
  unsigned char *abuf; /* deferred delivery: our copy of the packet */
  int alen;
  uint64_t t_sent;     /* uv_hrtime() when handed to c-ares */
  int stale;           /* counted in r->stale, not against the window */
  struct rq *next;
  struct rq *sprev, *snext; /* the sent list, while inside a channel */
  char name[2 * RESOLVER_NAME_MAX + 1]; /* as handed to c-ares: '\\' escaped */
};

struct oom_entry {
  resolver_cb cb;
  void *arg;
};

struct resolver {
  uv_loop_t *loop;
  struct chan *chans;
  unsigned nchan;
  size_t max_per_chan;
  size_t window;   /* cap on `sent - stale`; SIZE_MAX = none (resolver_set_window) */
  size_t cap;      /* cap on `sent`; SIZE_MAX = none (resolver_set_cap) */
  uint64_t late;   /* answers that came only after a retry (resolver_late) */
  size_t inflight; /* accepted, not yet delivered */
  size_t sent;     /* inside c-ares */
  size_t stale;    /* of those, sent longer ago than stale_ns */
  uint64_t stale_ns;       /* 0 = nothing goes stale */
  struct rq *sent_head, *sent_tail; /* inside c-ares, oldest first */
  struct rq *young_head;   /* first query of the sent list not yet stale */
  uint64_t rtt_min;        /* lowest first-try latency since resolver_rtt_min() */
  uint64_t rtt_n;          /* first-try answers since then */
  unsigned in_dispatch; /* >0 while we are inside ares_query / resolver_query */
  struct rq *wait_head, *wait_tail;
  struct rq *done_head, *done_tail;
  struct rq *free_list;
  struct oom_entry oom[OOM_RING];
  unsigned oom_n;
  struct sockio *sio; /* batched UDP I/O of every channel (sockio.h) */
  uv_timer_t tick;
  uv_idle_t idle;
  uv_prepare_t flush; /* hands queued datagrams to the kernel before the loop blocks */
  unsigned tick_ms;
  unsigned handles; /* initialised handles not yet closed */
  int lib_init;
  int closing, destroyed;
  void (*closed_cb)(void *);
  void *closed_arg;
};

/* ---- query records ------------------------------------------------------ */

static struct rq *rq_get(struct resolver *r) {
  struct rq *q = r->free_list;
  if (q) r->free_list = q->next;
  else if (!(q = malloc(sizeof *q))) return NULL;
  memset(q, 0, offsetof(struct rq, name));
  q->name[0] = '\0';
  q->r = r;
  return q;
}

static void rq_put(struct resolver *r, struct rq *q) {
  free(q->abuf);
  q->abuf = NULL;
  q->next = r->free_list;
  r->free_list = q;
}

static void list_push(struct rq **head, struct rq **tail, struct rq *q) {
  q->next = NULL;
  if (*tail) (*tail)->next = q;
  else *head = q;
  *tail = q;
}

static struct rq *list_pop(struct rq **head, struct rq **tail) {
  struct rq *q = *head;
  if (q) {
    *head = q->next;
    if (!*head) *tail = NULL;
    q->next = NULL;
  }
  return q;
}

/* ---- delivery ----------------------------------------------------------- */

static void on_idle(uv_idle_t *h);

/* Hand `q` to the caller now.  The record is recycled first, so the
 * callback may start a query that reuses it. */
static void deliver(struct resolver *r, struct rq *q, int status, const unsigned char *abuf,
                    int alen) {
  resolver_cb cb = q->cb;
  void *arg = q->arg;
  unsigned char *owned = q->abuf;
  q->abuf = NULL;
  rq_put(r, q);
  r->inflight--;
  cb(arg, status, abuf, alen);
  free(owned);
}

/* Queue `q` for delivery from the idle handle.  A packet is copied: c-ares
 * frees it when our callback returns. */
static void defer(struct resolver *r, struct rq *q, int status, const unsigned char *abuf,
                  int alen) {
  q->status = status;
  q->alen = 0;
  if (abuf && alen > 0) {
    q->abuf = malloc((size_t)alen);
    if (q->abuf) {
      memcpy(q->abuf, abuf, (size_t)alen);
      q->alen = alen;
    } else if (status == ARES_SUCCESS) {
      q->status = ARES_ENOMEM;
    }
  }
  list_push(&r->done_head, &r->done_tail, q);
  uv_idle_start(&r->idle, on_idle);
}

/* ---- channels ----------------------------------------------------------- */

static void on_tick(uv_timer_t *t);

static void tick_update(struct resolver *r) {
  int active = uv_is_active((uv_handle_t *)&r->tick);
  if (r->sent && !active && !r->destroyed)
    uv_timer_start(&r->tick, on_tick, r->tick_ms, r->tick_ms);
  else if (!r->sent && active)
    uv_timer_stop(&r->tick);
}

static void sent_unlink(struct resolver *r, struct rq *q) {
  if (r->young_head == q) r->young_head = q->snext;
  if (q->sprev) q->sprev->snext = q->snext;
  else r->sent_head = q->snext;
  if (q->snext) q->snext->sprev = q->sprev;
  else r->sent_tail = q->sprev;
  q->sprev = q->snext = NULL;
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
  struct rq *q = arg;
  struct resolver *r = q->r;
  q->ch->inflight--;
  r->sent--;
  if (q->stale) r->stale--;
  sent_unlink(r, q);
  if (abuf && timeouts > 0) r->late++;
  if (abuf && timeouts == 0) { /* a first-try answer: a clean sample */
    uint64_t rtt = uv_hrtime() - q->t_sent;
    if (!r->rtt_n || rtt < r->rtt_min) r->rtt_min = rtt;
    r->rtt_n++;
  }
  if (r->in_dispatch) {
    /* Completed inside ares_query, i.e. inside resolver_query or our own
     * FIFO pump: never call the caller back from there. */
    defer(r, q, status, abuf, alen);
    return;
  }
  deliver(r, q, status, abuf, alen);
}

static struct chan *least_loaded(struct resolver *r) {
  if (r->sent - r->stale >= r->window || r->sent >= r->cap) return NULL;
  struct chan *best = &r->chans[0];
  for (unsigned i = 1; i < r->nchan; i++)
    if (r->chans[i].inflight < best->inflight) best = &r->chans[i];
  return best->inflight < r->max_per_chan ? best : NULL;
}

static void dispatch(struct resolver *r, struct rq *q, struct chan *c) {
  q->ch = c;
  /* Every query is timed (a clock read costs ~25 ns here): the window is
   * steered by the fastest answer of each interval, and a sample of one
   * query in eight would often hold no cache hit at all. */
  q->t_sent = uv_hrtime();
  q->stale = 0;
  q->snext = NULL;
  q->sprev = r->sent_tail;
  if (r->sent_tail) r->sent_tail->snext = q;
  else r->sent_head = q;
  r->sent_tail = q;
  if (!r->young_head) r->young_head = q;
  c->inflight++;
  r->sent++;
  tick_update(r);
  r->in_dispatch++;
  ares_query(c->ch, q->name, CLASS_IN, q->type, on_answer, q);
  r->in_dispatch--;
}

/* Move waiting queries into channels with room.  Called where no caller
 * state can be inconsistent: from the loop, after a delivery. */
static void pump(struct resolver *r) {
  struct chan *c;
  while (!r->closing && r->wait_head && (c = least_loaded(r)))
    dispatch(r, list_pop(&r->wait_head, &r->wait_tail), c);
  tick_update(r);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  struct sockw *w = h->data;
  struct resolver *r = w->ch->r;
  ares_channel ch = w->ch->ch;
  ares_socket_t fd = w->fd;
  ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;
  if (status < 0) {
    /* Let c-ares find the error itself, as Node's cares_wrap does. */
    rfd = wfd = fd;
  } else {
    if (events & UV_READABLE) rfd = fd;
    if (events & UV_WRITABLE) wfd = fd;
  }
  /* c-ares may close this socket (and we free `w`) inside: touch nothing
   * of the watcher after this call. */
  ares_process_fd(ch, rfd, wfd);
  pump(r);
}

/* c-ares should read `fd` although the kernel may not report it readable
 * (sockio.h): find its channel. */
static void on_sockio_read(void *arg, ares_socket_t fd) {
  struct resolver *r = arg;
  for (unsigned i = 0; i < r->nchan; i++)
    for (struct sockw *w = r->chans[i].socks; w; w = w->next)
      if (w->fd == fd) {
        ares_process_fd(r->chans[i].ch, fd, ARES_SOCKET_BAD);
        pump(r);
        return;
      }
}

/* Once per loop iteration, just before it blocks: every query c-ares sent
 * in this iteration leaves in one sendmmsg() per socket.  The read
 * callback may send again; a second pass sends those. */
static void on_prepare(uv_prepare_t *h) {
  struct resolver *r = h->data;
  if (r->destroyed) return;
  if (sockio_flush(r->sio)) sockio_flush(r->sio);
}

static void on_tick(uv_timer_t *t) {
  struct resolver *r = t->data;
  for (unsigned i = 0; i < r->nchan; i++)
    ares_process_fd(r->chans[i].ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  pump(r);
}

static void maybe_finish_close(struct resolver *r);

static void on_handle_closed(uv_handle_t *h) {
  struct resolver *r = h->data;
  r->handles--;
  maybe_finish_close(r);
}

static void on_sock_closed(uv_handle_t *h) {
  struct sockw *w = h->data;
  struct resolver *r = w->ch->r;
  free(w);
  r->handles--;
  maybe_finish_close(r);
}

static void sock_unwatch(struct sockw *w) {
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, on_sock_closed);
}

/*
 * c-ares tells us which sockets to watch.  (fd, 0, 0) comes just before it
 * closes fd: stop and close the watcher at once, because c-ares may open a
 * new socket with the same number before the loop runs again and
 * uv_poll_init would then fail with UV_EEXIST.
 */
static void sock_state_cb(void *data, ares_socket_t fd, int readable, int writable) {
  struct chan *c = data;
  struct resolver *r = c->r;
  struct sockw **pp = &c->socks, *w;
  while ((w = *pp) && w->fd != fd) pp = &w->next;
  if (!readable && !writable) {
    if (w) {
      *pp = w->next;
      sock_unwatch(w);
    }
    return;
  }
  if (!w) {
    /* On failure the socket stays unwatched and its queries time out. */
    if (!(w = malloc(sizeof *w))) return;
    if (uv_poll_init_socket(r->loop, &w->poll, fd) != 0) {
      free(w);
      return;
    }
    r->handles++;
    w->fd = fd;
    w->ch = c;
    w->poll.data = w;
    w->next = c->socks;
    c->socks = w;
    /* Sockets stay open between bursts (STAYOPEN); only the tick timer,
     * active while queries are out, keeps the loop alive. */
    uv_unref((uv_handle_t *)&w->poll);
  }
  uv_poll_start(&w->poll, (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0), on_poll);
}

static int chan_init(struct resolver *r, struct chan *c, const struct resolver_opts *o,
                     unsigned timeout_ms, unsigned tries, char *err, size_t errlen) {
  static char lookups[] = "b"; /* DNS only: never /etc/hosts */
  struct ares_options opts;
  int mask = 0;

  memset(&opts, 0, sizeof opts);
  c->r = r;
  opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_STAYOPEN;
  mask |= ARES_OPT_FLAGS;
  opts.timeout = (int)timeout_ms;
  mask |= ARES_OPT_TIMEOUTMS;
  opts.tries = (int)tries;
  mask |= ARES_OPT_TRIES;
  opts.lookups = lookups;
  mask |= ARES_OPT_LOOKUPS;
  opts.sock_state_cb = sock_state_cb;
  opts.sock_state_cb_data = c;
  mask |= ARES_OPT_SOCK_STATE_CB;
  if (o->rcvbuf >= 0) {
    opts.socket_receive_buffer_size = o->rcvbuf ? o->rcvbuf : DEFAULT_RCVBUF;
    mask |= ARES_OPT_SOCK_RCVBUF;
  }
#ifdef ARES_OPT_UDP_MAX_QUERIES
  /* c-ares >= 1.20: move to a fresh source port every so often. */
  opts.udp_max_queries = (int)MAX_INFLIGHT_CAP;
  mask |= ARES_OPT_UDP_MAX_QUERIES;
#endif
#ifdef ARES_OPT_QUERY_CACHE
  /* c-ares >= 1.31 caches answers by default; an audit wants fresh ones. */
  opts.qcache_max_ttl = 0;
  mask |= ARES_OPT_QUERY_CACHE;
#endif
  int rc = ares_init_options(&c->ch, &opts, mask);
  if (rc != ARES_SUCCESS) {
    c->ch = NULL;
    return err_set(err, errlen, rc == ARES_ENOMEM ? UV_ENOMEM : UV_EINVAL,
                "cannot set up the DNS resolver: %s", ares_strerror(rc));
  }
  sockio_install(r->sio, c->ch);
  if (o->servers_csv && o->servers_csv[0]) {
    rc = ares_set_servers_ports_csv(c->ch, o->servers_csv);
    if (rc != ARES_SUCCESS)
      return err_set(err, errlen, rc == ARES_ENOMEM ? UV_ENOMEM : UV_EINVAL,
                  "bad resolver list '%s': %s", o->servers_csv, ares_strerror(rc));
  }
  return 0;
}

static void resolver_free(struct resolver *r) {
  struct rq *q;
  while ((q = r->free_list)) {
    r->free_list = q->next;
    free(q->abuf);
    free(q);
  }
  free(r->chans);
  sockio_free(r->sio);
  if (r->lib_init) ares_library_cleanup();
  free(r);
}

/* ---- public ------------------------------------------------------------- */

int resolver_new(struct resolver **out, uv_loop_t *loop, const struct resolver_opts *o,
                 char *err, size_t errlen) {
  struct resolver *r;
  unsigned timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
  unsigned tries = o->tries ? o->tries : DEFAULT_TRIES;
  unsigned nchan = o->channels ? o->channels : 1;
  unsigned maxq = o->max_inflight_per_channel ? o->max_inflight_per_channel : DEFAULT_MAX_INFLIGHT;
  int rc;

  *out = NULL;
  if (nchan > RESOLVER_MAX_CHANNELS)
    return err_set(err, errlen, UV_EINVAL, "at most %d DNS channels", RESOLVER_MAX_CHANNELS);
  if (timeout_ms > (unsigned)INT32_MAX / 2) timeout_ms = (unsigned)INT32_MAX / 2;
  if (maxq > MAX_INFLIGHT_CAP) maxq = MAX_INFLIGHT_CAP;

  if (!(r = calloc(1, sizeof *r)) || !(r->chans = calloc(nchan, sizeof *r->chans))) {
    free(r);
    return err_set(err, errlen, UV_ENOMEM, "out of memory");
  }
  r->window = SIZE_MAX;
  r->cap = SIZE_MAX;
  r->loop = loop;
  r->nchan = nchan;
  r->max_per_chan = maxq;
  /* The tick is how late a timeout can fire; a quarter of the timeout,
   * at most 100 ms, keeps short test timeouts honest. */
  r->tick_ms = timeout_ms / 4;
  if (r->tick_ms > TICK_MAX_MS) r->tick_ms = TICK_MAX_MS;
  if (r->tick_ms < TICK_MIN_MS) r->tick_ms = TICK_MIN_MS;

  /* Reference-counted in c-ares: each resolver takes and drops one. */
  rc = ares_library_init(ARES_LIB_INIT_ALL);
  if (rc != ARES_SUCCESS) {
    resolver_free(r);
    return err_set(err, errlen, UV_ENOMEM, "c-ares: %s", ares_strerror(rc));
  }
  r->lib_init = 1;
  if (sockio_new(&r->sio, o->rcvbuf < 0 ? 0 : o->rcvbuf ? o->rcvbuf : DEFAULT_RCVBUF,
                 on_sockio_read, r) != 0) {
    resolver_free(r);
    return err_set(err, errlen, UV_ENOMEM, "out of memory");
  }
  for (unsigned i = 0; i < nchan; i++) {
    if ((rc = chan_init(r, &r->chans[i], o, timeout_ms, tries, err, errlen)) != 0) {
      for (unsigned j = 0; j <= i; j++)
        if (r->chans[j].ch) ares_destroy(r->chans[j].ch); /* no sockets yet */
      resolver_free(r);
      return rc;
    }
  }
  uv_timer_init(loop, &r->tick);
  uv_idle_init(loop, &r->idle);
  uv_prepare_init(loop, &r->flush);
  r->tick.data = r;
  r->idle.data = r;
  r->flush.data = r;
  r->handles = 3;
  /* Runs every iteration but never keeps the loop alive by itself. */
  uv_prepare_start(&r->flush, on_prepare);
  uv_unref((uv_handle_t *)&r->flush);
  *out = r;
  return 0;
}

void resolver_query(struct resolver *r, const char *name, int type, resolver_cb cb, void *arg) {
  struct rq *q = rq_get(r);
  if (!q) {
    /* Not even the record: deliver from the idle handle through a fixed
     * ring; beyond that there is no way left to defer. */
    if (r->oom_n < OOM_RING) {
      r->oom[r->oom_n].cb = cb;
      r->oom[r->oom_n++].arg = arg;
      r->inflight++;
      uv_idle_start(&r->idle, on_idle);
    } else {
      cb(arg, ARES_ENOMEM, NULL, 0);
    }
    return;
  }
  q->cb = cb;
  q->arg = arg;
  q->type = type;
  r->inflight++;
  size_t len = name ? strlen(name) : 0;
  if (r->closing) {
    defer(r, q, ARES_ECANCELLED, NULL, 0);
    return;
  }
  if (!name || len > RESOLVER_NAME_MAX) {
    defer(r, q, ARES_EBADNAME, NULL, 0);
    return;
  }
  /* Names are raw bytes, but c-ares reads a backslash as an escape
   * ("\\c" is c in 1.18; newer releases also read "\\DDD"): double each
   * one so the query asks for exactly the bytes we were given, the name
   * dnsreply then compares the answer's question with. */
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (name[i] == '\\') q->name[n++] = '\\';
    q->name[n++] = name[i];
  }
  q->name[n] = '\0';
  struct chan *c;
  if (!r->wait_head && (c = least_loaded(r)))
    dispatch(r, q, c); /* a synchronous completion is deferred (in_dispatch) */
  else
    list_push(&r->wait_head, &r->wait_tail, q);
}

size_t resolver_inflight(const struct resolver *r) { return r->inflight; }

uint64_t resolver_drops(const struct resolver *r) { return sockio_drops(r->sio); }

uint64_t resolver_rtt_min(struct resolver *r, uint64_t *min_ns) {
  uint64_t n = r->rtt_n;
  *min_ns = n ? r->rtt_min : 0;
  r->rtt_n = 0;
  r->rtt_min = 0;
  return n;
}

void resolver_set_cap(struct resolver *r, size_t cap) {
  size_t old = r->cap;
  r->cap = cap ? cap : SIZE_MAX;
  if (r->cap > old && !r->in_dispatch) pump(r);
}

uint64_t resolver_late(const struct resolver *r) { return r->late; }

void resolver_set_stale(struct resolver *r, uint64_t stale_ns) {
  r->stale_ns = stale_ns;
  resolver_age(r);
}

void resolver_age(struct resolver *r) {
  if (!r->stale_ns || r->closing) return;
  uint64_t now = uv_hrtime();
  size_t before = r->stale;
  /* The sent list is in sending order, so the stale queries are a prefix
   * of it: walk on from the first young one and stop at the first query
   * still young.  O(queries turning stale).  A stale query stays stale
   * until it is answered, even if the stale age grows. */
  struct rq *q = r->young_head;
  for (; q && now - q->t_sent >= r->stale_ns; q = q->snext) {
    q->stale = 1;
    r->stale++;
  }
  r->young_head = q;
  if (r->stale > before && !r->in_dispatch) pump(r);
}

void resolver_counts(const struct resolver *r, size_t *young, size_t *stale, size_t *waiting) {
  *young = r->sent - r->stale;
  *stale = r->stale;
  *waiting = r->inflight - r->sent;
}

void resolver_set_window(struct resolver *r, size_t window) {
  size_t old = r->window;
  r->window = window ? window : SIZE_MAX;
  if (r->window > old && !r->in_dispatch) pump(r);
}

static void close_handles(struct resolver *r) {
  for (unsigned i = 0; i < r->nchan; i++) {
    struct sockw *w;
    while ((w = r->chans[i].socks)) {
      r->chans[i].socks = w->next;
      sock_unwatch(w);
    }
  }
  uv_close((uv_handle_t *)&r->tick, on_handle_closed);
  uv_close((uv_handle_t *)&r->idle, on_handle_closed);
  uv_close((uv_handle_t *)&r->flush, on_handle_closed);
}

/* The close sequence, run from the idle handle (outside any c-ares
 * callback): cancel waiting queries, destroy the channels (pending
 * callbacks fire with ARES_EDESTRUCTION and c-ares reports its sockets
 * closed), deliver what is left, close the handles. */
static void close_now(struct resolver *r) {
  struct rq *q;
  r->destroyed = 1;
  uv_timer_stop(&r->tick);
  while ((q = list_pop(&r->wait_head, &r->wait_tail))) deliver(r, q, ARES_ECANCELLED, NULL, 0);
  for (unsigned i = 0; i < r->nchan; i++) {
    ares_destroy(r->chans[i].ch);
    r->chans[i].ch = NULL;
  }
  /* Callbacks above may have queried again (they were told not to): those
   * completions were deferred; deliver them, and any they cause. */
  while (r->done_head || r->oom_n) {
    while ((q = list_pop(&r->done_head, &r->done_tail)))
      deliver(r, q, q->status, q->abuf, q->alen);
    while (r->oom_n) {
      struct oom_entry e = r->oom[--r->oom_n];
      r->inflight--;
      e.cb(e.arg, ARES_ECANCELLED, NULL, 0);
    }
  }
  close_handles(r);
}

static void maybe_finish_close(struct resolver *r) {
  if (!r->destroyed || r->handles) return;
  void (*cb)(void *) = r->closed_cb;
  void *arg = r->closed_arg;
  resolver_free(r);
  if (cb) cb(arg);
}

static void on_idle(uv_idle_t *h) {
  struct resolver *r = h->data;
  /* Deliver what was queued before this call; anything the callbacks
   * queue goes to the next loop iteration. */
  struct rq *q = r->done_head;
  struct oom_entry oom[OOM_RING];
  unsigned noom = r->oom_n;
  r->done_head = r->done_tail = NULL;
  memcpy(oom, r->oom, noom * sizeof oom[0]);
  r->oom_n = 0;
  for (unsigned i = 0; i < noom; i++) {
    r->inflight--;
    oom[i].cb(oom[i].arg, ARES_ENOMEM, NULL, 0);
  }
  while (q) {
    struct rq *next = q->next; /* deliver() recycles q */
    deliver(r, q, q->status, q->abuf, q->alen);
    q = next;
  }
  if (r->closing && !r->destroyed) {
    close_now(r);
    return;
  }
  if (!r->done_head && !r->oom_n) uv_idle_stop(&r->idle);
  pump(r);
}

void resolver_close(struct resolver *r, void (*closed)(void *arg), void *arg) {
  if (r->closing) return;
  r->closing = 1;
  r->closed_cb = closed;
  r->closed_arg = arg;
  uv_idle_start(&r->idle, on_idle);
}

enum dns_status resolver_status(int s) {
  switch (s) {
  case ARES_ENOTFOUND: return DNS_NXDOMAIN;
  case ARES_ENODATA: return DNS_NODATA;
  case ARES_ESERVFAIL: return DNS_SERVFAIL;
  case ARES_EREFUSED: return DNS_REFUSED;
  case ARES_ETIMEOUT: return DNS_TIMEOUT;
  case ARES_SUCCESS: /* success without a packet: nothing to trust */
  case ARES_EBADRESP:
  case ARES_EFORMERR:
  case ARES_ENOTIMP:
  case ARES_EBADNAME: return DNS_BADRESP;
  default: return DNS_ERROR; /* ECONNREFUSED, ENOMEM, ECANCELLED, ... */
  }
}
