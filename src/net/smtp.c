/*
 * smtp.c - the SMTP banner probe.  See smtp.h for the contract.
 *
 * Phases: CONNECT -> GREETING -> [EHLO] -> QUIT -> CLOSING.  Every way out
 * goes through finish(), which closes the TCP handle (if it was opened) and
 * the timer; the user callback runs from the last close callback, so it
 * can reuse the struct.  Once CLOSING, late libuv callbacks (connect_cb
 * with UV_ECANCELED, write_cb with UV_ECANCELED, a read) are ignored.
 *
 * libuv 1.44 behaviour this relies on:
 *   - uv_close() on a connecting handle runs the connect callback with
 *     UV_ECANCELED before the close callback; pending writes likewise.
 *   - uv_tcp_connect() may fail synchronously (ENETUNREACH, EADDRNOTAVAIL);
 *     the handle is open and must still be closed.
 *   - uv_tcp_init_ex() with an address family creates the socket at once:
 *     EMFILE/ENFILE show up there, and on failure the handle was never
 *     added to the loop (nothing to close).
 *   - uv__finish_close() reads the next closing handle before calling our
 *     close callback, so re-initialising the handles inside it is safe.
 *   - uv_read callbacks use the buffer given by alloc_cb before asking for
 *     another one: one fixed buffer in the struct is enough.
 */
#include "smtp.h"

#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

enum { PH_CONNECT = 0, PH_GREETING, PH_EHLO, PH_QUIT, PH_CLOSING };

static char quit_line[] = "QUIT\r\n";

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
  case UV_ETIMEDOUT: return SMTP_TIMEOUT;
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

static void on_quit_written(uv_write_t *req, int status) {
  struct smtp_probe *p = req->data;
  if (p->phase == PH_CLOSING) return; /* cancelled by our own close */
  finish(p, SMTP_BANNER, 0);          /* written or not: we are done */
}

static void on_timer(uv_timer_t *t);

/* (Re)start the one deadline of the current phase. */
static void arm(struct smtp_probe *p, uint64_t ms) { uv_timer_start(&p->timer, on_timer, ms, 0); }

/* Send QUIT and give it SMTP_QUIT_GRACE_MS; the banner is already ours.
 * Reading stops: whatever the peer does now (RST included) changes nothing. */
static void send_quit(struct smtp_probe *p) {
  uv_buf_t b = uv_buf_init(quit_line, sizeof quit_line - 1);
  uv_read_stop((uv_stream_t *)&p->tcp);
  p->phase = PH_QUIT;
  p->quit_wr.data = p;
  if (uv_write(&p->quit_wr, (uv_stream_t *)&p->tcp, &b, 1, on_quit_written) != 0) {
    finish(p, SMTP_BANNER, 0);
    return;
  }
  arm(p, SMTP_QUIT_GRACE_MS);
}

static void on_ehlo_written(uv_write_t *req, int status) {
  struct smtp_probe *p = req->data;
  if (p->phase != PH_EHLO) return;
  if (status < 0) finish(p, SMTP_BANNER, 0); /* the peer is gone; banner stands */
}

/* The final greeting line is in: nothing was written so far. */
static void greeting_done(struct smtp_probe *p) {
  int code = greeting_code(&p->g);
  if (p->wlen > 0 && code >= 200 && code <= 299) {
    uv_buf_t b = uv_buf_init(p->wbuf, (unsigned)p->wlen);
    p->phase = PH_EHLO;
    p->wr.data = p;
    if (uv_write(&p->wr, (uv_stream_t *)&p->tcp, &b, 1, on_ehlo_written) != 0) {
      finish(p, SMTP_BANNER, 0);
      return;
    }
    arm(p, p->timeout_ms);
    return;
  }
  send_quit(p);
}

static void ehlo_done(struct smtp_probe *p) {
  int code = greeting_scan_code(&p->ehlo);
  if (greeting_scan_status(&p->ehlo) == GREETING_DONE && code >= 200 && code <= 299) {
    const char *h = greeting_scan_host(&p->ehlo);
    size_t n = strlen(h);
    if (n > SMTP_EHLO_NAME_MAX) n = SMTP_EHLO_NAME_MAX;
    memcpy(p->ehlo_host, h, n);
    p->ehlo_host[n] = '\0';
  }
  send_quit(p);
}

