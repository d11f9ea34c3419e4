/* SPDX-License-Identifier: MIT */
/*
 * smtpconn.h - the SMTP connection shared by the server (smtpserver.c:
 * listeners, accepting, lifetime, output) and the session behaviour of
 * the scenarios (smtpsession.c: greetings, commands, input).  Internal to
 * src/testnet.
 */
#ifndef TESTNET_SMTPCONN_H
#define TESTNET_SMTPCONN_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "scenario.h"
#include "smtpserver.h"

#define LINE_MAX_LEN 1000   /* RFC 5321 4.5.3.1.4 text line limit */

/* Where a session is: before its greeting, reading commands, or only
 * draining what the client sends. */
enum { SC_PRE, SC_CMD, SC_IGNORE };

struct conn {
  uv_tcp_t h;
  uv_timer_t t;                /* pacing; initialised only when needed */
  struct tn_smtp_server *srv;
  struct conn *prev, *next;
  int handles, has_timer, closing;
  int scn, state, pregreet;
  int close_when_drained, reset_when_drained;
  int polite;                  /* QUIT: 221 2.0.0 Bye, then wait for EOF */
  int mta_counted;             /* shared MTA: counted in the limit table */
  uint64_t started, quit_at;
  struct tn_ip client;         /* shared MTA: the client's address */
  struct tn_ip ip;             /* the destination address */
  size_t step;                 /* progress of drip/multiline/flood */
  size_t queued;               /* bytes in uv_write requests */
  uv_write_t flood_req;
  char greet[400];             /* drip: the greeting being dripped */
  size_t greetlen;
  char line[LINE_MAX_LEN + 1];
  size_t linelen;
  int overlong;
};

struct listener {
  uv_tcp_t h;
  struct tn_smtp_server *srv;
  struct tn_ip ip;
  int any; /* 1: find the destination with getsockname */
};

struct tn_smtp_server {
  uv_loop_t *loop;
  struct tn_stats *st;
  struct tn_mta_table *mta;    /* shared-MTA session counts */
  int mta_limit, polite;
  struct listener *ls;
  size_t nls;
  uv_timer_t sweep;
  int port;
  int handles;
  struct conn *conns;
  struct conn *pool;
  size_t npool;
  char rbuf[64 * 1024];
  char scratch[32 * 1024];
};

struct sc_wreq {
  uv_write_t req;
  struct conn *c;
  size_t len;
  char data[];
};

/* Address as text ("?" if it cannot be written). */
void sc_fmt_ip(const struct tn_ip *ip, char *buf, size_t cap);

/* Close with FIN (RST if unread input is left: the kernel's rule) / with
 * RST (counted in smtp_reset).  Idempotent. */
void sc_close(struct conn *c);
void sc_reset(struct conn *c);

/* Everything written: act on close_when_drained / reset_when_drained. */
void sc_drained(struct conn *c);

/* Write p[0..n): at once if the socket takes it, the rest copied and
 * queued; a peer that lets OUT_MAX bytes pile up is dropped. */
void sc_send_bytes(struct conn *c, const char *p, size_t n);
void sc_send_str(struct conn *c, const char *str);

/* Start (initialising it the first time) the connection's timer. */
int sc_start_timer(struct conn *c, uv_timer_cb cb, uint64_t first, uint64_t repeat);

/* Send the greeting of the connection's scenario, or do what it does
 * instead (reset, close, silence, flood, drip, ...). */
void sc_greet(struct conn *c);
/* Timer callback: sc_greet after the pause. */
void sc_greet_later(uv_timer_t *t);

/* Count (and log) a client that talked before the greeting's final line. */
void sc_note_pregreet(struct conn *c);

/* uv_read_start callbacks of a session. */
void sc_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
void sc_read(uv_stream_t *h, ssize_t nread, const uv_buf_t *buf);

#endif
