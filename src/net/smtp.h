/* SPDX-License-Identifier: MIT */
/*
 * smtp.h - the SMTP banner probe (libuv): connect to one address, read the
 * greeting (RFC 5321 section 4.2), optionally EHLO, QUIT, close politely.
 *
 * What goes on the wire, in order:
 *   connect(target:port)            only ever the target itself
 *   read the greeting               nothing is written before its final line
 *   [EHLO name\r\n, read the reply] only when ehlo_name is given and the
 *                                   greeting is 2xx (RFC 5321 section 3.1:
 *                                   after 4xx/5xx the client just quits)
 *   QUIT\r\n, read the reply        RFC 5321 section 4.1.1.10
 *   shutdown(write side), read to the peer's EOF, close
 * Nothing else is ever sent.  The close comes after the 221 and the peer's
 * FIN so that the kernel sends FIN, not RST: Linux resets a connection
 * closed with unread data in its receive buffer.
 *
 * Time limits (struct smtp_timing), each a hard deadline that bytes
 * trickling in cannot extend:
 *   - connect: min(connect_ms, greeting_ms) from the start (most scanned
 *     addresses drop SYNs: dead hosts give up early);
 *   - the final greeting line: greeting_ms from the START of the connect
 *     (anti-spam MTAs delay their 220 on purpose, 15 s and more; RFC 5321
 *     section 4.5.3.2 allows 5 minutes);
 *   - the EHLO reply: ehlo_ms from when EHLO was written; if it does not
 *     come, QUIT is sent anyway (the status stays banner);
 *   - QUIT: quit_ms from when QUIT was written, for the 221, the write-side
 *     shutdown and the peer's FIN together; then the connection is closed
 *     regardless (a peer that never answers or never reads cannot hold us).
 * Worst case per probe: greeting_ms + ehlo_ms + quit_ms (ehlo_ms only with
 * EHLO after a 2xx greeting), plus event-loop latency.
 *
 * Memory: the struct holds the libuv handles and small state only (about
 * 632 bytes on x86-64 with libuv 1.44).  The greeting's host and text
 * (4.3 KiB) and the read buffer, write requests and EHLO state (2.1 KiB)
 * are allocated when the first bytes arrive, so a probe waiting for a
 * silent or delayed peer holds no buffer.  They stay, as results, until
 * smtp_probe_release() or the next smtp_probe_start().
 *
 * The caller must ignore SIGPIPE (libuv does not, on Linux): a peer that
 * resets while QUIT is written would otherwise kill the process.
 */
#ifndef PTRAUDIT_SMTP_H
#define PTRAUDIT_SMTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "addr.h"
#include "greeting.h"
#include "status.h"

#define SMTP_EHLO_NAME_MAX 255
#define SMTP_READ_BUF 1024

#define SMTP_CONNECT_MS_DEFAULT 5000
#define SMTP_GREETING_MS_DEFAULT 30000
#define SMTP_EHLO_MS_DEFAULT 10000
#define SMTP_QUIT_MS_DEFAULT 2000

/* uv_err of an SMTP_TIMEOUT: which deadline passed. */
#define SMTP_ERR_CONNECT_TIMEOUT UV_ETIMEDOUT /* the connect did not complete */
#define SMTP_ERR_GREETING_TIMEOUT UV_EAGAIN   /* connected, no final greeting line */

struct smtp_timing {
  unsigned connect_ms;  /* SYN to established (default 5000): dead hosts give up early */
  unsigned greeting_ms; /* from the START of the connect to the final greeting line
                           (default 30000); the connect deadline is
                           min(connect_ms, greeting_ms) */
  unsigned ehlo_ms;     /* EHLO reply, from when EHLO was written (default 10000) */
  unsigned quit_ms;     /* after QUIT: wait this long at most for the 221 and the
                           peer's FIN (default 2000) */
};

/* Fill *t with the defaults above.  O(1). */
void smtp_timing_defaults(struct smtp_timing *t);

struct smtp_probe;
struct smtp_mem; /* private: the buffers allocated when bytes arrive */

/* Runs exactly once per successful smtp_probe_start(), from the loop (never
 * from inside smtp_probe_start), after every handle of the probe has
 * closed: the callback may read the results, release the probe, start the
 * same struct again, or free it (after smtp_probe_release).
 *   - p->sys_err != 0 (smtp_probe_backpressure(p)): NOT a result for the
 *     target.  A local resource ran out (UV_EMFILE, UV_ENFILE, UV_ENOBUFS,
 *     UV_ENOMEM, UV_EADDRNOTAVAIL); `st` is SMTP_ERROR but must not be
 *     reported: requeue the probe later, with less concurrency.
 *   - otherwise `st` is the target's result:
 *       SMTP_BANNER   the final greeting line was read (any code; what
 *                     happens after it, RST included, does not change this)
 *       SMTP_REFUSED  connect: ECONNREFUSED
 *       SMTP_TIMEOUT  a deadline passed first: uv_err is
 *                     SMTP_ERR_CONNECT_TIMEOUT (UV_ETIMEDOUT) if the connect
 *                     did not complete within min(connect_ms, greeting_ms),
 *                     SMTP_ERR_GREETING_TIMEOUT (UV_EAGAIN) if it did but the
 *                     final greeting line did not come within greeting_ms of
 *                     the start (partial text kept, no code)
 *       SMTP_CLOSED   EOF before the final line (partial text kept)
 *       SMTP_RESET    ECONNRESET / EPIPE before the final line
 *       SMTP_ERROR    greeting over the caps or malformed (the prefix
 *                     kept), or any other error (ENETUNREACH, ...) */
