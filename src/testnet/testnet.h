/* SPDX-License-Identifier: MIT */
/*
 * testnet.h - what the testnet servers share with the program around them:
 * the counters written by --stats and the --log sink.
 */
#ifndef TESTNET_TESTNET_H
#define TESTNET_TESTNET_H

#include <stdint.h>

/* Counters; written as "key value" lines by --stats (see tests/testnet.md).
 * Single-threaded: the servers bump them from the loop thread. */
struct tn_stats {
  uint64_t dns_udp;         /* UDP messages received */
  uint64_t dns_tcp;         /* TCP messages received */
  uint64_t dns_tcp_conn;    /* TCP connections accepted */
  uint64_t dns_q_ptr, dns_q_a, dns_q_aaaa, dns_q_other;
  uint64_t dns_formerr;     /* malformed queries */
  uint64_t dns_silent;      /* queries deliberately not answered */
  uint64_t dns_truncated;   /* UDP replies sent with TC=1 */
  uint64_t dns_send_fail;   /* replies lost to send errors or full queues */
  uint64_t dns_forced_refused; /* REFUSED because of --dns-refuse */
  uint64_t smtp_conn;       /* SMTP connections accepted */
  uint64_t smtp_foreign;    /* closed: destination not in 127.0.0.0/8 */
  uint64_t smtp_pregreet;   /* connections that sent before the final line */
  uint64_t smtp_ehlo, smtp_helo, smtp_quit, smtp_other_cmd;
  uint64_t smtp_reset;      /* connections ended with an RST by us */
  /* Added later; written after the keys above. */
  uint64_t dns_forced_dropped; /* not answered because of --dns-drop */
  uint64_t dns_lame_dropped;   /* --dns-lame names asked with RD: dropped */
  uint64_t dns_lame_referral;  /* --dns-lame names asked without RD: referred */
  uint64_t dns_delayed;        /* replies held back by --dns-delay */
  uint64_t dns_delay_overflow; /* replies dropped: delay queue full */
  uint64_t smtp_limit_421;     /* shared MTAs: sessions refused over the limit */
  uint64_t smtp_client_fin;    /* sessions the client ended with a FIN */
  uint64_t smtp_client_rst;    /* sessions the client ended with a reset */
};

/* Append one line to the --log file (timestamped); no-op without --log. */
void tn_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
