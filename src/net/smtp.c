/* SPDX-License-Identifier: MIT */
/*
 * smtp.c - the SMTP banner probe.  See smtp.h for the contract.
 *
 * Phases: CONNECT -> GREETING -> [EHLO] -> QUIT -> CLOSING.  One timer
 * holds the deadline of the current phase; it is re-armed only when the
 * phase changes, never when bytes arrive, so a dripping peer cannot
 * stretch a phase.  Every way out goes through finish(), which closes the
 * TCP handle (if it was opened) and the timer; the user callback runs from
 * the last close callback, so it can reuse the struct.  Once CLOSING, late
 * libuv callbacks (connect, write or shutdown with UV_ECANCELED, a read)
 * are ignored.
 *
 * The QUIT phase is the polite close: QUIT, read the reply, shut down the
 * write side (our FIN), read until the peer's EOF, close.  Reading goes on
 * through the whole phase so that nothing is left unread when the socket
 * is closed: Linux answers a close() with unread data with RST.
 *
 * Memory: the read buffer, the write/shutdown requests and the EHLO state
 * (struct smtp_mem) are allocated in the alloc callback, that is when the
 * socket first has something to read; the greeting allocates its own
 * buffer on its first byte.  Requests live in smtp_mem because nothing is
 * written before the greeting's final line, so it always exists by then.
 *
 * libuv 1.44 behaviour this relies on:
 *   - uv_close() on a connecting handle runs the connect callback with
 *     UV_ECANCELED before the close callback; pending writes and shutdowns
 *     likewise.
 *   - uv_tcp_connect() may fail synchronously (ENETUNREACH, EADDRNOTAVAIL);
 *     the handle is open and must still be closed.
 *   - uv_tcp_init_ex() with an address family creates the socket at once:
 *     EMFILE/ENFILE show up there, and on failure the handle was never
 *     added to the loop (nothing to close).
 *   - uv__finish_close() reads the next closing handle before calling our
 *     close callback, so re-initialising the handles inside it is safe.
 *   - uv_read callbacks use the buffer given by alloc_cb before asking for
 *     another one: one buffer per probe is enough.  An alloc_cb returning a
 *     zero-length buffer makes the read callback see UV_ENOBUFS.
 *   - uv_shutdown() waits for queued writes, then shuts down the write side.
 */
#include "smtp.h"

#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

enum { PH_CONNECT = 0, PH_GREETING, PH_EHLO, PH_QUIT, PH_CLOSING };

struct smtp_mem {
  uv_write_t wr;              /* EHLO, then QUIT: one at a time (p->writing) */
  uv_shutdown_t sd;
  struct greeting_scan reply; /* the EHLO reply, then the QUIT reply */
  int shut;                   /* uv_shutdown issued */
  char ehlo_host[SMTP_EHLO_NAME_MAX + 1];
  char wbuf[5 + SMTP_EHLO_NAME_MAX + 3]; /* "EHLO " name "\r\n" */
  char rbuf[SMTP_READ_BUF];
};

static char quit_line[] = "QUIT\r\n";

void smtp_timing_defaults(struct smtp_timing *t) {
  t->connect_ms = SMTP_CONNECT_MS_DEFAULT;
  t->greeting_ms = SMTP_GREETING_MS_DEFAULT;
  t->ehlo_ms = SMTP_EHLO_MS_DEFAULT;
  t->quit_ms = SMTP_QUIT_MS_DEFAULT;
}

/* Local resource shortage: not the target's fault.  Running out of sockets
 * is back-pressure (the pipeline waits and retries), never a per-target
 * result. */
static int is_backpressure(int err) {
  return err == UV_EMFILE || err == UV_ENFILE || err == UV_ENOBUFS || err == UV_ENOMEM ||
         err == UV_EADDRNOTAVAIL;
}

/* Status of a libuv error before the final greeting line. */
static enum smtp_status status_of(int err) {
  switch (err) {
  case UV_ECONNREFUSED: return SMTP_REFUSED;
  case UV_ECONNRESET:
  case UV_EPIPE: return SMTP_RESET;
  case UV_EOF: return SMTP_CLOSED;
  case SMTP_ERR_CONNECT_TIMEOUT:
  case SMTP_ERR_GREETING_TIMEOUT: return SMTP_TIMEOUT;
  default: return SMTP_ERROR;
  }
}