typedef void (*smtp_done_cb)(struct smtp_probe *p, enum smtp_status st, void *arg);

/* Runs at most once per start, from the loop, when the connect completed
 * (the server accepted the connection; the greeting may still be minutes
 * away).  It must not start, release or free the probe. */
typedef void (*smtp_connected_cb)(struct smtp_probe *p, void *arg);

/* Public because the libuv handles are embedded; fields marked private are
 * not to be touched.  Zero-fill the struct before its first start (static,
 * calloc or memset): a start frees what the previous run left. */
struct smtp_probe {
  /* libuv objects: owned by the probe from start until the callback */
  uv_tcp_t tcp;
  uv_timer_t timer;
  uv_connect_t conn;

  /* Results: valid in the callback and until release or the next start. */
  struct greeting g;     /* the greeting: code, host, text (greeting.h) */
  enum smtp_status status;
  int sys_err; /* != 0: back-pressure, no result (see smtp_done_cb) */
  int uv_err;  /* why the status is not banner: the libuv error (UV_ECONNREFUSED,
                  UV_EOF, ...), SMTP_ERR_*_TIMEOUT for the deadlines, UV_E2BIG
                  for an oversized greeting, UV_EPROTO for a malformed one; 0 for
                  banner */

  /* private */
  struct smtp_mem *mem;
  smtp_done_cb cb;
  smtp_connected_cb on_connected;
  void *arg;
  const char *ehlo_name;
  uint64_t t0; /* uv_hrtime() at start */
  struct smtp_timing t;
  unsigned greeting_ms;
  unsigned char phase, pending_close, tcp_open, connected, writing, quit_queued;
};

/* Start probing a:port on `loop` with the deadlines `t` (NULL: the
 * defaults).  `ehlo_name` (NULL: no EHLO) must be 1..255 printable ASCII
 * bytes without spaces, and must stay valid until the done callback (it is
 * not copied).  `on_connected` may be NULL.
 * Returns 0: the probe runs and `cb` will be called exactly once.
 * Returns UV_EINVAL (bad address family, port outside 1..65535, a deadline
 * of 0, bad ehlo_name, NULL loop/cb): nothing was opened, `cb` will not
 * run.  Every other failure, synchronous or not, including running out of
 * sockets, is delivered through `cb` (see smtp_done_cb).  `p` must not be
 * running already; buffers left by its previous run are freed first.
 * O(1); no allocation until bytes arrive. */
int smtp_probe_start(struct smtp_probe *p, uv_loop_t *loop, const struct addr *a, int port,
                     const struct smtp_timing *t, const char *ehlo_name,
                     smtp_connected_cb on_connected, smtp_done_cb cb, void *arg);

/* Free the buffers a finished probe holds (call after reading its results,
 * in or after the done callback; never while it runs).  The results read
 * as empty afterwards.  Idempotent.  O(1). */
void smtp_probe_release(struct smtp_probe *p);

/* Convenience accessors for the results (valid as the fields above). */
int smtp_probe_backpressure(const struct smtp_probe *p); /* p->sys_err != 0 */
int smtp_probe_code(const struct smtp_probe *p);         /* code of a complete greeting, else 0 */
const char *smtp_probe_host(const struct smtp_probe *p); /* greeting host, "" if none */
const char *smtp_probe_ehlo_host(const struct smtp_probe *p); /* first word of a 2xx EHLO
                                                                 reply, lowercased; "" if none */
int smtp_probe_was_connected(const struct smtp_probe *p);   /* 1 if the connect completed */
unsigned smtp_probe_greeting_ms(const struct smtp_probe *p); /* ms from connect start to the
                                                               final greeting line, rounded
                                                               up; 0 if no complete greeting */

/* Heap bytes the probe holds now: 0 while it waits for its first byte.
 * For tests and memory accounting.  O(1). */
size_t smtp_probe_heap_bytes(const struct smtp_probe *p);

/* Copy the greeting text (raw bytes, may contain NUL) into buf, at most
 * `size` bytes, no terminator added.  Returns the number copied. */
size_t smtp_probe_text(const struct smtp_probe *p, char *buf, size_t size);

#endif
