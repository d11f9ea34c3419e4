/* SPDX-License-Identifier: MIT */
/*
 * dnsserver.h - the zone of zone.h served over UDP and TCP on one loopback
 * address and port, on a libuv loop.
 *
 * UDP: recvmmsg batches into one preallocated buffer, replies sent with
 * uv_udp_try_send from one reply buffer; only when the socket is full is a
 * reply copied and queued (uv_udp_send), up to a cap, beyond which it is
 * dropped and counted.  TCP: RFC 1035 4.2.2 / RFC 7766 framing (2-byte
 * length), several queries per connection, input bounded to one maximal
 * message, output queue bounded, idle connections closed after 10 s.
 * With --dns-delay, replies due later wait in a bounded queue (delayq.h);
 * other queries are answered meanwhile.
 */
#ifndef TESTNET_DNSSERVER_H
#define TESTNET_DNSSERVER_H

#include <stddef.h>
#include <sys/socket.h>
#include <uv.h>

#include "testnet.h"
#include "zonedata.h"

struct tn_dns_server;

/* Server-wide fault modes, on top of the zone's per-address scenarios. */
enum tn_dns_tcp_mode {
  TN_DNS_TCP_SERVE = 0, /* answer over TCP */
  TN_DNS_TCP_REFUSE,    /* no TCP socket: connections are refused */
  TN_DNS_TCP_STALL      /* accept and read, never answer */
};

struct tn_dns_config {
  const struct sockaddr *addr; /* in 127.0.0.0/8 or ::1 (checked by caller) */
  int tcp_mode;                /* enum tn_dns_tcp_mode */
  int refuse_pct;              /* 0..100: this share of well-formed queries
                                  is answered REFUSED, spread evenly */
  int drop_pct;                /* 0..100: this share of all messages is
                                  never answered, spread evenly */
  const struct tn_range *lame; /* --dns-lame blocks (kept, not copied) */
  size_t nlame;
  int delay_on;                /* --dns-delay INSTANT:MIN-MAX */
  int delay_instant_pct, delay_min_ms, delay_max_ms;
  const struct tn_zdata *files;   /* --zone-file data or NULL (kept, not copied) */
  const struct tn_zdata *builtin; /* built-in sender records or NULL (kept) */
  int zone_only;                  /* --zone-only */
};

/* Bind UDP and TCP on cfg->addr (port 0: one free port for both) and start
 * serving.  stats must outlive the server.  Returns 0 and *out, or a
 * negative UV_E* code with a message in err. */
int tn_dns_start(uv_loop_t *loop, const struct tn_dns_config *cfg,
                 struct tn_stats *stats, struct tn_dns_server **out, char *err,
                 size_t errlen);

/* The port actually bound. */
int tn_dns_port(const struct tn_dns_server *s);

/* Close every handle (sockets, connections, timer); the server frees itself
 * once the loop has run their close callbacks.  s is invalid afterwards. */
void tn_dns_stop(struct tn_dns_server *s);

#endif