static void on_close(uv_handle_t *h) {
  struct smtp_probe *p = h->data;
  if (--p->pending_close > 0) return;
  /* Every handle is closed: hand the struct back.  Nothing of `p` may be
   * touched after the callback (it may restart or free it). */
  smtp_done_cb cb = p->cb;
  void *arg = p->arg;
  cb(p, p->status, arg);
}

static void finish(struct smtp_probe *p, enum smtp_status st, int err) {
  if (p->phase == PH_CLOSING) return;
  p->phase = PH_CLOSING;
  p->status = st;
  p->uv_err = st == SMTP_BANNER ? 0 : err;
  if (st != SMTP_BANNER && is_backpressure(err)) {
    p->sys_err = err;
    p->status = SMTP_ERROR;
  }
  p->pending_close = 1;
  uv_close((uv_handle_t *)&p->timer, on_close);
  if (p->tcp_open) {
    p->pending_close++;
    uv_close((uv_handle_t *)&p->tcp, on_close);
  }
}

/* Failure before the final greeting line. */
static void fail(struct smtp_probe *p, int err) { finish(p, status_of(err), err); }

/* After the greeting: whatever happens, the banner stands. */
static void done(struct smtp_probe *p) { finish(p, SMTP_BANNER, 0); }

static void on_timer(uv_timer_t *t);

/* (Re)start the one deadline of the current phase. */
static void arm(struct smtp_probe *p, uint64_t ms) { uv_timer_start(&p->timer, on_timer, ms, 0); }

static uint64_t elapsed_ms(const struct smtp_probe *p) {
  return (uv_hrtime() - p->t0) / 1000000u;
}

static void on_written(uv_write_t *req, int status);

static int write_line(struct smtp_probe *p, char *line, size_t len) {
  uv_buf_t b = uv_buf_init(line, (unsigned)len);
  p->mem->wr.data = p;
  int rc = uv_write(&p->mem->wr, (uv_stream_t *)&p->tcp, &b, 1, on_written);
  if (rc == 0) p->writing = 1;
  return rc;
}

/* Send QUIT and give the rest of the session quit_ms.  If EHLO is still
 * being written (a peer that does not read), QUIT follows it from
 * on_written; the deadline runs from now either way. */
static void send_quit(struct smtp_probe *p) {
  p->phase = PH_QUIT;
  greeting_scan_init(&p->mem->reply);
  arm(p, p->t.quit_ms);
  if (p->writing) {
    p->quit_queued = 1;
    return;
  }
  if (write_line(p, quit_line, sizeof quit_line - 1) != 0) done(p);
}

static void on_written(uv_write_t *req, int status) {
  struct smtp_probe *p = req->data;
  if (p->phase == PH_CLOSING) return; /* cancelled by our own close */
  p->writing = 0;
  if (status < 0) {
    done(p); /* the peer is gone */
    return;
  }
  if (p->quit_queued) {
    p->quit_queued = 0;
    if (write_line(p, quit_line, sizeof quit_line - 1) != 0) done(p);
  }
}

static void on_shutdown(uv_shutdown_t *req, int status) {
  struct smtp_probe *p = req->data;
  if (p->phase == PH_CLOSING) return;
  if (status < 0) done(p); /* could not send our FIN: nothing left to wait for */
}

/* The QUIT reply is in (or the peer sent junk): our FIN, then wait for
 * theirs (on_read sees UV_EOF). */
static void quit_reply_done(struct smtp_probe *p) {
  if (p->mem->shut) return;
  p->mem->shut = 1;
  p->mem->sd.data = p;
  if (uv_shutdown(&p->mem->sd, (uv_stream_t *)&p->tcp, on_shutdown) != 0) done(p);
}

