/* SPDX-License-Identifier: MIT */
/*
 * smtpserver.h - SMTP greetings of the testnet scenarios (scenario.h) on a
 * libuv loop.
 *
 * Two ways to listen on one port:
 *   per-address  one listening socket per address of the configured IPv4
 *                ranges, skipping addresses whose SMTP scenario is "no
 *                listener", so those get a genuine connection refused;
 *   any          one 0.0.0.0 socket; a connection whose destination is not
 *                in 127.0.0.0/8 is reset at once, and the "no listener"
 *                scenario becomes an immediate reset.
 * Both also listen on [::1] (scenario 0, banner matching) when the host has
 * IPv6.  In the scenario blocks 127.64-66.0.0/16 greetings start 50 ms
 * after the accept (the tarpits of 127.65/16 after 3, 15 or 45 s), so a
 * client that talks first is reliably counted as a pregreet; elsewhere
 * they start at once.  The shared MTAs of 127.66.0.0/16 limit concurrent
 * sessions per client per /24 (mtalimit.h).  A connection lives at most
 * 300 s whatever it does; after a polite QUIT, 10 s.
 */
#ifndef TESTNET_SMTPSERVER_H
#define TESTNET_SMTPSERVER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "scenario.h"
#include "testnet.h"


struct tn_smtp_config {
  int port;                      /* 0: let the kernel pick one */
  int any;                       /* 1: wildcard mode, ranges ignored */
  const struct tn_range *ranges; /* per-address mode: sorted, disjoint */
  size_t nranges;
  int mta_limit;                 /* shared MTAs: sessions per client per /24 */
  int polite;                    /* 1: every scenario closes politely */
};

struct tn_smtp_server;

/* Listening sockets the per-address mode needs for these ranges (the "no
 * listener" addresses excluded).  Pure; O(number of addresses). */
size_t tn_smtp_listener_count(const struct tn_range *ranges, size_t n);

/* Bind every listener and start accepting.  Returns 0 and *out, or a
 * negative UV_E* code with a message in err (nothing left open). */
int tn_smtp_start(uv_loop_t *loop, const struct tn_smtp_config *cfg,
                  struct tn_stats *stats, struct tn_smtp_server **out,
                  char *err, size_t errlen);

int tn_smtp_port(const struct tn_smtp_server *s);
/* Listening sockets open (IPv4 ones plus [::1]). */
size_t tn_smtp_listeners(const struct tn_smtp_server *s);

/* Close every listener and connection; the server frees itself once the
 * loop has run the close callbacks.  s is invalid afterwards. */
void tn_smtp_stop(struct tn_smtp_server *s);

#endif