static void on_timer(uv_timer_t *t) {
  struct smtp_probe *p = t->data;
  switch (p->phase) {
  case PH_CONNECT:
  case PH_GREETING:
    finish(p, SMTP_TIMEOUT, UV_ETIMEDOUT);
    break;
  case PH_EHLO: /* no EHLO reply in time: quit anyway */
    send_quit(p);
    break;
  case PH_QUIT: /* QUIT not flushed within the grace: close regardless */
    finish(p, SMTP_BANNER, 0);
    break;
  default:
    break;
  }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  struct smtp_probe *p = h->data;
  *buf = uv_buf_init(p->rbuf, sizeof p->rbuf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  struct smtp_probe *p = s->data;
  if (p->phase == PH_CLOSING || nread == 0) return;
  if (p->phase == PH_GREETING) {
    if (nread < 0) {
      fail(p, (int)nread);
      return;
    }
    switch (greeting_feed(&p->g, buf->base, (size_t)nread)) {
    case GREETING_MORE: return;
    case GREETING_DONE: greeting_done(p); return;
    case GREETING_OVERFLOW: finish(p, SMTP_ERROR, UV_E2BIG); return;
    default: finish(p, SMTP_ERROR, UV_EPROTO); return;
    }
  }
  if (p->phase == PH_EHLO) {
    if (nread < 0) {
      finish(p, SMTP_BANNER, 0); /* gone after the greeting: banner stands */
      return;
    }
    if (greeting_scan_feed(&p->ehlo, buf->base, (size_t)nread) != GREETING_MORE) ehlo_done(p);
  }
}

static void on_connect(uv_connect_t *req, int status) {
  struct smtp_probe *p = req->data;
  if (p->phase != PH_CONNECT) return; /* UV_ECANCELED from our own close */
  if (status < 0) {
    fail(p, status);
    return;
  }
  p->phase = PH_GREETING;
  int rc = uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read);
  if (rc < 0) fail(p, rc);
}

static int valid_ehlo_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > SMTP_EHLO_NAME_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) return 0; /* no CR/LF injection */
  return 1;
}

int smtp_probe_start(struct smtp_probe *p, uv_loop_t *loop, const struct addr *a, int port,
                     unsigned timeout_ms, const char *ehlo_name, smtp_done_cb cb, void *arg) {
  struct sockaddr_storage ss;
  if (p == NULL || loop == NULL || a == NULL || cb == NULL || port < 1 || port > 65535 ||
      timeout_ms == 0 || (a->family != 4 && a->family != 6) ||
      (ehlo_name != NULL && !valid_ehlo_name(ehlo_name)))
    return UV_EINVAL;

  memset(&ss, 0, sizeof ss);
  if (a->family == 4) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    memcpy(&sin->sin_addr, a->b, 4);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    memcpy(&sin6->sin6_addr, a->b, 16);
  }

  greeting_init(&p->g);
  greeting_scan_init(&p->ehlo);
  p->ehlo_host[0] = '\0';
  p->status = SMTP_ERROR;
  p->sys_err = 0;
  p->uv_err = 0;
  p->cb = cb;
  p->arg = arg;
  p->timeout_ms = timeout_ms;
  p->phase = PH_CONNECT;
  p->pending_close = 0;
  p->tcp_open = 0;
  p->wlen = 0;
  if (ehlo_name != NULL) {
    size_t n = strlen(ehlo_name);
    memcpy(p->wbuf, "EHLO ", 5);
    memcpy(p->wbuf + 5, ehlo_name, n);
    memcpy(p->wbuf + 5 + n, "\r\n", 2);
    p->wlen = 5 + n + 2;
  }

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
  arm(p, timeout_ms); /* connect + whole greeting */
  return 0;
}

int smtp_probe_backpressure(const struct smtp_probe *p) { return p->sys_err != 0; }
int smtp_probe_code(const struct smtp_probe *p) { return greeting_code(&p->g); }
const char *smtp_probe_host(const struct smtp_probe *p) { return greeting_host(&p->g); }
const char *smtp_probe_ehlo_host(const struct smtp_probe *p) { return p->ehlo_host; }

size_t smtp_probe_text(const struct smtp_probe *p, char *buf, size_t size) {
  size_t n = greeting_text_len(&p->g);
  if (n > size) n = size;
  if (n) memcpy(buf, greeting_text(&p->g), n);
  return n;
}