/* The final greeting line is in: nothing was written so far. */
static void greeting_done(struct smtp_probe *p) {
  uint64_t ns = uv_hrtime() - p->t0;
  p->greeting_ms = (unsigned)((ns + 999999u) / 1000000u);
  if (p->greeting_ms == 0) p->greeting_ms = 1;
  int code = greeting_code(&p->g);
  if (p->ehlo_name != NULL && code >= 200 && code <= 299) {
    struct smtp_mem *m = p->mem;
    size_t n = strlen(p->ehlo_name);
    memcpy(m->wbuf, "EHLO ", 5);
    memcpy(m->wbuf + 5, p->ehlo_name, n);
    memcpy(m->wbuf + 5 + n, "\r\n", 2);
    greeting_scan_init(&m->reply);
    p->phase = PH_EHLO;
    if (write_line(p, m->wbuf, 5 + n + 2) != 0) {
      done(p);
      return;
    }
    arm(p, p->t.ehlo_ms); /* from the write: a dripping reply cannot extend it */
    return;
  }
  send_quit(p);
}

static void ehlo_done(struct smtp_probe *p) {
  struct smtp_mem *m = p->mem;
  int code = greeting_scan_code(&m->reply);
  if (code >= 200 && code <= 299) {
    const char *h = greeting_scan_host(&m->reply);
    size_t n = strlen(h);
    if (n > SMTP_EHLO_NAME_MAX) n = SMTP_EHLO_NAME_MAX;
    memcpy(m->ehlo_host, h, n);
    m->ehlo_host[n] = '\0';
  }
  send_quit(p);
}

static void on_timer(uv_timer_t *t) {
  struct smtp_probe *p = t->data;
  switch (p->phase) {
  case PH_CONNECT: fail(p, SMTP_ERR_CONNECT_TIMEOUT); break;
  case PH_GREETING: fail(p, SMTP_ERR_GREETING_TIMEOUT); break;
  case PH_EHLO: send_quit(p); break; /* no EHLO reply in time: quit anyway */
  case PH_QUIT: done(p); break;      /* no 221 or no FIN in time: close regardless */
  default: break;
  }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  struct smtp_probe *p = h->data;
  if (p->mem == NULL) {
    p->mem = malloc(sizeof *p->mem);
    if (p->mem == NULL) {
      *buf = uv_buf_init(NULL, 0); /* the read callback gets UV_ENOBUFS */
      return;
    }
    p->mem->shut = 0;
    p->mem->ehlo_host[0] = '\0';
  }
  *buf = uv_buf_init(p->mem->rbuf, sizeof p->mem->rbuf);
}

static void read_greeting(struct smtp_probe *p, const char *data, size_t n) {
  switch (greeting_feed(&p->g, data, n)) {
  case GREETING_MORE: return;
  case GREETING_DONE: greeting_done(p); return;
  case GREETING_OVERFLOW: finish(p, SMTP_ERROR, UV_E2BIG); return;
  case GREETING_NOMEM: finish(p, SMTP_ERROR, UV_ENOMEM); return;
  default: finish(p, SMTP_ERROR, UV_EPROTO); return;
  }
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  struct smtp_probe *p = s->data;
  if (p->phase == PH_CLOSING || nread == 0) return;
  if (p->phase == PH_GREETING) {
    if (nread < 0)
      fail(p, (int)nread);
    else
      read_greeting(p, buf->base, (size_t)nread);
    return;
  }
  if (nread < 0) { /* EOF or reset after the greeting: the banner stands */
    done(p);
    return;
  }
  struct greeting_scan *r = &p->mem->reply;
  if (greeting_scan_status(r) != GREETING_MORE) return; /* draining to EOF */
  if (greeting_scan_feed(r, buf->base, (size_t)nread) == GREETING_MORE) return;
  if (p->phase == PH_EHLO)
    ehlo_done(p);
  else if (p->phase == PH_QUIT)
    quit_reply_done(p);
}

static void on_connect(uv_connect_t *req, int status) {
  struct smtp_probe *p = req->data;
  if (p->phase != PH_CONNECT) return; /* UV_ECANCELED from our own close */
  if (status < 0) {
    fail(p, status);
    return;
  }
  p->connected = 1;
  p->phase = PH_GREETING;
  int rc = uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read);
  if (rc < 0) {
    fail(p, rc);
    return;
  }
  /* The greeting deadline counts from the start of the connect. */
  uint64_t el = elapsed_ms(p);
  arm(p, el < p->t.greeting_ms ? p->t.greeting_ms - el : 0);
  if (p->on_connected) p->on_connected(p, p->arg);
}

