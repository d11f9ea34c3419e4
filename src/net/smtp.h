/*
 * smtp.h - the SMTP banner probe (libuv): connect to one address, read the
 * greeting (RFC 5321 section 4.2), optionally EHLO, QUIT, close.
 *
 * The probe struct embeds every handle, request and buffer it needs, so a
 * caller keeps a fixed pool of them: no allocation per probe.
 *
 * What goes on the wire, in order:
 *   connect(target:port)            only ever the target itself
 *   read the greeting               nothing is written before its final line
 *   [EHLO name\r\n, read the reply] only when ehlo_name is given and the
 *                                   greeting is 2xx (RFC 5321 section 3.1:
 *                                   after 4xx/5xx the client just quits)
 *   QUIT\r\n                        then close (no wait for the 221)
 * Nothing else is ever sent.
 *
 * Time limits:
 *   - connect + the whole greeting: timeout_ms, a hard deadline (a peer
 *     dripping one byte a second still times out);
 *   - the EHLO reply: its own timeout_ms from the end of the greeting; if
 *     it does not come, QUIT is sent anyway (status stays banner);
 *   - QUIT: SMTP_QUIT_GRACE_MS for the write to complete, then close
 *     regardless (a peer that never reads cannot hold us).
 * Worst case per probe: timeout_ms (+ timeout_ms with EHLO) + 1 s.
 *
 * The caller must ignore SIGPIPE (libuv does not, on Linux): a peer that
 * resets while QUIT is written would otherwise kill the process.
 */
#ifndef PTRAUDIT_SMTP_H
#define PTRAUDIT_SMTP_H

#include <stddef.h>
#include <uv.h>

#include "addr.h"
#include "greeting.h"
#include "verdict.h" /* enum smtp_status */

#define SMTP_QUIT_GRACE_MS 1000
#define SMTP_EHLO_NAME_MAX 255
#define SMTP_READ_BUF 1024

struct smtp_probe;

/* Runs exactly once per successful smtp_probe_start(), from the loop (never
 * from inside smtp_probe_start), after every handle of the probe has
 * closed: the callback may start the same struct again, or free it.
 *   - p->sys_err != 0 (smtp_probe_backpressure(p)): NOT a result for the
 *     target.  A local resource ran out (UV_EMFILE, UV_ENFILE, UV_ENOBUFS,
 *     UV_ENOMEM, UV_EADDRNOTAVAIL); `st` is SMTP_ERROR but must not be
 *     reported: requeue the probe later, with less concurrency.
 *   - otherwise `st` is the target's result:
 *       SMTP_BANNER   the final greeting line was read (any code; what
 *                     happens after it, RST included, does not change this)
 *       SMTP_REFUSED  connect: ECONNREFUSED
 *       SMTP_TIMEOUT  the deadline passed first (partial text kept)
 *       SMTP_CLOSED   EOF before the final line (partial text kept)
 *       SMTP_RESET    ECONNRESET / EPIPE before the final line
 *       SMTP_ERROR    greeting over the caps or malformed (the prefix
 *                     kept), or any other error (ENETUNREACH, ...) */
typedef void (*smtp_done_cb)(struct smtp_probe *p, enum smtp_status st, void *arg);

struct smtp_probe {
  /* libuv objects: owned by the probe from start until the callback */
  uv_tcp_t tcp;
  uv_timer_t timer;
  uv_connect_t conn;
  uv_write_t wr;      /* EHLO */
  uv_write_t quit_wr; /* QUIT */

  /* Results: valid in the callback and until the next start. */
  struct greeting g;       /* the greeting: code, host, text (greeting.h) */
  struct greeting_scan ehlo; /* the EHLO reply */
  char ehlo_host[SMTP_EHLO_NAME_MAX + 1]; /* first word of a 2xx EHLO reply,
                                             lowercased; "" if none */
  enum smtp_status status;
  int sys_err; /* != 0: back-pressure, no result (see smtp_done_cb) */
  int uv_err;  /* why the status is not banner: the libuv error (UV_ECONNREFUSED,
                  UV_ETIMEDOUT for the deadline, UV_EOF, ...), UV_E2BIG for an
                  oversized greeting, UV_EPROTO for a malformed one; 0 for banner */

  /* private */
  smtp_done_cb cb;
  void *arg;
  unsigned timeout_ms;
  int phase;
  int pending_close;
  int tcp_open;
  size_t wlen;
  char wbuf[5 + SMTP_EHLO_NAME_MAX + 3]; /* "EHLO " name "\r\n" */
  char rbuf[SMTP_READ_BUF];
};

/* Start probing a:port on `loop`.  `ehlo_name` (NULL: no EHLO) is copied;
 * it must be 1..255 printable ASCII bytes without spaces.
 * Returns 0: the probe runs and `cb` will be called exactly once.
 * Returns UV_EINVAL (bad address family, port outside 1..65535, timeout 0,
 * bad ehlo_name, NULL loop/cb): nothing was opened, `cb` will not run.
 * Every other failure, synchronous or not, including running out of
 * sockets, is delivered through `cb` (see smtp_done_cb).  `p` must not be
 * running already.  O(1); no allocation. */
int smtp_probe_start(struct smtp_probe *p, uv_loop_t *loop, const struct addr *a, int port,
                     unsigned timeout_ms, const char *ehlo_name, smtp_done_cb cb, void *arg);

/* Convenience accessors for the results (valid as the fields above). */
int smtp_probe_backpressure(const struct smtp_probe *p); /* p->sys_err != 0 */
int smtp_probe_code(const struct smtp_probe *p);         /* greeting code, 0 if none */
const char *smtp_probe_host(const struct smtp_probe *p); /* greeting host, "" if none */
const char *smtp_probe_ehlo_host(const struct smtp_probe *p);

/* Copy the greeting text (raw bytes, may contain NUL) into buf, at most
 * `size` bytes, no terminator added.  Returns the number copied. */
size_t smtp_probe_text(const struct smtp_probe *p, char *buf, size_t size);

#endif