static int valid_ehlo_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > SMTP_EHLO_NAME_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) return 0; /* no CR/LF injection */
  return 1;
}

static int valid_timing(const struct smtp_timing *t) {
  return t->connect_ms > 0 && t->greeting_ms > 0 && t->ehlo_ms > 0 && t->quit_ms > 0;
}

static void sockaddr_of(const struct addr *a, int port, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (a->family == 4) {
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    memcpy(&sin->sin_addr, a->b, 4);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    memcpy(&sin6->sin6_addr, a->b, 16);
  }
}

int smtp_probe_start(struct smtp_probe *p, uv_loop_t *loop, const struct addr *a, int port,
                     const struct smtp_timing *t, const char *ehlo_name,
                     smtp_connected_cb on_connected, smtp_done_cb cb, void *arg) {
  struct smtp_timing def;
  struct sockaddr_storage ss;
  if (t == NULL) {
    smtp_timing_defaults(&def);
    t = &def;
  }
  if (p == NULL || loop == NULL || a == NULL || cb == NULL || port < 1 || port > 65535 ||
      !valid_timing(t) || (a->family != 4 && a->family != 6) ||
      (ehlo_name != NULL && !valid_ehlo_name(ehlo_name)))
    return UV_EINVAL;
  sockaddr_of(a, port, &ss);

  smtp_probe_release(p); /* what the previous run left */
  p->status = SMTP_ERROR;
  p->sys_err = 0;
  p->uv_err = 0;
  p->cb = cb;
  p->on_connected = on_connected;
  p->arg = arg;
  p->ehlo_name = ehlo_name;
  p->t = *t;
  p->t0 = uv_hrtime();
  p->greeting_ms = 0;
  p->phase = PH_CONNECT;
  p->pending_close = 0;
  p->tcp_open = 0;
  p->connected = 0;
  p->writing = 0;
  p->quit_queued = 0;

  /* The timer first: it has no fd and cannot fail, and from here on every
   * outcome, even a synchronous one, can be reported by closing it. */
  uv_timer_init(loop, &p->timer);
  p->timer.data = p;

  /* Creating the socket now (not lazily in connect) makes EMFILE/ENFILE
   * appear here, where a failure leaves no handle to close. */
  int rc = uv_tcp_init_ex(loop, &p->tcp, a->family == 4 ? AF_INET : AF_INET6);
  if (rc < 0) {
    fail(p, rc);
    return 0;
  }
  p->tcp_open = 1;
  p->tcp.data = p;
  p->conn.data = p;
  rc = uv_tcp_connect(&p->conn, &p->tcp, (const struct sockaddr *)&ss, on_connect);
  if (rc < 0) {
    fail(p, rc);
    return 0;
  }
  arm(p, t->connect_ms < t->greeting_ms ? t->connect_ms : t->greeting_ms);
  return 0;
}

void smtp_probe_release(struct smtp_probe *p) {
  greeting_free(&p->g);
  free(p->mem);
  p->mem = NULL;
}

int smtp_probe_backpressure(const struct smtp_probe *p) { return p->sys_err != 0; }
int smtp_probe_code(const struct smtp_probe *p) { return greeting_code(&p->g); }
const char *smtp_probe_host(const struct smtp_probe *p) { return greeting_host(&p->g); }
const char *smtp_probe_ehlo_host(const struct smtp_probe *p) {
  return p->mem ? p->mem->ehlo_host : "";
}
int smtp_probe_was_connected(const struct smtp_probe *p) { return p->connected; }
unsigned smtp_probe_greeting_ms(const struct smtp_probe *p) { return p->greeting_ms; }

size_t smtp_probe_heap_bytes(const struct smtp_probe *p) {
  return greeting_heap_bytes(&p->g) + (p->mem ? sizeof *p->mem : 0);
}

size_t smtp_probe_text(const struct smtp_probe *p, char *buf, size_t size) {
  size_t n = greeting_text_len(&p->g);
  if (n > size) n = size;
  if (n) memcpy(buf, greeting_text(&p->g), n);
  return n;
}
